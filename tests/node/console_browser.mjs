// The console in a real browser: Debian's chromium, headless, driven by puppeteer-core.
// Starts registryd, reuse-gatewayd and the console on ephemeral loopback ports with the
// shipped examples and demo data, then: a window principal finds the demo person by ID
// number (a POST form), sees the file with masked values, previews the home-visit bundle,
// opens a dispute on the residential address; the data-governance principal (the field has
// no authoritative source, so disputes on it go there) finds it in its queue and corrects
// it; the window's preview shows the corrected value and its notification. Every step is a
// screenshot under the log directory, checked for its text; no page's HTML holds the full
// ID number, and neither does the console's log. Then the file's per-field timeline and its
// as-of view, finding an enterprise by name, and the reuse dashboard with its server-drawn
// SVG charts (no Content-Security-Policy violation on any page). Fails, saying why, when
// chromium cannot run.
//
//   node console_browser.mjs --registryd BIN --gateway BIN --console BIN --registryctl BIN
//                            --examples DIR --logs DIR
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SONG_ID = '350403194503120012';  // 宋文富 of deploy/examples/demo/persons.csv
const NEW_ADDRESS = '三明市三元区富兴路8号2幢501室';
const WINDOW = 'spiffe://sanming.gov.cn/service-center/window';
const GOVERNANCE = 'registryctl';
const BUNDLE = 'bundles/elderly-home-property-transfer';
const REVIEW = 'matters/data-governance-review-person';
const ENTERPRISE_BUNDLE = 'bundles/enterprise-info-change';
const OLD_ADDRESS = '三明市三元区富文新村12幢301室';
const WAIT_MS = 30000;

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
for (const k of ['registryd', 'gateway', 'console', 'registryctl', 'examples', 'logs']) {
  if (!args[k]) {
    console.error(`usage: missing --${k}`);
    process.exit(2);
  }
}

const work = mkdtempSync(join(tmpdir(), 'console-browser-'));
mkdirSync(args.logs, { recursive: true });
const children = [];
let failures = 0;

