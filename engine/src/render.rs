//! Plain data for the UI: snapshots, message movements and the event log.
//!
//! Nothing here knows about the DOM. The UI asks for a snapshot at the
//! engine's current time and for the movements overlapping a time window,
//! and interpolates dot positions itself, so drawing does not depend on the
//! frame rate.

use std::collections::VecDeque;

use serde::Serialize;

use crate::ledger::{Cause, LedgerCounts};
use crate::metrics::LatencySummary;
use crate::sim::Sim;
use crate::spec::{Backoff, DedupeMark, IdempotenceStrategy};
use crate::time::TimeUs;

/// Index into [`Snapshot::nodes`]: producers, then queues, consumer groups, services.
pub type NodeId = u16;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Producer,
    Queue,
    Consumers,
    Service,
    /// A topic (fan-out exchange): its messages are drawn through it on
    /// their way to the subscribed queues. The last nodes of a simulation.
    Topic,
}

/// Why a message is travelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    /// Producer → queue.
    Publish,
    /// Queue → consumer.
    Deliver,
    /// Caller → service (a synchronous request).
    Call,
    /// Service → caller (the answer).
    Reply,
    /// Service → caller, refused.
    Refused,
}

/// One hop of one message, from `depart_us` to `arrive_us`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub msg_id: u64,
    pub from: NodeId,
    pub to: NodeId,
    /// Which consumer of a group (or 0).
    pub lane: u16,
    pub depart_us: TimeUs,
    pub arrive_us: TimeUs,
    pub kind: MoveKind,
}

impl Movement {
    /// Progress along the hop at time `t`, in [0, 1].
    pub fn progress(&self, t: TimeUs) -> f64 {
        if self.arrive_us <= self.depart_us {
            return 1.0;
        }
        let p =
            (t.saturating_sub(self.depart_us)) as f64 / (self.arrive_us - self.depart_us) as f64;
        p.clamp(0.0, 1.0)
    }
}

/// Recent movements in a ring buffer: memory is fixed whatever the load.
#[derive(Clone, Debug)]
pub struct MoveLog {
    ring: VecDeque<Movement>,
    capacity: usize,
}

