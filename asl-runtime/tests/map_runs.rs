//! What a runtime with a store records of a Distributed Map besides its execution: the Map
//! Run ([`MapRun`], for `DescribeMapRun`) with exact counts, and each `STANDARD` child
//! execution once it ended, with its history (for `DescribeExecution`,
//! `GetExecutionHistory` and `ListExecutions` by Map Run). EXPRESS children are counted but
//! not stored, as AWS keeps no record of them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_runtime::Error;
use asl_runtime::Runtime;
use asl_runtime::clock::VirtualClock;
use asl_runtime::execution::{BoxFuture, EventType, HistoryEvent, MapRunUpdate, Status, TaskCall, TaskHandler};
use asl_runtime::map_run::{MapRun, MapRunCounts, MapRunStatus};
use asl_runtime::runtime::ExecutionStatus;
use asl_runtime::store::{ExecutionQuery, HistoryQuery, MemoryStore, SqliteStore, Store};
use serde_json::{Value, json};
use time::macros::datetime;

mod children {
    asl_runtime::include_asl!("tests/workflows/map_run_children.asl.json");
}

mod express {
    asl_runtime::include_asl!("tests/workflows/map_run_express.asl.json");
}

/// Fails (`Declined`) for input 3, takes an hour for the inputs it is told to, and
/// answers its input doubled otherwise.
#[derive(Default)]
struct Check {
    slow: Mutex<Vec<Value>>,
    /// Input 3 no longer fails.
    fixed: std::sync::atomic::AtomicBool,
    calls: Mutex<Vec<Value>>,
}

impl TaskHandler for Check {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let slow = self.slow.lock().unwrap().contains(&call.input);
        self.calls.lock().unwrap().push(call.input.clone());
        let fails = !self.fixed.load(std::sync::atomic::Ordering::SeqCst);
        let input = call.input.clone();
        Box::pin(async move {
            if slow {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            match input.as_i64() {
                Some(3) if fails => Err(Error::new("Declined", "three")),
                Some(n) => Ok(json!(n * 2)),
                None => Ok(input),
            }
        })
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    runtime: Runtime,
    handler: Arc<Check>,
}

/// A runtime over a SQLite file, or (for tests with paused time, which a store answering
/// from its own threads would let run ahead) over memory.
fn setup(sqlite: bool) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = if sqlite {
        Arc::new(SqliteStore::open(dir.path().join("executions.sqlite")).unwrap())
    } else {
        Arc::new(MemoryStore::new())
    };
    let runtime =
        Runtime::builder(VirtualClock::starting_at(datetime!(2025-03-01 09:00:00 UTC))).store(store.clone()).build();
    let handler = Arc::new(Check::default());
    runtime.register(&children::WORKFLOW, handler.clone());
    runtime.register(&express::WORKFLOW, handler.clone());
    Setup { _dir: dir, store, runtime, handler }
}

/// The one Map Run of the execution `arn`, as stored.
async fn only_map_run(store: &dyn Store, arn: &str) -> MapRun {
    let records = store.map_runs(arn).await.unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].execution_arn, arn);
    serde_json::from_str(&records[0].body).unwrap()
}

async fn children_of(store: &dyn Store, map_run_arn: &str) -> Vec<asl_runtime::store::ExecutionSummary> {
    let mut query = ExecutionQuery::of("");
    query.map_run_arn = Some(map_run_arn.to_owned());
    store.executions(query).await.unwrap().items
}

fn counts(pending: u64, running: u64, succeeded: u64, failed: u64, aborted: u64, total: u64) -> MapRunCounts {
    MapRunCounts { pending, running, succeeded, failed, aborted, total, ..MapRunCounts::default() }
}

