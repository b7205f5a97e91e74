//! Redrive on the engine alone: executions run by a [`Driver`] to their end, redriven, and
//! run again by a new driver.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};
use time::macros::datetime;

use super::*;
use crate::clock::{Clock, VirtualClock};
use crate::context::ExecutionInfo;
use crate::error::Error;
use crate::execution::{BoxFuture, Driver, HistoryEvent, TaskCall, TaskHandler};

const START: OffsetDateTime = datetime!(2025-01-01 00:00 UTC);

fn check(
    status: Option<Status>,
    stop: OffsetDateTime,
    events: usize,
    now: OffsetDateTime,
) -> Result<(), NotRedrivable> {
    redrivability(status, false, START, Some(stop), events, now)
}

#[test]
fn only_unsuccessful_standard_executions_are_redrivable() {
    let stop = datetime!(2025-01-02 00:00 UTC);
    for status in [Status::Failed, Status::TimedOut, Status::Aborted] {
        assert_eq!(check(Some(status), stop, 10, stop), Ok(()));
    }
    assert_eq!(check(None, stop, 10, stop), Err(NotRedrivable::Running));
    assert_eq!(check(Some(Status::Succeeded), stop, 10, stop), Err(NotRedrivable::Succeeded));
    let express = redrivability(Some(Status::Failed), true, START, Some(stop), 10, stop);
    assert_eq!(express, Err(NotRedrivable::Express));
}

#[test]
fn limits_of_history_time_and_period() {
    let stop = datetime!(2025-01-02 00:00 UTC);
    let failed = Some(Status::Failed);
    assert_eq!(check(failed, stop, 24_998, stop), Ok(()));
    assert_eq!(check(failed, stop, 24_999, stop), Err(NotRedrivable::HistoryLimit));
    // 14 days after the end, to the second.
    assert_eq!(check(failed, stop, 10, datetime!(2025-01-16 00:00 UTC)), Ok(()));
    let late = datetime!(2025-01-16 00:00:01 UTC);
    assert_eq!(check(failed, stop, 10, late), Err(NotRedrivable::RedrivablePeriod));
    // A year after the start, even if it ended yesterday.
    let year = datetime!(2026-01-01 00:00:01 UTC);
    assert_eq!(check(failed, datetime!(2025-12-31 00:00 UTC), 10, year), Err(NotRedrivable::MaxExecutionTime));
}

#[test]
fn reasons_are_aws_words() {
    assert_eq!(NotRedrivable::Succeeded.to_string(), "Execution is SUCCEEDED and cannot be redriven");
    assert_eq!(NotRedrivable::RedrivablePeriod.reason(), "Execution redrivable period exceeded");
}

/// `definition` loaded as the runtime runs it.
fn load(definition: Value) -> &'static Workflow {
    let source = asl_codegen::Source::new("redrive.asl.json", definition.to_string());
    asl_codegen::load(&source, &asl_codegen::Settings::new()).unwrap_or_else(|e| panic!("{e:?}")).workflow
}

/// A Task handler that fails (`Boom`) for the states and inputs it is told to, answers
/// `{"<state>": <input>}` otherwise, and remembers every call.
#[derive(Default)]
struct Script {
    /// States whose tasks fail.
    failing_states: Mutex<Vec<&'static str>>,
    /// Inputs whose tasks fail.
    failing_inputs: Mutex<Vec<Value>>,
    /// Tasks that take a minute, of the clock the test runs on.
    slow_states: Mutex<Vec<&'static str>>,
    /// Each call: the state, its input, its `$$`.
    calls: Mutex<Vec<(&'static str, Value, Value)>>,
}

impl Script {
    fn failing(states: &[&'static str]) -> Script {
        Script { failing_states: Mutex::new(states.to_vec()), ..Script::default() }
    }

    fn fix(&self) {
        self.failing_states.lock().unwrap().clear();
        self.failing_inputs.lock().unwrap().clear();
        self.slow_states.lock().unwrap().clear();
    }

    /// The inputs of the calls of `state`.
    fn calls_of(&self, state: &str) -> Vec<Value> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(name, ..)| *name == state)
            .map(|(_, input, _)| input.clone())
            .collect()
    }

