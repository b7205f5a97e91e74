//! The writer thread: group commit.
//!
//! Callers queue [`Job`]s on a channel. The thread blocks for the first, takes every other
//! job already queued (up to [`MAX_BATCH`]), and applies them all in one `BEGIN IMMEDIATE …
//! COMMIT`, each inside its own savepoint: a job that fails (a version conflict, say) is
//! rolled back to its savepoint and answered with its error, the others go on. The `COMMIT`
//! is the batch's one fsync; only after it returns is any caller answered, so an `Ok` means
//! on disk. While a batch is being written, the next one queues up: the busier the store,
//! the larger the batches and the cheaper each commit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;

use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::oneshot;

use super::{backend, to_i64};
use crate::store::record::{ended_status, status_name};
use crate::store::{
    ActivityClaim, ChildExecution, Commit, CommitTarget, ExecutionEnd, ExecutionRedrive, HistoryRecord, MapRunRecord,
    NewActivityTask, ResourceRecord, StoreError, Timer, TokenOpen, to_micros,
};

/// At most this many writes share a transaction, so one batch cannot hold its first caller
/// waiting behind an unbounded queue.
const MAX_BATCH: usize = 4096;

/// A queued write.
pub(super) type Job = Box<dyn Write>;

/// A write as the thread sees it, whatever its result type.
pub(super) trait Write: Send {
    /// Applies the write inside the batch's transaction; `false` if it failed (and must be
    /// rolled back).
    fn apply(&mut self, conn: &Connection) -> bool;

    /// Answers the caller once the batch is over: `batch` is how the batch's `COMMIT` went.
    fn answer(self: Box<Self>, batch: Result<(), &StoreError>);
}

struct WriteJob<T, F> {
    apply: Option<F>,
    result: Option<Result<T, StoreError>>,
    answer: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Write for WriteJob<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send,
{
    fn apply(&mut self, conn: &Connection) -> bool {
        let result = match self.apply.take() {
            Some(apply) => apply(conn),
            None => Err(StoreError::Backend("a write was applied twice".into())),
        };
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn answer(self: Box<Self>, batch: Result<(), &StoreError>) {
        let result = match (self.result, batch) {
            // Its own error stands whatever happened to the batch.
            (Some(Err(own)), _) => Err(own),
            (Some(Ok(value)), Ok(())) => Ok(value),
            // Applied but not committed, or never reached because the batch broke first.
            (_, Err(batch)) => Err(batch.clone()),
            (None, Ok(())) => Err(StoreError::Backend("a write was never applied".into())),
        };
        // The caller may have stopped waiting.
        let _ = self.answer.send(result);
    }
}

/// Wraps `apply` and the channel its caller waits on as a job for the writer.
pub(super) fn job<T, F>(apply: F, answer: oneshot::Sender<Result<T, StoreError>>) -> Job
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
{
    Box::new(WriteJob { apply: Some(apply), result: None, answer })
}

/// What the writer thread has done (see [`super::WriterStats`]).
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) writes: AtomicU64,
    pub(super) batches: AtomicU64,
}

/// The writer thread's loop: until every sender is gone, batch and apply.
pub(super) fn run(conn: Connection, jobs: Receiver<Job>, counters: &Counters) {
    // Every statement a commit uses stays prepared (the default cache of 16 is too small
    // for the commit path plus the transaction statements).
    conn.set_prepared_statement_cache_capacity(64);
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcome = apply_all(&conn, &mut batch);
        counters.writes.fetch_add(batch.len() as u64, Ordering::Relaxed);
        counters.batches.fetch_add(1, Ordering::Relaxed);
        if outcome.is_err() {
            // Undo whatever part of the batch was applied; if the transaction never began
            // (or COMMIT already ended it) there is nothing to undo and this fails harmlessly.
            let _ = exec(&conn, "ROLLBACK");
        }
        for job in batch {
            job.answer(outcome.as_ref().map(|_| ()));
        }
    }
}

fn apply_all(conn: &Connection, batch: &mut [Job]) -> Result<(), StoreError> {
    exec(conn, "BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        exec(conn, "SAVEPOINT job")?;
        if !job.apply(conn) {
            exec(conn, "ROLLBACK TO job")?;
        }
        exec(conn, "RELEASE job")?;
    }
    exec(conn, "COMMIT")
}

fn exec(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql).and_then(|mut statement| statement.execute([])).map_err(backend)?;
    Ok(())
}

