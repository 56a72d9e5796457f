//! `comparison`: one workload against a broker profile — RabbitMQ, Kafka,
//! RocketMQ or Redis Stream — plus the profiles' facts as plain data and a
//! requirement → recommendation function for the comparison table.
//!
//! **These profiles are models, not benchmarks.** Each is an order of
//! magnitude from the chapter, applied as a per-queue broker cost
//! ([`BrokerPacing`]): a throughput ceiling (RabbitMQ ~10k/s, Kafka ~1M/s,
//! RocketMQ ~100k/s, Redis Stream ~50k/s, for ~1 KB messages; larger
//! messages lower it in proportion, a bandwidth model) and a latency between
//! storing a message and making it deliverable (RabbitMQ in microseconds,
//! the others in milliseconds). Real numbers depend on hardware, settings,
//! batching, persistence and replication.
//!
//! Model latencies (uniform): RabbitMQ 100–300 µs, Kafka 2–5 ms, RocketMQ
//! 1–3 ms, Redis Stream 1–2 ms, plus a 100 µs network hop each way. The
//! queue stays FIFO, so a message never becomes deliverable before the one
//! ahead of it: under load, latencies crowd toward the top of the range.
//!
//! Nodes: producer `producer` → queue `broker` (paced by the profile) →
//! group `consumers` (4 consumers, fast enough never to be the bottleneck).
//! `Action::Replay { queue: "broker", count }` re-reads acked messages from
//! a log-based profile; against RabbitMQ it finds nothing to replay.

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::rng::Dist;
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit;
use crate::spec::*;
use crate::text::Text;
use crate::time::{TimeUs, US_PER_MS, US_PER_S};

/// The `broker` parameter's words, in profile order.
pub static BROKER_CHOICES: [Choice; 4] = [
    Choice::new("rabbitmq", "RabbitMQ", "RabbitMQ"),
    Choice::new("kafka", "Kafka", "Kafka"),
    Choice::new("rocketmq", "RocketMQ", "RocketMQ"),
    Choice::new("redis-stream", "Redis Stream", "Redis Stream"),
];
pub const BROKERS: &[&str] = &words(&BROKER_CHOICES);

/// Acked messages a log-based profile keeps for `Action::Replay` (the
/// simulation keeps the newest ones; a real log keeps them for a retention
/// period). A RabbitMQ queue keeps none.
pub const RETAINED_LOG: u64 = 10_000;
/// Messages the broker's queue holds before it refuses more: twice the
/// backlog of a default run (20,000/s against RabbitMQ's 10,000/s ceiling
/// for the 10 s horizon). At the top send
/// rate (1,000,000/s) it fills in a fifth of a second and the refusals
/// show; a larger queue would only cost memory (each queued message is a
/// live record, and the run's checkpoints copy them).
pub const QUEUE_CAPACITY: u64 = 200_000;

/// Typical end-to-end latency scale of a broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LatencyScale {
    Microseconds,
    Milliseconds,
}

/// Within what scope message order is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderingScope {
    /// FIFO per queue; strict only with a single consumer (competing
    /// consumers and redeliveries reorder).
    PerQueueSingleConsumer,
    /// Per partition (messages with the same key go to one partition).
    PerPartition,
    /// Per message queue (ordered messages with a sharding key).
    PerMessageQueue,
    /// Per stream (entry ids are increasing).
    PerStream,
}

/// How a feature is supported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Support {
    Native,
    /// Through a plugin or a pattern built from other features.
    Plugin,
    No,
}

/// How much running it asks of a team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpsWeight {
    Light,
    Heavy,
}

/// One broker's facts (English notes; the UI has its own translations and
/// can key them by `id`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BrokerProfile {
    /// The `broker` parameter's option: "rabbitmq", "kafka", "rocketmq", "redis-stream".
    pub id: &'static str,
    pub name: &'static str,
    /// Model throughput ceiling for ~1 KB messages (order of magnitude).
    pub throughput_per_s: f64,
    pub latency_scale: LatencyScale,
    /// Model latency between storing and being deliverable.
    pub latency: Dist,
    /// Whether messages survive a broker crash with the defaults the
    /// simulation uses (the producer's `persistent` flag).
    pub persistent_by_default: bool,
    pub persistence: &'static str,
    pub replication: &'static str,
    pub ordering: OrderingScope,
    /// Whether consumers can re-read messages already consumed.
    pub replay: bool,
    pub replay_note: &'static str,
    pub delayed_messages: Support,
    pub transactional_messages: Support,
    pub ops: OpsWeight,
    pub use_cases: &'static str,
}

