//! Versions, aliases and tags: what names a state machine besides its ARN, and what a
//! resource is labelled with. Kept in the store as resources beside the machines.

use serde::{Deserialize, Serialize};

use super::MachineRecord;

/// The store kind of versions.
pub(super) const VERSION: &str = "version";
/// The store kind of aliases.
pub(super) const ALIAS: &str = "alias";
/// The store kind of tag sets (keyed by the tagged resource's ARN).
pub(super) const TAGS: &str = "tags";
/// The store kind of what an execution was started through (a version or an alias).
pub(super) const STARTED_THROUGH: &str = "started-through";

/// A published version of a state machine (`…:stateMachine:NAME:N`): its definition as it
/// was when published.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionRecord {
    /// The unqualified ARN of its state machine.
    pub machine_arn: String,
    /// Its number, from 1.
    pub number: u64,
    /// The machine as it was (definition, role, revision…).
    pub machine: MachineRecord,
    /// The version's description.
    #[serde(default)]
    pub description: Option<String>,
    /// When it was published, in microseconds since the epoch.
    pub creation_micros: i64,
}

/// An alias (`…:stateMachine:NAME:ALIAS`): one or two versions with weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AliasRecord {
    /// Its name.
    pub name: String,
    /// The unqualified ARN of its state machine.
    pub machine_arn: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// Version ARNs and their weights (summing to 100).
    pub routing: Vec<Route>,
    /// When it was created, in microseconds since the epoch.
    pub creation_micros: i64,
    /// When it was last updated.
    #[serde(default)]
    pub update_micros: Option<i64>,
}

/// One entry of an alias's routing configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    /// The version.
    pub state_machine_version_arn: String,
    /// Its share of executions, in percent.
    pub weight: u32,
}

/// A tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Its key.
    pub key: String,
    /// Its value.
    pub value: String,
}

/// What an execution was started through, for `DescribeExecution`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartedThrough {
    /// The version it ran.
    #[serde(default)]
    pub state_machine_version_arn: Option<String>,
    /// The alias it was started through.
    #[serde(default)]
    pub state_machine_alias_arn: Option<String>,
    /// The mock configuration's test case it runs (`…:stateMachine:NAME#CASE`), which a
    /// restart chooses again before the execution is taken up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_case: Option<String>,
}
