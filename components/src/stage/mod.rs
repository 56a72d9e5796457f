//! The stage: an SVG diagram of the scenario's nodes with live status and
//! message dots interpolated from the engine's movements.

use leptos::prelude::*;
use mqlab_engine::num::push_fixed;
use mqlab_engine::render::{ConsumerView, MoveKind, NodeKind, Snapshot};

use crate::format::{px, thousands};
use crate::i18n::{use_lang, words, Lang, Text};
use crate::runner::{DemoRun, PanelFrame};

/// Font sizes of a node's name (bold) and status line, in stage units, as
/// in stage.css; the name's bold weight is counted as 10 % wider.
const NAME_PX: f64 = 13.0 * 1.1;
const STATUS_PX: f64 = 12.0;

/// Where a node sits on the stage.
#[derive(Clone, Copy, Debug)]
pub struct NodeSpot {
    /// The engine's node name.
    pub name: &'static str,
    pub x: f64,
    pub y: f64,
    pub label: Text,
    /// For a consumer group: how the log names one of its consumers, with
    /// `{n}` for its number from 1 ("消费者 {n}" / "consumer {n}"), or
    /// without it for a group of one ("订阅者 3" / "Subscriber 3"). `None`
    /// says "consumer {n} of {label}" (see event_log::member_name).
    pub member: Option<Text>,
}

impl NodeSpot {
    pub const fn new(name: &'static str, x: f64, y: f64, label: Text) -> Self {
        NodeSpot {
            name,
            x,
            y,
            label,
            member: None,
        }
    }

    /// The same spot, naming its consumers `member` in the log.
    pub const fn with_member(self, member: Text) -> Self {
        NodeSpot {
            member: Some(member),
            ..self
        }
    }
}

/// A stage's fixed geometry.
#[derive(Clone, Copy, Debug)]
pub struct StageLayout {
    pub width: f64,
    pub height: f64,
    pub spots: &'static [NodeSpot],
    /// Lines drawn between nodes (by name).
    pub links: &'static [(&'static str, &'static str)],
}

/// Most consumer boxes drawn per group; more are summarised as "+N".
pub const MAX_LANES: usize = 8;
const LANE_GAP: f64 = 22.0;
const NODE_W: f64 = 132.0;
const NODE_H: f64 = 56.0;
/// The width a node's text may take inside its box (5 units each side).
const TEXT_W: f64 = NODE_W - 10.0;

/// A generous estimate of a text's width in em (DejaVu Sans, the widest
/// common fallback, is the reference): wide (CJK) characters 1, capitals,
/// digits and the wide lowercase letters .75, narrow ones .4, the rest .64.
fn width_em(s: &str) -> f64 {
    s.chars()
        .map(|c| match c {
            ' ' | '.' | ',' | ':' | ';' | '·' | '/' | '(' | ')' | '|' | '\'' | 'i' | 'j' | 'l'
            | 't' | 'f' | 'r' => 0.4,
            'A'..='Z' | '0'..='9' | 'm' | 'w' | '×' | '%' | '#' => 0.75,
            c if u32::from(c) >= 0x2E80 => 1.0,
            _ => 0.64,
        })
        .sum()
}

/// The `textLength` that keeps a line of `font_px` text inside a node's
/// box: set only when the text could be wider than the box, so that SVG
/// fits it by layout (whatever the font); `None` leaves the text as it is.
fn fit_length(s: &str, font_px: f64) -> Option<String> {
    (width_em(s) * font_px > TEXT_W).then(|| px(TEXT_W))
}

impl StageLayout {
    fn spot(&self, name: &str) -> Option<&NodeSpot> {
        self.spots.iter().find(|s| s.name == name)
    }
}

fn lane_y(center: f64, lane: usize, lanes: usize) -> f64 {
    center + (lane as f64 - (lanes.max(1) as f64 - 1.0) / 2.0) * LANE_GAP
}

/// Position of a node (and consumer lane) on the stage.
fn anchor(layout: &StageLayout, snap: &Snapshot, node: u16, lane: u16) -> Option<(f64, f64)> {
    let name = snap.nodes.get(node as usize)?.name.as_str();
    let spot = layout.spot(name)?;
    if let Some(g) = snap.groups.iter().find(|g| g.node == node) {
        let lanes = g.consumers.len().clamp(1, MAX_LANES);
        return Some((spot.x, lane_y(spot.y, lane as usize % MAX_LANES, lanes)));
    }
    Some((spot.x, spot.y))
}

