#!/usr/bin/env bash
# Staff drive a running kiosk with tallyctl; the kiosk commits, logs and survives a restart.
. "$(dirname "$0")/lib.sh"

start_kiosk || { fail "kiosk starts"; finish; exit 1; }
check "a new database starts at 0" "$(total)" 0
ctl add 5 >/dev/null
check "add 5" "$(total)" 5
for _ in 1 2 3; do ctl press >/dev/null; done
check "three presses" "$(total)" 8
out=$(ctl undo)
check_contains "undo says what it took back" "$out" "Took back 1 letter"
check "undo" "$(total)" 7
ctl goal 250 >/dev/null
json=$(ctl status --json)
check_contains "status --json has the event" "$json" '"event":"Write for Rights 2026"'
check_contains "status --json has total and goal" "$json" '"total":7,"goal":250'
out=$(ctl status)
check_contains "status says the kiosk runs" "$out" "Kiosk:  running"
ctl new-event "Café Lumière, Dec 10" >/dev/null
check "new event starts at 0" "$(total)" 0
json=$(ctl status --json)
check_contains "new event is current" "$json" '"event":"Café Lumière, Dec 10"'
check_contains "goal carries over" "$json" '"goal":250'
events=$(ctl events --json)
check_contains "the old event is kept with its total" "$events" '"name":"Write for Rights 2026","total":7'
table=$(ctl events)
check_contains "events table lists the old event" "$table" "Write for Rights 2026"
ctl undo >/dev/null 2>&1
check "undo on an empty event exits 1" "$?" 1
csv=$(ctl export --csv)
check "export --csv has header + 6 rows" "$(echo "$csv" | wc -l)" 6
check_contains "export has the undo row" "$csv" ",undo,-1,7,tallyctl,"
ctl export --json -o "$WORK/out.json"
check "export -o writes a JSON file" "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$WORK/out.json")" 5

ctl add 3 >/dev/null
stop_kiosk
check "kiosk exits 0 on SIGTERM" "$STOP_RC" 0
grep -q 'add: n=3 event="Café Lumière, Dec 10" source=tallyctl total=3' "$WORK/kiosk.log" &&
	pass "each committed count is logged with total=" || fail "log line: $(tail -3 "$WORK/kiosk.log")"
check "the socket is removed on exit" "$([ -e "$DB.sock" ] && echo yes || echo no)" no
check "offline tallyctl reads the database" "$(total)" 3
out=$(ctl status)
check_contains "offline status says no kiosk" "$out" "Kiosk:  not running"
ctl add 2 >/dev/null
start_kiosk || fail "kiosk restarts"
check "restart shows offline changes" "$(total)" 5

# A press or an add for a case of the cases file (the bundled one here).
out=$(ctl press jani-silva)
check_contains "press CASE counts one letter" "$out" "Total: 6"
ctl add 4 grassy-narrows >/dev/null
check "add N CASE counts N" "$(total)" 10
csv=$(ctl export --csv | tr -d '\r')
check_contains "the press is stored with its case" "$csv" ",press,1,6,tallyctl,"
check "one press row for jani-silva" "$(echo "$csv" | grep -c ',press,1,6,tallyctl,.*,jani-silva,1$')" 1
check "one add row of 4 for grassy-narrows" "$(echo "$csv" | grep -c ',add,4,10,tallyctl,.*,grassy-narrows,1$')" 1
out=$(ctl press no-such-case 2>&1)
check "a case not in the cases file exits 2" "$?" 2
check_contains "and names the case and the known ones" "$out" 'no case "no-such-case" in the cases file (cases: '
check_contains "listing them" "$out" "jani-silva"
out=$(ctl add 3 "bad case" 2>&1)
check "a malformed case exits 2 before reaching the kiosk" "$?" 2
check "neither was counted" "$(total)" 10
ctl undo >/dev/null
check "undo takes back the add for the case" "$(total)" 6
check "the undo row keeps the case" "$(ctl export --csv | tr -d '\r' | grep -c ',undo,-4,6,tallyctl,.*,grassy-narrows,1$')" 1
stop_kiosk
finish