/// Creates or replaces a resource.
pub(super) fn put_resource(conn: &Connection, resource: &ResourceRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO resources (kind, key, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body",
    )
    .and_then(|mut insert| insert.execute(params![resource.kind, resource.key, resource.body]))
    .map_err(backend)?;
    Ok(())
}

/// Deletes a resource; whether there was one.
pub(super) fn delete_resource(conn: &Connection, kind: &str, key: &str) -> Result<bool, StoreError> {
    let deleted = conn
        .prepare_cached("DELETE FROM resources WHERE kind = ?1 AND key = ?2")
        .and_then(|mut delete| delete.execute(params![kind, key]))
        .map_err(backend)?;
    Ok(deleted > 0)
}

/// Applies one commit in the order [`Commit`] documents; any error leaves the caller to roll
/// back to the job's savepoint.
pub(super) fn commit(conn: &Connection, commit: Commit) -> Result<u64, StoreError> {
    let (execution, version) = target(conn, &commit)?;
    let part = Part { conn, execution };
    if let (Some(redrive), CommitTarget::Update { .. }) = (&commit.redrive, &commit.target) {
        part.redrive(redrive)?;
    }
    if let Some(end) = &commit.end {
        part.end(end)?;
    }
    // Each part prepares its statements only when the commit has some of it: most commits
    // are a snapshot and a few events, and a statement-cache lookup hashes the whole SQL.
    if !commit.history.is_empty() {
        part.history(commit.execution_arn(), &commit.history)?;
    }
    if !commit.timers_cleared.is_empty() || !commit.timers_set.is_empty() {
        part.timers(&commit.timers_cleared, &commit.timers_set)?;
    }
    if !commit.tokens_opened.is_empty() {
        part.open_tokens(&commit.tokens_opened)?;
    }
    if !commit.activity_tasks_added.is_empty() {
        part.add_activity_tasks(&commit.activity_tasks_added)?;
    }
    if !commit.activity_tasks_claimed.is_empty() {
        part.claim_activity_tasks(&commit.activity_tasks_claimed)?;
    }
    if !commit.tokens_closed.is_empty() {
        part.close_tokens(&commit.tokens_closed)?;
    }
    for child in &commit.children {
        put_child(conn, child)?;
    }
    if !commit.map_runs.is_empty() {
        part.map_runs(commit.execution_arn(), &commit.map_runs)?;
    }
    Ok(version)
}

/// Stores a child execution that ended, with its history, in place of one stored under its
/// ARN.
fn put_child(conn: &Connection, child: &ChildExecution) -> Result<(), StoreError> {
    let ChildExecution { execution, map_run_arn, end, redrive_count, redrive_date, history } = child;
    let replaced: Option<i64> = conn
        .prepare_cached("DELETE FROM executions WHERE arn = ?1 RETURNING id")
        .and_then(|mut delete| delete.query_row([&execution.arn], |row| row.get(0)).optional())
        .map_err(backend)?;
    if let Some(replaced) = replaced {
        conn.prepare_cached("DELETE FROM history WHERE execution_id = ?1")
            .and_then(|mut delete| delete.execute([replaced]))
            .map_err(backend)?;
    }
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO executions
                 (arn, state_machine_arn, name, status, input, output, error, cause, start_us, stop_us,
                  snapshot, version, redrive_count, redrive_us, map_run_arn)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, x'', 1, ?11, ?12, ?13)
             RETURNING id",
        )
        .and_then(|mut insert| {
            let row = params![
                execution.arn,
                execution.state_machine_arn,
                execution.name,
                status_name(ended_status(end.status)),
                execution.input,
                end.output,
                end.error,
                end.cause,
                to_micros(execution.start_date),
                to_micros(end.stop_date),
                redrive_count,
                redrive_date.map(to_micros),
                map_run_arn,
            ];
            insert.query_row(row, |row| row.get(0))
        })
        .map_err(backend)?;
    Part { conn, execution: id }.history(&execution.arn, history)
}

/// Writes the parts of a commit to the execution with row id `execution`.
struct Part<'a> {
    conn: &'a Connection,
    execution: i64,
}

