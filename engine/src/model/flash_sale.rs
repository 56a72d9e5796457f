//! A flash sale queued in front of the order service: a sold-out flag at
//! the gate, the stock the order service takes per request, and the two
//! waits a buyer sees.
//!
//! A request reaching the sale queue is answered at once: "queued" (it is
//! stored; `queued_ack` is that answer's time), or "sold out" when the
//! flag is up (rejected at the gate, cause `sold_out`, without touching
//! the queue). The order service takes one item per request it processes
//! (an atomic take on a `StockCounter`): an order is created, or the
//! answer is "sold out" for a request that waited in the queue for
//! nothing. Taking the last item raises the flag. The buyer's page asks
//! for the result every `poll_us` after its "queued", so the confirmation
//! it sees (`confirmed`) is the processing time rounded up to a poll.
//!
//! Owns the policy, the stock, the flag, the counters and the two
//! histograms. No events of its own: `publish` asks it at the gate and
//! tells it of each queued request, `delivery` of each processed one.

use crate::ledger::{Cause, MsgRecord};
use crate::metrics::Histogram;
use crate::model::stock::StockCounter;
use crate::model::{Handle, Target};
use crate::sim::Sim;
use crate::spec::FlashSaleSpec;
use crate::time::TimeUs;

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub queue: u16,
    pub stock: u64,
    pub gate: bool,
    pub poll_us: TimeUs,
}

#[derive(Clone, Debug, Default)]
pub struct FlashSale {
    /// `None` without a flash-sale spec: every hook returns at once.
    pub policy: Option<Policy>,
    pub stock: StockCounter,
    /// The sold-out flag: the last item is gone.
    pub sold_out: bool,
    pub orders_created: u64,
    /// Requests refused at the gate by the flag.
    pub sold_out_at_gate: u64,
    /// Requests that waited in the queue and found no stock.
    pub sold_out_in_queue: u64,
    /// From the request to its "queued" answer, µs.
    pub queued_ack: Histogram,
    /// From the request to the poll that finds its order created, µs.
    pub confirmed: Histogram,
}

impl FlashSale {
    pub fn new(spec: Option<&FlashSaleSpec>, queue: Option<u16>) -> Self {
        let policy = spec.zip(queue).map(|(s, queue)| Policy {
            queue,
            stock: s.stock,
            gate: s.sold_out_flag,
            poll_us: s.poll_us.max(1),
        });
        let mut stock = StockCounter::default();
        if let Some(p) = &policy {
            stock.set(p.stock as i64);
        }
        FlashSale {
            policy,
            stock,
            ..FlashSale::default()
        }
    }

    fn on(&self, target: Target) -> Option<&Policy> {
        self.policy
            .as_ref()
            .filter(|p| target == Target::Queue(p.queue))
    }

    /// Items left.
    pub fn stock_left(&self) -> u64 {
        self.stock.get().unwrap_or(0).max(0) as u64
    }
}

impl Sim {
    /// A request reaches the gate of `target`: true if the sold-out flag
    /// turned it away.
    pub(crate) fn sale_refused(&mut self, target: Target, msg: Handle) -> bool {
        let Some(p) = self.sale.on(target) else {
            return false;
        };
        if !(p.gate && self.sale.sold_out) {
            return false;
        }
        self.sale.sold_out_at_gate += 1;
        let node = self.target_node(target);
        self.fail(msg, node, Cause::SoldOut);
        true
    }

    /// A request was stored in `target`; the buyer hears "queued" after
    /// `response_us`.
    pub(crate) fn sale_queued(&mut self, target: Target, response_us: TimeUs) {
        if self.sale.on(target).is_some() {
            self.sale.queued_ack.record(response_us);
        }
    }

    /// The order service processed `rec` from queue `q`: it takes an item
    /// or answers "sold out".
    pub(crate) fn sale_done(&mut self, q: u16, rec: &MsgRecord) {
        let Some(p) = self.sale.on(Target::Queue(q)) else {
            return;
        };
        let poll_us = p.poll_us;
        if self.sale.stock.take() == 1 {
            self.sale.orders_created += 1;
            let waited = self.now - rec.created_us;
            self.sale
                .confirmed
                .record(waited.div_ceil(poll_us) * poll_us);
        } else {
            self.sale.sold_out_in_queue += 1;
        }
        if self.sale.stock_left() == 0 {
            self.sale.sold_out = true;
        }
    }
}
