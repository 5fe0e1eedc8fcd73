#!/usr/bin/env bash
# More bad input (issue 5, test 8), beyond test_bad_input.sh:
#  - every key documented in assets/kiosk.conf (the [gpio.NAME] keys from its commented
#    examples too) with a value of the wrong type, out of range, too long and, where the
#    file says it must not be, empty: exit 2 with FILE:LINE and the key named; the documented
#    limits themselves are accepted (tallyctl reads the same parser);
#  - truncated and binary cases files ([content] cases): exit 2 with FILE:LINE, or a clean start;
#  - a database from a newer tallykiosk (higher user_version): refused, the file untouched;
#  - control socket lines that are too long (no newline at all), not UTF-8, with a NUL, or
#    unknown, and more idle connections than the kiosk serves;
#  - tallyctl against a dead socket: a stale socket file, a plain file, a listener that hangs up
#    or answers nonsense.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

run() { "$@" >"$WORK/out" 2>&1; echo $?; }
out() { cat "$WORK/out"; }
# The kiosk where it must refuse to start: if it wrongly starts, the test must fail, not hang.
# 60 s: far more than a refusal takes, even beside a second suite.
kiosk() { timeout 60 "$KIOSK" "$@"; }
# is_printable FILE: valid UTF-8 without control characters but newlines (no escape sequence
# or broken byte for the journal or a terminal).
is_printable() {
	LC_ALL=C grep -q '[^ -~]' "$1" || return 0 # printable ASCII: no need to ask Python
	python3 -c 'import sys, unicodedata as u
t = open(sys.argv[1], "rb").read().decode("utf-8")
sys.exit(any(u.category(c) == "Cc" and c != "\n" for c in t))' "$1" 2>/dev/null
}
printable() { # printable WHAT: about the last output
	if is_printable "$WORK/out"; then pass "$1"; else fail "$1: $(cat -v "$WORK/out")"; fi
}

# --- every configuration key ------------------------------------------------------------------
# The Python below writes one config file per bad or boundary value, and a manifest line each:
#   FILE <tab> refuse|accept <tab> LINE <tab> [section] key <tab> what the value is
mkdir -p "$WORK/cfg"
python3 - "$ROOT/assets/kiosk.conf" "$WORK/cfg" >"$WORK/cfg/manifest" <<'PY'
import os, re, sys

conf, out = sys.argv[1], sys.argv[2]
lines = open(conf, encoding="utf-8").read().splitlines()
# The comments as one text, for ranges written across lines ("hold_ms (500 to\n# 60000").
text = " ".join(l.strip().lstrip("#; ") for l in lines)
keys, seen = [], set()
section, doc, lastdoc = None, [], ""
for raw in lines:
    s = raw.strip()
    m = re.match(r"^\[(\w+)\]$", s) or re.match(r"^#\s*\[(gpio\.[\w-]+|mqtt)\]$", s)
    if m:
        section, doc = m.group(1), []
        continue
    # [gpio.NAME] and [mqtt] are commented out in the sample: "# key = value", "# # doc".
    gpio = section is not None and (section.startswith("gpio.") or section == "mqtt")
    m = re.match(r"^# ([a-z_]+)\s*=\s*(.*)$", s) if gpio else re.match(r"^([a-z_]+)\s*=\s*(.*)$", s)
    if m and section:
        d = " ".join(doc) or lastdoc
        lastdoc, doc = d, []
        name = ("gpio" if section.startswith("gpio.") else section, m.group(1))
        if name not in seen:
            seen.add(name)
            keys.append((section, m.group(1), m.group(2).strip(), d))
        continue
    if gpio:
        m = re.match(r"^# # ?(.*)$", s)
        if m:
            doc.append(m.group(1))
        elif not s.startswith("#"):
            section = None
        continue
    if s.startswith("#") or s.startswith(";"):
        doc.append(s.lstrip("#; "))
    elif not s:
        doc = []

def kind(default):
    if default.lower() in ("true", "false", "yes", "no", "on", "off"):
        return "bool"
    if re.fullmatch(r"-?\d+", default):
        return "int"
    if re.fullmatch(r"#?[0-9A-Fa-f]{6}", default):
        return "colour"
    return "string"

