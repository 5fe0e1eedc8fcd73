#!/usr/bin/env bash
# vm.sh - runs one guest script in a throw-away QEMU (TCG) VM that has both gpio-sim and
# emulated displays: the real tallykiosk draws on SDL's KMSDRM driver through GBM + EGL + Mesa
# (llvmpipe) onto the guest's DRM device, and the host reads the guest's screen back with QMP
# screendump and tesseract (screen.py), on request of the guest script (guest/kmsscreen.sh).
#
# The initramfs has busybox, configfs.ko + gpio-sim.ko (tests/gpio/prepare.sh's cache), the
# DRM modules (prepare.sh's cache), the gpio guest library and simpulse, the kiosk and tallyctl
# with every library ldd lists, what SDL and Mesa load at run time (libdrm, libgbm, libEGL
# through glvnd, libGLESv2, libudev, Mesa's swrast megadriver as kms_swrast/virtio_gpu, its
# glvnd vendor file), fontconfig and the DejaVu fonts, the bundled cases. Desktop libGL.so.1 is
# left out unless --with-libgl: a Pi with runtime packages only may not have it.
# /init mounts proc/sys/dev/debugfs/configfs, loads the modules, runs the script and powers
# off. The result is the guest's last marker line ("GPIO_TEST: PASS ..."), as in tests/gpio.
#
# --arch arm64 is the Raspberry Pi's architecture (make test-pi-vm): qemu-system-aarch64 -M virt
# (TCG, Cortex-A72) with Debian's arm64 kernel (prepare.sh --arch arm64), the cross build's
# binaries and the libraries, Mesa and busybox of its arm64 sysroot (the loader lists what each
# binary needs, run under qemu-user), and the host's screen requests over a virtio serial port
# (-M virt has one UART, the console) instead of a second 16550.
#
# Usage: vm.sh [OPTION]... GUEST_SCRIPT
#   --arch x86_64|arm64    the guest's architecture (default x86_64)
#   --build DIR            where tallykiosk and tallyctl are (default build)
#   --sysroot DIR          arm64: the cross build's sysroot, the guest's libraries (needed)
#   --kiosk FILE           another tallykiosk binary (e.g. an older build)
#   --display KIND:WxH[:ID]  one display device (repeatable; default virtio-gpu-pci:1280x720
#                          and std:1024x768; arm64: bochs-display instead of std). KIND:
#                          virtio-gpu-pci, virtio-vga, std (-vga std, the guest's bochs-drm),
#                          bochs-display (bochs-drm too, but qemu can hot-unplug it). ID
#                          defaults to vgpu0/vvga0/std0/hot0; the guest gets them as
#                          KMS_DEV_<kind>=ID (KMS_DEV_virtio_gpu_pci=vgpu0, ...)
#   --with-libgl           put desktop libGL.so.1 in the guest too
#   -e, --env NAME=VALUE   exported in the guest before the script runs
#   -t, --timeout S        hard limit for the whole VM run (default 420)
#       --out DIR          screen dumps (PNG + OCR text) and the console log (default: a temp
#                          dir, removed unless the run fails or --keep)
#   -m, --mem SIZE         guest memory (default 1536M)      --smp N  guest CPUs (default 2)
#       --keep             keep the work dir (initramfs)
#   -q, --quiet            do not stream the console to stdout
# Env: TK_GPIO_CC (cc), TK_GPIO_* and TK_KMS_CACHE (the caches, see prepare.sh),
# TK_KMS_APT_OPTS (arm64: see prepare.sh).
# Exit 0 PASS, 1 FAIL (or timeout, or no marker), 2 setup error.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
GPIO=$HERE/../gpio
export TK_GPIO_TAG=${TK_GPIO_TAG:-kms-vm}
# shellcheck source=../gpio/common.sh
. "$GPIO/common.sh"
# shellcheck source=../vm/lib.sh
. "$HERE/../vm/lib.sh"

usage() { sed -n "/^# Usage:/,/^set -euo/p" "$0" | grep "^#" | sed "s/^# \{0,1\}//" >&2; exit 2; }

