//! Decimal numbers without core's float parsing and formatting machinery.
//!
//! `str::parse::<f64>` and `format!("{:.1}", x)` pull tens of kilobytes of
//! code into the browser bundle. Every number the app reads (a slider
//! position, a `--set` value, a duration, a share link) and writes (SVG
//! coordinates, rates on cards) is a short decimal, which these handle
//! exactly with integer arithmetic.

/// Parses a decimal such as `12`, `-0.25`, `1.5e3`, `1_000` (underscores
/// are not accepted here: callers strip them). Returns `None` for anything
/// else (`inf`, `NaN`, hex, empty, a lone `.`).
///
/// Exact (correctly rounded, like `str::parse`) whenever the digits form an
/// integer below 2^53 and the decimal exponent is within ±22, which covers
/// every value a person types; otherwise within one ulp or so.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut mantissa: u64 = 0;
    let mut exp10: i32 = 0;
    let mut digits = 0;
    let mut add = |d: u8, exp10: &mut i32, after_point: bool| {
        if mantissa < 1_000_000_000_000_000_000 {
            mantissa = mantissa * 10 + d as u64;
            if after_point {
                *exp10 -= 1;
            }
        } else {
            // Beyond 19 digits: keep the magnitude, drop the precision.
            let _ = d;
            if !after_point {
                *exp10 += 1;
            }
        }
    };
    while let Some(c @ b'0'..=b'9') = b.get(i) {
        add(c - b'0', &mut exp10, false);
        digits += 1;
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while let Some(c @ b'0'..=b'9') = b.get(i) {
            add(c - b'0', &mut exp10, true);
            digits += 1;
            i += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let eneg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut e: i32 = 0;
        let mut edigits = 0;
        while let Some(c @ b'0'..=b'9') = b.get(i) {
            e = (e * 10 + (c - b'0') as i32).min(10_000);
            edigits += 1;
            i += 1;
        }
        if edigits == 0 {
            return None;
        }
        exp10 += if eneg { -e } else { e };
    }
    if i != b.len() {
        return None;
    }
    let m = mantissa as f64;
    let v = if mantissa == 0 {
        0.0
    } else if mantissa < (1 << 53) && (-22..=22).contains(&exp10) {
        // Both factors are exact, so one rounding: the correct result.
        let p = POW10[exp10.unsigned_abs() as usize];
        if exp10 < 0 {
            m / p
        } else {
            m * p
        }
    } else {
        scale(m, exp10)
    };
    Some(if neg { -v } else { v })
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `m × 10^e` for the rare inputs outside the exact fast path.
fn scale(mut m: f64, mut e: i32) -> f64 {
    while e > 22 {
        m *= 1e22;
        e -= 22;
        if m.is_infinite() {
            return m;
        }
    }
    while e < -22 {
        m /= 1e22;
        e += 22;
        if m == 0.0 {
            return m;
        }
    }
    if e < 0 {
        m / POW10[(-e) as usize]
    } else {
        m * POW10[e as usize]
    }
}

/// Appends `v` with exactly `decimals` digits after the point (0–6),
/// rounded half away from zero: `push_fixed(s, 2.345, 1)` → `2.3`,
/// `push_fixed(s, -0.05, 1)` → `-0.1`. Non-finite values write `0`.
/// Values beyond ±9e15 lose their fraction (they are never shown).
pub fn push_fixed(out: &mut String, v: f64, decimals: u32) {
    let decimals = decimals.min(6);
    if !v.is_finite() {
        out.push('0');
        return;
    }
    let scale = POW10[decimals as usize];
    let scaled = (v.abs() * scale).round();
    let scaled = if scaled > 9e15 { 9e15 } else { scaled } as u64;
    if v < 0.0 && scaled > 0 {
        out.push('-');
    }
    let unit = scale as u64;
    push_u64(out, scaled / unit);
    if decimals > 0 {
        out.push('.');
        let frac = scaled % unit;
        let mut digits = [b'0'; 6];
        let mut f = frac;
        for d in digits[..decimals as usize].iter_mut().rev() {
            *d = b'0' + (f % 10) as u8;
            f /= 10;
        }
        for d in &digits[..decimals as usize] {
            out.push(*d as char);
        }
    }
}

/// `v` with `decimals` digits after the point, as a new string.
pub fn fixed(v: f64, decimals: u32) -> String {
    let mut s = String::new();
    push_fixed(&mut s, v, decimals);
    s
}

/// Appends the decimal digits of `n`.
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &buf[i..] {
        out.push(*d as char);
    }
}

