//! What a [`Runtime`](super::Runtime) with a [`Store`] writes, and how it reads an
//! execution back.
//!
//! A durable execution commits at every point where something would leave the process:
//! before a Task handler or activity is started, a timer relied on, a token handed out, a
//! child execution started, or the end reported (design note §3, "commit before effect").
//! The transitions between two such points share one commit; recomputing them after a crash
//! is invisible, because nothing outside saw them. A commit holds the execution's snapshot
//! (everything but its history events, see [`Execution::to_snapshot`], prefixed by its
//! `$$.Execution`), the history events recorded since the last commit, and the end once
//! there is one, and the changes of its timer and task-token rows ([`Rows`]).
//!
//! After a crash the store has the last commit of each running execution: restored
//! ([`restore`]), it waits again for what it waited for then — timers at their original
//! deadlines, task tokens (answering one works as before), activity tasks (claimable
//! again) — and every Task attempt that was started but whose result was not committed is
//! started again. So Task handlers run at least once, and may run twice across a crash;
//! no state completes twice and no history event is written twice.

use std::sync::Arc;

use time::OffsetDateTime;

use super::Description;
use super::rows::Rows;
use crate::context::ExecutionInfo;
use crate::error::Error;
use crate::execution::parked::SavedInfo;
use crate::execution::records::history_record;
use crate::execution::{Driver, Execution, HistoryEvent, WaitId, Workflow};
use crate::store::{
    Commit, ExecutionEnd, ExecutionRecord, ExecutionRedrive, HistoryQuery, NewExecution, Store, StoreError,
};

/// The format of the snapshots this runtime writes: their first byte. A runtime reads only
/// the formats it knows back (an execution in another is `StoreError::Corrupt`, named in
/// `Recovery::unreadable`); a change to the engine's snapshot or to the saved
/// `$$.Execution` must bump it.
///
/// 2: frames can be `Step::Failed` and attempts `Work::Failed` (what a redrive resumes).
/// 3: a Distributed Map keeps its Map Run's tallies, settings and redrives, its children
/// that did not succeed (`Child::Unsuccessful`), a stopped reader and a failed run's export.
const SNAPSHOT_FORMAT: u8 = 3;

/// Older formats this runtime still reads, as they are: format 1 is format 2 without the
/// two variants it added (an execution that failed before the upgrade can be redriven; a
/// failed Parallel or Map of it runs again whole), and format 2 is format 3 without the
/// fields and the variant it added, each of which reads back as its default (a Map Run
/// that was running counts from the upgrade on).
const OLDER_FORMATS: &[u8] = &[1, 2];

/// The most history events one page of a store read returns.
const HISTORY_PAGE: u32 = 1000;

/// How far an execution's record in the store has got: the driving task keeps one per
/// durable execution.
pub(super) struct Durable {
    store: Arc<dyn Store>,
    /// The execution's ARN.
    arn: String,
    /// The stored version (0 before the commit that starts it).
    version: u64,
    /// How many of the execution's history events are stored.
    events: usize,
    /// The execution's transition count at the last commit.
    transitions: u64,
    /// Its timer and token rows as of the last commit.
    rows: Rows,
}

impl Durable {
    /// The record of a new execution, not stored yet. (It is kept by parked executions
    /// too, so it holds no buffers: a commit, which waits for the disk anyway, allocates.)
    pub(super) fn new(store: Arc<dyn Store>, arn: String) -> Durable {
        Durable { store, arn, version: 0, events: 0, transitions: 0, rows: Rows::default() }
    }

    /// The record of an execution read back from the store ([`restore`]).
    pub(super) fn restored(store: Arc<dyn Store>, restored: &Restored, workflow: &Workflow) -> Durable {
        Durable {
            store,
            arn: restored.arn.clone(),
            version: restored.version,
            events: restored.execution.history().len(),
            transitions: restored.execution.transitions(),
            rows: Rows::of(&restored.execution, workflow),
        }
    }

    /// Whether `execution` has changed since the last commit. (Effects held for a commit
    /// come from transitions, so they always count as a change; those of an execution just
    /// read back re-establish what its last commit recorded and need none.)
    pub(super) fn behind(&self, execution: &Execution) -> bool {
        self.version == 0
            || execution.history().len() != self.events
            || execution.transitions() != self.transitions
            || execution.outcome().is_some()
    }

