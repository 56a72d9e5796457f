//! Delayed messages: every order asks for a check 30 minutes later, which
//! cancels it if unpaid. Four ways to keep that promise (RocketMQ's fixed
//! levels, its timer, a polled Redis sorted set, RabbitMQ's TTL + dead
//! letter), each with its own way of being wrong: a level that is not the
//! delay wanted, lateness up to one poll, two pollers cancelling the same
//! order, a short delay stuck behind a long one. Simulated time runs a
//! minute a second at 1×.

use leptos::prelude::*;
use mqlab_components::format::duration;
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::text;
use mqlab_components::{DemoRun, NodeSpot, PanelDef, StageLayout, Text};
use mqlab_engine::scenarios::delay::{level_table, CHECKER, ORDERS, QUEUE, REMINDERS};
use mqlab_engine::Action;

use super::data_demo::{data_demo, Button, Control, DemoData, Group};
use crate::i18n;

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: text!(
        "订单 → 延迟存储 → 订单服务",
        "Orders → delay store → order service"
    ),
    fixed: &[],
}];

static LAYOUT: StageLayout = StageLayout {
    width: 640.0,
    height: 220.0,
    spots: &[
        NodeSpot::new(ORDERS, 95.0, 70.0, text!("下单", "Orders")),
        NodeSpot::new(REMINDERS, 95.0, 160.0, text!("提醒", "Reminders")),
        NodeSpot::new(QUEUE, 320.0, 115.0, text!("延迟存储", "Delay store")),
        NodeSpot::new(CHECKER, 545.0, 115.0, text!("订单服务", "Order service"))
            .with_member(text!("实例 {n}", "instance {n}")),
    ],
    links: &[(ORDERS, QUEUE), (REMINDERS, QUEUE), (QUEUE, CHECKER)],
};

static TRY: [Text; 5] = [
    text!(
        "按“播放”，把速度调到 16× 以上（1× 时模拟时间每秒走 1 分钟）：30 分钟后第一批检查到期，没付款的订单被取消，付了款的保留。",
        "Press Play and pick 16× or more (at 1× simulated time runs a minute a second): after 30 minutes the first checks come due; unpaid orders are cancelled, paid ones kept.",
    ),
    text!(
        "把延迟级别改成 14：检查 10 分钟就到，“提前送达”和“误取消”一路上涨，那些本来会在 30 分钟内付款的用户订单被取消了。",
        "Set the delay level to 14: the check comes after 10 minutes, and \"Delivered early\" and \"Cancelled too early\" climb: users who would have paid within the 30 minutes lose their orders.",
    ),
    text!(
        "选“Redis 有序集合 + 轮询”，把轮询间隔调到 5000 毫秒：“最大迟到”接近 5 秒。再把实例数调到 2：每一单都被两个实例各取消一次（“重复取走”）。打开“原子领取”，重复消失。",
        "Choose \"Redis sorted set + polling\" and set the poll interval to 5000 ms: \"Lateness max\" nears 5 s. Now set the instances to 2: each order is cancelled once by each instance (\"Double claims\"). Switch on the atomic claim and the doubles stop.",
    ),
    text!(
        "选“TTL + 死信（RabbitMQ）”，一开始就按“明早 9:00 提醒我”：之后每个 30 分钟的检查都排在这条 13 小时的提醒后面，“最大迟到”涨到十几个小时。换成“任意时间（RocketMQ 5）”再试，检查都准时。",
        "Choose \"TTL + dead letter (RabbitMQ)\" and press \"Remind me at 9:00 tomorrow\" at the start: every 30-minute check now queues behind that 13-hour reminder and \"Lateness max\" grows to over twelve hours. Try again with \"Any time (RocketMQ 5)\": every check is on time.",
    ),
    text!(
        "调“付款比例”和“平均付款用时”：取消的是那些到检查时还没付款的订单，付款来得越晚，取消越多。",
        "Move \"Users who pay\" and \"Mean time to pay\": a cancel falls on every order still unpaid at its check, so the later people pay, the more orders are cancelled.",
    ),
];

static NOTICE: [Text; 6] = [
    text!(
        "RocketMQ 4 只有 18 个固定级别：1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h。原文的注释把第 14 级说成 15 分钟、第 16 级说成 2 小时，都不对：14 级是 10 分钟，16 级是 30 分钟，18 级才是 2 小时。15 分钟用级别做不到。",
        "RocketMQ 4 has only 18 fixed levels: 1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h. The chapter's comment calls level 14 fifteen minutes and level 16 two hours; both are wrong: 14 is 10 minutes, 16 is 30 minutes, and 18 is 2 hours. Fifteen minutes cannot be had with levels.",
    ),
    text!(
        "RocketMQ 5 的定时消息可以指定任意投递时间，不再受级别限制，所以“明早 9:00”也能准时到。",
        "RocketMQ 5's timer messages take any delivery time, levels no longer apply, so \"9:00 tomorrow\" arrives on time too.",
    ),
    text!(
        "Redis 有序集合靠轮询：成员到期后最多要等一个轮询间隔才被取走。几个实例跑同一个定时任务时，它们同时读到同一批成员；只有检查 ZREM 的返回值（为 1 才处理）或用 Lua 脚本一次完成读和删，才能保证只处理一次。",
        "A Redis sorted set relies on polling: a due member waits up to one poll interval to be taken. When several instances run the same scheduled job, they read the same members at the same moment; only checking ZREM's result (act only on 1) or a Lua script that reads and removes in one step makes sure each is handled once.",
    ),
    text!(
        "原文之外：RabbitMQ 常用“消息 TTL + 死信交换机”做延迟队列，但普通队列只在队首检查过期。长延迟的消息在前面，后面短延迟的消息到期了也出不来。延迟各不相同时，应按延迟分队列，或用延迟消息插件。",
        "Beyond the chapter: RabbitMQ delays are often built from a message TTL and a dead-letter exchange, but a classic queue checks expiry only at its head. A long delay at the head keeps every shorter one behind it in, even once due. With mixed delays, use one queue per delay, or the delayed-message plugin.",
    ),
    text!(
        "晚到的检查不会错取消：检查时付过款就保留。早到的检查才危险：用户还在付款期限内，订单已经没了。",
        "A late check cancels nothing wrongly: an order paid by the time it is checked is kept. An early check is the dangerous one: the user still has time to pay, and the order is already gone.",
    ),
    text!(
        "与真实的 Redis 7.0 和 RabbitMQ 3.10 对照过（fidelity 测试）：两个轮询者先 ZRANGEBYSCORE 再 ZREM，都读到了到期的订单，只有一个 ZREM 返回 1；普通队列里按消息设 TTL，短 TTL 的消息要等前面长 TTL 的过期后才进死信队列。",
        "Checked against a real Redis 7.0 and RabbitMQ 3.10 (the fidelity suite): two pollers doing ZRANGEBYSCORE then ZREM both read the due order and only one ZREM returns 1; on a classic queue with per-message TTLs, a short one reaches the dead-letter queue only after the long one ahead of it has expired.",
    ),
];

