//! Invariant checks, kept beside the model rather than sprinkled through it.
//!
//! `check_counts` is cheap (O(number of states)) and runs after every event
//! in debug builds; `check_full` walks every live message and is called by
//! tests.

use crate::ledger::MsgState;
use crate::sim::Sim;

/// Conservation: every message ever created is counted in exactly one state,
/// and every rejection or loss has a cause.
pub fn check_counts(sim: &Sim) -> Result<(), String> {
    let counts = sim.ledger.raw_counts();
    let sum: u64 = counts.iter().sum();
    if sum != sim.ledger.total() {
        return Err(format!(
            "ledger: {} messages created but {} counted across states",
            sim.ledger.total(),
            sum
        ));
    }
    let (rejected, lost) = sim.ledger.cause_totals();
    if rejected != sim.ledger.count(MsgState::Rejected) {
        return Err("a rejection has no cause".into());
    }
    if lost != sim.ledger.count(MsgState::Lost) {
        return Err("a loss has no cause".into());
    }
    Ok(())
}

/// Everything in `check_counts`, plus: each live message's record agrees
/// with the counts; every message a node holds is live and in the state
/// that node implies; no message is in two places (two queues, a queue and
/// a consumer, or two consumers); consumers and services stay within their
/// slots and lines.
pub fn check_full(sim: &Sim) -> Result<(), String> {
    check_counts(sim)?;
    let mut by_state = [0u64; 10];
    for r in sim.ledger.live_records() {
        if r.state.is_terminal() {
            return Err(format!("message #{} is live but terminal", r.id));
        }
        by_state[r.state as usize] += 1;
    }
    for s in MsgState::ALL.iter().filter(|s| !s.is_terminal()) {
        if by_state[*s as usize] != sim.ledger.count(*s) {
            return Err(format!(
                "state {}: {} live records but the count says {}",
                s.as_str(),
                by_state[*s as usize],
                sim.ledger.count(*s)
            ));
        }
    }
    // No message in two places: a queue entry, a consumer's hold or the
    // re-ordering buffer is the one place a message is (a topic's copies are messages of their own).
    // (A live message owns its ledger slot, so slots identify messages.)
    let mut seen = vec![false; sim.ledger.slots()];
    let queued_handles = sim.broker.queues.iter().flat_map(|q| q.items.iter());
    let held_handles = sim
        .delivery
        .groups
        .iter()
        .flat_map(|g| g.members.iter().flat_map(|m| m.held.iter()));
    let retry_handles = (sim.retry.dlq.iter().map(|d| &d.msg)).chain(sim.retry.waiting.values());
    let parked_handles = sim.ordering.parked.iter().map(|(_, p)| &p.msg);
    let extra = retry_handles.chain(parked_handles);
    for h in queued_handles.chain(held_handles).chain(extra) {
        match seen.get_mut(h.slot as usize) {
            Some(true) => return Err(format!("message #{} is in two places", h.id)),
            Some(slot) => *slot = true,
            None => return Err(format!("message #{} has no ledger slot", h.id)),
        }
    }
    let mut queued = 0u64;
    for (qi, q) in sim.broker.queues.iter().enumerate() {
        for h in &q.items {
            if !sim.ledger.is_live(h.slot, h.id) {
                return Err(format!("queue {qi} holds finished message #{}", h.id));
            }
            let st = sim.ledger.get(h.slot).state;
            if st != MsgState::Queued {
                return Err(format!(
                    "queue {qi} holds #{} in state {}",
                    h.id,
                    st.as_str()
                ));
            }
            // Flush and replication are timed from the first store.
            if sim.ledger.get(h.slot).stored_us.is_none() {
                return Err(format!("queue {qi} holds #{} never stored", h.id));
            }
        }
        queued += q.len();
    }
    if queued != sim.ledger.count(MsgState::Queued) {
        return Err(format!(
            "{} messages are in queues but {} are counted as queued",
            queued,
            sim.ledger.count(MsgState::Queued)
        ));
    }
    let mut held = 0u64;
    for (gi, g) in sim.delivery.groups.iter().enumerate() {
        for (mi, m) in g.members.iter().enumerate() {
            if !m.alive && !m.held.is_empty() {
                return Err(format!("crashed consumer {gi}/{mi} still holds messages"));
            }
            if m.held.len() as u32 > g.prefetch || m.working > g.concurrency {
                return Err(format!("consumer {gi}/{mi} holds more than its slots"));
            }
            if m.working as usize + m.local.len() > m.held.len()
                || m.local.iter().any(|h| !m.held.contains(h))
            {
                return Err(format!(
                    "consumer {gi}/{mi} works on or buffers messages it does not hold"
                ));
            }
            for h in &m.held {
                if !sim.ledger.is_live(h.slot, h.id) {
                    return Err(format!(
                        "consumer {gi}/{mi} holds finished message #{}",
                        h.id
                    ));
                }
                let st = sim.ledger.get(h.slot).state;
                if !matches!(st, MsgState::InFlight | MsgState::Unacked) {
                    return Err(format!(
                        "consumer {gi}/{mi} holds #{} in state {}",
                        h.id,
                        st.as_str()
                    ));
                }
            }
            held += m.held.len() as u64;
        }
    }
    let in_hands = sim.ledger.count(MsgState::InFlight) + sim.ledger.count(MsgState::Unacked);
    if held > in_hands {
        return Err(format!(
            "consumers hold {held} messages but only {in_hands} are in flight or unacked"
        ));
    }
    for (si, s) in sim.calls.services.iter().enumerate() {
        if s.busy > s.concurrency {
            return Err(format!("service {si} has more busy workers than it has"));
        }
        if s.waiting.len() as u32 > s.backlog_limit {
            return Err(format!(
                "service {si} has more waiting than its line allows"
            ));
        }
    }
    // Replication: the leader is a replica that is up.
    let r = &sim.replication;
    if r.up.len() != r.replicas as usize || r.leader >= r.replicas {
        return Err(format!(
            "replica set: leader {} of {}",
            r.leader, r.replicas
        ));
    }
    if sim.broker.up && !r.up[r.leader as usize] {
        return Err(format!("replica {} leads but is down", r.leader));
    }
    check_idempotence(sim)?;
    check_retry(sim)?;
    check_flash_sale(sim)?;
    check_txn(sim)?;
    check_seckill(sim)?;
    check_ordering(sim)
}

