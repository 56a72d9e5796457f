// Shared harness for the end-to-end tests (node --test + playwright-core +
// Debian's Chromium). No fixed sleeps anywhere: every wait is a condition
// checked by Playwright in the page (page.waitForFunction / locator waits).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(E2E_DIR, '..', '..');
export const DIST = resolve(process.env.MQLAB_DIST ?? join(REPO_ROOT, 'dist'));
export const ARTIFACTS = join(E2E_DIR, 'artifacts');
export const CHROMIUM = process.env.MQLAB_CHROMIUM ?? '/usr/bin/chromium';

const AXE = join(E2E_DIR, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * Runs axe on the page as it is now (its context must bypass the app's
 * CSP) and returns the serious and critical violations, readable.
 */
export async function seriousViolations(page) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n      ${v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`).join('\n      ')}`);
}
/** Default wait for anything that should happen promptly. */
export const TIMEOUT_MS = Number(process.env.MQLAB_E2E_TIMEOUT_MS ?? 15_000);

/** The demos in the chapter's order, and those built: read from src/catalog.rs. */
export { ALL_DEMOS, BUILT_DEMOS, CATALOG } from './catalog.mjs';
export const LANGS = ['en', 'zh-CN'];

/** CSS selector for a data-testid; several ids nest: tid('panel-queue', 'metric-done'). */
export const tid = (...ids) => ids.map((id) => `[data-testid="${id}"]`).join(' ');

/**
 * The app's URL for a hash route, with the `lang` query parameter inside the
 * hash (`index.html#/demo/intro?lang=en`), as the app's links and embeds use.
 */
export function appUrl(base, route = '/', { lang, path = 'index.html' } = {}) {
  const q = lang ? `?lang=${encodeURIComponent(lang)}` : '';
  return `${base}${path}#${route}${q}`;
}

// ------------------------------------------------------------ server ----

/**
 * Starts static-server.mjs on a free port as a child process.
 * Returns { url, pid, stop() }; stop() kills it by PID.
 */
export async function startServer(dir = DIST) {
  const child = spawn(process.execPath, [join(E2E_DIR, 'static-server.mjs'), dir, '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('static server did not start in 10 s')), 10_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening (http:\/\/\S+\/)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`static server exited early (code ${code})`));
    });
  });
  child.stdout.resume();
  const pid = child.pid;
  const exited = new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) ok();
    else child.once('exit', () => ok());
  });
  return {
    url,
    pid,
    /** Kills the server by its PID; the promise settles when it has exited. */
    stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      return exited;
    },
  };
}

// ----------------------------------------------------------- browser ----

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Debian's Chromium. Playwright's launch() gives every browser a
 * fresh temporary --user-data-dir of its own and deletes it on close()
 * (passing --user-data-dir in args is refused by launch()).
 */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run \`bash scripts/setup.sh --test\``);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

// ------------------------------------------------------------ errors ----

/**
 * Collects everything that should never happen on a healthy page: console
 * errors, uncaught page errors, failed requests and HTTP errors.
 */
export function collectErrors(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) =>
    errors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return {
    errors,
    assertNone(what = 'page') {
      if (errors.length) {
        throw new Error(`${what} had ${errors.length} error(s):\n  ${errors.join('\n  ')}`);
      }
    },
  };
}

// ------------------------------------------------------- screenshots ----

export const slug = (s) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');

/** Saves a full-page PNG into tests/e2e/artifacts/ and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${slug(name)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ------------------------------------------------------------- waits ----

/**
 * Waits until `fn(arg)`, run in the page on every animation frame, returns
 * something truthy, and returns that value. `what` names the condition in
 * the timeout error.
 */
export async function waitFor(page, fn, arg, { timeout = TIMEOUT_MS, what } = {}) {
  try {
    const handle = await page.waitForFunction(fn, arg, { timeout, polling: 'raf' });
    const value = await handle.jsonValue();
    await handle.dispose();
    return value;
  } catch (e) {
    if (what && /Timeout/i.test(String(e))) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    }
    throw e;
  }
}

const OPS = ['>', '>=', '==', '<', '<=', '!='];

/**
 * Waits until the number in `attr` of the first element matching `selector`
 * compares to `value` with `op`; returns that number. The timeout error
 * tells the last value seen.
 */
export async function waitForNumber(page, selector, attr, op, value, { timeout = TIMEOUT_MS } = {}) {
  if (!OPS.includes(op)) throw new Error(`bad op ${op}`);
  try {
    return await waitFor(
      page,
      ([sel, at, o, want]) => {
        const el = document.querySelector(sel);
        if (!el) return false;
        const raw = el.getAttribute(at);
        if (raw === null || raw === '') return false;
        const v = Number(raw);
        if (!Number.isFinite(v)) return false;
        const ok =
          o === '>' ? v > want
          : o === '>=' ? v >= want
          : o === '==' ? v === want
          : o === '<' ? v < want
          : o === '<=' ? v <= want
          : v !== want;
        // Return an object so that a 0 result still counts as "done".
        return ok ? { v } : false;
      },
      [selector, attr, op, value],
      { timeout },
    ).then((r) => r.v);
  } catch (e) {
    if (!/Timeout/i.test(String(e))) throw e;
    const last = await page
      .evaluate(([sel, at]) => document.querySelector(sel)?.getAttribute(at) ?? '(no element)', [selector, attr])
      .catch(() => '(page gone)');
    throw new Error(`timed out after ${timeout} ms waiting for ${selector} [${attr}] ${op} ${value}; last value: ${last}`);
  }
}

