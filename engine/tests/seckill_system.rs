//! The seckill-system scenario's teaching claims, each run through the
//! library and the `mqlab-sim` binary (which must agree): the atomic
//! script sells exactly the stock, check-then-decrement oversells, a
//! failed order returns its item, the limiter refuses what it cannot
//! pass, the alerts fire and clear, and the stock is accounted for after
//! every event.

mod common;

use common::{spec_of, via_cli, via_library, Outcome};
use mqlab_engine::invariants::check_full;
use mqlab_engine::render::LogKind;
use mqlab_engine::{Action, Sim};

fn both(settings: &[(&str, &str)], faults: &[(u64, Action)], until_s: u64) -> Outcome {
    let lib = via_library("seckill-system", settings, faults, until_s);
    let cli = via_cli("seckill-system", settings, faults, until_s);
    assert_eq!(lib, cli, "{settings:?}: library and CLI agree");
    lib
}

#[test]
fn the_atomic_script_sells_exactly_the_stock() {
    let o = both(&[], &[], 30);
    assert_eq!(o.fact("orders_created"), 100.0);
    assert_eq!(o.fact("oversold"), 0.0);
    assert_eq!(o.fact("stock_left"), 0.0);
    assert_eq!(o.fact("requests"), 300_000.0);
    // 100,000/s for 3 s against a 10,000/s bucket of 100: all but the
    // 30,100 or so it lets through are refused at the gateway.
    let limited = o.fact("limited");
    assert!((269_800.0..=270_000.0).contains(&limited), "{limited}");
    assert_eq!(
        o.fact("notified"),
        100.0,
        "every buyer with an order is told"
    );
    assert_eq!(o.fact("queued"), 0.0);
}

#[test]
fn check_then_decrement_oversells_and_more_workers_oversell_more() {
    let few = both(&[("atomic", "false"), ("stock_workers", "2")], &[], 30);
    let many = both(&[("atomic", "false"), ("stock_workers", "32")], &[], 30);
    assert!(few.fact("oversold") > 0.0, "{:?}", few.facts);
    assert!(
        many.fact("oversold") > few.fact("oversold"),
        "{} vs {}",
        many.fact("oversold"),
        few.fact("oversold")
    );
    assert_eq!(
        many.fact("orders_created"),
        100.0 + many.fact("oversold"),
        "the oversold orders are orders beyond the stock"
    );
    // The chapter's default of 8 workers oversells too.
    let eight = both(&[("atomic", "false"), ("stock_workers", "8")], &[], 30);
    assert!(eight.fact("oversold") > 0.0, "{:?}", eight.facts);
    // The same workers with the script never oversell.
    let atomic = both(&[("stock_workers", "32")], &[], 30);
    assert_eq!(atomic.fact("oversold"), 0.0);
}

#[test]
fn the_log_shows_workers_deciding_on_a_stale_reading() {
    let spec = spec_of(
        "seckill-system",
        &[("atomic", "false"), ("stock_workers", "16")],
    );
    let mut sim = Sim::new(&spec, 1).unwrap();
    sim.run_until(2_000_000);
    let log: Vec<_> = sim.log().entries().cloned().collect();
    let race = log.iter().find_map(|e| match e.kind {
        LogKind::StockRace { value, pending, .. } => Some((value, pending)),
        _ => None,
    });
    let (value, pending) = race.expect("a worker read a value too few for the decrements to come");
    assert!(pending as i64 > value && value > 0);
    assert!(log
        .iter()
        .any(|e| matches!(e.kind, LogKind::Oversold { stock, .. } if stock < 0)));
}

#[test]
fn a_failed_order_returns_its_item() {
    let down = both(&[("order_db_down", "true")], &[], 30);
    assert_eq!(down.fact("orders_created"), 0.0);
    assert!(down.fact("orders_failed") > 0.0);
    assert_eq!(down.fact("stock_returned"), down.fact("orders_failed"));
    assert_eq!(down.fact("stock_left"), 100.0, "every item is back");
    assert!(down.fact("alerts_fired") >= 1.0, "success under 95 % fires");
    // Down for the first second only: later buyers take the returned items.
    let back = both(
        &[("order_db_down", "true")],
        &[(
            1_000,
            Action::SetServiceUp {
                service: "order-db".into(),
                up: true,
            },
        )],
        30,
    );
    assert_eq!(back.fact("orders_created"), 100.0);
    assert!(back.fact("stock_returned") > 0.0);
    assert_eq!(back.fact("stock_left"), 0.0);
}

