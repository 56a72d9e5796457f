//! The headless `mqlab-sim` command: `cli::run` driven in-process (with an
//! in-memory file reader), plus the real binary for exit codes and stderr,
//! plus the example scenario and commands files under `engine/scenarios/`.
// Native only: reads files and spawns the binary.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::process::Command as Process;

use mqlab_engine::cli::{run, Outcome};
use mqlab_engine::scenario::builtins;
use mqlab_engine::{run_builtin, ScenarioSpec};
use serde_json::Value;

const ORDER_QUEUE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/example-order-queue.json"
);
const ORDER_COMMANDS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/example-commands.json"
);

/// Runs the CLI with files served from `files` (anything else is "not found").
fn cli_with(args: &[&str], files: &[(&str, &str)]) -> Outcome {
    let files: BTreeMap<String, String> = files
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let read = move |p: &str| {
        files
            .get(p)
            .cloned()
            .ok_or_else(|| "No such file or directory (os error 2)".to_string())
    };
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    run(&args, &read)
}

fn cli(args: &[&str]) -> Outcome {
    cli_with(args, &[])
}

/// Runs the CLI reading real files from disk.
fn cli_fs(args: &[&str]) -> Outcome {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    run(&args, &|p: &str| {
        std::fs::read_to_string(p).map_err(|e| e.to_string())
    })
}

fn ok_json(out: &Outcome) -> Value {
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("run prints JSON")
}

