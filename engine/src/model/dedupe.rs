//! Idempotence: where duplicates come from, the effect a consumer has on
//! the world, and the two ways to apply it once per message id — a
//! database unique key, or a Redis dedupe key with a TTL (`SET
//! processed:<id> NX EX <ttl>`, the chapter's fix).
//!
//! Duplicates: a network duplicate (`duplicate_rate`: the broker stores a
//! second copy of a stored message `duplicate_delay_us` later); a
//! producer's re-send after a lost confirm (`publish`); a redelivery after
//! a consumer crash under manual ack (`delivery`). A copy keeps its
//! original's id ([`MsgRecord::origin`](crate::ledger::MsgRecord::origin)),
//! which is what the consumer dedupes on.
//!
//! Processing a message by the watched consumer group: the dedupe check
//! (for `dedupe`) at the start, the work, the effect written halfway
//! through it ([`EFFECT_AT_PCT`]), the rest of the work, then the ack. So a
//! crash falls either before the effect or between the effect and the ack:
//! - `none`: every copy applies the effect again (`double_applied`).
//! - `unique_key`: the effect's transaction inserts the id; a copy's
//!   insert fails and it is acked as done. Never doubled, never lost.
//! - `dedupe`, `mark=before` (what the chapter's code does: `SET NX` first,
//!   then process): a crash mid-work leaves the key set with the work not
//!   done; the redelivery finds the key and is acked as a duplicate — a
//!   silent loss (`lost_effects`, cause `dedupe_key_before_crash`) for as
//!   long as the key lives.
//! - `dedupe`, `mark=after` (check first, `SET` just before the ack): a
//!   crash between the effect and the mark lets the redelivery apply it
//!   again.
//! - Either mark: a copy that comes after the key expired (`ttl_us` shorter
//!   than the redelivery delay) is applied again.
//!
//! Owns the dedupe store ([`TtlStore`]), the effects ([`EffectStore`]),
//! the copies being worked on, and one random stream (network
//! duplicates). Handles `EffectWrite`, `DuplicateSent` and
//! `DuplicateArrive`; `delivery` hands it the start, the end, the ack and
//! the crash of a watched consumer's work, `publish` a stored message and a
//! planned re-send, and every end of a message reaches
//! [`Sim::copy_ended`]. Without an idempotence spec every hook returns at
//! once and nothing is drawn, so other scenarios' traces do not change.

use crate::vec_map::{VecMap, VecSet};

use crate::ledger::{Cause, MsgState};
use crate::model::effects::EffectStore;
use crate::model::Handle;
use crate::render::{DedupeKeyView, GuardedWorkView, IdempotenceView, LogKind, MoveKind};
use crate::rng::SimRng;
use crate::sim::{Ev, Sim};
use crate::spec::{DedupeMark, IdempotenceSpec, IdempotenceStrategy};
use crate::time::{TimeUs, US_PER_MS};

/// Where in a message's work its effect is written (percent of the work).
pub const EFFECT_AT_PCT: u64 = 50;
/// How long a copy recognised by its dedupe key takes to be acked (one
/// round trip to Redis).
pub const DEDUPE_CHECK_US: TimeUs = 20 * US_PER_MS;
/// Dedupe keys listed in a snapshot (the newest).
pub const KEYS_SHOWN: usize = 8;

/// A key-value store with expiry by simulated time, as Redis's `SET key
/// NX EX ttl` and `EXISTS key` use it: a key set at `t` with `ttl` exists
/// while `t <= now < t + ttl`.
///
/// Expired keys are removed (oldest expiry first, from a time-ordered
/// queue) before every command, so the store holds at most the keys set
/// within one TTL before the last command.
#[derive(Clone, Debug, Default)]
pub struct TtlStore {
    /// Key → when it expires.
    keys: VecMap<u64, TimeUs>,
    /// (expiry, key), soonest first.
    expiry: VecSet<(TimeUs, u64)>,
    /// Everything expiring at or before this was removed.
    purged_to: TimeUs,
    /// Keys set so far.
    pub sets: u64,
    /// `SET NX` refused because the key existed.
    pub refused: u64,
    /// Keys removed on expiry.
    pub expired: u64,
    /// The most keys held at once.
    pub max_len: usize,
}

impl TtlStore {
    /// Removes every key that has expired by `now`.
    pub fn purge(&mut self, now: TimeUs) {
        while let Some(&(at, key)) = self.expiry.first() {
            if at > now {
                break;
            }
            self.expiry.pop_first();
            self.keys.remove(&key);
            self.expired += 1;
        }
        self.purged_to = self.purged_to.max(now);
    }

