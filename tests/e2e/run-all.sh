#!/usr/bin/env bash
# Runs every end-to-end test against the binaries in the build folder given as $1.
set -u
BUILD=${1:-build}
export BUILD
dir=$(dirname "$0")
passed=0 failed=0
for t in "$dir"/test_*.sh; do
	echo "== $(basename "$t")"
	out=$(bash "$t" 2>&1)
	rc=$?
	echo "$out"
	p=$(echo "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); echo "  FAIL $(basename "$t") exited $rc"; fi
done
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
