//! The demos, one folder each, and the frame they share: title, transport,
//! keyboard control, pause-when-hidden, a spoken summary, and captions.

pub mod async_register;
pub mod comparison;
pub mod components;
pub mod coupling;
pub mod data_demo;
pub mod delay;
pub mod dlq;
pub mod idempotence;
pub mod intro;
pub mod ordering;
pub mod p2p_vs_pubsub;
pub mod peak_shaving;
pub mod pubsub;
pub mod reliability;
pub mod seckill_queue;
pub mod seckill_system;
pub mod transaction;

use leptos::prelude::*;
use mqlab_components::format::thousands;
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::runner::share::Ignored;
use mqlab_components::text;
use mqlab_components::{DemoRun, Lang, PanelDef, Text, Timeline, Transport};
use mqlab_engine::{MsgState, ScenarioDef};

use crate::{i18n, ActiveRun, EmbedMode, PageQuery};

/// Creates a demo's run: from the link's shared state if there is one,
/// otherwise from the scenario's defaults.
pub fn make_run(def: &'static ScenarioDef, panels: &'static [PanelDef], speed: f64) -> DemoRun {
    let state = use_context::<PageQuery>().and_then(|q| q.0.with_untracked(|q| q.state.clone()));
    match state {
        Some(s) => DemoRun::from_shared(def, panels, speed, &s).0,
        None => DemoRun::new(def, panels, speed, 1),
    }
}

fn ignored_text(i: &Ignored, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match i {
        Ignored::Unreadable => {
            if zh {
                "链接里的运行状态无法读取（可能被截断或改动过）".into()
            } else {
                "the run in the link could not be read (it may be cut off or altered)".into()
            }
        }
        Ignored::Version(v) => {
            if zh {
                format!("链接格式版本“{v}”不受支持")
            } else {
                format!("link format version \"{v}\" is not supported")
            }
        }
        Ignored::UnknownParam(k) => {
            if zh {
                format!("没有名为“{k}”的参数")
            } else {
                format!("there is no setting called \"{k}\"")
            }
        }
        Ignored::Clamped(k) => {
            if zh {
                format!("“{k}”超出范围，已改为最接近的允许值")
            } else {
                format!("\"{k}\" was out of range and was brought to the nearest allowed value")
            }
        }
        Ignored::Inputs(0) => {
            if zh {
                "链接要求的运行太长，只重现了前面一部分".into()
            } else {
                "the link asks for too long a run; only its beginning was replayed".into()
            }
        }
        Ignored::Inputs(n) => {
            if zh {
                format!("{n} 个无法使用的操作被跳过")
            } else {
                format!("{n} unusable actions were skipped")
            }
        }
    }
}