/** Reads a number attribute now (NaN if missing). */
export async function readNumber(page, selector, attr = 'data-value') {
  const raw = await page.locator(selector).first().getAttribute(attr);
  return raw === null ? NaN : Number(raw);
}

// ------------------------------------------------------------ suites ----

/**
 * Registers before/after hooks that start the static server (for `dir`,
 * default dist/) and the browser once per test file, and returns a context
 * whose `pageTest(name, fn, options)` declares a test that gets a fresh
 * browser context and page, fails on any console/page/request error, and
 * saves a screenshot when it fails.
 *
 * fn receives { page, t, base, errors, open(route, opts) } where open() goes
 * to appUrl(base, route, opts) and waits for the load event.
 */
export function useApp({ dir = DIST, requireDist = true } = {}) {
  const ctx = { base: null, server: null, browser: null };
  before(async () => {
    if (requireDist && !existsSync(join(dir, 'index.html'))) {
      throw new Error(`${dir}/index.html is missing: build the app first (trunk build --release)`);
    }
    ctx.server = await startServer(dir);
    ctx.base = ctx.server.url;
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close().catch(() => {});
    await ctx.server?.stop();
  });

  // bypassCSP: for a test that injects axe (the app's CSP forbids inline scripts).
  ctx.pageTest = (name, fn, { locale = 'en-US', viewport = { width: 1280, height: 900 }, permissions = [], bypassCSP = false, ...testOpts } = {}) =>
    test(name, testOpts, async (t) => {
      const context = await ctx.browser.newContext({ locale, viewport, permissions, bypassCSP });
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT_MS);
      const errors = collectErrors(page);
      const open = async (route = '/', opts = {}) => {
        await page.goto(appUrl(ctx.base, route, opts), { waitUntil: 'load' });
      };
      try {
        await fn({ page, t, base: ctx.base, errors, open });
        errors.assertNone(name);
      } catch (e) {
        const shot = await screenshot(page, `FAILED-${name}`).catch(() => null);
        if (errors.errors.length) e.message += `\n(page errors: ${errors.errors.join(' | ')})`;
        if (shot) e.message += `\n(screenshot: ${shot})`;
        throw e;
      } finally {
        await context.close().catch(() => {});
      }
    });
  return ctx;
}

// ------------------------------------------------- app conventions ----

/** Waits for a demo page's root element and returns its selector. */
export async function waitForDemo(page, id) {
  const sel = tid(`demo-${id}`);
  await page.locator(sel).waitFor({ state: 'visible' });
  return sel;
}

/**
 * The selector of the element holding the transport controls for `scope`
 * (a panel or a demo root): the scope itself when it has its own play
 * button, else the demo root `fallback`.
 */
export async function transportScope(page, scope, fallback) {
  const own = await page.locator(`${scope} ${tid('play')}`).count();
  return own > 0 ? scope : fallback;
}

/**
 * Selects a speed and makes the transport in `scope` play. The app pauses by
 * itself when nothing is left to happen, so "playing" is confirmed by
 * aria-pressed="true", the clock moving, or the transport's "nothing left to
 * happen" badge (a run that has ended and whose last input added no work:
 * Play cannot move it, and the app says so).
 */
export async function play(page, scope, speed) {
  if (speed !== undefined) {
    await page.locator(`${scope} select${tid('speed')}`).first().selectOption(String(speed));
  }
  const playSel = `${scope} ${tid('play')}`;
  const timeSel = `${scope} ${tid('sim-time')}`;
  const idleSel = `${scope} ${tid('idle')}`;
  const t0 = await readNumber(page, timeSel, 'data-time-us');
  const btn = page.locator(playSel).first();
  if ((await btn.getAttribute('aria-pressed')) !== 'true') await btn.click();
  await waitFor(
    page,
    ([p, t, idle, before]) =>
      document.querySelector(p)?.getAttribute('aria-pressed') === 'true' ||
      Number(document.querySelector(t)?.getAttribute('data-time-us')) !== before ||
      document.querySelector(idle) !== null,
    [playSel, timeSel, idleSel, t0],
    { what: `${scope} to play` },
  );
}

/** Makes the transport in `scope` pause. */
export async function pause(page, scope) {
  const btn = page.locator(`${scope} ${tid('play')}`).first();
  if ((await btn.getAttribute('aria-pressed')) === 'true') await btn.click();
  await waitFor(
    page,
    (sel) => document.querySelector(sel)?.getAttribute('aria-pressed') !== 'true',
    `${scope} ${tid('play')}`,
    { what: `${scope} to pause` },
  );
}

