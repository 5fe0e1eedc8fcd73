#!/usr/bin/env python3
"""strict_check.py WORKDIR [WORKDIR...] - the per-event check of the VM power-cut test.

Reads a kept vm_powercut.sh work dir (boot-0.log ... boot-N.log, the console as the host
saw it up to each cut) and checks EVERY event of the recovered database after each cut, not
only the current one, against a model built from the acknowledged replies:

  model, per event: total, count rows, presses, adds (n and sum), undos (n and sum), closed
  or open, and the stack of press/add deltas an undo would take back (ST_UNDO_TARGET).
  vm_client prints "PCVM SEND op n" before each request and "PCVM ACK event total" after its
  OK reply (an undo refused as empty prints the last ACK again). Each ACK applies its SEND
  to the model, and the ACK must agree with it (ack_mismatch otherwise).

  after a cut, the guest (guest_powercut.sh, before its CHECK line) prints, per event,
  the stored events.total and the sums of its count rows (PCVM EV ...), per-case sums,
  orphan rows and broken undo links (PCVM XROWS), then PCVM EVEND.
  The recovered database must be exactly the model, or the model with the request in
  flight (the SEND after the last ACK) applied; nothing else:
    lost_event     an acknowledged event is missing
    lost_counts    an event's recovered total is below its acknowledged total
    unexpected     any other difference (a state never asked for, rows that differ)
    total_mismatch events.total != the sum of the event's count rows
    integrity      orphan rows, broken undo links, not exactly one open event (the last)
    start_mismatch the kiosk started on a state other than the one the check read
Exit 0 if nothing was found, 1 otherwise, 2 if a log could not be read.
"""
import copy
import glob
import os
import re
import sys

LINE = re.compile(r'^PCVM ([A-Z]+)((?: \S+)*) \.$')


class Ev:
    __slots__ = ('total', 'nrows', 'npress', 'nadd', 'addsum', 'nundo', 'undosum', 'ended',
                 'stack')

    def __init__(self, total=0, nrows=0, npress=0, nadd=0, addsum=0, nundo=0, undosum=0,
                 ended=0, stack=None):
        self.total, self.nrows, self.npress, self.nadd = total, nrows, npress, nadd
        self.addsum, self.nundo, self.undosum, self.ended = addsum, nundo, undosum, ended
        self.stack = [] if stack is None else stack

    def key(self):
        return (self.total, self.nrows, self.npress, self.nadd, self.addsum, self.nundo,
                self.undosum, self.ended)

    def __repr__(self):
        return ('total=%d rows=%d press=%d add=%d/%d undo=%d/%d %s' %
                (self.total, self.nrows, self.npress, self.nadd, self.addsum, self.nundo,
                 self.undosum, 'closed' if self.ended else 'open'))


def key_str(k):
    return ('total=%d rows=%d press=%d add=%d/%d undo=%d/%d %s' %
            (k[0], k[1], k[2], k[3], k[4], k[5], k[6], 'closed' if k[7] else 'open'))


def apply_op(model, op, n):
    """The model with one request applied, as the kiosk would (None: cannot apply).
    Returns (new model, what the ACK must say: (event, total)) ."""
    if not model:
        return None
    m = copy.deepcopy(model)
    cur = max(m)
    e = m[cur]
    if op == 'press':
        e.total += 1
        e.nrows += 1
        e.npress += 1
        if e.stack is not None:
            e.stack.append(1)
    elif op == 'add':
        e.total += n
        e.nrows += 1
        e.nadd += 1
        e.addsum += n
        if e.stack is not None:
            e.stack.append(n)
    elif op == 'undo':
        if e.stack is None:
            return None  # unknown: the caller relaxes
        if not e.stack:
            return m  # refused: nothing to undo
        d = e.stack.pop()
        e.total -= d
        e.nrows += 1
        e.nundo += 1
        e.undosum += d
    elif op == 'new-event':
        e.ended = 1
        m[cur + 1] = Ev()
    else:
        return None
    return m


def same(model, rec):
    return set(model) == set(rec) and all(model[i].key() == rec[i] for i in model)


def undo_relaxed(model, rec):
    """An undo in flight on an event whose undo stack is unknown: one undo row of any d>=1."""
    if set(model) != set(rec):
        return False
    cur = max(model)
    for i in model:
        if i != cur and model[i].key() != rec[i]:
            return False
    k = model[cur].key()
    r = rec[cur]
    d = k[0] - r[0]
    return (d >= 1 and r[1] == k[1] + 1 and r[2:5] == k[2:5] and r[5] == k[5] + 1 and
            r[6] == k[6] + d and r[7] == k[7])


