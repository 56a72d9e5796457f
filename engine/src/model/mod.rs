//! What the simulation is made of, in two layers.
//!
//! State machines that answer small questions and know nothing of the
//! event loop: `producer` (rate shapes → send times), `queue` (FIFO,
//! capacity, overflow, wait accounting, pacing, retention), `consumer`
//! (groups of competing consumers with slots and crash epochs), `service`
//! (workers, waiting line, refusal), `effects` (a consumer's effect per
//! message id and the unique key on it), `topic`'s `Topic`, and two Redis
//! stores the delay and flash-sale scenarios build on, checked against a
//! real Redis by the fidelity suite: `zset` (a sorted set polled as a
//! delay queue), `stock` (a stock counter, taken by GET-then-DECR or by a
//! script) and `stream` (a stream and its consumer group's pending
//! entries); and `expiry`, a classic RabbitMQ queue's per-message TTL,
//! which expires only at the head.
//!
//! Capabilities, each owning its state and handling its own events and
//! commands on the [`Sim`](crate::sim::Sim): `publish` (producer → broker,
//! confirms, lost publishes), `topic` (fan-out routing), `broker`
//! (storage, crash and persistence, profile pacing, replay), `delivery`
//! (queue → consumers, prefetch, acks, consumer crashes), `calls`
//! (synchronous services and call chains), `dedupe` (duplicates, and a
//! consumer guarding its effect with a unique key or a dedupe key with a
//! TTL), `retry` (delivery counts, backoff, the dead-letter queue and
//! redrive), `ordering` (per-user steps, partitions by key, a
//! re-ordering buffer), `txn` (an order and its message kept in step) and
//! `seckill` (a flash-sale system's gateway: the `limiter`'s token bucket,
//! stock taken in Redis by a pool of workers, the order outcomes, and the
//! `monitor`'s charts and alerts). `sim` keeps the event loop and routes each event to
//! the capability that owns it.

pub mod broker;
pub mod calls;
pub mod consumer;
pub mod dedupe;
pub mod delay;
pub mod delivery;
pub mod effects;
pub mod expiry;
pub mod flash_sale;
pub mod limiter;
pub mod monitor;
pub mod ordering;
pub mod producer;
pub mod publish;
pub mod queue;
pub mod replication;
pub mod retry;
pub mod seckill;
pub mod service;
pub mod stock;
pub mod stream;
pub mod topic;
pub mod txn;
pub mod zset;

use crate::ledger::Slot;

/// A reference to a live message that stays safe after the message ends:
/// a stale handle (its slot reused by a newer message) is detected by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle {
    pub slot: Slot,
    pub id: u64,
}

/// Where an asynchronous publish goes: a queue, or a topic that copies it
/// into each of its subscribed queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Queue(u16),
    Topic(u16),
}
