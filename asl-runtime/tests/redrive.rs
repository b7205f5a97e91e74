//! `Runtime::redrive`: executions of a store that failed, timed out or were stopped, run
//! again from where they stopped — and what cannot be redriven. The engine's side of it
//! (every kind of state) is tested in `src/execution/redrive/tests.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_runtime::Error;
use asl_runtime::Runtime;
use asl_runtime::clock::VirtualClock;
use asl_runtime::execution::{BoxFuture, EventType, HistoryEvent, Status, TaskCall, TaskHandler};
use asl_runtime::runtime::{ExecutionStatus, NotRedrivable, RedriveError, RedriveStatus};
use asl_runtime::store::{ExecutionQuery, HistoryQuery, MemoryStore, SqliteStore, Store};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

mod order {
    asl_runtime::include_asl!("tests/workflows/redrive_order.asl.json");
}

mod map {
    asl_runtime::include_asl!("tests/workflows/redrive_map.asl.json");
}

mod parallel {
    asl_runtime::include_asl!("tests/workflows/redrive_parallel.asl.json");
}

mod deadline {
    asl_runtime::include_asl!("tests/workflows/redrive_deadline.asl.json");
}

const START: OffsetDateTime = datetime!(2025-02-01 08:00:00 UTC);

fn clock() -> VirtualClock {
    VirtualClock::starting_at(START)
}

