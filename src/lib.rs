//! mqlab: the app — routing, pages, languages, and the demos.
//!
//! The engine (`mqlab-engine`) simulates; the widget kit
//! (`mqlab-components`) draws; this crate decides what a learner sees on
//! which page. See ARCHITECTURE.md.

pub mod catalog;
pub mod demos;
#[cfg(target_arch = "wasm32")]
pub mod embed;
#[cfg(target_arch = "wasm32")]
pub mod fuzz;
pub mod i18n;
pub mod route;
pub mod text_packs;

use leptos::prelude::*;
use mqlab_components::i18n::provide_lang;
use mqlab_components::Lang;

use crate::route::{href, parse_hash, parse_query, Query, Route};

/// The language to start in: `?lang=` if valid, else the browser's
/// preferred languages (Chinese first when preferred), else English.
pub fn initial_lang(lang_param: Option<&str>, preferred: &[String]) -> Lang {
    if let Some(l) = lang_param.and_then(Lang::from_tag) {
        return l;
    }
    preferred
        .iter()
        .find_map(|t| Lang::from_tag(t))
        .unwrap_or(Lang::En)
}

/// The language the page starts in, from its URL and the browser.
pub fn start_lang() -> Lang {
    let (search, hash) = current_location();
    initial_lang(
        parse_query(&search, &hash).lang.as_deref(),
        &browser_languages(),
    )
}

/// Browser entry point: fetches the words of the starting language, then
/// mounts the app (or says, in both languages, that the words are missing).
#[cfg(target_arch = "wasm32")]
pub fn start() {
    text_packs::ensure(start_lang(), |ok| {
        if ok {
            leptos::mount::mount_to_body(App);
        } else {
            text_packs::show_load_error();
        }
    });
}

#[cfg(target_arch = "wasm32")]
fn browser_languages() -> Vec<String> {
    let nav = window().navigator();
    let mut out: Vec<String> = nav
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if out.is_empty() {
        if let Some(l) = nav.language() {
            out.push(l);
        }
    }
    out
}

#[cfg(not(target_arch = "wasm32"))]
fn browser_languages() -> Vec<String> {
    Vec::new()
}

/// Shows an error panel instead of a dead page if anything panics.
pub fn install_panic_hook() {
    #[cfg(target_arch = "wasm32")]
    {
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::error_1(&wasm_bindgen::JsValue::from_str(&info.to_string()));
            show_panic_panel();
        }));
    }
}

#[cfg(target_arch = "wasm32")]
fn show_panic_panel() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let zh = doc
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .map(|l| l.starts_with("zh"))
        .unwrap_or(false);
    let pick =
        |(zh_words, en_words): (&'static str, &'static str)| if zh { zh_words } else { en_words };
    let Ok(panel) = doc.create_element("div") else {
        return;
    };
    panel.set_class_name("panic-panel");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("data-testid", "panic-panel");
    if let Ok(h) = doc.create_element("h2") {
        h.set_text_content(Some(pick(i18n::PANIC_TITLE)));
        let _ = panel.append_child(&h);
    }
    if let Ok(p) = doc.create_element("p") {
        p.set_text_content(Some(pick(i18n::PANIC_BODY)));
        let _ = panel.append_child(&p);
    }
    if let Ok(a) = doc.create_element("a") {
        let _ = a.set_attribute("href", "./");
        a.set_class_name("btn primary");
        a.set_text_content(Some(pick(i18n::RELOAD)));
        let _ = panel.append_child(&a);
    }
    if let Some(body) = doc.body() {
        let _ = body.append_child(&panel);
    }
}

/// The URL's options for the current page, for demos to read.
#[derive(Clone, Copy)]
pub struct PageQuery(pub RwSignal<Query>);

