#!/usr/bin/env bash
# vm_prepare.sh - gets what the VM power-cut test (vm_powercut.sh) needs, once:
#   1. runs tests/gpio/prepare.sh: qemu, busybox, kmod, the guest kernel (the
#      PVH vmlinux) in the gpio harness's cache;
#   2. installs e2fsprogs (mkfs.ext4 on the host, e2fsck in the guest), the
#      sqlite3 shell (integrity_check in the guest) and, for the volatile disk
#      model, nbdkit; skipped when all are installed;
#   3. downloads linux-image-<kver> (the same kernel; not installed) and keeps
#      the modules a virtio disk with ext4 needs (virtio_pci, virtio_blk, ext4,
#      crc32c_generic and everything they depend on, by modinfo), decompressed,
#      with a load order (tk_kernel_modules, tests/gpio/common.sh), in its own cache:
#      ${TK_PCVM_CACHE:-${XDG_CACHE_HOME:-~/.cache}/tallykiosk-powercut/<kver>-<debver>}
# Prints two lines on stdout: the gpio kernel cache dir, then this cache dir.
# Exit 0 ok, 2 setup error. Env: TK_GPIO_* (prepare.sh's), TK_PCVM_CACHE,
# TK_GPIO_SKIP_INSTALL=1 (no apt-get install).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
GPIO=$HERE/../gpio
export TK_GPIO_TAG=pcvm-prepare
# shellcheck source=../gpio/common.sh
. "$GPIO/common.sh"
T_START=$(tk_now)

KC=$("$GPIO/prepare.sh" | tail -n1)
[ -s "$KC/manifest" ] || tk_die "tests/gpio/prepare.sh gave no kernel cache"
KVER=$(sed -n 's/^KVER=//p' "$KC/manifest")
KDEBVER=$(sed -n 's/^KDEBVER=//p' "$KC/manifest")

PKGS=(e2fsprogs sqlite3 nbdkit kmod)
tk_apt_install "${PKGS[@]}"

PC=${TK_PCVM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tallykiosk-powercut/$KVER-$KDEBVER}
mkdir -p "$PC"
exec 9>"$PC/.lock"
flock 9
FORMAT=1
if grep -qx "FORMAT=$FORMAT" "$PC/manifest" 2>/dev/null; then
	tk_log "cache warm: $PC ($(tk_dt "$(tk_now)" "$T_START")s)"
	printf '%s\n%s\n' "$KC" "$PC"
	exit 0
fi
tk_log "kernel $KVER (Debian $KDEBVER): collecting the virtio-blk and ext4 modules into $PC"

# crc32c_generic: ext4 and jbd2 ask the crypto API for "crc32c"; without a
# modprobe in the guest nothing would load it on demand.
tk_kernel_modules "$KVER" "$KDEBVER" "$PC/kmods" virtio_pci virtio_blk crc32c_generic ext4
mapfile -t ORDER <"$PC/kmods/order"
{
	echo "FORMAT=$FORMAT"
	echo "KVER=$KVER"
	echo "KDEBVER=$KDEBVER"
	echo "MODULES=${ORDER[*]}"
} >"$PC/manifest.tmp"
mv "$PC/manifest.tmp" "$PC/manifest"
tk_log "modules: ${ORDER[*]} ($(du -sh "$PC" | cut -f1)), total $(tk_dt "$(tk_now)" "$T_START")s"
printf '%s\n%s\n' "$KC" "$PC"
