//! Producer → broker: when producers send, the publish on the wire, what a
//! lost publish costs with and without publisher confirms, and the broker's
//! acknowledgement that ends the sender's wait. A service's follow-up
//! message (`publishes`) travels the same way.
//!
//! Owns the producers and one random stream per producer. Handles
//! `ProducerTick`, `PublishArrive`, `PublishRetry`, `RouteArrive` and
//! `ConfirmLost`; the commands `set_rate` and `produce`; the faults
//! `drop_next_publish` and `drop_next_confirm` (the broker stored it, the
//! confirm is lost, a producer with confirms sends a duplicate, which keeps
//! the original's message id), `delay_next_publish` (the network holds the
//! next publish up, so later ones overtake it). A stored message is also
//! offered to `dedupe`, which may have the network deliver it twice; a
//! step of `ordering` goes to the partition its key picks.

use crate::ledger::{Cause, MsgState};
use crate::model::producer::{NextTick, Producer};
use crate::model::service::Caller;
use crate::model::{Handle, Target};
use crate::render::{LogKind, MoveKind};
use crate::rng::SimRng;
use crate::sim::{Ev, Sim};
use crate::spec::Acks;
use crate::time::TimeUs;

/// The producers and their random streams.
#[derive(Clone, Debug)]
pub struct Publishing {
    pub producers: Vec<Producer>,
    /// One stream per producer, so one producer's draws never shift another's.
    rngs: Vec<SimRng>,
}

impl Publishing {
    pub fn new(producers: Vec<Producer>, seed: u64) -> Self {
        let rngs = (0..producers.len())
            .map(|i| SimRng::stream(seed, 1_000 + i as u64))
            .collect();
        Publishing { producers, rngs }
    }

    /// Messages the producers have sent so far (first sends, not retries).
    pub fn produced(&self) -> u64 {
        self.producers.iter().map(|p| p.produced).sum()
    }

    /// The queue producer `p` publishes to (0 if it does not publish to
    /// one queue).
    pub(crate) fn target_queue(&self, p: u16) -> u16 {
        match self.target(p) {
            Target::Queue(q) => q,
            Target::Topic(_) => 0,
        }
    }

    /// Where producer `p` publishes (when it does not call a service).
    pub(crate) fn target(&self, p: u16) -> Target {
        let prod = &self.producers[p as usize];
        if prod.target_is_topic {
            Target::Topic(prod.target)
        } else {
            Target::Queue(prod.target)
        }
    }
}

impl Sim {
    pub(crate) fn on_producer_tick(&mut self, p: u16, epoch: u32, send: bool) {
        if self.publish.producers[p as usize].epoch != epoch {
            return;
        }
        if send {
            self.produce_one(p);
        }
        self.plan_producer(p);
    }

    /// Schedules producer `p`'s next tick, if it has one.
    pub(crate) fn plan_producer(&mut self, p: u16) {
        let now = self.now;
        let prod = &mut self.publish.producers[p as usize];
        let epoch = prod.epoch;
        match prod.plan(now, &mut self.publish.rngs[p as usize]) {
            NextTick::Send(t) => self.push(
                t,
                Ev::ProducerTick {
                    p,
                    epoch,
                    send: true,
                },
            ),
            NextTick::Wake(t) => self.push(
                t,
                Ev::ProducerTick {
                    p,
                    epoch,
                    send: false,
                },
            ),
            NextTick::Idle => {}
        }
    }

    fn produce_one(&mut self, p: u16) {
        let persistent = self.publish.producers[p as usize].persistent;
        let (slot, id) =
            self.ledger
                .create(p, self.now, MsgState::InFlight, persistent, &mut self.trace);
        self.publish.producers[p as usize].note_sent(self.now);
        let msg = Handle { slot, id };
        self.note(Some(id), LogKind::Produced { producer: p });
        self.ordering_tag(p, msg);
        if !self.txn_begin(p, msg) && !self.gateway_begin(p, msg) {
            self.send_publish(p, msg);
        }
    }

