//! An execution's state as plain data.
//!
//! Everything a running execution knows lives in an [`Execution`]: the current state of
//! every container that is running (the top level, each Parallel branch, each Map
//! iteration, each Distributed Map child execution), the JSON each one holds, retry
//! counters, the deadlines of pending Waits, retry delays and task timeouts, the random
//! generator's state and the history-event counter. None of it is the stack of an
//! `async fn`: the [driver](super::Driver) advances an `Execution` one transition at a time,
//! and in between, the whole of it can be serialised with serde, stored, and resumed in
//! another process ([`Execution::from_json`] / `serde_json::to_string`).
//!
//! What is *not* in it is what cannot be stored: the futures of Task handlers that are
//! running and of timers. Each one is known to the execution by a [`WaitId`] and the
//! [`FramePath`] of the frame that waits for it; a resumed execution asks its driver to
//! start them again (a Task that was running when the process stopped runs again, the
//! at-least-once guarantee of AWS Standard workflows).

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::Outcome;
use super::compact::{self, CompactError};
use super::history::{self, Chain, EventDetails, EventType, History, HistoryDetail, HistoryEvent, TextCache};
use super::inspect::TopFrame;
use super::records::Records;
use crate::context::ExecutionInfo;
use crate::error::Error;
use crate::intrinsics::SplitMix64;
use crate::map_results::ChildResult;
use crate::retry::RetryState;

/// Identifies one thing a frame waits for outside the execution: a Task handler's result,
/// or a timer. Unique within an execution; an event for an id that no frame waits for any
/// more (the frame timed out, or its branch was cancelled) is ignored.
pub type WaitId = u64;

/// A wait id that is never handed out: a timer that has fired.
pub(super) const FIRED: WaitId = 0;

/// Where a frame sits in the tree: the child index at each level below the top-level frame
/// (a Parallel branch's index, or a Map item's index). The top-level frame's path is empty.
pub type FramePath = Vec<u32>;

/// A whole execution, as data: what it holds, how it is advanced and saved, is described
/// in the [`execution`](super) module.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    /// The top-level run.
    pub(super) run: Run,
    /// When the state machine's `TimeoutSeconds` runs out.
    #[serde(with = "nanos::option")]
    pub(super) deadline: Option<OffsetDateTime>,
    /// The next [`WaitId`] to hand out.
    pub(super) next_wait: WaitId,
    /// Frames that can take a transition now, in the order they will: a frame that takes a
    /// transition and can go on stays in front, so one container runs until it must wait
    /// (the order in which concurrent branches would have run as futures).
    pub(super) runnable: VecDeque<FramePath>,
    /// How it ended, once it has.
    pub(super) outcome: Option<Outcome>,
    /// Transitions taken so far (all frames, child executions included).
    pub(super) transitions: u64,
    /// How many of the history's events were handed to a history sink (see
    /// [`Driver::with_history_sink`](super::Driver::with_history_sink)).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(super) streamed: u64,
    /// The Map Runs and child executions made since the last commit, for a runtime that
    /// stores them (see [`records`](super::records)).
    #[serde(skip)]
    pub(super) records: Option<Box<Records>>,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// One execution's own data: the top-level execution, or a Distributed Map child
/// execution, which has its own name, `$$.Execution`, random sequence and history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Run {
    /// `$$.Execution` and friends.
    pub(super) info: ExecutionInfo,
    /// The generator behind jitter, `States.UUID`, `States.MathRandom` and child names.
    pub(super) rng: SplitMix64,
    /// The run's history (ExecutionStarted is event #1).
    pub(super) history: History,
    /// The frame of the run's top container.
    pub(super) root: Frame,
    /// `$$.Execution` and `$$.StateMachine`, rendered the first time a state needs them:
    /// they do not change during a run, and every Task attempt's `$$` starts with them.
    #[serde(skip)]
    pub(super) context_base: OnceLock<Map<String, Value>>,
}

/// A container that is running: which state it is in, with which input, and how far that
/// state has got.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Frame {
    /// Index of the container in the workflow.
    pub(super) container: u16,
    /// Index of the current state in the container.
    pub(super) state: u16,
    /// The current state's raw input.
    pub(super) input: Value,
    /// `input` as JSON text, when the previous state's Exited event rendered it.
    #[serde(skip)]
    pub(super) input_text: TextCache,
    /// When the current state was entered (`$$.State.EnteredTime`).
    #[serde(with = "nanos")]
    pub(super) entered: OffsetDateTime,
    /// The id of the current state's `…StateEntered` history event.
    pub(super) entered_event: u64,
    /// Where the frame's chain of history events stands (`previousEventId` of its next
    /// event).
    #[serde(default)]
    pub(super) chain: Chain,
    /// The workflow variables the frame sees.
    #[serde(default, skip_serializing_if = "Vars::is_empty")]
    pub(super) variables: Vars,
    /// How far the current state has got.
    pub(super) step: Step,
}

/// The workflow variables a frame sees: those of its container's scope, which starts as a
/// copy of the enclosing scope for a Parallel branch or Map iteration (they can read the
/// outer variables; what they assign is gone when they end) and empty for an execution or
/// a Distributed Map child execution. Shared until written, so starting a thousand
/// iterations copies nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct Vars(pub(super) Arc<Map<String, Value>>);