    /// Commits `driver`'s execution (of `workflow`) as it stands: starts it in the store
    /// (the first time), or writes what changed since the last commit, with its timer,
    /// token and activity task rows; its end too once it has one. The future resolves when
    /// the store says the commit is durable. (The commit is computed at once: the future
    /// does not hold the driver.)
    ///
    /// # Errors
    ///
    /// The store's: nothing of the commit was written. An execution whose first commit
    /// fails with [`StoreError::ExecutionAlreadyExists`] was started before (in this
    /// process or an earlier one).
    /// `info` is the execution's `$$.Execution` as the runtime saved it.
    pub(super) fn commit<'s>(
        &'s mut self,
        driver: &mut Driver<'_>,
        workflow: &Workflow,
        info: &SavedInfo,
        state_machine_arn: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + use<'s> {
        let (children, map_runs) = driver.take_records();
        let execution = driver.execution();
        let mut prepared = self.prepare(execution, driver.held_activity_inputs(), workflow, info, state_machine_arn);
        if let Ok(prepared) = &mut prepared {
            prepared.commit.children = children;
            prepared.commit.map_runs = map_runs;
        }
        self.apply(prepared)
    }

    /// Commits `execution` (of `workflow`), which [`Execution::redrive`] has just taken back
    /// from its end, as running again: what it recorded since (`ExecutionRedriven` on) and
    /// its redrive count and date, so that it is `RUNNING` again once the future resolves.
    ///
    /// # Errors
    ///
    /// The store's; [`StoreError::VersionConflict`] when something else changed the
    /// execution since it was read (another redrive of it won).
    pub(super) async fn commit_redrive(
        &mut self,
        execution: &Execution,
        workflow: &Workflow,
        info: &SavedInfo,
        state_machine_arn: &str,
    ) -> Result<(), StoreError> {
        let mut prepared = self.prepare(execution, std::iter::empty(), workflow, info, state_machine_arn);
        let redriven = execution.info();
        if let (Ok(prepared), Some(redrive_date)) = (&mut prepared, redriven.redrive_time) {
            prepared.commit.redrive = Some(ExecutionRedrive { redrive_count: redriven.redrive_count, redrive_date });
        }
        self.apply(prepared).await
    }

    /// Writes a prepared commit and, once it is durable, moves the record on.
    async fn apply(&mut self, prepared: Result<Prepared, StoreError>) -> Result<(), StoreError> {
        let Prepared { commit, rows, events, transitions } = prepared?;
        self.version = self.store.commit(commit).await?;
        self.events = events;
        self.transitions = transitions;
        self.rows = rows;
        Ok(())
    }

    /// The commit of `execution` as it stands (`held` the inputs of the activity tasks its
    /// driver holds), and what the record says once it is durable.
    fn prepare<'i>(
        &self,
        execution: &Execution,
        held: impl Iterator<Item = (WaitId, &'i serde_json::Value)> + Clone,
        workflow: &Workflow,
        info: &SavedInfo,
        state_machine_arn: &str,
    ) -> Result<Prepared, StoreError> {
        let info = info.bytes().unwrap_or_default();
        let mut snapshot = Vec::with_capacity(info.len() + 512);
        snapshot.push(SNAPSHOT_FORMAT);
        snapshot.extend_from_slice(&u32::try_from(info.len()).unwrap_or(u32::MAX).to_le_bytes());
        snapshot.extend_from_slice(info);
        execution
            .to_snapshot(&mut snapshot)
            .map_err(|error| StoreError::Backend(format!("the execution could not be written: {error}")))?;
        let mut commit = if self.version == 0 {
            let info = execution.info();
            let new = NewExecution {
                arn: self.arn.clone(),
                state_machine_arn: state_machine_arn.to_owned(),
                name: info.name.clone(),
                input: json_text(&info.input),
                start_date: info.start_time,
            };
            Commit::start(new, snapshot)
        } else {
            Commit::update(self.arn.clone(), self.version, Some(snapshot))
        };
        let events = execution.history();
        commit.history = events.get(self.events..).unwrap_or_default().iter().map(history_record).collect();
        let latest = events.last().map_or(OffsetDateTime::UNIX_EPOCH, |event| event.timestamp);
        if let Some(outcome) = execution.outcome() {
            commit.end = Some(ExecutionEnd {
                status: outcome.status,
                output: outcome.output.as_ref().map(json_text),
                error: outcome.error.clone(),
                cause: outcome.cause.clone(),
                stop_date: latest,
            });
        }
        let mut rows = Rows::of(execution, workflow);
        self.rows.changes(&mut rows, held, latest, &mut commit);
        Ok(Prepared { commit, rows, events: events.len(), transitions: execution.transitions() })
    }
}

