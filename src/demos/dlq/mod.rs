//! Dead-letter queue: some orders can never be processed (poison), some
//! fail once and work when tried again. A retry policy tries each a few
//! times, then parks the poison in a dead-letter queue with its delivery
//! count; without one the poison keeps coming back and the healthy orders
//! wait behind it. Deploy the fix, redrive, and the parked orders go
//! through.

use leptos::prelude::*;
use mqlab_components::format::thousands;
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::text;
use mqlab_components::{DemoRun, NodeSpot, PanelDef, StageLayout, Text};
use mqlab_engine::render::RetryView;
use mqlab_engine::scenarios::dlq::{CONSUMER, PRODUCER, QUEUE};
use mqlab_engine::Action;

use super::data_demo::{data_demo, Button, Control, DemoData, Group};
use crate::i18n;

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: text!("订单 → 队列 → 处理服务", "Orders → queue → workers"),
    fixed: &[],
}];

static LAYOUT: StageLayout = StageLayout {
    width: 640.0,
    height: 180.0,
    spots: &[
        NodeSpot::new(PRODUCER, 95.0, 90.0, text!("订单服务", "Order service")),
        NodeSpot::new(QUEUE, 320.0, 90.0, text!("订单队列", "Orders queue")),
        NodeSpot::new(CONSUMER, 545.0, 90.0, text!("处理服务", "Workers"))
            .with_member(text!("处理节点 {n}", "worker {n}")),
    ],
    links: &[(PRODUCER, QUEUE), (QUEUE, CONSUMER)],
};

const TITLE: Text = text!(
    "死信队列：处理不了的消息放哪儿",
    "Dead-letter queue: where the unprocessable messages go",
);
const LEDE: Text = text!(
    "有的订单怎么处理都会失败（格式错、业务规则没覆盖），叫毒消息；有的只是偶尔失败，再试一次就好。重试策略给每条消息几次机会，次数用完就转进死信队列，留着查原因、修好后再投回来。",
    "Some orders fail however often they are tried (a bad format, a case the code does not handle): poison. Others fail now and then and work on the next try. A retry policy gives each message a few tries, then parks it in a dead-letter queue, kept for a look and sent back once the code is fixed.",
);

static TRY: [Text; 4] = [
    text!(
        "按“播放”：10% 的订单是毒消息。每条毒消息正好投递 4 次（首次 + 重试 3 次）后进入死信队列，列表里能看到每条的投递次数。",
        "Press Play: 10 % of the orders are poison. Each poison order is delivered exactly 4 times (the first try and 3 retries), then lands in the dead-letter queue; the list shows each one's delivery count.",
    ),
    text!(
        "关掉“死信队列”：毒消息永远在重试，“正常订单平均耗时”越涨越高，完成的正常订单变少。再把重试间隔改成“立即重试”：毒消息堵在队首，处理服务几乎只在处理它们。",
        "Switch the dead-letter queue off: the poison is retried for ever, \"Healthy order time\" keeps climbing and fewer healthy orders get done. Now choose \"At once\": the poison sits at the head of the queue and the workers do little else.",
    ),
    text!(
        "打开死信队列，先按“重新投递”：代码没修，毒消息再失败 4 次又回到死信队列。",
        "With the dead-letter queue on, press \"Redrive\" first: the code is not fixed, so the poison fails 4 more times and comes straight back.",
    ),
    text!(
        "按“部署修复”，再按“重新投递”：死信队列清空，“重投后完成”追上“重新投递”。",
        "Press \"Deploy the fix\", then \"Redrive\": the dead-letter queue empties and \"Done after redrive\" catches up with \"Redriven\".",
    ),
];

