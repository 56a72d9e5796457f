//! An order in a database and its message in the queue, kept in step by
//! one of four methods, and the crashes that pull them apart.
//!
//! Every message of the transaction producer is an order. The order is a
//! row written by a local transaction that takes `local_tx_us`; its
//! message tells the stock service to deduct stock. How the two are
//! ordered is the method:
//! - `db_then_send`: write the order, then send. A crash between the two
//!   leaves an order whose message is never sent (`order_without_message`).
//! - `send_then_db`: send, then write. A crash or a failed insert after the
//!   send leaves a message for an order that does not exist: the stock
//!   service deducts stock for it (`message_without_order`).
//! - `half_message` (RocketMQ): the broker stores a half message that no
//!   consumer can see; the producer runs the local transaction and answers
//!   commit (the message becomes visible) or rollback (it is dropped). With
//!   no answer (the producer crashed) the broker checks back after
//!   `check_back_us`: another instance looks the order up and answers;
//!   an insert still running answers "unknown", and the broker asks again.
//! - `outbox`: the message is a row of an outbox table written in the same
//!   transaction as the order; a relay reads the table every
//!   `relay_poll_us` and publishes what it finds. A crash after the
//!   commit loses nothing: the row is there for the relay.
//!
//! A crash is one order's producer instance dying between two steps (the
//! next order takes a crash command; `crash_rate` crashes a share of
//! them); the other instances carry on, so later orders are unaffected.
//!
//! Owns the policy, the waiting faults, the orders in progress, the half
//! messages, the outbox, the counters and a short timeline of the latest
//! orders. Handles `Txn` and `RelayPoll`; `publish` hands it each new
//! message of its producer, `delivery` each processed one and `sim::fail`
//! each lost one.

use std::collections::VecDeque;

use crate::ledger::{Cause, MsgRecord};
use crate::model::Handle;
use crate::render::{LogKind, TxnOrderView, TxnOutcome, TxnStep, TxnView};
use crate::rng::SimRng;
use crate::sim::{Ev, Sim};
use crate::spec::{TxnMethod, TxnSpec};
use crate::time::TimeUs;
use crate::vec_map::VecMap;

/// Orders the timeline keeps (the newest).
pub const TIMELINE_ORDERS: usize = 6;
/// Steps kept per order on the timeline (a long check-back loop keeps its
/// first steps and its latest).
pub const STEPS_PER_ORDER: usize = 10;
/// Crash commands waiting for an order, at most.
pub const MAX_WAITING_FAULTS: usize = 16;

/// A fault that waits for the next order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnFault {
    CrashAfterDb,
    CrashAfterSend,
    FailLocalTx,
}

/// A timer of one order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnTimer {
    /// The local transaction ends (or, with a crash after the send, the
    /// moment the producer would have started it).
    LocalTx,
    /// The half message reaches the broker.
    HalfArrive,
    /// The producer's commit (or rollback) reaches the broker.
    Answer { commit: bool },
    /// The broker asks the producer about a half message.
    CheckBack,
    /// The producer's answer to a check-back reaches the broker.
    CheckAnswer,
}

/// Whether an order's row exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Row {
    /// The insert has not ended yet.
    Pending,
    Exists,
    /// Never written (crashed before it, or rolled back).
    Never,
}

