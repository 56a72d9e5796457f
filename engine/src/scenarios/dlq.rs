//! `dlq`: poison messages, retries with backoff, and a dead-letter queue.
//!
//! Orders flow through one queue to a pool of workers. Some orders are
//! poison (`poison_rate`: a bad format, a business rule the code gets
//! wrong) and fail on every delivery until `deploy_fix`; any delivery may
//! also fail for a passing reason (`transient_rate`) and succeed when tried
//! again. A failed order is retried (`backoff`: at once at the head of the
//! queue, or at its tail after 1 s, or after 1, 2, 4 … s up to 30 s) until
//! it has been delivered `max_retries + 1` times; then, with `dlq` on, it
//! moves to the dead-letter queue with its delivery count. With `dlq` off
//! it is retried for ever: the poison keeps coming back and the healthy
//! orders wait behind it (`healthy_done`, `healthy_latency_ms`).
//!
//! `redrive` moves the dead-letter queue back to the orders queue; before
//! the fix the poison returns to the dead-letter queue after another
//! `max_retries + 1` deliveries, after it the redriven orders complete
//! (`redriven_done`).
//!
//! Real brokers: RabbitMQ dead-letters a message that is rejected or
//! nacked without requeue, that expires (TTL) or that overflows a length
//! limit, to the queue's `x-dead-letter-exchange`; quorum queues also
//! count deliveries and dead-letter at `x-delivery-limit`. There is no
//! `x-max-retries` queue argument (the chapter's sketch uses one): a
//! classic queue's retry count lives in the consumer or is read from the
//! `x-death` header.

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit;
use crate::sim::Sim;
use crate::spec::*;
use crate::text::Text;
use crate::time::{US_PER_MS, US_PER_S};

pub const PRODUCER: &str = "producer";
pub const QUEUE: &str = "orders";
pub const CONSUMER: &str = "workers";

/// The dead-letter queue's length limit.
pub const DLQ_CAPACITY: u64 = 1_000;

/// The `backoff` parameter's words.
pub static BACKOFF_CHOICES: [Choice; 3] = [
    Choice::new("none", "立即重试", "At once"),
    Choice::new("fixed", "固定 1 秒", "Fixed 1 s"),
    Choice::new("exponential", "指数退避", "Exponential"),
];
pub const BACKOFFS: &[&str] = &words(&BACKOFF_CHOICES);

static PARAMS: [ParamDef; 8] = [
    ParamDef::int(
        "poison_rate",
        "pct",
        0.0,
        50.0,
        10.0,
        "share of orders that fail on every delivery until the fix is deployed (poison: a bad format, a rule the code gets wrong)",
    ),
    ParamDef::int(
        "transient_rate",
        "pct",
        0.0,
        50.0,
        10.0,
        "share of deliveries of a healthy order that fail for a passing reason; a retry usually succeeds",
    ),
    ParamDef::int(
        "max_retries",
        "",
        0.0,
        10.0,
        3.0,
        "retries after the first delivery; with a DLQ an order is dead-lettered after max_retries + 1 deliveries",
    ),
    ParamDef::choice(
        "backoff",
        &BACKOFF_CHOICES,
        1,
        "when a failed order is tried again: none (nack with requeue: at the head, at once), fixed (at the tail after 1 s), exponential (after 1, 2, 4 ... s, at most 30 s)",
    ),
    ParamDef::boolean(
        "dlq",
        true,
        "whether the queue has a dead-letter queue (x-dead-letter-exchange); without one a failing order is retried for ever",
    ),
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.0,
        20.0,
        5.0,
        0.5,
        "orders the producer sends per second",
    ),
    ParamDef::int(
        "work_ms",
        "ms",
        50.0,
        1000.0,
        200.0,
        "how long a worker takes per delivery, failed or not",
    ),
    ParamDef::int("consumers", "", 1.0, 4.0, 2.0, "workers on the queue"),
];

/// The dead-letter delivery counts (0 before the first dead letter).
fn deliveries(s: &Sim, most: bool) -> f64 {
    let r = &s.retry;
    match (r.dead_lettered, most) {
        (0, _) => 0.0,
        (_, false) => r.dl_deliveries_min as f64,
        (_, true) => r.dl_deliveries_max as f64,
    }
}

