//! Runs a Redis script on a real Redis (the `redis` crate).
//!
//! Redis keeps its own clock, so this runner lets real time pass: tick `T`
//! runs no earlier than `T × REDIS_TICK` after the script started, and a
//! TTL of `N` ticks is `PX N × REDIS_TICK`. Scripts keep every step at
//! least a tick away from an expiry, and the runner fails (rather than
//! reporting a difference) if it fell so far behind that a step ran within
//! half a tick of an expiry it should be before.

use std::time::{Duration, Instant};

use crate::engine::redis_line;
use crate::script::{Action, Script};

/// Real time per tick for Redis scripts.
pub const REDIS_TICK: Duration = Duration::from_millis(200);

pub fn url() -> String {
    std::env::var("MQLAB_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:63790/".into())
}

fn redis_err(what: &str, e: redis::RedisError) -> String {
    format!("Redis {what}: {e}")
}

pub fn run(s: &Script) -> Result<Vec<String>, String> {
    let client = redis::Client::open(url()).map_err(|e| redis_err("client", e))?;
    let mut con = client
        .get_connection()
        .map_err(|e| redis_err(&format!("connect to {}", url()), e))?;
    let stem = s.file.trim_end_matches(".mqs");
    let key = |k: u64| format!("mqlab-fidelity:{stem}:{k}");
    for st in &s.steps {
        if let Action::SetNx { key: k, .. } | Action::Exists { key: k } = st.action {
            redis::cmd("DEL")
                .arg(key(k))
                .query::<i64>(&mut con)
                .map_err(|e| redis_err("DEL", e))?;
        }
    }
    // Expiry times of the keys set, in ticks (to check the runner kept up).
    let mut expiries: Vec<u64> = Vec::new();
    let start = Instant::now();
    let mut out = Vec::new();
    for st in &s.steps {
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
        let answer = match st.action {
            Action::SetNx { key: k, ttl_ticks } => {
                let px = (REDIS_TICK * ttl_ticks as u32).as_millis() as u64;
                let r: Option<String> = redis::cmd("SET")
                    .arg(key(k))
                    .arg(1)
                    .arg("NX")
                    .arg("PX")
                    .arg(px)
                    .query(&mut con)
                    .map_err(|e| redis_err("SET NX PX", e))?;
                if r.is_some() {
                    expiries.push(st.tick + ttl_ticks);
                }
                r.is_some()
            }
            Action::Exists { key: k } => {
                let n: i64 = redis::cmd("EXISTS")
                    .arg(key(k))
                    .query(&mut con)
                    .map_err(|e| redis_err("EXISTS", e))?;
                n == 1
            }
            _ => return Err("a RabbitMQ step in a Redis script".into()),
        };
        out.push(redis_line(st.tick, &st.action, answer));
    }
    Ok(out)
}
