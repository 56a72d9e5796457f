//! `async-register`: user registration as a synchronous call chain (save
//! 300 ms + email 500 ms + SMS 400 ms + coupon 300 ms: the user waits about
//! 1,500 ms) vs asynchronous (save 300 ms, answer; the email, SMS and
//! coupon jobs drain from their queues). With the SMS service down, a
//! synchronous registration fails with that cause; an asynchronous one
//! succeeds and the SMS jobs wait in their queue until it is back.
//!
//! Nodes: producer `user`; service `register` (the save step). Sync: the
//! chain `register` → `email` → `sms` → `coupon` (services). Async:
//! `register` publishes to topic `signup` with the queues `email-jobs`,
//! `sms-jobs`, `coupon-jobs`, drained by consumer groups `email`, `sms`,
//! `coupon`.

use crate::command::Action;
use crate::facts::{self, read, FactDef};
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit::{self, ms};
use crate::spec::*;
use crate::text::Text;
use crate::time::US_PER_MS;

/// The `mode` parameter's words (index 0 = sync, 1 = async).
pub static MODE_CHOICES: [Choice; 2] = [
    Choice::new("sync", "同步调用链", "Sync chain"),
    Choice::new("async", "异步（经队列）", "Async (through queues)"),
];
pub const MODES: &[&str] = &words(&MODE_CHOICES);

/// Workers per service / concurrent jobs per consumer group: enough that at
/// the highest rate nothing waits for a worker (the demo is about the chain,
/// not about capacity).
pub const WORKERS: u32 = 100;

/// The side jobs, in chain order: (param key, node name, queue name).
pub const JOBS: [(&str, &str, &str); 3] = [
    ("email_ms", "email", "email-jobs"),
    ("sms_ms", "sms", "sms-jobs"),
    ("coupon_ms", "coupon", "coupon-jobs"),
];

static PARAMS: [ParamDef; 7] = [
    ParamDef::choice(
        "mode",
        &MODE_CHOICES,
        0,
        "sync: the user waits for every step; async: only for the save, the rest goes through queues",
    ),
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.1,
        20.0,
        1.0,
        0.1,
        "registrations per second",
    ),
    ParamDef::int("save_ms", "ms", 10.0, 3000.0, 300.0, "saving the user"),
    ParamDef::int("email_ms", "ms", 10.0, 3000.0, 500.0, "sending the welcome email"),
    ParamDef::int("sms_ms", "ms", 10.0, 3000.0, 400.0, "sending the SMS"),
    ParamDef::int("coupon_ms", "ms", 10.0, 3000.0, 300.0, "issuing the coupon"),
    ParamDef::boolean("sms_down", false, "the SMS service is down"),
];

static FACTS: [FactDef; 8] = [
    FactDef {
        label: Text::new("注册请求", "Sign-ups"),
        explained_en: crate::cli_only("Sign-ups the users submitted."),
        ..facts::PRODUCED
    },
    FactDef {
        key: "registered",
        unit: "messages",
        label: Text::new("注册成功", "Registered"),
        explained_en: crate::cli_only("Sign-ups answered successfully."),
        value: |s| s.response_histogram().count() as f64,
    },
    FactDef {
        label: Text::new("注册失败", "Failed"),
        explained_en: crate::cli_only("Sign-ups that failed with the user told why: synchronously, a down SMS service fails the whole sign-up."),
        ..facts::REJECTED
    },
    FactDef {
        explained_en: crate::cli_only("Mean time a user waited for the answer, in milliseconds: every step when synchronous (about 1,500 ms), only the save when asynchronous (about 300 ms)."),
        ..facts::RESPONSE_MS
    },
    facts::RESPONSE_RECENT_MS,
    FactDef {
        explained_en: crate::cli_only("The wait 95 % of answered users stayed within, in milliseconds."),
        ..facts::RESPONSE_P95_MS
    },
    FactDef {
        key: "side_jobs_done",
        unit: "messages",
        label: Text::new("附带任务完成", "Side jobs done"),
        explained_en: crate::cli_only("Emails, SMS and coupons done: as steps of the call (synchronous) or by consumers of their queues (asynchronous)."),
        value: |s| JOBS.iter().map(|(_, name, _)| read::processed_by(s, name)).sum(),
    },
    FactDef {
        key: "side_jobs_queued",
        unit: "messages",
        label: Text::new("附带任务排队", "Side jobs queued"),
        explained_en: crate::cli_only("Email, SMS and coupon jobs waiting in their queues (asynchronous only), e.g. SMS jobs while the SMS service is down."),
        value: |s| JOBS.iter().map(|(_, _, queue)| read::queue_len(s, queue)).sum(),
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "async-register",
    summary: crate::cli_only("registration as a sync chain (~1.5 s) vs async hand-off (~0.3 s); a down SMS service fails only the sync one"),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

fn is_sync(p: &Params) -> bool {
    p.get("mode") < 0.5
}

fn build(p: &Params) -> ScenarioSpec {
    let sync = is_sync(p);
    let mut spec = kit::spec("async-register", DEF.summary, US_PER_MS);
    spec.producers.push(kit::producer(
        "user",
        "register",
        p.get("rate_per_s"),
        100 * US_PER_MS,
    ));
    let mut register = kit::service("register", ms(p.get("save_ms")), WORKERS);
    let sms_down = p.flag("sms_down");
    if sync {
        register.then_calls = Some(JOBS[0].1.into());
        spec.services.push(register);
        for (i, (key, name, _)) in JOBS.iter().enumerate() {
            let mut s = kit::service(name, ms(p.get(key)), WORKERS);
            s.then_calls = JOBS.get(i + 1).map(|j| j.1.to_string());
            s.up = !(sms_down && *name == "sms");
            spec.services.push(s);
        }
    } else {
        register.publishes = Some("signup".into());
        spec.services.push(register);
        spec.topics.push(TopicSpec {
            name: "signup".into(),
            subscriptions: JOBS.iter().map(|j| j.2.to_string()).collect(),
            standby: Vec::new(),
        });
        for (key, name, queue) in JOBS {
            spec.queues.push(kit::queue(queue, 100_000));
            let mut c = kit::consumers(name, queue, 1, WORKERS, ms(p.get(key)));
            c.online = !(sms_down && name == "sms");
            spec.consumers.push(c);
        }
    }
    spec
}

fn live(p: &Params, key: &str, v: f64) -> Live {
    let sync = is_sync(p);
    let job = JOBS.iter().find(|j| j.0 == key).map(|j| j.1);
    match (key, job) {
        ("rate_per_s", _) => Live::Apply(Action::SetRate {
            producer: "user".into(),
            rate_per_s: v,
        }),
        ("save_ms", _) => Live::Apply(Action::SetServiceCapacity {
            service: "register".into(),
            capacity_per_s: kit::capacity_for(ms(v), WORKERS),
        }),
        (_, Some(name)) if sync => Live::Apply(Action::SetServiceCapacity {
            service: name.into(),
            capacity_per_s: kit::capacity_for(ms(v), WORKERS),
        }),
        (_, Some(name)) => Live::Apply(Action::SetConsumerWork {
            group: name.into(),
            mean_us: ms(v),
        }),
        ("sms_down", _) if sync => Live::Apply(Action::SetServiceUp {
            service: "sms".into(),
            up: v < 0.5,
        }),
        ("sms_down", _) => Live::Apply(Action::SetConsumersOnline {
            group: "sms".into(),
            online: v < 0.5,
        }),
        _ => Live::Restart,
    }
}
