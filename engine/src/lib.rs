//! mqlab-engine: a deterministic discrete-event simulation of message queues.
//!
//! Pure Rust: no web dependencies, no wall clock, no unseeded randomness.
//! (scenario, parameters, seed, input log) decide every event; events at the
//! same virtual time fire in insertion order, and a learner command at time
//! `t` fires after the simulation's own events at `t` (so a live run and its
//! replayed input log are the same run). See ARCHITECTURE.md.

/// A refused command's (or field's) reason: natively (the CLI, command files, tests) the
/// whole sentence. In the browser nothing shows it (a share link's refused
/// input is counted, not read), so a fixed word saves the formatting code.
macro_rules! refused {
    ($($arg:tt)*) => {{
        #[cfg(not(target_arch = "wasm32"))]
        let reason = format!($($arg)*);
        #[cfg(target_arch = "wasm32")]
        let reason = String::from("refused");
        reason
    }};
}

pub mod cli;
pub mod command;
pub mod event;
pub mod facts;
pub mod invariants;
pub mod ledger;
pub mod metrics;
pub mod model;
pub mod num;
pub mod render;
pub mod rng;
pub mod scenario;
pub mod scenarios;
pub mod sim;
pub mod spec;
pub mod text;
pub mod time;
pub mod trace;
pub mod vec_map;

pub use command::{Action, Command};
pub use facts::FactDef;
pub use ledger::{Cause, LedgerCounts, MsgState};
pub use render::{Movement, Snapshot};
pub use scenario::{Choice, ParamDef, ParamKind, Params, ScenarioDef};
pub use sim::Sim;
pub use spec::ScenarioSpec;
pub use text::{Lang, Text};
pub use time::TimeUs;

/// English text only the CLI prints (`describe`'s parameter help, facts'
/// `facts_explained`, scenario summaries): empty in the browser build,
/// which has its own words for everything and should not download these.
/// Used in constants, so the text is dropped at compile time.
pub const fn cli_only(text: &'static str) -> &'static str {
    if cfg!(target_arch = "wasm32") {
        ""
    } else {
        text
    }
}

/// Builds and runs a built-in scenario with default parameters until idle
/// (or its horizon): the reference run used by tests and benchmarks.
pub fn run_builtin(id: &str, seed: u64, settings: &[(String, String)]) -> Result<Sim, String> {
    let def = scenario::find(id).ok_or_else(|| format!("unknown scenario '{id}'"))?;
    let params = def.params_from(settings)?;
    let spec = (def.build)(&params);
    let mut sim = Sim::new(&spec, seed).map_err(|e| e.0)?;
    sim.run_until_idle(spec.horizon_us);
    Ok(sim)
}
