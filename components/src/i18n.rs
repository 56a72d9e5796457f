//! Languages and the widget kit's own words.
//!
//! Every piece of text is a [`Text`] with both languages filled in: a
//! missing translation is a compile error, not a blank on screen.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The BCP 47 tag used in `<html lang>` and `?lang=`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads a tag such as `zh-CN`, `zh`, `en-US`; anything else is `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let t = tag.trim().to_ascii_lowercase();
        if t == "zh" || t.starts_with("zh-") || t.starts_with("zh_") {
            Some(Lang::Zh)
        } else if t == "en" || t.starts_with("en-") || t.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// A piece of UI text in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Text {
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Text { zh, en }
    }

    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
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

    pub const PLAY: Text = Text::new("播放", "Play");
    pub const PAUSE: Text = Text::new("暂停", "Pause");
    pub const STEP: Text = Text::new("单步", "Step");
    pub const STEP_HINT: Text = Text::new("执行下一个事件（→ 键）", "Run the next event (→ key)");
    pub const PLAY_HINT: Text = Text::new("播放 / 暂停（空格键）", "Play / pause (Space)");
    pub const RESET: Text = Text::new("重置", "Reset");
    pub const RESET_HINT: Text = Text::new(
        "用当前参数和种子从头再来",
        "Start again with the current settings and seed",
    );
    pub const SPEED: Text = Text::new("速度", "Speed");
    pub const SEED: Text = Text::new("随机种子", "Seed");
    pub const SEED_HINT: Text = Text::new(
        "同样的种子和操作总会得到同样的结果",
        "The same seed and actions always give the same run",
    );
    pub const TIME: Text = Text::new("模拟时间", "Simulated time");
    pub const BEHIND: Text = Text::new(
        "负载太大，模拟跟不上所选速度",
        "Heavy load: the simulation is running slower than the chosen speed",
    );
    pub const IDLE: Text = Text::new("没有待处理的事件了", "Nothing left to happen");
    pub const EVENT_LOG: Text = Text::new("事件日志", "Event log");
    pub const LOG_EMPTY: Text = Text::new(
        "还没有事件。按“播放”或“单步”开始。",
        "No events yet. Press Play or Step to start.",
    );
    pub const CHART: Text = Text::new("随时间变化", "Over time");
    pub const ARRIVAL_RATE: Text = Text::new("到达速率", "Arrival rate");
    pub const PROCESSING_RATE: Text = Text::new("处理速率", "Processing rate");
    pub const FAILED_RATE: Text = Text::new("拒绝/丢失速率", "Rejected/lost rate");
    pub const QUEUE_LENGTH: Text = Text::new("队列长度", "Queue length");
    pub const LOG_SCALE: Text = Text::new("对数刻度", "log scale");
    pub const PER_S: Text = Text::new("条/秒", "/s");
    pub const MESSAGES: Text = Text::new("条", "msgs");
    pub const ON: Text = Text::new("开", "on");
    pub const OFF: Text = Text::new("关", "off");
    pub const RESTART_NOTICE: Text = Text::new(
        "这个参数改变了系统结构，模拟已用新参数重新开始。",
        "This setting changes the system's shape, so the run restarted with it.",
    );
    pub const FORK_NOTICE: Text = Text::new(
        "你在过去的时刻改了设置：运行从这一刻分叉，之后的记录已丢弃。",
        "You changed a setting at a past moment: the run forked here and what came after was discarded.",
    );
    pub const TIMELINE: Text = Text::new("时间线", "Timeline");
    pub const STEP_BACK: Text = Text::new("后退一步", "Step back");
    pub const STEP_BACK_HINT: Text =
        Text::new("回到上一个事件发生的时刻", "Go back to the previous event");
    pub const LIVE: Text = Text::new("回到最新", "Live");
    pub const LIVE_HINT: Text = Text::new(
        "跳回已模拟到的最新时刻",
        "Jump back to the latest moment simulated",
    );
    pub const IN_PAST: Text = Text::new(
        "正在回看过去：此时改动设置会让运行从这里分叉",
        "Viewing the past: changing a setting now forks the run from here",
    );
    pub const DISMISS: Text = Text::new("知道了", "Dismiss");
    pub const STAGE_LABEL: Text = Text::new("消息流动示意图", "Diagram of messages moving");
    pub const DOTS_SAMPLED: Text = Text::new(
        "（圆点为抽样显示，计数是精确的）",
        "(dots are a sample; counts are exact)",
    );
    pub const DOWN: Text = Text::new("宕机", "down");
    pub const OFFLINE: Text = Text::new("离线", "offline");
    pub const CRASHED: Text = Text::new("崩溃重启中", "restarting");
    pub const WAITING: Text = Text::new("等待中", "waiting");
    pub const BUSY: Text = Text::new("处理中", "busy");
    pub const LEGEND_MESSAGE: Text = Text::new("● 消息", "● message");
    pub const LEGEND_REPLY: Text = Text::new("◆ 应答", "◆ reply");
    pub const LEGEND_REFUSED: Text = Text::new("✕ 被拒绝", "✕ refused");
    pub const QUEUE: Text = Text::new("队列", "the queue");
    /// A replica's box on the stage: `主` / `L` marks the leader.
    pub const LEADER_MARK: Text = Text::new("主", "L");
    pub const REPLICA_MARK: Text = Text::new("从", "F");
    pub const REPLICAS_LABEL: Text = Text::new(
        "副本：主副本 {leader}，共 {n} 个，{up} 个在线",
        "replicas: leader {leader} of {n}, {up} up",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_unknown_tags_are_none() {
        for l in [Lang::Zh, Lang::En] {
            assert_eq!(Lang::from_tag(l.tag()), Some(l));
        }
        assert_eq!(Lang::from_tag("zh-TW"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(Lang::from_tag("<script>"), None);
    }
}
