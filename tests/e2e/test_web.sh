#!/usr/bin/env bash
# The staff web page's API against the real kiosk, with curl: sign-in, every call, the
# refusals (no session, wrong origin, big bodies, bad JSON, methods, paths), the PIN back-off,
# setting the kiosk's clock from the phone, and 200 idle connections that must not stop
# presses from being counted and drawn.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { fail "curl is installed (make deps-test)"; finish; exit 1; }

# The kiosk runs on a faked clock (fakeclock.c): the page may set it, and the shim takes the
# clock_settime, so the machine's clock is never set (the suite may run as root).
cc -shared -fPIC -O2 -o "$WORK/fakeclock.so" "$(dirname "$0")/fakeclock.c" -ldl ||
	{ fail "build the fake clock"; finish; exit 1; }
export FAKE_CLOCK_FILE=$WORK/offset ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0
echo 0 >"$FAKE_CLOCK_FILE"

TOKEN=0123456789abcdef-script-token
cat >"$WORK/web.conf" <<CONF
[web]
enabled = true
listen = 127.0.0.1:0
api_token = $TOKEN
CONF
LD_PRELOAD=$WORK/fakeclock.so start_kiosk -c "$WORK/web.conf" --trace "$WORK/trace" ||
	{ fail "kiosk starts"; finish; exit 1; }
PORT=$(sed -n 's/.*web: staff page at .* port \([0-9]*\)).*/\1/p' "$WORK/kiosk.log")
B=http://127.0.0.1:$PORT
check_contains "the kiosk logs where the page is" "$PORT" ""
PIN=$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pin"])')
check "tallyctl web shows an 8-digit PIN" "$(echo "$PIN" | grep -cE '^[0-9]{8}$')" 1
out=$(ctl web)
check_contains "tallyctl web shows the URL" "$out" "Staff page: $B/"

out=$(ctl web --qr)
check_contains "tallyctl web --qr says the code is on screen" "$out" "on the kiosk's screen for 60 seconds"
check_contains "the kiosk logs who asked for the QR code" "$(cat "$WORK/kiosk.log")" "showing the QR code for $B/ (asked by tallyctl)"

JAR=$WORK/jar
# code METHOD PATH [curl args...]: prints the HTTP status
code() { local m=$1 p=$2; shift 2; curl -s -o "$WORK/body" -w '%{http_code}' -X "$m" "$@" "$B$p"; }
post() { local p=$1 d=$2; shift 2; code POST "$p" -b "$JAR" -H "Origin: $B" \
	-H 'Content-Type: application/json' --data-binary "$d" "$@"; }
body() { cat "$WORK/body"; }
jfield() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$WORK/body" "$1"; }

check "status without a session: 401" "$(code GET /api/status)" 401
check_contains "401 is a JSON error" "$(body)" '"error":"sign_in"'
check "the page itself needs no session" "$(code GET /)" 200
check "login with the right PIN: 204" \
	"$(code POST /api/login -c "$JAR" -H "Origin: $B" --data-binary "{\"pin\":\"$PIN\"}" -D "$WORK/hdr")" 204
cookie=$(grep -i '^Set-Cookie:' "$WORK/hdr")
check_contains "the session cookie is HttpOnly" "$cookie" "HttpOnly"
check_contains "the session cookie is SameSite=Strict" "$cookie" "SameSite=Strict"
check_contains "the session lasts 12 h" "$cookie" "Max-Age=43200"
check "the cookie holds 128 random bits" \
	"$(echo "$cookie" | grep -cE 'tk_session=[0-9a-f]{32};')" 1

check "status with the session: 200" "$(code GET /api/status -b "$JAR")" 200
check "status has the total" "$(jfield '["total"]')" 0
check "add 5: 200" "$(post /api/add '{"n":5}')" 200
check "add answers with the committed total" "$(jfield '["total"]')" 5
check "tallyctl status agrees" "$(total)" 5
CASE=$(sed -n 's/^\[\([a-z0-9-]*\)\]$/\1/p' "$(dirname "$0")/../../assets/cases/cases.ini" | head -1)
check "add 2 for case $CASE: 200" "$(post /api/add "{\"n\":2,\"case\":\"$CASE\"}")" 200
check "the case's total" "$(jfield "[\"cases\"][\"$CASE\"]")" 2
check "status says what undo would take back" "$(jfield '["undoable"]')" 2
check "undo allowed at most 1 of a 2: 409" "$(post /api/undo '{"max":1}')" 409
check_contains "409 says to confirm" "$(body)" '"error":"confirm"'
check "total unchanged by the refused undo" "$(total)" 7
check "undo allowed 2: 200" "$(post /api/undo '{"max":2}')" 200
check "undo says what it took back" "$(jfield '["undone"]')" 2
check "total after undo" "$(total)" 5
check "goal 300: 200" "$(post /api/goal '{"goal":300}')" 200
check "goal set" "$(ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["goal"])')" 300