#[derive(Clone, Debug)]
struct Order {
    fault: Option<TxnFault>,
    row: Row,
    /// The stock service processed its message.
    processed: bool,
    /// Its message is gone without being processed (never sent, rolled
    /// back, lost).
    dropped: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub producer: u16,
    pub method: TxnMethod,
    pub local_tx_us: TimeUs,
    pub check_back_us: TimeUs,
    pub relay_poll_us: TimeUs,
    pub crash_rate: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Txn {
    /// `None` without a transaction spec: every hook returns at once.
    pub policy: Option<Policy>,
    faults: VecDeque<TxnFault>,
    /// Orders whose row or message is not settled yet, by message id.
    open: VecMap<u64, Order>,
    /// Half messages the broker holds (ids), invisible to consumers.
    pub(crate) half: crate::vec_map::VecSet<u64>,
    /// Outbox rows not yet published.
    outbox: VecDeque<Handle>,
    relay_pending: bool,
    timeline: VecDeque<TxnOrderView>,
    rng: Option<SimRng>,
    /// Order rows written.
    pub orders: u64,
    /// Messages the stock service processed (stock deducted).
    pub messages_delivered: u64,
    /// Orders written whose message will never be delivered.
    pub order_without_message: u64,
    /// Messages processed for an order that was never written.
    pub message_without_order: u64,
    /// Times the broker asked about a half message.
    pub check_backs: u64,
    /// Orders dropped together with their message: a failed insert or a
    /// rolled-back half message.
    pub rolled_back: u64,
}

impl Txn {
    pub fn new(spec: Option<&TxnSpec>, producer: Option<u16>, seed: u64) -> Self {
        let policy = spec.zip(producer).map(|(s, producer)| Policy {
            producer,
            method: s.method,
            local_tx_us: s.local_tx_us,
            check_back_us: s.check_back_us.max(1),
            relay_poll_us: s.relay_poll_us.max(1),
            crash_rate: s.crash_rate,
        });
        let rng = policy
            .as_ref()
            .filter(|p| p.crash_rate > 0.0)
            .map(|_| SimRng::stream(seed, 7_000));
        Txn {
            policy,
            rng,
            ..Txn::default()
        }
    }

    /// Whether producer `p`'s messages are orders.
    pub fn owns(&self, p: u16) -> bool {
        self.policy.as_ref().is_some_and(|x| x.producer == p)
    }

    /// Half messages the broker holds now.
    pub fn half_held(&self) -> u64 {
        self.half.len() as u64
    }

    /// Outbox rows the relay has not published yet.
    pub fn outbox_len(&self) -> u64 {
        self.outbox.len() as u64
    }

    /// Orders not settled yet.
    pub fn in_progress(&self) -> u64 {
        self.open.len() as u64
    }

    fn step(&mut self, id: u64, at_us: TimeUs, step: TxnStep) {
        if let Some(o) = self.timeline.iter_mut().find(|o| o.id == id) {
            if o.steps.len() >= STEPS_PER_ORDER {
                o.steps.remove(STEPS_PER_ORDER / 2);
            }
            o.steps.push((at_us, step));
        }
    }

    fn settle(&mut self, id: u64, outcome: TxnOutcome) {
        if let Some(o) = self.timeline.iter_mut().find(|o| o.id == id) {
            o.outcome = outcome;
        }
    }
}

impl Sim {
    /// A new order of producer `p` (its message `msg`): true if the
    /// transaction capability took it, false for a plain send.
    pub(crate) fn txn_begin(&mut self, p: u16, msg: Handle) -> bool {
        let Some(pol) = self.txn.policy.as_ref().filter(|x| x.producer == p) else {
            return false;
        };
        let (method, local_tx_us, crash_rate) = (pol.method, pol.local_tx_us, pol.crash_rate);
        let t = &mut self.txn;
        let fault = t.faults.pop_front().or_else(|| {
            let rng = t.rng.as_mut()?;
            rng.chance(crash_rate).then(|| match method {
                TxnMethod::SendThenDb => TxnFault::CrashAfterSend,
                TxnMethod::HalfMessage if rng.chance(0.5) => TxnFault::CrashAfterSend,
                _ => TxnFault::CrashAfterDb,
            })
        });
        t.open.insert(
            msg.id,
            Order {
                fault,
                row: Row::Pending,
                processed: false,
                dropped: false,
            },
        );
        if t.timeline.len() == TIMELINE_ORDERS {
            // Make room by the oldest order with nothing to see (settled
            // in step without a crash or a check-back), so a crash stays
            // on the timeline while plain orders stream past it.
            let plain = t.timeline.iter().position(|o| {
                o.outcome == TxnOutcome::Consistent
                    && !o.steps.iter().any(|s| {
                        matches!(
                            s.1,
                            TxnStep::Crashed | TxnStep::CheckBack | TxnStep::LocalTxFailed
                        )
                    })
            });
            t.timeline.remove(plain.unwrap_or(0));
        }
        t.timeline.push_back(TxnOrderView {
            id: msg.id,
            started_us: self.now,
            steps: Vec::new(),
            outcome: TxnOutcome::InProgress,
        });
        match method {
            TxnMethod::DbThenSend | TxnMethod::Outbox => {
                self.push(
                    self.now + local_tx_us,
                    Ev::Txn {
                        msg,
                        timer: TxnTimer::LocalTx,
                    },
                );
            }
            TxnMethod::SendThenDb => {
                self.txn_note(msg.id, TxnStep::Sent);
                self.send_publish(p, msg);
                // The send returns once the broker confirmed it; then the insert.
                let at = self.now + 2 * self.hop() + local_tx_us;
                self.push(
                    at,
                    Ev::Txn {
                        msg,
                        timer: TxnTimer::LocalTx,
                    },
                );
            }
            TxnMethod::HalfMessage => {
                let (from, to) = (
                    self.producer_node(p),
                    self.queue_node(self.publish.target_queue(p)),
                );
                self.record_move(msg, from, to, 0, crate::render::MoveKind::Publish);
                self.push(
                    self.now + self.hop(),
                    Ev::Txn {
                        msg,
                        timer: TxnTimer::HalfArrive,
                    },
                );
            }
        }
        true
    }

