// The text packs: every `text!("中文", "English")` (or `Text::new`) of the browser app's
// sources, one file per language, so a page downloads the words of the
// language it shows and not both (measured 2026-12-02: the UI's text was
// 22.8 KB gzip inside the wasm in both languages, 11.5 KB in one).
//
// In the browser build (`mqlab-components` feature `text-packs`) a
// `Text::new` keeps only its id, FNV-1a over the Chinese bytes, 0xFF and the
// English bytes (`text_id` in components/src/i18n.rs); the page fetches the
// pack named by `<meta name="mqlab-text-zh|en">` before it mounts.
//
// Run by scripts/post-build.mjs (first: it adds the meta tags to
// index.html) and by scripts/size-budget.sh for the base:
//   node scripts/text-pack.mjs --out DIR [--only-demo intro]
//
// It fails, naming file and line, when a `text!(` or `Text::new(` is not followed by two
// string literals (text that is not a literal must use `Text::inline`), or
// when two different texts share an id.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE_DIRS = ["src", "components/src", "engine/src"];

export function textId(zh, en) {
  let h = 0x811c9dc5;
  const step = (b) => {
    h = Math.imul(h ^ b, 0x01000193) >>> 0;
  };
  for (const b of Buffer.from(zh, "utf8")) step(b);
  step(0xff);
  for (const b of Buffer.from(en, "utf8")) step(b);
  return h === 0 ? 1 : h;
}

// The same pair and id as the Rust test `text_ids_match_the_pack_script`.
if (textId("播放", "Play") !== 0x38df5453) {
  throw new Error(`text-pack.mjs: textId disagrees with the Rust text_id (${textId("播放", "Play").toString(16)})`);
}

// Reads one Rust string literal at `s[i]` (after whitespace); returns
// [value, next index] or null.
function literal(s, i) {
  while (/\s/.test(s[i] ?? "")) i++;
  if (s[i] === "r" && (s[i + 1] === '"' || s[i + 1] === "#")) {
    let j = i + 1;
    let hashes = 0;
    while (s[j] === "#") (hashes++, j++);
    if (s[j] !== '"') return null;
    const close = '"' + "#".repeat(hashes);
    const end = s.indexOf(close, j + 1);
    if (end < 0) return null;
    return [s.slice(j + 1, end), end + close.length];
  }
  if (s[i] !== '"') return null;
  let out = "";
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '"') return [out, j + 1];
    if (c !== "\\") {
      out += c;
      j++;
      continue;
    }
    const e = s[j + 1];
    j += 2;
    if (e === "n") out += "\n";
    else if (e === "t") out += "\t";
    else if (e === "r") out += "\r";
    else if (e === "0") out += "\0";
    else if (e === "\\" || e === '"' || e === "'") out += e;
    else if (e === "x") {
      out += String.fromCharCode(parseInt(s.slice(j, j + 2), 16));
      j += 2;
    } else if (e === "u" && s[j] === "{") {
      const end = s.indexOf("}", j);
      out += String.fromCodePoint(parseInt(s.slice(j + 1, end).replace(/_/g, ""), 16));
      j = end + 1;
    } else if (e === "\n" || e === "\r") {
      while (/\s/.test(s[j] ?? "")) j++;
    } else return null;
  }
  return null;
}

function rustFiles(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) rustFiles(p, out);
    else if (entry.name.endsWith(".rs")) out.push(p);
  }
  return out;
}

