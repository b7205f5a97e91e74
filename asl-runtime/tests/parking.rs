//! Parked executions: an execution that only waits for task tokens and timers is kept by
//! its Runtime as data, with no task running, and behaves exactly as one whose task runs on
//! — answered, failed, kept alive by heartbeats, timed out, stopped, taken by an activity
//! worker, woken by a Wait state's or the state machine's deadline (all on the virtual
//! clock).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_runtime::Error;
use asl_runtime::Runtime;
use asl_runtime::callbacks::CallbackError;
use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::execution::{BoxFuture, EventType, Status, TaskCall, TaskHandler};
use asl_runtime::runtime::{ExecutionHandle, ExecutionStatus};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

mod approval {
    asl_runtime::include_asl!("tests/workflows/approval.asl.json");
}

mod activity {
    asl_runtime::include_asl!("tests/workflows/activity.asl.json");
}

mod clock {
    asl_runtime::include_asl!("tests/workflows/clock.asl.json");
}

mod deadline {
    asl_runtime::include_asl!("tests/workflows/deadline.asl.json");
}

mod pair {
    asl_runtime::include_asl!("tests/workflows/pair.asl.json");
}

const START: OffsetDateTime = datetime!(2025-07-01 06:00:00 UTC);

/// Keeps the token each Task state sends out, by state name, in order.
#[derive(Default)]
struct Outbox(Mutex<Vec<(String, String)>>);

impl TaskHandler for Outbox {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        self.0.lock().unwrap().push((call.state.to_owned(), call.task_token.unwrap().to_owned()));
        Box::pin(async { Ok(json!({ "MessageId": "m-1" })) })
    }
}

impl Outbox {
    /// The tokens sent out so far.
    fn tokens(&self) -> Vec<String> {
        self.0.lock().unwrap().iter().map(|(_, token)| token.clone()).collect()
    }
}

/// A runtime on a virtual clock, and a handler that keeps the tokens.
fn setup() -> (Runtime, Arc<Outbox>, VirtualClock) {
    let clock = VirtualClock::starting_at(START);
    (Runtime::new(clock), Arc::new(Outbox::default()), clock)
}

/// The tasks alive on this tokio runtime (a parked execution has none).
fn tasks() -> usize {
    tokio::runtime::Handle::current().metrics().num_alive_tasks()
}

/// Lets the tasks that are ready run, without moving the virtual clock.
async fn settle() {
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
}

/// Starts an approval that waits up to `timeout` seconds, with heartbeats due every
/// `heartbeat` seconds, and lets it park.
async fn park_approval(runtime: &Runtime, outbox: &Arc<Outbox>, timeout: u64, heartbeat: u64) -> ExecutionHandle {
    let input = json!({ "order": 7, "timeout": timeout, "heartbeat": heartbeat });
    let handle = runtime.start(&approval::WORKFLOW, outbox.clone(), "approval", input).unwrap();
    settle().await;
    assert_eq!(runtime.parked_count(), 1, "the execution waits parked");
    assert_eq!(handle.describe().status, ExecutionStatus::Running);
    handle
}

fn types(handle: &ExecutionHandle) -> Vec<EventType> {
    handle.history().iter().map(|event| event.kind).collect()
}

#[tokio::test(start_paused = true)]
async fn a_parked_execution_holds_no_task() {
    let (runtime, outbox, _) = setup();
    let handles: Vec<ExecutionHandle> = (0..3)
        .map(|n| {
            let input = json!({ "order": n, "timeout": 3600, "heartbeat": 3600 });
            runtime.start(&approval::WORKFLOW, outbox.clone(), &format!("a{n}"), input).unwrap()
        })
        .collect();
    settle().await;
    assert_eq!(runtime.parked_count(), 3);
    // No task per execution: only the one that serves the parked executions' deadlines.
    assert_eq!(tasks(), 1);
    for (n, token) in outbox.tokens().iter().enumerate() {
        runtime.callbacks().send_task_success(token, json!({ "approved": n })).unwrap();
    }
    for (n, handle) in handles.iter().enumerate() {
        assert_eq!(handle.wait().await.output.unwrap()["decision"], json!({ "approved": n }));
    }
    assert_eq!(runtime.parked_count(), 0);
    settle().await;
    assert_eq!(tasks(), 0, "with no deadline left, the deadline task ends too");
}

