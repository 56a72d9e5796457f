//! A Redis stream read by a consumer group: `XADD`, `XREADGROUP … >`,
//! `XACK`, the pending entries list (`XPENDING`) with each entry's owner
//! and delivery count, and `XCLAIM` of an entry idle for long enough,
//! which hands it to another consumer and counts one more delivery.
//! The state machine behind the comparison demo's Redis Stream profile,
//! checked against a real Redis by `fidelity/scripts/13-*.mqs`.

use std::collections::BTreeMap;

use crate::time::TimeUs;

/// An entry waiting for its ack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub consumer: String,
    pub deliveries: u32,
    pub delivered_at_us: TimeUs,
}

/// One stream and one consumer group on it.
#[derive(Clone, Debug, Default)]
pub struct StreamGroup {
    /// Entry ids in order (`ms-seq`, compared numerically).
    entries: Vec<(u64, u64)>,
    /// How many entries the group has handed out (its last-delivered id).
    next: usize,
    pending: BTreeMap<(u64, u64), Pending>,
}

impl StreamGroup {
    /// `XADD key id …`: ids must grow; the new id, or `None` if it does not.
    pub fn add(&mut self, id: (u64, u64)) -> Option<(u64, u64)> {
        if self.entries.last().is_some_and(|last| *last >= id) {
            return None;
        }
        self.entries.push(id);
        Some(id)
    }

    /// `XREADGROUP GROUP g consumer COUNT n STREAMS key >`: up to `n`
    /// entries never delivered to the group, now pending for `consumer`.
    pub fn read_new(&mut self, consumer: &str, n: usize, now: TimeUs) -> Vec<(u64, u64)> {
        let end = (self.next + n).min(self.entries.len());
        let got: Vec<_> = self.entries[self.next..end].to_vec();
        self.next = end;
        for id in &got {
            self.pending.insert(
                *id,
                Pending {
                    consumer: consumer.to_string(),
                    deliveries: 1,
                    delivered_at_us: now,
                },
            );
        }
        got
    }

    /// `XACK`: 1 if the entry was pending, else 0.
    pub fn ack(&mut self, id: (u64, u64)) -> i64 {
        i64::from(self.pending.remove(&id).is_some())
    }

    /// `XPENDING key group - + n`: (id, owner, deliveries), in id order.
    pub fn pending(&self) -> Vec<((u64, u64), &Pending)> {
        self.pending.iter().map(|(id, p)| (*id, p)).collect()
    }

    /// `XCLAIM key group consumer min-idle id`: the entry passes to
    /// `consumer` if it has been idle at least `min_idle_us`, counting one
    /// more delivery; returns whether it did.
    pub fn claim(
        &mut self,
        consumer: &str,
        min_idle_us: TimeUs,
        id: (u64, u64),
        now: TimeUs,
    ) -> bool {
        match self.pending.get_mut(&id) {
            Some(p) if now.saturating_sub(p.delivered_at_us) >= min_idle_us => {
                p.consumer = consumer.to_string();
                p.deliveries += 1;
                p.delivered_at_us = now;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_entry_goes_to_one_consumer_and_a_claim_counts_a_delivery() {
        let mut s = StreamGroup::default();
        for i in 1..=3 {
            assert!(s.add((i, 0)).is_some());
        }
        assert_eq!(s.add((2, 0)), None, "ids only grow");
        assert_eq!(s.read_new("a", 2, 0), [(1, 0), (2, 0)]);
        assert_eq!(s.read_new("b", 2, 0), [(3, 0)]);
        assert_eq!(s.ack((1, 0)), 1);
        assert_eq!(s.ack((1, 0)), 0);
        assert!(!s.claim("b", 1_000, (2, 0), 500), "not idle long enough");
        assert!(s.claim("b", 1_000, (2, 0), 1_000));
        let p = s.pending();
        assert_eq!(
            (p[0].0, p[0].1.consumer.as_str(), p[0].1.deliveries),
            ((2, 0), "b", 2)
        );
    }
}