impl MoveLog {
    pub fn new(capacity: usize) -> Self {
        MoveLog {
            ring: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    pub fn push(&mut self, m: Movement) {
        if self.ring.len() == self.capacity {
            self.ring.pop_front();
        }
        self.ring.push_back(m);
    }

    /// The movements on screen at `now` when every hop is drawn for at
    /// least `min_us` (an animation's minimum travel time, in simulated
    /// time at the current speed): a hop shorter than that is stretched to
    /// `min_us` from its departure, so that a 1 ms call is still seen. At
    /// most `max` of them, sampled evenly as in [`MoveLog::between`].
    pub fn visible_at(&self, now: TimeUs, min_us: TimeUs, max: usize) -> Vec<Movement> {
        let stretched = self.ring.iter().filter_map(|m| {
            let arrive_us = m.arrive_us.max(m.depart_us.saturating_add(min_us));
            (m.depart_us <= now && arrive_us >= now).then_some(Movement { arrive_us, ..*m })
        });
        sample_evenly(stretched.collect(), max)
    }

    /// Movements overlapping `[t0, t1]`, at most `max` of them: when there
    /// are more, an even sample (deterministic) is returned. Cost is bounded
    /// by the ring size, not by the number of messages simulated.
    pub fn between(&self, t0: TimeUs, t1: TimeUs, max: usize) -> Vec<Movement> {
        let hits = self
            .ring
            .iter()
            .filter(|m| m.depart_us <= t1 && m.arrive_us >= t0)
            .copied()
            .collect();
        sample_evenly(hits, max)
    }

    pub fn len(&self) -> usize {
        self.ring.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }
}

/// At most `max` of `hits`, an even (deterministic) sample when there are
/// more.
fn sample_evenly(hits: Vec<Movement>, max: usize) -> Vec<Movement> {
    if hits.len() <= max {
        return hits;
    }
    if max == 0 {
        return Vec::new();
    }
    let step = hits.len() as f64 / max as f64;
    (0..max)
        .map(|i| hits[((i as f64 * step) as usize).min(hits.len() - 1)])
        .collect()
}

/// Something worth telling the learner, in structured form; the UI turns it
/// into a sentence in the reader's language.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LogKind {
    Produced {
        producer: NodeId,
    },
    /// A service published this message as the follow-up of message
    /// `cause` (a sign-up's jobs): the log links the two ids.
    FollowUp {
        service: NodeId,
        cause: u64,
    },
    /// A topic copied message `of` into another subscribed queue: this
    /// copy is a message of its own, with its own id.
    Copied {
        of: u64,
    },
    Enqueued {
        queue: NodeId,
        len: u64,
    },
    Delivered {
        queue: NodeId,
        group: NodeId,
        consumer: u16,
        /// The broker's redelivered flag: this message was handed out
        /// before (and not redriven since).
        redelivered: bool,
    },
    Done {
        node: NodeId,
        /// The consumer of the group that acked (none when a re-ordering
        /// buffer acked for the group).
        consumer: Option<u16>,
        latency_us: TimeUs,
    },
    Replied {
        service: NodeId,
        response_us: TimeUs,
    },
    Rejected {
        node: NodeId,
        cause: Cause,
    },
    /// A synchronous call chain failed at `failed_at` after `steps` earlier
    /// steps, from `first` on, had done their work: nothing undoes them,
    /// so the request failed and the system is left partly changed.
    PartlyDone {
        failed_at: NodeId,
        first: NodeId,
        steps: u8,
    },
    Lost {
        node: NodeId,
        cause: Cause,
    },
    Requeued {
        queue: NodeId,
    },
    CallRetry {
        group: NodeId,
        consumer: u16,
        service: NodeId,
    },
    PublishDropped {
        producer: NodeId,
        will_retry: bool,
    },
    PublishRetried {
        producer: NodeId,
    },
    ConsumerCrashed {
        group: NodeId,
        consumer: u16,
        requeued: u32,
        lost: u32,
    },
    ConsumerRestarted {
        group: NodeId,
        consumer: u16,
    },
    ConsumersOnline {
        group: NodeId,
        online: bool,
    },
    ConsumersChanged {
        group: NodeId,
        count: u32,
    },
    ConsumerWorkChanged {
        group: NodeId,
        mean_us: TimeUs,
    },
    RateChanged {
        producer: NodeId,
        rate_per_s: f64,
    },
    ServiceCapacityChanged {
        service: NodeId,
        capacity_per_s: f64,
    },
    ServiceUp {
        service: NodeId,
        up: bool,
    },
    BrokerCrashed {
        lost: u64,
        kept: u64,
    },
    BrokerRestarted,
    /// The network delivers message `order` a second time: this copy sets
    /// off to the broker.
    NetworkDuplicate {
        producer: NodeId,
        order: u64,
    },
    /// A watched consumer wrote the dedupe key of `order`
    /// (`SET processed:<order> NX EX ttl`).
    DedupeMarked {
        group: NodeId,
        order: u64,
    },
    /// A watched consumer applied the effect of `order`, for the
    /// `times`-th time (more than once: a duplicate got through).
    EffectApplied {
        group: NodeId,
        order: u64,
        times: u32,
    },
    /// A watched consumer acked a copy of `order` without applying it: its
    /// dedupe key was there, or (`unique_key`) the unique key refused the
    /// insert.
    DuplicateSkipped {
        group: NodeId,
        order: u64,
        unique_key: bool,
    },
    /// Processing failed on delivery `deliveries`: the message is tried
    /// again, at the head of `queue` now (`delay_us` 0) or at its tail
    /// after the backoff.
    RetryLater {
        queue: NodeId,
        deliveries: u16,
        delay_us: TimeUs,
    },
    /// After `deliveries` deliveries the message moved to `queue`'s
    /// dead-letter queue.
    DeadLettered {
        queue: NodeId,
        deliveries: u16,
    },
    /// `pollers` pollers of `group` read the same due member of a sorted
    /// set and none checked its `ZREM`: each of them handled it.
    ClaimedTwice {
        group: NodeId,
        pollers: u16,
    },
    /// `count` messages moved from the dead-letter queue back to `queue`.
    Redriven {
        queue: NodeId,
        count: u32,
    },
    /// The consumers of `group` got the fix: poison messages succeed now.
    FixDeployed {
        group: NodeId,
    },
    /// The network holds a publish up for `delay_us` beyond a hop.
    PublishDelayed {
        producer: NodeId,
        delay_us: TimeUs,
    },
    /// `node` applied step `step` of `user` while an earlier step of that
    /// user had not been applied.
    OutOfOrder {
        node: NodeId,
        user: u32,
        step: u32,
    },
    /// The re-ordering buffer stopped waiting for step `step` of `user`
    /// (timeout, or the buffer was full).
    ReorderGaveUp {
        user: u32,
        step: u32,
    },
    /// A step of an order and its message (`model::txn`).
    Txn {
        producer: NodeId,
        step: TxnStep,
    },
    /// A stock worker read `value` while `pending` workers (itself
    /// included) have read a positive value and will decrement, more of
    /// them than the value read: the stock will go below zero
    /// (`model::seckill`, check-then-decrement).
    StockRace {
        worker: u16,
        value: i64,
        pending: u16,
    },
    /// A stock worker's `DECR` took the stock below zero: an item sold
    /// that does not exist.
    Oversold {
        worker: u16,
        stock: i64,
    },
    /// A monitoring alert fired or cleared (`model::monitor`).
    Alert {
        alert: crate::model::monitor::AlertKind,
        firing: bool,
        value: f64,
    },
}

/// A step of an order and its message (`model::txn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnStep {
    /// The order row is written (the local transaction committed).
    OrderWritten,
    /// The order row and its outbox row are written in one transaction.
    OutboxWritten,
    /// The local transaction failed: no order row.
    LocalTxFailed,
    /// The producer sent the message.
    Sent,
    /// The broker stored the half message, invisible to consumers.
    HalfStored,
    /// The producer instance handling the order crashed.
    Crashed,
    /// The half message was committed: consumers can see it now.
    Committed,
    /// The half message was rolled back and dropped.
    RolledBack,
    /// The broker asked the producer about a half message.
    CheckBack,
    /// The answer to a check-back: the insert has not ended yet.
    CheckUnknown,
    /// The outbox relay published the row.
    Relayed,
    /// The stock service processed the message.
    StockDeducted,
}

