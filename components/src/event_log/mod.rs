//! The event log: what happened and why, in the reader's language.

use crate::text;
use leptos::prelude::*;
use mqlab_engine::render::{LogEntry, LogKind, NodeView, TxnStep};
use mqlab_engine::Cause;

use crate::format::{clock, duration, number, thousands};
use crate::i18n::{use_lang, words, Lang, Text};
use crate::stage::StageLayout;

/// Why a message was rejected or lost, as a phrase (`{node}` is replaced).
pub fn cause_text(c: Cause) -> Text {
    match c {
        Cause::QueueFull => text!(
            "{node} 已满，拒收新消息",
            "{node} is full and refuses new messages",
        ),
        Cause::QueueOverflowDropOldest => text!(
            "{node} 已满，丢弃了最旧的消息",
            "{node} was full and dropped its oldest message",
        ),
        Cause::ServiceOverCapacity => text!("{node} 超出处理能力", "{node} is over capacity"),
        Cause::ServiceTimeout => text!("在 {node} 排队超时", "timed out waiting for {node}"),
        Cause::ServiceDown => text!("{node} 宕机了", "{node} is down"),
        Cause::BrokerDown => text!("消息代理宕机了", "the broker is down"),
        Cause::AutoAckConsumerCrash => text!(
            "自动确认：投递时代理就删除了消息，随后消费者崩溃",
            "auto-ack: the broker deleted it on delivery, then the consumer crashed",
        ),
        Cause::NoConfirmNetworkDrop => text!(
            "网络丢包，且没有发布确认来发现",
            "the network dropped it and no publisher confirm noticed",
        ),
        Cause::NotPersistentBrokerCrash => text!(
            "代理崩溃，而消息没有持久化",
            "the broker crashed and it was not persisted",
        ),
        Cause::AsyncFlushBrokerCrash => text!(
            "异步刷盘：代理崩溃时这条消息还没写到磁盘",
            "async flush: the broker crashed before it was written to disk",
        ),
        Cause::LeaderCrashBeforeCopy => text!(
            "acks=1：主副本崩溃时，还没有从副本复制到它",
            "acks=1: the leader crashed before any follower had copied it",
        ),
        Cause::AutoAckProcessingFailure => text!(
            "自动确认：处理失败，但代理早已删除了它，无法重投",
            "auto-ack: processing failed, but the broker had already deleted it, so it cannot be redelivered",
        ),
        Cause::DedupeKeyBeforeCrash => text!(
            "处理前就写了去重键：消费者处理到一半崩溃，重投时被当成重复跳过，这笔业务没有做",
            "the dedupe key was written before processing: the consumer crashed mid-work, and the redelivery was skipped as a duplicate, so the work never happened",
        ),
        Cause::DeadLetterQueueFull => text!(
            "该进死信队列，但死信队列已满，被丢弃",
            "due for the dead-letter queue, but it was full, so it was dropped",
        ),
        Cause::ProducerCrashed => text!(
            "订单服务写完订单、发消息之前崩溃：这条消息永远不会发出",
            "the order service crashed after writing the order and before sending: this message will never be sent",
        ),
        Cause::TxnRolledBack => text!(
            "本地事务失败或被回滚：消息随订单一起作废（本该如此）",
            "the local transaction failed or was rolled back: the message is dropped with its order, as it should be",
        ),
        Cause::SoldOut => text!(
            "已售罄：库存已空，在进队列之前就被拒绝",
            "sold out: no stock left, so it was turned away before the queue",
        ),
        Cause::RateLimited => text!(
            "网关限流：令牌桶里没有令牌，直接拒绝",
            "rate limited: the gateway's token bucket had no token for it",
        ),
        Cause::GatewayBusy => text!(
            "网关繁忙：扣库存的工作线程全忙，等待队列也满了",
            "gateway busy: every stock worker was busy and the waiting line was full",
        ),
        Cause::OrderFailed => text!(
            "下单失败：订单库拒绝写入，这件库存已退回",
            "order failed: the order database refused it, and its item went back to the stock",
        ),
    }
}

