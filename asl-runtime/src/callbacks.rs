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
//!
//! A token is routed either to the driver that waits for it or, when a
//! [`Runtime`](crate::Runtime) has *parked* the execution (it had nothing to do but wait, so
//! it is kept as data with no task running), to that runtime, which wakes the execution.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};
use std::time::Duration;

use futures_util::future::{Either, select};
use serde_json::Value;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::error::Error;
use crate::execution::WaitId;

/// The length of a task token: 64 hexadecimal digits, 256 random bits.
const TOKEN_LENGTH: usize = 64;

/// What the outside world tells a waiting task.
#[derive(Debug)]
pub(crate) enum Signal {
    /// A worker (named, if `GetActivityTask` gave its `workerName`) took the activity task;
    /// `GetActivityTask` hands it over once the taking is on record (see [`Acknowledge`]).
    Started(Option<Box<str>>, Option<Acknowledge>),
    /// `SendTaskHeartbeat`.
    Heartbeat,
    /// `SendTaskSuccess` or `SendTaskFailure`, and who waits until the execution has
    /// recorded it (see [`Acknowledge`]).
    Outcome(Result<Value, Error>, Option<Acknowledge>),
}

/// Tells a caller that the execution has recorded (and, in a durable runtime, committed)
/// what it was told: `GetActivityTask` that a worker took its activity task, so the task
/// may leave the process; `send_task_success_recorded`/`…_failure_recorded` that the
/// outcome is on record, so the answer survives a crash. Dropped unanswered when the
/// execution no longer waits for the task.
#[derive(Debug)]
pub(crate) struct Acknowledge(tokio::sync::oneshot::Sender<()>);

impl Acknowledge {
    /// Lets the waiting `GetActivityTask` hand the task over.
    pub(crate) fn send(self) {
        let _ = self.0.send(());
    }
}

/// Where a token's signals wait until the driver of its execution takes them: a queue the
/// registry pushes to (always under its lock) and the driver pops from. Unlike a channel, the
/// registry can see whether anything is still queued, which is how a runtime knows, under
/// the lock, that parking an execution loses nothing.
#[derive(Clone, Debug, Default)]
pub(crate) struct Signals(Arc<Slot>);

#[derive(Debug, Default)]
struct Slot {
    queue: Mutex<VecDeque<Signal>>,
    /// Wakes the waiting driver (a permit is kept when nobody waits yet).
    ready: Notify,
}

impl Signals {
    /// Queues `signal` and wakes whoever waits.
    pub(crate) fn push(&self, signal: Signal) {
        self.queue().push_back(signal);
        self.0.ready.notify_one();
    }

    /// The next signal, waiting for one if none is queued. Cancel-safe: a signal is only
    /// taken by the call that returns it.
    pub(crate) async fn recv(&self) -> Signal {
        loop {
            if let Some(signal) = self.queue().pop_front() {
                return signal;
            }
            self.0.ready.notified().await;
        }
    }

    fn is_empty(&self) -> bool {
        self.queue().is_empty()
    }

    fn queue(&self) -> MutexGuard<'_, VecDeque<Signal>> {
        // A queue stays consistent even if a holder of the lock panicked.
        self.0.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where a parked execution's token leads: the runtime's number for the execution and the
/// wait (Task attempt) the token belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ParkedAt {
    /// The execution, as its runtime numbers them.
    pub(crate) execution: usize,
    /// The Task attempt that waits for the token.
    pub(crate) wait: WaitId,
}

/// Receives the signals for the tokens of parked executions (a [`Runtime`](crate::Runtime)).
/// Called outside the registry's lock, from whichever thread answered the token.
pub(crate) trait ParkedSink: Send + Sync {
    /// `signal` arrived for the token parked at `at`.
    fn signal(&self, at: ParkedAt, signal: Signal);
}

/// Where a waiting token's signals go.
#[derive(Clone, Debug)]
enum Route {
    /// To the driver that waits, through its queue.
    Driver(Signals),
    /// To the runtime that parked the execution.
    Parked(ParkedAt),
}

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
#[derive(Default)]
pub struct Callbacks {
    inner: Mutex<Inner>,
    /// The runtime that parks executions whose tokens are registered here, if one does.
    parked: OnceLock<Weak<dyn ParkedSink>>,
}