impl Vars {
    /// Whether no variable is set.
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Stores what one `Assign` computed (all of its values were computed before any is
    /// stored, from the values the state saw when it was entered).
    pub(super) fn store(&mut self, assigned: Option<Map<String, Value>>) {
        if let Some(assigned) = assigned.filter(|assigned| !assigned.is_empty()) {
            Arc::make_mut(&mut self.0).extend(assigned);
        }
    }
}

/// How far a frame's current state has got.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) enum Step {
    /// Not entered yet: the next transition runs the state.
    Enter,
    /// A Wait state waiting until `until`.
    Waiting {
        /// The deadline.
        #[serde(with = "nanos")]
        until: OffsetDateTime,
        /// The timer's id.
        timer: WaitId,
    },
    /// A Task, Parallel or Map state doing its work, with Retry.
    Working {
        /// The retry counters of this state execution.
        retries: RetryState,
        /// A Task's `TimeoutSeconds(Path)`, read once when the state was entered.
        timeout: Option<u64>,
        /// A Task's `HeartbeatSeconds(Path)`, read once when the state was entered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        heartbeat: Option<u64>,
        /// The current attempt.
        work: Work,
    },
    /// The state was entered and failed before it got further (a path, a Choice that
    /// matched nothing, a Fail state): nothing moves the frame any more. The state's input
    /// may have been used up; its Entered event holds it, for a
    /// [redrive](Execution::redrive).
    Failed,
}

/// The current attempt of a Task, Parallel or Map state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) enum Work {
    /// About to start an attempt (the first, or a retry whose delay has passed).
    Start,
    /// A Task handler is running.
    Task {
        /// The call's id (its timeout timer, if any, has the same id).
        call: WaitId,
        /// When the attempt times out (`States.Timeout`).
        #[serde(with = "nanos::option")]
        deadline: Option<OffsetDateTime>,
        /// The task token (`$$.Task.Token`), when the attempt has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
        /// A callback task's work was handed over (its handler returned, or a worker took
        /// the activity): it now waits only for the token's outcome.
        #[serde(default)]
        submitted: bool,
    },
    /// Parallel branches, by index.
    Parallel(Vec<Child>),
    /// Map iterations.
    Map(Box<MapWork>),
    /// Waiting for a retry's delay.
    Backoff {
        /// When the retry starts.
        #[serde(with = "nanos")]
        until: OffsetDateTime,
        /// The timer's id.
        timer: WaitId,
    },
    /// The attempt ended: the next transition decides what follows (ResultSelector and
    /// the rest, a retry, a catcher, or failure).
    Done(Result<Value, Error>),
    /// A Parallel or Map attempt ended because a branch or an iteration failed: as
    /// `Done(Err(..))`, keeping the attempt's branches or iterations. If the error fails
    /// the state for good (no retrier retries it, no catcher catches it), the attempt is
    /// put back, its finished children with their outputs, so that a
    /// [redrive](Execution::redrive) runs again only the others.
    Failed(Box<FailedAttempt>),
}

/// What [`Work::Failed`] keeps: the error, and the attempt it ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct FailedAttempt {
    /// The error of the branch or iteration that failed.
    pub(super) error: Error,
    /// The attempt as it stood ([`Work::Parallel`] or [`Work::Map`]).
    pub(super) attempt: Work,
}

/// A Parallel branch or a Map iteration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// Nearly every child is a `Frame`: boxing it would cost an allocation per branch and
// iteration to save space only in the rarer `Done` and `Run` entries.
#[allow(clippy::large_enum_variant)]
pub(super) enum Child {
    /// Running, inside the parent's execution.
    Frame(Frame),
    /// Running as a child execution of its own (Distributed Map).
    Run(Box<Run>),
    /// Finished with this output (for a failed Distributed Map child, its execution
    /// record).
    Done(Value),
    /// A Distributed Map child execution that ended, whole, for a `ResultWriter` that
    /// exports the results or shapes them with `Transformation: NONE`.
    Ended(Box<ChildResult>),
    /// A Distributed Map child execution that failed, timed out or was stopped: its record,
    /// and the run itself, which a redrive of the Map Run takes up where it stopped.
    Unsuccessful(Box<Unsuccessful>),
}

/// A Distributed Map child execution that did not succeed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Unsuccessful {
    /// The child execution, as it ended.
    pub(super) run: Run,
    /// Its record, for the Map's result.
    pub(super) result: ChildResult,
}

/// A Map state's attempt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct MapWork {
    /// The container index of the item processor.
    pub(super) processor: u16,
    /// The iterations started so far, by item index.
    pub(super) children: Vec<Child>,
    /// The inputs of the items not started yet, in item order.
    pub(super) waiting: VecDeque<Value>,
    /// Iterations running now.
    pub(super) running: usize,
    /// The id of the `MapStateStarted` event, where each iteration's chain of events
    /// starts.
    #[serde(default)]
    pub(super) started_event: u64,
    /// At most this many at once.
    pub(super) limit: usize,
    /// Distributed Map only: the child executions' state machine name and the tolerated
    /// failures.
    pub(super) distributed: Option<DistributedWork>,
    /// A Distributed Map that reads an `ItemReader` or batches its items: where its next
    /// child inputs come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) feed: Option<Box<Feed>>,
    /// A Distributed Map taken up by a redrive, not yet woken to start its waiting items
    /// and read on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) resumed: bool,
}

impl MapWork {
    /// The export of its results under way, if there is one.
    pub(super) fn exporting(&self) -> Option<WaitId> {
        self.distributed.as_ref().and_then(|d| d.writer.as_ref()).and_then(|w| w.writing)
    }

