// The staff page. Every change goes to the kiosk, which answers once it is saved; the page
// shows only what the kiosk answered. All text from the kiosk is set as textContent, never as
// HTML. The live total is polled twice a second while the page is visible.
'use strict';

const POLL_MS = 500;
const CONFIRM_UNDO_OVER = 10; // an undo that takes back more letters than this asks first
const CLOCK_OFF_MS = 2 * 60 * 1000; // the kiosk's clock this far from the phone's is wrong
const $ = (id) => document.getElementById(id);
const fmt = new Intl.NumberFormat();

let cases = [];           // [{id, name, country}] from the cases file
let status = null;        // the last status the kiosk sent
let pollTimer = null;
let lastOk = 0;
let busy = false;
let clock = null;         // the kiosk's clock as the last status said, and when it came
let startedHere = 0;      // the id of the event this page started (its take-back is offered)
let events = [];          // the last list of events

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
  opts.cache = 'no-store';
  const r = await fetch('api/' + path, opts);
  let data = null;
  const type = r.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) data = await r.json().catch(() => null);
  else await r.text().catch(() => ''); // read to the end, or the browser counts it aborted
  if (!r.ok) {
    const e = new Error((data && data.message) || ('HTTP ' + r.status));
    e.status = r.status;
    e.code = data && data.error;
    e.retryAfter = parseInt(r.headers.get('Retry-After') || '0', 10);
    throw e;
  }
  return data;
}

function say(text, kind) {
  const m = $('msg');
  m.textContent = text;
  m.className = 'msg ' + (kind || '');
}

function show(signedIn) {
  $('signin').hidden = signedIn;
  $('app').hidden = !signedIn;
  if (signedIn) {
    startPolling();
    loadCases();
    loadEvents();
  } else {
    stopPolling();
    $('pin').focus();
  }
}

function caseName(id) {
  const c = cases.find((x) => x.id === id);
  return c ? c.name : id;
}

function render(s) {
  status = s;
  $('event-name').textContent = s.event;
  document.title = fmt.format(s.total) + ' – ' + s.event;
  $('total').textContent = fmt.format(s.total);
  if (s.goal > 0) {
    const pct = Math.floor((s.total * 100) / s.goal);
    $('goal-bar').hidden = false;
    $('goal-fill').style.width = Math.min(100, pct) + '%';
    $('goal-text').textContent = s.total >= s.goal
      ? 'Goal of ' + fmt.format(s.goal) + ' reached! (' + pct + ' %)'
      : pct + ' % of the goal of ' + fmt.format(s.goal);
  } else {
    $('goal-bar').hidden = true;
    $('goal-text').textContent = 'No goal set';
  }
  if (document.activeElement !== $('goal-n')) $('goal-n').value = s.goal;
  const undo = $('undo');
  undo.disabled = !s.undoable;
  undo.textContent = s.undoable
    ? 'Undo the latest entry (' + fmt.format(s.undoable) + (s.undoable === 1 ? ' letter)' : ' letters)')
    : 'Nothing to undo';
  renderCases(s.cases || {});
  renderReopen(s);
  $('venue-link').hidden = !s.venue;
  if (s.clock) {
    clock = Object.assign({}, s.clock, { at: performance.now() });
    renderClock();
  }
}

// Taking back a mistaken new event: offered while the kiosk says it can be (nothing counted
// in it, here or, with several kiosks, anywhere in the venue); once refused, the reason is
// shown to the phone that started it.
function renderReopen(s) {
  const why = s.reopen_refused || s.venue_reopen_refused || '';
  const offer = s.reopen_to !== null && s.reopen_to !== undefined && !why;
  const refusedHere = s.reopen_to && why && s.event_id === startedHere;
  $('reopen-card').hidden = !(offer || refusedHere);
  $('reopen').hidden = !offer;
  $('reopen-why').hidden = !refusedHere;
  $('reopen-why').textContent = refusedHere ? 'It can no longer be taken back: ' + why : '';
  if (!s.reopen_to) return;
  const prev = events.find((ev) => ev.id === s.reopen_to_id);
  $('reopen-text').textContent = '"' + s.event + '" has counted nothing yet. Taking it back makes "' +
    s.reopen_to + '" current again' + (prev ? ', with its ' + fmt.format(prev.total) +
    (prev.total === 1 ? ' letter' : ' letters') : '') + '; "' + s.event + '" is closed and kept, empty.';
  $('reopen').textContent = 'Take back: go back to "' + s.reopen_to + '"';
}

