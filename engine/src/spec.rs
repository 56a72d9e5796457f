//! A scenario's topology and settings as plain data (also the JSON scenario
//! file format; see `engine/scenarios/example-order-queue.json`).

use serde::{Deserialize, Serialize};

use crate::rng::Dist;
use crate::time::{TimeUs, MAX_DURATION_US, US_PER_MS, US_PER_S};

/// Upper bound for any rate, capacity or count a user can ask for.
pub const MAX_RATE_PER_S: f64 = 10_000_000.0;
pub const MAX_CONSUMERS: u32 = 1_000;
pub const MAX_CONCURRENCY: u32 = 1_000;
pub const MAX_QUEUE_CAPACITY: u64 = 100_000_000;
/// The most stock workers a seckill gateway may run.
pub const MAX_STOCK_WORKERS: u32 = 1_024;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// One network hop (producer → broker, broker → consumer, call, reply).
    #[serde(default = "default_link_latency")]
    pub link_latency_us: TimeUs,
    /// How often metrics are sampled into the time series.
    #[serde(default = "default_sample_interval")]
    pub sample_interval_us: TimeUs,
    /// How long the CLI runs when `--until` is not given (it also stops once
    /// nothing is left to happen).
    #[serde(default = "default_horizon")]
    pub horizon_us: TimeUs,
    /// Whether routine steps (produced, queued, delivered, done) go to the
    /// event log. Off for high-volume scenarios; rejections and losses are
    /// always logged.
    #[serde(default)]
    pub log_routine: bool,
    /// With `log_routine`, log routine steps only for every n-th message
    /// (by id), so a busy scenario's log stays readable.
    #[serde(default = "default_log_every")]
    pub log_every: u64,
    #[serde(default)]
    pub broker: BrokerSpec,
    #[serde(default)]
    pub producers: Vec<ProducerSpec>,
    #[serde(default)]
    pub queues: Vec<QueueSpec>,
    #[serde(default)]
    pub consumers: Vec<ConsumerSpec>,
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    /// Topics (fan-out exchanges): a message published to a topic is copied
    /// into every subscribed queue.
    #[serde(default)]
    pub topics: Vec<TopicSpec>,
    /// An idempotent (or not) consumer and the duplicates it faces; `None`
    /// for a consumer whose effect is not watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotence: Option<IdempotenceSpec>,
    /// A retry policy on one queue: delivery counts, backoff, a
    /// dead-letter queue, and the messages its consumers fail on; `None`
    /// for queues whose failures are plain nack + requeue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetrySpec>,
    /// Per-user ordered steps, how they are keyed onto partitions and
    /// whether consumers re-order them; `None` when order is not watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordering: Option<OrderingSpec>,
    /// A queue that holds each message until it is due (delay levels, a
    /// timer, a polled sorted set, or TTL + dead-lettering), and the order
    /// checks it carries; `None` when nothing is delayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<DelaySpec>,
    /// A flash sale on one queue: its stock, taken by the queue's
    /// consumers, and a sold-out flag at the gate; `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flash_sale: Option<FlashSaleSpec>,
    /// A producer whose every message is an order written to its database
    /// in a local transaction, and how the two are kept in step (see
    /// `model::txn`); `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn: Option<TxnSpec>,
    /// A flash-sale system's front: a gateway rate limiter, stock
    /// pre-deducted in Redis by a pool of workers, the order outcomes and
    /// the monitoring alerts (see `model::seckill`); `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seckill: Option<SeckillSpec>,
}

/// The front of a flash-sale system (see `model::seckill`): every request
/// of `producer` meets the gateway's limiter, then a stock worker takes an
/// item in Redis, and only then is it published to `queue`, whose
/// consumers create the orders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeckillSpec {
    pub producer: String,
    /// The queue a request with an item goes to; its consumers are the
    /// order service.
    pub queue: String,
    /// Items for sale.
    pub stock: u64,
    /// `true`: one Lua script checks and decrements; `false`: `GET`, then
    /// `DECR` if the value read was positive.
    pub atomic: bool,
    /// Requests the gateway works on at once (its Redis connections).
    pub stock_workers: u32,
    /// One round trip to Redis.
    pub redis_rtt_us: TimeUs,
    /// Requests that may wait for a free worker; beyond that, refused.
    pub backlog: u32,
    /// The gateway's token bucket: tokens per second, and the burst it holds.
    pub limiter_rate_per_s: f64,
    pub limiter_burst: u32,
    #[serde(default = "default_true")]
    pub limiter_on: bool,
    /// Alert when the queue holds more than this.
    pub alert_queue_len: u64,
    /// Alert when the success rate over the window falls below this (%).
    pub alert_success_pct: f64,
    /// The window the monitoring rates are read over.
    pub monitor_window_us: TimeUs,
}

/// Orders in a database and their messages, kept in step by `method` (see
/// `model::txn`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxnSpec {
    /// The producer that writes the orders and sends their messages.
    pub producer: String,
    pub method: TxnMethod,
    /// How long the local transaction (the order insert) takes.
    #[serde(default)]
    pub local_tx_us: TimeUs,
    /// `half_message`: how long the broker waits for a commit or rollback
    /// before it asks the producer.
    #[serde(default = "default_check_back")]
    pub check_back_us: TimeUs,
    /// `outbox`: how often the relay reads the outbox table.
    #[serde(default = "default_poll")]
    pub relay_poll_us: TimeUs,
    /// The share of orders whose producer instance crashes between the
    /// method's two steps.
    #[serde(default)]
    pub crash_rate: f64,
}

fn default_check_back() -> TimeUs {
    5 * crate::time::US_PER_S
}

