//! Transitions: what one step of an [`Execution`] does to it.
//!
//! [`Execution::step`] takes the first runnable frame and moves it once: it enters a state,
//! handles the end of an attempt (a Task's result, a retry delay that passed, Parallel
//! branches or Map iterations that all finished), or finds that the frame must wait. What
//! the step needs from outside — a Task handler to run, a timer to set, a wait to cancel —
//! it leaves in [`Effects`] for the driver. [`Execution::deliver`] records what comes back.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::effects::{Effects, Event, Request, TaskRequest, later};
use super::events::{CAUSE_PREFIX, evaluation_failed, run_ended, scheduled_details, state_failed, task_details};
use super::fields;
use super::flow::{Assigned, DataFlow, Finished, Flow, Language};
use super::history::{self, Chain, EventDetails, EventType, History, HistoryDetail, TaskEvents, TaskFamily};
use super::map;
use super::state::{Child, Execution, FIRED, Frame, FramePath, Run, Step, Vars, WaitId, Work};
use super::{Outcome, Status, Workflow};
use crate::callbacks::Callbacks;
use crate::context::{ContextObject, ExecutionInfo, StateInfo};
use crate::dataflow::{Env, Io};
use crate::error::{self, Error, names};
use crate::intrinsics::{RandomSource, SplitMix64};
use crate::jsonata;
use crate::machine::{Callback, CatcherDef, Next, Recovery, StateDef, StateKind, TaskDef};
use crate::path::{self, Scope};
use crate::retry::{RetryDecision, RetryState};

/// How a state completed.
enum Completion {
    /// Go to this state with this input.
    Next(u16, Value),
    /// The container completes with this output.
    End(Value),
    /// The state waits (for a handler, a timer, or its branches or iterations).
    Blocked,
}

/// How a branch or iteration ended, as its parent sees it.
pub(super) enum Ended {
    /// With an output.
    Output(Value),
    /// With an error.
    Failed(Error),
    /// A Distributed Map child execution failed: its execution record.
    FailedRun(Value),
}

/// A branch or iteration that ended, as its parent learns of it.
pub(super) struct ChildEnd {
    /// Its index.
    pub(super) index: usize,
    /// How it ended.
    pub(super) ended: Ended,
    /// Where its chain of events stands (`None` for a child execution, whose events are
    /// in its own history).
    pub(super) chain: Option<Chain>,
    /// The parent state's name (a Map's iteration events name it).
    pub(super) map_name: &'static str,
}

/// The data of the run (execution or child execution) a frame belongs to.
pub(super) struct RunCtx<'r> {
    /// `$$.Execution` and the rest.
    pub(super) info: &'r ExecutionInfo,
    /// The run's generator.
    pub(super) rng: &'r mut SplitMix64,
    /// The run's history.
    pub(super) history: &'r mut History,
    /// The run's `$$.Execution` and `$$.StateMachine`, once rendered.
    pub(super) context_base: &'r OnceLock<Map<String, Value>>,
    /// The time of the step.
    pub(super) now: OffsetDateTime,
}

impl RunCtx<'_> {
    /// Records a history event without details on `chain` and returns its id.
    pub(super) fn event(&mut self, chain: &mut Chain, kind: EventType) -> u64 {
        self.history.record(chain, kind, self.now, || None)
    }

    /// Records a history event on `chain` with the details `details` makes (called only
    /// if the history keeps details) and returns its id.
    pub(super) fn event_with(
        &mut self,
        chain: &mut Chain,
        kind: EventType,
        details: impl FnOnce() -> Option<EventDetails>,
    ) -> u64 {
        self.history.record(chain, kind, self.now, details)
    }

    /// A uniform `f64` in `[0, 1)` (53 random bits), for retry jitter.
    fn fraction(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The context object `$$` for a state, or `null` when none of the state's paths reads
    /// it: building it copies the execution input, the most expensive part of a transition.
    fn context(&self, state: &StateDef, entered: OffsetDateTime, retry_count: Option<u32>) -> Value {
        if !state.reads_context {
            return Value::Null;
        }
        self.full_context(state, entered, retry_count)
    }

    /// The context object `$$` for a state, always built (Task handlers receive it).
    fn full_context(&self, state: &StateDef, entered: OffsetDateTime, retry_count: Option<u32>) -> Value {
        let mut info = StateInfo::new(state.name, entered);
        if let Some(count) = retry_count {
            info = info.with_retry_count(count);
        }
        self.context_with(info, None)
    }

    /// `$$` with `state` and, if given, `$$.Task.Token`: the run's cached `Execution` and
    /// `StateMachine` sections, then `State` and `Task`, in AWS's order.
    fn context_with(&self, state: StateInfo<'_>, token: Option<&str>) -> Value {
        let base = self.context_base.get_or_init(|| match ContextObject::new(self.info).to_value() {
            Value::Object(sections) => sections,
            _ => Map::new(),
        });
        let mut context = base.clone();
        let mut object = ContextObject::new(self.info).with_state(state);
        if let Some(token) = token {
            object = object.with_task_token(token);
        }
        for name in ["State", "Task"] {
            if let Some(section) = object.section(name) {
                context.insert(name.to_owned(), section);
            }
        }
        Value::Object(context)
    }
}

