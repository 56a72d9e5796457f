// Behaviour of the three built demos, driven through the app's DOM
// conventions (data-testid, data-value, data-time-us, aria-pressed).
// Every wait is a condition on the page; none is a fixed sleep.
import assert from 'node:assert/strict';
import {
  BUILT_DEMOS, metric, paramValue, pause, play, setFlag, setSlider, setValue, simTime, sliderPosition, sliderStops, tid,
  transportScope, useApp, waitFor, waitForDemo, waitForMetric, waitForSimTime,
} from './helpers.mjs';

const app = useApp();
const S = 1_000_000; // µs per second of simulated time
/** Generous limit for runs of ~100 s of simulated time at speed 64. */
const LONG = { timeout: 60_000 };

/** Resets the transport in `scope` and waits until its clock is back at 0. */
async function reset(page, scope) {
  await page.locator(`${scope} ${tid('reset')}`).first().click();
  await waitForSimTime(page, scope, '==', 0);
}

// ------------------------------------------------------ peak-shaving ----

/**
 * Runs the queue panel from 0 until the burst has been queued and fully
 * drained; returns { drainedAtUs, done, total }.
 */
async function runQueuePanel(page, root) {
  const panel = tid('panel-queue');
  const transport = await transportScope(page, panel, root);
  const total = Math.round(
    ((await paramValue(page, root, 'burst_rate_per_s')) * (await paramValue(page, root, 'burst_ms'))) / 1000,
  );
  await reset(page, transport);
  await play(page, transport, 64);
  const peak = await waitForMetric(page, panel, 'queued', '>', 0, LONG);
  assert.ok(peak > 0);
  const drained = await waitFor(
    page,
    ([panelSel, timeSel, want]) => {
      const num = (sel) => Number(document.querySelector(sel)?.getAttribute('data-value'));
      const queued = num(`${panelSel} [data-testid="metric-queued"]`);
      const done = num(`${panelSel} [data-testid="metric-done"]`);
      if (queued !== 0 || done !== want) return false;
      return { done, t: Number(document.querySelector(timeSel)?.getAttribute('data-time-us')) };
    },
    [panel, `${transport} [data-testid="sim-time"]`, total],
    { ...LONG, what: `panel-queue to drain all ${total} requests (queued 0, done ${total})` },
  );
  await pause(page, transport);
  return { drainedAtUs: drained.t, done: drained.done, total };
}

app.pageTest('peak-shaving: the queue absorbs the burst and drains it; a faster DB drains sooner', async ({ page, open }) => {
  await open('/demo/peak-shaving', { lang: 'en' });
  const root = await waitForDemo(page, 'peak-shaving');
  const dbRate = await paramValue(page, root, 'db_rate_per_s');

  // Ten consumers, eight boxes: the status says so (it read "×10 (+2)").
  const status = await page.locator(`${tid('panel-queue')} .stage-nodes text.node-status`).allTextContents();
  assert.ok(status.includes('×10 · 8 drawn'), `consumer status: ${JSON.stringify(status)}`);

  const slow = await runQueuePanel(page, root);
  assert.equal(slow.done, slow.total);
  // 100,000 requests at 1,000/s take about 100 s to drain.
  assert.ok(slow.drainedAtUs > (slow.total / dbRate) * S * 0.8, `drained at ${slow.drainedAtUs} µs`);

  // Sliders stop at round values (a decade series here): move it up a bit.
  const pos = await sliderPosition(page, root, 'db_rate_per_s');
  const last = await sliderStops(page, root, 'db_rate_per_s');
  const faster = await setSlider(page, root, 'db_rate_per_s', Math.min(last, pos + Math.ceil(last * 0.15)));
  assert.ok(faster > dbRate * 1.5, `db_rate_per_s went from ${dbRate} to ${faster}`);
  const fast = await runQueuePanel(page, root);
  assert.equal(fast.done, fast.total);
  assert.ok(
    fast.drainedAtUs < slow.drainedAtUs,
    `with db_rate_per_s ${faster} it drained at ${fast.drainedAtUs} µs, not before ${slow.drainedAtUs} µs`,
  );
});

