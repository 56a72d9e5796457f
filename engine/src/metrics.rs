//! Bounded-memory metrics: latency histograms, time-weighted averages,
//! sliding-window rates and downsampled time series.

use serde::Serialize;

use crate::time::{TimeUs, US_PER_S};

/// Log-linear histogram of durations in µs (about 3% relative error).
///
/// Fixed size whatever the number of samples; mean, min and max are exact.
#[derive(Clone, Debug)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
}

const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS;
const LINEAR: u64 = 2 * SUB; // values below this get their own bucket
const MAX_EXP: u32 = 48;

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: vec![0; Self::bucket_count()],
            count: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }
}

impl Histogram {
    fn bucket_count() -> usize {
        (LINEAR + (MAX_EXP as u64 - (SUB_BITS + 1) as u64 + 1) * SUB) as usize
    }

    fn index(v: u64) -> usize {
        if v < LINEAR {
            return v as usize;
        }
        let e = (63 - v.leading_zeros()).min(MAX_EXP);
        let sub = (v >> (e - SUB_BITS)) & (SUB - 1);
        (LINEAR + (e - SUB_BITS - 1) as u64 * SUB + sub) as usize
    }

    /// Midpoint of a bucket's value range.
    fn value_of(idx: usize) -> u64 {
        let idx = idx as u64;
        if idx < LINEAR {
            return idx;
        }
        let k = idx - LINEAR;
        let e = (k / SUB) as u32 + SUB_BITS + 1;
        let sub = k % SUB;
        let lo = (1u64 << e) | (sub << (e - SUB_BITS));
        let width = 1u64 << (e - SUB_BITS);
        lo + width / 2
    }

