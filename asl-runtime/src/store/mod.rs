//! Where executions outlive the process: the [`Store`] trait and its backends.
//!
//! A store holds what a Step Functions service keeps between requests: its resources (state
//! machines, activities… as [`ResourceRecord`]s), the executions of each (status, input,
//! output, error, dates and the engine's snapshot), their history events, the timers they
//! wait on, the task tokens they handed out and the activity tasks waiting for workers.
//!
//! - [`MemoryStore`]: everything in the process's memory. For Express workflows (which AWS
//!   does not make durable either) and tests.
//! - [`SqliteStore`] (feature `sqlite`, on by default): one SQLite file in WAL mode with
//!   `synchronous=FULL`. A commit is acknowledged only once it is on disk, and one writer
//!   thread makes the commits of all executions durable together (group commit), so a
//!   thousand executions committing at once cost one fsync, not a thousand.
//!
//! # Writing: one [`Commit`] per execution step
//!
//! Everything a run of transitions of one execution changes is written as one [`Commit`],
//! applied atomically: the new engine snapshot, the history events, timers set and cleared,
//! task tokens opened and closed, activity tasks added and claimed, and the execution's end.
//! A commit names the execution's version it was computed from; if another commit got there
//! first the versions differ and the commit fails with [`StoreError::VersionConflict`]
//! without changing anything (optimistic concurrency: two writers of one execution cannot
//! both win). The runtime commits before any effect of those transitions leaves the process
//! (design note §3, "commit before effect").
//!
//! ```
//! use asl_runtime::store::{Commit, HistoryQuery, HistoryRecord, MemoryStore, NewExecution, Store, StoreError};
//! use time::OffsetDateTime;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let store = MemoryStore::new(); // or SqliteStore::open("executions.sqlite")?
//! let arn = "arn:aws:states:us-east-1:123456789012:execution:order:run-1";
//! let start = NewExecution {
//!     arn: arn.into(),
//!     state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:order".into(),
//!     name: "run-1".into(),
//!     input: r#"{"id":7}"#.into(),
//!     start_date: OffsetDateTime::now_utc(),
//! };
//! let mut commit = Commit::start(start, b"engine state".to_vec());
//! commit.history.push(HistoryRecord { id: 1, event: r#"{"type":"ExecutionStarted"}"#.into() });
//! assert_eq!(store.commit(commit).await?, 1);
//!
//! // The next commit names the version it was computed from…
//! assert_eq!(store.commit(Commit::update(arn, 1, Some(b"later".to_vec()))).await?, 2);
//! // …so a second writer working from version 1 loses, and changes nothing.
//! let stale = store.commit(Commit::update(arn, 1, None)).await;
//! assert!(matches!(stale, Err(StoreError::VersionConflict { found: Some(2), .. })));
//!
//! let history = store.history(arn, HistoryQuery::default()).await?;
//! assert_eq!(history.items.len(), 1);
//! # Ok::<(), StoreError>(()) }).unwrap();
//! ```
//!
//! # Dates
//!
//! Dates are stored as microseconds since the Unix epoch (UTC): finer digits are dropped by
//! both backends alike (AWS itself shows milliseconds), and every date the `time` crate can
//! hold fits.
//!
//! # Why an async trait of boxed futures
//!
//! Callers are async tasks (the runtime runs each execution as a tokio task) and a durable
//! commit takes a disk flush — a millisecond or so — which must not block a runtime thread.
//! So every method returns a future. They are boxed ([`StoreFuture`]) so that the trait is
//! object-safe: the runtime, the API server and tests hold an `Arc<dyn Store>` and pick the
//! backend at run time (STANDARD or EXPRESS, a file or memory) without making everything
//! generic over it. One allocation per call is nothing next to an fsync. A synchronous
//! trait would have pushed the waiting for the disk (or a channel) onto every caller instead.
//! The futures need no particular executor: the SQLite backend's work happens on its own
//! threads and is handed back through `tokio::sync::oneshot` channels, which any executor
//! can await.

mod error;
mod memory;
mod record;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(test)]
mod tests;

use futures_util::future::BoxFuture;
use time::OffsetDateTime;

pub use error::StoreError;
pub use memory::MemoryStore;
pub use record::{
    ActivityClaim, ActivityTaskRecord, ChildExecution, Commit, CommitTarget, ExecutionEnd, ExecutionQuery,
    ExecutionRecord, ExecutionRedrive, ExecutionSummary, HistoryQuery, HistoryRecord, MachineType, MapRunRecord,
    NewActivityTask, NewExecution, Page, ResourceRecord, Timer, TimerRecord, TokenOpen, TokenRecord,
};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteStore, WriterStats};

