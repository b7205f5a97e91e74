//! Executions as handles: a [`Runtime`] starts executions of compiled workflows as tokio
//! tasks, and gives back an [`ExecutionHandle`] to wait for, describe or stop each one —
//! the in-process counterparts of AWS's `StartExecution`, `DescribeExecution`,
//! `StopExecution`, `ListExecutions` and `GetExecutionHistory`. Its [`Callbacks`] take the
//! task-token and activity calls, and Task states of its workflows that start other
//! registered workflows (`arn:aws:states:::states:startExecution`, `.sync`, `.sync:2`) run
//! them as child executions.

use std::collections::HashMap;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::future::{Either, select};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use tokio::sync::Notify;

use crate::callbacks::Callbacks;
use crate::clock::Clock;
use crate::context::{ExecutionInfo, format_timestamp};
use crate::error::{Error, names};
use crate::execution::{BoxFuture, Driver, Execution, HistoryEvent, Outcome, Status, TaskCall, TaskHandler, Workflow};
use crate::intrinsics::{SplitMix64, uuid_v4};

/// Runs executions and keeps their records. Cheap to clone (the clones share everything).
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Arc<dyn Clock>,
    callbacks: Callbacks,
    /// Workflows that `startExecution` tasks can start, by state machine name.
    workflows: Mutex<HashMap<String, Registered>>,
    /// Every execution started, in order, and where each ARN is in that list.
    executions: Mutex<Executions>,
}

/// The executions a runtime started.
#[derive(Default)]
struct Executions {
    in_order: Vec<ExecutionHandle>,
    by_arn: HashMap<String, usize>,
}

/// A workflow `startExecution` tasks can start, with the handler of its tasks.
type Registered = (&'static Workflow, Arc<dyn TaskHandler>);

/// Why [`Runtime::start`] refused to start an execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartError {
    /// An execution of the same state machine with the same name exists
    /// (`ExecutionAlreadyExists`).
    ExecutionAlreadyExists(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::ExecutionAlreadyExists(arn) => write!(f, "ExecutionAlreadyExists: {arn}"),
        }
    }
}

impl std::error::Error for StartError {}

/// `DescribeExecution`'s statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    /// Not ended yet.
    Running,
    /// See [`Status::Succeeded`].
    Succeeded,
    /// See [`Status::Failed`].
    Failed,
    /// See [`Status::TimedOut`].
    TimedOut,
    /// See [`Status::Aborted`].
    Aborted,
}

/// What `DescribeExecution` says about an execution.
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The execution's ARN.
    pub execution_arn: String,
    /// Its name.
    pub name: String,
    /// Its state machine's ARN.
    pub state_machine_arn: String,
    /// Its status.
    pub status: ExecutionStatus,
    /// When it started.
    pub start_date: OffsetDateTime,
    /// When it ended.
    pub stop_date: Option<OffsetDateTime>,
    /// Its input.
    pub input: Value,
    /// Its output, once it succeeded.
    pub output: Option<Value>,
    /// The error it failed with.
    pub error: Option<String>,
    /// The cause of that error.
    pub cause: Option<String>,
}

/// One execution started by a [`Runtime`].
#[derive(Clone)]
pub struct ExecutionHandle {
    shared: Arc<Shared>,
}

struct Shared {
    info: ExecutionInfo,
    progress: Mutex<Progress>,
    /// Notified (all waiters) when the execution ends.
    ended: Notify,
    /// Notified when someone asks to stop it.
    stop: Notify,
}

#[derive(Default)]
struct Progress {
    outcome: Option<Outcome>,
    stop_date: Option<OffsetDateTime>,
    history: Vec<HistoryEvent>,
    stop_request: Option<(Option<String>, Option<String>)>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // What these mutexes guard stays consistent even if a holder panicked.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Runtime {
    /// A runtime whose executions use `clock`.
    pub fn new(clock: impl Clock + 'static) -> Runtime {
        Runtime {
            inner: Arc::new(Inner {
                clock: Arc::new(clock),
                callbacks: Callbacks::new(),
                workflows: Mutex::new(HashMap::new()),
                executions: Mutex::new(Executions::default()),
            }),
        }
    }

    /// Where task tokens are answered and activity workers poll.
    pub fn callbacks(&self) -> &Callbacks {
        &self.inner.callbacks
    }

    /// Makes `workflow` startable by `arn:aws:states:::states:startExecution` tasks (found by
    /// the state machine name at the end of their `StateMachineArn`), run with `handler`.
    pub fn register(&self, workflow: &'static Workflow, handler: Arc<dyn TaskHandler>) {
        lock(&self.inner.workflows).insert(workflow.name.to_owned(), (workflow, handler));
    }