/// A commit, and the record's counts once it is durable.
struct Prepared {
    commit: Commit,
    rows: Rows,
    events: usize,
    transitions: u64,
}

fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

/// A running execution read back from the store.
pub(super) struct Restored {
    /// Its ARN.
    pub(super) arn: String,
    /// Its stored version.
    pub(super) version: u64,
    /// It, as of its last commit.
    pub(super) execution: Execution,
    /// Its `$$.Execution`, saved.
    pub(super) info: SavedInfo,
}

/// Reads `record`'s execution back: its snapshot and its history events.
///
/// # Errors
///
/// The store's, or [`StoreError::Corrupt`] when the snapshot or an event cannot be read
/// (the store holds something this runtime did not write).
pub(super) async fn restore(store: &dyn Store, record: ExecutionRecord) -> Result<Restored, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("execution {}: {what}", record.arn));
    match record.snapshot.first() {
        Some(&SNAPSHOT_FORMAT) => {}
        Some(older) if OLDER_FORMATS.contains(older) => {}
        Some(other) => {
            let found = format!("its snapshot is in format {other}; this runtime reads format {SNAPSHOT_FORMAT}");
            return Err(corrupt(&found));
        }
        None => return Err(corrupt("no snapshot")),
    }
    let (info_bytes, snapshot) = split_snapshot(&record.snapshot[1..]).ok_or_else(|| corrupt("no snapshot"))?;
    let info = SavedInfo::from_bytes(info_bytes);
    let loaded: ExecutionInfo = info.load().map_err(|error| corrupt(&error.to_string()))?;
    let mut events = Vec::new();
    let mut query = HistoryQuery { max_results: HISTORY_PAGE, reverse_order: false, next_token: None };
    loop {
        let page = store.history(&record.arn, query.clone()).await?;
        for row in page.items {
            let event: HistoryEvent = serde_json::from_str(&row.event)
                .map_err(|error| corrupt(&format!("history event {}: {error}", row.id)))?;
            events.push(event);
        }
        match page.next_token {
            Some(token) => query.next_token = Some(token),
            None => break,
        }
    }
    let execution = Execution::from_snapshot(snapshot, loaded, events).map_err(|error| corrupt(&error.to_string()))?;
    Ok(Restored { arn: record.arn, version: record.version, execution, info })
}

/// The `$$.Execution` bytes and the engine snapshot of a stored snapshot.
fn split_snapshot(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (length, rest) = bytes.split_first_chunk::<4>()?;
    let length = usize::try_from(u32::from_le_bytes(*length)).ok()?;
    (rest.len() >= length).then(|| rest.split_at(length))
}

/// The error an execution ends with when its store fails it: the store's message as the
/// cause of `States.Runtime`.
pub(crate) fn store_failure(error: &StoreError) -> Error {
    Error::runtime(format!("The execution's store failed: {error}"))
}

/// `DescribeExecution` of a stored execution (a payload that is not JSON reads as its text).
pub(crate) fn describe(record: &ExecutionRecord) -> Description {
    let json = |text: &str| serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()));
    Description {
        execution_arn: record.arn.clone(),
        name: record.name.clone(),
        state_machine_arn: record.state_machine_arn.clone(),
        status: record.status,
        start_date: record.start_date,
        stop_date: record.stop_date,
        input: json(&record.input),
        output: record.output.as_deref().map(json),
        error: record.error.clone(),
        cause: record.cause.clone(),
        redrive_count: record.redrive_count,
        redrive_date: record.redrive_date,
    }
}
