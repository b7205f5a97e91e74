//! Errors as Step Functions reports them: an error name (`States.Runtime`,
//! `States.TaskFailed`, a task's own `Card.Declined`…) and an optional cause.

use std::borrow::Cow;
use std::fmt;

/// An execution error: what Retry/Catch match on and what a failed execution reports.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    /// The error name, e.g. `States.Runtime` or a task's `Card.Declined`.
    pub name: Cow<'static, str>,
    /// The cause text, when there is one (AWS omits the key when there is none).
    pub cause: Option<String>,
}

impl Error {
    /// An error with a name and a cause.
    pub fn new(name: impl Into<Cow<'static, str>>, cause: impl Into<String>) -> Self {
        Error { name: name.into(), cause: Some(cause.into()) }
    }

    /// An error with a name and no cause.
    pub fn named(name: impl Into<Cow<'static, str>>) -> Self {
        Error { name: name.into(), cause: None }
    }

    /// `States.Runtime` with the given cause: the uncatchable error AWS raises for missing
    /// paths, values of the wrong type and the like.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self::new(names::RUNTIME, cause)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{}: {cause}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

impl std::error::Error for Error {}

/// The predefined error names (ASL specification, Appendix A; AWS developer guide).
pub mod names {
    /// Wildcard matching any error but `States.Runtime` and `States.DataLimitExceeded`.
    pub const ALL: &str = "States.ALL";
    /// A heartbeat gap exceeded `HeartbeatSeconds` (matchable name; reported as `States.Timeout`).
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// A task ran longer than `TimeoutSeconds`, or the execution timed out.
    pub const TIMEOUT: &str = "States.Timeout";
    /// A task failed; as a matcher, any task error except `States.Timeout`.
    pub const TASK_FAILED: &str = "States.TaskFailed";
    /// Insufficient privileges.
    pub const PERMISSIONS: &str = "States.Permissions";
    /// `ResultPath` could not be applied to the state input.
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    /// A `.$` path in Parameters failed (the spec's name; AWS reports `States.Runtime`).
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    /// A Parallel branch failed (the spec's name; AWS propagates the branch's error).
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    /// A Choice state matched no rule and has no `Default`.
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    /// An intrinsic function failed.
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    /// A distributed Map exceeded its tolerated failures.
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    /// A distributed Map's ItemReader failed.
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    /// A distributed Map's ResultWriter failed.
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
    /// A JSONata expression failed or returned nothing.
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
    /// A payload exceeded 256 KiB (terminal: not matched by `States.ALL`).
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    /// An unprocessable runtime error (terminal: not matched by `States.ALL`).
    pub const RUNTIME: &str = "States.Runtime";
}