    /// The `$$` of the last call.
    fn last_context(&self) -> Value {
        self.calls.lock().unwrap().last().map(|(.., context)| context.clone()).unwrap_or_default()
    }
}

impl TaskHandler for Script {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        self.calls.lock().unwrap().push((call.state, call.input.clone(), call.context.clone()));
        let fails = self.failing_states.lock().unwrap().contains(&call.state)
            || self.failing_inputs.lock().unwrap().contains(&call.input);
        let slow = self.slow_states.lock().unwrap().contains(&call.state);
        let output = json!({ call.state: call.input });
        Box::pin(async move {
            if slow {
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
            if fails { Err(Error::new("Boom", "it broke")) } else { Ok(output) }
        })
    }
}

fn clock() -> VirtualClock {
    VirtualClock::starting_at(START)
}

/// `workflow` run from the start with `input` until it ends.
async fn run(workflow: &'static Workflow, handler: &Script, clock: &VirtualClock, input: Value) -> Execution {
    let info = ExecutionInfo::new(workflow.name, "run", clock.now(), input.clone());
    let execution = Execution::start(workflow, info, input, clock.now());
    resume(workflow, handler, clock, execution).await
}

/// `execution` run on until it ends.
async fn resume(
    workflow: &'static Workflow,
    handler: &Script,
    clock: &VirtualClock,
    execution: Execution,
) -> Execution {
    let mut driver = Driver::new(workflow, handler, clock, execution);
    driver.run().await;
    driver.into_execution()
}

/// `execution` redriven a minute later and run on until it ends.
async fn redriven(
    workflow: &'static Workflow,
    handler: &Script,
    clock: &VirtualClock,
    mut execution: Execution,
) -> Execution {
    tokio::time::sleep(Duration::from_secs(60)).await;
    execution.redrive(workflow, clock.now()).unwrap();
    assert!(execution.outcome().is_none());
    resume(workflow, handler, clock, execution).await
}

fn kinds(history: &[HistoryEvent]) -> Vec<EventType> {
    history.iter().map(|event| event.kind).collect()
}

/// The events from `ExecutionRedriven` on.
fn since_redrive(history: &[HistoryEvent]) -> &[HistoryEvent] {
    let at = history.iter().position(|event| event.kind == EventType::ExecutionRedriven).unwrap();
    &history[at..]
}

fn status(execution: &Execution) -> Status {
    execution.outcome().unwrap().status
}

/// Ids from 1 without gaps, and each `previousEventId` an earlier event.
fn assert_well_formed(history: &[HistoryEvent]) {
    for (i, event) in history.iter().enumerate() {
        assert_eq!(event.id, i as u64 + 1, "{history:#?}");
        assert!(event.previous_event_id < event.id, "{event:?}");
    }
}

fn sequence() -> &'static Workflow {
    load(json!({
        "StartAt": "First",
        "States": {
            "First": { "Type": "Pass", "Result": 1, "ResultPath": "$.first", "Next": "Work" },
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                "Retry": [{ "ErrorEquals": ["Boom"], "IntervalSeconds": 1, "MaxAttempts": 1 }],
                "ResultPath": "$.work",
                "Next": "After"
            },
            "After": { "Type": "Pass", "End": true }
        }
    }))
}

