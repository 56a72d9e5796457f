//! `pubsub`: one click-event topic fanned out to three subscribers — the
//! recommendation profile, a real-time click counter and the data
//! warehouse — each with its own queue and its own pace. A slow subscriber
//! only grows its own queue; the others are not slowed. A fourth
//! subscriber (fraud check) can be attached or detached while running.
//!
//! Nodes: producer `web`, topic `clicks`; queues `recommendation-q`,
//! `counter-q`, `warehouse-q`, `fraud-check-q`; consumer groups
//! `recommendation`, `counter`, `warehouse`, `fraud-check` (one consumer
//! each). `fraud-check-q` is subscribed only with `fraud_check` on.

use crate::command::Action;
use crate::facts::{self, read, FactDef};
use crate::ledger::MsgState;
use crate::scenario::{Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit::{self, ms};
use crate::spec::*;
use crate::text::Text;
use crate::time::US_PER_MS;

pub const TOPIC: &str = "clicks";

/// Subscribers: (speed param key, group, queue).
pub const SUBSCRIBERS: [(&str, &str, &str); 4] = [
    ("recommendation_ms", "recommendation", "recommendation-q"),
    ("counter_ms", "counter", "counter-q"),
    ("warehouse_ms", "warehouse", "warehouse-q"),
    ("fraud_check_ms", "fraud-check", "fraud-check-q"),
];

static PARAMS: [ParamDef; 6] = [
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.5,
        50.0,
        5.0,
        0.5,
        "click events per second",
    ),
    ParamDef::int(
        "recommendation_ms",
        "ms",
        5.0,
        2000.0,
        100.0,
        "recommendation profile: work per click",
    ),
    ParamDef::int(
        "counter_ms",
        "ms",
        5.0,
        2000.0,
        20.0,
        "real-time counter: work per click",
    ),
    ParamDef::int(
        "warehouse_ms",
        "ms",
        5.0,
        5000.0,
        500.0,
        "data warehouse loader: work per click (slower than the clicks come)",
    ),
    ParamDef::int(
        "fraud_check_ms",
        "ms",
        5.0,
        2000.0,
        50.0,
        "fraud check: work per click",
    ),
    ParamDef::boolean(
        "fraud_check",
        false,
        "a fourth subscriber (fraud check) is attached to the topic",
    ),
];

/// A subscriber's acked count as a fact.
macro_rules! subscriber_done {
    ($key:literal, $group:literal, $label:expr) => {
        FactDef {
            key: $key,
            unit: "messages",
            label: $label,
            explained_en: crate::cli_only(concat!(
                "Click events the ",
                $group,
                " subscriber handled, at its own pace."
            )),
            value: |s| read::group_processed(s, $group),
        }
    };
}

/// A subscriber's backlog as a fact.
macro_rules! subscriber_queued {
    ($key:literal, $queue:literal, $label:expr) => {
        FactDef {
            key: $key,
            unit: "messages",
            label: $label,
            explained_en: crate::cli_only(concat!(
                "Click events waiting in ",
                $queue,
                " at the end: a slow subscriber only grows its own queue."
            )),
            value: |s| read::queue_len(s, $queue),
        }
    };
}

static FACTS: [FactDef; 11] = [
    FactDef {
        label: Text::new("已发布点击", "Clicks published"),
        explained_en: crate::cli_only("Click events the web front end published to the topic."),
        ..facts::PRODUCED
    },
    FactDef {
        key: "handled",
        unit: "messages",
        label: Text::new("处理总次数", "Handled in total"),
        explained_en: crate::cli_only(
            "Click events handled, summed over all subscribers (each gets its own copy).",
        ),
        value: |s| read::count(s, MsgState::Done),
    },
    FactDef {
        key: "subscribers",
        unit: "",
        label: Text::new("订阅者", "Subscribers"),
        explained_en: crate::cli_only("Queues subscribed to the click topic now."),
        value: |s| {
            s.fanout
                .topics
                .first()
                .map_or(0.0, |t| t.subscriptions.len() as f64)
        },
    },
    subscriber_done!(
        "recommendation_done",
        "recommendation",
        Text::new("推荐画像已处理", "Recommendation: handled")
    ),
    subscriber_queued!(
        "recommendation_queued",
        "recommendation-q",
        Text::new("推荐画像排队", "Recommendation: queued")
    ),
    subscriber_done!(
        "counter_done",
        "counter",
        Text::new("实时计数已处理", "Counter: handled")
    ),
    subscriber_queued!(
        "counter_queued",
        "counter-q",
        Text::new("实时计数排队", "Counter: queued")
    ),
    subscriber_done!(
        "warehouse_done",
        "warehouse",
        Text::new("数据仓库已处理", "Warehouse: handled")
    ),
    subscriber_queued!(
        "warehouse_queued",
        "warehouse-q",
        Text::new("数据仓库排队", "Warehouse: queued")
    ),
    subscriber_done!(
        "fraud_check_done",
        "fraud-check",
        Text::new("风控检查已处理", "Fraud check: handled")
    ),
    subscriber_queued!(
        "fraud_check_queued",
        "fraud-check-q",
        Text::new("风控检查排队", "Fraud check: queued")
    ),
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "pubsub",
    summary: crate::cli_only(
        "one click topic, three subscribers at their own pace: a slow one never slows the others",
    ),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

/// Messages a subscriber's consumer may hold unacked.
pub const PREFETCH: u32 = 10;

fn build(p: &Params) -> ScenarioSpec {
    let mut spec = kit::spec("pubsub", DEF.summary, 50 * US_PER_MS);
    spec.producers.push(kit::producer(
        "web",
        TOPIC,
        p.get("rate_per_s"),
        100 * US_PER_MS,
    ));
    let mut subs = Vec::new();
    for (i, (key, group, queue)) in SUBSCRIBERS.iter().enumerate() {
        spec.queues.push(kit::queue(queue, 100_000));
        // A prefetch of 10 (RabbitMQ's basic.qos) pipelines the 50 ms hop,
        // so a subscriber's pace is its work time, as its slider says; with
        // one message at a time a 5 ms subscriber did ~18/s (issue 11).
        let mut c = kit::consumers(group, queue, 1, 1, ms(p.get(key)));
        c.prefetch = Some(PREFETCH);
        spec.consumers.push(c);
        if i < 3 || p.flag("fraud_check") {
            subs.push(queue.to_string());
        }
    }
    spec.topics.push(TopicSpec {
        name: TOPIC.into(),
        subscriptions: subs,
        standby: Vec::new(),
    });
    spec
}

fn live(_: &Params, key: &str, v: f64) -> Live {
    if let Some((_, group, _)) = SUBSCRIBERS.iter().find(|s| s.0 == key) {
        return Live::Apply(Action::SetConsumerWork {
            group: group.to_string(),
            mean_us: ms(v),
        });
    }
    let queue = SUBSCRIBERS[3].2.to_string();
    match key {
        "rate_per_s" => Live::Apply(Action::SetRate {
            producer: "web".into(),
            rate_per_s: v,
        }),
        "fraud_check" if v >= 0.5 => Live::Apply(Action::Subscribe {
            topic: TOPIC.into(),
            queue,
        }),
        "fraud_check" => Live::Apply(Action::Unsubscribe {
            topic: TOPIC.into(),
            queue,
        }),
        _ => Live::Restart,
    }
}