impl Execution {
    /// A new execution of `workflow` with `input`, started `now`, about to enter its start
    /// state. `info` is its `$$.Execution` (its `input` should be `input`). Its history
    /// records every event in full.
    pub fn start(workflow: &Workflow, info: ExecutionInfo, input: Value, now: OffsetDateTime) -> Execution {
        Execution::start_recording(workflow, info, input, now, HistoryDetail::Full)
    }

    /// As [`Execution::start`], its history recording `detail` of each event.
    pub fn start_recording(
        workflow: &Workflow,
        info: ExecutionInfo,
        input: Value,
        now: OffsetDateTime,
        detail: HistoryDetail,
    ) -> Execution {
        let start = workflow.containers.first().map_or(0, |top| top.start);
        let deadline = workflow.timeout_seconds.map(|seconds| later(now, Duration::from_secs(seconds)));
        Execution {
            run: Run::new(info, SplitMix64::from_entropy(), Frame::new(0, start, input, now), now, detail),
            deadline,
            next_wait: FIRED,
            runnable: [FramePath::new()].into(),
            outcome: None,
            transitions: 0,
            streamed: 0,
        }
    }

    /// Ends the execution at once, failed with `error` (a workflow it cannot run).
    pub(super) fn fail(&mut self, error: Error) {
        if self.outcome.is_none() {
            let now = self.run.history.events.last().map_or(OffsetDateTime::UNIX_EPOCH, |event| event.timestamp);
            self.finish(Err(error), now);
        }
    }

    /// Takes one transition of the first runnable frame, at `now`. `false` when no frame
    /// can move (all wait for something outside, or the execution has ended).
    pub(super) fn step(&mut self, workflow: &Workflow, now: OffsetDateTime, fx: &mut Effects) -> bool {
        if self.outcome.is_some() {
            return false;
        }
        let Some(path) = self.runnable.pop_front() else { return false };
        self.transitions += 1;
        let Execution { run, next_wait, .. } = self;
        let mut turn = Turn { workflow, now, path: &path, ids: next_wait, fx, assigned: None };
        let end = turn.run(run, 0);
        self.reorder(path, fx);
        if let Some(end) = end {
            self.finish(end, now);
        }
        true
    }

    /// Applies a step's queue changes.
    fn reorder(&mut self, path: FramePath, fx: &mut Effects) {
        if !fx.discarded.is_empty() {
            let discarded = &fx.discarded;
            self.runnable.retain(|queued| !discarded.iter().any(|gone| queued.starts_with(gone)));
            fx.discarded.clear();
        }
        while let Some(frame) = fx.front.pop() {
            self.runnable.push_front(frame);
        }
        if std::mem::take(&mut fx.again) {
            self.runnable.push_front(path);
        }
        self.runnable.extend(fx.back.drain(..));
    }

    /// Records how the execution ended.
    fn finish(&mut self, end: Result<Value, Error>, now: OffsetDateTime) {
        self.runnable.clear();
        let Run { history, root, .. } = &mut self.run;
        run_ended(history, &mut root.chain, &end, now);
        self.outcome = Some(match end {
            Ok(output) => Outcome { status: Status::Succeeded, output: Some(output), error: None, cause: None },
            Err(e) => Outcome {
                status: Status::Failed,
                output: None,
                // A Fail state without `Error` leaves the name empty: AWS then reports no error.
                error: (!e.name.is_empty()).then(|| e.reported_name().to_string()),
                cause: e.cause,
            },
        });
    }

    /// Ends the execution because its `TimeoutSeconds` passed (status `TIMED_OUT`; as in
    /// AWS's `DescribeExecution`, no error or cause).
    pub(super) fn time_out(&mut self, now: OffsetDateTime) {
        self.runnable.clear();
        let Run { history, root, .. } = &mut self.run;
        history.record(&mut root.chain, EventType::ExecutionTimedOut, now, || {
            Some(EventDetails { error: Some(names::TIMEOUT.to_owned()), ..EventDetails::default() })
        });
        self.outcome = Some(Outcome { status: Status::TimedOut, output: None, error: None, cause: None });
    }

    /// Whether the execution's `TimeoutSeconds` has passed at `now`.
    pub(super) fn timed_out_at(&self, now: OffsetDateTime) -> bool {
        self.deadline.is_some_and(|deadline| now >= deadline)
    }

    /// When the execution's `TimeoutSeconds` runs out.
    pub(super) fn deadline(&self) -> Option<OffsetDateTime> {
        self.deadline
    }

