//! Pub/sub: one click event fanned out to a recommendation profile, a
//! real-time counter and a data warehouse, each at its own pace; a fraud
//! check can subscribe and unsubscribe while it runs.

use leptos::prelude::*;
use mqlab_components::format::thousands;
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::text;
use mqlab_components::{NodeSpot, PanelDef, ParamSlider, ParamToggle, StageLayout, Text};
use mqlab_engine::scenarios::pubsub::SUBSCRIBERS;

use super::{read, Captions, CountCard, DemoFrame, Panel};
use crate::i18n;

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: text!(
        "一个点击事件，多个订阅者",
        "One click event, many subscribers",
    ),
    fixed: &[],
}];

/// Display names of the subscribers, in `SUBSCRIBERS` order.
static NAMES: [Text; 4] = [
    text!("推荐画像", "Recommendation profile"),
    text!("实时点击计数", "Real-time click counter"),
    text!("数据仓库", "Data warehouse"),
    text!("风控检查", "Fraud check"),
];

static LAYOUT: StageLayout = StageLayout {
    width: 640.0,
    height: 300.0,
    spots: &[
        NodeSpot {
            name: "web",
            x: 80.0,
            y: 150.0,
            label: text!("网站点击", "Website clicks"),
            member: None,
        },
        NodeSpot {
            name: "clicks",
            x: 190.0,
            y: 150.0,
            label: text!("主题", "topic"),
            member: None,
        },
        NodeSpot {
            name: "recommendation-q",
            x: 300.0,
            y: 45.0,
            label: text!("推荐队列", "Recs queue"),
            member: None,
        },
        NodeSpot {
            name: "counter-q",
            x: 300.0,
            y: 115.0,
            label: text!("计数队列", "Count queue"),
            member: None,
        },
        NodeSpot {
            name: "warehouse-q",
            x: 300.0,
            y: 185.0,
            label: text!("仓库队列", "DW queue"),
            member: None,
        },
        NodeSpot {
            name: "fraud-check-q",
            x: 300.0,
            y: 255.0,
            label: text!("风控队列", "Fraud queue"),
            member: None,
        },
        NodeSpot {
            name: "recommendation",
            x: 520.0,
            y: 45.0,
            label: NAMES[0],
            member: Some(NAMES[0]),
        },
        NodeSpot {
            name: "counter",
            x: 520.0,
            y: 115.0,
            label: NAMES[1],
            member: Some(NAMES[1]),
        },
        NodeSpot {
            name: "warehouse",
            x: 520.0,
            y: 185.0,
            label: NAMES[2],
            member: Some(NAMES[2]),
        },
        NodeSpot {
            name: "fraud-check",
            x: 520.0,
            y: 255.0,
            label: NAMES[3],
            member: Some(NAMES[3]),
        },
    ],
    links: &[
        ("web", "clicks"),
        ("clicks", "recommendation-q"),
        ("clicks", "counter-q"),
        ("clicks", "warehouse-q"),
        ("clicks", "fraud-check-q"),
        ("recommendation-q", "recommendation"),
        ("counter-q", "counter"),
        ("warehouse-q", "warehouse"),
        ("fraud-check-q", "fraud-check"),
    ],
};

const TITLE: Text = text!(
    "发布订阅：一次点击，多方消费",
    "Pub/sub: one click, many consumers",
);
const LEDE: Text = text!(
    "用户每点一次商品，网站就往“点击”主题发一个事件。推荐画像、实时计数和数据仓库各有自己的队列，按各自的速度处理，互不等待。",
    "Every time a user clicks a product, the website publishes one event to a \"clicks\" topic. The recommendation profile, the real-time counter and the data warehouse each have their own queue and work at their own pace, never waiting for each other.",
);

static TRY: [Text; 3] = [
    text!("按“播放”：数据仓库比点击来得慢，它的队列越排越长，但推荐和计数照常跟上。", "Press Play: the warehouse is slower than the clicks, so its queue grows, while recommendations and counting keep up."),
    text!("把“推荐画像处理时间”调到 1000 毫秒：只有推荐队列变长。", "Set the recommendation work time to 1,000 ms: only the recommendation queue grows."),
    text!("打开“接入风控检查”：新订阅者从此刻起收到点击，发布方一行代码都不用改；关掉它就退订。", "Switch on \"attach fraud check\": the new subscriber receives clicks from now on, and the publisher does not change at all; switch it off to unsubscribe."),
];

static NOTICE: [Text; 3] = [
    text!("每个订阅者一份拷贝、一个队列：慢的订阅者只拖慢自己。", "One copy and one queue per subscriber: a slow subscriber only delays itself."),
    text!("发布方不知道有谁在听，新增消费方不需要改它：这就是解耦。", "The publisher does not know who listens, so adding a consumer needs no change to it: that is decoupling."),
    text!("慢订阅者的积压终究要处理：要么给它加速，要么限定队列长度，否则内存或磁盘会被占满。", "A slow subscriber's backlog must be dealt with eventually: speed it up or bound its queue, or it fills memory or disk."),
];

