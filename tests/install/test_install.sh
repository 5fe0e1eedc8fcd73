#!/usr/bin/env bash
# make install into a staging folder, checked file by file; make uninstall then leaves only the
# config. Also: an existing config is never overwritten, PREFIX/SYSCONFDIR/UNITDIR are
# honoured (in the unit's ExecStart too), and the installed programs run with the installed
# config. Needs the programs built (make all); BUILD selects the build folder (default build).
# Prints "install: N passed, M failed"; exit status 1 if anything failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
BOARD=board/raspberry-pi

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

TMP=$(mktemp -d /tmp/tallykiosk-install.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# make install/uninstall with the given variables; DESTDIR is always set, so nothing outside
# the staging folder is touched (and nothing is applied to this machine).
run_make() {
	local log=$TMP/make.log
	if ! "$MAKE" -C "$ROOT" --no-print-directory BUILD="$BUILD" "$@" >"$log" 2>&1; then
		cat "$log"
		return 1
	fi
}

# Every file and symlink under a folder, relative to it, sorted.
list_files() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort); }
mode_of() { stat -c %a "$1"; }

# check_file DEST REL MODE [SOURCE]: REL exists under DEST, is a regular file with MODE, and
# (given SOURCE) has the same bytes as SOURCE.
check_file() {
	local f=$1/$2 mode=$3 src=${4:-}
	if [ ! -f "$f" ]; then
		bad "$2: missing"
		return
	fi
	if [ "$(mode_of "$f")" != "$mode" ]; then
		bad "$2: mode $(mode_of "$f"), expected $mode"
		return
	fi
	if [ -n "$src" ] && ! cmp -s "$src" "$f"; then
		bad "$2: differs from $src"
		return
	fi
	ok "$2 (mode $mode${src:+, same as $src})"
}