    /// `SET key 1 NX EX ttl`: sets the key if it does not exist (true), or
    /// leaves it as it is (false).
    pub fn set_nx_ex(&mut self, key: u64, now: TimeUs, ttl: TimeUs) -> bool {
        self.purge(now);
        if self.keys.contains_key(&key) {
            self.refused += 1;
            return false;
        }
        let at = now.saturating_add(ttl.max(1));
        self.keys.insert(key, at);
        self.expiry.insert((at, key));
        self.sets += 1;
        self.max_len = self.max_len.max(self.keys.len());
        true
    }

    /// `EXISTS key`.
    pub fn exists(&mut self, key: u64, now: TimeUs) -> bool {
        self.purge(now);
        self.keys.contains_key(&key)
    }

    /// When `key` expires, if it is held.
    pub fn expires_at(&self, key: u64) -> Option<TimeUs> {
        self.keys.get(&key).copied()
    }

    /// Keys held (some may have expired since the last command).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keys that exist at `now`, without removing anything (for reading).
    pub fn live_len(&self, now: TimeUs) -> usize {
        self.expiry.count_from(&(now + 1, 0))
    }

    /// The `n` keys that expire last (the newest for one TTL), latest first,
    /// as (key, expiry), among those that exist at `now`.
    pub fn newest(&self, now: TimeUs, n: usize) -> Vec<(u64, TimeUs)> {
        self.expiry
            .iter()
            .rev()
            .take_while(|(at, _)| *at > now)
            .take(n)
            .map(|&(at, key)| (key, at))
            .collect()
    }

    /// The key map and the expiry queue agree, and nothing that expired by
    /// the last command is still held.
    pub fn check(&self) -> Result<(), String> {
        if self.keys.len() != self.expiry.len() {
            return Err(format!(
                "dedupe store: {} keys but {} expiry entries",
                self.keys.len(),
                self.expiry.len()
            ));
        }
        for (&key, &at) in &self.keys {
            if !self.expiry.contains(&(at, key)) {
                return Err(format!("dedupe store: key {key} has no expiry entry"));
            }
            if at <= self.purged_to {
                return Err(format!(
                    "dedupe store: key {key} expired at {at}µs but is still held"
                ));
            }
        }
        if self.keys.len() > self.max_len {
            return Err("dedupe store: more keys than its high-water mark".into());
        }
        Ok(())
    }
}

/// The watched consumer group and how it guards its effect.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Guard {
    pub group: u16,
    pub strategy: IdempotenceStrategy,
    pub mark: DedupeMark,
    pub ttl_us: TimeUs,
    pub duplicate_rate: f64,
    pub duplicate_delay_us: TimeUs,
}

/// A copy the watched consumer is working on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InWork {
    pub msg: Handle,
    /// Its message id (what it dedupes on).
    pub origin: u64,
    /// This copy wrote the dedupe key.
    pub key_set: bool,
    /// This copy applied the effect.
    pub effect_done: bool,
    /// Recognised as a duplicate: it is being acked without its work.
    pub skipping: bool,
}

/// The capability's state.
#[derive(Clone, Debug)]
pub struct Idempotence {
    /// `None` when no consumer is watched: every hook returns at once.
    pub guard: Option<Guard>,
    pub store: TtlStore,
    pub effects: EffectStore,
    /// Copies the watched consumers are working on, in the order they
    /// started (at most their workers).
    pub in_work: Vec<InWork>,
    /// Network duplicates made so far.
    pub network_copies: u64,
    /// Copies acked as duplicates (by the dedupe key or the unique key).
    pub skipped: u64,
    /// One stream for network duplicates.
    rng: SimRng,
}

impl Idempotence {
    pub fn new(spec: Option<&IdempotenceSpec>, group: Option<u16>, seed: u64) -> Self {
        let guard = spec.zip(group).map(|(s, group)| Guard {
            group,
            strategy: s.strategy,
            mark: s.mark,
            ttl_us: s.ttl_us,
            duplicate_rate: s.duplicate_rate,
            duplicate_delay_us: s.duplicate_delay_us,
        });
        Idempotence {
            guard,
            store: TtlStore::default(),
            effects: EffectStore::default(),
            in_work: Vec::new(),
            network_copies: 0,
            skipped: 0,
            rng: SimRng::stream(seed, 19_000),
        }
    }

