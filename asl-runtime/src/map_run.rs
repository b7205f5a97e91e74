//! A Distributed Map's Map Run as AWS's `DescribeMapRun` shows it: its status, dates,
//! settings and how many items and child executions are in each state.
//!
//! A durable runtime writes a [`MapRun`] to its store (as the JSON body of a
//! [`MapRunRecord`](crate::store::MapRunRecord)) when the Map Run starts, whenever a child
//! execution starts or ends, and when the Map Run ends; the API reads it back. The counts
//! are exact: the engine tallies each child as it ends, by the items it had (a batch counts
//! all of its items).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A Map Run's status (`MapRunStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MapRunStatus {
    /// Its children are running, or its items being read.
    Running,
    /// Every item was processed, within the tolerated failures, and the results written.
    Succeeded,
    /// Too many items failed, or its items could not be read or its results written.
    Failed,
    /// Its execution was stopped, or ended, while it ran.
    Aborted,
}

impl MapRunStatus {
    /// AWS's name: `RUNNING`, `SUCCEEDED`, `FAILED` or `ABORTED`.
    pub fn as_str(self) -> &'static str {
        match self {
            MapRunStatus::Running => "RUNNING",
            MapRunStatus::Succeeded => "SUCCEEDED",
            MapRunStatus::Failed => "FAILED",
            MapRunStatus::Aborted => "ABORTED",
        }
    }
}

/// How many items, or child executions, of a Map Run are in each state
/// (`MapRunItemCounts`, `MapRunExecutionCounts`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MapRunCounts {
    /// Not started yet.
    pub pending: u64,
    /// Running now.
    pub running: u64,
    /// Ended well.
    pub succeeded: u64,
    /// Ended with an error.
    pub failed: u64,
    /// Ran past their `TimeoutSeconds`.
    pub timed_out: u64,
    /// Stopped.
    pub aborted: u64,
    /// All of them so far: the sum of the above.
    pub total: u64,
    /// Those whose results the `ResultWriter` exported.
    pub results_written: u64,
    /// Failed ones a redrive will not run again.
    pub failures_not_redrivable: u64,
    /// Failed ones waiting for a redrive.
    pub pending_redrive: u64,
}

/// A Map Run, as `DescribeMapRun` shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MapRun {
    /// Its ARN (`…:mapRun:<state machine>/<label>:<id>`).
    pub map_run_arn: String,
    /// The execution whose Map state started it.
    pub execution_arn: String,
    /// Its child executions' state machine (`…:stateMachine:<state machine>/<label>`).
    pub state_machine_arn: String,
    /// The Map state that started it.
    pub state_name: String,
    /// Its status.
    pub status: MapRunStatus,
    /// When it started.
    #[serde(with = "crate::nanos")]
    pub start_date: OffsetDateTime,
    /// When it ended.
    #[serde(default, with = "crate::nanos::option")]
    pub stop_date: Option<OffsetDateTime>,
    /// How many child executions run at once at most (0: as many as AWS allows).
    pub max_concurrency: u64,
    /// The share of failed items it tolerates, in percent.
    pub tolerated_failure_percentage: f64,
    /// How many failed items it tolerates.
    pub tolerated_failure_count: u64,
    /// Its items, by state.
    pub item_counts: MapRunCounts,
    /// Its child executions, by state.
    pub execution_counts: MapRunCounts,
    /// How many times it was redriven (with its execution).
    #[serde(default)]
    pub redrive_count: u32,
    /// When it was last redriven.
    #[serde(default, with = "crate::nanos::option")]
    pub redrive_date: Option<OffsetDateTime>,
}
