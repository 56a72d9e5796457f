//! `p2p-vs-pubsub`: the same input to a queue with N competing consumers
//! (point-to-point: each message is handled by exactly one of them) vs a
//! topic with N subscribers (publish/subscribe: every subscriber handles
//! every message).
//!
//! Nodes: producer `publisher`. p2p: queue `queue`, consumer group
//! `consumers` (N members; per-member `processed` counts sum to the
//! messages sent). pubsub: topic `topic` with queues `sub-1`..`sub-8`, each
//! drained by its own group `subscriber-1`..`subscriber-8`; the first N are
//! subscribed, the others stand by (`set_subscribers` changes N live). Each
//! subscribed group's `processed` equals the messages sent while it was.

use crate::command::Action;
use crate::facts::{self, read, FactDef};
use crate::ledger::MsgState;
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit::{self, ms};
use crate::spec::*;
use crate::text::Text;
use crate::time::US_PER_MS;

/// The `mode` parameter's words (index 0 = p2p, 1 = pubsub).
pub static MODE_CHOICES: [Choice; 2] = [
    Choice::new("p2p", "点对点", "Point-to-point"),
    Choice::new("pubsub", "发布订阅", "Publish/subscribe"),
];
pub const MODES: &[&str] = &words(&MODE_CHOICES);

static PARAMS: [ParamDef; 4] = [
    ParamDef::choice(
        "mode",
        &MODE_CHOICES,
        0,
        "p2p: competing consumers share one queue; pubsub: every subscriber gets a copy",
    ),
    ParamDef::int(
        "consumers",
        "consumers",
        1.0,
        8.0,
        3.0,
        "competing consumers (p2p) or subscribers (pubsub)",
    ),
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.5,
        50.0,
        3.0,
        0.5,
        "messages the publisher sends per second",
    ),
    ParamDef::int(
        "work_ms",
        "ms",
        10.0,
        2000.0,
        200.0,
        "how long one consumer works on one message",
    ),
];

static FACTS: [FactDef; 6] = [
    FactDef {
        explained_en: crate::cli_only("Messages the publisher sent."),
        ..facts::PRODUCED
    },
    FactDef {
        key: "handled",
        unit: "messages",
        label: Text::new("处理次数", "Handled"),
        explained_en: crate::cli_only("Times a consumer handled a message, over all consumers: each message once (point-to-point) or once per subscriber (pub/sub)."),
        value: |s| read::count(s, MsgState::Done),
    },
    FactDef {
        key: "handled_per_message",
        unit: "",
        label: Text::new("每条消息处理次数", "Handled per message"),
        explained_en: crate::cli_only("Handlings per message that every reader has finished: 1 for point-to-point, the number of subscribers for pub/sub. Messages still on their way do not count (0 until one is finished)."),
        value: |s| read::per_finished_message(&read::handled_by_group(s)),
    },
    FactDef {
        key: "per_consumer_min",
        unit: "messages",
        label: Text::new("单个消费者最少", "Fewest by one consumer"),
        explained_en: crate::cli_only("Messages handled by the least busy consumer: with competing consumers the load is shared, with subscribers everyone gets everything."),
        value: |s| read::per_consumer_range(s).0,
    },
    FactDef {
        key: "per_consumer_max",
        unit: "messages",
        label: Text::new("单个消费者最多", "Most by one consumer"),
        explained_en: crate::cli_only("Messages handled by the busiest consumer."),
        value: |s| read::per_consumer_range(s).1,
    },
    FactDef {
        explained_en: crate::cli_only("Messages still waiting in the queue(s) at the end."),
        ..facts::QUEUED
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "p2p-vs-pubsub",
    summary: crate::cli_only("point-to-point (each message to one of N consumers) vs publish/subscribe (to every subscriber)"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

/// The most subscribers (the `consumers` range's top).
pub const MAX_SUBSCRIBERS: u32 = 8;
/// The pubsub side's topic.
pub const TOPIC: &str = "topic";

/// Queue and group names of subscriber `i` (from 1) in pubsub mode.
pub fn subscriber(i: u32) -> (String, String) {
    (format!("sub-{i}"), format!("subscriber-{i}"))
}

fn is_p2p(p: &Params) -> bool {
    p.get("mode") < 0.5
}

fn build(p: &Params) -> ScenarioSpec {
    let n = p.get("consumers") as u32;
    let work = ms(p.get("work_ms"));
    let mut spec = kit::spec("p2p-vs-pubsub", DEF.summary, 100 * US_PER_MS);
    if is_p2p(p) {
        spec.producers.push(kit::producer(
            "publisher",
            "queue",
            p.get("rate_per_s"),
            100 * US_PER_MS,
        ));
        spec.queues.push(kit::queue("queue", 10_000));
        spec.consumers
            .push(kit::consumers("consumers", "queue", n, 1, work));
    } else {
        spec.producers.push(kit::producer(
            "publisher",
            "topic",
            p.get("rate_per_s"),
            100 * US_PER_MS,
        ));
        // Every possible subscriber exists; the first n are subscribed and
        // the rest stand by, so the count applies live (a restart would wipe
        // the backlog the learner is watching drain).
        let mut subs = Vec::new();
        for i in 1..=MAX_SUBSCRIBERS {
            let (q, g) = subscriber(i);
            spec.queues.push(kit::queue(&q, 10_000));
            spec.consumers.push(kit::consumers(&g, &q, 1, 1, work));
            subs.push(q);
        }
        let standby = subs.split_off(n.clamp(1, MAX_SUBSCRIBERS) as usize);
        spec.topics.push(TopicSpec {
            name: TOPIC.into(),
            subscriptions: subs,
            standby,
        });
    }
    spec
}

fn live(p: &Params, key: &str, v: f64) -> Live {
    let p2p = is_p2p(p);
    match key {
        "rate_per_s" => Live::Apply(Action::SetRate {
            producer: "publisher".into(),
            rate_per_s: v,
        }),
        "consumers" if p2p => Live::Apply(Action::SetConsumers {
            group: "consumers".into(),
            count: v as u32,
        }),
        "consumers" => Live::Apply(Action::SetSubscribers {
            topic: TOPIC.into(),
            count: v as u32,
        }),
        "work_ms" if p2p => Live::Apply(Action::SetConsumerWork {
            group: "consumers".into(),
            mean_us: ms(v),
        }),
        // pubsub: each subscriber has a pace of its own; one command sets
        // one group's, so a new pace for all of them is a new run.
        _ => Live::Restart,
    }
}