def int_range(key, d):
    # "width: 320 to 7680", "hold_ms (500 to 60000" anywhere, else the key's own comment.
    m = re.search(rf"\b{key}\b[ :(]*(?:from )?(\d+) to (\d+)", text) or \
        re.search(r"(\d+) to (\d+)", d)
    return (int(m.group(1)), int(m.group(2))) if m else None

n = 0
def case(section, key, value, expect, what):
    global n
    n += 1
    path = os.path.join(out, f"{n:03d}.conf")
    body = b"# a note first, so the line number is not just 1 or 2\n"
    line = 3
    if section.startswith("gpio."):
        body += f"[{section}]\n".encode()
        if key != "line":
            body += b"line = GPIO17\n"
            line += 1
    else:
        body += f"[{section}]\n".encode()
    if section == "mqtt":
        # The keys an [mqtt] section cannot do without, and the partners some keys need.
        need = {"broker": "127.0.0.1", "campaign": "c", "venue": "v"}
        need.update({"password_file": {"username": "k"}, "tls_cert": {"tls_key": "/k"},
                     "tls_key": {"tls_cert": "/c"}}.get(key, {}) if value else {})
        for k2, v2 in need.items():
            if k2 != key:
                body += f"{k2} = {v2}\n".encode()
                line += 1
    body += f"{key} = ".encode() + value + b"\n"
    open(path, "wb").write(body)
    print(f"{path}\t{expect}\t{line}\t[{section}] {key}\t{what}")

for section, key, default, d in keys:
    k = kind(default)
    refuse = lambda v, what: case(section, key, v, "refuse", what)
    accept = lambda v, what: case(section, key, v, "accept", what)
    refuse(b"x" * 250, "a 250-byte value")
    if k == "int":
        for v in (b"12abc", b"ten", b"1,000", b"1 000", b"0x10", b"1.5", b"-"):
            refuse(v, f"wrong type {v.decode()}")
        refuse(b"", "empty")
        refuse(b"99999999999999999999", "beyond 64 bits")
        r = int_range(key, d)
        if r:
            lo, hi = r
            refuse(str(lo - 1).encode(), f"below the documented {lo}")
            refuse(str(hi + 1).encode(), f"above the documented {hi}")
            accept(str(lo).encode(), f"the documented minimum {lo}")
            accept(str(hi).encode(), f"the documented maximum {hi}")
        else:
            refuse(b"-1", "negative")
            refuse(b"10000000000", "far too large")
    elif k == "bool":
        for v in (b"maybe", b"2", b"truee", b"y e s"):
            refuse(v, f"wrong type {v.decode()}")
        refuse(b"", "empty")
        for v in (b"yes", b"OFF", b"1"):
            accept(v, f"the documented {v.decode()}")
    elif k == "colour":
        for v in (b"#12345g", b"#1234", b"red", b"#1234567", b"12 34 56"):
            refuse(v, f"wrong type {v.decode()}")
        refuse(b"", "empty")
        accept(b"a0B1c2", "without the #, as documented")
    else:
        refuse(b"caf\xe9", "not UTF-8 (Latin-1)")
        refuse(b"\xff\xfe", "binary bytes")
        refuse(b"a\x01b", "a control character")
        m = re.search(r"(?:[Uu]p to|at most) (\d+) bytes", d)
        if m:
            top = int(m.group(1))
            prefix = b"/tmp/" if "path" in d else b""
            refuse(prefix + b"y" * (top + 1 - len(prefix)), f"{top + 1} bytes (at most {top})")
            accept(prefix + b"y" * (top - len(prefix)), f"exactly {top} bytes")
        if "must not be empty" in d.lower():
            refuse(b"", "empty")
            refuse(b"   ", "only spaces")
        elif re.search(r"leave (it )?empty|empty searches|empty = ", d, re.I):
            accept(b"", "empty, as documented")
