//! `DemoRun`: the reactive wrapper around one or more engine simulations
//! that a demo shows side by side under one transport.
//!
//! The engine stays plain Rust; this module owns the simulations, advances
//! them by real time × speed, and publishes plain-data frames into signals
//! that the widgets read.

use leptos::prelude::*;
use mqlab_engine::metrics::SeriesPoint;
use mqlab_engine::render::LogEntry;
use mqlab_engine::{Action, Movement, Params, ScenarioDef, Sim, Snapshot, TimeUs};

use crate::i18n::{words, Text};

/// Most events one panel may process per animation frame; beyond that the
/// simulation falls behind the chosen speed instead of freezing the page.
pub const EVENT_BUDGET_PER_FRAME: u64 = 150_000;
/// Most message dots drawn per panel.
pub const MAX_DOTS: usize = 120;
/// Entries of the event log kept for display.
pub const LOG_SHOWN: usize = 40;
/// The speeds offered by the transport.
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// One side of a side-by-side demo: the same parameters with a few fixed.
#[derive(Clone, Copy, Debug)]
pub struct PanelDef {
    /// Used in `data-testid="panel-<id>"`.
    pub id: &'static str,
    pub title: Text,
    /// Parameters this panel fixes (e.g. `("queue", 0.0)`); its controls
    /// are not shown.
    pub fixed: &'static [(&'static str, f64)],
}

/// What one panel shows at the current moment.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelFrame {
    pub snap: Snapshot,
    /// Dots in flight right now (a sample when there are many).
    pub moves: Vec<Movement>,
}

#[derive(Clone, Copy)]
pub struct DemoRun {
    pub def: &'static ScenarioDef,
    pub panels: &'static [PanelDef],
    sims: StoredValue<Vec<Sim>>,
    pub params: RwSignal<Params>,
    pub seed: RwSignal<u64>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub frames: RwSignal<Vec<PanelFrame>>,
    pub series: RwSignal<Vec<Vec<SeriesPoint>>>,
    pub logs: RwSignal<Vec<Vec<LogEntry>>>,
    /// The simulation could not keep up with the chosen speed last frame.
    pub behind: RwSignal<bool>,
    /// Nothing is left to happen in any panel.
    pub idle: RwSignal<bool>,
    /// A message for the learner (e.g. "the run restarted").
    pub notice: RwSignal<Option<Text>>,
    /// On screen (off-screen demos pause their animation loop).
    pub visible: RwSignal<bool>,
    /// Whether to draw moving dots (off under prefers-reduced-motion).
    pub show_dots: RwSignal<bool>,
    seen: StoredValue<Vec<(u64, usize, TimeUs)>>,
}

impl DemoRun {
    /// Creates the run with the scenario's defaults and the given seed.
    pub fn new(
        def: &'static ScenarioDef,
        panels: &'static [PanelDef],
        speed: f64,
        seed: u64,
    ) -> Self {
        let run = DemoRun {
            def,
            panels,
            sims: StoredValue::new(Vec::new()),
            params: RwSignal::new(def.defaults()),
            seed: RwSignal::new(seed),
            playing: RwSignal::new(false),
            speed: RwSignal::new(speed),
            frames: RwSignal::new(Vec::new()),
            series: RwSignal::new(Vec::new()),
            logs: RwSignal::new(Vec::new()),
            behind: RwSignal::new(false),
            idle: RwSignal::new(false),
            notice: RwSignal::new(None),
            visible: RwSignal::new(true),
            show_dots: RwSignal::new(true),
            seen: StoredValue::new(Vec::new()),
        };
        run.rebuild();
        run
    }

    /// The parameters one panel runs with.
    pub fn panel_params(&self, panel: usize) -> Params {
        let mut p = self.params.get_untracked();
        for (k, v) in self.panels[panel].fixed {
            p.set(k, *v);
        }
        p
    }

    /// Whether a parameter is fixed by every panel (so it needs no control).
    pub fn is_fixed_everywhere(&self, key: &str) -> bool {
        self.panels
            .iter()
            .all(|p| p.fixed.iter().any(|(k, _)| *k == key))
    }

