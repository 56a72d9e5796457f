// Embedding: the embed view itself, and dist/embed.js on a host page served
// from a second static server (another origin), driven with
// window.mqlab.send and listened to through `mqlab` events.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before } from 'node:test';
import {
  BUILT_DEMOS, TIMEOUT_MS, pause, play, startServer, tid, useApp, waitFor, waitForDemo, waitForNumber,
  waitForSimTime,
} from './helpers.mjs';
import { tempSite } from './features.mjs';

const app = useApp();
const LONG = 60_000;

/** A host page with the given embeds (id, attributes) and a spacer before `far`. */
function hostPage(appBase, embeds, { spacerBefore = -1, spacerPx = 0 } = {}) {
  const divs = embeds
    .map(([name, attrs], i) => {
      const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${v}"`).join('');
      const spacer = i === spacerBefore ? `<div style="height:${spacerPx}px">spacer</div>\n` : '';
      return `${spacer}<div id="${name}"${a}></div>`;
    })
    .join('\n');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>course page</title></head><body style="margin:0">
<h1>A course page on another origin</h1>
${divs}
<script>
window.__ev = [];
for (const d of document.querySelectorAll('[data-mqlab-demo]')) {
  d.addEventListener('mqlab', (e) => window.__ev.push(Object.assign({ div: d.id }, e.detail)));
}
window.__send = (id, m) => window.mqlab.send(document.getElementById(id), m);
</script>
<script src="${appBase}embed.js"></script>
</body></html>`;
}

let host = null;
let site = null;
before(async () => {
  site = tempSite({});
  host = await startServer(site.dir);
});
after(async () => {
  await host?.stop();
  site?.remove();
});

/** Waits for a host-page event matching every field of `want`; returns it. */
const waitForEvent = (page, want, opts = {}) =>
  waitFor(
    page,
    (w) => window.__ev.find((e) => Object.entries(w).every(([k, v]) => e[k] === v)) || false,
    want,
    { what: `event ${JSON.stringify(want)}`, ...opts },
  );

/** The Frame of the iframe inside host div #`name`. */
async function frameOf(page, name) {
  const el = await page.locator(`#${name} iframe`).elementHandle();
  const f = await el.contentFrame();
  await el.dispose();
  return f;
}

for (const id of BUILT_DEMOS) {
  app.pageTest(`embed view: ${id}: no site header or share panel, an embedded root and an "Open in mqlab" link`, async ({ page, open }) => {
    await open(`/embed/${id}`, { lang: 'en' });
    const root = await waitForDemo(page, id);
    assert.match(await page.locator(root).getAttribute('class'), /\bembedded\b/);
    assert.equal(await page.locator('header.site-header').count(), 0, 'no site header');
    assert.equal(await page.locator(tid('copy-link')).count(), 0, 'no share panel');
    const link = page.locator(`${root} a`, { hasText: /Open in mqlab/i });
    assert.equal(await link.count(), 1, 'one "Open in mqlab" link');
    assert.match(await link.getAttribute('href'), new RegExp(`#/demo/${id}\\?lang=en&s=2\\.`));
    // The transport works inside the embed too.
    await play(page, root, 16);
    await waitForSimTime(page, root, '>', 0);
    await pause(page, root);
  });
}

app.pageTest('embed view: opened on its own (not in a frame) it does not take its own messages as commands', async ({ page, open }) => {
  // Opened as a page of its own (e.g. "open frame in new tab"), the embed's
  // parent is itself: its own messages must not be taken as commands.
  const warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' && m.text().startsWith('mqlab embed:')) warnings.push(m.text());
  });
  await open('/embed/components', { lang: 'en' });
  await waitForDemo(page, 'components');
  // 60 animation frames, counted in the page.
  await waitFor(page, () => (window.__frames = (window.__frames ?? 0) + 1) > 60, undefined, { what: '60 frames' });
  assert.deepEqual(warnings.slice(0, 3), [], `${warnings.length} "mqlab embed:" warnings`);
});

