// Fuzz mode (src/fuzz.rs), after PhET's ?fuzz: every built demo (read from
// src/catalog.rs) is driven with random clicks, slider moves, key presses,
// scrubs and fault buttons through its real controls for 20 s with a fixed
// seed, and once more (shorter, as an embed) with a random seed printed in
// the test's name. A run must end with no console error, no page error or
// panic, and no error in its result: the engine's invariant checks (checked
// mode) and the page's own assertions (the clock shown is the run's clock,
// counts add up, no NaN on screen) report there.
//
// A failing seed is run a second time in a fresh page and the failure says
// whether it reproduced. To re-run one by hand, open the URL the failure
// names (the result is on the demo root, data-fuzz-result) or:
//   MQLAB_UI_FUZZ_SEED=<n> [MQLAB_UI_FUZZ_SECONDS=<s>] node --test fuzz.test.mjs
//   MQLAB_UI_FUZZ_RANDOM_SEED=<n> node --test fuzz.test.mjs
import assert from 'node:assert/strict';
import {
  BUILT_DEMOS, TIMEOUT_MS, collectErrors, tid, useApp, waitFor, waitForDemo, waitForSimTime,
} from './helpers.mjs';

const app = useApp();
const SEED = Number(process.env.MQLAB_UI_FUZZ_SEED ?? 20261201);
const SECONDS = Number(process.env.MQLAB_UI_FUZZ_SECONDS ?? 20);
const RANDOM_SEED = Number(process.env.MQLAB_UI_FUZZ_RANDOM_SEED ?? Math.floor(Math.random() * 2 ** 32));
const SWEEP_SECONDS = 4;

const fuzzUrl = (base, kind, id, seed, seconds) =>
  `${base}index.html#/${kind}/${id}?lang=en&fuzz=${seconds}&seed=${seed}`;

/**
 * Opens `url` in `page` and waits until the fuzzer is done or the panic
 * panel shows. Returns { outcome: 'done' | 'panic', result, pageErrors }.
 */
async function fuzzOnce(page, errors, url, id, seconds) {
  await page.goto(url, { waitUntil: 'load' });
  const root = await waitForDemo(page, id);
  const outcome = await waitFor(
    page,
    (sel) => {
      if (document.querySelector('[data-testid="panic-panel"]')) return 'panic';
      return document.querySelector(sel)?.getAttribute('data-fuzz') === 'done' ? 'done' : false;
    },
    root,
    { timeout: seconds * 1000 + 60_000, what: `${url} to finish fuzzing` },
  );
  const raw = outcome === 'done' ? await page.locator(root).getAttribute('data-fuzz-result') : null;
  return { outcome, result: raw ? JSON.parse(raw) : null, pageErrors: [...errors.errors] };
}

/** Everything wrong with one fuzz run, as lines. */
function problemsOf(run) {
  const out = [];
  if (run.outcome === 'panic') out.push('the panic panel showed (the app panicked)');
  if (run.result) out.push(...run.result.errors);
  out.push(...run.pageErrors);
  return out;
}

/**
 * The same seed again in a fresh context: does the failure come back? The
 * fuzzer's ticks depend on the seed only, but how many fit in the time
 * depends on the machine's load, so the second run gets twice the time to
 * reach the failing tick.
 */
async function reproduce(base, kind, id, seed, seconds, first) {
  const url = fuzzUrl(base, kind, id, seed, seconds * 2);
  const context = await app.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    const again = await fuzzOnce(page, collectErrors(page), url, id, seconds * 2);
    const twice = problemsOf(again);
    const strip = (e) => e.replace(/^tick \d+ after .*?: /, '');
    const same = problemsOf(first).filter((p) => twice.some((q) => q === p || strip(q) === strip(p)));
    return `on a second run with the same seed (${seconds * 2} s) ${same.length ? 'it reproduced' : 'it did NOT reproduce'}` +
      ` (${twice.length} problem(s)${twice.length ? `: ${twice.slice(0, 3).join(' | ')}` : ''}; ticks ${again.result?.ticks ?? '?'} vs ${first.result?.ticks ?? '?'})`;
  } catch (e) {
    return `the second run failed: ${e.message.split('\n')[0]}`;
  } finally {
    await context.close().catch(() => {});
  }
}

