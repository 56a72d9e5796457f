// Trunk's one post_build hook. Trunk runs the hooks of a stage at the same
// time, and both steps rewrite index.html, so they run here, in turn: first
// the style sheets are joined, then the CSP is added.
await import("./bundle-css.mjs");
await import("./csp.mjs");