    /// Puts a message on the wire: to the broker, or as a synchronous
    /// request to a service. A pending `drop_next_publish` fault takes it:
    /// with confirms the producer notices and sends again later; without,
    /// the message is lost.
    pub(crate) fn send_publish(&mut self, p: u16, msg: Handle) {
        let prod = &mut self.publish.producers[p as usize];
        if prod.drop_next {
            prod.drop_next = false;
            let confirm = prod.confirm;
            let retry = prod.retry_us;
            self.note(
                Some(msg.id),
                LogKind::PublishDropped {
                    producer: p,
                    will_retry: confirm,
                },
            );
            if confirm {
                self.push(self.now + retry, Ev::PublishRetry { p, msg });
            } else {
                let node = self.producer_node(p);
                self.fail(msg, node, Cause::NoConfirmNetworkDrop);
            }
            return;
        }
        let (to_queue, to_topic, target) =
            (prod.target_is_queue, prod.target_is_topic, prod.target);
        let delay = std::mem::take(&mut prod.delay_next_us);
        let from = self.producer_node(p);
        let at = self.now + self.hop() + delay;
        if delay > 0 {
            self.note(
                Some(msg.id),
                LogKind::PublishDelayed {
                    producer: from,
                    delay_us: delay,
                },
            );
        }
        if to_topic {
            self.record_fanout(msg, from, target, at);
            self.push(at, Ev::PublishArrive { p, msg });
        } else if to_queue {
            let q = self.ordered_queue(p, msg).unwrap_or(target);
            let to = self.queue_node(q);
            self.record_move_until(msg, from, to, 0, MoveKind::Publish, at);
            self.push(at, Ev::PublishArrive { p, msg });
        } else {
            let s = target;
            self.publish.producers[p as usize].waiting_for_reply += 1;
            let to = self.service_node(s);
            self.record_move(msg, from, to, 0, MoveKind::Call);
            self.push(
                at,
                Ev::CallArrive {
                    s,
                    msg,
                    caller: Caller::Producer(p),
                },
            );
        }
    }

    pub(crate) fn on_publish_retry(&mut self, p: u16, msg: Handle) {
        if self.live(msg) {
            self.note(Some(msg.id), LogKind::PublishRetried { producer: p });
            self.send_publish(p, msg);
        }
    }

    pub(crate) fn on_publish_arrive(&mut self, p: u16, msg: Handle) {
        let target = self
            .ordered_queue(p, msg)
            .map_or(self.publish.target(p), Target::Queue);
        if !self.broker.up {
            let node = self.target_node(target);
            self.fail(msg, node, Cause::BrokerDown);
            return;
        }
        if self.sale_refused(target, msg) {
            return;
        }
        let created = self.ledger.get(msg.slot).created_us;
        if self.route(target, msg) {
            // The sender's wait ends when the broker's acknowledgement gets
            // back (with acks=all, once the followers copied it).
            let mut response = self.now - created + self.spec.link_latency_us;
            if self.replication.acks == Acks::All && self.replication.replicated() {
                response += self.replication.lag_us;
            }
            // The acknowledgement is drawn: the sender's wait is two hops
            // (there and back), not the queue's cost.
            let (from, to) = (self.target_node(target), self.producer_node(p));
            self.record_move_until(msg, from, to, 0, MoveKind::Reply, created + response);
            self.stats.response.record(response);
            self.sale_queued(target, response);
            self.confirm_lost_maybe(p, msg);
            self.network_duplicate_maybe(p, msg);
        }
    }