/// The page for a demo id (the router has checked the id is known).
pub fn demo_page(id: &str) -> AnyView {
    // Only finished demos are reachable; the rest say they are coming.
    if !crate::catalog::find(id).is_some_and(|d| d.ready) {
        return view! { <ComingSoon id=id.to_string()/> }.into_any();
    }
    #[cfg(feature = "size-base")]
    if id != "intro" {
        return view! { <ComingSoon id=id.to_string()/> }.into_any();
    }
    match id {
        "intro" => view! { <intro::IntroDemo/> }.into_any(),
        "components" => view! { <components::ComponentsDemo/> }.into_any(),
        "peak-shaving" => view! { <peak_shaving::PeakShavingDemo/> }.into_any(),
        "p2p-vs-pubsub" => view! { <p2p_vs_pubsub::P2pVsPubsubDemo/> }.into_any(),
        "comparison" => view! { <comparison::ComparisonDemo/> }.into_any(),
        "async-register" => view! { <async_register::AsyncRegisterDemo/> }.into_any(),
        "coupling" => view! { <coupling::CouplingDemo/> }.into_any(),
        "pubsub" => view! { <pubsub::PubsubDemo/> }.into_any(),
        "reliability" => view! { <reliability::ReliabilityDemo/> }.into_any(),
        "idempotence" => view! { <idempotence::IdempotenceDemo/> }.into_any(),
        "ordering" => view! { <ordering::OrderingDemo/> }.into_any(),
        "dlq" => view! { <dlq::DlqDemo/> }.into_any(),
        "delay" => view! { <delay::DelayDemo/> }.into_any(),
        "seckill-queue" => view! { <seckill_queue::SeckillQueueDemo/> }.into_any(),
        "transaction" => view! { <transaction::TransactionDemo/> }.into_any(),
        "seckill-system" => view! { <seckill_system::SeckillSystemDemo/> }.into_any(),
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
                        p.title.get(Lang::Zh),
                        thousands(f.snap.queued()),
                        thousands(l.count(MsgState::Done)),
                        thousands(l.count(MsgState::Rejected)),
                        thousands(l.count(MsgState::Lost))
                    ),
                    Lang::En => format!(
                        "{}: {} waiting in queue, {} processed, {} rejected, {} lost.",
                        p.title.get(Lang::En),
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
    let embedded = use_context::<EmbedMode>().is_some();
    if let Some(active) = use_context::<ActiveRun>() {
        active.0.set(Some((id, run)));
        on_cleanup(move || {
            active.0.try_set(None);
        });
    }

    #[cfg(target_arch = "wasm32")]
    {
        use mqlab_components::hooks;
        if hooks::prefers_reduced_motion() {
            run.show_dots.set(false);
        }
        hooks::use_on_screen(root, run.visible);
        hooks::mark_first_frame();
        // Fuzz mode drives the clock itself, one fixed frame per tick.
        let fuzz = use_context::<PageQuery>().and_then(|q| q.0.with_untracked(|q| q.fuzz));
        if let Some(f) = fuzz {
            crate::fuzz::start(run, root, f);
        }
        let since_spoken = StoredValue::new(0.0f64);
        hooks::use_raf_loop(
            Signal::derive(move || fuzz.is_none() && run.playing.get() && run.visible.get()),
            move |dt| {
                let started = hooks::now_ms();
                let sim_ms = run.advance(dt);
                // What this frame cost, the DOM updates included, sets how
                // long the next one may simulate.
                hooks::after_updates(move || {
                    run.observe_frame(hooks::now_ms() - started, sim_ms, dt);
                });
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
        // Tracks both: pressing Play with nothing left to happen pauses again.
        if run.idle.get() && run.playing.get() {
            run.pause_idle();
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
            class=if embedded { "demo embedded" } else { "demo" }
            data-testid=format!("demo-{id}")
            tabindex="0"
            node_ref=root
            on:keydown=on_key
            aria-label=move || title.get(lang.get())
        >
            <header class="demo-header">
                <h1>{move || title.get(lang.get())}</h1>
                {if embedded {
                    view! {
                        <a class="open-full" href=move || format!("./#/demo/{id}?lang={}&s={}", lang.get().tag(), run.share_state()) target="_blank" rel="noopener">
                            {move || i18n::OPEN_FULL.get(lang.get())}
                        </a>
                    }
                    .into_any()
                } else {
                    view! { <p class="lede">{move || lede.get(lang.get())}</p> }.into_any()
                }}
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
            <Show when=move || !run.link_ignored.with(Vec::is_empty)>
                <div class="notice" role="status" data-testid="link-notice">
                    <div>
                        <strong>{move || i18n::LINK_IGNORED.get(lang.get())}</strong>
                        <ul>
                            {move || run.link_ignored.get().iter().map(|i| view! { <li>{ignored_text(i, lang.get())}</li> }).collect_view()}
                        </ul>
                    </div>
                    <button class="btn" data-testid="dismiss-link-notice" on:click=move |_| run.link_ignored.set(Vec::new())>
                        {move || words::DISMISS.get(lang.get())}
                    </button>
                </div>
            </Show>
            {children()}
            {(!embedded).then(|| view! { <SharePanel id=id run=run/> })}
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
    let embedded = use_context::<EmbedMode>().is_some();
    let body = view! {
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
    };
    if embedded {
        view! {
            <details class="captions-fold">
                <summary>{move || i18n::TRY_THIS.get(lang.get())}</summary>
                {body}
            </details>
        }
        .into_any()
    } else {
        body.into_any()
    }
}

/// The page's address without its hash, e.g. `https://host/course/mqlab/`.
fn page_base() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let loc = window().location();
        format!(
            "{}{}",
            loc.origin().unwrap_or_default(),
            loc.pathname().unwrap_or_default()
        )
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        String::from("./")
    }
}

/// Puts `text` on the clipboard, then tells `done` whether the browser
/// let it (no clipboard in an insecure page, or no permission in a frame
/// without clipboard-write: then the learner copies from the field).
fn copy_to_clipboard(_text: &str, done: impl FnOnce(bool) + 'static) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let navigator = window().navigator();
        let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::Clipboard>().ok());
        let Some(clipboard) = clipboard else {
            done(false);
            return;
        };
        let copied = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(_text));
        leptos::task::spawn_local(async move { done(copied.await.is_ok()) });
    }
    #[cfg(not(target_arch = "wasm32"))]
    done(false);
}

