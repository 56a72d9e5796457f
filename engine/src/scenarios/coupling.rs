//! `coupling`: an order service that calls the notification service
//! directly (synchronous: notification down → creating an order fails with
//! that cause) vs one that publishes an "order created" event to a topic
//! (orders succeed; notifications wait in their queue and go out when the
//! service is back). A points consumer can be added to the topic without
//! touching the order service; in direct mode adding it means changing the
//! order service's call chain (a restart).
//!
//! Nodes: producer `shop`; service `orders`. direct: `orders` → `notification`
//! (→ `points` with points on), a call chain. queue: `orders` publishes to
//! topic `order-events`; queue `notify-q` is drained by group `notifier`,
//! which calls service `notification` (retrying while it is down); queue
//! `points-q` (subscribed with points on) is drained by group `points`.

use crate::command::Action;
use crate::facts::{self, read, FactDef};
use crate::scenario::{words, Choice, Live, ParamDef, Params, ScenarioDef};
use crate::scenarios::kit::{self, ms};
use crate::spec::*;
use crate::text::Text;
use crate::time::US_PER_MS;

/// The `mode` parameter's words (index 0 = direct, 1 = queue).
pub static MODE_CHOICES: [Choice; 2] = [
    Choice::new("direct", "直接调用", "Direct call"),
    Choice::new("queue", "通过队列", "Through a queue"),
];
pub const MODES: &[&str] = &words(&MODE_CHOICES);
pub const TOPIC: &str = "order-events";
pub const POINTS_QUEUE: &str = "points-q";

/// Workers per service and concurrent messages per consumer group.
const WORKERS: u32 = 20;
/// The order service's own work per order.
const ORDER_WORK_US: u64 = 50 * US_PER_MS;
/// The points consumer's work per order.
const POINTS_WORK_US: u64 = 30 * US_PER_MS;

static PARAMS: [ParamDef; 5] = [
    ParamDef::choice(
        "mode",
        &MODE_CHOICES,
        0,
        "direct: the order service calls notification; queue: it publishes an event",
    ),
    ParamDef::float(
        "rate_per_s",
        "per_s",
        0.5,
        50.0,
        2.0,
        0.5,
        "orders per second",
    ),
    ParamDef::int(
        "notify_ms",
        "ms",
        10.0,
        2000.0,
        100.0,
        "the notification service's work per order",
    ),
    ParamDef::boolean("notify_down", false, "the notification service is down"),
    ParamDef::boolean(
        "points",
        false,
        "a points consumer also reacts to each order",
    ),
];

static FACTS: [FactDef; 7] = [
    FactDef {
        label: Text::new("下单数", "Orders placed"),
        explained_en: crate::cli_only("Orders the shop placed."),
        ..facts::PRODUCED
    },
    FactDef {
        key: "orders_ok",
        unit: "messages",
        label: Text::new("下单成功", "Orders created"),
        explained_en: crate::cli_only("Orders created and answered."),
        value: |s| s.response_histogram().count() as f64,
    },
    FactDef {
        label: Text::new("下单失败", "Orders failed"),
        explained_en: crate::cli_only("Orders that failed: with a direct call, a down notification service fails the order itself."),
        ..facts::REJECTED
    },
    FactDef {
        label: Text::new("平均下单耗时", "Mean order time"),
        explained_en: crate::cli_only("Mean time to create an order, in milliseconds: it includes the notification call when direct, not with a queue."),
        ..facts::RESPONSE_MS
    },
    FactDef {
        key: "notified",
        unit: "messages",
        label: Text::new("已通知", "Notified"),
        explained_en: crate::cli_only("Notifications the notification service sent."),
        value: |s| read::service_processed(s, "notification"),
    },
    FactDef {
        key: "notifications_pending",
        unit: "messages",
        label: Text::new("待发通知", "Notifications pending"),
        explained_en: crate::cli_only("Order events not yet notified (queue mode only): waiting in the notification queue, or held by the notifier while it retries a down service; they go out when it is back."),
        value: |s| read::queue_len(s, "notify-q") + read::group_holding(s, "notifier"),
    },
    FactDef {
        key: "points_awarded",
        unit: "messages",
        label: Text::new("积分发放", "Points awarded"),
        explained_en: crate::cli_only("Orders the points service handled (0 unless it is attached)."),
        value: |s| read::processed_by(s, "points"),
    },
];

pub const DEF: ScenarioDef = ScenarioDef {
    id: "coupling",
    summary: crate::cli_only(
        "direct call vs queue: a down notification service fails orders only when called directly",
    ),
    params: &PARAMS,
    build,
    live,
    facts: &FACTS,
};

fn is_direct(p: &Params) -> bool {
    p.get("mode") < 0.5
}

fn build(p: &Params) -> ScenarioSpec {
    let mut spec = kit::spec("coupling", DEF.summary, 20 * US_PER_MS);
    spec.producers.push(kit::producer(
        "shop",
        "orders",
        p.get("rate_per_s"),
        100 * US_PER_MS,
    ));
    let mut orders = kit::service("orders", ORDER_WORK_US, WORKERS);
    let mut notification = kit::service("notification", ms(p.get("notify_ms")), WORKERS);
    notification.up = !p.flag("notify_down");
    if is_direct(p) {
        orders.then_calls = Some("notification".into());
        if p.flag("points") {
            notification.then_calls = Some("points".into());
        }
        spec.services.push(orders);
        spec.services.push(notification);
        if p.flag("points") {
            spec.services
                .push(kit::service("points", POINTS_WORK_US, WORKERS));
        }
    } else {
        orders.publishes = Some(TOPIC.into());
        spec.services.push(orders);
        spec.services.push(notification);
        spec.queues.push(kit::queue("notify-q", 100_000));
        spec.queues.push(kit::queue(POINTS_QUEUE, 100_000));
        let mut notifier = kit::consumers("notifier", "notify-q", 1, WORKERS, US_PER_MS);
        notifier.calls = Some("notification".into());
        spec.consumers.push(notifier);
        spec.consumers.push(kit::consumers(
            "points",
            POINTS_QUEUE,
            1,
            WORKERS,
            POINTS_WORK_US,
        ));
        let mut subs = vec!["notify-q".to_string()];
        if p.flag("points") {
            subs.push(POINTS_QUEUE.into());
        }
        spec.topics.push(TopicSpec {
            name: TOPIC.into(),
            subscriptions: subs,
            standby: Vec::new(),
        });
    }
    spec
}

fn live(p: &Params, key: &str, v: f64) -> Live {
    let direct = is_direct(p);
    match key {
        "rate_per_s" => Live::Apply(Action::SetRate {
            producer: "shop".into(),
            rate_per_s: v,
        }),
        "notify_ms" => Live::Apply(Action::SetServiceCapacity {
            service: "notification".into(),
            capacity_per_s: kit::capacity_for(ms(v), WORKERS),
        }),
        "notify_down" => Live::Apply(Action::SetServiceUp {
            service: "notification".into(),
            up: v < 0.5,
        }),
        // With a queue, a new consumer subscribes; the order service is untouched.
        "points" if !direct && v >= 0.5 => Live::Apply(Action::Subscribe {
            topic: TOPIC.into(),
            queue: POINTS_QUEUE.into(),
        }),
        "points" if !direct => Live::Apply(Action::Unsubscribe {
            topic: TOPIC.into(),
            queue: POINTS_QUEUE.into(),
        }),
        _ => Live::Restart,
    }
}
