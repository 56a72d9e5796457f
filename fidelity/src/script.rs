//! The script format: one small text file per behaviour, read by both
//! runners (the engine's and the real broker's).
//!
//! ```text
//! # comment
//! name     competing consumers, prefetch 1
//! broker   rabbitmq | redis           (default rabbitmq)
//! checks   1. each message to exactly one consumer; a slow consumer gets fewer
//! queue    orders [max_length=N] [overflow=drop-head|reject-publish]
//!                 [dlx=QUEUE] [quorum] [delivery_limit=N] [durable]
//! consumer fast orders [prefetch=N] [ack=manual|auto] [work=TICKS]
//!                 [then=ack|nack-requeue|reject] [until=TICK] [restart=TICKS]
//! at 0 publish orders 12 [transient] [ttl=TICKS]
//! at 3 count orders                  (prints how many are ready)
//! at 5 crash fast
//! at 9 redrive dead orders
//! at 9 restart-broker
//! at 0 setnx 7 ttl=5 [as CLIENT]    (redis: the commands of `redis_cmd`)
//! run 40
//! expect m3 acked-by fast
//! differs  <engine line> => <broker line> | <why the engine simplifies>
//! ```
//!
//! Time is in ticks (100 ms of engine time). `then` says what a consumer
//! does when its work on a message ends: ack it, nack it with requeue, or
//! reject it without requeue (dead-lettered through the queue's `dlx`);
//! from tick `until` on it acks instead (a fix is deployed). `expect` lines
//! must appear among the engine run's outcome lines. `differs` pins one
//! known difference: the engine prints the first line where the broker
//! prints the second, and why (a documented simplification). The runs
//! then match only if that is their only difference, and the pin fails
//! when the engine no longer prints its line.

use std::fmt;

use crate::redis_cmd::RedisCmd;

pub const TICK_US: u64 = 100_000;

