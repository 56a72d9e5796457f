//! `peak-shaving` (削峰填谷): a burst of 100,000 requests in one second
//! against a database that handles 1,000 per second, with or without a
//! queue in front of it.

use crate::command::Action;
use crate::rng::Dist;
use crate::scenario::{Live, ParamDef, Params, ScenarioDef};
use crate::spec::*;
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

pub const DEF: ScenarioDef = ScenarioDef {
    id: "peak-shaving",
    summary: "a 1 s burst of 100,000 requests vs a database at 1,000/s, with or without a queue",
    params: &PARAMS,
    build,
    live,
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