static FACTS: [FactDef; 14] = [
    FactDef {
        explained_en: crate::cli_only("Orders the producer sent."),
        ..facts::PRODUCED
    },
    FactDef {
        key: "healthy_done",
        unit: "messages",
        label: Text::new("正常订单完成", "Healthy orders done"),
        explained_en: crate::cli_only("Orders that are not poison, processed and acked: what the poison slows down when it keeps coming back."),
        value: |s| s.retry.healthy_done as f64,
    },
    FactDef {
        key: "healthy_latency_ms",
        unit: "ms",
        label: Text::new("正常订单平均耗时", "Healthy order time"),
        explained_en: crate::cli_only("Mean time from sending to ack of the healthy orders done, in milliseconds."),
        value: |s| facts::read::ms(s.retry.healthy_latency_mean_us()),
    },
    FactDef {
        key: "dead_lettered",
        unit: "messages",
        label: Text::new("进入死信队列", "Dead-lettered"),
        explained_en: crate::cli_only("Times an order was moved to the dead-letter queue after its last allowed delivery (a redriven order may count again)."),
        value: |s| s.retry.dead_lettered as f64,
    },
    FactDef {
        key: "dlq_len",
        unit: "messages",
        label: Text::new("死信队列中", "In the DLQ"),
        explained_en: crate::cli_only("Orders in the dead-letter queue now, kept for inspection and redrive (at most 1000; more are dropped, ledger.lost_by_cause.dead_letter_queue_full)."),
        value: |s| s.retry.dlq.len() as f64,
    },
    FactDef {
        key: "retries",
        unit: "",
        label: Text::new("重试次数", "Retries"),
        explained_en: crate::cli_only("Failed deliveries sent back to be tried again (at once, or after the backoff)."),
        value: |s| s.retry.retries as f64,
    },
    FactDef {
        key: "poison_deliveries",
        unit: "",
        label: Text::new("毒消息投递", "Poison deliveries"),
        explained_en: crate::cli_only("Deliveries of poison orders that failed: worker time spent on orders that cannot succeed before the fix."),
        value: |s| s.retry.poison_deliveries as f64,
    },
    FactDef {
        key: "dead_letter_deliveries_min",
        unit: "",
        label: Text::new("死信前最少投递", "Fewest deliveries before DLQ"),
        explained_en: crate::cli_only("The fewest deliveries any order had when it was dead-lettered (the count its x-death header carries); 0 before the first."),
        value: |s| deliveries(s, false),
    },
    FactDef {
        key: "dead_letter_deliveries_max",
        unit: "",
        label: Text::new("死信前最多投递", "Most deliveries before DLQ"),
        explained_en: crate::cli_only("The most deliveries any order had when it was dead-lettered; equal to the fewest, max_retries + 1, whatever the timing."),
        value: |s| deliveries(s, true),
    },
    FactDef {
        key: "redriven",
        unit: "messages",
        label: Text::new("重新投递回队列", "Redriven"),
        explained_en: crate::cli_only("Orders moved from the dead-letter queue back to the orders queue by redrive."),
        value: |s| s.retry.redriven as f64,
    },
    FactDef {
        key: "redriven_done",
        unit: "messages",
        label: Text::new("重投后完成", "Done after redrive"),
        explained_en: crate::cli_only("Redriven orders processed and acked since (after the fix, all of them)."),
        value: |s| s.retry.redriven_done as f64,
    },
    FactDef {
        explained_en: crate::cli_only("Orders processed and acked, healthy and redriven alike."),
        ..facts::DONE
    },
    FactDef {
        explained_en: crate::cli_only("Orders waiting in the orders queue now (not counting those waiting out a backoff)."),
        ..facts::QUEUED
    },
    FactDef {
        explained_en: crate::cli_only("Orders gone without anyone being told; here only when the dead-letter queue was full (ledger.lost_by_cause.dead_letter_queue_full)."),
        ..facts::LOST
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "dlq",
    summary: crate::cli_only("poison and transient failures against a retry policy: max_retries, backoff none/fixed/exponential, with or without a dead-letter queue; deploy_fix and redrive"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

fn build(p: &Params) -> ScenarioSpec {
    let mut spec = kit::spec("dlq", DEF.summary, 20 * US_PER_MS);
    spec.producers.push(kit::producer(
        PRODUCER,
        QUEUE,
        p.get("rate_per_s"),
        300 * US_PER_MS,
    ));
    spec.queues.push(kit::queue(QUEUE, 10_000));
    let workers = p.get("consumers").round() as u32;
    spec.consumers.push(kit::consumers(
        CONSUMER,
        QUEUE,
        workers,
        1,
        kit::ms(p.get("work_ms")),
    ));
    let backoff = match p.get("backoff").round() as i64 {
        0 => Backoff::None,
        1 => Backoff::Fixed,
        _ => Backoff::Exponential,
    };
    spec.retry = Some(RetrySpec {
        queue: QUEUE.into(),
        poison_rate: p.get("poison_rate") / 100.0,
        transient_rate: p.get("transient_rate") / 100.0,
        max_retries: p.get("max_retries").round() as u32,
        backoff,
        backoff_us: US_PER_S,
        backoff_max_us: 30 * US_PER_S,
        dead_letter: p.flag("dlq"),
        dlq_capacity: DLQ_CAPACITY,
    });
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
        "consumers" => Live::Apply(Action::SetConsumers {
            group: CONSUMER.into(),
            count: v.round() as u32,
        }),
        _ => Live::Restart,
    }
}
