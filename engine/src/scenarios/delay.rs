//! `delay`: deliver later. Every order asks for a check `cancel_after_min`
//! minutes after it is placed: unpaid by then, it is cancelled. A share of
//! users (`pay_rate`) pay, after an exponentially distributed time (mean
//! `pay_mean_min`), so which cancels are real depends on when the check
//! comes. The run starts at 20:00; `produce reminders 1` asks for a
//! reminder at 9:00 tomorrow (13 hours into the run).
//!
//! `method` is how the queue keeps the due times (see `model::delay`):
//! RocketMQ 4.x fixed delay `levels` (`level` 1 to 18; level 14 is
//! 10 minutes, 16 is 30 minutes, 18 is 2 hours: no level is 15 minutes),
//! RocketMQ 5.x `timer` (any time), a Redis `zset` polled every `poll_ms`
//! by `pollers` instances (late by up to one interval; without an
//! `atomic_claim` each instance cancels the same order), and RabbitMQ's
//! `ttl_dlx` (per-message TTL, dead-lettered to the checking queue; expiry
//! happens at the head only, so a check queued behind the long reminder
//! waits for it).

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::model::delay::level_delay_us;
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit;
use crate::sim::Sim;
use crate::spec::*;
use crate::text::Text;
use crate::time::{TimeUs, US_PER_MS, US_PER_S};

pub const ORDERS: &str = "orders";
pub const REMINDERS: &str = "reminders";
pub const QUEUE: &str = "delayed";
pub const CHECKER: &str = "order-service";

/// The reminder's time of day on the run's clock, which starts at 20:00:
/// 9:00 tomorrow is 13 hours in.
pub const REMINDER_AT_US: TimeUs = 13 * 3_600 * US_PER_S;

/// The `method` parameter's words.
pub static METHOD_CHOICES: [Choice; 4] = [
    Choice::new(
        "levels",
        "固定延迟级别（RocketMQ 4）",
        "Delay levels (RocketMQ 4)",
    ),
    Choice::new("timer", "任意时间（RocketMQ 5）", "Any time (RocketMQ 5)"),
    Choice::new(
        "zset",
        "Redis 有序集合 + 轮询",
        "Redis sorted set + polling",
    ),
    Choice::new(
        "ttl_dlx",
        "TTL + 死信（RabbitMQ）",
        "TTL + dead letter (RabbitMQ)",
    ),
];
pub const METHODS: &[&str] = &words(&METHOD_CHOICES);

static PARAMS: [ParamDef; 9] = [
    ParamDef::choice(
        "method",
        &METHOD_CHOICES,
        0,
        "how the delay is kept: levels (RocketMQ 4 fixed levels), timer (RocketMQ 5 any time), zset (Redis sorted set, polled), ttl_dlx (RabbitMQ TTL + dead-letter exchange)",
    ),
    ParamDef::int(
        "level",
        "",
        1.0,
        18.0,
        16.0,
        "levels: the delay level, 1 to 18 (1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h)",
    ),
    ParamDef::int(
        "cancel_after_min",
        "min",
        1.0,
        120.0,
        30.0,
        "when the check of an order is due, in minutes after the order (levels ignore it: the level decides)",
    ),
    ParamDef::int(
        "poll_ms",
        "ms",
        100.0,
        10_000.0,
        1_000.0,
        "zset: how often the pollers read the due members",
    ),
    ParamDef::int(
        "pollers",
        "",
        1.0,
        4.0,
        1.0,
        "instances of the order service (zset: each one polls)",
    ),
    ParamDef::boolean(
        "atomic_claim",
        false,
        "zset: claim a member atomically (act only when ZREM returns 1, or a Lua script); off: ZRANGEBYSCORE then ZREM without checking",
    ),
    ParamDef::int(
        "pay_rate",
        "pct",
        0.0,
        100.0,
        70.0,
        "share of users who pay for their order",
    ),
    ParamDef::int(
        "pay_mean_min",
        "min",
        1.0,
        60.0,
        10.0,
        "mean time from the order to the payment, in minutes (exponential)",
    ),
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.0,
        5.0,
        1.0,
        0.1,
        "orders placed per second",
    ),
];

fn hist_us(s: &Sim, q: f64) -> f64 {
    s.delay.lateness.quantile(q) as f64
}

