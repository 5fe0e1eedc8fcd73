#!/usr/bin/env python3
"""crowd_check.py WORKDIR [WORKDIR...] - the per-event, per-case check of a VM power-cut run
with several clients at once (vm_powercut.sh --crowd K; vm_client crowd).

Each client prints "PCVM CSEND k op n case ." before a request and "PCVM CACK k event total ."
after its OK reply; the kiosk commits the clients' requests in batches (group commit), so at
a cut up to K requests are in flight, each of which may or may not have landed, in the event
that was current when the kiosk took it (the last one acknowledged, the one before it if the
reply of a request it had already taken was lost, or a new event whose start was in flight).

After each cut the guest lists every event of the recovered file (PCVM EV: stored total, sum
and number of its rows, closed or open) and every case's sum and rows per event (PCVM CASE).
The check, for every event and every case (none is a case too):
  - nothing acknowledged is missing: each event holds at least what was there after the
    last cut plus what was acknowledged for it since (total, rows, per case)       lost
  - what is there beyond that is exactly some subset of the requests in flight: its total,
    its rows, and per case its sum and rows (every subset is tried)                unexpected
  - every acknowledged event is there, and at most one more (a new event in flight) lost_event
  - the stored total of every event is the sum of its rows                         total_mismatch
  - per-case sums add up to the event; only the last event is open; no orphan rows integrity
Exit 0 if nothing was found, 1 otherwise, 2 if a log could not be read.
"""
import glob
import itertools
import os
import re
import sys

LINE = re.compile(r'^PCVM ([A-Z]+)((?: \S+)*) \.$')


def parse(path):
    lines = []
    with open(path, 'rb') as f:
        for raw in f.read().decode('latin-1').split('\n'):
            m = LINE.match(raw.rstrip('\r'))
            if m:
                lines.append((m.group(1), m.group(2).split()))
    return lines


class Event:
    def __init__(self):
        self.total = self.rows = 0
        self.cases = {}  # case ('-' = none) -> [sum, rows]

    def add(self, case, d):
        self.total += d
        self.rows += 1
        c = self.cases.setdefault(case, [0, 0])
        c[0] += d
        c[1] += 1

    def copy(self):
        e = Event()
        e.total, e.rows = self.total, self.rows
        e.cases = {k: list(v) for k, v in self.cases.items()}
        return e