impl Part<'_> {
    fn sql(&self, sql: &str) -> Result<rusqlite::CachedStatement<'_>, StoreError> {
        self.conn.prepare_cached(sql).map_err(backend)
    }

    fn end(&self, end: &ExecutionEnd) -> Result<(), StoreError> {
        self.sql(
            "UPDATE executions SET status = ?2, output = ?3, error = ?4, cause = ?5, stop_us = ?6
             WHERE id = ?1",
        )?
        .execute(params![
            self.execution,
            status_name(ended_status(end.status)),
            end.output,
            end.error,
            end.cause,
            to_micros(end.stop_date),
        ])
        .map_err(backend)?;
        Ok(())
    }

    fn redrive(&self, redrive: &ExecutionRedrive) -> Result<(), StoreError> {
        self.sql(
            "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, cause = NULL, stop_us = NULL,
                 redrive_count = ?2, redrive_us = ?3
             WHERE id = ?1",
        )?
        .execute(params![self.execution, redrive.redrive_count, to_micros(redrive.redrive_date)])
        .map_err(backend)?;
        Ok(())
    }

    fn history(&self, arn: &str, events: &[HistoryRecord]) -> Result<(), StoreError> {
        let mut insert =
            self.sql("INSERT INTO history (execution_id, id, event) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")?;
        for event in events {
            let row = params![self.execution, to_i64(event.id)?, event.event];
            if insert.execute(row).map_err(backend)? == 0 {
                let execution_arn = arn.to_owned();
                return Err(StoreError::DuplicateHistoryEvent { execution_arn, id: event.id });
            }
        }
        Ok(())
    }

    fn timers(&self, cleared: &[Vec<u8>], set: &[Timer]) -> Result<(), StoreError> {
        let mut clear = self.sql("DELETE FROM timers WHERE execution_id = ?1 AND key = ?2")?;
        for key in cleared {
            clear.execute(params![self.execution, key]).map_err(backend)?;
        }
        let mut upsert = self.sql(
            "INSERT INTO timers (execution_id, key, deadline_us) VALUES (?1, ?2, ?3)
             ON CONFLICT (execution_id, key) DO UPDATE SET deadline_us = excluded.deadline_us",
        )?;
        for timer in set {
            let row = params![self.execution, timer.key, to_micros(timer.deadline)];
            upsert.execute(row).map_err(backend)?;
        }
        Ok(())
    }

    fn open_tokens(&self, tokens: &[TokenOpen]) -> Result<(), StoreError> {
        let mut open = self.sql(
            "INSERT INTO task_tokens (token, execution_id, wait, open)
             VALUES (?1, ?2, ?3, 1) ON CONFLICT DO NOTHING",
        )?;
        for token in tokens {
            if open.execute(params![token.token, self.execution, token.wait]).map_err(backend)? == 0 {
                return Err(StoreError::DuplicateToken(token.token.clone()));
            }
        }
        Ok(())
    }

    fn add_activity_tasks(&self, tasks: &[NewActivityTask]) -> Result<(), StoreError> {
        let mut is_open = self.sql("SELECT 1 FROM task_tokens WHERE token = ?1 AND execution_id = ?2 AND open = 1")?;
        let mut add = self.sql(
            "INSERT INTO activity_tasks (task_token, activity_arn, execution_id, input, scheduled_us)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )?;
        for task in tasks {
            if !is_open.exists(params![task.task_token, self.execution]).map_err(backend)? {
                return Err(StoreError::TokenNotOpen(task.task_token.clone()));
            }
            let scheduled = to_micros(task.scheduled);
            let row = params![task.task_token, task.activity_arn, self.execution, task.input, scheduled];
            if add.execute(row).map_err(backend)? == 0 {
                return Err(StoreError::DuplicateActivityTask(task.task_token.clone()));
            }
        }
        Ok(())
    }

    fn claim_activity_tasks(&self, claims: &[ActivityClaim]) -> Result<(), StoreError> {
        let mut claim = self.sql(
            "UPDATE activity_tasks SET worker_name = ?3, claimed_us = ?4
             WHERE task_token = ?1 AND execution_id = ?2 AND claimed_us IS NULL",
        )?;
        for c in claims {
            let row = params![c.task_token, self.execution, c.worker_name, to_micros(c.claimed)];
            if claim.execute(row).map_err(backend)? == 0 {
                return Err(StoreError::ActivityTaskNotClaimable(c.task_token.clone()));
            }
        }
        Ok(())
    }

    /// Writes the newest description of each Map Run; one already stored must be this
    /// execution's (`arn`).
    fn map_runs(&self, arn: &str, runs: &[MapRunRecord]) -> Result<(), StoreError> {
        let mut upsert = self.sql(
            "INSERT INTO map_runs (arn, execution_id, body) VALUES (?1, ?2, ?3)
             ON CONFLICT (arn) DO UPDATE SET body = excluded.body WHERE map_runs.execution_id = excluded.execution_id",
        )?;
        for run in runs {
            if run.execution_arn != arn
                || upsert.execute(params![run.arn, self.execution, run.body]).map_err(backend)? == 0
            {
                return Err(StoreError::ForeignMapRun(run.arn.clone()));
            }
        }
        Ok(())
    }

    /// Closes the tokens and deletes their activity tasks (an answered task is over).
    fn close_tokens(&self, tokens: &[String]) -> Result<(), StoreError> {
        let mut close =
            self.sql("UPDATE task_tokens SET open = 0 WHERE token = ?1 AND execution_id = ?2 AND open = 1")?;
        let mut finish = self.sql("DELETE FROM activity_tasks WHERE task_token = ?1")?;
        for token in tokens {
            if close.execute(params![token, self.execution]).map_err(backend)? == 0 {
                return Err(StoreError::TokenNotOpen(token.clone()));
            }
            finish.execute(params![token]).map_err(backend)?;
        }
        Ok(())
    }
}

