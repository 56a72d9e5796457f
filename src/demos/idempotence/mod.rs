//! Idempotence: an at-least-once queue delivers some orders twice; a
//! consumer that adds points per order counts them twice unless it
//! recognises the duplicate. Expected and actual points side by side, three
//! sources of duplicates, three strategies, and the two ways a dedupe key
//! goes wrong (written too early, expired too soon).

use leptos::prelude::*;
use mqlab_components::i18n::words;
use mqlab_components::text;
use mqlab_components::{NodeSpot, PanelDef, StageLayout, Text};
use mqlab_engine::scenarios::idempotence::{BROKER, CONSUMER, PRODUCER};
use mqlab_engine::Action;

use super::data_demo::{data_demo, Button, Control, DemoData, Group};
use crate::i18n;

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: text!("订单 → 队列 → 积分服务", "Orders → queue → points service"),
    fixed: &[],
}];

static LAYOUT: StageLayout = StageLayout {
    width: 640.0,
    height: 180.0,
    spots: &[
        NodeSpot::new(PRODUCER, 95.0, 90.0, text!("订单服务", "Order service")),
        NodeSpot::new(BROKER, 320.0, 90.0, text!("消息队列", "Queue")),
        NodeSpot::new(CONSUMER, 545.0, 90.0, text!("积分服务", "Points service"))
            .with_member(text!("积分服务", "Points service")),
    ],
    links: &[(PRODUCER, BROKER), (BROKER, CONSUMER)],
};

const TITLE: Text = text!(
    "幂等性：同一条消息处理两次",
    "Idempotence: the same message, processed twice",
);
const LEDE: Text = text!(
    "为了不丢消息，队列宁可多送：网络会重复投递，确认丢了生产者会重发，消费者崩溃后消息会重投。每个订单给账户加 10 积分。积分服务如果认不出重复，账户就会多加。",
    "To lose nothing, a queue would rather deliver twice: the network duplicates, a lost confirm makes the producer send again, a crashed consumer gets the message again. Every order adds 10 points to an account; a points service that cannot recognise a duplicate adds them twice.",
);

static TRY: [Text; 4] = [
    text!(
        "按“播放”：默认不做幂等，20% 的订单被投递两次，“实际积分”很快超过“应有积分”。",
        "Press Play: with no guard and 20 % of orders delivered twice, \"Points in the account\" soon runs ahead of \"Points expected\".",
    ),
    text!(
        "选“数据库唯一键”：积分和订单号在同一个事务里写入，重复订单插入失败，当作已处理。两列积分从此一致。",
        "Choose \"DB unique key\": the points and the order id are written in one transaction, a duplicate's insert fails and counts as done. The two columns now agree.",
    ),
    text!(
        "选“Redis 去重键”，把去重键有效期调到 2 秒、重复到达延迟调到 5 秒：重复来的时候键已经过期，又加了一次分。",
        "Choose \"Redis dedupe key\", set the key's lifetime to 2 s and the duplicate delay to 5 s: by the time the copy comes the key has expired, and the points are added again.",
    ),
    text!(
        "去重键保持“处理前写”，反复按“消费者崩溃”：有些订单的积分再也没加上（“漏加积分”）。换成“处理后写”再试：不再漏加，但崩溃落在加分和写键之间时会重复加分。",
        "Keep the key written before the work and press \"Consumer crashes\" a few times: some orders never get their points (\"Points never added\"). Switch to after the work: nothing is missed, but a crash between the points and the key lets a duplicate through.",
    ),
];

