//! 主流消息队列对比 / comparing message queues: a requirements form with a
//! live recommendation, the profiles' facts as a table, and the same load
//! run against each profile side by side.

use leptos::prelude::*;
use mqlab_components::format::{duration, number, thousands};
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::text;
use mqlab_components::{
    ActionButton, DemoRun, Lang, MetricCard, NodeSpot, PanelDef, ParamSlider, StageLayout, Text,
};
use mqlab_engine::scenarios::comparison::{
    profile, profiles, recommend, unloaded_latency_us, BrokerProfile, LatencyScale, OpsWeight,
    OrderingScope, Reason, Requirements, Support,
};
use mqlab_engine::Action;

use super::{panel_value, read, Captions, CountCard, DemoFrame, Panel};
use crate::i18n;

static PANELS: [PanelDef; 4] = [
    PanelDef {
        id: "rabbitmq",
        title: text!("RabbitMQ", "RabbitMQ"),
        fixed: &[("broker", 0.0)],
    },
    PanelDef {
        id: "kafka",
        title: text!("Kafka", "Kafka"),
        fixed: &[("broker", 1.0)],
    },
    PanelDef {
        id: "rocketmq",
        title: text!("RocketMQ", "RocketMQ"),
        fixed: &[("broker", 2.0)],
    },
    PanelDef {
        id: "redis-stream",
        title: text!("Redis Stream", "Redis Stream"),
        fixed: &[("broker", 3.0)],
    },
];

/// One stage per panel, differing only in the broker's label.
macro_rules! broker_layout {
    ($name:ident, $label:expr) => {
        static $name: StageLayout = StageLayout {
            width: 260.0,
            height: 330.0,
            spots: &[
                NodeSpot {
                    name: "producer",
                    x: 130.0,
                    y: 40.0,
                    label: text!("生产者", "Producer"),
                    member: None,
                },
                NodeSpot {
                    name: "broker",
                    x: 130.0,
                    y: 145.0,
                    label: $label,
                    member: None,
                },
                NodeSpot {
                    name: "consumers",
                    x: 130.0,
                    y: 262.0,
                    label: text!("消费者", "Consumers"),
                    member: Some(i18n::CONSUMER_N),
                },
            ],
            links: &[("producer", "broker"), ("broker", "consumers")],
        };
    };
}
broker_layout!(LAYOUT_RABBIT, text!("RabbitMQ 队列", "RabbitMQ queue"));
broker_layout!(LAYOUT_KAFKA, text!("Kafka 分区", "Kafka partition"));
broker_layout!(LAYOUT_ROCKET, text!("RocketMQ 队列", "RocketMQ queue"));
broker_layout!(LAYOUT_REDIS, text!("Redis 流", "Redis stream"));

const TITLE: Text = text!("主流消息队列对比", "Comparing message queues");
const LEDE: Text = text!(
    "RabbitMQ、Kafka、RocketMQ、Redis Stream 各有所长。先用同样的负载跑一遍四个模型，再勾选你的需求看推荐，最后对照下面的特性表。",
    "RabbitMQ, Kafka, RocketMQ and Redis Stream are each good at different things. Run the same load against the four models, tick your requirements to get a recommendation, and check the facts table below.",
);

const MODELS_NOTE: Text = text!(
    "说明：这里的四个“消息队列”是按本章给出的数量级搭的模型（吞吐上限约 1 万、100 万、10 万、5 万条/秒，针对约 1 KB 的消息；延迟 RabbitMQ 为微秒级，其余为毫秒级），不是基准测试。真实数字取决于硬件、配置、批量、持久化和副本设置。",
    "Note: the four \"brokers\" here are models built at the chapter's orders of magnitude (throughput ceilings of about 10k, 1M, 100k and 50k messages/s for ~1 KB messages; microsecond latency for RabbitMQ, milliseconds for the others). They are not benchmarks: real numbers depend on hardware, settings, batching, persistence and replication.",
);

