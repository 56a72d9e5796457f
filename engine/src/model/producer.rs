//! Producers: turn a rate shape into message send times.

use crate::rng::SimRng;
use crate::spec::{ProducerSpec, RateShape};
use crate::time::{TimeUs, US_PER_S};

/// What the producer wants next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextTick {
    /// Send a message at this time.
    Send(TimeUs),
    /// Nothing to send before this time; look again then (the rate changes).
    Wake(TimeUs),
    /// Nothing more unless told (manual, rate 0 forever, or limit reached).
    Idle,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub shape: RateShape,
    pub target_is_queue: bool,
    /// With `target_is_queue`: `target` is a topic, not a queue.
    pub target_is_topic: bool,
    pub target: u16,
    pub confirm: bool,
    pub persistent: bool,
    pub limit: Option<u64>,
    pub retry_us: TimeUs,
    pub produced: u64,
    pub waiting_for_reply: u64,
    /// Bumped whenever the schedule changes, so stale ticks are ignored.
    pub epoch: u32,
    /// Start of the current evenly-spaced segment and messages sent in it.
    seg_start: TimeUs,
    seg_sent: u64,
    seg_rate: f64,
    /// Fault: the next publish is dropped on the wire.
    pub drop_next: bool,
    /// Fault pending: the confirm of the next stored publish is lost.
    pub drop_next_confirm: bool,
    /// Fault pending: the next publish is held up this long on the wire.
    pub delay_next_us: TimeUs,
    /// Copies sent again because a confirm was lost (the broker had the
    /// message already).
    pub duplicates: u64,
    /// When the last message was sent (a new rate keeps the spacing from it).
    last_sent_us: Option<TimeUs>,
}

impl Producer {
    pub fn new(spec: &ProducerSpec, target_is_queue: bool, target: u16) -> Self {
        Producer {
            shape: spec.rate.clone(),
            target_is_queue,
            target_is_topic: false,
            target,
            confirm: spec.confirm,
            persistent: spec.persistent,
            limit: spec.limit,
            retry_us: spec.retry_us,
            produced: 0,
            waiting_for_reply: 0,
            epoch: 0,
            seg_start: 0,
            seg_sent: 0,
            seg_rate: 0.0,
            drop_next: false,
            drop_next_confirm: false,
            delay_next_us: 0,
            duplicates: 0,
            last_sent_us: None,
        }
    }

    /// The rate in force at `t` and the next time it changes.
    pub fn rate_at(&self, t: TimeUs) -> (f64, Option<TimeUs>) {
        match &self.shape {
            RateShape::Constant {
                rate_per_s,
                start_us,
            } => {
                if t < *start_us {
                    (0.0, Some(*start_us))
                } else {
                    (*rate_per_s, None)
                }
            }
            RateShape::Poisson { rate_per_s } => (*rate_per_s, None),
            RateShape::Burst {
                rate_per_s,
                start_us,
                length_us,
            } => {
                let end = start_us.saturating_add(*length_us);
                if t < *start_us {
                    (0.0, Some(*start_us))
                } else if t < end {
                    (*rate_per_s, Some(end))
                } else {
                    (0.0, None)
                }
            }
            RateShape::Steps { steps } => {
                let mut rate = 0.0;
                let mut next = None;
                for s in steps {
                    if s.at_us <= t {
                        rate = s.rate_per_s;
                    } else {
                        next = Some(s.at_us);
                        break;
                    }
                }
                (rate, next)
            }
            RateShape::Manual => (0.0, None),
        }
    }

    /// The current nominal rate (for display).
    pub fn current_rate(&self, t: TimeUs) -> f64 {
        self.rate_at(t).0
    }

    fn limit_reached(&self) -> bool {
        self.limit.is_some_and(|l| self.produced >= l)
    }

    /// Plans the next tick after one at `now` (which may have just sent).
    pub fn plan(&mut self, now: TimeUs, rng: &mut SimRng) -> NextTick {
        if self.limit_reached() {
            return NextTick::Idle;
        }
        let (rate, change) = self.rate_at(now);
        if rate <= 0.0 {
            self.seg_rate = 0.0;
            return change.map_or(NextTick::Idle, NextTick::Wake);
        }
        let next = if matches!(self.shape, RateShape::Poisson { .. }) {
            let gap = rng.exponential(US_PER_S as f64 / rate).round() as TimeUs;
            now.saturating_add(gap.max(1))
        } else {
            if self.seg_rate != rate {
                // A new evenly spaced segment. Send times are computed from
                // the segment start (no accumulated rounding), so a 1 s burst
                // at 100,000/s sends exactly 100,000. The first send keeps
                // the new spacing from the last one, so changing the rate
                // does not fire an extra message at once.
                let gap = (US_PER_S as f64 / rate).round() as TimeUs;
                let start = match self.last_sent_us {
                    Some(last) => last.saturating_add(gap).max(now),
                    None => now,
                };
                self.seg_rate = rate;
                self.seg_start = start;
                self.seg_sent = 0;
                return match change {
                    Some(c) if start >= c => NextTick::Wake(c),
                    _ => NextTick::Send(start),
                };
            }
            let offset = (self.seg_sent as f64 * US_PER_S as f64 / rate).round() as TimeUs;
            self.seg_start.saturating_add(offset).max(now)
        };
        match change {
            Some(c) if next >= c => NextTick::Wake(c),
            _ => NextTick::Send(next),
        }
    }

