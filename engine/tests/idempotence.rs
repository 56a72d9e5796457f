//! The idempotence scenario's "done when": where duplicates come from
//! (the network, a lost confirm, a consumer crash), what each strategy
//! does with them, the dedupe key's TTL edge and its two marks. Every
//! check runs through the library and through the `mqlab-sim` binary
//! (`run idempotence --set k=v ... --until ...`, faults from a
//! `--commands` file), and both must agree.
//!
//! The crash checks find their crash times from the run itself: the
//! snapshot says whether the consumer is working on an order before its
//! effect (the first half of the work) or between the effect and the ack
//! (the second half), so each window is hit deterministically.

mod common;

use std::collections::BTreeMap;

use common::{at, run, spec_of, Outcome};
use mqlab_engine::scenario::find;
use mqlab_engine::time::{TimeUs, US_PER_MS, US_PER_S};
use mqlab_engine::{Action, Cause, MsgState, Sim};

fn via_library(settings: &[(&str, &str)], faults: &[(u64, Action)], until_s: u64) -> Outcome {
    common::via_library("idempotence", settings, faults, until_s)
}

fn via_cli(settings: &[(&str, &str)], faults: &[(u64, Action)], until_s: u64) -> Outcome {
    common::via_cli("idempotence", settings, faults, until_s)
}

/// Runs through both and checks they agree; returns the outcome.
fn both(settings: &[(&str, &str)], faults: &[(u64, Action)], until_s: u64) -> Outcome {
    let lib = via_library(settings, faults, until_s);
    let cli = via_cli(settings, faults, until_s);
    assert_eq!(lib, cli, "{settings:?} {faults:?}: library and CLI differ");
    // The account always adds up: actual - expected = 10 x (doubled - lost).
    let (e, a) = (lib.fact("points_expected"), lib.fact("points_actual"));
    assert_eq!(
        a - e,
        10.0 * (lib.fact("double_applied") - lib.fact("lost_effects")),
        "{settings:?}: {lib:?}"
    );
    assert_eq!(a, 10.0 * lib.fact("effects_applied"));
    lib
}

fn crash() -> Action {
    Action::CrashConsumer {
        group: "consumer".into(),
    }
}

fn drop_confirm() -> Action {
    Action::DropNextConfirm {
        producer: "producer".into(),
    }
}

#[test]
fn without_a_guard_duplicates_add_points_twice_and_the_unique_key_stops_them() {
    let none = both(&[("strategy", "none"), ("duplicate_rate", "20")], &[], 30);
    assert!(none.fact("duplicates") > 0.0, "{none:?}");
    assert!(none.fact("double_applied") > 0.0, "{none:?}");
    assert!(none.fact("points_actual") > none.fact("points_expected"));
    assert_eq!(none.fact("lost_effects"), 0.0);

    let unique = both(
        &[("strategy", "unique_key"), ("duplicate_rate", "20")],
        &[],
        30,
    );
    assert!(unique.fact("duplicates") > 0.0, "{unique:?}");
    assert_eq!(unique.fact("double_applied"), 0.0, "{unique:?}");
    assert_eq!(unique.fact("lost_effects"), 0.0, "{unique:?}");
    assert!(unique.fact("skipped_duplicates") > 0.0, "{unique:?}");
    assert_eq!(unique.fact("points_actual"), unique.fact("points_expected"));
    assert_eq!(unique.fact("dedupe_keys"), 0.0, "no Redis involved");

    // The chapter's fix with its hour-long key catches them too.
    for mark in ["before", "after"] {
        let dedupe = both(
            &[
                ("strategy", "dedupe"),
                ("mark", mark),
                ("duplicate_rate", "20"),
            ],
            &[],
            30,
        );
        assert_eq!(dedupe.fact("double_applied"), 0.0, "{mark}: {dedupe:?}");
        assert_eq!(dedupe.fact("lost_effects"), 0.0, "{mark}: {dedupe:?}");
        assert!(dedupe.fact("dedupe_keys") > 0.0);
    }
}

