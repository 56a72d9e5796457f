//! Bilingual text: every label is a [`Text`] with both languages filled in
//! (a missing translation is a compile error, not a blank on screen), and
//! the text packs the browser app reads them from.
//!
//! Text lives here, not in the widget kit, because the engine's own labels
//! (facts, choices) are text too and go into the same packs. Pure Rust: the
//! app fetches the packs; this module only parses and looks them up.

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
///
/// In the browser app (feature `text-packs`, wasm32) a `Text` is only its
/// [`id`](Text::id), 4 bytes: the words live in one text pack per language
/// (`text-zh-….txt`, `text-en-….txt`, written by `scripts/text-pack.mjs`
/// from the sources), and the page fetches only the pack of the language it
/// shows. Everywhere else (native tests, the CLI, the widget kit's own
/// browser tests) the words are inline. Build one with `Text::new` in a
/// `const` or `static` item, or with the kit's `text!` anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    #[cfg(not(all(feature = "text-packs", target_arch = "wasm32")))]
    zh: &'static str,
    #[cfg(not(all(feature = "text-packs", target_arch = "wasm32")))]
    en: &'static str,
    id: u32,
}

/// Whether a [`Text`] leaves its words to the text packs.
pub const PACKED: bool = cfg!(all(feature = "text-packs", target_arch = "wasm32"));

/// The id of a text: FNV-1a (32 bit) over the Chinese bytes, a 0xFF byte
/// (never part of UTF-8) and the English bytes, never 0.
/// `scripts/text-pack.mjs` computes the same function.
pub const fn text_id(zh: &str, en: &str) -> u32 {
    const PRIME: u32 = 0x0100_0193;
    let mut h: u32 = 0x811c_9dc5;
    let (a, b) = (zh.as_bytes(), en.as_bytes());
    let mut i = 0;
    while i < a.len() {
        h = (h ^ a[i] as u32).wrapping_mul(PRIME);
        i += 1;
    }
    h = (h ^ 0xff).wrapping_mul(PRIME);
    let mut j = 0;
    while j < b.len() {
        h = (h ^ b[j] as u32).wrapping_mul(PRIME);
        j += 1;
    }
    if h == 0 {
        1
    } else {
        h
    }
}

impl Text {
    /// Text from two string literals, Chinese first. The text-pack scanner
    /// reads the literals from the source, so both must be literals; in a
    /// `const`/`static` item the id is computed at compile time and the
    /// literals drop out of the packed build.
    #[cfg(not(all(feature = "text-packs", target_arch = "wasm32")))]
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Text {
            zh,
            en,
            id: text_id(zh, en),
        }
    }

    #[cfg(all(feature = "text-packs", target_arch = "wasm32"))]
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Text {
            id: text_id(zh, en),
        }
    }

    /// The pack id.
    pub const fn id(self) -> u32 {
        self.id
    }

    /// The words in `lang` (in a packed build: from its pack, or
    /// [`pack::MISSING`] if that pack is not loaded or lacks the text).
    pub fn get(self, lang: Lang) -> &'static str {
        #[cfg(all(feature = "text-packs", target_arch = "wasm32"))]
        {
            pack::lookup(lang, self.id)
        }
        #[cfg(not(all(feature = "text-packs", target_arch = "wasm32")))]
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// The text packs the browser app fetches: one file per language, one line
/// per text in ascending id order: a digit `n` (1 to 8), the first `n` hex
/// digits of the id (just enough to tell it from the lines beside it), then
/// the words, with `\\` and `\n` escaped.
pub mod pack {
    use super::Lang;
    use std::sync::OnceLock;

    /// What a text reads as when its pack lacks it (a build defect the
    /// untranslated-text check catches).
    pub const MISSING: &str = "⟦?⟧";

