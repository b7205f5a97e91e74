//! A runtime with a store: what it commits, and executions taken up after the process that
//! ran them went away (its tokio runtime dropped mid-execution, as a crash would leave it).
//! The crash test with real processes and SIGKILL is `tests/tests/crash.rs` at the top level.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_runtime::Error;
use asl_runtime::Runtime;
use asl_runtime::clock::VirtualClock;
use asl_runtime::execution::{BoxFuture, EventType, HistoryEvent, Status, TaskCall, TaskHandler};
use asl_runtime::runtime::ExecutionStatus;
use asl_runtime::sink::HistorySink;
use asl_runtime::store::{
    ActivityTaskRecord, Commit, ExecutionQuery, ExecutionRecord, ExecutionSummary, HistoryQuery, HistoryRecord,
    MemoryStore, Page, ResourceRecord, SqliteStore, Store, StoreFuture, TimerRecord, TokenRecord,
};
use serde_json::{Value, json};
use time::macros::datetime;

mod approval {
    asl_runtime::include_asl!("tests/workflows/approval.asl.json");
}

mod clock_flow {
    asl_runtime::include_asl!("tests/workflows/clock.asl.json");
}

mod activity {
    asl_runtime::include_asl!("tests/workflows/activity.asl.json");
}

/// Keeps the tokens the approval workflow sends out, and counts its calls.
#[derive(Default)]
struct Outbox(Mutex<Vec<String>>);

impl TaskHandler for Outbox {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        self.0.lock().unwrap().push(call.task_token.unwrap().to_owned());
        Box::pin(async { Ok(json!({})) })
    }
}

fn clock() -> VirtualClock {
    VirtualClock::starting_at(datetime!(2025-02-01 08:00:00 UTC))
}

fn input() -> Value {
    json!({ "order": 7, "timeout": 3600, "heartbeat": 3600 })
}

/// Every history event the store has for `arn`, read back.
async fn stored_history(store: &dyn Store, arn: &str) -> Vec<HistoryEvent> {
    let page = store.history(arn, HistoryQuery { max_results: 1000, ..HistoryQuery::default() }).await.unwrap();
    assert!(page.next_token.is_none());
    page.items.iter().map(|row| serde_json::from_str(&row.event).unwrap()).collect()
}

/// Ids from 1 without gaps, and each `previousEventId` an earlier event.
fn assert_well_formed(history: &[HistoryEvent]) {
    for (i, event) in history.iter().enumerate() {
        assert_eq!(event.id, i as u64 + 1, "{history:#?}");
        assert!(event.previous_event_id < event.id);
    }
}

/// An event as compared across runs: everything but its timestamp.
fn without_time(history: &[HistoryEvent]) -> Vec<Value> {
    history
        .iter()
        .map(|event| {
            let mut json = serde_json::to_value(event).unwrap();
            json.as_object_mut().unwrap().remove("timestamp");
            json
        })
        .collect()
}

/// Replaces task tokens (random per run) in event JSON with a placeholder.
fn without_tokens(mut events: Vec<Value>, tokens: &[String]) -> Vec<Value> {
    for event in &mut events {
        let mut text = event.to_string();
        for token in tokens {
            text = text.replace(token.as_str(), "<token>");
        }
        *event = serde_json::from_str(&text).unwrap();
    }
    events
}

#[tokio::test(start_paused = true)]
async fn a_durable_execution_commits_its_history_and_its_end() {
    let store = Arc::new(MemoryStore::new());
    let runtime = Runtime::builder(clock()).store(store.clone()).build();
    let outbox = Arc::new(Outbox::default());
    let handle = runtime.start(&approval::WORKFLOW, outbox.clone(), "durable", input()).unwrap();
    handle.stored().await.unwrap();
    let arn = handle.arn();

    // It waits for its token, parked: the store has every event so far.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let record = store.execution(&arn).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Running);
    assert_eq!(stored_history(&*store, &arn).await, handle.history());
    assert_eq!(handle.history().last().map(|e| e.kind), Some(EventType::TaskSubmitted));

    let token = outbox.0.lock().unwrap()[0].clone();
    runtime.callbacks().send_task_success(&token, json!("approved")).unwrap();
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Succeeded);

    let record = store.execution(&arn).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    // The runtime holds only what runs: the store (and this handle) keep the ended one.
    assert!(runtime.execution(&arn).is_none());
    assert!(runtime.list().is_empty());
    let output: Value = serde_json::from_str(record.output.as_deref().unwrap()).unwrap();
    assert_eq!(output, outcome.output.unwrap());
    let history = stored_history(&*store, &arn).await;
    assert_well_formed(&history);
    assert_eq!(history, handle.history());
    assert_eq!(record.stop_date, history.last().map(|e| e.timestamp));
}

