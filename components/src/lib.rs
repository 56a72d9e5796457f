//! mqlab-components: the widget kit every demo is built from.
//!
//! Widgets read plain-data frames published by [`runner::DemoRun`]; none of
//! them touches the engine's internals. One folder per widget, its CSS
//! beside it.

pub mod chart;
pub mod controls;
pub mod event_log;
pub mod format;
#[cfg(target_arch = "wasm32")]
pub mod hooks;
pub mod i18n;
pub mod metrics;
pub mod runner;
pub mod stage;
pub mod timeline;
pub mod transport;

pub use chart::TimeSeriesChart;
pub use controls::{ActionButton, ParamChoice, ParamSlider, ParamToggle};
pub use event_log::EventLog;
pub use i18n::{Lang, Text};
pub use metrics::MetricCard;
pub use runner::{DemoRun, PanelDef, PanelFrame};
pub use stage::{NodeSpot, Stage, StageLayout};
pub use timeline::Timeline;
pub use transport::Transport;
