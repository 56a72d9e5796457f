// The seed is never a dead control (issue 11): a demo shows it only where
// its run draws at random, and there two seeds give two different runs.
// Elsewhere it says "Nothing random" instead. The engine side of the same
// rule is engine/tests/determinism.rs; this checks what the page offers,
// over every built demo of the catalog. Runs are compared after the same
// number of steps (one event each), so no timing is involved.
import assert from 'node:assert/strict';
import { BUILT_DEMOS, readNumber, tid, useApp, waitFor, waitForDemo } from './helpers.mjs';

const app = useApp();
const STEPS = 30;

/**
 * Steps `n` events and returns the moment reached and what the first event
 * log then says (a demo that logs only trouble may show nothing yet; the
 * moment of its n-th event still tells two runs apart).
 */
async function stepAndRead(page, root, n) {
  for (let i = 0; i < n; i++) {
    const before = await readNumber(page, `${root} ${tid('sim-time')}`, 'data-events');
    await page.locator(`${root} ${tid('step')}`).click();
    await waitFor(page, ([sel, b]) => Number(document.querySelector(sel)?.getAttribute('data-events')) > b,
      [`${root} [data-testid="sim-time"]`, before], { what: `step ${i + 1} to run` });
  }
  const at = await readNumber(page, `${root} ${tid('sim-time')}`, 'data-time-us');
  const log = await page.locator(`${root} ${tid('event-log')}`).first().innerText();
  return `at ${at} µs:\n${log}`;
}

/** Types `seed` into the seed field (which restarts the run at time 0). */
async function setSeed(page, root, seed) {
  const field = page.locator(`${root} ${tid('seed')}`);
  await field.fill(String(seed));
  await field.dispatchEvent('change');
  await waitFor(page, (sel) => document.querySelector(sel)?.getAttribute('data-time-us') === '0',
    `${root} [data-testid="sim-time"]`, { what: 'the run to restart' });
}

for (const id of BUILT_DEMOS) {
  app.pageTest(`seed: ${id} offers a seed only if it changes the run`, async ({ page, open }) => {
    await open(`/demo/${id}`, { lang: 'en' });
    const root = await waitForDemo(page, id);
    const seeds = await page.locator(`${root} ${tid('seed')}`).count();
    const notes = await page.locator(`${root} ${tid('no-seed')}`).count();
    assert.equal(seeds + notes, 1, `${id}: exactly one of the seed field and the "nothing random" note`);
    if (notes) {
      const hint = await page.locator(`${root} ${tid('no-seed')}`).getAttribute('title');
      assert.match(hint, /same/, `${id}: the note says why there is no seed`);
      return;
    }
    await setSeed(page, root, 1);
    const first = await stepAndRead(page, root, STEPS);
    await setSeed(page, root, 2);
    const second = await stepAndRead(page, root, STEPS);
    assert.notEqual(second, first, `${id}: seeds 1 and 2 gave the same ${STEPS} events`);
    await setSeed(page, root, 1);
    assert.equal(await stepAndRead(page, root, STEPS), first, `${id}: seed 1 again gave another run`);
  });
}
