// What the stage and the chart draw must be what the engine says (issue
// 11): a caller on the line, the queue's ack, messages held by a retrying
// consumer, dots a learner can see, and a chart that shows what happened.
// Every wait is a condition on the page; each moment read is paused first.
import assert from 'node:assert/strict';
import { pause, play, setFlag, simTime, tid, transportScope, useApp, waitFor, waitForDemo, waitForSimTime } from './helpers.mjs';

const app = useApp();
const S = 1_000_000; // µs per second of simulated time

/**
 * Steps the paused run in `scope` one event at a time, reading `read` (run
 * in the page) at each paused moment, until `done(readings)` holds or
 * `max` steps have been taken; returns the readings.
 */
async function stepUntil(page, scope, read, arg, done, max = 60) {
  const readings = [];
  for (let i = 0; i < max && !done(readings); i++) {
    const t0 = await simTime(page, scope);
    await page.locator(`${scope} ${tid('step')}`).first().click();
    await waitForSimTime(page, scope, '>', t0);
    readings.push(await page.evaluate(read, arg));
  }
  return readings;
}

app.pageTest('intro: the sync caller holds the line while it waits; the queue\'s ack travels back to the async caller', async ({ page, open }) => {
  await open('/demo/intro', { lang: 'en' });
  const root = await waitForDemo(page, 'intro');
  const transport = await transportScope(page, tid('panel-sync'), root);
  await pause(page, transport);
  const read = ([sync, asyn]) => ({
    holding: Boolean(document.querySelector(`${sync} line.stage-link.holding`)),
    status: [...document.querySelectorAll(`${sync} .stage-nodes text.node-status`)].map((t) => t.textContent).join(' | '),
    ack: (document.querySelector(`${asyn} path.dots.reply`)?.getAttribute('d') ?? '') !== '',
    asyncHolding: Boolean(document.querySelector(`${asyn} line.stage-link.holding`)),
  });
  const seen = await stepUntil(page, transport, read, [tid('panel-sync'), tid('panel-async')], (r) =>
    r.some((x) => x.holding) && r.some((x) => x.ack),
  );
  const held = seen.filter((x) => x.holding);
  assert.ok(held.length > 0, `the sync caller's line is never drawn held: ${JSON.stringify(seen.at(-1))}`);
  for (const x of held) assert.match(x.status, /waiting/, 'a held line goes with a waiting caller');
  assert.ok(seen.some((x) => x.ack), 'the queue\'s ack is never drawn on the async side');
  assert.ok(seen.every((x) => !x.asyncHolding), 'an async sender does not hold the line');
});

app.pageTest('coupling: with notification down, the queue shows what the notifier holds from the first second', async ({ page, open }) => {
  await open('/demo/coupling', { lang: 'en' });
  const root = await waitForDemo(page, 'coupling');
  const panel = tid('panel-queue');
  const transport = await transportScope(page, panel, root);
  await setFlag(page, root, 'notify_down', true);
  await play(page, transport, 1);
  await waitForSimTime(page, transport, '>=', 1.5 * S, { timeout: 30_000 });
  await pause(page, transport);
  const q = await page.evaluate((p) => {
    const node = [...document.querySelectorAll(`${p} .stage-nodes g.node.queue`)].find(
      (g) => g.querySelector('.node-name')?.textContent === 'Notification queue',
    );
    return {
      status: node?.querySelector('.node-status')?.textContent ?? '',
      fill: Number(node?.querySelector('.queue-fill')?.getAttribute('width')),
    };
  }, panel);
  assert.match(q.status, /unacked [1-9]/, `the notifier's held messages are counted: "${q.status}"`);
  // The bar is 124 units at full; 1 of 100,000 would be 0.001 units.
  assert.ok(q.fill > 6, `the queue's bar shows them: width ${q.fill}`);
});

app.pageTest('async-register: 1 ms hops are still drawn, for a visible while', async ({ page, open }) => {
  await open('/demo/async-register', { lang: 'en' });
  const root = await waitForDemo(page, 'async-register');
  await page.evaluate(() => {
    window.__dotFrames = 0;
    const tick = () => {
      const drawn = [...document.querySelectorAll('path.dots')].some((d) => (d.getAttribute('d') ?? '') !== '');
      if (drawn) window.__dotFrames += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await play(page, root, 1);
  // Before, a 1 ms hop was on screen for under a frame: 0 of 300 frames.
  await waitFor(page, () => window.__dotFrames >= 30, undefined, { timeout: 30_000, what: '30 frames with a dot' });
  await pause(page, root);
});

app.pageTest('peak-shaving: once the burst is over, the side without a queue zooms to it', async ({ page, open }) => {
  await open('/demo/peak-shaving', { lang: 'en' });
  const root = await waitForDemo(page, 'peak-shaving');
  await play(page, root, 64);
  await waitForSimTime(page, root, '>', 60 * S, { timeout: 60_000 });
  await pause(page, root);
  const now = await simTime(page, root);
  // The chart's last time label, in µs ("mm:ss" or "mm:ss.mmm").
  const end = (panel) => page.evaluate((p) => {
    const labels = [...document.querySelectorAll(`${p} [data-testid="chart"] text.axis`)]
      .map((t) => t.textContent.match(/^(\d+):(\d+(?:\.\d+)?)$/))
      .filter(Boolean)
      .map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1e6);
    return Math.max(...labels);
  }, panel);
  const direct = await end(tid('panel-direct'));
  const queued = await end(tid('panel-queue'));
  // The queue still drains at 60 s; the direct side's burst was over in seconds.
  assert.ok(queued > now * 0.9, `the queue side spans the run: ${queued} of ${now} µs`);
  assert.ok(direct < now / 3, `the direct side zooms to its burst: it spans ${direct} of ${now} µs`);
});

app.pageTest('pubsub: a consumer holding more than its workers (a prefetch) is drawn full, not past its box', async ({ page, open }) => {
  await open('/demo/pubsub', { lang: 'en' });
  const root = await waitForDemo(page, 'pubsub');
  await play(page, root, 4);
  // The slow warehouse takes up to its prefetch before it finishes one.
  await waitFor(page, (r) => [...document.querySelectorAll(`${r} .consumer-fill`)].some((f) => Number(f.getAttribute('width')) >= 32), root, { timeout: 30_000, what: 'a consumer drawn full' });
  await pause(page, root);
  const widths = await page.evaluate((r) => [...document.querySelectorAll(`${r} .consumer`)].map((g) => ({
    box: Number(g.querySelector('.consumer-box').getAttribute('width')),
    fill: Number(g.querySelector('.consumer-fill').getAttribute('width')),
  })), root);
  assert.ok(widths.length > 0);
  for (const w of widths) assert.ok(w.fill <= w.box, `a fill of ${w.fill} in a box of ${w.box}`);
});