#[tokio::test(start_paused = true)]
async fn starting_an_execution_the_store_has_fails() {
    let store = Arc::new(MemoryStore::new());
    let first = Runtime::builder(clock()).store(store.clone()).build();
    let outbox = Arc::new(Outbox::default());
    first.start(&approval::WORKFLOW, outbox.clone(), "once", input()).unwrap().stored().await.unwrap();
    // Another runtime over the same store (a restart that did not recover) cannot start it again.
    let second = Runtime::builder(clock()).store(store).build();
    let again = second.start(&approval::WORKFLOW, outbox, "once", input()).unwrap();
    assert!(matches!(again.stored().await, Err(asl_runtime::store::StoreError::ExecutionAlreadyExists(_))));
}

/// Runs `work` on a tokio runtime of its own with paused time, then drops that runtime with
/// whatever it still runs: its tasks vanish mid-execution, as in a crash (nothing after the
/// last commit reaches the store).
fn in_a_process_that_dies<T>(work: impl Future<Output = T>) -> T {
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    let result = tokio.block_on(work);
    tokio.shutdown_background();
    result
}

#[test]
fn a_token_handed_out_before_a_crash_is_answered_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("executions.sqlite");

    let (arn, token) = in_a_process_that_dies(async {
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        let runtime = Runtime::builder(clock()).store(store).build();
        let outbox = Arc::new(Outbox::default());
        let handle = runtime.start(&approval::WORKFLOW, outbox.clone(), "crash", input()).unwrap();
        handle.stored().await.unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let token = outbox.0.lock().unwrap()[0].clone();
        (handle.arn(), token)
    });

    in_a_process_that_dies(async {
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        let runtime = Runtime::builder(clock()).store(store.clone()).build();
        let outbox = Arc::new(Outbox::default());
        runtime.register(&approval::WORKFLOW, outbox.clone());
        let recovery = runtime.recover().await.unwrap();
        assert_eq!(recovery.resumed, std::slice::from_ref(&arn));
        assert!(recovery.unknown.is_empty() && recovery.unreadable.is_empty());

        let handle = runtime.execution(&arn).unwrap();
        runtime.callbacks().send_task_success(&token, json!("approved")).unwrap();
        let outcome = handle.wait().await;
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        assert_eq!(outcome.output.unwrap()["decision"], json!("approved"));
        // The work was handed over before the crash: it is not sent again.
        assert!(outbox.0.lock().unwrap().is_empty());

        // The history is the one an uninterrupted run records.
        let history = stored_history(&*store, &arn).await;
        assert_well_formed(&history);
        assert_eq!(history, handle.history());
        let reference = {
            let runtime = Runtime::new(clock());
            let outbox = Arc::new(Outbox::default());
            let handle = runtime.start(&approval::WORKFLOW, outbox.clone(), "crash", input()).unwrap();
            tokio::time::sleep(Duration::from_secs(1)).await;
            let reference_token = outbox.0.lock().unwrap()[0].clone();
            runtime.callbacks().send_task_success(&reference_token, json!("approved")).unwrap();
            handle.wait().await;
            without_tokens(without_time(&handle.history()), &[reference_token])
        };
        assert_eq!(without_tokens(without_time(&history), std::slice::from_ref(&token)), reference);
    });
}

