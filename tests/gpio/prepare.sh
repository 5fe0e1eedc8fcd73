#!/usr/bin/env bash
# prepare.sh - gets everything the gpio-sim VM harness (vm.sh) needs, once:
#   1. installs the Debian packages (qemu, busybox-static, cpio, kmod, the
#      kernel headers, a compiler, libgpiod-dev, fonts) with apt-get, through
#      sudo when not root; skipped entirely when all are already installed;
#   2. resolves the guest kernel (the ABI linux-headers-amd64 points at);
#   3. downloads linux-image-<kver> with 'apt-get download' and unpacks it
#      with dpkg-deb -x (it is NOT installed: /boot and /lib/modules of the
#      host are left alone), keeping vmlinuz, config and configfs.ko;
#   4. gets gpio-sim.ko: the kernel's own module if it has CONFIG_GPIO_SIM=m,
#      otherwise (Debian 12: "not set") builds it out of tree from three files
#      of linux-source-<series> of the same Debian version, bundling
#      irq_sim.c and patching its one use of the unexported irq_to_desc().
# Everything lands in the cache directory (see common.sh; env TK_GPIO_CACHE
# overrides it) with a manifest; a second run only checks and is ~instant.
# Prints the cache directory on stdout. Exit 0 ok, 2 setup error.
# Env: TK_GPIO_CACHE, TK_GPIO_SKIP_INSTALL=1 (no apt-get install at all).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
export TK_GPIO_TAG=prepare
# shellcheck source=common.sh
. "$HERE/common.sh"
T_START=$(tk_now)

PKGS=(qemu-system-x86 busybox-static cpio kmod xz-utils zstd binutils gcc make libc6-dev
	linux-headers-amd64 libgpiod-dev fontconfig-config fonts-dejavu-core util-linux)

# ------------------------------------------------------------------ 1. packages
tk_apt_install "${PKGS[@]}"
UPDATED=$TK_APT_UPDATED
T_PKG=$(tk_now)
tk_log "packages ok ($(tk_dt "$T_PKG" "$T_START")s)"

# ------------------------------------------------------------ 2. kernel version
tk_resolve_kernel || tk_die "cannot resolve the kernel from linux-headers-amd64"
tk_cache_dir
KC=$TK_KC
KVER=$TK_KVER KDEBVER=$TK_KDEBVER KSERIES=$TK_KSERIES
mkdir -p "$KC"
exec 9>"$KC/.lock"
flock 9 # two prepares at once: the second waits, then finds the cache warm

MANIFEST_FORMAT=2 # bump when the cache gains a new artefact
if grep -qx "FORMAT=$MANIFEST_FORMAT" "$KC/manifest" 2>/dev/null; then
	tk_log "cache warm: $KC ($(tk_dt "$(tk_now)" "$T_START")s)"
	echo "$KC"
	exit 0
fi
tk_log "kernel $KVER (Debian $KDEBVER), cache $KC is cold or incomplete"

WORK=$(mktemp -d /tmp/tk-gpio-prepare.XXXXXX)
chmod 755 "$WORK" # so apt's _apt sandbox user may write the download there
trap 'rm -rf "$WORK"' EXIT

# apt_download PKG=VER: into $WORK; retries once after 'apt-get update'
# (a cold apt list, or the mirror has moved on).
apt_download() {
	local spec=$1 name=${1%%=*}
	for try in 1 2; do
		(cd "$WORK" && "${TK_APT[@]}" download -q "$spec" 2>&1 |
			grep -v 'unsandboxed as root' >&2) || true
		DEB=$(find "$WORK" -maxdepth 1 -name "${name}_*.deb" | head -n1)
		[ -n "$DEB" ] && return 0
		[ "$try" = 1 ] && [ "$UPDATED" = 0 ] || break
		tk_log "download of $spec failed; apt-get update and retry"
		tk_root "${TK_APT[@]}" update -qq
		UPDATED=1
	done
	tk_die "cannot download $spec (the mirror may have a newer kernel ABI: \
apt-get install linux-headers-amd64 to upgrade, then rerun)"
}

# ---------------------------------------------------------- 3. the kernel image
T3=$(tk_now)
if [ ! -s "$KC/vmlinuz" ] || [ ! -s "$KC/config" ]; then
	apt_download "linux-image-$KVER=$KDEBVER"
	mkdir -p "$WORK/kimg" "$KC/kmods"
	dpkg-deb -x "$DEB" "$WORK/kimg"
	rm -f "$DEB"
	cp "$WORK/kimg/boot/config-$KVER" "$KC/config"
	# only the modules the harness loads, decompressed (busybox insmod takes plain .ko)
	for m in fs/configfs/configfs drivers/gpio/gpio-sim; do
		for ext in ko ko.xz ko.zst ko.gz; do
			f="$WORK/kimg/lib/modules/$KVER/kernel/$m.$ext"
			[ -f "$f" ] || continue
			out="$KC/kmods/$(basename "$m").ko"
			case $ext in
			ko) cp "$f" "$out" ;;
			ko.xz) xz -dc "$f" >"$out" ;;
			ko.zst) zstd -qdc "$f" >"$out" ;;
			ko.gz) gzip -dc "$f" >"$out" ;;
			esac
		done
	done
	cp "$WORK/kimg/boot/vmlinuz-$KVER" "$KC/vmlinuz.tmp"
	rm -rf "$WORK/kimg"
	mv "$KC/vmlinuz.tmp" "$KC/vmlinuz"
