//! The simulation: one event loop driving the model's capabilities.
//!
//! Public surface: build from a [`ScenarioSpec`] and a seed, feed learner
//! [`Command`]s, advance time, read [`Snapshot`](crate::render::Snapshot)s,
//! movements and the log.
//!
//! This file keeps the loop and the wiring: the [`Ev`] vocabulary (whose
//! codes are part of the trace hash), building the nodes from the spec,
//! routing each event and command to the capability that owns it, and the
//! shared plumbing every capability uses (scheduling, the ledger, the event
//! log, movements). The behaviour lives in `model/`: `publish` (producer →
//! broker), `topic` (fan-out), `broker` (storage, crash, pacing, replay),
//! `replication` (leader, followers, acks, failover),
//! `delivery` (queue → consumers, acks, consumer crashes), `dedupe`
//! (duplicates, a consumer's effect, unique keys and dedupe keys with a
//! TTL), `retry` (delivery counts, backoff, the dead-letter queue,
//! redrive), `ordering` (per-user steps, partitions by key, re-ordering by
//! sequence number), `delay` (due times: delay levels, a timer, a polled
//! sorted set, TTL at the head), `flash_sale` (a sold-out flag at the gate,
//! stock taken per request) and `calls` (synchronous services and call
//! chains).

use crate::command::{Action, Command};
use crate::event::EventQueue;
use crate::ledger::{Cause, Ledger, LedgerCounts, MsgState};
use crate::metrics::{Histogram, RunStats, Series, Totals};
use crate::model::broker::Broker;
use crate::model::calls::Calls;
use crate::model::consumer::ConsumerGroup;
use crate::model::dedupe::Idempotence;
use crate::model::delay::Delay;
use crate::model::delivery::Delivery;
use crate::model::flash_sale::FlashSale;
use crate::model::ordering::Ordering;
use crate::model::producer::Producer;
use crate::model::publish::Publishing;
use crate::model::queue::Queue;
use crate::model::replication::Replication;
use crate::model::retry::Retry;
use crate::model::seckill::Seckill;
use crate::model::service::{Caller, Service};
use crate::model::topic::{Fanout, Topic};
use crate::model::txn::{Txn, TxnFault};
use crate::model::{Handle, Target};
use crate::render::*;
use crate::spec::{Acks, ScenarioSpec, SpecError, MAX_CONSUMERS, MAX_RATE_PER_S};
use crate::time::{TimeUs, MAX_DURATION_US, US_PER_S};
use crate::trace::TraceHasher;

/// Capacity of the movement ring (what the UI can animate at once).
pub const MOVE_RING: usize = 4096;
/// Capacity of the event-log ring.
pub const LOG_RING: usize = 256;
/// Points kept in the downsampled time series.
pub const SERIES_POINTS: usize = 600;
/// Most messages one `produce` command may create.
pub const MAX_PRODUCE_PER_COMMAND: u32 = 100_000;

/// Everything that can happen, one variant per kind of event, grouped by
/// the capability that handles it. One flat enum (32 bytes) rather than one
/// per module: the event slab stays small, and `code()` — hashed into the
/// trace — stays in one place.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ev {
    // publish: producer → broker
    ProducerTick {
        p: u16,
        epoch: u32,
        send: bool,
    },
    PublishArrive {
        p: u16,
        msg: Handle,
    },
    PublishRetry {
        p: u16,
        msg: Handle,
    },
    /// A message a service published reaches the broker.
    RouteArrive {
        target: Target,
        msg: Handle,
    },
    // delivery: queue → consumers
    DeliverArrive {
        g: u16,
        member: u16,
        epoch: u32,
        msg: Handle,
    },
    WorkDone {
        g: u16,
        member: u16,
        epoch: u32,
        msg: Handle,
    },
    ConsumerRestart {
        g: u16,
        member: u16,
    },
    // calls: synchronous services
    CallArrive {
        s: u16,
        msg: Handle,
        caller: Caller,
    },
    ServiceDone {
        s: u16,
        msg: Handle,
        caller: Caller,
    },
    ServiceTimeout {
        s: u16,
        token: u64,
    },
    ReplyArrive {
        s: u16,
        msg: Handle,
        caller: Caller,
        refused: Option<Cause>,
    },
    CallRetry {
        g: u16,
        member: u16,
        epoch: u32,
        msg: Handle,
    },
    // broker
    BrokerRestart,
    /// A paced queue's head message becomes deliverable.
    QueueReady {
        q: u16,
    },
    /// A crashed replica is back, as a follower.
    ReplicaRestart {
        r: u8,
    },
    // publish, continued
    /// Producer `p` never got the confirm of a stored message (of order
    /// `origin`) and sends it again.
    ConfirmLost {
        p: u16,
        origin: u64,
    },
    // dedupe: duplicates and a watched consumer's effect
    /// Halfway through a watched consumer's work: the effect is written.
    EffectWrite {
        g: u16,
        member: u16,
        epoch: u32,
        msg: Handle,
    },
    /// A network duplicate of a stored message sets off to the broker.
    DuplicateSent {
        p: u16,
        msg: Handle,
    },
    /// A network duplicate reaches the broker.
    DuplicateArrive {
        p: u16,
        msg: Handle,
    },
    // retry: backoff and the dead-letter queue
    /// A failed message's backoff is over: back to the tail of queue `q`.
    RetryDue {
        q: u16,
        msg: Handle,
    },
    // ordering: the re-ordering buffer
    /// `naive`: time to sort and apply what the buffer holds.
    ReorderFlush,
    /// `wait`: a user's steps have waited long enough for a missing one
    /// (ignored unless `token` is the user's running timer).
    ReorderTimeout {
        user: u32,
        token: u32,
    },
    // delay: the pollers of a sorted set
    /// The pollers read delaying queue `q`'s due members.
    DelayPoll {
        q: u16,
    },
    // txn: an order and its message
    /// A timer of order `msg` (its local transaction, its half message).
    Txn {
        msg: Handle,
        timer: crate::model::txn::TxnTimer,
    },
    /// The outbox relay reads the outbox table.
    RelayPoll,
    // seckill: the gateway's stock workers
    /// Stock worker `worker`'s Redis round trip ends (its `DECR`, or the
    /// script's answer).
    StockStep {
        worker: u16,
    },
    // the loop itself
    Command(u32),
    Sample,
}