app.pageTest('embed.js: two cross-origin embeds get ready, resize, and are driven by postMessage', async ({ page, base }) => {
  writeFileSync(`${site.dir}/two.html`, hostPage(base, [
    ['ps', { 'data-mqlab-demo': 'peak-shaving', 'data-lang': 'zh-CN' }],
    ['intro', { 'data-mqlab-demo': 'intro', 'data-lang': 'en' }],
  ]));
  const warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' && m.text().includes('mqlab embed:')) warnings.push(m.text());
  });
  assert.notEqual(new URL(host.url).origin, new URL(base).origin, 'host and app are on different origins');
  await page.goto(`${host.url}two.html`, { waitUntil: 'load' });

  const ready = await waitForEvent(page, { div: 'ps', type: 'ready' }, { timeout: LONG });
  assert.equal(ready.demo, 'peak-shaving');
  assert.equal(ready.lang, 'zh-CN');
  const ready2 = await waitForEvent(page, { div: 'intro', type: 'ready' }, { timeout: LONG });
  assert.equal(ready2.demo, 'intro');
  assert.equal(ready2.lang, 'en');
  for (const name of ['ps', 'intro']) {
    // Chromium does not render a cross-origin frame that is off screen (so
    // its ResizeObserver stays quiet): the second embed reports its height
    // once it is scrolled into view.
    await page.locator(`#${name} iframe`).scrollIntoViewIfNeeded();
    const h = await waitFor(
      page,
      (n) => {
        const f = document.querySelector(`#${n} iframe`);
        return f && f.style.height && f.style.height !== '640px' ? f.style.height : false;
      },
      name,
      { what: `#${name} iframe to be resized from 640px` },
    );
    assert.match(h, /^\d+px$/);
  }
  const ps = await frameOf(page, 'ps');
  assert.ok(new URL(ps.url()).hash.startsWith('#/embed/peak-shaving'), ps.url());

  // Drive peak-shaving: faster database, top speed, play.
  await page.evaluate(() => {
    window.__send('ps', { type: 'set', key: 'db_rate_per_s', value: 2000 });
    window.__send('ps', { type: 'speed', value: 64 });
    window.__send('ps', { type: 'play' });
  });
  const up = await waitForEvent(page, { div: 'ps', type: 'event', event: 'queue_crossed', direction: 'up' }, { timeout: LONG });
  assert.equal(up.demo, 'peak-shaving');
  assert.equal(up.panel, 'queue');
  assert.equal(up.threshold, 10_000);
  assert.ok(up.queued > 10_000, `queued ${up.queued} when crossing up`);
  const down = await waitForEvent(page, { div: 'ps', type: 'event', event: 'queue_crossed', direction: 'down', panel: 'queue' }, { timeout: LONG });
  assert.ok(down.queued <= 10_000 && down.t_us > up.t_us, `down ${JSON.stringify(down)} after up ${JSON.stringify(up)}`);
  // The parameter arrived: the slider in the iframe shows 2,000 /s.
  assert.match(await ps.locator(tid('param-db_rate_per_s')).getAttribute('aria-valuetext'), /2,000/);

  // A well-formed but unusable message: an error event and a warning.
  await page.evaluate(() => window.__send('ps', { type: 'explode' }));
  const err = await waitForEvent(page, { div: 'ps', type: 'error' });
  assert.equal(err.demo, 'peak-shaving');
  assert.match(err.message, /explode/);
  await waitForEvent(page, { div: 'ps', type: 'error' });
  const errorsBefore = await page.evaluate(() => window.__ev.filter((e) => e.type === 'error').length);

  // Not ours at all: ignored, no error event. A `get` after it answers with the state.
  await page.evaluate(() => {
    document.querySelector('#ps iframe').contentWindow.postMessage({ foo: 1 }, '*');
    window.__ev.length = 0;
    window.__send('ps', { type: 'get' });
  });
  const state = await waitForEvent(page, { div: 'ps', type: 'state' });
  assert.equal(await page.evaluate(() => window.__ev.filter((e) => e.type === 'error').length), 0, '{foo:1} is ignored');
  assert.equal(state.demo, 'peak-shaving');
  assert.equal(typeof state.playing, 'boolean');
  assert.ok(Number.isInteger(state.t_us) && state.t_us > 0, `t_us ${state.t_us}`);
  assert.deepEqual(state.panels.map((p) => p.panel).sort(), ['direct', 'queue']);
  for (const p of state.panels) {
    for (const k of ['queued', 'done', 'rejected', 'lost']) assert.ok(Number.isInteger(p[k]), `${p.panel}.${k} = ${p[k]}`);
  }
  assert.ok(errorsBefore >= 1);
  await waitFor(page, (n) => n > 0, warnings.length).catch(() => {});
  assert.ok(
    warnings.some((w) => /explode/.test(w)),
    `a console warning "mqlab embed: ..." about "explode" (seen: ${JSON.stringify(warnings)})`,
  );
});