    /// Records one send in the current segment.
    pub fn note_sent(&mut self, now: TimeUs) {
        self.produced += 1;
        self.seg_sent += 1;
        self.last_sent_us = Some(now);
    }

    /// Replaces the rate from `now` on and invalidates pending ticks.
    pub fn set_rate(&mut self, rate_per_s: f64, now: TimeUs) {
        self.shape = match &self.shape {
            RateShape::Poisson { .. } => RateShape::Poisson { rate_per_s },
            RateShape::Burst {
                start_us,
                length_us,
                ..
            } if now < start_us.saturating_add(*length_us) => RateShape::Burst {
                rate_per_s,
                start_us: *start_us,
                length_us: *length_us,
            },
            _ => RateShape::Constant {
                rate_per_s,
                start_us: now,
            },
        };
        self.seg_rate = 0.0;
        self.epoch = self.epoch.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::RateStep;

    fn producer(shape: RateShape) -> Producer {
        Producer::new(
            &ProducerSpec {
                name: "p".into(),
                rate: shape,
                target: "q".into(),
                confirm: false,
                persistent: false,
                limit: None,
                retry_us: 1,
            },
            true,
            0,
        )
    }

    /// Drives the plan like the simulation does and returns send times.
    fn sends(p: &mut Producer, until: TimeUs) -> Vec<TimeUs> {
        let mut rng = SimRng::new(1);
        let mut out = Vec::new();
        let mut now = 0;
        let mut tick = p.plan(now, &mut rng);
        loop {
            match tick {
                NextTick::Send(t) if t < until => {
                    now = t;
                    out.push(t);
                    p.note_sent(t);
                }
                NextTick::Wake(t) if t < until => now = t,
                _ => break,
            }
            tick = p.plan(now, &mut rng);
        }
        out
    }

    #[test]
    fn burst_sends_exactly_rate_times_length() {
        let mut p = producer(RateShape::Burst {
            rate_per_s: 100_000.0,
            start_us: 500_000,
            length_us: 1_000_000,
        });
        let s = sends(&mut p, 10_000_000);
        assert_eq!(s.len(), 100_000);
        assert_eq!(s[0], 500_000);
        assert_eq!(s[1], 500_010);
        assert!(*s.last().unwrap() < 1_500_000);
    }

    #[test]
    fn odd_rates_do_not_drift() {
        let mut p = producer(RateShape::Burst {
            rate_per_s: 3_000.0,
            start_us: 0,
            length_us: 1_000_000,
        });
        assert_eq!(sends(&mut p, 5_000_000).len(), 3_000);
    }

    #[test]
    fn steps_change_the_rate() {
        let mut p = producer(RateShape::Steps {
            steps: vec![
                RateStep {
                    at_us: 0,
                    rate_per_s: 10.0,
                },
                RateStep {
                    at_us: 1_000_000,
                    rate_per_s: 0.0,
                },
                RateStep {
                    at_us: 2_000_000,
                    rate_per_s: 100.0,
                },
            ],
        });
        let s = sends(&mut p, 3_000_000);
        assert_eq!(s.iter().filter(|t| **t < 1_000_000).count(), 10);
        assert_eq!(
            s.iter()
                .filter(|t| (1_000_000..2_000_000).contains(*t))
                .count(),
            0
        );
        assert_eq!(s.iter().filter(|t| **t >= 2_000_000).count(), 100);
    }

    #[test]
    fn poisson_has_the_right_mean_rate() {
        let mut p = producer(RateShape::Poisson { rate_per_s: 1000.0 });
        let n = sends(&mut p, 10_000_000).len() as f64;
        assert!((n / 10_000.0 - 1.0).abs() < 0.05, "{n}");
    }

    #[test]
    fn a_new_rate_keeps_its_spacing_from_the_last_send() {
        let mut rng = SimRng::new(1);
        let mut p = producer(RateShape::Constant {
            rate_per_s: 1.0,
            start_us: 0,
        });
        assert_eq!(p.plan(0, &mut rng), NextTick::Send(0));
        p.note_sent(0);
        // 0.9 s later the learner doubles the rate: the next send is 0.5 s
        // after the last one, not right now.
        p.set_rate(2.0, 900_000);
        assert_eq!(p.plan(900_000, &mut rng), NextTick::Send(900_000));
        p.note_sent(0);
        let mut p = producer(RateShape::Constant {
            rate_per_s: 1.0,
            start_us: 0,
        });
        p.plan(0, &mut rng);
        p.note_sent(0);
        p.set_rate(2.0, 300_000);
        assert_eq!(p.plan(300_000, &mut rng), NextTick::Send(500_000));
    }

    #[test]
    fn manual_and_limits_are_idle() {
        let mut p = producer(RateShape::Manual);
        assert!(sends(&mut p, 1_000_000).is_empty());
        let mut p = producer(RateShape::Constant {
            rate_per_s: 100.0,
            start_us: 0,
        });
        p.limit = Some(5);
        assert_eq!(sends(&mut p, 10_000_000).len(), 5);
    }
}