app.pageTest('peak-shaving: the queue length has a strip and an axis of its own; the side without a queue says so', async ({ page, open }) => {
  await open('/demo/peak-shaving', { lang: 'en' });
  const root = await waitForDemo(page, 'peak-shaving');
  await play(page, root, 64);
  await waitForSimTime(page, root, '>', 3 * S, LONG); // past the one-second burst
  await pause(page, root);
  const read = (panel) => page.evaluate((p) => {
    const c = document.querySelector(`${p} [data-testid="chart"]`);
    const [plot, strip] = [...c.querySelectorAll('rect.chart-bg')].map((r) => {
      const b = r.getBBox();
      return { y: b.y, height: b.height };
    });
    const shown = (el) => Boolean(el) && getComputedStyle(el).display !== 'none';
    const line = c.querySelector('polyline.line.queue');
    const axisTop = c.querySelector('text.axis.queue');
    const note = c.querySelector('.no-queue-note');
    return {
      plot,
      strip,
      ys: shown(line) ? line.getAttribute('points').trim().split(/\s+/).map((xy) => Number(xy.split(',')[1])) : [],
      top: shown(axisTop) ? Number(axisTop.textContent.replace(/,/g, '')) : NaN,
      note: shown(note) ? note.textContent : null,
    };
  }, panel);
  const q = await read(tid('panel-queue'));
  assert.ok(q.ys.length > 1, 'a queue line');
  // Its own strip, below the rates' plot: it never crosses the rate axis.
  assert.ok(q.strip.y >= q.plot.y + q.plot.height, `strip at ${q.strip.y}, rates' plot ends at ${q.plot.y + q.plot.height}`);
  for (const y of q.ys) assert.ok(y >= q.strip.y - 0.5 && y <= q.strip.y + q.strip.height + 0.5, `queue point at y ${y}`);
  // Its axis reads the queue's own scale: the burst queues tens of thousands.
  assert.ok(q.top >= 50_000, `queue axis top ${q.top}`);
  const d = await read(tid('panel-direct'));
  assert.equal(d.ys.length, 0, 'no queue line without a queue');
  assert.ok(Number.isNaN(d.top), 'no queue axis without a queue');
  assert.match(d.note ?? '', /No queue on this side/);
  assert.equal(q.note, null, 'the side with a queue does not say it has none');
});

app.pageTest('peak-shaving: without a queue the database rejects most of the burst', async ({ page, open }) => {
  await open('/demo/peak-shaving', { lang: 'en' });
  const root = await waitForDemo(page, 'peak-shaving');
  const panel = tid('panel-direct');
  const transport = await transportScope(page, panel, root);
  const total = Math.round(
    ((await paramValue(page, root, 'burst_rate_per_s')) * (await paramValue(page, root, 'burst_ms'))) / 1000,
  );
  await play(page, transport, 64);
  const rejected = await waitForMetric(page, panel, 'rejected', '>', 0.9 * total, LONG);
  assert.ok(rejected <= total);
  // The share as a number (issue 11): once every request of the burst has
  // its answer (done or rejected), it is rejected ÷ requests.
  await waitFor(
    page,
    ([sel, want]) => {
      const num = (k) => Number(document.querySelector(`${sel} [data-testid="metric-${k}"]`)?.getAttribute('data-value'));
      return num('done') + num('rejected') === want;
    },
    [panel, total],
    { ...LONG, what: `all ${total} requests answered in the no-queue panel` },
  );
  await pause(page, transport);
  const [rej, share] = await Promise.all([metric(page, panel, 'rejected'), metric(page, panel, 'rejected_share_pct')]);
  assert.ok(Math.abs(share - (100 * rej) / total) < 0.06, `rejected share ${share} % of ${rej}/${total}`);
  assert.ok(share > 90, `most of the burst is turned away: ${share} %`);
});

// -------------------------------------------------------- components ----

app.pageTest('components: the broker keeps messages while the consumer is offline and delivers them when it returns', async ({ page, open }) => {
  await open('/demo/components', { lang: 'en' });
  const root = await waitForDemo(page, 'components');
  // Only the Produce button makes messages, and nobody consumes them.
  assert.equal(await setSlider(page, root, 'rate_per_s', 0), 0);
  await setFlag(page, root, 'consumer_online', false);
  await reset(page, root);

  const N = 3;
  for (let i = 0; i < N; i++) await page.locator(`${root} ${tid('action-produce')}`).first().click();
  await play(page, root, 4);
  await waitForMetric(page, root, 'queued', '==', N);
  // Let a few more simulated seconds pass, or the run stop by itself since
  // nothing is left to happen: the messages are still stored, none consumed.
  const t = await simTime(page, root);
  await waitFor(
    page,
    ([playSel, timeSel, until]) =>
      document.querySelector(playSel)?.getAttribute('aria-pressed') !== 'true' ||
      Number(document.querySelector(timeSel)?.getAttribute('data-time-us')) > until,
    [`${root} ${tid('play')}`, `${root} ${tid('sim-time')}`, t + 3 * S],
    { what: 'three more simulated seconds or the run to stop' },
  );
  assert.equal(await metric(page, root, 'queued'), N);
  assert.equal(await metric(page, root, 'done'), 0);

  await setFlag(page, root, 'consumer_online', true);
  await play(page, root, 4);
  await waitForMetric(page, root, 'done', '==', N, LONG);
  await waitForMetric(page, root, 'queued', '==', 0);
});

