//! One file per built-in scenario.

pub mod components;
pub mod intro;
pub mod peak_shaving;