/// A Task handler that fails (`Declined`) for the states and inputs it is told to, takes
/// ten minutes for the states it is told to, answers `{"<state>": <input>}` otherwise, and
/// remembers every call.
#[derive(Default)]
struct Script {
    failing_states: Mutex<Vec<&'static str>>,
    failing_inputs: Mutex<Vec<Value>>,
    slow_states: Mutex<Vec<&'static str>>,
    calls: Mutex<Vec<(&'static str, Value)>>,
}

impl Script {
    fn failing(states: &[&'static str]) -> Arc<Script> {
        Arc::new(Script { failing_states: Mutex::new(states.to_vec()), ..Script::default() })
    }

    fn fix(&self) {
        self.failing_states.lock().unwrap().clear();
        self.failing_inputs.lock().unwrap().clear();
        self.slow_states.lock().unwrap().clear();
    }

    fn calls_of(&self, state: &str) -> Vec<Value> {
        self.calls.lock().unwrap().iter().filter(|(name, _)| *name == state).map(|(_, input)| input.clone()).collect()
    }
}

impl TaskHandler for Script {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        self.calls.lock().unwrap().push((call.state, call.input.clone()));
        let fails = self.failing_states.lock().unwrap().contains(&call.state)
            || self.failing_inputs.lock().unwrap().contains(&call.input);
        let slow = self.slow_states.lock().unwrap().contains(&call.state);
        let output = json!({ call.state: call.input });
        Box::pin(async move {
            if slow {
                tokio::time::sleep(Duration::from_secs(600)).await;
            }
            if fails { Err(Error::new("Declined", "card declined")) } else { Ok(output) }
        })
    }
}

/// Every history event the store has for `arn`.
async fn stored_history(store: &dyn Store, arn: &str) -> Vec<HistoryEvent> {
    let page = store.history(arn, HistoryQuery { max_results: 1000, ..HistoryQuery::default() }).await.unwrap();
    page.items.iter().map(|row| serde_json::from_str(&row.event).unwrap()).collect()
}

/// Ids from 1 without gaps, and each `previousEventId` an earlier event.
fn assert_well_formed(history: &[HistoryEvent]) {
    for (i, event) in history.iter().enumerate() {
        assert_eq!(event.id, i as u64 + 1, "{history:#?}");
        assert!(event.previous_event_id < event.id, "{event:?}");
    }
}

fn count(history: &[HistoryEvent], kind: EventType) -> usize {
    history.iter().filter(|event| event.kind == kind).count()
}

/// The names of the states entered from `ExecutionRedriven` on.
fn entered_since_redrive(history: &[HistoryEvent]) -> Vec<String> {
    let at = history.iter().rposition(|event| event.kind == EventType::ExecutionRedriven).unwrap();
    history[at..]
        .iter()
        .filter(|event| event.kind.name().ends_with("StateEntered"))
        .filter_map(|event| event.details.as_ref()?.name.as_deref().map(str::to_owned))
        .collect()
}

/// A runtime over `store` with the test workflows registered, their tasks run by `handler`.
fn runtime(store: Arc<dyn Store>, handler: Arc<Script>) -> Runtime {
    let runtime = Runtime::builder(clock()).store(store).build();
    runtime.register(&order::WORKFLOW, handler.clone());
    runtime.register(&map::WORKFLOW, handler.clone());
    runtime.register(&parallel::WORKFLOW, handler.clone());
    runtime.register(&deadline::WORKFLOW, handler);
    runtime
}

#[tokio::test(start_paused = true)]
async fn a_failed_task_runs_again_and_the_execution_goes_on_as_if_it_had_succeeded() {
    let store = Arc::new(MemoryStore::new());
    let handler = Script::failing(&["Charge"]);
    let runtime = runtime(store.clone(), handler.clone());
    let handle = runtime.start(&order::WORKFLOW, handler.clone(), "order-1", json!({ "id": 7 })).unwrap();
    let outcome = handle.wait().await;
    assert_eq!((outcome.status, outcome.error.as_deref()), (Status::Failed, Some("Declined")));
    let arn = handle.arn();
    let failed = store.execution(&arn).await.unwrap().unwrap();
    assert_eq!(failed.status, ExecutionStatus::Failed);
    assert_eq!(runtime.redrive_status(&failed).await.unwrap(), RedriveStatus::Redrivable);
    let events_before = stored_history(&*store, &arn).await.len();

    handler.fix();
    tokio::time::sleep(Duration::from_secs(300)).await;
    let redriven_at = START + time::Duration::seconds(301);
    let redriven = runtime.redrive(&arn).await.unwrap();
    assert_eq!(redriven.arn(), arn);
    // Committed before it runs on: RUNNING in the store, with its redrive.
    let record = store.execution(&arn).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Running);
    assert_eq!((record.redrive_count, record.redrive_date), (1, Some(redriven_at)));
    assert_eq!((record.stop_date, record.error.as_deref()), (None, None));
    let running = runtime.redrive_status(&record).await.unwrap();
    assert_eq!(running, RedriveStatus::NotRedrivable(NotRedrivable::Running));
    assert_eq!(running.reason(), Some("Execution is RUNNING and cannot be redriven"));
    let described = redriven.describe();
    assert_eq!((described.status, described.redrive_count), (ExecutionStatus::Running, 1));
    assert_eq!(described.redrive_date, Some(redriven_at));
    assert_eq!(described.start_date, handle.describe().start_date);

    let outcome = redriven.wait().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    // As if the Task had succeeded the first time; `$$.Execution.RedriveCount` says 1.
    let charged = json!({ "Charge": { "id": 7, "prep": { "prepared": true } } });
    assert_eq!(outcome.output, Some(json!({ "charge": charged, "redrives": 1 })));
    // Two failed attempts (one retry), then the redriven one, with the state's input.
    assert_eq!(handler.calls_of("Charge"), vec![json!({ "id": 7, "prep": { "prepared": true } }); 3]);

    let history = stored_history(&*store, &arn).await;
    assert_well_formed(&history);
    assert_eq!(history, redriven.history());
    let failed_at = history.iter().position(|event| event.kind == EventType::ExecutionFailed).unwrap();
    assert_eq!(failed_at + 1, events_before);
    let redrive = &history[failed_at + 1];
    assert_eq!((redrive.kind, redrive.previous_event_id), (EventType::ExecutionRedriven, history[failed_at].id));
    assert_eq!(redrive.details.as_ref().unwrap().redrive_count, Some(1));
    assert_eq!(redrive.timestamp, redriven_at);
    let json = serde_json::to_value(redrive).unwrap();
    assert_eq!(json["executionRedrivenEventDetails"], json!({ "redriveCount": 1 }));
    // Nothing before the failed state ran again.
    assert_eq!(entered_since_redrive(&history), ["Charge", "Settle", "Done"]);
    assert_eq!(count(&history, EventType::PassStateEntered), 2);
    assert_eq!(count(&history, EventType::ExecutionStarted), 1);