impl Ev {
    /// A stable number per kind, hashed into the trace (golden hashes
    /// depend on these values: never renumber, only add).
    fn code(&self) -> u64 {
        match self {
            Ev::ProducerTick { .. } => 1,
            Ev::PublishArrive { .. } => 2,
            Ev::PublishRetry { .. } => 3,
            Ev::DeliverArrive { .. } => 4,
            Ev::WorkDone { .. } => 5,
            Ev::CallArrive { .. } => 6,
            Ev::ServiceDone { .. } => 7,
            Ev::ServiceTimeout { .. } => 8,
            Ev::ReplyArrive { .. } => 9,
            Ev::CallRetry { .. } => 10,
            Ev::ConsumerRestart { .. } => 11,
            Ev::BrokerRestart => 12,
            Ev::Command(_) => 13,
            Ev::Sample => 14,
            Ev::RouteArrive { .. } => 15,
            Ev::QueueReady { .. } => 16,
            Ev::ReplicaRestart { .. } => 17,
            Ev::ConfirmLost { .. } => 18,
            Ev::EffectWrite { .. } => 19,
            Ev::DuplicateSent { .. } => 20,
            Ev::DuplicateArrive { .. } => 21,
            Ev::ReorderFlush => 22,
            Ev::ReorderTimeout { .. } => 23,
            Ev::RetryDue { .. } => 25,
            Ev::DelayPoll { .. } => 26,
            Ev::Txn { .. } => 27,
            Ev::RelayPoll => 28,
            Ev::StockStep { .. } => 29,
        }
    }
}

/// A command with node names resolved to indices.
#[derive(Clone, Debug)]
enum Resolved {
    SetRate(u16, f64),
    Produce(u16, u32),
    SetConsumers(u16, u32),
    SetConsumersOnline(u16, bool),
    SetConsumerWork(u16, TimeUs),
    SetServiceCapacity(u16, f64),
    SetServiceUp(u16, bool),
    CrashConsumer(u16),
    DropNextPublish(u16),
    DropNextConfirm(u16),
    DelayNextPublish(u16, TimeUs),
    CrashBroker,
    Subscribe(u16, u16),
    Unsubscribe(u16, u16),
    SetSubscribers(u16, u32),
    Replay(u16, u32),
    DeployFix(u16),
    Redrive(u16),
    TxnFault(crate::model::txn::TxnFault),
    SetLimiter(bool),
}

/// Cloning a `Sim` is a checkpoint: the clone continues exactly as the
/// original would (the UI's rewind restores from these).
#[derive(Clone)]
pub struct Sim {
    /// Read-only after construction: shared, so that a checkpoint (a clone)
    /// copies a pointer rather than every name and setting.
    pub(crate) spec: std::sync::Arc<ScenarioSpec>,
    seed: u64,
    pub(crate) now: TimeUs,
    events: EventQueue<Ev>,
    /// Learner commands waiting for their time, by (time, order given).
    /// Kept apart from `events` so that a command fires at the same point
    /// whether it was given live or replayed from the input log: after the
    /// simulation's own events at its time, before anything later.
    commands: EventQueue<u32>,
    /// Pending events and commands other than the periodic sample.
    pending_real: u64,
    processed_events: u64,
    last_was_real: bool,
    /// When the latest event other than a periodic sample happened.
    last_real_us: Option<TimeUs>,
    /// The live rates' window plus one sample interval: after this long
    /// without events, no sample in any rate's window counts an event.
    rate_window_us: TimeUs,
    pub(crate) ledger: Ledger,
    pub(crate) trace: TraceHasher,
    // The capabilities, each with its own state (see `model/`).
    pub(crate) publish: Publishing,
    pub(crate) fanout: Fanout,
    pub(crate) broker: Broker,
    pub(crate) replication: Replication,
    pub(crate) delivery: Delivery,
    pub(crate) idempotence: Idempotence,
    pub(crate) retry: Retry,
    pub(crate) ordering: Ordering,
    pub(crate) delay: Delay,
    pub(crate) sale: FlashSale,
    pub(crate) txn: Txn,
    pub(crate) seckill: Seckill,
    pub(crate) calls: Calls,
    pub(crate) stats: RunStats,
    pub(crate) nodes: Vec<NodeView>,
    moves: MoveLog,
    log: EventLog,
    input_log: Vec<Command>,
    resolved: Vec<Resolved>,
}

