//! Pass: passes its input to its output, shaped by its data flow (a `Result`,
//! `Parameters`, paths, or a JSONata `Output`), in the one transition that enters it.

use crate::dataflow::Io;
use crate::error::Error;
use crate::execution::flow::DataFlow;
use crate::execution::state::Frame;
use crate::execution::turn::{Completion, Mode, RunCtx, Turn, complete};
use crate::machine::StateDef;
use crate::path::Literal;

/// Runs a Pass state just entered, whose JSONPath fields are `io` and `result` (`Result`).
#[inline]
pub(super) fn enter<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
    io: &Io,
    result: Option<&Literal>,
) -> Result<Completion, Error> {
    let context = ctx.context(state, frame.entered, None);
    let mut flow = ctx.flow(state, &context, &frame.variables);
    let mut assigned = None;
    let output = flow.pass(io, result, &mut frame.input, &mut assigned)?;
    // (The flow borrows `ctx` and the variables: done with it.)
    drop(flow);
    turn.store(ctx, &mut frame.variables, assigned);
    complete(state, output)
}
