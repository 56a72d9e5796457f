//! Point-to-point vs publish/subscribe: the same messages to a queue with
//! N competing consumers and to a topic with N subscribers, side by side.

use mqlab_components::text;
use std::sync::OnceLock;

use leptos::prelude::*;
use mqlab_components::format::{number, thousands};
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::{MetricCard, NodeSpot, PanelDef, ParamSlider, StageLayout, Text};
use mqlab_engine::render::GroupView;
use mqlab_engine::Snapshot;

use super::{panel_value, read, Captions, CountCard, DemoFrame, Panel};
use crate::i18n;

static PANELS: [PanelDef; 2] = [
    PanelDef {
        id: "p2p",
        title: text!(
            "点对点：N 个消费者竞争一个队列",
            "Point-to-point: N consumers compete for one queue",
        ),
        fixed: &[("mode", 0.0)],
    },
    PanelDef {
        id: "pubsub",
        title: text!(
            "发布订阅：N 个订阅者各收一份",
            "Pub/sub: each of N subscribers gets a copy",
        ),
        fixed: &[("mode", 1.0)],
    },
];

const PUBLISHER: Text = text!("发布者", "Publisher");
const W: f64 = 600.0;

static LAYOUT_P2P: StageLayout = StageLayout {
    width: W,
    height: 250.0,
    spots: &[
        NodeSpot {
            name: "publisher",
            x: 80.0,
            y: 125.0,
            label: PUBLISHER,
            member: None,
        },
        NodeSpot {
            name: "queue",
            x: 290.0,
            y: 125.0,
            label: text!("队列", "Queue"),
            member: None,
        },
        NodeSpot {
            name: "consumers",
            x: 500.0,
            y: 125.0,
            label: text!("消费者", "Consumers"),
            member: Some(i18n::CONSUMER_N),
        },
    ],
    links: &[("publisher", "queue"), ("queue", "consumers")],
};

/// The pub/sub stage for `n` subscribers: their queues and consumers in
/// rows, centred. Built once per `n` and kept for the page's life.
fn layout_pubsub(n: usize) -> &'static StageLayout {
    static LAYOUTS: OnceLock<Vec<&'static StageLayout>> = OnceLock::new();
    let all = LAYOUTS.get_or_init(|| {
        (1..=8usize)
            .map(|n| {
                let row = 66.0_f64;
                let height = (n as f64 * row + 30.0).max(250.0);
                let top = height / 2.0 - (n as f64 - 1.0) * row / 2.0;
                let mut spots = vec![NodeSpot {
                    name: "publisher",
                    x: 80.0,
                    y: height / 2.0,
                    label: PUBLISHER,
                    member: None,
                }];
                // The topic: the hub every copy leaves from.
                spots.push(NodeSpot::new(
                    mqlab_engine::scenarios::p2p_vs_pubsub::TOPIC,
                    190.0,
                    height / 2.0,
                    text!("主题", "Topic"),
                ));
                let mut links: Vec<(&'static str, &'static str)> =
                    vec![("publisher", mqlab_engine::scenarios::p2p_vs_pubsub::TOPIC)];
                for i in 0..n {
                    let (q, g) = names(i + 1);
                    let y = top + i as f64 * row;
                    spots.push(NodeSpot {
                        name: q,
                        x: 300.0,
                        y,
                        label: QUEUE_LABELS[i],
                        member: None,
                    });
                    spots.push(NodeSpot {
                        name: g,
                        x: 500.0,
                        y,
                        label: SUBSCRIBER_LABELS[i],
                        member: Some(SUBSCRIBER_LABELS[i]),
                    });
                    links.push((mqlab_engine::scenarios::p2p_vs_pubsub::TOPIC, q));
                    links.push((q, g));
                }
                &*Box::leak(Box::new(StageLayout {
                    width: W,
                    height,
                    spots: Box::leak(spots.into_boxed_slice()),
                    links: Box::leak(links.into_boxed_slice()),
                }))
            })
            .collect()
    });
    all[n.clamp(1, 8) - 1]
}

/// Engine names of subscriber `i` (from 1): its queue and its consumer group.
fn names(i: usize) -> (&'static str, &'static str) {
    const Q: [&str; 8] = [
        "sub-1", "sub-2", "sub-3", "sub-4", "sub-5", "sub-6", "sub-7", "sub-8",
    ];
    const G: [&str; 8] = [
        "subscriber-1",
        "subscriber-2",
        "subscriber-3",
        "subscriber-4",
        "subscriber-5",
        "subscriber-6",
        "subscriber-7",
        "subscriber-8",
    ];
    (Q[i - 1], G[i - 1])
}

static QUEUE_LABELS: [Text; 8] = [
    text!("队列 1", "Queue 1"),
    text!("队列 2", "Queue 2"),
    text!("队列 3", "Queue 3"),
    text!("队列 4", "Queue 4"),
    text!("队列 5", "Queue 5"),
    text!("队列 6", "Queue 6"),
    text!("队列 7", "Queue 7"),
    text!("队列 8", "Queue 8"),
];

static SUBSCRIBER_LABELS: [Text; 8] = [
    text!("订阅者 1", "Subscriber 1"),
    text!("订阅者 2", "Subscriber 2"),
    text!("订阅者 3", "Subscriber 3"),
    text!("订阅者 4", "Subscriber 4"),
    text!("订阅者 5", "Subscriber 5"),
    text!("订阅者 6", "Subscriber 6"),
    text!("订阅者 7", "Subscriber 7"),
    text!("订阅者 8", "Subscriber 8"),
];

