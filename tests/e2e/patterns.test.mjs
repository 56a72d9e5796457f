// Behaviour of the pattern demos: p2p-vs-pubsub, pubsub, coupling,
// async-register and comparison, driven through the app's DOM conventions
// (data-testid, data-value, data-time-us, aria-pressed). Every control on
// each page (slider, toggle, action button) is used at least once and each
// use is checked for a visible effect. No fixed sleeps: every wait is a
// condition on the page.
import assert from 'node:assert/strict';
import {
  BUILT_DEMOS, metric, paramValue, pause, play, setFlag, setValue, simTime, tid, useApp, waitFor,
  waitForDemo, waitForMetric, waitForSimTime,
} from './helpers.mjs';

const app = useApp();
const S = 1_000_000; // µs per second of simulated time
const LONG = { timeout: 30_000 };

// ------------------------------------------------------------ helpers ----

/** Resets the transport in `scope` and waits until its clock is back at 0. */
async function reset(page, scope) {
  await page.locator(`${scope} ${tid('reset')}`).first().click();
  await waitForSimTime(page, scope, '==', 0);
}

/** Pauses, presses Step and waits for the clock to move. */
async function step(page, scope) {
  await pause(page, scope);
  const t0 = await simTime(page, scope);
  await page.locator(`${scope} ${tid('step')}`).first().click();
  return waitForSimTime(page, scope, '>', t0);
}

/**
 * Reads several numbers in one go (one task of the page, so they belong to
 * the same frame): `spec` maps a name to [selector, attribute].
 */
function readAll(page, spec) {
  return page.evaluate((s) => {
    const out = {};
    for (const [k, [sel, attr]] of Object.entries(s)) {
      const v = document.querySelector(sel)?.getAttribute(attr);
      out[k] = v === null || v === undefined ? NaN : Number(v);
    }
    return out;
  }, spec);
}

/**
 * Parses a condition such as 'whQ >= 15 && recD >= sent - 3' into
 * [key, op, otherKey | null, constant] terms. (A plain data form, because
 * the page's CSP forbids eval, so the check cannot be sent as code.)
 */
function parseConditions(pred) {
  if (pred.trim() === 'true') return [];
  return pred.split('&&').map((term) => {
    const t = term.trim().match(/^([\w-]+)\s*(>=|<=|==|>|<)\s*(?:([A-Za-z][\w-]*)\s*(?:([+-])\s*([\d.e+]+))?|(-?[\d.e+]+))$/);
    if (!t) throw new Error(`cannot parse condition "${term}"`);
    const [, key, op, other, sign, off, num] = t;
    if (other) return [key, op, other, sign ? (sign === '-' ? -Number(off) : Number(off)) : 0];
    return [key, op, null, Number(num)];
  });
}

/**
 * Waits until `pred` (see parseConditions) holds for the numbers named in
 * `spec` (see readAll), checked in the page on every animation frame.
 * Returns the values; the timeout error tells the last values seen.
 */
async function waitForValues(page, spec, pred, { timeout = LONG.timeout, what = pred } = {}) {
  const conds = parseConditions(pred);
  for (const [k, , o] of conds) {
    for (const name of [k, o]) if (name && !(name in spec)) throw new Error(`"${name}" is not in the spec`);
  }
  try {
    return await waitFor(
      page,
      ([s, cs]) => {
        const v = {};
        for (const [k, [sel, attr]] of Object.entries(s)) {
          const raw = document.querySelector(sel)?.getAttribute(attr);
          v[k] = raw === null || raw === undefined || raw === '' ? NaN : Number(raw);
        }
        const ok = cs.every(([k, op, o, c]) => {
          const a = v[k];
          const b = (o ? v[o] : 0) + c;
          if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
          return op === '>=' ? a >= b : op === '<=' ? a <= b : op === '>' ? a > b : op === '<' ? a < b : a === b;
        });
        return ok ? v : false;
      },
      [spec, conds],
      { timeout },
    );
  } catch (e) {
    if (!/Timeout/i.test(String(e))) throw e;
    const last = await readAll(page, spec).catch(() => '(page gone)');
    throw new Error(`timed out after ${timeout} ms waiting for ${what}; last values: ${JSON.stringify(last)}`);
  }
}

