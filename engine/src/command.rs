//! Learner input as data: every slider move or fault button is a timestamped
//! command in the input log, so a run can be replayed, shared and rewound.
//!
//! Nodes are named, not numbered, so a command file reads like the scenario.

use serde::{Deserialize, Serialize};

use crate::time::TimeUs;

// No `deny_unknown_fields` here: serde does not support it together with
// `flatten`. Unknown fields are refused by `Action` instead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// When the command takes effect (virtual µs).
    pub at_us: TimeUs,
    #[serde(flatten)]
    pub action: Action,
}

/// What a command does. Faults are plain verbs on the simulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Change a producer's sending rate.
    SetRate { producer: String, rate_per_s: f64 },
    /// Send `count` messages right now (a "produce" button).
    Produce { producer: String, count: u32 },
    /// Change how many consumers a group runs.
    SetConsumers { group: String, count: u32 },
    /// Take a whole consumer group offline (it finishes what it holds) or back.
    SetConsumersOnline { group: String, online: bool },
    /// Change a consumer group's mean work time per message.
    SetConsumerWork { group: String, mean_us: TimeUs },
    /// Change a service's capacity (requests per second).
    SetServiceCapacity {
        service: String,
        capacity_per_s: f64,
    },
    /// Bring a service down or back up.
    SetServiceUp { service: String, up: bool },
    /// Fault: one consumer of the group crashes mid-work and restarts later.
    CrashConsumer { group: String },
    /// Fault: the network drops the producer's next publish.
    DropNextPublish { producer: String },
    /// Fault: the broker crashes and restarts; unpersisted messages are gone.
    CrashBroker,
    /// Attach a queue to a topic: from now on it gets a copy of every message.
    Subscribe { topic: String, queue: String },
    /// Detach a queue from a topic (it keeps what it holds). The last
    /// subscription of a topic stays: detaching it does nothing.
    Unsubscribe { topic: String, queue: String },
    /// Consumers re-read the last `count` acked messages a queue's log keeps
    /// (`retain_acked`); each re-read is a new message. A queue that
    /// deletes messages once acked has nothing to replay.
    Replay { queue: String, count: u32 },
    /// Fault: the broker stores the producer's next publish, but the
    /// confirm back is lost; a producer with confirms sends it again (a
    /// duplicate).
    DropNextConfirm { producer: String },
    /// Fault: the network holds the producer's next publish up for
    /// `delay_us` more than a hop, so later messages can overtake it.
    DelayNextPublish { producer: String, delay_us: TimeUs },
    /// The consumers of the group get the fixed code: poison messages (see
    /// the queue's retry policy) are processed like any other from now on.
    DeployFix { group: String },
    /// Moves every message in the dead-letter queue of queue `queue` back to
    /// the tail of `queue`, each with a fresh delivery count.
    Redrive { queue: String },
    /// Fault: the producer instance handling the next order crashes right
    /// after its database write (before it sends or commits anything).
    CrashProducerAfterDb { producer: String },
    /// Fault: the producer instance handling the next order crashes right
    /// after it sent the message (or the half message).
    CrashProducerAfterSend { producer: String },
    /// Fault: the next order's local transaction fails (the insert is
    /// rolled back).
    FailLocalTx { producer: String },
    /// Switch the gateway's rate limiter off (a fault: every request gets
    /// through) or back on.
    SetLimiter { on: bool },
    /// Subscribe exactly the first `count` queues of the topic's
    /// subscriptions followed by its standby queues (at least one); a queue
    /// detached this way keeps what it holds.
    SetSubscribers { topic: String, count: u32 },
}

/// The stable verb indices of the newer verbs (an action travels as its
/// index, so an index is never reused or renumbered). [`VERBS`] is looked
/// up by the index each entry stores, so a gap or an entry out of order is
/// fine.
pub const DELAY_NEXT_PUBLISH: usize = 14;
pub const DEPLOY_FIX: usize = 15;
pub const REDRIVE: usize = 16;
pub const CRASH_PRODUCER_AFTER_DB: usize = 17;
pub const CRASH_PRODUCER_AFTER_SEND: usize = 18;
pub const FAIL_LOCAL_TX: usize = 19;
pub const SET_LIMITER: usize = 20;
pub const SET_SUBSCRIBERS: usize = 21;

/// The kind of one field of an [`Action`] (for compact encodings that do
/// not carry field names, such as share links).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Str,
    F64,
    U32,
    /// Whole microseconds (`TimeUs`).
    U64,
    Bool,
}