    let record = store.execution(&arn).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert_eq!((record.redrive_count, record.redrive_date), (1, Some(redriven_at)));
    let listed = store.executions(ExecutionQuery::of(record.state_machine_arn.clone())).await.unwrap().items;
    assert_eq!((listed[0].redrive_count, listed[0].redrive_date), (1, Some(redriven_at)));
    assert_eq!(runtime.redrive_status(&record).await.unwrap(), RedriveStatus::NotRedrivable(NotRedrivable::Succeeded));
}

#[tokio::test(start_paused = true)]
async fn only_the_failed_iteration_of_a_map_runs_again() {
    let store = Arc::new(MemoryStore::new());
    let handler = Arc::new(Script::default());
    handler.failing_inputs.lock().unwrap().push(json!("b"));
    let runtime = runtime(store.clone(), handler.clone());
    let items = json!({ "items": ["a", "b"] });
    let handle = runtime.start(&map::WORKFLOW, handler.clone(), "map-1", items).unwrap();
    assert_eq!(handle.wait().await.status, Status::Failed);
    assert_eq!(handler.calls_of("Item"), [json!("a"), json!("b")]);

    handler.fix();
    let outcome = runtime.redrive(&handle.arn()).await.unwrap().wait().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output, Some(json!([{ "Item": "a" }, { "Item": "b" }])));
    assert_eq!(handler.calls_of("Item"), [json!("a"), json!("b"), json!("b")]);
    let history = stored_history(&*store, &handle.arn()).await;
    assert_well_formed(&history);
    assert_eq!(entered_since_redrive(&history), ["Each", "Item"]);
    let iterations: Vec<u64> = history
        .iter()
        .filter(|event| event.kind == EventType::MapIterationSucceeded)
        .filter_map(|event| event.details.as_ref()?.index)
        .collect();
    assert_eq!(iterations, [0, 1]);
}

#[tokio::test(start_paused = true)]
async fn only_the_failed_branch_of_a_parallel_runs_again() {
    let store = Arc::new(MemoryStore::new());
    let handler = Script::failing(&["Right"]);
    let runtime = runtime(store.clone(), handler.clone());
    let handle = runtime.start(&parallel::WORKFLOW, handler.clone(), "both-1", json!({ "n": 1 })).unwrap();
    assert_eq!(handle.wait().await.status, Status::Failed);

    handler.fix();
    let outcome = runtime.redrive(&handle.arn()).await.unwrap().wait().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output, Some(json!([{ "Left": { "n": 1 } }, { "Right": "right" }])));
    assert_eq!((handler.calls_of("Left").len(), handler.calls_of("Right").len()), (1, 2));
    let history = stored_history(&*store, &handle.arn()).await;
    assert_well_formed(&history);
    assert_eq!(entered_since_redrive(&history), ["Both", "Right", "Joined"]);
}

