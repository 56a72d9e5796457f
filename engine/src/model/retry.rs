//! Retries and the dead-letter queue: one retry policy per queue, the
//! delivery count of each message, backoff, dead-lettering after the last
//! allowed delivery, the fix for poison messages, and redrive.
//!
//! Failures: a message is poison with `poison_rate` (decided by its id —
//! its content — so every delivery of it fails, whoever takes it) until
//! `deploy_fix`; any delivery of a healthy message fails with
//! `transient_rate` (a passing fault: the next try usually works). A
//! consumer that fails a message nacks it, and the policy decides:
//! - the message has been delivered `max_retries + 1` times and the queue
//!   has a dead-letter queue: it moves there with its delivery count (as
//!   RabbitMQ's `x-death` header carries it; its `count` of deaths is the
//!   ledger's `dead_letters`). A full dead-letter queue drops it
//!   (`dead_letter_queue_full`: dead-lettering is at-most-once by default).
//! - otherwise it is tried again: at the head of the queue at once
//!   (`backoff: none`, a plain nack with requeue), or at the tail after a
//!   delay (`fixed`, or `exponential`: doubling per delivery up to a cap),
//!   waiting meanwhile in the broker as `Delayed`. Without a dead-letter
//!   queue it never stops: a poison message keeps coming back, and the
//!   healthy messages behind it wait for the consumer time it burns.
//!
//! A consumer crash returns what it held; a message returned after its
//! last allowed delivery is dead-lettered too (what a quorum queue's
//! `delivery-limit` does), so no message is delivered more than
//! `max_retries + 1` times before it is dead-lettered.
//!
//! `redrive` moves the dead-letter queue back to the tail of its queue,
//! each message with a fresh delivery count (it is republished); before
//! the fix the poison comes straight back.
//!
//! Owns the policy, the dead-letter queue, the delayed retries, the
//! counters and one random stream (transient failures). Handles
//! `RetryDue`, the commands `deploy_fix` and `redrive`; `delivery` asks it
//! whether a watched delivery fails, hands it each nack, crash return and
//! ack of a watched queue; `broker` tells it of a crash. Without a retry
//! spec every hook returns at once and nothing is drawn, so other
//! scenarios' traces do not change.

use std::collections::VecDeque;

use crate::vec_map::VecMap;

use crate::ledger::{Cause, MsgRecord, MsgState};
use crate::model::Handle;
use crate::render::{DeadLetterView, LogKind, RetryView};
use crate::rng::SimRng;
use crate::sim::{Ev, Sim};
use crate::spec::{Backoff, RetrySpec};
use crate::time::TimeUs;

/// Dead-lettered messages listed in a snapshot (the newest).
pub const DLQ_SHOWN: usize = 8;

/// The policy, with its queue resolved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    pub queue: u16,
    pub poison_rate: f64,
    pub transient_rate: f64,
    pub max_retries: u32,
    pub backoff: Backoff,
    pub backoff_us: TimeUs,
    pub backoff_max_us: TimeUs,
    pub dead_letter: bool,
    pub dlq_capacity: u64,
}

impl Policy {
    /// How long a message waits before its next delivery after failing
    /// its `deliveries`-th (0: back at the head at once).
    pub fn delay(&self, deliveries: u16) -> TimeUs {
        match self.backoff {
            Backoff::None => 0,
            Backoff::Fixed => self.backoff_us,
            Backoff::Exponential => {
                let doublings = deliveries.saturating_sub(1).min(40) as u32;
                self.backoff_us
                    .saturating_mul(1 << doublings)
                    .min(self.backoff_max_us.max(self.backoff_us))
            }
        }
    }

    /// Whether a message delivered `deliveries` times has had its last try.
    pub fn spent(&self, deliveries: u16) -> bool {
        self.dead_letter && deliveries as u32 > self.max_retries
    }
}

/// One message in the dead-letter queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    pub msg: Handle,
    /// Deliveries before it was dead-lettered.
    pub deliveries: u16,
    pub at_us: TimeUs,
}