static TRY: [Text; 5] = [
    text!(
        "按“播放”：每秒 2 万条消息，RabbitMQ 的模型每秒只能处理约 1 万条，它的“排队中”不断变长，另外三个跟得上。",
        "Press Play: at 20,000 messages/s the RabbitMQ model handles only about 10,000/s, so its queue keeps growing while the other three keep up.",
    ),
    text!(
        "按“重置”，再把“发送速率”拖到 1 万/秒以下（比如 5000/秒）：四个都跟得上，这时比较延迟——RabbitMQ 是微秒级，其他是毫秒级。",
        "Press Reset, then drag the send rate below 10,000/s (say 5,000/s): all four keep up; now compare latency — microseconds for RabbitMQ, milliseconds for the others.",
    ),
    text!(
        "把“消息大小”调到 10 KB：每个模型的上限都按比例降到十分之一（Kafka 10 万、RocketMQ 1 万、Redis Stream 5000、RabbitMQ 1000 条/秒），每秒 2 万条时只剩 Kafka 跟得上。",
        "Set the message size to 10 KB: every model's ceiling drops to a tenth (Kafka 100k, RocketMQ 10k, Redis Stream 5k, RabbitMQ 1k messages/s), and at 20,000/s only Kafka keeps up.",
    ),
    text!(
        "跑几秒后按“重放最近 100 条”：Kafka、RocketMQ、Redis Stream 把已消费的消息再投递一遍，RabbitMQ 什么也拿不出来。",
        "After a few seconds press \"Replay the last 100\": Kafka, RocketMQ and Redis Stream deliver consumed messages again; RabbitMQ has nothing to give.",
    ),
    text!(
        "在需求表里勾选“重放”和“百万级吞吐”，再换成“微秒级延迟”或“延迟/事务消息”，看排名怎么变。",
        "In the requirements form tick \"replay\" and \"a million per second\", then try \"microsecond latency\" or \"delayed/transactional messages\" and watch the ranking change.",
    ),
];

static NOTICE: [Text; 4] = [
    text!(
        "没有“最好”的消息队列，只有最合适的：每一项优势背后都有代价（吞吐换延迟、功能换运维）。",
        "There is no best broker, only the best fit: every strength has a price (throughput for latency, features for operations work).",
    ),
    text!(
        "RabbitMQ 在消息被确认后就删掉它，所以不能重放；Kafka、RocketMQ、Redis Stream 把消息留在日志里，消费者可以回头再读。",
        "RabbitMQ deletes a message once it is acked, so it cannot replay; Kafka, RocketMQ and Redis Stream keep messages in a log that consumers can read again.",
    ),
    text!(
        "负载超过上限时，消息不会凭空消失，而是排队：延迟一路上涨，这正是吞吐上限的样子。",
        "Above the ceiling messages are not dropped, they queue: latency climbs and climbs — that is what a throughput ceiling looks like.",
    ),
    text!(
        "推荐只是按规则打分：每一条理由都写出来了，你可以不同意某条规则。",
        "The recommendation is just a scoring rule: every reason is shown, so you can disagree with a rule.",
    ),
];

const M_RATE: Text = text!("处理速率", "Processing rate");
const M_P50: Text = text!("端到端延迟 p50", "Latency p50");
const M_P99: Text = text!("端到端延迟 p99", "Latency p99");
const M_REPLAYED: Text = text!("已重放", "Replayed");
const M_RETAINED: Text = text!("留在日志里可重放", "Kept for replay");
const M_RETAINED_HINT: Text = text!(
    "已被消费、但仍保存在日志里可以再读的消息（模型最多保留最近 1 万条）；RabbitMQ 确认后即删除，所以总是 0",
    "Consumed messages still kept in a log that can be re-read (the model keeps the newest 10,000); RabbitMQ deletes on ack, so it is always 0",
);

const REPLAY_COUNT: u32 = 100;

