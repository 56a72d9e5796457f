//! Browser hooks: an animation-frame loop, visibility on screen, and the
//! reader's reduced-motion preference. Only used in the browser.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Milliseconds from the browser's monotonic clock.
pub fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// Calls `f` once the DOM updates that the current code triggered have
/// been made: Leptos runs its effects as tasks of the page's executor, and
/// this task is queued after them. (A timer would be no good here: the
/// browser may run it only after the next frame.)
pub fn after_updates(f: impl FnOnce() + 'static) {
    leptos::task::spawn_local(async move { f() });
}

/// Calls `f` once the browser has finished the frame being prepared: a
/// task queued from an animation-frame callback runs after that frame's
/// style, layout and paint (perhaps later still, never earlier).
pub fn after_frame(f: impl FnOnce() + 'static) {
    set_timeout(f, std::time::Duration::ZERO);
}

/// The Performance-timeline mark set once the page's first frame has been
/// painted (benchmarks measure load time up to it).
pub const FIRST_FRAME_MARK: &str = "mqlab-first-frame";

/// Sets [`FIRST_FRAME_MARK`] after the next frame has been painted, once per
/// page: the first caller wins (a demo page calls it from its demo frame).
pub fn mark_first_frame() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static MARKED: AtomicBool = AtomicBool::new(false);
    if MARKED.swap(true, Ordering::Relaxed) {
        return;
    }
    request_animation_frame(|| {
        after_frame(|| {
            if let Some(p) = window().performance() {
                let _ = p.mark(FIRST_FRAME_MARK);
            }
        })
    });
}

/// Calls `tick(dt_ms)` on every animation frame while `active` is true.
/// The loop stops by itself when `active` turns false or the owner is
/// disposed, so a paused or hidden demo costs nothing per frame.
pub fn use_raf_loop(active: Signal<bool>, tick: impl Fn(f64) + 'static) {
    let alive = StoredValue::new(true);
    on_cleanup(move || alive.set_value(false));
    let tick: Rc<dyn Fn(f64)> = Rc::new(tick);
    let running = Rc::new(RefCell::new(false));
    Effect::new(move |_| {
        if !active.get() || *running.borrow() {
            return;
        }
        *running.borrow_mut() = true;
        frame(tick.clone(), running.clone(), alive, active, None);
    });
}

fn frame(
    tick: Rc<dyn Fn(f64)>,
    running: Rc<RefCell<bool>>,
    alive: StoredValue<bool>,
    active: Signal<bool>,
    last: Option<f64>,
) {
    request_animation_frame(move || {
        let keep =
            alive.try_get_value().unwrap_or(false) && active.try_get_untracked().unwrap_or(false);
        if !keep {
            *running.borrow_mut() = false;
            return;
        }
        let now = now_ms();
        let dt = last.map(|l| now - l).unwrap_or(0.0);
        tick(dt);
        frame(tick, running, alive, active, Some(now));
    });
}

/// Sets `visible` while the element is (at least partly) on screen.
pub fn use_on_screen(target: NodeRef<leptos::html::Div>, visible: RwSignal<bool>) {
    Effect::new(move |_| {
        let Some(el) = target.get() else { return };
        let cb = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let mut on = None;
            for e in entries.iter() {
                if let Ok(entry) = e.dyn_into::<web_sys::IntersectionObserverEntry>() {
                    on = Some(entry.is_intersecting());
                }
            }
            if let Some(on) = on {
                if visible.try_get_untracked() != Some(on) {
                    visible.try_set(on);
                }
            }
        });
        if let Ok(observer) = web_sys::IntersectionObserver::new(cb.as_ref().unchecked_ref()) {
            let el: &web_sys::Element = el.as_ref();
            observer.observe(el);
            // The observer and its callback live exactly as long as the widget.
            let keep = send_wrapper::SendWrapper::new((observer, cb));
            on_cleanup(move || {
                let (observer, cb) = keep.take();
                observer.disconnect();
                drop(cb);
            });
        }
    });
}

/// True when the reader asked the system for reduced motion.
pub fn prefers_reduced_motion() -> bool {
    window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .map(|m| m.matches())
        .unwrap_or(false)
}
