//! Waiting on the outside world: task tokens and activities.
//!
//! A Task state whose resource ends in `.waitForTaskToken` runs its integration (the
//! handler, which gets the token in `$$.Task.Token`) and then waits until someone calls
//! [`Callbacks::send_task_success`] or [`Callbacks::send_task_failure`] with that token,
//! sending [`Callbacks::send_task_heartbeat`] meanwhile if the state has
//! `HeartbeatSeconds`. A Task state whose resource is an activity ARN
//! (`arn:aws:states:<region>:<account>:activity:<name>`) runs no handler: it queues the work,
//! and a worker takes it with [`Callbacks::get_activity_task`] and answers with the same
//! three calls.
//!
//! One `Callbacks` serves every execution of a process that shares it (pass it to each
//! [`Driver`](crate::execution::Driver)); [`Callbacks::shared`] is the one
//! [`run()`](crate::execution::run) uses. The calls fail as AWS's API does: a token this
//! process never issued is `InvalidToken`, one whose task already ended is
//! `TaskDoesNotExist`, one whose task timed out is `TaskTimedOut`.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use futures_util::future::{Either, select};
use serde_json::Value;
use tokio::sync::{Notify, mpsc};

use crate::clock::Clock;
use crate::error::Error;

/// The length of a task token: 64 hexadecimal digits, 256 random bits.
const TOKEN_LENGTH: usize = 64;

/// What the outside world tells a waiting task.
#[derive(Debug)]
pub(crate) enum Signal {
    /// A worker took the activity task.
    Started,
    /// `SendTaskHeartbeat`.
    Heartbeat,
    /// `SendTaskSuccess` or `SendTaskFailure`.
    Outcome(Result<Value, Error>),
}

/// The receiving end of a token's signals, held by the driver of the waiting execution.
pub(crate) type Signals = mpsc::UnboundedReceiver<Signal>;

/// Why a token call was refused, named as AWS's API errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackError {
    /// The token is not one this process issued.
    InvalidToken,
    /// The token's task has already ended (or never waited for it).
    TaskDoesNotExist,
    /// The token's task timed out (`TimeoutSeconds` or `HeartbeatSeconds`).
    TaskTimedOut,
}

impl CallbackError {
    /// AWS's error name (`InvalidToken`, `TaskDoesNotExist`, `TaskTimedOut`).
    pub fn name(&self) -> &'static str {
        match self {
            CallbackError::InvalidToken => "InvalidToken",
            CallbackError::TaskDoesNotExist => "TaskDoesNotExist",
            CallbackError::TaskTimedOut => "TaskTimedOut",
        }
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            CallbackError::InvalidToken => "the task token is not valid",
            CallbackError::TaskDoesNotExist => "no task is waiting for this token any more",
            CallbackError::TaskTimedOut => "the task of this token timed out",
        };
        write!(f, "{}: {text}", self.name())
    }
}

impl std::error::Error for CallbackError {}

/// A unit of work an activity worker took.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityTask {
    /// The token to answer with.
    pub task_token: String,
    /// The Task state's effective input.
    pub input: Value,
}

/// The registry of task tokens and activity queues. See the [module documentation](self).
#[derive(Debug, Default)]
pub struct Callbacks {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Tokens whose tasks wait, with the way to tell them.
    open: HashMap<String, mpsc::UnboundedSender<Signal>>,
    /// Tokens whose tasks ended: `true` when they timed out.
    closed: HashMap<String, bool>,
    /// Work waiting for each activity's workers, by activity ARN.
    activities: HashMap<String, Activity>,
}

#[derive(Debug, Default)]
struct Activity {
    queue: VecDeque<ActivityTask>,
    /// Wakes a worker waiting in `get_activity_task`.
    ready: Arc<Notify>,
}

impl Callbacks {
    /// An empty registry.
    pub fn new() -> Callbacks {
        Callbacks::default()
    }

    /// The process-wide registry that [`run()`](crate::execution::run) uses.
    pub fn shared() -> &'static Callbacks {
        static SHARED: OnceLock<Callbacks> = OnceLock::new();
        SHARED.get_or_init(Callbacks::new)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The registry's maps stay consistent even if a holder of the lock panicked.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `SendTaskSuccess`: the token's task succeeds with `output`.
    ///
    /// # Errors
    ///
    /// [`CallbackError`] as AWS's API.
    pub fn send_task_success(&self, token: &str, output: Value) -> Result<(), CallbackError> {
        self.finish(token, Ok(output))
    }

    /// `SendTaskFailure`: the token's task fails with `error` and `cause` (which Retry and
    /// Catch then see).
    ///
    /// # Errors
    ///
    /// [`CallbackError`] as AWS's API.
    pub fn send_task_failure(&self, token: &str, error: &str, cause: &str) -> Result<(), CallbackError> {
        self.finish(token, Err(Error::new(error.to_owned(), cause.to_owned())))
    }

    /// `SendTaskHeartbeat`: the token's task is alive; its `HeartbeatSeconds` start again.
    ///
    /// # Errors
    ///
    /// [`CallbackError`] as AWS's API.
    pub fn send_task_heartbeat(&self, token: &str) -> Result<(), CallbackError> {
        let inner = self.lock();
        let sender = inner.open.get(token).ok_or_else(|| refusal(&inner, token))?;
        sender.send(Signal::Heartbeat).map_err(|_| CallbackError::TaskDoesNotExist)
    }

