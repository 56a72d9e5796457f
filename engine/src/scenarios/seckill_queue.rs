//! `seckill-queue`: a flash sale answered with "you are queued". For one
//! second `request_rate_per_s` buyers press "buy" for `stock` items. Each
//! request is stored in a queue and answered at once; the order service
//! works through the queue at `consumer_rate_per_s`, taking one item per
//! request, and the buyer's page asks for the result every 500 ms. Once
//! the last item is taken a sold-out flag in front of the queue
//! (`sold_out_flag`) answers every later request at once; without it they
//! all wait in the queue to be told the same.
//!
//! Two waits: to "queued" (a network round trip, whatever the load) and to
//! "order confirmed" (the queue ahead of you, then a poll), which grows
//! with the queue. Orders created = min(stock, requests), never more.

use crate::command::Action;
use crate::facts::{self, FactDef};
use crate::scenario::{Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit;
use crate::spec::*;
use crate::text::Text;
use crate::time::{TimeUs, US_PER_MS, US_PER_S};

pub const BUYERS: &str = "buyers";
pub const QUEUE: &str = "seckill";
pub const ORDER_SERVICE: &str = "order-service";

/// How often a buyer's page asks for the result.
pub const POLL_US: TimeUs = 500 * US_PER_MS;

static PARAMS: [ParamDef; 4] = [
    ParamDef::int(
        "request_rate_per_s",
        "per_s",
        100.0,
        20_000.0,
        5_000.0,
        "buyers pressing buy per second, for the one second the sale lasts",
    ),
    ParamDef::int("stock", "", 1.0, 1_000.0, 100.0, "items for sale"),
    ParamDef::int(
        "consumer_rate_per_s",
        "per_s",
        10.0,
        5_000.0,
        500.0,
        "requests the order service processes per second",
    ),
    ParamDef::boolean(
        "sold_out_flag",
        true,
        "a sold-out flag in front of the queue answers at once once the stock is gone",
    ),
];

fn median(h: &crate::metrics::Histogram) -> f64 {
    h.quantile(0.5) as f64
}

static FACTS: [FactDef; 8] = [
    FactDef {
        key: "orders_created",
        unit: "messages",
        label: Text::new("创建的订单", "Orders created"),
        explained_en: crate::cli_only("Orders the order service created: one per item, never more than the stock."),
        value: |s| s.sale.orders_created as f64,
    },
    FactDef {
        key: "sold_out_rejected",
        unit: "messages",
        label: Text::new("入口直接售罄", "Sold out at the gate"),
        explained_en: crate::cli_only("Requests the sold-out flag answered at once, without queueing them."),
        value: |s| s.sale.sold_out_at_gate as f64,
    },
    FactDef {
        key: "sold_out_after_queue",
        unit: "messages",
        label: Text::new("排队后才知售罄", "Sold out after queueing"),
        explained_en: crate::cli_only("Requests that waited in the queue only to find no stock left."),
        value: |s| s.sale.sold_out_in_queue as f64,
    },
    FactDef {
        key: "queued_ack_us_p50",
        unit: "us",
        label: Text::new("得到“排队中”（中位数）", "Told \"queued\" (median)"),
        explained_en: crate::cli_only("Median time from pressing buy to the answer \"queued\": a round trip, however long the queue."),
        value: |s| median(&s.sale.queued_ack),
    },
    FactDef {
        key: "confirmed_us_p50",
        unit: "us",
        label: Text::new("看到订单确认（中位数）", "Sees the order confirmed (median)"),
        explained_en: crate::cli_only("Median time from pressing buy to the poll that shows the order created, for the buyers who got one."),
        value: |s| median(&s.sale.confirmed),
    },
    FactDef {
        key: "stock_left",
        unit: "",
        label: Text::new("剩余库存", "Stock left"),
        explained_en: crate::cli_only("Items not sold yet (the stock minus the orders created)."),
        value: |s| s.sale.stock_left() as f64,
    },
    FactDef {
        key: "requests",
        label: Text::new("抢购请求", "Buy requests"),
        explained_en: crate::cli_only("Buyers who pressed buy."),
        ..facts::PRODUCED
    },
    FactDef {
        explained_en: crate::cli_only("Requests waiting in the queue now."),
        ..facts::QUEUED
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "seckill-queue",
    summary: crate::cli_only("a one-second flash sale answered with \"queued\": a sold-out flag at the gate, an order service working through the queue, the wait to \"queued\" and to \"confirmed\""),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

fn build(p: &Params) -> ScenarioSpec {
    let mut spec = kit::spec("seckill-queue", DEF.summary, 2 * US_PER_MS);
    spec.sample_interval_us = 100 * US_PER_MS;
    let mut buyers = kit::producer(BUYERS, QUEUE, 0.0, 0);
    buyers.rate = RateShape::Burst {
        rate_per_s: p.get("request_rate_per_s"),
        start_us: 200 * US_PER_MS,
        length_us: US_PER_S,
    };
    spec.producers.push(buyers);
    spec.queues.push(kit::queue(QUEUE, 100_000));
    spec.consumers.push(kit::consumers(
        ORDER_SERVICE,
        QUEUE,
        1,
        1,
        work_us(p.get("consumer_rate_per_s")),
    ));
    spec.flash_sale = Some(FlashSaleSpec {
        queue: QUEUE.into(),
        stock: p.get("stock").round() as u64,
        sold_out_flag: p.flag("sold_out_flag"),
        poll_us: POLL_US,
    });
    spec
}

fn work_us(rate_per_s: f64) -> TimeUs {
    (US_PER_S as f64 / rate_per_s.max(1.0)).round() as TimeUs
}

fn live(_: &Params, key: &str, v: f64) -> Live {
    match key {
        "consumer_rate_per_s" => Live::Apply(Action::SetConsumerWork {
            group: ORDER_SERVICE.into(),
            mean_us: work_us(v),
        }),
        _ => Live::Restart,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_service_rate_is_its_work_time() {
        assert_eq!(work_us(500.0), 2_000);
        assert_eq!(work_us(0.0), US_PER_S, "never divides by zero");
    }

    #[test]
    fn a_sim_reads_no_sale_facts_without_a_sale() {
        let spec = kit::spec("x", "", 0);
        let sim = crate::sim::Sim::new(&spec, 1).unwrap();
        assert_eq!(FACTS[0].read(&sim), 0.0);
    }
}