/// SVG path data for all dots of one kind (one attribute update per frame).
fn dots_path(layout: &StageLayout, frame: &PanelFrame, kinds: &[MoveKind], shape: Shape) -> String {
    let mut d = String::new();
    let t = frame.snap.time_us;
    for m in frame.moves.iter().filter(|m| kinds.contains(&m.kind)) {
        let (Some(a), Some(b)) = (
            anchor(layout, &frame.snap, m.from, m.lane),
            anchor(layout, &frame.snap, m.to, m.lane),
        ) else {
            continue;
        };
        let p = m.progress(t);
        let (x, y) = (a.0 + (b.0 - a.0) * p, a.1 + (b.1 - a.1) * p);
        let (x, y, tail) = match shape {
            Shape::Dot => (x, y, "m-5 0a5 5 0 1 0 10 0a5 5 0 1 0 -10 0"),
            Shape::Diamond => (x, y - 5.0, "l5 5l-5 5l-5 -5z"),
            Shape::Cross => (x - 4.0, y - 4.0, "l8 8m0 -8l-8 8"),
        };
        d.push('M');
        push_fixed(&mut d, x, 1);
        d.push(' ');
        push_fixed(&mut d, y, 1);
        d.push_str(tail);
    }
    d
}

#[derive(Clone, Copy)]
enum Shape {
    Dot,
    Diamond,
    Cross,
}

/// Whether a node is drawn dimmed: a queue nothing can feed now (an
/// unsubscribed subscriber, see `QueueView::attached`) once it is empty,
/// and the consumers that read it once they are idle.
fn detached(snap: &Snapshot, node: u16) -> bool {
    let queue_detached = |q: u16| {
        snap.queues
            .iter()
            .any(|v| v.node == q && !v.attached && v.len == 0)
    };
    match snap.groups.iter().find(|g| g.node == node) {
        Some(g) => queue_detached(g.queue) && g.consumers.iter().all(|c| c.busy == 0),
        None => queue_detached(node),
    }
}

/// Whether node `name` is a caller waiting on the line for an answer (a
/// synchronous call): its links are drawn held.
fn holds_the_line(snap: &Snapshot, name: &str) -> bool {
    let node = snap.nodes.iter().find(|n| n.name == name);
    node.and_then(|n| snap.producers.iter().find(|p| p.node == n.id))
        .is_some_and(|p| p.waiting_for_reply > 0)
}

/// Status lines under a node's name.
fn node_status(snap: &Snapshot, node: u16, lang: Lang) -> (String, bool) {
    let per_s = words::PER_S.get(lang);
    let kind = snap.nodes.get(node as usize).map(|n| n.kind);
    match kind {
        Some(NodeKind::Producer) => {
            let p = snap.producers.iter().find(|p| p.node == node);
            match p {
                Some(p) if p.waiting_for_reply > 0 => (
                    format!(
                        "{} {}",
                        words::WAITING.get(lang),
                        thousands(p.waiting_for_reply)
                    ),
                    false,
                ),
                Some(p) => (
                    format!("{}{per_s}", crate::format::number(p.rate_per_s)),
                    false,
                ),
                None => (String::new(), false),
            }
        }
        Some(NodeKind::Queue) => {
            let q = snap.queues.iter().find(|q| q.node == node);
            match q {
                Some(_) if !snap.broker_up => (words::DOWN.get(lang).to_string(), true),
                Some(q) => {
                    let mut text = format!("{} / {}", thousands(q.len), thousands(q.capacity));
                    let held = unacked(snap, node);
                    if held > 0 {
                        // Delivered and not yet acked (RabbitMQ's "Unacked"):
                        // a consumer retrying a down service holds them.
                        text = format!("{text} · {} {}", words::UNACKED.get(lang), thousands(held));
                    }
                    (text, false)
                }
                None => (String::new(), false),
            }
        }
        Some(NodeKind::Consumers) => {
            let g = snap.groups.iter().find(|g| g.node == node);
            match g {
                Some(g) if !g.online => (words::OFFLINE.get(lang).to_string(), true),
                Some(g) => (format!("×{}", g.consumers.len()), false),
                None => (String::new(), false),
            }
        }
        Some(NodeKind::Service) => {
            let s = snap.services.iter().find(|s| s.node == node);
            match s {
                Some(s) if !s.up => (words::DOWN.get(lang).to_string(), true),
                Some(s) => (
                    format!(
                        "{} {}/{} · {} {}",
                        words::BUSY.get(lang),
                        s.busy,
                        s.concurrency,
                        words::WAITING.get(lang),
                        s.waiting
                    ),
                    false,
                ),
                None => (String::new(), false),
            }
        }
        // A topic holds nothing: its links to the queues say what it does.
        Some(NodeKind::Topic) | None => (String::new(), false),
    }
}

