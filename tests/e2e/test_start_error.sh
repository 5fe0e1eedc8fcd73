#!/usr/bin/env bash
# A kiosk whose configuration has an error shows it full-screen on a real (X) display, with
# the file and line, instead of a black TV; saving the fixed file starts it by itself; stopped
# while showing the error it exits 2 (the systemd unit does not restart-loop on 2). With no
# display at all it is a clear fatal error, not a kiosk "counting" with no picture.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

command -v Xvfb >/dev/null || { fail "Xvfb is installed (make deps-test)"; finish; exit 1; }
mkdir -p "$WORK/fb"
# -displayfd: Xvfb picks a free display and says which, so two suites never collide.
exec 7>"$WORK/display"
Xvfb -displayfd 7 -screen 0 1024x576x24 -fbdir "$WORK/fb" -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
xvfb=$!
exec 7>&-
for _ in $(seq 300); do [ -s "$WORK/display" ] && break; sleep 0.1; done # 30 s: a loaded CI
export DISPLAY=:$(head -1 "$WORK/display")
unset SDL_VIDEODRIVER SDL_RENDER_DRIVER

wait_log() { # wait_log PATTERN: up to 30 s (generous: a loaded 2-core machine)
	for _ in $(seq 300); do grep -q "$1" "$WORK/kiosk.log" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
screen_text() {
	python3 "$here/xwd2png.py" "$WORK/fb/Xvfb_screen0" "$WORK/screen.png" &&
		tesseract "$WORK/screen.png" - 2>/dev/null | tr '\n' ' '
}

name=$(printf 'x%.0s' $(seq 130))
printf '# the kiosk of the library\n[event]\nname = %s\n' "$name" >"$WORK/kiosk.conf"
"$KIOSK" -c "$WORK/kiosk.conf" --db "$DB" >>"$WORK/kiosk.log" 2>&1 &
KIOSK_PID=$!
wait_log "waiting for" && pass "a bad config waits on screen" || fail "no error screen: $(tail -3 "$WORK/kiosk.log")"
check_contains "the log names file, line and key" "$(cat "$WORK/kiosk.log")" "kiosk.conf:3: [event] name: too long"
text=$(screen_text)
banner=$(python3 "$here/xwd2png.py" --top 0.2 "$WORK/fb/Xvfb_screen0" "$WORK/banner.png" &&
	tesseract "$WORK/banner.png" - 2>/dev/null | tr '\n' ' ')
check_contains "the screen says the kiosk cannot start" "$banner" "cannot start"
check_contains "the screen names the file and line" "$text" "kiosk.conf:3"

# Saving the fixed file starts the kiosk: it counts.
printf '# the kiosk of the library\n[event]\nname = Library evening\n' >"$WORK/kiosk.conf.new"
mv "$WORK/kiosk.conf.new" "$WORK/kiosk.conf"
wait_log "counting:" && pass "the fixed config starts the kiosk by itself" ||
	fail "did not start after the fix: $(tail -3 "$WORK/kiosk.log")"
for _ in $(seq 300); do ctl status 2>/dev/null | grep -q "Kiosk:  running" && break; sleep 0.1; done
ctl press >/dev/null
check "it counts after the restart" "$(total)" "1"
check_contains "the fixed name is used" "$(ctl status)" "Library evening"
# No window manager runs here: the kiosk's window covers the screen by its size alone, and is
# marked full-screen for a window manager that might start later (src/render_wm.c).
win=$(xwininfo -root -tree | awk '/"tallykiosk"/ { print $1; exit }')
geometry=$(xwininfo -id "$win" 2>&1)
check_contains "the window starts at the screen's corner" "$geometry" "Absolute upper-left X:  0"
check_contains "the window is as wide as the screen" "$geometry" "Width: 1024"
check_contains "the window is as high as the screen" "$geometry" "Height: 576"
check_contains "the window is marked full-screen" "$(xprop -id "$win" _NET_WM_STATE 2>&1)" \
	"_NET_WM_STATE_FULLSCREEN"
stop_kiosk
check "stopped, it exits 0" "$STOP_RC" "0"
[ "$STOP_RC" = 0 ] || tail -30 "$WORK/kiosk.log"

# Stopped while it shows the error: exit status 2, never 1.
: >"$WORK/kiosk.log"
printf '[display]\nrotate = 45\n' >"$WORK/kiosk.conf"
"$KIOSK" -c "$WORK/kiosk.conf" --db "$DB" >>"$WORK/kiosk.log" 2>&1 &
KIOSK_PID=$!
wait_log "waiting for" || fail "no error screen for rotate = 45"
stop_kiosk
check "stopped on the error screen, it exits 2" "$STOP_RC" "2"
[ "$STOP_RC" = 2 ] || tail -30 "$WORK/kiosk.log"

# A cases file that is missing names the config line that points at it.
: >"$WORK/kiosk.conf"
printf '[display]\ncarousel = true\n[content]\ncases = %s/nowhere.ini\n' "$WORK" >"$WORK/kiosk.conf"
SDL_VIDEODRIVER=dummy "$KIOSK" -c "$WORK/kiosk.conf" --db "$DB" >"$WORK/cases.log" 2>&1
check "a missing cases file exits 2" "$?" "2"
check_contains "it names the config line" "$(cat "$WORK/cases.log")" "kiosk.conf:4: [content] cases: $WORK/nowhere.ini: cannot open"

# No display at all.
kill "$xvfb"; wait "$xvfb" 2>/dev/null
env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER XDG_RUNTIME_DIR=$WORK "$KIOSK" --db "$DB" \
	>"$WORK/nodisplay.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && pass "no display: it exits ($rc)" || fail "no display: exited 0"
check_contains "no display: it says so" "$(cat "$WORK/nodisplay.log")" "no display found"
finish
