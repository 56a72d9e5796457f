//! The transaction scenario's "done when": with the same crash commands at
//! the same moments, writing then sending leaves an order without its
//! message, sending then writing a message without its order, and the
//! half message (after its check-backs) and the outbox leave neither.
//! Each check runs through the library and the `mqlab-sim` binary, and
//! both must agree.

mod common;

use common::{run, spec_of, via_cli, via_library, Outcome};
use mqlab_engine::time::{US_PER_MS, US_PER_S};
use mqlab_engine::Action;

const P: &str = "order-service";

/// Runs through both; orders stop 10 s before the end, so every order has
/// settled when the facts are read.
fn both(settings: &[(&str, &str)], faults: &[(u64, Action)], until_s: u64) -> Outcome {
    let mut faults = faults.to_vec();
    let stop = Action::SetRate {
        producer: P.into(),
        rate_per_s: 0.0,
    };
    faults.push(((until_s - 10) * 1_000, stop));
    let lib = via_library("transaction", settings, &faults, until_s);
    let cli = via_cli("transaction", settings, &faults, until_s);
    assert_eq!(lib, cli, "{settings:?}: library and CLI agree");
    lib
}

/// Crashes of two orders: after the DB write, then after the send.
fn crashes() -> Vec<(u64, Action)> {
    vec![
        (1_000, Action::CrashProducerAfterDb { producer: P.into() }),
        (1_000, Action::CrashProducerAfterSend { producer: P.into() }),
    ]
}

fn method(m: &str) -> Outcome {
    both(&[("method", m)], &crashes(), 30)
}

#[test]
fn write_then_send_leaves_an_order_without_its_message() {
    let o = method("db_then_send");
    assert_eq!(o.fact("order_without_message"), 1.0);
    assert_eq!(o.fact("message_without_order"), 0.0);
    assert_eq!(o.lost_by_cause.get("producer_crashed"), Some(&1));
    // Every order written but that one had its stock deducted.
    assert_eq!(o.fact("messages_delivered"), o.fact("orders") - 1.0);
}

#[test]
fn send_then_write_leaves_a_message_without_its_order() {
    let o = method("send_then_db");
    assert_eq!(o.fact("message_without_order"), 1.0);
    assert_eq!(o.fact("order_without_message"), 0.0);
    assert_eq!(o.fact("messages_delivered"), o.fact("orders") + 1.0);
}

#[test]
fn the_half_message_and_its_check_back_leave_neither() {
    let o = method("half_message");
    assert_eq!(o.fact("order_without_message"), 0.0);
    assert_eq!(o.fact("message_without_order"), 0.0);
    // Neither crashed order answered: the broker asked about both.
    assert_eq!(o.fact("check_backs"), 2.0);
    // The order crashed before its insert is rolled back, the other committed.
    assert_eq!(o.fact("rolled_back"), 1.0);
    assert_eq!(o.fact("messages_delivered"), o.fact("orders"));
    assert_eq!(o.fact("half_messages"), 0.0);
}

#[test]
fn the_outbox_leaves_neither() {
    let o = method("outbox");
    assert_eq!(o.fact("order_without_message"), 0.0);
    assert_eq!(o.fact("message_without_order"), 0.0);
    assert_eq!(o.fact("check_backs"), 0.0);
    assert_eq!(o.fact("messages_delivered"), o.fact("orders"));
}

#[test]
fn without_crashes_every_method_agrees() {
    for m in ["db_then_send", "send_then_db", "half_message", "outbox"] {
        let o = both(&[("method", m)], &[], 20);
        assert!(o.fact("orders") >= 10.0, "{m}: {o:?}");
        assert_eq!(o.fact("messages_delivered"), o.fact("orders"), "{m}");
        assert_eq!(o.fact("check_backs"), 0.0, "{m}");
        assert!(o.lost_by_cause.is_empty(), "{m}: {o:?}");
    }
}

#[test]
fn a_failed_insert_drops_the_message_except_when_it_was_sent_first() {
    let fail = [(1_000, Action::FailLocalTx { producer: P.into() })];
    for m in ["db_then_send", "half_message", "outbox"] {
        let o = both(&[("method", m)], &fail, 20);
        assert_eq!(o.fact("rolled_back"), 1.0, "{m}");
        assert_eq!(
            o.fact("order_without_message") + o.fact("message_without_order"),
            0.0,
            "{m}"
        );
        assert_eq!(
            o.fact("check_backs"),
            0.0,
            "{m}: the producer answered rollback"
        );
    }
    let o = both(&[("method", "send_then_db")], &fail, 20);
    assert_eq!(o.fact("message_without_order"), 1.0);
}

#[test]
fn a_crash_rate_pulls_only_the_naive_methods_apart() {
    let rate = |m: &str| both(&[("method", m), ("crash_rate", "20")], &[], 60);
    assert!(rate("db_then_send").fact("order_without_message") > 0.0);
    assert!(rate("send_then_db").fact("message_without_order") > 0.0);
    for m in ["half_message", "outbox"] {
        let o = rate(m);
        assert_eq!(
            o.fact("order_without_message") + o.fact("message_without_order"),
            0.0,
            "{m}"
        );
    }
    assert!(rate("half_message").fact("check_backs") > 0.0);
}