/// `v` brought into `lo..=hi`, like `f64::clamp` but without its
/// `min <= max` assertion, whose message formats floats (core's float
/// formatting, ~10 KB of wasm, for a check that bounds from a definition
/// never fail). A NaN `v` gives `lo`.
pub fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    v.max(lo).min(hi)
}

/// The shortest plain decimal (at most 6 digits after the point) that reads
/// back as `v` to within 1e-6 relative: `2000`, `0.25`, `12.5`. For values
/// shown in messages; not a general float printer.
pub fn short(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let mut s = fixed(v, 6);
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_std_for_everything_a_person_types() {
        for text in [
            "0",
            "1",
            "-1",
            "+2",
            "0.25",
            "12.5",
            "1500",
            "2000",
            "1e3",
            "1.5e-3",
            "-0.0",
            "3.",
            ".5",
            "100000",
            "0.1",
            "0.3",
            "64",
            "0.000001",
            "123456789.123",
            "9007199254740993",
            "1e22",
            "1e23",
            "1e-30",
            "1e300",
            "2.2250738585072014e-308",
            "12345678901234567890123",
        ] {
            let ours = parse_decimal(text).unwrap_or_else(|| panic!("{text}"));
            let std: f64 = text.parse().unwrap();
            let tol = std.abs() * 4.0 * f64::EPSILON;
            assert!((ours - std).abs() <= tol, "{text}: {ours} vs {std}");
        }
        for text in ["0.25", "12.5", "0.1", "1500", "1.5e-3", "64", "0.3"] {
            assert_eq!(parse_decimal(text), text.parse().ok(), "{text} is exact");
        }
        for bad in [
            "", "-", ".", "e5", "1e", "1e+", "abc", "1.2.3", "inf", "NaN", "0x10", "1 ", "1_0",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
        assert_eq!(parse_decimal("1e99999"), Some(f64::INFINITY));
        assert_eq!(parse_decimal("1e-99999"), Some(0.0));
    }

    #[test]
    fn fixed_rounds_half_away_from_zero() {
        assert_eq!(fixed(2.345, 1), "2.3");
        assert_eq!(fixed(2.35, 1), "2.4");
        assert_eq!(fixed(-0.05, 1), "-0.1");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(12.0, 2), "12.00");
        assert_eq!(fixed(1999.96, 1), "2000.0");
        assert_eq!(fixed(0.5, 0), "1");
        assert_eq!(fixed(1234567.891, 3), "1234567.891");
        assert_eq!(fixed(f64::NAN, 2), "0");
        // Away from exact ties (where std rounds half to even), the same as std.
        for v in [0.0, 1.0, 123.456, 0.001, 75.3, 7.77, -2.71] {
            for d in 0..=3 {
                assert_eq!(fixed(v, d), format!("{v:.*}", d as usize), "{v} {d}");
            }
        }
    }

    #[test]
    fn short_reads_back() {
        assert_eq!(short(2000.0), "2000");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(-12.5), "-12.5");
        assert_eq!(short(-0.0000001), "0");
        assert_eq!(short(f64::NAN), "NaN");
        assert_eq!(push_u64_string(0), "0");
        assert_eq!(push_u64_string(u64::MAX), u64::MAX.to_string());
    }

    fn push_u64_string(n: u64) -> String {
        let mut s = String::new();
        push_u64(&mut s, n);
        s
    }
}
