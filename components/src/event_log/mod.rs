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
pub fn sentence(e: &LogEntry, layout: &StageLayout, nodes: &[NodeView], lang: Lang) -> String {
    let name = |id: u16| node_label(layout, nodes, id, lang);
    let member = |g: u16, c: u16| member_name(layout, nodes, g, c, lang);
    let zh = lang == Lang::Zh;
    let msg = e.msg_id.map(|id| format!("#{id} ")).unwrap_or_default();
    let s = match &e.kind {
        LogKind::Produced { producer } => {
            if zh {
                format!("{} 发出消息", name(*producer))
            } else {
                format!("sent by {}", name(*producer))
            }
        }
        LogKind::Enqueued { queue, len } => {
            if zh {
                format!("进入{}（排队 {} 条）", name(*queue), thousands(*len))
            } else {
                format!("stored in {} ({} waiting)", name(*queue), thousands(*len))
            }
        }
        LogKind::Delivered {
            group,
            consumer,
            redelivered,
            ..
        } => match (zh, redelivered) {
            (true, false) => format!("投递给{}", member(*group, *consumer)),
            (true, true) => format!("重新投递给{}", member(*group, *consumer)),
            (false, false) => format!("delivered to {}", member(*group, *consumer)),
            (false, true) => format!("delivered again to {}", member(*group, *consumer)),
        },
        LogKind::Done {
            node,
            consumer,
            latency_us,
        } => {
            let by = consumer.map_or_else(|| name(*node), |c| member(*node, c));
            if zh {
                format!(
                    "{by}处理完成并确认，从发出到完成 {}",
                    duration(*latency_us as f64, lang)
                )
            } else {
                format!(
                    "processed and acked by {by}, {} after it was sent",
                    duration(*latency_us as f64, lang)
                )
            }
        }
        LogKind::Replied {
            service,
            response_us,
        } => {
            if zh {
                format!(
                    "{}返回结果，调用方一共等了 {}",
                    name(*service),
                    duration(*response_us as f64, lang)
                )
            } else {
                format!(
                    "answered by {}; the caller waited {}",
                    name(*service),
                    duration(*response_us as f64, lang)
                )
            }
        }
        LogKind::Rejected { node, cause } => {
            let why = cause_text(*cause).get(lang).replace("{node}", &name(*node));
            if zh {
                format!("被拒绝：{why}")
            } else {
                format!("rejected: {why}")
            }
        }
        LogKind::Lost { node, cause } => {
            let why = cause_text(*cause).get(lang).replace("{node}", &name(*node));
            if zh {
                format!("丢失：{why}")
            } else {
                format!("lost: {why}")
            }
        }
        LogKind::Requeued { queue } => {
            if zh {
                format!("未确认，重新放回{}", name(*queue))
            } else {
                format!("not acked, so put back in {}", name(*queue))
            }
        }
        LogKind::CallRetry {
            group,
            consumer,
            service,
        } => {
            if zh {
                format!(
                    "{}拒绝了请求，{}稍后重试",
                    name(*service),
                    member(*group, *consumer)
                )
            } else {
                format!(
                    "refused by {}; {} will retry",
                    name(*service),
                    member(*group, *consumer)
                )
            }
        }
        LogKind::PublishDropped {
            producer,
            will_retry,
        } => match (zh, will_retry) {
            (true, true) => format!("在途中被网络丢弃；{}没收到确认，稍后重发", name(*producer)),
            (true, false) => "在途中被网络丢弃；没有发布确认，没人发现".to_string(),
            (false, true) => format!(
                "dropped by the network; {} got no confirm and will resend",
                name(*producer)
            ),
            (false, false) => {
                "dropped by the network; with no publisher confirm nobody notices".to_string()
            }
        },
        LogKind::PublishRetried { producer } => {
            if zh {
                format!("{}重新发送", name(*producer))
            } else {
                format!("sent again by {}", name(*producer))
            }
        }
        LogKind::ConsumerCrashed {
            group,
            consumer,
            requeued,
            lost,
        } => {
            if zh {
                format!(
                    "{}崩溃：{} 条重新入队，{} 条丢失",
                    member(*group, *consumer),
                    requeued,
                    lost
                )
            } else {
                format!(
                    "{} crashed: {} requeued, {} lost",
                    member(*group, *consumer),
                    requeued,
                    lost
                )
            }
        }
        LogKind::ConsumerRestarted { group, consumer } => {
            if zh {
                format!("{}已重启", member(*group, *consumer))
            } else {
                format!("{} restarted", member(*group, *consumer))
            }
        }
        LogKind::ConsumersOnline { group, online } => match (zh, online) {
            (true, true) => format!("{}上线，开始取消息", name(*group)),
            (true, false) => format!("{}下线，消息留在队列里等待", name(*group)),
            (false, true) => format!("{} came online and starts taking messages", name(*group)),
            (false, false) => format!("{} went offline; messages wait in the queue", name(*group)),
        },
        LogKind::ConsumersChanged { group, count } => {
            if zh {
                format!("{}数量调整为 {}", name(*group), count)
            } else {
                format!("{} now runs {} consumers", name(*group), count)
            }
        }
        LogKind::ConsumerWorkChanged { group, mean_us } => {
            if zh {
                format!(
                    "{}每条消息处理 {}",
                    name(*group),
                    duration(*mean_us as f64, lang)
                )
            } else {
                format!(
                    "{} now takes {} per message",
                    name(*group),
                    duration(*mean_us as f64, lang)
                )
            }
        }
        LogKind::RateChanged {
            producer,
            rate_per_s,
        } => {
            if zh {
                format!(
                    "{}发送速率改为 {} 条/秒",
                    name(*producer),
                    number(*rate_per_s)
                )
            } else {
                format!("{} now sends {}/s", name(*producer), number(*rate_per_s))
            }
        }
        LogKind::ServiceCapacityChanged {
            service,
            capacity_per_s,
        } => {
            if zh {
                format!(
                    "{}处理能力改为 {} 次/秒",
                    name(*service),
                    number(*capacity_per_s)
                )
            } else {
                format!(
                    "{} now handles {}/s",
                    name(*service),
                    number(*capacity_per_s)
                )
            }
        }
        LogKind::ServiceUp { service, up } => match (zh, up) {
            (true, true) => format!("{}恢复服务", name(*service)),
            (true, false) => format!("{}宕机", name(*service)),
            (false, true) => format!("{} is back up", name(*service)),
            (false, false) => format!("{} went down", name(*service)),
        },
        LogKind::BrokerCrashed { lost, kept } => {
            if zh {
                format!(
                    "消息代理崩溃：{} 条未持久化的消息丢失，{} 条已持久化的保留",
                    thousands(*lost),
                    thousands(*kept)
                )
            } else {
                format!(
                    "the broker crashed: {} unpersisted messages lost, {} persisted kept",
                    thousands(*lost),
                    thousands(*kept)
                )
            }
        }
        LogKind::BrokerRestarted => {
            if zh {
                "消息代理重启完成".to_string()
            } else {
                "the broker restarted".to_string()
            }
        }
        LogKind::NetworkDuplicate { producer, order } => {
            if zh {
                format!("网络把订单 #{order} 又送了一遍：这份副本从{}发往代理", name(*producer))
            } else {
                format!(
                    "the network delivers order #{order} a second time: this copy leaves {}",
                    name(*producer)
                )
            }
        }
        LogKind::DedupeMarked { group, order } => {
            if zh {
                format!("{}写入去重键 processed:{order}", name(*group))
            } else {
                format!("{} wrote the dedupe key processed:{order}", name(*group))
            }
        }
        LogKind::EffectApplied {
            group,
            order,
            times,
        } => match (zh, *times) {
            (true, 1) => format!("{}为订单 #{order} 加了积分", name(*group)),
            (true, n) => format!(
                "{}为订单 #{order} 又加了一次积分（第 {n} 次：重复了！）",
                name(*group)
            ),
            (false, 1) => format!("{} added the points of order #{order}", name(*group)),
            (false, n) => format!(
                "{} added the points of order #{order} again ({n} times: a duplicate got through!)",
                name(*group)
            ),
        },
        LogKind::DuplicateSkipped {
            group,
            order,
            unique_key,
        } => match (zh, unique_key) {
            (true, true) => format!(
                "{}插入订单 #{order} 时违反唯一键：是重复消息，当作已处理，直接确认",
                name(*group)
            ),
            (true, false) => format!(
                "{}发现去重键 processed:{order} 已存在：当作重复跳过，直接确认",
                name(*group)
            ),
            (false, true) => format!(
                "{}: the unique key refused order #{order} again, so it is a duplicate, treated as done and acked",
                name(*group)
            ),
            (false, false) => format!(
                "{} found processed:{order} already set, so it skipped the copy as a duplicate and acked it",
                name(*group)
            ),
        },
        LogKind::RetryLater {
            queue,
            deliveries,
            delay_us,
        } => match (zh, *delay_us) {
            (true, 0) => format!(
                "第 {deliveries} 次投递处理失败，立即放回{}队首重试",
                name(*queue)
            ),
            (true, d) => format!(
                "第 {deliveries} 次投递处理失败，{}后放回{}重试",
                duration(d as f64, lang),
                name(*queue)
            ),
            (false, 0) => format!(
                "failed on delivery {deliveries}, back at the head of {} at once",
                name(*queue)
            ),
            (false, d) => format!(
                "failed on delivery {deliveries}, back in {} in {}",
                name(*queue),
                duration(d as f64, lang)
            ),
        },
        LogKind::DeadLettered { queue, deliveries } => {
            if zh {
                format!("投递 {deliveries} 次仍失败，从{}转入死信队列", name(*queue))
            } else {
                format!(
                    "still failing after {deliveries} deliveries: moved from {} to the dead-letter queue",
                    name(*queue)
                )
            }
        }
        LogKind::ClaimedTwice { group, pollers } => {
            if zh {
                format!(
                    "{}的 {pollers} 个实例同时读到这一单，都没检查 ZREM 的结果：订单被取消了 {pollers} 次",
                    name(*group)
                )
            } else {
                format!(
                    "{pollers} instances of {} read this order at the same moment and none checked ZREM's result: it was cancelled {pollers} times",
                    name(*group)
                )
            }
        }
        LogKind::Redriven { queue, count } => {
            if zh {
                format!("死信队列的 {count} 条消息重新放回{}", name(*queue))
            } else {
                format!(
                    "{count} messages moved from the dead-letter queue back to {}",
                    name(*queue)
                )
            }
        }
        LogKind::FixDeployed { group } => {
            if zh {
                format!("{}部署了修复：毒消息现在能处理成功", name(*group))
            } else {
                format!(
                    "{} got the fix: poison messages are processed from now on",
                    name(*group)
                )
            }
        }
        LogKind::PublishDelayed { producer, delay_us } => {
            let d = duration(*delay_us as f64, lang);
            if zh {
                format!("{}发出的这条消息在网络上被耽搁了 {d}", name(*producer))
            } else {
                format!("held up on the network for {d} after leaving {}", name(*producer))
            }
        }
        LogKind::OutOfOrder { node, user, step } => {
            let st = STEPS[*step as usize % 3].get(lang);
            if zh {
                format!("{}处理了用户 {user} 的“{st}”，但这位用户更早的一步还没处理：顺序错乱", name(*node))
            } else {
                format!("{} applied user {user}'s \"{st}\" before an earlier step of theirs: out of order", name(*node))
            }
        }
        LogKind::Txn { producer, step } => {
            let st = txn_step_text(*step).get(lang);
            if zh {
                format!("{}：{st}", name(*producer))
            } else {
                format!("{}: {st}", name(*producer))
            }
        }
        LogKind::StockRace {
            worker,
            value,
            pending,
        } => text!(
            "扣库存线程 {w} 读到库存 {v}，可另有 {o} 个线程也读到正数、正要扣减：{p} 次扣减对 {v} 件，会超卖",
            "stock worker {w} read {v} left, while {o} other workers also read a positive value and are about to decrement: {p} decrements for {v} items, an oversell",
        )
        .get(lang)
        .replace("{w}", &(worker + 1).to_string())
        .replace("{v}", &value.to_string())
        .replace("{o}", &pending.saturating_sub(1).to_string())
        .replace("{p}", &pending.to_string()),
        LogKind::Oversold { worker, stock } => text!(
            "扣库存线程 {w} 执行 DECR，库存变成 {s}：卖出了不存在的商品",
            "stock worker {w}'s DECR took the stock to {s}: an item sold that does not exist",
        )
        .get(lang)
        .replace("{w}", &(worker + 1).to_string())
        .replace("{s}", &stock.to_string()),
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
                        text!("告警：队列积压 {v} 条，超过 10,000", "alert: {v} waiting in the queue, over 10,000")
                    } else {
                        text!("告警解除：队列降到 {v} 条", "alert cleared: the queue is down to {v}")
                    },
                ),
                (AlertKind::LowSuccess, f) => (
                    format!("{} %", number(*value)),
                    if *f {
                        text!("告警：成功率 {v}，低于 95 %", "alert: success rate {v}, under 95 %")
                    } else {
                        text!("告警解除：成功率回到 {v}", "alert cleared: success rate back to {v}")
                    },
                ),
            };
            template.get(lang).replace("{v}", &reading)
        }
        LogKind::ReorderGaveUp { user, step } => {
            let st = STEPS[*step as usize % 3].get(lang);
            if zh {
                format!("重排缓冲等不到用户 {user} 的“{st}”，不再等待，先处理后面的步骤")
            } else {
                format!("the re-ordering buffer gave up waiting for user {user}'s \"{st}\" and applies the later steps")
            }
        }
    };
    format!("{msg}{s}")
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