    /// Whether items its reader handed out wait to be taken.
    pub(super) fn fed(&self) -> bool {
        self.feed.as_ref().and_then(|feed| feed.reader.as_ref()).is_some_and(|reader| reader.arrived.is_some())
    }
}

/// Where a Distributed Map's child inputs come from when it reads its items from an
/// `ItemReader` (a few at a time, see [`items`](super::items)) or batches them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Feed {
    /// The Map state's effective input, which `ItemSelector` and `BatchInput` read.
    pub(super) input: Value,
    /// The `ItemReader`'s source, when the items come from one.
    pub(super) reader: Option<ReaderWork>,
    /// The batch being filled, with an `ItemBatcher`.
    pub(super) batcher: Option<Batching>,
    /// The index of the next item (`$$.Map.Item.Index`).
    pub(super) next_item: u64,
}

/// An `ItemReader`'s source, as the execution knows it: what opens it, and how far it
/// has been read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct ReaderWork {
    /// The source's id: the driver keeps the open source under it, and cancelling it
    /// closes the source.
    pub(super) source: WaitId,
    /// The reader's `Parameters`/`Arguments`, evaluated when the Map started.
    pub(super) parameters: Value,
    /// Its `ReaderConfig`, evaluated, with `MaxItems` resolved.
    pub(super) config: Value,
    /// Items taken from the source so far: a source opened again skips them.
    pub(super) taken: u64,
    /// The read under way.
    pub(super) pulling: Option<WaitId>,
    /// What the last read brought, not handled yet.
    pub(super) arrived: Option<Result<Vec<Value>, Error>>,
    /// The source has no more items.
    pub(super) exhausted: bool,
    /// Reading stopped before the source had no more items (the Map failed): a redrive of
    /// the Map Run reads on.
    #[serde(default)]
    pub(super) stopped: bool,
}

/// An `ItemBatcher`'s limits, and the batch being filled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Batching {
    /// `MaxItemsPerBatch(Path)`.
    pub(super) max_items: Option<u64>,
    /// `MaxInputBytesPerBatch(Path)`.
    pub(super) max_bytes: Option<u64>,
    /// `BatchInput`, built when the Map started.
    pub(super) batch_input: Option<Value>,
    /// The items of the batch being filled.
    pub(super) items: Vec<Value>,
    /// The size of the child input they make, as JSON text.
    pub(super) bytes: u64,
}

/// What a Distributed Map's Map Run keeps besides its iterations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct DistributedWork {
    /// `<state machine>/<label>`.
    pub(super) machine: String,
    /// The tolerated failures.
    pub(super) tolerance: Tolerance,
    /// Items whose child execution failed so far (every item of a failed batch).
    pub(super) failed: usize,
    /// The Map Run's ARN.
    #[serde(default)]
    pub(super) map_run_arn: String,
    /// The `ResultWriter`, when the Map has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) writer: Option<Box<WriterWork>>,
    /// When the Map Run started.
    #[serde(default, with = "nanos::option")]
    pub(super) started: Option<OffsetDateTime>,
    /// Its `MaxConcurrency` as evaluated (0: no limit but AWS's).
    #[serde(default)]
    pub(super) max_concurrency: u64,
    /// How many of its items and children started and ended so far.
    #[serde(default)]
    pub(super) tally: Tally,
    /// How many times it was redriven, and when last.
    #[serde(default)]
    pub(super) redrive_count: u32,
    #[serde(default, with = "nanos::option")]
    pub(super) redrive_date: Option<OffsetDateTime>,
}

/// How many of a Map Run's items and child executions started and ended so far, and how:
/// what `DescribeMapRun` counts. (A batch's child counts as one execution and as all of its
/// items.)
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Tally {
    /// Child executions started.
    pub(super) executions_started: u64,
    /// Items whose child execution started.
    pub(super) items_started: u64,
    /// Items whose child execution ended.
    pub(super) items: EndedCounts,
    /// Child executions that ended.
    pub(super) executions: EndedCounts,
}

/// Ended items or child executions, by how they ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct EndedCounts {
    pub(super) succeeded: u64,
    pub(super) failed: u64,
    pub(super) timed_out: u64,
    pub(super) aborted: u64,
}

impl EndedCounts {
    /// All of them.
    pub(super) fn ended(&self) -> u64 {
        self.succeeded + self.failed + self.timed_out + self.aborted
    }

    /// Counts `n` more that ended with `status`.
    pub(super) fn add(&mut self, status: crate::map_results::ChildStatus, n: u64) {
        use crate::map_results::ChildStatus;
        let count = match status {
            ChildStatus::Succeeded => &mut self.succeeded,
            ChildStatus::Failed | ChildStatus::Pending => &mut self.failed,
            ChildStatus::TimedOut => &mut self.timed_out,
            ChildStatus::Aborted => &mut self.aborted,
        };
        *count += n;
    }
}

/// A Distributed Map's `ResultWriter`, evaluated when its Map Run started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct WriterWork {
    /// Its `WriterConfig` (`Transformation`, `OutputType`), if it has one.
    pub(super) config: Option<Value>,
    /// Where the results are exported: `(Bucket, Prefix)`, when it has a `Resource`.
    pub(super) export: Option<(String, String)>,
    /// The export under way.
    pub(super) writing: Option<WaitId>,
    /// Why the Map Run failed, when the export under way is that of a failed Map Run: its
    /// answer fails the Map with this error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) failing: Option<Box<Error>>,
}

