//! The headless `mqlab-sim` command, as a library function so tests can
//! drive it without spawning processes. Bad input gives one line on stderr
//! and exit code 2; nothing panics.

use serde_json::{json, Map, Value};

use crate::command::parse_commands;
use crate::facts::{self, FactDef};
use crate::scenario::{builtins, find, ParamKind};
use crate::sim::Sim;
use crate::spec::ScenarioSpec;
use crate::time::parse_duration;

pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Outcome {
    fn ok(stdout: String) -> Self {
        Outcome {
            stdout,
            stderr: String::new(),
            code: 0,
        }
    }
    fn usage(msg: impl Into<String>) -> Self {
        let mut m = msg.into();
        if !m.ends_with('\n') {
            m.push('\n');
        }
        Outcome {
            stdout: String::new(),
            stderr: format!("mqlab-sim: {m}"),
            code: 2,
        }
    }
}

pub const USAGE: &str = "\
usage: mqlab-sim list
       mqlab-sim describe SCENARIO
       mqlab-sim run SCENARIO [--seed N] [--until DURATION] [--set key=value]... [--commands FILE]

SCENARIO is a built-in name (see `list`) or a path to a JSON scenario file.
DURATION has a unit: 500ms, 90s, 10m, 1h. Without --until a run stops when
nothing is left to happen (or at the scenario's horizon).
For a JSON file, --set takes a dotted path such as services.db.capacity_per_s=2000
(array items are picked by their name).
";

/// Runs the CLI with the arguments after the program name.
pub fn run(args: &[String], read_file: &dyn Fn(&str) -> Result<String, String>) -> Outcome {
    let Some(cmd) = args.first() else {
        return Outcome::usage("missing command (use list, describe or run; see `mqlab-sim help`)");
    };
    match cmd.as_str() {
        "list" => {
            if args.len() > 1 {
                return Outcome::usage("list takes no arguments");
            }
            let mut out = String::new();
            for d in builtins() {
                out.push_str(d.id);
                out.push('\n');
            }
            Outcome::ok(out)
        }
        "describe" => match args.get(1) {
            None => Outcome::usage("describe needs a SCENARIO"),
            Some(_) if args.len() > 2 => Outcome::usage("describe takes one SCENARIO"),
            Some(s) => describe(s, read_file),
        },
        "run" => run_cmd(&args[1..], read_file),
        "help" | "--help" | "-h" => Outcome::ok(USAGE.to_string()),
        other => Outcome::usage(format!(
            "unknown command '{other}' (use list, describe or run)"
        )),
    }
}

fn looks_like_file(s: &str) -> bool {
    s.ends_with(".json") || s.contains('/') || s.contains('\\')
}

fn describe(scenario: &str, read_file: &dyn Fn(&str) -> Result<String, String>) -> Outcome {
    if let Some(def) = find(scenario) {
        let mut out = format!("{}: {}\n", def.id, def.summary);
        out.push_str("parameter\tunit\trange\tdefault\tlive\tdescription\n");
        let params = def.defaults();
        for p in def.params {
            let range = match p.kind {
                ParamKind::Bool => "on|off".to_string(),
                ParamKind::Choice(opts) => {
                    opts.iter().map(|c| c.word).collect::<Vec<_>>().join("|")
                }
                _ => format!("{}..{}", p.show(p.min), p.show(p.max)),
            };
            let live = matches!(
                (def.live)(&params, p.key, p.default),
                crate::scenario::Live::Apply(_)
            );
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\n",
                p.key,
                if p.unit.is_empty() { "-" } else { p.unit },
                range,
                p.show(p.default),
                if live { "yes" } else { "restart" },
                p.help
            ));
        }
        out.push('\n');
        describe_facts(&mut out, def.facts);
        return Outcome::ok(out);
    }
    if !looks_like_file(scenario) {
        return unknown_scenario(scenario);
    }
    let value = match load_file_value(scenario, read_file) {
        Ok(v) => v,
        Err(e) => return Outcome::usage(e),
    };
    if let Err(e) = spec_from_value(&value) {
        return Outcome::usage(e);
    }
    let mut out = format!("{scenario}: settable values (use --set path=value)\n");
    let mut leaves = Vec::new();
    collect_leaves(&value, String::new(), &mut leaves);
    for (path, v) in leaves {
        out.push_str(&format!("{path}\t{v}\n"));
    }
    out.push('\n');
    describe_facts(&mut out, &facts::GENERIC);
    Outcome::ok(out)
}

/// The facts table of `describe`: what `run` reports under `facts`.
fn describe_facts(out: &mut String, facts: &[FactDef]) {
    out.push_str("fact\tunit\tdescription\n");
    for f in facts {
        out.push_str(&format!(
            "{}\t{}\t{}\n",
            f.key,
            if f.unit.is_empty() { "-" } else { f.unit },
            f.explained_en
        ));
    }
}