    /// Starts an execution of `workflow` called `name` with `input`, its tasks run by
    /// `handler`, as a tokio task (call it inside a tokio runtime).
    ///
    /// # Errors
    ///
    /// [`StartError::ExecutionAlreadyExists`] if this runtime already started an execution
    /// of the same state machine with that name.
    pub fn start(
        &self,
        workflow: &'static Workflow,
        handler: Arc<dyn TaskHandler>,
        name: &str,
        input: Value,
    ) -> Result<ExecutionHandle, StartError> {
        let info = ExecutionInfo::new(workflow.name, name, self.inner.clock.now(), input);
        self.start_with(workflow, handler, info)
    }

    /// As [`Runtime::start`], with the execution's context-object data given in full.
    ///
    /// # Errors
    ///
    /// As [`Runtime::start`].
    pub fn start_with(
        &self,
        workflow: &'static Workflow,
        handler: Arc<dyn TaskHandler>,
        info: ExecutionInfo,
    ) -> Result<ExecutionHandle, StartError> {
        let arn = info.execution_arn();
        let handle = {
            let mut executions = lock(&self.inner.executions);
            if executions.by_arn.contains_key(&arn) {
                return Err(StartError::ExecutionAlreadyExists(arn));
            }
            let shared = Arc::new(Shared {
                info,
                progress: Mutex::new(Progress::default()),
                ended: Notify::new(),
                stop: Notify::new(),
            });
            let handle = ExecutionHandle { shared };
            let index = executions.in_order.len();
            executions.in_order.push(handle.clone());
            executions.by_arn.insert(arn, index);
            handle
        };
        let runtime = self.clone();
        let shared = Arc::clone(&handle.shared);
        tokio::spawn(async move { runtime.drive(workflow, handler, shared).await });
        Ok(handle)
    }

    /// The execution with this ARN, if this runtime started it.
    pub fn execution(&self, execution_arn: &str) -> Option<ExecutionHandle> {
        let executions = lock(&self.inner.executions);
        executions.by_arn.get(execution_arn).and_then(|&index| executions.in_order.get(index)).cloned()
    }

    /// `ListExecutions`: every execution this runtime started, oldest first.
    pub fn list(&self) -> Vec<Description> {
        lock(&self.inner.executions).in_order.iter().map(ExecutionHandle::describe).collect()
    }

    /// Runs one execution to its end (or until it is stopped) and records how it ended.
    async fn drive(&self, workflow: &'static Workflow, handler: Arc<dyn TaskHandler>, shared: Arc<Shared>) {
        let clock: &dyn Clock = &*self.inner.clock;
        let nested = Nested { runtime: self.clone(), inner: handler };
        let input = shared.info.input.clone();
        let execution = Execution::start(workflow, shared.info.clone(), input, clock.now());
        let mut driver = Driver::with_callbacks(workflow, &nested, clock, &self.inner.callbacks, execution);
        let mut stop = pin!(shared.stop.notified());
        loop {
            // `Some(more)`: a transition was taken; `None`: a stop was asked for.
            let next = {
                let advance = pin!(driver.advance());
                match select(advance, stop.as_mut()).await {
                    Either::Left((more, _)) => Some(more),
                    Either::Right(((), _)) => None,
                }
            };
            match next {
                Some(true) => {}
                Some(false) => break,
                None => {
                    let (error, cause) = lock(&shared.progress).stop_request.take().unwrap_or_default();
                    driver.stop(error, cause);
                    break;
                }
            }
        }
        let execution = driver.into_execution();
        {
            let mut progress = lock(&shared.progress);
            progress.outcome = execution.outcome().cloned();
            progress.stop_date = Some(clock.now());
            progress.history = execution.history().to_vec();
        }
        shared.ended.notify_waiters();
    }
}

impl ExecutionHandle {
    /// The execution's ARN.
    pub fn arn(&self) -> String {
        self.shared.info.execution_arn()
    }

    /// Waits until the execution ends, and says how.
    pub async fn wait(&self) -> Outcome {
        loop {
            let mut ended = pin!(self.shared.ended.notified());
            ended.as_mut().enable();
            if let Some(outcome) = lock(&self.shared.progress).outcome.clone() {
                return outcome;
            }
            ended.await;
        }
    }

    /// `DescribeExecution`.
    pub fn describe(&self) -> Description {
        let info = &self.shared.info;
        let progress = lock(&self.shared.progress);
        let outcome = progress.outcome.as_ref();
        Description {
            execution_arn: info.execution_arn(),
            name: info.name.clone(),
            state_machine_arn: info.state_machine_arn(),
            status: match outcome.map(|o| o.status) {
                None => ExecutionStatus::Running,
                Some(Status::Succeeded) => ExecutionStatus::Succeeded,
                Some(Status::Failed) => ExecutionStatus::Failed,
                Some(Status::TimedOut) => ExecutionStatus::TimedOut,
                Some(Status::Aborted) => ExecutionStatus::Aborted,
            },
            start_date: info.start_time,
            stop_date: progress.stop_date,
            input: info.input.clone(),
            output: outcome.and_then(|o| o.output.clone()),
            error: outcome.and_then(|o| o.error.clone()),
            cause: outcome.and_then(|o| o.cause.clone()),
        }
    }

