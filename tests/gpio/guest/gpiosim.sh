# shellcheck shell=sh
# gpiosim.sh - guest-side shell library of the gpio-sim VM harness (busybox
# ash). vm.sh puts it in the initramfs as /test/lib/gpiosim.sh; a guest test
# script sources it:  . /test/lib/gpiosim.sh
#
# Simulated chips (gpio-sim through configfs, set up by /init already):
#   sim_chip NAME NUM_LINES [label=LABEL] [OFFSET=LINE_NAME]...
#       creates chip NAME with one bank of NUM_LINES lines, optional bank label
#       (gpio-sim's bank0/label; skipped with a note if unsupported) and line
#       names (lineX/name), makes it live and becomes the default chip.
#       Sets SIM_GPIOCHIP (/dev/gpiochipN), SIM_CHIPNAME (gpiochipN),
#       SIM_DEVNAME (gpio-sim.N), SIM_LABEL (what the chip reports as label).
#   sim_sysfs LINE         the line's sysfs dir (.../sim_gpioX, has pull, value)
#   sim_pullfile LINE      the line's .../sim_gpioX/pull file
# LINE is [CHIP:]OFFSET or [CHIP:]LINE_NAME (CHIP defaults to the last sim_chip).
# Driving lines (active-low button: released = pull-up, pressed = pull-down):
#   sim_set LINE pull-up|pull-down
#   sim_get LINE           prints the line's value (0/1) as the kernel sees it
#   press LINE [DOWN_MS=50] [AFTER_MS=0]   pull-down, DOWN_MS, pull-up, AFTER_MS
#   bounce LINE N [GAP_US=500]             N toggles of the pull, GAP_US apart
#                          (by /test/bin/simpulse, precise; a shell loop if absent)
#   press_train LINE N [DOWN_MS=80] [PERIOD_MS=250]   N presses at an exact rate
#   hold LINE MS                           pull-down for MS, then pull-up
#   msleep MS
#   bounce and press_train raise SIM_GAP_US to the longest time the line stayed
#   pulled up (an active-low button released) between two of the edges they made,
#   in guest CLOCK_MONOTONIC (simpulse's SIMPULSE_REPORT); empty it before a
#   sequence. It stays empty when simpulse is absent (nothing measured).
# Counting checks that survive a loaded host (see tests/gpio/README.md):
#   sim_counts_once WINDOW_MS TOTAL_CMD ACTION [ARGS...]   runs ACTION (timed edges
#                          that must make one press), waits for the committed
#                          total (TOTAL_CMD prints it), and retries while a miscount
#                          comes with a released gap over WINDOW_MS/2 (the host
#                          stopped the VM mid-sequence). 0 once, 1 real miscount, 2 every try
#                          stretched; SIM_COUNT_MSG says what, SIM_COUNT_TOTAL the total.
#   gt_counts_once WHAT WINDOW_MS TOTAL_CMD ACTION [ARGS...]   the same as a check
#   sim_requested LINE     true if a consumer has requested the line (debugfs)
#   sim_wait_requested LINE [TIMEOUT_MS=10000]
# Test reporting (the host greps the final marker):
#   gt_ok WHAT | gt_fail WHAT | gt_check WHAT GOT EXPECTED | gt_note TEXT
#   gt_finish              prints "GPIO_TEST: PASS (n checks)" or
#                          "GPIO_TEST: FAIL (k of n checks failed)"; returns 0/1
# Keep the v1 event kfifo (16 events per line) in mind: leave the reader a
# moment between bursts of toggles.

GPIOSIM_CFS=${GPIOSIM_CFS:-/sys/kernel/config/gpio-sim}
GPIOSIM_STATE=${GPIOSIM_STATE:-/tmp/gpiosim}
GPIOSIM_DEFAULT=${GPIOSIM_DEFAULT:-}
SIMPULSE_REPORT=${SIMPULSE_REPORT:-/tmp/simpulse.report}
export SIMPULSE_REPORT
SIM_GAP_US=${SIM_GAP_US:-}
GT_N=${GT_N:-0}
GT_FAILS=${GT_FAILS:-0}

