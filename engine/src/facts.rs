//! Facts: a scenario's key teaching numbers ("98.9 % of the burst was
//! rejected", "the user waited 1,505 ms"), each with a stable name — a
//! public contract for course authors, who cite them from `mqlab-sim run`
//! (`facts`, `facts_explained`) — and the same numbers the UI's metric
//! cards show.
//!
//! A fact is data on the scenario definition ([`ScenarioDef::facts`]): a
//! name, a unit, labels, one English sentence, and a plain function that
//! reads the value from a [`Sim`] — cheap enough to call every frame (no
//! snapshot, no serde, a few lookups by node name).
//!
//! Names use snake_case and end in their unit where they have one
//! (`_ms`, `_us`, `_s`, `_pct`, `_per_s`); plain counts have none. Never
//! rename or remove a fact: add a new one instead.
//!
//! [`ScenarioDef::facts`]: crate::scenario::ScenarioDef::facts

use crate::ledger::MsgState;
use crate::sim::Sim;
use crate::text::Text;
use crate::time::{US_PER_MS, US_PER_S};

/// One named teaching number of a scenario.
#[derive(Clone, Copy, Debug)]
pub struct FactDef {
    /// The stable public name (`facts.<key>` in the CLI's JSON).
    pub key: &'static str,
    /// `messages`, `ms`, `us`, `s`, `pct`, `per_s`, or empty for a plain
    /// number (a ratio, a count of consumers).
    pub unit: &'static str,
    /// Short label for a metric card.
    pub label: Text,
    /// One English sentence saying what the number is (`facts_explained`).
    pub explained_en: &'static str,
    /// Reads the value from a simulation, at whatever moment it is in.
    pub value: fn(&Sim) -> f64,
}

impl FactDef {
    /// The fact's value for `sim` now.
    pub fn read(&self, sim: &Sim) -> f64 {
        (self.value)(sim)
    }
}

/// Facts any run has, whatever its topology: what a scenario file given to
/// the CLI reports (built-in scenarios list their own, often reusing these).
pub static GENERIC: [FactDef; 7] = [
    PRODUCED,
    DONE,
    REJECTED,
    LOST,
    QUEUED,
    QUEUE_LEN_MAX,
    LATENCY_MS,
];

// ----- facts shared by several scenarios ------------------------------------
// A scenario may reuse one as is, or with its own sentence and labels:
// `FactDef { explained_en: crate::cli_only("..."), ..facts::DONE }`.

pub const PRODUCED: FactDef = FactDef {
    key: "produced",
    unit: "messages",
    label: Text::new("已发送", "Sent"),
    explained_en: crate::cli_only(
        "Messages the producers sent (retries of the same message not counted again).",
    ),
    value: |s| read::produced(s),
};

pub const DONE: FactDef = FactDef {
    key: "done",
    unit: "messages",
    label: Text::new("已完成", "Done"),
    explained_en: crate::cli_only(
        "Messages fully processed (acknowledged by a consumer or answered by a service).",
    ),
    value: |s| read::count(s, MsgState::Done),
};

pub const REJECTED: FactDef = FactDef {
    key: "rejected",
    unit: "messages",
    label: Text::new("被拒绝", "Rejected"),
    explained_en: crate::cli_only("Messages refused with the sender told why (queue full, service over capacity, down or timed out)."),
    value: |s| read::count(s, MsgState::Rejected),
};

pub const LOST: FactDef = FactDef {
    key: "lost",
    unit: "messages",
    label: Text::new("丢失", "Lost"),
    explained_en: crate::cli_only(
        "Messages gone without anyone being told; ledger.lost_by_cause says where and why.",
    ),
    value: |s| read::count(s, MsgState::Lost),
};

pub const REDELIVERED: FactDef = FactDef {
    key: "redelivered",
    unit: "messages",
    label: Text::new("重新投递", "Redelivered"),
    explained_en: crate::cli_only("Deliveries of a message delivered before (after a consumer crash or a nack under manual ack): the redelivered flag."),
    value: |s| read::redelivered(s),
};

pub const DUPLICATES: FactDef = FactDef {
    key: "duplicates",
    unit: "messages",
    label: Text::new("重复消息", "Duplicates"),
    explained_en: crate::cli_only("Copies a producer sent again because a confirm was lost although the broker had stored the message: the consumer must be idempotent."),
    value: |s| read::duplicates(s),
};

