#!/usr/bin/env bash
# The installed systemd unit, checked offline (no systemd as PID 1 needed, nothing applied to
# this machine): `make install DESTDIR=<temp>`, then
#   - systemd-analyze verify --root=<temp>: the unit loads, its binary exists, no warnings;
#   - systemd-analyze security --offline=true: prints the exposure score, fails above 2.0;
#   - systemd-sysusers --root=<temp>: creates the user and groups the unit runs with;
#   - the unit, the sample config and the sysusers file agree (paths, user, groups).
# Prints "unit: N passed, M failed"; exit status 1 if anything failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
MAX_EXPOSURE=2.0

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
finish() {
	echo "unit: $pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

for tool in systemd-analyze systemd-sysusers; do
	if ! command -v "$tool" >/dev/null; then
		bad "$tool not found (Debian package systemd)"
		finish
	fi
done

TMP=$(mktemp -d /tmp/tallykiosk-unit.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
R=$TMP/root
if ! "$MAKE" -C "$ROOT" --no-print-directory BUILD="$BUILD" install DESTDIR="$R" \
	>"$TMP/make.log" 2>&1; then
	cat "$TMP/make.log"
	bad "make install DESTDIR=$R"
	finish
fi
ok "make install DESTDIR=<temp>"

UNIT_REL=usr/local/lib/systemd/system/tallykiosk.service
UNIT=$R/$UNIT_REL
CONF=$R/etc/tallykiosk/kiosk.conf

# verify resolves the unit's dependencies (sysinit.target, getty@tty1.service, ...) inside the
# root: give it this machine's unit files, read-only copies.
mkdir -p "$R/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$R/usr/lib/systemd/system"

# verify exits 0 on unknown keys and only warns: any output at all is a failure here.
if systemd-analyze verify --root="$R" tallykiosk.service >"$TMP/verify.log" 2>&1 &&
	[ ! -s "$TMP/verify.log" ]; then
	ok "systemd-analyze verify: no errors, no warnings"
else
	bad "systemd-analyze verify:"
	sed 's/^/       /' "$TMP/verify.log"
fi

# The check above must be able to fail: without the binary, verify has to complain.
mv "$R/usr/local/bin/tallykiosk" "$TMP/tallykiosk.moved"
if systemd-analyze verify --root="$R" tallykiosk.service >/dev/null 2>&1; then
	bad "systemd-analyze verify does not notice a missing ExecStart binary (check is blind)"
else
	ok "systemd-analyze verify notices a missing ExecStart binary"
fi
mv "$TMP/tallykiosk.moved" "$R/usr/local/bin/tallykiosk"

# Exposure: systemd's score from 0.0 (locked down) to 10.0 (unprotected).
systemd-analyze security --offline=true --root="$R" --no-pager tallykiosk.service \
	>"$TMP/security.log" 2>&1
score=$(sed -n 's/.*Overall exposure level for tallykiosk.service: \([0-9.]*\).*/\1/p' \
	"$TMP/security.log")
if [ -z "$score" ]; then
	bad "systemd-analyze security gave no score:"
	sed 's/^/       /' "$TMP/security.log"
else
	echo "  exposure: $score (systemd-analyze security --offline=true; at most $MAX_EXPOSURE)"
	grep '✗' "$TMP/security.log" | sed 's/  */ /g; s/^/       /'
	if awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'; then
		ok "exposure $score <= $MAX_EXPOSURE"
	else
		bad "exposure $score > $MAX_EXPOSURE"
	fi
fi
# ... and the score read above is the real one: an unhardened unit scores high.
printf '[Service]\nExecStart=/bin/true\n' >"$TMP/bare.service"
bare=$(systemd-analyze security --offline=true --no-pager "$TMP/bare.service" 2>&1 |
	sed -n 's/.*Overall exposure level for bare.service: \([0-9.]*\).*/\1/p')
check "an unhardened unit scores above $MAX_EXPOSURE (${bare:-no score})" \
	awk -v s="${bare:-0}" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s > m) }'

# kernel.sysrq = 0 wins over this machine's sysctl files and over a distribution default
# (Debian's kernel default is 438, with reboot): systemd-sysctl reads the installed
# $(PREFIX)/lib/sysctl.d file last.
mkdir -p "$R/usr/lib/sysctl.d" "$R/etc/sysctl.d"
[ -d /usr/lib/sysctl.d ] && cp -a /usr/lib/sysctl.d/. "$R/usr/lib/sysctl.d/"
[ -d /etc/sysctl.d ] && cp -a /etc/sysctl.d/. "$R/etc/sysctl.d/"
[ -e /etc/sysctl.conf ] && cp -a /etc/sysctl.conf "$R/etc/sysctl.conf"
printf 'kernel.sysrq = 438\n' >"$R/usr/lib/sysctl.d/50-distribution-default.conf"
sysrq=$(systemd-analyze cat-config --root="$R" --no-pager sysctl.d 2>/dev/null |
	sed -n 's/^[[:space:]]*kernel\.sysrq[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' | tail -n 1)
check "kernel.sysrq from all sysctl.d files is 0 (got ${sysrq:-nothing})" test "$sysrq" = 0