gt_note() { echo "  ..   $*"; }
gt_ok() { GT_N=$((GT_N + 1)); echo "  ok   $*"; }
gt_fail() { GT_N=$((GT_N + 1)); GT_FAILS=$((GT_FAILS + 1)); echo "  FAIL $*"; }
gt_check() {
	if [ "$2" = "$3" ]; then gt_ok "$1 ($2)"; else gt_fail "$1: got '$2', expected '$3'"; fi
}
gt_finish() {
	up=$(cut -d' ' -f1 /proc/uptime)
	if [ "$GT_FAILS" -eq 0 ] && [ "$GT_N" -gt 0 ]; then
		echo "GPIO_TEST: PASS ($GT_N checks, guest uptime ${up}s)"
		return 0
	fi
	echo "GPIO_TEST: FAIL ($GT_FAILS of $GT_N checks failed, guest uptime ${up}s)"
	return 1
}
# gt_abort TEXT: a setup step failed; report and stop the script.
gt_abort() {
	echo "GPIO_TEST: FAIL: $*"
	exit 1
}

msleep() { usleep $(($1 * 1000)); }

sim_chip() {
	_name=$1 _n=$2
	shift 2
	_d=$GPIOSIM_CFS/$_name
	[ -d "$GPIOSIM_CFS" ] || gt_abort "no $GPIOSIM_CFS (gpio-sim not loaded?)"
	mkdir "$_d" && mkdir "$_d/bank0" || gt_abort "sim_chip $_name: mkdir failed"
	echo "$_n" >"$_d/bank0/num_lines" || gt_abort "sim_chip $_name: num_lines"
	mkdir -p "$GPIOSIM_STATE/$_name"
	: >"$GPIOSIM_STATE/$_name/names"
	for _a in "$@"; do
		case $_a in
		label=*)
			if [ -e "$_d/bank0/label" ]; then
				echo "${_a#label=}" >"$_d/bank0/label" || gt_abort "sim_chip: label"
			else
				echo "gpiosim: this gpio-sim has no bank label; ignoring $_a"
			fi
			;;
		*=*)
			_off=${_a%%=*}
			mkdir "$_d/bank0/line$_off" || gt_abort "sim_chip: line$_off"
			echo "${_a#*=}" >"$_d/bank0/line$_off/name" || gt_abort "sim_chip: line$_off/name"
			echo "$_off ${_a#*=}" >>"$GPIOSIM_STATE/$_name/names"
			;;
		*) gt_abort "sim_chip: bad argument '$_a'" ;;
		esac
	done
	echo 1 >"$_d/live" || gt_abort "sim_chip $_name: live"
	SIM_DEVNAME=$(cat "$_d/dev_name")
	SIM_CHIPNAME=$(cat "$_d/bank0/chip_name")
	SIM_GPIOCHIP=/dev/$SIM_CHIPNAME
	_sys=/sys/devices/platform/$SIM_DEVNAME/$SIM_CHIPNAME
	# the label the chip reports (gpiochipN/label in the gpio bus sysfs)
	SIM_LABEL=$(sim_label "$SIM_CHIPNAME")
	i=0
	while [ ! -c "$SIM_GPIOCHIP" ] && [ $i -lt 100 ]; do usleep 10000; i=$((i + 1)); done
	[ -c "$SIM_GPIOCHIP" ] || gt_abort "sim_chip $_name: $SIM_GPIOCHIP did not appear"
	[ -d "$_sys/sim_gpio0" ] || gt_abort "sim_chip $_name: no $_sys/sim_gpio0"
	echo "$_sys" >"$GPIOSIM_STATE/$_name/sysfs"
	echo "$SIM_GPIOCHIP" >"$GPIOSIM_STATE/$_name/dev"
	GPIOSIM_DEFAULT=$_name
	echo "gpiosim: chip $_name = $SIM_GPIOCHIP ($SIM_DEVNAME, label '$SIM_LABEL', $_n lines)"
}

# sim_label gpiochipN: the chip's label, from the debugfs header line
# "gpiochipN: GPIOs A-B, parent: platform/gpio-sim.0, LABEL[, can sleep]:"
sim_label() {
	sed -n "s/^$1: GPIOs [0-9]*-[0-9]*, parent: [^,]*, \(.*\):\$/\1/p" \
		/sys/kernel/debug/gpio 2>/dev/null | sed 's/, can sleep$//'
}

