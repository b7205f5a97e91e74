//! One step's machinery: [`Turn`] walks from the top frame to the frame being moved and
//! takes its transition; [`RunCtx`] is the data of the run the frame belongs to. What a
//! state does is in [`kinds`](super::kinds) (one file per state kind), how its data flows
//! in [`flow`](super::flow), what happens after an attempt in [`recovery`].

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::Workflow;
use super::effects::{Effects, Request};
use super::events::{CAUSE_PREFIX, evaluation_failed, run_ended};
use super::flow::{Assigned, DataFlow, Flow, Inspected};
use super::history::{self, Chain, EventDetails, EventType, History};
use super::inspect::Inspector;
use super::kinds::{feed, map, parallel, task, wait};
use super::records::Records;
use super::recovery;
use super::state::{Child, FIRED, FailedAttempt, Frame, FramePath, Run, Step, Vars, WaitId, Work};
use crate::context::{ContextObject, ExecutionInfo, StateInfo};
use crate::error::{Error, names};
use crate::intrinsics::{RandomSource, SplitMix64};
use crate::machine::{Next, StateDef, StateKind};
use crate::map_results::ChildResult;
use crate::path;

/// How a state completed.
pub(super) enum Completion {
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
    /// A Distributed Map child execution ended (well or not): its record.
    Run(Box<ChildResult>),
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

/// The data of the run (execution or child execution) a frame belongs to, and how the
/// transition is watched (`M`).
pub(super) struct RunCtx<'r, M: Mode = Plain> {
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
    /// Who watches the transition.
    pub(super) mode: M,
}

/// How a transition is watched: not at all ([`Plain`], every state of every run), or by a
/// state test's inspector ([`Watched`], the state under test; see
/// [`inspect`](super::inspect)).
///
/// The transition's code is generic over it, so the two are separate instances: in the
/// plain one, `Plain`'s answers are constants and its flows the usual ones, and it compiles
/// as if state tests did not exist.
pub(super) trait Mode {
    /// The data flow of the states it runs.
    type Flow<'f>: DataFlow<'f>
    where
        Self: 'f;

    /// The data flow of `state` (see [`Flow::new`]).
    fn flow<'f>(
        &'f mut self,
        state: &'static StateDef,
        context: &'f Value,
        variables: &'f Vars,
        rng: &'f mut SplitMix64,
        now: OffsetDateTime,
    ) -> Self::Flow<'f>;

    /// The state test's inspector, if it watches.
    fn inspector(&mut self) -> Option<&mut Inspector>;

    /// `$$` as the state test gives it (with `token` as `Task.Token`), if it does.
    fn context_object(&self, token: Option<&str>) -> Option<Value>;
}

/// Unwatched.
pub(super) struct Plain;

impl Mode for Plain {
    type Flow<'f> = Flow<'f>;

    #[inline(always)]
    fn flow<'f>(
        &'f mut self,
        state: &'static StateDef,
        context: &'f Value,
        variables: &'f Vars,
        rng: &'f mut SplitMix64,
        now: OffsetDateTime,
    ) -> Flow<'f> {
        Flow::new(state, context, variables, rng, now)
    }

    #[inline(always)]
    fn inspector(&mut self) -> Option<&mut Inspector> {
        None
    }

    #[inline(always)]
    fn context_object(&self, _: Option<&str>) -> Option<Value> {
        None
    }
}

/// Watched by a state test's inspector.
pub(super) struct Watched<'r>(&'r mut Inspector);

impl<'r> Mode for Watched<'r> {
    type Flow<'f>
        = Inspected<'f>
    where
        Self: 'f;

    fn flow<'f>(
        &'f mut self,
        state: &'static StateDef,
        context: &'f Value,
        variables: &'f Vars,
        rng: &'f mut SplitMix64,
        now: OffsetDateTime,
    ) -> Inspected<'f> {
        Inspected::new(state, context, variables, rng, now, &mut self.0.seen)
    }

    fn inspector(&mut self) -> Option<&mut Inspector> {
        Some(self.0)
    }

    fn context_object(&self, token: Option<&str>) -> Option<Value> {
        self.0.context_object(token)
    }
}

