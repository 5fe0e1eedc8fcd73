#!/bin/sh
# guest_kiosk.sh - runs INSIDE the VM (started by test_kiosk.sh): the
# end-to-end GPIO test of the real tallykiosk and tallyctl. It creates a
# gpio-sim chip shaped like a Pi's (label tk-sim, lines GPIO17 = count
# button, GPIO22 = staff-reset), starts the kiosk headless on a config with
# two [gpio.NAME] sections, drives the lines and checks the totals with
# tallyctl --json:
#   clean presses count once each; a press with a bounce train (10 toggles
#   in ~5 ms, on press and on release) counts once; a 2 s hold counts once;
#   presses at 4/s all count; a staff-reset hold released early changes
#   nothing; a full hold starts a new event (new event_id, total 0, the old
#   event keeps its total); the button counts in the new event; then, as a
#   negative control, a kiosk with its debounce off must fail the bounce check.
# Env: TK_GPIO_EXPECT_WRONG=1 expects one press more than made (must FAIL);
#      TK_GPIO_HOLD_MS (1500) the staff hold time;
#      TK_GPIO_BUTTON_CHIP (tk-sim) how the button's chip is named in the
#      config (label; or /dev/gpiochip0, gpiochip0, or empty = search).
# shellcheck source=guest/gpiosim.sh
. /test/lib/gpiosim.sh

W=${TK_GPIO_EXPECT_WRONG:-0}
HOLD_MS=${TK_GPIO_HOLD_MS:-1500}
BUTTON_CHIP=${TK_GPIO_BUTTON_CHIP-tk-sim}
# the button's debounce window: the bounce checks take it as their premise
RELEASE_MS=40
DB=/tmp/t.db
CONF=/test/kiosk.conf
KLOG=/tmp/kiosk.log
export SDL_VIDEODRIVER=dummy SDL_RENDER_DRIVER=software SDL_AUDIODRIVER=dummy
export XDG_STATE_HOME=/tmp/state XDG_RUNTIME_DIR=/tmp/run XDG_CACHE_HOME=/tmp/cache
mkdir -p /tmp/state /tmp/run /tmp/cache
chmod 700 /tmp/run

up() { cut -d' ' -f1 /proc/uptime; }
ctl() { tallyctl --db "$DB" "$@"; }
json_num() { sed -n "s/.*\"$1\":\\([0-9-]*\\).*/\\1/p"; }
status() { ctl status --json 2>/dev/null; }
total() { status | json_num total; }
event_id() { status | json_num event_id; }
# the total of event ID, from tallyctl events --json (one object per line)
event_total() { ctl events --json 2>/dev/null | grep "\"id\":$1," | json_num total; }
kiosk_log() { echo "---- kiosk log (last 30 lines)"; tail -n 30 "$KLOG"; echo "----"; }

# wait_total WHAT EXPECTED [TIMEOUT_MS=3000]: polls until the total is
# EXPECTED, then waits 400 ms more to catch extra counts, and checks.
wait_total() {
	_w=0
	_got=$(total)
	while [ "$_got" != "$2" ] && [ "${_got:-0}" -lt "$2" ] && [ $_w -lt "${3:-3000}" ]; do
		usleep 100000
		_w=$((_w + 100))
		_got=$(total)
	done
	[ "$_got" = "$2" ] && { usleep 400000; _got=$(total); }
	gt_check "$1: total" "$_got" "$2"
}

sim_chip kiosk 28 label=tk-sim 17=GPIO17 22=GPIO22

# write_conf FILE MIN_ACTIVE_MS RELEASE_MS LOCKOUT_MS: the kiosk's config, with the
# button's debounce as given
write_conf() {
	cat >"$1" <<EOF
[event]
name = GPIO test
goal = 100
[display]
fullscreen = false
width = 320
height = 240
[input]
keyboard = false
[gpio.button]
chip = $BUTTON_CHIP
line = GPIO17
active_low = true
bias = pull-up
kind = button
role = count
min_active_ms = $2
release_ms = $3
lockout_ms = $4
[gpio.staff]
chip =
line = GPIO22
active_low = true
bias = pull-up
role = staff-reset
hold_ms = $HOLD_MS
EOF
}