impl Sim {
    /// Builds a simulation; the spec is validated first.
    ///
    /// Not in the browser: there every spec comes from a built-in
    /// scenario's builder, with parameters clamped to their ranges, and the
    /// native test `every_builtin_builds_a_valid_spec_at_defaults_and_extremes`
    /// validates each builder at every choice and at each range's ends.
    /// The checks and their messages cost the bundle ~3 KB gzip for nothing
    /// a learner can reach; scenario files (CLI) are still validated.
    pub fn new(spec: &ScenarioSpec, seed: u64) -> Result<Sim, SpecError> {
        Sim::from_spec(spec.clone(), seed)
    }

    /// [`Sim::new`] taking the spec itself: the browser builds a fresh spec
    /// for every run, and no copy of it is made (nor its code shipped).
    pub fn from_spec(spec: ScenarioSpec, seed: u64) -> Result<Sim, SpecError> {
        let shared = std::sync::Arc::new(spec);
        let spec: &ScenarioSpec = &shared;
        #[cfg(not(target_arch = "wasm32"))]
        spec.validate()?;
        let mut nodes = Vec::new();
        let mut add = |name: &str, kind| {
            let id = nodes.len() as NodeId;
            nodes.push(NodeView {
                id,
                name: name.to_string(),
                kind,
            });
            id
        };
        for p in &spec.producers {
            add(&p.name, NodeKind::Producer);
        }
        for q in &spec.queues {
            add(&q.name, NodeKind::Queue);
        }
        for c in &spec.consumers {
            add(&c.name, NodeKind::Consumers);
        }
        for s in &spec.services {
            add(&s.name, NodeKind::Service);
        }
        for t in &spec.topics {
            add(&t.name, NodeKind::Topic);
        }
        let queue_idx = |n: &str| spec.queues.iter().position(|q| q.name == n);
        let service_idx = |n: &str| spec.services.iter().position(|s| s.name == n);
        let topic_idx = |n: &str| spec.topics.iter().position(|t| t.name == n);
        let target_of = |n: &str| match (queue_idx(n), topic_idx(n)) {
            (Some(q), _) => Some(Target::Queue(q as u16)),
            (None, Some(t)) => Some(Target::Topic(t as u16)),
            _ => None,
        };

        let mut producers: Vec<Producer> = spec
            .producers
            .iter()
            .map(|p| match target_of(&p.target) {
                Some(Target::Queue(q)) => Producer::new(p, true, q),
                Some(Target::Topic(t)) => {
                    let mut prod = Producer::new(p, true, t);
                    prod.target_is_topic = true;
                    prod
                }
                None => Producer::new(p, false, service_idx(&p.target).unwrap_or(0) as u16),
            })
            .collect();
        if spec.broker.acks == Acks::Zero {
            // acks=0: the broker never answers, so no confirm can arrive.
            for p in &mut producers {
                p.confirm = false;
            }
        }
        let mut queues: Vec<Queue> = spec.queues.iter().map(Queue::new).collect();
        let groups: Vec<ConsumerGroup> = spec
            .consumers
            .iter()
            .map(|c| {
                let q = queue_idx(&c.queue).unwrap_or(0) as u16;
                let calls = c.calls.as_deref().and_then(service_idx).map(|s| s as u16);
                ConsumerGroup::new(c, q, calls)
            })
            .collect();
        for (gi, g) in groups.iter().enumerate() {
            queues[g.queue as usize].readers.push(gi as u16);
        }
        let services: Vec<Service> = spec
            .services
            .iter()
            .map(|s| {
                let mut svc = Service::new(s);
                svc.then_calls = s
                    .then_calls
                    .as_deref()
                    .and_then(service_idx)
                    .map(|i| i as u16);
                svc.publishes = s.publishes.as_deref().and_then(target_of);
                svc
            })
            .collect();
        let topics: Vec<Topic> = spec
            .topics
            .iter()
            .map(|t| {
                let resolve = |names: &[String]| {
                    names
                        .iter()
                        .filter_map(|n| queue_idx(n))
                        .map(|q| q as u16)
                        .collect()
                };
                Topic::new(t, resolve(&t.subscriptions), resolve(&t.standby))
            })
            .collect();
        let window = (US_PER_S / spec.sample_interval_us).max(1) as usize;
        let watched = spec.idempotence.as_ref();
        let watched_group = watched
            .and_then(|i| spec.consumers.iter().position(|c| c.name == i.consumer))
            .map(|g| g as u16);
        let retry_spec = spec.retry.as_ref();
        let retry_queue = retry_spec
            .and_then(|r| queue_idx(&r.queue))
            .map(|q| q as u16);

        let ordered = spec.ordering.as_ref().map(|o| {
            let p = spec.producers.iter().position(|x| x.name == o.producer);
            let parts = o.partitions.iter().filter_map(|n| queue_idx(n));
            (o, p.unwrap_or(0) as u16, parts.map(|q| q as u16).collect())
        });

        let delay_spec = spec.delay.as_ref();
        let producer_idx = |n: &str| spec.producers.iter().position(|p| p.name == n);
        let delay = Delay::new(
            delay_spec,
            delay_spec
                .and_then(|d| queue_idx(&d.queue))
                .map(|q| q as u16),
            delay_spec
                .and_then(|d| producer_idx(&d.orders))
                .unwrap_or(0) as u16,
            spec.producers
                .iter()
                .map(|p| {
                    delay_spec
                        .and_then(|d| d.due.iter().find(|(n, _)| *n == p.name))
                        .map_or(crate::spec::Due::After(0), |(_, due)| *due)
                })
                .collect(),
            seed,
        );

        let mut sim = Sim {
            spec: std::sync::Arc::clone(&shared),
            seed,
            now: 0,
            events: EventQueue::default(),
            commands: EventQueue::default(),
            pending_real: 0,
            processed_events: 0,
            last_was_real: false,
            last_real_us: None,
            rate_window_us: (window as TimeUs + 1) * spec.sample_interval_us,
            ledger: Ledger::default(),
            trace: TraceHasher::default(),
            publish: Publishing::new(producers, seed),
            fanout: Fanout::new(topics),
            broker: Broker::new(queues, seed, spec.broker.restart_us),
            replication: Replication::new(&spec.broker),
            delivery: Delivery::new(groups, seed),
            idempotence: Idempotence::new(watched, watched_group, seed),
            retry: Retry::new(retry_spec, retry_queue, seed),
            ordering: Ordering::new(ordered, seed),
            delay,
            sale: FlashSale::new(
                spec.flash_sale.as_ref(),
                spec.flash_sale
                    .as_ref()
                    .and_then(|f| queue_idx(&f.queue))
                    .map(|q| q as u16),
            ),
            txn: Txn::new(
                spec.txn.as_ref(),
                spec.txn
                    .as_ref()
                    .and_then(|t| producer_idx(&t.producer))
                    .map(|p| p as u16),
                seed,
            ),
            seckill: Seckill::new(
                spec.seckill.as_ref(),
                spec.seckill
                    .as_ref()
                    .and_then(|k| producer_idx(&k.producer))
                    .map(|p| p as u16),
                spec.seckill
                    .as_ref()
                    .and_then(|k| queue_idx(&k.queue))
                    .map(|q| q as u16),
                spec.sample_interval_us,
            ),
            calls: Calls::new(services),
            stats: RunStats::new(
                window,
                (crate::metrics::RECENT_WINDOW_US / spec.sample_interval_us).max(1) as usize,
                SERIES_POINTS,
            ),
            nodes,
            moves: MoveLog::new(MOVE_RING),
            log: EventLog::new(LOG_RING),
            input_log: Vec::new(),
            resolved: Vec::new(),
        };
        sim.trace.word(seed);
        for p in 0..sim.publish.producers.len() {
            sim.plan_producer(p as u16);
        }
        sim.events.push(0, Ev::Sample);
        Ok(sim)
    }

