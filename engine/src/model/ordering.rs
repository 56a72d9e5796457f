//! Ordering: steps that must be applied in order per user (an order's
//! created → paid → shipped), what breaks that order, and the fixes.
//!
//! The watched producer's messages are, in turn, each user's three steps
//! of one order (user after user, so a user's steps follow each other
//! closely and a user's next order comes `users` orders later). A step is
//! *applied* when its consumer acks it; a *violation* is a step applied
//! while an earlier step of its user has not ended yet (a rejected or
//! lost step has ended: nothing can be out of order against it).
//!
//! - Competing consumers with varying work times finish a user's steps in
//!   any order; a queue keeps the order it stored, not the order of acks.
//! - Partitions (`partitions`): each step goes to queue `hash(key) mod n`,
//!   each with its own consumer. Keyed by the user, a user's steps share a
//!   partition and one consumer applies them in turn; keyed by anything
//!   else (each step's own id, a random key) they scatter.
//! - Re-ordering by sequence number before the ack, in a buffer shared by
//!   the consumers: `naive` (the chapter's sketch) sorts and applies
//!   whatever it holds every `batch_us`, so a step still missing (in work,
//!   or held up on the network) is simply overtaken; `wait` holds a step
//!   until every earlier step of its user has ended, for at most
//!   `timeout_us` from the moment the user's first step parked. On timeout
//!   it gives up on the gap: the parked steps are applied (violations) and
//!   the missing step, when it comes, is applied at once (it cannot be
//!   waited for any more).
//!
//! Bounded memory: per user, the steps ended beyond the first one that has
//! not (at most the user's steps in flight); the buffer holds at most
//! `buffer` steps — when it is full, `naive` applies everything it holds
//! and `wait` gives up on the user whose step has waited longest (counted
//! as a timeout).
//!
//! Owns the per-user tracks, the buffer, one random stream (random keys)
//! and the buffer's wait histogram. Handles `ReorderFlush` and
//! `ReorderTimeout`; `publish` asks it for a step's partition, `delivery`
//! hands it every finished work, and every end of a tagged message reaches
//! [`Sim::step_ended`]. Without an ordering spec every hook returns at
//! once and nothing is drawn.

use crate::ledger::{MsgRecord, NO_USER};
use crate::metrics::Histogram;
use crate::model::Handle;
use crate::render::{LogKind, NodeId};
use crate::rng::SimRng;
use crate::sim::{Ev, Sim};
use crate::spec::{OrderKey, OrderingSpec, Reorder};
use crate::time::TimeUs;

/// Steps of one order: created, paid, shipped.
pub const STEPS: u64 = 3;

/// What is known about one user's steps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserTrack {
    /// Every step below this has ended (applied, rejected or lost).
    pub next: u32,
    /// Steps above `next` that have ended, sorted (a plain vector: few,
    /// and no new collection code in the browser build).
    pub ahead: Vec<u32>,
    /// `wait`: steps below this are no longer waited for (given up on).
    pub floor: u32,
    /// `wait`: the running timer's token (0: none).
    pub timer: u32,
}

impl UserTrack {
    /// Step `seq` ended. Returns whether an earlier step had not (true:
    /// applied now, it is out of order). A copy of an ended step changes
    /// nothing.
    pub fn end(&mut self, seq: u32) -> bool {
        if seq < self.next {
            return false;
        }
        if seq > self.next {
            let Err(i) = self.ahead.binary_search(&seq) else {
                return false;
            };
            self.ahead.insert(i, seq);
            return true;
        }
        self.next += 1;
        let n = self
            .ahead
            .iter()
            .zip(self.next..)
            .take_while(|(a, t)| **a == *t)
            .count();
        self.ahead.drain(..n);
        self.next += n as u32;
        false
    }

    /// The first step at or above `floor` that has not ended: the one a
    /// waiting re-orderer lets through next (and anything below it).
    pub fn frontier(&self) -> u32 {
        let mut t = self.next.max(self.floor);
        let from = self.ahead.partition_point(|&a| a < t);
        for &a in &self.ahead[from..] {
            if a != t {
                break;
            }
            t += 1;
        }
        t
    }
}

/// What the ordering spec says, resolved to indices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Watch {
    pub producer: u16,
    pub users: u32,
    pub key: OrderKey,
    pub reorder: Reorder,
    pub batch_us: TimeUs,
    pub timeout_us: TimeUs,
    pub buffer: u32,
}

/// A step held by the re-ordering buffer: delivered, worked on, not acked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parked {
    pub msg: Handle,
    /// The consumer group that did the work (it acks on release).
    pub group: u16,
    pub since: TimeUs,
}

