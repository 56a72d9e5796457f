//! The reliability scenario's "done when" (issue 8): each fault loses a
//! message when its fix is off — with the loss point's own cause — and
//! none when it is on. Every check runs through the library and through
//! the `mqlab-sim` binary, at several fault times, and both must agree.

mod common;

use std::collections::BTreeMap;
use std::process::Command as Process;

use common::{at, run, spec_of};
use mqlab_engine::scenario::find;
use mqlab_engine::time::{TimeUs, US_PER_MS, US_PER_S};
use mqlab_engine::{Action, Cause, MsgState};
use serde_json::Value;

const UNTIL_S: u64 = 20;
/// Fault times (ms) spread over the run, none on a message boundary.
const FAULT_MS: [u64; 4] = [3_100, 5_300, 8_700, 12_250];

/// What a check expects of every run (or, for `SomeLoss`, of at least one).
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// ≥ 1 lost, every loss with this cause.
    Loses(Cause),
    /// Nothing lost.
    NoLoss,
    /// Nothing lost, and the fault led to a redelivery.
    NoLossRedelivered,
    /// Nothing lost, and the lost confirm led to a duplicate.
    Duplicate,
    /// Losses only with this cause, and at least one run loses.
    SomeLoss(Cause),
}

struct Check {
    settings: &'static [(&'static str, &'static str)],
    fault: fn() -> Action,
    expect: Expect,
}

fn drop_publish() -> Action {
    Action::DropNextPublish {
        producer: "producer".into(),
    }
}
fn drop_confirm() -> Action {
    Action::DropNextConfirm {
        producer: "producer".into(),
    }
}
fn crash_broker() -> Action {
    Action::CrashBroker
}
fn crash_consumer() -> Action {
    Action::CrashConsumer {
        group: "consumer".into(),
    }
}

const CHECKS: &[Check] = &[
    // 1. producer → broker
    Check {
        settings: &[("confirm", "false")],
        fault: drop_publish,
        expect: Expect::Loses(Cause::NoConfirmNetworkDrop),
    },
    Check {
        settings: &[("confirm", "true")],
        fault: drop_publish,
        expect: Expect::NoLoss,
    },
    Check {
        settings: &[("confirm", "true")],
        fault: drop_confirm,
        expect: Expect::Duplicate,
    },
    // 2. broker
    Check {
        settings: &[("persistent", "false")],
        fault: crash_broker,
        expect: Expect::Loses(Cause::NotPersistentBrokerCrash),
    },
    Check {
        settings: &[("persistent", "true"), ("flush", "sync")],
        fault: crash_broker,
        expect: Expect::NoLoss,
    },
    Check {
        settings: &[("persistent", "true"), ("flush", "async")],
        fault: crash_broker,
        expect: Expect::SomeLoss(Cause::AsyncFlushBrokerCrash),
    },
    Check {
        settings: &[("replicas", "3"), ("acks", "1")],
        fault: crash_broker,
        expect: Expect::Loses(Cause::LeaderCrashBeforeCopy),
    },
    Check {
        settings: &[("replicas", "3"), ("acks", "0")],
        fault: crash_broker,
        expect: Expect::Loses(Cause::LeaderCrashBeforeCopy),
    },
    Check {
        settings: &[("replicas", "3"), ("acks", "all")],
        fault: crash_broker,
        expect: Expect::NoLoss,
    },
    Check {
        settings: &[("replicas", "2"), ("acks", "all")],
        fault: crash_broker,
        expect: Expect::NoLoss,
    },
    // 3. broker → consumer
    Check {
        settings: &[("ack_mode", "auto")],
        fault: crash_consumer,
        expect: Expect::Loses(Cause::AutoAckConsumerCrash),
    },
    Check {
        settings: &[("ack_mode", "manual")],
        fault: crash_consumer,
        expect: Expect::NoLossRedelivered,
    },
];

/// What one run reports: its facts and its losses by cause name.
#[derive(Debug, PartialEq)]
struct Outcome {
    facts: BTreeMap<String, f64>,
    lost_by_cause: BTreeMap<String, u64>,
}

impl Outcome {
    fn lost(&self) -> u64 {
        self.lost_by_cause.values().sum()
    }
}

fn via_library(settings: &[(&str, &str)], fault: &Action, at_ms: u64) -> Outcome {
    let spec = spec_of("reliability", settings);
    let sim = run(
        &spec,
        &[at(at_ms * US_PER_MS, fault.clone())],
        UNTIL_S * US_PER_S,
    );
    let def = find("reliability").unwrap();
    let l = sim.ledger();
    assert_eq!(
        l.lost_by_cause.values().sum::<u64>(),
        l.count(MsgState::Lost),
        "every loss has a cause"
    );
    Outcome {
        facts: def
            .read_facts(&sim)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        lost_by_cause: l
            .lost_by_cause
            .iter()
            .map(|(c, n)| (c.as_str().to_string(), *n))
            .collect(),
    }
}

