//! The definitions state machines had before they changed, kept so that an execution taken
//! up after a restart runs on the definition it was started on: its saved state names
//! states by their place in that definition, and AWS never changes the definition under a
//! running execution. Without them, a server restarted after an `UpdateStateMachine` (or an
//! `asl build` binary rebuilt with a changed definition) would take executions up on the new
//! definition.
//!
//! A revision is stored when a machine's definition changes, with the span of time it was
//! current; an execution's start date says which one it ran. No write per execution.

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock};

use asl_codegen::SourceFormat;
use asl_runtime::execution::Workflow;
use asl_runtime::store::MachineType;
use serde::{Deserialize, Serialize};

use super::definitions;

/// The kind of the store's resource records that are revisions.
pub(super) const KIND: &str = "revision";

/// A definition a state machine had from `from_micros` until `to_micros`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    /// The state machine.
    pub machine_arn: String,
    /// Its name (what its workflow is called).
    pub name: String,
    /// The definition, as given.
    pub definition: String,
    /// Whether it is YAML.
    pub yaml: bool,
    /// `STANDARD` or `EXPRESS`.
    pub machine_type: String,
    /// When it became the machine's definition, in microseconds since the epoch.
    pub from_micros: i64,
    /// When another replaced it.
    pub to_micros: i64,
}

impl Revision {
    /// The key of its store record.
    pub(super) fn key(&self) -> String {
        format!("{}@{}", self.machine_arn, self.from_micros)
    }
}

/// The revisions of every machine.
#[derive(Default)]
pub struct Revisions {
    by_machine: RwLock<BTreeMap<String, Vec<Revision>>>,
}

impl Revisions {
    /// Adds a revision (read from the store, or just stored).
    pub fn insert(&self, revision: Revision) {
        let mut by_machine = self.by_machine.write().unwrap_or_else(PoisonError::into_inner);
        by_machine.entry(revision.machine_arn.clone()).or_default().push(revision);
    }

    /// The definition `machine_arn` had at `at_micros`, if a revision covers it.
    pub fn covering(&self, machine_arn: &str, at_micros: i64) -> Option<Revision> {
        let by_machine = self.by_machine.read().unwrap_or_else(PoisonError::into_inner);
        by_machine.get(machine_arn)?.iter().find(|r| r.from_micros <= at_micros && at_micros < r.to_micros).cloned()
    }

    /// `revision` loaded into the engine, once per process (`None` if it no longer loads:
    /// a definition that another version of asl-rs accepted).
    pub fn workflow(&self, revision: &Revision) -> Option<&'static Workflow> {
        let format = if revision.yaml { SourceFormat::Yaml } else { SourceFormat::Json };
        let machine_type = MachineType::from_name(&revision.machine_type)?;
        definitions::load(&revision.name, &revision.definition, format, machine_type).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::{Revision, Revisions};

    fn revision(from: i64, to: i64, state: &str) -> Revision {
        Revision {
            machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
            name: "m".into(),
            definition: format!(r#"{{"StartAt":"{state}","States":{{"{state}":{{"Type":"Pass","End":true}}}}}}"#),
            yaml: false,
            machine_type: "STANDARD".into(),
            from_micros: from,
            to_micros: to,
        }
    }

    #[test]
    fn the_revision_current_at_a_start_is_found_and_loaded_once() {
        let revisions = Revisions::default();
        revisions.insert(revision(0, 100, "A"));
        revisions.insert(revision(100, 200, "B"));
        let arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m";
        let at = |t| revisions.covering(arn, t).map(|r| r.from_micros);
        assert_eq!((at(0), at(99), at(100), at(199), at(200)), (Some(0), Some(0), Some(100), Some(100), None));
        let b = revisions.covering(arn, 150).and_then(|r| revisions.workflow(&r));
        assert_eq!(b.and_then(|w| w.containers[0].states.first()).map(|s| s.name), Some("B"));
        let again = revisions.covering(arn, 150).and_then(|r| revisions.workflow(&r));
        assert!(b.zip(again).is_some_and(|(b, again)| std::ptr::eq(b, again)), "loaded once");
    }
}