    // ----- public API ---------------------------------------------------

    pub fn now(&self) -> TimeUs {
        self.now
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn spec(&self) -> &ScenarioSpec {
        &self.spec
    }

    pub fn nodes(&self) -> &[NodeView] {
        &self.nodes
    }

    /// Finds a node by name.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().find(|n| n.name == name).map(|n| n.id)
    }

    /// Events processed so far (including periodic samples).
    pub fn events_processed(&self) -> u64 {
        self.processed_events
    }

    pub fn trace_hash(&self) -> String {
        self.trace.hex()
    }

    pub fn input_log(&self) -> &[Command] {
        &self.input_log
    }

    pub fn ledger(&self) -> LedgerCounts {
        self.ledger.counts()
    }

    /// True when nothing but periodic sampling is left to happen.
    pub fn is_idle(&self) -> bool {
        self.pending_real == 0
    }

    /// Idle, and a whole rate window has passed since the last thing
    /// happened, so every live rate has decayed to 0: the moment a playing
    /// demo may stop its clock without leaving a stale rate on screen.
    pub fn is_settled(&self) -> bool {
        self.is_idle()
            && self
                .last_real_us
                .is_none_or(|t| self.now >= t + self.rate_window_us)
    }

    /// When [`is_settled`](Self::is_settled) will hold, if nothing new is
    /// scheduled: the end of the rate window after the last event.
    pub fn settles_at(&self) -> TimeUs {
        self.last_real_us
            .map_or(self.now, |t| t + self.rate_window_us)
            .max(self.now)
    }

    /// Time of the next event or command, if any.
    pub fn next_event_time(&self) -> Option<TimeUs> {
        match (self.events.peek_time(), self.commands.peek_time()) {
            (Some(e), Some(c)) => Some(e.min(c)),
            (e, c) => e.or(c),
        }
    }

