//! The embed API: a host page drives an embedded demo with `postMessage`
//! and hears back what happens. Every message is a plain object with
//! `mqlab: 1` and a `type`; see README.md ("Embedding") for the list.
//! Messages of the wrong shape are ignored with a console warning.

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use mqlab_components::{DemoRun, Lang};
use mqlab_engine::MsgState;
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

/// A plain JS object from `(key, value)` pairs (messages are built with
/// js-sys: no JSON library in the browser build).
fn obj(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn n(x: impl Into<f64>) -> JsValue {
    JsValue::from_f64(x.into())
}

/// Whole numbers cross as JS numbers (exact up to 2^53, which µs and
/// counts here never reach).
fn u(x: u64) -> JsValue {
    JsValue::from_f64(x as f64)
}

/// Sends a message to the host page (if there is one).
pub fn post(msg: JsValue) {
    let _ = Reflect::set(&msg, &s("mqlab"), &n(1));
    if let Some(parent) = host() {
        let _ = parent.post_message(&msg, "*");
    }
}

fn run_state(id: &str, run: &DemoRun) -> JsValue {
    let panels = js_sys::Array::new();
    run.frames.with_untracked(|frames| {
        for (f, p) in frames.iter().zip(run.panels.iter()) {
            let l = &f.snap.ledger;
            panels.push(&obj(&[
                ("panel", s(p.id)),
                ("queued", u(f.snap.queued())),
                ("done", u(l.count(MsgState::Done))),
                ("rejected", u(l.count(MsgState::Rejected))),
                ("lost", u(l.count(MsgState::Lost))),
            ]));
        }
    });
    obj(&[
        ("type", s("state")),
        ("demo", s(id)),
        ("playing", JsValue::from_bool(run.playing.get_untracked())),
        ("t_us", u(run.now())),
        ("panels", panels.into()),
    ])
}

/// Field `key` of a host message (`undefined` when absent).
fn field(msg: &JsValue, key: &str) -> JsValue {
    Reflect::get(msg, &s(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A whole, non-negative number that a JS number holds exactly.
fn as_u64(v: &JsValue) -> Option<u64> {
    v.as_f64()
        .filter(|x| x.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(x))
        .map(|x| x as u64)
}

/// Applies one host message; returns an error text for a message that has
/// the right shape but cannot be done.
fn apply(id: &str, run: &DemoRun, msg: &JsValue, threshold: RwSignal<u64>) -> Result<(), String> {
    let kind = field(msg, "type").as_string().ok_or("missing \"type\"")?;
    match kind.as_str() {
        "play" => run.playing.set(true),
        "pause" => run.playing.set(false),
        "reset" => run.reset(),
        "step" => run.step(),
        "live" => run.jump_live(),
        "get" => post(run_state(id, run)),
        "speed" => {
            let v = field(msg, "value")
                .as_f64()
                .ok_or("speed needs a numeric \"value\"")?;
            run.set_speed(v);
        }
        "seek" => {
            let t = match (as_u64(&field(msg, "t_us")), field(msg, "time").as_string()) {
                (Some(t), _) => t,
                (None, Some(text)) => mqlab_engine::time::parse_duration(&text)?,
                _ => return Err("seek needs \"t_us\" (a number) or \"time\" (e.g. \"12s\")".into()),
            };
            run.seek(t);
        }
        "set" => {
            let key = field(msg, "key").as_string().ok_or("set needs a \"key\"")?;
            let def = run.def.param(&key).ok_or_else(|| {
                let keys: Vec<&str> = run.def.params.iter().map(|p| p.key).collect();
                format!(
                    "no parameter \"{key}\" (this demo has: {})",
                    keys.join(", ")
                )
            })?;
            let raw = field(msg, "value");
            let value = if let Some(b) = raw.as_bool() {
                if b {
                    1.0
                } else {
                    0.0
                }
            } else if let Some(x) = raw.as_f64() {
                x
            } else if let Some(text) = raw.as_string() {
                def.parse(&text)?
            } else {
                return Err("set needs a \"value\"".into());
            };
            if run.is_fixed_everywhere(&key) {
                return Err(format!("\"{key}\" is fixed in this demo"));
            }
            def.check(value)?;
            run.set_param(&key, value);
        }
        "watch" => {
            let t = as_u64(&field(msg, "threshold"))
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
            let msg = ev.data();
            let text = js_sys::JSON::stringify(&msg)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            if !msg.is_object() || js_sys::Array::is_array(&msg) {
                warn("ignored a message that is not a JSON object");
                return;
            }
            if as_u64(&field(&msg, "mqlab")) != Some(1) {
                // Other tools talk to frames too; only shapes claiming to be ours are warned about.
                if field(&msg, "type")
                    .as_string()
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
                post(obj(&[
                    ("type", s("error")),
                    ("demo", s(id)),
                    ("message", s(&e)),
                ]));
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
        post(obj(&[("type", s("resize")), ("height", n(h))]));
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
        post(obj(&[
            ("type", s("ready")),
            ("demo", s(id)),
            ("lang", s(lang.get_untracked().tag())),
        ]));
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
                post(obj(&[
                    ("type", s("event")),
                    ("event", s("queue_crossed")),
                    ("demo", s(id)),
                    ("panel", s(panel)),
                    ("threshold", u(limit)),
                    ("direction", s(if is_above { "up" } else { "down" })),
                    ("queued", u(*q)),
                    ("t_us", u(now)),
                ]));
            }
        }
        above.set_value(flags);
    });
}
