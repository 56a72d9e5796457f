//! The dlq scenario's "done when": with a dead-letter queue every poison
//! message is dead-lettered after exactly `max_retries + 1` deliveries;
//! without one nothing is dead-lettered and the healthy messages get
//! through slower; the fix plus a redrive empties the dead-letter queue and
//! the redriven messages complete. Every check runs through the library
//! and through the `mqlab-sim` binary (`run dlq --set k=v ... --until ...`,
//! commands from a `--commands` file), and both must agree.

mod common;

use common::{at, run, spec_of, via_cli, via_library, Outcome};
use mqlab_engine::invariants::check_full;
use mqlab_engine::scenario::find;
use mqlab_engine::spec::Backoff;
use mqlab_engine::time::{TimeUs, US_PER_MS, US_PER_S};
use mqlab_engine::{Action, Cause, MsgState, Sim};

/// Runs through both and checks they agree; returns the outcome.
fn both(settings: &[(&str, &str)], cmds: &[(u64, Action)], until_s: u64) -> Outcome {
    let lib = via_library("dlq", settings, cmds, until_s);
    let cli = via_cli("dlq", settings, cmds, until_s);
    // The same numbers (a mean may differ in its last digit: the test
    // reads the CLI's JSON back without float round-tripping).
    let keys = |o: &Outcome| o.facts.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&lib), keys(&cli));
    for (k, v) in &lib.facts {
        let c = cli.facts[k];
        assert!(
            (v - c).abs() <= 1e-9 * v.abs().max(1.0),
            "{settings:?} {cmds:?}: {k} is {v} in the library, {c} from the CLI"
        );
    }
    assert_eq!(lib.lost_by_cause, cli.lost_by_cause);
    lib
}

fn deploy_fix() -> Action {
    Action::DeployFix {
        group: "workers".into(),
    }
}

fn redrive() -> Action {
    Action::Redrive {
        queue: "orders".into(),
    }
}

#[test]
fn with_a_dlq_every_poison_message_is_dead_lettered_after_exactly_four_deliveries() {
    for backoff in ["none", "fixed", "exponential"] {
        let o = both(
            &[("dlq", "true"), ("max_retries", "3"), ("backoff", backoff)],
            &[],
            60,
        );
        assert!(o.fact("dead_lettered") >= 10.0, "{backoff}: {o:?}");
        assert_eq!(o.fact("dead_letter_deliveries_min"), 4.0, "{backoff}");
        assert_eq!(o.fact("dead_letter_deliveries_max"), 4.0, "{backoff}");
        // Each dead letter cost four failed deliveries of a poison message
        // (a few more are in work or waiting to be tried again).
        assert!(o.fact("poison_deliveries") >= 4.0 * o.fact("dead_lettered"));
        assert!(o.fact("poison_deliveries") <= 4.0 * o.fact("dead_lettered") + 20.0);
        assert_eq!(o.fact("dlq_len"), o.fact("dead_lettered"));
        assert_eq!(o.fact("lost"), 0.0);
    }
    // Another limit, the same rule: max_retries + 1 deliveries.
    let o = both(&[("max_retries", "1"), ("poison_rate", "30")], &[], 30);
    assert_eq!(o.fact("dead_letter_deliveries_min"), 2.0);
    assert_eq!(o.fact("dead_letter_deliveries_max"), 2.0);
    let o = both(&[("max_retries", "0")], &[], 30);
    assert_eq!(o.fact("dead_letter_deliveries_max"), 1.0, "no retry at all");
}