// ------------------------------------------------------------- intro ----

/** The intro panels' response-time metric: how long the caller waited. */
const responseSel = (panel) => `${panel} ${tid('metric-response')}`;

app.pageTest('intro: the sync caller waits for the callee, the async caller returns at once', async ({ page, open }) => {
  await open('/demo/intro', { lang: 'en' });
  const root = await waitForDemo(page, 'intro');
  const sync = tid('panel-sync');
  const asyn = tid('panel-async');
  for (const panel of [sync, asyn]) {
    await play(page, await transportScope(page, panel, root), 8);
  }
  for (const panel of [sync, asyn]) await waitForMetric(page, panel, 'done', '>=', 2, LONG);
  const r = {};
  for (const [name, panel] of [['sync', sync], ['async', asyn]]) {
    await page.locator(responseSel(panel)).first().waitFor({ state: 'attached' });
    r[name] = Number(await page.locator(responseSel(panel)).first().getAttribute('data-value'));
    assert.ok(Number.isFinite(r[name]) && r[name] > 0, `${name} response: ${r[name]}`);
  }
  // Default callee work is 1.5 s: the sync caller waits for all of it.
  assert.ok(r.sync > 2 * r.async, `sync response ${r.sync} vs async ${r.async}`);
});

app.pageTest('intro: the caller\'s wait over the last 10 s follows the callee back from 4,000 to 1,500 ms', async ({ page, open }) => {
  await open('/demo/intro', { lang: 'en' });
  const root = await waitForDemo(page, 'intro');
  const sync = tid('panel-sync');
  const transport = await transportScope(page, sync, root);
  await setValue(page, root, 'callee_ms', 4000);
  await play(page, transport, 16);
  await waitForSimTime(page, transport, '>=', 60 * S, LONG);
  await pause(page, transport);
  await setValue(page, root, 'callee_ms', 1500);
  // The callee first works off the calls that queued while it was slow.
  await play(page, transport, 16);
  await waitForSimTime(page, transport, '>=', 100 * S, LONG);
  await pause(page, transport);
  const wait = await metric(page, sync, 'response');
  // Two 300 ms hops and 1,500 ms of work; the run's mean is still above 7 s.
  assert.ok(wait >= 2.0 * S && wait <= 2.3 * S, `recent wait ${wait} µs`);
});

app.pageTest('intro: with the callee down, async messages wait in the queue and are handled when it is back', async ({ page, open }) => {
  await open('/demo/intro', { lang: 'en' });
  const root = await waitForDemo(page, 'intro');
  const asyn = tid('panel-async');
  const transport = await transportScope(page, asyn, root);
  await setFlag(page, root, 'callee_down', true);
  await reset(page, transport);
  await play(page, transport, 8);
  await waitForMetric(page, asyn, 'queued', '>=', 2, LONG);
  assert.equal(await metric(page, asyn, 'done'), 0);
  await setFlag(page, root, 'callee_down', false);
  await waitForMetric(page, asyn, 'done', '>=', 2, LONG);
});

// ---------------------------------------------------------- keyboard ----

for (const id of BUILT_DEMOS) {
  app.pageTest(`keyboard: ${id}: Space toggles play on the focused demo, ArrowRight steps`, async ({ page, open }) => {
    await open(`/demo/${id}`, { lang: 'en' });
    const root = await waitForDemo(page, id);
    const playBtn = `${root} ${tid('play')}`;
    await page.locator(root).focus();
    assert.ok(
      await page.evaluate((sel) => document.activeElement === document.querySelector(sel), root),
      `${id}: the demo root takes the focus`,
    );

    const pressed = () => page.locator(playBtn).first().getAttribute('aria-pressed');
    const before = await pressed();
    await page.keyboard.press('Space');
    await waitFor(page, ([sel, b]) => document.querySelector(sel)?.getAttribute('aria-pressed') !== b, [playBtn, before], {
      what: 'Space to toggle play',
    });
    assert.equal(await pressed(), before === 'true' ? 'false' : 'true');
    await page.keyboard.press('Space');
    await waitFor(page, ([sel, b]) => document.querySelector(sel)?.getAttribute('aria-pressed') === b, [playBtn, before], {
      what: 'Space to toggle play back',
    });
    if ((await pressed()) === 'true') await pause(page, root);

    const t0 = await simTime(page, root);
    await page.keyboard.press('ArrowRight');
    await waitForSimTime(page, root, '>', t0);
  });
}

app.pageTest('step button advances a paused simulation', async ({ page, open }) => {
  await open('/demo/components', { lang: 'en' });
  const root = await waitForDemo(page, 'components');
  await pause(page, root);
  const t0 = await simTime(page, root);
  await page.locator(`${root} ${tid('step')}`).first().click();
  await waitForSimTime(page, root, '>', t0);
});
