//! Delivery: handing stored messages to free consumers (round-robin over
//! every consumer of every group reading a queue), the consumer's prefetch
//! buffer and workers, the ack that ends a message as done, and what a
//! consumer crash does to the messages it held — lost under auto-ack,
//! requeued at the head under manual ack.
//!
//! Owns the consumer groups and one random stream per group (work times).
//! Handles `DeliverArrive`, `WorkDone` and `ConsumerRestart`; the commands
//! `set_consumers`, `set_consumers_online` and `set_consumer_work`; the
//! fault `crash_consumer`. A consumer that calls a service hands the
//! message to `calls` when its own work is done. The work of the consumer
//! group an idempotence spec watches is `dedupe`'s: its check, its effect
//! halfway through, its mark; this module still owns the slots, the ack
//! and the crash, and tells `dedupe` of each. On a queue with a retry
//! policy, `retry` decides whether a delivery fails and what a nack or a
//! crash return does (backoff, dead-lettering). A finished work may go to
//! `ordering`'s re-ordering buffer instead of being acked at once.

use crate::ledger::{Cause, MsgState};
use crate::model::consumer::ConsumerGroup;
use crate::model::queue::Queue;
use crate::model::Handle;
use crate::render::{LogKind, MoveKind};
use crate::rng::SimRng;
use crate::sim::{Ev, Sim};
use crate::spec::AckMode;
use crate::time::TimeUs;

#[derive(Clone, Debug)]
pub struct Delivery {
    pub groups: Vec<ConsumerGroup>,
    /// One stream per group, so one group's draws never shift another's.
    rngs: Vec<SimRng>,
}

impl Delivery {
    pub fn new(groups: Vec<ConsumerGroup>, seed: u64) -> Self {
        let rngs = (0..groups.len())
            .map(|i| SimRng::stream(seed, 2_000 + i as u64))
            .collect();
        Delivery { groups, rngs }
    }

    /// The next consumer with a free slot, across all groups reading
    /// `queue`, round-robin from the position after the last one served:
    /// consumers are numbered group by group (in reader order), and the
    /// scan goes from `rr` to the end, then from 0. Returns the flat
    /// position, the group and the member.
    fn next_free_consumer(&self, queue: &Queue) -> Option<(usize, u16, u16)> {
        let slots: usize = queue
            .readers
            .iter()
            .map(|g| self.groups[*g as usize].members.len())
            .sum();
        if slots == 0 {
            return None;
        }
        let start = queue.rr % slots;
        for (from, to) in [(start, slots), (0, start)] {
            let mut base = 0;
            for &g in &queue.readers {
                let grp = &self.groups[g as usize];
                let n = grp.members.len();
                // Only online groups and active members take new work.
                let (lo, hi) = (from.max(base), to.min(base + n.min(grp.active as usize)));
                if grp.online && lo < hi {
                    for pos in lo..hi {
                        if grp.can_take(pos - base) {
                            return Some((pos, g, (pos - base) as u16));
                        }
                    }
                }
                base += n;
            }
        }
        None
    }
}

impl Sim {
    /// Hands queued messages to free consumers, round-robin.
    pub(crate) fn dispatch(&mut self, q: u16) {
        // A polled queue (a sorted set) is read by its pollers, not pushed.
        if !self.broker.up || self.delay.polled(q) {
            return;
        }
        let qi = q as usize;
        while let Some(&head) = self.broker.queues[qi].items.front() {
            if self.head_waits_for_broker(q, head) {
                return;
            }
            let Some((pos, g, m)) = self.delivery.next_free_consumer(&self.broker.queues[qi])
            else {
                return;
            };
            self.broker.queues[qi].rr = pos + 1;
            let msg = self.broker.queues[qi].pop(self.now).expect("non-empty");
            self.hand_out(q, g, m, msg);
        }
    }

