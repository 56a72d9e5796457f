//! 削峰填谷 / peak shaving: the same burst against the same database, with
//! and without a queue in front of it, side by side.

use leptos::prelude::*;
use mqlab_components::format::{duration, number};
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::text;
use mqlab_components::{DemoRun, MetricCard, NodeSpot, PanelDef, ParamSlider, StageLayout, Text};

use super::{panel_value, read, Captions, CountCard, DemoFrame, FactCard, Panel};
use crate::i18n;

static PANELS: [PanelDef; 2] = [
    PanelDef {
        id: "queue",
        title: text!("有消息队列", "With a queue"),
        fixed: &[("queue", 1.0)],
    },
    PanelDef {
        id: "direct",
        title: text!(
            "没有队列：直接写数据库",
            "Without a queue: straight to the database",
        ),
        fixed: &[("queue", 0.0)],
    },
];

const USERS: Text = text!("用户请求", "Users");
const DB: Text = text!("数据库", "Database");

static LAYOUT_QUEUE: StageLayout = StageLayout {
    width: 640.0,
    height: 230.0,
    spots: &[
        NodeSpot {
            name: "users",
            x: 75.0,
            y: 115.0,
            label: USERS,
            member: None,
        },
        NodeSpot {
            name: "orders",
            x: 230.0,
            y: 115.0,
            label: text!("订单队列", "Order queue"),
            member: None,
        },
        NodeSpot {
            name: "workers",
            x: 390.0,
            y: 115.0,
            label: text!("消费者", "Consumers"),
            member: Some(i18n::CONSUMER_N),
        },
        NodeSpot {
            name: "db",
            x: 555.0,
            y: 115.0,
            label: DB,
            member: None,
        },
    ],
    links: &[
        ("users", "orders"),
        ("orders", "workers"),
        ("workers", "db"),
    ],
};

static LAYOUT_DIRECT: StageLayout = StageLayout {
    width: 640.0,
    height: 230.0,
    spots: &[
        NodeSpot {
            name: "users",
            x: 110.0,
            y: 115.0,
            label: USERS,
            member: None,
        },
        NodeSpot {
            name: "db",
            x: 500.0,
            y: 115.0,
            label: DB,
            member: None,
        },
    ],
    links: &[("users", "db")],
};

const TITLE: Text = text!(
    "削峰填谷：用队列吸收流量洪峰",
    "Peak shaving: a queue absorbs the burst",
);
const LEDE: Text = text!(
    "秒杀开始的 1 秒内涌来 10 万个请求，而数据库每秒只能写 1000 次。左边请求先进队列，消费者按数据库的节奏取出；右边请求直接打到数据库上。",
    "In the first second of a flash sale 100,000 requests arrive, but the database can only write 1,000 a second. On the left, requests go into a queue and consumers feed the database at its own pace; on the right, they hit the database directly.",
);

static TRY: [Text; 4] = [
    text!("按“播放”，把速度调到 16× 或更高，看两边的“被拒绝”和“已处理”。", "Press Play and set the speed to 16× or more; compare Rejected and Processed on both sides."),
    text!("把“数据库处理能力”调到 2000/秒：队列清空的时间减半。", "Raise the database capacity to 2,000/s: the queue empties in half the time."),
    text!("把“消费者数量”调到 1：数据库大半空闲，清空要约 650 秒。调到 200：和 10 个时一样约 100 秒，瓶颈是数据库，不是消费者。", "Set consumers to 1: the database sits mostly idle and draining takes about 650 s. Set 200: the same 100 s as with 10; the bottleneck is the database, not the consumers."),
    text!("把“队列容量”调到 50000：队列装不下的请求也会被拒绝。", "Set the queue capacity to 50,000: what does not fit in the queue is rejected too."),
];

static NOTICE: [Text; 4] = [
    text!("削峰：图中到达速率冲到 10 万/秒，而处理速率始终平稳在 1000/秒左右。", "The peak is cut: arrivals spike to 100,000/s while processing stays flat at about 1,000/s."),
    text!("填谷：洪峰过后没有新请求，数据库仍按满负荷处理队列里积压的消息，直到清空。", "The valley is filled: after the burst no new requests arrive, yet the database keeps working at full speed on the backlog until it is empty."),
    text!("代价是等待：最后一个请求要在队列里等约 100 秒。队列解决的是“不丢”，不是“更快”。", "The price is waiting: the last request waits about 100 s. A queue makes work safe, not faster."),
    text!("利特尔法则：平均排队长度 = 到达速率 × 平均排队时间。卡片左边按时间平均队列长度，右边逐条消息统计等待时间，两者始终相符。", "Little's law: mean queue length = arrival rate × mean time in queue. The card's left side averages the queue length over time, the right side adds up each message's wait; they always agree."),
];