#[test]
fn the_limiter_off_lets_every_request_through_to_redis() {
    let off = both(&[("limiter_on", "false")], &[], 30);
    assert_eq!(off.fact("limited"), 0.0);
    assert_eq!(off.fact("orders_created"), 100.0, "the script still holds");
    // Switched off mid-rush, it refuses only until then.
    let later = both(&[], &[(1_000, Action::SetLimiter { on: false })], 30);
    let on = both(&[], &[], 30);
    assert!(later.fact("limited") > 0.0 && later.fact("limited") < on.fact("limited"));
}

#[test]
fn a_long_queue_fires_an_alert_that_clears_once_it_drains() {
    let spec = spec_of("seckill-system", &[("stock", "50000")]);
    let mut sim = Sim::new(&spec, 1).unwrap();
    sim.run_until(3_000_000);
    let snap = sim.snapshot();
    let view = snap.seckill.as_ref().unwrap();
    assert!(
        view.firing[0].is_some(),
        "over 10,000 queued: {:?}",
        view.points.last()
    );
    sim.run_until(60_000_000);
    let view = sim.snapshot().seckill.unwrap();
    assert_eq!(view.firing[0], None, "drained: cleared");
    let changes: Vec<_> = view.alerts.iter().map(|a| a.firing).collect();
    assert_eq!(changes, [true, false]);
    assert!(view.alerts[0].value > 10_000.0);
    let facts = mqlab_engine::scenario::find("seckill-system")
        .unwrap()
        .read_facts(&sim);
    let fact = |k: &str| facts.iter().find(|(n, _)| *n == k).unwrap().1;
    assert_eq!(fact("alerts_fired"), 1.0);
    // The log says when it fired and when it cleared.
    let alerts: Vec<bool> = sim
        .log()
        .entries()
        .filter_map(|e| match e.kind {
            LogKind::Alert {
                alert: mqlab_engine::model::monitor::AlertKind::QueueBacklog,
                firing,
                ..
            } => Some(firing),
            _ => None,
        })
        .collect();
    assert_eq!(alerts, [true, false], "the log shows it fire and clear");
    assert_eq!(
        fact("orders_created"),
        30_099.0,
        "the 30,099 the limiter passed"
    );
}

#[test]
fn the_notification_service_down_loses_no_order() {
    let o = both(&[("notify_down", "true")], &[], 30);
    assert_eq!(o.fact("orders_created"), 100.0);
    assert_eq!(
        o.fact("notified"),
        0.0,
        "they wait in the order-created queue"
    );
}

#[test]
fn every_item_is_accounted_for_after_every_event() {
    for atomic in ["true", "false"] {
        let spec = spec_of(
            "seckill-system",
            &[
                ("atomic", atomic),
                ("stock", "300"),
                ("request_rate_per_s", "20000"),
            ],
        );
        let mut sim = Sim::new(&spec, 1).unwrap();
        sim.schedule(mqlab_engine::Command {
            at_us: 600_000,
            action: Action::SetServiceUp {
                service: "order-db".into(),
                up: false,
            },
        })
        .unwrap();
        sim.schedule(mqlab_engine::Command {
            at_us: 900_000,
            action: Action::SetServiceUp {
                service: "order-db".into(),
                up: true,
            },
        })
        .unwrap();
        let mut events = 0;
        while sim.now() < 5_000_000 && sim.step().is_some() {
            check_full(&sim).unwrap_or_else(|e| panic!("atomic={atomic}, event {events}: {e}"));
            events += 1;
        }
        assert!(events > 10_000, "{events}");
    }
}

#[test]
fn the_low_success_alert_clears_once_the_database_is_back() {
    let spec = spec_of("seckill-system", &[("order_db_down", "true")]);
    let mut sim = Sim::new(&spec, 1).unwrap();
    sim.schedule(mqlab_engine::Command {
        at_us: 1_500_000,
        action: Action::SetServiceUp {
            service: "order-db".into(),
            up: true,
        },
    })
    .unwrap();
    sim.run_until(10_000_000);
    let view = sim.snapshot().seckill.unwrap();
    let changes: Vec<_> = view.alerts.iter().map(|a| a.firing).collect();
    assert_eq!(
        changes,
        [true, false],
        "fired while down, cleared once back"
    );
    assert_eq!(view.firing[1], None);
    assert!(view.alerts[1].at_us > 1_500_000);
    assert_eq!(view.points.last().unwrap().success_pct, Some(100.0));
}
