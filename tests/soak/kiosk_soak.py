#!/usr/bin/env python3
"""Soak the real kiosk (headless, SDL_VIDEODRIVER=dummy) over its control socket.

    kiosk_soak.py BUILD [--seconds S] [--rate PRESSES_PER_S] [--warm PCT] [--rss-limit KIB]

Presses arrive at --rate a second on one staff connection (each waits for its reply, as
tallyctl does), with a status request every 100 presses, an undo every 700 and a new event
every 10,000; the carousel turns and the count-up runs in real time. Once a second the kiosk's
VmRSS and open fds (/proc/PID) are sampled. Passes when, after the warm-up (--warm percent of
the run), the resident set never rises more than --rss-limit KiB above its level at the end of
the warm-up and the fd count never more than FD_SLACK above it; when every press was
acknowledged and the file, after a clean stop, holds exactly what was acknowledged; and when the kiosk exits 0.
"""
import argparse, json, os, shutil, signal, socket, sqlite3, subprocess, sys, tempfile, time

FD_SLACK = 4  # font files the kiosk's font cache may open after the warm-up (see below)


def request(s, line):
    s.sendall(line.encode() + b"\n")
    buf = b""
    while b"\n" not in buf:
        c = s.recv(65536)
        if not c:
            raise ConnectionResetError("the kiosk closed the connection")
        buf += c
    head, rest = buf.split(b"\n", 1)
    w = head.decode().split(" ", 2)
    if w[0] == "ERR":
        return False, head.decode()
    n = int(w[1])
    while len(rest) < n:
        rest += s.recv(65536)
    return True, json.loads(rest[:n])


def sample(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--rate", type=float, default=20)
    ap.add_argument("--warm", type=float, default=20)
    ap.add_argument("--rss-limit", type=int, default=1024)
    a = ap.parse_args()
    kiosk = os.path.abspath(os.path.join(a.build, "tallykiosk"))
    work = tempfile.mkdtemp(prefix="tk-soak-")
    db, sock, conf = (os.path.join(work, n) for n in ("t.db", "t.db.sock", "k.conf"))
    with open(conf, "w") as f:
        f.write("[event]\nname = Soak\ngoal = 100000\n[display]\ncarousel_interval = 3\n")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_RENDER_DRIVER="software",
               SDL_AUDIODRIVER="dummy", HOME=work, XDG_STATE_HOME=work)
    log = open(os.path.join(work, "kiosk.log"), "w")
    p = subprocess.Popen([kiosk, "-c", conf, "--db", db, "--windowed=320x240"], env=env,
                         stdout=subprocess.DEVNULL, stderr=log)
    s = None
    for _ in range(100):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock)
            break
        except OSError:
            s = None
            time.sleep(0.1)
    if not s:
        print("kiosk-soak: FAIL the kiosk did not come up")
        p.kill()
        return 1
    t0 = time.time()
    warm_at = t0 + a.seconds * a.warm / 100
    next_sample = t0
    samples, warm = [], None
    presses = acked = undone = events = failed = 0
    try:
        while time.time() - t0 < a.seconds:
            ok, body = request(s, "press")
            presses += 1
            if ok:
                acked += 1
            else:
                failed += 1
                print(f"kiosk-soak: press refused: {body}")
            if presses % 100 == 0:
                request(s, "status")
            if presses % 700 == 0:
                ok, body = request(s, "undo")
                undone += ok and body.get("undone", 0)
            if presses % 10000 == 0:
                ok, _ = request(s, f"new-event Soak {presses // 10000}")
                events += ok
            now = time.time()
            if now >= next_sample:
                r = sample(p.pid)
                samples.append((now - t0, *r))
                if warm is None and now >= warm_at:
                    warm = r
                next_sample += 1
            time.sleep(max(0.0, t0 + presses / a.rate - time.time()))
    except (OSError, ValueError) as e:
        print(f"kiosk-soak: FAIL talking to the kiosk: {e}")
        failed += 1
    s.close()
    end = sample(p.pid)
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=30)
    c = sqlite3.connect(db)
    in_file = c.execute("SELECT coalesce(sum(delta), 0) FROM counts").fetchone()[0]
    presses_in_file = c.execute("SELECT count(*) FROM counts WHERE kind = 'press'").fetchone()[0]
    chk = c.execute("PRAGMA quick_check").fetchone()[0]
    c.close()
    warm = warm or end
    after = [x for x in samples if x[0] >= a.seconds * a.warm / 100]
    rss_max = max([x[1] for x in after] + [end[0]])
    fds = sorted({x[2] for x in after} | {end[1]})
    growth = rss_max - warm[0]
    print(f"kiosk-soak: {a.seconds:.0f} s, {presses} presses ({acked} acknowledged, {failed} "
          f"failed), {undone} undone, {events} new events; file: {presses_in_file} presses, "
          f"{in_file} letters, quick_check {chk}; kiosk exit {rc}")
    print(f"kiosk-soak: RSS {samples[0][1] if samples else '?'} KiB at start, {warm[0]} after "
          f"warm-up, {rss_max} max after, {end[0]} at end: growth {growth} KiB (limit "
          f"{a.rss_limit}); fds {warm[1]} after warm-up, {fds} after")
    bad = []
    if failed or acked != presses_in_file or in_file != acked - undone:
        bad.append("not every press was saved exactly once")
    if chk != "ok":
        bad.append("quick_check")
    if rc != 0:
        bad.append(f"the kiosk exited {rc}")
    if growth > a.rss_limit:
        bad.append(f"RSS grew by {growth} KiB")
    # The font cache opens a font file when a card first needs it and closes the least
    # recently used beyond its free faces, so the count moves by a few as cards change; a leak
    # grows with the 1,200 requests of the run.
    if fds[-1] > warm[1] + FD_SLACK:
        bad.append(f"fds grew: {fds} (after warm-up {warm[1]}, slack {FD_SLACK})")
    print("kiosk-soak: " + ("FAIL " + "; ".join(bad) if bad else "ok"))
    if not bad:
        shutil.rmtree(work)
    else:
        print(f"kiosk-soak: kept {work}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
