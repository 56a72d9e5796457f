//! Runs a Redis script on a real Redis (the `redis` crate).
//!
//! Redis keeps its own clock, so this runner lets real time pass: tick `T`
//! runs no earlier than `T × REDIS_TICK` after the script started, and a
//! TTL of `N` ticks is `PX N × REDIS_TICK`. Scripts keep every step at
//! least a tick away from an expiry, and the runner fails (rather than
//! reporting a difference) if it fell so far behind that a step ran within
//! half a tick of an expiry it should come before.

use std::time::{Duration, Instant};

use redis::{Connection, RedisError, Value};

use crate::redis_cmd::{line, show_id, RedisCmd, Reply, TAKE_CHAPTER_LUA, TAKE_LUA};
use crate::script::{Action, Script, REAL_TICK};

/// Real time per tick for Redis scripts.
pub const REDIS_TICK: Duration = REAL_TICK;

pub fn url() -> String {
    std::env::var("MQLAB_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:63790/".into())
}

fn redis_err(what: &str, e: RedisError) -> String {
    format!("Redis {what}: {e}")
}

/// Gives `cmd` to Redis (keys under `prefix`) and reads the reply.
fn apply(
    con: &mut Connection,
    prefix: &str,
    ttl_tick: Duration,
    cmd: &RedisCmd,
) -> Result<Reply, String> {
    let key = format!("{prefix}{}", cmd.key());
    let int =
        |r: redis::RedisResult<i64>, what: &str| r.map(Reply::Int).map_err(|e| redis_err(what, e));
    match cmd {
        RedisCmd::SetNx { ttl_ticks, .. } => {
            let px = (ttl_tick * *ttl_ticks as u32).as_millis() as u64;
            let r: Option<String> = redis::cmd("SET")
                .arg(&key)
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(px)
                .query(con)
                .map_err(|e| redis_err("SET NX PX", e))?;
            Ok(if r.is_some() {
                Reply::Ok
            } else {
                Reply::Refused
            })
        }
        RedisCmd::Exists { .. } => {
            let n: i64 = redis::cmd("EXISTS")
                .arg(&key)
                .query(con)
                .map_err(|e| redis_err("EXISTS", e))?;
            Ok(if n == 1 { Reply::Yes } else { Reply::No })
        }
        RedisCmd::Set { value, .. } => {
            let _: String = redis::cmd("SET")
                .arg(&key)
                .arg(value)
                .query(con)
                .map_err(|e| redis_err("SET", e))?;
            Ok(Reply::Ok)
        }
        RedisCmd::Get { .. } => {
            let v: Option<i64> = redis::cmd("GET")
                .arg(&key)
                .query(con)
                .map_err(|e| redis_err("GET", e))?;
            Ok(v.map_or(Reply::Nil, Reply::Int))
        }
        RedisCmd::Decr { .. } => int(redis::cmd("DECR").arg(&key).query(con), "DECR"),
        RedisCmd::Take { .. } => int(
            redis::cmd("EVAL").arg(TAKE_LUA).arg(1).arg(&key).query(con),
            "EVAL",
        ),
        RedisCmd::TakeChapter { .. } => {
            let r: redis::RedisResult<Value> = redis::cmd("EVAL")
                .arg(TAKE_CHAPTER_LUA)
                .arg(1)
                .arg(&key)
                .query(con);
            match r {
                Ok(Value::Int(n)) => Ok(Reply::Int(n)),
                Ok(other) => Err(format!("EVAL: an unexpected reply {other:?}")),
                Err(e) if e.to_string().contains("attempt to compare") => Ok(Reply::Error),
                Err(e) => Err(redis_err("EVAL", e)),
            }
        }
        RedisCmd::ZAdd { score, member, .. } => int(
            redis::cmd("ZADD")
                .arg(&key)
                .arg(score)
                .arg(member)
                .query(con),
            "ZADD",
        ),
        RedisCmd::ZDue { max, .. } => {
            let m: Vec<String> = redis::cmd("ZRANGEBYSCORE")
                .arg(&key)
                .arg("-inf")
                .arg(max)
                .query(con)
                .map_err(|e| redis_err("ZRANGEBYSCORE", e))?;
            Ok(Reply::Members(m))
        }
        RedisCmd::ZRem { member, .. } => {
            int(redis::cmd("ZREM").arg(&key).arg(member).query(con), "ZREM")
        }
        RedisCmd::XGroup { group, .. } => {
            let _: String = redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(&key)
                .arg(group)
                .arg("0")
                .arg("MKSTREAM")
                .query(con)
                .map_err(|e| redis_err("XGROUP CREATE", e))?;
            Ok(Reply::Ok)
        }
        RedisCmd::XAdd { id, .. } => {
            let r: redis::RedisResult<String> = redis::cmd("XADD")
                .arg(&key)
                .arg(show_id(*id))
                .arg("f")
                .arg("v")
                .query(con);
            match r {
                Ok(id) => Ok(Reply::Members(vec![id])),
                Err(e) if e.to_string().contains("equal or smaller") => Ok(Reply::Error),
                Err(e) => Err(redis_err("XADD", e)),
            }
        }
        RedisCmd::XRead {
            group,
            consumer,
            count,
            ..
        } => {
            let v: Value = redis::cmd("XREADGROUP")
                .arg("GROUP")
                .arg(group)
                .arg(consumer)
                .arg("COUNT")
                .arg(count)
                .arg("STREAMS")
                .arg(&key)
                .arg(">")
                .query(con)
                .map_err(|e| redis_err("XREADGROUP", e))?;
            // [[key, [[id, [field, value]], ...]]] or nil.
            let entries = items(&v)
                .first()
                .map(|s| items(&items(s)[1]).to_vec())
                .unwrap_or_default();
            Ok(Reply::Members(
                entries.iter().map(|e| text(&items(e)[0])).collect(),
            ))
        }
        RedisCmd::XAck { group, id, .. } => int(
            redis::cmd("XACK")
                .arg(&key)
                .arg(group)
                .arg(show_id(*id))
                .query(con),
            "XACK",
        ),
        RedisCmd::XPending { group, .. } => {
            let v: Value = redis::cmd("XPENDING")
                .arg(&key)
                .arg(group)
                .arg("-")
                .arg("+")
                .arg(100)
                .query(con)
                .map_err(|e| redis_err("XPENDING", e))?;
            // [[id, consumer, idle ms, deliveries], ...]
            let rows = items(&v)
                .iter()
                .map(|row| {
                    let f = items(row);
                    let id = text(&f[0]);
                    let deliveries = match &f[3] {
                        Value::Int(n) => *n,
                        _ => -1,
                    };
                    format!("{id}@{}×{deliveries}", text(&f[1]))
                })
                .collect();
            Ok(Reply::Members(rows))
        }
        RedisCmd::XClaim {
            group,
            consumer,
            min_idle_ticks,
            id,
            ..
        } => {
            let min_idle_ms = (ttl_tick * *min_idle_ticks as u32).as_millis() as u64;
            let v: Value = redis::cmd("XCLAIM")
                .arg(&key)
                .arg(group)
                .arg(consumer)
                .arg(min_idle_ms)
                .arg(show_id(*id))
                .query(con)
                .map_err(|e| redis_err("XCLAIM", e))?;
            Ok(Reply::Members(
                items(&v).iter().map(|e| text(&items(e)[0])).collect(),
            ))
        }
    }
}

