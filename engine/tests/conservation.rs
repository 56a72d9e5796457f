//! Conservation (SPEC "Engine rules"): whatever the topology and whatever
//! the learner does, every message ever created is in exactly one state,
//! every rejection and loss has a cause, and a message is lost or rejected
//! only for a reason the configuration and the input log allow.
//!
//! Random scenario specs plus random command lists (every `Action`), checked
//! with `invariants::check_full` every few events and at the end.
// Native only: proptest does not build for wasm32-unknown-unknown.
#![cfg(not(target_arch = "wasm32"))]

use mqlab_engine::invariants::check_full;
use mqlab_engine::rng::Dist;
use mqlab_engine::spec::*;
use mqlab_engine::time::{TimeUs, US_PER_MS, US_PER_S};
use mqlab_engine::{Action, Cause, Command, MsgState, ScenarioSpec, Sim};
use proptest::prelude::*;

/// Events between two full invariant checks.
const CHECK_EVERY: u64 = 61;
/// How far each case runs (virtual time) and a cap on events.
const HORIZON_US: TimeUs = 4 * US_PER_S;
const MAX_EVENTS: u64 = 400_000;

fn rate(max: f64) -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), 0.5..max]
}

fn shape() -> impl Strategy<Value = RateShape> {
    prop_oneof![
        (rate(1_500.0), 0..US_PER_S).prop_map(|(rate_per_s, start_us)| RateShape::Constant {
            rate_per_s,
            start_us
        }),
        rate(1_500.0).prop_map(|rate_per_s| RateShape::Poisson { rate_per_s }),
        (rate(20_000.0), 0..US_PER_S, 0..500 * US_PER_MS).prop_map(
            |(rate_per_s, start_us, length_us)| RateShape::Burst {
                rate_per_s,
                start_us,
                length_us
            }
        ),
        prop::collection::vec((0..3 * US_PER_S, rate(1_500.0)), 0..5).prop_map(|mut steps| {
            steps.sort_by_key(|s| s.0);
            RateShape::Steps {
                steps: steps
                    .into_iter()
                    .map(|(at_us, rate_per_s)| RateStep { at_us, rate_per_s })
                    .collect(),
            }
        }),
        Just(RateShape::Manual),
    ]
}

fn dist() -> impl Strategy<Value = Dist> {
    prop_oneof![
        (0..20 * US_PER_MS).prop_map(|us| Dist::Fixed { us }),
        (0..20 * US_PER_MS, 0..20 * US_PER_MS)
            .prop_map(|(min_us, max_us)| Dist::Uniform { min_us, max_us }),
        (0..20 * US_PER_MS).prop_map(|mean_us| Dist::Exponential { mean_us }),
    ]
}

/// A producer with its target picked later (by index, among queues then services).
#[derive(Clone, Debug)]
struct RawProducer {
    rate: RateShape,
    target: usize,
    confirm: bool,
    persistent: bool,
    limit: Option<u64>,
    retry_us: TimeUs,
}

fn raw_producer() -> impl Strategy<Value = RawProducer> {
    (
        shape(),
        0..4usize,
        any::<bool>(),
        any::<bool>(),
        prop::option::of(0..3_000u64),
        1..500 * US_PER_MS,
    )
        .prop_map(
            |(rate, target, confirm, persistent, limit, retry_us)| RawProducer {
                rate,
                target,
                confirm,
                persistent,
                limit,
                retry_us,
            },
        )
}

fn queue() -> impl Strategy<Value = (u64, Overflow)> {
    (
        1..2_000u64,
        prop_oneof![Just(Overflow::Reject), Just(Overflow::DropOldest)],
    )
}

#[derive(Clone, Debug)]
struct RawGroup {
    queue: usize,
    count: u32,
    concurrency: u32,
    work: Dist,
    online: bool,
    ack: AckMode,
    calls: Option<usize>,
    restart_us: TimeUs,
    backoff_us: TimeUs,
}

