//! Widget tests in a real browser (headless Chromium via wasm-bindgen-test).
//! Run: `cargo test --target wasm32-unknown-unknown -p mqlab-components --test browser`.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use mqlab_components::i18n::provide_lang;
use mqlab_components::*;
use mqlab_engine::scenario::find;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: Text::new("主", "Main"),
    fixed: &[],
}];

static LAYOUT: StageLayout = StageLayout {
    width: 600.0,
    height: 200.0,
    spots: &[
        NodeSpot {
            name: "producer",
            x: 80.0,
            y: 100.0,
            label: Text::new("生产者", "Producer"),
            member: None,
        },
        NodeSpot {
            name: "broker",
            x: 300.0,
            y: 100.0,
            label: Text::new("代理", "Broker"),
            member: None,
        },
        NodeSpot {
            name: "consumer",
            x: 520.0,
            y: 100.0,
            label: Text::new("消费者", "Consumer"),
            member: None,
        },
    ],
    links: &[("producer", "broker"), ("broker", "consumer")],
};

fn container() -> web_sys::HtmlElement {
    let doc = document();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn q(root: &web_sys::HtmlElement, sel: &str) -> web_sys::HtmlElement {
    root.query_selector(sel)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {sel}"))
        .unchecked_into()
}

fn fire(el: &web_sys::HtmlElement, kind: &str) {
    let ev = web_sys::Event::new_with_event_init_dict(kind, &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .unwrap();
    el.dispatch_event(&ev).unwrap();
}

/// Mounts a demo-like set of widgets and returns (root, run, lang).
async fn mount_kit() -> (web_sys::HtmlElement, DemoRun, RwSignal<Lang>) {
    let root = container();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let lang = RwSignal::new(Lang::En);
        provide_lang(lang);
        let run = DemoRun::new(find("components").unwrap(), &PANELS, 1.0, 1);
        tx.send((run, lang)).unwrap();
        let queued = Signal::derive(move || {
            run.frames
                .with(|f| f.first().map(|p| p.snap.queued() as f64).unwrap_or(0.0))
        });
        let log = Signal::derive(move || run.logs.with(|l| l.first().cloned().unwrap_or_default()));
        let nodes = Signal::derive(move || {
            run.frames
                .with(|f| f.first().map(|p| p.snap.nodes.clone()).unwrap_or_default())
        });
        view! {
            <Transport run=run/>
            <ParamSlider run=run key="work_ms" label=Text::new("处理时间", "Work time") unit=Text::new("毫秒", "ms")/>
            <ParamToggle run=run key="consumer_online" label=Text::new("在线", "Online")/>
            <ActionButton name="produce" label=Text::new("发送", "Send") hint=Text::new("发送一条", "Send one")
                on_press=Callback::new(move |_| run.act(|_| Some(mqlab_engine::Action::Produce { producer: "producer".into(), count: 1 })))/>
            <MetricCard name="queued" label=Text::new("排队", "Queued") value=queued display=Signal::derive(move || format!("{}", queued.get()))/>
            <Stage run=run index=0 layout=&LAYOUT label="stage"/>
            <EventLog entries=log layout=&LAYOUT nodes=nodes/>
        }
    });
    handle.forget();
    let (run, lang) = rx.recv().unwrap();
    // Effects run for the first time after mounting; let them settle.
    leptos::task::tick().await;
    (root, run, lang)
}