# The kiosk's clock: the status says what it is; staff set it to the phone's time.
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
clk() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clock"][sys.argv[2]])' "$WORK/body" "$1"; }
# wait_verdict V: until the status's clock verdict is V (60 s at most: under load)
wait_verdict() { for _ in $(seq 600); do code GET /api/status -b "$JAR" >/dev/null
	[ "$(clk verdict 2>/dev/null)" = "$1" ] && return 0; sleep 0.1; done; return 1; }
code GET /api/status -b "$JAR" >/dev/null
check "status has the clock's verdict" "$(clk verdict)" ok
check "and whether the kiosk may set it (the shim lets it)" "$(clk can_set)" True
check "and the kiosk's time, in Unix ms" "$(python3 -c 'import sys; print(abs(int(sys.argv[1]) - int(sys.argv[2])) < 60000)' "$(clk now_ms)" "$(now_ms)")" True
echo -604800 >"$FAKE_CLOCK_FILE"
wait_verdict before_build && pass "a clock a week back shows in the status" ||
	fail "the status's clock: $(body)"
check_contains "its warning points to the staff page" "$(clk warning)" "set it (on the staff page, or sudo tallyctl set-time)"
check "the kiosk's time is a week behind" "$(python3 -c 'import sys; print(round((int(sys.argv[2]) - int(sys.argv[1])) / 86400000))' "$(clk now_ms)" "$(now_ms)")" 7
check "add 1 while the clock is wrong: 200" "$(post /api/add '{"n":1}')" 200
# Attacks and bad values: refused, and the clock stays where it was.
good="{\"now_ms\":$(now_ms)}"
check "set the clock without a session: 401" "$(code POST /api/clock -H "Origin: $B" --data-binary "$good")" 401
check "set the clock from another origin: 403" "$(code POST /api/clock -b "$JAR" -H 'Origin: http://evil.example' --data-binary "$good")" 403
check "set the clock with the cookie but no Origin: 403" "$(code POST /api/clock -b "$JAR" --data-binary "$good")" 403
check "set the clock with a wrong token: 401" "$(code POST /api/clock -H 'Authorization: Bearer nope-nope-nope-nope' --data-binary "$good")" 401
check "GET /api/clock: 405" "$(code GET /api/clock -b "$JAR")" 405
check "garbage JSON: 400" "$(post /api/clock '{"now_ms":')" 400
check_contains "garbage JSON says so" "$(body)" '"error":"bad_json"'
check "not an object: 400" "$(post /api/clock '[1700000000000]')" 400
check "no body: 400" "$(post /api/clock '')" 400
check "now_ms missing: 400" "$(post /api/clock '{}')" 400
check "now_ms as text: 400" "$(post /api/clock "{\"now_ms\":\"$(now_ms)\"}")" 400
check "now_ms with a fraction: 400" "$(post /api/clock "{\"now_ms\":$(now_ms).5}")" 400
check "now_ms too large for JSON's integers: 400" "$(post /api/clock '{"now_ms":99999999999999999999999}')" 400
check "an unknown field: 400" "$(post /api/clock "{\"now_ms\":$(now_ms),\"tz\":1}")" 400
check "now_ms twice: 400" "$(post /api/clock "{\"now_ms\":$(now_ms),\"now_ms\":1}")" 400
check "1970: 400" "$(post /api/clock '{"now_ms":0}')" 400
check_contains "it says the time is before the software was made" "$(body)" "1970-01-01 00:00:00 UTC is before this software was made"
check "a negative time: 400" "$(post /api/clock '{"now_ms":-1}')" 400
check "the year 2000: 400" "$(post /api/clock '{"now_ms":946684800000}')" 400
check "11 years ahead: 400" "$(post /api/clock "{\"now_ms\":$(( $(now_ms) + 11 * 366 * 86400000 ))}")" 400
check_contains "it says the time is too far ahead" "$(body)" "more than 10 years after this software was made"
check "the refused calls did not move the clock" "$(cat "$FAKE_CLOCK_FILE")" -604800
check_contains "refused values are logged with who sent them" "$(grep 'clock: the staff page (127.0.0.1) asked to set it: refused' "$WORK/kiosk.log")" "is more than 10 years after this software was made"
check "nor did they take the warning down" "$(code GET /api/status -b "$JAR")$(clk verdict)" 200before_build
# The phone's time.
check "set the clock to the phone's time: 200" "$(post /api/clock "{\"now_ms\":$(now_ms)}")" 200
check "the answer is the clock, right now" "$(clk verdict)" ok
check "the faked clock is back within a minute of the real one" \
	"$(awk '{ print ($1 > -60 && $1 < 60) }' "$FAKE_CLOCK_FILE")" 1
