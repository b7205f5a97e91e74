//! Execution history: the events AWS Step Functions records for an execution, in the shape
//! of AWS's `GetExecutionHistory`.
//!
//! Each event has an id (from 1, `ExecutionStarted`, in the order they happen), the id of
//! the event that causally precedes it, a timestamp, its type and, for most types, details
//! (inputs and outputs as JSON text, errors and causes, the Task's resource…). Serialised
//! with serde, an event is AWS's JSON: `{"timestamp", "type", "id", "previousEventId",
//! "<type>EventDetails": {…}}`.
//!
//! `previousEventId` follows AWS's causal chains ([`Chain`]): inside a Parallel branch or a
//! Map iteration, events point at the branch's or iteration's own previous event, not at
//! whatever another branch recorded in between.

use std::borrow::Cow;
use std::sync::Arc;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use time::OffsetDateTime;

use crate::machine::StateKind;

/// One history event.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEvent {
    /// Its id: 1 for `ExecutionStarted`, then one more per event.
    pub id: u64,
    /// The id of the event it follows from (0 for none).
    pub previous_event_id: u64,
    /// When it happened.
    pub timestamp: OffsetDateTime,
    /// What happened.
    pub kind: EventType,
    /// Its details (`None` for the types that have none, and when the execution records
    /// event types only, see [`HistoryDetail`]).
    pub details: Option<Box<EventDetails>>,
}

/// How much of each event an execution records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum HistoryDetail {
    /// Everything AWS records: inputs and outputs as JSON text, assigned variables, errors,
    /// resources. Costs a serialisation of the data at every state entry and exit.
    #[default]
    Full,
    /// Types, ids, causal links and timestamps only: no details. For workloads that never
    /// read the history and want every transition as cheap as possible.
    TypesOnly,
}

/// The details of an event: the fields of AWS's `…EventDetails` member that its type has.
/// Which member holds them is a function of the type (see [`EventType::details_member`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDetails {
    /// A state's name (`stateEntered…`/`stateExited…`), or the Map state's name
    /// (`mapIteration…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Cow<'static, str>>,
    /// A Map iteration's index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// `MapStateStarted`: the number of items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// A Task's resource type (`lambda`, `sqs`, `aws-sdk:s3`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<Cow<'static, str>>,
    /// A Task's resource (`invoke`, `sendMessage.waitForTaskToken`; an activity's or a
    /// Lambda function's ARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<Cow<'static, str>>,
    /// `TaskScheduled`: the region of the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `TaskScheduled`: the Task's effective input, as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Arc<str>>,
    /// An input, as JSON text (shared with the output of the state before, which it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Arc<str>>,
    /// An output, as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Arc<str>>,
    /// `…StateExited`: the variables the state assigned, each value as JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_variables: Option<serde_json::Map<String, Value>>,
    /// A `TimeoutSeconds` in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_in_seconds: Option<u64>,
    /// A `HeartbeatSeconds` in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_in_seconds: Option<u64>,
    /// An error name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// An error's cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// `EvaluationFailed`: the state whose expression failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Cow<'static, str>>,
    /// `EvaluationFailed`: the field whose expression failed (`Output/values[0]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `MapRunStarted`, `MapRunRedriven`: the Map Run's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_run_arn: Option<String>,
    /// `ExecutionStarted`: the execution's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// `ActivityStarted`: the worker that took the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_name: Option<String>,
    /// `ExecutionRedriven`, `MapRunRedriven`: how many times the execution (the Map Run)
    /// has been redriven, this time included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redrive_count: Option<u64>,
}

/// AWS's `…Details` companion of a data field: `{"truncated": false}` (asl-rs never
/// truncates).
#[derive(Serialize)]
struct NotTruncated {
    truncated: bool,
}

/// Declares [`EventType`] and its [`EventType::name`] from one list of AWS's names.
macro_rules! event_types {
    ($($variant:ident),* $(,)?) => {
        /// The history event types asl-rs records, named as in AWS's `GetExecutionHistory`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[allow(missing_docs)] // Each variant is the AWS event type of the same name.
        pub enum EventType {
            $($variant,)*
        }

        impl EventType {
            /// The event type's AWS name.
            pub fn name(self) -> &'static str {
                match self {
                    $(EventType::$variant => stringify!($variant),)*
                }
            }
        }
    };
}

