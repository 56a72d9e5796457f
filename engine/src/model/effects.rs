//! The effect an idempotence-watched consumer has on the world — points
//! added to an account, one award per message id (an "order") — and the
//! database's unique constraint on that id.
//!
//! A state machine that knows nothing of the event loop. It keeps one
//! entry per order that still has copies to watch: how often its effect
//! was applied, whether a copy was acknowledged, and how many copies are
//! alive or on their way. An order is watched from the first time it
//! matters (a copy is made, or a consumer starts on it) until its last
//! copy ends; then no copy of it can ever come again, so forgetting it
//! (and its unique-key row) changes nothing — and memory stays bounded by
//! the live messages, not by the run's length. The totals are kept as
//! running counts, so forgetting an order does not change them.
//!
//! The unique constraint is written in the same transaction as the effect
//! (`INSERT INTO processed(msg_id) ...; UPDATE account SET points = points
//! + 10`), so "the row exists" and "the effect was applied" are one fact.

use crate::vec_map::VecMap;

/// What is known about one order (message id).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Order {
    /// Times its effect was applied.
    pub applied: u32,
    /// A copy was acknowledged by the watched consumer (processed, or
    /// skipped as a duplicate).
    pub finished: bool,
    /// Copies alive in the ledger plus re-sends on their way.
    pub outstanding: u32,
    /// Of `outstanding`: re-sends a producer will make (after a lost
    /// confirm) that are not in the ledger yet.
    pub pending: u32,
}

/// The account, the unique-key table and the running totals.
#[derive(Clone, Debug, Default)]
pub struct EffectStore {
    orders: VecMap<u64, Order>,
    /// Effects applied, repeats included.
    pub applied: u64,
    /// Orders whose effect was applied at least once.
    pub orders_applied: u64,
    /// Effects beyond the first of their order.
    pub double: u64,
    /// Orders acknowledged whose effect has not happened (now).
    pub lost: u64,
    /// Unique-key inserts refused because the row was there.
    pub conflicts: u64,
}

impl EffectStore {
    /// The order `origin`. An order not watched yet has exactly one copy,
    /// the live message that brings it up (any other copy would have been
    /// counted when it was made).
    pub fn touch(&mut self, origin: u64) -> &mut Order {
        self.orders.get_or_insert_with(origin, || Order {
            outstanding: 1,
            ..Order::default()
        })
    }

    pub fn get(&self, origin: u64) -> Option<&Order> {
        self.orders.get(&origin)
    }

    /// Another copy of a live order was made: now (a network duplicate) or
    /// later (`pending`: a re-send after a lost confirm).
    pub fn add_copy(&mut self, origin: u64, pending: bool) {
        let o = self.touch(origin);
        o.outstanding += 1;
        if pending {
            o.pending += 1;
        }
    }

    /// A pending re-send was sent: it is a live copy now.
    pub fn resent(&mut self, origin: u64) {
        if let Some(o) = self.orders.get_mut(&origin) {
            o.pending = o.pending.saturating_sub(1);
        }
    }

    /// A copy ended (done, lost or rejected); after its last copy the order
    /// is forgotten.
    pub fn copy_ended(&mut self, origin: u64) {
        if let Some(o) = self.orders.get_mut(&origin) {
            o.outstanding = o.outstanding.saturating_sub(1);
            if o.outstanding == 0 {
                self.orders.remove(&origin);
            }
        }
    }

    /// Applies the effect once more; returns how often it has been applied.
    pub fn apply(&mut self, origin: u64) -> u32 {
        let o = self.touch(origin);
        o.applied += 1;
        let (times, finished) = (o.applied, o.finished);
        self.applied += 1;
        if times == 1 {
            self.orders_applied += 1;
            if finished {
                // Acknowledged without its effect until now.
                self.lost -= 1;
            }
        } else {
            self.double += 1;
        }
        times
    }

    /// Whether the order's unique-key row exists.
    pub fn has_row(&self, origin: u64) -> bool {
        self.orders.get(&origin).is_some_and(|o| o.applied > 0)
    }