const PER_SUB: Text = text!("各订阅者的队列", "Each subscriber's queue");
const COL_SUB: Text = text!("订阅者", "Subscriber");
const COL_QUEUED: Text = text!("排队", "Waiting");
const COL_DONE: Text = text!("已处理", "Processed");
const NOT_SUBSCRIBED: Text = text!("（未订阅）", " (not subscribed)");

#[component]
pub fn PubsubDemo() -> impl IntoView {
    let lang = use_lang();
    let def = mqlab_engine::scenario::find("pubsub").expect("built-in scenario");
    let run = super::make_run(def, &PANELS, 2.0);
    // (queued, processed, subscribed) per subscriber, in SUBSCRIBERS order.
    let rows = Signal::derive(move || {
        run.frames.with(|f| {
            let Some(p) = f.first() else {
                return Vec::new();
            };
            let snap = &p.snap;
            SUBSCRIBERS
                .iter()
                .map(|(_, group, queue)| {
                    let qnode = snap.nodes.iter().find(|n| n.name == *queue).map(|n| n.id);
                    let gnode = snap.nodes.iter().find(|n| n.name == *group).map(|n| n.id);
                    // Waiting: in its queue, or prefetched by its consumer
                    // and not started yet.
                    let in_queue = snap
                        .queues
                        .iter()
                        .find(|q| Some(q.node) == qnode)
                        .map(|q| q.len)
                        .unwrap_or(0);
                    let prefetched: u64 = snap
                        .groups
                        .iter()
                        .filter(|g| Some(g.node) == gnode)
                        .flat_map(|g| &g.consumers)
                        .map(|c| u64::from(c.buffered))
                        .sum();
                    let queued = in_queue + prefetched;
                    let done = snap
                        .groups
                        .iter()
                        .find(|g| Some(g.node) == gnode)
                        .map(|g| g.processed)
                        .unwrap_or(0);
                    let subscribed = snap
                        .topics
                        .iter()
                        .any(|t| qnode.is_some_and(|q| t.subscriptions.contains(&q)));
                    (queued, done, subscribed)
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <DemoFrame id="pubsub" title=TITLE lede=LEDE run=run>
            <section class="controls" aria-label=move || i18n::CONTROLS.get(lang.get())>
                <ParamSlider run=run key="rate_per_s" label=text!("点击速率", "Click rate") unit=words::PER_S/>
                <ParamSlider run=run key="recommendation_ms" label=text!("推荐画像处理时间", "Recommendation work time") unit=text!("毫秒", "ms")/>
                <ParamSlider run=run key="counter_ms" label=text!("实时计数处理时间", "Counter work time") unit=text!("毫秒", "ms")/>
                <ParamSlider run=run key="warehouse_ms" label=text!("数据仓库处理时间", "Warehouse work time") unit=text!("毫秒", "ms")/>
                <ParamSlider run=run key="fraud_check_ms" label=text!("风控检查处理时间", "Fraud-check work time") unit=text!("毫秒", "ms")/>
                <ParamToggle run=run key="fraud_check" label=text!("接入风控检查（新订阅者）", "Attach fraud check (a new subscriber)")/>
            </section>
            <div class="panels one">
                <Panel run=run index=0 layout=&LAYOUT untitled=true>
                    <CountCard run=run index=0 name="produced" label=text!("已发布点击", "Clicks published") read=read::produced/>
                    <CountCard run=run index=0 name="done" label=text!("处理总次数", "Handled in total") read=read::done/>
                    <CountCard run=run index=0 name="queued" label=i18n::M_QUEUED read=read::queued/>
                    <table class="subscribers" data-testid="subscribers">
                        <caption>{move || PER_SUB.get(lang.get())}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{move || COL_SUB.get(lang.get())}</th>
                                <th scope="col">{move || COL_QUEUED.get(lang.get())}</th>
                                <th scope="col">{move || COL_DONE.get(lang.get())}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                let l = lang.get();
                                rows.get()
                                    .into_iter()
                                    .enumerate()
                                    .map(|(i, (queued, done, subscribed))| {
                                        let id = SUBSCRIBERS[i].1;
                                        view! {
                                            <tr data-testid=format!("sub-{id}") data-queued=queued.to_string() data-done=done.to_string() class:off=!subscribed>
                                                <th scope="row">{NAMES[i].get(l)}{(!subscribed).then(|| NOT_SUBSCRIBED.get(l))}</th>
                                                <td>{thousands(queued)}</td>
                                                <td>{thousands(done)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </tbody>
                    </table>
                </Panel>
            </div>
            <Captions try_this=&TRY notice=&NOTICE/>
        </DemoFrame>
    }
}
