#!/usr/bin/env python3
"""screen.py - the host's eyes and hands for the KMSDRM VM test (started by tests/kms/vm.sh).

It holds one connection to qemu's QMP socket and one to the guest's second serial port
(/dev/ttyS1 in the guest). The guest script asks, one line at a time:

  REQ N shows DEVICE TIMEOUT_S TEXT[|TEXT...]  dump DEVICE's screen (QMP screendump) and OCR it
                                   (tesseract) until every TEXT is read, or TIMEOUT_S passed
  REQ N lacks DEVICE TIMEOUT_S TEXT[|TEXT...]  the same until no TEXT is read any more (a
                                   black screen fails both)
  REQ N unplug ID                  device_del ID, wait for DEVICE_DELETED
  REQ N plug ID DRIVER [PROP=V,...]  device_add DRIVER,id=ID,PROPS
  REQ N log TEXT                   nothing; TEXT goes to the host's log

and gets one line back:  REP N OK|FAIL DETAIL. DETAIL of a screen check says what the last
dump showed: "black" when (almost) no pixel is lit, else the OCR'd words. Every last dump of a
check is kept as OUT/NN-DEVICE.png, the OCR text beside it as .txt.

Usage: screen.py QMP_SOCKET CTL_SOCKET OUT_DIR      (exits when the guest's port closes)
"""
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time
import zlib

BLACK_LEVEL = 24        # a channel above this is lit
BLACK_FRACTION = 0.001  # fewer lit pixels than this: a black screen (a cursor, at most)


def log(msg):
    sys.stderr.write("[screen %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def connect(path, limit_s=60.0):
    t0 = time.monotonic()
    while True:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() - t0 > limit_s:
                raise
            time.sleep(0.1)


class Qmp:
    def __init__(self, path):
        self.sock = connect(path)
        self.sock.settimeout(120)
        self.f = self.sock.makefile("rw")
        self.events = []
        json.loads(self.f.readline())  # greeting
        self.call("qmp_capabilities")

    def _read(self):
        line = self.f.readline()
        if not line:
            raise EOFError("qmp closed")
        return json.loads(line)

    def call(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        while True:
            r = self._read()
            if "event" in r:
                self.events.append(r)
            elif "return" in r or "error" in r:
                return r

    def wait_event(self, name, limit_s):
        """The first event called name within limit_s, else None. Events come in between
        replies, so a cheap command every half second collects them (a socket timeout would
        leave the reader unusable)."""
        deadline = time.monotonic() + limit_s
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.5)
            self.call("query-status")


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    # "P6\n<w> <h>\n255\n" then RGB rows
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m:
        raise ValueError("%s: not a binary PPM" % path)
    return int(m.group(1)), int(m.group(2)), data[m.end():]


def lit_fraction(px):
    """The fraction of colour channels above BLACK_LEVEL."""
    table = bytes(0 if b <= BLACK_LEVEL else 1 for b in range(256))
    return px.translate(table).count(1) / float(max(1, len(px)))


def write_png(path, w, h, px):
    raw = b"".join(b"\0" + px[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(kind, body):
        c = struct.pack(">I", len(body)) + kind + body
        return c + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 3)) + chunk(b"IEND", b""))


