// The reliability demo, as a learner uses it: every fault button pressed
// with its fix off and with it on, and the effect read off the page (the
// fact cards and the "where messages were lost" list). The cases mirror
// engine/tests/reliability.rs, so the page and the engine agree on what
// each fix does. No fixed sleeps: every wait is a condition on the page,
// and the numbers are read while paused.
import assert from 'node:assert/strict';
import {
  metric, playUntil, setChoice, setFlag, setValue, tid, useApp, waitFor, waitForDemo,
} from './helpers.mjs';

const app = useApp();
const S = 1_000_000;
const ROOT = tid('demo-reliability');

const fact = (page, key) => metric(page, ROOT, key);

/** Losses by cause as listed on the page: { cause: count }. */
function lostByCause(page) {
  return page.evaluate((sel) => {
    const out = {};
    for (const li of document.querySelectorAll(`${sel} [data-cause]`)) {
      out[li.getAttribute('data-cause')] = Number(li.getAttribute('data-value'));
    }
    return out;
  }, `${ROOT} ${tid('lost-by-cause')}`);
}

// settings: toggles (true/false), choices (words) and the replicas slider.
const CASES = [
  { leg: 1, set: { confirm: false }, fault: 'drop-next-publish', expect: { loses: 'no_confirm_network_drop' } },
  { leg: 1, set: { confirm: true }, fault: 'drop-next-publish', expect: 'none' },
  { leg: 1, set: { confirm: true }, fault: 'drop-next-confirm', expect: 'duplicate' },
  { leg: 2, set: { persistent: false }, fault: 'crash-broker', expect: { loses: 'not_persistent_broker_crash' } },
  { leg: 2, set: { persistent: true, flush: 'sync' }, fault: 'crash-broker', expect: 'none' },
  { leg: 2, set: { replicas: 3, acks: '1' }, fault: 'crash-broker', expect: { loses: 'leader_crash_before_copy', failover: true } },
  { leg: 2, set: { replicas: 3, acks: 'all' }, fault: 'crash-broker', expect: 'none', failover: true },
  { leg: 3, set: { ack_mode: 'auto' }, fault: 'crash-consumer', expect: { loses: 'auto_ack_consumer_crash' } },
  { leg: 3, set: { ack_mode: 'manual' }, fault: 'crash-consumer', expect: 'redelivered' },
];

for (const lang of ['en', 'zh-CN']) {
  for (const c of CASES) {
    const what = Object.entries(c.set).map(([k, v]) => `${k}=${v}`).join(' ');
    app.pageTest(`reliability (${lang}): ${c.fault} with ${what}`, async ({ page, open }) => {
      await open('/demo/reliability', { lang });
      await waitForDemo(page, 'reliability');
      for (const [key, v] of Object.entries(c.set)) {
        if (typeof v === 'boolean') await setFlag(page, ROOT, key, v);
        else if (key === 'replicas') assert.equal(await setValue(page, ROOT, key, v), v);
        else await setChoice(page, ROOT, key, v);
      }
      // Let a few messages get going, then strike, paused, at a moment off
      // any message boundary.
      const at = await playUntil(page, ROOT, 3.1 * S);
      const before = { lost: await fact(page, 'lost'), done: await fact(page, 'done') };
      assert.equal(before.lost, 0, 'nothing is lost before the fault');
      await page.locator(`${ROOT} ${tid(`action-${c.fault}`)}`).click();
      // Long enough for a restart, a failover, a confirm timeout and a
      // redelivery to have played out.
      await playUntil(page, ROOT, at + 10 * S);
      const lost = await fact(page, 'lost');
      const causes = await lostByCause(page);
      const done = await fact(page, 'done');
      assert.ok(done > before.done, `the run went on after the fault (${before.done} → ${done})`);
      if (c.expect === 'none' || c.expect === 'duplicate' || c.expect === 'redelivered') {
        assert.equal(lost, 0, `with the fix on nothing is lost (causes: ${JSON.stringify(causes)})`);
        assert.deepEqual(causes, {});
        // The list says so in words.
        assert.ok(await page.locator(`${ROOT} ${tid('lost-by-cause')} .none`).isVisible());
      }
      if (c.expect === 'duplicate') assert.ok((await fact(page, 'duplicates')) >= 1, 'the re-send after a lost confirm is a duplicate');
      if (c.expect === 'redelivered') assert.ok((await fact(page, 'redelivered')) >= 1, 'the crashed work is delivered again');
      if (c.expect.loses) {
        assert.ok(lost >= 1, 'with the fix off the fault loses a message');
        assert.deepEqual(Object.keys(causes), [c.expect.loses], `every loss has this leg's cause: ${JSON.stringify(causes)}`);
        assert.equal(causes[c.expect.loses], lost, 'the list accounts for every loss');
      }
      if (c.expect.failover || c.failover) {
        assert.ok((await fact(page, 'failovers')) >= 1, 'a follower took over');
        const leader = await page.locator(`${ROOT} ${tid('replicas')}`).getAttribute('data-leader');
        assert.notEqual(leader, '0', 'the stage shows the new leader');
      }
    });
  }
}

app.pageTest('reliability: a choice is a radio group the arrow keys move through', async ({ page, open }) => {
  await open('/demo/reliability', { lang: 'en' });
  await waitForDemo(page, 'reliability');
  await page.locator(`${ROOT} ${tid('param-ack_mode-auto')}`).focus();
  await page.keyboard.press('ArrowRight');
  await waitFor(
    page,
    (sel) => document.querySelector(sel)?.getAttribute('data-word') === 'manual',
    `${ROOT} ${tid('param-ack_mode')}`,
    { what: 'ack_mode = manual after ArrowRight' },
  );
  assert.ok(await page.locator(`${ROOT} ${tid('param-ack_mode-manual')}`).isChecked());
});