    /// Adds a learner command to the input log and schedules it. Commands
    /// in the past, naming unknown nodes or with out-of-range values are
    /// refused with a message and change nothing.
    ///
    /// A command at time `t` fires after the simulation's own events at `t`
    /// and before anything later; commands at the same time fire in the
    /// order given. So a run driven live (commands applied between steps)
    /// and the same input log scheduled up front give the same trace.
    pub fn schedule(&mut self, cmd: Command) -> Result<(), String> {
        if cmd.at_us < self.now {
            return Err(refused!(
                "command '{}' at {}µs is in the past (now {}µs)",
                cmd.action.verb(),
                cmd.at_us,
                self.now
            ));
        }
        if cmd.at_us > MAX_DURATION_US {
            return Err(refused!(
                "command '{}' is more than 30 days away",
                cmd.action.verb()
            ));
        }
        let r = self.resolve(&cmd.action)?;
        let idx = self.resolved.len() as u32;
        self.resolved.push(r);
        self.commands.push(cmd.at_us, idx);
        self.pending_real += 1;
        self.input_log.push(cmd);
        Ok(())
    }

    /// Schedules an action at the current time.
    pub fn apply(&mut self, action: Action) -> Result<(), String> {
        self.schedule(Command {
            at_us: self.now,
            action,
        })
    }

    /// Processes one event (including samples). Returns its time.
    pub fn step(&mut self) -> Option<TimeUs> {
        let command_due = match (self.events.peek_time(), self.commands.peek_time()) {
            (Some(e), Some(c)) => c < e,
            (None, Some(_)) => true,
            _ => false,
        };
        let (at, seq, ev) = if command_due {
            let (at, order, idx) = self.commands.pop()?;
            (at, order, Ev::Command(idx))
        } else {
            self.events.pop()?
        };
        debug_assert!(at >= self.now, "time never goes backwards");
        self.now = at;
        if !matches!(ev, Ev::Sample) {
            self.pending_real -= 1;
            self.last_real_us = Some(at);
        }
        self.processed_events += 1;
        self.trace.word(at);
        self.trace.word(seq ^ (ev.code() << 56));
        self.handle(ev);
        #[cfg(debug_assertions)]
        if let Err(e) = crate::invariants::check_counts(self) {
            panic!("invariant broken at {}µs: {e}", self.now);
        }
        Some(at)
    }

    /// Processes events up to and including the next one that is not a
    /// periodic sample (what the "step" button does). Returns its time.
    pub fn step_visible(&mut self) -> Option<TimeUs> {
        while self.pending_real > 0 {
            let t = self.step()?;
            if self.last_was_real {
                return Some(t);
            }
        }
        None
    }

    /// Runs every event up to time `t` and moves the clock to `t`.
    pub fn run_until(&mut self, t: TimeUs) {
        while let Some(at) = self.next_event_time() {
            if at > t {
                break;
            }
            self.step();
        }
        if t > self.now {
            self.now = t;
        }
    }

    /// Like [`Sim::run_until`], but processes at most `max_events` events so a
    /// huge load cannot freeze the page. Returns true if it reached `t`
    /// (otherwise the clock stays at the last event processed).
    pub fn run_until_bounded(&mut self, t: TimeUs, max_events: u64) -> bool {
        let mut n = 0;
        while let Some(at) = self.next_event_time() {
            if at > t {
                break;
            }
            if n >= max_events {
                return false;
            }
            self.step();
            n += 1;
        }
        if t > self.now {
            self.now = t;
        }
        true
    }

    /// Runs until nothing but sampling is left, or `limit` is reached.
    /// Returns true if the run went idle before the limit.
    pub fn run_until_idle(&mut self, limit: TimeUs) -> bool {
        while !self.is_idle() {
            match self.next_event_time() {
                Some(at) if at <= limit => {
                    self.step();
                }
                _ => break,
            }
        }
        let idle = self.is_idle();
        if !idle {
            self.run_until(limit);
        } else {
            // Take one last sample so the series ends where the run ends.
            self.take_sample();
        }
        idle
    }

    /// The hops on screen now, each drawn for at least `min_us` of
    /// simulated time (see [`MoveLog::visible_at`]).
    pub fn movements_now(&self, min_us: TimeUs, max: usize) -> Vec<Movement> {
        self.moves.visible_at(self.now, min_us, max)
    }

    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// The ids of the messages in queue `name` now, head first (`None`: no
    /// such queue). For tests that compare the engine with a real broker.
    pub fn queue_message_ids(&self, name: &str) -> Option<Vec<u64>> {
        let q = self.spec.queues.iter().position(|q| q.name == name)?;
        Some(self.broker.queues[q].items.iter().map(|h| h.id).collect())
    }

    /// The dead-letter queue now, oldest first: each message's id and how
    /// often it was dead-lettered (the `count` of its `x-death` header).
    pub fn dead_letters(&self) -> Vec<(u64, u32)> {
        self.retry
            .dlq
            .iter()
            .map(|d| {
                (
                    d.msg.id,
                    u32::from(self.ledger.get(d.msg.slot).dead_letters),
                )
            })
            .collect()
    }

    pub fn series(&self) -> &Series {
        &self.stats.series
    }

    /// Mean completion rate between the first and the latest completion:
    /// how fast the system drained while it was working.
    pub fn processing_rate_per_s(&self) -> f64 {
        self.stats
            .processing_rate_per_s(self.ledger.count(MsgState::Done))
    }

    /// When the first and the latest message was done, if any was.
    pub fn done_span(&self) -> Option<(TimeUs, TimeUs)> {
        self.stats.done_span()
    }

    pub fn wait_histogram(&self) -> &Histogram {
        &self.stats.wait
    }

    pub fn latency_histogram(&self) -> &Histogram {
        &self.stats.latency
    }

