#!/usr/bin/env python3
"""Fail every allocation of a scripted kiosk run, once and sticky (tests/oom/oom_drive.c).

    oomtest.py DRIVE                    the sweep: every k, both modes; exit 1 on any problem
    oomtest.py DRIVE --break leak|ack   a negative control: the driver breaks the app on
                                        purpose on every failure it sees; exit 0 only if the
                                        sweep (every 25th k) reports the breakage

The fault-free run first gives the number of allocations K. Then, for each mode, two driver
processes (2 cores) take the odd and the even k, each until a run no longer reaches its k-th
allocation. The driver checks each run itself (no crash, no acknowledged change lost or
doubled, the file sound and not moved aside, nothing left allocated) and prints BAD lines; this
script adds what only the process can tell: death by a signal (a crash, or SIGALRM after 20 s:
a hang) and sanitizer reports (ASan, UBSan, LeakSanitizer at exit). After a crash or a hang the
sweep goes on past the k that caused it.
"""
import concurrent.futures, os, re, shutil, signal, subprocess, sys, tempfile, time

drive = os.path.abspath(sys.argv[1])
breakage = sys.argv[sys.argv.index("--break") + 1] if "--break" in sys.argv else ""
base = tempfile.mkdtemp(prefix="tk-oom-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23",
           UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
if breakage:
    env["OOM_BREAK"] = breakage


def count():
    d = tempfile.mkdtemp(dir=base)
    p = subprocess.run([drive, d, "count"], capture_output=True, text=True, env=env, timeout=60)
    m = re.search(r"ALLOCS (.*)", p.stdout)
    if p.returncode != 0 or not m:
        sys.exit(f"oom: the fault-free run failed (rc={p.returncode}):\n{p.stdout}{p.stderr[-2000:]}")
    return dict(kv.split("=") for kv in m.group(1).split()[:8])


def sweep(mode, first, step, last=None):
    """Runs k = first, first+step, ... in one process at a time, restarting after a crash."""
    out = dict(runs=0, bad=0, crash=0, hang=0, sanitizer=0, refused_start=0, recovered=0,
               left_unsaved=0, unreached=None)
    msgs, kinds = [], {}
    d = tempfile.mkdtemp(dir=base)
    k = first
    while True:
        args = [drive, d, "sweep", mode, str(k), str(step)] + ([str(last)] if last else [])
        p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=3600)
        ks = [int(x) for x in re.findall(r"^K (\d+)$", p.stdout, re.M)]
        for line in p.stdout.splitlines():
            if line.startswith("BAD "):
                out["bad"] += 1
                kinds[line.split()[3]] = kinds.get(line.split()[3], 0) + 1
                if len(msgs) < 12:
                    msgs.append(line)
        san = re.search(r"(ERROR: (Address|Leak)Sanitizer.*|runtime error.*)", p.stderr)
        m = re.search(r"^SWEEP (.*)$", p.stdout, re.M)
        if m:
            s = dict(kv.split("=") for kv in m.group(1).split())
            for key in ("runs", "refused_start", "recovered", "left_unsaved"):
                out[key] += int(s[key])
            out["unreached"] = int(s["unreached_k"])
        if p.returncode == 0 and m and not san:
            break
        where = ks[-1] if ks else k
        if san:
            out["sanitizer"] += 1
            kinds["SANITIZER"] = kinds.get("SANITIZER", 0) + 1
            # LeakSanitizer reports at exit, for the whole process: name its range.
            msgs.append(f"SANITIZER {mode} k in {k}..{where} step {step}: {san.group(1)}\n"
                        + "\n".join(p.stderr.splitlines()[:40]))
        if m:  # the sweep finished; only the exit-time report was wrong
            break
        if p.returncode == -signal.SIGALRM:
            out["hang"] += 1
            msgs.append(f"HANG {mode} k={where}: no progress for 20 s")
        elif not san:
            out["crash"] += 1
            msgs.append(f"CRASH {mode} k={where} rc={p.returncode}: {p.stderr[-1500:]}")
        out["runs"] += len(ks)  # those before it, and the one that died
        k = where + step
    shutil.rmtree(d, ignore_errors=True)
    return out, msgs, kinds


t0 = time.time()
# The negative controls say so on every line, so their figures are not taken for the sweep's.
tag = f"oom control '{breakage}'" if breakage else "oom"
c = count()
K = int(c["calls"])
print(f"{tag}: fault-free run: {K} allocations ({c['app']} by the app, {c['sqlite']} by SQLite),"
      f" {c['stacks']} distinct call stacks ({c['app_stacks']} app, {c['sqlite_stacks']} SQLite)")
jobs = []
if breakage:
    # Every 25th k is plenty to show that the checks see the breakage.
    jobs = [("once", 1, 25, K), ("sticky", 1, 25, K)]
else:
    jobs = [(m, first, 2, None) for m in ("once", "sticky") for first in (1, 2)]
total = {}
allmsgs, allkinds = [], {}
with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    for (mode, first, step, last), (out, msgs, kinds) in zip(
            jobs, pool.map(lambda j: sweep(*j), jobs)):
        t = total.setdefault(mode, dict(runs=0, bad=0, crash=0, hang=0, sanitizer=0,
                                        refused_start=0, recovered=0, left_unsaved=0, last_k=0))
        for key in ("runs", "bad", "crash", "hang", "sanitizer", "refused_start", "recovered",
                    "left_unsaved"):
            t[key] += out[key]
        if out["unreached"]:
            t["last_k"] = max(t["last_k"], out["unreached"] - step)
        allmsgs += msgs
        for kk, v in kinds.items():
            allkinds[kk] = allkinds.get(kk, 0) + v
shutil.rmtree(base, ignore_errors=True)
dt = time.time() - t0
for m in allmsgs:
    print(m)
for mode, t in total.items():
    print(f"{tag} {mode}: " + " ".join(f"{k}={v}" for k, v in t.items()))
problems = sum(t["bad"] + t["crash"] + t["hang"] + t["sanitizer"] for t in total.values())
print(f"{tag}: allocations_per_run={K} runs_once={total['once']['runs']} "
      f"runs_sticky={total['sticky']['runs']}{' (every 25th k)' if breakage else ''} "
      f"problems={problems} "
      f"({', '.join(f'{k} {v}' for k, v in sorted(allkinds.items())) or 'none'}) "
      f"seconds={dt:.1f}")
if breakage:
    if problems:
        print(f"oom: negative control '{breakage}': the sweep saw the breakage, as it must")
        sys.exit(0)
    print(f"oom: negative control '{breakage}' FAILED: the breakage went unnoticed")
    sys.exit(1)
# Coverage: the first k-1 allocations of a run are those of the fault-free run, so every k up
# to K must have been reached, in both modes.
for mode, t in total.items():
    if t["runs"] < K:
        print(f"oom: {mode}: only {t['runs']} runs for {K} allocations: the sweep stopped early")
        problems += 1
sys.exit(1 if problems else 0)
