//! `ordering`: each user's order goes created → paid → shipped, one
//! message per step, and the steps must be applied in that order.
//!
//! The shop sends the steps user after user (a user's three steps close
//! together); consumers work a varying time per step (exponential, mean
//! `work_ms`). The `strategy`:
//! - `one_queue`: `consumers` competing consumers on one queue. A later
//!   step often finishes first: order breaks.
//! - `partition_by_key`: `partitions` queues, one consumer each, a step
//!   going to `hash(key) mod partitions`. Keyed by the user, a user's
//!   steps stay in one partition and in order; keyed by each step's own id
//!   (`order`) or a random key they scatter and order breaks again.
//! - `single_consumer`: one queue, one consumer: global order, at one
//!   consumer's throughput (the default load is more than that, so the
//!   queue grows).
//! - `reorder_naive`: competing consumers, then a buffer that every
//!   `batch_ms` sorts what it holds by sequence number and applies it —
//!   the chapter's sketch. A step still missing is overtaken.
//! - `reorder_wait`: the same buffer, but a step waits until every earlier
//!   step of its user was applied, for at most `gap_timeout_ms`; then it
//!   gives up (`reorder_timeouts`) and the late step breaks order.
//!
//! The fault `delay_next_publish` holds one step up on the network, so
//! the user's next step overtakes it: `reorder_naive` applies the later
//! one, `reorder_wait` parks it until the missing one arrives.

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::rng::Dist;
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit;
use crate::spec::*;
use crate::text::Text;
use crate::time::US_PER_MS;

pub const PRODUCER: &str = "shop";
/// The one queue (every strategy but `partition_by_key`).
pub const QUEUE: &str = "queue";
/// Its consumer group.
pub const CONSUMERS: &str = "consumers";
/// The partitions' queues and their consumers, in partition order.
pub const PARTITIONS: [&str; 8] = [
    "partition-0",
    "partition-1",
    "partition-2",
    "partition-3",
    "partition-4",
    "partition-5",
    "partition-6",
    "partition-7",
];
pub const PARTITION_CONSUMERS: [&str; 8] = [
    "consumer-0",
    "consumer-1",
    "consumer-2",
    "consumer-3",
    "consumer-4",
    "consumer-5",
    "consumer-6",
    "consumer-7",
];
/// Steps the re-ordering buffer holds at most.
pub const REORDER_BUFFER: u32 = 256;

/// The `strategy` parameter's words.
pub static STRATEGY_CHOICES: [Choice; 5] = [
    Choice::new(
        "one_queue",
        "一个队列，多个消费者",
        "One queue, many consumers",
    ),
    Choice::new("partition_by_key", "按键分区", "Partition by key"),
    Choice::new("single_consumer", "单个消费者", "A single consumer"),
    Choice::new(
        "reorder_naive",
        "内存重排（不等缺口）",
        "Re-order, no waiting",
    ),
    Choice::new(
        "reorder_wait",
        "内存重排（等待缺口）",
        "Re-order, wait for gaps",
    ),
];
pub const STRATEGIES: &[&str] = &words(&STRATEGY_CHOICES);

/// The `key` parameter's words.
pub static KEY_CHOICES: [Choice; 3] = [
    Choice::new("user", "用户 ID", "User id"),
    Choice::new("order", "各步骤自己的单号", "Each step's own id"),
    Choice::new("random", "随机", "Random"),
];
pub const KEYS: &[&str] = &words(&KEY_CHOICES);

static PARAMS: [ParamDef; 9] = [
    ParamDef::choice(
        "strategy",
        &STRATEGY_CHOICES,
        0,
        "how steps reach the order database: one_queue (competing consumers); partition_by_key (hash(key) mod partitions, one consumer each); single_consumer; reorder_naive (sort the buffer every batch_ms and apply it: the chapter's sketch); reorder_wait (hold a step until its user's earlier steps are applied, at most gap_timeout_ms)",
    ),
    ParamDef::choice(
        "key",
        &KEY_CHOICES,
        0,
        "with partition_by_key, what the partition is picked by: the user id, each step's own id (payment no., waybill no.), or a random key",
    ),
    ParamDef::int("users", "", 1.0, 200.0, 20.0, "users whose orders interleave"),
    ParamDef::int(
        "consumers",
        "",
        1.0,
        8.0,
        4.0,
        "competing consumers on the one queue (one_queue and the re-order strategies)",
    ),
    ParamDef::int(
        "partitions",
        "",
        1.0,
        8.0,
        4.0,
        "partitions, one consumer each (partition_by_key)",
    ),
    ParamDef::int(
        "rate_per_s",
        "per_s",
        1.0,
        100.0,
        30.0,
        "steps the shop sends per second (one consumer handles about 1000/work_ms)",
    ),
    ParamDef::int(
        "work_ms",
        "ms",
        10.0,
        500.0,
        50.0,
        "mean work per step (exponential: most are short, some are long)",
    ),
    ParamDef::int(
        "batch_ms",
        "ms",
        50.0,
        2000.0,
        200.0,
        "reorder_naive: how often the buffer is sorted and applied",
    ),
    ParamDef::int(
        "gap_timeout_ms",
        "ms",
        100.0,
        10000.0,
        5000.0,
        "reorder_wait: how long steps wait for a missing earlier step before giving up on it",
    ),
];