# start_kiosk CONF: the kiosk in the background (KPID), up and holding both lines
start_kiosk() {
	tallykiosk -c "$1" --db "$DB" --windowed >"$KLOG" 2>&1 &
	KPID=$!
	i=0
	while ! ctl status 2>/dev/null | grep -q 'Kiosk:  running'; do
		if ! kill -0 $KPID 2>/dev/null; then kiosk_log; gt_abort "the kiosk exited at start"; fi
		i=$((i + 1))
		[ $i -gt 300 ] && { kiosk_log; gt_abort "the kiosk did not answer within 30 s"; }
		usleep 100000
	done
	sim_wait_requested GPIO17 10000 || { kiosk_log; gt_abort "the kiosk did not request GPIO17"; }
	sim_wait_requested GPIO22 10000 || { kiosk_log; gt_abort "the kiosk did not request GPIO22"; }
}

write_conf "$CONF" 5 $RELEASE_MS 150
T0=$(up)
start_kiosk "$CONF"
gt_ok "kiosk up and both lines requested in $(awk -v a="$(up)" -v b="$T0" 'BEGIN { printf "%.1f", a - b }')s"
gt_check "button idles high (the kiosk's pull-up reached gpio-sim)" "$(sim_get GPIO17)" 1
gt_check "staff line idles high" "$(sim_get GPIO22)" 1
E0=$(event_id)
gt_check "starts at total 0" "$(total)" 0
gt_note "event_id $E0"

# 1. clean presses
for _ in 1 2 3; do press GPIO17 60 200; done
wait_total "3 clean presses count once each" $((3 + W))

# 2. one press with contact bounce on press and on release (9 toggles in
# ~5 ms each way: ends pressed, then ends released). The bounce is a bounce
# only while no gap between its edges lasts release_ms in the guest's time:
# gt_counts_once measures that and retries a miscount the host caused by
# stopping the VM mid-bounce (tests/gpio/README.md)
bounced_press() {
	SIMPULSE_VERBOSE=1 bounce GPIO17 9 300
	msleep 100
	SIMPULSE_VERBOSE=1 bounce GPIO17 9 300
}
gt_counts_once "a bouncing press counts once" $RELEASE_MS total bounced_press
gt_check "line released after the bounce trains" "$(sim_get GPIO17)" 1
T=$((SIM_COUNT_TOTAL + W))
wait_total "the total after the bouncing press" $T

# 2b. a worn contact that chatters with pulses longer than the glitch filter (8 ms down,
# 4 ms up, three times): only the release time and the lockout keep this to one count
chattering_press() {
	SIMPULSE_VERBOSE=1 press_train GPIO17 3 8 12
	msleep 100
}
gt_counts_once "a chattering press counts once" $RELEASE_MS total chattering_press
T=$((SIM_COUNT_TOTAL + W))
wait_total "the total after the chattering press" $T

# 2c. the retry itself: the first try of this bounce is stretched on purpose
# (released 60 ms between edges, as a host stall would make it), so the kiosk
# rightly counts more than one; the check must say so, re-baseline and pass on
# the next, real bounce
STRETCHED=0
stretched_once() {
	STRETCHED=$((STRETCHED + 1))
	if [ $STRETCHED = 1 ]; then
		bounce GPIO17 9 60000
		msleep 100
		bounce GPIO17 9 300
	else
		bounced_press
	fi
}
gt_counts_once "a bounce stretched over the window is retried, then counts once" $RELEASE_MS total stretched_once
gt_check "the stretched bounce was tried twice" "$STRETCHED" 2
gt_check "line released after the retried bounce" "$(sim_get GPIO17)" 1
T=$((SIM_COUNT_TOTAL + W))
wait_total "the total after the retried bounce" $T

# 3. held for 2 s
hold GPIO17 2000
msleep 100
T=$((T + 1))
wait_total "a press held 2 s counts once" $T