static PROFILES: [BrokerProfile; 4] = [
    BrokerProfile {
        id: "rabbitmq",
        name: "RabbitMQ",
        throughput_per_s: 10_000.0,
        latency_scale: LatencyScale::Microseconds,
        latency: Dist::Uniform {
            min_us: 100,
            max_us: 300,
        },
        persistent_by_default: false,
        persistence: crate::cli_only("messages survive a restart only if published as persistent to a durable queue (quorum queues always store them on disk)"),
        replication: crate::cli_only("quorum queues replicate with Raft; classic queues are not replicated"),
        ordering: OrderingScope::PerQueueSingleConsumer,
        replay: false,
        replay_note: crate::cli_only("a RabbitMQ queue deletes a message once it is acked, so it cannot be replayed (RabbitMQ Streams, since 3.9, can)"),
        delayed_messages: Support::Plugin,
        transactional_messages: Support::No,
        ops: OpsWeight::Light,
        use_cases: crate::cli_only("task queues and routing between services where low latency matters more than volume"),
    },
    BrokerProfile {
        id: "kafka",
        name: "Kafka",
        throughput_per_s: 1_000_000.0,
        latency_scale: LatencyScale::Milliseconds,
        latency: Dist::Uniform {
            min_us: 2 * US_PER_MS,
            max_us: 5 * US_PER_MS,
        },
        persistent_by_default: true,
        persistence: crate::cli_only("every message is appended to a log on disk and kept for the retention period (7 days by default), consumed or not"),
        replication: crate::cli_only("each partition has replicas on other brokers (replication factor, typically 3)"),
        ordering: OrderingScope::PerPartition,
        replay: true,
        replay_note: crate::cli_only("Kafka keeps a log that consumers can re-read: a consumer group can reset its offset and consume again"),
        delayed_messages: Support::No,
        transactional_messages: Support::Native,
        ops: OpsWeight::Heavy,
        use_cases: crate::cli_only("log and event streaming, big-data pipelines, very high volume"),
    },
    BrokerProfile {
        id: "rocketmq",
        name: "RocketMQ",
        throughput_per_s: 100_000.0,
        latency_scale: LatencyScale::Milliseconds,
        latency: Dist::Uniform {
            min_us: US_PER_MS,
            max_us: 3 * US_PER_MS,
        },
        persistent_by_default: true,
        persistence: crate::cli_only("messages are written to a commit log on disk (asynchronous flush by default, synchronous flush optional)"),
        replication: crate::cli_only("leader/follower (master/slave) replication, asynchronous by default; Raft-based (DLedger) optional"),
        ordering: OrderingScope::PerMessageQueue,
        replay: true,
        replay_note: crate::cli_only("RocketMQ keeps a log that consumers can re-read: a consumer group can reset its offset to a point in time"),
        delayed_messages: Support::Native,
        transactional_messages: Support::Native,
        ops: OpsWeight::Heavy,
        use_cases: crate::cli_only("business messaging such as orders and payments: transactional and delayed messages, high reliability"),
    },
    BrokerProfile {
        id: "redis-stream",
        name: "Redis Stream",
        throughput_per_s: 50_000.0,
        latency_scale: LatencyScale::Milliseconds,
        latency: Dist::Uniform {
            min_us: US_PER_MS,
            max_us: 2 * US_PER_MS,
        },
        persistent_by_default: false,
        persistence: crate::cli_only("kept in memory; on disk only through RDB snapshots or the append-only file, so a crash can lose the latest writes"),
        replication: crate::cli_only("asynchronous replicas"),
        ordering: OrderingScope::PerStream,
        replay: true,
        replay_note: crate::cli_only("Redis Streams keep a log that consumers can re-read (XRANGE/XREAD from any id) until it is trimmed"),
        delayed_messages: Support::No,
        transactional_messages: Support::No,
        ops: OpsWeight::Light,
        use_cases: crate::cli_only("lightweight queues when Redis is already there and the volume fits in memory"),
    },
];

/// The four profiles, in the `broker` parameter's order.
pub fn profiles() -> &'static [BrokerProfile] {
    &PROFILES
}

/// A profile by id.
pub fn profile(id: &str) -> Option<&'static BrokerProfile> {
    PROFILES.iter().find(|p| p.id == id)
}

