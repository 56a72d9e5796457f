//! The front of a flash-sale system, end to end: a gateway rate limiter,
//! stock pre-deducted in Redis, the order service's outcome, and the
//! monitoring that watches it all.
//!
//! Every request of the seckill producer first meets the gateway's token
//! bucket (`limiter`): without a token it is refused at once
//! (`rate_limited`). A request that passes waits for one of
//! `stock_workers` stock workers (in a bounded line; beyond it,
//! `gateway_busy`). The worker takes an item in Redis (a `StockCounter`):
//! - `atomic`: one Lua script, one round trip; it checks and decrements
//!   in one step, so it never sells an item that is not there;
//! - not atomic: `GET`, and one round trip later `DECR` if the value read
//!   was positive. Two workers that read the same value both decrement:
//!   near the end more workers read "1" than there are items, and the
//!   stock goes below zero (oversold).
//!
//! A request with an item is published to the order queue; a request
//! without one is answered "sold out". The queue's consumers are the
//! order service: an order that its database refuses fails
//! (`order_failed`), and its item goes back to the stock. Any later loss
//! of a request that holds an item returns the item too.
//!
//! Owns the policy, the limiter, the counter, the workers and their line,
//! the counters and the `Monitor`. Handles `StockStep`; `publish` hands it
//! each new request, `calls` each refused order, `delivery` each created
//! one, `sim::fail` each lost one, and the periodic sample drives the
//! monitor.

use std::collections::VecDeque;

use crate::ledger::{Cause, MsgRecord};
use crate::model::limiter::TokenBucket;
use crate::model::monitor::{Monitor, Totals};
use crate::model::stock::StockCounter;
use crate::model::Handle;
use crate::render::{LogKind, SeckillView};
use crate::sim::{Ev, Sim};
use crate::spec::SeckillSpec;
use crate::time::TimeUs;

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub producer: u16,
    pub queue: u16,
    pub stock: u64,
    pub atomic: bool,
    pub rtt_us: TimeUs,
    pub backlog: usize,
}

/// The gateway logs one refusal in this many of each kind (the first
/// included): at 90,000 refusals a second, even one line in a thousand
/// would wash the races and alerts out of the log within a second. The
/// ledger counts all of them by cause.
pub const LOG_ONE_REFUSAL_IN: u64 = 10_000;
/// And one failed order in this many (up to 1,000 a second fail while
/// the order database is down).
pub const LOG_ONE_FAILED_ORDER_IN: u64 = 100;

/// A stock worker at work: its request and, checking then decrementing,
/// the value its `GET` read.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Work {
    msg: Handle,
    read: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Seckill {
    /// `None` without a seckill spec: every hook returns at once.
    pub policy: Option<Policy>,
    pub limiter: TokenBucket,
    pub stock: StockCounter,
    workers: Vec<Option<Work>>,
    waiting: VecDeque<Handle>,
    /// Requests that hold an item and have no order yet (oldest first).
    pub(crate) holding: VecDeque<Handle>,
    pub monitor: Monitor,
    /// Orders the order service created.
    pub orders_created: u64,
    /// Orders the order service could not write.
    pub orders_failed: u64,
    /// Items that went back to the stock after a failed order.
    pub stock_returned: u64,
    /// Requests answered "sold out" by Redis.
    pub sold_out: u64,
    /// Requests refused by the limiter.
    pub limited: u64,
    latency_sum_us: u128,
    /// Refusals so far by kind: rate limited, gateway busy, sold out,
    /// order failed.
    refusals: [u64; 4],
}

impl Seckill {
    /// `sample_us`: the loop's sample interval, which the monitoring
    /// window is counted in.
    pub fn new(
        spec: Option<&SeckillSpec>,
        producer: Option<u16>,
        queue: Option<u16>,
        sample_us: TimeUs,
    ) -> Self {
        let policy = spec
            .zip(producer.zip(queue))
            .map(|(s, (producer, queue))| Policy {
                producer,
                queue,
                stock: s.stock,
                atomic: s.atomic,
                rtt_us: s.redis_rtt_us.max(1),
                backlog: s.backlog as usize,
            });
        let mut stock = StockCounter::default();
        stock.set(policy.as_ref().map_or(0, |p| p.stock as i64));
        let (workers, limiter, monitor) = match spec {
            Some(s) => (
                s.stock_workers as usize,
                TokenBucket::new(s.limiter_rate_per_s, s.limiter_burst, s.limiter_on),
                Monitor::new(
                    (s.monitor_window_us / sample_us.max(1)) as usize,
                    s.alert_queue_len,
                    s.alert_success_pct,
                ),
            ),
            None => (0, TokenBucket::new(1.0, 1, false), Monitor::new(1, 0, 0.0)),
        };
        Seckill {
            policy,
            limiter,
            stock,
            workers: vec![None; workers],
            waiting: VecDeque::new(),
            holding: VecDeque::new(),
            monitor,
            orders_created: 0,
            orders_failed: 0,
            stock_returned: 0,
            sold_out: 0,
            limited: 0,
            latency_sum_us: 0,
            refusals: [0; 4],
        }
    }

