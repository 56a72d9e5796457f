// Trunk's one post_build hook. Trunk runs the hooks of a stage at the same
// time, and each step rewrites index.html, so they run here, in turn: the
// text packs (and their meta tags), then the joined style sheet, then the
// minified glue, sheet and embed.js (with their integrity), then the CSP,
// which must see the final page.
const { main: textPacks } = await import("./text-pack.mjs");
textPacks();
await import("./bundle-css.mjs");
await import("./minify.mjs");
await import("./csp.mjs");
