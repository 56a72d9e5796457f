//! The run's history: the learner's inputs and periodic checkpoints, so any
//! moment of the run so far can be shown again exactly (rewind, scrub) and
//! a run can be shared as data.

use mqlab_engine::{Action, Command, Params, Sim, TimeUs};

/// A checkpoint is taken after this many events since the previous one, so
/// restoring any moment re-simulates at most this many events.
pub const CHECKPOINT_EVENTS: u64 = 100_000;
/// Most checkpoints kept; beyond that the closest pair is thinned.
pub const MAX_CHECKPOINTS: usize = 24;
/// Most live messages the checkpoints of a whole page may hold together (a
/// checkpoint copies every message in flight or queued): each run's
/// timeline on the page gets an equal share of it (see [`PageShare`]).
/// Beyond its share a timeline drops middle checkpoints: seeks get slower,
/// memory stays bounded.
pub const MAX_CHECKPOINT_MESSAGES: u64 = 1_500_000;
/// How many embeds a chapter page may hold (one per demo). An embed is an
/// iframe with a wasm instance of its own, so it cannot count its sibling
/// embeds; each takes this share of the page budget (see [`as_embed`]).
pub const EMBEDS_PER_PAGE: u64 = 16;

thread_local! {
    /// Timelines alive on this thread (the page: wasm has one thread).
    static TIMELINES_ALIVE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// This instance's share of the page budget: all of it for a page of
    /// its own, 1/16 for an embed.
    static INSTANCE_BUDGET: std::cell::Cell<u64> = const { std::cell::Cell::new(MAX_CHECKPOINT_MESSAGES) };
}

/// Says that this instance is an embed: its timelines share
/// `MAX_CHECKPOINT_MESSAGES / EMBEDS_PER_PAGE`, so a chapter page with all
/// 16 demos embedded holds no more checkpoints than one full page (a soak
/// of ten embeds grew to 480 MB of wasm memory before, 287 MB of it in the
/// comparison embed).
pub fn as_embed() {
    INSTANCE_BUDGET.with(|b| b.set(MAX_CHECKPOINT_MESSAGES / EMBEDS_PER_PAGE));
}

/// A timeline's place in its page's checkpoint budget: counted while it
/// lives (clones count too), so each timeline's share is the page budget
/// divided by how many there are.
#[derive(Debug)]
pub struct PageShare(());

impl PageShare {
    fn new() -> Self {
        TIMELINES_ALIVE.with(|n| n.set(n.get() + 1));
        PageShare(())
    }

    /// `budget` split evenly over the timelines alive now.
    pub fn of(&self, budget: u64) -> u64 {
        budget / TIMELINES_ALIVE.with(|n| n.get()).max(1)
    }
}

impl Clone for PageShare {
    fn clone(&self) -> Self {
        PageShare::new()
    }
}

impl Drop for PageShare {
    fn drop(&mut self) {
        TIMELINES_ALIVE.with(|n| n.set(n.get().saturating_sub(1)));
    }
}
/// Most events opening a shared link may simulate to reach its moment
/// (about a second of work in a browser); a link asking for more opens at
/// the furthest moment reached and says so.
pub const LINK_EVENT_BUDGET: u64 = 4_000_000;
/// Most events a seek may re-simulate (a hostile link cannot freeze the page).
pub const SEEK_EVENT_BUDGET: u64 = 20_000_000;

/// One learner input, applied to every panel at the same virtual time.
#[derive(Clone, Debug, PartialEq)]
pub struct RunInput {
    /// When it was applied.
    pub at_us: TimeUs,
    /// The parameter it changed, if it was a slider or switch.
    pub param: Option<(String, f64)>,
    /// What each panel's simulation was told (`None`: not this panel).
    pub actions: Vec<Option<Action>>,
}

#[derive(Clone)]
pub struct Checkpoint {
    /// The latest clock among its simulations. Panels can be apart (one
    /// runs ahead while another works through a burst), so a checkpoint is
    /// only a valid start for moments at or after *every* panel's clock:
    /// restoring one whose leading panel is past the moment asked for
    /// would show that panel's future (the shared-link and rewind-fork bug
    /// of 2026-12).
    pub t_us: TimeUs,
    pub sims: Vec<Sim>,
    /// Live messages copied into this checkpoint (its memory weight).
    pub messages: u64,
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
    /// Memory budget of the whole page (of this embed's share of its
    /// page), see [`MAX_CHECKPOINT_MESSAGES`] and [`as_embed`].
    max_messages: u64,
    share: PageShare,
}

impl Timeline {
    pub fn new(base_params: Params, sims: &[Sim]) -> Self {
        Timeline {
            base_params,
            inputs: Vec::new(),
            checkpoints: vec![Checkpoint {
                t_us: 0,
                sims: sims.to_vec(),
                messages: live_messages(sims),
                inputs_included: 0,
            }],
            live_us: 0,
            events_at_last_checkpoint: 0,
            max_messages: INSTANCE_BUDGET.with(std::cell::Cell::get),
            share: PageShare::new(),
        }
    }

    /// Live messages this timeline's checkpoints may hold: its share of
    /// the page's budget.
    pub fn message_budget(&self) -> u64 {
        self.share.of(self.max_messages)
    }

