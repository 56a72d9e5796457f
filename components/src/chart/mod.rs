//! Time-series chart: arrival rate, processing rate and rejected/lost rate
//! (per second, often on a log scale) and, in a strip of its own under
//! them with its own linear axis, queue length. (On one plot, a linear
//! queue line over a log rate axis read as the wrong number: 81,060 queued
//! sat at the rate axis's "10,000".)

use leptos::prelude::*;
use mqlab_engine::metrics::SeriesPoint;

use crate::format::{clock, number, px};
use crate::i18n::{use_lang, words, Text};
use crate::text;

pub mod axis;
use axis::{nice_ceil, y_grid, PlotBox};

/// The rates' plot, on top.
const PLOT: PlotBox = PlotBox {
    width: 560.0,
    height: 250.0,
    pad_left: 56.0,
    pad_right: 16.0,
    pad_top: 14.0,
    pad_bottom: 86.0,
};
/// The queue-length strip under it, sharing its time axis.
const QUEUE_PLOT: PlotBox = PlotBox {
    pad_top: 182.0,
    pad_bottom: 24.0,
    ..PLOT
};

/// Rounds an axis maximum up to 1, 2 or 5 × a power of ten.
fn nice_max(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    nice_ceil(v, &[1.0, 2.0, 5.0])
}

/// A vertical scale: linear, or log10 from 1 when values span decades
/// (a 100,000/s burst would otherwise flatten a 1,000/s processing rate).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub max: f64,
    pub log: bool,
}

impl Scale {
    pub fn for_max(max: f64, allow_log: bool) -> Self {
        let max = nice_max(max);
        Scale {
            max,
            log: allow_log && max > 1_000.0,
        }
    }

    /// Fraction of the axis height for a value, in [0, 1].
    pub fn frac(&self, v: f64) -> f64 {
        if !v.is_finite() || v <= 0.0 {
            return 0.0;
        }
        let f = if self.log {
            v.max(1.0).log10() / self.max.log10()
        } else {
            v / self.max
        };
        f.clamp(0.0, 1.0)
    }

    /// Values worth a grid line: decades on a log scale, the midpoint otherwise.
    pub fn ticks(&self) -> Vec<f64> {
        if self.log {
            let mut t = Vec::new();
            let mut v = 10.0;
            while v < self.max {
                t.push(v);
                v *= 10.0;
            }
            t
        } else {
            vec![self.max / 2.0]
        }
    }
}

/// How much time the chart spans, in µs: up to now; but when a panel has
/// been quiet for longer than it was busy (no-queue peak-shaving, whose
/// burst is over in seconds while the other side drains for minutes), up
/// to a quarter past its last activity, so that what happened is not a
/// sliver at the left edge (issue 11). The end label says where it ends.
fn span_us(points: &[SeriesPoint]) -> f64 {
    let now = points.last().map_or(0, |p| p.t_us);
    let busy = |p: &&SeriesPoint| {
        p.arrival_per_s > 0.0
            || p.processed_per_s > 0.0
            || p.rejected_per_s > 0.0
            || p.queue_len > 0
    };
    let last_busy = points.iter().rev().find(busy).map_or(now, |p| p.t_us);
    (now.min(last_busy + last_busy / 4) as f64).max(1.0)
}

fn polyline(
    plot: PlotBox,
    points: &[SeriesPoint],
    t_max: f64,
    scale: Scale,
    f: impl Fn(&SeriesPoint) -> f64,
) -> String {
    use mqlab_engine::num::push_fixed;
    let mut s = String::with_capacity(points.len() * 12);
    for p in points.iter().take_while(|p| p.t_us as f64 <= t_max) {
        let x = plot.x(p.t_us as f64 / t_max);
        let y = plot.y(scale.frac(f(p)));
        push_fixed(&mut s, x, 1);
        s.push(',');
        push_fixed(&mut s, y, 1);
        s.push(' ');
    }
    s
}

