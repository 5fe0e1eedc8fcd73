#!/usr/bin/env bash
# Under systemd (Type=notify, WatchdogSec) the kiosk says READY=1 once it counts and pings
# the watchdog at half the interval, but stops pinging while a commit hangs, so systemd
# restarts a hung kiosk; pings resume when storage moves again.
#
# Everything waits on events (the listener is up, a message arrived, the fsync is stalled),
# with generous deadlines for a loaded machine. The one fixed wait is the window in which no
# ping may come: it is checked from the notify socket's own queue, not from arrival times.
. "$(dirname "$0")/lib.sh"

cc -shared -fPIC -O2 -o "$WORK/stallsync.so" "$(dirname "$0")/stallsync.c" -ldl ||
	{ fail "build the fsync stall shim"; finish; exit 1; }
export NOTIFY_SOCKET=$WORK/notify.sock WATCHDOG_USEC=1000000 STALL_FILE=$WORK/stall
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0
LOG=$WORK/notify.log
mkfifo "$WORK/ctl"
# The listener logs each message; "mark NAME" on the fifo takes every message already queued
# on the socket (all those sent before the mark) and then logs "MARK NAME".
python3 - "$NOTIFY_SOCKET" "$WORK/ctl" >"$LOG" <<'PY' &
import os, select, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
print("UP", flush=True)
ctl = os.open(sys.argv[2], os.O_RDWR)
pending = b""
def take(block):
    while True:
        try: msg = s.recv(4096, 0 if block else socket.MSG_DONTWAIT).decode()
        except BlockingIOError: return
        for line in msg.split("\n"):
            if line: print(line, flush=True)
        block = False
while True:
    r, _, _ = select.select([s, ctl], [], [])
    if s in r: take(True)
    if ctl in r:
        pending += os.read(ctl, 4096)
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if line == b"quit": sys.exit(0)
            take(False)
            print("MARK " + line.decode().split(" ", 1)[1], flush=True)
PY
listener=$!
exec 3>"$WORK/ctl"
# wait_for WHAT COMMAND...: polls COMMAND every 0.1 s for up to 60 s (a loaded machine).
wait_for() {
	local what=$1; shift
	for _ in $(seq 600); do "$@" && return 0; sleep 0.1; done
	fail "$what (waited 60 s)"; return 1
}
logged() { grep -q "$1" "$LOG"; }
pings() { grep -c '^WATCHDOG=1' "$LOG"; }
# mark NAME: prints how many pings were sent before this moment.
mark() {
	echo "mark $1" >&3
	wait_for "the listener answers mark $1" logged "^MARK $1\$" || return
	sed "/^MARK $1\$/q" "$LOG" | grep -c '^WATCHDOG=1'
}

wait_for "the notify listener is up" logged '^UP$' || { finish; exit 1; }
LD_PRELOAD=$WORK/stallsync.so start_kiosk || { fail "kiosk starts"; finish; exit 1; }
wait_for "READY=1 is sent" logged '^READY=1$' && pass "READY=1 is sent"
check_contains "STATUS says what it counts" "$(cat "$LOG")" 'STATUS=counting: 0 letters in "Write for Rights 2026"'
enough_pings() { [ "$(pings)" -ge 4 ]; }
wait_for "the watchdog is pinged again and again" enough_pings &&
	pass "the watchdog is pinged again and again ($(pings) pings)"

touch "$STALL_FILE"
ctl press >/dev/null 2>&1 &
presser=$!
wait_for "the press's commit reaches the stalled fsync" test -e "$STALL_FILE.hit" ||
	{ finish; exit 1; }
# The kiosk stops pinging once a commit is busy for 0.5 s (half the interval); 2 s after the
# stall began, a ping decided before that has long been sent. Then 2 s must pass without one.
sleep 2
before=$(mark stalled)
sleep 2
during=$(( $(mark still-stalled) - before ))
check "no pings while a commit hangs for 2 s" "$during" 0
check "the press is still waiting" "$(kill -0 "$presser" 2>/dev/null && echo yes)" yes
rm -f "$STALL_FILE"
wait "$presser"
check "the press completes once storage moves" "$?" 0
resumed() { [ "$(pings)" -gt "$before" ]; }
wait_for "pings resume after the stall" resumed && pass "pings resume after the stall"
check "the stalled press is counted" "$(total)" 1
stop_kiosk
mark stopped >/dev/null
check_contains "STOPPING=1 on shutdown" "$(cat "$LOG")" "STOPPING=1"
echo quit >&3
wait "$listener" 2>/dev/null
finish