/// Copies `text` (already shown in its field) and reports into `status`.
/// On a refusal `select` focuses and selects the field, after the next
/// frame: once the field holds its new text (setting a value drops a
/// selection), it is one Ctrl+C away.
fn copy_shown(
    text: &str,
    status: RwSignal<Option<Copied>>,
    which: fn(bool) -> Copied,
    select: impl FnOnce() + 'static,
) {
    status.set(None);
    // The answer may come after the reader has left the demo (the
    // clipboard is asynchronous): then there is nothing left to update.
    copy_to_clipboard(text, move |ok| {
        if status.try_set(Some(which(ok))).is_none() && !ok {
            request_animation_frame(select);
        }
    });
}

/// What the last copy did, for the status line beside the buttons.
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Link(bool),
    Embed(bool),
}

/// "Copy link" and "Copy embed code" for the exact moment shown.
#[component]
fn SharePanel(id: &'static str, run: DemoRun) -> impl IntoView {
    let lang = use_lang();
    let link = RwSignal::new(String::new());
    let embed = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Copied>);
    let link_field = NodeRef::<leptos::html::Input>::new();
    let embed_field = NodeRef::<leptos::html::Textarea>::new();
    let copy_link = move |_| {
        let url = format!(
            "{}#/demo/{id}?lang={}&s={}",
            page_base(),
            lang.get_untracked().tag(),
            run.share_state()
        );
        link.set(url.clone());
        copy_shown(&url, status, Copied::Link, move || {
            if let Some(f) = link_field.try_get_untracked().flatten() {
                let _ = f.focus();
                f.select();
            }
        });
    };
    let copy_embed = move |_| {
        let title = crate::catalog::find(id)
            .map(|d| d.title.get(lang.get_untracked()))
            .unwrap_or(id);
        let code = format!(
            "<iframe src=\"{}#/embed/{id}?lang={}&s={}\" title=\"mqlab: {}\" width=\"100%\" height=\"720\" style=\"border:0\" loading=\"lazy\"></iframe>",
            page_base(),
            lang.get_untracked().tag(),
            run.share_state(),
            title.replace('"', "&quot;").replace('<', "&lt;")
        );
        embed.set(code.clone());
        copy_shown(&code, status, Copied::Embed, move || {
            if let Some(f) = embed_field.try_get_untracked().flatten() {
                let _ = f.focus();
                f.select();
            }
        });
    };
    let status_text = move || {
        let l = lang.get();
        match status.get() {
            Some(Copied::Link(true)) => i18n::LINK_COPIED.get(l),
            Some(Copied::Embed(true)) => i18n::EMBED_COPIED.get(l),
            Some(_) => i18n::NOT_COPIED.get(l),
            None => "",
        }
    };
    view! {
        <section class="share" aria-label=move || i18n::SHARE.get(lang.get())>
            <h2>{move || i18n::SHARE.get(lang.get())}</h2>
            <p class="hint">{move || i18n::SHARE_HINT.get(lang.get())}</p>
            <div class="actions">
                <button class="btn" data-testid="copy-link" on:click=copy_link>{move || i18n::COPY_LINK.get(lang.get())}</button>
                <button class="btn" data-testid="copy-embed" on:click=copy_embed>{move || i18n::COPY_EMBED.get(lang.get())}</button>
                <span
                    class="copy-status"
                    role="status"
                    data-testid="copy-status"
                    data-copied=move || match status.get() {
                        Some(Copied::Link(ok) | Copied::Embed(ok)) => if ok { "true" } else { "false" },
                        None => "",
                    }
                >
                    {status_text}
                </span>
            </div>
            <Show when=move || !link.get().is_empty()>
                <label class="share-field">
                    <span>{move || i18n::LINK.get(lang.get())}</span>
                    <input node_ref=link_field data-testid="share-url" readonly prop:value=move || link.get() on:focus=|ev| select_all(&ev)/>
                </label>
            </Show>
            <Show when=move || !embed.get().is_empty()>
                <label class="share-field">
                    <span>{move || i18n::EMBED_CODE.get(lang.get())}</span>
                    <textarea node_ref=embed_field data-testid="embed-code" readonly rows="3" prop:value=move || embed.get() on:focus=|ev| select_all(&ev)></textarea>
                </label>
            </Show>
        </section>
    }
}