fn raw_group() -> impl Strategy<Value = RawGroup> {
    (
        (0..2usize, 0..6u32, 1..5u32, dist()),
        (
            any::<bool>(),
            prop_oneof![Just(AckMode::Auto), Just(AckMode::Manual)],
            prop::option::of(0..2usize),
            0..2 * US_PER_S,
            1..200 * US_PER_MS,
        ),
    )
        .prop_map(
            |((queue, count, concurrency, work), (online, ack, calls, restart_us, backoff_us))| {
                RawGroup {
                    queue,
                    count,
                    concurrency,
                    work,
                    online,
                    ack,
                    calls,
                    restart_us,
                    backoff_us,
                }
            },
        )
}

/// An idempotence spec's settings: strategy, mark after, TTL, duplicate
/// rate and delay (short enough for duplicates and expiries in a case).
fn idempotence() -> impl Strategy<Value = (u8, bool, TimeUs, f64, TimeUs)> {
    (
        0..3u8,
        any::<bool>(),
        1..2 * US_PER_S,
        prop_oneof![Just(0.0), 0.0..0.5f64],
        0..2 * US_PER_S,
    )
}

/// A retry policy on one queue: poison and transient rates, max retries,
/// backoff (none/fixed/exponential), a base delay, a DLQ (and a small
/// capacity, so a full one happens).
#[allow(clippy::type_complexity)]
fn retry() -> impl Strategy<Value = (usize, f64, f64, u32, u8, TimeUs, bool, u64)> {
    (
        0..2usize,
        prop_oneof![Just(0.0), 0.0..1.0f64],
        prop_oneof![Just(0.0), 0.0..0.6f64],
        0..5u32,
        0..3u8,
        1..500 * US_PER_MS,
        prop::bool::weighted(0.8),
        1..50u64,
    )
}

/// An ordering spec: users, partitions (of the queues there are), key,
/// re-order mode, batch, timeout and a small buffer (so it fills).
fn ordering() -> impl Strategy<Value = (u32, usize, u8, u8, TimeUs, TimeUs, u32)> {
    (
        1..30u32,
        0..3usize,
        0..3u8,
        0..3u8,
        1..500 * US_PER_MS,
        0..2 * US_PER_S,
        1..8u32,
    )
}

/// A delay spec: its queue, method, level, poll interval, atomic claim,
/// the first producer's delay, and the share of users who pay.
fn delay() -> impl Strategy<Value = (usize, u8, u32, TimeUs, bool, TimeUs, f64)> {
    (
        0..2usize,
        0..4u8,
        1..=18u32,
        1..2 * US_PER_S,
        any::<bool>(),
        0..20 * US_PER_S,
        0.0..=1.0f64,
    )
}

fn service() -> impl Strategy<Value = (f64, u32, u32, TimeUs, bool)> {
    (
        prop_oneof![Just(0.001), 1.0..5_000.0],
        1..5u32,
        0..20u32,
        prop_oneof![Just(0), 1..200 * US_PER_MS],
        prop::bool::weighted(0.8),
    )
}

