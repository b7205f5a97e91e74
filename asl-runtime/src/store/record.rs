//! The rows a [`Store`](super::Store) holds and the [`Commit`] that writes them.
//!
//! Payloads (inputs, outputs, history events) are JSON text, as AWS's API carries them; the
//! engine snapshot and the runtime's identifications of what waits (timer keys, the frame a
//! task token answers) are opaque bytes the store never looks into.

use time::OffsetDateTime;

use crate::execution::Status;
use crate::runtime::ExecutionStatus;

/// Whether a state machine runs durable (`STANDARD`) or in-memory (`EXPRESS`) executions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MachineType {
    /// Durable executions of up to a year, exactly-once workflow semantics.
    Standard,
    /// High-volume executions of up to five minutes, not durable.
    Express,
}

impl MachineType {
    /// AWS's name for it: `STANDARD` or `EXPRESS`.
    pub fn as_str(self) -> &'static str {
        match self {
            MachineType::Standard => "STANDARD",
            MachineType::Express => "EXPRESS",
        }
    }

    /// The type AWS calls `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "STANDARD" => Some(MachineType::Standard),
            "EXPRESS" => Some(MachineType::Express),
            _ => None,
        }
    }
}

/// A resource of the API besides executions (a state machine, a version, an alias, an
/// activity, the tags of one of them), as the server that owns it writes it: a kind, a key
/// unique within the kind, and a JSON body. The store keeps bodies as they are and never
/// looks into them: what a state machine is (its definition, type, role, revision) is the
/// API's business, and one table serves every kind the API has or will have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceRecord {
    /// What it is (`state-machine`, `activity`, …): the server's names.
    pub kind: String,
    /// Its key within its kind (an ARN, usually).
    pub key: String,
    /// The resource, JSON text.
    pub body: String,
}

/// An execution as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionRecord {
    /// Its ARN (the key).
    pub arn: String,
    /// Its state machine's ARN.
    pub state_machine_arn: String,
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: ExecutionStatus,
    /// Its input, JSON text.
    pub input: String,
    /// Its output once it succeeded, JSON text.
    pub output: Option<String>,
    /// The error it failed with.
    pub error: Option<String>,
    /// The cause of that error.
    pub cause: Option<String>,
    /// When it started.
    pub start_date: OffsetDateTime,
    /// When it ended (the end of its last redrive, if it was redriven).
    pub stop_date: Option<OffsetDateTime>,
    /// How many times it was redriven (`redriveCount`).
    pub redrive_count: u32,
    /// When it was last redriven (`redriveDate`).
    pub redrive_date: Option<OffsetDateTime>,
    /// The engine's state as the runtime serialised it; empty when it never gave one.
    pub snapshot: Vec<u8>,
    /// How many commits it has had: 1 after the one that started it.
    pub version: u64,
    /// The Map Run that started it, for a Distributed Map's child execution.
    pub map_run_arn: Option<String>,
}

/// What `ListExecutions` shows of an execution (no payloads, no snapshot).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionSummary {
    /// Its ARN.
    pub arn: String,
    /// Its state machine's ARN.
    pub state_machine_arn: String,
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: ExecutionStatus,
    /// When it started.
    pub start_date: OffsetDateTime,
    /// When it ended.
    pub stop_date: Option<OffsetDateTime>,
    /// How many times it was redriven.
    pub redrive_count: u32,
    /// When it was last redriven.
    pub redrive_date: Option<OffsetDateTime>,
    /// The Map Run that started it, for a Distributed Map's child execution.
    pub map_run_arn: Option<String>,
}

impl From<&ExecutionRecord> for ExecutionSummary {
    fn from(record: &ExecutionRecord) -> Self {
        ExecutionSummary {
            arn: record.arn.clone(),
            state_machine_arn: record.state_machine_arn.clone(),
            name: record.name.clone(),
            status: record.status,
            start_date: record.start_date,
            stop_date: record.stop_date,
            redrive_count: record.redrive_count,
            redrive_date: record.redrive_date,
            map_run_arn: record.map_run_arn.clone(),
        }
    }
}

/// One history event of an execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRecord {
    /// Its id: from 1, unique within the execution.
    pub id: u64,
    /// The event as JSON text (AWS's `GetExecutionHistory` shape).
    pub event: String,
}

