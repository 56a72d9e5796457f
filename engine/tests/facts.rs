//! Facts (`ScenarioDef::facts`): every built-in's key teaching numbers,
//! read straight from a `Sim` as the UI's cards will, checked against what
//! each demo must teach (SPEC "The demos").

mod common;

use std::collections::BTreeMap;

use common::{run, spec_of};
use mqlab_engine::scenario::{builtins, find};
use mqlab_engine::time::{TimeUs, US_PER_S};
use mqlab_engine::{Lang, Sim};

/// The facts of built-in `id` for `sim`, by name.
fn facts(id: &str, sim: &Sim) -> BTreeMap<&'static str, f64> {
    find(id).unwrap().read_facts(sim).into_iter().collect()
}

/// Runs built-in `id` with `kv` for `secs` seconds and reads its facts.
fn facts_after(id: &str, kv: &[(&str, &str)], secs: u64) -> BTreeMap<&'static str, f64> {
    let until: TimeUs = secs * US_PER_S;
    facts(id, &run(&spec_of(id, kv), &[], until))
}

/// Runs built-in `id` with `kv` until it is idle (or its horizon).
fn facts_drained(id: &str, kv: &[(&str, &str)]) -> BTreeMap<&'static str, f64> {
    let spec = spec_of(id, kv);
    let mut sim = Sim::new(&spec, 1).unwrap();
    sim.run_until_idle(spec.horizon_us);
    facts(id, &sim)
}

fn near(v: f64, target: f64, tolerance: f64) -> bool {
    (v - target).abs() <= tolerance
}

#[test]
fn every_fact_is_well_formed_and_finite_from_the_first_moment() {
    const UNITS: [&str; 7] = ["messages", "ms", "us", "s", "pct", "per_s", ""];
    for def in builtins() {
        assert!(!def.facts.is_empty(), "{} has no facts", def.id);
        let spec = (def.build)(&def.defaults());
        let mut sim = Sim::new(&spec, 1).unwrap();
        for (i, f) in def.facts.iter().enumerate() {
            let id = format!("{}.{}", def.id, f.key);
            assert!(
                f.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{id}: snake_case"
            );
            assert!(
                def.facts[..i].iter().all(|g| g.key != f.key),
                "{id} repeats"
            );
            assert!(UNITS.contains(&f.unit), "{id}: unit '{}'", f.unit);
            assert!(
                !f.label.get(Lang::Zh).is_empty() && !f.label.get(Lang::En).is_empty(),
                "{id}: labels"
            );
            assert!(f.explained_en.ends_with('.'), "{id}: a sentence");
            assert_eq!(def.fact(f.key).map(|g| g.key), Some(f.key));
        }
        // Before anything happened, mid-run and at the end: numbers, never NaN.
        for t in [0, US_PER_S / 2, 5 * US_PER_S] {
            sim.run_until(t);
            for (key, v) in def.read_facts(&sim) {
                assert!(v.is_finite() && v >= 0.0, "{}.{key} = {v} at {t}µs", def.id);
            }
        }
    }
}

#[test]
fn peak_shaving_facts() {
    let q = facts_drained("peak-shaving", &[]);
    assert_eq!(q["requests"], 100_000.0);
    assert_eq!(q["done"], 100_000.0);
    assert_eq!(q["rejected"], 0.0);
    assert_eq!(q["rejected_share_pct"], 0.0);
    assert!(q["queue_len_max"] > 90_000.0, "{q:?}");
    assert!(near(q["processing_rate_per_s"], 1_000.0, 50.0), "{q:?}");
    assert!((95.0..110.0).contains(&q["drain_s"]), "{q:?}");
    assert!(
        q["wait_p95_ms"] > 60_000.0,
        "the last ones waited long: {q:?}"
    );
    assert_eq!(q["response_p99_ms"], 2.0, "users answered at once");

    let direct = facts_drained("peak-shaving", &[("queue", "off")]);
    assert!(near(direct["rejected_share_pct"], 98.9, 0.2), "{direct:?}");
    assert_eq!(direct["queue_len_max"], 0.0);
    assert_eq!(direct["wait_p95_ms"], 0.0);
    assert!(direct["drain_s"] < 3.0, "{direct:?}");
}

