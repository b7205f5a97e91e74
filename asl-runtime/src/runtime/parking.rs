//! Parked executions: those that wait for nothing but task tokens and timers are kept as
//! compact data, their earliest deadline in one queue that a single task serves on the
//! runtime's clock (see the [runtime's documentation](super#parked-executions)).

use std::collections::BTreeSet;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures_util::future::select;
use time::OffsetDateTime;

use super::handle::{Ended, Phase, Shared};
use super::{Inner, Runtime, Start, lock};
use crate::callbacks::{ParkedAt, ParkedSink, Signal};
use crate::execution::parked::Parked;
use crate::execution::{Outcome, Status, TRANSITIONS_PER_YIELD, YieldNow};

/// The deadlines of parked executions.
#[derive(Default)]
pub(super) struct Timers {
    /// `(deadline, execution number)`, earliest first. Deadlines are nanoseconds since the
    /// Unix epoch ([`deadline_key`]): integers compare far quicker than `OffsetDateTime`s.
    pub(super) queue: BTreeSet<(i128, usize)>,
    /// Whether a task serves the queue (it ends when the queue is empty).
    pub(super) served: bool,
}

/// How [`Timers`] orders a deadline.
pub(super) fn deadline_key(at: OffsetDateTime) -> i128 {
    at.unix_timestamp_nanos()
}

impl Inner {
    /// Keeps `parked` as `shared`'s execution, with its deadline queued. Gives it back if a
    /// stop or a signal for it came meanwhile (its task must take it up again).
    pub(super) fn keep_parked(&self, shared: &Shared, parked: Parked) -> Option<Parked> {
        let mut progress = lock(&shared.progress);
        if progress.stop_request.is_some() || !progress.mail.is_empty() {
            return Some(parked);
        }
        let wake_at = parked.wake_at();
        // The parked form holds the history now.
        progress.live_history = Vec::new();
        progress.phase = Phase::Parked(Box::new(parked));
        self.parked.fetch_add(1, Ordering::SeqCst);
        if let Some(at) = wake_at {
            self.queue(at, shared.number);
        }
        None
    }

    /// Takes `parked` up again in a new task (its record says `Running` already).
    pub(super) fn wake(&self, shared: Arc<Shared>, parked: Box<Parked>) {
        if let Some(at) = parked.wake_at() {
            self.unqueue(at, shared.number);
        }
        self.parked.fetch_sub(1, Ordering::SeqCst);
        if let Some(inner) = self.this.upgrade() {
            self.run(Runtime { inner }, shared, Start::Parked(parked));
        }
    }

    /// Queues a parked execution's deadline, starting the task that serves the queue if it
    /// is not running.
    pub(super) fn queue(&self, at: OffsetDateTime, number: usize) {
        let at = deadline_key(at);
        let mut timers = lock(&self.timers);
        let earliest = timers.queue.first().is_none_or(|&(first, _)| at < first);
        timers.queue.insert((at, number));
        if !timers.served {
            if let Some(inner) = self.this.upgrade() {
                timers.served = true;
                self.spawn(serve_timers(inner));
            }
        } else if earliest {
            self.timers_changed.notify_one();
        }
    }

    /// Takes a deadline off the queue. If it was the earliest, the task that serves the
    /// queue looks again (and ends if nothing is left), rather than sleep until it.
    pub(super) fn unqueue(&self, at: OffsetDateTime, number: usize) {
        let key = (deadline_key(at), number);
        let mut timers = lock(&self.timers);
        let earliest = timers.queue.first() == Some(&key);
        timers.queue.remove(&key);
        if earliest {
            self.timers_changed.notify_one();
        }
    }

    /// The deadline `at` (a [`deadline_key`]) of execution `number` came: wakes it if it is
    /// still parked with that deadline.
    pub(super) fn deadline_passed(&self, number: usize, at: i128) {
        let Some(shared) = self.shared(number) else { return };
        let parked = {
            let mut progress = lock(&shared.progress);
            match &progress.phase {
                Phase::Parked(parked) if parked.wake_at().map(deadline_key) == Some(at) => {}
                // Woken, stopped or moved by a heartbeat meanwhile.
                _ => return,
            }
            match std::mem::take(&mut progress.phase) {
                Phase::Parked(parked) => parked,
                _ => return,
            }
        };
        self.wake(shared, parked);
    }

