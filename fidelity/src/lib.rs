//! Checks mqlab's engine against real brokers: each script in `scripts/`
//! runs on the engine and on a real RabbitMQ, and the two outcomes must be
//! equal line by line, or differ only where the script pins a documented
//! simplification (`differs`).

pub mod engine;
pub mod outcome;
pub mod rabbit;
pub mod redis_cmd;
pub mod redis_run;
pub mod script;

use script::Script;

/// How one script's two runs compare.
#[derive(Debug)]
pub enum Verdict {
    /// Line for line the same.
    Match,
    /// The same but for the pinned, documented differences.
    Documented(usize),
    /// Different: a readable account of where.
    Mismatch(String),
}

/// The engine's outcome with each pinned difference applied (its engine
/// line replaced by the broker's), or why a pin is stale.
pub fn expected_broker_lines(s: &Script, engine: &[String]) -> Result<Vec<String>, String> {
    let mut out = engine.to_vec();
    for d in &s.differs {
        let Some(i) = out.iter().position(|l| *l == d.engine) else {
            return Err(format!(
                "pinned difference is stale: the engine no longer prints `{}`",
                d.engine
            ));
        };
        out[i] = d.broker.clone();
    }
    Ok(out)
}

/// The script's `expect` lines the engine run does not print.
pub fn unmet_expectations(s: &Script, engine: &[String]) -> Vec<String> {
    s.expect
        .iter()
        .filter(|e| !engine.contains(e))
        .cloned()
        .collect()
}

pub fn compare(s: &Script, engine: &[String], broker: &[String]) -> Verdict {
    let expected = match expected_broker_lines(s, engine) {
        Ok(e) => e,
        Err(e) => return Verdict::Mismatch(e),
    };
    match outcome::diff(&expected, broker) {
        None if s.differs.is_empty() => Verdict::Match,
        None => Verdict::Documented(s.differs.len()),
        Some(d) => Verdict::Mismatch(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_pinned_difference_is_the_only_one_allowed_and_a_stale_pin_fails() {
        let text = "name n\nqueue q\nrun 1\nexpect m1 acked-by c\ndiffers m2 queued q 1 => m2 queued q 2 | the engine requeues at the head\n";
        let s = script::parse("t.mqs", text).unwrap();
        let engine = lines(&["m1 acked-by c", "m2 queued q 1"]);
        assert!(matches!(
            compare(&s, &engine, &lines(&["m1 acked-by c", "m2 queued q 2"])),
            Verdict::Documented(1)
        ));
        // Any other difference still fails.
        assert!(matches!(
            compare(&s, &engine, &lines(&["m1 lost", "m2 queued q 2"])),
            Verdict::Mismatch(_)
        ));
        // The engine no longer prints the pinned line: the pin is stale.
        let fixed = lines(&["m1 acked-by c", "m2 queued q 2"]);
        assert!(matches!(compare(&s, &fixed, &fixed), Verdict::Mismatch(m) if m.contains("stale")));
        assert_eq!(
            unmet_expectations(&s, &lines(&["m1 lost"])),
            ["m1 acked-by c"]
        );
    }
}
