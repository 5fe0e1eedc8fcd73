#!/usr/bin/env bash
# Idle means idle: between card changes the kiosk draws no frame at all (--trace logs every
# frame it draws), a press draws at once, and the software path maps no GL library.
. "$(dirname "$0")/lib.sh"

cat >"$WORK/kiosk.conf" <<CONF
[display]
carousel_interval = 60
pixel_shift = false
[input]
keyboard = false
CONF
frames() { grep -c '^frame ' "$WORK/trace" 2>/dev/null || echo 0; }

start_kiosk -c "$WORK/kiosk.conf" --trace "$WORK/trace" || { fail "kiosk starts"; finish; exit; }
# The first frame shows the tally, the next one brings the first card: wait for both.
for _ in $(seq 1 100); do [ "$(frames)" -ge 2 ] && break; sleep 0.1; done
check "the first frames are drawn" "$([ "$(frames)" -ge 2 ] && echo yes)" "yes"
check_contains "the log says which path draws and why" "$(cat "$WORK/kiosk.log")" \
	"software path: SDL's dummy driver has nothing to accelerate"
maps=$(cat "/proc/$KIOSK_PID/maps")
check "no GL library is mapped on the software path" \
	"$(echo "$maps" | grep -cE 'libGL|libEGL|libLLVM|_dri\.so|swrast')" "0"

# 30 s between card changes (the next one is due 60 s after the first frame).
sleep 1
before=$(frames)
sleep 30
check "no frame drawn in 30 s with nothing changing" "$(( $(frames) - before ))" "0"

ctl press >/dev/null
for _ in $(seq 1 50); do [ "$(frames)" -gt "$before" ] && break; sleep 0.1; done
check "a press draws a frame" "$([ "$(frames)" -gt "$before" ] && echo yes)" "yes"
stop_kiosk
finish
