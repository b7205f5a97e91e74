//! One test suite, run against every backend: each test is an `async fn(&dyn Store)`, and
//! [`suite!`] instantiates all of them per backend, so the backends cannot drift apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::sync::Arc;

use futures_util::future::join_all;
use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::execution::Status;
use crate::runtime::ExecutionStatus;

/// An opened backend and what keeps it alive (the SQLite file's directory).
pub(super) struct Opened {
    pub(super) store: Arc<dyn Store>,
    pub(super) _dir: Option<tempfile::TempDir>,
}

fn open_memory() -> Opened {
    Opened { store: Arc::new(MemoryStore::new()), _dir: None }
}

#[cfg(feature = "sqlite")]
fn open_sqlite() -> Opened {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let store = SqliteStore::open(dir.path().join("store.sqlite")).unwrap_or_else(|e| panic!("open: {e}"));
    Opened { store: Arc::new(store), _dir: Some(dir) }
}

macro_rules! suite {
    ($backend:ident, $open:path) => {
        mod $backend {
            suite!(@tests $open;
                resources_round_trip,
                execution_round_trip,
                dates_keep_microseconds,
                version_conflicts,
                failed_commit_changes_nothing,
                concurrent_commits_of_one_version,
                many_concurrent_commits,
                history_paging,
                history_ids_are_unique,
                timers,
                task_tokens,
                activity_tasks,
                activity_task_rules,
                running_executions,
                listing_executions,
                purge_ended_before,
                redrive,
                map_run_children,
                map_run_records,
            );
        }
    };
    (@tests $open:path; $($test:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $test() {
                let opened = $open();
                super::$test(&*opened.store).await;
            }
        )*
    };
}

suite!(memory, super::open_memory);
#[cfg(feature = "sqlite")]
suite!(sqlite, super::open_sqlite);

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:order";
const T0: OffsetDateTime = datetime!(2026-01-02 03:04:05.123456 UTC);

fn arn(name: &str) -> String {
    format!("arn:aws:states:us-east-1:123456789012:execution:order:{name}")
}

