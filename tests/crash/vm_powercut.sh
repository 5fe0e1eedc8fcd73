#!/usr/bin/env bash
# shellcheck disable=SC2015,SC2317 # A && B || die on purpose; the trap handler
# vm_powercut.sh - power cuts with a real kernel and ext4 (issue 5, test 3). The real
# tallykiosk counts in a QEMU VM (the gpio harness's Debian kernel, under TCG here) with its
# database on an ext4 file system on a virtio disk; the host SIGKILLs qemu at a random
# moment, boots the same disk again and checks what survived:
#   - the kernel's journal replay, then a full `e2fsck -fn`, finds nothing wrong;
#   - tallyctl opens the database the way the kiosk does (quick_check, total check) and
#     PRAGMA integrity_check says ok (on a scratch copy: the check changes nothing);
#   - the state is the last one the kiosk acknowledged before the cut, or that state with
#     the request in flight applied (a press, an add, an undo, a new event): no
#     acknowledged count lost, nothing that was never asked for;
#   - the kiosk starts on it without moving it aside as damaged, and reads the same state.
# Every boot after a cut is both the check of that cut and the next run (guest_powercut.sh);
# a last boot only checks. The guest's client (vm_client.c) prints each acknowledged state
# on the serial console; the host keeps the log it read up to the moment of the kill.
#
# Disk models (--disk), what a cut loses:
#   direct    the image file through qemu, cache=$TK_PCVM_CACHE_MODE (default writeback).
#             A qemu kill loses the guest's RAM (page cache) and the requests qemu had not
#             completed; every write qemu completed is in the host kernel and survives, as
#             on a disk with no volatile write cache. No qemu cache mode changes that (tried:
#             a 4 KiB O_DIRECT write the guest never flushed survives a kill with none,
#             writeback, writethrough, directsync and unsafe alike): the host page cache
#             outlives qemu. The mode only decides what the guest is told. writeback, none
#             and unsafe announce a volatile write cache, so ext4/jbd2 and fdatasync send
#             FLUSH requests as they do to an SD card; writethrough and directsync announce
#             none, so the guest sends no flushes at all, which is not the Pi's code path.
#             writeback is used: that path, with flushes passed on to the host.
#   volatile  the image through nbdkit's cache filter (cache=writeback) over a UNIX socket,
#             qemu cache=writeback: writes stay in nbdkit's cache until the guest flushes;
#             nbdkit is SIGKILLed with qemu, so EVERY write the guest had not flushed is
#             lost, even those the disk had completed: a disk whose volatile write cache
#             dies with the power. (Tried: the unflushed O_DIRECT write above is gone after
#             the kill, a flushed one is there.) A flush cut short persists a part of them.
#   mixed     (default) the two in turn, volatile first. The last, check-only boot: direct.
# The simulated power cut (powercut.py) covers the reordered and torn cases in depth.
#
# Usage: vm_powercut.sh [OPTION]...
#   --build DIR       the build with tallykiosk and tallyctl (default build)
#   --cuts N          power cuts (default 6)
#   --seed N          random seed of the cut times and of the client (default 1)
#   --disk MODEL      direct | volatile | mixed (default mixed)
#   --max-ms MS       cut 0..MS after the kiosk started counting (default 2500)
#   --early-pct P     percentage of cuts made instead 0..--early-ms after the check, while
#                     the kiosk starts and recovers its WAL (default 20)
#   --early-ms MS     (default 1500)
#   --nosync          negative control: the kiosk runs with vm_nosync.so (fsync and
#                     fdatasync do nothing), so cuts must lose acknowledged counts
#   --mount-opts OPTS the guest remounts the disk with OPTS before the kiosk starts:
#                     "nobarrier" (no flushes sent) with --disk volatile is a second
#                     negative control, a disk that ignores flushes (direct cannot see it)
#   --crowd K         K clients at once instead of one (vm_client crowd): presses and adds for
#                     cases, batched together by the kiosk's group commit; checked by
#                     crowd_check.py (every event and case after each cut) instead
#   --expect-loss     pass only if a loss or damage is seen (for the controls)
#   --boot-timeout S  per boot, until the guest's check line (default 90)
#   --keep            keep the work dir (initramfs, disk image, console logs)
#   -v, --verbose     stream the guest consoles
# Env: TK_PCVM_CACHE_MODE (qemu cache= of the direct model), TK_PCVM_DISK_MB (64),
#      TK_PCVM_SMP (1: faster than 2 under TCG here), TK_PCVM_MEM (512M), TK_PCVM_CC (cc),
#      TK_PCVM_TAG (log tag), TK_GPIO_* (the kernel cache, see tests/gpio/common.sh),
#      TK_PCVM_MIX (vm_client's add,undo,new-event percentages; default 2,2,1).
# Exit 0 pass, 1 fail, 2 setup error.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
GPIO=$HERE/../gpio
export TK_GPIO_TAG=${TK_PCVM_TAG:-pcvm}
# shellcheck source=../gpio/common.sh
. "$GPIO/common.sh"

