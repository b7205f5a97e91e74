//! The runner of `asl test`, written into its scratch crate from asl-cli's template
//! `src/test/runner_main.rs` (it is not compiled as part of asl-cli).
//!
//! Usage: `runner MANIFEST FROM TO`. MANIFEST is a JSON array of `{"key", "file"}`: the
//! compiled workflow's key (its module) and the case file to read the input, mocks and
//! `execution` block from. The runner executes entries `FROM..TO` in order and prints one
//! JSON line per entry, as soon as it is done:
//! `{"position", "status", "output", "error", "cause", "history"}` (history: the event
//! types in order) for a finished execution, or
//! `{"position", "runner_error"}` when the case could not be run as asked (a Task with no
//! mock, a bad mock, a panic, no end within a year of virtual time).
//!
//! Each case runs in its own current-thread Tokio runtime with paused time, on a
//! `VirtualClock` that starts at the case's `execution.startTime`, so Waits, retry delays
//! and timeouts take no real time. Panics are caught per case. What cannot be caught (an
//! abort, a stack overflow, an endless loop that never awaits) ends or stalls the process;
//! `asl test` notices, fails that case and starts a new runner for the rest.

mod chunks;

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use asl_runtime::Error;
use asl_runtime::clock::VirtualClock;
use asl_runtime::context::{ExecutionInfo, parse_timestamp};
use asl_runtime::clock::Clock;
use asl_runtime::callbacks::{CallbackError, Callbacks};
use asl_runtime::execution::{BoxFuture, Driver, Execution, HistoryEvent, TaskCall, TaskHandler, Workflow};
use asl_runtime::machine::{Callback, StateKind};
use serde_json::{Map, Value};

/// `$$.Execution.StartTime` (and the virtual clock's start) when a case does not fix it.
const DEFAULT_START_TIME: &str = "2024-01-01T00:00:00.000Z";
/// `$$.Execution.Name` when a case does not fix it.
const DEFAULT_EXECUTION_NAME: &str = "asl-test-execution";
/// How much virtual time an execution may take: a year and a day (a Standard execution
/// lasts at most a year).
const VIRTUAL_TIME_LIMIT: Duration = Duration::from_secs(366 * 24 * 60 * 60);