/// Requirement toggles for the recommendation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Requirements {
    /// Consumers must be able to re-read old messages.
    pub replay: bool,
    /// Strict ordering (for related messages) at scale.
    pub ordering: bool,
    /// Microsecond-scale latency.
    pub microsecond_latency: bool,
    /// About a million messages per second.
    pub million_per_s: bool,
    /// Delayed or transactional messages.
    pub delayed_or_transactional: bool,
    /// A small team with a small operations budget.
    pub small_team: bool,
}

/// Why a broker scored as it did: stable keys the UI translates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Keeps a log consumers can re-read.
    ReplayFromLog,
    /// Deletes a message once acked: no replay.
    NoReplayAckedIsDeleted,
    /// Ordered per partition / message queue, with parallel consumers.
    OrderingWithParallelism,
    /// Ordered per stream.
    OrderingPerStream,
    /// Strict order only with a single consumer.
    OrderingSingleConsumerOnly,
    MicrosecondLatency,
    MillisecondLatency,
    MillionPerSecond,
    BelowMillionPerSecond,
    /// Native delayed and transactional messages.
    NativeDelayedAndTransactional,
    /// Delayed messages through a plugin; no transactional messages.
    DelayedViaPlugin,
    /// Transactions, but no delayed messages.
    TransactionsWithoutDelay,
    NoDelayedOrTransactional,
    LightOperations,
    HeavyOperations,
}

/// One broker's score for a set of requirements.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Recommendation {
    /// A profile id.
    pub broker: &'static str,
    pub score: i32,
    /// Each ticked requirement's reason with the points it gave (negative
    /// for a requirement the broker does not meet).
    pub reasons: Vec<(i32, Reason)>,
}

impl Recommendation {
    /// Ticked requirements the broker does not meet (negative points).
    pub fn misses(&self) -> usize {
        self.reasons
            .iter()
            .filter(|(points, _)| *points < 0)
            .count()
    }
}

/// Scores every profile against the requirements, best first (ties keep
/// the profiles' order). Each requirement adds a reason per broker.
pub fn recommend(req: &Requirements) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = PROFILES
        .iter()
        .map(|p| {
            let mut score = 0;
            let mut reasons = Vec::new();
            let mut add = |s: i32, r: Reason| {
                score += s;
                reasons.push((s, r));
            };
            if req.replay {
                if p.replay {
                    add(2, Reason::ReplayFromLog);
                } else {
                    add(-3, Reason::NoReplayAckedIsDeleted);
                }
            }
            if req.ordering {
                match p.ordering {
                    OrderingScope::PerPartition | OrderingScope::PerMessageQueue => {
                        add(2, Reason::OrderingWithParallelism)
                    }
                    OrderingScope::PerStream => add(1, Reason::OrderingPerStream),
                    OrderingScope::PerQueueSingleConsumer => {
                        add(0, Reason::OrderingSingleConsumerOnly)
                    }
                }
            }
            if req.microsecond_latency {
                match p.latency_scale {
                    LatencyScale::Microseconds => add(3, Reason::MicrosecondLatency),
                    LatencyScale::Milliseconds => add(-1, Reason::MillisecondLatency),
                }
            }
            if req.million_per_s {
                if p.throughput_per_s >= 1_000_000.0 {
                    add(3, Reason::MillionPerSecond);
                } else {
                    add(-2, Reason::BelowMillionPerSecond);
                }
            }
            if req.delayed_or_transactional {
                match (p.delayed_messages, p.transactional_messages) {
                    (Support::Native, Support::Native) => {
                        add(3, Reason::NativeDelayedAndTransactional)
                    }
                    (Support::No, Support::Native) => add(1, Reason::TransactionsWithoutDelay),
                    (Support::Plugin | Support::Native, _) => add(1, Reason::DelayedViaPlugin),
                    _ => add(-1, Reason::NoDelayedOrTransactional),
                }
            }
            if req.small_team {
                match p.ops {
                    OpsWeight::Light => add(2, Reason::LightOperations),
                    OpsWeight::Heavy => add(-1, Reason::HeavyOperations),
                }
            }
            Recommendation {
                broker: p.id,
                score,
                reasons,
            }
        })
        .collect();
    // Highest score first, ties in profile order: an insertion sort over
    // four entries (stable, and without core's sort in the browser build).
    for i in 1..out.len() {
        let mut j = i;
        while j > 0 && out[j - 1].score < out[j].score {
            out.swap(j - 1, j);
            j -= 1;
        }
    }
    out
}

