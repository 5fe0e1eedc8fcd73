#!/usr/bin/env bash
# tallyctl's command line as staff type it: exact option errors, extra arguments refused
# (add takes N and an optional case, so a third word is one too many),
# counts as tallyctl prints them (1,000), confirmations that name what changed, per-command
# help, and taking back a mistaken new event with reopen (logged by the kiosk).
. "$(dirname "$0")/lib.sh"

start_kiosk || { fail "kiosk starts"; finish; exit 1; }
err=$(ctl status --jsn 2>&1); rc=$?
check "an unknown option exits 2" "$rc" 2
check_contains "and names it" "$err" "status: unknown option --jsn"
err=$(ctl add 10 20 30 2>&1); rc=$?
check "add with three words exits 2" "$rc" 2
check_contains "and says why" "$err" 'unexpected argument "30"'
check "nothing was added" "$(total)" 0
out=$(ctl add 1,000)
check_contains "add takes 1,000 as printed" "$out" "Added 1,000. Total: 1,000"
err=$(ctl add 1,00 2>&1); rc=$?
check "a badly grouped number is refused" "$rc" 2
ctl goal 500 >/dev/null
out=$(ctl goal)
check_contains "goal alone shows the goal" "$out" "Goal:   500 (200%: reached)"
ctl add 123456 >/dev/null
check_contains "status prints the percentage with separators" "$(ctl status)" "(24,891%: reached)"
check_contains "--version" "$(ctl --version)" "tallyctl "
out=$(ctl add --help); rc=$?
check "add --help exits 0" "$rc" 0
check_contains "add --help is about add" "$out" "Usage: tallyctl [OPTION]... add N"
check_contains "press is in the command list" "$(ctl --help)" "press"
long=$(ctl --help | sed -n '/^Commands/,/^$/p' | awk 'length($0) > 79' | head -1)
check "the command list fits 80 columns" "${long:-none}" none
out=$(ctl set-time --help); rc=$?
check "set-time --help exits 0" "$rc" 0
check_contains "and explains it" "$out" 'set-time "YYYY-MM-DD HH:MM"'

out=$(ctl new-event 为权利写信 2026 東京)
check_contains "new-event confirms the name (words joined)" "$out" 'Started "为权利写信 2026 東京" at 0'
out=$(ctl reopen)
check_contains "reopen says where it went back to" "$out" 'Back to "Write for Rights 2026"'
check "the previous total is current again" "$(total)" 124456
grep -q 'reopen: event="Write for Rights 2026" source=tallyctl total=124456' "$WORK/kiosk.log" &&
	pass "the kiosk logs the reopen" || fail "reopen log line: $(tail -3 "$WORK/kiosk.log")"
table=$(ctl events)
check_contains "the mistaken event is kept" "$table" "为权利写信 2026 東京"
# Display width: the CJK name takes two columns a character, so TOTAL still lines up.
cols=$(echo "$table" | python3 -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(sorted({w(l[:l.rindex(" 500 ")]) for l in sys.stdin.read().splitlines()[1:]}))')
check "events columns line up by display width" "$cols" "[58]"
ctl new-event Busy >/dev/null; ctl press >/dev/null
err=$(ctl reopen 2>&1); rc=$?
check "reopen after a count is refused (exit 1)" "$rc" 1
check_contains "and says why" "$err" "has already counted"
out=$(ctl export --csv -o "$WORK/t.csv")
check_contains "export -o names the file it wrote" "$out" "to $WORK/t.csv"
stop_kiosk
finish