const MIN: Text = text!("分钟", "min");
const COUNT: Text = text!("个", "");
const LEVELS_TITLE: Text = text!("RocketMQ 4 的延迟级别", "RocketMQ 4 delay levels",);

fn remind() -> Action {
    Action::Produce {
        producer: REMINDERS.into(),
        count: 1,
    }
}

static DATA: DemoData = DemoData {
    id: "delay",
    title: text!("延迟消息：30 分钟未支付就取消", "Delayed messages: cancel if unpaid after 30 minutes"),
    lede: text!(
        "下单时发一条 30 分钟后才投递的消息，到时检查订单：没付款就取消。模拟从晚上 20:00 开始，1× 时每秒走 1 分钟。四种实现，各有各的坑。",
        "When an order is placed, a message is sent for delivery 30 minutes later; when it arrives the order is checked and cancelled if unpaid. The run starts at 20:00 and, at 1×, a minute passes every second. Four ways to build it, each with its own trap.",
    ),
    panels: &PANELS,
    layout: &LAYOUT,
    speed: 1.0,
    time_scale: 60.0,
    legs: &[
        Group {
            title: text!("延迟怎样实现", "How the delay is kept"),
            controls: &[
                Control::Choice { key: "method", label: text!("实现方式", "Method") },
                Control::Slider { key: "level", label: text!("延迟级别（固定级别时）", "Delay level (levels)"), unit: text!("级", "") },
                Control::Slider { key: "cancel_after_min", label: text!("多久后检查（其他方式）", "Check after (other methods)"), unit: MIN },
            ],
        },
        Group {
            title: text!("轮询有序集合", "Polling a sorted set"),
            controls: &[
                Control::Slider { key: "poll_ms", label: text!("轮询间隔", "Poll interval"), unit: text!("毫秒", "ms") },
                Control::Slider { key: "pollers", label: text!("订单服务实例数", "Order service instances"), unit: COUNT },
                Control::Toggle { key: "atomic_claim", label: text!("原子领取（检查 ZREM 结果或用 Lua）", "Atomic claim (check ZREM's result, or Lua)") },
                Control::Hint { text: text!("只对“Redis 有序集合 + 轮询”有效。", "Only for \"Redis sorted set + polling\"."), link: None },
            ],
        },
        Group {
            title: text!("用户", "Users"),
            controls: &[
                Control::Slider { key: "pay_rate", label: text!("付款比例", "Users who pay"), unit: text!("%", "%") },
                Control::Slider { key: "pay_mean_min", label: text!("平均付款用时", "Mean time to pay"), unit: MIN },
                Control::Buttons(&[Button {
                    name: "remind",
                    fault: false,
                    label: text!("明早 9:00 提醒我", "Remind me at 9:00 tomorrow"),
                    hint: text!("发一条明早 9:00（运行 13 小时后）投递的提醒", "Sends a reminder due at 9:00 tomorrow, 13 hours into the run"),
                    action: remind,
                    disabled: None,
                }]),
            ],
        },
    ],
    controls: Group {
        title: i18n::CONTROLS,
        controls: &[Control::Slider { key: "rate_per_s", label: text!("下单速率", "Order rate"), unit: words::PER_S }],
    },
    facts: &[
        ("delay_us", false),
        ("lateness_us_p99", false),
        ("lateness_us_max", false),
        ("early", true),
        ("wrongly_cancelled", true),
        ("double_claimed", true),
        ("cancelled", false),
        ("paid", false),
        ("reminders", false),
        ("waiting", false),
        ("orders", false),
    ],
    losses: false,
    try_this: &TRY,
    notice: &NOTICE,
};

#[component]
pub fn DelayDemo() -> impl IntoView {
    data_demo(&DATA, Some(levels))
}

/// RocketMQ 4's level table, the chosen level marked.
fn levels(run: DemoRun) -> AnyView {
    let lang = use_lang();
    let chosen = Memo::new(move |_| run.params.with(|p| p.get("level")) as u32);
    view! {
        <section class="losses" data-testid="level-table">
            <h3>{move || LEVELS_TITLE.get(lang.get())}</h3>
            <ol class="levels">
                {level_table()
                    .map(|(level, us)| {
                        view! {
                            <li class:chosen=move || chosen.get() == level data-level=level.to_string()>
                                {move || duration(us as f64, lang.get())}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
    .into_any()
}
