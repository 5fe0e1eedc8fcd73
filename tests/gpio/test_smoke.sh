#!/usr/bin/env bash
# test_smoke.sh - the gpio-sim harness self-test, without the kiosk: builds
# smoke.c (libgpiod v1 falling-edge counter) and runs guest_smoke.sh in the VM.
# Exit 0 PASS, 1 FAIL, 2 setup error. TK_GPIO_EXPECT_WRONG=1 must FAIL.
# Runs prepare.sh first (~0.3 s when warm) unless TK_GPIO_NO_PREPARE=1.
# Env: TK_GPIO_CC (default cc), plus vm.sh's.
# Usage: test_smoke.sh [vm.sh options...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export TK_GPIO_TAG=smoke
# shellcheck source=common.sh
. "$HERE/common.sh"

[ "${TK_GPIO_NO_PREPARE:-0}" = 1 ] || "$HERE/prepare.sh" >/dev/null
WORK=$(mktemp -d /tmp/tk-gpio-smoke.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"${TK_GPIO_CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -o "$WORK/smoke" "$HERE/smoke.c" -lgpiod ||
	tk_die "cannot build smoke.c (libgpiod-dev installed? run prepare.sh)"
"$HERE/vm.sh" --timeout 90 --bin "$WORK/smoke" \
	--env "TK_GPIO_EXPECT_WRONG=${TK_GPIO_EXPECT_WRONG:-0}" "$@" "$HERE/guest_smoke.sh"