impl WriterWork {
    /// Whether the children's whole records are needed: for an export, or a `NONE`
    /// transformation of the inline result.
    pub(super) fn needs_records(&self) -> bool {
        self.export.is_some()
            || self.config.as_ref().and_then(|c| c.get("Transformation")).and_then(Value::as_str) == Some("NONE")
    }
}

/// A Distributed Map's tolerated failures. Either limit that is given applies (the Map Run
/// fails when it exceeds either); with neither given, no failure is tolerated (both
/// default to 0). A given count alone does not bring the percentage's default along, or a
/// count would never tolerate anything.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Tolerance {
    /// `ToleratedFailureCount`: failed children beyond it fail the Map Run.
    pub(super) count: Option<u64>,
    /// `ToleratedFailurePercentage`: failed children as a percentage of all items beyond
    /// it fail the Map Run.
    pub(super) percentage: Option<f64>,
}

impl Tolerance {
    /// Whether `failed` failed items out of `total` items exceed the threshold. AWS counts
    /// failed *items* ("the total number of failed or timed out items divided by the total
    /// number of items", Developer Guide, "Tolerated failure threshold for Distributed Map
    /// state"): with an `ItemBatcher`, each item of a failed batch. `total` is `None` while
    /// an `ItemReader` may still hand out items: the percentage is judged once the total
    /// is known, the count at once.
    pub(super) fn exceeded(self, failed: usize, total: Option<usize>) -> bool {
        if self.count.is_none() && self.percentage.is_none() {
            return failed > 0;
        }
        let over_count = self.count.is_some_and(|count| u64::try_from(failed).unwrap_or(u64::MAX) > count);
        let over_percentage = match (self.percentage, total) {
            // `failed > 0` implies `total > 0`.
            (Some(percentage), Some(total)) => failed as f64 * 100.0 / total.max(1) as f64 > percentage,
            _ => false,
        };
        over_count || over_percentage
    }
}

impl Execution {
    /// How the execution ended, or `None` while it runs.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// Makes the execution time out at `at` at the latest, whatever its definition's
    /// `TimeoutSeconds` says (an EXPRESS execution's five minutes): past it, it ends
    /// `TIMED_OUT` as past its own deadline.
    pub fn cap_deadline(&mut self, at: OffsetDateTime) {
        self.deadline = Some(self.deadline.map_or(at, |deadline| deadline.min(at)));
    }

    /// `$$.Execution` of the top-level execution.
    pub fn info(&self) -> &ExecutionInfo {
        &self.run.info
    }

