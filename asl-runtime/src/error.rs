//! Errors as Step Functions reports them: an error name (`States.Runtime`,
//! `States.TaskFailed`, a task's own `Card.Declined`…) and an optional cause, and how a
//! Retrier's or Catcher's `ErrorEquals` matches them ([`matches()`]).
//!
//! # How `ErrorEquals` matches
//!
//! | pattern | matches |
//! |---|---|
//! | `States.ALL` | every error except `States.Runtime` |
//! | `States.TaskFailed` | every *task-originated* error (below); never `States.Timeout` |
//! | `States.Timeout` | `States.Timeout` and a heartbeat timeout (`States.HeartbeatTimeout`) |
//! | anything else | exactly that name (case-sensitive; `State.ALL` is just a name) |
//!
//! `States.Runtime` is [terminal](Error::is_terminal): nothing matches it, not even a
//! Retrier or Catcher that names it (conformance case `base-scenarios-catch-states-runtime`:
//! `Catch: [{"ErrorEquals": ["States.Runtime"]}]` and the execution still fails).
//!
//! `States.DataLimitExceeded` is **not** terminal here, although AWS's error-handling page
//! says `States.ALL` cannot catch it: real AWS recorded the opposite. In case
//! `states-errors-service-task-lambada-catch-state-all-data-limit-exceeded-on-large-utf8-response`
//! a Lambda task returns an oversized result and the only Catcher, `["States.ALL"]`, takes
//! it (`SUCCEEDED`, output `{"Error": "States.DataLimitExceeded", "Cause": …}`). The cases
//! are recorded behaviour, so they win over the prose.
//!
//! # What "task-originated" means for `States.TaskFailed`
//!
//! AWS documents `States.TaskFailed` as a wildcard that "matches any known error name except
//! for `States.Timeout`". Step Functions does not match its own bookkeeping failures with it,
//! though: a JSONata expression failing inside a Task (`States.QueryEvaluationError`, which
//! AWS records as an `EvaluationFailed` event, not a task failure) is not matched by it, while
//! `States.ALL` and its own name do match it. The rule here follows the history events: an
//! error is task-originated when AWS records it as a failure *of the task's resource*
//! (`TaskFailed`, `TaskStartFailed`, `LambdaFunctionFailed`, `ActivityFailed`…), and not when
//! it is a timeout (`TaskTimedOut`) or a failure of Step Functions' own processing of the
//! state. By name:
//!
//! - task-originated: every name outside the `States.` namespace (Lambda `errorType`s,
//!   service errors such as `DynamoDB.ResourceNotFoundException`, activity and callback
//!   failures), `States.TaskFailed` itself, `States.Permissions` ("a Task state failed
//!   because it had insufficient privileges"), `States.Http.*` (HTTP Task responses), and
//!   `States.DataLimitExceeded` (the recorded case above reports it as a `TaskFailed` event);
//! - not task-originated: `States.Timeout`, `States.HeartbeatTimeout`,
//!   `States.QueryEvaluationError`, `States.IntrinsicFailure`,
//!   `States.ResultPathMatchFailure` (raised after the task succeeded, while applying
//!   `ResultPath`), `States.ParameterPathFailure`, `States.NoChoiceMatched`,
//!   `States.BranchFailed`, the Distributed Map's `States.ExceedToleratedFailureThreshold`,
//!   `States.ItemReaderFailed` and `States.ResultWriterFailed`, and `States.Runtime`.
//!
//! Only the name is looked at, so an error a `Fail` state raises inside a Parallel branch or
//! Map iteration under a custom name (`HandleItemFailError`) is matched by the enclosing
//! state's `States.TaskFailed` too. That agrees with the documented wording ("any known
//! error name") and with LocalStack's matcher, which also decides by name.
//!
//! # Heartbeat timeouts
//!
//! Raise an expired heartbeat as `States.HeartbeatTimeout`. It is matched by
//! `States.HeartbeatTimeout`, by `States.Timeout` (a missed heartbeat is a task timeout: AWS
//! documents `States.Timeout` as "ran longer than `TimeoutSeconds`, or failed to send a
//! heartbeat for a period longer than `HeartbeatSeconds`") and by `States.ALL`; it is
//! *reported* as `States.Timeout` ([`Error::reported_name`]), because that is what AWS
//! records for it (cases `heartbeats-heartbeat-timeout`, `heartbeats-heartbeat-path-timeout`
//! fail with `States.Timeout`), and AWS documents `States.HeartbeatTimeout` as a name usable
//! only inside `Catch` and `Retry`.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// An execution error: what Retry/Catch match on and what a failed execution reports.
///
/// Serialises as `{"Error": name, "Cause": cause}` (`Cause` left out when there is none),
/// the shape of `ExecutionFailed` and `TaskFailed` event details, so an execution's saved
/// state can carry a pending error. For what a Catcher passes on, see
/// [`Error::error_output`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Error {
    /// The error name, e.g. `States.Runtime` or a task's `Card.Declined`. Empty for a `Fail`
    /// state that has neither `Error` nor `ErrorPath`: AWS then records no error name.
    #[serde(rename = "Error")]
    pub name: Cow<'static, str>,
    /// The cause text, when there is one (AWS omits the key when there is none).
    #[serde(rename = "Cause", default, skip_serializing_if = "Option::is_none")]
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

    /// Whether no Retrier or Catcher can take this error, not even one that names it:
    /// true for `States.Runtime` only (see the [module docs](self) for why
    /// `States.DataLimitExceeded` is not terminal).
    pub fn is_terminal(&self) -> bool {
        self.name == names::RUNTIME
    }

    /// The name AWS records for this error in the history and in a Catcher's Error Output:
    /// the name itself, except that a heartbeat timeout is reported as `States.Timeout`.
    pub fn reported_name(&self) -> &str {
        if self.name == names::HEARTBEAT_TIMEOUT { names::TIMEOUT } else { &self.name }
    }

    /// The Error Output a Catcher passes on (its `$` under `ResultPath`, `$states.errorOutput`
    /// in JSONata): `{"Error": …, "Cause": …}`, in that order, with `""` for a missing cause
    /// or name. AWS fills the gaps with empty strings here even though it leaves the keys out
    /// of the history: case `task-service-lambda-invoke-timeout` catches a `States.Timeout`
    /// that has no cause and its output is `{"Error": "States.Timeout", "Cause": ""}`.
    pub fn error_output(&self) -> serde_json::Value {
        let mut output = serde_json::Map::with_capacity(2);
        output.insert("Error".to_owned(), self.reported_name().into());
        output.insert("Cause".to_owned(), self.cause.as_deref().unwrap_or("").into());
        serde_json::Value::Object(output)
    }
}

