//! The seckill-queue scenario's "done when": with the default demand
//! exactly the stock is sold, never more; the answer "queued" comes much
//! sooner than the confirmation; the sold-out flag answers the late buyers
//! at once. Each check runs through the library and the `mqlab-sim`
//! binary, and both must agree.

mod common;

use common::{via_cli, via_library, Outcome};

fn both(settings: &[(&str, &str)], until_s: u64) -> Outcome {
    let lib = via_library("seckill-queue", settings, &[], until_s);
    let cli = via_cli("seckill-queue", settings, &[], until_s);
    assert_eq!(lib.facts, cli.facts, "{settings:?}: library and CLI agree");
    lib
}

#[test]
fn the_default_demand_sells_exactly_the_stock() {
    let o = both(&[], 30);
    assert_eq!(o.fact("orders_created"), 100.0);
    assert_eq!(o.fact("stock_left"), 0.0);
    assert_eq!(o.fact("requests"), 5_000.0);
    let answered =
        o.fact("orders_created") + o.fact("sold_out_rejected") + o.fact("sold_out_after_queue");
    assert_eq!(answered, o.fact("requests"), "every buyer gets an answer");
    assert_eq!(o.fact("queued"), 0.0);
}

#[test]
fn queued_is_fast_and_confirmed_is_slow() {
    let o = both(&[], 30);
    let (queued, confirmed) = (o.fact("queued_ack_us_p50"), o.fact("confirmed_us_p50"));
    assert!(
        queued > 0.0 && queued < 10_000.0,
        "queued in a round trip: {queued} µs"
    );
    assert!(
        confirmed > 10.0 * queued,
        "confirmed {confirmed} µs vs queued {queued} µs"
    );
    // A slower order service makes the confirmation later, not "queued".
    let slow = both(&[("consumer_rate_per_s", "50")], 60);
    assert!(slow.fact("confirmed_us_p50") > confirmed);
    assert!(slow.fact("queued_ack_us_p50") < 10_000.0);
}

#[test]
fn orders_never_exceed_the_stock_or_the_requests() {
    for (rate, stock) in [("100", "1000"), ("20000", "1"), ("5000", "1000")] {
        let o = both(&[("request_rate_per_s", rate), ("stock", stock)], 60);
        let requests = o.fact("requests");
        let stock: f64 = stock.parse().unwrap();
        assert_eq!(
            o.fact("orders_created"),
            stock.min(requests),
            "rate {rate}, stock {stock}"
        );
    }
}

#[test]
fn the_sold_out_flag_answers_late_buyers_at_once() {
    let flag = both(&[], 30);
    assert!(flag.fact("sold_out_rejected") > 0.0);
    let none = both(&[("sold_out_flag", "off")], 30);
    assert_eq!(none.fact("sold_out_rejected"), 0.0);
    assert!(
        none.fact("sold_out_after_queue") > flag.fact("sold_out_after_queue"),
        "without the flag every late buyer waits in the queue to hear it"
    );
    assert_eq!(none.fact("orders_created"), 100.0);
}
