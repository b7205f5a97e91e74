//! Redrive: an execution that ended unsuccessfully, taken back to where it stopped (AWS's
//! `RedriveExecution`, Developer Guide "Restarting state machine executions with redrive").
//!
//! An execution that failed, timed out or was stopped keeps, in its frames, where each
//! container was when it ended: the state that failed (marked [`Step::Failed`] if it failed
//! as it was entered), the Parallel or Map state whose branch or iteration failed with its
//! attempt kept (see [`Work::Failed`]), the states that were interrupted. [`Execution::redrive`]
//! walks that tree and makes the execution run again from there:
//!
//! - the history goes on with `ExecutionRedriven` (its `redriveCount`), and
//!   `$$.Execution.RedriveCount` and `RedriveTime` change;
//! - a state that did not finish (a Task, Wait, Pass, Choice, Fail…) is entered again, with
//!   the input its Entered event recorded, retry counters at 0 and its `TimeoutSeconds`
//!   starting again; a Task is scheduled again, a Fail state fails again, a Wait whose
//!   timestamp has passed goes straight on;
//! - a state whose Task had returned its result, but which a failure elsewhere stopped
//!   before it went on (a Parallel branch or Map iteration beside the one that failed), goes
//!   on with that result: its Task does not run again;
//! - a Parallel or inline Map state whose branches or iterations did not all finish is
//!   entered again (`…StateEntered`, `…StateStarted`, its retry counters at 0): those that
//!   succeeded keep their output and do not run again, the others are redriven the same way
//!   (from the state where each stopped), and a Map's items that never started start as
//!   before. One that failed with `States.DataLimitExceeded` runs again whole, as AWS does;
//! - a Distributed Map's Map Run goes on, as AWS redrives a Map Run (`MapRunRedriven`, the
//!   same Map Run ARN): its child executions that failed, timed out or were stopped are
//!   redriven like executions (`ExecutionRedriven` in their own histories, from where each
//!   stopped), those that succeeded keep their results, the items that never started start,
//!   and a reader that was stopped reads on after the items it took;
//! - states that succeeded are not run again: they are not in the tree any more;
//! - the state machine's `TimeoutSeconds` starts again at the redrive.
//!
//! What AWS allows is checked first ([`redrivability`]): not a running or succeeded
//! execution, not an EXPRESS one, fewer than 24,999 history events, within 14 days of its
//! end and a year of its start.

use std::collections::VecDeque;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use super::effects::later;
use super::history::{self, Chain, EventDetails, EventType, History};
use super::state::{Child, EndedCounts, Execution, Frame, FramePath, MapWork, Run, Step, Work};
use super::turn::state_def;
use super::{Status, Workflow};
use crate::error::names;
use crate::machine::StateDef;
use crate::retry::RetryState;

/// How long after its end an execution can be redriven: 14 days.
pub const REDRIVABLE_PERIOD: Duration = Duration::from_secs(14 * 24 * 3600);

/// How long after its start an execution can be redriven: a year, the longest a STANDARD
/// execution may be open (taken as 365 days).
pub const MAX_EXECUTION_TIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// An execution with this many history events or more cannot be redriven: there would be
/// no room for `ExecutionRedriven` and at least one more event under AWS's 25,000.
pub const REDRIVE_HISTORY_LIMIT: usize = 24_999;

/// Why an execution cannot be redriven. [`NotRedrivable::reason`] is AWS's
/// `redriveStatusReason` for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotRedrivable {
    /// It has not ended.
    Running,
    /// It succeeded.
    Succeeded,
    /// It is an EXPRESS execution (AWS redrives STANDARD executions only).
    Express,
    /// Its history has [`REDRIVE_HISTORY_LIMIT`] events or more.
    HistoryLimit,
    /// It started more than [`MAX_EXECUTION_TIME`] ago.
    MaxExecutionTime,
    /// It ended more than [`REDRIVABLE_PERIOD`] ago.
    RedrivablePeriod,
    /// Its state machine is gone (a runtime has no workflow registered under its name).
    StateMachineDeleted,
    /// It is a child execution of a Distributed Map's Map Run: it runs again when its
    /// parent execution is redriven.
    MapRunChild,
}