/// How an order ended up, once its row and its message are settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnOutcome {
    InProgress,
    /// Both or neither: the order and its stock agree.
    Consistent,
    OrderWithoutMessage,
    MessageWithoutOrder,
}

/// One order on the transaction timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TxnOrderView {
    /// Its message id.
    pub id: u64,
    pub started_us: TimeUs,
    /// What happened, when (a few steps of a long check-back loop may be
    /// left out).
    pub steps: Vec<(TimeUs, TxnStep)>,
    pub outcome: TxnOutcome,
}

/// The transaction capability: its method and the latest orders.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TxnView {
    pub method: crate::spec::TxnMethod,
    /// Crash commands waiting for the next orders.
    pub waiting_faults: u32,
    /// The newest orders first.
    pub orders: Vec<TxnOrderView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogEntry {
    pub t_us: TimeUs,
    /// The message concerned, if any.
    pub msg_id: Option<u64>,
    #[serde(flatten)]
    pub kind: LogKind,
}

/// The last N log entries.
#[derive(Clone, Debug)]
pub struct EventLog {
    ring: VecDeque<LogEntry>,
    capacity: usize,
    written: u64,
}

impl EventLog {
    pub fn new(capacity: usize) -> Self {
        EventLog {
            ring: VecDeque::with_capacity(capacity),
            capacity,
            written: 0,
        }
    }

    pub fn push(&mut self, e: LogEntry) {
        if self.ring.len() == self.capacity {
            self.ring.pop_front();
        }
        self.ring.push_back(e);
        self.written += 1;
    }

