//! Hash routing: `#/` home, `#/demo/<id>` a demo, `#/embed/<id>` a demo
//! without site chrome. Hash URLs work from any static file server, under
//! any sub-path, with no rewrite rules. A route's options follow a `?` in
//! the hash: `#/demo/peak-shaving?lang=en&s=1.eyJz...&theme=dark`.

/// Where the reader is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Home,
    Demo(String),
    Embed(String),
    /// Panics on purpose, to test the error panel.
    PanicTest,
    /// A hash we do not understand (shown as a friendly "not found").
    NotFound(String),
}

/// Options carried in the URL. Values are raw text, checked by whoever
/// uses them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub lang: Option<String>,
    /// A shared run (see `mqlab_components::runner::share`).
    pub state: Option<String>,
    pub theme: Option<String>,
}

/// Longest option value we look at.
const MAX_VALUE: usize = 64 * 1024;

/// Parses a location hash such as `#/demo/peak-shaving?lang=en`.
pub fn parse_hash(hash: &str) -> Route {
    let h = hash.trim_start_matches('#');
    let path = h.split('?').next().unwrap_or("");
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] => Route::Home,
        ["demo", id] if crate::catalog::is_known(id) => Route::Demo((*id).to_string()),
        ["embed", id] if crate::catalog::is_known(id) => Route::Embed((*id).to_string()),
        ["debug", "panic"] => Route::PanicTest,
        _ => Route::NotFound(path.chars().take(80).collect()),
    }
}

fn pairs(q: &str) -> impl Iterator<Item = (&str, &str)> {
    q.trim_start_matches('?')
        .split('&')
        .filter_map(|kv| kv.split_once('='))
}

/// Keeps at most `MAX_VALUE` bytes (on a char boundary): enough for any
/// real value; whoever reads a cut-off value finds it unusable and says
/// so, instead of the option silently vanishing.
fn capped(v: &str) -> String {
    if v.len() <= MAX_VALUE {
        return v.to_string();
    }
    let mut end = MAX_VALUE;
    while !v.is_char_boundary(end) {
        end -= 1;
    }
    v[..end].to_string()
}

/// Reads the options from the page's query string and the hash's query
/// (the hash wins, since that is what shared links carry).
pub fn parse_query(search: &str, hash: &str) -> Query {
    let mut q = Query::default();
    let hash_q = hash.split_once('?').map(|(_, q)| q).unwrap_or("");
    for (k, v) in pairs(search).chain(pairs(hash_q)) {
        let v = Some(capped(v));
        match k {
            "lang" => q.lang = v,
            "s" => q.state = v,
            "theme" => q.theme = v,
            _ => {}
        }
    }
    q
}

/// The hash for a route.
pub fn href(route: &Route) -> String {
    match route {
        Route::Home | Route::NotFound(_) | Route::PanicTest => "#/".into(),
        Route::Demo(id) => format!("#/demo/{id}"),
        Route::Embed(id) => format!("#/embed/{id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(parse_hash(""), Route::Home);
        assert_eq!(parse_hash("#/"), Route::Home);
        assert_eq!(parse_hash("#/demo/intro"), Route::Demo("intro".into()));
        assert_eq!(
            parse_hash("#/demo/intro?lang=en"),
            Route::Demo("intro".into())
        );
        assert_eq!(
            parse_hash("#/embed/peak-shaving?s=1.x"),
            Route::Embed("peak-shaving".into())
        );
        assert_eq!(parse_hash("#/debug/panic"), Route::PanicTest);
        assert!(matches!(parse_hash("#/demo/nope"), Route::NotFound(_)));
        assert!(matches!(parse_hash("#/demo/<script>"), Route::NotFound(_)));
        assert!(
            matches!(parse_hash(&format!("#/{}", "x".repeat(10_000))), Route::NotFound(s) if s.len() <= 80)
        );
        assert_eq!(href(&Route::Demo("dlq".into())), "#/demo/dlq");
    }

    #[test]
    fn options_from_query_or_hash() {
        assert_eq!(parse_query("?lang=en", "").lang.as_deref(), Some("en"));
        assert_eq!(
            parse_query("?x=1&lang=zh-CN", "").lang.as_deref(),
            Some("zh-CN")
        );
        let q = parse_query("?lang=zh-CN", "#/demo/intro?lang=en&s=1.abc&theme=dark");
        assert_eq!(q.lang.as_deref(), Some("en"), "the hash wins");
        assert_eq!(q.state.as_deref(), Some("1.abc"));
        assert_eq!(q.theme.as_deref(), Some("dark"));
        assert_eq!(parse_query("", "#/"), Query::default());
        let huge = format!("#/demo/intro?s={}", "a".repeat(MAX_VALUE + 10));
        assert_eq!(
            parse_query("", &huge).state.map(|s| s.len()),
            Some(MAX_VALUE)
        );
    }
}
