//! `peak-shaving` (削峰填谷): a burst of 100,000 requests in one second
//! against a database that handles 1,000 per second, with or without a
//! queue in front of it.

use crate::command::Action;
use crate::facts::{self, read, FactDef};
use crate::ledger::MsgState;
use crate::rng::Dist;
use crate::scenario::{Live, ParamDef, Params, ScenarioDef};
use crate::spec::*;
use crate::text::Text;
use crate::time::{US_PER_MS, US_PER_S};

static PARAMS: [ParamDef; 6] = [
    ParamDef::boolean(
        "queue",
        true,
        "put a message queue between the users and the database",
    ),
    ParamDef::int(
        "burst_rate_per_s",
        "per_s",
        1_000.0,
        1_000_000.0,
        100_000.0,
        "request rate during the burst",
    ),
    ParamDef::int(
        "burst_ms",
        "ms",
        100.0,
        10_000.0,
        1_000.0,
        "how long the burst lasts",
    ),
    ParamDef::int(
        "db_rate_per_s",
        "per_s",
        100.0,
        100_000.0,
        1_000.0,
        "writes per second the database can do",
    ),
    ParamDef::int(
        "consumers",
        "consumers",
        1.0,
        200.0,
        10.0,
        "consumers taking messages from the queue (2 in flight each)",
    ),
    ParamDef::int(
        "queue_capacity",
        "messages",
        1_000.0,
        10_000_000.0,
        200_000.0,
        "how many messages the queue holds before refusing",
    ),
];

static FACTS: [FactDef; 9] = [
    FactDef {
        key: "requests",
        label: Text::new("请求数", "Requests"),
        explained_en: crate::cli_only("Requests the users sent during the burst."),
        ..facts::PRODUCED
    },
    FactDef {
        explained_en: crate::cli_only("Requests written to the database, through the queue or directly."),
        ..facts::DONE
    },
    FactDef {
        explained_en: crate::cli_only("Requests the database turned away (over capacity, or timed out in its waiting line); none when a queue takes the burst."),
        ..facts::REJECTED
    },
    FactDef {
        key: "rejected_share_pct",
        unit: "pct",
        label: Text::new("拒绝比例", "Rejected share"),
        explained_en: crate::cli_only("Rejected requests as a percentage of all requests."),
        value: |s| read::pct(read::count(s, MsgState::Rejected), read::produced(s)),
    },
    FactDef {
        explained_en: crate::cli_only("The most requests waiting in the queue at once: the peak the queue cut off (0 without a queue)."),
        ..facts::QUEUE_LEN_MAX
    },
    FactDef {
        label: Text::new("数据库处理速率", "Database write rate"),
        explained_en: crate::cli_only("Database writes per second between the first and the last: the steady rate at which the valley is filled."),
        ..facts::PROCESSING_RATE_PER_S
    },
    FactDef {
        key: "drain_s",
        unit: "s",
        label: Text::new("处理完用时", "Time to drain"),
        explained_en: crate::cli_only("Seconds from the start of the burst to the last request written: how long the database took to work through it."),
        value: |s| {
            s.done_span()
                .map_or(0.0, |(_, last)| read::secs(last.saturating_sub(BURST_START_US) as f64))
        },
    },
    FactDef {
        key: "wait_p95_ms",
        unit: "ms",
        label: Text::new("P95 排队时间", "p95 time in queue"),
        explained_en: crate::cli_only("95 % of requests waited in the queue at most this many milliseconds (0 without a queue)."),
        value: |s| read::ms(s.wait_histogram().quantile(0.95) as f64),
    },
    FactDef {
        key: "response_p99_ms",
        unit: "ms",
        label: Text::new("P99 响应时间", "p99 response time"),
        explained_en: crate::cli_only("99 % of the users who got an answer had it within this many milliseconds: the queue's acknowledgement, or the database's reply."),
        value: |s| read::ms(s.response_histogram().quantile(0.99) as f64),
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "peak-shaving",
    summary: crate::cli_only(
        "a 1 s burst of 100,000 requests vs a database at 1,000/s, with or without a queue",
    ),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

/// The database's parallel workers and the length of its waiting line.
pub const DB_WORKERS: u32 = 10;
pub const DB_WAITING_LINE: u32 = 100;
/// When the burst starts.
pub const BURST_START_US: u64 = 500 * US_PER_MS;

fn build(p: &Params) -> ScenarioSpec {
    let with_queue = p.flag("queue");
    let mut spec = ScenarioSpec {
        topics: vec![],
        idempotence: None,
        retry: None,
        ordering: None,
        delay: None,
        flash_sale: None,
        txn: None,
        seckill: None,
        name: "peak-shaving".into(),
        description: DEF.summary.into(),
        link_latency_us: US_PER_MS,
        sample_interval_us: 100 * US_PER_MS,
        horizon_us: 3_600 * US_PER_S,
        log_routine: true,
        log_every: 1000,
        broker: BrokerSpec::default(),
        producers: vec![ProducerSpec {
            name: "users".into(),
            rate: RateShape::Burst {
                rate_per_s: p.get("burst_rate_per_s"),
                start_us: BURST_START_US,
                length_us: (p.get("burst_ms") * US_PER_MS as f64) as u64,
            },
            target: if with_queue { "orders" } else { "db" }.into(),
            confirm: false,
            persistent: true,
            limit: None,
            retry_us: 500 * US_PER_MS,
        }],
        queues: vec![],
        consumers: vec![],
        services: vec![ServiceSpec {
            then_calls: None,
            publishes: None,
            name: "db".into(),
            capacity_per_s: p.get("db_rate_per_s"),
            concurrency: DB_WORKERS,
            backlog: DB_WAITING_LINE,
            timeout_us: US_PER_S,
            up: true,
        }],
    };
    if with_queue {
        spec.queues.push(QueueSpec {
            retain_acked: 0,
            pacing: None,
            name: "orders".into(),
            capacity: p.get("queue_capacity") as u64,
            overflow: Overflow::Reject,
        });
        spec.consumers.push(ConsumerSpec {
            dispatch: Dispatch::Prefetch,
            prefetch: None,
            name: "workers".into(),
            queue: "orders".into(),
            count: p.get("consumers") as u32,
            concurrency: 2,
            service_time: Dist::Fixed { us: 0 },
            online: true,
            ack: AckMode::Manual,
            calls: Some("db".into()),
            restart_us: 2 * US_PER_S,
            retry_backoff_us: 100 * US_PER_MS,
            fail_rate: 0.0,
        });
    }
    spec
}

fn live(p: &Params, key: &str, v: f64) -> Live {
    match key {
        "db_rate_per_s" => Live::Apply(Action::SetServiceCapacity {
            service: "db".into(),
            capacity_per_s: v,
        }),
        "consumers" if p.flag("queue") => Live::Apply(Action::SetConsumers {
            group: "workers".into(),
            count: v as u32,
        }),
        // Without a queue there are no consumers and no queue to size.
        "consumers" | "queue_capacity" if !p.flag("queue") => Live::NoEffect,
        _ => Live::Restart,
    }
}
