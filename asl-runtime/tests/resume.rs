//! An execution is data: saved after any transition and restored in a new driver, it ends
//! exactly as the uninterrupted run did. Also the driver's concurrency: a failing branch
//! does not wait for its slow siblings, and a Task's timeout wins over a late handler.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use asl_runtime::Error;
use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{BoxFuture, Driver, Execution, Outcome, Status, TaskCall, TaskHandler};
use serde_json::{Value, json};
use time::macros::datetime;

mod resume {
    asl_runtime::include_asl!("tests/workflows/resume.asl.json");
}

mod race {
    asl_runtime::include_asl!("tests/workflows/race.asl.json");
}

/// The handlers of both workflows, keyed by state name. Handlers that take time sleep on
/// tokio's (paused) clock, so they are pending when first polled.
#[derive(Default)]
struct Handlers {
    /// Handler futures dropped before they finished (cancelled).
    cancelled: AtomicU32,
}

/// Counts a handler future that is dropped before it finishes.
struct CancelGuard<'a>(&'a AtomicU32, bool);

impl Drop for CancelGuard<'_> {
    fn drop(&mut self) {
        if !self.1 {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl TaskHandler for Handlers {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        Box::pin(async move {
            let mut guard = CancelGuard(&self.cancelled, false);
            let result = match call.state {
                // Fails its first attempt, whenever that runs.
                "Fetch" if call.retry_count == 0 => Err(Error::new("Transient", "try again")),
                "Fetch" => Ok(json!({ "fetched": true })),
                "Left" => {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    Ok(json!("left"))
                }
                "Double" => {
                    let n = call.input.as_u64().unwrap();
                    tokio::time::sleep(Duration::from_secs(n)).await;
                    Ok(json!(n * 2))
                }
                "Slow" => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(json!("slow"))
                }
                "Too slow" => {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    Ok(json!("late"))
                }
                other => panic!("no handler for {other}"),
            };
            guard.1 = true;
            result
        })
    }
}

const START: time::OffsetDateTime = datetime!(2025-03-01 12:00:00 UTC);

fn start(workflow: &asl_runtime::execution::Workflow, input: Value, clock: &dyn Clock) -> Execution {
    let info = ExecutionInfo::new(workflow.name, "run-1", clock.now(), input.clone());
    Execution::start(workflow, info, input, clock.now())
}

#[tokio::test(start_paused = true)]
async fn a_saved_execution_resumes_from_any_transition_to_the_same_end() {
    let clock = VirtualClock::starting_at(START);
    let handlers = Handlers::default();
    let input = json!({ "items": [1, 2, 3] });
    let mut driver = Driver::new(&resume::WORKFLOW, &handlers, &clock, start(&resume::WORKFLOW, input, &clock));
    let mut saved = Vec::new();
    while driver.advance().await {
        saved.push(serde_json::to_string(driver.execution()).unwrap());
    }
    let outcome = driver.execution().outcome().cloned().unwrap();
    assert_eq!(
        outcome,
        Outcome {
            status: Status::Succeeded,
            output: Some(json!({
                "items": [1, 2, 3],
                "seed": 3,
                "fetched": { "fetched": true },
                "both": ["left", [2, 4, 6]]
            })),
            error: None,
            cause: None,
        }
    );
    // Backoff 5 s, Wait 1 h, then the Parallel: Left (30 s + 10 s) outlasts the Map
    // (items 1 and 2 at once, item 3 when item 1 is done: 6 s).
    assert_eq!(clock.elapsed(), Duration::from_secs(5 + 3600 + 40));
    assert!(saved.len() > 25, "one save per transition, got {}", saved.len());
    assert!(saved.iter().any(|text| text.contains("\"Backoff\"")), "saved during a retry delay");
    assert!(saved.iter().any(|text| text.contains("\"Waiting\"")), "saved during a Wait");
    assert!(saved.iter().any(|text| text.contains("\"Map\"")), "saved while Map iterations ran");

    for (transition, text) in saved.iter().enumerate() {
        let restored = Execution::from_json(text).unwrap();
        assert_eq!(&serde_json::to_string(&restored).unwrap(), text, "the round trip is exact");
        let resumed = Driver::new(&resume::WORKFLOW, &handlers, &clock, restored).run().await;
        assert_eq!(resumed, outcome, "resumed after transition {}", transition + 1);
    }
}

