//! Runs a script on mqlab's engine: the script's queues and consumers
//! become a `ScenarioSpec`, its steps become the same commands a learner
//! gives (produce, crash a consumer, deploy a fix, redrive), and the
//! outcome is read from the engine's event log and queues.
//!
//! One script consumer is one engine consumer group of one member, all on
//! the queue they name (the engine round-robins over every member of every
//! group reading a queue). A consumer's `then` is the queue's retry
//! policy: every message fails (`poison_rate` 1) until the fix is deployed
//! at `until`; `nack-requeue` puts it back at the head at once (backoff
//! none), `reject` dead-letters it after its first delivery, and on a
//! quorum queue `delivery_limit` is `max_retries`.

use mqlab_engine::model::expiry::HeadExpiryQueue;
use mqlab_engine::render::LogKind;
use mqlab_engine::rng::Dist;
use mqlab_engine::scenarios::kit;
use mqlab_engine::spec::{AckMode, Backoff, Overflow as EngineOverflow, RetrySpec, ScenarioSpec};
use mqlab_engine::{Action as EngineAction, Cause, Command, Sim};

use crate::outcome::{Fate, Recorder};
use crate::redis_cmd::{line, EngineRedis};
use crate::script::{Ack, Action, Broker, Overflow, Script, Then, TICK_US};

/// One network hop in the engine runs (small against a tick).
pub const HOP_US: u64 = 1_000;

fn producer_name(queue: &str, persistent: bool) -> String {
    if persistent {
        format!("pub-{queue}")
    } else {
        format!("pub-{queue}-transient")
    }
}

/// The engine scenario for a script, and the commands of its steps.
pub fn translate(s: &Script) -> Result<(ScenarioSpec, Vec<Command>), String> {
    let mut spec = kit::spec("fidelity", &s.name, HOP_US);
    spec.horizon_us = (s.run_ticks + 1) * TICK_US;
    // Stored with a sync flush; back one tick after a crash.
    spec.broker.restart_us = TICK_US;
    for q in &s.queues {
        if s.is_dead_letter_queue(&q.name) {
            continue; // the engine's dead-letter queue belongs to the retry policy
        }
        let mut spec_q = kit::queue(&q.name, q.max_length.unwrap_or(1_000_000));
        spec_q.overflow = match q.overflow {
            Overflow::DropHead => EngineOverflow::DropOldest,
            Overflow::RejectPublish => EngineOverflow::Reject,
        };
        spec.queues.push(spec_q);
    }
    let mut commands = Vec::new();
    for c in &s.consumers {
        if s.is_dead_letter_queue(&c.queue) {
            return Err(format!(
                "consumer {}: the engine's dead-letter queue has no consumers (it is read at the end)",
                c.name
            ));
        }
        let mut g = kit::consumers(&c.name, &c.queue, 1, 1, c.work_ticks * TICK_US);
        g.service_time = Dist::Fixed {
            us: c.work_ticks * TICK_US,
        };
        g.ack = match c.ack {
            Ack::Manual => AckMode::Manual,
            Ack::Auto => AckMode::Auto,
        };
        g.prefetch = Some(c.prefetch);
        g.restart_us = c.restart_ticks * TICK_US;
        spec.consumers.push(g);
        if c.then == Then::Ack {
            continue;
        }
        let q = s.queue(&c.queue).expect("parsed");
        let (max_retries, dead_letter) = match (c.then, q.delivery_limit) {
            (Then::Reject, _) => (0, true),
            (_, Some(limit)) => (limit, q.dlx.is_some()),
            _ => (1_000, false),
        };
        if let Some(r) = &spec.retry {
            if r.queue != c.queue || r.max_retries != max_retries {
                return Err("the engine has one retry policy: every failing consumer must be on one queue and fail the same way".into());
            }
        }
        spec.retry = Some(RetrySpec {
            queue: c.queue.clone(),
            poison_rate: 1.0,
            transient_rate: 0.0,
            max_retries,
            backoff: Backoff::None,
            backoff_us: TICK_US,
            backoff_max_us: TICK_US,
            dead_letter,
            dlq_capacity: 10_000,
        });
        if let Some(t) = c.until_tick {
            commands.push(Command {
                at_us: t * TICK_US,
                action: EngineAction::DeployFix {
                    group: c.name.clone(),
                },
            });
        }
    }
    for consumer_queue in s.consumers.iter().map(|c| &c.queue) {
        let failing = s.consumers.iter().filter(|c| &c.queue == consumer_queue);
        if failing.clone().any(|c| c.then == Then::Ack)
            && failing.clone().any(|c| c.then != Then::Ack)
        {
            return Err(format!(
                "queue {consumer_queue}: the engine's retry policy belongs to the queue, so all its consumers must fail alike"
            ));
        }
    }
    let mut producers: Vec<String> = Vec::new();
    for st in &s.steps {
        let at_us = st.tick * TICK_US;
        let action = match &st.action {
            Action::Publish {
                queue,
                count,
                persistent,
                ..
            } => {
                let name = producer_name(queue, *persistent);
                if !producers.contains(&name) {
                    let mut p = kit::producer(&name, queue, 0.0, 0);
                    p.persistent = *persistent;
                    p.confirm = true;
                    spec.producers.push(p);
                    producers.push(name.clone());
                }
                EngineAction::Produce {
                    producer: name,
                    count: *count,
                }
            }
            Action::Crash { consumer } => EngineAction::CrashConsumer {
                group: consumer.clone(),
            },
            Action::RestartBroker => EngineAction::CrashBroker,
            Action::Count { .. } => return Err("count: only in ttl scripts".into()),
            Action::Redis(_) => return Err("a Redis step in a RabbitMQ script".into()),
            Action::Redrive { from, to } => {
                if !s.is_dead_letter_queue(from) {
                    return Err(format!(
                        "redrive {from} {to}: {from} is not a dead-letter queue"
                    ));
                }
                EngineAction::Redrive { queue: to.clone() }
            }
        };
        commands.push(Command { at_us, action });
    }
    commands.sort_by_key(|c| c.at_us);
    Ok((spec, commands))
}

