//! The state machines the simulation is made of. Each holds its own state
//! and answers small questions; `sim` wires them together in one event loop.

pub mod consumer;
pub mod producer;
pub mod queue;
pub mod service;
pub mod topic;

use crate::ledger::Slot;

/// A reference to a live message that stays safe after the message ends:
/// a stale handle (its slot reused by a newer message) is detected by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle {
    pub slot: Slot,
    pub id: u64,
}

/// Where an asynchronous publish goes: a queue, or a topic that copies it
/// into each of its subscribed queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Queue(u16),
    Topic(u16),
}
