//! Executions as handles: start, wait, describe, stop, list; task tokens answered through
//! the runtime; workflows that start other workflows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_runtime::Error;
use asl_runtime::Runtime;
use asl_runtime::clock::VirtualClock;
use asl_runtime::execution::{BoxFuture, EventType, Status, TaskCall, TaskHandler};
use asl_runtime::runtime::{ExecutionStatus, StartError};
use serde_json::{Value, json};
use time::macros::datetime;

mod approval {
    asl_runtime::include_asl!("tests/workflows/approval.asl.json");
}

mod parent {
    asl_runtime::include_asl!("tests/workflows/parent.asl.json");
}

mod child {
    asl_runtime::include_asl!("tests/workflows/child.asl.json");
}

/// Keeps the tokens the approval workflow sends out.
#[derive(Default)]
struct Outbox(Mutex<Vec<String>>);

impl TaskHandler for Outbox {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        self.0.lock().unwrap().push(call.task_token.unwrap().to_owned());
        Box::pin(async { Ok(json!({})) })
    }
}

/// The parent's Task states all start child executions, which the runtime does itself:
/// their handler methods are never called.
struct Unreachable;

impl parent::Handlers for Unreachable {
    async fn forget(&self, _input: Value, _context: &Value) -> Result<Value, Error> {
        Err(Error::named("Unreachable"))
    }

    async fn text(&self, _input: Value, _context: &Value) -> Result<Value, Error> {
        Err(Error::named("Unreachable"))
    }

    async fn json(&self, _input: Value, _context: &Value) -> Result<Value, Error> {
        Err(Error::named("Unreachable"))
    }
}

/// Starts the parent's children somewhere else (another service, a mock): the runtime
/// calls these methods when it does not know the child state machine.
struct Elsewhere;

impl parent::Handlers for Elsewhere {
    async fn forget(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        Ok(json!({ "ExecutionArn": format!("elsewhere:{}", input["StateMachineArn"].as_str().unwrap()) }))
    }

    async fn text(&self, _input: Value, _context: &Value) -> Result<Value, Error> {
        Ok(json!({ "Output": "{}", "Status": "SUCCEEDED" }))
    }

    async fn json(&self, _input: Value, _context: &Value) -> Result<Value, Error> {
        Err(Error::new("States.TaskFailed", "not here"))
    }
}

fn clock() -> VirtualClock {
    VirtualClock::starting_at(datetime!(2025-02-01 08:00:00 UTC))
}

#[tokio::test(start_paused = true)]
async fn executions_are_started_described_stopped_and_listed() {
    let runtime = Runtime::new(clock());
    let outbox = Arc::new(Outbox::default());
    let input = json!({ "order": 1, "timeout": 3600, "heartbeat": 3600 });
    let first = runtime.start(&approval::WORKFLOW, outbox.clone(), "first", input.clone()).unwrap();
    let second = runtime.start(&approval::WORKFLOW, outbox.clone(), "second", input.clone()).unwrap();
    let again = runtime.start(&approval::WORKFLOW, outbox.clone(), "first", input.clone());
    assert!(matches!(again, Err(StartError::ExecutionAlreadyExists(_))));

    // Let both reach their Task state and send out their tokens.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(first.describe().status, ExecutionStatus::Running);
    let tokens = outbox.0.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2);

    first.stop(Some("Cancelled"), Some("the customer changed their mind"));
    let stopped = first.wait().await;
    assert_eq!(stopped.status, Status::Aborted);
    let described = first.describe();
    assert_eq!(described.status, ExecutionStatus::Aborted);
    assert_eq!(described.error.as_deref(), Some("Cancelled"));
    assert!(described.stop_date.is_some());
    assert_eq!(first.history().last().map(|e| e.kind), Some(EventType::ExecutionAborted));
    // The stopped execution's token is closed.
    assert!(runtime.callbacks().send_task_success(&tokens[0], json!("yes")).is_err());

    runtime.callbacks().send_task_success(&tokens[1], json!("yes")).unwrap();
    let done = second.wait().await;
    assert_eq!(done.status, Status::Succeeded);
    assert_eq!(done.output.unwrap()["decision"], json!("yes"));

    let listed: Vec<(String, ExecutionStatus)> = runtime.list().into_iter().map(|d| (d.name, d.status)).collect();
    assert_eq!(listed, [("first".into(), ExecutionStatus::Aborted), ("second".into(), ExecutionStatus::Succeeded)]);
    assert_eq!(runtime.execution(&second.arn()).map(|e| e.describe().name), Some("second".into()));
}

#[tokio::test(start_paused = true)]
async fn a_workflow_starts_others_and_waits_for_them() {
    let runtime = Runtime::new(clock());
    runtime.register(&child::WORKFLOW, Arc::new(child::Typed(())));
    let start = |name: &str, next: Value| {
        runtime.start(&parent::WORKFLOW, Arc::new(parent::Typed(Unreachable)), name, json!({ "next": next })).unwrap()
    };

    let outcome = start("ok", json!({ "n": 3 })).wait().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let output = outcome.output.unwrap();
    assert!(output["forget"]["started"].as_str().unwrap().contains(":execution:child:"));
    // `.sync`: the child's output as JSON text; `.sync:2`: as JSON.
    assert_eq!(output["text"], json!({ "output": "{\"doubled\":4}", "status": "SUCCEEDED" }));
    assert_eq!(output["json"], json!({ "output": { "doubled": 6 } }));
    // The fire-and-forget child ran too, and the `.sync` one saw who started it.
    let children: Vec<_> = runtime.list().into_iter().filter(|d| d.state_machine_arn.ends_with(":child")).collect();
    assert_eq!(children.len(), 3);
    let text_child = children.iter().find(|d| d.name == "ok-text").unwrap();
    assert!(text_child.input["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"].as_str().unwrap().ends_with(":ok"));

    let outcome = start("fails", json!({ "n": -1 })).wait().await;
    let failed = &outcome.output.unwrap()["failed"];
    assert_eq!(failed["Error"], json!("States.TaskFailed"));
    let cause: Value = serde_json::from_str(failed["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["Status"], json!("FAILED"));
    assert_eq!(cause["Error"], json!("Negative"));
    assert_eq!(cause["Cause"], json!("n must not be negative"));
}

#[tokio::test(start_paused = true)]
async fn starting_a_workflow_the_runtime_does_not_know_is_the_handlers_job() {
    // `child` is not registered: the parent's own handler serves its three Task states.
    let runtime = Runtime::new(clock());
    let handler = Arc::new(parent::Typed(Elsewhere));
    let handle = runtime.start(&parent::WORKFLOW, handler, "elsewhere", json!({ "next": {} })).unwrap();
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let output = outcome.output.unwrap();
    assert_eq!(
        output["forget"],
        json!({ "started": "elsewhere:arn:aws:states:us-east-1:123456789012:stateMachine:child" })
    );
    assert_eq!(output["text"], json!({ "output": "{}", "status": "SUCCEEDED" }));
    assert_eq!(output["failed"]["Cause"], json!("not here"));
    assert_eq!(runtime.list().len(), 1, "no child was started");
}
