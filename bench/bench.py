#!/usr/bin/env python3
"""make bench: what a kiosk costs, measured on the real binaries.

Runs tallykiosk under Xvfb at 1920x1080 (and 3840x2160 for memory) on temporary databases,
drives it over its control socket, reads CPU time and context switches from /proc, reads
press-to-frame latencies from the kiosk's --trace file, counts instructions per frame with
callgrind, and prints a table that is also written to bench/results.md.

The peer: the same screen as a plain HTML/CSS page (bench/peer/page.html) in Debian's
chromium --kiosk under the same Xvfb, measured in the same run beside the kiosk on each of its
two paths (software, GPU): CPU and PSS summed over all the browser's processes.

Usage: bench.py BUILD_DIR [--quick]
"""
import configparser
import html
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

    def __init__(self, display=None, keyboard=True, extra_env=None, size=None, conf_extra=""):
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
            f.write(conf_extra)
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


def bench_idle_frames(results):
    """Frames drawn in 30 s between card changes (the next change is 60 s away)."""
    log("frames between card changes (%d s)" % IDLE_S)
    x = Xvfb(1920, 1080)
    try:
        k = Kiosk(display=x.display, conf_extra="[display]\ncarousel_interval = 60\n"
                  "pixel_shift = false\n")
        time.sleep(2)
        before = len(k.trace_events().get("frame", []))
        time.sleep(IDLE_S)
        results["idle_frames"] = len(k.trace_events().get("frame", [])) - before
        k.stop()
    finally:
        x.close()


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

    errors = []

    def worker(i):
        s = k.connect()
        start.wait()
        try:
            s.sendall(b"press\n" * per[i])
            for _ in range(per[i]):
                read_reply(s)
            done[i] = time.monotonic()
        except (OSError, RuntimeError, ValueError) as e:
            errors.append("connection %d: %s" % (i, e))
        s.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.monotonic()
    for t in threads:
        t.join()
    results["burst_s"] = max(done) - t0 if not errors else float("nan")
    if errors:
        results["burst_note"] = "%d of %d connections failed, first: %s" % (
            len(errors), clients, errors[0])
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
    """Instructions per frame of each kind (a whole frame, as the GPU path draws each changed
    frame; a card change and a count-up, as the software path draws them), and presenting one
    pre-rendered texture, the floor of any frame."""
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
    for mode in ("tally", "fade", "countup", "present"):
        a, b = instructions(mode, 10), instructions(mode, 40)
        per[mode] = (b - a) / 30
    for mode in per:
        results["frame_%s_ir" % mode] = per[mode]



# --- the peer: the same screen as a web page in a kiosk browser -------------------------------

PEER_IDLE_S = 10 if QUICK else 30
PEER_PRESS_S = 5 if QUICK else 20
PEER_SETTLE_S = 4 if QUICK else 8


def proc_tree(root):
    """root and every process descended from it (the browser's zygote, GPU and renderers)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def tree_ticks(root):
    total = 0
    for pid in proc_tree(root):
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total


def tree_pss_kb(root):
    total = 0
    for pid in proc_tree(root):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def peer_page():
    """bench/peer/page.html with the bundled cases filled in, as a file:// URL."""
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(os.path.join(ROOT, "assets", "cases", "cases.ini"), encoding="utf-8")
    cases = [{k: cp[sec].get(k, "") for k in ("name", "country", "headline", "story")}
             for sec in cp.sections()]
    with open(os.path.join(ROOT, "bench", "peer", "page.html"), encoding="utf-8") as f:
        page = f.read()
    page = page.replace("/*CASES*/[]", json.dumps(cases).replace("</", "<\\/"))
    path = os.path.join(WORK, "peer.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return "file://" + path


class Browser:
    """Debian's chromium in kiosk mode showing the peer page, as a kiosk user would run it."""

    def __init__(self, display):
        self.profile = tempfile.mkdtemp(prefix="profile.", dir=WORK)
        env = dict(os.environ, DISPLAY=display)
        args = ["chromium", "--kiosk", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + self.profile,
                "--window-position=0,0", "--window-size=1920,1080"]
        if os.getuid() == 0:
            args.append("--no-sandbox")  # chromium refuses to run as root with its sandbox
        args.append(peer_page())
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.proc.pid

    def stop(self):
        try:
            os.killpg(self.pid, 15)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, 9)
            self.proc.wait()


