//! What a run of a script observably did, as plain lines both runners
//! print the same way, so that two runs compare line by line.
//!
//! ```text
//! deliver fast m1                 (in delivery order)
//! deliver fast m1 redelivered
//! m1 acked-by fast                (then one fate per message, m1 first)
//! m2 dead-lettered x-death=2
//! m3 lost                         (auto-ack: delivered, never done)
//! m4 dropped                      (drop-head overflow)
//! m5 refused                      (reject-publish overflow: a nack to the publisher)
//! m6 queued orders 1              (still waiting, position from the head)
//! m7 held-by slow                 (delivered, not yet acked at the end)
//! ```

use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    AckedBy(String),
    DeadLettered(u32),
    Lost,
    Dropped,
    Refused,
    Queued(String, usize),
    HeldBy(String),
    /// Published, but neither runner saw it again (a bug in a runner).
    Unknown,
}

/// Collects what happened to messages `m1..mN`.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    /// (time, consumer index, consumer, message, redelivered), in the
    /// order seen.
    deliveries: Vec<(u64, usize, String, u32, bool)>,
    delivered: BTreeMap<u32, u32>,
    /// Lines of observations at a moment (`t=3 count delay -> 2`).
    notes: Vec<String>,
    fates: BTreeMap<u32, Fate>,
}

impl Recorder {
    /// Message `m` was published.
    pub fn published(&mut self, m: u32) {
        self.fates.insert(m, Fate::Unknown);
    }

    /// Consumer number `index`, `consumer`, was handed `m` at `at_us` (with
    /// the broker's redelivered flag). Deliveries handed out at the same
    /// moment are listed consumer by consumer: which channel hears first is
    /// not something either runner can pin.
    pub fn delivered(
        &mut self,
        index: usize,
        consumer: &str,
        m: u32,
        redelivered: bool,
        at_us: u64,
    ) {
        *self.delivered.entry(m).or_default() += 1;
        self.deliveries
            .push((at_us, index, consumer.into(), m, redelivered));
        self.fates.insert(m, Fate::HeldBy(consumer.into()));
    }

    pub fn note(&mut self, line: String) {
        self.notes.push(line);
    }

    pub fn times_delivered(&self, m: u32) -> u32 {
        self.delivered.get(&m).copied().unwrap_or(0)
    }

    pub fn fate(&mut self, m: u32, fate: Fate) {
        self.fates.insert(m, fate);
    }

    pub fn fate_of(&self, m: u32) -> Option<&Fate> {
        self.fates.get(&m)
    }

    pub fn lines(&self) -> Vec<String> {
        let mut deliveries: Vec<_> = self.deliveries.iter().collect();
        deliveries.sort_by_key(|(at, index, ..)| (*at, *index));
        let mut out: Vec<String> = deliveries
            .into_iter()
            .map(|(_, _, c, m, r)| {
                if *r {
                    format!("deliver {c} m{m} redelivered")
                } else {
                    format!("deliver {c} m{m}")
                }
            })
            .collect();
        out.extend(self.notes.iter().cloned());
        for (m, f) in &self.fates {
            out.push(match f {
                Fate::AckedBy(c) => format!("m{m} acked-by {c}"),
                Fate::DeadLettered(n) => format!("m{m} dead-lettered x-death={n}"),
                Fate::Lost => format!("m{m} lost"),
                Fate::Dropped => format!("m{m} dropped"),
                Fate::Refused => format!("m{m} refused"),
                Fate::Queued(q, pos) => format!("m{m} queued {q} {pos}"),
                Fate::HeldBy(c) => format!("m{m} held-by {c}"),
                Fate::Unknown => format!("m{m} unknown"),
            });
        }
        out
    }
}

/// A line-by-line comparison: `None` when equal, else a readable diff
/// (lines only one side has, each marked with its side).
pub fn diff(engine: &[String], broker: &[String]) -> Option<String> {
    if engine == broker {
        return None;
    }
    let mut out = String::new();
    let n = engine.len().max(broker.len());
    for i in 0..n {
        let (e, b) = (engine.get(i), broker.get(i));
        if e != b {
            out.push_str(&format!(
                "  line {}: engine `{}` · broker `{}`\n",
                i + 1,
                e.map_or("(none)", |s| s.as_str()),
                b.map_or("(none)", |s| s.as_str())
            ));
        }
    }
    Some(out)
}