/// Every text of the sources: Map id → {zh, en, where}. `onlyDemo` leaves
/// out the other demos' folders (the size-base build has only that one).
export function scan({ root = ROOT, onlyDemo = null } = {}) {
  const texts = new Map();
  const errors = [];
  for (const dir of SOURCE_DIRS) {
    for (const file of rustFiles(join(root, dir))) {
      const rel = relative(root, file);
      const demo = rel.match(/^src\/demos\/([^/]+)\//);
      if (onlyDemo && demo && demo[1] !== onlyDemo) continue;
      const src = readFileSync(file, "utf8");
      // `Choice::new("word", "中文", "English")` carries a text after its word.
      for (const m of src.matchAll(/\b(?:Text::new|text!|(Choice)::new)\(/g)) {
        const lineStart = src.lastIndexOf("\n", m.index) + 1;
        const lineEnd = src.indexOf("\n", m.index);
        if (src.slice(lineStart, m.index).includes("//")) continue;
        // A call that passes its arguments on (`Text::new(zh, en)` inside
        // `Choice::new`) says so on its line.
        if (src.slice(m.index, lineEnd < 0 ? undefined : lineEnd).includes("text-pack: passes through")) continue;
        // A macro's own body (`Text::new($zh, $en)` inside `text!`).
        if (/^\s*\$/.test(src.slice(m.index + m[0].length, m.index + m[0].length + 40))) continue;
        const line = src.slice(0, m.index).split("\n").length;
        const where = `${rel}:${line}`;
        let start = m.index + m[0].length;
        if (m[1] === "Choice") {
          const word = literal(src, start);
          let k = word ? word[1] : -1;
          while (k >= 0 && /\s/.test(src[k])) k++;
          if (!word || src[k] !== ",") {
            errors.push(`${where}: Choice::new needs a word and two string literals`);
            continue;
          }
          start = k + 1;
        }
        const a = literal(src, start);
        let b = null;
        if (a) {
          let k = a[1];
          while (/\s/.test(src[k])) k++;
          if (src[k] === ",") b = literal(src, k + 1);
        }
        let k = b ? b[1] : -1;
        if (b) {
          while (/\s/.test(src[k])) k++;
          if (src[k] === ",") k++;
          while (/\s/.test(src[k])) k++;
        }
        if (!b || src[k] !== ")") {
          errors.push(`${where}: text! and Text::new need two string literals; use Text::inline for other text`);
          continue;
        }
        const zh = a[0];
        const en = b[0];
        const id = textId(zh, en);
        const seen = texts.get(id);
        if (seen && (seen.zh !== zh || seen.en !== en)) {
          errors.push(`${where}: its id ${id.toString(16)} is also ${seen.where}'s; reword one of them`);
          continue;
        }
        if (!seen) texts.set(id, { zh, en, where });
      }
    }
  }
  return { texts, errors };
}

export function packFile(texts, lang) {
  // Sorted by id, as the app looks texts up: it reads the pack as it is
  // and needs no sort in the browser build (a general sort costs KBs of
  // wasm; gzip's 32 KB window finds the repeats whatever the order).
  // Each line carries only as many hex digits of its id as tell it from
  // its neighbours (a digit 1-8 saying how many, then the digits): full
  // ids are random and cost gzip ~5 KB a pack; the app binary-searches on
  // the same prefixes (mqlab_engine::text::pack).
  const sorted = [...texts.entries()].sort(([a], [b]) => a - b);
  const hex = sorted.map(([id]) => id.toString(16).padStart(8, "0"));
  const shared = (a, b) => {
    let n = 0;
    while (a && b && n < 8 && a[n] === b[n]) n++;
    return n;
  };
  return sorted
    .map(([, t], i) => {
      const len = Math.max(shared(hex[i], hex[i - 1]), shared(hex[i], hex[i + 1])) + 1;
      const words = t[lang].replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
      return `${len}${hex[i].slice(0, len)}${words}`;
    })
    .join("\n")
    .concat("\n");
}

/// The id prefixes of a pack's lines, as numbers with their digit counts
/// (for tests).
export function packPrefixes(body) {
  return body
    .trim()
    .split("\n")
    .map((l) => ({ digits: Number(l[0]), prefix: parseInt(l.slice(1, 1 + Number(l[0])), 16) }));
}

/// Writes text-zh-HASH.txt and text-en-HASH.txt into `dir`; returns their
/// names by language.
export function writePacks(dir, texts) {
  const names = {};
  for (const lang of ["zh", "en"]) {
    const body = packFile(texts, lang);
    const hash = createHash("sha256").update(body, "utf8").digest("hex").slice(0, 16);
    names[lang] = `text-${lang}-${hash}.txt`;
    writeFileSync(join(dir, names[lang]), body);
  }
  return names;
}

/// The meta tags that tell the app where its packs are.
export function metaTags(names) {
  return ["zh", "en"].map((l) => `<meta name="mqlab-text-${l}" content="./${names[l]}" />`).join("\n    ");
}

export function main() {
  const args = process.argv.slice(2);
  const arg = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : null;
  };
  const hook = process.env.TRUNK_STAGING_DIR;
  const out = arg("--out") ?? hook;
  if (!out) {
    console.error("text-pack.mjs: give --out DIR, or run it as a Trunk hook");
    process.exit(2);
  }
  const { texts, errors } = scan({ onlyDemo: arg("--only-demo") });
  if (errors.length) {
    for (const e of errors) console.error(`text-pack.mjs: ${e}`);
    process.exit(1);
  }
  const names = writePacks(out, texts);
  const html = join(out, "index.html");
  let page = null;
  try {
    page = readFileSync(html, "utf8");
  } catch {
    // --out without a page (the size-base build): the packs are enough.
  }
  if (page !== null) {
    page = page.replace(/<meta name="mqlab-text-(zh|en)"[^>]*>\s*/g, "");
    const placed = page.replace(/<meta charset="utf-8" \/>/, (m) => `${m}\n    ${metaTags(names)}`);
    if (placed === page) {
      console.error("text-pack.mjs: could not place the text-pack meta tags in index.html");
      process.exit(1);
    }
    writeFileSync(html, placed);
  }
  // Texts whose words are still in the wasm: a `Text::new` evaluated at run
  // time (not in a const or static item) keeps its literals; `text!` never
  // does. Not an error (an English word may also be in the wasm for another
  // reason, e.g. a CLI name), but a list worth reading.
  const wasm = readdirSync(out).find((f) => f.endsWith(".wasm"));
  if (wasm) {
    const bytes = readFileSync(join(out, wasm));
    const left = [...texts.values()].filter((t) => t.en.length >= 8 && bytes.includes(Buffer.from(t.en, "utf8")));
    if (left.length) {
      console.log(`text-pack.mjs: ${left.length} text(s) whose English is also in the wasm (write them with text!):`);
      for (const t of left) console.log(`  ${t.where}: ${JSON.stringify(t.en.slice(0, 40))}`);
    }
  }
  console.log(`text-pack.mjs: ${texts.size} texts → ${names.zh}, ${names.en}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
