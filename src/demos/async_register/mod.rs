//! 异步处理：用户注册 / async work: user sign-up. The same registrations
//! as one synchronous call chain (save → email → SMS → coupon, the user
//! waits for all of it) and as a save followed by a hand-off to three job
//! queues (the user waits for the save only).

use leptos::prelude::*;
use mqlab_components::format::{duration, thousands};
use mqlab_components::i18n::{use_lang, words};
use mqlab_components::text;
use mqlab_components::{
    DemoRun, MetricCard, NodeSpot, PanelDef, ParamSlider, ParamToggle, StageLayout, Text,
};

use super::{panel_value, read, Captions, CountCard, DemoFrame, Panel};
use crate::i18n;

mod histogram;
use histogram::{HistSeries, LatencyHistogram};

static PANELS: [PanelDef; 2] = [
    PanelDef {
        id: "sync",
        title: text!(
            "同步：四步做完才回复用户",
            "Sync: the user waits for all four steps",
        ),
        fixed: &[("mode", 0.0)],
    },
    PanelDef {
        id: "async",
        title: text!(
            "异步：保存后立即回复，其余交给队列",
            "Async: answer after the save, queue the rest",
        ),
        fixed: &[("mode", 1.0)],
    },
];

const USER: Text = text!("用户注册", "User signs up");
const REGISTER: Text = text!("注册（保存用户）", "Register (save)");
const EMAIL: Text = text!("邮件服务", "Email service");
const SMS: Text = text!("短信服务", "SMS service");
const COUPON: Text = text!("优惠券服务", "Coupon service");

/// The rows of the three jobs a sign-up sets off: email, SMS, coupon.
const ROWS: [f64; 3] = [55.0, 150.0, 245.0];

/// What both sides draw: the user, the register step at `register_x`, and
/// the email, SMS and coupon services, one a row, at `services_x`.
const fn chain(register_x: f64, services_x: f64) -> [NodeSpot; 5] {
    [
        NodeSpot::new("user", 75.0, 150.0, USER),
        NodeSpot::new("register", register_x, 150.0, REGISTER),
        // Services on the sync side, consumer groups of one on the other.
        NodeSpot::new("email", services_x, ROWS[0], EMAIL).with_member(EMAIL),
        NodeSpot::new("sms", services_x, ROWS[1], SMS).with_member(SMS),
        NodeSpot::new("coupon", services_x, ROWS[2], COUPON).with_member(COUPON),
    ]
}

static SYNC_SPOTS: [NodeSpot; 5] = chain(240.0, 470.0);

/// A job queue of the async side, in the row of its service.
const fn job_queue(name: &'static str, row: usize, label: Text) -> NodeSpot {
    NodeSpot::new(name, 420.0, ROWS[row], label)
}

/// The async side adds a job queue in front of each service.
static ASYNC_SPOTS: [NodeSpot; 9] = {
    let [user, register, email, sms, coupon] = chain(225.0, 590.0);
    [
        user,
        register,
        NodeSpot::new("signup", 322.0, 150.0, text!("主题", "topic")),
        job_queue("email-jobs", 0, text!("邮件任务队列", "email-jobs queue")),
        job_queue("sms-jobs", 1, text!("短信任务队列", "sms-jobs queue")),
        job_queue(
            "coupon-jobs",
            2,
            text!("优惠券任务队列", "coupon-jobs queue"),
        ),
        email,
        sms,
        coupon,
    ]
};

static LAYOUT_SYNC: StageLayout = StageLayout {
    width: 640.0,
    height: 300.0,
    spots: &SYNC_SPOTS,
    links: &[
        ("user", "register"),
        ("register", "email"),
        ("email", "sms"),
        ("sms", "coupon"),
    ],
};

static LAYOUT_ASYNC: StageLayout = StageLayout {
    // Wider than the sync side: the topic sits between register and queues.
    width: 660.0,
    height: 300.0,
    spots: &ASYNC_SPOTS,
    links: &[
        ("user", "register"),
        ("register", "signup"),
        ("signup", "email-jobs"),
        ("signup", "sms-jobs"),
        ("signup", "coupon-jobs"),
        ("email-jobs", "email"),
        ("sms-jobs", "sms"),
        ("coupon-jobs", "coupon"),
    ],
};

const TITLE: Text = text!("异步处理：用户注册", "Async work: user sign-up");
const LEDE: Text = text!(
    "注册要做四件事：保存用户 300 毫秒、发欢迎邮件 500 毫秒、发短信 400 毫秒、发优惠券 300 毫秒。左边一件接一件做完才回复用户；右边保存完就回复，另外三件事发到消息主题，由各自的队列和服务慢慢处理。",
    "Signing up takes four steps: save the user (300 ms), send a welcome email (500 ms), send an SMS (400 ms), issue a coupon (300 ms). On the left every step runs before the user gets an answer; on the right the user is answered after the save and the other three steps are published to a topic, each drained from its own queue by its own service.",
);

