//! The timeline under a demo: scrub to any moment of the run so far, step
//! back or forward one event, jump back to live.

use leptos::prelude::*;

use crate::format::clock;
use crate::i18n::{use_lang, words};
use crate::runner::DemoRun;

/// Slider resolution (positions along the run so far).
const STEPS: f64 = 1000.0;

/// Rewind controls for a [`DemoRun`].
#[component]
pub fn Timeline(
    /// The run to scrub.
    run: DemoRun,
) -> impl IntoView {
    let lang = use_lang();
    let t = move |w: crate::i18n::Text| move || w.get(lang.get());
    let now = move || {
        run.frames
            .with(|f| f.iter().map(|p| p.snap.time_us).min().unwrap_or(0))
    };
    let live = move || run.live_us.get().max(now());
    let in_past = move || now() < live();
    let pos = move || {
        let l = live();
        if l == 0 {
            STEPS
        } else {
            (now() as f64 / l as f64 * STEPS).round()
        }
    };
    view! {
        <div class="timeline" role="group" aria-label=t(words::TIMELINE)>
            <button class="btn icon-btn" data-testid="step-back" title=t(words::STEP_BACK_HINT) aria-label=t(words::STEP_BACK)
                on:click=move |_| run.step_back()>"◀"</button>
            <input
                type="range"
                class="scrub"
                data-testid="timeline"
                min="0"
                max="1000"
                step="1"
                aria-label=t(words::TIMELINE)
                aria-valuetext=move || format!("{} / {}", clock(now()), clock(live()))
                prop:value=move || mqlab_engine::num::short(pos())
                on:input=move |ev| {
                    if let Some(p) = mqlab_engine::num::parse_decimal(&event_target_value(&ev)) {
                        let target = (p.clamp(0.0, STEPS) / STEPS * live() as f64).round() as u64;
                        run.seek(target);
                    }
                }
            />
            <button class="btn icon-btn" data-testid="step-forward" title=t(words::STEP_HINT) aria-label=t(words::STEP)
                on:click=move |_| run.step()>"▶"</button>
            <button class="btn" data-testid="jump-live" disabled=move || !in_past() title=t(words::LIVE_HINT)
                on:click=move |_| run.jump_live()>{t(words::LIVE)}</button>
            <span class="timeline-times">{move || format!("{} / {}", clock(now()), clock(live()))}</span>
            <Show when=in_past>
                <span class="badge warn" data-testid="past-badge" role="status">{t(words::IN_PAST)}</span>
            </Show>
        </div>
    }
}
