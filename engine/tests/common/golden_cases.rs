//! Golden trace-hash cases, shared by `tests/golden.rs` (native) and
//! `tests/wasm_golden.rs` (wasm32 in a browser) so both check exactly the
//! same runs against the same `tests/golden_hashes.json`.
//!
//! Each case is a built-in scenario (or a spec with Poisson arrivals and
//! exponential/uniform work, so libm math is exercised), a seed, an input
//! log and a stopping time.

use std::collections::BTreeMap;

use mqlab_engine::rng::Dist;
use mqlab_engine::scenario::{builtins, find};
use mqlab_engine::spec::*;
use mqlab_engine::time::{TimeUs, US_PER_MS, US_PER_S};
use mqlab_engine::{Action, Command, ScenarioSpec, Sim};

/// The expected hashes: `{ "case name": "16 hex digits", ... }`.
pub const GOLDEN_JSON: &str = include_str!("../golden_hashes.json");

pub struct Case {
    pub name: String,
    pub spec: ScenarioSpec,
    pub seed: u64,
    pub commands: Vec<Command>,
    pub until_us: TimeUs,
}

fn builtin(id: &str, settings: &[(&str, &str)]) -> ScenarioSpec {
    let def = find(id).expect("built-in");
    let settings: Vec<(String, String)> = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (def.build)(&def.params_from(&settings).expect("valid settings"))
}

/// Poisson arrivals, exponential and uniform work times, a service with a
/// timeout: every random draw and `libm::log` call is in the trace.
pub fn random_spec() -> ScenarioSpec {
    ScenarioSpec {
        topics: Default::default(),
        idempotence: None,
        retry: None,
        ordering: None,
        delay: None,
        flash_sale: None,
        txn: None,
        seckill: None,
        name: "golden-random".into(),
        description: String::new(),
        link_latency_us: 1_500,
        sample_interval_us: 100 * US_PER_MS,
        horizon_us: 30 * US_PER_S,
        log_routine: false,
        log_every: 1,
        broker: BrokerSpec::default(),
        producers: vec![
            ProducerSpec {
                name: "web".into(),
                rate: RateShape::Poisson { rate_per_s: 450.0 },
                target: "orders".into(),
                confirm: true,
                persistent: false,
                limit: None,
                retry_us: 100 * US_PER_MS,
            },
            ProducerSpec {
                name: "api".into(),
                rate: RateShape::Poisson { rate_per_s: 37.5 },
                target: "db".into(),
                confirm: false,
                persistent: false,
                limit: None,
                retry_us: 100 * US_PER_MS,
            },
        ],
        queues: vec![QueueSpec {
            retain_acked: Default::default(),
            pacing: Default::default(),
            name: "orders".into(),
            capacity: 800,
            overflow: Overflow::DropOldest,
        }],
        consumers: vec![
            ConsumerSpec {
                dispatch: Default::default(),
                prefetch: Default::default(),
                name: "workers".into(),
                queue: "orders".into(),
                count: 3,
                concurrency: 2,
                service_time: Dist::Exponential { mean_us: 3_333 },
                online: true,
                ack: AckMode::Auto,
                calls: Some("db".into()),
                restart_us: 700 * US_PER_MS,
                retry_backoff_us: 30 * US_PER_MS,
                fail_rate: 0.0,
            },
            ConsumerSpec {
                dispatch: Default::default(),
                prefetch: Default::default(),
                name: "audit".into(),
                queue: "orders".into(),
                count: 1,
                concurrency: 3,
                service_time: Dist::Uniform {
                    min_us: 1_000,
                    max_us: 9_000,
                },
                online: true,
                ack: AckMode::Manual,
                calls: None,
                restart_us: US_PER_S,
                retry_backoff_us: 30 * US_PER_MS,
                fail_rate: 0.0,
            },
        ],
        services: vec![ServiceSpec {
            then_calls: Default::default(),
            publishes: Default::default(),
            name: "db".into(),
            capacity_per_s: 420.0,
            concurrency: 3,
            backlog: 12,
            timeout_us: 40 * US_PER_MS,
            up: true,
        }],
    }
}

fn at(ms: u64, action: Action) -> Command {
    Command {
        at_us: ms * US_PER_MS,
        action,
    }
}

