// Frame-time and load-time benchmark in headless Chromium (not part of the
// test gate), against the dist/ already built.
//
// Frames: every demo that src/catalog.rs marks ready, played at the top
// speed its transport offers, and two pages of ten embeds (the built demos
// in turn, all told to play at top speed): stacked as on a course page,
// where only those in view load and play, and as a grid with all ten on
// screen. For each, requestAnimationFrame deltas are recorded inside the
// page for N seconds; a demo that runs out of work (and pauses by itself)
// is reset and played again, so the whole window is spent playing. Prints
// one table: frames, p50/p95/max frame time in ms, mean fps and the share
// of frames that took more than 1.5 refreshes (a refresh missed), with the
// simulated time reached and the main thread's time per frame by kind
// (DevTools protocol Performance metrics) for each demo.
//
// Load: home, every demo and one embed view, each opened R times in a fresh
// browser context (empty cache); the time from navigation start
// (Navigation Timing's origin) to the app's `mqlab-first-frame`
// performance mark, set once the first frame of the page (a demo's first
// frame on a demo page) has been painted. Prints p50 and max in ms.
//
//   bash scripts/frame-bench.sh [options]       (installs, builds, then runs this)
//   node scripts/frame-bench.mjs [options]      (uses the dist/ already built)
//     --seconds N      seconds of frames per demo (default 5)
//     --demos a,b      only these demos (default: every ready demo)
//     --load-runs R    page loads per page (default 5; 0 skips load times)
//     --no-embeds      skip the ten-embed page
import { rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DIST, appUrl, collectErrors, launchBrowser, startServer, tid, waitFor, waitForDemo,
} from '../tests/e2e/helpers.mjs';
import { embedsPage, fmt, loadLine, readyDemos, summarize, tenEmbedIds } from './bench-lib.mjs';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    demos: { type: 'string' },
    'load-runs': { type: 'string', default: '5' },
    'no-embeds': { type: 'boolean', default: false },
  },
});
const seconds = Number(opt.seconds);
const loadRuns = Number(opt['load-runs']);
const demos = opt.demos ? opt.demos.split(',') : readyDemos();
const FIRST_FRAME = 'mqlab-first-frame';
const VIEWPORT = { width: 1280, height: 900 };

/**
 * Runs in the page: records rAF deltas for `ms`, each tagged with whether
 * the demo was playing; a demo that paused by itself is reset and played
 * again (its transport is inside `scope`, or `restart` does it).
 */
function recordFrames([ms, scope]) {
  return new Promise((done) => {
    const out = [];
    let start = null;
    let last = null;
    let restarts = 0;
    const q = (id) => document.querySelector(`${scope} [data-testid="${id}"]`);
    const frame = (now) => {
      if (start === null) start = now;
      const playing = q('play')?.getAttribute('aria-pressed') === 'true';
      if (last !== null) out.push([now - last, playing]);
      last = now;
      if (!playing) {
        q('reset')?.click();
        q('play')?.click();
        restarts++;
      }
      if (now - start < ms) requestAnimationFrame(frame);
      else done({ out, restarts });
    };
    requestAnimationFrame(frame);
  });
}

/** The same for a page of embeds: a paused embed is told to reset and play. */
function recordHostFrames(ms) {
  return new Promise((done) => {
    const out = [];
    let start = null;
    let last = null;
    let restarts = 0;
    let seen = 0;
    const frame = (now) => {
      if (start === null) start = now;
      if (last !== null) out.push([now - last, true]);
      last = now;
      for (; seen < window.__ev.length; seen++) {
        const e = window.__ev[seen];
        // Paused by itself at the end of its run (a reset's own pause is at 0).
        if (e.type === 'state' && e.playing === false && e.t_us > 0) {
          const i = Number(e.div.slice(1));
          window.__send(i, { type: 'reset' });
          window.__send(i, { type: 'play' });
          restarts++;
        }
      }
      if (now - start < ms) requestAnimationFrame(frame);
      else done({ out, restarts });
    };
    requestAnimationFrame(frame);
  });
}

const server = await startServer(DIST);
const site = mkdtempSync(join(tmpdir(), 'mqlab-bench-'));
const host = await startServer(site);
const browser = await launchBrowser();
const problems = [];
const rows = [];
let topSpeed = null;

