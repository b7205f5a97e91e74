//! Choice: goes to the target of the first rule that holds, or to its `Default`, in the
//! one transition that enters it. How a rule is read (a JSONPath comparison or a JSONata
//! `Condition`) is the data flow's part.

use crate::dataflow::PathField;
use crate::error::Error;
use crate::execution::flow::DataFlow;
use crate::execution::state::Frame;
use crate::execution::turn::{Completion, Mode, RunCtx, Turn};
use crate::machine::{ChoiceRule, StateDef};

/// Runs a Choice state just entered, with its `InputPath` and `OutputPath` (`paths`), its
/// `Choices` (`rules`) and its `Default`.
#[inline]
pub(super) fn enter<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
    paths: (PathField, PathField),
    rules: &[ChoiceRule],
    default: Option<u16>,
) -> Result<Completion, Error> {
    let context = ctx.context(state, frame.entered, None);
    let mut flow = ctx.flow(state, &context, &frame.variables);
    let mut assigned = None;
    let (next, output) = flow.choose(paths, rules, default, &mut frame.input, &mut assigned)?;
    // (The flow borrows `ctx` and the variables: done with it.)
    drop(flow);
    turn.store(ctx, &mut frame.variables, assigned);
    // A Choice has no `Next` of its own: the rule's target is where it goes.
    Ok(Completion::Next(next, output))
}
