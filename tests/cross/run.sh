#!/usr/bin/env bash
# The cross-built tallykiosk under qemu-user, checked against the native build.
#
# usage: tests/cross/run.sh CROSS_BUILD NATIVE_BUILD QEMU SYSROOT [UNIT_TEST...]
#   e.g. tests/cross/run.sh build-arm64 build qemu-aarch64 build-arm64/sysroot test_store ...
#
# 1. the C facts of both machines (tests/cross/abi_probe.c): 64-bit time and file offsets
# 2. every unit test binary under qemu
# 3. tallyctl under qemu writes a database, the native tallyctl reads it and the other way round:
#    every report (status, events, export --csv/--json) is byte for byte the same
# 4. headless --screenshot renders, under qemu and natively, compared pixel by pixel
# 5. the cross-built kiosk running under qemu, driven by the native tallyctl over its socket
#
# qemu is called directly (no binfmt_misc needed) with -L SYSROOT for the target's libraries.
# Prints "cross: N passed, M failed" and exits non-zero when anything failed.
set -u
if [ $# -lt 4 ]; then
	sed -n '4,5p' "$0" >&2
	exit 2
fi
XB=$1 NB=$2 QEMU=$3 SYSROOT=$(realpath "$4")
shift 4
UNITS=("$@")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2

WORK=$(mktemp -d /tmp/tk-cross.XXXXXX)
export HOME=$WORK/home XDG_STATE_HOME=$WORK/state XDG_CACHE_HOME=$WORK/cache
mkdir -p "$HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
# A fixed zone with summer time, given as a POSIX rule so no zoneinfo file is needed.
export TZ='CET-1CEST,M3.5.0,M10.5.0/3' LC_ALL=C
export SDL_VIDEODRIVER=offscreen SDL_RENDER_DRIVER=software SDL_AUDIODRIVER=dummy
KPID=

cleanup() {
	[ -n "$KPID" ] && kill -9 "$KPID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

PASSES=0 FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "  ok   $*"; }
fail() { FAILS=$((FAILS + 1)); echo "  FAIL $*"; }
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi; }
# same "what" file-a file-b: the two outputs must be identical.
same() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1 differs:"
		diff "$2" "$3" | head -10 | sed 's/^/         /'
	fi
}

# Run a target binary under the emulator (time-limited: qemu is some 5-20x slower).
emu() { timeout 600 "$QEMU" -L "$SYSROOT" "$@"; }
xctl() { emu "$XB/tallyctl" "$@"; }
nctl() { "$NB/tallyctl" "$@"; }
png_size() {
	python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8]==b"\x89PNG\r\n\x1a\n" else "not-a-png")' "$1" 2>/dev/null
}