usage() { sed -n "/^# Usage:/,/^set -euo/p" "$0" | grep "^#" | sed "s/^# \{0,1\}//" >&2; exit 2; }

BUILD=build CUTS=6 SEED=1 DISK=mixed MAX_MS=2500 EARLY_PCT=20 EARLY_MS=1500 NOSYNC=0
EXPECT_LOSS=0 BOOT_TIMEOUT=90 KEEP=0 VERBOSE=0 MOUNT_OPTS= CROWD=0
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$2; shift 2 ;;
	--crowd) CROWD=$2; shift 2 ;;
	--cuts) CUTS=$2; shift 2 ;;
	--seed) SEED=$2; shift 2 ;;
	--disk) DISK=$2; shift 2 ;;
	--max-ms) MAX_MS=$2; shift 2 ;;
	--early-pct) EARLY_PCT=$2; shift 2 ;;
	--early-ms) EARLY_MS=$2; shift 2 ;;
	--nosync) NOSYNC=1; shift ;;
	--mount-opts) MOUNT_OPTS=$2; shift 2 ;;
	--expect-loss) EXPECT_LOSS=1; shift ;;
	--boot-timeout) BOOT_TIMEOUT=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-v | --verbose) VERBOSE=1; shift ;;
	-h | --help) usage ;;
	*) echo "vm_powercut.sh: unknown argument $1" >&2; usage ;;
	esac
done
case $DISK in direct | volatile | mixed) ;; *) tk_die "--disk must be direct, volatile or mixed" ;; esac
CACHE_MODE=${TK_PCVM_CACHE_MODE:-writeback}
DISK_MB=${TK_PCVM_DISK_MB:-64}
SMP=${TK_PCVM_SMP:-1}
MEM=${TK_PCVM_MEM:-512M}

KIOSK=$BUILD/tallykiosk
CTL=$BUILD/tallyctl
[ -x "$KIOSK" ] && [ -x "$CTL" ] || tk_die "no $KIOSK / $CTL: build first (make all)"
case $(readelf -h "$KIOSK" 2>/dev/null) in
*X86-64*) ;;
*) tk_die "$KIOSK is not an x86-64 program (the VM is x86-64)" ;;
esac