check "the status says so at once" "$(code GET /api/status -b "$JAR")$(clk verdict)$(clk warning)" 200ok
check_contains "the kiosk logs who set the clock, and from what" "$(grep 'clock: set to' "$WORK/kiosk.log")" "by the staff page (127.0.0.1) (it said"
check_contains "and takes its warning down" "$(cat "$WORK/kiosk.log")" "clock: it looks right again"
check "add 1 after the set: 200" "$(post /api/add '{"n":1}')" 200
code GET /api/export.csv -b "$JAR" >/dev/null
check "the count made while the clock was wrong says so; the one after is trusted" \
	"$(tr -d '\r' <"$WORK/body" | tail -2 | cut -d, -f5,6,12 | tr '\n' ' ')" "add,1,0 add,1,1 "
check "undo the two test adds" "$(post /api/undo '{"max":1}')$(post /api/undo '{"max":1}')" 200200
echo -3600 >"$FAKE_CLOCK_FILE"
check "scripts set the clock with the bearer token: 200" "$(code POST /api/clock -H "Authorization: Bearer $TOKEN" --data-binary "{\"now_ms\":$(now_ms)}")" 200
check_contains "the log says a token set it" "$(grep 'clock: set to' "$WORK/kiosk.log" | tail -1)" "by the staff page (token, 127.0.0.1)"
check "the faked clock is right again" "$(awk '{ print ($1 > -60 && $1 < 60) }' "$FAKE_CLOCK_FILE")" 1
# Set earlier than the last count (saved while the clock was a day ahead): set all the same,
# and the warning stays until the clock passes that count, as README.md says.
echo 86400 >"$FAKE_CLOCK_FILE"
check "add 1 with the clock a day ahead: 200" "$(post /api/add '{"n":1}')" 200
check "set it back to the phone's time: 200" "$(post /api/clock "{\"now_ms\":$(now_ms)}")" 200
check "the warning stays: the last count is a day later" "$(clk verdict)" before_latest
check "undo that add" "$(post /api/undo '{"max":1}')" 200

# Refusals.
check "cross-origin POST: 403" "$(code POST /api/add -b "$JAR" -H 'Origin: http://evil.example' --data-binary '{"n":1}')" 403
check "POST with the cookie but no Origin: 403" "$(code POST /api/add -b "$JAR" --data-binary '{"n":1}')" 403
check "nothing was added by refused calls" "$(total)" 5
head -c 1048576 /dev/zero | tr '\0' ' ' >"$WORK/big"
check "a 1 MiB body: 413" "$(post /api/add @"$WORK/big")" 413
check "a 1 MiB chunked body: 411" "$(post /api/add @"$WORK/big" -H 'Transfer-Encoding: chunked')" 411
check "bad JSON: 400" "$(post /api/add '{"n":')" 400
check_contains "bad JSON says so" "$(body)" '"error":"bad_json"'
check "n = 0: 400" "$(post /api/add '{"n":0}')" 400
check "n as text: 400" "$(post /api/add '{"n":"5"}')" 400
check "an unknown field: 400" "$(post /api/add '{"n":1,"nn":2}')" 400
check "a duplicate field: 400" "$(post /api/add '{"n":1,"n":2}')" 400
check "an unknown case id shape: 400" "$(post /api/add '{"n":1,"case":"../x"}')" 400
check "an empty event name: 400" "$(post /api/new-event '{"name":"  "}')" 400
check "GET on a POST call: 405" "$(code GET /api/add -b "$JAR" -D "$WORK/hdr")" 405
check_contains "405 says what is allowed" "$(grep -i '^Allow:' "$WORK/hdr")" "POST"
check "PUT on the page: 405" "$(code PUT / --data-binary x)" 405
check "OPTIONS: 204" "$(code OPTIONS /api/status)" 204
check "an unknown API call: 404" "$(code GET /api/nothing -b "$JAR")" 404
check "path traversal: 404" "$(code GET /../../etc/passwd --path-as-is)" 404
check "encoded path traversal: 404" "$(code GET /%2e%2e/%2e%2e/etc/passwd --path-as-is)" 404
check "HEAD of the page: 200" "$(curl -s -o /dev/null -w '%{http_code}' -I "$B/")" 200
check "nothing changed" "$(total)" 5

