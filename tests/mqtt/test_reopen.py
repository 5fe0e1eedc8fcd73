#!/usr/bin/env python3
"""Taking back a mistaken new event in a venue, end to end: a real mosquitto started here
(free port on 127.0.0.1, users and the per-kiosk ACL, its own persistence folder) and three
real kiosks, one of them (k3) behind a proxy that can cut it off.

Proves: a new event started from the phone page (k1) is followed by k2; the phone page's
take-back (POST /api/reopen, as `tallyctl reopen`) on k1 makes the venue's earlier event
current again, retained, so k2 follows it back and nobody
pulls k1 back to the mistake; k2 goes on counting in its own rows of that event (its state
grows from what it had, not from zero); k3, cut off all along, takes the reopen's time so a
kiosk still on the mistake cannot win later; a restarted kiosk stays on the reopened event;
the same after tallyctl's new-event: k3, cut off while it counted in the mistaken event,
follows the reopen when back and carries its letters into the reopened event (none lost,
none counted twice); a reopen is refused while another kiosk of the venue has counted in the
new event, from tallyctl and from the phone page (409, naming the kiosk; the status says so
beforehand); the phone page's venue CSV is `tallyctl export --venue`. Usage: test_reopen.py
BUILD_DIR"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mqttlib import Broker, Kiosk, Proxy, Results, cleanup, wait_for, workdir  # noqa: E402

DEADLINE_S = 30.0  # generous: a loaded 2-core machine; the kiosks take well under a second
HEAL_S = 30.0      # reconnect back-off is at most 5 s
FIRST = "Write for Rights 2026"
TOKEN = "reopen-test-token-0123456789"


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    res = Results("test_reopen")
    work = workdir("tk-reopen-")
    procs = []
    try:
        run(build, work, res, procs)
    finally:
        cleanup(work, procs)
    return res.finish()


def shows(kiosks, event, total=None):
    def cond():
        for k in kiosks:
            s = k.status()
            if s.get("event") != event or (total is not None and s.get("venue_total") != total):
                return None
        return True
    return cond


def seen(kiosks):
    return str([(k.name, k.status().get("event"), k.status().get("venue_total"))
                for k in kiosks])


def announcements(broker):
    """The retained _event messages: {kiosk: payload}."""
    out = {}
    for line in broker.retained("tallykiosk/v1/test/school/_event/+"):
        topic, payload = line.split(" ", 1)
        out[topic.rsplit("/", 1)[1]] = json.loads(payload)
    return out


def stays(kiosk, event, seconds):
    """kiosk shows event all along for seconds (a follow back would come within one of its
    republish periods, here 2 s)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if kiosk.status().get("event") != event:
            return False
        time.sleep(0.1)
    return True