/** Fuzzes one demo; fails with the seed, the URL and whether it reproduces. */
async function fuzzTest({ page, errors, base }, kind, id, seed, seconds, env) {
  const url = fuzzUrl(base, kind, id, seed, seconds);
  const run = await fuzzOnce(page, errors, url, id, seconds);
  const problems = problemsOf(run);
  if (problems.length) {
    const again = await reproduce(base, kind, id, seed, seconds, run);
    errors.errors.length = 0; // reported here, with the seed
    throw new Error(
      `${kind} ${id}, seed ${seed}, ${seconds} s: ${problems.length} problem(s):\n  ${problems.join('\n  ')}\n` +
        `${again}.\nRe-run: open ${url} (result in data-fuzz-result on the demo root) or ` +
        `${env}=${seed} node --test fuzz.test.mjs in tests/e2e.`,
    );
  }
  const r = run.result;
  assert.equal(r.seed, String(seed));
  assert.equal(r.ms, seconds * 1000);
  // The fuzzer really drove the page (a selector matching nothing would
  // leave it idle and "green").
  assert.ok(r.ticks >= 5 * seconds, `${id}: only ${r.ticks} ticks in ${seconds} s`);
  // About 3 ticks in 10 act (the rest let time run): a tenth is far below
  // what chance gives even on a short run, and far above a stuck fuzzer.
  assert.ok(r.actions >= r.ticks / 10, `${id}: only ${r.actions} actions in ${r.ticks} ticks`);
  for (const [verb, n] of Object.entries(r.kinds)) assert.ok(n > 0, `${id}: no "${verb}" action in ${r.ticks} ticks`);
  return r;
}

for (const id of BUILT_DEMOS) {
  app.pageTest(`fuzz: ${id} for ${SECONDS} s (seed ${SEED}): no console error, panic or invariant violation`, async (ctx) => {
    await fuzzTest(ctx, 'demo', id, SEED, SECONDS, 'MQLAB_UI_FUZZ_SEED');
  }, { timeout: SECONDS * 2000 + 180_000 });
}

app.pageTest(`fuzz: every built demo as an embed, ${SWEEP_SECONDS} s each, random seed ${RANDOM_SEED} (MQLAB_UI_FUZZ_RANDOM_SEED=${RANDOM_SEED} to re-run)`, async (ctx) => {
  for (const id of BUILT_DEMOS) {
    await fuzzTest(ctx, 'embed', id, RANDOM_SEED, SWEEP_SECONDS, 'MQLAB_UI_FUZZ_RANDOM_SEED');
  }
}, { timeout: BUILT_DEMOS.length * (SWEEP_SECONDS * 2000 + 60_000) });

// The driver is deterministic given the seed: two runs agree on every mark
// (a digest of the actions so far and of every panel's trace hash, each 50
// ticks) that both reached. This is what makes a failing seed reproduce.
for (const id of [BUILT_DEMOS[0], BUILT_DEMOS.at(-1)]) {
  app.pageTest(`fuzz: ${id}: the same seed drives the same run twice`, async ({ page, errors, base }) => {
    const url = fuzzUrl(base, 'demo', id, SEED + 1, 6);
    const a = await fuzzOnce(page, errors, url, id, 6);
    await page.goto('about:blank');
    const b = await fuzzOnce(page, errors, url, id, 6);
    for (const run of [a, b]) assert.deepEqual(problemsOf(run), [], url);
    const n = Math.min(a.result.marks.length, b.result.marks.length);
    assert.ok(n >= 2, `marks reached: ${a.result.marks.length} and ${b.result.marks.length}`);
    assert.deepEqual(b.result.marks.slice(0, n), a.result.marks.slice(0, n), `${url}: two runs of one seed differ`);
    // And another seed drives another run.
    const c = await fuzzOnce(page, errors, fuzzUrl(base, 'demo', id, SEED + 2, 2), id, 2);
    assert.notDeepEqual(c.result.marks[0], a.result.marks[0], 'a different seed gives a different run');
  });
}

// Bad values are ignored with a console warning, never a broken page.
app.pageTest('fuzz: bad fuzz= and seed= values are ignored with a console warning', async ({ page, base }) => {
  const warning = (re) =>
    page.waitForEvent('console', { predicate: (m) => m.type() === 'warning' && re.test(m.text()), timeout: TIMEOUT_MS });
  const id = BUILT_DEMOS[0];
  let warned = warning(/^mqlab: fuzz="soon" ignored/);
  await page.goto(`${base}index.html#/demo/${id}?lang=en&fuzz=soon&seed=7`, { waitUntil: 'load' });
  const root = await waitForDemo(page, id);
  await warned;
  assert.equal(await page.locator(root).getAttribute('data-fuzz'), null, 'no fuzzing');
  // The demo still works.
  await page.locator(`${root} ${tid('step')}`).click();
  await waitForSimTime(page, root, '>', 0);

  // A bad seed: fuzzing goes on with seed 1, and says so.
  await page.goto('about:blank');
  warned = warning(/^mqlab: seed="-3" ignored/);
  await page.goto(`${base}index.html#/demo/${id}?lang=en&fuzz=0.5&seed=-3`, { waitUntil: 'load' });
  await waitForDemo(page, id);
  await warned;
  await page.locator(`${root}[data-fuzz="done"]`).waitFor({ state: 'attached' });
  const r = JSON.parse(await page.locator(root).getAttribute('data-fuzz-result'));
  assert.equal(r.seed, '1');
  assert.deepEqual(r.errors, []);
});
