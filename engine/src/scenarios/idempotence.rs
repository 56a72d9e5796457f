//! `idempotence`: duplicates happen, and a consumer whose effect is not
//! idempotent (add 10 points to the account per order: an `INCREMENT`)
//! counts a duplicate twice.
//!
//! The system is at-least-once on purpose: publisher confirms with
//! re-sends, manual acks with redelivery. Duplicates come from
//! - the network (`duplicate_rate`: a stored order arrives a second time,
//!   `redelivery_delay_s` later);
//! - a lost confirm (`drop_next_confirm`): the producer sends the order
//!   again after `redelivery_delay_s`;
//! - a consumer crash (`crash_consumer`) after the effect but before the
//!   ack: the consumer comes back after `redelivery_delay_s` and the order
//!   is redelivered. The effect is written halfway through the work, so a
//!   crash in the second half of a message's work hits that window, one in
//!   the first half falls before the effect.
//!
//! The fixes (`strategy`):
//! - `unique_key`: the effect's transaction also inserts the order id under
//!   a unique constraint; a duplicate's insert fails and it is treated as
//!   done. Nothing doubled, nothing lost, whatever the timing.
//! - `dedupe`: Redis `SET processed:<id> NX EX <ttl_s>`. The chapter writes
//!   the key *before* processing (`mark=before`): a crash mid-work leaves
//!   the key set with the work undone, the redelivery is skipped, and the
//!   order's points are silently lost (`lost_effects`, cause
//!   `dedupe_key_before_crash`) for as long as the key lives. Writing it
//!   after the work (`mark=after`, checked with `EXISTS` first) lets a
//!   crash between the effect and the mark through as a duplicate. And a
//!   key only lives `ttl_s`: a duplicate that comes later (`ttl_s` shorter
//!   than `redelivery_delay_s`) is applied again.
//!
//! The defaults are unsafe (no guard, 20 % duplicates), so the account is
//! over-credited within seconds; `points_expected` and `points_actual`
//! show it side by side.

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit;
use crate::sim::Sim;
use crate::spec::*;
use crate::text::Text;
use crate::time::{TimeUs, US_PER_MS, US_PER_S};

pub const PRODUCER: &str = "producer";
pub const BROKER: &str = "broker";
pub const CONSUMER: &str = "consumer";

/// Points one order adds to the account.
pub const POINTS_PER_ORDER: f64 = 10.0;

/// The `strategy` parameter's words.
pub static STRATEGY_CHOICES: [Choice; 3] = [
    Choice::new("none", "不做幂等", "No guard"),
    Choice::new("unique_key", "数据库唯一键", "DB unique key"),
    Choice::new("dedupe", "Redis 去重键", "Redis dedupe key"),
];
pub const STRATEGIES: &[&str] = &words(&STRATEGY_CHOICES);

/// The `mark` parameter's words.
pub static MARK_CHOICES: [Choice; 2] = [
    Choice::new("before", "处理前写去重键", "Key before work"),
    Choice::new("after", "处理后写去重键", "Key after work"),
];
pub const MARKS: &[&str] = &words(&MARK_CHOICES);

static PARAMS: [ParamDef; 7] = [
    ParamDef::choice(
        "strategy",
        &STRATEGY_CHOICES,
        0,
        "how the consumer keeps a duplicate from adding points twice: none; unique_key (a DB unique constraint on the order id, written with the points: a duplicate's insert fails and it is treated as done); dedupe (Redis SET processed:<id> NX EX ttl_s)",
    ),
    ParamDef::choice(
        "mark",
        &MARK_CHOICES,
        0,
        "with dedupe, when the key is written: before the work (the chapter's code; a crash mid-work leaves the key and loses the work) or after it (checked first; a crash between the points and the key lets a duplicate through)",
    ),
    ParamDef::int(
        "duplicate_rate",
        "pct",
        0.0,
        50.0,
        20.0,
        "share of orders the network delivers twice; the copy keeps the order id and arrives redelivery_delay_s after the original",
    ),
    ParamDef::int(
        "ttl_s",
        "s",
        1.0,
        3600.0,
        3600.0,
        "how long a dedupe key lives (EX); a duplicate that comes later is applied again",
    ),
    ParamDef::float(
        "redelivery_delay_s",
        "s",
        0.5,
        600.0,
        3.0,
        0.5,
        "how long until a duplicate arrives: a network copy after its original, the producer's re-send after a lost confirm, the redelivery after a consumer crash (its restart)",
    ),
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.0,
        5.0,
        2.0,
        0.1,
        "orders the producer sends per second",
    ),
    ParamDef::int(
        "work_ms",
        "ms",
        100.0,
        2000.0,
        300.0,
        "how long the consumer works on one order; the points are added halfway through",
    ),
];

fn points(effects: u64) -> f64 {
    effects as f64 * POINTS_PER_ORDER
}

fn expected_points(s: &Sim) -> f64 {
    let e = &s.idempotence.effects;
    points(e.orders_applied + e.lost)
}

