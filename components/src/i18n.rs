//! Languages and the widget kit's own words.
//!
//! Every piece of text is a [`Text`] with both languages filled in: a
//! missing translation is a compile error, not a blank on screen.

use leptos::prelude::*;

pub use mqlab_engine::text::{pack, text_id, Lang, Text, PACKED};

/// A [`Text`] from two string literals, Chinese first: `text!("播放", "Play")`.
///
/// The way to write UI text anywhere, in a `const` item or in a view: it
/// makes the compiler compute the id, so in the packed browser build the
/// literals drop out of the wasm (a `Text::new` evaluated at run time would
/// keep them, and hash them on every call). `scripts/text-pack.mjs` reads
/// the two literals from the source.
#[macro_export]
macro_rules! text {
    ($zh:literal, $en:literal $(,)?) => {{
        const TEXT: $crate::Text = $crate::Text::new($zh, $en);
        TEXT
    }};
}

/// The current language, provided by the app at the root.
pub fn provide_lang(lang: RwSignal<Lang>) {
    provide_context(lang);
}

/// The current language; English if the app provided none (e.g. in tests).
pub fn use_lang() -> Signal<Lang> {
    match use_context::<RwSignal<Lang>>() {
        Some(l) => l.into(),
        None => Signal::stored(Lang::En),
    }
}

/// A reactive string for a [`Text`] in the current language.
pub fn tr(text: Text) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || text.get(lang.get())
}

/// The widget kit's own words.
pub mod words {
    use super::Text;

    pub const PLAY: Text = text!("播放", "Play");
    pub const PAUSE: Text = text!("暂停", "Pause");
    pub const STEP: Text = text!("单步", "Step");
    pub const STEP_HINT: Text = text!("执行下一个事件（→ 键）", "Run the next event (→ key)");
    pub const PLAY_HINT: Text = text!("播放 / 暂停（空格键）", "Play / pause (Space)");
    pub const RESET: Text = text!("重置", "Reset");
    pub const RESET_HINT: Text = text!(
        "用当前参数和种子从头再来",
        "Start again with the current settings and seed",
    );
    pub const SPEED: Text = text!("速度", "Speed");
    pub const SEED: Text = text!("随机种子", "Seed");
    pub const SEED_HINT: Text = text!(
        "同样的种子和操作总会得到同样的结果",
        "The same seed and actions always give the same run",
    );
    /// Beside a consumer group with more consumers than boxes.
    pub const DRAWN_N: Text = text!("图中画出 {n} 个", "{n} drawn");
    pub const NO_SEED: Text = text!("无随机因素", "Nothing random");
    pub const NO_SEED_HINT: Text = text!(
        "按当前设置，这里没有随机因素（到达均匀、耗时固定）：每次运行都一样，无需种子",
        "With these settings nothing here is random (even arrivals, fixed work times): every run is the same, so there is no seed",
    );
    pub const TIME: Text = text!("模拟时间", "Simulated time");
    pub const BEHIND: Text = text!(
        "负载太大，模拟跟不上所选速度",
        "Heavy load: the simulation is running slower than the chosen speed",
    );
    pub const IDLE: Text = text!("没有待处理的事件了", "Nothing left to happen");
    pub const EVENT_LOG: Text = text!("事件日志", "Event log");
    pub const LOG_EMPTY: Text = text!(
        "还没有事件。按“播放”或“单步”开始。",
        "No events yet. Press Play or Step to start.",
    );
    pub const CHART: Text = text!("随时间变化", "Over time");
    pub const ARRIVAL_RATE: Text = text!("到达速率", "Arrival rate");
    pub const PROCESSING_RATE: Text = text!("处理速率", "Processing rate");
    pub const FAILED_RATE: Text = text!("拒绝/丢失速率", "Rejected/lost rate");
    pub const QUEUE_LENGTH: Text = text!("队列长度", "Queue length");
    pub const LOG_SCALE: Text = text!("对数刻度", "log scale");
    pub const PER_S: Text = text!("条/秒", "/s");
    pub const MESSAGES: Text = text!("条", "msgs");
    pub const ON: Text = text!("开", "on");
    pub const OFF: Text = text!("关", "off");
    pub const RESTART_NOTICE: Text = text!(
        "这个参数改变了系统结构，模拟已用新参数重新开始。",
        "This setting changes the system's shape, so the run restarted with it.",
    );
    pub const FORK_NOTICE: Text = text!(
        "你在过去的时刻改了设置：运行从这一刻分叉，之后的记录已丢弃。",
        "You changed a setting at a past moment: the run forked here and what came after was discarded.",
    );
    pub const TIMELINE: Text = text!("时间线", "Timeline");
    pub const STEP_BACK: Text = text!("后退一步", "Step back");
    pub const STEP_BACK_HINT: Text =
        text!("回到上一个事件发生的时刻", "Go back to the previous event");
    pub const LIVE: Text = text!("回到最新", "Live");
    pub const LIVE_HINT: Text = text!(
        "跳回已模拟到的最新时刻",
        "Jump back to the latest moment simulated",
    );
    pub const IN_PAST: Text = text!(
        "正在回看过去：此时改动设置会让运行从这里分叉",
        "Viewing the past: changing a setting now forks the run from here",
    );
    pub const DISMISS: Text = text!("知道了", "Dismiss");
    pub const STAGE_LABEL: Text = text!("消息流动示意图", "Diagram of messages moving");
    pub const DOTS_SAMPLED: Text = text!(
        "（圆点为抽样，计数精确；队列条按对数刻度，含未确认消息）",
        "(dots are a sample; counts are exact; a queue's bar is on a log scale and counts unacked messages)",
    );
    pub const UNACKED: Text = text!("未确认", "unacked");
    pub const DOWN: Text = text!("宕机", "down");
    pub const OFFLINE: Text = text!("离线", "offline");
    pub const CRASHED: Text = text!("崩溃重启中", "restarting");
    pub const WAITING: Text = text!("等待中", "waiting");
    pub const BUSY: Text = text!("处理中", "busy");
    pub const LEGEND_MESSAGE: Text = text!("● 消息", "● message");
    pub const LEGEND_REPLY: Text = text!("◆ 应答", "◆ reply");
    pub const LEGEND_REFUSED: Text = text!("✕ 被拒绝", "✕ refused");
    pub const QUEUE: Text = text!("队列", "the queue");
    /// A replica's box on the stage: `主` / `L` marks the leader.
    pub const LEADER_MARK: Text = text!("主", "L");
    pub const REPLICA_MARK: Text = text!("从", "F");
    pub const REPLICAS_LABEL: Text = text!(
        "副本：主副本 {leader}，共 {n} 个，{up} 个在线",
        "replicas: leader {leader} of {n}, {up} up",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_macro_gives_the_id_the_pack_script_computes() {
        assert_eq!(text!("播放", "Play").id(), 0x38df_5453);
        assert_eq!(text!("播放", "Play"), Text::new("播放", "Play"));
        assert_eq!(words::PLAY.get(Lang::En), "Play");
    }
}
