//! Message ordering: each user's order goes created → paid → shipped, and
//! the steps must be applied in that order. Competing consumers break it,
//! partitioning by the right key keeps it per user, a single consumer keeps
//! it globally at a throughput cost, and an in-memory re-ordering buffer
//! works only if it waits for gaps.

use leptos::prelude::*;
use mqlab_components::i18n::words;
use mqlab_components::text;
use mqlab_components::{NodeSpot, PanelDef, StageLayout, Text};
use mqlab_engine::scenarios::ordering::{CONSUMERS, PRODUCER, QUEUE};
use mqlab_engine::time::US_PER_S;
use mqlab_engine::Action;

use super::data_demo::{data_demo, Button, Control, DemoData, Group};
use crate::i18n;

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: text!("下单 → 队列 → 订单库", "Shop → queue → order database"),
    fixed: &[],
}];

/// One layout for every strategy: a stage draws only the nodes its run
/// has, so the one-queue nodes and the partition rows share it. Up to eight
/// partitions (the parameter's maximum), one row each; the names are the
/// engine's `PARTITIONS` and `PARTITION_CONSUMERS`.
static LAYOUT: StageLayout = StageLayout {
    width: 720.0,
    height: 380.0,
    spots: &[
        NodeSpot::new(PRODUCER, 100.0, 191.0, text!("下单服务", "Shop")),
        NodeSpot::new(QUEUE, 330.0, 191.0, text!("订单队列", "Order queue")),
        NodeSpot::new(CONSUMERS, 580.0, 191.0, text!("消费者", "Consumers"))
            .with_member(i18n::CONSUMER_N),
        NodeSpot::new("partition-0", 330.0, 30.0, text!("分区 0", "Partition 0")),
        NodeSpot::new("consumer-0", 580.0, 30.0, text!("消费者 0", "Consumer 0"))
            .with_member(text!("消费者 0", "Consumer 0")),
        NodeSpot::new("partition-1", 330.0, 76.0, text!("分区 1", "Partition 1")),
        NodeSpot::new("consumer-1", 580.0, 76.0, text!("消费者 1", "Consumer 1"))
            .with_member(text!("消费者 1", "Consumer 1")),
        NodeSpot::new("partition-2", 330.0, 122.0, text!("分区 2", "Partition 2")),
        NodeSpot::new("consumer-2", 580.0, 122.0, text!("消费者 2", "Consumer 2"))
            .with_member(text!("消费者 2", "Consumer 2")),
        NodeSpot::new("partition-3", 330.0, 168.0, text!("分区 3", "Partition 3")),
        NodeSpot::new("consumer-3", 580.0, 168.0, text!("消费者 3", "Consumer 3"))
            .with_member(text!("消费者 3", "Consumer 3")),
        NodeSpot::new("partition-4", 330.0, 214.0, text!("分区 4", "Partition 4")),
        NodeSpot::new("consumer-4", 580.0, 214.0, text!("消费者 4", "Consumer 4"))
            .with_member(text!("消费者 4", "Consumer 4")),
        NodeSpot::new("partition-5", 330.0, 260.0, text!("分区 5", "Partition 5")),
        NodeSpot::new("consumer-5", 580.0, 260.0, text!("消费者 5", "Consumer 5"))
            .with_member(text!("消费者 5", "Consumer 5")),
        NodeSpot::new("partition-6", 330.0, 306.0, text!("分区 6", "Partition 6")),
        NodeSpot::new("consumer-6", 580.0, 306.0, text!("消费者 6", "Consumer 6"))
            .with_member(text!("消费者 6", "Consumer 6")),
        NodeSpot::new("partition-7", 330.0, 352.0, text!("分区 7", "Partition 7")),
        NodeSpot::new("consumer-7", 580.0, 352.0, text!("消费者 7", "Consumer 7"))
            .with_member(text!("消费者 7", "Consumer 7")),
    ],
    links: &[
        (PRODUCER, QUEUE),
        (QUEUE, CONSUMERS),
        (PRODUCER, "partition-0"),
        ("partition-0", "consumer-0"),
        (PRODUCER, "partition-1"),
        ("partition-1", "consumer-1"),
        (PRODUCER, "partition-2"),
        ("partition-2", "consumer-2"),
        (PRODUCER, "partition-3"),
        ("partition-3", "consumer-3"),
        (PRODUCER, "partition-4"),
        ("partition-4", "consumer-4"),
        (PRODUCER, "partition-5"),
        ("partition-5", "consumer-5"),
        (PRODUCER, "partition-6"),
        ("partition-6", "consumer-6"),
        (PRODUCER, "partition-7"),
        ("partition-7", "consumer-7"),
    ],
};

const TITLE: Text = text!(
    "消息顺序：先下单、再付款、后发货",
    "Ordering: created, then paid, then shipped",
);
const LEDE: Text = text!(
    "每个用户的订单依次经过三步：下单、付款、发货，每一步是一条消息。只要某个用户的一步在他更早的一步之前被处理，就是一次顺序错乱。",
    "Each user's order goes through three steps, created, paid and shipped, one message each. Whenever one of a user's steps is applied before an earlier one of theirs, order is broken.",
);

