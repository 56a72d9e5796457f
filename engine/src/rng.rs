//! The one source of randomness: a PCG seeded from a `u64`.
//!
//! Transcendental functions come from `libm` (a pure-Rust port of musl), not
//! from the platform, so that native and wasm builds draw bit-identical values.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use crate::time::TimeUs;

#[derive(Clone, Debug)]
pub struct SimRng(Pcg64Mcg);

impl SimRng {
    pub fn new(seed: u64) -> Self {
        SimRng(Pcg64Mcg::seed_from_u64(seed))
    }

    /// An independent stream for one node, so that e.g. a consumer's work
    /// times do not shift when a producer draws differently.
    pub fn stream(seed: u64, stream: u64) -> Self {
        fn mix(mut z: u64) -> u64 {
            z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        SimRng::new(mix(seed ^ mix(stream)))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in (0, 1]: never 0, so `ln` is always finite.
    pub fn unit_open0(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `[0, n)`; `n == 0` yields 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Lemire's multiply-shift; the tiny bias (< n / 2^64) is irrelevant here
        // and the result is the same on every platform.
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Bernoulli trial with probability `p` (clamped to [0, 1]).
    pub fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        self.unit_open0() <= p
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * libm::log(self.unit_open0())
    }
}

/// A distribution of durations (service times, think times).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Always the same duration.
    Fixed { us: TimeUs },
    /// Uniform between `min_us` and `max_us` inclusive.
    Uniform { min_us: TimeUs, max_us: TimeUs },
    /// Exponential (memoryless) with the given mean.
    Exponential { mean_us: TimeUs },
}

impl Dist {
    /// Whether drawing from it can give different values.
    pub fn is_random(&self) -> bool {
        match *self {
            Dist::Fixed { .. } => false,
            Dist::Uniform { min_us, max_us } => min_us != max_us,
            Dist::Exponential { .. } => true,
        }
    }

    pub fn sample(&self, rng: &mut SimRng) -> TimeUs {
        match *self {
            Dist::Fixed { us } => us,
            Dist::Uniform { min_us, max_us } => {
                let (lo, hi) = if min_us <= max_us {
                    (min_us, max_us)
                } else {
                    (max_us, min_us)
                };
                lo + rng.below(hi - lo + 1)
            }
            Dist::Exponential { mean_us } => {
                let v = rng.exponential(mean_us as f64);
                // Cap the tail at 50× the mean so one draw cannot stall a demo.
                v.min(mean_us as f64 * 50.0).round() as TimeUs
            }
        }
    }

    pub fn mean_us(&self) -> f64 {
        match *self {
            Dist::Fixed { us } => us as f64,
            Dist::Uniform { min_us, max_us } => (min_us as f64 + max_us as f64) / 2.0,
            Dist::Exponential { mean_us } => mean_us as f64,
        }
    }

    /// Same shape, scaled so that its mean becomes `mean_us`.
    pub fn with_mean(&self, mean_us: TimeUs) -> Dist {
        match *self {
            Dist::Fixed { .. } => Dist::Fixed { us: mean_us },
            Dist::Uniform { min_us, max_us } => {
                let half = (max_us.abs_diff(min_us) / 2).min(mean_us);
                Dist::Uniform {
                    min_us: mean_us - half,
                    max_us: mean_us + half,
                }
            }
            Dist::Exponential { .. } => Dist::Exponential { mean_us },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_other_seed_other_stream() {
        let a: Vec<u64> = (0..8)
            .map({
                let mut r = SimRng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..8)
            .map({
                let mut r = SimRng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let c: Vec<u64> = (0..8)
            .map({
                let mut r = SimRng::new(8);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn distributions_have_the_mean_they_claim() {
        let mut rng = SimRng::new(1);
        for dist in [
            Dist::Fixed { us: 500 },
            Dist::Uniform {
                min_us: 0,
                max_us: 1000,
            },
            Dist::Exponential { mean_us: 500 },
        ] {
            let n = 200_000;
            let sum: u64 = (0..n).map(|_| dist.sample(&mut rng)).sum();
            let mean = sum as f64 / n as f64;
            assert!((mean - 500.0).abs() < 10.0, "{dist:?} mean {mean}");
        }
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SimRng::new(3);
        assert_eq!(rng.below(0), 0);
        for _ in 0..10_000 {
            assert!(rng.below(7) < 7);
        }
    }
}