// The kiosk's clock (a Pi has none of its own): a warning with both times when it cannot be
// right or is far from this phone's, and the button that sets it to the phone's time.
const kioskNow = () => clock.now_ms + (performance.now() - clock.at);
const when = (ms) => new Date(ms).toLocaleString(undefined, {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
  hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });

function span(ms) {
  const min = Math.round(Math.abs(ms) / 60000);
  const d = Math.floor(min / 1440), h = Math.floor((min % 1440) / 60), m = min % 60;
  if (d) return d + (d === 1 ? ' day ' : ' days ') + h + ' h';
  if (h) return h + ' h ' + m + ' min';
  return m + ' min';
}

// "2026-12-10 18:05:07Z": what tallyctl set-time takes, in UTC.
const utcStamp = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + 'Z';

function renderClock() {
  if (!clock) return;
  const kiosk = kioskNow(), phone = Date.now(), off = phone - kiosk;
  const wrong = clock.verdict !== 'ok' || Math.abs(off) > CLOCK_OFF_MS;
  $('clock-card').hidden = !wrong;
  if (!wrong) return;
  let why;
  if (clock.verdict === 'before_build') {
    why = 'It is earlier than the day its software was made (' + new Date(clock.build_ms)
      .toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' }) +
      '), so it was never set.';
  } else if (clock.verdict === 'before_latest') {
    why = 'It is earlier than the last count it saved (' + when(clock.latest_ms) + ').';
  } else {
    why = 'It is ' + span(off) + (off > 0 ? ' behind' : ' ahead of') + ' this phone\'s clock.';
  }
  $('clock-why').textContent = why;
  $('clock-kiosk').textContent = when(kiosk);
  $('clock-phone').textContent = when(phone);
  $('clock-set').hidden = !clock.can_set;
  $('clock-cannot').hidden = !!clock.can_set;
  // The time in one piece: a line break inside it reads as two arguments.
  const stamp = document.createElement('span');
  stamp.className = 'nowrap';
  stamp.textContent = '"' + utcStamp(phone) + '"';
  $('clock-cmd').replaceChildren('sudo tallyctl set-time ', stamp);
}

function renderCases(counts) {
  const list = $('cases');
  const ids = cases.map((c) => c.id);
  for (const id of Object.keys(counts)) if (!ids.includes(id)) ids.push(id);
  const rows = ids.filter((id) => counts[id] !== undefined || cases.length);
  $('cases-card').hidden = rows.length === 0;
  const max = Math.max(1, ...rows.map((id) => counts[id] || 0));
  list.replaceChildren(...rows.map((id) => {
    const n = counts[id] || 0;
    const li = document.createElement('li');
    const line = document.createElement('div');
    line.className = 'name';
    const a = document.createElement('span');
    a.textContent = caseName(id);
    const b = document.createElement('span');
    b.className = 'n';
    b.textContent = fmt.format(n);
    line.append(a, b);
    const bar = document.createElement('div');
    bar.className = 'bar';
    const fill = document.createElement('div');
    fill.style.width = (n * 100) / max + '%';
    bar.append(fill);
    li.append(line, bar);
    return li;
  }));
}

async function poll() {
  pollTimer = null;
  try {
    render(await api('status'));
    lastOk = Date.now();
    const live = $('live');
    live.textContent = 'Live · updated ' + new Date().toLocaleTimeString();
    live.className = 'live';
  } catch (e) {
    if (e.status === 401) { show(false); return; }
    const live = $('live');
    live.textContent = 'Cannot reach the kiosk' + (lastOk ? ' since ' + new Date(lastOk).toLocaleTimeString() : '') + ': retrying';
    live.className = 'live off';
  }
  if (!document.hidden && !$('app').hidden) pollTimer = setTimeout(poll, POLL_MS);
}

