// Shared pieces of the browser benchmarks (frame-bench.mjs, scrub-bench.mjs,
// soak.mjs): percentiles, the list of built demos read from src/catalog.rs,
// a course page with many embeds, and the machine's load. Not used by the
// test gate.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../tests/e2e/helpers.mjs';

/**
 * p50/p95/p99/max/mean of a list of numbers (nearest rank on the sorted
 * list: the value below which a fraction `p` of the samples fall).
 * Returns null for an empty list.
 */
export function summarize(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { n: values.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: sorted.at(-1), mean };
}

/** A number with one decimal, right-aligned in `width` characters. */
export const fmt = (v, width = 6) => (v === undefined || v === null ? '–' : v.toFixed(1)).padStart(width);

/**
 * The ids of the demos that `src/catalog.rs` marks `ready: true`, in the
 * chapter's order (read from the source, so a new demo is benchmarked with
 * no edit here).
 */
export function readyDemos(catalog = join(REPO_ROOT, 'src', 'catalog.rs')) {
  const src = readFileSync(catalog, 'utf8');
  const ids = [];
  for (const m of src.matchAll(/DemoInfo\s*\{([\s\S]*?)\n {4}\},/g)) {
    const id = m[1].match(/\bid:\s*"([^"]+)"/);
    const ready = m[1].match(/\bready:\s*(true|false)/);
    if (id && ready?.[1] === 'true') ids.push(id[1]);
  }
  if (ids.length === 0) throw new Error(`no ready demos found in ${catalog}`);
  return ids;
}

/**
 * A course page with one embed per id. `grid`: fixed-size tiles, every
 * embed on screen at once (off-screen embeds pause, which would hide their
 * cost); otherwise stacked as on a course page, where only the ones
 * scrolled into view play. `window.__send(i, msg)` drives embed i and
 * `window.__ev` collects what the embeds report.
 */
export function embedsPage(appBase, ids, { grid = false, cols = 5, tileHeight = 420 } = {}) {
  const divs = ids.map((id, i) => `<div id="e${i}" data-mqlab-demo="${id}" data-lang="en"></div>`).join('\n');
  const style = grid
    ? `body { margin: 0; display: grid; grid-template-columns: repeat(${cols}, 1fr); gap: 4px; }
body > div iframe { height: ${tileHeight}px !important; }`
    : 'body { margin: 0 auto; max-width: 960px; }';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>${ids.length} embeds</title>
<style>${style}</style></head><body>
${divs}
<script>
window.__ev = [];
for (const d of document.querySelectorAll('[data-mqlab-demo]')) {
  d.addEventListener('mqlab', (e) => window.__ev.push(Object.assign({ div: d.id }, e.detail)));
}
window.__send = (i, m) => window.mqlab.send(document.getElementById('e' + i), m);
</script>
<script src="${appBase}embed.js"></script>
</body></html>`;
}

/** Ten embeds: the built demos in order, repeated until there are ten. */
export function tenEmbedIds(demos = readyDemos()) {
  return Array.from({ length: 10 }, (_, i) => demos[i % demos.length]);
}

/** "load 0.42 0.61 0.80 (2 cores)" — say under what load a figure was taken. */
export function loadLine() {
  const [a, b, c] = loadavg();
  return `load average ${a.toFixed(2)} ${b.toFixed(2)} ${c.toFixed(2)}`;
}
