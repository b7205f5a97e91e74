//! The crash test's worker (`tests/tests/crash.rs`): runs executions of the crash-test
//! workflows on a runtime whose store is a SQLite file, until every one has ended. Killed at
//! any moment and started again, it takes up where the file says.
//!
//! `crash_worker <database> <directory> <count> [<scale>]`
//!
//! - Takes up the running executions the database has, then starts those of `run-000` …
//!   `run-<count-1>` it does not have yet (execution `i` runs workflow `i % 6`). Waits
//!   last 4 to 7 seconds (Map items 1 to 5), times `scale` (default 1).
//! - Task handlers answer at once and append `<execution> <state> <retry count> <input>` to
//!   `<directory>/handler.log` (so the test can count handlers that ran twice);
//!   `.waitForTaskToken` tasks append `<execution> <token>` to `<directory>/tokens.log`.
//! - Answers task tokens from files the test writes: `<directory>/answers/<token>` holds the
//!   output. It answers every file at every start and ignores tokens already closed: an
//!   answer the runtime took but had not committed when the process died is given again.
//! - An activity worker polls `activity:crash-work` and answers each task after 100 ms; a
//!   task it took before a crash is offered to it again after the restart.
//! - Prints `done` and exits 0 once the database has no running execution of these names.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_bindings::s3::{Folders, ObjectStore};
use asl_runtime::clock::{OffsetDateTime, RealClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::items::{ItemSource, ItemsCall};
use asl_runtime::execution::{BoxFuture, TaskCall, TaskHandler, Workflow};
use asl_runtime::runtime::ExecutionStatus;
use asl_runtime::store::{SqliteStore, Store};
use asl_runtime::{Error, Runtime};
use serde_json::{Value, json};

mod waits {
    asl_runtime::include_asl!("flows/crash/waits.asl.json");
}
mod retries {
    asl_runtime::include_asl!("flows/crash/retries.asl.json");
}
mod fanout {
    asl_runtime::include_asl!("flows/crash/fanout.asl.json");
}
mod approval {
    asl_runtime::include_asl!("flows/crash/approval.asl.json");
}
mod activity {
    asl_runtime::include_asl!("flows/crash/activity.asl.json");
}
mod parent {
    asl_runtime::include_asl!("flows/crash/parent.asl.json");
}
mod child {
    asl_runtime::include_asl!("flows/crash/child.asl.json");
}
mod rows {
    asl_runtime::include_asl!("flows/crash/rows.asl.json");
}

/// The workflows executions start, by `i % 7`.
const STARTED: [&Workflow; 7] = [
    &waits::WORKFLOW,
    &retries::WORKFLOW,
    &fanout::WORKFLOW,
    &approval::WORKFLOW,
    &activity::WORKFLOW,
    &parent::WORKFLOW,
    &rows::WORKFLOW,
];

/// The rows of `rows.asl.json`'s CSV file (`rows/orders.csv` in the worker's directory,
/// the bucket `rows`): 60 of them, row `n`'s amount `n % 7`.
fn orders_csv() -> String {
    let mut csv = String::from("id,amount\n");
    for row in 0..60 {
        csv.push_str(&format!("order-{row},{}\n", row % 7));
    }
    csv
}

/// The activity's ARN, as `activity.asl.json` names it.
const ACTIVITY: &str = "arn:aws:states:us-east-1:123456789012:activity:crash-work";

/// The input of execution `i`: how long its Waits last, times `scale`.
fn input(i: usize, scale: usize) -> Value {
    let items: Vec<usize> = (1..=5).map(|item| item * scale).collect();
    json!({ "i": i, "pause": (4 + i % 4) * scale, "items": items })
}

/// Every Task of every crash-test workflow, answered at once, each call logged; a
/// Distributed Map's items read from the worker's `rows` folder.
struct Handlers {
    log: Mutex<std::fs::File>,
    tokens: Mutex<std::fs::File>,
    objects: Arc<dyn ObjectStore>,
}

impl Handlers {
    fn record(file: &Mutex<std::fs::File>, line: &str) {
        let mut file = file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // One write per line, in append mode: a line is never torn by a kill.
        if let Err(error) = file.write_all(format!("{line}\n").as_bytes()) {
            eprintln!("crash_worker: cannot log: {error}");
        }
    }

    fn answer(call: &TaskCall<'_>) -> Result<Value, Error> {
        let i = call.input.get("i").and_then(Value::as_u64).unwrap_or(0);
        match call.state {
            "Flaky" if call.retry_count < 2 => Err(Error::new("Flaky.NotYet", "not yet")),
            "Flaky" => Ok(json!({ "i": i, "attempts": call.retry_count + 1 })),
            "Doomed" => Err(Error::new("Doomed.Failed", "it always fails")),
            "Left" | "Right" => Ok(json!({ "side": call.input["side"], "i": i })),
            "Square" => {
                let item = call.input.get("item").and_then(Value::as_u64).unwrap_or(0);
                Ok(json!(item * item))
            }
            "Ask" => Ok(json!({ "sent": true })),
            "Double" => Ok(json!({ "doubled": i * 2 })),
            "Sum" => {
                let items = call.input["Items"].as_array().map_or(&[][..], Vec::as_slice);
                let sum: u64 = items.iter().filter_map(|item| item["amount"].as_u64()).sum();
                let rows: Vec<&Value> = items.iter().map(|item| &item["row"]).collect();
                Ok(json!({ "i": call.input["BatchInput"]["i"], "sum": sum, "rows": rows }))
            }
            other => Err(Error::new("Worker.UnknownState", format!("no handler for {other}"))),
        }
    }
}

impl TaskHandler for Handlers {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let execution = call.context["Execution"]["Name"].as_str().unwrap_or("?").to_owned();
        // The input tells apart the calls of one state of one execution (Map items).
        Handlers::record(&self.log, &format!("{execution} {} {} {}", call.state, call.retry_count, call.input));
        // The token of the `.waitForTaskToken` task, which the test answers.
        if let ("Ask", Some(token)) = (call.state, call.task_token) {
            Handlers::record(&self.tokens, &format!("{execution} {token}"));
        }
        let answer = Handlers::answer(&call);
        Box::pin(async move { answer })
    }

    fn open_items<'a>(&'a self, call: ItemsCall<'a>) -> BoxFuture<'a, Result<Box<dyn ItemSource>, Error>> {
        Box::pin(asl_bindings::items::open_source(Arc::clone(&self.objects), call))
    }
}