const TITLE: Text = text!("点对点 vs 发布订阅", "Point-to-point vs publish/subscribe");
const LEDE: Text = text!(
    "同一串消息，左边送进一个队列，由几个消费者抢着处理，每条只被处理一次；右边发到一个主题，每个订阅者都有自己的队列，每条消息人人一份。",
    "The same stream of messages: on the left it goes into one queue where several consumers compete, so each message is handled once; on the right it goes to a topic where every subscriber has its own queue and gets every message.",
);

static TRY: [Text; 3] = [
    text!("按“播放”，对比两边的“每条消息被处理的次数”。", "Press Play and compare \"handled per message\" on both sides."),
    text!("把消费者数量调到 6：左边每个消费者分到的更少（负载均衡），右边总处理量变成 6 倍（广播）。", "Set the count to 6: on the left each consumer gets a smaller share (load balancing); on the right the total work grows six-fold (broadcast)."),
    text!("把处理时间调到 1500 毫秒：左边加消费者能追上积压，右边每个订阅者都得自己追。", "Set the work time to 1,500 ms: on the left adding consumers catches up with the backlog; on the right every subscriber has to keep up on its own."),
];

static NOTICE: [Text; 4] = [
    text!("点对点适合“一件事只做一次”：发订单、扣库存。多加消费者就是扩容。", "Point-to-point suits work done once: place an order, deduct stock. More consumers means more capacity."),
    text!("发布订阅适合“一件事通知很多方”：同一个事件给推荐、统计、仓库各一份。", "Pub/sub suits one event that many parties care about: the same event goes to recommendations, statistics and the warehouse."),
    text!("在 Kafka 这类系统里两者是同一机制：同一消费组内竞争，不同消费组各收一份。", "In systems like Kafka both are one mechanism: consumers in the same group compete, different groups each get a copy."),
    text!(
        "与真实的 RabbitMQ 3.10 对照过（fidelity 测试）：prefetch=1 时每条消息只交给一个消费者，慢的消费者拿到的少。",
        "Checked against a real RabbitMQ 3.10 (the fidelity suite): with prefetch 1 each message goes to exactly one consumer, and the slow one gets fewer.",
    ),
];

const M_PER_MESSAGE: Text = text!("每条消息被处理次数", "Handled per message");
const M_HANDLED: Text = text!("处理总次数", "Handled in total");
const PER_CONSUMER: Text = text!("各消费者处理数", "Handled by each consumer");
const PER_SUBSCRIBER: Text = text!("各订阅者处理数", "Handled by each subscriber");

/// The groups whose queue is fed now: the p2p group, or the subscribers
/// the topic copies to (the others stand by, or drain what they hold).
fn subscribed(s: &Snapshot) -> impl Iterator<Item = &GroupView> {
    s.groups
        .iter()
        .filter(|g| s.queues.iter().any(|q| q.node == g.queue && q.attached))
}

#[component]
pub fn P2pVsPubsubDemo() -> impl IntoView {
    let lang = use_lang();
    let def = mqlab_engine::scenario::find("p2p-vs-pubsub").expect("built-in scenario");
    let run = super::make_run(def, &PANELS, 2.0);
    let count = Memo::new(move |_| run.params.with(|p| p.get("consumers")) as usize);

    let panel = move |i: usize| {
        // The engine's fact, from the same per-group counts.
        let ratio = panel_value(run, i, |s| {
            let by_group: Vec<u64> = subscribed(s).map(|g| g.processed).collect();
            mqlab_engine::facts::read::per_finished_message(&by_group)
        });
        let per_consumer = Signal::derive(move || {
            run.frames.with(|f| {
                f.get(i)
                    .map(|p| {
                        subscribed(&p.snap)
                            .flat_map(|g| {
                                if g.consumers.len() > 1 || i == 0 {
                                    g.consumers.iter().map(|c| c.processed).collect::<Vec<_>>()
                                } else {
                                    vec![g.processed]
                                }
                            })
                            .collect::<Vec<u64>>()
                    })
                    .unwrap_or_default()
            })
        });
        let layout = move || {
            if i == 0 {
                &LAYOUT_P2P
            } else {
                layout_pubsub(count.get())
            }
        };
        view! {
            {move || view! {
                <Panel run=run index=i layout=layout()>
                    <CountCard run=run index=i name="produced" label=i18n::M_PRODUCED read=read::produced/>
                    <CountCard run=run index=i name="done" label=M_HANDLED read=read::done/>
                    <MetricCard name="per-message" label=M_PER_MESSAGE value=ratio
                        display=Signal::derive(move || format!("× {}", number(ratio.get())))/>
                    <CountCard run=run index=i name="queued" label=i18n::M_QUEUED read=read::queued/>
                    <div class="per-consumer" data-testid="per-consumer">
                        <span class="metric-label">{move || if i == 0 { PER_CONSUMER } else { PER_SUBSCRIBER }.get(lang.get())}</span>
                        <ol>
                            {move || per_consumer.get().into_iter().enumerate().map(|(k, n)| view! { <li>{format!("#{}: {}", k + 1, thousands(n))}</li> }).collect_view()}
                        </ol>
                    </div>
                </Panel>
            }}
        }
    };

    view! {
        <DemoFrame id="p2p-vs-pubsub" title=TITLE lede=LEDE run=run>
            <section class="controls" aria-label=move || i18n::CONTROLS.get(lang.get())>
                <ParamSlider run=run key="consumers" label=text!("消费者 / 订阅者数量", "Consumers / subscribers") unit=text!("个", "")/>
                <ParamSlider run=run key="rate_per_s" label=text!("发布速率", "Publish rate") unit=words::PER_S/>
                <ParamSlider run=run key="work_ms" label=text!("每条处理时间", "Work per message") unit=text!("毫秒", "ms")/>
            </section>
            <div class="panels two">{panel(0)}{panel(1)}</div>
            <Captions try_this=&TRY notice=&NOTICE/>
        </DemoFrame>
    }
}