    /// Records what happened to wait `id` of the frame at `path`. `false` when no frame
    /// waits for it any more (the event is stale and changes nothing).
    pub(super) fn deliver(
        &mut self,
        workflow: &Workflow,
        now: OffsetDateTime,
        path: &[u32],
        id: WaitId,
        event: Event,
    ) -> bool {
        if self.outcome.is_some() {
            return false;
        }
        let Some((frame, history)) = frame_at(&mut self.run, path) else { return false };
        let resource = match state_def(workflow, frame.container, frame.state).map(|state| &state.kind) {
            Ok(StateKind::Task(task)) => task.resource,
            _ => "",
        };
        let events = TaskEvents::of(resource);
        let chain = &mut frame.chain;
        let accepted = match (&mut frame.step, event) {
            (Step::Waiting { timer, .. }, Event::Timer) if *timer == id => {
                *timer = FIRED;
                true
            }
            (Step::Working { work: Work::Backoff { timer, .. }, .. }, Event::Timer) if *timer == id => {
                *timer = FIRED;
                true
            }
            (
                Step::Working { work: Work::Task { call, submitted, .. }, .. },
                handed @ (Event::Submitted(_) | Event::Started),
            ) if *call == id => {
                match handed {
                    Event::Submitted(output) => history.record(chain, EventType::TaskSubmitted, now, || {
                        let output = Some(history::shared_text(&output));
                        Some(EventDetails { output, ..task_details(resource, events.family) })
                    }),
                    _ => history.record(chain, EventType::ActivityStarted, now, || None),
                };
                *submitted = true;
                // Still waiting, for the token's outcome now.
                return true;
            }
            (Step::Working { work, .. }, event) if matches!(&*work, Work::Task { call, .. } if *call == id) => {
                let result = match event {
                    Event::Result(result) => result,
                    Event::Timer | Event::Submitted(_) | Event::Started => Err(Error::named(names::TIMEOUT)),
                };
                let kind = match &result {
                    Ok(_) => events.succeeded,
                    Err(error) if error.name == names::TIMEOUT || error.name == names::HEARTBEAT_TIMEOUT => {
                        events.timed_out
                    }
                    Err(_) => events.failed,
                };
                history.record(chain, kind, now, || {
                    let details = task_details(resource, events.family);
                    Some(match &result {
                        Ok(output) => EventDetails { output: Some(history::shared_text(output)), ..details },
                        Err(error) => EventDetails {
                            error: Some(error.reported_name().to_string()),
                            cause: error.cause.clone(),
                            ..details
                        },
                    })
                });
                *work = Work::Done(result);
                true
            }
            _ => false,
        };
        if accepted {
            self.runnable.push_front(path.to_vec());
        }
        accepted
    }

    /// The handlers and timers the frames wait for, to start them again in a new driver
    /// (after the execution was saved and restored). A Task attempt's effective input is
    /// computed again from the state's input.
    pub(super) fn reissue(&mut self, workflow: &Workflow, now: OffsetDateTime, fx: &mut Effects) {
        if self.outcome.is_some() {
            return;
        }
        let mut path = FramePath::new();
        let Execution { run, next_wait, .. } = self;
        let mut turn = Turn { workflow, now, path: &[], ids: next_wait, fx, assigned: None };
        turn.reissue_run(run, &mut path);
        let again = std::mem::take(&mut fx.front);
        for frame in again {
            self.runnable.push_back(frame);
        }
    }
}

/// One step's view: the workflow, the time, the path of the frame it moves, and where it
/// leaves what it asks for.
pub(super) struct Turn<'t> {
    pub(super) workflow: &'t Workflow,
    pub(super) now: OffsetDateTime,
    /// The path of the frame being moved.
    pub(super) path: &'t [u32],
    ids: &'t mut WaitId,
    pub(super) fx: &'t mut Effects,
    /// What the state being left assigned, each value as JSON text, for its Exited event
    /// (kept only when the history records details).
    assigned: Option<Map<String, Value>>,
}

