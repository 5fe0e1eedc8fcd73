#!/usr/bin/env python3
"""make bench: what a kiosk costs, measured on the real binaries.

Runs tallykiosk under Xvfb at 1920x1080 (and 3840x2160 for memory) on temporary databases,
drives it over its control socket, reads CPU time and context switches from /proc, reads
press-to-frame latencies from the kiosk's --trace file, counts instructions per frame with
callgrind, and prints a table that is also written to bench/results.md.

Usage: bench.py BUILD_DIR [--quick]
"""
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
QUICK = "--quick" in sys.argv
KIOSK = os.path.join(BUILD, "tallykiosk")
RUNS = 1 if QUICK else 3
IDLE_S = 5 if QUICK else 30
PRESS_S = 5 if QUICK else 30
HZ = os.sysconf("SC_CLK_TCK")
WORK = tempfile.mkdtemp(prefix="tk-bench.")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Xvfb:
    """An X server of the given size, for a kiosk in a real window."""

    count = 0

    def __init__(self, w, h):
        Xvfb.count += 1
        self.display = ":%d" % (90 + os.getpid() % 50 + Xvfb.count)
        self.proc = subprocess.Popen(
            ["Xvfb", self.display, "-screen", "0", "%dx%dx24" % (w, h), "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sock = "/tmp/.X11-unix/X" + self.display[1:]
        for _ in range(100):
            if os.path.exists(sock):
                return
            time.sleep(0.05)
        raise RuntimeError("Xvfb did not start")

    def close(self):
        self.proc.terminate()
        self.proc.wait()


class Kiosk:
    """A running tallykiosk on its own database, with a --trace file."""

    n = 0

    def __init__(self, display=None, keyboard=True, extra_env=None, size=None):
        Kiosk.n += 1
        d = os.path.join(WORK, "k%d" % Kiosk.n)
        os.makedirs(d)
        self.db = os.path.join(d, "tally.db")
        self.sock = self.db + ".sock"
        self.trace = os.path.join(d, "trace")
        self.logfile = os.path.join(d, "kiosk.log")
        conf = os.path.join(d, "kiosk.conf")
        with open(conf, "w") as f:
            f.write("[input]\nkeyboard = %s\n" % ("true" if keyboard else "false"))
        env = dict(os.environ)
        env.pop("NOTIFY_SOCKET", None)
        env["SDL_AUDIODRIVER"] = "dummy"
        if display:
            env["DISPLAY"] = display
            env["SDL_VIDEODRIVER"] = "x11"
        else:
            env["SDL_VIDEODRIVER"] = "offscreen"
        env.update(extra_env or {})
        args = [KIOSK, "-c", conf, "--db", self.db, "--trace", self.trace]
        if size:
            args.append("--windowed=%dx%d" % size)
        self.t_spawn = time.monotonic_ns()
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                     stderr=open(self.logfile, "w"))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if os.path.exists(self.sock):
                try:
                    self.request("status")
                    return
                except OSError:
                    pass
            if self.proc.poll() is not None:
                raise RuntimeError("kiosk died: " + open(self.logfile).read())
            time.sleep(0.02)
        raise RuntimeError("kiosk did not answer")

    def connect(self):
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.sock)
        return s

    def request(self, line, s=None):
        own = s is None
        s = s or self.connect()
        s.sendall((line + "\n").encode())
        reply = read_reply(s)
        if own:
            s.close()
        return reply

    def cpu_ticks(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    def voluntary_switches(self):
        total = 0
        for tid in os.listdir("/proc/%d/task" % self.proc.pid):
            try:
                with open("/proc/%d/task/%s/status" % (self.proc.pid, tid)) as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches"):
                            total += int(line.split()[1])
            except FileNotFoundError:
                pass
        return total

    def memory(self):
        hwm = pss = 0
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM"):
                    hwm = int(line.split()[1])
        with open("/proc/%d/smaps_rollup" % self.proc.pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
        return hwm, pss

    def trace_events(self):
        out = {}
        with open(self.trace) as f:
            for line in f:
                k, v = line.split()
                out.setdefault(k, []).append(int(v))
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


def read_reply(s):
    buf = b""
    while b"\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise OSError("connection closed")
        buf += chunk
    head, rest = buf.split(b"\n", 1)
    if head.startswith(b"ERR"):
        raise RuntimeError(head.decode())
    n = int(head.split()[1])
    while len(rest) < n:
        rest += s.recv(65536)
    return rest[:n].decode()


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def measure_idle(kiosks, seconds):
    """CPU % of one core and voluntary wake-ups per second over the window."""
    time.sleep(2)  # past start-up
    t0 = time.monotonic()
    c0 = [k.cpu_ticks() for k in kiosks]
    w0 = [k.voluntary_switches() for k in kiosks]
    time.sleep(seconds)
    dt = time.monotonic() - t0
    return [(100.0 * (k.cpu_ticks() - c) / HZ / dt, (k.voluntary_switches() - w) / dt)
            for k, c, w in zip(kiosks, c0, w0)]


def bench_idle(results):
    carousel, gpio_only = [], []
    for run in range(RUNS):
        log("idle run %d/%d (%d s)" % (run + 1, RUNS, IDLE_S))
        x = Xvfb(1920, 1080)
        try:
            a = Kiosk(display=x.display, keyboard=True)
            b = Kiosk(display=x.display, keyboard=False)
            (ca, wa), (cb, wb) = measure_idle([a, b], IDLE_S)
            carousel.append((ca, wa))
            gpio_only.append((cb, wb))
            a.stop()
            b.stop()
        finally:
            x.close()
    results["idle_cpu"] = statistics.median(c for c, _ in carousel)
    results["idle_wakeups"] = statistics.median(w for _, w in carousel)
    results["idle_gpio_cpu"] = statistics.median(c for c, _ in gpio_only)
    results["idle_gpio_wakeups"] = statistics.median(w for _, w in gpio_only)


def bench_presses(results):
    cpu, ack, shown = [], [], []
    for run in range(RUNS):
        log("press run %d/%d (5/s for %d s)" % (run + 1, RUNS, PRESS_S))
        x = Xvfb(1920, 1080)
        try:
            k = Kiosk(display=x.display)
            time.sleep(1)
            c0 = k.cpu_ticks()
            t0 = time.monotonic()
            s = k.connect()
            n = PRESS_S * 5
            for i in range(n):
                target = t0 + i * 0.2
                time.sleep(max(0, target - time.monotonic()))
                k.request("press", s)
            time.sleep(0.2)
            dt = time.monotonic() - t0
            cpu.append(100.0 * (k.cpu_ticks() - c0) / HZ / dt)
            s.close()
            ev = k.trace_events()
            ack.extend(ev.get("ack", []))
            shown.extend(ev.get("shown", []))
            k.stop()
        finally:
            x.close()
    results["press_cpu"] = statistics.median(cpu)
    results["ack_p50"], results["ack_p99"] = pct(ack, 50) / 1e6, pct(ack, 99) / 1e6
    results["shown_p50"], results["shown_p99"] = pct(shown, 50) / 1e6, pct(shown, 99) / 1e6
    results["press_samples"] = len(shown)


def bench_memory(results):
    for w, h in ((1920, 1080), (3840, 2160)):
        log("memory at %dx%d" % (w, h))
        x = Xvfb(w, h)
        try:
            k = Kiosk(display=x.display)
            s = k.connect()
            for _ in range(50):
                k.request("press", s)
            s.close()
            time.sleep(2)
            hwm, pss = k.memory()
            results["rss_%dx%d" % (w, h)] = hwm / 1024
            results["pss_%dx%d" % (w, h)] = pss / 1024
            k.stop()
        finally:
            x.close()


def bench_startup(results):
    times = []
    x = Xvfb(1920, 1080)
    try:
        for i in range(5 if not QUICK else 2):
            k = Kiosk(display=x.display)
            deadline = time.monotonic() + 10
            ev = {}
            while time.monotonic() < deadline:
                ev = k.trace_events()
                if "first-frame" in ev:
                    break
                time.sleep(0.01)
            times.append((ev["first-frame"][0] - k.t_spawn) / 1e6)
            k.stop()
    finally:
        x.close()
    results["startup_ms"] = statistics.median(times)


def bench_burst(results):
    log("burst: 1,000 presses from 15 connections")
    k = Kiosk(extra_env={"SDL_RENDER_DRIVER": "software"})
    clients, per = 15, [67] * 14 + [62]
    start = threading.Barrier(clients + 1)
    done = [0.0] * clients

    def worker(i):
        s = k.connect()
        start.wait()
        s.sendall(b"press\n" * per[i])
        for _ in range(per[i]):
            read_reply(s)
        done[i] = time.monotonic()
        s.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.monotonic()
    for t in threads:
        t.join()
    results["burst_s"] = max(done) - t0
    status = json.loads(k.request("status"))
    results["burst_total"] = status["total"]
    k.stop()
    commits = 0.0
    with open(k.logfile) as f:
        for line in f:
            # "<6>" only when the log is the journal's stream
            if line.removeprefix("<6>").startswith("press:") and "batch=" in line:
                commits += 1.0 / int(line.rsplit("batch=", 1)[1])
    results["burst_commits"] = round(commits)


def bench_commit_rate(results):
    log("durable commit rate")
    k = Kiosk(extra_env={"SDL_RENDER_DRIVER": "software"})
    s = k.connect()
    n, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < 5:
        k.request("press", s)
        n += 1
    results["kiosk_commits_s"] = n / (time.monotonic() - t0)
    s.close()
    k.stop()
    path = os.path.join(WORK, "raw.db")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA locking_mode=EXCLUSIVE")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, at INTEGER)")
    n, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < 5:
        db.execute("INSERT INTO t(at) VALUES(?)", (n,))
        n += 1
    results["raw_commits_s"] = n / (time.monotonic() - t0)
    db.close()


def bench_frame_cost(results):
    """Instructions per steady frame, as a ratio to presenting one pre-rendered texture."""
    prog = os.path.join(BUILD, "bench", "framecost")
    if not os.path.exists(prog):
        results["frame_note"] = "framecost not built"
        return
    log("frame cost (callgrind)")

    def instructions(mode, frames):
        out = os.path.join(WORK, "cg.%s.%d" % (mode, frames))
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, prog,
                        mode, str(frames)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        with open(out) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
        raise RuntimeError("no callgrind summary")

    per = {}
    for mode in ("tally", "present"):
        a, b = instructions(mode, 10), instructions(mode, 60)
        per[mode] = (b - a) / 50
    results["frame_tally_ir"] = per["tally"]
    results["frame_present_ir"] = per["present"]
    results["frame_ratio"] = per["tally"] / per["present"]


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return "%s, %d cores, Linux %s, %s" % (cpu, os.cpu_count(), platform.release(),
                                            subprocess.run(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"],
                                                           capture_output=True, text=True).stdout.strip())


def verdict(value, limit, lower_is_better=True):
    ok = value <= limit if lower_is_better else value >= limit
    return "met" if ok else "**missed**"


def report(r):
    frame = ("%.0f / %.0f = %.2f×" % (r["frame_tally_ir"], r["frame_present_ir"], r["frame_ratio"])
             if "frame_ratio" in r else r.get("frame_note", "-"))
    rows = [
        ("Idle, carousel, keyboard input on: CPU", "%.2f %% of a core" % r["idle_cpu"], "≤ 0.5 %",
         verdict(r["idle_cpu"], 0.5)),
        ("Idle, carousel, keyboard input on: wake-ups", "%.1f /s" % r["idle_wakeups"], "-", ""),
        ("Idle, GPIO-only input: CPU", "%.2f %% of a core" % r["idle_gpio_cpu"], "≤ 0.5 %",
         verdict(r["idle_gpio_cpu"], 0.5)),
        ("Idle, GPIO-only input: wake-ups", "%.1f /s" % r["idle_gpio_wakeups"], "≤ 5 /s",
         verdict(r["idle_gpio_wakeups"], 5)),
        ("5 presses/s: CPU", "%.2f %% of a core" % r["press_cpu"], "≤ 5 %",
         verdict(r["press_cpu"], 5)),
        ("Press → thank-you frame (no commit) p50 / p99", "%.1f / %.1f ms" % (r["ack_p50"], r["ack_p99"]),
         "≤ 1 frame", verdict(r["ack_p99"], 16.7)),
        ("Press → frame with the new total (durable) p50 / p99",
         "%.1f / %.1f ms" % (r["shown_p50"], r["shown_p99"]), "≤ 1 frame + commit", ""),
        ("Peak RSS / PSS at 1920x1080", "%.1f / %.1f MB" % (r["rss_1920x1080"], r["pss_1920x1080"]),
         "PSS ≤ 40 MB", verdict(r["pss_1920x1080"], 40)),
        ("Peak RSS / PSS at 3840x2160", "%.1f / %.1f MB" % (r["rss_3840x2160"], r["pss_3840x2160"]),
         "-", ""),
        ("Start-up: process start → first frame", "%.0f ms" % r["startup_ms"], "≤ 300 ms",
         verdict(r["startup_ms"], 300)),
        ("Frame cost: instructions per steady frame / bare present", frame, "≤ 2×",
         verdict(r["frame_ratio"], 2) if "frame_ratio" in r else ""),
        ("Burst: 1,000 presses, all durable after", "%.2f s (total %d, %d commits)" % (
            r["burst_s"], r["burst_total"], r["burst_commits"]), "≤ 2 s", verdict(r["burst_s"], 2)),
        ("Durable commits/s: kiosk count path / raw SQLite autocommit",
         "%.0f / %.0f" % (r["kiosk_commits_s"], r["raw_commits_s"]), "-", ""),
    ]
    lines = ["| measure | result | budget | |", "|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s |" % row for row in rows]
    return "\n".join(lines)


def main():
    if not os.path.exists(KIOSK):
        sys.exit("bench: %s not built" % KIOSK)
    results = {}
    t0 = time.monotonic()
    bench_commit_rate(results)
    bench_burst(results)
    bench_startup(results)
    bench_memory(results)
    bench_frame_cost(results)
    bench_presses(results)
    bench_idle(results)
    table = report(results)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = ("# tallykiosk benchmark\n\n%s on %s. Medians of %d runs (%d s idle windows, %d s of "
            "presses); Xvfb 1920x1080 with SDL's x11 driver unless noted; `make bench` took "
            "%.0f s.\n\n%s\n" % (when, machine(), RUNS, IDLE_S, PRESS_S, time.monotonic() - t0, table))
    print(text)
    if not QUICK:
        with open(os.path.join(ROOT, "bench", "results.md"), "w") as f:
            f.write(text)
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