# New event, lists and exports.
check "new event: 200" "$(post /api/new-event '{"name":"Café Lumière 🌍 <b>"}')" 200
check "the new event is current" "$(ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["event"])')" "Café Lumière 🌍 <b>"
check "events: 200" "$(code GET /api/events -b "$JAR")" 200
check "events lists both" "$(jfield '.__len__()')" 2
check "the old event kept its total" "$(jfield '[0]["total"]')" 5
check "export.csv: 200" "$(code GET /api/export.csv -b "$JAR" -D "$WORK/hdr")" 200
check_contains "export.csv is CSV" "$(grep -i '^Content-Type:' "$WORK/hdr")" "text/csv"
check_contains "export.csv is a download" "$(grep -i '^Content-Disposition:' "$WORK/hdr")" "attachment"
check_contains "export.csv has the web's rows" "$(body)" ",add,5,5,web,"
check "export.json: 200" "$(code GET /api/export.json -b "$JAR")" 200
check "export.json is JSON with every row (3, and the clock test's 3 adds and 3 undos)" "$(jfield '.__len__()')" 9
check "cases: 200" "$(code GET /api/cases -b "$JAR")" 200
check "cases lists the case file's ids" "$(jfield '[0]["id"]')" "$CASE"

# Share cards: drawn by the kiosk's renderer on its own thread, as PNG at both sizes.
pngsize() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8]==b"\x89PNG\r\n\x1a\n" else "not a PNG")' "$1"; }
check "card.png: 200" "$(code GET /api/card.png -b "$JAR" -D "$WORK/hdr")" 200
check_contains "card.png is a PNG" "$(grep -i '^Content-Type:' "$WORK/hdr")" "image/png"
check "the card is 1080x1080" "$(pngsize "$WORK/body")" 1080x1080
check "card.png?size=wide: 200" "$(code GET '/api/card.png?size=wide' -b "$JAR")" 200
check "the wide card is 1200x630" "$(pngsize "$WORK/body")" 1200x630
check "card.png?size=huge: 400" "$(code GET '/api/card.png?size=huge' -b "$JAR")" 400
check "card.png without a session: 401" "$(code GET /api/card.png)" 401
out=$(ctl card "$WORK/card.png")
check_contains "tallyctl card writes the card" "$out" "Wrote $WORK/card.png"
check "tallyctl card: 1080x1080" "$(pngsize "$WORK/card.png")" 1080x1080
ctl card "$WORK/wide.png" --wide --event 1 >/dev/null
check "tallyctl card --wide --event 1: 1200x630" "$(pngsize "$WORK/wide.png")" 1200x630
ctl card "$WORK/none.png" --event 99 >/dev/null 2>&1
check "tallyctl card of an event that does not exist exits 1" "$?" 1
mkdir -p "$(realpath "$BUILD")/web" && cp "$WORK/card.png" "$WORK/wide.png" "$(realpath "$BUILD")/web/"

# Scripts use the bearer token, no cookie and no Origin.
check "bearer token: status 200" "$(code GET /api/status -H "Authorization: Bearer $TOKEN")" 200
check "bearer token: add 200" "$(code POST /api/add -H "Authorization: Bearer $TOKEN" --data-binary '{"n":4}')" 200
check "wrong bearer token: 401" "$(code GET /api/status -H "Authorization: Bearer nope-nope-nope-nope")" 401
check "the token's add counted" "$(total)" 4