    /// The top-level frame as it stands: where it is, with what input and variables.
    pub(super) fn top_frame(&self) -> TopFrame<'_> {
        let root = &self.run.root;
        TopFrame {
            container: root.container,
            state: root.state,
            entered: !matches!(root.step, Step::Enter),
            input: &root.input,
            variables: &root.variables.0,
            entered_event: root.entered_event,
        }
    }

    /// The execution's history so far (a Distributed Map's child executions have their
    /// own).
    pub fn history(&self) -> &[HistoryEvent] {
        &self.run.history.events
    }

    /// Transitions taken so far, over all frames (a state entered, a task result handled,
    /// a timer that fired: each is one).
    pub fn transitions(&self) -> u64 {
        self.transitions
    }

    /// Stops the execution: status `ABORTED` with `error` and `cause`, as AWS's
    /// `StopExecution` (a no-op if it has already ended). Every state that was running
    /// records its `…StateAborted` event (inner states first; a Map's running iterations
    /// `MapIterationAborted`, a Distributed Map's child executions `ExecutionAborted` and
    /// its Map Run `MapRunAborted`), then the execution `ExecutionAborted`, at `now`.
    pub fn abort(
        &mut self,
        workflow: &super::Workflow,
        error: Option<String>,
        cause: Option<String>,
        now: OffsetDateTime,
    ) {
        if self.outcome.is_some() {
            return;
        }
        self.runnable.clear();
        run_aborted(workflow, &mut self.run, error.as_deref(), cause.as_deref(), now, self.records.as_deref_mut());
        self.outcome = Some(Outcome { status: super::Status::Aborted, output: None, error, cause });
    }

    /// Reads an execution saved with `serde_json::to_string(&execution)`.
    ///
    /// # Errors
    ///
    /// serde's error when `text` is not a saved execution.
    pub fn from_json(text: &str) -> Result<Execution, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Something a frame waits for outside the execution (see [`Execution::waits`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Pending {
    /// A Wait state's timer or a retry delay.
    Timer {
        /// The timer's id.
        id: WaitId,
        /// The frame that waits.
        path: FramePath,
        /// When it fires.
        until: OffsetDateTime,
    },
    /// A Task attempt: its handler, its token, its timeout.
    Task {
        /// The call's id (its timeout timer has the same id).
        id: WaitId,
        /// The frame that waits.
        path: FramePath,
        /// The Task state: its container and its index there.
        state: (u16, u16),
        /// When the attempt times out.
        deadline: Option<OffsetDateTime>,
        /// Its task token.
        token: Option<String>,
        /// Whether its work was handed over (it waits only for the token's outcome).
        submitted: bool,
        /// The state's `HeartbeatSeconds`.
        heartbeat: Option<u64>,
    },
}

impl Execution {
    /// Everything the execution's frames wait for outside it (Task attempts and timers),
    /// frame by frame from the top. Read-only, unlike [`Execution::reissue`], which also
    /// computes each Task's input again.
    pub(crate) fn waits(&self) -> Vec<Pending> {
        let mut waits = Vec::new();
        if self.outcome.is_none() {
            self.run.root.waits(&mut FramePath::new(), &mut waits);
        }
        waits
    }

    /// Hands the history events no sink has had yet to `sink`.
    pub(crate) fn stream_history(&mut self, sink: &dyn crate::sink::HistorySink) {
        let arn = self.run.info.execution_arn();
        self.stream_history_as(sink, &arn);
    }

    /// [`Execution::stream_history`], the execution's ARN given.
    pub(super) fn stream_history_as(&mut self, sink: &dyn crate::sink::HistorySink, arn: &str) {
        let events = &self.run.history.events;
        let from = usize::try_from(self.streamed).unwrap_or(usize::MAX);
        for event in events.get(from..).unwrap_or_default() {
            sink.record(arn, event);
        }
        self.streamed = events.len() as u64;
    }

    /// Whether some frame can take a transition now.
    pub(crate) fn is_runnable(&self) -> bool {
        !self.runnable.is_empty()
    }

    /// Writes the execution into `out` as compact bytes for a runtime that parks it (in the
    /// [compact format](super::compact)), without its top-level [`ExecutionInfo`] (which
    /// the runtime keeps anyway) or anything else that is derived. The bytes live only as
    /// long as the process.
    ///
    /// # Errors
    ///
    /// Why the execution cannot be written (it always can).
    pub(crate) fn to_parked(&self, out: &mut Vec<u8>) -> Result<(), CompactError> {
        compact::write(&ParkedRef { events: &self.run.history, state: self.snapshot_ref() }, out)
    }

    /// The execution [`Execution::to_parked`] wrote, with its `info` back.
    ///
    /// # Errors
    ///
    /// Why `bytes` are not what [`Execution::to_parked`] wrote.
    pub(crate) fn from_parked(bytes: &[u8], info: ExecutionInfo) -> Result<Execution, CompactError> {
        let ParkedOwned { events, state } = compact::from_bytes(bytes)?;
        Execution::assemble(state, info, events.events)
    }
}

/// What a store keeps of a running execution besides its history events and its
/// `$$.Execution` (both of which it stores on their own): [`Execution::to_snapshot`] and
/// [`Execution::from_snapshot`].
impl Execution {
    /// Writes the execution into `out` as a snapshot for a durable store: as
    /// [`Execution::to_parked`], but without the history events (the store has them as
    /// rows, written once each, so a snapshot stays small however long the history).
    ///
    /// # Errors
    ///
    /// Why the execution cannot be written (it always can).
    pub(crate) fn to_snapshot(&self, out: &mut Vec<u8>) -> Result<(), CompactError> {
        compact::write(&self.snapshot_ref(), out)
    }

    /// The execution [`Execution::to_snapshot`] wrote, with its `info` and its history
    /// `events` (in id order) back.
    ///
    /// # Errors
    ///
    /// Why `bytes` are not what [`Execution::to_snapshot`] wrote, or `events` are not the
    /// history it was written with (a different number of them).
    pub(crate) fn from_snapshot(
        bytes: &[u8],
        info: ExecutionInfo,
        events: Vec<HistoryEvent>,
    ) -> Result<Execution, CompactError> {
        Execution::assemble(compact::from_bytes(bytes)?, info, events)
    }

    /// What both forms write: everything but the history events and the info.
    fn snapshot_ref(&self) -> SnapshotRef<'_> {
        let Execution { run, deadline, next_wait, runnable, outcome, transitions, streamed, records: _ } = self;
        let Run { info: _, rng, history, root, context_base: _ } = run;
        SnapshotRef {
            rng,
            detail: history.detail,
            events: history.events.len() as u64,
            root,
            deadline: *deadline,
            next_wait: *next_wait,
            runnable,
            outcome: outcome.as_ref(),
            transitions: *transitions,
            streamed: *streamed,
        }
    }

    /// The execution `state` describes, with its `info` and history `events` back.
    fn assemble(
        state: SnapshotOwned,
        info: ExecutionInfo,
        events: Vec<HistoryEvent>,
    ) -> Result<Execution, CompactError> {
        let SnapshotOwned {
            rng,
            detail,
            events: count,
            root,
            deadline,
            next_wait,
            runnable,
            outcome,
            transitions,
            streamed,
        } = state;
        if events.len() as u64 != count {
            return Err(<CompactError as serde::de::Error>::custom(format!(
                "the snapshot was taken with {count} history events, but {} were given",
                events.len()
            )));
        }
        Ok(Execution {
            run: Run { info, rng, history: History { events, detail }, root, context_base: OnceLock::new() },
            deadline,
            next_wait,
            runnable,
            outcome,
            transitions,
            streamed,
            records: None,
        })
    }
}

/// What [`Execution::to_snapshot`] writes.
#[derive(Serialize)]
struct SnapshotRef<'e> {
    rng: &'e SplitMix64,
    detail: HistoryDetail,
    /// How many history events the execution had.
    events: u64,
    root: &'e Frame,
    #[serde(with = "nanos::option")]
    deadline: Option<OffsetDateTime>,
    next_wait: WaitId,
    runnable: &'e VecDeque<FramePath>,
    outcome: Option<&'e Outcome>,
    transitions: u64,
    streamed: u64,
}