/// Display name of a node: the layout's label, else the engine name.
pub fn node_label(layout: &StageLayout, nodes: &[NodeView], id: u16, lang: Lang) -> String {
    let Some(n) = nodes.get(id as usize) else {
        return "?".into();
    };
    layout
        .spots
        .iter()
        .find(|s| s.name == n.name)
        .map(|s| s.label.get(lang).to_string())
        .unwrap_or_else(|| n.name.clone())
}

/// One consumer of a group, as the log names it: the layout's member
/// template (`{n}` = its number from 1), else "consumer n of {group}".
pub fn member_name(
    layout: &StageLayout,
    nodes: &[NodeView],
    group: u16,
    consumer: u16,
    lang: Lang,
) -> String {
    let n = (consumer + 1).to_string();
    let template = nodes
        .get(group as usize)
        .and_then(|g| layout.spots.iter().find(|s| s.name == g.name))
        .and_then(|s| s.member);
    match template {
        Some(t) => t.get(lang).replace("{n}", &n),
        None => MEMBER_OF
            .get(lang)
            .replace("{group}", &node_label(layout, nodes, group, lang))
            .replace("{n}", &n),
    }
}

const MEMBER_OF: Text = text!("{group}的 {n} 号消费者", "consumer {n} of {group}");

/// One log entry as a sentence.
/// `template` with `{0}`, `{1}`, … replaced by `args`, in one pass (a
/// placeholder without an argument stays as it is). The log's sentences
/// are text-pack templates: one language's words reach the page, and one
/// routine fills them instead of a `format!` per sentence and language.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let arg = tail
            .get(1..2)
            .and_then(|d| d.parse::<usize>().ok())
            .filter(|_| tail.get(2..3) == Some("}"))
            .and_then(|k| args.get(k));
        match arg {
            Some(a) => {
                out.push_str(a);
                rest = &tail[3..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn sentence(e: &LogEntry, layout: &StageLayout, nodes: &[NodeView], lang: Lang) -> String {
    let name = |id: u16| node_label(layout, nodes, id, lang);
    let member = |g: u16, c: u16| member_name(layout, nodes, g, c, lang);
    let dur = |us: u64| duration(us as f64, lang);
    let t = |words: Text, args: &[&str]| fill(words.get(lang), args);
    let msg = e.msg_id.map(|id| format!("#{id} ")).unwrap_or_default();
    let s = match &e.kind {
        LogKind::Produced { producer } => t(
            text!("{0} 发出消息", "sent by {0}"),
            &[&name(*producer)],
        ),
        LogKind::FollowUp { service, cause } => t(
            text!("由{0}为 #{1} 发出", "sent by {0} for #{1}"),
            &[&name(*service), &cause.to_string()],
        ),
        LogKind::Copied { of } => t(
            text!("#{0} 的副本（主题复制）", "a copy of #{0} (made by the topic)"),
            &[&of.to_string()],
        ),
        LogKind::Enqueued { queue, len } => t(
            text!("进入{0}（排队 {1} 条）", "stored in {0} ({1} waiting)"),
            &[&name(*queue), &thousands(*len)],
        ),
        LogKind::Delivered {
            group,
            consumer,
            redelivered,
            ..
        } => t(
            if *redelivered {
                text!("重新投递给{0}", "delivered again to {0}")
            } else {
                text!("投递给{0}", "delivered to {0}")
            },
            &[&member(*group, *consumer)],
        ),
        LogKind::Done {
            node,
            consumer,
            latency_us,
        } => {
            let by = consumer.map_or_else(|| name(*node), |c| member(*node, c));
            t(
                text!(
                    "{0}处理完成并确认，从发出到完成 {1}",
                    "processed and acked by {0}, {1} after it was sent"
                ),
                &[&by, &dur(*latency_us)],
            )
        }
        LogKind::Replied {
            service,
            response_us,
        } => t(
            text!(
                "{0}返回结果，调用方一共等了 {1}",
                "answered by {0}; the caller waited {1}"
            ),
            &[&name(*service), &dur(*response_us)],
        ),
        LogKind::Rejected { node, cause } => t(
            text!("被拒绝：{0}", "rejected: {0}"),
            &[&cause_text(*cause).get(lang).replace("{node}", &name(*node))],
        ),
        LogKind::PartlyDone {
            failed_at,
            first,
            steps,
        } => t(
            text!(
                "只做了一半：{0}失败前，从{1}起已完成 {2} 步，不会撤销",
                "left half done: {2} earlier step(s), from {1} on, had already done their work before {0} failed, and nothing undoes them"
            ),
            &[&name(*failed_at), &name(*first), &steps.to_string()],
        ),
        LogKind::Lost { node, cause } => t(
            text!("丢失：{0}", "lost: {0}"),
            &[&cause_text(*cause).get(lang).replace("{node}", &name(*node))],
        ),
        LogKind::Requeued { queue } => t(
            text!("未确认，重新放回{0}", "not acked, so put back in {0}"),
            &[&name(*queue)],
        ),
        LogKind::CallRetry {
            group,
            consumer,
            service,
        } => t(
            text!("{0}拒绝了请求，{1}稍后重试", "refused by {0}; {1} will retry"),
            &[&name(*service), &member(*group, *consumer)],
        ),
        LogKind::PublishDropped {
            producer,
            will_retry,
        } => t(
            if *will_retry {
                text!(
                    "在途中被网络丢弃；{0}没收到确认，稍后重发",
                    "dropped by the network; {0} got no confirm and will resend"
                )
            } else {
                text!(
                    "在途中被网络丢弃；没有发布确认，没人发现",
                    "dropped by the network; with no publisher confirm nobody notices"
                )
            },
            &[&name(*producer)],
        ),
        LogKind::PublishRetried { producer } => t(
            text!("{0}重新发送", "sent again by {0}"),
            &[&name(*producer)],
        ),
        LogKind::ConsumerCrashed {
            group,
            consumer,
            requeued,
            lost,
        } => t(
            text!(
                "{0}崩溃：{1} 条重新入队，{2} 条丢失",
                "{0} crashed: {1} requeued, {2} lost"
            ),
            &[
                &member(*group, *consumer),
                &requeued.to_string(),
                &lost.to_string(),
            ],
        ),
        LogKind::ConsumerRestarted { group, consumer } => t(
            text!("{0}已重启", "{0} restarted"),
            &[&member(*group, *consumer)],
        ),
        LogKind::ConsumersOnline { group, online } => t(
            if *online {
                text!("{0}上线，开始取消息", "{0} came online and starts taking messages")
            } else {
                text!("{0}下线，消息留在队列里等待", "{0} went offline; messages wait in the queue")
            },
            &[&name(*group)],
        ),
        LogKind::ConsumersChanged { group, count } => t(
            text!("{0}数量调整为 {1}", "{0} now runs {1} consumers"),
            &[&name(*group), &count.to_string()],
        ),
        LogKind::ConsumerWorkChanged { group, mean_us } => t(
            text!("{0}每条消息处理 {1}", "{0} now takes {1} per message"),
            &[&name(*group), &dur(*mean_us)],
        ),
        LogKind::RateChanged {
            producer,
            rate_per_s,
        } => t(
            text!("{0}发送速率改为 {1} 条/秒", "{0} now sends {1}/s"),
            &[&name(*producer), &number(*rate_per_s)],
        ),
        LogKind::ServiceCapacityChanged {
            service,
            capacity_per_s,
        } => t(
            text!("{0}处理能力改为 {1} 次/秒", "{0} now handles {1}/s"),
            &[&name(*service), &number(*capacity_per_s)],
        ),
        LogKind::ServiceUp { service, up } => t(
            if *up {
                text!("{0}恢复服务", "{0} is back up")
            } else {
                text!("{0}宕机", "{0} went down")
            },
            &[&name(*service)],
        ),
        LogKind::BrokerCrashed { lost, kept } => t(
            text!(
                "消息代理崩溃：{0} 条未持久化的消息丢失，{1} 条已持久化的保留",
                "the broker crashed: {0} unpersisted messages lost, {1} persisted kept"
            ),
            &[&thousands(*lost), &thousands(*kept)],
        ),
        LogKind::BrokerRestarted => t(text!("消息代理重启完成", "the broker restarted"), &[]),
        LogKind::NetworkDuplicate { producer, order } => t(
            text!(
                "网络把订单 #{1} 又送了一遍：这份副本从{0}发往代理",
                "the network delivers order #{1} a second time: this copy leaves {0}"
            ),
            &[&name(*producer), &order.to_string()],
        ),
        LogKind::DedupeMarked { group, order } => t(
            text!("{0}写入去重键 processed:{1}", "{0} wrote the dedupe key processed:{1}"),
            &[&name(*group), &order.to_string()],
        ),
        LogKind::EffectApplied {
            group,
            order,
            times,
        } => t(
            if *times == 1 {
                text!("{0}为订单 #{1} 加了积分", "{0} added the points of order #{1}")
            } else {
                text!(
                    "{0}为订单 #{1} 又加了一次积分（第 {2} 次：重复了！）",
                    "{0} added the points of order #{1} again ({2} times: a duplicate got through!)"
                )
            },
            &[&name(*group), &order.to_string(), &times.to_string()],
        ),
        LogKind::DuplicateSkipped {
            group,
            order,
            unique_key,
        } => t(
            if *unique_key {
                text!(
                    "{0}插入订单 #{1} 时违反唯一键：是重复消息，当作已处理，直接确认",
                    "{0}: the unique key refused order #{1} again, so it is a duplicate, treated as done and acked"
                )
            } else {
                text!(
                    "{0}发现去重键 processed:{1} 已存在：当作重复跳过，直接确认",
                    "{0} found processed:{1} already set, so it skipped the copy as a duplicate and acked it"
                )
            },
            &[&name(*group), &order.to_string()],
        ),
        LogKind::RetryLater {
            queue,
            deliveries,
            delay_us,
        } => t(
            if *delay_us == 0 {
                text!(
                    "第 {1} 次投递处理失败，立即放回{0}队首重试",
                    "failed on delivery {1}, back at the head of {0} at once"
                )
            } else {
                text!(
                    "第 {1} 次投递处理失败，{2}后放回{0}重试",
                    "failed on delivery {1}, back in {0} in {2}"
                )
            },
            &[&name(*queue), &deliveries.to_string(), &dur(*delay_us)],
        ),
        LogKind::DeadLettered { queue, deliveries } => t(
            text!(
                "投递 {1} 次仍失败，从{0}转入死信队列",
                "still failing after {1} deliveries: moved from {0} to the dead-letter queue"
            ),
            &[&name(*queue), &deliveries.to_string()],
        ),
        LogKind::ClaimedTwice { group, pollers } => t(
            text!(
                "{0}的 {1} 个实例同时读到这一单，都没检查 ZREM 的结果：订单被取消了 {1} 次",
                "{1} instances of {0} read this order at the same moment and none checked ZREM's result: it was cancelled {1} times"
            ),
            &[&name(*group), &pollers.to_string()],
        ),
        LogKind::Redriven { queue, count } => t(
            text!(
                "死信队列的 {1} 条消息重新放回{0}",
                "{1} messages moved from the dead-letter queue back to {0}"
            ),
            &[&name(*queue), &count.to_string()],
        ),
        LogKind::FixDeployed { group } => t(
            text!(
                "{0}部署了修复：毒消息现在能处理成功",
                "{0} got the fix: poison messages are processed from now on"
            ),
            &[&name(*group)],
        ),
        LogKind::PublishDelayed { producer, delay_us } => t(
            text!(
                "{0}发出的这条消息在网络上被耽搁了 {1}",
                "held up on the network for {1} after leaving {0}"
            ),
            &[&name(*producer), &dur(*delay_us)],
        ),
        LogKind::OutOfOrder { node, user, step } => t(
            text!(
                "{0}处理了用户 {1} 的“{2}”，但这位用户更早的一步还没处理：顺序错乱",
                "{0} applied user {1}'s \"{2}\" before an earlier step of theirs: out of order"
            ),
            &[
                &name(*node),
                &user.to_string(),
                STEPS[*step as usize % 3].get(lang),
            ],
        ),
        LogKind::Txn { producer, step } => t(
            text!("{0}：{1}", "{0}: {1}"),
            &[&name(*producer), txn_step_text(*step).get(lang)],
        ),
        LogKind::StockRace {
            worker,
            value,
            pending,
        } => t(
            text!(
                "扣库存线程 {0} 读到库存 {1}，可另有 {2} 个线程也读到正数、正要扣减：{3} 次扣减对 {1} 件，会超卖",
                "stock worker {0} read {1} left, while {2} other workers also read a positive value and are about to decrement: {3} decrements for {1} items, an oversell",
            ),
            &[
                &(worker + 1).to_string(),
                &value.to_string(),
                &pending.saturating_sub(1).to_string(),
                &pending.to_string(),
            ],
        ),
        LogKind::Oversold { worker, stock } => t(
            text!(
                "扣库存线程 {0} 执行 DECR，库存变成 {1}：卖出了不存在的商品",
                "stock worker {0}'s DECR took the stock to {1}: an item sold that does not exist",
            ),
            &[&(worker + 1).to_string(), &stock.to_string()],
        ),
        LogKind::Alert {
            alert,
            firing,
            value,
        } => {
            use mqlab_engine::model::monitor::AlertKind;
            let (reading, template) = match (alert, firing) {
                (AlertKind::QueueBacklog, f) => (
                    thousands(*value as u64),
                    if *f {
                        text!("告警：队列积压 {0} 条，超过 10,000", "alert: {0} waiting in the queue, over 10,000")
                    } else {
                        text!("告警解除：队列降到 {0} 条", "alert cleared: the queue is down to {0}")
                    },
                ),
                (AlertKind::LowSuccess, f) => (
                    format!("{} %", number(*value)),
                    if *f {
                        text!("告警：成功率 {0}，低于 95 %", "alert: success rate {0}, under 95 %")
                    } else {
                        text!("告警解除：成功率回到 {0}", "alert cleared: success rate back to {0}")
                    },
                ),
            };
            t(template, &[&reading])
        }
        LogKind::ReorderGaveUp { user, step } => t(
            text!(
                "重排缓冲等不到用户 {0} 的“{1}”，不再等待，先处理后面的步骤",
                "the re-ordering buffer gave up waiting for user {0}'s \"{1}\" and applies the later steps"
            ),
            &[&user.to_string(), STEPS[*step as usize % 3].get(lang)],
        ),
    };
    msg + &s
}

/// What a step of an order and its message is, in a few words (the event
/// log and the transaction demo's timeline).
pub fn txn_step_text(step: TxnStep) -> Text {
    match step {
        TxnStep::OrderWritten => text!("订单写入数据库", "order written to the database"),
        TxnStep::OutboxWritten => text!(
            "订单和 outbox 记录在同一事务里写入",
            "order and outbox row written in one transaction"
        ),
        TxnStep::LocalTxFailed => text!(
            "本地事务失败，订单没写入",
            "local transaction failed: no order"
        ),
        TxnStep::Sent => text!("发出消息", "message sent"),
        TxnStep::HalfStored => text!(
            "半消息存入 Broker（消费者看不到）",
            "half message stored at the broker (hidden from consumers)"
        ),
        TxnStep::Crashed => text!("订单服务实例崩溃", "order-service instance crashed"),
        TxnStep::Committed => text!(
            "提交：消息对消费者可见",
            "committed: consumers can see the message"
        ),
        TxnStep::RolledBack => text!("回滚：半消息作废", "rolled back: half message dropped"),
        TxnStep::CheckBack => text!(
            "Broker 回查订单服务",
            "broker checks back with the order service"
        ),
        TxnStep::CheckUnknown => text!(
            "回查答复：事务还没结束，稍后再查",
            "check-back answer: not finished yet, ask again later"
        ),
        TxnStep::Relayed => text!(
            "中继从 outbox 发出消息",
            "relay sent the message from the outbox"
        ),
        TxnStep::StockDeducted => text!("库存服务扣减库存", "stock service deducted stock"),
    }
}

/// An order's steps, by step number mod 3 (the ordering demo's log).
static STEPS: [Text; 3] = [
    text!("下单", "created"),
    text!("付款", "paid"),
    text!("发货", "shipped"),
];

fn severity(k: &LogKind) -> &'static str {
    match k {
        LogKind::Rejected { .. }
        | LogKind::PartlyDone { .. }
        | LogKind::Lost { .. }
        | LogKind::ConsumerCrashed { .. }
        | LogKind::BrokerCrashed { .. } => "bad",
        LogKind::EffectApplied { times, .. } if *times > 1 => "bad",
        LogKind::DeadLettered { .. } | LogKind::ClaimedTwice { .. } => "bad",
        LogKind::Txn {
            step: TxnStep::Crashed | TxnStep::LocalTxFailed,
            ..
        } => "bad",
        LogKind::Txn {
            step: TxnStep::CheckBack | TxnStep::RolledBack,
            ..
        } => "warn",
        LogKind::RetryLater { .. } => "warn",
        LogKind::OutOfOrder { .. } => "bad",
        LogKind::StockRace { .. } => "warn",
        LogKind::Oversold { .. } | LogKind::Alert { firing: true, .. } => "bad",
        LogKind::ServiceUp { up: false, .. }
        | LogKind::ConsumersOnline { online: false, .. }
        | LogKind::PublishDropped { .. }
        | LogKind::NetworkDuplicate { .. }
        | LogKind::PublishDelayed { .. }
        | LogKind::ReorderGaveUp { .. }
        | LogKind::CallRetry { .. } => "warn",
        _ => "",
    }
}

/// The newest entries first.
#[component]
pub fn EventLog(
    /// Entries, newest first.
    #[prop(into)]
    entries: Signal<Vec<LogEntry>>,
    /// For node names.
    layout: &'static StageLayout,
    /// The panel's nodes (from its snapshot).
    #[prop(into)]
    nodes: Signal<Vec<NodeView>>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="event-log" data-testid="event-log">
            <h3>{move || words::EVENT_LOG.get(lang.get())}</h3>
            // It scrolls once it is long: a keyboard must reach it (axe:
            // scrollable-region-focusable).
            <ol tabindex="0" aria-label=move || words::EVENT_LOG.get(lang.get())>
                {move || {
                    let lang = lang.get();
                    let list = entries.get();
                    if list.is_empty() {
                        return view! { <li class="empty">{words::LOG_EMPTY.get(lang)}</li> }.into_any();
                    }
                    nodes.with(|nodes| {
                        list.iter()
                            .map(|e| {
                                let sev = severity(&e.kind);
                                let mark = match sev { "bad" => "✕ ", "warn" => "! ", _ => "" };
                                view! {
                                    <li class=sev>
                                        <time>{clock(e.t_us)}</time>
                                        " "
                                        {format!("{mark}{}", sentence(e, layout, nodes, lang))}
                                    </li>
                                }
                            })
                            .collect_view()
                            .into_any()
                    })
                }}
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_puts_each_argument_in_its_place_and_leaves_the_rest() {
        assert_eq!(fill("{1} 和 {0}", &["a", "b"]), "b 和 a");
        assert_eq!(fill("{0}{0}", &["x"]), "xx");
        // No argument, not a placeholder, or a brace at the end: as it is.
        assert_eq!(fill("{2} {node} {x} {", &["a"]), "{2} {node} {x} {");
        assert_eq!(fill("{词}", &[]), "{词}");
    }
    use crate::stage::NodeSpot;
    use mqlab_engine::render::NodeKind;

    static LAYOUT: StageLayout = StageLayout {
        width: 100.0,
        height: 100.0,
        spots: &[NodeSpot {
            name: "db",
            x: 0.0,
            y: 0.0,
            label: text!("数据库", "database"),
            member: None,
        }],
        links: &[],
    };

    #[test]
    fn follow_ups_and_copies_name_the_message_they_come_from() {
        let nodes = vec![NodeView {
            id: 0,
            name: "db".into(),
            kind: NodeKind::Service,
        }];
        let line = |id, kind, lang| {
            let e = LogEntry {
                t_us: 0,
                msg_id: Some(id),
                kind,
            };
            sentence(&e, &LAYOUT, &nodes, lang)
        };
        let follow_up = LogKind::FollowUp {
            service: 0,
            cause: 7,
        };
        assert_eq!(
            line(9, follow_up.clone(), Lang::En),
            "#9 sent by database for #7"
        );
        assert_eq!(line(9, follow_up, Lang::Zh), "#9 由数据库为 #7 发出");
        assert_eq!(
            line(10, LogKind::Copied { of: 9 }, Lang::En),
            "#10 a copy of #9 (made by the topic)"
        );
        let half = LogKind::PartlyDone {
            failed_at: 0,
            first: 0,
            steps: 2,
        };
        assert!(line(7, half.clone(), Lang::En)
            .starts_with("#7 left half done: 2 earlier step(s), from database on"));
        assert!(line(7, half, Lang::Zh).contains("已完成 2 步"));
    }

    #[test]
    fn rejections_name_the_node_and_the_cause_in_both_languages() {
        let nodes = vec![NodeView {
            id: 0,
            name: "db".into(),
            kind: NodeKind::Service,
        }];
        let e = LogEntry {
            t_us: 0,
            msg_id: Some(42),
            kind: LogKind::Rejected {
                node: 0,
                cause: Cause::ServiceOverCapacity,
            },
        };
        assert_eq!(
            sentence(&e, &LAYOUT, &nodes, Lang::En),
            "#42 rejected: database is over capacity"
        );
        assert_eq!(
            sentence(&e, &LAYOUT, &nodes, Lang::Zh),
            "#42 被拒绝：数据库 超出处理能力"
        );
    }

    /// Issue 11: "delivered to Consumers #1", "processed and acked by
    /// Consumers", "Subscriber 3 #1". The log names the member.
    #[test]
    fn the_log_names_the_consumer_not_the_group() {
        static GROUPS: StageLayout = StageLayout {
            width: 1.0,
            height: 1.0,
            spots: &[
                NodeSpot::new("consumers", 0.0, 0.0, text!("消费者", "Consumers"))
                    .with_member(text!("消费者 {n}", "consumer {n}")),
                NodeSpot::new("sub-3", 0.0, 0.0, text!("订阅者 3", "Subscriber 3"))
                    .with_member(text!("订阅者 3", "Subscriber 3")),
                NodeSpot::new("notifier", 0.0, 0.0, text!("通知服务", "Notifier")),
            ],
            links: &[],
        };
        let nodes: Vec<NodeView> = ["consumers", "sub-3", "notifier"]
            .iter()
            .enumerate()
            .map(|(i, n)| NodeView {
                id: i as u16,
                name: n.to_string(),
                kind: NodeKind::Consumers,
            })
            .collect();
        let say = |kind, lang| {
            let e = LogEntry {
                t_us: 0,
                msg_id: Some(1),
                kind,
            };
            sentence(&e, &GROUPS, &nodes, lang)
        };
        let delivered = |group| LogKind::Delivered {
            queue: 0,
            group,
            consumer: 1,
            redelivered: false,
        };
        let again = LogKind::Delivered {
            queue: 0,
            group: 0,
            consumer: 1,
            redelivered: true,
        };
        assert_eq!(
            say(again.clone(), Lang::En),
            "#1 delivered again to consumer 2"
        );
        assert_eq!(say(again, Lang::Zh), "#1 重新投递给消费者 2");
        assert_eq!(say(delivered(0), Lang::En), "#1 delivered to consumer 2");
        assert_eq!(say(delivered(0), Lang::Zh), "#1 投递给消费者 2");
        assert_eq!(say(delivered(1), Lang::En), "#1 delivered to Subscriber 3");
        assert_eq!(
            say(delivered(2), Lang::En),
            "#1 delivered to consumer 2 of Notifier"
        );
        assert_eq!(
            say(delivered(2), Lang::Zh),
            "#1 投递给通知服务的 2 号消费者"
        );
        let done = LogKind::Done {
            node: 0,
            consumer: Some(0),
            latency_us: 1_000,
        };
        let said = say(done, Lang::En);
        assert!(
            said.starts_with("#1 processed and acked by consumer 1, "),
            "{said}"
        );
        let crashed = LogKind::ConsumerCrashed {
            group: 0,
            consumer: 2,
            requeued: 1,
            lost: 0,
        };
        assert_eq!(
            say(crashed, Lang::En),
            "#1 consumer 3 crashed: 1 requeued, 0 lost"
        );
    }

    #[test]
    fn idempotence_entries_say_what_happened_to_the_order() {
        let nodes = vec![NodeView {
            id: 0,
            name: "db".into(),
            kind: NodeKind::Consumers,
        }];
        let entry = |kind| LogEntry {
            t_us: 0,
            msg_id: Some(9),
            kind,
        };
        let twice = entry(LogKind::EffectApplied {
            group: 0,
            order: 4,
            times: 2,
        });
        assert_eq!(
            sentence(&twice, &LAYOUT, &nodes, Lang::En),
            "#9 database added the points of order #4 again (2 times: a duplicate got through!)"
        );
        assert_eq!(severity(&twice.kind), "bad");
        let once = entry(LogKind::EffectApplied {
            group: 0,
            order: 4,
            times: 1,
        });
        assert_eq!(severity(&once.kind), "");
        let skipped = entry(LogKind::DuplicateSkipped {
            group: 0,
            order: 4,
            unique_key: false,
        });
        assert!(sentence(&skipped, &LAYOUT, &nodes, Lang::Zh).contains("processed:4"));
    }

    #[test]
    fn ordering_entries_name_the_user_and_the_step() {
        let nodes = vec![NodeView {
            id: 0,
            name: "db".into(),
            kind: NodeKind::Consumers,
        }];
        let e = LogEntry {
            t_us: 0,
            msg_id: Some(9),
            kind: LogKind::OutOfOrder {
                node: 0,
                user: 3,
                step: 5,
            },
        };
        assert_eq!(
            sentence(&e, &LAYOUT, &nodes, Lang::En),
            "#9 database applied user 3's \"shipped\" before an earlier step of theirs: out of order"
        );
        assert!(sentence(&e, &LAYOUT, &nodes, Lang::Zh).contains("发货"));
        assert_eq!(severity(&e.kind), "bad");
    }

    #[test]
    fn every_cause_has_both_languages() {
        for c in Cause::ALL {
            let t = cause_text(c);
            assert!(!t.get(Lang::Zh).is_empty() && !t.get(Lang::En).is_empty());
            assert_ne!(t.get(Lang::Zh), t.get(Lang::En));
        }
    }
}