    /// One line of a pack: the first `digits` hex digits of an id, as a
    /// number, and the words.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Entry {
        pub prefix: u32,
        pub digits: u8,
        pub words: &'static str,
    }

    impl Entry {
        /// Where `id` stands against this line: equal when the id starts
        /// with the line's digits.
        fn cmp_id(&self, id: u32) -> std::cmp::Ordering {
            let shift = 32 - 4 * self.digits as u32;
            let head = if shift >= 32 { 0 } else { id >> shift };
            self.prefix.cmp(&head)
        }

        /// The prefix as the top bits of an id (for the order check).
        fn as_id(&self) -> u64 {
            (self.prefix as u64) << (32 - 4 * self.digits as u32)
        }
    }

    static PACKS: [OnceLock<Vec<Entry>>; 2] = [OnceLock::new(), OnceLock::new()];

    fn slot(lang: Lang) -> &'static OnceLock<Vec<Entry>> {
        &PACKS[match lang {
            Lang::Zh => 0,
            Lang::En => 1,
        }]
    }

    /// Whether the pack of `lang` is in memory.
    pub fn is_loaded(lang: Lang) -> bool {
        slot(lang).get().is_some()
    }

    /// Parses a pack file. Errors name the first bad line.
    pub fn parse(text: &'static str) -> Result<Vec<Entry>, String> {
        let mut out: Vec<Entry> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() {
                continue;
            }
            let digits = line
                .get(..1)
                .and_then(|d| d.parse::<u8>().ok())
                .filter(|d| (1..=8).contains(d))
                .ok_or_else(|| format!("line {}: no id", n + 1))?;
            let end = 1 + digits as usize;
            let prefix = line
                .get(1..end)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("line {}: no id", n + 1))?;
            let words = &line[end..];
            let words: &'static str = if words.contains('\\') {
                let mut s = String::with_capacity(words.len());
                let mut chars = words.chars();
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        match chars.next() {
                            Some('n') => s.push('\n'),
                            Some('\\') => s.push('\\'),
                            _ => return Err(format!("line {}: bad escape", n + 1)),
                        }
                    } else {
                        s.push(c);
                    }
                }
                Box::leak(s.into_boxed_str())
            } else {
                words
            };
            let entry = Entry {
                prefix,
                digits,
                words,
            };
            // Written sorted (scripts/text-pack.mjs), so lookups can
            // binary-search without a sort in the browser build.
            if out.last().is_some_and(|last| last.as_id() >= entry.as_id()) {
                return Err(format!("line {}: ids out of order", n + 1));
            }
            out.push(entry);
        }
        Ok(out)
    }

    /// Keeps a parsed pack for `lang` (the first one wins; packs are loaded
    /// once per page, so the leaked file is bounded by two).
    pub fn install(lang: Lang, file: String) -> Result<(), String> {
        let text: &'static str = Box::leak(file.into_boxed_str());
        let entries = parse(text)?;
        let _ = slot(lang).set(entries);
        Ok(())
    }

    pub fn lookup(lang: Lang, id: u32) -> &'static str {
        let Some(entries) = slot(lang).get() else {
            return MISSING;
        };
        // The lines' prefixes tell each id in the pack from every other,
        // so a search by prefix finds it (an id not in the pack may meet a
        // line that shares its prefix: the pack is built from the same
        // sources, so every text asked for is in it).
        match entries.binary_search_by(|e| e.cmp_id(id)) {
            Ok(i) => entries[i].words,
            Err(_) => MISSING,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_ids_match_the_pack_script() {
        // scripts/text-pack.mjs checks the same pair against the same id.
        assert_eq!(text_id("播放", "Play"), 0x38df_5453);
        assert_ne!(
            text_id("a", "bc"),
            text_id("ab", "c"),
            "the separator counts"
        );
        const PLAY: Text = Text::new("播放", "Play");
        assert_eq!(PLAY.id(), 0x38df_5453);
        // Natively the words are inline.
        assert_eq!(PLAY.get(Lang::Zh), "播放");
        assert_eq!(PLAY.get(Lang::En), "Play");
    }

    #[test]
    fn packs_parse_escapes_and_refuse_ids_out_of_order() {
        let file = "80000000afirst\n80000000bsecond\\nline\\\\x\n\n";
        let entries = pack::parse(file).unwrap();
        let got: Vec<_> = entries
            .iter()
            .map(|e| (e.prefix, e.digits, e.words))
            .collect();
        assert_eq!(got, vec![(10, 8, "first"), (11, 8, "second\nline\\x")]);
        // Short prefixes compare by the bits they stand for.
        assert!(pack::parse("1aone\n2b0two\n").is_ok());
        assert!(pack::parse("2b0two\n1aone\n")
            .unwrap_err()
            .contains("line 2: ids out of order"));
        assert!(pack::parse("80000000bb\n80000000aa\n")
            .unwrap_err()
            .contains("line 2: ids out of order"));
        assert!(pack::parse("8zzzzzzzzwords\n")
            .unwrap_err()
            .contains("line 1"));
        assert!(pack::parse("9000000000nine digits\n").is_err());
        assert!(pack::parse("0words\n").is_err());
        assert!(pack::parse("80000000abad \\q\n")
            .unwrap_err()
            .contains("escape"));
        assert!(pack::parse("400ab\n").is_ok(), "four digits, no words");
        assert!(
            pack::parse("800ab\n").is_err(),
            "eight digits promised, four given"
        );
    }

    #[test]
    fn a_pack_answers_what_it_holds_and_marks_the_rest() {
        assert!(!pack::is_loaded(Lang::Zh));
        assert_eq!(pack::lookup(Lang::Zh, 7), pack::MISSING);
        pack::install(Lang::Zh, "800000003三\n800000007七\n".to_string()).unwrap();
        assert!(pack::is_loaded(Lang::Zh));
        assert_eq!(pack::lookup(Lang::Zh, 7), "七");
        assert_eq!(pack::lookup(Lang::Zh, 3), "三");
        assert_eq!(pack::lookup(Lang::Zh, 5), pack::MISSING);
        assert!(
            !pack::is_loaded(Lang::En),
            "one language's pack is not the other's"
        );
        // Prefixes: an id is found by the digits its line carries.
        pack::install(Lang::En, "13three\n27aseven-a\n27bseven-b\n".to_string()).unwrap();
        assert_eq!(pack::lookup(Lang::En, 0x3123_4567), "three");
        assert_eq!(pack::lookup(Lang::En, 0x7a00_0001), "seven-a");
        assert_eq!(pack::lookup(Lang::En, 0x7bff_ffff), "seven-b");
        assert_eq!(pack::lookup(Lang::En, 0x5000_0000), pack::MISSING);
        assert_eq!(pack::lookup(Lang::En, 0x7c00_0000), pack::MISSING);
    }

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