/// A timer of an execution, as [`Store::timers_due`](super::Store::timers_due) lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerRecord {
    /// The execution it belongs to.
    pub execution_arn: String,
    /// Which of the execution's timers it is (a Wait, a retry delay, a heartbeat…): the
    /// runtime's bytes.
    pub key: Vec<u8>,
    /// When it fires, on the execution's clock.
    pub deadline: OffsetDateTime,
}

/// A timer a commit sets (or moves, when its key is already set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timer {
    /// Which of the execution's timers it is.
    pub key: Vec<u8>,
    /// When it fires.
    pub deadline: OffsetDateTime,
}

/// A task token a commit hands out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenOpen {
    /// The token.
    pub token: String,
    /// What in the execution waits for its answer (the runtime's bytes).
    pub wait: Vec<u8>,
}

/// A task token as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    /// The token.
    pub token: String,
    /// The execution that handed it out.
    pub execution_arn: String,
    /// What in the execution waits for its answer.
    pub wait: Vec<u8>,
    /// Whether it can still be answered.
    pub open: bool,
}

/// An activity task a commit schedules. Its task token must be open for the same execution
/// (opened by an earlier commit or by this one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewActivityTask {
    /// The activity whose workers may claim it.
    pub activity_arn: String,
    /// The task token the worker answers with (the key).
    pub task_token: String,
    /// The task's input, JSON text.
    pub input: String,
    /// When it was scheduled: claims go oldest first.
    pub scheduled: OffsetDateTime,
}

/// A worker's claim of an activity task (`GetActivityTask` handing it out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityClaim {
    /// The claimed task's token.
    pub task_token: String,
    /// The worker's name (`workerName`).
    pub worker_name: String,
    /// When it was claimed.
    pub claimed: OffsetDateTime,
}

/// An activity task as stored. It stays until its task token is closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityTaskRecord {
    /// The activity whose workers may claim it.
    pub activity_arn: String,
    /// Its task token.
    pub task_token: String,
    /// The execution it belongs to.
    pub execution_arn: String,
    /// Its input, JSON text.
    pub input: String,
    /// When it was scheduled.
    pub scheduled: OffsetDateTime,
    /// Who claimed it and when; `None` while it is claimable.
    pub claim: Option<(String, OffsetDateTime)>,
}

/// A new execution, written by the commit that starts it (with status `RUNNING`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewExecution {
    /// Its ARN, unique in the store.
    pub arn: String,
    /// Its state machine's ARN.
    pub state_machine_arn: String,
    /// Its name.
    pub name: String,
    /// Its input, JSON text.
    pub input: String,
    /// When it started.
    pub start_date: OffsetDateTime,
}

/// How an execution ended: the commit that records it sets these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionEnd {
    /// The final status.
    pub status: Status,
    /// Its output, JSON text, when it succeeded.
    pub output: Option<String>,
    /// The error it failed with.
    pub error: Option<String>,
    /// The cause of that error.
    pub cause: Option<String>,
    /// When it ended.
    pub stop_date: OffsetDateTime,
}

/// An ended execution running again (AWS's `RedriveExecution`): the commit that records it
/// sets its status back to `RUNNING`, clears its output, error, cause and stop date, and
/// sets these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionRedrive {
    /// How many times it has been redriven, this time included.
    pub redrive_count: u32,
    /// When.
    pub redrive_date: OffsetDateTime,
}

/// A Distributed Map child execution that ended, written whole by a commit of the
/// execution that ran it (whose Map Run it belongs to): a record that is never updated, with
/// its whole history. An execution already stored under its ARN is replaced (a child
/// execution that ran again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildExecution {
    /// Its ARN, state machine (`…:stateMachine:<machine>/<label>`), name, input and start.
    pub execution: NewExecution,
    /// The Map Run that started it.
    pub map_run_arn: String,
    /// How it ended.
    pub end: ExecutionEnd,
    /// How many times it was redriven.
    pub redrive_count: u32,
    /// When it was last redriven.
    pub redrive_date: Option<OffsetDateTime>,
    /// Its history events, in id order.
    pub history: Vec<HistoryRecord>,
}