fn spec() -> impl Strategy<Value = ScenarioSpec> {
    (
        prop_oneof![Just(0), 1..5 * US_PER_MS],
        50 * US_PER_MS..500 * US_PER_MS,
        0..2 * US_PER_S,
        prop::collection::vec(raw_producer(), 1..=2),
        prop::collection::vec(queue(), 1..=2),
        prop::collection::vec(raw_group(), 0..=2),
        prop::collection::vec(service(), 0..=2),
        (1..=3u8, 0..3u8, any::<bool>()),
        prop_oneof![Just(0.0), 0.0..0.5f64],
        prop::option::of(idempotence()),
        prop::option::of(retry()),
        (
            prop::option::of(ordering()),
            prop::option::of(delay()),
            prop::option::of((0..2usize, 0..50u64, any::<bool>(), 1..2 * US_PER_S)),
            prop::option::of((
                0..4u8,
                0..2 * US_PER_S,
                1..3 * US_PER_S,
                prop_oneof![Just(0.0), 0.0..0.5f64],
            )),
            // A seckill gateway on the first producer: stock, atomic,
            // workers, round trip, limiter rate and switch.
            prop::option::of((
                0..200u64,
                any::<bool>(),
                1..16u32,
                1..5_000u64,
                1.0..50_000f64,
                any::<bool>(),
            )),
        ),
    )
        .prop_map(
            |(
                link,
                sample,
                broker_restart,
                ps,
                qs,
                gs,
                ss,
                (replicas, acks, async_flush),
                fail_rate,
                idem,
                retry,
                (ord, dly, sale, txn, seckill),
            )| {
                let qname = |i: usize| format!("q{i}");
                let sname = |i: usize| format!("s{i}");
                let queues = qs
                    .iter()
                    .enumerate()
                    .map(|(i, (capacity, overflow))| QueueSpec {
                        retain_acked: Default::default(),
                        pacing: Default::default(),
                        name: qname(i),
                        capacity: *capacity,
                        overflow: *overflow,
                    })
                    .collect();
                let services = ss
                    .iter()
                    .enumerate()
                    .map(
                        |(i, (cap, concurrency, backlog, timeout_us, up))| ServiceSpec {
                            then_calls: Default::default(),
                            publishes: Default::default(),
                            name: sname(i),
                            capacity_per_s: *cap,
                            concurrency: *concurrency,
                            backlog: *backlog,
                            timeout_us: *timeout_us,
                            up: *up,
                        },
                    )
                    .collect();
                let producers: Vec<ProducerSpec> = ps
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let k = p.target % (qs.len() + ss.len());
                        ProducerSpec {
                            name: format!("p{i}"),
                            rate: p.rate,
                            target: if k < qs.len() {
                                qname(k)
                            } else {
                                sname(k - qs.len())
                            },
                            confirm: p.confirm,
                            persistent: p.persistent,
                            limit: p.limit,
                            retry_us: p.retry_us,
                        }
                    })
                    .collect();
                let consumers: Vec<ConsumerSpec> = gs
                    .into_iter()
                    .enumerate()
                    .map(|(i, g)| ConsumerSpec {
                        dispatch: Default::default(),
                        prefetch: Default::default(),
                        name: format!("g{i}"),
                        queue: qname(g.queue % qs.len()),
                        count: g.count,
                        concurrency: g.concurrency,
                        service_time: g.work,
                        online: g.online,
                        ack: g.ack,
                        calls: if ss.is_empty() {
                            None
                        } else {
                            g.calls.map(|s| sname(s % ss.len()))
                        },
                        restart_us: g.restart_us,
                        retry_backoff_us: g.backoff_us,
                        fail_rate,
                    })
                    .collect();
                // The first consumer group's effect is watched.
                let idempotence = idem.filter(|_| !consumers.is_empty()).map(
                    |(strategy, after, ttl_us, duplicate_rate, duplicate_delay_us)| {
                        IdempotenceSpec {
                            consumer: "g0".into(),
                            strategy: [
                                IdempotenceStrategy::None,
                                IdempotenceStrategy::UniqueKey,
                                IdempotenceStrategy::Dedupe,
                            ][strategy as usize],
                            mark: if after {
                                DedupeMark::After
                            } else {
                                DedupeMark::Before
                            },
                            ttl_us,
                            duplicate_rate,
                            duplicate_delay_us,
                        }
                    },
                );
                // A retry policy needs its queue's consumers to ack manually.
                let retry = retry
                    .map(
                        |(q, poison, transient, max_retries, backoff, base, dlq, cap)| RetrySpec {
                            queue: qname(q % qs.len()),
                            poison_rate: poison,
                            transient_rate: transient,
                            max_retries,
                            backoff: [Backoff::None, Backoff::Fixed, Backoff::Exponential]
                                [backoff as usize],
                            backoff_us: base,
                            backoff_max_us: 4 * base,
                            dead_letter: dlq,
                            dlq_capacity: cap,
                        },
                    )
                    .filter(|r| {
                        consumers
                            .iter()
                            .all(|c| c.queue != r.queue || c.ack == AckMode::Manual)
                    });
                // The first producer's messages are ordered steps, spread
                // over the first `parts` queues.
                let ordering = ord.map(
                    |(users, parts, key, reorder, batch_us, timeout_us, buffer)| OrderingSpec {
                        producer: "p0".into(),
                        users,
                        partitions: (0..parts.min(qs.len())).map(qname).collect(),
                        key: [OrderKey::User, OrderKey::Order, OrderKey::Random][key as usize],
                        reorder: [Reorder::None, Reorder::Naive, Reorder::Wait][reorder as usize],
                        batch_us,
                        timeout_us,
                        buffer,
                    },
                );
                // The first producer's messages are order checks; a second
                // producer's (if any) reminders at a time of day.
                let delay = dly.map(
                    |(q, method, level, poll_us, atomic_claim, after, pay_rate)| DelaySpec {
                        queue: qname(q % qs.len()),
                        method: [
                            DelayMethod::Levels,
                            DelayMethod::Timer,
                            DelayMethod::Zset,
                            DelayMethod::TtlDlx,
                        ][method as usize],
                        due: vec![
                            ("p0".into(), Due::After(after)),
                            ("p1".into(), Due::At(after / 2)),
                        ]
                        .into_iter()
                        .filter(|(n, _)| producers.iter().any(|p: &ProducerSpec| &p.name == n))
                        .collect(),
                        level,
                        poll_us,
                        atomic_claim,
                        orders: "p0".into(),
                        pay_rate,
                        pay_mean_us: after,
                    },
                );
                // The first producer writes orders, if it publishes to a queue.
                let txn = txn.filter(|_| producers[0].target.starts_with('q')).map(
                    |(m, local_tx_us, check_back_us, crash_rate)| TxnSpec {
                        producer: producers[0].name.clone(),
                        method: [
                            TxnMethod::DbThenSend,
                            TxnMethod::SendThenDb,
                            TxnMethod::HalfMessage,
                            TxnMethod::Outbox,
                        ][m as usize],
                        local_tx_us,
                        check_back_us,
                        relay_poll_us: 200 * US_PER_MS,
                        crash_rate,
                    },
                );
                // The first producer's requests meet a gateway, if it
                // publishes to a queue.
                let seckill = seckill
                    .filter(|_| producers[0].target.starts_with('q'))
                    .map(
                        |(stock, atomic, stock_workers, redis_rtt_us, rate, limiter_on)| {
                            SeckillSpec {
                                producer: producers[0].name.clone(),
                                queue: producers[0].target.clone(),
                                stock,
                                atomic,
                                stock_workers,
                                redis_rtt_us,
                                backlog: 20,
                                limiter_rate_per_s: rate,
                                limiter_burst: 10,
                                limiter_on,
                                alert_queue_len: 50,
                                alert_success_pct: 95.0,
                                monitor_window_us: US_PER_S,
                            }
                        },
                    );
                ScenarioSpec {
                    txn,
                    seckill,
                    delay,
                    flash_sale: sale.map(|(q, stock, sold_out_flag, poll_us)| FlashSaleSpec {
                        queue: qname(q % qs.len()),
                        stock,
                        sold_out_flag,
                        poll_us,
                    }),
                    topics: Default::default(),
                    idempotence,
                    retry,
                    ordering,
                    name: "random".into(),
                    description: String::new(),
                    link_latency_us: link,
                    sample_interval_us: sample,
                    horizon_us: HORIZON_US,
                    log_routine: false,
                    log_every: 1,
                    broker: BrokerSpec {
                        restart_us: broker_restart,
                        replicas,
                        acks: [Acks::Zero, Acks::One, Acks::All][acks as usize],
                        flush: if async_flush {
                            Flush::Async
                        } else {
                            Flush::Sync
                        },
                        flush_interval_us: 300 * US_PER_MS,
                        replication_lag_us: 200 * US_PER_MS,
                    },
                    producers,
                    queues,
                    consumers,
                    services,
                }
            },
        )
}