#[test]
fn intro_facts() {
    let sync = facts_after("intro", &[], 20);
    let asy = facts_after("intro", &[("mode", "async")], 20);
    // The caller waits for the whole call (1,500 ms + two 300 ms hops)...
    assert!(near(sync["response_ms"], 2_100.0, 50.0), "{sync:?}");
    // ...or only for the hand-off (two hops).
    assert!(near(asy["response_ms"], 600.0, 10.0), "{asy:?}");
    let down = facts_after("intro", &[("callee_down", "on")], 20);
    assert!(down["rejected"] > 0.0 && down["done"] == 0.0, "{down:?}");
    let kept = facts_after("intro", &[("mode", "async"), ("callee_down", "on")], 20);
    assert_eq!(kept["rejected"], 0.0);
    assert!(kept["queued"] >= 5.0, "kept for later: {kept:?}");
}

#[test]
fn components_facts() {
    let away = facts_after("components", &[("consumer_online", "off")], 10);
    assert_eq!(away["done"], 0.0);
    assert!(
        away["queued"] >= 5.0 && away["queued"] == away["produced"],
        "{away:?}"
    );
    let online = facts_after("components", &[], 10);
    assert!(online["done"] >= online["produced"] - 2.0, "{online:?}");
    assert!(online["queue_len_max"] <= 2.0, "{online:?}");
}

#[test]
fn point_to_point_and_pubsub_facts() {
    let p2p = facts_after("p2p-vs-pubsub", &[("consumers", "3")], 10);
    let pubsub = facts_after(
        "p2p-vs-pubsub",
        &[("mode", "pubsub"), ("consumers", "3")],
        10,
    );
    // Per finished message: exactly once, or once per subscriber.
    assert_eq!(p2p["handled_per_message"], 1.0, "{p2p:?}");
    assert_eq!(pubsub["handled_per_message"], 3.0, "{pubsub:?}");
    // Issue 11: with a backlog, handled ÷ sent read ×0.20 for one slow
    // consumer. Unfinished messages do not count.
    let behind = facts_after(
        "p2p-vs-pubsub",
        &[("consumers", "1"), ("work_ms", "1000")],
        20,
    );
    assert!(behind["queued"] >= 10.0, "{behind:?}");
    assert_eq!(behind["handled_per_message"], 1.0, "{behind:?}");
    let behind = facts_after(
        "p2p-vs-pubsub",
        &[("mode", "pubsub"), ("consumers", "6"), ("work_ms", "1000")],
        20,
    );
    assert!(behind["queued"] >= 60.0, "{behind:?}");
    assert_eq!(behind["handled_per_message"], 6.0, "{behind:?}");
    // Competing consumers share the load; subscribers each get everything.
    assert!(p2p["per_consumer_max"] - p2p["per_consumer_min"] <= 1.0);
    assert!(p2p["per_consumer_max"] * 3.0 <= p2p["produced"] + 3.0);
    assert!(
        pubsub["per_consumer_min"] >= pubsub["produced"] - 2.0,
        "{pubsub:?}"
    );
}

#[test]
fn comparison_facts() {
    let rabbit = facts_after("comparison", &[], 5);
    assert_eq!(rabbit["ceiling_per_s"], 10_000.0);
    assert!(
        near(rabbit["throughput_per_s"], 10_000.0, 300.0),
        "{rabbit:?}"
    );
    assert!(
        rabbit["queue_len_max"] > 10_000.0,
        "20k/s above a 10k/s ceiling"
    );
    assert_eq!(rabbit["retained"], 0.0, "RabbitMQ deletes acked messages");
    let kafka = facts_after("comparison", &[("broker", "kafka")], 5);
    assert_eq!(kafka["ceiling_per_s"], 1_000_000.0);
    assert!(
        near(kafka["throughput_per_s"], 20_000.0, 500.0),
        "{kafka:?}"
    );
    assert!(kafka["retained"] > 0.0);
    // Below every ceiling: microseconds against milliseconds.
    let calm = [("rate_per_s", "2000")];
    let rabbit = facts_after("comparison", &calm, 2);
    let kafka = facts_after("comparison", &[calm[0], ("broker", "kafka")], 2);
    assert!(rabbit["latency_p50_us"] < 1_000.0, "{rabbit:?}");
    assert!(kafka["latency_p50_us"] > 1_000.0, "{kafka:?}");
}

#[test]
fn async_register_facts() {
    let sync = facts_after("async-register", &[], 10);
    let asy = facts_after("async-register", &[("mode", "async")], 10);
    assert!(near(sync["response_ms"], 1_505.0, 20.0), "{sync:?}");
    assert!(near(asy["response_ms"], 302.0, 10.0), "{asy:?}");
    assert!(sync["side_jobs_done"] >= 3.0 * (sync["registered"] - 1.0));
    assert!(asy["side_jobs_done"] >= 3.0 * (asy["registered"] - 1.0));
    let sync_down = facts_after("async-register", &[("sms_down", "on")], 10);
    assert_eq!(sync_down["registered"], 0.0);
    assert!(sync_down["rejected"] > 5.0, "{sync_down:?}");
    let asy_down = facts_after(
        "async-register",
        &[("mode", "async"), ("sms_down", "on")],
        10,
    );
    assert_eq!(asy_down["rejected"], 0.0);
    assert!(
        asy_down["side_jobs_queued"] > 5.0,
        "SMS jobs wait: {asy_down:?}"
    );
}

