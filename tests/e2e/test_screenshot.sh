#!/usr/bin/env bash
# --screenshot renders the committed total headless: the PNG has the asked size, and OCR of
# the number region reads the total with its thousands separator.
. "$(dirname "$0")/lib.sh"

png_size() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8]==b"\x89PNG\r\n\x1a\n" else "not-a-png")' "$1"; }

start_kiosk || { fail "kiosk starts"; finish; exit 1; }
ctl add 1233 >/dev/null
ctl press >/dev/null
stop_kiosk

for size in 1920x1080 800x480; do
	out=$WORK/shot-$size.png
	SDL_VIDEODRIVER=offscreen "$KIOSK" --db "$DB" --screenshot "$out" --size "$size" 2>>"$WORK/kiosk.log"
	check "screenshot $size exits 0" "$?" 0
	check "screenshot $size has that size" "$(png_size "$out")" "$size"
	if command -v tesseract >/dev/null; then
		text=$(tesseract "$out" - --psm 11 2>/dev/null | tr -d ' ')
		check_contains "OCR of the $size screen reads the total" "$text" "1,234"
	else
		fail "tesseract is not installed (make deps-test installs it)"
	fi
done

# A running kiosk is asked for its state rather than the file.
start_kiosk || fail "kiosk restarts"
ctl add 1000 >/dev/null
SDL_VIDEODRIVER=offscreen "$KIOSK" --db "$DB" --screenshot "$WORK/live.png" --size 1280x720 2>>"$WORK/kiosk.log"
check "screenshot beside a running kiosk exits 0" "$?" 0
text=$(tesseract "$WORK/live.png" - --psm 11 2>/dev/null | tr -d ' ')
check_contains "it shows the running kiosk's total" "$text" "2,234"
SDL_VIDEODRIVER=offscreen "$KIOSK" --db "$DB" --screenshot "$WORK/live-1920x1080.png" \
	--size 1920x1080 2>>"$WORK/kiosk.log"
stop_kiosk
# Like with like: the same size, the same state gives the same image, another total not.
SDL_VIDEODRIVER=offscreen "$KIOSK" --db "$DB" --screenshot "$WORK/again-1920x1080.png" \
	--size 1920x1080 2>>"$WORK/kiosk.log"
check "the same total at the same size gives the same image" \
	"$(cmp -s "$WORK/live-1920x1080.png" "$WORK/again-1920x1080.png" && echo same || echo different)" same
check "a different total at the same size gives a different image" \
	"$(cmp -s "$WORK/shot-1920x1080.png" "$WORK/live-1920x1080.png" && echo same || echo different)" different
finish
