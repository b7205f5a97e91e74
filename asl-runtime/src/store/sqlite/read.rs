//! The reader thread and its queries.

use std::sync::mpsc::Receiver;

use rusqlite::{Connection, Row, params};

use super::{backend, to_i64};
use crate::runtime::ExecutionStatus;
use crate::store::record::{
    executions_token, history_token, parse_executions_token, parse_history_token, status_from_name,
};
use crate::store::{
    ActivityTaskRecord, ExecutionQuery, ExecutionRecord, ExecutionSummary, HistoryQuery, HistoryRecord, MapRunRecord,
    Page, ResourceRecord, StoreError, TimerRecord, TokenRecord, from_micros, page_size, record::status_name,
};

/// A query for the reader thread; it sends its own answer.
pub(super) type Job = Box<dyn FnOnce(&Connection) + Send>;

/// The reader thread's loop: run queries until every sender is gone.
pub(super) fn run(conn: Connection, jobs: Receiver<Job>) {
    conn.set_prepared_statement_cache_capacity(32);
    while let Ok(job) = jobs.recv() {
        job(&conn);
    }
}

/// Runs `sql` and converts each row with `convert`, whose errors are the store's own (a row
/// this build cannot have written is [`StoreError::Corrupt`]).
fn rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    convert: impl Fn(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(backend)?;
    let mut rows = statement.query(params).map_err(backend)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(backend)? {
        out.push(convert(row)?);
    }
    Ok(out)
}

fn get<T: rusqlite::types::FromSql>(row: &Row<'_>, index: usize) -> Result<T, StoreError> {
    row.get(index).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A column that holds a count or id, never negative when this build wrote it.
fn unsigned(row: &Row<'_>, index: usize) -> Result<u64, StoreError> {
    let value: i64 = get(row, index)?;
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("negative count {value}")))
}

fn date(row: &Row<'_>, index: usize) -> Result<time::OffsetDateTime, StoreError> {
    from_micros(get(row, index)?)
}

fn optional_date(row: &Row<'_>, index: usize) -> Result<Option<time::OffsetDateTime>, StoreError> {
    get::<Option<i64>>(row, index)?.map(from_micros).transpose()
}

fn status(row: &Row<'_>, index: usize) -> Result<ExecutionStatus, StoreError> {
    let name: String = get(row, index)?;
    status_from_name(&name).ok_or_else(|| StoreError::Corrupt(format!("execution status {name:?}")))
}

pub(super) fn resource(conn: &Connection, kind: &str, key: &str) -> Result<Option<ResourceRecord>, StoreError> {
    let found = rows(conn, "SELECT kind, key, body FROM resources WHERE kind = ?1 AND key = ?2", [kind, key], |row| {
        Ok(ResourceRecord { kind: get(row, 0)?, key: get(row, 1)?, body: get(row, 2)? })
    })?;
    Ok(found.into_iter().next())
}

pub(super) fn resources(conn: &Connection, kind: &str) -> Result<Vec<ResourceRecord>, StoreError> {
    rows(conn, "SELECT kind, key, body FROM resources WHERE kind = ?1 ORDER BY key", [kind], |row| {
        Ok(ResourceRecord { kind: get(row, 0)?, key: get(row, 1)?, body: get(row, 2)? })
    })
}

const EXECUTION_COLUMNS: &str = "arn, state_machine_arn, name, status, input, output, error, \
                                 cause, start_us, stop_us, snapshot, version, redrive_count, redrive_us, map_run_arn";

fn execution_record(row: &Row<'_>) -> Result<ExecutionRecord, StoreError> {
    Ok(ExecutionRecord {
        arn: get(row, 0)?,
        state_machine_arn: get(row, 1)?,
        name: get(row, 2)?,
        status: status(row, 3)?,
        input: get(row, 4)?,
        output: get(row, 5)?,
        error: get(row, 6)?,
        cause: get(row, 7)?,
        start_date: date(row, 8)?,
        stop_date: optional_date(row, 9)?,
        snapshot: get(row, 10)?,
        version: unsigned(row, 11)?,
        redrive_count: redrive_count(row, 12)?,
        redrive_date: optional_date(row, 13)?,
        map_run_arn: get(row, 14)?,
    })
}

