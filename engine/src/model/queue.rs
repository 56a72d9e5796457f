//! A broker queue: FIFO storage with a capacity and an overflow policy.

use std::collections::VecDeque;

use crate::metrics::Level;
use crate::model::Handle;
use crate::rng::SimRng;
use crate::spec::{BrokerPacing, Overflow, QueueSpec};
use crate::time::TimeUs;

#[derive(Clone, Debug)]
pub struct Queue {
    pub items: VecDeque<Handle>,
    pub capacity: u64,
    pub overflow: Overflow,
    pub level: Level,
    pub enqueued: u64,
    /// Consumer groups reading from this queue (competing consumers).
    pub readers: Vec<u16>,
    /// Round-robin position over all consumers of all readers.
    pub rr: usize,
    /// Times a message entered this queue (requeues count again).
    pub visits: u64,
    /// Total time spent here by visits that have ended.
    left_wait_us: u128,
    /// Sum of the entry times of the messages here now.
    queued_entry_sum_us: u128,
    /// Broker profile cost model, if any.
    pub pacing: Option<BrokerPacing>,
    /// When the broker is free to take the next message (paced queues),
    /// in fractional µs so ceilings above 1M/s work.
    pub broker_free_us: f64,
    /// The latest ready time handed out (keeps delivery FIFO).
    pub last_ready_us: TimeUs,
    /// A pending wake-up for the head message, if one is scheduled.
    pub wake_at: Option<TimeUs>,
    /// How many acked messages the log keeps (0 = deleted once acked).
    pub retain: u64,
    /// The retained (acked) messages, oldest first: (producer, persistent).
    pub retained: VecDeque<(u16, bool)>,
    /// Messages re-read from the log so far.
    pub replayed: u64,
}

/// What happened when a message was offered to a full or non-full queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    Stored,
    /// Stored, and this older message was dropped to make room.
    StoredDropping(Handle),
    Refused,
}

impl Queue {
    pub fn new(spec: &QueueSpec) -> Self {
        Queue {
            items: VecDeque::new(),
            capacity: spec.capacity,
            overflow: spec.overflow,
            level: Level::default(),
            enqueued: 0,
            readers: Vec::new(),
            rr: 0,
            visits: 0,
            left_wait_us: 0,
            queued_entry_sum_us: 0,
            pacing: spec.pacing.clone(),
            broker_free_us: 0.0,
            last_ready_us: 0,
            wake_at: None,
            retain: spec.retain_acked,
            retained: VecDeque::new(),
            replayed: 0,
        }
    }

    /// For a paced queue, when a message stored at `now` becomes
    /// deliverable: it waits for the broker's throughput slot, then the
    /// profile's latency, and never overtakes the message ahead of it.
    pub fn ready_time(&mut self, now: TimeUs, rng: &mut SimRng) -> TimeUs {
        let Some(p) = &self.pacing else {
            return now;
        };
        let start = self.broker_free_us.max(now as f64);
        self.broker_free_us = start + 1e6 / p.throughput_per_s;
        let lat = p.latency.sample(rng);
        let ready = (self.broker_free_us.ceil() as TimeUs)
            .saturating_add(lat)
            .max(self.last_ready_us);
        self.last_ready_us = ready;
        ready
    }

    /// Keeps an acked message in the log (if this queue keeps one).
    pub fn retain_acked(&mut self, producer: u16, persistent: bool) {
        if self.retain == 0 {
            return;
        }
        if self.retained.len() as u64 >= self.retain {
            self.retained.pop_front();
        }
        self.retained.push_back((producer, persistent));
    }