const m = (panel, name) => [`${panel} ${tid(`metric-${name}`)}`, 'data-value'];
const clock = (root) => [`${root} ${tid('sim-time')}`, 'data-time-us'];

/** Waits until some element of `scope`'s event log contains `text`; returns that line. */
async function waitForLog(page, scope, text) {
  return waitFor(
    page,
    ([sel, want]) => {
      const li = [...document.querySelectorAll(`${sel} [data-testid="event-log"] li`)].find((l) =>
        l.textContent.includes(want),
      );
      return li ? li.textContent : false;
    },
    [scope, text],
    { what: `"${text}" in the event log of ${scope}` },
  );
}

/**
 * For a demo still being built by someone else, the reason to skip its
 * test (catalog.rs does not mark it ready yet); false once it is built.
 */
const notBuilt = (id) => (BUILT_DEMOS.includes(id) ? false : `${id} is not ready yet (catalog.rs lists it as coming)`);

// ----------------------------------------------------- p2p-vs-pubsub ----


/** Counts listed under "handled by each consumer" in a panel. */
const perConsumer = (page, panel) =>
  page.locator(`${panel} ${tid('per-consumer')} li`).evaluateAll((lis) =>
    lis.map((li) => Number(li.textContent.split(':')[1].replace(/[^\d]/g, ''))),
  );

app.pageTest('p2p-vs-pubsub: a queue hands each message to one consumer, a topic to every subscriber', async ({ page, open }) => {
  await open('/demo/p2p-vs-pubsub', { lang: 'en' });
  const root = await waitForDemo(page, 'p2p-vs-pubsub');
  const p2p = tid('panel-p2p');
  const pub = tid('panel-pubsub');
  const n = await paramValue(page, root, 'consumers');
  assert.equal(n, 3, 'default: 3 consumers / subscribers');
  assert.equal((await perConsumer(page, p2p)).length, n);
  assert.equal((await perConsumer(page, pub)).length, n);

  await play(page, root, 16);
  const v = await waitForValues(
    page,
    { sent: m(p2p, 'produced'), a: m(p2p, 'per-message'), sent2: m(pub, 'produced'), b: m(pub, 'per-message') },
    `sent >= 20 && sent2 >= 20 && a >= 0.8 && b >= ${0.8 * n}`,
  );
  // Per finished message: exactly ×1 and ×n, however much is still queued.
  assert.equal(v.a, 1, `p2p handled per message: ${v.a}`);
  assert.equal(v.b, n, `pubsub handled per message: ${v.b}`);

  // Paused, the per-consumer lists add up: p2p shares the messages out,
  // pubsub gives every subscriber all of them.
  await pause(page, root);
  const shares = await perConsumer(page, p2p);
  const copies = await perConsumer(page, pub);
  const done = await metric(page, p2p, 'done');
  const doneAll = await metric(page, pub, 'done');
  const sent = await metric(page, pub, 'produced');
  assert.equal(shares.reduce((a, b) => a + b, 0), done, `p2p shares ${shares} add up to done ${done}`);
  assert.ok(shares.every((c) => c > 0 && c < done), `every p2p consumer gets a share: ${shares}`);
  assert.equal(copies.reduce((a, b) => a + b, 0), doneAll, `pubsub copies ${copies} add up to ${doneAll}`);
  assert.ok(copies.every((c) => c >= sent - 2 && c <= sent), `every subscriber gets every message (${sent}): ${copies}`);

  // Five subscribers, applied live: the run goes on with what it had
  // (a restart wiped the backlog Try-this #3 asks the learner to watch).
  const t0 = await simTime(page, root);
  assert.equal(await setValue(page, root, 'consumers', 5), 5);
  assert.ok((await simTime(page, root)) >= t0, 'the clock did not go back to 0');
  assert.ok((await metric(page, pub, 'produced')) >= sent, 'nothing sent so far was wiped');
  assert.equal(await page.locator(`${root} ${tid('notice')}`).count(), 0, 'no restart notice');
  await waitFor(
    page,
    (sel) => document.querySelectorAll(`${sel} [data-testid="per-consumer"] li`).length === 5,
    pub,
    { what: 'five subscribers in the pubsub panel' },
  );
  assert.equal((await perConsumer(page, p2p)).length, 5, 'five competing consumers in the p2p panel');
  await play(page, root, 16);
  const w = await waitForValues(
    page,
    { sent: m(pub, 'produced'), a: m(p2p, 'per-message'), b: m(pub, 'per-message') },
    'sent >= 20 && a >= 0.8 && b >= 4',
  );
  assert.ok(w.b === 5 && w.a === 1, `per message: p2p ${w.a}, pubsub ${w.b}`);

  // Slow work (2 s per message): 5 consumers handle 2.5/s, 3/s arrive.
  // Each subscriber is alone on its queue, so pubsub's queues grow fastest.
  const work = await setValue(page, root, 'work_ms', 2000);
  assert.equal(work, 2000);
  await play(page, root, 16);
  await waitForMetric(page, pub, 'queued', '>=', 20, LONG);

  // More messages per second: the p2p queue grows too, now quickly.
  const rate = await setValue(page, root, 'rate_per_s', 20);
  assert.ok(rate > 15 && rate < 25, `rate_per_s: ${rate}`);
  await play(page, root, 16);
  const before = await readAll(page, { t: clock(root), q: m(p2p, 'queued') });
  const after = await waitForValues(
    page,
    { t: clock(root), q: m(p2p, 'queued') },
    `t >= ${before.t + 4 * S}`,
  );
  // At ~20/s in and 2.5/s out the queue gains ~17 a second.
  assert.ok(after.q - before.q >= 40, `p2p queue went from ${before.q} to ${after.q} in ${(after.t - before.t) / S} s`);

  await step(page, root);
  await reset(page, root);
  assert.equal(await metric(page, p2p, 'produced'), 0);
  assert.equal(await metric(page, pub, 'produced'), 0);
});

