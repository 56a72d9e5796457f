//! The flash-sale system end to end: a gateway rate limiter, stock taken
//! in Redis by a pool of workers (atomically, or by a check-then-decrement
//! that oversells), the order queue and service, notifications, and the
//! monitoring panel with its alerts. The stage draws the queues and
//! services; the gateway panel shows the limiter, the Redis counter and
//! what each stock worker read; the monitor charts the last 30 s.

use leptos::prelude::*;
use mqlab_components::format::{clock, duration, number, px, thousands};
use mqlab_components::i18n::{use_lang, words, Lang};
use mqlab_components::text;
use mqlab_components::{DemoRun, NodeSpot, PanelDef, StageLayout, Text};
use mqlab_engine::model::monitor::{AlertChange, AlertKind, MonitorPoint, MONITOR_POINTS};
use mqlab_engine::render::SeckillView;
use mqlab_engine::scenarios::seckill_system::{
    ALERT_QUEUE_LEN, ALERT_SUCCESS_PCT, BUYERS, CREATED, NOTIFICATION, ORDERS, ORDER_DB,
    ORDER_SERVICE,
};

use super::data_demo::{data_demo, Control, DemoData, Group};
use crate::i18n;

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: text!(
        "买家 → 网关 → 订单队列 → 订单服务 → 通知",
        "Buyers → gateway → order queue → order service → notification"
    ),
    fixed: &[],
}];

static LAYOUT: StageLayout = StageLayout {
    width: 640.0,
    height: 230.0,
    spots: &[
        NodeSpot::new(
            BUYERS,
            80.0,
            60.0,
            text!("买家（经网关）", "Buyers (via gateway)"),
        ),
        NodeSpot::new(ORDERS, 250.0, 60.0, text!("订单队列", "Order queue")),
        NodeSpot::new(
            ORDER_SERVICE,
            410.0,
            60.0,
            text!("订单服务", "Order service"),
        )
        .with_member(text!("订单服务", "order service")),
        NodeSpot::new(ORDER_DB, 565.0, 60.0, text!("订单库", "Order DB")),
        NodeSpot::new(
            CREATED,
            565.0,
            170.0,
            text!("下单成功队列", "Order-created queue"),
        ),
        NodeSpot::new(
            NOTIFICATION,
            380.0,
            170.0,
            text!("通知服务", "Notification"),
        )
        .with_member(text!("通知服务", "notification")),
    ],
    links: &[
        (BUYERS, ORDERS),
        (ORDERS, ORDER_SERVICE),
        (ORDER_SERVICE, ORDER_DB),
        (ORDER_DB, CREATED),
        (CREATED, NOTIFICATION),
    ],
};

static TRY: [Text; 4] = [
    text!(
        "按“播放”：3 秒里每秒 10 万人抢 100 件。网关每秒只放行 1 万个，其余当场被限流；Redis 用 Lua 脚本扣库存，订单正好 100 个，超卖 0。",
        "Press Play: 100,000 buyers a second for 3 seconds, 100 items. The gateway lets 10,000 a second through and refuses the rest; Redis takes stock with a Lua script: exactly 100 orders, 0 oversold.",
    ),
    text!(
        "关掉“原子扣减”再播放：每个线程先 GET 再 DECR，几个线程在别人扣减之前都读到“还有货”，都去扣减，库存变成负数，出现超卖。扣库存线程调到 32：超卖更多。",
        "Switch \"Atomic take\" off and play: each worker does GET, then DECR; several read \"items left\" before the others have decremented, all decrement, the stock goes below zero: oversold. 32 stock workers: more oversold.",
    ),
    text!(
        "播放中打开“订单库宕机”：订单全部失败，库存退回 Redis，成功率跌破 95 %，告警出现；关掉后告警解除。“通知服务宕机”则不同：订单照常创建，通知在队列里等着。",
        "While it plays, switch \"Order DB down\" on: every order fails, its item goes back to Redis, success falls under 95 % and an alert fires; switch it off and the alert clears. \"Notification down\" is different: orders are still created and the notifications wait in their queue.",
    ),
    text!(
        "把库存调到 50000：网关放行的 3 万个请求都拿到库存，订单服务每秒只处理 1000 个，队列超过 10,000，积压告警响起，排空后解除。",
        "Set the stock to 50,000: all 30,000 requests the gateway passes get an item, the order service handles 1,000 a second, the queue passes 10,000 and the backlog alert fires, then clears once it drains.",
    ),
];