/// The value of one field of an [`Action`].
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Str(String),
    /// Every number (`f64`, `u32`, `TimeUs`) travels as an `f64`; whole
    /// kinds are checked for range and fraction when read back.
    Num(f64),
    Bool(bool),
}

/// One verb: its name (the `do` of a command) and its fields in order.
#[derive(Clone, Copy, Debug)]
pub struct VerbDef {
    /// The verb's stable index (what links carry); see [`verb_def`].
    pub index: usize,
    pub verb: &'static str,
    pub fields: &'static [(&'static str, FieldKind)],
}

use FieldKind as K;

/// Every verb. An action is written as its verb's stable `index` plus its
/// field values in this order; the names are the same as in command files
/// (serde's), which a test checks. Indices are unique but need not be dense
/// or in order: find an entry with [`verb_def`], never by position.
pub const VERBS: &[VerbDef] = &[
    VerbDef {
        index: 0,
        verb: "set_rate",
        fields: &[("producer", K::Str), ("rate_per_s", K::F64)],
    },
    VerbDef {
        index: 1,
        verb: "produce",
        fields: &[("producer", K::Str), ("count", K::U32)],
    },
    VerbDef {
        index: 2,
        verb: "set_consumers",
        fields: &[("group", K::Str), ("count", K::U32)],
    },
    VerbDef {
        index: 3,
        verb: "set_consumers_online",
        fields: &[("group", K::Str), ("online", K::Bool)],
    },
    VerbDef {
        index: 4,
        verb: "set_consumer_work",
        fields: &[("group", K::Str), ("mean_us", K::U64)],
    },
    VerbDef {
        index: 5,
        verb: "set_service_capacity",
        fields: &[("service", K::Str), ("capacity_per_s", K::F64)],
    },
    VerbDef {
        index: 6,
        verb: "set_service_up",
        fields: &[("service", K::Str), ("up", K::Bool)],
    },
    VerbDef {
        index: 7,
        verb: "crash_consumer",
        fields: &[("group", K::Str)],
    },
    VerbDef {
        index: 8,
        verb: "drop_next_publish",
        fields: &[("producer", K::Str)],
    },
    VerbDef {
        index: 9,
        verb: "crash_broker",
        fields: &[],
    },
    VerbDef {
        index: 10,
        verb: "subscribe",
        fields: &[("topic", K::Str), ("queue", K::Str)],
    },
    VerbDef {
        index: 11,
        verb: "unsubscribe",
        fields: &[("topic", K::Str), ("queue", K::Str)],
    },
    VerbDef {
        index: 12,
        verb: "replay",
        fields: &[("queue", K::Str), ("count", K::U32)],
    },
    VerbDef {
        index: 13,
        verb: "drop_next_confirm",
        fields: &[("producer", K::Str)],
    },
    VerbDef {
        index: DELAY_NEXT_PUBLISH,
        verb: "delay_next_publish",
        fields: &[("producer", K::Str), ("delay_us", K::U64)],
    },
    VerbDef {
        index: DEPLOY_FIX,
        verb: "deploy_fix",
        fields: &[("group", K::Str)],
    },
    VerbDef {
        index: REDRIVE,
        verb: "redrive",
        fields: &[("queue", K::Str)],
    },
    VerbDef {
        index: CRASH_PRODUCER_AFTER_DB,
        verb: "crash_producer_after_db",
        fields: &[("producer", K::Str)],
    },
    VerbDef {
        index: CRASH_PRODUCER_AFTER_SEND,
        verb: "crash_producer_after_send",
        fields: &[("producer", K::Str)],
    },
    VerbDef {
        index: FAIL_LOCAL_TX,
        verb: "fail_local_tx",
        fields: &[("producer", K::Str)],
    },
    VerbDef {
        index: SET_LIMITER,
        verb: "set_limiter",
        fields: &[("on", K::Bool)],
    },
    VerbDef {
        index: SET_SUBSCRIBERS,
        verb: "set_subscribers",
        fields: &[("topic", K::Str), ("count", K::U32)],
    },
];

