//! The simulation: one event loop driving the model's state machines.
//!
//! Public surface: build from a [`ScenarioSpec`] and a seed, feed learner
//! [`Command`]s, advance time, read [`Snapshot`]s, movements and the log.

use crate::command::{Action, Command};
use crate::event::EventQueue;
use crate::ledger::{Cause, Ledger, LedgerCounts, MsgState};
use crate::metrics::{Histogram, RateMeter, Series, SeriesPoint};
use crate::model::consumer::ConsumerGroup;
use crate::model::producer::{NextTick, Producer};
use crate::model::queue::{Offer, Queue};
use crate::model::service::{Admit, Caller, Service};
use crate::model::topic::Topic;
use crate::model::{Handle, Target};
use crate::render::*;
use crate::rng::SimRng;
use crate::spec::{AckMode, ScenarioSpec, SpecError, MAX_CONSUMERS, MAX_RATE_PER_S};
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

#[derive(Clone, Copy, Debug)]
enum Ev {
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
    ConsumerRestart {
        g: u16,
        member: u16,
    },
    BrokerRestart,
    Command(u32),
    Sample,
    /// A message a service published reaches the broker.
    RouteArrive {
        target: Target,
        msg: Handle,
    },
    /// A paced queue's head message becomes deliverable.
    QueueReady {
        q: u16,
    },
}

impl Ev {
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
    CrashBroker,
    Subscribe(u16, u16),
    Unsubscribe(u16, u16),
    Replay(u16, u32),
}

/// Cumulative totals sampled for rates.
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    produced: u64,
    done: u64,
    failed: u64,
}

/// Cloning a `Sim` is a checkpoint: the clone continues exactly as the
/// original would (the UI's rewind restores from these).
#[derive(Clone)]
pub struct Sim {
    spec: ScenarioSpec,
    seed: u64,
    now: TimeUs,
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
    /// One random stream per producer and per consumer group.
    producer_rngs: Vec<SimRng>,
    group_rngs: Vec<SimRng>,
    /// One random stream per queue (broker-profile latency).
    queue_rngs: Vec<SimRng>,
    pub(crate) ledger: Ledger,
    trace: TraceHasher,
    pub(crate) producers: Vec<Producer>,
    pub(crate) queues: Vec<Queue>,
    pub(crate) groups: Vec<ConsumerGroup>,
    pub(crate) services: Vec<Service>,
    pub(crate) topics: Vec<Topic>,
    pub(crate) broker_up: bool,
    nodes: Vec<NodeView>,
    moves: MoveLog,
    log: EventLog,
    input_log: Vec<Command>,
    resolved: Vec<Resolved>,
    wait: Histogram,
    latency: Histogram,
    response: Histogram,
    series: Series,
    /// When the first and the latest message was done.
    done_span: Option<(TimeUs, TimeUs)>,
    last_totals: Totals,
    arrival_meter: RateMeter,
    done_meter: RateMeter,
    failed_meter: RateMeter,
}

