// Accessibility: axe-core finds no serious or critical violation on the
// home page, every built demo and its embed view, light and dark; every
// control is reachable with Tab and shows where the focus is; the live
// region speaks after pausing and stepping; no English is left on the
// Chinese pages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BUILT_DEMOS, TIMEOUT_MS, appUrl, collectErrors, pause, play, seriousViolations, tid, useApp, waitFor, waitForDemo,
  waitForSimTime, simTime,
} from './helpers.mjs';

const app = useApp();

/** A page in a context that may inject axe despite the app's CSP. */
async function axePage(t, fn, { colorScheme = 'light' } = {}) {
  const context = await app.browser.newContext({ bypassCSP: true, colorScheme, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const errors = collectErrors(page);
  try {
    await fn(page);
    errors.assertNone(t.name);
  } finally {
    await context.close();
  }
}

const PAGES = [
  ['home', '/', async (page) => page.locator(tid('demo-link-intro')).waitFor()],
  ...BUILT_DEMOS.map((id) => [`demo ${id}`, `/demo/${id}`, (page) => waitForDemo(page, id)]),
  ...BUILT_DEMOS.map((id) => [`embed ${id}`, `/embed/${id}`, (page) => waitForDemo(page, id)]),
];
const THEMES = [
  ['light', 'light', null],
  ['dark (prefers-color-scheme)', 'dark', null],
  ['dark (?theme=dark)', 'light', 'dark'],
];

for (const [name, route, ready] of PAGES) {
  for (const [themeName, colorScheme, theme] of THEMES) {
    test(`a11y: axe on ${name}, ${themeName}: no serious or critical violations`, async (tc) => {
      await axePage(tc, async (page) => {
        const url = appUrl(app.base, route, { lang: 'en' }) + (theme ? `&theme=${theme}` : '');
        await page.goto(url, { waitUntil: 'load' });
        await ready(page);
        if (theme) {
          await waitFor(page, (th) => document.documentElement.getAttribute('data-theme') === th, theme, { what: `data-theme=${theme}` });
        }
        const v = await seriousViolations(page);
        assert.equal(v.length, 0, `${url}:\n    ${v.join('\n    ')}`);
      }, { colorScheme });
    });
  }
}

/** Testids of the controls every demo page must let Tab reach. */
async function requiredControls(page, root) {
  // A choice is a radio group: its fieldset is a container, and Tab stops
  // once per group, at the checked radio (arrow keys move within it).
  const own = await page.locator(`${root} [data-testid^="param-"], ${root} [data-testid^="action-"]`)
    .evaluateAll((els) => els
      .filter((e) => e.tagName !== 'FIELDSET' && !(e.type === 'radio' && !e.checked))
      .map((e) => e.getAttribute('data-testid')));
  // The seed is there only where the run draws at random (see the seed test).
  const seed = (await page.locator(`${root} ${tid('seed')}`).count()) > 0 ? ['seed'] : [];
  return ['play', 'step', 'reset', 'speed', ...seed, 'timeline', 'step-back', 'step-forward', ...own, 'copy-link', 'copy-embed', 'lang-switch'];
}

for (const id of BUILT_DEMOS) {
  app.pageTest(`a11y: ${id}: Tab reaches every control and each shows a visible focus indicator`, async ({ page, open }) => {
    await open(`/demo/${id}`, { lang: 'en' });
    const root = await waitForDemo(page, id);
    const want = await requiredControls(page, root);
    const reached = new Map(); // testid -> focus style
    let first = null;
    for (let i = 0; i < 200; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const cs = getComputedStyle(el);
        const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
        const shadow = cs.boxShadow && cs.boxShadow !== 'none';
        return {
          id: el.getAttribute('data-testid') ?? `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`,
          key: el.outerHTML.slice(0, 120),
          visible: Boolean(outline || shadow),
          style: `outline: ${cs.outlineStyle} ${cs.outlineWidth}; box-shadow: ${cs.boxShadow}`,
        };
      });
      if (f === null) {
        if (first !== null) break; // wrapped around to the document
        continue;
      }
      if (first === null) first = f.key;
      else if (f.key === first) break; // wrapped around
      if (!reached.has(f.id)) reached.set(f.id, f);
    }
    const missing = want.filter((w) => !reached.has(w));
    assert.deepEqual(missing, [], `${id}: Tab never reached ${missing.join(', ')} (reached: ${[...reached.keys()].join(', ')})`);
    const invisible = want.filter((w) => !reached.get(w).visible).map((w) => `${w} (${reached.get(w).style})`);
    assert.deepEqual(invisible, [], `${id}: no visible focus indicator on ${invisible.join(', ')}`);
  });
}

