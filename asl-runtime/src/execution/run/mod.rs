//! The driver: runs a compiled workflow's states one transition at a time.
//!
//! Each container (the top level, a Parallel branch, a Map iteration) runs as a loop over
//! an explicit [`Frame`] — the current state index and its input — so the state of an
//! execution is data, not the stack of an `async fn`. Parallel branches and Map iterations
//! run concurrently as child loops; the first failure cancels its siblings (their futures
//! are dropped) and propagates the child's own error, as AWS does.
//!
//! A Distributed Map is different: each item runs as a *child execution* (its own name,
//! `$$.Execution`, history and event ids), a failed child does not stop its siblings, and
//! the Map fails with `States.ExceedToleratedFailureThreshold` only once the failures exceed
//! its tolerated count or percentage (see [`Tolerance`]).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::future::{Either, select};
use futures_util::stream::{FuturesOrdered, StreamExt};
use serde_json::Value;
use time::OffsetDateTime;

use super::task::{TaskCall, TaskHandler};
use super::{Outcome, Status, Workflow};
use crate::choice;
use crate::clock::Clock;
use crate::context::{ContextObject, ExecutionInfo, StateInfo};
use crate::dataflow::{self, Env, Io, PathField};
use crate::error::{self, Error, names};
use crate::intrinsics::{RandomSource, SplitMix64};
use crate::machine::{Amount, CatcherDef, ContainerDef, FailText, Next, Recovery, StateDef, StateKind, WaitDef};
use crate::path::{self, Path, Scope};
use crate::retry::{RetryDecision, RetryState};
use crate::template::Resolver;

mod map;

/// Where a container's run stands: the state it is in and that state's raw input.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Frame {
    /// Index of the container in the workflow.
    pub container: u16,
    /// Index of the current state in the container.
    pub state: u16,
    /// The current state's raw input.
    pub input: Value,
}

/// Runs `workflow` to completion with `input`.
pub async fn run(
    workflow: &Workflow,
    handler: &dyn TaskHandler,
    clock: &dyn Clock,
    execution: &ExecutionInfo,
    input: Value,
) -> Outcome {
    if let Some(reason) = workflow.unsupported {
        return Outcome {
            status: Status::Failed,
            output: None,
            error: Some(super::UNSUPPORTED_ERROR.to_string()),
            cause: Some(reason.to_string()),
        };
    }
    let runner = Runner {
        workflow,
        handler,
        clock,
        execution,
        rng: Mutex::new(SplitMix64::from_entropy()),
        // ExecutionStarted is event #1.
        events: AtomicU64::new(1),
    };
    let work = runner.container(0, input, None);
    let finished = match workflow.timeout_seconds {
        None => work.await,
        Some(seconds) => match select(work, clock.sleep(Duration::from_secs(seconds))).await {
            Either::Left((finished, _)) => finished,
            // AWS's DescribeExecution has neither error nor cause for a timed-out execution.
            Either::Right(((), _)) => {
                return Outcome { status: Status::TimedOut, output: None, error: None, cause: None };
            }
        },
    };
    match finished {
        Ok(output) => Outcome { status: Status::Succeeded, output: Some(output), error: None, cause: None },
        Err(e) => Outcome {
            status: Status::Failed,
            output: None,
            // A Fail state without `Error` leaves the name empty: AWS then reports no error.
            error: (!e.name.is_empty()).then(|| e.reported_name().to_string()),
            cause: e.cause,
        },
    }
}

struct Runner<'r> {
    workflow: &'r Workflow,
    handler: &'r dyn TaskHandler,
    clock: &'r dyn Clock,
    execution: &'r ExecutionInfo,
    rng: Mutex<SplitMix64>,
    /// The id of the last history event AWS would have recorded; a `States.Runtime` cause
    /// names the id of its state's `…StateEntered` event.
    events: AtomicU64,
}