/// The capability's state.
#[derive(Clone, Debug)]
pub struct Ordering {
    /// `None` when order is not watched: every hook returns at once.
    pub watch: Option<Watch>,
    /// The partitions' queues, in partition order (empty: no partitions).
    pub partitions: Vec<u16>,
    pub users: Vec<UserTrack>,
    /// The buffer, sorted by (user, step, message id): the order it is
    /// applied in (at most `buffer` entries).
    pub parked: Vec<((u32, u32, u64), Parked)>,
    /// `naive`: a flush is scheduled.
    pub flush_pending: bool,
    /// Steps the producer has sent.
    pub sent: u64,
    pub applied: u64,
    pub violations: u64,
    /// Gaps given up on (timeout or a full buffer).
    pub timeouts: u64,
    /// Steps that went through the buffer.
    pub parked_total: u64,
    /// The most steps the buffer held at once.
    pub parked_max: usize,
    /// How long steps waited in the buffer (only when watched).
    pub wait: Option<Histogram>,
    timer_seq: u32,
    rng: SimRng,
}

impl Ordering {
    pub fn new(spec: Option<(&OrderingSpec, u16, Vec<u16>)>, seed: u64) -> Self {
        let watch = spec.as_ref().map(|(s, p, _)| Watch {
            producer: *p,
            users: s.users,
            key: s.key,
            reorder: s.reorder,
            batch_us: s.batch_us,
            timeout_us: s.timeout_us,
            buffer: s.buffer,
        });
        Ordering {
            users: vec![UserTrack::default(); watch.map_or(0, |w| w.users as usize)],
            partitions: spec.map(|s| s.2).unwrap_or_default(),
            wait: watch.map(|_| Histogram::default()),
            watch,
            parked: Vec::new(),
            flush_pending: false,
            sent: 0,
            applied: 0,
            violations: 0,
            timeouts: 0,
            parked_total: 0,
            parked_max: 0,
            timer_seq: 0,
            rng: SimRng::stream(seed, 22_000),
        }
    }

    /// Where `user`'s parked steps start in the buffer, and whether it has any.
    fn first_of(&self, user: u32) -> (usize, Option<u32>) {
        let i = self.parked.partition_point(|(k, _)| k.0 < user);
        (
            i,
            self.parked
                .get(i)
                .filter(|(k, _)| k.0 == user)
                .map(|(k, _)| k.1),
        )
    }
}