# 4. eight presses at 4 per second (80 ms down, one every 250 ms exactly)
SIMPULSE_VERBOSE=1 press_train GPIO17 8 80 250
T=$((T + 8))
wait_total "8 presses at 4/s all count" $T

# 5. staff-reset released early: nothing changes. The premise is that the
# hold lasted less than hold_ms in the guest's time. A host that stops the VM
# for 500 ms during the hold stretches it past hold_ms, and the kiosk is right
# to start a new event: that is said, the new event becomes the baseline and
# the hold is made again (up to 6 tries). A new event after a hold that was
# measured shorter than hold_ms is a real failure.
EVENTS=2
try=1
while :; do
	t_hold=$(up)
	hold GPIO22 $((HOLD_MS - 500))
	held_ms=$(awk -v a="$(up)" -v b="$t_hold" 'BEGIN { printf "%d", (a - b) * 1000 + 10 }')
	msleep 500
	E=$(event_id)
	[ "$E" != "$E0" ] && [ "$held_ms" -ge "$HOLD_MS" ] && [ $try -lt 6 ] || break
	gt_note "try $try: the early staff hold lasted up to $held_ms ms in the guest's time, over hold_ms $HOLD_MS (the host stopped the VM), so the new event $E was right; trying again from it"
	E0=$E T=0 EVENTS=$((EVENTS + 1)) try=$((try + 1))
done
gt_note "the early staff hold lasted at most $held_ms ms in the guest's time"
gt_check "staff hold released early ($((HOLD_MS - 500)) ms): same event" "$(event_id)" "$E0"
gt_check "staff hold released early: total kept" "$(total)" $T

# 6. staff-reset held the full time: a new event
hold GPIO22 $((HOLD_MS + 500))
i=0
while [ "$(event_id)" = "$E0" ] && [ $i -lt 30 ]; do usleep 100000; i=$((i + 1)); done
E1=$(event_id)
if [ -n "$E1" ] && [ "$E1" -gt "$E0" ]; then
	gt_ok "staff hold of $((HOLD_MS + 500)) ms started a new event ($E0 -> $E1)"
else
	gt_fail "staff hold of $((HOLD_MS + 500)) ms: event_id '$E1', expected > $E0"
fi
gt_check "the new event starts at 0" "$(total)" 0
gt_check "the old event keeps its total (events --json)" "$(event_total "$E0")" $T
gt_check "events --json lists $EVENTS events" "$(ctl events --json | grep -c '"id":')" $EVENTS

# 7. the button counts in the new event
press GPIO17 60 200
wait_total "a press after the reset counts in the new event" $((1 + W))
gt_check "the old event is unchanged" "$(event_total "$E0")" $T

# 8. a clean stop
kill -TERM $KPID
rc=0
wait $KPID || rc=$?
gt_check "kiosk stops cleanly on SIGTERM (exit status)" "$rc" 0

# 9. the negative control of the bounce check: a kiosk whose debounce is off
# (min_active, release and lockout 0) counts the bounce's edges, and the check,
# keeping the 40 ms window, must call that a real miscount, not retry it away
if [ "$W" = 0 ]; then
	write_conf /tmp/nodebounce.conf 0 0 0
	DB=/tmp/nodebounce.db
	start_kiosk /tmp/nodebounce.conf
	sim_counts_once $RELEASE_MS total bounced_press
	case $? in
	1) gt_ok "control: with the debounce off the bounce check fails ($SIM_COUNT_MSG)" ;;
	0) gt_fail "control: with the debounce off the bounce check passed ($SIM_COUNT_MSG)" ;;
	*) gt_fail "control: with the debounce off every try was stretched, nothing proven ($SIM_COUNT_MSG)" ;;
	esac
	kill -TERM $KPID
	wait $KPID
fi

[ "$GT_FAILS" -eq 0 ] || kiosk_log
gt_note "scenario took $(awk -v a="$(up)" -v b="$T0" 'BEGIN { printf "%.1f", a - b }')s"
gt_finish
