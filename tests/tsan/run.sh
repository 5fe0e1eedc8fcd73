#!/usr/bin/env bash
# make check-tsan: the share card thread beside the screen (card_race, built with
# -fsanitize=thread) must run clean with the font lock, and ThreadSanitizer must report the
# race on SDL_ttf's FreeType library without it (the negative control: if TSan no longer saw
# it, the clean run would prove nothing).
#   run.sh BUILD/tests/card_race
set -euo pipefail
bin=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# No suppressions: Debian's SDL, SDL_ttf, FreeType and fontconfig are not instrumented, so TSan
# sees only the kiosk's code, the pthread and libc calls, and ttf_contract.c's stand-in.
export TSAN_OPTIONS="halt_on_error=0 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"

echo "== with the font lock: no data race, every card drawn"
if ! "$bin" --rounds 6 >"$out/locked.out" 2>"$out/locked.err" || grep -q ThreadSanitizer "$out/locked.err"; then
	cat "$out/locked.err" "$out/locked.out"
	echo "FAIL: the card thread and the screen race (or a card failed)"
	exit 1
fi
cat "$out/locked.out"

echo "== without it (as before the lock): TSan must report the race on the font library"
rc=0
"$bin" --rounds 3 --unlocked >"$out/unlocked.out" 2>"$out/unlocked.err" || rc=$?
if [ "$rc" -ne 66 ] || ! grep -q "WARNING: ThreadSanitizer: data race" "$out/unlocked.err" ||
	! grep -q "library_state" "$out/unlocked.err"; then
	cat "$out/unlocked.err" "$out/unlocked.out"
	echo "FAIL: no race reported without the lock (exit $rc): the check cannot see it"
	exit 1
fi
grep -m1 "SUMMARY: ThreadSanitizer" "$out/unlocked.err"
echo "PASS: check-tsan"
