#!/usr/bin/env bash
# vm.sh - runs one guest test script inside a throw-away QEMU VM whose kernel
# has gpio-sim (the kernel and module come from prepare.sh's cache).
#
# It builds an initramfs with busybox, configfs.ko + gpio-sim.ko, the guest
# helper library (guest/gpiosim.sh -> /test/lib/gpiosim.sh), the binaries
# given (each with every library ldd lists, at the same paths, and the
# dynamic loader), extra files, and the guest script (-> /test/guest.sh).
# /init mounts proc/sys/dev/debugfs/configfs, loads the modules, exports the
# --env variables, runs the script, then powers off. The console streams to
# stdout and to a log. The result is the guest's marker line:
# "GPIO_TEST: PASS ..." / "GPIO_TEST: FAIL ...". Exit 0 only if a PASS marker
# came last and no FAIL marker came at all; 1 on FAIL, timeout or no marker;
# 2 on a setup error.
#
# Usage: vm.sh [OPTION]... GUEST_SCRIPT
#   -b, --bin SRC[:DEST]   an executable (DEST default /test/bin/NAME; /test/bin
#                          is first in the guest's PATH)
#   -f, --file SRC[:DEST]  a file or directory tree, symlinks dereferenced
#                          (DEST default: the same path)
#       --fonts            /etc/fonts, /usr/share/fontconfig and the DejaVu
#                          fonts (what fontconfig + SDL_ttf need)
#   -e, --env NAME=VALUE   exported in the guest before the script runs
#   -t, --timeout S        hard limit for the whole VM run (default 120)
#       --log FILE         console log (default WORK/console.log)
#   -m, --mem SIZE         guest memory (default 512M)
#       --smp N            guest CPUs (default 2)
#       --keep             keep the work dir (initramfs, log)
#   -q, --quiet            do not stream the console to stdout
# Env: TK_GPIO_CACHE (see common.sh), TK_GPIO_ACCEL=auto|tcg|kvm (auto: KVM
# only if /dev/kvm is usable and is not PVM, with a fallback to TCG when the
# guest does not reach /init in TK_GPIO_KVM_BOOT_S=20 s), TK_GPIO_BOOT=bzimage
# (boot the compressed kernel instead of prepare's unpacked PVH vmlinux),
# TK_GPIO_INITRD=none|zstd|gzip (initramfs compression; none boots fastest
# under TCG: no decompression in the guest), TK_GPIO_CC (default cc, builds guest/simpulse.c).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
export TK_GPIO_TAG=vm
# shellcheck source=common.sh
. "$HERE/common.sh"
# shellcheck source=../vm/lib.sh
. "$HERE/../vm/lib.sh"

usage() { sed -n "/^# Usage:/,/^set -euo/p" "$0" | grep "^#" | sed "s/^# \{0,1\}//" >&2; exit 2; }

BINS=() FILES=() ENVS=()
TIMEOUT=120 LOG='' MEM=512M SMP=2 KEEP=0 QUIET=0 SCRIPT=
while [ $# -gt 0 ]; do
	case $1 in
	-b | --bin) BINS+=("$2"); shift 2 ;;
	-f | --file) FILES+=("$2"); shift 2 ;;
	--fonts) FILES+=(/etc/fonts /usr/share/fontconfig /usr/share/fonts/truetype/dejavu); shift ;;
	-e | --env) ENVS+=("$2"); shift 2 ;;
	-t | --timeout) TIMEOUT=$2; shift 2 ;;
	--log) LOG=$2; shift 2 ;;
	-m | --mem) MEM=$2; shift 2 ;;
	--smp) SMP=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-q | --quiet) QUIET=1; shift ;;
	-h | --help) usage ;;
	-*) echo "vm.sh: unknown option $1" >&2; usage ;;
	*) [ -z "$SCRIPT" ] || usage; SCRIPT=$1; shift ;;
	esac
done
[ -n "$SCRIPT" ] && [ -f "$SCRIPT" ] || { echo "vm.sh: no guest script given" >&2; usage; }

# --------------------------------------------------------------- the cache
if [ -z "${TK_GPIO_CACHE:-}" ]; then
	tk_resolve_kernel || tk_die "no linux-headers-amd64: run tests/gpio/prepare.sh first"
fi
tk_cache_dir
KC=$TK_KC
[ -f "$KC/manifest" ] && [ -s "$KC/vmlinuz" ] || tk_die "cache $KC is not ready: run tests/gpio/prepare.sh"
SIMSRC=$(sed -n 's/^SIMSRC=//p' "$KC/manifest")
command -v qemu-system-x86_64 >/dev/null || tk_die "no qemu-system-x86_64: run tests/gpio/prepare.sh"
# the plain ELF vmlinux (PVH entry) skips the ~4 s xz decompression under TCG
KERNEL=$KC/vmlinuz
if [ "${TK_GPIO_BOOT:-auto}" != bzimage ] && [ -s "$KC/vmlinux" ]; then KERNEL=$KC/vmlinux; fi

