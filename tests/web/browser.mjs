// Drives the staff page in Debian's headless chromium at a phone's size (390x844), as a
// volunteer would: open the URL the QR code gives, enter the PIN, add 5, undo, start an
// event. After each step the page must show what the kiosk saved, and `tallyctl status`
// must agree. Usage: node browser.mjs URL PIN SHOT.png PROFILE_DIR -- TALLYCTL_ARGS...
// Prints one "ok"/"FAIL" line per check, and figures ("figure ...") for the report.
import { execFileSync } from 'node:child_process';
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
const ctlStatus = () => JSON.parse(execFileSync(ctl[0], [...ctl.slice(1), 'status', '--json']).toString());

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
} catch (e) {
  fail('the browser run: ' + e.message);
} finally {
  await browser.close();
}
function check_contains(what, hay, needle) {
  if (String(hay).includes(needle)) ok(what); else fail(`${what}: '${needle}' not in '${hay}'`);
}
console.log(`browser.mjs: ${fails ? 'FAILED' : 'passed'}`);
process.exit(fails ? 1 : 0);
