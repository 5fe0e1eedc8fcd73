# shellcheck shell=sh
# kmsscreen.sh - guest-side shell library of the KMSDRM VM test (busybox ash), beside
# tests/gpio/guest/gpiosim.sh (source that first: the gt_* helpers come from it). vm.sh puts it
# in the initramfs as /test/lib/kmsscreen.sh.
#
# The host (tests/kms/screen.py) answers on $TK_KMS_PORT (/dev/ttyS1), one request at a time:
#   host_req OP ARGS...        sends "REQ N OP ARGS", sets HOST_OK (0/1) and HOST_DETAIL
#   screen_shows WHAT DEVICE TIMEOUT_S TEXT[|TEXT]   a check: the host's dump of DEVICE's
#                              screen reads every TEXT within TIMEOUT_S
#   screen_lacks WHAT DEVICE TIMEOUT_S TEXT[|TEXT]   a check: it reads none of them
#   screen_control WHAT DEVICE TIMEOUT_S TEXT KIND   a negative control: the same check as
#                              screen_shows must FAIL, and the dump must be KIND (black|any)
#   host_unplug ID / host_plug ID DRIVER [PROPS]     QMP device_del / device_add
# DRM cards and the kiosk on KMSDRM:
#   drm_card DRIVER            prints N of the /dev/dri/cardN whose device is bound to DRIVER
#                              (virtio-pci for virtio-gpu, bochs-drm), or nothing
#   drm_wait_card DRIVER [TIMEOUT_S=30]   waits for it; prints N
#   kiosk_start CARD [ENV=VALUE]...   starts tallykiosk full-screen on KMSDRM on cardCARD (empty:
#                              SDL's choice, the first card with a connected output) with
#                              $KIOSK_CONF and $KIOSK_DB, logging to $KIOSK_LOG, --trace to
#                              $KIOSK_TRACE; sets KPID
#   kiosk_wait_frame [TIMEOUT_S=120]  waits for its first presented frame (the trace's
#                              first-frame line); 1 if it exited or timed out
#   kiosk_stop                 SIGTERM, waits; sets KIOSK_RC
#   kiosk_log [N=30]           prints the last N lines of its log

KIOSK_LOG=${KIOSK_LOG:-/tmp/kiosk.log}
KIOSK_TRACE=${KIOSK_TRACE:-/tmp/kiosk.trace}
HOST_N=0

# The host's port: the second serial port (x86-64), or a virtio serial port named by qemu
# (TK_KMS_PORT=virtio:NAME; arm64 -M virt has one UART), which appears once virtio_console has
# probed it as /dev/vportNpM and is no tty.
kms_port_path() {
	case $1 in
	virtio:*)
		for _n in /sys/class/virtio-ports/*/name; do
			[ "$(cat "$_n" 2>/dev/null)" = "${1#virtio:}" ] || continue
			_n=${_n%/name}
			echo "/dev/${_n##*/}"
			return 0
		done
		echo "$1" ;;
	*) echo "$1" ;;
	esac
}
kms_port_open() {
	_w=0
	while _port=$(kms_port_path "${TK_KMS_PORT:-/dev/ttyS1}") && [ ! -e "$_port" ] && [ $_w -lt 100 ]; do
		usleep 100000
		_w=$((_w + 1))
	done
	[ -e "$_port" ] || gt_abort "no $_port (the host's port)"
	case $_port in
	/dev/tty*) stty -F "$_port" raw -echo -icrnl -onlcr 2>/dev/null || gt_abort "$_port: stty failed" ;;
	esac
	exec 3<>"$_port"
}

host_req() {
	HOST_N=$((HOST_N + 1))
	echo "REQ $HOST_N $*" >&3
	HOST_OK=0 HOST_DETAIL="no answer from the host"
	while IFS= read -r _line <&3; do
		_line=$(printf '%s' "$_line" | tr -d '\r')
		case $_line in
		"REP $HOST_N OK "*) HOST_OK=1 HOST_DETAIL=${_line#"REP $HOST_N OK "}; return 0 ;;
		"REP $HOST_N FAIL "*) HOST_DETAIL=${_line#"REP $HOST_N FAIL "}; return 1 ;;
		esac
	done
	return 1
}

screen_shows() {
	if host_req shows "$2" "$3" "$4"; then gt_ok "$1: the screen shows '$4' ($HOST_DETAIL)"
	else gt_fail "$1: the screen does not show '$4' ($HOST_DETAIL)"; fi
}

screen_lacks() {
	if host_req lacks "$2" "$3" "$4"; then gt_ok "$1: the screen no longer shows '$4' ($HOST_DETAIL)"
	else gt_fail "$1: the screen still shows '$4' ($HOST_DETAIL)"; fi
}

screen_control() {
	if host_req shows "$2" "$3" "$4"; then
		gt_fail "negative control $1: the check passed, it should fail ($HOST_DETAIL)"
	elif [ "$5" = black ] && case $HOST_DETAIL in *" black "*) false ;; esac; then
		gt_fail "negative control $1: failed, but the screen is not black ($HOST_DETAIL)"
	else
		gt_ok "negative control $1: the screen check fails as it should ($HOST_DETAIL)"
	fi
}

host_unplug() { host_req unplug "$1"; }
host_plug() { host_req plug "$@"; }

drm_card() {
	for _c in /sys/class/drm/card[0-9]*; do
		case ${_c##*/} in *-*) continue ;; esac
		[ "$(basename "$(readlink "$_c/device/driver" 2>/dev/null)")" = "$1" ] || continue
		echo "${_c##*card}"
		return 0
	done
	return 1
}

drm_wait_card() {
	_w=0
	while ! drm_card "$1" >/dev/null; do
		[ $_w -ge $((${2:-30} * 10)) ] && return 1
		usleep 100000
		_w=$((_w + 1))
	done
	drm_card "$1"
}

kiosk_start() {
	_card=$1
	shift
	rm -f "$KIOSK_TRACE"
	: >"$KIOSK_LOG"
	# an empty SDL_KMSDRM_DEVICE_INDEX would mean card0 to SDL: leave it unset then
	[ -z "$_card" ] || set -- SDL_KMSDRM_DEVICE_INDEX="$_card" "$@"
	env SDL_VIDEODRIVER=kmsdrm "$@" \
		tallykiosk -c "$KIOSK_CONF" --db "$KIOSK_DB" --trace "$KIOSK_TRACE" >"$KIOSK_LOG" 2>&1 &
	KPID=$!
}

kiosk_wait_frame() {
	_w=0
	while ! grep -q '^first-frame' "$KIOSK_TRACE" 2>/dev/null; do
		kill -0 "$KPID" 2>/dev/null || return 1
		[ $_w -ge $((${1:-120} * 10)) ] && return 1
		usleep 100000
		_w=$((_w + 1))
	done
}

kiosk_stop() {
	KIOSK_RC=0
	kill -TERM "$KPID" 2>/dev/null
	wait "$KPID" || KIOSK_RC=$?
}

kiosk_log() {
	echo "---- kiosk log (last ${1:-30} lines)"
	tail -n "${1:-30}" "$KIOSK_LOG"
	echo "----"
}