#[component]
pub fn ComparisonDemo() -> impl IntoView {
    let lang = use_lang();
    let def = mqlab_engine::scenario::find("comparison").expect("built-in scenario");
    let run = super::make_run(def, &PANELS, 1.0);

    let panel = move |i: usize| {
        let layout: &'static StageLayout = match i {
            0 => &LAYOUT_RABBIT,
            1 => &LAYOUT_KAFKA,
            2 => &LAYOUT_ROCKET,
            _ => &LAYOUT_REDIS,
        };
        let rate = panel_value(run, i, |s| s.rates.processed_per_s);
        let p50 = panel_value(run, i, |s| s.latency.p50_us as f64);
        let p99 = panel_value(run, i, |s| s.latency.p99_us as f64);
        let done = panel_value(run, i, |s| s.latency.count as f64);
        let replayed = panel_value(run, i, |s| {
            s.queues.iter().map(|q| q.replayed).sum::<u64>() as f64
        });
        let retained = panel_value(run, i, |s| {
            s.queues.iter().map(|q| q.retained).sum::<u64>() as f64
        });
        let lat = move |v: Signal<f64>| {
            Signal::derive(move || {
                if done.get() == 0.0 {
                    "–".to_string()
                } else {
                    duration(v.get(), lang.get())
                }
            })
        };
        view! {
            <Panel run=run index=i layout=layout>
                <CountCard run=run index=i name="queued" label=i18n::M_QUEUED read=read::queued/>
                <MetricCard name="rate" label=M_RATE value=rate
                    display=Signal::derive(move || format!("{}{}", number(rate.get()), words::PER_S.get(lang.get())))/>
                <MetricCard name="latency-p50" label=M_P50 value=p50 display=lat(p50)/>
                <MetricCard name="latency-p99" label=M_P99 value=p99 display=lat(p99)/>
                <CountCard run=run index=i name="lost" label=i18n::M_LOST read=read::lost alarm=true/>
                <MetricCard name="replayed" label=M_REPLAYED value=replayed
                    display=Signal::derive(move || thousands(replayed.get() as u64))/>
                <MetricCard name="retained" label=M_RETAINED value=retained hint=M_RETAINED_HINT
                    display=Signal::derive(move || thousands(retained.get() as u64))/>
            </Panel>
        }
    };

    let pressed = RwSignal::new(false);
    let replay = Callback::new(move |_| {
        pressed.set(true);
        run.act(|_| {
            Some(Action::Replay {
                queue: "broker".into(),
                count: REPLAY_COUNT,
            })
        })
    });

    view! {
        <DemoFrame id="comparison" title=TITLE lede=LEDE run=run>
            <p class="models-note" data-testid="models-note">{move || MODELS_NOTE.get(lang.get())}</p>
            <section class="cmp-run" aria-label=move || RUN_HEADING.get(lang.get())>
                <h2>{move || RUN_HEADING.get(lang.get())}</h2>
                <section class="controls" aria-label=move || i18n::CONTROLS.get(lang.get())>
                    <ParamSlider run=run key="rate_per_s" label=text!("发送速率", "Send rate") unit=words::PER_S/>
                    <ParamSlider run=run key="message_kb" label=text!("消息大小", "Message size") unit=text!("KB", "KB")/>
                </section>
                <div class="actions" aria-label=move || i18n::ACTIONS.get(lang.get())>
                    <ActionButton
                        name="replay"
                        label=text!("重放最近 100 条", "Replay the last 100")
                        hint=text!(
                            "让每个队列把最近已消费的 100 条消息再投递一次（需要消息还保存在日志里）",
                            "Ask every broker to deliver its last 100 consumed messages again (only possible if they are still kept in a log)",
                        )
                        on_press=replay
                    />
                    <Show when=move || pressed.get()>
                        <ReplayResult run=run/>
                    </Show>
                </div>
                <div class="panels four">{panel(0)}{panel(1)}{panel(2)}{panel(3)}</div>
            </section>
            <Recommender/>
            <FactsTable/>
            <Captions try_this=&TRY notice=&NOTICE/>
        </DemoFrame>
    }
}

/// What the last replays found, per broker.
#[component]
fn ReplayResult(run: DemoRun) -> impl IntoView {
    let lang = use_lang();
    let text = move || {
        let l = lang.get();
        run.frames.with(|frames| {
            let parts = frames
                .iter()
                .zip(PANELS.iter())
                .zip(profiles())
                .map(|((f, p), prof)| {
                    let n: u64 = f.snap.queues.iter().map(|q| q.replayed).sum();
                    let name = p.title.get(l);
                    match (l, prof.replay) {
                        (Lang::Zh, false) => {
                            format!("{name} {} 条（确认后即删除，无从重放）", thousands(n))
                        }
                        (Lang::En, false) => format!(
                            "{name} {} (acked messages are deleted, nothing to replay)",
                            thousands(n)
                        ),
                        (Lang::Zh, true) => format!("{name} {} 条", thousands(n)),
                        (Lang::En, true) => format!("{name} {}", thousands(n)),
                    }
                })
                .collect::<Vec<_>>();
            let sep = if l == Lang::Zh { "；" } else { "; " };
            format!("{}{}", REPLAYED_SO_FAR.get(l), parts.join(sep))
        })
    };
    view! { <p class="replay-result" role="status" data-testid="replay-result">{text}</p> }
}

const REPLAYED_SO_FAR: Text = text!("至今重放：", "Replayed so far: ");

