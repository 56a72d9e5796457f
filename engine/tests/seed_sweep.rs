//! Seed sweep: for many seeds, every built-in scenario with parameters drawn
//! from its own ranges (`ScenarioDef.params`), live slider changes through
//! its `live` mapping and injected faults, run to a bounded horizon with the
//! full invariant check along the way.
//!
//! A failure names the seed and the scenario. Reproduce one case with
//! `MQLAB_SWEEP_SEED=1234 cargo test -p mqlab-engine --test seed_sweep`;
//! sweep more with `MQLAB_SWEEP_SEEDS=5000`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use mqlab_engine::invariants::check_full;
use mqlab_engine::rng::SimRng;
use mqlab_engine::scenario::{builtins, ParamDef, ParamKind, Params, ScenarioDef};
use mqlab_engine::spec::{AckMode, Dispatch, ScenarioSpec, ROUND_ROBIN_PREFETCH};
use mqlab_engine::time::{TimeUs, US_PER_MS, US_PER_S};
use mqlab_engine::{Action, Cause, Command, MsgState, Sim};

const DEFAULT_SEEDS: u64 = 300;
/// Most messages a burst may create (keeps the sweep quick).
const MAX_BURST_MESSAGES: f64 = 8_000.0;
/// Highest steady rate drawn for high-volume scenarios (`comparison`), so a
/// run stays small; it still exceeds the lowest broker ceilings once the
/// message size is drawn too.
const MAX_SWEEP_RATE: f64 = 500.0;
/// Events between full invariant checks, and a cap per run.
const CHECK_EVERY: u64 = 1_500;
const MAX_EVENTS: u64 = 300_000;

/// A value for `d` drawn from its range, on its step grid.
fn draw(d: &ParamDef, rng: &mut SimRng) -> f64 {
    let v = match d.kind {
        ParamKind::Bool | ParamKind::Choice(_) => rng.below(d.max as u64 + 1) as f64,
        ParamKind::Int | ParamKind::Float => {
            // Log-uniform for wide ranges so small values come up too.
            let (lo, hi) = (d.min.max(d.step), d.max);
            let v = if hi / lo > 100.0 {
                lo * (hi / lo).powf(rng.unit_open0())
            } else {
                d.min + (d.max - d.min) * rng.unit_open0()
            };
            d.min + ((v - d.min) / d.step).round() * d.step
        }
    };
    let v = d.clamp(v);
    d.check(v).expect("drawn value in range")
}

/// Random parameters for `def`, with bursts capped so a run stays small.
fn draw_params(def: &ScenarioDef, rng: &mut SimRng) -> Params {
    let mut p = def.defaults();
    for d in def.params {
        p.set(d.key, draw(d, rng));
    }
    if let Some(rate) = def.param("rate_per_s") {
        if rate.max > 10.0 * MAX_SWEEP_RATE && p.get(rate.key) > MAX_SWEEP_RATE {
            p.set(rate.key, rate.clamp(MAX_SWEEP_RATE));
        }
    }
    if let (Some(rate), Some(ms)) = (def.param("burst_rate_per_s"), def.param("burst_ms")) {
        let max_ms = (MAX_BURST_MESSAGES * 1_000.0 / p.get(rate.key)).floor();
        if p.get(ms.key) > max_ms {
            p.set(ms.key, ms.clamp(max_ms));
            // Even the shortest burst may be too many: slow it down.
            let max_rate = MAX_BURST_MESSAGES * 1_000.0 / p.get(ms.key);
            p.set(rate.key, rate.clamp(p.get(rate.key).min(max_rate).floor()));
        }
    }
    p
}

struct Case {
    params: Params,
    commands: Vec<Command>,
    horizon: TimeUs,
    /// How every consumer group is dispatched to: the scenario's own policy,
    /// round-robin push, or prefetch `concurrency + n`.
    dispatch: DispatchTweak,
}

#[derive(Clone, Copy, Debug)]
enum DispatchTweak {
    AsBuilt,
    RoundRobin,
    ExtraPrefetch(u32),
}

/// The case's spec: the scenario's build with the dispatch tweak applied.
fn case_spec(def: &ScenarioDef, case: &Case) -> ScenarioSpec {
    let mut spec = (def.build)(&case.params);
    for c in &mut spec.consumers {
        match case.dispatch {
            DispatchTweak::AsBuilt => {}
            DispatchTweak::RoundRobin => c.dispatch = Dispatch::RoundRobin,
            DispatchTweak::ExtraPrefetch(n) => {
                c.prefetch = Some((c.concurrency + n).min(ROUND_ROBIN_PREFETCH))
            }
        }
    }
    spec
}

