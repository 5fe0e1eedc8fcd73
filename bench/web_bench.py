#!/usr/bin/env python3
"""make bench-web: what the staff web page costs the kiosk.

Two runs of the real kiosk (SDL offscreen driver, 1280x720, software renderer), each with
5 presses/s through the control socket for DURATION seconds:
  baseline  no phone touches the web page
  loaded    meanwhile a phone's worth of API calls at 20 requests/s (status polls, with an
            add and an undo every second), over one keep-alive connection with a session
Reports the API's latency (p50/p99/max) and, for both runs, the kiosk's own timing from its
--trace file: press -> frame with the new total (durable), press -> thank-you frame, and the
gaps between frames. Writes bench/web-results.md unless --quick."""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
QUICK = "--quick" in sys.argv
DURATION = 8 if QUICK else 30
PRESS_HZ, API_HZ = 5, 20
KIOSK = os.path.realpath(os.path.join(BUILD, "tallykiosk"))
CTL = os.path.realpath(os.path.join(BUILD, "tallyctl"))
WORK = tempfile.mkdtemp(prefix="tk-webbench.")


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


class Kiosk:
    def __init__(self, name):
        d = os.path.join(WORK, name)
        os.makedirs(d)
        self.db = os.path.join(d, "tally.db")
        self.sock = self.db + ".sock"
        self.trace = os.path.join(d, "trace")
        self.log = os.path.join(d, "kiosk.log")
        conf = os.path.join(d, "kiosk.conf")
        with open(conf, "w") as f:
            f.write("[web]\nenabled = true\nlisten = 127.0.0.1:0\npin = 24681357\n")
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_RENDER_DRIVER="software",
                   SDL_AUDIODRIVER="dummy")
        env.pop("NOTIFY_SOCKET", None)
        self.proc = subprocess.Popen([KIOSK, "-c", conf, "--db", self.db, "--trace", self.trace,
                                      "--windowed=1280x720"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        deadline = time.monotonic() + 30  # generous: a loaded 2-core machine
        self.port = None
        while time.monotonic() < deadline and self.port is None:
            if self.proc.poll() is not None:
                raise RuntimeError("kiosk died: " + open(self.log).read())
            for line in open(self.log):
                if "web: staff page at" in line:
                    self.port = int(line.rsplit("port ", 1)[1].rstrip(")\n"))
            time.sleep(0.05)
        while time.monotonic() < deadline and not os.path.exists(self.sock):
            time.sleep(0.05)
        if self.port is None:
            raise RuntimeError("no web port in the log")

    def trace_events(self):
        out = {}
        with open(self.trace) as f:
            for line in f:
                k, v = line.split()
                out.setdefault(k, []).append(int(v))
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def presses(k, stop, sent):
    s = socket.socket(socket.AF_UNIX)
    s.connect(k.sock)
    f = s.makefile("rb")
    t = time.monotonic()
    while not stop.is_set():
        s.sendall(b"press\n")
        head = f.readline()
        n = int(head.split()[1]) if head.startswith(b"OK") else 0
        f.read(n)
        sent.append(1)
        t += 1.0 / PRESS_HZ
        time.sleep(max(0.0, t - time.monotonic()))
    s.close()


def api_load(k, stop, lat, errors):
    origin = "http://127.0.0.1:%d" % k.port
    c = http.client.HTTPConnection("127.0.0.1", k.port, timeout=30)
    c.request("POST", "/api/login", body=json.dumps({"pin": "24681357"}),
              headers={"Origin": origin, "Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    cookie = r.getheader("Set-Cookie").split(";")[0]
    hdr = {"Cookie": cookie, "Origin": origin, "Content-Type": "application/json"}
    i = 0
    t = time.monotonic()
    while not stop.is_set():
        if i % API_HZ == 5:
            method, path, body = "POST", "/api/add", json.dumps({"n": 3})
        elif i % API_HZ == 15:
            method, path, body = "POST", "/api/undo", json.dumps({"max": 3})
        else:
            method, path, body = "GET", "/api/status", None
        t0 = time.monotonic()
        try:
            c.request(method, path, body=body, headers=hdr)
            r = c.getresponse()
            r.read()
            if r.status != 200 and not (path == "/api/undo" and r.status == 409):
                errors.append("%s %s: %d" % (method, path, r.status))
        except (OSError, http.client.HTTPException) as e:
            errors.append(str(e))
            c = http.client.HTTPConnection("127.0.0.1", k.port, timeout=30)
        lat.append((time.monotonic() - t0) * 1000.0)
        i += 1
        t += 1.0 / API_HZ
        time.sleep(max(0.0, t - time.monotonic()))


def run(name, with_api):
    k = Kiosk(name)
    time.sleep(2)  # past the first frames
    before = {key: len(v) for key, v in k.trace_events().items()}
    stop = threading.Event()
    sent, lat, errors = [], [], []
    threads = [threading.Thread(target=presses, args=(k, stop, sent))]
    if with_api:
        threads.append(threading.Thread(target=api_load, args=(k, stop, lat, errors)))
    for t in threads:
        t.start()
    time.sleep(DURATION)
    stop.set()
    for t in threads:
        t.join()
    time.sleep(1)
    ev = k.trace_events()
    k.stop()
    new = {key: v[before.get(key, 0):] for key, v in ev.items()}
    frames = sorted(new.get("frame", []))
    gaps = [(b - a) / 1e6 for a, b in zip(frames, frames[1:])]
    return {
        "presses": len(sent), "api_requests": len(lat), "api_errors": errors,
        "api_p50": pct(lat, 50), "api_p99": pct(lat, 99), "api_max": max(lat) if lat else 0,
        "shown_p50": pct(new.get("shown", []), 50) / 1e6,
        "shown_p99": pct(new.get("shown", []), 99) / 1e6,
        "ack_p50": pct(new.get("ack", []), 50) / 1e6, "ack_p99": pct(new.get("ack", []), 99) / 1e6,
        "frames": len(frames), "gap_p99": pct(gaps, 99), "gap_max": max(gaps) if gaps else 0,
    }


def main():
    base = run("baseline", False)
    loaded = run("loaded", True)
    rows = [
        ("API latency p50 / p99 / max (ms), %d req/s" % API_HZ, "-",
         "%.1f / %.1f / %.1f" % (loaded["api_p50"], loaded["api_p99"], loaded["api_max"])),
        ("API requests / errors", "-", "%d / %d" % (loaded["api_requests"], len(loaded["api_errors"]))),
        ("Presses sent (%d/s for %d s)" % (PRESS_HZ, DURATION), str(base["presses"]), str(loaded["presses"])),
        ("Press -> frame with the new total p50 / p99 (ms)",
         "%.1f / %.1f" % (base["shown_p50"], base["shown_p99"]),
         "%.1f / %.1f" % (loaded["shown_p50"], loaded["shown_p99"])),
        ("Press -> thank-you frame p50 / p99 (ms)",
         "%.1f / %.1f" % (base["ack_p50"], base["ack_p99"]),
         "%.1f / %.1f" % (loaded["ack_p50"], loaded["ack_p99"])),
        ("Frames drawn", str(base["frames"]), str(loaded["frames"])),
        ("Gap between frames p99 / max (ms)", "%.1f / %.1f" % (base["gap_p99"], base["gap_max"]),
         "%.1f / %.1f" % (loaded["gap_p99"], loaded["gap_max"])),
    ]
    out = ["| measure | presses only | presses + web API |", "|---|---|---|"]
    out += ["| %s | %s | %s |" % r for r in rows]
    table = "\n".join(out)
    print(table)
    if loaded["api_errors"]:
        print("errors:", loaded["api_errors"][:5])
    if not QUICK:
        with open(os.path.join(os.path.dirname(__file__), "web-results.md"), "w") as f:
            f.write("# Staff web page: API latency and the kiosk's timing (make bench-web)\n\n")
            f.write("Real kiosk, SDL offscreen driver at 1280x720 (software renderer), %d presses/s "
                    "through the control socket for %d s; the loaded run adds %d API calls/s over "
                    "one keep-alive connection with a session (status polls, an add and an undo "
                    "each second). %s, %d cores.\n\n" % (PRESS_HZ, DURATION, API_HZ,
                                                        os.uname().machine, os.cpu_count()))
            f.write(table + "\n")
    return 1 if loaded["api_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
