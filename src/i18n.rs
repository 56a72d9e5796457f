//! The app's own words (pages, navigation). Widget words live in
//! `mqlab_components::i18n::words`; demo words live beside each demo.

use mqlab_components::text;
use mqlab_components::Text;

pub const SITE_TITLE: Text = text!(
    "mqlab · 消息队列互动实验室",
    "mqlab · interactive message-queue lab",
);
pub const SITE_TAGLINE: Text = text!(
    "动手理解消息队列：拖动滑块改速率，按按钮注入故障，一步步看消息去了哪里。",
    "Learn message queues by doing: move sliders to change rates, press buttons to inject faults, and step through where every message goes.",
);
pub const SKIP: Text = text!("跳到正文", "Skip to content");
pub const HOME: Text = text!("全部演示", "All demos");
pub const SWITCH_TO: Text = text!("English", "中文");
pub const SWITCH_HINT: Text = text!("切换到英文", "Switch to Chinese");
pub const COMING: Text = text!("即将推出", "Coming soon");
pub const OPEN: Text = text!("打开演示 →", "Open demo →");
pub const NOT_FOUND: Text = text!("没有这个页面", "There is no such page");
pub const NOT_FOUND_BODY: Text = text!(
    "链接可能写错了，或者这个演示还没做好。",
    "The link may be mistyped, or that demo is not built yet.",
);
pub const BACK_HOME: Text = text!("回到全部演示", "Back to all demos");
pub const TRY_THIS: Text = text!("试一试", "Try this");
pub const NOTICE_THIS: Text = text!("留意", "What to notice");
pub const CONTROLS: Text = text!("参数", "Settings");
pub const ACTIONS: Text = text!("操作", "Actions");
pub const DEMO_NOT_READY: Text = text!(
    "这个演示还在制作中。先看看已经完成的演示吧。",
    "This demo is still being built. Have a look at the finished ones meanwhile.",
);
// Plain (Chinese, English) pairs, not in the text packs: the panic panel
// must speak even when the page broke before a pack arrived.
pub const PANIC_TITLE: (&str, &str) = ("出错了", "Something went wrong");
pub const PANIC_BODY: (&str, &str) = (
    "页面遇到了一个内部错误。重新加载即可恢复；如果反复出现，请告诉我们你做了什么。",
    "The page hit an internal error. Reloading recovers it; if it keeps happening, please tell us what you did.",
);
pub const RELOAD: (&str, &str) = ("重新加载", "Reload");
pub const FOOTER: Text = text!(
    "所有演示都由同一个确定性模拟引擎驱动：同样的参数、种子和操作，总是得到同样的结果。",
    "Every demo runs on one deterministic simulation engine: the same settings, seed and actions always give the same run.",
);

// Shared metric names used by several demos.
pub const M_QUEUED: Text = text!("排队中", "Waiting in queue");
/// How the event log names one consumer of a group of several (`{n}` from 1).
pub const CONSUMER_N: Text = text!("消费者 {n}", "consumer {n}");
pub const M_DONE: Text = text!("已处理", "Processed");
pub const M_REJECTED: Text = text!("被拒绝", "Rejected");
pub const M_LOST: Text = text!("丢失", "Lost");
pub const M_PRODUCED: Text = text!("已发出", "Sent");
pub const LOST_BY_CAUSE: Text = text!("丢失原因", "Where messages were lost");
pub const NOTHING_LOST: Text = text!("还没有丢失任何消息。", "No message has been lost so far.");

pub const OPEN_FULL: Text = text!("在 mqlab 中打开 ↗", "Open in mqlab ↗");
pub const LINK_IGNORED: Text = text!(
    "链接中有部分内容无法使用，已按默认值打开：",
    "Parts of this link could not be used; the demo opened with defaults for them:",
);
pub const SHARE: Text = text!("分享这一刻", "Share this moment");
pub const SHARE_HINT: Text = text!(
    "链接会记下参数、随机种子、你做过的每个操作和当前时刻；打开它的人看到的是完全相同的运行。",
    "The link records the settings, the seed, every action you took and the current moment; whoever opens it sees exactly the same run.",
);
pub const COPY_LINK: Text = text!("复制链接", "Copy link");
pub const COPY_EMBED: Text = text!("复制嵌入代码", "Copy embed code");
pub const LINK_COPIED: Text = text!("✓ 链接已复制", "✓ Link copied");
pub const EMBED_COPIED: Text = text!("✓ 嵌入代码已复制", "✓ Embed code copied");
pub const NOT_COPIED: Text = text!(
    "浏览器没有允许复制：下面的内容已选中，按 Ctrl+C（Mac 上 ⌘C）复制",
    "The browser did not allow copying: the text below is selected, press Ctrl+C (⌘C on a Mac)",
);
pub const LINK: Text = text!("链接", "Link");
pub const EMBED_CODE: Text = text!("嵌入代码（iframe）", "Embed code (iframe)");
