//! The driver: advances an [`Execution`] one transition at a time, running the Task
//! handlers and timers its frames wait for.
//!
//! The execution itself is plain data; the driver holds what cannot be stored — the
//! futures of running handlers and of timers — each tagged with the [`WaitId`] and the
//! frame path it answers. When no frame can move, the driver waits for the first of them
//! to finish (or for the execution's `TimeoutSeconds`), records it in the execution, and
//! goes on. A handler whose future is ready at once (most are) is handled without ever
//! being queued.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use futures_util::future::{AbortHandle, Abortable, Either, abortable, select};
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;

use super::history::HistoryDetail;
use super::state::{Execution, FramePath, WaitId};
use super::step::{Effects, Event, Request, TaskRequest};
use super::task::{BoxFuture, TaskCall, TaskHandler};
use super::{Outcome, Status, UNSUPPORTED_ERROR, Workflow};
use crate::callbacks::{ActivityTask, Callbacks, Signal, Signals};
use crate::clock::{Clock, Sleep};
use crate::context::ExecutionInfo;
use crate::error::Error;
use crate::error::names;
use crate::machine::Callback;
use crate::sink::HistorySink;
use std::time::Duration;

/// How many transitions the driver takes before it lets other tasks of the async runtime
/// run: a workflow that loops without waiting must not starve them.
const TRANSITIONS_PER_YIELD: u64 = 1024;

/// What a handler or timer future yields: the event and the wait it answers.
struct Arrival {
    path: FramePath,
    id: WaitId,
    event: Event,
    /// For a callback task whose work was handed over: where its token's outcome comes.
    signals: Option<Signals>,
    /// The task's `HeartbeatSeconds`.
    heartbeat: Option<u64>,
}

impl Arrival {
    fn new(path: FramePath, id: WaitId, event: Event) -> Arrival {
        Arrival { path, id, event, signals: None, heartbeat: None }
    }
}

/// Drives one [`Execution`] with a workflow's handlers and a clock.
///
/// ```ignore
/// let execution = Execution::start(&order::WORKFLOW, info, input, clock.now());
/// let mut driver = Driver::new(&order::WORKFLOW, &order::Typed(Shop), &clock, execution);
/// while driver.advance().await {
///     save(&serde_json::to_string(driver.execution())?); // after every transition
/// }
/// ```
pub struct Driver<'a> {
    workflow: &'a Workflow,
    handler: &'a dyn TaskHandler,
    clock: &'a dyn Clock,
    callbacks: &'a Callbacks,
    execution: Execution,
    /// The tokens of the callback tasks waiting, by wait id.
    tokens: HashMap<WaitId, String>,
    /// Handlers and timers that have not finished.
    running: FuturesUnordered<Abortable<BoxFuture<'a, Arrival>>>,
    /// How to cancel them, by wait id (a Task with a timeout has two futures).
    aborts: HashMap<WaitId, Vec<AbortHandle>>,
    /// What the last step asked for (kept to reuse its buffers).
    effects: Effects,
    /// The execution's `TimeoutSeconds` timer, once it has been needed.
    deadline: Option<Sleep>,
    /// Where history events go as they are recorded, with the execution's ARN.
    sink: Option<(&'a dyn HistorySink, String)>,
}

