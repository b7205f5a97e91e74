//! Executions as handles: what [`Runtime::start`](super::Runtime::start) gives back, and
//! the record behind it (where the execution is, who waits for its end) that the runtime's
//! tasks update.

use std::pin::pin;
use std::sync::{Arc, Mutex, Weak};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use tokio::sync::Notify;

use super::durable::Durable;
use super::{Inner, lock};
use crate::callbacks::Signal;
use crate::context::ExecutionInfo;
use crate::execution::MapRunUpdate;
use crate::execution::parked::{Parked, SavedInfo};
use crate::execution::{HistoryEvent, Outcome, Status, TaskHandler, WaitId, Workflow};
use crate::store::StoreError;

/// `DescribeExecution`'s statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    /// Not ended yet.
    Running,
    /// See [`Status::Succeeded`].
    Succeeded,
    /// See [`Status::Failed`].
    Failed,
    /// See [`Status::TimedOut`].
    TimedOut,
    /// See [`Status::Aborted`].
    Aborted,
}

/// What `DescribeExecution` says about an execution.
#[derive(Clone, Debug, PartialEq)]
pub struct Description {
    /// The execution's ARN.
    pub execution_arn: String,
    /// Its name.
    pub name: String,
    /// Its state machine's ARN.
    pub state_machine_arn: String,
    /// Its status.
    pub status: ExecutionStatus,
    /// When it started.
    pub start_date: OffsetDateTime,
    /// When it ended.
    pub stop_date: Option<OffsetDateTime>,
    /// Its input.
    pub input: Value,
    /// Its output, once it succeeded.
    pub output: Option<Value>,
    /// The error it failed with.
    pub error: Option<String>,
    /// The cause of that error.
    pub cause: Option<String>,
    /// How many times it was redriven (`redriveCount`).
    pub redrive_count: u32,
    /// When it was last redriven (`redriveDate`).
    pub redrive_date: Option<OffsetDateTime>,
}

/// One execution started by a [`Runtime`](super::Runtime).
#[derive(Clone)]
pub struct ExecutionHandle {
    pub(super) shared: Arc<Shared>,
}

impl std::fmt::Debug for ExecutionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecutionHandle").field("arn", &self.arn()).finish_non_exhaustive()
    }
}

/// An execution's record: what it is, and how far it has got.
pub(super) struct Shared {
    /// Its `$$.Execution`, in the compact form a parked execution keeps.
    pub(super) info: SavedInfo,
    /// Its number in its runtime.
    pub(super) number: usize,
    pub(super) workflow: &'static Workflow,
    pub(super) handler: Arc<dyn TaskHandler>,
    /// Its runtime (weak: the runtime holds the record).
    pub(super) runtime: Weak<Inner>,
    pub(super) progress: Mutex<Progress>,
    /// Notified (all waiters) when the execution ends.
    pub(super) ended: Notify,
    /// Tells the task that runs the execution that a stop was asked for or a signal for one
    /// of its parked tokens came in.
    pub(super) poke: Notify,
    /// Its record in the runtime's store (none without one): the task that runs it holds it
    /// meanwhile, a parked execution keeps it here. Boxed: most executions of a runtime
    /// without a store, or parked, leave it empty, and a hundred bytes per execution count.
    pub(super) durable: Mutex<Option<Box<Durable>>>,
    /// Notified (all waiters) when the execution's first commit is durable, or failed.
    pub(super) stored: Notify,
}

#[derive(Default)]
pub(super) struct Progress {
    pub(super) phase: Phase,
    /// `StopExecution`'s error and cause, for the task that runs the execution.
    pub(super) stop_request: Option<Box<(Option<String>, Option<String>)>>,
    /// Signals for the tokens of a parked execution that the task which takes it up has not
    /// passed to its driver yet.
    pub(super) mail: Vec<(WaitId, Signal)>,
    /// `UpdateMapRun`s for the task that runs the execution, by Map Run ARN.
    pub(super) map_run_updates: Vec<(String, MapRunUpdate)>,
    /// A running execution's history as of the last time it waited for a handler (its
    /// task holds the execution itself; parked and ended executions keep theirs elsewhere).
    pub(super) live_history: Vec<HistoryEvent>,
    /// With a store: how the first commit went (`None` until it is done).
    pub(super) stored: Option<Result<(), StoreError>>,
}