const RUN_HEADING: Text = text!("同样的负载，四个模型", "The same load, four models");

// ---------------------------------------------------------------------------
// Requirements → recommendation

/// The requirement toggles: (testid suffix, label).
static REQS: [(&str, Text); 6] = [
    (
        "replay",
        text!(
            "需要重放历史消息",
            "Consumers must re-read old messages (replay)",
        ),
    ),
    (
        "ordering",
        text!(
            "需要大规模下的严格顺序",
            "Strict ordering of related messages, at scale",
        ),
    ),
    (
        "microsecond-latency",
        text!("需要微秒级延迟", "Microsecond latency"),
    ),
    (
        "million-per-s",
        text!("需要每秒百万级吞吐", "About a million messages per second"),
    ),
    (
        "delayed-or-transactional",
        text!(
            "需要延迟消息或事务消息",
            "Delayed or transactional messages",
        ),
    ),
    (
        "small-team",
        text!(
            "团队小、运维预算有限",
            "Small team, small operations budget",
        ),
    ),
];

fn req_flag(r: &mut Requirements, i: usize) -> &mut bool {
    match i {
        0 => &mut r.replay,
        1 => &mut r.ordering,
        2 => &mut r.microsecond_latency,
        3 => &mut r.million_per_s,
        4 => &mut r.delayed_or_transactional,
        _ => &mut r.small_team,
    }
}

/// A reason in words; exhaustive, so a new reason fails to compile here.
fn reason_text(r: Reason) -> Text {
    match r {
        Reason::ReplayFromLog => text!(
            "消息保存在日志里，消费者可以重置位置再读一遍",
            "keeps a log that consumers can re-read from an earlier position",
        ),
        Reason::NoReplayAckedIsDeleted => text!(
            "消息被确认后就删除，无法重放（RabbitMQ Streams 除外）",
            "deletes a message once it is acked, so nothing can be replayed (RabbitMQ Streams aside)",
        ),
        Reason::OrderingWithParallelism => text!(
            "按分区/队列保序，同时多个分区可以并行消费",
            "keeps order per partition/queue while many partitions are consumed in parallel",
        ),
        Reason::OrderingPerStream => text!(
            "单个流内有序（条目 ID 递增），扩展靠多个流",
            "ordered within one stream (increasing entry ids); scaling means more streams",
        ),
        Reason::OrderingSingleConsumerOnly => text!(
            "只有单个消费者时才严格有序，多个消费者竞争会打乱顺序",
            "strictly ordered only with a single consumer; competing consumers reorder",
        ),
        Reason::MicrosecondLatency => text!("延迟在微秒级", "latency in microseconds"),
        Reason::MillisecondLatency => text!(
            "延迟在毫秒级，达不到微秒",
            "latency in milliseconds, not microseconds",
        ),
        Reason::MillionPerSecond => text!(
            "单集群可达每秒百万级消息",
            "reaches about a million messages per second",
        ),
        Reason::BelowMillionPerSecond => text!(
            "吞吐量级低于每秒百万",
            "throughput is an order of magnitude or more below a million per second",
        ),
        Reason::NativeDelayedAndTransactional => text!(
            "原生支持延迟消息和事务消息",
            "delayed and transactional messages built in",
        ),
        Reason::DelayedViaPlugin => text!(
            "延迟消息要靠插件，没有事务消息",
            "delayed messages through a plugin; no transactional messages",
        ),
        Reason::TransactionsWithoutDelay => text!(
            "有事务，但没有原生延迟消息",
            "transactions, but no built-in delayed messages",
        ),
        Reason::NoDelayedOrTransactional => text!(
            "没有延迟消息，也没有事务消息",
            "neither delayed nor transactional messages",
        ),
        Reason::LightOperations => text!("部署和运维都比较轻", "light to run and operate"),
        Reason::HeavyOperations => text!(
            "集群组件多，学习和运维成本高",
            "a cluster with many parts: more to learn and to operate",
        ),
    }
}

fn broker_name(id: &str) -> &'static str {
    profile(id).map(|p| p.name).unwrap_or("?")
}