#[test]
fn a_dedupe_key_that_expires_before_the_duplicate_comes_lets_it_through() {
    for mark in ["before", "after"] {
        let short = both(
            &[
                ("strategy", "dedupe"),
                ("mark", mark),
                ("duplicate_rate", "20"),
                ("ttl_s", "5"),
                ("redelivery_delay_s", "10"),
            ],
            &[],
            60,
        );
        assert!(short.fact("double_applied") > 0.0, "{mark}: {short:?}");
        assert_eq!(short.fact("lost_effects"), 0.0);
        let long = both(
            &[
                ("strategy", "dedupe"),
                ("mark", mark),
                ("duplicate_rate", "20"),
                ("ttl_s", "20"),
                ("redelivery_delay_s", "10"),
            ],
            &[],
            60,
        );
        assert_eq!(long.fact("double_applied"), 0.0, "{mark}: {long:?}");
        assert_eq!(long.fact("lost_effects"), 0.0);
        assert!(long.fact("skipped_duplicates") > 0.0, "{mark}: {long:?}");
        // The keys live ttl_s: a 5 s key holds about 5 s of orders.
        assert!(short.fact("dedupe_keys") < long.fact("dedupe_keys"));
    }
}

/// Where the consumer's work is at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    /// Working on an order, its points not added yet.
    BeforeEffect,
    /// Its points added, not acked yet.
    AfterEffect,
}

fn phase_of(sim: &Sim) -> Phase {
    let view = sim.snapshot().idempotence.expect("watched");
    match view.in_work.iter().find(|w| !w.skipping) {
        None => Phase::Idle,
        Some(w) if w.effect_done => Phase::AfterEffect,
        Some(_) => Phase::BeforeEffect,
    }
}

fn phase_at(settings: &[(&str, &str)], t_ms: u64) -> Phase {
    phase_of(&run(
        &spec_of("idempotence", settings),
        &[],
        t_ms * US_PER_MS,
    ))
}

/// Crash times (ms) well inside each window of the first orders: the
/// phase is the same 10 ms either side.
fn crash_times(settings: &[(&str, &str)]) -> BTreeMap<&'static str, Vec<u64>> {
    let mut out: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut t = 2_000;
    while t < 8_000 {
        let p = phase_at(settings, t);
        if p != Phase::Idle && p == phase_at(settings, t - 10) && p == phase_at(settings, t + 10) {
            let key = if p == Phase::BeforeEffect {
                "before_effect"
            } else {
                "after_effect"
            };
            let times = out.entry(key).or_default();
            // Two per window kind, from different orders.
            if times.last().is_none_or(|l| t > l + 300) && times.len() < 2 {
                times.push(t);
            }
        }
        t += 10;
    }
    out
}

#[test]
fn a_crash_before_the_effect_or_between_it_and_the_ack_does_what_each_strategy_says() {
    // Without network duplicates the crash is the only source, and the
    // schedule is the same for every strategy until it.
    let base = [("duplicate_rate", "0")];
    let times = crash_times(&base);
    assert_eq!(times["before_effect"].len(), 2, "{times:?}");
    assert_eq!(times["after_effect"].len(), 2, "{times:?}");

    struct Case {
        settings: &'static [(&'static str, &'static str)],
        window: &'static str,
        doubled: bool,
        lost: bool,
    }
    let cases = [
        // No guard: a crash after the points redelivers and adds them again.
        Case {
            settings: &[("strategy", "none")],
            window: "after_effect",
            doubled: true,
            lost: false,
        },
        Case {
            settings: &[("strategy", "none")],
            window: "before_effect",
            doubled: false,
            lost: false,
        },
        // The unique key: never doubled, never lost.
        Case {
            settings: &[("strategy", "unique_key")],
            window: "after_effect",
            doubled: false,
            lost: false,
        },
        Case {
            settings: &[("strategy", "unique_key")],
            window: "before_effect",
            doubled: false,
            lost: false,
        },
        // The chapter's key before the work: a crash mid-work loses the
        // order's points (the redelivery finds the key)...
        Case {
            settings: &[("strategy", "dedupe"), ("mark", "before")],
            window: "before_effect",
            doubled: false,
            lost: true,
        },
        // ...and hides a crash after the points, correctly.
        Case {
            settings: &[("strategy", "dedupe"), ("mark", "before")],
            window: "after_effect",
            doubled: false,
            lost: false,
        },
        // The key after the work: a crash between the points and the key
        // lets the redelivery add them again...
        Case {
            settings: &[("strategy", "dedupe"), ("mark", "after")],
            window: "after_effect",
            doubled: true,
            lost: false,
        },
        // ...and a crash before the points loses nothing.
        Case {
            settings: &[("strategy", "dedupe"), ("mark", "after")],
            window: "before_effect",
            doubled: false,
            lost: false,
        },
        // The silent loss lasts only the TTL: a key shorter than the
        // consumer's restart has expired when the order is redelivered.
        Case {
            settings: &[("strategy", "dedupe"), ("mark", "before"), ("ttl_s", "1")],
            window: "before_effect",
            doubled: false,
            lost: false,
        },
    ];
    for c in &cases {
        let mut settings: Vec<(&str, &str)> = base.to_vec();
        settings.extend_from_slice(c.settings);
        for &t in &times[c.window] {
            let what = format!("{:?} crash at {t}ms ({})", c.settings, c.window);
            let expect_phase = if c.window == "before_effect" {
                Phase::BeforeEffect
            } else {
                Phase::AfterEffect
            };
            assert_eq!(phase_at(&settings, t), expect_phase, "{what}");
            let o = both(&settings, &[(t, crash())], 20);
            assert!(o.fact("redelivered") >= 1.0, "{what}: {o:?}");
            assert_eq!(o.fact("double_applied") > 0.0, c.doubled, "{what}: {o:?}");
            assert_eq!(o.fact("lost_effects") > 0.0, c.lost, "{what}: {o:?}");
            if c.lost {
                assert_eq!(o.fact("lost_effects"), 1.0, "{what}: {o:?}");
                assert_eq!(
                    o.lost_by_cause,
                    BTreeMap::from([(Cause::DedupeKeyBeforeCrash.as_str().to_string(), 1)]),
                    "{what}"
                );
            } else {
                assert!(o.lost_by_cause.is_empty(), "{what}: {o:?}");
            }
        }
    }
}