app.pageTest('a11y: the live region summarizes the run after pausing and after stepping', async ({ page, open }) => {
  await open('/demo/peak-shaving', { lang: 'en' });
  const root = await waitForDemo(page, 'peak-shaving');
  const live = page.locator(tid('live-summary'));
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  assert.match(await live.getAttribute('class'), /\bsr-only\b/);
  await play(page, root, 16);
  await waitForSimTime(page, root, '>', 1_000_000);
  await pause(page, root);
  const afterPause = await waitFor(page, (sel) => document.querySelector(sel)?.textContent.trim() || false, tid('live-summary'), {
    what: 'a summary after pausing',
  });
  assert.match(afterPause, /[A-Za-z]{3,}/);
  const t = await simTime(page, root);
  await page.locator(`${root} ${tid('step')}`).click();
  await waitForSimTime(page, root, '>', t);
  // The summary speaks the counts now shown (it may read as before: a step
  // need not change a count).
  await waitFor(page, ([sel, panel]) => {
    const s = document.querySelector(sel)?.textContent ?? '';
    const done = Number(document.querySelector(`${panel} [data-testid="metric-done"]`)?.getAttribute('data-value'));
    return s.includes(`${done.toLocaleString('en-US')} processed`) ? s : false;
  }, [tid('live-summary'), tid('panel-queue')], { what: 'a summary of the counts after stepping' });
});

// ------------------------------------------------------- translation ----

/**
 * Text that may be identical in both languages: the brand, names, units and
 * numbers. Each entry is removed before looking for a run of 3+ ASCII letters.
 */
const ALLOWED = [
  /\bmqlab\b/gi, // the brand
  /\b(Redis Stream|Kafka|RabbitMQ|RocketMQ|Redis|MySQL|HTTP|JSON|API)\b/g, // names (products keep their names in Chinese)
  /\bp9[59]\b/g, // percentiles
  /\b(ms|µs|s|KB|MB)\b/g, // units
];

/** The visible text nodes of the page (trimmed, de-duplicated). */
const visibleTexts = (page) =>
  page.evaluate(() => {
    const out = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const s = n.textContent.replace(/\s+/g, ' ').trim();
      if (!s) continue;
      const el = n.parentElement;
      if (!el || el.closest('script, style, noscript, .sr-only')) continue;
      if (!el.checkVisibility?.({ visibilityProperty: true, opacityProperty: true }) && el.getClientRects().length === 0) continue;
      out.add(s);
    }
    return [...out];
  });

for (const id of BUILT_DEMOS) {
  app.pageTest(`i18n: ${id}: no visible English left on the Chinese page`, async ({ page, open }) => {
    await open(`/demo/${id}`, { lang: 'en' });
    await waitForDemo(page, id);
    await waitFor(page, () => document.documentElement.lang === 'en', undefined, { what: 'lang en' });
    const en = new Set(await visibleTexts(page));
    await page.locator(tid('lang-switch')).click();
    await waitFor(page, () => document.documentElement.lang === 'zh-CN', undefined, { what: 'lang zh-CN' });
    await waitForDemo(page, id);
    // Wait until the page's text has actually changed language.
    await waitFor(page, () => /[\u4e00-\u9fff]/.test(document.body.innerText), undefined, { what: 'Chinese text' });
    const zh = await visibleTexts(page);
    // A text its language's pack lacks reads ⟦?⟧ (components/src/i18n.rs).
    const missing = [...en, ...zh].filter((s) => s.includes('⟦?⟧'));
    assert.deepEqual(missing, [], `${id}: text missing from a text pack`);
    const same = zh.filter((s) => en.has(s));
    const untranslated = same.filter((s) => {
      let rest = s;
      for (const re of ALLOWED) rest = rest.replace(re, ' ');
      return /[A-Za-z]{3,}/.test(rest);
    });
    assert.deepEqual(untranslated, [], `${id}: text identical in en and zh-CN:\n    ${untranslated.join('\n    ')}`);
  });
}
