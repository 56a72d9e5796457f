//! The Redis commands a script may give, what the engine's Redis stores
//! answer to them, and how an answer prints, the same for both runners.
//!
//! ```text
//! at 0 setnx 7 ttl=5            SET <7> 1 NX PX <5 ticks>   → ok | refused
//! at 3 exists 7                 EXISTS                       → yes | no
//! at 0 set stock 1              SET stock 1                  → OK
//! at 1 get stock as A           GET                          → 1 | nil
//! at 2 decr stock as A          DECR                         → 0
//! at 3 take stock as B          EVAL (the tonumber script)   → 1 | 0
//! at 4 take-chapter stock       EVAL (the chapter's script)  → error
//! at 0 zadd due 10 order-1      ZADD                         → 1 | 0
//! at 1 zdue due 15 as P1        ZRANGEBYSCORE due -inf 15    → [order-1]
//! at 2 zrem due order-1 as P1   ZREM                         → 1 | 0
//! at 0 xgroup s g               XGROUP CREATE s g 0 MKSTREAM → ok
//! at 0 xadd s 1-0               XADD s 1-0 f v               → [1-0]
//! at 1 xread s g c1 2           XREADGROUP GROUP g c1 COUNT 2 STREAMS s > → [1-0,2-0]
//! at 2 xack s g 1-0             XACK                         → 1 | 0
//! at 3 xpending s g             XPENDING s g - + 100         → [2-0@c1×1]
//! at 7 xclaim s g c2 5 2-0      XCLAIM s g c2 <5 ticks> 2-0  → [2-0] | []
//! ```
//! `as NAME` only labels the line with the client that gave the command.

use std::collections::BTreeMap;

use mqlab_engine::model::dedupe::TtlStore;
use mqlab_engine::model::stock::StockCounter;
use mqlab_engine::model::stream::StreamGroup;
use mqlab_engine::model::zset::SortedSet;

use crate::script::TICK_US;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedisCmd {
    SetNx {
        key: u64,
        ttl_ticks: u64,
    },
    Exists {
        key: u64,
    },
    Set {
        key: String,
        value: i64,
    },
    Get {
        key: String,
    },
    Decr {
        key: String,
    },
    Take {
        key: String,
    },
    TakeChapter {
        key: String,
    },
    ZAdd {
        key: String,
        score: i64,
        member: String,
    },
    ZDue {
        key: String,
        max: i64,
    },
    ZRem {
        key: String,
        member: String,
    },
    XGroup {
        key: String,
        group: String,
    },
    XAdd {
        key: String,
        id: (u64, u64),
    },
    XRead {
        key: String,
        group: String,
        consumer: String,
        count: usize,
    },
    XAck {
        key: String,
        group: String,
        id: (u64, u64),
    },
    XPending {
        key: String,
        group: String,
    },
    XClaim {
        key: String,
        group: String,
        consumer: String,
        min_idle_ticks: u64,
        id: (u64, u64),
    },
}

/// `ms-seq` → (ms, seq).
fn stream_id(v: &str) -> Result<(u64, u64), String> {
    let (ms, seq) = v
        .split_once('-')
        .ok_or(format!("stream id {v}: expected MS-SEQ"))?;
    Ok((num("stream id", ms)?, num("stream id", seq)?))
}

pub fn show_id(id: (u64, u64)) -> String {
    format!("{}-{}", id.0, id.1)
}

/// One pending entry as a line shows it: `2-0@c1×2`.
pub fn pending_entry(id: (u64, u64), consumer: &str, deliveries: u32) -> String {
    format!("{}@{consumer}×{deliveries}", show_id(id))
}

/// A reply, as both runners print it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Ok,
    Refused,
    Yes,
    No,
    Int(i64),
    Nil,
    Members(Vec<String>),
    /// An error reply (a failed script).
    Error,
}

/// The correct stock script: compare as a number, decrement only if
/// positive; 1 if an item was taken, 0 if none was left.
pub const TAKE_LUA: &str = "local left = tonumber(redis.call('GET', KEYS[1]) or '0')\n\
    if left > 0 then redis.call('DECR', KEYS[1]) return 1 end\n\
    return 0";

/// The chapter's mistake, in a script of our own: `GET` returns a string,
/// and Lua will not compare a string with a number.
pub const TAKE_CHAPTER_LUA: &str = "local left = redis.call('GET', KEYS[1])\n\
    if left > 0 then redis.call('DECR', KEYS[1]) return 1 end\n\
    return 0";

fn num<T: std::str::FromStr>(what: &str, v: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{what} {v}: expected a whole number"))
}