#[component]
fn Recommender() -> impl IntoView {
    let lang = use_lang();
    let req = RwSignal::new(Requirements::default());
    let recs = Memo::new(move |_| recommend(&req.get()));
    let any = move || req.get() != Requirements::default();
    let toggles = REQS
        .iter()
        .enumerate()
        .map(|(i, (id, label))| {
            let checked = move || {
                let mut r = req.get();
                *req_flag(&mut r, i)
            };
            view! {
                <label class="req">
                    <input
                        type="checkbox"
                        data-testid=format!("req-{id}")
                        prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            req.update(|r| *req_flag(r, i) = on);
                        }
                    />
                    <span>{move || label.get(lang.get())}</span>
                </label>
            }
        })
        .collect_view();
    // Redrawn whenever a requirement changes: one block of markup.
    let list = move || {
        let l = lang.get();
        let has_any = any();
        let top = recs.with(|r| r.first().map(|x| x.score));
        let mut out = String::new();
        for (rank, r) in recs.get().into_iter().enumerate() {
            let best = has_any && Some(r.score) == top;
            // "Best fit" only for a broker that meets every ticked
            // requirement; a top scorer that misses one is the closest.
            let misses = r.misses();
            let badge = match (best, misses) {
                (false, _) => String::new(),
                (true, 0) => BEST.get(l).to_string(),
                (true, n) => CLOSEST.get(l).replace("{n}", &n.to_string()),
            };
            let score = if r.score > 0 {
                format!("+{}", r.score)
            } else {
                r.score.to_string()
            };
            out += &format!(
                "<li class=\"{}\" data-testid=\"rec-{}\" data-rank=\"{}\" data-score=\"{}\" data-misses=\"{misses}\"><div class=\"rec-head\"><span class=\"rec-name\">{}</span><span class=\"rec-score\">{} {score}</span>",
                if best { "rec best" } else { "rec" },
                r.broker,
                rank + 1,
                r.score,
                broker_name(r.broker),
                esc(SCORE.get(l)),
            );
            if !badge.is_empty() {
                out += &format!(
                    "<span class=\"badge\" data-testid=\"rec-badge\">{}</span>",
                    esc(&badge)
                );
            }
            out += "</div>";
            if !r.reasons.is_empty() {
                out += "<ul class=\"rec-reasons\">";
                for (points, x) in &r.reasons {
                    let (sign, class) = match points.signum() {
                        1 => (format!("+{points}"), "gain"),
                        -1 => (format!("−{}", points.unsigned_abs()), "loss"),
                        _ => ("±0".to_string(), "even"),
                    };
                    out += &format!(
                        "<li class=\"{class}\" data-points=\"{points}\"><span class=\"rec-points\">{sign}</span> {}</li>",
                        esc(reason_text(*x).get(l))
                    );
                }
                out += "</ul>";
            }
            out += "</li>";
        }
        out
    };
    view! {
        <section class="cmp-recommend" data-testid="recommender">
            <h2>{move || REC_HEADING.get(lang.get())}</h2>
            <div class="cmp-recommend-body">
                <fieldset class="reqs">
                    <legend>{move || REQ_LEGEND.get(lang.get())}</legend>
                    {toggles}
                </fieldset>
                <div class="recs">
                    <p class="hint" data-testid="rec-hint">
                        {move || if any() { REC_HINT.get(lang.get()) } else { REC_EMPTY.get(lang.get()) }}
                    </p>
                    <ol class="rec-list" data-testid="recommendation" aria-live="polite" inner_html=list></ol>
                </div>
            </div>
        </section>
    }
}

const REC_HEADING: Text = text!("按需求选型", "Pick by requirements");
const REQ_LEGEND: Text = text!("你的需求", "Your requirements");
const REC_EMPTY: Text = text!(
    "勾选左边的需求，下面的排名会随之变化。没有勾选时四者得分相同。",
    "Tick requirements on the left and the ranking below follows. With none ticked all four score the same.",
);
const REC_HINT: Text = text!(
    "每项需求给每个候选加分或减分，理由列在名字下面。",
    "Each requirement adds or subtracts points for every candidate; the reasons are listed under each name.",
);
const SCORE: Text = text!("得分", "score");
const BEST: Text = text!("最合适", "best fit");
const CLOSEST: Text = text!(
    "最接近（有 {n} 项要求不满足）",
    "closest fit (misses {n} requirement(s))"
);

// ---------------------------------------------------------------------------
// Facts table

fn by_id(id: &str, rabbit: Text, kafka: Text, rocket: Text, redis: Text) -> Text {
    match id {
        "rabbitmq" => rabbit,
        "kafka" => kafka,
        "rocketmq" => rocket,
        "redis-stream" => redis,
        _ => text!("—", "—"),
    }
}

