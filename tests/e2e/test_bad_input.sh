#!/usr/bin/env bash
# Bad configuration, bad database files, bad staff input and a second kiosk: each gets a clear
# message and the right exit status, and no count is lost or changed.
. "$(dirname "$0")/lib.sh"

run() { "$@" >"$WORK/out" 2>&1; echo $?; }
out() { cat "$WORK/out"; }

# --- configuration ---
check "missing config exits 2" "$(run "$KIOSK" -c "$WORK/nope.conf" --db "$DB")" 2
check_contains "missing config names the file" "$(out)" "$WORK/nope.conf"
printf '[event]\ngoal = 500\n\x00\x01\x02garbage\xff\n' >"$WORK/garbled.conf"
check "garbled config exits 2" "$(run "$KIOSK" -c "$WORK/garbled.conf" --db "$DB")" 2
check_contains "garbled config names file and line" "$(out)" "garbled.conf:3"
printf '[display]\nbackground = #12345\n' >"$WORK/colour.conf"
check "bad colour exits 2" "$(run "$KIOSK" -c "$WORK/colour.conf" --db "$DB")" 2
check_contains "bad colour names line and key" "$(out)" "colour.conf:2: [display] background"
printf '[event]\ngaol = 500\n' >"$WORK/typo.conf"
check "unknown key exits 2" "$(run "$KIOSK" -c "$WORK/typo.conf" --db "$DB")" 2
check_contains "unknown key is named" "$(out)" "typo.conf:2: [event] gaol"
check "tallyctl refuses the same config" "$(run "$CTL" -c "$WORK/typo.conf" status)" 2
check "no database was created by a bad config" "$([ -e "$DB" ] && echo yes || echo no)" no
check "bad --size exits 2" "$(run "$KIOSK" --screenshot x.png --size 12xbig)" 2
check "unknown option exits 2" "$(run "$KIOSK" --fly)" 2

# --- database files ---
head -c 20000 /dev/urandom >"$WORK/random.db"
sum=$(md5sum <"$WORK/random.db")
check "a non-SQLite database exits 1" "$(run "$KIOSK" --db "$WORK/random.db" --windowed)" 1
check_contains "it says the file is not a database" "$(out)" "not an SQLite database"
check "the file is left untouched" "$(md5sum <"$WORK/random.db")" "$sum"
check "tallyctl on it exits 3" "$(run "$CTL" --db "$WORK/random.db" status)" 3

mkdir -p "$WORK/ro"
chmod 555 "$WORK/ro"
as_user=() ro_kiosk=$KIOSK
if [ "$(id -u)" = 0 ]; then
	# root writes anywhere, so the kiosk runs as nobody. nobody may not reach the checkout
	# (a clone in a 0700 home), so it runs a copy from the test's own world-readable folder.
	mkdir -p "$WORK/bin"
	cp "$KIOSK" "$WORK/bin/tallykiosk"
	chmod 755 "$WORK/bin" "$WORK/bin/tallykiosk"
	ro_kiosk=$WORK/bin/tallykiosk
	chown 65534 "$WORK" "$WORK/home"; chmod 755 "$WORK"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
check "a read-only database folder exits 1" "$(run "${as_user[@]}" env HOME="$HOME" "$ro_kiosk" --db "$WORK/ro/t.db" --windowed)" 1
check_contains "it names the database and the cause" "$(out)" "$WORK/ro/t.db: cannot create or open for writing"

# --- staff input ---
check "tallyctl without a database exits 3" "$(run ctl status)" 3
check_contains "and says where it looked" "$(out)" "no database at $DB"
start_kiosk || { fail "kiosk starts"; finish; exit 1; }
ctl add 10 >/dev/null
check "add -5 exits 2" "$(run ctl add -5)" 2
check_contains "add -5 is explained" "$(out)" '"-5" is not a whole number'
check "add abc exits 2" "$(run ctl add abc)" 2
check "add 0 exits 2" "$(run ctl add 0)" 2
check "new-event \"\" exits 2" "$(run ctl new-event "")" 2
check "unknown command exits 2" "$(run ctl frobnicate)" 2
check "no count changed" "$(total)" 10

# A raw client sending junk gets ERR lines and cannot hurt the count.
python3 - "$DB.sock" >"$WORK/raw" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"add 5x\nnew-event \xff\xfe\nstatus\n" + b"A" * 600 + b"\n")
s.settimeout(5); data = b""
try:
    while True:
        c = s.recv(65536)
        if not c: break
        data += c
except (socket.timeout, ConnectionResetError): pass
print(data.decode("utf-8", "replace"))
PY
check_contains "junk request gets ERR usage" "$(cat "$WORK/raw")" "ERR usage add:"
check_contains "non-UTF-8 is refused" "$(cat "$WORK/raw")" "not printable UTF-8"
check_contains "a good request after junk is answered" "$(cat "$WORK/raw")" '"total":10'
check_contains "an overlong line is refused" "$(cat "$WORK/raw")" "too long"
check "the kiosk still counts" "$(ctl press >/dev/null; total)" 11

# --- a second kiosk on the same database ---
check "a second kiosk exits 1" "$(run "$KIOSK" --db "$DB" --windowed)" 1
check_contains "it says another kiosk runs" "$(out)" "another tallykiosk is already running"
check "the first kiosk still counts" "$(ctl press >/dev/null; total)" 12
stop_kiosk

# --- the kiosk waits for a database held by another program (tallyctl working offline) ---
# The holder keeps the lock until the kiosk says it waits (at most 120 s, for a loaded box).
python3 - "$DB" "$WORK/locked" "$WORK/kiosk.log" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)  # a slow exit under load
db.execute("PRAGMA locking_mode=EXCLUSIVE"); db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
end = time.monotonic() + 120
while time.monotonic() < end and "waiting" not in open(sys.argv[3], errors="replace").read():
    time.sleep(0.05)
db.execute("COMMIT"); db.close()
PY
holder=$!
for _ in $(seq 1 1200); do [ -e "$WORK/locked" ] && break; sleep 0.1; done
start_kiosk || fail "kiosk starts after the lock is released"
wait "$holder"
grep -q "in use by another program (tallyctl?); waiting" "$WORK/kiosk.log" &&
	pass "the kiosk said it waits for the lock" || fail "no waiting message"
check "and then counts on" "$(ctl press >/dev/null; total)" 13
stop_kiosk
finish