    /// Whether consumer group `g` is the watched one.
    pub fn guards(&self, g: u16) -> bool {
        self.guard.is_some_and(|x| x.group == g)
    }

    fn work_of(&self, msg: Handle) -> Option<usize> {
        self.in_work.iter().position(|w| w.msg == msg)
    }
}

impl Sim {
    // ----- duplicates -----------------------------------------------------

    /// A message from producer `p` was stored: with `duplicate_rate` the
    /// network delivers it a second time. The copy is its own message in
    /// the ledger from now on (on the wire), keeping the original's id.
    /// Only originals are copied, and nothing is drawn without a rate.
    pub(crate) fn network_duplicate_maybe(&mut self, p: u16, msg: Handle) {
        let Some(guard) = self.idempotence.guard else {
            return;
        };
        if guard.duplicate_rate <= 0.0 {
            return;
        }
        let (origin, persistent) = {
            let r = self.ledger.get(msg.slot);
            (r.origin, r.persistent)
        };
        if origin != msg.id || !self.idempotence.rng.chance(guard.duplicate_rate) {
            return;
        }
        let (slot, id) =
            self.ledger
                .create(p, self.now, MsgState::InFlight, persistent, &mut self.trace);
        self.ledger.get_mut(slot).origin = origin;
        self.idempotence.effects.add_copy(origin, false);
        self.idempotence.network_copies += 1;
        let leaves = self.now + guard.duplicate_delay_us.saturating_sub(self.hop());
        self.push(
            leaves,
            Ev::DuplicateSent {
                p,
                msg: Handle { slot, id },
            },
        );
    }

    /// The network duplicate sets off to the broker (one hop).
    pub(crate) fn on_duplicate_sent(&mut self, p: u16, msg: Handle) {
        if !self.live(msg) {
            return;
        }
        let origin = self.ledger.get(msg.slot).origin;
        let target = self.publish.target(p);
        let (from, to) = (self.producer_node(p), self.target_node(target));
        self.record_move(msg, from, to, 0, MoveKind::Publish);
        self.note(
            Some(msg.id),
            LogKind::NetworkDuplicate {
                producer: from,
                order: origin,
            },
        );
        self.push(self.now + self.hop(), Ev::DuplicateArrive { p, msg });
    }

    /// The network duplicate reaches the broker and is stored like any
    /// message (refused while the broker is down).
    pub(crate) fn on_duplicate_arrive(&mut self, p: u16, msg: Handle) {
        if !self.live(msg) {
            return;
        }
        let target = self.publish.target(p);
        if !self.broker.up {
            let node = self.target_node(target);
            self.fail(msg, node, Cause::BrokerDown);
            return;
        }
        self.route(target, msg);
    }

    /// A producer will send order `origin` again (its confirm was lost).
    pub(crate) fn resend_planned(&mut self, origin: u64) {
        if self.idempotence.guard.is_some() {
            self.idempotence.effects.add_copy(origin, true);
        }
    }

    /// The planned re-send of `origin` is on its way (a live copy now).
    pub(crate) fn resent(&mut self, origin: u64) {
        if self.idempotence.guard.is_some() {
            self.idempotence.effects.resent(origin);
        }
    }

    /// A message of order `origin` ended (done, lost or rejected).
    pub(crate) fn copy_ended(&mut self, origin: u64) {
        if self.idempotence.guard.is_some() {
            self.idempotence.effects.copy_ended(origin);
        }
    }

    // ----- the watched consumer's work --------------------------------------

    /// A watched consumer starts on `msg` (its worker is taken): the dedupe
    /// check, then the work with its effect halfway; a copy recognised by
    /// its key is acked after one round trip instead.
    pub(crate) fn begin_guarded_work(
        &mut self,
        g: u16,
        member: u16,
        epoch: u32,
        msg: Handle,
        work: TimeUs,
    ) {
        let guard = self.idempotence.guard.expect("a watched group");
        let now = self.now;
        let origin = self.ledger.get(msg.slot).origin;
        self.idempotence.effects.touch(origin);
        let mut w = InWork {
            msg,
            origin,
            key_set: false,
            effect_done: false,
            skipping: false,
        };
        if guard.strategy == IdempotenceStrategy::Dedupe {
            let store = &mut self.idempotence.store;
            let seen = match guard.mark {
                DedupeMark::Before => !store.set_nx_ex(origin, now, guard.ttl_us),
                DedupeMark::After => store.exists(origin, now),
            };
            if seen {
                w.skipping = true;
                self.idempotence.in_work.push(w);
                let done = Ev::WorkDone {
                    g,
                    member,
                    epoch,
                    msg,
                };
                self.push(now + DEDUPE_CHECK_US, done);
                return;
            }
            if guard.mark == DedupeMark::Before {
                w.key_set = true;
                let group = self.group_node(g);
                self.note(
                    Some(msg.id),
                    LogKind::DedupeMarked {
                        group,
                        order: origin,
                    },
                );
            }
        }
        self.idempotence.in_work.push(w);
        let effect_at = now + work * EFFECT_AT_PCT / 100;
        self.push(
            effect_at,
            Ev::EffectWrite {
                g,
                member,
                epoch,
                msg,
            },
        );
        self.push(
            now + work,
            Ev::WorkDone {
                g,
                member,
                epoch,
                msg,
            },
        );
    }