/// How an order and its message are made to agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnMethod {
    /// Write the order, then send: a crash between leaves an order whose
    /// message is never sent.
    DbThenSend,
    /// Send, then write the order: a crash or a failed insert after the
    /// send leaves a message for an order that does not exist.
    SendThenDb,
    /// RocketMQ's transactional message: a half message the consumers
    /// cannot see, the local transaction, then commit or rollback; the
    /// broker checks back when no answer comes.
    HalfMessage,
    /// The message is written to an outbox table in the same transaction
    /// as the order; a relay publishes it.
    Outbox,
}

/// A flash sale queued in front of the order service (see
/// `model::flash_sale`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlashSaleSpec {
    /// The queue requests wait in; its consumers take the stock.
    pub queue: String,
    /// Items for sale.
    pub stock: u64,
    /// Whether a sold-out flag in front of the queue turns requests away
    /// once the stock is gone.
    #[serde(default = "default_true")]
    pub sold_out_flag: bool,
    /// How often a buyer's page asks for the result.
    #[serde(default = "default_poll")]
    pub poll_us: TimeUs,
}

/// Delayed delivery on the queue `queue` (see `model::delay`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelaySpec {
    pub queue: String,
    pub method: DelayMethod,
    /// When each producer's messages ask to be delivered, by producer
    /// name; a producer not listed asks for no delay.
    #[serde(default)]
    pub due: Vec<(String, Due)>,
    /// `levels`: the RocketMQ 4.x delay level (1 to 18) every message takes.
    #[serde(default = "default_level")]
    pub level: u32,
    /// `zset`: how often the pollers read the sorted set.
    #[serde(default = "default_poll")]
    pub poll_us: TimeUs,
    /// `zset`: whether a poller claims a member atomically (a Lua script,
    /// or acting only when `ZREM` returns 1).
    #[serde(default)]
    pub atomic_claim: bool,
    /// The producer whose messages are order checks (the others' are
    /// reminders).
    pub orders: String,
    /// Share of users (0 to 1) who pay for their order.
    #[serde(default)]
    pub pay_rate: f64,
    /// Mean time from the order to the payment of those who pay
    /// (exponentially distributed).
    #[serde(default)]
    pub pay_mean_us: TimeUs,
}

/// How a delaying queue keeps its due times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DelayMethod {
    /// RocketMQ 4.x fixed delay levels.
    Levels,
    /// RocketMQ 5.x arbitrary delivery time.
    Timer,
    /// A Redis sorted set scored by due time, polled.
    Zset,
    /// RabbitMQ per-message TTL and a dead-letter exchange (expiry at the
    /// head only).
    TtlDlx,
}

/// When a message asks to be delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// This long after it was created.
    After(TimeUs),
    /// The next time the clock shows this time of day (µs after midnight;
    /// the simulation starts at midnight).
    At(TimeUs),
}

fn default_level() -> u32 {
    16
}
fn default_poll() -> TimeUs {
    crate::time::US_PER_S
}

/// One retry policy, for the queue `queue` and every consumer group that
/// reads it (manual ack only: under auto-ack there is nothing to retry).
///
/// A failed delivery is retried — at the head at once (`backoff: none`, a
/// nack with requeue), or at the tail after a delay — until the message has
/// been delivered `max_retries + 1` times; then, with `dead_letter`, it
/// moves to the dead-letter queue with its delivery count. Without a
/// dead-letter queue it is retried for ever.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    pub queue: String,
    /// Share of messages (0 to 1) that fail on every delivery until the
    /// fix is deployed: poison (a bad format, a business rule the code
    /// gets wrong). Decided per message id, so a copy is poison too.
    #[serde(default)]
    pub poison_rate: f64,
    /// Share of deliveries (0 to 1) of a healthy message that fail for a
    /// passing reason (a timeout downstream); the next try usually works.
    #[serde(default)]
    pub transient_rate: f64,
    /// Retries after the first delivery before dead-lettering.
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
    #[serde(default)]
    pub backoff: Backoff,
    /// The delay before the first retry (`fixed`: every retry).
    #[serde(default = "default_backoff_base")]
    pub backoff_us: TimeUs,
    /// The longest delay `exponential` grows to.
    #[serde(default = "default_backoff_max")]
    pub backoff_max_us: TimeUs,
    /// Whether the queue has a dead-letter queue (RabbitMQ:
    /// `x-dead-letter-exchange`).
    #[serde(default = "default_true")]
    pub dead_letter: bool,
    /// The dead-letter queue's length limit; a message dead-lettered while
    /// it is full is dropped (`dead_letter_queue_full`).
    #[serde(default = "default_dlq_capacity")]
    pub dlq_capacity: u64,
}

/// How long a failed message waits before its next delivery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// Back at the head of the queue at once (nack with requeue).
    None,
    /// `backoff_us` every time, then at the tail of the queue.
    Fixed,
    /// `backoff_us`, doubling with every delivery, up to `backoff_max_us`.
    #[default]
    Exponential,
}

/// Most retries a policy may allow (the delivery count fits a `u16`).
pub const MAX_RETRIES: u32 = 1_000;

fn default_max_retries() -> u32 {
    3
}
fn default_backoff_base() -> TimeUs {
    US_PER_S
}
fn default_backoff_max() -> TimeUs {
    30 * US_PER_S
}
fn default_dlq_capacity() -> u64 {
    1_000
}