/// A command before node names are known: `kind` picks the `Action`
/// variant, `pick` the node, `value` and `flag` its argument.
#[derive(Clone, Debug)]
struct RawCommand {
    at_us: TimeUs,
    kind: u8,
    pick: usize,
    value: u32,
    flag: bool,
}

fn raw_commands() -> impl Strategy<Value = Vec<RawCommand>> {
    prop::collection::vec(
        (
            0..3 * US_PER_S,
            0..16u8,
            0..4usize,
            0..400u32,
            any::<bool>(),
        )
            .prop_map(|(at_us, kind, pick, value, flag)| RawCommand {
                at_us,
                kind,
                pick,
                value,
                flag,
            }),
        0..16,
    )
}

/// Resolves raw commands against a spec; variants that need a node the spec
/// lacks (a consumer group or a service) become a broker crash.
fn commands(spec: &ScenarioSpec, raw: &[RawCommand]) -> Vec<Command> {
    let producer = |i: usize| spec.producers[i % spec.producers.len()].name.clone();
    let group = |i: usize| {
        (!spec.consumers.is_empty()).then(|| spec.consumers[i % spec.consumers.len()].name.clone())
    };
    let service = |i: usize| {
        (!spec.services.is_empty()).then(|| spec.services[i % spec.services.len()].name.clone())
    };
    let queue = |i: usize| spec.queues[i % spec.queues.len()].name.clone();
    let mut out: Vec<Command> = raw
        .iter()
        .map(|r| {
            let v = r.value;
            let action = match r.kind {
                0 => Some(Action::SetRate {
                    producer: producer(r.pick),
                    rate_per_s: v as f64 * 5.0,
                }),
                1 => Some(Action::Produce {
                    producer: producer(r.pick),
                    count: v,
                }),
                2 => group(r.pick).map(|group| Action::SetConsumers {
                    group,
                    count: v % 7,
                }),
                3 => group(r.pick).map(|group| Action::SetConsumersOnline {
                    group,
                    online: r.flag,
                }),
                4 => group(r.pick).map(|group| Action::SetConsumerWork {
                    group,
                    mean_us: v as u64 * 50,
                }),
                5 => service(r.pick).map(|service| Action::SetServiceCapacity {
                    service,
                    capacity_per_s: 0.5 + v as f64 * 10.0,
                }),
                6 => service(r.pick).map(|service| Action::SetServiceUp {
                    service,
                    up: r.flag,
                }),
                7 => group(r.pick).map(|group| Action::CrashConsumer { group }),
                8 => Some(Action::DropNextPublish {
                    producer: producer(r.pick),
                }),
                9 => Some(Action::DropNextConfirm {
                    producer: producer(r.pick),
                }),
                10 => group(r.pick).map(|group| Action::DeployFix { group }),
                11 => Some(Action::Redrive {
                    queue: queue(r.pick),
                }),
                12 => Some(Action::DelayNextPublish {
                    producer: producer(r.pick),
                    delay_us: v as u64 * 5_000,
                }),
                13 => spec.txn.as_ref().map(|t| {
                    let producer = t.producer.clone();
                    match v % 3 {
                        0 => Action::CrashProducerAfterDb { producer },
                        1 => Action::CrashProducerAfterSend { producer },
                        _ => Action::FailLocalTx { producer },
                    }
                }),
                14 => spec
                    .seckill
                    .as_ref()
                    .map(|_| Action::SetLimiter { on: r.flag }),
                _ => None,
            };
            Command {
                at_us: r.at_us,
                action: action.unwrap_or(Action::CrashBroker),
            }
        })
        .collect();
    // Given in time order, as a learner would (ties keep their order).
    out.sort_by_key(|c| c.at_us);
    out
}

