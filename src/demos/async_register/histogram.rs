//! A small latency histogram: one or more series as side-by-side SVG bars
//! over equal-width bins from 0 to a shared range (in µs), with axes in ms.

use leptos::prelude::*;
use mqlab_components::chart::axis::{nice_ceil, x_ticks, y_grid, PlotBox};
use mqlab_components::format::{px, thousands};
use mqlab_components::i18n::use_lang;
use mqlab_components::{Lang, Text};

/// One series of bin counts.
#[derive(Clone, Debug, PartialEq)]
pub struct HistSeries {
    /// Used in `data-testid="hist-<id>"`.
    pub id: &'static str,
    pub label: Text,
    pub bins: Vec<u64>,
}

const PLOT: PlotBox = PlotBox {
    width: 900.0,
    height: 220.0,
    pad_left: 52.0,
    pad_right: 30.0,
    pad_top: 14.0,
    pad_bottom: 44.0,
};

/// Rounds a count axis up to 1, 2 or 5 × a power of ten (at least 5).
fn nice_count(v: u64) -> u64 {
    if v <= 5 {
        return 5;
    }
    nice_ceil(v as f64, &[1.0, 2.0, 5.0]) as u64
}

fn describe(range_us: u64, series: &[HistSeries], lang: Lang) -> String {
    let width_ms =
        range_us as f64 / 1_000.0 / series.first().map_or(1, |s| s.bins.len().max(1)) as f64;
    series
        .iter()
        .map(|s| {
            let total: u64 = s.bins.iter().sum();
            let peak = s
                .bins
                .iter()
                .enumerate()
                .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
                .map(|(i, _)| i);
            let Some(p) = peak else {
                return String::new();
            };
            let ms = |i: usize| thousands((i as f64 * width_ms).round() as u64);
            let (from, to) = (ms(p), ms(p + 1));
            match lang {
                Lang::Zh if total == 0 => format!("{}：还没有样本。", s.label.get(Lang::Zh)),
                Lang::En if total == 0 => format!("{}: no samples yet.", s.label.get(Lang::En)),
                Lang::Zh => format!(
                    "{}：{} 个样本，最多的落在 {from}–{to} 毫秒。",
                    s.label.get(Lang::Zh),
                    thousands(total)
                ),
                Lang::En => format!(
                    "{}: {} samples, most between {from} and {to} ms.",
                    s.label.get(Lang::En),
                    thousands(total)
                ),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The chart. `data` is (range in µs, series); every series has the same
/// number of bins.
#[component]
pub fn LatencyHistogram(
    /// `data-testid` of the figure.
    testid: &'static str,
    title: Text,
    x_label: Text,
    y_label: Text,
    #[prop(into)] data: Signal<(u64, Vec<HistSeries>)>,
) -> impl IntoView {
    let lang = use_lang();
    let (plot_w, plot_h) = (PLOT.plot_width(), PLOT.plot_height());
    let body = move || {
        let (range_us, series) = data.get();
        let l = lang.get();
        let n_bins = series.first().map_or(0, |s| s.bins.len()).max(1);
        let n_series = series.len().max(1);
        let top = nice_count(
            series
                .iter()
                .flat_map(|s| s.bins.iter().copied())
                .max()
                .unwrap_or(0),
        );
        let slot = plot_w / n_bins as f64;
        let bar_w = (slot * 0.8 / n_series as f64).max(1.0);
        let bars = series
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let rects = s
                    .bins
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(i, n)| {
                        let h = (*n as f64 / top as f64 * plot_h).max(1.0);
                        let x = PLOT.left() + i as f64 * slot + slot * 0.1 + k as f64 * bar_w;
                        view! {
                            <rect x=px(x) y=px(PLOT.bottom() - h) width=px(bar_w) height=px(h)>
                                <title>{format!("{}: {}", s.label.get(l), thousands(*n))}</title>
                            </rect>
                        }
                    })
                    .collect_view();
                let total: u64 = s.bins.iter().sum();
                view! {
                    <g class=format!("hist-bars s{k}") data-testid=format!("hist-{}", s.id) data-total=total.to_string()>
                        {rects}
                    </g>
                }
            })
            .collect_view();
        let x_ticks = x_ticks(
            PLOT,
            (0..=4).map(move |t| {
                let ms = thousands((range_us as f64 / 1_000.0 * t as f64 / 4.0).round() as u64);
                (t as f64 / 4.0, if t == 4 { format!("{ms}+") } else { ms })
            }),
            "hist-tick",
            "hist-axis",
        );
        let y_ticks = y_grid(
            PLOT,
            (0..=2).map(move |t| (t as f64 / 2.0, thousands(top * t / 2))),
            "hist-grid",
            "hist-axis",
        );
        let label = format!("{}. {}", title.get(l), describe(range_us, &series, l));
        view! {
            <svg class="hist-svg" viewBox=PLOT.view_box() role="img" aria-label=label preserveAspectRatio="xMidYMid meet">
                {y_ticks}
                <line class="hist-axis-line" x1=px(PLOT.left()) y1=px(PLOT.bottom()) x2=px(PLOT.right()) y2=px(PLOT.bottom())/>
                {bars}
                {x_ticks}
                <text class="hist-axis-title" x=px(PLOT.x(0.5)) y=px(PLOT.height - 6.0) text-anchor="middle">{x_label.get(l)}</text>
                <text class="hist-axis-title" x=12 y=px(PLOT.y(0.5)) text-anchor="middle"
                    transform=format!("rotate(-90 12 {})", px(PLOT.y(0.5)))>{y_label.get(l)}</text>
            </svg>
        }
    };
    let legend = move || {
        let (_, series) = data.get();
        let l = lang.get();
        series
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let total: u64 = s.bins.iter().sum();
                view! {
                    <span class=format!("hist-key s{k}")>
                        <i aria-hidden="true"></i>
                        {format!("{} ({})", s.label.get(l), thousands(total))}
                    </span>
                }
            })
            .collect_view()
    };
    view! {
        <figure class="latency-hist" data-testid=testid>
            <figcaption>
                <strong>{move || title.get(lang.get())}</strong>
                <span class="hist-legend">{legend}</span>
            </figcaption>
            <div class="hist-scroll" tabindex="0" role="region" aria-label=move || title.get(lang.get())>{body}</div>
        </figure>
    }
}
