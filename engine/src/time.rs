//! Virtual time. The engine never reads a clock: time is an integer count of
//! microseconds since the start of a run.

/// Virtual time or a duration, in microseconds.
pub type TimeUs = u64;

pub const US_PER_MS: u64 = 1_000;
pub const US_PER_S: u64 = 1_000_000;

/// Parses a human duration such as `1500us`, `20ms`, `1.5s`, `10m`, `2h`.
///
/// A unit is required so that `10` is never silently read as microseconds.
pub fn parse_duration(text: &str) -> Result<TimeUs, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration: write e.g. 500ms, 2s, 10m".into());
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("duration '{s}' needs a unit: us, ms, s, m or h (e.g. {s}s)"))?;
    let (num, unit) = s.split_at(split);
    let value = crate::num::parse_decimal(num)
        .ok_or_else(|| format!("duration '{s}' does not start with a number"))?;
    let scale = match unit.trim() {
        "us" | "µs" => 1.0,
        "ms" => US_PER_MS as f64,
        "s" => US_PER_S as f64,
        "m" | "min" => 60.0 * US_PER_S as f64,
        "h" => 3600.0 * US_PER_S as f64,
        other => {
            return Err(format!(
                "duration '{s}' has unknown unit '{other}': use us, ms, s, m or h"
            ))
        }
    };
    let us = value * scale;
    if !us.is_finite() || us < 0.0 || us > MAX_DURATION_US as f64 {
        return Err(format!("duration '{s}' is out of range (0 to 30 days)"));
    }
    Ok(us.round() as TimeUs)
}

/// Longest duration accepted from users: 30 days of virtual time.
pub const MAX_DURATION_US: TimeUs = 30 * 24 * 3600 * US_PER_S;

/// Formats a duration compactly for logs: `850µs`, `12.5ms`, `3.20s`, `2m05s`.
pub fn format_duration(us: TimeUs) -> String {
    if us < US_PER_MS {
        format!("{us}µs")
    } else if us < US_PER_S {
        format!("{}ms", crate::num::fixed(us as f64 / US_PER_MS as f64, 1))
    } else if us < 60 * US_PER_S {
        format!("{}s", crate::num::fixed(us as f64 / US_PER_S as f64, 2))
    } else {
        let s = us / US_PER_S;
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("1500us"), Ok(1500));
        assert_eq!(parse_duration("20ms"), Ok(20_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000));
        assert_eq!(parse_duration("10m"), Ok(600_000_000));
        assert_eq!(parse_duration(" 2h "), Ok(7_200_000_000));
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        assert!(parse_duration("10").unwrap_err().contains("needs a unit"));
        assert!(parse_duration("abc").is_err());
        assert!(parse_duration("5 parsecs")
            .unwrap_err()
            .contains("unknown unit"));
        assert!(parse_duration("99999h")
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1.2.3s").is_err());
    }

    #[test]
    fn formats_compactly() {
        assert_eq!(format_duration(850), "850µs");
        assert_eq!(format_duration(12_500), "12.5ms");
        assert_eq!(format_duration(3_200_000), "3.20s");
        assert_eq!(format_duration(125 * US_PER_S), "2m05s");
    }
}
