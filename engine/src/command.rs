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
}

impl Action {
    /// A short English name for logs.
    pub fn verb(&self) -> &'static str {
        match self {
            Action::SetRate { .. } => "set_rate",
            Action::Produce { .. } => "produce",
            Action::SetConsumers { .. } => "set_consumers",
            Action::SetConsumersOnline { .. } => "set_consumers_online",
            Action::SetConsumerWork { .. } => "set_consumer_work",
            Action::SetServiceCapacity { .. } => "set_service_capacity",
            Action::SetServiceUp { .. } => "set_service_up",
            Action::CrashConsumer { .. } => "crash_consumer",
            Action::DropNextPublish { .. } => "drop_next_publish",
            Action::CrashBroker => "crash_broker",
            Action::Subscribe { .. } => "subscribe",
            Action::Unsubscribe { .. } => "unsubscribe",
            Action::Replay { .. } => "replay",
        }
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
}
