// Share links: a run that was played, changed, and scrubbed back opens in a
// fresh browser context in exactly the same state; the embed code carries
// the same state.
import assert from 'node:assert/strict';
import {
  BUILT_DEMOS, collectErrors, screenshot, tid, useApp, waitFor, waitForDemo, waitForNumber, TIMEOUT_MS,
} from './helpers.mjs';
import {
  RUN, copyEmbed, copyLink, liveSlider, nudgeSlider, runTo, seek, snapshot, stateOf, waitForPast,
} from './features.mjs';

const app = useApp();
const HALF = { us: RUN.us / 2, events: RUN.events / 2 };

for (const id of BUILT_DEMOS) {
  app.pageTest(`share: ${id} played, changed, scrubbed back reopens identically in a fresh context`, async ({ page, open }) => {
    await open(`/demo/${id}`, { lang: 'en' });
    const root = await waitForDemo(page, id);

    // Play fast for a while, change one slider mid-run (and press the
    // demo's first action button, if it has one).
    await runTo(page, root, HALF);
    await nudgeSlider(page, root, await liveSlider(page, root));
    const action = page.locator(`${root} [data-testid^="action-"]`).first();
    if (await action.count()) await action.click();
    await runTo(page, root, RUN);

    // Back to an earlier moment.
    await seek(page, root, 400);
    await waitForPast(page, root);
    const expected = await snapshot(page, root);
    assert.ok(Number(expected.t) > 0, `scrubbed to t=${expected.t}`);

    const url = await copyLink(page, root);
    assert.match(url, new RegExp(`#/demo/${id}\\?(.*&)?s=2\\.[A-Za-z0-9_-]+`), url);
    assert.match(url, /[?&]lang=en(&|$)/, url);

    const embed = await copyEmbed(page, root);
    const src = embed.match(/<iframe[^>]*\ssrc="([^"]+)"/)?.[1];
    assert.ok(src, `no <iframe src> in ${embed}`);
    assert.match(src, new RegExp(`#/embed/${id}\\?`), src);
    assert.equal(stateOf(src.replace(/&amp;/g, '&')), stateOf(url), 'embed s= equals link s=');

    // A fresh browser context: nothing shared but the URL.
    const context = await app.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const fresh = await context.newPage();
    fresh.setDefaultTimeout(TIMEOUT_MS);
    const errors = collectErrors(fresh);
    try {
      await fresh.goto(url, { waitUntil: 'load' });
      const root2 = await waitForDemo(fresh, id);
      await waitForNumber(fresh, `${root2} ${tid('sim-time')}`, 'data-time-us', '==', Number(expected.t));
      const got = await snapshot(fresh, root2);
      assert.deepStrictEqual(got, expected, `${id}: ${url} reopened in a different state`);
      assert.equal(await fresh.locator(tid('link-notice')).count(), 0, 'no link notice for a good link');
      errors.assertNone(`${id} share link page`);
    } catch (e) {
      await screenshot(fresh, `FAILED-share-${id}-reopened`).catch(() => {});
      throw e;
    } finally {
      await context.close();
    }
  });
}

// Copy link / Copy embed code say what happened (issue 11): "copied" when
// the browser took it, else the field is selected with a hint to press
// Ctrl+C. Both buttons, both outcomes, both languages.
for (const lang of ['en', 'zh-CN']) {
  app.pageTest(`share (${lang}): copying says "copied" and the clipboard holds exactly the field's text`, async ({ page, open }) => {
    await open('/demo/intro', { lang });
    const root = await waitForDemo(page, 'intro');
    const said = lang === 'en'
      ? { 'copy-link': 'Link copied', 'copy-embed': 'Embed code copied' }
      : { 'copy-link': '链接已复制', 'copy-embed': '嵌入代码已复制' };
    for (const [button, field] of [['copy-link', 'share-url'], ['copy-embed', 'embed-code']]) {
      await page.locator(`${root} ${tid(button)}`).click();
      // Each button's own confirmation, so the second is not read off the first.
      await page.locator(`${root} ${tid('copy-status')}[data-copied="true"]`, { hasText: said[button] }).waitFor();
      const shown = await page.locator(`${root} ${tid(field)}`).inputValue();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shown, `${button}: clipboard`);
    }
  }, { permissions: ['clipboard-read', 'clipboard-write'] });

  app.pageTest(`share (${lang}): a refused copy selects the text and says to press Ctrl+C`, async ({ page, open }) => {
    await page.addInitScript(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('refused', 'NotAllowedError'));
    });
    await open('/demo/intro', { lang });
    const root = await waitForDemo(page, 'intro');
    for (const [button, field] of [['copy-link', 'share-url'], ['copy-embed', 'embed-code']]) {
      await page.locator(`${root} ${tid(button)}`).click();
      // The refusal hint, with the field this button filled focused.
      await waitFor(page, (s) => document.activeElement === document.querySelector(s), `${root} ${tid(field)}`, { what: `${field} focused` });
      const status = page.locator(`${root} ${tid('copy-status')}[data-copied="false"]`);
      await status.waitFor();
      assert.match(await status.innerText(), /Ctrl\+C/);
      const sel = `${root} ${tid(field)}`;
      const got = await page.evaluate((s) => {
        const el = document.querySelector(s);
        return { focused: document.activeElement === el, start: el.selectionStart, end: el.selectionEnd, length: el.value.length };
      }, sel);
      assert.ok(got.focused && got.start === 0 && got.end === got.length && got.length > 0,
        `${button}: the ${field} field is focused with all of its text selected: ${JSON.stringify(got)}`);
    }
  });
}

// The clipboard answers asynchronously: a reader who copies and at once
// opens another demo must not meet a panic when the (late) answer comes
// for a demo that is gone. The test holds the answer until the next demo
// is shown, then releases it, both refused and granted.
for (const outcome of ['refused', 'granted']) {
  app.pageTest(`share: a copy answered (${outcome}) after the reader left the demo changes nothing and does not panic`, async ({ page, open }) => {
    await page.addInitScript((outcome) => {
      window.__mqlabClipboard = [];
      navigator.clipboard.writeText = () => new Promise((ok, fail) => {
        window.__mqlabClipboard.push(() => (outcome === 'granted' ? ok() : fail(new DOMException('refused', 'NotAllowedError'))));
      });
    }, outcome);
    await open('/demo/intro', { lang: 'en' });
    const root = await waitForDemo(page, 'intro');
    for (const button of ['copy-link', 'copy-embed']) await page.locator(`${root} ${tid(button)}`).click();
    await waitFor(page, () => window.__mqlabClipboard.length === 2, undefined, { what: 'both copies asked for' });
    // Leave by a hash change (same document, so the held answers survive).
    await page.evaluate(() => { location.hash = '#/demo/peak-shaving?lang=en'; });
    const next = await waitForDemo(page, 'peak-shaving');
    await page.locator(tid('demo-intro')).waitFor({ state: 'detached' });
    await page.evaluate(() => window.__mqlabClipboard.forEach((answer) => answer()));
    // Two frames: the refusal path selects the field after the next frame.
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(ok, 0)))));
    assert.equal(await page.locator(`${next} ${tid('copy-status')}`).getAttribute('data-copied'), '',
      'the new demo shows no copy status of the old one');
  });
}