def write_gray_scaled(path, w, h, px, k):
    """px shrunk k times (nearest), as dark-on-light grey (luminance: the staff strip's white
    on red keeps its contrast). Tesseract misreads the tally's huge digits at full size
    ("1,23" for "1,234") but reads them at a half or a third of the size."""
    out = bytearray()
    cols = w // k
    for y in range(h // k):
        row = px[y * k * w * 3:(y * k + 1) * w * 3]
        out += bytes(255 - (r * 299 + g * 587 + b * 114) // 1000 for r, g, b in
                     zip(row[0::3 * k][:cols], row[1::3 * k][:cols], row[2::3 * k][:cols]))
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (cols, h // k) + bytes(out))


def normalise(s):
    return re.sub(r"\s+", " ", s).strip().lower()


class Eyes:
    def __init__(self, qmp, out):
        self.qmp = qmp
        self.out = out
        self.n = 0

    def look(self, device, wanted):
        """One dump of device's screen: (lit fraction, OCR text, w, h, pixels). The OCR tries
        the shrunk picture first and the full one only if that did not read every wanted text
        (tesseract costs the guest CPU time)."""
        ppm = os.path.join(self.out, "dump.ppm")
        args = {"filename": ppm}
        if device and device != "-":
            args["device"] = device
        r = self.qmp.call("screendump", **args)
        if "error" in r:
            raise RuntimeError("screendump %s: %s" % (device, r["error"].get("desc")))
        w, h, px = read_ppm(ppm)
        frac = lit_fraction(px)
        text = ""
        if frac >= BLACK_FRACTION:
            for k in (2, 3, 1):
                img = os.path.join(self.out, "dump-%d.pgm" % k)
                write_gray_scaled(img, w, h, px, k)
                p = subprocess.run(["tesseract", img, "-", "--psm", "11"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
                text += p.stdout.decode("utf-8", "replace") + "\n"
                if all(normalise(t) in normalise(text) for t in wanted):
                    break
        return frac, text, w, h, px

    def check(self, device, limit_s, wanted, present):
        """Dumps until every wanted text is read (present) or none is (not present)."""
        t0 = time.monotonic()
        dumps = 0
        while True:
            dumps += 1
            frac, text, w, h, px = self.look(device, wanted)
            flat = normalise(text)
            seen = [t for t in wanted if normalise(t) in flat]
            # a black screen lacks everything: it passes no check
            ok = frac >= BLACK_FRACTION and (len(seen) == len(wanted) if present else not seen)
            if ok or time.monotonic() - t0 >= limit_s:
                break
            time.sleep(1.0)
        self.n += 1
        base = os.path.join(self.out, "%02d-%s" % (self.n, device.replace("/", "_")))
        write_png(base + ".png", w, h, px)
        with open(base + ".txt", "w") as f:
            f.write(text)
        seen_s = "black" if frac < BLACK_FRACTION else \
            "read: " + " ".join(normalise(text).split())[:300]
        detail = "%dx%d %.1fs %d dumps lit=%.1f%% %s [%s.png]" % (
            w, h, time.monotonic() - t0, dumps, 100 * frac, seen_s, os.path.basename(base))
        return ok, detail

    def unplug(self, dev_id):
        r = self.qmp.call("device_del", id=dev_id)
        if "error" in r:
            return False, r["error"].get("desc", "device_del failed")
        e = self.qmp.wait_event("DEVICE_DELETED", 60)
        if not e:
            return False, "no DEVICE_DELETED for %s in 60 s (the guest did not eject it)" % dev_id
        return True, "%s removed" % dev_id

    def plug(self, dev_id, driver, props):
        args = {"driver": driver, "id": dev_id}
        for p in filter(None, props.split(",")):
            k, _, v = p.partition("=")
            args[k] = v
        r = self.qmp.call("device_add", **args)
        if "error" in r:
            return False, r["error"].get("desc", "device_add failed")
        return True, "%s added" % dev_id


def serve(eyes, ctl):
    f = ctl.makefile("rwb", buffering=0)
    buf = b""
    while True:
        chunk = ctl.recv(4096)
        if not chunk:
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            words = line.decode("utf-8", "replace").strip("\r\0 ").split(" ")
            if len(words) < 3 or words[0] != "REQ":
                continue
            n, op, args = words[1], words[2], words[3:]
            try:
                if op in ("shows", "lacks") and len(args) >= 3:
                    ok, detail = eyes.check(args[0], float(args[1]),
                                            " ".join(args[2:]).split("|"), op == "shows")
                elif op == "unplug" and len(args) == 1:
                    ok, detail = eyes.unplug(args[0])
                elif op == "plug" and len(args) >= 2:
                    ok, detail = eyes.plug(args[0], args[1], args[2] if len(args) > 2 else "")
                elif op == "log":
                    ok, detail = True, " ".join(args)
                else:
                    ok, detail = False, "unknown request %r" % " ".join(words[2:])
            except Exception as e:  # the guest must get an answer, whatever went wrong
                ok, detail = False, "%s: %s" % (type(e).__name__, e)
            log("%s %s -> %s %s" % (op, " ".join(args), "OK" if ok else "FAIL", detail))
            f.write(("REP %s %s %s\n" % (n, "OK" if ok else "FAIL", detail)).encode())


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    qmp_path, ctl_path, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    eyes = Eyes(Qmp(qmp_path), out)
    # one connection for the whole run: qemu drops what a closed connection still had queued
    ctl = connect(ctl_path)
    try:
        serve(eyes, ctl)
    except (EOFError, ConnectionError):
        pass


main()