# Taking back a mistaken new event (tallyctl reopen): offered while the new event has counted
# nothing, refused in words once it has.
FIRST=$(ctl events --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')
code GET /api/status -b "$JAR" >/dev/null
check "the status names the event reopen would go back to" "$(jfield '["reopen_to_id"]'),$(jfield '["reopen_to"]')" "1,$FIRST"
check_contains "and says why it would be refused: this event has counted" "$(jfield '["reopen_refused"]')" "has already counted"
check "reopen once the event has counted: 409" "$(post /api/reopen '')" 409
check_contains "409 says why in words" "$(body)" '"error":"refused"'
check_contains "naming the event" "$(body)" "Café Lumière 🌍 <b>\\\" has already counted"
check "the refused reopen changed nothing" "$(total)" 4
check "a mistaken new event: 200" "$(post /api/new-event '{"name":"Mistake"}')" 200
check "its status offers to go back" "$(jfield '["reopen_to"]'),$(jfield '["reopen_refused"]')" "Café Lumière 🌍 <b>,None"
check "reopen without a session: 401" "$(code POST /api/reopen -H "Origin: $B")" 401
check "reopen from another origin: 403" "$(code POST /api/reopen -b "$JAR" -H 'Origin: http://evil.example')" 403
check "reopen with the cookie but no Origin: 403" "$(code POST /api/reopen -b "$JAR")" 403
check "reopen with a wrong token: 401" "$(code POST /api/reopen -H 'Authorization: Bearer nope-nope-nope-nope')" 401
check "GET /api/reopen: 405" "$(code GET /api/reopen -b "$JAR")" 405
check "reopen with a body it does not take: 400" "$(post /api/reopen '{"to":1}')" 400
check "reopen with garbage: 400" "$(post /api/reopen '{')" 400
check "the refused calls left the mistake current" "$(ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["event"])')" Mistake
check "reopen: 200" "$(post /api/reopen '{}')" 200
check "the answer is the event gone back to, with its letters" "$(jfield '["event"]'),$(jfield '["total"]')" "Café Lumière 🌍 <b>,4"
check "tallyctl status agrees" "$(ctl status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["event"], d["total"])')" "Café Lumière 🌍 <b> 4"
check "the mistake is kept, closed and empty" "$(ctl events --json | python3 -c 'import json,sys; e=[x for x in json.load(sys.stdin) if x["name"]=="Mistake"]; print(len(e), e[0]["total"], e[0]["ended"] is not None)')" "1 0 True"
check_contains "the kiosk logs the reopen from the web" "$(grep 'reopen:' "$WORK/kiosk.log" | tail -1)" "source=web"
check "reopen again: 409 (this event has counted)" "$(post /api/reopen '')" 409
check "scripts reopen with the bearer token too (refused the same way)" "$(code POST /api/reopen -H "Authorization: Bearer $TOKEN")" 409

# A past event's share card, and the venue's export (a kiosk without [mqtt] has no venue).
check "card.png?event=1: 200" "$(code GET '/api/card.png?event=1' -b "$JAR")" 200
check "the past event's card is 1080x1080" "$(pngsize "$WORK/body")" 1080x1080
cp "$WORK/body" "$WORK/card-event1.png"
check "card.png?event=1&size=wide: 200" "$(code GET '/api/card.png?event=1&size=wide' -b "$JAR")" 200
check "the past event's wide card is 1200x630" "$(pngsize "$WORK/body")" 1200x630
check "it is not the current event's card" "$(cmp -s "$WORK/card-event1.png" <(curl -s -b "$JAR" "$B/api/card.png") && echo same || echo differs)" differs
check "card of an event that does not exist: 404" "$(code GET '/api/card.png?event=99' -b "$JAR")" 404
check_contains "404 names it" "$(body)" "there is no event 99"
for bad in 0 -1 abc 1.5 0x1 99999999999999999; do
	check "card.png?event=$bad: 400" "$(code GET "/api/card.png?event=$bad" -b "$JAR")" 400
done
check "a past card without a session: 401" "$(code GET '/api/card.png?event=1')" 401
check "export-venue.csv without [mqtt]: 404" "$(code GET /api/export-venue.csv -b "$JAR")" 404
check_contains "it says the kiosk knows no venue" "$(body)" '"error":"no_venue"'
check "export-venue.csv without a session: 401" "$(code GET /api/export-venue.csv)" 401
check "POST export-venue.csv: 405" "$(post /api/export-venue.csv '')" 405

# Logout ends the session; a new PIN ends every session.
cp "$JAR" "$WORK/jar2"
check "login again (second phone)" "$(code POST /api/login -c "$WORK/jar2" -H "Origin: $B" --data-binary "{\"pin\":\"$PIN\"}")" 204
check "logout: 204" "$(post /api/logout '')" 204
check "after logout: 401" "$(code GET /api/status -b "$JAR")" 401
check "the other phone still works" "$(code GET /api/status -b "$WORK/jar2")" 200
# A new PIN from a signed-in phone: the current PIN again, and every other session ends.
check "login a third phone" "$(code POST /api/login -c "$WORK/jar3" -H "Origin: $B" --data-binary "{\"pin\":\"$PIN\"}")" 204
pinpost() { local d=$1; shift; code POST /api/pin -b "$WORK/jar2" -H "Origin: $B" --data-binary "$d" "$@"; }
check "new PIN without a session: 401" "$(code POST /api/pin -H "Origin: $B" --data-binary "{\"pin\":\"$PIN\"}")" 401
check "new PIN from another origin: 403" "$(code POST /api/pin -b "$WORK/jar2" -H 'Origin: http://evil.example' --data-binary "{\"pin\":\"$PIN\"}")" 403
check "new PIN with the cookie but no Origin: 403" "$(code POST /api/pin -b "$WORK/jar2" --data-binary "{\"pin\":\"$PIN\"}")" 403
check "GET /api/pin: 405" "$(code GET /api/pin -b "$WORK/jar2")" 405
check "new PIN without the current PIN: 400" "$(pinpost '{}')" 400
check "new PIN with the current PIN as a number: 400" "$(pinpost "{\"pin\":$PIN}")" 400
check "new PIN with a wrong current PIN: 401" "$(pinpost '{"pin":"00000000"}')" 401
check_contains "401 says the PIN is wrong" "$(body)" '"error":"wrong_pin"'
check "a wrong current PIN does not sign the phone out" "$(code GET /api/status -b "$WORK/jar2")" 200
check_contains "it is logged as a wrong PIN" "$(grep 'wrong PIN from' "$WORK/kiosk.log" | tail -1)" "for new PIN"
check "the PIN is unchanged" "$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pin"])')" "$PIN"
check "new PIN with the current one: 200" "$(pinpost "{\"pin\":\"$PIN\"}" -D "$WORK/hdr")" 200
WEBPIN=$(jfield '["pin"]')
check "the answer shows a new 8-digit PIN" "$(echo "$WEBPIN" | grep -cE '^[0-9]{8}$')$([ "$WEBPIN" != "$PIN" ] && echo new)" 1new
check_contains "it is not cached" "$(grep -i '^Cache-Control:' "$WORK/hdr")" "no-store"
check "tallyctl web shows the same new PIN" "$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pin"])')" "$WEBPIN"
check "the phone that asked stays signed in" "$(code GET /api/status -b "$WORK/jar2")" 200
check "every other session ended" "$(code GET /api/status -b "$WORK/jar3")" 401
check "the old PIN no longer signs in" "$(code POST /api/login -H "Origin: $B" --data-binary "{\"pin\":\"$PIN\"}")" 401
check "the new one does" "$(code POST /api/login -c "$WORK/jar3" -H "Origin: $B" --data-binary "{\"pin\":\"$WEBPIN\"}")" 204
check_contains "the kiosk logs who changed it" "$(grep 'web: new PIN' "$WORK/kiosk.log" | tail -1)" "new PIN from the staff page (127.0.0.1); every other session ended"
check "the PIN is not in the log" "$(grep -c "$WEBPIN" "$WORK/kiosk.log")" 0
PIN=$WEBPIN
ctl web --new-pin >/dev/null
NEWPIN=$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pin"])')
check "tallyctl web --new-pin changes the PIN" "$([ "$NEWPIN" != "$PIN" ] && echo changed)" changed
check "a new PIN ends every session" "$(code GET /api/status -b "$WORK/jar2")" 401
check "the old PIN no longer works" "$(code POST /api/login -H "Origin: $B" --data-binary "{\"pin\":\"$PIN\"}")" 401
PIN=$NEWPIN

