//! Transitions: what one step of an [`Execution`] does to it.
//!
//! [`Execution::step`] takes the first runnable frame and moves it once: it enters a state,
//! handles the end of an attempt (a Task's result, a retry delay that passed, Parallel
//! branches or Map iterations that all finished), or finds that the frame must wait. What
//! the step needs from outside — a Task handler to run, a timer to set, a wait to cancel —
//! it leaves in [`Effects`] for the driver. [`Execution::deliver`] records what comes back.
//!
//! This file is the execution's side of it: starting, stepping, ending, delivering. The
//! step itself is a [`Turn`] (`turn.rs`); what each kind of state does is in `kinds/`, how
//! its data flows in `flow/`, what follows an attempt in `recovery.rs`, the events it
//! records in `events.rs`, what it asks of the driver in `effects.rs`.

use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use super::effects::{Effects, Event, later};
use super::events::{run_ended, task_details};
use super::history::{self, Chain, EventDetails, EventType, History, HistoryDetail, TaskEvents};
use super::inspect::{Inspector, StateTest};
use super::kinds::{map, map_run};
use super::state::{Child, Execution, FIRED, Frame, FramePath, Run, Step, Vars, WaitId, Work};
use super::turn::{Turn, state_def};
use super::{Outcome, Status, Workflow};
use crate::context::ExecutionInfo;
use crate::error::{Error, names};
use crate::intrinsics::SplitMix64;
use crate::machine::StateKind;

/// AWS's hard quota of history events per STANDARD execution.
pub const MAX_HISTORY_EVENTS: usize = 25_000;

/// The cause of the `States.Runtime` error an execution fails with at the history limit
/// (AWS's words).
const HISTORY_LIMIT_CAUSE: &str = "The execution reached the maximum number of history events (25000).";

impl Execution {
    /// A new execution of `workflow` with `input`, started `now`, about to enter its start
    /// state. `info` is its `$$.Execution` (its `input` should be `input`). Its history
    /// records every event in full.
    pub fn start(workflow: &Workflow, info: ExecutionInfo, input: Value, now: OffsetDateTime) -> Execution {
        Execution::start_recording(workflow, info, input, now, HistoryDetail::Full)
    }

    /// As [`Execution::start`], its history recording `detail` of each event.
    pub fn start_recording(
        workflow: &Workflow,
        info: ExecutionInfo,
        input: Value,
        now: OffsetDateTime,
        detail: HistoryDetail,
    ) -> Execution {
        let start = workflow.containers.first().map_or(0, |top| top.start);
        let deadline = workflow.timeout_seconds.map(|seconds| later(now, Duration::from_secs(seconds)));
        Execution {
            run: Run::new(info, SplitMix64::from_entropy(), Frame::new(0, start, input, now), now, detail),
            deadline,
            next_wait: FIRED,
            runnable: [FramePath::new()].into(),
            outcome: None,
            transitions: 0,
            streamed: 0,
            records: None,
        }
    }

    /// The execution of a state test (see [`inspect`](super::inspect)): its top frame starts
    /// at the state `test` names (in the workflow it is driven with), with `input` and the
    /// variables `test` gives, `info` as `$$.Execution`, started `now`. It has no
    /// `TimeoutSeconds` (it waits for nothing) and its history records event types only.
    pub(super) fn start_state_test(
        info: ExecutionInfo,
        input: Value,
        now: OffsetDateTime,
        test: &StateTest,
    ) -> Execution {
        let (container, state) = test.at;
        let variables = Vars(std::sync::Arc::new(test.variables.clone()));
        let frame = Frame::new(container, state, input, now).with_variables(variables);
        Execution {
            run: Run::new(info, SplitMix64::from_entropy(), frame, now, HistoryDetail::TypesOnly),
            deadline: None,
            next_wait: FIRED,
            runnable: [FramePath::new()].into(),
            outcome: None,
            transitions: 0,
            streamed: 0,
            records: None,
        }
    }

    /// Ends the execution at once, failed with `error` (a workflow it cannot run).
    pub(super) fn fail(&mut self, error: Error) {
        if self.outcome.is_none() {
            let now = self.run.history.events.last().map_or(OffsetDateTime::UNIX_EPOCH, |event| event.timestamp);
            self.finish(Err(error), now);
        }
    }

    /// Takes one transition of the first runnable frame, at `now`, watched by `inspector`
    /// if it is a state test's (see [`inspect`](super::inspect)). `false` when no frame
    /// can move (all wait for something outside, or the execution has ended).
    pub(super) fn step(
        &mut self,
        workflow: &Workflow,
        now: OffsetDateTime,
        fx: &mut Effects,
        inspector: Option<&mut Inspector>,
    ) -> bool {
        if self.outcome.is_some() {
            return false;
        }
        let Some(path) = self.runnable.pop_front() else { return false };
        self.transitions += 1;
        let Execution { run, next_wait, records, .. } = self;
        let mut turn = Turn::new(workflow, now, &path, next_wait, fx, records.as_deref_mut());
        let end = turn.run(run, 0, inspector);
        self.reorder(path, fx);
        if let Some(end) = end {
            self.finish(end, now);
        }
        self.limit_history(now, fx);
        true
    }

