//! The demos, one folder each, and the frame they share: title, transport,
//! keyboard control, pause-when-hidden, a spoken summary, and captions.

pub mod components;
pub mod intro;
pub mod peak_shaving;

use leptos::prelude::*;
use mqlab_components::format::thousands;
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::{DemoRun, Lang, Text, Timeline, Transport};
use mqlab_engine::MsgState;

use crate::i18n;

/// The page for a demo id (the router has checked the id is known).
pub fn demo_page(id: &str) -> AnyView {
    match id {
        "intro" => view! { <intro::IntroDemo/> }.into_any(),
        "components" => view! { <components::ComponentsDemo/> }.into_any(),
        "peak-shaving" => view! { <peak_shaving::PeakShavingDemo/> }.into_any(),
        other => view! { <ComingSoon id=other.to_string()/> }.into_any(),
    }
}

#[component]
fn ComingSoon(id: String) -> impl IntoView {
    let lang = use_lang();
    let title = crate::catalog::find(&id).map(|d| d.title);
    view! {
        <section class="not-found" data-testid=format!("demo-coming-page-{id}")>
            <h1>{move || title.map(|t| t.get(lang.get())).unwrap_or_default()}</h1>
            <p>{move || i18n::DEMO_NOT_READY.get(lang.get())}</p>
            <a class="btn primary" href="#/">{move || i18n::BACK_HOME.get(lang.get())}</a>
        </section>
    }
}

/// One sentence a screen reader can announce about the run.
pub fn summary(run: &DemoRun, lang: Lang) -> String {
    run.frames.with_untracked(|frames| {
        frames
            .iter()
            .zip(run.panels.iter())
            .map(|(f, p)| {
                let l = &f.snap.ledger;
                match lang {
                    Lang::Zh => format!(
                        "{}：排队 {} 条，已处理 {} 条，被拒绝 {} 条，丢失 {} 条。",
                        p.title.zh,
                        thousands(f.snap.queued()),
                        thousands(l.count(MsgState::Done)),
                        thousands(l.count(MsgState::Rejected)),
                        thousands(l.count(MsgState::Lost))
                    ),
                    Lang::En => format!(
                        "{}: {} waiting in queue, {} processed, {} rejected, {} lost.",
                        p.title.en,
                        thousands(f.snap.queued()),
                        thousands(l.count(MsgState::Done)),
                        thousands(l.count(MsgState::Rejected)),
                        thousands(l.count(MsgState::Lost))
                    ),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Wraps a demo: heading, transport, restart notice, keyboard control
/// (Space = play/pause, → = step), and the animation loop, which runs only
/// while playing and on screen.
#[component]
pub fn DemoFrame(
    /// The demo's id (for `data-testid="demo-<id>"`).
    id: &'static str,
    /// Heading.
    title: Text,
    /// One or two sentences: what this demo shows.
    lede: Text,
    /// The run this demo drives.
    run: DemoRun,
    children: Children,
) -> impl IntoView {
    let lang = use_lang();
    let root = NodeRef::<leptos::html::Div>::new();
    let spoken = RwSignal::new(String::new());

    #[cfg(target_arch = "wasm32")]
    {
        use mqlab_components::hooks;
        if hooks::prefers_reduced_motion() {
            run.show_dots.set(false);
        }
        hooks::use_on_screen(root, run.visible);
        let since_spoken = StoredValue::new(0.0f64);
        hooks::use_raf_loop(
            Signal::derive(move || run.playing.get() && run.visible.get()),
            move |dt| {
                run.advance(dt);
                // Announce at most every few seconds while playing.
                let acc = since_spoken.get_value() + dt;
                if acc > 4_000.0 {
                    since_spoken.set_value(0.0);
                    spoken.set(summary(&run, lang.get_untracked()));
                } else {
                    since_spoken.set_value(acc);
                }
            },
        );
    }
    // Stop when nothing is left to happen, and speak when paused or stepped.
    Effect::new(move |_| {
        if run.idle.get() && run.playing.get_untracked() {
            run.playing.set(false);
        }
    });
    Effect::new(move |_| {
        run.frames.track();
        let l = lang.get();
        if !run.playing.get() {
            spoken.set(summary(&run, l));
        }
    });

    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let tag = event_target::<web_sys::Element>(&ev)
            .tag_name()
            .to_ascii_uppercase();
        if matches!(
            tag.as_str(),
            "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON" | "A"
        ) {
            return;
        }
        match ev.key().as_str() {
            " " | "Spacebar" => {
                ev.prevent_default();
                run.toggle_play();
            }
            "ArrowRight" => {
                ev.prevent_default();
                run.step();
            }
            _ => {}
        }
    };

    view! {
        <div
            class="demo"
            data-testid=format!("demo-{id}")
            tabindex="0"
            node_ref=root
            on:keydown=on_key
            aria-label=move || title.get(lang.get())
        >
            <header class="demo-header">
                <h1>{move || title.get(lang.get())}</h1>
                <p class="lede">{move || lede.get(lang.get())}</p>
            </header>
            <Transport run=run/>
            <Timeline run=run/>
            <Show when=move || run.notice.get().is_some()>
                <div class="notice" role="status" data-testid="notice">
                    <span>{move || run.notice.get().map(|t| t.get(lang.get())).unwrap_or_default()}</span>
                    <button class="btn" on:click=move |_| run.notice.set(None)>
                        {move || words::DISMISS.get(lang.get())}
                    </button>
                </div>
            </Show>
            {children()}
            <p class="sr-only" aria-live="polite" data-testid="live-summary">{move || spoken.get()}</p>
        </div>
    }
}

/// "Try this" and "What to notice" lists.
#[component]
pub fn Captions(
    /// Things to do, in order.
    try_this: &'static [Text],
    /// What those actions reveal.
    notice: &'static [Text],
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="captions">
            <section class="try">
                <h2>{move || i18n::TRY_THIS.get(lang.get())}</h2>
                <ol>{try_this.iter().map(|t| view! { <li>{move || t.get(lang.get())}</li> }).collect_view()}</ol>
            </section>
            <section class="notice-list">
                <h2>{move || i18n::NOTICE_THIS.get(lang.get())}</h2>
                <ul>{notice.iter().map(|t| view! { <li>{move || t.get(lang.get())}</li> }).collect_view()}</ul>
            </section>
        </div>
    }
}

/// A panel's frame as a signal (None before the first publish).
pub fn panel_frame(run: DemoRun, i: usize) -> Signal<Option<mqlab_components::PanelFrame>> {
    Signal::derive(move || run.frames.with(|f| f.get(i).cloned()))
}

/// A number from a panel's snapshot as a signal.
pub fn panel_value(run: DemoRun, i: usize, f: fn(&mqlab_engine::Snapshot) -> f64) -> Signal<f64> {
    Signal::derive(move || {
        run.frames
            .with(|fr| fr.get(i).map(|p| f(&p.snap)).unwrap_or(0.0))
    })
}
