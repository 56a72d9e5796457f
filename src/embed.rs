//! The embed API: a host page drives an embedded demo with `postMessage`
//! and hears back what happens. Every message is a plain object with
//! `mqlab: 1` and a `type`; see README.md ("Embedding") for the list.
//! Messages of the wrong shape are ignored with a console warning.

use leptos::prelude::*;
use mqlab_components::{DemoRun, Lang};
use mqlab_engine::MsgState;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::ActiveRun;

/// The queue length that triggers a `queue_crossed` event unless the host
/// sets another with `{type: "watch", threshold}`.
pub const DEFAULT_THRESHOLD: u64 = 10_000;

fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("mqlab embed: {msg}")));
}

/// The page that embeds us, or `None` when the embed view is opened on its
/// own (then `window.parent` is the window itself).
fn host() -> Option<web_sys::Window> {
    let parent = window().parent().ok().flatten()?;
    let me = window();
    let same = {
        let a: &JsValue = me.as_ref();
        let b: &JsValue = parent.as_ref();
        a == b
    };
    (!same).then_some(parent)
}

/// Sends a message to the host page (if there is one).
pub fn post(mut msg: Value) {
    msg["mqlab"] = json!(1);
    let Some(parent) = host() else {
        return;
    };
    let Ok(text) = serde_json::to_string(&msg) else {
        return;
    };
    if let Ok(v) = js_sys::JSON::parse(&text) {
        let _ = parent.post_message(&v, "*");
    }
}

fn run_state(id: &str, run: &DemoRun) -> Value {
    let panels: Vec<Value> = run.frames.with_untracked(|frames| {
        frames
            .iter()
            .zip(run.panels.iter())
            .map(|(f, p)| {
                let l = &f.snap.ledger;
                json!({
                    "panel": p.id,
                    "queued": f.snap.queued(),
                    "done": l.count(MsgState::Done),
                    "rejected": l.count(MsgState::Rejected),
                    "lost": l.count(MsgState::Lost),
                })
            })
            .collect()
    });
    json!({
        "type": "state",
        "demo": id,
        "playing": run.playing.get_untracked(),
        "t_us": run.now(),
        "panels": panels,
    })
}

/// Applies one host message; returns an error text for a message that has
/// the right shape but cannot be done.
fn apply(id: &str, run: &DemoRun, msg: &Value, threshold: RwSignal<u64>) -> Result<(), String> {
    let kind = msg
        .get("type")
        .and_then(Value::as_str)
        .ok_or("missing \"type\"")?;
    match kind {
        "play" => run.playing.set(true),
        "pause" => run.playing.set(false),
        "reset" => run.reset(),
        "step" => run.step(),
        "live" => run.jump_live(),
        "get" => post(run_state(id, run)),
        "speed" => {
            let v = msg
                .get("value")
                .and_then(Value::as_f64)
                .ok_or("speed needs a numeric \"value\"")?;
            run.set_speed(v);
        }
        "seek" => {
            let t = match (
                msg.get("t_us").and_then(Value::as_u64),
                msg.get("time").and_then(Value::as_str),
            ) {
                (Some(t), _) => t,
                (None, Some(text)) => mqlab_engine::time::parse_duration(text)?,
                _ => return Err("seek needs \"t_us\" (a number) or \"time\" (e.g. \"12s\")".into()),
            };
            run.seek(t);
        }
        "set" => {
            let key = msg
                .get("key")
                .and_then(Value::as_str)
                .ok_or("set needs a \"key\"")?;
            let def = run.def.param(key).ok_or_else(|| {
                let keys: Vec<&str> = run.def.params.iter().map(|p| p.key).collect();
                format!(
                    "no parameter \"{key}\" (this demo has: {})",
                    keys.join(", ")
                )
            })?;
            let value = match msg.get("value") {
                Some(Value::Bool(b)) => {
                    if *b {
                        1.0
                    } else {
                        0.0
                    }
                }
                Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
                Some(Value::String(s)) => def.parse(s)?,
                _ => return Err("set needs a \"value\"".into()),
            };
            if run.is_fixed_everywhere(key) {
                return Err(format!("\"{key}\" is fixed in this demo"));
            }
            def.check(value)?;
            run.set_param(key, value);
        }
        "watch" => {
            let t = msg
                .get("threshold")
                .and_then(Value::as_u64)
                .ok_or("watch needs a whole-number \"threshold\"")?;
            threshold.set(t);
        }
        other => return Err(format!("unknown type \"{other}\"")),
    }
    Ok(())
}

