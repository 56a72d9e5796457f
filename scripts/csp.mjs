// Part of the post_build hook (scripts/post-build.mjs): adds a Content-Security-Policy to index.html that
// allows the app's own files, WebAssembly, and exactly the inline loader
// script Trunk writes (by its SHA-256), and nothing else.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("csp.mjs: TRUNK_STAGING_DIR is not set (run it as a Trunk hook)");
  process.exit(1);
}
const file = join(dir, "index.html");
let html = readFileSync(file, "utf8");
const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash("sha256").update(m[1], "utf8").digest("base64")}'`);
}
// `trunk serve` adds a live-reload script that opens a websocket to itself;
// allow that only in that case (release builds from `trunk build` have none).
const liveReload = html.includes("__trunk_address__") || html.includes("/.well-known/trunk/ws");
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`.trim(),
  "style-src 'self'",
  "img-src 'self' data:",
  liveReload ? "connect-src 'self' ws: wss:" : "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
html = html.replace(/<meta charset="utf-8" \/>/, (m) => `${m}\n    ${meta}`);
if (!html.includes("Content-Security-Policy")) {
  console.error("csp.mjs: could not place the CSP meta tag");
  process.exit(1);
}
writeFileSync(file, html);
console.log(`csp.mjs: CSP added with ${hashes.length} inline script hash(es)`);
