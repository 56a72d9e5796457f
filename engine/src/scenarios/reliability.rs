//! `reliability`: the three places a message is lost, each with a fault and
//! the setting that closes it.
//!
//! 1. Producer → broker: `drop_next_publish` loses the message unless
//!    `confirm` is on (publisher confirms with retry); `drop_next_confirm`
//!    (the broker stored it, the confirm is lost) makes a producer with
//!    confirms send a duplicate.
//! 2. Broker: `crash_broker` loses what was not `persistent`, and with
//!    `flush=async` also what the current flush interval had not written.
//!    With `replicas` ≥ 2 a follower takes over; `acks=0|1` loses what no
//!    follower had copied yet, `acks=all` loses nothing (the producer was
//!    never told, so it sends again).
//! 3. Broker → consumer: under `ack_mode=auto` prefetch does not apply (as
//!    in RabbitMQ, checked by fidelity/scripts/02), so the consumer holds
//!    everything pushed to it and `crash_consumer` loses all of it; under
//!    `manual` its unacked messages are redelivered (`redelivered`). A
//!    processing failure (`fail_pct`) nacks with requeue.
//!
//! The defaults are unsafe, so the first fault loses something; each fix
//! is one setting away. The consumer is a little slower than the producer,
//! so a few messages always wait in the broker for a crash to hit.

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit;
use crate::spec::*;
use crate::text::Text;
use crate::time::{US_PER_MS, US_PER_S};

pub const PRODUCER: &str = "producer";
pub const BROKER: &str = "broker";
pub const CONSUMER: &str = "consumer";

/// The `flush` parameter's words (RocketMQ's 同步刷盘 / 异步刷盘).
pub static FLUSH_CHOICES: [Choice; 2] = [
    Choice::new("sync", "同步刷盘", "Sync flush"),
    Choice::new("async", "异步刷盘", "Async flush"),
];
pub const FLUSHES: &[&str] = &words(&FLUSH_CHOICES);

/// The `acks` parameter's words (Kafka's producer `acks`).
pub static ACKS_CHOICES: [Choice; 3] = [
    Choice::new("0", "acks=0 不等确认", "acks=0: never told"),
    Choice::new("1", "acks=1 主副本确认", "acks=1: leader stored it"),
    Choice::new(
        "all",
        "acks=all 全部副本确认",
        "acks=all: every replica copied it",
    ),
];
pub const ACKS: &[&str] = &words(&ACKS_CHOICES);

/// The `ack_mode` parameter's words.
pub static ACK_MODE_CHOICES: [Choice; 2] = [
    Choice::new("auto", "自动确认", "Auto ack"),
    Choice::new("manual", "手动确认", "Manual ack"),
];
pub const ACK_MODES: &[&str] = &words(&ACK_MODE_CHOICES);

/// How often an asynchronous flush writes to disk.
pub const FLUSH_INTERVAL_US: u64 = US_PER_S;
/// How long a follower takes to copy a message: longer than the gap
/// between two messages, so a leader crash always finds one not copied.
pub const REPLICATION_LAG_US: u64 = 800 * US_PER_MS;

static PARAMS: [ParamDef; 9] = [
    ParamDef::boolean(
        "confirm",
        false,
        "publisher confirms: the producer waits for the broker's confirm and sends again if none comes",
    ),
    ParamDef::boolean(
        "persistent",
        false,
        "messages are written to disk, so a broker crash keeps them",
    ),
    ParamDef::choice(
        "flush",
        &FLUSH_CHOICES,
        0,
        "sync: written to disk before the broker accepts; async: written every second, a crash loses the last interval",
    ),
    ParamDef::int(
        "replicas",
        "",
        1.0,
        3.0,
        1.0,
        "copies of the queue: a leader and its followers; a crash fails over to a follower",
    ),
    ParamDef::choice(
        "acks",
        &ACKS_CHOICES,
        1,
        "when the producer is told: 0 never, 1 once the leader stored it, all once every follower copied it",
    ),
    ParamDef::choice(
        "ack_mode",
        &ACK_MODE_CHOICES,
        1,
        "auto: the broker forgets a message when it delivers it; manual: when the consumer acks after processing",
    ),
    ParamDef::int(
        "fail_pct",
        "pct",
        0.0,
        50.0,
        0.0,
        "share of processings that fail: under manual ack the consumer nacks and it is requeued; under auto-ack it is lost",
    ),
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.0,
        5.0,
        2.0,
        0.1,
        "messages the producer sends per second",
    ),
    ParamDef::int(
        "work_ms",
        "ms",
        100.0,
        2000.0,
        400.0,
        "how long the consumer works on one message",
    ),
];