#[tokio::test(start_paused = true)]
async fn a_failed_task_runs_again_with_its_input_and_the_rest_goes_on() {
    let workflow = sequence();
    let (handler, clock) = (Script::failing(&["Work"]), clock());
    let failed = run(workflow, &handler, &clock, json!({ "n": 7 })).await;
    assert_eq!(status(&failed), Status::Failed);
    assert_eq!(failed.outcome().unwrap().error.as_deref(), Some("Boom"));
    let before = failed.history().len();

    handler.fix();
    let done = redriven(workflow, &handler, &clock, failed).await;
    assert_eq!(status(&done), Status::Succeeded);
    let expected = json!({ "n": 7, "first": 1, "work": { "Work": { "n": 7, "first": 1 } } });
    assert_eq!(done.outcome().unwrap().output, Some(expected));
    // Two attempts (a retry) then the redriven one, all with the state's input.
    assert_eq!(handler.calls_of("Work"), vec![json!({ "n": 7, "first": 1 }); 3]);

    let history = done.history();
    assert_well_formed(history);
    let again = since_redrive(history);
    assert_eq!(again.len(), history.len() - before);
    assert_eq!(
        kinds(again),
        [
            EventType::ExecutionRedriven,
            EventType::TaskStateEntered,
            EventType::LambdaFunctionScheduled,
            EventType::LambdaFunctionStarted,
            EventType::LambdaFunctionSucceeded,
            EventType::TaskStateExited,
            EventType::PassStateEntered,
            EventType::PassStateExited,
            EventType::ExecutionSucceeded,
        ]
    );
    let redriven = &again[0];
    assert_eq!(redriven.previous_event_id, redriven.id - 1, "it follows the execution's end");
    assert_eq!(redriven.details.as_ref().unwrap().redrive_count, Some(1));
    assert_eq!(again[1].previous_event_id, redriven.id);
    assert_eq!(again[1].details.as_ref().unwrap().input.as_deref(), Some(r#"{"n":7,"first":1}"#));
    // `First` ran once.
    assert_eq!(history.iter().filter(|e| e.kind == EventType::PassStateEntered).count(), 2);

    // `$$.Execution` of the redriven run; the retry counter starts again.
    let context = handler.last_context();
    assert_eq!(context["Execution"]["RedriveCount"], json!(1));
    assert_eq!(context["Execution"]["RedriveTime"], json!("2025-01-01T00:01:01.000Z"));
    assert_eq!(context["State"]["RetryCount"], json!(0));
    assert_eq!(done.info().redrive_count, 1);
}

#[tokio::test(start_paused = true)]
async fn an_execution_can_be_redriven_again_and_fail_again() {
    let workflow = sequence();
    let (handler, clock) = (Script::failing(&["Work"]), clock());
    let failed = run(workflow, &handler, &clock, json!({})).await;
    let again = redriven(workflow, &handler, &clock, failed).await;
    assert_eq!(status(&again), Status::Failed);
    let twice = redriven(workflow, &handler, &clock, again).await;
    assert_eq!(status(&twice), Status::Failed);
    assert_eq!(twice.info().redrive_count, 2);
    let counts: Vec<Option<u64>> = twice
        .history()
        .iter()
        .filter(|e| e.kind == EventType::ExecutionRedriven)
        .map(|e| e.details.as_ref().unwrap().redrive_count)
        .collect();
    assert_eq!(counts, [Some(1), Some(2)]);
    assert_eq!(handler.calls_of("Work").len(), 6);
    assert_well_formed(twice.history());
}

#[tokio::test(start_paused = true)]
async fn a_state_that_failed_on_entry_is_entered_again_with_the_input_it_had() {
    // The Pass state's `InputPath` selects nothing: its input is used up before it fails.
    let workflow = load(json!({
        "StartAt": "First",
        "States": {
            "First": { "Type": "Pass", "Next": "Pick" },
            "Pick": { "Type": "Pass", "InputPath": "$.missing", "End": true }
        }
    }));
    let (handler, clock) = (Script::default(), clock());
    let failed = run(workflow, &handler, &clock, json!({ "a": [1, 2] })).await;
    assert_eq!(failed.outcome().unwrap().error.as_deref(), Some("States.Runtime"));
    let again = redriven(workflow, &handler, &clock, failed).await;
    assert_eq!(status(&again), Status::Failed);
    let entered = since_redrive(again.history())[1].details.as_ref().unwrap();
    assert_eq!(entered.name.as_deref(), Some("Pick"));
    assert_eq!(entered.input.as_deref(), Some(r#"{"a":[1,2]}"#));
}

#[tokio::test(start_paused = true)]
async fn a_fail_state_fails_again() {
    let workflow = load(json!({
        "StartAt": "Stop",
        "States": { "Stop": { "Type": "Fail", "Error": "Stopped", "Cause": "on purpose" } }
    }));
    let (handler, clock) = (Script::default(), clock());
    let failed = run(workflow, &handler, &clock, json!({})).await;
    let again = redriven(workflow, &handler, &clock, failed).await;
    assert_eq!(again.outcome().unwrap().error.as_deref(), Some("Stopped"));
    assert_eq!(
        kinds(since_redrive(again.history())),
        [EventType::ExecutionRedriven, EventType::FailStateEntered, EventType::ExecutionFailed]
    );
}

#[tokio::test(start_paused = true)]
async fn only_the_failed_branch_of_a_parallel_runs_again() {
    let workflow = load(json!({
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    { "StartAt": "A", "States": { "A": {
                        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:a", "End": true
                    } } },
                    { "StartAt": "B1", "States": {
                        "B1": { "Type": "Pass", "Result": "b", "Next": "B2" },
                        "B2": {
                            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:b", "End": true
                        }
                    } }
                ],
                "Next": "Done"
            },
            "Done": { "Type": "Succeed" }
        }
    }));
    let (handler, clock) = (Script::failing(&["B2"]), clock());
    let failed = run(workflow, &handler, &clock, json!({ "x": 1 })).await;
    assert_eq!(status(&failed), Status::Failed);
    handler.fix();
    let done = redriven(workflow, &handler, &clock, failed).await;
    assert_eq!(status(&done), Status::Succeeded);
    assert_eq!(done.outcome().unwrap().output, Some(json!([{ "A": { "x": 1 } }, { "B2": "b" }])));
    assert_eq!(handler.calls_of("A").len(), 1);
    assert_eq!(handler.calls_of("B2").len(), 2);
    let history = done.history();
    assert_well_formed(history);
    let again = since_redrive(history);
    assert_eq!(
        kinds(again),
        [
            EventType::ExecutionRedriven,
            EventType::ParallelStateEntered,
            EventType::ParallelStateStarted,
            EventType::TaskStateEntered,
            EventType::LambdaFunctionScheduled,
            EventType::LambdaFunctionStarted,
            EventType::LambdaFunctionSucceeded,
            EventType::TaskStateExited,
            EventType::ParallelStateSucceeded,
            EventType::ParallelStateExited,
            EventType::SucceedStateEntered,
            EventType::SucceedStateExited,
            EventType::ExecutionSucceeded,
        ]
    );
    // The branch's events start at the new ParallelStateStarted; B1 did not run again.
    assert_eq!(again[3].previous_event_id, again[2].id);
    assert_eq!(again[1].details.as_ref().unwrap().input.as_deref(), Some(r#"{"x":1}"#));
}

fn map(concurrency: u32) -> &'static Workflow {
    load(json!({
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": concurrency,
                "ItemProcessor": {
                    "ProcessorConfig": { "Mode": "INLINE" },
                    "StartAt": "Item",
                    "States": { "Item": {
                        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:item", "End": true
                    } }
                },
                "End": true
            }
        }
    }))
}