# Wrong PINs: the 5th starts a 30 s wait; even the right PIN is refused until it ends.
check "a fourth phone signs in before the wrong PINs" "$(code POST /api/login -c "$WORK/jar4" -H "Origin: $B" --data-binary "{\"pin\":\"$PIN\"}")" 204
code POST /api/login --data-binary '{"pin":"00000000"}' >/dev/null
for i in 2 3 4; do code POST /api/login --data-binary '{"pin":"00000000"}' >/dev/null; done
check "5th wrong PIN: 401 with Retry-After" "$(code POST /api/login --data-binary '{"pin":"00000000"}' -D "$WORK/hdr")" 401
check_contains "it says when to try again" "$(grep -i '^Retry-After:' "$WORK/hdr")" "30"
check "the right PIN during the wait: 429" "$(code POST /api/login -c "$JAR" --data-binary "{\"pin\":\"$PIN\"}" -D "$WORK/hdr")" 429
wait_s=$(sed -n 's/^Retry-After: *\([0-9]*\).*/\1/Ip' "$WORK/hdr")
check "429 has Retry-After" "$([ "${wait_s:-0}" -gt 0 ] && echo yes)" yes
check_contains "wrong PINs are logged" "$(cat "$WORK/kiosk.log")" "wrong PIN from 127.0.0.1 (5 in a row)"
check "a new PIN during the wait, with the right PIN: 429" "$(code POST /api/pin -b "$WORK/jar4" -H "Origin: $B" --data-binary "{\"pin\":\"$PIN\"}" -D "$WORK/hdr")" 429
check_contains "with Retry-After" "$(grep -i '^Retry-After:' "$WORK/hdr")" "Retry-After"
check "the signed-in phone is still signed in" "$(code GET /api/status -b "$WORK/jar4")" 200
check "and the PIN is unchanged" "$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pin"])')" "$PIN"
wait_until=$(($(date +%s) + wait_s + 1))