    /// Called after the simulations moved forward: notes the live edge and
    /// takes a checkpoint when enough events have passed.
    pub fn after_advance(&mut self, sims: &[Sim]) {
        let now = sims.iter().map(Sim::now).min().unwrap_or(0);
        let latest = sims.iter().map(Sim::now).max().unwrap_or(0);
        self.live_us = self.live_us.max(now);
        let events: u64 = sims.iter().map(Sim::events_processed).sum();
        let last_cp_t = self.checkpoints.last().map(|c| c.t_us).unwrap_or(0);
        if events.saturating_sub(self.events_at_last_checkpoint) >= CHECKPOINT_EVENTS
            && latest > last_cp_t
        {
            self.checkpoints.push(Checkpoint {
                t_us: latest,
                sims: sims.to_vec(),
                messages: live_messages(sims),
                inputs_included: self.inputs.len(),
            });
            self.events_at_last_checkpoint = events;
            self.thin();
        }
    }

    fn thin(&mut self) {
        let budget = self.message_budget();
        // Memory first: drop the heaviest middle checkpoints.
        while self.checkpoints.len() > 2
            && self.checkpoints.iter().map(|c| c.messages).sum::<u64>() > budget
        {
            let n = self.checkpoints.len();
            let i = (1..n - 1)
                .max_by_key(|&i| self.checkpoints[i].messages)
                .unwrap_or(1);
            self.checkpoints.remove(i);
        }
        // The last one alone may still be heavy; keep it only if it fits.
        if self.checkpoints.len() == 2 && self.checkpoints[1].messages > budget {
            self.checkpoints.truncate(1);
        }
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

fn live_messages(sims: &[Sim]) -> u64 {
    sims.iter().map(|s| s.ledger().live()).sum()
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

#[cfg(test)]
mod tests {
    use super::*;
    use mqlab_engine::scenario::find;

    #[test]
    fn checkpoints_stay_within_their_memory_budget() {
        let def = find("peak-shaving").unwrap();
        let p = def.defaults();
        let spec = (def.build)(&p);
        let mut sims = vec![Sim::new(&spec, 1).unwrap()];
        let mut tl = Timeline::new(p, &sims);
        // A small budget, so the default burst (100,000 queued) exceeds it.
        tl.max_messages = 150_000;
        let mut t = 0;
        for _ in 0..60 {
            t += 100_000;
            sims[0].run_until(t);
            tl.after_advance(&sims);
            let held: u64 = tl.checkpoints.iter().map(|c| c.messages).sum();
            assert!(
                held <= tl.max_messages,
                "{held} messages held in checkpoints"
            );
        }
        assert_eq!(tl.checkpoints[0].t_us, 0, "the start is always kept");
        // Any moment can still be shown (from the start if need be).
        let (back, complete) = tl.restore(2_000_000);
        assert!(complete);
        assert_eq!(back[0].now(), 2_000_000);
    }

    #[test]
    fn an_embed_takes_a_sixteenth_of_the_page_budget_for_its_timelines() {
        // Each test runs on its own thread: this one is an embed.
        let def = find("peak-shaving").unwrap();
        let before = Timeline::new(def.defaults(), &[]);
        assert_eq!(before.message_budget(), MAX_CHECKPOINT_MESSAGES);
        drop(before);
        as_embed();
        let one = Timeline::new(def.defaults(), &[]);
        assert_eq!(
            one.message_budget(),
            MAX_CHECKPOINT_MESSAGES / EMBEDS_PER_PAGE
        );
        // Its own timelines (a fork) still split that share.
        let fork = one.clone();
        assert_eq!(
            fork.message_budget(),
            MAX_CHECKPOINT_MESSAGES / EMBEDS_PER_PAGE / 2
        );
    }

    #[test]
    fn timelines_on_one_page_share_its_checkpoint_budget() {
        // Each test runs on its own thread, so this thread's page starts empty.
        let def = find("peak-shaving").unwrap();
        let spec = (def.build)(&def.defaults());
        let page_of_ten: Vec<Timeline> = (0..10)
            .map(|_| Timeline::new(def.defaults(), &[Sim::new(&spec, 1).unwrap()]))
            .collect();
        assert_eq!(
            page_of_ten[0].message_budget(),
            MAX_CHECKPOINT_MESSAGES / 10
        );
        // A clone (a fork of a run) is one more timeline on the page.
        let fork = page_of_ten[3].clone();
        assert_eq!(fork.message_budget(), MAX_CHECKPOINT_MESSAGES / 11);
        drop(fork);
        drop(page_of_ten);
        let alone = Timeline::new(def.defaults(), &[]);
        assert_eq!(alone.message_budget(), MAX_CHECKPOINT_MESSAGES);

        // Ten embeds of the burst each stay within their share.
        let mut page: Vec<(Timeline, Vec<Sim>)> = (0..10)
            .map(|_| {
                let sims = vec![Sim::new(&spec, 1).unwrap()];
                (Timeline::new(def.defaults(), &sims), sims)
            })
            .collect();
        let mut t = 0;
        for _ in 0..20 {
            t += 100_000;
            for (tl, sims) in &mut page {
                sims[0].run_until(t);
                tl.after_advance(sims);
            }
        }
        let held: u64 = page
            .iter()
            .flat_map(|(tl, _)| tl.checkpoints.iter().map(|c| c.messages))
            .sum();
        assert!(held <= MAX_CHECKPOINT_MESSAGES, "{held} messages held");
    }
}
