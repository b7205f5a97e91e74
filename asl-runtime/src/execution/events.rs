//! History helpers of the transitions: the events a step records beyond a state's
//! Entered and Exited (an evaluation that failed, a Parallel or Map that failed for good, a
//! run that ended) and the details of Task events. The history's own types are in
//! [`history`].

use std::borrow::Cow;

use serde_json::Value;
use time::OffsetDateTime;

use super::history::{self, Chain, EventDetails, EventType, History, TaskFamily};
use super::turn::{Mode, RunCtx};
use crate::error::{Error, names};
use crate::machine::{StateDef, StateKind};
use crate::path;

/// How `path::cause::in_state` starts: a cause that has it was already attributed to the
/// state that raised it (an inner state of a branch or iteration).
pub(super) const CAUSE_PREFIX: &str = "An error occurred while executing the state";

/// A `States.QueryEvaluationError` the state itself raised (not one an inner state of a
/// branch or iteration already attributed): AWS records an `EvaluationFailed` event, and
/// the cause names the state, as a `States.Runtime` error's does.
pub(super) fn evaluation_failed<M: Mode>(
    ctx: &mut RunCtx<'_, M>,
    chain: &mut Chain,
    entered_event: u64,
    state: &'static StateDef,
    error: &mut Error,
) {
    if error.name != names::QUERY_EVALUATION_ERROR {
        return;
    }
    let Some(cause) = error.cause.as_deref().filter(|c| !c.starts_with(CAUSE_PREFIX)) else { return };
    let location = field_of(cause).map(str::to_owned);
    error.cause = Some(path::cause::in_state(state.name, entered_event, cause));
    let error = &*error;
    ctx.event_with(chain, EventType::EvaluationFailed, || {
        Some(EventDetails {
            error: Some(error.reported_name().to_string()),
            cause: error.cause.clone(),
            state: Some(Cow::Borrowed(state.name)),
            location,
            ..EventDetails::default()
        })
    });
}

/// The field a JSONata evaluation error names (`… specified for the field 'Output/v' …`).
fn field_of(cause: &str) -> Option<&str> {
    const MARK: &str = "specified for the field '";
    let start = cause.find(MARK)? + MARK.len();
    let length = cause[start..].find('\'')?;
    Some(&cause[start..start + length])
}

/// Records that a run (the execution, or a Distributed Map child execution) ended with
/// `end`: `ExecutionSucceeded` with its output, or `ExecutionFailed` with its error and
/// cause (none when a Fail state named none).
pub(super) fn run_ended(history: &mut History, chain: &mut Chain, end: &Result<Value, Error>, now: OffsetDateTime) {
    match end {
        Ok(output) => history.record(chain, EventType::ExecutionSucceeded, now, || {
            Some(EventDetails { output: Some(history::shared_text(output)), ..EventDetails::default() })
        }),
        Err(error) => history.record(chain, EventType::ExecutionFailed, now, || {
            Some(EventDetails {
                error: (!error.name.is_empty()).then(|| error.reported_name().to_string()),
                cause: error.cause.clone(),
                ..EventDetails::default()
            })
        }),
    };
}

/// What the Task events of `resource` (of `family`) name besides their own data: an
/// integration's resource type and resource.
pub(super) fn task_details(resource: &'static str, family: TaskFamily) -> EventDetails {
    match family {
        TaskFamily::Integration => {
            let (resource_type, resource) = history::resource_parts(resource);
            EventDetails {
                resource_type: resource_type.map(Cow::Borrowed),
                resource: Some(Cow::Borrowed(resource)),
                ..EventDetails::default()
            }
        }
        TaskFamily::Activity | TaskFamily::LambdaFunction => EventDetails::default(),
    }
}

/// The details of a Task attempt's `…Scheduled` event: the resource, the region and the
/// effective input (`parameters` of an integration, `input` of an activity or Lambda
/// function), and the timeouts in force.
pub(super) fn scheduled_details(
    resource: &'static str,
    family: TaskFamily,
    region: &str,
    input: &Value,
    (timeout, heartbeat): (Option<u64>, Option<u64>),
) -> EventDetails {
    let input = Some(history::shared_text(input));
    match family {
        TaskFamily::Integration => EventDetails {
            region: Some(region.to_owned()),
            parameters: input,
            timeout_in_seconds: timeout,
            heartbeat_in_seconds: heartbeat,
            ..task_details(resource, family)
        },
        TaskFamily::Activity => EventDetails {
            resource: Some(Cow::Borrowed(resource)),
            input,
            timeout_in_seconds: timeout,
            heartbeat_in_seconds: heartbeat,
            ..EventDetails::default()
        },
        TaskFamily::LambdaFunction => EventDetails {
            resource: Some(Cow::Borrowed(resource)),
            input,
            timeout_in_seconds: timeout,
            ..EventDetails::default()
        },
    }
}

/// Records that a Parallel or Map state failed for good: AWS records `…StateFailed` only
/// for an attempt no retrier retries (then the catcher's `…StateExited` may follow).
pub(super) fn state_failed<M: Mode>(ctx: &mut RunCtx<'_, M>, chain: &mut Chain, state: &StateDef) {
    match state.kind {
        StateKind::Parallel { .. } => {
            ctx.event(chain, EventType::ParallelStateFailed);
        }
        StateKind::Map(_) => {
            ctx.event(chain, EventType::MapStateFailed);
        }
        _ => {}
    }
}