fn select_all(_ev: &leptos::ev::FocusEvent) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let target = _ev.target();
        if let Some(i) = target
            .clone()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            i.select();
        } else if let Some(t) =
            target.and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        {
            t.select();
        }
    }
}

/// One side of a demo: its title, the stage, the metric cards given as
/// children, an optional chart, and the event log.
#[component]
pub fn Panel(
    /// The run this panel belongs to.
    run: DemoRun,
    /// Which of the run's panels.
    index: usize,
    /// The stage geometry for this panel.
    layout: &'static mqlab_components::StageLayout,
    /// Show the time-series chart under the cards.
    #[prop(optional)]
    chart: bool,
    /// Hide the heading (a demo with a single panel).
    #[prop(optional)]
    untitled: bool,
    /// The metric cards.
    children: Children,
) -> impl IntoView {
    use mqlab_components::{EventLog, Stage, TimeSeriesChart};
    let lang = use_lang();
    let p = &run.panels[index];
    let log = Signal::derive(move || run.logs.with(|l| l.get(index).cloned().unwrap_or_default()));
    // A memo: the node list only changes on a restart, and the event log
    // that reads it must not be rebuilt every frame because of it.
    let nodes = Memo::new(move |_| {
        run.frames.with(|f| {
            f.get(index)
                .map(|p| p.snap.nodes.clone())
                .unwrap_or_default()
        })
    });
    // A memo: the chart's queue strip is redrawn only when this changes.
    let has_queue = Memo::new(move |_| {
        run.frames
            .with(|f| f.get(index).is_some_and(|p| !p.snap.queues.is_empty()))
    });
    let series = Signal::derive(move || {
        run.series
            .with(|s| s.get(index).cloned().unwrap_or_default())
    });
    let stage_label = Signal::derive(move || {
        let l = lang.get();
        format!("{}: {}", p.title.get(l), summary(&run, l))
    });
    view! {
        <section class="panel" data-testid=format!("panel-{}", p.id)>
            {(!untitled).then(|| view! { <h2>{move || p.title.get(lang.get())}</h2> })}
            <Stage run=run index=index layout=layout label=stage_label/>
            <div class="metrics">{children()}</div>
            {chart.then(|| view! {
                <TimeSeriesChart series=series queue=has_queue label=Signal::derive(move || CHART_LABEL.get(lang.get()).to_string())/>
            })}
            <EventLog entries=log layout=layout nodes=nodes/>
        </section>
    }
}

const CHART_LABEL: Text = text!(
    "到达速率、处理速率与队列长度随时间变化",
    "Arrival rate, processing rate and queue length over time",
);

/// A metric card for a whole-number count read from a panel's snapshot;
/// with `alarm`, any non-zero count is flagged.
#[component]
pub fn CountCard(
    /// The run.
    run: DemoRun,
    /// Which panel.
    index: usize,
    /// Used in `data-testid="metric-<name>"`.
    name: &'static str,
    /// What is counted.
    label: Text,
    /// Reads the count.
    read: fn(&mqlab_engine::Snapshot) -> f64,
    /// Flag a non-zero count (rejections, losses).
    #[prop(optional)]
    alarm: bool,
) -> impl IntoView {
    use mqlab_components::MetricCard;
    let value = panel_value(run, index, read);
    view! {
        <MetricCard
            name=name
            label=label
            value=value
            display=Signal::derive(move || thousands(value.get().max(0.0) as u64))
            alarm=Signal::derive(move || alarm && value.get() > 0.0)
        />
    }
}

