#!/bin/sh
# guest_kiosk.sh - runs INSIDE the VM (started by test_kiosk.sh): the Pi's whole path, from a
# GPIO edge to a KMSDRM frame read back off the screen by the host.
#
# Two gpio-sim chips shaped like the Pi's wiring (tk-sim: GPIO17 = the button; tk-slot:
# BEAM = a letter slot's break-beam) and the displays vm.sh gives (virtio-gpu and bochs-drm).
# The real kiosk runs full-screen on SDL's KMSDRM driver, with [gpio.*] on the simulated
# lines, and the host dumps and OCRs the screen (kmsscreen.sh: screen_shows):
#   on virtio-gpu: the renderer is GLES2 (no desktop libGL in the guest, as on a Pi with
#   runtime packages only); tallyctl add shows its total; a press that bounces, then a clean
#   one and a chattering one, are counted once each and their total is shown; the display
#   taken away (its connector forced off) does not stop counting, and the screen comes back
#   with the total;
#   on bochs-drm (another size): the kiosk shows the kept total; with the slot's chip away the
#   staff strip says so, and its return clears it; a press is shown;
#   negative controls, which the screen check must catch: the black screen (SDL's old choice,
#   desktop GL first, forced with SDL_RENDER_DRIVER=opengl) and no DRI driver at all.
# Env (vm.sh --env): TK_KMS_SKIP_CONTROLS=1 leaves the negative controls out.
# shellcheck source=../gpio/guest/gpiosim.sh
. /test/lib/gpiosim.sh
# shellcheck source=guest/kmsscreen.sh
. /test/lib/kmsscreen.sh

KIOSK_DB=/tmp/t.db
KIOSK_CONF=/test/kiosk.conf
export XDG_STATE_HOME=/tmp/state XDG_RUNTIME_DIR=/run XDG_CACHE_HOME=/tmp/cache SDL_AUDIODRIVER=dummy
up() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$(up)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
ctl() { tallyctl --db "$KIOSK_DB" "$@"; }
total() { ctl status --json 2>/dev/null | sed -n 's/.*"total":\([0-9-]*\).*/\1/p'; }
# comma N: N as the tally shows it (1000 <= N < 1000000): 1235 -> 1,235
comma() { printf '%d,%03d' $(($1 / 1000)) $(($1 % 1000)); }
# the button's release window, the premise of the bounce checks (gpiosim.sh: sim_counts_once)
RELEASE_MS=40
# a committed total may wait for a frame (seconds under TCG); a second count may wait for the next
# shellcheck disable=SC2034 # read by sim_counts_once (gpiosim.sh)
SIM_COUNT_WAIT_MS=30000 SIM_COUNT_SETTLE_MS=1500

# wait_total WHAT EXPECTED: polls tallyctl (up to 30 s: under TCG, llvmpipe takes seconds
# a frame, and the loop reads the button between frames) until the total is EXPECTED
wait_total() {
	_w=0
	while [ "$(total)" != "$2" ] && [ $_w -lt 300 ]; do usleep 100000; _w=$((_w + 1)); done
	gt_check "$1: committed total" "$(total)" "$2"
}

# start_on CARD WHAT [ENV=VALUE]...: the kiosk on cardCARD, waits for its first frame
start_on() {
	_c=$1 _what=$2
	shift 2
	_t0=$(up)
	kiosk_start "$_c" "$@"
	if ! kiosk_wait_frame 150; then
		kiosk_log
		gt_fail "$_what: no first frame in 150 s"
		return 1
	fi
	gt_ok "$_what: first frame $(since "$_t0") s after start"
}

kms_port_open
sim_chip slot 8 label=tk-slot 3=BEAM
SLOT_CFS=/sys/kernel/config/gpio-sim/slot
sim_chip pi 28 label=tk-sim 17=GPIO17

cat >"$KIOSK_CONF" <<EOF
[event]
name = KMS test
goal = 5000
[display]
fullscreen = true
[input]
keyboard = false
[gpio.button]
chip = tk-sim
line = GPIO17
active_low = true
bias = pull-up
kind = button
min_active_ms = 5
release_ms = $RELEASE_MS
lockout_ms = 150
[gpio.slot]
chip = tk-slot
line = BEAM
active_low = true
bias = pull-up
kind = beam
EOF

V=$(drm_wait_card virtio-pci 30) || gt_abort "no virtio-gpu DRM card"
B=$(drm_wait_card bochs-drm 30) || gt_abort "no bochs-drm DRM card (-vga std)"
gt_note "machine $(uname -m), kernel $(uname -r), kiosk $(tallykiosk --version 2>&1 | head -n1)"
for c in /sys/class/drm/card[0-9]*-*; do gt_note "${c##*/}: $(cat "$c/status") $(head -n1 "$c/modes")"; done
# vm.sh's qemu device ids, what the host dumps: bochs-drm drives -vga std (x86-64) or
# bochs-display (arm64)
VDEV=${KMS_DEV_virtio_gpu_pci:-vgpu0} BDEV=${KMS_DEV_std:-${KMS_DEV_bochs_display:-std0}}