static TRY: [Text; 4] = [
    text!(
        "按“播放”，比较两边“用户等待（平均）”和下方的响应时间分布：同步约 1500 毫秒，异步约 300 毫秒。",
        "Press Play and compare \"User's wait (mean)\" and the response-time histogram below: about 1,500 ms sync, about 300 ms async.",
    ),
    text!(
        "把“发短信耗时”拖到 3000 毫秒：同步一侧每个用户都多等 2.6 秒；异步一侧用户的等待不变，只是短信晚一点到。",
        "Drag the SMS time to 3,000 ms: every sync user waits 2.6 s longer; async users wait just as before, their SMS simply arrives later.",
    ),
    text!(
        "打开“短信服务宕机”，等几秒再关掉：同步注册全部失败；异步注册照样成功，短信任务在队列里排着，恢复后逐条发出。",
        "Turn on \"SMS service down\", wait a few seconds, then turn it off: sync registrations all fail; async ones still succeed, and the SMS jobs wait in their queue and go out after recovery.",
    ),
    text!(
        "把“保存用户耗时”调大：这一步两边都要等，异步也省不掉它。",
        "Raise the save time: both sides wait for that step — going async cannot remove it.",
    ),
];

static NOTICE: [Text; 4] = [
    text!(
        "同步的响应时间是整条链路的总和：300 + 500 + 400 + 300 = 1500 毫秒（另加网络往返）。",
        "The sync response time is the sum of the chain: 300 + 500 + 400 + 300 = 1,500 ms (plus the network round trip).",
    ),
    text!(
        "异步的响应时间只有保存那一步（约 300 毫秒）；邮件、短信、优惠券在用户拿到回复之后才完成。",
        "The async response time is the save alone (about 300 ms); the email, SMS and coupon are finished after the user has the answer.",
    ),
    text!(
        "链路上最慢、最不稳的一环决定了同步注册的体验：短信一挂，注册就失败，哪怕用户根本不在乎那条短信。",
        "The slowest, least reliable link decides the sync experience: when SMS is down, sign-up fails — even though the user hardly cares about that SMS.",
    ),
    text!(
        "异步的代价：短信和邮件会晚到，任务需要队列保管；但一个下游故障只会让它自己的队列变长，不会拖垮注册。",
        "The price of async: emails and SMS arrive later and a queue has to keep the jobs; but a failing downstream only makes its own queue grow, it does not take sign-up down.",
    ),
];

const M_WAIT: Text = text!("用户等待（近 10 秒平均）", "User's wait (mean, last 10 s)");
const M_WAIT95: Text = text!("用户等待 p95（自开始）", "User's wait, p95 (since start)");
const M_REGISTERED: Text = text!("注册成功", "Registrations done");
const M_FAILED: Text = text!("注册失败", "Registrations failed");
const M_WAITING: Text = text!("等待回复的用户", "Users waiting");
const M_JOBS: Text = text!("队列中待办任务", "Jobs waiting in queues");
const MS: Text = text!("毫秒", "ms");

/// Equal-width bins of the response-time histogram.
const BINS: usize = 30;

/// Rounds up to 1, 2 or 5 × a power of ten (in µs), at least 500 ms.
fn nice_range(max_us: u64) -> u64 {
    let v = max_us.max(500_000) as f64 * 1.05;
    mqlab_components::chart::axis::nice_ceil(v, &[1.0, 2.0, 2.5, 5.0]) as u64
}

