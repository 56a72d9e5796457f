// The flash-sale system, as a learner uses it: play the rush, switch the
// atomic take off and watch it oversell, take the order database down and
// see the alert fire and clear. The cases mirror engine/tests/seckill_system.rs.
// No fixed sleeps: every wait is a condition on the page, and numbers are
// read while paused.
import assert from 'node:assert/strict';
import { pause, play, readFacts, readNumber, setFlag, tid, useApp, waitFor, waitForDemo, waitForMetric } from './helpers.mjs';

const app = useApp();
const ROOT = tid('demo-seckill-system');
const FACTS = ['orders_created', 'oversold', 'stock_left', 'stock_returned', 'limited', 'sold_out', 'orders_failed', 'alerts_fired', 'requests'];
const facts = (page) => readFacts(page, ROOT, FACTS);
const stockInRedis = (page) => readNumber(page, `${ROOT} ${tid('seckill-stock')}`);
/** The alert lines the monitor lists, newest first: true for firing. */
const alerts = (page) =>
  page.locator(`${ROOT} ${tid('seckill-alerts')} li[data-firing]`).evaluateAll((lis) => lis.map((li) => li.dataset.firing === 'true'));
const waitForAlert = (page, firing) =>
  waitFor(
    page,
    ([sel, want]) => document.querySelector(sel)?.getAttribute('data-firing') === want,
    [`${ROOT} ${tid('seckill-alerts')} li[data-firing]`, String(firing)],
    { timeout: 60_000, what: `the newest alert ${firing ? 'firing' : 'cleared'}` },
  );

for (const lang of ['en', 'zh-CN']) {
  app.pageTest(`seckill-system (${lang}): the atomic script sells exactly the stock behind the limiter`, async ({ page, open }) => {
    await open('/demo/seckill-system', { lang });
    await waitForDemo(page, 'seckill-system');
    await play(page, ROOT, 1);
    await waitForMetric(page, ROOT, 'orders_created', '==', 100, { timeout: 60_000 });
    await pause(page, ROOT);
    const f = await facts(page);
    assert.equal(f.oversold, 0, JSON.stringify(f));
    assert.equal(f.stock_left, 0, JSON.stringify(f));
    assert.ok(f.limited > f.orders_created, `the limiter refuses most of the rush: ${JSON.stringify(f)}`);
    assert.equal(await stockInRedis(page), 0, 'the gateway panel shows the counter');
    // The four monitoring charts are drawn.
    for (const c of ['queue', 'rate', 'success', 'latency']) {
      assert.equal(await page.locator(`${ROOT} ${tid(`chart-${c}`)} polyline`).count(), 1, c);
    }
  });
}

app.pageTest('seckill-system: check-then-decrement oversells, and the stock goes below zero', async ({ page, open }) => {
  await open('/demo/seckill-system', { lang: 'en' });
  await waitForDemo(page, 'seckill-system');
  await setFlag(page, ROOT, 'atomic', false);
  await play(page, ROOT, 1);
  await waitForMetric(page, ROOT, 'oversold', '>', 0, { timeout: 60_000 });
  await waitForMetric(page, ROOT, 'sold_out', '>', 0, { timeout: 60_000 });
  await pause(page, ROOT);
  const f = await facts(page);
  assert.ok(f.oversold > 0, JSON.stringify(f));
  assert.ok((await stockInRedis(page)) < 0, 'Redis holds a negative stock');
  // The log says which worker's DECR took it below zero.
  const log = await page.locator(`${ROOT} ${tid('event-log')}`).first().textContent();
  assert.match(log, /DECR took the stock to -\d+/);
});

app.pageTest('seckill-system: the order DB down fails orders, returns their stock and fires an alert that clears once it is back', async ({ page, open }) => {
  await open('/demo/seckill-system', { lang: 'en' });
  await waitForDemo(page, 'seckill-system');
  await setFlag(page, ROOT, 'order_db_down', true);
  await play(page, ROOT, 0.25);
  await waitForAlert(page, true);
  await waitForMetric(page, ROOT, 'orders_failed', '>', 0);
  await pause(page, ROOT);
  let f = await facts(page);
  assert.equal(f.orders_created, 0, JSON.stringify(f));
  assert.equal(f.stock_returned, f.orders_failed, `every failed order returned its item: ${JSON.stringify(f)}`);
  assert.ok(f.alerts_fired >= 1);
  // Back up while the rush still runs: later orders succeed and the alert clears.
  await setFlag(page, ROOT, 'order_db_down', false);
  await play(page, ROOT, 0.25);
  await waitForAlert(page, false);
  await pause(page, ROOT);
  f = await facts(page);
  assert.ok(f.orders_created > 0, JSON.stringify(f));
  const shown = await alerts(page);
  assert.deepEqual(shown.slice(0, 2), [false, true], `cleared after it fired: ${shown}`);
});

app.pageTest('seckill-system: with the limiter off nothing is refused at the gateway', async ({ page, open }) => {
  await open('/demo/seckill-system', { lang: 'en' });
  await waitForDemo(page, 'seckill-system');
  await setFlag(page, ROOT, 'limiter_on', false);
  await play(page, ROOT, 1);
  await waitForMetric(page, ROOT, 'orders_created', '==', 100, { timeout: 60_000 });
  await pause(page, ROOT);
  const f = await facts(page);
  assert.equal(f.limited, 0, JSON.stringify(f));
  assert.ok((await page.locator(`${ROOT} ${tid('seckill-limiter')}`).textContent()).includes('off'));
});
