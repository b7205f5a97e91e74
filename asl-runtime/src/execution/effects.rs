//! What a step asks of the driver, and what the driver tells a frame back.
//!
//! A transition does no I/O: the Task handlers to run, the timers to set and the waits to
//! cancel are left in [`Effects`] (kept by the driver and reused, so a step allocates
//! nothing there), and what comes back is an [`Event`] that
//! [`Execution::deliver`](super::Execution::deliver) records.

use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use super::state::{FramePath, WaitId};
use crate::error::Error;
use crate::machine::{StateDef, TaskDef};

/// What a frame is told from outside.
#[derive(Debug)]
pub(super) enum Event {
    /// A Task handler finished.
    Result(Result<Value, Error>),
    /// A timer fired (a Wait's, a retry delay's, or a Task's timeout).
    Timer,
    /// A `.waitForTaskToken` task's handler returned (with this output, the integration's
    /// response): it now waits for its token.
    Submitted(Box<Value>),
    /// A worker (named, if it gave its name) took an activity task.
    Started(Option<Box<str>>),
    /// A Distributed Map's `ItemReader` handed out these items (none: there are no more).
    Items(Result<Vec<Value>, Error>),
}

impl Event {
    /// A callback task's handler returned `output`: the work is handed over.
    pub(super) fn submitted(output: Value) -> Event {
        Event::Submitted(Box::new(output))
    }
}

/// Something the driver must start for a frame.
#[derive(Debug)]
pub(super) enum Request {
    /// Run a Task handler.
    Task(Box<TaskRequest>),
    /// Read the next items of a Distributed Map's `ItemReader`.
    Items(Box<ItemsRequest>),
    /// Write a Distributed Map's result files: [`Event::Result`] answers, with the Map's
    /// result.
    Write(Box<WriteRequest>),
    /// Fire [`Event::Timer`] at `until`.
    Timer {
        /// The wait it answers.
        id: WaitId,
        /// The frame that waits.
        path: FramePath,
        /// When.
        until: OffsetDateTime,
    },
}

/// One Task attempt to run.
#[derive(Debug)]
pub(super) struct TaskRequest {
    /// The wait it answers (its timeout timer has the same id).
    pub(super) id: WaitId,
    /// The frame that waits.
    pub(super) path: FramePath,
    /// The Task state.
    pub(super) state: &'static StateDef,
    /// Its static data.
    pub(super) task: &'static TaskDef,
    /// The effective input.
    pub(super) input: Value,
    /// `$$` as the state sees it.
    pub(super) context: Value,
    /// `$$.State.RetryCount`.
    pub(super) retry_count: u32,
    /// When the attempt times out, if it has a timeout.
    pub(super) deadline: Option<OffsetDateTime>,
    /// The task token, when the attempt has one.
    pub(super) token: Option<String>,
    /// `HeartbeatSeconds`, for a callback task.
    pub(super) heartbeat: Option<u64>,
    /// The work was already handed over before the execution was restored: only wait for
    /// the token.
    pub(super) submitted: bool,
}

/// One read of a Distributed Map's items: [`Event::Items`] answers it.
#[derive(Debug)]
pub(super) struct ItemsRequest {
    /// The wait it answers.
    pub(super) id: WaitId,
    /// The Map state's frame.
    pub(super) path: FramePath,
    /// The source's id (see [`ReaderWork`](super::state::ReaderWork)).
    pub(super) source: WaitId,
    /// The Map state's name.
    pub(super) state: &'static str,
    /// The reader's `Resource`.
    pub(super) resource: &'static str,
    /// Its parameters and configuration, to open the source if it is not open.
    pub(super) parameters: Value,
    /// See [`ItemsCall::config`](super::items::ItemsCall::config).
    pub(super) config: Value,
    /// Items the source handed out before.
    pub(super) skip: u64,
    /// At most this many now.
    pub(super) max: usize,
}

/// The export of a Distributed Map's results.
#[derive(Debug)]
pub(super) struct WriteRequest {
    /// The wait it answers.
    pub(super) id: WaitId,
    /// The Map state's frame.
    pub(super) path: FramePath,
    /// The Map state's name.
    pub(super) state: &'static str,
    /// The writer's `Resource`.
    pub(super) resource: &'static str,
    /// Where the objects go.
    pub(super) bucket: String,
    /// The objects, in the order they are written.
    pub(super) objects: Vec<(String, Vec<u8>)>,
    /// The Map's result once they are written.
    pub(super) result: Value,
}

/// What steps ask of the driver, and how they reorder the runnable frames. Kept by the
/// driver and reused, so a step allocates nothing here.
#[derive(Debug, Default)]
pub(super) struct Effects {
    /// Handlers and timers to start.
    pub(super) requests: Vec<Request>,
    /// Waits nobody needs any more: their futures can be dropped.
    pub(super) cancelled: Vec<WaitId>,
    /// The stepped frame can go on: it goes back to the front of the queue.
    pub(super) again: bool,
    /// Frames to put at the front of the queue, in this order.
    pub(super) front: Vec<FramePath>,
    /// Frames to put at the back of the queue.
    pub(super) back: Vec<FramePath>,
    /// Frames dropped (a cancelled branch or iteration): their queue entries go.
    pub(super) discarded: Vec<FramePath>,
}

/// `duration` after `now`, or the end of the calendar if that is later.
pub(super) fn later(now: OffsetDateTime, duration: Duration) -> OffsetDateTime {
    time::Duration::try_from(duration)
        .ok()
        .and_then(|d| now.checked_add(d))
        .unwrap_or(time::PrimitiveDateTime::MAX.assume_utc())
}