/// Orders and their messages: only `send_then_db` sends a message before
/// its order exists, so no other method ever has a message processed for
/// an order that was never written; every half message the broker holds
/// is a live message no consumer has; the stock service processes at
/// most one message per order written, plus those without one and those
/// still in progress.
fn check_txn(sim: &Sim) -> Result<(), String> {
    let t = &sim.txn;
    let Some(p) = &t.policy else {
        return Ok(());
    };
    if p.method != crate::spec::TxnMethod::SendThenDb && t.message_without_order > 0 {
        return Err(format!(
            "txn: {:?} processed a message for an order that was never written",
            p.method
        ));
    }
    for &id in t.half.iter() {
        let live = sim
            .ledger
            .live_records()
            .any(|r| r.id == id && r.state == MsgState::Half);
        if !live {
            return Err(format!(
                "txn: half message #{id} is not a live half message"
            ));
        }
    }
    if sim.ledger.count(MsgState::Half) != t.half.len() as u64 {
        return Err("txn: the ledger's half messages are not the broker's".into());
    }
    // (`send_then_db` may process a message before its insert ends.)
    if t.messages_delivered > t.orders + t.message_without_order + t.in_progress() {
        return Err(format!(
            "txn: {} messages processed for {} orders, {} without one and {} in progress",
            t.messages_delivered,
            t.orders,
            t.message_without_order,
            t.in_progress()
        ));
    }
    Ok(())
}

