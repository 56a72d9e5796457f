//! The run's history: the learner's inputs and periodic checkpoints, so any
//! moment of the run so far can be shown again exactly (rewind, scrub) and
//! a run can be shared as data.

use mqlab_engine::{Action, Command, Params, Sim, TimeUs};
use serde::{Deserialize, Serialize};

/// A checkpoint is taken after this many events since the previous one, so
/// restoring any moment re-simulates at most this many events.
pub const CHECKPOINT_EVENTS: u64 = 100_000;
/// Most checkpoints kept; beyond that the closest pair is thinned.
pub const MAX_CHECKPOINTS: usize = 24;
/// Most events a seek may re-simulate (a hostile link cannot freeze the page).
pub const SEEK_EVENT_BUDGET: u64 = 20_000_000;

/// One learner input, applied to every panel at the same virtual time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunInput {
    /// When it was applied.
    #[serde(rename = "t")]
    pub at_us: TimeUs,
    /// The parameter it changed, if it was a slider or switch.
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub param: Option<(String, f64)>,
    /// What each panel's simulation was told (`None`: not this panel).
    #[serde(rename = "a")]
    pub actions: Vec<Option<Action>>,
}

#[derive(Clone)]
pub struct Checkpoint {
    pub t_us: TimeUs,
    pub sims: Vec<Sim>,
    /// How many inputs of the log are already inside these simulations.
    pub inputs_included: usize,
}

/// Inputs and checkpoints of the current run (since the last restart).
#[derive(Clone)]
pub struct Timeline {
    /// Parameters the run started with.
    pub base_params: Params,
    pub inputs: Vec<RunInput>,
    pub checkpoints: Vec<Checkpoint>,
    /// The furthest moment simulated so far.
    pub live_us: TimeUs,
    events_at_last_checkpoint: u64,
}

impl Timeline {
    pub fn new(base_params: Params, sims: &[Sim]) -> Self {
        Timeline {
            base_params,
            inputs: Vec::new(),
            checkpoints: vec![Checkpoint {
                t_us: 0,
                sims: sims.to_vec(),
                inputs_included: 0,
            }],
            live_us: 0,
            events_at_last_checkpoint: 0,
        }
    }

    /// Called after the simulations moved forward: notes the live edge and
    /// takes a checkpoint when enough events have passed.
    pub fn after_advance(&mut self, sims: &[Sim]) {
        let now = sims.iter().map(Sim::now).min().unwrap_or(0);
        self.live_us = self.live_us.max(now);
        let events: u64 = sims.iter().map(Sim::events_processed).sum();
        let last_cp_t = self.checkpoints.last().map(|c| c.t_us).unwrap_or(0);
        if events.saturating_sub(self.events_at_last_checkpoint) >= CHECKPOINT_EVENTS
            && now > last_cp_t
        {
            self.checkpoints.push(Checkpoint {
                t_us: now,
                sims: sims.to_vec(),
                inputs_included: self.inputs.len(),
            });
            self.events_at_last_checkpoint = events;
            self.thin();
        }
    }

    fn thin(&mut self) {
        while self.checkpoints.len() > MAX_CHECKPOINTS {
            // Drop the checkpoint (never the first or the last) whose
            // neighbours are closest together.
            let n = self.checkpoints.len();
            let i = (1..n - 1)
                .min_by_key(|&i| self.checkpoints[i + 1].t_us - self.checkpoints[i - 1].t_us)
                .unwrap_or(1);
            self.checkpoints.remove(i);
        }
    }

    /// Simulations showing exactly moment `t` (at most the live edge), and
    /// whether the whole way there fitted in the event budget.
    pub fn restore(&self, t: TimeUs) -> (Vec<Sim>, bool) {
        let t = t.min(self.live_us);
        let cp = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.t_us <= t)
            .unwrap_or(&self.checkpoints[0]);
        let mut sims = cp.sims.clone();
        for input in &self.inputs[cp.inputs_included.min(self.inputs.len())..] {
            schedule_input(&mut sims, input);
        }
        let mut complete = true;
        for sim in &mut sims {
            complete &= sim.run_until_bounded(t, SEEK_EVENT_BUDGET);
        }
        (sims, complete)
    }

    /// The parameters in force at `t` (the sliders' positions then).
    pub fn params_at(&self, t: TimeUs) -> Params {
        let mut p = self.base_params.clone();
        for input in self.inputs.iter().filter(|i| i.at_us <= t) {
            if let Some((k, v)) = &input.param {
                p.set(k, *v);
            }
        }
        p
    }

    /// Forgets everything after `t` (the run forks there).
    pub fn truncate_after(&mut self, t: TimeUs) {
        self.inputs.retain(|i| i.at_us <= t);
        let n = self.inputs.len();
        // The first checkpoint (time 0, no inputs) always survives.
        self.checkpoints
            .retain(|c| c.t_us <= t && c.inputs_included <= n);
        self.live_us = t;
    }

    /// Re-bases the checkpoint spacing on the simulations now shown.
    pub fn mark_events(&mut self, sims: &[Sim]) {
        self.events_at_last_checkpoint = sims.iter().map(Sim::events_processed).sum();
    }
}

/// Schedules an input's actions into the panels' simulations; an action a
/// simulation refuses is skipped (it was validated when recorded).
pub fn schedule_input(sims: &mut [Sim], input: &RunInput) -> bool {
    let mut ok = true;
    for (sim, action) in sims.iter_mut().zip(&input.actions) {
        if let Some(a) = action {
            let at = input.at_us.max(sim.now());
            ok &= sim
                .schedule(Command {
                    at_us: at,
                    action: a.clone(),
                })
                .is_ok();
        }
    }
    ok
}