/// The elements of an array reply (none for nil or anything else).
fn items(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        _ => &[],
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        Value::SimpleString(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

pub fn run(s: &Script) -> Result<Vec<String>, String> {
    let client = redis::Client::open(url()).map_err(|e| redis_err("client", e))?;
    let mut con = client
        .get_connection()
        .map_err(|e| redis_err(&format!("connect to {}", url()), e))?;
    let prefix = format!("mqlab-fidelity:{}:", s.file.trim_end_matches(".mqs"));
    for st in &s.steps {
        if let Action::Redis(cmd) = &st.action {
            let _: i64 = redis::cmd("DEL")
                .arg(format!("{prefix}{}", cmd.key()))
                .query(&mut con)
                .map_err(|e| redis_err("DEL", e))?;
        }
    }
    // When the keys set expire, in ticks, and when each stream entry was
    // last delivered (tick, instant): to check the runner kept up.
    let mut expiries: Vec<u64> = Vec::new();
    let mut delivered: std::collections::BTreeMap<(u64, u64), (u64, Instant)> = Default::default();
    let start = Instant::now();
    let mut out = Vec::new();
    for st in &s.steps {
        let Action::Redis(cmd) = &st.action else {
            return Err("a RabbitMQ step in a Redis script".into());
        };
        let due = start + REDIS_TICK * st.tick as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let at = start.elapsed().as_secs_f64() / REDIS_TICK.as_secs_f64();
        if let Some(e) = expiries
            .iter()
            .find(|&&e| st.tick < e && at > e as f64 - 0.5)
        {
            return Err(format!(
                "the runner fell behind: tick {} ran at {at:.2}, too close to an expiry at tick {e}",
                st.tick
            ));
        }
        if let RedisCmd::XClaim {
            min_idle_ticks, id, ..
        } = cmd
        {
            if let Some((tick, at)) = delivered.get(id) {
                let idle_ticks = at.elapsed().as_secs_f64() / REDIS_TICK.as_secs_f64();
                let logical = (st.tick - tick) as f64;
                if (idle_ticks - *min_idle_ticks as f64).abs() < 0.5
                    || (idle_ticks - logical).abs() > 0.5
                {
                    return Err(format!(
                        "the runner fell behind: entry {} had been idle {idle_ticks:.2} ticks at tick {}, not {logical}",
                        show_id(*id),
                        st.tick
                    ));
                }
            }
        }
        let reply = apply(&mut con, &prefix, REDIS_TICK, cmd)?;
        if let (RedisCmd::XRead { .. } | RedisCmd::XClaim { .. }, Reply::Members(ids)) =
            (cmd, &reply)
        {
            for id in ids {
                if let Some((ms, seq)) = id.split_once('-') {
                    if let (Ok(ms), Ok(seq)) = (ms.parse(), seq.parse()) {
                        delivered.insert((ms, seq), (st.tick, Instant::now()));
                    }
                }
            }
        }
        if let (RedisCmd::SetNx { ttl_ticks, .. }, Reply::Ok) = (cmd, &reply) {
            expiries.push(st.tick + ttl_ticks);
        }
        out.push(line(st.tick, st.client.as_deref(), cmd, &reply));
    }
    Ok(out)
}