impl NotRedrivable {
    /// AWS's `redriveStatusReason` (`DescribeExecution`), which asl-rs also gives as the
    /// message of `ExecutionNotRedrivable`. [`NotRedrivable::Express`] has no reason in
    /// AWS's list (an Express execution is never described); its text is asl-rs's.
    pub fn reason(self) -> &'static str {
        match self {
            NotRedrivable::Running => "Execution is RUNNING and cannot be redriven",
            NotRedrivable::Succeeded => "Execution is SUCCEEDED and cannot be redriven",
            NotRedrivable::Express => "Execution of an EXPRESS state machine cannot be redriven",
            NotRedrivable::HistoryLimit => "Execution history event limit exceeded",
            NotRedrivable::MaxExecutionTime => "Execution has exceeded the max execution time",
            NotRedrivable::RedrivablePeriod => "Execution redrivable period exceeded",
            NotRedrivable::StateMachineDeleted => "State machine is in DELETING status",
            NotRedrivable::MapRunChild => {
                "Execution is a child workflow execution of a Map Run; redrive the execution that started the Map Run"
            }
        }
    }
}

impl std::fmt::Display for NotRedrivable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for NotRedrivable {}

/// Whether an execution can be redriven at `now`: one whose end is `status` (`None` while
/// it runs), EXPRESS or not, started at `start` and stopped at `stop`, with `events` history
/// events. The checks go in this order: status, type, history, open time, redrivable period.
///
/// # Errors
///
/// The first reason it cannot.
pub fn redrivability(
    status: Option<Status>,
    express: bool,
    start: OffsetDateTime,
    stop: Option<OffsetDateTime>,
    events: usize,
    now: OffsetDateTime,
) -> Result<(), NotRedrivable> {
    match status {
        None => return Err(NotRedrivable::Running),
        Some(Status::Succeeded) => return Err(NotRedrivable::Succeeded),
        Some(Status::Failed | Status::TimedOut | Status::Aborted) => {}
    }
    if express {
        return Err(NotRedrivable::Express);
    }
    if events >= REDRIVE_HISTORY_LIMIT {
        return Err(NotRedrivable::HistoryLimit);
    }
    if now > later(start, MAX_EXECUTION_TIME) {
        return Err(NotRedrivable::MaxExecutionTime);
    }
    if stop.is_some_and(|stop| now > later(stop, REDRIVABLE_PERIOD)) {
        return Err(NotRedrivable::RedrivablePeriod);
    }
    Ok(())
}

impl Execution {
    /// Whether the execution can be [redriven](Execution::redrive) at `now` (see
    /// [`redrivability`]; it stopped at its last event).
    ///
    /// # Errors
    ///
    /// Why it cannot.
    pub fn redrivable(&self, now: OffsetDateTime) -> Result<(), NotRedrivable> {
        let events = &self.run.history.events;
        redrivability(
            self.outcome.as_ref().map(|outcome| outcome.status),
            self.run.info.express_run.is_some(),
            self.run.info.start_time,
            events.last().map(|event| event.timestamp),
            events.len(),
            now,
        )
    }