#[test]
fn a_wait_fires_at_its_original_deadline_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("executions.sqlite");
    let arn = in_a_process_that_dies(async {
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        let runtime = Runtime::builder(clock()).store(store).build();
        let handle = runtime.start(&clock_flow::WORKFLOW, Arc::new(clock_flow::Typed(())), "later", json!({})).unwrap();
        handle.stored().await.unwrap();
        // Ten minutes into the hour-long Wait, the process dies.
        tokio::time::sleep(Duration::from_secs(600)).await;
        handle.arn()
    });
    in_a_process_that_dies(async {
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        // The new process's clock reads the same start: the deadline is an hour after it.
        let runtime = Runtime::builder(clock()).store(store).build();
        runtime.register(&clock_flow::WORKFLOW, Arc::new(clock_flow::Typed(())));
        assert_eq!(runtime.recover().await.unwrap().resumed, std::slice::from_ref(&arn));
        let outcome = runtime.execution(&arn).unwrap().wait().await;
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        assert_eq!(outcome.output.unwrap()["now"], json!("2025-02-01T09:00:00.000Z"));
    });
}

#[tokio::test(start_paused = true)]
async fn stopping_a_parked_durable_execution_commits_its_end() {
    let store = Arc::new(MemoryStore::new());
    let runtime = Runtime::builder(clock()).store(store.clone()).build();
    let outbox = Arc::new(Outbox::default());
    let handle = runtime.start(&approval::WORKFLOW, outbox.clone(), "stopped", input()).unwrap();
    handle.stored().await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(runtime.parked_count(), 1);

    handle.stop(Some("Cancelled"), Some("no longer needed"));
    let outcome = handle.wait().await;
    assert_eq!(outcome.status, Status::Aborted);
    let record = store.execution(&handle.arn()).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Aborted);
    assert_eq!(record.error.as_deref(), Some("Cancelled"));
    let history = stored_history(&*store, &handle.arn()).await;
    assert_well_formed(&history);
    assert_eq!(history.last().map(|e| e.kind), Some(EventType::ExecutionAborted));
    // Its token is closed.
    let token = outbox.0.lock().unwrap()[0].clone();
    assert!(runtime.callbacks().send_task_success(&token, json!("late")).is_err());
}

#[test]
fn a_task_timeout_still_applies_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("executions.sqlite");
    let arn = in_a_process_that_dies(async {
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        let runtime = Runtime::builder(clock()).store(store).build();
        let handle = runtime.start(&approval::WORKFLOW, Arc::new(Outbox::default()), "ignored", input()).unwrap();
        handle.stored().await.unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
        handle.arn()
    });
    in_a_process_that_dies(async {
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        let runtime = Runtime::builder(clock()).store(store).build();
        runtime.register(&approval::WORKFLOW, Arc::new(Outbox::default()));
        runtime.recover().await.unwrap();
        // Nobody answers: the hour-long TimeoutSeconds, counted from before the crash, escalates.
        let handle = runtime.execution(&arn).unwrap();
        let outcome = handle.wait().await;
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        let output = outcome.output.unwrap();
        assert_eq!(output["escalated"]["Error"], json!("States.Timeout"));
        let history = handle.history();
        let timed_out = history.iter().find(|e| e.kind == EventType::TaskTimedOut).unwrap();
        assert_eq!(timed_out.timestamp, datetime!(2025-02-01 09:00:00 UTC));
    });
}

#[tokio::test(start_paused = true)]
async fn ended_executions_are_purged_after_the_retention_period() {
    let store = Arc::new(MemoryStore::new());
    let runtime = Runtime::builder(clock()).store(store.clone()).build();
    let run = |name: &'static str| {
        let runtime = runtime.clone();
        async move {
            let handle =
                runtime.start(&clock_flow::WORKFLOW, Arc::new(clock_flow::Typed(())), name, json!({})).unwrap();
            assert_eq!(handle.wait().await.status, Status::Succeeded);
            handle.arn()
        }
    };
    let day = Duration::from_secs(24 * 3600);
    // Ends an hour after the start.
    let old = run("old").await;
    tokio::time::sleep(2 * day).await;
    let recent = run("recent").await;
    tokio::time::sleep(89 * day).await;
    // Ending now, 91 days and 3 hours after the first: the first is past AWS's 90 days.
    let new = run("new").await;
    assert!(store.execution(&old).await.unwrap().is_none(), "purged after 90 days");
    assert!(stored_history(&*store, &old).await.is_empty());
    assert!(store.execution(&recent).await.unwrap().is_some(), "89 days old: kept");
    assert!(store.execution(&new).await.unwrap().is_some());
}