function check(ok, what) {
  if (ok) {
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}`);
  }
}

// Starts a daemon, its output in LOGS/NAME.log; resolves with the first match of `ready`.
function start(name, bin, argv, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${WAIT_MS} ms:\n${out}`)), WAIT_MS);
    const take = (chunk) => {
      out += chunk.toString();
      writeFileSync(join(args.logs, `${name}.log`), out);
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${out}`));
    });
  });
}

function ctl(registry, ...argv) {
  return execFileSync(args.registryctl, ['--registry', registry, ...argv], { encoding: 'utf8', timeout: 120000 });
}

function stopAll() {
  for (const c of children) {
    if (c.exitCode === null) c.kill('SIGTERM');
  }
}

async function main() {
  const grpcReady = /serving gRPC on ([0-9.]+:[0-9]+)/;
  const reg = await start('registryd', args.registryd,
    ['--insecure', '--no-sync', '--data-dir', join(work, 'data'), '--listen', '127.0.0.1:0',
     '--admin-listen', '127.0.0.1:0', '--bootstrap-governance', 'registryctl'], grpcReady);
  const registry = reg[1];
  ctl(registry, 'catalog', 'apply', '-f', join(args.examples, 'catalog'));
  ctl(registry, 'matter', 'apply', '-f', join(args.examples, 'matters'));
  ctl(registry, 'bundle', 'apply', '-f', join(args.examples, 'bundles'));
  ctl(registry, 'principal', 'apply', '-f', join(args.examples, 'principals'));
  ctl(registry, 'import', '--kind', 'person', join(args.examples, 'demo', 'persons.csv'),
      '--source', 'public-security.household', '--report', join(work, 'import.txt'));
  ctl(registry, 'import', '--kind', 'enterprise', join(args.examples, 'demo', 'enterprises.csv'),
      '--source', 'market-regulation', '--report', join(work, 'import-enterprises.txt'));
  const gw = await start('reuse-gatewayd', args.gateway,
    ['--insecure', '--registry', registry, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    grpcReady);
  const con = await start('console', args.console,
    ['--insecure', '--registry', registry, '--gateway', gw[1], '--listen', '127.0.0.1:0'],
    /serving HTTP on (http:\/\/127\.0\.0\.1:[0-9]+\/)/);
  const base = con[1];

  let puppeteer;
  try {
    puppeteer = (await import('puppeteer-core')).default;
  } catch (e) {
    throw new Error(`puppeteer-core is missing (npm ci --prefix tests/node): ${e.message}`);
  }
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: 'new',
      args: ['--no-sandbox', '--disable-gpu', '--lang=zh-CN'],
      timeout: WAIT_MS,
    });
  } catch (e) {
    throw new Error(`chromium cannot run (Debian's chromium at /usr/bin/chromium, installed by tools/dev): ${e.message}`);
  }
  const page = await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  // A page the policy blocks something on says so in the browser's console.
  const cspViolations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`);
  });
  await page.setViewport({ width: 1280, height: 900 });
  let step = 0;
  const pages = [];

  // A screenshot of the page now, checked for each of `texts`.
  async function shot(name, texts) {
    const html = await page.content();
    pages.push({ name, html, url: page.url() });
    const text = await page.evaluate(() => document.body.innerText);
    for (const t of texts) check(text.includes(t), `${name}: shows "${t}"`);
    const file = join(args.logs, `${String(++step).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    check(statSync(file).size > 1000, `${name}: screenshot ${file}`);
    return text;
  }
  async function submit(selector) {
    await Promise.all([page.waitForNavigation(), page.click(selector)]);
  }
  async function signIn(identity) {
    await page.goto(base + 'login');
    await page.click(`input[name=principal][value="${identity}"]`);
    await submit('#login');
  }
  async function find(matter) {
    await page.goto(base + 'find');
    await page.type('#id_number', SONG_ID);
    await page.select('#matter', matter);
    await page.$eval('#case_id', (el) => { el.value = ''; });
    await page.type('#case_id', 'SM-2026-0001');
    await submit('#find');
  }

  // 1. The window finds 宋文富 by ID number and sees the file.
  await signIn(WINDOW);
  await find(BUNDLE);
  check(!page.url().includes(SONG_ID) && page.url().includes('/file?s=persons/'), 'the file URL names the pid, not the ID number');
  const file = await shot('window-file', ['一人一档', '现居住地址', '三明市三元区富文新村12幢301室', '已掩码', '3504']);
  check(!file.includes(SONG_ID), 'the file shows the ID number masked');

  // 2. The home-visit bundle's preview.
  await submit('#preview-link');
  await shot('window-preview', ['预填预览', '老年人上门办理房产过户一件事', '已预填']);

  // 3. A dispute on the residential address, from the file.
  await page.goBack();
  await page.type('#field-residential_address input[name=reason]', '老人已随子女搬至富兴路');
  await submit('#dispute-residential_address');
  await shot('window-dispute-opened', ['待受理', 'data-governance', '老人已随子女搬至富兴路']);
  const disputeUrl = page.url();
  await find(BUNDLE);
  await shot('window-file-contested', ['异议中']);

  // 4. Data governance (the field has no authoritative source) decides it from its queue.
  await page.click('#logout');
  await page.waitForSelector('#login');
  await signIn(GOVERNANCE);
  await page.goto(base + 'disputes');
  await shot('governance-queue', ['异议队列', 'residential_address', '待受理', 'data-governance']);
  await page.goto(disputeUrl);
  await page.type('#corrected-value', NEW_ADDRESS);
  await page.type('#correct-reason', '入户核实，已搬家');
  await submit('#correct');
  await shot('governance-corrected', ['已更正', '入户核实，已搬家', '通知 1 个审批系统']);

  // 5. The window's preview shows the corrected value, and its notification.
  await page.click('#logout');
  await page.waitForSelector('#login');
  await signIn(WINDOW);
  await find(BUNDLE);
  await submit('#preview-link');
  const preview = await shot('window-preview-corrected', [NEW_ADDRESS, '已预填']);
  check(!preview.includes('异议中'), 'the corrected field is no longer contested');
  await page.goto(base + 'notifications');
  await shot('window-notifications', ['更正通知', 'residential_address', BUNDLE]);

  // 6. The file's history: the residential address on a timeline, old value and corrected.
  await find(BUNDLE);
  const fileUrl = page.url();
  const timeline = await shot('window-file-timeline', ['字段变更历史', '现居住地址', NEW_ADDRESS, OLD_ADDRESS, '入户核实，已搬家']);
  const entries = await page.$$eval('#history-residential_address li', (els) => els.length);
  check(entries === 2, `the residential address has two timeline entries (${entries})`);
  check(!timeline.includes(SONG_ID), 'the timeline shows the ID number masked');

  // 7. The as-of view: today as known now, a day before the file existed, a date that is none.
  const today = await page.$eval('#history-residential_address li a', (a) => new URL(a.href).searchParams.get('asof'));
  await page.$eval('#asof', (el, d) => { el.value = d; }, today);
  await submit('#asof-submit');
  await shot('window-file-as-of', [`这是 ${today} 的档案`, '当日结束时登记系统所知', NEW_ADDRESS, '回到当前档案']);
  check(!(await page.$('#dispute-residential_address')), 'no dispute form on a past view');
  const before = new Date(Date.parse(today) - 86400000).toISOString().slice(0, 10);
  await page.goto(`${fileUrl}&asof=${before}&view=valid`);
  await shot('window-file-as-of-before', [`${before} 时档案尚未建立`]);
  await page.goto(`${fileUrl}&asof=2026-02-30`);
  await shot('window-file-as-of-bad-date', ['日期应为 年-月-日']);

  // 8. An enterprise found by its name, for the enterprise bundle.
  await page.goto(base + 'find');
  await page.type('#enterprise_name', '钢结构');
  await page.select('#matter', ENTERPRISE_BUNDLE);
  await submit('#find');
  await shot('window-find-enterprise', ['名称包含“钢结构”的企业', '福建远峰钢结构股份有限公司', '宁化县正利钢结构有限公司']);
  check(!(await page.content()).includes('宁化县恒成纺织厂'), 'only matching enterprises are listed');
  await submit('#matches li a');
  await shot('window-enterprise-file', ['一企一档', '企业名称', '字段变更历史']);

  // 9. The reuse dashboard: a table and bar charts drawn by the server as inline SVG.
  await page.goto(base + 'reuse');
  await shot('reuse-dashboard', ['数据复用看板', '老年人上门办理房产过户一件事', '复用率', '每日复用率', '目标 80%']);
  const bars = await page.$$eval('svg rect.bar', (els) => els.length);
  check(bars >= 1, `the charts have bars (${bars})`);
  const served = await page.$eval(`tr[id="reuse-${BUNDLE}"] td:nth-child(3)`, (td) => td.textContent.trim());
  check(Number(served) >= 2, `the home-visit bundle counts its previews (${served})`);
  check(cspViolations.length === 0, `no Content-Security-Policy violation ${cspViolations.join('; ')}`);

  // 10. Security properties of what was served.
  for (const p of pages) check(!p.html.includes(SONG_ID), `${p.name}: no full ID number in the HTML`);
  const res = await page.goto(base + 'find');
  const csp = res.headers()['content-security-policy'] || '';
  check(csp.includes("default-src 'none'"), 'a strict Content-Security-Policy');
  const cookies = await page.cookies();
  check(cookies.every((c) => c.httpOnly && c.sameSite === 'Strict' && !c.value.includes(SONG_ID)),
        'session cookies are HttpOnly, SameSite=Strict and hold no personal data');
  // A POST with the session's cookie but without its CSRF token (as another site would send).
  const session = cookies.find((c) => c.name === 'cs');
  const forged = (await fetch(base + 'disputes/withdraw', {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `cs=${session ? session.value : ''}` },
    body: 'name=x&csrf=forged',
  })).status;
  check(forged === 403, 'a POST without the CSRF token is refused');
  await browser.close();
  const consoleLog = readFileSync(join(args.logs, 'console.log'), 'utf8');
  check(!consoleLog.includes(SONG_ID) && !consoleLog.includes('id_number='), 'the console log holds no ID number');
}

try {
  await main();
} catch (e) {
  failures++;
  console.log(`FAIL ${e.message}`);
} finally {
  stopAll();
  rmSync(work, { recursive: true, force: true });
}
console.log(failures === 0 ? 'PASS' : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
