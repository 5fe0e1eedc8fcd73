#!/usr/bin/env bash
# A configured sensor whose chip is missing: the kiosk says which and how to fix it, keeps
# counting everything else, and keeps retrying (this machine has no GPIO chip at all).
. "$(dirname "$0")/lib.sh"

cat >"$WORK/gpio.conf" <<'CONF'
[gpio.button]
chip = gpiochip7
line = GPIO17
[gpio.slot]
line = BEAM_IN
kind = beam
CONF
start_kiosk -c "$WORK/gpio.conf" || { fail "kiosk starts with missing sensors"; finish; exit 1; }
ctl press >/dev/null
check "the kiosk counts without its sensors" "$(total)" 1
# One retry period (3 s) and a little: if a loaded machine has not retried yet, the check
# below cannot fail wrongly, only prove less.
sleep 3.5
stop_kiosk
check "it stops cleanly" "$STOP_RC" 0
log=$(cat "$WORK/kiosk.log")
check_contains "the missing chip is named" "$log" "gpio button: offline: chip gpiochip7 not found (see gpiodetect)"
check_contains "the missing line name is named" "$log" "gpio slot: offline: no chip has a line named BEAM_IN"
check "an unchanged problem is logged once, not at every retry" "$(grep -c 'gpio button: offline' "$WORK/kiosk.log")" 1

# The sample config's GPIO examples, uncommented, are a valid config.
sed -n '/^# \[gpio\.button\]/,$p' "$(dirname "$0")/../../assets/kiosk.conf" |
	sed -n 's/^# \(\[gpio\..*\]\)$/\1/p; s/^# \([a-z_]* =.*\)$/\1/p' >"$WORK/example.conf"
check "the sample's GPIO examples define three inputs" "$(grep -c '^\[gpio\.' "$WORK/example.conf")" 3
"$CTL" -c "$WORK/example.conf" --db "$DB" status >"$WORK/out" 2>&1
check "and load without a config error" "$?" 0
finish
