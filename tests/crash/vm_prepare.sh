#!/usr/bin/env bash
# shellcheck disable=SC2015 # A && B || break on purpose
# vm_prepare.sh - gets what the VM power-cut test (vm_powercut.sh) needs, once:
#   1. runs tests/gpio/prepare.sh: qemu, busybox, kmod, the guest kernel (the
#      PVH vmlinux) in the gpio harness's cache;
#   2. installs e2fsprogs (mkfs.ext4 on the host, e2fsck in the guest), the
#      sqlite3 shell (integrity_check in the guest) and, for the volatile disk
#      model, nbdkit; skipped when all are installed;
#   3. downloads linux-image-<kver> (the same kernel; not installed) and keeps
#      the modules a virtio disk with ext4 needs (virtio_pci, virtio_blk, ext4,
#      crc32c_generic and everything they depend on, by modinfo), decompressed,
#      with a load order, in its own cache:
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
APT=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
UPDATED=0
if [ ${#missing[@]} -gt 0 ]; then
	[ "${TK_GPIO_SKIP_INSTALL:-0}" = 1 ] && tk_die "missing packages: ${missing[*]}"
	tk_log "installing: ${missing[*]}"
	tk_root "${APT[@]}" update -qq
	tk_root "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	UPDATED=1
fi

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

WORK=$(mktemp -d /tmp/tk-pcvm-prepare.XXXXXX)
chmod 755 "$WORK" # apt's _apt sandbox user writes the download here
trap 'rm -rf "$WORK"' EXIT
DEB=
for try in 1 2; do
	(cd "$WORK" && "${APT[@]}" download -q "linux-image-$KVER=$KDEBVER" 2>&1 |
		grep -v 'unsandboxed as root' >&2) || true
	DEB=$(find "$WORK" -maxdepth 1 -name "linux-image-${KVER}_*.deb" | head -n1)
	[ -n "$DEB" ] && break
	[ "$try" = 1 ] && [ "$UPDATED" = 0 ] || break
	tk_log "download failed; apt-get update and retry"
	tk_root "${APT[@]}" update -qq
	UPDATED=1
done
[ -n "$DEB" ] || tk_die "cannot download linux-image-$KVER=$KDEBVER"
mkdir -p "$WORK/kimg"
dpkg-deb -x "$DEB" "$WORK/kimg"
MODDIR=$WORK/kimg/lib/modules/$KVER
[ -d "$MODDIR/kernel" ] || tk_die "no modules in the kernel package"

# modfile NAME: the module's file (names may use - or _)
modfile() {
	local n=$1 alt
	alt=$(echo "$n" | tr _ -)
	find "$MODDIR/kernel" \( -name "$n.ko*" -o -name "$alt.ko*" \) | head -n1
}
ORDER=() SEEN=" "
# visit NAME: depth first, dependencies before the module (built-in ones have no file)
visit() {
	local n=$1 f d
	case $SEEN in *" $n "*) return 0 ;; esac
	SEEN="$SEEN$n "
	f=$(modfile "$n")
	if [ -z "$f" ]; then
		grep -q "/$n.ko\$\|/$(echo "$n" | tr _ -).ko\$" "$MODDIR/modules.builtin" 2>/dev/null ||
			tk_die "module $n: not in the package and not built in"
		return 0
	fi
	for d in $(modinfo -F depends "$f" | tr , ' '); do visit "$d"; done
	ORDER+=("$n")
	case $f in
	*.ko) cp "$f" "$WORK/$n.ko" ;;
	*.ko.xz) xz -dc "$f" >"$WORK/$n.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$WORK/$n.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$WORK/$n.ko" ;;
	esac
}
# crc32c_generic: ext4 and jbd2 ask the crypto API for "crc32c"; without a
# modprobe in the guest nothing would load it on demand.
for m in virtio_pci virtio_blk crc32c_generic ext4; do visit "$m"; done
rm -rf "$PC/kmods"
mkdir -p "$PC/kmods"
for m in "${ORDER[@]}"; do mv "$WORK/$m.ko" "$PC/kmods/"; done
printf '%s\n' "${ORDER[@]}" >"$PC/kmods/order"
{
	echo "FORMAT=$FORMAT"
	echo "KVER=$KVER"
	echo "KDEBVER=$KDEBVER"
	echo "MODULES=${ORDER[*]}"
} >"$PC/manifest.tmp"
mv "$PC/manifest.tmp" "$PC/manifest"
tk_log "modules: ${ORDER[*]} ($(du -sh "$PC" | cut -f1)), total $(tk_dt "$(tk_now)" "$T_START")s"
printf '%s\n%s\n' "$KC" "$PC"