    /// `GetActivityTask`: the next unit of work for the activity `activity_arn`, waiting up
    /// to `poll_timeout` (AWS waits 60 seconds) for one; `None` if none came.
    pub async fn get_activity_task(
        &self,
        activity_arn: &str,
        poll_timeout: Duration,
        clock: &dyn Clock,
    ) -> Option<ActivityTask> {
        let mut timeout = clock.sleep(poll_timeout);
        loop {
            let ready = {
                let mut inner = self.lock();
                let activity = inner.activities.entry(activity_arn.to_owned()).or_default();
                match activity.queue.pop_front() {
                    Some(task) => {
                        if let Some(sender) = inner.open.get(&task.task_token) {
                            let _ = sender.send(Signal::Started);
                        }
                        return Some(task);
                    }
                    None => Arc::clone(&activity.ready),
                }
            };
            let notified = Box::pin(ready.notified());
            if let Either::Right(_) = select(notified, &mut timeout).await {
                return None;
            }
        }
    }

    /// A new, unguessable token.
    pub(crate) fn new_token() -> String {
        let mut bytes = [0u8; TOKEN_LENGTH / 2];
        if getrandom::fill(&mut bytes).is_err() {
            // No operating-system randomness: fall back to the process's hash keys, which
            // are seeded from it where it exists (the token stays unique, if guessable).
            let mut rng = crate::intrinsics::SplitMix64::from_entropy();
            for chunk in bytes.chunks_mut(8) {
                let word = crate::intrinsics::RandomSource::next_u64(&mut rng).to_le_bytes();
                chunk.copy_from_slice(&word[..chunk.len()]);
            }
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Starts waiting on `token`: its signals arrive on the returned receiver.
    pub(crate) fn open(&self, token: &str) -> Signals {
        let (sender, receiver) = mpsc::unbounded_channel();
        let mut inner = self.lock();
        inner.closed.remove(token);
        inner.open.insert(token.to_owned(), sender);
        receiver
    }

    /// Stops waiting on `token` (its task ended; `timed_out` when by a timeout). Later
    /// calls with it fail with `TaskTimedOut` or `TaskDoesNotExist`.
    pub(crate) fn close(&self, token: &str, timed_out: bool) {
        let mut inner = self.lock();
        if inner.open.remove(token).is_some() || timed_out {
            inner.closed.insert(token.to_owned(), timed_out);
        }
        for activity in inner.activities.values_mut() {
            activity.queue.retain(|task| task.task_token != token);
        }
    }

    /// Queues work for the workers of `activity_arn`.
    pub(crate) fn schedule_activity(&self, activity_arn: &str, task: ActivityTask) {
        let mut inner = self.lock();
        let activity = inner.activities.entry(activity_arn.to_owned()).or_default();
        activity.queue.push_back(task);
        activity.ready.notify_one();
    }

    fn finish(&self, token: &str, outcome: Result<Value, Error>) -> Result<(), CallbackError> {
        let mut inner = self.lock();
        let Some(sender) = inner.open.remove(token) else { return Err(refusal(&inner, token)) };
        inner.closed.insert(token.to_owned(), false);
        sender.send(Signal::Outcome(outcome)).map_err(|_| CallbackError::TaskDoesNotExist)
    }
}

/// Why a call with `token`, which no task waits for, is refused.
fn refusal(inner: &Inner, token: &str) -> CallbackError {
    match inner.closed.get(token) {
        Some(true) => CallbackError::TaskTimedOut,
        Some(false) => CallbackError::TaskDoesNotExist,
        None if token.len() == TOKEN_LENGTH && token.bytes().all(|b| b.is_ascii_hexdigit()) => {
            CallbackError::TaskDoesNotExist
        }
        None => CallbackError::InvalidToken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_distinct() {
        let a = Callbacks::new_token();
        let b = Callbacks::new_token();
        assert_eq!(a.len(), TOKEN_LENGTH);
        assert_ne!(a, b);
    }

    #[test]
    fn calls_are_refused_as_aws_does() {
        let callbacks = Callbacks::new();
        assert_eq!(callbacks.send_task_heartbeat("nonsense"), Err(CallbackError::InvalidToken));
        let unknown = Callbacks::new_token();
        assert_eq!(callbacks.send_task_success(&unknown, Value::Null), Err(CallbackError::TaskDoesNotExist));

        let token = Callbacks::new_token();
        let mut signals = callbacks.open(&token);
        assert_eq!(callbacks.send_task_heartbeat(&token), Ok(()));
        assert_eq!(callbacks.send_task_success(&token, Value::from(1)), Ok(()));
        assert!(matches!(signals.try_recv(), Ok(Signal::Heartbeat)));
        assert!(matches!(signals.try_recv(), Ok(Signal::Outcome(Ok(_)))));
        assert_eq!(callbacks.send_task_failure(&token, "E", "c"), Err(CallbackError::TaskDoesNotExist));

        let late = Callbacks::new_token();
        let _signals = callbacks.open(&late);
        callbacks.close(&late, true);
        assert_eq!(callbacks.send_task_success(&late, Value::Null), Err(CallbackError::TaskTimedOut));
    }
}