function startPolling() {
  if (!pollTimer) poll();
}

function stopPolling() {
  if (pollTimer) clearTimeout(pollTimer);
  pollTimer = null;
}

document.addEventListener('visibilitychange', () => {
  if (document.hidden) stopPolling(); else if (!$('app').hidden) startPolling();
});

async function loadCases() {
  try {
    cases = await api('cases');
  } catch (e) {
    cases = [];
  }
  const sel = $('add-case');
  const keep = sel.value;
  sel.replaceChildren(new Option('the whole room', ''), ...cases.map((c) => {
    const o = new Option(c.country ? c.name + ' (' + c.country + ')' : c.name, c.id);
    return o;
  }));
  sel.value = keep;
  if (status) render(status);
}

async function loadEvents() {
  try {
    const list = await api('events');
    events = list;
    $('events').replaceChildren(...list.slice().reverse().map((ev) => {
      const tr = document.createElement('tr');
      if (ev.ended === null) tr.className = 'current';
      const name = document.createElement('td');
      const title = document.createElement('div');
      title.textContent = ev.name + (ev.ended === null ? ' (now)' : '');
      const cards = document.createElement('div');
      cards.className = 'cards';
      for (const [label, size] of [['Card', ''], ['Wide card', '&size=wide']]) {
        const a = document.createElement('a');
        a.href = 'api/card.png?event=' + ev.id + size;
        a.download = 'tally-card-' + ev.id + (size ? '-wide' : '') + '.png';
        a.textContent = label;
        cards.append(a);
      }
      name.append(title, cards);
      const n = document.createElement('td');
      n.className = 'num';
      n.textContent = fmt.format(ev.total);
      const when = document.createElement('td');
      when.className = 'when';
      when.textContent = new Date(ev.started).toLocaleDateString(undefined,
        { day: 'numeric', month: 'short', year: 'numeric' });
      tr.append(name, n, when);
      return tr;
    }));
    if (status) renderReopen(status);
  } catch (e) {
    if (e.status === 401) show(false);
  }
}

// Runs one change; buttons stay disabled until the kiosk has answered.
async function change(form, fn) {
  if (busy) return;
  busy = true;
  const buttons = form ? form.querySelectorAll('button') : [];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await fn();
  } catch (e) {
    if (e.status === 401) show(false);
    say(e.message, 'error');
  } finally {
    busy = false;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

$('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const msg = $('signin-msg');
  try {
    await api('login', { pin: $('pin').value });
    $('pin').value = '';
    msg.textContent = '';
    show(true);
  } catch (e) {
    msg.className = 'msg error';
    msg.textContent = e.status === 401 || e.status === 429 ? e.message : 'Cannot sign in: ' + e.message;
  }
});

$('signout').addEventListener('click', async () => {
  try { await api('logout', {}); } catch (e) { /* signed out either way */ }
  show(false);
});

$('add-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  change(ev.target, async () => {
    const n = parseInt($('add-n').value, 10);
    const body = { n };
    if ($('add-case').value) body.case = $('add-case').value;
    const s = await api('add', body);
    render(s);
    $('add-n').value = '';
    loadEvents();
    say('Added ' + fmt.format(n) + (body.case ? ' for ' + caseName(body.case) : '') +
        '. Total: ' + fmt.format(s.total), 'ok');
  });
});