pub fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    // Every built-in at its defaults, two seeds.
    for def in builtins() {
        for seed in [1, 42] {
            let spec = builtin(def.id, &[]);
            // Delayed messages come due after 30 minutes: run past that.
            let until_us = if spec.delay.is_some() { 35 * 60 } else { 20 } * US_PER_S;
            out.push(Case {
                name: format!("{}@{seed}", def.id),
                spec,
                seed,
                commands: vec![],
                until_us,
            });
        }
    }
    for (name, settings) in [
        (
            "delay-zset-racing-pollers@3",
            &[("method", "zset"), ("pollers", "3")][..],
        ),
        (
            "delay-ttl-dlx@4",
            &[("method", "ttl_dlx"), ("cancel_after_min", "1")][..],
        ),
    ] {
        out.push(Case {
            name: name.into(),
            spec: builtin("delay", settings),
            seed: name.as_bytes()[name.len() - 1] as u64 - b'0' as u64,
            commands: vec![],
            until_us: 5 * 60 * US_PER_S,
        });
    }
    out.push(Case {
        name: "transaction-half-message-crashes@5".into(),
        spec: builtin(
            "transaction",
            &[("method", "half_message"), ("crash_rate", "30")],
        ),
        seed: 5,
        commands: vec![],
        until_us: 60 * US_PER_S,
    });
    // The race, the limiter switched off mid-rush and the order database
    // going down: every seckill-system path.
    out.push(Case {
        name: "seckill-system-race-and-faults@3".into(),
        spec: builtin(
            "seckill-system",
            &[
                ("atomic", "false"),
                ("stock", "500"),
                ("stock_workers", "32"),
            ],
        ),
        seed: 3,
        commands: vec![
            Command {
                at_us: US_PER_S,
                action: Action::SetLimiter { on: false },
            },
            Command {
                at_us: 1_500_000,
                action: Action::SetServiceUp {
                    service: "order-db".into(),
                    up: false,
                },
            },
        ],
        until_us: 20 * US_PER_S,
    });
    out.push(Case {
        name: "intro-async@1".into(),
        spec: builtin("intro", &[("mode", "async")]),
        seed: 1,
        commands: vec![],
        until_us: 20 * US_PER_S,
    });
    out.push(Case {
        name: "peak-shaving-no-queue@1".into(),
        spec: builtin("peak-shaving", &[("queue", "off")]),
        seed: 1,
        commands: vec![],
        until_us: 20 * US_PER_S,
    });
    out.push(Case {
        name: "components-faults@3".into(),
        spec: builtin("components", &[("rate_per_s", "4")]),
        seed: 3,
        commands: vec![
            at(
                1_500,
                Action::CrashConsumer {
                    group: "consumer".into(),
                },
            ),
            at(
                2_000,
                Action::DropNextPublish {
                    producer: "producer".into(),
                },
            ),
            at(
                3_000,
                Action::SetConsumersOnline {
                    group: "consumer".into(),
                    online: false,
                },
            ),
            at(6_000, Action::CrashBroker),
            at(
                9_000,
                Action::SetConsumersOnline {
                    group: "consumer".into(),
                    online: true,
                },
            ),
            at(
                9_000,
                Action::Produce {
                    producer: "producer".into(),
                    count: 25,
                },
            ),
            at(
                12_000,
                Action::SetConsumerWork {
                    group: "consumer".into(),
                    mean_us: 150_000,
                },
            ),
        ],
        until_us: 20 * US_PER_S,
    });
    // Every reliability fault on a replicated broker with async flush,
    // manual ack and processing failures: failover, resends after
    // acks=all, a lost confirm's duplicate, redeliveries and nacks.
    let faults = |producer: &str| {
        vec![
            at(
                1_200,
                Action::DropNextPublish {
                    producer: producer.into(),
                },
            ),
            at(
                2_100,
                Action::DropNextConfirm {
                    producer: producer.into(),
                },
            ),
            at(
                3_300,
                Action::CrashConsumer {
                    group: "consumer".into(),
                },
            ),
            at(4_700, Action::CrashBroker),
            at(5_900, Action::CrashBroker),
            at(9_100, Action::CrashBroker),
        ]
    };
    for (name, settings) in [
        (
            "reliability-replicated@5",
            &[
                ("confirm", "true"),
                ("replicas", "3"),
                ("acks", "all"),
                ("ack_mode", "manual"),
                ("fail_pct", "20"),
            ][..],
        ),
        (
            "reliability-async-flush@6",
            &[
                ("persistent", "true"),
                ("flush", "async"),
                ("fail_pct", "10"),
            ][..],
        ),
    ] {
        out.push(Case {
            name: name.into(),
            spec: builtin("reliability", settings),
            seed: name[name.len() - 1..].parse().expect("seed digit"),
            commands: faults("producer"),
            until_us: 20 * US_PER_S,
        });
    }
    // Idempotence: every source of duplicates against each guard — network
    // copies, a lost confirm, consumer crashes before and after the effect
    // (and so redeliveries), a broker crash, dedupe keys that expire before
    // the copies come.
    let duplicates = || {
        vec![
            at(
                2_210,
                Action::CrashConsumer {
                    group: "consumer".into(),
                },
            ),
            at(
                4_100,
                Action::DropNextConfirm {
                    producer: "producer".into(),
                },
            ),
            at(
                8_360,
                Action::CrashConsumer {
                    group: "consumer".into(),
                },
            ),
            at(11_500, Action::CrashBroker),
            at(
                14_000,
                Action::SetRate {
                    producer: "producer".into(),
                    rate_per_s: 4.0,
                },
            ),
        ]
    };
    for (name, seed, settings) in [
        (
            "idempotence-dedupe-before-short-ttl@7",
            7,
            &[
                ("strategy", "dedupe"),
                ("mark", "before"),
                ("ttl_s", "2"),
                ("duplicate_rate", "30"),
            ][..],
        ),
        (
            "idempotence-dedupe-after@8",
            8,
            &[
                ("strategy", "dedupe"),
                ("mark", "after"),
                ("duplicate_rate", "30"),
                ("redelivery_delay_s", "1.5"),
            ][..],
        ),
        (
            "idempotence-unique-key@9",
            9,
            &[("strategy", "unique_key"), ("duplicate_rate", "50")][..],
        ),
    ] {
        out.push(Case {
            name: name.into(),
            spec: builtin("idempotence", settings),
            seed,
            commands: duplicates(),
            until_us: 20 * US_PER_S,
        });
    }
    // Dead-letter queue: poison and transient failures under each backoff,
    // a consumer crash (a return at the delivery limit is dead-lettered),
    // a redrive before the fix (the poison comes back), the fix, and a
    // redrive after it; and without a DLQ, the poison retried for ever.
    let fix_and_redrive = || {
        vec![
            at(
                4_350,
                Action::CrashConsumer {
                    group: "workers".into(),
                },
            ),
            at(
                6_000,
                Action::Redrive {
                    queue: "orders".into(),
                },
            ),
            at(
                12_000,
                Action::DeployFix {
                    group: "workers".into(),
                },
            ),
            at(
                13_000,
                Action::Redrive {
                    queue: "orders".into(),
                },
            ),
        ]
    };
    for (name, seed, settings) in [
        (
            "dlq-exponential-fix-redrive@3",
            3,
            &[("backoff", "exponential"), ("poison_rate", "25")][..],
        ),
        (
            "dlq-none-fix-redrive@4",
            4,
            &[
                ("backoff", "none"),
                ("transient_rate", "30"),
                ("max_retries", "1"),
            ][..],
        ),
        ("dlq-off@5", 5, &[("dlq", "false")][..]),
    ] {
        out.push(Case {
            name: name.into(),
            spec: builtin("dlq", settings),
            seed,
            commands: fix_and_redrive(),
            until_us: 20 * US_PER_S,
        });
    }
    // Ordering: scattered keys, and one step held up on the network
    // against each re-ordering buffer.
    let delayed = || {
        vec![at(
            5_000,
            Action::DelayNextPublish {
                producer: "shop".into(),
                delay_us: 3 * US_PER_S,
            },
        )]
    };
    for (name, seed, settings, commands) in [
        (
            "ordering-partition-random@3",
            3,
            &[("strategy", "partition_by_key"), ("key", "random")][..],
            vec![],
        ),
        (
            "ordering-reorder-naive-delay@4",
            4,
            &[("strategy", "reorder_naive")][..],
            delayed(),
        ),
        (
            "ordering-reorder-wait-delay@5",
            5,
            &[("strategy", "reorder_wait"), ("gap_timeout_ms", "2000")][..],
            delayed(),
        ),
    ] {
        out.push(Case {
            name: name.into(),
            spec: builtin("ordering", settings),
            seed,
            commands,
            until_us: 20 * US_PER_S,
        });
    }
    for seed in [7, 1_000_003] {
        out.push(Case {
            name: format!("poisson-exponential@{seed}"),
            spec: random_spec(),
            seed,
            commands: vec![
                at(
                    1_000,
                    Action::CrashConsumer {
                        group: "workers".into(),
                    },
                ),
                at(
                    2_000,
                    Action::SetServiceUp {
                        service: "db".into(),
                        up: false,
                    },
                ),
                at(
                    2_400,
                    Action::SetServiceUp {
                        service: "db".into(),
                        up: true,
                    },
                ),
                at(
                    3_000,
                    Action::SetRate {
                        producer: "web".into(),
                        rate_per_s: 900.0,
                    },
                ),
                at(
                    3_500,
                    Action::SetServiceCapacity {
                        service: "db".into(),
                        capacity_per_s: 777.7,
                    },
                ),
                at(4_000, Action::CrashBroker),
                at(
                    5_000,
                    Action::SetConsumers {
                        group: "workers".into(),
                        count: 6,
                    },
                ),
                at(
                    5_000,
                    Action::DropNextPublish {
                        producer: "web".into(),
                    },
                ),
            ],
            until_us: 8 * US_PER_S,
        });
    }
    // Topic fan-out with live (un)subscription, a call chain that fails
    // mid-way, a consumer calling a service that goes down and comes back.
    out.push(Case {
        name: "pubsub-subscribe@5".into(),
        spec: builtin("pubsub", &[("rate_per_s", "20")]),
        seed: 5,
        commands: vec![
            at(
                2_000,
                Action::Subscribe {
                    topic: "clicks".into(),
                    queue: "fraud-check-q".into(),
                },
            ),
            at(
                6_000,
                Action::Unsubscribe {
                    topic: "clicks".into(),
                    queue: "warehouse-q".into(),
                },
            ),
            at(7_000, Action::CrashBroker),
        ],
        until_us: 20 * US_PER_S,
    });
    out.push(Case {
        name: "async-register-sync-sms-down@2".into(),
        spec: builtin("async-register", &[("rate_per_s", "5")]),
        seed: 2,
        commands: vec![
            at(
                3_000,
                Action::SetServiceUp {
                    service: "sms".into(),
                    up: false,
                },
            ),
            at(
                6_000,
                Action::SetServiceUp {
                    service: "sms".into(),
                    up: true,
                },
            ),
        ],
        until_us: 20 * US_PER_S,
    });
    out.push(Case {
        name: "coupling-queue-outage@4".into(),
        spec: builtin("coupling", &[("mode", "queue"), ("rate_per_s", "10")]),
        seed: 4,
        commands: vec![
            at(
                2_000,
                Action::SetServiceUp {
                    service: "notification".into(),
                    up: false,
                },
            ),
            at(
                5_000,
                Action::SetServiceUp {
                    service: "notification".into(),
                    up: true,
                },
            ),
            at(
                8_000,
                Action::Subscribe {
                    topic: "order-events".into(),
                    queue: "points-q".into(),
                },
            ),
        ],
        until_us: 20 * US_PER_S,
    });
    out
}

