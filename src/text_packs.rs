//! Fetching the text pack of a language before showing it (see
//! `mqlab_components::i18n::pack` and `scripts/text-pack.mjs`).
//!
//! The page names its packs in `<meta name="mqlab-text-zh">` and
//! `<meta name="mqlab-text-en">`; the app fetches the pack of the language
//! it starts in before it mounts, and the other one only when the learner
//! switches. Outside the packed browser build every pack is "loaded".

use mqlab_components::i18n::{pack, PACKED};
use mqlab_components::Lang;

/// Runs `then(true)` once the pack of `lang` is in memory, or `then(false)`
/// if it could not be fetched (the reason goes to the console).
pub fn ensure(lang: Lang, then: impl FnOnce(bool) + 'static) {
    if !PACKED || pack::is_loaded(lang) {
        then(true);
    } else {
        #[cfg(target_arch = "wasm32")]
        load(lang, then);
    }
}

#[cfg(target_arch = "wasm32")]
fn load(lang: Lang, then: impl FnOnce(bool) + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        let result = fetch(lang).await.and_then(|file| pack::install(lang, file));
        if let Err(e) = &result {
            web_sys::console::error_1(&wasm_bindgen::JsValue::from_str(&format!(
                "mqlab: the {} text pack could not be loaded: {e}",
                lang.tag()
            )));
        }
        then(result.is_ok());
    });
}

#[cfg(target_arch = "wasm32")]
async fn fetch(lang: Lang) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let name = match lang {
        Lang::Zh => "mqlab-text-zh",
        Lang::En => "mqlab-text-en",
    };
    let window = web_sys::window().ok_or("no window")?;
    let url = window
        .document()
        .and_then(|d| {
            d.query_selector(&format!("meta[name={name}]"))
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .ok_or_else(|| format!("the page has no <meta name=\"{name}\">"))?;
    let response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .map_err(|_| format!("{url}: network error"))?
        .dyn_into::<web_sys::Response>()
        .map_err(|_| format!("{url}: not a response"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = response.text().map_err(|_| format!("{url}: unreadable"))?;
    JsFuture::from(text)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| format!("{url}: unreadable"))
}

/// Shown, in both languages, when the first pack cannot be fetched: without
/// it there are no words to show.
#[cfg(target_arch = "wasm32")]
pub fn show_load_error() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(panel) = doc.create_element("div") else {
        return;
    };
    panel.set_class_name("panic-panel");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("data-testid", "text-load-error");
    panel.set_text_content(Some(
        "界面文字没有加载成功，请检查网络后刷新页面。 \
         The interface text could not be loaded: check the connection and reload the page.",
    ));
    if let Some(body) = doc.body() {
        let _ = body.append_child(&panel);
    }
}
