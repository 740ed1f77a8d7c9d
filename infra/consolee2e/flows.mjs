// Runs the console's browser flows (flows/*.mjs, in file-name order) in a
// headless Chromium against a running keymint API. TestConsoleInChromium
// starts the stack and runs this; against `make run` by hand:
//
//   BASE_URL=http://127.0.0.1:3000 ADMIN_TOKEN_FILE=.local/admin-token node infra/consolee2e/flows.mjs
//
// Environment: BASE_URL (required), CHROMIUM (/usr/bin/chromium),
// SCREENSHOT_DIR (<repo>/.local/screenshots), ADMIN_TOKEN_FILE (optional),
// E2E_NODE_DIR (<repo>/.local/console-e2e, where playwright-core is
// installed), FLOWS (run only flows whose name contains it), FLOW_TIMEOUT
// (seconds per flow, 90). A flow that needs a stack run with other
// settings names it (stack: 'enablement'); BASE_URL_<NAME> and
// ADMIN_TOKEN_FILE_<NAME> (BASE_URL_ENABLEMENT, ...) say where that one is,
// and such a flow fails when it is not given.
//
// A flow file exports by default one flow or an array of them:
//   { name: 'sign in as alice', async run({ page, signIn, shot, expectText }) { ... } }
// and may list expectedErrors, regular expressions for the browser errors
// it provokes on purpose (Chromium logs every 4xx answer as one), and
// stack, the name of the stack it runs against.
// Each flow gets a fresh browser context. It fails on a thrown error, and
// also on any console error, page error or CSP violation seen meanwhile.
import { createRequire } from 'node:module';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const env = process.env;
const BASE_URL = (env.BASE_URL ?? '').replace(/\/+$/, '');
const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
const SHOT_DIR = env.SCREENSHOT_DIR || join(repo, '.local', 'screenshots');
const NODE_DIR = env.E2E_NODE_DIR || join(repo, '.local', 'console-e2e');
const FLOW_TIMEOUT = Number(env.FLOW_TIMEOUT || 90) * 1000;
const TIME_ZONE = 'America/New_York';
// Long enough for a cold Lambda stand-in, short enough that a missing
// element fails a flow well inside FLOW_TIMEOUT.
const STEP_TIMEOUT = 15_000;

function die(msg) {
  console.error(`flows: ${msg}`);
  process.exit(2);
}

if (!BASE_URL) die('BASE_URL is not set (the keymint API, e.g. http://127.0.0.1:3000)');

// stackOf is where a flow's stack is: its base URL and admin token file.
function stackOf(flow) {
  if (!flow.stack) return { base: BASE_URL, adminTokenFile: env.ADMIN_TOKEN_FILE };
  const name = flow.stack.toUpperCase();
  const base = (env[`BASE_URL_${name}`] ?? '').replace(/\/+$/, '');
  if (!base) throw new Error(`this flow runs on the ${flow.stack} stack: set BASE_URL_${name} (TestConsoleInChromium starts it)`);
  return { base, adminTokenFile: env[`ADMIN_TOKEN_FILE_${name}`] };
}

// playwright-core lives in the npmpin install, not beside this file, so the
// flows run from the source tree and an edit needs no reinstall.
let chromium;
try {
  ({ chromium } = createRequire(join(NODE_DIR, 'package.json'))('playwright-core'));
} catch (e) {
  die(`playwright-core is not installed in ${NODE_DIR} (go test ./infra/consolee2e installs it): ${e.message}`);
}

// shot writes a full-page PNG screenshot named <name>.png to SCREENSHOT_DIR.
export async function shot(page, name) {
  const path = join(SHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`  screenshot ${path}`);
  return path;
}

