// The demo list, read from the app's own catalog (src/catalog.rs), so every
// per-demo test covers a demo the moment it is marked `ready: true` there,
// with no edit to the tests. app.test.mjs checks this reading against the
// built app's home page (whose cards carry data-demo and data-ready), so a
// misread catalog or a stale dist/ fails loudly instead of silently testing
// fewer demos.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CATALOG_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'catalog.rs');

/** Parses the `DEMOS` array of catalog.rs into [{ id, ready }], in order. */
export function parseCatalog(text) {
  const start = text.indexOf('pub static DEMOS');
  if (start < 0) throw new Error(`${CATALOG_FILE}: no \`pub static DEMOS\``);
  const body = text.slice(start);
  const declared = Number(body.match(/\[DemoInfo;\s*(\d+)\]/)?.[1]);
  const demos = [];
  // Each entry is a `DemoInfo { ... }` literal with `id: "..."` first and
  // `ready: true|false` somewhere in it.
  for (const m of body.matchAll(/DemoInfo\s*\{([\s\S]*?)\n\s*\},?/g)) {
    const id = m[1].match(/\bid:\s*"([^"]+)"/)?.[1];
    const ready = m[1].match(/\bready:\s*(true|false)\b/)?.[1];
    if (!id || !ready) throw new Error(`${CATALOG_FILE}: cannot read an entry:\n${m[0].slice(0, 200)}`);
    demos.push({ id, ready: ready === 'true' });
  }
  if (!demos.length || (Number.isFinite(declared) && demos.length !== declared)) {
    throw new Error(`${CATALOG_FILE}: read ${demos.length} demos, the array declares ${declared}`);
  }
  return demos;
}

export const CATALOG = parseCatalog(readFileSync(CATALOG_FILE, 'utf8'));
/** Every demo, in the chapter's order. */
export const ALL_DEMOS = CATALOG.map((d) => d.id);
/** The demos that are built (`ready: true`); the others show as "coming". */
export const BUILT_DEMOS = CATALOG.filter((d) => d.ready).map((d) => d.id);
