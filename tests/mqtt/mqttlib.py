"""Helpers for the several-kiosks tests: a mosquitto broker started by the test on 127.0.0.1
(a free port, its own config, password file, ACL and persistence folder), real kiosks
(offscreen) with their own databases, a TCP proxy that can cut one kiosk off the broker, and
waiting on conditions with generous deadlines instead of sleeps."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

MOSQUITTO = os.environ.get("TK_MOSQUITTO", "/usr/sbin/mosquitto")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, cond, timeout, step=0.05):
    """Polls cond() until it returns a true value or timeout seconds pass; returns
    (value, seconds waited). Never sleeps longer than step between looks."""
    start = time.monotonic()
    last = None
    while True:
        try:
            last = cond()
        except Exception as e:  # a kiosk briefly not answering is not a result yet
            last = None
            err = e
        if last:
            return last, time.monotonic() - start
        if time.monotonic() - start > timeout:
            return None, time.monotonic() - start
        time.sleep(step)


class Results:
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, what, ok, detail=""):
        if ok:
            self.passed += 1
            print("  ok   " + what, flush=True)
        else:
            self.failed += 1
            print("  FAIL " + what + (": " + detail if detail else ""), flush=True)
        return ok

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 else 1


class Broker:
    """mosquitto on 127.0.0.1 with users and the ACL of board/mosquitto (one topic per kiosk)."""

    def __init__(self, work, name="broker", users=(), anonymous=False, extra="", port=None,
                 tls=None):
        self.tls = tls
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = port or free_port()
        self.proc = None
        self.passwd = os.path.join(self.dir, "passwd")
        self.acl = os.path.join(self.dir, "acl")
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        open(self.passwd, "w").close()
        for u in users:
            self.add_user(u, "pw-" + u)
        with open(self.acl, "w") as f:
            f.write("pattern read tallykiosk/v1/#\n"
                    "pattern readwrite tallykiosk/v1/+/+/+/%u\n")
        with open(self.conf, "w") as f:
            # As root mosquitto would drop to its own user, which cannot enter a 0700 folder.
            f.write(("user root\n" if os.geteuid() == 0 else "") +
                    "per_listener_settings false\n"
                    "listener %d 127.0.0.1\n" % self.port +
                    ("cafile %s\ncertfile %s\nkeyfile %s\n" % tls if tls else "") +
                    "allow_anonymous %s\n" % ("true" if anonymous else "false") +
                    ("" if anonymous else "password_file %s\nacl_file %s\n" % (self.passwd, self.acl)) +
                    "persistence true\npersistence_location %s/\n" % self.dir +
                    "autosave_interval 1800\nlog_dest file %s/log\n" % self.dir +
                    "log_type error\nlog_type warning\nlog_type notice\n" + extra)

    def add_user(self, user, password):
        subprocess.run(["mosquitto_passwd", "-b", self.passwd, user, password], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self, timeout=10):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        ok, _ = wait_for("broker", self._accepts, timeout)
        if not ok:
            raise RuntimeError("mosquitto did not listen on %d: %s" % (self.port, self.log()))

    def _accepts(self):
        if self.proc.poll() is not None:
            raise RuntimeError("mosquitto exited: " + self.log())
        with socket.socket() as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def log(self, tail=2000):
        try:
            text = open(os.path.join(self.dir, "log")).read()
            return text[-tail:] if tail else text
        except OSError:
            return ""

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def wipe(self):
        """An empty persistence file: what a broker whose file was lost or corrupt starts on."""
        open(os.path.join(self.dir, "mosquitto.db"), "w").close()
        os.truncate(os.path.join(self.dir, "mosquitto.db"), 0)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def retained(self, topic="tallykiosk/v1/#", timeout=3):
        """The retained messages under topic, read by mosquitto_sub as user 'observer'."""
        out = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.port),
                              "-u", "observer", "-P", "pw-observer", "-t", topic, "-v",
                              "--retained-only", "-W", str(timeout)] +
                             (["--cafile", self.tls[0]] if self.tls else []),
                             capture_output=True, text=True)
        return [l for l in out.stdout.splitlines() if l.strip()]


class Proxy:
    """A TCP relay from a local port to the broker that the test can cut and heal: the
    kiosk behind it is partitioned from the venue while it goes on counting."""

    def __init__(self, target_port):
        self.target = target_port
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.cut = False
        self.conns = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            if self.cut:
                c.close()
                continue
            try:
                b = socket.create_connection(("127.0.0.1", self.target), timeout=2)
            except OSError:
                c.close()
                continue
            with self.lock:
                self.conns += [c, b]
            threading.Thread(target=self._pipe, args=(c, b), daemon=True).start()
            threading.Thread(target=self._pipe, args=(b, c), daemon=True).start()

    def _pipe(self, a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d or self.cut:
                    break
                b.sendall(d)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def partition(self):
        self.cut = True
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.conns = []

    def heal(self):
        self.cut = False


class Kiosk:
    def __init__(self, build, work, name, port, campaign="test", venue="school", user=None,
                 kiosk=None, scope="venue", republish=5, db=None, size="320x240",
                 extra_mqtt=""):
        self.build, self.name = build, name
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.db = db or os.path.join(self.dir, "tally.db")
        self.conf = os.path.join(self.dir, "kiosk.conf")
        self.logf = os.path.join(self.dir, "kiosk.log")
        self.size = size
        user = name if user is None else user
        lines = ["[display]", "carousel = false", "[mqtt]",
                 "broker = 127.0.0.1:%d" % port, "campaign = " + campaign, "venue = " + venue,
                 "scope = " + scope, "republish_seconds = %d" % republish]
        if user:
            pw = os.path.join(self.dir, "password")
            with open(pw, "w") as f:
                f.write("pw-%s\n" % user)
            lines += ["username = " + user, "password_file = " + pw]
        if kiosk:
            lines.append("kiosk = " + kiosk)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n" + extra_mqtt)
        self.proc = None

    def start(self, timeout=20):
        # Headless as in tests/e2e/lib.sh: SDL's dummy driver unless the caller picks one
        # (offscreen works too, but Mesa's EGL leaks at exit, which make check would report).
        env = dict(os.environ, SDL_AUDIODRIVER="dummy")
        env.setdefault("SDL_VIDEODRIVER", "dummy")
        env.setdefault("SDL_RENDER_DRIVER", "software")
        self.proc = subprocess.Popen([os.path.join(self.build, "tallykiosk"), "-c", self.conf,
                                      "--db", self.db, "--windowed=" + self.size],
                                     stdout=open(self.logf, "a"), stderr=subprocess.STDOUT,
                                     env=env)
        ok, _ = wait_for("kiosk", lambda: self.alive() and "venue_total" in self.ctl("status", "--json"), timeout)
        if not ok:
            raise RuntimeError("kiosk %s did not start: %s" % (self.name, self.log()[-1500:]))

    def alive(self):
        if self.proc.poll() is not None:
            raise RuntimeError("kiosk %s exited: %s" % (self.name, self.log()[-1500:]))
        return True

    def log(self):
        try:
            return open(self.logf).read()
        except OSError:
            return ""

    def ctl(self, *args, check=True):
        r = subprocess.run([os.path.join(self.build, "tallyctl"), "--db", self.db] + list(args),
                           capture_output=True, text=True, timeout=30)
        if check and r.returncode != 0:
            raise RuntimeError("tallyctl %s on %s: %s" % (" ".join(args), self.name, r.stderr))
        return r.stdout

    def status(self):
        return json.loads(self.ctl("status", "--json"))

    def stop(self):
        """SIGTERM and wait; returns the exit status (None if it was not running)."""
        rc = None
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                rc = self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                rc = "hung"
        self.proc = None
        return rc

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def workdir(prefix):
    """A fresh folder for one test. A SIGTERM (a timeout, a CI cancel) then ends the test
    through its finally: cleanup, so no broker or kiosk is left running."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return tempfile.mkdtemp(prefix=prefix)


def cleanup(work, procs):
    for p in procs:
        try:
            p.stop()
        except Exception:
            pass
    shutil.rmtree(work, ignore_errors=True)