static NOTICE: [Text; 5] = [
    text!(
        "重试救得了偶发失败，救不了毒消息：对毒消息，重试只是在烧处理时间。死信队列让它们离开主队列，又不会丢。",
        "Retrying saves the passing failures, not the poison: for poison, every retry only burns worker time. A dead-letter queue takes it out of the main queue without losing it.",
    ),
    text!(
        "退避（固定或指数）让失败的消息排到队尾、过一会儿再来，不会一直霸占队首；但没有死信队列，毒消息越积越多，成本只增不减。",
        "Backoff (fixed or exponential) sends a failed message to the tail to come back later instead of holding the head; but without a dead-letter queue the poison piles up and its cost only grows.",
    ),
    text!(
        "RabbitMQ 在三种情况下把消息转到 x-dead-letter-exchange：被 reject/nack 且不重新入队、TTL 过期、超出队列长度上限。仲裁队列（quorum queue）另有 x-delivery-limit，按投递次数转死信。每条死信带着 x-death 头，记录来源队列、原因和次数。",
        "RabbitMQ dead-letters to the queue's x-dead-letter-exchange in three cases: rejected or nacked without requeue, expired (TTL), or over the queue's length limit. Quorum queues add x-delivery-limit, which dead-letters by delivery count. Each dead letter carries an x-death header: the queue it came from, why, and how often.",
    ),
    text!(
        "原文的示例用了 x-max-retries 队列参数，RabbitMQ 并没有这个参数：普通队列的重试次数要由消费者自己数（或读 x-death），仲裁队列用 x-delivery-limit。死信队列本身也有上限，满了就会丢消息。",
        "The chapter's sketch sets an x-max-retries queue argument; RabbitMQ has no such argument. On a classic queue the consumer counts retries itself (or reads x-death); a quorum queue uses x-delivery-limit. A dead-letter queue has a limit too, and drops messages once full.",
    ),
    text!(
        "与真实的 RabbitMQ 3.10 对照过（fidelity 测试）：nack 并重新入队的消息立刻回到队首，带 redelivered 标记；reject 不重新入队的消息经死信交换机进入死信队列，重新投递后再失败一次，x-death 计数变成 2；仲裁队列设 x-delivery-limit=2，第 3 次投递失败后转入死信。",
        "Checked against a real RabbitMQ 3.10 (the fidelity suite): a nack with requeue comes straight back to the head, flagged redelivered; a reject without requeue goes through the dead-letter exchange to the DLQ, and after a redrive and a second failure its x-death count is 2; a quorum queue with x-delivery-limit 2 dead-letters after the third failed delivery.",
    ),
];

const FAILURES: Text = text!("哪些订单会失败", "What fails");
const POLICY: Text = text!("重试策略", "Retry policy");
const PCT: Text = text!("%", "%");
const DLQ_TITLE: Text = text!("死信队列", "Dead-letter queue");
const DLQ_EMPTY: Text = text!("空的", "Empty");
const DLQ_OFF: Text = text!(
    "没有死信队列：失败的订单会一直重试。",
    "No dead-letter queue: failing orders are retried for ever.",
);
const FIXED: Text = text!("已部署修复", "Fix deployed");

fn deploy_fix() -> Action {
    Action::DeployFix {
        group: CONSUMER.into(),
    }
}

fn redrive() -> Action {
    Action::Redrive {
        queue: QUEUE.into(),
    }
}

/// Reads the panel's retry view (the scenario always has one).
fn with_retry<T>(run: DemoRun, f: impl FnOnce(Option<&RetryView>) -> T) -> T {
    run.frames
        .with(|fr| f(fr.first().and_then(|p| p.snap.retry.as_ref())))
}

fn fixed(run: DemoRun) -> bool {
    with_retry(run, |r| r.is_some_and(|r| r.fixed))
}

fn dlq_empty(run: DemoRun) -> bool {
    with_retry(run, |r| r.is_none_or(|r| r.dlq_len == 0))
}

