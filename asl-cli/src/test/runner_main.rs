//! The runner of `asl test`, written into its scratch crate from asl-cli's template
//! `src/test/runner_main.rs` (it is not compiled as part of asl-cli).
//!
//! Usage: `runner MANIFEST FROM TO STORE`. MANIFEST is a JSON array of `{"key", "file"}`:
//! the case's key (the module of its compiled workflow) and the case file to read the
//! input, mocks and `execution` block from. Module `workflows`, which `asl test` writes for
//! its `--route`, finds each case's workflow: among the compiled ones by key, or by loading
//! the definition in the case file. STORE is `memory` or `sqlite`: where the runtime
//! commits each case's execution (for `sqlite`, a file of its own in `stores/<position>/`
//! beside MANIFEST, deleted after the case). The runner executes entries `FROM..TO` in
//! order and prints one JSON line per entry, as soon as it is done:
//! `{"position", "status", "output", "error", "cause", "history"}` (history: the event
//! types in order) for a finished execution,
//! `{"position", "invalid"}` when the definition did not load (the diagnostics, rendered
//! against the case file), or
//! `{"position", "runner_error"}` when the case could not be run as asked (a Task with no
//! mock, a bad mock, a panic, no end within a year of virtual time, a history that is not
//! well formed or that the store does not hold as the execution recorded it).
//!
//! Each case runs as users run executions: through its own `asl_runtime::Runtime` with a
//! store, started with the case's `$$.Execution` (`start_with`), its task tokens and
//! activities answered through the runtime's `callbacks()`, its outcome and history taken
//! from the execution's handle. The runtime runs on a `VirtualClock` that starts at the
//! case's `execution.startTime`, in a current-thread Tokio runtime with paused time, so
//! Waits, retry delays and timeouts take no real time. Panics are caught per case. What
//! cannot be caught (an abort, a stack overflow, an endless loop that never awaits) ends or
//! stalls the process; `asl test` notices, fails that case and starts a new runner for the
//! rest.

mod workflows;

use std::collections::HashMap;
use std::future::Future;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::Duration;

use asl_runtime::callbacks::CallbackError;
use asl_runtime::clock::{Clock, OffsetDateTime, VirtualClock};
use asl_runtime::context::{ExecutionInfo, parse_timestamp};
use asl_runtime::execution::{BoxFuture, HistoryEvent, TaskCall, TaskHandler, Workflow};
use asl_runtime::machine::{Callback, StateKind};
use asl_runtime::store::{
    ActivityTaskRecord, Commit, ExecutionQuery, ExecutionRecord, ExecutionSummary, HistoryQuery, HistoryRecord,
    MemoryStore, Page, SqliteStore, ResourceRecord, Store, StoreError, StoreFuture, TimerRecord, TokenRecord,
};
use asl_runtime::{Error, Runtime};
use serde_json::{Map, Value};
use tokio::sync::Notify;

/// `$$.Execution.StartTime` (and the virtual clock's start) when a case does not fix it.
const DEFAULT_START_TIME: &str = "2024-01-01T00:00:00.000Z";
/// `$$.Execution.Name` when a case does not fix it.
const DEFAULT_EXECUTION_NAME: &str = "asl-test-execution";
/// How much virtual time an execution may take: a year and a day (a Standard execution
/// lasts at most a year).
const VIRTUAL_TIME_LIMIT: Duration = Duration::from_secs(366 * 24 * 60 * 60);

/// The last panic's message, recorded by the panic hook instead of printed.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
/// Told of every panic: a panic in the task that runs the execution ends that task, not
/// the case, which must not wait for an end that will never come.
static PANICKED: Notify = Notify::const_new();

/// Why a manifest entry has no workflow to run.
enum Unavailable {
    /// The definition does not load: its diagnostics, rendered against the case file.
    #[allow(dead_code)] // the compiled route has only definitions that validated
    Invalid(String),
    /// The runner cannot find or read it.
    Runner(String),
}