    pub fn record(&mut self, v: u64) {
        let idx = Self::index(v).min(self.buckets.len() - 1);
        self.buckets[idx] += 1;
        self.count += 1;
        self.sum += v as u128;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum as f64 / self.count as f64
        }
    }

    pub fn max(&self) -> u64 {
        if self.count == 0 {
            0
        } else {
            self.max
        }
    }

    /// The value at quantile `q` in [0, 1]; 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Self::value_of(i).clamp(self.min, self.max);
            }
        }
        self.max
    }

    pub fn summary(&self) -> LatencySummary {
        LatencySummary {
            count: self.count,
            mean_us: self.mean(),
            p50_us: self.quantile(0.50),
            p95_us: self.quantile(0.95),
            p99_us: self.quantile(0.99),
            max_us: self.max(),
        }
    }

    /// Counts in `bins` equal-width bins from 0 to `max_us` (the last bin
    /// takes everything above), for drawing a histogram.
    pub fn bins(&self, bins: usize, max_us: u64) -> Vec<u64> {
        let bins = bins.max(1);
        let mut out = vec![0; bins];
        let width = (max_us / bins as u64).max(1);
        for (i, n) in self.buckets.iter().enumerate() {
            if *n > 0 {
                let b = ((Self::value_of(i) / width) as usize).min(bins - 1);
                out[b] += n;
            }
        }
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub mean_us: f64,
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

/// Time-weighted average of a level (e.g. queue length) and its maximum.
#[derive(Clone, Debug, Default)]
pub struct Level {
    current: u64,
    max: u64,
    area: u128,
    since: TimeUs,
}

impl Level {
    pub fn set(&mut self, now: TimeUs, value: u64) {
        self.area += self.current as u128 * (now.saturating_sub(self.since)) as u128;
        self.since = now;
        self.current = value;
        self.max = self.max.max(value);
    }

    pub fn current(&self) -> u64 {
        self.current
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    pub fn mean(&self, now: TimeUs) -> f64 {
        let area = self.area + self.current as u128 * (now.saturating_sub(self.since)) as u128;
        if now == 0 {
            self.current as f64
        } else {
            area as f64 / now as f64
        }
    }
}

/// The latest `n + 1` samples of something cumulative, taken at a fixed
/// interval: the oldest and the newest of them bound a sliding window.
#[derive(Clone, Debug)]
struct SampleRing<T> {
    ring: Vec<T>,
    next: usize,
    filled: usize,
}

impl<T: Copy + Default> SampleRing<T> {
    fn new(window_samples: usize) -> Self {
        SampleRing {
            ring: vec![T::default(); window_samples.max(1) + 1],
            next: 0,
            filled: 0,
        }
    }

    fn push(&mut self, v: T) {
        self.ring[self.next] = v;
        self.next = (self.next + 1) % self.ring.len();
        self.filled = (self.filled + 1).min(self.ring.len());
    }

    /// The oldest and the newest sample, once there are two.
    fn ends(&self) -> Option<(T, T)> {
        let n = self.ring.len();
        (self.filled >= 2).then(|| {
            (
                self.ring[(self.next + n - self.filled) % n],
                self.ring[(self.next + n - 1) % n],
            )
        })
    }
}

/// A rate over a sliding window, from a cumulative counter sampled at a fixed interval.
#[derive(Clone, Debug)]
pub struct RateMeter(SampleRing<(TimeUs, u64)>);

impl RateMeter {
    /// `window_samples` samples make one window.
    pub fn new(window_samples: usize) -> Self {
        RateMeter(SampleRing::new(window_samples))
    }

    pub fn sample(&mut self, now: TimeUs, cumulative: u64) {
        self.0.push((now, cumulative));
    }

    /// Events per second over the window (or what has been seen of it).
    pub fn per_s(&self) -> f64 {
        match self.0.ends() {
            Some((oldest, newest)) if newest.0 > oldest.0 => {
                (newest.1 - oldest.1) as f64 * US_PER_S as f64 / (newest.0 - oldest.0) as f64
            }
            _ => 0.0,
        }
    }
}

/// The mean of what a histogram recorded over a sliding window (its count
/// and sum sampled at a fixed interval): a recent figure that follows a
/// change at once, where the run's mean still remembers the start.
#[derive(Clone, Debug)]
pub struct WindowMean(SampleRing<(u64, u128)>);

impl WindowMean {
    /// `window_samples` samples make one window.
    pub fn new(window_samples: usize) -> Self {
        WindowMean(SampleRing::new(window_samples))
    }

    pub fn sample(&mut self, h: &Histogram) {
        self.0.push((h.count, h.sum));
    }

    /// The mean and the count of the values recorded in the window (or in
    /// what has been seen of it); `(0, 0)` when none was.
    pub fn mean_and_count(&self) -> (f64, u64) {
        match self.0.ends() {
            Some((oldest, newest)) if newest.0 > oldest.0 => {
                let n = newest.0 - oldest.0;
                ((newest.1 - oldest.1) as f64 / n as f64, n)
            }
            _ => (0.0, 0),
        }
    }
}

/// One point of a time series.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SeriesPoint {
    pub t_us: TimeUs,
    pub arrival_per_s: f64,
    pub processed_per_s: f64,
    pub rejected_per_s: f64,
    pub queue_len: u64,
}

/// A time series that never holds more than `capacity` points: when full,
/// neighbouring points are merged pairwise and the interval doubles.
#[derive(Clone, Debug)]
pub struct Series {
    points: Vec<SeriesPoint>,
    capacity: usize,
    /// Accumulates raw samples until `stride` of them make one point.
    pending: Vec<SeriesPoint>,
    stride: usize,
}

impl Series {
    pub fn new(capacity: usize) -> Self {
        Series {
            points: Vec::with_capacity(capacity),
            capacity: capacity.max(4) & !1,
            pending: Vec::new(),
            stride: 1,
        }
    }

    pub fn push(&mut self, p: SeriesPoint) {
        self.pending.push(p);
        if self.pending.len() < self.stride {
            return;
        }
        let merged = merge(&self.pending);
        self.pending.clear();
        self.points.push(merged);
        if self.points.len() >= self.capacity {
            let halved: Vec<SeriesPoint> = self.points.chunks(2).map(merge).collect();
            self.points = halved;
            self.stride *= 2;
        }
    }

    pub fn points(&self) -> &[SeriesPoint] {
        &self.points
    }

    pub fn stride(&self) -> usize {
        self.stride
    }
}

fn merge(ps: &[SeriesPoint]) -> SeriesPoint {
    let n = ps.len() as f64;
    let last = ps[ps.len() - 1];
    SeriesPoint {
        t_us: last.t_us,
        arrival_per_s: ps.iter().map(|p| p.arrival_per_s).sum::<f64>() / n,
        processed_per_s: ps.iter().map(|p| p.processed_per_s).sum::<f64>() / n,
        rejected_per_s: ps.iter().map(|p| p.rejected_per_s).sum::<f64>() / n,
        // Keep the peak so a downsampled chart still shows the worst moment.
        queue_len: ps.iter().map(|p| p.queue_len).max().unwrap_or(0),
    }
}

/// Cumulative totals sampled for rates and the series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub produced: u64,
    pub done: u64,
    /// Rejected, lost or dead-lettered.
    pub failed: u64,
}

/// The run-wide measurements a simulation keeps: time in queue, end-to-end
/// latency and sender response histograms, when messages were done, the
/// sliding-window rates and the downsampled series. All bounded.
#[derive(Clone, Debug)]
pub struct RunStats {
    /// Time spent waiting in a queue, per visit.
    pub wait: Histogram,
    /// Creation to done.
    pub latency: Histogram,
    /// What the sender waited for: the broker's ack or the service's answer.
    pub response: Histogram,
    /// `response` over the latest [`RECENT_WINDOW_US`].
    pub response_recent: WindowMean,
    pub series: Series,
    /// When the first and the latest message was done.
    done_span: Option<(TimeUs, TimeUs)>,
    last: Totals,
    pub arrival: RateMeter,
    pub done: RateMeter,
    pub failed: RateMeter,
}