    /// `StopExecution` for a parked execution: aborted at once, without a task; its tokens
    /// are closed, so late answers are refused as for any stopped execution.
    pub(super) fn stop_parked(
        &self,
        shared: &Shared,
        parked: &Parked,
        error: Option<String>,
        cause: Option<String>,
    ) -> Ended {
        if let Some(at) = parked.wake_at() {
            self.unqueue(at, shared.number);
        }
        self.parked.fetch_sub(1, Ordering::SeqCst);
        let now = self.clock.now();
        let mut execution = match shared.info.load().and_then(|info| parked.restore(info)) {
            Ok(execution) => execution,
            Err(_) => {
                let outcome = Outcome { status: Status::Aborted, output: None, error, cause };
                return Ended { outcome, stop_date: now, history: Vec::new() };
            }
        };
        let tokens: Vec<String> = execution
            .waits()
            .into_iter()
            .filter_map(|wait| match wait {
                crate::execution::Pending::Task { token, .. } => token,
                _ => None,
            })
            .collect();
        execution.abort(shared.workflow, error, cause, now);
        if let Some(sink) = &self.history_sink {
            execution.stream_history(&**sink);
        }
        for token in tokens {
            self.callbacks.close(&token, false);
        }
        let outcome = execution.outcome().cloned().unwrap_or(Outcome {
            status: Status::Aborted,
            output: None,
            error: None,
            cause: None,
        });
        Ended { outcome, stop_date: now, history: execution.history().to_vec() }
    }
}

impl ParkedSink for Inner {
    fn signal(&self, at: ParkedAt, signal: Signal) {
        let Some(shared) = self.shared(at.execution) else { return };
        let mut progress = lock(&shared.progress);
        let parked = match &mut progress.phase {
            Phase::Ended(_) => return,
            Phase::Running => {
                // Taken up meanwhile: its task passes the signal on.
                progress.mail.push((at.wait, signal));
                shared.poke.notify_one();
                return;
            }
            Phase::Parked(parked) => parked,
        };
        if let Signal::Heartbeat = signal {
            // The heartbeat deadline moves and the execution stays parked. (A heartbeat for
            // an activity no worker has taken yet, or for a task without HeartbeatSeconds,
            // changes nothing, as for a running execution.)
            let before = parked.wake_at();
            if parked.heartbeat(at.wait, self.clock.now()) {
                let after = parked.wake_at();
                if before != after {
                    if let Some(before) = before {
                        self.unqueue(before, shared.number);
                    }
                    if let Some(after) = after {
                        self.queue(after, shared.number);
                    }
                }
            }
            return;
        }
        progress.mail.push((at.wait, signal));
        let Phase::Parked(parked) = std::mem::take(&mut progress.phase) else { return };
        drop(progress);
        self.wake(Arc::clone(&shared), parked);
    }
}

/// Serves the deadlines of parked executions on the runtime's clock, waking each execution
/// when its deadline comes; ends when none is queued. One task per runtime, however many
/// executions are parked.
pub(super) async fn serve_timers(inner: Arc<Inner>) {
    let mut woken = 0u64;
    loop {
        let next = {
            let mut timers = lock(&inner.timers);
            match timers.queue.first().copied() {
                Some(next) => next,
                None => {
                    timers.served = false;
                    return;
                }
            }
        };
        let (at, number) = next;
        if at <= deadline_key(inner.clock.now()) {
            lock(&inner.timers).queue.remove(&next);
            inner.deadline_passed(number, at);
            woken += 1;
            if woken.is_multiple_of(TRANSITIONS_PER_YIELD) {
                YieldNow(false).await;
            }
            continue;
        }
        let sleep = match OffsetDateTime::from_unix_timestamp_nanos(at) {
            Ok(at) => inner.clock.sleep_until(at),
            // Not an instant (it was made from one): nothing to wait for but a change.
            Err(_) => Box::pin(std::future::pending()),
        };
        let changed = pin!(inner.timers_changed.notified());
        select(sleep, changed).await;
    }
}
