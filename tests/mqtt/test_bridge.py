#!/usr/bin/env python3
"""Venue -> campaign: a venue broker bridged to a campaign broker over TLS with
board/mosquitto/bridge.conf (only its names, address, password and CA replaced), the ACL of
board/mosquitto/tallykiosk.acl on both. Two kiosks count in venue "school" on the venue
broker, one in venue "library" directly on the campaign broker; the campaign total is exact on
the kiosks with scope = campaign, also after the venue broker was killed and restarted on an
empty persistence file with counts made meanwhile. Usage: test_bridge.py BUILD_DIR"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mqttlib import Broker, Kiosk, Results, cleanup, free_port, wait_for, workdir  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BRIDGE_S = 15.0  # the bridge reconnects after 2 s, then the kiosks' states flow: generous


def certs(work):
    """A CA and a broker certificate for 127.0.0.1, made here with openssl."""
    d = os.path.join(work, "certs")
    os.makedirs(d)
    ca, cak = os.path.join(d, "ca.crt"), os.path.join(d, "ca.key")
    crt, key, csr = (os.path.join(d, n) for n in ("broker.crt", "broker.key", "broker.csr"))
    ext = os.path.join(d, "ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    q = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=tallykiosk test CA", "-keyout", cak, "-out", ca], **q)
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                    "-keyout", key, "-out", csr], **q)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", cak,
                    "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", crt], **q)
    return ca, crt, key


def client_cert(work, ca, name):
    """A client certificate with CN=name signed by the test CA (a kiosk's TLS identity)."""
    d = os.path.join(work, "certs")
    crt, key, csr = (os.path.join(d, name + e) for e in (".crt", ".key", ".csr"))
    q = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name,
                    "-keyout", key, "-out", csr], **q)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey",
                    os.path.join(d, "ca.key"), "-CAcreateserial", "-days", "2", "-out", crt], **q)
    return crt, key


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    res = Results("test-mqtt-bridge")
    work = workdir("tk-mqtt-bridge-")
    procs = []
    try:
        run(build, work, res, procs)
    finally:
        cleanup(work, procs)
    return res.finish()


def run(build, work, res, procs):
    ca, crt, key = certs(work)
    # A second listener takes kiosks that log in with a client certificate (its CN is the
    # user name the ACL sees), as board/mosquitto/venue.conf describes.
    cert_port = free_port()
    campaign = Broker(work, "campaign", users=["library", "venue-school", "observer"],
                      tls=(ca, crt, key),
                      extra="listener %d 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\n"
                            "require_certificate true\nuse_identity_as_username true\n"
                            % (cert_port, ca, crt, key))
    with open(os.path.join(ROOT, "board/mosquitto/tallykiosk.acl")) as f:
        acl = f.read()
    with open(campaign.acl, "w") as f:
        f.write(acl + "\nuser venue-school\ntopic readwrite tallykiosk/v1/test/school/#\n")
    with open(os.path.join(ROOT, "board/mosquitto/bridge.conf")) as f:
        bridge = f.read()
    bridge = (bridge.replace("campaign.example.org:8883", "127.0.0.1:%d" % campaign.port)
              .replace("wfr2026", "test").replace("CHANGE-ME", "pw-venue-school")
              .replace("/etc/mosquitto/certs/campaign-ca.crt", ca))
    res.check("the board's bridge config names no other host",
              not re.search(r"^address (?!127\.0\.0\.1)", bridge, re.M))
    venue = Broker(work, "venue", users=["k1", "k2", "observer"], extra=bridge)
    with open(venue.acl, "w") as f:
        f.write(acl)
    procs += [campaign, venue]
    campaign.start()
    venue.start()
    # The campaign broker speaks TLS only: the kiosk there checks it against the test CA.
    lib = Kiosk(build, work, "library", campaign.port, venue="library", scope="campaign",
                db=os.path.join(work, "library.db"),
                extra_mqtt="tls_ca = %s\n" % ca)
    k1 = Kiosk(build, work, "k1", venue.port, db=os.path.join(work, "k1.db"))
    k2 = Kiosk(build, work, "k2", venue.port, scope="campaign", db=os.path.join(work, "k2.db"))
    ccrt, ckey = client_cert(work, ca, "hall")
    hall = Kiosk(build, work, "hall", cert_port, venue="hall", user="",
                 db=os.path.join(work, "hall.db"),
                 extra_mqtt="kiosk = hall\ntls_ca = %s\ntls_cert = %s\ntls_key = %s\n"
                            % (ca, ccrt, ckey))
    procs += [lib, k1, k2, hall]
    for k in (lib, k1, k2, hall):
        k.start()
    hall.ctl("add", "100")
    k1.ctl("add", "5")
    k2.ctl("add", "3")
    lib.ctl("add", "10")
    lib.ctl("press")

    def shows(k, key, want):
        return lambda: k.status().get(key) == want or None

    ok, t = wait_for("campaign", lambda: shows(lib, "campaign_total", 119)() and
                     shows(k2, "campaign_total", 119)(), BRIDGE_S)
    res.check("campaign total 119 on both campaign-scope kiosks, across the bridge (%.2f s)" % t,
              bool(ok), "library %s, k2 %s" % (lib.status().get("campaign_total"),
                                               k2.status().get("campaign_total")))
    res.check("k1 (scope venue) shows its venue's 8 and no campaign total",
              k1.status().get("venue_total") == 8 and "campaign_total" not in k1.status(),
              str(k1.status()))
    res.check("the library kiosk's venue total is its own venue's 11",
              lib.status().get("venue_total") == 11, str(lib.status().get("venue_total")))
    res.check("the library kiosk reached the campaign broker over TLS",
              lib.status()["mqtt"]["connected"] and "(TLS)" in lib.log(), lib.log()[-300:])

    venue.kill9()
    venue.wipe()
    lib.ctl("add", "2")
    k1.ctl("press")          # counted while its broker is down
    venue.start()
    ok, t = wait_for("campaign", lambda: shows(lib, "campaign_total", 122)() and
                     shows(k2, "campaign_total", 122)(), BRIDGE_S)
    res.check("venue broker killed, restarted on an empty file: campaign total 122 again (%.2f s)"
              % t, bool(ok), "library %s, k2 %s" % (lib.status().get("campaign_total"),
                                                    k2.status().get("campaign_total")))
    got = campaign.retained("tallykiosk/v1/test/+/+/+")
    res.check("the campaign broker holds every kiosk's state and event (8 retained)",
              len(got) == 8, "\n".join(got))
    s = hall.status()
    res.check("a kiosk logged in with a TLS client certificate counts (venue hall: 100)",
              s["mqtt"]["connected"] and s["venue_total"] == 100 and not s["mqtt"]["refused"],
              str(s))


if __name__ == "__main__":
    sys.exit(main())
