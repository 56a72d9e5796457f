// Layout, on every built demo (from the catalog), in both languages, at a
// desktop width and a phone width, and in a 360 px embed:
// - no node's name or status line runs outside its box (after a second of
//   the run, paused, so the status lines hold real numbers);
// - on a phone the stage's text stays readable (no 7 px line boxes) and the
//   panels come before the controls, so pressing Play shows something move;
// - on a phone nothing but the stage scrolls sideways.
import assert from 'node:assert/strict';
import {
  BUILT_DEMOS, pause, play, seriousViolations, useApp, waitForDemo, waitForSimTime,
} from './helpers.mjs';

const app = useApp();

/** Smallest rendered font size (CSS px on screen) a node text may have on a phone. */
const MIN_TEXT_PX = 9;

/** Node texts that leave their box: "<node>: <text> (x0–x1 outside x0–x1)". */
function overflowingTexts(root) {
  const out = [];
  for (const g of document.querySelectorAll(`${root} .stage-nodes g.node`)) {
    const box = g.querySelector('.node-box').getBBox();
    for (const t of g.querySelectorAll(':scope > text')) {
      if (!t.textContent.trim()) continue;
      const b = t.getBBox();
      if (b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5) {
        out.push(`"${t.textContent}" spans ${b.x.toFixed(1)}–${(b.x + b.width).toFixed(1)}, box ${box.x.toFixed(1)}–${(box.x + box.width).toFixed(1)}`);
      }
    }
  }
  return out;
}

/** The smallest on-screen font size of any stage text, with that text. */
function smallestStageText(root) {
  let min = { px: Infinity, text: '' };
  for (const t of document.querySelectorAll(`${root} .stage-nodes text`)) {
    if (!t.textContent.trim()) continue;
    const px = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
    if (px < min.px) min = { px, text: t.textContent };
  }
  return min;
}

/** Plays a second of the run at 16× and pauses, so the page holds still. */
async function oneSecondIn(page, root) {
  await play(page, root, 16);
  await waitForSimTime(page, root, '>', 1_000_000);
  await pause(page, root);
}

const WIDTHS = [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]];

for (const id of BUILT_DEMOS) {
  for (const [widthName, viewport] of WIDTHS) {
    app.pageTest(`layout: ${id} at ${viewport.width} px (${widthName}), zh-CN and en: node text stays in its box`, async ({ page, open }) => {
      for (const lang of ['zh-CN', 'en']) {
        await open(`/demo/${id}`, { lang });
        const root = await waitForDemo(page, id);
        await oneSecondIn(page, root);
        const over = await page.evaluate(overflowingTexts, root);
        assert.deepEqual(over, [], `${id} (${lang}, ${viewport.width} px): node text outside its box`);
        if (widthName !== 'phone') continue;
        const small = await page.evaluate(smallestStageText, root);
        assert.ok(small.px >= MIN_TEXT_PX, `${id} (${lang}): "${small.text}" is drawn at ${small.px.toFixed(1)} px on a phone (want ≥ ${MIN_TEXT_PX})`);
        const order = await page.evaluate((r) => {
          const top = (sel) => document.querySelector(`${r} ${sel}`)?.getBoundingClientRect().top ?? null;
          const controls = [...document.querySelectorAll(`${r} .controls, ${r} .legs`)].map((e) => e.getBoundingClientRect().top);
          return { stage: top('.stage'), controls: controls.length ? Math.min(...controls) : null };
        }, root);
        assert.ok(order.stage !== null, `${id}: a stage`);
        if (order.controls !== null) {
          assert.ok(order.stage < order.controls, `${id} (${lang}): on a phone the stage (top ${order.stage}) comes before the controls (top ${order.controls})`);
        }
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(wide <= 0, `${id} (${lang}): the page scrolls sideways by ${wide} px on a phone`);
        // The stage scrolls sideways here: a keyboard must reach it.
        if (lang === 'en') assert.deepEqual(await seriousViolations(page), [], `${id}: axe on a phone`);
      }
    }, { viewport, bypassCSP: widthName === 'phone' });
  }

  app.pageTest(`layout: embed ${id} at 360 px: stage text readable, inside its boxes`, async ({ page, open }) => {
    await open(`/embed/${id}`, { lang: 'zh-CN' });
    const root = await waitForDemo(page, id);
    await oneSecondIn(page, root);
    assert.deepEqual(await page.evaluate(overflowingTexts, root), [], `embed ${id}: node text outside its box`);
    const small = await page.evaluate(smallestStageText, root);
    assert.ok(small.px >= MIN_TEXT_PX, `embed ${id}: "${small.text}" is drawn at ${small.px.toFixed(1)} px (want ≥ ${MIN_TEXT_PX})`);
  }, { viewport: { width: 360, height: 640 } });
}