/// A key's partition hash (a 64-bit finaliser: keys that are small
/// integers still spread).
pub fn hash(key: u64) -> u64 {
    let mut z = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Sim {
    /// A watched producer created `msg`: it is the next step (user, step
    /// number, partition).
    pub(crate) fn ordering_tag(&mut self, p: u16, msg: Handle) {
        let Some(w) = self.ordering.watch else {
            return;
        };
        if w.producer != p {
            return;
        }
        let o = &mut self.ordering;
        let n = o.sent;
        o.sent += 1;
        let (order, users) = (n / STEPS, w.users as u64);
        let user = (order % users) as u32;
        let seq = ((order / users) * STEPS + n % STEPS) as u32;
        let parts = o.partitions.len() as u64;
        let part = if parts == 0 {
            0
        } else {
            let key = match w.key {
                OrderKey::User => user as u64,
                OrderKey::Order => msg.id,
                OrderKey::Random => o.rng.next_u64(),
            };
            (hash(key) % parts) as u16
        };
        let rec = self.ledger.get_mut(msg.slot);
        (rec.user, rec.seq, rec.part) = (user, seq, part);
    }

    /// The partition queue a watched producer's step goes to, if it is
    /// partitioned.
    pub(crate) fn ordered_queue(&self, p: u16, msg: Handle) -> Option<u16> {
        let w = self.ordering.watch?;
        let rec = self.ledger.get(msg.slot);
        if w.producer != p || rec.user == NO_USER {
            return None;
        }
        self.ordering.partitions.get(rec.part as usize).copied()
    }

    /// A tagged message ended: applied at `node` (acked), or not (rejected
    /// or lost). An applied step that overtook an earlier one is a violation.
    pub(crate) fn step_ended(&mut self, rec: &MsgRecord, node: Option<NodeId>) {
        if rec.user == NO_USER || self.ordering.watch.is_none() {
            return;
        }
        let early = self.ordering.users[rec.user as usize].end(rec.seq);
        let Some(node) = node else {
            return;
        };
        self.ordering.applied += 1;
        if early {
            self.ordering.violations += 1;
            self.note(
                Some(rec.id),
                LogKind::OutOfOrder {
                    node,
                    user: rec.user,
                    step: rec.seq,
                },
            );
        }
    }

    /// Consumer `member` of group `g` finished its work on `msg`. With a
    /// re-ordering buffer this decides what happens (and returns true): a
    /// step nothing earlier is missing for is acked now (`wait`), the rest
    /// are parked. Otherwise false: the work ends as usual.
    pub(crate) fn reorder_takes(&mut self, g: u16, member: u16, msg: Handle) -> bool {
        let Some(w) = self.ordering.watch else {
            return false;
        };
        let (user, seq) = {
            let r = self.ledger.get(msg.slot);
            (r.user, r.seq)
        };
        if w.reorder == Reorder::None || user == NO_USER {
            return false;
        }
        if w.reorder == Reorder::Wait && seq <= self.ordering.users[user as usize].frontier() {
            self.complete(g, member, msg);
            self.release_ready(user);
            return true;
        }
        if self.ordering.parked.len() >= w.buffer as usize {
            self.buffer_full(w.reorder);
        }
        let q = self.let_go(g, member, msg);
        self.guarded_acked(msg);
        let now = self.now;
        let o = &mut self.ordering;
        let key = (user, seq, msg.id);
        let at = o.parked.partition_point(|(k, _)| *k < key);
        let p = Parked {
            msg,
            group: g,
            since: now,
        };
        o.parked.insert(at, (key, p));
        o.parked_total += 1;
        o.parked_max = o.parked_max.max(o.parked.len());
        if w.reorder == Reorder::Wait {
            self.start_timer(user);
        } else if !o.flush_pending {
            o.flush_pending = true;
            self.push(now + w.batch_us, Ev::ReorderFlush);
        }
        self.next_local_work(g, member);
        self.dispatch(q);
        true
    }

    /// The buffer is full: `naive` applies everything it holds, `wait`
    /// gives up on the user whose step has waited longest.
    fn buffer_full(&mut self, mode: Reorder) {
        if mode == Reorder::Naive {
            self.flush_all();
            return;
        }
        let oldest = self
            .ordering
            .parked
            .iter()
            .min_by_key(|(_, p)| p.since)
            .map(|(k, _)| k.0);
        if let Some(user) = oldest {
            self.give_up(user);
        }
    }

    fn start_timer(&mut self, user: u32) {
        let Some(w) = self.ordering.watch else {
            return;
        };
        let o = &mut self.ordering;
        if o.users[user as usize].timer != 0 {
            return;
        }
        o.timer_seq = o.timer_seq.wrapping_add(1).max(1);
        let token = o.timer_seq;
        o.users[user as usize].timer = token;
        self.push(self.now + w.timeout_us, Ev::ReorderTimeout { user, token });
    }

    /// Acks one parked step.
    fn release(&mut self, p: Parked) {
        if !self.live(p.msg) {
            return;
        }
        if let Some(h) = &mut self.ordering.wait {
            h.record(self.now - p.since);
        }
        self.finish_acked(p.group, None, p.msg, None);
    }

    /// `wait`: acks `user`'s parked steps that nothing earlier is missing
    /// for, in step order; stops the timer when none is left waiting.
    fn release_ready(&mut self, user: u32) {
        loop {
            let f = self.ordering.users[user as usize].frontier();
            match self.ordering.first_of(user) {
                (i, Some(seq)) if seq <= f => {
                    let (_, p) = self.ordering.parked.remove(i);
                    self.release(p);
                }
                (_, None) => {
                    self.ordering.users[user as usize].timer = 0;
                    break;
                }
                _ => break,
            }
        }
    }

    /// `wait`: stops waiting for `user`'s missing steps: everything parked
    /// up to the next gap is applied (out of order), and a late step will
    /// be applied when it comes.
    fn give_up(&mut self, user: u32) {
        let Some(first) = self.ordering.first_of(user).1 else {
            return;
        };
        let t = &mut self.ordering.users[user as usize];
        let missing = t.frontier();
        t.floor = first;
        t.timer = 0;
        self.ordering.timeouts += 1;
        self.note(
            None,
            LogKind::ReorderGaveUp {
                user,
                step: missing,
            },
        );
        self.release_ready(user);
        if self.ordering.first_of(user).1.is_some() {
            self.start_timer(user);
        }
    }

    /// `naive`: applies everything buffered, sorted by user and step.
    fn flush_all(&mut self) {
        for (_, p) in std::mem::take(&mut self.ordering.parked) {
            self.release(p);
        }
    }

    pub(crate) fn on_reorder_flush(&mut self) {
        self.ordering.flush_pending = false;
        self.flush_all();
    }

    pub(crate) fn on_reorder_timeout(&mut self, user: u32, token: u32) {
        if self.ordering.users.get(user as usize).map(|t| t.timer) == Some(token) {
            self.ordering.users[user as usize].timer = 0;
            self.give_up(user);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_ahead_of_a_missing_one_is_a_violation_once() {
        let mut t = UserTrack::default();
        assert!(!t.end(0));
        assert!(t.end(2), "step 1 has not ended");
        assert_eq!((t.next, t.frontier()), (1, 1));
        assert!(!t.end(1), "the late step itself is not counted");
        assert_eq!((t.next, t.ahead.len()), (3, 0));
        assert!(!t.end(2), "a copy of an ended step changes nothing");
    }

    #[test]
    fn giving_up_moves_the_frontier_past_the_gap() {
        let mut t = UserTrack::default();
        t.end(0);
        t.end(3);
        assert_eq!(t.frontier(), 1);
        t.floor = 2;
        assert_eq!(t.frontier(), 2);
        t.floor = 3;
        assert_eq!(t.frontier(), 4, "3 has ended");
    }

    #[test]
    fn small_user_ids_spread_over_partitions() {
        for parts in 2..=8u64 {
            let mut n = vec![0; parts as usize];
            for user in 0..20u64 {
                n[(hash(user) % parts) as usize] += 1;
            }
            assert!(n.iter().all(|&c| c > 0), "{parts}: {n:?}");
            assert!(*n.iter().max().unwrap() <= 10, "{parts}: {n:?}");
        }
    }
}