/// Real time per tick where a real server's own clock matters (Redis
/// TTLs and idle times, RabbitMQ message TTLs).
pub const REAL_TICK: std::time::Duration = std::time::Duration::from_millis(200);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    DropHead,
    RejectPublish,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueDecl {
    pub name: String,
    pub max_length: Option<u64>,
    pub overflow: Overflow,
    /// The queue its dead letters go to (through a fanout exchange).
    pub dlx: Option<String>,
    pub quorum: bool,
    pub delivery_limit: Option<u32>,
    /// Survives a broker restart (quorum queues always are).
    pub durable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ack {
    Manual,
    Auto,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    Ack,
    NackRequeue,
    Reject,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerDecl {
    pub name: String,
    pub queue: String,
    pub prefetch: u32,
    pub ack: Ack,
    pub work_ticks: u64,
    pub then: Then,
    pub until_tick: Option<u64>,
    pub restart_ticks: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Broker {
    #[default]
    Rabbit,
    Redis,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Publish {
        queue: String,
        count: u32,
        persistent: bool,
        /// Per-message TTL (the `expiration` property), in ticks.
        ttl_ticks: Option<u64>,
    },
    /// Prints how many messages `queue` holds ready.
    Count {
        queue: String,
    },
    Crash {
        consumer: String,
    },
    Redrive {
        from: String,
        to: String,
    },
    /// The broker stops and starts again (RabbitMQ: stop_app, start_app).
    RestartBroker,
    /// A Redis command (see `redis_cmd`).
    Redis(RedisCmd),
}

impl Action {
    fn broker(&self) -> Broker {
        match self {
            Action::Redis(_) => Broker::Redis,
            _ => Broker::Rabbit,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub tick: u64,
    pub action: Action,
    /// `as NAME`: the client that gives a Redis command (a label).
    pub client: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub engine: String,
    pub broker: String,
    pub why: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub file: String,
    pub name: String,
    pub broker: Broker,
    pub checks: String,
    pub queues: Vec<QueueDecl>,
    pub consumers: Vec<ConsumerDecl>,
    pub steps: Vec<Step>,
    pub run_ticks: u64,
    pub expect: Vec<String>,
    pub differs: Vec<Difference>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl Script {
    pub fn queue(&self, name: &str) -> Option<&QueueDecl> {
        self.queues.iter().find(|q| q.name == name)
    }

    /// Whether a publish sets a per-message TTL: the script then runs in
    /// real time on RabbitMQ (`REAL_TICK` a tick).
    pub fn has_ttl(&self) -> bool {
        self.steps.iter().any(|st| {
            matches!(
                st.action,
                Action::Publish {
                    ttl_ticks: Some(_),
                    ..
                }
            )
        })
    }

    /// The queues that are some queue's dead-letter target.
    pub fn is_dead_letter_queue(&self, name: &str) -> bool {
        self.queues.iter().any(|q| q.dlx.as_deref() == Some(name))
    }
}

fn num<T: std::str::FromStr>(key: &str, v: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{key}={v}: expected a whole number"))
}

fn options<'a>(words: &[&'a str]) -> Result<Vec<(&'a str, &'a str)>, String> {
    words
        .iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => Ok((k, v)),
            None => Ok((*w, "")),
        })
        .collect()
}

/// Reads a script; every mistake names its line and what is expected.
pub fn parse(file: &str, text: &str) -> Result<Script, ParseError> {
    let mut s = Script {
        file: file.into(),
        ..Script::default()
    };
    for (i, raw) in text.lines().enumerate() {
        let err = |message: String| ParseError {
            file: file.into(),
            line: i + 1,
            message,
        };
        let line = raw.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (head, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        let words: Vec<&str> = rest.split_whitespace().collect();
        match head {
            "name" => s.name = rest.into(),
            "checks" => s.checks = rest.into(),
            "broker" => {
                s.broker = match rest {
                    "rabbitmq" => Broker::Rabbit,
                    "redis" => Broker::Redis,
                    _ => return Err(err(format!("broker {rest}: expected rabbitmq or redis"))),
                }
            }
            "queue" => s.queues.push(queue_decl(&words).map_err(err)?),
            "consumer" => {
                let c = consumer_decl(&words).map_err(err)?;
                if s.queue(&c.queue).is_none() {
                    return Err(err(format!(
                        "consumer {}: no queue {} declared above",
                        c.name, c.queue
                    )));
                }
                s.consumers.push(c);
            }
            "at" => {
                let step = step(&s, &words).map_err(err)?;
                if step.action.broker() != s.broker {
                    return Err(err(format!(
                        "this step is for {:?}, and the script's broker is {:?} (a `broker` line comes first)",
                        step.action.broker(),
                        s.broker
                    )));
                }
                if s.steps.last().is_some_and(|l| l.tick > step.tick) {
                    return Err(err("steps must be in time order".into()));
                }
                s.steps.push(step);
            }
            "run" => s.run_ticks = num("run", rest).map_err(err)?,
            "expect" => s.expect.push(rest.into()),
            "differs" => {
                let bad =
                    || err("differs: expected `<engine line> => <broker line> | <why>`".into());
                let (lines, why) = rest.split_once(" | ").ok_or_else(bad)?;
                let (engine, broker) = lines.split_once(" => ").ok_or_else(bad)?;
                s.differs.push(Difference {
                    engine: engine.trim().into(),
                    broker: broker.trim().into(),
                    why: why.trim().into(),
                });
            }
            other => {
                return Err(err(format!(
                "unknown word `{other}` (name, checks, queue, consumer, at, run, expect, differs)"
            )))
            }
        }
    }
    let end = |message: String| ParseError {
        file: file.into(),
        line: text.lines().count(),
        message,
    };
    if s.name.is_empty() {
        return Err(end("the script has no `name` line".into()));
    }
    if s.run_ticks == 0 {
        return Err(end("the script has no `run TICKS` line".into()));
    }
    if s.steps.last().is_some_and(|l| l.tick >= s.run_ticks) {
        return Err(end("a step comes at or after the end of the run".into()));
    }
    for q in &s.queues {
        if let Some(d) = &q.dlx {
            if s.queue(d).is_none() {
                return Err(end(format!(
                    "queue {}: dead-letter queue {d} is not declared",
                    q.name
                )));
            }
        }
    }
    if !s.has_ttl()
        && s.steps
            .iter()
            .any(|st| matches!(st.action, Action::Count { .. }))
    {
        return Err(end("count: only in a script with ttl= publishes (the others print where every message ended)".into()));
    }
    if s.has_ttl() {
        // Per-message TTLs run in real time; the engine's side is
        // `model::expiry` alone.
        if !s.consumers.is_empty() || s.steps.iter().any(|st| st.action == Action::RestartBroker) {
            return Err(end(
                "ttl=: only in a script without consumers or restarts".into()
            ));
        }
    }
    if s.steps.iter().any(|st| st.action == Action::RestartBroker) {
        // What a restart does to consumers' unacked messages and to
        // non-durable queues is not modelled by the engine.
        if !s.consumers.is_empty() {
            return Err(end(
                "restart-broker: only in a script without consumers".into()
            ));
        }
        if let Some(q) = s
            .queues
            .iter()
            .find(|q| !(q.durable || q.quorum) || q.max_length.is_some())
        {
            return Err(end(format!(
                "restart-broker: queue {} must be durable and without max_length (a restart deletes a non-durable queue, which the engine does not model)",
                q.name
            )));
        }
    }
    for c in &s.consumers {
        let q = s.queue(&c.queue).expect("checked above");
        if c.then == Then::Reject && q.dlx.is_none() {
            return Err(end(format!(
                "consumer {}: then=reject needs a dlx on {} (a rejected message without one is simply deleted, which the engine does not model)",
                c.name, q.name
            )));
        }
    }
    Ok(s)
}

fn queue_decl(words: &[&str]) -> Result<QueueDecl, String> {
    let (name, opts) = words.split_first().ok_or("queue: expected a name")?;
    let mut q = QueueDecl {
        name: (*name).into(),
        max_length: None,
        overflow: Overflow::DropHead,
        dlx: None,
        quorum: false,
        delivery_limit: None,
        durable: false,
    };
    for (k, v) in options(opts)? {
        match k {
            "max_length" => q.max_length = Some(num(k, v)?),
            "overflow" => {
                q.overflow = match v {
                    "drop-head" => Overflow::DropHead,
                    "reject-publish" => Overflow::RejectPublish,
                    _ => {
                        return Err(format!(
                            "overflow={v}: expected drop-head or reject-publish"
                        ))
                    }
                }
            }
            "dlx" => q.dlx = Some(v.into()),
            "quorum" => q.quorum = true,
            "durable" => q.durable = true,
            "delivery_limit" => q.delivery_limit = Some(num(k, v)?),
            _ => return Err(format!(
                "queue option `{k}` is unknown (max_length, overflow, dlx, quorum, delivery_limit, durable)"
            )),
        }
    }
    if q.delivery_limit.is_some() && !q.quorum {
        return Err("delivery_limit is a quorum-queue argument: add `quorum`".into());
    }
    Ok(q)
}

fn consumer_decl(words: &[&str]) -> Result<ConsumerDecl, String> {
    let [name, queue, opts @ ..] = words else {
        return Err("consumer: expected a name and a queue".into());
    };
    let mut c = ConsumerDecl {
        name: (*name).into(),
        queue: (*queue).into(),
        prefetch: 1,
        ack: Ack::Manual,
        work_ticks: 1,
        then: Then::Ack,
        until_tick: None,
        restart_ticks: 20,
    };
    for (k, v) in options(opts)? {
        match k {
            "prefetch" => c.prefetch = num(k, v)?,
            "ack" => {
                c.ack = match v {
                    "manual" => Ack::Manual,
                    "auto" => Ack::Auto,
                    _ => return Err(format!("ack={v}: expected manual or auto")),
                }
            }
            "work" => c.work_ticks = num(k, v)?,
            "then" => {
                c.then = match v {
                    "ack" => Then::Ack,
                    "nack-requeue" => Then::NackRequeue,
                    "reject" => Then::Reject,
                    _ => return Err(format!("then={v}: expected ack, nack-requeue or reject")),
                }
            }
            "until" => c.until_tick = Some(num(k, v)?),
            "restart" => c.restart_ticks = num(k, v)?,
            _ => {
                return Err(format!(
                    "consumer option `{k}` is unknown (prefetch, ack, work, then, until, restart)"
                ))
            }
        }
    }
    if c.prefetch == 0 || c.work_ticks == 0 {
        return Err("prefetch and work must be at least 1".into());
    }
    Ok(c)
}

fn step(s: &Script, words: &[&str]) -> Result<Step, String> {
    let (words, client) = match words {
        [rest @ .., "as", name] => (rest, Some(name.to_string())),
        _ => (words, None),
    };
    let [tick, verb, args @ ..] = words else {
        return Err("at: expected `at TICK VERB ...`".into());
    };
    let tick = num("at", tick)?;
    let has_queue = |q: &str| {
        s.queue(q)
            .map(|_| ())
            .ok_or_else(|| format!("no queue {q} declared above"))
    };
    if let Some(cmd) = RedisCmd::parse(verb, args) {
        return Ok(Step {
            tick,
            action: Action::Redis(cmd?),
            client,
        });
    }
    let action = match (*verb, args) {
        ("publish", [q, n, rest @ ..]) => {
            has_queue(q)?;
            let (mut persistent, mut ttl_ticks) = (true, None);
            for w in rest {
                match w.split_once('=') {
                    None if *w == "transient" => persistent = false,
                    Some(("ttl", v)) => ttl_ticks = Some(num("ttl", v)?),
                    _ => {
                        return Err(
                            "publish: expected `publish QUEUE COUNT [transient] [ttl=TICKS]`".into(),
                        )
                    }
                }
            }
            Action::Publish {
                queue: (*q).into(),
                count: num("count", n)?,
                persistent,
                ttl_ticks,
            }
        }
        ("count", [q]) => {
            has_queue(q)?;
            Action::Count {
                queue: (*q).into(),
            }
        }
        ("crash", [c]) => {
            if !s.consumers.iter().any(|x| x.name == *c) {
                return Err(format!("no consumer {c} declared above"));
            }
            Action::Crash {
                consumer: (*c).into(),
            }
        }
        ("redrive", [from, to]) => {
            has_queue(from)?;
            has_queue(to)?;
            Action::Redrive {
                from: (*from).into(),
                to: (*to).into(),
            }
        }
        ("restart-broker", []) => Action::RestartBroker,
        _ => {
            return Err(format!(
                "`{verb}`: expected publish QUEUE COUNT, crash CONSUMER, redrive FROM TO, restart-broker, or a Redis command (setnx, exists, set, get, decr, take, take-chapter, zadd, zdue, zrem)"
            ))
        }
    };
    Ok(Step {
        tick,
        action,
        client,
    })
}

/// Every script in `dir` (`*.mqs`), sorted by file name.
pub fn load_dir(dir: &std::path::Path) -> Result<Vec<Script>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mqs"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            parse(&name, &text).map_err(|e| e.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_reads_and_mistakes_name_their_line() {
        let s = parse(
            "t.mqs",
            "name n\nqueue q dlx=d\nqueue d\nconsumer c q then=reject\nat 0 publish q 3\nrun 10\nexpect m1 dead-lettered x-death=1\n",
        )
        .unwrap();
        assert_eq!(s.consumers[0].then, Then::Reject);
        assert_eq!(s.steps.len(), 1);
        assert!(s.is_dead_letter_queue("d"));
        let e = parse("t.mqs", "name n\nconsumer c nowhere\nrun 1\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("no queue nowhere"), "{e}");
        let e = parse(
            "t.mqs",
            "name n\nqueue q\nconsumer c q then=reject\nrun 1\n",
        )
        .unwrap_err();
        assert!(e.message.contains("needs a dlx"), "{e}");
        let e = parse(
            "t.mqs",
            "name n\nqueue q\nat 5 publish q 1\nat 2 publish q 1\nrun 9\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 4);
        let r = parse(
            "t.mqs",
            "name n\nbroker redis\nat 0 take stock as A\nrun 1\n",
        )
        .unwrap();
        assert_eq!(r.steps[0].client.as_deref(), Some("A"));
        let e = parse(
            "t.mqs",
            "name n\nbroker redis\nat 0 zadd due ten order-1\nrun 1\n",
        )
        .unwrap_err();
        assert!(e.message.contains("score ten"), "{e}");
        let e = parse("t.mqs", "name n\nqueue q\nat 0 get stock\nrun 1\n").unwrap_err();
        assert!(e.message.contains("broker"), "{e}");
    }
}
