#!/usr/bin/env bash
# The staff page in a real browser (Debian's chromium, headless, driven by puppeteer-core):
# see browser.mjs. Run by `make test-web-browser`, which installs puppeteer-core first. The
# screenshot of the page is kept as $BUILD/web/staff-page.png.
. "$(dirname "$0")/../e2e/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath "$BUILD")/web
mkdir -p "$OUT"
printf '[web]\nenabled = true\nlisten = 127.0.0.1:0\n' >"$WORK/web.conf"
# The kiosk's clock is faked (tests/e2e/fakeclock.c): the page sets it, the machine's never.
cc -shared -fPIC -O2 -o "$WORK/fakeclock.so" "$HERE/../e2e/fakeclock.c" -ldl ||
	{ fail "build the fake clock"; finish; exit 1; }
export FAKE_CLOCK_FILE=$WORK/offset ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0
echo 0 >"$FAKE_CLOCK_FILE"
LD_PRELOAD=$WORK/fakeclock.so start_kiosk -c "$WORK/web.conf" || { fail "kiosk starts"; finish; exit 1; }
URL=$(ctl web --qr --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
PIN=$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pin"])')
check_contains "tallyctl web --qr gives the page's URL" "$URL" "http://127.0.0.1:"
if node "$HERE/browser.mjs" "$URL" "$PIN" "$OUT/staff-page.png" "$WORK/chromium" -- "$CTL" --db "$DB" \
	>"$WORK/browser.out" 2>&1; then rc=0; else rc=$?; fi
grep -E '^  (ok|FAIL) ' "$WORK/browser.out"
grep '^figure ' "$WORK/browser.out"
[ $rc -eq 0 ] && pass "the browser run passed" ||
	{ fail "the browser run (exit $rc)"; grep -vE '^(  ok|  FAIL|figure) ' "$WORK/browser.out" | tail -20; }
PASSES=$((PASSES + $(grep -c '^  ok ' "$WORK/browser.out")))
FAILS=$((FAILS + $(grep -c '^  FAIL ' "$WORK/browser.out")))
check_contains "the kiosk logs the set from the page" "$(grep 'clock: set to' "$WORK/kiosk.log")" "by the staff page (127.0.0.1)"
check_contains "and takes its screen's warning down" "$(cat "$WORK/kiosk.log")" "clock: it looks right again"
ctl press >/dev/null
check "a count after the set has a time that can be trusted" \
	"$(ctl export --csv | tr -d '\r' | tail -1 | cut -d, -f12)" 1
stop_kiosk

# A kiosk that may not set its clock (FAKE_CLOCK_DENY: as without CAP_SYS_TIME).
echo -604800 >"$FAKE_CLOCK_FILE"
FAKE_CLOCK_DENY=1 LD_PRELOAD=$WORK/fakeclock.so start_kiosk -c "$WORK/web.conf" ||
	{ fail "kiosk starts"; finish; exit 1; }
URL=$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
# The first run made a new PIN on the page.
NEWPIN=$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pin"])')
check "the PIN the page made is the kiosk's" "$([ "$NEWPIN" != "$PIN" ] && grep -c "^figure new-pin $NEWPIN\$" "$WORK/browser.out")" 1
PIN=$NEWPIN
if CLOCK_DENIED=1 node "$HERE/browser.mjs" "$URL" "$PIN" "$OUT/staff-page.png" "$WORK/chromium2" -- "$CTL" --db "$DB" \
	>"$WORK/browser2.out" 2>&1; then rc=0; else rc=$?; fi
grep -E '^  (ok|FAIL) ' "$WORK/browser2.out"
[ $rc -eq 0 ] && pass "the browser run without the right to set the clock passed" ||
	{ fail "the browser run without the right to set the clock (exit $rc)"; grep -vE '^(  ok|  FAIL|figure) ' "$WORK/browser2.out" | tail -20; }
PASSES=$((PASSES + $(grep -c '^  ok ' "$WORK/browser2.out")))
FAILS=$((FAILS + $(grep -c '^  FAIL ' "$WORK/browser2.out")))
check "the clock was not moved" "$(cat "$FAKE_CLOCK_FILE")" -604800
stop_kiosk
finish