#[test]
fn a_lost_confirm_makes_a_re_send_with_the_same_id() {
    let base = [("duplicate_rate", "0")];
    let fault = [(3_100, drop_confirm())];
    let none = both(&[base[0], ("strategy", "none")], &fault, 20);
    assert_eq!(none.fact("duplicates"), 1.0, "{none:?}");
    assert_eq!(none.fact("double_applied"), 1.0, "{none:?}");
    for strategy in ["unique_key", "dedupe"] {
        let o = both(&[base[0], ("strategy", strategy)], &fault, 20);
        assert_eq!(o.fact("duplicates"), 1.0, "{strategy}: {o:?}");
        assert_eq!(o.fact("double_applied"), 0.0, "{strategy}: {o:?}");
        assert_eq!(o.fact("skipped_duplicates"), 1.0, "{strategy}: {o:?}");
        assert_eq!(o.fact("lost_effects"), 0.0, "{strategy}: {o:?}");
    }
}

/// The defaults are unsafe: a learner sees points added twice within
/// seconds, and nothing is lost without a fault.
#[test]
fn the_defaults_double_count_quickly() {
    let o = via_library(&[], &[], 10);
    assert!(o.fact("double_applied") >= 1.0, "{o:?}");
    assert!(o.fact("points_actual") > o.fact("points_expected"), "{o:?}");
    assert_eq!(o.fact("lost"), 0.0);
}

#[test]
fn no_fault_no_loss_whatever_the_settings() {
    for strategy in ["none", "unique_key", "dedupe"] {
        for mark in ["before", "after"] {
            for ttl in ["1", "3600"] {
                let s = [
                    ("strategy", strategy),
                    ("mark", mark),
                    ("ttl_s", ttl),
                    ("duplicate_rate", "50"),
                ];
                let sim = run(&spec_of("idempotence", &s), &[], 30 * US_PER_S);
                let l = sim.ledger();
                assert_eq!(l.count(MsgState::Lost), 0, "{s:?}");
                assert_eq!(l.count(MsgState::Rejected), 0, "{s:?}");
                let f: BTreeMap<_, _> = find("idempotence")
                    .unwrap()
                    .read_facts(&sim)
                    .into_iter()
                    .collect();
                assert_eq!(f["lost_effects"], 0.0, "{s:?}");
            }
        }
    }
}

/// A long run keeps bounded state: the dedupe keys of one TTL, and the
/// orders still in the system.
#[test]
fn dedupe_keys_and_watched_orders_stay_bounded() {
    let spec = spec_of(
        "idempotence",
        &[
            ("strategy", "dedupe"),
            ("ttl_s", "5"),
            ("duplicate_rate", "50"),
        ],
    );
    let until: TimeUs = 600 * US_PER_S;
    let sim = run(&spec, &[], until);
    let v = sim.snapshot().idempotence.unwrap();
    // Two orders a second (their copies are not new keys), five seconds each.
    assert!(v.dedupe_keys <= 11, "{v:?}");
    assert!(v.dedupe_keys_max <= 11, "{v:?}");
    assert!(v.keys_expired >= 1_100, "{v:?}");
    assert_eq!(v.newest_keys.len(), 8);
    assert!(v
        .newest_keys
        .windows(2)
        .all(|w| w[0].expires_us >= w[1].expires_us));
    assert!(v.newest_keys.iter().all(|k| k.expires_us > until));
    // Expected against actual, as the UI shows them.
    assert_eq!(v.expected_effects(), v.orders_applied + v.lost_effects);
    assert_eq!(v.double_applied, 0, "5 s keys outlive the 3 s delay: {v:?}");
    assert!(v.skipped_duplicates > 500, "{v:?}");
}