# ------------------------------------------------------------------ the caches
T0=$(tk_now)
mapfile -t dirs < <("$HERE/vm_prepare.sh")
[ ${#dirs[@]} = 2 ] || tk_die "vm_prepare.sh failed"
KC=${dirs[0]} PC=${dirs[1]}
KERNEL=$KC/vmlinuz
if [ "${TK_GPIO_BOOT:-auto}" != bzimage ] && [ -s "$KC/vmlinux" ]; then KERNEL=$KC/vmlinux; fi
command -v qemu-system-x86_64 >/dev/null || tk_die "no qemu-system-x86_64"
if [ "$DISK" != direct ]; then command -v nbdkit >/dev/null || tk_die "no nbdkit (vm_prepare.sh installs it)"; fi

WORK=$(mktemp -d /tmp/tk-pcvm.XXXXXX)
QPID='' NPID=''
cleanup() {
	local p
	for p in $QPID $NPID; do kill -9 "$p" 2>/dev/null || true; done
	if [ "$KEEP" = 1 ]; then tk_log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# -------------------------------------------------------------- the initramfs
R=$WORK/root
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,etc,root,data,modules,test/bin,test/lib,var/cache/fontconfig}
cp /bin/busybox "$R/bin/busybox"
while read -r m; do cp "$PC/kmods/$m.ko" "$R/modules/"; done <"$PC/kmods/order"
cp "$PC/kmods/order" "$R/modules/order"
copy_path() {
	mkdir -p "$R$(dirname "$2")"
	cp -rL "$1" "$R$2"
}
# add_bin SRC: the program in /test/bin, with every library ldd lists and its loader
add_bin() {
	local src=$1 interp lddout lib
	[ -x "$src" ] || tk_die "$src: not an executable"
	copy_path "$src" "/test/bin/$(basename "$src")"
	interp=$(readelf -l "$src" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	lddout=$(ldd "$src" 2>/dev/null || true)
	[[ $lddout != *"not found"* ]] || tk_die "$src: ldd reports missing libraries"
	for lib in $(grep -o '/[^ ]*' <<<"$lddout" || true) $interp; do
		[ -e "$R$lib" ] || copy_path "$lib" "$lib"
	done
}
add_bin "$KIOSK"
add_bin "$CTL"
add_bin "$(command -v sqlite3 || echo /usr/bin/sqlite3)"
add_bin "$(command -v e2fsck || echo /sbin/e2fsck)"
for f in /etc/fonts /usr/share/fontconfig /usr/share/fonts/truetype/dejavu; do
	[ -e "$f" ] && copy_path "$f" "$f"
done
CC=${TK_PCVM_CC:-cc}
"$CC" -std=c11 -O2 -Wall -Wextra -static -o "$R/test/bin/vm_client" "$HERE/vm_client.c" ||
	tk_die "cannot build vm_client.c statically (gcc, libc6-dev)"
"$CC" -std=c11 -O2 -Wall -Wextra -shared -fPIC -o "$R/test/lib/vm_nosync.so" "$HERE/vm_nosync.c" ||
	tk_die "cannot build vm_nosync.c"
cp "$HERE/guest_powercut.sh" "$R/test/guest.sh"
cat >"$R/test/kiosk.conf" <<'EOF'
[event]
name = Power cut
goal = 0
[display]
fullscreen = false
width = 320
height = 240
carousel = false
[input]
keyboard = false
EOF
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
cat >"$R/init" <<'EOF'
#!/bin/busybox sh
# generated by tests/crash/vm_powercut.sh
/bin/busybox --install -s /bin
export PATH=/test/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
ln -sf /proc/mounts /etc/mtab
while read -r m; do
	insmod "/modules/$m.ko" || echo "PCVM FAIL insmod $m ."
done </modules/order
echo "PCVM INIT $(cut -d' ' -f1 /proc/uptime) ."
sh /test/guest.sh </dev/null >/dev/console 2>&1
poweroff -f
sleep 10
EOF
chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc --quiet >"$WORK/initrd.img")

# ------------------------------------------------------------------- the disk
IMG=$WORK/disk.img
truncate -s "${DISK_MB}M" "$IMG"
# everything initialised now, so the guest has no lazy-init thread writing under TCG
mkfs.ext4 -q -F -L tkdata -E lazy_itable_init=0,lazy_journal_init=0 "$IMG"
T_READY=$(tk_now)
tk_log "initramfs $(du -h "$WORK/initrd.img" | cut -f1), ${DISK_MB} MiB ext4 image, ready in $(tk_dt "$T_READY" "$T0")s"

# ------------------------------------------------------------------ one boot
RANDOM=$SEED
# rnd MAX: R = 0..MAX (not in a $(...): a subshell's RANDOM does not follow the seed)
rnd() { R=$(((RANDOM * 32768 + RANDOM) % ($1 + 1))); }
msleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# boot N MODE(run|check) MODEL(direct|volatile): starts the VM in the background
# (console -> $WORK/boot-N.raw); sets QPID (and NPID for volatile)
boot() {
	local n=$1 mode=$2 model=$3 drive sock=$WORK/nbd.sock i=0
	RAW=$WORK/boot-$n.raw
	: >"$RAW"
	if [ "$model" = volatile ]; then
		rm -f "$sock"
		TMPDIR=$WORK nbdkit -f -U "$sock" --filter=cache file "file=$IMG" cache=writeback \
			</dev/null >"$WORK/nbdkit.log" 2>&1 &
		NPID=$!
		while [ ! -S "$sock" ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i + 1)); done
		[ -S "$sock" ] || { cat "$WORK/nbdkit.log" >&2; tk_die "nbdkit did not start"; }
		drive="file=nbd+unix:///?socket=$sock,format=raw,if=virtio,cache=writeback"
	else
		drive="file=$IMG,format=raw,if=virtio,cache=$CACHE_MODE"
	fi
	BOOT_T0=$(tk_now)
	# no_timer_check: on a loaded host TCG can fail the kernel's IO-APIC timer check, a
	# panic ("IO-APIC + timer doesn't work!") before /init
	qemu-system-x86_64 -accel tcg -cpu max -m "$MEM" -smp "$SMP" \
		-nodefaults -no-user-config -display none -monitor none -serial stdio \
		-no-reboot -net none -kernel "$KERNEL" -initrd "$WORK/initrd.img" \
		-drive "$drive" \
		-append "console=ttyS0 panic=-1 quiet loglevel=4 no_timer_check rdinit=/init pcvm.mode=$mode pcvm.seed=$((SEED * 100000 + n)) pcvm.nosync=$NOSYNC${MOUNT_OPTS:+ pcvm.mountopts=$MOUNT_OPTS}${TK_PCVM_MIX:+ pcvm.mix=$TK_PCVM_MIX}$([ "$CROWD" = 0 ] || echo " pcvm.crowd=$CROWD")" \
		</dev/null >"$RAW" 2>&1 &
	QPID=$!
	if [ "$VERBOSE" = 1 ]; then tail -s 0.1 -n +1 -f --pid="$QPID" "$RAW" | tr -d '\r' >&2 & fi
}

# wait_line REGEX: until a complete console line matches (0), the guest failed or
# stopped (1), or the boot timeout (2). Sets WAIT_T (seconds since boot).
wait_line() {
	local lim=$((BOOT_TIMEOUT * 20)) k=0
	while [ $k -lt $lim ]; do
		if grep -qaE "$1"$'\r?$' "$RAW"; then
			WAIT_T=$(tk_dt "$(tk_now)" "$BOOT_T0")
			return 0
		fi
		grep -qa '^PCVM FAIL' "$RAW" && return 1
		kill -0 "$QPID" 2>/dev/null || return 1
		sleep 0.05
		k=$((k + 1))
	done
	return 2
}

# stop HOW(kill|wait): ends qemu (and nbdkit): SIGKILL both at once, the power cut
stop() {
	if [ "$1" = kill ]; then
		kill -9 "$QPID" ${NPID:+"$NPID"} 2>/dev/null || true
	else
		local k=0
		while kill -0 "$QPID" 2>/dev/null && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
		kill -9 "$QPID" 2>/dev/null || true
		[ -z "$NPID" ] || kill "$NPID" 2>/dev/null || true
	fi
	wait "$QPID" 2>/dev/null || true
	[ -z "$NPID" ] || wait "$NPID" 2>/dev/null || true
	QPID='' NPID=''
	LOG=${RAW%.raw}.log
	tr -d '\r' <"$RAW" >"$LOG"
}

# boot_until N MODE MODEL REGEX: boot, then wait_line REGEX. A guest kernel that stops
# before /init (TCG on a loaded host can fail the kernel's early timer checks; seen twice in
# ~700 cuts) has not touched the disk: that boot is made again, twice at most, and counted in
# RETRIES. A guest that reached /init (PCVM INIT) is never booted again: what it did counts.
RETRIES=0
boot_until() {
	local k rc
	for k in 0 1 2; do
		boot "$1" "$2" "$3"
		rc=0
		wait_line "$4" || rc=$?
		if [ $rc = 0 ] || kill -0 "$QPID" 2>/dev/null || grep -qa '^PCVM INIT' "$RAW" || [ $k = 2 ]; then
			return $rc
		fi
		stop kill
		RETRIES=$((RETRIES + 1))
		tk_log "boot $1: the guest kernel stopped before /init (emulation, not the test): again." \
			"It said: $(grep -aE 'panic|BUG|error' "$LOG" | head -n 2 | tr '\n' ' ')"
	done
}

# ------------------------------------------------------------------ the check
ACK_E='' ACK_T='' INF_OP='' INF_N=0 # the last acknowledged state, the request in flight
LOST=0 DAMAGED=0 FAILS=0 ACKS=0 REPLAYS=0 EARLY=0 NVOL=0
BOOT_TIMES=() START_TIMES=()

# state_ok E T: the state read after a cut is the acknowledged one, or it plus the request
# in flight
state_ok() {
	local e=$1 t=$2
	[ -z "$ACK_E" ] && return 0
	[ "$e" = "$ACK_E" ] && [ "$t" = "$ACK_T" ] && return 0
	case $INF_OP in
	press) [ "$e" = "$ACK_E" ] && [ "$t" = $((ACK_T + 1)) ] ;;
	add) [ "$e" = "$ACK_E" ] && [ "$t" = $((ACK_T + INF_N)) ] ;;
	undo) [ "$e" = "$ACK_E" ] && [ "$t" -lt "$ACK_T" ] ;;
	new-event) [ "$e" -gt "$ACK_E" ] && [ "$t" = 0 ] ;;
	*) return 1 ;;
	esac
}

