//! A synchronous service (e.g. a database): a few workers at a fixed
//! capacity, a short waiting line, and refusals beyond that.

use std::collections::VecDeque;

use crate::model::{Handle, Target};
use crate::spec::ServiceSpec;
use crate::time::{TimeUs, US_PER_S};

/// Who is waiting for a service's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    Producer(u16),
    Consumer { group: u16, member: u16, epoch: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub msg: Handle,
    pub caller: Caller,
    pub since_us: TimeUs,
    /// Identifies this wait for its timeout event.
    pub token: u64,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub capacity_per_s: f64,
    pub concurrency: u32,
    pub busy: u32,
    pub backlog_limit: u32,
    pub waiting: VecDeque<Request>,
    pub timeout_us: TimeUs,
    pub up: bool,
    pub processed: u64,
    pub refused: u64,
    pub next_token: u64,
    /// The next step of a synchronous call chain.
    pub then_calls: Option<u16>,
    /// Where a finished step publishes a follow-up message.
    pub publishes: Option<Target>,
}

/// Outcome of offering a request to the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    /// A worker starts now and finishes after this long.
    Start(TimeUs),
    /// It waits in line (with this token).
    Wait(u64),
    Down,
    Full,
}

impl Service {
    pub fn new(spec: &ServiceSpec) -> Self {
        Service {
            capacity_per_s: spec.capacity_per_s,
            concurrency: spec.concurrency,
            busy: 0,
            backlog_limit: spec.backlog,
            waiting: VecDeque::new(),
            timeout_us: spec.timeout_us,
            up: spec.up,
            processed: 0,
            refused: 0,
            next_token: 0,
            then_calls: None,
            publishes: None,
        }
    }

    /// Time one worker spends on one request.
    pub fn work_us(&self) -> TimeUs {
        ((self.concurrency as f64 * US_PER_S as f64) / self.capacity_per_s)
            .round()
            .max(1.0) as TimeUs
    }

    pub fn admit(&mut self, msg: Handle, caller: Caller, now: TimeUs) -> Admit {
        if !self.up {
            self.refused += 1;
            return Admit::Down;
        }
        if self.busy < self.concurrency {
            self.busy += 1;
            return Admit::Start(self.work_us());
        }
        if (self.waiting.len() as u32) < self.backlog_limit {
            let token = self.next_token;
            self.next_token += 1;
            self.waiting.push_back(Request {
                msg,
                caller,
                since_us: now,
                token,
            });
            return Admit::Wait(token);
        }
        self.refused += 1;
        Admit::Full
    }

    /// A worker finished: the next waiting request (if any) starts.
    pub fn finish_one(&mut self) -> Option<Request> {
        self.processed += 1;
        if let Some(next) = self.waiting.pop_front() {
            Some(next)
        } else {
            self.busy -= 1;
            None
        }
    }

    /// Removes the waiting request with this token (it timed out).
    pub fn take_waiting(&mut self, token: u64) -> Option<Request> {
        let i = self.waiting.iter().position(|r| r.token == token)?;
        self.refused += 1;
        self.waiting.remove(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_then_line_then_refusal() {
        let mut s = Service::new(&ServiceSpec {
            then_calls: Default::default(),
            publishes: Default::default(),
            name: "db".into(),
            capacity_per_s: 1000.0,
            concurrency: 2,
            backlog: 1,
            timeout_us: 0,
            up: true,
        });
        assert_eq!(s.work_us(), 2_000);
        let h = Handle { slot: 0, id: 0 };
        let c = Caller::Producer(0);
        assert_eq!(s.admit(h, c, 0), Admit::Start(2_000));
        assert_eq!(s.admit(h, c, 0), Admit::Start(2_000));
        assert_eq!(s.admit(h, c, 0), Admit::Wait(0));
        assert_eq!(s.admit(h, c, 0), Admit::Full);
        assert!(s.finish_one().is_some(), "the waiting one starts");
        assert!(s.finish_one().is_none());
        assert_eq!(s.busy, 1);
        s.up = false;
        assert_eq!(s.admit(h, c, 0), Admit::Down);
        assert_eq!(s.refused, 2);
    }
}
