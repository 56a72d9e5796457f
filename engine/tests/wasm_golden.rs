//! The golden trace hashes, checked in a browser (wasm32): the engine must
//! give bit-identical traces natively and in wasm. Same cases and the same
//! `golden_hashes.json` as `golden.rs`.
//!
//!     cargo test -p mqlab-engine --target wasm32-unknown-unknown --test wasm_golden
//!
//! (runs in headless Chromium through wasm-bindgen-test-runner; see
//! `.cargo/config.toml`).
#![cfg(target_arch = "wasm32")]

#[path = "common/golden_cases.rs"]
mod golden_cases;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn trace_hashes_match_the_native_golden_file() {
    match golden_cases::check_all() {
        Ok(n) => assert!(n >= 9, "too few golden cases: {n}"),
        Err(e) => panic!("wasm trace hashes differ from tests/golden_hashes.json:\n{e}"),
    }
}

#[wasm_bindgen_test]
fn random_draws_match_native_bit_for_bit() {
    // The libm-heavy cases alone, so a float difference is named clearly.
    let expected = golden_cases::expected();
    for case in golden_cases::cases()
        .iter()
        .filter(|c| c.name.starts_with("poisson-exponential"))
    {
        assert_eq!(
            Some(&golden_cases::hash_of(case)),
            expected.get(&case.name),
            "{}",
            case.name
        );
    }
}
