//! Task: reads its timeouts on entry, then each attempt computes its effective input and
//! asks the driver to run the handler (its result comes back through
//! [`Execution::deliver`](crate::execution::Execution::deliver) and is settled by
//! [`recovery`](crate::execution::recovery)).

use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use crate::callbacks::Callbacks;
use crate::context::StateInfo;
use crate::error::Error;
use crate::execution::effects::{Request, TaskRequest, later};
use crate::execution::events::{scheduled_details, task_details};
use crate::execution::fields;
use crate::execution::flow::DataFlow;
use crate::execution::history::{TaskEvents, TaskFamily};
use crate::execution::state::{Frame, FramePath, Step, Vars, Work};
use crate::execution::turn::{Completion, Mode, RunCtx, Turn, state_def};
use crate::jsonata;
use crate::machine::{Callback, StateDef, StateKind, TaskDef};
use crate::path::Scope;
use crate::retry::RetryState;

/// Runs a Task state just entered: reads `TimeoutSeconds(Path)` and
/// `HeartbeatSeconds(Path)` once for all its attempts, and starts the first.
#[inline]
pub(super) fn enter<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
    task: &TaskDef,
) -> Result<Completion, Error> {
    // `TimeoutSecondsPath` reads the state's raw input, not the effective input.
    let context = ctx.context(state, frame.entered, None);
    let scope = Scope::new(&frame.input).with_context(&context).with_variables(&*frame.variables.0);
    let js = jsonata::Scope::new(&frame.input, &context, &frame.variables.0).with_now(turn.now);
    let timeout = match task.timeout {
        Some(amount) => Some(fields::amount(amount, &scope, &js, "TimeoutSecondsPath")?),
        None => None,
    };
    let heartbeat = match task.heartbeat {
        Some(amount) => Some(fields::amount(amount, &scope, &js, "HeartbeatSecondsPath")?),
        None => None,
    };
    drop(js);
    frame.step = Step::Working { retries: RetryState::new(), timeout, heartbeat, work: Work::Start };
    turn.attempt(ctx, frame, state)
}

/// Starts an attempt: the effective input, the `…Scheduled` (and, but for an activity,
/// `…Started`) events, and the handler's request.
#[inline]
pub(super) fn attempt<M: Mode>(
    turn: &mut Turn<'_>,
    ctx: &mut RunCtx<'_, M>,
    frame: &mut Frame,
    state: &'static StateDef,
    task: &'static TaskDef,
) -> Result<Completion, Error> {
    let Step::Working { retries, timeout, heartbeat, work } = &mut frame.step else {
        return Ok(Completion::Blocked);
    };
    let retry_count = retries.retry_count();
    // A token for every attempt that can use one: callback tasks and tasks whose paths
    // read `$$` (AWS gives `.sync` tasks one too).
    let token = (task.callback() != Callback::None || state.reads_context).then(Callbacks::new_token);
    let sources = (&frame.input, frame.entered, &frame.variables);
    let (input, context) = task_input(ctx, state, task, sources, token.as_deref(), retry_count)?;
    if let Some(stood_in) = ctx.inspector().and_then(|inspector| inspector.stand_in()) {
        // A state test's stand-in: the attempt ends at once with it, and no handler runs.
        *work = Work::Done(stood_in);
        turn.fx.again = true;
        return Ok(Completion::Blocked);
    }
    let events = TaskEvents::of(task.resource);
    let (timeout, heartbeat) = (*timeout, *heartbeat);
    let region = &ctx.info.region;
    ctx.history.record(&mut frame.chain, events.scheduled, ctx.now, || {
        Some(scheduled_details(task.resource, events.family, region, &input, (timeout, heartbeat)))
    });
    // An activity starts when a worker takes it.
    if task.callback() != Callback::Activity {
        ctx.event_with(&mut frame.chain, events.started, || {
            (events.family == TaskFamily::Integration).then(|| task_details(task.resource, events.family))
        });
    }
    let id = turn.wait_id();
    let deadline = timeout.map(|seconds| later(turn.now, Duration::from_secs(seconds)));
    *work = Work::Task { call: id, deadline, token: token.clone(), submitted: false };
    let request = TaskRequest {
        id,
        path: turn.path.to_vec(),
        state,
        task,
        input,
        context,
        retry_count,
        deadline,
        token,
        heartbeat,
        submitted: false,
    };
    turn.fx.requests.push(Request::Task(Box::new(request)));
    Ok(Completion::Blocked)
}

/// Asks again for the handler a restored Task's attempt (at `path`) was waiting for, its
/// effective input computed again from the state's input; if that fails now, the attempt
/// fails with the error.
pub(in crate::execution) fn reissue(turn: &mut Turn<'_>, ctx: &mut RunCtx<'_>, frame: &mut Frame, path: &FramePath) {
    let Step::Working { retries, heartbeat, work: work @ Work::Task { .. }, .. } = &mut frame.step else { return };
    let Work::Task { call, deadline, token, submitted } = work else { return };
    let (call, deadline, token, submitted) = (*call, *deadline, token.clone(), *submitted);
    let Ok(state) = state_def(turn.workflow, frame.container, frame.state) else { return };
    let StateKind::Task(task) = &state.kind else { return };
    let retry_count = retries.retry_count();
    let sources = (&frame.input, frame.entered, &frame.variables);
    match task_input(ctx, state, task, sources, token.as_deref(), retry_count) {
        Ok((input, context)) => {
            let request = TaskRequest {
                id: call,
                path: path.clone(),
                state,
                task,
                input,
                context,
                retry_count,
                token,
                heartbeat: *heartbeat,
                submitted,
                deadline,
            };
            turn.fx.requests.push(Request::Task(Box::new(request)));
        }
        Err(error) => {
            *work = Work::Done(Err(error));
            turn.fx.front.push(path.clone());
        }
    }
}

/// A Task attempt's effective input and the `$$` its handler receives.
#[inline]
fn task_input<M: Mode>(
    ctx: &mut RunCtx<'_, M>,
    state: &'static StateDef,
    task: &TaskDef,
    (input, entered, variables): (&Value, OffsetDateTime, &Vars),
    token: Option<&str>,
    retry_count: u32,
) -> Result<(Value, Value), Error> {
    let context = ctx.context_with(StateInfo::new(state.name, entered).with_retry_count(retry_count), token);
    let input = ctx.flow(state, &context, variables).arguments(task.io, input)?;
    Ok((input, context))
}