/// Why each cause may appear: the configuration or an injected fault.
fn cause_allowed(spec: &ScenarioSpec, cmds: &[Command], cause: Cause) -> bool {
    let has = |f: &dyn Fn(&Action) -> bool| cmds.iter().any(|c| f(&c.action));
    let crash_broker = has(&|a| matches!(a, Action::CrashBroker));
    match cause {
        Cause::QueueFull => spec.queues.iter().any(|q| q.overflow == Overflow::Reject),
        Cause::QueueOverflowDropOldest => spec
            .queues
            .iter()
            .any(|q| q.overflow == Overflow::DropOldest),
        Cause::ServiceOverCapacity => !spec.services.is_empty(),
        Cause::ServiceTimeout => spec.services.iter().any(|s| s.timeout_us > 0),
        Cause::ServiceDown => {
            spec.services.iter().any(|s| !s.up)
                || has(&|a| matches!(a, Action::SetServiceUp { up: false, .. }))
        }
        Cause::BrokerDown => crash_broker,
        Cause::SoldOut => {
            spec.flash_sale.as_ref().is_some_and(|f| f.sold_out_flag) || spec.seckill.is_some()
        }
        Cause::ProducerCrashed => spec.txn.as_ref().is_some_and(|t| {
            t.method == TxnMethod::DbThenSend
                && (t.crash_rate > 0.0
                    || has(&|a| matches!(a, Action::CrashProducerAfterDb { .. })))
        }),
        Cause::TxnRolledBack => spec.txn.as_ref().is_some_and(|t| {
            has(&|a| matches!(a, Action::FailLocalTx { .. }))
                || (t.method == TxnMethod::HalfMessage
                    && (t.crash_rate > 0.0
                        || has(&|a| matches!(a, Action::CrashProducerAfterSend { .. }))))
        }),
        Cause::AutoAckConsumerCrash => {
            spec.consumers.iter().any(|c| c.ack == AckMode::Auto)
                && has(&|a| matches!(a, Action::CrashConsumer { .. }))
        }
        Cause::NoConfirmNetworkDrop => {
            // acks=0: the broker never answers, so confirms cannot work.
            (spec.producers.iter().any(|p| !p.confirm) || spec.broker.acks == Acks::Zero)
                && has(&|a| matches!(a, Action::DropNextPublish { .. }))
        }
        Cause::NotPersistentBrokerCrash => {
            spec.producers.iter().any(|p| !p.persistent) && crash_broker
        }
        Cause::AsyncFlushBrokerCrash => {
            spec.broker.flush == Flush::Async
                && spec.producers.iter().any(|p| p.persistent)
                && crash_broker
        }
        Cause::LeaderCrashBeforeCopy => {
            spec.broker.replicas > 1 && spec.broker.acks != Acks::All && crash_broker
        }
        Cause::AutoAckProcessingFailure => spec
            .consumers
            .iter()
            .any(|c| c.ack == AckMode::Auto && c.fail_rate > 0.0),
        Cause::DeadLetterQueueFull => spec.retry.as_ref().is_some_and(|r| r.dead_letter),
        Cause::RateLimited => {
            spec.seckill.as_ref().is_some_and(|k| k.limiter_on)
                || has(&|a| matches!(a, Action::SetLimiter { on: true }))
        }
        Cause::GatewayBusy => spec.seckill.is_some(),
        // Any refused call of the order service: down, or over capacity.
        Cause::OrderFailed => spec.seckill.is_some() && !spec.services.is_empty(),
        Cause::DedupeKeyBeforeCrash => {
            spec.idempotence.as_ref().is_some_and(|i| {
                i.strategy == IdempotenceStrategy::Dedupe && i.mark == DedupeMark::Before
            }) && has(&|a| matches!(a, Action::CrashConsumer { .. }))
        }
    }
}

