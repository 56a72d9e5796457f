// The ordering demo, as a learner uses it: each strategy, and the
// network fault pressed against the re-ordering buffer without and with
// waiting for gaps, the effect read off the page ("Order violations",
// "Held for re-ordering", "Re-order timeouts"). The cases mirror
// engine/tests/ordering.rs. No fixed sleeps: every wait is a condition on
// the page, and numbers are read while paused.
import assert from 'node:assert/strict';
import {
  metric, pause, readFacts, setParams, playUntil, simTime, tid, useApp, waitForDemo,
} from './helpers.mjs';

const app = useApp();
const S = 1_000_000;
const ROOT = tid('demo-ordering');

const fact = (page, key) => metric(page, ROOT, key);

const FACTS = ['order_violations', 'throughput_per_s', 'queued', 'reorder_parked', 'reorder_timeouts', 'done'];
const facts = (page) => readFacts(page, ROOT, FACTS);

const setUp = (page, set) => setParams(page, ROOT, set);

async function openDemo(page, open, lang) {
  await open('/demo/ordering', { lang });
  await waitForDemo(page, 'ordering');
}

const CASES = [
  { what: 'one queue, four consumers: order breaks', set: { strategy: 'one_queue', consumers: 4 }, expect: (f) => f.order_violations > 0 },
  { what: 'partitions keyed by the user: in order', set: { strategy: 'partition_by_key', key: 'user' }, expect: (f) => f.order_violations === 0 },
  { what: 'partitions keyed at random: order breaks', set: { strategy: 'partition_by_key', key: 'random' }, expect: (f) => f.order_violations > 0 },
  { what: 'a single consumer: in order, the queue grows', set: { strategy: 'single_consumer' }, expect: (f) => f.order_violations === 0 && f.queued > 50 },
];

for (const lang of ['en', 'zh-CN']) {
  for (const c of CASES) {
    app.pageTest(`ordering (${lang}): ${c.what}`, async ({ page, open }) => {
      await openDemo(page, open, lang);
      await setUp(page, c.set);
      await playUntil(page, ROOT, 20 * S);
      const f = await facts(page);
      assert.ok(f.done > 100, `steps were applied: ${JSON.stringify(f)}`);
      assert.ok(c.expect(f), `${c.what}: ${JSON.stringify(f)}`);
    });
  }

  app.pageTest(`ordering (${lang}): global order costs throughput`, async ({ page, open }) => {
    await openDemo(page, open, lang);
    await setUp(page, { strategy: 'partition_by_key', partitions: 4 });
    await playUntil(page, ROOT, 20 * S);
    const parts = await facts(page);
    await setUp(page, { strategy: 'single_consumer' });
    await playUntil(page, ROOT, 20 * S);
    const single = await facts(page);
    assert.ok(single.throughput_per_s < 0.8 * parts.throughput_per_s, `single ${JSON.stringify(single)} vs partitions ${JSON.stringify(parts)}`);
  });

  // One consumer and one user, so the steps arrive in order and only the
  // step the network holds up is out of place. Without waiting, the buffer
  // applies the steps that overtook it; waiting, it holds them (parked)
  // until the missing one comes, within the 5 s timeout.
  for (const strategy of ['reorder_naive', 'reorder_wait']) {
    app.pageTest(`ordering (${lang}): a step held up on the network, ${strategy}`, async ({ page, open }) => {
      await openDemo(page, open, lang);
      await setUp(page, { strategy, consumers: 1, users: 1, rate_per_s: 15 });
      await playUntil(page, ROOT, 5 * S);
      const before = await facts(page);
      assert.equal(before.order_violations, 0, `in order before the fault: ${JSON.stringify(before)}`);
      await page.locator(`${ROOT} ${tid('action-delay-next-publish')}`).click();
      await playUntil(page, ROOT, (await simTime(page, ROOT)) + 10 * S);
      await pause(page, ROOT);
      const after = await facts(page);
      assert.ok(after.done > before.done, JSON.stringify(after));
      if (strategy === 'reorder_naive') {
        assert.ok(after.order_violations > 0, `sorting what is buffered does not fill a gap: ${JSON.stringify(after)}`);
      } else {
        assert.equal(after.order_violations, 0, `waiting for the gap keeps order: ${JSON.stringify(after)}`);
        assert.ok(after.reorder_parked > before.reorder_parked, `later steps waited: ${JSON.stringify(after)}`);
        assert.equal(after.reorder_timeouts, 0, JSON.stringify(after));
      }
    });
  }
}