    /// Hands `msg`, just taken from queue `q`, to consumer `m` of group `g`.
    pub(crate) fn hand_out(&mut self, q: u16, g: u16, m: u16, msg: Handle) {
        let qi = q as usize;
        let now = self.now;
        self.ledger
            .set_state(msg.slot, MsgState::InFlight, &mut self.trace);
        let rec = self.ledger.get_mut(msg.slot);
        let entered = rec.enqueued_us;
        // The redelivered flag: this message was handed out before.
        let redelivered = std::mem::replace(&mut rec.dispatched, true);
        if !redelivered {
            self.delay_released(q, msg);
        }
        self.broker.queues[qi].note_left(entered, now);
        self.stats.wait.record(now - entered);
        let grp = &mut self.delivery.groups[g as usize];
        if redelivered {
            grp.redelivered += 1;
        }
        let epoch = grp.members[m as usize].epoch;
        grp.members[m as usize].held.push(msg);
        let (from, to) = (self.queue_node(q), self.group_node(g));
        self.record_move(msg, from, to, m, MoveKind::Deliver);
        self.note(
            Some(msg.id),
            LogKind::Delivered {
                queue: from,
                group: to,
                consumer: m,
                redelivered,
            },
        );
        self.push(
            now + self.hop(),
            Ev::DeliverArrive {
                g,
                member: m,
                epoch,
                msg,
            },
        );
    }

    /// Whether consumer `member` of group `g`, in incarnation `epoch`, still
    /// holds the live message `msg` (a crash or an ended message says no).
    pub(crate) fn member_holds(&self, g: u16, member: u16, epoch: u32, msg: Handle) -> bool {
        let m = &self.delivery.groups[g as usize].members[member as usize];
        m.epoch == epoch && m.held.contains(&msg) && self.live(msg)
    }

    pub(crate) fn on_deliver_arrive(&mut self, g: u16, member: u16, epoch: u32, msg: Handle) {
        if !self.member_holds(g, member, epoch, msg) {
            return; // the consumer crashed while the message was on its way
        }
        self.ledger
            .set_state(msg.slot, MsgState::Unacked, &mut self.trace);
        let rec = self.ledger.get_mut(msg.slot);
        rec.attempts = rec.attempts.saturating_add(1);
        let grp = &mut self.delivery.groups[g as usize];
        if grp.members[member as usize].working < grp.concurrency {
            self.start_work(g, member, epoch, msg);
        } else {
            // Prefetched beyond its workers: wait in the consumer.
            grp.members[member as usize].local.push_back(msg);
        }
    }

    fn start_work(&mut self, g: u16, member: u16, epoch: u32, msg: Handle) {
        self.delivery.groups[g as usize].members[member as usize].working += 1;
        let work = self.delivery.groups[g as usize]
            .work
            .sample(&mut self.delivery.rngs[g as usize]);
        if self.idempotence.guards(g) {
            self.begin_guarded_work(g, member, epoch, msg, work);
            return;
        }
        self.push(
            self.now + work,
            Ev::WorkDone {
                g,
                member,
                epoch,
                msg,
            },
        );
    }

    pub(crate) fn on_work_done(&mut self, g: u16, member: u16, epoch: u32, msg: Handle) {
        if !self.member_holds(g, member, epoch, msg) {
            return;
        }
        if self.guarded_skip_done(g, member, msg) {
            return; // a duplicate, acked without its work
        }
        if self.retry_fails(g, msg) {
            self.processing_failed(g, member, msg);
            return; // poison, or a transient fault, under a retry policy
        }
        let fail_rate = self.delivery.groups[g as usize].fail_rate;
        // Drawn only when failures are on, so other runs' draws do not shift.
        if fail_rate > 0.0 && self.delivery.rngs[g as usize].chance(fail_rate) {
            self.processing_failed(g, member, msg);
            return;
        }
        self.guarded_mark_after(g, msg);
        if self.delivery.groups[g as usize].calls.is_some() {
            self.send_call(g, member, epoch, msg);
        } else if !self.reorder_takes(g, member, msg) {
            self.complete(g, member, msg);
        }
    }

    /// A consumer acknowledges a processed message: it is done, the worker
    /// takes the next prefetched message, and the queue may send more.
    pub(crate) fn complete(&mut self, g: u16, member: u16, msg: Handle) {
        self.ack(g, member, msg, None);
    }

