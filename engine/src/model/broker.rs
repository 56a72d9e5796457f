//! The broker: storing messages in its queues (capacity and overflow),
//! being up or down, what a crash keeps (persistent messages) and loses
//! (the rest), broker-profile pacing (a throughput ceiling and a latency
//! before a stored message becomes deliverable), and the log of acked
//! messages a log-based broker keeps for replay.
//!
//! Owns the queues, whether the broker is up, and one random stream per
//! queue (profile latency). Handles `BrokerRestart` and `QueueReady`; the
//! command `replay`; the fault `crash_broker`. Handing stored messages to
//! consumers is `delivery`'s job.

use crate::ledger::{Cause, MsgState};
use crate::model::queue::{Offer, Queue};
use crate::model::Handle;
use crate::render::LogKind;
use crate::rng::SimRng;
use crate::sim::{Ev, Sim};
use crate::spec::Flush;
use crate::time::TimeUs;

#[derive(Clone, Debug)]
pub struct Broker {
    pub up: bool,
    /// How long a crashed broker takes to come back.
    pub restart_us: TimeUs,
    pub queues: Vec<Queue>,
    /// One stream per queue (broker-profile latency).
    rngs: Vec<SimRng>,
}

impl Broker {
    pub fn new(queues: Vec<Queue>, seed: u64, restart_us: TimeUs) -> Self {
        let rngs = (0..queues.len())
            .map(|i| SimRng::stream(seed, 3_000 + i as u64))
            .collect();
        Broker {
            up: true,
            restart_us,
            queues,
            rngs,
        }
    }

    /// Messages waiting in all queues.
    pub fn queued(&self) -> u64 {
        self.queues.iter().map(|q| q.len()).sum()
    }
}

impl Sim {
    /// Stores a message in queue `q` (or refuses it); returns whether stored.
    pub(crate) fn store(&mut self, q: u16, msg: Handle) -> bool {
        let node = self.queue_node(q);
        let now = self.now;
        match self.broker.queues[q as usize].offer(msg, now) {
            Offer::Refused => {
                self.fail(msg, node, Cause::QueueFull);
                return false;
            }
            Offer::StoredDropping(old) => {
                let entered = self.ledger.get(old.slot).enqueued_us;
                self.broker.queues[q as usize].note_left(entered, now);
                self.fail(old, node, Cause::QueueOverflowDropOldest);
            }
            Offer::Stored => {}
        }
        self.ledger
            .set_state(msg.slot, MsgState::Queued, &mut self.trace);
        let paced = if self.broker.queues[q as usize].pacing.is_some() {
            self.broker.queues[q as usize].ready_time(now, &mut self.broker.rngs[q as usize])
        } else {
            now
        };
        let rec = self.ledger.get_mut(msg.slot);
        let stored = *rec.stored_us.get_or_insert(now);
        // Deliverable once the broker lets it go and the followers copied it.
        let ready = paced.max(self.replication.copied_at(stored));
        rec.enqueued_us = now;
        rec.ready_us = ready;
        let len = self.broker.queues[q as usize].len();
        self.note(Some(msg.id), LogKind::Enqueued { queue: node, len });
        self.delay_stored(q, msg);
        self.dispatch(q);
        true
    }

    /// For a paced queue (a broker profile): whether its head message `head`
    /// must still wait for the broker. If so, a `QueueReady` wake-up is
    /// scheduled for when it is ready (unless an earlier one is pending).
    pub(crate) fn head_waits_for_broker(&mut self, q: u16, head: Handle) -> bool {
        let qi = q as usize;
        if self.broker.queues[qi].pacing.is_none()
            && !self.replication.replicated()
            && !self.delay.holds(q)
        {
            return false;
        }
        let ready = self.ledger.get(head.slot).ready_us;
        if ready <= self.now {
            return false;
        }
        if self.broker.queues[qi].wake_at.is_none_or(|w| w > ready) {
            self.broker.queues[qi].wake_at = Some(ready);
            self.push(ready, Ev::QueueReady { q });
        }
        true
    }

    pub(crate) fn on_queue_ready(&mut self, q: u16) {
        let queue = &mut self.broker.queues[q as usize];
        if queue.wake_at == Some(self.now) {
            queue.wake_at = None;
        }
        self.dispatch(q);
    }

    /// Fault: the broker crashes. With followers up, one takes over
    /// (`replication`). Otherwise the broker goes down: persistent messages
    /// already on disk survive in their queues (with asynchronous flush,
    /// what the current flush interval had not written yet is lost); the
    /// others are lost. It restarts after `restart_us`.
    pub(crate) fn crash_broker(&mut self) {
        if !self.broker.up {
            return;
        }
        if self.replication.replicated() && self.fail_over() {
            return;
        }
        self.broker.up = false;
        let now = self.now;
        let (mut lost, mut kept) = (0u64, 0u64);
        for q in 0..self.broker.queues.len() {
            let node = self.queue_node(q as u16);
            let all = self.broker.queues[q].drain_all(now);
            let mut survivors = Vec::new();
            for msg in all {
                let cause = self.crash_cause(msg);
                match cause {
                    None => {
                        kept += 1;
                        survivors.push(msg);
                    }
                    Some(cause) => {
                        lost += 1;
                        let entered = self.ledger.get(msg.slot).enqueued_us;
                        self.broker.queues[q].note_left(entered, now);
                        self.fail(msg, node, cause);
                    }
                }
            }
            for msg in survivors.into_iter().rev() {
                self.broker.queues[q].restore_front(msg, now);
            }
        }
        lost += self.retry_broker_crashed();
        self.note(None, LogKind::BrokerCrashed { lost, kept });
        let restart = self.broker.restart_us;
        self.push(now + restart, Ev::BrokerRestart);
    }

    /// Why a crash now loses the stored message `msg`, or `None` if it is
    /// on disk: not persistent, or persistent but not flushed yet (with
    /// asynchronous flush, a message is written at the first flush tick —
    /// a multiple of the interval — after it was stored).
    fn crash_cause(&self, msg: Handle) -> Option<Cause> {
        let rec = self.ledger.get(msg.slot);
        if !rec.persistent {
            return Some(Cause::NotPersistentBrokerCrash);
        }
        if self.spec.broker.flush == Flush::Async {
            let every = self.spec.broker.flush_interval_us.max(1);
            let stored = rec.stored_us.unwrap_or(rec.enqueued_us);
            let flushed_at = (stored / every + 1) * every;
            if flushed_at > self.now {
                return Some(Cause::AsyncFlushBrokerCrash);
            }
        }
        None
    }

    pub(crate) fn on_broker_restart(&mut self) {
        self.broker.up = true;
        self.note(None, LogKind::BrokerRestarted);
        for q in 0..self.broker.queues.len() {
            self.dispatch(q as u16);
        }
    }

    /// Re-reads the newest `count` retained messages of queue `q`, oldest
    /// first, as new messages stored straight into the queue (the log stays
    /// as it is). Nothing happens while the broker is down.
    pub(crate) fn replay(&mut self, q: u16, count: u32) {
        if !self.broker.up {
            return;
        }
        let queue = &self.broker.queues[q as usize];
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
            self.broker.queues[q as usize].replayed += 1;
            self.store(q, Handle { slot, id });
        }
    }
}