    /// Enforces AWS's hard quota of [`MAX_HISTORY_EVENTS`] per STANDARD execution: event
    /// 25,000 may be `ExecutionSucceeded`; anything else there is replaced by
    /// `ExecutionFailed` (`States.Runtime`), the execution fails, and nothing it asked for
    /// in the meantime is started. EXPRESS executions have no history on AWS, so no limit.
    fn limit_history(&mut self, now: OffsetDateTime, fx: &mut Effects) {
        let events = &self.run.history.events;
        if events.len() < MAX_HISTORY_EVENTS || self.run.info.express_run.is_some() {
            return;
        }
        let ended_in_time = events.len() == MAX_HISTORY_EVENTS && self.outcome.is_some();
        if ended_in_time {
            return;
        }
        let Run { history, root, .. } = &mut self.run;
        history.events.truncate(MAX_HISTORY_EVENTS - 1);
        root.chain = Chain::from(MAX_HISTORY_EVENTS as u64 - 1);
        self.outcome = None;
        fx.requests.clear();
        self.finish(Err(Error::runtime(HISTORY_LIMIT_CAUSE)), now);
    }

    /// Applies a step's queue changes.
    fn reorder(&mut self, path: FramePath, fx: &mut Effects) {
        if !fx.discarded.is_empty() {
            let discarded = &fx.discarded;
            self.runnable.retain(|queued| !discarded.iter().any(|gone| queued.starts_with(gone)));
            fx.discarded.clear();
        }
        while let Some(frame) = fx.front.pop() {
            self.runnable.push_front(frame);
        }
        if std::mem::take(&mut fx.again) {
            self.runnable.push_front(path);
        }
        self.runnable.extend(fx.back.drain(..));
    }

    /// Records how the execution ended.
    fn finish(&mut self, end: Result<Value, Error>, now: OffsetDateTime) {
        self.runnable.clear();
        let Run { history, root, .. } = &mut self.run;
        run_ended(history, &mut root.chain, &end, now);
        self.outcome = Some(match end {
            Ok(output) => Outcome { status: Status::Succeeded, output: Some(output), error: None, cause: None },
            Err(e) => Outcome {
                status: Status::Failed,
                output: None,
                // A Fail state without `Error` leaves the name empty: AWS then reports no error.
                error: (!e.name.is_empty()).then(|| e.reported_name().to_string()),
                cause: e.cause,
            },
        });
    }

    /// Ends the execution because its `TimeoutSeconds` passed (status `TIMED_OUT`; as in
    /// AWS's `DescribeExecution`, no error or cause).
    pub(super) fn time_out(&mut self, now: OffsetDateTime) {
        self.runnable.clear();
        let Run { history, root, .. } = &mut self.run;
        history.record(&mut root.chain, EventType::ExecutionTimedOut, now, || {
            Some(EventDetails { error: Some(names::TIMEOUT.to_owned()), ..EventDetails::default() })
        });
        self.outcome = Some(Outcome { status: Status::TimedOut, output: None, error: None, cause: None });
    }

    /// Whether the execution's `TimeoutSeconds` has passed at `now`.
    pub(super) fn timed_out_at(&self, now: OffsetDateTime) -> bool {
        self.deadline.is_some_and(|deadline| now >= deadline)
    }

    /// When the execution's `TimeoutSeconds` runs out.
    pub(crate) fn deadline(&self) -> Option<OffsetDateTime> {
        self.deadline
    }