/// A Redis script on the engine's key store (`model::dedupe::TtlStore`,
/// the idempotence demo's `SET processed:<id> NX EX ttl`).
fn run_redis(s: &Script) -> Result<Vec<String>, String> {
    let mut redis = EngineRedis::default();
    s.steps
        .iter()
        .map(|st| match &st.action {
            Action::Redis(cmd) => Ok(line(
                st.tick,
                st.client.as_deref(),
                cmd,
                &redis.apply(st.tick, cmd),
            )),
            _ => Err("a RabbitMQ step in a Redis script".to_string()),
        })
        .collect()
}

/// A script with per-message TTLs on `model::expiry` (no consumers):
/// before each step, every queue expires from its head up to that moment
/// (the engine runs its own events before a command at the same time).
fn run_ttl(s: &Script) -> Result<Vec<String>, String> {
    let mut queues: Vec<HeadExpiryQueue> = vec![HeadExpiryQueue::default(); s.queues.len()];
    let mut rec = Recorder::default();
    let mut published = 0u32;
    let expire_all = |queues: &mut Vec<HeadExpiryQueue>, now: u64| {
        for (qi, q) in s.queues.iter().enumerate() {
            let gone = queues[qi].expire(now);
            let Some(dlx) = &q.dlx else { continue };
            let d = s
                .queues
                .iter()
                .position(|x| &x.name == dlx)
                .expect("parsed");
            for id in gone {
                queues[d].push(id, now, u64::MAX);
            }
        }
    };
    for st in &s.steps {
        let now = st.tick * TICK_US;
        expire_all(&mut queues, now);
        let qi = |name: &str| {
            s.queues
                .iter()
                .position(|q| q.name == name)
                .expect("parsed")
        };
        match &st.action {
            Action::Publish {
                queue,
                count,
                ttl_ticks,
                ..
            } => {
                for _ in 0..*count {
                    published += 1;
                    rec.published(published);
                    let ttl = ttl_ticks.map_or(u64::MAX, |t| t * TICK_US);
                    queues[qi(queue)].push(u64::from(published), now, ttl);
                }
            }
            Action::Count { queue } => rec.note(format!(
                "t={} count {queue} -> {}",
                st.tick,
                queues[qi(queue)].len()
            )),
            _ => return Err("ttl scripts have only publish and count steps".into()),
        }
    }
    expire_all(&mut queues, s.run_ticks * TICK_US);
    for (qi, q) in s.queues.iter().enumerate() {
        for (pos, id) in queues[qi].ids().enumerate() {
            let fate = if s.is_dead_letter_queue(&q.name) {
                Fate::DeadLettered(1)
            } else {
                Fate::Queued(q.name.clone(), pos + 1)
            };
            rec.fate(id as u32, fate);
        }
    }
    Ok(rec.lines())
}

