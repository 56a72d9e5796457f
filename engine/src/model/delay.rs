//! Delayed delivery: a queue whose messages become deliverable at a due
//! time, four ways, and the unpaid-order check that needs it.
//!
//! Each message asks for a due time when it is created: its producer's
//! delay after creation (the order check: 30 minutes), or a time of day
//! (a reminder at 9:00). How the queue keeps that promise is the method:
//! - `levels` (RocketMQ 4.x): the message names one of 18 fixed delay
//!   levels and is due when that level's delay is over, whatever it asked
//!   for; one queue per level, so a message never waits behind another.
//! - `timer` (RocketMQ 5.x): any delivery time; due exactly when asked.
//! - `zset` (Redis): a sorted set scored by due time. Pollers read the due
//!   members every `poll_us` — all of them at the same moment, as the same
//!   scheduled job on every instance does — so a member waits up to one
//!   poll interval. Without an atomic claim (`ZRANGEBYSCORE`, then a `ZREM`
//!   whose result is not checked) every poller that read a member handles
//!   it: the order is cancelled once per poller (`double_claimed`). With
//!   one (a Lua script, or acting only when `ZREM` returns 1) exactly one
//!   does.
//! - `ttl_dlx` (RabbitMQ: per-message TTL on a queue without consumers,
//!   dead-lettered to the queue that has them). A classic queue expires
//!   messages only at its head, so a short delay behind a long one waits
//!   for the long one.
//!
//! Messages wait in the broker queue as usual; this module sets their
//! `ready_us` (the due time), keeps the queue sorted by it where the
//! method does not block at the head, and pulls for the pollers. Owns the
//! policy, the counters, the lateness histogram and the poll timer.
//! Handles `DelayPoll`; `broker` calls it when it stores a message,
//! `delivery` when it hands one out and when one is done. Without a delay
//! spec every hook returns at once.

use crate::ledger::MsgRecord;
use crate::metrics::Histogram;
use crate::model::Handle;
use crate::render::LogKind;
use crate::rng::SimRng;
use crate::sim::{Ev, Sim};
use crate::spec::{DelayMethod, DelaySpec, Due};
use crate::time::{TimeUs, US_PER_S};

/// RocketMQ 4.x's default `messageDelayLevel`: level `n` (1 to 18) waits
/// `LEVELS_S[n - 1]` seconds.
pub const LEVELS_S: [u64; 18] = [
    1, 5, 10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200,
];

/// The delay of level `level` (clamped to 1..=18).
pub fn level_delay_us(level: u32) -> TimeUs {
    LEVELS_S[(level.clamp(1, 18) - 1) as usize] * US_PER_S
}

const DAY_US: TimeUs = 24 * 3_600 * US_PER_S;

/// The policy, with names resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub queue: u16,
    pub method: DelayMethod,
    /// What each producer's messages ask for, by producer index.
    pub due: Vec<Due>,
    /// `levels`: the delay every message gets.
    pub level_us: TimeUs,
    pub poll_us: TimeUs,
    pub pollers_atomic: bool,
    /// The producer whose messages are orders (the rest are reminders).
    pub orders: u16,
    pub pay_rate: f64,
    pub pay_mean_us: TimeUs,
}

impl Policy {
    /// When the message created at `created_us` by producer `p` asked to be
    /// delivered.
    pub fn requested_due(&self, p: u16, created_us: TimeUs) -> TimeUs {
        match self.due.get(p as usize).copied().unwrap_or(Due::After(0)) {
            Due::After(d) => created_us.saturating_add(d),
            Due::At(t) => {
                // The next time the clock shows `t` (of a day).
                let day_start = created_us - created_us % DAY_US;
                let at = day_start + t % DAY_US;
                if at > created_us {
                    at
                } else {
                    at + DAY_US
                }
            }
        }
    }