impl fmt::Debug for Callbacks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callbacks").field("inner", &self.inner).finish_non_exhaustive()
    }
}

/// A task token as the registry keeps it: the 256 bits that a token of ours spells in
/// lowercase hexadecimal or, for any other text (a token restored from elsewhere, a
/// mistyped one), the SHA-256 digest of the text. Either way 32 bytes, kept inline: a
/// process with many waiting tasks keeps no string per token.
#[derive(Clone, Copy, PartialEq, Eq)]
struct TokenKey([u8; TOKEN_LENGTH / 2]);

impl TokenKey {
    fn of(token: &str) -> TokenKey {
        let text = token.as_bytes();
        let mut key = [0u8; TOKEN_LENGTH / 2];
        if text.len() == TOKEN_LENGTH {
            // Plain indexing over a table: this runs for every token call, and iterator
            // adapters cost much more than the work itself in unoptimised builds.
            let mut invalid = 0u8;
            for (index, byte) in key.iter_mut().enumerate() {
                let high = HEX_DIGITS[usize::from(text[2 * index])];
                let low = HEX_DIGITS[usize::from(text[2 * index + 1])];
                invalid |= (high | low) & 0xF0;
                *byte = high << 4 | (low & 0x0F);
            }
            if invalid == 0 {
                return TokenKey(key);
            }
        }
        use sha2::Digest;
        key.copy_from_slice(&sha2::Sha256::digest(text));
        TokenKey(key)
    }
}

/// The value of each lowercase hexadecimal digit, by byte; `0xFF` for other bytes.
const HEX_DIGITS: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut digit = 0;
    while digit < 16 {
        table[LOWER_HEX[digit] as usize] = digit as u8;
        digit += 1;
    }
    table
};

/// The lowercase hexadecimal digits, by value.
const LOWER_HEX: [u8; 16] = *b"0123456789abcdef";

impl Hash for TokenKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(first));
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// Hashes a [`TokenKey`] by its first 64 bits, which are random already (the key is 256
/// random bits, or a digest): a keyed hash of all 32 bytes would only cost time. Keys that
/// callers choose are only looked up, never inserted, so they cannot crowd a bucket.
#[derive(Default)]
struct TokenHasher(u64);

impl Hasher for TokenHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// A map keyed by task tokens.
type TokenMap<V> = HashMap<TokenKey, V, BuildHasherDefault<TokenHasher>>;

#[derive(Debug, Default)]
struct Inner {
    /// Tokens whose tasks wait, with the way to tell them.
    open: TokenMap<Route>,
    /// Tokens whose tasks ended: `true` when they timed out (`TaskTimedOut` for late
    /// answers). A token of ours that ended otherwise is not kept: a well-formed token
    /// nobody waits for is `TaskDoesNotExist` anyway, so a long-lived process does not keep
    /// one entry per task that ever ended.
    closed: TokenMap<bool>,
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