/// A Map iteration's item, visible as `$$.Map.Item` in the processor's ItemSelector.
type MapItem<'a> = Option<(u64, &'a Value)>;

/// How a state completed.
enum Completion {
    /// Go to this state with this input.
    Next(u16, Value),
    /// The container completes with this output.
    End(Value),
}

/// Draws random numbers for jitter and intrinsics from the runner's shared generator.
struct SharedRng<'a>(&'a Mutex<SplitMix64>);

impl RandomSource for SharedRng<'_> {
    fn next_u64(&mut self) -> u64 {
        // A poisoned lock only means another iteration panicked; the generator is still fine.
        match self.0.lock() {
            Ok(mut rng) => rng.next_u64(),
            Err(poisoned) => poisoned.into_inner().next_u64(),
        }
    }
}

impl Runner<'_> {
    fn container_def(&self, index: u16) -> Result<&'static ContainerDef, Error> {
        self.workflow
            .containers
            .get(usize::from(index))
            .ok_or_else(|| Error::runtime(format!("the workflow has no container #{index}")))
    }

    /// Runs one container from its start state to completion.
    fn container<'a>(
        &'a self,
        container: u16,
        input: Value,
        _item: MapItem<'a>,
    ) -> super::BoxFuture<'a, Result<Value, Error>> {
        Box::pin(async move {
            let def = self.container_def(container)?;
            let mut frame = Frame { container, state: def.start, input };
            loop {
                let state = def
                    .states
                    .get(usize::from(frame.state))
                    .ok_or_else(|| Error::runtime(format!("container #{container} has no state #{}", frame.state)))?;
                match self.state(state, frame.input).await? {
                    Completion::Next(next, output) => {
                        frame.state = next;
                        frame.input = output;
                    }
                    Completion::End(output) => return Ok(output),
                }
            }
        })
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
        ContextObject::new(self.execution).with_state(info).to_value()
    }

    fn complete(state: &StateDef, output: Value) -> Result<Completion, Error> {
        match state.next {
            Next::State(next) => Ok(Completion::Next(next, output)),
            Next::End => Ok(Completion::End(output)),
            Next::None => {
                Err(Error::runtime("Failed to transition out of the state. The state does not point to a next state."))
            }
        }
    }

    /// Records one history event and returns its id.
    fn event(&self) -> u64 {
        self.events.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Records `n` history events (the ones a state emits besides Entered).
    fn events(&self, n: u64) {
        self.events.fetch_add(n, Ordering::Relaxed);
    }

    /// Runs one state: its `…StateEntered` event, its work, and its `…StateExited` event.
    /// A `States.Runtime` error raised by the state itself gets AWS's execution-level prefix
    /// naming the state and the id of its Entered event.
    async fn state(&self, state: &'static StateDef, input: Value) -> Result<Completion, Error> {
        let entered_id = self.event();
        match self.state_work(state, input).await {
            Ok(completion) => {
                self.event(); // …StateExited
                Ok(completion)
            }
            Err(mut error) => {
                let unattributed = error.cause.as_deref().filter(|c| !c.starts_with(CAUSE_PREFIX));
                if let (true, Some(cause)) = (error.name == names::RUNTIME, unattributed) {
                    error.cause = Some(path::cause::in_state(state.name, entered_id, cause));
                }
                Err(error)
            }
        }
    }

    async fn state_work(&self, state: &'static StateDef, input: Value) -> Result<Completion, Error> {
        let entered = self.clock.now();
        match &state.kind {
            StateKind::Pass { io, result } => {
                let context = self.context(state, entered, None);
                let mut rng = SharedRng(&self.rng);
                let mut env = Env { state: state.name, context: &context, variables: &(), rng: &mut rng };
                Self::complete(state, dataflow::pass_output(io, *result, input, &mut env)?)
            }
            StateKind::Succeed { input_path, output_path } => {
                let output = self.pass_through(state, entered, *input_path, *output_path, input)?;
                Ok(Completion::End(output))
            }
            StateKind::Fail { error, cause } => {
                let context = self.context(state, entered, None);
                let name = self.fail_text(error.as_ref(), "ErrorPath", state, &input, &context)?.unwrap_or_default();
                let cause = self.fail_text(cause.as_ref(), "CausePath", state, &input, &context)?;
                Err(Error { name: name.into(), cause })
            }
            StateKind::Choice { input_path, output_path, rules, default } => {
                let context = self.context(state, entered, None);
                let mut rng = SharedRng(&self.rng);
                let env = Env { state: state.name, context: &context, variables: &(), rng: &mut rng };
                let effective = dataflow::take_path(*input_path, input, &env)?;
                let scope = Scope::new(&effective).with_context(&context);
                let mut chosen = *default;
                for (rule, next) in rules.iter() {
                    let mut lookup = |p: &Path| borrowed(p, &scope);
                    if choice::evaluate(rule, &mut lookup)? {
                        chosen = Some(*next);
                        break;
                    }
                }
                let next = chosen.ok_or_else(choice::no_choice_matched)?;
                Ok(Completion::Next(next, dataflow::take_path(*output_path, effective, &env)?))
            }
            StateKind::Wait { input_path, output_path, until } => {
                let context = self.context(state, entered, None);
                let deadline = self.wait_deadline(until, &input, &context, entered)?;
                self.clock.sleep_until(deadline).await;
                let output = self.pass_through(state, entered, *input_path, *output_path, input)?;
                Self::complete(state, output)
            }
            StateKind::Task(task) => {
                // `TimeoutSecondsPath` reads the state's raw input, not the effective input.
                let context = self.context(state, entered, None);
                let timeout = match task.timeout {
                    Some(amount) => Some(self.amount(amount, &input, &context, "TimeoutSecondsPath")?),
                    None => None,
                };
                self.with_recovery(state, entered, task.io, task.recovery, input, |effective, context, retry_count| {
                    Box::pin(self.task_attempt(state, task, timeout, effective, context, retry_count))
                })
                .await
            }
            StateKind::Parallel { io, branches, recovery } => {
                self.with_recovery(state, entered, io, recovery, input, |effective, _, _| {
                    Box::pin(self.parallel(branches, effective))
                })
                .await
            }
            StateKind::Map(map) => {
                self.with_recovery(state, entered, map.io, map.recovery, input, |effective, context, _| {
                    Box::pin(self.map(state, map, effective, context))
                })
                .await
            }
        }
    }

    /// InputPath then OutputPath: the data flow of Wait and Succeed.
    fn pass_through(
        &self,
        state: &StateDef,
        entered: OffsetDateTime,
        input_path: PathField,
        output_path: PathField,
        input: Value,
    ) -> Result<Value, Error> {
        let context = self.context(state, entered, None);
        let mut rng = SharedRng(&self.rng);
        let env = Env { state: state.name, context: &context, variables: &(), rng: &mut rng };
        dataflow::pass_through(input_path, output_path, input, &env)
    }

    /// Runs the work of a Task, Parallel or Map state with its Retry and Catch: the
    /// effective input is computed once, `attempt` runs until it succeeds, a retrier gives
    /// up, or the error is terminal; then the result goes through ResultSelector,
    /// ResultPath and OutputPath, or the first matching catcher takes over.
    async fn with_recovery<'s, F>(
        &'s self,
        state: &'static StateDef,
        entered: OffsetDateTime,
        io: &'static Io,
        recovery: &'static Recovery,
        input: Value,
        attempt: F,
    ) -> Result<Completion, Error>
    where
        F: Fn(Value, Value, u32) -> super::BoxFuture<'s, Result<Value, Error>>,
    {
        let mut retries = RetryState::new();
        let outcome = loop {
            let context = match state.kind {
                StateKind::Task(_) => self.full_context(state, entered, Some(retries.retry_count())),
                _ => self.context(state, entered, Some(retries.retry_count())),
            };
            let mut rng = SharedRng(&self.rng);
            let mut env = Env { state: state.name, context: &context, variables: &(), rng: &mut rng };
            // Errors of the state's own data flow (missing paths) are States.Runtime:
            // never retried or caught.
            let effective = dataflow::effective_input(io, &input, &mut env)?;
            match attempt(effective, context.clone(), retries.retry_count()).await {
                Ok(result) => break Ok(result),
                Err(error) if error.is_terminal() => return Err(error),
                Err(error) => {
                    let mut draw = || {
                        let mut rng = SharedRng(&self.rng);
                        // 53 random bits → a uniform f64 in [0, 1).
                        (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
                    };
                    match retries.on_error(recovery.retry, &error, &mut draw) {
                        RetryDecision::Retry { delay, .. } => self.clock.sleep(delay).await,
                        RetryDecision::GiveUp => break Err(error),
                    }
                }
            }
        };
        let context = self.context(state, entered, Some(retries.retry_count()));
        let mut rng = SharedRng(&self.rng);
        let mut env = Env { state: state.name, context: &context, variables: &(), rng: &mut rng };
        match outcome {
            Ok(result) => {
                let result = dataflow::effective_result(io, result, &mut env)?;
                Self::complete(state, dataflow::state_output(io, input, result, &mut env)?)
            }
            Err(error) => match catcher(recovery.catch, &error) {
                Some(catcher) => {
                    let io = Io { result_path: catcher.result_path, ..Io::DEFAULT };
                    let output = dataflow::state_output(&io, input, error.error_output(), &mut env)?;
                    Ok(Completion::Next(catcher.next, output))
                }
                None => Err(error),
            },
        }
    }

    async fn task_attempt(
        &self,
        state: &'static StateDef,
        task: &'static crate::machine::TaskDef,
        timeout: Option<u64>,
        input: Value,
        context: Value,
        retry_count: u32,
    ) -> Result<Value, Error> {
        self.events(2); // TaskScheduled, TaskStarted
        let call = TaskCall {
            task: task.task,
            state: state.name,
            resource: task.resource,
            input,
            context: &context,
            retry_count,
        };
        let work = self.handler.invoke(call);
        let result = match timeout {
            None => work.await,
            Some(seconds) => {
                let timer = self.clock.sleep(Duration::from_secs(seconds));
                match select(work, timer).await {
                    Either::Left((result, _)) => result,
                    Either::Right(((), _)) => Err(Error::named(names::TIMEOUT)),
                }
            }
        };
        self.event(); // TaskSucceeded, TaskFailed or TaskTimedOut
        result
    }

    async fn parallel(&self, branches: &'static [u16], input: Value) -> Result<Value, Error> {
        self.event(); // ParallelStateStarted
        let mut running: FuturesOrdered<_> =
            branches.iter().map(|&branch| self.container(branch, input.clone(), None)).collect();
        let mut results = Vec::with_capacity(branches.len());
        // The first failure wins; dropping `running` cancels the other branches.
        while let Some(result) = running.next().await {
            match result {
                Ok(output) => results.push(output),
                Err(error) => {
                    self.event(); // ParallelStateFailed
                    return Err(error);
                }
            }
        }
        self.event(); // ParallelStateSucceeded
        Ok(Value::Array(results))
    }

    fn amount(&self, amount: Amount, input: &Value, context: &Value, field: &str) -> Result<u64, Error> {
        match amount {
            Amount::Literal(n) => Ok(n),
            Amount::Path(p) => {
                let value = self.path_value(p, input, context)?;
                value.as_u64().ok_or_else(|| Error::runtime(path::cause::not_an_integer(field, p, &value)))
            }
        }
    }

    /// What a `…Path` field of a state selects (from its input, or `$$`).
    ///
    /// # Errors
    ///
    /// `States.Runtime` ([`path::cause::invalid_path`]) when it selects nothing.
    fn path_value(&self, p: &Path, input: &Value, context: &Value) -> Result<Value, Error> {
        path::select_value(p, &Scope::new(input).with_context(context))
            .map_err(|missing| Error::runtime(path::cause::invalid_path(p, &missing)))
    }

    fn wait_deadline(
        &self,
        until: &WaitDef,
        input: &Value,
        context: &Value,
        entered: OffsetDateTime,
    ) -> Result<OffsetDateTime, Error> {
        let scope = Scope::new(input).with_context(context);
        let seconds = |n: u64| entered + std::time::Duration::from_secs(n);
        match until {
            WaitDef::Seconds(n) => Ok(seconds(*n)),
            WaitDef::Timestamp(text) => {
                parse_timestamp(text).ok_or_else(|| Error::runtime(format!("Invalid timestamp: {text}")))
            }
            WaitDef::SecondsPath(p) => {
                let value = path::select_value(p, &scope).map_err(|_| {
                    Error::runtime(format!("The SecondsPath parameter does not reference an input value: {}", p.text))
                })?;
                match value.as_i64() {
                    Some(n) if n >= 0 => Ok(seconds(n.unsigned_abs())),
                    Some(_) => Err(Error::runtime(path::cause::seconds_path_negative(p, &value))),
                    None => Err(Error::runtime(path::cause::seconds_path_not_long(p, &value))),
                }
            }
            WaitDef::TimestampPath(p) => {
                let value = path::select_value(p, &scope).map_err(|_| {
                    Error::runtime(format!("The TimestampPath parameter does not reference an input value: {}", p.text))
                })?;
                value
                    .as_str()
                    .and_then(parse_timestamp)
                    .ok_or_else(|| Error::runtime(path::cause::timestamp_path_invalid(p, &value)))
            }
        }
    }

    fn fail_text(
        &self,
        text: Option<&FailText>,
        field: &str,
        state: &StateDef,
        input: &Value,
        context: &Value,
    ) -> Result<Option<String>, Error> {
        let Some(text) = text else { return Ok(None) };
        let mut rng = SharedRng(&self.rng);
        let mut env = Env { state: state.name, context, variables: &(), rng: &mut rng };
        let mut resolver = dataflow::DataResolver::new(input, &mut env);
        let value = match text {
            FailText::Literal(s) => return Ok(Some((*s).to_string())),
            FailText::Path(p) => resolver.path(p, field)?,
            FailText::Intrinsic(call) => resolver.intrinsic(call, field)?,
        };
        Ok(Some(match value {
            Value::String(s) => s,
            other => path::cause::json_text(&other),
        }))
    }
}

/// A timestamp as AWS parses Wait timestamps (Java's ISO offset date-time format, the same
/// parser Choice uses): stricter than RFC 3339 parsers that accept a space for `T`.
fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    crate::choice::timestamp::parse(text).and_then(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())
}

/// How `path::cause::in_state` starts: a cause that has it was already attributed to the
/// state that raised it (an inner state of a branch or iteration).
const CAUSE_PREFIX: &str = "An error occurred while executing the state";

/// The value a definite path selects, borrowed from the scope. Choice rules compare values
/// in place; an indefinite path (whose result is a new array) reads as absent here.
fn borrowed<'v>(p: &Path, scope: &Scope<'v>) -> Option<&'v Value> {
    match path::select(p, scope) {
        Ok(path::Selection::One(std::borrow::Cow::Borrowed(value))) => Some(value),
        _ => None,
    }
}

/// The first catcher whose `ErrorEquals` matches (terminal errors are never caught).
fn catcher<'c>(catchers: &'c [CatcherDef], error: &Error) -> Option<&'c CatcherDef> {
    if error.is_terminal() {
        return None;
    }
    catchers.iter().find(|c| error::matches_any(c.error_equals, error))
}
