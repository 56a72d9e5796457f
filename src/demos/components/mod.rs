//! Producer → broker → consumer: the three roles, and messages waiting in
//! the broker while no consumer is online.

use leptos::prelude::*;
use mqlab_components::i18n::words;
use mqlab_components::text;
use mqlab_components::{NodeSpot, PanelDef, StageLayout, Text};
use mqlab_engine::Action;

use super::data_demo::{data_demo, Button, Control, DemoData, Group};
use crate::i18n;

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: text!("生产者 → 代理 → 消费者", "Producer → broker → consumer"),
    fixed: &[],
}];

static LAYOUT: StageLayout = StageLayout {
    width: 620.0,
    height: 190.0,
    spots: &[
        NodeSpot {
            name: "producer",
            x: 95.0,
            y: 95.0,
            label: text!("生产者", "Producer"),
            member: None,
        },
        NodeSpot {
            name: "broker",
            x: 310.0,
            y: 95.0,
            label: text!("消息代理（队列）", "Broker (queue)"),
            member: None,
        },
        NodeSpot {
            name: "consumer",
            x: 525.0,
            y: 95.0,
            label: text!("消费者", "Consumer"),
            member: Some(text!("消费者", "Consumer")),
        },
    ],
    links: &[("producer", "broker"), ("broker", "consumer")],
};

static TRY: [Text; 3] = [
    text!("按“播放”，看消息从生产者经代理流向消费者。", "Press Play and follow messages from the producer through the broker to the consumer."),
    text!("关掉“消费者在线”，再按几次“发送 1 条”：消息在代理里越积越多，但一条也没丢。", "Switch \"consumer online\" off and press \"Send 1\" a few times: messages pile up in the broker, and none is lost."),
    text!("重新打开“消费者在线”：积压的消息按先后顺序被取走。把“队列容量”调小再试，看看装满后会怎样。", "Switch the consumer back on: the backlog is taken in order. Try again with a small queue capacity to see what happens when it is full."),
];

static NOTICE: [Text; 3] = [
    text!("生产者发消息时不需要消费者在线：这就是解耦。", "The producer does not need the consumer to be online: that is decoupling."),
    text!("消费者处理得比生产者发得慢时，差额就留在队列里，即“积压”。", "When the consumer is slower than the producer, the difference waits in the queue: the backlog."),
    text!("队列不是无限的：装满后新消息会被拒绝，生产者会收到错误。", "A queue is not infinite: once full, new messages are refused and the producer is told."),
];

fn send_one() -> Action {
    Action::Produce {
        producer: "producer".into(),
        count: 1,
    }
}

fn send_ten() -> Action {
    Action::Produce {
        producer: "producer".into(),
        count: 10,
    }
}

static DATA: DemoData = DemoData {
    id: "components",
    title: text!("消息队列的三个角色", "The three roles of a message queue"),
    lede: text!(
        "生产者只管把消息交给消息代理；代理把消息存进队列；消费者上线后从队列取走消息处理，处理完再确认。三者互不等待。",
        "The producer only hands messages to the broker; the broker stores them in a queue; a consumer takes them when it is online, processes them and acknowledges. None of them waits for the others.",
    ),
    panels: &PANELS,
    layout: &LAYOUT,
    speed: 1.0,
    time_scale: 1.0,
    legs: &[],
    controls: Group {
        title: i18n::CONTROLS,
        controls: &[
            Control::Slider { key: "rate_per_s", label: text!("生产者发送速率", "Producer's send rate"), unit: words::PER_S },
            Control::Slider { key: "work_ms", label: text!("消费者处理时间", "Consumer's work time"), unit: text!("毫秒", "ms") },
            Control::Slider { key: "capacity", label: text!("队列容量", "Queue capacity"), unit: words::MESSAGES },
            Control::Toggle { key: "consumer_online", label: text!("消费者在线", "Consumer online") },
            Control::Buttons(&[
                Button {
                    name: "produce",
                    label: text!("发送 1 条", "Send 1"),
                    hint: text!("生产者立即发出一条消息", "The producer sends one message now"),
                    fault: false,
                    action: send_one,
                    disabled: None,
                },
                Button {
                    name: "produce-10",
                    label: text!("发送 10 条", "Send 10"),
                    hint: text!("生产者立即发出十条消息", "The producer sends ten messages now"),
                    fault: false,
                    action: send_ten,
                    disabled: None,
                },
            ]),
        ],
    },
    facts: &[("produced", false), ("queued", false), ("done", false), ("rejected", true)],
    losses: false,
    try_this: &TRY,
    notice: &NOTICE,
};

#[component]
pub fn ComponentsDemo() -> impl IntoView {
    data_demo(&DATA, None)
}