/// [`SnapshotRef`], read back.
#[derive(Deserialize)]
struct SnapshotOwned {
    rng: SplitMix64,
    detail: HistoryDetail,
    events: u64,
    root: Frame,
    #[serde(with = "nanos::option")]
    deadline: Option<OffsetDateTime>,
    next_wait: WaitId,
    runnable: VecDeque<FramePath>,
    outcome: Option<Outcome>,
    transitions: u64,
    streamed: u64,
}

/// What [`Execution::to_parked`] writes: the history events, then what a snapshot holds.
#[derive(Serialize)]
struct ParkedRef<'e> {
    events: &'e History,
    state: SnapshotRef<'e>,
}

/// [`ParkedRef`], read back.
#[derive(Deserialize)]
struct ParkedOwned {
    events: History,
    state: SnapshotOwned,
}

impl Run {
    /// A run that starts `now` with `root`, recording `detail` of each event: its history
    /// holds `ExecutionStarted`.
    pub(super) fn new(
        info: ExecutionInfo,
        rng: SplitMix64,
        mut root: Frame,
        now: OffsetDateTime,
        detail: HistoryDetail,
    ) -> Run {
        let mut history = History::new(detail);
        history.record(&mut root.chain, EventType::ExecutionStarted, now, || {
            Some(EventDetails {
                input: Some(history::shared_text(&info.input)),
                role_arn: Some(info.role_arn()),
                ..EventDetails::default()
            })
        });
        Run { info, rng, history, root, context_base: OnceLock::new() }
    }
}

/// Records that `run` was stopped: its running states' `…Aborted` events, then
/// `ExecutionAborted` with `error` and `cause`.
pub(super) fn run_aborted(
    workflow: &super::Workflow,
    run: &mut Run,
    error: Option<&str>,
    cause: Option<&str>,
    now: OffsetDateTime,
    records: Option<&mut Records>,
) {
    let Run { history, root, info, .. } = run;
    let mut aborted = Aborted { workflow, history, info, records, now };
    aborted.frame(root);
    let Aborted { history, .. } = aborted;
    history.record(&mut root.chain, EventType::ExecutionAborted, now, || {
        Some(EventDetails {
            error: error.map(str::to_owned),
            cause: cause.map(str::to_owned),
            ..EventDetails::default()
        })
    });
}

/// What an execution's abort goes through: its run's history and `$$.Execution`, and the
/// records of the execution, for a runtime that stores its Map Runs and child executions.
struct Aborted<'a, 'r> {
    workflow: &'a super::Workflow,
    history: &'a mut History,
    info: &'a ExecutionInfo,
    records: Option<&'r mut Records>,
    now: OffsetDateTime,
}

impl Aborted<'_, '_> {
    /// Records that `frame`'s current state, and whatever runs inside it, was interrupted.
    fn frame(&mut self, frame: &mut Frame) {
        let (workflow, now) = (self.workflow, self.now);
        let Some(state) =
            workflow.containers.get(usize::from(frame.container)).and_then(|c| c.states.get(usize::from(frame.state)))
        else {
            return;
        };
        match &mut frame.step {
            Step::Enter | Step::Failed => return,
            Step::Working { work: Work::Parallel(children), .. } => {
                for child in children.iter_mut() {
                    if let Child::Frame(branch) = child {
                        self.frame(branch);
                    }
                }
            }
            Step::Working { work: Work::Map(map), .. } => {
                let stored = matches!(&state.kind, crate::machine::StateKind::Map(def)
                    if def.distributed.is_some_and(|d| !d.express))
                    && self.records.as_deref().is_some_and(|records| records.owns(self.info));
                for (index, child) in map.children.iter_mut().enumerate() {
                    match child {
                        Child::Frame(iteration) if iteration.entered_event != 0 => {
                            self.frame(iteration);
                            self.history.record(&mut iteration.chain, EventType::MapIterationAborted, now, || {
                                Some(EventDetails {
                                    name: Some(state.name.into()),
                                    index: Some(index as u64),
                                    ..EventDetails::default()
                                })
                            });
                        }
                        Child::Run(run) => {
                            run_aborted(workflow, run, None, None, now, None);
                            if let (true, Some(records), Some(work)) =
                                (stored, self.records.as_deref_mut(), &map.distributed)
                            {
                                let mut result = ChildResult::ended(&run.info, Ok(Value::Null), now);
                                result.status = crate::map_results::ChildStatus::Aborted;
                                result.output = None;
                                records.child(&work.map_run_arn, &result, &run.history);
                            }
                        }
                        Child::Frame(_) | Child::Done(_) | Child::Ended(_) | Child::Unsuccessful(_) => {}
                    }
                }
                if map.distributed.is_some() {
                    self.history.record(&mut frame.chain, EventType::MapRunAborted, now, || None);
                    let status = crate::map_run::MapRunStatus::Aborted;
                    super::kinds::map_run::ended(self.records.as_deref_mut(), map, self.info, state.name, status, now);
                }
            }
            Step::Waiting { .. } | Step::Working { .. } => {}
        }
        if let Some(kind) = EventType::aborted(&state.kind) {
            self.history.record(&mut frame.chain, kind, now, || None);
        }
    }
}

impl Frame {
    /// A frame about to enter state `state` of `container` with `input`.
    pub(super) fn new(container: u16, state: u16, input: Value, now: OffsetDateTime) -> Frame {
        Frame {
            container,
            state,
            input,
            input_text: TextCache::default(),
            entered: now,
            entered_event: 0,
            chain: Chain::default(),
            variables: Vars::default(),
            step: Step::Enter,
        }
    }