    pub fn response_histogram(&self) -> &Histogram {
        &self.stats.response
    }

    /// The mean response over the last 10 s of simulated time and how many
    /// responses it covers (see [`crate::metrics::WindowMean`]).
    pub fn response_recent(&self) -> (f64, u64) {
        self.stats.response_recent.mean_and_count()
    }

    // ----- node ids -----------------------------------------------------

    pub(crate) fn producer_node(&self, p: u16) -> NodeId {
        p
    }
    pub(crate) fn queue_node(&self, q: u16) -> NodeId {
        (self.publish.producers.len() as u16) + q
    }
    pub(crate) fn group_node(&self, g: u16) -> NodeId {
        (self.publish.producers.len() + self.broker.queues.len()) as u16 + g
    }
    pub(crate) fn service_node(&self, s: u16) -> NodeId {
        (self.publish.producers.len() + self.broker.queues.len() + self.delivery.groups.len())
            as u16
            + s
    }
    pub(crate) fn topic_node(&self, t: u16) -> NodeId {
        self.service_node(self.calls.services.len() as u16) + t
    }

    /// Draws a publish to topic `t` arriving at `arrive_us`: to the topic
    /// in the first half of the hop, then a copy from it to each
    /// subscribed queue in the second.
    pub(crate) fn record_fanout(&mut self, msg: Handle, from: NodeId, t: u16, arrive_us: TimeUs) {
        let topic = self.topic_node(t);
        let half = self.now + (arrive_us.saturating_sub(self.now)) / 2;
        self.record_move_until(msg, from, topic, 0, MoveKind::Publish, half);
        for q in self.target_queues(Target::Topic(t)) {
            let to = self.queue_node(q);
            self.moves.push(Movement {
                msg_id: msg.id,
                from: topic,
                to,
                lane: 0,
                depart_us: half,
                arrive_us,
                kind: MoveKind::Publish,
            });
        }
    }

    // ----- plumbing shared by the capabilities ---------------------------

    /// Schedules an event.
    pub(crate) fn push(&mut self, at: TimeUs, ev: Ev) {
        if !matches!(ev, Ev::Sample) {
            self.pending_real += 1;
        }
        self.events.push(at, ev);
    }

    /// One network hop.
    pub(crate) fn hop(&self) -> TimeUs {
        self.spec.link_latency_us
    }

    /// Whether a handle still names a live message.
    pub(crate) fn live(&self, h: Handle) -> bool {
        self.ledger.is_live(h.slot, h.id)
    }

    /// Writes to the event log (routine entries only if the spec logs them,
    /// and only for every `log_every`-th message).
    pub(crate) fn note(&mut self, msg: Option<u64>, kind: LogKind) {
        let routine = matches!(
            kind,
            LogKind::Produced { .. }
                | LogKind::FollowUp { .. }
                | LogKind::Copied { .. }
                | LogKind::Enqueued { .. }
                | LogKind::Delivered { .. }
                | LogKind::Done { .. }
                | LogKind::Replied { .. }
        );
        let sampled_out = msg.is_some_and(|id| id % self.spec.log_every.max(1) != 0);
        if routine && (!self.spec.log_routine || sampled_out) {
            return;
        }
        self.log.push(LogEntry {
            t_us: self.now,
            msg_id: msg,
            kind,
        });
    }

    /// Records a message leaving `from` now and reaching `to` one hop later.
    pub(crate) fn record_move(
        &mut self,
        msg: Handle,
        from: NodeId,
        to: NodeId,
        lane: u16,
        kind: MoveKind,
    ) {
        self.record_move_until(msg, from, to, lane, kind, self.now + self.hop());
    }

    /// Records a message leaving `from` now and reaching `to` at `arrive_us`.
    pub(crate) fn record_move_until(
        &mut self,
        msg: Handle,
        from: NodeId,
        to: NodeId,
        lane: u16,
        kind: MoveKind,
        arrive_us: TimeUs,
    ) {
        self.moves.push(Movement {
            msg_id: msg.id,
            from,
            to,
            lane,
            depart_us: self.now,
            arrive_us,
            kind,
        });
    }

    /// Ends a message as rejected or lost, with its cause, at `node`.
    pub(crate) fn fail(&mut self, msg: Handle, node: NodeId, cause: Cause) {
        let rec = self
            .ledger
            .finish_with_cause(msg.slot, cause, &mut self.trace);
        self.copy_ended(rec.origin);
        self.step_ended(&rec, None);
        self.txn_lost(&rec);
        self.seckill_lost(&rec, cause);
        if self.seckill.quiet(cause) {
            return;
        }
        let kind = if cause.terminal_state() == MsgState::Rejected {
            LogKind::Rejected { node, cause }
        } else {
            LogKind::Lost { node, cause }
        };
        self.note(Some(msg.id), kind);
    }

    // ----- event routing --------------------------------------------------