impl Action {
    /// This action's stable verb index (see [`verb_def`]).
    pub fn verb_index(&self) -> usize {
        match self {
            Action::SetRate { .. } => 0,
            Action::Produce { .. } => 1,
            Action::SetConsumers { .. } => 2,
            Action::SetConsumersOnline { .. } => 3,
            Action::SetConsumerWork { .. } => 4,
            Action::SetServiceCapacity { .. } => 5,
            Action::SetServiceUp { .. } => 6,
            Action::CrashConsumer { .. } => 7,
            Action::DropNextPublish { .. } => 8,
            Action::CrashBroker => 9,
            Action::Subscribe { .. } => 10,
            Action::Unsubscribe { .. } => 11,
            Action::Replay { .. } => 12,
            Action::DropNextConfirm { .. } => 13,
            Action::DelayNextPublish { .. } => DELAY_NEXT_PUBLISH,
            Action::DeployFix { .. } => DEPLOY_FIX,
            Action::Redrive { .. } => REDRIVE,
            Action::CrashProducerAfterDb { .. } => CRASH_PRODUCER_AFTER_DB,
            Action::CrashProducerAfterSend { .. } => CRASH_PRODUCER_AFTER_SEND,
            Action::FailLocalTx { .. } => FAIL_LOCAL_TX,
            Action::SetLimiter { .. } => SET_LIMITER,
            Action::SetSubscribers { .. } => SET_SUBSCRIBERS,
        }
    }

    /// A short English name for logs (the `do` of a command).
    pub fn verb(&self) -> &'static str {
        verb_def(self.verb_index()).map_or("?", |d| d.verb)
    }

    /// The field values, in the order [`VERBS`] lists them.
    pub fn field_values(&self) -> Vec<FieldValue> {
        use FieldValue::{Bool, Num, Str};
        let s = |x: &String| Str(x.clone());
        match self {
            Action::SetRate {
                producer,
                rate_per_s,
            } => vec![s(producer), Num(*rate_per_s)],
            Action::Produce { producer, count } => vec![s(producer), Num(*count as f64)],
            Action::SetConsumers { group, count } => vec![s(group), Num(*count as f64)],
            Action::SetConsumersOnline { group, online } => vec![s(group), Bool(*online)],
            Action::SetConsumerWork { group, mean_us } => vec![s(group), Num(*mean_us as f64)],
            Action::SetServiceCapacity {
                service,
                capacity_per_s,
            } => {
                vec![s(service), Num(*capacity_per_s)]
            }
            Action::SetServiceUp { service, up } => vec![s(service), Bool(*up)],
            Action::CrashConsumer { group } | Action::DeployFix { group } => vec![s(group)],
            Action::DropNextPublish { producer }
            | Action::DropNextConfirm { producer }
            | Action::CrashProducerAfterDb { producer }
            | Action::CrashProducerAfterSend { producer }
            | Action::FailLocalTx { producer } => vec![s(producer)],
            Action::CrashBroker => vec![],
            Action::Subscribe { topic, queue } | Action::Unsubscribe { topic, queue } => {
                vec![s(topic), s(queue)]
            }
            Action::Replay { queue, count } => vec![s(queue), Num(*count as f64)],
            Action::DelayNextPublish { producer, delay_us } => {
                vec![s(producer), Num(*delay_us as f64)]
            }
            Action::Redrive { queue } => vec![s(queue)],
            Action::SetLimiter { on } => vec![Bool(*on)],
            Action::SetSubscribers { topic, count } => vec![s(topic), Num(*count as f64)],
        }
    }

    /// Builds the verb with stable index `index` from its field values (in
    /// order), checking each value's kind; never panics on bad input.
    pub fn from_field_values(index: usize, values: Vec<FieldValue>) -> Result<Action, String> {
        let def = verb_def(index).ok_or_else(|| refused!("no verb #{index}"))?;
        if values.len() != def.fields.len() {
            return Err(refused!(
                "'{}' takes {} fields, got {}",
                def.verb,
                def.fields.len(),
                values.len()
            ));
        }
        let mut it = values.into_iter().zip(def.fields.iter());
        let mut next = || {
            let (v, (name, kind)) = it.next().ok_or_else(|| "missing field".to_string())?;
            checked(def.verb, name, *kind, v)
        };
        let a = match index {
            0 => Action::SetRate {
                producer: next()?.str(),
                rate_per_s: next()?.num(),
            },
            1 => Action::Produce {
                producer: next()?.str(),
                count: next()?.num() as u32,
            },
            2 => Action::SetConsumers {
                group: next()?.str(),
                count: next()?.num() as u32,
            },
            3 => Action::SetConsumersOnline {
                group: next()?.str(),
                online: next()?.bool(),
            },
            4 => Action::SetConsumerWork {
                group: next()?.str(),
                mean_us: next()?.num() as TimeUs,
            },
            5 => Action::SetServiceCapacity {
                service: next()?.str(),
                capacity_per_s: next()?.num(),
            },
            6 => Action::SetServiceUp {
                service: next()?.str(),
                up: next()?.bool(),
            },
            7 => Action::CrashConsumer {
                group: next()?.str(),
            },
            8 => Action::DropNextPublish {
                producer: next()?.str(),
            },
            9 => Action::CrashBroker,
            10 => Action::Subscribe {
                topic: next()?.str(),
                queue: next()?.str(),
            },
            11 => Action::Unsubscribe {
                topic: next()?.str(),
                queue: next()?.str(),
            },
            12 => Action::Replay {
                queue: next()?.str(),
                count: next()?.num() as u32,
            },
            13 => Action::DropNextConfirm {
                producer: next()?.str(),
            },
            DELAY_NEXT_PUBLISH => Action::DelayNextPublish {
                producer: next()?.str(),
                delay_us: next()?.num() as TimeUs,
            },
            DEPLOY_FIX => Action::DeployFix {
                group: next()?.str(),
            },
            REDRIVE => Action::Redrive {
                queue: next()?.str(),
            },
            CRASH_PRODUCER_AFTER_DB => Action::CrashProducerAfterDb {
                producer: next()?.str(),
            },
            CRASH_PRODUCER_AFTER_SEND => Action::CrashProducerAfterSend {
                producer: next()?.str(),
            },
            FAIL_LOCAL_TX => Action::FailLocalTx {
                producer: next()?.str(),
            },
            SET_LIMITER => Action::SetLimiter { on: next()?.bool() },
            SET_SUBSCRIBERS => Action::SetSubscribers {
                topic: next()?.str(),
                count: next()?.num() as u32,
            },
            _ => unreachable!("index checked against VERBS above"),
        };
        Ok(a)
    }

    /// The stable index of a verb name.
    pub fn verb_named(verb: &str) -> Option<usize> {
        VERBS.iter().find(|v| v.verb == verb).map(|v| v.index)
    }
}

