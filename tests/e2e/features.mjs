// Helpers for the share / embed / rewind tests (share.test.mjs,
// rewind.test.mjs, embed.test.mjs, robustness.test.mjs, a11y.test.mjs,
// network.test.mjs), on top of helpers.mjs. They work on any built demo:
// which slider to move and how far to run are derived from the page, not
// listed per demo. No fixed sleeps: every wait is a condition checked in
// the page.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  play, pause, setSlider, sliderPosition, sliderStops, simTime, tid, waitFor,
} from './helpers.mjs';

/**
 * How far the share, rewind and network tests run a demo before they scrub:
 * until its clock passes `us` or it has handled `events` events, whichever
 * comes first (a light demo needs simulated time for anything to happen, a
 * heavy one reaches plenty of events in a fraction of a second, and a link
 * to it must stay within the app's replay budget).
 */
export const RUN = { us: 20_000_000, events: 200_000 };

/**
 * The speed runTo() plays at. Peak-shaving's run goes idle (and pauses by
 * itself) once the burst has drained, ~40 s in: at 64x a busy frame moves
 * the clock by up to 6.4 s, so the few frames between "target passed" and
 * the Pause click could reach that point and race the click against the
 * automatic pause. 16x keeps well clear of it on every demo.
 */
export const SPEED = 16;

/**
 * The key of the first slider of the demo in `root` whose change goes on
 * with the run (data-live="true") rather than restarting it: the control
 * the share and rewind tests move.
 */
export async function liveSlider(page, root) {
  const key = await page
    .locator(`${root} input[type="range"][data-testid^="param-"][data-live="true"]`)
    .first()
    .getAttribute('data-testid', { timeout: 2_000 })
    .catch(() => null);
  if (!key) throw new Error(`${root}: no slider that applies live (data-live="true")`);
  return key.replace(/^param-/, '');
}

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
      if (i.type === 'checkbox' || i.type === 'radio') flags[k] = i.checked;
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
 * Plays `root` at `speed` until its clock passes `target.us` or its event
 * count passes `target.events` (a number means microseconds only), or the
 * run stops by itself because nothing is left to happen (a setting of 0
 * can do that); then pauses. Returns the clock.
 */
export async function runTo(page, root, target = RUN, speed = SPEED) {
  const { us, events = Infinity } = typeof target === 'number' ? { us: target } : target;
  await play(page, root, speed);
  await waitFor(
    page,
    ([sel, playSel, u, e]) => {
      const el = document.querySelector(sel);
      const t = Number(el?.getAttribute('data-time-us'));
      const n = Number(el?.getAttribute('data-events'));
      const stopped = document.querySelector(playSel)?.getAttribute('aria-pressed') !== 'true';
      return t > u || n > e || (stopped && t > 0);
    },
    [`${root} ${tid('sim-time')}`, `${root} ${tid('play')}`, us, Number.isFinite(events) ? events : Number.MAX_VALUE],
    { timeout: 60_000, what: `${root} to run past ${us} µs or ${events} events, or stop by itself` },
  );
  await pause(page, root);
  return simTime(page, root);
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

/**
 * Moves slider `key` of `root` by a tenth of its stops, down when there is
 * room (on most sliders, down is the lighter load), else up.
 */
export async function nudgeSlider(page, root, key) {
  const last = await sliderStops(page, root, key);
  const delta = Math.max(1, Math.round(last / 10));
  const pos = await sliderPosition(page, root, key);
  const to = pos - delta >= 0 ? pos - delta : pos + delta;
  return setSlider(page, root, key, Math.max(0, Math.min(last, to)));
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