fn positioning(id: &str) -> Text {
    by_id(
        id,
        text!(
            "经典的消息代理：交换机按规则把消息路由到队列",
            "A classic message broker: exchanges route messages to queues by rules",
        ),
        text!(
            "分布式提交日志：按分区顺序追加、保留一段时间",
            "A distributed commit log: partitions appended in order and kept for a while",
        ),
        text!(
            "为业务消息设计的分布式消息中间件（源自阿里巴巴）",
            "Distributed messaging built for business messages (from Alibaba)",
        ),
        text!(
            "Redis 里的一种数据结构：只追加的流，支持消费组",
            "A Redis data type: an append-only stream with consumer groups",
        ),
    )
}

fn persistence(id: &str) -> Text {
    by_id(
        id,
        text!(
            "持久化要显式开启：消息标为持久并发到持久队列（仲裁队列总是落盘）；模型里默认不持久",
            "Opt-in: a message survives a restart only if published as persistent to a durable queue (quorum queues always write to disk); not persistent by default in the model",
        ),
        text!(
            "每条消息都追加到磁盘日志，不论是否被消费，都保留到过期（默认 7 天）",
            "Every message is appended to a log on disk and kept for the retention period (7 days by default), consumed or not",
        ),
        text!(
            "写入磁盘上的 CommitLog，默认异步刷盘，可改为同步刷盘",
            "Written to a commit log on disk; asynchronous flush by default, synchronous flush optional",
        ),
        text!(
            "数据在内存里，只靠 RDB 快照或 AOF 落盘，宕机可能丢掉最近的写入",
            "Kept in memory; on disk only through RDB snapshots or the AOF, so a crash can lose the latest writes",
        ),
    )
}

fn replication(id: &str) -> Text {
    by_id(
        id,
        text!(
            "仲裁队列用 Raft 复制；经典队列不复制",
            "Quorum queues replicate with Raft; classic queues are not replicated",
        ),
        text!(
            "每个分区在其他 broker 上有副本（副本因子通常为 3）",
            "Each partition has replicas on other brokers (replication factor typically 3)",
        ),
        text!(
            "主从复制，默认异步；可选基于 Raft 的 DLedger",
            "Leader/follower replication, asynchronous by default; Raft-based DLedger optional",
        ),
        text!("异步复制到从节点", "Asynchronous replicas"),
    )
}

fn replay_note(id: &str) -> Text {
    by_id(
        id,
        text!(
            "不能：消息被确认后即删除（3.9 起的 RabbitMQ Streams 可以）",
            "No: a message is deleted once acked (RabbitMQ Streams, since 3.9, can replay)",
        ),
        text!(
            "能：消费组可以重置位点（offset）重新消费",
            "Yes: a consumer group can reset its offset and consume again",
        ),
        text!(
            "能：消费组可以把位点重置到某个时间点",
            "Yes: a consumer group can reset its offset to a point in time",
        ),
        text!(
            "能：用 XRANGE / XREAD 从任意 ID 读起，直到被裁剪",
            "Yes: XRANGE / XREAD from any id, until the stream is trimmed",
        ),
    )
}

fn ops_note(id: &str) -> Text {
    by_id(
        id,
        text!(
            "上手快，管理界面友好；AMQP 的交换机/绑定概念要花点时间",
            "Quick to start with a friendly management UI; AMQP exchanges and bindings take some learning",
        ),
        text!(
            "概念多（分区、副本、位点、再均衡），集群运维较重",
            "Many concepts (partitions, replicas, offsets, rebalancing); a heavy cluster to run",
        ),
        text!(
            "NameServer + Broker 集群，功能丰富，运维也较重",
            "NameServer plus broker cluster: rich features and a heavier cluster to run",
        ),
        text!(
            "已有 Redis 就几乎零成本；受内存容量限制",
            "Almost free if you already run Redis; bounded by memory",
        ),
    )
}

fn use_cases(id: &str) -> Text {
    by_id(
        id,
        text!(
            "服务间的任务队列和路由，更看重低延迟而不是海量",
            "Task queues and routing between services, where low latency matters more than volume",
        ),
        text!(
            "日志收集、事件流、大数据管道，超大流量",
            "Log collection, event streaming, big-data pipelines, very high volume",
        ),
        text!(
            "订单、支付等业务消息：事务消息、延迟消息、高可靠",
            "Business messages such as orders and payments: transactional and delayed messages, high reliability",
        ),
        text!(
            "已经在用 Redis、数据量装得进内存的轻量队列",
            "Lightweight queues where Redis is already there and the data fits in memory",
        ),
    )
}