/// Runs the script on the engine and returns its outcome lines.
pub fn run(s: &Script) -> Result<Vec<String>, String> {
    if s.broker == Broker::Redis {
        return run_redis(s);
    }
    if s.has_ttl() {
        return run_ttl(s);
    }
    let (spec, commands) = translate(s)?;
    let mut sim = Sim::new(&spec, 1).map_err(|e| format!("engine spec: {}", e.0))?;
    for c in commands {
        sim.schedule(c)?;
    }
    let end = s.run_ticks * TICK_US;
    let mut rec = Recorder::default();
    // Engine message ids, in the order they were produced: m1, m2, ...
    let mut ids: Vec<u64> = Vec::new();
    let mut seen = sim.log().written();
    while sim.next_event_time().is_some_and(|t| t <= end) {
        sim.step();
        let written = sim.log().written();
        let fresh = (written - seen) as usize;
        if fresh > mqlab_engine::sim::LOG_RING {
            return Err("the engine's event log overflowed between two steps".into());
        }
        seen = written;
        let entries: Vec<_> = sim.log().entries().rev().take(fresh).cloned().collect();
        for e in entries.into_iter().rev() {
            let Some(id) = e.msg_id else { continue };
            let m = match ids.iter().position(|x| *x == id) {
                Some(i) => i as u32 + 1,
                None if matches!(e.kind, LogKind::Produced { .. }) => {
                    ids.push(id);
                    rec.published(ids.len() as u32);
                    ids.len() as u32
                }
                None => {
                    return Err(format!(
                        "the engine logged message {id} before producing it"
                    ))
                }
            };
            let name = |n: u16| sim.nodes()[n as usize].name.clone();
            match e.kind {
                LogKind::Delivered {
                    group, redelivered, ..
                } => {
                    let again = redelivered;
                    let consumer = name(group);
                    let index = s
                        .consumers
                        .iter()
                        .position(|c| c.name == consumer)
                        .unwrap_or(0);
                    rec.delivered(index, &consumer, m, again, e.t_us);
                }
                LogKind::Done { node, .. } => rec.fate(m, Fate::AckedBy(name(node))),
                LogKind::Lost { cause, .. } | LogKind::Rejected { cause, .. } => rec.fate(
                    m,
                    match cause {
                        Cause::QueueOverflowDropOldest => Fate::Dropped,
                        Cause::QueueFull => Fate::Refused,
                        _ => Fate::Lost,
                    },
                ),
                _ => {}
            }
        }
    }
    let index = |id: u64| ids.iter().position(|x| *x == id).map(|i| i as u32 + 1);
    for q in &spec.queues {
        let in_queue = sim.queue_message_ids(&q.name).unwrap_or_default();
        for (pos, id) in in_queue.into_iter().enumerate() {
            if let Some(m) = index(id) {
                rec.fate(m, Fate::Queued(q.name.clone(), pos + 1));
            }
        }
    }
    for (id, deaths) in sim.dead_letters() {
        if let Some(m) = index(id) {
            rec.fate(m, Fate::DeadLettered(deaths));
        }
    }
    Ok(rec.lines())
}
