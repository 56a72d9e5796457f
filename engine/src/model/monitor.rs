//! A monitoring panel as an operations team runs one: at every sample it
//! reads the queue length, the processing rate and mean latency over the
//! last `window`, and the success rate of the last [`SUCCESS_ORDERS`]
//! orders; keeps a bounded series of them for the charts; and raises or
//! clears two alerts: the queue longer than a threshold, the success rate
//! under one.
//!
//! The success rate counts orders, not time: after a burst of failures a
//! recovery of a few dozen orders shows at once, and a quiet spell keeps
//! the last reading instead of reading "no data".
//!
//! Knows nothing of the event loop: it is told each order's outcome and
//! handed cumulative counters at each sample, and answers with the
//! alerts that changed.

use std::collections::VecDeque;

use serde::Serialize;

use crate::time::TimeUs;

/// Points the charts keep (the newest).
pub const MONITOR_POINTS: usize = 120;
/// Alert changes the panel lists (the newest).
pub const ALERT_HISTORY: usize = 8;
/// The success rate is read over this many of the latest orders.
pub const SUCCESS_ORDERS: usize = 50;

/// Cumulative order outcomes at one sample.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    pub created: u64,
    pub failed: u64,
    /// Sum of the created orders' latencies, µs.
    pub latency_sum_us: u128,
}

/// One point of the monitoring charts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MonitorPoint {
    pub t_us: TimeUs,
    pub queue_len: u64,
    /// Orders finished (created or failed) per second over the window.
    pub processed_per_s: f64,
    /// Created ÷ finished over the latest [`SUCCESS_ORDERS`] orders, in
    /// per cent; `None` before the first one.
    pub success_pct: Option<f64>,
    /// Mean time from request to order created over the window, µs.
    pub mean_latency_us: Option<f64>,
}

/// What an alert watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The queue is longer than its threshold.
    QueueBacklog,
    /// The success rate is under its threshold.
    LowSuccess,
}

/// An alert raised or cleared.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct AlertChange {
    pub kind: AlertKind,
    pub at_us: TimeUs,
    pub firing: bool,
    /// The reading that crossed the threshold (a length, or a per cent).
    pub value: f64,
}

#[derive(Clone, Debug)]
pub struct Monitor {
    window_samples: usize,
    queue_threshold: u64,
    success_threshold_pct: f64,
    history: VecDeque<(TimeUs, Totals)>,
    /// The latest orders' outcomes (true: created), oldest first.
    outcomes: VecDeque<bool>,
    pub points: VecDeque<MonitorPoint>,
    /// When each alert fired, while it fires (`QueueBacklog`, `LowSuccess`).
    pub firing: [Option<TimeUs>; 2],
    pub fired: u64,
    pub changes: VecDeque<AlertChange>,
}

impl Monitor {
    /// Readings over the last `window_samples` samples.
    pub fn new(window_samples: usize, queue_threshold: u64, success_threshold_pct: f64) -> Self {
        Monitor {
            window_samples: window_samples.max(1),
            queue_threshold,
            success_threshold_pct,
            history: VecDeque::new(),
            outcomes: VecDeque::with_capacity(SUCCESS_ORDERS),
            points: VecDeque::with_capacity(MONITOR_POINTS),
            firing: [None; 2],
            fired: 0,
            changes: VecDeque::new(),
        }
    }

    /// An order finished: created (`true`) or failed.
    pub fn record(&mut self, created: bool) {
        if self.outcomes.len() == SUCCESS_ORDERS {
            self.outcomes.pop_front();
        }
        self.outcomes.push_back(created);
    }