/** Whether the transport in `scope` is playing now. */
export async function isPlaying(page, scope) {
  return (await page.locator(`${scope} ${tid('play')}`).first().getAttribute('aria-pressed')) === 'true';
}

/** The first number in a text such as "100,000 /s" or "1.5 s" (NaN if none). */
export function parseShownNumber(text) {
  const m = String(text ?? '').match(/-?[\d,]*\.?\d+/);
  return m ? Number(m[0].replace(/,/g, '')) : NaN;
}

/**
 * Reads a parameter control's current value: its data-value attribute when
 * it has one, else the number in its aria-valuetext (sliders are positions
 * 0–1000, often on a log scale, so their `value` is not the parameter), else
 * its value.
 */
export async function paramValue(page, scope, key) {
  const input = page.locator(`${scope} ${tid(`param-${key}`)}`).first();
  const data = await input.getAttribute('data-value');
  if (data !== null && data !== '') return Number(data);
  const text = await input.getAttribute('aria-valuetext');
  if (text !== null) return parseShownNumber(text);
  return Number(await input.inputValue());
}

/** A slider's thumb position (its `value`). */
/** The last position of a slider (its stops are 0..=this; see controls/ladder.rs). */
export async function sliderStops(page, scope, key) {
  return Number(await page.locator(`${scope} ${tid(`param-${key}`)}`).first().getAttribute('max'));
}

export async function sliderPosition(page, scope, key) {
  return Number(await page.locator(`${scope} ${tid(`param-${key}`)}`).first().inputValue());
}

/**
 * Moves a slider's thumb to position `pos` (fires input and change, as a
 * drag does) and returns the parameter value it took.
 */
export async function setSlider(page, scope, key, pos) {
  await page.locator(`${scope} ${tid(`param-${key}`)}`).first().fill(String(pos));
  return paramValue(page, scope, key);
}

/** Checks or unchecks a checkbox parameter control. */
export async function setFlag(page, scope, key, on) {
  await page.locator(`${scope} ${tid(`param-${key}`)}`).first().setChecked(on);
}

/** Reads a metric card's data-value now. */
export const metric = (page, scope, name) => readNumber(page, `${scope} ${tid(`metric-${name}`)}`);

/** Waits until a metric card's data-value compares to `value`; returns it. */
export const waitForMetric = (page, scope, name, op, value, opts) =>
  waitForNumber(page, `${scope} ${tid(`metric-${name}`)}`, 'data-value', op, value, opts);

/** Reads the simulated time (µs) shown in `scope`. */
export const simTime = (page, scope) => readNumber(page, `${scope} ${tid('sim-time')}`, 'data-time-us');

/** Waits until the simulated time in `scope` passes `us`; returns it. */
export const waitForSimTime = (page, scope, op, us, opts) =>
  waitForNumber(page, `${scope} ${tid('sim-time')}`, 'data-time-us', op, us, opts);

/** Picks `word` of a choice parameter (a radio group) and waits for it to be taken. */
export async function setChoice(page, scope, key, word) {
  await page.locator(`${scope} ${tid(`param-${key}-${word}`)}`).check();
  await waitFor(
    page,
    ([sel, w]) => document.querySelector(sel)?.getAttribute('data-word') === w,
    [`${scope} ${tid(`param-${key}`)}`, word],
    { what: `${key} = ${word}` },
  );
}

/** Plays `scope` at `speed` until its clock passes `us`, then pauses; returns the clock. */
export async function playUntil(page, scope, us, speed = 8) {
  await play(page, scope, speed);
  await waitFor(
    page,
    ([sel, u]) => Number(document.querySelector(sel)?.getAttribute('data-time-us')) >= u,
    [`${scope} ${tid('sim-time')}`, us],
    { timeout: 60_000, what: `clock past ${us} µs` },
  );
  await pause(page, scope);
  return simTime(page, scope);
}

/**
 * Moves a slider of `scope` until its parameter reads `value` (within 10 %),
 * by binary search over the thumb positions: linear and log sliders alike.
 */
export async function setValue(page, scope, key, value) {
  let lo = 0;
  let hi = await sliderStops(page, scope, key);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const v = await setSlider(page, scope, key, mid);
    if (v < value) lo = mid + 1;
    else hi = mid;
  }
  const got = await setSlider(page, scope, key, lo);
  if (Math.abs(got - value) > value * 0.1) throw new Error(`${key}: wanted ${value}, got ${got}`);
  return got;
}

/** Sets parameters of `scope`: numbers on sliders, words on choices. */
export async function setParams(page, scope, set) {
  for (const [key, v] of Object.entries(set)) {
    if (typeof v === 'number') await setValue(page, scope, key, v);
    else await setChoice(page, scope, key, v);
  }
}

/** Reads the metric cards `keys` of `scope` into an object. */
export async function readFacts(page, scope, keys) {
  const out = {};
  for (const k of keys) out[k] = await metric(page, scope, k);
  return out;
}