static FACTS: [FactDef; 11] = [
    FactDef {
        key: "delay_us",
        unit: "us",
        label: Text::new("实际延迟", "Delay applied"),
        explained_en: crate::cli_only("The delay the queue applies to an order's check: the level's delay with levels, the delay asked for otherwise."),
        value: |s| {
            s.delay.policy.as_ref().map_or(0.0, |p| (p.applied_due(p.orders, 0)) as f64)
        },
    },
    FactDef {
        key: "lateness_us_p99",
        unit: "us",
        label: Text::new("迟到 P99", "Lateness p99"),
        explained_en: crate::cli_only("99th percentile of how late a message left the delay store, from the time it asked for (messages that left early not counted)."),
        value: |s| hist_us(s, 0.99),
    },
    FactDef {
        key: "lateness_us_max",
        unit: "us",
        label: Text::new("最大迟到", "Lateness max"),
        explained_en: crate::cli_only("The latest any message left the delay store after the time it asked for."),
        value: |s| s.delay.lateness.max() as f64,
    },
    FactDef {
        key: "early",
        unit: "messages",
        label: Text::new("提前送达", "Delivered early"),
        explained_en: crate::cli_only("Messages that left before the time they asked for (a delay level shorter than the delay wanted)."),
        value: |s| s.delay.early as f64,
    },
    FactDef {
        key: "double_claimed",
        unit: "",
        label: Text::new("重复取走", "Double claims"),
        explained_en: crate::cli_only("Extra handlings of an order another poller took at the same time: each one cancels the order again."),
        value: |s| s.delay.double_claimed as f64,
    },
    FactDef {
        key: "cancelled",
        unit: "messages",
        label: Text::new("取消的订单", "Orders cancelled"),
        explained_en: crate::cli_only("Orders found unpaid at their check, and cancelled."),
        value: |s| s.delay.cancelled as f64,
    },
    FactDef {
        key: "paid",
        unit: "messages",
        label: Text::new("已支付（不取消）", "Paid (kept)"),
        explained_en: crate::cli_only("Orders found paid at their check: nothing to do."),
        value: |s| s.delay.paid as f64,
    },
    FactDef {
        key: "wrongly_cancelled",
        unit: "messages",
        label: Text::new("误取消", "Cancelled too early"),
        explained_en: crate::cli_only("Cancelled orders whose user paid before the time the check asked for: the check came early."),
        value: |s| s.delay.wrongly_cancelled as f64,
    },
    FactDef {
        key: "reminders",
        unit: "messages",
        label: Text::new("已发提醒", "Reminders sent"),
        explained_en: crate::cli_only("Reminders delivered to the users who asked for them."),
        value: |s| s.delay.reminders as f64,
    },
    FactDef {
        key: "waiting",
        label: Text::new("等待到期", "Waiting to be due"),
        explained_en: crate::cli_only("Messages in the delay store now, not yet due or not yet taken."),
        ..facts::QUEUED
    },
    FactDef {
        key: "orders",
        label: Text::new("下单数", "Orders placed"),
        explained_en: crate::cli_only("Orders placed (each one's check sent to the delay store), plus reminders asked for."),
        ..facts::PRODUCED
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "delay",
    summary: crate::cli_only("cancel unpaid orders after a delay: RocketMQ delay levels or timer, a polled Redis sorted set (double claims without an atomic claim), RabbitMQ TTL + dead letter (blocked at the head); a reminder for 9:00 tomorrow"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

fn build(p: &Params) -> ScenarioSpec {
    let mut spec = kit::spec("delay", DEF.summary, 2 * US_PER_MS);
    // Hours of simulated time: sample every 10 s, stop after the reminder.
    spec.sample_interval_us = 10 * US_PER_S;
    spec.horizon_us = REMINDER_AT_US + 3_600 * US_PER_S;
    // Orders come at random moments (Poisson), so their due times fall
    // anywhere between two polls; reminders only when asked for.
    let mut orders = kit::producer(ORDERS, QUEUE, 0.0, 0);
    orders.rate = RateShape::Poisson {
        rate_per_s: p.get("rate_per_s"),
    };
    spec.producers.push(orders);
    let mut reminders = kit::producer(REMINDERS, QUEUE, 0.0, 0);
    reminders.rate = RateShape::Manual;
    spec.producers.push(reminders);
    spec.queues.push(kit::queue(QUEUE, 1_000_000));
    let mut checker = kit::consumers(
        CHECKER,
        QUEUE,
        p.get("pollers").round() as u32,
        1,
        20 * US_PER_MS,
    );
    // A poller reads up to 100 due members at a time (`LIMIT 0 100`).
    checker.prefetch = Some(100);
    spec.consumers.push(checker);
    let method = match p.get("method").round() as i64 {
        0 => DelayMethod::Levels,
        1 => DelayMethod::Timer,
        2 => DelayMethod::Zset,
        _ => DelayMethod::TtlDlx,
    };
    spec.delay = Some(DelaySpec {
        queue: QUEUE.into(),
        method,
        due: vec![
            (
                ORDERS.into(),
                Due::After((p.get("cancel_after_min") * 60.0) as TimeUs * US_PER_S),
            ),
            (REMINDERS.into(), Due::At(REMINDER_AT_US)),
        ],
        level: p.get("level").round() as u32,
        poll_us: kit::ms(p.get("poll_ms")),
        atomic_claim: p.flag("atomic_claim"),
        orders: ORDERS.into(),
        pay_rate: p.get("pay_rate") / 100.0,
        pay_mean_us: (p.get("pay_mean_min") * 60.0) as TimeUs * US_PER_S,
    });
    spec
}

fn live(_: &Params, key: &str, v: f64) -> Live {
    match key {
        "rate_per_s" => Live::Apply(Action::SetRate {
            producer: ORDERS.into(),
            rate_per_s: v,
        }),
        _ => Live::Restart,
    }
}

/// The delay of each level, for the table the demo shows.
pub fn level_table() -> impl Iterator<Item = (u32, TimeUs)> {
    (1..=18).map(|l| (l, level_delay_us(l)))
}
