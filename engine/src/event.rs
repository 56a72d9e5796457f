//! The event queue: ordered by (time, insertion sequence), so events at the
//! same virtual time fire in the order they were scheduled.
//!
//! Most events are scheduled a fixed delay after "now" (one network hop, a
//! service's work time, a timeout, the sampling interval). Events with the
//! same delay arrive in (time, sequence) order, so each such stream is kept
//! in a plain FIFO lane; only the rest go to a binary heap. Popping takes the
//! smallest (time, sequence) among the lane heads and the heap top, so the
//! order is exactly that of one big heap, at a fraction of the cost. Keys
//! are small; the events themselves wait in a slab.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::time::TimeUs;

/// At most this many delay lanes (a lane with no events is reused).
const MAX_LANES: usize = 8;

#[derive(Clone, Copy, Debug)]
struct Key {
    at: TimeUs,
    seq: u64,
    /// Where the event waits in the slab.
    slot: u32,
}

impl Key {
    #[inline(always)]
    fn before(&self, other: &Key) -> bool {
        self.at < other.at || (self.at == other.at && self.seq < other.seq)
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest (then first-inserted) pops first.
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// Events pushed `delay` after the queue's `base` (the latest time popped).
/// `base` never goes back, so a lane is sorted by (time, sequence).
#[derive(Clone, Debug)]
struct Lane {
    delay: TimeUs,
    /// A FIFO: `keys[head..]` are queued.
    keys: Vec<Key>,
    head: usize,
}

impl Lane {
    #[inline(always)]
    fn front(&self) -> Option<&Key> {
        self.keys.get(self.head)
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.head == self.keys.len()
    }

    #[inline]
    fn push_back(&mut self, key: Key) {
        self.keys.push(key);
    }

    #[inline]
    fn pop_front(&mut self) {
        self.head += 1;
        if self.head == self.keys.len() {
            self.keys.clear();
            self.head = 0;
        } else if self.head >= 1024 && self.head * 2 >= self.keys.len() {
            // A lane that never empties (a long timeout): drop the popped part.
            self.keys.drain(..self.head);
            self.head = 0;
        }
    }
}

/// Where the next event is.
#[derive(Clone, Copy)]
enum Head {
    Heap,
    Lane(usize),
}

#[derive(Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Key>,
    lanes: Vec<Lane>,
    /// The latest time popped so far. Never decreases, so events pushed
    /// with the same delay after it come in (time, sequence) order.
    base: TimeUs,
    /// The next event to pop and where it is (kept up to date by push and pop).
    next: Option<(Key, Head)>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
    len: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            lanes: Vec::new(),
            base: 0,
            next: None,
            slab: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
            len: 0,
        }
    }
}

impl<E> EventQueue<E> {
    #[inline]
    pub fn push(&mut self, at: TimeUs, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(event);
                slot
            }
            None => {
                self.slab.push(Some(event));
                (self.slab.len() - 1) as u32
            }
        };
        let key = Key { at, seq, slot };
        self.len += 1;
        let place = self.place(key);
        if self.next.is_none_or(|(k, _)| key.before(&k)) {
            self.next = Some((key, place));
        }
    }

    /// Files a key in its delay lane (or the heap) and says where.
    #[inline]
    fn place(&mut self, key: Key) -> Head {
        let at = key.at;
        if at >= self.base {
            let delay = at - self.base;
            // The lane for this delay, or an empty one to take over.
            if let Some(i) = self.lanes.iter().position(|l| l.delay == delay) {
                self.lanes[i].push_back(key);
                return Head::Lane(i);
            }
            if let Some(i) = self.lanes.iter().position(Lane::is_empty) {
                self.lanes[i].delay = delay;
                self.lanes[i].push_back(key);
                return Head::Lane(i);
            }
            if self.lanes.len() < MAX_LANES {
                self.lanes.push(Lane {
                    delay,
                    keys: vec![key],
                    head: 0,
                });
                return Head::Lane(self.lanes.len() - 1);
            }
        }
        self.heap.push(key);
        Head::Heap
    }

    /// Finds the smallest (time, sequence) among the heap top and lane heads.
    #[inline]
    fn find_next(&self) -> Option<(Key, Head)> {
        let mut best = match self.heap.peek() {
            Some(k) => *k,
            None => Key {
                at: TimeUs::MAX,
                seq: u64::MAX,
                slot: u32::MAX,
            },
        };
        let mut head = Head::Heap;
        for (i, lane) in self.lanes.iter().enumerate() {
            if let Some(k) = lane.front() {
                if k.before(&best) {
                    best = *k;
                    head = Head::Lane(i);
                }
            }
        }
        // The sentinel (nothing queued) is never a real key: sequence
        // numbers never reach u64::MAX.
        (best.seq != u64::MAX).then_some((best, head))
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(TimeUs, u64, E)> {
        let (key, head) = self.next?;
        match head {
            Head::Heap => {
                self.heap.pop();
            }
            Head::Lane(i) => {
                self.lanes[i].pop_front();
            }
        }
        self.len -= 1;
        // Never back: lanes stay sorted only if `base` never decreases (an
        // event pushed before the last pop goes to the heap and may pop
        // now, but must not pull `base` back).
        self.base = self.base.max(key.at);
        self.next = self.find_next();
        let event = self.slab[key.slot as usize]
            .take()
            .expect("a queued event is in its slot");
        self.free.push(key.slot);
        Some((key.at, key.seq, event))
    }

    #[inline]
    pub fn peek_time(&self) -> Option<TimeUs> {
        self.next.map(|(k, _)| k.at)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_and_ties_in_insertion_order() {
        let mut q = EventQueue::default();
        q.push(5, "b1");
        q.push(3, "a");
        q.push(5, "b2");
        q.push(5, "b3");
        q.push(9, "c");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, _, e)| e)).collect();
        assert_eq!(order, ["a", "b1", "b2", "b3", "c"]);
    }

    /// Lanes and heap together pop exactly like one big (time, seq) heap,
    /// whatever mix of fixed and random delays is pushed.
    #[test]
    fn pops_in_the_same_order_as_a_plain_heap() {
        use crate::rng::SimRng;
        use std::cmp::Reverse;
        let mut rng = SimRng::new(5);
        let mut q = EventQueue::default();
        let mut model = BinaryHeap::new();
        let mut now: TimeUs = 0;
        let mut seq = 0u64;
        let delays = [0, 1, 10, 1_000, 1_000_000, 7, 3, 500, 20, 40, 90];
        for round in 0..200_000u64 {
            if rng.below(100) < 52 || model.is_empty() {
                let delay = if rng.chance(0.2) {
                    rng.below(5_000)
                } else {
                    delays[rng.below(delays.len() as u64) as usize]
                };
                // Now and then an event "in the past" of the last pop.
                let at = if rng.chance(0.01) {
                    now.saturating_sub(rng.below(50))
                } else {
                    now + delay
                };
                q.push(at, round);
                model.push(Reverse((at, seq, round)));
                seq += 1;
            } else {
                let Reverse((at, s, ev)) = model.pop().unwrap();
                assert_eq!(q.peek_time(), Some(at));
                assert_eq!(q.pop(), Some((at, s, ev)));
                now = at;
            }
            assert_eq!(q.len(), model.len());
        }
        while let Some(Reverse((at, s, ev))) = model.pop() {
            assert_eq!(q.pop(), Some((at, s, ev)));
        }
        assert!(q.is_empty());
        assert_eq!(q.pop(), None);
        assert_eq!(q.peek_time(), None);
    }
}
