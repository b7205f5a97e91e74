//! Running a compiled workflow.
//!
//! An [`Execution`] is the whole state of one run as plain, serialisable data; a [`Driver`]
//! advances it one transition at a time and runs the Task handlers and timers it waits
//! for; [`run()`] does both for the common case.

pub mod items;
mod task;
// `pub(crate)` so `__private` can re-export the helper generated code calls.
pub(crate) mod typed;

pub use task::{BoxFuture, TaskCall, TaskHandler};
pub use typed::typed;

/// A compiled workflow: its name and static description, as generated code provides it
/// (defined with the rest of the description in [`crate::machine`]).
pub use crate::machine::Workflow;

/// The error name [`run()`] reports for a workflow that uses a feature the runtime does not
/// have yet. It is not an AWS error name, so it cannot be mistaken for one.
pub const UNSUPPORTED_ERROR: &str = "asl-rs.Unsupported";

mod compact;
mod driver;
mod effects;
mod events;
mod fields;
mod flow;
mod history;
pub mod inspect;
mod kinds;
mod map_run_update;
pub(crate) mod parked;
pub(crate) mod records;
mod recovery;
mod redrive;
pub use redrive::{MAX_EXECUTION_TIME, NotRedrivable, REDRIVABLE_PERIOD, REDRIVE_HISTORY_LIMIT, redrivability};
mod state;
mod step;
pub use step::MAX_HISTORY_EVENTS;
mod turn;

pub use driver::{Driver, run};
pub(crate) use driver::{TRANSITIONS_PER_YIELD, YieldNow};
pub use history::{EventDetails, EventType, HistoryDetail, HistoryEvent};
pub use inspect::{Inspection, StateTest, StateTestOutcome, StateTestStatus, run_state_test};
pub use map_run_update::MapRunUpdate;
pub(crate) use state::Pending;
pub use state::{Execution, FramePath, WaitId};

/// How an execution ended (AWS's `DescribeExecution` statuses for finished executions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The top level reached an `End` or a Succeed state.
    Succeeded,
    /// An error escaped every Retry and Catch, or a Fail state ran.
    Failed,
    /// The state machine's `TimeoutSeconds` passed.
    TimedOut,
    /// The execution was stopped.
    Aborted,
}

/// The result of an execution.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// How it ended.
    pub status: Status,
    /// The output (when it succeeded).
    pub output: Option<serde_json::Value>,
    /// The error name (when it failed, unless a Fail state gave none).
    pub error: Option<String>,
    /// The cause (when there is one).
    pub cause: Option<String>,
}