    pub(crate) fn on_txn(&mut self, msg: Handle, timer: TxnTimer) {
        let Some(pol) = self.txn.policy.clone() else {
            return;
        };
        let Some(order) = self.txn.open.get(&msg.id).cloned() else {
            return;
        };
        match timer {
            TxnTimer::LocalTx => self.txn_local_tx(&pol, msg, order),
            TxnTimer::HalfArrive => {
                if !self.live(msg) {
                    return;
                }
                if !self.broker.up {
                    // The producer hears the error and gives the order up.
                    let node = self.queue_node(self.publish.target_queue(pol.producer));
                    self.txn_row(msg.id, Row::Never);
                    self.fail(msg, node, Cause::BrokerDown);
                    return;
                }
                self.txn.half.insert(msg.id);
                self.ledger
                    .set_state(msg.slot, crate::ledger::MsgState::Half, &mut self.trace);
                self.txn_note(msg.id, TxnStep::HalfStored);
                self.push(
                    self.now + pol.check_back_us,
                    Ev::Txn {
                        msg,
                        timer: TxnTimer::CheckBack,
                    },
                );
                // The producer hears "stored" a hop later, then runs the insert.
                let at = self.now + self.hop() + pol.local_tx_us;
                self.push(
                    at,
                    Ev::Txn {
                        msg,
                        timer: TxnTimer::LocalTx,
                    },
                );
            }
            TxnTimer::Answer { commit } => {
                if self.broker.up {
                    self.txn_resolve(&pol, msg, commit);
                }
                // A broker that is down missed the answer: it checks back.
            }
            TxnTimer::CheckBack => {
                if !self.txn.half.contains(&msg.id) {
                    return;
                }
                if !self.broker.up {
                    // A broker that is down asks nothing; it keeps the half
                    // message (on disk) and asks once it is back.
                    let at = self.now + pol.check_back_us;
                    self.push(
                        at,
                        Ev::Txn {
                            msg,
                            timer: TxnTimer::CheckBack,
                        },
                    );
                    return;
                }
                self.txn.check_backs += 1;
                self.txn_note(msg.id, TxnStep::CheckBack);
                // The broker asks another instance; it looks the order up.
                self.push(
                    self.now + 2 * self.hop(),
                    Ev::Txn {
                        msg,
                        timer: TxnTimer::CheckAnswer,
                    },
                );
            }
            TxnTimer::CheckAnswer => {
                if !self.txn.half.contains(&msg.id) {
                    return;
                }
                if !self.broker.up {
                    // The answer found the broker down: it asks again later.
                    let at = self.now + pol.check_back_us;
                    self.push(
                        at,
                        Ev::Txn {
                            msg,
                            timer: TxnTimer::CheckBack,
                        },
                    );
                    return;
                }
                match order.row {
                    Row::Exists => self.txn_resolve(&pol, msg, true),
                    Row::Never => self.txn_resolve(&pol, msg, false),
                    Row::Pending => {
                        self.txn_note(msg.id, TxnStep::CheckUnknown);
                        self.push(
                            self.now + pol.check_back_us,
                            Ev::Txn {
                                msg,
                                timer: TxnTimer::CheckBack,
                            },
                        );
                    }
                }
            }
        }
    }

