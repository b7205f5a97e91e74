//! The SQLite store: durable executions in one file, with group commit.
//!
//! Two threads own the two connections. The writer ([`writer`]) takes every queued write,
//! applies them in one transaction (each in a savepoint, so one failed version check fails
//! one commit, not its batch), commits — one fsync for the whole batch, as WAL with
//! `synchronous=FULL` does — and only then answers each caller. The reader ([`read`]) runs
//! queries on a second connection; WAL lets it read while the writer writes, and since
//! callers hear of a commit only after it is committed, a read issued after an acknowledged
//! commit sees it.

mod read;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::Connection;
use time::OffsetDateTime;
use tokio::sync::oneshot;

use super::{
    ActivityTaskRecord, Commit, ExecutionQuery, ExecutionRecord, ExecutionSummary, HistoryQuery, HistoryRecord,
    MapRunRecord, Page, ResourceRecord, Store, StoreError, StoreFuture, TimerRecord, TokenRecord, to_micros,
};
use writer::Job;

/// A [`Store`] in one SQLite file (WAL mode, `synchronous=FULL`): a commit's future resolves
/// only once the commit is on disk, and commits from many executions share one fsync.
///
/// Dropping the store finishes the writes already queued, then closes the file.
pub struct SqliteStore {
    path: PathBuf,
    writer: mpsc::Sender<Job>,
    reader: mpsc::Sender<read::Job>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    counters: Arc<writer::Counters>,
}

/// What the writer has done since the store was opened: how well group commit groups.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Writes applied (commits, state machines, purges), failed ones included.
    pub writes: u64,
    /// Transactions they were written in: one fsync each.
    pub batches: u64,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

/// A SQLite error as a [`StoreError`].
fn backend(error: rusqlite::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

/// A count or id as SQLite stores it (a signed 64-bit integer).
fn to_i64(value: impl TryInto<i64>) -> Result<i64, StoreError> {
    value.try_into().map_err(|_| StoreError::Backend("a number beyond SQLite's integers".into()))
}

impl SqliteStore {
    /// Opens (creating it if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        SqliteStore::open_with(path.as_ref(), schema::MIGRATIONS)
    }

    fn open_with(path: &Path, migrations: &[&str]) -> Result<Self, StoreError> {
        let mut write = Connection::open(path).map_err(backend)?;
        configure(&write)?;
        // Checkpoint (copy the WAL back into the file) every 64 MiB of WAL rather than
        // SQLite's 4 MiB: under load a batch alone can write 4 MiB, and checkpointing after
        // every batch halved throughput (benches/store.rs). A page rewritten by many batches
        // is copied back once per checkpoint.
        write.pragma_update(None, "wal_autocheckpoint", 16_384).map_err(backend)?;
        // Another process writing the file (someone at the `sqlite3` prompt) delays a batch
        // instead of failing it.
        write.busy_timeout(std::time::Duration::from_secs(5)).map_err(backend)?;
        schema::migrate(&mut write, migrations)?;
        // Read-write flags with `query_only`, not a read-only open: a WAL reader writes to
        // the shared-memory index, which a read-only connection may not be allowed to.
        let read = Connection::open(path).map_err(backend)?;
        configure(&read)?;
        read.pragma_update(None, "query_only", true).map_err(backend)?;
        read.busy_timeout(std::time::Duration::from_secs(5)).map_err(backend)?;
        let counters = Arc::new(writer::Counters::default());
        let (writer, jobs) = mpsc::channel();
        let (reader, reads) = mpsc::channel();
        let spawn = |name: &str, body: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.to_owned())
                .spawn(body)
                .map_err(|e| StoreError::Backend(format!("cannot start the {name} thread: {e}")))
        };
        let threads = vec![
            spawn("asl-store-writer", {
                let counters = counters.clone();
                Box::new(move || writer::run(write, jobs, &counters))
            })?,
            spawn("asl-store-reader", Box::new(move || read::run(read, reads)))?,
        ];
        Ok(SqliteStore { path: path.to_owned(), writer, reader, threads: Mutex::new(threads), counters })
    }

    /// The file it stores into.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many writes and batches the writer has done: `writes / batches` is the average
    /// number of commits that shared an fsync.
    pub fn stats(&self) -> WriterStats {
        WriterStats {
            writes: self.counters.writes.load(Ordering::Relaxed),
            batches: self.counters.batches.load(Ordering::Relaxed),
        }
    }

    /// Queues a write and waits for the batch it joins to be durable.
    fn write<T: Send + 'static>(
        &self,
        apply: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'_, T> {
        let (answer, answered) = oneshot::channel();
        let sent = self.writer.send(writer::job(apply, answer));
        Box::pin(async move {
            sent.map_err(|_| StoreError::Closed)?;
            answered.await.map_err(|_| StoreError::Closed)?
        })
    }

    /// Runs a query on the reader thread.
    fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'_, T> {
        let (answer, answered) = oneshot::channel();
        let sent = self.reader.send(Box::new(move |conn: &Connection| {
            // The caller may have stopped waiting; nobody else wants the answer.
            let _ = answer.send(query(conn));
        }));
        Box::pin(async move {
            sent.map_err(|_| StoreError::Closed)?;
            answered.await.map_err(|_| StoreError::Closed)?
        })
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Closing the channels ends both threads once they have drained them; joining them
        // means a dropped store has closed its file, so it can be reopened at once.
        let (writer, _) = mpsc::channel();
        let (reader, _) = mpsc::channel();
        drop(std::mem::replace(&mut self.writer, writer));
        drop(std::mem::replace(&mut self.reader, reader));
        let threads = match self.threads.get_mut() {
            Ok(threads) => std::mem::take(threads),
            Err(poisoned) => std::mem::take(poisoned.into_inner()),
        };
        for thread in threads {
            // A thread that panicked has nothing left to finish.
            let _ = thread.join();
        }
    }
}