/// The verb with stable index `index`, if there is one.
pub fn verb_def(index: usize) -> Option<&'static VerbDef> {
    VERBS.iter().find(|v| v.index == index)
}

impl FieldValue {
    fn str(self) -> String {
        match self {
            FieldValue::Str(s) => s,
            _ => String::new(),
        }
    }
    fn num(self) -> f64 {
        match self {
            FieldValue::Num(x) => x,
            _ => 0.0,
        }
    }
    fn bool(self) -> bool {
        matches!(self, FieldValue::Bool(true))
    }
}

/// Checks that `v` fits field `name` of kind `kind`.
#[cfg_attr(target_arch = "wasm32", allow(unused_variables))] // see `refused!`
fn checked(verb: &str, name: &str, kind: FieldKind, v: FieldValue) -> Result<FieldValue, String> {
    let ok = match (&v, kind) {
        (FieldValue::Str(_), FieldKind::Str) | (FieldValue::Bool(_), FieldKind::Bool) => true,
        (FieldValue::Num(x), FieldKind::F64) => x.is_finite(),
        (FieldValue::Num(x), FieldKind::U32) => {
            x.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(x)
        }
        (FieldValue::Num(x), FieldKind::U64) => {
            x.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(x)
        }
        _ => false,
    };
    if ok {
        Ok(v)
    } else {
        Err(refused!(
            "'{verb}': field '{name}' has the wrong kind of value"
        ))
    }
}