fn unknown_scenario(s: &str) -> Outcome {
    let names: Vec<&str> = builtins().iter().map(|d| d.id).collect();
    Outcome::usage(format!(
        "unknown scenario '{s}' (built-ins: {}; or give a path to a .json file)",
        names.join(", ")
    ))
}

fn collect_leaves(v: &Value, path: String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect_leaves(child, p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let key = child
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string());
                collect_leaves(child, format!("{path}.{key}"), out);
            }
        }
        Value::String(_) if path.ends_with(".name") || path == "name" => {}
        other => out.push((path, other.to_string())),
    }
}

fn load_file_value(
    path: &str,
    read_file: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Value, String> {
    let text = read_file(path).map_err(|e| format!("cannot read scenario file '{path}': {e}"))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("scenario file '{path}' is not valid JSON: {e}"))
}

fn spec_from_value(v: &Value) -> Result<ScenarioSpec, String> {
    let spec: ScenarioSpec =
        serde_json::from_value(v.clone()).map_err(|e| format!("scenario file: {e}"))?;
    spec.validate().map_err(|e| format!("scenario file: {e}"))?;
    Ok(spec)
}

/// Sets `a.b.c = raw` in a JSON value; array items are chosen by `name`.
fn set_path(root: &mut Value, path: &str, raw: &str) -> Result<(), String> {
    let mut cur = root;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let last = i == segs.len() - 1;
        cur = match cur {
            Value::Object(m) => {
                if last {
                    if !m.contains_key(*seg) {
                        return Err(format!("--set {path}: no field '{seg}' there"));
                    }
                    let parsed = serde_json::from_str::<Value>(raw)
                        .unwrap_or_else(|_| Value::String(raw.to_string()));
                    m.insert(seg.to_string(), parsed);
                    return Ok(());
                }
                m.get_mut(*seg)
                    .ok_or_else(|| format!("--set {path}: no field '{seg}'"))?
            }
            Value::Array(items) => items
                .iter_mut()
                .find(|it| it.get("name").and_then(Value::as_str) == Some(seg))
                .ok_or_else(|| format!("--set {path}: nothing named '{seg}'"))?,
            _ => return Err(format!("--set {path}: '{seg}' is not inside an object")),
        };
    }
    Err(format!("--set {path}: empty path"))
}

struct RunArgs {
    scenario: String,
    seed: u64,
    until: Option<u64>,
    sets: Vec<(String, String)>,
    commands: Option<String>,
}

fn parse_run_args(args: &[String]) -> Result<RunArgs, String> {
    let mut it = args.iter();
    let mut scenario = None;
    let mut r = RunArgs {
        scenario: String::new(),
        seed: 1,
        until: None,
        sets: Vec::new(),
        commands: None,
    };
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match a.as_str() {
            "--seed" => {
                let v = value("--seed")?;
                r.seed = v.parse().map_err(|_| {
                    format!(
                        "--seed must be a whole number from 0 to {}, not '{v}'",
                        u64::MAX
                    )
                })?;
            }
            "--until" => {
                r.until =
                    Some(parse_duration(&value("--until")?).map_err(|e| format!("--until: {e}"))?)
            }
            "--set" => {
                let v = value("--set")?;
                let (k, val) = v
                    .split_once('=')
                    .ok_or_else(|| format!("--set needs key=value, not '{v}'"))?;
                if k.trim().is_empty() {
                    return Err(format!("--set needs a key before '=', not '{v}'"));
                }
                r.sets.push((k.trim().to_string(), val.trim().to_string()));
            }
            "--commands" => r.commands = Some(value("--commands")?),
            flag if flag.starts_with("--") => return Err(format!("unknown option '{flag}'")),
            positional => {
                if scenario.is_some() {
                    return Err(format!("unexpected argument '{positional}'"));
                }
                scenario = Some(positional.to_string());
            }
        }
    }
    r.scenario = scenario.ok_or("run needs a SCENARIO")?;
    Ok(r)
}