#[tokio::test(start_paused = true)]
async fn only_the_failed_iteration_of_a_map_runs_again() {
    let workflow = map(0);
    let (handler, clock) = (Script::default(), clock());
    handler.failing_inputs.lock().unwrap().push(json!(2));
    let failed = run(workflow, &handler, &clock, json!([1, 2, 3])).await;
    assert_eq!(status(&failed), Status::Failed);
    handler.fix();
    let done = redriven(workflow, &handler, &clock, failed).await;
    assert_eq!(status(&done), Status::Succeeded);
    assert_eq!(done.outcome().unwrap().output, Some(json!([{ "Item": 1 }, { "Item": 2 }, { "Item": 3 }])));
    // Item 2's failure stopped item 3 before its task ran: both run after the redrive,
    // item 1 does not.
    assert_eq!(handler.calls_of("Item"), [json!(1), json!(2), json!(2), json!(3)]);
    let history = done.history();
    assert_well_formed(history);
    let again = since_redrive(history);
    assert_eq!(
        kinds(&again[..4]),
        [
            EventType::ExecutionRedriven,
            EventType::MapStateEntered,
            EventType::MapStateStarted,
            EventType::MapIterationStarted
        ]
    );
    let started: Vec<Option<u64>> = again
        .iter()
        .filter(|e| e.kind == EventType::MapIterationStarted)
        .map(|e| e.details.as_ref().unwrap().index)
        .collect();
    assert_eq!(started, [Some(1), Some(2)]);
    assert_eq!(again[2].details.as_ref().unwrap().length, Some(3));
    assert_eq!(again[3].previous_event_id, again[2].id);
}

