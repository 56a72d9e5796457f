//! Built-in scenarios: named parameters (with unit, range and default) that
//! build a [`ScenarioSpec`], and say which parameters can change mid-run.
//!
//! The UI builds its sliders from these definitions and the CLI's
//! `describe` prints them, so both always agree on ranges and defaults.

use crate::text::Text;
use crate::vec_map::VecMap;

use crate::command::Action;
pub use crate::facts::FactDef;
use crate::sim::Sim;
use crate::spec::ScenarioSpec;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamKind {
    Int,
    Float,
    /// On or off: stored as 1 or 0; typed as on/off, true/false, yes/no, 1/0.
    Bool,
    /// One of a few words (`acks` = `0`, `1` or `all`). Stored as the word's
    /// index (0, 1, 2, ...) so parameter maps stay `f64`s (share links,
    /// panels' fixed values); typed, shown and described as the word.
    Choice(&'static [Choice]),
}

/// One allowed word of a choice parameter, with labels for the UI.
///
/// `word` is what `--set key=word` takes and what the CLI prints; like a
/// parameter key it is a public name, so keep it stable. The index of a
/// word in its list is what a parameter map stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub word: &'static str,
    /// Short label (the text-pack scanner reads `Choice::new`'s literals).
    pub label: Text,
}

impl Choice {
    pub const fn new(word: &'static str, zh: &'static str, en: &'static str) -> Self {
        Choice {
            word,
            label: Text::new(zh, en), // text-pack: passes through
        }
    }
}

/// The words of a list of choices, in order (for tables and messages).
pub const fn words<const N: usize>(choices: &[Choice; N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = choices[i].word;
        i += 1;
    }
    out
}

/// One tunable parameter of a built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamDef {
    pub key: &'static str,
    /// Unit shown after the value (`per_s`, `ms`, `messages`, ...); empty for none.
    pub unit: &'static str,
    pub kind: ParamKind,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    /// Slider step.
    pub step: f64,
    /// One English line for `mqlab-sim describe` (the UI has its own text).
    pub help: &'static str,
}

impl ParamDef {
    pub const fn int(
        key: &'static str,
        unit: &'static str,
        min: f64,
        max: f64,
        default: f64,
        help: &'static str,
    ) -> Self {
        ParamDef {
            key,
            unit,
            kind: ParamKind::Int,
            min,
            max,
            default,
            step: 1.0,
            help: crate::cli_only(help),
        }
    }
    pub const fn float(
        key: &'static str,
        unit: &'static str,
        min: f64,
        max: f64,
        default: f64,
        step: f64,
        help: &'static str,
    ) -> Self {
        ParamDef {
            key,
            unit,
            kind: ParamKind::Float,
            min,
            max,
            default,
            step,
            help: crate::cli_only(help),
        }
    }
    pub const fn boolean(key: &'static str, default: bool, help: &'static str) -> Self {
        ParamDef {
            key,
            unit: "",
            kind: ParamKind::Bool,
            min: 0.0,
            max: 1.0,
            default: if default { 1.0 } else { 0.0 },
            step: 1.0,
            help: crate::cli_only(help),
        }
    }
    /// A choice among `options` (at least one), `default` being an index.
    pub const fn choice(
        key: &'static str,
        options: &'static [Choice],
        default: usize,
        help: &'static str,
    ) -> Self {
        assert!(!options.is_empty() && default < options.len());
        ParamDef {
            key,
            unit: "",
            kind: ParamKind::Choice(options),
            min: 0.0,
            max: (options.len() - 1) as f64,
            default: default as f64,
            step: 1.0,
            help: crate::cli_only(help),
        }
    }