    /// Redrives the execution at `now` (AWS's `RedriveExecution`): takes it, failed, timed
    /// out or stopped, back to where it stopped, running again. A state that did not finish
    /// is entered again with the input its Entered event recorded, its retry counters at 0
    /// (a Task runs again, a Fail state fails again, a Wait waits again unless its timestamp
    /// has passed); a Parallel or inline Map state whose branches or iterations did not all
    /// finish is entered again keeping the outputs of those that did, and the others are
    /// redriven the same way (a Map's items that never started start as before; a
    /// Distributed Map's Map Run goes on with its unsuccessful child executions); one that
    /// failed with `States.DataLimitExceeded` runs again whole.
    /// States that succeeded do not run again. The execution's `TimeoutSeconds` counts
    /// again from `now`.
    ///
    /// A state's input comes from its Entered event's details: an execution whose history
    /// records event types only ([`HistoryDetail::TypesOnly`](super::HistoryDetail)) enters
    /// it again with the frame's own copy, which a state that failed as it was entered (an
    /// `InputPath` that selects nothing, say) may have used up.
    ///
    /// Its history goes on with `ExecutionRedriven` (its `redriveCount`), the Entered and
    /// Started events of the Parallel and Map states it resumes, then whatever a driver
    /// runs; `$$.Execution.RedriveCount` counts one more and `RedriveTime` is `now`.
    ///
    /// # Errors
    ///
    /// Why it cannot be redriven ([`Execution::redrivable`]); it is left as it was.
    pub fn redrive(&mut self, workflow: &Workflow, now: OffsetDateTime) -> Result<(), NotRedrivable> {
        self.redrivable(now)?;
        run_redriven(&mut self.run, now);
        let Run { history, root, .. } = &mut self.run;
        let mut again = Again { workflow, history, now, queue: VecDeque::new() };
        again.frame(root, &mut FramePath::new(), None);
        self.runnable = again.queue;
        self.deadline = workflow.timeout_seconds.map(|seconds| later(now, Duration::from_secs(seconds)));
        self.outcome = None;
        // AWS counts a redrive as a state transition.
        self.transitions += 1;
        Ok(())
    }
}

/// One redrive's walk down the frames of the execution.
struct Again<'a> {
    workflow: &'a Workflow,
    /// The execution's history.
    history: &'a mut History,
    now: OffsetDateTime,
    /// The frames to run, in the order they run.
    queue: VecDeque<FramePath>,
}