/// Creates the commit's execution or checks and bumps its version; returns its row id and
/// new version.
fn target(conn: &Connection, commit: &Commit) -> Result<(i64, u64), StoreError> {
    match &commit.target {
        CommitTarget::Start(new) => {
            let snapshot = commit.snapshot.as_deref().unwrap_or_default();
            let id: Option<i64> = conn
                .prepare_cached(
                    "INSERT INTO executions
                         (arn, state_machine_arn, name, status, input, start_us, snapshot, version)
                     VALUES (?1, ?2, ?3, 'RUNNING', ?4, ?5, ?6, 1)
                     ON CONFLICT (arn) DO NOTHING RETURNING id",
                )
                .and_then(|mut insert| {
                    let start = to_micros(new.start_date);
                    let row = params![new.arn, new.state_machine_arn, new.name, new.input, start, snapshot];
                    insert.query_row(row, |row| row.get(0)).optional()
                })
                .map_err(backend)?;
            let id = id.ok_or_else(|| StoreError::ExecutionAlreadyExists(new.arn.clone()))?;
            Ok((id, 1))
        }
        CommitTarget::Update { execution_arn, expected_version } => {
            // A version beyond i64 was never stored, so it cannot match: -1 never does.
            let expected = i64::try_from(*expected_version).unwrap_or(-1);
            let id: Option<i64> = conn
                .prepare_cached(
                    "UPDATE executions SET version = version + 1, snapshot = coalesce(?3, snapshot)
                     WHERE arn = ?1 AND version = ?2 RETURNING id",
                )
                .and_then(|mut update| {
                    let row = params![execution_arn, expected, commit.snapshot];
                    update.query_row(row, |row| row.get(0)).optional()
                })
                .map_err(backend)?;
            match id {
                Some(id) => Ok((id, expected_version + 1)),
                None => {
                    let found: Option<i64> = conn
                        .prepare_cached("SELECT version FROM executions WHERE arn = ?1")
                        .and_then(|mut select| select.query_row([execution_arn], |row| row.get(0)).optional())
                        .map_err(backend)?;
                    Err(StoreError::VersionConflict {
                        execution_arn: execution_arn.clone(),
                        expected: *expected_version,
                        found: found.and_then(|v| u64::try_from(v).ok()),
                    })
                }
            }
        }
    }
}

/// Deletes the executions that ended before `cutoff` (µs) with everything that names them.
pub(super) fn purge_ended_before(conn: &Connection, cutoff: i64) -> Result<u64, StoreError> {
    for table in ["history", "timers", "task_tokens", "activity_tasks", "map_runs"] {
        let sql = format!(
            "DELETE FROM {table} WHERE execution_id IN
                 (SELECT id FROM executions WHERE stop_us < ?1)"
        );
        conn.prepare_cached(&sql).and_then(|mut delete| delete.execute([cutoff])).map_err(backend)?;
    }
    let purged = conn
        .prepare_cached("DELETE FROM executions WHERE stop_us < ?1")
        .and_then(|mut delete| delete.execute([cutoff]))
        .map_err(backend)?;
    Ok(purged as u64)
}