impl Turn<'_> {
    /// A new wait id.
    pub(super) fn wait_id(&mut self) -> WaitId {
        *self.ids += 1;
        *self.ids
    }

    /// The path of the `index`-th child of the frame at depth `depth` of [`Turn::path`].
    pub(super) fn child_path(&self, depth: usize, index: usize) -> FramePath {
        let mut path = Vec::with_capacity(depth + 1);
        path.extend_from_slice(&self.path[..depth]);
        path.push(u32::try_from(index).unwrap_or(u32::MAX));
        path
    }

    /// Queues the frame at `path`: at the front (it runs before the frames queued so far,
    /// after the others queued at the front in this step) or at the back.
    pub(super) fn enqueue(&mut self, path: FramePath, front: bool) {
        if front { self.fx.front.push(path) } else { self.fx.back.push(path) }
    }

    /// Puts the frame at depth `depth` of [`Turn::path`] at the front of the queue.
    pub(super) fn wake_parent(&mut self, depth: usize) {
        self.fx.front.push(self.path[..depth].to_vec());
    }

    /// Drops the unfinished children of a frame at `depth`: cancels what they wait for and
    /// takes them off the queue.
    pub(super) fn discard(&mut self, depth: usize, children: &[Child]) {
        for (index, child) in children.iter().enumerate() {
            if !matches!(child, Child::Done(_)) {
                child.pending(&mut self.fx.cancelled);
                let path = self.child_path(depth, index);
                self.fx.discarded.push(path);
            }
        }
    }

    /// Moves the frame at [`Turn::path`] inside `run`, whose top frame is at `depth`.
    /// `Some` when the run's top frame ended.
    fn run(&mut self, run: &mut Run, depth: usize) -> Option<Result<Value, Error>> {
        let Run { info, rng, history, root, context_base } = run;
        let mut ctx = RunCtx { info, rng, history, context_base, now: self.now };
        self.frame(&mut ctx, root, depth)
    }

    /// Stores what an `Assign` computed in `variables`, keeping a copy as JSON text for the
    /// state's Exited event if the history records details.
    /// Every state's data flow hands its `Assign` here; most states assign nothing, and
    /// then this is one test.
    fn store(&mut self, ctx: &RunCtx<'_>, variables: &mut Vars, assigned: Assigned) {
        if assigned.is_none() {
            return;
        }
        if let (true, Some(values)) = (ctx.history.detailed(), &assigned) {
            let texts = values.iter().map(|(name, value)| (name.clone(), Value::String(history::text(value))));
            self.assigned = Some(texts.collect());
        }
        variables.store(assigned);
    }

    /// Moves the frame at [`Turn::path`] below `frame` (at `depth`), or `frame` itself.
    /// `Some` when `frame` ended.
    fn frame(&mut self, ctx: &mut RunCtx<'_>, frame: &mut Frame, depth: usize) -> Option<Result<Value, Error>> {
        let Some(&index) = self.path.get(depth) else { return self.transition(ctx, frame) };
        let index = index as usize;
        let map_name = state_def(self.workflow, frame.container, frame.state).map_or("", |state| state.name);
        let ended = {
            let Step::Working { work, .. } = &mut frame.step else { return None };
            let iteration = matches!(work, Work::Map(map) if map.distributed.is_none());
            let child = match work {
                Work::Parallel(children) => children.get_mut(index),
                Work::Map(map) => map.children.get_mut(index),
                _ => None,
            };
            match child {
                Some(Child::Frame(child)) => {
                    if iteration && child.entered_event == 0 {
                        ctx.event_with(&mut child.chain, EventType::MapIterationStarted, || {
                            Some(map::iteration_details(map_name, index))
                        });
                    }
                    let ended = self.frame(ctx, child, depth + 1);
                    ended.map(|end| {
                        let ended = match end {
                            Ok(output) => Ended::Output(output),
                            Err(error) => Ended::Failed(error),
                        };
                        (ended, Some(child.chain))
                    })
                }
                Some(Child::Run(child)) => self.run(child, depth + 1).map(|end| {
                    let Run { history, root, info, .. } = &mut **child;
                    run_ended(history, &mut root.chain, &end, self.now);
                    let ended = match end {
                        Ok(output) => Ended::Output(output),
                        Err(error) => Ended::FailedRun(map::failed_child(info, &error, self.now)),
                    };
                    // A child execution's events are in its own history: the Map's chain
                    // does not go through them.
                    (ended, None)
                }),
                Some(Child::Done(_)) | None => None,
            }
        };
        if let Some((ended, child_chain)) = ended {
            let ending = ChildEnd { index, ended, chain: child_chain, map_name };
            self.child_ended(ctx, frame, depth, ending);
        }
        None
    }

    /// Records that a child of `frame` (at `depth`) ended.
    fn child_ended(&mut self, ctx: &mut RunCtx<'_>, frame: &mut Frame, depth: usize, ending: ChildEnd) {
        let Frame { step, chain, variables, .. } = frame;
        let Step::Working { work, .. } = step else { return };
        let ChildEnd { index, ended, chain: child_chain, map_name } = ending;
        match work {
            Work::Parallel(children) => {
                let done = match ended {
                    Ended::Output(output) | Ended::FailedRun(output) => {
                        if let Some(child_chain) = child_chain {
                            // The Parallel's events go on from the branch that ended last.
                            chain.join(child_chain, true);
                        }
                        if let Some(child) = children.get_mut(index) {
                            *child = Child::Done(output);
                        }
                        if !children.iter().all(|child| matches!(child, Child::Done(_))) {
                            return;
                        }
                        ctx.event(chain, EventType::ParallelStateSucceeded);
                        let outputs = children.drain(..).map(|child| match child {
                            Child::Done(output) => output,
                            _ => Value::Null,
                        });
                        Ok(Value::Array(outputs.collect()))
                    }
                    Ended::Failed(error) => {
                        // The first failure wins; the other branches are cancelled.
                        // (ParallelStateFailed is recorded once no retrier retries it.)
                        if let Some(child_chain) = child_chain {
                            chain.join(child_chain, false);
                        }
                        self.discard(depth, children);
                        Err(error)
                    }
                };
                *work = Work::Done(done);
                self.wake_parent(depth);
            }
            Work::Map(map) => {
                let ending = ChildEnd { index, ended, chain: child_chain, map_name };
                if let Some(done) = map::child_ended(self, ctx, map, chain, variables, depth, ending) {
                    *work = Work::Done(done);
                    self.wake_parent(depth);
                }
            }
            _ => {}
        }
    }

    /// Takes `frame`'s next transition. `Some` when the frame ended.
    fn transition(&mut self, ctx: &mut RunCtx<'_>, frame: &mut Frame) -> Option<Result<Value, Error>> {
        let state = match state_def(self.workflow, frame.container, frame.state) {
            Ok(state) => state,
            Err(error) => return Some(Err(error)),
        };
        self.assigned = None;
        let result = match &frame.step {
            Step::Enter => {
                frame.entered = self.now;
                let kind = EventType::entered(&state.kind);
                frame.entered_event = ctx.event_with(&mut frame.chain, kind, || {
                    let text = frame.input_text.0.take();
                    let input = Some(text.unwrap_or_else(|| history::shared_text(&frame.input)));
                    Some(EventDetails { name: Some(Cow::Borrowed(state.name)), input, ..EventDetails::default() })
                });
                self.enter(ctx, frame, state)
            }
            Step::Waiting { until, timer } if *timer == FIRED || *until <= self.now => {
                self.pass_through(ctx, frame, state).and_then(|output| complete(state, output))
            }
            Step::Working { work: Work::Start, .. } => self.attempt(ctx, frame, state),
            Step::Working { work: Work::Backoff { until, timer }, .. } if *timer == FIRED || *until <= self.now => {
                self.attempt(ctx, frame, state)
            }
            Step::Working { work: Work::Done(_), .. } => self.settle(ctx, frame, state),
            // Still waiting (a stale queue entry).
            Step::Waiting { .. } | Step::Working { .. } => return None,
        };
        match result {
            Ok(Completion::Next(next, output)) => {
                self.exited(ctx, frame, state, &output);
                frame.state = next;
                frame.input = output;
                frame.step = Step::Enter;
                self.fx.again = true;
                None
            }
            Ok(Completion::End(output)) => {
                self.exited(ctx, frame, state, &output);
                Some(Ok(output))
            }
            Ok(Completion::Blocked) => None,
            Err(mut error) => {
                // A States.Runtime error raised by the state itself gets AWS's
                // execution-level prefix naming the state and its Entered event.
                let unattributed = error.cause.as_deref().filter(|c| !c.starts_with(CAUSE_PREFIX));
                if let (true, Some(cause)) = (error.name == names::RUNTIME, unattributed) {
                    error.cause = Some(path::cause::in_state(state.name, frame.entered_event, cause));
                }
                evaluation_failed(ctx, &mut frame.chain, frame.entered_event, state, &mut error);
                Some(Err(error))
            }
        }
    }

    /// Records that `frame` left `state` with `output`; the output's JSON text, if the
    /// event holds it, is kept for the next state's Entered event.
    fn exited(&mut self, ctx: &mut RunCtx<'_>, frame: &mut Frame, state: &'static StateDef, output: &Value) {
        let Some(kind) = EventType::exited(&state.kind) else { return };
        let assigned = self.assigned.take();
        let mut text = None;
        ctx.event_with(&mut frame.chain, kind, || {
            let output = history::shared_text(output);
            text = Some(Arc::clone(&output));
            Some(EventDetails {
                name: Some(Cow::Borrowed(state.name)),
                output: Some(output),
                assigned_variables: assigned,
                ..EventDetails::default()
            })
        });
        frame.input_text.0 = text;
    }

    /// Runs a state just entered: the whole of Pass, Choice, Succeed and Fail, the start of
    /// the others.
    fn enter(
        &mut self,
        ctx: &mut RunCtx<'_>,
        frame: &mut Frame,
        state: &'static StateDef,
    ) -> Result<Completion, Error> {
        match &state.kind {
            StateKind::Pass { io, result } => {
                let context = ctx.context(state, frame.entered, None);
                let mut flow = Flow::new(state, &context, &frame.variables, ctx.rng, self.now);
                let Finished { assigned, output } = flow.pass(io, *result, &mut frame.input)?;
                self.store(ctx, &mut frame.variables, assigned);
                complete(state, output)
            }
            StateKind::Succeed { .. } => Ok(Completion::End(self.pass_through(ctx, frame, state)?)),
            StateKind::Fail { error, cause } => {
                let context = ctx.context(state, frame.entered, None);
                let mut env =
                    Env { state: state.name, context: &context, variables: &*frame.variables.0, rng: ctx.rng };
                let js = jsonata::Scope::new(&frame.input, &context, &frame.variables.0).with_now(self.now);
                let name =
                    fields::fail_text(error.as_ref(), "ErrorPath", &frame.input, &mut env, &js)?.unwrap_or_default();
                let cause = fields::fail_text(cause.as_ref(), "CausePath", &frame.input, &mut env, &js)?;
                Err(Error { name: name.into(), cause })
            }
            StateKind::Choice { input_path, output_path, rules, default } => {
                let context = ctx.context(state, frame.entered, None);
                let mut flow = Flow::new(state, &context, &frame.variables, ctx.rng, self.now);
                let paths = (*input_path, *output_path);
                let (next, Finished { assigned, output }) = flow.choose(paths, rules, *default, &mut frame.input)?;
                self.store(ctx, &mut frame.variables, assigned);
                Ok(Completion::Next(next, output))
            }
            StateKind::Wait { until, input_path, .. } => {
                let context = ctx.context(state, frame.entered, None);
                // `SecondsPath` and `TimestampPath` read the effective input, after `InputPath`,
                // as every path of a state after its `InputPath` does. (A JSONata Wait has
                // no `InputPath`: its expressions read `$states.input`.)
                let flow = Flow::new(state, &context, &frame.variables, ctx.rng, self.now);
                let effective = flow.waited_on(*input_path, &frame.input)?;
                let scope = Scope::new(&effective).with_context(&context).with_variables(&*frame.variables.0);
                let js = jsonata::Scope::new(&frame.input, &context, &frame.variables.0).with_now(self.now);
                let until = fields::wait_deadline(until, &scope, &js, frame.entered)?;
                drop(js);
                drop(effective);
                if until <= self.now {
                    return complete(state, self.pass_through(ctx, frame, state)?);
                }
                let id = self.wait_id();
                frame.step = Step::Waiting { until, timer: id };
                self.fx.requests.push(Request::Timer { id, path: self.path.to_vec(), until });
                Ok(Completion::Blocked)
            }
            StateKind::Task(task) => {
                // `TimeoutSecondsPath` reads the state's raw input, not the effective input.
                let context = ctx.context(state, frame.entered, None);
                let scope = Scope::new(&frame.input).with_context(&context).with_variables(&*frame.variables.0);
                let js = jsonata::Scope::new(&frame.input, &context, &frame.variables.0).with_now(self.now);
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
                self.attempt(ctx, frame, state)
            }
            StateKind::Parallel { .. } | StateKind::Map(_) => {
                frame.step =
                    Step::Working { retries: RetryState::new(), timeout: None, heartbeat: None, work: Work::Start };
                self.attempt(ctx, frame, state)
            }
        }
    }

    /// InputPath then OutputPath (or a JSONata `Output`), with the state's `Assign`: the
    /// data flow of Wait and Succeed.
    fn pass_through(
        &mut self,
        ctx: &mut RunCtx<'_>,
        frame: &mut Frame,
        state: &'static StateDef,
    ) -> Result<Value, Error> {
        let (StateKind::Wait { input_path, output_path, .. } | StateKind::Succeed { input_path, output_path }) =
            &state.kind
        else {
            return Ok(std::mem::take(&mut frame.input));
        };
        let context = ctx.context(state, frame.entered, None);
        let mut flow = Flow::new(state, &context, &frame.variables, ctx.rng, self.now);
        let Finished { assigned, output } = flow.through(*input_path, *output_path, &mut frame.input)?;
        self.store(ctx, &mut frame.variables, assigned);
        Ok(output)
    }

    /// Starts an attempt of a Task, Parallel or Map state: computes the effective input
    /// (errors there are `States.Runtime` or a failed intrinsic, never retried or caught)
    /// and starts the handler, the branches or the iterations.
    fn attempt(
        &mut self,
        ctx: &mut RunCtx<'_>,
        frame: &mut Frame,
        state: &'static StateDef,
    ) -> Result<Completion, Error> {
        let Step::Working { retries, timeout, heartbeat, work } = &mut frame.step else {
            return Ok(Completion::Blocked);
        };
        let retry_count = retries.retry_count();
        match &state.kind {
            StateKind::Task(task) => {
                // A token for every attempt that can use one: callback tasks and tasks whose
                // paths read `$$` (AWS gives `.sync` tasks one too).
                let token = (task.callback() != Callback::None || state.reads_context).then(Callbacks::new_token);
                let sources = (&frame.input, frame.entered, &frame.variables);
                let (input, context) = task_input(ctx, state, task, sources, token.as_deref(), retry_count)?;
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
                let id = self.wait_id();
                let deadline = timeout.map(|seconds| later(self.now, Duration::from_secs(seconds)));
                *work = Work::Task { call: id, deadline, token: token.clone(), submitted: false };
                let request = TaskRequest {
                    id,
                    path: self.path.to_vec(),
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
                self.fx.requests.push(Request::Task(Box::new(request)));
            }
            StateKind::Parallel { io, branches, .. } => {
                let context = ctx.context(state, frame.entered, Some(retry_count));
                let mut flow = Flow::new(state, &context, &frame.variables, ctx.rng, self.now);
                let input = flow.arguments(io, &frame.input)?;
                let started = ctx.event(&mut frame.chain, EventType::ParallelStateStarted);
                let mut children = Vec::with_capacity(branches.len());
                for (index, &branch) in branches.iter().enumerate() {
                    let start = self.workflow.containers.get(usize::from(branch)).map_or(0, |c| c.start);
                    let child = Frame::new(branch, start, input.clone(), self.now)
                        .with_variables(frame.variables.clone())
                        .following(started);
                    children.push(Child::Frame(child));
                    let path = self.child_path(self.path.len(), index);
                    self.fx.front.push(path);
                }
                if children.is_empty() {
                    *work = Work::Done(Ok(Value::Array(Vec::new())));
                    self.fx.again = true;
                } else {
                    *work = Work::Parallel(children);
                }
            }
            StateKind::Map(def) => {
                let context = ctx.context(state, frame.entered, Some(retry_count));
                let mut flow = Flow::new(state, &context, &frame.variables, ctx.rng, self.now);
                let input = flow.map_input(def.io, &frame.input)?;
                let depth = self.path.len();
                *work = match map::start(self, ctx, &mut frame.chain, state, depth, input, &context, &frame.variables) {
                    Ok(map) if map.children.is_empty() => {
                        self.fx.again = true;
                        Work::Done(Ok(Value::Array(Vec::new())))
                    }
                    Ok(map) => Work::Map(Box::new(map)),
                    Err(error) => {
                        self.fx.again = true;
                        Work::Done(Err(error))
                    }
                };
            }
            _ => {}
        }
        Ok(Completion::Blocked)
    }

    /// Handles the end of an attempt: the result goes through the state's data flow
    /// (`ResultSelector`, `ResultPath` and `OutputPath`, or `Output`); an error is retried,
    /// caught, or fails the state.
    fn settle(
        &mut self,
        ctx: &mut RunCtx<'_>,
        frame: &mut Frame,
        state: &'static StateDef,
    ) -> Result<Completion, Error> {
        let Step::Working { retries, work, .. } = &mut frame.step else { return Ok(Completion::Blocked) };
        let Work::Done(result) = std::mem::replace(work, Work::Start) else { return Ok(Completion::Blocked) };
        let (io, recovery) = io_and_recovery(state);
        let retry_count = retries.retry_count();
        let error = match result {
            Ok(result) => {
                let context = ctx.context(state, frame.entered, Some(retry_count));
                let mut flow = Flow::new(state, &context, &frame.variables, ctx.rng, self.now);
                let Finished { assigned, output } = flow.result(io, &mut frame.input, result)?;
                self.store(ctx, &mut frame.variables, assigned);
                return complete(state, output);
            }
            Err(error) if error.is_terminal() => {
                state_failed(ctx, &mut frame.chain, state);
                return Err(error);
            }
            Err(mut error) => {
                // Items, ItemSelector or Arguments failed: recorded before the state fails.
                evaluation_failed(ctx, &mut frame.chain, frame.entered_event, state, &mut error);
                error
            }
        };
        match retries.on_error(recovery.retry, &error, &mut || ctx.fraction()) {
            RetryDecision::Retry { delay, .. } if delay.is_zero() => {
                *work = Work::Start;
                self.attempt(ctx, frame, state)
            }
            RetryDecision::Retry { delay, .. } => {
                let id = self.wait_id();
                let until = later(self.now, delay);
                *work = Work::Backoff { until, timer: id };
                self.fx.requests.push(Request::Timer { id, path: self.path.to_vec(), until });
                Ok(Completion::Blocked)
            }
            RetryDecision::GiveUp => {
                state_failed(ctx, &mut frame.chain, state);
                let Some((position, catcher)) = catcher(recovery.catch, &error) else { return Err(error) };
                let context = ctx.context(state, frame.entered, Some(retries.retry_count()));
                let mut flow = Flow::new(state, &context, &frame.variables, ctx.rng, self.now);
                let language = flow.language();
                let caught = flow.caught((position, catcher), &mut frame.input, error.error_output());
                let Finished { assigned, output } = match caught {
                    Ok(finished) => finished,
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
                self.store(ctx, &mut frame.variables, assigned);
                Ok(Completion::Next(catcher.next, output))
            }
        }
    }

    /// Asks again for what the frames of `run` wait for (see [`Execution::reissue`]).
    fn reissue_run(&mut self, run: &mut Run, path: &mut FramePath) {
        let Run { info, rng, history, root, context_base } = run;
        let mut ctx = RunCtx { info, rng, history, context_base, now: self.now };
        self.reissue_frame(&mut ctx, root, path);
    }

    fn reissue_frame(&mut self, ctx: &mut RunCtx<'_>, frame: &mut Frame, path: &mut FramePath) {
        let until = match &mut frame.step {
            Step::Waiting { until, timer } | Step::Working { work: Work::Backoff { until, timer }, .. } => {
                (*timer != FIRED).then_some((*until, *timer))
            }
            Step::Working { work: Work::Parallel(children), .. } => {
                self.reissue_children(ctx, children, path);
                None
            }
            Step::Working { work: Work::Map(map), .. } => {
                self.reissue_children(ctx, &mut map.children, path);
                None
            }
            Step::Working { retries, heartbeat, work: work @ Work::Task { .. }, .. } => {
                let Work::Task { call, deadline, token, submitted } = work else { return };
                let (call, deadline, token, submitted) = (*call, *deadline, token.clone(), *submitted);
                let Ok(state) = state_def(self.workflow, frame.container, frame.state) else { return };
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
                        self.fx.requests.push(Request::Task(Box::new(request)));
                    }
                    Err(error) => {
                        *work = Work::Done(Err(error));
                        self.fx.front.push(path.clone());
                    }
                }
                None
            }
            Step::Enter | Step::Working { .. } => None,
        };
        if let Some((until, id)) = until {
            self.fx.requests.push(Request::Timer { id, path: path.clone(), until });
        }
    }

    fn reissue_children(&mut self, ctx: &mut RunCtx<'_>, children: &mut [Child], path: &mut FramePath) {
        for (index, child) in children.iter_mut().enumerate() {
            path.push(u32::try_from(index).unwrap_or(u32::MAX));
            match child {
                Child::Frame(frame) => self.reissue_frame(ctx, frame, path),
                Child::Run(run) => self.reissue_run(run, path),
                Child::Done(_) => {}
            }
            path.pop();
        }
    }
}

