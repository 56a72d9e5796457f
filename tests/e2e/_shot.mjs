import { startServer, launchBrowser, appUrl } from './helpers.mjs';
const [route, out, lang='en', w='1280', clicks=''] = process.argv.slice(2);
const server = await startServer();
const browser = await launchBrowser();
const page = await (await browser.newContext({ viewport: { width: Number(w), height: 900 } })).newPage();
page.on('console', m => { if (m.type() === 'error' || m.type()==='warning') console.log('console:', m.text()); });
await page.goto(appUrl(server.url, route, { lang }), { waitUntil: 'load' });
await page.waitForSelector('[data-testid^=demo-]');
for (const c of clicks.split(',').filter(Boolean)) {
  if (c.startsWith('wait')) { await page.waitForFunction((ms) => Number(document.querySelector('[data-testid=sim-time]').getAttribute('data-time-us')) > ms*1000, Number(c.slice(4))); continue; }
  await page.click(`[data-testid=${c}]`);
}
await page.screenshot({ path: out, fullPage: true });
await browser.close(); await server.stop();