    /// An empty registry whose parked routes lead to `sink`.
    pub(crate) fn with_sink(sink: Weak<dyn ParkedSink>) -> Callbacks {
        let callbacks = Callbacks::new();
        let _ = callbacks.parked.set(sink);
        callbacks
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The registry's maps stay consistent even if a holder of the lock panicked.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Passes a signal for a parked execution's token to its runtime (outside the lock: the
    /// runtime may call the registry back). A runtime that is gone takes nothing.
    fn to_parked(&self, at: ParkedAt, signal: Signal) {
        if let Some(sink) = self.parked.get().and_then(Weak::upgrade) {
            sink.signal(at, signal);
        }
    }

    /// Sends `signal` along `token`'s route: pushed at once to a driver (under the lock), or
    /// returned to be given to the runtime of a parked execution once the lock is released.
    fn route(route: &Route, signal: Signal) -> Option<(ParkedAt, Signal)> {
        match route {
            Route::Driver(signals) => {
                signals.push(signal);
                None
            }
            Route::Parked(at) => Some((*at, signal)),
        }
    }

    /// `SendTaskSuccess`: the token's task succeeds with `output`.
    ///
    /// # Errors
    ///
    /// [`CallbackError`] as AWS's API.
    pub fn send_task_success(&self, token: &str, output: Value) -> Result<(), CallbackError> {
        self.finish(token, Ok(output), None)
    }

    /// `SendTaskSuccess` as an API answers it: returns once the execution has recorded the
    /// outcome, in a durable runtime once that is committed, so an acknowledged answer
    /// survives a crash (design §3: "`SendTaskSuccess` after the token is closed"). (If the
    /// execution ends meanwhile, say stopped, it returns as soon as that is known.)
    ///
    /// # Errors
    ///
    /// [`CallbackError`] as AWS's API.
    pub async fn send_task_success_recorded(&self, token: &str, output: Value) -> Result<(), CallbackError> {
        self.finish_recorded(token, Ok(output)).await
    }

    /// `SendTaskFailure` as [`Callbacks::send_task_success_recorded`] answers it.
    ///
    /// # Errors
    ///
    /// [`CallbackError`] as AWS's API.
    pub async fn send_task_failure_recorded(&self, token: &str, error: &str, cause: &str) -> Result<(), CallbackError> {
        self.finish_recorded(token, Err(Error::new(error.to_owned(), cause.to_owned()))).await
    }

    /// Sends `outcome` along `token` and waits until its execution has recorded it.
    async fn finish_recorded(&self, token: &str, outcome: Result<Value, Error>) -> Result<(), CallbackError> {
        let (acknowledge, recorded) = tokio::sync::oneshot::channel();
        self.finish(token, outcome, Some(Acknowledge(acknowledge)))?;
        // A dropped acknowledgement means the execution stopped waiting for the task; the
        // answer was accepted all the same, as AWS accepts it for an open token.
        let _ = recorded.await;
        Ok(())
    }

    /// `SendTaskFailure`: the token's task fails with `error` and `cause` (which Retry and
    /// Catch then see).
    ///
    /// # Errors
    ///
    /// [`CallbackError`] as AWS's API.
    pub fn send_task_failure(&self, token: &str, error: &str, cause: &str) -> Result<(), CallbackError> {
        self.finish(token, Err(Error::new(error.to_owned(), cause.to_owned())), None)
    }

    /// `SendTaskHeartbeat`: the token's task is alive; its `HeartbeatSeconds` start again.
    ///
    /// # Errors
    ///
    /// [`CallbackError`] as AWS's API.
    pub fn send_task_heartbeat(&self, token: &str) -> Result<(), CallbackError> {
        let parked = {
            let inner = self.lock();
            let route = inner.open.get(&TokenKey::of(token)).ok_or_else(|| refusal(&inner, token))?;
            Callbacks::route(route, Signal::Heartbeat)
        };
        if let Some((at, signal)) = parked {
            self.to_parked(at, signal);
        }
        Ok(())
    }

    /// `GetActivityTask`: the next unit of work for the activity `activity_arn`, waiting up
    /// to `poll_timeout` (AWS waits 60 seconds) for one; `None` if none came.
    ///
    /// Dropping the future while it waits loses nothing. Once it has taken a task it waits
    /// for the execution to record that (a commit, for a durable one) before returning it;
    /// dropped then, the task is lost to the worker, as one whose answer never reached it
    /// (its execution sees it started; `HeartbeatSeconds` or `TimeoutSeconds` end it). To
    /// stop waiting without that risk, use [`Callbacks::get_activity_task_or`].
    pub async fn get_activity_task(
        &self,
        activity_arn: &str,
        poll_timeout: Duration,
        clock: &dyn Clock,
    ) -> Option<ActivityTask> {
        self.get_activity_task_or(activity_arn, None, poll_timeout, clock, std::future::pending()).await
    }

    /// [`Callbacks::get_activity_task`] for the worker `worker_name` (recorded in the
    /// `ActivityStarted` event, as AWS's `workerName`), that also gives up, with `None`,
    /// when `stop` completes while it waits for a task — never after it has taken one (a
    /// server that is stopping ends its long polls this way).
    pub async fn get_activity_task_or(
        &self,
        activity_arn: &str,
        worker_name: Option<&str>,
        poll_timeout: Duration,
        clock: &dyn Clock,
        stop: impl Future<Output = ()>,
    ) -> Option<ActivityTask> {
        let mut timeout = clock.sleep(poll_timeout);
        let mut stop = std::pin::pin!(stop);
        loop {
            // Under the lock: a task and where its taking goes, or what to wait on for one.
            let taken = {
                let mut inner = self.lock();
                let activity = inner.activities.entry(activity_arn.to_owned()).or_default();
                match activity.queue.pop_front() {
                    None => Err(Arc::clone(&activity.ready)),
                    Some(task) => match inner.open.get(&TokenKey::of(&task.task_token)) {
                        Some(route) => {
                            let (acknowledge, recorded) = tokio::sync::oneshot::channel();
                            let parked = Callbacks::route(
                                route,
                                Signal::Started(worker_name.map(Box::from), Some(Acknowledge(acknowledge))),
                            );
                            Ok(Some((task, recorded, parked)))
                        }
                        // Its execution no longer waits for it (it was closed meanwhile).
                        None => Ok(None),
                    },
                }
            };
            let (task, recorded, parked) = match taken {
                Ok(Some(taken)) => taken,
                Ok(None) => continue,
                Err(ready) => {
                    let notified = Box::pin(ready.notified());
                    let ended = select(&mut timeout, stop.as_mut());
                    if let Either::Right(_) = select(notified, ended).await {
                        return None;
                    }
                    continue;
                }
            };
            if let Some((at, signal)) = parked {
                self.to_parked(at, signal);
            }
            // The task leaves the process only once its execution has recorded (a durable
            // one: committed) that a worker took it: after a crash, a worker must never hold
            // a task its execution does not know it gave out. (If the execution stops
            // meanwhile, the task goes out anyway; answering it is then refused.)
            let _ = recorded.await;
            return Some(task);
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
        let mut token = String::with_capacity(TOKEN_LENGTH);
        for byte in bytes {
            token.push(char::from(LOWER_HEX[usize::from(byte >> 4)]));
            token.push(char::from(LOWER_HEX[usize::from(byte & 0x0F)]));
        }
        token
    }

    /// Starts waiting on `token`: its signals arrive in the returned queue.
    pub(crate) fn open(&self, token: &str) -> Signals {
        let signals = Signals::default();
        let key = TokenKey::of(token);
        let mut inner = self.lock();
        inner.closed.remove(&key);
        inner.open.insert(key, Route::Driver(signals.clone()));
        signals
    }

    /// Parks the waits of an execution: each token, now routed to `signals`, is routed to
    /// the runtime at `at` instead. All or nothing: `false` (and nothing changed) when a
    /// token is no longer routed to its queue or its queue holds a signal the driver has not
    /// taken yet (the execution must go on running to handle it).
    pub(crate) fn park(&self, waits: &[(&str, &Signals, ParkedAt)]) -> bool {
        let keys: Vec<TokenKey> = waits.iter().map(|(token, _, _)| TokenKey::of(token)).collect();
        let mut inner = self.lock();
        let untouched = keys.iter().zip(waits).all(|(key, (_, signals, _))| {
            matches!(inner.open.get(key), Some(Route::Driver(routed)) if Arc::ptr_eq(&routed.0, &signals.0))
                && signals.is_empty()
        });
        if !untouched {
            return false;
        }
        for (key, (_, _, at)) in keys.iter().zip(waits) {
            if let Some(route) = inner.open.get_mut(key) {
                *route = Route::Parked(*at);
            }
        }
        true
    }

    /// Routes a parked execution's `token` back to a driver's queue, `signals`. `false` when
    /// the token is no longer parked (it was answered meanwhile: the answer reaches the
    /// runtime, which hands it to the driver).
    pub(crate) fn unpark(&self, token: &str, signals: &Signals) -> bool {
        let key = TokenKey::of(token);
        let mut inner = self.lock();
        match inner.open.get_mut(&key) {
            Some(route @ Route::Parked(_)) => {
                *route = Route::Driver(signals.clone());
                true
            }
            _ => false,
        }
    }

    /// Stops waiting on `token` (its task ended; `timed_out` when by a timeout). Later
    /// calls with it fail with `TaskTimedOut` or `TaskDoesNotExist`.
    pub(crate) fn close(&self, token: &str, timed_out: bool) {
        let key = TokenKey::of(token);
        let mut inner = self.lock();
        let was_open = inner.open.remove(&key).is_some();
        if timed_out || (was_open && !is_ours(token)) {
            inner.closed.insert(key, timed_out);
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

    fn finish(
        &self,
        token: &str,
        outcome: Result<Value, Error>,
        acknowledge: Option<Acknowledge>,
    ) -> Result<(), CallbackError> {
        let key = TokenKey::of(token);
        let parked = {
            let mut inner = self.lock();
            let Some(route) = inner.open.remove(&key) else { return Err(refusal(&inner, token)) };
            if !is_ours(token) {
                inner.closed.insert(key, false);
            }
            Callbacks::route(&route, Signal::Outcome(outcome, acknowledge))
        };
        if let Some((at, signal)) = parked {
            self.to_parked(at, signal);
        }
        Ok(())
    }
}

/// Why a call with `token`, which no task waits for, is refused.
fn refusal(inner: &Inner, token: &str) -> CallbackError {
    match inner.closed.get(&TokenKey::of(token)) {
        Some(true) => CallbackError::TaskTimedOut,
        Some(false) => CallbackError::TaskDoesNotExist,
        None if is_ours(token) => CallbackError::TaskDoesNotExist,
        None => CallbackError::InvalidToken,
    }
}

/// Whether `token` has the shape of the tokens this runtime hands out.
fn is_ours(token: &str) -> bool {
    token.len() == TOKEN_LENGTH && token.bytes().all(|b| b.is_ascii_hexdigit())
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
    fn tokens_of_ours_are_kept_as_their_bits_and_others_as_digests() {
        let token = Callbacks::new_token();
        assert_eq!(format!("{:?}", TokenKey::of(&token)), token);
        // Not one of ours (case matters, as in any token): a different key.
        assert_ne!(TokenKey::of(&token.to_uppercase()), TokenKey::of(&token));
        assert_ne!(TokenKey::of("a"), TokenKey::of("b"));
        assert_eq!(TokenKey::of("a"), TokenKey::of("a"));
        let callbacks = Callbacks::new();
        let _signals = callbacks.open("not-one-of-ours");
        assert_eq!(callbacks.send_task_success("not-one-of-ours", Value::Null), Ok(()));
        assert_eq!(callbacks.send_task_success("not-one-of-ours", Value::Null), Err(CallbackError::TaskDoesNotExist));
        // An uppercase spelling of a token that waits is another (unknown) token.
        let _signals = callbacks.open(&token);
        assert_eq!(callbacks.send_task_heartbeat(&token.to_uppercase()), Err(CallbackError::TaskDoesNotExist));
        assert_eq!(callbacks.send_task_heartbeat(&token), Ok(()));
    }

    #[test]
    fn calls_are_refused_as_aws_does() {
        let callbacks = Callbacks::new();
        assert_eq!(callbacks.send_task_heartbeat("nonsense"), Err(CallbackError::InvalidToken));
        let unknown = Callbacks::new_token();
        assert_eq!(callbacks.send_task_success(&unknown, Value::Null), Err(CallbackError::TaskDoesNotExist));

        let token = Callbacks::new_token();
        let signals = callbacks.open(&token);
        assert_eq!(callbacks.send_task_heartbeat(&token), Ok(()));
        assert_eq!(callbacks.send_task_success(&token, Value::from(1)), Ok(()));
        assert!(matches!(signals.queue().pop_front(), Some(Signal::Heartbeat)));
        assert!(matches!(signals.queue().pop_front(), Some(Signal::Outcome(Ok(_), None))));
        assert_eq!(callbacks.send_task_failure(&token, "E", "c"), Err(CallbackError::TaskDoesNotExist));

        let late = Callbacks::new_token();
        let _signals = callbacks.open(&late);
        callbacks.close(&late, true);
        assert_eq!(callbacks.send_task_success(&late, Value::Null), Err(CallbackError::TaskTimedOut));
    }
}