static FACTS: [FactDef; 10] = [
    FactDef {
        key: "order_violations",
        unit: "",
        label: Text::new("顺序错乱", "Order violations"),
        explained_en: crate::cli_only("Steps applied while an earlier step of the same user had not been applied yet."),
        value: |s| s.ordering.violations as f64,
    },
    FactDef {
        key: "order_violation_pct",
        unit: "pct",
        label: Text::new("错乱比例", "Share out of order"),
        explained_en: crate::cli_only("Order violations as a share of the steps applied."),
        value: |s| facts::read::pct(s.ordering.violations as f64, s.ordering.applied as f64),
    },
    FactDef {
        key: "throughput_per_s",
        unit: "per_s",
        label: Text::new("吞吐量", "Throughput"),
        explained_en: crate::cli_only("Steps applied per second between the first and the latest one: what the strategy can do."),
        value: |s| s.processing_rate_per_s(),
    },
    FactDef {
        explained_en: crate::cli_only("Steps waiting in the queue or partitions now; it grows when the consumers cannot keep up."),
        ..facts::QUEUED
    },
    FactDef {
        explained_en: crate::cli_only("Mean time from a step being sent to its being applied, in milliseconds (waiting in the queue and in the re-ordering buffer included)."),
        ..facts::LATENCY_MS
    },
    FactDef {
        key: "reorder_wait_us_p99",
        unit: "us",
        label: Text::new("重排等待 P99", "Re-order wait p99"),
        explained_en: crate::cli_only("The time 99 % of the steps that went through the re-ordering buffer waited there within, in microseconds."),
        value: |s| s.ordering.wait.as_ref().map_or(0.0, |h| h.quantile(0.99) as f64),
    },
    FactDef {
        key: "reorder_timeouts",
        unit: "",
        label: Text::new("重排超时", "Re-order timeouts"),
        explained_en: crate::cli_only("Times reorder_wait gave up on a missing step (its timeout, or a full buffer): the steps held are applied without it, and it is applied late when it comes."),
        value: |s| s.ordering.timeouts as f64,
    },
    FactDef {
        key: "reorder_parked",
        unit: "messages",
        label: Text::new("进过重排缓冲", "Held for re-ordering"),
        explained_en: crate::cli_only("Steps held in the re-ordering buffer before being applied (reorder_naive holds every step until its batch; reorder_wait only those that came before an earlier step)."),
        value: |s| s.ordering.parked_total as f64,
    },
    facts::PRODUCED,
    facts::DONE,
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "ordering",
    summary: crate::cli_only("per-user steps created → paid → shipped: competing consumers break their order, partitions by the user keep it (another key does not), one consumer keeps it at a throughput cost, a re-ordering buffer keeps it only if it waits for gaps"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

fn strategy(p: &Params) -> usize {
    p.get("strategy").round() as usize
}

fn build(p: &Params) -> ScenarioSpec {
    let mut spec = kit::spec("ordering", DEF.summary, 5 * US_PER_MS);
    // Every step would be a routine entry; the log keeps the ones out of order.
    spec.log_routine = false;
    let s = strategy(p);
    let parts = if s == 1 {
        (p.get("partitions") as usize).clamp(1, PARTITIONS.len())
    } else {
        0
    };
    let first = if parts > 0 { PARTITIONS[0] } else { QUEUE };
    let rate = p.get("rate_per_s");
    spec.producers
        .push(kit::producer(PRODUCER, first, rate, 200 * US_PER_MS));
    let work = kit::ms(p.get("work_ms"));
    let mut group = |queue: &str, name: &str, count: u32| {
        spec.queues.push(kit::queue(queue, 10_000));
        let mut c = kit::consumers(name, queue, count, 1, work);
        c.service_time = Dist::Exponential { mean_us: work };
        // The next step on its way while one is worked on.
        c.prefetch = Some(2);
        spec.consumers.push(c);
    };
    match s {
        1 => (0..parts).for_each(|i| group(PARTITIONS[i], PARTITION_CONSUMERS[i], 1)),
        2 => group(QUEUE, CONSUMERS, 1),
        _ => group(QUEUE, CONSUMERS, p.get("consumers") as u32),
    }
    spec.ordering = Some(OrderingSpec {
        producer: PRODUCER.into(),
        users: p.get("users") as u32,
        partitions: PARTITIONS[..parts].iter().map(|n| n.to_string()).collect(),
        key: match p.get("key").round() as i64 {
            1 => OrderKey::Order,
            2 => OrderKey::Random,
            _ => OrderKey::User,
        },
        reorder: match s {
            3 => Reorder::Naive,
            4 => Reorder::Wait,
            _ => Reorder::None,
        },
        batch_us: kit::ms(p.get("batch_ms")).max(1),
        timeout_us: kit::ms(p.get("gap_timeout_ms")),
        buffer: REORDER_BUFFER,
    });
    spec
}

fn live(p: &Params, key: &str, v: f64) -> Live {
    let s = strategy(p);
    match key {
        "rate_per_s" => Live::Apply(Action::SetRate {
            producer: PRODUCER.into(),
            rate_per_s: v,
        }),
        "work_ms" if s != 1 => Live::Apply(Action::SetConsumerWork {
            group: CONSUMERS.into(),
            mean_us: kit::ms(v),
        }),
        "consumers" if s != 1 && s != 2 => Live::Apply(Action::SetConsumers {
            group: CONSUMERS.into(),
            count: v as u32,
        }),
        "consumers" | "partitions" | "key" if s != 1 => Live::NoEffect,
        "consumers" => Live::NoEffect,
        "batch_ms" if s != 3 => Live::NoEffect,
        "gap_timeout_ms" if s != 4 => Live::NoEffect,
        _ => Live::Restart,
    }
}
