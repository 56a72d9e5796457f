//! One file per built-in scenario.

pub mod async_register;
pub mod comparison;
pub mod components;
pub mod coupling;
pub mod delay;
pub mod dlq;
pub mod idempotence;
pub mod intro;
pub mod kit;
pub mod ordering;
pub mod p2p_vs_pubsub;
pub mod peak_shaving;
pub mod pubsub;
pub mod reliability;
pub mod seckill_queue;
pub mod seckill_system;
pub mod transaction;