const M_RATE: Text = text!("处理速率", "Processing rate");
const M_WAIT: Text = text!("排队等待 p95", "Wait in queue, p95");
const M_LITTLE: Text = text!("利特尔法则 L ≈ λ·W", "Little's law L ≈ λ·W");
const M_LITTLE_HINT: Text = text!(
    "平均排队长度（按时间平均）≈ 平均到达速率 × 每条消息的平均排队时间（还在排队的消息按已等待的时间计）",
    "Time-averaged queue length ≈ mean arrival rate × mean time each message spends in the queue (messages still waiting count the time so far)",
);

#[component]
pub fn PeakShavingDemo() -> impl IntoView {
    let lang = use_lang();
    let def = mqlab_engine::scenario::find("peak-shaving").expect("built-in scenario");
    let run = super::make_run(def, &PANELS, 4.0);

    let panel = move |i: usize| {
        let layout: &'static StageLayout = if i == 0 {
            &LAYOUT_QUEUE
        } else {
            &LAYOUT_DIRECT
        };
        let rate = panel_value(run, i, |s| s.rates.processed_per_s);
        let wait95 = panel_value(run, i, |s| s.wait.p95_us as f64);
        view! {
            <Panel run=run index=i layout=layout chart=true>
                <CountCard run=run index=i name="queued" label=i18n::M_QUEUED read=read::queued/>
                <CountCard run=run index=i name="done" label=i18n::M_DONE read=read::done/>
                <CountCard run=run index=i name="rejected" label=i18n::M_REJECTED read=read::rejected alarm=true/>
                // The share, as a number (98.9 % without a queue).
                <FactCard run=run index=i key="rejected_share_pct" alarm=true/>
                <CountCard run=run index=i name="lost" label=i18n::M_LOST read=read::lost alarm=true/>
                <MetricCard name="rate" label=M_RATE value=rate display=Signal::derive(move || format!("{}{}", number(rate.get()), words::PER_S.get(lang.get())))/>
                {(i == 0).then(|| view! {
                    <MetricCard name="wait-p95" label=M_WAIT value=wait95 display=Signal::derive(move || duration(wait95.get(), lang.get()))/>
                    <LittleCard run=run/>
                })}
            </Panel>
        }
    };

    view! {
        <DemoFrame id="peak-shaving" title=TITLE lede=LEDE run=run>
            <section class="controls" aria-label=move || i18n::CONTROLS.get(lang.get())>
                <ParamSlider run=run key="burst_rate_per_s" label=text!("洪峰请求速率", "Burst request rate") unit=words::PER_S/>
                <ParamSlider run=run key="burst_ms" label=text!("洪峰持续时间", "Burst length") unit=text!("毫秒", "ms")/>
                <ParamSlider run=run key="db_rate_per_s" label=text!("数据库处理能力", "Database capacity") unit=words::PER_S/>
                <ParamSlider run=run key="consumers" label=text!("消费者数量（仅左侧）", "Consumers (left only)") unit=text!("个", "")/>
                <ParamSlider run=run key="queue_capacity" label=text!("队列容量（仅左侧）", "Queue capacity (left only)") unit=words::MESSAGES/>
            </section>
            <div class="panels two">{panel(0)}{panel(1)}</div>
            <Captions try_this=&TRY notice=&NOTICE/>
        </DemoFrame>
    }
}

/// Little's law read off the live numbers of the queue panel.
#[component]
fn LittleCard(run: DemoRun) -> impl IntoView {
    let lang = use_lang();
    let numbers = Signal::derive(move || {
        run.frames.with(|f| {
            let Some(p) = f.first() else {
                return (0.0, 0.0, 0.0);
            };
            let secs = p.snap.time_us as f64 / 1e6;
            let q = p.snap.queues.first();
            let l = q.map(|q| q.mean_len).unwrap_or(0.0);
            let visits = q.map(|q| q.visits as f64).unwrap_or(0.0);
            let lambda = if secs > 0.0 { visits / secs } else { 0.0 };
            // Mean time in the queue per visit, counting those still waiting.
            let w = if visits > 0.0 {
                q.map(|q| q.total_wait_us).unwrap_or(0.0) / visits / 1e6
            } else {
                0.0
            };
            (l, lambda, w)
        })
    });
    let value = Signal::derive(move || numbers.get().0);
    let display = Signal::derive(move || {
        let (l, lambda, w) = numbers.get();
        let l_now = lang.get();
        let s = match l_now {
            mqlab_components::Lang::Zh => "秒",
            mqlab_components::Lang::En => "s",
        };
        format!(
            "{} ≈ {}{} × {}{s}",
            number(l),
            number(lambda),
            words::PER_S.get(l_now),
            mqlab_engine::num::fixed(w, 1)
        )
    });
    view! { <MetricCard name="little" label=M_LITTLE value=value display=display hint=M_LITTLE_HINT/> }
}
