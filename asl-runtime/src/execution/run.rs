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
use crate::context::{ContextObject, ExecutionInfo, StateInfo, format_timestamp};
use crate::dataflow::{self, Env, Io, PathField};
use crate::error::{self, Error, names};
use crate::intrinsics::{RandomSource, SplitMix64, uuid_v4};
use crate::machine::{
    Amount, CatcherDef, ContainerDef, DistributedDef, FailText, Fraction, MapDef, Next, Recovery, StateDef, StateKind,
    WaitDef,
};
use crate::path::{self, Path, Scope};
use crate::retry::{RetryDecision, RetryState};
use crate::template::Resolver;

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

    async fn map(
        &self,
        state: &'static StateDef,
        map: &'static MapDef,
        input: Value,
        context: Value,
    ) -> Result<Value, Error> {
        let items = match map.items_path {
            Some(items_path) => path::select_value(items_path, &Scope::new(&input).with_context(&context))
                .map_err(|_| Error::runtime(format!("Reference path \"{}\" must point to array.", items_path.text)))?,
            None => input.clone(),
        };
        let Value::Array(items) = items else {
            let text = map.items_path.map_or("$", |p| p.text);
            return Err(Error::runtime(format!("Reference path \"{text}\" must point to array.")));
        };
        let limit = match map.max_concurrency {
            Some(amount) => self.map_integer(amount, &input, &context, "MaxConcurrencyPath")?,
            None => 0,
        };
        let limit = if limit == 0 { items.len().max(1) } else { usize::try_from(limit).unwrap_or(usize::MAX) };
        let tolerance = match map.distributed {
            Some(distributed) => Some(self.tolerance(distributed, &input, &context)?),
            None => None,
        };
        let mut inputs = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            inputs.push(self.item_input(state, map, &input, index as u64, item)?);
        }
        if let (Some(distributed), Some(tolerance)) = (map.distributed, tolerance) {
            return self.map_run(map.processor, distributed, tolerance, inputs, limit).await;
        }
        self.event(); // MapStateStarted
        let mut results = Vec::with_capacity(inputs.len());
        let mut pending = inputs.into_iter();
        let mut running = FuturesOrdered::new();
        for item in pending.by_ref().take(limit) {
            running.push_back(self.iteration(map.processor, item));
        }
        while let Some(result) = running.next().await {
            match result {
                Ok(output) => results.push(output),
                Err(error) => {
                    self.event(); // MapStateFailed
                    return Err(error);
                }
            }
            if let Some(item) = pending.next() {
                running.push_back(self.iteration(map.processor, item));
            }
        }
        self.event(); // MapStateSucceeded
        Ok(Value::Array(results))
    }

    /// A Distributed Map's Map Run: one child execution per item, at most `limit` at once.
    /// A failed child does not stop the others; once the failures exceed `tolerance` the
    /// Map fails with `States.ExceedToleratedFailureThreshold` (the children still running
    /// are dropped), else its result holds each item's output, in item order, with a failed
    /// child's [execution record](Runner::failed_child) in its place.
    ///
    /// The parent's history gets MapStateStarted, MapRunStarted, then MapRunSucceeded and
    /// MapStateSucceeded (or MapRunFailed and MapStateFailed); the children's events are in
    /// their own histories.
    async fn map_run(
        &self,
        processor: u16,
        distributed: &DistributedDef,
        tolerance: Tolerance,
        inputs: Vec<Value>,
        limit: usize,
    ) -> Result<Value, Error> {
        self.events(2); // MapStateStarted, MapRunStarted
        // The children's state machine: `<state machine>/<label>`, a generated label for a
        // Map without one.
        let label = match distributed.label {
            Some(label) => label.to_string(),
            None => uuid_v4(&mut SharedRng(&self.rng)),
        };
        let machine = format!("{}/{label}", self.execution.state_machine_name);
        let total = inputs.len();
        let mut failed = 0;
        let mut results = Vec::with_capacity(total);
        let mut pending = inputs.into_iter();
        let mut running = FuturesOrdered::new();
        for item in pending.by_ref().take(limit) {
            running.push_back(self.child_execution(processor, &machine, item));
        }
        while let Some(result) = running.next().await {
            match result {
                Ok(output) => results.push(output),
                Err(record) => {
                    failed += 1;
                    if tolerance.exceeded(failed, total) {
                        self.events(2); // MapRunFailed, MapStateFailed
                        return Err(Error::new(names::EXCEED_TOLERATED_FAILURE_THRESHOLD, THRESHOLD_EXCEEDED));
                    }
                    results.push(record);
                }
            }
            if let Some(item) = pending.next() {
                running.push_back(self.child_execution(processor, &machine, item));
            }
        }
        self.events(2); // MapRunSucceeded, MapStateSucceeded
        Ok(Value::Array(results))
    }

    /// One child execution of a Distributed Map: the processor run as an execution of its
    /// own, of state machine `machine`, named with a generated UUID, with `input` as its
    /// input (`$$.Execution` shows all three) and its own history. Its output, or its
    /// [execution record](Runner::failed_child) when it fails.
    async fn child_execution(&self, processor: u16, machine: &str, input: Value) -> Result<Value, Value> {
        let (name, seed) = {
            let mut rng = SharedRng(&self.rng);
            (uuid_v4(&mut rng), rng.next_u64())
        };
        let parent = self.execution;
        let mut execution = ExecutionInfo::new(machine, name, self.clock.now(), input.clone());
        execution.partition.clone_from(&parent.partition);
        execution.region.clone_from(&parent.region);
        execution.account_id.clone_from(&parent.account_id);
        execution.role_arn.clone_from(&parent.role_arn);
        let child = Runner {
            workflow: self.workflow,
            handler: self.handler,
            clock: self.clock,
            execution: &execution,
            rng: Mutex::new(SplitMix64::new(seed)),
            // ExecutionStarted is event #1 of the child's own history.
            events: AtomicU64::new(1),
        };
        match child.container(processor, input, None).await {
            Ok(output) => Ok(output),
            Err(error) => Err(self.failed_child(&execution, &error)),
        }
    }

    /// What a Distributed Map's result holds for a failed child execution. Without a
    /// `ResultWriter` the results are `COMPACT` (each child's output), but "if a child
    /// workflow execution fails, Step Functions returns its execution result unchanged",
    /// as with `Transformation: NONE` (Developer Guide, "ResultWriter (Map)"): the
    /// execution's record rather than an output. Its fields are those of the guide's `NONE`
    /// examples, in their (alphabetical) order, with `Error` and `Cause` (when there are)
    /// for the missing `Output`: `Cause`, `Error`, `ExecutionArn`, `Input` (JSON text),
    /// `InputDetails`, `Name`, `RedriveCount`, `RedriveStatus`, `StartDate`,
    /// `StateMachineArn`, `Status` (`FAILED`), `StopDate`. No AWS recording of a failed
    /// record is at hand to pin it down further.
    fn failed_child(&self, execution: &ExecutionInfo, error: &Error) -> Value {
        let mut record = serde_json::Map::new();
        let mut put = |key: &str, value: Value| {
            record.insert(key.to_owned(), value);
        };
        if let Some(cause) = &error.cause {
            put("Cause", Value::from(cause.as_str()));
        }
        if !error.name.is_empty() {
            put("Error", Value::from(error.reported_name()));
        }
        put("ExecutionArn", Value::from(execution.execution_arn()));
        put("Input", Value::from(path::cause::json_text(&execution.input)));
        put("InputDetails", serde_json::json!({ "Included": true }));
        put("Name", Value::from(execution.name.as_str()));
        put("RedriveCount", Value::from(0));
        put("RedriveStatus", Value::from("REDRIVABLE"));
        put("StartDate", Value::from(format_timestamp(execution.start_time)));
        put("StateMachineArn", Value::from(execution.state_machine_arn()));
        put("Status", Value::from("FAILED"));
        put("StopDate", Value::from(format_timestamp(self.clock.now())));
        Value::Object(record)
    }

    /// A Distributed Map's tolerated failures, read and checked before its Map Run starts.
    ///
    /// # Errors
    ///
    /// `States.Runtime`: a `…Path` that selects nothing ([`path::cause::invalid_path`]) or a
    /// value that is not a number ([`path::cause::not_an_integer`],
    /// [`path::cause::not_a_float`]), a negative count
    /// ([`path::cause::TOLERATED_FAILURE_COUNT_NEGATIVE`]), a percentage outside 0–100
    /// ([`path::cause::TOLERATED_FAILURE_PERCENTAGE_RANGE`]).
    fn tolerance(&self, distributed: &DistributedDef, input: &Value, context: &Value) -> Result<Tolerance, Error> {
        let count = match distributed.tolerated_failure_count {
            None => None,
            Some(Amount::Literal(n)) => Some(n),
            Some(Amount::Path(p)) => {
                let value = self.path_value(p, input, context)?;
                let field = "ToleratedFailureCountPath";
                let n = integer(&value).ok_or_else(|| Error::runtime(path::cause::not_an_integer(field, p, &value)))?;
                Some(u64::try_from(n).map_err(|_| Error::runtime(path::cause::TOLERATED_FAILURE_COUNT_NEGATIVE))?)
            }
        };
        let percentage = match distributed.tolerated_failure_percentage {
            None => None,
            Some(Fraction::Literal(f)) => Some(f),
            Some(Fraction::Path(p)) => {
                let value = self.path_value(p, input, context)?;
                let field = "ToleratedFailurePercentagePath";
                Some(float(&value).ok_or_else(|| Error::runtime(path::cause::not_a_float(field, p, &value)))?)
            }
        };
        if percentage.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
            return Err(Error::runtime(path::cause::TOLERATED_FAILURE_PERCENTAGE_RANGE));
        }
        Ok(Tolerance { count, percentage })
    }

    /// One Map iteration: its MapIterationStarted and …Succeeded/Failed events around the
    /// processor's run.
    async fn iteration(&self, processor: u16, item: Value) -> Result<Value, Error> {
        self.event(); // MapIterationStarted
        let result = self.container(processor, item, None).await;
        self.event(); // MapIterationSucceeded / MapIterationFailed
        result
    }

    /// An iteration's input: the item, or the ItemSelector built with `$$.Map.Item`.
    fn item_input(
        &self,
        state: &StateDef,
        map: &MapDef,
        input: &Value,
        index: u64,
        item: &Value,
    ) -> Result<Value, Error> {
        let Some(selector) = map.item_selector else { return Ok(item.clone()) };
        if !state.reads_context {
            let mut rng = SharedRng(&self.rng);
            let mut env = Env { state: state.name, context: &Value::Null, variables: &(), rng: &mut rng };
            return dataflow::build_template(selector, input, &mut env);
        }
        let context = ContextObject::new(self.execution)
            .with_state(StateInfo::new(state.name, self.clock.now()))
            .with_map_item(index, item)
            .to_value();
        let mut rng = SharedRng(&self.rng);
        let mut env = Env { state: state.name, context: &context, variables: &(), rng: &mut rng };
        dataflow::build_template(selector, input, &mut env)
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

    /// A Map's integer field (`MaxConcurrency(Path)`): like [`Runner::amount`], but a
    /// path's value may also be a string holding the number, as AWS accepts (case
    /// `assign-…-map-state-reference-in-max-concurrency-path`: `"1"` runs).
    fn map_integer(&self, amount: Amount, input: &Value, context: &Value, field: &str) -> Result<u64, Error> {
        match amount {
            Amount::Literal(n) => Ok(n),
            Amount::Path(p) => {
                let value = self.path_value(p, input, context)?;
                integer(&value)
                    .and_then(|n| u64::try_from(n).ok())
                    .ok_or_else(|| Error::runtime(path::cause::not_an_integer(field, p, &value)))
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

/// The cause of `States.ExceedToleratedFailureThreshold` (reference §1.3, ✔AWS).
const THRESHOLD_EXCEEDED: &str = "The specified tolerated failure threshold was exceeded";

/// A Distributed Map's tolerated failures. Either limit that is given applies (the Map Run
/// fails when it exceeds either); with neither given, no failure is tolerated (both
/// default to 0). A given count alone does not bring the percentage's default along, or a
/// count would never tolerate anything.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tolerance {
    /// `ToleratedFailureCount`: failed children beyond it fail the Map Run.
    count: Option<u64>,
    /// `ToleratedFailurePercentage`: failed children as a percentage of all items beyond
    /// it fail the Map Run.
    percentage: Option<f64>,
}

impl Tolerance {
    /// Whether `failed` failed children out of `total` items exceed the threshold.
    fn exceeded(self, failed: usize, total: usize) -> bool {
        if self.count.is_none() && self.percentage.is_none() {
            return failed > 0;
        }
        let over_count = self.count.is_some_and(|count| u64::try_from(failed).unwrap_or(u64::MAX) > count);
        // `failed > 0` implies `total > 0`.
        let share = failed as f64 * 100.0 / total.max(1) as f64;
        over_count || self.percentage.is_some_and(|percentage| share > percentage)
    }
}

/// An integer as AWS reads it from a `…Path` field's value: a JSON integer, or a string
/// holding one (`"1"`; cases `assign-…-reference-in-tolerated-failure-path` and
/// `…-in-max-concurrency-path` run with such strings). `1.5`, `"NoNumber"`, `{}` are not.
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A number as AWS reads it from `ToleratedFailurePercentagePath`'s value: a JSON number,
/// or a string holding one (as for [`integer`]).
fn float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
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