/// Listens to the host, reports size, state changes and threshold crossings.
pub fn install(active: ActiveRun, lang: RwSignal<Lang>) {
    let threshold = RwSignal::new(DEFAULT_THRESHOLD);
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            // Only the page that embeds us may drive us.
            let from_parent = match (host(), ev.source()) {
                (Some(parent), Some(src)) => {
                    let parent: &JsValue = parent.as_ref();
                    let src: &JsValue = src.as_ref();
                    parent == src
                }
                _ => false,
            };
            if !from_parent {
                return;
            }
            let text = js_sys::JSON::stringify(&ev.data())
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            let Ok(msg) = serde_json::from_str::<Value>(&text) else {
                warn("ignored a message that is not a JSON object");
                return;
            };
            if msg.get("mqlab").and_then(Value::as_u64) != Some(1) {
                // Other tools talk to frames too; only shapes claiming to be ours are warned about.
                if msg
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.starts_with("mqlab"))
                {
                    warn("ignored a message without \"mqlab\": 1");
                }
                return;
            }
            let Some((id, run)) = active.0.get_untracked() else {
                warn("no demo on this page yet");
                return;
            };
            if let Err(e) = apply(id, &run, &msg, threshold) {
                warn(&format!("ignored {text}: {e}"));
                post(json!({"type": "error", "demo": id, "message": e}));
            }
        });
    window()
        .add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())
        .ok();
    on_message.forget(); // lives as long as the page

    // Tell the host we are here and how tall we are.
    let observer_cb = Closure::<dyn Fn()>::new(move || {
        let h = document()
            .document_element()
            .map(|e| e.scroll_height())
            .unwrap_or(0);
        post(json!({"type": "resize", "height": h}));
    });
    if let (Ok(obs), Some(el)) = (
        web_sys::ResizeObserver::new(observer_cb.as_ref().unchecked_ref()),
        document().body(),
    ) {
        obs.observe(&el);
        std::mem::forget(obs);
    }
    observer_cb.forget();

    // Ready once a demo is mounted; state on play/pause; threshold crossings.
    let above = StoredValue::new(Vec::<bool>::new());
    Effect::new(move |_| {
        let Some((id, run)) = active.0.get() else {
            return;
        };
        post(json!({"type": "ready", "demo": id, "lang": lang.get_untracked().tag()}));
        above.set_value(Vec::new());
        let _ = run;
    });
    Effect::new(move |_| {
        let Some((id, run)) = active.0.get() else {
            return;
        };
        let playing = run.playing.get();
        let _ = playing;
        post(run_state(id, &run));
    });
    Effect::new(move |_| {
        let Some((id, run)) = active.0.get() else {
            return;
        };
        let limit = threshold.get();
        let now = run.now();
        let queued: Vec<(String, u64)> = run.frames.with(|f| {
            f.iter()
                .zip(run.panels.iter())
                .map(|(fr, p)| (p.id.to_string(), fr.snap.queued()))
                .collect()
        });
        let mut flags = above.get_value();
        flags.resize(queued.len(), false);
        for (i, (panel, q)) in queued.iter().enumerate() {
            let is_above = *q > limit;
            if is_above != flags[i] {
                flags[i] = is_above;
                post(json!({
                    "type": "event",
                    "event": "queue_crossed",
                    "demo": id,
                    "panel": panel,
                    "threshold": limit,
                    "direction": if is_above { "up" } else { "down" },
                    "queued": q,
                    "t_us": now,
                }));
            }
        }
        above.set_value(flags);
    });
}