fn append(path: &Path) -> Result<std::fs::File, String> {
    std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Answers every token the test has written an answer for (once per file).
async fn answer_tokens(runtime: Runtime, answers: PathBuf) {
    let mut answered = HashSet::new();
    loop {
        if let Ok(entries) = std::fs::read_dir(&answers) {
            for entry in entries.flatten() {
                let token = entry.file_name().to_string_lossy().into_owned();
                if token.ends_with(".tmp") || answered.contains(&token) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
                let output: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                // A closed token (answered in an earlier life) is refused: nothing to do.
                let _ = runtime.callbacks().send_task_success(&token, output);
                answered.insert(token);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What the activity worker answers for the activity task of execution `i`.
fn activity_output(i: u64) -> Value {
    json!({ "worked": i * 10 })
}

/// An activity worker: takes each task and answers it 100 ms later. It keeps no journal:
/// a task it took before the process died is offered again after the restart (the runtime
/// dispatches again what was not committed as finished), and it takes it again.
async fn work_activities(runtime: Runtime) {
    loop {
        let Some(task) = runtime.callbacks().get_activity_task(ACTIVITY, Duration::from_secs(1), &RealClock).await
        else {
            continue;
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        let i = task.input.get("i").and_then(Value::as_u64).unwrap_or(0);
        let _ = runtime.callbacks().send_task_success(&task.task_token, activity_output(i));
    }
}

async fn run(database: &Path, directory: &Path, count: usize, scale: usize) -> Result<(), String> {
    let store = Arc::new(SqliteStore::open(database).map_err(|e| e.to_string())?);
    let runtime = Runtime::builder(RealClock).store(store.clone()).build();
    let rows = directory.join("rows");
    if !rows.join("orders.csv").exists() {
        std::fs::create_dir_all(&rows).map_err(|e| e.to_string())?;
        // Written whole before it is named, so a kill never leaves half a file.
        std::fs::write(rows.join("orders.csv.tmp"), orders_csv()).map_err(|e| e.to_string())?;
        std::fs::rename(rows.join("orders.csv.tmp"), rows.join("orders.csv")).map_err(|e| e.to_string())?;
    }
    let handlers = Arc::new(Handlers {
        log: Mutex::new(append(&directory.join("handler.log"))?),
        tokens: Mutex::new(append(&directory.join("tokens.log"))?),
        objects: Arc::new(Folders::new(&[("rows".to_owned(), rows)])?),
    });
    for workflow in STARTED.into_iter().chain([&child::WORKFLOW]) {
        runtime.register(workflow, handlers.clone());
    }
    let recovery = runtime.recover().await.map_err(|e| e.to_string())?;
    if !recovery.unknown.is_empty() || !recovery.unreadable.is_empty() {
        return Err(format!("recovery: unknown {:?}, unreadable {:?}", recovery.unknown, recovery.unreadable));
    }
    tokio::spawn(answer_tokens(runtime.clone(), directory.join("answers")));
    tokio::spawn(work_activities(runtime.clone()));

    let mut arns = Vec::with_capacity(count);
    for i in 0..count {
        let workflow = STARTED[i % STARTED.len()];
        let name = format!("run-{i:03}");
        let arn =
            ExecutionInfo::new(workflow.name, name.as_str(), OffsetDateTime::UNIX_EPOCH, Value::Null).execution_arn();
        arns.push(arn.clone());
        if runtime.execution(&arn).is_some() || store.execution(&arn).await.map_err(|e| e.to_string())?.is_some() {
            continue;
        }
        let handle = runtime.start(workflow, handlers.clone(), &name, input(i, scale)).map_err(|e| e.to_string())?;
        handle.stored().await.map_err(|e| format!("{name}: {e}"))?;
    }
    loop {
        let mut running = 0;
        for arn in &arns {
            let record = store.execution(arn).await.map_err(|e| e.to_string())?;
            if record.is_none_or(|record| record.status == ExecutionStatus::Running) {
                running += 1;
            }
        }
        if running == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("done");
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (database, directory, count, scale) = match args.as_slice() {
        [_, database, directory, count] => (database, directory, count, "1"),
        [_, database, directory, count, scale] => (database, directory, count, scale.as_str()),
        _ => {
            eprintln!("usage: crash_worker <database> <directory> <count> [<scale>]");
            std::process::exit(2);
        }
    };
    let (Ok(count), Ok(scale)) = (count.parse::<usize>(), scale.parse::<usize>()) else {
        eprintln!("crash_worker: <count> and <scale> must be numbers, not {count:?} and {scale:?}");
        std::process::exit(2);
    };
    let tokio = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(tokio) => tokio,
        Err(error) => {
            eprintln!("crash_worker: {error}");
            std::process::exit(1);
        }
    };
    if let Err(error) = tokio.block_on(run(Path::new(database), Path::new(directory), count, scale)) {
        eprintln!("crash_worker: {error}");
        std::process::exit(1);
    }
}