static FACTS: [FactDef; 11] = [
    FactDef {
        key: "unique_messages",
        unit: "messages",
        label: Text::new("订单数", "Orders"),
        explained_en: crate::cli_only("Orders the producer sent, each with its own message id (a copy or a re-send keeps its original's id)."),
        value: |s| facts::read::produced(s),
    },
    FactDef {
        label: Text::new("重复消息", "Duplicates"),
        explained_en: crate::cli_only("Copies of an order already sent: the network's duplicates (duplicate_rate) and the producer's re-sends after a lost confirm."),
        value: |s| facts::read::duplicates(s) + s.idempotence.network_copies as f64,
        ..facts::DUPLICATES
    },
    FactDef {
        explained_en: crate::cli_only("Deliveries of an order delivered before: the redelivery after a consumer crash (manual ack), a third source of duplicates."),
        ..facts::REDELIVERED
    },
    FactDef {
        key: "effects_applied",
        unit: "",
        label: Text::new("加积分次数", "Points added"),
        explained_en: crate::cli_only("Times the consumer added an order's points to the account, repeats included."),
        value: |s| s.idempotence.effects.applied as f64,
    },
    FactDef {
        key: "double_applied",
        unit: "",
        label: Text::new("重复加分", "Added twice"),
        explained_en: crate::cli_only("Effects beyond one per order: points added again for an order already credited."),
        value: |s| s.idempotence.effects.double as f64,
    },
    FactDef {
        key: "lost_effects",
        unit: "",
        label: Text::new("漏加积分", "Points never added"),
        explained_en: crate::cli_only("Orders acked (processed, or skipped as a duplicate) whose points were never added: a dedupe key written before a crash hid the redelivery."),
        value: |s| s.idempotence.effects.lost as f64,
    },
    FactDef {
        key: "points_expected",
        unit: "",
        label: Text::new("应有积分", "Points expected"),
        explained_en: crate::cli_only("Points the account should have now: 10 for every order credited or acked."),
        value: expected_points,
    },
    FactDef {
        key: "points_actual",
        unit: "",
        label: Text::new("实际积分", "Points in the account"),
        explained_en: crate::cli_only("Points the account has now: 10 for every time an order's points were added."),
        value: |s| points(s.idempotence.effects.applied),
    },
    FactDef {
        key: "skipped_duplicates",
        unit: "messages",
        label: Text::new("识别出的重复", "Duplicates skipped"),
        explained_en: crate::cli_only("Copies the consumer recognised (dedupe key present, or unique key refused) and acked without adding points."),
        value: |s| s.idempotence.skipped as f64,
    },
    FactDef {
        key: "dedupe_keys",
        unit: "",
        label: Text::new("去重键数量", "Dedupe keys"),
        explained_en: crate::cli_only("processed:<id> keys in Redis now; each expires ttl_s after it was written, so they stay bounded."),
        value: |s| s.idempotence.store.live_len(s.now()) as f64,
    },
    FactDef {
        explained_en: crate::cli_only("Messages gone without anyone being told; here a redelivery skipped by a dedupe key written before a crash (ledger.lost_by_cause.dedupe_key_before_crash)."),
        ..facts::LOST
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "idempotence",
    summary: crate::cli_only("duplicates (network, lost confirm, consumer crash) against a points account: no guard, a DB unique key, or a Redis dedupe key with a TTL written before or after the work"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

fn secs(v: f64) -> TimeUs {
    (v * US_PER_S as f64).round() as TimeUs
}

fn build(p: &Params) -> ScenarioSpec {
    let mut spec = kit::spec("idempotence", DEF.summary, 200 * US_PER_MS);
    let delay = secs(p.get("redelivery_delay_s")).max(1);
    let mut producer = kit::producer(PRODUCER, BROKER, p.get("rate_per_s"), 300 * US_PER_MS);
    // At-least-once on purpose: a lost confirm makes a re-send.
    producer.confirm = true;
    producer.retry_us = delay;
    spec.producers.push(producer);
    spec.queues.push(kit::queue(BROKER, 10_000));
    let mut consumer = kit::consumers(CONSUMER, BROKER, 1, 1, kit::ms(p.get("work_ms")));
    consumer.ack = AckMode::Manual;
    consumer.restart_us = delay;
    // One order on its way while another is worked on: without it each
    // order would cost a delivery hop plus the work, and the consumer
    // could not keep up with the duplicates.
    consumer.prefetch = Some(2);
    spec.consumers.push(consumer);
    let strategy = match p.get("strategy").round() as i64 {
        1 => IdempotenceStrategy::UniqueKey,
        2 => IdempotenceStrategy::Dedupe,
        _ => IdempotenceStrategy::None,
    };
    let mark = if p.get("mark") >= 0.5 {
        DedupeMark::After
    } else {
        DedupeMark::Before
    };
    spec.idempotence = Some(IdempotenceSpec {
        consumer: CONSUMER.into(),
        strategy,
        mark,
        ttl_us: secs(p.get("ttl_s")).max(1),
        duplicate_rate: p.get("duplicate_rate") / 100.0,
        duplicate_delay_us: delay,
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
        _ => Live::Restart,
    }
}