/// Where an execution is.
#[derive(Default)]
pub(super) enum Phase {
    /// A task runs it (or is about to).
    #[default]
    Running,
    /// It waits, with no task running.
    Parked(Box<Parked>),
    /// It has ended.
    Ended(Box<Ended>),
}

/// How an execution ended.
pub(super) struct Ended {
    pub(super) outcome: Outcome,
    pub(super) stop_date: OffsetDateTime,
    pub(super) history: Vec<HistoryEvent>,
}

impl Shared {
    /// The record of an execution about to run: new (stored once its first commit is, or at
    /// once without a store) or read back from the store (recovered, redriven: stored
    /// already).
    pub(super) fn new(
        info: SavedInfo,
        number: usize,
        workflow: &'static Workflow,
        handler: Arc<dyn TaskHandler>,
        runtime: Weak<Inner>,
        durable: Option<Box<Durable>>,
        stored: Option<Result<(), StoreError>>,
    ) -> Shared {
        Shared {
            info,
            number,
            workflow,
            handler,
            runtime,
            progress: Mutex::new(Progress { stored, ..Progress::default() }),
            ended: Notify::new(),
            poke: Notify::new(),
            durable: Mutex::new(durable),
            stored: Notify::new(),
        }
    }

    /// Records how the execution ended and tells whoever waits.
    pub(super) fn finish(&self, ended: Ended) {
        {
            let mut progress = lock(&self.progress);
            progress.phase = Phase::Ended(Box::new(ended));
            progress.stop_request = None;
            progress.mail = Vec::new();
            progress.live_history = Vec::new();
            let has_store = self.runtime.upgrade().is_some_and(|inner| inner.store.is_some());
            if progress.stored.is_none() && has_store {
                progress.stored = Some(Err(StoreError::Backend("the execution ended before it was stored".into())));
            }
        }
        self.ended.notify_waiters();
        self.stored.notify_waiters();
        // With a store, an ended execution lives on there (and in the handles callers keep):
        // a long-lived runtime holds only what runs.
        if let Some(inner) = self.runtime.upgrade()
            && inner.store.is_some()
        {
            let mut executions = lock(&inner.executions);
            if let Some(handle) = executions.in_order.remove(&self.number) {
                let arn = handle.arn();
                executions.by_arn.remove(&arn);
            }
        }
    }
}

impl ExecutionHandle {
    /// The execution's ARN.
    pub fn arn(&self) -> String {
        self.shared.info.load().map(|info| info.execution_arn()).unwrap_or_default()
    }

    /// Waits until the execution's start is durable in the runtime's store (at once without
    /// a store): what an API's `StartExecution` waits for before it answers. Its first
    /// commit holds `ExecutionStarted` and every transition up to the first time the
    /// execution had to wait.
    ///
    /// # Errors
    ///
    /// The store's, if the first commit failed: [`StoreError::ExecutionAlreadyExists`]
    /// when the store already has an execution of this ARN (started before a restart).
    pub async fn stored(&self) -> Result<(), StoreError> {
        let has_store = self.shared.runtime.upgrade().is_some_and(|inner| inner.store.is_some());
        if !has_store {
            return Ok(());
        }
        loop {
            let mut stored = pin!(self.shared.stored.notified());
            stored.as_mut().enable();
            if let Some(result) = &lock(&self.shared.progress).stored {
                return result.clone();
            }
            stored.await;
        }
    }

    /// Waits until the execution ends, and says how.
    pub async fn wait(&self) -> Outcome {
        loop {
            let mut ended = pin!(self.shared.ended.notified());
            ended.as_mut().enable();
            if let Phase::Ended(ended) = &lock(&self.shared.progress).phase {
                return ended.outcome.clone();
            }
            ended.await;
        }
    }