#[component]
pub fn AsyncRegisterDemo() -> impl IntoView {
    let lang = use_lang();
    let def = mqlab_engine::scenario::find("async-register").expect("built-in scenario");
    let run = super::make_run(def, &PANELS, 1.0);

    let panel = move |i: usize| {
        let layout: &'static StageLayout = if i == 0 { &LAYOUT_SYNC } else { &LAYOUT_ASYNC };
        // The mean over the last 10 s follows a change at once; the p95 is
        // of the whole run, and says so.
        let wait = panel_value(run, i, |s| s.response_recent_mean_us);
        let recent = panel_value(run, i, |s| s.response_recent_count as f64);
        let wait95 = panel_value(run, i, |s| s.response.p95_us as f64);
        let answered = panel_value(run, i, |s| s.response.count as f64);
        let shown = move |v: Signal<f64>, n: Signal<f64>| {
            Signal::derive(move || {
                if n.get() == 0.0 {
                    "–".to_string()
                } else {
                    duration(v.get(), lang.get())
                }
            })
        };
        view! {
            <Panel run=run index=i layout=layout>
                <MetricCard name="response" label=M_WAIT value=wait display=shown(wait, recent)/>
                <MetricCard name="response-p95" label=M_WAIT95 value=wait95 display=shown(wait95, answered)/>
                <MetricCard name="registered" label=M_REGISTERED value=answered
                    display=Signal::derive(move || thousands(answered.get() as u64))/>
                <CountCard run=run index=i name="failed" label=M_FAILED read=read::rejected alarm=true/>
                {if i == 0 {
                    view! { <CountCard run=run index=i name="waiting" label=M_WAITING read=read::waiting_for_reply/> }.into_any()
                } else {
                    view! { <CountCard run=run index=i name="queued" label=M_JOBS read=read::queued/> }.into_any()
                }}
            </Panel>
        }
    };

    view! {
        <DemoFrame id="async-register" title=TITLE lede=LEDE run=run>
            <section class="controls" aria-label=move || i18n::CONTROLS.get(lang.get())>
                <ParamSlider run=run key="rate_per_s" label=text!("注册速率", "Sign-up rate") unit=words::PER_S/>
                <ParamSlider run=run key="save_ms" label=text!("保存用户耗时", "Save time") unit=MS/>
                <ParamSlider run=run key="email_ms" label=text!("发邮件耗时", "Email time") unit=MS/>
                <ParamSlider run=run key="sms_ms" label=text!("发短信耗时", "SMS time") unit=MS/>
                <ParamSlider run=run key="coupon_ms" label=text!("发优惠券耗时", "Coupon time") unit=MS/>
                <ParamToggle run=run key="sms_down" label=text!("短信服务宕机", "SMS service down")/>
            </section>
            <div class="panels two">{panel(0)}{panel(1)}</div>
            <ResponseHistogram run=run/>
            <Captions try_this=&TRY notice=&NOTICE/>
        </DemoFrame>
    }
}

/// Both panels' response times on one shared axis.
#[component]
fn ResponseHistogram(run: DemoRun) -> impl IntoView {
    let data = Memo::new(move |_| {
        run.frames.track();
        let max = (0..PANELS.len())
            .filter_map(|i| run.with_sim(i, |s| s.response_histogram().max()))
            .max()
            .unwrap_or(0);
        let range = nice_range(max);
        let series = (0..PANELS.len())
            .map(|i| HistSeries {
                id: PANELS[i].id,
                label: PANELS[i].title,
                bins: run
                    .with_sim(i, |s| s.response_histogram().bins(BINS, range))
                    .unwrap_or_default(),
            })
            .collect::<Vec<_>>();
        (range, series)
    });
    view! {
        <LatencyHistogram
            testid="response-histogram"
            title=text!("用户等待时间分布（每次成功注册记一个样本）", "How long users waited (one sample per successful registration)")
            x_label=text!("响应时间（毫秒）", "Response time (ms)")
            y_label=text!("注册次数", "Registrations")
            data=data
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node without a spot is not drawn: every node each mode creates
    /// must be placed on that panel's stage.
    #[test]
    fn layouts_place_every_node() {
        let def = mqlab_engine::scenario::find("async-register").unwrap();
        for (panel, layout) in PANELS.iter().zip([&LAYOUT_SYNC, &LAYOUT_ASYNC]) {
            let mut params = def.defaults();
            for (k, v) in panel.fixed {
                params.set(k, *v);
            }
            let spec = (def.build)(&params);
            let names: Vec<&str> = spec
                .producers
                .iter()
                .map(|p| p.name.as_str())
                .chain(spec.queues.iter().map(|q| q.name.as_str()))
                .chain(spec.consumers.iter().map(|c| c.name.as_str()))
                .chain(spec.services.iter().map(|s| s.name.as_str()))
                .chain(spec.topics.iter().map(|t| t.name.as_str()))
                .collect();
            for n in &names {
                assert!(
                    layout.spots.iter().any(|s| s.name == *n),
                    "{}: no spot for {n}",
                    panel.id
                );
            }
            assert_eq!(names.len(), layout.spots.len(), "{}", panel.id);
        }
    }

    #[test]
    fn ranges_are_round() {
        assert_eq!(nice_range(0), 1_000_000);
        assert_eq!(nice_range(1_505_000), 2_000_000);
        assert_eq!(nice_range(302_000), 1_000_000);
        assert_eq!(nice_range(4_100_000), 5_000_000);
    }
}