    pub fn len(&self) -> u64 {
        self.items.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn offer(&mut self, h: Handle, now: TimeUs) -> Offer {
        let result = if self.len() < self.capacity {
            self.items.push_back(h);
            Offer::Stored
        } else {
            match self.overflow {
                Overflow::Reject => Offer::Refused,
                Overflow::DropOldest => {
                    let old = self.items.pop_front().expect("capacity >= 1");
                    self.items.push_back(h);
                    Offer::StoredDropping(old)
                }
            }
        };
        if result != Offer::Refused {
            self.enqueued += 1;
            self.visits += 1;
            self.queued_entry_sum_us += now as u128;
        }
        self.level.set(now, self.len());
        result
    }

    /// Puts a message back at the head (a nack with requeue, or a crash).
    /// Requeues ignore capacity: the broker already owned the message.
    pub fn requeue_front(&mut self, h: Handle, now: TimeUs) {
        self.items.push_front(h);
        self.visits += 1;
        self.queued_entry_sum_us += now as u128;
        self.level.set(now, self.len());
    }

    /// Puts a message back at the tail (a retry after its backoff, a
    /// redrive). Like a requeue it ignores capacity.
    pub fn requeue_back(&mut self, h: Handle, now: TimeUs) {
        self.items.push_back(h);
        self.visits += 1;
        self.queued_entry_sum_us += now as u128;
        self.level.set(now, self.len());
    }

    /// Puts back a message that never really left (after a broker restart),
    /// keeping its original entry time in the accounting.
    pub fn restore_front(&mut self, h: Handle, now: TimeUs) {
        self.items.push_front(h);
        self.level.set(now, self.len());
    }

    /// Records that a message which entered at `entered_us` has left (taken
    /// by a consumer, dropped or lost). The caller knows the entry time.
    pub fn note_left(&mut self, entered_us: TimeUs, now: TimeUs) {
        self.queued_entry_sum_us = self.queued_entry_sum_us.saturating_sub(entered_us as u128);
        self.left_wait_us += now.saturating_sub(entered_us) as u128;
    }

    /// Total time all visits have spent here so far, counting the messages
    /// still waiting up to `now`. Divided by the elapsed time it equals the
    /// time-averaged length: Little's law, from per-message waits.
    pub fn total_wait_us(&self, now: TimeUs) -> u128 {
        self.left_wait_us
            + (self.len() as u128 * now as u128).saturating_sub(self.queued_entry_sum_us)
    }

    pub fn pop(&mut self, now: TimeUs) -> Option<Handle> {
        let h = self.items.pop_front();
        if h.is_some() {
            self.level.set(now, self.len());
        }
        h
    }

    /// Removes every message (a broker crash); the caller decides their fate
    /// and calls `note_left` for those that do not come back.
    pub fn drain_all(&mut self, now: TimeUs) -> Vec<Handle> {
        let all: Vec<Handle> = self.items.drain(..).collect();
        self.level.set(now, 0);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(id: u64) -> Handle {
        Handle {
            slot: id as u32,
            id,
        }
    }

    #[test]
    fn overflow_policies() {
        let spec = |overflow| QueueSpec {
            retain_acked: Default::default(),
            pacing: Default::default(),
            name: "q".into(),
            capacity: 2,
            overflow,
        };
        let mut q = Queue::new(&spec(Overflow::Reject));
        assert_eq!(q.offer(h(1), 0), Offer::Stored);
        assert_eq!(q.offer(h(2), 0), Offer::Stored);
        assert_eq!(q.offer(h(3), 0), Offer::Refused);
        assert_eq!(q.len(), 2);

        let mut q = Queue::new(&spec(Overflow::DropOldest));
        q.offer(h(1), 0);
        q.offer(h(2), 0);
        assert_eq!(q.offer(h(3), 0), Offer::StoredDropping(h(1)));
        assert_eq!(q.pop(0), Some(h(2)));
        assert_eq!(q.level.max(), 2);
    }

    #[test]
    fn per_message_waits_agree_with_the_time_average() {
        let mut q = Queue::new(&QueueSpec {
            retain_acked: Default::default(),
            pacing: Default::default(),
            name: "q".into(),
            capacity: 10,
            overflow: Overflow::Reject,
        });
        q.offer(h(1), 0);
        q.offer(h(2), 100);
        q.pop(300);
        q.note_left(0, 300);
        // At t=400: #1 waited 300, #2 has waited 300 so far.
        assert_eq!(q.total_wait_us(400), 600);
        assert_eq!(q.level.mean(400) * 400.0, 600.0);
        assert_eq!(q.visits, 2);
    }

    #[test]
    fn a_paced_queue_spaces_messages_and_keeps_fifo() {
        use crate::rng::{Dist, SimRng};
        let mut q = Queue::new(&QueueSpec {
            retain_acked: 2,
            pacing: Some(BrokerPacing {
                throughput_per_s: 1000.0,
                latency: Dist::Uniform {
                    min_us: 0,
                    max_us: 5_000,
                },
            }),
            name: "q".into(),
            capacity: 10,
            overflow: Overflow::Reject,
        });
        let mut rng = SimRng::new(3);
        let ready: Vec<TimeUs> = (0..50).map(|_| q.ready_time(0, &mut rng)).collect();
        assert!(ready.windows(2).all(|w| w[0] <= w[1]), "FIFO: {ready:?}");
        assert!(ready[49] >= 50_000, "at most 1000 per second");
        assert!(ready[0] >= 1_000 && ready[0] <= 6_000);
        for p in 0..3 {
            q.retain_acked(p, false);
        }
        assert_eq!(q.retained, [(1, false), (2, false)], "the newest are kept");
    }
}