    /// `DescribeExecution`.
    pub fn describe(&self) -> Description {
        // Reading the saved info back cannot fail (the runtime wrote it); if it did, the
        // description would have empty names.
        let info = self
            .shared
            .info
            .load()
            .unwrap_or_else(|_| ExecutionInfo::new("", "", OffsetDateTime::UNIX_EPOCH, Value::Null));
        let progress = lock(&self.shared.progress);
        let ended = match &progress.phase {
            Phase::Ended(ended) => Some(&**ended),
            Phase::Running | Phase::Parked(_) => None,
        };
        let outcome = ended.map(|ended| &ended.outcome);
        Description {
            execution_arn: info.execution_arn(),
            name: info.name.clone(),
            state_machine_arn: info.state_machine_arn(),
            status: match outcome.map(|o| o.status) {
                None => ExecutionStatus::Running,
                Some(Status::Succeeded) => ExecutionStatus::Succeeded,
                Some(Status::Failed) => ExecutionStatus::Failed,
                Some(Status::TimedOut) => ExecutionStatus::TimedOut,
                Some(Status::Aborted) => ExecutionStatus::Aborted,
            },
            start_date: info.start_time,
            stop_date: ended.map(|ended| ended.stop_date),
            input: info.input,
            output: outcome.and_then(|o| o.output.clone()),
            error: outcome.and_then(|o| o.error.clone()),
            cause: outcome.and_then(|o| o.cause.clone()),
            redrive_count: info.redrive_count,
            redrive_date: info.redrive_time,
        }
    }

    /// `GetExecutionHistory`: the whole history of an execution that ended or is parked;
    /// for one that runs, its history as of the last time it waited for a Task handler (its
    /// task holds the rest: stream it with [`RuntimeBuilder::history_sink`](super::RuntimeBuilder::history_sink) to follow it
    /// live).
    pub fn history(&self) -> Vec<HistoryEvent> {
        let progress = lock(&self.shared.progress);
        match &progress.phase {
            Phase::Ended(ended) => ended.history.clone(),
            Phase::Parked(parked) => {
                let restored = self.shared.info.load().and_then(|info| parked.restore(info));
                restored.map(|execution| execution.history().to_vec()).unwrap_or_default()
            }
            Phase::Running => progress.live_history.clone(),
        }
    }

    /// `UpdateMapRun`: new settings for the running Map Run `map_run_arn` of this execution
    /// (see [`Execution::update_map_run`](crate::execution::Execution::update_map_run)),
    /// taken up at its next step; a parked execution is woken for them. Nothing happens
    /// once the execution or the Map Run has ended.
    pub fn update_map_run(&self, map_run_arn: &str, update: MapRunUpdate) {
        let mut progress = lock(&self.shared.progress);
        if matches!(progress.phase, Phase::Ended(_)) {
            return;
        }
        progress.map_run_updates.push((map_run_arn.to_owned(), update));
        match std::mem::take(&mut progress.phase) {
            Phase::Parked(parked) => {
                drop(progress);
                if let Some(inner) = self.shared.runtime.upgrade() {
                    inner.wake(Arc::clone(&self.shared), parked);
                }
            }
            phase => {
                progress.phase = phase;
                drop(progress);
                self.shared.poke.notify_one();
            }
        }
    }

    /// `StopExecution`: the execution ends with status `ABORTED` and this error and cause
    /// (a no-op if it has already ended).
    pub fn stop(&self, error: Option<&str>, cause: Option<&str>) {
        let (error, cause) = (error.map(str::to_owned), cause.map(str::to_owned));
        let mut progress = lock(&self.shared.progress);
        match &progress.phase {
            Phase::Ended(_) => {}
            Phase::Running => {
                progress.stop_request = Some(Box::new((error, cause)));
                drop(progress);
                self.shared.poke.notify_one();
            }
            Phase::Parked(_) if lock(&self.shared.durable).is_some() => {
                // A durable execution is stopped by its task, which commits the end.
                progress.stop_request = Some(Box::new((error, cause)));
                let Phase::Parked(parked) = std::mem::take(&mut progress.phase) else { return };
                drop(progress);
                if let Some(inner) = self.shared.runtime.upgrade() {
                    inner.wake(Arc::clone(&self.shared), parked);
                }
            }
            Phase::Parked(_) => {
                let Phase::Parked(parked) = std::mem::take(&mut progress.phase) else { return };
                let ended = match self.shared.runtime.upgrade() {
                    Some(inner) => inner.stop_parked(&self.shared, &parked, error, cause),
                    // The runtime is gone, and with it the tokens and the clock.
                    None => Ended {
                        outcome: Outcome { status: Status::Aborted, output: None, error, cause },
                        stop_date: OffsetDateTime::now_utc(),
                        history: Vec::new(),
                    },
                };
                drop(progress);
                self.shared.finish(ended);
            }
        }
    }
}
