//! The ledger: every message ever created is in exactly one state.
//!
//! Live messages (not yet in a terminal state) have a record in a slab; a
//! message that reaches a terminal state frees its slot and is only counted,
//! so memory is bounded by the number of live messages, not by run length.

use crate::vec_map::VecMap;

use serde::{Deserialize, Serialize};

use crate::time::TimeUs;
use crate::trace::TraceHasher;

/// Where a message is. Terminal states end a message's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MsgState {
    /// On the wire between two nodes.
    InFlight,
    /// Stored in a broker queue, waiting for a consumer.
    Queued,
    /// Held by the broker until a delivery time (delayed messages).
    Delayed,
    /// A transactional "half" message: stored but not yet visible.
    Half,
    /// Delivered to a consumer that has not acknowledged it yet.
    Unacked,
    /// Being handled by (or waiting at) a synchronous service.
    InService,
    /// Fully processed. Terminal.
    Done,
    /// Moved to a dead-letter queue after its last allowed delivery. Not
    /// terminal: it waits there for inspection, and a redrive moves it back
    /// to its queue.
    DeadLettered,
    /// Refused, and the sender was told. Terminal.
    Rejected,
    /// Gone without anyone being told. Terminal.
    Lost,
}

impl MsgState {
    pub const ALL: [MsgState; 10] = [
        MsgState::InFlight,
        MsgState::Queued,
        MsgState::Delayed,
        MsgState::Half,
        MsgState::Unacked,
        MsgState::InService,
        MsgState::Done,
        MsgState::DeadLettered,
        MsgState::Rejected,
        MsgState::Lost,
    ];

    pub fn is_terminal(self) -> bool {
        matches!(self, MsgState::Done | MsgState::Rejected | MsgState::Lost)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MsgState::InFlight => "in_flight",
            MsgState::Queued => "queued",
            MsgState::Delayed => "delayed",
            MsgState::Half => "half",
            MsgState::Unacked => "unacked",
            MsgState::InService => "in_service",
            MsgState::Done => "done",
            MsgState::DeadLettered => "dead_lettered",
            MsgState::Rejected => "rejected",
            MsgState::Lost => "lost",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Why a message was rejected or lost. Every rejection and loss has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The queue was at capacity and its overflow policy is "reject".
    QueueFull,
    /// The queue was at capacity and dropped its oldest message to make room.
    QueueOverflowDropOldest,
    /// The service's workers and waiting line were all full.
    ServiceOverCapacity,
    /// The request waited at the service longer than its timeout.
    ServiceTimeout,
    /// The service was down when the request arrived.
    ServiceDown,
    /// The broker was down when the message arrived.
    BrokerDown,
    /// Auto-ack: the broker deleted the message on delivery, then the consumer crashed.
    AutoAckConsumerCrash,
    /// The network dropped a publish and the producer had no publisher confirm to notice.
    NoConfirmNetworkDrop,
    /// The broker crashed while holding a message that was not persisted to disk.
    NotPersistentBrokerCrash,
    /// Persistent, but flushed to disk asynchronously: the broker crashed
    /// before the next flush wrote it.
    AsyncFlushBrokerCrash,
    /// The leader crashed before any follower had copied it, and the
    /// producer had already been told it was stored (acks=0 or acks=1).
    LeaderCrashBeforeCopy,
    /// Auto-ack: the broker forgot the message on delivery, then the
    /// consumer's processing failed, so nothing could requeue it.
    AutoAckProcessingFailure,
    /// Idempotence with a dedupe key written *before* processing (the
    /// chapter's sketch): a consumer crashed after `SET processed:<id> NX`
    /// but before the work was done, and the redelivery found the key and
    /// was acked as a duplicate, so the work never happened (for as long as
    /// the key lives).
    DedupeKeyBeforeCrash,
    /// A message was to be dead-lettered but the dead-letter queue was at
    /// its length limit: the broker dropped it (RabbitMQ's dead-lettering
    /// is at-most-once by default: nobody is told).
    DeadLetterQueueFull,
    /// A flash sale's sold-out flag turned the request away at the gate.
    SoldOut,
    /// The producer instance crashed after writing the order and before
    /// sending its message: nothing will ever send it.
    ProducerCrashed,
    /// The order's local transaction failed or its half message was rolled
    /// back: the message is dropped with the order, as it should be.
    TxnRolledBack,
    /// The gateway's rate limiter had no token for it: refused at once.
    RateLimited,
    /// Every stock worker of the gateway was busy and its waiting line full.
    GatewayBusy,
    /// The order service could not write the order (its database refused);
    /// the item it held went back to the stock.
    OrderFailed,
}

impl Cause {
    /// Every cause, for exhaustive checks and translation tables.
    pub const ALL: [Cause; 20] = [
        Cause::QueueFull,
        Cause::QueueOverflowDropOldest,
        Cause::ServiceOverCapacity,
        Cause::ServiceTimeout,
        Cause::ServiceDown,
        Cause::BrokerDown,
        Cause::AutoAckConsumerCrash,
        Cause::NoConfirmNetworkDrop,
        Cause::NotPersistentBrokerCrash,
        Cause::AsyncFlushBrokerCrash,
        Cause::LeaderCrashBeforeCopy,
        Cause::AutoAckProcessingFailure,
        Cause::DedupeKeyBeforeCrash,
        Cause::DeadLetterQueueFull,
        Cause::SoldOut,
        Cause::ProducerCrashed,
        Cause::TxnRolledBack,
        Cause::RateLimited,
        Cause::GatewayBusy,
        Cause::OrderFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::QueueFull => "queue_full",
            Cause::QueueOverflowDropOldest => "queue_overflow_drop_oldest",
            Cause::ServiceOverCapacity => "service_over_capacity",
            Cause::ServiceTimeout => "service_timeout",
            Cause::ServiceDown => "service_down",
            Cause::BrokerDown => "broker_down",
            Cause::AutoAckConsumerCrash => "auto_ack_consumer_crash",
            Cause::NoConfirmNetworkDrop => "no_confirm_network_drop",
            Cause::NotPersistentBrokerCrash => "not_persistent_broker_crash",
            Cause::AsyncFlushBrokerCrash => "async_flush_broker_crash",
            Cause::LeaderCrashBeforeCopy => "leader_crash_before_copy",
            Cause::AutoAckProcessingFailure => "auto_ack_processing_failure",
            Cause::DedupeKeyBeforeCrash => "dedupe_key_before_crash",
            Cause::DeadLetterQueueFull => "dead_letter_queue_full",
            Cause::SoldOut => "sold_out",
            Cause::ProducerCrashed => "producer_crashed",
            Cause::TxnRolledBack => "txn_rolled_back",
            Cause::RateLimited => "rate_limited",
            Cause::GatewayBusy => "gateway_busy",
            Cause::OrderFailed => "order_failed",
        }
    }

