#!/usr/bin/env bash
# The staff page in a real browser (Debian's chromium, headless, driven by puppeteer-core):
# see browser.mjs. Run by `make test-web-browser`, which installs puppeteer-core first. The
# screenshot of the page is kept as $BUILD/web/staff-page.png.
. "$(dirname "$0")/../e2e/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath "$BUILD")/web
mkdir -p "$OUT"
printf '[web]\nenabled = true\nlisten = 127.0.0.1:0\n' >"$WORK/web.conf"
start_kiosk -c "$WORK/web.conf" || { fail "kiosk starts"; finish; exit 1; }
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
stop_kiosk
finish
