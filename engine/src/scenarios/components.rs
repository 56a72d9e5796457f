//! `components`: producer → broker → consumer. Messages wait in the broker
//! while no consumer is online and are delivered when one comes back.

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::rng::Dist;
use crate::scenario::{Live, ParamDef, Params, ScenarioDef};
use crate::spec::*;
use crate::text::Text;
use crate::time::{US_PER_MS, US_PER_S};

static PARAMS: [ParamDef; 4] = [
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.0,
        10.0,
        1.0,
        0.1,
        "messages the producer sends per second (0 = only the Produce button)",
    ),
    // Default 500 ms: with the 400 ms delivery hop the consumer's one slot is
    // busy 0.9 s per message, so it keeps up with the default 1 message/s.
    ParamDef::int(
        "work_ms",
        "ms",
        100.0,
        5000.0,
        500.0,
        "how long the consumer works on one message",
    ),
    ParamDef::boolean("consumer_online", true, "whether the consumer is connected"),
    ParamDef::int(
        "capacity",
        "messages",
        5.0,
        1000.0,
        50.0,
        "how many messages the broker's queue holds",
    ),
];

static FACTS: [FactDef; 6] = [
    FactDef {
        explained_en: crate::cli_only("Messages the producer sent to the broker."),
        ..facts::PRODUCED
    },
    FactDef {
        label: Text::new("已消费", "Consumed"),
        explained_en: crate::cli_only("Messages the consumer processed and acknowledged."),
        ..facts::DONE
    },
    FactDef {
        label: Text::new("代理中", "In the broker"),
        explained_en: crate::cli_only("Messages stored in the broker at the end: they wait there while the consumer is offline and are delivered when it is back."),
        ..facts::QUEUED
    },
    FactDef {
        explained_en: crate::cli_only("The most messages the broker held at once."),
        ..facts::QUEUE_LEN_MAX
    },
    FactDef {
        explained_en: crate::cli_only("Messages the broker refused because its queue was full."),
        ..facts::REJECTED
    },
    FactDef {
        explained_en: crate::cli_only("Mean time from sending to being consumed, in milliseconds: it grows while the consumer is away."),
        ..facts::LATENCY_MS
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "components",
    summary: crate::cli_only(
        "producer, broker and consumer: the broker stores messages while the consumer is away",
    ),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

fn build(p: &Params) -> ScenarioSpec {
    ScenarioSpec {
        topics: vec![],
        idempotence: None,
        retry: None,
        ordering: None,
        delay: None,
        flash_sale: None,
        txn: None,
        seckill: None,
        name: "components".into(),
        description: DEF.summary.into(),
        link_latency_us: 400 * US_PER_MS,
        sample_interval_us: 250 * US_PER_MS,
        horizon_us: 60 * US_PER_S,
        log_routine: true,
        log_every: 1,
        broker: BrokerSpec::default(),
        producers: vec![ProducerSpec {
            name: "producer".into(),
            rate: RateShape::Constant {
                rate_per_s: p.get("rate_per_s"),
                start_us: 300 * US_PER_MS,
            },
            target: "broker".into(),
            confirm: false,
            persistent: true,
            limit: None,
            retry_us: 500 * US_PER_MS,
        }],
        queues: vec![QueueSpec {
            retain_acked: 0,
            pacing: None,
            name: "broker".into(),
            capacity: p.get("capacity") as u64,
            overflow: Overflow::Reject,
        }],
        consumers: vec![ConsumerSpec {
            dispatch: Dispatch::Prefetch,
            prefetch: None,
            name: "consumer".into(),
            queue: "broker".into(),
            count: 1,
            concurrency: 1,
            service_time: Dist::Fixed {
                us: (p.get("work_ms") * US_PER_MS as f64) as u64,
            },
            online: p.flag("consumer_online"),
            ack: AckMode::Manual,
            calls: None,
            restart_us: 2 * US_PER_S,
            retry_backoff_us: 100 * US_PER_MS,
            fail_rate: 0.0,
        }],
        services: vec![],
    }
}

fn live(_: &Params, key: &str, v: f64) -> Live {
    match key {
        "rate_per_s" => Live::Apply(Action::SetRate {
            producer: "producer".into(),
            rate_per_s: v,
        }),
        "work_ms" => Live::Apply(Action::SetConsumerWork {
            group: "consumer".into(),
            mean_us: (v * US_PER_MS as f64) as u64,
        }),
        "consumer_online" => Live::Apply(Action::SetConsumersOnline {
            group: "consumer".into(),
            online: v >= 0.5,
        }),
        _ => Live::Restart,
    }
}