impl<M: Mode> RunCtx<'_, M> {
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
    pub(super) fn fraction(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The context object `$$` for a state, or `null` when none of the state's paths reads
    /// it: building it copies the execution input, the most expensive part of a transition.
    #[inline]
    pub(super) fn context(&self, state: &StateDef, entered: OffsetDateTime, retry_count: Option<u32>) -> Value {
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

    /// The data flow of `state`, reading `$$` as `context` and the variables `variables`
    /// (see [`Flow::new`]); in a watched step, one that writes its steps down.
    #[inline]
    pub(super) fn flow<'f>(
        &'f mut self,
        state: &'static StateDef,
        context: &'f Value,
        variables: &'f Vars,
    ) -> M::Flow<'f> {
        self.mode.flow(state, context, variables, self.rng, self.now)
    }

    /// The state test's inspector, when the transition is watched (see
    /// [`inspect`](super::inspect)); `None` in every other.
    #[inline]
    pub(super) fn inspector(&mut self) -> Option<&mut Inspector> {
        self.mode.inspector()
    }

    /// `$$` with `state` and, if given, `$$.Task.Token`: the run's cached `Execution` and
    /// `StateMachine` sections, then `State` and `Task`, in AWS's order (or, in a state
    /// test given one, the context object given).
    pub(super) fn context_with(&self, state: StateInfo<'_>, token: Option<&str>) -> Value {
        if let Some(given) = self.mode.context_object(token) {
            return given;
        }
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

/// One step's view: the workflow, the time, the path of the frame it moves, and where it
/// leaves what it asks for.
pub(super) struct Turn<'t> {
    pub(super) workflow: &'t Workflow,
    pub(super) now: OffsetDateTime,
    /// The path of the frame being moved.
    pub(super) path: &'t [u32],
    /// The execution's last wait id.
    ids: &'t mut WaitId,
    pub(super) fx: &'t mut Effects,
    /// Where the Map Runs and child executions it makes are written down, for a runtime
    /// that stores them.
    pub(super) records: Option<&'t mut Records>,
    /// What the state being left assigned, each value as JSON text, for its Exited event
    /// (kept only when the history records details).
    assigned: Option<Map<String, Value>>,
}

