// Generic end-to-end tests of the built app (dist/): every page loads in both
// languages without a single console error, failed request or HTTP error,
// renders its root, and is saved as a screenshot in tests/e2e/artifacts/.
import assert from 'node:assert/strict';
import {
  ALL_DEMOS, BUILT_DEMOS, CATALOG, LANGS, screenshot, tid, useApp, waitFor, waitForDemo,
} from './helpers.mjs';

const app = useApp();

const HAS_CJK = /[\u3400-\u9fff]/;

/** Waits until <html lang> is `lang`. */
const waitForLang = (page, lang) =>
  waitFor(page, (want) => document.documentElement.lang === want, lang, { what: `<html lang="${lang}">` });

/** The visible text of the page, once it has some. */
const visibleText = (page) =>
  waitFor(page, () => {
    const s = document.body.innerText.trim();
    return s.length > 0 ? s : false;
  }, undefined, { what: 'visible text' });

for (const lang of LANGS) {
  app.pageTest(`home loads (${lang}) and lists every demo in chapter order`, async ({ page, open }) => {
    await open('/', { lang });
    await page.locator(tid('demo-link-intro')).waitFor();
    await waitForLang(page, lang);
    const listed = await page
      .locator('[data-testid^="demo-link-"], [data-testid^="demo-coming-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    const expected = ALL_DEMOS.map((id) => (BUILT_DEMOS.includes(id) ? `demo-link-${id}` : `demo-coming-${id}`));
    assert.deepEqual(listed, expected);
    // The built app's cards say what catalog.rs says (the per-demo tests
    // iterate over what tests/e2e/catalog.mjs reads from catalog.rs): a
    // misread catalog or a stale dist/ fails here.
    const cards = await page
      .locator('li.demo-card')
      .evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-demo'), ready: e.getAttribute('data-ready') === 'true' })));
    assert.deepEqual(cards, CATALOG, 'home page cards (data-demo, data-ready) vs src/catalog.rs');
    assert.ok(BUILT_DEMOS.length >= 3, `built demos read from the catalog: ${BUILT_DEMOS.join(', ')}`);
    for (const id of BUILT_DEMOS) {
      const link = page.locator(`a${tid(`demo-link-${id}`)}`);
      assert.equal(await link.count(), 1, `a[data-testid=demo-link-${id}]`);
      assert.match(await link.getAttribute('href'), new RegExp(`#/demo/${id}(\\?|$)`));
    }
    if (lang === 'zh-CN') assert.match(await visibleText(page), HAS_CJK);
    await screenshot(page, `home-${lang}`);
  });

  for (const id of BUILT_DEMOS) {
    app.pageTest(`demo ${id} loads (${lang}) with its controls`, async ({ page, open }) => {
      await open(`/demo/${id}`, { lang });
      const root = await waitForDemo(page, id);
      await waitForLang(page, lang);
      for (const control of ['play', 'step', 'reset', 'sim-time']) {
        assert.ok((await page.locator(`${root} ${tid(control)}`).count()) > 0, `${id}: ${control}`);
      }
      const speeds = await page
        .locator(`${root} select${tid('speed')}`)
        .first()
        .locator('option')
        .evaluateAll((os) => os.map((o) => Number(o.value)));
      assert.deepEqual(speeds, [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]);
      assert.ok((await page.locator(`${root} svg${tid('stage')}`).count()) > 0, `${id}: svg stage`);
      if (lang === 'zh-CN') assert.match(await visibleText(page), HAS_CJK);
      await screenshot(page, `demo-${id}-${lang}`);
    });
  }
}

app.pageTest('peak-shaving has a chart', async ({ page, open }) => {
  await open('/demo/peak-shaving', { lang: 'en' });
  const root = await waitForDemo(page, 'peak-shaving');
  await page.locator(`${root} ${tid('chart')}`).first().waitFor();
});

app.pageTest('the home links open the demos', async ({ page, open }) => {
  await open('/', { lang: 'en' });
  for (const id of BUILT_DEMOS) {
    await page.locator(tid(`demo-link-${id}`)).click();
    await waitForDemo(page, id);
    assert.match(page.url(), new RegExp(`#/demo/${id}`));
    await page.goBack();
    await page.locator(tid('demo-link-intro')).waitFor();
  }
});

app.pageTest('the language switch changes <html lang> and the visible text', async ({ page, open }) => {
  await open('/', { lang: 'en' });
  await page.locator(tid('demo-link-intro')).waitFor();
  await waitForLang(page, 'en');
  const enText = await visibleText(page);
  await page.locator(tid('lang-switch')).click();
  await waitForLang(page, 'zh-CN');
  const zhText = await waitFor(page, (before) => {
    const s = document.body.innerText.trim();
    return s !== before ? s : false;
  }, enText, { what: 'the text to change' });
  assert.match(zhText, HAS_CJK);
  await page.locator(tid('lang-switch')).click();
  await waitForLang(page, 'en');
  await waitFor(page, (before) => document.body.innerText.trim() === before, enText, {
    what: 'the English text to come back',
  });
});

app.pageTest('the language switch works on a demo page too', async ({ page, open }) => {
  await open('/demo/peak-shaving', { lang: 'zh-CN' });
  await waitForDemo(page, 'peak-shaving');
  await waitForLang(page, 'zh-CN');
  await page.locator(tid('lang-switch')).click();
  await waitForLang(page, 'en');
  await waitForDemo(page, 'peak-shaving');
});

for (const [locale, lang] of [['zh-CN', 'zh-CN'], ['en-US', 'en']]) {
  app.pageTest(
    `without ?lang a ${locale} browser gets ${lang}`,
    async ({ page, open }) => {
      await open('/');
      await page.locator(tid('demo-link-intro')).waitFor();
      await waitForLang(page, lang);
    },
    { locale },
  );
}

app.pageTest('the app works from a sub-path (public_url = "./")', async ({ page, base }) => {
  await page.goto(`${base}sub/path/index.html#/demo/intro?lang=en`, { waitUntil: 'load' });
  await waitForDemo(page, 'intro');
});
