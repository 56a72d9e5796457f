//! Fuzz mode, after PhET's `?fuzz`: `#/demo/<id>?fuzz=<seconds>&seed=<n>`
//! (or the same on `#/embed/<id>`) drives the demo with random input
//! through its real controls — clicks on its buttons, slider moves, switch
//! flips, speed choices, key presses, timeline scrubs, fault and action
//! buttons — found in the page, not listed per demo.
//!
//! One tick per task (the page's effects settle in between): check the
//! page, maybe do one thing a learner could do (real DOM events), then
//! advance a playing run by one fixed frame. Every choice comes from a PRNG seeded by `seed`, and the run
//! is in checked mode (the engine's invariant checks after every change,
//! no wall-clock budget), so a seed replays the same ticks anywhere; only
//! how many ticks fit in the time depends on the machine.
//!
//! When the time is up (or errors pile up) the run pauses and the demo root
//! gets `data-fuzz="done"` and `data-fuzz-result`, JSON:
//! `{"seed":"<n>","ms":…,"ticks":…,"actions":…,"errors":["tick 12 after …: …"],
//! "t_us":…,"deepest_us":…,"kinds":{"click":…,"set":…,"key":…},"marks":[[50,"<digest>"],…]}`
//! (`t_us`: the moment shown at the end; `deepest_us`: the furthest any run
//! got) — a mark every 50 ticks digests the
//! actions so far and every panel's trace hash (two runs of one seed agree
//! on every mark both reached).

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use mqlab_components::DemoRun;
use mqlab_engine::MsgState;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement};

use crate::route::Fuzz;

/// Real time one tick advances a playing run by.
const FRAME_MS: f64 = 16.0;
/// Stop early once this many different errors were seen.
const MAX_ERRORS: usize = 20;
const MARK_EVERY: u32 = 50;
const MAX_MARKS: usize = 400;

struct State {
    rng: u64,
    opts: Fuzz,
    deadline: Option<f64>,
    ticks: u32,
    actions: u32,
    /// Actions by verb: click, set, key.
    kinds: [u32; 3],
    /// The furthest live edge any run reached.
    deepest: u64,
    /// The last action and its tick, for the errors' context.
    last: String,
    errors: Vec<String>,
    /// The errors without their numbers (to report each kind once).
    shapes: Vec<String>,
    digest: u64,
    marks: Vec<(u32, u64)>,
}