echo "== cross: $XB under $QEMU (sysroot $SYSROOT), compared with $NB"
missing=
command -v "$QEMU" >/dev/null || missing="$missing $QEMU"
for f in "$XB/tallykiosk" "$XB/tallyctl" "$NB/tallykiosk" "$NB/tallyctl"; do
	[ -x "$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
	fail "missing:$missing (make cross-deps cross all)"
	echo "cross: $PASSES passed, $FAILS failed"
	exit 1
fi

# --- 1. C facts -------------------------------------------------------------------------------
echo "-- C facts: native vs target"
if [ -x "$XB/tests/abi_probe" ] && [ -x "$NB/tests/abi_probe" ]; then
	"$NB/tests/abi_probe" >"$WORK/abi-native" 2>&1
	emu "$XB/tests/abi_probe" >"$WORK/abi-target" 2>&1
	check "abi_probe runs under $QEMU" "$?" 0
	join -a1 -a2 -e- -o 0,1.2,2.2 <(sed 's/ /\t/' "$WORK/abi-native" | sort) \
		<(sed 's/ /\t/' "$WORK/abi-target" | sort) -t $'\t' |
		awk -F'\t' '{ printf "       %-22s %-28s %-28s%s\n", $1, $2, $3, ($2 == $3 ? "" : "  <- differs") }'
	fact() { sed -n "s/^$1 //p" "$WORK/abi-target"; }
	check "target time_t is 64-bit" "$(fact sizeof_time_t)" 8
	check "target off_t is 64-bit" "$(fact sizeof_off_t)" 8
	check "target gmtime past 2038" "$(fact time_2038)" "2038-01-19T03:14:08Z"
	check "target gmtime in 2100" "$(fact time_2100)" "2100-01-01T00:00:00Z"
	check "target int and long long" "$(fact sizeof_int)/$(fact sizeof_long_long)" "4/8"
else
	fail "abi_probe not built in $XB/tests or $NB/tests"
fi

# --- 2. unit tests ----------------------------------------------------------------------------
echo "-- unit tests under $QEMU"
for t in "${UNITS[@]}"; do
	bin=$XB/tests/$t
	if [ ! -x "$bin" ]; then
		fail "$t: $bin not built"
		continue
	fi
	start=$(date +%s)
	if emu "$bin" >"$WORK/$t.log" 2>&1; then
		pass "$t ($(grep -o 'PASSED.*' "$WORK/$t.log" | tail -1), $(($(date +%s) - start)) s)"
	else
		fail "$t (exit $?):"
		tail -20 "$WORK/$t.log" | sed 's/^/         /'
	fi
done

# --- 3. tallyctl: the database file is portable -------------------------------------------------
echo "-- tallyctl under $QEMU and native on one database"
DB=$WORK/tally.db
# The kiosk creates the database (tallyctl never does): the target kiosk's first screenshot.
emu "$XB/tallykiosk" --db "$DB" --screenshot "$WORK/empty.png" --size 800x480 2>>"$WORK/kiosk.log"
check "target kiosk creates a database (screenshot exits 0)" "$?" 0
check "its screenshot is 800x480" "$(png_size "$WORK/empty.png")" 800x480

rc=0
xctl --db "$DB" add 1233 >/dev/null || rc=$?
xctl --db "$DB" add 5 >/dev/null || rc=$?
xctl --db "$DB" undo >/dev/null || rc=$?
xctl --db "$DB" press >/dev/null || rc=$?
xctl --db "$DB" goal 5000 >/dev/null || rc=$?
check "target tallyctl add/add/undo/press/goal exit 0" "$rc" 0
total() { sed -n 's/.*"total":\([-0-9]*\).*/\1/p'; }
check "target tallyctl status --json total" "$(xctl --db "$DB" status --json | total)" 1234
check "native tallyctl reads the same total" "$(nctl --db "$DB" status --json | total)" 1234

compare_reports() { # compare_reports LABEL: every report, target vs native, on $DB
	local r name
	for r in "status" "status --json" "events" "events --json" "export --csv" "export --json"; do
		name=${r// /_}
		# shellcheck disable=SC2086 # the report's words are meant to split
		xctl --db "$DB" $r >"$WORK/x-$name" 2>&1
		# shellcheck disable=SC2086
		nctl --db "$DB" $r >"$WORK/n-$name" 2>&1
		same "$1: tallyctl $r is the same on both" "$WORK/x-$name" "$WORK/n-$name"
	done
}
compare_reports "written by the target"

rc=0
nctl --db "$DB" add 1000 >/dev/null || rc=$?
nctl --db "$DB" new-event "Café Ünïcode ✓ 2026" >/dev/null || rc=$?
nctl --db "$DB" add 42 >/dev/null || rc=$?
check "native tallyctl add/new-event/add exit 0" "$rc" 0
check "target tallyctl reads the native writes" "$(xctl --db "$DB" status --json | total)" 42
check "target tallyctl keeps the UTF-8 event name" \
	"$(xctl --db "$DB" status --json | sed -n 's/.*"event":"\([^"]*\)".*/\1/p')" "Café Ünïcode ✓ 2026"
xctl --db "$DB" undo >/dev/null
check "target undo of a native add" "$(nctl --db "$DB" status --json | total)" 0
xctl --db "$DB" undo >/dev/null 2>&1
check "target undo with nothing to undo is refused (exit 1)" "$?" 1
xctl --db "$DB" add 0 >/dev/null 2>&1
check "target add 0 is a bad command line (exit 2)" "$?" 2
xctl --db "$DB" add 99999999999 >/dev/null 2>&1
check "target add past 1000000000 is a bad command line (exit 2)" "$?" 2
xctl --db "$DB" add 2 >/dev/null
compare_reports "written by both"

# --- 4. screenshots: target vs native, pixel by pixel ------------------------------------------
echo "-- --screenshot under $QEMU vs native"
# SDL blends and scales with SSE on x86 and with C or NEON code on Arm, which round differently:
# anti-aliased edges come out up to 1 off in alpha on arm64 (colours identical), and on armhf a
# few edge pixels of the scaled number up to 2 off in colour. At most 1% of pixels, at most 2.
TOL="--max-diff 2 --max-pixels 0.01"
nctl --db "$DB" new-event "Write for Rights 2026" >/dev/null && nctl --db "$DB" add 1234 >/dev/null
for size in 800x480 1920x1080; do
	start=$(date +%s%N)
	emu "$XB/tallykiosk" --db "$DB" --screenshot "$WORK/x-$size.png" --size "$size" 2>>"$WORK/kiosk.log"
	rc=$? ms=$((($(date +%s%N) - start) / 1000000))
	check "target screenshot $size exits 0 ($((ms / 1000)).$((ms % 1000 / 100)) s)" "$rc" 0
	check "target screenshot $size has that size" "$(png_size "$WORK/x-$size.png")" "$size"
	"$NB/tallykiosk" --db "$DB" --screenshot "$WORK/n-$size.png" --size "$size" 2>>"$WORK/kiosk.log"
	check "native screenshot $size exits 0" "$?" 0
	# shellcheck disable=SC2086
	if out=$(python3 tests/cross/pngcmp.py $TOL --size "$size" "$WORK/x-$size.png" "$WORK/n-$size.png"); then
		pass "screenshot $size matches the native one: ${out#pngcmp: }"
	else
		fail "screenshot $size: ${out#pngcmp: }"
		mkdir -p "$XB/cross-failed" && cp "$WORK/x-$size.png" "$WORK/n-$size.png" "$XB/cross-failed/" &&
			echo "         kept in $XB/cross-failed/"
	fi
done

# --- 5. the target kiosk running, the native tallyctl talking to it ----------------------------
echo "-- target kiosk running under $QEMU, native tallyctl over the socket"
# qemu itself in the background (not through emu's timeout), so SIGTERM reaches it: qemu passes
# signals on to the emulated program.
SDL_VIDEODRIVER=dummy "$QEMU" -L "$SYSROOT" "$XB/tallykiosk" --db "$DB" --windowed=640x360 \
	>>"$WORK/kiosk.log" 2>&1 &
KPID=$!
up=0
for _ in $(seq 1 300); do
	if nctl --db "$DB" status 2>/dev/null | grep -q "Kiosk:  running"; then up=1; break; fi
	kill -0 "$KPID" 2>/dev/null || break
	sleep 0.1
done
check "target kiosk starts and answers the native tallyctl" "$up" 1
if [ "$up" = 1 ]; then
	nctl --db "$DB" add 766 >/dev/null
	check "native add through the target kiosk" "$(nctl --db "$DB" status --json | total)" 2000
	nctl --db "$DB" press >/dev/null
	check "target tallyctl sees the press" "$(xctl --db "$DB" status --json | total)" 2001
	nctl --db "$DB" undo >/dev/null
	check "native undo through the target kiosk" "$(xctl --db "$DB" status --json | total)" 2000
	kill -TERM "$KPID"
	wait "$KPID"
	check "target kiosk exits 0 on SIGTERM" "$?" 0
	KPID=
	check "native tallyctl reads the kiosk's final total from the file" \
		"$(nctl --db "$DB" status --json | total)" 2000
else
	tail -5 "$WORK/kiosk.log" | sed 's/^/         /'
fi

echo "cross: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
