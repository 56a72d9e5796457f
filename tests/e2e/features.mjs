// Helpers for the share / embed / rewind tests (share.test.mjs,
// rewind.test.mjs, embed.test.mjs, robustness.test.mjs, a11y.test.mjs,
// network.test.mjs), on top of helpers.mjs. No fixed sleeps: every wait is a
// condition checked in the page.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  play, pause, setSlider, sliderPosition, simTime, tid, waitFor, waitForNumber,
} from './helpers.mjs';

/**
 * The demos with the timeline, share panel and embed API that these tests
 * cover (helpers.mjs's BUILT_DEMOS grows as demos are added; these tests
 * name theirs, since each needs the per-demo settings below).
 */
export const SHARE_DEMOS = ['intro', 'components', 'peak-shaving'];

/**
 * One slider per demo that the share and rewind tests move, and by how many
 * thumb positions (0–1000).
 */
export const SLIDER = {
  intro: { key: 'rate_per_s', delta: 200 },
  components: { key: 'rate_per_s', delta: 200 },
  'peak-shaving': { key: 'db_rate_per_s', delta: 150 },
};

/** How far (µs of simulated time) each demo is run before the tests scrub. */
export const RUN_TO_US = {
  intro: 20_000_000,
  components: 20_000_000,
  'peak-shaving': 3_000_000,
};

/**
 * Everything a reader sees of a demo's state: the clock, every metric card
 * of every panel (data-value), every slider's aria-valuetext and every
 * checkbox's checked state.
 */
export function snapshot(page, root) {
  return page.evaluate((rootSel) => {
    const r = document.querySelector(rootSel);
    const panels = {};
    for (const p of r.querySelectorAll('[data-testid^="panel-"]')) {
      const m = {};
      for (const c of p.querySelectorAll('[data-testid^="metric-"]')) {
        m[c.getAttribute('data-testid')] = c.getAttribute('data-value');
      }
      panels[p.getAttribute('data-testid')] = m;
    }
    const sliders = {};
    const flags = {};
    for (const i of r.querySelectorAll('input[data-testid^="param-"]')) {
      const k = i.getAttribute('data-testid');
      if (i.type === 'checkbox') flags[k] = i.checked;
      else sliders[k] = i.getAttribute('aria-valuetext');
    }
    return {
      t: r.querySelector('[data-testid="sim-time"]').getAttribute('data-time-us'),
      panels,
      sliders,
      flags,
    };
  }, root);
}

/**
 * The speed each demo is played at by runTo(). Peak-shaving's run goes idle
 * (and pauses by itself) once the burst has drained, ~40 s in: at 64× a
 * busy frame moves the clock by up to 6.4 s, so the few frames between
 * "clock passed the target" and the Pause click could reach that point and
 * race the click against the automatic pause. 16× keeps well clear of it.
 */
export const SPEED = { intro: 64, components: 64, 'peak-shaving': 16 };

/**
 * Plays `root` at `speed` (default: SPEED of the demo named in `root`) until
 * its clock passes `us`, then pauses.
 */
export async function runTo(page, root, us, speed) {
  speed ??= SPEED[root.match(/demo-([a-z-]+)/)?.[1]] ?? 64;
  await play(page, root, speed);
  await waitForNumber(page, `${root} ${tid('sim-time')}`, 'data-time-us', '>', us, { timeout: 60_000 });
  await pause(page, root);
}

/**
 * Moves the timeline thumb to `pos` (0–1000) and returns the clock after
 * the seek (seeking is synchronous on the input event).
 */
export async function seek(page, root, pos) {
  await page.locator(`${root} ${tid('timeline')}`).fill(String(pos));
  return simTime(page, root);
}

/** Waits for the "viewing the past" badge to be shown / hidden. */
export async function waitForPast(page, root, visible = true) {
  await page.locator(`${root} ${tid('past-badge')}`).waitFor({ state: visible ? 'visible' : 'hidden' });
}

/** Moves slider `key` of `root` by `delta` positions (clamped to 0–1000). */
export async function nudgeSlider(page, root, key, delta) {
  const pos = await sliderPosition(page, root, key);
  const to = pos + delta <= 1000 ? pos + delta : pos - delta;
  return setSlider(page, root, key, Math.max(0, Math.min(1000, to)));
}

/** Clicks copy-link and returns the share URL it shows. */
export async function copyLink(page, root) {
  await page.locator(`${root} ${tid('copy-link')}`).click();
  return waitFor(
    page,
    (sel) => document.querySelector(sel)?.value || false,
    `${root} input${tid('share-url')}`,
    { what: 'the share URL' },
  );
}

/** Clicks copy-embed and returns the embed code it shows. */
export async function copyEmbed(page, root) {
  await page.locator(`${root} ${tid('copy-embed')}`).click();
  return waitFor(
    page,
    (sel) => document.querySelector(sel)?.value || false,
    `${root} textarea${tid('embed-code')}`,
    { what: 'the embed code' },
  );
}

/** The `s=` value of a URL whose options are in its hash. */
export function stateOf(url) {
  const q = new URL(url).hash.split('?')[1] ?? '';
  for (const kv of q.split('&')) {
    const i = kv.indexOf('=');
    if (i > 0 && kv.slice(0, i) === 's') return kv.slice(i + 1);
  }
  return null;
}

/** A deterministic PRNG (mulberry32) so random tests reproduce from a seed. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}

/** Writes `files` ({name: text}) into a new temp dir; returns { dir, remove() }. */
export function tempSite(files) {
  const dir = mkdtempSync(join(tmpdir(), 'mqlab-host-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asserts that two snapshots are identical, naming the first difference. */
export function assertSameState(actual, expected, what) {
  assert.deepStrictEqual(actual, expected, `${what}: state differs`);
}
