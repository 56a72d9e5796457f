//! A token bucket, as a gateway rate limiter runs one: tokens drip in at
//! `rate_per_s` up to `burst`; a request that finds a token takes it and
//! passes, one that finds none is refused at once.
//!
//! Integer arithmetic only (micro-tokens: a microsecond at one token a
//! second drips one in), so the same requests at the same times pass or
//! fail the same way on every platform. Switched off, it passes
//! everything and keeps filling, as a limiter that is bypassed would.

use crate::time::{TimeUs, US_PER_S};

/// Micro-tokens per token.
const MICRO: u64 = US_PER_S;
/// The most tokens per second (whole tokens: a gateway's limit is a count).
pub const MAX_RATE_PER_S: u64 = 10_000_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenBucket {
    /// Whole tokens per second: over `elapsed` µs, `elapsed × rate`
    /// micro-tokens drip in.
    rate_per_s: u64,
    /// The most tokens it holds, in micro-tokens.
    capacity_micro: u64,
    tokens_micro: u64,
    last_us: TimeUs,
    pub on: bool,
    /// Requests it let through and refused.
    pub passed: u64,
    pub refused: u64,
}

impl TokenBucket {
    /// A full bucket of `burst` tokens (at least one) filling at
    /// `rate_per_s`, rounded to a whole number of tokens (at most
    /// [`MAX_RATE_PER_S`]; a rate that is not a number fills nothing).
    pub fn new(rate_per_s: f64, burst: u32, on: bool) -> Self {
        let rate = if rate_per_s.is_finite() && rate_per_s > 0.0 {
            (rate_per_s.round() as u64).min(MAX_RATE_PER_S)
        } else {
            0
        };
        let capacity_micro = burst.max(1) as u64 * MICRO;
        TokenBucket {
            rate_per_s: rate,
            capacity_micro,
            tokens_micro: capacity_micro,
            last_us: 0,
            on,
            passed: 0,
            refused: 0,
        }
    }

    fn refill(&mut self, now_us: TimeUs) {
        // Past the time to fill a whole bucket (at most ~4,300 s of
        // 2^32 µs), more time adds nothing: capping it keeps the product
        // well inside u64 (2^32 × 10^7 < 2^64).
        let elapsed = now_us.saturating_sub(self.last_us).min(u32::MAX as u64);
        self.last_us = self.last_us.max(now_us);
        let add = elapsed * self.rate_per_s;
        self.tokens_micro = (self.tokens_micro + add).min(self.capacity_micro);
    }

    /// A request at `now_us`: true if it may pass.
    pub fn try_take(&mut self, now_us: TimeUs) -> bool {
        self.refill(now_us);
        if !self.on {
            self.passed += 1;
            return true;
        }
        if self.tokens_micro >= MICRO {
            self.tokens_micro -= MICRO;
            self.passed += 1;
            true
        } else {
            self.refused += 1;
            false
        }
    }

    /// Whole tokens in the bucket at the last request.
    pub fn tokens(&self) -> u64 {
        self.tokens_micro / MICRO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_stream_above_the_rate_passes_the_rate_plus_the_burst() {
        let mut b = TokenBucket::new(10_000.0, 100, true);
        // 100,000 requests in one second, evenly spaced (every 10 µs).
        let passed = (0..100_000u64).filter(|i| b.try_take(i * 10)).count();
        // The burst, then one token every 100 µs for the ~1 s that follows.
        assert!((10_090..=10_101).contains(&passed), "{passed}");
        assert_eq!(b.passed + b.refused, 100_000);
    }

    #[test]
    fn below_the_rate_nothing_is_refused_and_off_refuses_nothing() {
        let mut b = TokenBucket::new(1_000.0, 1, true);
        assert!((0..1_000u64).all(|i| b.try_take(i * 1_000)));
        let mut off = TokenBucket::new(1.0, 1, false);
        assert!((0..1_000u64).all(|i| off.try_take(i)));
        assert_eq!(off.refused, 0);
    }

    #[test]
    fn a_bucket_never_holds_more_than_its_burst() {
        let mut b = TokenBucket::new(1_000.0, 5, true);
        b.try_take(3_600 * US_PER_S);
        assert_eq!(b.tokens(), 4, "five at most, one taken");
        let passed = (0..10).filter(|_| b.try_take(3_600 * US_PER_S)).count();
        assert_eq!(passed, 4);
    }

    #[test]
    fn a_bad_rate_passes_only_the_burst() {
        let mut b = TokenBucket::new(f64::NAN, 2, true);
        let passed = (0..10u64).filter(|i| b.try_take(i * US_PER_S)).count();
        assert_eq!(passed, 2);
    }
}