    /// The same frame, its events following on from event `id`.
    pub(super) fn following(mut self, id: u64) -> Frame {
        self.chain = Chain::from(id);
        self
    }

    /// The same frame, seeing `variables`.
    pub(super) fn with_variables(mut self, variables: Vars) -> Frame {
        self.variables = variables;
        self
    }

    /// Appends the ids of everything this frame and the frames below it wait for (to cancel
    /// them when the frame is dropped).
    pub(super) fn pending(&self, out: &mut Vec<WaitId>) {
        match &self.step {
            Step::Enter | Step::Failed => {}
            Step::Waiting { timer, .. } => out.push(*timer),
            Step::Working { work, .. } => match work {
                // A failed attempt's children were cancelled when it failed.
                Work::Start | Work::Done(_) | Work::Failed(_) => {}
                Work::Task { call, .. } => out.push(*call),
                Work::Backoff { timer, .. } => out.push(*timer),
                Work::Parallel(children) => children.iter().for_each(|child| child.pending(out)),
                Work::Map(map) => {
                    map.children.iter().for_each(|child| child.pending(out));
                    if let Some(reader) = map.feed.as_ref().and_then(|feed| feed.reader.as_ref()) {
                        out.push(reader.source);
                        out.extend(reader.pulling);
                    }
                }
            },
        }
    }
}

impl Frame {
    /// Appends what this frame (at `path`) and the frames below it wait for.
    fn waits(&self, path: &mut FramePath, out: &mut Vec<Pending>) {
        let Step::Working { work, heartbeat, .. } = &self.step else {
            if let Step::Waiting { until, timer } = &self.step
                && *timer != FIRED
            {
                out.push(Pending::Timer { id: *timer, path: path.clone(), until: *until });
            }
            return;
        };
        match work {
            Work::Start | Work::Done(_) | Work::Failed(_) => {}
            Work::Task { call, deadline, token, submitted } => out.push(Pending::Task {
                id: *call,
                path: path.clone(),
                state: (self.container, self.state),
                deadline: *deadline,
                token: token.clone(),
                submitted: *submitted,
                heartbeat: *heartbeat,
            }),
            Work::Backoff { until, timer } => {
                if *timer != FIRED {
                    out.push(Pending::Timer { id: *timer, path: path.clone(), until: *until });
                }
            }
            Work::Parallel(children) => Child::waits_of(children, path, out),
            Work::Map(map) => Child::waits_of(&map.children, path, out),
        }
    }
}

impl Child {
    /// [`Frame::waits`] of each of `children`, the children of the frame at `path`.
    fn waits_of(children: &[Child], path: &mut FramePath, out: &mut Vec<Pending>) {
        for (index, child) in children.iter().enumerate() {
            path.push(u32::try_from(index).unwrap_or(u32::MAX));
            match child {
                Child::Frame(frame) => frame.waits(path, out),
                Child::Run(run) => run.root.waits(path, out),
                Child::Done(_) | Child::Ended(_) | Child::Unsuccessful(_) => {}
            }
            path.pop();
        }
    }
}

impl Child {
    /// As [`Frame::pending`].
    pub(super) fn pending(&self, out: &mut Vec<WaitId>) {
        match self {
            Child::Frame(frame) => frame.pending(out),
            Child::Run(run) => run.root.pending(out),
            Child::Done(_) | Child::Ended(_) | Child::Unsuccessful(_) => {}
        }
    }
}

