//! The ordering scenario's "done when": competing consumers break per-user
//! order, partitions keyed by the user keep it (another key does not), a
//! single consumer keeps it at a throughput cost, and with one step held
//! up on the network the naive re-ordering buffer breaks order while the
//! one that waits for gaps does not (unless its timeout is shorter than
//! the hold-up). Every check runs through the library and through the
//! `mqlab-sim` binary (`run ordering --set k=v ... --commands FILE`), and
//! both must agree.

mod common;

use std::collections::BTreeMap;
use std::process::Command as Process;

use common::{at, run, spec_of};
use mqlab_engine::scenario::find;
use mqlab_engine::time::{TimeUs, US_PER_S};
use mqlab_engine::Action;

const UNTIL_S: u64 = 60;
/// When the fault is given, and how long the step is held up.
const DELAY_AT_S: u64 = 10;
const DELAY_US: TimeUs = 3 * US_PER_S;

type Facts = BTreeMap<String, f64>;

fn delay() -> Action {
    Action::DelayNextPublish {
        producer: "shop".into(),
        delay_us: DELAY_US,
    }
}

fn via_library(settings: &[(&str, &str)], delayed: bool) -> Facts {
    let cmds: Vec<_> = delayed
        .then(|| at(DELAY_AT_S * US_PER_S, delay()))
        .into_iter()
        .collect();
    let sim = run(&spec_of("ordering", settings), &cmds, UNTIL_S * US_PER_S);
    let def = find("ordering").unwrap();
    def.read_facts(&sim)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn via_cli(settings: &[(&str, &str)], delayed: bool) -> Facts {
    let mut p = Process::new(env!("CARGO_BIN_EXE_mqlab-sim"));
    p.args(["run", "ordering", "--seed", "1", "--until"])
        .arg(format!("{UNTIL_S}s"));
    for (k, v) in settings {
        p.args(["--set", &format!("{k}={v}")]);
    }
    let file = delayed.then(|| {
        let name: String = settings.iter().map(|(k, v)| format!("-{k}{v}")).collect();
        let path = std::env::temp_dir().join(format!(
            "mqlab-ordering-{}{name}.json",
            std::process::id()
        ));
        let cmds = format!(
            r#"[{{"at":"{DELAY_AT_S}s","do":"delay_next_publish","producer":"shop","delay_us":{DELAY_US}}}]"#
        );
        std::fs::write(&path, cmds).unwrap();
        path
    });
    if let Some(f) = &file {
        p.arg("--commands").arg(f);
    }
    let out = p.output().unwrap();
    if let Some(f) = file {
        let _ = std::fs::remove_file(f);
    }
    common::cli_facts_and_losses(&out).0
}

/// Runs through both, checks they agree and that nothing was lost.
fn both(settings: &[(&str, &str)], delayed: bool) -> Facts {
    let lib = via_library(settings, delayed);
    let cli = via_cli(settings, delayed);
    // The CLI prints floats through JSON: equal to the last few digits.
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
    assert!(
        lib.len() == cli.len()
            && lib
                .iter()
                .all(|(k, v)| cli.get(k).is_some_and(|c| close(*v, *c))),
        "{settings:?}: library and CLI differ\n{lib:?}\n{cli:?}"
    );
    assert!(lib["done"] > 0.0, "{settings:?}: {lib:?}");
    lib
}

fn violations(f: &Facts) -> f64 {
    f["order_violations"]
}

#[test]
fn competing_consumers_break_per_user_order() {
    let f = both(&[("strategy", "one_queue"), ("consumers", "4")], false);
    assert!(violations(&f) > 0.0, "{f:?}");
    assert!(f["order_violation_pct"] > 0.0 && f["order_violation_pct"] < 100.0);
    // One consumer on the same queue keeps order.
    let one = both(&[("strategy", "one_queue"), ("consumers", "1")], false);
    assert_eq!(violations(&one), 0.0, "{one:?}");
}

#[test]
fn partitions_keep_order_only_when_keyed_by_the_user() {
    let user = both(&[("strategy", "partition_by_key"), ("key", "user")], false);
    assert_eq!(violations(&user), 0.0, "{user:?}");
    for key in ["random", "order"] {
        let f = both(&[("strategy", "partition_by_key"), ("key", key)], false);
        assert!(violations(&f) > 0.0, "key={key}: {f:?}");
    }
}

#[test]
fn a_single_consumer_keeps_order_at_a_throughput_cost() {
    let single = both(&[("strategy", "single_consumer")], false);
    assert_eq!(violations(&single), 0.0, "{single:?}");
    let parts = both(
        &[("strategy", "partition_by_key"), ("partitions", "4")],
        false,
    );
    // The default load is more than one consumer handles: it falls behind.
    let def = find("ordering").unwrap();
    let rate = def.param("rate_per_s").unwrap().default;
    let work_ms = def.param("work_ms").unwrap().default;
    assert!(rate > 1000.0 / work_ms, "default load fits one consumer");
    assert!(
        single["throughput_per_s"] < 0.8 * parts["throughput_per_s"],
        "single {single:?} vs partitions {parts:?}"
    );
    assert!(single["queued"] > 100.0, "{single:?}");
    assert!(single["latency_ms"] > 10.0 * parts["latency_ms"]);
}

#[test]
fn with_a_step_held_up_sorting_the_buffer_breaks_order_and_waiting_does_not() {
    let naive = both(&[("strategy", "reorder_naive")], true);
    assert!(violations(&naive) > 0.0, "{naive:?}");
    assert!(naive["reorder_parked"] > 0.0);

    let wait = both(&[("strategy", "reorder_wait")], true);
    assert_eq!(violations(&wait), 0.0, "{wait:?}");
    assert_eq!(wait["reorder_timeouts"], 0.0);
    assert!(wait["reorder_parked"] > 0.0, "{wait:?}");
    // Some steps waited about as long as the hold-up.
    assert!(wait["reorder_wait_us_p99"] > 0.0, "{wait:?}");

    // A timeout shorter than the hold-up gives up on the gap: the late
    // step is applied after the ones that overtook it.
    let short = both(
        &[("strategy", "reorder_wait"), ("gap_timeout_ms", "1000")],
        true,
    );
    assert!(short["reorder_timeouts"] > 0.0, "{short:?}");
    assert!(violations(&short) > 0.0, "{short:?}");
}

#[test]
fn the_hold_up_alone_breaks_a_partitioned_run_too() {
    // Partitions keep the order the broker stored; a step the network
    // held up is stored after the ones that overtook it.
    let f = both(&[("strategy", "partition_by_key")], true);
    assert!(violations(&f) > 0.0, "{f:?}");
}

#[test]
fn the_buffer_stays_bounded_and_every_step_is_accounted_for() {
    // Ten busy minutes of each buffer after a hold-up: it never holds more
    // than its size (`run` checks every invariant), steps keep flowing, and
    // an overloaded queue rejects (its steps end, so no user waits forever).
    for s in ["reorder_naive", "reorder_wait"] {
        let spec = spec_of(
            "ordering",
            &[("strategy", s), ("rate_per_s", "100"), ("consumers", "8")],
        );
        let cmds = [at(5 * US_PER_S, delay())];
        let sim = run(&spec, &cmds, 600 * US_PER_S);
        let l = sim.ledger();
        assert_eq!(l.by_state.values().sum::<u64>(), l.total, "{s}");
        let def = find("ordering").unwrap();
        let facts: Facts = def
            .read_facts(&sim)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert!(facts["done"] + 50.0 > facts["produced"], "{s}: {facts:?}");
    }
    let spec = spec_of(
        "ordering",
        &[("strategy", "reorder_wait"), ("rate_per_s", "100")],
    );
    let sim = run(&spec, &[], 600 * US_PER_S);
    let l = sim.ledger();
    assert!(l.count(mqlab_engine::MsgState::Rejected) > 0, "{l:?}");
    assert!(l.count(mqlab_engine::MsgState::Done) > 40_000, "{l:?}");
}