#[tokio::test(start_paused = true)]
async fn items_a_failed_map_never_started_start_after_a_redrive() {
    // One at a time: item 2 fails, item 3 never starts.
    let workflow = map(1);
    let (handler, clock) = (Script::default(), clock());
    handler.failing_inputs.lock().unwrap().push(json!(2));
    let failed = run(workflow, &handler, &clock, json!([1, 2, 3])).await;
    assert_eq!(handler.calls_of("Item"), [json!(1), json!(2)]);
    handler.fix();
    let done = redriven(workflow, &handler, &clock, failed).await;
    assert_eq!(done.outcome().unwrap().output, Some(json!([{ "Item": 1 }, { "Item": 2 }, { "Item": 3 }])));
    assert_eq!(handler.calls_of("Item"), [json!(1), json!(2), json!(2), json!(3)]);
    assert_well_formed(done.history());
}

#[tokio::test(start_paused = true)]
async fn a_map_that_failed_in_a_nested_parallel_resumes_inside_it() {
    let workflow = load(json!({
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": { "Mode": "INLINE" },
                    "StartAt": "Pair",
                    "States": { "Pair": {
                        "Type": "Parallel",
                        "Branches": [
                            { "StartAt": "L", "States": { "L": {
                                "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:l", "End": true
                            } } },
                            { "StartAt": "R", "States": { "R": {
                                "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:r", "End": true
                            } } }
                        ],
                        "End": true
                    } }
                },
                "End": true
            }
        }
    }));
    let (handler, clock) = (Script::failing(&["R"]), clock());
    let failed = run(workflow, &handler, &clock, json!(["only"])).await;
    assert_eq!(status(&failed), Status::Failed);
    handler.fix();
    let done = redriven(workflow, &handler, &clock, failed).await;
    assert_eq!(status(&done), Status::Succeeded);
    assert_eq!(done.outcome().unwrap().output, Some(json!([[{ "L": "only" }, { "R": "only" }]])));
    assert_eq!((handler.calls_of("L").len(), handler.calls_of("R").len()), (1, 2));
    let history = done.history();
    assert_well_formed(history);
    assert_eq!(
        kinds(&since_redrive(history)[..7]),
        [
            EventType::ExecutionRedriven,
            EventType::MapStateEntered,
            EventType::MapStateStarted,
            EventType::MapIterationStarted,
            EventType::ParallelStateEntered,
            EventType::ParallelStateStarted,
            EventType::TaskStateEntered,
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_state_that_failed_for_too_much_data_runs_again_whole() {
    let workflow = load(json!({
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    { "StartAt": "A", "States": { "A": {
                        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:a", "End": true
                    } } },
                    { "StartAt": "B", "States": { "B": {
                        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:b", "End": true
                    } } }
                ],
                "End": true
            }
        }
    }));
    // B's result is too large: the Parallel fails with States.DataLimitExceeded.
    let big = "x".repeat(300_000);
    let (handler, clock) = (Script::default(), clock());
    let failed = run(workflow, &handler, &clock, json!(big)).await;
    assert_eq!(failed.outcome().unwrap().error.as_deref(), Some("States.DataLimitExceeded"));
    let calls = handler.calls_of("A").len();
    let again = redriven(workflow, &handler, &clock, failed).await;
    assert_eq!(status(&again), Status::Failed);
    // Both branches ran again.
    assert_eq!(handler.calls_of("A").len(), calls * 2);
}