/// Which elements a stage draws: the spots that have a node in this run
/// (with how many consumer lanes a group shows) and the links between
/// them. The DOM is rebuilt only when this changes (a restart, a new
/// consumer count); the numbers inside update in place every frame.
#[derive(Clone, Debug, PartialEq)]
struct Drawn {
    /// (spot index, node id, kind, lanes shown, consumers beyond those).
    nodes: Vec<(usize, u16, NodeKind, usize)>,
    /// Indices into `layout.links`.
    links: Vec<usize>,
}

fn drawn(layout: &StageLayout, snap: &Snapshot) -> Drawn {
    let node_of = |name: &str| snap.nodes.iter().find(|n| n.name == name);
    let nodes = layout
        .spots
        .iter()
        .enumerate()
        .filter_map(|(i, spot)| {
            let node = node_of(spot.name)?;
            let lanes = match node.kind {
                NodeKind::Consumers => snap
                    .groups
                    .iter()
                    .find(|g| g.node == node.id)?
                    .consumers
                    .len()
                    .min(MAX_LANES),
                _ => 0,
            };
            Some((i, node.id, node.kind, lanes))
        })
        .collect();
    let links = layout
        .links
        .iter()
        .enumerate()
        .filter(|(_, (a, b))| {
            // Only between nodes this run actually has.
            layout.spot(a).is_some()
                && layout.spot(b).is_some()
                && node_of(a).is_some()
                && node_of(b).is_some()
        })
        .map(|(i, _)| i)
        .collect();
    Drawn { nodes, links }
}

/// The diagram for one panel of a run.
#[component]
pub fn Stage(
    /// The run.
    run: DemoRun,
    /// Which of its panels.
    index: usize,
    /// Geometry and labels.
    layout: &'static StageLayout,
    /// Accessible description of the whole picture.
    #[prop(into)]
    label: Signal<String>,
) -> impl IntoView {
    let lang = use_lang();
    let view_box = format!(
        "0 0 {} {}",
        mqlab_engine::num::short(layout.width),
        mqlab_engine::num::short(layout.height)
    );
    // Its width on a narrow screen, where it scrolls sideways rather than
    // shrink its text below .85 of its size (stage.css); elsewhere the CSS
    // width (the panel's) overrides this attribute.
    let narrow_w = px(layout.width * 0.85);
    let shape = Memo::new(move |_| with_panel(run, index, |p| drawn(layout, &p.snap)));
    let links = move || {
        shape.with(|d| {
            d.as_ref().map(|d| {
                d.links
                    .iter()
                    .filter_map(|i| {
                        let (a, b) = layout.links[*i];
                        let (sa, sb) = (layout.spot(a)?, layout.spot(b)?);
                        let holding = move || with_panel(run, index, |p| holds_the_line(&p.snap, a)).unwrap_or(false);
                        Some(view! {
                            <line class="stage-link" class:holding=holding x1=px(sa.x) y1=px(sa.y) x2=px(sb.x) y2=px(sb.y) />
                        })
                    })
                    .collect_view()
            })
        })
    };
    let nodes = move || {
        shape.with(|d| {
            d.as_ref().map(|d| {
                d.nodes
                    .iter()
                    .map(|&(i, id, kind, lanes)| {
                        node_view(run, index, &layout.spots[i], id, kind, lanes, lang)
                    })
                    .collect_view()
            })
        })
    };
    let path_for = move |kinds: &'static [MoveKind], shape: Shape| {
        move || with_panel(run, index, |f| dots_path(layout, f, kinds, shape)).unwrap_or_default()
    };
    view! {
        // Focusable: on a narrow screen it scrolls sideways, and a keyboard
        // must be able to scroll it (axe: scrollable-region-focusable).
        <figure class="stage" tabindex="0">
            <svg
                data-testid="stage"
                class="stage-svg"
                viewBox=view_box
                width=narrow_w
                role="img"
                aria-label=move || label.get()
                preserveAspectRatio="xMidYMid meet"
            >
                <g class="stage-links">{links}</g>
                <g class="stage-nodes">{nodes}</g>
                <path class="dots msg" d=path_for(&[MoveKind::Publish, MoveKind::Deliver, MoveKind::Call], Shape::Dot) />
                <path class="dots reply" d=path_for(&[MoveKind::Reply], Shape::Diamond) />
                <path class="dots refused" d=path_for(&[MoveKind::Refused], Shape::Cross) />
            </svg>
            <figcaption class="stage-legend">
                <span class="legend msg">{move || words::LEGEND_MESSAGE.get(lang.get())}</span>
                <span class="legend reply">{move || words::LEGEND_REPLY.get(lang.get())}</span>
                <span class="legend refused">{move || words::LEGEND_REFUSED.get(lang.get())}</span>
                <span class="legend note">{move || words::DOTS_SAMPLED.get(lang.get())}</span>
            </figcaption>
        </figure>
    }
}