/// Steps that must be applied in order per user: the producer's messages
/// are, in turn, each user's created → paid → shipped (user after user);
/// a consumer group's ack applies a step. Optionally spread over
/// partitions by a key, and re-ordered by sequence number before the ack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderingSpec {
    /// The producer whose messages are the steps.
    pub producer: String,
    /// Users whose steps interleave (1 to [`MAX_USERS`]).
    pub users: u32,
    /// Queues the steps are spread over by `hash(key) mod len`; empty: the
    /// producer's own target.
    #[serde(default)]
    pub partitions: Vec<String>,
    #[serde(default)]
    pub key: OrderKey,
    #[serde(default)]
    pub reorder: Reorder,
    /// `naive`: how often the buffer is sorted and applied.
    #[serde(default = "default_batch")]
    pub batch_us: TimeUs,
    /// `wait`: how long a step waits for a missing earlier one.
    #[serde(default = "default_gap_timeout")]
    pub timeout_us: TimeUs,
    /// Steps the re-ordering buffer holds at most (1 to [`MAX_REORDER_BUFFER`]).
    #[serde(default = "default_reorder_buffer")]
    pub buffer: u32,
}

/// Most users an [`OrderingSpec`] may have.
pub const MAX_USERS: u32 = 10_000;
/// Largest re-ordering buffer.
pub const MAX_REORDER_BUFFER: u32 = 100_000;

/// What a step is partitioned by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKey {
    /// The user id: a user's steps share a partition.
    #[default]
    User,
    /// Each step's own record id (payment no., waybill no.).
    Order,
    /// A random key per message.
    Random,
}

/// What a consumer does before applying a step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reorder {
    /// Applies it at once.
    #[default]
    None,
    /// Buffers every step and, every `batch_us`, applies what it holds
    /// sorted by sequence number (a missing step is not waited for).
    Naive,
    /// Holds a step until every earlier step of its user was applied, or
    /// until `timeout_us`, then gives up on the gap.
    Wait,
}

fn default_batch() -> TimeUs {
    200 * US_PER_MS
}
fn default_gap_timeout() -> TimeUs {
    5 * US_PER_S
}
fn default_reorder_buffer() -> u32 {
    256
}

/// A consumer group whose processing has an effect on the world (points
/// added to an account, one award per message id), how it guards that
/// effect against duplicates, and the duplicates the network adds.
///
/// Processing a message takes the group's work time; the effect is written
/// halfway through and the message acked at the end, so a crash can fall
/// before the effect or between the effect and the ack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdempotenceSpec {
    /// The consumer group whose effect is watched.
    pub consumer: String,
    #[serde(default)]
    pub strategy: IdempotenceStrategy,
    /// When a dedupe key is written (`strategy: dedupe` only).
    #[serde(default)]
    pub mark: DedupeMark,
    /// How long a dedupe key lives (`EX`).
    #[serde(default = "default_dedupe_ttl")]
    pub ttl_us: TimeUs,
    /// Share of stored messages (0 to 1) the network delivers a second time.
    #[serde(default)]
    pub duplicate_rate: f64,
    /// How long after the original was stored its network duplicate is.
    #[serde(default = "default_duplicate_delay")]
    pub duplicate_delay_us: TimeUs,
}

/// How a consumer keeps a repeated message from repeating its effect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdempotenceStrategy {
    /// Nothing: every copy applies the effect again (a plain `INCREMENT`).
    #[default]
    None,
    /// A database unique constraint on the message id, written in the same
    /// transaction as the effect: the second insert fails and the copy is
    /// treated as done.
    UniqueKey,
    /// A Redis key per message id, `SET processed:<id> NX EX <ttl>`: a copy
    /// that finds the key is skipped; once the key expires it is not.
    Dedupe,
}

/// When the dedupe key is written, relative to the work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DedupeMark {
    /// `SET NX` before processing (what the chapter's sketch does): the
    /// check and the mark are one atomic step, but a crash mid-work leaves
    /// the key set with the work undone, and the redelivery is skipped — a
    /// silent loss for as long as the key lives.
    #[default]
    Before,
    /// Check (`EXISTS`) before processing, `SET` after it, just before the
    /// ack: a crash between the effect and the mark lets the redelivery
    /// apply the effect again.
    After,
}

fn default_dedupe_ttl() -> TimeUs {
    3600 * US_PER_S
}
fn default_duplicate_delay() -> TimeUs {
    3 * US_PER_S
}

fn default_link_latency() -> TimeUs {
    US_PER_MS
}
fn default_sample_interval() -> TimeUs {
    100 * US_PER_MS
}
fn default_horizon() -> TimeUs {
    60 * US_PER_S
}
fn default_log_every() -> u64 {
    1
}
fn default_true() -> bool {
    true
}
fn default_one() -> u32 {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerSpec {
    /// How long a crashed broker takes to come back.
    #[serde(default = "default_broker_restart")]
    pub restart_us: TimeUs,
    /// How persistent messages reach the disk (RocketMQ's 同步/异步刷盘).
    #[serde(default)]
    pub flush: Flush,
    /// With `flush: async`, how often the broker writes to disk.
    #[serde(default = "default_flush_interval")]
    pub flush_interval_us: TimeUs,
    /// Copies of each queue: a leader and `replicas - 1` followers (1 to 3).
    #[serde(default = "default_replicas")]
    pub replicas: u8,
    /// When the leader acknowledges a publish (Kafka's `acks`).
    #[serde(default)]
    pub acks: Acks,
    /// How long a follower takes to copy a stored message. A message is
    /// deliverable once copied (Kafka's high watermark).
    #[serde(default = "default_replication_lag")]
    pub replication_lag_us: TimeUs,
}

/// When a persistent message is on disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flush {
    /// Written before the broker accepts it (同步刷盘).
    #[default]
    Sync,
    /// Written at the next flush tick (异步刷盘): a crash loses the interval.
    Async,
}