event_types!(
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
    MapIterationAborted,
    MapRunStarted,
    MapRunSucceeded,
    MapRunFailed,
    MapRunAborted,
    TaskStateAborted,
    WaitStateAborted,
    ParallelStateAborted,
    MapStateAborted,
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
    ExecutionRedriven,
    MapRunRedriven,
);

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

    /// The `…StateAborted` event of a state of this kind that is interrupted (`None` for
    /// the kinds that never wait).
    pub fn aborted(kind: &StateKind) -> Option<EventType> {
        match kind {
            StateKind::Task(_) => Some(EventType::TaskStateAborted),
            StateKind::Wait { .. } => Some(EventType::WaitStateAborted),
            StateKind::Parallel { .. } => Some(EventType::ParallelStateAborted),
            StateKind::Map(_) => Some(EventType::MapStateAborted),
            _ => None,
        }
    }

    /// The member of AWS's `HistoryEvent` that holds this type's details: one for all
    /// `…StateEntered` and one for all `…StateExited` types, else the type's own name
    /// (`taskScheduledEventDetails`).
    pub fn details_member(self) -> Cow<'static, str> {
        let name = self.name();
        if name.ends_with("StateEntered") {
            return Cow::Borrowed("stateEnteredEventDetails");
        }
        if name.ends_with("StateExited") {
            return Cow::Borrowed("stateExitedEventDetails");
        }
        let mut member = String::with_capacity(name.len() + 12);
        let mut chars = name.chars();
        if let Some(first) = chars.next() {
            member.push(first.to_ascii_lowercase());
        }
        member.extend(chars);
        member.push_str("EventDetails");
        Cow::Owned(member)
    }

    /// Whether the event is recorded beside its chain rather than on it: AWS links the
    /// next event of the chain past it, to the event before it. These are the closing
    /// events of a Parallel, a Map, a Map Run, a failed iteration and the execution.
    fn is_beside_chain(self) -> bool {
        matches!(
            self,
            EventType::ExecutionStarted
                | EventType::ExecutionSucceeded
                | EventType::ExecutionFailed
                | EventType::ExecutionTimedOut
                | EventType::ExecutionAborted
                | EventType::ParallelStateSucceeded
                | EventType::ParallelStateFailed
                | EventType::MapStateSucceeded
                | EventType::MapStateFailed
                | EventType::MapRunSucceeded
                | EventType::MapRunFailed
                | EventType::MapIterationFailed
                | EventType::MapIterationAborted
        )
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A Task state's events: `LambdaFunction…` for a plain Lambda function ARN as `Resource`
/// (the legacy integration), `Activity…` for an activity, `Task…` for every other
/// resource (`lambda:invoke` included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct TaskEvents {
    pub(super) scheduled: EventType,
    pub(super) started: EventType,
    pub(super) succeeded: EventType,
    pub(super) failed: EventType,
    pub(super) timed_out: EventType,
    /// Which of the three families.
    pub(super) family: TaskFamily,
}

/// The three families of Task events, whose details differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TaskFamily {
    /// `Task…`: details name the resource type and resource.
    Integration,
    /// `Activity…`.
    Activity,
    /// `LambdaFunction…`.
    LambdaFunction,
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
                family: TaskFamily::Activity,
            }
        } else if resource.contains(":function:") {
            TaskEvents {
                scheduled: EventType::LambdaFunctionScheduled,
                started: EventType::LambdaFunctionStarted,
                succeeded: EventType::LambdaFunctionSucceeded,
                failed: EventType::LambdaFunctionFailed,
                timed_out: EventType::LambdaFunctionTimedOut,
                family: TaskFamily::LambdaFunction,
            }
        } else {
            TaskEvents {
                scheduled: EventType::TaskScheduled,
                started: EventType::TaskStarted,
                succeeded: EventType::TaskSucceeded,
                failed: EventType::TaskFailed,
                timed_out: EventType::TaskTimedOut,
                family: TaskFamily::Integration,
            }
        }
    }
}

