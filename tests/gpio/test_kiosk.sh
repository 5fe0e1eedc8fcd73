#!/usr/bin/env bash
# test_kiosk.sh - the end-to-end GPIO test of the real kiosk: boots the
# gpio-sim VM (vm.sh) with BUILD/tallykiosk and BUILD/tallyctl, the fonts,
# and guest_kiosk.sh, which drives simulated button and staff-reset lines
# and checks the totals with tallyctl. Exit 0 PASS, 1 FAIL, 2 setup error.
#
# Usage: test_kiosk.sh [BUILD_DIR] [vm.sh options...]     (BUILD_DIR: build)
# Env: TK_GPIO_EXPECT_WRONG=1 (expect one press too many: must FAIL),
#      TK_GPIO_HOLD_MS=1500, TK_GPIO_BUTTON_CHIP=tk-sim (see guest_kiosk.sh),
#      TK_GPIO_NO_PREPARE=1 (skip the prepare.sh check), plus vm.sh's.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export TK_GPIO_TAG=kiosk
# shellcheck source=common.sh
. "$HERE/common.sh"

BUILD=build
if [ $# -gt 0 ] && [[ $1 != -* ]]; then BUILD=$1; shift; fi
KIOSK=$BUILD/tallykiosk
CTL=$BUILD/tallyctl
[ -x "$KIOSK" ] && [ -x "$CTL" ] || tk_die "no $KIOSK / $CTL: build first (make all)"
case $(readelf -h "$KIOSK" 2>/dev/null) in
*X86-64*) ;;
*) tk_die "$KIOSK is not an x86-64 program (the VM is x86-64; a cross build?)" ;;
esac
case $(ldd "$KIOSK") in
*libgpiod*) ;;
*) tk_die "$KIOSK is not linked with libgpiod: built without GPIO support" ;;
esac

# cheap when the cache is warm (~0.3 s), and repairs a half-removed setup
[ "${TK_GPIO_NO_PREPARE:-0}" = 1 ] || "$HERE/prepare.sh" >/dev/null

envs=(--env "TK_GPIO_EXPECT_WRONG=${TK_GPIO_EXPECT_WRONG:-0}"
	--env "TK_GPIO_HOLD_MS=${TK_GPIO_HOLD_MS:-1500}")
[ -z "${TK_GPIO_BUTTON_CHIP+x}" ] || envs+=(--env "TK_GPIO_BUTTON_CHIP=$TK_GPIO_BUTTON_CHIP")

# 300 s: 25-30 s on a quiet machine, up to 140 s with two CPU burners beside the VM, and a
# run starved by unniced work took longer than 150 s (tests/gpio/README.md)
"$HERE/vm.sh" --timeout 300 --bin "$KIOSK" --bin "$CTL" --fonts "${envs[@]}" "$@" \
	"$HERE/guest_kiosk.sh"
