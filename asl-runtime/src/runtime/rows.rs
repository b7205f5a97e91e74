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

use time::OffsetDateTime;

use crate::execution::{Execution, Pending, WaitId};
use crate::store::{Commit, Timer, TokenOpen};

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
}

impl Rows {
    /// What `execution` waits for now (nothing once it has ended).
    pub(super) fn of(execution: &Execution) -> Rows {
        if execution.outcome().is_some() {
            return Rows::default();
        }
        let mut timers = Vec::new();
        let mut tokens = Vec::new();
        if let Some(deadline) = execution.deadline() {
            timers.push(TimerRow { kind: TimerKind::Execution, wait: 0, deadline });
        }
        for pending in execution.waits() {
            match pending {
                Pending::Timer { id, until, .. } => {
                    timers.push(TimerRow { kind: TimerKind::Wait, wait: id, deadline: until });
                }
                Pending::Task { id, deadline, token, .. } => {
                    if let Some(deadline) = deadline {
                        timers.push(TimerRow { kind: TimerKind::TaskTimeout, wait: id, deadline });
                    }
                    if let Some(token) = token {
                        tokens.push((id, token.into_boxed_str()));
                    }
                }
            }
        }
        Rows { timers: timers.into_boxed_slice(), tokens: tokens.into_boxed_slice() }
    }

    /// Adds to `commit` what changes from `self` (the rows of the previous commit) to
    /// `next`.
    pub(super) fn changes(&self, next: &Rows, commit: &mut Commit) {
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
    }
}
