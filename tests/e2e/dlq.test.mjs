// The dlq demo, as a learner uses it: the same run with the dead-letter
// queue on and off, the effect read off the page (dead letters and their
// delivery counts, healthy orders done and their time), then the fix and a
// redrive. The cases mirror engine/tests/dlq.rs. No fixed sleeps: every
// wait is a condition on the page, and numbers are read while paused.
import assert from 'node:assert/strict';
import {
  metric, pause, readFacts, play, playUntil, setChoice, setFlag, setSlider, tid, useApp, waitFor,
  waitForDemo, waitForMetric,
} from './helpers.mjs';

const app = useApp();
const S = 1_000_000;
const ROOT = tid('demo-dlq');

const fact = (page, key) => metric(page, ROOT, key);

const FACTS = [
  'healthy_done', 'healthy_latency_ms', 'dead_lettered', 'dlq_len', 'retries', 'poison_deliveries',
  'dead_letter_deliveries_min', 'dead_letter_deliveries_max', 'redriven', 'redriven_done',
];
const facts = (page) => readFacts(page, ROOT, FACTS);

/** Switches the dead-letter queue on or off and waits for the restart to take it. */
async function setDlq(page, on) {
  await setFlag(page, ROOT, 'dlq', on);
  await waitFor(
    page,
    ([sel, want]) => document.querySelector(sel)?.getAttribute('data-value') === want,
    [`${ROOT} ${tid('param-dlq')}`, on ? '1' : '0'],
    { what: `dlq ${on ? 'on' : 'off'}` },
  );
}

/** Turns passing failures off, so only the poison fails (nothing else can be dead-lettered). */
async function poisonOnly(page) {
  assert.equal(await setSlider(page, ROOT, 'transient_rate', 0), 0, 'transient_rate at 0');
}

const button = (page, name) => page.locator(`${ROOT} ${tid(`action-${name}`)}`);
/** Whether an action is greyed out (aria-disabled: it stays focusable). */
const greyed = async (page, name) => (await button(page, name).getAttribute('aria-disabled')) === 'true';

/** The delivery counts the dead-letter list shows. */
const listedDeliveries = (page) =>
  page.locator(`${ROOT} ${tid('dlq-list')} li`).evaluateAll((lis) => lis.map((li) => Number(li.dataset.deliveries)));

for (const lang of ['en', 'zh-CN']) {
  app.pageTest(`dlq (${lang}): with a DLQ every poison order is dead-lettered after exactly 4 deliveries; without one, none is and healthy orders pay`, async ({ page, open }) => {
    await open('/demo/dlq', { lang });
    await waitForDemo(page, 'dlq');
    // Defaults: DLQ on, max_retries 3, fixed backoff.
    assert.equal(await metric(page, ROOT, 'dead_lettered'), 0);
    await playUntil(page, ROOT, 60 * S);
    const on = await facts(page);
    assert.ok(on.dead_lettered >= 10, `poison was dead-lettered: ${JSON.stringify(on)}`);
    assert.equal(on.dead_letter_deliveries_min, 4, JSON.stringify(on));
    assert.equal(on.dead_letter_deliveries_max, 4, JSON.stringify(on));
    assert.equal(on.dlq_len, on.dead_lettered);
    const listed = await listedDeliveries(page);
    assert.ok(listed.length > 0 && listed.every((n) => n === 4), `the list shows 4 deliveries each: ${listed}`);
    assert.equal(await greyed(page, 'redrive'), false, 'redrive is there to press');

    // The same run without a DLQ: a restart, then the same time.
    await setDlq(page, false);
    await waitForMetric(page, ROOT, 'dead_lettered', '==', 0);
    await playUntil(page, ROOT, 60 * S);
    const off = await facts(page);
    assert.equal(off.dead_lettered, 0, JSON.stringify(off));
    assert.equal(off.dlq_len, 0);
    assert.ok(off.healthy_done < on.healthy_done, `fewer healthy orders done: ${off.healthy_done} vs ${on.healthy_done}`);
    assert.ok(off.healthy_latency_ms > 2 * on.healthy_latency_ms, `healthy orders wait longer: ${off.healthy_latency_ms} vs ${on.healthy_latency_ms} ms`);
    assert.ok(off.poison_deliveries > on.poison_deliveries, 'the poison keeps coming back');
    assert.equal(await greyed(page, 'redrive'), true, 'nothing to redrive without a DLQ');
  });

  app.pageTest(`dlq (${lang}): retried at once without a DLQ, the poison holds the workers`, async ({ page, open }) => {
    await open('/demo/dlq', { lang });
    await waitForDemo(page, 'dlq');
    await playUntil(page, ROOT, 40 * S);
    const on = await facts(page);
    await setChoice(page, ROOT, 'backoff', 'none');
    await setDlq(page, false);
    await playUntil(page, ROOT, 40 * S);
    const stuck = await facts(page);
    assert.equal(stuck.dead_lettered, 0);
    assert.ok(stuck.healthy_done * 3 < on.healthy_done, `the queue is blocked: ${stuck.healthy_done} vs ${on.healthy_done}`);
  });

  app.pageTest(`dlq (${lang}): deploy the fix, redrive, and the DLQ empties as the redriven orders complete`, async ({ page, open }) => {
    await open('/demo/dlq', { lang });
    await waitForDemo(page, 'dlq');
    await poisonOnly(page);
    assert.equal(await greyed(page, 'redrive'), true, 'the DLQ is empty: redrive is greyed out');
    await playUntil(page, ROOT, 20 * S);
    const parked = await fact(page, 'dlq_len');
    assert.ok(parked > 0, 'poison is parked in the DLQ');

    // Redrive before the fix: the poison comes straight back.
    await button(page, 'redrive').click();
    await waitForMetric(page, ROOT, 'redriven', '==', parked);
    await play(page, ROOT, 8);
    await waitForMetric(page, ROOT, 'dead_lettered', '>=', 2 * parked, { timeout: 60_000 });
    await pause(page, ROOT);
    let f = await facts(page);
    assert.equal(f.redriven_done, 0, `unfixed, nothing redriven got through: ${JSON.stringify(f)}`);
    assert.equal(f.dead_letter_deliveries_max, 4, 'four more deliveries each');

    // Now the fix, then the redrive.
    await button(page, 'deploy-fix').click();
    await waitFor(page, (sel) => document.querySelector(sel)?.getAttribute('aria-disabled') === 'true', `${ROOT} ${tid('action-deploy-fix')}`, { what: 'the fix to be deployed' });
    const waiting = await fact(page, 'dlq_len');
    const redrivenBefore = await fact(page, 'redriven');
    assert.ok(waiting > 0);
    await button(page, 'redrive').click();
    await waitForMetric(page, ROOT, 'redriven', '==', redrivenBefore + waiting);
    await waitForMetric(page, ROOT, 'dlq_len', '==', 0);
    await play(page, ROOT, 8);
    await waitForMetric(page, ROOT, 'redriven_done', '>=', waiting, { timeout: 60_000 });
    await pause(page, ROOT);
    f = await facts(page);
    assert.equal(f.dlq_len, 0, JSON.stringify(f));
    // Every order in the DLQ at the redrive completed (and any earlier
    // redriven poison still on its way back went through with the fix too).
    assert.ok(f.redriven_done >= waiting && f.redriven_done <= f.redriven, `the redriven orders completed: ${JSON.stringify(f)}`);
    assert.equal(await greyed(page, 'redrive'), true, 'an empty DLQ: redrive greyed out again');
  });
}