/// The chart for one panel's series.
#[component]
pub fn TimeSeriesChart(
    /// Points to draw (already downsampled by the engine).
    #[prop(into)]
    series: Signal<Vec<SeriesPoint>>,
    /// Whether the run has a queue: without one the strip says so instead
    /// of drawing an axis for something that does not exist.
    #[prop(into)]
    queue: Signal<bool>,
    /// Accessible name of the chart.
    #[prop(into)]
    label: Signal<String>,
) -> impl IntoView {
    let lang = use_lang();
    let geometry = Memo::new(move |_| {
        series.with(|pts| {
            let t_max = span_us(pts);
            let rate = Scale::for_max(
                pts.iter()
                    .map(|p| p.arrival_per_s.max(p.processed_per_s).max(p.rejected_per_s))
                    .fold(0.0, f64::max),
                true,
            );
            let queue = Scale::for_max(
                pts.iter().map(|p| p.queue_len as f64).fold(0.0, f64::max),
                false,
            );
            (
                polyline(PLOT, pts, t_max, rate, |p| p.arrival_per_s),
                polyline(PLOT, pts, t_max, rate, |p| p.processed_per_s),
                polyline(PLOT, pts, t_max, rate, |p| p.rejected_per_s),
                polyline(QUEUE_PLOT, pts, t_max, queue, |p| p.queue_len as f64),
                rate,
                queue,
                t_max,
            )
        })
    });
    let g = move || geometry.get();
    let per_s = move || words::PER_S.get(lang.get());
    let (left, right, top, bottom) = (PLOT.left(), PLOT.right(), PLOT.top(), PLOT.bottom());
    let (q_top, q_bottom) = (QUEUE_PLOT.top(), QUEUE_PLOT.bottom());
    view! {
        // Without a queue the strip says so instead of drawing an axis for
        // something that does not exist (chart.css).
        <figure class="chart" class:no-queue=move || !queue.get() data-testid="chart">
            <svg class="chart-svg" viewBox=PLOT.view_box() role="img" aria-label=move || label.get()>
                <rect class="chart-bg" x=px(left) y=px(top) width=px(PLOT.plot_width()) height=px(PLOT.plot_height()) />
                <rect class="chart-bg" x=px(left) y=px(q_top) width=px(QUEUE_PLOT.plot_width()) height=px(QUEUE_PLOT.plot_height()) />
                <polyline class="line arrival" points=move || g().0 />
                <polyline class="line processed" points=move || g().1 />
                <polyline class="line failed" points=move || g().2 />
                {move || {
                    let s = g().4;
                    y_grid(PLOT, s.ticks().into_iter().map(move |v| (s.frac(v), number(v))), "grid", "axis")
                }}
                <text class="axis" x=px(left - 6.0) y=px(top + 10.0) text-anchor="end">{move || number(g().4.max)}</text>
                <text class="axis" x=px(left - 6.0) y=px(bottom) text-anchor="end">"0"</text>
                <text class="axis unit" x=px(right - 4.0) y=px(top + 12.0) text-anchor="end">
                    {move || if g().4.log { format!("{} ({})", per_s(), words::LOG_SCALE.get(lang.get())) } else { per_s().to_string() }}
                </text>
                <polyline class="line queue" points=move || g().3 />
                <text class="axis queue" x=px(left - 6.0) y=px(q_top + 10.0) text-anchor="end">{move || crate::format::thousands(g().5.max as u64)}</text>
                <text class="axis queue" x=px(left - 6.0) y=px(q_bottom) text-anchor="end">"0"</text>
                <text class="axis queue" x=px(right) y=px(q_top - 4.0) text-anchor="end">
                    {move || format!("{} ({})", words::QUEUE_LENGTH.get(lang.get()), words::MESSAGES.get(lang.get()))}
                </text>
                <text class="axis no-queue-note" x=px(QUEUE_PLOT.x(0.5)) y=px(q_top + 25.0) text-anchor="middle">{move || NO_QUEUE.get(lang.get())}</text>
                <text class="axis" x=px(right) y=px(PLOT.height - 6.0) text-anchor="end">{move || clock(g().6 as u64)}</text>
                <text class="axis" x=px(left) y=px(PLOT.height - 6.0)>"00:00"</text>
            </svg>
            <figcaption class="chart-legend">
                <span class="key arrival">{move || words::ARRIVAL_RATE.get(lang.get())}</span>
                <span class="key processed">{move || words::PROCESSING_RATE.get(lang.get())}</span>
                <span class="key failed">{move || words::FAILED_RATE.get(lang.get())}</span>
            </figcaption>
        </figure>
    }
}