    /// Items left (0 once oversold).
    pub fn stock_left(&self) -> u64 {
        self.stock.get().unwrap_or(0).max(0) as u64
    }

    /// Orders created beyond the stock.
    pub fn oversold(&self) -> u64 {
        let stock = self.policy.as_ref().map_or(0, |p| p.stock);
        self.orders_created.saturating_sub(stock)
    }

    /// Takes `id` off the requests that hold an item: true if it held one.
    fn release(&mut self, id: u64) -> bool {
        match self.holding.iter().position(|h| h.id == id) {
            Some(i) => {
                self.holding.remove(i);
                true
            }
            None => false,
        }
    }

    /// Whether a refusal with `cause` goes unlogged (see
    /// [`LOG_ONE_REFUSAL_IN`], [`LOG_ONE_FAILED_ORDER_IN`]).
    pub(crate) fn quiet(&mut self, cause: Cause) -> bool {
        let (i, every) = match cause {
            _ if self.policy.is_none() => return false,
            Cause::RateLimited => (0, LOG_ONE_REFUSAL_IN),
            Cause::GatewayBusy => (1, LOG_ONE_REFUSAL_IN),
            Cause::SoldOut => (2, LOG_ONE_REFUSAL_IN),
            Cause::OrderFailed => (3, LOG_ONE_FAILED_ORDER_IN),
            _ => return false,
        };
        self.refusals[i] += 1;
        self.refusals[i] % every != 1
    }

    /// Requests a worker holds or that wait for one.
    pub fn at_gateway(&self) -> u64 {
        (self.workers.iter().flatten().count() + self.waiting.len()) as u64
    }
}

impl Sim {
    /// A new request of `p`: true if the gateway takes it (the limiter, a
    /// worker, the line), so it is not sent yet.
    pub(crate) fn gateway_begin(&mut self, p: u16, msg: Handle) -> bool {
        if self.seckill.policy.as_ref().is_none_or(|k| k.producer != p) {
            return false;
        }
        let node = self.producer_node(p);
        if !self.seckill.limiter.try_take(self.now) {
            self.seckill.limited += 1;
            self.fail(msg, node, Cause::RateLimited);
        } else if let Some(w) = self.seckill.workers.iter().position(Option::is_none) {
            self.start_stock(w, msg);
        } else if self.seckill.waiting.len() < self.seckill.policy.as_ref().map_or(0, |k| k.backlog)
        {
            self.seckill.waiting.push_back(msg);
        } else {
            self.fail(msg, node, Cause::GatewayBusy);
        }
        true
    }

    /// Worker `w` starts on `msg`: `GET` now (check-then-decrement), or
    /// the script, which runs one round trip later.
    fn start_stock(&mut self, w: usize, msg: Handle) {
        let Some(k) = &self.seckill.policy else {
            return;
        };
        let (atomic, rtt) = (k.atomic, k.rtt_us);
        let read = (!atomic).then(|| self.seckill.stock.get().unwrap_or(0));
        self.seckill.workers[w] = Some(Work { msg, read });
        if let Some(value) = read {
            // Workers that read a positive value and will decrement,
            // this one included: more of them than the value read means
            // the stock goes below zero.
            let pending = self
                .seckill
                .workers
                .iter()
                .flatten()
                .filter(|o| o.read.is_some_and(|r| r > 0))
                .count();
            if value > 0 && pending as i64 > value {
                self.note(
                    Some(msg.id),
                    LogKind::StockRace {
                        worker: w as u16,
                        value,
                        pending: pending as u16,
                    },
                );
            }
        }
        self.push(self.now + rtt, Ev::StockStep { worker: w as u16 });
    }

