//! Parked executions: what a [`Runtime`](crate::Runtime) keeps of an execution that has
//! nothing to do but wait for task tokens and timers, so that it needs no task (and none of
//! a driver's futures and buffers) while it waits.
//!
//! A [`Driver`](super::Driver) parks its execution ([`Driver::prepare_park`](super::Driver::prepare_park))
//! when no handler is running and every frame that is not done waits for a task token (a
//! `.waitForTaskToken` task whose integration returned, an activity) or a timer (a Wait
//! state, a retry delay, a Task's `TimeoutSeconds` or `HeartbeatSeconds`, the execution's
//! `TimeoutSeconds`). What stays is the execution as compact bytes, the earliest of its
//! timers and its heartbeat deadlines; a new driver takes up from there
//! ([`Driver::unpark`](super::Driver::unpark)) when a token is answered or the earliest
//! deadline comes.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::compact;
use super::state::nanos;
use super::state::{Execution, WaitId};
use crate::context::ExecutionInfo;
use crate::error::Error;

/// A parked execution. See the [module documentation](self).
#[derive(Debug)]
pub(crate) struct Parked {
    /// The execution without its top-level `ExecutionInfo` ([`Execution::to_parked`]).
    saved: Box<[u8]>,
    /// The earliest deadline of its timers other than heartbeats.
    timers: Option<OffsetDateTime>,
    /// When its callback tasks with `HeartbeatSeconds` time out without a heartbeat.
    heartbeats: Box<[Heartbeat]>,
    /// The earliest of all of them.
    wake_at: Option<OffsetDateTime>,
}

/// A parked callback task's heartbeat deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Heartbeat {
    /// The Task attempt.
    pub(crate) wait: WaitId,
    /// Its `HeartbeatSeconds`.
    pub(crate) seconds: u64,
    /// When it times out unless a heartbeat comes first.
    pub(crate) due: OffsetDateTime,
}

impl Parked {
    /// An execution parked: `saved` is what [`Execution::to_parked`] wrote, `timers` the
    /// earliest of its timers but heartbeats, `heartbeats` its heartbeat deadlines.
    pub(crate) fn new(saved: &[u8], timers: Option<OffsetDateTime>, heartbeats: &[Heartbeat]) -> Parked {
        // Exactly as long as they must be: they stay for as long as the execution waits.
        let mut parked = Parked { saved: Box::from(saved), timers, heartbeats: Box::from(heartbeats), wake_at: None };
        parked.wake_at = parked.earliest();
        parked
    }

    /// When the execution must wake even if no token is answered: its earliest deadline.
    pub(crate) fn wake_at(&self) -> Option<OffsetDateTime> {
        self.wake_at
    }

    fn earliest(&self) -> Option<OffsetDateTime> {
        self.heartbeats.iter().map(|heartbeat| heartbeat.due).chain(self.timers).min()
    }

    /// The heartbeat deadline of the Task attempt `wait`, if it has one.
    pub(crate) fn heartbeat_due(&self, wait: WaitId) -> Option<OffsetDateTime> {
        self.heartbeats.iter().find(|heartbeat| heartbeat.wait == wait).map(|heartbeat| heartbeat.due)
    }

    /// A heartbeat for the Task attempt `wait` came at `now`: its `HeartbeatSeconds` start
    /// again (as a driver's would). `false` if it has none to restart.
    pub(crate) fn heartbeat(&mut self, wait: WaitId, now: OffsetDateTime) -> bool {
        match self.heartbeats.iter_mut().find(|heartbeat| heartbeat.wait == wait) {
            Some(heartbeat) => {
                heartbeat.due = super::effects::later(now, std::time::Duration::from_secs(heartbeat.seconds));
                self.wake_at = self.earliest();
                true
            }
            None => false,
        }
    }

    /// The execution again, with its `info`.
    ///
    /// # Errors
    ///
    /// `States.Runtime` if the saved bytes cannot be read (they always can).
    pub(crate) fn restore(&self, info: ExecutionInfo) -> Result<Execution, Error> {
        Execution::from_parked(&self.saved, info)
            .map_err(|error| Error::runtime(format!("The parked execution could not be restored: {error}")))
    }
}