fn draw_case(def: &ScenarioDef, rng: &mut SimRng) -> Case {
    let params = draw_params(def, rng);
    let spec = (def.build)(&params);
    let horizon = (5 + rng.below(26)) * US_PER_S;
    let mut commands = Vec::new();
    let n = rng.below(12);
    for _ in 0..n {
        let at_us = rng.below(horizon);
        let pick = |rng: &mut SimRng, names: Vec<String>| -> Option<String> {
            (!names.is_empty()).then(|| names[rng.below(names.len() as u64) as usize].clone())
        };
        let producers = || spec.producers.iter().map(|p| p.name.clone()).collect();
        let groups = || spec.consumers.iter().map(|c| c.name.clone()).collect();
        let services = || spec.services.iter().map(|s| s.name.clone()).collect();
        let topics = || spec.topics.iter().map(|t| t.name.clone()).collect();
        let queues = || spec.queues.iter().map(|q| q.name.clone()).collect();
        let action = match rng.below(8) {
            // A slider move, through the scenario's own mapping.
            0..=2 => {
                let d = &def.params[rng.below(def.params.len() as u64) as usize];
                (def.live)(&params, d.key, draw(d, rng)).into_action()
            }
            3 => pick(rng, groups()).map(|group| Action::CrashConsumer { group }),
            4 => pick(rng, producers()).map(|producer| match rng.below(3) {
                0 => Action::DropNextPublish { producer },
                1 => Action::DropNextConfirm { producer },
                _ => Action::DelayNextPublish {
                    producer,
                    delay_us: rng.below(5 * US_PER_S),
                },
            }),
            5 => pick(rng, services()).map(|service| Action::SetServiceUp {
                service,
                up: rng.chance(0.5),
            }),
            // A queue with a retry policy: deploy the fix, or redrive.
            6 if spec.retry.is_some() => {
                if rng.chance(0.5) {
                    pick(rng, groups()).map(|group| Action::DeployFix { group })
                } else {
                    pick(rng, queues()).map(|queue| Action::Redrive { queue })
                }
            }
            // Attach or detach any queue to or from a topic, or replay a log.
            6 => match pick(rng, topics()) {
                Some(topic) => pick(rng, queues()).map(|queue| {
                    if rng.chance(0.5) {
                        Action::Subscribe { topic, queue }
                    } else {
                        Action::Unsubscribe { topic, queue }
                    }
                }),
                None => pick(rng, queues()).map(|queue| Action::Replay {
                    queue,
                    count: rng.below(500) as u32,
                }),
            },
            _ => {
                if rng.chance(0.5) {
                    Some(Action::CrashBroker)
                } else {
                    pick(rng, producers()).map(|producer| Action::Produce {
                        producer,
                        count: rng.below(200) as u32,
                    })
                }
            }
        };
        if let Some(action) = action {
            commands.push(Command { at_us, action });
        }
    }
    commands.sort_by_key(|c| c.at_us);
    let dispatch = match rng.below(3) {
        0 => DispatchTweak::AsBuilt,
        1 => DispatchTweak::RoundRobin,
        _ => DispatchTweak::ExtraPrefetch(1 + rng.below(10) as u32),
    };
    Case {
        params,
        commands,
        horizon,
        dispatch,
    }
}

