//! Labelled controls bound to a scenario's parameters: sliders with units,
//! toggles, and action/fault buttons.

use leptos::prelude::*;
use mqlab_engine::num::{parse_decimal, short};
use mqlab_engine::scenario::ParamKind;

use crate::format::{number, thousands};
use crate::i18n::{use_lang, words, Text};
use crate::runner::DemoRun;

mod ladder;

/// A parameter value for display: whole numbers without decimals.
fn show(kind: ParamKind, v: f64) -> String {
    match kind {
        ParamKind::Float => number(v),
        _ => thousands(v.max(0.0).round() as u64),
    }
}

/// A slider for one numeric parameter. The value is applied when the
/// learner lets go (or presses a key), so one drag is one command.
#[component]
pub fn ParamSlider(
    /// The run whose parameter this is.
    run: DemoRun,
    /// Parameter key in the scenario.
    key: &'static str,
    /// What the slider is called.
    label: Text,
    /// The unit shown after the value.
    unit: Text,
) -> impl IntoView {
    let lang = use_lang();
    let Some(def) = run.def.param(key) else {
        return view! { <span class="control-missing">{key}</span> }.into_any();
    };
    // The thumb stops at round values only (see ladder.rs); its position
    // is an index into them.
    let stops = StoredValue::new(ladder::ladder(
        def.min,
        def.max,
        def.step,
        def.default,
        ladder::spans_decades(def.min, def.max),
    ));
    let last = stops.with_value(|v| v.len().saturating_sub(1));
    let stop = move |raw: &str| {
        parse_decimal(raw).map(|p| stops.with_value(|v| v[(p.max(0.0) as usize).min(last)]))
    };
    let current = move || run.params.with(|p| p.get(key));
    // What the thumb shows while dragging, before it is committed.
    let preview = RwSignal::new(None::<f64>);
    let shown = move || preview.get().unwrap_or_else(current);
    // The thumb's position is its own signal: moved by the learner while
    // dragging, and re-synced whenever the parameter changes from elsewhere
    // (reset, a restart, a shared link).
    let at = move |v: f64| stops.with_value(|s| ladder::nearest(s, v)) as f64;
    let pos = RwSignal::new(at(current()));
    Effect::new(move |_| pos.set(at(current())));
    let id = format!("param-{key}-{}", run.def.id);
    let commit = move |raw: String| {
        if let Some(v) = stop(&raw) {
            run.set_param(key, def.clamp(v));
        }
        preview.set(None);
    };
    view! {
        <div class="control slider">
            <label for=id.clone()>
                <span class="control-label">{move || label.get(lang.get())}</span>
                <output class="control-value">{move || format!("{} {}", show(def.kind, shown()), unit.get(lang.get()))}</output>
            </label>
            <input
                id=id
                type="range"
                data-testid=format!("param-{key}")
                data-value=move || short(current())
                data-live=move || if run.applies_live(key) { "true" } else { "false" }
                min="0"
                max=last.to_string()
                step="1"
                aria-valuetext=move || format!("{} {}", show(def.kind, shown()), unit.get(lang.get()))
                prop:value=move || short(pos.get())
                on:input=move |ev| {
                    let raw = event_target_value(&ev);
                    if let (Some(p), Some(v)) = (parse_decimal(&raw), stop(&raw)) {
                        pos.set(p);
                        preview.set(Some(def.clamp(v)));
                    }
                }
                on:change=move |ev| commit(event_target_value(&ev))
            />
            <span class="control-range">
                {format!("{} – {}", show(def.kind, def.min), show(def.kind, def.max))}
            </span>
        </div>
    }
    .into_any()
}

/// An on/off switch for a boolean parameter.
#[component]
pub fn ParamToggle(
    /// The run whose parameter this is.
    run: DemoRun,
    /// Parameter key in the scenario.
    key: &'static str,
    /// What the switch is called.
    label: Text,
) -> impl IntoView {
    let lang = use_lang();
    let on = move || run.params.with(|p| p.flag(key));
    view! {
        <label class="control toggle">
            <input
                type="checkbox"
                role="switch"
                data-testid=format!("param-{key}")
                data-value=move || if on() { "1" } else { "0" }
                prop:checked=on
                on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    run.set_param(key, if checked { 1.0 } else { 0.0 });
                }
            />
            <span class="control-label">{move || label.get(lang.get())}</span>
            <span class="toggle-state">{move || if on() { words::ON.get(lang.get()) } else { words::OFF.get(lang.get()) }}</span>
        </label>
    }
}

/// A choice parameter as a row of radio buttons (one per allowed word,
/// labelled in the page's language). Arrow keys move between them, as with
/// any radio group; a pick is applied at once, like a switch. Like every
/// control, `data-value` is the stored number (the word's index); the word
/// itself is in `data-word`.
#[component]
pub fn ParamChoice(
    /// The run whose parameter this is.
    run: DemoRun,
    /// Parameter key in the scenario (a `ParamKind::Choice` parameter).
    key: &'static str,
    /// What the choice is called.
    label: Text,
) -> impl IntoView {
    let lang = use_lang();
    let Some(def) = run.def.param(key).filter(|d| d.is_choice()) else {
        return view! { <span class="control-missing">{key}</span> }.into_any();
    };
    let current = move || run.params.with(|p| def.clamp(p.get(key)));
    let group = format!("param-{key}-{}", run.def.id);
    let options = def
        .choices()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let v = i as f64;
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name=group.clone()
                        value=c.word
                        data-testid=format!("param-{key}-{}", c.word)
                        prop:checked=move || current() == v
                        on:change=move |_| run.set_param(key, v)
                    />
                    <span>{move || c.label.get(lang.get())}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="control choices"
            data-testid=format!("param-{key}")
            data-value=move || short(current())
            data-word=move || def.word(current()).unwrap_or_default()
            data-live=move || if run.applies_live(key) { "true" } else { "false" }
        >
            <legend class="control-label">{move || label.get(lang.get())}</legend>
            <div class="choice-row">{options}</div>
        </fieldset>
    }
    .into_any()
}

/// A button that does something to the simulation (produce, a fault, ...).
#[component]
pub fn ActionButton(
    /// Used in `data-testid="action-<name>"`.
    name: &'static str,
    /// The button's text.
    label: Text,
    /// Longer explanation (tooltip and accessible description).
    hint: Text,
    /// Draw it as a fault (red outline and a ⚡ marker).
    #[prop(optional)]
    fault: bool,
    /// When it cannot do anything now: greyed out and `aria-disabled`, so
    /// it stays in the Tab order and a screen reader still hears its hint
    /// (which says why); a press does nothing.
    #[prop(into, optional)]
    disabled: Signal<bool>,
    /// What happens on click.
    on_press: Callback<()>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <button
            class=if fault { "btn danger" } else { "btn" }
            data-testid=format!("action-{name}")
            aria-disabled=move || disabled.get().then_some("true")
            title=move || hint.get(lang.get())
            on:click=move |_| {
                if !disabled.get_untracked() {
                    on_press.run(())
                }
            }
        >
            {move || if fault { format!("⚡ {}", label.get(lang.get())) } else { label.get(lang.get()).to_string() }}
        </button>
    }
}
