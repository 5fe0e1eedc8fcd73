#!/usr/bin/env bash
# A Pi has no clock: its time may be a week wrong, and jump back while an event runs. The
# kiosk's counts never depend on it (rows are ordered by id, undo takes back the latest row
# whatever its time); staff are told when the clock cannot be right, and told again when it
# is. The clock is faked (fakeclock.c) and moved a week back mid-event.
. "$(dirname "$0")/lib.sh"

cc -shared -fPIC -O2 -o "$WORK/fakeclock.so" "$(dirname "$0")/fakeclock.c" -ldl ||
	{ fail "build the fake clock"; finish; exit 1; }
export FAKE_CLOCK_FILE=$WORK/offset ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0
echo 0 >"$FAKE_CLOCK_FILE"
# wait_log TEXT: until the kiosk's log has TEXT (60 s at most: the loop wakes every second)
wait_log() { for _ in $(seq 600); do grep -qF "$1" "$WORK/kiosk.log" && return 0; sleep 0.1; done; return 1; }
col() { ctl export --csv | tr -d '\r' | sed -n "$1p" | cut -d, -f"$2"; }

LD_PRELOAD=$WORK/fakeclock.so start_kiosk || { fail "kiosk starts"; finish; exit 1; }
ctl press >/dev/null
ctl add 4 >/dev/null
check "no clock warning while the clock is right" "$(grep -c 'clock:' "$WORK/kiosk.log")" 0
echo -604800 >"$FAKE_CLOCK_FILE"
wait_log "clock: The clock says" && pass "the clock going a week back is noticed" ||
	fail "no clock warning: $(tail -3 "$WORK/kiosk.log")"
check_contains "and says how to set it" "$(grep 'clock:' "$WORK/kiosk.log")" \
	"set it (sudo tallyctl set-time)"
check_contains "tallyctl status says so too" "$(ctl status)" "Clock:  WRONG: The clock says"
ctl press >/dev/null
check "counting goes on" "$(total)" 6
t2=$(col 3 4) t3=$(col 4 4)
check "the new row's time is a week earlier than the row before it" \
	"$(python3 -c 'import sys, datetime as d; f=lambda s: d.datetime.fromisoformat(s.replace("Z", "+00:00")); print(round((f(sys.argv[1]) - f(sys.argv[2])).total_seconds() / 86400))' "$t2" "$t3")" 7
check "yet it is listed after it, with the right running total" "$(col 4 5),$(col 4 7)" "press,6"
check "the export says which times could be trusted" "$(col 2 12),$(col 3 12),$(col 4 12)" "1,1,0"
check_contains "the JSON export too" "$(ctl export --json | sed -n 4p)" '"time_ok":false'
check "the CSV header names the column" "$(col 1 12)" "time_ok"
ctl undo >/dev/null
check "undo takes back the latest press, not the latest time" "$(total)" 5
check "the undo names row 3" "$(col 5 10)" 3
echo 0 >"$FAKE_CLOCK_FILE"
wait_log "clock: it looks right again" && pass "staff are told when the clock is right again" ||
	fail "no all-clear: $(tail -3 "$WORK/kiosk.log")"
stop_kiosk
: >"$WORK/kiosk.log"
echo -604800 >"$FAKE_CLOCK_FILE"
LD_PRELOAD=$WORK/fakeclock.so start_kiosk || { fail "kiosk restarts"; finish; exit 1; }
wait_log "clock: The clock says" && pass "a kiosk started with its clock a week back says so" ||
	fail "no clock warning at start"
check "and shows what was saved" "$(total)" 5
# tallyctl set-time: the shim takes the clock_settime (the machine's clock is never set) and
# moves the faked clock, which the kiosk reads too.
out=$(LD_PRELOAD=$WORK/fakeclock.so "$CTL" set-time "$(date -u '+%Y-%m-%d %H:%M:%S')Z" 2>&1)
check "set-time with the right to set the clock exits 0" "$?" 0
check_contains "and says what it set" "$out" "Clock set to"
check "the faked clock is back within a minute of the real one" \
	"$(awk '{ print ($1 > -60 && $1 < 60) }' "$FAKE_CLOCK_FILE")" 1
wait_log "clock: it looks right again" && pass "the kiosk takes its warning down after set-time" ||
	fail "no all-clear after set-time: $(tail -3 "$WORK/kiosk.log")"
check_contains "tallyctl status shows the kiosk's time, right again" "$(ctl status)" "(looks right)"
ctl press >/dev/null
check "a count after set-time has a time that can be trusted" "$(col 6 12)" 1
stop_kiosk
echo 0 >"$FAKE_CLOCK_FILE"

# Times that cannot be right are refused before the clock is touched (the same checks as the
# staff page's, clockset.c); the shim would take the call anyway.
for when in "2001-01-01 10:00" "$(($(date -u +%Y) + 11))-06-01 10:00Z"; do
	out=$(LD_PRELOAD=$WORK/fakeclock.so "$CTL" set-time "$when" 2>&1)
	check "set-time \"$when\" exits 2" "$?" 2
done
check_contains "a time too far ahead is named" "$out" "more than 10 years after this software was made"
out=$(LD_PRELOAD=$WORK/fakeclock.so "$CTL" set-time "2001-01-01 10:00" 2>&1)
check_contains "a time before the build is named" "$out" "2001-01-01 10:00:00 UTC is before this software was made"
check "the faked clock did not move" "$(cat "$FAKE_CLOCK_FILE")" 0

out=$("$CTL" set-time yesterday 2>&1)
check "set-time with a bad time exits 2" "$?" 2
check_contains "and says what it wants" "$out" "YYYY-MM-DD HH:MM"
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$WORK/bin" && cp "$CTL" "$WORK/bin/tallyctl" && chmod 755 "$WORK/bin" "$WORK/bin/tallyctl"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$WORK/bin/tallyctl" set-time "2026-12-10 18:05" 2>&1)
else
	out=$("$CTL" set-time "2026-12-10 18:05" 2>&1)
fi
check "set-time without the right to set the clock exits 3" "$?" 3
check_contains "and says it needs root" "$out" "sudo tallyctl set-time"
finish
