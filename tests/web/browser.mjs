// Drives the staff page in Debian's headless chromium at a phone's size (390x844), as a
// volunteer would: open the URL the QR code gives, enter the PIN, add 5, undo, start an
// event, take it back (and start it again), download a past event's share card, make a new
// PIN. After each step the page must show what the kiosk saved, and `tallyctl status` must
// agree. Then, with $FAKE_CLOCK_FILE (the kiosk runs on tests/e2e/fakeclock.c), the
// kiosk's clock goes a week back: the page must warn, and set it to the phone's time after a
// confirmation (at 360 px wide). With CLOCK_DENIED=1 the kiosk may not set its clock: only
// the warning and what to do instead are checked.
// Usage: node browser.mjs URL PIN SHOT.png PROFILE_DIR -- TALLYCTL_ARGS...
// Prints one "ok"/"FAIL" line per check, and figures ("figure ...") for the report.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

const [url, pin, shot, profile, sep, ...ctl] = process.argv.slice(2);
if (sep !== '--' || !ctl.length) {
  console.error('usage: node browser.mjs URL PIN SHOT.png PROFILE_DIR -- TALLYCTL [ARGS...]');
  process.exit(2);
}
const STEP_MS = 10000; // generous: a loaded 2-core machine, a software-drawn kiosk
let fails = 0;
const ok = (what) => console.log('  ok   ' + what);
const fail = (what) => { fails++; console.log('  FAIL ' + what); };
const check = (what, got, want) => (got === want ? ok(what) : fail(`${what}: got '${got}', expected '${want}'`));
const ctlStatusOf = (what) => JSON.parse(execFileSync(ctl[0], [...ctl.slice(1), what, '--json']).toString());
const ctlStatus = () => ctlStatusOf('status');

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('requestfailed', (r) => problems.push('request failed: ' + r.method() + ' ' + r.resourceType() + ' ' + r.url() + ' ' + (r.failure() && r.failure().errorText) + ' status=' + (r.response() ? r.response().status() : 'none')));
  const text = (sel) => page.$eval(sel, (e) => e.textContent);
  const waitText = (sel, want) => page.waitForFunction(
    (s, w) => document.querySelector(s) && document.querySelector(s).textContent === w,
    { timeout: STEP_MS }, sel, want).then(() => true, () => false);

  await page.goto(url, { waitUntil: 'networkidle0', timeout: STEP_MS });
  await page.waitForSelector('#pin', { visible: true, timeout: STEP_MS });
  ok('the page asks for the PIN');
  await page.type('#pin', '00000000');
  await page.click('#signin-form button');
  check('a wrong PIN is refused on the page', await page.waitForFunction(
    () => document.querySelector('#signin-msg').textContent.includes('wrong PIN'),
    { timeout: STEP_MS }).then(() => true, () => false), true);
  problems.length = 0; // the refused sign-in above logs its 401: that one was wanted
  await page.$eval('#pin', (e) => { e.value = ''; });
  await page.type('#pin', pin);
  await page.click('#signin-form button');
  await page.waitForSelector('#app', { visible: true, timeout: STEP_MS });
  ok('the PIN signs in');
  if (process.env.CLOCK_DENIED) {
    await clockDenied(page);
    throw null; // done: on to closing the browser
  }
  const cookies = await page.cookies();
  const c = cookies.find((x) => x.name === 'tk_session');
  check('the session cookie is HttpOnly and SameSite=Strict', !!c && c.httpOnly && c.sameSite === 'Strict', true);
  const start = ctlStatus().total;
  check('the page shows the total', await waitText('#total', start.toLocaleString('en-US')), true);

  await page.type('#add-n', '5');
  await page.click('#add-form button');
  check('add 5: the page shows the new total', await waitText('#total', (start + 5).toLocaleString('en-US')), true);
  check('tallyctl status agrees', ctlStatus().total, start + 5);
  check_contains('the page says what it added', await text('#msg'), 'Added 5');

  // A press at the kiosk (another staff member, the button) reaches the page by itself.
  const t0 = Date.now();
  execFileSync(ctl[0], [...ctl.slice(1), 'add', '3']);
  const seen = await waitText('#total', (start + 8).toLocaleString('en-US'));
  const lag = Date.now() - t0;
  check('a count made elsewhere appears on the page', seen, true);
  console.log(`figure kiosk-to-page ${lag} ms`);
  check('it appears within 1 s', lag <= 1000, true);

  await page.click('#undo'); // 3 letters: no confirmation asked
  check('undo: the page shows the total before the add of 3', await waitText('#total', (start + 5).toLocaleString('en-US')), true);
  check_contains('undo says what it took back', await text('#msg'), 'Took back 3 letters');
  check('tallyctl status agrees after undo', ctlStatus().total, start + 5);

  const name = 'Café Lumière 🌍 <b>evening</b>';
  await page.type('#event-new', name);
  await page.type('#event-confirm', 'new');
  await page.click('#event-form button');
  check('new event: the page shows its name', await waitText('#event-name', name), true);
  check('new event: the page shows 0', await waitText('#total', '0'), true);
  check('tallyctl status agrees on the event', ctlStatus().event, name);
  check('no HTML from a name reaches the page', await page.$$eval('#app b', (l) => l.length), 0);
  check('the old event is listed with its total', await page.waitForFunction(
    (n) => [...document.querySelectorAll('#events tr')].some((r) => r.textContent.includes(n)),
    { timeout: STEP_MS }, (start + 5).toLocaleString('en-US')).then(() => true, () => false), true);

  await reopenFlow(page, name, start + 5, problems);

  // A few letters for a case, so the screenshot shows the per-case list.
  const firstCase = await page.$eval('#add-case option:nth-child(2)', (o) => o.value).catch(() => '');
  if (firstCase) {
    await page.select('#add-case', firstCase);
    await page.type('#add-n', '12');
    await page.click('#add-form button');
    await waitText('#total', '12');
  }
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check('nothing is wider than the phone', width <= 390, true);
  check('no errors in the console, no failed requests', problems.join(' | '), '');
  await page.screenshot({ path: shot, fullPage: true });
  ok('screenshot kept: ' + shot);
  await pastCards(page);
  await newPin(page, problems);
  if (process.env.FAKE_CLOCK_FILE) await clockFlow(page, problems);
} catch (e) {
  if (e !== null) fail('the browser run: ' + e.message);
} finally {
  await browser.close();
}
// Right after a new event the page offers to take it back, naming both events; a cancelled
// confirmation changes nothing; a confirmed one goes back. The event is then started again,
// and once it has counted the page says in words why it can no longer be taken back.
async function reopenFlow(page, name, prevTotal, problems) {
  const text = (sel) => page.$eval(sel, (e) => e.textContent);
  const waitText = (sel, want) => page.waitForFunction(
    (s, w) => document.querySelector(s) && document.querySelector(s).textContent === w,
    { timeout: STEP_MS }, sel, want).then(() => true, () => false);
  const prevName = ctlStatusOf('events').slice(-2)[0].name;
  check('after a new event the page offers to take it back', await page.waitForSelector('#reopen',
    { visible: true, timeout: STEP_MS }).then(() => true, () => false), true);
  check('the offer names the event it goes back to', await page.$eval('#reopen', (e) => e.textContent),
    'Take back: go back to "' + prevName + '"');
  check_contains('and says what happens to the mistake', await page.$eval('#reopen-text', (e) => e.textContent),
    'is closed and kept, empty');
  await page.evaluate(() => window.scrollTo(0, 0));
  const reopenShot = shot.replace(/\.png$/, '') + '-reopen.png';
  await page.screenshot({ path: reopenShot });
  ok('screenshot kept: ' + reopenShot);
  let asked = '';
  page.once('dialog', async (d) => { asked = d.message(); await d.dismiss(); });
  await page.click('#reopen');
  await new Promise((r) => setTimeout(r, 300)); // a cancelled confirmation sends nothing
  check_contains('the confirmation names the mistaken event', asked, 'Take back "' + name + '"');
  check_contains('and the one it goes back to', asked, 'go back to "' + prevName + '"');
  check('cancelled: the event stays', ctlStatus().event, name);
  page.once('dialog', async (d) => { await d.accept(); });
  await page.click('#reopen');
  check('confirmed: the page shows the previous event', await waitText('#event-name', prevName), true);
  check('with its total', await waitText('#total', prevTotal.toLocaleString('en-US')), true);
  check('tallyctl status agrees on the event gone back to', ctlStatus().event, prevName);
  check_contains('the page says what it did', await text('#msg'), 'Back to "' + prevName + '"');
  check('nothing is offered to take back now', await page.waitForSelector('#reopen-card',
    { hidden: true, timeout: STEP_MS }).then(() => true, () => false), true);
  // Again, for the rest of the run; then a count makes it final.
  await page.type('#event-new', name);
  await page.type('#event-confirm', 'NEW');
  await page.click('#event-form button');
  check('the event is started again', await waitText('#event-name', name), true);
  execFileSync(ctl[0], [...ctl.slice(1), 'press']);
  check('once it has counted the page says why it cannot be taken back', await page.waitForFunction(
    () => !document.querySelector('#reopen-why').hidden &&
      document.querySelector('#reopen-why').textContent.includes('has already counted'),
    { timeout: STEP_MS }).then(() => true, () => false), true);
  check('and offers no button', await page.$eval('#reopen', (e) => e.hidden), true);
  execFileSync(ctl[0], [...ctl.slice(1), 'undo']);
  await waitText('#total', '0');
  // A fresh page (another phone) does not show that to everyone.
  await page.reload({ waitUntil: 'load', timeout: STEP_MS });
  await page.waitForSelector('#app', { visible: true, timeout: STEP_MS });
  check('another page load shows no take-back', await page.waitForFunction(
    () => document.querySelector('#reopen-card').hidden && document.querySelector('#total').textContent === '0',
    { timeout: STEP_MS }).then(() => true, () => false), true);
  problems.length = 0;
}