static DATA: DemoData = DemoData {
    id: "dlq",
    title: TITLE,
    lede: LEDE,
    panels: &PANELS,
    layout: &LAYOUT,
    speed: 1.0,
    time_scale: 1.0,
    legs: &[
        Group {
            title: FAILURES,
            controls: &[
                Control::Slider { key: "poison_rate", label: text!("毒消息比例（每次都失败）", "Poison orders (fail every time)"), unit: PCT },
                Control::Slider { key: "transient_rate", label: text!("偶发失败比例（重试会好）", "Passing failures (a retry works)"), unit: PCT },
                Control::Buttons(&[Button {
                    name: "deploy-fix",
                    fault: false,
                    label: text!("部署修复", "Deploy the fix"),
                    hint: text!("新代码能处理毒消息：从现在起它们会成功（已部署后按钮变灰）", "The new code handles the poison orders: from now on they succeed (greyed out once deployed)"),
                    action: deploy_fix,
                    disabled: Some(fixed),
                }]),
            ],
        },
        Group {
            title: POLICY,
            controls: &[
                Control::Slider { key: "max_retries", label: text!("最多重试次数", "Max retries"), unit: text!("次", "") },
                Control::Choice { key: "backoff", label: text!("重试间隔", "Backoff") },
                Control::Toggle { key: "dlq", label: text!("死信队列", "Dead-letter queue") },
                Control::Buttons(&[Button {
                    name: "redrive",
                    fault: false,
                    label: text!("重新投递", "Redrive"),
                    hint: text!("把死信队列里的订单放回订单队列队尾，投递次数从零算起（死信队列为空时不可用）", "Moves the orders in the dead-letter queue back to the tail of the orders queue, their delivery count from zero (unavailable while it is empty)"),
                    action: redrive,
                    disabled: Some(dlq_empty),
                }]),
            ],
        },
    ],
    controls: Group {
        title: i18n::CONTROLS,
        controls: &[
            Control::Slider { key: "rate_per_s", label: text!("下单速率", "Order rate"), unit: words::PER_S },
            Control::Slider { key: "work_ms", label: text!("每次处理时间", "Work per delivery"), unit: text!("毫秒", "ms") },
            Control::Slider { key: "consumers", label: text!("处理服务实例", "Workers"), unit: text!("个", "") },
        ],
    },
    facts: &[
        ("healthy_done", false),
        ("healthy_latency_ms", false),
        ("dead_lettered", false),
        ("dlq_len", false),
        ("dead_letter_deliveries_min", false),
        ("dead_letter_deliveries_max", false),
        ("retries", false),
        ("poison_deliveries", true),
        ("redriven", false),
        ("redriven_done", false),
    ],
    losses: true,
    try_this: &TRY,
    notice: &NOTICE,
};

#[component]
pub fn DlqDemo() -> impl IntoView {
    data_demo(&DATA, Some(dead_letters))
}

/// The dead-letter queue: how full, and its newest messages, each with
/// its delivery count and how often it was dead-lettered (`x-death`).
fn dead_letters(run: DemoRun) -> AnyView {
    let lang = use_lang();
    let view = Memo::new(move |_| with_retry(run, |r| r.cloned()));
    let zh = move || lang.get() == mqlab_components::Lang::Zh;
    let head = move || {
        view.with(|v| {
            let (n, cap) = v.as_ref().map_or((0, 0), |r| (r.dlq_len, r.dlq_capacity));
            format!(
                "{} {} / {}",
                DLQ_TITLE.get(lang.get()),
                thousands(n),
                thousands(cap)
            )
        })
    };
    let rows = move || {
        let zh = zh();
        view.with(|v| {
            let Some(r) = v else { return Vec::new() };
            r.newest
                .iter()
                .map(|d| {
                    let text = if zh {
                        format!("#{} · 投递 {} 次 · x-death 第 {} 次", d.msg_id, d.deliveries, d.deaths)
                    } else {
                        format!("#{} · {} deliveries · x-death count {}", d.msg_id, d.deliveries, d.deaths)
                    };
                    view! { <li data-deliveries=d.deliveries.to_string() data-deaths=d.deaths.to_string()>{text}</li> }
                })
                .collect::<Vec<_>>()
        })
    };
    let note = move || {
        view.with(|v| match v {
            Some(r) if !r.dead_letter => DLQ_OFF.get(lang.get()),
            Some(r) if r.dlq_len == 0 => DLQ_EMPTY.get(lang.get()),
            _ => "",
        })
    };
    view! {
        <section class="losses" data-testid="dlq-list" aria-live="polite">
            <h3>{head}</h3>
            <p class="none">{note}</p>
            <Show when=move || fixed(run)>
                <p class="hint" data-testid="fix-deployed">{move || FIXED.get(lang.get())}</p>
            </Show>
            <ul>{rows}</ul>
        </section>
    }
    .into_any()
}