#[tokio::test(start_paused = true)]
async fn a_stopped_execution_takes_up_the_state_it_was_in() {
    let workflow = load(json!({
        "StartAt": "First",
        "States": {
            "First": { "Type": "Pass", "Next": "Nap" },
            "Nap": { "Type": "Wait", "Seconds": 3600, "Next": "Work" },
            "Work": { "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": true }
        }
    }));
    let (handler, clock) = (Script::default(), clock());
    let info = ExecutionInfo::new(workflow.name, "run", clock.now(), json!({}));
    let mut driver = Driver::new(workflow, &handler, &clock, Execution::start(workflow, info, json!({}), clock.now()));
    while driver.execution().history().last().map(|e| e.kind) != Some(EventType::WaitStateEntered) {
        assert!(driver.advance().await);
    }
    driver.stop(Some("Halt".into()), None);
    let stopped = driver.into_execution();
    assert_eq!(status(&stopped), Status::Aborted);
    assert_eq!(stopped.history().last().map(|e| e.kind), Some(EventType::ExecutionAborted));
    let done = redriven(workflow, &handler, &clock, stopped).await;
    assert_eq!(status(&done), Status::Succeeded);
    // The Wait is entered again and waits its hour again.
    let again = since_redrive(done.history());
    assert_eq!(
        kinds(&again[..3]),
        [EventType::ExecutionRedriven, EventType::WaitStateEntered, EventType::WaitStateExited]
    );
    assert_eq!(again[2].timestamp - again[1].timestamp, time::Duration::hours(1));
    assert_well_formed(done.history());
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_execution_gets_its_timeout_again() {
    let workflow = load(json!({
        "TimeoutSeconds": 30,
        "StartAt": "Work",
        "States": {
            "Work": { "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": true }
        }
    }));
    let (handler, clock) = (Script::default(), clock());
    handler.slow_states.lock().unwrap().push("Work");
    let timed_out = run(workflow, &handler, &clock, json!({})).await;
    assert_eq!(status(&timed_out), Status::TimedOut);
    // Redriven long after the original deadline: the 30 seconds count from the redrive.
    handler.fix();
    let done = redriven(workflow, &handler, &clock, timed_out).await;
    assert_eq!(status(&done), Status::Succeeded);
    assert_eq!(handler.calls_of("Work").len(), 2);
}

#[tokio::test(start_paused = true)]
async fn what_cannot_be_redriven_is_left_as_it_was() {
    let workflow = sequence();
    let (handler, clock) = (Script::default(), clock());
    let mut succeeded = run(workflow, &handler, &clock, json!({})).await;
    let before = succeeded.clone();
    assert_eq!(succeeded.redrive(workflow, clock.now()), Err(NotRedrivable::Succeeded));
    assert_eq!(succeeded, before);

    let info = ExecutionInfo::new(workflow.name, "run", clock.now(), json!({}));
    let mut running = Execution::start(workflow, info, json!({}), clock.now());
    assert_eq!(running.redrive(workflow, clock.now()), Err(NotRedrivable::Running));

    handler.failing_states.lock().unwrap().push("Work");
    let mut failed = run(workflow, &handler, &clock, json!({})).await;
    let late = clock.now() + time::Duration::days(15);
    assert_eq!(failed.redrive(workflow, late), Err(NotRedrivable::RedrivablePeriod));
    assert!(failed.outcome().is_some());
}
