#!/usr/bin/env bash
# A failure while the kiosk runs (its poll() fails) stops it with exit status 1, as the
# README promises, after saving every press it had received.
. "$(dirname "$0")/lib.sh"

cc -shared -fPIC -O2 -o "$WORK/failpoll.so" "$(dirname "$0")/failpoll.c" -ldl ||
	{ fail "build the poll failure shim"; finish; exit 1; }
export FAIL_POLL_FILE=$WORK/fail-poll
export ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0
LD_PRELOAD=$WORK/failpoll.so start_kiosk || { fail "kiosk starts"; finish; exit 1; }
ctl add 7 >/dev/null
touch "$FAIL_POLL_FILE"
wait "$KIOSK_PID"
rc=$?
KIOSK_PID=
check "a failing poll() stops the kiosk with exit status 1" "$rc" 1
check_contains "the log names the failure" "$(cat "$WORK/kiosk.log")" "poll: Cannot allocate memory"
rm -f "$FAIL_POLL_FILE"
check "what was counted is saved" "$(total)" 7
finish
