//! AWS's hard quota of 25,000 history events per STANDARD execution: when event 25,000
//! would be anything but `ExecutionSucceeded`, it is `ExecutionFailed` (`States.Runtime`,
//! "The execution reached the maximum number of history events (25000).") and the execution
//! fails. EXPRESS executions keep no history on AWS and have no such limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use asl_runtime::Error;
use asl_runtime::Runtime;
use asl_runtime::clock::VirtualClock;
use asl_runtime::execution::{BoxFuture, EventType, Status, TaskCall, TaskHandler};
use asl_runtime::store::MachineType;
use serde_json::{Value, json};
use time::macros::datetime;

mod count_to {
    asl_runtime::include_asl!("tests/workflows/count_to.asl.json");
}

struct NoTasks;

impl TaskHandler for NoTasks {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        panic!("no task should run, but {} did", call.state)
    }
}

fn runtime() -> Runtime {
    Runtime::new(VirtualClock::starting_at(datetime!(2025-02-01 08:00:00 UTC)))
}

#[tokio::test(start_paused = true)]
async fn an_execution_may_end_with_its_25000th_event() {
    let runtime = runtime();
    for n in [6247, 6248] {
        let handle =
            runtime.start(&count_to::WORKFLOW, Arc::new(NoTasks), &format!("n{n}"), json!({ "n": n })).unwrap();
        let outcome = handle.wait().await;
        assert_eq!(outcome.status, Status::Succeeded, "n = {n}: {outcome:?}");
        let history = handle.history();
        assert_eq!(history.len(), 8 + 4 * n);
        assert_eq!(history.last().unwrap().kind, EventType::ExecutionSucceeded);
    }
}

#[tokio::test(start_paused = true)]
async fn event_25000_fails_an_execution_that_has_not_succeeded() {
    let runtime = runtime();
    let handle = runtime.start(&count_to::WORKFLOW, Arc::new(NoTasks), "long", json!({ "n": 6249 })).unwrap();
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(outcome.cause.as_deref(), Some("The execution reached the maximum number of history events (25000)."));
    let history = handle.history();
    assert_eq!(history.len(), 25_000);
    let last = history.last().unwrap();
    assert_eq!((last.id, last.kind), (25_000, EventType::ExecutionFailed));
    let details = last.details.as_ref().unwrap();
    assert_eq!(details.error.as_deref(), Some("States.Runtime"));
    for (i, event) in history.iter().enumerate() {
        assert_eq!(event.id, i as u64 + 1);
        assert!(event.previous_event_id < event.id);
    }
}

#[tokio::test(start_paused = true)]
async fn express_executions_have_no_history_limit() {
    let runtime = runtime();
    runtime.register_as(&count_to::WORKFLOW, Arc::new(NoTasks), MachineType::Express).unwrap();
    let handle = runtime.start(&count_to::WORKFLOW, Arc::new(NoTasks), "long", json!({ "n": 7000 })).unwrap();
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output.unwrap()["i"], json!(7000));
}
