#!/usr/bin/env bash
# kill -9 the kiosk while staff and presses keep arriving: after a restart every count that
# was acknowledged is there (at most the one in flight more), and the file checks clean.
. "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-6}

acked=0
start_kiosk || { fail "kiosk starts"; finish; exit 1; }
for round in $(seq 1 "$ROUNDS"); do
	: >"$WORK/acks"
	rm -f "$WORK/stop"
	( while [ ! -e "$WORK/stop" ]; do
		"$CTL" --db "$DB" press >/dev/null 2>&1 && echo >>"$WORK/acks"
	done ) &
	loop=$!
	sleep "0.$((RANDOM % 8 + 2))"
	kill9_kiosk
	# Let the press in flight finish (it may fall back to the file) so every ack is counted.
	touch "$WORK/stop"
	wait "$loop" 2>/dev/null
	acked=$((acked + $(wc -l <"$WORK/acks")))
	start_kiosk || { fail "round $round: kiosk restarts"; break; }
	t=$(total)
	if [ "$t" -ge "$acked" ] && [ "$t" -le $((acked + 1)) ]; then
		pass "round $round: total $t holds all $acked acknowledged presses"
	else
		fail "round $round: total $t but $acked presses were acknowledged"
	fi
	acked=$t # an unacknowledged press that did commit is part of the total from now on
done
stop_kiosk
check "quick_check after $ROUNDS kills" "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA quick_check").fetchone()[0])' "$DB")" ok
finish