/// Runs one case and returns its trace hash.
pub fn hash_of(case: &Case) -> String {
    let mut sim = Sim::new(&case.spec, case.seed).expect("valid spec");
    for c in &case.commands {
        sim.schedule(c.clone()).expect("valid command");
    }
    sim.run_until(case.until_us);
    sim.trace_hash()
}

/// The hashes recorded in `golden_hashes.json`.
pub fn expected() -> BTreeMap<String, String> {
    serde_json::from_str(GOLDEN_JSON).expect("golden_hashes.json is a JSON object of strings")
}

/// Compares every case with the recorded hash; the error lists all
/// mismatches (and cases missing from or unknown to the file).
pub fn check_all() -> Result<usize, String> {
    let expected = expected();
    let cases = cases();
    let mut problems = Vec::new();
    for case in &cases {
        let got = hash_of(case);
        match expected.get(&case.name) {
            Some(want) if *want == got => {}
            Some(want) => problems.push(format!("{}: expected {want}, got {got}", case.name)),
            None => problems.push(format!(
                "{}: not in golden_hashes.json (got {got})",
                case.name
            )),
        }
    }
    for name in expected.keys() {
        if !cases.iter().any(|c| &c.name == name) {
            problems.push(format!("{name}: in golden_hashes.json but not a case"));
        }
    }
    if problems.is_empty() {
        Ok(cases.len())
    } else {
        Err(problems.join("\n"))
    }
}