/// A number without trailing zeros: 1, 2.5, 10.
fn plain(v: f64) -> String {
    mqlab_engine::num::short((v * 100.0).round() / 100.0)
}

fn throughput(p: &BrokerProfile, l: Lang) -> String {
    let v = p.throughput_per_s;
    match l {
        Lang::Zh => {
            if v >= 10_000.0 {
                format!("约 {} 万条/秒", plain(v / 10_000.0))
            } else {
                format!("约 {} 条/秒", plain(v))
            }
        }
        Lang::En => {
            if v >= 1_000_000.0 {
                format!("~{}M/s", plain(v / 1_000_000.0))
            } else if v >= 1_000.0 {
                format!("~{}k/s", plain(v / 1_000.0))
            } else {
                format!("~{}/s", plain(v))
            }
        }
    }
}

/// A model latency range: `100–300 µs`, `2–5 ms`.
fn range(lo_us: u64, hi_us: u64) -> String {
    if hi_us < 1_000 {
        format!("{lo_us}–{hi_us} µs")
    } else {
        format!(
            "{}–{} ms",
            plain(lo_us as f64 / 1_000.0),
            plain(hi_us as f64 / 1_000.0)
        )
    }
}

fn latency(p: &BrokerProfile, l: Lang) -> String {
    let scale = match p.latency_scale {
        LatencyScale::Microseconds => text!("微秒级", "microseconds"),
        LatencyScale::Milliseconds => text!("毫秒级", "milliseconds"),
    };
    // End to end, as the latency cards measure it: with an idle broker an
    // unloaded run's p50 and p99 fall in this range (engine test
    // unloaded_latency_falls_within_the_range_the_facts_table_states).
    let (lo, hi) = unloaded_latency_us(p);
    let model = range(lo, hi);
    match l {
        Lang::Zh => format!("{}（模型中空载时端到端：{}）", scale.get(Lang::Zh), model),
        Lang::En => format!(
            "{} (model, end to end when idle: {})",
            scale.get(Lang::En),
            model
        ),
    }
}

fn ordering(o: OrderingScope) -> Text {
    match o {
        OrderingScope::PerQueueSingleConsumer => text!(
            "单个队列先进先出；只有一个消费者时才严格有序",
            "FIFO per queue; strict only with a single consumer",
        ),
        OrderingScope::PerPartition => text!(
            "分区内有序（同一个 key 进同一分区）",
            "Per partition (the same key goes to the same partition)",
        ),
        OrderingScope::PerMessageQueue => text!(
            "队列内有序（按分片键发送顺序消息）",
            "Per message queue (ordered messages with a sharding key)",
        ),
        OrderingScope::PerStream => text!(
            "单个流内有序（条目 ID 递增）",
            "Per stream (entry ids increase)",
        ),
    }
}

fn support(s: Support) -> Text {
    match s {
        Support::Native => text!("✓ 原生支持", "✓ built in"),
        Support::Plugin => text!("△ 靠插件/组合实现", "△ via a plugin or a pattern"),
        Support::No => text!("✗ 不支持", "✗ no"),
    }
}

fn ops(o: OpsWeight) -> Text {
    match o {
        OpsWeight::Light => text!("较轻", "Light"),
        OpsWeight::Heavy => text!("较重", "Heavy"),
    }
}