#[tokio::test(start_paused = true)]
async fn a_failing_branch_cancels_its_slow_sibling_and_a_timeout_beats_a_late_handler() {
    let clock = VirtualClock::starting_at(START);
    let handlers = Handlers::default();
    let execution = start(&race::WORKFLOW, json!({}), &clock);
    let outcome = Driver::new(&race::WORKFLOW, &handlers, &clock, execution).run().await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(
        outcome.output,
        Some(json!({
            "caught": { "Error": "Broken", "Cause": "at once" },
            "timeout": { "Error": "States.Timeout", "Cause": "" }
        }))
    );
    // The Parallel failed at once (not after the slow branch's hour), and the timeout
    // fired after 2 s, not when the handler would have answered.
    assert_eq!(clock.elapsed(), Duration::from_secs(2));
    assert_eq!(handlers.cancelled.load(Ordering::SeqCst), 2, "both abandoned handlers were dropped");
}

#[tokio::test(start_paused = true)]
async fn the_history_records_aws_event_types_in_order() {
    let clock = VirtualClock::starting_at(START);
    let handlers = Handlers::default();
    let mut driver = Driver::new(&race::WORKFLOW, &handlers, &clock, start(&race::WORKFLOW, json!({}), &clock));
    driver.run().await;
    let history = driver.execution().history();
    let types: Vec<String> =
        history.iter().map(|event| serde_json::to_value(event.kind).unwrap().to_string()).collect();
    let types: Vec<&str> = types.iter().map(|t| t.trim_matches('"')).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "ParallelStateEntered",
            "ParallelStateStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "FailStateEntered",
            "ParallelStateFailed",
            "ParallelStateExited",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskTimedOut",
            "TaskStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded",
        ]
    );
    for (index, event) in history.iter().enumerate() {
        assert_eq!(event.id, index as u64 + 1);
    }
    // AWS's causal links: the first state's Entered event follows no event; each branch
    // goes on from ParallelStateStarted (#3); the Parallel goes on from its failed branch
    // (#7), past ParallelStateFailed.
    let previous: Vec<u64> = history.iter().map(|event| event.previous_event_id).collect();
    assert_eq!(previous, [0, 0, 2, 3, 4, 5, 3, 7, 7, 9, 10, 11, 12, 13, 14, 15, 16]);
    // The timeout fired 2 s after the task started.
    let timed_out = &history[12];
    assert_eq!(timed_out.timestamp - history[11].timestamp, time::Duration::seconds(2));
    let details = timed_out.details.as_deref().unwrap();
    assert_eq!(details.error.as_deref(), Some("States.Timeout"));
    assert_eq!((details.resource_type.as_deref(), details.resource.as_deref()), (Some("lambda"), Some("invoke")));
    // State events name their state and carry its data as JSON text.
    let entered = history[9].details.as_deref().unwrap();
    assert_eq!(entered.name.as_deref(), Some("Too slow"));
    let input: serde_json::Value = serde_json::from_str(entered.input.as_deref().unwrap()).unwrap();
    assert_eq!(input["caught"]["Error"], "Broken");
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_execution_is_saved_as_ended() {
    let clock = VirtualClock::starting_at(START);
    let handlers = Handlers::default();
    let input = json!({ "items": [] });
    let mut execution = start(&resume::WORKFLOW, input, &clock);
    // A state machine TimeoutSeconds of 60 s, set as the saved data says it.
    let mut text: Value = serde_json::to_value(&execution).unwrap();
    let deadline = (START + Duration::from_secs(60)).unix_timestamp_nanos();
    text["deadline"] = serde_json::to_value(deadline).unwrap();
    execution = serde_json::from_value(text).unwrap();
    let mut driver = Driver::new(&resume::WORKFLOW, &handlers, &clock, execution);
    let outcome = driver.run().await;
    assert_eq!(outcome, Outcome { status: Status::TimedOut, output: None, error: None, cause: None });
    assert_eq!(clock.elapsed(), Duration::from_secs(60));
    let saved = serde_json::to_string(driver.execution()).unwrap();
    assert_eq!(Execution::from_json(&saved).unwrap().outcome(), Some(&outcome));
}
