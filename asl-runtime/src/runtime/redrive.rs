//! `RedriveExecution` for the executions of a runtime's store: [`Runtime::redrive`] reads
//! an ended execution back, takes it back to where it stopped ([`Execution::redrive`](crate::execution::Execution::redrive)),
//! commits that it runs again, then runs it as a recovered execution.
//! [`Runtime::redrive_status`] is `DescribeExecution`'s `redriveStatus` of one.

use std::sync::Arc;

use tokio::runtime::Handle;

use super::durable::{self, Durable, Restored};
use super::handle::{ExecutionHandle, ExecutionStatus, Shared};
use super::registry::Registered;
use super::{Runtime, Start, lock};
use crate::execution::parked::SavedInfo;
use crate::execution::{NotRedrivable, Status, redrivability};
use crate::store::{ExecutionRecord, HistoryQuery, MachineType, Store, StoreError};

/// Why [`Runtime::redrive`] did not redrive an execution: AWS's errors of
/// `RedriveExecution`, and the store's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedriveError {
    /// The store has no execution with this ARN (`ExecutionDoesNotExist`).
    ExecutionDoesNotExist(String),
    /// It cannot be redriven (`ExecutionNotRedrivable`; the reason is AWS's
    /// `redriveStatusReason`).
    NotRedrivable(NotRedrivable),
    /// The runtime has no store: it keeps nothing of an ended execution to take up again.
    NoStore,
    /// The store failed (reading the execution, or committing the redrive), or holds an
    /// execution this runtime cannot read.
    Store(StoreError),
}

impl std::fmt::Display for RedriveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedriveError::ExecutionDoesNotExist(arn) => write!(f, "ExecutionDoesNotExist: {arn}"),
            RedriveError::NotRedrivable(why) => write!(f, "ExecutionNotRedrivable: {why}"),
            RedriveError::NoStore => f.write_str("a runtime without a store cannot redrive executions"),
            RedriveError::Store(error) => write!(f, "the store failed: {error}"),
        }
    }
}

impl std::error::Error for RedriveError {}

impl From<StoreError> for RedriveError {
    fn from(error: StoreError) -> Self {
        RedriveError::Store(error)
    }
}

impl From<NotRedrivable> for RedriveError {
    fn from(why: NotRedrivable) -> Self {
        RedriveError::NotRedrivable(why)
    }
}

/// `DescribeExecution`'s `redriveStatus` of a STANDARD execution, with its
/// `redriveStatusReason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedriveStatus {
    /// [`Runtime::redrive`] would redrive it now.
    Redrivable,
    /// It would not, for this reason.
    NotRedrivable(NotRedrivable),
}

impl RedriveStatus {
    /// AWS's name: `REDRIVABLE` or `NOT_REDRIVABLE`.
    pub fn name(self) -> &'static str {
        match self {
            RedriveStatus::Redrivable => "REDRIVABLE",
            RedriveStatus::NotRedrivable(_) => "NOT_REDRIVABLE",
        }
    }

    /// `redriveStatusReason`: why it is not redrivable.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            RedriveStatus::Redrivable => None,
            RedriveStatus::NotRedrivable(why) => Some(why.reason()),
        }
    }
}

/// The engine's status of an execution whose record says `status` (`None`: running).
fn ended(status: ExecutionStatus) -> Option<Status> {
    match status {
        ExecutionStatus::Running => None,
        ExecutionStatus::Succeeded => Some(Status::Succeeded),
        ExecutionStatus::Failed => Some(Status::Failed),
        ExecutionStatus::TimedOut => Some(Status::TimedOut),
        ExecutionStatus::Aborted => Some(Status::Aborted),
    }
}

