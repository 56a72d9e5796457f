//! Hash routing: `#/` home, `#/demo/<id>` a demo, `#/embed/<id>` a demo
//! without site chrome. Hash URLs work from any static file server, under
//! any sub-path, with no rewrite rules. A route's options follow a `?` in
//! the hash: `#/demo/peak-shaving?lang=en&s=1.eyJz...&theme=dark`, and
//! for testing `fuzz=<seconds>&seed=<n>` (see `crate::fuzz`).

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
    /// Fuzz mode, when `fuzz=` was valid.
    pub fuzz: Option<Fuzz>,
    /// Options that were given but could not be used, in words (the app
    /// prints them as console warnings).
    pub problems: Vec<String>,
}

/// `fuzz=<seconds>&seed=<n>`: drive the demo with random input for that
/// long, from that seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fuzz {
    /// How long, in milliseconds of wall-clock time (1 ..= 3,600,000).
    pub ms: u32,
    /// Seed of the fuzzer's own random choices.
    pub seed: u64,
}

/// The seed fuzz mode uses when `seed=` is missing or unusable.
pub const FUZZ_DEFAULT_SEED: u64 = 1;
/// Longest fuzz run, in seconds.
pub const FUZZ_MAX_S: f64 = 3600.0;

/// A value for a warning: short, and quoted.
fn shown(v: &str) -> String {
    let short: String = v.chars().take(24).collect();
    format!(
        "\"{short}{}\"",
        if short.len() < v.len() { "…" } else { "" }
    )
}

/// Reads `fuzz=` (seconds) and `seed=`; anything unusable is ignored and
/// said in `problems`.
fn parse_fuzz(fuzz: Option<&str>, seed: Option<&str>, problems: &mut Vec<String>) -> Option<Fuzz> {
    let secs = fuzz.and_then(|v| {
        let s = mqlab_engine::num::parse_decimal(v).filter(|s| *s > 0.0 && *s <= FUZZ_MAX_S);
        if s.is_none() {
            problems.push(format!(
                "fuzz={} ignored: give the seconds to fuzz for, more than 0 and at most 3600 (e.g. fuzz=20)",
                shown(v)
            ));
        }
        s
    });
    let Some(secs) = secs else {
        if fuzz.is_none() && seed.is_some() {
            problems
                .push("seed= ignored: it is the seed of fuzz=<seconds>, which is missing".into());
        }
        return None;
    };
    let seed = match seed.map(|v| (v, v.parse::<u64>())) {
        None => FUZZ_DEFAULT_SEED,
        Some((_, Ok(n))) => n,
        Some((v, Err(_))) => {
            problems.push(format!(
                "seed={} ignored: give a whole number from 0 to 18446744073709551615; fuzzing with seed {FUZZ_DEFAULT_SEED}",
                shown(v)
            ));
            FUZZ_DEFAULT_SEED
        }
    };
    Some(Fuzz {
        ms: ((secs * 1000.0).round() as u32).max(1),
        seed,
    })
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
    let (mut fuzz, mut seed) = (None, None);
    for (k, v) in pairs(search).chain(pairs(hash_q)) {
        match k {
            "lang" => q.lang = Some(capped(v)),
            "s" => q.state = Some(capped(v)),
            "theme" => q.theme = Some(capped(v)),
            "fuzz" => fuzz = Some(v),
            "seed" => seed = Some(v),
            _ => {}
        }
    }
    if fuzz.is_none() && hash_q.split('&').any(|kv| kv == "fuzz") {
        fuzz = Some(""); // a bare `?fuzz`, as PhET writes it: say what is missing
    }
    q.fuzz = parse_fuzz(fuzz, seed, &mut q.problems);
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

    #[test]
    fn fuzz_options_are_read_and_bad_values_are_ignored_with_a_reason() {
        let q = parse_query("", "#/demo/intro?lang=en&fuzz=20&seed=42");
        assert_eq!(
            q.fuzz,
            Some(Fuzz {
                ms: 20_000,
                seed: 42
            })
        );
        assert!(q.problems.is_empty(), "{:?}", q.problems);
        assert_eq!(q.lang.as_deref(), Some("en"));
        // Fractions of a second; no seed means the default seed, silently.
        let q = parse_query("", "#/embed/intro?fuzz=0.5");
        assert_eq!(
            q.fuzz,
            Some(Fuzz {
                ms: 500,
                seed: FUZZ_DEFAULT_SEED
            })
        );
        assert!(q.problems.is_empty());
        let q = parse_query("", &format!("#/demo/intro?fuzz=1&seed={}", u64::MAX));
        assert_eq!(q.fuzz.map(|f| f.seed), Some(u64::MAX));

        // Not fuzzing, one reason each.
        for bad in ["0", "-3", "abc", "NaN", "inf", "3601", "1e9", "", "20s"] {
            let q = parse_query("", &format!("#/demo/intro?fuzz={bad}&seed=1"));
            assert_eq!(q.fuzz, None, "fuzz={bad}");
            assert_eq!(q.problems.len(), 1, "fuzz={bad}: {:?}", q.problems);
            assert!(q.problems[0].starts_with("fuzz="), "{:?}", q.problems);
        }
        let q = parse_query("", "#/demo/intro?fuzz");
        assert_eq!(q.fuzz, None);
        assert_eq!(q.problems.len(), 1, "bare fuzz: {:?}", q.problems);
        // A bad seed: fuzzing goes on with the default seed, and says so.
        for bad in ["-1", "1.5", "x", "18446744073709551616", ""] {
            let q = parse_query("", &format!("#/demo/intro?fuzz=2&seed={bad}"));
            assert_eq!(
                q.fuzz,
                Some(Fuzz {
                    ms: 2_000,
                    seed: FUZZ_DEFAULT_SEED
                }),
                "seed={bad}"
            );
            assert_eq!(q.problems.len(), 1, "seed={bad}: {:?}", q.problems);
            assert!(q.problems[0].starts_with("seed="));
        }
        // A seed alone does nothing but say so.
        let q = parse_query("", "#/demo/intro?seed=3");
        assert_eq!(q.fuzz, None);
        assert_eq!(q.problems.len(), 1);
        // A huge value is shown cut short; parsing never panics.
        let q = parse_query(
            "",
            &format!("#/demo/intro?fuzz={}", "\u{4e2d}".repeat(10_000)),
        );
        assert!(q.problems[0].chars().count() < 200, "{}", q.problems[0]);
    }
}
