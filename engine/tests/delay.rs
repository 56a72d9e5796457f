//! The delay scenario's "done when": the delay levels are RocketMQ's
//! (14 = 10 min, 16 = 30 min, 18 = 2 h), a polled sorted set is late by
//! up to one poll interval, two pollers without an atomic claim take the
//! same order, and RabbitMQ's TTL queue holds a short delay behind a long
//! one. Each check runs through the library and the `mqlab-sim` binary,
//! and both must agree.

mod common;

use common::{via_cli, via_library, Outcome};
use mqlab_engine::scenarios::delay::{level_table, REMINDERS, REMINDER_AT_US};
use mqlab_engine::time::{TimeUs, US_PER_S};
use mqlab_engine::Action;

const MIN_US: f64 = 60.0 * US_PER_S as f64;

fn both(settings: &[(&str, &str)], cmds: &[(u64, Action)], until_s: u64) -> Outcome {
    let lib = via_library("delay", settings, cmds, until_s);
    let cli = via_cli("delay", settings, cmds, until_s);
    assert_eq!(lib.facts, cli.facts, "{settings:?}: library and CLI agree");
    lib
}

fn reminder() -> Action {
    Action::Produce {
        producer: REMINDERS.into(),
        count: 1,
    }
}

#[test]
fn the_delay_levels_are_rocketmqs_and_none_is_15_minutes() {
    for (level, us) in [
        ("14", 600_000_000.0),
        ("16", 1_800_000_000.0),
        ("18", 7_200_000_000.0),
    ] {
        let o = both(&[("method", "levels"), ("level", level)], &[], 60);
        assert_eq!(o.fact("delay_us"), us, "level {level}");
    }
    let minutes: Vec<TimeUs> = level_table().map(|(_, us)| us / (60 * US_PER_S)).collect();
    assert!(
        !minutes.contains(&15),
        "no level is 15 minutes: {minutes:?}"
    );
}

#[test]
fn a_level_shorter_than_the_wait_cancels_orders_whose_users_would_have_paid() {
    // Level 14 (10 min) for a 30-minute payment window.
    let o = both(&[("method", "levels"), ("level", "14")], &[], 45 * 60);
    assert!(o.fact("early") > 0.0);
    assert!(o.fact("wrongly_cancelled") > 0.0);
    // Level 16 is the 30 minutes asked for: nothing early, nobody wronged.
    let o = both(&[("method", "levels"), ("level", "16")], &[], 45 * 60);
    assert_eq!((o.fact("early"), o.fact("wrongly_cancelled")), (0.0, 0.0));
    assert!(o.fact("cancelled") > 0.0 && o.fact("paid") > 0.0);
}

#[test]
fn a_polled_sorted_set_is_late_by_up_to_one_poll_interval() {
    let o = both(&[("method", "zset"), ("poll_ms", "1000")], &[], 40 * 60);
    let late = o.fact("lateness_us_max");
    assert!(late > 0.0 && late <= 1_000_000.0, "lateness_us_max {late}");
    let o = both(&[("method", "zset"), ("poll_ms", "5000")], &[], 40 * 60);
    assert!(
        o.fact("lateness_us_max") > 1_000_000.0,
        "a longer interval is later"
    );
}

#[test]
fn two_pollers_without_an_atomic_claim_cancel_the_same_order_twice() {
    let racy = both(
        &[
            ("method", "zset"),
            ("pollers", "2"),
            ("atomic_claim", "false"),
        ],
        &[],
        40 * 60,
    );
    assert!(racy.fact("double_claimed") > 0.0);
    let safe = both(
        &[
            ("method", "zset"),
            ("pollers", "2"),
            ("atomic_claim", "true"),
        ],
        &[],
        40 * 60,
    );
    assert_eq!(safe.fact("double_claimed"), 0.0);
    assert_eq!(racy.fact("orders"), safe.fact("orders"), "the same orders");
    assert!(safe.fact("cancelled") > 0.0);
    let one = both(&[("method", "zset"), ("pollers", "1")], &[], 40 * 60);
    assert_eq!(
        one.fact("double_claimed"),
        0.0,
        "one poller cannot race itself"
    );
}

#[test]
fn a_ttl_queue_holds_short_delays_behind_a_long_one_and_a_timer_does_not() {
    // The reminder (due 13 hours in) goes first; every 30-minute check
    // behind it waits for it.
    let until_s = REMINDER_AT_US / US_PER_S + 60;
    let ttl = both(
        &[("method", "ttl_dlx"), ("rate_per_s", "0.2")],
        &[(0, reminder())],
        until_s,
    );
    let expected = REMINDER_AT_US as f64 - 30.0 * MIN_US;
    let late = ttl.fact("lateness_us_max");
    assert!(
        (late - expected).abs() < MIN_US,
        "the first check waits the long delay minus its own: {late} vs {expected}"
    );
    assert_eq!(ttl.fact("reminders"), 1.0);
    let timer = both(
        &[("method", "timer"), ("rate_per_s", "0.2")],
        &[(0, reminder())],
        until_s,
    );
    assert!(
        timer.fact("lateness_us_max") < US_PER_S as f64,
        "a timer keeps every due time"
    );
    assert_eq!(timer.fact("reminders"), 1.0);
}
