//! A Redis sorted set used as a delay queue: members scored by their due
//! time, polled with `ZRANGEBYSCORE key -inf now` and claimed with `ZREM`.
//! The state machine the delay scenario's `zset` method builds on, and what
//! `fidelity/scripts/11-*.mqs` checks against a real Redis.
//!
//! `ZREM` answers 1 to the one caller that removed the member and 0 to
//! everyone after: two pollers that both saw a due member both try, and
//! only a poller that checks the answer knows whether it won.

use crate::vec_map::{VecMap, VecSet};

#[derive(Clone, Debug, Default)]
pub struct SortedSet {
    /// (score, member): Redis orders equal scores by member, bytewise.
    by_score: VecSet<(i64, String)>,
    scores: VecMap<String, i64>,
}

impl SortedSet {
    /// `ZADD key score member`: 1 if the member is new, 0 if its score was
    /// updated.
    pub fn add(&mut self, score: i64, member: &str) -> i64 {
        let old = self.scores.insert(member.to_string(), score);
        if let Some(s) = old {
            self.by_score.remove(&(s, member.to_string()));
        }
        self.by_score.insert((score, member.to_string()));
        i64::from(old.is_none())
    }

    /// `ZRANGEBYSCORE key -inf max`: the members due by `max`, in order.
    pub fn due(&self, max: i64) -> Vec<String> {
        self.by_score
            .iter()
            .take_while(|(s, _)| *s <= max)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// `ZREM key member`: 1 if this call removed it, 0 if it was gone.
    pub fn remove(&mut self, member: &str) -> i64 {
        match self.scores.remove(member) {
            Some(s) => {
                self.by_score.remove(&(s, member.to_string()));
                1
            }
            None => 0,
        }
    }

    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_zrem_wins_a_member_two_pollers_saw() {
        let mut z = SortedSet::default();
        assert_eq!(z.add(30, "order-2"), 1);
        assert_eq!(z.add(10, "order-1"), 1);
        assert_eq!(z.add(20, "order-2"), 0, "a new score, not a new member");
        assert_eq!(z.due(25), ["order-1", "order-2"]);
        let (p1, p2) = (z.due(15), z.due(15));
        assert_eq!(p1, p2, "both pollers see order-1");
        assert_eq!((z.remove("order-1"), z.remove("order-1")), (1, 0));
        assert_eq!(z.len(), 1);
    }
}