/// Where the runtime of each case commits its execution.
enum Stores {
    /// A `MemoryStore` per case.
    Memory,
    /// A `SqliteStore` per case, in a file of its own (`<dir>/<position>/executions.sqlite`)
    /// that is deleted after the case. Each file starts as a copy of `empty`, a store this
    /// runner created once: creating a SQLite file and its schema takes about ten fsyncs,
    /// more than the commits of most cases together.
    Sqlite {
        dir: PathBuf,
        /// The file of a new store, closed (or why it could not be made).
        empty: Result<Vec<u8>, String>,
    },
}

impl Stores {
    /// SQLite stores under `dir`.
    fn sqlite(dir: PathBuf) -> Stores {
        let empty = empty_store(&dir.join(format!("empty-{}", std::process::id())));
        Stores::Sqlite { dir, empty }
    }
}

/// The file of a new, empty store: created in `dir`, closed, read back, and removed.
fn empty_store(dir: &Path) -> Result<Vec<u8>, String> {
    let path = dir.join("executions.sqlite");
    let made = std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))
        .and_then(|()| SqliteStore::open(&path).map_err(|e| format!("cannot create a store in {}: {e}", dir.display())))
        // Closing it moves everything into the one file (SQLite checkpoints its WAL).
        .map(drop)
        .and_then(|()| std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display())));
    let _ = std::fs::remove_dir_all(dir);
    made
}

/// Runs the manifest's entries `FROM..TO`, one result line each.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let number = |i: usize| args.get(i).and_then(|a| a.parse::<usize>().ok());
    let store = args.get(4).map(String::as_str).filter(|s| ["memory", "sqlite"].contains(s));
    let (Some(manifest), Some(from), Some(to), Some(store)) = (args.get(1), number(2), number(3), store) else {
        eprintln!("usage: runner MANIFEST FROM TO memory|sqlite");
        return ExitCode::from(2);
    };
    let entries = match read_manifest(manifest) {
        Ok(entries) => entries,
        Err(message) => {
            eprintln!("runner: {message}");
            return ExitCode::from(2);
        }
    };
    let stores = match store {
        "sqlite" => Stores::sqlite(Path::new(manifest).parent().unwrap_or(Path::new(".")).join("stores")),
        _ => Stores::Memory,
    };
    panic::set_hook(Box::new(|info| {
        *LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner) = Some(info.to_string());
        PANICKED.notify_waiters();
    }));

    let stdout = std::io::stdout();
    for (position, (key, file)) in entries.iter().enumerate().take(to).skip(from) {
        let mut line = match find_workflow(key, file) {
            Ok(workflow) => run_case(workflow, file, &stores, position).unwrap_or_else(runner_error),
            Err(Unavailable::Invalid(diagnostics)) => {
                let mut line = Map::new();
                line.insert("invalid".to_owned(), Value::from(diagnostics));
                line
            }
            Err(Unavailable::Runner(message)) => runner_error(message),
        };
        line.insert("position".to_owned(), Value::from(position));
        let mut out = stdout.lock();
        if writeln!(out, "{}", Value::Object(line)).and_then(|()| out.flush()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// The workflow of the case `key` in `file`, as module `workflows` finds it; a panic there
/// (a bug in loading a definition) is a runner error of the case.
fn find_workflow(key: &str, file: &str) -> Result<&'static Workflow, Unavailable> {
    *LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner) = None;
    panic::catch_unwind(|| workflows::find(key, file)).unwrap_or_else(|_| {
        let message = LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner).take();
        Err(Unavailable::Runner(format!(
            "finding the workflow panicked: {}",
            message.as_deref().unwrap_or("(no message)")
        )))
    })
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

/// Runs one case, the one at `position` of the manifest, and returns its result line
/// (without `position`).
fn run_case(
    workflow: &'static Workflow,
    file: &str,
    stores: &Stores,
    position: usize,
) -> Result<Map<String, Value>, String> {
    let (dir, empty) = match stores {
        Stores::Memory => return run_case_in(workflow, file, None),
        Stores::Sqlite { dir, empty } => (dir.join(position.to_string()), empty.as_ref().map_err(Clone::clone)?),
    };
    // Left by a runner that died in this case on an earlier run: the case starts afresh.
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("executions.sqlite");
    let result = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, empty))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
        .and_then(|()| run_case_in(workflow, file, Some(&path)));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// [`run_case`], in a `MemoryStore` or in the SQLite store at `sqlite`.
