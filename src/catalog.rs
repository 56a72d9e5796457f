//! The chapter's demos in its order, with their titles and status.

use mqlab_components::text;
use mqlab_components::Text;

pub struct DemoInfo {
    pub id: &'static str,
    pub title: Text,
    pub blurb: Text,
    /// Built and playable (the rest are listed as coming).
    pub ready: bool,
}

pub static DEMOS: [DemoInfo; 16] = [
    DemoInfo {
        id: "intro",
        title: text!("同步调用 vs 异步消息", "Sync call vs async message"),
        blurb: text!(
            "打电话要等对方接听，发短信发完就走。",
            "A phone call waits for an answer; a text message does not.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "peak-shaving",
        title: text!("削峰填谷", "Peak shaving"),
        blurb: text!(
            "1 秒 10 万请求，数据库每秒只能处理 1000 个。",
            "100,000 requests in one second against a database that does 1,000 a second.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "components",
        title: text!("生产者、代理、消费者", "Producer, broker, consumer"),
        blurb: text!(
            "消费者不在时，消息存在代理里等它回来。",
            "While no consumer is online, messages wait in the broker.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "p2p-vs-pubsub",
        title: text!("点对点 vs 发布订阅", "Point-to-point vs pub/sub"),
        blurb: text!(
            "每条消息给一个消费者，还是给每个订阅者？",
            "Each message to one consumer, or to every subscriber?",
        ),
        ready: true,
    },
    DemoInfo {
        id: "comparison",
        title: text!("主流消息队列对比", "Comparing message queues"),
        blurb: text!(
            "RabbitMQ、Kafka、RocketMQ、Redis Stream 各适合什么。",
            "What RabbitMQ, Kafka, RocketMQ and Redis Stream are each good at.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "async-register",
        title: text!("异步处理：用户注册", "Async work: user sign-up"),
        blurb: text!(
            "1500 毫秒的同步链路缩短到 300 毫秒。",
            "A 1,500 ms synchronous chain becomes a 300 ms response.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "seckill-queue",
        title: text!("秒杀排队", "Flash-sale queueing"),
        blurb: text!(
            "先告诉用户“排队中”，订单稍后创建。",
            "Tell the user \"queued\" at once; create the order later.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "coupling",
        title: text!("系统解耦", "Decoupling"),
        blurb: text!(
            "通知服务宕机，下单不受影响。",
            "The notification service is down; orders still go through.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "pubsub",
        title: text!(
            "发布订阅：一次点击，多方消费",
            "Pub/sub: one click, many consumers",
        ),
        blurb: text!(
            "慢的订阅者不拖慢其他订阅者。",
            "A slow subscriber does not slow the others.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "reliability",
        title: text!("消息可靠性", "Message reliability"),
        blurb: text!(
            "消息可能在三个地方丢失，各有对策。",
            "Three places a message can be lost, and the fix for each.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "idempotence",
        title: text!("幂等消费", "Idempotent consumers"),
        blurb: text!(
            "重复消息不可避免，重复扣款可以避免。",
            "Duplicates happen; double charges need not.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "ordering",
        title: text!("消息顺序", "Message ordering"),
        blurb: text!(
            "按用户分区，保证同一用户的顺序。",
            "Partition by user to keep each user's order.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "dlq",
        title: text!("死信队列", "Dead letter queue"),
        blurb: text!(
            "毒消息重试几次后转入死信队列。",
            "Poison messages go to a dead letter queue after a few retries.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "delay",
        title: text!("延迟消息", "Delayed messages"),
        blurb: text!(
            "30 分钟未支付自动取消订单。",
            "Cancel an unpaid order after 30 minutes.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "transaction",
        title: text!("事务消息", "Transactional messages"),
        blurb: text!(
            "本地事务和消息发送要么都成功，要么都不做。",
            "The local transaction and the message succeed or fail together.",
        ),
        ready: true,
    },
    DemoInfo {
        id: "seckill-system",
        title: text!("完整秒杀系统", "A complete flash-sale system"),
        blurb: text!(
            "限流、预扣库存、排队下单、监控告警：什么时候会超卖。",
            "Rate limiting, stock in Redis, queued orders, alerts: and when it oversells.",
        ),
        ready: true,
    },
];

pub fn find(id: &str) -> Option<&'static DemoInfo> {
    DEMOS.iter().find(|d| d.id == id)
}

pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_ready_demos_have_engine_scenarios() {
        for (i, d) in DEMOS.iter().enumerate() {
            assert!(
                DEMOS[..i].iter().all(|o| o.id != d.id),
                "duplicate {}",
                d.id
            );
            if d.ready {
                assert!(
                    mqlab_engine::scenario::find(d.id).is_some(),
                    "{} has no scenario",
                    d.id
                );
            }
        }
        assert!(DEMOS.iter().filter(|d| d.ready).count() >= 3);
    }
}
