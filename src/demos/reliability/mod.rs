//! Where a message gets lost: between producer and broker, in the broker,
//! between broker and consumer. Each loss point has its fault button and
//! the settings that close it, side by side, so a learner can break it,
//! fix it and break it again.

use leptos::prelude::*;
use mqlab_components::i18n::words;
use mqlab_components::text;
use mqlab_components::{NodeSpot, PanelDef, StageLayout, Text};
use mqlab_engine::scenarios::reliability::{BROKER, CONSUMER, PRODUCER};
use mqlab_engine::Action;

use super::data_demo::{data_demo, Button, Control, DemoData, Group};

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: text!("生产者 → 代理 → 消费者", "Producer → broker → consumer"),
    fixed: &[],
}];

static LAYOUT: StageLayout = StageLayout {
    width: 640.0,
    height: 200.0,
    spots: &[
        NodeSpot::new(PRODUCER, 95.0, 90.0, text!("生产者", "Producer")),
        NodeSpot::new(BROKER, 320.0, 90.0, text!("消息代理", "Broker")),
        NodeSpot::new(CONSUMER, 545.0, 90.0, text!("消费者", "Consumer"))
            .with_member(text!("消费者", "Consumer")),
    ],
    links: &[(PRODUCER, BROKER), (BROKER, CONSUMER)],
};

const TITLE: Text = text!(
    "消息可靠性：消息会在哪里丢失",
    "Reliability: where a message gets lost",
);
const LEDE: Text = text!(
    "一条消息要经过三段路：生产者到代理、在代理里保存、代理到消费者。每一段都有自己的丢失方式，也有自己的补救办法。下面每一段都配了一个故障按钮和对应的修复开关。前两段的修复一开始是关着的；第三段一开始用手动确认，因为自动确认时代理会把消息尽快全推给消费者，自己手里几乎不剩，代理崩溃时也就没什么可丢。",
    "A message travels three legs: producer to broker, kept in the broker, broker to consumer. Each leg loses messages its own way and has its own fix. Each leg below has a fault button and the settings that close it. The fixes of the first two legs start switched off. The third leg starts on manual ack: under auto ack the broker pushes everything to the consumer as fast as it can, keeps next to nothing, and a broker crash would find little to lose.",
);

static TRY: [Text; 4] = [
    text!(
        "按“播放”，再按“网络丢掉下一条发布”：“丢失”加一，原因是没有发布确认。打开“发布确认”再试一次：生产者没等到确认就重发，什么也没丢。",
        "Press Play, then \"Network drops the next publish\": Lost goes up by one, because there was no publisher confirm. Switch on \"Publisher confirms\" and try again: the producer gets no confirm, sends again, and nothing is lost.",
    ),
    text!(
        "按“代理崩溃”：队列里没持久化的消息全部丢失。打开“持久化”并选“同步刷盘”，再让代理崩溃：重启后消息都还在。换成“异步刷盘”：最近一秒还没写盘的消息会丢。",
        "Press \"Broker crashes\": every queued message that was not persistent is lost. Switch on \"Persistent\" with sync flush and crash it again: after the restart every message is still there. Switch to async flush: what the last second had not written to disk is lost.",
    ),
    text!(
        "把“副本数”调到 3，选 acks=1，再让代理崩溃：一个从副本接替成为主副本，但主副本还没复制出去的消息丢了。换成 acks=all：一条也不丢。",
        "Set replicas to 3 with acks=1 and crash the broker: a follower takes over as leader, but what the old leader had not copied yet is lost. Choose acks=all: nothing is lost.",
    ),
    text!(
        "选“自动确认”，再按“消费者崩溃”：丢的不只是正在处理的那条。自动确认时 prefetch 不起作用，代理把消息尽快推给消费者，推过去的全都跟着丢了。换回“手动确认”再崩溃一次：没确认的消息回到队列、被重新投递，计入“重投”。",
        "Choose auto ack, then press \"Consumer crashes\": more than the message in work is lost. Prefetch does not apply to auto ack, so the broker pushes messages to the consumer as fast as it can, and everything it had pushed is lost with it. Switch back to manual ack and crash it again: the unacked messages go back to the queue, are delivered again and count as redelivered.",
    ),
];

static NOTICE: [Text; 5] = [
    text!(
        "每一次丢失都有原因，下面的“丢失原因”逐段列出。三段都要修好，消息才真的不丢。",
        "Every loss has its cause, listed under \"Where messages were lost\". Only when all three legs are fixed is nothing lost.",
    ),
    text!(
        "修复不是免费的：同步刷盘和 acks=all 要多等一次写盘或复制，手动确认要多一次往返。",
        "The fixes are not free: sync flush and acks=all wait for a disk write or a copy, manual ack adds a round trip.",
    ),
    text!(
        "“不丢”往往换来“重复”：确认丢了生产者就会重发，消费者崩溃后消息会重投。所以消费者必须能处理重复，见“幂等性”演示。",
        "\"Never lost\" usually brings \"sometimes twice\": a lost confirm makes the producer send again, a crashed consumer gets the message again. So consumers must cope with duplicates: see the idempotence demo.",
    ),
    text!(
        "Kafka 的 acks=1 只等主副本写入：主副本在复制前崩溃，生产者以为成功的消息就没了。acks=all 配合至少 2 个副本才不丢。",
        "Kafka's acks=1 waits only for the leader: if it crashes before copying, a message the producer believes stored is gone. acks=all with at least two replicas loses nothing.",
    ),
    text!(
        "与真实的 RabbitMQ 3.10 逐条对照过（fidelity 测试）：自动确认的消费者一崩溃，推给它的消息全丢；手动确认的消息会带着 redelivered 标记回来；持久队列里的持久化消息挺过重启，非持久的丢失。",
        "Checked against a real RabbitMQ 3.10 (the fidelity suite): when an auto-ack consumer crashes, everything pushed to it is lost; under manual ack the message comes back flagged redelivered; in a durable queue, persistent messages survive a restart and transient ones do not.",
    ),
];

