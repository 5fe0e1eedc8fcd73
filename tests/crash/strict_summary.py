#!/usr/bin/env python3
"""strict_summary.py CAMPAIGN_DIR - adds up the strict-check lines of a strict_campaign.sh
output folder, and says how close each cut came to a new-event (closed events' coverage)."""
import glob, os, re, sys
LINE = re.compile(r'^PCVM ([A-Z]+)((?: \S+)*) \.$')
tot, landed, runs, fails = {}, {}, 0, []
near = {'newevent_inflight': 0, 'cut_le5_after_newevent_ack': 0, 'cut_le20_after_newevent_ack': 0,
        'undo_inflight': 0, 'cuts_counting': 0}
for d in sorted(glob.glob(os.path.join(sys.argv[1], '*', 'strict.log'))):
    run = os.path.basename(os.path.dirname(d))
    for l in open(d):
        if l.startswith('strict-check ') or l.startswith('crowd-check '):
            runs += 1
            kv = dict(x.split('=', 1) for x in l.split()[2:])
            for k, v in kv.items():
                if k == 'landed_by_op':
                    for p in v.split(','):
                        if ':' in p:
                            o, n = p.split(':'); landed[o] = landed.get(o, 0) + int(n)
                elif k == 'verdict':
                    if v != 'PASS': fails.append(run)
                else:
                    tot[k] = tot.get(k, 0) + int(v)
    logs = sorted(glob.glob(os.path.join(os.path.dirname(d), 'boot-*.log')),
                  key=lambda p: int(re.search(r'boot-(\d+)\.log$', p).group(1)))
    for p in logs[:-1]:
        ops = []
        for raw in open(p, 'rb').read().decode('latin-1').split('\n'):
            m = LINE.match(raw.rstrip('\r'))
            if m and m.group(1) in ('SEND', 'ACK', 'RUN'):
                ops.append((m.group(1), m.group(2).split()))
        if not any(k == 'RUN' for k, _ in ops):
            continue
        near['cuts_counting'] += 1
        sends = [a[0] for k, a in ops if k == 'SEND']
        acked = sum(1 for k, _ in ops if k == 'ACK')
        if len(sends) > acked:
            if sends[-1] == 'new-event': near['newevent_inflight'] += 1
            if sends[-1] == 'undo': near['undo_inflight'] += 1
        done = sends[:acked]
        if 'new-event' in done:
            dist = len(done) - 1 - max(i for i, s in enumerate(done) if s == 'new-event')
            if dist <= 5: near['cut_le5_after_newevent_ack'] += 1
            if dist <= 20: near['cut_le20_after_newevent_ack'] += 1
print('runs=%d failed_runs=%s' % (runs, fails or '-'))
if not runs: fails.append('(no strict-check line found)')
print(' '.join('%s=%d' % kv for kv in tot.items()))
print('in-flight requests that landed, by op:', landed)
print('cuts during counting and what they were near:', near)
sys.exit(1 if fails else 0)
