#!/usr/bin/env python3
"""kill -9 the real kiosk at random moments while a fast client drives it over the control socket.

Each round: start build/tallykiosk headless on the same database, connect, read its state
(status: event id and total), compare it with what the previous round had acknowledged, then
send presses (with some adds, undos and new events) one at a time, each waiting for its reply,
until a timer kills the kiosk 0..MAX_MS ms after it answered. The reopened state must be the
acknowledged one, or the one the request in flight would have made. A kiosk that cannot start
(its start-up quick_check or total check failed) fails the test. Every --audit rounds the kiosk
is stopped cleanly and the file is audited: integrity_check, every event's total equals the sum
of its rows.

--tamper deletes the -wal file after each kill (losing recent commits on purpose); with
--expect-loss the run passes only if that loss is seen: proof that the check has teeth.
"""
import argparse, json, os, random, signal, socket, sqlite3, subprocess, sys, tempfile, threading, time


def request(s, line):
    """Sends one request; returns (ok, body or error). Raises OSError if the kiosk is gone."""
    s.sendall(line.encode() + b"\n")
    buf = b""
    while b"\n" not in buf:
        c = s.recv(65536)
        if not c:
            raise ConnectionResetError("closed")
        buf += c
    head, rest = buf.split(b"\n", 1)
    w = head.decode().split(" ", 2)
    if w[0] == "ERR":
        return False, head.decode()
    n = int(w[1])
    while len(rest) < n:
        c = s.recv(65536)
        if not c:
            raise ConnectionResetError("closed")
        rest += c
    return True, json.loads(rest[:n])


def audit(db):
    c = sqlite3.connect(db)
    try:
        chk = c.execute("PRAGMA integrity_check").fetchone()[0]
        bad = c.execute("SELECT e.id, e.total, coalesce(sum(c.delta), 0) FROM events e LEFT JOIN counts c"
                        " ON c.event_id = e.id GROUP BY e.id HAVING e.total != coalesce(sum(c.delta), 0)").fetchall()
        return chk, bad
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--kills", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-ms", type=float, default=40.0)
    ap.add_argument("--audit", type=int, default=250)
    ap.add_argument("--tamper", action="store_true")
    ap.add_argument("--expect-loss", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    kiosk = os.path.abspath(os.path.join(a.build, "tallykiosk"))
    work = tempfile.mkdtemp(prefix="tk-kill-")
    db, sock, conf, log = (os.path.join(work, n) for n in ("t.db", "t.db.sock", "k.conf", "kiosk.log"))
    with open(conf, "w") as f:
        f.write("[event]\nname = Kill test\ngoal = 0\n[display]\ncarousel = false\n[input]\nkeyboard = false\n")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_RENDER_DRIVER="software", SDL_AUDIODRIVER="dummy",
               HOME=work, XDG_STATE_HOME=work)
    acked = None      # (event_id, total) of the last acknowledged reply
    inflight = None   # (op, n) sent and not answered when the kiosk died
    lost = bad = ops = kills = 0
    t0 = time.time()

    def start():
        with open(log, "w") as lf:
            p = subprocess.Popen([kiosk, "-c", conf, "--db", db, "--windowed=320x240"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=lf)
        deadline = time.time() + 60  # generous: a second suite may run beside this one
        while time.time() < deadline:
            if p.poll() is not None:
                return p, None
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sock)
                s.settimeout(10)
                return p, s
            except OSError:
                s.close()
                time.sleep(0.002)
        return p, None

    for i in range(a.kills):
        p, s = start()
        if s is None:
            print(f"round {i}: the kiosk did not start:\n" + open(log).read()[-2000:])
            bad += 1
            p.kill()
            p.wait()
            break
        ok, st = request(s, "status")
        now = (st["event_id"], st["total"])
        if acked is not None and now != acked:
            op, n = inflight if inflight else (None, 0)
            fine = ((op == "press" and now == (acked[0], acked[1] + 1)) or
                    (op == "add" and now == (acked[0], acked[1] + n)) or
                    (op == "undo" and now[0] == acked[0] and now[1] < acked[1]) or
                    (op == "new-event" and now[0] > acked[0] and now[1] == 0))
            if not fine:
                lost += 1
                if lost <= 5 or not a.expect_loss:
                    print(f"round {i}: ACKNOWLEDGED COUNT LOST: reopened at event/total {now}, "
                          f"acknowledged {acked}, in flight {inflight}")
        acked, inflight = now, None
        timer = threading.Timer(rng.uniform(0, a.max_ms) / 1000.0, p.send_signal, (signal.SIGKILL,))
        timer.start()
        try:
            while True:
                r = rng.random()
                if r < 0.95:
                    op, n, line = "press", 1, "press"
                elif r < 0.97:
                    n = rng.randint(2, 40)
                    op, line = "add", f"add {n}"
                elif r < 0.99:
                    op, n, line = "undo", 0, "undo"
                else:
                    op, n, line = "new-event", 0, f"new-event Round {i}"
                inflight = (op, n)
                ok, body = request(s, line)
                ops += 1
                if ok:
                    acked = (body["event_id"], body["total"])
                elif not (op == "undo" and "empty" in body):
                    print(f"round {i}: {line} refused: {body}")
                    bad += 1
                inflight = None
        except (OSError, ValueError):
            pass
        timer.join()
        s.close()
        p.wait()
        kills += 1
        if a.tamper:
            try:
                os.unlink(db + "-wal")
            except FileNotFoundError:
                pass
        if bad:
            break
        if (i + 1) % a.audit == 0 or i + 1 == a.kills:
            chk, wrong = audit(db)
            if chk != "ok" or wrong:
                print(f"round {i}: audit: integrity_check={chk} totals differing from rows: {wrong}")
                bad += 1
                break
    dt = time.time() - t0
    print(f"killtest kills={kills} requests_acked={ops} lost={lost} failures={bad} seconds={dt:.1f} "
          f"kills/s={kills / dt:.1f}")
    subprocess.run(["rm", "-rf", work])
    if a.expect_loss:
        ok = lost > 0
        print("negative control: " + ("the test saw the losses made on purpose" if ok
                                      else "NO LOSS SEEN: the test cannot detect a loss"))
        return 0 if ok else 1
    return 0 if lost == 0 and bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