const LEG_PRODUCER: Text = text!("① 生产者 → 代理", "① Producer → broker");
const LEG_BROKER: Text = text!("② 代理里", "② In the broker");
const LEG_CONSUMER: Text = text!("③ 代理 → 消费者", "③ Broker → consumer");
const LOAD: Text = text!("负载", "Load");
const SEE_IDEMPOTENCE: Text = text!(
    "重发的是同一条消息：消费者会收到两次。怎么办见“幂等性”演示。",
    "The re-send is the same message: the consumer gets it twice. What to do about it: the idempotence demo.",
);

const TO_IDEMPOTENCE: Text = text!("幂等性 →", "Idempotence →");

fn drop_next_publish() -> Action {
    Action::DropNextPublish {
        producer: PRODUCER.into(),
    }
}

fn drop_next_confirm() -> Action {
    Action::DropNextConfirm {
        producer: PRODUCER.into(),
    }
}

fn crash_broker() -> Action {
    Action::CrashBroker
}

fn crash_consumer() -> Action {
    Action::CrashConsumer {
        group: CONSUMER.into(),
    }
}

static DATA: DemoData = DemoData {
    id: "reliability",
    title: TITLE,
    lede: LEDE,
    panels: &PANELS,
    layout: &LAYOUT,
    speed: 1.0,
    time_scale: 1.0,
    legs: &[
        Group {
            title: LEG_PRODUCER,
            controls: &[
                Control::Toggle { key: "confirm", label: text!("发布确认（没收到确认就重发）", "Publisher confirms (send again if none comes)") },
                Control::Buttons(&[
                    Button {
                        name: "drop-next-publish",
                        fault: true,
                        label: text!("网络丢掉下一条发布", "Network drops the next publish"),
                        hint: text!("生产者发出的下一条消息在路上丢失", "The producer's next message is lost on the way to the broker"),
                        action: drop_next_publish,
                        disabled: None,
                    },
                    Button {
                        name: "drop-next-confirm",
                        fault: true,
                        label: text!("丢掉下一个确认", "Drop the next confirm"),
                        hint: text!("代理存下了消息，但给生产者的确认丢了", "The broker stored the message, but its confirm to the producer is lost"),
                        action: drop_next_confirm,
                        disabled: None,
                    },
                ]),
                Control::Hint { text: SEE_IDEMPOTENCE, link: Some(("#/demo/idempotence", TO_IDEMPOTENCE)) },
            ],
        },
        Group {
            title: LEG_BROKER,
            controls: &[
                Control::Toggle { key: "persistent", label: text!("持久化（写到磁盘）", "Persistent (written to disk)") },
                Control::Choice { key: "flush", label: text!("刷盘方式", "Flush to disk") },
                Control::Slider { key: "replicas", label: text!("副本数", "Replicas"), unit: text!("个", "") },
                Control::Choice { key: "acks", label: text!("生产者何时算发送成功", "When the producer is told") },
                Control::Buttons(&[Button {
                    name: "crash-broker",
                    fault: true,
                    label: text!("代理崩溃", "Broker crashes"),
                    hint: text!("代理（主副本）崩溃后重启；有从副本时由从副本接替", "The broker (the leader) crashes and restarts; with replicas, a follower takes over"),
                    action: crash_broker,
                    disabled: None,
                }]),
            ],
        },
        Group {
            title: LEG_CONSUMER,
            controls: &[
                Control::Choice { key: "ack_mode", label: text!("确认方式", "Acknowledgement") },
                Control::Slider { key: "fail_pct", label: text!("处理失败的比例", "Processing that fails"), unit: text!("%", "%") },
                Control::Buttons(&[Button {
                    name: "crash-consumer",
                    fault: true,
                    label: text!("消费者崩溃", "Consumer crashes"),
                    hint: text!("消费者在处理中途崩溃，稍后重启", "The consumer crashes in the middle of its work and restarts a little later"),
                    action: crash_consumer,
                    disabled: None,
                }]),
            ],
        },
    ],
    controls: Group {
        title: LOAD,
        controls: &[
            Control::Slider { key: "rate_per_s", label: text!("发送速率", "Send rate"), unit: words::PER_S },
            Control::Slider { key: "work_ms", label: text!("每条处理时间", "Work per message"), unit: text!("毫秒", "ms") },
        ],
    },
    facts: &[
        ("produced", false),
        ("queued", false),
        ("done", false),
        ("lost", true),
        ("rejected", false),
        ("redelivered", false),
        ("duplicates", true),
        ("nacked", false),
        ("failovers", false),
    ],
    losses: true,
    try_this: &TRY,
    notice: &NOTICE,
};

#[component]
pub fn ReliabilityDemo() -> impl IntoView {
    data_demo(&DATA, None)
}