PY
nkeys=$(cut -f4 "$WORK/cfg/manifest" | sort -u | wc -l)
ncases=$(wc -l <"$WORK/cfg/manifest")
# Every key the parser knows (src/config.c's tables) must be among them.
known=$(sed -n 's/^\t{ "\([a-z]*\)", "\([a-z_]*\)", K_.*/\1 \2/p' "$ROOT/src/config.c" | sort -u)
documented=$(cut -f4 "$WORK/cfg/manifest" | sed 's/^\[gpio\.[a-z]*\]/[gpio]/; s/^\[\(.*\)\] /\1 /' | sort -u)
missing=$(comm -23 <(echo "$known") <(echo "$documented") | tr '\n' ',')
check "every key of src/config.c is documented in assets/kiosk.conf" "${missing:-none}" none
check "and tried: $nkeys keys, $ncases values" "$nkeys" "$(echo "$known" | wc -l)"

# One check line per key: every value of that key behaved.
prev= bad=
finish_key() {
	[ -z "$prev" ] && return
	if [ -z "$bad" ]; then pass "$prev: $tried values refused or accepted as documented"
	else fail "$prev: $bad"; fi
}
tried=0
while IFS=$'\t' read -r file expect line key what; do
	if [ "$key" != "$prev" ]; then finish_key; prev=$key bad= tried=0; fi
	tried=$((tried + 1))
	[ -n "$bad" ] && continue
	if [ "$expect" = refuse ]; then
		rc=$(run kiosk -c "$file" --db "$WORK/never.db")
		msg=$(out)
		if [ "$rc" != 2 ]; then bad="$what: exit $rc, expected 2 ($msg)"
		elif [[ "$msg" != *"$file:$line: $key"* ]]; then
			bad="$what: the message does not name $(basename "$file"):$line and $key: $msg"
		elif ! is_printable "$WORK/out"; then
			bad="$what: the message holds unprintable bytes: $msg"
		fi
	else
		# tallyctl reads the config with the same parser and stops after it: exit 2 means
		# the value was refused; 3 (no database) or 0 that it was taken.
		rc=$(run "$CTL" -c "$file" --db "$WORK/never.db" status)
		case $rc in
		0|3) ;;
		2) bad="$what: refused: $(out)" ;;
		*) bad="$what: tallyctl exited $rc: $(out)" ;;
		esac
	fi
done <"$WORK/cfg/manifest"
finish_key
check "no database was created by any of them" "$([ -e "$WORK/never.db" ] && echo yes || echo no)" no

# A few mistakes of the file's shape that test_bad_input.sh does not make.
printf '[event]\ngoal = 5\n\n# later, again\ngoal = 6\n' >"$WORK/dup.conf"
check "a key set twice exits 2" "$(run kiosk -c "$WORK/dup.conf" --db "$WORK/never.db")" 2
check_contains "it names the second line and the key" "$(out)" "dup.conf:5: [event] goal"
printf 'goal = 5\n[event]\n' >"$WORK/nosect.conf"
check "a key before any section exits 2" "$(run kiosk -c "$WORK/nosect.conf" --db "$WORK/never.db")" 2
check_contains "it names the line" "$(out)" "nosect.conf:1:"
printf '[event]\nname = Fine\n[evnet]\nlabel = x\n' >"$WORK/sect.conf"
check "an unknown section exits 2" "$(run kiosk -c "$WORK/sect.conf" --db "$WORK/never.db")" 2
check_contains "it names the line and the section" "$(out)" "sect.conf:3: unknown section [evnet]"
# A key holding a terminal escape sequence and a broken byte is named, but harmlessly.
printf '[event]\n\x1b[2J\x1b[31mred\xff = 5\n' >"$WORK/esc.conf"
check "a key with an escape sequence exits 2" "$(run kiosk -c "$WORK/esc.conf" --db "$WORK/never.db")" 2
check_contains "it names the line" "$(out)" "esc.conf:2: [event] "
printable "and the message is printable"

# --- cases files --------------------------------------------------------------------------------
CASES=$ROOT/assets/cases/cases.ini
mkdir -p "$WORK/cases"
shot() { # shot CASES-FILE: a screenshot with it (the kiosk's start, without a display)
	printf '[content]\ncases = %s\n' "$1" >"$WORK/cases.conf"
	run kiosk -c "$WORK/cases.conf" --db "$WORK/cases.db" --screenshot "$WORK/shot.png" --size 320x240
}
check "the bundled cases file draws" "$(shot "$CASES")" 0

