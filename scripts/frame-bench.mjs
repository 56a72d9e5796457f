// Frame-time benchmark of the peak-shaving demo in headless Chromium:
// loads #/demo/peak-shaving?lang=en from dist/, selects speed 64, plays, and
// records requestAnimationFrame deltas inside the page for 5 s; prints
// p50/p95/p99/max frame time in ms, over all frames and over the frames
// while the demo was playing (it pauses by itself when the run is over).
//
//   bash scripts/frame-bench.sh             (installs, builds, then runs this)
//   node scripts/frame-bench.mjs [seconds]  (uses the dist/ already built)
import {
  DIST, collectErrors, launchBrowser, play, startServer, appUrl, waitForDemo,
} from '../tests/e2e/helpers.mjs';

const seconds = Number(process.argv[2] ?? 5);
const server = await startServer(DIST);
const browser = await launchBrowser();
let code = 0;
try {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(appUrl(server.url, '/demo/peak-shaving', { lang: 'en' }), { waitUntil: 'load' });
  const root = await waitForDemo(page, 'peak-shaving');
  await play(page, root, 64);
  const playSel = `${root} [data-testid="play"]`;
  // Frame deltas, each tagged with whether the demo was playing (it pauses
  // by itself once nothing is left to happen).
  const frames = await page.evaluate(
    ([ms, sel]) =>
      new Promise((done) => {
        const out = [];
        let start = null;
        let last = null;
        const frame = (now) => {
          if (start === null) start = now;
          if (last !== null) {
            out.push([now - last, document.querySelector(sel)?.getAttribute('aria-pressed') === 'true']);
          }
          last = now;
          if (now - start < ms) requestAnimationFrame(frame);
          else done(out);
        };
        requestAnimationFrame(frame);
      }),
    [seconds * 1000, playSel],
  );
  const simUs = await page.locator(`${root} [data-testid="sim-time"]`).first().getAttribute('data-time-us');
  const report = (label, deltas) => {
    if (deltas.length === 0) {
      console.log(`${label}: no frames`);
      return;
    }
    const sorted = [...deltas].sort((a, b) => a - b);
    const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    const mean = deltas.reduce((a, b) => a + b, 0) / deltas.length;
    console.log(
      `${label}: ${deltas.length} frames, ${(1000 / mean).toFixed(1)} fps mean; frame time ms: ` +
        `p50 ${q(0.5).toFixed(1)}  p95 ${q(0.95).toFixed(1)}  p99 ${q(0.99).toFixed(1)}  max ${sorted.at(-1).toFixed(1)}`,
    );
  };
  report(`all ${seconds} s`, frames.map(([d]) => d));
  report('while playing', frames.filter(([, p]) => p).map(([d]) => d));
  console.log(`simulated time reached: ${(Number(simUs) / 1e6).toFixed(1)} s`);
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