type Cell = fn(&'static BrokerProfile, Lang) -> String;

/// The table's rows: (testid suffix, row heading, cell).
static ROWS: [(&str, Text, Cell); 11] = [
    ("positioning", text!("定位", "Positioning"), |p, l| {
        positioning(p.id).get(l).into()
    }),
    (
        "throughput",
        text!("吞吐量（约 1 KB 消息）", "Throughput (~1 KB messages)"),
        throughput,
    ),
    ("latency", text!("延迟", "Latency"), latency),
    (
        "persistence",
        text!("可靠性 / 持久化", "Reliability / persistence"),
        |p, l| persistence(p.id).get(l).into(),
    ),
    ("replication", text!("副本", "Replication"), |p, l| {
        replication(p.id).get(l).into()
    }),
    ("ordering", text!("顺序保证", "Ordering"), |p, l| {
        ordering(p.ordering).get(l).into()
    }),
    (
        "replay",
        text!("重放已消费的消息", "Replay consumed messages"),
        |p, l| replay_note(p.id).get(l).into(),
    ),
    (
        "delayed",
        text!("延迟消息", "Delayed messages"),
        |p, l| support(p.delayed_messages).get(l).into(),
    ),
    (
        "transactional",
        text!("事务消息", "Transactional messages"),
        |p, l| support(p.transactional_messages).get(l).into(),
    ),
    (
        "ops",
        text!("学习曲线 / 运维负担", "Learning curve / operations"),
        |p, l| {
            let sep = if l == Lang::Zh { "：" } else { ": " };
            format!("{}{sep}{}", ops(p.ops).get(l), ops_note(p.id).get(l))
        },
    ),
    (
        "use-cases",
        text!("典型场景", "Typical use cases"),
        |p, l| use_cases(p.id).get(l).into(),
    ),
];

/// The facts table. It changes only with the language: drawn as one
/// block of markup (our own words and numbers, escaped), which costs the
/// bundle far less than a reactive node per cell.
#[component]
fn FactsTable() -> impl IntoView {
    let lang = use_lang();
    let table = move || {
        let l = lang.get();
        let mut out = format!("<thead><tr><th scope=\"col\">{}</th>", esc(FACT_COL.get(l)));
        for p in profiles() {
            out += &format!("<th scope=\"col\">{}</th>", esc(p.name));
        }
        out += "</tr></thead><tbody>";
        for (id, label, cell) in ROWS.iter() {
            out += &format!(
                "<tr data-testid=\"fact-{id}\"><th scope=\"row\">{}</th>",
                esc(label.get(l))
            );
            for p in profiles() {
                let bad = if *id == "replay" && !p.replay {
                    " class=\"bad\""
                } else {
                    ""
                };
                out += &format!(
                    "<td{bad} data-broker=\"{}\">{}</td>",
                    p.id,
                    esc(&cell(p, l))
                );
            }
            out += "</tr>";
        }
        out + "</tbody>"
    };
    view! {
        <section class="cmp-facts">
            <h2>{move || FACTS_HEADING.get(lang.get())}</h2>
            <div class="cmp-table-wrap" tabindex="0" role="region" aria-label=move || FACTS_HEADING.get(lang.get())>
                <table class="cmp-table" data-testid="facts-table" inner_html=table></table>
            </div>
            <p class="hint">{move || FACTS_NOTE.get(lang.get())}</p>
        </section>
    }
}

/// Text for markup: `&`, `<`, `>` and `"` escaped.
fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const FACTS_HEADING: Text = text!("特性对照表", "The facts side by side");
const FACT_COL: Text = text!("特性", "Property");
const FACTS_NOTE: Text = text!(
    "吞吐和延迟是模型取的数量级，不是基准测试结果；其余各行描述常见的默认做法。",
    "Throughput and latency are the models' orders of magnitude, not benchmark results; the other rows describe common defaults.",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_has_every_fact_in_both_languages() {
        assert_eq!(profiles().len(), PANELS.len());
        for (p, panel) in profiles().iter().zip(PANELS.iter()) {
            assert_eq!(
                p.id, panel.id,
                "panel order follows the broker option order"
            );
            for (row, _, cell) in ROWS.iter() {
                for l in [Lang::Zh, Lang::En] {
                    let text = cell(p, l);
                    assert!(
                        !text.is_empty() && !text.contains('—'),
                        "{} {row} {l:?}",
                        p.id
                    );
                }
            }
        }
    }

    #[test]
    fn reasons_are_translated() {
        let all = Requirements {
            replay: true,
            ordering: true,
            microsecond_latency: true,
            million_per_s: true,
            delayed_or_transactional: true,
            small_team: true,
        };
        for r in recommend(&all) {
            assert!(!r.reasons.is_empty());
            for (_, x) in r.reasons {
                let t = reason_text(x);
                assert!(!t.get(Lang::Zh).is_empty() && !t.get(Lang::En).is_empty());
            }
        }
    }

    #[test]
    fn readable_numbers() {
        let ids: Vec<String> = profiles().iter().map(|p| throughput(p, Lang::En)).collect();
        assert_eq!(ids, ["~10k/s", "~1M/s", "~100k/s", "~50k/s"]);
        assert_eq!(throughput(&profiles()[0], Lang::Zh), "约 1 万条/秒");
        assert_eq!(range(100, 300), "100–300 µs");
        assert_eq!(range(2_000, 5_000), "2–5 ms");
    }
}
