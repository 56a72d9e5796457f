// Content Security Policy and network: dist/index.html carries a CSP meta
// with default-src 'self', and from page load through play, scrub and share
// every request the page makes is for one of the app's own files, from the
// app's own origin.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_DEMOS, DIST, appUrl, play, tid, useApp, waitForDemo, waitForSimTime } from './helpers.mjs';
import { copyEmbed, copyLink, seek, waitForPast } from './features.mjs';

const app = useApp();

/** Whether a URL path names a file in dist/ (also served under /sub/path/). */
function isAppFile(pathname) {
  const p = decodeURIComponent(pathname).replace(/^\/sub\/path\//, '/');
  const file = join(DIST, p.endsWith('/') ? p + 'index.html' : p);
  return file.startsWith(DIST) && existsSync(file) && statSync(file).isFile();
}

test("csp: dist/index.html has a CSP meta with default-src 'self'", () => {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const meta = html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i);
  assert.ok(meta, 'no <meta http-equiv="Content-Security-Policy"> in dist/index.html');
  assert.match(meta[1], /(^|;)\s*default-src 'self'(\s|;|$)/, meta[1]);
});

for (const id of BUILT_DEMOS) {
  app.pageTest(`network: ${id}: only the app's own files, from its own origin, through play, scrub and share`, async ({ page, base }) => {
    const requests = [];
    page.context().on('request', (r) => requests.push(r.url()));
    await page.goto(appUrl(base, `/demo/${id}`, { lang: 'en' }), { waitUntil: 'load' });
    const root = await waitForDemo(page, id);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(csp ?? '', /(^|;)\s*default-src 'self'(\s|;|$)/, `CSP in the page: ${csp}`);

    await play(page, root, 64);
    await waitForSimTime(page, root, '>', 2_000_000, { timeout: 60_000 });
    await seek(page, root, 300);
    await waitForPast(page, root);
    await page.locator(`${root} ${tid('jump-live')}`).click();
    await copyLink(page, root);
    await copyEmbed(page, root);

    const origin = new URL(base).origin;
    const bad = requests.filter((u) => {
      const url = new URL(u);
      if (url.protocol === 'data:' || url.protocol === 'about:') return false; // not network
      return url.origin !== origin || !isAppFile(url.pathname);
    });
    assert.deepEqual(bad, [], `${id}: requests that are not the app's own files:\n  ${bad.join('\n  ')}`);
    assert.ok(requests.some((u) => u.endsWith('.wasm')), 'the wasm was requested (the recorder works)');
  });
}

// ----------------------------------------------------------- text packs ----
// The words of each language are a file of their own (scripts/text-pack.mjs):
// a page fetches the pack of the language it shows, the other only when the
// learner switches, and says so in both languages if its pack cannot come.

const packRequests = (requests) => requests.filter((u) => /\/text-(zh|en)-[0-9a-f]+\.txt$/.test(new URL(u).pathname));

app.pageTest('text packs: a page fetches only its own language, the other on switching', async ({ page, open }) => {
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await open('/demo/intro', { lang: 'zh-CN' });
  await waitForDemo(page, 'intro');
  const first = packRequests(requests);
  assert.equal(first.length, 1, `packs fetched on load: ${first.join(', ')}`);
  assert.match(first[0], /text-zh-/);
  await page.locator(tid('lang-switch')).click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  const both = packRequests(requests);
  assert.equal(both.length, 2, `packs fetched after switching: ${both.join(', ')}`);
  assert.match(both[1], /text-en-/);
  // Back again: the first pack is in memory, nothing more is fetched.
  await page.locator(tid('lang-switch')).click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  assert.equal(packRequests(requests).length, 2);
  const text = await page.evaluate(() => document.body.innerText);
  assert.ok(!text.includes('⟦?⟧'), 'a text is missing from its pack');
});

app.pageTest('text packs: without its pack the page says why in both languages, and switching back keeps working', async ({ page, open, errors }) => {
  // The English pack cannot be fetched: starting in English shows the error.
  await page.route(/\/text-en-[0-9a-f]+\.txt$/, (route) => route.fulfill({ status: 503, body: 'down' }));
  await open('/demo/intro', { lang: 'en' });
  const panel = page.locator(tid('text-load-error'));
  await panel.waitFor({ state: 'visible' });
  const said = await panel.innerText();
  assert.match(said, /reload/i);
  assert.match(said, /刷新/);
  assert.ok(errors.errors.some((e) => /text pack could not be loaded/.test(e)), errors.errors.join('\n'));
  // Starting in Chinese works, and switching to the missing English keeps
  // the page in Chinese instead of blanking it.
  errors.errors.length = 0;
  await page.goto('about:blank'); // a new document, not a hash change
  await open('/demo/intro', { lang: 'zh-CN' });
  await waitForDemo(page, 'intro');
  const failed = page.waitForEvent('console', { predicate: (m) => /text pack could not be loaded/.test(m.text()) });
  await page.locator(tid('lang-switch')).click();
  await failed;
  await waitForDemo(page, 'intro');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.ok(/[\u4e00-\u9fff]/.test(await page.evaluate(() => document.body.innerText)));
  // Only errors about the pack made to fail are expected (Chromium may also
  // report its request as aborted when the page moves on).
  const expected = (e) => /text-en-[0-9a-f]+\.txt|text pack could not be loaded|\b503\b/.test(e);
  assert.ok(errors.errors.every(expected), errors.errors.join('\n'));
  errors.errors.length = 0;
});