# Cut at 40 places spread over the file, and at the worst ones: inside a UTF-8 character,
# inside a [section] line, right after "name =". Each must start cleanly or stop with
# FILE:LINE, never crash.
size=$(stat -c %s "$CASES")
cuts=$(python3 - "$CASES" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
cuts = {len(b) * i // 40 for i in range(40)}
cuts.add(next(i for i, c in enumerate(b) if c >= 0xC0) + 1)     # inside a character
cuts.add(b.index(b"\n[", 1200) + 5)                              # inside "[id"
cuts.add(b.index(b"name =", 1200) + 6)                           # a name with no value
print(" ".join(map(str, sorted(cuts))))
PY
)
started=0 stopped=0 bad=
for n in $cuts; do
	head -c "$n" "$CASES" >"$WORK/cases/cut.ini"
	rc=$(shot "$WORK/cases/cut.ini")
	if [ "$rc" = 0 ]; then started=$((started + 1))
	elif [ "$rc" = 2 ] && grep -q "cut.ini:[0-9]*: \|cut.ini: " "$WORK/out"; then stopped=$((stopped + 1))
	else bad="${bad:-cut at byte $n of $size: exit $rc: $(out | tail -3)}"; fi
done
[ -z "$bad" ] && pass "cases file cut at $(echo "$cuts" | wc -w) places: $started drew, $stopped stopped with FILE:LINE" ||
	fail "truncated cases file: $bad"

head -c "$(python3 -c "import sys; b=open(sys.argv[1],'rb').read(); print(next(i for i,c in enumerate(b) if c>=0xC0)+1)" "$CASES")" "$CASES" >"$WORK/cases/mid-char.ini"
check "a file cut inside a UTF-8 character exits 2" "$(shot "$WORK/cases/mid-char.ini")" 2
check_contains "it says which line is not UTF-8" "$(out)" "mid-char.ini:"
: >"$WORK/cases/empty.ini"
check "an empty cases file exits 2" "$(shot "$WORK/cases/empty.ini")" 2
check_contains "it says there are no cases" "$(out)" "no cases in the file"
cp "$ROOT/tests/golden/tally-1920x1080.png" "$WORK/cases/photo.ini"
check "a PNG given as the cases file exits 2" "$(shot "$WORK/cases/photo.ini")" 2
check_contains "it says it is not text" "$(out)" "photo.ini:"
iconv -f UTF-8 -t UTF-16 "$CASES" >"$WORK/cases/utf16.ini"
check "a UTF-16 cases file (Notepad's \"Unicode\") exits 2" "$(shot "$WORK/cases/utf16.ini")" 2
check_contains "it says why, with the line" "$(out)" "utf16.ini:1: contains a NUL byte"
head -c 3000 /dev/urandom | tr -d '\000' >"$WORK/cases/random.ini"
check "random bytes as the cases file exit 2" "$(shot "$WORK/cases/random.ini")" 2
check_contains "with FILE:LINE" "$(out)" "random.ini:"
printable "the message is printable"
printf '\x1b[2J\x1b[31mred\xff = x\n[a]\n' >"$WORK/cases/esc.ini"
check "a cases key with an escape sequence exits 2" "$(shot "$WORK/cases/esc.ini")" 2
check_contains "it names the line" "$(out)" "esc.ini:1: "
printable "and the message is printable"
check "a folder as the cases file exits 2" "$(shot "$WORK/cases")" 2
check_contains "it names it" "$(out)" "$WORK/cases"

# --- a database from a newer tallykiosk -----------------------------------------------------------
FUT=$WORK/future.db
"$KIOSK" --db "$FUT" --screenshot "$WORK/f.png" --size 320x240 >/dev/null 2>&1
ctl_f() { "$CTL" --db "$FUT" "$@"; }
ctl_f add 7 >/dev/null
# one more than this build's STORE_SCHEMA_VERSION
next=$(( $(sed -n 's/^#define STORE_SCHEMA_VERSION \([0-9]*\).*/\1/p' "$ROOT/src/store.h") + 1 ))
sqlite3 "$FUT" "PRAGMA user_version = $next" || fail "sqlite3 sets user_version"
sum=$(md5sum <"$FUT")
check "the kiosk refuses a database from a newer version: exit 1" "$(run kiosk --db "$FUT" --windowed)" 1
check_contains "it says so and what to do" "$(out)" "written by a newer tallykiosk (schema version $next"
check_contains "and that the file is left alone" "$(out)" "upgrade tallykiosk, the file is left untouched"
check "tallyctl status on it exits 3" "$(run ctl_f status)" 3
check_contains "with the same reason" "$(out)" "written by a newer tallykiosk"
check "tallyctl add on it exits 3" "$(run ctl_f add 1)" 3
check "the file is untouched" "$(md5sum <"$FUT")" "$sum"
check "nothing was moved aside" "$(ls "$WORK" | grep -c 'future.db.damaged')" 0
sqlite3 "$FUT" "PRAGMA user_version = 2147483647"
check "a wildly newer version is refused too" "$(run kiosk --db "$FUT" --windowed)" 1
check_contains "naming it" "$(out)" "schema version 2147483647"

# --- control socket -----------------------------------------------------------------------------
start_kiosk || { fail "kiosk starts"; finish; exit 1; }
ctl add 10 >/dev/null
SOCK=$DB.sock
# raw CHUNKS...: sends the chunks (Python bytes expressions) on one connection, then ends its
# side of it, and prints the replies.
raw() {
	python3 - "$SOCK" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"".join(eval(a) for a in sys.argv[2:]))
s.shutdown(socket.SHUT_WR)
s.settimeout(10); data = b""
try:
    while True:
        c = s.recv(65536)
        if not c: break
        data += c
except socket.timeout: data += b"\n(timed out)"
sys.stdout.write(data.decode("utf-8", "replace"))
PY
}
r=$(raw 'b"\xff\xfe status\n"' 'b"add \xc3\x28\n"' 'b"new-event \xc0\xaf\n"' \
	'b"new-event \xed\xa0\x80\n"' 'b"status\x00junk\n"' 'b"frobnicate\n"' 'b"STATUS\n"' \
	'b"status please\n"' 'b"\n"' 'b"add 1000000001\n"' 'b"add 99999999999999999999\n"' \
	'b"goal -1\n"' 'b"export xml\n"' 'b"status\n"')