impl Again<'_> {
    /// Takes `frame` (at `path`) back to where it stopped: entered again, or, a Parallel or
    /// inline Map with unfinished children, resumed. `iteration` is the Map state's name and
    /// the item's index when the frame is an inline Map iteration.
    fn frame(&mut self, frame: &mut Frame, path: &mut FramePath, iteration: Option<(&'static str, usize)>) {
        let Ok(state) = state_def(self.workflow, frame.container, frame.state) else {
            // A workflow that does not have the state: entering it fails the execution again.
            return self.enter(frame, path, iteration);
        };
        let kept = match std::mem::replace(&mut frame.step, Step::Enter) {
            // Not entered yet: its input is the one it had.
            Step::Enter => return self.enter(frame, path, iteration),
            Step::Working { work: Work::Failed(failed), .. } => {
                // Stopped before the failure was settled.
                let whole = failed.error.name == names::DATA_LIMIT_EXCEEDED;
                (!whole).then_some(failed.attempt)
            }
            Step::Working { work: Work::Done(Ok(result)), timeout, heartbeat, .. } => {
                // Its Task's result had come (its `…Succeeded` event is in the history), but
                // a failure elsewhere stopped the frame before it went on: it goes on now
                // with that result, and the Task does not run again.
                let work = Work::Done(Ok(result));
                frame.step = Step::Working { retries: RetryState::new(), timeout, heartbeat, work };
                if let Some((map_name, index)) = iteration {
                    self.iteration_started(frame, map_name, index);
                }
                self.queue.push_back(path.clone());
                return;
            }
            Step::Working { work, .. } => Some(work),
            Step::Waiting { .. } | Step::Failed => None,
        };
        // Entered: its input may have been used up since, and its Entered event has it.
        if let Some(input) = entered_input(self.history, frame, state) {
            frame.input = input;
        }
        match kept.filter(has_unfinished_children) {
            Some(work) => self.resume(frame, state, work, path, iteration),
            None => self.enter(frame, path, iteration),
        }
    }

    /// Queues `frame` (at `path`) to enter its state again.
    fn enter(&mut self, frame: &mut Frame, path: &FramePath, iteration: Option<(&'static str, usize)>) {
        frame.step = Step::Enter;
        if iteration.is_some() {
            // The iteration records `MapIterationStarted` again when it takes its first step.
            frame.entered_event = 0;
        }
        self.queue.push_back(path.clone());
    }

    /// Enters `frame`'s Parallel or Map `state` again with the attempt `work`, whose
    /// finished branches or iterations are kept, and redrives the others.
    fn resume(
        &mut self,
        frame: &mut Frame,
        state: &'static StateDef,
        mut work: Work,
        path: &mut FramePath,
        iteration: Option<(&'static str, usize)>,
    ) {
        let now = self.now;
        if let Some((map_name, index)) = iteration {
            self.iteration_started(frame, map_name, index);
        }
        frame.entered = now;
        let input = &frame.input;
        frame.entered_event = self.history.record(&mut frame.chain, EventType::entered(&state.kind), now, || {
            Some(EventDetails {
                name: Some(state.name.into()),
                input: Some(history::shared_text(input)),
                ..EventDetails::default()
            })
        });
        match &mut work {
            Work::Parallel(children) => {
                let started = self.history.record(&mut frame.chain, EventType::ParallelStateStarted, now, || None);
                self.children(children, started, path, None);
            }
            Work::Map(map) => {
                let length = (map.children.len() + map.waiting.len()) as u64;
                map.started_event = self.history.record(&mut frame.chain, EventType::MapStateStarted, now, || {
                    Some(EventDetails { length: Some(length), ..EventDetails::default() })
                });
                if map.distributed.is_some() {
                    self.map_run(frame, map, path);
                } else {
                    map.running = map.children.iter().filter(|child| matches!(child, Child::Frame(_))).count();
                    self.children(&mut map.children, map.started_event, path, Some(state.name));
                }
            }
            _ => {}
        }
        frame.step = Step::Working { retries: RetryState::new(), timeout: None, heartbeat: None, work };
    }

    /// Takes up the Map Run of the Distributed Map `map` (of `frame`, at `path`), as AWS
    /// redrives a Map Run: the same Map Run goes on (`MapRunRedriven`, its redrive count
    /// and date); the child executions that failed, timed out or were stopped are redriven
    /// as executions are, from where each stopped, under their ARNs; those that succeeded
    /// keep their results; the items that never started start, and a reader that was
    /// stopped reads on. Its failures are counted afresh.
    fn map_run(&mut self, frame: &mut Frame, map: &mut MapWork, path: &mut FramePath) {
        let now = self.now;
        let Some(work) = map.distributed.as_mut() else { return };
        work.redrive_count = work.redrive_count.saturating_add(1);
        work.redrive_date = Some(now);
        work.failed = 0;
        for ended in [&mut work.tally.items, &mut work.tally.executions] {
            *ended = EndedCounts { succeeded: ended.succeeded, ..EndedCounts::default() };
        }
        if let Some(writer) = work.writer.as_deref_mut() {
            writer.writing = None;
            writer.failing = None;
        }
        let (arn, count) = (work.map_run_arn.clone(), u64::from(work.redrive_count));
        self.history.record(&mut frame.chain, EventType::MapRunRedriven, now, || {
            Some(EventDetails { map_run_arn: Some(arn), redrive_count: Some(count), ..EventDetails::default() })
        });
        if let Some(reader) = map.feed.as_deref_mut().and_then(|feed| feed.reader.as_mut())
            && reader.stopped
        {
            reader.stopped = false;
            reader.exhausted = false;
            reader.pulling = None;
            reader.arrived = None;
        }
        for (index, child) in map.children.iter_mut().enumerate() {
            let run = match std::mem::replace(child, Child::Done(serde_json::Value::Null)) {
                Child::Unsuccessful(unsuccessful) => Box::new(unsuccessful.run),
                Child::Run(run) => run,
                finished => {
                    *child = finished;
                    continue;
                }
            };
            *child = Child::Run(run);
            let Child::Run(run) = child else { continue };
            path.push(u32::try_from(index).unwrap_or(u32::MAX));
            self.child_run(run, path);
            path.pop();
        }
        map.running = map.children.iter().filter(|child| matches!(child, Child::Run(_))).count();
        // Woken once to start the items waiting and read on (and, with nothing left to
        // run, to end).
        map.resumed = true;
        self.queue.push_back(path.clone());
    }

    /// Redrives the child execution `run` (at `path`) as [`Execution::redrive`] does an
    /// execution: `ExecutionRedriven` in its history, its redrive count and time, and its
    /// frames taken back to where they stopped.
    fn child_run(&mut self, run: &mut Run, path: &mut FramePath) {
        let now = self.now;
        run_redriven(run, now);
        let Run { history, root, .. } = run;
        let queue = std::mem::take(&mut self.queue);
        let mut again = Again { workflow: self.workflow, history, now, queue };
        again.frame(root, path, None);
        self.queue = again.queue;
    }

    /// Records that `frame`, iteration `index` of the Map state `map_name`, starts again
    /// (for an iteration that does not enter a state first, which would record it).
    fn iteration_started(&mut self, frame: &mut Frame, map_name: &'static str, index: usize) {
        self.history.record(&mut frame.chain, EventType::MapIterationStarted, self.now, || {
            Some(EventDetails { name: Some(map_name.into()), index: Some(index as u64), ..EventDetails::default() })
        });
    }

    /// Redrives the unfinished ones of `children` (of the frame at `path`, whose attempt
    /// started with event `started`); those of the Map state `map_name` are iterations.
    fn children(&mut self, children: &mut [Child], started: u64, path: &mut FramePath, map_name: Option<&'static str>) {
        for (index, child) in children.iter_mut().enumerate() {
            let Child::Frame(child) = child else { continue };
            child.chain = Chain::from(started);
            path.push(u32::try_from(index).unwrap_or(u32::MAX));
            self.frame(child, path, map_name.map(|name| (name, index)));
            path.pop();
        }
    }
}

/// Records that `run` (an execution, or a Distributed Map's child execution) is redriven
/// at `now`: one more redrive in its `$$.Execution` (`RedriveCount`, `RedriveTime`) and
/// `ExecutionRedriven` in its history.
fn run_redriven(run: &mut Run, now: OffsetDateTime) {
    let Run { info, history, root, context_base, .. } = run;
    let count = info.redrive_count.saturating_add(1);
    info.redrive_count = count;
    info.redrive_time = Some(now.truncate_to_millisecond());
    // `$$.Execution` changed.
    *context_base = OnceLock::new();
    // After the run's last event (its end), not past it as its chain would link.
    root.chain = Chain::from(history.events.len() as u64);
    history.record(&mut root.chain, EventType::ExecutionRedriven, now, || {
        Some(EventDetails { redrive_count: Some(u64::from(count)), ..EventDetails::default() })
    });
}

/// Whether `work` is a Parallel or inline Map attempt with branches or iterations that did
/// not finish: one a redrive resumes rather than running the state again whole.
fn has_unfinished_children(work: &Work) -> bool {
    let children = match work {
        Work::Parallel(children) => children,
        Work::Map(map) if map.distributed.is_none() => &map.children,
        // A Map Run is always taken up, never started again.
        Work::Map(_) => return true,
        _ => return false,
    };
    children.iter().any(|child| matches!(child, Child::Frame(_)))
}

/// The input of `frame`'s current state as its Entered event recorded it (`None` if the
/// history keeps no details, or the event is not that state's).
fn entered_input(history: &History, frame: &Frame, state: &StateDef) -> Option<Value> {
    let index = usize::try_from(frame.entered_event.checked_sub(1)?).ok()?;
    let event = history.events.get(index)?;
    let details = event.details.as_deref()?;
    if event.kind != EventType::entered(&state.kind) || details.name.as_deref() != Some(state.name) {
        return None;
    }
    serde_json::from_str(details.input.as_deref()?).ok()
}

#[cfg(test)]
mod tests;
