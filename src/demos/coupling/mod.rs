//! Decoupling: an order service that calls notification directly vs one
//! that publishes an "order created" event, side by side.

use leptos::prelude::*;
use mqlab_components::format::duration;
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::text;
use mqlab_components::{
    MetricCard, NodeSpot, PanelDef, ParamSlider, ParamToggle, StageLayout, Text,
};
use mqlab_engine::Snapshot;

use super::{panel_value, read, Captions, CountCard, DemoFrame, Panel};
use crate::i18n;

static PANELS: [PanelDef; 2] = [
    PanelDef {
        id: "direct",
        title: text!(
            "直接调用：订单服务调用通知服务",
            "Direct call: orders call notification",
        ),
        // Adding a consumer here means changing the order service itself.
        fixed: &[("mode", 0.0), ("points", 0.0)],
    },
    PanelDef {
        id: "queue",
        title: text!(
            "通过队列：订单服务只发布事件",
            "Through a queue: orders only publish an event",
        ),
        fixed: &[("mode", 1.0)],
    },
];

const SHOP: Text = text!("下单请求", "Order requests");
const ORDERS: Text = text!("订单服务", "Order service");
const NOTIFY: Text = text!("通知服务", "Notification service");

static LAYOUT_DIRECT: StageLayout = StageLayout {
    width: 760.0,
    height: 220.0,
    spots: &[
        NodeSpot {
            name: "shop",
            x: 80.0,
            y: 110.0,
            label: SHOP,
            member: None,
        },
        NodeSpot {
            name: "orders",
            x: 300.0,
            y: 110.0,
            label: ORDERS,
            member: None,
        },
        NodeSpot {
            name: "notification",
            x: 520.0,
            y: 110.0,
            label: NOTIFY,
            member: None,
        },
    ],
    links: &[("shop", "orders"), ("orders", "notification")],
};

static LAYOUT_QUEUE: StageLayout = StageLayout {
    width: 760.0,
    height: 230.0,
    spots: &[
        NodeSpot {
            name: "shop",
            x: 75.0,
            y: 115.0,
            label: SHOP,
            member: None,
        },
        NodeSpot {
            name: "orders",
            x: 225.0,
            y: 115.0,
            label: ORDERS,
            member: None,
        },
        NodeSpot::new("order-events", 315.0, 115.0, text!("主题", "topic")),
        NodeSpot {
            name: "notify-q",
            x: 405.0,
            y: 60.0,
            label: text!("通知队列", "Notification queue"),
            member: None,
        },
        NodeSpot {
            name: "notifier",
            x: 545.0,
            y: 60.0,
            label: text!("通知消费者", "Notifier"),
            member: Some(text!("通知消费者", "Notifier")),
        },
        NodeSpot {
            name: "notification",
            x: 690.0,
            y: 60.0,
            label: NOTIFY,
            member: None,
        },
        NodeSpot {
            name: "points-q",
            x: 405.0,
            y: 175.0,
            label: text!("积分队列", "Points queue"),
            member: None,
        },
        NodeSpot {
            name: "points",
            x: 545.0,
            y: 175.0,
            label: text!("积分服务", "Points service"),
            member: Some(text!("积分服务", "Points service")),
        },
    ],
    links: &[
        ("shop", "orders"),
        ("orders", "order-events"),
        ("order-events", "notify-q"),
        ("notify-q", "notifier"),
        ("notifier", "notification"),
        ("order-events", "points-q"),
        ("points-q", "points"),
    ],
};

const TITLE: Text = text!(
    "系统解耦：通知宕机，下单照常",
    "Decoupling: notification down, orders still work",
);
const LEDE: Text = text!(
    "左边，订单服务创建订单后直接调用通知服务，通知不成功订单就失败；右边，订单服务只把“订单已创建”事件交给队列，通知由消费者随后发送。",
    "On the left, the order service calls the notification service directly after creating an order, and the order fails if the notification does; on the right, it only hands an \"order created\" event to a queue and a consumer sends the notification later.",
);

static TRY: [Text; 3] = [
    text!("按“播放”，再打开“通知服务宕机”：左边的订单开始失败，右边的订单照常成功，通知在队列里等待。", "Press Play, then switch on \"notification service down\": orders on the left start failing, orders on the right still succeed and notifications wait in the queue."),
    text!("关掉“通知服务宕机”：右边积压的通知很快全部发出，一条不少。", "Switch it off again: the notifications waiting on the right all go out shortly, none missing."),
    text!("打开“接入积分服务”：右边多了一个订阅者，订单服务不用改；左边要加积分，就得修改并重新部署订单服务。", "Switch on \"add points service\": the right gains a subscriber without touching the order service; on the left, adding points means changing and redeploying the order service."),
];

