#!/usr/bin/env python3
"""A damaged database is moved aside (never deleted or changed), the kiosk starts on a fresh
file with what could be read, says so, and keeps counting.

Builds a database with the real kiosk (presses, adds, a new event), then damages copies of
it in several ways and starts the kiosk on each. Invariants: the kiosk answers; the damaged
file is kept byte for byte as <db>.damaged-<time>; the log names it; the current event's
total is at least what the damaged file's events table still says (when that is readable);
an undo right after recovery does not take back the recovered total; a press counts.
"""
import glob, hashlib, json, os, shutil, signal, socket, sqlite3, subprocess, sys, tempfile, time

build = sys.argv[1]
kiosk = os.path.abspath(os.path.join(build, "tallykiosk"))
work = tempfile.mkdtemp(prefix="tk-recover-")
conf = os.path.join(work, "k.conf")
open(conf, "w").write("[event]\nname = Recover test\ngoal = 0\n[display]\ncarousel = false\n[input]\nkeyboard = false\n")
env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_RENDER_DRIVER="software", SDL_AUDIODRIVER="dummy",
           HOME=work, XDG_STATE_HOME=work)
fails = 0


def check(what, ok, detail=""):
    global fails
    print(("  ok   " if ok else "  FAIL ") + what + ("" if ok else f": {detail}"))
    fails += 0 if ok else 1


def start(db):
    log = open(db + ".log", "w")
    p = subprocess.Popen([kiosk, "-c", conf, "--db", db, "--windowed=320x240"], env=env,
                         stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(6000):  # 60 s: generous, a second suite may run beside this one
        if p.poll() is not None:
            return p, None
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(db + ".sock")
            s.settimeout(10)
            return p, s
        except OSError:
            s.close()
            time.sleep(0.01)
    return p, None


def req(s, line):
    s.sendall(line.encode() + b"\n")
    f = s.makefile("rb")
    head = f.readline().decode().split(" ", 2)
    if head[0] != "OK":
        return None
    return json.loads(f.read(int(head[1])))


def stop(p):
    p.send_signal(signal.SIGTERM)
    p.wait()


base = os.path.join(work, "base.db")
p, s = start(base)
for i in range(1500):
    req(s, "press")
req(s, "add 250")
req(s, "new-event Second")
for i in range(700):
    req(s, "press")
st = req(s, "status")
stop(p)
print(f"built: current event total {st['total']}, file {os.path.getsize(base)} bytes")


def pages(db, table):
    c = sqlite3.connect(db)
    try:
        return [r[0] for r in c.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    except sqlite3.OperationalError:
        return []
    finally:
        c.close()


def damage_page(db, pgno, byte=0x55):
    with open(db, "r+b") as f:
        f.seek((pgno - 1) * 4096 + 100 if pgno == 1 else (pgno - 1) * 4096)
        f.write(bytes([byte]) * 2000)


cases = []
cp = pages(base, "counts")
cases.append(("a page of count rows overwritten", lambda db: damage_page(db, cp[len(cp) // 2])))
cases.append(("every page of count rows overwritten", lambda db: [damage_page(db, n) for n in cp]))
cases.append(("the file cut in half", lambda db: os.truncate(db, os.path.getsize(db) // 2)))
ep = pages(base, "events")
cases.append(("the events page overwritten", lambda db: damage_page(db, ep[0])))

for name, hurt in cases:
    print(f"== {name}")
    db = os.path.join(work, "t.db")
    for f in glob.glob(db + "*"):
        os.unlink(f)
    shutil.copy(base, db)
    hurt(db)
    digest = hashlib.sha256(open(db, "rb").read()).hexdigest()
    old_total = None
    try:
        c = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
        old_total = c.execute("SELECT total FROM events WHERE ended_ms IS NULL ORDER BY id DESC").fetchone()[0]
        c.close()
    except sqlite3.Error:
        pass
    p, s = start(db)
    check("the kiosk starts on a damaged database", s is not None, open(db + ".log").read()[-500:])
    if s is None:
        continue
    kept = glob.glob(db + ".damaged-*")
    kept = [k for k in kept if not k.endswith("-wal")]
    check("the damaged file is kept aside", len(kept) == 1, kept)
    if kept:
        check("byte for byte", hashlib.sha256(open(kept[0], "rb").read()).hexdigest() == digest)
    log = open(db + ".log").read()
    check("the log says what happened", "was damaged" in log and "moved to" in log, log[-300:])
    now = req(s, "status")
    if old_total is not None:
        check(f"the readable total {old_total} is kept", now["total"] >= old_total, now)
    if name.startswith("every"):
        u = req(s, "undo")
        check("undo does not take back the recovered total", u is None or u["total"] >= now["total"] - 1, u)
        now = req(s, "status")
    after = req(s, "press")
    check("and it counts on", after is not None and after["total"] == now["total"] + 1, after)
    stop(p)
    c = sqlite3.connect(db)
    check("the new file passes integrity_check", c.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    c.close()
    print(f"   recovered total {now['total']} (damaged file's events table said {old_total})")

shutil.rmtree(work)
print(f"recovertest: {'ok' if not fails else str(fails) + ' failed'}")
sys.exit(1 if fails else 0)
