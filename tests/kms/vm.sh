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
# Usage: vm.sh [OPTION]... GUEST_SCRIPT
#   --build DIR            where tallykiosk and tallyctl are (default build)
#   --kiosk FILE           another tallykiosk binary (e.g. an older build)
#   --display KIND:WxH[:ID]  one display device (repeatable; default virtio-gpu-pci:1280x720
#                          and std:1024x768). KIND: virtio-gpu-pci, virtio-vga, std (-vga std,
#                          the guest's bochs-drm), bochs-display (bochs-drm too, but qemu can
#                          hot-unplug it). ID defaults to vgpu0/vvga0/std0/hot0
#   --with-libgl           put desktop libGL.so.1 in the guest too
#   -e, --env NAME=VALUE   exported in the guest before the script runs
#   -t, --timeout S        hard limit for the whole VM run (default 420)
#       --out DIR          screen dumps (PNG + OCR text) and the console log (default: a temp
#                          dir, removed unless the run fails or --keep)
#   -m, --mem SIZE         guest memory (default 1536M)      --smp N  guest CPUs (default 2)
#       --keep             keep the work dir (initramfs)
#   -q, --quiet            do not stream the console to stdout
# Env: TK_GPIO_CC (cc), TK_GPIO_* and TK_KMS_CACHE (the caches, see prepare.sh).
# Exit 0 PASS, 1 FAIL (or timeout, or no marker), 2 setup error.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
GPIO=$HERE/../gpio
export TK_GPIO_TAG=${TK_GPIO_TAG:-kms-vm}
# shellcheck source=../gpio/common.sh
. "$GPIO/common.sh"

usage() { sed -n "/^# Usage:/,/^set -euo/p" "$0" | grep "^#" | sed "s/^# \{0,1\}//" >&2; exit 2; }