pub const NACKED: FactDef = FactDef {
    key: "nacked",
    unit: "messages",
    label: Text::new("处理失败重回队列", "Nacked"),
    explained_en: crate::cli_only(
        "Failed processings the consumer handed back with nack + requeue.",
    ),
    value: |s| read::nacked(s),
};

pub const FAILOVERS: FactDef = FactDef {
    key: "failovers",
    unit: "",
    label: Text::new("主副本切换", "Failovers"),
    explained_en: crate::cli_only(
        "Times a follower took over as the broker's leader after a crash.",
    ),
    value: |s| s.replication.failovers as f64,
};

pub const QUEUED: FactDef = FactDef {
    key: "queued",
    unit: "messages",
    label: Text::new("排队中", "Queued"),
    explained_en: crate::cli_only("Messages waiting in the broker's queues at the end of the run."),
    value: |s| read::queued(s),
};

pub const QUEUE_LEN_MAX: FactDef = FactDef {
    key: "queue_len_max",
    unit: "messages",
    label: Text::new("队列最长", "Longest queue"),
    explained_en: crate::cli_only("The most messages any one queue held at once during the run."),
    value: |s| read::queue_len_max(s),
};

pub const LATENCY_MS: FactDef = FactDef {
    key: "latency_ms",
    unit: "ms",
    label: Text::new("平均端到端耗时", "Mean end-to-end time"),
    explained_en: crate::cli_only(
        "Mean time from a message's creation to its being done, in milliseconds.",
    ),
    value: |s| read::ms(s.latency_histogram().mean()),
};

pub const RESPONSE_MS: FactDef = FactDef {
    key: "response_ms",
    unit: "ms",
    label: Text::new("平均响应时间", "Mean response time"),
    explained_en: crate::cli_only("Mean time a sender waited: until the broker acknowledged its message, or until the service answered its call, in milliseconds."),
    value: |s| read::ms(s.response_histogram().mean()),
};

pub const RESPONSE_RECENT_MS: FactDef = FactDef {
    key: "response_ms_last_10s",
    unit: "ms",
    label: Text::new("平均等待（近 10 秒）", "Mean wait (last 10 s)"),
    explained_en: crate::cli_only("Mean time a sender waited over the last 10 s of simulated time, in milliseconds (0 when nothing was answered in it): it follows a change at once, where response_ms averages the whole run."),
    value: |s| read::ms(s.response_recent().0),
};

pub const RESPONSE_P95_MS: FactDef = FactDef {
    key: "response_p95_ms",
    unit: "ms",
    label: Text::new("P95 响应时间", "p95 response time"),
    explained_en: crate::cli_only(
        "The response time 95 % of answered senders stayed within, in milliseconds.",
    ),
    value: |s| read::ms(s.response_histogram().quantile(0.95) as f64),
};

pub const PROCESSING_RATE_PER_S: FactDef = FactDef {
    key: "processing_rate_per_s",
    unit: "per_s",
    label: Text::new("处理速率", "Processing rate"),
    explained_en: crate::cli_only("Messages done per second between the first and the last completion: how fast the system worked through its load."),
    value: |s| s.processing_rate_per_s(),
};

/// Readers for fact functions: cheap looks at a running simulation.
pub mod read {
    use super::*;

    pub fn count(sim: &Sim, state: MsgState) -> f64 {
        sim.ledger.count(state) as f64
    }

    /// Every message ever created (copies and follow-ups included).
    pub fn total(sim: &Sim) -> f64 {
        sim.ledger.total() as f64
    }

    pub fn produced(sim: &Sim) -> f64 {
        sim.publish.produced() as f64
    }

    /// Messages in all queues now.
    /// Deliveries of messages delivered before, over all groups.
    pub fn redelivered(sim: &Sim) -> f64 {
        sim.delivery
            .groups
            .iter()
            .map(|g| g.redelivered)
            .sum::<u64>() as f64
    }

    /// Failed processings nacked with requeue, over all groups.
    pub fn nacked(sim: &Sim) -> f64 {
        sim.delivery.groups.iter().map(|g| g.nacked).sum::<u64>() as f64
    }

    /// Copies sent again after a lost confirm, over all producers.
    pub fn duplicates(sim: &Sim) -> f64 {
        sim.publish
            .producers
            .iter()
            .map(|p| p.duplicates)
            .sum::<u64>() as f64
    }

    pub fn queued(sim: &Sim) -> f64 {
        sim.broker.queued() as f64
    }

