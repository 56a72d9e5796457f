//! The values a slider can stop at: round numbers only.
//!
//! A range input has positions, not values. Mapping 1,000 positions
//! linearly onto a range gave values no one would type (1,501 ms for
//! 1,500; 4,996/s for 5,000). A ladder lists the values instead: on a
//! narrow range, multiples of a 1-2-5 step that gives at most
//! [`MAX_STEPS`] steps; on a range that spans decades, a 1-1.2-1.5-2-2.5-3-
//! 4-5-6-8 series per decade. Both ends and the default are always on it,
//! and every value is a multiple of the parameter's own step.

/// At most this many steps on a linear ladder.
pub const MAX_STEPS: f64 = 200.0;

/// Mantissas of a decade on a log ladder, in tenths.
const DECADE_TENTHS: [u64; 10] = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80];

/// Whether a range spans enough decades for a log ladder.
pub fn spans_decades(min: f64, max: f64) -> bool {
    min > 0.0 && max / min >= 100.0
}

/// Powers of ten, all exact in an f64 (no `powi`/`log10` in the browser
/// build: a table is smaller than the float routines).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `units × 10^exp` (|exp| ≤ 15) as the double nearest to that decimal
/// (what parsing its digits would give), not an accumulation of rounding
/// errors.
fn decimal(units: u64, exp: i32) -> f64 {
    let p = POW10[exp.unsigned_abs().min(15) as usize];
    if exp >= 0 {
        units as f64 * p
    } else {
        units as f64 / p
    }
}

/// A step as `units × 10^exp` with integer units (at most 6 decimals).
fn as_decimal(step: f64) -> (u64, i32) {
    let mut exp = 0;
    let mut units = step;
    while exp > -6 && (units - units.round()).abs() > 1e-9 * units.max(1.0) {
        units *= 10.0;
        exp -= 1;
    }
    (units.round().max(1.0) as u64, exp)
}

/// `v` moved to the nearest multiple of `step` (when there is a step).
fn snap(v: f64, step: f64) -> f64 {
    if step.is_nan() || step <= 0.0 || !v.is_finite() {
        return v;
    }
    let (units, exp) = as_decimal(step);
    let scaled = v / decimal(1, exp);
    let k = (scaled / units as f64).round().max(0.0) as u64;
    decimal(k * units, exp)
}

/// The slider stops of a parameter with this range, step and default, in
/// ascending order. `log` asks for a decade series (see [`spans_decades`]).
pub fn ladder(min: f64, max: f64, step: f64, default: f64, log: bool) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite()) || max <= min {
        return vec![if min.is_finite() { min } else { 0.0 }];
    }
    // Built in ascending order: sorting would link a general sort into
    // the browser build (~12 KB gzip for this one list).
    let mut values = vec![min];
    let mut push = |v: f64| {
        let last = values[values.len() - 1];
        if v.is_finite() && v > last + 1e-9 * last.abs().max(1.0) && v < max {
            values.push(v);
        }
    };
    if log && min > 0.0 {
        // From the decade of `min` (10^first ≤ min < 10^(first+1)) to
        // the one that reaches `max`.
        let mut first = -6;
        while first < 14 && decimal(1, first + 1) <= min {
            first += 1;
        }
        let mut last = first;
        while last < 15 && decimal(1, last) < max {
            last += 1;
        }
        for e in first..=last {
            for t in DECADE_TENTHS {
                push(snap(decimal(t, e - 1), step));
            }
        }
    } else {
        let span = max - min;
        let (units, exp) = 'found: {
            for exp in -6..=12 {
                for m in [1, 2, 5] {
                    let s = decimal(m, exp);
                    if s + 1e-12 >= step && span / s <= MAX_STEPS {
                        break 'found (m, exp);
                    }
                }
            }
            (1, 12)
        };
        let s = decimal(units, exp);
        let mut k = (min / s).ceil().max(0.0) as u64;
        while decimal(k * units, exp) < max {
            push(decimal(k * units, exp));
            k += 1;
        }
    }
    values.push(max);
    let default = mqlab_engine::num::clamp(default, min, max);
    let i = values.partition_point(|x| *x < default);
    if values.get(i) != Some(&default) {
        values.insert(i, default);
    }
    values
}

/// The index of the stop nearest to `v` (ties go to the lower one).
pub fn nearest(values: &[f64], v: f64) -> usize {
    if values.is_empty() || !v.is_finite() {
        return 0;
    }
    let i = values.partition_point(|x| *x < v);
    match i {
        0 => 0,
        i if i >= values.len() => values.len() - 1,
        i if (values[i] - v) < (v - values[i - 1]) => i,
        i => i - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At most three significant digits, as written (1,520 is round;
    /// 1,501 and 4,996 are not).
    fn is_round(v: f64) -> bool {
        let text = format!("{v}");
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        digits.trim_start_matches('0').trim_end_matches('0').len() <= 3
    }

    /// Every parameter of every built-in scenario: its slider stops are
    /// round, ascending, within range, on the parameter's step, and hold
    /// both ends and the default.
    #[test]
    fn every_builtin_slider_stops_at_round_values() {
        use mqlab_engine::scenario::{builtins, ParamKind};
        for def in builtins() {
            for p in def
                .params
                .iter()
                .filter(|p| matches!(p.kind, ParamKind::Int | ParamKind::Float))
            {
                let log = spans_decades(p.min, p.max);
                let stops = ladder(p.min, p.max, p.step, p.default, log);
                let what = format!("{}.{}", def.id, p.key);
                assert!(stops.len() >= 2, "{what}: {stops:?}");
                assert!(
                    stops.len() <= MAX_STEPS as usize + 3,
                    "{what}: {} stops",
                    stops.len()
                );
                assert_eq!(stops[0], p.min, "{what}");
                assert_eq!(*stops.last().unwrap(), p.max, "{what}");
                assert!(
                    stops.contains(&p.default),
                    "{what}: default {} missing",
                    p.default
                );
                assert!(stops.windows(2).all(|w| w[0] < w[1]), "{what}: {stops:?}");
                for v in &stops {
                    let inner = *v != p.min && *v != p.max && *v != p.default;
                    assert!(!inner || is_round(*v), "{what}: {v} is not round");
                    let k = v / p.step;
                    assert!(
                        (k - k.round()).abs() < 1e-6,
                        "{what}: {v} is off the step {}",
                        p.step
                    );
                }
            }
        }
    }

    /// The values issue 11 saw come out uneven now come out as typed.
    #[test]
    fn the_values_learners_aim_for_are_stops() {
        let callee = ladder(100.0, 10_000.0, 1.0, 1_500.0, true);
        for v in [1_500.0, 2_000.0, 4_000.0, 300.0] {
            assert_eq!(callee[nearest(&callee, v)], v);
        }
        let rate = ladder(1_000.0, 1_000_000.0, 1_000.0, 20_000.0, true);
        for v in [5_000.0, 20_000.0, 100_000.0, 1_000_000.0] {
            assert_eq!(rate[nearest(&rate, v)], v);
        }
        let linear = ladder(0.0, 4_000.0, 1.0, 1_000.0, false);
        assert_eq!(linear[nearest(&linear, 1_501.0)], 1_500.0);
        assert!(linear.len() <= 202);
        let tenths = ladder(0.0, 1.0, 0.01, 0.05, false);
        assert_eq!(tenths[nearest(&tenths, 0.3)], 0.3, "{tenths:?}");
        assert_eq!(ladder(3.0, 3.0, 1.0, 3.0, false), vec![3.0]);
        assert_eq!(nearest(&[1.0, 2.0], f64::NAN), 0);
    }
}
