//! STANDARD and EXPRESS state machines in one runtime: what registering as EXPRESS refuses,
//! and how Express executions differ (never stored, names not unique, five minutes at most).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use asl_runtime::Error;
use asl_runtime::Runtime;
use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::execution::{BoxFuture, EventType, Status, TaskCall, TaskHandler};
use asl_runtime::runtime::{EXPRESS_DURATION, RegisterError, StartError};
use asl_runtime::store::{ExecutionQuery, MachineType, MemoryStore, SqliteStore, Store};
use serde_json::{Value, json};
use time::macros::datetime;

mod approval {
    asl_runtime::include_asl!("tests/workflows/approval.asl.json");
}

mod activity {
    asl_runtime::include_asl!("tests/workflows/activity.asl.json");
}

mod ten_minutes {
    asl_runtime::include_asl!("tests/workflows/ten_minutes.asl.json");
}

/// A handler for workflows whose tasks never run in these tests.
struct NoTasks;

impl TaskHandler for NoTasks {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        panic!("no task should run, but {} did", call.state)
    }
}

fn clock() -> VirtualClock {
    VirtualClock::starting_at(datetime!(2025-02-01 08:00:00 UTC))
}

#[tokio::test(start_paused = true)]
async fn express_refuses_tasks_that_wait_outside_the_execution() {
    let runtime = Runtime::new(clock());
    let refused = runtime.register_as(&approval::WORKFLOW, Arc::new(NoTasks), MachineType::Express).unwrap_err();
    let RegisterError::NotForExpress { message, .. } = &refused;
    assert_eq!(message, "Express state machine does not support '.waitForTaskToken' service integration");
    let refused = runtime.register_as(&activity::WORKFLOW, Arc::new(NoTasks), MachineType::Express).unwrap_err();
    assert!(refused.to_string().starts_with("Express state machine does not support Activity ARN (state `"));
    // Refused as EXPRESS, it is not registered at all; as STANDARD it is.
    assert_eq!(runtime.machine_type(&approval::WORKFLOW), MachineType::Standard);
    runtime.register_as(&approval::WORKFLOW, Arc::new(NoTasks), MachineType::Standard).unwrap();
}

#[tokio::test(start_paused = true)]
async fn express_executions_are_never_stored_and_share_names() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("asl.db")).unwrap());
    let runtime = Runtime::builder(clock()).store(Arc::clone(&store)).build();
    runtime.register_as(&ten_minutes::WORKFLOW, Arc::new(NoTasks), MachineType::Express).unwrap();
    assert_eq!(runtime.machine_type(&ten_minutes::WORKFLOW), MachineType::Express);

    let first = runtime.start(&ten_minutes::WORKFLOW, Arc::new(NoTasks), "same", json!({})).unwrap();
    let second = runtime.start(&ten_minutes::WORKFLOW, Arc::new(NoTasks), "same", json!({})).unwrap();
    first.stored().await.unwrap();
    let (arn1, arn2) = (first.arn(), second.arn());
    assert_ne!(arn1, arn2, "Express names need not be unique: the ARNs differ by run id");
    let prefix = "arn:aws:states:us-east-1:123456789012:express:ten_minutes:same:";
    for arn in [&arn1, &arn2] {
        let run = arn.strip_prefix(prefix).unwrap_or_else(|| panic!("{arn} is not an Express ARN"));
        assert_eq!(run.len(), 36, "a UUID: {run}");
    }
    let outcome = first.wait().await;
    assert_eq!(outcome.status, Status::TimedOut);
    assert_eq!(second.wait().await.status, Status::TimedOut);

    assert_eq!(store.execution(&arn1).await.unwrap(), None, "an Express execution leaves no row");
    let listed = store.executions(ExecutionQuery::of(first.describe().state_machine_arn)).await.unwrap();
    assert!(listed.items.is_empty(), "{:?}", listed.items);
    assert!(store.running_executions().await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn express_executions_time_out_after_five_minutes() {
    let clock = clock();
    let started = clock.now();
    let runtime = Runtime::builder(clock).store(Arc::new(MemoryStore::new())).build();
    runtime.register_as(&ten_minutes::WORKFLOW, Arc::new(NoTasks), MachineType::Express).unwrap();
    let handle = runtime.start(&ten_minutes::WORKFLOW, Arc::new(NoTasks), "slow", json!({})).unwrap();
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::TimedOut);
    let described = handle.describe();
    assert_eq!(described.stop_date, Some(started + EXPRESS_DURATION));
    assert_eq!((described.error, described.cause), (None, None), "as AWS: a time-out has no error or cause");
    let last = handle.history().pop().unwrap();
    assert_eq!(last.kind, EventType::ExecutionTimedOut);
}

#[tokio::test(start_paused = true)]
async fn standard_executions_run_past_five_minutes_and_keep_names_unique() {
    let store = Arc::new(MemoryStore::new());
    let runtime = Runtime::builder(clock()).store(Arc::clone(&store) as Arc<dyn Store>).build();
    runtime.register(&ten_minutes::WORKFLOW, Arc::new(NoTasks));
    let handle = runtime.start(&ten_minutes::WORKFLOW, Arc::new(NoTasks), "slow", json!({})).unwrap();
    let again = runtime.start(&ten_minutes::WORKFLOW, Arc::new(NoTasks), "slow", json!({}));
    assert!(matches!(again, Err(StartError::ExecutionAlreadyExists(_))));
    assert_eq!(handle.arn(), "arn:aws:states:us-east-1:123456789012:execution:ten_minutes:slow");
    let outcome = handle.wait().await;
    assert_eq!((outcome.status, outcome.output), (Status::Succeeded, Some(json!("done"))));
    assert!(store.execution(&handle.arn()).await.unwrap().is_some());
}