/// Bad input: exit code 2, nothing on stdout, one line on stderr naming
/// the program, and (since we got here) no panic.
fn assert_usage_error(out: &Outcome, mentions: &str) {
    assert_eq!(out.code, 2, "stdout: {} stderr: {}", out.stdout, out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.starts_with("mqlab-sim: "), "{}", out.stderr);
    assert!(out.stderr.ends_with('\n'), "{:?}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "one line: {:?}", out.stderr);
    assert!(
        out.stderr.contains(mentions),
        "expected '{mentions}' in {:?}",
        out.stderr
    );
}

fn number(v: &Value, path: &str) -> f64 {
    let mut cur = v;
    for seg in path.split('.') {
        cur = cur
            .get(seg)
            .unwrap_or_else(|| panic!("no '{path}' in the report"));
    }
    cur.as_f64()
        .unwrap_or_else(|| panic!("'{path}' is not a number: {cur}"))
}

#[test]
fn list_prints_every_builtin() {
    let out = cli(&["list"]);
    assert_eq!(out.code, 0);
    assert!(out.stderr.is_empty());
    let ids: Vec<&str> = out.stdout.lines().collect();
    let expected: Vec<&str> = builtins().iter().map(|d| d.id).collect();
    assert_eq!(ids, expected);
    // The chapter's order.
    assert_eq!(
        ids,
        [
            "intro",
            "peak-shaving",
            "components",
            "p2p-vs-pubsub",
            "comparison",
            "async-register",
            "coupling",
            "pubsub",
            "reliability",
            "idempotence",
            "ordering",
            "dlq",
            "delay",
            "seckill-queue",
            "transaction",
            "seckill-system"
        ]
    );
}

#[test]
fn the_messaging_pattern_scenarios_run_and_describe() {
    let out = cli(&["describe", "comparison"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("broker"), "{}", out.stdout);
    assert!(out.stdout.contains("redis-stream"), "{}", out.stdout);
    for (id, set) in [
        ("async-register", "mode=async"),
        ("p2p-vs-pubsub", "mode=pubsub"),
        ("coupling", "notify_down=on"),
        ("pubsub", "fraud_check=on"),
        ("comparison", "broker=kafka"),
    ] {
        let out = cli(&["run", id, "--set", set, "--until", "2s"]);
        assert_eq!(out.code, 0, "{id}: {}", out.stderr);
        assert!(out.stdout.contains("trace_hash"), "{id}");
    }
}

#[test]
fn describe_prints_parameters_with_ranges_and_defaults() {
    let out = cli(&["describe", "peak-shaving"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("peak-shaving: "));
    assert_eq!(
        lines[1],
        "parameter\tunit\trange\tdefault\tlive\tdescription"
    );
    let def = mqlab_engine::scenario::find("peak-shaving").unwrap();
    // Parameters, a blank line, then the facts `run` reports.
    assert_eq!(lines.len(), 2 + def.params.len() + 2 + def.facts.len());
    assert_eq!(lines[2 + def.params.len()], "");
    assert_eq!(lines[3 + def.params.len()], "fact\tunit\tdescription");
    let row = |key: &str| -> Vec<&str> {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{key}\t")))
            .unwrap_or_else(|| panic!("no row for {key}"))
            .split('\t')
            .collect()
    };
    assert_eq!(row("queue")[2..5], ["on|off", "on", "restart"]);
    assert_eq!(
        row("db_rate_per_s")[1..5],
        ["per_s", "100..100000", "1000", "yes"]
    );
    assert_eq!(row("consumers")[3..5], ["10", "yes"]);
}

/// The describe row of parameter `key`, split on tabs.
fn describe_row(describe: &str, key: &str) -> Vec<String> {
    describe
        .lines()
        .find(|l| l.starts_with(&format!("{key}\t")))
        .unwrap_or_else(|| panic!("no row for {key}"))
        .split('\t')
        .map(str::to_string)
        .collect()
}

#[test]
fn choice_parameters_take_words_in_every_builtin() {
    let mut seen = 0;
    for def in builtins() {
        let described = cli(&["describe", def.id]);
        assert_eq!(described.code, 0, "{}", described.stderr);
        for d in def.params.iter().filter(|d| d.is_choice()) {
            seen += 1;
            let words: Vec<&str> = d.choices().iter().map(|c| c.word).collect();
            // describe lists the allowed words and the default as a word.
            let row = describe_row(&described.stdout, d.key);
            assert_eq!(row[2], words.join("|"), "{}.{}", def.id, d.key);
            assert_eq!(row[3], d.show(d.default), "{}.{}", def.id, d.key);
            // run takes each word and echoes it.
            for w in &words {
                let set = format!("{}={w}", d.key);
                let v = ok_json(&cli(&["run", def.id, "--set", &set, "--until", "100ms"]));
                assert_eq!(v["params"][d.key], *w, "{}: {set}", def.id);
            }
            // An unknown word is one clear line and exit code 2.
            let set = format!("{}=no-such-word", d.key);
            assert_usage_error(
                &cli(&["run", def.id, "--set", &set]),
                &format!(
                    "{} must be one of {}; got 'no-such-word'",
                    d.key,
                    words.join(", ")
                ),
            );
        }
    }
    assert!(seen >= 5, "the built-ins have choice parameters: {seen}");
}

/// The fact names each built-in reports: a public contract for course
/// authors. Renaming or removing one breaks their pages; add, never rename.
const FACT_CONTRACT: &[(&str, &[&str])] = &[
    (
        "intro",
        &[
            "produced",
            "done",
            "rejected",
            "queued",
            "response_ms",
            "response_ms_last_10s",
            "latency_ms",
        ],
    ),
    (
        "peak-shaving",
        &[
            "requests",
            "done",
            "rejected",
            "rejected_share_pct",
            "queue_len_max",
            "processing_rate_per_s",
            "drain_s",
            "wait_p95_ms",
            "response_p99_ms",
        ],
    ),
    (
        "components",
        &[
            "produced",
            "done",
            "queued",
            "queue_len_max",
            "rejected",
            "latency_ms",
        ],
    ),
    (
        "p2p-vs-pubsub",
        &[
            "produced",
            "handled",
            "handled_per_message",
            "per_consumer_min",
            "per_consumer_max",
            "queued",
        ],
    ),
    (
        "comparison",
        &[
            "produced",
            "done",
            "throughput_per_s",
            "ceiling_per_s",
            "latency_p50_us",
            "latency_p99_us",
            "queue_len_max",
            "lost",
            "retained",
            "replayed",
        ],
    ),
    (
        "async-register",
        &[
            "produced",
            "registered",
            "rejected",
            "response_ms",
            "response_ms_last_10s",
            "response_p95_ms",
            "side_jobs_done",
            "side_jobs_queued",
        ],
    ),
    (
        "coupling",
        &[
            "produced",
            "orders_ok",
            "rejected",
            "response_ms",
            "notified",
            "notifications_pending",
            "points_awarded",
        ],
    ),
    (
        "pubsub",
        &[
            "produced",
            "handled",
            "subscribers",
            "recommendation_done",
            "recommendation_queued",
            "counter_done",
            "counter_queued",
            "warehouse_done",
            "warehouse_queued",
            "fraud_check_done",
            "fraud_check_queued",
        ],
    ),
    (
        "reliability",
        &[
            "produced",
            "done",
            "lost",
            "rejected",
            "queued",
            "redelivered",
            "duplicates",
            "nacked",
            "failovers",
        ],
    ),
    (
        "idempotence",
        &[
            "unique_messages",
            "duplicates",
            "redelivered",
            "effects_applied",
            "double_applied",
            "lost_effects",
            "points_expected",
            "points_actual",
            "skipped_duplicates",
            "dedupe_keys",
            "lost",
        ],
    ),
    (
        "ordering",
        &[
            "order_violations",
            "order_violation_pct",
            "throughput_per_s",
            "queued",
            "latency_ms",
            "reorder_wait_us_p99",
            "reorder_timeouts",
            "reorder_parked",
            "produced",
            "done",
        ],
    ),
    (
        "dlq",
        &[
            "produced",
            "healthy_done",
            "healthy_latency_ms",
            "dead_lettered",
            "dlq_len",
            "retries",
            "poison_deliveries",
            "dead_letter_deliveries_min",
            "dead_letter_deliveries_max",
            "redriven",
            "redriven_done",
            "done",
            "queued",
            "lost",
        ],
    ),
    (
        "delay",
        &[
            "delay_us",
            "lateness_us_p99",
            "lateness_us_max",
            "early",
            "double_claimed",
            "cancelled",
            "paid",
            "wrongly_cancelled",
            "reminders",
            "waiting",
            "orders",
        ],
    ),
    (
        "seckill-queue",
        &[
            "orders_created",
            "sold_out_rejected",
            "sold_out_after_queue",
            "queued_ack_us_p50",
            "confirmed_us_p50",
            "stock_left",
            "requests",
            "queued",
        ],
    ),
    (
        "transaction",
        &[
            "orders",
            "messages_delivered",
            "order_without_message",
            "message_without_order",
            "check_backs",
            "rolled_back",
            "half_messages",
            "placed",
        ],
    ),
    (
        "seckill-system",
        &[
            "orders_created",
            "oversold",
            "stock_left",
            "stock_returned",
            "limited",
            "sold_out",
            "orders_failed",
            "alerts_fired",
            "notified",
            "requests",
            "queued",
        ],
    ),
];

#[test]
fn every_builtin_reports_its_facts_each_explained() {
    for def in builtins() {
        let v = ok_json(&cli(&["run", def.id, "--until", "3s"]));
        let facts = v["facts"]
            .as_object()
            .unwrap_or_else(|| panic!("{}: no facts object", def.id));
        let explained = v["facts_explained"].as_object().unwrap();
        assert!(!facts.is_empty(), "{} reports no facts", def.id);
        // (Compared as sets: the JSON object's key order depends on
        // serde_json's features.)
        let keys: std::collections::BTreeSet<&str> = def.facts.iter().map(|f| f.key).collect();
        assert_eq!(keys.len(), def.facts.len(), "{}: fact names repeat", def.id);
        assert_eq!(
            facts
                .keys()
                .map(String::as_str)
                .collect::<std::collections::BTreeSet<_>>(),
            keys,
            "{}: facts are exactly the definition's",
            def.id
        );
        for f in def.facts {
            let value = &facts[f.key];
            assert!(value.is_number(), "{}.{} = {value}", def.id, f.key);
            let sentence = explained[f.key].as_str().unwrap_or("");
            assert_eq!(sentence, f.explained_en, "{}.{}", def.id, f.key);
            assert!(
                sentence.len() > 20 && sentence.ends_with('.'),
                "{}.{}: '{sentence}'",
                def.id,
                f.key
            );
        }
        // describe lists the same facts with the same sentences.
        let described = cli(&["describe", def.id]).stdout;
        for f in def.facts {
            let row = describe_row(&described, f.key);
            assert_eq!(row[2], f.explained_en, "{}.{}", def.id, f.key);
        }
    }
}

#[test]
fn fact_names_are_a_stable_contract() {
    let ids: Vec<&str> = builtins().iter().map(|d| d.id).collect();
    let pinned: Vec<&str> = FACT_CONTRACT.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids, pinned,
        "pin the fact names of every built-in in FACT_CONTRACT"
    );
    for (id, keys) in FACT_CONTRACT {
        let def = mqlab_engine::scenario::find(id).unwrap();
        let actual: Vec<&str> = def.facts.iter().map(|f| f.key).collect();
        assert_eq!(&actual, keys, "{id}: fact names changed");
    }
}

#[test]
fn facts_carry_the_teaching_numbers() {
    let fact = |args: &[&str], key: &str| -> f64 {
        let v = ok_json(&cli(args));
        number(&v, &format!("facts.{key}"))
    };
    // Peak shaving: the queue takes the whole burst...
    let with_queue = ok_json(&cli(&["run", "peak-shaving"]));
    assert_eq!(with_queue["facts"]["rejected"], 0);
    assert_eq!(with_queue["facts"]["rejected_share_pct"], 0);
    assert_eq!(with_queue["facts"]["done"], 100_000);
    assert!(number(&with_queue, "facts.queue_len_max") > 90_000.0);
    let drain = number(&with_queue, "facts.drain_s");
    assert!((95.0..110.0).contains(&drain), "{drain}");
    // ...without one the database turns away all but ~1,100 of 100,000.
    let share = fact(
        &["run", "peak-shaving", "--set", "queue=off"],
        "rejected_share_pct",
    );
    assert!((share - 98.9).abs() < 0.2, "{share}");
    // Sign-up: ~1,500 ms synchronous, ~300 ms asynchronous.
    let sync = fact(&["run", "async-register", "--until", "10s"], "response_ms");
    let asy = fact(
        &[
            "run",
            "async-register",
            "--set",
            "mode=async",
            "--until",
            "10s",
        ],
        "response_ms",
    );
    assert!((1_500.0..1_550.0).contains(&sync), "{sync}");
    assert!((300.0..350.0).contains(&asy), "{asy}");
    // Integral facts print as integers.
    let v = ok_json(&cli(&["run", "components", "--until", "5s"]));
    assert!(v["facts"]["produced"].is_u64(), "{}", v["facts"]);
}

#[test]
fn a_scenario_file_reports_the_generic_facts() {
    let v = ok_json(&cli_fs(&["run", ORDER_QUEUE, "--until", "2s"]));
    let facts = v["facts"].as_object().unwrap();
    for f in &mqlab_engine::facts::GENERIC {
        assert!(facts[f.key].is_number(), "{}", f.key);
        assert!(v["facts_explained"][f.key].is_string(), "{}", f.key);
    }
    let described = cli_fs(&["describe", ORDER_QUEUE]).stdout;
    assert!(
        described.contains("\nfact\tunit\tdescription\n"),
        "{described}"
    );
}

#[test]
fn run_prints_a_json_report() {
    let out = cli(&["run", "peak-shaving"]);
    let v = ok_json(&out);
    assert_eq!(v["scenario"], "peak-shaving");
    assert_eq!(v["seed"], 1);
    assert_eq!(v["params"]["queue"], "on");
    assert_eq!(v["params"]["burst_rate_per_s"], 100_000);
    assert_eq!(v["drained"], true);
    // Ledger.
    assert_eq!(number(&v, "ledger.total"), 100_000.0);
    let by_state = v["ledger"]["by_state"].as_object().unwrap();
    assert_eq!(by_state.len(), 10);
    assert_eq!(by_state["done"], 100_000);
    assert!(v["ledger"]["lost_by_cause"].as_object().unwrap().is_empty());
    assert!(v["ledger"]["rejected_by_cause"].is_object());
    // Metrics.
    let throughput = number(&v, "metrics.throughput_per_s");
    assert!((900.0..1_000.0).contains(&throughput), "{throughput}");
    assert!(number(&v, "metrics.queue_len.max") > 90_000.0);
    assert!(number(&v, "metrics.queue_len.mean") > 1_000.0);
    for h in ["wait_us", "latency_us"] {
        let (mean, p50, p95, p99) = (
            number(&v, &format!("metrics.{h}.mean")),
            number(&v, &format!("metrics.{h}.p50")),
            number(&v, &format!("metrics.{h}.p95")),
            number(&v, &format!("metrics.{h}.p99")),
        );
        assert!(
            mean > 0.0 && p50 <= p95 && p95 <= p99,
            "{h}: {mean} {p50} {p95} {p99}"
        );
    }
    // Drained at 1,000/s: the median message waited about 50 s.
    let p50 = number(&v, "metrics.wait_us.p50");
    assert!((40e6..60e6).contains(&p50), "{p50}");
    // Events and fingerprint agree with the library run.
    let sim = run_builtin("peak-shaving", 1, &[]).unwrap();
    assert_eq!(v["events"], sim.events_processed());
    assert_eq!(v["trace_hash"], sim.trace_hash());
    let hash = v["trace_hash"].as_str().unwrap();
    assert_eq!(hash.len(), 16);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn run_options_change_the_run() {
    let v = ok_json(&cli(&[
        "run",
        "peak-shaving",
        "--seed",
        "42",
        "--until",
        "2s",
        "--set",
        "db_rate_per_s=2000",
        "--set",
        "queue=off",
    ]));
    assert_eq!(v["seed"], 42);
    assert_eq!(v["until_us"], 2_000_000);
    assert_eq!(v["params"]["db_rate_per_s"], 2_000);
    assert_eq!(v["params"]["queue"], "off");
    assert!(number(&v, "ledger.rejected_by_cause.service_over_capacity") > 90_000.0);
    assert!(v["ledger"]["causes_explained"]["service_over_capacity"].is_string());

    // A stopped run is not drained; the same run again is the same run.
    let a = ok_json(&cli(&["run", "components", "--until", "1500ms"]));
    let b = ok_json(&cli(&["run", "components", "--until", "1500ms"]));
    assert_eq!(a["drained"], false);
    assert_eq!(a, b);
    let c = ok_json(&cli(&[
        "run",
        "components",
        "--until",
        "1500ms",
        "--seed",
        "2",
    ]));
    assert_ne!(a["trace_hash"], c["trace_hash"]);
}

#[test]
fn help_prints_usage() {
    let out = cli(&["help"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("usage: mqlab-sim list"));
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "missing command"),
        (&["frobnicate"], "unknown command 'frobnicate'"),
        (&["list", "extra"], "list takes no arguments"),
        (&["describe"], "describe needs a SCENARIO"),
        (&["describe", "nope"], "unknown scenario 'nope'"),
        (&["describe", "intro", "extra"], "one SCENARIO"),
        (&["run"], "run needs a SCENARIO"),
        (&["run", "nope"], "unknown scenario 'nope'"),
        (
            &["run", "intro", "components"],
            "unexpected argument 'components'",
        ),
        (
            &["run", "peak-shaving", "--set", "nope=1"],
            "has no parameter 'nope'",
        ),
        (
            &["run", "peak-shaving", "--set", "nope"],
            "--set needs key=value",
        ),
        (&["run", "peak-shaving", "--set", "=1"], "needs a key"),
        (
            &["run", "peak-shaving", "--set", "db_rate_per_s=0"],
            "out of range",
        ),
        (
            &["run", "peak-shaving", "--set", "consumers=1e9"],
            "out of range",
        ),
        (
            &["run", "peak-shaving", "--set", "consumers=2.5"],
            "whole number",
        ),
        (
            &["run", "peak-shaving", "--set", "queue=maybe"],
            "on or off",
        ),
        (
            &["run", "intro", "--set", "mode=carrier-pigeon"],
            "mode must be one of sync, async; got 'carrier-pigeon'",
        ),
        (&["run", "intro", "--until", "10"], "needs a unit"),
        (&["run", "intro", "--until", "5parsecs"], "unknown unit"),
        (&["run", "intro", "--until", "-1s"], "--until"),
        (&["run", "intro", "--until", "99999h"], "out of range"),
        (&["run", "intro", "--until"], "--until needs a value"),
        (
            &["run", "intro", "--seed", "abc"],
            "--seed must be a whole number",
        ),
        (
            &["run", "intro", "--seed", "-1"],
            "--seed must be a whole number",
        ),
        (
            &["run", "intro", "--seed", "18446744073709551616"],
            "--seed must be",
        ),
        (&["run", "intro", "--seed"], "--seed needs a value"),
        (
            &["run", "intro", "--frobnicate"],
            "unknown option '--frobnicate'",
        ),
        (
            &["run", "missing.json"],
            "cannot read scenario file 'missing.json'",
        ),
        (&["describe", "missing.json"], "cannot read scenario file"),
        (
            &["run", "intro", "--commands", "missing.json"],
            "cannot read commands file",
        ),
    ];
    for (args, mentions) in cases {
        let out = cli(args);
        assert_usage_error(&out, mentions);
    }
}

#[test]
fn bad_files_are_one_line_errors_too() {
    let spec = std::fs::read_to_string(ORDER_QUEUE).unwrap();
    let files: &[(&str, &str)] = &[
        ("broken.json", "{ \"name\": \"x\", "),
        ("array.json", "[1, 2]"),
        ("unknown-field.json", r#"{"name": "x", "colour": "blue"}"#),
        (
            "bad-ref.json",
            r#"{"name": "x", "producers": [{"name": "p", "rate": {"kind": "manual"}, "target": "nowhere"}]}"#,
        ),
        ("spec.json", spec.as_str()),
        ("cmds-broken.json", "[{\"at\": \"1s\""),
        (
            "cmds-node.json",
            r#"[{"at": "1s", "do": "crash_consumer", "group": "nobody"}]"#,
        ),
        ("cmds-verb.json", r#"[{"at": "1s", "do": "explode"}]"#),
        ("cmds-at.json", r#"[{"at": "soon", "do": "crash_broker"}]"#),
        (
            "cmds-field.json",
            r#"[{"at": "1s", "do": "crash_broker", "loudly": true}]"#,
        ),
        (
            "cmds-range.json",
            r#"[{"at": "1s", "do": "produce", "producer": "web", "count": 4000000}]"#,
        ),
    ];
    let cases: &[(&[&str], &str)] = &[
        (&["run", "broken.json"], "is not valid JSON"),
        (&["describe", "broken.json"], "is not valid JSON"),
        (&["run", "array.json"], "scenario file"),
        (&["run", "unknown-field.json"], "unknown field `colour`"),
        (
            &["describe", "unknown-field.json"],
            "unknown field `colour`",
        ),
        (&["run", "bad-ref.json"], "neither a queue nor a service"),
        (
            &["run", "spec.json", "--set", "services.db.capacity_per_s=0"],
            "capacity_per_s",
        ),
        (
            &[
                "run",
                "spec.json",
                "--set",
                "services.nope.capacity_per_s=1",
            ],
            "nothing named 'nope'",
        ),
        (
            &["run", "spec.json", "--set", "services.db.colour=1"],
            "no field 'colour'",
        ),
        (
            &["run", "spec.json", "--set", "horizon_us=\"soon\""],
            "scenario file",
        ),
        (
            &["run", "spec.json", "--commands", "cmds-broken.json"],
            "not valid JSON",
        ),
        (
            &["run", "spec.json", "--commands", "cmds-node.json"],
            "no consumer group named 'nobody'",
        ),
        (
            &["run", "spec.json", "--commands", "cmds-verb.json"],
            "command #0",
        ),
        (
            &["run", "spec.json", "--commands", "cmds-at.json"],
            "command #0",
        ),
        (
            &["run", "spec.json", "--commands", "cmds-field.json"],
            "loudly",
        ),
        (
            &["run", "spec.json", "--commands", "cmds-range.json"],
            "more than",
        ),
        (
            &["run", "peak-shaving", "--commands", "cmds-node.json"],
            "nobody",
        ),
    ];
    for (args, mentions) in cases {
        let out = cli_with(args, files);
        assert_eq!(out.code, 2, "{args:?}");
        assert_usage_error(&out, mentions);
    }
}

#[test]
fn the_real_binary_exits_0_or_2_with_one_stderr_line() {
    let exe = env!("CARGO_BIN_EXE_mqlab-sim");
    let out = Process::new(exe).arg("list").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.lines().any(|l| l == "peak-shaving"), "{stdout}");

    for args in [
        &["run", "intro", "--bogus"][..],
        &["run", "nope"],
        &[],
        &["run", "intro", "--set", "mode=carrier-pigeon"],
    ] {
        let out = Process::new(exe).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("mqlab-sim: "), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

// ----- the example files -------------------------------------------------

#[test]
fn the_example_scenario_file_is_a_valid_spec() {
    let text = std::fs::read_to_string(ORDER_QUEUE).unwrap();
    let spec: ScenarioSpec = serde_json::from_str(&text).unwrap();
    spec.validate().unwrap();
    assert_eq!(spec.producers[0].name, "web");
    assert_eq!(spec.queues[0].name, "orders");
    assert_eq!(spec.queues[0].capacity, 5_000);
    assert_eq!(spec.consumers[0].name, "order-workers");
    assert_eq!(spec.consumers[0].count, 4);
    assert_eq!(spec.consumers[0].calls.as_deref(), Some("db"));
    assert_eq!(spec.services[0].capacity_per_s, 300.0);
    let cmds =
        mqlab_engine::command::parse_commands(&std::fs::read_to_string(ORDER_COMMANDS).unwrap())
            .unwrap();
    assert_eq!(cmds[0].at_us, 5_000_000);
}

#[test]
fn the_example_files_run_through_the_cli() {
    let plain = ok_json(&cli_fs(&["run", ORDER_QUEUE]));
    let faults = ok_json(&cli_fs(&["run", ORDER_QUEUE, "--commands", ORDER_COMMANDS]));
    for v in [&plain, &faults] {
        // Poisson 200/s for the 20 s horizon.
        let total = number(v, "ledger.total");
        assert!((3_600.0..4_400.0).contains(&total), "{total}");
        assert_eq!(v["until_us"], 20_000_000);
        assert_eq!(v["drained"], false, "web keeps sending");
        // Confirms + persistence + manual ack: nothing lost, nothing refused.
        assert!(
            v["ledger"]["lost_by_cause"].as_object().unwrap().is_empty(),
            "{v}"
        );
        assert!(
            v["ledger"]["rejected_by_cause"]
                .as_object()
                .unwrap()
                .is_empty(),
            "{v}"
        );
        let done = number(v, "ledger.by_state.done");
        assert!(done > 0.97 * total, "{done} of {total}");
        let throughput = number(v, "metrics.throughput_per_s");
        assert!((180.0..220.0).contains(&throughput), "{throughput}");
    }
    // The db outage (8 s to 10 s) shows as a backlog of ~400 orders.
    assert!(number(&plain, "metrics.queue_len.max") < 100.0, "{plain}");
    assert!(number(&faults, "metrics.queue_len.max") > 300.0, "{faults}");
    assert!(number(&faults, "metrics.wait_us.p99") > number(&plain, "metrics.wait_us.p99"));
    assert_ne!(plain["trace_hash"], faults["trace_hash"]);
}

#[test]
fn the_example_file_can_be_described_and_tuned() {
    let out = cli_fs(&["describe", ORDER_QUEUE]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].ends_with("settable values (use --set path=value)"));
    for row in [
        "services.db.capacity_per_s\t300",
        "queues.orders.capacity\t5000",
        "consumers.order-workers.count\t4",
        "producers.web.rate.rate_per_s\t200",
    ] {
        assert!(lines.contains(&row), "missing {row:?} in {lines:?}");
    }

    let base = ok_json(&cli_fs(&["run", ORDER_QUEUE, "--until", "5s"]));
    let tuned = ok_json(&cli_fs(&[
        "run",
        ORDER_QUEUE,
        "--until",
        "5s",
        "--set",
        "services.db.capacity_per_s=500",
    ]));
    assert_eq!(tuned["params"]["services.db.capacity_per_s"], "500");
    assert_ne!(base["trace_hash"], tuned["trace_hash"]);
    // About the same arrivals (one random stream feeds arrivals and work
    // times, so they are not identical), faster writes: less time from
    // order to done.
    let (a, b) = (
        number(&base, "ledger.total"),
        number(&tuned, "ledger.total"),
    );
    assert!((a / b - 1.0).abs() < 0.05, "{a} vs {b}");
    assert!(
        number(&tuned, "metrics.latency_us.mean") < number(&base, "metrics.latency_us.mean"),
        "{} vs {}",
        tuned["metrics"]["latency_us"],
        base["metrics"]["latency_us"]
    );
}
