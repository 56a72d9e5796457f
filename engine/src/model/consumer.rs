//! Consumer groups: N consumers competing for one queue, each with a number
//! of slots (its prefetch / concurrency).

use std::collections::VecDeque;

use crate::model::Handle;
use crate::rng::Dist;
use crate::spec::{AckMode, ConsumerSpec};
use crate::time::TimeUs;

#[derive(Clone, Debug)]
pub struct Consumer {
    /// Messages reserved for or held by this consumer.
    pub held: Vec<Handle>,
    /// False while crashed (restarting).
    pub alive: bool,
    /// Bumped at each crash so events for the old incarnation are ignored.
    pub epoch: u32,
    pub processed: u64,
    /// Messages being worked on now (at most the group's `concurrency`).
    pub working: u32,
    /// Delivered messages waiting in the consumer for a free worker
    /// (prefetched beyond `concurrency`).
    pub local: VecDeque<Handle>,
}

impl Consumer {
    fn new() -> Self {
        Consumer {
            held: Vec::new(),
            alive: true,
            epoch: 0,
            processed: 0,
            working: 0,
            local: VecDeque::new(),
        }
    }

    pub fn release(&mut self, h: Handle) -> bool {
        if let Some(i) = self.held.iter().position(|x| *x == h) {
            self.held.swap_remove(i);
            true
        } else {
            false
        }
    }
}

#[derive(Clone, Debug)]
pub struct ConsumerGroup {
    pub queue: u16,
    /// Consumers that take new work are `members[..active]`; those beyond
    /// finish what they hold and take nothing new.
    pub members: Vec<Consumer>,
    pub active: u32,
    pub concurrency: u32,
    /// Unacked messages one consumer may hold (>= `concurrency`).
    pub prefetch: u32,
    pub work: Dist,
    pub online: bool,
    pub ack: AckMode,
    pub calls: Option<u16>,
    pub restart_us: TimeUs,
    pub retry_backoff_us: TimeUs,
    pub processed: u64,
    /// Share of deliveries whose processing fails.
    pub fail_rate: f64,
    /// Deliveries of a message delivered before (the redelivered flag).
    pub redelivered: u64,
    /// Failed processings handed back with nack + requeue.
    pub nacked: u64,
}

impl ConsumerGroup {
    pub fn new(spec: &ConsumerSpec, queue: u16, calls: Option<u16>) -> Self {
        ConsumerGroup {
            queue,
            members: (0..spec.count).map(|_| Consumer::new()).collect(),
            active: spec.count,
            concurrency: spec.concurrency,
            prefetch: spec.unacked_limit(),
            work: spec.service_time.clone(),
            online: spec.online,
            ack: spec.ack,
            calls,
            restart_us: spec.restart_us,
            retry_backoff_us: spec.retry_backoff_us,
            fail_rate: spec.fail_rate,
            redelivered: 0,
            nacked: 0,
            processed: 0,
        }
    }

    /// Whether consumer `c` may be given another message now.
    pub fn can_take(&self, c: usize) -> bool {
        self.online
            && (c as u32) < self.active
            && self.members[c].alive
            && (self.members[c].held.len() as u32) < self.prefetch
    }

    pub fn has_free_slot(&self) -> bool {
        (0..self.active as usize).any(|c| self.can_take(c))
    }

    pub fn set_count(&mut self, count: u32) {
        while self.members.len() < count as usize {
            self.members.push(Consumer::new());
        }
        self.active = count;
    }

    /// Number of consumers worth drawing: the active ones plus retiring ones
    /// that still hold work.
    pub fn visible(&self) -> usize {
        let mut n = self.active as usize;
        for (i, m) in self.members.iter().enumerate().skip(n) {
            if !m.held.is_empty() {
                n = i + 1;
            }
        }
        n
    }

    /// Picks the consumer to crash: the busiest live one (lowest index on ties).
    pub fn crash_target(&self) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for (i, m) in self.members.iter().enumerate().take(self.visible()) {
            if !m.alive {
                continue;
            }
            let load = m.held.len();
            if best.is_none_or(|(_, l)| load > l) {
                best = Some((i, load));
            }
        }
        best.map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(count: u32) -> ConsumerGroup {
        ConsumerGroup::new(
            &ConsumerSpec {
                dispatch: Default::default(),
                prefetch: Default::default(),
                name: "g".into(),
                queue: "q".into(),
                count,
                concurrency: 2,
                service_time: Dist::Fixed { us: 1 },
                online: true,
                ack: AckMode::Manual,
                calls: None,
                restart_us: 1,
                retry_backoff_us: 1,
                fail_rate: 0.0,
            },
            0,
            None,
        )
    }

    #[test]
    fn slots_and_retiring_members() {
        let mut g = group(2);
        assert!(g.can_take(0));
        g.members[1].held.push(Handle { slot: 0, id: 0 });
        g.members[1].held.push(Handle { slot: 1, id: 1 });
        assert!(!g.can_take(1), "full");
        g.set_count(1);
        assert_eq!(g.visible(), 2, "retiring member still holds work");
        assert!(!g.can_take(1));
        g.members[1].held.clear();
        assert_eq!(g.visible(), 1);
        g.online = false;
        assert!(!g.has_free_slot());
    }

    #[test]
    fn crash_target_is_the_busiest_live_consumer() {
        let mut g = group(3);
        g.members[2].held.push(Handle { slot: 0, id: 0 });
        assert_eq!(g.crash_target(), Some(2));
        g.members[2].alive = false;
        assert_eq!(g.crash_target(), Some(0));
    }
}