    /// The allowed words of a choice parameter, in index order (empty for
    /// any other kind).
    pub fn choices(&self) -> &'static [Choice] {
        match self.kind {
            ParamKind::Choice(c) => c,
            _ => &[],
        }
    }

    pub fn is_choice(&self) -> bool {
        matches!(self.kind, ParamKind::Choice(_))
    }

    /// The choice a stored value stands for (the nearest valid index, as
    /// [`ParamDef::clamp`] rounds it); `None` if this is not a choice.
    pub fn choice_at(&self, v: f64) -> Option<&'static Choice> {
        self.choices().get(self.clamp(v) as usize)
    }

    /// The word a stored value stands for; `None` if this is not a choice.
    pub fn word(&self, v: f64) -> Option<&'static str> {
        self.choice_at(v).map(|c| c.word)
    }

    /// The stored value (index) of `word`; `None` if it is not one of the
    /// words (or this is not a choice).
    pub fn value_of(&self, word: &str) -> Option<f64> {
        self.choices()
            .iter()
            .position(|c| c.word.eq_ignore_ascii_case(word))
            .map(|i| i as f64)
    }

    /// Parses a user-typed value, checking type and range.
    pub fn parse(&self, raw: &str) -> Result<f64, String> {
        let raw = raw.trim();
        let v = match self.kind {
            ParamKind::Bool => match raw.to_ascii_lowercase().as_str() {
                "on" | "true" | "yes" | "1" => 1.0,
                "off" | "false" | "no" | "0" => 0.0,
                _ => return Err(format!("{} must be on or off; got '{raw}'", self.key)),
            },
            ParamKind::Choice(opts) => match self.value_of(raw) {
                Some(v) => v,
                None => {
                    let words: Vec<&str> = opts.iter().map(|c| c.word).collect();
                    return Err(format!(
                        "{} must be one of {}; got '{raw}'",
                        self.key,
                        words.join(", ")
                    ));
                }
            },
            ParamKind::Int => {
                let v = crate::num::parse_decimal(&raw.replace('_', ""))
                    .ok_or_else(|| format!("{} must be a whole number, not '{raw}'", self.key))?;
                if v.fract() != 0.0 {
                    return Err(format!("{} must be a whole number, not '{raw}'", self.key));
                }
                v
            }
            ParamKind::Float => crate::num::parse_decimal(&raw.replace('_', ""))
                .ok_or_else(|| format!("{} must be a number, not '{raw}'", self.key))?,
        };
        self.check(v)
    }

    /// Checks a numeric value against the range.
    pub fn check(&self, v: f64) -> Result<f64, String> {
        if !v.is_finite() || v < self.min || v > self.max {
            return Err(format!(
                "{} = {} is out of range ({} to {}{})",
                self.key,
                crate::num::short(v),
                crate::num::short(self.min),
                crate::num::short(self.max),
                if self.unit.is_empty() {
                    String::new()
                } else {
                    format!(" {}", self.unit)
                }
            ));
        }
        Ok(v)
    }

    /// Brings any number into range (for sliders and URL values).
    pub fn clamp(&self, v: f64) -> f64 {
        if !v.is_finite() {
            return self.default;
        }
        let v = crate::num::clamp(v, self.min, self.max);
        match self.kind {
            ParamKind::Float => v,
            _ => v.round(),
        }
    }

    /// A value as a user would type it back.
    pub fn show(&self, v: f64) -> String {
        match self.kind {
            ParamKind::Bool => if v >= 0.5 { "on" } else { "off" }.to_string(),
            ParamKind::Choice(_) => self.word(v).unwrap_or("?").to_string(),
            ParamKind::Int => format!("{}", v as i64),
            ParamKind::Float => crate::num::short(v),
        }
    }
}

/// Values for a scenario's parameters (every key present).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    values: VecMap<&'static str, f64>,
}

impl Params {
    pub fn defaults(defs: &[ParamDef]) -> Self {
        let mut values = VecMap::new();
        for d in defs {
            values.insert(d.key, d.default);
        }
        Params { values }
    }

    pub fn get(&self, key: &str) -> f64 {
        self.values.get(key).copied().unwrap_or(0.0)
    }

    pub fn flag(&self, key: &str) -> bool {
        self.get(key) >= 0.5
    }

    /// Sets a known key; unknown keys are ignored (callers validate first).
    pub fn set(&mut self, key: &str, v: f64) {
        if let Some(slot) = self.values.get_mut(key) {
            *slot = v;
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.values.iter().map(|(k, v)| (*k, *v))
    }
}

/// What changing a parameter does to a running simulation.
#[derive(Clone, Debug, PartialEq)]
pub enum Live {
    /// Apply this command; the run goes on.
    Apply(Action),
    /// Nothing in this simulation depends on the parameter.
    NoEffect,
    /// The change reshapes the system: start a new run.
    Restart,
}

impl Live {
    pub fn into_action(self) -> Option<Action> {
        match self {
            Live::Apply(a) => Some(a),
            _ => None,
        }
    }
}

/// A built-in scenario.
#[derive(Clone, Copy)]
pub struct ScenarioDef {
    pub id: &'static str,
    /// One English line for the CLI.
    pub summary: &'static str,
    pub params: &'static [ParamDef],
    pub build: fn(&Params) -> ScenarioSpec,
    /// How a parameter change applies to a running simulation.
    pub live: fn(&Params, &str, f64) -> Live,
    /// The key teaching numbers, in display order; their keys are a public
    /// contract (see [`crate::facts`]).
    pub facts: &'static [FactDef],
}

impl ScenarioDef {
    pub fn param(&self, key: &str) -> Option<&'static ParamDef> {
        self.params.iter().find(|p| p.key == key)
    }