ARCH=x86_64 SYSROOT='' BUILD=build KIOSK='' DISPLAYS=() ENVS=() WITH_GL=0 TIMEOUT=420 OUT='' MEM=1536M SMP=2 KEEP=0
QUIET=0 SCRIPT=
while [ $# -gt 0 ]; do
	case $1 in
	--arch) ARCH=$2; shift 2 ;;
	--sysroot) SYSROOT=$2; shift 2 ;;
	--build) BUILD=$2; shift 2 ;;
	--kiosk) KIOSK=$2; shift 2 ;;
	--display) DISPLAYS+=("$2"); shift 2 ;;
	--with-libgl) WITH_GL=1; shift ;;
	-e | --env) ENVS+=("$2"); shift 2 ;;
	-t | --timeout) TIMEOUT=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
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
case $ARCH in
x86_64)
	TRIPLET=x86_64-linux-gnu MACHINE=X86-64 SYSROOT=''
	[ ${#DISPLAYS[@]} -gt 0 ] || DISPLAYS=(virtio-gpu-pci:1280x720 std:1024x768) ;;
arm64)
	TRIPLET=aarch64-linux-gnu MACHINE=AArch64
	[ -n "$SYSROOT" ] && [ -x "$SYSROOT/bin/busybox" ] ||
		tk_die "--arch arm64 needs --sysroot DIR, the cross build's sysroot with busybox (make cross)"
	SYSROOT=$(cd "$SYSROOT" && pwd)
	[ ${#DISPLAYS[@]} -gt 0 ] || DISPLAYS=(virtio-gpu-pci:1280x720 bochs-display:1024x768) ;;
*) tk_die "--arch $ARCH: x86_64 or arm64" ;;
esac
KIOSK=${KIOSK:-$BUILD/tallykiosk}
CTL=$BUILD/tallyctl
[ -x "$KIOSK" ] && [ -x "$CTL" ] || tk_die "no $KIOSK / $CTL: build first (make all, or make cross)"
for b in "$KIOSK" "$CTL"; do
	case $(readelf -h "$b" 2>/dev/null) in
	*"Machine:"*"$MACHINE"*) ;;
	*) tk_die "$b is not an $MACHINE program (the VM is $ARCH; --arch?)" ;;
	esac
done

mapfile -t CACHES < <("$HERE/prepare.sh" --arch "$ARCH")
KC=${CACHES[0]:-} PC=${CACHES[1]:-}
[ -s "$KC/manifest" ] && [ -s "$PC/kmods/order" ] || tk_die "tests/kms/prepare.sh failed"
KERNEL=$KC/vmlinuz
[ -s "$KC/vmlinux" ] && KERNEL=$KC/vmlinux

WORK=$(mktemp -d /tmp/tk-kms-vm.XXXXXX)
OUT_TMP=0
if [ -z "$OUT" ]; then OUT=$WORK/out; OUT_TMP=1; fi
mkdir -p "$OUT"
VM_QPID='' SPID='' VM_TPID=''
RC=2
cleanup() {
	[ -n "$VM_QPID" ] && kill "$VM_QPID" 2>/dev/null
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	[ -n "$VM_TPID" ] && kill "$VM_TPID" 2>/dev/null
	if [ "$OUT_TMP" = 1 ] && [ "$RC" != 0 ] && [ "$KEEP" = 0 ]; then
		# a failed run keeps its evidence
		local keep
		keep=$(mktemp -d /tmp/tk-kms-out.XXXXXX)
		cp -r "$OUT/." "$keep/"
		tk_log "screen dumps and console log kept in $keep"
	fi
	if [ "$KEEP" = 1 ]; then tk_log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# the displays: qemu devices, and their ids for the guest
DEV=()
DESC=()
DEVENV=()
for d in "${DISPLAYS[@]}"; do
	IFS=: read -r kind res id <<<"$d"
	w=${res%x*} h=${res#*x}
	[[ $w =~ ^[0-9]+$ && $h =~ ^[0-9]+$ ]] || tk_die "--display $d: size must be WxH"
	case $kind in
	virtio-gpu-pci) id=${id:-vgpu0} DEV+=(-device "virtio-gpu-pci,id=$id,xres=$w,yres=$h") ;;
	virtio-vga) id=${id:-vvga0} DEV+=(-device "virtio-vga,id=$id,xres=$w,yres=$h") ;;
	std) id=${id:-std0} DEV+=(-device "VGA,id=$id,xres=$w,yres=$h,edid=on") ;;
	bochs-display) id=${id:-hot0} DEV+=(-device "bochs-display,id=$id,xres=$w,yres=$h,edid=on") ;;
	*) tk_die "--display $d: KIND is virtio-gpu-pci, virtio-vga, std or bochs-display" ;;
	esac
	# the guest script finds what to ask the host to dump by the kind of display
	DEVENV+=("KMS_DEV_${kind//-/_}=$id")
	DESC+=("$kind ${w}x$h")
