//! mqlab: the app — routing, pages, languages, and the demos.
//!
//! The engine (`mqlab-engine`) simulates; the widget kit
//! (`mqlab-components`) draws; this crate decides what a learner sees on
//! which page. See ARCHITECTURE.md.

pub mod catalog;
pub mod demos;
pub mod i18n;
pub mod route;

use leptos::prelude::*;
use mqlab_components::i18n::provide_lang;
use mqlab_components::Lang;

use crate::route::{href, parse_hash, Route};

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
            console_error_panic_hook::hook(info);
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
    let pick = |t: mqlab_components::Text| if zh { t.zh } else { t.en };
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

#[component]
pub fn App() -> impl IntoView {
    let (search, hash) = current_location();
    let lang = RwSignal::new(initial_lang(
        route::lang_param(&search, &hash).as_deref(),
        &browser_languages(),
    ));
    provide_lang(lang);
    let route = RwSignal::new(parse_hash(&hash));

    #[cfg(target_arch = "wasm32")]
    {
        let handle = window_event_listener(leptos::ev::hashchange, move |_| {
            let (_, hash) = current_location();
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
                Route::Demo(id) => catalog::find(&id)
                    .map(|d| format!("{} · mqlab", d.title.get(l)))
                    .unwrap_or_else(|| "mqlab".into()),
                _ => i18n::SITE_TITLE.get(l).to_string(),
            };
            document().set_title(&title);
        });
    }

    let switch_lang = move |_| {
        lang.update(|l| *l = l.other());
        remember_lang(lang.get_untracked());
    };

    view! {
        <div class="app">
            <header class="site-header">
                <a class="brand" href="#/">"mqlab"</a>
                <nav>
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
            <main id="main">
                {move || match route.get() {
                    Route::Home => view! { <Home/> }.into_any(),
                    Route::Demo(id) => demos::demo_page(&id),
                    Route::NotFound(_) => view! { <NotFound/> }.into_any(),
                }}
            </main>
            <footer class="site-footer">{move || i18n::FOOTER.get(lang.get())}</footer>
        </div>
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
                                <li class="demo-card ready">
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
                                <li class="demo-card coming" data-testid=format!("demo-coming-{}", d.id)>
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