class Checker:
    def __init__(self):
        self.c = dict(boots=0, cuts=0, acks=0, events_compared=0, closed_events_compared=0,
                      cases_compared=0, cuts_with_several_in_flight=0, max_in_flight=0,
                      landed=0, landed_several=0, lost=0, lost_event=0, unexpected=0,
                      total_mismatch=0, integrity=0, fail_lines=0, no_strict_lines=0)
        self.base = {}       # event id -> Event: the state read after the last cut
        self.acked = {}      # event id -> Event: acknowledged since
        self.pending = {}    # client -> (op, n, case): sent, not acknowledged

    def say(self, where, msg):
        print('%s: %s' % (where, msg))

    def read_file_state(self, where, lines):
        """The recovered file as the guest listed it: {id: (Event, stored, closed)}."""
        rec, extra = {}, {}
        for k, a in lines:
            if k == 'EV':
                v = list(map(int, a))
                e = Event()
                e.total, e.rows = v[2], v[3]
                rec[v[0]] = [e, v[1], v[9]]
            elif k == 'XROWS':
                extra = dict(orphans=int(a[0]), bad_undo=int(a[1]), n_open=int(a[2]))
        for k, a in lines:
            if k == 'CASE' and int(a[0]) in rec:
                rec[int(a[0])][0].cases[a[1]] = [int(a[2]), int(a[3])]
        evend = [a for k, a in lines if k == 'EVEND']
        if not evend or int(evend[0][0]) != len(rec):
            self.c['no_strict_lines'] += 1
            self.say(where, 'no complete EV listing')
            return None
        for i, (e, stored, closed) in rec.items():
            if stored != e.total:
                self.c['total_mismatch'] += 1
                self.say(where, 'TOTAL MISMATCH: event %d stored %d, its rows sum to %d' %
                         (i, stored, e.total))
            if sum(v[0] for v in e.cases.values()) != e.total or \
                    sum(v[1] for v in e.cases.values()) != e.rows:
                self.c['integrity'] += 1
                self.say(where, 'CASES: event %d case sums %s disagree with total %d rows %d'
                         % (i, e.cases, e.total, e.rows))
        if rec:
            opens = [i for i, (_, _, closed) in rec.items() if not closed]
            if opens != [max(rec)] or extra.get('n_open') != 1 or extra.get('orphans'):
                self.c['integrity'] += 1
                self.say(where, 'INTEGRITY: open events %s, %s' % (opens, extra))
        return {i: v[0] for i, v in rec.items()}

    def expected(self):
        """The least each event must hold: the state after the last cut plus what was
        acknowledged since."""
        low = {i: e.copy() for i, e in self.base.items()}
        for i, e in self.acked.items():
            t = low.setdefault(i, Event())
            t.total += e.total
            t.rows += e.rows
            for k, v in e.cases.items():
                c = t.cases.setdefault(k, [0, 0])
                c[0] += v[0]
                c[1] += v[1]
        return low

    def check(self, where, rec):
        c = self.c
        low = self.expected()
        flight = list(self.pending.values())
        counts = [(op, n, case) for op, n, case in flight if op != 'new-event']
        new_in_flight = any(op == 'new-event' for op, _, _ in flight)
        c['max_in_flight'] = max(c['max_in_flight'], len(flight))
        if len(flight) >= 2:
            c['cuts_with_several_in_flight'] += 1
        bad = False
        top = max(low) if low else 0
        if not low and set(rec) <= {1} and all(e.total == 0 and e.rows == 0
                                               for e in rec.values()):
            low = {i: Event() for i in rec}  # cut while the kiosk made its first event
        for i in low:
            if i not in rec:
                c['lost_event'] += 1
                bad = True
                self.say(where, 'LOST EVENT %d (acknowledged total %d)' % (i, low[i].total))
        for i in rec:
            if i not in low and not (new_in_flight and i == top + 1):
                c['unexpected'] += 1
                bad = True
                self.say(where, 'UNEXPECTED EVENT %d: %d in %d rows (in flight: %s)' %
                         (i, rec[i].total, rec[i].rows, flight))
        c['events_compared'] += len(low)
        c['closed_events_compared'] += max(0, len(low) - 1)
        # every event and case: at least what was acknowledged
        excess_total = excess_rows = 0
        excess_cases = {}
        for i, r in rec.items():
            lo = low.get(i, Event())
            names = set(lo.cases) | set(r.cases)
            c['cases_compared'] += len(names)
            if r.total < lo.total or r.rows < lo.rows:
                c['lost'] += 1
                bad = True
                self.say(where, 'LOST COUNTS in event %d: acknowledged %d in %d rows, file %d'
                         ' in %d rows (in flight: %s)' % (i, lo.total, lo.rows, r.total,
                                                           r.rows, flight))
            for k in names:
                want, got = lo.cases.get(k, [0, 0]), r.cases.get(k, [0, 0])
                if got[0] < want[0] or got[1] < want[1]:
                    c['lost'] += 1
                    bad = True
                    self.say(where, 'LOST COUNTS for case %s in event %d: acknowledged %s, '
                             'file %s' % (k, i, want, got))
                e = excess_cases.setdefault(k, [0, 0])
                e[0] += got[0] - want[0]
                e[1] += got[1] - want[1]
            excess_total += r.total - lo.total
            excess_rows += r.rows - lo.rows
        # and beyond that, exactly the requests of some subset of those in flight
        if not bad:
            excess_cases = {k: v for k, v in excess_cases.items() if v != [0, 0]}
            fits = None
            for size in range(len(counts) + 1):
                for sub in itertools.combinations(counts, size):
                    cs = {}
                    for op, n, case in sub:
                        d = 1 if op == 'press' else n
                        v = cs.setdefault(case, [0, 0])
                        v[0] += d
                        v[1] += 1
                    if (sum(v[0] for v in cs.values()) == excess_total and
                            len(sub) == excess_rows and cs == excess_cases):
                        fits = sub
                        break
                if fits is not None:
                    break
            if fits is None:
                c['unexpected'] += 1
                bad = True
                self.say(where, 'UNEXPECTED: beyond the acknowledged state the file has %d in '
                         '%d rows (by case %s), which no subset of the requests in flight '
                         'makes: %s' % (excess_total, excess_rows, excess_cases, flight))
            else:
                c['landed'] += len(fits)
                if len(fits) >= 2:
                    c['landed_several'] += 1
        self.base = rec
        self.acked = {}
        self.pending = {}

    def run_lines(self, where, lines):
        for k, a in lines:
            if k == 'START':  # the kiosk's current event is durable before it answers
                self.acked.setdefault(int(a[0]), Event())
            elif k == 'CSEND':
                self.pending[a[0]] = (a[1], int(a[2]), a[3])
            elif k == 'CACK':
                req = self.pending.pop(a[0], None)
                e = int(a[1])
                self.c['acks'] += 1
                if req is None:
                    self.c['integrity'] += 1
                    self.say(where, 'CACK from client %s without a CSEND' % a[0])
                    continue
                op, n, case = req
                if op == 'new-event':
                    self.acked.setdefault(e, Event())
                else:
                    self.acked.setdefault(e, Event()).add(case, 1 if op == 'press' else n)

    def boot(self, path, last):
        self.c['boots'] += 1
        where = os.path.basename(path)
        lines = parse(path)
        fails = [a for k, a in lines if k == 'FAIL']
        if fails:
            self.c['fail_lines'] += 1
            self.say(where, 'FAIL line: %s' % ' '.join(fails[0]))
        checks = [a for k, a in lines if k == 'CHECK']
        if not checks:
            self.say(where, 'no CHECK line')
            return False
        rec = {} if checks[0] == ['none'] else self.read_file_state(where, lines)
        if rec is None:
            return False
        self.check(where, rec)
        if not last:
            self.c['cuts'] += 1
            self.run_lines(where, lines)
        return True


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    rc = 0
    for work in sys.argv[1:]:
        logs = sorted(glob.glob(os.path.join(work, 'boot-*.log')),
                      key=lambda p: int(re.search(r'boot-(\d+)\.log$', p).group(1)))
        if not logs:
            print('%s: no boot logs' % work, file=sys.stderr)
            rc = 2
            continue
        ck = Checker()
        ok = all([ck.boot(p, i == len(logs) - 1) for i, p in enumerate(logs)])
        bad = sum(ck.c[k] for k in ('lost', 'lost_event', 'unexpected', 'total_mismatch',
                                    'integrity', 'fail_lines', 'no_strict_lines'))
        print('crowd-check %s: %s verdict=%s' %
              (os.path.basename(work.rstrip('/')), ' '.join('%s=%d' % kv for kv in ck.c.items()),
               'PASS' if bad == 0 and ok else 'FAIL'))
        if bad or not ok:
            rc = max(rc, 1)
    return rc


if __name__ == '__main__':
    sys.exit(main())