/// One node's elements; what changes from frame to frame (status line,
/// fill levels, crashed or offline consumers) is bound to the run's frames
/// and updated in place.
fn node_view(
    run: DemoRun,
    index: usize,
    spot: &'static NodeSpot,
    id: u16,
    kind: NodeKind,
    lanes: usize,
    lang: Signal<Lang>,
) -> AnyView {
    let (x, y) = (spot.x, spot.y);
    // The status line and whether it is bad news; a memo, so the text node
    // is touched only when the words change.
    let status = Memo::new(move |_| {
        let l = lang.get();
        with_panel(run, index, |p| {
            let (text, bad) = node_status(&p.snap, id, l);
            let extra = p
                .snap
                .groups
                .iter()
                .find(|g| g.node == id)
                .map_or(0, |g| g.consumers.len().saturating_sub(MAX_LANES));
            if extra > 0 {
                // "×10 (+2)" beside 8 boxes read as 12: say how many are drawn.
                let drawn = words::DRAWN_N.get(l).replace("{n}", &MAX_LANES.to_string());
                (format!("{text} · {drawn}"), bad)
            } else {
                (text, bad)
            }
        })
        .unwrap_or_default()
    });
    let text = move || status.with(|s| s.0.clone());
    let bad = move || status.with(|s| s.1);
    let dim =
        Memo::new(move |_| with_panel(run, index, |p| detached(&p.snap, id)).unwrap_or(false));
    let name = move || spot.label.get(lang.get());
    match kind {
        NodeKind::Consumers => {
            let boxes = (0..lanes)
                .map(|lane| {
                    let ly = lane_y(y, lane, lanes);
                    // 0 idle, 1 offline, 2 crashed; then the busy fraction.
                    let lane_of = move |f: fn(&ConsumerView) -> f64| {
                        with_panel(run, index, |p| consumer(&p.snap, id, lane).map(f))
                            .flatten()
                            .unwrap_or(0.0)
                    };
                    let state = Memo::new(move |_| {
                        lane_of(|c| if c.crashed { 2.0 } else if !c.online { 1.0 } else { 0.0 }) as u8
                    });
                    let fill = move || {
                        // Held beyond its workers (a prefetch) is still full.
                        32.0 * lane_of(|c| if c.slots == 0 { 0.0 } else { (c.busy as f64 / c.slots as f64).min(1.0) })
                    };
                    let cls = move || match state.get() {
                        2 => "consumer crashed",
                        1 => "consumer offline",
                        _ => "consumer",
                    };
                    view! {
                        <g class=cls>
                            <rect class="consumer-box" x=px(x - 16.0) y=px(ly - 9.0) width=32 height=18 rx=4 />
                            <rect class="consumer-fill" x=px(x - 16.0) y=px(ly - 9.0) width=move || px(fill()) height=18 rx=4 />
                            {move || (state.get() == 2).then(|| view! {
                                <path class="consumer-x" d=format!("M{} {}l12 12m0 -12l-12 12", px(x - 6.0), px(ly - 6.0)) />
                            })}
                        </g>
                    }
                })
                .collect_view();
            let top = lane_y(y, 0, lanes) - 20.0;
            let bottom = lane_y(y, lanes.saturating_sub(1), lanes) + 24.0;
            view! {
                <g class:detached=move || dim.get()>
                    {boxes}
                    <text class="node-name" x=px(x) y=px(top) text-anchor="middle">{name}</text>
                    <text class=move || if bad() { "node-status bad" } else { "node-status" } x=px(x) y=px(bottom + 2.0) text-anchor="middle">
                        {text}
                    </text>
                </g>
            }
            .into_any()
        }
        _ => {
            let shape = match kind {
                NodeKind::Producer => "node producer",
                NodeKind::Queue => "node queue",
                // A routing point, not a place where messages wait: drawn
                // as a small hub with its name above (stage.css).
                NodeKind::Topic => "node topic",
                _ => "node service",
            };
            let replicas = (kind == NodeKind::Queue).then(|| replicas_view(run, index, x, y, lang));
            let fill = (kind == NodeKind::Queue).then(|| {
                let level = move || with_panel(run, index, |p| queue_level(&p.snap, id)).unwrap_or(0.0);
                view! {
                    <rect class="queue-fill" x=px(x - NODE_W / 2.0 + 4.0) y=px(y + NODE_H / 2.0 - 10.0) width=move || px((NODE_W - 8.0) * level()) height=6 rx=3 />
                }
            });
            view! {
                <g class=move || format!("{shape}{}{}", if bad() { " bad" } else { "" }, if dim.get() { " detached" } else { "" })>
                    <rect class="node-box" x=px(x - NODE_W / 2.0) y=px(y - NODE_H / 2.0) width=px(NODE_W) height=px(NODE_H) rx=8 />
                    {fill}
                    <text class="node-name" x=px(x) y=px(y - 4.0) text-anchor="middle"
                        textLength=move || fit_length(spot.label.get(lang.get()), NAME_PX) lengthAdjust="spacingAndGlyphs">{name}</text>
                    <text class="node-status" x=px(x) y=px(y + 12.0) text-anchor="middle"
                        textLength=move || status.with(|s| fit_length(&s.0, STATUS_PX)) lengthAdjust="spacingAndGlyphs">{text}</text>
                    {replicas}
                </g>
            }
            .into_any()
        }
    }
}

