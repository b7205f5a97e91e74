//! The task handlers of the workloads that have Task states. Each is a plain function that
//! the hand-written baseline calls directly and the compiled workflow reaches through its
//! generated `Handlers` trait, so both do the same work per call.

use std::sync::atomic::{AtomicU32, Ordering};

use asl_runtime::{Error, Value};
use serde_json::json;

use crate::workflows::{dataflow_heavy, task_retry};

/// dataflow-heavy's `Transform` task: returns its input.
#[derive(Clone, Copy, Debug, Default)]
pub struct Echo;

impl Echo {
    /// One call.
    ///
    /// # Errors
    ///
    /// Never.
    pub fn call(&self, input: Value) -> Result<Value, Error> {
        Ok(input)
    }
}

impl dataflow_heavy::Handlers for Echo {
    async fn transform(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        self.call(input)
    }
}

/// task-retry's `Work` task: of every three calls, the first two fail with `Transient` and
/// the third returns `{"attempt": 3}` (which the workflow adds up). It counts calls rather
/// than reading `$$.State.RetryCount`, as a flaky service would; use a new one per
/// execution.
#[derive(Debug, Default)]
pub struct Flaky {
    calls: AtomicU32,
}

impl Flaky {
    /// How many times each group of calls fails before one succeeds.
    pub const FAILURES: u32 = 2;

    /// The error name the failures carry (what the workflow's Retry matches).
    pub const ERROR: &'static str = "Transient";

    /// A handler that has not been called yet.
    pub fn new() -> Self {
        Flaky::default()
    }

    /// One call.
    ///
    /// # Errors
    ///
    /// [`Flaky::ERROR`] on the first [`Flaky::FAILURES`] calls of each group.
    pub fn call(&self, _input: Value) -> Result<Value, Error> {
        let attempt = self.calls.fetch_add(1, Ordering::Relaxed) % (Self::FAILURES + 1) + 1;
        if attempt <= Self::FAILURES { Err(Error::named(Self::ERROR)) } else { Ok(json!({ "attempt": attempt })) }
    }
}

impl task_retry::Handlers for Flaky {
    async fn work(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        self.call(input)
    }
}