static NOTICE: [Text; 4] = [
    text!(
        "限流放在最前面，Redis、队列和数据库只看到扛得住的流量；监控盯着队列长度、处理速率、成功率和平均延迟，告警在条件消失后自动解除。",
        "The limiter stands first, so Redis, the queue and the database see only what they can take; the monitor watches queue length, rate, success and mean latency, and an alert clears once its condition ends.",
    ),
    text!(
        "“先查再扣”不是原子的：GET 和 DECR 之间隔着一次网络往返，别的线程此时读到的还是旧值。Lua 脚本在 Redis 里一次做完检查和扣减，中间插不进别的命令。",
        "Check-then-decrement is not atomic: a round trip separates GET from DECR, and meanwhile other workers read the old value. A Lua script checks and decrements in one go inside Redis; no other command runs in between.",
    ),
    text!(
        "原书的 Lua 脚本把 GET 返回的字符串直接和数字比较，Redis 会报错（attempt to compare string with number），一件也卖不出。应先 tonumber(redis.call('GET', KEYS[1])) 再比较。",
        "The chapter's Lua script compares GET's reply, a string, with a number: Redis answers with an error (attempt to compare string with number) and nothing is sold. Compare tonumber(redis.call('GET', KEYS[1])) instead.",
    ),
    text!(
        "下单失败要退库存，否则 Redis 里扣掉的那件再也卖不出去。",
        "A failed order must give its item back, or the item taken in Redis can never be sold.",
    ),
];

static DATA: DemoData = DemoData {
    id: "seckill-system",
    title: text!("完整秒杀系统：限流、预扣库存、排队下单、监控告警", "A complete flash-sale system: limiting, stock in Redis, queued orders, alerts"),
    lede: text!(
        "把前面的模式串起来：网关令牌桶限流，Redis 预扣库存，请求进订单队列，订单服务按数据库的速度下单，再发消息通知用户。监控面板盯着整条链路。",
        "Every pattern so far in one pipeline: a token-bucket limiter at the gateway, stock pre-deducted in Redis, requests queued for the order service, which creates orders at the database's pace and publishes a message to notify the buyer. A monitoring panel watches it all.",
    ),
    panels: &PANELS,
    layout: &LAYOUT,
    speed: 0.25,
    time_scale: 1.0,
    legs: &[
        Group {
            title: text!("网关", "Gateway"),
            controls: &[
                Control::Slider { key: "limiter_rate_per_s", label: text!("限流速率", "Limiter rate"), unit: words::PER_S },
                Control::Slider { key: "stock_workers", label: text!("扣库存线程", "Stock workers"), unit: text!("个", "") },
            ],
        },
        Group {
            title: text!("Redis 库存", "Stock in Redis"),
            controls: &[
                Control::Slider { key: "stock", label: text!("库存", "Stock"), unit: text!("件", "items") },
                Control::Toggle { key: "atomic", label: text!("原子扣减（Lua 脚本）", "Atomic take (Lua script)") },
            ],
        },
        Group {
            title: text!("故障", "Faults"),
            controls: &[
                Control::Toggle { key: "order_db_down", label: text!("订单库宕机", "Order DB down") },
                Control::Toggle { key: "notify_down", label: text!("通知服务宕机", "Notification down") },
                Control::Toggle { key: "limiter_on", label: text!("限流开启（关掉＝故障）", "Limiter on (off is a fault)") },
            ],
        },
    ],
    controls: Group {
        title: i18n::CONTROLS,
        controls: &[
            Control::Slider { key: "request_rate_per_s", label: text!("抢购请求（持续 3 秒）", "Buy requests (for 3 s)"), unit: words::PER_S },
            Control::Slider { key: "order_rate_per_s", label: text!("订单服务处理速率", "Order service rate"), unit: words::PER_S },
        ],
    },
    facts: &[
        ("orders_created", false),
        ("oversold", true),
        ("stock_left", false),
        ("stock_returned", false),
        ("limited", false),
        ("sold_out", false),
        ("orders_failed", true),
        ("alerts_fired", true),
        ("notified", false),
        ("requests", false),
        ("queued", false),
    ],
    losses: true,
    try_this: &TRY,
    notice: &NOTICE,
};

