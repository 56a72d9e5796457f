//! Metric cards: a label, a live value, and the raw number in `data-value`
//! for tests and assistive tech.

use leptos::prelude::*;

use crate::i18n::{use_lang, Text};

/// One number worth watching.
#[component]
pub fn MetricCard(
    /// Used in `data-testid="metric-<name>"`.
    name: &'static str,
    /// What the number is.
    label: Text,
    /// The raw value (goes into `data-value`).
    #[prop(into)]
    value: Signal<f64>,
    /// How the value is shown.
    #[prop(into)]
    display: Signal<String>,
    /// Marks a bad number (e.g. losses); shown with a ⚠ as well as colour.
    #[prop(into, optional)]
    alarm: Signal<bool>,
    /// What the number means.
    #[prop(optional)]
    hint: Option<Text>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div
            class="metric"
            class:alarm=move || alarm.get()
            data-testid=format!("metric-{name}")
            data-value=move || mqlab_engine::num::short(value.get())
            title=move || hint.map(|h| h.get(lang.get())).unwrap_or_default()
        >
            <span class="metric-label">{move || label.get(lang.get())}</span>
            <span class="metric-value">
                {move || if alarm.get() { format!("⚠ {}", display.get()) } else { display.get() }}
            </span>
        </div>
    }
}