fn via_cli(settings: &[(&str, &str)], fault: &Action, at_ms: u64) -> Outcome {
    let mut cmd = serde_json::to_value(mqlab_engine::Command {
        at_us: at_ms * US_PER_MS,
        action: fault.clone(),
    })
    .unwrap();
    cmd.as_object_mut().unwrap().remove("at_us");
    cmd["at"] = Value::from(format!("{at_ms}ms"));
    let file = std::env::temp_dir().join(format!(
        "mqlab-reliability-{}-{}-{at_ms}.json",
        std::process::id(),
        fault.verb()
    ));
    std::fs::write(&file, Value::Array(vec![cmd]).to_string()).unwrap();
    let mut p = Process::new(env!("CARGO_BIN_EXE_mqlab-sim"));
    p.args([
        "run",
        "reliability",
        "--seed",
        "1",
        "--until",
        &format!("{UNTIL_S}s"),
    ]);
    for (k, v) in settings {
        p.args(["--set", &format!("{k}={v}")]);
    }
    p.arg("--commands").arg(&file);
    let out = p.output().unwrap();
    let _ = std::fs::remove_file(&file);
    let (facts, lost_by_cause) = common::cli_facts_and_losses(&out);
    Outcome {
        facts,
        lost_by_cause,
    }
}

/// Checks one outcome; returns whether it lost anything.
fn check_one(c: &Check, at_ms: u64, o: &Outcome) -> bool {
    let what = format!("{:?} + {} at {at_ms}ms", c.settings, (c.fault)().verb());
    let fact = |k: &str| o.facts[k];
    assert_eq!(fact("lost"), o.lost() as f64, "{what}: lost fact vs ledger");
    let only = |cause: Cause| {
        for k in o.lost_by_cause.keys() {
            assert_eq!(k, cause.as_str(), "{what}: a loss with another cause");
        }
    };
    match c.expect {
        Expect::Loses(cause) => {
            assert!(o.lost() >= 1, "{what}: expected a loss, got {o:?}");
            only(cause);
        }
        Expect::NoLoss => assert_eq!(o.lost(), 0, "{what}: {o:?}"),
        Expect::NoLossRedelivered => {
            assert_eq!(o.lost(), 0, "{what}: {o:?}");
            assert!(fact("redelivered") >= 1.0, "{what}: {o:?}");
        }
        Expect::Duplicate => {
            assert_eq!(o.lost(), 0, "{what}: {o:?}");
            assert!(fact("duplicates") >= 1.0, "{what}: {o:?}");
        }
        Expect::SomeLoss(cause) => only(cause),
    }
    o.lost() > 0
}

#[test]
fn each_fault_loses_with_its_cause_and_each_fix_closes_it() {
    for c in CHECKS {
        let fault = (c.fault)();
        let mut any_loss = false;
        for at_ms in FAULT_MS {
            let lib = via_library(c.settings, &fault, at_ms);
            let cli = via_cli(c.settings, &fault, at_ms);
            assert_eq!(
                lib, cli,
                "{:?} at {at_ms}ms: library and CLI differ",
                c.settings
            );
            any_loss |= check_one(c, at_ms, &lib);
        }
        if let Expect::SomeLoss(cause) = c.expect {
            assert!(
                any_loss,
                "{:?}: no crash lost anything ({cause:?})",
                c.settings
            );
        }
    }
}

/// Without the fault, none of the settings loses anything: losses come
/// from the faults, not from the settings.
#[test]
fn no_fault_no_loss_whatever_the_settings() {
    let def = find("reliability").unwrap();
    let mut sets: Vec<&[(&str, &str)]> = CHECKS.iter().map(|c| c.settings).collect();
    sets.push(&[]);
    for s in sets {
        let sim = run(&spec_of(def.id, s), &[], UNTIL_S * US_PER_S);
        assert_eq!(sim.ledger().count(MsgState::Lost), 0, "{s:?}");
        assert_eq!(sim.ledger().count(MsgState::Rejected), 0, "{s:?}");
    }
}

/// The defaults are unsafe: every fault loses something at defaults.
#[test]
fn the_defaults_lose_on_the_first_fault() {
    for fault in [drop_publish(), crash_broker()] {
        let o = via_library(&[], &fault, FAULT_MS[1]);
        assert!(o.lost() >= 1, "{}: {o:?}", fault.verb());
    }
    // The third leg starts on manual ack (see the next test): its loss is
    // one click away, on auto ack.
    let o = via_library(&[], &crash_consumer(), FAULT_MS[1]);
    assert_eq!(o.lost(), 0, "{o:?}");
    let o = via_library(&[("ack_mode", "auto")], &crash_consumer(), FAULT_MS[1]);
    assert!(o.lost() >= 1, "{o:?}");
}