/// Parses a JSON array of commands; `at` may be given as `at_us` (number) or
/// as a duration string under `at` (e.g. `"at": "1.5s"`).
pub fn parse_commands(json: &str) -> Result<Vec<Command>, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("commands file is not valid JSON: {e}"))?;
    let items = value
        .as_array()
        .ok_or("commands file must be a JSON array of commands")?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mut obj = item
            .as_object()
            .ok_or_else(|| format!("command #{i} is not a JSON object"))?
            .clone();
        if let Some(at) = obj.remove("at") {
            let text = at.as_str().ok_or_else(|| {
                format!("command #{i}: 'at' must be a duration string like \"1.5s\"")
            })?;
            let us = crate::time::parse_duration(text).map_err(|e| format!("command #{i}: {e}"))?;
            obj.insert("at_us".into(), us.into());
        }
        let keys: Vec<String> = obj.keys().cloned().collect();
        let cmd: Command = serde_json::from_value(serde_json::Value::Object(obj))
            .map_err(|e| format!("command #{i}: {e}"))?;
        // Serde lets a field-less verb (`crash_broker`) carry any extra
        // fields; refuse them here like every other unknown field.
        let known = serde_json::to_value(&cmd).map_err(|e| format!("command #{i}: {e}"))?;
        if let Some(extra) = keys.iter().find(|k| known.get(k.as_str()).is_none()) {
            return Err(format!(
                "command #{i}: unknown field `{extra}` for '{}'",
                cmd.action.verb()
            ));
        }
        out.push(cmd);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_and_verbs() {
        let cmds = parse_commands(
            r#"[{"at":"1.5s","do":"crash_consumer","group":"workers"},
                {"at_us":10,"do":"crash_broker"}]"#,
        )
        .unwrap();
        assert_eq!(cmds[0].at_us, 1_500_000);
        assert_eq!(
            cmds[0].action,
            Action::CrashConsumer {
                group: "workers".into()
            }
        );
        assert_eq!(cmds[1].action, Action::CrashBroker);
    }

    #[test]
    fn bad_commands_say_which_and_why() {
        assert!(parse_commands("{").unwrap_err().contains("not valid JSON"));
        assert!(parse_commands("{}").unwrap_err().contains("array"));
        assert!(parse_commands(r#"[{"at":"1s","do":"explode"}]"#)
            .unwrap_err()
            .contains("command #0"));
        assert!(parse_commands(r#"[{"at":"soon","do":"crash_broker"}]"#)
            .unwrap_err()
            .contains("command #0"));
        let e = parse_commands(r#"[{"at":"1s","do":"crash_consumer","grop":"w"}]"#).unwrap_err();
        assert!(e.contains("command #0") && e.contains("grop"), "{e}");
        let e = parse_commands(r#"[{"at":"1s","do":"crash_broker","loudly":true}]"#).unwrap_err();
        assert!(e.contains("command #0") && e.contains("loudly"), "{e}");
        assert!(parse_commands(r#"[{"do":"crash_broker"}]"#)
            .unwrap_err()
            .contains("at_us"));
    }

    /// One example of every verb, built from the table (so a new verb
    /// without a table entry fails `verb_index` below).
    fn examples() -> Vec<Action> {
        VERBS
            .iter()
            .map(|def| {
                let values = def
                    .fields
                    .iter()
                    .map(|(_, k)| match k {
                        FieldKind::Str => FieldValue::Str("n".into()),
                        FieldKind::Bool => FieldValue::Bool(true),
                        _ => FieldValue::Num(7.0),
                    })
                    .collect();
                Action::from_field_values(def.index, values).unwrap()
            })
            .collect()
    }

    #[test]
    fn the_verb_table_matches_the_command_file_format() {
        for (a, def) in examples().iter().zip(VERBS) {
            let i = def.index;
            assert_eq!(a.verb_index(), i);
            let json = serde_json::to_value(a).unwrap();
            let obj = json.as_object().unwrap();
            assert_eq!(obj["do"], a.verb(), "{a:?}");
            let names: Vec<&str> = def.fields.iter().map(|(n, _)| *n).collect();
            let mut keys: Vec<&str> = obj
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "do")
                .collect();
            keys.sort_unstable();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            assert_eq!(keys, sorted, "fields of '{}'", a.verb());
            assert_eq!(
                Action::from_field_values(i, a.field_values()).as_ref(),
                Ok(a),
                "round trip of '{}'",
                a.verb()
            );
        }
    }

    #[test]
    fn verb_indices_are_unique_and_stable() {
        let mut seen: Vec<usize> = VERBS.iter().map(|v| v.index).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), VERBS.len(), "an index used twice");
        assert_eq!(Action::verb_named("deploy_fix"), Some(15));
        assert_eq!(Action::verb_named("redrive"), Some(16));
        assert_eq!(Action::verb_named("drop_next_confirm"), Some(13));
        assert_eq!(verb_def(REDRIVE).map(|d| d.verb), Some("redrive"));
    }

    #[test]
    fn field_values_of_the_wrong_kind_are_refused() {
        let i = Action::verb_named("set_consumers").unwrap();
        let bad = [
            vec![FieldValue::Str("w".into())],
            vec![FieldValue::Str("w".into()), FieldValue::Num(1.5)],
            vec![FieldValue::Str("w".into()), FieldValue::Num(-1.0)],
            vec![FieldValue::Num(1.0), FieldValue::Num(1.0)],
            vec![FieldValue::Str("w".into()), FieldValue::Bool(true)],
        ];
        for values in bad {
            assert!(
                Action::from_field_values(i, values.clone()).is_err(),
                "{values:?}"
            );
        }
        assert!(
            Action::from_field_values(14, vec![]).is_err(),
            "14 is not ours"
        );
        assert!(Action::from_field_values(REDRIVE + 1, vec![]).is_err());
        let rate = Action::verb_named("set_rate").unwrap();
        let nan = vec![FieldValue::Str("p".into()), FieldValue::Num(f64::NAN)];
        assert!(Action::from_field_values(rate, nan).is_err());
    }
}
