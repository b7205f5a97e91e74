//! What one child execution of a Distributed Map ended with ([`ChildResult`]), whatever
//! becomes of it afterwards (an element of the Map's result, or a line of a result file).

use serde_json::Value;
use time::OffsetDateTime;

use crate::context::ExecutionInfo;
use crate::error::Error;

/// How a child execution ended, or that it never ran.
///
/// The names are the execution statuses of the Step Functions API (`DescribeExecution`'s
/// `status`), plus `PENDING`, the status AWS writes for an item whose child never started
/// because the Map Run failed or was aborted first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ChildStatus {
    /// `SUCCEEDED`: it returned an output.
    Succeeded,
    /// `FAILED`: it ended with an error.
    Failed,
    /// `TIMED_OUT`: it ran past its `TimeoutSeconds`.
    TimedOut,
    /// `ABORTED`: it was stopped (for example when the Map Run failed while it ran).
    Aborted,
    /// `PENDING`: it never started.
    Pending,
}

impl ChildStatus {
    /// The status as AWS writes it (`SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`,
    /// `PENDING`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChildStatus::Succeeded => "SUCCEEDED",
            ChildStatus::Failed => "FAILED",
            ChildStatus::TimedOut => "TIMED_OUT",
            ChildStatus::Aborted => "ABORTED",
            ChildStatus::Pending => "PENDING",
        }
    }

    /// The result files this status goes to: failed, timed-out and aborted children all
    /// share `FAILED_n.json` (Developer Guide, "ResultWriter (Map)").
    pub fn group(self) -> ResultGroup {
        match self {
            ChildStatus::Succeeded => ResultGroup::Succeeded,
            ChildStatus::Failed | ChildStatus::TimedOut | ChildStatus::Aborted => ResultGroup::Failed,
            ChildStatus::Pending => ResultGroup::Pending,
        }
    }
}

/// The three kinds of result file a Map Run exports, and the three lists of its
/// manifest's `ResultFiles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResultGroup {
    /// `FAILED_n.json`: children that failed, timed out or were aborted.
    Failed,
    /// `PENDING_n.json`: items whose child never started.
    Pending,
    /// `SUCCEEDED_n.json`: children that succeeded.
    Succeeded,
}

impl ResultGroup {
    /// All three, in the order of the manifest's `ResultFiles` (alphabetical, as AWS
    /// writes them).
    pub const ALL: [ResultGroup; 3] = [ResultGroup::Failed, ResultGroup::Pending, ResultGroup::Succeeded];

    /// The name in file names and in the manifest: `FAILED`, `PENDING`, `SUCCEEDED`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultGroup::Failed => "FAILED",
            ResultGroup::Pending => "PENDING",
            ResultGroup::Succeeded => "SUCCEEDED",
        }
    }

    /// The position in [`ResultGroup::ALL`].
    pub(super) fn index(self) -> usize {
        match self {
            ResultGroup::Failed => 0,
            ResultGroup::Pending => 1,
            ResultGroup::Succeeded => 2,
        }
    }
}

/// What one child execution of a Distributed Map ended with: everything the records of
/// `Transformation: NONE` show about it.
///
/// For a [`Pending`](ChildStatus::Pending) item only `input` and `status` are read (it
/// has no execution, so no ARN, name or dates); [`ChildResult::pending`] fills the rest
/// with blanks.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChildResult {
    /// The child execution's ARN (`…:execution:<machine>/<label>:<name>`).
    pub execution_arn: String,
    /// The child execution's name.
    pub name: String,
    /// The ARN of the children's state machine (`…:stateMachine:<machine>/<label>`).
    pub state_machine_arn: String,
    /// When the child started.
    #[serde(with = "crate::nanos")]
    pub start_date: OffsetDateTime,
    /// When it stopped.
    #[serde(with = "crate::nanos")]
    pub stop_date: OffsetDateTime,
    /// Its input: the item (after `ItemSelector` and `ItemBatcher`).
    pub input: Value,
    /// How it ended.
    pub status: ChildStatus,
    /// Its output; read only when it [`Succeeded`](ChildStatus::Succeeded) (`None` is
    /// written as `null`).
    pub output: Option<Value>,
    /// The error name it failed with, when it has one.
    pub error: Option<String>,
    /// The cause it failed with, when it has one.
    pub cause: Option<String>,
    /// How many times it was redriven.
    pub redrive_count: u32,
}