#[component]
pub fn SeckillSystemDemo() -> impl IntoView {
    data_demo(&DATA, Some(panels))
}

const GATEWAY: Text = text!("网关与 Redis", "Gateway and Redis");
const LIMITER_ON: Text = text!("限流：开，每秒 {rate} 个", "Limiter: on, {rate} a second");
const LIMITER_OFF: Text = text!(
    "限流：关（所有请求直达 Redis）",
    "Limiter: off (every request reaches Redis)"
);
const STOCK_IN_REDIS: Text = text!(
    "Redis 库存：{left} / {stock}",
    "Stock in Redis: {left} of {stock}"
);
const WAITING: Text = text!("等待扣库存线程：{n}", "Waiting for a stock worker: {n}");
const WORKERS: Text = text!(
    "扣库存线程（读到的值高于当前库存＝读到了旧值）",
    "Stock workers (a value above the stock now is a stale read)"
);
const IDLE: Text = text!("空闲", "idle");
const SCRIPT: Text = text!("执行脚本", "script");
const MONITOR: Text = text!("监控（最近 30 秒）", "Monitoring (last 30 s)");
const NO_ALERT: Text = text!("没有告警", "No alert");
const FIRING: Text = text!("告警中", "Firing");
const CLEARED: Text = text!("已解除", "Cleared");

/// One chart of the monitor: its title, how to read a point, the
/// threshold line (if any) and whether its axis is fixed at 0–100.
struct Chart {
    key: &'static str,
    title: Text,
    read: fn(&MonitorPoint) -> Option<f64>,
    threshold: Option<f64>,
    percent: bool,
    show: fn(f64, Lang) -> String,
}

const CHARTS: [Chart; 4] = [
    Chart {
        key: "queue",
        title: text!("队列长度", "Queue length"),
        read: |p| Some(p.queue_len as f64),
        threshold: Some(ALERT_QUEUE_LEN as f64),
        percent: false,
        show: |v, _| thousands(v as u64),
    },
    Chart {
        key: "rate",
        title: text!("处理速率（每秒）", "Processing rate (per s)"),
        read: |p| Some(p.processed_per_s),
        threshold: None,
        percent: false,
        show: |v, _| thousands(v.round() as u64),
    },
    Chart {
        key: "success",
        title: text!("成功率（最近 50 单）", "Success rate (last 50 orders)"),
        read: |p| p.success_pct,
        threshold: Some(ALERT_SUCCESS_PCT),
        percent: true,
        show: |v, _| format!("{} %", number(v)),
    },
    Chart {
        key: "latency",
        title: text!("平均延迟", "Mean latency"),
        read: |p| p.mean_latency_us,
        threshold: None,
        percent: false,
        show: duration,
    },
];

/// The charts' drawing box (each `viewBox` is `0 0 200 48`).
const W: f64 = 200.0;
const H: f64 = 48.0;

/// The gateway and the monitor, each drawn as one block of markup per
/// frame. They change every frame at speed and hold up to 64 workers and
/// four charts: one string each costs the bundle far less than a reactive
/// node per number, and the markup holds only numbers and our own words.
fn panels(run: DemoRun) -> AnyView {
    let lang = use_lang();
    let read = move |f: &dyn Fn(&SeckillView, Lang) -> String| {
        run.frames.with(|fr| {
            fr.first()
                .and_then(|p| p.snap.seckill.as_ref())
                .map(|v| f(v, lang.get()))
                .unwrap_or_default()
        })
    };
    let html = move || read(&|v, l| gateway_html(v, l) + &monitor_html(v, l));
    // Screen readers hear an alert once, when it changes, not every frame.
    let latest = Memo::new(move |_| {
        read(&|v, l| {
            v.alerts
                .last()
                .map(|a| alert_line(a, l))
                .unwrap_or_default()
        })
    });
    view! {
        <div class="seckill" data-testid="seckill-panels" inner_html=html></div>
        <p class="sr-only" aria-live="polite">{latest}</p>
    }
    .into_any()
}

