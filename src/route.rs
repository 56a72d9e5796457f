//! Hash routing: `#/` home, `#/demo/<id>` a demo. Hash URLs work from any
//! static file server, under any sub-path, with no rewrite rules.

/// Where the reader is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Home,
    Demo(String),
    /// A hash we do not understand (shown as a friendly "not found").
    NotFound(String),
}

/// Parses a location hash such as `#/demo/peak-shaving?lang=en`.
pub fn parse_hash(hash: &str) -> Route {
    let h = hash.trim_start_matches('#');
    let path = h.split('?').next().unwrap_or("");
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] => Route::Home,
        ["demo", id] if crate::catalog::is_known(id) => Route::Demo((*id).to_string()),
        _ => Route::NotFound(path.chars().take(80).collect()),
    }
}

/// The hash for a route.
pub fn href(route: &Route) -> String {
    match route {
        Route::Home | Route::NotFound(_) => "#/".into(),
        Route::Demo(id) => format!("#/demo/{id}"),
    }
}

/// Finds `lang=` in a query string (`?a=b&lang=en`) or in the hash's query.
pub fn lang_param(search: &str, hash: &str) -> Option<String> {
    let from = |q: &str| {
        q.trim_start_matches('?')
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .map(|(_, v)| v.to_string())
    };
    from(search).or_else(|| hash.split_once('?').and_then(|(_, q)| from(q)))
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
        assert!(matches!(parse_hash("#/demo/nope"), Route::NotFound(_)));
        assert!(matches!(parse_hash("#/demo/<script>"), Route::NotFound(_)));
        assert!(
            matches!(parse_hash(&format!("#/{}", "x".repeat(10_000))), Route::NotFound(s) if s.len() <= 80)
        );
        assert_eq!(href(&Route::Demo("dlq".into())), "#/demo/dlq");
    }

    #[test]
    fn lang_from_query_or_hash() {
        assert_eq!(lang_param("?lang=en", ""), Some("en".into()));
        assert_eq!(lang_param("?x=1&lang=zh-CN", ""), Some("zh-CN".into()));
        assert_eq!(lang_param("", "#/demo/intro?lang=en"), Some("en".into()));
        assert_eq!(lang_param("", "#/"), None);
    }
}