    /// A consumer acknowledges `msg`. It is done — or, with `lost`, gone
    /// although acked: a copy an idempotent consumer skipped as a
    /// duplicate while its work never happened. Then the worker takes the
    /// next prefetched message, and the queue may send more.
    pub(crate) fn ack(&mut self, g: u16, member: u16, msg: Handle, lost: Option<Cause>) {
        let q = self.let_go(g, member, msg);
        self.guarded_acked(msg);
        self.finish_acked(g, Some(member), msg, lost);
        self.next_local_work(g, member);
        self.dispatch(q);
    }

    /// Consumer `member` of group `g` is done with `msg` (it acks it now,
    /// or a re-ordering buffer takes it): its slot and worker are free.
    /// Returns the group's queue.
    pub(crate) fn let_go(&mut self, g: u16, member: u16, msg: Handle) -> u16 {
        let grp = &mut self.delivery.groups[g as usize];
        let mem = &mut grp.members[member as usize];
        mem.release(msg);
        mem.processed += 1;
        mem.working = mem.working.saturating_sub(1);
        grp.processed += 1;
        grp.queue
    }

    /// Group `g`'s ack of `msg` reaches the ledger: done (or, with `lost`,
    /// gone although acked). `member` is the consumer that acked, when one
    /// did (a re-ordering buffer acks for the group).
    pub(crate) fn finish_acked(
        &mut self,
        g: u16,
        member: Option<u16>,
        msg: Handle,
        lost: Option<Cause>,
    ) {
        let node = self.group_node(g);
        if let Some(cause) = lost {
            self.fail(msg, node, cause);
        } else {
            let q = self.delivery.groups[g as usize].queue;
            let rec = self.ledger.finish_done(msg.slot, &mut self.trace);
            self.copy_ended(rec.origin);
            if !rec.replay {
                self.broker.queues[q as usize].retain_acked(rec.producer, rec.persistent);
            }
            let latency = self.now - rec.created_us;
            self.retry_done(q, &rec, latency);
            self.delay_done(q, &rec);
            self.sale_done(q, &rec);
            self.seckill_done(&rec);
            self.txn_done(&rec);
            self.stats.latency.record(latency);
            self.stats.note_done(self.now);
            self.note(
                Some(msg.id),
                LogKind::Done {
                    node,
                    consumer: member,
                    latency_us: latency,
                },
            );
            self.step_ended(&rec, Some(node));
        }
    }

    /// Processing `msg` failed. Manual ack: the consumer nacks with requeue,
    /// so the message goes back to the head of its queue and is delivered
    /// again (flagged redelivered) — or, under a retry policy, `retry`
    /// decides (backoff, dead-letter queue). Auto-ack: the broker already forgot it,
    /// so it is lost. Either way the worker takes its next message.
    fn processing_failed(&mut self, g: u16, member: u16, msg: Handle) {
        let now = self.now;
        self.guarded_abandon(msg);
        let grp = &mut self.delivery.groups[g as usize];
        let mem = &mut grp.members[member as usize];
        mem.release(msg);
        mem.working = mem.working.saturating_sub(1);
        let (ack, q) = (grp.ack, grp.queue);
        match ack {
            AckMode::Auto => {
                let node = self.group_node(g);
                self.fail(msg, node, Cause::AutoAckProcessingFailure);
            }
            AckMode::Manual if self.retry_watches(g) => {
                self.delivery.groups[g as usize].nacked += 1;
                self.retry_failed(g, msg);
            }
            AckMode::Manual => {
                self.delivery.groups[g as usize].nacked += 1;
                self.ledger
                    .set_state(msg.slot, MsgState::Queued, &mut self.trace);
                self.ledger.get_mut(msg.slot).enqueued_us = now;
                self.broker.queues[q as usize].requeue_front(msg, now);
                let qn = self.queue_node(q);
                self.note(Some(msg.id), LogKind::Requeued { queue: qn });
            }
        }
        self.next_local_work(g, member);
        self.dispatch(q);
    }