pub(super) use crate::nanos;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;
    use crate::execution::Status;

    const AT: OffsetDateTime = datetime!(2025-05-01 10:00:00.123456789 UTC);

    fn frame(state: u16, step: Step) -> Frame {
        Frame {
            container: 1,
            state,
            input: json!({ "n": state, "list": [1.5, -2, "x"], "nested": { "deep": null } }),
            input_text: TextCache::default(),
            entered: AT,
            entered_event: u64::from(state) + 7,
            chain: Chain { tip: u64::from(state), beside: 1 },
            variables: Vars::default(),
            step,
        }
    }

    fn working(work: Work) -> Step {
        let retries = serde_json::from_value(json!({ "per_retrier": [0, 2], "retry_count": 2 })).unwrap();
        Step::Working { retries, timeout: Some(60), heartbeat: None, work }
    }

    /// An execution with every kind of frame, step and attempt there is, in one tree.
    fn everything() -> Execution {
        let mut history = History::default();
        let mut chain = Chain::default();
        history.record(&mut chain, EventType::ExecutionStarted, AT, || None);
        history.record(&mut chain, EventType::TaskStateEntered, AT + time::Duration::nanoseconds(1), || {
            Some(EventDetails {
                name: Some("Work".into()),
                input: Some("{\"a\":[1,2.5]}".into()),
                assigned_variables: Some([("x".to_owned(), json!("1"))].into_iter().collect()),
                ..EventDetails::default()
            })
        });
        let info = ExecutionInfo::new("machine", "run", AT, json!({ "in": [true] }))
            .with_role_arn("arn:aws:iam::1:role/r")
            .with_redrive(2, AT);
        let child_info = ExecutionInfo::new("machine/map", "child-1", AT, json!(7));
        let child = Run::new(child_info, SplitMix64::new(9), frame(4, Step::Enter), AT, HistoryDetail::TypesOnly);
        let task = |token: Option<&str>, submitted| Work::Task {
            call: 11,
            deadline: Some(AT + time::Duration::seconds(60)),
            token: token.map(str::to_owned),
            submitted,
        };
        let map = MapWork {
            resumed: false,
            feed: None,
            processor: 2,
            children: vec![
                Child::Frame(frame(5, working(task(None, false)))),
                Child::Run(Box::new(child)),
                Child::Done(json!({ "done": 1 })),
            ],
            waiting: [json!(1), json!({ "two": 2 })].into(),
            running: 2,
            limit: 40,
            started_event: 3,
            distributed: Some(DistributedWork {
                machine: "machine/map".to_owned(),
                tolerance: Tolerance { count: Some(3), percentage: Some(12.5) },
                failed: 1,
                map_run_arn: "arn:aws:states:us-east-1:123456789012:mapRun:machine/map:1".to_owned(),
                writer: Some(Box::new(WriterWork {
                    config: Some(json!({ "Transformation": "NONE" })),
                    export: Some(("bucket".to_owned(), "runs".to_owned())),
                    writing: Some(9),
                    failing: None,
                })),
                started: Some(AT),
                max_concurrency: 40,
                tally: Tally {
                    executions_started: 3,
                    items_started: 4,
                    items: EndedCounts { succeeded: 1, failed: 1, timed_out: 0, aborted: 0 },
                    executions: EndedCounts { succeeded: 1, failed: 0, timed_out: 1, aborted: 0 },
                },
                redrive_count: 1,
                redrive_date: Some(AT),
            }),
        };
        let mut variables = Map::new();
        variables.insert("count".to_owned(), json!(3));
        let branches = vec![
            Child::Frame(frame(1, Step::Waiting { until: AT, timer: 4 })),
            Child::Frame(frame(2, working(Work::Backoff { until: AT, timer: FIRED }))),
            Child::Frame(frame(3, working(task(Some(&"ab".repeat(32)), true)))),
            Child::Frame(frame(6, working(Work::Done(Err(Error::new("E", "why")))))),
            Child::Frame(frame(7, working(Work::Done(Err(Error::named("States.Timeout")))))),
            Child::Frame(frame(8, working(Work::Done(Ok(json!([])))))),
            Child::Frame(frame(9, working(Work::Start))),
            Child::Frame(frame(10, working(Work::Map(Box::new(map))))),
            Child::Done(Value::Null),
            Child::Frame(frame(11, Step::Failed)),
            Child::Frame(frame(
                12,
                working(Work::Failed(Box::new(FailedAttempt {
                    error: Error::new("Branch", "failed"),
                    attempt: Work::Parallel(vec![Child::Done(json!(1)), Child::Frame(frame(13, Step::Failed))]),
                }))),
            )),
        ];
        let mut root = frame(0, working(Work::Parallel(branches)));
        root.variables = Vars(Arc::new(variables));
        Execution {
            run: Run { info, rng: SplitMix64::new(5), history, root, context_base: OnceLock::new() },
            deadline: Some(AT + time::Duration::days(365)),
            next_wait: 12,
            runnable: [vec![0], vec![7, 0]].into(),
            outcome: Some(Outcome { status: Status::Failed, output: None, error: Some("E".into()), cause: None }),
            transitions: 99,
            streamed: 2,
            records: None,
        }
    }

    #[test]
    fn the_parked_form_reads_back_exactly() {
        let execution = everything();
        let mut bytes = Vec::new();
        execution.to_parked(&mut bytes).unwrap();
        let back = Execution::from_parked(&bytes, execution.info().clone()).unwrap();
        assert_eq!(back, execution);
        // Instants keep their nanoseconds (the JSON form does too; the info's own serde form
        // keeps milliseconds, which is why the runtime saves it apart).
        assert_eq!(back.run.root.entered, AT);
        // Far smaller than the JSON form, even without the info that JSON includes.
        let json = serde_json::to_vec(&execution).unwrap();
        assert!(bytes.len() * 2 < json.len(), "{} bytes, JSON {}", bytes.len(), json.len());
        // Cut short anywhere, it is refused, not misread.
        for end in 0..bytes.len() {
            assert!(Execution::from_parked(&bytes[..end], execution.info().clone()).is_err(), "prefix {end}");
        }
    }

    #[test]
    fn waits_lists_timers_and_tasks_by_frame_path() {
        let mut execution = everything();
        execution.outcome = None;
        let waits = execution.waits();
        let timer = Pending::Timer { id: 4, path: vec![0], until: AT };
        assert_eq!(waits.first(), Some(&timer));
        // A fired retry delay waits for nothing.
        assert!(!waits.iter().any(|wait| matches!(wait, Pending::Timer { path, .. } if path == &[1])));
        let tasks: Vec<(&FramePath, Option<&str>, bool)> = waits
            .iter()
            .filter_map(|wait| match wait {
                Pending::Task { path, token, submitted, .. } => Some((path, token.as_deref(), *submitted)),
                Pending::Timer { .. } => None,
            })
            .collect();
        let token = "ab".repeat(32);
        assert_eq!(tasks, [(&vec![2], Some(token.as_str()), true), (&vec![7, 0], None, false)]);
        execution.outcome = Some(Outcome { status: Status::Aborted, output: None, error: None, cause: None });
        assert!(execution.waits().is_empty(), "an execution that ended waits for nothing");
    }
}
