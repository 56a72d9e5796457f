//! `intro`: a synchronous call ("phone call") vs an asynchronous message
//! ("text message"). Run once per mode and compare.

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::rng::Dist;
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::spec::*;
use crate::text::Text;
use crate::time::{US_PER_MS, US_PER_S};

/// The `mode` parameter's words (index 0 = sync, 1 = async).
pub static MODE_CHOICES: [Choice; 2] = [
    Choice::new("sync", "同步调用", "Sync call"),
    Choice::new("async", "异步消息", "Async message"),
];
pub const MODES: &[&str] = &words(&MODE_CHOICES);

static PARAMS: [ParamDef; 4] = [
    ParamDef::choice(
        "mode",
        &MODE_CHOICES,
        0,
        "sync: the caller waits for the callee; async: it leaves a message and returns",
    ),
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.1,
        10.0,
        0.5,
        0.1,
        "requests the caller makes per second",
    ),
    ParamDef::int(
        "callee_ms",
        "ms",
        100.0,
        5000.0,
        1500.0,
        "how long the callee works on one request",
    ),
    ParamDef::boolean("callee_down", false, "the callee is unavailable"),
];

static FACTS: [FactDef; 7] = [
    FactDef {
        label: Text::new("请求数", "Requests"),
        explained_en: crate::cli_only("Requests the caller made."),
        ..facts::PRODUCED
    },
    FactDef {
        explained_en: crate::cli_only("Requests the callee finished (and, when synchronous, answered)."),
        ..facts::DONE
    },
    FactDef {
        label: Text::new("失败", "Failed"),
        explained_en: crate::cli_only("Requests that failed with the caller told: synchronous calls to a down callee, or that waited longer than the 10 s timeout."),
        ..facts::REJECTED
    },
    FactDef {
        explained_en: crate::cli_only("Messages waiting in the callee's inbox (asynchronous only): they are kept while the callee is down."),
        ..facts::QUEUED
    },
    FactDef {
        label: Text::new("调用方平均等待", "Caller's mean wait"),
        explained_en: crate::cli_only("Mean time the caller waited per request, in milliseconds: the whole call when synchronous, only the hand-off to the broker when asynchronous."),
        ..facts::RESPONSE_MS
    },
    FactDef {
        label: Text::new("调用方等待（近 10 秒平均）", "Caller's wait (mean, last 10 s)"),
        ..facts::RESPONSE_RECENT_MS
    },
    FactDef {
        explained_en: crate::cli_only("Mean time from making a request to the callee finishing it, in milliseconds."),
        ..facts::LATENCY_MS
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "intro",
    summary: crate::cli_only("sync call vs async message: the caller waits, or returns at once"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

/// How long the caller waits for a synchronous answer before giving up.
pub const CALL_TIMEOUT_US: u64 = 10 * US_PER_S;

fn build(p: &Params) -> ScenarioSpec {
    let sync = p.get("mode") < 0.5;
    let callee_us = (p.get("callee_ms") * US_PER_MS as f64) as u64;
    let producers = vec![ProducerSpec {
        name: "caller".into(),
        rate: RateShape::Constant {
            rate_per_s: p.get("rate_per_s"),
            start_us: 200 * US_PER_MS,
        },
        target: if sync { "callee" } else { "inbox" }.into(),
        confirm: false,
        persistent: true,
        limit: None,
        retry_us: 500 * US_PER_MS,
    }];
    let mut spec = ScenarioSpec {
        topics: vec![],
        idempotence: None,
        retry: None,
        ordering: None,
        delay: None,
        flash_sale: None,
        txn: None,
        seckill: None,
        name: "intro".into(),
        description: DEF.summary.into(),
        link_latency_us: 300 * US_PER_MS,
        sample_interval_us: 250 * US_PER_MS,
        horizon_us: 60 * US_PER_S,
        log_routine: true,
        log_every: 1,
        broker: BrokerSpec::default(),
        producers,
        queues: vec![],
        consumers: vec![],
        services: vec![],
    };
    if sync {
        spec.services.push(ServiceSpec {
            then_calls: None,
            publishes: None,
            name: "callee".into(),
            capacity_per_s: US_PER_S as f64 / callee_us as f64,
            concurrency: 1,
            backlog: 1000,
            timeout_us: CALL_TIMEOUT_US,
            up: !p.flag("callee_down"),
        });
    } else {
        spec.queues.push(QueueSpec {
            retain_acked: 0,
            pacing: None,
            name: "inbox".into(),
            capacity: 10_000,
            overflow: Overflow::Reject,
        });
        spec.consumers.push(ConsumerSpec {
            dispatch: Dispatch::Prefetch,
            prefetch: None,
            name: "callee".into(),
            queue: "inbox".into(),
            count: 1,
            concurrency: 1,
            service_time: Dist::Fixed { us: callee_us },
            online: !p.flag("callee_down"),
            ack: AckMode::Manual,
            calls: None,
            restart_us: 2 * US_PER_S,
            retry_backoff_us: 100 * US_PER_MS,
            fail_rate: 0.0,
        });
    }
    spec
}

fn live(p: &Params, key: &str, v: f64) -> Live {
    let sync = p.get("mode") < 0.5;
    match key {
        "rate_per_s" => Live::Apply(Action::SetRate {
            producer: "caller".into(),
            rate_per_s: v,
        }),
        "callee_ms" if sync => Live::Apply(Action::SetServiceCapacity {
            service: "callee".into(),
            capacity_per_s: 1000.0 / v,
        }),
        "callee_ms" => Live::Apply(Action::SetConsumerWork {
            group: "callee".into(),
            mean_us: (v * US_PER_MS as f64) as u64,
        }),
        "callee_down" if sync => Live::Apply(Action::SetServiceUp {
            service: "callee".into(),
            up: v < 0.5,
        }),
        "callee_down" => Live::Apply(Action::SetConsumersOnline {
            group: "callee".into(),
            online: v < 0.5,
        }),
        _ => Live::Restart,
    }
}