app.pageTest('embed.js: ten embeds all told to play; the one far off screen waits until it is scrolled into view', async ({ page, base }) => {
  const embeds = Array.from({ length: 10 }, (_, i) => [`e${i}`, { 'data-mqlab-demo': 'components', 'data-lang': 'en' }]);
  writeFileSync(`${site.dir}/ten.html`, hostPage(base, embeds, { spacerBefore: 9, spacerPx: 30_000 }));
  await page.goto(`${host.url}ten.html`, { waitUntil: 'load' });
  await waitForEvent(page, { div: 'e0', type: 'ready' }, { timeout: LONG });
  const readyAtSend = await page.evaluate(() => {
    for (let i = 0; i < 10; i++) window.__send(`e${i}`, { type: 'play' });
    return window.__ev.filter((e) => e.type === 'ready').map((e) => e.div);
  });
  const first = await frameOf(page, 'e0');
  await waitForNumber(first, tid('sim-time'), 'data-time-us', '>', 5_000_000, { timeout: LONG });

  // The far one has not moved: judged from what it told the host page, since
  // a lazy frame that has not loaded yet cannot be evaluated (that hangs).
  const before = await page.evaluate(() => {
    const mine = window.__ev.filter((e) => e.div === 'e9');
    if (!mine.some((e) => e.type === 'ready')) return 'not loaded';
    const states = mine.filter((e) => e.type === 'state');
    return String(states.length ? states.at(-1).t_us : 0);
  });
  assert.ok(before === '0' || before === 'not loaded', `e9 sim-time while far off screen: ${before}`);

  await page.locator('#e9').scrollIntoViewIfNeeded();
  await waitForEvent(page, { div: 'e9', type: 'ready' }, { timeout: LONG });
  const far = await frameOf(page, 'e9');
  try {
    await waitForNumber(far, tid('sim-time'), 'data-time-us', '>', 0, { timeout: TIMEOUT_MS });
  } catch (e) {
    const playing = await far.locator(tid('play')).getAttribute('aria-pressed');
    e.message += `\n(e9 before scrolling: ${before}; demos ready when play was sent: ${readyAtSend.join(', ')}; ` +
      `e9 play aria-pressed after scrolling: ${playing})`;
    throw e;
  }
});

app.pageTest('embed.js: a playing embed scrolled off screen stops its clock and goes on when back in view', async ({ page, base }) => {
  writeFileSync(`${site.dir}/scroll.html`, hostPage(base, [
    ['e0', { 'data-mqlab-demo': 'intro', 'data-lang': 'en' }],
    ['e1', { 'data-mqlab-demo': 'intro', 'data-lang': 'en' }],
  ], { spacerBefore: 1, spacerPx: 30_000 }));
  await page.goto(`${host.url}scroll.html`, { waitUntil: 'load' });
  await waitForEvent(page, { div: 'e0', type: 'ready' }, { timeout: LONG });
  await page.evaluate(() => {
    window.__send('e0', { type: 'speed', value: 8 });
    window.__send('e0', { type: 'play' });
  });
  const f = await frameOf(page, 'e0');
  const clock = () => f.evaluate(() => Number(document.querySelector('[data-testid="sim-time"]').getAttribute('data-time-us')));
  await waitForNumber(f, tid('sim-time'), 'data-time-us', '>', 1_000_000, { timeout: LONG });

  // Far away: the clock stops (checked over 60 of the host's frames).
  await page.evaluate(() => window.scrollTo(0, 20_000));
  await waitFor(page, () => {
    const r = document.querySelector('#e0 iframe').getBoundingClientRect();
    return r.bottom < 0;
  }, undefined, { what: 'e0 off screen' });
  // Let the frame notice (its IntersectionObserver runs on its next frame).
  await waitFor(page, () => (window.__f1 = (window.__f1 ?? 0) + 1) > 10, undefined, { what: '10 frames' });
  const t1 = await clock();
  await waitFor(page, () => (window.__f2 = (window.__f2 ?? 0) + 1) > 60, undefined, { what: '60 frames' });
  const t2 = await clock();
  assert.equal(t2, t1, `e0's clock moved from ${t1} to ${t2} µs while off screen`);

  await page.locator('#e0').scrollIntoViewIfNeeded();
  await waitForNumber(f, tid('sim-time'), 'data-time-us', '>', t2, { timeout: TIMEOUT_MS });
});
