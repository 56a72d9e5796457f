// Bad links never break the app: 200 random URLs (seeded, so a failure
// reproduces: MQLAB_FUZZ_SEED=<n> picks another run) each show a demo (with
// a link notice when its s= was unusable), the home page, or "not found";
// never a panic panel, never a page error. Plus the deliberate panic page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ALL_DEMOS, BUILT_DEMOS, TIMEOUT_MS, collectErrors, play, pause, tid, useApp, waitFor, waitForDemo,
} from './helpers.mjs';
import { copyLink, prng, runTo, seek, snapshot, stateOf, waitForPast } from './features.mjs';

const app = useApp();
const SEED = Number(process.env.MQLAB_FUZZ_SEED ?? 20261127);
const COUNT = Number(process.env.MQLAB_FUZZ_COUNT ?? 200);
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const JUNK = B64 + '.~!$\'()*+,;:@/%<>"{}|\\^`[] \u00e9\u4e2d\u{1F600}';

/** What the app should show for `url` (mirrors src/route.rs). */
function expectedRoute(url) {
  const hash = new URL(url).hash.replace(/^#/, '');
  const parts = hash.split('?')[0].split('/').filter((p) => p !== '');
  if (parts.length === 0) return { kind: 'home' };
  if (parts.length === 2 && (parts[0] === 'demo' || parts[0] === 'embed') && BUILT_DEMOS.includes(parts[1])) {
    return { kind: 'demo', id: parts[1] };
  }
  // Other catalog entries: a demo page or a "coming soon" page.
  if (parts.length === 2 && (parts[0] === 'demo' || parts[0] === 'embed') && ALL_DEMOS.includes(parts[1])) {
    return { kind: 'other-demo', id: parts[1] };
  }
  if (parts.length === 2 && parts[0] === 'debug' && parts[1] === 'panic') return { kind: 'panic' };
  return { kind: 'not-found' };
}

/** One random URL and what is known about its s= ('none' | 'good' | 'bad' | 'maybe'). */
function randomCase(r, base, realState) {
  const str = (n, alphabet = JUNK) => Array.from({ length: n }, () => r.pick([...alphabet])).join('');
  const segs = ['demo', 'embed', 'debug', ...BUILT_DEMOS, 'dlq', 'seckill-system', 'nope', '..', '.', '%2e%2e', '%00', 'DEMO', 'intro ', '<script>', '\u4e2d\u6587', 'x'.repeat(300)];
  let path;
  const kind = r.int(10);
  if (kind < 6) path = `/${r.pick(['demo', 'embed'])}/${r.pick(BUILT_DEMOS)}`;
  else if (kind < 8) path = '/' + Array.from({ length: r.int(4) }, () => r.pick(segs)).join('/');
  else path = '/' + str(r.int(40)).replace(/[#?&]/g, '');
  if (path === '/debug/panic') path = '/debug/panic/not';

  let s = null;
  let sKind = 'none';
  switch (r.int(9)) {
    case 0: break;
    case 1: s = realState; sKind = 'good'; break;
    case 2: s = str(1 + r.int(60)).replace(/[#&]/g, '~'); sKind = 'bad'; break;
    case 3: s = realState.slice(0, 2 + r.int(realState.length - 3)); sKind = 'bad'; break;
    case 4: s = '1.' + str(1 + r.int(200), B64); sKind = 'bad'; break;
    case 5: s = r.pick(['2.', '3.', '0.', '99.', '1', '1..', 'v1.']) + str(r.int(40), B64); sKind = 'bad'; break;
    case 6: { // one bit flipped somewhere: may still decode (to another run)
      const i = 2 + r.int(realState.length - 2);
      s = realState.slice(0, i) + String.fromCharCode(realState.charCodeAt(i) ^ (1 << r.int(7))) + realState.slice(i + 1);
      s = s.replace(/[#&]/g, '~');
      sKind = 'maybe';
      break;
    }
    case 7: s = (r.int(2) ? '1.' : '') + 'A'.repeat(r.pick([5_000, 40_000, 70_000])); sKind = 'bad'; break;
    default: s = '1.' + encodeURIComponent(str(20)); sKind = 'bad';
  }
  const opts = [];
  if (r.int(2)) opts.push(`lang=${r.pick(['en', 'zh-CN', 'fr', '', 'EN', 'zh', str(8).replace(/[#&]/g, '')])}`);
  if (s !== null) opts.push(`s=${s}`);
  if (r.int(2)) opts.push(`theme=${r.pick(['dark', 'light', 'Dark', '', 'blue', str(6).replace(/[#&]/g, '')])}`);
  if (r.int(4) === 0) opts.push(`${str(3, B64)}=${str(5, B64)}`);
  // Shuffle the options.
  for (let i = opts.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [opts[i], opts[j]] = [opts[j], opts[i]];
  }
  const url = `${base}index.html#${path}${opts.length ? '?' + opts.join('&') : ''}`;
  return { url, sKind, theme: opts.find((o) => o.startsWith('theme='))?.slice(6), lang: opts.find((o) => o.startsWith('lang='))?.slice(5) };
}

/** A real share link's s= for a played, scrubbed peak-shaving run. */
async function realShareState(page, base) {
  await page.goto(`${base}index.html#/demo/peak-shaving?lang=en`, { waitUntil: 'load' });
  const root = await waitForDemo(page, 'peak-shaving');
  await runTo(page, root, 2_000_000);
  await seek(page, root, 600);
  await waitForPast(page, root);
  return stateOf(await copyLink(page, root));
}

app.pageTest(`robustness: ${COUNT} random URLs (seed ${SEED}) show a demo, home or not-found, never a panic`, async ({ page, base, errors }) => {
  const realState = await realShareState(page, base);
  assert.match(realState, /^2\.[A-Za-z0-9_-]+$/);
  // Defaults of every demo, to compare with a bad link's demo.
  // Defaults of every demo in both languages (slider texts are localized).
  const defaults = {};
  for (const id of BUILT_DEMOS) {
    for (const lang of ['en', 'zh-CN']) {
      await page.goto(`${base}index.html#/demo/${id}?lang=${lang}`, { waitUntil: 'load' });
      defaults[`${id} ${lang}`] = await snapshot(page, await waitForDemo(page, id));
    }
  }

  const r = prng(SEED);
  const cases = Array.from({ length: COUNT }, () => randomCase(r, base, realState));
  const failures = [];
  const short = { timeout: 8_000 };
  for (let n = 0; n < COUNT && failures.length < 5; n++) await check(page, errors, n, cases[n]);
  assert.equal(failures.length, 0, `${failures.length} URL(s) failed (seed ${SEED}; stops after 5):\n  ${failures.join('\n  ')}`);

  async function check(page, errors, n, c) {
    const want = expectedRoute(c.url);
    const seen = errors.errors.length;
    try {
      await page.goto('about:blank');
      await page.goto(c.url, { waitUntil: 'load' });
      const shown = await waitFor(
        page,
        () => {
          const q = (s) => document.querySelector(s);
          if (q('[data-testid="panic-panel"]')) return 'panic';
          if (q('[data-testid="not-found"]')) return 'not-found';
          if (q('[data-testid^="demo-"].demo')) return 'demo';
          if (q('[data-testid^="demo-coming-page-"]')) return 'coming';
          if (q('[data-testid="demo-link-intro"]')) return 'home';
          return false;
        },
        undefined,
        { ...short, what: 'a demo, home, not-found or panic panel' },
      );
      if (want.kind === 'other-demo') assert.ok(['demo', 'coming'].includes(shown), `shows ${shown}, expected a demo or its "coming" page`);
      else assert.equal(shown, want.kind, `shows ${shown}, expected ${want.kind}`);
      if (want.kind === 'demo') {
        const root = await waitForDemo(page, want.id);
        const notice = page.locator(tid('link-notice'));
        const lang = await page.evaluate(() => document.documentElement.lang);
        assert.ok(['en', 'zh-CN'].includes(lang), `<html lang="${lang}">`);
        if (c.sKind === 'bad') {
          await notice.waitFor({ state: 'visible', ...short }).catch((e) => {
            throw new Error(`no [data-testid=link-notice] for a bad s= (${c.url.length} chars): ${e.message.split('\n')[0]}`);
          });
          const got = await snapshot(page, root);
          const def = defaults[`${want.id} ${lang}`];
          assert.equal(got.t, '0', 'a bad link opens at time 0');
          assert.deepStrictEqual(got.sliders, def.sliders, 'a bad link opens with the default settings');
          assert.deepStrictEqual(got.flags, def.flags, 'a bad link opens with the default switches');
        } else if (c.sKind === 'none' || c.sKind === 'good') {
          assert.equal(await notice.count(), 0, `no link notice for s=${c.sKind}`);
        }
        if (c.lang === 'en' || c.lang === 'zh-CN') assert.equal(lang, c.lang);
        const theme = await page.evaluate(() => document.documentElement.getAttribute('data-theme'));
        const wantTheme = c.theme === 'dark' || c.theme === 'light' ? c.theme : null;
        assert.equal(theme, wantTheme, `data-theme for theme=${c.theme}`);
      }
      if (errors.errors.length > seen) throw new Error(errors.errors.slice(seen).join(' | '));
    } catch (e) {
      failures.push(`#${n} ${c.url.length > 300 ? c.url.slice(0, 300) + `… (${c.url.length} chars)` : c.url}\n    s: ${c.sKind}: ${e.message.split('\n')[0]}`);
      errors.errors.length = seen; // reported above, with its URL
    }
  }
});

app.pageTest('robustness: a bad link shows a notice that can be dismissed; the demo is at time 0 with defaults', async ({ page, open }) => {
  await open('/demo/components', { lang: 'en' });
  const defaults = await snapshot(page, await waitForDemo(page, 'components'));
  await page.goto('about:blank');
  await open('/demo/components?s=1.bm90LWpzb24', { lang: 'en' });
  const root = await waitForDemo(page, 'components');
  await page.locator(tid('link-notice')).waitFor({ state: 'visible' });
  assert.deepStrictEqual(await snapshot(page, root), defaults);
  await page.locator(tid('dismiss-link-notice')).click();
  await page.locator(tid('link-notice')).waitFor({ state: 'hidden' });
  // Still a working demo.
  await play(page, root, 64);
  await pause(page, root);
});

test('robustness: #/debug/panic shows the panic panel with a reload link', async () => {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  collectErrors(page); // console errors are expected here
  try {
    await page.goto(`${app.base}index.html#/debug/panic`, { waitUntil: 'load' });
    const panel = page.locator(tid('panic-panel'));
    await panel.waitFor({ state: 'visible' });
    assert.equal(await panel.getAttribute('role'), 'alert');
    const reload = panel.locator('a[href], button');
    assert.ok((await reload.count()) >= 1, 'a reload link');
  } finally {
    await context.close();
  }
});