fn run_case_in(workflow: &'static Workflow, file: &str, sqlite: Option<&Path>) -> Result<Map<String, Value>, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let case: Value = serde_json::from_str(&text).map_err(|e| format!("{file} is not JSON: {e}"))?;
    // An execution started without input gets `{}`, as on AWS.
    let input = case.get("input").cloned().unwrap_or_else(|| Value::Object(Map::new()));
    let mock = Arc::new(Mock::from_case(case.get("mocks"))?);

    let execution = case.get("execution");
    let field = |name: &str| execution.and_then(|e| e.get(name)).and_then(Value::as_str);
    let start_text = field("startTime").unwrap_or(DEFAULT_START_TIME);
    let start = parse_timestamp(start_text)
        .ok_or_else(|| format!("`execution.startTime` is not an RFC 3339 timestamp: {start_text:?}"))?;
    let info = ExecutionInfo::new(
        field("stateMachineName").unwrap_or(workflow.name),
        field("name").unwrap_or(DEFAULT_EXECUTION_NAME),
        start,
        input,
    );
    let store: Arc<dyn Store> = match sqlite {
        None => Arc::new(MemoryStore::new()),
        Some(path) => {
            let store = SqliteStore::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            Arc::new(Blocking(Arc::new(store)))
        }
    };

    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(|e| format!("cannot start a Tokio runtime: {e}"))?;
    *LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner) = None;
    let finished = panic::catch_unwind(AssertUnwindSafe(|| {
        tokio.block_on(async {
            // Built inside the paused runtime, so its start maps to the paused "now".
            let clock = VirtualClock::starting_at(start);
            let runtime = Runtime::builder(clock).store(Arc::clone(&store)).build();
            mock.attach(&runtime);
            let handle = runtime.start_with(workflow, mock.clone(), info).map_err(|e| e.to_string())?;
            // Activity workers answer with the mocks while the execution runs.
            let workers = mock.work_activities(workflow, &clock);
            let ended = tokio::time::timeout(VIRTUAL_TIME_LIMIT, handle.wait());
            let panicked = PANICKED.notified();
            let outcome = match alongside(first(ended, panicked), workers).await {
                Some(Ok(outcome)) => outcome,
                Some(Err(_elapsed)) => {
                    return Err("the execution did not end within a year and a day of virtual time".to_owned());
                }
                None => return Err(panic_message()),
            };
            let events = handle.history();
            let history: Vec<Value> = events.iter().filter_map(|event| serde_json::to_value(event.kind).ok()).collect();
            let checked = well_formed(&events).and(stored_as_recorded(&*store, &handle.arn(), &events).await);
            Ok((outcome, history, checked))
        })
    }));
    mock.detach();
    drop(tokio);
    let (outcome, history, checked) = match finished {
        Ok(Ok(finished)) => finished,
        Ok(Err(message)) => return Err(message),
        Err(_) => return Err(panic_message()),
    };
    if let Some(problem) = mock.problem() {
        return Err(problem);
    }
    checked?;
    let mut line = Map::new();
    let status = serde_json::to_value(outcome.status).map_err(|e| format!("cannot write the status: {e}"))?;
    line.insert("status".to_owned(), status);
    line.insert("output".to_owned(), outcome.output.unwrap_or(Value::Null));
    line.insert("error".to_owned(), outcome.error.map_or(Value::Null, Value::from));
    line.insert("cause".to_owned(), outcome.cause.map_or(Value::Null, Value::from));
    line.insert("history".to_owned(), Value::Array(history));
    Ok(line)
}

/// What the last panic said, as a runner error.
fn panic_message() -> String {
    let message = LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner).take();
    format!("the execution panicked: {}", message.as_deref().unwrap_or("(no message)"))
}