    fn rebuild(&self) {
        let seed = self.seed.get_untracked();
        let sims: Vec<Sim> = (0..self.panels.len())
            .map(|i| {
                let spec = (self.def.build)(&self.panel_params(i));
                Sim::new(&spec, seed).unwrap_or_else(|_| {
                    // Parameters are clamped to their ranges, so this is a
                    // bug; fall back to defaults rather than a dead widget.
                    let spec = (self.def.build)(&self.def.defaults());
                    Sim::new(&spec, seed).expect("default scenario is valid")
                })
            })
            .collect();
        self.sims.set_value(sims);
        self.seen
            .set_value(vec![(u64::MAX, usize::MAX, 0); self.panels.len()]);
        self.publish();
    }

    /// Copies what the widgets need out of the simulations.
    pub fn publish(&self) {
        let show_dots = self.show_dots.get_untracked();
        let mut series_changed = false;
        let mut logs_changed = false;
        let mut new_series = Vec::new();
        let mut new_logs = Vec::new();
        let mut idle = true;
        let frames: Vec<PanelFrame> = self.sims.with_value(|sims| {
            let mut seen = self.seen.get_value();
            let frames = sims
                .iter()
                .enumerate()
                .map(|(i, sim)| {
                    idle &= sim.is_idle();
                    let pts = sim.series().points();
                    let key = (
                        sim.log().written(),
                        pts.len(),
                        pts.last().map(|p| p.t_us).unwrap_or(0),
                    );
                    let old = seen.get(i).copied().unwrap_or((u64::MAX, usize::MAX, 0));
                    if (key.1, key.2) != (old.1, old.2) {
                        series_changed = true;
                    }
                    if key.0 != old.0 {
                        logs_changed = true;
                    }
                    if let Some(s) = seen.get_mut(i) {
                        *s = key;
                    }
                    new_series.push(pts.to_vec());
                    let entries: Vec<LogEntry> =
                        sim.log().entries().rev().take(LOG_SHOWN).cloned().collect();
                    new_logs.push(entries);
                    let now = sim.now();
                    PanelFrame {
                        snap: sim.snapshot(),
                        moves: if show_dots {
                            sim.movements_between(now, now, MAX_DOTS)
                        } else {
                            Vec::new()
                        },
                    }
                })
                .collect();
            self.seen.set_value(seen);
            frames
        });
        self.frames.set(frames);
        if series_changed {
            self.series.set(new_series);
        }
        if logs_changed {
            self.logs.set(new_logs);
        }
        if self.idle.get_untracked() != idle {
            self.idle.set(idle);
        }
    }

    /// The shared simulated clock (the slowest panel).
    pub fn now(&self) -> TimeUs {
        self.sims
            .with_value(|s| s.iter().map(Sim::now).min().unwrap_or(0))
    }

    /// Advances by `real_ms` of wall time at the current speed.
    pub fn advance(&self, real_ms: f64) {
        // A long gap (tab in background, debugger) is not a reason to jump.
        let real_ms = if real_ms.is_finite() {
            real_ms.clamp(0.0, 100.0)
        } else {
            0.0
        };
        let dt = (real_ms * 1_000.0 * self.speed.get_untracked()) as TimeUs;
        if dt == 0 {
            return;
        }
        let target = self.now() + dt;
        let behind = self.sims.try_update_value(|sims| {
            let mut behind = false;
            for sim in sims.iter_mut() {
                behind |= !sim.run_until_bounded(target, EVENT_BUDGET_PER_FRAME);
            }
            behind
        });
        let behind = behind.unwrap_or(false);
        if self.behind.get_untracked() != behind {
            self.behind.set(behind);
        }
        self.publish();
    }

    /// Runs the next event (the earliest across panels) and brings the other
    /// panels to the same time.
    pub fn step(&self) {
        self.playing.set(false);
        self.sims.update_value(|sims| {
            let next = sims
                .iter()
                .enumerate()
                .filter(|(_, s)| !s.is_idle())
                .min_by_key(|(_, s)| s.next_event_time().unwrap_or(TimeUs::MAX))
                .map(|(i, _)| i);
            let Some(i) = next else { return };
            if let Some(t) = sims[i].step_visible() {
                for s in sims.iter_mut() {
                    s.run_until(t);
                }
            }
        });
        self.publish();
    }

    pub fn toggle_play(&self) {
        self.playing.update(|p| *p = !*p);
    }

    /// Starts again from time 0 with the current parameters and seed.
    pub fn reset(&self) {
        self.playing.set(false);
        self.behind.set(false);
        self.rebuild();
    }

    pub fn set_seed(&self, seed: u64) {
        self.seed.set(seed);
        self.reset();
    }