impl ChildResult {
    /// An item whose child never started: status [`Pending`](ChildStatus::Pending).
    pub fn pending(input: Value) -> Self {
        ChildResult {
            execution_arn: String::new(),
            name: String::new(),
            state_machine_arn: String::new(),
            start_date: OffsetDateTime::UNIX_EPOCH,
            stop_date: OffsetDateTime::UNIX_EPOCH,
            input,
            status: ChildStatus::Pending,
            output: None,
            error: None,
            cause: None,
            redrive_count: 0,
        }
    }

    /// A child execution `execution` that ended at `stop_date` with `ending`: its output
    /// ([`Succeeded`](ChildStatus::Succeeded)) or its error
    /// ([`Failed`](ChildStatus::Failed); set [`status`](Self::status) afterwards for a
    /// timeout or an abort).
    ///
    /// The error is written as AWS reports it: its [reported
    /// name](Error::reported_name), none for a `Fail` state without one, and its cause when
    /// there is one.
    pub fn ended(execution: &ExecutionInfo, ending: Result<Value, &Error>, stop_date: OffsetDateTime) -> Self {
        let (status, output, error, cause) = match ending {
            Ok(output) => (ChildStatus::Succeeded, Some(output), None, None),
            Err(error) => {
                let name = Some(error.reported_name().to_owned()).filter(|name| !name.is_empty());
                (ChildStatus::Failed, None, name, error.cause.clone())
            }
        };
        ChildResult {
            execution_arn: execution.execution_arn(),
            name: execution.name.clone(),
            state_machine_arn: execution.state_machine_arn(),
            start_date: execution.start_time,
            stop_date,
            input: execution.input.clone(),
            status,
            output,
            error,
            cause,
            redrive_count: execution.redrive_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::{ChildResult, ChildStatus, ResultGroup};
    use crate::context::ExecutionInfo;
    use crate::error::{Error, names};

    #[test]
    fn statuses_go_to_their_files() {
        let groups: Vec<_> = [
            ChildStatus::Succeeded,
            ChildStatus::Failed,
            ChildStatus::TimedOut,
            ChildStatus::Aborted,
            ChildStatus::Pending,
        ]
        .into_iter()
        .map(|s| (s.as_str(), s.group().as_str()))
        .collect();
        assert_eq!(
            groups,
            [
                ("SUCCEEDED", "SUCCEEDED"),
                ("FAILED", "FAILED"),
                ("TIMED_OUT", "FAILED"),
                ("ABORTED", "FAILED"),
                ("PENDING", "PENDING")
            ]
        );
        let order: Vec<_> = ResultGroup::ALL.iter().map(|g| (g.as_str(), g.index())).collect();
        assert_eq!(order, [("FAILED", 0), ("PENDING", 1), ("SUCCEEDED", 2)]);
    }

    #[test]
    fn an_ended_execution_keeps_its_identity_and_reported_error() {
        let info = ExecutionInfo::new("orders/Map", "c1", datetime!(2025-02-04 01:49:50.099 UTC), json!({"id": 1}));
        let stop = datetime!(2025-02-04 01:49:50.163 UTC);
        let ok = ChildResult::ended(&info, Ok(json!([1])), stop);
        assert_eq!(ok.status, ChildStatus::Succeeded);
        assert_eq!(ok.execution_arn, "arn:aws:states:us-east-1:123456789012:execution:orders/Map:c1");
        assert_eq!(ok.state_machine_arn, "arn:aws:states:us-east-1:123456789012:stateMachine:orders/Map");
        assert_eq!((ok.output, ok.stop_date), (Some(json!([1])), stop));

        // A heartbeat timeout is reported as States.Timeout.
        let timeout = Error::new(names::HEARTBEAT_TIMEOUT, "late");
        let failed = ChildResult::ended(&info, Err(&timeout), stop);
        assert_eq!(failed.status, ChildStatus::Failed);
        assert_eq!((failed.error.as_deref(), failed.cause.as_deref()), (Some("States.Timeout"), Some("late")));

        // A Fail state without Error or Cause: neither is written.
        let bare = Error { name: "".into(), cause: None };
        let failed = ChildResult::ended(&info, Err(&bare), stop);
        assert_eq!((failed.error, failed.cause), (None, None));
    }

    #[test]
    fn a_pending_item_is_only_its_input() {
        let pending = ChildResult::pending(json!("x"));
        assert_eq!((pending.status, pending.input), (ChildStatus::Pending, json!("x")));
    }
}
