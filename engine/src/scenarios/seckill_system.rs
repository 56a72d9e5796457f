//! `seckill-system`: the whole flash-sale pipeline of the chapter. For
//! three seconds `request_rate_per_s` buyers press "buy". A gateway rate
//! limiter (a token bucket at `limiter_rate_per_s`) passes some; a pool of
//! `stock_workers` takes an item in Redis for each (atomically with a Lua
//! script, or by `GET` then `DECR`); a request with an item goes to the
//! order queue; the order service creates orders at `order_rate_per_s`
//! and publishes "order created" for the notification service. A
//! monitoring panel charts the queue, the processing rate, the success
//! rate and the mean latency, and raises alerts.
//!
//! Faults, as switches that apply at once: the order database down (each
//! order fails and its item goes back to the stock), the notification
//! service down (its queue fills; no order is lost), the limiter off.
//!
//! Nodes: producer `buyers`; queue `orders` → consumers `order-service`,
//! which call service `order-db`, which publishes to queue
//! `order-created` → consumers `notification`.

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::scenario::{Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit::{self, ms};
use crate::spec::*;
use crate::text::Text;
use crate::time::{TimeUs, US_PER_MS, US_PER_S};

pub const BUYERS: &str = "buyers";
pub const ORDERS: &str = "orders";
pub const ORDER_SERVICE: &str = "order-service";
pub const ORDER_DB: &str = "order-db";
pub const CREATED: &str = "order-created";
pub const NOTIFICATION: &str = "notification";

/// How long the sale's rush lasts.
pub const SALE_US: TimeUs = 3 * US_PER_S;
/// Orders the order service works on at once.
const ORDER_SLOTS: u32 = 10;
/// Alert thresholds, the chapter's: a queue over 10,000, success under 95 %.
pub const ALERT_QUEUE_LEN: u64 = 10_000;
pub const ALERT_SUCCESS_PCT: f64 = 95.0;

static PARAMS: [ParamDef; 9] = [
    ParamDef::int(
        "request_rate_per_s",
        "per_s",
        1_000.0,
        200_000.0,
        100_000.0,
        "buyers pressing buy per second, for the three seconds of the rush",
    ),
    ParamDef::int(
        "limiter_rate_per_s",
        "per_s",
        1_000.0,
        100_000.0,
        10_000.0,
        "requests per second the gateway's token bucket lets through",
    ),
    ParamDef::boolean(
        "limiter_on",
        true,
        "the gateway's rate limiter is on (off: a fault, every request gets through)",
    ),
    ParamDef::int("stock", "", 1.0, 100_000.0, 100.0, "items for sale"),
    ParamDef::boolean(
        "atomic",
        true,
        "take stock with one Lua script (false: GET, then DECR if it was positive)",
    ),
    ParamDef::int(
        "stock_workers",
        "",
        1.0,
        64.0,
        8.0,
        "gateway workers taking stock in Redis at once",
    ),
    ParamDef::int(
        "order_rate_per_s",
        "per_s",
        100.0,
        10_000.0,
        1_000.0,
        "orders the order service creates per second",
    ),
    ParamDef::boolean(
        "order_db_down",
        false,
        "the order database is down (a fault: orders fail and their stock is returned)",
    ),
    ParamDef::boolean(
        "notify_down",
        false,
        "the notification service is down (a fault: its queue fills)",
    ),
];

static FACTS: [FactDef; 11] = [
    FactDef {
        key: "orders_created",
        unit: "messages",
        label: Text::new("创建的订单", "Orders created"),
        explained_en: crate::cli_only("Orders the order service created."),
        value: |s| s.seckill.orders_created as f64,
    },
    FactDef {
        key: "oversold",
        unit: "messages",
        label: Text::new("超卖", "Oversold"),
        explained_en: crate::cli_only(
            "Orders created beyond the stock: items sold that do not exist.",
        ),
        value: |s| s.seckill.oversold() as f64,
    },
    FactDef {
        key: "stock_left",
        unit: "",
        label: Text::new("剩余库存", "Stock left"),
        explained_en: crate::cli_only("Items left in Redis (0 once it has gone below zero)."),
        value: |s| s.seckill.stock_left() as f64,
    },
    FactDef {
        key: "stock_returned",
        unit: "",
        label: Text::new("退回库存", "Stock returned"),
        explained_en: crate::cli_only("Items given back to the stock by orders that failed."),
        value: |s| s.seckill.stock_returned as f64,
    },
    FactDef {
        key: "limited",
        unit: "messages",
        label: Text::new("被限流", "Refused by the limiter"),
        explained_en: crate::cli_only("Requests the gateway's rate limiter refused."),
        value: |s| s.seckill.limited as f64,
    },
    FactDef {
        key: "sold_out",
        unit: "messages",
        label: Text::new("库存不足被拒", "Told \"sold out\""),
        explained_en: crate::cli_only("Requests Redis found no stock for."),
        value: |s| s.seckill.sold_out as f64,
    },
    FactDef {
        key: "orders_failed",
        unit: "messages",
        label: Text::new("下单失败", "Orders failed"),
        explained_en: crate::cli_only(
            "Orders the order database refused (their stock was returned).",
        ),
        value: |s| s.seckill.orders_failed as f64,
    },
    FactDef {
        key: "alerts_fired",
        unit: "",
        label: Text::new("触发的告警", "Alerts fired"),
        explained_en: crate::cli_only(
            "Times an alert fired: the queue over 10,000, or success under 95 %.",
        ),
        value: |s| s.seckill.monitor.fired as f64,
    },
    FactDef {
        key: "notified",
        unit: "messages",
        label: Text::new("已通知", "Buyers notified"),
        explained_en: crate::cli_only(
            "\"Order created\" messages the notification service handled.",
        ),
        value: |s| {
            let g = s.spec.consumers.iter().position(|c| c.name == NOTIFICATION);
            g.map_or(0.0, |g| s.delivery.groups[g].processed as f64)
        },
    },
    FactDef {
        key: "requests",
        label: Text::new("抢购请求", "Buy requests"),
        explained_en: crate::cli_only("Buyers who pressed buy."),
        ..facts::PRODUCED
    },
    FactDef {
        explained_en: crate::cli_only("Requests with an item waiting in the order queue now."),
        ..facts::QUEUED
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "seckill-system",
    summary: crate::cli_only("the flash-sale system end to end: a gateway rate limiter, stock pre-deducted in Redis (atomic or check-then-decrement), the order queue and service, notifications, and a monitoring panel with alerts"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

fn build(p: &Params) -> ScenarioSpec {
    let mut spec = kit::spec("seckill-system", DEF.summary, US_PER_MS);
    spec.sample_interval_us = 250 * US_PER_MS;
    // Hundreds of thousands of requests: the log keeps to what teaches
    // (races, oversells, alerts, a sample of refusals and failed orders).
    spec.log_routine = false;
    let mut buyers = kit::producer(BUYERS, ORDERS, 0.0, 0);
    buyers.rate = RateShape::Burst {
        rate_per_s: p.get("request_rate_per_s"),
        start_us: 200 * US_PER_MS,
        length_us: SALE_US,
    };
    spec.producers.push(buyers);
    spec.queues.push(kit::queue(ORDERS, 1_000_000));
    spec.queues.push(kit::queue(CREATED, 1_000_000));
    let mut orders = kit::consumers(
        ORDER_SERVICE,
        ORDERS,
        1,
        ORDER_SLOTS,
        order_work_us(p.get("order_rate_per_s")),
    );
    orders.calls = Some(ORDER_DB.into());
    spec.consumers.push(orders);
    let mut notification = kit::consumers(NOTIFICATION, CREATED, 1, 50, 2 * US_PER_MS);
    notification.online = !p.flag("notify_down");
    spec.consumers.push(notification);
    let mut db = kit::service(ORDER_DB, ms(1.0), 100);
    db.publishes = Some(CREATED.into());
    db.up = !p.flag("order_db_down");
    spec.services.push(db);
    spec.seckill = Some(SeckillSpec {
        producer: BUYERS.into(),
        queue: ORDERS.into(),
        stock: p.get("stock").round() as u64,
        atomic: p.flag("atomic"),
        stock_workers: p.get("stock_workers").round() as u32,
        redis_rtt_us: 500,
        backlog: 1_000,
        limiter_rate_per_s: p.get("limiter_rate_per_s"),
        limiter_burst: 100,
        limiter_on: p.flag("limiter_on"),
        alert_queue_len: ALERT_QUEUE_LEN,
        alert_success_pct: ALERT_SUCCESS_PCT,
        monitor_window_us: US_PER_S,
    });
    spec
}

/// Each of the order service's slots takes this long per order, so that
/// together they create `rate_per_s`.
fn order_work_us(rate_per_s: f64) -> TimeUs {
    (ORDER_SLOTS as f64 * US_PER_S as f64 / rate_per_s.max(1.0)).round() as TimeUs
}

fn live(_: &Params, key: &str, v: f64) -> Live {
    let on = v >= 0.5;
    match key {
        "order_rate_per_s" => Live::Apply(Action::SetConsumerWork {
            group: ORDER_SERVICE.into(),
            mean_us: order_work_us(v),
        }),
        "limiter_on" => Live::Apply(Action::SetLimiter { on }),
        "order_db_down" => Live::Apply(Action::SetServiceUp {
            service: ORDER_DB.into(),
            up: !on,
        }),
        "notify_down" => Live::Apply(Action::SetConsumersOnline {
            group: NOTIFICATION.into(),
            online: !on,
        }),
        _ => Live::Restart,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_service_creates_the_rate_it_is_given() {
        assert_eq!(order_work_us(1_000.0), 10_000);
        assert_eq!(order_work_us(0.0), 10 * US_PER_S, "never divides by zero");
    }
}