static TRY: [Text; 4] = [
    text!(
        "按“播放”：一个队列、4 个消费者，每步处理时间有长有短，后发的一步常常先处理完，“顺序错乱”不断增加。",
        "Press Play: one queue, four consumers, work times that vary, so a later step often finishes first and \"Order violations\" keep rising.",
    ),
    text!(
        "选“按键分区”，分区键选“用户 ID”：同一用户的消息总进同一个分区，由同一个消费者依次处理，错乱不再增加。把键换成“随机”或“各步骤自己的单号”：又乱了。",
        "Choose \"Partition by key\" with the user id as the key: a user's steps always land in one partition and one consumer applies them in turn, so no new violations. Switch the key to random or each step's own id: broken again.",
    ),
    text!(
        "选“单个消费者”：全局有序，但吞吐量只有一个消费者那么多，队列越积越长。和 4 个分区比一比“吞吐量”和“平均端到端耗时”。",
        "Choose \"A single consumer\": global order, but only one consumer's throughput, and the queue keeps growing. Compare \"Throughput\" and the end-to-end time with four partitions.",
    ),
    text!(
        "选“内存重排（不等缺口）”，按“网络耽搁下一步 3 秒”：缓冲区只给手里已有的消息排序，缺的那步晚到，照样错乱。换成“等待缺口”再按：后面的步骤会等缺的那步到了再处理。",
        "Choose \"Re-order, no waiting\" and press \"Network holds up the next step for 3 s\": the buffer sorts only what it holds, the missing step comes late, and order breaks anyway. Choose \"wait for gaps\" and press it again: the later steps wait until the missing one arrives.",
    ),
];

static NOTICE: [Text; 4] = [
    text!(
        "顺序只能按“键”保证：按用户分区，同一用户的步骤有序；不同用户之间本来就不需要顺序。",
        "Order is kept per key: partition by user and each user's steps stay in order; different users never needed an order among them.",
    ),
    text!(
        "键选错了，分区也没用：付款、发货各用自己的单号当键，同一用户的消息就散到了不同分区。",
        "Partitions do not help with the wrong key: when payment and shipment are keyed by their own ids, one user's steps scatter over partitions.",
    ),
    text!(
        "原文的内存重排示例只给已经到达的消息排序，缺了一步也照样处理，所以仍会乱序，这里原文是错的；正确的做法是等缺口，并给等待设一个超时。",
        "The chapter's in-memory re-ordering sketch sorts only what has arrived and goes ahead with a step missing, so order still breaks: the chapter is wrong here. A correct one waits for the gap, with a timeout on the wait.",
    ),
    text!(
        "等待不是免费的：看“重排等待 P99”。超时后缓冲区不再等，先处理后面的步骤（记在“重排超时”里），缺的那步晚到时已经乱序。缓冲区有上限，满了也按超时处理。",
        "Waiting is not free: see the re-order wait p99. After the timeout the buffer stops waiting and applies the later steps (counted in \"Re-order timeouts\"), so the missing step is out of order when it finally comes. The buffer has a size limit; when it is full it gives up the same way.",
    ),
];

const MS: Text = text!("毫秒", "ms");
const COUNT: Text = text!("个", "");

fn hold_next_step() -> Action {
    Action::DelayNextPublish {
        producer: PRODUCER.into(),
        delay_us: 3 * US_PER_S,
    }
}

static DATA: DemoData = DemoData {
    id: "ordering",
    title: TITLE,
    lede: LEDE,
    panels: &PANELS,
    layout: &LAYOUT,
    speed: 1.0,
    time_scale: 1.0,
    legs: &[
        Group {
            title: text!("怎样保证顺序", "How order is kept"),
            controls: &[
                Control::Choice { key: "strategy", label: text!("策略", "Strategy") },
                Control::Choice { key: "key", label: text!("分区键（按键分区时）", "Partition key (partition by key)") },
                Control::Buttons(&[Button {
                    name: "delay-next-publish",
                    fault: true,
                    label: text!("网络耽搁下一步 3 秒", "Network holds up the next step for 3 s"),
                    hint: text!("下单服务发出的下一条消息在网络上多走 3 秒，同一用户后面的步骤会赶到它前面", "The shop's next message spends 3 more seconds on the network, so the user's later steps overtake it"),
                    action: hold_next_step,
                    disabled: None,
                }]),
            ],
        },
        Group {
            title: text!("负载与消费者", "Load and consumers"),
            controls: &[
                Control::Slider { key: "consumers", label: text!("消费者数（一个队列时）", "Consumers (one queue)"), unit: COUNT },
                Control::Slider { key: "partitions", label: text!("分区数", "Partitions"), unit: COUNT },
                Control::Slider { key: "rate_per_s", label: text!("发送速率", "Send rate"), unit: words::PER_S },
                Control::Slider { key: "work_ms", label: text!("每步平均处理时间", "Mean work per step"), unit: MS },
            ],
        },
    ],
    controls: Group {
        title: i18n::CONTROLS,
        controls: &[
            Control::Slider { key: "users", label: text!("用户数", "Users"), unit: COUNT },
            Control::Slider { key: "batch_ms", label: text!("排序间隔（不等缺口）", "Sort every (no waiting)"), unit: MS },
            Control::Slider { key: "gap_timeout_ms", label: text!("等待缺口的超时", "Gap wait timeout"), unit: MS },
        ],
    },
    facts: &[
        ("order_violations", true),
        ("order_violation_pct", false),
        ("throughput_per_s", false),
        ("done", false),
        ("queued", false),
        ("latency_ms", false),
        ("reorder_wait_us_p99", false),
        ("reorder_timeouts", true),
        ("reorder_parked", false),
    ],
    losses: false,
    try_this: &TRY,
    notice: &NOTICE,
};

#[component]
pub fn OrderingDemo() -> impl IntoView {
    data_demo(&DATA, None)
}