impl RedisCmd {
    /// Reads `VERB ARGS...`; `None` if the verb is not a Redis command.
    pub fn parse(verb: &str, args: &[&str]) -> Option<Result<RedisCmd, String>> {
        let key = |k: &&str| k.to_string();
        Some(match (verb, args) {
            ("setnx", [k, ttl]) => (|| {
                let ttl = ttl
                    .strip_prefix("ttl=")
                    .ok_or("setnx: expected `setnx KEY ttl=TICKS`")?;
                Ok(RedisCmd::SetNx {
                    key: num("key", k)?,
                    ttl_ticks: num("ttl", ttl)?,
                })
            })(),
            ("exists", [k]) => num("key", k).map(|key| RedisCmd::Exists { key }),
            ("set", [k, v]) => num("value", v).map(|value| RedisCmd::Set { key: key(k), value }),
            ("get", [k]) => Ok(RedisCmd::Get { key: key(k) }),
            ("decr", [k]) => Ok(RedisCmd::Decr { key: key(k) }),
            ("take", [k]) => Ok(RedisCmd::Take { key: key(k) }),
            ("take-chapter", [k]) => Ok(RedisCmd::TakeChapter { key: key(k) }),
            ("zadd", [k, score, m]) => num("score", score).map(|score| RedisCmd::ZAdd {
                key: key(k),
                score,
                member: m.to_string(),
            }),
            ("zdue", [k, max]) => num("max", max).map(|max| RedisCmd::ZDue { key: key(k), max }),
            ("zrem", [k, m]) => Ok(RedisCmd::ZRem {
                key: key(k),
                member: m.to_string(),
            }),
            ("xgroup", [k, g]) => Ok(RedisCmd::XGroup {
                key: key(k),
                group: g.to_string(),
            }),
            ("xadd", [k, id]) => stream_id(id).map(|id| RedisCmd::XAdd { key: key(k), id }),
            ("xread", [k, g, c, n]) => num("count", n).map(|count| RedisCmd::XRead {
                key: key(k),
                group: g.to_string(),
                consumer: c.to_string(),
                count,
            }),
            ("xack", [k, g, id]) => stream_id(id).map(|id| RedisCmd::XAck {
                key: key(k),
                group: g.to_string(),
                id,
            }),
            ("xpending", [k, g]) => Ok(RedisCmd::XPending {
                key: key(k),
                group: g.to_string(),
            }),
            ("xclaim", [k, g, c, idle, id]) => (|| {
                Ok(RedisCmd::XClaim {
                    key: key(k),
                    group: g.to_string(),
                    consumer: c.to_string(),
                    min_idle_ticks: num("min-idle", idle)?,
                    id: stream_id(id)?,
                })
            })(),
            (
                "setnx" | "exists" | "set" | "get" | "decr" | "take" | "take-chapter" | "zadd"
                | "zdue" | "zrem" | "xgroup" | "xadd" | "xread" | "xack" | "xpending" | "xclaim",
                _,
            ) => Err(format!(
                "{verb}: wrong arguments (see the redis_cmd module for each command's form)"
            )),
            _ => return None,
        })
    }

    /// The key the command touches, as a script names it.
    pub fn key(&self) -> String {
        match self {
            RedisCmd::SetNx { key, .. } | RedisCmd::Exists { key } => key.to_string(),
            RedisCmd::Set { key, .. }
            | RedisCmd::Get { key }
            | RedisCmd::Decr { key }
            | RedisCmd::Take { key }
            | RedisCmd::TakeChapter { key }
            | RedisCmd::ZAdd { key, .. }
            | RedisCmd::ZDue { key, .. }
            | RedisCmd::ZRem { key, .. }
            | RedisCmd::XGroup { key, .. }
            | RedisCmd::XAdd { key, .. }
            | RedisCmd::XRead { key, .. }
            | RedisCmd::XAck { key, .. }
            | RedisCmd::XPending { key, .. }
            | RedisCmd::XClaim { key, .. } => key.clone(),
        }
    }

    /// The command as a line shows it.
    pub fn show(&self) -> String {
        match self {
            RedisCmd::SetNx { key, .. } => format!("setnx {key}"),
            RedisCmd::Exists { key } => format!("exists {key}"),
            RedisCmd::Set { key, value } => format!("set {key} {value}"),
            RedisCmd::Get { key } => format!("get {key}"),
            RedisCmd::Decr { key } => format!("decr {key}"),
            RedisCmd::Take { key } => format!("take {key}"),
            RedisCmd::TakeChapter { key } => format!("take-chapter {key}"),
            RedisCmd::ZAdd { key, score, member } => format!("zadd {key} {score} {member}"),
            RedisCmd::ZDue { key, max } => format!("zdue {key} {max}"),
            RedisCmd::ZRem { key, member } => format!("zrem {key} {member}"),
            RedisCmd::XGroup { key, group } => format!("xgroup {key} {group}"),
            RedisCmd::XAdd { key, id } => format!("xadd {key} {}", show_id(*id)),
            RedisCmd::XRead {
                key,
                group,
                consumer,
                count,
            } => format!("xread {key} {group} {consumer} {count}"),
            RedisCmd::XAck { key, group, id } => format!("xack {key} {group} {}", show_id(*id)),
            RedisCmd::XPending { key, group } => format!("xpending {key} {group}"),
            RedisCmd::XClaim {
                key,
                group,
                consumer,
                min_idle_ticks,
                id,
            } => format!(
                "xclaim {key} {group} {consumer} {min_idle_ticks} {}",
                show_id(*id)
            ),
        }
    }
}

