//! A small latency histogram: one or more series as side-by-side SVG bars
//! over equal-width bins from 0 to a shared range (in µs), with axes in ms.

use leptos::prelude::*;
use mqlab_components::format::thousands;
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

const W: f64 = 900.0;
const H: f64 = 220.0;
const PAD_L: f64 = 52.0;
const PAD_R: f64 = 30.0;
const PAD_T: f64 = 14.0;
const PAD_B: f64 = 44.0;

/// Rounds a count axis up to 1, 2 or 5 × a power of ten.
fn nice_count(v: u64) -> u64 {
    if v <= 5 {
        return 5;
    }
    let v = v as f64;
    let mag = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if v <= m * mag {
            return (m * mag) as u64;
        }
    }
    (10.0 * mag) as u64
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
            match (lang, peak) {
                (_, None) => String::new(),
                (Lang::Zh, Some(_)) if total == 0 => format!("{}：还没有样本。", s.label.zh),
                (Lang::En, Some(_)) if total == 0 => format!("{}: no samples yet.", s.label.en),
                (Lang::Zh, Some(p)) => format!(
                    "{}：{} 个样本，最多的落在 {:.0}–{:.0} 毫秒。",
                    s.label.zh,
                    thousands(total),
                    p as f64 * width_ms,
                    (p + 1) as f64 * width_ms
                ),
                (Lang::En, Some(p)) => format!(
                    "{}: {} samples, most between {:.0} and {:.0} ms.",
                    s.label.en,
                    thousands(total),
                    p as f64 * width_ms,
                    (p + 1) as f64 * width_ms
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
    let plot_w = W - PAD_L - PAD_R;
    let plot_h = H - PAD_T - PAD_B;
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
                        let x = PAD_L + i as f64 * slot + slot * 0.1 + k as f64 * bar_w;
                        view! {
                            <rect x=format!("{x:.1}") y=format!("{:.1}", PAD_T + plot_h - h) width=format!("{bar_w:.1}") height=format!("{h:.1}")>
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
        let x_ticks = (0..=4)
            .map(|t| {
                let x = PAD_L + plot_w * t as f64 / 4.0;
                let ms = range_us as f64 / 1_000.0 * t as f64 / 4.0;
                let label = if t == 4 {
                    format!("{}+", thousands(ms.round() as u64))
                } else {
                    thousands(ms.round() as u64)
                };
                view! {
                    <line class="hist-tick" x1=x y1=PAD_T + plot_h x2=x y2=PAD_T + plot_h + 4.0/>
                    <text class="hist-axis" x=x y=PAD_T + plot_h + 17.0 text-anchor="middle">{label}</text>
                }
            })
            .collect_view();
        let y_ticks = (0..=2)
            .map(|t| {
                let y = PAD_T + plot_h - plot_h * t as f64 / 2.0;
                let v = top * t / 2;
                view! {
                    <line class="hist-grid" x1=PAD_L y1=y x2=W - PAD_R y2=y/>
                    <text class="hist-axis" x=PAD_L - 6.0 y=y + 4.0 text-anchor="end">{thousands(v)}</text>
                }
            })
            .collect_view();
        let label = format!("{}. {}", title.get(l), describe(range_us, &series, l));
        view! {
            <svg class="hist-svg" viewBox=format!("0 0 {W} {H}") role="img" aria-label=label preserveAspectRatio="xMidYMid meet">
                {y_ticks}
                <line class="hist-axis-line" x1=PAD_L y1=PAD_T + plot_h x2=W - PAD_R y2=PAD_T + plot_h/>
                {bars}
                {x_ticks}
                <text class="hist-axis-title" x=PAD_L + plot_w / 2.0 y=H - 6.0 text-anchor="middle">{x_label.get(l)}</text>
                <text class="hist-axis-title" x=12 y=PAD_T + plot_h / 2.0 text-anchor="middle"
                    transform=format!("rotate(-90 12 {})", PAD_T + plot_h / 2.0)>{y_label.get(l)}</text>
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