#[tokio::test(start_paused = true)]
async fn an_activity_task_reaches_its_worker_only_once_its_taking_is_committed() {
    let store = Arc::new(MemoryStore::new());
    let runtime = Runtime::builder(clock()).store(store.clone()).build();
    let handle = runtime.start(&activity::WORKFLOW, Arc::new(activity::Typed(())), "packing", json!({})).unwrap();
    handle.stored().await.unwrap();
    let arn = handle.arn();
    let activity_arn = "arn:aws:states:us-east-1:123456789012:activity:packing";
    let task = runtime.callbacks().get_activity_task(activity_arn, Duration::from_secs(60), &clock()).await.unwrap();
    // Handed over: the store already says a worker took it.
    let kinds: Vec<EventType> = stored_history(&*store, &arn).await.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.last(), Some(&EventType::ActivityStarted), "{kinds:?}");
    runtime.callbacks().send_task_success(&task.task_token, json!({ "packed": true })).unwrap();
    assert_eq!(handle.wait().await.status, Status::Succeeded);
}

/// A store that remembers, per execution, the last history event id a commit made durable.
struct Watched {
    inner: MemoryStore,
    committed: Mutex<std::collections::HashMap<String, u64>>,
}

impl Store for Watched {
    fn put_resource(&self, resource: ResourceRecord) -> StoreFuture<'_, ()> {
        self.inner.put_resource(resource)
    }
    fn delete_resource(&self, kind: &str, key: &str) -> StoreFuture<'_, bool> {
        self.inner.delete_resource(kind, key)
    }
    fn resource(&self, kind: &str, key: &str) -> StoreFuture<'_, Option<ResourceRecord>> {
        self.inner.resource(kind, key)
    }
    fn resources(&self, kind: &str) -> StoreFuture<'_, Vec<ResourceRecord>> {
        self.inner.resources(kind)
    }
    fn commit(&self, commit: Commit) -> StoreFuture<'_, u64> {
        let arn = commit.execution_arn().to_owned();
        let last = commit.history.last().map(|event| event.id);
        Box::pin(async move {
            let version = self.inner.commit(commit).await?;
            if let Some(last) = last {
                self.committed.lock().unwrap().insert(arn, last);
            }
            Ok(version)
        })
    }
    fn execution(&self, arn: &str) -> StoreFuture<'_, Option<ExecutionRecord>> {
        self.inner.execution(arn)
    }
    fn running_executions(&self) -> StoreFuture<'_, Vec<ExecutionRecord>> {
        self.inner.running_executions()
    }
    fn executions(&self, query: ExecutionQuery) -> StoreFuture<'_, Page<ExecutionSummary>> {
        self.inner.executions(query)
    }
    fn history(&self, execution_arn: &str, query: HistoryQuery) -> StoreFuture<'_, Page<HistoryRecord>> {
        self.inner.history(execution_arn, query)
    }
    fn timers_due(&self, until: time::OffsetDateTime) -> StoreFuture<'_, Vec<TimerRecord>> {
        self.inner.timers_due(until)
    }
    fn task_token(&self, token: &str) -> StoreFuture<'_, Option<TokenRecord>> {
        self.inner.task_token(token)
    }
    fn activity_task(&self, task_token: &str) -> StoreFuture<'_, Option<ActivityTaskRecord>> {
        self.inner.activity_task(task_token)
    }
    fn claimable_activity_tasks(&self, activity_arn: &str, limit: usize) -> StoreFuture<'_, Vec<ActivityTaskRecord>> {
        self.inner.claimable_activity_tasks(activity_arn, limit)
    }
    fn map_run(&self, arn: &str) -> StoreFuture<'_, Option<asl_runtime::store::MapRunRecord>> {
        self.inner.map_run(arn)
    }
    fn map_runs(&self, execution_arn: &str) -> StoreFuture<'_, Vec<asl_runtime::store::MapRunRecord>> {
        self.inner.map_runs(execution_arn)
    }
    fn purge_ended_before(&self, cutoff: time::OffsetDateTime) -> StoreFuture<'_, u64> {
        self.inner.purge_ended_before(cutoff)
    }
}

/// A history sink that checks each event it gets is already committed.
struct CommittedOnly {
    store: Arc<Watched>,
    seen: Mutex<Vec<(u64, bool)>>,
}

