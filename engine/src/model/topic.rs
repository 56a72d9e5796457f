//! Topics (fan-out exchanges): the set of queues currently subscribed, and
//! routing a message that reached the broker into its queue or into every
//! subscribed queue. The first subscription takes the original message,
//! every other one gets a copy that is a message of its own, so the ledger
//! still counts each copy once.
//!
//! Owns the topics. Handles the commands `subscribe`, `unsubscribe` and
//! `set_subscribers`.

use crate::ledger::MsgState;
use crate::model::{Handle, Target};
use crate::render::{LogKind, NodeId};
use crate::sim::Sim;
use crate::spec::TopicSpec;

#[derive(Clone, Debug)]
pub struct Topic {
    /// Subscribed queues, in subscription order.
    pub subscriptions: Vec<u16>,
    /// The queues `set_subscribers` picks from, in order: the spec's
    /// subscriptions, then its standby queues.
    pool: Vec<u16>,
    /// Messages published to the topic (before fan-out).
    pub published: u64,
    /// Copies delivered into subscribed queues (one per subscription per message).
    pub copies: u64,
}

impl Topic {
    pub fn new(_spec: &TopicSpec, subscriptions: Vec<u16>, standby: Vec<u16>) -> Self {
        let pool = subscriptions.iter().chain(&standby).copied().collect();
        Topic {
            subscriptions,
            pool,
            published: 0,
            copies: 0,
        }
    }

    /// Adds a subscription; false if it was already there.
    pub fn subscribe(&mut self, q: u16) -> bool {
        if self.subscriptions.contains(&q) {
            return false;
        }
        self.subscriptions.push(q);
        true
    }

    /// Subscribes exactly the first `count` queues of the pool (at least
    /// one, at most all): those beyond it are detached and keep what they
    /// hold, which their consumers still work off.
    pub fn set_subscribers(&mut self, count: u32) {
        let n = (count as usize).clamp(1, self.pool.len().max(1));
        self.subscriptions = self.pool.iter().take(n).copied().collect();
    }

    /// Removes a subscription; refused (false) for the last one or one
    /// that is not there.
    pub fn unsubscribe(&mut self, q: u16) -> bool {
        match self.subscriptions.iter().position(|x| *x == q) {
            Some(i) if self.subscriptions.len() > 1 => {
                self.subscriptions.remove(i);
                true
            }
            _ => false,
        }
    }
}

/// All topics of a simulation.
#[derive(Clone, Debug)]
pub struct Fanout {
    pub topics: Vec<Topic>,
}

impl Fanout {
    pub fn new(topics: Vec<Topic>) -> Self {
        Fanout { topics }
    }

    pub fn subscribe(&mut self, t: u16, q: u16) {
        self.topics[t as usize].subscribe(q);
    }

    pub fn unsubscribe(&mut self, t: u16, q: u16) {
        self.topics[t as usize].unsubscribe(q);
    }

    pub fn set_subscribers(&mut self, t: u16, count: u32) {
        self.topics[t as usize].set_subscribers(count);
    }
}

impl Sim {
    /// The node a publish to `target` goes to: the queue, or the topic.
    pub(crate) fn target_node(&self, target: Target) -> NodeId {
        match target {
            Target::Queue(q) => self.queue_node(q),
            Target::Topic(t) => self.topic_node(t),
        }
    }

    /// The queues a publish to `target` lands in.
    pub(crate) fn target_queues(&self, target: Target) -> Vec<u16> {
        match target {
            Target::Queue(q) => vec![q],
            Target::Topic(t) => self.fanout.topics[t as usize].subscriptions.clone(),
        }
    }

    /// Stores a message that reached the broker in its queue, or a copy in
    /// each of a topic's subscribed queues (the first takes the original).
    /// Returns whether the original was stored.
    pub(crate) fn route(&mut self, target: Target, msg: Handle) -> bool {
        match target {
            Target::Queue(q) => self.store(q, msg),
            Target::Topic(t) => {
                let subs = self.fanout.topics[t as usize].subscriptions.clone();
                self.fanout.topics[t as usize].published += 1;
                let (producer, created, persistent) = {
                    let r = self.ledger.get(msg.slot);
                    (r.producer, r.created_us, r.persistent)
                };
                let mut stored = false;
                for (i, &q) in subs.iter().enumerate() {
                    let copy = if i == 0 {
                        msg
                    } else {
                        let (slot, id) = self.ledger.create(
                            producer,
                            created,
                            MsgState::InFlight,
                            persistent,
                            &mut self.trace,
                        );
                        self.note(Some(id), LogKind::Copied { of: msg.id });
                        Handle { slot, id }
                    };
                    self.fanout.topics[t as usize].copies += 1;
                    let ok = self.store(q, copy);
                    if i == 0 {
                        stored = ok;
                    }
                }
                stored
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_and_unsubscribe_keep_one_reader() {
        let spec = TopicSpec {
            name: "t".into(),
            subscriptions: vec!["a".into()],
            standby: Vec::new(),
        };
        let mut t = Topic::new(&spec, vec![0], Vec::new());
        assert!(t.subscribe(1));
        assert!(!t.subscribe(1));
        assert!(t.unsubscribe(0));
        assert!(!t.unsubscribe(1), "the last subscription stays");
        assert_eq!(t.subscriptions, vec![1]);
    }

    #[test]
    fn set_subscribers_keeps_a_prefix_of_the_pool() {
        let spec = TopicSpec {
            name: "t".into(),
            subscriptions: vec!["a".into(), "b".into()],
            standby: vec!["c".into(), "d".into()],
        };
        let mut t = Topic::new(&spec, vec![0, 1], vec![2, 3]);
        t.set_subscribers(3);
        assert_eq!(t.subscriptions, vec![0, 1, 2]);
        t.set_subscribers(9);
        assert_eq!(t.subscriptions, vec![0, 1, 2, 3], "at most the pool");
        t.set_subscribers(0);
        assert_eq!(t.subscriptions, vec![0], "at least one");
    }
}
