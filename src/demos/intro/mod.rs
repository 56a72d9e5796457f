//! Sync call ("phone call") vs async message ("text message").

use leptos::prelude::*;
use mqlab_components::format::duration;
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::text;
use mqlab_components::{
    MetricCard, NodeSpot, PanelDef, ParamSlider, ParamToggle, StageLayout, Text,
};

use super::{panel_value, read, Captions, CountCard, DemoFrame, Panel};
use crate::i18n;

static PANELS: [PanelDef; 2] = [
    PanelDef {
        id: "sync",
        title: text!("同步调用（像打电话）", "Sync call (like a phone call)"),
        fixed: &[("mode", 0.0)],
    },
    PanelDef {
        id: "async",
        title: text!(
            "异步消息（像发短信）",
            "Async message (like a text message)",
        ),
        fixed: &[("mode", 1.0)],
    },
];

const CALLER: Text = text!("调用方", "Caller");
const CALLEE: Text = text!("被调用方", "Callee");

static LAYOUT_SYNC: StageLayout = StageLayout {
    width: 560.0,
    height: 180.0,
    spots: &[
        NodeSpot {
            name: "caller",
            x: 110.0,
            y: 90.0,
            label: CALLER,
            member: None,
        },
        NodeSpot {
            name: "callee",
            x: 450.0,
            y: 90.0,
            label: CALLEE,
            member: Some(CALLEE),
        },
    ],
    links: &[("caller", "callee")],
};

static LAYOUT_ASYNC: StageLayout = StageLayout {
    width: 560.0,
    height: 180.0,
    spots: &[
        NodeSpot {
            name: "caller",
            x: 90.0,
            y: 90.0,
            label: CALLER,
            member: None,
        },
        NodeSpot {
            name: "inbox",
            x: 280.0,
            y: 90.0,
            label: text!("消息队列（收件箱）", "Queue (inbox)"),
            member: None,
        },
        NodeSpot {
            name: "callee",
            x: 470.0,
            y: 90.0,
            label: CALLEE,
            member: Some(CALLEE),
        },
    ],
    links: &[("caller", "inbox"), ("inbox", "callee")],
};

const TITLE: Text = text!("同步调用 vs 异步消息", "Sync call vs async message");
const LEDE: Text = text!(
    "打电话时，你得一直拿着听筒等对方说完；发短信时，发出去就可以去做别的事，对方有空再看。两边用同样的请求速率和同样慢的被调用方。",
    "On a phone call you hold the line until the other side is done; a text message is sent and you move on, and the other side reads it when it can. Both sides get the same requests and the same slow callee.",
);

static TRY: [Text; 3] = [
    text!("按“播放”，比较两边的“调用方等待时间”。", "Press Play and compare the caller's wait on both sides."),
    text!("把“被调用方处理时间”拖到 4000 毫秒：被调用方忙不过来了。同步调用越等越久，有的超时失败；异步调用方仍 600 毫秒就得到回应，但收件箱越积越多。", "Drag the callee's work time to 4,000 ms: the callee can no longer keep up. Sync callers wait longer and longer and some time out; async callers still hear back in 600 ms, but the inbox piles up."),
    text!("打开“被调用方宕机”一会儿再关掉：同步调用直接失败；异步消息在收件箱里排队，恢复后一条不少地处理完。", "Turn on \"callee down\" for a while, then off: sync calls fail outright; async messages wait in the inbox and are all handled after recovery."),
];

static NOTICE: [Text; 3] = [
    text!("同步：调用方的等待 = 网络往返 + 对方的处理时间。对方越慢，调用方越慢。", "Sync: the caller's wait = network round trip + the callee's work. A slower callee means a slower caller."),
    text!("异步：调用方只等消息被队列收下（一个网络往返），处理在之后发生。一跳网络 300 毫秒，异步的 600 毫秒就是一去一回，不是队列的开销。", "Async: the caller only waits for the queue to take the message (one round trip); the work happens later. A hop is 300 ms here: the async 600 ms is there and back, not the queue's cost."),
    text!("异步不是免费的：结果要晚一些才有，而且需要队列来保管消息。", "Async is not free: the result arrives later, and a queue has to keep the messages safe meanwhile."),
];

const M_WAIT: Text = text!(
    "调用方等待（近 10 秒平均）",
    "Caller's wait (mean, last 10 s)"
);
const M_WAITING: Text = text!("正在等回复", "Waiting for a reply");
const M_FAILED: Text = text!("调用失败", "Failed calls");

#[component]
pub fn IntroDemo() -> impl IntoView {
    let lang = use_lang();
    let def = mqlab_engine::scenario::find("intro").expect("built-in scenario");
    let run = super::make_run(def, &PANELS, 1.0);

    let panel = move |i: usize| {
        let layout: &'static StageLayout = if i == 0 { &LAYOUT_SYNC } else { &LAYOUT_ASYNC };
        // Over the last 10 s: a mean since the start would still read 8.5 s
        // long after the callee is back to 1,500 ms (issue 11).
        let wait = panel_value(run, i, |s| s.response_recent_mean_us);
        let answered = panel_value(run, i, |s| s.response_recent_count as f64);
        view! {
            <Panel run=run index=i layout=layout>
                <MetricCard name="response" label=M_WAIT value=wait
                    display=Signal::derive(move || if answered.get() == 0.0 { "–".to_string() } else { duration(wait.get(), lang.get()) })/>
                {if i == 0 {
                    view! { <CountCard run=run index=i name="waiting" label=M_WAITING read=read::waiting_for_reply/> }.into_any()
                } else {
                    view! { <CountCard run=run index=i name="queued" label=i18n::M_QUEUED read=read::queued/> }.into_any()
                }}
                <CountCard run=run index=i name="done" label=i18n::M_DONE read=read::done/>
                <CountCard run=run index=i name="rejected" label=M_FAILED read=read::rejected alarm=true/>
            </Panel>
        }
    };

    view! {
        <DemoFrame id="intro" title=TITLE lede=LEDE run=run>
            <section class="controls" aria-label=move || i18n::CONTROLS.get(lang.get())>
                <ParamSlider run=run key="rate_per_s" label=text!("请求速率", "Request rate") unit=words::PER_S/>
                <ParamSlider run=run key="callee_ms" label=text!("被调用方处理时间", "Callee's work time") unit=text!("毫秒", "ms")/>
                <ParamToggle run=run key="callee_down" label=text!("被调用方宕机", "Callee down")/>
            </section>
            <div class="panels two">{panel(0)}{panel(1)}</div>
            <Captions try_this=&TRY notice=&NOTICE/>
        </DemoFrame>
    }
}