# ---- 1. virtio-gpu: the kiosk on KMSDRM, GLES2, no desktop libGL
! ls /usr/lib/*-linux-gnu/libGL.so.1 >/dev/null 2>&1 && gt_note "no libGL.so.1 in the guest (runtime packages only)"
start_on "$V" "virtio-gpu" || { gt_finish; exit 1; }
sim_wait_requested GPIO17 10000 || gt_fail "the kiosk did not request GPIO17"
gt_check "the renderer on KMSDRM is GLES2" \
	"$(sed -n 's/.*display: video \(KMSDRM\), renderer \([a-z0-9]*\).*/\1 \2/p' "$KIOSK_LOG")" "KMSDRM opengles2"
gt_check "the button idles high (pull-up reached gpio-sim)" "$(sim_get GPIO17)" 1

# 2. tallyctl add
ctl add 1234 >/dev/null || gt_fail "tallyctl add 1234"
wait_total "tallyctl add 1234" 1234
screen_shows "tallyctl add" "$VDEV" 60 "1,234"

# 3. a press with contact bounce on press and on release: one count, shown. The bounce is one
# only while the button was never released for release_ms between its edges in the guest's
# time; gt_counts_once measures that and retries, from the committed total, a miscount the host
# made by stopping the VM mid-bounce (tests/kms/README.md). So the totals from here on are
# relative: 1235, 1237, 1239 and 1240 unless a try was retried.
bounced_press() {
	bounce GPIO17 9 300
	msleep 100
	bounce GPIO17 9 300
}
gt_counts_once "a bouncing press counts once" $RELEASE_MS total bounced_press
T=$SIM_COUNT_TOTAL
screen_shows "a bouncing press" "$VDEV" 30 "$(comma "$T")"
# a clean press and a chattering one (pulses longer than the glitch filter)
press GPIO17 60 200
T=$((T + 1))
wait_total "a clean press" $T
chattering_press() {
	press_train GPIO17 3 8 12
	msleep 300
}
gt_counts_once "a chattering press counts once" $RELEASE_MS total chattering_press
T=$SIM_COUNT_TOTAL
screen_shows "two more presses" "$VDEV" 30 "$(comma "$T")"

# 4. the display goes away (its connector forced off, as an unplugged HDMI cable) and back
CONN=$(ls -d /sys/class/drm/card"$V"-* | head -n1)
echo off >"$CONN/status" || gt_fail "cannot force ${CONN##*/} off"
gt_note "${CONN##*/} forced off: $(cat "$CONN/status")"
press GPIO17 60 300
press GPIO17 60 300
T=$((T + 2))
wait_total "two presses while the display is gone" $T
kill -0 "$KPID" 2>/dev/null && gt_ok "the kiosk runs on without a display" ||
	{ kiosk_log; gt_fail "the kiosk stopped when the display went away"; }
echo detect >"$CONN/status" || gt_fail "cannot let ${CONN##*/} be detected again"
gt_note "${CONN##*/} back: $(cat "$CONN/status")"
screen_shows "the display is back" "$VDEV" 60 "$(comma "$T")"

kiosk_stop
gt_check "the kiosk stops cleanly on SIGTERM" "$KIOSK_RC" 0

# ---- 5. bochs-drm (-vga std), another size, started while the slot's chip is away: the
# kept total, the staff strip saying the slot is offline, the strip gone once the chip is back
# (the kiosk retries every 3 s), and a press. (Debian 12's kernel 6.1 does not tell a line's
# holder that its gpio-sim chip went away, so the chip goes before the kiosk starts.)
echo 0 >"$SLOT_CFS/live" || gt_fail "cannot take the slot chip away"
if start_on "$B" "bochs-drm"; then
	screen_shows "bochs-drm: the kept total, the slot offline" "$BDEV" 60 "$(comma "$T")|slot offline"
	echo 1 >"$SLOT_CFS/live" || gt_fail "cannot bring the slot chip back"
	screen_lacks "bochs-drm: the slot chip is back" "$BDEV" 30 "offline"
	press GPIO17 60 200
	T=$((T + 1))
	wait_total "a press on bochs-drm" $T
	screen_shows "bochs-drm: a press" "$BDEV" 30 "$(comma "$T")"
	kiosk_stop
fi

# ---- 6. negative controls: the same screen check must fail
if [ "${TK_KMS_SKIP_CONTROLS:-0}" != 1 ]; then
	# SDL's own order tries desktop GL first; without libGL.so.1 it falls back to GLES2 and
	# presents frames that never reach the screen
	if start_on "$B" "control: desktop GL first, no libGL" SDL_RENDER_DRIVER=opengl; then
		screen_control "black screen" "$BDEV" 20 "$(comma "$T")" black
		kiosk_stop
	fi
	# no DRI driver: Mesa cannot draw at all
	kiosk_start "$B" LIBGL_DRIVERS_PATH=/nonexistent
	i=0
	while kill -0 "$KPID" 2>/dev/null && ! grep -q 'display:' "$KIOSK_LOG" && [ $i -lt 600 ]; do
		usleep 100000
		i=$((i + 1))
	done
	gt_note "no DRI driver: $(grep -m1 'display:' "$KIOSK_LOG")"
	screen_control "no DRI driver" "$BDEV" 15 "$(comma "$T")" any
	kill -0 "$KPID" 2>/dev/null && kiosk_stop
fi

[ "$GT_FAILS" -eq 0 ] || kiosk_log
gt_finish