fn gateway_html(v: &SeckillView, l: Lang) -> String {
    let limiter = if v.limiter_on {
        LIMITER_ON
            .get(l)
            .replace("{rate}", &thousands(v.limiter_rate_per_s as u64))
    } else {
        LIMITER_OFF.get(l).to_string()
    };
    let stock = STOCK_IN_REDIS
        .get(l)
        .replace("{left}", &v.stock_value.to_string())
        .replace("{stock}", &thousands(v.stock));
    let mut out = format!(
        "<div class=\"seckill-gateway\" data-testid=\"seckill-gateway\"><h3>{}</h3><p data-testid=\"seckill-limiter\">{limiter}</p><p data-testid=\"seckill-stock\" data-value=\"{}\"{}>{stock}</p><p>{}</p><p class=\"hint\">{}</p><ol class=\"stock-workers\" data-testid=\"stock-workers\">",
        GATEWAY.get(l),
        v.stock_value,
        if v.stock_value < 0 { " class=\"bad\"" } else { "" },
        WAITING.get(l).replace("{n}", &thousands(v.waiting)),
        WORKERS.get(l),
    );
    for (i, w) in v.workers.iter().enumerate() {
        let (class, what) = match w {
            Some(Some(read)) if *read > v.stock_value => {
                (" class=\"stale\"", format!("GET→{read}"))
            }
            Some(Some(read)) => (" class=\"busy\"", format!("GET→{read}")),
            Some(None) => (" class=\"busy\"", SCRIPT.get(l).to_string()),
            None => ("", IDLE.get(l).to_string()),
        };
        out += &format!("<li{class}><b>{}</b>{what}</li>", i + 1);
    }
    out + "</ol></div>"
}

fn alert_line(a: &AlertChange, l: Lang) -> String {
    let what = match a.kind {
        AlertKind::QueueBacklog => text!("队列积压", "Queue backlog"),
        AlertKind::LowSuccess => text!("成功率低", "Low success rate"),
    };
    let state = if a.firing { FIRING } else { CLEARED };
    format!("{} {} · {}", clock(a.at_us), what.get(l), state.get(l))
}

fn monitor_html(v: &SeckillView, l: Lang) -> String {
    let mut out = format!(
        "<div class=\"seckill-monitor\" data-testid=\"seckill-monitor\"><h3>{}</h3><div class=\"seckill-charts\">",
        MONITOR.get(l)
    );
    for c in &CHARTS {
        out += &chart_html(c, &v.points, l);
    }
    out += "</div><ul class=\"seckill-alerts\" data-testid=\"seckill-alerts\">";
    if v.alerts.is_empty() {
        out += &format!("<li>{}</li>", NO_ALERT.get(l));
    }
    for a in v.alerts.iter().rev() {
        let class = if a.firing { " class=\"bad\"" } else { "" };
        out += &format!(
            "<li{class} data-firing=\"{}\">{}</li>",
            a.firing,
            alert_line(a, l)
        );
    }
    out + "</ul></div>"
}

/// A chart of the last `MONITOR_POINTS` samples, scaled to its largest
/// reading (or 0–100 %), with its alert threshold dashed.
fn chart_html(c: &Chart, points: &[MonitorPoint], l: Lang) -> String {
    let max = if c.percent {
        100.0
    } else {
        let top = points.iter().filter_map(c.read).fold(0.0f64, f64::max);
        let top = top.max(c.threshold.filter(|t| *t <= top * 2.0).unwrap_or(0.0));
        mqlab_components::chart::axis::nice_ceil(top.max(1.0), &[1.0, 2.0, 5.0])
    };
    let y = |v: f64| px(H - (v / max).clamp(0.0, 1.0) * H);
    let step = W / (MONITOR_POINTS - 1) as f64;
    let line: String = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| (c.read)(p).map(|r| format!("{},{} ", px(i as f64 * step), y(r))))
        .collect();
    let threshold = c
        .threshold
        .filter(|t| *t <= max)
        .map(|t| {
            format!(
                "<line class=\"threshold\" x1=\"0\" x2=\"200\" y1=\"{0}\" y2=\"{0}\"/>",
                y(t)
            )
        })
        .unwrap_or_default();
    let now = points
        .last()
        .and_then(c.read)
        .map_or("—".to_string(), |r| (c.show)(r, l));
    let title = c.title.get(l);
    format!(
        "<figure class=\"spark\" data-testid=\"chart-{key}\"><figcaption>{title} <b data-testid=\"chart-{key}-now\">{now}</b></figcaption><svg viewBox=\"0 0 200 48\" role=\"img\" aria-label=\"{title}: {now}\" preserveAspectRatio=\"none\">{threshold}<polyline points=\"{line}\"/></svg></figure>",
        key = c.key
    )
}
