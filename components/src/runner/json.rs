//! A small JSON reader, just enough to open the `1.` share links of the
//! first release (their body is JSON). The browser build has no JSON
//! library: it made the bundle ~60 KB bigger for this one use.
//!
//! Reads untrusted text: depth, size and number handling are bounded, and
//! it never panics.

use mqlab_engine::vec_map::VecMap;

/// A parsed JSON value. Object keys keep their text order in a map sorted
/// by key (duplicate keys: the last wins, as most readers do).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(VecMap<String, Json>),
}

/// Deepest nesting accepted (a link is shallow; this stops stack abuse).
const MAX_DEPTH: usize = 32;

impl Json {
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value(0)?;
        p.ws();
        (p.i == p.s.len()).then_some(v)
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.get(key),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(x) => Some(*x),
            _ => None,
        }
    }

    /// A whole, non-negative number that fits an `f64` exactly.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Num(x) if x.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(x) => {
                Some(*x as u64)
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&VecMap<String, Json>> {
        match self {
            Json::Obj(m) => Some(m),
            _ => None,
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match *self.s.get(self.i)? {
            b'n' => self.eat(b"null").then_some(Json::Null),
            b't' => self.eat(b"true").then_some(Json::Bool(true)),
            b'f' => self.eat(b"false").then_some(Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b"]") {
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b"]") {
                        return Some(Json::Arr(items));
                    }
                    if !self.eat(b",") {
                        return None;
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut map = VecMap::new();
                self.ws();
                if self.eat(b"}") {
                    return Some(Json::Obj(map));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return None;
                    }
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(b":") {
                        return None;
                    }
                    let v = self.value(depth + 1)?;
                    map.insert(k, v);
                    self.ws();
                    if self.eat(b"}") {
                        return Some(Json::Obj(map));
                    }
                    if !self.eat(b",") {
                        return None;
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.i;
        while matches!(
            self.s.get(self.i),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        mqlab_engine::num::parse_decimal(text).map(Json::Num)
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        self.i += 4;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while !matches!(self.s.get(self.i), Some(b'"' | b'\\') | None) {
                self.i += 1;
            }
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).ok()?);
            match *self.s.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                _ => {
                    self.i += 1;
                    let c = *self.s.get(self.i)?;
                    self.i += 1;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return None;
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code)?);
                        }
                        _ => return None,
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_writes() {
        let v = serde_json::json!({
            "s": 42, "p": {"a": 0.25, "b": -1e3, "c": 12.5},
            "i": [{"t": 5, "a": [null, {"do": "x", "q": "say \"hi\"\n\u{4e2d}\u{1F600}"}]}],
            "f": true, "g": false, "e": [], "o": {}
        });
        let text = serde_json::to_string(&v).unwrap();
        let j = Json::parse(&text).unwrap();
        assert_eq!(j.get("s").and_then(Json::as_u64), Some(42));
        assert_eq!(
            j.get("p").and_then(|p| p.get("a")).and_then(Json::as_f64),
            Some(0.25)
        );
        assert_eq!(
            j.get("p").and_then(|p| p.get("b")).and_then(Json::as_f64),
            Some(-1000.0)
        );
        let item = &j.get("i").unwrap().as_array().unwrap()[0];
        let a = item.get("a").unwrap().as_array().unwrap();
        assert_eq!(a[0], Json::Null);
        assert_eq!(
            a[1].get("q").and_then(Json::as_str),
            Some("say \"hi\"\n中😀")
        );
        assert_eq!(j.get("f"), Some(&Json::Bool(true)));
        assert_eq!(
            j.get("e").and_then(Json::as_array).map(<[Json]>::len),
            Some(0)
        );
        // Escapes serde_json does not write but other writers do.
        assert_eq!(
            Json::parse(r#""\u4e2d\ud83d\ude00\/""#),
            Some(Json::Str("中😀/".into()))
        );
    }

    #[test]
    fn refuses_broken_or_hostile_text() {
        for bad in [
            "",
            "{",
            "[1,",
            "{\"a\"}",
            "{\"a\":}",
            "[1 2]",
            "tru",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
            "1.2.3",
            "--1",
            "{} x",
            "{1:2}",
            "nul",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(Json::parse(&deep), None, "nesting is bounded");
        assert_eq!(Json::parse(&"[".repeat(20)).map(|_| ()), None);
    }
}
