#!/usr/bin/env python3
"""Several kiosks, one total, end to end: a real mosquitto started here (free port on
127.0.0.1, users and the per-kiosk ACL, its own persistence folder) and real kiosks.

Proves: three kiosks show the exact venue total within 2 s of presses, adds and an undo; a
broker killed with -9 and started on an EMPTY persistence file is exact again within 5 s (the
kiosks republish); a kiosk restarted while the broker is down still shows the venue total
(peer states kept in its own database); a partitioned kiosk counts on both sides and all are
exact after the heal; a new event on one kiosk is followed by the others, also by one that
was offline; a cloned card (one database id on two kiosks) is reported; a publish refused by
the broker's ACL is reported. Usage: test_venue.py BUILD_DIR"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mqttlib import Broker, Kiosk, Proxy, Results, cleanup, wait_for, workdir  # noqa: E402

# How long the kiosks should take (printed beside each result; make test-mqtt-scale measures
# them properly), and the generous deadlines the checks allow on a loaded machine.
EXACT_S = 2.0
AFTER_BROKER_S = 5.0
DEADLINE_S = 30.0
HEAL_S = 30.0      # reconnect back-off is at most 5 s


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    res = Results("test_venue")
    work = workdir("tk-mqtt-")
    procs = []
    try:
        run(build, work, res, procs)
    finally:
        cleanup(work, procs)
    return res.finish()


def venue_totals(kiosks):
    return [k.status().get("venue_total") for k in kiosks]


def all_show(kiosks, total, event=None):
    def cond():
        for k in kiosks:
            s = k.status()
            if s.get("venue_total") != total or (event and s.get("event") != event):
                return None
        return True
    return cond


def recovered_keeps_venue_ids(build, work, res):
    """A damaged database moved aside and salvaged keeps its events' venue ids and the
    peers' states: a staff-started event must stay the venue's after a recovery."""
    import sqlite3
    db = os.path.join(work, "recover.db")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    kiosk, ctl = os.path.join(build, "tallykiosk"), os.path.join(build, "tallyctl")
    subprocess.run([kiosk, "--db", db, "--screenshot", db + ".png", "--size", "320x240"],
                   env=env, capture_output=True, check=True)
    subprocess.run([ctl, "--db", db, "new-event", "Assembly hall"], capture_output=True, check=True)
    subprocess.run([ctl, "--db", db, "add", "5"], capture_output=True, check=True)
    con = sqlite3.connect(db)
    con.execute("INSERT INTO peer_states VALUES('tallykiosk/v1/c/v/e/k9', '{}', 1)")
    before = con.execute("SELECT uid, origin_ms FROM events WHERE ended_ms IS NULL").fetchone()
    con.execute("UPDATE events SET total = total + 7 WHERE ended_ms IS NULL")  # now damaged
    con.commit()
    con.close()
    p = subprocess.Popen([kiosk, "--db", db, "--windowed=320x240"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for("up", lambda: "Kiosk:  running" in subprocess.run(
        [ctl, "--db", db, "status"], capture_output=True, text=True).stdout or None, DEADLINE_S)
    p.terminate()
    p.wait(30)
    con = sqlite3.connect(db)
    after = con.execute("SELECT uid, origin_ms FROM events WHERE ended_ms IS NULL").fetchone()
    peers = con.execute("SELECT count(*) FROM peer_states").fetchone()[0]
    con.close()
    res.check("a recovered database keeps its event's venue id and the peers' states",
              before[0] and after == before and peers == 1 and
              any(".damaged-" in f for f in os.listdir(work)),
              "before %s, after %s, peers %s" % (before, after, peers))


def run(build, work, res, procs):
    recovered_keeps_venue_ids(build, work, res)
    broker = Broker(work, users=["k1", "k2", "k3", "k4", "k5", "observer"])
    procs.append(broker)
    broker.start()
    proxy = Proxy(broker.port)
    # A card image: one database made once, copied to two Pis (k1 and, later, k4).
    base = os.path.join(work, "card.db")
    ks = []
    for name in ("k1", "k2", "k3"):
        port = proxy.port if name == "k3" else broker.port
        ks.append(Kiosk(build, work, name, port, republish=2,
                        db=os.path.join(work, name + ".db")))
    k1, k2, k3 = ks
    procs.extend(ks)
    for k in ks:
        k.start()

    # --- counting on three kiosks ---------------------------------------------------------
    k1.ctl("add", "5")
    for _ in range(3):
        k1.ctl("press")
    k2.ctl("add", "7")
    k2.ctl("press")
    k3.ctl("press")
    k3.ctl("press")
    out = k2.ctl("undo")
    res.check("undo on k2 takes back its press", "Took back 1 letter" in out, out)
    ok, t = wait_for("exact", all_show(ks, 17), DEADLINE_S)
    res.check("every kiosk shows the exact venue total 17 (after %.2f s; expected within %.0f s)"
              % (t, EXACT_S), bool(ok), "got %s" % venue_totals(ks))
    s = k1.status()
    res.check("status --json: total is this kiosk's own", s.get("total") == 8, str(s.get("total")))
    kiosks = {e["id"]: e for e in s.get("kiosks", [])}
    res.check("status --json lists three kiosks with their totals",
              {k: v["total"] for k, v in kiosks.items()} == {"k1": 8, "k2": 7, "k3": 2}, str(kiosks))
    res.check("all three online", all(v["online"] for v in kiosks.values()), str(kiosks))
    text = k2.ctl("status")
    res.check("tallyctl status shows the venue", "Venue:  17 (3 kiosks online, 0 offline)" in text, text)
    csv = k1.ctl("export", "--venue")
    res.check("export --venue has a row per kiosk and case and the sum",
              "school,write-for-rights-2026,k2,,8,1,7" in csv and
              "school,write-for-rights-2026,(all),,18,1,17" in csv, csv)
    res.check("the broker holds each kiosk's state, retained",
              len([l for l in broker.retained("tallykiosk/v1/test/school/write-for-rights-2026/+")]) == 3,
              str(broker.retained()))

    # --- broker killed, restarted on an empty persistence file -----------------------------
    broker.kill9()
    broker.wipe()
    k1.ctl("press")     # counted while the broker is down
    broker.start()
    ok, t = wait_for("exact", all_show(ks, 18), DEADLINE_S)
    res.check("after kill -9 and an empty persistence file: exact 18 (after %.2f s; expected "
              "within %.0f s)" % (t, AFTER_BROKER_S), bool(ok), "got %s" % venue_totals(ks))
    got, _ = wait_for("republished", lambda: len(broker.retained(
        "tallykiosk/v1/test/school/write-for-rights-2026/+")) == 3 or None, 10)
    res.check("the kiosks filled the empty broker again (3 retained states)", bool(got),
              str(broker.retained()))

    # --- a kiosk restarted while the broker is down keeps the venue total ------------------
    broker.kill9()
    k2.stop()
    k2.start()
    s = k2.status()
    res.check("k2 restarted without a broker still shows venue total 18 (from its database)",
              s.get("venue_total") == 18 and not s["mqtt"]["connected"], str(s))
    broker.start()
    ok, t = wait_for("exact", all_show(ks, 18), HEAL_S)
    res.check("broker back: all exact (%.2f s)" % t, bool(ok), "got %s" % venue_totals(ks))

    # --- partition: k3 cut off, both sides count, heal ------------------------------------
    proxy.partition()
    wait_for("k3 notices", lambda: not k3.status()["mqtt"]["connected"] or None, 10)
    k3.ctl("add", "4")
    k1.ctl("add", "2")
    ok, _ = wait_for("k1 side", lambda: k1.status()["venue_total"] == 20 or None, 5)
    res.check("during the partition k1's side counts (20)", bool(ok), str(venue_totals([k1])))
    res.check("and k3 counts alone (its own 6)", k3.status()["total"] == 6, str(k3.status()))
    s = k1.status()
    res.check("k1 sees k3 offline after a while",
              bool(wait_for("offline", lambda: [e for e in k1.status()["kiosks"]
                                                 if e["id"] == "k3" and not e["online"]], 20)[0]),
              str(s["kiosks"]))
    proxy.heal()
    ok, t = wait_for("heal", all_show(ks, 24), HEAL_S)
    res.check("after the heal every kiosk shows 24 (%.2f s)" % t, bool(ok), "got %s" % venue_totals(ks))

    # --- a new event, followed by the others, and by one that was offline ------------------
    proxy.partition()
    wait_for("k3 notices", lambda: not k3.status()["mqtt"]["connected"] or None, 10)
    k2.ctl("new-event", "Assembly hall")
    ok, t = wait_for("follow", lambda: k1.status()["event"] == "Assembly hall" or None, DEADLINE_S)
    res.check("a new event on k2 is followed by k1 (after %.2f s)" % t, bool(ok),
              str([(k.status()["event"], k.status()["venue_total"]) for k in (k1, k2)]))
    # A press on k1 before it heard of the event counts for the event it showed: press after.
    k1.ctl("press")
    ok, _ = wait_for("counted", all_show([k1, k2], 1, "Assembly hall"), DEADLINE_S)
    res.check("and counts for it with k2", bool(ok),
              str([(k.status()["event"], k.status()["venue_total"]) for k in (k1, k2)]))
    k1.ctl("goal", "750")
    ok, t = wait_for("goal", lambda: k2.status()["goal"] == 750 or None, 5)
    res.check("a goal set on k1 is followed by k2 (%.2f s)" % t, bool(ok), str(k2.status()["goal"]))
    ev = k1.status()
    res.check("same event id on both", ev["venue_event"] == k2.status()["venue_event"] and
              ev["venue_event"].startswith("assembly-hall-"), ev["venue_event"])
    proxy.heal()
    ok, t = wait_for("follow offline", all_show(ks, 1, "Assembly hall"), HEAL_S)
    res.check("k3, offline when it started, follows when back (%.2f s)" % t, bool(ok),
              str([(k.status()["event"], k.status()["venue_total"]) for k in ks]))
    ok, _ = wait_for("goal", lambda: k3.status()["goal"] == 750 or None, 5)
    res.check("with the goal set meanwhile (750)", bool(ok), str(k3.status()["goal"]))
    events = k3.ctl("events", "--json")
    res.check("k3 kept its old event with its own 6", '"total":6' in events, events)

    # --- a kiosk restored from an old backup never lowers what the others show ------------
    k2.stop()
    backup = os.path.join(work, "k2-backup.db")
    shutil.copy(k2.db, backup)
    k2.start()
    for _ in range(3):
        k2.ctl("press")
    ok, _ = wait_for("4", all_show([k1, k3], 4), DEADLINE_S)
    res.check("three more presses on k2: the venue shows 4", bool(ok), str(venue_totals(ks)))
    k2.stop()
    shutil.copy(backup, k2.db)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(k2.db + suffix):
            os.remove(k2.db + suffix)
    k2.start()
    res.check("k2 restored from the backup counts 0 itself", k2.status()["total"] == 0,
              str(k2.status()["total"]))
    restarted_ms = time.time() * 1000
    k2.ctl("press")
    # k2 publishes what the venue held for it (3), not its restored rows (1): once the broker
    # holds a state k2 sent after the restore, the others have been sent it too.
    def k2_state():
        for line in broker.retained("tallykiosk/v1/test/school/+/k2"):
            st = json.loads(line.split(" ", 1)[1])
            if st.get("type") == "state" and st["sent_ms"] > restarted_ms:
                return st
        return None
    st, _ = wait_for("k2 published", k2_state, DEADLINE_S)
    res.check("k2 restored publishes the 3 the venue held for it, not its own 1",
              st is not None and st["cases"][0]["p"] == 3, str(st))
    k1_k2 = [e["total"] for e in k1.status()["kiosks"] if e["id"] == "k2"]
    res.check("the others still show 4, and 3 for k2: an old backup never lowers a total",
              venue_totals([k1, k3]) == [4, 4] and k1_k2 == [3],
              "%s, k2 on k1: %s" % (venue_totals(ks), k1_k2))

    # --- a cloned card: two kiosks with one database id ------------------------------------
    k1.stop()
    shutil.copy(k1.db, base)
    k1.start()
    k4 = Kiosk(build, work, "k4", broker.port, republish=5, db=os.path.join(work, "k4.db"))
    shutil.copy(base, k4.db)
    procs.append(k4)
    k4.start()
    k4.ctl("press")
    ok, t = wait_for("dup", lambda: k1.status()["mqtt"]["duplicate"] or None, 15)
    res.check("k1 reports the kiosk cloned from its card (%.2f s)" % t,
              bool(ok) and "k4" in ok, str(ok))
    ok, _ = wait_for("dup", lambda: k4.status()["mqtt"]["duplicate"] or None, 15)
    res.check("and k4 reports it too", bool(ok) and "k1" in ok, str(ok))

    # --- a publish the broker's ACL refuses ------------------------------------------------
    k5 = Kiosk(build, work, "k5", broker.port, user="k5", kiosk="k2-impostor",
               db=os.path.join(work, "k5.db"))
    procs.append(k5)
    k5.start()
    k5.ctl("press")
    ok, t = wait_for("refused", lambda: k5.status()["mqtt"]["refused"] or None, 10)
    res.check("a publish refused by the ACL is reported (%.2f s)" % t,
              bool(ok) and "Not authorized" in ok, str(ok))
    res.check("and logged", "refused a publish: Not authorized" in k5.log(), k5.log()[-500:])
    # k1 1, k2 3, and k4's copy of k1's card counts k1's press again (2): what the duplicate
    # warning is for.
    res.check("the refused kiosk's press does not reach the others (6, not 7)",
              venue_totals([k1, k2, k3]) == [6, 6, 6] and k5.status()["venue_total"] == 7,
              str(venue_totals([k1, k2, k3, k5])))
    # The organiser fixes the ACL and reloads the broker: the warning goes at the next publish.
    with open(broker.acl, "a") as f:
        f.write("user k5\ntopic readwrite tallykiosk/v1/test/school/+/k2-impostor\n")
    broker.proc.send_signal(signal.SIGHUP)
    k5.ctl("press")
    ok, t = wait_for("accepted", lambda: k5.status()["mqtt"]["refused"] == "" or None, 15)
    res.check("once the ACL allows it, the refusal is no longer shown (%.2f s)" % t, bool(ok),
              str(k5.status()["mqtt"]))

    # A wrong password: the kiosk counts alone and says why.
    k6 = Kiosk(build, work, "k6", broker.port, user="k1", db=os.path.join(work, "k6.db"))
    with open(os.path.join(k6.dir, "password"), "w") as f:
        f.write("not-the-password\n")
    procs.append(k6)
    k6.start()
    k6.ctl("press")
    ok, t = wait_for("bad password", lambda: "Not authorized" in k6.status()["mqtt"]["link"]
                     or None, 10)
    res.check("a wrong password is shown to staff (%.2f s)" % t, bool(ok), str(k6.status()["mqtt"]))
    # Wait until the broker turned it away a few times (it logs each), then count.
    wait_for("retries", lambda: broker.log(None).count("not authorised") >= 3
             or None, 30)
    res.check("said once in the log, not at every retry (the broker refused it %d times)"
              % broker.log(None).count("not authorised"),
              k6.log().count("refused the connection") == 1, k6.log()[-400:])
    res.check("and the kiosk counts on alone", k6.status()["total"] == 1, str(k6.status()))

    # Every kiosk stops cleanly, its broker thread included (and, under make check, without
    # a sanitizer report).
    for k in (k1, k2, k3, k4, k5, k6):
        rc = k.stop()
        bad = [l for l in k.log().splitlines() if "Sanitizer" in l or "runtime error" in l]
        res.check("%s stops with exit 0 and no sanitizer report" % k.name, rc == 0 and not bad,
                  "exit %s %s" % (rc, bad[:3]))


if __name__ == "__main__":
    sys.exit(main())