// ------------------------------------------------------------ pubsub ----


const sub = (group, attr) => [tid(`sub-${group}`), `data-${attr}`];

app.pageTest('pubsub: a slow subscriber only delays itself; a subscriber attaches and detaches at run time', async ({ page, open }) => {
  await open('/demo/pubsub', { lang: 'en' });
  const root = await waitForDemo(page, 'pubsub');
  const panel = tid('panel-main');
  const rows = {
    sent: m(panel, 'produced'),
    recQ: sub('recommendation', 'queued'),
    recD: sub('recommendation', 'done'),
    cntQ: sub('counter', 'queued'),
    cntD: sub('counter', 'done'),
    whQ: sub('warehouse', 'queued'),
    whD: sub('warehouse', 'done'),
    frQ: sub('fraud-check', 'queued'),
    frD: sub('fraud-check', 'done'),
    t: clock(root),
  };
  assert.equal(await page.locator(`${tid('subscribers')} tbody tr`).count(), 4);
  await page.locator(`${tid('sub-fraud-check')}.off`).waitFor();
  // Not subscribed: its queue and consumer are drawn dimmed (issue 11).
  const dimmed = () => page.locator(`${panel} .stage-nodes .detached`).count();
  assert.equal(await dimmed(), 2, 'the fraud queue and its consumer are dimmed');

  // 5 clicks/s: the warehouse (500 ms each, 2/s) falls behind, the others
  // (100 ms and 20 ms) keep up.
  await play(page, root, 16);
  let v = await waitForValues(page, rows, 'whQ >= 15');
  assert.ok(v.recQ <= 3 && v.cntQ <= 3, `fast subscribers' queues stay short: ${JSON.stringify(v)}`);
  assert.ok(v.recD >= v.sent - 3 && v.cntD >= v.sent - 3, `fast subscribers keep pace: ${JSON.stringify(v)}`);
  assert.ok(v.whD < v.sent - 10, `the warehouse lags: ${JSON.stringify(v)}`);
  assert.equal(v.frD, 0, 'the fraud check is not subscribed yet');

  // Attach the fraud check: it receives clicks from now on.
  await setFlag(page, root, 'fraud_check', true);
  await page.locator(`${tid('sub-fraud-check')}:not(.off)`).waitFor();
  await waitFor(page, (sel) => document.querySelectorAll(`${sel} .stage-nodes .detached`).length === 0, panel, { what: 'the fraud check drawn attached' });
  v = await waitForValues(page, rows, 'frD >= 10');
  assert.ok(v.frD < v.sent - 10, `the fraud check only gets clicks published after it attached: ${JSON.stringify(v)}`);

  // A slow fraud check grows only its own queue.
  assert.equal(await setValue(page, root, 'fraud_check_ms', 2000), 2000);
  v = await waitForValues(page, rows, 'frQ >= 8');
  assert.ok(v.recQ <= 3 && v.cntQ <= 3, `others unaffected: ${JSON.stringify(v)}`);
  // Speed it up again so that its backlog is gone soon after it detaches.
  assert.ok((await setValue(page, root, 'fraud_check_ms', 5)) <= 6);

  // Detach it: what it had queued is still handled, then nothing more.
  await setFlag(page, root, 'fraud_check', false);
  await page.locator(`${tid('sub-fraud-check')}.off`).waitFor();
  v = await waitForValues(page, rows, 'frQ == 0');
  const detached = await waitForValues(page, rows, `sent >= ${v.sent + 15}`);
  assert.equal(detached.frD, v.frD, `no clicks reach a detached subscriber: ${JSON.stringify([v, detached])}`);

  // A faster warehouse works off its backlog.
  assert.equal(await setValue(page, root, 'warehouse_ms', 5), 5);
  v = await waitForValues(page, rows, 'whQ <= 1 && whD >= sent - 2');

  // A slow recommendation profile: only its queue grows.
  assert.equal(await setValue(page, root, 'recommendation_ms', 2000), 2000);
  v = await waitForValues(page, rows, 'recQ >= 10');
  assert.ok(v.cntQ <= 3 && v.whQ <= 3, `only the recommendation queue grows: ${JSON.stringify(v)}`);

  // A slow counter too.
  assert.equal(await setValue(page, root, 'counter_ms', 2000), 2000);
  v = await waitForValues(page, rows, 'cntQ >= 10');
  assert.ok(v.whQ <= 3, `the (now fast) warehouse still keeps up: ${JSON.stringify(v)}`);

  // Ten times the clicks: ~50 published in one simulated second.
  const rate = await setValue(page, root, 'rate_per_s', 50);
  assert.equal(rate, 50);
  const a = await readAll(page, rows);
  const b = await waitForValues(page, rows, `t >= ${a.t + 2 * S}`);
  assert.ok(b.sent - a.sent >= 80, `published ${b.sent - a.sent} in ${(b.t - a.t) / S} s at 50/s`);

  await step(page, root);
  await reset(page, root);
  assert.equal(await metric(page, panel, 'produced'), 0);
});

