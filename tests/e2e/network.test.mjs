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
