//! Execution history: the events AWS Step Functions records for an execution, with its
//! event types and numbering.
//!
//! Each event has an id (from 1, `ExecutionStarted`, in the order they happen), the id of
//! the event before it, a timestamp and, for `…StateEntered`/`…StateExited`, the state.
//! Event details (inputs and outputs as JSON text, errors, resources) are not recorded yet.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::machine::StateKind;

/// One history event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    /// Its id: 1 for `ExecutionStarted`, then one more per event.
    pub id: u64,
    /// The id of the event recorded before it (0 for the first).
    pub previous_event_id: u64,
    /// When it happened.
    #[serde(with = "super::state::nanos")]
    pub timestamp: OffsetDateTime,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// For a state's Entered and Exited events: the container and state indices (see
    /// [`Workflow::containers`](super::Workflow::containers)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<(u16, u16)>,
}

/// The history event types asl-rs records, named as in AWS's `GetExecutionHistory`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)] // Each variant is the AWS event type of the same name.
pub enum EventType {
    ExecutionStarted,
    ExecutionSucceeded,
    ExecutionFailed,
    ExecutionTimedOut,
    ExecutionAborted,
    PassStateEntered,
    PassStateExited,
    TaskStateEntered,
    TaskStateExited,
    ChoiceStateEntered,
    ChoiceStateExited,
    WaitStateEntered,
    WaitStateExited,
    SucceedStateEntered,
    SucceedStateExited,
    FailStateEntered,
    ParallelStateEntered,
    ParallelStateExited,
    ParallelStateStarted,
    ParallelStateSucceeded,
    ParallelStateFailed,
    MapStateEntered,
    MapStateExited,
    MapStateStarted,
    MapStateSucceeded,
    MapStateFailed,
    MapIterationStarted,
    MapIterationSucceeded,
    MapIterationFailed,
    MapRunStarted,
    MapRunSucceeded,
    MapRunFailed,
    TaskScheduled,
    TaskStarted,
    TaskSucceeded,
    TaskFailed,
    TaskTimedOut,
    TaskSubmitted,
    ActivityScheduled,
    ActivityStarted,
    ActivitySucceeded,
    ActivityFailed,
    ActivityTimedOut,
    LambdaFunctionScheduled,
    LambdaFunctionStarted,
    LambdaFunctionSucceeded,
    LambdaFunctionFailed,
    LambdaFunctionTimedOut,
    EvaluationFailed,
}

impl EventType {
    /// The `…StateEntered` event of a state of this kind.
    pub fn entered(kind: &StateKind) -> EventType {
        match kind {
            StateKind::Pass { .. } => EventType::PassStateEntered,
            StateKind::Task(_) => EventType::TaskStateEntered,
            StateKind::Choice { .. } => EventType::ChoiceStateEntered,
            StateKind::Wait { .. } => EventType::WaitStateEntered,
            StateKind::Succeed { .. } => EventType::SucceedStateEntered,
            StateKind::Fail { .. } => EventType::FailStateEntered,
            StateKind::Parallel { .. } => EventType::ParallelStateEntered,
            StateKind::Map(_) => EventType::MapStateEntered,
        }
    }

    /// The `…StateExited` event of a state of this kind (a Fail state never exits; it has
    /// none).
    pub fn exited(kind: &StateKind) -> Option<EventType> {
        Some(match kind {
            StateKind::Pass { .. } => EventType::PassStateExited,
            StateKind::Task(_) => EventType::TaskStateExited,
            StateKind::Choice { .. } => EventType::ChoiceStateExited,
            StateKind::Wait { .. } => EventType::WaitStateExited,
            StateKind::Succeed { .. } => EventType::SucceedStateExited,
            StateKind::Fail { .. } => return None,
            StateKind::Parallel { .. } => EventType::ParallelStateExited,
            StateKind::Map(_) => EventType::MapStateExited,
        })
    }
}

/// A Task state's events: `LambdaFunction…` for a plain Lambda function ARN as `Resource`
/// (the legacy integration), `Task…` for every other resource (`lambda:invoke` included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct TaskEvents {
    pub(super) scheduled: EventType,
    pub(super) started: EventType,
    pub(super) succeeded: EventType,
    pub(super) failed: EventType,
    pub(super) timed_out: EventType,
}

impl TaskEvents {
    /// The events of a Task state with `resource`.
    pub(super) fn of(resource: &str) -> TaskEvents {
        // Plain substring tests, as in `TaskDef::callback`: an activity ARN has `:activity:`,
        // a Lambda function ARN (`arn:aws:lambda:<region>:<account>:function:<name>`)
        // `:function:`, which no integration ARN has.
        if resource.contains(":activity:") {
            TaskEvents {
                scheduled: EventType::ActivityScheduled,
                started: EventType::ActivityStarted,
                succeeded: EventType::ActivitySucceeded,
                failed: EventType::ActivityFailed,
                timed_out: EventType::ActivityTimedOut,
            }
        } else if resource.contains(":function:") {
            TaskEvents {
                scheduled: EventType::LambdaFunctionScheduled,
                started: EventType::LambdaFunctionStarted,
                succeeded: EventType::LambdaFunctionSucceeded,
                failed: EventType::LambdaFunctionFailed,
                timed_out: EventType::LambdaFunctionTimedOut,
            }
        } else {
            TaskEvents {
                scheduled: EventType::TaskScheduled,
                started: EventType::TaskStarted,
                succeeded: EventType::TaskSucceeded,
                failed: EventType::TaskFailed,
                timed_out: EventType::TaskTimedOut,
            }
        }
    }
}

/// A run's history: its events in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct History(pub(super) Vec<HistoryEvent>);

impl History {
    /// Records an event at `now` and returns its id.
    pub(super) fn record(&mut self, kind: EventType, state: Option<(u16, u16)>, now: OffsetDateTime) -> u64 {
        let previous_event_id = self.0.len() as u64;
        let id = previous_event_id + 1;
        self.0.push(HistoryEvent { id, previous_event_id, timestamp: now, kind, state });
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lambda_arns_have_lambda_events_and_integrations_task_events() {
        let plain = TaskEvents::of("arn:aws:lambda:us-east-1:123456789012:function:f");
        assert_eq!(plain.scheduled, EventType::LambdaFunctionScheduled);
        let invoke = TaskEvents::of("arn:aws:states:::lambda:invoke");
        assert_eq!(invoke.scheduled, EventType::TaskScheduled);
    }

    #[test]
    fn event_types_serialise_as_aws_names() {
        assert_eq!(serde_json::to_value(EventType::MapIterationStarted).unwrap_or_default(), "MapIterationStarted");
    }
}