impl RunStats {
    /// `window_samples` samples make the rates' window, `recent_samples`
    /// the recent means'; the series keeps at most `series_points` points.
    pub fn new(window_samples: usize, recent_samples: usize, series_points: usize) -> Self {
        RunStats {
            wait: Histogram::default(),
            latency: Histogram::default(),
            response: Histogram::default(),
            response_recent: WindowMean::new(recent_samples),
            series: Series::new(series_points),
            done_span: None,
            last: Totals::default(),
            arrival: RateMeter::new(window_samples),
            done: RateMeter::new(window_samples),
            failed: RateMeter::new(window_samples),
        }
    }

    /// A message was done at `now`.
    #[inline]
    pub fn note_done(&mut self, now: TimeUs) {
        self.done_span = Some(match self.done_span {
            None => (now, now),
            Some((first, _)) => (first, now),
        });
    }

    /// When the first and the latest message was done, if any was.
    pub fn done_span(&self) -> Option<(TimeUs, TimeUs)> {
        self.done_span
    }

    /// Mean completion rate between the first and the latest of `done`
    /// completions.
    pub fn processing_rate_per_s(&self, done: u64) -> f64 {
        match self.done_span {
            Some((first, last)) if last > first => {
                (done - 1) as f64 * US_PER_S as f64 / (last - first) as f64
            }
            _ => 0.0,
        }
    }

    /// Takes one periodic sample: a series point (rates since the last
    /// sample, `interval_us` ago) and the rate meters.
    pub fn sample(&mut self, now: TimeUs, interval_us: TimeUs, totals: Totals, queue_len: u64) {
        let dt = interval_us as f64 / US_PER_S as f64;
        let last = self.last;
        self.series.push(SeriesPoint {
            t_us: now,
            arrival_per_s: (totals.produced - last.produced) as f64 / dt,
            processed_per_s: (totals.done - last.done) as f64 / dt,
            rejected_per_s: (totals.failed - last.failed) as f64 / dt,
            queue_len,
        });
        self.last = totals;
        self.arrival.sample(now, totals.produced);
        self.done.sample(now, totals.done);
        self.failed.sample(now, totals.failed);
        self.response_recent.sample(&self.response);
    }
}

/// How far back a recent mean looks: the last 10 s of simulated time.
pub const RECENT_WINDOW_US: TimeUs = 10 * US_PER_S;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_mean_forgets_what_left_the_window() {
        let mut h = Histogram::default();
        let mut w = WindowMean::new(2);
        assert_eq!(w.mean_and_count(), (0.0, 0));
        w.sample(&h);
        for _ in 0..4 {
            h.record(8_000);
        }
        w.sample(&h);
        assert_eq!(w.mean_and_count(), (8_000.0, 4));
        h.record(2_000);
        w.sample(&h);
        assert_eq!(w.mean_and_count(), (6_800.0, 5));
        // The 8,000s slide out; the run's mean still holds them.
        h.record(2_000);
        w.sample(&h);
        assert_eq!(w.mean_and_count(), (2_000.0, 2));
        assert_eq!(h.mean(), 6_000.0);
        w.sample(&h);
        w.sample(&h);
        assert_eq!(
            w.mean_and_count(),
            (0.0, 0),
            "nothing recorded in the window"
        );
    }

    #[test]
    fn histogram_quantiles_are_close() {
        let mut h = Histogram::default();
        for v in 1..=100_000u64 {
            h.record(v);
        }
        let p50 = h.quantile(0.5) as f64;
        let p99 = h.quantile(0.99) as f64;
        assert!((p50 / 50_000.0 - 1.0).abs() < 0.04, "p50 {p50}");
        assert!((p99 / 99_000.0 - 1.0).abs() < 0.04, "p99 {p99}");
        assert_eq!(h.mean(), 50_000.5);
        assert_eq!(h.max(), 100_000);
        assert_eq!(Histogram::default().quantile(0.5), 0);
    }

    #[test]
    fn histogram_small_values_are_exact_and_huge_ones_do_not_panic() {
        let mut h = Histogram::default();
        h.record(7);
        assert_eq!(h.quantile(0.5), 7);
        h.record(u64::MAX);
        assert_eq!(h.max(), u64::MAX);
    }

    #[test]
    fn level_is_time_weighted() {
        let mut l = Level::default();
        l.set(0, 10);
        l.set(1_000, 0);
        assert_eq!(l.mean(2_000), 5.0);
        assert_eq!(l.max(), 10);
    }

    #[test]
    fn rate_meter_measures_per_second() {
        let mut r = RateMeter::new(10);
        for i in 0..=20u64 {
            r.sample(i * 100_000, i * 100);
        }
        assert!((r.per_s() - 1000.0).abs() < 1e-9);
    }

    #[test]
    fn series_stays_bounded_and_keeps_peaks() {
        let mut s = Series::new(64);
        for i in 0..100_000u64 {
            s.push(SeriesPoint {
                t_us: i,
                arrival_per_s: 1.0,
                processed_per_s: 1.0,
                rejected_per_s: 0.0,
                queue_len: if i == 5_000 { 999 } else { 1 },
            });
        }
        assert!(s.points().len() <= 64);
        assert_eq!(s.points().iter().map(|p| p.queue_len).max(), Some(999));
    }
}