/// The flash-sale system's stock: every item is in Redis, held by a
/// live request on its way to an order, or in a created order
/// (`stock_left + in progress + orders_created = stock`); with the atomic
/// script the counter never goes below zero and no order is beyond the
/// stock.
fn check_seckill(sim: &Sim) -> Result<(), String> {
    let k = &sim.seckill;
    let Some(p) = &k.policy else {
        return Ok(());
    };
    if let Some(h) = k.holding.iter().find(|h| !sim.ledger.is_live(h.slot, h.id)) {
        return Err(format!(
            "seckill: request #{} holds an item but is no longer live",
            h.id
        ));
    }
    let value = k.stock.get().unwrap_or(0);
    let accounted = value + k.holding.len() as i64 + k.orders_created as i64;
    if accounted != p.stock as i64 {
        return Err(format!(
            "seckill: stock {value} + in progress {} + created {} = {accounted}, not the {} for sale",
            k.holding.len(),
            k.orders_created,
            p.stock
        ));
    }
    if p.atomic && (value < 0 || k.oversold() > 0) {
        return Err(format!(
            "seckill: the atomic script oversold (stock {value}, {} beyond)",
            k.oversold()
        ));
    }
    Ok(())
}

/// Retries: the dead-letter queue holds exactly the dead-lettered
/// messages, within its length limit, each after its last allowed
/// delivery (`max_retries + 1`); the delayed retries are `Delayed`; and no
/// message of the queue has been delivered more than `max_retries + 1`
/// times without being dead-lettered.
/// A flash sale never sells what it does not have: the orders created and
/// the stock left add up to the stock, the counter never goes below zero,
/// and the flag is up exactly when nothing is left once a request took the
/// last item.
fn check_flash_sale(sim: &Sim) -> Result<(), String> {
    let s = &sim.sale;
    let Some(p) = &s.policy else {
        return Ok(());
    };
    if s.stock.get().is_some_and(|v| v < 0) {
        return Err("flash sale: the stock counter went below zero".into());
    }
    if s.orders_created + s.stock_left() != p.stock {
        return Err(format!(
            "flash sale: {} orders created and {} items left, of a stock of {}",
            s.orders_created,
            s.stock_left(),
            p.stock
        ));
    }
    if s.sold_out && s.stock_left() > 0 {
        return Err("flash sale: sold out with items left".into());
    }
    if s.sold_out_at_gate > 0 && !(p.gate && s.sold_out) {
        return Err(
            "flash sale: a request was refused at the gate before the stock ran out".into(),
        );
    }
    Ok(())
}