static PARAMS: [ParamDef; 3] = [
    ParamDef::choice(
        "broker",
        &BROKER_CHOICES,
        0,
        "the broker profile (a model at the chapter's orders of magnitude)",
    ),
    ParamDef::float(
        "rate_per_s",
        "per_s",
        1_000.0,
        1_000_000.0,
        20_000.0,
        1_000.0,
        "messages the producer sends per second",
    ),
    ParamDef::int(
        "message_kb",
        "KB",
        1.0,
        1024.0,
        1.0,
        "message size: larger messages lower the ceiling in proportion",
    ),
];

static FACTS: [FactDef; 10] = [
    FactDef {
        explained_en: crate::cli_only("Messages the producer sent to the broker."),
        ..facts::PRODUCED
    },
    FactDef {
        explained_en: crate::cli_only("Messages the consumers processed and acknowledged."),
        ..facts::DONE
    },
    FactDef {
        key: "throughput_per_s",
        label: Text::new("吞吐量", "Throughput"),
        explained_en: crate::cli_only("Messages consumed per second between the first and the last: the profile's throughput under this load (at most its ceiling)."),
        ..facts::PROCESSING_RATE_PER_S
    },
    FactDef {
        key: "ceiling_per_s",
        unit: "per_s",
        label: Text::new("模型吞吐上限", "Model ceiling"),
        explained_en: crate::cli_only("The broker profile's model throughput ceiling for this message size (an order of magnitude, not a benchmark)."),
        value: |s| {
            s.broker
                .queues
                .first()
                .and_then(|q| q.pacing.as_ref())
                .map_or(0.0, |p| p.throughput_per_s)
        },
    },
    FactDef {
        key: "latency_p50_us",
        unit: "us",
        label: Text::new("P50 延迟", "p50 latency"),
        explained_en: crate::cli_only("Half of the messages went from producer to consumer within this many microseconds."),
        value: |s| s.latency_histogram().quantile(0.50) as f64,
    },
    FactDef {
        key: "latency_p99_us",
        unit: "us",
        label: Text::new("P99 延迟", "p99 latency"),
        explained_en: crate::cli_only("99 % of the messages went from producer to consumer within this many microseconds."),
        value: |s| s.latency_histogram().quantile(0.99) as f64,
    },
    FactDef {
        explained_en: crate::cli_only("The most messages waiting in the broker at once: the backlog when the load is above the ceiling."),
        ..facts::QUEUE_LEN_MAX
    },
    FactDef {
        explained_en: crate::cli_only("Messages lost, e.g. by a broker crash with a profile that does not persist by default (RabbitMQ, Redis Stream)."),
        ..facts::LOST
    },
    FactDef {
        key: "retained",
        unit: "messages",
        label: Text::new("日志保留", "Kept in the log"),
        explained_en: crate::cli_only("Acked messages the broker's log keeps for re-reading (0 for RabbitMQ, which deletes a message once it is acked)."),
        value: |s| s.broker.queues.iter().map(|q| q.retained.len()).sum::<usize>() as f64,
    },
    FactDef {
        key: "replayed",
        unit: "messages",
        label: Text::new("已重放", "Replayed"),
        explained_en: crate::cli_only("Messages re-read from the log by the replay command."),
        value: |s| s.broker.queues.iter().map(|q| q.replayed).sum::<u64>() as f64,
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "comparison",
    summary: crate::cli_only("one workload against RabbitMQ, Kafka, RocketMQ or Redis Stream profiles (models, not benchmarks)"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

/// The profile a parameter set picks.
pub fn chosen(p: &Params) -> &'static BrokerProfile {
    let i = (p.get("broker").max(0.0) as usize).min(PROFILES.len() - 1);
    &PROFILES[i]
}

/// One network hop in this scenario (producer → broker, broker → consumer).
pub const HOP_US: TimeUs = 100;
/// What a consumer spends on one message.
pub const WORK_US: TimeUs = 10;

/// The end-to-end latency of one 1 KB message on an idle broker, as the
/// model makes it: a hop in, the broker's time per message at its ceiling,
/// its latency, a hop out, the work. What the facts table states, and what
/// an unloaded run's p50 and p99 fall within.
pub fn unloaded_latency_us(profile: &BrokerProfile) -> (TimeUs, TimeUs) {
    let (lo, hi) = match profile.latency {
        Dist::Fixed { us } => (us, us),
        Dist::Uniform { min_us, max_us } => (min_us, max_us),
        Dist::Exponential { mean_us } => (0, mean_us * 5),
    };
    let per_message = (US_PER_S as f64 / ceiling_per_s(profile, 1.0)).ceil() as TimeUs;
    let fixed = 2 * HOP_US + per_message + WORK_US;
    (lo + fixed, hi + fixed)
}

/// The model ceiling for messages of `kb` kilobytes.
pub fn ceiling_per_s(profile: &BrokerProfile, kb: f64) -> f64 {
    profile.throughput_per_s / kb.max(1.0)
}

fn build(p: &Params) -> ScenarioSpec {
    let prof = chosen(p);
    let mut spec = kit::spec("comparison", DEF.summary, HOP_US);
    spec.sample_interval_us = 100 * US_PER_MS;
    spec.horizon_us = 10 * US_PER_S;
    spec.log_routine = false;
    let mut producer = kit::producer("producer", "broker", p.get("rate_per_s"), 0);
    producer.persistent = prof.persistent_by_default;
    spec.producers.push(producer);
    let mut q = kit::queue("broker", QUEUE_CAPACITY);
    q.retain_acked = if prof.replay { RETAINED_LOG } else { 0 };
    q.pacing = Some(BrokerPacing {
        throughput_per_s: ceiling_per_s(prof, p.get("message_kb")),
        latency: prof.latency.clone(),
    });
    spec.queues.push(q);
    spec.consumers
        .push(kit::consumers("consumers", "broker", 4, 250, WORK_US));
    spec
}

fn live(_: &Params, key: &str, v: f64) -> Live {
    match key {
        "rate_per_s" => Live::Apply(Action::SetRate {
            producer: "producer".into(),
            rate_per_s: v,
        }),
        _ => Live::Restart,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_facts() {
        let ids: Vec<_> = profiles().iter().map(|p| p.id).collect();
        assert_eq!(ids, BROKERS);
        let replay: Vec<_> = profiles().iter().map(|p| p.replay).collect();
        assert_eq!(replay, [false, true, true, true]);
        assert!(profile("rabbitmq").unwrap().replay_note.contains("3.9"));
        let ceilings: Vec<_> = profiles().iter().map(|p| p.throughput_per_s).collect();
        assert_eq!(ceilings, [10_000.0, 1_000_000.0, 100_000.0, 50_000.0]);
        assert_eq!(
            profile("rabbitmq").unwrap().latency_scale,
            LatencyScale::Microseconds
        );
        for p in &profiles()[1..] {
            assert_eq!(p.latency_scale, LatencyScale::Milliseconds, "{}", p.id);
            assert!(p.latency.mean_us() >= 1_000.0, "{}", p.id);
        }
        assert!(profile("rabbitmq").unwrap().latency.mean_us() < 1_000.0);
    }

    fn top(req: Requirements) -> &'static str {
        recommend(&req)[0].broker
    }

    #[test]
    fn recommendations() {
        assert_eq!(
            top(Requirements {
                replay: true,
                million_per_s: true,
                ..Default::default()
            }),
            "kafka"
        );
        assert_eq!(
            top(Requirements {
                microsecond_latency: true,
                ..Default::default()
            }),
            "rabbitmq"
        );
        assert_eq!(
            top(Requirements {
                delayed_or_transactional: true,
                ..Default::default()
            }),
            "rocketmq"
        );
        let r = recommend(&Requirements {
            replay: true,
            ..Default::default()
        });
        assert_eq!(r.last().unwrap().broker, "rabbitmq");
        assert_eq!(
            r.last().unwrap().reasons,
            [(-3, Reason::NoReplayAckedIsDeleted)]
        );
        assert_eq!(r.last().unwrap().misses(), 1);
        // Issue 11: the top broker may still miss a ticked requirement.
        let r = recommend(&Requirements {
            microsecond_latency: true,
            replay: true,
            ..Default::default()
        });
        assert!(r.iter().all(|x| x.misses() > 0), "{r:?}");
        assert_eq!(
            top(Requirements {
                replay: true,
                small_team: true,
                ..Default::default()
            }),
            "redis-stream"
        );
        // No requirements: every broker scores 0, in profile order.
        let r = recommend(&Requirements::default());
        assert!(r.iter().all(|x| x.score == 0 && x.reasons.is_empty()));
        assert_eq!(r[0].broker, "rabbitmq");
    }
}
