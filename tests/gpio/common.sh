# shellcheck shell=bash disable=SC2034
# common.sh - host-side helpers shared by the gpio-sim VM harness scripts
# (prepare.sh, vm.sh, test_*.sh) and by tests/kms and tests/crash's VM scripts. Source it; it
# defines logging, timing, installing packages, the kernel-version resolution, the cache
# location and the kernel-module collector. Nothing runs on source.
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

TK_APT=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

# tk_apt_install PKG...: installs those of the Debian packages that are not installed (apt-get
# update first; through sudo when not root). Sets TK_APT_UPDATED to 1 when it ran apt-get
# update, else 0. With TK_GPIO_SKIP_INSTALL=1 a missing package is an error instead.
tk_apt_install() {
	local p missing=()
	TK_APT_UPDATED=0
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	[ "${TK_GPIO_SKIP_INSTALL:-0}" = 1 ] && tk_die "missing packages: ${missing[*]}"
	tk_log "installing: ${missing[*]}"
	tk_root "${TK_APT[@]}" update -qq
	tk_root "${TK_APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	TK_APT_UPDATED=1
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

# tk_kernel_modules KVER KDEBVER OUTDIR MODULE...: the kernel's own modules MODULE... and
# everything they depend on (modinfo depends), decompressed (busybox insmod takes plain .ko),
# into OUTDIR, with OUTDIR/order listing them dependencies first. linux-image-KVER=KDEBVER is
# downloaded with apt-get download, not installed; or, with TK_KERNEL_DEB set, that .deb is
# used (a foreign architecture's image, downloaded by the caller). Built-in modules are skipped.
tk_kernel_modules() {
	local kver=$1 kdebver=$2 out=$3 work deb='' moddir m
	shift 3
	work=$(mktemp -d /tmp/tk-kmods.XXXXXX)
	chmod 755 "$work" # apt's _apt sandbox user writes the download here
	[ -z "${TK_KERNEL_DEB:-}" ] || deb=$TK_KERNEL_DEB
	[ -n "$deb" ] || for _ in 1 2; do
		(cd "$work" && "${TK_APT[@]}" download -q "linux-image-$kver=$kdebver" 2>&1 | grep -v 'unsandboxed as root' >&2) || true
		deb=$(find "$work" -maxdepth 1 -name "linux-image-${kver}_*.deb" | head -n1)
		[ -n "$deb" ] && break
		tk_log "download of linux-image-$kver failed; apt-get update and retry"
		tk_root "${TK_APT[@]}" update -qq
	done
	[ -n "$deb" ] || { rm -rf "$work"; tk_die "cannot download linux-image-$kver=$kdebver"; }
	mkdir -p "$work/kimg"
	dpkg-deb -x "$deb" "$work/kimg"
	moddir=$work/kimg/lib/modules/$kver
	[ -d "$moddir/kernel" ] || { rm -rf "$work"; tk_die "no modules in linux-image-$kver"; }
	_TK_ORDER=() _TK_SEEN=" "
	for m in "$@"; do _tk_visit_module "$moddir" "$work" "$m"; done
	rm -rf "$out"
	mkdir -p "$out"
	for m in "${_TK_ORDER[@]}"; do mv "$work/$m.ko" "$out/"; done
	printf '%s\n' "${_TK_ORDER[@]}" >"$out/order"
	rm -rf "$work"
}

# _tk_visit_module MODDIR WORK NAME: depth first, dependencies before the module.
_tk_visit_module() {
	local moddir=$1 work=$2 n=$3 f d alt
	case $_TK_SEEN in *" $n "*) return 0 ;; esac
	_TK_SEEN="$_TK_SEEN$n "
	alt=$(echo "$n" | tr _- -_)
	f=$(find "$moddir/kernel" \( -name "$n.ko*" -o -name "$(echo "$n" | tr _ -).ko*" \
		-o -name "$(echo "$n" | tr - _).ko*" \) | head -n1)
	if [ -z "$f" ]; then
		grep -q "/$n.ko\$\|/$alt.ko\$" "$moddir/modules.builtin" 2>/dev/null ||
			tk_die "module $n: not in linux-image and not built in"
		return 0
	fi
	for d in $(modinfo -F depends "$f" | tr , ' '); do _tk_visit_module "$moddir" "$work" "$d"; done
	_TK_ORDER+=("$n")
	case $f in
	*.ko) cp "$f" "$work/$n.ko" ;;
	*.ko.xz) xz -dc "$f" >"$work/$n.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$work/$n.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$work/$n.ko" ;;
	esac
}

# tk_build_gpio_sim SOURCE_DEB KDIR OUT_KO [MAKE_ARG]...: gpio-sim.ko built out of tree
# against the kernel headers in KDIR, from three files of linux-source-<series> (SOURCE_DEB,
# the same Debian version as the kernel): drivers/gpio/gpio-sim.c, gpiolib.h and, unless
# KDIR/.config has IRQ_SIM=y, kernel/irq/irq_sim.c bundled in with its one use of the
# unexported irq_to_desc() replaced by the equivalent generic_handle_irq_safe() (the sim
# domain's flow handler is handle_simple_irq). MAKE_ARGs go to the kernel's make (a cross
# build: CROSS_COMPILE=aarch64-linux-gnu-). Dies on failure.
tk_build_gpio_sim() {
	local deb=$1 kdir=$2 out=$3 m srcpkg strip=strip arg
	shift 3
	m=$(mktemp -d /tmp/tk-gpio-sim.XXXXXX)
	srcpkg=$(dpkg-deb -f "$deb" Package)
	# stream the tarball out of the .deb and extract only the 3 files
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$srcpkg.tar.xz" |
		tar -xJ -C "$m" --strip-components=3 \
			"$srcpkg/drivers/gpio/gpio-sim.c" \
			"$srcpkg/drivers/gpio/gpiolib.h" \
			"$srcpkg/kernel/irq/irq_sim.c" || { rm -rf "$m"; tk_die "no gpio-sim sources in $deb"; }
	# a composite module may not have a source named like the module
	mv "$m/gpio-sim.c" "$m/gpio-sim-core.c"
	if grep -q '^CONFIG_IRQ_SIM=y' "$kdir/.config"; then
		rm -f "$m/irq_sim.c"
		printf 'obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-core.o\n' >"$m/Kbuild"
	else
		sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq_safe(irqnum);/' "$m/irq_sim.c"
		grep -q 'generic_handle_irq_safe(irqnum)' "$m/irq_sim.c" ||
			{ rm -rf "$m"; tk_die "irq_sim.c patch did not apply (source changed?)"; }
		printf 'obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-core.o irq_sim.o\n' >"$m/Kbuild"
	fi
	make -s -C "$kdir" M="$m" "$@" modules >"$m/kbuild.log" 2>&1 ||
		{ cat "$m/kbuild.log" >&2; rm -rf "$m"; tk_die "gpio-sim.ko build failed"; }
	for arg in "$@"; do case $arg in CROSS_COMPILE=*) strip=${arg#CROSS_COMPILE=}strip ;; esac; done
	"$strip" --strip-debug "$m/gpio-sim.ko"
	cp "$m/gpio-sim.ko" "$out"
	rm -rf "$m"
}