class Checker:
    def __init__(self, out):
        self.out = out
        self.c = dict(boots=0, checks=0, cuts=0, acks=0, events_compared=0,
                      closed_events_compared=0, inflight=0, inflight_landed=0,
                      new_events_acked=0, undos_acked=0, undos_refused=0, adds_acked=0,
                      lost_event=0, lost_counts=0, unexpected=0, total_mismatch=0,
                      integrity=0, start_mismatch=0, ack_mismatch=0, fail_lines=0,
                      no_strict_lines=0, ahead=0)
        self.landed = {}
        self.model = {}
        self.inflight = None

    def say(self, where, msg):
        print('%s: %s' % (where, msg), file=self.out)

    def check(self, where, rec, extra):
        """rec: {id: key tuple incl. ended} (stored total == row sum checked separately)."""
        c = self.c
        c['checks'] += 1
        model, fl = self.model, self.inflight
        # integrity of the recovered file on its own
        for i, (stored, rk) in rec.items():
            if stored != rk[0]:
                c['total_mismatch'] += 1
                self.say(where, 'TOTAL MISMATCH: event %d stored total %d, its rows sum to %d'
                         % (i, stored, rk[0]))
        recs = {i: rk for i, (stored, rk) in rec.items()}
        if rec:
            opens = [i for i, rk in recs.items() if not rk[7]]
            if opens != [max(recs)] or extra.get('n_open') != 1:
                c['integrity'] += 1
                self.say(where, 'INTEGRITY: open events %s (want only %d)' % (opens, max(recs)))
            if extra.get('orphans') or extra.get('bad_undo'):
                c['integrity'] += 1
                self.say(where, 'INTEGRITY: %d orphan rows, %d broken undo links' %
                         (extra.get('orphans'), extra.get('bad_undo')))
            for i, rk in recs.items():
                cs = extra['cases'].get(i, {})
                if sum(v[0] for v in cs.values()) != rk[0] or \
                        sum(v[1] for v in cs.values()) != rk[1]:
                    c['integrity'] += 1
                    self.say(where, 'CASES: event %d per-case sums %s disagree with %s' %
                             (i, cs, key_str(rk)))
        if fl:
            c['inflight'] += 1
        if not model:
            # nothing acknowledged yet: an empty file or the kiosk's first event only
            if recs and not (set(recs) == {1} and recs[1] == Ev().key()):
                c['unexpected'] += 1
                self.say(where, 'UNEXPECTED: nothing acknowledged, file holds %s' %
                         {i: key_str(k) for i, k in recs.items()})
            self.model = {i: Ev(*k[:7], ended=k[7]) for i, k in recs.items()}
            self.inflight = None
            return
        c['events_compared'] += len(model)
        c['closed_events_compared'] += len(model) - 1
        cands = [('as acknowledged', model)]
        if fl:
            m2 = apply_op(model, fl[0], fl[1])
            if m2 is not None:
                cands.append(('with the in-flight %s %d applied' % fl, m2))
        for name, m in cands:
            if same(m, recs):
                if m is not model:
                    c['inflight_landed'] += 1
                    self.landed[fl[0]] = self.landed.get(fl[0], 0) + 1
                self.model = m
                self.inflight = None
                return
        if fl and fl[0] == 'undo' and undo_relaxed(model, recs):
            c['inflight_landed'] += 1
            self.landed['undo'] = self.landed.get('undo', 0) + 1
            self.model = {i: Ev(*k[:7], ended=k[7], stack=model[i].stack if i != max(recs)
                                else None) for i, k in recs.items()}
            self.inflight = None
            return
        # a difference: say what it is
        cur = max(model)
        for i in sorted(set(model) | set(recs)):
            mk = model[i].key() if i in model else None
            rk = recs.get(i)
            if mk == rk:
                continue
            alt = cands[-1][1].get(i).key() if len(cands) > 1 and i in cands[-1][1] else None
            if rk is None:
                c['lost_event'] += 1
                self.say(where, 'LOST EVENT %d: acknowledged %s, the file has no such event' %
                         (i, key_str(mk)))
            elif mk is None:
                c['unexpected'] += 1
                self.say(where, 'UNEXPECTED EVENT %d: %s (in flight: %s)' %
                         (i, key_str(rk), fl))
            elif rk[0] < mk[0] and not (alt and rk[0] >= alt[0]):
                c['lost_counts'] += 1
                self.say(where, 'LOST COUNTS in event %d (%s): acknowledged %s, file %s, '
                         'in flight %s' % (i, 'current' if i == cur else 'closed',
                                           key_str(mk), key_str(rk), fl))
            else:
                c['unexpected'] += 1
                ahead = rk[0] > (alt[0] if alt else mk[0]) or rk[1] > (alt[1] if alt else mk[1])
                if ahead:
                    c['ahead'] += 1
                self.say(where, 'UNEXPECTED in event %d (%s): acknowledged %s, file %s, '
                         'in flight %s%s' % (i, 'current' if i == cur else 'closed',
                                             key_str(mk), key_str(rk), fl,
                                             ' (AHEAD of ack+in-flight)' if ahead else ''))
        # go on from what the file holds
        self.model = {i: Ev(*k[:7], ended=k[7], stack=(model[i].stack if i in model and
                                                       model[i].key() == k else None))
                      for i, k in recs.items()}
        self.inflight = None

    def run_lines(self, where, lines):
        c = self.c
        for kind, args in lines:
            if kind == 'START':
                e, t = int(args[0]), int(args[1])
                if not self.model and (e, t) == (1, 0):
                    self.model = {1: Ev()}
                elif not self.model or max(self.model) != e or self.model[e].total != t:
                    c['start_mismatch'] += 1
                    self.say(where, 'START MISMATCH: kiosk started at %d %d, model %s' %
                             (e, t, {i: repr(v) for i, v in self.model.items()}))
                self.inflight = None
            elif kind == 'SEND':
                self.inflight = (args[0], int(args[1]))
            elif kind == 'ACK':
                e, t = int(args[0]), int(args[1])
                c['acks'] += 1
                fl = self.inflight
                self.inflight = None
                if fl is None:
                    c['ack_mismatch'] += 1
                    self.say(where, 'ACK %d %d without a SEND' % (e, t))
                    continue
                op, n = fl
                cur = max(self.model)
                prev = self.model[cur].total
                m2 = apply_op(self.model, op, n)
                if op == 'undo':
                    if t == prev:
                        c['undos_refused'] += 1
                    else:
                        c['undos_acked'] += 1
                    if m2 is None:  # unknown stack: take the ACK's word
                        m2 = copy.deepcopy(self.model)
                        if t != prev:
                            d = prev - t
                            x = m2[cur]
                            x.total, x.nrows, x.nundo, x.undosum = t, x.nrows + 1, \
                                x.nundo + 1, x.undosum + d
                elif op == 'new-event':
                    c['new_events_acked'] += 1
                elif op == 'add':
                    c['adds_acked'] += 1
                ncur = max(m2)
                if (e, t) != (ncur, m2[ncur].total):
                    c['ack_mismatch'] += 1
                    self.say(where, 'ACK MISMATCH: %s %d acknowledged as %d %d, model says %d %d'
                             % (op, n, e, t, ncur, m2[ncur].total))
                self.model = m2
        return

    def boot(self, path, last):
        c = self.c
        c['boots'] += 1
        where = os.path.basename(os.path.dirname(path)) + '/' + os.path.basename(path)
        lines = []
        with open(path, 'rb') as f:
            for raw in f.read().decode('latin-1').split('\n'):
                m = LINE.match(raw.rstrip('\r'))
                if m:
                    lines.append((m.group(1), m.group(2).split()))
        fails = [a for k, a in lines if k == 'FAIL']
        if fails:
            c['fail_lines'] += 1
            self.say(where, 'FAIL line: %s' % ' '.join(fails[0]))
        checks = [a for k, a in lines if k == 'CHECK']
        if not checks:
            self.say(where, 'no CHECK line')
            return False
        rec, extra = {}, {'cases': {}}
        if checks[0] != ['none']:
            evend = [a for k, a in lines if k == 'EVEND']
            for k, a in lines:
                if k == 'EV':
                    v = list(map(int, a))
                    rec[v[0]] = (v[1], (v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]))
                elif k == 'CASE':
                    extra['cases'].setdefault(int(a[0]), {})[a[1]] = (int(a[2]), int(a[3]))
                elif k == 'XROWS':
                    extra.update(orphans=int(a[0]), bad_undo=int(a[1]), n_open=int(a[2]),
                                 max_row=int(a[3]))
            if not evend or int(evend[0][0]) != len(rec):
                c['no_strict_lines'] += 1
                self.say(where, 'no complete EV listing (guest script without the strict '
                         'lines?)')
                return False
            cur = max(rec)
            if (int(checks[0][0]), int(checks[0][1])) != (cur, rec[cur][0]):
                c['integrity'] += 1
                self.say(where, 'CHECK %s disagrees with the EV listing' % checks[0])
        self.check(where, rec, extra)
        if not last:
            c['cuts'] += 1
            self.run_lines(where, [(k, a) for k, a in lines if k in ('START', 'SEND', 'ACK')])
        return True


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    total_bad = 0
    rc = 0
    for work in sys.argv[1:]:
        logs = sorted(glob.glob(os.path.join(work, 'boot-*.log')),
                      key=lambda p: int(re.search(r'boot-(\d+)\.log$', p).group(1)))
        if not logs:
            print('%s: no boot logs' % work, file=sys.stderr)
            rc = 2
            continue
        ck = Checker(sys.stdout)
        for i, p in enumerate(logs):
            if not ck.boot(p, i == len(logs) - 1):
                rc = max(rc, 1)
        c = ck.c
        bad = sum(c[k] for k in ('lost_event', 'lost_counts', 'unexpected', 'total_mismatch',
                                 'integrity', 'start_mismatch', 'ack_mismatch', 'fail_lines',
                                 'no_strict_lines'))
        total_bad += bad
        landed = ','.join('%s:%d' % kv for kv in sorted(ck.landed.items())) or '-'
        print('strict-check %s: %s landed_by_op=%s verdict=%s' %
              (os.path.basename(work.rstrip('/')), ' '.join('%s=%d' % kv for kv in c.items()),
               landed, 'PASS' if bad == 0 else 'FAIL'))
    return rc if rc == 2 else (1 if total_bad or rc else 0)


if __name__ == '__main__':
    sys.exit(main())