def press_keys(display, n, interval_ms):
    """n presses of the space bar, interval_ms apart, as X key events (xdotool)."""
    return subprocess.Popen(["xdotool", "key", "--repeat", str(n), "--repeat-delay",
                             str(interval_ms), "space"], env=dict(os.environ, DISPLAY=display),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure_subject(display, ticks, pss_kb):
    """Idle CPU (carousel on), CPU at 5 presses/s, and PSS, of one subject on the screen."""
    time.sleep(PEER_SETTLE_S)
    t0, c0 = time.monotonic(), ticks()
    time.sleep(PEER_IDLE_S)
    idle = 100.0 * (ticks() - c0) / HZ / (time.monotonic() - t0)
    pss_idle = pss_kb()
    n = PEER_PRESS_S * 5
    t0, c0 = time.monotonic(), ticks()
    keys = press_keys(display, n, 200)
    keys.wait()
    press = 100.0 * (ticks() - c0) / HZ / (time.monotonic() - t0)
    return {"idle": idle, "press": press, "pss": max(pss_idle, pss_kb()) / 1024.0}


def bench_peer(results):
    """The kiosk (software path, GPU path) and the page, one after the other on one Xvfb."""
    if subprocess.run(["sh", "-c", "command -v chromium && command -v xdotool"],
                      stdout=subprocess.DEVNULL).returncode != 0:
        results["peer_note"] = "chromium or xdotool not installed"
        return
    x = Xvfb(1920, 1080)
    try:
        log("peer: the page in chromium --kiosk (%d s idle, %d s of presses)" %
            (PEER_IDLE_S, PEER_PRESS_S))
        b = Browser(x.display)
        try:
            results["peer_page"] = measure_subject(x.display, lambda: tree_ticks(b.pid),
                                                   lambda: tree_pss_kb(b.pid))
            results["peer_page"]["processes"] = len(proc_tree(b.pid))
        finally:
            b.stop()
        # The page changes cards every 8 s; so does the kiosk here (its change takes 0.9 s).
        for path in ("software", "gpu"):
            log("peer: the kiosk, %s path" % path)
            k = Kiosk(display=x.display, conf_extra="[display]\nrenderer = %s\n"
                      "carousel_interval = 8\n" % path)
            try:
                r = measure_subject(x.display, k.cpu_ticks, lambda: k.memory()[1])
                ev = k.trace_events()
                r["ack_p99"] = pct(ev.get("ack", []), 99) / 1e6
                with open(k.logfile) as f:
                    r["display"] = next((l.split("display: ", 1)[1].strip() for l in f
                                         if "display: " in l), "?")
                results["peer_kiosk_" + path] = r
            finally:
                k.stop()
    finally:
        x.close()

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


def ratio(a, b):
    return a / b if b else float("inf")


def report_peer(r):
    """The side-by-side table: the page in chromium, the kiosk on each path, the ratios."""
    if "peer_page" not in r:
        return "The peer was not measured: %s.\n" % r.get("peer_note", "-")
    page, soft, gpu = r["peer_page"], r["peer_kiosk_software"], r["peer_kiosk_gpu"]
    rows = [
        ("Idle, carousel on: CPU (% of a core)", "idle", "%.2f %%", 0.25, "≤ 1/4 of the page and ≤ 1 %"),
        ("5 presses/s: CPU (% of a core)", "press", "%.1f %%", 0.25, "≤ 1/4 of the page"),
        ("PSS, all processes", "pss", "%.1f MB", 0.1, "≤ 1/10 of the page and ≤ 40 MB"),
    ]
    lines = ["| measure | page in chromium | kiosk, software path | ratio | kiosk, GPU path "
             "(llvmpipe here) | ratio | budget (software path) | |",
             "|---|---|---|---|---|---|---|---|"]
    for name, key, fmt, limit, budget in rows:
        rs, rg = ratio(soft[key], page[key]), ratio(gpu[key], page[key])
        ok = rs <= limit
        if key == "idle":
            ok = ok and soft[key] <= 1.0
        if key == "pss":
            ok = ok and soft[key] <= 40
        lines.append("| %s | %s | %s | %.2f | %s | %.2f | %s | %s |" % (
            name, fmt % page[key], fmt % soft[key], rs, fmt % gpu[key], rg, budget,
            "met" if ok else "**missed**"))
    lines.append("| Press → thank-you frame p99 (X key events) | - | %.1f ms | | %.1f ms | | "
                 "≤ 17 ms | %s |" % (soft["ack_p99"], gpu["ack_p99"],
                                     verdict(soft["ack_p99"], 17)))
    note = ("The page's figures are summed over its %d processes (browser, zygotes, GPU, "
            "renderer, utility); the kiosk's are its one process. Both change cards every 8 s "
            "(the page's change takes 0.7 s, the kiosk's 0.9 s) and get the same X key events "
            "(xdotool, space every 200 ms); the kiosk also saves each press durably in SQLite. "
            "Kiosk paths: software = `%s`; GPU = `%s`.\n" % (
                page.get("processes", 0), soft["display"], gpu["display"]))
    return "\n".join(lines) + "\n\n" + note


def report(r):
    frames = ""
    if "frame_present_ir" in r:
        frames = ("full %.1f M, card change %.1f M, count-up with pop %.1f M; bare present "
                  "%.1f M" % (r["frame_tally_ir"] / 1e6, r["frame_fade_ir"] / 1e6,
                              r["frame_countup_ir"] / 1e6, r["frame_present_ir"] / 1e6))
    else:
        frames = r.get("frame_note", "-")
    rows = [
        ("Idle, carousel, keyboard input on: CPU", "%.2f %% of a core" % r["idle_cpu"], "≤ 1 %",
         verdict(r["idle_cpu"], 1.0)),
        ("Idle, carousel, keyboard input on: wake-ups", "%.1f /s" % r["idle_wakeups"], "-", ""),
        ("Idle, GPIO-only input: CPU", "%.2f %% of a core" % r["idle_gpio_cpu"], "≤ 1 %",
         verdict(r["idle_gpio_cpu"], 1.0)),
        ("Idle, GPIO-only input: wake-ups", "%.1f /s" % r["idle_gpio_wakeups"], "≤ 5 /s",
         verdict(r["idle_gpio_wakeups"], 5)),
        ("Frames drawn between card changes (30 s, --trace)", "%d" % r["idle_frames"], "0",
         verdict(r["idle_frames"], 0)),
        ("5 presses/s (control socket): CPU", "%.2f %% of a core" % r["press_cpu"],
         "≤ 1/4 of the page", ""),
        ("Press → thank-you frame (no commit) p50 / p99", "%.1f / %.1f ms" % (r["ack_p50"], r["ack_p99"]),
         "p99 ≤ 17 ms", verdict(r["ack_p99"], 17)),
        ("Press → frame with the new total (durable) p50 / p99",
         "%.1f / %.1f ms" % (r["shown_p50"], r["shown_p99"]), "≤ 1 frame + commit", ""),
        ("Peak RSS / PSS at 1920x1080", "%.1f / %.1f MB" % (r["rss_1920x1080"], r["pss_1920x1080"]),
         "PSS ≤ 40 MB", verdict(r["pss_1920x1080"], 40)),
        ("Peak RSS / PSS at 3840x2160", "%.1f / %.1f MB" % (r["rss_3840x2160"], r["pss_3840x2160"]),
         "PSS ≤ 80 MB", verdict(r["pss_3840x2160"], 80)),
        ("Start-up: process start → first frame", "%.0f ms" % r["startup_ms"], "≤ 300 ms",
         verdict(r["startup_ms"], 300)),
        ("Instructions per frame, software renderer at 1080p", frames, "-", ""),
        ("Burst: 1,000 presses, all durable after", "%.2f s (total %d, %d commits)" % (
            r["burst_s"], r["burst_total"], r["burst_commits"]) if "burst_note" not in r else
         "not measured: " + r["burst_note"], "≤ 2 s",
         verdict(r["burst_s"], 2) if "burst_note" not in r else "**missed**"),
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
    bench_idle_frames(results)
    bench_peer(results)
    table = report(results)
    peer = report_peer(results)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = ("# tallykiosk benchmark\n\n%s on %s. `make bench` took %.0f s.\n\n"
            "## Side by side with a web page\n\nOne Xvfb at 1920x1080; the page in Debian's "
            "chromium --kiosk, then the kiosk full-screen on each of its paths; %d s idle, %d s "
            "of presses each.\n\n%s\n"
            "## The kiosk\n\nThe default path (`renderer = auto`, here the software path: no "
            "GPU). Medians of %d runs (%d s idle windows, %d s of presses); Xvfb 1920x1080 with "
            "SDL's x11 driver unless noted.\n\n%s\n" % (
                when, machine(), time.monotonic() - t0, PEER_IDLE_S, PEER_PRESS_S, peer, RUNS,
                IDLE_S, PRESS_S, table))
    print(text)
    if not QUICK:
        with open(os.path.join(ROOT, "bench", "results.md"), "w") as f:
            f.write(text)
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