/// WAL (readers do not block the writer, and a commit appends to one file) and
/// `synchronous=FULL` (the WAL is fsynced at every commit: an acknowledged commit survives
/// a power cut, not only a crash of the process).
fn configure(conn: &Connection) -> Result<(), StoreError> {
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)).map_err(backend)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!("cannot switch to WAL (journal mode {mode})")));
    }
    conn.pragma_update(None, "synchronous", "FULL").map_err(backend)?;
    // 8 MiB of page cache per connection (the default is 2 MiB): running executions' rows and
    // the tails of their histories stay in memory instead of being read back at each commit.
    // Not more: the cache fills as the file grows, so it is most of what a long-lived
    // runtime's memory grows by (64 MiB made 100,000 ended executions cost 42.8 MiB more than
    // 10,000; 8 MiB costs 0.2 MiB, with the same 1,000-in-flight throughput).
    conn.pragma_update(None, "cache_size", -8_192).map_err(backend)?;
    Ok(())
}

impl Store for SqliteStore {
    fn put_resource(&self, resource: ResourceRecord) -> StoreFuture<'_, ()> {
        self.write(move |conn| writer::put_resource(conn, &resource))
    }

    fn delete_resource(&self, kind: &str, key: &str) -> StoreFuture<'_, bool> {
        let (kind, key) = (kind.to_owned(), key.to_owned());
        self.write(move |conn| writer::delete_resource(conn, &kind, &key))
    }

    fn resource(&self, kind: &str, key: &str) -> StoreFuture<'_, Option<ResourceRecord>> {
        let (kind, key) = (kind.to_owned(), key.to_owned());
        self.read(move |conn| read::resource(conn, &kind, &key))
    }

    fn resources(&self, kind: &str) -> StoreFuture<'_, Vec<ResourceRecord>> {
        let kind = kind.to_owned();
        self.read(move |conn| read::resources(conn, &kind))
    }

    fn commit(&self, commit: Commit) -> StoreFuture<'_, u64> {
        self.write(move |conn| writer::commit(conn, commit))
    }

    fn execution(&self, arn: &str) -> StoreFuture<'_, Option<ExecutionRecord>> {
        let arn = arn.to_owned();
        self.read(move |conn| read::execution(conn, &arn))
    }

    fn running_executions(&self) -> StoreFuture<'_, Vec<ExecutionRecord>> {
        self.read(read::running_executions)
    }

    fn executions(&self, query: ExecutionQuery) -> StoreFuture<'_, Page<ExecutionSummary>> {
        self.read(move |conn| read::executions(conn, &query))
    }

    fn history(&self, execution_arn: &str, query: HistoryQuery) -> StoreFuture<'_, Page<HistoryRecord>> {
        let arn = execution_arn.to_owned();
        self.read(move |conn| read::history(conn, &arn, &query))
    }

    fn timers_due(&self, until: OffsetDateTime) -> StoreFuture<'_, Vec<TimerRecord>> {
        let until = to_micros(until);
        self.read(move |conn| read::timers_due(conn, until))
    }

    fn task_token(&self, token: &str) -> StoreFuture<'_, Option<TokenRecord>> {
        let token = token.to_owned();
        self.read(move |conn| read::task_token(conn, &token))
    }

    fn activity_task(&self, task_token: &str) -> StoreFuture<'_, Option<ActivityTaskRecord>> {
        let token = task_token.to_owned();
        self.read(move |conn| read::activity_task(conn, &token))
    }

    fn claimable_activity_tasks(&self, activity_arn: &str, limit: usize) -> StoreFuture<'_, Vec<ActivityTaskRecord>> {
        let arn = activity_arn.to_owned();
        self.read(move |conn| read::claimable_activity_tasks(conn, &arn, limit))
    }

    fn map_run(&self, arn: &str) -> StoreFuture<'_, Option<MapRunRecord>> {
        let arn = arn.to_owned();
        self.read(move |conn| read::map_run(conn, &arn))
    }

    fn map_runs(&self, execution_arn: &str) -> StoreFuture<'_, Vec<MapRunRecord>> {
        let arn = execution_arn.to_owned();
        self.read(move |conn| read::map_runs(conn, &arn))
    }

    fn purge_ended_before(&self, cutoff: OffsetDateTime) -> StoreFuture<'_, u64> {
        let cutoff = to_micros(cutoff);
        self.write(move |conn| writer::purge_ended_before(conn, cutoff))
    }
}

#[cfg(test)]
mod tests;