/// Whether one `ErrorEquals` entry matches `error`, with AWS's wildcard rules (see the
/// [module docs](self)). A [terminal](Error::is_terminal) error matches nothing.
pub fn matches(pattern: &str, error: &Error) -> bool {
    if error.is_terminal() {
        return false;
    }
    match pattern {
        names::ALL => true,
        names::TASK_FAILED => is_task_originated(&error.name),
        // A missed heartbeat is a kind of task timeout; the reverse does not hold.
        names::TIMEOUT => error.name == names::TIMEOUT || error.name == names::HEARTBEAT_TIMEOUT,
        exact => error.name == exact,
    }
}

/// Whether any entry of an `ErrorEquals` array matches `error` (see [`matches()`]).
pub fn matches_any<S: AsRef<str>>(error_equals: &[S], error: &Error) -> bool {
    error_equals.iter().any(|pattern| matches(pattern.as_ref(), error))
}

/// Whether `States.TaskFailed` matches an error of this name (see the module docs for the
/// evidence behind each group).
fn is_task_originated(name: &str) -> bool {
    match name.strip_prefix("States.") {
        None => true,
        Some(rest) => {
            rest.starts_with("Http.")
                || matches!(name, names::TASK_FAILED | names::PERMISSIONS | names::DATA_LIMIT_EXCEEDED)
        }
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
    /// Wildcard matching any error but `States.Runtime` (see [`matches()`](super::matches())).
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
    /// `ResultPath` (or `ItemsPath`) could not be applied to the data: what AWS reports in
    /// place of the specification's `States.ResultPathMatchFailure`.
    pub const REFERENCE_PATH_CONFLICT: &str = "States.ReferencePathConflict";
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
    /// A payload exceeded 256 KiB. AWS's docs call it terminal, but recorded executions show
    /// `States.ALL` catching it (see the [module docs](super)).
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    /// An unprocessable runtime error (terminal: not matched by `States.ALL`).
    pub const RUNTIME: &str = "States.Runtime";
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use serde_json::json;

    fn err(name: &'static str) -> Error {
        Error::named(name)
    }

    #[test]
    fn states_all_matches_everything_but_runtime() {
        for name in ["Card.Declined", "States.Timeout", "States.TaskFailed", "States.HeartbeatTimeout", ""] {
            assert!(matches(names::ALL, &err(name)), "{name}");
        }
        // Recorded: States.ALL catches a task's oversized result.
        assert!(matches(names::ALL, &err(names::DATA_LIMIT_EXCEEDED)));
        assert!(matches(names::ALL, &err(names::QUERY_EVALUATION_ERROR)));
        assert!(!matches(names::ALL, &Error::runtime("Invalid path '$.x'")));
    }

    #[test]
    fn runtime_is_terminal_even_when_named() {
        let runtime = Error::runtime("boom");
        assert!(runtime.is_terminal());
        assert!(!matches(names::RUNTIME, &runtime));
        assert!(!matches_any(&[names::RUNTIME, names::ALL], &runtime));
        assert!(!err(names::DATA_LIMIT_EXCEEDED).is_terminal());
        assert!(!err(names::TIMEOUT).is_terminal());
    }

    #[test]
    fn task_failed_matches_task_errors_only() {
        for name in [
            "Exception",
            "Lambda.Unknown",
            "DynamoDB.ResourceNotFoundException",
            names::TASK_FAILED,
            names::PERMISSIONS,
            "States.Http.StatusCode.404",
            "States.Http.Socket",
            names::DATA_LIMIT_EXCEEDED,
        ] {
            assert!(matches(names::TASK_FAILED, &err(name)), "{name}");
        }
        for name in [
            names::TIMEOUT,
            names::HEARTBEAT_TIMEOUT,
            names::QUERY_EVALUATION_ERROR,
            names::INTRINSIC_FAILURE,
            names::RESULT_PATH_MATCH_FAILURE,
            names::PARAMETER_PATH_FAILURE,
            names::NO_CHOICE_MATCHED,
            names::BRANCH_FAILED,
            names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
            names::ITEM_READER_FAILED,
            names::RESULT_WRITER_FAILED,
            names::RUNTIME,
        ] {
            assert!(!matches(names::TASK_FAILED, &err(name)), "{name}");
        }
    }

    #[test]
    fn heartbeat_timeout_is_a_timeout_but_not_the_reverse() {
        let heartbeat = err(names::HEARTBEAT_TIMEOUT);
        assert!(matches(names::HEARTBEAT_TIMEOUT, &heartbeat));
        assert!(matches(names::TIMEOUT, &heartbeat));
        assert!(!matches(names::HEARTBEAT_TIMEOUT, &err(names::TIMEOUT)));
        assert_eq!(heartbeat.reported_name(), "States.Timeout");
        assert_eq!(heartbeat.error_output(), json!({"Error": "States.Timeout", "Cause": ""}));
    }

    #[test]
    fn other_patterns_match_exactly() {
        // base-scenarios-map-state-retry-multiple-retriers: "State.ALL" is not the wildcard.
        assert!(!matches("State.ALL", &err("HandleItemFailError")));
        assert!(matches("HandleItemFailError", &err("HandleItemFailError")));
        assert!(!matches("handleitemfailerror", &err("HandleItemFailError")));
        assert!(!matches("Lambda.Unknown", &err("Exception")));
    }

    #[test]
    fn error_output_has_error_then_cause_with_empty_strings_for_gaps() {
        let output = Error::new("Failure error", "Failure cause").error_output();
        assert_eq!(
            serde_json::to_string(&output).ok().as_deref(),
            Some(r#"{"Error":"Failure error","Cause":"Failure cause"}"#)
        );
        assert_eq!(err(names::TIMEOUT).error_output(), json!({"Error": "States.Timeout", "Cause": ""}));
        assert_eq!(err("").error_output(), json!({"Error": "", "Cause": ""}));
    }

    #[test]
    fn serde_round_trip_uses_aws_keys() {
        let with_cause = Error::new("Card.Declined", "insufficient funds");
        let text = serde_json::to_string(&with_cause).unwrap();
        assert_eq!(text, r#"{"Error":"Card.Declined","Cause":"insufficient funds"}"#);
        assert_eq!(serde_json::from_str::<Error>(&text).unwrap(), with_cause);

        let without = err(names::TIMEOUT);
        let text = serde_json::to_string(&without).unwrap();
        assert_eq!(text, r#"{"Error":"States.Timeout"}"#);
        assert_eq!(serde_json::from_str::<Error>(&text).unwrap(), without);
        assert_eq!(serde_json::from_str::<Error>(r#"{"Error":"X","Cause":null}"#).unwrap(), Error::named("X"));
    }
}