/// Why the third leg does not start on auto ack: the broker pushes an
/// auto-ack consumer everything (no prefetch limit), so the queue the
/// second leg's fault strikes is empty.
#[test]
fn under_auto_ack_the_broker_keeps_nothing_for_a_crash_to_lose() {
    let auto = via_library(&[("ack_mode", "auto")], &crash_broker(), FAULT_MS[1]);
    assert_eq!(auto.lost(), 0, "{auto:?}");
    let manual = via_library(&[("ack_mode", "manual")], &crash_broker(), FAULT_MS[1]);
    assert!(manual.lost() >= 1, "{manual:?}");
}

/// With replicas, a crash fails over and the snapshot names the new
/// leader; the old one comes back as a follower.
#[test]
fn a_crash_fails_over_and_the_snapshot_shows_the_new_leader() {
    for replicas in ["2", "3"] {
        let spec = spec_of("reliability", &[("replicas", replicas), ("acks", "all")]);
        let crash: TimeUs = FAULT_MS[1] * US_PER_MS;
        let before = run(&spec, &[], crash).snapshot();
        let r0 = before.replication.expect("replicated");
        assert_eq!(r0.failovers, 0);
        let after = run(&spec, &[at(crash, crash_broker())], crash + 1).snapshot();
        let r1 = after.replication.expect("replicated");
        assert_ne!(r1.leader, r0.leader, "replicas={replicas}");
        assert_eq!(r1.failovers, 1);
        assert!(!r1.up[r0.leader as usize], "the old leader is down");
        assert!(after.broker_up, "a follower took over: the broker stays up");
        let later = run(
            &spec,
            &[at(crash, crash_broker())],
            crash + spec.broker.restart_us + 1,
        )
        .snapshot();
        assert!(later.replication.unwrap().up.iter().all(|u| *u));
    }
    // One replica: no replica set in the snapshot, a crash takes it down.
    let spec = spec_of("reliability", &[]);
    let crash: TimeUs = FAULT_MS[1] * US_PER_MS;
    let s = run(&spec, &[at(crash, crash_broker())], crash + 1).snapshot();
    assert!(s.replication.is_none());
    assert!(!s.broker_up);
}

/// A processing failure nacks with requeue under manual ack (nothing lost,
/// redelivered); under auto-ack the message is lost with its own cause.
#[test]
fn processing_failures_nack_and_requeue() {
    let until = UNTIL_S * US_PER_S;
    let manual = run(
        &spec_of("reliability", &[("fail_pct", "20"), ("ack_mode", "manual")]),
        &[],
        until,
    );
    let def = find("reliability").unwrap();
    let f: BTreeMap<_, _> = def.read_facts(&manual).into_iter().collect();
    assert_eq!(manual.ledger().count(MsgState::Lost), 0);
    assert!(f["nacked"] >= 1.0, "{f:?}");
    assert!(f["redelivered"] >= f["nacked"], "{f:?}");
    let auto = run(
        &spec_of("reliability", &[("fail_pct", "20"), ("ack_mode", "auto")]),
        &[],
        until,
    );
    let l = auto.ledger();
    assert!(l.count(MsgState::Lost) >= 1);
    assert_eq!(
        l.lost_by_cause.keys().copied().collect::<Vec<_>>(),
        [Cause::AutoAckProcessingFailure]
    );
}

/// Every cause the scenario can report has a sentence for the UI.
#[test]
fn every_loss_cause_has_a_sentence() {
    for c in Cause::ALL {
        assert!(c.explain().len() > 10, "{c:?}");
        assert!(c.terminal_state().is_terminal());
    }
}

/// Prefetch does not limit an auto-ack consumer (RabbitMQ ignores
/// basic.qos for no-ack consumers; fidelity/scripts/02): the broker pushes
/// it everything, so behind a faster producer a crash loses every message
/// pushed to it, not only the one in work. Under manual ack it holds one.
#[test]
fn an_auto_ack_consumer_crash_loses_all_it_was_pushed() {
    let crash: TimeUs = 20 * US_PER_S;
    let lost_at_crash = |mode: &str| {
        let spec = spec_of("reliability", &[("ack_mode", mode)]);
        let sim = run(&spec, &[at(crash, crash_consumer())], crash + 1);
        sim.ledger()
            .lost_by_cause
            .get(&Cause::AutoAckConsumerCrash)
            .copied()
            .unwrap_or(0)
    };
    assert!(lost_at_crash("auto") > 1, "{}", lost_at_crash("auto"));
    assert_eq!(lost_at_crash("manual"), 0);
}