fn check_retry(sim: &Sim) -> Result<(), String> {
    let r = &sim.retry;
    let Some(p) = r.policy else {
        if !(r.dlq.is_empty() && r.waiting.is_empty() && r.dead_lettered == 0) {
            return Err("retry state without a retry policy".into());
        }
        return Ok(());
    };
    let state_of = |h: &crate::model::Handle| {
        sim.ledger
            .is_live(h.slot, h.id)
            .then(|| sim.ledger.get(h.slot))
    };
    if r.dlq.len() as u64 > p.dlq_capacity {
        return Err(format!(
            "dead-letter queue holds {} over its limit {}",
            r.dlq.len(),
            p.dlq_capacity
        ));
    }
    if r.dlq.len() as u64 != sim.ledger.count(MsgState::DeadLettered) {
        return Err(format!(
            "{} in the dead-letter queue but {} counted dead-lettered",
            r.dlq.len(),
            sim.ledger.count(MsgState::DeadLettered)
        ));
    }
    for d in &r.dlq {
        let Some(rec) = state_of(&d.msg) else {
            return Err(format!("dead-letter queue holds finished #{}", d.msg.id));
        };
        if rec.state != MsgState::DeadLettered || rec.dead_letters == 0 {
            return Err(format!(
                "dead-letter queue holds #{} in state {}",
                d.msg.id,
                rec.state.as_str()
            ));
        }
        if d.deliveries as u32 != p.max_retries + 1 || !p.dead_letter {
            return Err(format!(
                "#{} dead-lettered after {} deliveries (max_retries {})",
                d.msg.id, d.deliveries, p.max_retries
            ));
        }
    }
    for (&id, h) in &r.waiting {
        match state_of(h) {
            Some(rec) if rec.state == MsgState::Delayed && h.id == id => {}
            _ => return Err(format!("#{id} waits out a backoff but is not delayed")),
        }
    }
    if p.dead_letter {
        let limit = p.max_retries + 1;
        let readers = &sim.broker.queues[p.queue as usize].readers;
        let held = readers.iter().flat_map(|g| {
            sim.delivery.groups[*g as usize]
                .members
                .iter()
                .flat_map(|m| m.held.iter())
        });
        let queued = sim.broker.queues[p.queue as usize].items.iter();
        for h in queued.chain(held).chain(r.waiting.values()) {
            if let Some(rec) = state_of(h) {
                if rec.attempts as u32 > limit {
                    return Err(format!(
                        "#{} delivered {} times, more than max_retries + 1 = {limit}",
                        h.id, rec.attempts
                    ));
                }
            }
        }
    }
    if r.dead_lettered > 0 && r.dl_deliveries_min > r.dl_deliveries_max {
        return Err("dead-letter delivery counts: min above max".into());
    }
    Ok(())
}

/// Ordering: every step the re-ordering buffer holds is a live, delivered,
/// unacked step filed under its own user and step; the buffer stays within
/// its size; each user's track only lists steps beyond its first gap; and
/// the counts agree (a violation is an applied step, an applied step a
/// done message).
fn check_ordering(sim: &Sim) -> Result<(), String> {
    let o = &sim.ordering;
    let Some(w) = o.watch else {
        if !(o.parked.is_empty() && o.users.is_empty()) {
            return Err("ordering state without an ordering spec".into());
        }
        return Ok(());
    };
    if o.parked.len() > w.buffer as usize || o.parked_max > w.buffer as usize {
        return Err(format!(
            "re-ordering buffer holds {} steps, more than {}",
            o.parked.len(),
            w.buffer
        ));
    }
    if o.parked.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err("re-ordering buffer out of its sort order".into());
    }
    for &((user, seq, id), p) in &o.parked {
        if p.msg.id != id || !sim.ledger.is_live(p.msg.slot, id) {
            return Err(format!("re-ordering buffer holds finished message #{id}"));
        }
        let r = sim.ledger.get(p.msg.slot);
        if r.state != MsgState::Unacked || (r.user, r.seq) != (user, seq) {
            return Err(format!(
                "re-ordering buffer holds #{id} as step {seq} of user {user}, in state {}",
                r.state.as_str()
            ));
        }
    }
    if o.users.len() != w.users as usize {
        return Err("ordering: one track per user".into());
    }
    for (u, t) in o.users.iter().enumerate() {
        if t.ahead.first().is_some_and(|&a| a <= t.next) || t.ahead.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(format!(
                "user {u}: a step at or below its first gap is listed as ahead"
            ));
        }
    }
    if o.violations > o.applied || o.applied > sim.ledger.count(MsgState::Done) {
        return Err(format!(
            "ordering: {} violations, {} applied, {} done",
            o.violations,
            o.applied,
            sim.ledger.count(MsgState::Done)
        ));
    }
    if o.applied + o.parked.len() as u64 > o.sent + sim.ledger.total() {
        return Err("more steps applied or parked than ever sent".into());
    }
    Ok(())
}