def web_call(kiosk, path, body=None):
    """(HTTP status, body text, Content-Type) of a call to kiosk's staff API, as a script."""
    # The last start's port: a restarted kiosk listens on a new one.
    port = re.findall(r"web: staff page at .* port (\d+)\)", kiosk.log())[-1]
    req = urllib.request.Request("http://127.0.0.1:%s/api/%s" % (port, path),
                                 data=None if body is None else json.dumps(body).encode(),
                                 method="GET" if body is None else "POST",
                                 headers={"Authorization": "Bearer " + TOKEN,
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers.get("Content-Type", "")


def web_new_event(kiosk, name):
    return web_call(kiosk, "new-event", {"name": name})[0]


def run(build, work, res, procs):
    broker = Broker(work, users=["k1", "k2", "k3", "observer"])
    procs.append(broker)
    broker.start()
    proxy = Proxy(broker.port)
    web = "[web]\nenabled = true\nlisten = 127.0.0.1:0\napi_token = %s\n" % TOKEN
    k1 = Kiosk(build, work, "k1", broker.port, republish=2, extra_mqtt=web)
    k2 = Kiosk(build, work, "k2", broker.port, republish=2)
    k3 = Kiosk(build, work, "k3", proxy.port, republish=2)
    ks = [k1, k2, k3]
    procs.extend(ks)
    for k in ks:
        k.start()
    k1.ctl("add", "5")
    k2.ctl("add", "3")
    k3.ctl("press")
    ok, _ = wait_for("counted", shows(ks, FIRST, 9), DEADLINE_S)
    res.check("three kiosks count 9 in the first event", bool(ok), seen(ks))
    first_id = k1.status()["venue_event"]

    # --- a mistaken new event from the phone page, taken back with tallyctl reopen ---------
    proxy.partition()
    wait_for("k3 cut off", lambda: not k3.status()["mqtt"]["connected"] or None, DEADLINE_S)
    res.check("the phone page starts a new event on k1", web_new_event(k1, "Mistake") == 200)
    ok, t = wait_for("k2 follows", shows([k1, k2], "Mistake", 0), DEADLINE_S)
    res.check("k2 follows the mistaken event (%.2f s)" % t, bool(ok), seen([k1, k2]))
    reopened_after = time.time() * 1000
    code, out, _ = web_call(k1, "reopen", {})
    res.check("the phone page's take-back on k1 goes back", code == 200 and
              json.loads(out).get("event") == FIRST, "%d %s" % (code, out))
    ok, t = wait_for("k2 back", shows([k1, k2], FIRST, 9), DEADLINE_S)
    res.check("k2 follows the reopened event back, with the venue's 9 (%.2f s)" % t, bool(ok),
              seen([k1, k2]))
    res.check("k1 is not pulled back to the mistake (watched for 5 s)", stays(k1, FIRST, 5.0),
              seen([k1, k2]))
    anns, _ = wait_for("announced", lambda: (lambda a: a if all(
        a.get(k, {}).get("event") == first_id for k in ("k1", "k2")) else None)(
            announcements(broker)), DEADLINE_S)
    res.check("the broker holds the reopened event as k1's and k2's current event, retained",
              bool(anns), str(announcements(broker)))
    if anns:
        res.check("announced as made current at the reopen, not at its first start",
                  anns["k1"]["origin_ms"] >= reopened_after - 1000 and
                  anns["k2"]["origin_ms"] == anns["k1"]["origin_ms"], str(anns))
    k2.ctl("press")
    ok, _ = wait_for("10", shows([k1, k2], FIRST, 10), DEADLINE_S)
    res.check("a press on k2 after the reopen counts on its earlier 3 (venue 10, not hidden)",
              bool(ok), seen([k1, k2]))
    kiosks = {e["id"]: e["total"] for e in k1.status()["kiosks"]}
    res.check("k1 sees k2 at 4 in the reopened event", kiosks.get("k2") == 4, str(kiosks))
    events = json.loads(k2.ctl("events", "--json"))
    firsts = [e for e in events if e["name"] == FIRST]
    res.check("k2 went back to its own row of the event (no second copy)", len(firsts) == 1,
              str(events))

    # --- k3, cut off during all this, comes back --------------------------------------------
    k3.ctl("press")
    proxy.heal()
    ok, t = wait_for("healed", shows(ks, FIRST, 11), HEAL_S)
    res.check("k3, cut off all along, joins the reopened event: 11 everywhere (%.2f s)" % t,
              bool(ok), seen(ks))
    anns, _ = wait_for("k3 takes the reopen's time", lambda: (lambda a: a if a.get("k3", {}).get(
        "origin_ms") == a.get("k1", {}).get("origin_ms") else None)(announcements(broker)),
        DEADLINE_S)
    res.check("k3 announces the event with the reopen's time, so a kiosk still on the mistake "
              "cannot pull the venue back", bool(anns), str(announcements(broker)))
    # A restart keeps the reopened event's place (its time is in the database).
    k1.stop()
    k1.start()
    res.check("k1 restarted stays on the reopened event", stays(k1, FIRST, 3.0) and
              k1.status()["venue_total"] == 11, seen(ks))

    # --- tallyctl's new-event, and a kiosk that counted on it while cut off -----------------
    out = k2.ctl("new-event", "Mistake two")
    ok, t = wait_for("all follow", shows(ks, "Mistake two", 0), DEADLINE_S)
    res.check("tallyctl new-event on k2 is followed by k1 and k3 (%.2f s)" % t, bool(ok), seen(ks))
    proxy.partition()
    wait_for("k3 cut off", lambda: not k3.status()["mqtt"]["connected"] or None, DEADLINE_S)
    k3.ctl("press")
    k3.ctl("add", "4")
    k3.ctl("undo")  # takes back the 4: k3 holds 1 letter in the mistake
    res.check("k3, cut off, counted 1 letter in the mistaken event", k3.status()["total"] == 1,
              str(k3.status()))
    out = k2.ctl("reopen")
    res.check("reopen on k2 (which never heard of k3's letter) goes back", 'Back to "%s"' % FIRST
              in out, out)
    ok, t = wait_for("back", shows([k1, k2], FIRST, 11), DEADLINE_S)
    res.check("k1 follows k2's reopen (%.2f s)" % t, bool(ok), seen([k1, k2]))
    proxy.heal()
    ok, t = wait_for("healed", shows(ks, FIRST, 12), HEAL_S)
    res.check("k3 follows the reopen when back and carries its letter along: 12 everywhere "
              "(%.2f s)" % t, bool(ok), seen(ks))
    res.check("k3 says so in its log", "1 letter(s) counted here in" in k3.log(), k3.log()[-600:])
    events = {e["name"]: e["total"] for e in json.loads(k3.ctl("events", "--json"))}
    res.check("k3 keeps the mistaken event, at 0 now, and its first event has its 3 letters",
              events.get("Mistake two") == 0 and events.get(FIRST) == 3, str(events))
    rows = k3.ctl("export", "--csv")
    res.check("the move is in k3's export: taken back in the mistake, added to the event",
              rows.count("venue reopen") == 2, rows[-800:])
    res.check("nothing counted twice: k1 sees k3 at 3", {e["id"]: e["total"] for e in
              k1.status()["kiosks"]}.get("k3") == 3, str(k1.status()["kiosks"]))

    # --- a reopen refused while another kiosk counted on it -----
    k1.ctl("new-event", "Assembly")
    ok, _ = wait_for("all follow", shows(ks, "Assembly", 0), DEADLINE_S)
    res.check("a new event on k1 followed by all", bool(ok), seen(ks))
    k3.ctl("press")
    ok, _ = wait_for("k1 hears", lambda: k1.status()["venue_total"] == 1 or None, DEADLINE_S)
    r = subprocess.run([os.path.join(build, "tallyctl"), "--db", k1.db, "reopen"],
                       capture_output=True, text=True, timeout=30)
    res.check("reopen on k1 is refused while k3 has counted in the new event (exit 1)",
              r.returncode == 1 and "k3" in r.stderr, "exit %d: %s" % (r.returncode, r.stderr))
    code, out, _ = web_call(k1, "status")
    st = json.loads(out) if code == 200 else {}
    res.check("k1's status says why: k3 has counted (the page offers no take-back)",
              st.get("reopen_refused") is None and "k3" in (st.get("venue_reopen_refused") or ""),
              out)
    code, out, _ = web_call(k1, "reopen", {})
    res.check("the phone page's take-back is refused too: 409 refused, naming k3",
              code == 409 and json.loads(out).get("error") == "refused" and
              "k3 (1 letter)" in json.loads(out).get("message", ""), "%d %s" % (code, out))
    res.check("and every kiosk stays on it", stays(k1, "Assembly", 1.0) and
              all(k.status()["event"] == "Assembly" for k in ks), seen(ks))
    code, out, ctype = web_call(k1, "export-venue.csv")
    want = k1.ctl("export", "--venue")
    res.check("the phone page's venue CSV is tallyctl export --venue", code == 200 and
              ctype.startswith("text/csv") and out == want and ",k3," in out,
              "%d %s: %r vs %r" % (code, ctype, out[:300], want[:300]))

    for k in ks:
        rc = k.stop()
        bad = [l for l in k.log().splitlines() if "Sanitizer" in l or "runtime error" in l]
        res.check("%s stops with exit 0 and no sanitizer report" % k.name, rc == 0 and not bad,
                  "exit %s %s" % (rc, bad[:3]))


if __name__ == "__main__":
    sys.exit(main())
