//! Checks mqlab's engine against real brokers: each script in `scripts/`
//! runs on the engine and on a real RabbitMQ, and the two outcomes must be
//! equal line by line, or differ only where the script pins a documented
//! simplification (`differs`).

pub mod engine;
pub mod outcome;
pub mod rabbit;
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
