//! Transactional messages: an order in the database and its message to
//! the stock service, made to agree four ways. Crash the order service
//! between the two steps and see which methods leave an order without its
//! stock deducted, or stock deducted for no order; the timeline shows each
//! order's steps, so the learner sees where the crash fell.

use leptos::prelude::*;
use mqlab_components::event_log::txn_step_text;
use mqlab_components::format::clock;
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::text;
use mqlab_components::{DemoRun, NodeSpot, PanelDef, StageLayout, Text};
use mqlab_engine::render::TxnOutcome;
use mqlab_engine::scenarios::transaction::{ORDER_SERVICE, QUEUE, STOCK_SERVICE};
use mqlab_engine::Action;

use super::data_demo::{data_demo, Button, Control, DemoData, Group};
use crate::i18n;

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: text!(
        "订单服务 → 库存消息队列 → 库存服务",
        "Order service → stock queue → stock service"
    ),
    fixed: &[],
}];

static LAYOUT: StageLayout = StageLayout {
    width: 640.0,
    height: 180.0,
    spots: &[
        NodeSpot::new(
            ORDER_SERVICE,
            95.0,
            90.0,
            text!("订单服务", "Order service"),
        ),
        NodeSpot::new(QUEUE, 320.0, 90.0, text!("库存消息", "Stock queue")),
        NodeSpot::new(
            STOCK_SERVICE,
            545.0,
            90.0,
            text!("库存服务", "Stock service"),
        )
        .with_member(text!("库存服务", "stock service")),
    ],
    links: &[(ORDER_SERVICE, QUEUE), (QUEUE, STOCK_SERVICE)],
};

static TRY: [Text; 4] = [
    text!(
        "按“播放”，再按“写库后崩溃”：下一单写进了数据库，消息却没发出。“有订单、没消息”变成 1：这单的库存永远不会扣。",
        "Press Play, then \"Crash after the DB write\": the next order is in the database but its message never leaves. \"Order, no message\" becomes 1: that order's stock is never deducted.",
    ),
    text!(
        "换成“先发消息，再写库”，按“发送后崩溃”或“本地事务失败”：库存服务照样扣了库存，订单却不存在（“有消息、没订单”）。",
        "Switch to \"Send, then write the order\" and press \"Crash after the send\" or \"Fail the local transaction\": the stock service still deducts stock, for an order that does not exist (\"Message, no order\").",
    ),
    text!(
        "换成“事务消息”，两个崩溃按钮各按一次：半消息停在 Broker 里，库存服务看不到。5 秒后 Broker 回查：订单在就提交，不在就回滚。两个不一致的数都是 0。",
        "Switch to \"Transactional message\" and press each crash button once: the half message waits at the broker where the stock service cannot see it. After 5 s the broker checks back: the order is there, so it commits; or it is not, so it rolls back. Both mismatch counts stay 0.",
    ),
    text!(
        "换成“本地消息表”，把崩溃比例调到 20%：订单和 outbox 记录一起写入，崩了也有中继接着发，什么都不丢，也不用回查。",
        "Switch to \"Outbox table\" and set the crash rate to 20%: the order and its outbox row are written together, and the relay sends it even after a crash. Nothing is lost and nothing needs a check-back.",
    ),
];

static NOTICE: [Text; 4] = [
    text!(
        "数据库和消息队列是两个系统，没有一个事务能同时管住两边。两步之间随时可能崩溃，先做哪一步，就决定了崩溃后留下哪种不一致。",
        "The database and the queue are two systems; no single transaction covers both. A crash can fall between the two steps, and which step comes first decides which mismatch a crash leaves behind.",
    ),
    text!(
        "事务消息的关键是“先占位、后确认”：半消息先存进 Broker 但不投递，本地事务的结果决定提交还是回滚；生产者失联时，Broker 主动回查，所以不会永远悬着。",
        "A transactional message reserves first and confirms later: the half message is stored at the broker but not delivered, and the local transaction's result decides commit or rollback. If the producer goes silent the broker checks back, so nothing hangs for ever.",
    ),
    text!(
        "回查需要订单服务能回答“这单到底写没写”：按订单号查数据库。事务还没结束时答“未知”，Broker 过一会儿再问（RocketMQ 默认最多回查 15 次）。",
        "A check-back needs the order service to answer \"was this order written?\": it looks the order up by id. While the transaction is still running it answers \"unknown\" and the broker asks again later (RocketMQ checks up to 15 times by default).",
    ),
    text!(
        "本地消息表（outbox）不需要消息队列支持事务：消息和订单在同一个数据库事务里写入，中继再发出去。中继可能重发，所以消费者仍要幂等（见“幂等性”）。",
        "The outbox needs no transaction support from the queue: the message is written in the same database transaction as the order, and a relay sends it. The relay may send twice, so the consumer must still be idempotent (see \"Idempotence\").",
    ),
];

fn crash_after_db() -> Action {
    Action::CrashProducerAfterDb {
        producer: ORDER_SERVICE.into(),
    }
}

fn crash_after_send() -> Action {
    Action::CrashProducerAfterSend {
        producer: ORDER_SERVICE.into(),
    }
}

fn fail_local_tx() -> Action {
    Action::FailLocalTx {
        producer: ORDER_SERVICE.into(),
    }
}

fn place_order() -> Action {
    Action::Produce {
        producer: ORDER_SERVICE.into(),
        count: 1,
    }
}