    /// When the method makes it deliverable.
    pub fn applied_due(&self, p: u16, created_us: TimeUs) -> TimeUs {
        match self.method {
            DelayMethod::Levels => created_us.saturating_add(self.level_us),
            _ => self.requested_due(p, created_us),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Delay {
    /// `None` without a delay spec: every hook returns at once.
    pub policy: Option<Policy>,
    /// From the due time asked for to the moment the message left the
    /// store (pushed to a consumer, or claimed by a poller), µs; messages
    /// that left early are not in it.
    pub lateness: Histogram,
    /// Messages that left before the time they asked for (`levels` with a
    /// level shorter than the delay asked for).
    pub early: u64,
    /// Extra handlings of a member another poller had claimed too.
    pub double_claimed: u64,
    /// Orders found unpaid at their check, and cancelled.
    pub cancelled: u64,
    /// Orders found paid at their check (nothing to do).
    pub paid: u64,
    /// Cancelled orders whose user paid before the time the check asked
    /// for: the check came too early.
    pub wrongly_cancelled: u64,
    /// Reminders delivered.
    pub reminders: u64,
    /// A poll is scheduled.
    poll_pending: bool,
    pay_seed: u64,
}

impl Delay {
    pub fn new(
        spec: Option<&DelaySpec>,
        queue: Option<u16>,
        orders: u16,
        due: Vec<Due>,
        seed: u64,
    ) -> Self {
        let policy = spec.zip(queue).map(|(s, queue)| Policy {
            queue,
            method: s.method,
            due,
            level_us: level_delay_us(s.level),
            poll_us: s.poll_us.max(1),
            pollers_atomic: s.atomic_claim,
            orders,
            pay_rate: s.pay_rate,
            pay_mean_us: s.pay_mean_us,
        });
        Delay {
            policy,
            lateness: Histogram::default(),
            early: 0,
            double_claimed: 0,
            cancelled: 0,
            paid: 0,
            wrongly_cancelled: 0,
            reminders: 0,
            poll_pending: false,
            pay_seed: seed ^ 0x9a7d_e1a7,
        }
    }

    fn on(&self, q: u16) -> Option<&Policy> {
        self.policy.as_ref().filter(|p| p.queue == q)
    }

    /// Whether queue `q` holds its messages until they are due.
    pub fn holds(&self, q: u16) -> bool {
        self.on(q).is_some()
    }

    /// Whether queue `q` is read by pollers rather than pushed to consumers.
    pub fn polled(&self, q: u16) -> bool {
        self.on(q).is_some_and(|p| p.method == DelayMethod::Zset)
    }

    /// When the user of order `id` pays, if they do: decided by the order
    /// (its id), so every run of a seed agrees.
    pub fn pays_at(&self, id: u64, created_us: TimeUs) -> Option<TimeUs> {
        let p = self.policy.as_ref()?;
        let mut rng = SimRng::stream(self.pay_seed ^ id.wrapping_mul(0x9e37_79b9_7f4a_7c15), 11);
        rng.chance(p.pay_rate)
            .then(|| created_us + rng.exponential(p.pay_mean_us as f64) as TimeUs)
    }
}

impl Sim {
    /// The broker stored `msg` in queue `q`: if `q` delays, it becomes
    /// deliverable at its due time, in due order unless the method blocks
    /// at the head.
    pub(crate) fn delay_stored(&mut self, q: u16, msg: Handle) {
        let Some(p) = self.delay.on(q) else {
            return;
        };
        let rec = self.ledger.get(msg.slot);
        let due = p.applied_due(rec.producer, rec.created_us);
        let (method, poll_us) = (p.method, p.poll_us);
        self.ledger.get_mut(msg.slot).ready_us = due;
        if method != DelayMethod::TtlDlx {
            // Sorted by due time (ties in arrival order): the message was
            // stored at the tail; move it back past every later one.
            let items = &mut self.broker.queues[q as usize].items;
            let h = items.pop_back().expect("just stored");
            let at = items.partition_point(|o| self.ledger.get(o.slot).ready_us <= due);
            items.insert(at, h);
        }
        if method == DelayMethod::Zset && !self.delay.poll_pending {
            self.delay.poll_pending = true;
            let next = (self.now / poll_us + 1) * poll_us;
            self.push(next, Ev::DelayPoll { q });
        }
    }

    /// `msg` leaves delaying queue `q` now: how late (or early) it is.
    pub(crate) fn delay_released(&mut self, q: u16, msg: Handle) {
        let Some(p) = self.delay.on(q) else {
            return;
        };
        let rec = self.ledger.get(msg.slot);
        let asked = p.requested_due(rec.producer, rec.created_us);
        if self.now < asked {
            self.delay.early += 1;
        } else {
            self.delay.lateness.record(self.now - asked);
        }
    }

    /// The pollers read the sorted set: every due member is claimed — by
    /// one poller with an atomic claim (round-robin over the pollers), by
    /// every poller without.
    pub(crate) fn on_delay_poll(&mut self, q: u16) {
        self.delay.poll_pending = false;
        let Some(p) = self.delay.on(q) else {
            return;
        };
        let (atomic, poll_us) = (p.pollers_atomic, p.poll_us);
        let Some(&g) = self.broker.queues[q as usize].readers.first() else {
            return;
        };
        let grp = &self.delivery.groups[g as usize];
        let pollers = (grp.active as usize).min(grp.members.len());
        let mut turn = 0usize;
        while let Some(&head) = self.broker.queues[q as usize].items.front() {
            if self.ledger.get(head.slot).ready_us > self.now {
                break;
            }
            // Each poller reads at most what it has room for (`LIMIT`);
            // the rest waits for the next poll.
            let grp = &self.delivery.groups[g as usize];
            let free = (0..pollers)
                .map(|i| (turn + i) % pollers)
                .find(|&m| grp.can_take(m));
            let member = match free {
                Some(m) if atomic || m == 0 => m,
                _ => break,
            };
            turn = member + 1;
            let msg = self.broker.queues[q as usize]
                .pop(self.now)
                .expect("non-empty");
            self.hand_out(q, g, member as u16, msg);
            if !atomic && pollers > 1 {
                self.delay.double_claimed += pollers as u64 - 1;
                let group = self.group_node(g);
                let pollers = pollers as u16;
                self.note(Some(msg.id), LogKind::ClaimedTwice { group, pollers });
            }
        }
        if !self.broker.queues[q as usize].is_empty() {
            self.delay.poll_pending = true;
            self.push(self.now + poll_us, Ev::DelayPoll { q });
        }
    }

    /// A consumer of queue `q` finished `rec`: an order check finds the
    /// order paid or cancels it; a reminder is sent.
    pub(crate) fn delay_done(&mut self, q: u16, rec: &MsgRecord) {
        let Some(p) = self.delay.on(q) else {
            return;
        };
        if rec.producer != p.orders {
            self.delay.reminders += 1;
            return;
        }
        let asked = p.requested_due(rec.producer, rec.created_us);
        match self.delay.pays_at(rec.id, rec.created_us) {
            Some(t) if t <= self.now => self.delay.paid += 1,
            pays => {
                self.delay.cancelled += 1;
                if pays.is_some_and(|t| t <= asked) {
                    self.delay.wrongly_cancelled += 1;
                }
            }
        }
    }
}
