//! A topic (fan-out exchange): the set of queues currently subscribed.

use crate::spec::TopicSpec;

#[derive(Clone, Debug)]
pub struct Topic {
    /// Subscribed queues, in subscription order.
    pub subscriptions: Vec<u16>,
    /// Messages published to the topic (before fan-out).
    pub published: u64,
    /// Copies delivered into subscribed queues (one per subscription per message).
    pub copies: u64,
}

impl Topic {
    pub fn new(_spec: &TopicSpec, subscriptions: Vec<u16>) -> Self {
        Topic {
            subscriptions,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_and_unsubscribe_keep_one_reader() {
        let spec = TopicSpec {
            name: "t".into(),
            subscriptions: vec!["a".into()],
        };
        let mut t = Topic::new(&spec, vec![0]);
        assert!(t.subscribe(1));
        assert!(!t.subscribe(1));
        assert!(t.unsubscribe(0));
        assert!(!t.unsubscribe(1), "the last subscription stays");
        assert_eq!(t.subscriptions, vec![1]);
    }
}