#[tokio::test]
async fn a_map_run_and_its_children_are_stored_with_exact_counts() {
    let Setup { store, runtime, handler, .. } = setup(true);
    let input = json!({ "items": [1, 2, 3, 4, 5] });
    let handle = runtime.start(&children::WORKFLOW, handler, "batch-1", input).unwrap();
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");

    let run = only_map_run(&*store, &handle.arn()).await;
    assert_eq!(run.status, MapRunStatus::Succeeded);
    assert_eq!(run.state_name, "Each");
    assert!(run.map_run_arn.contains(":mapRun:map_run_children/Lines:"), "{}", run.map_run_arn);
    assert!(run.state_machine_arn.ends_with(":stateMachine:map_run_children/Lines"), "{}", run.state_machine_arn);
    assert_eq!((run.max_concurrency, run.tolerated_failure_count), (2, 1));
    assert!(run.stop_date.is_some_and(|stop| stop >= run.start_date));
    assert_eq!(run.item_counts, counts(0, 0, 4, 1, 0, 5));
    assert_eq!(run.execution_counts, counts(0, 0, 4, 1, 0, 5));

    let children = children_of(&*store, &run.map_run_arn).await;
    assert_eq!(children.len(), 5);
    let failed: Vec<_> = children.iter().filter(|child| child.status == ExecutionStatus::Failed).collect();
    assert_eq!(failed.len(), 1);
    let record = store.execution(&failed[0].arn).await.unwrap().unwrap();
    assert_eq!((record.input.as_str(), record.error.as_deref()), ("3", Some("Declined")));
    assert_eq!(record.map_run_arn.as_deref(), Some(run.map_run_arn.as_str()));
    assert_eq!(record.state_machine_arn, run.state_machine_arn);
    let page = store.history(&record.arn, HistoryQuery::default()).await.unwrap();
    let kinds: Vec<EventType> =
        page.items.iter().map(|row| serde_json::from_str::<HistoryEvent>(&row.event).unwrap().kind).collect();
    assert_eq!(kinds.first(), Some(&EventType::ExecutionStarted));
    assert_eq!(kinds.last(), Some(&EventType::ExecutionFailed));
    assert!(kinds.contains(&EventType::LambdaFunctionFailed), "{kinds:?}");
    let succeeded = children.iter().find(|child| child.status == ExecutionStatus::Succeeded).unwrap();
    let record = store.execution(&succeeded.arn).await.unwrap().unwrap();
    let doubled = record.input.parse::<i64>().unwrap() * 2;
    assert_eq!(record.output, Some(doubled.to_string()));
    // Children are not the parent state machine's executions.
    let parents = store.executions(ExecutionQuery::of(handle.describe().state_machine_arn)).await.unwrap().items;
    assert_eq!(parents.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stopped_execution_aborts_its_map_run_and_the_children_that_ran() {
    let Setup { store, runtime, handler, .. } = setup(false);
    *handler.slow.lock().unwrap() = vec![json!(1), json!(2)];
    let input = json!({ "items": [1, 2, 4, 5] });
    let handle = runtime.start(&children::WORKFLOW, handler.clone(), "stopped", input).unwrap();
    // The first two children wait for their hour-long Tasks; the rest wait their turn.
    for _ in 0..1000 {
        if store.map_runs(&handle.arn()).await.unwrap().len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let running = only_map_run(&*store, &handle.arn()).await;
    assert_eq!(running.status, MapRunStatus::Running);
    assert_eq!(running.execution_counts, counts(2, 2, 0, 0, 0, 4));
    assert_eq!(running.item_counts, counts(2, 2, 0, 0, 0, 4));

    handle.stop(Some("Halt"), None);
    assert_eq!(handle.wait().await.status, Status::Aborted);
    let run = only_map_run(&*store, &handle.arn()).await;
    assert_eq!(run.status, MapRunStatus::Aborted);
    assert_eq!(run.execution_counts, MapRunCounts { pending_redrive: 2, ..counts(2, 0, 0, 0, 2, 4) });
    let children = children_of(&*store, &run.map_run_arn).await;
    assert_eq!(children.len(), 2);
    assert!(children.iter().all(|child| child.status == ExecutionStatus::Aborted), "{children:?}");
    let page = store.history(&children[0].arn, HistoryQuery::default()).await.unwrap();
    let last: HistoryEvent = serde_json::from_str(&page.items.last().unwrap().event).unwrap();
    assert_eq!(last.kind, EventType::ExecutionAborted);
}

#[tokio::test]
async fn express_children_are_counted_but_not_stored() {
    let Setup { store, runtime, handler, .. } = setup(true);
    let handle = runtime.start(&express::WORKFLOW, handler, "quick", json!({ "items": [1, 2] })).unwrap();
    assert_eq!(handle.wait().await.status, Status::Succeeded);
    let run = only_map_run(&*store, &handle.arn()).await;
    assert_eq!(run.execution_counts, counts(0, 0, 2, 0, 0, 2));
    assert_eq!(children_of(&*store, &run.map_run_arn).await, vec![]);
}

#[tokio::test]
async fn a_redrive_takes_the_map_run_up_with_its_unsuccessful_children_only() {
    let Setup { store, runtime, handler, .. } = setup(true);
    // Two at a time, one failure tolerated: the second 3 fails the Map Run.
    let input = json!({ "items": [1, 3, 3, 4, 5, 6] });
    let handle = runtime.start(&children::WORKFLOW, handler.clone(), "redriven", input).unwrap();
    let outcome = handle.wait().await;
    assert_eq!(outcome.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"), "{outcome:?}");
    let failed = only_map_run(&*store, &handle.arn()).await;
    assert_eq!(failed.status, MapRunStatus::Failed);
    assert_eq!(failed.execution_counts.failed, 2, "{failed:?}");
    assert_eq!(failed.execution_counts.pending_redrive, 2 + failed.execution_counts.aborted, "{failed:?}");
    let calls_before = handler.calls.lock().unwrap().len();

    handler.fixed.store(true, std::sync::atomic::Ordering::SeqCst);
    let redriven = runtime.redrive(&handle.arn()).await.unwrap();
    let outcome = redriven.wait().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output, Some(json!([2, 6, 6, 8, 10, 12])));
    // Item 1 did not run again; the two 3s and the items that never started did.
    let calls = handler.calls.lock().unwrap().clone();
    assert_eq!(calls.iter().filter(|input| **input == json!(1)).count(), 1, "{calls:?}");
    let mut again: Vec<Value> = calls[calls_before..].to_vec();
    again.sort_by_key(|input| input.as_i64());
    assert_eq!(again, [json!(3), json!(3), json!(5), json!(6)], "{calls:?}");

    let run = only_map_run(&*store, &handle.arn()).await;
    assert_eq!(run.map_run_arn, failed.map_run_arn, "the same Map Run goes on");
    assert_eq!((run.status, run.redrive_count), (MapRunStatus::Succeeded, 1));
    assert!(run.redrive_date.is_some());
    assert_eq!(run.execution_counts, counts(0, 0, 6, 0, 0, 6));
    assert_eq!(run.item_counts, counts(0, 0, 6, 0, 0, 6));
    let page =
        store.history(&handle.arn(), HistoryQuery { max_results: 1000, ..HistoryQuery::default() }).await.unwrap();
    let events: Vec<HistoryEvent> = page.items.iter().map(|row| serde_json::from_str(&row.event).unwrap()).collect();
    let redriven_run = events.iter().find(|event| event.kind == EventType::MapRunRedriven).expect("MapRunRedriven");
    let details = redriven_run.details.as_deref().unwrap();
    assert_eq!((details.map_run_arn.as_deref(), details.redrive_count), (Some(failed.map_run_arn.as_str()), Some(1)));

    // The children that failed ran again under their own ARNs.
    let children = children_of(&*store, &run.map_run_arn).await;
    assert_eq!(children.len(), 6, "{children:?}");
    assert!(children.iter().all(|child| child.status == ExecutionStatus::Succeeded), "{children:?}");
    let again: Vec<_> = children.iter().filter(|child| child.redrive_count == 1).collect();
    // The two that failed, and those the failure stopped.
    assert_eq!(again.len(), 2 + failed.execution_counts.aborted as usize, "{children:?}");
    assert!(again.iter().all(|child| child.redrive_date.is_some()), "{again:?}");
    // Each goes on from where it ended: its history continues after its first end.
    let mut ended_before = Vec::new();
    for child in &again {
        let page = store.history(&child.arn, HistoryQuery::default()).await.unwrap();
        let kinds: Vec<EventType> =
            page.items.iter().map(|row| serde_json::from_str::<HistoryEvent>(&row.event).unwrap().kind).collect();
        let redriven = kinds.iter().position(|kind| *kind == EventType::ExecutionRedriven).expect("redriven");
        ended_before.push(kinds[redriven - 1]);
        assert_eq!(kinds.first(), Some(&EventType::ExecutionStarted), "{kinds:?}");
        assert_eq!(kinds.last(), Some(&EventType::ExecutionSucceeded), "{kinds:?}");
    }
    assert_eq!(ended_before.iter().filter(|kind| **kind == EventType::ExecutionFailed).count(), 2, "{ended_before:?}");
    assert!(
        ended_before.iter().all(|kind| matches!(kind, EventType::ExecutionFailed | EventType::ExecutionAborted)),
        "{ended_before:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn update_map_run_lets_more_children_run_at_once() {
    let Setup { store, runtime, handler, .. } = setup(false);
    *handler.slow.lock().unwrap() = vec![json!(1), json!(2), json!(4)];
    let input = json!({ "items": [1, 2, 4, 5, 6] });
    let handle = runtime.start(&children::WORKFLOW, handler.clone(), "wider", input).unwrap();
    let run_of = |store: Arc<dyn Store>, arn: String| async move {
        let records = store.map_runs(&arn).await.unwrap();
        records.first().map(|record| serde_json::from_str::<MapRun>(&record.body).unwrap())
    };
    let mut run = None;
    for _ in 0..1000 {
        run = run_of(store.clone(), handle.arn()).await;
        if run.as_ref().is_some_and(|run| run.execution_counts.running == 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let run = run.expect("the Map Run is recorded");
    assert_eq!((run.max_concurrency, run.execution_counts.pending), (2, 3), "{run:?}");

    // Four at a time now: 4 waits its hour beside 1 and 2; 5 and 6 run at once.
    let update = MapRunUpdate { max_concurrency: Some(4), ..MapRunUpdate::default() };
    handle.update_map_run(&run.map_run_arn, update);
    let mut updated = None;
    for _ in 0..1000 {
        updated = run_of(store.clone(), handle.arn()).await;
        if updated.as_ref().is_some_and(|run| run.execution_counts.succeeded == 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let updated = updated.unwrap();
    assert_eq!(updated.max_concurrency, 4);
    assert_eq!(updated.execution_counts, counts(0, 3, 2, 0, 0, 5), "{updated:?}");
    assert_eq!(handle.wait().await.status, Status::Succeeded);
}