    /// A pending `drop_next_confirm` takes the confirm of this stored
    /// message: a producer with confirms waits `retry_us`, hears nothing
    /// and sends the message again — a duplicate, since the broker has it.
    /// A producer without confirms never waited, so nothing happens.
    fn confirm_lost_maybe(&mut self, p: u16, msg: Handle) {
        let prod = &mut self.publish.producers[p as usize];
        if !prod.drop_next_confirm {
            return;
        }
        prod.drop_next_confirm = false;
        let (confirm, retry) = (prod.confirm, prod.retry_us);
        self.note(
            Some(msg.id),
            LogKind::PublishDropped {
                producer: p,
                will_retry: confirm,
            },
        );
        if confirm {
            let origin = self.ledger.get(msg.slot).origin;
            self.push(self.now + retry, Ev::ConfirmLost { p, origin });
            self.resend_planned(origin);
        }
    }

    /// The producer's confirm timeout: it sends the message again, as a
    /// new copy (the ledger counts each copy once) with the same message
    /// id (`origin`), which is what an idempotent consumer dedupes on.
    pub(crate) fn on_confirm_lost(&mut self, p: u16, origin: u64) {
        let persistent = self.publish.producers[p as usize].persistent;
        let (slot, id) =
            self.ledger
                .create(p, self.now, MsgState::InFlight, persistent, &mut self.trace);
        self.ledger.get_mut(slot).origin = origin;
        self.resent(origin);
        self.publish.producers[p as usize].duplicates += 1;
        self.note(Some(id), LogKind::PublishRetried { producer: p });
        self.send_publish(p, Handle { slot, id });
    }

    /// A service hands a new message to the broker (asynchronous hand-off).
    pub(crate) fn publish_from_service(&mut self, s: u16, cause: Handle, target: Target) {
        let (producer, persistent) = {
            let r = self.ledger.get(cause.slot);
            (r.producer, r.persistent)
        };
        let (slot, id) = self.ledger.create(
            producer,
            self.now,
            MsgState::InFlight,
            persistent,
            &mut self.trace,
        );
        let msg = Handle { slot, id };
        let from = self.service_node(s);
        self.note(
            Some(id),
            LogKind::FollowUp {
                service: from,
                cause: cause.id,
            },
        );
        let at = self.now + self.hop();
        match target {
            Target::Topic(t) => self.record_fanout(msg, from, t, at),
            Target::Queue(q) => {
                let to = self.queue_node(q);
                self.record_move(msg, from, to, 0, MoveKind::Publish);
            }
        }
        self.push(at, Ev::RouteArrive { target, msg });
    }

    pub(crate) fn on_route_arrive(&mut self, target: Target, msg: Handle) {
        if !self.live(msg) {
            return;
        }
        if !self.broker.up {
            let node = self.target_node(target);
            self.fail(msg, node, Cause::BrokerDown);
            return;
        }
        self.route(target, msg);
    }

    // ----- commands and faults ---------------------------------------------

    pub(crate) fn set_rate(&mut self, p: u16, rate: f64) {
        self.publish.producers[p as usize].set_rate(rate, self.now);
        self.note(
            None,
            LogKind::RateChanged {
                producer: p,
                rate_per_s: rate,
            },
        );
        self.plan_producer(p);
    }

    /// Sends `count` messages now (the "produce" button).
    pub(crate) fn produce(&mut self, p: u16, count: u32) {
        for _ in 0..count {
            self.produce_one(p);
        }
    }

    /// Fault: the broker stores producer `p`'s next publish but its confirm
    /// is lost on the way back.
    pub(crate) fn drop_next_confirm(&mut self, p: u16) {
        self.publish.producers[p as usize].drop_next_confirm = true;
    }

    /// Fault: the network holds producer `p`'s next publish up for `us`
    /// beyond a hop (later ones may overtake it).
    pub(crate) fn delay_next_publish(&mut self, p: u16, us: TimeUs) {
        self.publish.producers[p as usize].delay_next_us = us;
    }

    /// Fault: the network drops producer `p`'s next publish.
    pub(crate) fn drop_next_publish(&mut self, p: u16) {
        self.publish.producers[p as usize].drop_next = true;
    }
}