// ---------------------------------------------------------- coupling ----


app.pageTest('coupling: notification down fails direct orders but not queued ones; points attach to the queue only', async ({ page, open }) => {
  await open('/demo/coupling', { lang: 'en' });
  const root = await waitForDemo(page, 'coupling');
  const direct = tid('panel-direct');
  const queue = tid('panel-queue');
  const all = {
    t: clock(root),
    dOk: m(direct, 'orders-ok'),
    dRej: m(direct, 'rejected'),
    dTime: m(direct, 'order-time'),
    dNot: m(direct, 'notified'),
    qOk: m(queue, 'orders-ok'),
    qRej: m(queue, 'rejected'),
    qTime: m(queue, 'order-time'),
    qNot: m(queue, 'notified'),
    qWait: m(queue, 'waiting'),
    qPts: m(queue, 'points'),
  };
  assert.equal(await page.locator(`${direct} ${tid('metric-points')}`).count(), 0, 'no points card on the direct side');

  await play(page, root, 16);
  let v = await waitForValues(page, all, 'dOk >= 5 && qOk >= 5');
  assert.equal(v.dRej + v.qRej, 0, `nothing fails while all is up: ${JSON.stringify(v)}`);

  // Notification down: direct orders fail with that cause; queued orders
  // still succeed and their notifications wait.
  await setFlag(page, root, 'notify_down', true);
  const down = await readAll(page, all);
  v = await waitForValues(page, all, `dRej >= 3 && qWait >= 3 && qOk >= ${down.qOk + 5}`);
  assert.equal(v.qRej, 0, `no queued order fails: ${JSON.stringify(v)}`);
  // Every notification of an order accepted since the outage is waiting,
  // queued or held by the retrying notifier (it read 0 while the notifier
  // held them), bar the few still on the wire.
  assert.ok(v.qWait >= v.qOk - down.qOk - 3, `waiting counts what the notifier retries: ${JSON.stringify([down, v])}`);
  const line = await waitForLog(page, direct, 'rejected: Notification service is down');
  assert.match(line, /Notification service is down/);
  assert.ok(v.qNot <= down.qNot, `no notification goes out while it is down: ${JSON.stringify([down, v])}`);

  // Back up: the waiting notifications all go out.
  await setFlag(page, root, 'notify_down', false);
  const up = await readAll(page, all);
  v = await waitForValues(page, all, `qWait == 0 && qNot >= ${up.qOk}`);
  const failedDirect = v.dRej;
  v = await waitForValues(page, all, `dOk >= ${v.dOk + 5}`);
  assert.equal(v.dRej, failedDirect, 'direct orders succeed again');

  // Points service: a new subscriber on the queue side. Until it is
  // attached its queue and consumer are drawn dimmed (issue 11).
  const dimmed = (sel) => page.locator(`${sel} .stage-nodes .detached`).count();
  assert.equal(await dimmed(queue), 2, 'the unattached points queue and service are dimmed');
  await setFlag(page, root, 'points', true);
  v = await waitForValues(page, all, 'qPts >= 5');
  assert.equal(await dimmed(queue), 0, 'attached: drawn like the rest');
  assert.equal(await page.locator(`${direct} ${tid('metric-points')}`).count(), 0);

  // A slow notification service slows direct orders only.
  const slow = await setValue(page, root, 'notify_ms', 2000);
  assert.equal(slow, 2000);
  const before = await readAll(page, all);
  v = await waitForValues(page, all, `dTime >= ${before.dTime * 1.5} && dOk >= ${before.dOk + 5}`);
  assert.ok(v.qTime < 0.5 * S, `queued orders answer in ${v.qTime} µs`);

  // More orders per second.
  const rate = await setValue(page, root, 'rate_per_s', 20);
  assert.ok(rate > 15 && rate < 25, `rate_per_s: ${rate}`);
  const a = await readAll(page, all);
  const b = await waitForValues(page, all, `t >= ${a.t + 3 * S}`);
  assert.ok(b.qOk - a.qOk >= 40, `${b.qOk - a.qOk} queued-side orders in ${(b.t - a.t) / S} s at ${rate}/s`);

  // Points off again: it stops getting events.
  await setFlag(page, root, 'points', false);
  // (What was already in its queue is still handled; then nothing more.)
  const off = await readAll(page, all);
  const drained = await waitForValues(page, all, `qOk >= ${off.qOk + 40}`);
  const later = await waitForValues(page, all, `qOk >= ${drained.qOk + 40}`);
  assert.equal(later.qPts, drained.qPts, `points after unsubscribing: ${off.qPts} → ${drained.qPts} → ${later.qPts}`);
  await waitFor(page, (sel) => document.querySelectorAll(`${sel} .stage-nodes .detached`).length === 2, queue, { what: 'the detached points service dimmed again' });

  await step(page, root);
  await reset(page, root);
  assert.equal(await metric(page, queue, 'orders-ok'), 0);
});