/// The last panic's message, recorded by the panic hook instead of printed.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Runs the manifest's entries `FROM..TO`, one result line each.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let number = |i: usize| args.get(i).and_then(|a| a.parse::<usize>().ok());
    let (Some(manifest), Some(from), Some(to)) = (args.get(1), number(2), number(3)) else {
        eprintln!("usage: runner MANIFEST FROM TO");
        return ExitCode::from(2);
    };
    let entries = match read_manifest(manifest) {
        Ok(entries) => entries,
        Err(message) => {
            eprintln!("runner: {message}");
            return ExitCode::from(2);
        }
    };
    let workflows: HashMap<&str, &'static Workflow> = chunks::all().into_iter().collect();
    panic::set_hook(Box::new(|info| {
        *LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner) = Some(info.to_string());
    }));

    let stdout = std::io::stdout();
    for (position, (key, file)) in entries.iter().enumerate().take(to).skip(from) {
        let mut line = match workflows.get(key.as_str()) {
            None => runner_error(format!("no compiled workflow `{key}` in this runner")),
            Some(workflow) => run_case(workflow, file).unwrap_or_else(runner_error),
        };
        line.insert("position".to_owned(), Value::from(position));
        let mut out = stdout.lock();
        if writeln!(out, "{}", Value::Object(line)).and_then(|()| out.flush()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// A result line for a case that could not be run as asked.
fn runner_error(message: String) -> Map<String, Value> {
    let mut line = Map::new();
    line.insert("runner_error".to_owned(), Value::from(message));
    line
}

/// The manifest's `(key, file)` pairs.
fn read_manifest(path: &str) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let entries: Value = serde_json::from_str(&text).map_err(|e| format!("{path} is not JSON: {e}"))?;
    let entries = entries.as_array().ok_or_else(|| format!("{path} is not a JSON array"))?;
    entries
        .iter()
        .map(|entry| {
            let field = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
            field("key").zip(field("file")).ok_or_else(|| format!("{path}: an entry without `key` and `file`"))
        })
        .collect()
}

/// Runs one case and returns its result line (without `position`).
fn run_case(workflow: &'static Workflow, file: &str) -> Result<Map<String, Value>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let case: Value = serde_json::from_str(&text).map_err(|e| format!("{file} is not JSON: {e}"))?;
    // An execution started without input gets `{}`, as on AWS.
    let input = case.get("input").cloned().unwrap_or_else(|| Value::Object(Map::new()));
    let mock = Mock::from_case(case.get("mocks"))?;

    let execution = case.get("execution");
    let field = |name: &str| execution.and_then(|e| e.get(name)).and_then(Value::as_str);
    let start_text = field("startTime").unwrap_or(DEFAULT_START_TIME);
    let start = parse_timestamp(start_text)
        .ok_or_else(|| format!("`execution.startTime` is not an RFC 3339 timestamp: {start_text:?}"))?;
    let info = ExecutionInfo::new(
        field("stateMachineName").unwrap_or(workflow.name),
        field("name").unwrap_or(DEFAULT_EXECUTION_NAME),
        start,
        input.clone(),
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(|e| format!("cannot start a Tokio runtime: {e}"))?;
    let finished = panic::catch_unwind(AssertUnwindSafe(|| {
        runtime.block_on(async {
            // Built inside the paused runtime, so its start maps to the paused "now".
            let clock = VirtualClock::starting_at(start);
            let started = Execution::start(workflow, info, input, clock.now());
            let mut driver = Driver::with_callbacks(workflow, &mock, &clock, &mock.callbacks, started);
            // Activity workers answer with the mocks while the execution runs.
            let workers = mock.work_activities(workflow, &clock);
            let outcome = alongside(tokio::time::timeout(VIRTUAL_TIME_LIMIT, driver.run()), workers).await;
            let events = driver.execution().history();
            let history: Vec<Value> = events.iter().filter_map(|event| serde_json::to_value(event.kind).ok()).collect();
            outcome.map(|outcome| (outcome, history, well_formed(events)))
        })
    }));
    let (outcome, history, well_formed) = match finished {
        Ok(Ok(finished)) => finished,
        Ok(Err(_elapsed)) => return Err("the execution did not end within a year and a day of virtual time".into()),
        Err(_) => {
            let message = LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner).take();
            return Err(format!("the execution panicked: {}", message.as_deref().unwrap_or("(no message)")));
        }
    };
    if let Some(problem) = mock.problem() {
        return Err(problem);
    }
    well_formed?;
    let mut line = Map::new();
    let status = serde_json::to_value(outcome.status).map_err(|e| format!("cannot write the status: {e}"))?;
    line.insert("status".to_owned(), status);
    line.insert("output".to_owned(), outcome.output.unwrap_or(Value::Null));
    line.insert("error".to_owned(), outcome.error.map_or(Value::Null, Value::from));
    line.insert("cause".to_owned(), outcome.cause.map_or(Value::Null, Value::from));
    line.insert("history".to_owned(), Value::Array(history));
    Ok(line)
}

/// Checks what no recorded case can show but every history must be: ids counting from 1,
/// each `previousEventId` naming an earlier event, and the AWS JSON of each event reading
/// back as the same event.
fn well_formed(events: &[HistoryEvent]) -> Result<(), String> {
    for (index, event) in events.iter().enumerate() {
        if event.id != index as u64 + 1 || event.previous_event_id >= event.id {
            return Err(format!(
                "history event #{} ({}) has id {} and previousEventId {}",
                index + 1,
                event.kind,
                event.id,
                event.previous_event_id
            ));
        }
        let json = serde_json::to_string(event).map_err(|e| format!("cannot write history event #{}: {e}", event.id))?;
        let back: HistoryEvent =
            serde_json::from_str(&json).map_err(|e| format!("cannot read back history event {json}: {e}"))?;
        if &back != event {
            return Err(format!("history event {json} reads back as {back:?}"));
        }
    }
    Ok(())
}

/// Runs `main` and `side` together until `main` ends.
async fn alongside<T>(main: impl Future<Output = T>, side: impl Future<Output = ()>) -> T {
    let mut main = pin!(main);
    let mut side = pin!(side);
    let mut side_done = false;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(value) = main.as_mut().poll(cx) {
            return Poll::Ready(value);
        }
        if !side_done {
            side_done = side.as_mut().poll(cx).is_ready();
        }
        Poll::Pending
    })
    .await
}

