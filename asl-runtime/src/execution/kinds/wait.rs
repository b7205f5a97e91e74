//! Wait: enters, sets a timer for its deadline (`Seconds`, `Timestamp`, their `…Path`
//! forms or JSONata expressions) and ends once it fires; a deadline already past ends it in
//! the same transition.

use serde_json::Value;

use super::pass_through;
use crate::dataflow::PathField;
use crate::error::Error;
use crate::execution::effects::Request;
use crate::execution::fields;
use crate::execution::flow::DataFlow;
use crate::execution::state::{Frame, Step};
use crate::execution::turn::{Completion, Mode, RunCtx, Turn, complete};
use crate::jsonata;
use crate::machine::{StateDef, StateKind, WaitDef};
use crate::path::Scope;

/// Runs a Wait state just entered: reads its deadline (`until`, read after `input_path`)
/// and waits for it.
#[inline]
pub(super) fn enter<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
    until: &WaitDef,
    input_path: PathField,
) -> Result<Completion, Error> {
    let context = ctx.context(state, frame.entered, None);
    // `SecondsPath` and `TimestampPath` read the effective input, after `InputPath`, as
    // every path of a state after its `InputPath` does. (A JSONata Wait has no
    // `InputPath`: its expressions read `$states.input`.)
    let flow = ctx.flow(state, &context, &frame.variables);
    let effective = flow.waited_on(input_path, &frame.input)?;
    let scope = Scope::new(&effective).with_context(&context).with_variables(&*frame.variables.0);
    let js = jsonata::Scope::new(&frame.input, &context, &frame.variables.0).with_now(turn.now);
    let until = fields::wait_deadline(until, &scope, &js, frame.entered)?;
    drop(js);
    drop(effective);
    // (The flow borrows `ctx` and the variables: done with it.)
    drop(flow);
    // (A state test does not wait.)
    if until <= turn.now || ctx.inspector().is_some() {
        return complete(state, through(turn, ctx, frame, state)?);
    }
    let id = turn.wait_id();
    frame.step = Step::Waiting { until, timer: id };
    turn.fx.requests.push(Request::Timer { id, path: turn.path.to_vec(), until });
    Ok(Completion::Blocked)
}

/// Ends a Wait state whose timer fired.
#[inline]
pub(in crate::execution) fn finish<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
) -> Result<Completion, Error> {
    through(turn, ctx, frame, state).and_then(|output| complete(state, output))
}

/// A Wait state's output ([`pass_through`]); only a Wait waits, so any other state (an
/// execution restored against another workflow) passes its input on as it is.
#[inline]
fn through<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
) -> Result<Value, Error> {
    let StateKind::Wait { input_path, output_path, .. } = &state.kind else {
        return Ok(std::mem::take(&mut frame.input));
    };
    pass_through(turn, ctx, frame, state, (*input_path, *output_path))
}
