//! Succeed and Fail: the states that end their container in the transition that enters
//! them, with an output (Succeed) or an error (Fail).

use crate::dataflow::{Env, PathField};
use crate::error::Error;
use crate::execution::fields;
use crate::execution::state::Frame;
use crate::execution::turn::{Completion, Mode, RunCtx, Turn};
use crate::jsonata;
use crate::machine::{FailText, StateDef};

use super::pass_through;

/// Runs a Succeed state just entered: its container ends with its output.
#[inline]
pub(super) fn succeed<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
    input_path: PathField,
    output_path: PathField,
) -> Result<Completion, Error> {
    Ok(Completion::End(pass_through(turn, ctx, frame, state, (input_path, output_path))?))
}

/// Runs a Fail state just entered: its container fails with its `Error` and `Cause` (each
/// literal, a path, an intrinsic or a JSONata expression).
#[inline]
pub(super) fn fail<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
    error: Option<&FailText>,
    cause: Option<&FailText>,
) -> Result<Completion, Error> {
    let context = ctx.context(state, frame.entered, None);
    // Each of the two fields says which language it speaks (`FailText`): both readers are
    // at hand, neither costs anything until it is used.
    let mut env = Env { state: state.name, context: &context, variables: &*frame.variables.0, rng: ctx.rng };
    let js = jsonata::Scope::new(&frame.input, &context, &frame.variables.0).with_now(turn.now);
    let name = fields::fail_text(error, "ErrorPath", &frame.input, &mut env, &js)?.unwrap_or_default();
    let cause = fields::fail_text(cause, "CausePath", &frame.input, &mut env, &js)?;
    Err(Error { name: name.into(), cause })
}