const NO_QUEUE: Text = text!(
    "这一侧没有队列：没有消息在等待",
    "No queue on this side: nothing waits"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn point(t_s: u64, rate: f64) -> SeriesPoint {
        SeriesPoint {
            t_us: t_s * 1_000_000,
            arrival_per_s: rate,
            processed_per_s: 0.0,
            rejected_per_s: rate,
            queue_len: 0,
        }
    }

    #[test]
    fn a_panel_quiet_for_long_is_zoomed_to_what_happened() {
        // A 10 s burst, then 90 s of nothing: the chart ends at 12.5 s.
        let mut pts: Vec<_> = (0..=10).map(|t| point(t, 5_000.0)).collect();
        pts.extend((11..=100).map(|t| point(t, 0.0)));
        assert_eq!(span_us(&pts), 12_500_000.0);
        assert!(
            polyline(
                PLOT,
                &pts,
                span_us(&pts),
                Scale::for_max(5_000.0, true),
                |p| p.arrival_per_s
            )
            .split(' ')
            .filter(|s| !s.is_empty())
            .count()
                <= 13,
            "no point is drawn past the end"
        );
        // Busy until now: it spans the whole run.
        let busy: Vec<_> = (0..=100).map(|t| point(t, 1.0)).collect();
        assert_eq!(span_us(&busy), 100_000_000.0);
        // Quiet only lately (less than a quarter of the run): still all of it.
        let mut late = busy.clone();
        late.extend((101..=110).map(|t| point(t, 0.0)));
        assert_eq!(span_us(&late), 110_000_000.0);
        assert_eq!(span_us(&[]), 1.0);
    }

    #[test]
    fn peak_shavings_direct_side_is_zoomed_to_its_burst_once_the_run_is_over() {
        let def = mqlab_engine::scenario::find("peak-shaving").unwrap();
        let end = |queue: f64| {
            let mut p = def.defaults();
            p.set("queue", queue);
            let mut sim = mqlab_engine::Sim::new(&(def.build)(&p), 1).unwrap();
            sim.run_until(100_000_000); // the queued side drains for ~1:42
            let pts = sim.series().points();
            (span_us(pts), pts.last().map_or(0.0, |p| p.t_us as f64))
        };
        let (direct, now) = end(0.0);
        assert!(
            direct < now / 3.0,
            "the direct side spans {direct} of {now} µs"
        );
        let (queued, now) = end(1.0);
        assert_eq!(queued, now, "still draining: the whole run");
    }

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(99_000.0), 100_000.0);
        assert_eq!(nice_max(120.0), 200.0);
        assert_eq!(nice_max(f64::NAN), 1.0);
    }

    #[test]
    fn wide_rate_ranges_use_a_log_scale_so_small_rates_stay_visible() {
        let s = Scale::for_max(100_000.0, true);
        assert!(s.log);
        assert!(
            (s.frac(1_000.0) - 0.6).abs() < 1e-9,
            "1,000 sits at 3/5 of 5 decades"
        );
        assert_eq!(s.frac(0.0), 0.0);
        assert_eq!(s.ticks(), vec![10.0, 100.0, 1_000.0, 10_000.0]);
        let lin = Scale::for_max(50.0, true);
        assert!(!lin.log);
        assert_eq!(lin.frac(25.0), 0.5);
    }
}