# judge N: reads boot N's log: its check against what the cut before it left, then
# (run boots) what the kiosk acknowledged before this boot's cut
judge() {
	local n=$1 e t fl ck=''
	fl=$(grep -a '^PCVM FAIL' "$LOG" | head -n1 || true)
	if [ -n "$fl" ]; then
		case $fl in
		*e2fsck* | *integrity* | *"cannot open"* | *damaged*) DAMAGED=$((DAMAGED + 1)) ;;
		*) FAILS=$((FAILS + 1)) ;;
		esac
		tk_log "boot $n: $fl"
		grep -a -B2 -A12 '^PCVM FAIL' "$LOG" | head -n 40 | sed 's/^/    /' >&2
		return 1
	fi
	grep -qaE '^PCVM FSCK 0 replay=1 \.$' "$LOG" && REPLAYS=$((REPLAYS + 1))
	ck=$(grep -aE '^PCVM CHECK ' "$LOG" | head -n1 || true)
	if [[ $ck =~ ^PCVM\ CHECK\ ([0-9]+)\ ([0-9]+)\ integrity=ok\ \.$ ]]; then
		e=${BASH_REMATCH[1]} t=${BASH_REMATCH[2]}
		# a crowd's state is checked by crowd_check.py (several requests in flight)
		if [ "$CROWD" = 0 ] && ! state_ok "$e" "$t"; then
			LOST=$((LOST + 1))
			tk_log "boot $n: ACKNOWLEDGED STATE LOST: the disk holds event $e total $t;" \
				"acknowledged event $ACK_E total $ACK_T, in flight: ${INF_OP:-none} $INF_N"
		fi
		ACK_E=$e ACK_T=$t INF_OP='' INF_N=0
	elif [ "$ck" = "PCVM CHECK none ." ]; then
		if [ -n "$ACK_E" ]; then
			LOST=$((LOST + 1))
			tk_log "boot $n: ACKNOWLEDGED STATE LOST: the database is gone (acknowledged event $ACK_E total $ACK_T)"
			ACK_E='' ACK_T=''
		fi
	else
		FAILS=$((FAILS + 1))
		tk_log "boot $n: no check line"
		return 1
	fi
	# this boot's run: the last complete acknowledged state and the request after it
	while IFS=' ' read -r _ kind a b _; do
		case $kind in
		START)
			if [ -n "$ACK_E" ] && { [ "$a" != "$ACK_E" ] || [ "$b" != "$ACK_T" ]; }; then
				FAILS=$((FAILS + 1))
				tk_log "boot $n: the kiosk started at event $a total $b, the check read $ACK_E $ACK_T"
			fi
			ACK_E=$a ACK_T=$b INF_OP='' INF_N=0
			;;
		SEND) INF_OP=$a INF_N=$b ;;
		ACK) ACK_E=$a ACK_T=$b INF_OP='' INF_N=0 ACKS=$((ACKS + 1)) ;;
		esac
	done < <(grep -aE '^PCVM (START|SEND|ACK) [a-z0-9-]+ [0-9-]+ \.$' "$LOG" || true)
	ACKS=$((ACKS + $(grep -acE '^PCVM CACK [0-9]+ [0-9]+ [0-9]+ \.$' "$LOG" || true)))
	return 0
}

