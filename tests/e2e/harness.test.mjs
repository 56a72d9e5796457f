// Tests of the test harness itself, against a tiny page written to a temp
// folder: they pass without the app being built, so a broken harness is
// never mistaken for a broken app.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  collectErrors, launchBrowser, play, screenshot, startServer, tid, useApp,
  waitFor, waitForNumber, waitForSimTime,
} from './helpers.mjs';

const site = mkdtempSync(join(tmpdir(), 'mqlab-harness-'));
after(() => rmSync(site, { recursive: true, force: true }));

// The smallest valid WebAssembly module: instantiateStreaming() accepts it
// only when the server says application/wasm.
writeFileSync(join(site, 'empty.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
writeFileSync(
  join(site, 'index.html'),
  `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>harness</title><script type="module" src="./app.js"></script></head>
<body><div data-testid="demo-harness" tabindex="0">
<button data-testid="play" aria-pressed="false">play</button>
<select data-testid="speed"><option>1</option><option>64</option></select>
<span data-testid="sim-time" data-time-us="0"></span>
<div data-testid="metric-done" data-value="0"></div>
</div></body></html>`,
);
writeFileSync(
  join(site, 'app.js'),
  `const { instance } = await WebAssembly.instantiateStreaming(fetch('./empty.wasm'));
const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
document.documentElement.lang = q.get('lang') ?? navigator.language;
document.body.dataset.wasm = instance ? 'ok' : 'no';
const btn = document.querySelector('[data-testid="play"]');
const t = document.querySelector('[data-testid="sim-time"]');
const done = document.querySelector('[data-testid="metric-done"]');
let playing = false, last = null;
btn.onclick = () => { playing = !playing; btn.setAttribute('aria-pressed', String(playing)); };
function frame(now) {
  if (playing && last !== null) {
    const speed = Number(document.querySelector('[data-testid="speed"]').value);
    const us = Number(t.dataset.timeUs) + Math.round((now - last) * 1000 * speed);
    t.dataset.timeUs = String(us);
    done.dataset.value = String(Math.min(100, Math.floor(us / 100000)));
  }
  last = now;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);`,
);
writeFileSync(join(site, 'error.html'), `<!DOCTYPE html><link rel="icon" href="data:,"><script>console.error('boom')</script>`);
writeFileSync(join(site, 'missing.html'), `<!DOCTYPE html><link rel="icon" href="data:,"><script src="./nope.js"></script>`);

const app = useApp({ dir: site, requireDist: false });
const root = tid('demo-harness');

app.pageTest('harness: page with wasm loads, lang from the hash query, waits on conditions', async ({ page, open }) => {
  await open('/demo/harness', { lang: 'zh-CN' });
  await waitFor(page, () => document.body.dataset.wasm === 'ok', undefined, { what: 'the wasm module' });
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await play(page, root, 64);
  await waitForSimTime(page, root, '>', 2_000_000);
  const done = await waitForNumber(page, tid('metric-done'), 'data-value', '>=', 20);
  assert.ok(done >= 20, `waitForNumber returned ${done}`);
  assert.equal(await waitForNumber(page, tid('metric-done'), 'data-value', '==', 100), 100);
  const file = await screenshot(page, 'harness-page');
  assert.ok(existsSync(file));
});

app.pageTest('harness: the app also works from a sub-path', async ({ page, base }) => {
  await page.goto(`${base}sub/path/index.html#/`);
  await waitFor(page, () => document.body.dataset.wasm === 'ok', undefined, { what: 'the wasm module' });
});

test('harness: console errors and failed requests are caught', async () => {
  const server = await startServer(site);
  const browser = await launchBrowser();
  try {
    for (const [path, expect] of [['error.html', /console.error: boom/], ['missing.html', /HTTP 404: .*nope\.js/]]) {
      const page = await browser.newPage();
      const errors = collectErrors(page);
      await page.goto(server.url + path, { waitUntil: 'load' });
      await waitFor(page, () => document.readyState === 'complete');
      assert.throws(() => errors.assertNone(path), expect);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('harness: the static server serves wasm as application/wasm and is killed by PID', async () => {
  const server = await startServer(site);
  const res = await fetch(server.url + 'empty.wasm');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  assert.equal((await fetch(server.url + '../../etc/passwd')).status, 404);
  await server.stop();
  assert.throws(() => process.kill(server.pid, 0), /ESRCH/);
});

test('harness: a timed-out wait names the condition and the last value', async () => {
  const server = await startServer(site);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(server.url + 'index.html', { waitUntil: 'load' });
    await assert.rejects(
      waitForNumber(page, tid('metric-done'), 'data-value', '>', 5, { timeout: 300 }),
      /metric-done.*data-value.*> 5; last value: 0/,
    );
  } finally {
    await browser.close();
    await server.stop();
  }
});