check "13 bad lines get 13 ERR replies, in order" "$(echo "$r" | grep -c '^ERR ')" 13
check "and the good line after them is answered" "$(echo "$r" | tail -1 | grep -c '"total":10')" 1
check_contains "a bad command word is named" "$r" "ERR usage"
r=$(raw 'b"A" * 100000' 'b"\nstatus\n"')
check "a 100,000-byte line is refused once" "$(echo "$r" | grep -c 'too long')" 1
check_contains "and the next line is answered" "$r" '"total":10'
r=$(raw 'b"B" * 4000')
check_contains "a long line with no newline before the client leaves gets an answer" "$r" "too long"
r=$(raw 'b"add 5"')
check "half a request, then the client leaves: nothing counted" "$(total)" 10
# A client that sends thousands of requests and never reads an answer: the kiosk holds one
# answer for it (not thousands of exports), serves everyone else and counts on.
python3 - "$SOCK" >/dev/null <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"press\n" * 400)
f = s.makefile("rb")
for _ in range(400):
    n = int(f.readline().split()[1]); f.read(n)
PY
rss() { sed -n 's/^VmRSS: *\([0-9]*\) kB/\1/p' "/proc/$KIOSK_PID/status"; }
rss_before=$(rss)
python3 - "$SOCK" "$WORK/hung" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096) # stuck after hundreds, not 20,000
s.connect(sys.argv[1])
s.setblocking(False)
sent, chunk = 0, b"export csv\n" * 10
# Send until the kiosk stops reading (its socket buffers and ours are full), never read.
idle_since = time.monotonic()
while time.monotonic() - idle_since < 2 and sent < 3000:
    try:
        sent += s.send(chunk) // len(b"export csv\n")
        idle_since = time.monotonic()
    except BlockingIOError:
        time.sleep(0.05)
