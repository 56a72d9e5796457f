//! Synchronous calls: a producer or a consumer sends a request to a service
//! and waits for the answer. The service admits it to a worker, its waiting
//! line (with a timeout) or refuses it; a finished step may publish a
//! follow-up message and call the next service of a chain before the answer
//! goes back. A refused consumer retries after its backoff.
//!
//! Owns the services. Handles `CallArrive`, `ServiceDone`, `ServiceTimeout`,
//! `ReplyArrive` and `CallRetry`; the command `set_service_capacity` and
//! the fault `set_service_up`.

use crate::ledger::{Cause, MsgState};
use crate::model::service::{Admit, Caller, Service};
use crate::model::Handle;
use crate::render::{LogKind, MoveKind};
use crate::sim::{Ev, Sim};

#[derive(Clone, Debug)]
pub struct Calls {
    pub services: Vec<Service>,
}

impl Calls {
    pub fn new(services: Vec<Service>) -> Self {
        Calls { services }
    }
}

impl Sim {
    /// A consumer of group `g` calls its service with `msg`.
    pub(crate) fn send_call(&mut self, g: u16, member: u16, epoch: u32, msg: Handle) {
        let Some(s) = self.delivery.groups[g as usize].calls else {
            return;
        };
        let (from, to) = (self.group_node(g), self.service_node(s));
        self.record_move(msg, from, to, member, MoveKind::Call);
        self.push(
            self.now + self.hop(),
            Ev::CallArrive {
                s,
                msg,
                caller: Caller::Consumer {
                    group: g,
                    member,
                    epoch,
                },
            },
        );
    }

    pub(crate) fn on_call_arrive(&mut self, s: u16, msg: Handle, caller: Caller) {
        if !self.live(msg) {
            return;
        }
        let now = self.now;
        if let Caller::Producer(_) = caller {
            self.ledger
                .set_state(msg.slot, MsgState::InService, &mut self.trace);
        }
        match self.calls.services[s as usize].admit(msg, caller, now) {
            Admit::Start(work) => self.push(now + work, Ev::ServiceDone { s, msg, caller }),
            Admit::Wait(token) => {
                let timeout = self.calls.services[s as usize].timeout_us;
                if timeout > 0 {
                    self.push(now + timeout, Ev::ServiceTimeout { s, token });
                }
            }
            Admit::Down => self.reply(s, msg, caller, Some(Cause::ServiceDown)),
            Admit::Full => self.reply(s, msg, caller, Some(Cause::ServiceOverCapacity)),
        }
    }

    pub(crate) fn on_service_done(&mut self, s: u16, msg: Handle, caller: Caller) {
        let next = self.calls.services[s as usize].finish_one();
        self.after_step(s, msg, caller);
        if let Some(req) = next {
            let work = self.calls.services[s as usize].work_us();
            self.push(
                self.now + work,
                Ev::ServiceDone {
                    s,
                    msg: req.msg,
                    caller: req.caller,
                },
            );
        }
    }

    pub(crate) fn on_service_timeout(&mut self, s: u16, token: u64) {
        if let Some(req) = self.calls.services[s as usize].take_waiting(token) {
            self.reply(s, req.msg, req.caller, Some(Cause::ServiceTimeout));
        }
    }

    /// A service finished its own step: publish its follow-up message (if
    /// any), then go on down the call chain or answer the caller.
    fn after_step(&mut self, s: u16, msg: Handle, caller: Caller) {
        if let Some(target) = self.calls.services[s as usize].publishes {
            if self.live(msg) {
                self.publish_from_service(s, msg, target);
            }
        }
        match self.calls.services[s as usize].then_calls {
            Some(next) if self.live(msg) => {
                let lane = match caller {
                    Caller::Consumer { member, .. } => member,
                    Caller::Producer(_) => 0,
                };
                let (from, to) = (self.service_node(s), self.service_node(next));
                self.record_move(msg, from, to, lane, MoveKind::Call);
                self.push(
                    self.now + self.hop(),
                    Ev::CallArrive {
                        s: next,
                        msg,
                        caller,
                    },
                );
            }
            _ => self.reply(s, msg, caller, None),
        }
    }