const REPLICA_W: f64 = 26.0;
const REPLICA_GAP: f64 = 6.0;

/// The broker's replica set under its queue box, when it has more than one
/// copy: one small box per replica, the leader marked, a crashed one
/// crossed out. Failover shows as the mark moving to another box.
fn replicas_view(run: DemoRun, index: usize, x: f64, y: f64, lang: Signal<Lang>) -> impl IntoView {
    // (replicas, leader, up per replica): changes only on a fault.
    let set = Memo::new(move |_| {
        with_panel(run, index, |p| {
            p.snap
                .replication
                .as_ref()
                .filter(|r| r.replicas > 1)
                .map(|r| (r.replicas, r.leader, r.up.clone()))
        })
        .flatten()
    });
    move || {
        set.get().map(|(n, leader, up)| {
            let l = lang.get();
            let total = f64::from(n) * REPLICA_W + f64::from(n - 1) * REPLICA_GAP;
            let left = x - total / 2.0;
            let top = y + NODE_H / 2.0 + 6.0;
            let label = words::REPLICAS_LABEL
                .get(l)
                .replace("{leader}", &(leader + 1).to_string())
                .replace("{n}", &n.to_string())
                .replace("{up}", &up.iter().filter(|u| **u).count().to_string());
            let boxes = (0..n)
                .map(|i| {
                    let bx = left + f64::from(i) * (REPLICA_W + REPLICA_GAP);
                    let is_up = up.get(usize::from(i)).copied().unwrap_or(false);
                    let cls = match (i == leader, is_up) {
                        (_, false) => "replica down",
                        (true, true) => "replica leader",
                        (false, true) => "replica",
                    };
                    let mark = if i == leader { words::LEADER_MARK } else { words::REPLICA_MARK };
                    view! {
                        <g class=cls data-replica=i.to_string()>
                            <rect x=px(bx) y=px(top) width=px(REPLICA_W) height=16 rx=3 />
                            <text x=px(bx + REPLICA_W / 2.0) y=px(top + 12.0) text-anchor="middle">{format!("{}{}", mark.get(l), i + 1)}</text>
                            {(!is_up).then(|| view! {
                                <path class="replica-x" d=format!("M{} {}l{w} 16m0 -16l-{w} 16", px(bx), px(top), w = px(REPLICA_W)) />
                            })}
                        </g>
                    }
                })
                .collect_view();
            view! {
                <g class="replicas" data-testid="replicas" data-leader=leader.to_string() role="img" aria-label=label>
                    {boxes}
                </g>
            }
        })
    }
}