/// An integration resource as AWS's Task events name it: `arn:aws:states:::lambda:invoke`
/// is type `lambda`, resource `invoke`; `arn:aws:states:::aws-sdk:s3:getObject` is type
/// `aws-sdk:s3`, resource `getObject`. A resource that is no `states` integration ARN is
/// its own resource, with no type.
pub(super) fn resource_parts(resource: &'static str) -> (Option<&'static str>, &'static str) {
    // `arn:<partition>:states:<region>:<account>:<service>:<action>`, region and account
    // empty for the optimised integrations.
    let mut fields = resource.splitn(6, ':');
    let (Some("arn"), Some(_), Some("states"), Some(_), Some(_), Some(rest)) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return (None, resource);
    };
    let split =
        if rest.starts_with("aws-sdk:") { rest.match_indices(':').nth(1).map(|(at, _)| at) } else { rest.find(':') };
    match split {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    }
}

/// Where a chain of causally linked events stands: its last event, and the last event
/// recorded beside it if that came after (see [`EventType::is_beside_chain`]). Each frame
/// has one: a Parallel branch's starts at `ParallelStateStarted`, a Map iteration's at
/// `MapStateStarted`, the execution's at 0 (AWS links its first state's Entered event to
/// no event, not to `ExecutionStarted`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Chain {
    /// The last event on the chain.
    pub(super) tip: u64,
    /// The last event recorded beside the chain since `tip`, or 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(super) beside: u64,
}

fn is_zero(id: &u64) -> bool {
    *id == 0
}

impl Chain {
    /// A chain that goes on from event `id`.
    pub(super) fn from(id: u64) -> Chain {
        Chain { tip: id, beside: 0 }
    }

    /// Goes on from `other`'s last event (a parent after its branch or iteration ended),
    /// or from the later of the two with `latest`.
    pub(super) fn join(&mut self, other: Chain, latest: bool) {
        let tip = if latest { self.tip.max(other.tip) } else { other.tip };
        *self = Chain::from(tip);
    }
}

/// A run's history: its events in order, and how much of each it records.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct History {
    /// The events (saved in the compact form of [`stored`], not as AWS's JSON).
    #[serde(with = "stored")]
    pub(super) events: Vec<HistoryEvent>,
    /// How much of each event is recorded.
    #[serde(default, skip_serializing_if = "is_full")]
    pub(super) detail: HistoryDetail,
}

fn is_full(detail: &HistoryDetail) -> bool {
    *detail == HistoryDetail::Full
}

impl History {
    /// An empty history that records `detail`.
    pub(super) fn new(detail: HistoryDetail) -> History {
        History { events: Vec::new(), detail }
    }

    /// Whether events carry details.
    pub(super) fn detailed(&self) -> bool {
        self.detail == HistoryDetail::Full
    }

    /// Records an event on `chain` at `now` and returns its id. `details` is only called
    /// when the history records details.
    pub(super) fn record(
        &mut self,
        chain: &mut Chain,
        kind: EventType,
        now: OffsetDateTime,
        details: impl FnOnce() -> Option<EventDetails>,
    ) -> u64 {
        let id = self.events.len() as u64 + 1;
        let previous_event_id = if kind.is_beside_chain() {
            let previous = if chain.beside != 0 { chain.beside } else { chain.tip };
            chain.beside = id;
            previous
        } else {
            let previous = chain.tip;
            *chain = Chain::from(id);
            previous
        };
        let details = if self.detailed() { details().map(Box::new) } else { None };
        self.events.push(HistoryEvent { id, previous_event_id, timestamp: now, kind, details });
        id
    }
}

/// JSON text of a value, as history events hold data.
pub(super) fn text(value: &Value) -> String {
    // serde's writer rather than `Display`, which goes through a formatter per token.
    serde_json::to_string(value).unwrap_or_default()
}