impl Runtime {
    /// `RedriveExecution`: takes the execution `execution_arn` of the runtime's store,
    /// which failed, timed out or was stopped, back to the state where it stopped and runs
    /// it from there (as [`Execution::redrive`](crate::execution::Execution::redrive) says: states that succeeded do not run
    /// again, a Parallel's or Map's finished branches and iterations keep their outputs).
    /// Its ARN stays the same; its history goes on with `ExecutionRedriven`; it is
    /// `RUNNING` again, with one more `redriveCount` and `redriveDate` now.
    ///
    /// The redrive is committed before the execution runs again: when this returns, the
    /// store has it as running (a crash after that and [`Runtime::recover`] take it up);
    /// when it fails, nothing changed. Its workflow must be registered
    /// ([`Runtime::register`]), found by the state machine name at the end of its state
    /// machine's ARN.
    ///
    /// # Errors
    ///
    /// - [`RedriveError::ExecutionDoesNotExist`]: the store has no such execution;
    /// - [`RedriveError::NotRedrivable`]: it runs (or another redrive of it won),
    ///   succeeded, is past AWS's limits (14 days after its end, a year after its start,
    ///   24,999 history events), or its workflow is not registered
    ///   ([`NotRedrivable::StateMachineDeleted`]);
    /// - [`RedriveError::NoStore`]: the runtime has no store;
    /// - [`RedriveError::Store`]: the store failed, or holds a snapshot this runtime
    ///   cannot read.
    pub async fn redrive(&self, execution_arn: &str) -> Result<ExecutionHandle, RedriveError> {
        let Some(store) = self.inner.store.clone() else { return Err(RedriveError::NoStore) };
        if self.inner.tokio.get().is_none()
            && let Ok(handle) = Handle::try_current()
        {
            let _ = self.inner.tokio.set(handle);
        }
        if self.execution(execution_arn).is_some() {
            return Err(NotRedrivable::Running.into());
        }
        let record = store
            .execution(execution_arn)
            .await?
            .ok_or_else(|| RedriveError::ExecutionDoesNotExist(execution_arn.to_owned()))?;
        let now = self.inner.clock.now();
        // What the record says is checked before the snapshot and history are read.
        redrivability(ended(record.status), false, record.start_date, record.stop_date, 0, now)?;
        let Registered { workflow, handler, machine_type } = self.registered_for(&record)?;
        if machine_type == MachineType::Express {
            return Err(NotRedrivable::Express.into());
        }
        let restored = durable::restore(&*store, record).await?;
        let mut durable = Durable::restored(Arc::clone(&store), &restored, workflow);
        let Restored { arn, mut execution, .. } = restored;
        execution.redrive(workflow, now)?;
        let info = SavedInfo::new(execution.info());
        let state_machine_arn = execution.info().state_machine_arn();
        match durable.commit_redrive(&execution, workflow, &info, &state_machine_arn).await {
            Ok(()) => {}
            // Another redrive of it got there first.
            Err(StoreError::VersionConflict { .. }) => return Err(NotRedrivable::Running.into()),
            Err(error) => return Err(error.into()),
        }
        let handle = {
            let mut executions = lock(&self.inner.executions);
            // A recovery that ran meanwhile may have taken it up already.
            if let Some(number) = executions.by_arn.get(&arn)
                && let Some(running) = executions.in_order.get(number)
            {
                return Ok(running.clone());
            }
            let runtime = Arc::downgrade(&self.inner);
            let shared =
                Shared::new(info, executions.next, workflow, handler, runtime, Some(Box::new(durable)), Some(Ok(())));
            let shared = Arc::new(shared);
            let handle = ExecutionHandle { shared };
            executions.insert(arn, handle.clone());
            handle
        };
        self.inner.run(self.clone(), Arc::clone(&handle.shared), Start::Restored(Box::new(execution), None));
        Ok(handle)
    }

    /// `DescribeExecution`'s `redriveStatus` of the stored execution `record`: whether
    /// [`Runtime::redrive`] would redrive it now, and if not why (its history is counted in
    /// the runtime's store; a runtime without one, which redrives nothing, answers from the
    /// record alone).
    ///
    /// # Errors
    ///
    /// The store's, counting the history.
    pub async fn redrive_status(&self, record: &ExecutionRecord) -> Result<RedriveStatus, StoreError> {
        let now = self.inner.clock.now();
        let (start, stop) = (record.start_date, record.stop_date);
        if let Err(why) = redrivability(ended(record.status), false, start, stop, 0, now) {
            return Ok(RedriveStatus::NotRedrivable(why));
        }
        match self.registered_for(record) {
            Ok(registered) if registered.machine_type == MachineType::Express => {
                return Ok(RedriveStatus::NotRedrivable(NotRedrivable::Express));
            }
            Ok(_) => {}
            Err(why) => return Ok(RedriveStatus::NotRedrivable(why)),
        }
        let events = match &self.inner.store {
            Some(store) => history_length(&**store, &record.arn).await?,
            // Nothing to count in: what the record says.
            None => 0,
        };
        Ok(match redrivability(ended(record.status), false, start, stop, events, now) {
            Ok(()) => RedriveStatus::Redrivable,
            Err(why) => RedriveStatus::NotRedrivable(why),
        })
    }

    /// The workflow registered for `record`'s state machine.
    fn registered_for(&self, record: &ExecutionRecord) -> Result<Registered, NotRedrivable> {
        if record.map_run_arn.is_some() {
            return Err(NotRedrivable::MapRunChild);
        }
        let machine = record.state_machine_arn.rsplit(':').next().unwrap_or_default();
        lock(&self.inner.workflows).get(machine).cloned().ok_or(NotRedrivable::StateMachineDeleted)
    }
}

/// How many history events the store has for `arn`: the id of its last one.
async fn history_length(store: &dyn Store, arn: &str) -> Result<usize, StoreError> {
    let last = store.history(arn, HistoryQuery { max_results: 1, reverse_order: true, next_token: None }).await?;
    Ok(last.items.first().map_or(0, |event| usize::try_from(event.id).unwrap_or(usize::MAX)))
}