fn run_cmd(args: &[String], read_file: &dyn Fn(&str) -> Result<String, String>) -> Outcome {
    let r = match parse_run_args(args) {
        Ok(r) => r,
        Err(e) => return Outcome::usage(e),
    };
    // Build the spec and the params echo.
    let (spec, params_json, fact_defs) = if let Some(def) = find(&r.scenario) {
        let params = match def.params_from(&r.sets) {
            Ok(p) => p,
            Err(e) => return Outcome::usage(e),
        };
        let mut m = Map::new();
        for (k, v) in params.iter() {
            let d = def.param(k).expect("known key");
            let shown = match d.kind {
                ParamKind::Bool | ParamKind::Choice(_) => Value::String(d.show(v)),
                ParamKind::Int => json!(v as i64),
                ParamKind::Float => json!(v),
            };
            m.insert(k.to_string(), shown);
        }
        ((def.build)(&params), Value::Object(m), def.facts)
    } else if looks_like_file(&r.scenario) {
        let mut value = match load_file_value(&r.scenario, read_file) {
            Ok(v) => v,
            Err(e) => return Outcome::usage(e),
        };
        let mut m = Map::new();
        for (k, raw) in &r.sets {
            if let Err(e) = set_path(&mut value, k, raw) {
                return Outcome::usage(e);
            }
            m.insert(k.clone(), Value::String(raw.clone()));
        }
        match spec_from_value(&value) {
            Ok(s) => (s, Value::Object(m), &facts::GENERIC[..]),
            Err(e) => return Outcome::usage(e),
        }
    } else {
        return unknown_scenario(&r.scenario);
    };

    let mut sim = match Sim::new(&spec, r.seed) {
        Ok(s) => s,
        Err(e) => return Outcome::usage(e.0),
    };
    if let Some(path) = &r.commands {
        let text = match read_file(path) {
            Ok(t) => t,
            Err(e) => return Outcome::usage(format!("cannot read commands file '{path}': {e}")),
        };
        let cmds = match parse_commands(&text) {
            Ok(c) => c,
            Err(e) => return Outcome::usage(e),
        };
        for c in cmds {
            if let Err(e) = sim.schedule(c) {
                return Outcome::usage(format!("commands file: {e}"));
            }
        }
    }
    let drained = match r.until {
        Some(t) => {
            sim.run_until(t);
            sim.is_idle()
        }
        None => sim.run_until_idle(spec.horizon_us),
    };
    let report = report(&r.scenario, r.seed, params_json, &sim, drained, fact_defs);
    Outcome::ok(format!(
        "{}\n",
        serde_json::to_string_pretty(&report).expect("plain data")
    ))
}

/// A fact's value as JSON: whole numbers print without a fraction.
fn fact_json(v: f64) -> Value {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// The JSON report of a finished run; `facts` are the scenario's (or the
/// generic ones for a scenario file).
pub fn report(
    scenario: &str,
    seed: u64,
    params: Value,
    sim: &Sim,
    drained: bool,
    facts: &[FactDef],
) -> Value {
    let fact_values: Map<String, Value> = facts
        .iter()
        .map(|f| (f.key.to_string(), fact_json(f.read(sim))))
        .collect();
    let fact_sentences: Map<String, Value> = facts
        .iter()
        .map(|f| (f.key.to_string(), json!(f.explained_en)))
        .collect();
    let snap = sim.snapshot();
    let ledger = sim.ledger();
    let by_state: Map<String, Value> = ledger
        .by_state
        .iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    let causes = |m: &crate::vec_map::VecMap<crate::Cause, u64>| -> Map<String, Value> {
        m.iter()
            .map(|(c, n)| (c.as_str().to_string(), json!(n)))
            .collect()
    };
    let explained: Map<String, Value> = ledger
        .rejected_by_cause
        .keys()
        .chain(ledger.lost_by_cause.keys())
        .map(|c| (c.as_str().to_string(), json!(c.explain())))
        .collect();
    let secs = sim.now() as f64 / 1e6;
    let done = ledger.count(crate::MsgState::Done);
    let lat = |s: &crate::metrics::LatencySummary| json!({"mean": s.mean_us, "p50": s.p50_us, "p95": s.p95_us, "p99": s.p99_us, "max": s.max_us, "count": s.count});
    let (q_mean, q_max) = snap
        .queues
        .iter()
        .fold((0.0, 0u64), |(m, x), q| (m + q.mean_len, x.max(q.max_len)));
    let busy_rate = sim.processing_rate_per_s();
    json!({
        "scenario": scenario,
        "seed": seed,
        "params": params,
        "until_us": sim.now(),
        "drained": drained,
        "facts": fact_values,
        "facts_explained": fact_sentences,
        "ledger": {
            "total": ledger.total,
            "by_state": by_state,
            "rejected_by_cause": causes(&ledger.rejected_by_cause),
            "lost_by_cause": causes(&ledger.lost_by_cause),
            "causes_explained": explained,
        },
        "metrics": {
            "throughput_per_s": if secs > 0.0 { done as f64 / secs } else { 0.0 },
            "processing_rate_per_s": busy_rate,
            "queue_len": {"mean": q_mean, "max": q_max},
            "wait_us": lat(&snap.wait),
            "latency_us": lat(&snap.latency),
            "response_us": lat(&snap.response),
        },
        "events": sim.events_processed(),
        "trace_hash": sim.trace_hash(),
    })
}