// expectText waits until one of locator's elements shows text, and says
// what they show instead when none does.
export async function expectText(locator, text, timeout = STEP_TIMEOUT) {
  try {
    await locator.filter({ hasText: text }).first().waitFor({ timeout });
  } catch {
    const shown = await locator.allInnerTexts().catch(() => []);
    const what = shown.length ? `it shows ${JSON.stringify(shown.join(' | '))}` : 'there is none';
    throw new Error(`expected ${locator} to show ${JSON.stringify(text)}; ${what} (page ${locator.page().url()})`);
  }
}

// signInAt is signIn for the console at base: it signs a development user
// (password = user name) in through the console's own button and the
// provider's login form.
const signInAt = (base) => async function signIn(page, user) {
  const origin = new URL(base).origin;
  await page.goto(base + '/');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // The provider's page, on its own origin.
  await page.getByLabel('User name', { exact: true }).fill(user);
  await page.getByLabel('Password', { exact: true }).fill(user);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.origin === origin);
  await expectText(page.getByRole('banner'), user);
};

// axe-core (pinned beside playwright-core) checks a screen against WCAG 2.x
// A and AA. It is evaluated through the DevTools protocol, which the page's
// Content-Security-Policy does not govern, so the policy stays as shipped.
const axeSource = await readFile(join(NODE_DIR, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8').catch((e) =>
  die(`axe-core is not installed in ${NODE_DIR} (go test ./infra/consolee2e installs it): ${e.message}`));

// a11y fails the flow when axe finds a violation on what the page shows
// now (the open dialog included), naming each rule and element.
export async function a11y(page, screen) {
  if (!await page.evaluate(() => typeof window.axe === 'object')) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  if (violations.length) throw new Error(`accessibility of ${screen}:\n${violations.join('\n')}`);
  console.log(`  a11y ${screen}: no WCAG 2.1 A/AA violations`);
}

// Playwright colours its call logs; the output goes to a test log.
// eslint-disable-next-line no-control-regex -- ESC starts each colour code
const plain = (s) => String(s).replace(/\x1b\[[0-9;]*m/g, '').trimEnd().replaceAll('\n', '\n    ');

const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

async function loadFlows() {
  const dir = join(here, 'flows');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.mjs')).sort();
  const flows = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(join(dir, f)).href);
    for (const flow of [mod.default].flat()) {
      if (!flow?.name || typeof flow.run !== 'function') die(`flows/${f}: the default export must be { name, run } or an array of them`);
      if (flows.some((g) => g.name === flow.name)) die(`flows/${f}: a second flow named ${JSON.stringify(flow.name)}`);
      flows.push(flow);
    }
  }
  return flows.filter((f) => !env.FLOWS || f.name.includes(env.FLOWS));
}

// watch records what the browser reports as wrong on every page of a
// context: console errors, uncaught exceptions and CSP violations (as a
// securitypolicyviolation event, so one is seen even when the console
// message is worded differently).
async function watch(context, problems) {
  // Where, without the query: after sign-in it is a spent authorization
  // code, noise in every line.
  const where = (page) => page.url().replace(/\?[^#]*/, '');
  await context.exposeBinding('__e2eCSPViolation', ({ page }, v) => problems.push(`CSP violation on ${where(page)}: ${v}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__e2eCSPViolation(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || '?'}:${e.lineNumber}`));
  });
  context.on('page', (page) => {
    page.on('console', (m) => {
      // Whatever its level, no console message may hold a token.
      if (/[a-z]{2,8}_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}/.test(m.text())) problems.push(`a token in the browser console on ${where(page)}`);
      if (m.type() !== 'error') return;
      const loc = m.location();
      const at = loc?.url ? ` (${loc.url.replace(/\?[^#]*/, '')}:${loc.lineNumber})` : '';
      problems.push(`console error on ${where(page)}: ${m.text()}${at}`);
    });
    page.on('pageerror', (e) => problems.push(`page error on ${where(page)}: ${e.stack || e}`));
  });
}