static FACTS: [FactDef; 9] = [
    FactDef {
        explained_en: crate::cli_only("Messages the producer sent (a re-send after a lost confirm is a duplicate, not counted here)."),
        ..facts::PRODUCED
    },
    FactDef {
        label: Text::new("已消费", "Consumed"),
        explained_en: crate::cli_only("Messages the consumer processed and acknowledged, duplicates included."),
        ..facts::DONE
    },
    FactDef {
        explained_en: crate::cli_only("Messages gone without anyone being told; ledger.lost_by_cause names the loss point: no confirm + network drop, not persistent + broker crash, async flush + crash, acks=0/1 + leader crash before copy, auto-ack + consumer crash or processing failure."),
        ..facts::LOST
    },
    FactDef {
        explained_en: crate::cli_only("Messages the broker refused while it was down (the producer was told)."),
        ..facts::REJECTED
    },
    FactDef {
        label: Text::new("代理中等待", "Waiting in broker"),
        explained_en: crate::cli_only("Messages stored in the broker, not yet delivered."),
        ..facts::QUEUED
    },
    facts::REDELIVERED,
    facts::DUPLICATES,
    facts::NACKED,
    facts::FAILOVERS,
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "reliability",
    summary: crate::cli_only("three places to lose a message (producer, broker, consumer), a fault for each and the setting that fixes it"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

fn build(p: &Params) -> ScenarioSpec {
    let mut spec = kit::spec("reliability", DEF.summary, 200 * US_PER_MS);
    spec.broker = BrokerSpec {
        flush: if p.get("flush") >= 0.5 {
            Flush::Async
        } else {
            Flush::Sync
        },
        flush_interval_us: FLUSH_INTERVAL_US,
        replicas: p.get("replicas").round().clamp(1.0, MAX_REPLICAS as f64) as u8,
        acks: match p.get("acks").round() as i64 {
            0 => Acks::Zero,
            1 => Acks::One,
            _ => Acks::All,
        },
        replication_lag_us: REPLICATION_LAG_US,
        ..BrokerSpec::default()
    };
    let mut producer = kit::producer(PRODUCER, BROKER, p.get("rate_per_s"), 300 * US_PER_MS);
    producer.confirm = p.flag("confirm");
    producer.persistent = p.flag("persistent");
    spec.producers.push(producer);
    spec.queues.push(kit::queue(BROKER, 200));
    let mut consumer = kit::consumers(CONSUMER, BROKER, 1, 1, kit::ms(p.get("work_ms")));
    consumer.ack = if p.get("ack_mode") >= 0.5 {
        AckMode::Manual
    } else {
        AckMode::Auto
    };
    consumer.fail_rate = p.get("fail_pct") / 100.0;
    spec.consumers.push(consumer);
    spec
}

fn live(_: &Params, key: &str, v: f64) -> Live {
    match key {
        "rate_per_s" => Live::Apply(Action::SetRate {
            producer: PRODUCER.into(),
            rate_per_s: v,
        }),
        "work_ms" => Live::Apply(Action::SetConsumerWork {
            group: CONSUMER.into(),
            mean_us: kit::ms(v),
        }),
        _ => Live::Restart,
    }
}