/// An execution's [`ExecutionInfo`] as a runtime keeps it: in the compact format, written
/// once (it never changes) and read back when the execution is taken up again or described,
/// so that a parked execution holds no `ExecutionInfo` — with its strings and its input,
/// the largest part of what it would keep.
#[derive(Debug)]
pub(crate) struct SavedInfo(Saved);

#[derive(Debug)]
enum Saved {
    Compact(Box<[u8]>),
    /// Kept as it is if it could not be written (which does not happen: its fields are
    /// strings, numbers and a `Value`).
    Plain(Box<ExecutionInfo>),
}

impl SavedInfo {
    /// `info`, saved.
    pub(crate) fn new(info: &ExecutionInfo) -> SavedInfo {
        let ExecutionInfo {
            partition,
            region,
            account_id,
            state_machine_name,
            name,
            role_arn,
            start_time,
            redrive_count,
            redrive_time,
            input,
            express_run,
        } = info;
        let view = InfoRef {
            partition,
            region,
            account_id,
            state_machine_name,
            name,
            role_arn: role_arn.as_deref(),
            start_time: *start_time,
            redrive_count: *redrive_count,
            redrive_time: *redrive_time,
            input,
            express_run: express_run.as_deref(),
        };
        match compact::to_bytes(&view) {
            Ok(bytes) => SavedInfo(Saved::Compact(bytes.into_boxed_slice())),
            Err(_) => SavedInfo(Saved::Plain(Box::new(info.clone()))),
        }
    }

    /// The saved bytes, to store them (`None` in the case that never happens: the info
    /// could not be written).
    pub(crate) fn bytes(&self) -> Option<&[u8]> {
        match &self.0 {
            Saved::Compact(bytes) => Some(bytes),
            Saved::Plain(_) => None,
        }
    }

    /// Info saved as [`SavedInfo::bytes`] gave them (read lazily: [`SavedInfo::load`] says
    /// whether they were what it wrote).
    pub(crate) fn from_bytes(bytes: &[u8]) -> SavedInfo {
        SavedInfo(Saved::Compact(bytes.into()))
    }

    /// The info again.
    ///
    /// # Errors
    ///
    /// `States.Runtime` if the saved bytes cannot be read (they always can).
    pub(crate) fn load(&self) -> Result<ExecutionInfo, Error> {
        let bytes = match &self.0 {
            Saved::Compact(bytes) => bytes,
            Saved::Plain(info) => return Ok((**info).clone()),
        };
        let InfoOwned {
            partition,
            region,
            account_id,
            state_machine_name,
            name,
            role_arn,
            start_time,
            redrive_count,
            redrive_time,
            input,
            express_run,
        } = compact::from_bytes(bytes)
            .map_err(|error| Error::runtime(format!("The execution's information could not be read back: {error}")))?;
        Ok(ExecutionInfo {
            partition: ExecutionInfo::default_or(partition, "aws"),
            region: ExecutionInfo::default_or(region, ExecutionInfo::DEFAULT_REGION),
            account_id: ExecutionInfo::default_or(account_id, ExecutionInfo::DEFAULT_ACCOUNT_ID),
            state_machine_name,
            name,
            role_arn,
            start_time,
            redrive_count,
            redrive_time,
            input,
            express_run,
        })
    }
}

/// What [`SavedInfo`] writes: the fields of an [`ExecutionInfo`], its instants exact (in
/// nanoseconds; its own serde form writes the context object's milliseconds).
#[derive(Serialize)]
struct InfoRef<'i> {
    partition: &'i str,
    region: &'i str,
    account_id: &'i str,
    state_machine_name: &'i str,
    name: &'i str,
    role_arn: Option<&'i str>,
    #[serde(with = "nanos")]
    start_time: OffsetDateTime,
    redrive_count: u32,
    #[serde(with = "nanos::option")]
    redrive_time: Option<OffsetDateTime>,
    input: &'i Value,
    express_run: Option<&'i str>,
}

/// [`InfoRef`], read back.
#[derive(Deserialize)]
struct InfoOwned {
    partition: String,
    region: String,
    account_id: String,
    state_machine_name: String,
    name: String,
    role_arn: Option<String>,
    #[serde(with = "nanos")]
    start_time: OffsetDateTime,
    redrive_count: u32,
    #[serde(with = "nanos::option")]
    redrive_time: Option<OffsetDateTime>,
    input: Value,
    express_run: Option<String>,
}