/// [`text`], shareable between events.
pub(super) fn shared_text(value: &Value) -> Arc<str> {
    Arc::from(text(value))
}

/// The JSON text of a frame's input, when the history already holds it as the output of
/// the state before: the next Entered event shares it instead of serialising the same
/// value again. Not part of the saved execution (a restored frame renders its input again)
/// nor of its equality.
#[derive(Clone, Debug, Default)]
pub(super) struct TextCache(pub(super) Option<Arc<str>>);

impl PartialEq for TextCache {
    fn eq(&self, _: &TextCache) -> bool {
        true
    }
}

/// Events as a saved execution holds them: fields by position, the instant as integer
/// nanoseconds, the details without AWS's member names and companions. AWS's JSON spells
/// all of those out in every event, which a parked or stored execution has no use for.
mod stored {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::OffsetDateTime;

    use super::{EventDetails, EventType, HistoryEvent};

    #[derive(Serialize)]
    struct StoredRef<'e> {
        id: u64,
        previous: u64,
        #[serde(with = "crate::execution::state::nanos")]
        at: OffsetDateTime,
        kind: EventType,
        details: Option<&'e EventDetails>,
    }

    #[derive(Deserialize)]
    struct Stored {
        id: u64,
        previous: u64,
        #[serde(with = "crate::execution::state::nanos")]
        at: OffsetDateTime,
        kind: EventType,
        details: Option<Box<EventDetails>>,
    }

    pub(super) fn serialize<S: Serializer>(events: &[HistoryEvent], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(events.iter().map(|event| StoredRef {
            id: event.id,
            previous: event.previous_event_id,
            at: event.timestamp,
            kind: event.kind,
            details: event.details.as_deref(),
        }))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<HistoryEvent>, D::Error> {
        let stored = Vec::<Stored>::deserialize(deserializer)?;
        Ok(stored
            .into_iter()
            .map(|Stored { id, previous, at, kind, details }| HistoryEvent {
                id,
                previous_event_id: previous,
                timestamp: at,
                kind,
                details,
            })
            .collect())
    }
}

impl Serialize for HistoryEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4 + usize::from(self.details.is_some())))?;
        map.serialize_entry("timestamp", &Rfc3339(self.timestamp))?;
        map.serialize_entry("type", &self.kind)?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("previousEventId", &self.previous_event_id)?;
        if let Some(details) = &self.details {
            map.serialize_entry(&*self.kind.details_member(), &WithCompanions(details))?;
        }
        map.end()
    }
}

/// An event's details with AWS's `inputDetails`/`outputDetails`/`assignedVariablesDetails`
/// companions beside the data fields they describe.
struct WithCompanions<'d>(&'d EventDetails);

impl Serialize for WithCompanions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let details = self.0;
        let value = serde_json::to_value(details).map_err(serde::ser::Error::custom)?;
        let Value::Object(fields) = value else { return serializer.serialize_none() };
        let companions = fields.keys().filter(|key| has_companion(key)).count();
        let mut map = serializer.serialize_map(Some(fields.len() + companions))?;
        for (key, value) in &fields {
            map.serialize_entry(key, value)?;
            if has_companion(key) {
                map.serialize_entry(&format!("{key}Details"), &NotTruncated { truncated: false })?;
            }
        }
        map.end()
    }
}

/// Whether AWS puts a `<field>Details` member beside this data field.
fn has_companion(field: &str) -> bool {
    matches!(field, "input" | "output" | "assignedVariables")
}

/// An instant as RFC 3339 text with all its digits (nanoseconds), so a saved history reads
/// back exactly.
struct Rfc3339(OffsetDateTime);

impl Serialize for Rfc3339 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.0.format(&time::format_description::well_known::Rfc3339).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

/// A history event as AWS's JSON holds it, for reading one back.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEvent {
    #[serde(deserialize_with = "rfc3339")]
    timestamp: OffsetDateTime,
    #[serde(rename = "type")]
    kind: EventType,
    id: u64,
    previous_event_id: u64,
    /// The details member, whatever its name (the `…Details` companions are ignored).
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, EventDetails>,
}

