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

use super::state::{Execution, FramePath, WaitId};
use super::step::{Effects, Event, Request, TaskRequest};
use super::task::{BoxFuture, TaskCall, TaskHandler};
use super::{Outcome, Status, UNSUPPORTED_ERROR, Workflow};
use crate::clock::{Clock, Sleep};
use crate::context::ExecutionInfo;
use crate::error::Error;

/// How many transitions the driver takes before it lets other tasks of the async runtime
/// run: a workflow that loops without waiting must not starve them.
const TRANSITIONS_PER_YIELD: u64 = 1024;

/// What a handler or timer future yields: the event and the wait it answers.
struct Arrival {
    path: FramePath,
    id: WaitId,
    event: Event,
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
    execution: Execution,
    /// Handlers and timers that have not finished.
    running: FuturesUnordered<Abortable<BoxFuture<'a, Arrival>>>,
    /// How to cancel them, by wait id (a Task with a timeout has two futures).
    aborts: HashMap<WaitId, Vec<AbortHandle>>,
    /// What the last step asked for (kept to reuse its buffers).
    effects: Effects,
    /// The execution's `TimeoutSeconds` timer, once it has been needed.
    deadline: Option<Sleep>,
}

impl<'a> Driver<'a> {
    /// A driver for `execution`, new or restored from a saved copy: whatever its frames
    /// wait for (handlers, timers) is started again.
    pub fn new(
        workflow: &'a Workflow,
        handler: &'a dyn TaskHandler,
        clock: &'a dyn Clock,
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
            execution,
            running: FuturesUnordered::new(),
            aborts: HashMap::new(),
            effects,
            deadline: None,
        };
        driver.apply_effects();
        driver
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
                return false;
            }
            let now = self.clock.now();
            if self.execution.timed_out_at(now) {
                self.execution.time_out(self.clock.now());
                return false;
            }
            if self.execution.step(self.workflow, now, &mut self.effects) {
                self.apply_effects();
                return true;
            }
            self.wait().await;
        }
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
        self.cancel(arrival.id);
        self.execution.deliver(self.workflow, self.clock.now(), &arrival.path, arrival.id, arrival.event);
    }

    fn cancel(&mut self, id: WaitId) {
        if let Some(handles) = self.aborts.remove(&id) {
            handles.iter().for_each(AbortHandle::abort);
        }
    }

    /// Starts what the last step asked for and cancels what it no longer needs.
    fn apply_effects(&mut self) {
        while let Some(id) = self.effects.cancelled.pop() {
            self.cancel(id);
        }
        // Requests are taken one by one: a handler that answers at once is delivered
        // before the next request starts.
        while !self.effects.requests.is_empty() {
            let request = self.effects.requests.remove(0);
            match request {
                Request::Task(task) => self.start_task(task),
                Request::Timer { id, path, until } => {
                    let sleep = self.clock.sleep_until(until);
                    self.spawn(
                        id,
                        Box::pin(async move {
                            sleep.await;
                            Arrival { path, id, event: Event::Timer }
                        }),
                    );
                }
            }
        }
    }

    /// Runs a Task handler: polls it once at once, and queues it (with its timeout timer)
    /// only if it is not ready.
    fn start_task(&mut self, request: TaskRequest) {
        let TaskRequest { id, path, state, task, input, context, retry_count, deadline } = request;
        let handler = self.handler;
        let timer_path = deadline.map(|_| path.clone());
        let mut call: BoxFuture<'a, Arrival> = Box::pin(async move {
            let call = TaskCall {
                task: task.task,
                state: state.name,
                resource: task.resource,
                input,
                context: &context,
                retry_count,
            };
            let result = handler.invoke(call).await;
            Arrival { path, id, event: Event::Result(result) }
        });
        // A future polled with a waker that does nothing is polled again, with the real
        // one, by `running` before it is ever left waiting.
        if let Poll::Ready(arrival) = call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            self.execution.deliver(self.workflow, self.clock.now(), &arrival.path, arrival.id, arrival.event);
            return;
        }
        self.spawn(id, call);
        if let (Some(deadline), Some(path)) = (deadline, timer_path) {
            let sleep = self.clock.sleep_until(deadline);
            self.spawn(
                id,
                Box::pin(async move {
                    sleep.await;
                    Arrival { path, id, event: Event::Timer }
                }),
            );
        }
    }

    fn spawn(&mut self, id: WaitId, future: BoxFuture<'a, Arrival>) {
        let (future, handle) = abortable(future);
        self.running.push(future);
        self.aborts.entry(id).or_default().push(handle);
    }
}

/// Runs `workflow` to completion with `input`, as the execution `execution` describes.
pub async fn run(
    workflow: &Workflow,
    handler: &dyn TaskHandler,
    clock: &dyn Clock,
    execution: &ExecutionInfo,
    input: Value,
) -> Outcome {
    let started = Execution::start(workflow, execution.clone(), input, clock.now());
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