/// Idempotence: the dedupe store's keys and expiry queue agree and hold
/// nothing expired; the effect totals agree; every copy being worked on is
/// held by the watched consumer group; and every watched order counts
/// exactly its live copies plus its re-sends to come (so an order is
/// forgotten only when no copy of it can come again).
fn check_idempotence(sim: &Sim) -> Result<(), String> {
    let i = &sim.idempotence;
    let Some(guard) = i.guard else {
        if !(i.effects.is_empty() && i.in_work.is_empty() && i.store.is_empty()) {
            return Err("idempotence state without an idempotence spec".into());
        }
        return Ok(());
    };
    i.store.check()?;
    i.effects.check()?;
    if i.effects.orders_applied + i.effects.lost > sim.ledger.total() {
        return Err("more orders applied or lost than messages ever made".into());
    }
    let group = &sim.delivery.groups[guard.group as usize];
    for (k, w) in i.in_work.iter().enumerate() {
        if i.in_work[..k].iter().any(|x| x.msg == w.msg) {
            return Err(format!("message #{} is worked on twice", w.msg.id));
        }
        if !sim.ledger.is_live(w.msg.slot, w.msg.id) {
            return Err(format!("finished message #{} is still worked on", w.msg.id));
        }
        if sim.ledger.get(w.msg.slot).origin != w.origin {
            return Err(format!(
                "message #{} is worked on as another order",
                w.msg.id
            ));
        }
        let held = group
            .members
            .iter()
            .any(|m| m.held.contains(&w.msg) && !m.local.contains(&w.msg));
        if !held {
            return Err(format!(
                "message #{} is worked on but no watched consumer holds it",
                w.msg.id
            ));
        }
        if w.skipping && w.effect_done {
            return Err(format!("message #{} applied and skipped", w.msg.id));
        }
    }
    let mut copies: crate::vec_map::VecMap<u64, u32> = Default::default();
    for r in sim.ledger.live_records() {
        if r.origin != r.id || i.effects.get(r.origin).is_some() {
            *copies.get_or_insert_with(r.origin, || 0) += 1;
        }
    }
    for (&origin, &n) in copies.iter() {
        let Some(o) = i.effects.get(origin) else {
            return Err(format!("order #{origin} has {n} copies but is not watched"));
        };
        if n + o.pending != o.outstanding {
            return Err(format!(
                "order #{origin}: {n} live copies and {} to come, but {} counted",
                o.pending, o.outstanding
            ));
        }
    }
    for (origin, o) in i.effects.iter() {
        if !copies.contains_key(&origin) && o.pending != o.outstanding {
            return Err(format!(
                "order #{origin} is watched with {} copies, none of them live",
                o.outstanding
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::find;
    use crate::time::US_PER_S;
    use crate::Action;

    /// `components` with the consumer away and three messages in its queue.
    fn three_queued() -> Sim {
        let def = find("components").unwrap();
        let mut p = def.defaults();
        p.set("rate_per_s", 0.0);
        p.set("consumer_online", 0.0);
        let mut sim = Sim::new(&(def.build)(&p), 1).unwrap();
        sim.apply(Action::Produce {
            producer: "producer".into(),
            count: 3,
        })
        .unwrap();
        sim.run_until(2 * US_PER_S);
        sim
    }

    #[test]
    fn a_healthy_run_passes() {
        let sim = three_queued();
        assert_eq!(sim.broker.queued(), 3);
        assert_eq!(check_full(&sim), Ok(()));
    }

    #[test]
    fn a_message_in_two_places_is_caught() {
        let mut sim = three_queued();
        let h = sim.broker.queues[0].items[0];
        sim.broker.queues[0].items.push_back(h);
        let e = check_full(&sim).unwrap_err();
        assert!(e.contains("in two places"), "{e}");
    }

    #[test]
    fn a_queued_message_held_by_a_consumer_is_caught() {
        let mut sim = three_queued();
        let h = sim.broker.queues[0].items[0];
        sim.delivery.groups[0].members[0].held.push(h);
        let e = check_full(&sim).unwrap_err();
        assert!(e.contains("in two places"), "{e}");
    }
}
