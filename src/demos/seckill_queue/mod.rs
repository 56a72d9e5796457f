//! Flash-sale queueing: thousands of buyers in one second for a hundred
//! items. Everyone hears "queued" at once; the order service creates the
//! orders at its own pace; a sold-out flag answers the rest without a
//! wait. Two latencies side by side: to "queued", and to "confirmed".

use leptos::prelude::*;
use mqlab_components::i18n::words;
use mqlab_components::text;
use mqlab_components::{NodeSpot, PanelDef, StageLayout, Text};
use mqlab_engine::scenarios::seckill_queue::{BUYERS, ORDER_SERVICE, QUEUE};

use super::data_demo::{data_demo, Control, DemoData, Group};
use crate::i18n;

static PANELS: [PanelDef; 1] = [PanelDef {
    id: "main",
    title: text!(
        "买家 → 秒杀队列 → 订单服务",
        "Buyers → sale queue → order service"
    ),
    fixed: &[],
}];

static LAYOUT: StageLayout = StageLayout {
    width: 640.0,
    height: 180.0,
    spots: &[
        NodeSpot::new(BUYERS, 95.0, 90.0, text!("买家", "Buyers")),
        NodeSpot::new(QUEUE, 320.0, 90.0, text!("秒杀队列", "Sale queue")),
        NodeSpot::new(
            ORDER_SERVICE,
            545.0,
            90.0,
            text!("订单服务", "Order service"),
        )
        .with_member(text!("订单服务", "Order service")),
    ],
    links: &[(BUYERS, QUEUE), (QUEUE, ORDER_SERVICE)],
};

static TRY: [Text; 4] = [
    text!(
        "按“播放”：1 秒内 5000 人抢 100 件。每个人几毫秒就收到“排队中”；订单服务每秒处理 500 个请求，最后创建的订单正好 100 个。",
        "Press Play: 5,000 buyers in one second for 100 items. Everyone hears \"queued\" within milliseconds; the order service handles 500 requests a second, and exactly 100 orders are created in the end.",
    ),
    text!(
        "比较两张卡片：“得到排队中”几乎不变，“看到订单确认”要等前面的队伍和下一次查询。把订单服务速率调到 50：确认越来越慢，“排队中”照样快。",
        "Compare the two cards: \"Told queued\" hardly moves, \"Sees the order confirmed\" waits for the queue ahead and the next poll. Set the order service to 50 a second: the confirmation gets slower, \"queued\" stays fast.",
    ),
    text!(
        "关掉“售罄标记”：库存早就没了，后来的几千个请求仍然排进队列，等订单服务一个个告诉它们“售罄”（“排队后才知售罄”）。",
        "Switch the sold-out flag off: the stock is long gone, yet thousands of later requests still join the queue and wait for the order service to tell each one \"sold out\" (\"Sold out after queueing\").",
    ),
    text!(
        "把抢购请求调到 20000、库存调到 1000：订单数始终等于库存和请求数中较小的那个，一个不多。",
        "Set the requests to 20,000 and the stock to 1,000: the orders always equal the smaller of stock and requests, never one more.",
    ),
];

static NOTICE: [Text; 4] = [
    text!(
        "排队把“请求”和“结果”拆开了：先用毫秒级的回复稳住用户，再按数据库扛得住的速度慢慢下单。",
        "Queueing separates the request from the result: a reply in milliseconds keeps the buyer calm, and the orders are created at the pace the database can take.",
    ),
    text!(
        "确认时间 = 前面排队的请求 ÷ 处理速率 + 等下一次查询（这里每 0.5 秒查一次）。队列越长，确认越晚：这就是利特尔定律。",
        "Time to confirmation = the requests ahead ÷ the processing rate + the wait for the next poll (every 0.5 s here). The longer the queue, the later the confirmation: Little's law.",
    ),
    text!(
        "售罄标记放在队列前面：库存一卖完，后来的请求直接拿到“售罄”，不再占队列，也不再白等。",
        "The sold-out flag stands in front of the queue: once the stock is gone, later requests get \"sold out\" at once, take no room in the queue and wait for nothing.",
    ),
    text!(
        "订单服务每处理一个请求就原子地扣一件库存（一次操作里检查并扣减），所以订单数永远不会超过库存。非原子的“先查再扣”会怎样超卖，见“秒杀系统”。",
        "The order service takes one item per request atomically (check and decrement in one step), so the orders never exceed the stock. How a non-atomic check-then-decrement oversells is shown in the flash-sale system demo.",
    ),
];

static DATA: DemoData = DemoData {
    id: "seckill-queue",
    title: text!("秒杀排队：先说“排队中”，订单稍后创建", "Flash-sale queueing: \"queued\" now, the order later"),
    lede: text!(
        "秒杀开始的一秒里涌进几千个请求，库存只有一百件。系统先回复“排队中”，订单服务再按自己的速度从队列里取请求、扣库存、创建订单，用户的页面定时查询结果。",
        "In the first second of a flash sale thousands of requests arrive for a hundred items. The system answers \"queued\" at once; the order service takes requests from the queue at its own pace, takes stock and creates orders, and the buyer's page polls for the result.",
    ),
    panels: &PANELS,
    layout: &LAYOUT,
    speed: 0.25,
    time_scale: 1.0,
    legs: &[Group {
        title: text!("秒杀", "The sale"),
        controls: &[
            Control::Slider { key: "stock", label: text!("库存", "Stock"), unit: text!("件", "items") },
            Control::Toggle { key: "sold_out_flag", label: text!("售罄标记（卖完后直接拒绝）", "Sold-out flag (refuse at once when gone)") },
        ],
    }],
    controls: Group {
        title: i18n::CONTROLS,
        controls: &[
            Control::Slider { key: "request_rate_per_s", label: text!("抢购请求（1 秒内）", "Buy requests (in one second)"), unit: words::PER_S },
            Control::Slider { key: "consumer_rate_per_s", label: text!("订单服务处理速率", "Order service rate"), unit: words::PER_S },
        ],
    },
    facts: &[
        ("orders_created", false),
        ("queued_ack_us_p50", false),
        ("confirmed_us_p50", false),
        ("sold_out_rejected", false),
        ("sold_out_after_queue", true),
        ("stock_left", false),
        ("requests", false),
        ("queued", false),
    ],
    losses: true,
    try_this: &TRY,
    notice: &NOTICE,
};

#[component]
pub fn SeckillQueueDemo() -> impl IntoView {
    data_demo(&DATA, None)
}
