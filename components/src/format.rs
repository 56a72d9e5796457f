//! Number and duration formatting for display.

use mqlab_engine::num::fixed;
use mqlab_engine::TimeUs;

use crate::i18n::Lang;

/// `123456` → `123,456`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An SVG coordinate or length: one decimal, through `num::fixed`. An f64
/// given straight to an attribute is printed by core's float formatter,
/// which costs the browser build several KB; every drawing goes through
/// this instead.
pub fn px(v: f64) -> String {
    fixed(v, 1)
}

/// A rate or other real number, rounded sensibly: `1,000`, `12.5`, `0.25`.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    if a >= 100.0 {
        let s = thousands(a.round() as u64);
        if v < 0.0 {
            format!("-{s}")
        } else {
            s
        }
    } else if a >= 10.0 {
        fixed(v, 1)
    } else if a == 0.0 {
        "0".into()
    } else {
        fixed(v, 2)
    }
}

/// A duration for people: `850 µs`, `12 ms`, `1.50 s`, `2 min 05 s`.
pub fn duration(us: f64, lang: Lang) -> String {
    if !us.is_finite() || us < 0.0 {
        return "–".into();
    }
    let (min, s) = match lang {
        Lang::Zh => ("分", "秒"),
        Lang::En => (" min", " s"),
    };
    if us < 1_000.0 {
        format!("{} µs", us.round() as u64)
    } else if us < 1_000_000.0 {
        format!("{} ms", number(us / 1_000.0))
    } else if us < 60_000_000.0 {
        format!("{}{s}", fixed(us / 1_000_000.0, 2))
    } else {
        let total = (us / 1_000_000.0) as u64;
        format!("{}{min} {:02}{s}", total / 60, total % 60)
    }
}

/// Simulated clock: `00:01.250` (minutes:seconds.millis), hours if needed.
pub fn clock(t: TimeUs) -> String {
    let ms = t / 1_000;
    let (h, m, s, milli) = (
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000,
    );
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{milli:03}")
    } else {
        format!("{m:02}:{s:02}.{milli:03}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(100000), "100,000");
        assert_eq!(number(999.6), "1,000");
        assert_eq!(number(12.34), "12.3");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(f64::NAN), "–");
        assert_eq!(duration(850.0, Lang::En), "850 µs");
        assert_eq!(duration(12_000.0, Lang::En), "12.0 ms");
        assert_eq!(duration(1_500_000.0, Lang::Zh), "1.50秒");
        assert_eq!(duration(125_000_000.0, Lang::En), "2 min 05 s");
        assert_eq!(clock(61_250_000), "01:01.250");
        assert_eq!(clock(3_600_000_000), "1:00:00.000");
    }
}