fn new_execution(name: &str, start: OffsetDateTime) -> NewExecution {
    NewExecution {
        arn: arn(name),
        state_machine_arn: MACHINE.into(),
        name: name.into(),
        input: format!(r#"{{"name":"{name}"}}"#),
        start_date: start,
    }
}

fn event(id: u64) -> HistoryRecord {
    HistoryRecord { id, event: format!(r#"{{"id":{id},"type":"PassStateEntered"}}"#) }
}

fn ok<T>(result: Result<T, StoreError>) -> T {
    result.unwrap_or_else(|e| panic!("store operation failed: {e}"))
}

/// Starts `name` with one history event; returns its version (1).
async fn start(store: &dyn Store, name: &str, start_date: OffsetDateTime) -> u64 {
    let mut commit = Commit::start(new_execution(name, start_date), b"s1".to_vec());
    commit.history.push(event(1));
    ok(store.commit(commit).await)
}

async fn end(store: &dyn Store, name: &str, version: u64, status: Status, at: OffsetDateTime) {
    let mut commit = Commit::update(arn(name), version, None);
    commit.end = Some(ExecutionEnd { status, output: Some("{}".into()), error: None, cause: None, stop_date: at });
    ok(store.commit(commit).await);
}

async fn execution(store: &dyn Store, name: &str) -> ExecutionRecord {
    ok(store.execution(&arn(name)).await).unwrap_or_else(|| panic!("no execution {name}"))
}

async fn resources_round_trip(store: &dyn Store) {
    let resource =
        |kind: &str, key: &str, body: &str| ResourceRecord { kind: kind.into(), key: key.into(), body: body.into() };
    assert_eq!(ok(store.resources("state-machine").await), vec![]);
    ok(store.put_resource(resource("state-machine", MACHINE, r#"{"v":1}"#)).await);
    ok(store.put_resource(resource("state-machine", "arn:a", r#"{"v":1}"#)).await);
    ok(store.put_resource(resource("activity", MACHINE, "{}")).await);
    // Replaced, not added; listed by key, within their kind only.
    ok(store.put_resource(resource("state-machine", MACHINE, r#"{"v":2}"#)).await);
    assert_eq!(
        ok(store.resources("state-machine").await),
        vec![resource("state-machine", "arn:a", r#"{"v":1}"#), resource("state-machine", MACHINE, r#"{"v":2}"#)]
    );
    assert_eq!(ok(store.resource("activity", MACHINE).await), Some(resource("activity", MACHINE, "{}")));
    assert_eq!(ok(store.resource("activity", "arn:a").await), None);
    assert!(ok(store.delete_resource("state-machine", MACHINE).await));
    assert!(!ok(store.delete_resource("state-machine", MACHINE).await));
    assert_eq!(ok(store.resources("state-machine").await), vec![resource("state-machine", "arn:a", r#"{"v":1}"#)]);
    assert_eq!(ok(store.resources("activity").await), vec![resource("activity", MACHINE, "{}")]);
}

async fn execution_round_trip(store: &dyn Store) {
    assert_eq!(start(store, "a", T0).await, 1);
    let started = execution(store, "a").await;
    assert_eq!(
        started,
        ExecutionRecord {
            arn: arn("a"),
            state_machine_arn: MACHINE.into(),
            name: "a".into(),
            status: ExecutionStatus::Running,
            input: r#"{"name":"a"}"#.into(),
            output: None,
            error: None,
            cause: None,
            start_date: T0,
            stop_date: None,
            redrive_count: 0,
            redrive_date: None,
            snapshot: b"s1".to_vec(),
            version: 1,
            map_run_arn: None,
        }
    );
    // A new snapshot replaces the old; none keeps it.
    assert_eq!(ok(store.commit(Commit::update(arn("a"), 1, Some(vec![0, 255, 7]))).await), 2);
    assert_eq!(execution(store, "a").await.snapshot, vec![0, 255, 7]);
    assert_eq!(ok(store.commit(Commit::update(arn("a"), 2, None)).await), 3);
    assert_eq!(execution(store, "a").await.snapshot, vec![0, 255, 7]);

    let mut failing = Commit::update(arn("a"), 3, Some(Vec::new()));
    let stop = T0 + time::Duration::seconds(90);
    failing.end = Some(ExecutionEnd {
        status: Status::Failed,
        output: None,
        error: Some("States.TaskFailed".into()),
        cause: Some("the handler said no".into()),
        stop_date: stop,
    });
    assert_eq!(ok(store.commit(failing).await), 4);
    let failed = execution(store, "a").await;
    assert_eq!(failed.status, ExecutionStatus::Failed);
    assert_eq!(failed.error.as_deref(), Some("States.TaskFailed"));
    assert_eq!(failed.cause.as_deref(), Some("the handler said no"));
    assert_eq!(failed.output, None);
    assert_eq!(failed.stop_date, Some(stop));
    assert_eq!(failed.snapshot, Vec::<u8>::new());
    assert_eq!(failed.version, 4);

    // Every ended status and an output.
    for (name, status, expected) in [
        ("s", Status::Succeeded, ExecutionStatus::Succeeded),
        ("t", Status::TimedOut, ExecutionStatus::TimedOut),
        ("x", Status::Aborted, ExecutionStatus::Aborted),
    ] {
        start(store, name, T0).await;
        end(store, name, 1, status, stop).await;
        let ended = execution(store, name).await;
        assert_eq!((ended.status, ended.output.as_deref()), (expected, Some("{}")));
    }
    assert_eq!(ok(store.execution(&arn("nobody")).await), None);
}

async fn dates_keep_microseconds(store: &dyn Store) {
    // Below a microsecond is dropped, by every backend alike.
    let precise = datetime!(2026-01-02 03:04:05.123456789 UTC);
    start(store, "a", precise).await;
    assert_eq!(execution(store, "a").await.start_date, datetime!(2026-01-02 03:04:05.123456 UTC));
    // Dates far from 1970 either way survive.
    start(store, "old", datetime!(1500-01-01 00:00:00.000001 UTC)).await;
    assert_eq!(execution(store, "old").await.start_date, datetime!(1500-01-01 00:00:00.000001 UTC));
    start(store, "future", datetime!(9999-12-31 23:59:59.999999 UTC)).await;
    assert_eq!(execution(store, "future").await.start_date, datetime!(9999-12-31 23:59:59.999999 UTC));
}

async fn version_conflicts(store: &dyn Store) {
    start(store, "a", T0).await;
    let again = store.commit(Commit::start(new_execution("a", T0), Vec::new())).await;
    assert_eq!(again, Err(StoreError::ExecutionAlreadyExists(arn("a"))));
    ok(store.commit(Commit::update(arn("a"), 1, None)).await);
    let stale = store.commit(Commit::update(arn("a"), 1, None)).await;
    let conflict = |expected, found| StoreError::VersionConflict { execution_arn: arn("a"), expected, found };
    assert_eq!(stale, Err(conflict(1, Some(2))));
    let ahead = store.commit(Commit::update(arn("a"), 7, None)).await;
    assert_eq!(ahead, Err(conflict(7, Some(2))));
    let huge = store.commit(Commit::update(arn("a"), u64::MAX, None)).await;
    assert_eq!(huge, Err(conflict(u64::MAX, Some(2))));
    let missing = store.commit(Commit::update(arn("b"), 1, None)).await;
    let expected = StoreError::VersionConflict { execution_arn: arn("b"), expected: 1, found: None };
    assert_eq!(missing, Err(expected));
    assert_eq!(execution(store, "a").await.version, 2);
}

/// A commit that fails on its last part leaves no trace of its first ones.
async fn failed_commit_changes_nothing(store: &dyn Store) {
    start(store, "a", T0).await;
    let mut commit = Commit::update(arn("a"), 1, Some(b"new".to_vec()));
    commit.end = Some(ExecutionEnd {
        status: Status::Succeeded,
        output: Some("1".into()),
        error: None,
        cause: None,
        stop_date: T0,
    });
    commit.history.push(event(2));
    commit.timers_set.push(Timer { key: b"w".to_vec(), deadline: T0 });
    commit.tokens_opened.push(TokenOpen { token: "tok".into(), wait: b"f".to_vec() });
    commit.tokens_closed.push("never-opened".into());
    let failed = store.commit(commit).await;
    assert_eq!(failed, Err(StoreError::TokenNotOpen("never-opened".into())));
    let record = execution(store, "a").await;
    assert_eq!((record.version, record.status), (1, ExecutionStatus::Running));
    assert_eq!(record.snapshot, b"s1".to_vec());
    let history = ok(store.history(&arn("a"), HistoryQuery::default()).await);
    assert_eq!(history.items, vec![event(1)]);
    assert_eq!(ok(store.timers_due(T0).await), vec![]);
    assert_eq!(ok(store.task_token("tok").await), None);
    // The same commit without the bad part goes through.
    let mut commit = Commit::update(arn("a"), 1, None);
    commit.history.push(event(2));
    assert_eq!(ok(store.commit(commit).await), 2);
}

/// Commits computed from the same version, all in flight at once (for SQLite: in one
/// batch): exactly one wins, the others fail alone.
async fn concurrent_commits_of_one_version(store: &dyn Store) {
    start(store, "a", T0).await;
    start(store, "b", T0).await;
    let contenders = (0..8u64).map(|i| {
        let mut commit = Commit::update(arn("a"), 1, Some(vec![i as u8]));
        commit.history.push(event(2));
        store.commit(commit)
    });
    let bystander = store.commit(Commit::update(arn("b"), 1, None));
    let (results, bystander) = futures_util::future::join(join_all(contenders), bystander).await;
    assert_eq!(bystander, Ok(2));
    let winners: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_ok()).map(|(i, _)| i).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for result in &results {
        match result {
            Ok(version) => assert_eq!(*version, 2),
            Err(e) => {
                let expected = StoreError::VersionConflict { execution_arn: arn("a"), expected: 1, found: Some(2) };
                assert_eq!(e, &expected);
            }
        }
    }
    assert_eq!(execution(store, "a").await.snapshot, vec![winners[0] as u8]);
    let history = ok(store.history(&arn("a"), HistoryQuery::default()).await);
    assert_eq!(history.items, vec![event(1), event(2)]);
}

async fn many_concurrent_commits(store: &dyn Store) {
    let names: Vec<String> = (0..200).map(|i| format!("e{i}")).collect();
    join_all(names.iter().map(|name| start(store, name, T0))).await;
    for round in 1..=3u64 {
        let commits = names.iter().map(|name| {
            let mut commit = Commit::update(arn(name), round, Some(round.to_be_bytes().to_vec()));
            commit.history.push(event(round + 1));
            store.commit(commit)
        });
        for result in join_all(commits).await {
            assert_eq!(result, Ok(round + 1));
        }
    }
    for name in &names {
        let record = execution(store, name).await;
        assert_eq!((record.version, record.snapshot), (4, 3u64.to_be_bytes().to_vec()));
        let history = ok(store.history(&arn(name), HistoryQuery::default()).await);
        assert_eq!(history.items.iter().map(|e| e.id).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    }
}

async fn history_paging(store: &dyn Store) {
    start(store, "a", T0).await;
    let mut commit = Commit::update(arn("a"), 1, None);
    commit.history = (2..=250).map(event).collect();
    ok(store.commit(commit).await);
    let ids = |page: &Page<HistoryRecord>| page.items.iter().map(|e| e.id).collect::<Vec<_>>();

    // Default page size 100, forward.
    let first = ok(store.history(&arn("a"), HistoryQuery::default()).await);
    assert_eq!(ids(&first), (1..=100).collect::<Vec<_>>());
    assert_eq!(first.items[0], event(1));
    let mut query = HistoryQuery { next_token: first.next_token.clone(), ..Default::default() };
    let second = ok(store.history(&arn("a"), query.clone()).await);
    assert_eq!(ids(&second), (101..=200).collect::<Vec<_>>());
    query.next_token = second.next_token;
    let last = ok(store.history(&arn("a"), query).await);
    assert_eq!(ids(&last), (201..=250).collect::<Vec<_>>());
    assert_eq!(last.next_token, None);

    // Reversed, pages of 120: 250..131, 130..11, 10..1.
    let mut query = HistoryQuery { max_results: 120, reverse_order: true, next_token: None };
    let mut seen = Vec::new();
    loop {
        let page = ok(store.history(&arn("a"), query.clone()).await);
        seen.push(ids(&page));
        match page.next_token {
            Some(token) => query.next_token = Some(token),
            None => break,
        }
    }
    assert_eq!(seen.iter().map(Vec::len).collect::<Vec<_>>(), vec![120, 120, 10]);
    assert_eq!(seen.concat(), (1..=250).rev().collect::<Vec<_>>());

    // A page that ends exactly at the last event has no next token.
    let exact = HistoryQuery { max_results: 250, ..Default::default() };
    assert_eq!(ok(store.history(&arn("a"), exact).await).next_token, None);
    // At most 1000 per page.
    let big = HistoryQuery { max_results: 5000, ..Default::default() };
    assert_eq!(ok(store.history(&arn("a"), big).await).items.len(), 250);

    // After an id: what a reader following the execution asks for (0: from the start).
    assert_eq!(ids(&ok(store.history(&arn("a"), HistoryQuery::after(0, 3)).await)), vec![1, 2, 3]);
    assert_eq!(ids(&ok(store.history(&arn("a"), HistoryQuery::after(247, 0)).await)), vec![248, 249, 250]);
    assert!(ok(store.history(&arn("a"), HistoryQuery::after(250, 0)).await).items.is_empty());

    let bad = HistoryQuery { next_token: Some("nonsense".into()), ..Default::default() };
    assert_eq!(store.history(&arn("a"), bad).await, Err(StoreError::InvalidNextToken));
    let none = ok(store.history(&arn("nobody"), HistoryQuery::default()).await);
    assert_eq!(none, Page { items: vec![], next_token: None });
}

async fn history_ids_are_unique(store: &dyn Store) {
    start(store, "a", T0).await;
    let mut commit = Commit::update(arn("a"), 1, None);
    commit.history.push(event(1));
    let duplicate = StoreError::DuplicateHistoryEvent { execution_arn: arn("a"), id: 1 };
    assert_eq!(store.commit(commit).await, Err(duplicate));
    let mut commit = Commit::update(arn("a"), 1, None);
    commit.history = vec![event(2), event(2)];
    let duplicate = StoreError::DuplicateHistoryEvent { execution_arn: arn("a"), id: 2 };
    assert_eq!(store.commit(commit).await, Err(duplicate));
    // Another execution may use the same ids.
    start(store, "b", T0).await;
}

async fn timers(store: &dyn Store) {
    start(store, "a", T0).await;
    start(store, "b", T0).await;
    let at = |s: i64| T0 + time::Duration::seconds(s);
    let mut commit = Commit::update(arn("a"), 1, None);
    commit.timers_set = vec![
        Timer { key: b"wait".to_vec(), deadline: at(10) },
        Timer { key: b"retry".to_vec(), deadline: at(30) },
        Timer { key: b"heartbeat".to_vec(), deadline: at(20) },
    ];
    ok(store.commit(commit).await);
    let mut commit = Commit::update(arn("b"), 1, None);
    commit.timers_set = vec![Timer { key: vec![0], deadline: at(15) }];
    ok(store.commit(commit).await);
    let timer =
        |name: &str, key: &[u8], s| TimerRecord { execution_arn: arn(name), key: key.to_vec(), deadline: at(s) };
    assert_eq!(ok(store.timers_due(at(9)).await), vec![]);
    assert_eq!(
        ok(store.timers_due(at(20)).await),
        vec![timer("a", b"wait", 10), timer("b", &[0], 15), timer("a", b"heartbeat", 20)]
    );
    // Move one, clear one, clear one that is not set.
    let mut commit = Commit::update(arn("a"), 2, None);
    commit.timers_cleared = vec![b"wait".to_vec(), b"unknown".to_vec()];
    commit.timers_set = vec![Timer { key: b"heartbeat".to_vec(), deadline: at(40) }];
    ok(store.commit(commit).await);
    assert_eq!(
        ok(store.timers_due(at(100)).await),
        vec![timer("b", &[0], 15), timer("a", b"retry", 30), timer("a", b"heartbeat", 40)]
    );
    // Clearing and setting a key in one commit sets it.
    let mut commit = Commit::update(arn("b"), 2, None);
    commit.timers_cleared = vec![vec![0]];
    commit.timers_set = vec![Timer { key: vec![0], deadline: at(50) }];
    ok(store.commit(commit).await);
    assert_eq!(ok(store.timers_due(at(100)).await).last(), Some(&timer("b", &[0], 50)));
}

async fn task_tokens(store: &dyn Store) {
    start(store, "a", T0).await;
    start(store, "b", T0).await;
    let mut commit = Commit::update(arn("a"), 1, None);
    commit.tokens_opened = vec![
        TokenOpen { token: "t1".into(), wait: b"frame 1".to_vec() },
        TokenOpen { token: "t2".into(), wait: vec![] },
    ];
    ok(store.commit(commit).await);
    let record = |token: &str, wait: &[u8], open| TokenRecord {
        token: token.into(),
        execution_arn: arn("a"),
        wait: wait.to_vec(),
        open,
    };
    assert_eq!(ok(store.task_token("t1").await), Some(record("t1", b"frame 1", true)));
    assert_eq!(ok(store.task_token("nope").await), None);

    // Only the execution that opened a token closes it.
    let mut commit = Commit::update(arn("b"), 1, None);
    commit.tokens_closed = vec!["t1".into()];
    assert_eq!(store.commit(commit).await, Err(StoreError::TokenNotOpen("t1".into())));
    // A token is opened once, by anyone.
    let mut commit = Commit::update(arn("b"), 1, None);
    commit.tokens_opened = vec![TokenOpen { token: "t2".into(), wait: vec![] }];
    assert_eq!(store.commit(commit).await, Err(StoreError::DuplicateToken("t2".into())));

    let mut commit = Commit::update(arn("a"), 2, None);
    commit.tokens_closed = vec!["t1".into()];
    ok(store.commit(commit).await);
    assert_eq!(ok(store.task_token("t1").await), Some(record("t1", b"frame 1", false)));
    assert_eq!(ok(store.task_token("t2").await), Some(record("t2", b"", true)));
    // Closed is closed: a second answer fails.
    let mut commit = Commit::update(arn("a"), 3, None);
    commit.tokens_closed = vec!["t1".into()];
    assert_eq!(store.commit(commit).await, Err(StoreError::TokenNotOpen("t1".into())));
    // Opened and closed in one commit.
    let mut commit = Commit::update(arn("a"), 3, None);
    commit.tokens_opened = vec![TokenOpen { token: "t3".into(), wait: vec![3] }];
    commit.tokens_closed = vec!["t3".into()];
    ok(store.commit(commit).await);
    assert_eq!(ok(store.task_token("t3").await), Some(record("t3", &[3], false)));
}

const ACTIVITY: &str = "arn:aws:states:us-east-1:123456789012:activity:approve";

fn schedule(token: &str, seconds: i64) -> NewActivityTask {
    NewActivityTask {
        activity_arn: ACTIVITY.into(),
        task_token: token.into(),
        input: format!(r#"{{"token":"{token}"}}"#),
        scheduled: T0 + time::Duration::seconds(seconds),
    }
}

fn open_token(token: &str) -> TokenOpen {
    TokenOpen { token: token.into(), wait: token.as_bytes().to_vec() }
}

async fn activity_tasks(store: &dyn Store) {
    start(store, "a", T0).await;
    start(store, "b", T0).await;
    let mut commit = Commit::update(arn("a"), 1, None);
    commit.tokens_opened = vec![open_token("late"), open_token("early")];
    commit.activity_tasks_added = vec![schedule("late", 20), schedule("early", 10)];
    ok(store.commit(commit).await);
    let mut commit = Commit::update(arn("b"), 1, None);
    commit.tokens_opened = vec![open_token("middle")];
    commit.activity_tasks_added = vec![schedule("middle", 15)];
    ok(store.commit(commit).await);
    let task = |name: &str, token: &str, seconds| ActivityTaskRecord {
        activity_arn: ACTIVITY.into(),
        task_token: token.into(),
        execution_arn: arn(name),
        input: format!(r#"{{"token":"{token}"}}"#),
        scheduled: T0 + time::Duration::seconds(seconds),
        claim: None,
    };
    assert_eq!(
        ok(store.claimable_activity_tasks(ACTIVITY, 10).await),
        vec![task("a", "early", 10), task("b", "middle", 15), task("a", "late", 20)]
    );
    assert_eq!(ok(store.claimable_activity_tasks(ACTIVITY, 1).await), vec![task("a", "early", 10)]);
    assert_eq!(ok(store.claimable_activity_tasks("arn:other", 10).await), vec![]);

    // A worker claims the oldest.
    let claimed_at = T0 + time::Duration::seconds(30);
    let mut commit = Commit::update(arn("a"), 2, None);
    commit.activity_tasks_claimed =
        vec![ActivityClaim { task_token: "early".into(), worker_name: "worker-1".into(), claimed: claimed_at }];
    ok(store.commit(commit).await);
    assert_eq!(
        ok(store.claimable_activity_tasks(ACTIVITY, 10).await),
        vec![task("b", "middle", 15), task("a", "late", 20)]
    );
    let mut claimed = task("a", "early", 10);
    claimed.claim = Some(("worker-1".into(), claimed_at));
    assert_eq!(ok(store.activity_task("early").await), Some(claimed));
    // Answering closes the token, which ends the task.
    let mut commit = Commit::update(arn("a"), 3, None);
    commit.tokens_closed = vec!["early".into()];
    ok(store.commit(commit).await);
    assert_eq!(ok(store.activity_task("early").await), None);
    assert_eq!(ok(store.activity_task("late").await), Some(task("a", "late", 20)));
}

async fn activity_task_rules(store: &dyn Store) {
    start(store, "a", T0).await;
    start(store, "b", T0).await;
    // The token must be open for the same execution.
    let mut commit = Commit::update(arn("a"), 1, None);
    commit.activity_tasks_added = vec![schedule("unopened", 0)];
    assert_eq!(store.commit(commit).await, Err(StoreError::TokenNotOpen("unopened".into())));
    let mut commit = Commit::update(arn("a"), 1, None);
    commit.tokens_opened = vec![open_token("t")];
    commit.activity_tasks_added = vec![schedule("t", 0)];
    ok(store.commit(commit).await);
    let mut commit = Commit::update(arn("b"), 1, None);
    commit.activity_tasks_added = vec![schedule("t", 0)];
    assert_eq!(store.commit(commit).await, Err(StoreError::TokenNotOpen("t".into())));
    // One task per token.
    let mut commit = Commit::update(arn("a"), 2, None);
    commit.activity_tasks_added = vec![schedule("t", 1)];
    assert_eq!(store.commit(commit).await, Err(StoreError::DuplicateActivityTask("t".into())));
    // Claims: not another execution's, not twice, not an unknown task.
    let claim = |token: &str| ActivityClaim { task_token: token.into(), worker_name: "w".into(), claimed: T0 };
    let mut commit = Commit::update(arn("b"), 1, None);
    commit.activity_tasks_claimed = vec![claim("t")];
    assert_eq!(store.commit(commit).await, Err(StoreError::ActivityTaskNotClaimable("t".into())));
    let mut commit = Commit::update(arn("a"), 2, None);
    commit.activity_tasks_claimed = vec![claim("t"), claim("t")];
    assert_eq!(store.commit(commit).await, Err(StoreError::ActivityTaskNotClaimable("t".into())));
    let mut commit = Commit::update(arn("a"), 2, None);
    commit.activity_tasks_claimed = vec![claim("ghost")];
    let refused = StoreError::ActivityTaskNotClaimable("ghost".into());
    assert_eq!(store.commit(commit).await, Err(refused));
    let mut commit = Commit::update(arn("a"), 2, None);
    commit.activity_tasks_claimed = vec![claim("t")];
    ok(store.commit(commit).await);
    let mut commit = Commit::update(arn("a"), 3, None);
    commit.activity_tasks_claimed = vec![claim("t")];
    assert_eq!(store.commit(commit).await, Err(StoreError::ActivityTaskNotClaimable("t".into())));
    // Scheduled, claimed and finished in one commit.
    let mut commit = Commit::update(arn("a"), 3, None);
    commit.tokens_opened = vec![open_token("quick")];
    commit.activity_tasks_added = vec![schedule("quick", 0)];
    commit.activity_tasks_claimed = vec![claim("quick")];
    commit.tokens_closed = vec!["quick".into()];
    ok(store.commit(commit).await);
    assert_eq!(ok(store.activity_task("quick").await), None);
}

async fn running_executions(store: &dyn Store) {
    let at = |s: i64| T0 + time::Duration::seconds(s);
    start(store, "later", at(5)).await;
    start(store, "first", at(1)).await;
    start(store, "done", at(0)).await;
    end(store, "done", 1, Status::Succeeded, at(3)).await;
    let running = ok(store.running_executions().await);
    let names: Vec<&str> = running.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["first", "later"]);
    // Snapshots included: recovery needs them.
    assert!(running.iter().all(|e| e.snapshot == b"s1"));
}

async fn listing_executions(store: &dyn Store) {
    let at = |s: i64| T0 + time::Duration::seconds(s);
    for i in 0..25 {
        // Pairs share a start date: the later created is listed first.
        start(store, &format!("e{i:02}"), at(i / 2)).await;
    }
    for i in (0..25).step_by(3) {
        end(store, &format!("e{i:02}"), 1, Status::Succeeded, at(100)).await;
    }
    let mut other = new_execution("elsewhere", T0);
    other.arn = "arn:aws:states:us-east-1:123456789012:execution:other:x".into();
    other.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:other".into();
    ok(store.commit(Commit::start(other, vec![])).await);

    let list = |status, max_results, next_token| ExecutionQuery {
        state_machine_arn: MACHINE.into(),
        map_run_arn: None,
        status,
        max_results,
        next_token,
    };
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let page = ok(store.executions(list(None, 10, token)).await);
        assert!(page.items.len() <= 10);
        all.extend(page.items);
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    let names: Vec<String> = all.iter().map(|e| e.name.clone()).collect();
    let expected: Vec<String> = (0..25).rev().map(|i| format!("e{i:02}")).collect();
    assert_eq!(names, expected);
    assert_eq!(
        all[24],
        ExecutionSummary {
            arn: arn("e00"),
            state_machine_arn: MACHINE.into(),
            name: "e00".into(),
            status: ExecutionStatus::Succeeded,
            start_date: T0,
            stop_date: Some(at(100)),
            redrive_count: 0,
            redrive_date: None,
            map_run_arn: None,
        }
    );

    let succeeded = ok(store.executions(list(Some(ExecutionStatus::Succeeded), 0, None)).await);
    let names: Vec<&str> = succeeded.items.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["e24", "e21", "e18", "e15", "e12", "e09", "e06", "e03", "e00"]);
    assert_eq!(succeeded.next_token, None);
    let running = ok(store.executions(list(Some(ExecutionStatus::Running), 2, None)).await);
    let names: Vec<&str> = running.items.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["e23", "e22"]);
    let failed = ok(store.executions(list(Some(ExecutionStatus::Failed), 0, None)).await);
    assert_eq!(failed.items, vec![]);

    let bad = list(None, 0, Some("h12".into()));
    assert_eq!(store.executions(bad).await, Err(StoreError::InvalidNextToken));
}

async fn purge_ended_before(store: &dyn Store) {
    let day = |d: i64| T0 + time::Duration::days(d);
    for name in ["old", "recent", "running"] {
        start(store, name, day(0)).await;
        let mut commit = Commit::update(arn(name), 1, None);
        let token = format!("{name}-token");
        commit.history.push(event(2));
        commit.timers_set.push(Timer { key: vec![1], deadline: day(1) });
        commit.tokens_opened.push(open_token(&token));
        commit.activity_tasks_added.push(schedule(&token, 0));
        ok(store.commit(commit).await);
    }
    end(store, "old", 2, Status::Failed, day(1)).await;
    end(store, "recent", 2, Status::Succeeded, day(50)).await;

    assert_eq!(ok(store.purge_ended_before(day(1)).await), 0, "ended exactly at the cutoff");
    assert_eq!(ok(store.purge_ended_before(day(30)).await), 1);
    assert_eq!(ok(store.execution(&arn("old")).await), None);
    let history = ok(store.history(&arn("old"), HistoryQuery::default()).await);
    assert_eq!(history.items, vec![]);
    assert_eq!(ok(store.task_token("old-token").await), None);
    assert_eq!(ok(store.activity_task("old-token").await), None);
    let timers = ok(store.timers_due(day(2)).await);
    let owners: Vec<&str> = timers.iter().map(|t| t.execution_arn.as_str()).collect();
    assert_eq!(owners, vec![arn("recent").as_str(), arn("running").as_str()]);

    for name in ["recent", "running"] {
        assert_eq!(ok(store.history(&arn(name), HistoryQuery::default()).await).items.len(), 2);
        assert!(ok(store.task_token(&format!("{name}-token")).await).is_some());
    }
    // Running executions stay, however old.
    assert_eq!(ok(store.purge_ended_before(day(10_000)).await), 1);
    let running = ok(store.running_executions().await);
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].name, "running");
    // The name of a purged execution can be used again.
    assert_eq!(start(store, "old", day(60)).await, 1);
}

async fn redrive(store: &dyn Store) {
    let version = start(store, "again", T0).await;
    let stop = T0 + time::Duration::seconds(5);
    let mut failing = Commit::update(arn("again"), version, Some(b"failed".to_vec()));
    failing.end = Some(ExecutionEnd {
        status: Status::Failed,
        output: None,
        error: Some("Boom".into()),
        cause: Some("why".into()),
        stop_date: stop,
    });
    failing.history.push(event(2));
    ok(store.commit(failing).await);
    let failed = execution(store, "again").await;
    assert_eq!((failed.redrive_count, failed.redrive_date), (0, None));

    let at = T0 + time::Duration::hours(1);
    let mut redrive = Commit::update(arn("again"), 2, Some(b"redriven".to_vec()));
    redrive.redrive = Some(ExecutionRedrive { redrive_count: 1, redrive_date: at });
    redrive.history.push(event(3));
    assert_eq!(ok(store.commit(redrive).await), 3);
    let running = execution(store, "again").await;
    assert_eq!(
        running,
        ExecutionRecord {
            status: ExecutionStatus::Running,
            error: None,
            cause: None,
            stop_date: None,
            redrive_count: 1,
            redrive_date: Some(at),
            snapshot: b"redriven".to_vec(),
            version: 3,
            ..failed
        }
    );
    // Running again: recovery takes it up, a purge leaves it alone.
    let arns: Vec<String> = ok(store.running_executions().await).into_iter().map(|e| e.arn).collect();
    assert_eq!(arns, [arn("again")]);
    assert_eq!(ok(store.purge_ended_before(at + time::Duration::days(365)).await), 0);
    let listed = ok(store.executions(ExecutionQuery::of(MACHINE)).await).items;
    assert_eq!((listed[0].redrive_count, listed[0].redrive_date), (1, Some(at)));

    // It ends again: the redrive stays on record.
    end(store, "again", 3, Status::Succeeded, at + time::Duration::seconds(1)).await;
    let ended = execution(store, "again").await;
    assert_eq!(ended.status, ExecutionStatus::Succeeded);
    assert_eq!((ended.redrive_count, ended.redrive_date), (1, Some(at)));
    assert_eq!(ok(store.history(&arn("again"), HistoryQuery::default()).await).items.len(), 3);

    // A start is never a redrive.
    let mut fresh = Commit::start(new_execution("fresh", T0), Vec::new());
    fresh.redrive = Some(ExecutionRedrive { redrive_count: 4, redrive_date: at });
    ok(store.commit(fresh).await);
    assert_eq!(execution(store, "fresh").await.redrive_count, 0);
}

/// `seconds` after [`T0`].
fn at(seconds: i64) -> OffsetDateTime {
    T0 + time::Duration::seconds(seconds)
}

const MAP_RUN: &str = "arn:aws:states:us-east-1:123456789012:mapRun:order/Items:7f3c";

/// A child execution of `MAP_RUN` named `name` that ended with `status` at `stop`.
fn child(name: &str, status: Status, stop: OffsetDateTime) -> ChildExecution {
    ChildExecution {
        execution: NewExecution {
            arn: format!("arn:aws:states:us-east-1:123456789012:execution:order/Items:{name}"),
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:order/Items".into(),
            name: name.into(),
            input: r#"{"item":1}"#.into(),
            start_date: T0,
        },
        map_run_arn: MAP_RUN.into(),
        end: ExecutionEnd {
            status,
            output: (status == Status::Succeeded).then(|| "2".to_owned()),
            error: (status == Status::Failed).then(|| "Boom".to_owned()),
            cause: None,
            stop_date: stop,
        },
        redrive_count: 0,
        redrive_date: None,
        history: vec![event(1), event(2)],
    }
}

async fn map_run_children(store: &dyn Store) {
    start(store, "parent", T0).await;
    let mut commit = Commit::update(arn("parent"), 1, None);
    commit.children = vec![child("c1", Status::Succeeded, at(1)), child("c2", Status::Failed, at(2))];
    assert_eq!(ok(store.commit(commit).await), 2);

    let c2 = ok(store.execution("arn:aws:states:us-east-1:123456789012:execution:order/Items:c2").await)
        .expect("the child is stored");
    assert_eq!(c2.status, ExecutionStatus::Failed);
    assert_eq!((c2.error.as_deref(), c2.stop_date), (Some("Boom"), Some(at(2))));
    assert_eq!(c2.map_run_arn.as_deref(), Some(MAP_RUN));
    assert_eq!(c2.input, r#"{"item":1}"#);
    let history = ok(store.history(&c2.arn, HistoryQuery::default()).await);
    assert_eq!(history.items, vec![event(1), event(2)]);

    // Listed by their Map Run, not with the parent's state machine.
    let mut query = ExecutionQuery::of(MACHINE);
    query.map_run_arn = Some(MAP_RUN.into());
    let listed = ok(store.executions(query.clone()).await).items;
    let names: Vec<&str> = listed.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["c2", "c1"]);
    assert_eq!(listed[0].map_run_arn.as_deref(), Some(MAP_RUN));
    let parents = ok(store.executions(ExecutionQuery::of(MACHINE)).await).items;
    assert_eq!(parents.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["parent"]);
    query.status = Some(ExecutionStatus::Succeeded);
    assert_eq!(ok(store.executions(query).await).items.len(), 1);

    // A child that runs again replaces its record and history.
    let mut again = child("c2", Status::Succeeded, at(3));
    again.history = vec![event(1)];
    again.redrive_count = 1;
    again.redrive_date = Some(at(3));
    let mut commit = Commit::update(arn("parent"), 2, None);
    commit.children.push(again);
    ok(store.commit(commit).await);
    let c2 = ok(store.execution("arn:aws:states:us-east-1:123456789012:execution:order/Items:c2").await).unwrap();
    assert_eq!((c2.status, c2.redrive_count, c2.redrive_date), (ExecutionStatus::Succeeded, 1, Some(at(3))));
    assert_eq!(ok(store.history(&c2.arn, HistoryQuery::default()).await).items.len(), 1);

    // Ended children are purged like any ended execution; the running parent stays.
    assert_eq!(ok(store.purge_ended_before(at(10)).await), 2);
    assert_eq!(ok(store.running_executions().await).len(), 1);
}

async fn map_run_records(store: &dyn Store) {
    start(store, "parent", T0).await;
    start(store, "other", T0).await;
    let run =
        |arn: &str, body: &str| MapRunRecord { arn: arn.into(), execution_arn: self::arn("parent"), body: body.into() };
    let mut commit = Commit::update(arn("parent"), 1, None);
    commit.map_runs = vec![run(MAP_RUN, r#"{"v":1}"#), run("arn:second", r#"{"v":1}"#)];
    ok(store.commit(commit).await);
    let mut commit = Commit::update(arn("parent"), 2, None);
    commit.map_runs = vec![run(MAP_RUN, r#"{"v":2}"#)];
    ok(store.commit(commit).await);
    assert_eq!(ok(store.map_run(MAP_RUN).await), Some(run(MAP_RUN, r#"{"v":2}"#)));
    assert_eq!(ok(store.map_run("arn:none").await), None);
    let runs = ok(store.map_runs(&arn("parent")).await);
    assert_eq!(runs, vec![run(MAP_RUN, r#"{"v":2}"#), run("arn:second", r#"{"v":1}"#)], "in the order first written");
    assert_eq!(ok(store.map_runs(&arn("other")).await), vec![]);

    // Another execution cannot write them, and its commit changes nothing.
    let mut foreign = Commit::update(arn("other"), 1, Some(b"x".to_vec()));
    foreign.map_runs = vec![MapRunRecord { execution_arn: arn("other"), ..run(MAP_RUN, "{}") }];
    assert_eq!(store.commit(foreign).await, Err(StoreError::ForeignMapRun(MAP_RUN.into())));
    let mut mislabelled = Commit::update(arn("other"), 1, None);
    mislabelled.map_runs = vec![run("arn:third", "{}")];
    assert_eq!(store.commit(mislabelled).await, Err(StoreError::ForeignMapRun("arn:third".into())));
    assert_eq!(execution(store, "other").await.version, 1);

    // They go with their execution.
    end(store, "parent", 3, Status::Succeeded, at(5)).await;
    ok(store.purge_ended_before(at(10)).await);
    assert_eq!(ok(store.map_run(MAP_RUN).await), None);
}