# _sim_resolve LINE: sets _chip and _off
_sim_resolve() {
	case $1 in
	*:*) _chip=${1%%:*} _l=${1#*:} ;;
	*) _chip=$GPIOSIM_DEFAULT _l=$1 ;;
	esac
	[ -n "$_chip" ] && [ -d "$GPIOSIM_STATE/$_chip" ] || gt_abort "no sim chip for line '$1'"
	case $_l in
	'' | *[!0-9]*)
		_off=$(awk -v n="$_l" '$2 == n { print $1; exit }' "$GPIOSIM_STATE/$_chip/names")
		[ -n "$_off" ] || gt_abort "no line named '$_l' on sim chip $_chip"
		;;
	*) _off=$_l ;;
	esac
}

# _sim_path LINE: sets _sys to the line's sysfs dir (no subshell, so that
# gt_abort really stops the script)
_sim_path() {
	_sim_resolve "$1"
	_sys=$(cat "$GPIOSIM_STATE/$_chip/sysfs")/sim_gpio$_off
	[ -d "$_sys" ] || gt_abort "line '$1': no $_sys"
}
sim_sysfs() { _sim_path "$1" && echo "$_sys"; }
sim_pullfile() { _sim_path "$1" && echo "$_sys/pull"; }

sim_set() {
	case $2 in pull-up | pull-down) ;; *) gt_abort "sim_set: '$2' is not pull-up|pull-down" ;; esac
	_sim_path "$1"
	echo "$2" >"$_sys/pull"
}
sim_get() { _sim_path "$1" && cat "$_sys/value"; }

press() {
	_sim_path "$1"
	echo pull-down >"$_sys/pull"
	usleep $((${2:-50} * 1000))
	echo pull-up >"$_sys/pull"
	[ "${3:-0}" -gt 0 ] && usleep $((${3} * 1000))
	return 0
}

# press_train LINE N [DOWN_MS=80] [PERIOD_MS=250]: N presses, one every
# PERIOD_MS exactly (simpulse -p; a shell loop, slower, if it is absent)
press_train() {
	_sim_path "$1"
	_down=${3:-80} _per=${4:-250}
	if command -v simpulse >/dev/null 2>&1; then
		rm -f "$SIMPULSE_REPORT"
		simpulse -p "$_sys/pull" "$2" "$_down" "$_per" || gt_abort "simpulse -p failed"
		_sim_gap
		return 0
	fi
	i=0
	while [ $i -lt "$2" ]; do press "$1" "$_down" $((_per - _down)); i=$((i + 1)); done
}

hold() {
	_sim_path "$1"
	echo pull-down >"$_sys/pull"
	usleep $(($2 * 1000))
	echo pull-up >"$_sys/pull"
}

# _sim_gap: raises SIM_GAP_US to the longest pulled-up gap simpulse just reported
_sim_gap() {
	_g=$(sed -n 's/^max_up_gap_us \([0-9]*\) .*/\1/p' "$SIMPULSE_REPORT" 2>/dev/null)
	[ -n "$_g" ] || return 0
	[ -n "$SIM_GAP_US" ] && [ "$SIM_GAP_US" -ge "$_g" ] || SIM_GAP_US=$_g
}

bounce() {
	_sim_path "$1"
	_gap=${3:-500}
	if command -v simpulse >/dev/null 2>&1; then
		rm -f "$SIMPULSE_REPORT"
		simpulse "$_sys/pull" "$2" "$_gap" || gt_abort "simpulse failed"
		_sim_gap
		return 0
	fi
	# fallback: a shell loop (each usleep costs milliseconds under TCG)
	_cur=$(cat "$_sys/pull")
	i=0
	while [ $i -lt "$2" ]; do
		if [ "$_cur" = pull-up ]; then _cur=pull-down; else _cur=pull-up; fi
		echo "$_cur" >"$_sys/pull"
		i=$((i + 1))
		[ $i -lt "$2" ] && [ "$_gap" -gt 0 ] && usleep "$_gap"
	done
	return 0
}

