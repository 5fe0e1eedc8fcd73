#!/usr/bin/env python3
"""strict_check_selftest.py - proves that strict_check.py (the VM power-cut test's per-event
check) catches what it must, on console logs written here by hand: two boots of a run and
the final check. The honest logs must pass; each planted fault must fail, with its reason:
  a press missing from a closed event        -> LOST COUNTS
  an acknowledged event missing              -> LOST EVENT
  a stored total unequal to its rows         -> TOTAL MISMATCH
  a state never asked for (one press more)   -> UNEXPECTED
  per-case sums that disagree with the event -> CASES
and the in-flight request may land (the check must not call that a loss). The same for
crowd_check.py (several clients at once): a lost acknowledged press, a state no subset of
the requests in flight makes, an add landed for the wrong case."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

RUN0 = """PCVM INIT 0.5 .
PCVM CHECK none .
PCVM START 1 0 .
PCVM RUN .
PCVM SEND press 0 .
PCVM ACK 1 1 .
PCVM SEND press 0 .
PCVM ACK 1 2 .
PCVM SEND add 5 .
PCVM ACK 1 7 .
PCVM SEND undo 0 .
PCVM ACK 1 2 .
PCVM SEND new-event 0 .
PCVM ACK 2 0 .
PCVM SEND press 0 .
PCVM ACK 2 1 .
PCVM SEND add 4 .
"""


def check_lines(events, cases, open_events=1, max_row=0):
    """events: [(id, stored, row_sum, rows, press, add, add_sum, undo, undo_sum, ended)]"""
    cur = max(e[0] for e in events)
    stored = [e for e in events if e[0] == cur][0][1]
    out = ["PCVM CHECK %d %d integrity=ok ." % (cur, stored)]
    out += ["PCVM EV " + " ".join(map(str, e)) + " ." for e in events]
    out += ["PCVM CASE %d %s %d %d ." % c for c in cases]
    out.append("PCVM XROWS 0 0 %d %d ." % (open_events, max_row))
    out.append("PCVM EVEND %d ." % len(events))
    return "\n".join(out) + "\n"


# After the first cut: event 1 closed (2 presses, add 5, undo 5), event 2 with one press, and
# the add 4 in flight landed.
GOOD1 = ([(1, 2, 2, 4, 2, 1, 5, 1, 5, 1), (2, 5, 5, 2, 1, 1, 4, 0, 0, 0)],
         [(1, "-", 2, 4), (2, "-", 5, 2)])
RUN1 = """PCVM START 2 5 .
PCVM RUN .
PCVM SEND press 0 .
PCVM ACK 2 6 .
PCVM SEND new-event 0 .
"""
# The last check: the new event in flight did not land.
GOOD2 = ([(1, 2, 2, 4, 2, 1, 5, 1, 5, 1), (2, 6, 6, 3, 2, 1, 4, 0, 0, 0)],
         [(1, "-", 2, 4), (2, "-", 6, 3)])

PLANTED = {
    "a press missing from a closed event": (
        "LOST COUNTS", ([(1, 1, 1, 3, 1, 1, 5, 1, 5, 1), (2, 6, 6, 3, 2, 1, 4, 0, 0, 0)],
                        [(1, "-", 1, 3), (2, "-", 6, 3)])),
    "an acknowledged event missing": (
        "LOST EVENT", ([(1, 2, 2, 4, 2, 1, 5, 1, 5, 0)], [(1, "-", 2, 4)])),
    "a stored total unequal to its rows": (
        "TOTAL MISMATCH", ([(1, 3, 2, 4, 2, 1, 5, 1, 5, 1), (2, 6, 6, 3, 2, 1, 4, 0, 0, 0)],
                           [(1, "-", 2, 4), (2, "-", 6, 3)])),
    "a state never asked for": (
        "UNEXPECTED", ([(1, 2, 2, 4, 2, 1, 5, 1, 5, 1), (2, 8, 8, 4, 3, 1, 4, 0, 0, 0)],
                       [(1, "-", 2, 4), (2, "-", 8, 4)])),
    "per-case sums that disagree": (
        "CASES", ([(1, 2, 2, 4, 2, 1, 5, 1, 5, 1), (2, 6, 6, 3, 2, 1, 4, 0, 0, 0)],
                  [(1, "-", 2, 4), (2, "-", 5, 2), (2, "jani-silva", 2, 1)])),
}


# crowd_check.py: three clients at once; at the cut client 1's add 3 for case-a and client
# 2's press are in flight (client 0's press for case-b was acknowledged).
CROWD0 = """PCVM CHECK none .
PCVM START 1 0 .
PCVM RUN .
PCVM CSEND 0 press 0 case-b .
PCVM CSEND 1 add 3 case-a .
PCVM CSEND 2 press 0 - .
PCVM CACK 0 1 1 .
"""
CROWD_GOOD = ([(1, 4, 4, 2, 1, 1, 3, 0, 0, 0)], [(1, "case-a", 3, 1), (1, "case-b", 1, 1)])
CROWD_PLANTED = {
    "the acknowledged press for case-b missing": (
        "LOST COUNTS", ([(1, 3, 3, 1, 0, 1, 3, 0, 0, 0)], [(1, "case-a", 3, 1)])),
    "a state no subset of the requests in flight makes": (
        "UNEXPECTED", ([(1, 3, 3, 2, 2, 0, 0, 0, 0, 0)], [(1, "-", 2, 1), (1, "case-b", 1, 1)])),
    "the add landed for the wrong case": (
        "UNEXPECTED", ([(1, 4, 4, 2, 1, 1, 3, 0, 0, 0)], [(1, "case-c", 3, 1),
                                                           (1, "case-b", 1, 1)])),
}


def run_crowd(last):
    with tempfile.TemporaryDirectory() as d:
        w = os.path.join(d, "work")
        os.mkdir(w)
        for i, text in enumerate([CROWD0, check_lines(*last)]):
            with open(os.path.join(w, "boot-%d.log" % i), "w") as f:
                f.write(text)
        p = subprocess.run([sys.executable, os.path.join(HERE, "crowd_check.py"), w],
                           capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr


def run(last):
    with tempfile.TemporaryDirectory() as d:
        w = os.path.join(d, "work")
        os.mkdir(w)
        logs = [RUN0, check_lines(*GOOD1) + RUN1, check_lines(*last)]
        for i, text in enumerate(logs):
            with open(os.path.join(w, "boot-%d.log" % i), "w") as f:
                f.write(text)
        p = subprocess.run([sys.executable, os.path.join(HERE, "strict_check.py"), w],
                           capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr


def main():
    fails = 0
    rc, out = run(GOOD2)
    ok = rc == 0 and "verdict=PASS" in out and "inflight_landed=1" in out
    print(("  ok   " if ok else "  FAIL ") + "honest logs pass (an add in flight landed)")
    if not ok:
        print(out)
        fails += 1
    for what, (reason, last) in PLANTED.items():
        rc, out = run(last)
        ok = rc == 1 and reason in out and "verdict=FAIL" in out
        print(("  ok   " if ok else "  FAIL ") + "planted: %s -> %s" % (what, reason))
        if not ok:
            print(out)
            fails += 1
    rc, out = run_crowd(CROWD_GOOD)
    ok = rc == 0 and "verdict=PASS" in out and "landed=1" in out
    print(("  ok   " if ok else "  FAIL ") + "crowd: honest logs pass (one of two in flight landed)")
    if not ok:
        print(out)
        fails += 1
    for what, (reason, last) in CROWD_PLANTED.items():
        rc, out = run_crowd(last)
        ok = rc == 1 and reason in out and "verdict=FAIL" in out
        print(("  ok   " if ok else "  FAIL ") + "crowd planted: %s -> %s" % (what, reason))
        if not ok:
            print(out)
            fails += 1
    n = 2 + len(PLANTED) + len(CROWD_PLANTED)
    print("strict-check self-test: %d passed, %d failed" % (n - fails, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