#[test]
fn the_half_message_is_hidden_until_committed() {
    // Pause right after the crashed order's half message is stored: the
    // broker holds it, and the stock service has seen nothing of it.
    let spec = spec_of(
        "transaction",
        &[("method", "half_message"), ("rate_per_s", "0")],
    );
    let cmds = [
        common::at(0, Action::CrashProducerAfterDb { producer: P.into() }),
        common::at(
            0,
            Action::Produce {
                producer: P.into(),
                count: 1,
            },
        ),
    ];
    let mut sim = run(&spec, &cmds, US_PER_S);
    let txn = sim.snapshot().txn.unwrap();
    assert_eq!(txn.orders.len(), 1);
    use mqlab_engine::render::{TxnOutcome, TxnStep};
    let steps: Vec<TxnStep> = txn.orders[0].steps.iter().map(|s| s.1).collect();
    assert_eq!(
        steps,
        [TxnStep::HalfStored, TxnStep::OrderWritten, TxnStep::Crashed]
    );
    assert_eq!(txn.orders[0].outcome, TxnOutcome::InProgress);
    assert_eq!(
        sim.snapshot().queues[0].len,
        0,
        "nothing visible in the queue"
    );
    // After the check-back (5 s) the order is found and the message committed.
    sim.run_until(10 * US_PER_S);
    mqlab_engine::invariants::check_full(&sim).unwrap();
    let txn = sim.snapshot().txn.unwrap();
    let steps: Vec<TxnStep> = txn.orders[0].steps.iter().map(|s| s.1).collect();
    assert_eq!(
        &steps[3..],
        [
            TxnStep::CheckBack,
            TxnStep::Committed,
            TxnStep::StockDeducted
        ]
    );
    assert_eq!(txn.orders[0].outcome, TxnOutcome::Consistent);
    let check_at = txn.orders[0].steps[3].0;
    let stored_at = txn.orders[0].steps[0].0;
    assert_eq!(
        check_at - stored_at,
        5 * US_PER_S,
        "check-back after check_back_s"
    );
    let _ = US_PER_MS;
}

#[test]
fn a_still_running_insert_answers_unknown_and_is_asked_again() {
    let mut spec = spec_of(
        "transaction",
        &[("method", "half_message"), ("rate_per_s", "0")],
    );
    let t = spec.txn.as_mut().unwrap();
    t.local_tx_us = 3 * US_PER_S;
    t.check_back_us = US_PER_S;
    let cmds = [
        common::at(0, Action::CrashProducerAfterDb { producer: P.into() }),
        common::at(
            0,
            Action::Produce {
                producer: P.into(),
                count: 1,
            },
        ),
    ];
    let sim = run(&spec, &cmds, 10 * US_PER_S);
    let steps: Vec<_> = sim.snapshot().txn.unwrap().orders[0]
        .steps
        .iter()
        .map(|s| s.1)
        .collect();
    use mqlab_engine::render::TxnStep::*;
    assert_eq!(steps[..3], [HalfStored, CheckBack, CheckUnknown]);
    assert!(
        steps.ends_with(&[CheckBack, Committed, StockDeducted]),
        "{steps:?}"
    );
}

#[test]
fn a_crash_command_for_a_producer_without_orders_is_refused() {
    let spec = spec_of("seckill-queue", &[]);
    let mut sim = mqlab_engine::Sim::new(&spec, 1).unwrap();
    let err = sim
        .schedule(common::at(
            0,
            Action::FailLocalTx {
                producer: "buyers".into(),
            },
        ))
        .unwrap_err();
    assert!(err.contains("no orders in a local transaction"), "{err}");
}

#[test]
fn a_crash_stays_on_the_timeline_while_plain_orders_stream_past() {
    let spec = spec_of("transaction", &[("method", "db_then_send")]);
    let cmds = [common::at(
        0,
        Action::CrashProducerAfterDb { producer: P.into() },
    )];
    // Twenty orders later the crashed first one is still shown.
    let sim = run(&spec, &cmds, 20 * US_PER_S);
    let txn = sim.snapshot().txn.unwrap();
    use mqlab_engine::render::TxnOutcome;
    assert_eq!(txn.orders.len(), mqlab_engine::model::txn::TIMELINE_ORDERS);
    assert!(
        txn.orders
            .iter()
            .any(|o| o.outcome == TxnOutcome::OrderWithoutMessage),
        "{txn:?}"
    );
    assert!(
        txn.orders.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );
}

#[test]
fn a_broker_that_is_down_checks_back_once_it_is_up_again() {
    let spec = spec_of(
        "transaction",
        &[("method", "half_message"), ("rate_per_s", "0")],
    );
    let restart_us = spec.broker.restart_us;
    let cmds = [
        common::at(0, Action::CrashProducerAfterDb { producer: P.into() }),
        common::at(
            0,
            Action::Produce {
                producer: P.into(),
                count: 1,
            },
        ),
        // Down over the moment of the check-back (5 s after the half message).
        common::at(5 * US_PER_S, Action::CrashBroker),
    ];
    let sim = run(&spec, &cmds, 5 * US_PER_S + restart_us + 10 * US_PER_S);
    let o = &sim.snapshot().txn.unwrap().orders[0];
    use mqlab_engine::render::{TxnOutcome, TxnStep};
    assert_eq!(o.outcome, TxnOutcome::Consistent, "{o:?}");
    let asked: Vec<_> = o
        .steps
        .iter()
        .filter(|s| s.1 == TxnStep::CheckBack)
        .collect();
    assert_eq!(asked.len(), 1, "asked once, after the restart: {o:?}");
    assert!(
        asked[0].0 >= 5 * US_PER_S + restart_us,
        "after the restart: {o:?}"
    );
}