/// A metric card for one of the scenario's facts (`FactDef`): the same
/// number, under the same name, as `mqlab-sim run` reports in `facts`.
/// Label and unit come from the fact's definition.
#[component]
pub fn FactCard(
    /// The run.
    run: DemoRun,
    /// Which panel.
    index: usize,
    /// The fact's key (`data-testid="fact-<key>"`).
    key: &'static str,
    /// Flag a non-zero value (losses, duplicates).
    #[prop(optional)]
    alarm: bool,
) -> impl IntoView {
    use mqlab_components::MetricCard;
    let Some(at) = run.def.facts.iter().position(|f| f.key == key) else {
        return view! { <span class="control-missing">{key}</span> }.into_any();
    };
    let fact = &run.def.facts[at];
    let value = Signal::derive(move || {
        run.frames
            .with(|fr| fr.get(index).and_then(|p| p.facts.get(at).copied()))
            .unwrap_or(0.0)
    });
    let lang = use_lang();
    let display = Signal::derive(move || fact_text(fact.unit, value.get(), lang.get()));
    view! {
        <span class="fact" data-testid=format!("fact-{key}")>
            <MetricCard
                name=key
                label=fact.label
                value=value
                display=display
                alarm=Signal::derive(move || alarm && value.get() > 0.0)
            />
        </span>
    }
    .into_any()
}

/// Every loss so far, by cause: how many and why, in the reader's words
/// (the ledger gives each loss exactly one cause).
#[component]
pub fn LossesByCause(
    /// The run.
    run: DemoRun,
    /// Which panel.
    index: usize,
) -> impl IntoView {
    use mqlab_components::event_log::cause_text;
    let lang = use_lang();
    let rows = Memo::new(move |_| {
        run.frames.with(|fr| {
            fr.get(index)
                .map(|p| {
                    p.snap
                        .ledger
                        .lost_by_cause
                        .iter()
                        .filter(|(_, n)| **n > 0)
                        .map(|(c, n)| (*c, *n))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <section class="losses" data-testid="lost-by-cause" aria-live="polite">
            <h3>{move || i18n::LOST_BY_CAUSE.get(lang.get())}</h3>
            <Show
                when=move || !rows.with(Vec::is_empty)
                fallback=move || view! { <p class="none">{move || i18n::NOTHING_LOST.get(lang.get())}</p> }
            >
                <ul>
                    {move || {
                        let l = lang.get();
                        rows.get()
                            .into_iter()
                            .map(|(c, n)| {
                                let why = cause_text(c).get(l).replace("{node}", words::QUEUE.get(l));
                                view! {
                                    <li data-cause=c.as_str() data-value=n.to_string()>
                                        <strong>{thousands(n)}</strong>" × "{why}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
        </section>
    }
}

/// A fact's value in its unit, for people.
fn fact_text(unit: &str, v: f64, lang: Lang) -> String {
    use mqlab_components::format::{duration, number};
    match unit {
        "us" => duration(v, lang),
        "ms" => duration(v * 1_000.0, lang),
        "s" => duration(v * 1_000_000.0, lang),
        "pct" => format!("{} %", number(v)),
        "per_s" => format!("{}{}", number(v), words::PER_S.get(lang)),
        _ if v.fract() == 0.0 && v >= 0.0 => thousands(v as u64),
        _ => number(v),
    }
}

/// Common snapshot readings for [`CountCard`].
pub mod read {
    use mqlab_engine::{MsgState, Snapshot};

    pub fn queued(s: &Snapshot) -> f64 {
        s.queued() as f64
    }
    pub fn done(s: &Snapshot) -> f64 {
        s.ledger.count(MsgState::Done) as f64
    }
    pub fn rejected(s: &Snapshot) -> f64 {
        s.ledger.count(MsgState::Rejected) as f64
    }
    pub fn lost(s: &Snapshot) -> f64 {
        s.ledger.count(MsgState::Lost) as f64
    }
    pub fn produced(s: &Snapshot) -> f64 {
        s.producers.iter().map(|p| p.produced).sum::<u64>() as f64
    }
    pub fn waiting_for_reply(s: &Snapshot) -> f64 {
        s.producers.iter().map(|p| p.waiting_for_reply).sum::<u64>() as f64
    }
}

/// A number from a panel's snapshot as a signal.
pub fn panel_value(run: DemoRun, i: usize, f: fn(&mqlab_engine::Snapshot) -> f64) -> Signal<f64> {
    Signal::derive(move || {
        run.frames
            .with(|fr| fr.get(i).map(|p| f(&p.snap)).unwrap_or(0.0))
    })
}
