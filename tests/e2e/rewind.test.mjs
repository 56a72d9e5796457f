// The timeline: scrubbing back and forth, jumping back to live, stepping
// back and forward, and forking the run by changing a control in the past.
import assert from 'node:assert/strict';
import { BUILT_DEMOS, simTime, tid, useApp, waitForDemo, waitForSimTime } from './helpers.mjs';
import { liveSlider, nudgeSlider, runTo, seek, snapshot, waitForPast } from './features.mjs';

const app = useApp();

for (const id of BUILT_DEMOS) {
  app.pageTest(`rewind: ${id} scrubs back and forth and jumps back to the exact live moment`, async ({ page, open }) => {
    await open(`/demo/${id}`, { lang: 'en' });
    const root = await waitForDemo(page, id);
    await runTo(page, root);
    const live = await snapshot(page, root);
    const liveT = Number(live.t);
    assert.ok(await page.locator(`${root} ${tid('jump-live')}`).isDisabled(), 'jump-live is disabled at live');
    assert.equal(await page.locator(`${root} ${tid('past-badge')}`).count(), 0, 'no past badge at live');

    const t1 = await seek(page, root, 200);
    await waitForPast(page, root);
    assert.ok(t1 < liveT, `scrubbed back to ${t1} µs, live is ${liveT} µs`);
    const t2 = await seek(page, root, 700);
    assert.ok(t2 > t1 && t2 < liveT, `scrubbed forward to ${t2} µs (from ${t1}, live ${liveT})`);
    const t3 = await seek(page, root, 50);
    assert.ok(t3 < t2, `scrubbed back again to ${t3} µs (from ${t2})`);
    assert.ok(await page.locator(`${root} ${tid('jump-live')}`).isEnabled(), 'jump-live is enabled in the past');

    await page.locator(`${root} ${tid('jump-live')}`).click();
    await waitForSimTime(page, root, '==', liveT);
    await waitForPast(page, root, false);
    assert.deepStrictEqual(await snapshot(page, root), live, 'the live state after jumping back');
    assert.ok(await page.locator(`${root} ${tid('jump-live')}`).isDisabled(), 'jump-live is disabled again');
  });

  app.pageTest(`rewind: ${id} step-back then step-forward returns to the same moment (from live, the past, an event moment)`, async ({ page, open }) => {
    await open(`/demo/${id}`, { lang: 'en' });
    const root = await waitForDemo(page, id);
    await runTo(page, root);
    for (const from of ['live', 'past', 'an event moment']) {
      if (from === 'past') {
        await seek(page, root, 500);
        await waitForPast(page, root);
      }
      if (from === 'an event moment') {
        // Land on an event first: step-back goes to the previous event.
        const t = await simTime(page, root);
        await page.locator(`${root} ${tid('step-back')}`).click();
        await waitForSimTime(page, root, '<', t);
        // A run stopped early (a loaded machine) may have its middle before
        // the first event: step back then lands on the start, where there
        // is nothing to step back to. Step forward onto the first event.
        if ((await simTime(page, root)) === 0) {
          await page.locator(`${root} ${tid('step-forward')}`).click();
          await waitForSimTime(page, root, '>', 0);
        }
      }
      const before = await snapshot(page, root);
      const t0 = Number(before.t);
      await page.locator(`${root} ${tid('step-back')}`).click();
      const back = await waitForSimTime(page, root, '<', t0);
      await page.locator(`${root} ${tid('step-forward')}`).click();
      await waitForSimTime(page, root, '>', back);
      assert.equal(await simTime(page, root), t0, `step-back (to ${back} µs) then step-forward, from ${from} at ${t0} µs`);
      assert.deepStrictEqual(await snapshot(page, root), before, `state after step-back + step-forward from ${from}`);
    }
  });
}

// Every demo forks in English; the first one also in Chinese (the notice's
// wording is the app's, not the demo's).
const FORKS = [...BUILT_DEMOS.map((id) => [id, 'en', 'forked']), [BUILT_DEMOS[0], 'zh-CN', '分叉']];
for (const [id, lang, word] of FORKS) {
  app.pageTest(`rewind: ${id} (${lang}) changing a control in the past forks the run`, async ({ page, open }) => {
    await open(`/demo/${id}`, { lang });
    const root = await waitForDemo(page, id);
    await runTo(page, root);
    const liveT = await simTime(page, root);
    const t = await seek(page, root, 300);
    await waitForPast(page, root);
    assert.ok(t < liveT);
    await nudgeSlider(page, root, await liveSlider(page, root));
    const notice = page.locator(tid('notice'));
    await notice.waitFor({ state: 'visible' });
    assert.ok((await notice.innerText()).includes(word), `notice "${await notice.innerText()}" mentions "${word}"`);
    await waitForPast(page, root, false);
    // The fork is the new live run: it starts where we were.
    assert.equal(await simTime(page, root), t, 'the fork starts at the moment viewed');
    assert.ok(await page.locator(`${root} ${tid('jump-live')}`).isDisabled(), 'the fork is live');
  });
}