/// A Distributed Map's Map Run, as the runtime describes it (`DescribeMapRun`): its ARN,
/// the execution that runs it, and a JSON body the store keeps as it is, like a
/// [`ResourceRecord`]'s. A commit writes the newest body of each Map Run that changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapRunRecord {
    /// The Map Run's ARN (the key).
    pub arn: String,
    /// The execution whose Map state started it.
    pub execution_arn: String,
    /// The runtime's description of it, JSON text.
    pub body: String,
}

/// Which execution a commit writes, and which version of it the commit was computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommitTarget {
    /// Creates the execution (version 1); fails with
    /// [`StoreError::ExecutionAlreadyExists`](super::StoreError::ExecutionAlreadyExists) if
    /// its ARN is taken.
    Start(NewExecution),
    /// Changes an existing execution whose version must be `expected_version`; it becomes
    /// `expected_version + 1`.
    Update {
        /// The execution's ARN.
        execution_arn: String,
        /// The version the commit was computed from.
        expected_version: u64,
    },
}

/// One atomic write to one execution: all of it is applied, or (on any error) none of it.
///
/// The parts are applied in this order, which decides what a commit may refer to: the
/// execution (start or version check, snapshot, redrive, end), history events, timers cleared, timers
/// set, tokens opened, activity tasks added, activity tasks claimed, tokens closed. Closing a
/// token also deletes its activity task. Every token and activity task a commit names must
/// belong to its own execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    /// The execution and the version check.
    pub target: CommitTarget,
    /// The engine's new snapshot; `None` keeps the current one (empty for a start).
    pub snapshot: Option<Vec<u8>>,
    /// The execution, ended, running again (an update only; a start ignores it).
    pub redrive: Option<ExecutionRedrive>,
    /// The execution's end, if these transitions ended it.
    pub end: Option<ExecutionEnd>,
    /// New history events; an id the execution already has is an error.
    pub history: Vec<HistoryRecord>,
    /// Timers to delete, by key (a key that is not set is ignored).
    pub timers_cleared: Vec<Vec<u8>>,
    /// Timers to set or move.
    pub timers_set: Vec<Timer>,
    /// Task tokens to open; a token the store already has is an error.
    pub tokens_opened: Vec<TokenOpen>,
    /// Activity tasks to schedule.
    pub activity_tasks_added: Vec<NewActivityTask>,
    /// Activity tasks workers claimed; a task that is not claimable is an error.
    pub activity_tasks_claimed: Vec<ActivityClaim>,
    /// Task tokens to close; a token that is not open is an error.
    pub tokens_closed: Vec<String>,
    /// Distributed Map child executions of this execution that ended.
    pub children: Vec<ChildExecution>,
    /// Map Runs of this execution, created or updated; each must name this execution.
    pub map_runs: Vec<MapRunRecord>,
}

impl Commit {
    /// A commit that starts `execution` with `snapshot`; add its parts to the fields.
    pub fn start(execution: NewExecution, snapshot: Vec<u8>) -> Self {
        Commit::new(CommitTarget::Start(execution), Some(snapshot))
    }

    /// A commit to an existing execution computed from `expected_version`.
    pub fn update(execution_arn: impl Into<String>, expected_version: u64, snapshot: Option<Vec<u8>>) -> Self {
        let execution_arn = execution_arn.into();
        Commit::new(CommitTarget::Update { execution_arn, expected_version }, snapshot)
    }

    fn new(target: CommitTarget, snapshot: Option<Vec<u8>>) -> Self {
        Commit {
            target,
            snapshot,
            redrive: None,
            end: None,
            history: Vec::new(),
            timers_cleared: Vec::new(),
            timers_set: Vec::new(),
            tokens_opened: Vec::new(),
            activity_tasks_added: Vec::new(),
            activity_tasks_claimed: Vec::new(),
            tokens_closed: Vec::new(),
            children: Vec::new(),
            map_runs: Vec::new(),
        }
    }

    /// The ARN of the execution it writes.
    pub fn execution_arn(&self) -> &str {
        match &self.target {
            CommitTarget::Start(new) => &new.arn,
            CommitTarget::Update { execution_arn, .. } => execution_arn,
        }
    }
}

/// One page of a listing, and the token of the next when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// Pass it back to get the next page (AWS's `nextToken`); `None` on the last page.
    pub next_token: Option<String>,
}