    /// A call chain that failed at service `s` after earlier steps had
    /// done their work (the user saved, the email sent, then the SMS
    /// service refused): nothing undoes those steps, so the request failed
    /// while the system is left half changed. Logged after the failure.
    fn note_partly_done(&mut self, p: u16, s: u16, msg: Handle) {
        let first = self.publish.producers[p as usize].target;
        let (mut at, mut steps) = (first, 0u8);
        while at != s {
            match self
                .calls
                .services
                .get(at as usize)
                .and_then(|v| v.then_calls)
            {
                Some(next) if usize::from(steps) < self.calls.services.len() => {
                    (at, steps) = (next, steps + 1);
                }
                _ => return, // s is not on this producer's chain
            }
        }
        if steps > 0 {
            let (failed_at, first) = (self.service_node(s), self.service_node(first));
            self.note(
                Some(msg.id),
                LogKind::PartlyDone {
                    failed_at,
                    first,
                    steps,
                },
            );
        }
    }

    /// Sends a service's answer back to the caller.
    fn reply(&mut self, s: u16, msg: Handle, caller: Caller, refused: Option<Cause>) {
        if !self.live(msg) {
            return;
        }
        let from = self.service_node(s);
        let (to, lane) = match caller {
            Caller::Producer(p) => {
                self.ledger
                    .set_state(msg.slot, MsgState::InFlight, &mut self.trace);
                (self.producer_node(p), 0)
            }
            Caller::Consumer { group, member, .. } => (self.group_node(group), member),
        };
        let kind = if refused.is_some() {
            MoveKind::Refused
        } else {
            MoveKind::Reply
        };
        self.record_move(msg, from, to, lane, kind);
        self.push(
            self.now + self.hop(),
            Ev::ReplyArrive {
                s,
                msg,
                caller,
                refused,
            },
        );
    }

    pub(crate) fn on_reply_arrive(
        &mut self,
        s: u16,
        msg: Handle,
        caller: Caller,
        refused: Option<Cause>,
    ) {
        match caller {
            Caller::Producer(p) => {
                if !self.live(msg) {
                    return;
                }
                let prod = &mut self.publish.producers[p as usize];
                prod.waiting_for_reply = prod.waiting_for_reply.saturating_sub(1);
                let node = self.service_node(s);
                let created = self.ledger.get(msg.slot).created_us;
                let response = self.now - created;
                match refused {
                    Some(cause) => {
                        self.fail(msg, node, cause);
                        self.note_partly_done(p, s, msg);
                    }
                    None => {
                        let rec = self.ledger.finish_done(msg.slot, &mut self.trace);
                        self.copy_ended(rec.origin);
                        self.stats.note_done(self.now);
                        self.stats.response.record(response);
                        self.stats.latency.record(response);
                        self.note(
                            Some(msg.id),
                            LogKind::Replied {
                                service: node,
                                response_us: response,
                            },
                        );
                    }
                }
            }
            Caller::Consumer {
                group,
                member,
                epoch,
            } => {
                if !self.member_holds(group, member, epoch, msg) {
                    return; // crashed meanwhile: the message was already dealt with
                }
                match refused {
                    None => self.complete(group, member, msg),
                    Some(_) if self.seckill_order_refused(group, member, msg) => {}
                    Some(_) => {
                        let backoff = self.delivery.groups[group as usize].retry_backoff_us;
                        let (gnode, snode) = (self.group_node(group), self.service_node(s));
                        self.note(
                            Some(msg.id),
                            LogKind::CallRetry {
                                group: gnode,
                                consumer: member,
                                service: snode,
                            },
                        );
                        self.push(
                            self.now + backoff,
                            Ev::CallRetry {
                                g: group,
                                member,
                                epoch,
                                msg,
                            },
                        );
                    }
                }
            }
        }
    }

    pub(crate) fn on_call_retry(&mut self, g: u16, member: u16, epoch: u32, msg: Handle) {
        if self.member_holds(g, member, epoch, msg) {
            self.send_call(g, member, epoch, msg);
        }
    }

    // ----- commands and faults ---------------------------------------------

    pub(crate) fn set_service_capacity(&mut self, s: u16, cap: f64) {
        self.calls.services[s as usize].capacity_per_s = cap;
        let node = self.service_node(s);
        self.note(
            None,
            LogKind::ServiceCapacityChanged {
                service: node,
                capacity_per_s: cap,
            },
        );
    }

    /// Brings a service down (whoever waits in its line is turned away) or
    /// back up.
    pub(crate) fn set_service_up(&mut self, s: u16, up: bool) {
        let node = self.service_node(s);
        self.calls.services[s as usize].up = up;
        self.note(None, LogKind::ServiceUp { service: node, up });
        if !up {
            // Whoever was waiting in line is turned away.
            let waiting: Vec<_> = self.calls.services[s as usize].waiting.drain(..).collect();
            for req in waiting {
                self.calls.services[s as usize].refused += 1;
                self.reply(s, req.msg, req.caller, Some(Cause::ServiceDown));
            }
        }
    }
}