static NOTICE: [Text; 5] = [
    text!(
        "“恰好一次”靠的不是队列，而是消费者：队列保证至少一次，消费者让重复变得无害。",
        "\"Exactly once\" is not the queue's doing but the consumer's: the queue guarantees at least once, the consumer makes repeats harmless.",
    ),
    text!(
        "唯一键最稳：它和业务数据在同一个事务里，不存在“写了一半”的时刻。",
        "A unique key is the safest: it sits in the same transaction as the data, so there is no half-written moment.",
    ),
    text!(
        "原文的示例先 SET NX 再处理：处理中途崩溃，键已存在、积分没加，重投会被当成重复跳过，这单就悄悄丢了，直到键过期。",
        "The chapter's sketch does SET NX before the work: a crash mid-work leaves the key set and the points unadded, so the redelivery is skipped as a duplicate and the order is silently lost until the key expires.",
    ),
    text!(
        "去重键的有效期必须比最晚的重复来得更久，否则迟到的重复会再生效一次。",
        "A dedupe key must outlive the latest duplicate; a copy that comes after it expires takes effect again.",
    ),
    text!(
        "与真实的 Redis 7.0 对照过（fidelity 测试）：键还在时 SET key NX EX 被拒绝，TTL 过后再设又能成功。",
        "Checked against a real Redis 7.0 (the fidelity suite): SET key NX EX is refused while the key lives, and succeeds again once its TTL is over.",
    ),
];

const SECONDS: Text = text!("秒", "s");

fn crash() -> Action {
    Action::CrashConsumer {
        group: CONSUMER.into(),
    }
}

fn drop_confirm() -> Action {
    Action::DropNextConfirm {
        producer: PRODUCER.into(),
    }
}

static DATA: DemoData = DemoData {
    id: "idempotence",
    title: TITLE,
    lede: LEDE,
    panels: &PANELS,
    layout: &LAYOUT,
    speed: 1.0,
    time_scale: 1.0,
    legs: &[
        Group {
            title: text!("重复从哪里来", "Where duplicates come from"),
            controls: &[
                Control::Slider { key: "duplicate_rate", label: text!("网络重复投递的比例", "Orders the network delivers twice"), unit: text!("%", "%") },
                Control::Slider { key: "redelivery_delay_s", label: text!("重复到达的延迟", "Delay until the duplicate arrives"), unit: SECONDS },
                Control::Buttons(&[
                    Button {
                        name: "drop-next-confirm",
                        fault: true,
                        label: text!("丢掉下一个确认", "Drop the next confirm"),
                        hint: text!("队列存下了订单，但确认丢了：生产者会重发同一个订单", "The queue stored the order but its confirm is lost: the producer sends the same order again"),
                        action: drop_confirm,
                        disabled: None,
                    },
                    Button {
                        name: "crash-consumer",
                        fault: true,
                        label: text!("消费者崩溃", "Consumer crashes"),
                        hint: text!("积分服务在处理中途崩溃，未确认的订单稍后重投", "The points service crashes mid-work; the unacked order is delivered again later"),
                        action: crash,
                        disabled: None,
                    },
                ]),
            ],
        },
        Group {
            title: text!("积分服务怎样识别重复", "How the points service spots a repeat"),
            controls: &[
                Control::Choice { key: "strategy", label: text!("幂等方案", "Strategy") },
                Control::Choice { key: "mark", label: text!("去重键何时写入", "When the dedupe key is written") },
                Control::Hint { text: text!("只对 Redis 去重键有效。原文的示例是“处理前写”。", "Only for the Redis dedupe key. The chapter's sketch writes it before the work."), link: None },
                Control::Slider { key: "ttl_s", label: text!("去重键有效期（EX）", "Dedupe key lifetime (EX)"), unit: SECONDS },
            ],
        },
    ],
    controls: Group {
        title: i18n::CONTROLS,
        controls: &[
            Control::Slider { key: "rate_per_s", label: text!("下单速率", "Order rate"), unit: words::PER_S },
            Control::Slider { key: "work_ms", label: text!("每单处理时间", "Work per order"), unit: text!("毫秒", "ms") },
        ],
    },
    facts: &[
        ("points_expected", false),
        ("points_actual", false),
        ("double_applied", true),
        ("lost_effects", true),
        ("unique_messages", false),
        ("effects_applied", false),
        ("skipped_duplicates", false),
        ("dedupe_keys", false),
    ],
    losses: true,
    try_this: &TRY,
    notice: &NOTICE,
};

#[component]
pub fn IdempotenceDemo() -> impl IntoView {
    data_demo(&DATA, None)
}