#[test]
fn coupling_facts() {
    let direct = facts_after("coupling", &[("notify_down", "on")], 10);
    assert_eq!(direct["orders_ok"], 0.0);
    assert!(direct["rejected"] >= 10.0, "{direct:?}");
    let queued = facts_after("coupling", &[("mode", "queue"), ("notify_down", "on")], 10);
    assert_eq!(queued["rejected"], 0.0);
    assert!(queued["orders_ok"] >= 15.0, "{queued:?}");
    assert!(queued["notifications_pending"] >= 1.0, "{queued:?}");
    assert_eq!(queued["notified"], 0.0);
    let points = facts_after("coupling", &[("mode", "queue"), ("points", "on")], 10);
    assert!(
        points["points_awarded"] >= points["orders_ok"] - 1.0,
        "{points:?}"
    );
    assert!(
        queued["response_ms"] < direct_time(),
        "no notification in the order's time"
    );
}

/// The direct order time when notification is up (order + notification + hops).
fn direct_time() -> f64 {
    facts_after("coupling", &[], 10)["response_ms"]
}

#[test]
fn pubsub_facts() {
    let f = facts_after("pubsub", &[], 20);
    assert_eq!(f["subscribers"], 3.0);
    // The slow warehouse grows only its own queue.
    assert!(f["warehouse_queued"] > 20.0, "{f:?}");
    assert!(
        f["counter_queued"] <= 1.0 && f["recommendation_queued"] <= 1.0,
        "{f:?}"
    );
    assert!(f["counter_done"] >= f["produced"] - 1.0, "{f:?}");
    assert_eq!(f["fraud_check_done"], 0.0);
    let with_fraud = facts_after("pubsub", &[("fraud_check", "on")], 20);
    assert_eq!(with_fraud["subscribers"], 4.0);
    assert!(with_fraud["fraud_check_done"] >= with_fraud["produced"] - 1.0);
}

#[test]
fn idempotence_facts() {
    // No guard: the account is credited for duplicates too.
    let none = facts_after("idempotence", &[], 20);
    assert!(none["duplicates"] > 0.0, "{none:?}");
    assert_eq!(
        none["effects_applied"],
        none["points_actual"] / 10.0,
        "{none:?}"
    );
    assert!(none["double_applied"] > 0.0, "{none:?}");
    assert!(none["points_actual"] > none["points_expected"], "{none:?}");
    // A unique key: expected and actual agree, the copies were skipped.
    let unique = facts_after("idempotence", &[("strategy", "unique_key")], 20);
    assert_eq!(unique["points_actual"], unique["points_expected"]);
    // Every copy that arrived was skipped (the last ones may be on their way).
    let (skipped, copies) = (unique["skipped_duplicates"], unique["duplicates"]);
    assert!(skipped <= copies && skipped >= copies - 2.0, "{unique:?}");
    // Every order sent is credited once, but for those still on their way.
    assert!(
        unique["effects_applied"] >= unique["unique_messages"] - 2.0,
        "{unique:?}"
    );
    // Redis keys: one per credited order of the last ttl_s.
    let dedupe = facts_after("idempotence", &[("strategy", "dedupe"), ("ttl_s", "5")], 20);
    assert!((9.0..=11.0).contains(&dedupe["dedupe_keys"]), "{dedupe:?}");
}

#[test]
fn ordering_facts() {
    let f = facts_after("ordering", &[], 20);
    assert!(f["order_violations"] > 0.0, "{f:?}");
    let pct = 100.0 * f["order_violations"] / f["done"];
    assert!(near(f["order_violation_pct"], pct, 1.0), "{f:?}");
    assert!(near(f["throughput_per_s"], 30.0, 1.5), "{f:?}");
    assert_eq!(f["reorder_parked"], 0.0, "no buffer by default");
    let naive = facts_after("ordering", &[("strategy", "reorder_naive")], 20);
    // Every step waits for its batch (200 ms): the p99 is about a batch.
    assert!(
        near(naive["reorder_wait_us_p99"], 200_000.0, 20_000.0),
        "{naive:?}"
    );
    assert!(naive["reorder_parked"] >= naive["done"], "{naive:?}");
}