    /// One English sentence for logs and the CLI; the UI has its own translations.
    pub fn explain(self) -> &'static str {
        match self {
            Cause::QueueFull => "the queue was full and rejects new messages",
            Cause::QueueOverflowDropOldest => "the queue was full and dropped its oldest message",
            Cause::ServiceOverCapacity => "the service was over capacity",
            Cause::ServiceTimeout => "the request timed out waiting for the service",
            Cause::ServiceDown => "the service was down",
            Cause::BrokerDown => "the broker was down",
            Cause::AutoAckConsumerCrash => {
                "auto-ack: the consumer crashed after the broker forgot the message"
            }
            Cause::NoConfirmNetworkDrop => {
                "the network dropped it and no publisher confirm noticed"
            }
            Cause::NotPersistentBrokerCrash => {
                "the broker crashed and the message was not persisted"
            }
            Cause::AsyncFlushBrokerCrash => {
                "the broker crashed before its asynchronous flush wrote the message to disk"
            }
            Cause::LeaderCrashBeforeCopy => {
                "the leader crashed before a follower copied the message, after the producer was told it was stored"
            }
            Cause::AutoAckProcessingFailure => {
                "auto-ack: processing failed after the broker forgot the message, so it could not be requeued"
            }
            Cause::DedupeKeyBeforeCrash => {
                "the dedupe key was written before processing, the consumer crashed before the work was done, and the redelivery was skipped as a duplicate"
            }
            Cause::DeadLetterQueueFull => {
                "it was to be dead-lettered but the dead-letter queue was full, so the broker dropped it"
            }
            Cause::SoldOut => "the sale was sold out, and the gate said so at once",
            Cause::ProducerCrashed => {
                "the producer crashed after writing the order and before sending its message"
            }
            Cause::TxnRolledBack => {
                "the order's local transaction failed or was rolled back, so its message was dropped with it"
            }
            Cause::RateLimited => "the gateway's rate limiter had no token for it",
            Cause::GatewayBusy => {
                "every stock worker of the gateway was busy and its waiting line was full"
            }
            Cause::OrderFailed => {
                "the order database refused the order, and its item went back to the stock"
            }
        }
    }

    /// Whether this cause makes a message `Rejected` (sender told) or `Lost`.
    pub fn terminal_state(self) -> MsgState {
        match self {
            Cause::QueueFull
            | Cause::ServiceOverCapacity
            | Cause::ServiceTimeout
            | Cause::ServiceDown
            | Cause::BrokerDown
            | Cause::SoldOut
            | Cause::TxnRolledBack
            | Cause::RateLimited
            | Cause::GatewayBusy
            | Cause::OrderFailed => MsgState::Rejected,
            Cause::QueueOverflowDropOldest
            | Cause::AutoAckConsumerCrash
            | Cause::NoConfirmNetworkDrop
            | Cause::NotPersistentBrokerCrash
            | Cause::AsyncFlushBrokerCrash
            | Cause::LeaderCrashBeforeCopy
            | Cause::AutoAckProcessingFailure
            | Cause::ProducerCrashed
            | Cause::DedupeKeyBeforeCrash
            | Cause::DeadLetterQueueFull => MsgState::Lost,
        }
    }
}