impl HistorySink for CommittedOnly {
    fn record(&self, execution_arn: &str, event: &HistoryEvent) {
        let committed = self.store.committed.lock().unwrap().get(execution_arn).copied().unwrap_or(0);
        self.seen.lock().unwrap().push((event.id, event.id <= committed));
    }
}

#[tokio::test(start_paused = true)]
async fn a_durable_history_sink_gets_events_only_once_they_are_committed() {
    let store = Arc::new(Watched { inner: MemoryStore::new(), committed: Mutex::default() });
    let sink = Arc::new(CommittedOnly { store: Arc::clone(&store), seen: Mutex::default() });
    let runtime = Runtime::builder(clock())
        .store(Arc::clone(&store) as Arc<dyn Store>)
        .history_sink(Arc::clone(&sink) as Arc<dyn HistorySink>)
        .build();
    let outbox = Arc::new(Outbox::default());
    let handle = runtime.start(&approval::WORKFLOW, outbox.clone(), "logged", input()).unwrap();
    while outbox.0.lock().unwrap().is_empty() {
        tokio::task::yield_now().await;
    }
    let token = outbox.0.lock().unwrap()[0].clone();
    runtime.callbacks().send_task_success(&token, json!({"approved": true})).unwrap();
    assert_eq!(handle.wait().await.status, Status::Succeeded);

    let seen = sink.seen.lock().unwrap().clone();
    let ids: Vec<u64> = seen.iter().map(|(id, _)| *id).collect();
    let all: Vec<u64> = (1..=handle.history().len() as u64).collect();
    assert_eq!(ids, all, "every event once, in order");
    assert!(seen.iter().all(|(_, committed)| *committed), "an event reached the sink before its commit: {seen:?}");
}