/// The public view of the ledger adds up, and every cause is explained.
fn check_counts(sim: &Sim, spec: &ScenarioSpec, cmds: &[Command]) -> Result<(), String> {
    let l = sim.ledger();
    let sum: u64 = l.by_state.values().sum();
    if sum != l.total {
        return Err(format!("total {} != sum of states {sum}", l.total));
    }
    if l.by_state.len() != MsgState::ALL.len() {
        return Err("by_state misses a state".into());
    }
    let by_cause = |m: &mqlab_engine::vec_map::VecMap<Cause, u64>| m.values().sum::<u64>();
    if by_cause(&l.rejected_by_cause) != l.count(MsgState::Rejected) {
        return Err(format!("rejections without a cause: {l:?}"));
    }
    if by_cause(&l.lost_by_cause) != l.count(MsgState::Lost) {
        return Err(format!("losses without a cause: {l:?}"));
    }
    for (cause, n) in &l.rejected_by_cause {
        if cause.terminal_state() != MsgState::Rejected || *n == 0 {
            return Err(format!("{cause:?} counted as a rejection ({n})"));
        }
    }
    for (cause, n) in &l.lost_by_cause {
        if cause.terminal_state() != MsgState::Lost || *n == 0 {
            return Err(format!("{cause:?} counted as a loss ({n})"));
        }
    }
    for cause in l.rejected_by_cause.keys().chain(l.lost_by_cause.keys()) {
        if !cause_allowed(spec, cmds, *cause) {
            return Err(format!("{cause:?} happened but nothing allows it"));
        }
    }
    // Every message is a producer's first send, a re-sent duplicate or a
    // network duplicate.
    let snap = sim.snapshot();
    let produced: u64 = snap
        .producers
        .iter()
        .map(|p| p.produced + p.duplicates)
        .sum::<u64>()
        + snap.idempotence.as_ref().map_or(0, |i| i.network_copies);
    if produced != l.total {
        return Err(format!(
            "producers sent {produced} but the ledger has {}",
            l.total
        ));
    }
    Ok(())
}