// The events list links each event's share card, square and wide.
async function pastCards(page) {
  const links = await page.$$eval('#events a', (l) => l.map((a) => a.getAttribute('href')));
  check_contains('the events list links the first event\'s card', links.join(' '), 'api/card.png?event=1');
  check_contains('and its wide card', links.join(' '), 'api/card.png?event=1&size=wide');
  const got = await page.evaluate(async () => {
    const a = [...document.querySelectorAll('#events a')].find((x) => x.getAttribute('href') === 'api/card.png?event=1&size=wide');
    const r = await fetch(a.href);
    const b = new Uint8Array(await r.arrayBuffer());
    const dv = new DataView(b.buffer);
    return r.status + ' ' + r.headers.get('Content-Type') + ' ' + dv.getUint32(16) + 'x' + dv.getUint32(20);
  });
  check('the past event\'s wide card downloads as a 1200x630 PNG', got, '200 image/png 1200x630');
  check('no venue download on a kiosk without a venue', await page.$eval('#venue-link', (e) => getComputedStyle(e).display), 'none');
}

// A new PIN from the page: the current PIN asked again (a wrong one keeps the phone signed
// in), the new PIN shown once, the same as the kiosk's.
async function newPin(page, problems) {
  await page.type('#pin-current', '00000000');
  await page.click('#pin-form button');
  check('a wrong current PIN: the page says so', await page.waitForFunction(
    () => document.querySelector('#msg').textContent.includes('wrong PIN'),
    { timeout: STEP_MS }).then(() => true, () => false), true);
  check('and stays signed in', await page.$eval('#app', (e) => !e.hidden), true);
  problems.length = 0; // its 401 was wanted
  await page.type('#pin-current', pin);
  await page.click('#pin-form button');
  check('the new PIN is shown', await page.waitForSelector('#pin-new', { visible: true, timeout: STEP_MS })
    .then(() => true, () => false), true);
  const shown = await page.$eval('#pin-value', (e) => e.textContent);
  const kiosk = JSON.parse(execFileSync(ctl[0], [...ctl.slice(1), 'web', '--json']).toString()).pin;
  check('it is the kiosk\'s new PIN', shown === kiosk && shown !== pin && /^[0-9]{8}$/.test(shown), true);
  console.log('figure new-pin ' + shown);
  await page.$eval('#pin-new', (e) => e.scrollIntoView({ block: 'center' }));
  const pinShot = shot.replace(/\.png$/, '') + '-new-pin.png';
  await page.screenshot({ path: pinShot });
  ok('screenshot kept: ' + pinShot);
  await page.click('#pin-done');
  check('noted: the PIN is gone from the page', await page.$eval('#pin-value', (e) => e.textContent), '');
  check('still signed in after the new PIN', (await page.evaluate(async () => (await fetch('api/status')).status)), 200);
  check('no errors in the console, no failed requests (new PIN)', problems.join(' | '), '');
}

