//! A demo that is only data: its controls in groups, one panel with its
//! stage and fact cards, and its captions, drawn by one component.
//!
//! Most demos are this shape (a few legs of sliders, choices and fault
//! buttons, the facts of their scenario, "try this" and "notice"). Written
//! as a [`DemoData`] they share one compiled view instead of each carrying
//! its own: a demo's view code costs the bundle ~3 KB gzip, its data a few
//! hundred bytes. A demo with a picture of its own passes it as `extra`.

use leptos::prelude::*;
use mqlab_components::i18n::use_lang;
use mqlab_components::{
    ActionButton, DemoRun, ParamChoice, ParamSlider, ParamToggle, StageLayout, Text,
};
use mqlab_engine::Action;

use super::{Captions, DemoFrame, FactCard, LossesByCause, Panel};
use mqlab_components::PanelDef;

/// One control of a [`Group`].
pub enum Control {
    /// A slider for a numeric parameter; `unit` follows the value.
    Slider {
        key: &'static str,
        label: Text,
        unit: Text,
    },
    /// A drop-down for a choice parameter.
    Choice { key: &'static str, label: Text },
    /// A switch for an on/off parameter.
    Toggle { key: &'static str, label: Text },
    /// Buttons that act on the run (faults, commands), side by side.
    Buttons(&'static [Button]),
    /// A sentence under the controls; with `link`, followed by a link
    /// (`href`, its words).
    Hint {
        text: Text,
        link: Option<(&'static str, Text)>,
    },
}

/// A button that gives the run a command.
pub struct Button {
    /// `data-testid="action-<name>"`.
    pub name: &'static str,
    pub label: Text,
    /// What it does, in a sentence (its tooltip and description).
    pub hint: Text,
    /// Styled as a fault (a crash, a loss) rather than a command.
    pub fault: bool,
    /// The command it gives.
    pub action: fn() -> Action,
    /// When it cannot do anything now (greyed out): read from the run.
    pub disabled: Option<fn(DemoRun) -> bool>,
}

/// A titled group of controls. `legs` groups sit side by side (`.legs`);
/// the last group of a demo may be its general controls row instead.
pub struct Group {
    pub title: Text,
    pub controls: &'static [Control],
}

/// A whole demo as data.
pub struct DemoData {
    /// The scenario id, also the demo's id (`data-testid="demo-<id>"`).
    pub id: &'static str,
    pub title: Text,
    pub lede: Text,
    pub panels: &'static [PanelDef],
    pub layout: &'static StageLayout,
    /// The speed the transport starts at.
    pub speed: f64,
    /// Simulated seconds per real second at 1× (see `DemoRun::time_scale`).
    pub time_scale: f64,
    /// Groups of controls side by side.
    pub legs: &'static [Group],
    /// The row of general controls under them (load, rates).
    pub controls: Group,
    /// The fact cards, by fact key, in order; `true` flags a non-zero value.
    pub facts: &'static [(&'static str, bool)],
    /// Whether to list the losses by cause under the cards.
    pub losses: bool,
    pub try_this: &'static [Text],
    pub notice: &'static [Text],
}

/// Draws a [`DemoData`]; `extra` adds a picture of the demo's own after
/// the fact cards.
pub fn data_demo(data: &'static DemoData, extra: Option<fn(DemoRun) -> AnyView>) -> AnyView {
    let def = mqlab_engine::scenario::find(data.id).expect("built-in scenario");
    let mut run = super::make_run(def, data.panels, data.speed);
    run.time_scale = data.time_scale;
    view! {
        <DemoFrame id=data.id title=data.title lede=data.lede run=run>
            <div class="legs">
                {data.legs.iter().map(|g| group(run, g, "leg")).collect_view()}
            </div>
            {group(run, &data.controls, "controls")}
            <div class="panels one">
                <Panel run=run index=0 layout=data.layout untitled=true>
                    {data
                        .facts
                        .iter()
                        .map(|&(key, alarm)| view! { <FactCard run=run index=0 key=key alarm=alarm/> })
                        .collect_view()}
                    {extra.map(|f| f(run))}
                    {data.losses.then(|| view! { <LossesByCause run=run index=0/> })}
                </Panel>
            </div>
            <Captions try_this=data.try_this notice=data.notice/>
        </DemoFrame>
    }
    .into_any()
}

fn group(run: DemoRun, g: &'static Group, class: &'static str) -> AnyView {
    let lang = use_lang();
    let title = move || g.title.get(lang.get());
    // The general controls row has no heading of its own.
    let heading = (class == "leg").then(|| view! { <h2>{title}</h2> });
    view! {
        <section class=class aria-label=title>
            {heading}
            {g.controls.iter().map(|c| control(run, c)).collect_view()}
        </section>
    }
    .into_any()
}

fn control(run: DemoRun, c: &'static Control) -> AnyView {
    let lang = use_lang();
    match c {
        Control::Slider { key, label, unit } => {
            view! { <ParamSlider run=run key=*key label=*label unit=*unit/> }.into_any()
        }
        Control::Choice { key, label } => {
            view! { <ParamChoice run=run key=*key label=*label/> }.into_any()
        }
        Control::Toggle { key, label } => {
            view! { <ParamToggle run=run key=*key label=*label/> }.into_any()
        }
        Control::Buttons(buttons) => view! {
            <div class="actions">
                {buttons
                    .iter()
                    .map(|b| {
                        let (act, off) = (b.action, b.disabled);
                        let disabled = Signal::derive(move || off.is_some_and(|f| f(run)));
                        view! {
                            <ActionButton name=b.name fault=b.fault label=b.label hint=b.hint disabled=disabled
                                on_press=Callback::new(move |_| run.act(|_| Some(act())))/>
                        }
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
        Control::Hint { text, link } => view! {
            <p class="hint">
                {move || text.get(lang.get())}
                {link.map(|(href, words)| view! { " " <a href=href>{move || words.get(lang.get())}</a> })}
            </p>
        }
        .into_any(),
    }
}