async function runFlow(browser, flow) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    // Not the machine's zone (UTC here), so a flow can tell the console
    // shows times in the viewer's zone.
    timezoneId: TIME_ZONE,
    locale: 'en-US',
    acceptDownloads: true,
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const problems = [];
  await watch(context, problems);
  const page = await context.newPage();
  const failedShot = join(SHOT_DIR, `failed-${slug(flow.name)}.png`);
  await rm(failedShot, { force: true }); // a stale one would mislead
  let timer;
  try {
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${FLOW_TIMEOUT / 1000}s`)), FLOW_TIMEOUT);
    });
    const { base, adminTokenFile } = stackOf(flow);
    const adminToken = adminTokenFile ? (await readFile(adminTokenFile, 'utf8')).trim() : undefined;
    await Promise.race([flow.run({ page, context, baseURL: base, adminToken, shot, signIn: signInAt(base), expectText, a11y, timeZone: TIME_ZONE }), timeout]);
    // A flow names the refusals it provokes (a 400 it wants shown beside a
    // field, a 403 for a disabled owner): Chromium logs each as an error.
    const unexpected = problems.filter((p) => !(flow.expectedErrors ?? []).some((re) => re.test(p)));
    problems.splice(0, problems.length, ...unexpected);
    if (problems.length) throw new Error(`the browser reported ${problems.length} problem(s)`);
  } catch (e) {
    const at = page.isClosed() ? context.pages().at(-1) : page;
    const saved = at ? await at.screenshot({ path: failedShot, fullPage: true }).then(() => failedShot, (se) => `none (${se.message})`) : 'none (no page)';
    return { error: e, problems, screenshot: saved, url: at?.url() };
  } finally {
    clearTimeout(timer);
    await context.close().catch(() => {});
  }
  return null;
}

async function main() {
  await mkdir(SHOT_DIR, { recursive: true });
  const flows = await loadFlows();
  if (!flows.length) die(`no flows${env.FLOWS ? ` match FLOWS=${JSON.stringify(env.FLOWS)}` : ''} in ${join(here, 'flows')}`);
  let browser;
  try {
    // chromiumSandbox false (Playwright's default, said here) passes
    // --no-sandbox: Chromium refuses to run as root with its sandbox, and
    // containers often lack the namespaces it needs. --disable-dev-shm-usage
    // because a container's /dev/shm is often 64 MB, and Debian's wrapper
    // check for that misfires when findmnt prints more than one mount.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: ['--disable-dev-shm-usage'],
    });
  } catch (e) {
    die(`cannot launch Chromium at ${CHROMIUM} (set CHROMIUM, or run infra/scripts/ensure-chromium.sh): ${e.message}`);
  }
  const others = Object.keys(env).filter((k) => k.startsWith('BASE_URL_')).map((k) => `${k.slice(9).toLowerCase()} ${env[k]}`);
  console.log(`flows: Chromium ${browser.version()} (${CHROMIUM}) against ${BASE_URL}${others.length ? ` (${others.join(', ')})` : ''}, screenshots in ${SHOT_DIR}`);
  const failed = [];
  try {
    for (const [i, flow] of flows.entries()) {
      console.log(`RUN  ${i + 1}/${flows.length} ${flow.name}`);
      const began = Date.now();
      const f = await runFlow(browser, flow);
      const took = `${((Date.now() - began) / 1000).toFixed(1)}s`;
      if (!f) {
        console.log(`PASS ${flow.name} (${took})`);
        continue;
      }
      failed.push(flow.name);
      console.log(`FAIL ${flow.name} (${took}): ${plain(f.error.message)}`);
      console.log(`  page ${f.url ?? '(none)'}`);
      console.log(`  screenshot ${f.screenshot}`);
      for (const p of f.problems) console.log(`  ${plain(p)}`);
    }
  } finally {
    await browser.close();
  }
  console.log(`flows: ${flows.length - failed.length} passed, ${failed.length} failed${failed.length ? `: ${failed.join('; ')}` : ''}`);
  process.exitCode = failed.length ? 1 : 0;
}

await main();
