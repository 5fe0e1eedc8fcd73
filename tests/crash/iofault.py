#!/usr/bin/env python3
"""Fail the k-th I/O call of a scripted run of the real store + storage thread, for every k,
once and sticky, with EIO and with ENOSPC (tests/crash/faultio.c, iofault_drive.c).

For each run: no crash (exit by signal), no hang (5 s), and afterwards, opened cleanly by the
real store (quick_check, total check) and counted by kind:
  acknowledged <= rows in the file <= acknowledged + failed attempts
(no shown count lost; a commit that reported failure may still be in the file, at most once
per failure). In "once" mode the run must also finish every job without a restart: the store
reopens after the failure and the retry succeeds.
"""
import concurrent.futures, os, shutil, sqlite3, subprocess, sys, tempfile, threading, time

drive, so = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
# tmpfs when there is one: real fsyncs only cost time here, the faults are injected.
work = tempfile.mkdtemp(prefix="tk-iofault-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
KINDS = ("press", "new-event", "add", "undo")


cnt = os.path.join(work, "count")
subprocess.run([drive, os.path.join(work, "count.db")], capture_output=True, timeout=60,
               env=dict(os.environ, LD_PRELOAD=so, FAULT_COUNT_FILE=cnt))
K = int(open(cnt).read())
res = dict(runs=0, crash=0, hang=0, lost=0, excess=0, corrupt=0, phantom=0, refused_start=0,
           not_recovered=0, recovered=0)


def one(err, sticky, k):
    """One faulted run and its checks, in its own folder. Returns (counter names, messages)."""
    d = tempfile.mkdtemp(dir=work)
    db = os.path.join(d, "f.db")
    hit, msgs = [], []
    env = dict(os.environ, LD_PRELOAD=so, FAULT_AT=str(k), FAULT_ERRNO=err)
    if sticky:
        env["FAULT_STICKY"] = "1"
    tag = f"k={k} {err} {'sticky' if sticky else 'once'}"
    try:
        try:
            p = subprocess.run([drive, db], capture_output=True, env=env, timeout=60)
        except subprocess.TimeoutExpired:
            return ["hang"], [f"HANG {tag}"]
        if p.returncode not in (0, 3):
            return ["crash"], [f"CRASH {tag} rc={p.returncode} {p.stderr.decode()[-300:]}"]
        if p.returncode == 3:
            hit.append("refused_start")
        lines = p.stdout.decode().splitlines()
        acked = {k_: 0 for k_ in KINDS}
        failed = {k_: 0 for k_ in KINDS}
        done = 0
        for line in lines:
            w = line.split()
            if w[0] == "ACK":
                acked[w[1]] += 1
                done += 1
            elif w[0] == "EMPTY":
                done += 1
            elif w[0] == "FAIL":
                failed[w[1]] += 1
        if not sticky and p.returncode == 0:
            if done == 48:
                if any(failed.values()):
                    hit.append("recovered")
            else:
                hit.append("not_recovered")
                msgs.append(f"NOT RECOVERED without restart {tag} "
                            f"{[l for l in lines if l.startswith('FAIL')][:3]}")
        q = subprocess.run([drive, db, "--check"], capture_output=True, timeout=60)
        if q.returncode != 0 or not q.stdout.startswith(b"START"):
            return hit + ["corrupt"], msgs + [f"DOES NOT OPEN {tag} {q.stdout.decode()[:300]}"]
        c = sqlite3.connect(db)
        chk = c.execute("PRAGMA quick_check").fetchone()[0]
        rows = {k_: c.execute("SELECT count(*) FROM counts WHERE kind = ?", (k_,)).fetchone()[0]
                for k_ in ("press", "add", "undo")}
        rows["new-event"] = c.execute("SELECT count(*) FROM events").fetchone()[0] - 1
        c.close()
        if chk != "ok":
            hit.append("corrupt")
            msgs.append(f"CORRUPT {tag} {chk}")
        for k_ in KINDS:
            if rows[k_] < acked[k_]:
                hit.append("lost")
                msgs.append(f"LOST {tag}: {k_} rows {rows[k_]} < acknowledged {acked[k_]}")
            elif rows[k_] > acked[k_] + failed[k_]:
                hit.append("excess")
                msgs.append(f"EXCESS {tag}: {k_} rows {rows[k_]} > acknowledged {acked[k_]} + failed {failed[k_]}")
            elif rows[k_] > acked[k_]:
                hit.append("phantom")
        return hit, msgs
    finally:
        shutil.rmtree(d)


t0 = time.time()
jobs = [(e, s_, k) for e in ("EIO", "ENOSPC") for s_ in (False, True) for k in range(1, K + 1)]
with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    for hit, msgs in pool.map(lambda j: one(*j), jobs):
        res["runs"] += 1
        for h in hit:
            res[h] += 1
        for m in msgs:
            print(m)
dt = time.time() - t0
shutil.rmtree(work)
print(f"iofault io_calls_per_run={K} " + " ".join(f"{k}={v}" for k, v in res.items()) + f" seconds={dt:.1f}")
bad = res["crash"] + res["hang"] + res["lost"] + res["excess"] + res["corrupt"] + res["not_recovered"]
sys.exit(1 if bad else 0)