impl<'t> Turn<'t> {
    /// A step of `workflow` at `now` that moves the frame at `path`, handing out wait ids
    /// after `ids` and leaving its requests in `fx`.
    pub(super) fn new(
        workflow: &'t Workflow,
        now: OffsetDateTime,
        path: &'t [u32],
        ids: &'t mut WaitId,
        fx: &'t mut Effects,
        records: Option<&'t mut Records>,
    ) -> Turn<'t> {
        Turn { workflow, now, path, ids, fx, records, assigned: None }
    }
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
            if !matches!(child, Child::Done(_) | Child::Ended(_) | Child::Unsuccessful(_)) {
                child.pending(&mut self.fx.cancelled);
                let path = self.child_path(depth, index);
                self.fx.discarded.push(path);
            }
        }
    }

    /// Moves the frame at [`Turn::path`] inside `run`, whose top frame is at `depth`,
    /// watched by `inspector` if it is the top frame of a state test's execution. `Some`
    /// when the run's top frame ended.
    pub(super) fn run(
        &mut self,
        run: &mut Run,
        depth: usize,
        inspector: Option<&mut Inspector>,
    ) -> Option<Result<Value, Error>> {
        let Run { info, rng, history, root, context_base } = run;
        // A state test watches the state under test only: the top-level frame's.
        if let (Some(inspector), true) = (inspector, self.path.is_empty()) {
            let mode = Watched(inspector);
            let mut ctx = RunCtx { info, rng, history, context_base, now: self.now, mode };
            return self.frame(&mut ctx, root, depth);
        }
        let mut ctx = RunCtx { info, rng, history, context_base, now: self.now, mode: Plain };
        self.frame(&mut ctx, root, depth)
    }

    /// Stores what an `Assign` computed in `variables`, keeping a copy as JSON text for the
    /// state's Exited event if the history records details.
    ///
    /// Always inlined into the state kinds, and the work is out of line: a state that
    /// assigns nothing, as most do, pays one test, not a call.
    #[inline(always)]
    pub(super) fn store<M: Mode>(&mut self, ctx: &RunCtx<'_, M>, variables: &mut Vars, assigned: Assigned) {
        if let Some(values) = assigned {
            self.store_values(ctx, variables, values);
        }
    }

    /// [`Turn::store`] of an `Assign` that computed `values`.
    fn store_values<M: Mode>(&mut self, ctx: &RunCtx<'_, M>, variables: &mut Vars, values: Map<String, Value>) {
        if ctx.history.detailed() {
            let texts = values.iter().map(|(name, value)| (name.clone(), Value::String(history::text(value))));
            self.assigned = Some(texts.collect());
        }
        variables.store(Some(values));
    }

    /// Moves the frame at [`Turn::path`] below `frame` (at `depth`), or `frame` itself.
    /// `Some` when `frame` ended.
    fn frame<M: Mode>(
        &mut self,
        ctx: &mut RunCtx<'_, M>,
        frame: &mut Frame,
        depth: usize,
    ) -> Option<Result<Value, Error>> {
        let Some(&index) = self.path.get(depth) else { return self.transition(ctx, frame) };
        let index = index as usize;
        let state = state_def(self.workflow, frame.container, frame.state).ok();
        let map_name = state.map_or("", |state| state.name);
        let ended = {
            let Step::Working { work, .. } = &mut frame.step else { return None };
            // The Map Run whose STANDARD child executions are stored, when they are.
            let stored_run = match (&*work, state.map(|state| &state.kind), &self.records) {
                (Work::Map(map), Some(StateKind::Map(def)), Some(records))
                    if def.distributed.is_some_and(|d| !d.express) && records.owns(ctx.info) =>
                {
                    map.distributed.as_ref().map(|d| d.map_run_arn.clone())
                }
                _ => None,
            };
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
                Some(Child::Run(child)) => self.run(child, depth + 1, None).map(|end| {
                    let Run { history, root, info, .. } = &mut **child;
                    run_ended(history, &mut root.chain, &end, self.now);
                    // The child's record takes its input: the run is over, and its slot is
                    // about to hold the record instead.
                    let input = std::mem::take(&mut info.input);
                    let mut result = match end {
                        Ok(output) => ChildResult::ended(info, Ok(output), self.now),
                        Err(error) => ChildResult::ended(info, Err(&error), self.now),
                    };
                    result.input = input;
                    if let (Some(records), Some(map_run_arn)) = (self.records.as_deref_mut(), &stored_run) {
                        records.child(map_run_arn, &result, history);
                    }
                    let ended = Ended::Run(Box::new(result));
                    // A child execution's events are in its own history: the Map's chain
                    // does not go through them.
                    (ended, None)
                }),
                Some(Child::Done(_) | Child::Ended(_) | Child::Unsuccessful(_)) | None => None,
            }
        };
        if let Some((ended, child_chain)) = ended {
            let ending = ChildEnd { index, ended, chain: child_chain, map_name };
            self.child_ended(ctx, frame, depth, ending);
        }
        None
    }

    /// Records that a child of `frame` (at `depth`) ended; once that ends the attempt (all
    /// children done, or a failure that ends it), the frame is woken to settle it.
    fn child_ended<M: Mode>(&mut self, ctx: &mut RunCtx<'_, M>, frame: &mut Frame, depth: usize, ending: ChildEnd) {
        let state = state_def(self.workflow, frame.container, frame.state).ok();
        let Frame { step, chain, variables, .. } = frame;
        let Step::Working { work, .. } = step else { return };
        let done = match work {
            Work::Parallel(children) => parallel::child_ended(self, ctx, children, chain, depth, ending),
            Work::Map(map) => map::child_ended(self, ctx, state, map, chain, variables, depth, ending),
            _ => None,
        };
        match done {
            Some(Ok(output)) => {
                *work = Work::Done(Ok(output));
                self.wake_parent(depth);
            }
            // The attempt is kept with its error: should the state fail for good, a redrive
            // runs again only the branches or iterations that did not finish.
            Some(Err(error)) => {
                let attempt = std::mem::replace(work, Work::Start);
                *work = Work::Failed(Box::new(FailedAttempt { error, attempt }));
                self.wake_parent(depth);
            }
            None => {}
        }
    }

    /// Takes `frame`'s next transition. `Some` when the frame ended.
    fn transition<M: Mode>(&mut self, ctx: &mut RunCtx<'_, M>, frame: &mut Frame) -> Option<Result<Value, Error>> {
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
                wait::finish(self, ctx, frame, state)
            }
            Step::Working { work: Work::Start, .. } => self.attempt(ctx, frame, state),
            Step::Working { work: Work::Backoff { until, timer }, .. } if *timer == FIRED || *until <= self.now => {
                self.attempt(ctx, frame, state)
            }
            Step::Working { work: Work::Done(_) | Work::Failed(_), .. } => recovery::settle(self, ctx, frame, state),
            Step::Working { work: Work::Map(map), .. } if map.fed() || map.resumed => map::fed(self, ctx, frame, state),
            // Still waiting (a stale queue entry), or failed.
            Step::Waiting { .. } | Step::Working { .. } | Step::Failed => return None,
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
                if matches!(frame.step, Step::Enter) {
                    // Entered, and its input perhaps used up: a redrive reads it back from
                    // the Entered event.
                    frame.step = Step::Failed;
                }
                Some(Err(error))
            }
        }
    }

    /// Records that `frame` left `state` with `output`; the output's JSON text, if the
    /// event holds it, is kept for the next state's Entered event.
    fn exited<M: Mode>(
        &mut self,
        ctx: &mut RunCtx<'_, M>,
        frame: &mut Frame,
        state: &'static StateDef,
        output: &Value,
    ) {
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

    /// Asks again for what the frames of `run` wait for (see
    /// [`Execution::reissue`](super::Execution::reissue)).
    pub(super) fn reissue_run(&mut self, run: &mut Run, path: &mut FramePath) {
        let Run { info, rng, history, root, context_base } = run;
        let mut ctx = RunCtx { info, rng, history, context_base, now: self.now, mode: Plain };
        self.reissue_frame(&mut ctx, root, path);
    }

    /// Asks again for what `frame` (at `path`) and the frames below it wait for.
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
                if let Ok(state) = state_def(self.workflow, frame.container, frame.state) {
                    feed::reissue(self, map, state, path);
                }
                None
            }
            Step::Working { work: Work::Task { .. }, .. } => {
                task::reissue(self, ctx, frame, path);
                None
            }
            Step::Enter | Step::Working { .. } | Step::Failed => None,
        };
        if let Some((until, id)) = until {
            self.fx.requests.push(Request::Timer { id, path: path.clone(), until });
        }
    }

    /// [`Turn::reissue_frame`] for each child still running.
    fn reissue_children(&mut self, ctx: &mut RunCtx<'_>, children: &mut [Child], path: &mut FramePath) {
        for (index, child) in children.iter_mut().enumerate() {
            path.push(u32::try_from(index).unwrap_or(u32::MAX));
            match child {
                Child::Frame(frame) => self.reissue_frame(ctx, frame, path),
                Child::Run(run) => self.reissue_run(run, path),
                Child::Done(_) | Child::Ended(_) | Child::Unsuccessful(_) => {}
            }
            path.pop();
        }
    }
}

/// The static definition of `frame`'s current state.
pub(super) fn state_def(workflow: &Workflow, container: u16, state: u16) -> Result<&'static StateDef, Error> {
    let def = workflow
        .containers
        .get(usize::from(container))
        .ok_or_else(|| Error::runtime(format!("the workflow has no container #{container}")))?;
    def.states
        .get(usize::from(state))
        .ok_or_else(|| Error::runtime(format!("container #{container} has no state #{state}")))
}

/// Where a state that completed normally goes.
#[inline]
pub(super) fn complete(state: &StateDef, output: Value) -> Result<Completion, Error> {
    match state.next {
        Next::State(next) => Ok(Completion::Next(next, output)),
        Next::End => Ok(Completion::End(output)),
        Next::None => {
            Err(Error::runtime("Failed to transition out of the state. The state does not point to a next state."))
        }
    }
}