static DATA: DemoData = DemoData {
    id: "transaction",
    title: text!("事务消息：订单和库存不能对不上", "Transactional messages: orders and stock must agree"),
    lede: text!(
        "订单服务在数据库里创建订单，再通过消息让库存服务扣库存。两步之间一旦崩溃，要么有订单没扣库存，要么扣了库存没订单。四种做法，看哪种扛得住。",
        "The order service creates an order in its database and tells the stock service through a message to deduct stock. A crash between the two steps leaves an order whose stock is never deducted, or stock deducted for no order. Four ways to do it; see which one holds.",
    ),
    panels: &PANELS,
    layout: &LAYOUT,
    speed: 1.0,
    time_scale: 1.0,
    legs: &[
        Group {
            title: text!("怎样保证一致", "How the two agree"),
            controls: &[
                Control::Choice { key: "method", label: text!("做法", "Method") },
                Control::Slider { key: "check_back_s", label: text!("回查等待（事务消息）", "Check-back after (half message)"), unit: text!("秒", "s") },
            ],
        },
        Group {
            title: text!("故障", "Faults"),
            controls: &[
                Control::Buttons(&[
                    Button {
                        name: "crash-after-db",
                        fault: true,
                        label: text!("写库后崩溃", "Crash after the DB write"),
                        hint: text!("处理下一单的订单服务实例写完订单就崩溃", "The order-service instance handling the next order crashes right after writing it"),
                        action: crash_after_db,
                        disabled: None,
                    },
                    Button {
                        name: "crash-after-send",
                        fault: true,
                        label: text!("发送后崩溃", "Crash after the send"),
                        hint: text!("处理下一单的实例发出消息（或半消息）后就崩溃", "The instance handling the next order crashes right after sending its message (or half message)"),
                        action: crash_after_send,
                        disabled: None,
                    },
                    Button {
                        name: "fail-local-tx",
                        fault: true,
                        label: text!("本地事务失败", "Fail the local transaction"),
                        hint: text!("下一单的数据库插入失败并回滚", "The next order's database insert fails and is rolled back"),
                        action: fail_local_tx,
                        disabled: None,
                    },
                ]),
                Control::Hint { text: text!("每个按钮作用于下一单；其他实例照常工作。", "Each button takes the next order; the other instances carry on."), link: None },
                Control::Slider { key: "crash_rate", label: text!("崩溃比例（两步之间）", "Crash rate (between the steps)"), unit: text!("%", "%") },
            ],
        },
    ],
    controls: Group {
        title: i18n::CONTROLS,
        controls: &[
            Control::Slider { key: "rate_per_s", label: text!("下单速率", "Order rate"), unit: words::PER_S },
            Control::Buttons(&[Button {
                name: "place-order",
                fault: false,
                label: text!("下一单", "Place an order"),
                hint: text!("马上下一单", "Places one order now"),
                action: place_order,
                disabled: None,
            }]),
        ],
    },
    facts: &[
        ("orders", false),
        ("messages_delivered", false),
        ("order_without_message", true),
        ("message_without_order", true),
        ("check_backs", false),
        ("rolled_back", false),
        ("half_messages", false),
        ("placed", false),
    ],
    losses: true,
    try_this: &TRY,
    notice: &NOTICE,
};

#[component]
pub fn TransactionDemo() -> impl IntoView {
    data_demo(&DATA, Some(timeline))
}

const TIMELINE_TITLE: Text = text!("最近的订单，逐步", "The latest orders, step by step");
const NO_ORDERS: Text = text!("还没有订单。", "No orders yet.");
const WAITING: Text = text!("个故障在等下一单", "fault(s) waiting for the next order");

fn outcome_text(o: TxnOutcome) -> Text {
    match o {
        TxnOutcome::InProgress => text!("进行中", "in progress"),
        TxnOutcome::Consistent => text!("一致", "consistent"),
        TxnOutcome::OrderWithoutMessage => text!("有订单、没消息", "order, no message"),
        TxnOutcome::MessageWithoutOrder => text!("有消息、没订单", "message, no order"),
    }
}

/// Its class and its `data-outcome`.
fn outcome_marks(o: TxnOutcome) -> (&'static str, &'static str) {
    match o {
        TxnOutcome::InProgress => ("txn-order", "in_progress"),
        TxnOutcome::Consistent => ("txn-order ok", "consistent"),
        TxnOutcome::OrderWithoutMessage => ("txn-order bad", "order_without_message"),
        TxnOutcome::MessageWithoutOrder => ("txn-order bad", "message_without_order"),
    }
}

/// Each of the latest orders with its steps and how it ended. At high
/// speed the orders change every frame: drawn as one block of markup (our
/// own words and numbers), which re-renders in one step and costs the
/// bundle far less than a reactive node per step.
fn timeline(run: DemoRun) -> AnyView {
    let lang = use_lang();
    let html = move || {
        let l = lang.get();
        run.frames.with(|f| {
            let Some(t) = f.first().and_then(|p| p.snap.txn.as_ref()) else {
                return String::new();
            };
            let note = if t.waiting_faults > 0 {
                format!("{} {}", t.waiting_faults, WAITING.get(l))
            } else if t.orders.is_empty() {
                NO_ORDERS.get(l).to_string()
            } else {
                String::new()
            };
            let mut out = format!(
                "<h3>{}</h3><p class=\"none\">{note}</p><ol class=\"txn-orders\">",
                TIMELINE_TITLE.get(l)
            );
            for o in &t.orders {
                let (class, outcome) = outcome_marks(o.outcome);
                out += &format!(
                    "<li class=\"{class}\" data-outcome=\"{outcome}\"><strong>#{} </strong><span class=\"txn-outcome\">{}</span><ol>",
                    o.id,
                    outcome_text(o.outcome).get(l)
                );
                for (at, step) in &o.steps {
                    out += &format!("<li><time>{}</time> {}</li>", clock(*at), txn_step_text(*step).get(l));
                }
                out += "</ol></li>";
            }
            out + "</ol>"
        })
    };
    view! { <section class="losses" data-testid="txn-timeline" inner_html=html></section> }
        .into_any()
}