# ------------------------------------------------------------------ the cuts
tk_log "$CUTS cuts, disk model $DISK (direct: qemu cache=$CACHE_MODE), seed $SEED$([ "$NOSYNC" = 1 ] && echo ', NEGATIVE CONTROL: the kiosk does not fsync')${MOUNT_OPTS:+, mounted -o $MOUNT_OPTS}"
T_CUTS=$(tk_now)
ok=1
for ((c = 0; c <= CUTS; c++)); do
	mode=run model=direct
	[ $c -lt "$CUTS" ] || mode=check
	if [ "$mode" = run ]; then
		case $DISK in
		volatile) model=volatile ;;
		mixed) [ $((c % 2)) = 0 ] && model=volatile ;;
		esac
	fi
	if [ "$mode" = check ]; then
		boot_until "$c" check direct '^PCVM (DONE|FAIL .*) \.' || true
		stop wait
		judge "$c" check || ok=0
		BOOT_TIMES+=("$(tk_dt "$(tk_now)" "$BOOT_T0")")
		break
	fi
	if ! boot_until "$c" run "$model" '^PCVM CHECK .* \.'; then
		why="qemu stopped"
		kill -0 "$QPID" 2>/dev/null && why="not within ${BOOT_TIMEOUT}s"
		stop kill
		if judge "$c" run; then FAILS=$((FAILS + 1)); fi
		tk_log "boot $c ($model): no check line ($why); the console's end:"
		tail -n 30 "$LOG" | sed 's/^/    /' >&2
		ok=0
		break
	fi
	BOOT_TIMES+=("$WAIT_T")
	t_check=$WAIT_T
	rnd 99
	if [ "$R" -lt "$EARLY_PCT" ]; then
		rnd "$EARLY_MS"
		d=$R
	else
		if ! wait_line '^PCVM RUN \.'; then
			stop kill
			judge "$c" run || true
			tk_log "boot $c ($model): the kiosk did not start counting"
			ok=0
			break
		fi
		START_TIMES+=("$(awk -v a="$WAIT_T" -v b="$t_check" 'BEGIN { printf "%.1f", a - b }')")
		rnd "$MAX_MS"
		d=$R
	fi
	msleep "$d"
	stop kill
	[ "$model" = volatile ] && NVOL=$((NVOL + 1))
	what=counting
	grep -qa '^PCVM RUN \.' "$LOG" || { what="start-up"; EARLY=$((EARLY + 1)); }
	nacks=$ACKS
	judge "$c" run || { ok=0; break; }
	tk_log "cut $((c + 1))/$CUTS ($model disk, during $what, ${d} ms in): check at ${t_check}s," \
		"$((ACKS - nacks)) acks, then event $ACK_E total $ACK_T, in flight ${INF_OP:-none}"