    /// The effect and its unique-key row in one transaction: applied and
    /// true, or refused (the row exists: a duplicate) and false.
    pub fn insert_unique(&mut self, origin: u64) -> bool {
        if self.has_row(origin) {
            self.conflicts += 1;
            return false;
        }
        self.apply(origin);
        true
    }

    /// A copy of the order was acknowledged by the watched consumer.
    pub fn finish(&mut self, origin: u64) {
        let o = self.touch(origin);
        if o.finished {
            return;
        }
        o.finished = true;
        if o.applied == 0 {
            self.lost += 1;
        }
    }

    /// Orders watched now.
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// Watched orders, by id.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &Order)> {
        self.orders.iter().map(|(k, v)| (*k, v))
    }

    /// The running totals agree with each other; the error says which not.
    pub fn check(&self) -> Result<(), String> {
        if self.applied != self.orders_applied + self.double {
            return Err(format!(
                "effects: {} applied but {} orders once plus {} repeats",
                self.applied, self.orders_applied, self.double
            ));
        }
        for (id, o) in &self.orders {
            if o.outstanding == 0 || o.pending > o.outstanding {
                return Err(format!(
                    "effects: order #{id} watched with {} copies ({} pending)",
                    o.outstanding, o.pending
                ));
            }
        }
        let lost_now = self
            .orders
            .values()
            .filter(|o| o.finished && o.applied == 0)
            .count() as u64;
        if lost_now > self.lost {
            return Err(format!(
                "effects: {lost_now} watched orders lost but the count says {}",
                self.lost
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_counted_beyond_the_first_effect() {
        let mut e = EffectStore::default();
        assert_eq!(e.apply(7), 1);
        assert_eq!(e.apply(7), 2);
        assert_eq!(e.apply(8), 1);
        assert_eq!((e.applied, e.orders_applied, e.double), (3, 2, 1));
        assert_eq!(e.check(), Ok(()));
    }

    #[test]
    fn the_unique_key_refuses_the_second_insert() {
        let mut e = EffectStore::default();
        assert!(!e.has_row(1));
        assert!(e.insert_unique(1));
        assert!(e.has_row(1));
        assert!(!e.insert_unique(1), "a duplicate");
        assert_eq!((e.applied, e.double, e.conflicts), (1, 0, 1));
    }

    #[test]
    fn an_order_acked_without_its_effect_is_lost_until_a_copy_applies_it() {
        let mut e = EffectStore::default();
        e.touch(3);
        e.finish(3);
        assert_eq!(e.lost, 1);
        e.finish(3);
        assert_eq!(e.lost, 1, "counted once per order");
        e.apply(3);
        assert_eq!(e.lost, 0, "a later copy did the work");
        // Applied first, then acked: nothing lost.
        e.apply(4);
        e.finish(4);
        assert_eq!(e.lost, 0);
        assert_eq!(e.check(), Ok(()));
    }

    #[test]
    fn an_order_is_forgotten_after_its_last_copy_and_totals_stay() {
        let mut e = EffectStore::default();
        e.add_copy(5, false); // the original and a network duplicate
        e.add_copy(5, true); // and a re-send to come
        assert_eq!(e.get(5).map(|o| (o.outstanding, o.pending)), Some((3, 1)));
        e.apply(5);
        e.copy_ended(5);
        e.copy_ended(5);
        assert!(e.get(5).is_some(), "the re-send is still to come");
        e.resent(5);
        e.apply(5);
        e.copy_ended(5);
        assert!(e.is_empty());
        assert_eq!((e.applied, e.double), (2, 1));
        // Ending a copy of an order never watched changes nothing.
        e.copy_ended(99);
        assert!(e.is_empty());
        assert_eq!(e.check(), Ok(()));
    }

    #[test]
    fn memory_stays_bounded_over_many_orders() {
        let mut e = EffectStore::default();
        for id in 0..10_000 {
            e.apply(id);
            e.finish(id);
            e.copy_ended(id);
        }
        assert_eq!(e.len(), 0);
        assert_eq!(e.orders_applied, 10_000);
    }
}