/// When the leader acknowledges a publish to the producer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acks {
    /// Never: the producer sends and forgets (no confirm is possible).
    #[serde(rename = "0")]
    Zero,
    /// Once the leader stored it.
    #[default]
    #[serde(rename = "1")]
    One,
    /// Once every follower copied it.
    All,
}

fn default_flush_interval() -> TimeUs {
    500 * US_PER_MS
}
/// Most copies of a queue (a leader and two followers).
pub const MAX_REPLICAS: u8 = 3;

fn default_replicas() -> u8 {
    1
}
fn default_replication_lag() -> TimeUs {
    300 * US_PER_MS
}

fn default_broker_restart() -> TimeUs {
    2 * US_PER_S
}

impl Default for BrokerSpec {
    fn default() -> Self {
        BrokerSpec {
            restart_us: default_broker_restart(),
            flush: Flush::Sync,
            flush_interval_us: default_flush_interval(),
            replicas: default_replicas(),
            acks: Acks::One,
            replication_lag_us: default_replication_lag(),
        }
    }
}

/// How a producer's sending rate varies over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RateShape {
    /// Evenly spaced messages.
    Constant {
        rate_per_s: f64,
        #[serde(default)]
        start_us: TimeUs,
    },
    /// Random (Poisson) arrivals with the given mean rate.
    Poisson { rate_per_s: f64 },
    /// Evenly spaced messages for `length_us` from `start_us`, then nothing.
    Burst {
        rate_per_s: f64,
        start_us: TimeUs,
        length_us: TimeUs,
    },
    /// Piecewise-constant rate: each step holds from `at_us` to the next step.
    Steps { steps: Vec<RateStep> },
    /// Only sends when told to (a "produce" button or command).
    Manual,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateStep {
    pub at_us: TimeUs,
    pub rate_per_s: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    pub name: String,
    pub rate: RateShape,
    /// A queue or a topic (asynchronous hand-off) or a service (synchronous call).
    pub target: String,
    /// Publisher confirms: a dropped publish is noticed and sent again.
    #[serde(default)]
    pub confirm: bool,
    /// Messages are marked persistent (survive a broker crash).
    #[serde(default)]
    pub persistent: bool,
    /// Stop after this many messages.
    #[serde(default)]
    pub limit: Option<u64>,
    /// How long a producer with confirms waits before re-sending.
    #[serde(default = "default_retry")]
    pub retry_us: TimeUs,
}

fn default_retry() -> TimeUs {
    500 * US_PER_MS
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// A full queue refuses new messages (the sender is told).
    Reject,
    /// A full queue drops its oldest message to make room.
    DropOldest,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    pub name: String,
    pub capacity: u64,
    #[serde(default = "default_overflow")]
    pub overflow: Overflow,
    /// A broker profile's cost per message (see [`BrokerPacing`]); `None`
    /// makes a message deliverable as soon as it is stored.
    #[serde(default)]
    pub pacing: Option<BrokerPacing>,
    /// Acked messages the queue keeps for consumers to re-read (a log, as
    /// in Kafka, RocketMQ and Redis Streams), newest kept; 0 = a message is
    /// deleted once acked (a RabbitMQ queue), so nothing can be replayed.
    #[serde(default)]
    pub retain_acked: u64,
}

/// A broker-side model of a queue's engine: a throughput ceiling (messages
/// the broker moves through this queue per second) and a latency added
/// between storing a message and making it deliverable. Delivery order stays
/// FIFO: a message never becomes deliverable before the one ahead of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerPacing {
    pub throughput_per_s: f64,
    pub latency: Dist,
}

/// A topic (a fan-out exchange): every message published to it is copied
/// into each subscribed queue, and each subscription is drained by its own
/// consumers at its own pace.
///
/// Ledger accounting: the first active subscription receives the original
/// message; each further subscription receives a copy that is its own
/// message (its own id, the same creation time), so `ledger.total` counts
/// one message per delivered copy and every copy ends in exactly one state.
/// The last subscription cannot be removed (a topic always has a reader).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    pub name: String,
    /// Queues subscribed from the start (at least one).
    pub subscriptions: Vec<String>,
    /// Queues that start unsubscribed and that `set_subscribers` may
    /// subscribe later: it keeps the first N of `subscriptions` followed by
    /// these, in order (p2p-vs-pubsub's subscriber count, applied live).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standby: Vec<String>,
}

/// How a queue hands messages to its competing consumers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dispatch {
    /// Prefetch-limited: a consumer holding `prefetch` unacked messages gets
    /// no more until it acks one (RabbitMQ with `basic.qos`).
    #[default]
    Prefetch,
    /// Strict round-robin push regardless of load (RabbitMQ's default with
    /// no prefetch limit): each consumer gets the next message in turn even
    /// while busy, and extra messages wait in its local buffer.
    RoundRobin,
}

/// The unacked limit used for [`Dispatch::RoundRobin`] ("unlimited").
pub const ROUND_ROBIN_PREFETCH: u32 = 1_000;

