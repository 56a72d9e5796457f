//! Small builders shared by the newer scenarios, so each file reads like
//! its topology.

use crate::rng::Dist;
use crate::spec::*;
use crate::time::{TimeUs, US_PER_MS, US_PER_S};

/// Milliseconds (a parameter value) to µs.
pub fn ms(v: f64) -> TimeUs {
    (v * US_PER_MS as f64).round() as TimeUs
}

/// An empty scenario with the given name, summary and network hop.
pub fn spec(name: &str, summary: &str, link_latency_us: TimeUs) -> ScenarioSpec {
    ScenarioSpec {
        name: name.into(),
        description: summary.into(),
        link_latency_us,
        sample_interval_us: 250 * US_PER_MS,
        horizon_us: 60 * US_PER_S,
        log_routine: true,
        log_every: 1,
        broker: BrokerSpec::default(),
        producers: vec![],
        queues: vec![],
        consumers: vec![],
        services: vec![],
        topics: vec![],
        idempotence: None,
        retry: None,
        ordering: None,
        delay: None,
        flash_sale: None,
        txn: None,
        seckill: None,
    }
}

/// A producer sending evenly spaced messages to `target` from `start_us`.
pub fn producer(name: &str, target: &str, rate_per_s: f64, start_us: TimeUs) -> ProducerSpec {
    ProducerSpec {
        name: name.into(),
        rate: RateShape::Constant {
            rate_per_s,
            start_us,
        },
        target: target.into(),
        confirm: false,
        persistent: true,
        limit: None,
        retry_us: 500 * US_PER_MS,
    }
}

pub fn queue(name: &str, capacity: u64) -> QueueSpec {
    QueueSpec {
        retain_acked: 0,
        name: name.into(),
        capacity,
        overflow: Overflow::Reject,
        pacing: None,
    }
}

/// `count` consumers on `queue`, each working `concurrency` messages at once
/// for a fixed `work_us`, acking manually.
pub fn consumers(
    name: &str,
    queue: &str,
    count: u32,
    concurrency: u32,
    work_us: TimeUs,
) -> ConsumerSpec {
    ConsumerSpec {
        name: name.into(),
        queue: queue.into(),
        count,
        concurrency,
        service_time: Dist::Fixed { us: work_us },
        online: true,
        ack: AckMode::Manual,
        calls: None,
        restart_us: 2 * US_PER_S,
        retry_backoff_us: 500 * US_PER_MS,
        fail_rate: 0.0,
        dispatch: Dispatch::Prefetch,
        prefetch: None,
    }
}

/// A synchronous service with `concurrency` workers, each taking `work_us`
/// per request, and a long waiting line.
pub fn service(name: &str, work_us: TimeUs, concurrency: u32) -> ServiceSpec {
    ServiceSpec {
        name: name.into(),
        capacity_per_s: capacity_for(work_us, concurrency),
        concurrency,
        backlog: 10_000,
        timeout_us: 0,
        up: true,
        then_calls: None,
        publishes: None,
    }
}

/// The capacity (per second) at which each of `concurrency` workers takes `work_us`.
pub fn capacity_for(work_us: TimeUs, concurrency: u32) -> f64 {
    concurrency as f64 * US_PER_S as f64 / work_us.max(1) as f64
}
