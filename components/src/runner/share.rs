//! A run as a compact, versioned string for URLs: parameters that differ
//! from the defaults, the seed, the input log and the moment shown.
//!
//! Format `2.` (current): base64url (no padding) of a small binary record:
//! varints for whole numbers, 8-byte little-endian `f64`s, length-prefixed
//! UTF-8 strings, and actions as their verb's stable index (the `index` of
//! its [`mqlab_engine::command::VERBS`] entry, not its position) followed
//! by their fields in that table's order, then a CRC-16 of all that (a cut or altered link is refused, not
//! opened as some other run). Format `1.` (the first release, still
//! opened): base64url of JSON.
//! Decoding never panics; anything unusable is dropped and reported.

use mqlab_engine::vec_map::VecMap;

use mqlab_engine::command::{verb_def, FieldKind, FieldValue};
use mqlab_engine::{Action, ScenarioDef, TimeUs};

use super::json::Json;
use super::timeline::RunInput;

/// The current format version (the prefix before the dot).
pub const VERSION: u32 = 2;
/// Longest state string accepted.
pub const MAX_STATE_LEN: usize = 64 * 1024;
/// Most inputs a link may carry.
pub const MAX_INPUTS: usize = 500;
/// Longest name (parameter key or node name) a link may carry.
const MAX_NAME_LEN: usize = 200;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SharedRun {
    /// Seed.
    pub s: u64,
    /// Parameters at the start that differ from the defaults.
    pub p: VecMap<String, f64>,
    /// The input log.
    pub i: Vec<RunInput>,
    /// The moment shown.
    pub t: TimeUs,
}

/// What part of a link was ignored, and why.
#[derive(Clone, Debug, PartialEq)]
pub enum Ignored {
    /// The whole state: not decodable (garbled, truncated, wrong version).
    Unreadable,
    /// A newer or older format we cannot read.
    Version(String),
    UnknownParam(String),
    /// Out of range: brought to the nearest allowed value.
    Clamped(String),
    /// Inputs that were malformed, out of order or too many.
    Inputs(usize),
}

pub fn encode(run: &SharedRun) -> String {
    let mut w = Vec::with_capacity(64);
    put_varint(&mut w, run.s);
    put_varint(&mut w, run.p.len() as u64);
    for (k, v) in &run.p {
        put_str(&mut w, k);
        w.extend_from_slice(&v.to_le_bytes());
    }
    put_varint(&mut w, run.i.len() as u64);
    let mut last_t = 0;
    for input in &run.i {
        // Times only grow: a delta is shorter.
        put_varint(&mut w, input.at_us.saturating_sub(last_t));
        last_t = input.at_us;
        match &input.param {
            None => w.push(0),
            Some((k, v)) => {
                w.push(1);
                put_str(&mut w, k);
                w.extend_from_slice(&v.to_le_bytes());
            }
        }
        put_varint(&mut w, input.actions.len() as u64);
        for a in &input.actions {
            match a {
                None => w.push(0),
                Some(a) => {
                    put_varint(&mut w, a.verb_index() as u64 + 1);
                    for v in a.field_values() {
                        match v {
                            FieldValue::Str(s) => put_str(&mut w, &s),
                            FieldValue::Bool(b) => w.push(b as u8),
                            FieldValue::Num(x) => w.extend_from_slice(&x.to_le_bytes()),
                        }
                    }
                }
            }
        }
    }
    put_varint(&mut w, run.t);
    // A check on the whole record: a cut or altered link is reported as
    // unreadable instead of opening some other run.
    w.extend_from_slice(&crc16(&w).to_le_bytes());
    let mut out = format!("{VERSION}.");
    b64_encode_into(&mut out, &w);
    out
}

/// A run as read from a link, before it is checked against the scenario.
#[derive(Default)]
struct Raw {
    s: Option<u64>,
    p: Vec<(String, Option<f64>)>,
    /// `None` for an input that could not be read at all.
    i: Vec<Option<RunInput>>,
    t: Option<u64>,
}