/// A redrive count, never negative nor beyond `u32` when this build wrote it.
fn redrive_count(row: &Row<'_>, index: usize) -> Result<u32, StoreError> {
    let count = unsigned(row, index)?;
    u32::try_from(count).map_err(|_| StoreError::Corrupt(format!("redrive count {count}")))
}

pub(super) fn execution(conn: &Connection, arn: &str) -> Result<Option<ExecutionRecord>, StoreError> {
    let sql = format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE arn = ?1");
    Ok(rows(conn, &sql, [arn], execution_record)?.pop())
}

pub(super) fn running_executions(conn: &Connection) -> Result<Vec<ExecutionRecord>, StoreError> {
    let sql = format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE status = 'RUNNING' ORDER BY start_us, id");
    rows(conn, &sql, [], execution_record)
}

pub(super) fn executions(conn: &Connection, query: &ExecutionQuery) -> Result<Page<ExecutionSummary>, StoreError> {
    let (after_start, after_id) = match &query.next_token {
        Some(token) => parse_executions_token(token)?,
        None => (i64::MAX, i64::MAX),
    };
    let size = page_size(query.max_results);
    // The status filter is a parameter that may be NULL, so one cached statement serves both.
    let (sql, of) = match &query.map_run_arn {
        None => (
            "SELECT arn, state_machine_arn, name, status, start_us, stop_us, id, redrive_count, redrive_us, map_run_arn
             FROM executions
             WHERE state_machine_arn = ?1 AND (?2 IS NULL OR status = ?2) AND (start_us, id) < (?3, ?4)
             ORDER BY start_us DESC, id DESC LIMIT ?5",
            &query.state_machine_arn,
        ),
        Some(map_run_arn) => (
            "SELECT arn, state_machine_arn, name, status, start_us, stop_us, id, redrive_count, redrive_us, map_run_arn
             FROM executions
             WHERE map_run_arn = ?1 AND (?2 IS NULL OR status = ?2) AND (start_us, id) < (?3, ?4)
             ORDER BY start_us DESC, id DESC LIMIT ?5",
            map_run_arn,
        ),
    };
    let items =
        rows(conn, sql, params![of, query.status.map(status_name), after_start, after_id, to_i64(size + 1)?], |row| {
            let summary = ExecutionSummary {
                arn: get(row, 0)?,
                state_machine_arn: get(row, 1)?,
                name: get(row, 2)?,
                status: status(row, 3)?,
                start_date: date(row, 4)?,
                stop_date: optional_date(row, 5)?,
                redrive_count: redrive_count(row, 7)?,
                redrive_date: optional_date(row, 8)?,
                map_run_arn: get(row, 9)?,
            };
            Ok((summary, get::<i64>(row, 4)?, get::<i64>(row, 6)?))
        })?;
    let Page { items, next_token } = Page::of(items, size, |(_, start, id)| executions_token(*start, *id));
    Ok(Page { items: items.into_iter().map(|(summary, _, _)| summary).collect(), next_token })
}

pub(super) fn history(conn: &Connection, arn: &str, query: &HistoryQuery) -> Result<Page<HistoryRecord>, StoreError> {
    let after = query.next_token.as_deref().map(parse_history_token).transpose()?;
    let size = page_size(query.max_results);
    let (sql, from) = if query.reverse_order {
        (
            "SELECT h.id, h.event FROM history h JOIN executions e ON e.id = h.execution_id
             WHERE e.arn = ?1 AND h.id < ?2 ORDER BY h.id DESC LIMIT ?3",
            after.map_or(i64::MAX, |id| i64::try_from(id).unwrap_or(i64::MAX)),
        )
    } else {
        (
            "SELECT h.id, h.event FROM history h JOIN executions e ON e.id = h.execution_id
             WHERE e.arn = ?1 AND h.id > ?2 ORDER BY h.id LIMIT ?3",
            after.map_or(0, |id| i64::try_from(id).unwrap_or(i64::MAX)),
        )
    };
    let items = rows(conn, sql, params![arn, from, to_i64(size + 1)?], |row| {
        Ok(HistoryRecord { id: unsigned(row, 0)?, event: get(row, 1)? })
    })?;
    Ok(Page::of(items, size, |last| history_token(last.id)))
}

