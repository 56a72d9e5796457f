//! `transaction`: an order service creates each order in its database and
//! tells the stock service through a queue. Four ways to do the two (see
//! `model::txn`): `db_then_send`, `send_then_db`, RocketMQ's
//! `half_message` (a half message, the local transaction, commit or
//! rollback, a check-back after `check_back_s` when no answer comes) and
//! the `outbox` table a relay publishes from.
//!
//! Crashes: the commands `crash_producer_after_db`,
//! `crash_producer_after_send` and `fail_local_tx` take the next order;
//! `crash_rate` crashes a share of all orders between the method's two
//! steps. The facts say whether the orders and the stock still agree.

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit;
use crate::spec::*;
use crate::text::Text;
use crate::time::{US_PER_MS, US_PER_S};

pub const ORDER_SERVICE: &str = "order-service";
pub const QUEUE: &str = "stock-events";
pub const STOCK_SERVICE: &str = "stock-service";

/// The `method` parameter's words.
pub static METHOD_CHOICES: [Choice; 4] = [
    Choice::new(
        "db_then_send",
        "先写库，再发消息",
        "Write the order, then send",
    ),
    Choice::new(
        "send_then_db",
        "先发消息，再写库",
        "Send, then write the order",
    ),
    Choice::new(
        "half_message",
        "事务消息（RocketMQ 半消息）",
        "Transactional message (RocketMQ half message)",
    ),
    Choice::new("outbox", "本地消息表（outbox）", "Outbox table"),
];
pub const METHODS: &[&str] = &words(&METHOD_CHOICES);

static PARAMS: [ParamDef; 4] = [
    ParamDef::choice(
        "method",
        &METHOD_CHOICES,
        0,
        "how the order and its message are kept in step: db_then_send, send_then_db, half_message (RocketMQ transactional message), outbox (outbox table and a relay)",
    ),
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.0,
        10.0,
        1.0,
        0.1,
        "orders per second",
    ),
    ParamDef::int(
        "crash_rate",
        "pct",
        0.0,
        50.0,
        0.0,
        "share of orders whose order-service instance crashes between the two steps",
    ),
    ParamDef::int(
        "check_back_s",
        "s",
        1.0,
        60.0,
        5.0,
        "half_message: how long the broker waits for commit or rollback before it asks the order service",
    ),
];

static FACTS: [FactDef; 8] = [
    FactDef {
        key: "orders",
        unit: "messages",
        label: Text::new("写入的订单", "Orders written"),
        explained_en: crate::cli_only("Order rows the local transactions wrote."),
        value: |s| s.txn.orders as f64,
    },
    FactDef {
        key: "messages_delivered",
        unit: "messages",
        label: Text::new("扣减库存", "Stock deducted"),
        explained_en: crate::cli_only("Messages the stock service processed: one stock deduction each."),
        value: |s| s.txn.messages_delivered as f64,
    },
    FactDef {
        key: "order_without_message",
        unit: "messages",
        label: Text::new("有订单、没消息", "Order, no message"),
        explained_en: crate::cli_only("Orders written whose message will never arrive: their stock is never deducted."),
        value: |s| s.txn.order_without_message as f64,
    },
    FactDef {
        key: "message_without_order",
        unit: "messages",
        label: Text::new("有消息、没订单", "Message, no order"),
        explained_en: crate::cli_only("Messages processed for an order that was never written: stock deducted for nothing."),
        value: |s| s.txn.message_without_order as f64,
    },
    FactDef {
        key: "check_backs",
        unit: "",
        label: Text::new("事务回查", "Check-backs"),
        explained_en: crate::cli_only("Times the broker asked the order service about a half message nobody answered for."),
        value: |s| s.txn.check_backs as f64,
    },
    FactDef {
        key: "rolled_back",
        unit: "messages",
        label: Text::new("一起回滚", "Rolled back together"),
        explained_en: crate::cli_only("Orders dropped together with their message: a failed insert, or a half message rolled back."),
        value: |s| s.txn.rolled_back as f64,
    },
    FactDef {
        key: "half_messages",
        unit: "messages",
        label: Text::new("半消息（消费者看不到）", "Half messages (hidden)"),
        explained_en: crate::cli_only("Half messages the broker holds now, waiting for commit, rollback or a check-back."),
        value: |s| s.txn.half_held() as f64,
    },
    FactDef {
        key: "placed",
        label: Text::new("下单请求", "Orders placed"),
        explained_en: crate::cli_only("Orders the users placed (each one a local transaction and a message)."),
        ..facts::PRODUCED
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "transaction",
    summary: crate::cli_only("an order in the database and its message in the queue: write then send, send then write, RocketMQ's half message with check-back, or an outbox table; crashes between the two steps"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

/// How long the order insert takes.
pub const LOCAL_TX_US: u64 = 200 * US_PER_MS;

fn build(p: &Params) -> ScenarioSpec {
    let mut spec = kit::spec("transaction", DEF.summary, 100 * US_PER_MS);
    spec.sample_interval_us = 500 * US_PER_MS;
    spec.horizon_us = 120 * US_PER_S;
    spec.producers.push(kit::producer(
        ORDER_SERVICE,
        QUEUE,
        p.get("rate_per_s"),
        500 * US_PER_MS,
    ));
    spec.queues.push(kit::queue(QUEUE, 10_000));
    spec.consumers
        .push(kit::consumers(STOCK_SERVICE, QUEUE, 1, 1, 50 * US_PER_MS));
    let method = match p.get("method").round() as i64 {
        0 => TxnMethod::DbThenSend,
        1 => TxnMethod::SendThenDb,
        2 => TxnMethod::HalfMessage,
        _ => TxnMethod::Outbox,
    };
    spec.txn = Some(TxnSpec {
        producer: ORDER_SERVICE.into(),
        method,
        local_tx_us: LOCAL_TX_US,
        check_back_us: (p.get("check_back_s").round().max(1.0) as u64) * US_PER_S,
        relay_poll_us: 500 * US_PER_MS,
        crash_rate: p.get("crash_rate") / 100.0,
    });
    spec
}

fn live(_: &Params, key: &str, v: f64) -> Live {
    match key {
        "rate_per_s" => Live::Apply(Action::SetRate {
            producer: ORDER_SERVICE.into(),
            rate_per_s: v,
        }),
        _ => Live::Restart,
    }
}
