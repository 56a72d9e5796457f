//! Stock kept in a Redis counter, as a flash sale pre-deducts it: the
//! state machine the seckill scenarios build on, and what
//! `fidelity/scripts/12-*.mqs` checks against a real Redis.
//!
//! Three ways to take one item:
//! - `get` then `decr`, as two commands: between them another client may
//!   read the same value, so two buyers both see 1 and the counter ends at
//!   −1 (oversold). Nothing stops `DECR` below zero.
//! - `take`: one Lua script, which Redis runs atomically: read, compare
//!   with `tonumber`, decrement only if positive.
//! - `take_chapter`: the chapter's script compares `GET`'s reply, a
//!   string, with a number, and Lua refuses (`attempt to compare`): the
//!   script errors on every call and never sells anything.

/// One stock counter (a Redis string holding an integer).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StockCounter {
    /// `None`: the key does not exist.
    value: Option<i64>,
}

/// Why a script failed (Redis returns an error reply).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptError {
    /// Lua compared a string with a number.
    CompareStringWithNumber,
}

impl StockCounter {
    /// `SET key n`.
    pub fn set(&mut self, n: i64) {
        self.value = Some(n);
    }

    /// `GET key`.
    pub fn get(&self) -> Option<i64> {
        self.value
    }

    /// `DECR key`: a missing key counts as 0; it may go below zero.
    pub fn decr(&mut self) -> i64 {
        let v = self.value.unwrap_or(0) - 1;
        self.value = Some(v);
        v
    }

    /// The atomic script: 1 if an item was taken, 0 if none was left.
    pub fn take(&mut self) -> i64 {
        match self.value {
            Some(v) if v > 0 => {
                self.value = Some(v - 1);
                1
            }
            _ => 0,
        }
    }

    /// The chapter's script, as Redis runs it: `GET` returns a string
    /// (or nil), and comparing it with a number is a Lua error. A missing
    /// key returns `false`, which Lua also refuses to compare.
    pub fn take_chapter(&mut self) -> Result<i64, ScriptError> {
        Err(ScriptError::CompareStringWithNumber)
    }

    /// Items sold beyond the `stock` a sale started with.
    pub fn oversold(&self) -> u64 {
        self.value.map_or(0, |v| (-v).max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_then_decr_from_two_clients_oversells_and_the_script_cannot() {
        let mut s = StockCounter::default();
        s.set(1);
        let (a, b) = (s.get(), s.get());
        assert_eq!((a, b), (Some(1), Some(1)), "both see one left");
        s.decr();
        s.decr();
        assert_eq!(s.get(), Some(-1));
        assert_eq!(s.oversold(), 1);
        s.set(1);
        assert_eq!((s.take(), s.take()), (1, 0));
        assert_eq!(s.get(), Some(0));
        assert!(s.take_chapter().is_err());
    }
}