    /// Newest last.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &LogEntry> {
        self.ring.iter()
    }

    /// How many entries were ever written (older ones are gone).
    pub fn written(&self) -> u64 {
        self.written
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeView {
    pub id: NodeId,
    pub name: String,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProducerView {
    pub node: NodeId,
    pub rate_per_s: f64,
    pub produced: u64,
    /// Synchronous requests sent and not yet answered.
    pub waiting_for_reply: u64,
    /// Copies sent again after a lost confirm (duplicates of stored messages).
    pub duplicates: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueView {
    pub node: NodeId,
    pub len: u64,
    pub capacity: u64,
    pub mean_len: f64,
    pub max_len: u64,
    pub enqueued: u64,
    /// Entries into the queue, requeues included.
    pub visits: u64,
    /// Time all visits spent waiting so far (including those still waiting).
    pub total_wait_us: f64,
    /// Acked messages kept for re-reading (0 for a queue that deletes on ack).
    pub retained: u64,
    /// Messages re-read from the log so far.
    pub replayed: u64,
    /// Whether anything can put a message in it now: a producer or a
    /// service sends to it, or a topic subscription feeds it (always true
    /// in a simulation without topics). An unsubscribed subscriber queue
    /// is not, and the stage dims it once it is empty.
    pub attached: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsumerView {
    /// Messages it holds (delivered and not yet acked).
    pub busy: u32,
    pub slots: u32,
    pub online: bool,
    /// Crashed and restarting.
    pub crashed: bool,
    pub processed: u64,
    /// Of `busy`: delivered messages waiting in the consumer for a free
    /// worker (prefetched beyond its `slots`).
    pub buffered: u32,
    /// Unacked messages it may hold before the broker stops sending.
    pub prefetch: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupView {
    pub node: NodeId,
    pub queue: NodeId,
    pub online: bool,
    pub consumers: Vec<ConsumerView>,
    pub processed: u64,
    pub mean_work_us: f64,
    /// Deliveries of messages delivered before (the redelivered flag).
    pub redelivered: u64,
    /// Failed processings nacked with requeue.
    pub nacked: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceView {
    pub node: NodeId,
    pub up: bool,
    pub busy: u32,
    pub concurrency: u32,
    pub waiting: u32,
    pub backlog: u32,
    pub capacity_per_s: f64,
    pub processed: u64,
    pub refused: u64,
}

/// A topic and the queues subscribed to it now.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicView {
    pub name: String,
    /// Queue nodes that get a copy of each message.
    pub subscriptions: Vec<NodeId>,
    /// Messages published to the topic.
    pub published: u64,
    /// Copies stored or offered to subscribed queues.
    pub copies: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Rates {
    /// Messages produced per second (sliding 1 s window).
    pub arrival_per_s: f64,
    /// Messages done per second.
    pub processed_per_s: f64,
    /// Messages rejected or lost per second.
    pub failed_per_s: f64,
}

/// Everything the UI draws at one moment, as plain data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub time_us: TimeUs,
    pub events: u64,
    pub broker_up: bool,
    pub nodes: Vec<NodeView>,
    pub producers: Vec<ProducerView>,
    pub queues: Vec<QueueView>,
    pub groups: Vec<GroupView>,
    pub services: Vec<ServiceView>,
    /// Topics (fan-out); not nodes of their own.
    pub topics: Vec<TopicView>,
    pub ledger: LedgerCounts,
    pub rates: Rates,
    /// Time spent waiting in a queue.
    pub wait: LatencySummary,
    /// Creation to done (end to end).
    pub latency: LatencySummary,
    /// What the sender experiences: until the broker accepted (async) or
    /// the service answered (sync).
    pub response: LatencySummary,
    /// `response` over the last 10 s of simulated time: its mean (µs) and
    /// how many responses that is (0: none in the window).
    pub response_recent_mean_us: f64,
    pub response_recent_count: u64,
    /// The broker's replica set, when it has followers (which one leads now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication: Option<ReplicationView>,
    /// The idempotence-watched consumer: its effect, expected against
    /// actual, its dedupe keys and what it is working on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotence: Option<IdempotenceView>,
    /// The queue with a retry policy: its dead-letter queue and counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryView>,
    /// The orders of the transaction producer and their steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub txn: Option<TxnView>,
    /// The flash-sale system's gateway, stock and monitoring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seckill: Option<SeckillView>,
}

/// The flash-sale system's front (`model::seckill`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeckillView {
    pub atomic: bool,
    /// The stock counter in Redis (below zero once oversold).
    pub stock_value: i64,
    pub stock: u64,
    pub limiter_on: bool,
    pub limiter_rate_per_s: f64,
    /// Each stock worker: `None` idle; `Some(None)` running the script;
    /// `Some(Some(v))` read `v` and about to decrement.
    pub workers: Vec<Option<Option<i64>>>,
    /// Requests waiting for a worker.
    pub waiting: u64,
    pub points: Vec<crate::model::monitor::MonitorPoint>,
    /// When each alert fired, while it fires: queue backlog, low success.
    pub firing: [Option<TimeUs>; 2],
    /// The latest alert changes, oldest first.
    pub alerts: Vec<crate::model::monitor::AlertChange>,
}

/// A queue's retry policy and its dead-letter queue (`model::retry`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RetryView {
    /// The queue the policy is on.
    pub queue: NodeId,
    pub max_retries: u32,
    pub backoff: Backoff,
    /// Whether it has a dead-letter queue.
    pub dead_letter: bool,
    /// The fix for poison messages is deployed.
    pub fixed: bool,
    pub dlq_len: u64,
    pub dlq_capacity: u64,
    /// Failed messages waiting out their backoff now.
    pub backing_off: u64,
    /// Failed deliveries sent back for another try.
    pub retries: u64,
    /// Times a message was dead-lettered.
    pub dead_lettered: u64,
    /// Messages moved back from the dead-letter queue.
    pub redriven: u64,
    /// The newest dead-lettered messages (a few), latest first.
    pub newest: Vec<DeadLetterView>,
}

/// One message in a dead-letter queue, with what its `x-death` header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DeadLetterView {
    pub msg_id: u64,
    /// Deliveries before it was dead-lettered.
    pub deliveries: u16,
    /// Times it has been dead-lettered (more than 1 after a redrive).
    pub deaths: u8,
    pub at_us: TimeUs,
}

/// A consumer whose effect is watched for duplicates (`model::dedupe`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IdempotenceView {
    /// The watched consumer group's node.
    pub group: NodeId,
    pub strategy: IdempotenceStrategy,
    pub mark: DedupeMark,
    pub ttl_us: TimeUs,
    /// Effects applied, repeats included (the account's actual awards).
    pub effects_applied: u64,
    /// Orders (message ids) applied at least once.
    pub orders_applied: u64,
    /// Effects beyond the first of their order.
    pub double_applied: u64,
    /// Orders acked whose effect never happened (now).
    pub lost_effects: u64,
    /// Copies acked as duplicates without their effect.
    pub skipped_duplicates: u64,
    /// Of those, refused by the unique key.
    pub unique_conflicts: u64,
    /// Copies the network made (`duplicate_rate`).
    pub network_copies: u64,
    /// Dedupe keys that exist now.
    pub dedupe_keys: u64,
    /// The most dedupe keys held at once.
    pub dedupe_keys_max: u64,
    /// Dedupe keys removed on expiry so far.
    pub keys_expired: u64,
    /// The newest dedupe keys (a few), latest first.
    pub newest_keys: Vec<DedupeKeyView>,
    /// Copies being worked on now, in the order they started.
    pub in_work: Vec<GuardedWorkView>,
}

impl IdempotenceView {
    /// Awards the account should have now: one per order applied or acked.
    pub fn expected_effects(&self) -> u64 {
        self.orders_applied + self.lost_effects
    }
}

/// One dedupe key: `processed:<order>`, and when it expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DedupeKeyView {
    pub order: u64,
    pub expires_us: TimeUs,
}