    /// `GetExecutionHistory`, once the execution has ended (empty before).
    pub fn history(&self) -> Vec<HistoryEvent> {
        lock(&self.shared.progress).history.clone()
    }

    /// `StopExecution`: the execution ends with status `ABORTED` and this error and cause
    /// (a no-op if it has already ended).
    pub fn stop(&self, error: Option<&str>, cause: Option<&str>) {
        lock(&self.shared.progress).stop_request = Some((error.map(str::to_owned), cause.map(str::to_owned)));
        self.shared.stop.notify_one();
    }
}

/// The handler a runtime gives its executions: `startExecution` tasks start registered
/// workflows as child executions; every other task goes to the workflow's own handler.
struct Nested {
    runtime: Runtime,
    inner: Arc<dyn TaskHandler>,
}

/// The resource of the Step Functions `StartExecution` integration, before its suffix.
const START_EXECUTION: &str = "arn:aws:states:::states:startExecution";

impl TaskHandler for Nested {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        match call.resource.strip_prefix(START_EXECUTION) {
            Some(suffix @ ("" | ".sync" | ".sync:2")) => Box::pin(self.start_child(suffix, call.input)),
            _ => self.inner.invoke(call),
        }
    }
}

impl Nested {
    /// Starts the child execution `parameters` describe (`StateMachineArn`, `Input`,
    /// `Name`); without a suffix, returns at once with its ARN and start date; with `.sync`
    /// (output as JSON text) or `.sync:2` (output as JSON), waits for it and returns its
    /// description, or fails with `States.TaskFailed` and the description as cause.
    async fn start_child(&self, suffix: &str, parameters: Value) -> Result<Value, Error> {
        let arn = parameters.get("StateMachineArn").and_then(Value::as_str).unwrap_or_default();
        let machine = arn.rsplit(':').next().unwrap_or_default();
        let Some((workflow, handler)) = lock(&self.runtime.inner.workflows).get(machine).cloned() else {
            return Err(Error::new(
                "StepFunctions.StateMachineDoesNotExistException",
                format!("State Machine Does Not Exist: '{arn}'"),
            ));
        };
        let input = match parameters.get("Input") {
            None => json!({}),
            // AWS takes the input as JSON text or as JSON.
            Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::String(text.clone())),
            Some(value) => value.clone(),
        };
        let name = match parameters.get("Name").and_then(Value::as_str) {
            Some(name) => name.to_owned(),
            None => uuid_v4(&mut SplitMix64::from_entropy()),
        };
        let handle = self
            .runtime
            .start(workflow, handler, &name, input)
            .map_err(|e| Error::new("StepFunctions.ExecutionAlreadyExistsException", e.to_string()))?;
        let described = handle.describe();
        if suffix.is_empty() {
            return Ok(json!({
                "ExecutionArn": described.execution_arn,
                "StartDate": format_timestamp(described.start_date),
            }));
        }
        handle.wait().await;
        let described = handle.describe();
        let as_text = suffix == ".sync";
        let record = record(&described, as_text);
        match described.status {
            ExecutionStatus::Succeeded => Ok(record),
            _ => Err(Error::new(names::TASK_FAILED, crate::path::cause::json_text(&record))),
        }
    }
}

/// A child execution's description as a `.sync` task returns it: AWS's `DescribeExecution`
/// fields in alphabetical order, input and output as JSON text (`.sync`) or JSON (`.sync:2`).
fn record(described: &Description, as_text: bool) -> Value {
    let json_or_text = |value: &Value| {
        if as_text { Value::String(crate::path::cause::json_text(value)) } else { value.clone() }
    };
    let mut record = Map::new();
    let mut put = |key: &str, value: Value| {
        record.insert(key.to_owned(), value);
    };
    if let Some(cause) = &described.cause {
        put("Cause", Value::from(cause.as_str()));
    }
    if let Some(error) = &described.error {
        put("Error", Value::from(error.as_str()));
    }
    put("ExecutionArn", Value::from(described.execution_arn.as_str()));
    put("Input", json_or_text(&described.input));
    put("InputDetails", json!({ "Included": true }));
    put("Name", Value::from(described.name.as_str()));
    if let Some(output) = &described.output {
        put("Output", json_or_text(output));
        put("OutputDetails", json!({ "Included": true }));
    }
    put("StartDate", Value::from(format_timestamp(described.start_date)));
    put("StateMachineArn", Value::from(described.state_machine_arn.as_str()));
    let status = serde_json::to_value(described.status).unwrap_or(Value::Null);
    put("Status", status);
    if let Some(stop) = described.stop_date {
        put("StopDate", Value::from(format_timestamp(stop)));
    }
    Value::Object(record)
}