#[derive(Clone, Debug)]
pub struct Retry {
    /// `None` without a retry spec: every hook returns at once.
    pub policy: Option<Policy>,
    /// The fix is deployed: poison messages succeed.
    pub fixed: bool,
    /// The dead-letter queue, oldest first.
    pub dlq: VecDeque<DeadLetter>,
    /// Messages waiting out their backoff, by id.
    pub waiting: VecMap<u64, Handle>,
    /// Failed deliveries sent back for another try.
    pub retries: u64,
    /// Times a message was dead-lettered (a redriven one may count again).
    pub dead_lettered: u64,
    /// Messages dropped because the dead-letter queue was full.
    pub dropped: u64,
    /// Messages moved back from the dead-letter queue.
    pub redriven: u64,
    /// Of those, done since.
    pub redriven_done: u64,
    /// Failed deliveries of poison messages.
    pub poison_deliveries: u64,
    /// Healthy messages done, and their summed end-to-end time.
    pub healthy_done: u64,
    pub healthy_latency_us: u128,
    /// Delivery counts at dead-lettering, fewest and most (`u16::MAX`, 0
    /// before the first).
    pub dl_deliveries_min: u16,
    pub dl_deliveries_max: u16,
    /// Poison is a property of a message id under this seed.
    poison_seed: u64,
    /// Transient failures.
    rng: SimRng,
}

impl Retry {
    pub fn new(spec: Option<&RetrySpec>, queue: Option<u16>, seed: u64) -> Self {
        let policy = spec.zip(queue).map(|(s, queue)| Policy {
            queue,
            poison_rate: s.poison_rate,
            transient_rate: s.transient_rate,
            max_retries: s.max_retries,
            backoff: s.backoff,
            backoff_us: s.backoff_us,
            backoff_max_us: s.backoff_max_us,
            dead_letter: s.dead_letter,
            dlq_capacity: s.dlq_capacity,
        });
        Retry {
            policy,
            fixed: false,
            dlq: VecDeque::new(),
            waiting: VecMap::new(),
            retries: 0,
            dead_lettered: 0,
            dropped: 0,
            redriven: 0,
            redriven_done: 0,
            poison_deliveries: 0,
            healthy_done: 0,
            healthy_latency_us: 0,
            dl_deliveries_min: u16::MAX,
            dl_deliveries_max: 0,
            poison_seed: seed ^ 0xdead_1e77,
            rng: SimRng::stream(seed, 21_000),
        }
    }

    /// The policy of queue `q`, if it has one.
    pub fn of(&self, q: u16) -> Option<Policy> {
        self.policy.filter(|p| p.queue == q)
    }

    /// Whether message id `origin` is poison (whether or not it is fixed).
    pub fn is_poison(&self, origin: u64) -> bool {
        self.policy.is_some_and(|p| {
            p.poison_rate > 0.0 && SimRng::stream(self.poison_seed, origin).chance(p.poison_rate)
        })
    }

    /// Mean end-to-end time of the healthy messages done, in µs.
    pub fn healthy_latency_mean_us(&self) -> f64 {
        if self.healthy_done == 0 {
            0.0
        } else {
            self.healthy_latency_us as f64 / self.healthy_done as f64
        }
    }
}

impl Sim {
    fn retry_policy_of_group(&self, g: u16) -> Option<Policy> {
        self.retry.of(self.delivery.groups[g as usize].queue)
    }

    /// A consumer of group `g` finished its work on `msg`: whether it
    /// failed under the queue's retry policy (poison, or a transient
    /// fault). False at once for a queue without one.
    pub(crate) fn retry_fails(&mut self, g: u16, msg: Handle) -> bool {
        let Some(p) = self.retry_policy_of_group(g) else {
            return false;
        };
        let origin = self.ledger.get(msg.slot).origin;
        if !self.retry.fixed && self.retry.is_poison(origin) {
            self.retry.poison_deliveries += 1;
            return true;
        }
        // Drawn only when transient failures are on.
        p.transient_rate > 0.0 && self.retry.rng.chance(p.transient_rate)
    }

    /// Whether group `g`'s queue has a retry policy.
    pub(crate) fn retry_watches(&self, g: u16) -> bool {
        self.retry_policy_of_group(g).is_some()
    }

    /// A consumer of a watched queue nacked `msg` (its slot is free
    /// already): dead-letter it after its last allowed delivery, otherwise
    /// send it back, now or after the backoff.
    pub(crate) fn retry_failed(&mut self, g: u16, msg: Handle) {
        let p = self.retry_policy_of_group(g).expect("a watched group");
        let deliveries = self.ledger.get(msg.slot).attempts;
        if p.spent(deliveries) {
            self.dead_letter(msg);
            return;
        }
        self.retry.retries += 1;
        let now = self.now;
        let delay = p.delay(deliveries);
        let queue = self.queue_node(p.queue);
        self.note(
            Some(msg.id),
            LogKind::RetryLater {
                queue,
                deliveries,
                delay_us: delay,
            },
        );
        if delay == 0 {
            self.ledger
                .set_state(msg.slot, MsgState::Queued, &mut self.trace);
            self.ledger.get_mut(msg.slot).enqueued_us = now;
            self.broker.queues[p.queue as usize].requeue_front(msg, now);
            return;
        }
        self.ledger
            .set_state(msg.slot, MsgState::Delayed, &mut self.trace);
        self.retry.waiting.insert(msg.id, msg);
        self.push(now + delay, Ev::RetryDue { q: p.queue, msg });
    }