WORK=$(mktemp -d /tmp/tk-gpio-vm.XXXXXX)
VM_QPID=
cleanup() {
	[ -n "$VM_QPID" ] && kill "$VM_QPID" 2>/dev/null || true
	if [ "$KEEP" = 1 ]; then tk_log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
LOG_KEPT=1
[ -n "$LOG" ] || { LOG=$WORK/console.log; LOG_KEPT=$KEEP; }

# ---------------------------------------------------------- the initramfs
T_BUILD0=$(tk_now)
R=$WORK/root
vm_guest_base "$R" "$SCRIPT"
mkdir -p "$R"/{sbin,var/cache/fontconfig}
[ -s "$KC/kmods/configfs.ko" ] && vm_guest_module "$R" "$KC/kmods/configfs.ko" configfs
[ "$SIMSRC" = builtin ] || vm_guest_module "$R" "$KC/gpio-sim.ko" gpio-sim

# copy_path SRC DEST: a file (with its parent dirs) or a tree, dereferenced
copy_path() {
	mkdir -p "$R$(dirname "$2")"
	cp -rL "$1" "$R$2"
}
for spec in ${BINS[@]+"${BINS[@]}"}; do
	src=${spec%%:*}
	dest=${spec#*:}
	[ "$dest" != "$spec" ] || dest=/test/bin/$(basename "$src")
	[ -x "$src" ] || tk_die "--bin $src: not an executable"
	copy_path "$src" "$dest"
	# every library ldd lists, at the same path, and the program interpreter
	interp=$(readelf -l "$src" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	lddout=$(ldd "$src" 2>/dev/null || true)
	[[ $lddout != *"not found"* ]] || tk_die "--bin $src: ldd reports missing libraries"
	for lib in $(grep -o '/[^ ]*' <<<"$lddout" || true) $interp; do
		[ -e "$R$lib" ] || copy_path "$lib" "$lib"
	done
done
for spec in ${FILES[@]+"${FILES[@]}"}; do
	src=${spec%%:*}
	dest=${spec#*:}
	[ "$dest" != "$spec" ] || dest=$src
	[ -e "$src" ] || tk_die "--file $src: does not exist"
	copy_path "$src" "$dest"
done
vm_guest_env "$R/test/env" ${ENVS[@]+"${ENVS[@]}"}
GUEST_TIMEOUT=$((TIMEOUT > 20 ? TIMEOUT - 10 : TIMEOUT))
vm_guest_init "$R" tests/gpio/vm.sh "$GUEST_TIMEOUT" \
	'export PATH=/test/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root TMPDIR=/tmp' ''
# uncompressed by default: ~40 MB with the kiosk, but ~1.5 s quicker to boot
# under TCG than gzip (the guest's decompression is emulated too)
vm_initramfs "$R" "$WORK/initrd.img" "${TK_GPIO_INITRD:-none}"
T_BUILD1=$(tk_now)
tk_log "initramfs $(du -h "$WORK/initrd.img" | cut -f1) built in $(tk_dt "$T_BUILD1" "$T_BUILD0")s"

# ----------------------------------------------------------------- boot
# boot ACCEL LIMIT_S: one VM run; console -> $LOG (\r removed). Sets QRC.
boot() {
	local acc=$1 tmo=$2 raw=$WORK/console.raw
	tk_log "booting qemu ($acc, $(basename "$KERNEL"), ${MEM}, ${SMP} cpu, limit ${tmo}s)"
	vm_qemu_cmd "$acc" "$MEM" "$SMP" "$KERNEL" "$WORK/initrd.img" no_timer_check
	vm_qemu_start "$tmo" "$raw" "$raw" "$QUIET" "${VM_QEMU[@]}" -serial stdio
	if [ "$acc" = kvm ]; then
		# a KVM that cannot run this kernel (e.g. PVM) hangs silently
		local w=0
		while kill -0 "$VM_QPID" 2>/dev/null && ! grep -q '^GPIO_VM: init' "$raw"; do
			if [ "$w" -ge "$((${TK_GPIO_KVM_BOOT_S:-20} * 10))" ]; then
				tk_log "KVM guest did not reach /init; killing it"
				kill "$VM_QPID" 2>/dev/null || true
				break
			fi
			sleep 0.1
			w=$((w + 1))
		done
	fi
	vm_qemu_wait
	QRC=$VM_QRC
	tr -d '\r' <"$raw" >"$LOG"
	[ "$QRC" = 124 ] && tk_log "qemu ($acc) killed after ${tmo}s"
	return 0
}

ACCEL=${TK_GPIO_ACCEL:-auto}
if [ "$ACCEL" = auto ]; then
	ACCEL=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then ACCEL=kvm; fi
	AUTO=1
else
	AUTO=0
fi
TB0=$(tk_now)
boot "$ACCEL" "$TIMEOUT"
if [ "$ACCEL" = kvm ] && [ "$AUTO" = 1 ] && ! grep -q '^GPIO_VM: init' "$LOG"; then
	tk_log "KVM did not boot this kernel; falling back to TCG"
	ACCEL=tcg
	TB0=$(tk_now)
	boot tcg "$TIMEOUT"
fi
TB1=$(tk_now)
BOOT_S=$(tk_dt "$TB1" "$TB0")

tk_log "TIMINGS: initramfs=$(tk_dt "$T_BUILD1" "$T_BUILD0")s boot-to-result($ACCEL)=${BOOT_S}s total=$(tk_elapsed)s qemu_rc=$QRC"
[ "$LOG_KEPT" = 0 ] || tk_log "console log: $LOG"
vm_verdict "$LOG"