/// `main`'s value, or `None` if `cancel` completes first.
async fn first<T>(main: impl Future<Output = T>, cancel: impl Future<Output = ()>) -> Option<T> {
    let mut main = pin!(main);
    let mut cancel = pin!(cancel);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(value) = main.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        cancel.as_mut().poll(cx).map(|()| None)
    })
    .await
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
        let json =
            serde_json::to_string(event).map_err(|e| format!("cannot write history event #{}: {e}", event.id))?;
        let back: HistoryEvent =
            serde_json::from_str(&json).map_err(|e| format!("cannot read back history event {json}: {e}"))?;
        if &back != event {
            return Err(format!("history event {json} reads back as {back:?}"));
        }
    }
    Ok(())
}

/// Checks that the store holds the ended execution's history as the execution recorded it
/// (`GetExecutionHistory` from the store, page by page).
async fn stored_as_recorded(store: &dyn Store, arn: &str, events: &[HistoryEvent]) -> Result<(), String> {
    let mut stored = Vec::with_capacity(events.len());
    let mut next_token = None;
    loop {
        let query = HistoryQuery { max_results: 1000, reverse_order: false, next_token };
        let page = store.history(arn, query).await.map_err(|e| format!("cannot read the stored history: {e}"))?;
        for row in page.items {
            let event: HistoryEvent = serde_json::from_str(&row.event)
                .map_err(|e| format!("stored history event {} does not read back: {e}", row.id))?;
            stored.push(event);
        }
        next_token = page.next_token;
        if next_token.is_none() {
            break;
        }
    }
    match events.iter().zip(&stored).position(|(recorded, stored)| recorded != stored) {
        None if stored.len() == events.len() => Ok(()),
        None => {
            Err(format!("the store holds {} history events, the execution recorded {}", stored.len(), events.len()))
        }
        Some(i) => Err(format!("stored history event #{} differs: {:?}, recorded {:?}", i + 1, stored[i], events[i])),
    }
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
#[derive(Default)]
struct Mock {
    /// The runtime that runs the case, whose callbacks take the answers to task tokens and
    /// hand out activities' work; attached for the time of the case (the runtime holds
    /// the mock as its execution's handler, so holding the runtime longer would keep both).
    runtime: Mutex<Option<Runtime>>,
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

    /// Answers tokens and works activities through `runtime`'s callbacks from now on.
    fn attach(&self, runtime: &Runtime) {
        *self.runtime.lock().unwrap_or_else(PoisonError::into_inner) = Some(runtime.clone());
    }

    /// Lets go of the runtime [`Mock::attach`] gave.
    fn detach(&self) {
        self.runtime.lock().unwrap_or_else(PoisonError::into_inner).take();
    }

    /// The attached runtime.
    fn runtime(&self) -> Option<Runtime> {
        self.runtime.lock().unwrap_or_else(PoisonError::into_inner).clone()
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
        // Detached only once the case is over: a token answered then has nobody to go to.
        let Some(runtime) = self.runtime() else { return Ok(()) };
        let callbacks = runtime.callbacks();
        match outcome {
            Ok(output) => callbacks.send_task_success(token, output),
            Err(error) if error.name == "States.Timeout" => Ok(()),
            Err(error) => callbacks.send_task_failure(token, &error.name, error.cause.as_deref().unwrap_or("")),
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
        let runtime = match self.runtime() {
            Some(runtime) if !activities.is_empty() => runtime,
            _ => return std::future::pending().await,
        };
        loop {
            for &(state, resource) in &activities {
                let polled = runtime.callbacks().get_activity_task(resource, Duration::from_secs(1), clock).await;
                let Some(work) = polled else { continue };
                let context = Value::Null;
                let call = TaskCall {
                    task: asl_runtime::machine::NO_HANDLER,
                    state,
                    resource,
                    input: work.input,
                    context: &context,
                    task_token: Some(&work.task_token),
                    retry_count: 0,
                    root_execution: "",
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

/// A store whose every call runs as a `spawn_blocking` job, which holds tokio's paused clock
/// still until it is done. Awaited directly, a store that does real I/O (SQLite's writes and
/// fsyncs, on its own threads) leaves the runtime with nothing to poll, and paused time
/// jumps to the next timer while the I/O runs: a Task's timeout or a heartbeat deadline
/// could pass while the commit before its answer was on its way to the disk.
struct Blocking(Arc<dyn Store>);

impl Blocking {
    /// Runs `call` on the store as a blocking job, awaiting the future it returns there.
    fn call<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn Store) -> StoreFuture<'_, T> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let store = Arc::clone(&self.0);
        let Ok(tokio) = tokio::runtime::Handle::try_current() else {
            // Outside a tokio runtime no clock is paused: the call is awaited as it is.
            return Box::pin(async move { call(&*store).await });
        };
        // The store's futures need no driver of the runtime (its threads answer through
        // channels), so a blocking thread can wait for them with the runtime's handle.
        let job = tokio::task::spawn_blocking({
            let tokio = tokio.clone();
            move || tokio.block_on(call(&*store))
        });
        Box::pin(async move { job.await.map_err(|e| StoreError::Backend(format!("a store call failed: {e}")))? })
    }
}

impl Store for Blocking {
    fn put_resource(&self, resource: ResourceRecord) -> StoreFuture<'_, ()> {
        self.call(move |store| store.put_resource(resource))
    }

    fn delete_resource(&self, kind: &str, key: &str) -> StoreFuture<'_, bool> {
        let (kind, key) = (kind.to_owned(), key.to_owned());
        self.call(move |store| store.delete_resource(&kind, &key))
    }

    fn resource(&self, kind: &str, key: &str) -> StoreFuture<'_, Option<ResourceRecord>> {
        let (kind, key) = (kind.to_owned(), key.to_owned());
        self.call(move |store| store.resource(&kind, &key))
    }

    fn resources(&self, kind: &str) -> StoreFuture<'_, Vec<ResourceRecord>> {
        let kind = kind.to_owned();
        self.call(move |store| store.resources(&kind))
    }

    fn commit(&self, commit: Commit) -> StoreFuture<'_, u64> {
        self.call(move |store| store.commit(commit))
    }

    fn execution(&self, arn: &str) -> StoreFuture<'_, Option<ExecutionRecord>> {
        let arn = arn.to_owned();
        self.call(move |store| store.execution(&arn))
    }

    fn running_executions(&self) -> StoreFuture<'_, Vec<ExecutionRecord>> {
        self.call(|store| store.running_executions())
    }

    fn executions(&self, query: ExecutionQuery) -> StoreFuture<'_, Page<ExecutionSummary>> {
        self.call(move |store| store.executions(query))
    }

    fn history(&self, execution_arn: &str, query: HistoryQuery) -> StoreFuture<'_, Page<HistoryRecord>> {
        let arn = execution_arn.to_owned();
        self.call(move |store| store.history(&arn, query))
    }

    fn timers_due(&self, until: OffsetDateTime) -> StoreFuture<'_, Vec<TimerRecord>> {
        self.call(move |store| store.timers_due(until))
    }

    fn task_token(&self, token: &str) -> StoreFuture<'_, Option<TokenRecord>> {
        let token = token.to_owned();
        self.call(move |store| store.task_token(&token))
    }

    fn activity_task(&self, task_token: &str) -> StoreFuture<'_, Option<ActivityTaskRecord>> {
        let token = task_token.to_owned();
        self.call(move |store| store.activity_task(&token))
    }

    fn claimable_activity_tasks(&self, activity_arn: &str, limit: usize) -> StoreFuture<'_, Vec<ActivityTaskRecord>> {
        let arn = activity_arn.to_owned();
        self.call(move |store| store.claimable_activity_tasks(&arn, limit))
    }

    fn map_run(&self, arn: &str) -> StoreFuture<'_, Option<asl_runtime::store::MapRunRecord>> {
        let arn = arn.to_owned();
        self.call(move |store| store.map_run(&arn))
    }

    fn map_runs(&self, execution_arn: &str) -> StoreFuture<'_, Vec<asl_runtime::store::MapRunRecord>> {
        let arn = execution_arn.to_owned();
        self.call(move |store| store.map_runs(&arn))
    }

    fn purge_ended_before(&self, cutoff: OffsetDateTime) -> StoreFuture<'_, u64> {
        self.call(move |store| store.purge_ended_before(cutoff))
    }
}
