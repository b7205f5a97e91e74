//! Parallel: each attempt starts every branch as a child frame with the effective input;
//! the state's result is the branches' outputs in order, or the first failure, which
//! cancels the others.

use serde_json::Value;

use crate::dataflow::Io;
use crate::error::Error;
use crate::execution::flow::DataFlow;
use crate::execution::history::{Chain, EventType};
use crate::execution::state::{Child, Frame, Step, Work};
use crate::execution::turn::{ChildEnd, Completion, Ended, Mode, RunCtx, Turn};
use crate::machine::StateDef;

/// Starts an attempt: every branch (container `branches[i]`) as a child frame with the
/// effective input and a copy of the state's variables, queued in order at the front.
#[inline]
pub(super) fn attempt<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
    io: &Io,
    branches: &[u16],
) -> Result<Completion, Error> {
    let Step::Working { retries, work, .. } = &mut frame.step else { return Ok(Completion::Blocked) };
    let context = ctx.context(state, frame.entered, Some(retries.retry_count()));
    let input = ctx.flow(state, &context, &frame.variables).arguments(io, &frame.input)?;
    if let Some(stood_in) = ctx.inspector().and_then(|inspector| inspector.stand_in()) {
        // A state test's stand-in for the branches: no branch runs.
        *work = Work::Done(stood_in);
        turn.fx.again = true;
        return Ok(Completion::Blocked);
    }
    let started = ctx.event(&mut frame.chain, EventType::ParallelStateStarted);
    let mut children = Vec::with_capacity(branches.len());
    for (index, &branch) in branches.iter().enumerate() {
        let start = turn.workflow.containers.get(usize::from(branch)).map_or(0, |c| c.start);
        let child = Frame::new(branch, start, input.clone(), turn.now)
            .with_variables(frame.variables.clone())
            .following(started);
        children.push(Child::Frame(child));
        let path = turn.child_path(turn.path.len(), index);
        turn.fx.front.push(path);
    }
    if children.is_empty() {
        *work = Work::Done(Ok(Value::Array(Vec::new())));
        turn.fx.again = true;
    } else {
        *work = Work::Parallel(children);
    }
    Ok(Completion::Blocked)
}

/// Records that branch `ending.index` of `children` (the Parallel's frame is at `depth`,
/// its chain of events `chain`) ended. `Some` with the attempt's result once every branch
/// succeeded, or at the first failure.
pub(in crate::execution) fn child_ended<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    children: &mut Vec<Child>,
    chain: &mut Chain,
    depth: usize,
    ending: ChildEnd,
) -> Option<Result<Value, Error>> {
    let ChildEnd { index, ended, chain: child_chain, .. } = ending;
    match ended {
        // (A Parallel's branches run inside its execution, never as child executions.)
        Ended::Run(_) => Some(Err(Error::runtime("a Parallel branch ended as a child execution"))),
        Ended::Output(output) => {
            if let Some(child_chain) = child_chain {
                // The Parallel's events go on from the branch that ended last.
                chain.join(child_chain, true);
            }
            if let Some(child) = children.get_mut(index) {
                *child = Child::Done(output);
            }
            if !children.iter().all(|child| matches!(child, Child::Done(_))) {
                return None;
            }
            ctx.event(chain, EventType::ParallelStateSucceeded);
            let outputs = children.drain(..).map(|child| match child {
                Child::Done(output) => output,
                _ => Value::Null,
            });
            Some(Ok(Value::Array(outputs.collect())))
        }
        Ended::Failed(error) => {
            // The first failure wins; the other branches are cancelled.
            // (ParallelStateFailed is recorded once no retrier retries it.)
            if let Some(child_chain) = child_chain {
                chain.join(child_chain, false);
            }
            turn.discard(depth, children);
            Some(Err(error))
        }
    }
}