#[test]
fn without_a_dlq_nothing_is_dead_lettered_and_the_healthy_messages_pay() {
    let with = both(&[("dlq", "true")], &[], 60);
    let without = both(&[("dlq", "false")], &[], 60);
    assert_eq!(without.fact("dead_lettered"), 0.0);
    assert_eq!(without.fact("dlq_len"), 0.0);
    assert_eq!(without.fact("dead_letter_deliveries_max"), 0.0);
    assert!(
        without.fact("healthy_done") < with.fact("healthy_done"),
        "{without:?} vs {with:?}"
    );
    assert!(without.fact("healthy_latency_ms") > 2.0 * with.fact("healthy_latency_ms"));
    // The poison keeps coming back: far more deliveries of it.
    assert!(without.fact("poison_deliveries") > 2.0 * with.fact("poison_deliveries"));
    // Retried at the head at once, the poison takes the workers for good.
    let stuck = both(&[("dlq", "false"), ("backoff", "none")], &[], 60);
    assert!(
        stuck.fact("healthy_done") < with.fact("healthy_done") / 4.0,
        "{stuck:?}"
    );
    assert_eq!(stuck.fact("dead_lettered"), 0.0);
}

#[test]
fn the_fix_and_a_redrive_empty_the_dlq_and_the_redriven_messages_complete() {
    let o = both(&[], &[(30_000, deploy_fix()), (31_000, redrive())], 60);
    assert!(o.fact("redriven") >= 5.0, "{o:?}");
    assert_eq!(o.fact("dlq_len"), 0.0);
    assert_eq!(o.fact("redriven_done"), o.fact("redriven"));
    assert_eq!(o.fact("lost"), 0.0);
    // Nothing dead-lettered after the fix: the count is what was redriven.
    assert_eq!(o.fact("dead_lettered"), o.fact("redriven"));
    // A redrive before the fix sends the poison straight back, each copy
    // after another four deliveries.
    let early = both(&[], &[(30_000, redrive())], 60);
    assert!(early.fact("redriven") >= 5.0);
    assert_eq!(early.fact("redriven_done"), 0.0, "{early:?}");
    assert!(early.fact("dead_lettered") > early.fact("redriven"));
    assert_eq!(early.fact("dead_letter_deliveries_max"), 4.0);
}

#[test]
fn a_dead_letter_carries_its_delivery_count_and_its_deaths() {
    let spec = spec_of("dlq", &[("poison_rate", "30")]);
    let cmds = [at(20 * US_PER_S, redrive())];
    let sim = run(&spec, &cmds, 45 * US_PER_S);
    let view = sim.snapshot().retry.expect("a retry view");
    assert_eq!(view.max_retries, 3);
    assert_eq!(view.backoff, Backoff::Fixed);
    assert!(view.dead_letter && !view.fixed);
    assert_eq!(view.dlq_len, sim.ledger().count(MsgState::DeadLettered));
    assert!(!view.newest.is_empty() && view.newest.len() <= 8);
    assert!(view.newest.iter().all(|d| d.deliveries == 4));
    assert!(
        view.newest.iter().any(|d| d.deaths == 2),
        "a redriven poison message dies twice: {:?}",
        view.newest
    );
    assert!(view.newest.windows(2).all(|w| w[0].at_us >= w[1].at_us));
}

#[test]
fn a_full_dlq_drops_with_its_own_cause() {
    let mut spec = spec_of("dlq", &[("poison_rate", "50"), ("backoff", "none")]);
    spec.retry.as_mut().unwrap().dlq_capacity = 5;
    let sim = run(&spec, &[], 30 * US_PER_S);
    let l = sim.ledger();
    assert_eq!(l.count(MsgState::DeadLettered), 5);
    assert!(l.lost_by_cause.get(&Cause::DeadLetterQueueFull) > Some(&0));
    assert_eq!(sim.snapshot().retry.unwrap().dlq_len, 5);
}