/// Decodes a state string and checks it against the scenario. Returns what
/// could be used plus what was ignored; never fails outright.
pub fn decode(def: &ScenarioDef, panels: usize, text: &str) -> (SharedRun, Vec<Ignored>) {
    let mut ignored = Vec::new();
    let mut run = SharedRun {
        s: 1,
        ..SharedRun::default()
    };
    if text.len() > MAX_STATE_LEN {
        return (run, vec![Ignored::Unreadable]);
    }
    let Some((ver, body)) = text.split_once('.') else {
        return (run, vec![Ignored::Unreadable]);
    };
    let read: fn(&[u8]) -> Option<Raw> = match ver {
        "2" => read_v2,
        "1" => read_v1,
        _ => {
            let shown: String = ver.chars().take(8).collect();
            return (run, vec![Ignored::Version(shown)]);
        }
    };
    let Some(raw) = b64_decode(body).and_then(|b| read(&b)) else {
        return (run, vec![Ignored::Unreadable]);
    };
    if let Some(s) = raw.s {
        run.s = s;
    }
    for (k, v) in raw.p {
        let key: String = k.chars().take(40).collect();
        match (def.param(&k), v) {
            (Some(d), Some(x)) => {
                let c = d.clamp(x);
                if c != x {
                    ignored.push(Ignored::Clamped(key));
                }
                run.p.insert(d.key.to_string(), c);
            }
            _ => ignored.push(Ignored::UnknownParam(key)),
        }
    }
    let mut dropped = 0;
    let mut last_t = 0;
    for input in raw.i {
        let Some(mut input) = input else {
            dropped += 1;
            continue;
        };
        let param_ok = match &mut input.param {
            None => true,
            Some((k, v)) => match def.param(k) {
                Some(d) => {
                    *v = d.clamp(*v);
                    true
                }
                None => false,
            },
        };
        if !param_ok
            || input.actions.len() != panels
            || input.at_us < last_t
            || run.i.len() >= MAX_INPUTS
            || !actions_are_modest(&input)
        {
            dropped += 1;
            continue;
        }
        last_t = input.at_us;
        run.i.push(input);
    }
    if dropped > 0 {
        ignored.push(Ignored::Inputs(dropped));
    }
    if let Some(t) = raw.t {
        run.t = t.min(mqlab_engine::time::MAX_DURATION_US);
    }
    (run, ignored)
}

/// Reads a `2.` body. Unlike JSON, a binary record cannot resync after a
/// bad part, so a malformed input ends the list (what follows is counted
/// as dropped); a malformed header makes the whole link unreadable.
fn read_v2(bytes: &[u8]) -> Option<Raw> {
    let (bytes, check) = bytes.split_at_checked(bytes.len().checked_sub(2)?)?;
    if crc16(bytes).to_le_bytes() != check {
        return None;
    }
    let mut r = Reader { b: bytes, i: 0 };
    let mut raw = Raw {
        s: Some(r.varint()?),
        ..Raw::default()
    };
    let np = r.varint()?;
    for _ in 0..np.min(1_000) {
        let k = r.str()?;
        let v = r.f64()?;
        raw.p.push((k, Some(v).filter(|x| x.is_finite())));
    }
    let ni = r.varint()?;
    let mut t = 0u64;
    for n in 0..ni.min(MAX_INPUTS as u64 * 2) {
        match read_v2_input(&mut r, &mut t) {
            Some(input) => raw.i.push(Some(input)),
            None => {
                raw.i
                    .extend((n..ni.min(MAX_INPUTS as u64 * 2)).map(|_| None));
                return Some(raw);
            }
        }
    }
    raw.t = Some(r.varint()?);
    (r.i == bytes.len()).then_some(raw)
}

