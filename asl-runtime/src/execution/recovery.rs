//! The end of an attempt of a Task, Parallel or Map state: a result completes the state
//! through its data flow; an error is retried (at once, or after a delay), caught, or fails
//! the state.

use super::effects::{Request, later};
use super::events::{evaluation_failed, state_failed};
use super::flow::{DataFlow, Language};
use super::state::{FailedAttempt, Frame, Step, Work};
use super::turn::{Completion, Mode, RunCtx, Turn, complete};
use crate::dataflow::Io;
use crate::error::{self, Error};
use crate::machine::{CatcherDef, Recovery, StateDef, StateKind};
use crate::retry::RetryDecision;

/// Handles the end of an attempt: the result goes through the state's data flow
/// (`ResultSelector`, `ResultPath` and `OutputPath`, or `Output`); an error is retried,
/// caught, or fails the state.
#[inline]
pub(super) fn settle<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
) -> Result<Completion, Error> {
    let Step::Working { retries, work, .. } = &mut frame.step else { return Ok(Completion::Blocked) };
    // A failed Parallel or Map attempt is kept aside: put back if the state fails for good.
    let (result, attempt) = match std::mem::replace(work, Work::Start) {
        Work::Done(result) => (result, None),
        Work::Failed(failed) => {
            let FailedAttempt { error, attempt } = *failed;
            (Err(error), Some(attempt))
        }
        _ => return Ok(Completion::Blocked),
    };
    let (io, recovery) = io_and_recovery(state);
    let retry_count = retries.retry_count();
    let error = match result {
        Ok(result) => {
            let context = ctx.context(state, frame.entered, Some(retry_count));
            let mut flow = ctx.flow(state, &context, &frame.variables);
            let mut assigned = None;
            let output = flow.result(io, &mut frame.input, result, &mut assigned)?;
            // (The flow borrows `ctx` and the variables: done with it.)
            drop(flow);
            turn.store(ctx, &mut frame.variables, assigned);
            return complete(state, output);
        }
        Err(error) if error.is_terminal() => {
            state_failed(ctx, &mut frame.chain, state);
            keep_attempt(work, attempt, &error);
            return Err(error);
        }
        Err(mut error) => {
            // Items, ItemSelector or Arguments failed: recorded before the state fails.
            evaluation_failed(ctx, &mut frame.chain, frame.entered_event, state, &mut error);
            error
        }
    };
    if let Some(inspector) = ctx.inspector() {
        inspector.before_retry(retries, recovery.retry, &error);
    }
    match retries.on_error(recovery.retry, &error, &mut || ctx.fraction()) {
        // A state test stops where a retry would start: the run ends with the error, and
        // the inspection says when the retry would have come.
        RetryDecision::Retry { delay, .. } if ctx.inspector().is_some() => {
            if let Some(inspector) = ctx.inspector() {
                inspector.seen.retry_delay = Some(delay);
            }
            Err(error)
        }
        RetryDecision::Retry { delay, .. } if delay.is_zero() => {
            *work = Work::Start;
            turn.attempt(ctx, frame, state)
        }
        RetryDecision::Retry { delay, .. } => {
            let id = turn.wait_id();
            let until = later(turn.now, delay);
            *work = Work::Backoff { until, timer: id };
            turn.fx.requests.push(Request::Timer { id, path: turn.path.to_vec(), until });
            Ok(Completion::Blocked)
        }
        RetryDecision::GiveUp => {
            state_failed(ctx, &mut frame.chain, state);
            let Some((position, catcher)) = catcher(recovery.catch, &error) else {
                keep_attempt(work, attempt, &error);
                return Err(error);
            };
            if let Some(inspector) = ctx.inspector() {
                inspector.seen.catch_index = Some(position);
            }
            let context = ctx.context(state, frame.entered, Some(retries.retry_count()));
            let mut flow = ctx.flow(state, &context, &frame.variables);
            let language = flow.language();
            let mut assigned = None;
            let caught = flow.caught((position, catcher), &mut frame.input, error.error_output(), &mut assigned);
            // (The flow borrows `ctx` and the variables: done with it.)
            drop(flow);
            let output = match caught {
                Ok(output) => output,
                // A JSONata catcher's own evaluation failed: recorded, then the state fails
                // again, with this error. (A JSONPath catcher that fails, in its `Assign` or
                // `ResultPath`, fails the state without a second record.)
                Err(mut error) if language == Language::Jsonata => {
                    evaluation_failed(ctx, &mut frame.chain, frame.entered_event, state, &mut error);
                    state_failed(ctx, &mut frame.chain, state);
                    return Err(error);
                }
                Err(error) => return Err(error),
            };
            turn.store(ctx, &mut frame.variables, assigned);
            Ok(Completion::Next(catcher.next, output))
        }
    }
}

/// Puts a failed Parallel or Map `attempt` back into the state's `work` once `error` has
/// failed the state for good, so that a redrive runs again only the branches or iterations
/// that did not finish (a Distributed Map's Map Run goes on with its unsuccessful child
/// executions); unless the state failed with `States.DataLimitExceeded` (AWS then runs the
/// whole state again).
#[cold]
fn keep_attempt(work: &mut Work, attempt: Option<Work>, error: &Error) {
    let Some(attempt) = attempt else { return };
    if error.name != error::names::DATA_LIMIT_EXCEEDED {
        *work = attempt;
    }
}

/// A Task, Parallel or Map state's data flow and Retry/Catch.
fn io_and_recovery(state: &StateDef) -> (&'static Io, &'static Recovery) {
    match &state.kind {
        StateKind::Task(task) => (task.io, task.recovery),
        StateKind::Parallel { io, recovery, .. } => (io, recovery),
        StateKind::Map(map) => (map.io, map.recovery),
        _ => (&DEFAULT_IO, &crate::machine::NO_RECOVERY),
    }
}

/// Data flow with every field at its default.
static DEFAULT_IO: Io = Io::DEFAULT;

/// The first catcher whose `ErrorEquals` matches, with its position (terminal errors are
/// never caught).
fn catcher<'c>(catchers: &'c [CatcherDef], error: &Error) -> Option<(usize, &'c CatcherDef)> {
    if error.is_terminal() {
        return None;
    }
    catchers.iter().enumerate().find(|(_, c)| error::matches_any(c.error_equals, error))
}