# The user and groups, created in the temp root's own /etc.
mkdir -p "$R/etc"
if systemd-sysusers --root="$R" >"$TMP/sysusers.log" 2>&1; then
	ok "systemd-sysusers --root=<temp> applies tallykiosk.conf"
else
	bad "systemd-sysusers:"
	sed 's/^/       /' "$TMP/sysusers.log"
fi
has_group() { grep -q "^$1:" "$R/etc/group"; }
unit_value() { sed -n "s/^$1=//p" "$UNIT"; }
conf_value() { # conf_value SECTION KEY: the value in the installed kiosk.conf
	awk -v s="[$1]" -v k="$2" '
		/^\[/ { in_s = ($0 == s) }
		in_s && $1 == k && $2 == "=" { sub(/^[^=]*= */, ""); print; exit }' "$CONF"
}

user=$(unit_value User)
group=$(unit_value Group)
check "unit runs as the tallykiosk user, created by sysusers" \
	bash -c "[ '$user' = tallykiosk ] && grep -q '^tallykiosk:' '$R/etc/passwd'"
check "unit's primary group is the staff group tallystaff, created by sysusers" \
	bash -c "[ '$group' = tallystaff ] && grep -q '^tallystaff:' '$R/etc/group'"
for g in $(unit_value SupplementaryGroups); do
	# video comes from Debian's own basic.conf (not in this temp root); the rest from ours.
	if [ "$g" = video ]; then continue; fi
	check "supplementary group $g is created by sysusers" has_group "$g"
done
check "sysusers gives the kiosk no login shell" \
	bash -c "grep '^tallykiosk:' '$R/etc/passwd' | grep -q ':/usr/sbin/nologin$'"

# The config's paths are the unit's directories: the database in StateDirectory, the socket
# in RuntimeDirectory (so tallystaff reaches it), and the service is allowed to write both.
db=$(conf_value storage database)
sock=$(conf_value storage socket)
check "kiosk.conf database ($db) is in /var/lib/\$StateDirectory" \
	test "$(dirname "$db")" = "/var/lib/$(unit_value StateDirectory)"
check "kiosk.conf socket ($sock) is in /run/\$RuntimeDirectory" \
	test "$(dirname "$sock")" = "/run/$(unit_value RuntimeDirectory)"
check "runtime directory is 0750 (staff may enter, others may not)" \
	test "$(unit_value RuntimeDirectoryMode)" = 0750
check "kiosk.conf has allow_quit = false" test "$(conf_value display allow_quit)" = false
check "kiosk.conf is full-screen" test "$(conf_value display fullscreen)" = true
check "kiosk.conf has a [gpio.button] on GPIO17" test "$(conf_value gpio.button line)" = GPIO17
check "unit is Type=notify with a watchdog" \
	bash -c "[ '$(unit_value Type)' = notify ] && [ -n '$(unit_value WatchdogSec)' ]"
check "unit uses the KMSDRM video driver" grep -qx 'Environment=SDL_VIDEODRIVER=kmsdrm' "$UNIT"

# The staff page's drop-ins (board/raspberry-pi/README.md): web.conf lets the kiosk listen,
# clock.conf lets it set the clock. With both the unit still loads without a warning, and the
# only capability it gains is CAP_SYS_TIME.
MAX_EXPOSURE_WEB=2.5
D=$R/etc/systemd/system/tallykiosk.service.d
mkdir -p "$D"
cp board/raspberry-pi/tallykiosk-web.conf "$D/web.conf"
cp board/raspberry-pi/tallykiosk-clock.conf "$D/clock.conf"
if systemd-analyze verify --root="$R" tallykiosk.service >"$TMP/verify-web.log" 2>&1 &&
	[ ! -s "$TMP/verify-web.log" ]; then
	ok "with the web and clock drop-ins: systemd-analyze verify, no warnings"
else
	bad "systemd-analyze verify with the web and clock drop-ins:"
	sed 's/^/       /' "$TMP/verify-web.log"
fi
systemd-analyze security --offline=true --root="$R" --no-pager tallykiosk.service \
	>"$TMP/security-web.log" 2>&1
score=$(sed -n 's/.*Overall exposure level for tallykiosk.service: \([0-9.]*\).*/\1/p' \
	"$TMP/security-web.log")
echo "  exposure with the web and clock drop-ins: ${score:-none} (at most $MAX_EXPOSURE_WEB)"
check "exposure with the web and clock drop-ins ${score:-none} <= $MAX_EXPOSURE_WEB" \
	awk -v s="${score:-99}" -v m="$MAX_EXPOSURE_WEB" 'BEGIN { exit !(s <= m) }'
caps=$(grep '^✗ CapabilityBoundingSet=' "$TMP/security-web.log" | awk '{ print $2 }' |
	tr '\n' ' ')
check "the clock drop-in grants CAP_SYS_TIME and no other capability (${caps:-none})" \
	test "$caps" = "CapabilityBoundingSet=~CAP_SYS_TIME "
check "and the base unit grants none" \
	bash -c "! grep -q '✗ CapabilityBoundingSet' '$TMP/security.log'"

finish