    /// A crashed consumer of group `g` returns `msg`: true if it had its
    /// last allowed delivery, so it was dead-lettered instead of requeued.
    pub(crate) fn retry_returned_spent(&mut self, g: u16, msg: Handle) -> bool {
        let Some(p) = self.retry_policy_of_group(g) else {
            return false;
        };
        if !p.spent(self.ledger.get(msg.slot).attempts) {
            return false;
        }
        self.dead_letter(msg);
        true
    }

    /// A backoff is over: the message goes to the tail of its queue.
    pub(crate) fn on_retry_due(&mut self, q: u16, msg: Handle) {
        if self.retry.waiting.remove(&msg.id).is_none() || !self.live(msg) {
            return;
        }
        let now = self.now;
        self.ledger
            .set_state(msg.slot, MsgState::Queued, &mut self.trace);
        self.ledger.get_mut(msg.slot).enqueued_us = now;
        self.broker.queues[q as usize].requeue_back(msg, now);
        let queue = self.queue_node(q);
        self.note(Some(msg.id), LogKind::Requeued { queue });
        self.dispatch(q);
    }

    /// Moves `msg` to the dead-letter queue (or drops it if that is full).
    fn dead_letter(&mut self, msg: Handle) {
        let p = self.retry.policy.expect("a policy");
        let queue = self.queue_node(p.queue);
        if self.retry.dlq.len() as u64 >= p.dlq_capacity {
            self.retry.dropped += 1;
            self.fail(msg, queue, Cause::DeadLetterQueueFull);
            return;
        }
        self.ledger
            .set_state(msg.slot, MsgState::DeadLettered, &mut self.trace);
        let rec = self.ledger.get_mut(msg.slot);
        rec.dead_letters = rec.dead_letters.saturating_add(1);
        let deliveries = rec.attempts;
        let r = &mut self.retry;
        r.dead_lettered += 1;
        r.dl_deliveries_min = r.dl_deliveries_min.min(deliveries);
        r.dl_deliveries_max = r.dl_deliveries_max.max(deliveries);
        r.dlq.push_back(DeadLetter {
            msg,
            deliveries,
            at_us: self.now,
        });
        self.note(Some(msg.id), LogKind::DeadLettered { queue, deliveries });
    }

    /// A consumer acked `rec` (done, `latency_us` after it was made) from
    /// queue `q`: the healthy messages' throughput and time, and redriven
    /// messages that made it.
    pub(crate) fn retry_done(&mut self, q: u16, rec: &MsgRecord, latency_us: TimeUs) {
        if self.retry.of(q).is_none() {
            return;
        }
        if rec.dead_letters > 0 {
            self.retry.redriven_done += 1;
        }
        if !self.retry.is_poison(rec.origin) {
            self.retry.healthy_done += 1;
            self.retry.healthy_latency_us += latency_us as u128;
        }
    }

    /// The broker crashed (no failover): what it kept only in memory among
    /// the delayed retries and the dead-letter queue is gone, as in its
    /// queues. Returns how many were lost.
    pub(crate) fn retry_broker_crashed(&mut self) -> u64 {
        let Some(p) = self.retry.policy else {
            return 0;
        };
        let node = self.queue_node(p.queue);
        let mut lost = Vec::new();
        self.retry.dlq.retain(|d| {
            let keep = self.ledger.get(d.msg.slot).persistent;
            if !keep {
                lost.push(d.msg);
            }
            keep
        });
        self.retry.waiting.retain(|_, h| {
            let keep = self.ledger.get(h.slot).persistent;
            if !keep {
                lost.push(*h);
            }
            keep
        });
        for &msg in &lost {
            self.fail(msg, node, Cause::NotPersistentBrokerCrash);
        }
        lost.len() as u64
    }

    // ----- commands ---------------------------------------------------------

