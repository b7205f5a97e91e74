//! State machines: what `CreateStateMachine` made (or a definition file), as stored and as
//! loaded.

use asl_codegen::SourceFormat;
use asl_runtime::execution::Workflow;
use asl_runtime::store::{MachineType, ResourceRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::definitions;
use crate::wire::ApiError;

/// The kind of the store's resource records that are state machines.
pub(super) const KIND: &str = "state-machine";

/// A state machine as stored: everything `DescribeStateMachine` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineRecord {
    /// Its name.
    pub name: String,
    /// Its definition, as given.
    pub definition: String,
    /// `STANDARD` or `EXPRESS`.
    #[serde(rename = "type")]
    pub machine_type: String,
    /// The role it was given (any ARN: nothing here assumes roles).
    pub role_arn: String,
    /// When it was created, in microseconds since the epoch.
    pub creation_micros: i64,
    /// When its definition or role last changed, if it did.
    #[serde(default)]
    pub update_micros: Option<i64>,
    /// Changes with every update (AWS's `revisionId`).
    pub revision_id: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// `loggingConfiguration`, as given.
    #[serde(default)]
    pub logging_configuration: Option<Value>,
    /// `tracingConfiguration`, as given.
    #[serde(default)]
    pub tracing_configuration: Option<Value>,
    /// How many versions were ever published (the next is this plus one: numbers are never
    /// reused, even after a version is deleted).
    #[serde(default)]
    pub versions_published: u64,
    /// Whether the definition is YAML (from an `.asl.yaml` file; the API takes JSON).
    #[serde(default)]
    pub yaml: bool,
}

/// A Task handler of a machine's own (a Rust application's typed `Handlers`).
#[derive(Clone)]
pub struct Handler(pub std::sync::Arc<dyn asl_runtime::execution::TaskHandler>);

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handler")
    }
}

/// A state machine, loaded.
#[derive(Debug)]
pub struct StateMachine {
    /// Its ARN.
    pub arn: String,
    /// What is stored of it.
    pub record: MachineRecord,
    /// Its type.
    pub machine_type: MachineType,
    /// Its definition, loaded into the engine (or compiled into the program).
    pub workflow: &'static Workflow,
    /// The handler of its Tasks, when it has its own rather than the server's bindings.
    pub handler: Option<Handler>,
}

/// A date as microseconds since the epoch (dates before 1970 do not occur here).
pub fn micros(date: OffsetDateTime) -> i64 {
    i64::try_from(date.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// The date of a count of microseconds since the epoch.
pub fn from_micros(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl StateMachine {
    /// Loads `record`'s definition as the machine `arn`.
    ///
    /// # Errors
    ///
    /// `InvalidDefinition` for a definition that does not load; `ValidationException` for a
    /// type that is neither STANDARD nor EXPRESS.
    pub fn load(arn: String, record: MachineRecord) -> Result<StateMachine, ApiError> {
        let machine_type = MachineType::from_name(&record.machine_type)
            .ok_or_else(|| ApiError::validation(format!("unknown state machine type {:?}", record.machine_type)))?;
        let format = if record.yaml { SourceFormat::Yaml } else { SourceFormat::Json };
        let workflow = definitions::load(&record.name, &record.definition, format, machine_type)?;
        Ok(StateMachine { arn, record, machine_type, workflow, handler: None })
    }

    /// The machine a stored record describes.
    pub(super) fn from_stored(stored: &ResourceRecord) -> Result<StateMachine, ApiError> {
        let record: MachineRecord = serde_json::from_str(&stored.body)
            .map_err(|e| ApiError::internal(format!("unreadable state machine record: {e}")))?;
        StateMachine::load(stored.key.clone(), record)
    }

    /// The record to store.
    pub(super) fn to_stored(&self) -> ResourceRecord {
        // A struct of strings and JSON values always serialises.
        let body = serde_json::to_string(&self.record).unwrap_or_default();
        ResourceRecord { kind: KIND.into(), key: self.arn.clone(), body }
    }

    /// Since when its definition is what it is (its last update, else its creation), in
    /// microseconds since the epoch.
    pub fn current_since(&self) -> i64 {
        self.record.update_micros.unwrap_or(self.record.creation_micros)
    }

    /// When it was created.
    pub fn creation_date(&self) -> OffsetDateTime {
        from_micros(self.record.creation_micros)
    }
}
