//! Per-message TTL in a classic RabbitMQ queue: each message carries its
//! own expiry, but the queue only looks at its head. A message expires (and
//! is dead-lettered, to the queue's `x-dead-letter-exchange`) when it is at
//! the head and its time is up, so a short TTL queued behind a long one
//! waits for the long one. The state machine the delay scenario's
//! `ttl_dlx` method builds on, checked against RabbitMQ by
//! `fidelity/scripts/14-*.mqs`.

use std::collections::VecDeque;

use crate::time::TimeUs;

#[derive(Clone, Debug, Default)]
pub struct HeadExpiryQueue {
    /// (message id, when its TTL is up), in arrival order.
    items: VecDeque<(u64, TimeUs)>,
}

impl HeadExpiryQueue {
    /// A message arrives at `now` with a TTL of `ttl_us`.
    pub fn push(&mut self, id: u64, now: TimeUs, ttl_us: TimeUs) {
        self.items.push_back((id, now.saturating_add(ttl_us)));
    }

    /// When the head's TTL is up: the only moment the queue acts on.
    pub fn next_expiry(&self) -> Option<TimeUs> {
        self.items.front().map(|(_, at)| *at)
    }

    /// Expires from the head at `now`: the messages dead-lettered, in order.
    /// A message further back whose time is up stays until it reaches the
    /// head.
    pub fn expire(&mut self, now: TimeUs) -> Vec<u64> {
        let mut out = Vec::new();
        while let Some(&(id, at)) = self.items.front() {
            if at > now {
                break;
            }
            self.items.pop_front();
            out.push(id);
        }
        out
    }

    /// The ids waiting, head first.
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.items.iter().map(|(id, _)| *id)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_ttl_waits_behind_a_long_one() {
        let mut q = HeadExpiryQueue::default();
        q.push(1, 0, 6_000);
        q.push(2, 0, 1_000);
        assert!(
            q.expire(3_000).is_empty(),
            "2's time is up, but 1 is at the head"
        );
        assert_eq!(q.next_expiry(), Some(6_000));
        assert_eq!(q.expire(6_000), [1, 2]);
        assert!(q.is_empty());
    }
}