// ---------------------------------------------------- async-register ----


app.pageTest('async-register: the sync user waits for every step, the async one for the save; SMS down fails sync only', async ({ page, open }) => {
  await open('/demo/async-register', { lang: 'en' });
  const root = await waitForDemo(page, 'async-register');
  const sync = tid('panel-sync');
  const asyn = tid('panel-async');
  const all = {
    t: clock(root),
    sResp: m(sync, 'response'),
    sP95: m(sync, 'response-p95'),
    sReg: m(sync, 'registered'),
    sFail: m(sync, 'failed'),
    sWait: m(sync, 'waiting'),
    aResp: m(asyn, 'response'),
    aP95: m(asyn, 'response-p95'),
    aReg: m(asyn, 'registered'),
    aFail: m(asyn, 'failed'),
    aJobs: m(asyn, 'queued'),
  };

  // Defaults: save 300 + email 500 + SMS 400 + coupon 300 ms.
  await play(page, root, 16);
  let v = await waitForValues(page, all, 'sReg >= 4 && aReg >= 4');
  assert.ok(v.sResp >= 1.5 * S && v.sResp < 1.7 * S, `sync wait ${v.sResp} µs`);
  assert.ok(v.aResp >= 0.3 * S && v.aResp < 0.4 * S, `async wait ${v.aResp} µs`);
  assert.equal(v.sFail + v.aFail, 0);
  await page.locator(`${root} ${tid('response-histogram')}`).waitFor();

  // SMS down: every sync registration fails; async ones still succeed and
  // the SMS jobs wait in their queue.
  await setFlag(page, root, 'sms_down', true);
  const down = await readAll(page, all);
  v = await waitForValues(page, all, `sFail >= 3 && aJobs >= 3 && aReg >= ${down.aReg + 3}`);
  assert.equal(v.aFail, 0, `no async registration fails: ${JSON.stringify(v)}`);
  await waitForLog(page, sync, 'SMS service is down');

  // SMS back: sync registrations succeed again, the jobs drain.
  await setFlag(page, root, 'sms_down', false);
  const up = await readAll(page, all);
  v = await waitForValues(page, all, `aJobs <= 2 && sReg >= ${up.sReg + 3}`);
  const failed = v.sFail;
  v = await waitForValues(page, all, `sReg >= ${v.sReg + 2}`);
  assert.ok(v.sFail <= failed + 1, `sync failures stop: ${failed} → ${v.sFail}`);

  // New step times and rate; Reset to measure a clean run with them.
  const save = await setValue(page, root, 'save_ms', 100);
  const email = await setValue(page, root, 'email_ms', 200);
  const sms = await setValue(page, root, 'sms_ms', 1000);
  const coupon = await setValue(page, root, 'coupon_ms', 50);
  const rate = await setValue(page, root, 'rate_per_s', 4);
  assert.ok(rate > 3.5 && rate < 4.5, `rate_per_s ${rate}`);
  await reset(page, root);
  assert.equal(await metric(page, sync, 'registered'), 0);
  await play(page, root, 16);
  v = await waitForValues(page, all, 'sReg >= 12 && aReg >= 12');
  const chain = (save + email + sms + coupon) * 1000;
  assert.ok(v.sResp >= chain && v.sResp < chain + 0.2 * S, `sync wait ${v.sResp} µs for a ${chain} µs chain`);
  assert.ok(v.aResp >= save * 1000 && v.aResp < save * 1000 + 0.1 * S, `async wait ${v.aResp} µs for a ${save} ms save`);
  // ~4 per second: 12 answered well before 5 simulated seconds.
  assert.ok(v.t < 5 * S, `12 registrations took ${v.t} µs at ${rate}/s`);

  await step(page, root);
}, { skip: notBuilt('async-register') });