impl Sim {
    /// Builds a simulation; the spec is validated first.
    pub fn new(spec: &ScenarioSpec, seed: u64) -> Result<Sim, SpecError> {
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
        let queue_idx = |n: &str| spec.queues.iter().position(|q| q.name == n);
        let service_idx = |n: &str| spec.services.iter().position(|s| s.name == n);
        let topic_idx = |n: &str| spec.topics.iter().position(|t| t.name == n);
        let target_of = |n: &str| match (queue_idx(n), topic_idx(n)) {
            (Some(q), _) => Some(Target::Queue(q as u16)),
            (None, Some(t)) => Some(Target::Topic(t as u16)),
            _ => None,
        };

        let producers = spec
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
        let services = spec
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
        let topics = spec
            .topics
            .iter()
            .map(|t| {
                let subs = t
                    .subscriptions
                    .iter()
                    .filter_map(|n| queue_idx(n))
                    .map(|q| q as u16)
                    .collect();
                Topic::new(t, subs)
            })
            .collect();
        let window = (US_PER_S / spec.sample_interval_us).max(1) as usize;

        let mut sim = Sim {
            spec: spec.clone(),
            seed,
            now: 0,
            events: EventQueue::default(),
            commands: EventQueue::default(),
            pending_real: 0,
            processed_events: 0,
            last_was_real: false,
            producer_rngs: (0..spec.producers.len())
                .map(|i| SimRng::stream(seed, 1_000 + i as u64))
                .collect(),
            group_rngs: (0..spec.consumers.len())
                .map(|i| SimRng::stream(seed, 2_000 + i as u64))
                .collect(),
            queue_rngs: (0..spec.queues.len())
                .map(|i| SimRng::stream(seed, 3_000 + i as u64))
                .collect(),
            ledger: Ledger::default(),
            trace: TraceHasher::default(),
            producers,
            queues,
            groups,
            services,
            topics,
            broker_up: true,
            nodes,
            moves: MoveLog::new(MOVE_RING),
            log: EventLog::new(LOG_RING),
            input_log: Vec::new(),
            resolved: Vec::new(),
            wait: Histogram::default(),
            latency: Histogram::default(),
            response: Histogram::default(),
            series: Series::new(SERIES_POINTS),
            done_span: None,
            last_totals: Totals::default(),
            arrival_meter: RateMeter::new(window),
            done_meter: RateMeter::new(window),
            failed_meter: RateMeter::new(window),
        };
        sim.trace.word(seed);
        for p in 0..sim.producers.len() {
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
            return Err(format!(
                "command '{}' at {}µs is in the past (now {}µs)",
                cmd.action.verb(),
                cmd.at_us,
                self.now
            ));
        }
        if cmd.at_us > MAX_DURATION_US {
            return Err(format!(
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

    pub fn movements_between(&self, t0: TimeUs, t1: TimeUs, max: usize) -> Vec<Movement> {
        self.moves.between(t0, t1, max)
    }

    pub fn log(&self) -> &EventLog {
        &self.log
    }

    pub fn series(&self) -> &Series {
        &self.series
    }

    /// Mean completion rate between the first and the latest completion:
    /// how fast the system drained while it was working.
    pub fn processing_rate_per_s(&self) -> f64 {
        match self.done_span {
            Some((first, last)) if last > first => {
                (self.ledger.count(MsgState::Done) - 1) as f64 * US_PER_S as f64
                    / (last - first) as f64
            }
            _ => 0.0,
        }
    }

    fn note_done_time(&mut self) {
        let now = self.now;
        self.done_span = Some(match self.done_span {
            None => (now, now),
            Some((first, _)) => (first, now),
        });
    }

    pub fn wait_histogram(&self) -> &Histogram {
        &self.wait
    }

    pub fn latency_histogram(&self) -> &Histogram {
        &self.latency
    }

    pub fn response_histogram(&self) -> &Histogram {
        &self.response
    }

    /// Plain data for drawing the current moment.
    pub fn snapshot(&self) -> Snapshot {
        let n_p = self.producers.len();
        let n_q = self.queues.len();
        let n_g = self.groups.len();
        Snapshot {
            time_us: self.now,
            events: self.processed_events,
            broker_up: self.broker_up,
            nodes: self.nodes.clone(),
            producers: self
                .producers
                .iter()
                .enumerate()
                .map(|(i, p)| ProducerView {
                    node: i as NodeId,
                    rate_per_s: p.current_rate(self.now),
                    produced: p.produced,
                    waiting_for_reply: p.waiting_for_reply,
                })
                .collect(),
            queues: self
                .queues
                .iter()
                .enumerate()
                .map(|(i, q)| QueueView {
                    node: (n_p + i) as NodeId,
                    len: q.len(),
                    capacity: q.capacity,
                    mean_len: q.level.mean(self.now),
                    max_len: q.level.max(),
                    enqueued: q.enqueued,
                    visits: q.visits,
                    total_wait_us: q.total_wait_us(self.now) as f64,
                    retained: q.retained.len() as u64,
                    replayed: q.replayed,
                })
                .collect(),
            groups: self
                .groups
                .iter()
                .enumerate()
                .map(|(i, g)| GroupView {
                    node: (n_p + n_q + i) as NodeId,
                    queue: (n_p + g.queue as usize) as NodeId,
                    online: g.online,
                    consumers: g
                        .members
                        .iter()
                        .take(g.visible())
                        .map(|m| ConsumerView {
                            busy: m.held.len() as u32,
                            slots: g.concurrency,
                            buffered: m.local.len() as u32,
                            prefetch: g.prefetch,
                            online: g.online && m.alive,
                            crashed: !m.alive,
                            processed: m.processed,
                        })
                        .collect(),
                    processed: g.processed,
                    mean_work_us: g.work.mean_us(),
                })
                .collect(),
            services: self
                .services
                .iter()
                .enumerate()
                .map(|(i, s)| ServiceView {
                    node: (n_p + n_q + n_g + i) as NodeId,
                    up: s.up,
                    busy: s.busy,
                    concurrency: s.concurrency,
                    waiting: s.waiting.len() as u32,
                    backlog: s.backlog_limit,
                    capacity_per_s: s.capacity_per_s,
                    processed: s.processed,
                    refused: s.refused,
                })
                .collect(),
            topics: self
                .topics
                .iter()
                .zip(&self.spec.topics)
                .map(|(t, ts)| TopicView {
                    name: ts.name.clone(),
                    subscriptions: t
                        .subscriptions
                        .iter()
                        .map(|q| (n_p + *q as usize) as NodeId)
                        .collect(),
                    published: t.published,
                    copies: t.copies,
                })
                .collect(),
            ledger: self.ledger.counts(),
            rates: Rates {
                arrival_per_s: self.arrival_meter.per_s(),
                processed_per_s: self.done_meter.per_s(),
                failed_per_s: self.failed_meter.per_s(),
            },
            wait: self.wait.summary(),
            latency: self.latency.summary(),
            response: self.response.summary(),
        }
    }

    // ----- node ids -----------------------------------------------------

    fn producer_node(&self, p: u16) -> NodeId {
        p
    }
    fn queue_node(&self, q: u16) -> NodeId {
        (self.producers.len() as u16) + q
    }
    fn group_node(&self, g: u16) -> NodeId {
        (self.producers.len() + self.queues.len()) as u16 + g
    }
    fn service_node(&self, s: u16) -> NodeId {
        (self.producers.len() + self.queues.len() + self.groups.len()) as u16 + s
    }

    // ----- plumbing -----------------------------------------------------

    fn push(&mut self, at: TimeUs, ev: Ev) {
        if !matches!(ev, Ev::Sample) {
            self.pending_real += 1;
        }
        self.events.push(at, ev);
    }

    fn hop(&self) -> TimeUs {
        self.spec.link_latency_us
    }

    fn live(&self, h: Handle) -> bool {
        self.ledger.is_live(h.slot, h.id)
    }

    fn note(&mut self, msg: Option<u64>, kind: LogKind) {
        let routine = matches!(
            kind,
            LogKind::Produced { .. }
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

    fn record_move(&mut self, msg: Handle, from: NodeId, to: NodeId, lane: u16, kind: MoveKind) {
        let now = self.now;
        let hop = self.hop();
        self.moves.push(Movement {
            msg_id: msg.id,
            from,
            to,
            lane,
            depart_us: now,
            arrive_us: now + hop,
            kind,
        });
    }

    fn fail(&mut self, msg: Handle, node: NodeId, cause: Cause) {
        self.ledger
            .finish_with_cause(msg.slot, cause, &mut self.trace);
        let kind = if cause.terminal_state() == MsgState::Rejected {
            LogKind::Rejected { node, cause }
        } else {
            LogKind::Lost { node, cause }
        };
        self.note(Some(msg.id), kind);
    }

    // ----- event handling -------------------------------------------------

    fn handle(&mut self, ev: Ev) {
        self.last_was_real = !matches!(ev, Ev::Sample);
        match ev {
            Ev::ProducerTick { p, epoch, send } => {
                if self.producers[p as usize].epoch != epoch {
                    return;
                }
                if send {
                    self.produce_one(p);
                }
                self.plan_producer(p);
            }
            Ev::PublishArrive { p, msg } => self.on_publish_arrive(p, msg),
            Ev::PublishRetry { p, msg } => {
                if self.live(msg) {
                    self.note(Some(msg.id), LogKind::PublishRetried { producer: p });
                    self.send_publish(p, msg);
                }
            }
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
            Ev::CallArrive { s, msg, caller } => self.on_call_arrive(s, msg, caller),
            Ev::ServiceDone { s, msg, caller } => {
                let next = self.services[s as usize].finish_one();
                self.after_step(s, msg, caller);
                if let Some(req) = next {
                    let work = self.services[s as usize].work_us();
                    self.push(
                        self.now + work,
                        Ev::ServiceDone {
                            s,
                            msg: req.msg,
                            caller: req.caller,
                        },
                    );
                }
            }
            Ev::ServiceTimeout { s, token } => {
                if let Some(req) = self.services[s as usize].take_waiting(token) {
                    self.reply(s, req.msg, req.caller, Some(Cause::ServiceTimeout));
                }
            }
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
            } => {
                if self.member_holds(g, member, epoch, msg) {
                    self.send_call(g, member, epoch, msg);
                }
            }
            Ev::ConsumerRestart { g, member } => {
                let q = {
                    let grp = &mut self.groups[g as usize];
                    grp.members[member as usize].alive = true;
                    grp.queue
                };
                let node = self.group_node(g);
                self.note(
                    None,
                    LogKind::ConsumerRestarted {
                        group: node,
                        consumer: member,
                    },
                );
                self.dispatch(q);
            }
            Ev::BrokerRestart => {
                self.broker_up = true;
                self.note(None, LogKind::BrokerRestarted);
                for q in 0..self.queues.len() {
                    self.dispatch(q as u16);
                }
            }
            Ev::Command(i) => {
                let r = self.resolved[i as usize].clone();
                self.run_command(r);
            }
            Ev::Sample => {
                self.take_sample();
                let next = self.now + self.spec.sample_interval_us;
                self.push(next, Ev::Sample);
            }
            Ev::RouteArrive { target, msg } => {
                if !self.live(msg) {
                    return;
                }
                if !self.broker_up {
                    let node = self.target_node(target);
                    self.fail(msg, node, Cause::BrokerDown);
                    return;
                }
                self.route(target, msg);
            }
            Ev::QueueReady { q } => {
                let queue = &mut self.queues[q as usize];
                if queue.wake_at == Some(self.now) {
                    queue.wake_at = None;
                }
                self.dispatch(q);
            }
        }
    }

    /// The node a publish to `target` is drawn going to (a topic has no
    /// node of its own: its first subscribed queue stands in).
    fn target_node(&self, target: Target) -> NodeId {
        match target {
            Target::Queue(q) => self.queue_node(q),
            Target::Topic(t) => self.queue_node(self.topics[t as usize].subscriptions[0]),
        }
    }

    /// The queues a publish to `target` lands in.
    fn target_queues(&self, target: Target) -> Vec<u16> {
        match target {
            Target::Queue(q) => vec![q],
            Target::Topic(t) => self.topics[t as usize].subscriptions.clone(),
        }
    }

    /// A service finished its own step: publish its follow-up message (if
    /// any), then go on down the call chain or answer the caller.
    fn after_step(&mut self, s: u16, msg: Handle, caller: Caller) {
        if let Some(target) = self.services[s as usize].publishes {
            if self.live(msg) {
                self.publish_from_service(s, msg, target);
            }
        }
        match self.services[s as usize].then_calls {
            Some(next) if self.live(msg) => {
                let lane = match caller {
                    Caller::Consumer { member, .. } => member,
                    Caller::Producer(_) => 0,
                };
                let (from, to) = (self.service_node(s), self.service_node(next));
                self.record_move(msg, from, to, lane, MoveKind::Call);
                self.push(
                    self.now + self.hop(),
                    Ev::CallArrive {
                        s: next,
                        msg,
                        caller,
                    },
                );
            }
            _ => self.reply(s, msg, caller, None),
        }
    }

    /// A service hands a new message to the broker (asynchronous hand-off).
    fn publish_from_service(&mut self, s: u16, cause: Handle, target: Target) {
        let (producer, persistent) = {
            let r = self.ledger.get(cause.slot);
            (r.producer, r.persistent)
        };
        let (slot, id) = self.ledger.create(
            producer,
            self.now,
            MsgState::InFlight,
            persistent,
            &mut self.trace,
        );
        let msg = Handle { slot, id };
        let from = self.service_node(s);
        self.note(Some(id), LogKind::Produced { producer: from });
        for q in self.target_queues(target) {
            let to = self.queue_node(q);
            self.record_move(msg, from, to, 0, MoveKind::Publish);
        }
        self.push(self.now + self.hop(), Ev::RouteArrive { target, msg });
    }

    /// Stores a message that reached the broker in its queue, or a copy in
    /// each of a topic's subscribed queues (the first takes the original).
    /// Returns whether the original was stored.
    fn route(&mut self, target: Target, msg: Handle) -> bool {
        match target {
            Target::Queue(q) => self.store(q, msg),
            Target::Topic(t) => {
                let subs = self.topics[t as usize].subscriptions.clone();
                self.topics[t as usize].published += 1;
                let (producer, created, persistent) = {
                    let r = self.ledger.get(msg.slot);
                    (r.producer, r.created_us, r.persistent)
                };
                let mut stored = false;
                for (i, &q) in subs.iter().enumerate() {
                    let copy = if i == 0 {
                        msg
                    } else {
                        let (slot, id) = self.ledger.create(
                            producer,
                            created,
                            MsgState::InFlight,
                            persistent,
                            &mut self.trace,
                        );
                        Handle { slot, id }
                    };
                    self.topics[t as usize].copies += 1;
                    let ok = self.store(q, copy);
                    if i == 0 {
                        stored = ok;
                    }
                }
                stored
            }
        }
    }

    fn plan_producer(&mut self, p: u16) {
        let now = self.now;
        let prod = &mut self.producers[p as usize];
        let epoch = prod.epoch;
        match prod.plan(now, &mut self.producer_rngs[p as usize]) {
            NextTick::Send(t) => self.push(
                t,
                Ev::ProducerTick {
                    p,
                    epoch,
                    send: true,
                },
            ),
            NextTick::Wake(t) => self.push(
                t,
                Ev::ProducerTick {
                    p,
                    epoch,
                    send: false,
                },
            ),
            NextTick::Idle => {}
        }
    }

    fn produce_one(&mut self, p: u16) {
        let persistent = self.producers[p as usize].persistent;
        let (slot, id) =
            self.ledger
                .create(p, self.now, MsgState::InFlight, persistent, &mut self.trace);
        self.producers[p as usize].note_sent(self.now);
        let msg = Handle { slot, id };
        self.note(Some(id), LogKind::Produced { producer: p });
        self.send_publish(p, msg);
    }

    fn send_publish(&mut self, p: u16, msg: Handle) {
        let prod = &mut self.producers[p as usize];
        if prod.drop_next {
            prod.drop_next = false;
            let confirm = prod.confirm;
            let retry = prod.retry_us;
            self.note(
                Some(msg.id),
                LogKind::PublishDropped {
                    producer: p,
                    will_retry: confirm,
                },
            );
            if confirm {
                self.push(self.now + retry, Ev::PublishRetry { p, msg });
            } else {
                let node = self.producer_node(p);
                self.fail(msg, node, Cause::NoConfirmNetworkDrop);
            }
            return;
        }
        let (to_queue, to_topic, target) =
            (prod.target_is_queue, prod.target_is_topic, prod.target);
        let from = self.producer_node(p);
        let at = self.now + self.hop();
        if to_topic {
            for q in self.target_queues(Target::Topic(target)) {
                let to = self.queue_node(q);
                self.record_move(msg, from, to, 0, MoveKind::Publish);
            }
            self.push(at, Ev::PublishArrive { p, msg });
        } else if to_queue {
            let q = target;
            let to = self.queue_node(q);
            self.record_move(msg, from, to, 0, MoveKind::Publish);
            self.push(at, Ev::PublishArrive { p, msg });
        } else {
            let s = target;
            self.producers[p as usize].waiting_for_reply += 1;
            let to = self.service_node(s);
            self.record_move(msg, from, to, 0, MoveKind::Call);
            self.push(
                at,
                Ev::CallArrive {
                    s,
                    msg,
                    caller: Caller::Producer(p),
                },
            );
        }
    }

    fn on_publish_arrive(&mut self, p: u16, msg: Handle) {
        let prod = &self.producers[p as usize];
        let target = if prod.target_is_topic {
            Target::Topic(prod.target)
        } else {
            Target::Queue(prod.target)
        };
        if !self.broker_up {
            let node = self.target_node(target);
            self.fail(msg, node, Cause::BrokerDown);
            return;
        }
        let created = self.ledger.get(msg.slot).created_us;
        if self.route(target, msg) {
            // The sender's wait ends when the broker's acknowledgement gets back.
            let response = self.now - created + self.spec.link_latency_us;
            self.response.record(response);
        }
    }

    /// Stores a message in queue `q` (or refuses it); returns whether stored.
    fn store(&mut self, q: u16, msg: Handle) -> bool {
        let node = self.queue_node(q);
        let now = self.now;
        match self.queues[q as usize].offer(msg, now) {
            Offer::Refused => {
                self.fail(msg, node, Cause::QueueFull);
                return false;
            }
            Offer::StoredDropping(old) => {
                let entered = self.ledger.get(old.slot).enqueued_us;
                self.queues[q as usize].note_left(entered, now);
                self.fail(old, node, Cause::QueueOverflowDropOldest);
            }
            Offer::Stored => {}
        }
        self.ledger
            .set_state(msg.slot, MsgState::Queued, &mut self.trace);
        let ready = if self.queues[q as usize].pacing.is_some() {
            self.queues[q as usize].ready_time(now, &mut self.queue_rngs[q as usize])
        } else {
            now
        };
        let rec = self.ledger.get_mut(msg.slot);
        rec.enqueued_us = now;
        rec.ready_us = ready;
        let len = self.queues[q as usize].len();
        self.note(Some(msg.id), LogKind::Enqueued { queue: node, len });
        self.dispatch(q);
        true
    }

    /// Hands queued messages to free consumers, round-robin.
    fn dispatch(&mut self, q: u16) {
        if !self.broker_up {
            return;
        }
        let qi = q as usize;
        while let Some(&head) = self.queues[qi].items.front() {
            if self.queues[qi].pacing.is_some() {
                // A broker profile: the head waits until the broker has it ready.
                let ready = self.ledger.get(head.slot).ready_us;
                if ready > self.now {
                    if self.queues[qi].wake_at.is_none_or(|w| w > ready) {
                        self.queues[qi].wake_at = Some(ready);
                        self.push(ready, Ev::QueueReady { q });
                    }
                    return;
                }
            }
            let Some((pos, g, m)) = self.next_free_consumer(qi) else {
                return;
            };
            self.queues[qi].rr = pos + 1;
            let now = self.now;
            let msg = self.queues[qi].pop(now).expect("non-empty");
            self.ledger
                .set_state(msg.slot, MsgState::InFlight, &mut self.trace);
            let entered = self.ledger.get(msg.slot).enqueued_us;
            self.queues[qi].note_left(entered, now);
            self.wait.record(now - entered);
            let grp = &mut self.groups[g as usize];
            let epoch = grp.members[m as usize].epoch;
            grp.members[m as usize].held.push(msg);
            let (from, to) = (self.queue_node(q), self.group_node(g));
            self.record_move(msg, from, to, m, MoveKind::Deliver);
            self.note(
                Some(msg.id),
                LogKind::Delivered {
                    queue: from,
                    group: to,
                    consumer: m,
                },
            );
            self.push(
                now + self.hop(),
                Ev::DeliverArrive {
                    g,
                    member: m,
                    epoch,
                    msg,
                },
            );
        }
    }

    /// The next consumer with a free slot, across all groups reading queue
    /// `qi`, round-robin from the position after the last one served:
    /// consumers are numbered group by group (in reader order), and the
    /// scan goes from `rr` to the end, then from 0. Returns the flat
    /// position, the group and the member.
    fn next_free_consumer(&self, qi: usize) -> Option<(usize, u16, u16)> {
        let queue = &self.queues[qi];
        let slots: usize = queue
            .readers
            .iter()
            .map(|g| self.groups[*g as usize].members.len())
            .sum();
        if slots == 0 {
            return None;
        }
        let start = queue.rr % slots;
        for (from, to) in [(start, slots), (0, start)] {
            let mut base = 0;
            for &g in &queue.readers {
                let grp = &self.groups[g as usize];
                let n = grp.members.len();
                // Only online groups and active members take new work.
                let (lo, hi) = (from.max(base), to.min(base + n.min(grp.active as usize)));
                if grp.online && lo < hi {
                    for pos in lo..hi {
                        if grp.can_take(pos - base) {
                            return Some((pos, g, (pos - base) as u16));
                        }
                    }
                }
                base += n;
            }
        }
        None
    }

    fn member_holds(&self, g: u16, member: u16, epoch: u32, msg: Handle) -> bool {
        let m = &self.groups[g as usize].members[member as usize];
        m.epoch == epoch && m.held.contains(&msg) && self.live(msg)
    }

    fn on_deliver_arrive(&mut self, g: u16, member: u16, epoch: u32, msg: Handle) {
        if !self.member_holds(g, member, epoch, msg) {
            return; // the consumer crashed while the message was on its way
        }
        self.ledger
            .set_state(msg.slot, MsgState::Unacked, &mut self.trace);
        let rec = self.ledger.get_mut(msg.slot);
        rec.attempts = rec.attempts.saturating_add(1);
        let grp = &mut self.groups[g as usize];
        if grp.members[member as usize].working < grp.concurrency {
            self.start_work(g, member, epoch, msg);
        } else {
            // Prefetched beyond its workers: wait in the consumer.
            grp.members[member as usize].local.push_back(msg);
        }
    }

    fn start_work(&mut self, g: u16, member: u16, epoch: u32, msg: Handle) {
        self.groups[g as usize].members[member as usize].working += 1;
        let work = self.groups[g as usize]
            .work
            .sample(&mut self.group_rngs[g as usize]);
        self.push(
            self.now + work,
            Ev::WorkDone {
                g,
                member,
                epoch,
                msg,
            },
        );
    }

    fn on_work_done(&mut self, g: u16, member: u16, epoch: u32, msg: Handle) {
        if !self.member_holds(g, member, epoch, msg) {
            return;
        }
        if self.groups[g as usize].calls.is_some() {
            self.send_call(g, member, epoch, msg);
        } else {
            self.complete(g, member, msg);
        }
    }

    fn send_call(&mut self, g: u16, member: u16, epoch: u32, msg: Handle) {
        let Some(s) = self.groups[g as usize].calls else {
            return;
        };
        let (from, to) = (self.group_node(g), self.service_node(s));
        self.record_move(msg, from, to, member, MoveKind::Call);
        self.push(
            self.now + self.hop(),
            Ev::CallArrive {
                s,
                msg,
                caller: Caller::Consumer {
                    group: g,
                    member,
                    epoch,
                },
            },
        );
    }

    /// A consumer acknowledges a processed message.
    fn complete(&mut self, g: u16, member: u16, msg: Handle) {
        let grp = &mut self.groups[g as usize];
        let mem = &mut grp.members[member as usize];
        mem.release(msg);
        mem.processed += 1;
        mem.working = mem.working.saturating_sub(1);
        grp.processed += 1;
        let q = grp.queue;
        let rec = self.ledger.finish_done(msg.slot, &mut self.trace);
        if !rec.replay {
            self.queues[q as usize].retain_acked(rec.producer, rec.persistent);
        }
        let latency = self.now - rec.created_us;
        self.latency.record(latency);
        self.note_done_time();
        let node = self.group_node(g);
        self.note(
            Some(msg.id),
            LogKind::Done {
                node,
                latency_us: latency,
            },
        );
        // A worker is free: the next prefetched message (if any) starts.
        let epoch = self.groups[g as usize].members[member as usize].epoch;
        while let Some(next) = self.groups[g as usize].members[member as usize]
            .local
            .pop_front()
        {
            if self.live(next) {
                self.start_work(g, member, epoch, next);
                break;
            }
        }
        self.dispatch(q);
    }

    fn on_call_arrive(&mut self, s: u16, msg: Handle, caller: Caller) {
        if !self.live(msg) {
            return;
        }
        let now = self.now;
        if let Caller::Producer(_) = caller {
            self.ledger
                .set_state(msg.slot, MsgState::InService, &mut self.trace);
        }
        match self.services[s as usize].admit(msg, caller, now) {
            Admit::Start(work) => self.push(now + work, Ev::ServiceDone { s, msg, caller }),
            Admit::Wait(token) => {
                let timeout = self.services[s as usize].timeout_us;
                if timeout > 0 {
                    self.push(now + timeout, Ev::ServiceTimeout { s, token });
                }
            }
            Admit::Down => self.reply(s, msg, caller, Some(Cause::ServiceDown)),
            Admit::Full => self.reply(s, msg, caller, Some(Cause::ServiceOverCapacity)),
        }
    }

    /// Sends a service's answer back to the caller.
    fn reply(&mut self, s: u16, msg: Handle, caller: Caller, refused: Option<Cause>) {
        if !self.live(msg) {
            return;
        }
        let from = self.service_node(s);
        let (to, lane) = match caller {
            Caller::Producer(p) => {
                self.ledger
                    .set_state(msg.slot, MsgState::InFlight, &mut self.trace);
                (self.producer_node(p), 0)
            }
            Caller::Consumer { group, member, .. } => (self.group_node(group), member),
        };
        let kind = if refused.is_some() {
            MoveKind::Refused
        } else {
            MoveKind::Reply
        };
        self.record_move(msg, from, to, lane, kind);
        self.push(
            self.now + self.hop(),
            Ev::ReplyArrive {
                s,
                msg,
                caller,
                refused,
            },
        );
    }

    fn on_reply_arrive(&mut self, s: u16, msg: Handle, caller: Caller, refused: Option<Cause>) {
        match caller {
            Caller::Producer(p) => {
                if !self.live(msg) {
                    return;
                }
                let prod = &mut self.producers[p as usize];
                prod.waiting_for_reply = prod.waiting_for_reply.saturating_sub(1);
                let node = self.service_node(s);
                let created = self.ledger.get(msg.slot).created_us;
                let response = self.now - created;
                match refused {
                    Some(cause) => self.fail(msg, node, cause),
                    None => {
                        self.ledger.finish_done(msg.slot, &mut self.trace);
                        self.note_done_time();
                        self.response.record(response);
                        self.latency.record(response);
                        self.note(
                            Some(msg.id),
                            LogKind::Replied {
                                service: node,
                                response_us: response,
                            },
                        );
                    }
                }
            }
            Caller::Consumer {
                group,
                member,
                epoch,
            } => {
                if !self.member_holds(group, member, epoch, msg) {
                    return; // crashed meanwhile: the message was already dealt with
                }
                match refused {
                    None => self.complete(group, member, msg),
                    Some(_) => {
                        let backoff = self.groups[group as usize].retry_backoff_us;
                        let (gnode, snode) = (self.group_node(group), self.service_node(s));
                        self.note(
                            Some(msg.id),
                            LogKind::CallRetry {
                                group: gnode,
                                consumer: member,
                                service: snode,
                            },
                        );
                        self.push(
                            self.now + backoff,
                            Ev::CallRetry {
                                g: group,
                                member,
                                epoch,
                                msg,
                            },
                        );
                    }
                }
            }
        }
    }

    fn take_sample(&mut self) {
        let now = self.now;
        let totals = Totals {
            produced: self.producers.iter().map(|p| p.produced).sum(),
            done: self.ledger.count(MsgState::Done),
            failed: self.ledger.count(MsgState::Rejected)
                + self.ledger.count(MsgState::Lost)
                + self.ledger.count(MsgState::DeadLettered),
        };
        let dt = self.spec.sample_interval_us as f64 / US_PER_S as f64;
        let last = self.last_totals;
        self.series.push(SeriesPoint {
            t_us: now,
            arrival_per_s: (totals.produced - last.produced) as f64 / dt,
            processed_per_s: (totals.done - last.done) as f64 / dt,
            rejected_per_s: (totals.failed - last.failed) as f64 / dt,
            queue_len: self.queues.iter().map(|q| q.len()).sum(),
        });
        self.last_totals = totals;
        self.arrival_meter.sample(now, totals.produced);
        self.done_meter.sample(now, totals.done);
        self.failed_meter.sample(now, totals.failed);
    }

    // ----- commands -------------------------------------------------------

    fn resolve(&self, a: &Action) -> Result<Resolved, String> {
        let producer = |n: &str| index_by_name(&self.spec.producers, |x| &x.name, n, "producer");
        let group = |n: &str| index_by_name(&self.spec.consumers, |x| &x.name, n, "consumer group");
        let topic = |n: &str| index_by_name(&self.spec.topics, |x| &x.name, n, "topic");
        let queue = |n: &str| index_by_name(&self.spec.queues, |x| &x.name, n, "queue");
        let service = |n: &str| index_by_name(&self.spec.services, |x| &x.name, n, "service");
        let rate_ok = |what: &str, r: f64, min: f64| {
            if r.is_finite() && r >= min && r <= MAX_RATE_PER_S {
                Ok(())
            } else {
                Err(format!(
                    "{what} = {r} is out of range ({min} to {MAX_RATE_PER_S})"
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
                    return Err(format!(
                        "produce count {count} is more than {MAX_PRODUCE_PER_COMMAND}"
                    ));
                }
                Resolved::Produce(producer(p)?, *count)
            }
            Action::SetConsumers { group: g, count } => {
                if *count > MAX_CONSUMERS {
                    return Err(format!(
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
            Action::CrashBroker => Resolved::CrashBroker,
            Action::Subscribe { topic: t, queue: q } => Resolved::Subscribe(topic(t)?, queue(q)?),
            Action::Unsubscribe { topic: t, queue: q } => {
                Resolved::Unsubscribe(topic(t)?, queue(q)?)
            }
            Action::Replay { queue: q, count } => {
                if *count > MAX_PRODUCE_PER_COMMAND {
                    return Err(format!(
                        "replay count {count} is more than {MAX_PRODUCE_PER_COMMAND}"
                    ));
                }
                Resolved::Replay(queue(q)?, *count)
            }
        })
    }

    fn run_command(&mut self, r: Resolved) {
        let now = self.now;
        match r {
            Resolved::SetRate(p, rate) => {
                self.producers[p as usize].set_rate(rate, now);
                self.note(
                    None,
                    LogKind::RateChanged {
                        producer: p,
                        rate_per_s: rate,
                    },
                );
                self.plan_producer(p);
            }
            Resolved::Produce(p, count) => {
                for _ in 0..count {
                    self.produce_one(p);
                }
            }
            Resolved::SetConsumers(g, count) => {
                self.groups[g as usize].set_count(count);
                let node = self.group_node(g);
                self.note(None, LogKind::ConsumersChanged { group: node, count });
                let q = self.groups[g as usize].queue;
                self.dispatch(q);
            }
            Resolved::SetConsumersOnline(g, online) => {
                self.groups[g as usize].online = online;
                let node = self.group_node(g);
                self.note(
                    None,
                    LogKind::ConsumersOnline {
                        group: node,
                        online,
                    },
                );
                let q = self.groups[g as usize].queue;
                self.dispatch(q);
            }
            Resolved::SetConsumerWork(g, mean_us) => {
                let grp = &mut self.groups[g as usize];
                grp.work = grp.work.with_mean(mean_us);
                let node = self.group_node(g);
                self.note(
                    None,
                    LogKind::ConsumerWorkChanged {
                        group: node,
                        mean_us,
                    },
                );
            }
            Resolved::SetServiceCapacity(s, cap) => {
                self.services[s as usize].capacity_per_s = cap;
                let node = self.service_node(s);
                self.note(
                    None,
                    LogKind::ServiceCapacityChanged {
                        service: node,
                        capacity_per_s: cap,
                    },
                );
            }
            Resolved::SetServiceUp(s, up) => {
                let node = self.service_node(s);
                self.services[s as usize].up = up;
                self.note(None, LogKind::ServiceUp { service: node, up });
                if !up {
                    // Whoever was waiting in line is turned away.
                    let waiting: Vec<_> = self.services[s as usize].waiting.drain(..).collect();
                    for req in waiting {
                        self.services[s as usize].refused += 1;
                        self.reply(s, req.msg, req.caller, Some(Cause::ServiceDown));
                    }
                }
            }
            Resolved::CrashConsumer(g) => self.crash_consumer(g),
            Resolved::DropNextPublish(p) => self.producers[p as usize].drop_next = true,
            Resolved::CrashBroker => self.crash_broker(),
            Resolved::Subscribe(t, q) => {
                self.topics[t as usize].subscribe(q);
            }
            Resolved::Unsubscribe(t, q) => {
                self.topics[t as usize].unsubscribe(q);
            }
            Resolved::Replay(q, count) => self.replay(q, count),
        }
    }

    fn crash_consumer(&mut self, g: u16) {
        let Some(m) = self.groups[g as usize].crash_target() else {
            return;
        };
        let now = self.now;
        let grp = &mut self.groups[g as usize];
        let member = &mut grp.members[m];
        member.alive = false;
        member.epoch = member.epoch.wrapping_add(1);
        let held: Vec<Handle> = member.held.drain(..).collect();
        member.local.clear();
        member.working = 0;
        let (ack, q, restart) = (grp.ack, grp.queue, grp.restart_us);
        let node = self.group_node(g);
        let (mut requeued, mut lost) = (0u32, 0u32);
        // Requeue in reverse so the oldest ends up first again.
        for msg in held.into_iter().rev() {
            if !self.live(msg) {
                continue;
            }
            match ack {
                AckMode::Auto => {
                    lost += 1;
                    self.fail(msg, node, Cause::AutoAckConsumerCrash);
                }
                AckMode::Manual => {
                    requeued += 1;
                    self.ledger
                        .set_state(msg.slot, MsgState::Queued, &mut self.trace);
                    self.ledger.get_mut(msg.slot).enqueued_us = now;
                    self.queues[q as usize].requeue_front(msg, now);
                    let qn = self.queue_node(q);
                    self.note(Some(msg.id), LogKind::Requeued { queue: qn });
                }
            }
        }
        self.note(
            None,
            LogKind::ConsumerCrashed {
                group: node,
                consumer: m as u16,
                requeued,
                lost,
            },
        );
        self.push(
            now + restart,
            Ev::ConsumerRestart {
                g,
                member: m as u16,
            },
        );
        self.dispatch(q);
    }

    /// Re-reads the newest `count` retained messages of queue `q`, oldest
    /// first, as new messages stored straight into the queue (the log stays
    /// as it is). Nothing happens while the broker is down.
    fn replay(&mut self, q: u16, count: u32) {
        if !self.broker_up {
            return;
        }
        let queue = &self.queues[q as usize];
        let n = (count as usize).min(queue.retained.len());
        let batch: Vec<(u16, bool)> = queue.retained.iter().rev().take(n).rev().copied().collect();
        for (producer, persistent) in batch {
            let (slot, id) = self.ledger.create(
                producer,
                self.now,
                MsgState::InFlight,
                persistent,
                &mut self.trace,
            );
            self.ledger.get_mut(slot).replay = true;
            self.queues[q as usize].replayed += 1;
            self.store(q, Handle { slot, id });
        }
    }

    fn crash_broker(&mut self) {
        if !self.broker_up {
            return;
        }
        self.broker_up = false;
        let now = self.now;
        let (mut lost, mut kept) = (0u64, 0u64);
        for q in 0..self.queues.len() {
            let node = self.queue_node(q as u16);
            let all = self.queues[q].drain_all(now);
            let mut survivors = Vec::new();
            for msg in all {
                if self.ledger.get(msg.slot).persistent {
                    kept += 1;
                    survivors.push(msg);
                } else {
                    lost += 1;
                    let entered = self.ledger.get(msg.slot).enqueued_us;
                    self.queues[q].note_left(entered, now);
                    self.fail(msg, node, Cause::NotPersistentBrokerCrash);
                }
            }
            for msg in survivors.into_iter().rev() {
                self.queues[q].restore_front(msg, now);
            }
        }
        self.note(None, LogKind::BrokerCrashed { lost, kept });
        let restart = self.spec.broker.restart_us;
        self.push(now + restart, Ev::BrokerRestart);
    }
}

/// The index of the item called `name`, or an error naming what is missing.
fn index_by_name<T>(
    items: &[T],
    name_of: impl Fn(&T) -> &String,
    name: &str,
    what: &str,
) -> Result<u16, String> {
    items
        .iter()
        .position(|x| name_of(x) == name)
        .map(|i| i as u16)
        .ok_or_else(|| format!("no {what} named '{name}'"))
}