impl<T> Page<T> {
    /// The page of `size` items out of `items`, read with one more than a page so that it
    /// is known whether another page follows; `token` names the position after the last
    /// item kept.
    pub(crate) fn of(mut items: Vec<T>, size: usize, token: impl FnOnce(&T) -> String) -> Page<T> {
        let next_token = if items.len() > size {
            items.truncate(size);
            items.last().map(token)
        } else {
            None
        };
        Page { items, next_token }
    }
}

/// Which history events to read (AWS's `GetExecutionHistory` parameters).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Page size: 0 means AWS's default of 100; at most 1000.
    pub max_results: u32,
    /// Highest id first.
    pub reverse_order: bool,
    /// The previous page's `next_token`.
    pub next_token: Option<String>,
}

impl HistoryQuery {
    /// The events after the one with id `id` (all of them for 0), oldest first, up to
    /// `max_results` of them: how a reader that follows a running execution asks for what
    /// was recorded since it last looked.
    pub fn after(id: u64, max_results: u32) -> HistoryQuery {
        HistoryQuery { max_results, reverse_order: false, next_token: Some(history_token(id)) }
    }
}

/// Which executions to list (AWS's `ListExecutions` parameters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionQuery {
    /// The state machine whose executions to list.
    pub state_machine_arn: String,
    /// Instead, the child executions this Map Run started.
    pub map_run_arn: Option<String>,
    /// Only executions with this status.
    pub status: Option<ExecutionStatus>,
    /// Page size: 0 means AWS's default of 100; at most 1000.
    pub max_results: u32,
    /// The previous page's `next_token`.
    pub next_token: Option<String>,
}

impl ExecutionQuery {
    /// The first page of `state_machine_arn`'s executions, of any status.
    pub fn of(state_machine_arn: impl Into<String>) -> Self {
        ExecutionQuery {
            state_machine_arn: state_machine_arn.into(),
            map_run_arn: None,
            status: None,
            max_results: 0,
            next_token: None,
        }
    }
}

/// `status` as stored: AWS's name.
#[cfg(feature = "sqlite")]
pub(crate) fn status_name(status: ExecutionStatus) -> &'static str {
    match status {
        ExecutionStatus::Running => "RUNNING",
        ExecutionStatus::Succeeded => "SUCCEEDED",
        ExecutionStatus::Failed => "FAILED",
        ExecutionStatus::TimedOut => "TIMED_OUT",
        ExecutionStatus::Aborted => "ABORTED",
    }
}

/// The status AWS calls `name`.
#[cfg(feature = "sqlite")]
pub(crate) fn status_from_name(name: &str) -> Option<ExecutionStatus> {
    Some(match name {
        "RUNNING" => ExecutionStatus::Running,
        "SUCCEEDED" => ExecutionStatus::Succeeded,
        "FAILED" => ExecutionStatus::Failed,
        "TIMED_OUT" => ExecutionStatus::TimedOut,
        "ABORTED" => ExecutionStatus::Aborted,
        _ => return None,
    })
}

/// The `DescribeExecution` status of an ended execution.
pub(crate) fn ended_status(status: Status) -> ExecutionStatus {
    match status {
        Status::Succeeded => ExecutionStatus::Succeeded,
        Status::Failed => ExecutionStatus::Failed,
        Status::TimedOut => ExecutionStatus::TimedOut,
        Status::Aborted => ExecutionStatus::Aborted,
    }
}

/// The paging position of a history page: the last id it returned.
pub(crate) fn history_token(last_id: u64) -> String {
    format!("h{last_id}")
}

/// The id a history `next_token` resumes after.
pub(crate) fn parse_history_token(token: &str) -> Result<u64, super::StoreError> {
    token.strip_prefix('h').and_then(|id| id.parse().ok()).ok_or(super::StoreError::InvalidNextToken)
}

/// The paging position of an executions page: the start date (µs) and sequence number of the
/// last execution it returned (executions are listed by start date, then by creation order).
pub(crate) fn executions_token(start_micros: i64, seq: i64) -> String {
    format!("e{start_micros}.{seq}")
}

/// The (start µs, sequence) an executions `next_token` resumes after.
pub(crate) fn parse_executions_token(token: &str) -> Result<(i64, i64), super::StoreError> {
    token
        .strip_prefix('e')
        .and_then(|rest| rest.rsplit_once('.'))
        .and_then(|(start, seq)| Some((start.parse().ok()?, seq.parse().ok()?)))
        .ok_or(super::StoreError::InvalidNextToken)
}