#[tokio::test(start_paused = true)]
async fn timers_and_task_tokens_are_rows_of_the_store_while_they_are_waited_for() {
    // A memory store: a SQLite write is real I/O, during which paused tokio time would jump
    // to the task's timeout. (Both backends keep rows alike: store::tests.)
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let runtime = Runtime::builder(clock()).store(Arc::clone(&store)).build();
    let outbox = Arc::new(Outbox::default());
    let input = json!({ "order": 7, "timeout": 3600, "heartbeat": 600 });
    let handle = runtime.start(&approval::WORKFLOW, outbox.clone(), "rows", input).unwrap();
    handle.stored().await.unwrap();
    while outbox.0.lock().unwrap().is_empty() {
        tokio::task::yield_now().await;
    }
    let token = outbox.0.lock().unwrap()[0].clone();
    let arn = handle.arn();

    // The token was committed open before it was handed out.
    let row = store.task_token(&token).await.unwrap().expect("a row for the token");
    assert_eq!((row.execution_arn.as_str(), row.open), (arn.as_str(), true));
    // The Task's TimeoutSeconds is a timer row (the heartbeat window is not committed).
    let far = datetime!(2100-01-01 00:00:00 UTC);
    let timers = store.timers_due(far).await.unwrap();
    let deadlines: Vec<_> = timers.iter().map(|t| (t.execution_arn.as_str(), t.deadline)).collect();
    assert_eq!(deadlines, [(arn.as_str(), datetime!(2025-02-01 09:00:00 UTC))]);

    runtime.callbacks().send_task_success(&token, json!({"approved": true})).unwrap();
    assert_eq!(handle.wait().await.status, Status::Succeeded);
    // Ended: the token is closed and no timer is left.
    assert!(!store.task_token(&token).await.unwrap().expect("kept until purged").open);
    assert!(store.timers_due(far).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_wait_is_a_timer_row_until_it_fires() {
    let store = Arc::new(MemoryStore::new());
    let runtime = Runtime::builder(clock()).store(Arc::clone(&store) as Arc<dyn Store>).build();
    let handle = runtime.start(&clock_flow::WORKFLOW, Arc::new(Outbox::default()), "wait", json!({})).unwrap();
    handle.stored().await.unwrap();
    let far = datetime!(2100-01-01 00:00:00 UTC);
    let timers = store.timers_due(far).await.unwrap();
    let deadlines: Vec<_> = timers.iter().map(|t| t.deadline).collect();
    assert_eq!(deadlines, [datetime!(2025-02-01 09:00:00 UTC)], "the Wait's hour");
    assert_eq!(handle.wait().await.status, Status::Succeeded);
    assert!(store.timers_due(far).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_answer_sent_as_an_api_sends_it_returns_once_it_is_committed() {
    let store = Arc::new(MemoryStore::new());
    let runtime = Runtime::builder(clock()).store(Arc::clone(&store) as Arc<dyn Store>).build();
    let outbox = Arc::new(Outbox::default());
    // Without a heartbeat or timeout, the execution parks on its token.
    let input = json!({ "order": 7, "timeout": 86_400, "heartbeat": 86_400 });
    let handle = runtime.start(&approval::WORKFLOW, outbox.clone(), "acknowledged", input).unwrap();
    handle.stored().await.unwrap();
    while outbox.0.lock().unwrap().is_empty() {
        tokio::task::yield_now().await;
    }
    let token = outbox.0.lock().unwrap()[0].clone();
    runtime.callbacks().send_task_success_recorded(&token, json!({"approved": true})).await.unwrap();
    // Returned: the outcome is in the store (the execution may well have ended too).
    let history = stored_history(&*store, &handle.arn()).await;
    assert!(history.iter().any(|event| event.kind == EventType::TaskSucceeded), "{history:#?}");
    assert_eq!(handle.wait().await.status, Status::Succeeded);
    // A second answer is refused, as AWS refuses an answered token.
    assert!(runtime.callbacks().send_task_success_recorded(&token, json!({})).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn an_activity_task_is_a_row_scheduled_then_claimed_then_gone() {
    let store = Arc::new(MemoryStore::new());
    let runtime = Runtime::builder(clock()).store(store.clone()).build();
    let input = json!({ "box": "large" });
    let handle = runtime.start(&activity::WORKFLOW, Arc::new(activity::Typed(())), "rows", input.clone()).unwrap();
    handle.stored().await.unwrap();
    let activity_arn = "arn:aws:states:us-east-1:123456789012:activity:packing";
    let scheduled = store.claimable_activity_tasks(activity_arn, 10).await.unwrap();
    assert_eq!(scheduled.len(), 1, "{scheduled:?}");
    assert_eq!((scheduled[0].execution_arn.as_str(), scheduled[0].claim.as_ref()), (handle.arn().as_str(), None));
    assert_eq!(serde_json::from_str::<Value>(&scheduled[0].input).unwrap(), input);

    let task = runtime.callbacks().get_activity_task(activity_arn, Duration::from_secs(60), &clock()).await.unwrap();
    assert_eq!(task.task_token, scheduled[0].task_token);
    let claimed = store.activity_task(&task.task_token).await.unwrap().expect("still there while it runs");
    assert!(claimed.claim.is_some(), "{claimed:?}");
    assert!(store.claimable_activity_tasks(activity_arn, 10).await.unwrap().is_empty());

    runtime.callbacks().send_task_success_recorded(&task.task_token, json!({ "packed": true })).await.unwrap();
    assert_eq!(handle.wait().await.status, Status::Succeeded);
    assert_eq!(store.activity_task(&task.task_token).await.unwrap(), None, "answered: its row is gone");
}

#[tokio::test(start_paused = true)]
async fn a_snapshot_in_another_format_is_named_unreadable_not_misread() {
    let store = Arc::new(MemoryStore::new());
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:approval";
    let arn = "arn:aws:states:us-east-1:123456789012:execution:approval:from-the-future";
    let new = asl_runtime::store::NewExecution {
        arn: arn.to_owned(),
        state_machine_arn: machine.to_owned(),
        name: "from-the-future".to_owned(),
        input: "{}".to_owned(),
        start_date: datetime!(2025-02-01 08:00:00 UTC),
    };
    store.commit(Commit::start(new, vec![200, 0, 0, 0, 0])).await.unwrap();
    let runtime = Runtime::builder(clock()).store(Arc::clone(&store) as Arc<dyn Store>).build();
    runtime.register(&approval::WORKFLOW, Arc::new(Outbox::default()));
    let recovery = runtime.recover().await.unwrap();
    assert!(recovery.resumed.is_empty());
    let [(unreadable, error)] = recovery.unreadable.as_slice() else { panic!("{recovery:?}") };
    assert_eq!(unreadable, arn);
    let message = error.to_string();
    assert!(message.contains("format 200") && message.contains("format 2"), "{message}");
}
