#!/usr/bin/env bash
# Under systemd (Type=notify, WatchdogSec) the kiosk says READY=1 once it counts and pings
# the watchdog at half the interval, but stops pinging while a commit hangs, so systemd
# restarts a hung kiosk; pings resume when storage moves again.
. "$(dirname "$0")/lib.sh"

cc -shared -fPIC -O2 -o "$WORK/stallsync.so" "$(dirname "$0")/stallsync.c" -ldl ||
	{ fail "build the fsync stall shim"; finish; exit 1; }
export NOTIFY_SOCKET=$WORK/notify.sock WATCHDOG_USEC=1000000 STALL_FILE=$WORK/stall
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0
python3 - "$NOTIFY_SOCKET" >"$WORK/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(0.2)
t0 = time.monotonic(); end = t0 + 12
while time.monotonic() < end:
    try: msg = s.recv(4096).decode()
    except socket.timeout: continue
    for line in msg.split("\n"):
        print("%.3f %s" % (time.monotonic() - t0, line), flush=True)
PY
listener=$!
# The kiosk's READY=1 is lost if it comes before the listener binds: wait for the socket
# (a generous 30 s for a loaded machine), not a fixed sleep.
for _ in $(seq 300); do [ -S "$NOTIFY_SOCKET" ] && break; sleep 0.1; done
LD_PRELOAD=$WORK/stallsync.so start_kiosk || { fail "kiosk starts"; finish; exit 1; }
for _ in $(seq 300); do grep -q READY=1 "$WORK/notify.log" && break; sleep 0.1; done
sleep 2.5
check_contains "READY=1 is sent" "$(cat "$WORK/notify.log")" "READY=1"
check_contains "STATUS says what it counts" "$(cat "$WORK/notify.log")" 'STATUS=counting: 0 letters in "Write for Rights 2026"'
pings=$(grep -c WATCHDOG=1 "$WORK/notify.log")
[ "$pings" -ge 4 ] && pass "watchdog pinged $pings times in 2.5 s (every 0.5 s)" || fail "only $pings pings in 2.5 s"

touch "$STALL_FILE"
ctl press >/dev/null 2>&1 &
presser=$!
sleep 0.7 # a commit may be slow for half the interval before it counts as hung
before=$(grep -c WATCHDOG=1 "$WORK/notify.log")
sleep 2
during=$(( $(grep -c WATCHDOG=1 "$WORK/notify.log") - before ))
check "no pings while a commit hangs for 2 s" "$during" 0
rm -f "$STALL_FILE"
wait "$presser"
check "the press completes once storage moves" "$?" 0
sleep 1.2
after=$(( $(grep -c WATCHDOG=1 "$WORK/notify.log") - before ))
[ "$after" -ge 1 ] && pass "pings resume after the stall" || fail "no pings after the stall"
check "the stalled press is counted" "$(total)" 1
stop_kiosk
check_contains "STOPPING=1 on shutdown" "$(cat "$WORK/notify.log")" "STOPPING=1"
kill "$listener" 2>/dev/null
finish