/// Index of a live message's record in the slab. Stable while the message lives.
pub type Slot = u32;

/// What the engine knows about one live message.
#[derive(Clone, Debug)]
pub struct MsgRecord {
    pub id: u64,
    pub state: MsgState,
    pub producer: u16,
    pub created_us: TimeUs,
    /// When the message last entered a queue (for time-in-queue).
    pub enqueued_us: TimeUs,
    /// When a paced queue (a broker profile) lets it be delivered.
    pub ready_us: TimeUs,
    /// A re-read of a retained message (not retained again when acked).
    pub replay: bool,
    /// Delivery attempts so far.
    pub attempts: u16,
    /// Whether the broker keeps it on disk.
    pub persistent: bool,
    /// When the broker first stored it (flush and replication are timed
    /// from here; a requeue does not reset it). `None` until stored.
    pub stored_us: Option<TimeUs>,
    /// Handed to a consumer at least once (a later delivery is flagged
    /// redelivered).
    pub dispatched: bool,
    /// The id of the message this one is a copy of — its own id for an
    /// original. A producer's re-send after a lost confirm and a network
    /// duplicate keep their original's id: it is what an idempotent
    /// consumer dedupes on (the "order id"). A topic's copies and replays
    /// are messages of their own.
    pub origin: u64,
    /// Times it was dead-lettered (what RabbitMQ's `x-death` header counts);
    /// a redriven message keeps it.
    pub dead_letters: u8,
    /// An ordered step's user ([`NO_USER`] for a message whose order is
    /// not watched), its sequence number within the user's steps, and the
    /// partition its key chose.
    pub user: u32,
    pub seq: u32,
    pub part: u16,
}

/// [`MsgRecord::user`] of a message that is no ordered step.
pub const NO_USER: u32 = u32::MAX;

/// Counts per state and per cause, plus the slab of live messages.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    slab: Vec<Option<MsgRecord>>,
    free: Vec<Slot>,
    counts: [u64; 10],
    total: u64,
    rejected_by_cause: VecMap<Cause, u64>,
    lost_by_cause: VecMap<Cause, u64>,
}

/// Plain-data view of the ledger.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LedgerCounts {
    pub total: u64,
    pub by_state: VecMap<MsgState, u64>,
    pub rejected_by_cause: VecMap<Cause, u64>,
    pub lost_by_cause: VecMap<Cause, u64>,
}

impl LedgerCounts {
    pub fn count(&self, s: MsgState) -> u64 {
        self.by_state.get(&s).copied().unwrap_or(0)
    }
    pub fn live(&self) -> u64 {
        MsgState::ALL
            .iter()
            .filter(|s| !s.is_terminal())
            .map(|s| self.count(*s))
            .sum()
    }
}