static NOTICE: [Text; 3] = [
    text!("直接调用把下游的故障和延迟都传给了上游：订单的成败取决于通知服务。", "A direct call passes the downstream's failures and delays upstream: orders succeed or fail with the notification service."),
    text!("通过队列，订单服务只依赖消息代理；下游故障变成了“稍后处理”。", "Through a queue the order service depends only on the broker; a downstream failure becomes \"handled later\"."),
    text!("代价是最终一致：通知会晚到，系统里要多维护一个消息代理。", "The price is eventual consistency: notifications arrive later, and there is one more system (the broker) to run."),
];

const M_ORDERS_OK: Text = text!("下单成功", "Orders created");
const M_ORDERS_FAILED: Text = text!("下单失败", "Orders failed");
const M_ORDER_TIME: Text = text!("下单响应时间（平均）", "Order response (mean)");
const M_NOTIFIED: Text = text!("已发通知", "Notifications sent");
const M_WAITING: Text = text!(
    "等待发送的通知（排队或重试中）",
    "Notifications waiting (queued or retrying)"
);
const M_POINTS: Text = text!("已发积分", "Points awarded");

fn service_processed(s: &Snapshot, name: &str) -> f64 {
    let id = s.nodes.iter().find(|n| n.name == name).map(|n| n.id);
    s.services
        .iter()
        .find(|v| Some(v.node) == id)
        .map(|v| v.processed)
        .unwrap_or(0) as f64
}

fn group_processed(s: &Snapshot, name: &str) -> f64 {
    let id = s.nodes.iter().find(|n| n.name == name).map(|n| n.id);
    s.groups
        .iter()
        .find(|g| Some(g.node) == id)
        .map(|g| g.processed)
        .unwrap_or(0) as f64
}

/// Messages the consumers of group `name` hold: delivered and not acked,
/// being worked on or waiting to retry a refused call.
fn group_held(s: &Snapshot, name: &str) -> f64 {
    let id = s.nodes.iter().find(|n| n.name == name).map(|n| n.id);
    s.groups
        .iter()
        .filter(|g| Some(g.node) == id)
        .flat_map(|g| &g.consumers)
        .map(|c| f64::from(c.busy))
        .sum()
}

fn queue_len(s: &Snapshot, name: &str) -> f64 {
    let id = s.nodes.iter().find(|n| n.name == name).map(|n| n.id);
    s.queues
        .iter()
        .find(|q| Some(q.node) == id)
        .map(|q| q.len)
        .unwrap_or(0) as f64
}

#[component]
pub fn CouplingDemo() -> impl IntoView {
    let lang = use_lang();
    let def = mqlab_engine::scenario::find("coupling").expect("built-in scenario");
    let run = super::make_run(def, &PANELS, 1.0);

    let panel = move |i: usize| {
        let layout: &'static StageLayout = if i == 0 {
            &LAYOUT_DIRECT
        } else {
            &LAYOUT_QUEUE
        };
        let ok = panel_value(run, i, |s| s.response.count as f64);
        let time = panel_value(run, i, |s| s.response.mean_us);
        view! {
            <Panel run=run index=i layout=layout>
                <MetricCard name="orders-ok" label=M_ORDERS_OK value=ok display=Signal::derive(move || mqlab_components::format::thousands(ok.get() as u64))/>
                <CountCard run=run index=i name="rejected" label=M_ORDERS_FAILED read=read::rejected alarm=true/>
                <MetricCard name="order-time" label=M_ORDER_TIME value=time
                    display=Signal::derive(move || if ok.get() == 0.0 { "–".into() } else { duration(time.get(), lang.get()) })/>
                <CountCard run=run index=i name="notified" label=M_NOTIFIED read=|s| service_processed(s, "notification")/>
                {(i == 1).then(|| view! {
                    // Waiting counts what the notifier holds and retries too:
                    // with the service down nothing is sent, whether it sits
                    // in the queue or in the notifier's hands (issue 11).
                    <CountCard run=run index=i name="waiting" label=M_WAITING read=|s| queue_len(s, "notify-q") + group_held(s, "notifier")/>
                    <CountCard run=run index=i name="points" label=M_POINTS read=|s| group_processed(s, "points")/>
                })}
            </Panel>
        }
    };

    view! {
        <DemoFrame id="coupling" title=TITLE lede=LEDE run=run>
            <section class="controls" aria-label=move || i18n::CONTROLS.get(lang.get())>
                <ParamSlider run=run key="rate_per_s" label=text!("下单速率", "Order rate") unit=words::PER_S/>
                <ParamSlider run=run key="notify_ms" label=text!("通知服务处理时间", "Notification work time") unit=text!("毫秒", "ms")/>
                <ParamToggle run=run key="notify_down" label=text!("通知服务宕机", "Notification service down")/>
                <ParamToggle run=run key="points" label=text!("接入积分服务（仅右侧）", "Add points service (right only)")/>
            </section>
            <div class="panels two">{panel(0)}{panel(1)}</div>
            <Captions try_this=&TRY notice=&NOTICE/>
        </DemoFrame>
    }
}