/// The demo currently on the page (the embed API drives it).
#[derive(Clone, Copy)]
pub struct ActiveRun(pub RwSignal<Option<(&'static str, mqlab_components::DemoRun)>>);

/// Set when the page is an embed (no site chrome, compact).
#[derive(Clone, Copy)]
pub struct EmbedMode;

#[component]
pub fn App() -> impl IntoView {
    let (search, hash) = current_location();
    let query = RwSignal::new(parse_query(&search, &hash));
    warn_problems(&query.read_untracked());
    let lang = RwSignal::new(start_lang());
    provide_lang(lang);
    provide_context(PageQuery(query));
    let active = ActiveRun(RwSignal::new(None));
    provide_context(active);
    let route = RwSignal::new(parse_hash(&hash));

    #[cfg(target_arch = "wasm32")]
    {
        let handle = window_event_listener(leptos::ev::hashchange, move |_| {
            let (search, hash) = current_location();
            let q = parse_query(&search, &hash);
            warn_problems(&q);
            if let Some(l) = q.lang.as_deref().and_then(Lang::from_tag) {
                text_packs::ensure(l, move |ok| {
                    if ok {
                        lang.set(l);
                    }
                });
            }
            query.set(q);
            route.set(parse_hash(&hash));
            window().scroll_to_with_x_and_y(0.0, 0.0);
        });
        on_cleanup(move || handle.remove());
        Effect::new(move |_| {
            let l = lang.get();
            if let Some(el) = document().document_element() {
                let _ = el.set_attribute("lang", l.tag());
            }
            let title = match route.get() {
                Route::Demo(id) | Route::Embed(id) => catalog::find(&id)
                    .map(|d| format!("{} · mqlab", d.title.get(l)))
                    .unwrap_or_else(|| "mqlab".into()),
                _ => i18n::SITE_TITLE.get(l).to_string(),
            };
            document().set_title(&title);
        });
        Effect::new(move |_| {
            // Only the two known themes; anything else follows the system.
            let theme = query.with(|q| q.theme.clone());
            if let Some(el) = document().document_element() {
                match theme.as_deref() {
                    Some(t @ ("dark" | "light")) => {
                        let _ = el.set_attribute("data-theme", t);
                    }
                    _ => {
                        let _ = el.remove_attribute("data-theme");
                    }
                }
            }
        });
        if matches!(route.get_untracked(), Route::Embed(_)) {
            embed::install(active, lang);
        }
    }

    // The other language's words may still have to be fetched: switch once
    // they are here (on failure the page stays in its language; the console
    // says why).
    let switch_lang = move |_| {
        let l = lang.get_untracked().other();
        text_packs::ensure(l, move |ok| {
            if ok {
                lang.set(l);
                remember_lang(l);
            }
        });
    };

    let page = move || match route.get() {
        Route::Home => view! { <Home/> }.into_any(),
        Route::Demo(id) => demos::demo_page(&id),
        Route::Embed(id) => {
            provide_context(EmbedMode);
            // One of up to 16 embeds on a page, each its own wasm instance.
            mqlab_components::runner::timeline::as_embed();
            demos::demo_page(&id)
        }
        Route::PanicTest => view! { <PanicTest/> }.into_any(),
        Route::NotFound(_) => view! { <NotFound/> }.into_any(),
    };

    view! {
        <Show
            when=move || !matches!(route.get(), Route::Embed(_))
            fallback=move || view! { <main id="main" class="embed">{page}</main> }
        >
            <div class="app">
                <a class="skip-link" href="#main" on:click=|ev| {
                    ev.prevent_default();
                    #[cfg(target_arch = "wasm32")]
                    if let Some(m) = document().get_element_by_id("main") {
                        m.scroll_into_view();
                    }
                }>{move || i18n::SKIP.get(lang.get())}</a>
                <header class="site-header">
                    <a class="brand" href="#/">"mqlab"</a>
                    <nav aria-label=move || i18n::HOME.get(lang.get())>
                        <a href="#/">{move || i18n::HOME.get(lang.get())}</a>
                    </nav>
                    <button
                        class="btn lang-switch"
                        data-testid="lang-switch"
                        title=move || i18n::SWITCH_HINT.get(lang.get())
                        lang=move || lang.get().other().tag()
                        on:click=switch_lang
                    >
                        {move || i18n::SWITCH_TO.get(lang.get())}
                    </button>
                </header>
                <main id="main">{page}</main>
                <footer class="site-footer">{move || i18n::FOOTER.get(lang.get())}</footer>
            </div>
        </Show>
    }
}

/// Renders nothing and panics: `#/debug/panic` checks the error panel.
#[component]
fn PanicTest() -> impl IntoView {
    #[cfg(target_arch = "wasm32")]
    {
        set_timeout(
            || panic!("deliberate panic from #/debug/panic"),
            std::time::Duration::from_millis(0),
        );
    }
    view! { <p>"…"</p> }
}

/// Says on the console which URL options were ignored, and why.
fn warn_problems(_q: &Query) {
    #[cfg(target_arch = "wasm32")]
    for p in &_q.problems {
        web_sys::console::warn_1(&wasm_bindgen::JsValue::from_str(&format!("mqlab: {p}")));
    }
}

/// `(search, hash)` of the current URL; empty outside a browser.
fn current_location() -> (String, String) {
    #[cfg(target_arch = "wasm32")]
    {
        let loc = window().location();
        (
            loc.search().unwrap_or_default(),
            loc.hash().unwrap_or_default(),
        )
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        (String::new(), String::new())
    }
}

/// Puts the chosen language in the URL so a reload or a shared link keeps it.
fn remember_lang(_lang: Lang) {
    #[cfg(target_arch = "wasm32")]
    {
        let loc = window().location();
        let hash = loc.hash().unwrap_or_default();
        // Drop any lang= inside the hash so the new choice is the only one.
        let hash = match hash.split_once('?') {
            Some((path, q)) => {
                let rest: Vec<&str> = q.split('&').filter(|kv| !kv.starts_with("lang=")).collect();
                if rest.is_empty() {
                    path.to_string()
                } else {
                    format!("{path}?{}", rest.join("&"))
                }
            }
            None => hash,
        };
        let path = loc.pathname().unwrap_or_default();
        let url = format!("{path}?lang={}{hash}", _lang.tag());
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

#[component]
fn Home() -> impl IntoView {
    let lang = mqlab_components::i18n::use_lang();
    #[cfg(target_arch = "wasm32")]
    mqlab_components::hooks::mark_first_frame();
    view! {
        <section class="home">
            <h1>{move || i18n::SITE_TITLE.get(lang.get())}</h1>
            <p class="lede">{move || i18n::SITE_TAGLINE.get(lang.get())}</p>
            <ol class="demo-grid">
                {catalog::DEMOS
                    .iter()
                    .enumerate()
                    .map(|(i, d)| {
                        let n = i + 1;
                        if d.ready {
                            view! {
                                <li class="demo-card ready" data-demo=d.id data-ready="true">
                                    <a href=href(&Route::Demo(d.id.to_string())) data-testid=format!("demo-link-{}", d.id)>
                                        <span class="num">{n}</span>
                                        <strong>{move || d.title.get(lang.get())}</strong>
                                        <span class="blurb">{move || d.blurb.get(lang.get())}</span>
                                        <span class="open">{move || i18n::OPEN.get(lang.get())}</span>
                                    </a>
                                </li>
                            }
                            .into_any()
                        } else {
                            view! {
                                <li class="demo-card coming" data-testid=format!("demo-coming-{}", d.id) data-demo=d.id data-ready="false">
                                    <span class="num">{n}</span>
                                    <strong>{move || d.title.get(lang.get())}</strong>
                                    <span class="blurb">{move || d.blurb.get(lang.get())}</span>
                                    <span class="badge">{move || i18n::COMING.get(lang.get())}</span>
                                </li>
                            }
                            .into_any()
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let lang = mqlab_components::i18n::use_lang();
    view! {
        <section class="not-found" data-testid="not-found">
            <h1>{move || i18n::NOT_FOUND.get(lang.get())}</h1>
            <p>{move || i18n::NOT_FOUND_BODY.get(lang.get())}</p>
            <a class="btn primary" href="#/">{move || i18n::BACK_HOME.get(lang.get())}</a>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_comes_from_the_url_then_the_browser() {
        let zh = vec!["zh-CN".to_string(), "en".to_string()];
        let en = vec!["en-US".to_string()];
        assert_eq!(initial_lang(None, &zh), Lang::Zh);
        assert_eq!(initial_lang(None, &en), Lang::En);
        assert_eq!(initial_lang(Some("en"), &zh), Lang::En);
        assert_eq!(initial_lang(Some("zh-CN"), &en), Lang::Zh);
        // Garbage in the URL falls back to the browser, never panics.
        assert_eq!(initial_lang(Some("<b>"), &zh), Lang::Zh);
        assert_eq!(initial_lang(None, &["fr".to_string()]), Lang::En);
    }
}