    /// `deploy_fix`: the consumers of group `g` can process poison now.
    pub(crate) fn deploy_fix(&mut self, g: u16) {
        if !self.retry_watches(g) || self.retry.fixed {
            return;
        }
        self.retry.fixed = true;
        let group = self.group_node(g);
        self.note(None, LogKind::FixDeployed { group });
    }

    /// `redrive`: the dead-letter queue of queue `q` back to its tail,
    /// oldest first, each with a fresh delivery count (nothing while the
    /// broker is down).
    pub(crate) fn redrive(&mut self, q: u16) {
        if self.retry.of(q).is_none() || !self.broker.up || self.retry.dlq.is_empty() {
            return;
        }
        let now = self.now;
        let count = self.retry.dlq.len() as u32;
        while let Some(d) = self.retry.dlq.pop_front() {
            self.ledger
                .set_state(d.msg.slot, MsgState::Queued, &mut self.trace);
            let rec = self.ledger.get_mut(d.msg.slot);
            rec.attempts = 0;
            rec.dispatched = false;
            rec.enqueued_us = now;
            self.broker.queues[q as usize].requeue_back(d.msg, now);
        }
        self.retry.redriven += count as u64;
        let queue = self.queue_node(q);
        self.note(None, LogKind::Redriven { queue, count });
        self.dispatch(q);
    }

    // ----- view -------------------------------------------------------------

    /// Plain data for the snapshot (`None` without a retry policy).
    pub(crate) fn retry_view(&self) -> Option<RetryView> {
        let p = self.retry.policy?;
        let r = &self.retry;
        Some(RetryView {
            queue: self.queue_node(p.queue),
            max_retries: p.max_retries,
            backoff: p.backoff,
            dead_letter: p.dead_letter,
            fixed: r.fixed,
            dlq_len: r.dlq.len() as u64,
            dlq_capacity: p.dlq_capacity,
            backing_off: r.waiting.len() as u64,
            retries: r.retries,
            dead_lettered: r.dead_lettered,
            redriven: r.redriven,
            newest: r
                .dlq
                .iter()
                .rev()
                .take(DLQ_SHOWN)
                .map(|d| DeadLetterView {
                    msg_id: d.msg.id,
                    deliveries: d.deliveries,
                    deaths: self.ledger.get(d.msg.slot).dead_letters,
                    at_us: d.at_us,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::US_PER_S;

    fn policy(backoff: Backoff) -> Policy {
        Policy {
            queue: 0,
            poison_rate: 0.0,
            transient_rate: 0.0,
            max_retries: 3,
            backoff,
            backoff_us: US_PER_S,
            backoff_max_us: 5 * US_PER_S,
            dead_letter: true,
            dlq_capacity: 10,
        }
    }

    #[test]
    fn backoff_delays() {
        assert_eq!(policy(Backoff::None).delay(3), 0);
        assert_eq!(policy(Backoff::Fixed).delay(3), US_PER_S);
        let e = policy(Backoff::Exponential);
        let d: Vec<TimeUs> = (1..=5).map(|n| e.delay(n) / US_PER_S).collect();
        assert_eq!(d, [1, 2, 4, 5, 5], "doubling, capped");
        assert_eq!(e.delay(u16::MAX), 5 * US_PER_S);
    }

    #[test]
    fn the_last_try_is_delivery_max_retries_plus_one() {
        let p = policy(Backoff::None);
        assert!(!p.spent(3));
        assert!(p.spent(4));
        let no_dlq = Policy {
            dead_letter: false,
            ..p
        };
        assert!(!no_dlq.spent(u16::MAX), "without a DLQ: forever");
    }

    #[test]
    fn poison_is_a_property_of_the_message() {
        let spec = RetrySpec {
            queue: "q".into(),
            poison_rate: 0.25,
            transient_rate: 0.0,
            max_retries: 3,
            backoff: Backoff::None,
            backoff_us: US_PER_S,
            backoff_max_us: US_PER_S,
            dead_letter: true,
            dlq_capacity: 10,
        };
        let r = Retry::new(Some(&spec), Some(0), 7);
        let poison: Vec<bool> = (0..2_000).map(|id| r.is_poison(id)).collect();
        assert_eq!(
            poison,
            (0..2_000).map(|id| r.is_poison(id)).collect::<Vec<_>>()
        );
        let n = poison.iter().filter(|p| **p).count();
        assert!((400..600).contains(&n), "{n} of 2000 at 25 %");
        assert!(!Retry::new(None, None, 7).is_poison(1));
    }
}
