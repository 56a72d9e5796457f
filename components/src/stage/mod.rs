//! The stage: an SVG diagram of the scenario's nodes with live status and
//! message dots interpolated from the engine's movements.

use leptos::prelude::*;
use mqlab_engine::num::push_fixed;
use mqlab_engine::render::{MoveKind, NodeKind, Snapshot};

use crate::format::thousands;
use crate::i18n::{use_lang, words, Lang, Text};
use crate::runner::PanelFrame;

/// Where a node sits on the stage.
#[derive(Clone, Copy, Debug)]
pub struct NodeSpot {
    /// The engine's node name.
    pub name: &'static str,
    pub x: f64,
    pub y: f64,
    pub label: Text,
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
                Some(q) => (
                    format!("{} / {}", thousands(q.len), thousands(q.capacity)),
                    false,
                ),
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
        None => (String::new(), false),
    }
}

/// The diagram for one panel.
#[component]
pub fn Stage(
    /// Geometry and labels.
    layout: &'static StageLayout,
    /// The panel's current frame (snapshot + dots).
    #[prop(into)]
    frame: Signal<Option<PanelFrame>>,
    /// Accessible description of the whole picture.
    #[prop(into)]
    label: Signal<String>,
) -> impl IntoView {
    let lang = use_lang();
    let view_box = format!("0 0 {} {}", layout.width, layout.height);
    let links = move || {
        let f = frame.get()?;
        let lines = layout
            .links
            .iter()
            .filter_map(|(a, b)| {
                let (sa, sb) = (layout.spot(a)?, layout.spot(b)?);
                // Only between nodes this run actually has.
                let exists = |n: &str| f.snap.nodes.iter().any(|v| v.name == n);
                if !exists(a) || !exists(b) {
                    return None;
                }
                Some(view! {
                    <line class="stage-link" x1=sa.x y1=sa.y x2=sb.x y2=sb.y />
                })
            })
            .collect_view();
        Some(lines)
    };
    let nodes = move || {
        let f = frame.get()?;
        let lang = lang.get();
        let snap = f.snap;
        let views = layout
            .spots
            .iter()
            .filter_map(|spot| {
                let node = snap.nodes.iter().find(|n| n.name == spot.name)?;
                let (status, bad) = node_status(&snap, node.id, lang);
                let kind = node.kind;
                let (x, y) = (spot.x, spot.y);
                let body = match kind {
                    NodeKind::Consumers => {
                        let g = snap.groups.iter().find(|g| g.node == node.id)?;
                        let lanes = g.consumers.len().min(MAX_LANES);
                        let extra = g.consumers.len().saturating_sub(MAX_LANES);
                        let boxes = g
                            .consumers
                            .iter()
                            .take(MAX_LANES)
                            .enumerate()
                            .map(|(i, c)| {
                                let ly = lane_y(y, i, lanes);
                                let fill = if c.slots == 0 { 0.0 } else { c.busy as f64 / c.slots as f64 };
                                let cls = if c.crashed {
                                    "consumer crashed"
                                } else if !c.online {
                                    "consumer offline"
                                } else {
                                    "consumer"
                                };
                                view! {
                                    <g class=cls>
                                        <rect class="consumer-box" x=x - 16.0 y=ly - 9.0 width=32 height=18 rx=4 />
                                        <rect class="consumer-fill" x=x - 16.0 y=ly - 9.0 width=32.0 * fill height=18 rx=4 />
                                        {c.crashed.then(|| view! {
                                            <path class="consumer-x" d=format!("M{} {}l12 12m0 -12l-12 12", x - 6.0, ly - 6.0) />
                                        })}
                                    </g>
                                }
                            })
                            .collect_view();
                        let top = lane_y(y, 0, lanes) - 20.0;
                        let bottom = lane_y(y, lanes.saturating_sub(1), lanes) + 24.0;
                        view! {
                            <g>
                                {boxes}
                                <text class="node-name" x=x y=top text-anchor="middle">{spot.label.get(lang)}</text>
                                <text class=if bad { "node-status bad" } else { "node-status" } x=x y=bottom + 2.0 text-anchor="middle">
                                    {if extra > 0 { format!("{status} (+{extra})") } else { status }}
                                </text>
                            </g>
                        }
                        .into_any()
                    }
                    _ => {
                        let fill = snap
                            .queues
                            .iter()
                            .find(|q| q.node == node.id)
                            .map(|q| (q.len as f64 / q.capacity.max(1) as f64).min(1.0));
                        let shape = match kind {
                            NodeKind::Producer => "node producer",
                            NodeKind::Queue => "node queue",
                            _ => "node service",
                        };
                        view! {
                            <g class=if bad { format!("{shape} bad") } else { shape.to_string() }>
                                <rect class="node-box" x=x - NODE_W / 2.0 y=y - NODE_H / 2.0 width=NODE_W height=NODE_H rx=8 />
                                {fill.map(|f| view! {
                                    <rect class="queue-fill" x=x - NODE_W / 2.0 + 4.0 y=y + NODE_H / 2.0 - 10.0 width=(NODE_W - 8.0) * f height=6 rx=3 />
                                })}
                                <text class="node-name" x=x y=y - 4.0 text-anchor="middle">{spot.label.get(lang)}</text>
                                <text class="node-status" x=x y=y + 12.0 text-anchor="middle">{status}</text>
                            </g>
                        }
                        .into_any()
                    }
                };
                Some(body)
            })
            .collect_view();
        Some(views)
    };
    let path_for = move |kinds: &'static [MoveKind], shape: Shape| {
        move || {
            frame.with(|f| {
                f.as_ref()
                    .map(|f| dots_path(layout, f, kinds, shape))
                    .unwrap_or_default()
            })
        }
    };
    view! {
        <figure class="stage">
            <svg
                data-testid="stage"
                class="stage-svg"
                viewBox=view_box
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
