// Part of the post_build hook (scripts/post-build.mjs), after bundle-css.mjs
// and before csp.mjs: minifies what Trunk leaves readable, the
// wasm-bindgen glue (the app's .js), the joined style sheet and embed.js,
// with esbuild (tests/e2e/node_modules, installed by `npm ci`), and updates
// each file's `integrity` in index.html. File names stay as Trunk chose.
//
// Why: measured 2026-12-02, gzip: glue 8.6 → 6.5 KB, styles 4.8 → 4.3 KB;
// Trunk's own `--minify` cannot parse the glue (an ES module) and
// rewrites index.html in ways the other post-build steps do not expect.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const esbuild = createRequire(join(ROOT, "tests/e2e/package.json"))("esbuild");

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("minify.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk hook)");
  process.exit(1);
}
const file = join(dir, "index.html");
let html = readFileSync(file, "utf8");
const sri = (text) => `sha384-${createHash("sha384").update(text, "utf8").digest("base64")}`;

const report = [];
for (const name of readdirSync(dir)) {
  const loader = name.endsWith(".js") ? "js" : name.endsWith(".css") ? "css" : null;
  if (!loader) continue;
  const before = readFileSync(join(dir, name), "utf8");
  const { code } = esbuild.transformSync(before, {
    loader,
    minify: true,
    // The glue is an ES module; embed.js a classic script (no format change).
    format: name === "embed.js" || loader === "css" ? undefined : "esm",
    target: "es2020",
    legalComments: "none",
  });
  writeFileSync(join(dir, name), code);
  // The link or preload that names the file carries its hash.
  const re = new RegExp(`(href="\\./${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"[^>]*integrity=")[^"]+(")`);
  if (re.test(html)) html = html.replace(re, `$1${sri(code)}$2`);
  else if (name !== "embed.js") {
    console.error(`minify.mjs: index.html has no integrity for ${name} (did Trunk's output change?)`);
    process.exit(1);
  }
  report.push(`${name} ${before.length} → ${code.length} bytes`);
}
writeFileSync(file, html);
console.log(`minify.mjs: ${report.join(", ")}`);
