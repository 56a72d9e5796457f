//! Runs a script on a real RabbitMQ over AMQP 0-9-1 (lapin).
//!
//! The broker does the queueing; this runner plays the consumers. It keeps
//! the same logical clock as the engine (ticks, and one network hop per
//! transfer), so a consumer's work on a message ends at the same logical
//! moment in both runs, and nothing here sleeps to let time pass. After
//! every action (a publish, an ack, a nack, a closed channel) it waits until
//! the broker is settled: what the queues report ready, plus what the
//! consumers hold, equals what this runner knows is in the system, and no
//! consumer with room is left waiting while messages are ready. That is a
//! wait for a condition, bounded (`SETTLE_LIMIT`), never a guess.

use std::collections::VecDeque;
use std::sync::mpsc::{channel as mpsc, Receiver};
use std::time::{Duration, Instant};

use futures_lite::future::block_on;
use lapin::message::{Delivery, DeliveryResult};
use lapin::options::*;
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};

use crate::engine::HOP_US;
use crate::outcome::{Fate, Recorder};
use crate::script::{Ack, Action, Overflow, Script, Then, REAL_TICK, TICK_US};

/// How long the broker may take to settle after one action.
const SETTLE_LIMIT: Duration = Duration::from_secs(10);

type R<T> = Result<T, String>;

fn amqp<T>(what: &str, r: lapin::Result<T>) -> R<T> {
    r.map_err(|e| format!("RabbitMQ {what}: {e}"))
}

struct Held {
    m: u32,
    delivery: Delivery,
}

struct Consumer {
    channel: Option<Channel>,
    rx: Option<Receiver<Delivery>>,
    /// Received, not yet in work.
    local: VecDeque<Held>,
    /// In work, ending at the time given.
    working: Option<(u64, Held)>,
}

impl Consumer {
    fn holds(&self) -> usize {
        self.local.len() + usize::from(self.working.is_some())
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    /// Consumer `i`'s work ends (sorted before steps at the same time:
    /// the engine runs its own events before a command at the same time).
    WorkDone(usize),
    Restart(usize),
    Step(usize),
}

struct Run<'a> {
    s: &'a Script,
    prefix: String,
    admin: Channel,
    conn: Connection,
    /// The broker was restarted (so a message found nowhere was lost).
    restarted: bool,
    consumers: Vec<Consumer>,
    rec: Recorder,
    /// Messages each queue family (a queue and its dead-letter queue)
    /// holds, ready or unacked, as far as this runner knows.
    live: Vec<i64>,
    published: u32,
    /// (time, order, event), kept sorted.
    events: Vec<(u64, u64, Ev)>,
    seq: u64,
    now: u64,
}

/// The AMQP URL of the broker the suite uses.
pub fn url() -> String {
    std::env::var("MQLAB_AMQP_URL").unwrap_or_else(|_| "amqp://127.0.0.1:56720/%2f".into())
}

pub fn connect() -> R<Connection> {
    amqp(
        &format!("connect to {}", url()),
        block_on(Connection::connect(&url(), ConnectionProperties::default())),
    )
}

fn long(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s.as_bytes().to_vec()))
}