    fn handle(&mut self, ev: Ev) {
        self.last_was_real = !matches!(ev, Ev::Sample);
        match ev {
            Ev::ProducerTick { p, epoch, send } => self.on_producer_tick(p, epoch, send),
            Ev::PublishArrive { p, msg } => self.on_publish_arrive(p, msg),
            Ev::PublishRetry { p, msg } => self.on_publish_retry(p, msg),
            Ev::RouteArrive { target, msg } => self.on_route_arrive(target, msg),
            Ev::DeliverArrive {
                g,
                member,
                epoch,
                msg,
            } => self.on_deliver_arrive(g, member, epoch, msg),
            Ev::WorkDone {
                g,
                member,
                epoch,
                msg,
            } => self.on_work_done(g, member, epoch, msg),
            Ev::ConsumerRestart { g, member } => self.on_consumer_restart(g, member),
            Ev::CallArrive { s, msg, caller } => self.on_call_arrive(s, msg, caller),
            Ev::ServiceDone { s, msg, caller } => self.on_service_done(s, msg, caller),
            Ev::ServiceTimeout { s, token } => self.on_service_timeout(s, token),
            Ev::ReplyArrive {
                s,
                msg,
                caller,
                refused,
            } => self.on_reply_arrive(s, msg, caller, refused),
            Ev::CallRetry {
                g,
                member,
                epoch,
                msg,
            } => self.on_call_retry(g, member, epoch, msg),
            Ev::BrokerRestart => self.on_broker_restart(),
            Ev::QueueReady { q } => self.on_queue_ready(q),
            Ev::ReplicaRestart { r } => self.on_replica_restart(r),
            Ev::ConfirmLost { p, origin } => self.on_confirm_lost(p, origin),
            Ev::EffectWrite {
                g,
                member,
                epoch,
                msg,
            } => self.on_effect_write(g, member, epoch, msg),
            Ev::DuplicateSent { p, msg } => self.on_duplicate_sent(p, msg),
            Ev::DuplicateArrive { p, msg } => self.on_duplicate_arrive(p, msg),
            Ev::RetryDue { q, msg } => self.on_retry_due(q, msg),
            Ev::DelayPoll { q } => self.on_delay_poll(q),
            Ev::Txn { msg, timer } => self.on_txn(msg, timer),
            Ev::RelayPoll => self.on_relay_poll(),
            Ev::StockStep { worker } => self.on_stock_step(worker),
            Ev::ReorderFlush => self.on_reorder_flush(),
            Ev::ReorderTimeout { user, token } => self.on_reorder_timeout(user, token),
            Ev::Command(i) => {
                let r = self.resolved[i as usize].clone();
                self.run_command(r);
            }
            Ev::Sample => {
                self.take_sample();
                self.seckill_sample();
                let next = self.now + self.spec.sample_interval_us;
                self.push(next, Ev::Sample);
            }
        }
    }

    fn take_sample(&mut self) {
        let totals = Totals {
            produced: self.publish.produced(),
            done: self.ledger.count(MsgState::Done),
            // Dead-lettering counts as it happens (a redrive does not
            // take it back): the count only grows, as a rate needs.
            failed: self.ledger.count(MsgState::Rejected)
                + self.ledger.count(MsgState::Lost)
                + self.retry.dead_lettered,
        };
        let queued = self.broker.queued();
        self.stats
            .sample(self.now, self.spec.sample_interval_us, totals, queued);
    }

    // ----- commands -------------------------------------------------------