fi
cfg() { grep -q "^CONFIG_$1=$2" "$KC/config"; }
cfg CONFIGFS_FS '[ym]' || tk_die "kernel lacks CONFIGFS_FS"
cfg GPIO_CDEV y || tk_die "kernel lacks GPIO_CDEV"
cfg GPIO_CDEV_V1 y || tk_die "kernel lacks GPIO_CDEV_V1 (libgpiod v1 needs it)"
if cfg CONFIGFS_FS m; then [ -s "$KC/kmods/configfs.ko" ] || tk_die "configfs.ko not in the image"; fi
# The bzImage is xz-compressed, and xz-decompressing it under TCG costs ~4 s
# per boot. A kernel with CONFIG_PVH=y can instead be booted from its plain
# ELF vmlinux (qemu -kernel vmlinux uses the PVH entry note): unpack it once.
# Payload offset/length are in the bzImage setup header (0x248/0x24c, from the
# start of the protected-mode code at (setup_sects+1)*512).
if [ ! -s "$KC/vmlinux" ] && cfg PVH y; then
	le() { od -An -tu"$3" -j "$2" -N"$3" "$1" | tr -d ' '; }
	ss=$(le "$KC/vmlinuz" $((0x1f1)) 1)
	po=$(le "$KC/vmlinuz" $((0x248)) 4)
	pl=$(le "$KC/vmlinuz" $((0x24c)) 4)
	dd if="$KC/vmlinuz" of="$WORK/payload" bs=1M iflag=skip_bytes,count_bytes \
		skip=$(((ss + 1) * 512 + po)) count="$pl" status=none
	unpack=()
	case $(od -An -tx1 -N6 "$WORK/payload" | tr -d ' ') in
	fd377a585a00) unpack=(xz -dc --single-stream) ;;
	1f8b*) unpack=(gzip -dc) ;;
	28b52ffd*) unpack=(zstd -qdc) ;;
	esac
	notes=
	if [ -n "${unpack[*]}" ] && "${unpack[@]}" <"$WORK/payload" >"$WORK/vmlinux" 2>/dev/null; then
		notes=$(readelf -n "$WORK/vmlinux" 2>/dev/null || true)
	fi
	# XEN_ELFNOTE_PHYS32_ENTRY (18): the PVH entry point qemu needs
	if [[ $notes == *"(0x00000012)"* || $notes == *PHYS32_ENTRY* ]]; then
		mv "$WORK/vmlinux" "$KC/vmlinux"
	else
		tk_log "note: could not unpack a PVH vmlinux; vm.sh boots the bzImage (slower)"
	fi
	rm -f "$WORK/payload" "$WORK/vmlinux"
fi
T4=$(tk_now)
tk_log "kernel image ready ($(tk_dt "$T4" "$T3")s)"

# ------------------------------------------------------------- 4. gpio-sim.ko
if cfg GPIO_SIM y; then
	SIMSRC=builtin
elif cfg GPIO_SIM m && [ -s "$KC/kmods/gpio-sim.ko" ]; then
	SIMSRC=distro
	cp "$KC/kmods/gpio-sim.ko" "$KC/gpio-sim.ko"
elif [ -s "$KC/gpio-sim.ko" ]; then
	SIMSRC="out-of-tree"
else
	SIMSRC="out-of-tree"
	tk_log "CONFIG_GPIO_SIM is not set: building gpio-sim.ko out of tree"
	apt_download "linux-source-$KSERIES=$KDEBVER"
	tk_build_gpio_sim "$DEB" "/usr/src/linux-headers-$KVER" "$KC/gpio-sim.ko"
	rm -f "$DEB"
fi
T5=$(tk_now)
tk_log "gpio-sim: $SIMSRC ($(tk_dt "$T5" "$T4")s)"

{
	echo "FORMAT=$MANIFEST_FORMAT"
	echo "KVER=$KVER"
	echo "KDEBVER=$KDEBVER"
	echo "SIMSRC=$SIMSRC"
	echo "CONFIGFS=$(grep '^CONFIG_CONFIGFS_FS=' "$KC/config" | cut -d= -f2)"
	if [ -s "$KC/vmlinux" ]; then echo "BOOT=pvh"; else echo "BOOT=bzimage"; fi
} >"$KC/manifest.tmp"
mv "$KC/manifest.tmp" "$KC/manifest"
tk_log "cache ready: $KC ($(du -sh "$KC" | cut -f1)), total $(tk_dt "$(tk_now)" "$T_START")s"
echo "$KC"