/// A copy the watched consumer is working on, and how far it got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct GuardedWorkView {
    pub msg_id: u64,
    /// Its message id (a copy shares its original's).
    pub order: u64,
    /// This copy wrote the dedupe key.
    pub key_set: bool,
    /// This copy applied the effect (the work is past its halfway point).
    pub effect_done: bool,
    /// Recognised as a duplicate: it is being acked without its work.
    pub skipping: bool,
}

/// A replicated broker: a leader and its followers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplicationView {
    /// Replicas, leader included.
    pub replicas: u8,
    /// Which replica leads now (0-based; `replica-<n+1>` on a stage).
    pub leader: u8,
    /// Whether each replica is up.
    pub up: Vec<bool>,
    /// Leader changes so far.
    pub failovers: u64,
}

impl Snapshot {
    pub fn node_name(&self, id: NodeId) -> &str {
        self.nodes
            .get(id as usize)
            .map(|n| n.name.as_str())
            .unwrap_or("?")
    }

    /// Total messages waiting in all queues.
    pub fn queued(&self) -> u64 {
        self.queues.iter().map(|q| q.len).sum()
    }
}

// ----- building a snapshot from a simulation ---------------------------

impl Sim {
    /// See [`QueueView::attached`].
    pub(crate) fn queue_attached(&self, q: u16) -> bool {
        let topics = &self.fanout.topics;
        topics.is_empty()
            || topics.iter().any(|t| t.subscriptions.contains(&q))
            || self
                .publish
                .producers
                .iter()
                .any(|p| p.target_is_queue && !p.target_is_topic && p.target == q)
            || self
                .calls
                .services
                .iter()
                .any(|s| s.publishes == Some(crate::model::Target::Queue(q)))
    }