    pub fn set_speed(&self, speed: f64) {
        let s = if speed.is_finite() {
            speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1])
        } else {
            1.0
        };
        self.speed.set(s);
    }

    /// Changes a parameter: live if the scenario allows it in every panel,
    /// otherwise the run restarts with the new value (and says so).
    pub fn set_param(&self, key: &str, value: f64) {
        let Some(def) = self.def.param(key) else {
            return;
        };
        let v = def.clamp(value);
        if self.params.get_untracked().get(key) == v {
            return;
        }
        self.params.update(|p| p.set(key, v));
        let actions: Vec<Option<Action>> = (0..self.panels.len())
            .map(|i| {
                if self.panels[i].fixed.iter().any(|(k, _)| *k == key) {
                    return None; // not this panel's business
                }
                let p = self.panel_params(i);
                (self.def.live)(&p, key, v)
            })
            .collect();
        let affected: Vec<usize> = (0..self.panels.len())
            .filter(|i| !self.panels[*i].fixed.iter().any(|(k, _)| *k == key))
            .collect();
        let all_live = affected.iter().all(|i| actions[*i].is_some());
        if all_live {
            self.sims.update_value(|sims| {
                for (i, a) in actions.into_iter().enumerate() {
                    if let Some(a) = a {
                        let _ = sims[i].apply(a);
                    }
                }
            });
            self.publish();
        } else {
            let was_playing = self.playing.get_untracked();
            self.rebuild();
            self.notice.set(Some(words::RESTART_NOTICE));
            self.playing.set(was_playing);
        }
    }

    /// Applies an action (a fault or a button) to the panels that accept it;
    /// `pick` returns the action for a panel index, or `None` to skip it.
    pub fn act(&self, pick: impl Fn(usize) -> Option<Action>) {
        self.sims.update_value(|sims| {
            for (i, sim) in sims.iter_mut().enumerate() {
                if let Some(a) = pick(i) {
                    let _ = sim.apply(a);
                }
            }
        });
        self.publish();
    }

    /// Read access to one panel's simulation (tests, summaries).
    pub fn with_sim<R>(&self, panel: usize, f: impl FnOnce(&Sim) -> R) -> Option<R> {
        self.sims.with_value(|s| s.get(panel).map(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos::prelude::Owner;
    use mqlab_engine::scenario::find;

    static PANELS: [PanelDef; 2] = [
        PanelDef {
            id: "queue",
            title: Text::new("有队列", "With a queue"),
            fixed: &[("queue", 1.0)],
        },
        PanelDef {
            id: "direct",
            title: Text::new("无队列", "Without a queue"),
            fixed: &[("queue", 0.0)],
        },
    ];

    #[test]
    fn panels_share_a_clock_and_params_apply_live_or_restart() {
        let owner = Owner::new();
        owner.with(|| {
            let run = DemoRun::new(find("peak-shaving").unwrap(), &PANELS, 1.0, 1);
            assert_eq!(run.frames.get_untracked().len(), 2);
            run.playing.set(true);
            run.speed.set(64.0);
            for _ in 0..20 {
                run.advance(50.0);
            }
            let t = run.now();
            assert!(t > 1_000_000, "advanced {t}");
            let frames = run.frames.get_untracked();
            assert!(frames[0].snap.queued() > 0, "the burst waits in the queue");
            assert!(
                frames[1]
                    .snap
                    .ledger
                    .count(mqlab_engine::MsgState::Rejected)
                    > 90_000
            );

            // A live change keeps the clock; a structural one restarts.
            run.set_param("db_rate_per_s", 2_000.0);
            assert_eq!(run.now(), t);
            assert!(run.notice.get_untracked().is_none());
            run.set_param("burst_ms", 500.0);
            assert_eq!(run.now(), 0);
            assert!(run.notice.get_untracked().is_some());
            // Out-of-range values are clamped, never a panic.
            run.set_param("consumers", 1e12);
            assert_eq!(run.params.get_untracked().get("consumers"), 200.0);
            run.set_param("no-such-key", 1.0);
        });
    }

    #[test]
    fn step_runs_one_event_and_reset_goes_back_to_zero() {
        let owner = Owner::new();
        owner.with(|| {
            let run = DemoRun::new(find("components").unwrap(), &PANELS[..1], 1.0, 7);
            let before = run.frames.get_untracked()[0].snap.events;
            run.step();
            let after = run.frames.get_untracked()[0].snap.events;
            assert!(after > before);
            run.reset();
            assert_eq!(run.now(), 0);
        });
    }
}
