// The transaction demo, as a learner uses it: press a crash button, play,
// and read where the crash left the order and its stock, on the fact cards
// and on the per-order timeline. The cases mirror engine/tests/transaction.rs.
// No fixed sleeps: every wait is a condition on the page, and numbers are
// read while paused.
import assert from 'node:assert/strict';
import { pause, play, readFacts, setChoice, tid, useApp, waitForDemo, waitForMetric } from './helpers.mjs';

const app = useApp();
const ROOT = tid('demo-transaction');
const FACTS = ['orders', 'messages_delivered', 'order_without_message', 'message_without_order', 'check_backs', 'rolled_back', 'half_messages'];
const facts = (page) => readFacts(page, ROOT, FACTS);
const press = (page, name) => page.locator(`${ROOT} ${tid(`action-${name}`)}`).click();

/** The outcomes the timeline shows, newest order first. */
const outcomes = (page) =>
  page.locator(`${ROOT} ${tid('txn-timeline')} li[data-outcome]`).evaluateAll((lis) => lis.map((li) => li.dataset.outcome));

for (const lang of ['en', 'zh-CN']) {
  app.pageTest(`transaction (${lang}): write then send, a crash after the write leaves an order without its message`, async ({ page, open }) => {
    await open('/demo/transaction', { lang });
    await waitForDemo(page, 'transaction');
    await press(page, 'crash-after-db');
    await play(page, ROOT, 4);
    await waitForMetric(page, ROOT, 'order_without_message', '==', 1, { timeout: 30_000 });
    // Let the orders after it settle too, then read the moment.
    await waitForMetric(page, ROOT, 'messages_delivered', '>=', 3, { timeout: 30_000 });
    await pause(page, ROOT);
    const f = await facts(page);
    assert.equal(f.message_without_order, 0, JSON.stringify(f));
    assert.ok(f.orders > f.messages_delivered, `an order's stock was never deducted: ${JSON.stringify(f)}`);
    const shown = await outcomes(page);
    assert.ok(shown.includes('order_without_message'), `the timeline shows it: ${shown}`);
  });

  app.pageTest(`transaction (${lang}): a half message survives both crashes: the check-back commits one and rolls back the other`, async ({ page, open }) => {
    await open('/demo/transaction', { lang });
    await waitForDemo(page, 'transaction');
    await setChoice(page, ROOT, 'method', 'half_message');
    await press(page, 'crash-after-db');
    await press(page, 'crash-after-send');
    await play(page, ROOT, 4);
    await waitForMetric(page, ROOT, 'check_backs', '>=', 2, { timeout: 30_000 });
    await waitForMetric(page, ROOT, 'rolled_back', '==', 1, { timeout: 30_000 });
    await pause(page, ROOT);
    const f = await facts(page);
    assert.equal(f.order_without_message, 0, JSON.stringify(f));
    assert.equal(f.message_without_order, 0, JSON.stringify(f));
    const shown = await outcomes(page);
    assert.ok(!shown.some((o) => o.includes('without')), `no order and stock disagree: ${shown}`);
  });
}
