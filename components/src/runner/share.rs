//! A run as a compact, versioned string for URLs: parameters that differ
//! from the defaults, the seed, the input log and the moment shown.
//!
//! Format: `1.` followed by base64url (no padding) of a small JSON object.
//! Decoding never panics; anything unusable is dropped and reported.

use std::collections::BTreeMap;

use mqlab_engine::{ScenarioDef, TimeUs};
use serde::{Deserialize, Serialize};

use super::timeline::RunInput;

/// The current format version (the prefix before the dot).
pub const VERSION: u32 = 1;
/// Longest state string accepted.
pub const MAX_STATE_LEN: usize = 64 * 1024;
/// Most inputs a link may carry.
pub const MAX_INPUTS: usize = 500;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SharedRun {
    /// Seed.
    #[serde(default)]
    pub s: u64,
    /// Parameters at the start that differ from the defaults.
    #[serde(default)]
    pub p: BTreeMap<String, f64>,
    /// The input log.
    #[serde(default)]
    pub i: Vec<RunInput>,
    /// The moment shown.
    #[serde(default)]
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
    let json = serde_json::to_string(run).unwrap_or_default();
    format!("{VERSION}.{}", b64_encode(json.as_bytes()))
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
    if ver != VERSION.to_string() {
        let shown: String = ver.chars().take(8).collect();
        return (run, vec![Ignored::Version(shown)]);
    }
    let Some(bytes) = b64_decode(body) else {
        return (run, vec![Ignored::Unreadable]);
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return (run, vec![Ignored::Unreadable]);
    };
    // Field by field, so one bad part does not spoil the rest.
    if let Some(s) = value.get("s").and_then(|v| v.as_u64()) {
        run.s = s;
    }
    if let Some(p) = value.get("p").and_then(|v| v.as_object()) {
        for (k, v) in p {
            let key: String = k.chars().take(40).collect();
            match (def.param(k), v.as_f64()) {
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
    }
    if let Some(items) = value.get("i").and_then(|v| v.as_array()) {
        let mut dropped = 0;
        let mut last_t = 0;
        for item in items {
            let Ok(mut input) = serde_json::from_value::<RunInput>(item.clone()) else {
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
    }
    if let Some(t) = value.get("t").and_then(|v| v.as_u64()) {
        run.t = t.min(mqlab_engine::time::MAX_DURATION_US);
    }
    (run, ignored)
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

fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 4 / 3 + 3);
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
    out
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
        let mut p = BTreeMap::new();
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
        assert!(text.starts_with("1."));
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
}
