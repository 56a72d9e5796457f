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

/// What one run reports: its facts and its losses by cause name.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub facts: std::collections::BTreeMap<String, f64>,
    pub lost_by_cause: std::collections::BTreeMap<String, u64>,
}

impl Outcome {
    pub fn fact(&self, k: &str) -> f64 {
        self.facts[k]
    }
}

/// Built-in `id` with `settings` and `faults` (at ms) through the library
/// (seed 1, invariants checked at the end).
pub fn via_library(
    id: &str,
    settings: &[(&str, &str)],
    faults: &[(u64, Action)],
    until_s: u64,
) -> Outcome {
    use mqlab_engine::time::{US_PER_MS, US_PER_S};
    let spec = spec_of(id, settings);
    let cmds: Vec<_> = faults
        .iter()
        .map(|(ms, a)| at(ms * US_PER_MS, a.clone()))
        .collect();
    let sim = run(&spec, &cmds, until_s * US_PER_S);
    Outcome {
        facts: find(id)
            .unwrap()
            .read_facts(&sim)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        lost_by_cause: sim
            .ledger()
            .lost_by_cause
            .iter()
            .map(|(c, n)| (c.as_str().to_string(), *n))
            .collect(),
    }
}

/// The same run through the `mqlab-sim` binary (`run <id> --set k=v ...
/// --until <s>s`, the faults from a `--commands` file).
pub fn via_cli(
    id: &str,
    settings: &[(&str, &str)],
    faults: &[(u64, Action)],
    until_s: u64,
) -> Outcome {
    use serde_json::Value;
    let mut p = std::process::Command::new(env!("CARGO_BIN_EXE_mqlab-sim"));
    p.args(["run", id, "--seed", "1", "--until", &format!("{until_s}s")]);
    for (k, v) in settings {
        p.args(["--set", &format!("{k}={v}")]);
    }
    let mut file = None;
    if !faults.is_empty() {
        let cmds: Vec<Value> = faults
            .iter()
            .map(|(ms, a)| {
                let mut c = serde_json::to_value(Command {
                    at_us: 0,
                    action: a.clone(),
                })
                .unwrap();
                c.as_object_mut().unwrap().remove("at_us");
                c["at"] = Value::from(format!("{ms}ms"));
                c
            })
            .collect();
        let path = std::env::temp_dir().join(format!(
            "mqlab-{id}-{}-{}.json",
            std::process::id(),
            faults
                .iter()
                .map(|(ms, a)| format!("{}{ms}", a.verb()))
                .collect::<Vec<_>>()
                .join("-")
                + &settings
                    .iter()
                    .map(|(k, v)| format!("{k}{v}"))
                    .collect::<String>()
        ));
        std::fs::write(&path, Value::Array(cmds).to_string()).unwrap();
        p.arg("--commands").arg(&path);
        file = Some(path);
    }
    let out = p.output().unwrap();
    if let Some(f) = file {
        let _ = std::fs::remove_file(f);
    }
    let (facts, lost_by_cause) = cli_facts_and_losses(&out);
    Outcome {
        facts,
        lost_by_cause,
    }
}
