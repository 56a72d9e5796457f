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
use std::collections::{BinaryHeap, VecDeque};

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
    #[inline]
    fn before(&self, other: &Key) -> bool {
        (self.at, self.seq) < (other.at, other.seq)
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

/// Events scheduled `delay` after the time of the last popped event. That
/// time never goes back, so a lane is sorted by (time, sequence).
#[derive(Clone, Debug)]
struct Lane {
    delay: TimeUs,
    keys: VecDeque<Key>,
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
    /// Time of the last popped event: every event still queued is at or after it.
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
            let mut spare = None;
            for (i, lane) in self.lanes.iter_mut().enumerate() {
                if lane.delay == delay {
                    lane.keys.push_back(key);
                    return Head::Lane(i);
                }
                if spare.is_none() && lane.keys.is_empty() {
                    spare = Some(i);
                }
            }
            if let Some(i) = spare {
                self.lanes[i].delay = delay;
                self.lanes[i].keys.push_back(key);
                return Head::Lane(i);
            }
            if self.lanes.len() < MAX_LANES {
                self.lanes.push(Lane {
                    delay,
                    keys: VecDeque::from([key]),
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
        let mut best = self.heap.peek().map(|k| (*k, Head::Heap));
        for (i, lane) in self.lanes.iter().enumerate() {
            if let Some(k) = lane.keys.front() {
                if best.is_none_or(|(b, _)| k.before(&b)) {
                    best = Some((*k, Head::Lane(i)));
                }
            }
        }
        best
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(TimeUs, u64, E)> {
        let (key, head) = self.next?;
        match head {
            Head::Heap => {
                self.heap.pop();
            }
            Head::Lane(i) => {
                self.lanes[i].keys.pop_front();
            }
        }
        self.len -= 1;
        self.base = key.at;
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
}