fn default_overflow() -> Overflow {
    Overflow::Reject
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckMode {
    /// The broker deletes a message as soon as it is delivered.
    Auto,
    /// The consumer acknowledges after processing; unacked work is redelivered.
    Manual,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerSpec {
    pub name: String,
    pub queue: String,
    pub count: u32,
    /// Messages one consumer handles at once (its prefetch).
    #[serde(default = "default_one")]
    pub concurrency: u32,
    /// The consumer's own work per message (before any downstream call).
    pub service_time: Dist,
    #[serde(default = "default_true")]
    pub online: bool,
    #[serde(default = "default_ack")]
    pub ack: AckMode,
    /// A service each message is written to (e.g. the database).
    #[serde(default)]
    pub calls: Option<String>,
    /// How long a crashed consumer takes to restart.
    #[serde(default = "default_restart")]
    pub restart_us: TimeUs,
    /// Wait before retrying a refused downstream call.
    #[serde(default = "default_backoff")]
    pub retry_backoff_us: TimeUs,
    /// Share of deliveries whose processing fails (0 to 1): the consumer
    /// nacks with requeue (manual ack); under auto-ack the message is lost.
    #[serde(default)]
    pub fail_rate: f64,
    #[serde(default)]
    pub dispatch: Dispatch,
    /// Unacked messages one consumer may hold with [`Dispatch::Prefetch`]
    /// (at least `concurrency`; default `concurrency`). Messages beyond
    /// `concurrency` wait in the consumer's local buffer.
    #[serde(default)]
    pub prefetch: Option<u32>,
}

impl ConsumerSpec {
    /// The unacked limit per consumer this spec implies.
    pub fn unacked_limit(&self) -> u32 {
        // A no-ack consumer has no unacked messages to count: RabbitMQ
        // ignores basic.qos for it and pushes as fast as it can, so every
        // message pushed and not yet worked on waits in the consumer (and is
        // lost with it if it crashes). Checked against RabbitMQ 3.10:
        // fidelity/scripts/02-auto-ack-crash.mqs.
        if self.ack == AckMode::Auto {
            return ROUND_ROBIN_PREFETCH.max(self.concurrency);
        }
        match self.dispatch {
            Dispatch::Prefetch => self.prefetch.unwrap_or(self.concurrency),
            Dispatch::RoundRobin => ROUND_ROBIN_PREFETCH.max(self.concurrency),
        }
    }
}

fn default_ack() -> AckMode {
    AckMode::Manual
}
fn default_restart() -> TimeUs {
    2 * US_PER_S
}
fn default_backoff() -> TimeUs {
    100 * US_PER_MS
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub name: String,
    /// Requests per second the service completes when saturated.
    pub capacity_per_s: f64,
    /// Requests handled in parallel; each takes `concurrency / capacity_per_s` seconds.
    #[serde(default = "default_one")]
    pub concurrency: u32,
    /// Requests that may wait for a free worker; beyond that they are refused.
    #[serde(default)]
    pub backlog: u32,
    /// A waiting request gives up after this long (0 = never).
    #[serde(default)]
    pub timeout_us: TimeUs,
    #[serde(default = "default_true")]
    pub up: bool,
    /// A synchronous call chain: after its own step the request goes on to
    /// this service, and the caller gets its answer only after the whole
    /// chain; a failure anywhere fails the caller with that step's cause.
    /// (A step's worker is freed when its own step ends.)
    #[serde(default)]
    pub then_calls: Option<String>,
    /// After a successful step, the service publishes a new message (an
    /// asynchronous hand-off) to this queue or topic.
    #[serde(default)]
    pub publishes: Option<String>,
}

/// A problem with a scenario, naming the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError(pub String);

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_rate(what: &str, r: f64, allow_zero: bool) -> Result<(), SpecError> {
    let low_ok = if allow_zero { r >= 0.0 } else { r > 0.0 };
    if !r.is_finite() || !low_ok || r > MAX_RATE_PER_S {
        return Err(SpecError(format!(
            "{what} = {} is out of range ({} to {} per second)",
            crate::num::short(r),
            if allow_zero { "0" } else { "more than 0" },
            crate::num::short(MAX_RATE_PER_S)
        )));
    }
    Ok(())
}

fn check_duration(what: &str, us: TimeUs) -> Result<(), SpecError> {
    if us > MAX_DURATION_US {
        return Err(SpecError(format!("{what} = {us}µs is longer than 30 days")));
    }
    Ok(())
}

fn check_dist(what: &str, d: &Dist) -> Result<(), SpecError> {
    match *d {
        Dist::Fixed { us } => check_duration(what, us),
        Dist::Uniform { min_us, max_us } => {
            check_duration(what, min_us)?;
            check_duration(what, max_us)
        }
        Dist::Exponential { mean_us } => check_duration(what, mean_us),
    }
}

impl ScenarioSpec {
    /// Whether a run of this scenario draws anything at random, so that
    /// its seed changes what happens. When it does not, every seed gives
    /// the same run, and the page says so instead of offering a seed that
    /// does nothing. (engine/tests/determinism.rs checks both answers
    /// against two runs of every built-in.)
    pub fn draws_random(&self) -> bool {
        let poisson = self
            .producers
            .iter()
            .any(|p| matches!(p.rate, RateShape::Poisson { .. }));
        let work = self
            .consumers
            .iter()
            .any(|c| c.service_time.is_random() || c.fail_rate > 0.0);
        let pacing = self
            .queues
            .iter()
            .any(|q| q.pacing.as_ref().is_some_and(|p| p.latency.is_random()));
        let duplicates = self
            .idempotence
            .as_ref()
            .is_some_and(|i| i.duplicate_rate > 0.0);
        let failures = self
            .retry
            .as_ref()
            .is_some_and(|r| r.poison_rate > 0.0 || r.transient_rate > 0.0);
        let keys = self
            .ordering
            .as_ref()
            .is_some_and(|o| o.key == OrderKey::Random && o.partitions.len() > 1);
        let pays = self.delay.as_ref().is_some_and(|d| d.pay_rate > 0.0);
        let crashes = self.txn.as_ref().is_some_and(|t| t.crash_rate > 0.0);
        poisson || work || pacing || duplicates || failures || keys || pays || crashes
    }

    /// Checks names, references and ranges; the error names the field.
    pub fn validate(&self) -> Result<(), SpecError> {
        let mut names: Vec<&str> = Vec::new();
        let all = self
            .producers
            .iter()
            .map(|p| p.name.as_str())
            .chain(self.queues.iter().map(|q| q.name.as_str()))
            .chain(self.consumers.iter().map(|c| c.name.as_str()))
            .chain(self.services.iter().map(|s| s.name.as_str()))
            .chain(self.topics.iter().map(|t| t.name.as_str()));
        for n in all {
            if n.is_empty() {
                return Err(SpecError("a node has an empty name".into()));
            }
            if names.contains(&n) {
                return Err(SpecError(format!("two nodes are named '{n}'")));
            }
            names.push(n);
        }
        if names.len() > u16::MAX as usize / 2 {
            return Err(SpecError("too many nodes".into()));
        }
        check_duration("link_latency_us", self.link_latency_us)?;
        check_duration("horizon_us", self.horizon_us)?;
        check_duration("broker.restart_us", self.broker.restart_us)?;
        check_duration("broker.replication_lag_us", self.broker.replication_lag_us)?;
        check_duration("broker.flush_interval_us", self.broker.flush_interval_us)?;
        if self.broker.flush_interval_us == 0 {
            return Err(SpecError(
                "broker.flush_interval_us must be more than 0".into(),
            ));
        }
        if !(1..=MAX_REPLICAS).contains(&self.broker.replicas) {
            return Err(SpecError(format!(
                "broker.replicas must be between 1 and {MAX_REPLICAS}"
            )));
        }
        if self.sample_interval_us < US_PER_MS || self.sample_interval_us > 3600 * US_PER_S {
            return Err(SpecError(
                "sample_interval_us must be between 1ms and 1h".into(),
            ));
        }
        let is_queue = |n: &str| self.queues.iter().any(|q| q.name == n);
        let is_service = |n: &str| self.services.iter().any(|s| s.name == n);
        let is_topic = |n: &str| self.topics.iter().any(|t| t.name == n);
        for p in &self.producers {
            let field = |f: &str| format!("producers.{}.{f}", p.name);
            if !is_queue(&p.target) && !is_service(&p.target) && !is_topic(&p.target) {
                return Err(SpecError(format!(
                    "{}: '{}' is neither a queue nor a service (nor a topic)",
                    field("target"),
                    p.target
                )));
            }
            check_duration(&field("retry_us"), p.retry_us)?;
            if p.confirm && p.retry_us == 0 {
                return Err(SpecError(format!(
                    "{} must be more than 0",
                    field("retry_us")
                )));
            }
            match &p.rate {
                RateShape::Constant {
                    rate_per_s,
                    start_us,
                } => {
                    check_rate(&field("rate.rate_per_s"), *rate_per_s, true)?;
                    check_duration(&field("rate.start_us"), *start_us)?;
                }
                RateShape::Poisson { rate_per_s } => {
                    check_rate(&field("rate.rate_per_s"), *rate_per_s, true)?
                }
                RateShape::Burst {
                    rate_per_s,
                    start_us,
                    length_us,
                } => {
                    check_rate(&field("rate.rate_per_s"), *rate_per_s, true)?;
                    check_duration(&field("rate.start_us"), *start_us)?;
                    check_duration(&field("rate.length_us"), *length_us)?;
                }
                RateShape::Steps { steps } => {
                    if steps.len() > 1000 {
                        return Err(SpecError(format!(
                            "{}: at most 1000 steps",
                            field("rate.steps")
                        )));
                    }
                    let mut last = 0;
                    for s in steps {
                        check_rate(&field("rate.steps.rate_per_s"), s.rate_per_s, true)?;
                        check_duration(&field("rate.steps.at_us"), s.at_us)?;
                        if s.at_us < last {
                            return Err(SpecError(format!(
                                "{}: steps must be in time order",
                                field("rate.steps")
                            )));
                        }
                        last = s.at_us;
                    }
                }
                RateShape::Manual => {}
            }
        }
        for q in &self.queues {
            if q.capacity == 0 || q.capacity > MAX_QUEUE_CAPACITY {
                return Err(SpecError(format!(
                    "queues.{}.capacity = {} is out of range (1 to {MAX_QUEUE_CAPACITY})",
                    q.name, q.capacity
                )));
            }
            if q.retain_acked > MAX_QUEUE_CAPACITY {
                return Err(SpecError(format!(
                    "queues.{}.retain_acked is too large",
                    q.name
                )));
            }
            if let Some(pc) = &q.pacing {
                let field = format!("queues.{}.pacing", q.name);
                check_rate(
                    &format!("{field}.throughput_per_s"),
                    pc.throughput_per_s,
                    false,
                )?;
                check_dist(&format!("{field}.latency"), &pc.latency)?;
            }
        }
        for t in &self.topics {
            if t.subscriptions.is_empty() {
                return Err(SpecError(format!(
                    "topics.{}.subscriptions: a topic needs at least one queue",
                    t.name
                )));
            }
            let pool: Vec<&String> = t.subscriptions.iter().chain(&t.standby).collect();
            for (i, qn) in pool.iter().enumerate() {
                let list = if i < t.subscriptions.len() {
                    "subscriptions"
                } else {
                    "standby"
                };
                if !is_queue(qn) {
                    return Err(SpecError(format!(
                        "topics.{}.{list}: no queue named '{qn}'",
                        t.name
                    )));
                }
                if pool[..i].contains(qn) {
                    return Err(SpecError(format!(
                        "topics.{}.{list}: '{qn}' is listed twice",
                        t.name
                    )));
                }
            }
        }
        for c in &self.consumers {
            let field = |f: &str| format!("consumers.{}.{f}", c.name);
            if !is_queue(&c.queue) {
                return Err(SpecError(format!(
                    "{}: no queue named '{}'",
                    field("queue"),
                    c.queue
                )));
            }
            if c.count > MAX_CONSUMERS {
                return Err(SpecError(format!(
                    "{} = {} is out of range (0 to {MAX_CONSUMERS})",
                    field("count"),
                    c.count
                )));
            }
            if c.concurrency == 0 || c.concurrency > MAX_CONCURRENCY {
                return Err(SpecError(format!(
                    "{} = {} is out of range (1 to {MAX_CONCURRENCY})",
                    field("concurrency"),
                    c.concurrency
                )));
            }
            check_dist(&field("service_time"), &c.service_time)?;
            check_duration(&field("restart_us"), c.restart_us)?;
            check_duration(&field("retry_backoff_us"), c.retry_backoff_us)?;
            if c.retry_backoff_us == 0 {
                return Err(SpecError(format!(
                    "{} must be more than 0",
                    field("retry_backoff_us")
                )));
            }
            if !(c.fail_rate.is_finite() && (0.0..=1.0).contains(&c.fail_rate)) {
                return Err(SpecError(format!(
                    "{} must be between 0 and 1",
                    field("fail_rate")
                )));
            }
            if let Some(p) = c.prefetch {
                if p < c.concurrency || p > ROUND_ROBIN_PREFETCH {
                    return Err(SpecError(format!(
                        "{} = {p} is out of range ({} to {ROUND_ROBIN_PREFETCH})",
                        field("prefetch"),
                        c.concurrency
                    )));
                }
            }
            if let Some(s) = &c.calls {
                if !is_service(s) {
                    return Err(SpecError(format!(
                        "{}: no service named '{s}'",
                        field("calls")
                    )));
                }
            }
        }
        for s in &self.services {
            let field = |f: &str| format!("services.{}.{f}", s.name);
            check_rate(&field("capacity_per_s"), s.capacity_per_s, false)?;
            if s.capacity_per_s < 0.001 {
                return Err(SpecError(format!(
                    "{} must be at least 0.001",
                    field("capacity_per_s")
                )));
            }
            if s.concurrency == 0 || s.concurrency > MAX_CONCURRENCY {
                return Err(SpecError(format!(
                    "{} = {} is out of range (1 to {MAX_CONCURRENCY})",
                    field("concurrency"),
                    s.concurrency
                )));
            }
            if s.backlog as u64 > MAX_QUEUE_CAPACITY {
                return Err(SpecError(format!("{} is too large", field("backlog"))));
            }
            check_duration(&field("timeout_us"), s.timeout_us)?;
            if let Some(n) = &s.then_calls {
                if !is_service(n) {
                    return Err(SpecError(format!(
                        "{}: no service named '{n}'",
                        field("then_calls")
                    )));
                }
            }
            if let Some(n) = &s.publishes {
                if !is_queue(n) && !is_topic(n) {
                    return Err(SpecError(format!(
                        "{}: '{n}' is neither a queue nor a topic",
                        field("publishes")
                    )));
                }
            }
        }
        if let Some(i) = &self.idempotence {
            if !self.consumers.iter().any(|c| c.name == i.consumer) {
                return Err(SpecError(format!(
                    "idempotence.consumer: no consumer group named '{}'",
                    i.consumer
                )));
            }
            if !(i.duplicate_rate.is_finite() && (0.0..=1.0).contains(&i.duplicate_rate)) {
                return Err(SpecError(
                    "idempotence.duplicate_rate must be between 0 and 1".into(),
                ));
            }
            check_duration("idempotence.ttl_us", i.ttl_us)?;
            if i.ttl_us == 0 {
                return Err(SpecError("idempotence.ttl_us must be more than 0".into()));
            }
            check_duration("idempotence.duplicate_delay_us", i.duplicate_delay_us)?;
        }
        if let Some(r) = &self.retry {
            if !is_queue(&r.queue) {
                return Err(SpecError(format!(
                    "retry.queue: no queue named '{}'",
                    r.queue
                )));
            }
            if self
                .consumers
                .iter()
                .any(|c| c.queue == r.queue && c.ack == AckMode::Auto)
            {
                return Err(SpecError(
                    "retry: the consumers of its queue must ack manually".into(),
                ));
            }
            for (what, v) in [
                ("poison_rate", r.poison_rate),
                ("transient_rate", r.transient_rate),
            ] {
                if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                    return Err(SpecError(format!("retry.{what} must be between 0 and 1")));
                }
            }
            if r.max_retries > MAX_RETRIES {
                return Err(SpecError(format!(
                    "retry.max_retries is more than {MAX_RETRIES}"
                )));
            }
            check_duration("retry.backoff_us", r.backoff_us)?;
            check_duration("retry.backoff_max_us", r.backoff_max_us)?;
            if r.dlq_capacity > MAX_QUEUE_CAPACITY {
                return Err(SpecError("retry.dlq_capacity is too large".into()));
            }
        }
        if let Some(d) = &self.delay {
            if !is_queue(&d.queue) {
                return Err(SpecError(format!(
                    "delay.queue: no queue named '{}'",
                    d.queue
                )));
            }
            let is_producer = |n: &str| self.producers.iter().any(|p| p.name == n);
            if let Some((n, _)) = d.due.iter().find(|(n, _)| !is_producer(n)) {
                return Err(SpecError(format!("delay.due: no producer named '{n}'")));
            }
            if !is_producer(&d.orders) {
                return Err(SpecError(format!(
                    "delay.orders: no producer named '{}'",
                    d.orders
                )));
            }
            if !(1..=18).contains(&d.level) {
                return Err(SpecError("delay.level must be between 1 and 18".into()));
            }
            check_duration("delay.poll_us", d.poll_us)?;
            if d.poll_us == 0 {
                return Err(SpecError("delay.poll_us must be more than 0".into()));
            }
            for (_, due) in &d.due {
                let (Due::After(us) | Due::At(us)) = *due;
                check_duration("delay.due", us)?;
            }
            if !(d.pay_rate.is_finite() && (0.0..=1.0).contains(&d.pay_rate)) {
                return Err(SpecError("delay.pay_rate must be between 0 and 1".into()));
            }
            check_duration("delay.pay_mean_us", d.pay_mean_us)?;
        }
        if let Some(t) = &self.txn {
            match self.producers.iter().find(|p| p.name == t.producer) {
                None => {
                    return Err(SpecError(format!(
                        "txn.producer: no producer named '{}'",
                        t.producer
                    )))
                }
                Some(p) if !is_queue(&p.target) => {
                    return Err(SpecError(format!(
                        "txn.producer: '{}' must publish to a queue",
                        t.producer
                    )))
                }
                Some(_) => {}
            }
            check_duration("txn.local_tx_us", t.local_tx_us)?;
            check_duration("txn.check_back_us", t.check_back_us)?;
            check_duration("txn.relay_poll_us", t.relay_poll_us)?;
            if t.check_back_us == 0 || t.relay_poll_us == 0 {
                return Err(SpecError(
                    "txn.check_back_us and txn.relay_poll_us must be more than 0".into(),
                ));
            }
            if !(t.crash_rate.is_finite() && (0.0..=1.0).contains(&t.crash_rate)) {
                return Err(SpecError("txn.crash_rate must be between 0 and 1".into()));
            }
        }
        if let Some(f) = &self.flash_sale {
            if !is_queue(&f.queue) {
                return Err(SpecError(format!(
                    "flash_sale.queue: no queue named '{}'",
                    f.queue
                )));
            }
            if f.stock > MAX_QUEUE_CAPACITY {
                return Err(SpecError("flash_sale.stock is too large".into()));
            }
            check_duration("flash_sale.poll_us", f.poll_us)?;
            if f.poll_us == 0 {
                return Err(SpecError("flash_sale.poll_us must be more than 0".into()));
            }
        }
        if let Some(k) = &self.seckill {
            if !self.producers.iter().any(|p| p.name == k.producer) {
                return Err(SpecError(format!(
                    "seckill.producer: no producer named '{}'",
                    k.producer
                )));
            }
            if !is_queue(&k.queue) {
                return Err(SpecError(format!(
                    "seckill.queue: no queue named '{}'",
                    k.queue
                )));
            }
            if k.stock > MAX_QUEUE_CAPACITY {
                return Err(SpecError("seckill.stock is too large".into()));
            }
            if !(1..=MAX_STOCK_WORKERS).contains(&k.stock_workers) {
                return Err(SpecError(format!(
                    "seckill.stock_workers must be between 1 and {MAX_STOCK_WORKERS}"
                )));
            }
            if k.backlog as u64 > MAX_QUEUE_CAPACITY {
                return Err(SpecError("seckill.backlog is too large".into()));
            }
            check_duration("seckill.redis_rtt_us", k.redis_rtt_us)?;
            check_duration("seckill.monitor_window_us", k.monitor_window_us)?;
            if !(k.limiter_rate_per_s.is_finite() && k.limiter_rate_per_s > 0.0) {
                return Err(SpecError(
                    "seckill.limiter_rate_per_s must be a number above 0".into(),
                ));
            }
            if !(k.alert_success_pct.is_finite() && (0.0..=100.0).contains(&k.alert_success_pct)) {
                return Err(SpecError(
                    "seckill.alert_success_pct must be between 0 and 100".into(),
                ));
            }
        }
        if let Some(o) = &self.ordering {
            if !self.producers.iter().any(|p| p.name == o.producer) {
                return Err(SpecError(format!(
                    "ordering.producer: no producer named '{}'",
                    o.producer
                )));
            }
            if !(1..=MAX_USERS).contains(&o.users) {
                return Err(SpecError(format!(
                    "ordering.users must be between 1 and {MAX_USERS}"
                )));
            }
            if !(1..=MAX_REORDER_BUFFER).contains(&o.buffer) {
                return Err(SpecError(format!(
                    "ordering.buffer must be between 1 and {MAX_REORDER_BUFFER}"
                )));
            }
            if o.partitions.len() > 1000 {
                return Err(SpecError("ordering.partitions: at most 1000".into()));
            }
            if let Some(n) = o.partitions.iter().find(|n| !is_queue(n)) {
                return Err(SpecError(format!(
                    "ordering.partitions: no queue named '{n}'"
                )));
            }
            check_duration("ordering.batch_us", o.batch_us)?;
            check_duration("ordering.timeout_us", o.timeout_us)?;
            if o.batch_us == 0 {
                return Err(SpecError("ordering.batch_us must be more than 0".into()));
            }
        }
        // A call chain must end: follow `then_calls` from every service.
        for s in &self.services {
            let mut at = s;
            for _ in 0..=self.services.len() {
                match at.then_calls.as_deref() {
                    None => break,
                    Some(n) => match self.services.iter().find(|x| x.name == n) {
                        Some(next) => at = next,
                        None => break,
                    },
                }
            }
            if at.then_calls.is_some() {
                return Err(SpecError(format!(
                    "services.{}.then_calls: the call chain loops",
                    s.name
                )));
            }
        }
        Ok(())
    }
}