// -------------------------------------------------------- comparison ----

const BROKERS = ['rabbitmq', 'kafka', 'rocketmq', 'redis-stream'];

/** The recommendation list: [{ broker, rank, score, best }] in order. */
const recs = (page) =>
  page.locator(`${tid('recommendation')} > li`).evaluateAll((lis) =>
    lis.map((li) => ({
      broker: li.getAttribute('data-testid').replace(/^rec-/, ''),
      rank: Number(li.getAttribute('data-rank')),
      score: Number(li.getAttribute('data-score')),
      best: li.classList.contains('best'),
      misses: Number(li.getAttribute('data-misses')),
      badge: li.querySelector('[data-testid="rec-badge"]')?.textContent ?? null,
      points: [...li.querySelectorAll('.rec-reasons li')].map((r) => ({
        points: Number(r.getAttribute('data-points')),
        shown: r.querySelector('.rec-points')?.textContent,
      })),
    })),
  );

/** Sets the requirement checkboxes to exactly `on`; returns the new ranking. */
async function require(page, on) {
  const ids = ['replay', 'ordering', 'microsecond-latency', 'million-per-s', 'delayed-or-transactional', 'small-team'];
  for (const id of ids) await page.locator(tid(`req-${id}`)).setChecked(on.includes(id));
  return recs(page);
}