#[tokio::test(start_paused = true)]
async fn a_parked_execution_answered_with_success_goes_on() {
    let (runtime, outbox, clock) = setup();
    let handle = park_approval(&runtime, &outbox, 3600, 3600).await;
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(runtime.parked_count(), 1, "still parked ten minutes later");
    let token = outbox.tokens().remove(0);
    runtime.callbacks().send_task_success(&token, json!({ "approved": true })).unwrap();
    // The token is spent at once, parked or not.
    assert_eq!(runtime.callbacks().send_task_success(&token, json!(1)), Err(CallbackError::TaskDoesNotExist));
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output.unwrap()["decision"], json!({ "approved": true }));
    assert_eq!(clock.elapsed(), Duration::from_secs(600));
    assert_eq!(
        types(&handle),
        [
            EventType::ExecutionStarted,
            EventType::TaskStateEntered,
            EventType::TaskScheduled,
            EventType::TaskStarted,
            EventType::TaskSubmitted,
            EventType::TaskSucceeded,
            EventType::TaskStateExited,
            EventType::SucceedStateEntered,
            EventType::SucceedStateExited,
            EventType::ExecutionSucceeded,
        ]
    );
    let succeeded = handle.history().into_iter().find(|event| event.kind == EventType::TaskSucceeded).unwrap();
    assert_eq!(succeeded.timestamp, START + Duration::from_secs(600), "recorded when the answer came");
    assert_eq!(runtime.parked_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_failure_sent_to_a_parked_execution_fails_its_task() {
    let (runtime, outbox, _) = setup();
    let handle = park_approval(&runtime, &outbox, 3600, 3600).await;
    let token = outbox.tokens().remove(0);
    runtime.callbacks().send_task_failure(&token, "Rejected", "not in stock").unwrap();
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("Rejected"));
    assert_eq!(outcome.cause.as_deref(), Some("not in stock"));
    assert!(types(&handle).contains(&EventType::TaskFailed));
}

#[tokio::test(start_paused = true)]
async fn heartbeats_move_a_parked_deadline_until_they_stop() {
    let (runtime, outbox, clock) = setup();
    let handle = park_approval(&runtime, &outbox, 3600, 10).await;
    let token = outbox.tokens().remove(0);
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_secs(8)).await;
        runtime.callbacks().send_task_heartbeat(&token).unwrap();
        // Taken without waking the execution: it stays parked, no task starts.
        assert_eq!(runtime.parked_count(), 1);
        assert_eq!(tasks(), 1);
    }
    // Silence: the heartbeat timeout fires 10 s after the last heartbeat (t = 34 s).
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(clock.elapsed(), Duration::from_secs(44));
    assert_eq!(runtime.callbacks().send_task_heartbeat(&token), Err(CallbackError::TaskTimedOut));
    let outcome = handle.wait().await;
    let output = outcome.output.unwrap();
    assert_eq!(output["escalated"], json!({ "Error": "States.Timeout", "Cause": "" }));
    assert_eq!(output["escalation"], json!("to the manager"));
    let timed_out = handle.history().into_iter().find(|event| event.kind == EventType::TaskTimedOut).unwrap();
    assert_eq!(timed_out.timestamp, START + Duration::from_secs(34));
}

#[tokio::test(start_paused = true)]
async fn a_parked_task_times_out_on_time_and_a_late_answer_is_refused() {
    let (runtime, outbox, clock) = setup();
    let handle = park_approval(&runtime, &outbox, 60, 3600).await;
    let token = outbox.tokens().remove(0);
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(runtime.callbacks().send_task_success(&token, json!("late")), Err(CallbackError::TaskTimedOut));
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output.unwrap()["escalated"]["Error"], json!("States.Timeout"));
    assert_eq!(clock.elapsed(), Duration::from_secs(120));
    let timed_out = handle.history().into_iter().find(|event| event.kind == EventType::TaskTimedOut).unwrap();
    assert_eq!(timed_out.timestamp, START + Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn the_state_machine_timeout_ends_a_parked_execution() {
    let (runtime, outbox, clock) = setup();
    let handle = runtime.start(&deadline::WORKFLOW, outbox.clone(), "deadline", json!({})).unwrap();
    settle().await;
    assert_eq!(runtime.parked_count(), 1);
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::TimedOut);
    assert_eq!(clock.elapsed(), Duration::from_secs(120));
    assert_eq!(types(&handle).last(), Some(&EventType::ExecutionTimedOut));
    let described = handle.describe();
    assert_eq!(described.status, ExecutionStatus::TimedOut);
    assert_eq!(described.stop_date, Some(START + Duration::from_secs(120)));
    // Its token was closed when it ended.
    let token = outbox.tokens().remove(0);
    assert_eq!(runtime.callbacks().send_task_success(&token, json!(1)), Err(CallbackError::TaskDoesNotExist));
}

