// Tests of the text-pack scanner (scripts/text-pack.mjs) on small source
// trees written to a temp folder: it must read every literal form the app
// uses, refuse what it cannot read, and catch two texts with one id. They
// need no build and no browser.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { packFile, packPrefixes, scan, textId, writePacks } from '../../scripts/text-pack.mjs';

const roots = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function tree(files) {
  const root = mkdtempSync(join(tmpdir(), 'mqlab-textpack-'));
  roots.push(root);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), body);
  }
  for (const d of ['components/src', 'engine/src']) mkdirSync(join(root, d), { recursive: true });
  return root;
}

test('every literal form is read as Rust reads it', () => {
  const root = tree({
    'src/a.rs': String.raw`
pub const A: Text = Text::new("播放", "Play");
const B: Text = Text::new(
    "第一行\n第二行",
    "say \"hi\" \\ \u{1F600} \x41",
);
const C: Text = Text::new(r"raw \n", r#"raw "quoted""#,);
const D: Text = Text::new("long \
                            line", "x");
// Text::new(not, read) in a comment is skipped
const E: [Choice; 1] = [Choice::new("auto", "自动确认", "Auto ack")];
fn new(zh: &'static str, en: &'static str) -> Choice {
    Choice { label: Text::new(zh, en) } // text-pack: passes through
}
`,
  });
  const { texts, errors } = scan({ root });
  assert.deepEqual(errors, []);
  const got = [...texts.values()].map(({ zh, en }) => [zh, en]);
  assert.deepEqual(got, [
    ['播放', 'Play'],
    ['第一行\n第二行', 'say "hi" \\ \u{1F600} A'],
    ['raw \\n', 'raw "quoted"'],
    ['long line', 'x'],
    ['自动确认', 'Auto ack'],
  ]);
  // The id is the one the Rust side computes (components/src/i18n.rs test).
  assert.ok(texts.has(0x38df5453));
  assert.equal(textId('播放', 'Play'), 0x38df5453);
});

test('a Text::new that is not two literals fails with its place', () => {
  const root = tree({ 'src/demos/x/mod.rs': 'fn f() { let t = Text::new(zh, "en"); }\n' });
  const { errors } = scan({ root });
  assert.equal(errors.length, 1);
  assert.match(errors[0], /src\/demos\/x\/mod\.rs:1: .*Text::inline/);
});

test('only-demo leaves the other demos out and keeps the shared text', () => {
  const root = tree({
    'src/i18n.rs': 'const S: Text = Text::new("共享", "shared");\n',
    'src/demos/intro/mod.rs': 'const I: Text = Text::new("入门", "intro");\n',
    'src/demos/dlq/mod.rs': 'const D: Text = Text::new("死信", "dead letter");\n',
  });
  const en = [...scan({ root, onlyDemo: 'intro' }).texts.values()].map((t) => t.en).sort();
  assert.deepEqual(en, ['intro', 'shared']);
});

test('packs escape newlines and backslashes and name files by content', () => {
  const root = tree({ 'src/a.rs': String.raw`const A: Text = Text::new("一\n二", "a\\b");` + '\n' });
  const { texts } = scan({ root });
  // Alone in its pack, one hex digit of its id tells it apart.
  const id = textId('一\n二', 'a\\b').toString(16).padStart(8, '0').slice(0, 1);
  assert.equal(packFile(texts, 'zh'), `1${id}一\\n二\n`);
  assert.equal(packFile(texts, 'en'), `1${id}a\\\\b\n`);
  const out = mkdtempSync(join(tmpdir(), 'mqlab-textpack-out-'));
  roots.push(out);
  const names = writePacks(out, texts);
  assert.match(names.zh, /^text-zh-[0-9a-f]{16}\.txt$/);
  assert.deepEqual(readdirSync(out).sort(), [names.en, names.zh].sort());
  assert.equal(readFileSync(join(out, names.en), 'utf8'), packFile(texts, 'en'));
});

test('a pack lists its texts by ascending id, as the app reads it without sorting', () => {
  const words = ['播放', '暂停', '单步', '重来', '速度', '种子', '事件', '队列'];
  const root = tree({
    'src/a.rs': words.map((w, i) => `const T${i}: Text = Text::new("${w}", "w${i}");\n`).join(''),
  });
  const { texts } = scan({ root });
  const lines = packPrefixes(packFile(texts, 'zh'));
  assert.equal(lines.length, words.length);
  // Each line's digits are the start of its id; the ids ascend.
  const full = [...texts.keys()].sort((a, b) => a - b);
  lines.forEach((l, i) => assert.equal(l.prefix, full[i] >>> (32 - 4 * l.digits), `line ${i}`));
  assert.notDeepEqual(full, [...texts.keys()], 'the source order was not already sorted, so the test sorts');
});

test('each line carries just enough of its id to tell it from its neighbours', () => {
  const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
  const root = tree({
    'src/a.rs': words.map((w, i) => `const T${i}: Text = Text::new("字${i}", "${w}");\n`).join(''),
  });
  const { texts } = scan({ root });
  const lines = packPrefixes(packFile(texts, 'en'));
  const hex = [...texts.keys()].sort((a, b) => a - b).map((id) => id.toString(16).padStart(8, '0'));
  const shared = (a, b) => { let n = 0; while (a && b && a[n] === b[n]) n++; return n; };
  lines.forEach((l, i) => {
    const need = Math.max(shared(hex[i], hex[i - 1]), shared(hex[i], hex[i + 1])) + 1;
    assert.equal(l.digits, need, `line ${i}: ${hex[i]} beside ${hex[i - 1]} and ${hex[i + 1]}`);
  });
  // Shorter than the 8 digits of a full id, on average by far.
  const mean = lines.reduce((s, l) => s + l.digits, 0) / lines.length;
  assert.ok(mean < 4, `mean digits ${mean}`);
});
