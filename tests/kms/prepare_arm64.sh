# shellcheck shell=bash
# prepare_arm64.sh - the arm64 part of tests/kms/prepare.sh (sourced by it for --arch arm64;
# see the top of prepare.sh): Debian's arm64 kernel, its modules and a cross-built gpio-sim.ko
# for the `make test-pi-vm` guest (qemu-system-aarch64 -M virt).

[ -n "${TK_KMS_APT_OPTS:-}" ] ||
	tk_die "TK_KMS_APT_OPTS is empty: give the apt-get options of the arm64 sysroot's apt state (make test-pi-vm does)"
# word splitting on purpose: a list of -o NAME=VALUE options without spaces in them
read -r -a ARM_APT_OPTS <<<"$TK_KMS_APT_OPTS"
arm_apt() { env DEBIAN_FRONTEND=noninteractive apt-get -q "${ARM_APT_OPTS[@]}" "$@"; }
arm_cache() { apt-cache "${ARM_APT_OPTS[@]}" "$@"; }

# the kernel linux-headers-arm64 points at in the arm64 lists (not the host's kernel: the
# two architectures' ABI numbers move on at different times)
hdr=$(arm_cache depends linux-headers-arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-headers-[^ ]*-arm64\)$/\1/p' | head -n1)
[ -n "$hdr" ] || tk_die "linux-headers-arm64 not in the arm64 package lists (run make cross-deps)"
KVER=${hdr#linux-headers-}
KDEBVER=$(arm_cache show "$hdr" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
[ -n "$KDEBVER" ] || tk_die "no version of $hdr in the arm64 package lists"
KSERIES=$(echo "$KVER" | cut -d. -f1-2)

tk_apt_install qemu-system-arm qemu-user gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu \
	"linux-kbuild-$KSERIES" make kmod cpio xz-utils zstd tesseract-ocr tesseract-ocr-eng python3 \
	fontconfig-config fonts-dejavu-core
# the headers need the kernel's own build tools at least as new as they are
need=$(arm_cache show "$hdr" 2>/dev/null | grep -o "linux-kbuild-$KSERIES (>= [^)]*)" | head -n1 |
	sed 's/.*>= //; s/)//')
have=$(dpkg-query -W -f='${Version}' "linux-kbuild-$KSERIES")
if [ -n "$need" ] && dpkg --compare-versions "$have" lt "$need"; then
	tk_log "linux-kbuild-$KSERIES $have is older than $need (what $hdr needs): upgrading it"
	[ "${TK_GPIO_SKIP_INSTALL:-0}" = 1 ] && tk_die "linux-kbuild-$KSERIES $have < $need"
	tk_root "${TK_APT[@]}" update -qq
	tk_root "${TK_APT[@]}" install -y -qq --no-install-recommends "linux-kbuild-$KSERIES" >/dev/null
fi

PC=${TK_KMS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tallykiosk-kms/$KVER-$KDEBVER}
KC=$PC/gpio
mkdir -p "$KC/kmods"
exec 9>"$PC/.lock"
flock 9 # two prepares at once: the second waits, then finds the cache warm
FORMAT=1
if grep -qx "FORMAT=$FORMAT" "$PC/manifest" 2>/dev/null; then
	tk_log "cache warm: $PC ($(tk_dt "$(tk_now)" "$T_START")s)"
	printf '%s\n%s\n' "$KC" "$PC"
	return 0
fi
tk_log "arm64 kernel $KVER (Debian $KDEBVER): collecting it into $PC"
W=$(mktemp -d /tmp/tk-kms-arm64.XXXXXX)
chmod 755 "$W" # apt's _apt sandbox user writes the downloads here
trap 'rm -rf "$W"' EXIT
(cd "$W" && arm_apt download "linux-image-$KVER=$KDEBVER" "$hdr=$KDEBVER" \
	"linux-headers-${KVER%-arm64}-common=$KDEBVER" "linux-source-$KSERIES=$KDEBVER" 2>&1 |
	grep -v 'unsandboxed as root' >&2) || true
deb() { find "$W" -maxdepth 1 -name "$1_*.deb" | head -n1; }
for p in "linux-image-$KVER" "$hdr" "linux-headers-${KVER%-arm64}-common" "linux-source-$KSERIES"; do
	[ -n "$(deb "$p")" ] || tk_die "cannot download $p=$KDEBVER (arm64)"
done

# the kernel: -M virt boots the plain Image (uncompressed in Debian's arm64 package)
mkdir -p "$W/img"
dpkg-deb --fsys-tarfile "$(deb "linux-image-$KVER")" |
	tar -x -C "$W/img" "./boot/vmlinuz-$KVER" "./boot/config-$KVER"
cp "$W/img/boot/config-$KVER" "$KC/config"
cp "$W/img/boot/vmlinuz-$KVER" "$KC/vmlinuz"
cfg() { grep -q "^CONFIG_$1=$2" "$KC/config"; }
cfg GPIO_CDEV y && cfg GPIO_CDEV_V1 y || tk_die "$KVER lacks GPIO_CDEV(_V1)"
# configfs for gpio-sim (the gpio part), then the display and the host's serial port
TK_KERNEL_DEB=$(deb "linux-image-$KVER") tk_kernel_modules "$KVER" "$KDEBVER" "$W/gmods" configfs
cp "$W/gmods"/*.ko "$KC/kmods/" 2>/dev/null || true
TK_KERNEL_DEB=$(deb "linux-image-$KVER") tk_kernel_modules "$KVER" "$KDEBVER" "$PC/kmods" \
	virtio_pci virtio-gpu bochs virtio_console

# gpio-sim.ko: the arm64 headers are an output tree whose Makefile includes the -common source
# tree by its absolute /usr/src path, and whose scripts/ and tools/ point at the build host's
# linux-kbuild: unpacked here, the include is pointed at the copy beside it.
if cfg GPIO_SIM m; then
	TK_KERNEL_DEB=$(deb "linux-image-$KVER") tk_kernel_modules "$KVER" "$KDEBVER" "$W/sim" gpio-sim
	cp "$W/sim/gpio-sim.ko" "$KC/gpio-sim.ko"
elif ! cfg GPIO_SIM y; then
	mkdir -p "$W/hdr/usr/lib"
	for p in "$hdr" "linux-headers-${KVER%-arm64}-common"; do dpkg-deb -x "$(deb "$p")" "$W/hdr"; done
	ln -s "/usr/lib/linux-kbuild-$KSERIES" "$W/hdr/usr/lib/linux-kbuild-$KSERIES"
	KDIR=$W/hdr/usr/src/linux-headers-$KVER
	sed -i "s|^include /usr/src/|include $W/hdr/usr/src/|" "$KDIR/Makefile"
	tk_build_gpio_sim "$(deb "linux-source-$KSERIES")" "$KDIR" "$KC/gpio-sim.ko" \
		ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
fi
{
	echo "FORMAT=$FORMAT"
	echo "KVER=$KVER"
	echo "KDEBVER=$KDEBVER"
	echo "ARCH=arm64"
	echo "MODULES=configfs gpio-sim $(tr '\n' ' ' <"$PC/kmods/order")"
} >"$PC/manifest.tmp"
cp "$PC/manifest.tmp" "$KC/manifest"
mv "$PC/manifest.tmp" "$PC/manifest"
tk_log "arm64 kernel, modules ($(tr '\n' ' ' <"$PC/kmods/order")) and gpio-sim: $(du -sh "$PC" | cut -f1), total $(tk_dt "$(tk_now)" "$T_START")s"
printf '%s\n%s\n' "$KC" "$PC"