/// CRC-16/CCITT-FALSE, bit by bit (links are short; no table needed).
fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xffff;
    for &b in data {
        crc ^= (b as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

fn read_v2_input(r: &mut Reader, t: &mut u64) -> Option<RunInput> {
    *t = t.checked_add(r.varint()?)?;
    let param = match r.byte()? {
        0 => None,
        1 => {
            let k = r.str()?;
            Some((k, r.f64().filter(|x| x.is_finite())?))
        }
        _ => return None,
    };
    let na = r.varint()?;
    if na > 16 {
        return None;
    }
    let mut actions = Vec::with_capacity(na as usize);
    for _ in 0..na {
        let tag = r.varint()?;
        if tag == 0 {
            actions.push(None);
            continue;
        }
        let index = usize::try_from(tag - 1).ok()?;
        let verb = verb_def(index)?;
        let mut values = Vec::with_capacity(verb.fields.len());
        for (_, kind) in verb.fields {
            values.push(match kind {
                FieldKind::Str => FieldValue::Str(r.str()?),
                FieldKind::Bool => FieldValue::Bool(r.byte()? != 0),
                FieldKind::F64 | FieldKind::U32 | FieldKind::U64 => FieldValue::Num(r.f64()?),
            });
        }
        actions.push(Some(Action::from_field_values(index, values).ok()?));
    }
    Some(RunInput {
        at_us: *t,
        param,
        actions,
    })
}

/// Reads a `1.` body: `{"s":seed,"p":{key:value},"i":[{"t":µs,"p":[key,value]?,
/// "a":[action|null]}],"t":µs}`, actions as in command files.
fn read_v1(bytes: &[u8]) -> Option<Raw> {
    let value = Json::parse(std::str::from_utf8(bytes).ok()?)?;
    value.as_object()?;
    let mut raw = Raw {
        s: value.get("s").and_then(Json::as_u64),
        t: value.get("t").and_then(Json::as_u64),
        ..Raw::default()
    };
    if let Some(p) = value.get("p").and_then(Json::as_object) {
        raw.p = p.iter().map(|(k, v)| (k.clone(), v.as_f64())).collect();
    }
    if let Some(items) = value.get("i").and_then(Json::as_array) {
        raw.i = items.iter().map(read_v1_input).collect();
    }
    Some(raw)
}

fn read_v1_input(item: &Json) -> Option<RunInput> {
    let obj = item.as_object()?;
    if obj.keys().any(|k| !matches!(k.as_str(), "t" | "p" | "a")) {
        return None;
    }
    let param = match obj.get("p") {
        None | Some(Json::Null) => None,
        Some(p) => match p.as_array()? {
            [k, v] => Some((k.as_str()?.to_string(), v.as_f64()?)),
            _ => return None,
        },
    };
    let actions = obj
        .get("a")?
        .as_array()?
        .iter()
        .map(|a| match a {
            Json::Null => Some(None),
            a => read_v1_action(a).map(Some),
        })
        .collect::<Option<Vec<_>>>()?;
    Some(RunInput {
        at_us: obj.get("t")?.as_u64()?,
        param,
        actions,
    })
}

fn read_v1_action(a: &Json) -> Option<Action> {
    let obj = a.as_object()?;
    let index = Action::verb_named(obj.get("do")?.as_str()?)?;
    let fields = verb_def(index)?.fields;
    if obj.len() != fields.len() + 1 {
        return None; // unknown fields (serde refused them too)
    }
    let values = fields
        .iter()
        .map(|(name, kind)| {
            let v = obj.get(*name)?;
            Some(match kind {
                FieldKind::Str => FieldValue::Str(v.as_str()?.to_string()),
                FieldKind::Bool => match v {
                    Json::Bool(b) => FieldValue::Bool(*b),
                    _ => return None,
                },
                FieldKind::F64 | FieldKind::U32 | FieldKind::U64 => FieldValue::Num(v.as_f64()?),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Action::from_field_values(index, values).ok()
}

fn put_varint(w: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        w.push((n as u8) | 0x80);
        n >>= 7;
    }
    w.push(n as u8);
}

fn put_str(w: &mut Vec<u8>, s: &str) {
    put_varint(w, s.len() as u64);
    w.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.b.get(self.i)?;
        self.i += 1;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= ((b & 0x7f) as u64).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn f64(&mut self) -> Option<f64> {
        let bytes = self.b.get(self.i..self.i + 8)?;
        self.i += 8;
        Some(f64::from_le_bytes(bytes.try_into().ok()?))
    }

    fn str(&mut self) -> Option<String> {
        let n = usize::try_from(self.varint()?).ok()?;
        if n > MAX_NAME_LEN {
            return None;
        }
        let bytes = self.b.get(self.i..self.i.checked_add(n)?)?;
        self.i += n;
        String::from_utf8(bytes.to_vec()).ok()
    }
}

/// Refuses actions a learner could not have made through the UI at a size
/// that would hurt (e.g. producing a million messages at once).
fn actions_are_modest(input: &RunInput) -> bool {
    input.actions.iter().flatten().all(|a| match a {
        mqlab_engine::Action::Produce { count, .. } => *count <= 100,
        _ => true,
    })
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[cfg(test)]
fn b64_encode(data: &[u8]) -> String {
    let mut out = String::new();
    b64_encode_into(&mut out, data);
    out
}

fn b64_encode_into(out: &mut String, data: &[u8]) {
    out.reserve(data.len() * 4 / 3 + 3);
    for chunk in data.chunks(3) {
        let n = chunk.len();
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..=n {
            out.push(ALPHABET[((v >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
}

fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqlab_engine::scenario::find;
    use mqlab_engine::Action;

    #[test]
    fn base64_round_trips() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"abcd", &[0, 255, 128, 7, 9]] {
            assert_eq!(b64_decode(&b64_encode(data)).unwrap(), data);
        }
        assert!(b64_decode("not base64!").is_none());
    }

    #[test]
    fn a_run_round_trips_through_a_string() {
        let def = find("peak-shaving").unwrap();
        let mut p = VecMap::new();
        p.insert("db_rate_per_s".to_string(), 2000.0);
        let run = SharedRun {
            s: 42,
            p,
            i: vec![RunInput {
                at_us: 5_000_000,
                param: Some(("consumers".into(), 20.0)),
                actions: vec![
                    Some(Action::SetConsumers {
                        group: "workers".into(),
                        count: 20,
                    }),
                    None,
                ],
            }],
            t: 7_000_000,
        };
        let text = encode(&run);
        assert!(text.starts_with("2."));
        let (back, ignored) = decode(def, 2, &text);
        assert_eq!(back, run);
        assert!(ignored.is_empty());
    }

    #[test]
    fn garbage_gives_defaults_and_says_what_was_ignored() {
        let def = find("peak-shaving").unwrap();
        for bad in [
            "",
            "1.",
            "1.!!!",
            "9.abc",
            "2.abc",
            "garbage",
            "1.e30=",
            &"x".repeat(100_000),
        ] {
            let (run, ignored) = decode(def, 2, bad);
            assert_eq!(run.i.len(), 0, "{bad}");
            assert!(
                !ignored.is_empty()
                    || run
                        == SharedRun {
                            s: 1,
                            ..Default::default()
                        },
                "{bad}"
            );
        }
        let weird = format!(
            "1.{}",
            b64_encode(br#"{"s":7,"p":{"nope":1,"consumers":1e9},"i":[{"t":1,"a":[null]},{"t":5,"a":[null,null]}],"t":1}"#)
        );
        let (run, ignored) = decode(def, 2, &weird);
        assert_eq!(run.s, 7);
        assert_eq!(run.p.get("consumers"), Some(&200.0));
        assert_eq!(
            run.i.len(),
            1,
            "the input with the wrong panel count is dropped"
        );
        assert!(ignored.contains(&Ignored::UnknownParam("nope".into())));
        assert!(ignored.contains(&Ignored::Clamped("consumers".into())));
        assert!(ignored.contains(&Ignored::Inputs(1)));
    }

    /// A link written by the first release (format 1, JSON), captured from
    /// its encoder: it must keep opening to the same run.
    const V1_LINK: &str = "1.eyJzIjo0MiwicCI6eyJjb25zdW1lcnMiOjAuNSwiZGJfcmF0ZV9wZXJfcyI6MjAwMC4wfSwiaSI6W3sidCI6NTAwMDAwMCwicCI6WyJjb25zdW1lcnMiLDIwLjBdLCJhIjpbeyJkbyI6InNldF9jb25zdW1lcnMiLCJncm91cCI6IndvcmtlcnMiLCJjb3VudCI6MjB9LG51bGxdfSx7InQiOjYwMDAwMDAsImEiOlt7ImRvIjoiY3Jhc2hfYnJva2VyIn0seyJkbyI6InNldF9yYXRlIiwicHJvZHVjZXIiOiJ1c2VycyIsInJhdGVfcGVyX3MiOjEyLjV9XX0seyJ0Ijo3MDAwMDAwLCJhIjpbeyJkbyI6InNldF9zZXJ2aWNlX3VwIiwic2VydmljZSI6ImRiIFwieFwiIiwidXAiOmZhbHNlfSx7ImRvIjoic2V0X2NvbnN1bWVyX3dvcmsiLCJncm91cCI6InciLCJtZWFuX3VzIjoxNTAwfV19XSwidCI6NzAwMDAwMX0";

    fn v1_run() -> SharedRun {
        let mut p = VecMap::new();
        p.insert("db_rate_per_s".to_string(), 2000.0);
        p.insert("consumers".to_string(), 1.0); // 0.5 in the link, clamped
        SharedRun {
            s: 42,
            p,
            i: vec![
                RunInput {
                    at_us: 5_000_000,
                    param: Some(("consumers".into(), 20.0)),
                    actions: vec![
                        Some(Action::SetConsumers {
                            group: "workers".into(),
                            count: 20,
                        }),
                        None,
                    ],
                },
                RunInput {
                    at_us: 6_000_000,
                    param: None,
                    actions: vec![
                        Some(Action::CrashBroker),
                        Some(Action::SetRate {
                            producer: "users".into(),
                            rate_per_s: 12.5,
                        }),
                    ],
                },
                RunInput {
                    at_us: 7_000_000,
                    param: None,
                    actions: vec![
                        Some(Action::SetServiceUp {
                            service: "db \"x\"".into(),
                            up: false,
                        }),
                        Some(Action::SetConsumerWork {
                            group: "w".into(),
                            mean_us: 1500,
                        }),
                    ],
                },
            ],
            t: 7_000_001,
        }
    }

    #[test]
    fn first_release_links_still_open() {
        let def = find("peak-shaving").unwrap();
        let (run, ignored) = decode(def, 2, V1_LINK);
        assert_eq!(run, v1_run());
        assert_eq!(ignored, vec![Ignored::Clamped("consumers".into())]);
        // The same run in today's format is shorter and reads back the same.
        let v2 = encode(&run);
        assert!(
            v2.len() * 2 < V1_LINK.len(),
            "{} vs {}",
            v2.len(),
            V1_LINK.len()
        );
        assert_eq!(decode(def, 2, &v2), (run, vec![]));
    }

    #[test]
    fn every_verb_survives_a_link() {
        use mqlab_engine::command::{FieldKind, FieldValue, VERBS};
        let def = find("peak-shaving").unwrap();
        let mut run = SharedRun {
            s: u64::MAX,
            ..SharedRun::default()
        };
        for verb in VERBS {
            let i = verb.index;
            let values = verb
                .fields
                .iter()
                .map(|(_, k)| match k {
                    FieldKind::Str => FieldValue::Str("名字 name".into()),
                    FieldKind::Bool => FieldValue::Bool(i % 2 == 0),
                    FieldKind::F64 => FieldValue::Num(0.1 * i as f64),
                    FieldKind::U32 | FieldKind::U64 => FieldValue::Num(i as f64 * 3.0),
                })
                .collect();
            let a = Action::from_field_values(i, values).unwrap();
            run.i.push(RunInput {
                at_us: i as u64 * 1_000_003,
                param: None,
                actions: vec![None, Some(a)],
            });
        }
        let (back, ignored) = decode(def, 2, &encode(&run));
        assert!(ignored.is_empty(), "{ignored:?}");
        assert_eq!(back, run);
    }

    #[test]
    fn cut_or_garbled_links_never_panic() {
        let def = find("peak-shaving").unwrap();
        let text = encode(&v1_run());
        for n in 0..text.len() {
            let (run, _) = decode(def, 2, &text[..n]);
            assert!(run.i.len() <= 3);
        }
        assert_eq!(crc16(b"123456789"), 0x29b1, "the standard check value");
        // Every byte flipped in turn is refused as a whole (the CRC), and a
        // seeded stream of random bodies never panics.
        let body = b64_decode(&text[2..]).unwrap();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..body.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut b = body.clone();
                b[i] ^= flip;
                let (run, ignored) = decode(def, 2, &format!("2.{}", b64_encode(&b)));
                assert_eq!(ignored, vec![Ignored::Unreadable], "byte {i} ^ {flip}");
                assert_eq!(run.i.len(), 0);
            }
        }
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 64) as usize;
            let b: Vec<u8> = (0..len).map(|j| (x >> (j % 8 * 8)) as u8).collect();
            let _ = decode(def, 2, &format!("2.{}", b64_encode(&b)));
            let _ = decode(def, 2, &format!("1.{}", b64_encode(&b)));
        }
    }
}
