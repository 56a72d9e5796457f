//! Without a server: every script parses, runs on the engine, and the
//! engine prints each of the script's `expect` lines. (The comparison with
//! the real brokers is the `brokers` step of scripts/test.sh.)

use std::path::Path;

use mqlab_fidelity::{engine, expected_broker_lines, script, unmet_expectations};

fn scripts() -> Vec<script::Script> {
    script::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts")).unwrap()
}

#[test]
fn every_script_runs_on_the_engine_and_meets_its_expectations() {
    let all = scripts();
    assert!(all.len() >= 8, "{} scripts", all.len());
    for s in &all {
        let lines = engine::run(s).unwrap_or_else(|e| panic!("{}: {e}", s.file));
        assert!(
            !s.expect.is_empty(),
            "{}: a script says what it expects",
            s.file
        );
        let unmet = unmet_expectations(s, &lines);
        assert!(
            unmet.is_empty(),
            "{}: the engine does not print {unmet:?}; it prints:\n{}",
            s.file,
            lines.join("\n")
        );
        expected_broker_lines(s, &lines).unwrap_or_else(|e| panic!("{}: {e}", s.file));
        assert!(
            !s.checks.is_empty(),
            "{}: a script names the semantic it checks",
            s.file
        );
    }
}

#[test]
fn the_engine_runs_of_a_script_are_the_same_every_time() {
    for s in &scripts() {
        assert_eq!(engine::run(s), engine::run(s), "{}", s.file);
    }
}
