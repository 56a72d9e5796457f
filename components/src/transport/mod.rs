//! Transport: play/pause, step, reset, speed, seed and the simulated clock.

use leptos::prelude::*;

use crate::format::clock;
use crate::i18n::{use_lang, words};
use crate::runner::{DemoRun, SPEEDS};

#[derive(Clone, Copy)]
enum Icon {
    Play,
    Pause,
    Step,
    Reset,
}

/// Small inline icons (no icon font, so nothing to load or to miss).
fn icon(i: Icon) -> impl IntoView {
    let d = match i {
        Icon::Play => "M4 2l10 6-10 6z",
        Icon::Pause => "M3 2h4v12H3zM9 2h4v12H9z",
        Icon::Step => "M2 2l8 6-8 6zM11 2h3v12h-3z",
        Icon::Reset => "M13 8a5 5 0 1 1-1.5-3.5L10 6h5V1l-1.8 1.8A7 7 0 1 0 15 8z",
    };
    view! {
        <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
            <path d=d fill="currentColor" />
        </svg>
    }
}

/// Playback controls for a [`DemoRun`].
#[component]
pub fn Transport(
    /// The run these buttons drive.
    run: DemoRun,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |w: crate::i18n::Text| move || w.get(lang.get());
    let time_us = move || {
        run.frames
            .with(|f| f.iter().map(|p| p.snap.time_us).min().unwrap_or(0))
    };
    let seed_text = RwSignal::new(run.seed.get_untracked().to_string());
    let seed_error = RwSignal::new(false);
    view! {
        <div class="transport" role="group" aria-label=t(words::TIME)>
            <button
                data-testid="play"
                class="btn primary"
                aria-pressed=move || if run.playing.get() { "true" } else { "false" }
                title=t(words::PLAY_HINT)
                on:click=move |_| run.toggle_play()
            >
                {move || if run.playing.get() { icon(Icon::Pause) } else { icon(Icon::Play) }}
                {move || if run.playing.get() { words::PAUSE.get(lang.get()) } else { words::PLAY.get(lang.get()) }}
            </button>
            <button data-testid="step" class="btn" title=t(words::STEP_HINT) on:click=move |_| run.step()>
                {icon(Icon::Step)}
                {t(words::STEP)}
            </button>
            <button data-testid="reset" class="btn" title=t(words::RESET_HINT) on:click=move |_| run.reset()>
                {icon(Icon::Reset)}
                {t(words::RESET)}
            </button>
            <label class="field">
                <span>{t(words::SPEED)}</span>
                <select
                    data-testid="speed"
                    on:change=move |ev| {
                        if let Some(v) = mqlab_engine::num::parse_decimal(&event_target_value(&ev)) {
                            run.set_speed(v);
                        }
                    }
                    prop:value=move || mqlab_engine::num::short(run.speed.get())
                >
                    {SPEEDS
                        .iter()
                        .map(|s| {
                            let v = mqlab_engine::num::short(*s);
                            view! { <option value=v.clone() selected=move || run.speed.get() == *s>{format!("{}×", mqlab_engine::num::short(*s * run.time_scale))}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            // A seed only where something is drawn at random: elsewhere it
            // would be a control that changes nothing (see draws_random).
            <Show
                when=move || run.draws_random()
                fallback=move || view! {
                    <span class="field no-seed" data-testid="no-seed" title=t(words::NO_SEED_HINT)>
                        {t(words::NO_SEED)}
                    </span>
                }
            >
                <label class="field" title=t(words::SEED_HINT)>
                    <span>{t(words::SEED)}</span>
                    <input
                        data-testid="seed"
                        class="seed"
                        class:invalid=move || seed_error.get()
                        aria-invalid=move || if seed_error.get() { "true" } else { "false" }
                        inputmode="numeric"
                        size="8"
                        prop:value=move || seed_text.get()
                        on:change=move |ev| {
                            let raw = event_target_value(&ev);
                            match raw.trim().parse::<u64>() {
                                Ok(seed) => {
                                    seed_error.set(false);
                                    seed_text.set(seed.to_string());
                                    run.set_seed(seed);
                                }
                                Err(_) => seed_error.set(true),
                            }
                        }
                    />
                </label>
            </Show>
            <span
                class="clock"
                data-testid="sim-time"
                data-time-us=move || time_us().to_string()
                data-events=move || run.frames.with(|f| f.iter().map(|p| p.snap.events).sum::<u64>()).to_string()
                title=t(words::TIME)
            >
                {move || clock(time_us())}
            </span>
            <Show when=move || run.behind.get()>
                <span class="badge warn" role="status">{t(words::BEHIND)}</span>
            </Show>
            <Show when=move || run.idle.get()>
                <span class="badge" role="status" data-testid="idle">{t(words::IDLE)}</span>
            </Show>
        </div>
    }
}
