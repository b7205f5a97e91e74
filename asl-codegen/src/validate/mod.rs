//! Validation: every rule AWS applies when a state machine is created.
//!
//! Each submodule checks one family of rules over the typed model and reports into the
//! shared [`Diagnostics`]; none stops at the first problem. The entry point runs them all.
//!
//! | module | rules (numbering of shared/reference/asl-features.md §2.2) |
//! |---|---|
//! | `graph` | 1–5, 7, 16: StartAt/Next/Default targets per container, reachability, terminal states, unique names, Next/End |
//! | `fields` | 6, 8–10, 14, 15, 17–19, 21, 22: fields per state type and query language, one-of groups, ranges, resources |
//! | `choice` | 11: Choice rule shape and operand types |
//! | `retry_catch` | 12: Retry/Catch shape, `States.ALL` placement |
//! | `paths` | 13, 20: JSONPath / Reference Path syntax, payload templates, intrinsics, JSONata delimiters, warnings |
//! | `express` | 18: what an EXPRESS machine cannot run (checked only for that type) |

mod choice;
mod express;
mod fields;
mod graph;
mod jsonata;
mod paths;
mod retry_catch;
mod timestamp;
mod variables;

use crate::WorkflowType;
use crate::ast::{QueryLanguage, State, StateMachine};
use crate::diagnostic::Diagnostics;

/// Runs every rule family over a decoded definition, for a state machine of type `kind`.
pub fn validate(machine: &StateMachine, kind: WorkflowType, diags: &mut Diagnostics) {
    let cx = Context::new(machine);
    graph::check(machine, &cx, diags);
    fields::check(machine, &cx, diags);
    choice::check(machine, &cx, diags);
    retry_catch::check(machine, &cx, diags);
    paths::check(machine, &cx, diags);
    if kind == WorkflowType::Express {
        express::check(machine, diags);
    }
}

/// Facts shared by all rule families.
pub(crate) struct Context {
    /// The document's `QueryLanguage` (JSONPath when absent). Nested states inherit this
    /// value, not their enclosing Parallel/Map's override (AWS behaviour).
    pub top_query_language: QueryLanguage,
}

impl Context {
    fn new(machine: &StateMachine) -> Self {
        let top_query_language = machine.query_language.as_ref().map_or(QueryLanguage::JsonPath, |q| q.value);
        Context { top_query_language }
    }

    /// The query language a state is evaluated in: its own `QueryLanguage`, else the
    /// document's.
    pub fn query_language(&self, state: &State) -> QueryLanguage {
        state.query_language.as_ref().map_or(self.top_query_language, |q| q.value)
    }
}

/// Calls `visit` for every state in the machine, depth first: a state before the states of
/// its branches or processor.
pub(crate) fn walk<'a>(machine: &'a StateMachine, visit: &mut dyn FnMut(&'a State)) {
    for state in machine.states() {
        visit(state);
        for child in children(state) {
            walk(child, visit);
        }
    }
}

/// The nested state machines of a state: Parallel branches, the Map processor (and a
/// conflicting legacy `Iterator`, which is still checked).
pub(crate) fn children(state: &State) -> impl Iterator<Item = &StateMachine> {
    let branches = state.branches.iter().flat_map(|b| b.value.iter());
    let processor = state.item_processor.iter().chain(state.iterator.iter()).map(|p| &p.value);
    branches.chain(processor)
}