app.pageTest('comparison: requirements rank the brokers, the facts table, and the same load on four models', async ({ page, open }) => {
  await open('/demo/comparison', { lang: 'en' });
  const root = await waitForDemo(page, 'comparison');

  // Facts: one column per broker, RabbitMQ's "replay" cell flagged.
  const table = tid('facts-table');
  assert.deepEqual(
    await page.locator(`${table} ${tid('fact-replay')} td`).evaluateAll((tds) => tds.map((td) => td.getAttribute('data-broker'))),
    BROKERS,
  );
  assert.ok((await page.locator(`${table} tbody tr`).count()) >= 10);
  assert.deepEqual(
    await page.locator(`${table} ${tid('fact-replay')} td`).evaluateAll((tds) => tds.map((td) => td.classList.contains('bad'))),
    [true, false, false, false],
  );

  // Requirements → ranking.
  let r = await recs(page);
  assert.deepEqual(r.map((x) => x.score), [0, 0, 0, 0], 'no requirement: all score 0');
  assert.ok(r.every((x) => !x.best), 'no requirement: no "best fit"');
  const hint0 = await page.locator(tid('rec-hint')).textContent();
  r = await require(page, ['replay']);
  assert.equal(r.at(-1).broker, 'rabbitmq', 'replay: RabbitMQ last');
  assert.ok(r.at(-1).score < 0 && r[0].best);
  assert.notEqual(await page.locator(tid('rec-hint')).textContent(), hint0, 'the hint changes once something is ticked');
  r = await require(page, ['replay', 'million-per-s']);
  assert.equal(r[0].broker, 'kafka');
  r = await require(page, ['microsecond-latency']);
  assert.equal(r[0].broker, 'rabbitmq');
  r = await require(page, ['delayed-or-transactional']);
  assert.equal(r[0].broker, 'rocketmq');
  r = await require(page, ['replay', 'small-team']);
  assert.equal(r[0].broker, 'redis-stream');
  r = await require(page, ['ordering']);
  assert.deepEqual(r.map((x) => [x.broker, x.score]), [['kafka', 2], ['rocketmq', 2], ['redis-stream', 1], ['rabbitmq', 0]]);
  assert.deepEqual(r.map((x) => x.best), [true, true, false, false], 'ties share "best fit"');
  // Every reason shows its points with a sign (issue 11: Kafka's minus
  // for millisecond latency read as a plus), and a top scorer that misses
  // a ticked requirement is the closest fit, not the best one.
  r = await require(page, ['microsecond-latency', 'replay']);
  for (const x of r) {
    for (const p of x.points) {
      assert.equal(p.shown, p.points > 0 ? `+${p.points}` : p.points < 0 ? `−${-p.points}` : '±0', `${x.broker}: ${JSON.stringify(p)}`);
    }
  }
  const kafka = r.find((x) => x.broker === 'kafka');
  assert.ok(kafka.points.some((p) => p.points < 0 && p.shown.startsWith('−')), 'Kafka loses points for millisecond latency');
  assert.ok(r.every((x) => x.misses > 0), 'no broker has both microsecond latency and replay');
  assert.ok(r[0].best && /closest fit/.test(r[0].badge), `top: ${r[0].badge}`);
  r = await require(page, ['microsecond-latency']);
  assert.match(r[0].badge, /^best fit$/, 'RabbitMQ meets the one requirement ticked');
  r = await require(page, []);
  assert.deepEqual(r.map((x) => x.score), [0, 0, 0, 0]);

  // The run: 20,000 messages/s of 1 KB. RabbitMQ (~10k/s) falls behind.
  const panel = (id) => tid(`panel-${id}`);
  const q = Object.fromEntries(BROKERS.map((b) => [b, m(panel(b), 'queued')]));
  const spec = {
    t: clock(root),
    ...q,
    ...Object.fromEntries(BROKERS.map((b) => [`rep-${b}`, m(panel(b), 'replayed')])),
    ...Object.fromEntries(BROKERS.map((b) => [`ret-${b}`, m(panel(b), 'retained')])),
    ...Object.fromEntries(BROKERS.map((b) => [`p50-${b}`, m(panel(b), 'latency-p50')])),
  };
  await play(page, root, 1);
  let v = await waitForValues(page, spec, 'rabbitmq >= 3000');
  for (const b of BROKERS.slice(1)) assert.ok(v[b] < 1000, `${b} keeps up: queued ${v[b]}`);
  v = await waitForValues(page, spec, 'ret-kafka >= 100 && ret-rocketmq >= 100 && ret-redis-stream >= 100');
  assert.equal(v['ret-rabbitmq'], 0, 'RabbitMQ keeps nothing for replay');

  // Replay: the log-based models deliver 100 consumed messages again.
  await page.locator(`${root} ${tid('action-replay')}`).click();
  await page.locator(tid('replay-result')).waitFor();
  v = await waitForValues(page, spec, 'rep-kafka >= 100 && rep-rocketmq >= 100 && rep-redis-stream >= 100');
  assert.equal(v['rep-rabbitmq'], 0);
  assert.match(await page.locator(tid('replay-result')).textContent(), /RabbitMQ 0 \(acked messages are deleted/);

  // Below RabbitMQ's ceiling, from a clean start: all four keep up and
  // RabbitMQ's latency is in microseconds, the others' in milliseconds.
  const rate = await setValue(page, root, 'rate_per_s', 5_000);
  assert.equal(rate, 5_000, 'the send rate stops at a round 5,000 (it read 4,996 before the slider ladder)');
  await reset(page, root);
  await play(page, root, 1);
  v = await waitForValues(page, spec, `t >= ${1 * S} && p50-rabbitmq > 0 && p50-redis-stream > 0`);
  for (const b of BROKERS) assert.ok(v[b] < 500, `${b} keeps up at ${rate}/s: queued ${v[b]}`);
  assert.ok(v['p50-rabbitmq'] < 1_000, `RabbitMQ p50 ${v['p50-rabbitmq']} µs`);
  for (const b of BROKERS.slice(1)) assert.ok(v[`p50-${b}`] >= 1_000, `${b} p50 ${v[`p50-${b}`]} µs`);

  // 10 KB messages at ~20,000/s: every ceiling drops tenfold, only Kafka keeps up.
  assert.equal(await setValue(page, root, 'message_kb', 10), 10);
  await setValue(page, root, 'rate_per_s', 20_000);
  await play(page, root, 1);
  v = await waitForValues(page, spec, 'rocketmq >= 3000 && redis-stream >= 3000 && rabbitmq >= 3000');
  assert.ok(v.kafka < 1000, `Kafka keeps up with 10 KB messages: queued ${v.kafka}`);

  await step(page, root);
}, { skip: notBuilt('comparison') });
