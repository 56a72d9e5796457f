//! Golden trace hashes: fixed runs (see `common/golden_cases.rs`) must give
//! exactly the hashes recorded in `golden_hashes.json`. The same cases run
//! in wasm32 (`wasm_golden.rs`), so native and browser builds are held to
//! the same traces.
//!
//! A deliberate change to engine behaviour changes the hashes. Regenerate
//! the file with
//!
//!     MQLAB_UPDATE_GOLDEN=1 cargo test -p mqlab-engine --test golden
//!
//! review the diff, and say why in the commit.

#[path = "common/golden_cases.rs"]
mod golden_cases;

use std::collections::BTreeMap;

use golden_cases::{cases, check_all, expected, hash_of};

const GOLDEN_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden_hashes.json");

#[test]
fn trace_hashes_match_the_golden_file() {
    if std::env::var("MQLAB_UPDATE_GOLDEN").as_deref() == Ok("1") {
        let hashes: BTreeMap<String, String> = cases()
            .iter()
            .map(|c| (c.name.clone(), hash_of(c)))
            .collect();
        let text = serde_json::to_string_pretty(&hashes).unwrap() + "\n";
        std::fs::write(GOLDEN_PATH, text).unwrap();
        eprintln!("wrote {} hashes to {GOLDEN_PATH}", hashes.len());
        return;
    }
    match check_all() {
        Ok(n) => assert!(n >= 9, "too few golden cases: {n}"),
        Err(e) => panic!(
            "trace hashes differ from tests/golden_hashes.json:\n{e}\n\
             If the engine's behaviour changed on purpose, regenerate with \
             MQLAB_UPDATE_GOLDEN=1 cargo test -p mqlab-engine --test golden"
        ),
    }
}

#[test]
fn golden_cases_are_distinct_runs() {
    let all = cases();
    let names: std::collections::BTreeSet<_> = all.iter().map(|c| &c.name).collect();
    assert_eq!(names.len(), all.len(), "case names are unique");
    // Every recorded hash is different: no two cases are secretly the same run.
    let hashes: std::collections::BTreeSet<_> = expected().into_values().collect();
    assert_eq!(hashes.len(), all.len());
}

#[test]
fn golden_cases_do_real_work() {
    // A hash of an empty run would prove little: each case moves messages.
    for case in cases() {
        let mut sim = mqlab_engine::Sim::new(&case.spec, case.seed).unwrap();
        for c in &case.commands {
            sim.schedule(c.clone()).unwrap();
        }
        sim.run_until(case.until_us);
        let l = sim.ledger();
        assert!(l.total >= 10, "{}: {l:?}", case.name);
        assert!(sim.events_processed() > 100, "{}", case.name);
        mqlab_engine::invariants::check_full(&sim).unwrap();
    }
}