    fn txn_local_tx(&mut self, pol: &Policy, msg: Handle, order: Order) {
        let hop = self.hop();
        let crashed_before = order.fault == Some(TxnFault::CrashAfterSend)
            && matches!(pol.method, TxnMethod::SendThenDb | TxnMethod::HalfMessage);
        if crashed_before || order.fault == Some(TxnFault::FailLocalTx) {
            let step = if crashed_before {
                TxnStep::Crashed
            } else {
                TxnStep::LocalTxFailed
            };
            self.txn_note(msg.id, step);
            self.txn_row(msg.id, Row::Never);
            match pol.method {
                // Nothing was sent: the order and its message are both gone.
                TxnMethod::DbThenSend | TxnMethod::Outbox => self.txn_drop(pol, msg),
                // The message is out already; the stock service will find no order.
                TxnMethod::SendThenDb => {}
                // A failed insert answers rollback; a crash answers nothing.
                TxnMethod::HalfMessage if !crashed_before => {
                    self.push(
                        self.now + hop,
                        Ev::Txn {
                            msg,
                            timer: TxnTimer::Answer { commit: false },
                        },
                    );
                }
                TxnMethod::HalfMessage => {}
            }
            return;
        }
        self.txn.orders += 1;
        let step = if pol.method == TxnMethod::Outbox {
            TxnStep::OutboxWritten
        } else {
            TxnStep::OrderWritten
        };
        self.txn_note(msg.id, step);
        self.txn_row(msg.id, Row::Exists);
        let crash = order.fault.is_some();
        match pol.method {
            TxnMethod::DbThenSend if order.fault == Some(TxnFault::CrashAfterDb) => {
                self.txn_note(msg.id, TxnStep::Crashed);
                let node = self.producer_node(pol.producer);
                self.fail(msg, node, Cause::ProducerCrashed);
            }
            TxnMethod::DbThenSend => {
                self.txn_note(msg.id, TxnStep::Sent);
                self.send_publish(pol.producer, msg);
                if crash {
                    self.txn_note(msg.id, TxnStep::Crashed);
                }
            }
            TxnMethod::SendThenDb | TxnMethod::Outbox => {
                if pol.method == TxnMethod::Outbox {
                    self.txn.outbox.push_back(msg);
                    self.txn_plan_relay(pol);
                }
                if crash {
                    self.txn_note(msg.id, TxnStep::Crashed);
                }
            }
            TxnMethod::HalfMessage if crash => self.txn_note(msg.id, TxnStep::Crashed),
            TxnMethod::HalfMessage => {
                self.push(
                    self.now + hop,
                    Ev::Txn {
                        msg,
                        timer: TxnTimer::Answer { commit: true },
                    },
                );
            }
        }
    }

    /// The broker settles half message `msg`: visible to consumers, or gone.
    fn txn_resolve(&mut self, pol: &Policy, msg: Handle, commit: bool) {
        if !self.txn.half.remove(&msg.id) || !self.live(msg) {
            return;
        }
        if commit {
            self.txn_note(msg.id, TxnStep::Committed);
            self.store(self.publish.target_queue(pol.producer), msg);
        } else {
            self.txn_note(msg.id, TxnStep::RolledBack);
            self.txn_drop(pol, msg);
        }
    }

