//! Helpers shared by the scenario test files (`mod common;`). Each test
//! crate uses a different subset, hence the `dead_code` allowance.
#![allow(dead_code)]

use mqlab_engine::invariants::check_full;
use mqlab_engine::scenario::find;
use mqlab_engine::spec::ScenarioSpec;
use mqlab_engine::time::TimeUs;
use mqlab_engine::{Action, Command, Sim};

/// `key=value` settings as the CLI and `ScenarioDef::params_from` take them.
pub fn settings(kv: &[(&str, &str)]) -> Vec<(String, String)> {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The spec a built-in scenario builds with these settings.
pub fn spec_of(id: &str, kv: &[(&str, &str)]) -> ScenarioSpec {
    let def = find(id).unwrap();
    (def.build)(&def.params_from(&settings(kv)).unwrap())
}

/// A command at time `t`.
pub fn at(t: TimeUs, action: Action) -> Command {
    Command { at_us: t, action }
}

/// Runs `spec` (seed 1) with `cmds` scheduled up front until `until`, then
/// checks every invariant.
pub fn run(spec: &ScenarioSpec, cmds: &[Command], until: TimeUs) -> Sim {
    let mut sim = Sim::new(spec, 1).unwrap();
    for c in cmds {
        sim.schedule(c.clone()).unwrap();
    }
    sim.run_until(until);
    check_full(&sim).unwrap();
    sim
}

/// What a `mqlab-sim run` printed, checked to have exited 0: its `facts`
/// and its `ledger.lost_by_cause`, by name.
pub fn cli_facts_and_losses(
    out: &std::process::Output,
) -> (
    std::collections::BTreeMap<String, f64>,
    std::collections::BTreeMap<String, u64>,
) {
    use serde_json::Value;
    use std::collections::BTreeMap;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let map = |v: &Value| -> BTreeMap<String, f64> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
            .collect()
    };
    let lost = map(&json["ledger"]["lost_by_cause"])
        .into_iter()
        .map(|(k, v)| (k, v as u64))
        .collect();
    (map(&json["facts"]), lost)
}