impl<'a> Driver<'a> {
    /// A driver for `execution`, new or restored from a saved copy: whatever its frames
    /// wait for (handlers, timers) is started again. Task tokens and activities go through
    /// [`Callbacks::shared`].
    pub fn new(
        workflow: &'a Workflow,
        handler: &'a dyn TaskHandler,
        clock: &'a dyn Clock,
        execution: Execution,
    ) -> Driver<'a> {
        Driver::with_callbacks(workflow, handler, clock, Callbacks::shared(), execution)
    }

    /// As [`Driver::new`], with task tokens and activities going through `callbacks`.
    pub fn with_callbacks(
        workflow: &'a Workflow,
        handler: &'a dyn TaskHandler,
        clock: &'a dyn Clock,
        callbacks: &'a Callbacks,
        mut execution: Execution,
    ) -> Driver<'a> {
        let mut effects = Effects::default();
        if let Some(reason) = workflow.unsupported {
            execution.fail(Error::new(UNSUPPORTED_ERROR, reason));
        }
        execution.reissue(workflow, clock.now(), &mut effects);
        let mut driver = Driver {
            workflow,
            handler,
            clock,
            callbacks,
            execution,
            tokens: HashMap::new(),
            running: FuturesUnordered::new(),
            aborts: HashMap::new(),
            effects,
            deadline: None,
            sink: None,
        };
        driver.apply_effects();
        driver
    }

    /// The same driver, handing each history event to `sink` as soon as the transition
    /// that recorded it is over — the events recorded so far at once, except those a
    /// previous driver of a restored execution already handed over.
    pub fn with_history_sink(mut self, sink: &'a dyn HistorySink) -> Driver<'a> {
        self.sink = Some((sink, self.execution.info().execution_arn()));
        self.stream_history();
        self
    }

    /// Hands the events recorded since the last call to the sink, if there is one.
    fn stream_history(&mut self) {
        let Some((sink, arn)) = &self.sink else { return };
        let history = self.execution.history();
        let from = usize::try_from(self.execution.streamed).unwrap_or(usize::MAX);
        for event in history.get(from..).unwrap_or_default() {
            sink.record(arn, event);
        }
        self.execution.streamed = history.len() as u64;
    }

    /// The execution as it stands (between transitions: save it with serde to resume it
    /// later with [`Driver::new`]).
    pub fn execution(&self) -> &Execution {
        &self.execution
    }

    /// Gives the execution back (to save it, or once it has ended).
    pub fn into_execution(self) -> Execution {
        self.execution
    }

    /// Takes the next transition, first waiting for a handler or timer if no frame can
    /// move. `false` once the execution has ended ([`Execution::outcome`] says how).
    pub async fn advance(&mut self) -> bool {
        loop {
            if self.execution.outcome().is_some() {
                self.close_tokens();
                self.stream_history();
                return false;
            }
            let now = self.clock.now();
            if self.execution.timed_out_at(now) {
                self.execution.time_out(self.clock.now());
                self.close_tokens();
                self.stream_history();
                return false;
            }
            if self.execution.step(self.workflow, now, &mut self.effects) {
                self.apply_effects();
                self.stream_history();
                return true;
            }
            self.wait().await;
        }
    }

    /// Stops the execution (status `ABORTED`, see [`Execution::abort`]): drops the
    /// handlers and timers it waits for and closes its task tokens.
    pub fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        self.execution.abort(self.workflow, error, cause, self.clock.now());
        for handles in self.aborts.drain().map(|(_, handles)| handles) {
            handles.iter().for_each(AbortHandle::abort);
        }
        self.running = FuturesUnordered::new();
        self.close_tokens();
        self.stream_history();
    }

    /// Runs the execution until it ends.
    pub async fn run(&mut self) -> Outcome {
        while self.advance().await {
            if self.execution.transitions().is_multiple_of(TRANSITIONS_PER_YIELD) {
                YieldNow(false).await;
            }
        }
        self.execution.outcome().cloned().unwrap_or(Outcome {
            status: Status::Failed,
            output: None,
            error: Some(crate::error::names::RUNTIME.to_owned()),
            cause: Some("the execution stopped without an outcome".to_owned()),
        })
    }

    /// Waits for the next handler or timer, or the execution's deadline, and records it.
    async fn wait(&mut self) {
        if self.running.is_empty() && self.execution.deadline().is_none() {
            // No frame can move and nothing is pending: only a bug gets here. End the
            // execution rather than hang.
            self.execution.fail(Error::runtime("The execution has no state that can run and nothing to wait for."));
            return;
        }
        if self.deadline.is_none() {
            self.deadline = self.execution.deadline().map(|deadline| self.clock.sleep_until(deadline));
        }
        let running = &mut self.running;
        let next = async move {
            loop {
                match running.next().await {
                    Some(Ok(arrival)) => return Some(arrival),
                    // Cancelled.
                    Some(Err(_)) => {}
                    None => return None,
                }
            }
        };
        let arrival = match &mut self.deadline {
            None => next.await,
            Some(deadline) => match select(Box::pin(next), deadline).await {
                Either::Left((arrival, _)) => arrival,
                Either::Right(((), _)) => {
                    self.execution.time_out(self.clock.now());
                    return;
                }
            },
        };
        match arrival {
            Some(arrival) => self.deliver(arrival),
            // Only the deadline is left: it ends the execution.
            None => {
                if let Some(deadline) = self.deadline.take() {
                    deadline.await;
                }
                self.execution.time_out(self.clock.now());
            }
        }
    }

    /// Records an arrival and cancels the other futures of its wait (a Task's timeout
    /// timer when the handler answered first, or the handler when the timer fired first).
    fn deliver(&mut self, arrival: Arrival) {
        let Arrival { path, id, event, signals, heartbeat } = arrival;
        let handed_over = matches!(event, Event::Submitted(_) | Event::Started);
        if !handed_over {
            let timed_out = match &event {
                Event::Timer => true,
                Event::Result(Err(error)) => error.name == names::TIMEOUT || error.name == names::HEARTBEAT_TIMEOUT,
                _ => false,
            };
            self.cancel(id, timed_out);
        }
        let accepted = self.execution.deliver(self.workflow, self.clock.now(), &path, id, event);
        if let (true, true, Some(signals)) = (handed_over, accepted, signals) {
            self.wait_for_outcome(id, path, signals, heartbeat);
        }
    }

    /// Drops the futures of wait `id` and closes its task token, if it has one (so a late
    /// `SendTaskSuccess` fails with `TaskTimedOut` or `TaskDoesNotExist`).
    fn cancel(&mut self, id: WaitId, timed_out: bool) {
        if let Some(handles) = self.aborts.remove(&id) {
            handles.iter().for_each(AbortHandle::abort);
        }
        if let Some(token) = self.tokens.remove(&id) {
            self.callbacks.close(&token, timed_out);
        }
    }

    /// Closes the tokens of an execution that ended.
    fn close_tokens(&mut self) {
        for (_, token) in self.tokens.drain() {
            self.callbacks.close(&token, false);
        }
    }

    /// Starts what the last step asked for and cancels what it no longer needs.
    fn apply_effects(&mut self) {
        while let Some(id) = self.effects.cancelled.pop() {
            self.cancel(id, false);
        }
        // Requests are taken one by one: a handler that answers at once is delivered
        // before the next request starts.
        // (Delivering an answer never adds requests, so the list can be taken whole; its
        // buffer goes back afterwards to be reused.)
        let mut requests = std::mem::take(&mut self.effects.requests);
        for request in requests.drain(..) {
            match request {
                Request::Task(task) => self.start_task(*task),
                Request::Timer { id, path, until } => {
                    let sleep = self.clock.sleep_until(until);
                    self.spawn(
                        id,
                        Box::pin(async move {
                            sleep.await;
                            Arrival::new(path, id, Event::Timer)
                        }),
                    );
                }
            }
        }
        self.effects.requests = requests;
    }

    /// Starts a Task attempt: its timeout timer, then its handler (polled once at once,
    /// queued only if it is not ready), or, for an activity, its work on the activity's
    /// queue. A callback task opens its token first, so a handler may send the outcome
    /// before it even returns.
    fn start_task(&mut self, request: TaskRequest) {
        let TaskRequest { id, path, state, task, input, context, retry_count, deadline, token, heartbeat, submitted } =
            request;
        if let Some(deadline) = deadline {
            let sleep = self.clock.sleep_until(deadline);
            let path = path.clone();
            self.spawn(
                id,
                Box::pin(async move {
                    sleep.await;
                    Arrival::new(path, id, Event::Timer)
                }),
            );
        }
        let callback = task.callback();
        let signals = match (&token, callback) {
            (Some(token), Callback::Token | Callback::Activity) => {
                self.tokens.insert(id, token.clone());
                Some(self.callbacks.open(token))
            }
            _ => None,
        };
        if submitted {
            // Restored after the work was handed over: only the outcome is missing.
            if let Some(signals) = signals {
                self.wait_for_outcome(id, path, signals, heartbeat);
            }
            return;
        }
        let future: BoxFuture<'a, Arrival> = match (callback, token, signals) {
            (Callback::Activity, Some(task_token), Some(mut signals)) => {
                self.callbacks.schedule_activity(task.resource, ActivityTask { task_token, input });
                Box::pin(async move {
                    loop {
                        match signals.recv().await {
                            Some(Signal::Started) => {
                                return Arrival { path, id, event: Event::Started, signals: Some(signals), heartbeat };
                            }
                            Some(Signal::Outcome(result)) => return Arrival::new(path, id, Event::Result(result)),
                            Some(Signal::Heartbeat) => {}
                            // The registry let go of the token: only the timeout can end this.
                            None => std::future::pending::<()>().await,
                        }
                    }
                })
            }
            (_, token, signals) => {
                let handler = self.handler;
                Box::pin(async move {
                    let call = TaskCall {
                        task: task.task,
                        state: state.name,
                        resource: task.resource,
                        input,
                        context: &context,
                        task_token: token.as_deref(),
                        retry_count,
                    };
                    let result = handler.invoke(call).await;
                    match (result, signals) {
                        // The integration took the work; the token's outcome ends the task.
                        (Ok(output), Some(signals)) => {
                            let event = Event::submitted(output);
                            Arrival { path, id, event, signals: Some(signals), heartbeat }
                        }
                        (result, _) => Arrival::new(path, id, Event::Result(result)),
                    }
                })
            }
        };
        self.poll_or_spawn(id, future);
    }

    /// Waits for the outcome a callback task's token receives, failing it with
    /// `States.HeartbeatTimeout` when `heartbeat` seconds pass without a heartbeat.
    fn wait_for_outcome(&mut self, id: WaitId, path: FramePath, mut signals: Signals, heartbeat: Option<u64>) {
        let clock = self.clock;
        let future: BoxFuture<'a, Arrival> = Box::pin(async move {
            loop {
                let next = Box::pin(signals.recv());
                let signal = match heartbeat {
                    None => next.await,
                    Some(seconds) => match select(next, clock.sleep(Duration::from_secs(seconds))).await {
                        Either::Left((signal, _)) => signal,
                        Either::Right(_) => {
                            let error = Error::named(names::HEARTBEAT_TIMEOUT);
                            return Arrival::new(path, id, Event::Result(Err(error)));
                        }
                    },
                };
                match signal {
                    Some(Signal::Outcome(result)) => return Arrival::new(path, id, Event::Result(result)),
                    Some(Signal::Heartbeat | Signal::Started) => {}
                    None => std::future::pending::<()>().await,
                }
            }
        });
        self.poll_or_spawn(id, future);
    }

    /// Polls `future` once; delivers what it yields if it is ready, else queues it.
    fn poll_or_spawn(&mut self, id: WaitId, mut future: BoxFuture<'a, Arrival>) {
        // A future polled with a waker that does nothing is polled again, with the real
        // one, by `running` before it is ever left waiting.
        match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(arrival) => self.deliver(arrival),
            Poll::Pending => self.spawn(id, future),
        }
    }

    fn spawn(&mut self, id: WaitId, future: BoxFuture<'a, Arrival>) {
        let (future, handle) = abortable(future);
        self.running.push(future);
        self.aborts.entry(id).or_default().push(handle);
    }
}

/// Runs `workflow` to completion with `input`, as the execution `execution` describes.
///
/// Only the outcome comes back, so the history records event types only
/// ([`HistoryDetail::TypesOnly`]): rendering every state's data as JSON text for events
/// nobody reads would cost more than the transitions. Use a [`Driver`] (or a
/// [`Runtime`](crate::Runtime)) to keep the history.
pub async fn run(
    workflow: &Workflow,
    handler: &dyn TaskHandler,
    clock: &dyn Clock,
    execution: &ExecutionInfo,
    input: Value,
) -> Outcome {
    let started = Execution::start_recording(workflow, execution.clone(), input, clock.now(), HistoryDetail::TypesOnly);
    Driver::new(workflow, handler, clock, started).run().await
}

/// A future that is pending once: lets the async runtime run other tasks.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
