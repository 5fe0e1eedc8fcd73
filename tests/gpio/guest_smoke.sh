#!/bin/sh
# guest_smoke.sh - runs INSIDE the VM (see test_smoke.sh): the harness
# self-test. Creates a labelled gpio-sim chip with named lines, runs the
# libgpiod v1 program smoke (smoke.c) on it by label and line name, drives
# the line with every helper (press, hold, sim_set, bounce) and checks the
# count. TK_GPIO_EXPECT_WRONG=1 makes it expect one press more than it makes
# (the run must then FAIL).
# shellcheck source=guest/gpiosim.sh
. /test/lib/gpiosim.sh
W=${TK_GPIO_EXPECT_WRONG:-0}

sim_chip smoke 8 label=tk-smoke 3=BUTTON 5=STAFF
gt_check "chip label" "$SIM_LABEL" tk-smoke
gt_check "idle value before any request (gpio-sim default pull-down)" "$(sim_get BUTTON)" 0

PRESSES=6
EXPECT=$((PRESSES + 2 + W)) # + one hold + one sim_set press
smoke tk-smoke BUTTON "$EXPECT" /tmp/ready 5 &
PID=$!
i=0
while [ ! -f /tmp/ready ]; do
	kill -0 $PID 2>/dev/null || gt_abort "smoke exited before it was ready"
	i=$((i + 1))
	[ $i -gt 500 ] && gt_abort "smoke never became ready"
	usleep 10000
done
gt_check "pull-up bias applied by the request" "$(sim_get BUTTON)" 1
if sim_requested BUTTON; then gt_ok "BUTTON shows as requested in debugfs"; else gt_fail "BUTTON not requested in debugfs"; fi
if sim_requested STAFF; then gt_fail "STAFF shows as requested"; else gt_ok "STAFF is not requested"; fi

T0=$(cut -d' ' -f1 /proc/uptime)
n=0
while [ $n -lt $PRESSES ]; do press BUTTON 20 20; n=$((n + 1)); done
hold BUTTON 200
msleep 20
sim_set BUTTON pull-down
msleep 20
sim_set BUTTON pull-up
T1=$(cut -d' ' -f1 /proc/uptime)
gt_note "made $((PRESSES + 2)) presses in $(awk -v a="$T1" -v b="$T0" 'BEGIN { printf "%.2f", a - b }')s; smoke expects $EXPECT"
rc=0
wait $PID || rc=$?
gt_check "smoke counted exactly $EXPECT falling edges (exit status)" "$rc" 0

# bounce: 9 toggles from the default pull-down end at pull-up (STAFF is unrequested,
# so its value simply follows the pull)
bounce STAFF 9 500
gt_check "bounce 9 toggles leaves STAFF pulled up" "$(sim_get STAFF)" 1
bounce STAFF 1
gt_check "one more toggle pulls it down" "$(sim_get STAFF)" 0

gt_finish
