//! The timer and task-token rows a durable execution keeps in its store beside its
//! snapshot: what it waits for, in a form anyone can query (`sqlite3 asl.db 'select * from
//! task_tokens where open'`), and that a later reader (the API's view of an execution's
//! open tokens, a store that wakes timers itself) can use without reading snapshots.
//!
//! The snapshot stays the one source of truth for recovery; the rows follow it. Each
//! commit carries the changes since the previous commit: timers set, moved or cleared,
//! tokens opened or closed. What they hold:
//!
//! - timers: the execution's own deadline (`TimeoutSeconds`, Express's five minutes), each
//!   Wait state's and retry delay's, each Task attempt's `TimeoutSeconds`. (Heartbeat
//!   deadlines are not committed: see `docs/execution-model.md`.)
//! - task tokens: those of `.waitForTaskToken` tasks and activities, open while their
//!   attempt waits, closed once it ended.
//! - activity tasks: scheduled with their input when the attempt is dispatched, claimed
//!   when a worker took it (`ActivityStarted`), deleted with their token.

use time::OffsetDateTime;

use serde_json::Value;

use crate::execution::{Execution, Pending, WaitId, Workflow};
use crate::machine::{Callback, StateKind};
use crate::store::{ActivityClaim, Commit, NewActivityTask, Timer, TokenOpen};

/// Which kind of timer a row is: the first byte of its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum TimerKind {
    /// The execution's deadline.
    Execution = 0,
    /// A Wait state or a retry delay.
    Wait = 1,
    /// A Task attempt's `TimeoutSeconds`.
    TaskTimeout = 2,
}

/// One timer row: its kind, the wait it ends, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TimerRow {
    kind: TimerKind,
    wait: WaitId,
    deadline: OffsetDateTime,
}

impl TimerRow {
    /// The row's key: its kind, then its wait id (little-endian).
    fn key(&self) -> Vec<u8> {
        let mut key = Vec::with_capacity(9);
        key.push(self.kind as u8);
        key.extend_from_slice(&self.wait.to_le_bytes());
        key
    }

    fn same_timer(&self, other: &TimerRow) -> bool {
        self.kind == other.kind && self.wait == other.wait
    }
}

/// An execution's timer and token rows as of one commit. Small: a parked execution keeps
/// the last one (empty boxes allocate nothing).
#[derive(Debug, Default)]
pub(super) struct Rows {
    timers: Box<[TimerRow]>,
    /// Open tokens and the wait each answers.
    tokens: Box<[(WaitId, Box<str>)]>,
    /// Activity tasks waiting for or held by a worker.
    activities: Box<[ActivityRow]>,
}

/// An activity task of the execution.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ActivityRow {
    /// The wait its attempt is.
    wait: WaitId,
    /// Its activity's ARN.
    activity: &'static str,
    /// Its task token.
    token: Box<str>,
    /// Whether a worker took it.
    claimed: bool,
}

impl Rows {
    /// What `execution` (of `workflow`) waits for now (nothing once it has ended).
    pub(super) fn of(execution: &Execution, workflow: &Workflow) -> Rows {
        if execution.outcome().is_some() {
            return Rows::default();
        }
        let mut timers = Vec::new();
        let mut tokens = Vec::new();
        let mut activities = Vec::new();
        if let Some(deadline) = execution.deadline() {
            timers.push(TimerRow { kind: TimerKind::Execution, wait: 0, deadline });
        }
        for pending in execution.waits() {
            match pending {
                Pending::Timer { id, until, .. } => {
                    timers.push(TimerRow { kind: TimerKind::Wait, wait: id, deadline: until });
                }
                Pending::Task { id, deadline, token, state, submitted, .. } => {
                    if let Some(deadline) = deadline {
                        timers.push(TimerRow { kind: TimerKind::TaskTimeout, wait: id, deadline });
                    }
                    if let Some(token) = token {
                        if let Some(activity) = activity_of(workflow, state) {
                            let token = token.clone().into_boxed_str();
                            activities.push(ActivityRow { wait: id, activity, token, claimed: submitted });
                        }
                        tokens.push((id, token.into_boxed_str()));
                    }
                }
            }
        }
        Rows {
            timers: timers.into_boxed_slice(),
            tokens: tokens.into_boxed_slice(),
            activities: activities.into_boxed_slice(),
        }
    }

    /// Adds to `commit` what changes from `self` (the rows of the previous commit) to
    /// `next`, at `now`. `inputs` are the effective inputs of the activity tasks dispatched
    /// since (their rows are scheduled with them).
    pub(super) fn changes<'i>(
        &self,
        next: &mut Rows,
        inputs: impl Iterator<Item = (WaitId, &'i Value)> + Clone,
        now: OffsetDateTime,
        commit: &mut Commit,
    ) {
        for timer in next.timers.iter() {
            if !self.timers.contains(timer) {
                commit.timers_set.push(Timer { key: timer.key(), deadline: timer.deadline });
            }
        }
        for timer in self.timers.iter() {
            if !next.timers.iter().any(|t| t.same_timer(timer)) {
                commit.timers_cleared.push(timer.key());
            }
        }
        for (wait, token) in next.tokens.iter() {
            if !self.tokens.iter().any(|(_, open)| open == token) {
                commit.tokens_opened.push(TokenOpen { token: token.to_string(), wait: wait.to_le_bytes().to_vec() });
            }
        }
        for (_, token) in self.tokens.iter() {
            if !next.tokens.iter().any(|(_, open)| open == token) {
                commit.tokens_closed.push(token.to_string());
            }
        }
        // Closing a token deletes its activity task; the others are scheduled, then claimed.
        let mut unknown = Vec::new();
        for task in next.activities.iter() {
            let before = self.activities.iter().find(|before| before.token == task.token);
            if before.is_none() {
                let Some((_, input)) = inputs.clone().find(|(wait, _)| *wait == task.wait) else {
                    // Dispatched before the execution was read back: its row is stored
                    // already, or was never written (a store written by an older runtime).
                    unknown.push(task.token.clone());
                    continue;
                };
                commit.activity_tasks_added.push(NewActivityTask {
                    activity_arn: task.activity.to_owned(),
                    task_token: task.token.to_string(),
                    input: input.to_string(),
                    scheduled: now,
                });
            }
            if task.claimed && before.is_none_or(|before| !before.claimed) {
                // The worker's name is in the history's `ActivityStarted` event; the claim row,
                // computed from the execution's waits, does not carry it.
                let claim =
                    ActivityClaim { task_token: task.token.to_string(), worker_name: String::new(), claimed: now };
                commit.activity_tasks_claimed.push(claim);
            }
        }
        // Tasks whose rows this runtime did not write are not claimed through it either.
        if !unknown.is_empty() {
            commit.activity_tasks_claimed.retain(|claim| !unknown.iter().any(|token| **token == *claim.task_token));
            let mut activities = std::mem::take(&mut next.activities).into_vec();
            activities.retain(|task| !unknown.contains(&task.token));
            next.activities = activities.into_boxed_slice();
        }
    }
}

/// The activity ARN of the Task state `(container, state)` of `workflow`, if it is an
/// activity.
fn activity_of(workflow: &Workflow, (container, state): (u16, u16)) -> Option<&'static str> {
    let state = workflow.containers.get(usize::from(container))?.states.get(usize::from(state))?;
    match &state.kind {
        StateKind::Task(task) if task.callback() == Callback::Activity => Some(task.resource),
        _ => None,
    }
}