open(sys.argv[2], "w").write("%d\n" % sent)
time.sleep(3600)
PY
hung=$!
# Waits for the client to be stuck (2 s without a byte taken; 120 s at most, for a slow box).
for _ in $(seq 1200); do [ -s "$WORK/hung" ] && break; sleep 0.1; done
check "the silent client got stuck sending (the kiosk stopped reading it)" \
	"$([ "$(cat "$WORK/hung" 2>/dev/null)" -lt 3000 ] 2>/dev/null && echo yes || echo no)" yes
check "others are served meanwhile" "$(ctl press >/dev/null; total)" 411
rss_after=$(rss)
grown=$(( (rss_after - rss_before) / 1024 ))
[ "$grown" -lt 16 ] && pass "kiosk memory grew $grown MB for $(cat "$WORK/hung") unread exports (< 16)" ||
	fail "kiosk memory grew $grown MB for $(cat "$WORK/hung") unread exports of $(ctl export --csv | wc -c) bytes"
kill "$hung"; wait "$hung" 2>/dev/null
check "and after it is gone" "$(ctl press >/dev/null; total)" 412
# More idle connections than the kiosk serves: refused clearly, and served again once they go.
slots=$(sed -n 's/^#define CTLSERVER_MAX_CLIENTS \([0-9]*\).*/\1/p' "$ROOT/src/ctlserver.h")
# Each connection is answered once (so the kiosk holds it), then stays open until told.
python3 - "$SOCK" "$slots" "$WORK/release" >"$WORK/idle" <<'PY' &
import os, socket, sys, time
conns = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); conns.append(s)
    s.sendall(b"status\n"); f = s.makefile("rb"); f.read(int(f.readline().split()[1]))
print("up", flush=True)
end = time.monotonic() + 120
while not os.path.exists(sys.argv[3]) and time.monotonic() < end:
    time.sleep(0.05)
PY
idle=$!
for _ in $(seq 1200); do grep -q up "$WORK/idle" 2>/dev/null && break; sleep 0.1; done
check "with $slots idle connections tallyctl exits 3" "$(run ctl status)" 3
check_contains "and says the kiosk is busy" "$(out)" "too many staff connections"
touch "$WORK/release"
wait "$idle"
# The kiosk sees the closes on its next wake-up: ask until it serves (60 s at most).
for _ in $(seq 600); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
check "once they close, tallyctl is served again" "$(total)" 412
check "the kiosk still counts" "$(ctl press >/dev/null; total)" 413

# --- tallyctl against a dead socket -------------------------------------------------------------
kill9_kiosk
check "kill -9 leaves the socket file behind" "$([ -S "$SOCK" ] && echo yes || echo no)" yes
check "tallyctl status with the stale socket exits 0" "$(run ctl status)" 0
check_contains "it reads the database and says no kiosk runs" "$(out)" "Kiosk:  not running"
check_contains "with the right total" "$(out)" "413"
check "tallyctl press with the stale socket exits 0" "$(run ctl press)" 0
check "the press is in the file" "$(total)" 414
start_kiosk || fail "the kiosk starts over its stale socket"
check "and shows the press made while it was down" "$(total)" 414
stop_kiosk
rm -f "$SOCK"
echo "not a socket" >"$SOCK"
check "a plain file where the socket should be: tallyctl exits 0" "$(run ctl press)" 0
check "and counts in the file" "$(total)" 415
rm -f "$SOCK"
# Something else listens there: it hangs up at once, or answers nonsense.
listener() { # listener MODE: serves one connection at $SOCK in the background
	python3 - "$SOCK" "$1" <<'PY' &
import os, socket, sys
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(1)
print("up", flush=True)
c, _ = s.accept()
if mode == "nonsense":
    c.recv(1000); c.sendall(b"HELLO THERE\n")
c.close(); s.close(); os.unlink(path)
PY
	LISTENER=$!
	for _ in $(seq 600); do [ -S "$SOCK" ] && break; sleep 0.1; done
}
listener hangup
check "a listener that hangs up: tallyctl exits 3" "$(run ctl status)" 3
check_contains "it says the kiosk did not answer" "$(out)" "no answer from the kiosk"
wait "$LISTENER"
listener nonsense
check "a listener that answers nonsense: tallyctl exits 3" "$(run ctl status)" 3
check_contains "it says the answer is not a reply" "$(out)" "not a reply"
wait "$LISTENER"
check "no count changed on the way" "$(total)" 415
finish