#[tokio::test(start_paused = true)]
async fn a_parked_execution_is_stopped_at_once() {
    let (runtime, outbox, _) = setup();
    let handle = park_approval(&runtime, &outbox, 3600, 3600).await;
    handle.stop(Some("Cancelled"), Some("the customer changed their mind"));
    // No task had to run for it: the record says so as soon as `stop` returns.
    let described = handle.describe();
    assert_eq!(described.status, ExecutionStatus::Aborted);
    assert_eq!(described.error.as_deref(), Some("Cancelled"));
    assert_eq!(described.cause.as_deref(), Some("the customer changed their mind"));
    assert_eq!(described.stop_date, Some(START));
    assert_eq!(runtime.parked_count(), 0);
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Aborted);
    assert_eq!(types(&handle).last(), Some(&EventType::ExecutionAborted));
    let token = outbox.tokens().remove(0);
    assert_eq!(runtime.callbacks().send_task_success(&token, json!("yes")), Err(CallbackError::TaskDoesNotExist));
    assert_eq!(runtime.callbacks().send_task_heartbeat(&token), Err(CallbackError::TaskDoesNotExist));
    // Stopping again, or stopping an ended execution, changes nothing.
    handle.stop(Some("Again"), None);
    assert_eq!(handle.describe().error.as_deref(), Some("Cancelled"));
    settle().await;
    assert_eq!(tasks(), 0, "its deadline is gone, and with it the deadline task");
}

#[tokio::test(start_paused = true)]
async fn an_activity_worker_takes_parked_work_and_answers() {
    let (runtime, _, clock) = setup();
    let handle = runtime.start(&activity::WORKFLOW, Arc::new(activity::Typed(())), "pack", json!({ "box": "large" }));
    let handle = handle.unwrap();
    settle().await;
    // Waiting for a worker: parked, with no deadline (HeartbeatSeconds count once a worker
    // has the work), so not a single task.
    assert_eq!(runtime.parked_count(), 1);
    assert_eq!(tasks(), 0);
    let arn = "arn:aws:states:us-east-1:123456789012:activity:packing";
    let work = runtime.callbacks().get_activity_task(arn, Duration::from_secs(60), &clock).await.expect("work");
    assert_eq!(work.input, json!({ "box": "large" }));
    settle().await;
    // Taken: parked again, now with its heartbeat deadline.
    assert_eq!(runtime.parked_count(), 1);
    tokio::time::sleep(Duration::from_secs(20)).await;
    runtime.callbacks().send_task_heartbeat(&work.task_token).unwrap();
    tokio::time::sleep(Duration::from_secs(20)).await;
    runtime.callbacks().send_task_success(&work.task_token, json!({ "packed": true })).unwrap();
    let outcome = handle.wait().await;
    assert_eq!(outcome.output, Some(json!({ "packed": true })));
    assert_eq!(
        types(&handle),
        [
            EventType::ExecutionStarted,
            EventType::TaskStateEntered,
            EventType::ActivityScheduled,
            EventType::ActivityStarted,
            EventType::ActivitySucceeded,
            EventType::TaskStateExited,
            EventType::ExecutionSucceeded,
        ]
    );
    // Nothing else to do: the poll times out empty.
    assert_eq!(runtime.callbacks().get_activity_task(arn, Duration::from_secs(60), &clock).await, None);
}

#[tokio::test(start_paused = true)]
async fn a_wait_state_parks_until_its_time() {
    let (runtime, _, clock) = setup();
    let handle = runtime.start(&clock::WORKFLOW, Arc::new(clock::Typed(())), "later", json!({})).unwrap();
    settle().await;
    assert_eq!(runtime.parked_count(), 1);
    let outcome = handle.wait().await;
    assert_eq!(clock.elapsed(), Duration::from_secs(3600));
    // `$now()` after the Wait reads the deadline, to the nanosecond.
    let later = START + Duration::from_secs(3600);
    assert_eq!(outcome.output.unwrap()["now"], json!(asl_runtime::context::format_timestamp(later)));
    assert_eq!(clock.now(), later);
}

#[tokio::test(start_paused = true)]
async fn answers_that_race_each_other_for_a_parked_execution_all_arrive() {
    let (runtime, outbox, _) = setup();
    for round in 0..20 {
        let handle = runtime.start(&pair::WORKFLOW, outbox.clone(), &format!("pair-{round}"), json!({})).unwrap();
        settle().await;
        assert_eq!(runtime.parked_count(), 1);
        let tokens = outbox.0.lock().unwrap().split_off(0);
        // Both answers from threads of their own, at the same moment: the first wakes the
        // execution, the second comes in while it is being taken up.
        let answers: Vec<_> = tokens
            .into_iter()
            .map(|(state, token)| {
                let runtime = runtime.clone();
                std::thread::spawn(move || runtime.callbacks().send_task_success(&token, json!(state)))
            })
            .collect();
        for answer in answers {
            answer.join().unwrap().unwrap();
        }
        let outcome = handle.wait().await;
        assert_eq!(outcome.output, Some(json!(["Left", "Right"])), "round {round}");
    }
    assert_eq!(runtime.parked_count(), 0);
}
