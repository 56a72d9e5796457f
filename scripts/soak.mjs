// Memory soak (not part of the test gate), against the dist/ already built:
// peak-shaving played at 64× and a course page with ten embeds (the built
// demos in turn, all on screen and playing at 64×), side by side in one
// headless Chromium for N minutes. A run that ends (and pauses itself) is
// reset and played again, so both keep working the whole time.
//
// Every 30 s it samples, per page: the JS heap in use after a garbage
// collection (DevTools protocol HeapProfiler.collectGarbage, then
// Runtime.getHeapUsage; the embeds share their page's renderer, so the
// ten-embed figure covers all of them) and the size of the WebAssembly
// memory of every app instance on the page (captured from Trunk's
// TrunkApplicationStarted event; wasm memory only ever grows). It prints the
// series and whether growth levelled off: the highest sample of the second
// half is at most 5 % (or 1 MB) above the highest of the first half.
//
//   bash scripts/test.sh build         # once, to have dist/
//   node scripts/soak.mjs [--minutes 10] [--every 30]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DIST, appUrl, collectErrors, launchBrowser, startServer, tid, waitFor, waitForDemo,
} from '../tests/e2e/helpers.mjs';
import { embedsPage, loadLine, readyDemos, tenEmbedIds } from './bench-lib.mjs';

const { values: opt } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, every: { type: 'string', default: '30' } },
});
const minutes = Number(opt.minutes);
const everyS = Number(opt.every);
const MB = 1024 * 1024;

/** Keeps the page's wasm instance reachable for sampling (every frame). */
const CAPTURE_WASM = () => {
  addEventListener('TrunkApplicationStarted', (e) => {
    window.__mqlabWasm = e.detail?.wasm;
  });
};

const server = await startServer(DIST);
const site = mkdtempSync(join(tmpdir(), 'mqlab-soak-'));
const host = await startServer(site);
const browser = await launchBrowser();
const problems = [];

async function openPage(viewport) {
  const context = await browser.newContext({ locale: 'en-US', viewport });
  await context.addInitScript(CAPTURE_WASM);
  const page = await context.newPage();
  const errors = collectErrors(page);
  const cdp = await context.newCDPSession(page);
  return { context, page, errors, cdp };
}

/** JS heap in use after a collection (MB) and the wasm memory of every frame (MB). */
async function sample({ page, cdp }) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasm = [];
  for (const f of page.frames()) {
    const bytes = await f.evaluate(() => window.__mqlabWasm?.memory?.buffer.byteLength ?? null).catch(() => null);
    if (bytes !== null) wasm.push(bytes / MB);
  }
  return { heap: usedSize / MB, wasm: wasm.reduce((a, b) => a + b, 0), instances: wasm.length, each: wasm };
}

try {
  // Peak-shaving at 64×, reset and played again whenever its run is over.
  const ps = await openPage({ width: 1280, height: 900 });
  await ps.page.goto(appUrl(server.url, '/demo/peak-shaving', { lang: 'en' }), { waitUntil: 'load' });
  const root = await waitForDemo(ps.page, 'peak-shaving');
  await ps.page.locator(`${root} select${tid('speed')}`).selectOption('64');
  await ps.page.evaluate((r) => {
    window.__restarts = 0;
    const q = (id) => document.querySelector(`${r} [data-testid="${id}"]`);
    setInterval(() => {
      if (q('play').getAttribute('aria-pressed') !== 'true') {
        q('reset').click();
        q('play').click();
        window.__restarts++;
      }
    }, 250);
  }, root);

  // Ten embeds, all on screen, at 64×; an embed whose run ended is reset.
  const ids = tenEmbedIds(readyDemos());
  writeFileSync(join(site, 'ten.html'), embedsPage(server.url, ids, { grid: true }));
  const ten = await openPage({ width: 1920, height: 900 });
  await ten.page.goto(`${host.url}ten.html`, { waitUntil: 'load' });
  await waitFor(ten.page, (n) => window.__ev.filter((e) => e.type === 'ready').length >= n, ids.length, {
    timeout: 60_000, what: 'ten embeds ready',
  });
  await ten.page.evaluate((n) => {
    window.__restarts = 0;
    let seen = 0;
    for (let i = 0; i < n; i++) {
      window.__send(i, { type: 'speed', value: 64 });
      window.__send(i, { type: 'play' });
    }
    setInterval(() => {
      for (; seen < window.__ev.length; seen++) {
        const e = window.__ev[seen];
        if (e.type === 'state' && e.playing === false && e.t_us > 0) {
          const i = Number(e.div.slice(1));
          window.__send(i, { type: 'reset' });
          window.__send(i, { type: 'play' });
          window.__restarts++;
        }
      }
      window.__ev.splice(0, seen); // the log itself must not be what grows
      seen = 0;
    }, 250);
  }, ids.length);

  console.log(`soak: ${minutes} min, a sample every ${everyS} s; ${loadLine()} at start`);
  console.log('  min | peak-shaving 64×: heap MB  wasm MB  restarts | 10 embeds 64×: heap MB  wasm MB (instances)  restarts');
  const series = [];
  const t0 = Date.now();
  for (let k = 0; ; k++) {
    const a = await sample(ps);
    const b = await sample(ten);
    const ra = await ps.page.evaluate(() => window.__restarts);
    const rb = await ten.page.evaluate(() => window.__restarts);
    const min = (Date.now() - t0) / 60_000;
    series.push({ min, a, b });
    console.log(
      `${min.toFixed(1).padStart(5)} | ${a.heap.toFixed(1).padStart(24)} ${a.wasm.toFixed(1).padStart(8)} ${String(ra).padStart(9)} |` +
        ` ${b.heap.toFixed(1).padStart(21)} ${b.wasm.toFixed(1).padStart(8)} (${b.instances})${String(rb).padStart(10)}`,
    );
    if (min >= minutes) break;
    const next = t0 + (k + 1) * everyS * 1000;
    await new Promise((ok) => setTimeout(ok, Math.max(0, next - Date.now())));
  }

  const halfway = Math.floor((series.length - 1) / 2);
  const verdict = (name, get) => {
    const firstMax = Math.max(...series.slice(0, halfway + 1).map(get));
    const secondMax = Math.max(...series.slice(halfway + 1).map(get));
    const grew = secondMax - firstMax;
    const ok = grew <= Math.max(0.05 * firstMax, 1);
    return `${name}: ${get(series[0]).toFixed(1)} at start, ${get(series[halfway]).toFixed(1)} half-way, ` +
      `${get(series.at(-1)).toFixed(1)} MB at the end: ` +
      (ok ? 'levelled off' : `still growing (highest of the second half ${grew.toFixed(1)} MB above the first's)`);
  };
  console.log(`\n${loadLine()} at end`);
  for (const line of [
    verdict('peak-shaving JS heap', (s) => s.a.heap),
    verdict('peak-shaving wasm memory', (s) => s.a.wasm),
    verdict('10 embeds JS heap', (s) => s.b.heap),
    verdict('10 embeds wasm memory', (s) => s.b.wasm),
  ]) console.log(line);
  const each = (s) => s.b.each.map((v) => v.toFixed(0)).join(' ');
  console.log(`wasm MB per embed (${ids.join(', ')}):`);
  console.log(`  start ${each(series[0])}\n  half  ${each(series[halfway])}\n  end   ${each(series.at(-1))}`);
  for (const [name, p] of [['peak-shaving', ps], ['10 embeds', ten]]) {
    if (p.errors.errors.length) problems.push(`${name}: ${p.errors.errors.join(' | ')}`);
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
