//! What each kind of state does in a transition, one file per kind: [`pass`], [`choice`],
//! [`wait`], [`terminal`] (Succeed and Fail), [`task`], [`parallel`] and [`map`]. This file
//! is where a transition picks the kind: entering a state, and starting an attempt of a
//! state that works (Task, Parallel, Map). Their data flow, whichever the query language,
//! goes through [`Flow`].
//!
//! The functions a transition goes through are `#[inline]`: they were one function before
//! the kinds had files of their own, and a call into another codegen unit is otherwise not
//! inlined (without it the loop-choice workload ran 4% more instructions).

use serde_json::Value;

use super::flow::DataFlow;
use super::state::{Frame, Step, Work};
use super::turn::{Completion, Mode, RunCtx, Turn};
use crate::dataflow::PathField;
use crate::error::Error;
use crate::machine::{StateDef, StateKind};
use crate::retry::RetryState;

mod choice;
pub(super) mod feed;
pub(super) mod map;
pub(super) mod map_run;
pub(super) mod parallel;
mod pass;
mod results;
pub(super) mod task;
mod terminal;
pub(super) mod wait;

impl Turn<'_> {
    /// Runs a state just entered: the whole of Pass, Choice, Succeed and Fail, the start of
    /// the others.
    #[inline]
    pub(super) fn enter<M: Mode>(
        &mut self,
        ctx: &mut RunCtx<'_, M>,
        frame: &mut Frame,
        state: &'static StateDef,
    ) -> Result<Completion, Error> {
        match &state.kind {
            StateKind::Pass { io, result } => pass::enter(self, ctx, frame, state, io, *result),
            StateKind::Succeed { input_path, output_path } => {
                terminal::succeed(self, ctx, frame, state, *input_path, *output_path)
            }
            StateKind::Fail { error, cause } => terminal::fail(self, ctx, frame, state, error.as_ref(), cause.as_ref()),
            StateKind::Choice { input_path, output_path, rules, default } => {
                choice::enter(self, ctx, frame, state, (*input_path, *output_path), rules, *default)
            }
            StateKind::Wait { until, input_path, .. } => wait::enter(self, ctx, frame, state, until, *input_path),
            StateKind::Task(task) => task::enter(self, ctx, frame, state, task),
            StateKind::Parallel { .. } | StateKind::Map(_) => {
                frame.step =
                    Step::Working { retries: RetryState::new(), timeout: None, heartbeat: None, work: Work::Start };
                self.attempt(ctx, frame, state)
            }
        }
    }

    /// Starts an attempt of a Task, Parallel or Map state: computes the effective input
    /// (errors there are `States.Runtime` or a failed intrinsic, never retried or caught)
    /// and starts the handler, the branches or the iterations.
    #[inline]
    pub(super) fn attempt<M: Mode>(
        &mut self,
        ctx: &mut RunCtx<'_, M>,
        frame: &mut Frame,
        state: &'static StateDef,
    ) -> Result<Completion, Error> {
        match &state.kind {
            StateKind::Task(task) => task::attempt(self, ctx, frame, state, task),
            StateKind::Parallel { io, branches, .. } => parallel::attempt(self, ctx, frame, state, io, branches),
            StateKind::Map(def) => map::attempt(self, ctx, frame, state, def),
            _ => Ok(Completion::Blocked),
        }
    }
}

/// `InputPath` then `OutputPath` (or a JSONata `Output`), with the state's `Assign`: how
/// Wait and Succeed states end, their output being their input.
#[inline]
fn pass_through<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
    paths: (PathField, PathField),
) -> Result<Value, Error> {
    let context = ctx.context(state, frame.entered, None);
    let mut flow = ctx.flow(state, &context, &frame.variables);
    let mut assigned = None;
    let output = flow.through(paths, &mut frame.input, &mut assigned)?;
    // (The flow borrows `ctx` and the variables: done with it.)
    drop(flow);
    turn.store(ctx, &mut frame.variables, assigned);
    Ok(output)
}
