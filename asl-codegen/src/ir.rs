//! What code generation works from: the description of the machine (asl-machine's types,
//! which the lowering produces and the runtime runs) and what naming and the handler trait
//! need besides it.
//!
//! A machine is a list of containers: index 0 is the top level, followed by every
//! Parallel branch and Map processor in depth-first order. States are addressed by
//! [`StateId`] *within* their container, which is exactly the set of states a transition
//! may reach (transitions never cross containers).

use asl_machine::machine::{StateDef, Workflow};

use crate::ast::ContainerKind;

/// Index of a container in [`Workflow::containers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ContainerId(pub usize);

/// Index of a state in its container's states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct StateId(pub usize);

/// A lowered machine.
#[derive(Debug)]
pub(crate) struct Machine {
    /// The description, as the runtime runs it.
    pub workflow: &'static Workflow,
    /// Where each container stands, by the index of its description.
    pub containers: Vec<Container>,
    /// The Task states with a handler method, in the trait's order (each one's `TaskDef::task`
    /// is its index here).
    pub tasks: Vec<(ContainerId, StateId)>,
}

/// Where the top level, a Parallel branch or a Map processor stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Container {
    /// Which of the three.
    pub kind: ContainerKind,
    /// The Parallel/Map state that owns this container (`None` for the top level), and for
    /// branches the branch's index.
    pub owner: Option<Owner>,
}

/// Who owns a nested container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Owner {
    /// The container holding the owning state.
    pub container: ContainerId,
    /// The owning Parallel or Map state.
    pub state: StateId,
    /// Branch index for Parallel branches; 0 for Map processors.
    pub index: usize,
}

impl Machine {
    /// The states of a container (none if the id does not resolve).
    pub fn states(&self, container: ContainerId) -> &'static [StateDef] {
        self.workflow.containers.get(container.0).map_or(&[], |c| c.states)
    }

    /// A state, if the ids resolve.
    pub fn state(&self, container: ContainerId, state: StateId) -> Option<&'static StateDef> {
        self.states(container).get(state.0)
    }
}