    pub fn defaults(&self) -> Params {
        Params::defaults(self.params)
    }

    /// The fact called `key`.
    pub fn fact(&self, key: &str) -> Option<&'static FactDef> {
        self.facts.iter().find(|f| f.key == key)
    }

    /// Every fact's value for `sim` now, in the order of [`ScenarioDef::facts`].
    pub fn read_facts(&self, sim: &Sim) -> Vec<(&'static str, f64)> {
        self.facts.iter().map(|f| (f.key, f.read(sim))).collect()
    }

    /// The word a choice parameter has in `p` (`None` for an unknown key or
    /// a parameter that is not a choice).
    pub fn word(&self, p: &Params, key: &str) -> Option<&'static str> {
        self.param(key)?.word(p.get(key))
    }

    /// Applies `key=value` settings; the error names the bad one.
    pub fn params_from(&self, settings: &[(String, String)]) -> Result<Params, String> {
        let mut p = self.defaults();
        for (k, raw) in settings {
            let def = self.param(k).ok_or_else(|| {
                format!(
                    "scenario '{}' has no parameter '{k}' (it has: {})",
                    self.id,
                    self.params
                        .iter()
                        .map(|d| d.key)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            p.set(def.key, def.parse(raw)?);
        }
        Ok(p)
    }
}

/// All built-in scenarios, in the chapter's order.
pub fn builtins() -> &'static [ScenarioDef] {
    &BUILTINS
}

static BUILTINS: [ScenarioDef; 16] = [
    crate::scenarios::intro::DEF,
    crate::scenarios::peak_shaving::DEF,
    crate::scenarios::components::DEF,
    crate::scenarios::p2p_vs_pubsub::DEF,
    crate::scenarios::comparison::DEF,
    crate::scenarios::async_register::DEF,
    crate::scenarios::coupling::DEF,
    crate::scenarios::pubsub::DEF,
    crate::scenarios::reliability::DEF,
    crate::scenarios::idempotence::DEF,
    crate::scenarios::ordering::DEF,
    crate::scenarios::dlq::DEF,
    crate::scenarios::delay::DEF,
    crate::scenarios::seckill_queue::DEF,
    crate::scenarios::transaction::DEF,
    crate::scenarios::seckill_system::DEF,
];

pub fn find(id: &str) -> Option<&'static ScenarioDef> {
    builtins().iter().find(|d| d.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;

    #[test]
    fn every_builtin_builds_a_valid_spec_at_defaults_and_extremes() {
        for def in builtins() {
            let mut p = def.defaults();
            assert!((def.build)(&p).validate().is_ok(), "{} defaults", def.id);
            for d in def.params {
                assert!(
                    d.min <= d.default && d.default <= d.max,
                    "{}.{}",
                    def.id,
                    d.key
                );
                // Every word of a choice; both ends of a range.
                let values: Vec<f64> = match d.kind {
                    ParamKind::Choice(words) => (0..words.len()).map(|i| i as f64).collect(),
                    _ => vec![d.min, d.max],
                };
                for v in values {
                    p.set(d.key, v);
                    let spec = (def.build)(&p);
                    assert!(
                        spec.validate().is_ok(),
                        "{}.{}={v}: {:?}",
                        def.id,
                        d.key,
                        spec.validate()
                    );
                }
                p.set(d.key, d.default);
            }
            // And every parameter at its low end at once, then its high end
            // (the browser does not validate: see `Sim::new`).
            for end in [0, 1] {
                let mut p = def.defaults();
                for d in def.params {
                    p.set(d.key, if end == 0 { d.min } else { d.max });
                }
                let spec = (def.build)(&p);
                assert!(
                    spec.validate().is_ok(),
                    "{} all at end {end}: {:?}",
                    def.id,
                    spec.validate()
                );
            }
        }
    }

    #[test]
    fn parameter_parsing_names_the_problem() {
        let def = find("peak-shaving").unwrap();
        assert!(def
            .params_from(&[("nope".into(), "1".into())])
            .unwrap_err()
            .contains("has no parameter 'nope'"));
        assert!(def
            .params_from(&[("db_rate_per_s".into(), "0".into())])
            .unwrap_err()
            .contains("out of range"));
        assert!(def
            .params_from(&[("queue".into(), "maybe".into())])
            .unwrap_err()
            .contains("on or off"));
        assert!(def
            .params_from(&[("consumers".into(), "2.5".into())])
            .unwrap_err()
            .contains("whole number"));
        let p = def.params_from(&[("queue".into(), "off".into())]).unwrap();
        assert!(!p.flag("queue"));
    }

    #[test]
    fn live_changes_are_classified() {
        let def = find("peak-shaving").unwrap();
        let with_queue = def.defaults();
        let mut direct = def.defaults();
        direct.set("queue", 0.0);
        assert!(matches!(
            (def.live)(&with_queue, "consumers", 5.0),
            Live::Apply(_)
        ));
        assert_eq!((def.live)(&direct, "consumers", 5.0), Live::NoEffect);
        assert_eq!((def.live)(&with_queue, "burst_ms", 500.0), Live::Restart);
    }

    static ACKS: [Choice; 3] = [
        Choice::new("0", "不等确认", "No ack"),
        Choice::new("1", "主副本确认", "Leader ack"),
        Choice::new("all", "全部副本确认", "All replicas"),
    ];

    fn acks() -> ParamDef {
        ParamDef::choice("acks", &ACKS, 1, "how many replicas confirm a write")
    }

    #[test]
    fn a_choice_takes_its_words_and_names_them_when_wrong() {
        let d = acks();
        assert_eq!(d.parse("all"), Ok(2.0));
        assert_eq!(d.parse(" ALL "), Ok(2.0), "trimmed, any case");
        assert_eq!(d.parse("0"), Ok(0.0));
        assert_eq!(
            d.parse("two"),
            Err("acks must be one of 0, 1, all; got 'two'".to_string())
        );
        assert!(d.parse("2").is_err(), "an index is not a word");
        assert_eq!((d.min, d.max, d.default), (0.0, 2.0, 1.0));
        assert_eq!(d.choices().len(), 3);
        assert_eq!(d.choices()[2].label.get(Lang::Zh), "全部副本确认");
        assert_eq!(d.choices()[2].label.get(Lang::En), "All replicas");
        assert_eq!(words(&ACKS), ["0", "1", "all"]);
        assert!(d.is_choice());
        assert!(ParamDef::boolean("b", true, "").choices().is_empty());
    }

    #[test]
    fn a_stored_choice_rounds_to_the_nearest_word() {
        let d = acks();
        assert_eq!(d.clamp(1.4), 1.0);
        assert_eq!(d.clamp(1.6), 2.0);
        assert_eq!(d.clamp(-3.0), 0.0);
        assert_eq!(d.clamp(99.0), 2.0);
        assert_eq!(d.clamp(f64::NAN), 1.0, "the default");
        assert_eq!(d.word(1.6), Some("all"));
        assert_eq!(d.show(0.2), "0");
        assert_eq!(d.value_of("1"), Some(1.0));
        assert_eq!(d.value_of("nope"), None);
        for (i, c) in ACKS.iter().enumerate() {
            assert_eq!(d.parse(c.word), Ok(i as f64));
            assert_eq!(d.show(i as f64), c.word, "show is parse's inverse");
        }
        assert_eq!(ParamDef::int("n", "", 0.0, 9.0, 1.0, "").word(3.0), None);
    }

    #[test]
    fn booleans_keep_their_words() {
        let d = ParamDef::boolean("queue", true, "");
        for (raw, v) in [("on", 1.0), ("true", 1.0), ("yes", 1.0), ("1", 1.0)] {
            assert_eq!(d.parse(raw), Ok(v));
        }
        for raw in ["off", "false", "no", "0", "OFF"] {
            assert_eq!(d.parse(raw), Ok(0.0));
        }
        assert_eq!(
            d.parse("maybe"),
            Err("queue must be on or off; got 'maybe'".to_string())
        );
        assert_eq!(d.show(1.0), "on");
    }

    #[test]
    fn every_builtin_choice_has_distinct_words_and_both_labels() {
        for def in builtins() {
            let mut p = def.defaults();
            for d in def.params.iter().filter(|d| d.is_choice()) {
                let words: std::collections::BTreeSet<_> =
                    d.choices().iter().map(|c| c.word).collect();
                assert_eq!(words.len(), d.choices().len(), "{}.{}", def.id, d.key);
                for (i, c) in d.choices().iter().enumerate() {
                    assert!(!c.word.is_empty() && !c.word.contains(char::is_whitespace));
                    assert!(
                        !c.label.get(Lang::Zh).is_empty() && !c.label.get(Lang::En).is_empty(),
                        "{}.{}",
                        def.id,
                        c.word
                    );
                    p.set(d.key, i as f64);
                    assert_eq!(def.word(&p, d.key), Some(c.word));
                }
            }
        }
    }

    #[test]
    fn clamp_brings_anything_into_range() {
        let d = ParamDef::int("n", "", 1.0, 10.0, 5.0, "");
        assert_eq!(d.clamp(99.0), 10.0);
        assert_eq!(d.clamp(f64::NAN), 5.0);
        assert_eq!(d.clamp(3.4), 3.0);
    }
}