$('undo').addEventListener('click', () => {
  change(null, async () => {
    const n = status ? status.undoable : 0;
    if (!n) { say('Nothing to undo in this event.', 'error'); return; }
    if (n > CONFIRM_UNDO_OVER &&
        !window.confirm('The latest entry is ' + fmt.format(n) + ' letters. Take all of them back?')) return;
    try {
      const s = await api('undo', { max: n });
      render(s);
      loadEvents();
      say('Took back ' + fmt.format(s.undone) + (s.undone === 1 ? ' letter' : ' letters') +
          '. Total: ' + fmt.format(s.total), 'ok');
    } catch (e) {
      if (e.code === 'confirm') { await poll(); say('The latest entry changed meanwhile: look again.', 'error'); return; }
      throw e;
    }
  });
});

$('clock-set').addEventListener('click', () => {
  change(null, async () => {
    if (!clock) return;
    let ask = 'Set the kiosk\'s clock to this phone\'s time?\n\nKiosk now: ' + when(kioskNow()) +
      '\nThis phone: ' + when(Date.now());
    if (clock.latest_ms && Date.now() < clock.latest_ms - CLOCK_OFF_MS) {
      ask += '\n\nThis phone\'s time is earlier than the last count the kiosk saved (' +
        when(clock.latest_ms) + '): the kiosk will go on warning until then.';
    }
    if (!window.confirm(ask)) return;
    $('clock-set').disabled = true;
    try {
      const now = Date.now(); // the moment of the tap that confirmed, not of the first one
      const r = await api('clock', { now_ms: now });
      clock = Object.assign({}, r.clock, { at: performance.now() });
      renderClock();
      say('The kiosk\'s clock is set to ' + when(now) + '.', 'ok');
    } catch (e) {
      if (e.code === 'not_permitted' && clock) { clock.can_set = false; renderClock(); }
      throw e;
    } finally {
      $('clock-set').disabled = false;
    }
  });
});

$('goal-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  change(ev.target, async () => {
    const goal = parseInt($('goal-n').value, 10);
    render(await api('goal', { goal }));
    $('goal-n').blur();
    say(goal ? 'Goal set to ' + fmt.format(goal) + '.' : 'Goal removed.', 'ok');
  });
});

$('event-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  change(ev.target, async () => {
    if ($('event-confirm').value.trim().toUpperCase() !== 'NEW') {
      say('Type NEW in the confirmation box to start a new event.', 'error');
      return;
    }
    const name = $('event-new').value.trim();
    const s = await api('new-event', { name });
    render(s);
    $('event-new').value = '';
    $('event-confirm').value = '';
    startedHere = s.event_id;
    say('Started "' + s.event + '". The previous event is kept below.', 'ok');
    loadEvents();
  });
});

$('reopen').addEventListener('click', () => {
  change(null, async () => {
    const s0 = status;
    if (!s0 || !s0.reopen_to) return;
    if (!window.confirm('Take back "' + s0.event + '" and go back to "' + s0.reopen_to + '"?\n\n"' +
        s0.reopen_to + '" is current again with its letters; "' + s0.event +
        '" is closed and kept, empty.')) return;
    try {
      const s = await api('reopen', {});
      render(s);
      say('Back to "' + s.event + '" (' + fmt.format(s.total) + (s.total === 1 ? ' letter' : ' letters') +
          '). "' + s0.event + '" is closed and kept in the list of events.', 'ok');
    } catch (e) {
      if (e.code === 'refused') startedHere = s0.event_id;
      await poll();
      throw e;
    } finally {
      loadEvents();
    }
  });
});

$('pin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  change(ev.target, async () => {
    const pin = $('pin-current').value;
    $('pin-current').value = '';
    let r;
    try {
      r = await api('pin', { pin });
    } catch (e) {
      // A wrong current PIN is not a lost session: stay signed in, say so.
      if (e.code === 'wrong_pin' || e.code === 'wait') { say(e.message, 'error'); return; }
      throw e;
    }
    $('pin-value').textContent = r.pin;
    $('pin-new').hidden = false;
    say('The PIN is changed. Every other phone is signed out.', 'ok');
  });
});

$('pin-done').addEventListener('click', () => {
  $('pin-value').textContent = '';
  $('pin-new').hidden = true;
});

api('session').then((s) => show(s.signed_in)).catch(() => show(false));