#[tokio::test(start_paused = true)]
async fn a_stopped_execution_is_redriven_from_the_state_it_was_in() {
    let store = Arc::new(MemoryStore::new());
    let handler = Arc::new(Script::default());
    let runtime = runtime(store.clone(), handler.clone());
    let handle = runtime.start(&order::WORKFLOW, handler.clone(), "stopped", json!({ "id": 1 })).unwrap();
    // Ten minutes into the hour's Wait.
    tokio::time::sleep(Duration::from_secs(600)).await;
    handle.stop(Some("Halt"), Some("by hand"));
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Aborted);
    let record = store.execution(&handle.arn()).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Aborted);
    assert_eq!(runtime.redrive_status(&record).await.unwrap(), RedriveStatus::Redrivable);

    let redriven = runtime.redrive(&handle.arn()).await.unwrap();
    let outcome = redriven.wait().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output.unwrap()["redrives"], json!(1));
    assert_eq!(handler.calls_of("Charge").len(), 1, "the Task that succeeded did not run again");
    let history = stored_history(&*store, &handle.arn()).await;
    assert_well_formed(&history);
    assert_eq!(entered_since_redrive(&history), ["Settle", "Done"]);
    let aborted = history.iter().position(|event| event.kind == EventType::ExecutionAborted).unwrap();
    assert_eq!(history[aborted + 1].kind, EventType::ExecutionRedriven);
    // The Wait, entered again at the redrive, waits its hour again.
    let waited = history.iter().rev().find(|event| event.kind == EventType::WaitStateExited).unwrap();
    assert_eq!(waited.timestamp, history[aborted + 2].timestamp + time::Duration::hours(1));
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_execution_is_redriven_with_its_timeout_counted_again() {
    let store = Arc::new(MemoryStore::new());
    let handler = Arc::new(Script::default());
    handler.slow_states.lock().unwrap().push("Slow");
    let runtime = runtime(store.clone(), handler.clone());
    let handle = runtime.start(&deadline::WORKFLOW, handler.clone(), "late", json!({})).unwrap();
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::TimedOut);
    assert_eq!(store.execution(&handle.arn()).await.unwrap().unwrap().status, ExecutionStatus::TimedOut);

    // An hour later: the minute counts from the redrive, and the task is quick now.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    handler.fix();
    let outcome = runtime.redrive(&handle.arn()).await.unwrap().wait().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output, Some(json!({ "Slow": {} })));
    let history = stored_history(&*store, &handle.arn()).await;
    assert_well_formed(&history);
    assert_eq!(count(&history, EventType::ExecutionTimedOut), 1);
    assert_eq!(entered_since_redrive(&history), ["Slow"]);
}

#[tokio::test(start_paused = true)]
async fn what_cannot_be_redriven_is_refused_with_aws_reasons() {
    let store = Arc::new(MemoryStore::new());
    let handler = Arc::new(Script::default());
    let runtime = runtime(store.clone(), handler.clone());

    // Unknown.
    let unknown = "arn:aws:states:us-east-1:123456789012:execution:redrive_order:nobody";
    assert_eq!(runtime.redrive(unknown).await.unwrap_err(), RedriveError::ExecutionDoesNotExist(unknown.into()));

    // Succeeded.
    let done = runtime.start(&parallel::WORKFLOW, handler.clone(), "done", json!({})).unwrap();
    assert_eq!(done.wait().await.status, Status::Succeeded);
    let refused = runtime.redrive(&done.arn()).await.unwrap_err();
    assert_eq!(refused, RedriveError::NotRedrivable(NotRedrivable::Succeeded));
    assert_eq!(refused.to_string(), "ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven");

    // Running (waiting its hour).
    let running = runtime.start(&order::WORKFLOW, handler.clone(), "running", json!({})).unwrap();
    running.stored().await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(runtime.redrive(&running.arn()).await.unwrap_err(), RedriveError::NotRedrivable(NotRedrivable::Running));
    running.stop(None, None);
    running.wait().await;

    // Twice at once: one wins.
    let arn = running.arn();
    let (first, second) = tokio::join!(runtime.redrive(&arn), runtime.redrive(&arn));
    let won = [first.is_ok(), second.is_ok()];
    assert_eq!(won.iter().filter(|ok| **ok).count(), 1, "{first:?} {second:?}");
    let lost = if won[0] { second.unwrap_err() } else { first.unwrap_err() };
    assert_eq!(lost, RedriveError::NotRedrivable(NotRedrivable::Running));
    let redriven = runtime.execution(&arn).unwrap();
    redriven.stop(None, None);
    redriven.wait().await;
    let history = stored_history(&*store, &arn).await;
    assert_eq!(count(&history, EventType::ExecutionRedriven), 1);
    assert_well_formed(&history);

    // Fifteen days after its end.
    tokio::time::sleep(Duration::from_secs(15 * 24 * 3600)).await;
    let refused = runtime.redrive(&arn).await.unwrap_err();
    assert_eq!(refused, RedriveError::NotRedrivable(NotRedrivable::RedrivablePeriod));
    let record = store.execution(&arn).await.unwrap().unwrap();
    let status = runtime.redrive_status(&record).await.unwrap();
    assert_eq!((status.name(), status.reason()), ("NOT_REDRIVABLE", Some("Execution redrivable period exceeded")));

    // A runtime that does not know the state machine.
    let other = Runtime::builder(clock()).store(store.clone()).build();
    let failed = runtime.start(&order::WORKFLOW, Script::failing(&["Charge"]), "declined", json!({})).unwrap();
    failed.wait().await;
    let refused = other.redrive(&failed.arn()).await.unwrap_err();
    assert_eq!(refused, RedriveError::NotRedrivable(NotRedrivable::StateMachineDeleted));

    // A runtime without a store.
    let plain = Runtime::new(clock());
    assert_eq!(plain.redrive(&failed.arn()).await.unwrap_err(), RedriveError::NoStore);
}