/// The snapshot shows how far the consumer got with the order it holds.
#[test]
fn the_snapshot_shows_the_key_and_the_effect_of_the_order_in_work() {
    let s = [
        ("strategy", "dedupe"),
        ("mark", "before"),
        ("duplicate_rate", "0"),
    ];
    let times = crash_times(&s);
    let spec = spec_of("idempotence", &s);
    let before = run(&spec, &[], times["before_effect"][0] * US_PER_MS).snapshot();
    let w = before.idempotence.unwrap().in_work[0];
    assert!(w.key_set && !w.effect_done && !w.skipping, "{w:?}");
    assert_eq!(w.order, w.msg_id, "an original is its own order");
    let after = run(&spec, &[], times["after_effect"][0] * US_PER_MS).snapshot();
    let w = after.idempotence.unwrap().in_work[0];
    assert!(w.key_set && w.effect_done, "{w:?}");
    // With the key after the work, it is not written yet.
    let s = [
        ("strategy", "dedupe"),
        ("mark", "after"),
        ("duplicate_rate", "0"),
    ];
    let after = run(
        &spec_of("idempotence", &s),
        &[],
        times["after_effect"][0] * US_PER_MS,
    )
    .snapshot();
    let w = after.idempotence.unwrap().in_work[0];
    assert!(!w.key_set && w.effect_done, "{w:?}");
    // Other scenarios have no idempotence view.
    assert!(run(&spec_of("reliability", &[]), &[], US_PER_S)
        .snapshot()
        .idempotence
        .is_none());
}

#[test]
fn describe_names_every_parameter_and_fact() {
    let out = mqlab_engine::cli::run(
        &["describe".to_string(), "idempotence".to_string()],
        &|_| Err("no files".into()),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for row in [
        "strategy\t-\tnone|unique_key|dedupe\tnone\trestart\t",
        "mark\t-\tbefore|after\tbefore\trestart\t",
        "duplicate_rate\tpct\t0..50\t20\trestart\t",
        "ttl_s\ts\t1..3600\t3600\trestart\t",
        "redelivery_delay_s\ts\t0.5..600\t3\trestart\t",
        "rate_per_s\tper_s\t0..5\t2\tyes\t",
        "work_ms\tms\t100..2000\t300\tyes\t",
    ] {
        assert!(
            out.stdout.lines().any(|l| l.starts_with(row)),
            "{row:?} in\n{}",
            out.stdout
        );
    }
    for f in find("idempotence").unwrap().facts {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.starts_with(&format!("{}\t", f.key))),
            "{}",
            f.key
        );
    }
}

/// The dedupe store, the effects and the copies in work are part of a
/// checkpoint: a clone continues exactly as the original, and a fault
/// given live is the same run as the one scheduled up front.
#[test]
fn a_checkpoint_and_a_live_fault_give_the_same_run() {
    let spec = spec_of(
        "idempotence",
        &[
            ("strategy", "dedupe"),
            ("mark", "before"),
            ("ttl_s", "4"),
            ("duplicate_rate", "40"),
        ],
    );
    let crash_at: TimeUs = 6_210 * US_PER_MS;
    let until: TimeUs = 30 * US_PER_S;
    let scheduled = run(&spec, &[at(crash_at, crash())], until);

    let mut live = Sim::new(&spec, 1).unwrap();
    live.run_until(5 * US_PER_S);
    let mut checkpoint = live.clone();
    for sim in [&mut live, &mut checkpoint] {
        sim.run_until(crash_at);
        sim.apply(crash()).unwrap();
        sim.run_until(until);
    }
    assert_eq!(live.trace_hash(), scheduled.trace_hash());
    assert_eq!(checkpoint.trace_hash(), scheduled.trace_hash());
    assert_eq!(
        checkpoint.snapshot().idempotence,
        scheduled.snapshot().idempotence
    );
    // Another seed draws other network duplicates.
    let mut other = Sim::new(&spec, 2).unwrap();
    other.run_until(until);
    assert_ne!(other.trace_hash(), scheduled.trace_hash());
}