    /// A sample at `t_us`: the point for the charts, and the alerts that
    /// fired or cleared.
    pub fn sample(&mut self, t_us: TimeUs, queue_len: u64, now: Totals) -> Vec<AlertChange> {
        self.history.push_back((t_us, now));
        while self.history.len() > self.window_samples + 1 {
            self.history.pop_front();
        }
        let (t0, then) = self.history[0];
        let created = now.created - then.created;
        let finished = created + (now.failed - then.failed);
        let span_us = t_us.saturating_sub(t0).max(1);
        let point = MonitorPoint {
            t_us,
            queue_len,
            processed_per_s: finished as f64 * 1e6 / span_us as f64,
            success_pct: (!self.outcomes.is_empty()).then(|| {
                let ok = self.outcomes.iter().filter(|o| **o).count();
                ok as f64 * 100.0 / self.outcomes.len() as f64
            }),
            mean_latency_us: (created > 0)
                .then(|| (now.latency_sum_us - then.latency_sum_us) as f64 / created as f64),
        };
        if self.points.len() == MONITOR_POINTS {
            self.points.pop_front();
        }
        self.points.push_back(point);
        let mut out = Vec::new();
        let readings = [
            (queue_len > self.queue_threshold, queue_len as f64),
            match point.success_pct {
                Some(pct) => (pct < self.success_threshold_pct, pct),
                None => (false, 0.0),
            },
        ];
        for (i, (bad, value)) in readings.into_iter().enumerate() {
            if bad == self.firing[i].is_some() {
                continue;
            }
            self.firing[i] = bad.then_some(t_us);
            self.fired += bad as u64;
            let change = AlertChange {
                kind: [AlertKind::QueueBacklog, AlertKind::LowSuccess][i],
                at_us: t_us,
                firing: bad,
                value,
            };
            if self.changes.len() == ALERT_HISTORY {
                self.changes.pop_front();
            }
            self.changes.push_back(change);
            out.push(change);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(created: u64, failed: u64) -> Totals {
        Totals {
            created,
            failed,
            latency_sum_us: created as u128 * 1_000,
        }
    }

    #[test]
    fn a_long_queue_fires_once_and_clears_when_it_drains() {
        let mut m = Monitor::new(4, 10_000, 95.0);
        assert!(
            m.sample(0, 10_000, totals(0, 0)).is_empty(),
            "at the threshold"
        );
        let fired = m.sample(1, 10_001, totals(0, 0));
        assert_eq!(fired.len(), 1);
        assert!(fired[0].firing && fired[0].kind == AlertKind::QueueBacklog);
        assert!(m.sample(2, 20_000, totals(0, 0)).is_empty(), "still firing");
        let cleared = m.sample(3, 5, totals(0, 0));
        assert!(!cleared[0].firing);
        assert_eq!((m.fired, m.firing[0]), (1, None));
    }

    #[test]
    fn success_is_read_over_the_latest_orders_and_rates_over_the_window() {
        let mut m = Monitor::new(2, u64::MAX, 95.0);
        m.sample(0, 0, totals(0, 0));
        assert_eq!(m.points.back().unwrap().success_pct, None, "no order yet");
        for i in 0..SUCCESS_ORDERS {
            m.record(i % 10 != 0); // one in ten fails: 90 %
        }
        let fired = m.sample(1_000_000, 0, totals(45, 5));
        assert_eq!(fired[0].kind, AlertKind::LowSuccess);
        assert_eq!(m.points.back().unwrap().success_pct, Some(90.0));
        // A quiet spell keeps the reading (and the alert).
        assert!(m.sample(2_000_000, 0, totals(45, 5)).is_empty());
        // A recovery of as many orders as the reading spans clears it.
        for _ in 0..SUCCESS_ORDERS {
            m.record(true);
        }
        let cleared = m.sample(3_000_000, 0, totals(95, 5));
        assert!(!cleared[0].firing, "{cleared:?}");
        // Rates are per second over the window: 50 in the last 2 s.
        assert_eq!(m.points.back().unwrap().processed_per_s, 25.0);
        assert_eq!(m.points.back().unwrap().mean_latency_us, Some(1_000.0));
    }

    #[test]
    fn the_series_and_the_alert_list_stay_bounded() {
        let mut m = Monitor::new(1, 0, 95.0);
        for t in 0..10_000u64 {
            m.record(t % 2 == 0);
            m.sample(t, t % 2, totals(t, t));
        }
        assert_eq!(m.points.len(), MONITOR_POINTS);
        assert_eq!(m.changes.len(), ALERT_HISTORY);
    }
}