done
T_END=$(tk_now)

# The strict check (strict_check.py): every event of the recovered file after each cut,
# its stored total and its count rows, against a model of every acknowledged reply.
STRICT=PASS
CHECKER=strict_check.py
[ "$CROWD" = 0 ] || CHECKER=crowd_check.py
if ! python3 "$HERE/$CHECKER" "$WORK" >"$WORK/strict.log" 2>&1; then STRICT=FAIL; fi
grep -v '^strict-check \|^crowd-check ' "$WORK/strict.log" | head -n 40 | sed 's/^/    strict: /' >&2 || true
grep '^strict-check \|^crowd-check ' "$WORK/strict.log" >&2 || true

stats() { printf '%s\n' "$@" | awk 'NF { n++; s += $1; if (min == "" || $1 < min) min = $1; if ($1 > max) max = $1 }
	END { if (n) printf "min %.1f mean %.1f max %.1f", min, s / n, max; else printf "n/a" }'; }
# guest_t WHAT: the guest's uptime at each boot's marker (INIT, or UPTIME WHAT)
guest_t() {
	cat "$WORK"/boot-*.log 2>/dev/null | awk -v w="$1" '($2 == "INIT" && w == "init") { print $3 }
		($2 == "UPTIME" && $3 == w) { print $4 }'
}
tk_log "host: qemu start to check line (s): $(stats "${BOOT_TIMES[@]}"); kiosk start to counting (s): $(stats ${START_TIMES[@]+"${START_TIMES[@]}"})"
tk_log "guest uptime (s) at /init: $(stats "$(guest_t init)"); after fsck: $(stats "$(guest_t fsck)"); after check: $(stats "$(guest_t check)"); counting: $(stats "$(guest_t run)")"
echo "vm-powercut$([ "$NOSYNC" = 1 ] && echo '-control (no fsync)')${MOUNT_OPTS:+ (-o $MOUNT_OPTS)} cuts=$c volatile=$NVOL direct=$((c - NVOL)) during_startup=$EARLY journal_replays=$REPLAYS" \
	"acked_requests=$ACKS lost=$LOST damaged=$DAMAGED failures=$FAILS strict=$STRICT boots_retried=$RETRIES" \
	"seconds=$(tk_dt "$T_END" "$T_CUTS") total_seconds=$(tk_elapsed)"
if [ "$EXPECT_LOSS" = 1 ]; then
	if [ $((LOST + DAMAGED)) -gt 0 ] || [ "$STRICT" = FAIL ]; then
		echo "negative control: the test saw the loss (lost=$LOST damaged=$DAMAGED) made on purpose"
		exit 0
	fi
	echo "negative control: NO LOSS SEEN: the test cannot detect a lost count"
	exit 1
fi
if [ "$ok" = 1 ] && [ "$LOST" = 0 ] && [ "$DAMAGED" = 0 ] && [ "$FAILS" = 0 ] && [ "$c" = "$CUTS" ] &&
	[ "$STRICT" = PASS ]; then
	exit 0
fi
KEEP=1 # the disk image and the console logs are the evidence
exit 1
