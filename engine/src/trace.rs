//! A portable running hash of everything that happens in a run.
//!
//! Two runs with the same trace hash took the same events at the same times
//! with the same outcomes; it is how determinism is tested (natively and in
//! wasm) and how the CLI fingerprints a run.

#[derive(Clone, Debug)]
pub struct TraceHasher {
    state: u64,
}

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher {
            state: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl TraceHasher {
    #[inline]
    pub fn word(&mut self, w: u64) {
        // FxHash-style mixing: fast, portable, no platform-dependent state.
        self.state = (self.state.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    pub fn finish(&self) -> u64 {
        // A final avalanche (splitmix64) so that nearby states print differently.
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn hex(&self) -> String {
        format!("{:016x}", self.finish())
    }
}