/// Runs `work` on a tokio runtime of its own with paused time, then drops that runtime with
/// whatever it still runs: its tasks vanish mid-execution, as in a crash.
fn in_a_process_that_dies<T>(work: impl Future<Output = T>) -> T {
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    let result = tokio.block_on(work);
    tokio.shutdown_background();
    result
}

#[test]
fn a_redrive_survives_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("executions.sqlite");
    let handler = Script::failing(&["Charge"]);

    // The execution fails.
    let arn = in_a_process_that_dies(async {
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        let runtime = runtime(store, handler.clone());
        let handle = runtime.start(&order::WORKFLOW, handler.clone(), "crash", json!({ "id": 3 })).unwrap();
        assert_eq!(handle.wait().await.status, Status::Failed);
        handle.arn()
    });

    // Another process redrives it, and dies ten minutes into the Wait after the Task.
    handler.fix();
    in_a_process_that_dies(async {
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        let runtime = runtime(store, handler.clone());
        runtime.redrive(&arn).await.unwrap();
        // Parked once the Task's result and the Wait are committed (the store answers from
        // its own threads, in real time: paused tokio time would run ahead of it).
        for _ in 0..10_000 {
            if runtime.parked_count() == 1 {
                break;
            }
            tokio::task::yield_now().await;
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(runtime.parked_count(), 1);
        tokio::time::sleep(Duration::from_secs(600)).await;
    });
    assert_eq!(handler.calls_of("Charge").len(), 3);

    // A third takes it up where the redrive's last commit left it.
    in_a_process_that_dies(async {
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        let runtime = runtime(store.clone(), handler.clone());
        let record = store.execution(&arn).await.unwrap().unwrap();
        assert_eq!((record.status, record.redrive_count), (ExecutionStatus::Running, 1));
        assert_eq!(runtime.recover().await.unwrap().resumed, std::slice::from_ref(&arn));
        let handle = runtime.execution(&arn).unwrap();
        assert_eq!(handle.describe().redrive_count, 1);
        let outcome = handle.wait().await;
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        assert_eq!(outcome.output.unwrap()["redrives"], json!(1));
        // The Task that succeeded before the crash did not run again.
        assert_eq!(handler.calls_of("Charge").len(), 3);
        let history = stored_history(&*store, &arn).await;
        assert_well_formed(&history);
        assert_eq!(count(&history, EventType::ExecutionRedriven), 1);
        assert_eq!(entered_since_redrive(&history), ["Charge", "Settle", "Done"]);
        let record = store.execution(&arn).await.unwrap().unwrap();
        assert_eq!((record.status, record.redrive_count), (ExecutionStatus::Succeeded, 1));
    });
}