# Meanwhile: 200 idle connections, and presses still counted and drawn.
before=$(total)
shown_before=$(grep -c '^shown' "$WORK/trace")
coproc IDLE { python3 "$(dirname "$0")/../web/idle_conns.py" 127.0.0.1 "$PORT" 200; }
read -r line <&"${IDLE[0]}"
check_contains "200 idle connections attempted" "$line" "opened"
for _ in $(seq 1 20); do ctl press >/dev/null; done
check "presses are counted while 200 connections hang" "$(total)" $((before + 20))
# Frames: wait for the frame that shows the last press (generous: 10 s under load).
for _ in $(seq 1 100); do
	[ "$(grep -c '^shown' "$WORK/trace")" -ge $((shown_before + 1)) ] && break; sleep 0.1; done
check "frames are drawn while they hang" "$([ "$(grep -c '^shown' "$WORK/trace")" -gt "$shown_before" ] && echo yes)" yes
echo >&"${IDLE[1]}"
read -r line <&"${IDLE[0]}"
wait "$IDLE_PID" 2>/dev/null

while [ "$(date +%s)" -lt "$wait_until" ]; do sleep 1; done
check "the right PIN after the wait: 204" "$(code POST /api/login -c "$JAR" -H "Origin: $B" --data-binary "{\"pin\":\"$PIN\"}")" 204
check "the API answers after the idle connections" "$(code GET /api/status -b "$JAR")" 200

stop_kiosk
check "kiosk exits 0 on SIGTERM with the web page on" "$STOP_RC" 0

# Without a kiosk: the PIN is read from the database; there is no screen for a QR code.
check_contains "offline tallyctl web shows the kept PIN" "$(ctl web)" "PIN:        $PIN"
ctl web --qr >/dev/null 2>&1
check "offline tallyctl web --qr exits 3" "$?" 3
ctl web --new-pin >/dev/null
check "offline tallyctl web --new-pin changes the kept PIN" \
	"$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pin"] != sys.argv[1])' "$PIN")" True
# A kiosk without [web]: nothing listens, and tallyctl says how to turn it on.
start_kiosk || fail "kiosk starts without [web]"
out=$(ctl web 2>&1)
check "tallyctl web with the page off exits 1" "$?" 1
check_contains "and says how to turn it on" "$out" "[web] enabled = true"
check "nothing listens on the old port" "$(curl -s -o /dev/null -w '%{http_code}' "$B/")" 000
stop_kiosk
# A page that cannot start (its port is taken) does not stop the counting.
python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >"$WORK/busyport" &
BUSY_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/busyport" ] && break; sleep 0.1; done
printf '[web]\nenabled = true\nlisten = 127.0.0.1:%s\n' "$(cat "$WORK/busyport")" >"$WORK/busy.conf"
start_kiosk -c "$WORK/busy.conf" || fail "kiosk starts though its web port is taken"
before=$(total); ctl press >/dev/null
check "it counts without its web page" "$(total)" $((before + 1))
check_contains "tallyctl web says the page could not start" "$(ctl web 2>&1)" "could not start"
stop_kiosk
kill "$BUSY_PID" 2>/dev/null