    fn resolve(&self, a: &Action) -> Result<Resolved, String> {
        let producer = |n: &str| index_by_name(&self.spec.producers, |x| &x.name, n, "producer");
        let group = |n: &str| index_by_name(&self.spec.consumers, |x| &x.name, n, "consumer group");
        let topic = |n: &str| index_by_name(&self.spec.topics, |x| &x.name, n, "topic");
        let queue = |n: &str| index_by_name(&self.spec.queues, |x| &x.name, n, "queue");
        let service = |n: &str| index_by_name(&self.spec.services, |x| &x.name, n, "service");
        let rate_ok = |#[cfg_attr(target_arch = "wasm32", allow(unused_variables))] what: &str,
                       r: f64,
                       min: f64| {
            if r.is_finite() && r >= min && r <= MAX_RATE_PER_S {
                Ok(())
            } else {
                Err(refused!(
                    "{what} = {} is out of range ({} to {})",
                    crate::num::short(r),
                    crate::num::short(min),
                    crate::num::short(MAX_RATE_PER_S)
                ))
            }
        };
        Ok(match a {
            Action::SetRate {
                producer: p,
                rate_per_s,
            } => {
                rate_ok("rate_per_s", *rate_per_s, 0.0)?;
                Resolved::SetRate(producer(p)?, *rate_per_s)
            }
            Action::Produce { producer: p, count } => {
                if *count > MAX_PRODUCE_PER_COMMAND {
                    return Err(refused!(
                        "produce count {count} is more than {MAX_PRODUCE_PER_COMMAND}"
                    ));
                }
                Resolved::Produce(producer(p)?, *count)
            }
            Action::SetConsumers { group: g, count } => {
                if *count > MAX_CONSUMERS {
                    return Err(refused!(
                        "consumer count {count} is more than {MAX_CONSUMERS}"
                    ));
                }
                Resolved::SetConsumers(group(g)?, *count)
            }
            Action::SetConsumersOnline { group: g, online } => {
                Resolved::SetConsumersOnline(group(g)?, *online)
            }
            Action::SetConsumerWork { group: g, mean_us } => {
                if *mean_us > MAX_DURATION_US {
                    return Err("work time is more than 30 days".into());
                }
                Resolved::SetConsumerWork(group(g)?, *mean_us)
            }
            Action::SetServiceCapacity {
                service: s,
                capacity_per_s,
            } => {
                rate_ok("capacity_per_s", *capacity_per_s, 0.001)?;
                Resolved::SetServiceCapacity(service(s)?, *capacity_per_s)
            }
            Action::SetServiceUp { service: s, up } => Resolved::SetServiceUp(service(s)?, *up),
            Action::CrashConsumer { group: g } => Resolved::CrashConsumer(group(g)?),
            Action::DropNextPublish { producer: p } => Resolved::DropNextPublish(producer(p)?),
            Action::DropNextConfirm { producer: p } => Resolved::DropNextConfirm(producer(p)?),
            Action::DelayNextPublish {
                producer: p,
                delay_us,
            } => {
                if *delay_us > MAX_DURATION_US {
                    return Err("delay is more than 30 days".into());
                }
                Resolved::DelayNextPublish(producer(p)?, *delay_us)
            }
            Action::CrashBroker => Resolved::CrashBroker,
            Action::Subscribe { topic: t, queue: q } => Resolved::Subscribe(topic(t)?, queue(q)?),
            Action::Unsubscribe { topic: t, queue: q } => {
                Resolved::Unsubscribe(topic(t)?, queue(q)?)
            }
            Action::SetSubscribers { topic: t, count } => {
                if *count == 0 || *count > MAX_CONSUMERS {
                    return Err(refused!(
                        "subscriber count must be 1..={MAX_CONSUMERS}, got {count}"
                    ));
                }
                Resolved::SetSubscribers(topic(t)?, *count)
            }
            Action::Replay { queue: q, count } => {
                if *count > MAX_PRODUCE_PER_COMMAND {
                    return Err(refused!(
                        "replay count {count} is more than {MAX_PRODUCE_PER_COMMAND}"
                    ));
                }
                Resolved::Replay(queue(q)?, *count)
            }
            Action::DeployFix { group: g } => Resolved::DeployFix(group(g)?),
            Action::Redrive { queue: q } => Resolved::Redrive(queue(q)?),
            Action::CrashProducerAfterDb { producer: p }
            | Action::CrashProducerAfterSend { producer: p }
            | Action::FailLocalTx { producer: p } => {
                let p = producer(p)?;
                if !self.txn.owns(p) {
                    return Err(refused!(
                        "producer '{}' writes no orders in a local transaction (only a scenario with a txn spec has one)",
                        self.spec.producers[p as usize].name
                    ));
                }
                Resolved::TxnFault(match a {
                    Action::CrashProducerAfterDb { .. } => TxnFault::CrashAfterDb,
                    Action::CrashProducerAfterSend { .. } => TxnFault::CrashAfterSend,
                    _ => TxnFault::FailLocalTx,
                })
            }
            Action::SetLimiter { on } => {
                if self.seckill.policy.is_none() {
                    return Err(
                        "this scenario has no gateway rate limiter (only a scenario with a seckill spec has one)"
                            .into(),
                    );
                }
                Resolved::SetLimiter(*on)
            }
        })
    }

    /// Hands a resolved command to the capability it concerns.
    fn run_command(&mut self, r: Resolved) {
        match r {
            Resolved::SetRate(p, rate) => self.set_rate(p, rate),
            Resolved::Produce(p, count) => self.produce(p, count),
            Resolved::SetConsumers(g, count) => self.set_consumers(g, count),
            Resolved::SetConsumersOnline(g, online) => self.set_consumers_online(g, online),
            Resolved::SetConsumerWork(g, mean_us) => self.set_consumer_work(g, mean_us),
            Resolved::SetServiceCapacity(s, cap) => self.set_service_capacity(s, cap),
            Resolved::SetServiceUp(s, up) => self.set_service_up(s, up),
            Resolved::CrashConsumer(g) => self.crash_consumer(g),
            Resolved::DropNextPublish(p) => self.drop_next_publish(p),
            Resolved::DropNextConfirm(p) => self.drop_next_confirm(p),
            Resolved::DelayNextPublish(p, us) => self.delay_next_publish(p, us),
            Resolved::CrashBroker => self.crash_broker(),
            Resolved::Subscribe(t, q) => self.fanout.subscribe(t, q),
            Resolved::Unsubscribe(t, q) => self.fanout.unsubscribe(t, q),
            Resolved::SetSubscribers(t, count) => self.fanout.set_subscribers(t, count),
            Resolved::Replay(q, count) => self.replay(q, count),
            Resolved::DeployFix(g) => self.deploy_fix(g),
            Resolved::Redrive(q) => self.redrive(q),
            Resolved::TxnFault(f) => self.txn_fault(f),
            Resolved::SetLimiter(on) => self.set_limiter(on),
        }
    }
}

/// The index of the item called `name`, or an error naming what is missing.
fn index_by_name<T>(
    items: &[T],
    name_of: impl Fn(&T) -> &String,
    name: &str,
    #[cfg_attr(target_arch = "wasm32", allow(unused_variables))] what: &str,
) -> Result<u16, String> {
    items
        .iter()
        .position(|x| name_of(x) == name)
        .map(|i| i as u16)
        .ok_or_else(|| refused!("no {what} named '{name}'"))
}