/// One outcome line: `t=3 P1: zrem due order-1 -> 1`.
pub fn line(tick: u64, client: Option<&str>, cmd: &RedisCmd, reply: &Reply) -> String {
    let who = client.map(|c| format!("{c}: ")).unwrap_or_default();
    let r = match reply {
        Reply::Ok => "ok".to_string(),
        Reply::Refused => "refused".to_string(),
        Reply::Yes => "yes".to_string(),
        Reply::No => "no".to_string(),
        Reply::Int(n) => n.to_string(),
        Reply::Nil => "nil".to_string(),
        Reply::Members(m) => format!("[{}]", m.join(",")),
        Reply::Error => "error".to_string(),
    };
    format!("t={tick} {who}{} -> {r}", cmd.show())
}

/// The engine's Redis: its dedupe key store, stock counters and sorted
/// sets, one per key a script names.
#[derive(Default)]
pub struct EngineRedis {
    ttl: TtlStore,
    stock: BTreeMap<String, StockCounter>,
    zsets: BTreeMap<String, SortedSet>,
    streams: BTreeMap<String, StreamGroup>,
}

impl EngineRedis {
    pub fn apply(&mut self, tick: u64, cmd: &RedisCmd) -> Reply {
        let now = tick * TICK_US;
        match cmd {
            RedisCmd::SetNx { key, ttl_ticks } => {
                if self.ttl.set_nx_ex(*key, now, ttl_ticks * TICK_US) {
                    Reply::Ok
                } else {
                    Reply::Refused
                }
            }
            RedisCmd::Exists { key } => {
                if self.ttl.exists(*key, now) {
                    Reply::Yes
                } else {
                    Reply::No
                }
            }
            RedisCmd::Set { key, value } => {
                self.stock.entry(key.clone()).or_default().set(*value);
                Reply::Ok
            }
            RedisCmd::Get { key } => match self.stock.get(key).and_then(|s| s.get()) {
                Some(v) => Reply::Int(v),
                None => Reply::Nil,
            },
            RedisCmd::Decr { key } => Reply::Int(self.stock.entry(key.clone()).or_default().decr()),
            RedisCmd::Take { key } => Reply::Int(self.stock.entry(key.clone()).or_default().take()),
            RedisCmd::TakeChapter { key } => {
                match self.stock.entry(key.clone()).or_default().take_chapter() {
                    Ok(n) => Reply::Int(n),
                    Err(_) => Reply::Error,
                }
            }
            RedisCmd::ZAdd { key, score, member } => Reply::Int(
                self.zsets
                    .entry(key.clone())
                    .or_default()
                    .add(*score, member),
            ),
            RedisCmd::ZDue { key, max } => {
                Reply::Members(self.zsets.get(key).map(|z| z.due(*max)).unwrap_or_default())
            }
            RedisCmd::ZRem { key, member } => {
                Reply::Int(self.zsets.get_mut(key).map_or(0, |z| z.remove(member)))
            }
            RedisCmd::XGroup { key, .. } => {
                self.streams.insert(key.clone(), StreamGroup::default());
                Reply::Ok
            }
            RedisCmd::XAdd { key, id } => {
                match self.streams.entry(key.clone()).or_default().add(*id) {
                    Some(id) => Reply::Members(vec![show_id(id)]),
                    None => Reply::Error,
                }
            }
            RedisCmd::XRead {
                key,
                consumer,
                count,
                ..
            } => {
                let s = self.streams.entry(key.clone()).or_default();
                Reply::Members(
                    s.read_new(consumer, *count, now)
                        .into_iter()
                        .map(show_id)
                        .collect(),
                )
            }
            RedisCmd::XAck { key, id, .. } => {
                Reply::Int(self.streams.get_mut(key).map_or(0, |s| s.ack(*id)))
            }
            RedisCmd::XPending { key, .. } => Reply::Members(
                self.streams
                    .get(key)
                    .map(|s| {
                        s.pending()
                            .into_iter()
                            .map(|(id, p)| pending_entry(id, &p.consumer, p.deliveries))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            RedisCmd::XClaim {
                key,
                consumer,
                min_idle_ticks,
                id,
                ..
            } => {
                let s = self.streams.entry(key.clone()).or_default();
                let won = s.claim(consumer, min_idle_ticks * TICK_US, *id, now);
                Reply::Members(if won { vec![show_id(*id)] } else { vec![] })
            }
        }
    }
}
