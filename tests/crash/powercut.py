#!/usr/bin/env python3
"""Simulated power cuts against the kiosk's real store (tests/crash/powercut_drive.c).

Each cut: start the driver on the same database, read its START line (the store opened,
quick_check passed, the total agrees with the rows), let it commit for a random 0..MAX_MS ms,
SIGKILL it, then revert writes that were never fsynced, from the lossy VFS's undo logs:
  all     every unsynced write is lost (and files grown since the last sync shrink back)
  subset  each unsynced write is lost with probability 1/2 (the disk reordered them)
  torn    like subset, but a lost write may lose only some of its 512-byte sectors
A file created and never synced loses its directory entry half of the time.

The next START must show the last acknowledged transaction, or the one in flight after it
(the goal column carries the transaction's serial number). With --expect-loss (the negative
control, synchronous=NORMAL) the run passes only if at least one acknowledged transaction
was lost: proof that the harness can see a loss.
"""
import argparse, glob, os, random, signal, sqlite3, struct, subprocess, sys, tempfile, time


def powercut(db, rng, mode):
    """Reverts unsynced writes of db's files. Returns how many writes were lost."""
    lost = 0
    for undo in glob.glob(glob.escape(db) + "*.undo"):
        path = undo[:-5]
        with open(undo, "rb") as f:
            data = f.read()
        os.unlink(undo)
        recs, i = [], 0
        while i + 25 <= len(data):
            kind = data[i:i + 1]
            off, n, oldsz = struct.unpack("<qqq", data[i + 1:i + 25])
            old = data[i + 25:i + 25 + n]
            if len(old) < n:
                break  # record cut short by the kill: its write never happened
            i += 25 + n
            recs.append((kind, off, n, oldsz, old))
        if not os.path.exists(path) or not recs:
            continue
        if any(r[0] == b"C" for r in recs) and rng.random() < 0.5:
            os.unlink(path)  # created, never synced: the directory entry is gone
            lost += 1
            continue
        fd = os.open(path, os.O_RDWR)
        minsz = None
        for kind, off, n, oldsz, old in reversed(recs):
            if kind == b"C":
                continue
            if mode != "all" and rng.random() < 0.5:
                continue  # this write reached the disk
            lost += 1
            if kind == b"W" and mode == "torn":
                for s in range(0, n, 512):
                    if rng.random() < 0.5:
                        os.pwrite(fd, old[s:s + 512], off + s)
            else:
                os.pwrite(fd, old, off)
            if kind == b"W":
                minsz = oldsz if minsz is None else min(minsz, oldsz)
        if minsz is not None and mode == "all":
            os.ftruncate(fd, minsz)  # the file's growth was not synced either
        os.close(fd)
    return lost


def integrity(db):
    """integrity_check by a plain SQLite connection (it also replays the WAL, as a reboot would)."""
    c = sqlite3.connect(db)
    try:
        return c.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("driver")
    ap.add_argument("--cuts", type=int, default=1000)
    ap.add_argument("--mode", choices=("all", "subset", "torn"), default="all")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-ms", type=float, default=25.0)
    ap.add_argument("--epoch", type=int, default=100,
                    help="start a fresh database every EPOCH cuts (keeps start-up quick)")
    ap.add_argument("--expect-loss", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="tk-powercut-")
    db = os.path.join(work, "t.db")
    floor = None  # (serial, event_id, total) of the last acknowledged transaction
    lost = corrupt = acks = reverted = checks = 0
    t0 = time.time()
    for i in range(a.cuts):
        if i and i % a.epoch == 0:
            if integrity(db) != "ok":
                print(f"cut {i}: integrity_check failed")
                corrupt += 1
                break
            checks += 1
            for f in glob.glob(glob.escape(db) + "*"):
                os.unlink(f)
            floor = None
        p = subprocess.Popen([a.driver, db, str(a.seed * 1000003 + i)], stdout=subprocess.PIPE)
        first = p.stdout.readline().decode().split()
        if not first or first[0] != "START":
            p.kill()
            p.wait()
            print(f"cut {i}: the store does not open after the previous cut: {' '.join(first)}")
            corrupt += 1
            break
        start = tuple(int(x) for x in first[1:4])
        if floor is not None:
            if start[0] < floor[0] or (start[0] == floor[0] and start != floor):
                lost += 1
                if lost <= 5 or not a.expect_loss:
                    print(f"cut {i}: ACKNOWLEDGED TRANSACTION LOST: reopened at serial/event/total "
                          f"{start}, last acknowledged {floor}")
            elif start[0] > floor[0] + 1:
                print(f"cut {i}: reopened at serial {start[0]}, beyond the one in flight after {floor[0]}")
                corrupt += 1
        time.sleep(rng.uniform(0, a.max_ms) / 1000.0)
        p.send_signal(signal.SIGKILL)
        rest = p.stdout.read().decode().split("\n")
        p.wait()
        floor = start
        for line in rest:
            w = line.split()
            if w and w[0] == "ACK":
                floor = tuple(int(x) for x in w[1:4])
                acks += 1
            elif w and w[0] == "FAIL":
                print(f"cut {i}: driver failed: {line}")
                corrupt += 1
        reverted += powercut(db, rng, a.mode)
        if corrupt:
            break
    dt = time.time() - t0
    check = "not run"
    if not corrupt and os.path.exists(db):
        check = integrity(db)
        checks += 1
        if check != "ok":
            corrupt += 1
    print(f"powercut mode={a.mode} cuts={i + 1} acked_txns={acks} reverted_writes={reverted} "
          f"lost_acked={lost} corrupt={corrupt} integrity_checks={checks} last={check} seconds={dt:.1f} "
          f"cuts/s={(i + 1) / dt:.0f}")
    if not a.keep:
        for f in glob.glob(os.path.join(work, "*")):
            os.unlink(f)
        os.rmdir(work)
    else:
        print("kept", work)
    if a.expect_loss:
        ok = lost > 0 and not corrupt
        print("negative control: " + ("the harness saw lost acknowledged transactions, as it must"
                                      if ok else "NO LOSS SEEN: the harness cannot detect a loss"))
        return 0 if ok else 1
    return 0 if lost == 0 and corrupt == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