fn run_case(def: &ScenarioDef, case: &Case, seed: u64) -> Result<(), String> {
    let spec = case_spec(def, case);
    let mut sim = Sim::new(&spec, seed).map_err(|e| format!("spec refused: {e}"))?;
    for c in &case.commands {
        sim.schedule(c.clone())
            .map_err(|e| format!("command {c:?} refused: {e}"))?;
    }
    let mut n = 0u64;
    while let Some(t) = sim.next_event_time() {
        if t > case.horizon || n >= MAX_EVENTS {
            break;
        }
        sim.step();
        n += 1;
        if n.is_multiple_of(CHECK_EVERY) {
            check_full(&sim).map_err(|e| format!("at {}µs: {e}", sim.now()))?;
        }
    }
    check_full(&sim).map_err(|e| format!("at the end ({}µs): {e}", sim.now()))?;
    let l = sim.ledger();
    if l.by_state.values().sum::<u64>() != l.total {
        return Err(format!("ledger does not add up: {l:?}"));
    }
    if l.rejected_by_cause.values().sum::<u64>() != l.count(MsgState::Rejected)
        || l.lost_by_cause.values().sum::<u64>() != l.count(MsgState::Lost)
    {
        return Err(format!("a rejection or loss has no cause: {l:?}"));
    }
    // Losses need a fault: the built-ins lose nothing on their own. A
    // configured processing failure under auto-ack is a fault too, and so
    // is a configured producer crash rate: the only losses allowed without
    // a command.
    let failing_auto = spec
        .consumers
        .iter()
        .any(|c| c.fail_rate > 0.0 && c.ack == AckMode::Auto);
    let crashing = spec.txn.as_ref().is_some_and(|t| t.crash_rate > 0.0);
    let unexplained = l.lost_by_cause.iter().any(|(cause, _)| {
        !(failing_auto && *cause == Cause::AutoAckProcessingFailure
            || crashing && *cause == Cause::ProducerCrashed)
    });
    if unexplained && case.commands.is_empty() {
        return Err(format!("lost messages without any fault: {l:?}"));
    }
    // Facts are numbers a card can show, whatever the parameters.
    for (key, v) in def.read_facts(&sim) {
        if !v.is_finite() || v < 0.0 {
            return Err(format!("fact {key} = {v}"));
        }
    }
    Ok(())
}

/// Runs every built-in for one seed; the error names seed and scenario.
fn sweep_seed(seed: u64) -> Result<(), String> {
    sweep_seed_with(seed, &|_, _| {})
}

/// `sweep_seed`, with a hook that may change a case before it runs.
fn sweep_seed_with(seed: u64, tweak: &dyn Fn(&ScenarioDef, &mut Case)) -> Result<(), String> {
    // Parameters and commands come from their own stream, not the engine's.
    let mut rng = SimRng::new(seed ^ 0x5eed_5eed_5eed_5eed);
    for def in builtins() {
        let mut case = draw_case(def, &mut rng);
        tweak(def, &mut case);
        let outcome = catch_unwind(AssertUnwindSafe(|| run_case(def, &case, seed)));
        let err = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(e)) => e,
            Err(panic) => panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into()),
        };
        let params: Vec<String> = case
            .params
            .iter()
            .map(|(k, v)| format!("{k}={}", def.param(k).unwrap().show(v)))
            .collect();
        return Err(format!(
            "seed {seed} (scenario {}) failed: {err}\n  params: {}\n  dispatch: {:?}\n  horizon: {}ms\n  commands: {:?}",
            def.id,
            params.join(" "),
            case.dispatch,
            case.horizon / US_PER_MS,
            case.commands
        ));
    }
    Ok(())
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not '{v}'"))
    })
}

#[test]
fn every_builtin_keeps_its_ledger_over_many_seeds() {
    let seeds: Vec<u64> = match env_u64("MQLAB_SWEEP_SEED") {
        Some(one) => vec![one],
        None => (0..env_u64("MQLAB_SWEEP_SEEDS").unwrap_or(DEFAULT_SEEDS)).collect(),
    };
    for seed in seeds {
        if let Err(e) = sweep_seed(seed) {
            panic!("{e}");
        }
    }
}

#[test]
fn drawn_parameters_stay_in_range_and_vary() {
    let mut rng = SimRng::new(9);
    for def in builtins() {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..50 {
            let p = draw_params(def, &mut rng);
            for d in def.params {
                d.check(p.get(d.key)).unwrap();
            }
            if let Some(r) = def.param("burst_rate_per_s") {
                let n = p.get(r.key) * p.get("burst_ms") / 1_000.0;
                assert!(n <= MAX_BURST_MESSAGES, "{n}");
            }
            seen.insert(format!("{:?}", p.iter().collect::<Vec<_>>()));
            assert!((def.build)(&p).validate().is_ok());
        }
        assert!(seen.len() > 40, "{}: parameters hardly vary", def.id);
    }
}

/// The failure report is what a developer needs to reproduce a case.
#[test]
fn a_failure_names_the_seed_and_the_scenario() {
    let err = sweep_seed_with(1234, &|def, case| {
        if def.id == "components" {
            case.commands.push(Command {
                at_us: 0,
                action: Action::CrashConsumer {
                    group: "nobody".into(),
                },
            });
        }
    })
    .unwrap_err();
    assert!(
        err.starts_with("seed 1234 (scenario components) failed: command"),
        "{err}"
    );
    assert!(err.contains("no consumer group named 'nobody'"), "{err}");
    assert!(
        err.contains("params: ") && err.contains("work_ms="),
        "{err}"
    );
}