impl Run<'_> {
    fn qname(&self, q: &str) -> String {
        format!("{}.{q}", self.prefix)
    }

    /// Which family (index of the main queue in the script) a queue is in.
    fn family(&self, q: &str) -> usize {
        let main = self
            .s
            .queues
            .iter()
            .find(|x| x.name == q || x.dlx.as_deref() == Some(q))
            .map_or(q, |x| x.name.as_str());
        self.s
            .queues
            .iter()
            .position(|x| x.name == main)
            .expect("declared")
    }

    fn push(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.events.push((at, self.seq, ev));
        self.events.sort_by_key(|(t, seq, ev)| (*t, *ev, *seq));
    }

    fn declare(&mut self) -> R<()> {
        for q in &self.s.queues {
            let name = self.qname(&q.name);
            amqp(
                "queue.delete",
                block_on(
                    self.admin
                        .queue_delete(&name, QueueDeleteOptions::default()),
                ),
            )?;
        }
        for q in &self.s.queues {
            let mut args = FieldTable::default();
            if let Some(n) = q.max_length {
                args.insert(
                    ShortString::from("x-max-length"),
                    AMQPValue::LongLongInt(n as i64),
                );
                let o = match q.overflow {
                    Overflow::DropHead => "drop-head",
                    Overflow::RejectPublish => "reject-publish",
                };
                args.insert(ShortString::from("x-overflow"), long(o));
            }
            if let Some(d) = &q.dlx {
                let x = format!("{}.dlx.{d}", self.prefix);
                amqp(
                    "exchange.declare",
                    block_on(self.admin.exchange_declare(
                        &x,
                        ExchangeKind::Fanout,
                        ExchangeDeclareOptions::default(),
                        FieldTable::default(),
                    )),
                )?;
                args.insert(ShortString::from("x-dead-letter-exchange"), long(&x));
            }
            if q.quorum {
                args.insert(ShortString::from("x-queue-type"), long("quorum"));
            }
            if let Some(l) = q.delivery_limit {
                args.insert(
                    ShortString::from("x-delivery-limit"),
                    AMQPValue::LongLongInt(l as i64),
                );
            }
            let name = self.qname(&q.name);
            let opts = QueueDeclareOptions {
                durable: q.quorum || q.durable,
                ..QueueDeclareOptions::default()
            };
            amqp(
                &format!("queue.declare {name}"),
                block_on(self.admin.queue_declare(&name, opts, args)),
            )?;
        }
        for q in &self.s.queues {
            if let Some(d) = &q.dlx {
                let x = format!("{}.dlx.{d}", self.prefix);
                let name = self.qname(d);
                amqp(
                    "queue.bind",
                    block_on(self.admin.queue_bind(
                        &name,
                        &x,
                        "",
                        QueueBindOptions::default(),
                        FieldTable::default(),
                    )),
                )?;
            }
        }
        Ok(())
    }

    fn subscribe(&mut self, i: usize) -> R<()> {
        let c = &self.s.consumers[i];
        let ch = amqp("channel.open", block_on(self.conn.create_channel()))?;
        if c.ack == Ack::Manual {
            amqp(
                "basic.qos",
                block_on(ch.basic_qos(c.prefetch as u16, BasicQosOptions::default())),
            )?;
        }
        let opts = BasicConsumeOptions {
            no_ack: c.ack == Ack::Auto,
            ..BasicConsumeOptions::default()
        };
        let consumer = amqp(
            "basic.consume",
            block_on(ch.basic_consume(&self.qname(&c.queue), &c.name, opts, FieldTable::default())),
        )?;
        let (tx, rx) = mpsc();
        consumer.set_delegate(move |d: DeliveryResult| {
            let tx = tx.clone();
            async move {
                if let Ok(Some(d)) = d {
                    let _ = tx.send(d);
                }
            }
        });
        self.consumers[i].channel = Some(ch);
        self.consumers[i].rx = Some(rx);
        Ok(())
    }

    fn ready(&self, q: &str) -> R<i64> {
        let opts = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let name = self.qname(q);
        let info = amqp(
            &format!("queue.declare passive {name}"),
            block_on(self.admin.queue_declare(&name, opts, FieldTable::default())),
        )?;
        Ok(info.message_count() as i64)
    }

    /// Takes the deliveries that have arrived; they reach their consumer
    /// `hops` network hops after now, in the order of the consumers.
    fn take_deliveries(&mut self, hops: u64) -> R<bool> {
        let mut any = false;
        for i in 0..self.consumers.len() {
            let Some(rx) = &self.consumers[i].rx else {
                continue;
            };
            let got: Vec<Delivery> = rx.try_iter().collect();
            for d in got {
                any = true;
                let m = d
                    .properties
                    .message_id()
                    .as_ref()
                    .and_then(|id| id.as_str().strip_prefix('m')?.parse().ok())
                    .ok_or("a delivery without an mN message id")?;
                let name = self.s.consumers[i].name.clone();
                self.rec.delivered(i, &name, m, d.redelivered, self.now);
                if self.s.consumers[i].ack == Ack::Auto {
                    let f = self.family(&self.s.consumers[i].queue);
                    self.live[f] -= 1;
                }
                self.consumers[i].local.push_back(Held { m, delivery: d });
                self.start_work(i, self.now + hops * HOP_US);
            }
        }
        Ok(any)
    }

    fn start_work(&mut self, i: usize, at: u64) {
        let c = &mut self.consumers[i];
        if c.working.is_some() {
            return;
        }
        if let Some(h) = c.local.pop_front() {
            let done = at + self.s.consumers[i].work_ticks * TICK_US;
            c.working = Some((done, h));
            self.push(done, Ev::WorkDone(i));
        }
    }

    /// Waits until the broker has done all that the last action set off.
    fn settle(&mut self, hops: u64) -> R<()> {
        let t0 = Instant::now();
        loop {
            self.take_deliveries(hops)?;
            if self.settled()? {
                // One more look: a delivery that raced the last poll.
                if !self.take_deliveries(hops)? {
                    return Ok(());
                }
                continue;
            }
            if t0.elapsed() > SETTLE_LIMIT {
                return Err(format!(
                    "RabbitMQ did not settle within {} s at tick {}",
                    SETTLE_LIMIT.as_secs(),
                    self.now / TICK_US
                ));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn settled(&self) -> R<bool> {
        for (f, q) in self.s.queues.iter().enumerate() {
            if self.s.is_dead_letter_queue(&q.name) {
                continue;
            }
            let ready = self.ready(&q.name)?;
            let parked = match &q.dlx {
                Some(d) => self.ready(d)?,
                None => 0,
            };
            let mut held = 0i64;
            let mut room = false;
            for (i, c) in self.s.consumers.iter().enumerate() {
                if c.queue != q.name || self.consumers[i].channel.is_none() {
                    continue;
                }
                match c.ack {
                    Ack::Manual => {
                        held += self.consumers[i].holds() as i64;
                        room |= self.consumers[i].holds() < c.prefetch as usize;
                    }
                    Ack::Auto => room = true,
                }
            }
            if ready + parked + held != self.live[f] || (ready > 0 && room) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn publish(&mut self, queue: &str, persistent: bool, ttl_ticks: Option<u64>) -> R<()> {
        self.published += 1;
        let m = self.published;
        self.rec.published(m);
        let mut props = BasicProperties::default()
            .with_message_id(ShortString::from(format!("m{m}")))
            .with_delivery_mode(if persistent { 2 } else { 1 });
        if let Some(t) = ttl_ticks {
            let ms = (REAL_TICK * t as u32).as_millis();
            props = props.with_expiration(ShortString::from(ms.to_string()));
        }
        let confirm = amqp(
            "basic.publish",
            block_on(self.admin.basic_publish(
                "",
                &self.qname(queue),
                BasicPublishOptions::default(),
                b"",
                props,
            )),
        )?;
        let confirm = amqp("publisher confirm", block_on(confirm))?;
        let q = self.s.queue(queue).expect("parsed");
        if confirm.is_nack() {
            self.rec.fate(m, Fate::Refused);
            return Ok(());
        }
        let f = self.family(queue);
        self.live[f] += 1;
        if let Some(n) = q.max_length {
            let held: i64 = self
                .s
                .consumers
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    c.queue == queue && c.ack == Ack::Manual && self.consumers[*i].channel.is_some()
                })
                .map(|(i, _)| self.consumers[i].holds() as i64)
                .sum();
            // Only ready messages count towards x-max-length.
            // A full drop-head queue drops its head for the new message.
            if self.live[f] - held > n as i64 {
                self.live[f] -= 1;
            }
        }
        Ok(())
    }

    fn work_done(&mut self, i: usize) -> R<()> {
        let Some((_, h)) = self.consumers[i].working.take() else {
            return Ok(());
        };
        let c = &self.s.consumers[i];
        let fixed = c.until_tick.is_some_and(|t| self.now > t * TICK_US);
        let then = if fixed { Then::Ack } else { c.then };
        let f = self.family(&c.queue);
        match (c.ack, then) {
            (Ack::Auto, _) => self.rec.fate(h.m, Fate::AckedBy(c.name.clone())),
            (Ack::Manual, Then::Ack) => {
                amqp(
                    "basic.ack",
                    block_on(h.delivery.acker.ack(BasicAckOptions::default())),
                )?;
                self.rec.fate(h.m, Fate::AckedBy(c.name.clone()));
                self.live[f] -= 1;
            }
            (Ack::Manual, Then::NackRequeue) => {
                let opts = BasicNackOptions {
                    requeue: true,
                    multiple: false,
                };
                amqp("basic.nack", block_on(h.delivery.acker.nack(opts)))?;
                if self
                    .s
                    .queue(&c.queue)
                    .is_some_and(|q| q.dlx.is_none() && q.delivery_limit.is_some())
                {
                    return Err("a delivery limit without a dlx drops messages, which this runner does not count".into());
                }
            }
            (Ack::Manual, Then::Reject) => {
                amqp(
                    "basic.reject",
                    block_on(
                        h.delivery
                            .acker
                            .reject(BasicRejectOptions { requeue: false }),
                    ),
                )?;
            }
        }
        let now = self.now;
        self.start_work(i, now);
        self.settle(1)
    }

    fn crash(&mut self, i: usize) -> R<()> {
        let Some(ch) = self.consumers[i].channel.take() else {
            return Ok(());
        };
        self.consumers[i].rx = None;
        amqp("channel.close", block_on(ch.close(200, "consumer crashed")))?;
        let lost: Vec<Held> = {
            let c = &mut self.consumers[i];
            c.working
                .take()
                .map(|(_, h)| h)
                .into_iter()
                .chain(c.local.drain(..))
                .collect()
        };
        if self.s.consumers[i].ack == Ack::Auto {
            for h in lost {
                self.rec.fate(h.m, Fate::Lost);
            }
        }
        self.events.retain(|(_, _, e)| *e != Ev::WorkDone(i));
        let restart = self.now + self.s.consumers[i].restart_ticks * TICK_US;
        self.push(restart, Ev::Restart(i));
        self.settle(1)
    }

    /// Stops and starts the RabbitMQ application (the node stays up), then
    /// connects again. Only in scripts without consumers (see `script`).
    fn restart_broker(&mut self) -> R<()> {
        let ctl = std::env::var("MQLAB_RABBITMQCTL").map_err(|_| {
            "restart-broker needs MQLAB_RABBITMQCTL (set by scripts/brokers.sh)".to_string()
        })?;
        for verb in ["stop_app", "start_app"] {
            let out = std::process::Command::new(&ctl)
                .arg(verb)
                .output()
                .map_err(|e| format!("{ctl} {verb}: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "rabbitmqctl {verb} failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        self.restarted = true;
        self.conn = connect()?;
        self.admin = admin_channel(&self.conn)?;
        // What survived is what the queues hold now.
        for f in 0..self.s.queues.len() {
            let q = &self.s.queues[f];
            let parked = match &q.dlx {
                Some(d) => self.ready(d)?,
                None => 0,
            };
            self.live[f] = self.ready(&q.name)? + parked;
        }
        Ok(())
    }

    fn redrive(&mut self, from: &str, to: &str) -> R<()> {
        loop {
            let got = amqp(
                "basic.get",
                block_on(
                    self.admin
                        .basic_get(&self.qname(from), BasicGetOptions { no_ack: false }),
                ),
            )?;
            let Some(msg) = got else { break };
            let d = msg.delivery;
            let confirm = amqp(
                "basic.publish",
                block_on(self.admin.basic_publish(
                    "",
                    &self.qname(to),
                    BasicPublishOptions::default(),
                    &d.data,
                    d.properties.clone(),
                )),
            )?;
            amqp("publisher confirm", block_on(confirm))?;
            amqp(
                "basic.ack",
                block_on(d.acker.ack(BasicAckOptions::default())),
            )?;
        }
        self.settle(1)
    }

    /// What is left at the end: queued messages in order, dead letters
    /// with their `x-death` counts, and messages nobody saw again.
    fn finish(&mut self) -> R<()> {
        for i in 0..self.consumers.len() {
            // Stop deliveries first, so the queues hold still.
            if let Some(ch) = &self.consumers[i].channel {
                let _ = block_on(
                    ch.basic_cancel(&self.s.consumers[i].name, BasicCancelOptions::default()),
                );
            }
        }
        for q in self.s.queues.clone() {
            let dead = self.s.is_dead_letter_queue(&q.name);
            let mut pos = 0;
            loop {
                let got = amqp(
                    "basic.get",
                    block_on(
                        self.admin
                            .basic_get(&self.qname(&q.name), BasicGetOptions { no_ack: true }),
                    ),
                )?;
                let Some(msg) = got else { break };
                let d = msg.delivery;
                let Some(m) = d
                    .properties
                    .message_id()
                    .as_ref()
                    .and_then(|id| id.as_str().strip_prefix('m')?.parse::<u32>().ok())
                else {
                    continue;
                };
                pos += 1;
                if dead {
                    self.rec.fate(m, Fate::DeadLettered(x_death_count(&d)));
                } else {
                    self.rec.fate(m, Fate::Queued(q.name.clone(), pos));
                }
            }
        }
        for m in 1..=self.published {
            // Confirmed, never delivered, not in any queue: lost in the
            // restart, or else dropped at the head (scripts never have both).
            if self.rec.fate_of(m) == Some(&Fate::Unknown) && self.rec.times_delivered(m) == 0 {
                let fate = if self.restarted {
                    Fate::Lost
                } else {
                    Fate::Dropped
                };
                self.rec.fate(m, fate);
            }
        }
        Ok(())
    }

    fn cleanup(&self) {
        for c in &self.consumers {
            if let Some(ch) = &c.channel {
                let _ = block_on(ch.close(200, "done"));
            }
        }
        for q in &self.s.queues {
            let _ = block_on(
                self.admin
                    .queue_delete(&self.qname(&q.name), QueueDeleteOptions::default()),
            );
            if let Some(d) = &q.dlx {
                let x = format!("{}.dlx.{d}", self.prefix);
                let _ = block_on(
                    self.admin
                        .exchange_delete(&x, ExchangeDeleteOptions::default()),
                );
            }
        }
    }
}

/// The sum of the `count`s in a message's `x-death` header (0 without one).
fn x_death_count(d: &Delivery) -> u32 {
    let Some(headers) = d.properties.headers() else {
        return 0;
    };
    let Some(AMQPValue::FieldArray(deaths)) = headers.inner().get("x-death") else {
        return 0;
    };
    deaths
        .as_slice()
        .iter()
        .filter_map(|v| match v {
            AMQPValue::FieldTable(t) => match t.inner().get("count") {
                Some(AMQPValue::LongLongInt(n)) => Some(*n as u32),
                Some(AMQPValue::LongInt(n)) => Some(*n as u32),
                _ => None,
            },
            _ => None,
        })
        .sum()
}

fn admin_channel(conn: &Connection) -> R<Channel> {
    let admin = amqp("channel.open", block_on(conn.create_channel()))?;
    amqp(
        "confirm.select",
        block_on(admin.confirm_select(ConfirmSelectOptions::default())),
    )?;
    Ok(admin)
}

/// Runs the script on RabbitMQ, on a connection of its own, and returns
/// its outcome lines.
pub fn run(s: &Script) -> R<Vec<String>> {
    let conn = connect()?;
    let admin = admin_channel(&conn)?;
    let stem = s.file.trim_end_matches(".mqs");
    let mut run = Run {
        s,
        prefix: format!("mqlab-fidelity.{stem}"),
        admin,
        conn,
        restarted: false,
        consumers: (0..s.consumers.len())
            .map(|_| Consumer {
                channel: None,
                rx: None,
                local: VecDeque::new(),
                working: None,
            })
            .collect(),
        rec: Recorder::default(),
        live: vec![0; s.queues.len()],
        published: 0,
        events: Vec::new(),
        seq: 0,
        now: 0,
    };
    let result = (|| {
        run.declare()?;
        for i in 0..s.consumers.len() {
            run.subscribe(i)?;
        }
        for i in 0..s.steps.len() {
            run.push(s.steps[i].tick * TICK_US, Ev::Step(i));
        }
        let end = s.run_ticks * TICK_US;
        // Per-message TTLs expire on RabbitMQ's clock: such a script runs
        // in real time, REAL_TICK a tick, and fails if the runner falls
        // half a tick behind.
        let start = Instant::now();
        let keep_time = |t: u64| -> R<()> {
            if !s.has_ttl() {
                return Ok(());
            }
            let due = start + REAL_TICK.mul_f64(t as f64 / TICK_US as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            } else if Instant::now() - due > REAL_TICK / 2 {
                return Err(format!(
                    "the runner fell behind real time at tick {}",
                    t / TICK_US
                ));
            }
            Ok(())
        };
        while !run.events.is_empty() && run.events[0].0 <= end {
            let (t, _, ev) = run.events.remove(0);
            keep_time(t)?;
            run.now = t;
            match ev {
                Ev::WorkDone(i) => run.work_done(i)?,
                Ev::Restart(i) => {
                    run.subscribe(i)?;
                    run.settle(1)?;
                }
                Ev::Step(k) => match &s.steps[k].action {
                    Action::Publish {
                        queue,
                        count,
                        persistent,
                        ttl_ticks,
                    } => {
                        for _ in 0..*count {
                            run.publish(queue, *persistent, *ttl_ticks)?;
                            run.settle(2)?;
                        }
                    }
                    Action::Count { queue } => {
                        let n = run.ready(queue)?;
                        run.rec
                            .note(format!("t={} count {queue} -> {n}", t / TICK_US));
                    }
                    Action::Crash { consumer } => {
                        let i = s
                            .consumers
                            .iter()
                            .position(|c| &c.name == consumer)
                            .expect("parsed");
                        run.crash(i)?;
                    }
                    Action::Redrive { from, to } => run.redrive(from, to)?,
                    Action::RestartBroker => run.restart_broker()?,
                    Action::Redis(_) => return Err("a Redis step in a RabbitMQ script".to_string()),
                },
            }
        }
        keep_time(end)?;
        run.finish()
    })();
    run.cleanup();
    result.map(|()| run.rec.lines())
}