    /// Worker `w`'s second step: `DECR` after a positive read, or the
    /// script's answer. Then the request goes on (an item) or is answered
    /// "sold out", and the worker takes the next in line.
    pub(crate) fn on_stock_step(&mut self, w: u16) {
        let Some(work) = self
            .seckill
            .workers
            .get_mut(w as usize)
            .and_then(Option::take)
        else {
            return;
        };
        let Some(k) = &self.seckill.policy else {
            return;
        };
        let p = k.producer;
        let took = match work.read {
            None => self.seckill.stock.take() == 1,
            Some(v) if v > 0 => {
                let left = self.seckill.stock.decr();
                if left < 0 {
                    self.note(
                        Some(work.msg.id),
                        LogKind::Oversold {
                            worker: w,
                            stock: left,
                        },
                    );
                }
                true
            }
            Some(_) => false,
        };
        if self.live(work.msg) {
            if took {
                self.seckill.holding.push_back(work.msg);
                self.send_publish(p, work.msg);
            } else {
                self.seckill.sold_out += 1;
                let node = self.producer_node(p);
                self.fail(work.msg, node, Cause::SoldOut);
            }
        } else if took {
            self.return_stock();
        }
        while let Some(next) = self.seckill.waiting.pop_front() {
            if self.live(next) {
                self.start_stock(w as usize, next);
                break;
            }
        }
    }

    fn return_stock(&mut self) {
        let v = self.seckill.stock.get().unwrap_or(0);
        self.seckill.stock.set(v + 1);
        self.seckill.stock_returned += 1;
    }

    /// `rec` was acked: for a request with an item, the order service
    /// created its order.
    pub(crate) fn seckill_done(&mut self, rec: &MsgRecord) {
        if self.seckill.release(rec.id) {
            self.seckill.orders_created += 1;
            self.seckill.monitor.record(true);
            self.seckill.latency_sum_us += (self.now - rec.created_us) as u128;
        }
    }

    /// A consumer of group `g` had its call refused: on the order queue
    /// the order fails (the consumer gives it up, its item goes back)
    /// instead of retrying. True if it was handled here.
    pub(crate) fn seckill_order_refused(&mut self, g: u16, member: u16, msg: Handle) -> bool {
        let q = self.delivery.groups[g as usize].queue;
        if self.seckill.policy.as_ref().is_none_or(|k| k.queue != q) {
            return false;
        }
        self.ack(g, member, msg, Some(Cause::OrderFailed));
        true
    }

    /// A request ended without an order: one that held an item gives it
    /// back. (Refusals at the gateway never held one.)
    pub(crate) fn seckill_lost(&mut self, rec: &MsgRecord, cause: Cause) {
        if self.seckill.policy.is_none() || !self.seckill.release(rec.id) {
            return;
        }
        if cause == Cause::OrderFailed {
            self.seckill.orders_failed += 1;
            self.seckill.monitor.record(false);
        }
        self.return_stock();
    }

    /// The periodic sample: the monitor reads the queue and the outcomes,
    /// and the alerts that changed go to the log.
    pub(crate) fn seckill_sample(&mut self) {
        let Some(k) = &self.seckill.policy else {
            return;
        };
        let len = self.broker.queues[k.queue as usize].len();
        let totals = Totals {
            created: self.seckill.orders_created,
            failed: self.seckill.orders_failed,
            latency_sum_us: self.seckill.latency_sum_us,
        };
        for c in self.seckill.monitor.sample(self.now, len, totals) {
            self.note(
                None,
                LogKind::Alert {
                    alert: c.kind,
                    firing: c.firing,
                    value: c.value,
                },
            );
        }
    }

    /// The limiter switched on or off (a fault: "limiter off").
    pub(crate) fn set_limiter(&mut self, on: bool) {
        self.seckill.limiter.on = on;
    }

    pub(crate) fn seckill_view(&self) -> Option<SeckillView> {
        let k = self.seckill.policy.as_ref()?;
        let s = &self.seckill;
        Some(SeckillView {
            atomic: k.atomic,
            stock_value: s.stock.get().unwrap_or(0),
            stock: k.stock,
            limiter_on: s.limiter.on,
            limiter_rate_per_s: self
                .spec
                .seckill
                .as_ref()
                .map_or(0.0, |x| x.limiter_rate_per_s),
            workers: s.workers.iter().map(|w| w.map(|w| w.read)).collect(),
            waiting: s.waiting.len() as u64,
            points: s.monitor.points.iter().copied().collect(),
            firing: s.monitor.firing,
            alerts: s.monitor.changes.iter().copied().collect(),
        })
    }
}