/// A mocked Task response.
#[derive(Debug)]
enum Response {
    /// `{"Return": value}`.
    Return(Value),
    /// `{"Throw": {"Error", "Cause"}}`.
    Throw { error: String, cause: Option<String> },
    /// `{"ReturnInput": true}`: the task's effective input.
    ReturnInput,
}

/// The case's `mocks`: responses by Task state name and invocation index (counted per
/// state over the whole execution, retries included).
#[derive(Debug, Default)]
struct Mock {
    /// Where callback tasks' tokens and activities' work go.
    callbacks: Callbacks,
    /// `(first, last, response)` per state, for the inclusive index ranges of the case.
    responses: HashMap<String, Vec<(u64, u64, Response)>>,
    /// How many times each state was invoked so far.
    calls: Mutex<HashMap<&'static str, u64>>,
    /// The first invocation that had no response: the case, not the execution, is broken.
    problem: Mutex<Option<String>>,
}

impl Mock {
    /// Reads a case's `mocks` (absent: no Task state is mocked).
    fn from_case(mocks: Option<&Value>) -> Result<Self, String> {
        let mut mock = Mock::default();
        let Some(mocks) = mocks else { return Ok(mock) };
        let states = mocks.as_object().ok_or("`mocks` is not an object")?;
        for (state, by_index) in states {
            let by_index = by_index.as_object().ok_or_else(|| format!("`mocks.{state}` is not an object"))?;
            let mut responses = Vec::new();
            for (range, response) in by_index {
                let (first, last) = parse_range(range)
                    .ok_or_else(|| format!("`mocks.{state}`: {range:?} is not an index or a range"))?;
                let response = parse_response(response).map_err(|e| format!("`mocks.{state}.{range}`: {e}"))?;
                responses.push((first, last, response));
            }
            mock.responses.insert(state.clone(), responses);
        }
        Ok(mock)
    }

