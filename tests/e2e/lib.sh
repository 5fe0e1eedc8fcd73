# Shared helpers for the end-to-end tests: each test runs the real binaries, headless, on a
# temporary database, and reports with pass/fail. Source this file; BUILD names the build dir.
set -u
BUILD=${BUILD:-build}
KIOSK=$(realpath "$BUILD/tallykiosk")
CTL=$(realpath "$BUILD/tallyctl")
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-dummy}
export SDL_RENDER_DRIVER=${SDL_RENDER_DRIVER:-software}
export SDL_AUDIODRIVER=dummy
WORK=$(mktemp -d /tmp/tk-e2e.XXXXXX)
export HOME=$WORK/home XDG_STATE_HOME=$WORK/state
mkdir -p "$HOME"
DB=$WORK/tally.db
KIOSK_PID=
FAILS=0
PASSES=0

cleanup() {
	[ -n "$KIOSK_PID" ] && kill -9 "$KIOSK_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

pass() { PASSES=$((PASSES + 1)); echo "  ok   $*"; }
fail() { FAILS=$((FAILS + 1)); echo "  FAIL $*"; }

# check "what" actual expected
check() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi
}

# check_contains "what" haystack needle
check_contains() {
	case "$2" in
	*"$3"*) pass "$1" ;;
	*) fail "$1: '$3' not in: $2" ;;
	esac
}

ctl() { "$CTL" --db "$DB" "$@"; }

# The total of the current event, from tallyctl status --json.
total() { ctl status --json | sed -n 's/.*"total":\([0-9]*\).*/\1/p'; }

# start_kiosk [args...]: starts the kiosk on $DB in the background, waits until it answers.
start_kiosk() {
	"$KIOSK" --db "$DB" --windowed=640x360 "$@" >>"$WORK/kiosk.log" 2>&1 &
	KIOSK_PID=$!
	# 60 s: generous, for a machine running a second suite beside this one.
	for _ in $(seq 1 600); do
		# Only the kiosk itself counts as up: tallyctl also answers from the file.
		if ctl status 2>/dev/null | grep -q "Kiosk:  running"; then return 0; fi
		if ! kill -0 "$KIOSK_PID" 2>/dev/null; then
			echo "kiosk died at start:"; tail -5 "$WORK/kiosk.log"; KIOSK_PID=; return 1
		fi
		sleep 0.1
	done
	echo "kiosk did not answer within 60 s"; return 1
}

# stop_kiosk: SIGTERM and wait; the exit status is left in STOP_RC.
stop_kiosk() {
	kill -TERM "$KIOSK_PID"
	wait "$KIOSK_PID"
	STOP_RC=$?
	KIOSK_PID=
}

kill9_kiosk() {
	kill -9 "$KIOSK_PID" 2>/dev/null
	wait "$KIOSK_PID" 2>/dev/null
	KIOSK_PID=
}

finish() {
	echo "$(basename "$0"): $PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