fn run_case(spec: &ScenarioSpec, seed: u64, cmds: &[Command]) -> Result<Sim, String> {
    let mut sim = Sim::new(spec, seed).map_err(|e| format!("spec refused: {e}"))?;
    for c in cmds {
        sim.schedule(c.clone())
            .map_err(|e| format!("command refused: {e}"))?;
    }
    let mut n = 0u64;
    while let Some(t) = sim.next_event_time() {
        if t > HORIZON_US || n >= MAX_EVENTS {
            break;
        }
        sim.step();
        n += 1;
        if n.is_multiple_of(CHECK_EVERY) {
            check_full(&sim).map_err(|e| format!("after {n} events at {}µs: {e}", sim.now()))?;
            check_counts(&sim, spec, cmds).map_err(|e| format!("at {}µs: {e}", sim.now()))?;
        }
    }
    check_full(&sim).map_err(|e| format!("at the end: {e}"))?;
    check_counts(&sim, spec, cmds).map_err(|e| format!("at the end: {e}"))?;
    Ok(sim)
}

proptest! {
    // Cases are cheap (a few ms each). On failure proptest prints the
    // shrunk spec, commands and seed; nothing is written to disk.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_message_is_accounted_for(
        spec in spec(),
        raw in raw_commands(),
        seed in any::<u64>(),
    ) {
        let cmds = commands(&spec, &raw);
        let sim = run_case(&spec, seed, &cmds).map_err(TestCaseError::fail)?;
        // Everything the learner gave is in the input log, in order.
        prop_assert_eq!(sim.input_log(), &cmds[..]);
    }

    /// With no faults, no overflow and services that always answer, a
    /// drained run loses nothing and rejects nothing.
    #[test]
    fn nothing_is_lost_without_a_reason(
        spec in spec(),
        seed in any::<u64>(),
    ) {
        let mut spec = spec;
        for q in &mut spec.queues {
            q.capacity = MAX_QUEUE_CAPACITY;
        }
        for s in &mut spec.services {
            s.up = true;
            s.backlog = 100_000;
            s.timeout_us = 0;
        }
        for p in &mut spec.producers {
            p.limit = Some(p.limit.unwrap_or(500).min(500));
        }
        // A full dead-letter queue drops (a loss of its own).
        if let Some(r) = &mut spec.retry {
            r.dlq_capacity = MAX_QUEUE_CAPACITY;
        }
        // A processing failure under auto-ack is a fault of its own.
        for c in &mut spec.consumers {
            if c.ack == AckMode::Auto {
                c.fail_rate = 0.0;
            }
        }
        // A sold-out flag answers "sold out": a rejection by design.
        if let Some(f) = &mut spec.flash_sale {
            f.sold_out_flag = false;
        }
        // A crashing producer is a fault of its own.
        if let Some(t) = &mut spec.txn {
            t.crash_rate = 0.0;
        }
        // A gateway refuses by design (the limiter, sold out, busy): give
        // it stock for everyone, no limit and room to wait.
        if let Some(k) = &mut spec.seckill {
            k.stock = MAX_QUEUE_CAPACITY;
            k.limiter_on = false;
            k.backlog = MAX_QUEUE_CAPACITY as u32;
        }
        let sim = run_case(&spec, seed, &[]).map_err(TestCaseError::fail)?;
        let l = sim.ledger();
        prop_assert_eq!(l.count(MsgState::Lost), 0, "{:?}", l);
        prop_assert_eq!(l.count(MsgState::Rejected), 0, "{:?}", l);
    }
}

