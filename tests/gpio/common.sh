# shellcheck shell=bash disable=SC2034
# common.sh - host-side helpers shared by the gpio-sim VM harness scripts
# (prepare.sh, vm.sh, test_*.sh). Source it; it defines logging, timing, the
# kernel-version resolution and the cache location. Nothing runs on source.
#
# Cache: ${TK_GPIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tallykiosk-gpio/<kver>-<debver>}
# (TK_GPIO_CACHE names the final directory, the one holding vmlinuz).

TK_GPIO_T0=${TK_GPIO_T0:-$(date +%s.%N)}
export TK_GPIO_T0

tk_now() { date +%s.%N; }
# tk_dt END START -> seconds with one decimal
tk_dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
tk_elapsed() { tk_dt "$(tk_now)" "$TK_GPIO_T0"; }
tk_log() { printf '[%s %6.1fs] %s\n' "${TK_GPIO_TAG:-gpio}" "$(tk_elapsed)" "$*" >&2; }
tk_die() { tk_log "ERROR: $*"; exit 2; }

# Run a command as root (sudo when not root).
tk_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The kernel the guest boots: the ABI that linux-headers-amd64 depends on, so
# the image, headers and source are always the same Debian version.
# Sets TK_KVER (6.1.0-56-amd64), TK_KDEBVER (6.1.192-2), TK_KSERIES (6.1).
tk_resolve_kernel() {
	local hdr
	hdr=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		grep -o 'linux-headers-[^ ,]*' | head -n1) || true
	[ -n "$hdr" ] || return 1
	TK_KVER=${hdr#linux-headers-}
	TK_KDEBVER=$(dpkg-query -W -f='${Version}' "$hdr" 2>/dev/null) || return 1
	TK_KSERIES=$(echo "$TK_KVER" | cut -d. -f1-2)
	[ -n "$TK_KVER" ] && [ -n "$TK_KDEBVER" ]
}

# Sets TK_KC: the cache directory of the resolved kernel (see top).
tk_cache_dir() {
	if [ -n "${TK_GPIO_CACHE:-}" ]; then
		TK_KC=$TK_GPIO_CACHE
	else
		TK_KC=${XDG_CACHE_HOME:-$HOME/.cache}/tallykiosk-gpio/$TK_KVER-$TK_KDEBVER
	fi
}