# Everything `make install` writes for a given layout, as paths relative to DESTDIR.
expected_files() { # PREFIX SYSCONFDIR UNITDIR
	local p=${1#/} e=${2#/} u=${3#/}
	echo "$p/bin/tallykiosk"
	echo "$p/bin/tallyctl"
	(cd assets && find . -type f | sed "s|^\./|$p/share/tallykiosk/|")
	echo "$e/tallykiosk/kiosk.conf"
	echo "$u/tallykiosk.service"
	echo "$p/lib/sysusers.d/tallykiosk.conf"
	echo "$p/lib/udev/rules.d/60-tallykiosk.rules"
	echo "$p/lib/sysctl.d/99-tallykiosk.conf"
}

# --- default layout: PREFIX=/usr/local, SYSCONFDIR=/etc ------------------------------------------
echo "== make install DESTDIR=$TMP/d (defaults)"
D=$TMP/d
if ! run_make install DESTDIR="$D"; then
	bad "make install DESTDIR=$D"
	echo "install: $pass passed, $fail failed"
	exit 1
fi
ok "make install DESTDIR=... succeeded"

check_file "$D" usr/local/bin/tallykiosk 755 "$BUILD/tallykiosk"
check_file "$D" usr/local/bin/tallyctl 755 "$BUILD/tallyctl"
while read -r a; do
	check_file "$D" "usr/local/share/tallykiosk/$a" 644 "assets/$a"
done < <(cd assets && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
check_file "$D" etc/tallykiosk/kiosk.conf 644 "$BOARD/kiosk.conf"
check_file "$D" usr/local/lib/systemd/system/tallykiosk.service 644
check_file "$D" usr/local/lib/sysusers.d/tallykiosk.conf 644 "$BOARD/tallykiosk.sysusers"
check_file "$D" usr/local/lib/udev/rules.d/60-tallykiosk.rules 644 "$BOARD/60-tallykiosk.rules"
check_file "$D" usr/local/lib/sysctl.d/99-tallykiosk.conf 644 "$BOARD/tallykiosk.sysctl"

# Directories the kiosk's own user must read (after a root install with a strict umask too).
for dir in usr/local/share/tallykiosk etc/tallykiosk; do
	check "$dir/ is mode 755" test "$(mode_of "$D/$dir")" = 755
done

UNIT=$D/usr/local/lib/systemd/system/tallykiosk.service
check "unit: ExecStart is the installed binary with the installed config" \
	grep -qx 'ExecStart=/usr/local/bin/tallykiosk -c /etc/tallykiosk/kiosk.conf' "$UNIT"
check "unit: no @placeholder@ left" bash -c "! grep -q '@[a-z]*@' '$UNIT'"
check "unit: the rest is the board file as written" \
	cmp -s <(grep -v '^ExecStart=' "$UNIT") <(grep -v '^ExecStart=' "$BOARD/tallykiosk.service")

want=$(expected_files /usr/local /etc /usr/local/lib/systemd/system | LC_ALL=C sort)
have=$(list_files "$D")
if [ "$want" = "$have" ]; then
	ok "nothing else installed ($(echo "$have" | wc -l) files)"
else
	bad "installed files differ from the expected list:"
	diff <(echo "$want") <(echo "$have") | sed 's/^/       /'
fi

# The installed programs run, with the installed config and (for the kiosk) its assets.
if SDL_VIDEODRIVER=offscreen "$D/usr/local/bin/tallykiosk" -c "$D/etc/tallykiosk/kiosk.conf" \
	--db "$TMP/run.db" --screenshot "$TMP/shot.png" --size 640x360 >"$TMP/run.log" 2>&1 &&
	[ -s "$TMP/shot.png" ]; then
	ok "installed tallykiosk accepts the installed kiosk.conf (headless screenshot)"
else
	bad "installed tallykiosk with the installed kiosk.conf:"
	sed 's/^/       /' "$TMP/run.log"
fi
# (--socket: never the socket of a kiosk that may really run on this machine.)
if "$D/usr/local/bin/tallyctl" -c "$D/etc/tallykiosk/kiosk.conf" --db "$TMP/run.db" \
	--socket "$TMP/run.sock" status >"$TMP/ctl.log" 2>&1; then
	ok "installed tallyctl reads the installed kiosk.conf and the database"
else
	bad "installed tallyctl status:"
	sed 's/^/       /' "$TMP/ctl.log"
fi

# --- an existing config is kept -------------------------------------------------------------------
echo "== make install again over a changed config"
echo "# changed by the organiser" >>"$D/etc/tallykiosk/kiosk.conf"
cp "$D/etc/tallykiosk/kiosk.conf" "$TMP/changed.conf"
check "make install again succeeds" run_make install DESTDIR="$D"
check "the changed kiosk.conf is not overwritten" cmp -s "$TMP/changed.conf" "$D/etc/tallykiosk/kiosk.conf"

# --- uninstall ------------------------------------------------------------------------------------
echo "== make uninstall DESTDIR=$TMP/d"
check "make uninstall succeeds" run_make uninstall DESTDIR="$D"
have=$(list_files "$D")
if [ "$have" = "etc/tallykiosk/kiosk.conf" ]; then
	ok "only the config is left"
else
	bad "left after uninstall (expected only etc/tallykiosk/kiosk.conf):"
	echo "$have" | sed 's/^/       /'
fi
check "the config left is the organiser's" cmp -s "$TMP/changed.conf" "$D/etc/tallykiosk/kiosk.conf"
check "no share/tallykiosk folder left" test ! -e "$D/usr/local/share/tallykiosk"
check "make uninstall twice succeeds" run_make uninstall DESTDIR="$D"

# --- another layout: PREFIX, SYSCONFDIR and UNITDIR honoured -------------------------------------
echo "== make install PREFIX=/opt/tk SYSCONFDIR=/opt/tk/etc UNITDIR=/etc/systemd/system"
E=$TMP/e
LAYOUT=(PREFIX=/opt/tk SYSCONFDIR=/opt/tk/etc UNITDIR=/etc/systemd/system)
if run_make install DESTDIR="$E" "${LAYOUT[@]}"; then
	ok "make install with PREFIX, SYSCONFDIR and UNITDIR"
	want=$(expected_files /opt/tk /opt/tk/etc /etc/systemd/system | LC_ALL=C sort)
	have=$(list_files "$E")
	if [ "$want" = "$have" ]; then
		ok "files are where PREFIX, SYSCONFDIR and UNITDIR say"
	else
		bad "files differ from the expected list:"
		diff <(echo "$want") <(echo "$have") | sed 's/^/       /'
	fi
	check "unit: ExecStart follows PREFIX and SYSCONFDIR" \
		grep -qx 'ExecStart=/opt/tk/bin/tallykiosk -c /opt/tk/etc/tallykiosk/kiosk.conf' \
		"$E/etc/systemd/system/tallykiosk.service"
	check "make uninstall with the same variables succeeds" \
		run_make uninstall DESTDIR="$E" "${LAYOUT[@]}"
	have=$(list_files "$E")
	if [ "$have" = "opt/tk/etc/tallykiosk/kiosk.conf" ]; then
		ok "only the config is left"
	else
		bad "left after uninstall:"
		echo "$have" | sed 's/^/       /'
	fi
else
	bad "make install with PREFIX, SYSCONFDIR and UNITDIR"
fi

echo "install: $pass passed, $fail failed"
[ "$fail" = 0 ]
