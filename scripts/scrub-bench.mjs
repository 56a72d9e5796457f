// Scrub benchmark (issue: rewind must take <= 100 ms): opens peak-shaving
// from a link that asks for 10 simulated minutes, then drags the timeline
// to 40 pseudo-random points and measures, inside the page, how long each
// seek takes from the input event until the new moment is on screen (the
// clock shows it and a frame was painted). Prints p50/p95/max in ms.
//
//   bash scripts/test.sh build      # once, to have dist/
//   node scripts/scrub-bench.mjs
import { DIST, collectErrors, launchBrowser, startServer, waitForDemo } from '../tests/e2e/helpers.mjs';
import { loadLine, summarize } from './bench-lib.mjs';

const TEN_MIN_US = 600_000_000;
const state = '1.' + Buffer.from(JSON.stringify({ s: 1, t: TEN_MIN_US })).toString('base64url');
const server = await startServer(DIST);
const browser = await launchBrowser();
let code = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  const t0 = Date.now();
  await page.goto(`${server.url}index.html#/demo/peak-shaving?lang=en&s=${state}`);
  const root = await waitForDemo(page, 'peak-shaving');
  await page.waitForFunction(
    (r) => document.querySelector(`${r} [data-testid="sim-time"]`)?.dataset.timeUs === '600000000',
    root,
    { timeout: 60_000 },
  );
  console.log(`opened a 10-minute run from its link in ${Date.now() - t0} ms (includes page load)`);
  const times = await page.evaluate(async (r) => {
    const slider = document.querySelector(`${r} [data-testid="timeline"]`);
    const clock = document.querySelector(`${r} [data-testid="sim-time"]`);
    const frame = () => new Promise((ok) => requestAnimationFrame(() => ok()));
    const out = [];
    let x = 12345;
    for (let i = 0; i < 40; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const pos = String(x % 1001);
      const before = clock.dataset.timeUs;
      const start = performance.now();
      slider.value = pos;
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      while (clock.dataset.timeUs === before && pos !== '1000') await frame();
      await frame();
      out.push(performance.now() - start);
    }
    return out;
  }, root);
  const s = summarize(times);
  console.log(`scrub to a random moment of a 10-minute peak-shaving run (${s.n} seeks; ${loadLine()}):`);
  console.log(`  p50 ${s.p50.toFixed(1)} ms  p95 ${s.p95.toFixed(1)} ms  max ${s.max.toFixed(1)} ms (includes one frame)`);
  if (errors.errors.length) {
    console.error(`page errors:\n  ${errors.errors.join('\n  ')}`);
    code = 1;
  }
} catch (e) {
  console.error(e);
  code = 1;
} finally {
  await browser.close();
  await server.stop();
}
process.exit(code);