# sim_requested LINE: the line is requested by some consumer. debugfs lists a
# requested line as " gpio-N (NAME|CONSUMER) in hi ..." under its chip.
sim_requested() {
	_sim_resolve "$1"
	_cn=$(basename "$(cat "$GPIOSIM_STATE/$_chip/dev")")
	[ -r /sys/kernel/debug/gpio ] || return 1
	awk -v chip="$_cn" -v off="$_off" '
		/^gpiochip[0-9]+:/ { inchip = ($1 == chip ":"); base = -1
			if (inchip && match($0, /GPIOs [0-9]+-/)) base = substr($0, RSTART + 6, RLENGTH - 7) + 0
			next }
		inchip && base >= 0 && /\|/ && match($0, /gpio-[0-9]+/) {
			if (substr($0, RSTART + 5, RLENGTH - 5) + 0 == base + off) found = 1 }
		END { exit !found }' /sys/kernel/debug/gpio
}

sim_wait_requested() {
	_t=${2:-10000}
	_w=0
	while ! sim_requested "$1"; do
		[ "$_w" -ge "$_t" ] && return 1
		usleep 20000
		_w=$((_w + 20))
	done
	return 0
}

# sim_counts_once WINDOW_MS TOTAL_CMD ACTION [ARGS...]: one press made of edges a few ms apart
# (a bounce, a chatter) must count exactly once. The premise is that the line (an active-low
# button) was never released for a whole release window (release_ms, WINDOW_MS) between its
# edges, in the guest's time. Under TCG the guest's clock is the host's, so a host that stops
# the VM for longer than that in the middle of the sequence really makes a release and a new
# press, and the kiosk is right to count two. So: a miscount whose longest released gap
# (SIM_GAP_US, an upper bound of the gaps between the kernel's edge timestamps) stayed under
# WINDOW_MS/2 is a real miscount: returns 1 at once. One over it is
# said, the total re-read as the new baseline, and the press made again, up to SIM_COUNT_TRIES
# (6) times; returns 2 if every try was stretched. Half the window is the margin for an edge
# interrupt run late (at worst a scheduler tick after the write). Waits up to SIM_COUNT_WAIT_MS
# (3000) for the total to move, then SIM_COUNT_SETTLE_MS (400) for a late second count.
sim_counts_once() {
	_win=$1 _tot=$2
	shift 2
	_try=1 _tries=${SIM_COUNT_TRIES:-6}
	SIM_COUNT_TOTAL=$($_tot)
	while :; do
		_base=$SIM_COUNT_TOTAL
		SIM_GAP_US=
		"$@"
		_w=0
		while [ "$($_tot)" = "$_base" ] || [ -z "$($_tot)" ]; do
			[ $_w -lt "${SIM_COUNT_WAIT_MS:-3000}" ] || break
			usleep 100000
			_w=$((_w + 100))
		done
		usleep $((${SIM_COUNT_SETTLE_MS:-400} * 1000))
		SIM_COUNT_TOTAL=$($_tot)
		_gap=$(awk -v g="$SIM_GAP_US" 'BEGIN { if (g == "") print "unmeasured"; else printf "%.1f ms", g / 1000 }')
		_says="total $_base -> $SIM_COUNT_TOTAL, longest released gap between edges $_gap (window $_win ms)"
		if [ "$SIM_COUNT_TOTAL" = $((_base + 1)) ]; then
			SIM_COUNT_MSG="counted once: $_says, try $_try"
			return 0
		fi
		if [ -z "$SIM_GAP_US" ] || [ "$SIM_GAP_US" -lt $((_win * 500)) ]; then
			SIM_COUNT_MSG="$_says: the edges were within half the window in the guest's time, so this is a real miscount (try $_try)"
			return 1
		fi
		echo "  ..   try $_try of $_tries: $_says: the host stopped the VM mid-sequence, so in the guest's time this was not one press; trying again from total $SIM_COUNT_TOTAL"
		if [ $_try -ge "$_tries" ]; then
			SIM_COUNT_MSG="$_says: all $_tries tries were stretched by the host over half the window; the machine is too loaded to make one press"
			return 2
		fi
		_try=$((_try + 1))
		usleep 300000 # past the lockout and the release, so the next try starts armed
	done
}

# gt_counts_once WHAT WINDOW_MS TOTAL_CMD ACTION [ARGS...]: sim_counts_once as a check
gt_counts_once() {
	_what=$1
	shift
	if sim_counts_once "$@"; then gt_ok "$_what ($SIM_COUNT_MSG)"; else gt_fail "$_what: $SIM_COUNT_MSG"; fi
}
