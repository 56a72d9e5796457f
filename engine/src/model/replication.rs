//! Replication: a leader and its followers (Kafka-style), how long a
//! follower takes to copy a stored message, when the producer is told
//! (`acks`), and failover when the leader crashes.
//!
//! The queues themselves stay in `broker`; this capability decides what a
//! leader crash does to them. A message stored at `s` is copied by the
//! followers at `s + lag` and only then deliverable (the high watermark).
//! When the leader crashes and a follower is up, that follower becomes the
//! leader at once (the broker stays available): what it had copied
//! survives, persistent or not; what it had not is
//! - lost with `acks=0` or `acks=1` (the producer was already told it was
//!   stored, so nobody sends it again), or
//! - handed back to its producer with `acks=all` (it was never
//!   acknowledged, so the producer sends it again after `retry_us`).
//!
//! The crashed node restarts after the broker's `restart_us` as a follower
//! (it catches up at once). With one replica, or no follower up, a crash is
//! the plain broker crash of `broker`.
//!
//! Owns the replica set. Handles `ReplicaRestart`; takes part in the fault
//! `crash_broker` (routed here first by `broker`).

use crate::ledger::{Cause, MsgState};
use crate::model::Handle;
use crate::render::LogKind;
use crate::sim::{Ev, Sim};
use crate::spec::{Acks, BrokerSpec};
use crate::time::TimeUs;

#[derive(Clone, Debug)]
pub struct Replication {
    /// Copies of each queue, leader included (1 to 3).
    pub replicas: u8,
    pub acks: Acks,
    /// How long a follower takes to copy a stored message.
    pub lag_us: TimeUs,
    /// Which replica leads now (0-based).
    pub leader: u8,
    /// Whether each replica is up.
    pub up: Vec<bool>,
    /// Leader changes so far.
    pub failovers: u64,
}

impl Replication {
    pub fn new(spec: &BrokerSpec) -> Self {
        let replicas = spec.replicas.max(1);
        Replication {
            replicas,
            acks: spec.acks,
            lag_us: spec.replication_lag_us,
            leader: 0,
            up: vec![true; replicas as usize],
            failovers: 0,
        }
    }

    /// Whether there are followers at all.
    pub fn replicated(&self) -> bool {
        self.replicas > 1
    }

    /// When followers have a copy of a message stored at `stored_us` (for
    /// one replica: at once).
    pub fn copied_at(&self, stored_us: TimeUs) -> TimeUs {
        if self.replicated() {
            stored_us + self.lag_us
        } else {
            stored_us
        }
    }

    /// The follower that takes over from the leader: the next one up, in
    /// replica order after the leader.
    fn successor(&self) -> Option<u8> {
        (1..self.replicas)
            .map(|k| (self.leader + k) % self.replicas)
            .find(|r| self.up[*r as usize])
    }
}

impl Sim {
    /// The leader crashes. If a follower is up it takes over now and this
    /// returns true; otherwise false (the whole broker goes down).
    pub(crate) fn fail_over(&mut self) -> bool {
        let Some(next) = self.replication.successor() else {
            return false;
        };
        let now = self.now;
        let old = self.replication.leader;
        self.replication.up[old as usize] = false;
        self.replication.leader = next;
        self.replication.failovers += 1;
        let acks = self.replication.acks;
        let (mut lost, mut kept) = (0u64, 0u64);
        for q in 0..self.broker.queues.len() {
            let node = self.queue_node(q as u16);
            let all = self.broker.queues[q].drain_all(now);
            let mut survivors = Vec::new();
            for msg in all {
                let rec = self.ledger.get(msg.slot);
                let stored = rec.stored_us.unwrap_or(rec.enqueued_us);
                if self.replication.copied_at(stored) <= now {
                    kept += 1;
                    survivors.push(msg);
                    continue;
                }
                let entered = rec.enqueued_us;
                let producer = rec.producer;
                self.broker.queues[q].note_left(entered, now);
                match acks {
                    Acks::All => self.resend_unacknowledged(producer, msg),
                    Acks::Zero | Acks::One => {
                        lost += 1;
                        self.fail(msg, node, Cause::LeaderCrashBeforeCopy);
                    }
                }
            }
            for msg in survivors.into_iter().rev() {
                self.broker.queues[q].restore_front(msg, now);
            }
        }
        self.note(None, LogKind::BrokerCrashed { lost, kept });
        let restart = self.broker.restart_us;
        self.push(now + restart, Ev::ReplicaRestart { r: old });
        for q in 0..self.broker.queues.len() {
            self.dispatch(q as u16);
        }
        true
    }

    /// acks=all: the crashed leader never acknowledged `msg`, so its
    /// producer's wait times out and it sends the message again.
    fn resend_unacknowledged(&mut self, producer: u16, msg: Handle) {
        self.ledger
            .set_state(msg.slot, MsgState::InFlight, &mut self.trace);
        self.ledger.get_mut(msg.slot).stored_us = None;
        let Some(last) = self.publish.producers.len().checked_sub(1) else {
            let node = self.queue_node(0);
            self.fail(msg, node, Cause::LeaderCrashBeforeCopy);
            return;
        };
        let p = producer.min(last as u16);
        let retry = self.publish.producers[p as usize].retry_us;
        self.push(self.now + retry, Ev::PublishRetry { p, msg });
    }

    pub(crate) fn on_replica_restart(&mut self, r: u8) {
        self.replication.up[r as usize] = true;
        self.note(None, LogKind::BrokerRestarted);
    }
}
