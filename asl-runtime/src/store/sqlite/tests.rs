//! What only the SQLite store has: a schema with versions, a file other tools can read,
//! damage detection, and durability across a SIGKILL. The behaviour it shares with the
//! memory store is tested by the shared suite in `store/tests.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use rusqlite::Connection;
use time::macros::datetime;

use super::{SqliteStore, schema};
use crate::store::{Commit, HistoryQuery, HistoryRecord, NewExecution, Store, StoreError};

fn ok<T>(result: Result<T, StoreError>) -> T {
    result.unwrap_or_else(|e| panic!("store operation failed: {e}"))
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn sql(path: &Path) -> Connection {
    Connection::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

fn user_version(path: &Path) -> i64 {
    sql(path).pragma_query_value(None, "user_version", |row| row.get(0)).unwrap_or_else(|e| panic!("user_version: {e}"))
}

fn new_execution(name: &str) -> NewExecution {
    NewExecution {
        arn: format!("arn:aws:states:us-east-1:123456789012:execution:m:{name}"),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m".into(),
        name: name.into(),
        input: "{}".into(),
        start_date: datetime!(2026-01-01 0:00 UTC),
    }
}

/// A started execution with one history event.
fn started(name: &str) -> Commit {
    let mut commit = Commit::start(new_execution(name), vec![1, 2, 3]);
    let event = r#"{"id":1,"type":"ExecutionStarted","executionStartedEventDetails":{"input":"{}"}}"#;
    commit.history.push(HistoryRecord { id: 1, event: event.into() });
    commit
}

/// Commits in flight together share transactions; one at a time, each has its own.
#[tokio::test]
async fn concurrent_commits_share_a_batch() {
    let dir = tempdir();
    let store = ok(SqliteStore::open(dir.path().join("s.sqlite")));
    for i in 0..5 {
        ok(store.commit(started(&format!("alone{i}"))).await);
    }
    assert_eq!(store.stats(), super::WriterStats { writes: 5, batches: 5 });
    let commits = (0..300).map(|i| store.commit(started(&format!("together{i}"))));
    for result in futures_util::future::join_all(commits).await {
        ok(result);
    }
    let stats = store.stats();
    assert_eq!(stats.writes, 305);
    // All 300 are queued before the first is awaited, but the writer may wake up after the
    // first few: far fewer batches than commits either way.
    assert!(stats.batches <= 5 + 10, "{stats:?}");
}

#[tokio::test]
async fn reopening_keeps_data_and_schema_version() {
    let dir = tempdir();
    let path = dir.path().join("s.sqlite");
    let store = ok(SqliteStore::open(&path));
    assert_eq!(store.path(), path);
    ok(store.commit(started("a")).await);
    drop(store);
    assert_eq!(user_version(&path), schema::MIGRATIONS.len() as i64);
    let store = ok(SqliteStore::open(&path));
    let arn = &new_execution("a").arn;
    let record = ok(store.execution(arn).await).unwrap_or_else(|| panic!("lost the execution"));
    assert_eq!((record.version, record.snapshot), (1, vec![1, 2, 3]));
    assert_eq!(ok(store.history(arn, HistoryQuery::default()).await).items.len(), 1);
}

#[tokio::test]
async fn migrations_apply_only_what_a_file_lacks() {
    let dir = tempdir();
    let path = dir.path().join("s.sqlite");
    let store = ok(SqliteStore::open(&path));
    ok(store.commit(started("a")).await);
    drop(store);
    // A later build adds a column; the file gets that migration only, its rows intact.
    let next = "ALTER TABLE executions ADD COLUMN later INTEGER NOT NULL DEFAULT 0;";
    let later: Vec<&str> = schema::MIGRATIONS.iter().copied().chain([next]).collect();
    let store = ok(SqliteStore::open_with(&path, &later));
    assert_eq!(ok(store.execution(&new_execution("a").arn).await).map(|e| e.version), Some(1));
    drop(store);
    assert_eq!(user_version(&path), later.len() as i64);
    let count: i64 = sql(&path)
        .query_row("SELECT later FROM executions", [], |row| row.get(0))
        .unwrap_or_else(|e| panic!("new column: {e}"));
    assert_eq!(count, 0);
    // Opening it again applies nothing (the ALTER would fail if it ran twice).
    drop(ok(SqliteStore::open_with(&path, &later)));
}

#[tokio::test]
async fn a_file_of_version_2_gets_the_redrive_and_map_run_columns() {
    let dir = tempdir();
    let path = dir.path().join("s.sqlite");
    let store = ok(SqliteStore::open_with(&path, &schema::MIGRATIONS[..2]));
    ok(store.commit(started("a")).await);
    drop(store);
    let store = ok(SqliteStore::open(&path));
    let record = ok(store.execution(&new_execution("a").arn).await).unwrap_or_else(|| panic!("lost the execution"));
    assert_eq!((record.version, record.redrive_count, record.redrive_date), (1, 0, None));
    assert_eq!(record.map_run_arn, None);
    assert_eq!(ok(store.map_runs(&record.arn).await), vec![]);
    drop(store);
    assert_eq!(user_version(&path), schema::MIGRATIONS.len() as i64);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempdir();
    let path = dir.path().join("s.sqlite");
    drop(ok(SqliteStore::open(&path)));
    sql(&path).pragma_update(None, "user_version", 99).unwrap_or_else(|e| panic!("{e}"));
    match SqliteStore::open(&path) {
        Err(StoreError::Corrupt(message)) => assert!(message.contains("99"), "{message}"),
        other => panic!("opened a v99 file: {other:?}"),
    }
}

#[tokio::test]
async fn the_file_reads_with_plain_sql() {
    let dir = tempdir();
    let path = dir.path().join("s.sqlite");
    let store = ok(SqliteStore::open(&path));
    ok(store.commit(started("a")).await);
    drop(store);
    let conn = sql(&path);
    let mode: String =
        conn.pragma_query_value(None, "journal_mode", |row| row.get(0)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode, "wal");
    // What `sqlite3 s.sqlite` shows: the event as JSON text, the snapshot as a BLOB.
    let (kind, event_type, snapshot_type, status): (String, String, String, String) = conn
        .query_row(
            "SELECT typeof(h.event), json_extract(h.event, '$.type'), typeof(e.snapshot), e.status
             FROM history h JOIN executions e ON e.id = h.execution_id",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((kind.as_str(), event_type.as_str()), ("text", "ExecutionStarted"));
    assert_eq!((snapshot_type.as_str(), status.as_str()), ("blob", "RUNNING"));
}

#[tokio::test]
async fn damaged_rows_are_errors_not_panics() {
    let dir = tempdir();
    let path = dir.path().join("s.sqlite");
    let store = ok(SqliteStore::open(&path));
    ok(store.commit(started("a")).await);
    ok(store.commit(started("b")).await);
    let damage = sql(&path);
    let arn_a = new_execution("a").arn;
    let arn_b = new_execution("b").arn;
    let run = |statement: &str, arn: &str| {
        damage.execute(statement, [arn]).unwrap_or_else(|e| panic!("{statement}: {e}"));
    };
    run("UPDATE executions SET status = 'DANCING' WHERE arn = ?1", &arn_a);
    run("UPDATE executions SET start_us = 9223372036854775807 WHERE arn = ?1", &arn_b);
    assert!(matches!(store.execution(&arn_a).await, Err(StoreError::Corrupt(m)) if m.contains("DANCING")));
    assert!(matches!(store.execution(&arn_b).await, Err(StoreError::Corrupt(_))));
    assert!(matches!(store.running_executions().await, Err(StoreError::Corrupt(_))));
    run("UPDATE executions SET version = -3 WHERE arn = ?1", &arn_b);
    run("UPDATE executions SET start_us = 0 WHERE arn = ?1", &arn_b);
    assert!(matches!(store.execution(&arn_b).await, Err(StoreError::Corrupt(_))));
    run("UPDATE executions SET snapshot = 'text, not bytes' WHERE arn = ?1", &arn_b);
    run("UPDATE executions SET version = 1 WHERE arn = ?1", &arn_b);
    assert!(matches!(store.execution(&arn_b).await, Err(StoreError::Corrupt(_))));
    // Writes still work.
    ok(store.commit(Commit::update(&arn_a, 1, None)).await);
}

/// The child process of [`acknowledged_commits_survive_sigkill`]: takes up the executions
/// where the file has them (starting them the first time) and commits to all of them at once,
/// round after round, printing `ack <execution> <version>` for each commit the store
/// acknowledged, until it is killed (or, should its parent be gone, for a bounded while).
#[tokio::test]
#[ignore = "runs as the child process of acknowledged_commits_survive_sigkill"]
async fn durability_child() {
    use std::io::Write;
    let Some(path) = std::env::var_os(CHILD_STORE) else {
        panic!("{CHILD_STORE} is not set: this test only runs as a child process");
    };
    let store = ok(SqliteStore::open(path));
    let mut stdout = std::io::stdout();
    let mut versions = Vec::new();
    for i in 0..CHILD_EXECUTIONS {
        let name = format!("x{i}");
        let version = match ok(store.execution(&new_execution(&name).arn).await) {
            Some(record) => record.version,
            None => ok(store.commit(started(&name)).await),
        };
        versions.push((name, version));
    }
    for _ in 0..2_000 {
        // All executions commit at once, so the writer batches them.
        let commits = versions.iter().map(|(name, version)| {
            let next = version + 1;
            let arn = new_execution(name).arn;
            let mut commit = Commit::update(arn, *version, Some(next.to_be_bytes().to_vec()));
            commit.history.push(HistoryRecord { id: next, event: format!(r#"{{"id":{next}}}"#) });
            store.commit(commit)
        });
        let results = futures_util::future::join_all(commits).await;
        for ((name, version), result) in versions.iter_mut().zip(results) {
            *version = ok(result);
            let _ = writeln!(stdout, "ack {name} {version}");
        }
        let _ = stdout.flush();
    }
}

const CHILD_STORE: &str = "ASL_STORE_DURABILITY_CHILD";
const CHILD_EXECUTIONS: usize = 64;

/// Every history event id of `arn`, page by page.
async fn history_ids(store: &SqliteStore, arn: &str) -> Vec<u64> {
    let mut query = HistoryQuery { max_results: 1000, ..Default::default() };
    let mut ids = Vec::new();
    loop {
        let page = ok(store.history(arn, query.clone()).await);
        ids.extend(page.items.iter().map(|e| e.id));
        match page.next_token {
            Some(token) => query.next_token = Some(token),
            None => return ids,
        }
    }
}

/// Kills the child when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A child process commits as fast as it can and is SIGKILLed mid-stream, three times over
/// the same file; after each kill every commit it was told about (and printed) is in the
/// file, with its history contiguous.
#[tokio::test]
async fn acknowledged_commits_survive_sigkill() {
    let dir = tempdir();
    let path = dir.path().join("s.sqlite");
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    for round in 0..3 {
        let mut child = Child(
            Command::new(&exe)
                .args(["--exact", "store::sqlite::tests::durability_child", "--ignored"])
                .arg("--nocapture")
                .env(CHILD_STORE, &path)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("spawn the child: {e}")),
        );
        let stdout = child.0.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut acked = std::collections::HashMap::<String, u64>::new();
        let mut lines = BufReader::new(stdout).lines();
        // Ten rounds of commits, then the kill lands wherever the child is.
        let wanted = CHILD_EXECUTIONS * 10;
        let mut count = 0;
        while count < wanted {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(rest) = line.strip_prefix("ack ")
                && let Some((name, version)) = rest.split_once(' ')
                && let Ok(version) = version.parse::<u64>()
            {
                let slot = acked.entry(name.to_owned()).or_default();
                *slot = (*slot).max(version);
                count += 1;
            }
        }
        // Each round lets the child run on a little longer, so the kills land at different
        // points of its commit cycle.
        std::thread::sleep(std::time::Duration::from_millis(round * 3));
        child.0.kill().unwrap_or_else(|e| panic!("kill: {e}"));
        let _ = child.0.wait();
        assert_eq!(count, wanted, "round {round}: the child stopped acknowledging early");
        assert_eq!(acked.len(), CHILD_EXECUTIONS);
        let store = ok(SqliteStore::open(&path));
        for (name, version) in &acked {
            let arn = new_execution(name).arn;
            let record = ok(store.execution(&arn).await).unwrap_or_else(|| panic!("{name} lost"));
            assert!(
                record.version >= *version,
                "round {round}: {name} acknowledged at {version}, found {}",
                record.version
            );
            let snapshot = match record.version {
                1 => vec![1, 2, 3],
                version => version.to_be_bytes().to_vec(),
            };
            assert_eq!(record.snapshot, snapshot, "round {round}: {name}");
            let ids = history_ids(&store, &arn).await;
            assert_eq!(ids, (1..=record.version).collect::<Vec<_>>(), "round {round}: {name}");
        }
    }
}