/// A consumer crash returns what it held; a message returned after its
/// last allowed delivery is dead-lettered then, so no message is ever
/// delivered more than max_retries + 1 times (checked after every crash).
#[test]
fn crashes_never_push_a_message_past_its_delivery_limit() {
    let spec = spec_of(
        "dlq",
        &[
            ("poison_rate", "40"),
            ("backoff", "none"),
            ("work_ms", "300"),
        ],
    );
    let mut sim = Sim::new(&spec, 3).unwrap();
    for i in 1..40u64 {
        sim.run_until(i * 700 * US_PER_MS + 123);
        sim.apply(Action::CrashConsumer {
            group: "workers".into(),
        })
        .unwrap();
        sim.run_until(i * 700 * US_PER_MS + 200);
        check_full(&sim).unwrap();
    }
    let f: std::collections::BTreeMap<_, _> =
        find("dlq").unwrap().read_facts(&sim).into_iter().collect();
    assert_eq!(f["dead_letter_deliveries_min"], 4.0);
    assert_eq!(f["dead_letter_deliveries_max"], 4.0);
}

#[test]
fn no_poison_no_dead_letters_and_memory_stays_bounded() {
    let o = both(&[("poison_rate", "0"), ("transient_rate", "20")], &[], 60);
    assert!(o.fact("retries") > 0.0);
    assert_eq!(o.fact("poison_deliveries"), 0.0);
    assert_eq!(o.fact("healthy_done"), o.fact("done"));
    // An hour without a DLQ: the poison retried for ever stays as many
    // live messages as were made, and the ledger frees everything else.
    let spec = spec_of("dlq", &[("dlq", "false"), ("backoff", "exponential")]);
    let sim = run(&spec, &[], 600 * US_PER_S);
    assert!(sim.ledger().live() < 1_000, "{:?}", sim.ledger());
}

#[test]
fn describe_names_every_parameter_and_fact() {
    let out = mqlab_engine::cli::run(&["describe".to_string(), "dlq".to_string()], &|_| {
        Err("no files".into())
    });
    assert_eq!(out.code, 0, "{}", out.stderr);
    for row in [
        "poison_rate\tpct\t0..50\t10\trestart\t",
        "transient_rate\tpct\t0..50\t10\trestart\t",
        "max_retries\t-\t0..10\t3\trestart\t",
        "backoff\t-\tnone|fixed|exponential\tfixed\trestart\t",
        "dlq\t-\ton|off\ton\trestart\t",
        "rate_per_s\tper_s\t0..20\t5\tyes\t",
        "work_ms\tms\t50..1000\t200\tyes\t",
        "consumers\t-\t1..4\t2\tyes\t",
    ] {
        assert!(
            out.stdout.lines().any(|l| l.starts_with(row)),
            "{row:?} in\n{}",
            out.stdout
        );
    }
    for f in find("dlq").unwrap().facts {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.starts_with(&format!("{}\t", f.key))),
            "{}",
            f.key
        );
    }
}

/// The retry state is part of a checkpoint, and a command given live is
/// the same run as one scheduled up front.
#[test]
fn a_checkpoint_and_live_commands_give_the_same_run() {
    let spec = spec_of("dlq", &[("backoff", "exponential"), ("poison_rate", "25")]);
    let (fix_at, redrive_at): (TimeUs, TimeUs) = (12 * US_PER_S, 14 * US_PER_S);
    let until = 30 * US_PER_S;
    let scheduled = run(
        &spec,
        &[at(fix_at, deploy_fix()), at(redrive_at, redrive())],
        until,
    );
    let mut live = Sim::new(&spec, 1).unwrap();
    live.run_until(5 * US_PER_S);
    let mut checkpoint = live.clone();
    for sim in [&mut live, &mut checkpoint] {
        sim.run_until(fix_at);
        sim.apply(deploy_fix()).unwrap();
        sim.run_until(redrive_at);
        sim.apply(redrive()).unwrap();
        sim.run_until(until);
    }
    assert_eq!(live.trace_hash(), scheduled.trace_hash());
    assert_eq!(checkpoint.trace_hash(), scheduled.trace_hash());
    assert_eq!(checkpoint.snapshot().retry, scheduled.snapshot().retry);
    // Commands name nodes that exist.
    let mut sim = Sim::new(&spec, 1).unwrap();
    assert!(sim
        .apply(Action::Redrive {
            queue: "nowhere".into()
        })
        .unwrap_err()
        .contains("no queue named"));
}