/// Reads an RFC 3339 timestamp.
fn rfc3339<'de, D: Deserializer<'de>>(deserializer: D) -> Result<OffsetDateTime, D::Error> {
    let text = Cow::<str>::deserialize(deserializer)?;
    OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339).map_err(serde::de::Error::custom)
}

impl<'de> Deserialize<'de> for HistoryEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<HistoryEvent, D::Error> {
        let RawEvent { timestamp, kind, id, previous_event_id, mut rest } = RawEvent::deserialize(deserializer)?;
        let details = rest.remove(&*kind.details_member()).map(Box::new);
        Ok(HistoryEvent { id, previous_event_id, timestamp, kind, details })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
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
        assert_eq!(EventType::LambdaFunctionTimedOut.name(), "LambdaFunctionTimedOut");
    }

    #[test]
    fn details_members_are_named_as_in_aws_api() {
        assert_eq!(EventType::PassStateEntered.details_member(), "stateEnteredEventDetails");
        assert_eq!(EventType::MapStateExited.details_member(), "stateExitedEventDetails");
        assert_eq!(EventType::TaskScheduled.details_member(), "taskScheduledEventDetails");
        assert_eq!(EventType::MapIterationStarted.details_member(), "mapIterationStartedEventDetails");
        assert_eq!(EventType::MapStateStarted.details_member(), "mapStateStartedEventDetails");
        assert_eq!(EventType::ExecutionStarted.details_member(), "executionStartedEventDetails");
    }

    #[test]
    fn resources_split_into_type_and_resource() {
        assert_eq!(resource_parts("arn:aws:states:::lambda:invoke"), (Some("lambda"), "invoke"));
        assert_eq!(
            resource_parts("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            (Some("sqs"), "sendMessage.waitForTaskToken")
        );
        assert_eq!(resource_parts("arn:aws:states:::aws-sdk:s3:getObject"), (Some("aws-sdk:s3"), "getObject"));
        assert_eq!(
            resource_parts("arn:aws:states:::states:startExecution.sync:2"),
            (Some("states"), "startExecution.sync:2")
        );
        assert_eq!(resource_parts("arn:aws-cn:states:::http:invoke"), (Some("http"), "invoke"));
        assert_eq!(resource_parts("my-handler"), (None, "my-handler"));
    }

    #[test]
    fn chains_link_past_closing_events() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut history = History::default();
        let mut top = Chain::default();
        let none = || None;
        assert_eq!(history.record(&mut top, EventType::ExecutionStarted, now, none), 1);
        history.record(&mut top, EventType::MapStateEntered, now, none);
        history.record(&mut top, EventType::MapStateStarted, now, none);
        history.record(&mut top, EventType::MapStateSucceeded, now, none);
        history.record(&mut top, EventType::MapStateExited, now, none);
        history.record(&mut top, EventType::ExecutionSucceeded, now, none);
        let previous: Vec<u64> = history.events.iter().map(|e| e.previous_event_id).collect();
        // An empty Map: the Exited event points past MapStateSucceeded, at MapStateStarted.
        assert_eq!(previous, [0, 0, 2, 3, 3, 5]);
    }

    #[test]
    fn events_serialise_as_aws_json_and_read_back() {
        let mut history = History::default();
        let mut chain = Chain::default();
        let at =
            OffsetDateTime::from_unix_timestamp_nanos(1_704_067_200_123_456_789).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        history.record(&mut chain, EventType::PassStateEntered, at, || {
            Some(EventDetails {
                name: Some("Start".into()),
                input: Some("{\"a\":1}".into()),
                ..EventDetails::default()
            })
        });
        let event = &history.events[0];
        let json = serde_json::to_value(event).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({
                "timestamp": "2024-01-01T00:00:00.123456789Z",
                "type": "PassStateEntered",
                "id": 1,
                "previousEventId": 0,
                "stateEnteredEventDetails": {
                    "name": "Start",
                    "input": "{\"a\":1}",
                    "inputDetails": { "truncated": false },
                },
            })
        );
        let back: HistoryEvent = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&back, event);
    }
}
