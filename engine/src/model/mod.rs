//! The state machines the simulation is made of. Each holds its own state
//! and answers small questions; `sim` wires them together in one event loop.

pub mod consumer;
pub mod producer;
pub mod queue;
pub mod service;

use crate::ledger::Slot;

/// A reference to a live message that stays safe after the message ends:
/// a stale handle (its slot reused by a newer message) is detected by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle {
    pub slot: Slot,
    pub id: u64,
}
