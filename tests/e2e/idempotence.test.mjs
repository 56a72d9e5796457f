// The idempotence demo, as a learner uses it: each source of duplicates
// with each guard, and the effect read off the page (points expected
// against points in the account, "added twice", "never added"). The cases
// mirror engine/tests/idempotence.rs. No fixed sleeps: every wait is a
// condition on the page, and numbers are read while paused.
import assert from 'node:assert/strict';
import {
  metric, pause, readFacts, setParams, playUntil, simTime, tid, useApp, waitForDemo,
} from './helpers.mjs';

const app = useApp();
const S = 1_000_000;
const ROOT = tid('demo-idempotence');

const fact = (page, key) => metric(page, ROOT, key);

const FACTS = ['points_expected', 'points_actual', 'double_applied', 'lost_effects', 'unique_messages', 'skipped_duplicates'];
const facts = (page) => readFacts(page, ROOT, FACTS);

const setUp = (page, set) => setParams(page, ROOT, set);

/**
 * Crashes the consumer in the first half of an order's work, before its
 * points are added. With 2,000 ms of work the consumer is always busy (two
 * orders a second come in) and adds the points halfway, 1 s in. Step event
 * by event until some order's points are added (time E): the next order's
 * work starts about 1 s later and adds its points about 2 s later. Play at
 * 1x to E + 1.4 s (at 1x a frame moves the clock only by its own length)
 * and crash there, inside that first half, whatever the frame rate.
 */
async function crashBeforeTheEffect(page) {
  await pause(page, ROOT);
  const n0 = await fact(page, 'effects_applied');
  for (let i = 0; i < 500 && (await fact(page, 'effects_applied')) === n0; i++) {
    await page.locator(`${ROOT} ${tid('step')}`).click();
  }
  assert.ok((await fact(page, 'effects_applied')) > n0, 'stepping reached an effect');
  const e = await simTime(page, ROOT);
  const t = await playUntil(page, ROOT, e + 1.4 * S, 1);
  assert.ok(t < e + 1.9 * S, `paused before the next order's points (${t - e} µs after the last)`);
  await page.locator(`${ROOT} ${tid('action-crash-consumer')}`).click();
}

const CASES = [
  { what: 'no guard, 20 % network duplicates: points added twice', set: { strategy: 'none' }, until: 30, expect: (f) => f.double_applied > 0 && f.points_actual > f.points_expected },
  { what: 'DB unique key: nothing twice, nothing missed', set: { strategy: 'unique_key' }, until: 30, expect: (f) => f.double_applied === 0 && f.lost_effects === 0 && f.points_actual === f.points_expected && f.skipped_duplicates > 0 },
  { what: 'dedupe key that expires before the duplicate: applied again', set: { strategy: 'dedupe', ttl_s: 2, redelivery_delay_s: 5 }, until: 40, expect: (f) => f.double_applied > 0 },
  { what: 'dedupe key that outlives the duplicate: never twice', set: { strategy: 'dedupe', ttl_s: 20, redelivery_delay_s: 5 }, until: 40, expect: (f) => f.double_applied === 0 && f.skipped_duplicates > 0 },
];

for (const lang of ['en', 'zh-CN']) {
  for (const c of CASES) {
    app.pageTest(`idempotence (${lang}): ${c.what}`, async ({ page, open }) => {
      await open('/demo/idempotence', { lang });
      await waitForDemo(page, 'idempotence');
      await setUp(page, c.set);
      await playUntil(page, ROOT, c.until * S);
      const f = await facts(page);
      assert.ok(f.unique_messages > 10, `orders were sent: ${JSON.stringify(f)}`);
      assert.ok(c.expect(f), `${c.what}: ${JSON.stringify(f)}`);
    });
  }

  // A crash before the effect with the key written first: the redelivery
  // is skipped as a duplicate and the points are never added. Written after
  // the work, the same crash loses nothing. The crash is placed, not
  // hoped for: see crashBeforeTheEffect.
  for (const mark of ['before', 'after']) {
    app.pageTest(`idempotence (${lang}): dedupe key written ${mark} the work, consumer crashes`, async ({ page, open }) => {
      await open('/demo/idempotence', { lang });
      await waitForDemo(page, 'idempotence');
      await setUp(page, { strategy: 'dedupe', mark, duplicate_rate: 0, work_ms: 2000 });
      await playUntil(page, ROOT, 3 * S);
      await crashBeforeTheEffect(page);
      await playUntil(page, ROOT, (await simTime(page, ROOT)) + 10 * S);
      const f = await facts(page);
      if (mark === 'before') {
        assert.ok(f.lost_effects > 0, `key before the work: a crash loses points silently: ${JSON.stringify(f)}`);
        assert.ok(f.points_actual < f.points_expected, JSON.stringify(f));
        const lost = await page.locator(`${ROOT} ${tid('lost-by-cause')} [data-cause="dedupe_key_before_crash"]`).count();
        assert.equal(lost, 1, 'the loss is explained');
      } else {
        assert.equal(f.lost_effects, 0, `key after the work: nothing missed: ${JSON.stringify(f)}`);
      }
    });
  }
}
