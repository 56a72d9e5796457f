//! Axis scaffolding shared by the kit's charts and the demos' own charts:
//! where the plot sits inside its SVG, round axis maxima, horizontal grid
//! lines with their labels on the left, and tick marks under the plot.

use leptos::prelude::*;

use crate::format::px;

/// An SVG drawing of `width` × `height` user units with the plot inside
/// the padding (the padding holds the axis labels).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlotBox {
    pub width: f64,
    pub height: f64,
    pub pad_left: f64,
    pub pad_right: f64,
    pub pad_top: f64,
    pub pad_bottom: f64,
}

impl PlotBox {
    pub fn left(&self) -> f64 {
        self.pad_left
    }
    pub fn right(&self) -> f64 {
        self.width - self.pad_right
    }
    pub fn top(&self) -> f64 {
        self.pad_top
    }
    pub fn bottom(&self) -> f64 {
        self.height - self.pad_bottom
    }
    pub fn plot_width(&self) -> f64 {
        self.right() - self.left()
    }
    pub fn plot_height(&self) -> f64 {
        self.bottom() - self.top()
    }
    /// The x of a fraction of the plot's width, from the left.
    pub fn x(&self, frac: f64) -> f64 {
        self.left() + frac * self.plot_width()
    }
    /// The y of a fraction of the plot's height, from the bottom.
    pub fn y(&self, frac: f64) -> f64 {
        self.bottom() - frac * self.plot_height()
    }
    /// The SVG `viewBox` of the whole drawing.
    pub fn view_box(&self) -> String {
        format!(
            "0 0 {} {}",
            mqlab_engine::num::short(self.width),
            mqlab_engine::num::short(self.height)
        )
    }
}

/// Rounds `v` (> 0) up to the first of `steps` × a power of ten that is at
/// least `v`, e.g. with `[1, 2, 5]`: 7 → 10, 120 → 200, 99,000 → 100,000.
pub fn nice_ceil(v: f64, steps: &[f64]) -> f64 {
    // The power of ten at or below v, by steps (no `powf`: libm's pow is
    // 1 KB of the bundle, and multiplying by ten is exact up to 1e22).
    let mut mag = 1.0;
    while mag * 10.0 <= v {
        mag *= 10.0;
    }
    while mag > v && mag > 1e-12 {
        mag /= 10.0;
    }
    steps
        .iter()
        .map(|m| m * mag)
        .find(|c| v <= *c)
        .unwrap_or(10.0 * mag)
}

/// Horizontal grid lines across the plot, one per `(fraction of the
/// height, label)`, each labelled just left of the plot.
pub fn y_grid(
    plot: PlotBox,
    ticks: impl IntoIterator<Item = (f64, String)>,
    line_class: &'static str,
    label_class: &'static str,
) -> impl IntoView {
    ticks
        .into_iter()
        .map(|(frac, label)| {
            let y = plot.y(frac);
            view! {
                <line class=line_class x1=px(plot.left()) y1=px(y) x2=px(plot.right()) y2=px(y)/>
                <text class=label_class x=px(plot.left() - 6.0) y=px(y + 4.0) text-anchor="end">{label}</text>
            }
        })
        .collect_view()
}

/// Tick marks under the plot, one per `(fraction of the width, label)`,
/// each labelled below its mark.
pub fn x_ticks(
    plot: PlotBox,
    ticks: impl IntoIterator<Item = (f64, String)>,
    tick_class: &'static str,
    label_class: &'static str,
) -> impl IntoView {
    ticks
        .into_iter()
        .map(|(frac, label)| {
            let x = plot.x(frac);
            view! {
                <line class=tick_class x1=px(x) y1=px(plot.bottom()) x2=px(x) y2=px(plot.bottom() + 4.0)/>
                <text class=label_class x=px(x) y=px(plot.bottom() + 17.0) text-anchor="middle">{label}</text>
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maxima_round_up_to_the_given_steps() {
        let s = [1.0, 2.0, 5.0];
        assert_eq!(nice_ceil(7.0, &s), 10.0);
        assert_eq!(nice_ceil(0.3, &s), 0.5);
        assert_eq!(nice_ceil(120.0, &s), 200.0);
        assert_eq!(nice_ceil(99_000.0, &s), 100_000.0);
        assert_eq!(nice_ceil(1_000.0, &s), 1_000.0);
        assert_eq!(nice_ceil(2_100_000.0, &[1.0, 2.0, 2.5, 5.0]), 2_500_000.0);
    }

    #[test]
    fn fractions_map_into_the_padded_plot() {
        let p = PlotBox {
            width: 100.0,
            height: 50.0,
            pad_left: 10.0,
            pad_right: 5.0,
            pad_top: 4.0,
            pad_bottom: 6.0,
        };
        assert_eq!((p.plot_width(), p.plot_height()), (85.0, 40.0));
        assert_eq!((p.x(0.0), p.x(1.0)), (10.0, 95.0));
        assert_eq!((p.y(0.0), p.y(1.0)), (44.0, 4.0));
        assert_eq!(p.view_box(), "0 0 100 50");
    }
}