/// The checks above can fail: a ledger with a loss the configuration does
/// not allow is reported.
#[test]
fn the_cause_check_catches_an_unexplained_loss() {
    let spec = ScenarioSpec {
        topics: Default::default(),
        idempotence: None,
        retry: None,
        ordering: None,
        delay: None,
        flash_sale: None,
        txn: None,
        seckill: None,
        name: "t".into(),
        description: String::new(),
        link_latency_us: US_PER_MS,
        sample_interval_us: 100 * US_PER_MS,
        horizon_us: HORIZON_US,
        log_routine: false,
        log_every: 1,
        broker: BrokerSpec::default(),
        producers: vec![ProducerSpec {
            name: "p".into(),
            rate: RateShape::Manual,
            target: "q".into(),
            confirm: false,
            persistent: false,
            limit: None,
            retry_us: US_PER_MS,
        }],
        queues: vec![QueueSpec {
            retain_acked: Default::default(),
            pacing: Default::default(),
            name: "q".into(),
            capacity: 10,
            overflow: Overflow::Reject,
        }],
        consumers: vec![],
        services: vec![],
    };
    let produce = Command {
        at_us: 0,
        action: Action::Produce {
            producer: "p".into(),
            count: 3,
        },
    };
    let drop = Command {
        at_us: 0,
        action: Action::DropNextPublish {
            producer: "p".into(),
        },
    };
    // Dropped without confirm: allowed because the fault was injected.
    let cmds = vec![drop.clone(), produce.clone()];
    let sim = run_case(&spec, 1, &cmds).unwrap();
    assert_eq!(
        sim.ledger().lost_by_cause.get(&Cause::NoConfirmNetworkDrop),
        Some(&1)
    );
    assert_eq!(sim.ledger().count(MsgState::Queued), 2);
    // The same ledger judged against an input log without the fault fails.
    let err = check_counts(&sim, &spec, &[produce]).unwrap_err();
    assert!(err.contains("NoConfirmNetworkDrop"), "{err}");
    // With confirms the drop is noticed and the message re-sent.
    let mut confirmed = spec.clone();
    confirmed.producers[0].confirm = true;
    let sim = run_case(&confirmed, 1, &cmds).unwrap();
    assert_eq!(sim.ledger().count(MsgState::Lost), 0);
    assert_eq!(sim.ledger().count(MsgState::Queued), 3);
}