/// Reads panel `index` of the run's current frames without copying it
/// (None before the first publish).
fn with_panel<T>(run: DemoRun, index: usize, f: impl FnOnce(&PanelFrame) -> T) -> Option<T> {
    run.frames.with(|fr| fr.get(index).map(f))
}

fn consumer(snap: &Snapshot, group: u16, lane: usize) -> Option<&ConsumerView> {
    snap.groups
        .iter()
        .find(|g| g.node == group)?
        .consumers
        .get(lane)
}

/// Messages delivered from queue `node` and not yet acked: what its
/// consumers hold, being worked on or waiting to retry.
fn unacked(snap: &Snapshot, node: u16) -> u64 {
    snap.groups
        .iter()
        .filter(|g| g.queue == node)
        .flat_map(|g| &g.consumers)
        .map(|c| u64::from(c.busy))
        .sum()
}

/// How full a queue's bar is, in [0, 1]: ready and unacked messages
/// against its capacity, on a log scale, so that the first messages of an
/// outage show against a capacity of 100,000 (the legend says so; the
/// status line has the exact counts).
fn queue_level(snap: &Snapshot, node: u16) -> f64 {
    snap.queues
        .iter()
        .find(|q| q.node == node)
        .map_or(0.0, |q| {
            let n = (q.len + unacked(snap, node)) as f64;
            ((n + 1.0).log10() / (q.capacity.max(1) as f64 + 1.0).log10()).min(1.0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_node_text_is_fitted_to_its_box_and_short_text_is_left_alone() {
        // The texts seen overflowing (issue 11), in both languages.
        for long in ["处理中 10/10 · 等待中 0", "busy 0/100 · waiting 0"] {
            assert_eq!(
                fit_length(long, STATUS_PX).as_deref(),
                Some("122.0"),
                "{long}"
            );
        }
        assert!(fit_length("Notification service", NAME_PX).is_some());
    }

    fn run(id: &str, set: &[(&str, f64)], until_us: u64) -> Snapshot {
        let def = mqlab_engine::scenario::find(id).expect("built-in");
        let mut p = def.defaults();
        for (k, v) in set {
            p.set(k, *v);
        }
        let mut sim = mqlab_engine::Sim::new(&(def.build)(&p), 1).expect("valid");
        sim.run_until(until_us);
        sim.snapshot()
    }

    fn node(snap: &Snapshot, name: &str) -> u16 {
        snap.nodes.iter().find(|n| n.name == name).expect(name).id
    }

    #[test]
    fn a_queue_shows_the_first_seconds_of_an_outage_unacked_messages_included() {
        // coupling, notification down: the notifier holds and retries the
        // first 20 events, so the queue itself stays empty for 10 s (issue 11:
        // "Notifications waiting 0" and an empty bar).
        let snap = run(
            "coupling",
            &[("mode", 1.0), ("notify_down", 1.0)],
            1_500_000,
        );
        let q = node(&snap, "notify-q");
        assert!(unacked(&snap, q) >= 2, "the notifier holds them");
        assert!(
            queue_level(&snap, q) > 0.05,
            "the bar shows them: {}",
            queue_level(&snap, q)
        );
        let (text, _) = node_status(&snap, q, Lang::En);
        assert!(text.contains("unacked"), "{text}");
        // An empty queue nobody holds anything from has an empty bar.
        let idle = run("coupling", &[("mode", 1.0)], 0);
        assert_eq!(queue_level(&idle, node(&idle, "notify-q")), 0.0);
    }

    #[test]
    fn a_caller_on_a_synchronous_call_holds_the_line_and_a_sender_does_not() {
        // intro at defaults: the first request leaves at 0 and the callee
        // takes 1.5 s; the async caller only waits for the queue's ack.
        let sync = run("intro", &[("mode", 0.0)], 1_000_000);
        assert!(holds_the_line(&sync, "caller"));
        assert!(!holds_the_line(&sync, "callee"));
        let later = run("intro", &[("mode", 1.0)], 1_000_000);
        assert!(!holds_the_line(&later, "caller"));
        for short in ["Queue", "队列", "0 / 10,000", "×10", "DOWN"] {
            assert_eq!(fit_length(short, NAME_PX), None, "{short}");
        }
    }
}