    /// Drops an order's message with its order (a rollback, a failed insert).
    fn txn_drop(&mut self, pol: &Policy, msg: Handle) {
        self.txn.rolled_back += 1;
        let node = self.producer_node(pol.producer);
        self.fail(msg, node, Cause::TxnRolledBack);
    }

    /// The outbox relay's next read, if none is planned (on the poll grid).
    fn txn_plan_relay(&mut self, pol: &Policy) {
        if self.txn.relay_pending {
            return;
        }
        self.txn.relay_pending = true;
        let at = (self.now / pol.relay_poll_us + 1) * pol.relay_poll_us;
        self.push(at, Ev::RelayPoll);
    }

    /// The relay publishes every outbox row (and marks it sent).
    pub(crate) fn on_relay_poll(&mut self) {
        self.txn.relay_pending = false;
        let Some(p) = self.txn.policy.as_ref().map(|x| x.producer) else {
            return;
        };
        while let Some(msg) = self.txn.outbox.pop_front() {
            if self.live(msg) {
                self.txn_note(msg.id, TxnStep::Relayed);
                self.send_publish(p, msg);
            }
        }
    }

    /// The stock service processed `rec`.
    pub(crate) fn txn_done(&mut self, rec: &MsgRecord) {
        if !self.txn.owns(rec.producer) || rec.replay {
            return;
        }
        let Some(o) = self.txn.open.get_mut(&rec.origin) else {
            return;
        };
        if o.processed {
            return;
        }
        o.processed = true;
        self.txn.messages_delivered += 1;
        self.txn_note(rec.origin, TxnStep::StockDeducted);
        self.txn_settle(rec.origin);
    }

    /// A message of the producer ended without being processed.
    pub(crate) fn txn_lost(&mut self, rec: &MsgRecord) {
        if !self.txn.owns(rec.producer) || rec.origin != rec.id {
            return;
        }
        self.txn.half.remove(&rec.id);
        if let Some(o) = self.txn.open.get_mut(&rec.id) {
            o.dropped = true;
            self.txn_settle(rec.id);
        }
    }

    fn txn_row(&mut self, id: u64, row: Row) {
        if let Some(o) = self.txn.open.get_mut(&id) {
            o.row = row;
        }
        self.txn_settle(id);
    }

    /// Counts an order once both its row and its message are settled.
    fn txn_settle(&mut self, id: u64) {
        let Some(o) = self.txn.open.get(&id) else {
            return;
        };
        let message_done = o.processed || o.dropped;
        if o.row == Row::Pending || !message_done {
            return;
        }
        let outcome = match (o.row == Row::Exists, o.processed) {
            (true, true) | (false, false) => TxnOutcome::Consistent,
            (true, false) => {
                self.txn.order_without_message += 1;
                TxnOutcome::OrderWithoutMessage
            }
            (false, true) => {
                self.txn.message_without_order += 1;
                TxnOutcome::MessageWithoutOrder
            }
        };
        self.txn.open.remove(&id);
        self.txn.settle(id, outcome);
    }

    fn txn_note(&mut self, id: u64, step: TxnStep) {
        let producer = self.txn.policy.as_ref().map_or(0, |p| p.producer);
        let node = self.producer_node(producer);
        self.txn.step(id, self.now, step);
        self.note(
            Some(id),
            LogKind::Txn {
                producer: node,
                step,
            },
        );
    }

    /// Fault: the next order of producer `p` meets `fault`.
    pub(crate) fn txn_fault(&mut self, fault: TxnFault) {
        if self.txn.faults.len() < MAX_WAITING_FAULTS {
            self.txn.faults.push_back(fault);
        }
    }

    pub(crate) fn txn_view(&self) -> Option<TxnView> {
        let p = self.txn.policy.as_ref()?;
        Some(TxnView {
            method: p.method,
            waiting_faults: self.txn.faults.len() as u32,
            orders: self.txn.timeline.iter().rev().cloned().collect(),
        })
    }
}