impl Ledger {
    /// Creates a message in `state` and returns its slot.
    pub fn create(
        &mut self,
        producer: u16,
        now: TimeUs,
        state: MsgState,
        persistent: bool,
        trace: &mut TraceHasher,
    ) -> (Slot, u64) {
        debug_assert!(!state.is_terminal());
        let id = self.total;
        self.total += 1;
        self.counts[state.index()] += 1;
        let rec = MsgRecord {
            id,
            state,
            producer,
            created_us: now,
            enqueued_us: now,
            ready_us: now,
            replay: false,
            attempts: 0,
            stored_us: None,
            dispatched: false,
            persistent,
            origin: id,
            dead_letters: 0,
            user: NO_USER,
            seq: 0,
            part: 0,
        };
        trace.word(0xC0FFEE ^ id);
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(rec);
                slot
            }
            None => {
                self.slab.push(Some(rec));
                (self.slab.len() - 1) as Slot
            }
        };
        (slot, id)
    }

    /// Whether `slot` still holds the message with this id.
    pub fn is_live(&self, slot: Slot, id: u64) -> bool {
        matches!(self.slab.get(slot as usize), Some(Some(r)) if r.id == id)
    }

    pub fn get(&self, slot: Slot) -> &MsgRecord {
        self.slab[slot as usize]
            .as_ref()
            .expect("ledger: slot of a live message")
    }

    pub fn get_mut(&mut self, slot: Slot) -> &mut MsgRecord {
        self.slab[slot as usize]
            .as_mut()
            .expect("ledger: slot of a live message")
    }

    /// Moves a live message to another non-terminal state.
    pub fn set_state(&mut self, slot: Slot, state: MsgState, trace: &mut TraceHasher) {
        debug_assert!(!state.is_terminal(), "use finish() for terminal states");
        let rec = self.slab[slot as usize].as_mut().expect("live message");
        self.counts[rec.state.index()] -= 1;
        self.counts[state.index()] += 1;
        rec.state = state;
        trace.word(rec.id.rotate_left(8) ^ state as u64);
    }

    /// Ends a message's life as done.
    pub fn finish_done(&mut self, slot: Slot, trace: &mut TraceHasher) -> MsgRecord {
        self.finish(slot, MsgState::Done, trace)
    }

    /// Ends a message's life as rejected or lost, with its cause.
    pub fn finish_with_cause(
        &mut self,
        slot: Slot,
        cause: Cause,
        trace: &mut TraceHasher,
    ) -> MsgRecord {
        let state = cause.terminal_state();
        let map = if state == MsgState::Rejected {
            &mut self.rejected_by_cause
        } else {
            &mut self.lost_by_cause
        };
        *map.get_or_insert_with(cause, || 0) += 1;
        trace.word(cause as u64 + 0x5eed);
        self.finish(slot, state, trace)
    }

    fn finish(&mut self, slot: Slot, state: MsgState, trace: &mut TraceHasher) -> MsgRecord {
        let rec = self.slab[slot as usize].take().expect("live message");
        self.counts[rec.state.index()] -= 1;
        self.counts[state.index()] += 1;
        self.free.push(slot);
        trace.word(rec.id.rotate_left(8) ^ state as u64);
        rec
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn count(&self, state: MsgState) -> u64 {
        self.counts[state.index()]
    }

    pub fn live_records(&self) -> impl Iterator<Item = &MsgRecord> {
        self.slab.iter().flatten()
    }

    pub fn counts(&self) -> LedgerCounts {
        let mut by_state = VecMap::new();
        for s in MsgState::ALL {
            by_state.insert(s, self.counts[s.index()]);
        }
        LedgerCounts {
            total: self.total,
            by_state,
            rejected_by_cause: self.rejected_by_cause.clone(),
            lost_by_cause: self.lost_by_cause.clone(),
        }
    }

    pub(crate) fn raw_counts(&self) -> &[u64; 10] {
        &self.counts
    }

    pub(crate) fn cause_totals(&self) -> (u64, u64) {
        (
            self.rejected_by_cause.values().sum(),
            self.lost_by_cause.values().sum(),
        )
    }

    /// Slots in the slab (live or free): every live message's slot is below.
    pub(crate) fn slots(&self) -> usize {
        self.slab.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_in_exactly_one_state() {
        let mut l = Ledger::default();
        let mut t = TraceHasher::default();
        let (a, _) = l.create(0, 0, MsgState::InFlight, false, &mut t);
        let (b, _) = l.create(0, 0, MsgState::InFlight, false, &mut t);
        l.set_state(a, MsgState::Queued, &mut t);
        assert_eq!(l.count(MsgState::InFlight), 1);
        assert_eq!(l.count(MsgState::Queued), 1);
        l.finish_done(a, &mut t);
        l.finish_with_cause(b, Cause::QueueFull, &mut t);
        let c = l.counts();
        assert_eq!(c.total, 2);
        assert_eq!(c.count(MsgState::Done), 1);
        assert_eq!(c.count(MsgState::Rejected), 1);
        assert_eq!(c.live(), 0);
        assert_eq!(c.rejected_by_cause.get(&Cause::QueueFull), Some(&1));
    }

    #[test]
    fn finished_slots_are_reused_so_memory_stays_bounded() {
        let mut l = Ledger::default();
        let mut t = TraceHasher::default();
        for _ in 0..10_000 {
            let (s, _) = l.create(0, 0, MsgState::Queued, false, &mut t);
            l.finish_done(s, &mut t);
        }
        assert_eq!(l.slots(), 1);
        assert_eq!(l.total(), 10_000);
    }

    #[test]
    fn every_cause_has_a_terminal_state_and_an_explanation() {
        for c in Cause::ALL {
            assert!(c.terminal_state().is_terminal());
            assert!(!c.explain().is_empty());
        }
    }
}