// The kiosk's clock goes a week back: the page warns with both times; one tap and the
// confirmation set it to the phone's time, and the warning goes.
async function clockFlow(page, problems) {
  const file = process.env.FAKE_CLOCK_FILE;
  check('no clock warning while the kiosk\'s clock is right',
    await page.$eval('#clock-card', (e) => e.hidden), true);
  writeFileSync(file, '-604800\n');
  check('a clock a week back: the page warns', await page.waitForSelector('#clock-card',
    { visible: true, timeout: STEP_MS }).then(() => true, () => false), true);
  const week = new Date(Date.now() - 7 * 86400000).toLocaleString(undefined, { day: 'numeric', month: 'short' });
  check_contains('it shows the kiosk\'s time, a week back', await page.$eval('#clock-kiosk', (e) => e.textContent), week);
  check_contains('and says why it cannot be right', await page.$eval('#clock-why', (e) => e.textContent), 'software was made');
  check('the button is offered', await page.$eval('#clock-set', (e) => !e.hidden && !e.disabled), true);
  await page.setViewport({ width: 360, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  check('at 360 px nothing is wider than the phone',
    await page.evaluate(() => document.documentElement.scrollWidth) <= 360, true);
  const clockShot = shot.replace(/\.png$/, '') + '-clock-360.png';
  await page.screenshot({ path: clockShot });
  ok('screenshot kept: ' + clockShot);
  let asked = '';
  page.once('dialog', async (d) => { asked = d.message(); await d.accept(); });
  await page.click('#clock-set');
  check('after the confirmation the warning goes', await page.waitForSelector('#clock-card',
    { hidden: true, timeout: STEP_MS }).then(() => true, () => false), true);
  check_contains('the confirmation shows the kiosk\'s time', asked, 'Kiosk now: ');
  check_contains('and the phone\'s', asked, 'This phone: ');
  check_contains('the kiosk\'s, a week back', asked.split('This phone')[0], week);
  check_contains('the page says the clock is set', await page.$eval('#msg', (e) => e.textContent), 'The kiosk\'s clock is set to');
  const offset = parseInt(readFileSync(file, 'utf8'), 10);
  check('the kiosk\'s (faked) clock is within a minute of the phone\'s', Math.abs(offset) < 60, true);
  check('no errors in the console, no failed requests (clock)', problems.join(' | '), '');
}

// A kiosk that may not set its clock: the page warns and says what to do instead.
async function clockDenied(page) {
  check('the clock warning is shown', await page.waitForSelector('#clock-card',
    { visible: true, timeout: STEP_MS }).then(() => true, () => false), true);
  check('no button that cannot work', await page.$eval('#clock-set', (e) => e.hidden), true);
  check('it says the kiosk may not set its clock', await page.$eval('#clock-cannot', (e) => !e.hidden &&
    e.textContent.includes('may not set its clock')), true);
  const cmd = await page.$eval('#clock-cmd', (e) => e.textContent);
  const stamp = new Date().toISOString().slice(0, 10);
  check_contains('and gives the command with the phone\'s time (UTC)', cmd, 'sudo tallyctl set-time "' + stamp);
  await page.setViewport({ width: 360, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  check('at 360 px nothing is wider than the phone',
    await page.evaluate(() => document.documentElement.scrollWidth) <= 360, true);
  const deniedShot = shot.replace(/\.png$/, '') + '-clock-denied-360.png';
  await page.screenshot({ path: deniedShot });
  ok('screenshot kept: ' + deniedShot);
}

function check_contains(what, hay, needle) {
  if (String(hay).includes(needle)) ok(what); else fail(`${what}: '${needle}' not in '${hay}'`);
}
console.log(`browser.mjs: ${fails ? 'FAILED' : 'passed'}`);
process.exit(fails ? 1 : 0);