    pub fn snapshot(&self) -> Snapshot {
        let n_p = self.publish.producers.len();
        let n_q = self.broker.queues.len();
        let n_g = self.delivery.groups.len();
        let (response_recent_mean_us, response_recent_count) =
            self.stats.response_recent.mean_and_count();
        Snapshot {
            time_us: self.now(),
            events: self.events_processed(),
            broker_up: self.broker.up,
            nodes: self.nodes.clone(),
            producers: self
                .publish
                .producers
                .iter()
                .enumerate()
                .map(|(i, p)| ProducerView {
                    node: i as NodeId,
                    rate_per_s: p.current_rate(self.now()),
                    produced: p.produced,
                    waiting_for_reply: p.waiting_for_reply,
                    duplicates: p.duplicates,
                })
                .collect(),
            queues: self
                .broker
                .queues
                .iter()
                .enumerate()
                .map(|(i, q)| QueueView {
                    attached: self.queue_attached(i as u16),
                    node: (n_p + i) as NodeId,
                    len: q.len(),
                    capacity: q.capacity,
                    mean_len: q.level.mean(self.now()),
                    max_len: q.level.max(),
                    enqueued: q.enqueued,
                    visits: q.visits,
                    total_wait_us: q.total_wait_us(self.now()) as f64,
                    retained: q.retained.len() as u64,
                    replayed: q.replayed,
                })
                .collect(),
            groups: self
                .delivery
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
                    redelivered: g.redelivered,
                    nacked: g.nacked,
                })
                .collect(),
            services: self
                .calls
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
                .fanout
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
                arrival_per_s: self.stats.arrival.per_s(),
                processed_per_s: self.stats.done.per_s(),
                failed_per_s: self.stats.failed.per_s(),
            },
            wait: self.stats.wait.summary(),
            latency: self.stats.latency.summary(),
            response: self.stats.response.summary(),
            response_recent_mean_us,
            response_recent_count,
            replication: self.replication.replicated().then(|| ReplicationView {
                replicas: self.replication.replicas,
                leader: self.replication.leader,
                up: self.replication.up.clone(),
                failovers: self.replication.failovers,
            }),
            idempotence: self.idempotence_view(),
            retry: self.retry_view(),
            txn: self.txn_view(),
            seckill: self.seckill_view(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(id: u64, d: TimeUs, a: TimeUs) -> Movement {
        Movement {
            msg_id: id,
            from: 0,
            to: 1,
            lane: 0,
            depart_us: d,
            arrive_us: a,
            kind: MoveKind::Publish,
        }
    }

    #[test]
    fn movement_window_and_sampling() {
        let mut log = MoveLog::new(100);
        for i in 0..1000 {
            log.push(mv(i, i * 10, i * 10 + 50));
        }
        assert_eq!(log.len(), 100, "ring is bounded");
        let w = log.between(9_500, 9_600, 1000);
        assert!(w
            .iter()
            .all(|m| m.depart_us <= 9_600 && m.arrive_us >= 9_500));
        // Both ends inclusive: #945 (arrives 9_500) to #960 (departs 9_600).
        assert_eq!(w.len(), 16);
        let s = log.between(0, u64::MAX, 10);
        assert_eq!(s.len(), 10, "sampled down to max");
        assert!(log.between(0, u64::MAX, 0).is_empty());
    }

    #[test]
    fn a_short_hop_stays_on_screen_for_the_minimum_time() {
        let mut log = MoveLog::new(10);
        log.push(mv(1, 1_000, 1_001)); // a 1 µs hop
        log.push(mv(2, 1_000, 9_000)); // longer than the minimum
        assert!(log.visible_at(1_500, 0, 10).iter().all(|m| m.msg_id == 2));
        let seen = log.visible_at(1_500, 1_000, 10);
        assert_eq!(seen.len(), 2, "the short hop is still drawn");
        let short = seen.iter().find(|m| m.msg_id == 1).unwrap();
        assert_eq!(short.arrive_us, 2_000, "stretched to the minimum");
        assert_eq!(short.progress(1_500), 0.5);
        assert_eq!(
            seen.iter().find(|m| m.msg_id == 2).unwrap().arrive_us,
            9_000
        );
        assert!(log
            .visible_at(2_001, 1_000, 10)
            .iter()
            .all(|m| m.msg_id == 2));
        assert!(
            log.visible_at(999, 1_000, 10).is_empty(),
            "not before it leaves"
        );
    }

    #[test]
    fn progress_is_clamped() {
        let m = mv(0, 100, 200);
        assert_eq!(m.progress(50), 0.0);
        assert_eq!(m.progress(150), 0.5);
        assert_eq!(m.progress(500), 1.0);
        assert_eq!(mv(0, 5, 5).progress(5), 1.0);
    }
}
