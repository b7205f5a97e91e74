//! What a runtime knows of its state machines: each registered workflow with its handler
//! and its type (STANDARD or EXPRESS), and what an EXPRESS machine refuses.

use std::sync::Arc;

use crate::execution::{TaskHandler, Workflow};
use crate::machine::{NotForExpress, StateKind};
use crate::store::MachineType;

/// A registered workflow: a state machine, with the handler of its tasks and its type.
#[derive(Clone)]
pub(super) struct Registered {
    pub(super) workflow: &'static Workflow,
    pub(super) handler: Arc<dyn TaskHandler>,
    pub(super) machine_type: MachineType,
}

/// Why [`Runtime::register_as`](super::Runtime::register_as) refused a workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegisterError {
    /// An EXPRESS state machine cannot run this Task: it waits for something outside the
    /// execution (AWS refuses such a definition as EXPRESS with this message).
    NotForExpress {
        /// The Task state.
        state: String,
        /// AWS's message (`Express state machine does not support …`).
        message: String,
    },
}

impl std::fmt::Display for RegisterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegisterError::NotForExpress { state, message } => write!(f, "{message} (state `{state}`)"),
        }
    }
}

impl std::error::Error for RegisterError {}

/// Why an EXPRESS state machine cannot run `workflow`, if it cannot: its first Task that
/// waits for something outside the execution (an activity, `.sync`, `.waitForTaskToken`),
/// by the rule asl-codegen's validator applies to a definition checked as EXPRESS.
pub(super) fn express_refusal(workflow: &Workflow) -> Option<RegisterError> {
    workflow.containers.iter().flat_map(|container| container.states.iter()).find_map(|state| match &state.kind {
        StateKind::Task(task) => NotForExpress::of(task.resource).map(|refused| RegisterError::NotForExpress {
            state: state.name.to_owned(),
            message: refused.message().to_owned(),
        }),
        _ => None,
    })
}