    /// A worker of `member` is free: its next prefetched message (if any) starts.
    pub(crate) fn next_local_work(&mut self, g: u16, member: u16) {
        let epoch = self.delivery.groups[g as usize].members[member as usize].epoch;
        while let Some(next) = self.delivery.groups[g as usize].members[member as usize]
            .local
            .pop_front()
        {
            if self.live(next) {
                self.start_work(g, member, epoch, next);
                break;
            }
        }
    }

    /// Fault: the busiest live consumer of group `g` crashes. What it held
    /// is lost (auto-ack: the broker already forgot it) or requeued at the
    /// head (manual ack). It restarts after the group's `restart_us`.
    pub(crate) fn crash_consumer(&mut self, g: u16) {
        let Some(m) = self.delivery.groups[g as usize].crash_target() else {
            return;
        };
        let now = self.now;
        let grp = &mut self.delivery.groups[g as usize];
        let member = &mut grp.members[m];
        member.alive = false;
        member.epoch = member.epoch.wrapping_add(1);
        let held: Vec<Handle> = member.held.drain(..).collect();
        member.local.clear();
        member.working = 0;
        let (ack, q, restart) = (grp.ack, grp.queue, grp.restart_us);
        let node = self.group_node(g);
        let (mut requeued, mut lost) = (0u32, 0u32);
        // Requeue in reverse so the oldest ends up first again.
        for msg in held.into_iter().rev() {
            self.guarded_abandon(msg);
            if !self.live(msg) {
                continue;
            }
            match ack {
                AckMode::Auto => {
                    lost += 1;
                    self.fail(msg, node, Cause::AutoAckConsumerCrash);
                }
                AckMode::Manual if self.retry_returned_spent(g, msg) => {}
                AckMode::Manual => {
                    requeued += 1;
                    self.ledger
                        .set_state(msg.slot, MsgState::Queued, &mut self.trace);
                    self.ledger.get_mut(msg.slot).enqueued_us = now;
                    self.broker.queues[q as usize].requeue_front(msg, now);
                    let qn = self.queue_node(q);
                    self.note(Some(msg.id), LogKind::Requeued { queue: qn });
                }
            }
        }
        self.note(
            None,
            LogKind::ConsumerCrashed {
                group: node,
                consumer: m as u16,
                requeued,
                lost,
            },
        );
        self.push(
            now + restart,
            Ev::ConsumerRestart {
                g,
                member: m as u16,
            },
        );
        self.dispatch(q);
    }

    pub(crate) fn on_consumer_restart(&mut self, g: u16, member: u16) {
        let q = {
            let grp = &mut self.delivery.groups[g as usize];
            grp.members[member as usize].alive = true;
            grp.queue
        };
        let node = self.group_node(g);
        self.note(
            None,
            LogKind::ConsumerRestarted {
                group: node,
                consumer: member,
            },
        );
        self.dispatch(q);
    }

    // ----- commands ---------------------------------------------------------

    pub(crate) fn set_consumers(&mut self, g: u16, count: u32) {
        self.delivery.groups[g as usize].set_count(count);
        let node = self.group_node(g);
        self.note(None, LogKind::ConsumersChanged { group: node, count });
        let q = self.delivery.groups[g as usize].queue;
        self.dispatch(q);
    }

    pub(crate) fn set_consumers_online(&mut self, g: u16, online: bool) {
        self.delivery.groups[g as usize].online = online;
        let node = self.group_node(g);
        self.note(
            None,
            LogKind::ConsumersOnline {
                group: node,
                online,
            },
        );
        let q = self.delivery.groups[g as usize].queue;
        self.dispatch(q);
    }

    pub(crate) fn set_consumer_work(&mut self, g: u16, mean_us: TimeUs) {
        let grp = &mut self.delivery.groups[g as usize];
        grp.work = grp.work.with_mean(mean_us);
        let node = self.group_node(g);
        self.note(
            None,
            LogKind::ConsumerWorkChanged {
                group: node,
                mean_us,
            },
        );
    }
}