/// A Task attempt's effective input and the `$$` its handler receives.
fn task_input(
    ctx: &mut RunCtx<'_>,
    state: &'static StateDef,
    task: &TaskDef,
    (input, entered, variables): (&Value, OffsetDateTime, &Vars),
    token: Option<&str>,
    retry_count: u32,
) -> Result<(Value, Value), Error> {
    let context = ctx.context_with(StateInfo::new(state.name, entered).with_retry_count(retry_count), token);
    let input = Flow::new(state, &context, variables, ctx.rng, ctx.now).arguments(task.io, input)?;
    Ok((input, context))
}

/// The frame at `path` in `run`, with its run's event counter.
fn frame_at<'r>(run: &'r mut Run, path: &[u32]) -> Option<(&'r mut Frame, &'r mut History)> {
    let Run { history, root, .. } = run;
    let mut frame = root;
    let mut events = history;
    for &index in path {
        let Step::Working { work, .. } = &mut frame.step else { return None };
        let child = match work {
            Work::Parallel(children) => children.get_mut(index as usize),
            Work::Map(map) => map.children.get_mut(index as usize),
            _ => None,
        }?;
        match child {
            Child::Frame(child) => frame = child,
            Child::Run(run) => {
                let Run { history: run_history, root, .. } = &mut **run;
                events = run_history;
                frame = root;
            }
            Child::Done(_) => return None,
        }
    }
    Some((frame, events))
}

/// The static definition of `frame`'s current state.
fn state_def(workflow: &Workflow, container: u16, state: u16) -> Result<&'static StateDef, Error> {
    let def = workflow
        .containers
        .get(usize::from(container))
        .ok_or_else(|| Error::runtime(format!("the workflow has no container #{container}")))?;
    def.states
        .get(usize::from(state))
        .ok_or_else(|| Error::runtime(format!("container #{container} has no state #{state}")))
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

/// Where a state that completed normally goes.
fn complete(state: &StateDef, output: Value) -> Result<Completion, Error> {
    match state.next {
        Next::State(next) => Ok(Completion::Next(next, output)),
        Next::End => Ok(Completion::End(output)),
        Next::None => {
            Err(Error::runtime("Failed to transition out of the state. The state does not point to a next state."))
        }
    }
}

/// The first catcher whose `ErrorEquals` matches, with its position (terminal errors are
/// never caught).
fn catcher<'c>(catchers: &'c [CatcherDef], error: &Error) -> Option<(usize, &'c CatcherDef)> {
    if error.is_terminal() {
        return None;
    }
    catchers.iter().enumerate().find(|(_, c)| error::matches_any(c.error_equals, error))
}
