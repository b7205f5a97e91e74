//! The SQLite schema and its migrations.
//!
//! The file's `PRAGMA user_version` is the number of migrations applied to it. Opening a
//! file applies the ones it lacks, each in its own transaction, so a later asl-rs adds a
//! migration to [`MIGRATIONS`] (never edits one that shipped) and older files catch up on
//! open. A file with a higher number than this build knows is refused rather than guessed at.
//!
//! The tables are meant to be read with the `sqlite3` command: payloads and history events
//! are JSON text (`json_extract(event, '$.type')` works), snapshots and the runtime's keys
//! are BLOBs, dates are microseconds since the Unix epoch
//! (`datetime(start_us / 1000000, 'unixepoch')`). Executions are referred to by their row id
//! in the other tables, which keeps history rows small; join on `executions.id` to see ARNs.

use rusqlite::Connection;

use crate::store::StoreError;

/// Every migration, in order: the file's `user_version` says how many it has had.
pub(super) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// Version 4: Distributed Map runs. Their child executions are executions with the Map Run
/// they belong to (`ListExecutions` by `mapRunArn`), and each Map Run is the runtime's JSON
/// description of it, by ARN, with the execution whose Map state started it.
const V4: &str = "
ALTER TABLE executions ADD COLUMN map_run_arn TEXT;
CREATE INDEX executions_by_map_run ON executions (map_run_arn, start_us, id) WHERE map_run_arn IS NOT NULL;

CREATE TABLE map_runs (
    seq           INTEGER PRIMARY KEY,
    arn           TEXT NOT NULL UNIQUE,
    execution_id  INTEGER NOT NULL,
    body          TEXT NOT NULL
);
CREATE INDEX map_runs_by_execution ON map_runs (execution_id, seq);
";

/// Version 3: redrives (AWS's `RedriveExecution`): how many times each execution was
/// redriven and when last. A redriven execution is `RUNNING` again, with no stop date.
const V3: &str = "
ALTER TABLE executions ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN redrive_us INTEGER;
";

/// Version 2: the API's resources (state machines, activities, versions, aliases, tags) as
/// JSON bodies by kind and key, in place of version 1's state machine columns.
const V2: &str = "
DROP TABLE state_machines;
CREATE TABLE resources (
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    body  TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
";

/// Version 1: state machines, executions, history, timers, task tokens, activity tasks.
const V1: &str = "
CREATE TABLE state_machines (
    arn          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL CHECK (type IN ('STANDARD', 'EXPRESS')),
    definition   TEXT NOT NULL,
    revision_id  TEXT NOT NULL,
    created_us   INTEGER NOT NULL
);

CREATE TABLE executions (
    id                 INTEGER PRIMARY KEY,
    arn                TEXT NOT NULL UNIQUE,
    state_machine_arn  TEXT NOT NULL,
    name               TEXT NOT NULL,
    status             TEXT NOT NULL,
    input              TEXT NOT NULL,
    output             TEXT,
    error              TEXT,
    cause              TEXT,
    start_us           INTEGER NOT NULL,
    stop_us            INTEGER,
    snapshot           BLOB NOT NULL,
    version            INTEGER NOT NULL
);
-- ListExecutions: newest first within a machine.
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_us, id);
-- Recovery reads the running ones only.
CREATE INDEX executions_running ON executions (start_us, id) WHERE status = 'RUNNING';
-- Retention finds the ended ones by date.
CREATE INDEX executions_ended ON executions (stop_us) WHERE stop_us IS NOT NULL;

-- Rows in the order they were written (seq), found by the index: a commit appends its
-- events beside every other execution's, so a batch of a thousand commits dirties a few
-- pages of events plus index pages, not a page per execution as a table clustered by
-- (execution_id, id) would (measured: 1.5-2x the commits/s of that layout, benches/store.rs).
CREATE TABLE history (
    seq           INTEGER PRIMARY KEY,
    execution_id  INTEGER NOT NULL,
    id            INTEGER NOT NULL,
    event         TEXT NOT NULL
);
CREATE UNIQUE INDEX history_by_execution ON history (execution_id, id);

CREATE TABLE timers (
    execution_id  INTEGER NOT NULL,
    key           BLOB NOT NULL,
    deadline_us   INTEGER NOT NULL,
    PRIMARY KEY (execution_id, key)
) WITHOUT ROWID;
CREATE INDEX timers_by_deadline ON timers (deadline_us);

CREATE TABLE task_tokens (
    token         TEXT PRIMARY KEY,
    execution_id  INTEGER NOT NULL,
    wait          BLOB NOT NULL,
    open          INTEGER NOT NULL
);
CREATE INDEX task_tokens_by_execution ON task_tokens (execution_id);

CREATE TABLE activity_tasks (
    task_token    TEXT PRIMARY KEY,
    activity_arn  TEXT NOT NULL,
    execution_id  INTEGER NOT NULL,
    input         TEXT NOT NULL,
    scheduled_us  INTEGER NOT NULL,
    worker_name   TEXT,
    claimed_us    INTEGER
);
CREATE INDEX activity_tasks_claimable
    ON activity_tasks (activity_arn, scheduled_us, task_token) WHERE claimed_us IS NULL;
CREATE INDEX activity_tasks_by_execution ON activity_tasks (execution_id);
";

/// Brings `conn`'s file up to date with `migrations`; returns the version it is now at.
pub(super) fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<usize, StoreError> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(super::backend)?;
    let current =
        usize::try_from(current).map_err(|_| StoreError::Corrupt(format!("negative schema version {current}")))?;
    if current > migrations.len() {
        return Err(StoreError::Corrupt(format!(
            "schema version {current} is newer than this build knows ({}); \
             open the file with a newer asl-rs",
            migrations.len()
        )));
    }
    for (index, sql) in migrations.iter().enumerate().skip(current) {
        // The version number moves in the same transaction as the migration, so a crash
        // leaves the file either before or after it, never half way.
        let tx = conn.transaction().map_err(super::backend)?;
        tx.execute_batch(sql).map_err(super::backend)?;
        tx.pragma_update(None, "user_version", super::to_i64(index + 1)?).map_err(super::backend)?;
        tx.commit().map_err(super::backend)?;
    }
    Ok(migrations.len())
}