    /// The longest any queue has been.
    pub fn queue_len_max(sim: &Sim) -> f64 {
        sim.broker
            .queues
            .iter()
            .map(|q| q.level.max())
            .max()
            .unwrap_or(0) as f64
    }

    /// Messages in the queue called `name` now (0 if there is none).
    pub fn queue_len(sim: &Sim, name: &str) -> f64 {
        queue(sim, name).map_or(0.0, |q| sim.broker.queues[q].len() as f64)
    }

    /// Messages acked by the consumer group called `name` (0 if none).
    pub fn group_processed(sim: &Sim, name: &str) -> f64 {
        sim.spec
            .consumers
            .iter()
            .position(|c| c.name == name)
            .map_or(0.0, |g| sim.delivery.groups[g].processed as f64)
    }

    /// Messages the consumer group called `name` holds now: delivered and
    /// not yet acked (0 if there is none).
    pub fn group_holding(sim: &Sim, name: &str) -> f64 {
        sim.spec
            .consumers
            .iter()
            .position(|c| c.name == name)
            .map_or(0.0, |g| {
                sim.delivery.groups[g]
                    .members
                    .iter()
                    .map(|m| m.held.len())
                    .sum::<usize>() as f64
            })
    }

    /// Requests the service called `name` finished (0 if none).
    pub fn service_processed(sim: &Sim, name: &str) -> f64 {
        sim.spec
            .services
            .iter()
            .position(|s| s.name == name)
            .map_or(0.0, |s| sim.calls.services[s].processed as f64)
    }

    /// What the node called `name` has processed: a consumer group's acks
    /// or a service's finished requests (scenarios whose modes use either).
    pub fn processed_by(sim: &Sim, name: &str) -> f64 {
        group_processed(sim, name) + service_processed(sim, name)
    }

    /// Per-consumer acked counts over every consumer of every group, as
    /// (fewest, most); (0, 0) without consumers.
    /// Handlings per message that every reader has finished, from each
    /// reading group's handled count: a message counts once every group
    /// (one queue's competing consumers, or one subscriber) has handled
    /// it — each group works its queue in order — and each such message was
    /// handled once per group: 1 for point-to-point, N for N subscribers.
    /// Unfinished work does not dilute it (handled ÷ sent read ×0.97 and
    /// ×2.90 while messages were still on their way).
    pub fn per_finished_message(handled_by_group: &[u64]) -> f64 {
        let finished = handled_by_group.iter().copied().min().unwrap_or(0);
        if finished == 0 {
            return 0.0;
        }
        let handled: u64 = handled_by_group.iter().map(|h| (*h).min(finished)).sum();
        handled as f64 / finished as f64
    }

    /// Each consumer group's handled count, for the groups whose queue is
    /// fed now (a standby or unsubscribed subscriber does not count).
    pub fn handled_by_group(sim: &Sim) -> Vec<u64> {
        attached_groups(sim).map(|g| g.processed).collect()
    }

    fn attached_groups(sim: &Sim) -> impl Iterator<Item = &crate::model::consumer::ConsumerGroup> {
        sim.delivery
            .groups
            .iter()
            .filter(|g| sim.queue_attached(g.queue))
    }

    pub fn per_consumer_range(sim: &Sim) -> (f64, f64) {
        let mut range: Option<(u64, u64)> = None;
        for g in attached_groups(sim) {
            for m in g.members.iter().take(g.active as usize) {
                let n = m.processed;
                range = Some(match range {
                    None => (n, n),
                    Some((lo, hi)) => (lo.min(n), hi.max(n)),
                });
            }
        }
        let (lo, hi) = range.unwrap_or((0, 0));
        (lo as f64, hi as f64)
    }

    /// The queue called `name`.
    pub fn queue(sim: &Sim, name: &str) -> Option<usize> {
        sim.spec.queues.iter().position(|q| q.name == name)
    }

    /// µs (as a float) to ms.
    pub fn ms(us: f64) -> f64 {
        us / US_PER_MS as f64
    }

    /// µs (as a float) to s.
    pub fn secs(us: f64) -> f64 {
        us / US_PER_S as f64
    }

    /// `part` as a percentage of `whole` (0 when `whole` is 0).
    pub fn pct(part: f64, whole: f64) -> f64 {
        if whole > 0.0 {
            100.0 * part / whole
        } else {
            0.0
        }
    }
}
