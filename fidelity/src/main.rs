//! `mqlab-fidelity`: runs every script in `fidelity/scripts` on the engine
//! and on the real broker (see `scripts/brokers.sh`), prints one table row
//! per script, and fails if any pair differs beyond its pinned, documented
//! differences.
//!
//!   bash scripts/brokers.sh run cargo run -q -p mqlab-fidelity [-- FILTER]

use std::path::Path;
use std::process::ExitCode;

use mqlab_fidelity::script::Broker;
use mqlab_fidelity::{compare, engine, rabbit, redis_run, script, unmet_expectations, Verdict};

fn main() -> ExitCode {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
    let scripts = match script::load_dir(&dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fidelity: {e}");
            return ExitCode::from(2);
        }
    };
    match rabbit::connect() {
        Ok(_) => {}
        Err(e) => {
            eprintln!("fidelity: {e} (start the servers with `bash scripts/brokers.sh run ...`)");
            return ExitCode::from(2);
        }
    }
    let mut rows = Vec::new();
    let mut failed = 0;
    for s in scripts.iter().filter(|s| s.file.contains(&filter)) {
        let engine_lines = engine::run(s);
        let broker_name = match s.broker {
            Broker::Rabbit => "RabbitMQ 3.10",
            Broker::Redis => "Redis 7.0",
        };
        let broker_lines = match s.broker {
            Broker::Rabbit => rabbit::run(s),
            Broker::Redis => redis_run::run(s),
        };
        if std::env::var_os("MQLAB_FIDELITY_SHOW").is_some() {
            let show = |r: &Result<Vec<String>, String>| match r {
                Ok(l) => l.join("\n  "),
                Err(e) => e.clone(),
            };
            println!(
                "--- {}\nengine:\n  {}\n{broker_name}:\n  {}",
                s.file,
                show(&engine_lines),
                show(&broker_lines)
            );
        }
        let (engine_cell, broker_cell, verdict) = match (&engine_lines, &broker_lines) {
            (Ok(e), Ok(b)) => {
                let unmet = unmet_expectations(s, e);
                let v = compare(s, e, b);
                let verdict = match (&v, unmet.is_empty()) {
                    (Verdict::Match, true) => "match".to_string(),
                    (Verdict::Documented(n), true) => {
                        format!("match, {n} documented difference(s)")
                    }
                    (_, false) => {
                        failed += 1;
                        format!("FAIL: the engine does not print {unmet:?}")
                    }
                    (Verdict::Mismatch(d), true) => {
                        failed += 1;
                        eprintln!("--- {}: the engine and the real broker differ\n{d}", s.file);
                        eprintln!("engine:\n  {}", e.join("\n  "));
                        eprintln!("real broker:\n  {}", b.join("\n  "));
                        "MISMATCH".to_string()
                    }
                };
                (
                    format!("{} lines", e.len()),
                    format!("{} lines", b.len()),
                    verdict,
                )
            }
            (e, b) => {
                failed += 1;
                let cell = |r: &Result<Vec<String>, String>| match r {
                    Ok(l) => format!("{} lines", l.len()),
                    Err(e) => format!("error: {e}"),
                };
                (cell(e), cell(b), "FAIL".to_string())
            }
        };
        for d in &s.differs {
            println!(
                "  {}: pinned: engine `{}`, {broker_name} `{}`: {}",
                s.file, d.engine, d.broker, d.why
            );
        }
        rows.push((
            s.file.clone(),
            s.checks.clone(),
            engine_cell,
            format!("{broker_name}: {broker_cell}"),
            verdict,
        ));
    }
    println!("\n| script | semantic | engine | real broker | result |\n|---|---|---|---|---|");
    for (file, checks, e, b, v) in &rows {
        println!("| {file} | {checks} | {e} | {b} | {v} |");
    }
    // The gate (scripts/test.sh) counts tests from cargo's summary line.
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {verdict}. {} passed; {failed} failed (fidelity: {} scripts compared with the real brokers)",
        rows.len() - failed,
        rows.len()
    );
    if rows.is_empty() {
        eprintln!("fidelity: no script matched `{filter}`");
        return ExitCode::from(2);
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
