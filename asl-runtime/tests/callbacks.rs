//! Task tokens and activities on the virtual clock: a token answered late, never, after its
//! task timed out, or a year later; heartbeats; an activity worker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Mutex;
use std::time::Duration;

use asl_runtime::Error;
use asl_runtime::callbacks::{CallbackError, Callbacks};
use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{BoxFuture, Driver, EventType, Execution, Outcome, Status, TaskCall, TaskHandler};
use serde_json::{Value, json};
use time::macros::datetime;

mod approval {
    asl_runtime::include_asl!("tests/workflows/approval.asl.json");
}

mod activity {
    asl_runtime::include_asl!("tests/workflows/activity.asl.json");
}

/// The "queue": keeps the token the Task state sent out.
#[derive(Default)]
struct Outbox(Mutex<Option<String>>);

impl TaskHandler for Outbox {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let token = call.input["MessageBody"]["token"].as_str().map(str::to_owned);
        assert_eq!(token.as_deref(), call.task_token, "$$.Task.Token is the handler's token");
        *self.0.lock().unwrap() = token;
        Box::pin(async { Ok(json!({ "MessageId": "m-1" })) })
    }
}

impl Outbox {
    /// The token, once the task has sent it.
    async fn token(&self) -> String {
        loop {
            if let Some(token) = self.0.lock().unwrap().clone() {
                return token;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

const START: time::OffsetDateTime = datetime!(2025-06-01 09:00:00 UTC);

fn start(workflow: &asl_runtime::execution::Workflow, input: Value, clock: &dyn Clock) -> Execution {
    let info = ExecutionInfo::new(workflow.name, "approval-1", clock.now(), input.clone());
    Execution::start(workflow, info, input, clock.now())
}

fn types(execution: &Execution) -> Vec<EventType> {
    execution.history().iter().map(|event| event.kind).collect()
}

/// Runs the approval workflow with `input` while `outside` plays the person.
async fn approval<F: std::future::Future<Output = ()>>(
    input: Value,
    outside: impl FnOnce(&'static Callbacks, &'static Outbox, &'static VirtualClock) -> F,
) -> (Outcome, Execution, Duration) {
    let callbacks: &'static Callbacks = Box::leak(Box::new(Callbacks::new()));
    let outbox: &'static Outbox = Box::leak(Box::default());
    let clock: &'static VirtualClock = Box::leak(Box::new(VirtualClock::starting_at(START)));
    let mut driver =
        Driver::with_callbacks(&approval::WORKFLOW, outbox, clock, callbacks, start(&approval::WORKFLOW, input, clock));
    let (outcome, ()) = tokio::join!(driver.run(), outside(callbacks, outbox, clock));
    (outcome, driver.into_execution(), clock.elapsed())
}

#[tokio::test(start_paused = true)]
async fn a_token_answered_a_year_later_completes_the_task() {
    let input = json!({ "order": 7, "timeout": 99_999_999, "heartbeat": 99_999_999 });
    let year = Duration::from_secs(365 * 24 * 3600);
    let (outcome, execution, elapsed) = approval(input, |callbacks, outbox, _| async move {
        let token = outbox.token().await;
        tokio::time::sleep(year).await;
        callbacks.send_task_success(&token, json!({ "approved": true })).unwrap();
        // The task has ended: the token is spent.
        assert_eq!(callbacks.send_task_success(&token, json!(1)), Err(CallbackError::TaskDoesNotExist));
    })
    .await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output.unwrap()["decision"], json!({ "approved": true }));
    assert!(elapsed >= year && elapsed < year + Duration::from_secs(1), "{elapsed:?}");
    assert_eq!(
        types(&execution),
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
}

#[tokio::test(start_paused = true)]
async fn the_timeout_wins_over_a_late_answer_which_is_refused() {
    let input = json!({ "order": 7, "timeout": 60, "heartbeat": 3600 });
    let (outcome, execution, elapsed) = approval(input, |callbacks, outbox, _| async move {
        let token = outbox.token().await;
        tokio::time::sleep(Duration::from_secs(120)).await;
        assert_eq!(callbacks.send_task_success(&token, json!("late")), Err(CallbackError::TaskTimedOut));
    })
    .await;
    assert_eq!(outcome.status, Status::Succeeded);
    let output = outcome.output.unwrap();
    assert_eq!(output["escalated"], json!({ "Error": "States.Timeout", "Cause": "" }));
    assert_eq!(output["escalation"], json!("to the manager"));
    assert_eq!(elapsed, Duration::from_secs(120));
    assert!(types(&execution).contains(&EventType::TaskTimedOut));
}

#[tokio::test(start_paused = true)]
async fn heartbeats_keep_a_task_alive_until_they_stop() {
    let input = json!({ "order": 7, "timeout": 3600, "heartbeat": 10 });
    let (outcome, execution, _) = approval(input, |callbacks, outbox, clock| async move {
        let token = outbox.token().await;
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_secs(8)).await;
            callbacks.send_task_heartbeat(&token).unwrap();
        }
        // Silence: the heartbeat timeout fires 10 s after the last heartbeat (t = 34 s).
        tokio::time::sleep(Duration::from_secs(20)).await;
        assert_eq!(clock.elapsed(), Duration::from_secs(44));
        assert_eq!(callbacks.send_task_heartbeat(&token), Err(CallbackError::TaskTimedOut));
    })
    .await;
    let output = outcome.output.unwrap();
    // A heartbeat timeout is reported as States.Timeout.
    assert_eq!(output["escalated"]["Error"], json!("States.Timeout"));
    let timed_out = execution.history().iter().find(|event| event.kind == EventType::TaskTimedOut).unwrap();
    assert_eq!(timed_out.timestamp - START, time::Duration::seconds(34));
}

#[tokio::test(start_paused = true)]
async fn a_failure_sent_for_the_token_fails_the_task() {
    let input = json!({ "order": 7, "timeout": 3600, "heartbeat": 3600 });
    let (outcome, _, _) = approval(input, |callbacks, outbox, _| async move {
        let token = outbox.token().await;
        callbacks.send_task_failure(&token, "Rejected", "not in stock").unwrap();
    })
    .await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("Rejected"));
    assert_eq!(outcome.cause.as_deref(), Some("not in stock"));
}

#[tokio::test(start_paused = true)]
async fn an_activity_worker_takes_the_work_and_answers() {
    let callbacks = Callbacks::new();
    let clock = VirtualClock::starting_at(START);
    let execution = start(&activity::WORKFLOW, json!({ "box": "large" }), &clock);
    let mut driver = Driver::with_callbacks(&activity::WORKFLOW, &activity::Typed(()), &clock, &callbacks, execution);
    let arn = "arn:aws:states:us-east-1:123456789012:activity:packing";
    let worker = async {
        let work = callbacks.get_activity_task(arn, Duration::from_secs(60), &clock).await.expect("work");
        assert_eq!(work.input, json!({ "box": "large" }));
        tokio::time::sleep(Duration::from_secs(20)).await;
        callbacks.send_task_heartbeat(&work.task_token).unwrap();
        tokio::time::sleep(Duration::from_secs(20)).await;
        callbacks.send_task_success(&work.task_token, json!({ "packed": true })).unwrap();
        // Nothing else to do: the poll times out empty, or ends early when told to stop.
        assert_eq!(callbacks.get_activity_task(arn, Duration::from_secs(60), &clock).await, None);
        let polling = tokio::time::Instant::now();
        let stop = tokio::time::sleep(Duration::from_secs(5));
        assert_eq!(callbacks.get_activity_task_or(arn, None, Duration::from_secs(60), &clock, stop).await, None);
        assert_eq!(polling.elapsed(), Duration::from_secs(5));
    };
    let (outcome, ()) = tokio::join!(driver.run(), worker);
    assert_eq!(outcome.output, Some(json!({ "packed": true })));
    assert_eq!(
        types(driver.execution()),
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
}