impl State {
    /// splitmix64: small, and the same sequence everywhere.
    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when n is 0).
    fn below(&mut self, n: u32) -> u32 {
        (((self.next() >> 32) * u64::from(n)) >> 32) as u32
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// FNV-1a over `bytes` into the running digest.
    fn mix(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.digest = (self.digest ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Notes an error once: the same message on a later tick, or with
    /// other numbers in it, is not new.
    fn error(&mut self, msg: String) {
        let shape: String = msg.chars().filter(|c| !c.is_ascii_digit()).collect();
        if self.errors.len() < MAX_ERRORS && !self.shapes.contains(&shape) {
            self.shapes.push(shape);
            let at = format!("tick {} after {}: ", self.ticks, self.last);
            self.errors.push(at + &msg);
        }
    }
}

/// Starts fuzzing `run` once `root` is mounted (call from the demo's frame).
pub fn start(run: DemoRun, root: NodeRef<leptos::html::Div>, opts: Fuzz) {
    run.check_invariants();
    let st = Rc::new(RefCell::new(State {
        rng: opts.seed,
        opts,
        deadline: None,
        ticks: 0,
        actions: 0,
        kinds: [0; 3],
        deepest: 0,
        last: "the start".into(),
        errors: Vec::new(),
        shapes: Vec::new(),
        digest: 0xcbf2_9ce4_8422_2325,
        marks: Vec::new(),
    }));
    // Gone (and so stops) when the demo is.
    let alive = StoredValue::new(());
    next(run, root, st, alive);
}

/// Runs a tick in a task of its own, then schedules the next: the page's
/// effects (and so the DOM) settle between two ticks, and ticks are not
/// held to the display's frame rate.
fn next(
    run: DemoRun,
    root: NodeRef<leptos::html::Div>,
    st: Rc<RefCell<State>>,
    alive: StoredValue<()>,
) {
    set_timeout(
        move || {
            if alive.try_get_value().is_none() {
                return;
            }
            if let Some(div) = root.get_untracked() {
                if tick(&run, div.as_ref(), &mut st.borrow_mut()) {
                    return;
                }
            }
            next(run, root, st, alive);
        },
        std::time::Duration::ZERO,
    );
}

/// One tick; true when fuzzing is over.
fn tick(run: &DemoRun, root: &Element, st: &mut State) -> bool {
    let now = window().performance().map(|p| p.now()).unwrap_or(0.0);
    if st.deadline.is_none() {
        st.deadline = Some(now + f64::from(st.opts.ms));
        let _ = root.set_attribute("data-fuzz", "running");
        info(&format!(
            "fuzzing for {} ms with seed {}",
            st.opts.ms, st.opts.seed
        ));
    }
    check_page(run, root, st);
    for v in run.take_violations() {
        st.error(format!("invariant broken: {v}"));
    }
    if now >= st.deadline.unwrap_or(0.0) || st.errors.len() >= MAX_ERRORS {
        finish(run, root, st);
        return true;
    }
    if let Some(what) = act(run, root, st) {
        st.actions += 1;
        st.mix(what.as_bytes());
        st.last = format!("{what} (tick {})", st.ticks);
    }
    if run.playing.get_untracked() {
        run.advance(FRAME_MS);
    }
    st.ticks += 1;
    st.deepest = st.deepest.max(run.live_us.get_untracked());
    st.mix(&run.now().to_le_bytes());
    if st.ticks.is_multiple_of(MARK_EVERY) && st.marks.len() < MAX_MARKS {
        for i in 0..run.panels.len() {
            if let Some(h) = run.with_sim(i, |s| s.trace_hash()) {
                st.mix(h.as_bytes());
            }
        }
        st.marks.push((st.ticks, st.digest));
    }
    false
}

/// What must hold on the page whatever the learner did: the clock shown is
/// the run's, every panel stands at that moment, which is not past the live
/// edge; each panel's counts add up to the messages created; every
/// `data-value` is a number; no NaN, inf or undefined is on screen or in
/// an attribute (a chart's path, a dot's position).
fn check_page(run: &DemoRun, root: &Element, st: &mut State) {
    let now = run.now();
    let shown = root
        .query_selector("[data-testid=sim-time]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("data-time-us"));
    let shown = shown.unwrap_or_default();
    if shown != now.to_string() {
        st.error(format!(
            "the clock shows '{shown}' µs, the run is at {now} µs"
        ));
    }
    for (i, p) in run.panels.iter().enumerate() {
        if let Some(t) = run.with_sim(i, |s| s.now()).filter(|t| *t != now) {
            st.error(format!(
                "panel {} is at {t} µs, the clock at {now} µs",
                p.id
            ));
        }
    }
    let live = run.live_us.get_untracked();
    if now > live {
        st.error(format!(
            "the moment shown ({now} µs) is after the live edge ({live} µs)"
        ));
    }
    let miscounted: Vec<String> = run.frames.with_untracked(|frames| {
        frames
            .iter()
            .zip(run.panels)
            .filter_map(|(f, p)| {
                let l = &f.snap.ledger;
                let sum: u64 = MsgState::ALL.iter().map(|s| l.count(*s)).sum();
                (sum != l.total).then(|| {
                    format!(
                        "panel {}: {} messages created, {sum} counted",
                        p.id, l.total
                    )
                })
            })
            .collect()
    });
    for m in miscounted {
        st.error(m);
    }
    if let Ok(list) = root.query_selector_all("[data-value]") {
        for i in 0..list.length() {
            let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let v = e.get_attribute("data-value").unwrap_or_default();
            if !mqlab_engine::num::parse_decimal(&v).is_some_and(f64::is_finite) {
                st.error(format!("{} has data-value '{v}'", name(&e)));
            }
        }
    }
    let text = root.inner_html();
    if let Some(w) = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| matches!(*w, "NaN" | "inf" | "Infinity" | "undefined"))
    {
        st.error(format!("\"{w}\" in the page"));
    }
}

const VERBS: [&str; 3] = ["click", "set", "key"];

/// What an action does to the element it picked.
enum Do {
    Click,
    /// Set the value and fire `input`, then `change` if let go (a drag
    /// that is never let go fires `input` only).
    Set(String, bool),
    Key(&'static str),
}

/// Maybe does one thing a learner could do, with real DOM events on the
/// demo's own controls; says what, or None. Mostly it lets time run (and
/// presses Play soon after anything paused the run), so that runs get
/// deep enough to fill queues, take checkpoints and go idle.
fn act(run: &DemoRun, root: &Element, st: &mut State) -> Option<String> {
    const KEYS: [&str; 6] = [" ", "ArrowRight", "ArrowRight", "ArrowLeft", "Enter", "x"];
    const TEXT: [&str; 5] = ["", "x", "-1", "1.5", "99999999999999999999"];
    if !run.playing.get_untracked() && st.chance(20) {
        let el = pick(root, "[data-testid=play]", st)?;
        return click_it(el, st);
    }
    let (el, what) = match st.below(1000) {
        0..=699 => return None,
        700..=759 => (
            pick(
                root,
                "button:not(:disabled):not([data-testid=reset]),summary",
                st,
            )?,
            Do::Click,
        ),
        // A slider or the timeline: anywhere, or a nudge.
        760..=819 => {
            let el = pick(root, "input[type=range]:not(:disabled)", st)?;
            let num = |k: &str, d: i64| {
                el.get_attribute(k)
                    .and_then(|v| mqlab_engine::num::parse_decimal(&v))
                    .map_or(d, |v| v as i64)
            };
            let (min, max) = (num("min", 0), num("max", 100));
            let span = (max - min).max(0) as u32;
            let to = if st.chance(50) {
                min + i64::from(st.below(span + 1))
            } else {
                let now = js_sys::Reflect::get(&el, &"value".into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(min);
                let step = i64::from(st.below(span / 10 + 1)) - i64::from(span / 20);
                (now + step).clamp(min, max)
            };
            let let_go = st.chance(85);
            (el, Do::Set(to.to_string(), let_go))
        }
        820..=849 => (
            pick(
                root,
                "input[type=checkbox]:not(:disabled),input[type=radio]:not(:disabled)",
                st,
            )?,
            Do::Click,
        ),
        850..=869 => {
            let el = pick(root, "select:not(:disabled)", st)?;
            let v = pick(&el, "option", st)?.get_attribute("value")?;
            (el, Do::Set(v, true))
        }
        // Mostly on the demo itself (Space plays, → steps), now and then
        // on one of its controls (which must then leave the key alone).
        870..=929 => {
            let k = KEYS[st.below(KEYS.len() as u32) as usize];
            let el = if st.chance(80) {
                None
            } else {
                pick(root, "button,input,select", st)
            };
            (el.unwrap_or_else(|| root.clone()), Do::Key(k))
        }
        // Faults and the demo's own actions.
        930..=979 => (
            pick(
                root,
                "[data-testid^=action-]:not(:disabled):not([aria-disabled=true])",
                st,
            )?,
            Do::Click,
        ),
        980..=989 => (pick(root, "[data-testid=reset]", st)?, Do::Click),
        // A text field (the seed): a number, or something that is not.
        990..=994 => {
            let el = pick(
                root,
                "input:not([type]):not([readonly]),input[type=text]:not([readonly])",
                st,
            )?;
            let v = if st.chance(70) {
                st.below(1_000_000).to_string()
            } else {
                TEXT[st.below(TEXT.len() as u32) as usize].to_string()
            };
            (el, Do::Set(v, true))
        }
        // The language switch is in the site header, outside the demo.
        _ => (
            pick(
                &document().document_element()?,
                "[data-testid=lang-switch]",
                st,
            )?,
            Do::Click,
        ),
    };
    let (verb, detail) = match what {
        Do::Click => {
            el.dyn_ref::<HtmlElement>()?.click();
            (0, String::new())
        }
        Do::Set(v, let_go) => {
            let _ = js_sys::Reflect::set(&el, &"value".into(), &v.as_str().into());
            fire(&el, "input");
            if let_go {
                fire(&el, "change");
            }
            (1, format!(" {v}{}", if let_go { "" } else { " (held)" }))
        }
        Do::Key(k) => {
            let init = web_sys::KeyboardEventInit::new();
            init.set_key(k);
            init.set_bubbles(true);
            init.set_cancelable(true);
            let ev =
                web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).ok()?;
            let _ = el.dispatch_event(&ev);
            (2, format!(" {}", if k == " " { "Space" } else { k }))
        }
    };
    st.kinds[verb] += 1;
    Some(format!("{} {}{detail}", VERBS[verb], name(&el)))
}

fn click_it(el: Element, st: &mut State) -> Option<String> {
    el.dyn_ref::<HtmlElement>()?.click();
    st.kinds[0] += 1;
    Some(format!("click {}", name(&el)))
}

/// A random element under `scope` matching `sel`.
fn pick(scope: &Element, sel: &str, st: &mut State) -> Option<Element> {
    let list = scope.query_selector_all(sel).ok()?;
    let n = list.length();
    if n == 0 {
        return None;
    }
    list.item(st.below(n))?.dyn_into::<Element>().ok()
}

/// How an element is called in a report: its test id, else its tag.
fn name(e: &Element) -> String {
    e.get_attribute("data-testid")
        .unwrap_or_else(|| e.tag_name().to_ascii_lowercase())
}

/// Dispatches a bubbling event, as the browser does for a real one.
fn fire(e: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    if let Ok(ev) = web_sys::Event::new_with_event_init_dict(kind, &init) {
        let _ = e.dispatch_event(&ev);
    }
}

fn finish(run: &DemoRun, root: &Element, st: &State) {
    run.playing.set(false);
    let mut j = format!(
        "{{\"seed\":\"{}\",\"ms\":{},\"ticks\":{},\"actions\":{},\"errors\":[",
        st.opts.seed, st.opts.ms, st.ticks, st.actions
    );
    for (i, e) in st.errors.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        json_string(&mut j, e);
    }
    j.push_str(&format!(
        "],\"t_us\":{},\"deepest_us\":{},\"kinds\":{{\"click\":{},\"set\":{},\"key\":{}}},\"marks\":[",
        run.now(),
        st.deepest,
        st.kinds[0],
        st.kinds[1],
        st.kinds[2]
    ));
    for (i, (t, d)) in st.marks.iter().enumerate() {
        if i > 0 {
            j.push(',');
        }
        j.push_str(&format!("[{t},\"{d}\"]"));
    }
    j.push_str("]}");
    let _ = root.set_attribute("data-fuzz-result", &j);
    let _ = root.set_attribute("data-fuzz", "done");
    info(&format!("done: {j}"));
}

/// `s` as a JSON string literal (control characters become spaces).
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn info(msg: &str) {
    web_sys::console::info_1(&JsValue::from_str(&format!("mqlab fuzz: {msg}")));
}