    /// Halfway through the work: the effect. With a unique key it is an
    /// insert that fails for a duplicate, which is then acked as done.
    pub(crate) fn on_effect_write(&mut self, g: u16, member: u16, epoch: u32, msg: Handle) {
        if !self.member_holds(g, member, epoch, msg) {
            return; // the consumer crashed first
        }
        let Some(i) = self.idempotence.work_of(msg) else {
            return;
        };
        let origin = self.idempotence.in_work[i].origin;
        let group = self.group_node(g);
        let unique =
            self.idempotence.guard.map(|x| x.strategy) == Some(IdempotenceStrategy::UniqueKey);
        if unique && !self.idempotence.effects.insert_unique(origin) {
            self.idempotence.in_work[i].skipping = true;
            self.idempotence.skipped += 1;
            self.note(
                Some(msg.id),
                LogKind::DuplicateSkipped {
                    group,
                    order: origin,
                    unique_key: true,
                },
            );
            self.ack(g, member, msg, None);
            return;
        }
        let times = if unique {
            self.idempotence
                .effects
                .get(origin)
                .map_or(1, |o| o.applied)
        } else {
            self.idempotence.effects.apply(origin)
        };
        self.idempotence.in_work[i].effect_done = true;
        self.note(
            Some(msg.id),
            LogKind::EffectApplied {
                group,
                order: origin,
                times,
            },
        );
    }

    /// The end of a watched consumer's work on `msg`. A copy recognised by
    /// its dedupe key is acked here — as lost if its work never happened
    /// (no copy applied the effect and none is working on it: the key was
    /// written before a crash) — and this returns true; otherwise false,
    /// and the work ends as usual.
    pub(crate) fn guarded_skip_done(&mut self, g: u16, member: u16, msg: Handle) -> bool {
        if !self.idempotence.guards(g) {
            return false;
        }
        let Some(i) = self.idempotence.work_of(msg) else {
            return false;
        };
        let w = self.idempotence.in_work[i];
        if !w.skipping {
            return false;
        }
        let someone_working = self
            .idempotence
            .in_work
            .iter()
            .any(|x| x.origin == w.origin && x.msg != msg && !x.skipping);
        let applied = self
            .idempotence
            .effects
            .get(w.origin)
            .map_or(0, |o| o.applied);
        self.idempotence.skipped += 1;
        let group = self.group_node(g);
        self.note(
            Some(msg.id),
            LogKind::DuplicateSkipped {
                group,
                order: w.origin,
                unique_key: false,
            },
        );
        let lost = (applied == 0 && !someone_working).then_some(Cause::DedupeKeyBeforeCrash);
        self.ack(g, member, msg, lost);
        true
    }

    /// With `mark=after`, the work on `msg` succeeded: write its dedupe key
    /// now, just before the ack.
    pub(crate) fn guarded_mark_after(&mut self, g: u16, msg: Handle) {
        let Some(guard) = self.idempotence.guard else {
            return;
        };
        if guard.group != g
            || guard.strategy != IdempotenceStrategy::Dedupe
            || guard.mark != DedupeMark::After
        {
            return;
        }
        let Some(i) = self.idempotence.work_of(msg) else {
            return;
        };
        let origin = self.idempotence.in_work[i].origin;
        if self
            .idempotence
            .store
            .set_nx_ex(origin, self.now, guard.ttl_us)
        {
            self.idempotence.in_work[i].key_set = true;
            let group = self.group_node(g);
            self.note(
                Some(msg.id),
                LogKind::DedupeMarked {
                    group,
                    order: origin,
                },
            );
        }
    }