/** Main-thread time so far (s) by kind, from the DevTools protocol. */
async function mainThread(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** A fresh context and page with error collection. */
async function freshPage() {
  const context = await browser.newContext({ locale: 'en-US', viewport: VIEWPORT });
  const page = await context.newPage();
  const errors = collectErrors(page);
  return { context, page, errors };
}

/** A frame delta this long means at least one refresh was missed. */
const MISSED_MS = 1.5 * (1000 / 60);

function row(name, frames, restarts, extra = '') {
  const playing = frames.filter(([, p]) => p).map(([d]) => d);
  const s = summarize(playing);
  const missed = playing.length ? (100 * playing.filter((d) => d > MISSED_MS).length) / playing.length : 0;
  rows.push({ name, s, restarts, extra, missed });
}

/** The main thread's time per frame by kind between two metric readings. */
function perFrame(m0, m1, frames) {
  const per = (k) => (((m1[k] - m0[k]) * 1000) / frames).toFixed(1);
  return `per frame: script ${per('ScriptDuration')}, style ${per('RecalcStyleDuration')}, ` +
    `layout ${per('LayoutDuration')}, all tasks ${per('TaskDuration')} ms`;
}

try {
  console.log(`frame-bench: ${demos.length} demos, ${seconds} s each; ${loadLine()} at start`);
  for (const id of demos) {
    const { context, page, errors } = await freshPage();
    await page.goto(appUrl(server.url, `/demo/${id}`, { lang: 'en' }), { waitUntil: 'load' });
    const root = await waitForDemo(page, id);
    const speeds = await page.locator(`${root} select${tid('speed')} option`).evaluateAll((os) => os.map((o) => Number(o.value)));
    const top = Math.max(...speeds);
    topSpeed ??= top;
    await page.locator(`${root} select${tid('speed')}`).first().selectOption(String(top));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const m0 = await mainThread(cdp);
    const { out, restarts } = await page.evaluate(recordFrames, [seconds * 1000, root]);
    const m1 = await mainThread(cdp);
    const simUs = await page.locator(`${root} ${tid('sim-time')}`).first().getAttribute('data-time-us');
    row(`${id} ${top}×`, out, restarts, `sim ${(Number(simUs) / 1e6).toFixed(0)} s; ${perFrame(m0, m1, out.length)}`);
    if (errors.errors.length) problems.push(`${id}: ${errors.errors.join(' | ')}`);
    await context.close();
  }

  if (!opt['no-embeds']) {
    const ids = tenEmbedIds(readyDemos());
    for (const [name, grid] of [['10 embeds, page', false], ['10 embeds, all shown', true]]) {
      writeFileSync(join(site, 'ten.html'), embedsPage(server.url, ids, { grid }));
      const { context, page, errors } = await freshPage();
      if (grid) await page.setViewportSize({ width: 1920, height: 900 });
      await page.goto(`${host.url}ten.html`, { waitUntil: 'load' });
      // Embeds load lazily: on a course page only the first ones report.
      const want = grid ? ids.length : 1;
      await waitFor(page, (n) => window.__ev.filter((e) => e.type === 'ready').length >= n, want, {
        timeout: 60_000, what: `${want} embeds ready`,
      });
      await page.evaluate(([n, speed]) => {
        for (let i = 0; i < n; i++) {
          window.__send(i, { type: 'speed', value: speed });
          window.__send(i, { type: 'play' });
        }
      }, [ids.length, topSpeed ?? 64]);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const m0 = await mainThread(cdp);
      const { out, restarts } = await page.evaluate(recordHostFrames, seconds * 1000);
      const m1 = await mainThread(cdp);
      const ready = await page.evaluate(() => window.__ev.filter((e) => e.type === 'ready').length);
      row(`${name} ${topSpeed ?? 64}×`, out, restarts, `${ready} of ${ids.length} loaded; ${perFrame(m0, m1, out.length)}`);
      if (errors.errors.length) problems.push(`${name}: ${errors.errors.join(' | ')}`);
      await context.close();
    }
    console.log(`ten embeds: ${ids.join(', ')}`);
  }

  console.log(`\nframe time while playing, headless Chromium ${VIEWPORT.width}×${VIEWPORT.height} (ms; ${loadLine()} at end)`);
  console.log(`${'page'.padEnd(26)} frames    p50    p95    max    fps  missed  restarts  note`);
  for (const { name, s, restarts, extra, missed } of rows) {
    if (!s) {
      console.log(`${name.padEnd(26)} no frames`);
      continue;
    }
    console.log(
      `${name.padEnd(26)} ${String(s.n).padStart(6)} ${fmt(s.p50)} ${fmt(s.p95)} ${fmt(s.max)} ${fmt(1000 / s.mean)}` +
        ` ${fmt(missed, 6)}%  ${String(restarts).padStart(8)}  ${extra}`,
    );
  }

  if (loadRuns > 0) {
    const pages = [
      ['home', '/'],
      ...demos.map((id) => [id, `/demo/${id}`]),
      [`embed ${demos[0]}`, `/embed/${demos[0]}`],
    ];
    const loads = [];
    for (const [name, route] of pages) {
      const ms = [];
      for (let r = 0; r < loadRuns; r++) {
        const { context, page, errors } = await freshPage();
        await page.goto(appUrl(server.url, route, { lang: 'en' }), { waitUntil: 'commit' });
        const t = await waitFor(
          page,
          (mark) => performance.getEntriesByName(mark)[0]?.startTime ?? false,
          FIRST_FRAME,
          { timeout: 30_000, what: `${name}: the ${FIRST_FRAME} mark` },
        );
        ms.push(t);
        if (errors.errors.length) problems.push(`${name} load: ${errors.errors.join(' | ')}`);
        await context.close();
      }
      loads.push([name, summarize(ms)]);
    }
    console.log(`\nload time: navigation start → first painted frame (ms, ${loadRuns} loads each, fresh cache; ${loadLine()})`);
    console.log(`${'page'.padEnd(22)}    p50    max`);
    for (const [name, s] of loads) console.log(`${name.padEnd(22)} ${fmt(s.p50)} ${fmt(s.max)}`);
  }
} catch (e) {
  console.error(e);
  problems.push(String(e));
} finally {
  await browser.close();
  await server.stop();
  await host.stop();
  rmSync(site, { recursive: true, force: true });
}
if (problems.length) {
  console.error(`\nproblems:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
