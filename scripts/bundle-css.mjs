// Part of the post_build hook (scripts/post-build.mjs): joins the style sheets Trunk copied (one per
// widget and demo, each kept beside its code) into one file, in the order
// index.html lists them, and links that one instead.
//
// Why: gzip compresses one 30 KB sheet far better than twenty small ones
// (measured 2026-12-02: 8.0 KB gzip as 20 files, 4.7 KB as one), and the
// page makes one request instead of twenty. Runs before csp.mjs; the
// policy's `style-src 'self'` covers the new file as it did the old ones.
import { createHash } from "node:crypto";
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("bundle-css.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk hook)");
  process.exit(1);
}
const file = join(dir, "index.html");
let html = readFileSync(file, "utf8");
const links = [...html.matchAll(/<link rel="stylesheet" href="\.\/([^"]+\.css)"[^>]*\/?>\s*/g)];
if (links.length === 0) {
  console.error("bundle-css.mjs: index.html links no style sheet (did Trunk's output change?)");
  process.exit(1);
}
const sheets = links.map((m) => m[1]);
const css = sheets.map((name) => readFileSync(join(dir, name), "utf8").trim()).join("\n");
const name = `styles-${createHash("sha256").update(css, "utf8").digest("hex").slice(0, 16)}.css`;
writeFileSync(join(dir, name), css + "\n");
const integrity = `sha384-${createHash("sha384").update(css + "\n", "utf8").digest("base64")}`;
const link = `<link rel="stylesheet" href="./${name}" integrity="${integrity}"/>\n`;
// The joined sheet takes the first sheet's place; the others go.
let placed = false;
html = html.replace(/<link rel="stylesheet" href="\.\/([^"]+\.css)"[^>]*\/?>\s*/g, () => {
  if (placed) return "";
  placed = true;
  return link + "    ";
});
for (const s of sheets) unlinkSync(join(dir, s));
writeFileSync(file, html);
console.log(`bundle-css.mjs: ${sheets.length} style sheets joined into ${name}`);