    /// A watched consumer acks `msg`: its order is acknowledged.
    pub(crate) fn guarded_acked(&mut self, msg: Handle) {
        if let Some(i) = self.idempotence.work_of(msg) {
            let w = self.idempotence.in_work.remove(i);
            self.idempotence.effects.finish(w.origin);
        }
    }

    /// A watched consumer let go of `msg` without acking it (it crashed, or
    /// the processing failed): what it wrote stays written.
    pub(crate) fn guarded_abandon(&mut self, msg: Handle) {
        if let Some(i) = self.idempotence.work_of(msg) {
            self.idempotence.in_work.remove(i);
        }
    }

    // ----- view -----------------------------------------------------------

    /// Plain data for the snapshot (`None` when no consumer is watched).
    pub(crate) fn idempotence_view(&self) -> Option<IdempotenceView> {
        let guard = self.idempotence.guard?;
        let i = &self.idempotence;
        let now = self.now;
        Some(IdempotenceView {
            group: self.group_node(guard.group),
            strategy: guard.strategy,
            mark: guard.mark,
            ttl_us: guard.ttl_us,
            effects_applied: i.effects.applied,
            orders_applied: i.effects.orders_applied,
            double_applied: i.effects.double,
            lost_effects: i.effects.lost,
            skipped_duplicates: i.skipped,
            unique_conflicts: i.effects.conflicts,
            network_copies: i.network_copies,
            dedupe_keys: i.store.live_len(now) as u64,
            dedupe_keys_max: i.store.max_len as u64,
            keys_expired: i.store.expired,
            newest_keys: i
                .store
                .newest(now, KEYS_SHOWN)
                .into_iter()
                .map(|(order, expires_us)| DedupeKeyView { order, expires_us })
                .collect(),
            in_work: i
                .in_work
                .iter()
                .map(|w| GuardedWorkView {
                    msg_id: w.msg.id,
                    order: w.origin,
                    key_set: w.key_set,
                    effect_done: w.effect_done,
                    skipping: w.skipping,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::US_PER_S;

    const TTL: TimeUs = 10 * US_PER_S;

    #[test]
    fn set_nx_sets_once_and_again_after_expiry() {
        let mut s = TtlStore::default();
        assert!(s.set_nx_ex(7, 0, TTL));
        assert!(!s.set_nx_ex(7, 1, TTL), "NX: the key exists");
        assert!(s.exists(7, TTL - 1));
        assert_eq!(s.expires_at(7), Some(TTL));
        assert!(!s.exists(7, TTL), "gone once its TTL has passed");
        assert!(s.set_nx_ex(7, TTL, TTL), "free to set again");
        assert_eq!((s.sets, s.refused, s.expired), (2, 1, 1));
        assert_eq!(s.check(), Ok(()));
    }

    #[test]
    fn expired_keys_are_removed_so_memory_is_bounded_by_the_ttl() {
        let mut s = TtlStore::default();
        // One key a second for an hour, each living ten seconds.
        for k in 0..3_600u64 {
            s.set_nx_ex(k, k * US_PER_S, TTL);
            assert!(s.len() <= 10, "{} keys at {k}s", s.len());
        }
        assert_eq!(s.max_len, 10);
        assert_eq!(s.expired, 3_590);
        assert_eq!(s.check(), Ok(()));
    }

    #[test]
    fn reading_does_not_remove_and_counts_only_live_keys() {
        let mut s = TtlStore::default();
        s.set_nx_ex(1, 0, TTL);
        s.set_nx_ex(2, US_PER_S, TTL);
        s.set_nx_ex(3, 2 * US_PER_S, 5 * US_PER_S);
        assert_eq!(s.live_len(TTL), 1, "only key 2 lives at 10 s");
        assert_eq!(s.len(), 3, "nothing removed by reading");
        assert_eq!(s.newest(0, 2), vec![(2, TTL + US_PER_S), (1, TTL)]);
        assert_eq!(s.newest(TTL, 8), vec![(2, TTL + US_PER_S)]);
        // Keys with different TTLs expire in expiry order, not set order.
        s.purge(7 * US_PER_S);
        assert_eq!((s.len(), s.expires_at(3)), (2, None));
    }

    #[test]
    fn a_broken_store_is_caught() {
        let mut s = TtlStore::default();
        s.set_nx_ex(1, 0, TTL);
        s.expiry.clear();
        assert!(s.check().unwrap_err().contains("expiry"));
    }
}