pub(super) fn timers_due(conn: &Connection, until: i64) -> Result<Vec<TimerRecord>, StoreError> {
    rows(
        conn,
        "SELECT e.arn, t.key, t.deadline_us FROM timers t JOIN executions e ON e.id = t.execution_id
         WHERE t.deadline_us <= ?1 ORDER BY t.deadline_us, e.arn, t.key",
        [until],
        |row| Ok(TimerRecord { execution_arn: get(row, 0)?, key: get(row, 1)?, deadline: date(row, 2)? }),
    )
}

pub(super) fn task_token(conn: &Connection, token: &str) -> Result<Option<TokenRecord>, StoreError> {
    let found = rows(
        conn,
        "SELECT t.token, e.arn, t.wait, t.open FROM task_tokens t
         JOIN executions e ON e.id = t.execution_id WHERE t.token = ?1",
        [token],
        |row| {
            Ok(TokenRecord { token: get(row, 0)?, execution_arn: get(row, 1)?, wait: get(row, 2)?, open: get(row, 3)? })
        },
    )?;
    Ok(found.into_iter().next())
}

const ACTIVITY_SELECT: &str =
    "SELECT a.activity_arn, a.task_token, e.arn, a.input, a.scheduled_us, a.worker_name, a.claimed_us
     FROM activity_tasks a JOIN executions e ON e.id = a.execution_id";

fn activity_task_record(row: &Row<'_>) -> Result<ActivityTaskRecord, StoreError> {
    let worker: Option<String> = get(row, 5)?;
    let claimed = optional_date(row, 6)?;
    Ok(ActivityTaskRecord {
        activity_arn: get(row, 0)?,
        task_token: get(row, 1)?,
        execution_arn: get(row, 2)?,
        input: get(row, 3)?,
        scheduled: date(row, 4)?,
        claim: worker.zip(claimed),
    })
}

pub(super) fn activity_task(conn: &Connection, token: &str) -> Result<Option<ActivityTaskRecord>, StoreError> {
    let sql = format!("{ACTIVITY_SELECT} WHERE a.task_token = ?1");
    Ok(rows(conn, &sql, [token], activity_task_record)?.pop())
}

pub(super) fn claimable_activity_tasks(
    conn: &Connection,
    activity_arn: &str,
    limit: usize,
) -> Result<Vec<ActivityTaskRecord>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = format!(
        "{ACTIVITY_SELECT} WHERE a.activity_arn = ?1 AND a.claimed_us IS NULL
         ORDER BY a.scheduled_us, a.task_token LIMIT ?2"
    );
    rows(conn, &sql, params![activity_arn, limit], activity_task_record)
}

const MAP_RUN_SELECT: &str = "SELECT m.arn, e.arn, m.body FROM map_runs m JOIN executions e ON e.id = m.execution_id";

fn map_run_record(row: &Row<'_>) -> Result<MapRunRecord, StoreError> {
    Ok(MapRunRecord { arn: get(row, 0)?, execution_arn: get(row, 1)?, body: get(row, 2)? })
}

pub(super) fn map_run(conn: &Connection, arn: &str) -> Result<Option<MapRunRecord>, StoreError> {
    let sql = format!("{MAP_RUN_SELECT} WHERE m.arn = ?1");
    Ok(rows(conn, &sql, [arn], map_run_record)?.pop())
}

pub(super) fn map_runs(conn: &Connection, execution_arn: &str) -> Result<Vec<MapRunRecord>, StoreError> {
    let sql = format!("{MAP_RUN_SELECT} WHERE e.arn = ?1 ORDER BY m.seq");
    rows(conn, &sql, [execution_arn], map_run_record)
}