/// What every [`Store`] method returns: a boxed future, `Send` so a tokio task can hold it.
pub type StoreFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// Durable (or not) storage of state machines, executions and everything they wait on.
///
/// Futures returned by reads do not borrow their string arguments, only the store. Reads see
/// every commit that was acknowledged before they were called.
pub trait Store: Send + Sync {
    /// Creates or replaces the resource with the record's kind and key. Durable when the
    /// future resolves to `Ok`, as a commit is.
    fn put_resource(&self, resource: ResourceRecord) -> StoreFuture<'_, ()>;

    /// Deletes the resource of this kind and key; whether there was one.
    fn delete_resource(&self, kind: &str, key: &str) -> StoreFuture<'_, bool>;

    /// The resource of this kind and key.
    fn resource(&self, kind: &str, key: &str) -> StoreFuture<'_, Option<ResourceRecord>>;

    /// Every resource of this kind, by key.
    fn resources(&self, kind: &str) -> StoreFuture<'_, Vec<ResourceRecord>>;

    /// Applies `commit` atomically and returns the execution's new version (1 for a start).
    /// When the future resolves to `Ok` the commit is as durable as the backend makes it (on
    /// disk for [`SqliteStore`]); on `Err` nothing of it was applied.
    fn commit(&self, commit: Commit) -> StoreFuture<'_, u64>;

    /// The execution with this ARN, snapshot included.
    fn execution(&self, arn: &str) -> StoreFuture<'_, Option<ExecutionRecord>>;

    /// Every execution whose status is `RUNNING`, snapshots included: what recovery resumes.
    /// Oldest start first.
    fn running_executions(&self) -> StoreFuture<'_, Vec<ExecutionRecord>>;

    /// One page of a state machine's executions, most recent start first (as AWS's
    /// `ListExecutions`).
    fn executions(&self, query: ExecutionQuery) -> StoreFuture<'_, Page<ExecutionSummary>>;

    /// One page of an execution's history events, in id order or reversed (as AWS's
    /// `GetExecutionHistory`). An unknown execution has no events.
    fn history(&self, execution_arn: &str, query: HistoryQuery) -> StoreFuture<'_, Page<HistoryRecord>>;

    /// Every timer whose deadline is at or before `until`, earliest first.
    fn timers_due(&self, until: OffsetDateTime) -> StoreFuture<'_, Vec<TimerRecord>>;

    /// The task token `token`, open or closed.
    fn task_token(&self, token: &str) -> StoreFuture<'_, Option<TokenRecord>>;

    /// The activity task of `task_token`, claimed or not (it is gone once its token is
    /// closed).
    fn activity_task(&self, task_token: &str) -> StoreFuture<'_, Option<ActivityTaskRecord>>;

    /// Up to `limit` activity tasks of `activity_arn` that no worker has claimed, oldest
    /// scheduled first.
    fn claimable_activity_tasks(&self, activity_arn: &str, limit: usize) -> StoreFuture<'_, Vec<ActivityTaskRecord>>;

    /// The Map Run `arn`.
    fn map_run(&self, arn: &str) -> StoreFuture<'_, Option<MapRunRecord>>;

    /// The Map Runs of the execution `execution_arn`, in the order they were first written.
    fn map_runs(&self, execution_arn: &str) -> StoreFuture<'_, Vec<MapRunRecord>>;

    /// Deletes every execution that ended before `cutoff`, with its history, timers, task
    /// tokens, activity tasks and Map Runs (AWS keeps ended executions for 90 days). Returns how many
    /// executions it deleted. Running executions are never deleted.
    fn purge_ended_before(&self, cutoff: OffsetDateTime) -> StoreFuture<'_, u64>;
}

/// A date as the stores keep it: whole microseconds since the Unix epoch. Every
/// `OffsetDateTime` fits (`time` stops at year ±9999, i64 microseconds at ±292,000).
pub(crate) fn to_micros(date: OffsetDateTime) -> i64 {
    let micros = date.unix_timestamp_nanos().div_euclid(1_000);
    i64::try_from(micros).unwrap_or(if micros < 0 { i64::MIN } else { i64::MAX })
}

/// The date of a stored microsecond count; a count no date has is a corrupt store.
pub(crate) fn from_micros(micros: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .map_err(|_| StoreError::Corrupt(format!("date out of range: {micros} µs")))
}

/// `date` with the digits a store drops (below a microsecond) dropped, so the memory store
/// returns exactly what the SQLite store does.
pub(crate) fn truncate(date: OffsetDateTime) -> OffsetDateTime {
    from_micros(to_micros(date)).unwrap_or(date)
}

/// AWS's page sizes: `maxResults` 0 means the default of 100, and at most 1000.
pub(crate) fn page_size(max_results: u32) -> usize {
    match max_results {
        0 => 100,
        n => n.min(1000) as usize,
    }
}