done

# ------------------------------------------------------------------------- the initramfs
T_BUILD0=$(tk_now)
R=$WORK/root
ML=/usr/lib/$TRIPLET
vm_guest_base "$R" "$SCRIPT" ${SYSROOT:+"$SYSROOT" "$TRIPLET"}
mkdir -p "$R"/{run,usr/bin,usr/lib64}
mkdir -p "$R$ML/dri" "$R/opt/tallykiosk/bin" "$R/opt/tallykiosk/share/tallykiosk"
# merged /usr, as on Debian: /lib/x86_64-linux-gnu/... and /usr/lib/... are the same files
ln -s usr/lib "$R/lib"
ln -s usr/lib64 "$R/lib64"
ln -s bin "$R/sbin"

# put SRC DEST: one file, dereferenced (DEST under /lib goes to /usr/lib)
put() {
	local d=$2
	case $d in /lib/* | /lib64/*) d=/usr$d ;; esac
	[ -e "$R$d" ] && return 0
	mkdir -p "$R$(dirname "$d")"
	cp -L "$1" "$R$d"
}
# libs_of FILE: what the dynamic loader lists for FILE, as ldd prints it (guest paths). The
# arm64 loader of the sysroot runs under qemu-user, -L mapping its paths into the sysroot.
libs_of() {
	if [ -z "$SYSROOT" ]; then
		ldd "$1" 2>/dev/null || true
	else
		qemu-aarch64 -L "$SYSROOT" "$SYSROOT/lib/ld-linux-aarch64.so.1" --list "$1" 2>&1 || true
	fi
}
# put_elf SRC [DEST]: an ELF file (SRC on the host) and every library the loader lists for it
# (from the sysroot for arm64), with the loader itself
put_elf() {
	local src=$1 dest=${2:-$1} lddout l
	put "$src" "$dest"
	lddout=$(libs_of "$src")
	[[ $lddout != *"not found"* ]] ||
		tk_die "$src: the loader reports missing libraries: $(grep 'not found' <<<"$lddout" | tr -s '\t\n' '  ')"
	for l in $(grep -o '/[^ ]*' <<<"$lddout" || true); do
		l=${l#"$SYSROOT"} # the loader names itself by the path it was run as
		[ -e "$SYSROOT$l" ] || tk_die "$src: $l (listed by the loader) is not in ${SYSROOT:-/}"
		put "$SYSROOT$l" "$l"
	done
}
put_elf "$KIOSK" /opt/tallykiosk/bin/tallykiosk
put_elf "$CTL" /opt/tallykiosk/bin/tallyctl
# what SDL's KMSDRM driver and Mesa open with dlopen (ldd does not list them)
DL=(libdrm.so.2 libgbm.so.1 libEGL.so.1 libEGL_mesa.so.0 libGLESv2.so.2 libudev.so.1)
[ "$WITH_GL" = 1 ] && DL+=(libGL.so.1)
for l in "${DL[@]}"; do
	[ -e "$SYSROOT$ML/$l" ] || tk_die "$SYSROOT$ML/$l missing (run tests/kms/prepare.sh, or make cross)"
	put_elf "$SYSROOT$ML/$l" "$ML/$l"
done
# Mesa's gallium megadriver: one file the loader opens under the DRM driver's name
# (virtio_gpu, which falls back to kms_swrast without virgl; bochs has none: kms_swrast)
put_elf "$SYSROOT$ML/dri/swrast_dri.so" "$ML/dri/swrast_dri.so"
for n in kms_swrast virtio_gpu; do ln -sf swrast_dri.so "$R$ML/dri/${n}_dri.so"; done
put "$SYSROOT/usr/share/glvnd/egl_vendor.d/50_mesa.json" /usr/share/glvnd/egl_vendor.d/50_mesa.json
[ -f "$SYSROOT/usr/share/drirc.d/00-mesa-defaults.conf" ] &&
	put "$SYSROOT/usr/share/drirc.d/00-mesa-defaults.conf" /usr/share/drirc.d/00-mesa-defaults.conf
for d in /etc/fonts /usr/share/fontconfig /usr/share/fonts/truetype/dejavu; do
	mkdir -p "$R$(dirname "$d")"
	cp -rL "$d" "$R$d"
done
# the kiosk finds its bundled assets at ../share/tallykiosk beside its binary
cp -r "$HERE/../../assets/." "$R/opt/tallykiosk/share/tallykiosk/"
# modules: configfs and gpio-sim from the gpio cache, then the DRM ones in order
[ -s "$KC/kmods/configfs.ko" ] && vm_guest_module "$R" "$KC/kmods/configfs.ko" configfs
[ -s "$KC/gpio-sim.ko" ] && vm_guest_module "$R" "$KC/gpio-sim.ko" gpio-sim
for m in $(cat "$PC/kmods/order"); do vm_guest_module "$R" "$PC/kmods/$m.ko" "$m"; done
cp "$HERE/guest/kmsscreen.sh" "$R/test/lib/kmsscreen.sh"
# llvmpipe with 128-bit vectors: TCG emulates AVX2 slowly (press-to-frame ~7 s -> ~2 s); the
# guest's end of the host's screen requests (guest/kmsscreen.sh): a virtio port on arm64
PORTENV=()
[ "$ARCH" = arm64 ] && PORTENV=(TK_KMS_PORT=virtio:tk.ctl)
vm_guest_env "$R/test/env" LP_NATIVE_VECTOR_WIDTH=128 ${PORTENV[@]+"${PORTENV[@]}"} "${DEVENV[@]}" \
	${ENVS[@]+"${ENVS[@]}"}
GUEST_TIMEOUT=$((TIMEOUT > 30 ? TIMEOUT - 15 : TIMEOUT))
vm_guest_init "$R" tests/kms/vm.sh "$GUEST_TIMEOUT" \
	'export PATH=/test/bin:/opt/tallykiosk/bin:/usr/bin:/bin
export HOME=/root TMPDIR=/tmp XDG_RUNTIME_DIR=/run XDG_CACHE_HOME=/tmp/cache XDG_STATE_HOME=/tmp/state' \
	'mkdir -p /dev/shm /tmp/cache /tmp/state && mount -t tmpfs tmpfs /dev/shm
chmod 700 /run'
# uncompressed: ~250 MB with LLVM, but zstd boots ~5 s slower under TCG
vm_initramfs "$R" "$WORK/initrd.img" none
T_BUILD1=$(tk_now)
tk_log "initramfs $(du -m "$WORK/initrd.img" | cut -f1) MB built in $(tk_dt "$T_BUILD1" "$T_BUILD0")s"

# ------------------------------------------------------------------------------ boot
RAW=$WORK/console.raw
QMP=$WORK/qmp.sock CTLSOCK=$WORK/ctl.sock
vm_qemu_cmd tcg "$MEM" "$SMP" "$KERNEL" "$WORK/initrd.img" '' "$ARCH"
# the screen requests: a second serial port, or (arm64) a virtio serial port named tk.ctl
CTLDEV=(-serial chardev:ctl)
[ "$ARCH" = arm64 ] && CTLDEV=(-device virtio-serial-pci -device "virtserialport,chardev=ctl,name=tk.ctl")
TB0=$(tk_now)
tk_log "booting qemu $ARCH (TCG, ${DESC[*]}, $MEM, $SMP cpu, limit ${TIMEOUT}s)"
vm_qemu_start "$TIMEOUT" "$WORK/qemu.out" "$RAW" "$QUIET" "${VM_QEMU[@]}" "${DEV[@]}" \
	-qmp "unix:$QMP,server=on,wait=off" -serial "file:$RAW" \
	-chardev "socket,id=ctl,path=$CTLSOCK,server=on,wait=off" "${CTLDEV[@]}"
python3 "$HERE/screen.py" "$QMP" "$CTLSOCK" "$OUT" 2>"$OUT/screen.log" &
SPID=$!
vm_qemu_wait
QRC=$VM_QRC
TB1=$(tk_now)
wait "$SPID" 2>/dev/null || true
SPID=
tr -d '\r' <"$RAW" >"$OUT/console.log"
cat "$WORK/qemu.out" >>"$OUT/console.log"
[ "$QRC" = 124 ] && tk_log "qemu killed after ${TIMEOUT}s"
tk_log "TIMINGS: initramfs=$(tk_dt "$T_BUILD1" "$T_BUILD0")s boot-to-result=$(tk_dt "$TB1" "$TB0")s total=$(tk_elapsed)s qemu_rc=$QRC"
LOG=$OUT/console.log
if vm_verdict "$LOG"; then
	RC=0
	exit 0
fi
RC=1
exit 1
