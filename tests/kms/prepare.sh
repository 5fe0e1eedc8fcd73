#!/usr/bin/env bash
# prepare.sh - gets what the KMSDRM VM test (tests/kms/vm.sh) needs, once.
#
# prepare.sh (x86-64, the default):
#   1. tests/gpio/prepare.sh: qemu, busybox, kmod, the guest kernel (PVH vmlinux), configfs.ko
#      and gpio-sim.ko in the gpio harness's cache;
#   2. the host packages the display path needs: Mesa (GBM, EGL, GLES2 through glvnd, the
#      DRI drivers), libdrm, libudev, tesseract with English data, python3 (QMP, the
#      screen checks); skipped when all are installed;
#   3. the kernel's DRM modules for virtio-gpu and bochs (-vga std) with their dependencies,
#      decompressed, in load order, in its own cache:
#      ${TK_KMS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/tallykiosk-kms/<kver>-<debver>}
#
# prepare.sh --arch arm64 (the Raspberry Pi's architecture, for `make test-pi-vm`):
#   the guest's userland is the cross build's arm64 sysroot (mk/cross.mk); this gets the rest.
#   TK_KMS_APT_OPTS must hold the apt-get options of that sysroot's private arm64 apt state
#   (mk/pi-vm.mk passes them): the kernel comes from the same arm64 package lists.
#   1. host packages: qemu-system-arm, the cross compiler, linux-kbuild-<series> (the kernel's
#      build tools for this host), tesseract, python3;
#   2. the kernel linux-headers-arm64 points at, downloaded (apt-get download), not installed:
#      its Image (booted as it is, uncompressed), configfs, virtio-pci, virtio-gpu, bochs and
#      virtio_console (the host's screen requests go over a virtio serial port: -M virt has
#      one UART) with their dependencies;
#   3. gpio-sim.ko cross-built out of tree (tk_build_gpio_sim) against that kernel's
#      linux-headers, unpacked beside linux-headers-<kver>-common, with the host's kbuild tools.
#   One cache, ${TK_KMS_CACHE:-.../tallykiosk-kms/<kver>-<debver>} (kver ends in -arm64),
#   with the gpio part (Image, configfs.ko, gpio-sim.ko) in its gpio/ subdirectory.
#
# Prints two lines on stdout: the gpio kernel cache dir, then this cache dir.
# Exit 0 ok, 2 setup error. Env: TK_GPIO_* (see tests/gpio/common.sh), TK_KMS_CACHE,
# TK_GPIO_SKIP_INSTALL=1 (no apt-get install).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
GPIO=$HERE/../gpio
export TK_GPIO_TAG=${TK_GPIO_TAG:-kms-prepare}
# shellcheck source=../gpio/common.sh
. "$GPIO/common.sh"
T_START=$(tk_now)
ARCH=x86_64
case ${1:-} in
--arch) ARCH=${2:-} ;;
"") ;;
*) tk_die "usage: prepare.sh [--arch x86_64|arm64]" ;;
esac
case $ARCH in
x86_64) ;;
arm64)
	# shellcheck source=prepare_arm64.sh
	. "$HERE/prepare_arm64.sh"
	exit 0 ;;
*) tk_die "--arch $ARCH: only x86_64 and arm64 are known" ;;
esac

KC=$("$GPIO/prepare.sh" | tail -n1)
[ -s "$KC/manifest" ] || tk_die "tests/gpio/prepare.sh gave no kernel cache"
KVER=$(sed -n 's/^KVER=//p' "$KC/manifest")
KDEBVER=$(sed -n 's/^KDEBVER=//p' "$KC/manifest")

# Mesa's runtime as a Pi has it (libGL.so.1 from libgl1 too: the test leaves it out on
# purpose, to be the Pi without it), tesseract reads the dumped screen.
PKGS=(libgl1-mesa-dri libgbm1 libegl-mesa0 libegl1 libgles2 libgl1 libdrm2 libudev1
	tesseract-ocr tesseract-ocr-eng python3 kmod fontconfig-config fonts-dejavu-core)
tk_apt_install "${PKGS[@]}"

PC=${TK_KMS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tallykiosk-kms/$KVER-$KDEBVER}
mkdir -p "$PC"
exec 9>"$PC/.lock"
flock 9 # two prepares at once: the second waits, then finds the cache warm
FORMAT=1
if grep -qx "FORMAT=$FORMAT" "$PC/manifest" 2>/dev/null; then
	tk_log "cache warm: $PC ($(tk_dt "$(tk_now)" "$T_START")s)"
	printf '%s\n%s\n' "$KC" "$PC"
	exit 0
fi
tk_log "kernel $KVER (Debian $KDEBVER): collecting the DRM modules into $PC"
# virtio_pci: the transport virtio-gpu sits on; bochs: the DRM driver of qemu's -vga std
tk_kernel_modules "$KVER" "$KDEBVER" "$PC/kmods" virtio_pci virtio-gpu bochs
{
	echo "FORMAT=$FORMAT"
	echo "KVER=$KVER"
	echo "KDEBVER=$KDEBVER"
	echo "MODULES=$(tr '\n' ' ' <"$PC/kmods/order")"
} >"$PC/manifest.tmp"
mv "$PC/manifest.tmp" "$PC/manifest"
tk_log "modules: $(tr '\n' ' ' <"$PC/kmods/order")($(du -sh "$PC" | cut -f1)), total $(tk_dt "$(tk_now)" "$T_START")s"
printf '%s\n%s\n' "$KC" "$PC"