BUILD=build KIOSK='' DISPLAYS=() ENVS=() WITH_GL=0 TIMEOUT=420 OUT='' MEM=1536M SMP=2 KEEP=0
QUIET=0 SCRIPT=
while [ $# -gt 0 ]; do
	case $1 in
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
[ ${#DISPLAYS[@]} -gt 0 ] || DISPLAYS=(virtio-gpu-pci:1280x720 std:1024x768)
KIOSK=${KIOSK:-$BUILD/tallykiosk}
CTL=$BUILD/tallyctl
[ -x "$KIOSK" ] && [ -x "$CTL" ] || tk_die "no $KIOSK / $CTL: build first (make all)"
case $(readelf -h "$KIOSK" 2>/dev/null) in
*X86-64*) ;;
*) tk_die "$KIOSK is not an x86-64 program (the VM is x86-64; a cross build?)" ;;
esac

mapfile -t CACHES < <("$HERE/prepare.sh")
KC=${CACHES[0]:-} PC=${CACHES[1]:-}
[ -s "$KC/manifest" ] && [ -s "$PC/kmods/order" ] || tk_die "tests/kms/prepare.sh failed"
KERNEL=$KC/vmlinuz
[ -s "$KC/vmlinux" ] && KERNEL=$KC/vmlinux

WORK=$(mktemp -d /tmp/tk-kms-vm.XXXXXX)
OUT_TMP=0
if [ -z "$OUT" ]; then OUT=$WORK/out; OUT_TMP=1; fi
mkdir -p "$OUT"
QPID='' SPID='' TPID=''
RC=2
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	[ -n "$TPID" ] && kill "$TPID" 2>/dev/null
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

# ------------------------------------------------------------------------- the initramfs
T_BUILD0=$(tk_now)
R=$WORK/root
ML=/usr/lib/x86_64-linux-gnu
mkdir -p "$R"/{bin,dev,proc,sys,tmp,etc,root,run,modules,usr/bin,usr/lib64,test/bin,test/lib}
mkdir -p "$R$ML/dri" "$R/opt/tallykiosk/bin" "$R/opt/tallykiosk/share/tallykiosk"
# merged /usr, as on Debian: /lib/x86_64-linux-gnu/... and /usr/lib/... are the same files
ln -s usr/lib "$R/lib"
ln -s usr/lib64 "$R/lib64"
ln -s bin "$R/sbin"
cp /bin/busybox "$R/bin/busybox"

# put SRC DEST: one file, dereferenced (DEST under /lib goes to /usr/lib)
put() {
	local d=$2
	case $d in /lib/* | /lib64/*) d=/usr$d ;; esac
	[ -e "$R$d" ] && return 0
	mkdir -p "$R$(dirname "$d")"
	cp -L "$1" "$R$d"
}
# put_elf SRC [DEST]: an ELF file and every library ldd lists for it, with the loader
put_elf() {
	local src=$1 dest=${2:-$1} lddout l
	put "$src" "$dest"
	lddout=$(ldd "$src" 2>/dev/null || true)
	[[ $lddout != *"not found"* ]] || tk_die "$src: ldd reports missing libraries"
	for l in $(grep -o '/[^ ]*' <<<"$lddout" || true); do put "$l" "$l"; done
}
put_elf "$KIOSK" /opt/tallykiosk/bin/tallykiosk
put_elf "$CTL" /opt/tallykiosk/bin/tallyctl
# what SDL's KMSDRM driver and Mesa open with dlopen (ldd does not list them)
DL=(libdrm.so.2 libgbm.so.1 libEGL.so.1 libEGL_mesa.so.0 libGLESv2.so.2 libudev.so.1)
[ "$WITH_GL" = 1 ] && DL+=(libGL.so.1)
for l in "${DL[@]}"; do
	[ -e "$ML/$l" ] || tk_die "$ML/$l missing (run tests/kms/prepare.sh)"
	put_elf "$ML/$l"
done
# Mesa's gallium megadriver: one file the loader opens under the DRM driver's name
# (virtio_gpu, which falls back to kms_swrast without virgl; bochs has none: kms_swrast)
put_elf "$ML/dri/swrast_dri.so"
for n in kms_swrast virtio_gpu; do ln -sf swrast_dri.so "$R$ML/dri/${n}_dri.so"; done
put /usr/share/glvnd/egl_vendor.d/50_mesa.json /usr/share/glvnd/egl_vendor.d/50_mesa.json
[ -f /usr/share/drirc.d/00-mesa-defaults.conf ] &&
	put /usr/share/drirc.d/00-mesa-defaults.conf /usr/share/drirc.d/00-mesa-defaults.conf
for d in /etc/fonts /usr/share/fontconfig /usr/share/fonts/truetype/dejavu; do
	mkdir -p "$R$(dirname "$d")"
	cp -rL "$d" "$R$d"
done
# the kiosk finds its bundled assets at ../share/tallykiosk beside its binary
cp -r "$HERE/../../assets/." "$R/opt/tallykiosk/share/tallykiosk/"
# modules: configfs and gpio-sim from the gpio cache, then the DRM ones in order
: >"$R/modules/order"
for m in configfs gpio-sim; do
	f=$KC/kmods/$m.ko
	[ "$m" = gpio-sim ] && f=$KC/gpio-sim.ko
	[ -s "$f" ] || continue
	cp "$f" "$R/modules/$m.ko"
	echo "$m" >>"$R/modules/order"
done
for m in $(cat "$PC/kmods/order"); do
	cp "$PC/kmods/$m.ko" "$R/modules/"
	echo "$m" >>"$R/modules/order"
done
cp "$GPIO/guest/gpiosim.sh" "$R/test/lib/gpiosim.sh"
cp "$HERE/guest/kmsscreen.sh" "$R/test/lib/kmsscreen.sh"
"${TK_GPIO_CC:-cc}" -std=c11 -O2 -Wall -Wextra -static -o "$R/test/bin/simpulse" \
	"$GPIO/guest/simpulse.c" || tk_die "cannot build tests/gpio/guest/simpulse.c"
cp "$SCRIPT" "$R/test/guest.sh"
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
{
	# llvmpipe with 128-bit vectors: TCG emulates AVX2 slowly (press-to-frame ~7 s -> ~2 s)
	echo "export LP_NATIVE_VECTOR_WIDTH=128"
	for e in ${ENVS[@]+"${ENVS[@]}"}; do
		case $e in [A-Za-z_]*=*) ;; *) tk_die "--env $e: not NAME=VALUE" ;; esac
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
} >"$R/test/env"
GUEST_TIMEOUT=$((TIMEOUT > 30 ? TIMEOUT - 15 : TIMEOUT))
cat >"$R/init" <<EOF
#!/bin/busybox sh
# generated by tests/kms/vm.sh
GUEST_TIMEOUT=$GUEST_TIMEOUT
EOF
cat >>"$R/init" <<'EOF'
/bin/busybox --install -s /bin
export PATH=/test/bin:/opt/tallykiosk/bin:/usr/bin:/bin
export HOME=/root TMPDIR=/tmp XDG_RUNTIME_DIR=/run XDG_CACHE_HOME=/tmp/cache XDG_STATE_HOME=/tmp/state
die() { echo "GPIO_TEST: FAIL: init: $*"; sync; poweroff -f; sleep 10; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /tmp/cache /tmp/state && mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
chmod 700 /run
for m in $(cat /modules/order); do insmod "/modules/$m.ko" || die "insmod $m"; done
mount -t configfs none /sys/kernel/config || die "mount configfs"
[ -d /sys/kernel/config/gpio-sim ] || die "no gpio-sim in configfs"
echo "GPIO_VM: init ready, kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime)s"
( sleep "$GUEST_TIMEOUT"; echo "GPIO_TEST: FAIL: guest watchdog (${GUEST_TIMEOUT}s)"; sync; poweroff -f ) &
. /test/env
cd /tmp
( sh /test/guest.sh; echo $? >/tmp/guest.rc ) 2>&1 | tee /tmp/guest.log
rc=$(cat /tmp/guest.rc 2>/dev/null || echo none)
if [ "$rc" != 0 ] && ! grep -q '^GPIO_TEST: FAIL' /tmp/guest.log; then
	echo "GPIO_TEST: FAIL: guest script exited $rc"
elif ! grep -q '^GPIO_TEST: ' /tmp/guest.log; then
	echo "GPIO_TEST: FAIL: guest script printed no GPIO_TEST marker"
fi
sync
poweroff -f
sleep 10
EOF
chmod +x "$R/init"
# uncompressed: ~250 MB with LLVM, but zstd boots ~5 s slower under TCG
(cd "$R" && find . | cpio -o -H newc --quiet >"$WORK/initrd.img")
T_BUILD1=$(tk_now)
tk_log "initramfs $(du -m "$WORK/initrd.img" | cut -f1) MB built in $(tk_dt "$T_BUILD1" "$T_BUILD0")s"

# ------------------------------------------------------------------------------ boot
DEV=()
DESC=()
for d in "${DISPLAYS[@]}"; do
	IFS=: read -r kind res id <<<"$d"
	w=${res%x*} h=${res#*x}
	[[ $w =~ ^[0-9]+$ && $h =~ ^[0-9]+$ ]] || tk_die "--display $d: size must be WxH"
	case $kind in
	virtio-gpu-pci) DEV+=(-device "virtio-gpu-pci,id=${id:-vgpu0},xres=$w,yres=$h") ;;
	virtio-vga) DEV+=(-device "virtio-vga,id=${id:-vvga0},xres=$w,yres=$h") ;;
	std) DEV+=(-device "VGA,id=${id:-std0},xres=$w,yres=$h,edid=on") ;;
	bochs-display) DEV+=(-device "bochs-display,id=${id:-hot0},xres=$w,yres=$h,edid=on") ;;
	*) tk_die "--display $d: KIND is virtio-gpu-pci, virtio-vga, std or bochs-display" ;;
	esac
	DESC+=("$kind ${w}x$h")
done
RAW=$WORK/console.raw
QMP=$WORK/qmp.sock CTLSOCK=$WORK/ctl.sock
QEMU=(qemu-system-x86_64 -accel tcg -cpu max -m "$MEM" -smp "$SMP"
	-nodefaults -no-user-config -display none "${DEV[@]}"
	-qmp "unix:$QMP,server=on,wait=off"
	-serial "file:$RAW"
	-chardev "socket,id=ctl,path=$CTLSOCK,server=on,wait=off" -serial chardev:ctl
	-no-reboot -net none -kernel "$KERNEL" -initrd "$WORK/initrd.img"
	-append "console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init")
: >"$RAW"
TB0=$(tk_now)
tk_log "booting qemu (TCG, ${DESC[*]}, $MEM, $SMP cpu, limit ${TIMEOUT}s)"
timeout -k 5 "$TIMEOUT" "${QEMU[@]}" </dev/null >"$WORK/qemu.out" 2>&1 &
QPID=$!
if [ "$QUIET" = 0 ]; then
	tail -s 0.2 -n +1 -f --pid="$QPID" "$RAW" | tr -d '\r' &
	TPID=$!
fi
python3 "$HERE/screen.py" "$QMP" "$CTLSOCK" "$OUT" 2>"$OUT/screen.log" &
SPID=$!
set +e
wait "$QPID"
QRC=$?
set -e
QPID=
TB1=$(tk_now)
if [ -n "$TPID" ]; then
	wait "$TPID" 2>/dev/null || true
	TPID=
	echo
fi
wait "$SPID" 2>/dev/null || true
SPID=
tr -d '\r' <"$RAW" >"$OUT/console.log"
cat "$WORK/qemu.out" >>"$OUT/console.log"
[ "$QRC" = 124 ] && tk_log "qemu killed after ${TIMEOUT}s"
tk_log "TIMINGS: initramfs=$(tk_dt "$T_BUILD1" "$T_BUILD0")s boot-to-result=$(tk_dt "$TB1" "$TB0")s total=$(tk_elapsed)s qemu_rc=$QRC"
LOG=$OUT/console.log
RESULT=$(grep -E '^GPIO_TEST: (PASS|FAIL)' "$LOG" | tail -n1 || true)
if [[ $RESULT == "GPIO_TEST: PASS"* ]] && ! grep -q '^GPIO_TEST: FAIL' "$LOG"; then
	RC=0
	tk_log "RESULT: PASS"
	exit 0
fi
RC=1
[ -n "$RESULT" ] || RESULT="no GPIO_TEST marker (qemu rc $QRC)"
fails=$(grep -E '^ *FAIL ' "$LOG" || true)
[ -z "$fails" ] || while IFS= read -r l; do tk_log "  ${l#"${l%%[! ]*}"}"; done <<<"$fails"
tk_log "RESULT: FAIL ($RESULT)"
exit 1