#[wasm_bindgen_test]
async fn play_button_toggles_and_step_advances_the_clock() {
    let (root, run, _) = mount_kit().await;
    let play = q(&root, "[data-testid=play]");
    assert_eq!(play.get_attribute("aria-pressed").as_deref(), Some("false"));
    play.click();
    leptos::task::tick().await;
    assert!(run.playing.get_untracked());
    assert_eq!(play.get_attribute("aria-pressed").as_deref(), Some("true"));
    play.click();
    leptos::task::tick().await;
    assert_eq!(play.get_attribute("aria-pressed").as_deref(), Some("false"));

    let clock = q(&root, "[data-testid=sim-time]");
    let before: u64 = clock
        .get_attribute("data-time-us")
        .unwrap()
        .parse()
        .unwrap();
    q(&root, "[data-testid=step]").click();
    leptos::task::tick().await;
    let after: u64 = clock
        .get_attribute("data-time-us")
        .unwrap()
        .parse()
        .unwrap();
    assert!(after > before, "step moves time: {before} -> {after}");
    q(&root, "[data-testid=reset]").click();
    leptos::task::tick().await;
    assert_eq!(clock.get_attribute("data-time-us").as_deref(), Some("0"));
}

#[wasm_bindgen_test]
async fn offline_consumer_lets_messages_wait_and_the_card_shows_it() {
    let (root, run, _) = mount_kit().await;
    let toggle: web_sys::HtmlInputElement =
        q(&root, "[data-testid=param-consumer_online]").unchecked_into();
    assert!(toggle.checked());
    toggle.set_checked(false);
    fire(&toggle, "change");
    leptos::task::tick().await;
    assert!(!run.params.get_untracked().flag("consumer_online"));
    for _ in 0..3 {
        q(&root, "[data-testid=action-produce]").click();
    }
    // Let the messages travel to the broker.
    run.advance(0.0);
    for _ in 0..20 {
        run.step();
    }
    leptos::task::tick().await;
    let card = q(&root, "[data-testid=metric-queued]");
    let queued: f64 = card.get_attribute("data-value").unwrap().parse().unwrap();
    assert!(queued >= 3.0, "queued {queued}");
    let log = q(&root, "[data-testid=event-log]").text_content().unwrap();
    assert!(log.contains("went offline"), "log says why: {log}");
}

#[wasm_bindgen_test]
async fn slider_commits_on_change_and_stays_in_range() {
    let (root, run, _) = mount_kit().await;
    let default = run.def.param("work_ms").unwrap().default;
    let slider: web_sys::HtmlInputElement =
        q(&root, "[data-testid=param-work_ms]").unchecked_into();
    // The last stop (the thumb's positions index the slider's round values).
    let last = slider.max();
    slider.set_value(&last);
    fire(&slider, "input");
    leptos::task::tick().await;
    assert_eq!(
        run.params.get_untracked().get("work_ms"),
        default,
        "input only previews"
    );
    assert_eq!(
        slider.value(),
        last,
        "the thumb stays where the learner put it"
    );
    fire(&slider, "change");
    leptos::task::tick().await;
    assert_eq!(run.params.get_untracked().get("work_ms"), 5000.0);
    assert!(root.text_content().unwrap().contains("5,000 ms"));
}

#[wasm_bindgen_test]
async fn language_switch_changes_widget_text() {
    let (root, _, lang) = mount_kit().await;
    assert!(q(&root, "[data-testid=play]")
        .text_content()
        .unwrap()
        .contains("Play"));
    lang.set(Lang::Zh);
    leptos::task::tick().await;
    assert!(q(&root, "[data-testid=play]")
        .text_content()
        .unwrap()
        .contains("播放"));
    assert!(root.text_content().unwrap().contains("生产者"));
}

#[wasm_bindgen_test]
async fn stage_draws_every_node_and_dots_while_messages_move() {
    let (root, run, _) = mount_kit().await;
    let svg = q(&root, "svg[data-testid=stage]");
    let text = svg.text_content().unwrap();
    for name in ["Producer", "Broker", "Consumer"] {
        assert!(text.contains(name), "{name} missing from {text}");
    }
    run.act(|_| {
        Some(mqlab_engine::Action::Produce {
            producer: "producer".into(),
            count: 5,
        })
    });
    run.playing.set(true);
    run.advance(50.0);
    leptos::task::tick().await;
    let dots = q(&root, "path.dots.msg")
        .get_attribute("d")
        .unwrap_or_default();
    assert!(
        dots.contains('M'),
        "dots drawn while messages are in flight"
    );
}