    /// Records what happened to wait `id` of the frame at `path` (its event counts toward
    /// the history limit when the frame next steps). `false` when no frame waits for it any
    /// more (the event is stale and changes nothing).
    pub(super) fn deliver(
        &mut self,
        workflow: &Workflow,
        now: OffsetDateTime,
        path: &[u32],
        id: WaitId,
        event: Event,
    ) -> bool {
        if self.outcome.is_some() {
            return false;
        }
        let Execution { run, records, .. } = self;
        let Some((frame, history, info)) = frame_at(run, path) else { return false };
        let resource = match state_def(workflow, frame.container, frame.state).map(|state| &state.kind) {
            Ok(StateKind::Task(task)) => task.resource,
            _ => "",
        };
        let events = TaskEvents::of(resource);
        let chain = &mut frame.chain;
        let accepted = match (&mut frame.step, event) {
            (Step::Waiting { timer, .. }, Event::Timer) if *timer == id => {
                *timer = FIRED;
                true
            }
            (Step::Working { work: Work::Backoff { timer, .. }, .. }, Event::Timer) if *timer == id => {
                *timer = FIRED;
                true
            }
            (
                Step::Working { work: Work::Task { call, submitted, .. }, .. },
                handed @ (Event::Submitted(_) | Event::Started(_)),
            ) if *call == id => {
                match handed {
                    Event::Submitted(output) => history.record(chain, EventType::TaskSubmitted, now, || {
                        let output = Some(history::shared_text(&output));
                        Some(EventDetails { output, ..task_details(resource, events.family) })
                    }),
                    Event::Started(worker) => history.record(chain, EventType::ActivityStarted, now, || {
                        let worker_name = worker.map(String::from);
                        worker_name.is_some().then(|| EventDetails { worker_name, ..EventDetails::default() })
                    }),
                    _ => history.record(chain, EventType::ActivityStarted, now, || None),
                };
                *submitted = true;
                // Still waiting, for the token's outcome now.
                return true;
            }
            (Step::Working { work, .. }, event) if matches!(&*work, Work::Task { call, .. } if *call == id) => {
                let result = match event {
                    Event::Result(result) => result,
                    Event::Timer | Event::Submitted(_) | Event::Started(_) => Err(Error::named(names::TIMEOUT)),
                    // (Only a Map waits for items: nothing sends them to a Task.)
                    Event::Items(_) => Err(Error::runtime("a Task state was sent a Distributed Map's items")),
                };
                let kind = match &result {
                    Ok(_) => events.succeeded,
                    Err(error) if error.name == names::TIMEOUT || error.name == names::HEARTBEAT_TIMEOUT => {
                        events.timed_out
                    }
                    Err(_) => events.failed,
                };
                history.record(chain, kind, now, || {
                    let details = task_details(resource, events.family);
                    Some(match &result {
                        Ok(output) => EventDetails { output: Some(history::shared_text(output)), ..details },
                        Err(error) => EventDetails {
                            error: Some(error.reported_name().to_string()),
                            cause: error.cause.clone(),
                            ..details
                        },
                    })
                });
                *work = Work::Done(result);
                true
            }
            (Step::Working { work, .. }, Event::Result(result)) if matches!(&*work, Work::Map(map) if map.exporting() == Some(id)) =>
            {
                let name = state_def(workflow, frame.container, frame.state).map_or("", |state| state.name);
                let failing = match &mut *work {
                    Work::Map(map) => {
                        map.distributed.as_mut().and_then(|d| d.writer.as_deref_mut()).and_then(|writer| {
                            writer.writing = None;
                            writer.failing.take()
                        })
                    }
                    _ => None,
                };
                if let Some(error) = failing {
                    // The result files of a Map Run that failed: it fails now.
                    let end = (records.as_deref_mut(), info, name);
                    map_run::failed_export_ended(history, chain, work, *error, end, now);
                } else {
                    if let Work::Map(map) = &*work {
                        map_run::export_ended(map, records.as_deref_mut(), info, name, result.is_ok(), now);
                    }
                    *work = map::exported(history, chain, now, result);
                }
                true
            }
            (Step::Working { work: Work::Map(map), .. }, Event::Items(items)) => {
                match map.feed.as_mut().and_then(|feed| feed.reader.as_mut()).filter(|r| r.pulling == Some(id)) {
                    Some(reader) => {
                        reader.pulling = None;
                        reader.arrived = Some(items);
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        };
        if accepted {
            self.runnable.push_front(path.to_vec());
        }
        accepted
    }

    /// The handlers and timers the frames wait for, to start them again in a new driver
    /// (after the execution was saved and restored). A Task attempt's effective input is
    /// computed again from the state's input.
    pub(super) fn reissue(&mut self, workflow: &Workflow, now: OffsetDateTime, fx: &mut Effects) {
        if self.outcome.is_some() {
            return;
        }
        let mut path = FramePath::new();
        let Execution { run, next_wait, .. } = self;
        let mut turn = Turn::new(workflow, now, &[], next_wait, fx, None);
        turn.reissue_run(run, &mut path);
        let again = std::mem::take(&mut fx.front);
        for frame in again {
            self.runnable.push_back(frame);
        }
    }
}

/// The frame at `path` in `run`, with its run's history and `$$.Execution`.
fn frame_at<'r>(run: &'r mut Run, path: &[u32]) -> Option<(&'r mut Frame, &'r mut History, &'r ExecutionInfo)> {
    let Run { history, root, info, .. } = run;
    let mut frame = root;
    let mut events = history;
    let mut owner = &*info;
    for &index in path {
        let Step::Working { work, .. } = &mut frame.step else { return None };
        let child = match work {
            Work::Parallel(children) => children.get_mut(index as usize),
            Work::Map(map) => map.children.get_mut(index as usize),
            _ => None,
        }?;
        match child {
            Child::Frame(child) => frame = child,
            Child::Run(run) => {
                let Run { history: run_history, root, info, .. } = &mut **run;
                events = run_history;
                frame = root;
                owner = info;
            }
            Child::Done(_) | Child::Ended(_) | Child::Unsuccessful(_) => return None,
        }
    }
    Some((frame, events, owner))
}