    /// The first invocation that had no mocked response, if any.
    fn problem(&self) -> Option<String> {
        self.problem.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Answers a `.waitForTaskToken` task through its token, as the outside world would: a
    /// `Return` (or `ReturnInput`) is `SendTaskSuccess`, a `Throw` is `SendTaskFailure`,
    /// except that a `States.Timeout` is no answer at all (the task's timeout ends it).
    /// The integration itself returns an empty response.
    fn respond_by_token(&self, call: TaskCall<'_>, token: &str) -> Result<Value, Error> {
        let outcome = self.respond(call);
        self.answer(token, outcome).map_err(|e| Error::new(e.name(), e.to_string()))?;
        Ok(Value::Object(Map::new()))
    }

    /// Sends a mocked outcome for `token`: a result is `SendTaskSuccess`, an error
    /// `SendTaskFailure`, except that a `States.Timeout` is no answer at all (the task's
    /// timeout ends it).
    fn answer(&self, token: &str, outcome: Result<Value, Error>) -> Result<(), CallbackError> {
        match outcome {
            Ok(output) => self.callbacks.send_task_success(token, output),
            Err(error) if error.name == "States.Timeout" => Ok(()),
            Err(error) => self.callbacks.send_task_failure(token, &error.name, error.cause.as_deref().unwrap_or("")),
        }
    }

    /// Works the activities of `workflow` as workers that answer with the mocks of their
    /// Task states, until dropped.
    async fn work_activities(&self, workflow: &'static Workflow, clock: &dyn Clock) {
        let activities: Vec<(&'static str, &'static str)> = workflow
            .containers
            .iter()
            .flat_map(|container| container.states.iter())
            .filter_map(|state| match &state.kind {
                StateKind::Task(task) if task.callback() == Callback::Activity => Some((state.name, task.resource)),
                _ => None,
            })
            .collect();
        if activities.is_empty() {
            return std::future::pending().await;
        }
        loop {
            for &(state, resource) in &activities {
                let Some(work) = self.callbacks.get_activity_task(resource, Duration::from_secs(1), clock).await else {
                    continue;
                };
                let context = Value::Null;
                let call = TaskCall {
                    task: asl_runtime::machine::NO_HANDLER,
                    state,
                    resource,
                    input: work.input,
                    context: &context,
                    task_token: Some(&work.task_token),
                    retry_count: 0,
                };
                let outcome = self.respond(call);
                // An answer to a task that already ended is refused; nothing to do then.
                let _ = self.answer(&work.task_token, outcome);
            }
        }
    }

    /// The response to this invocation of its state.
    fn respond(&self, call: TaskCall<'_>) -> Result<Value, Error> {
        let index = {
            let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
            let count = calls.entry(call.state).or_insert(0);
            *count += 1;
            *count - 1
        };
        let responses = self.responses.get(call.state);
        let response =
            responses.and_then(|r| r.iter().find(|(first, last, _)| (*first..=*last).contains(&index))).map(|r| &r.2);
        match response {
            Some(Response::Return(value)) => Ok(value.clone()),
            Some(Response::Throw { error, cause: Some(cause) }) => Err(Error::new(error.clone(), cause.clone())),
            Some(Response::Throw { error, cause: None }) => Err(Error::named(error.clone())),
            Some(Response::ReturnInput) => Ok(call.input),
            None => {
                let message = if responses.is_some() {
                    format!("Task state `{}` has no mocked response for its invocation #{index}", call.state)
                } else {
                    format!("Task state `{}` has no mock (resource {})", call.state, call.resource)
                };
                self.problem.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_with(|| message.clone());
                Err(Error::new("AslTest.NoMock", message))
            }
        }
    }
}

impl TaskHandler for Mock {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let result = match call.task_token {
            Some(token) if call.resource.ends_with(".waitForTaskToken") => self.respond_by_token(call, token),
            _ => self.respond(call),
        };
        Box::pin(std::future::ready(result))
    }
}

/// `"3"` → (3, 3); `"1-2"` → (1, 2).
fn parse_range(text: &str) -> Option<(u64, u64)> {
    let (first, last) = text.split_once('-').unwrap_or((text, text));
    let (first, last) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    (first <= last).then_some((first, last))
}

/// One mocked response: `{"Return": …}`, `{"Throw": {"Error", "Cause"}}` or
/// `{"ReturnInput": true}`.
fn parse_response(value: &Value) -> Result<Response, String> {
    let object = value.as_object().ok_or("a response is an object")?;
    if object.len() != 1 {
        return Err("a response has exactly one of `Return`, `Throw`, `ReturnInput`".into());
    }
    if let Some(value) = object.get("Return") {
        return Ok(Response::Return(value.clone()));
    }
    if let Some(throw) = object.get("Throw") {
        let text = |name: &str| throw.get(name).and_then(Value::as_str).map(str::to_owned);
        let error = text("Error").ok_or("`Throw` has no `Error` string")?;
        return Ok(Response::Throw { error, cause: text("Cause") });
    }
    match object.get("ReturnInput") {
        Some(Value::Bool(true)) => Ok(Response::ReturnInput),
        _ => Err("a response is `Return`, `Throw` or `ReturnInput: true`".into()),
    }
}