# A kiosk without the right to set the clock (`make run` as a user, or a unit without the web
# drop-in): the status says so, and a set is refused with how to do it instead. First as the
# shim reports it (FAKE_CLOCK_DENY), then for real: without CAP_SYS_TIME (root drops it from
# its bounding set with setpriv; any other user never had it). The status is checked before
# any set is sent, so a kiosk that could set the real clock is never asked to.
# signin_new_kiosk: the port of the kiosk started last, and a session on it
signin_new_kiosk() {
	PORT=$(sed -n 's/.*web: staff page at .* port \([0-9]*\)).*/\1/p' "$WORK/kiosk.log" | tail -1)
	B=http://127.0.0.1:$PORT
	PIN=$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pin"])')
	code POST /api/login -c "$JAR" -H "Origin: $B" --data-binary "{\"pin\":\"$PIN\"}" >/dev/null
}
echo -604800 >"$FAKE_CLOCK_FILE"
FAKE_CLOCK_DENY=1 LD_PRELOAD=$WORK/fakeclock.so start_kiosk -c "$WORK/web.conf" ||
	fail "kiosk starts without the right to set the clock"
signin_new_kiosk
check "status: 200" "$(code GET /api/status -b "$JAR")" 200
check "the status says the kiosk may not set its clock" "$(clk can_set),$(clk verdict)" False,before_build
if [ "$(clk can_set)" = False ]; then
	check "setting it: 403" "$(post /api/clock "{\"now_ms\":$(now_ms)}")" 403
	check_contains "it says why and what to do" "$(body)" '"error":"not_permitted"'
	check_contains "it names the privilege" "$(body)" "CAP_SYS_TIME"
	check_contains "and the command at the kiosk" "$(body)" "sudo tallyctl set-time"
	check "the clock did not move" "$(cat "$FAKE_CLOCK_FILE")" -604800
	check_contains "the refusal is logged" "$(grep 'clock: the staff page' "$WORK/kiosk.log")" "refused, this process may not set the clock"
fi
stop_kiosk
echo 0 >"$FAKE_CLOCK_FILE"
if [ "$(id -u)" = 0 ]; then
	printf '#!/bin/sh\nexec setpriv --bounding-set -sys_time "%s" "$@"\n' "$KIOSK" >"$WORK/nocap"
	chmod 755 "$WORK/nocap"
	KIOSK_REAL=$KIOSK KIOSK=$WORK/nocap
fi
start_kiosk -c "$WORK/web.conf" || fail "kiosk starts without CAP_SYS_TIME"
KIOSK=${KIOSK_REAL:-$KIOSK}
signin_new_kiosk
check "status of a kiosk without CAP_SYS_TIME: 200" "$(code GET /api/status -b "$JAR")" 200
check "it says it may not set its clock" "$(clk can_set)" False
if [ "$(clk can_set)" = False ]; then
	check "setting it: 403" "$(post /api/clock "{\"now_ms\":$(now_ms)}")" 403
	check_contains "with the reason" "$(body)" '"error":"not_permitted"'
fi
stop_kiosk

# A PIN set in kiosk.conf is changed there: the page cannot replace it.
printf '[web]\nenabled = true\nlisten = 127.0.0.1:0\npin = 24681357\n' >"$WORK/pin.conf"
start_kiosk -c "$WORK/pin.conf" || fail "kiosk starts with [web] pin"
signin_new_kiosk
check "the PIN from kiosk.conf signs in" "$(code GET /api/status -b "$JAR")" 200
check "a new PIN when kiosk.conf sets it: 409" "$(post /api/pin '{"pin":"24681357"}')" 409
check_contains "it says the PIN is kiosk.conf's" "$(body)" '"error":"pin_in_config"'
check "the PIN stays" "$(ctl web --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pin"])')" 24681357
check "the phone stays signed in" "$(code GET /api/status -b "$JAR")" 200
stop_kiosk
finish
