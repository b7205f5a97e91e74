//! The driver: advances an [`Execution`] one transition at a time, running the Task
//! handlers and timers its frames wait for.
//!
//! The execution itself is plain data; the driver holds what cannot be stored — the
//! futures of running handlers and of timers — each tagged with the [`WaitId`] and the
//! frame path it answers. When no frame can move, the driver waits for the first of them
//! to finish (or for the execution's `TimeoutSeconds`), records it in the execution, and
//! goes on. A handler whose future is ready at once (most are) is handled without ever
//! being queued.
//!
//! When no handler is running and the frames only wait for task tokens and timers, a
//! [`Runtime`](crate::Runtime) can *park* the execution ([`Driver::prepare_park`]): the driver is
//! dropped and the execution kept as data, and a new driver takes up from there
//! ([`Driver::unpark`]) when a token is answered or a deadline comes. See
//! [`parked`](super::parked).

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_util::future::{AbortHandle, Abortable, Either, abortable, select};
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;
use time::OffsetDateTime;

use super::MapRunUpdate;
use super::compact;
use super::effects::{Effects, Event, ItemsRequest, Request, TaskRequest, WriteRequest, later};
use super::history::HistoryDetail;
use super::inspect::Inspector;
use super::items::{ItemSource, ItemsCall, ResultsCall};
use super::parked::{Heartbeat, Parked};
use super::records::Records;
use super::state::{Execution, FramePath, Pending, WaitId};
use super::task::{BoxFuture, TaskCall, TaskHandler};
use super::{Outcome, Status, UNSUPPORTED_ERROR, Workflow};
use crate::callbacks::{Acknowledge, ActivityTask, Callbacks, ParkedAt, Signal, Signals};
use crate::clock::{Clock, Sleep};
use crate::context::ExecutionInfo;
use crate::error::Error;
use crate::error::names;
use crate::machine::{Callback, StateKind};
use crate::sink::HistorySink;
use crate::store::{ChildExecution, MapRunRecord};

/// How many transitions the driver takes before it lets other tasks of the async runtime
/// run: a workflow that loops without waiting must not starve them.
pub(crate) const TRANSITIONS_PER_YIELD: u64 = 1024;

/// What a handler or timer future yields: the event and the wait it answers.
struct Arrival {
    path: FramePath,
    id: WaitId,
    event: Event,
    /// For a callback task whose work was handed over: where its token's outcome comes.
    signals: Option<Signals>,
    /// The task's `HeartbeatSeconds`.
    heartbeat: Option<u64>,
    /// It comes from a Task handler's future (which has now finished).
    from_handler: bool,
    /// For a worker's taking of an activity task: who waits until it is on record.
    acknowledge: Option<Acknowledge>,
    /// For a read of a Distributed Map's items: its source, to read on from next time.
    source: Option<(WaitId, Box<dyn ItemSource>)>,
}

impl Arrival {
    fn new(path: FramePath, id: WaitId, event: Event) -> Arrival {
        Arrival {
            path,
            id,
            event,
            signals: None,
            heartbeat: None,
            from_handler: false,
            acknowledge: None,
            source: None,
        }
    }
}

/// A callback task waiting for its token.
struct TokenWait {
    token: String,
    /// Where the token's signals arrive.
    signals: Signals,
    /// When its `HeartbeatSeconds` run out, once its work was handed over: kept up to date
    /// by the future that waits, read when the execution is parked.
    heartbeat_due: Arc<Mutex<Option<OffsetDateTime>>>,
}

impl TokenWait {
    fn new(token: String, signals: Signals) -> TokenWait {
        TokenWait { token, signals, heartbeat_due: Arc::default() }
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
    /// The callback tasks waiting, by wait id.
    tokens: HashMap<WaitId, TokenWait>,
    /// The Task attempts whose handler futures are running (and the reads of
    /// Distributed Map items).
    handlers: HashSet<WaitId>,
    /// The open `ItemReader` sources of Distributed Maps, by source id, between reads.
    sources: HashMap<WaitId, Box<dyn ItemSource>>,
    /// The execution's ARN, once a Task needed it ([`TaskCall::root_execution`]).
    root_execution: Option<Arc<str>>,
    /// Handlers and timers that have not finished; made when the first is started (a
    /// `FuturesUnordered` allocates, and many executions never wait for anything).
    running: Option<FuturesUnordered<Abortable<BoxFuture<'a, Arrival>>>>,
    /// How to cancel them, by wait id (a Task with a timeout has two futures).
    aborts: HashMap<WaitId, Vec<AbortHandle>>,
    /// What the last step asked for (kept to reuse its buffers).
    effects: Effects,
    /// The execution's `TimeoutSeconds` timer, once it has been needed.
    deadline: Option<Sleep>,
    /// Where history events go as they are recorded, with the execution's ARN.
    sink: Option<(&'a dyn HistorySink, String)>,
    /// Whether what transitions ask for waits in `effects` until [`Driver::release_effects`]
    /// (a durable runtime commits the transitions first; see [`Driver::holding_effects`]).
    hold: bool,
    /// Activity tasks taken by workers, recorded but, when effects are held, not yet
    /// committed: their `GetActivityTask` waits for the release.
    acknowledgements: Vec<Acknowledge>,
    /// A state test's record, which watches its transitions (see [`inspect`](super::inspect)).
    inspector: Option<&'a mut Inspector>,
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
        execution: Execution,
    ) -> Driver<'a> {
        let mut driver = Driver::restored_holding(workflow, handler, clock, callbacks, execution);
        driver.hold = false;
        driver.apply_effects();
        driver
    }

    /// As [`Driver::with_callbacks`], holding what the restored execution waits for until
    /// [`Driver::release_effects`] (see [`Driver::holding_effects`]).
    pub(crate) fn restored_holding(
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
        let mut driver = Driver::idle(workflow, handler, clock, callbacks, execution).holding_effects();
        driver.effects = effects;
        driver
    }

    /// A driver for `execution` that has started nothing yet.
    fn idle(
        workflow: &'a Workflow,
        handler: &'a dyn TaskHandler,
        clock: &'a dyn Clock,
        callbacks: &'a Callbacks,
        execution: Execution,
    ) -> Driver<'a> {
        Driver {
            workflow,
            handler,
            clock,
            callbacks,
            execution,
            tokens: HashMap::new(),
            handlers: HashSet::new(),
            sources: HashMap::new(),
            root_execution: None,
            running: None,
            aborts: HashMap::new(),
            effects: Effects::default(),
            deadline: None,
            sink: None,
            hold: false,
            acknowledgements: Vec::new(),
            inspector: None,
        }
    }

    /// A driver for a state test's new `execution` (see [`inspect`](super::inspect)), watched
    /// by `inspector`. It runs the workflow even when the workflow uses a feature the runtime
    /// cannot run: the test runs one state, which its caller has checked it can.
    pub(super) fn for_state_test(
        workflow: &'a Workflow,
        handler: &'a dyn TaskHandler,
        clock: &'a dyn Clock,
        callbacks: &'a Callbacks,
        execution: Execution,
        inspector: &'a mut Inspector,
    ) -> Driver<'a> {
        let mut driver = Driver::idle(workflow, handler, clock, callbacks, execution);
        driver.inspector = Some(inspector);
        driver
    }

    /// The same driver, keeping what transitions ask for — Task handlers and activities to
    /// start, timers to set, waits to cancel and tokens to close — until
    /// [`Driver::release_effects`], so that nothing leaves the process before the runtime
    /// has made the transitions that asked for it durable (commit before effect). What a
    /// restored execution waits for is held too.
    pub(crate) fn holding_effects(mut self) -> Driver<'a> {
        self.hold = true;
        self
    }

    /// The same driver, writing down the Map Runs of its execution's Distributed Maps and
    /// their `STANDARD` child executions as they end, for [`Driver::take_records`] (see
    /// [`records`](super::records)).
    pub(crate) fn keeping_records(mut self) -> Driver<'a> {
        if self.execution.records.is_none() {
            self.execution.records = Some(Box::new(Records::new(self.execution.info())));
        }
        self
    }

    /// The Map Runs and child executions written down since the last call, for a commit.
    pub(crate) fn take_records(&mut self) -> (Vec<ChildExecution>, Vec<MapRunRecord>) {
        self.execution.records.as_deref_mut().map(Records::take).unwrap_or_default()
    }

    /// The effective input of each activity task held for the next release, by its wait: a
    /// durable runtime records the activity task rows in the commit before the release.
    pub(crate) fn held_activity_inputs(&self) -> impl Iterator<Item = (WaitId, &Value)> + Clone {
        self.effects.requests.iter().filter_map(|request| match request {
            Request::Task(task) if !task.submitted && task.task.callback() == crate::machine::Callback::Activity => {
                Some((task.id, &task.input))
            }
            _ => None,
        })
    }

    /// Whether transitions since the last [`Driver::release_effects`] asked for anything.
    pub(crate) fn has_held_effects(&self) -> bool {
        !self.effects.requests.is_empty() || !self.effects.cancelled.is_empty() || !self.acknowledgements.is_empty()
    }

    /// Starts what the transitions since the last call asked for (see
    /// [`Driver::holding_effects`]); a handler that answers at once is delivered here, so
    /// the execution may be able to move again afterwards.
    pub(crate) fn release_effects(&mut self) {
        for acknowledge in self.acknowledgements.drain(..) {
            acknowledge.send();
        }
        self.apply_effects();
        self.stream_history();
    }

    /// The same driver, handing each history event to `sink` as soon as the transition
    /// that recorded it is over — the events recorded so far at once, except those a
    /// previous driver of a restored execution already handed over.
    pub fn with_history_sink(mut self, sink: &'a dyn HistorySink) -> Driver<'a> {
        self.sink = Some((sink, self.execution.info().execution_arn()));
        self.stream_history();
        self
    }

    /// Hands the events recorded since the last hand-over to `sink` (a durable runtime's
    /// sink, which gets events only once they are committed).
    pub(crate) fn stream_history_to(&mut self, sink: &dyn HistorySink) {
        self.execution.stream_history(sink);
    }

    /// Hands the events recorded since the last call to the sink, if there is one.
    fn stream_history(&mut self) {
        let Some((sink, arn)) = &self.sink else { return };
        self.execution.stream_history_as(*sink, arn);
    }

    /// Takes up a [parked](super::parked) execution of `workflow` whose top-level
    /// `$$.Execution` is `info`: sets its timers again (one already past fires at once) and
    /// waits for its tokens again, each heartbeat deadline where it was. Nothing is started
    /// again: a parked execution had no handler running. Task tokens go through
    /// `callbacks`, which must be those the execution was parked from.
    ///
    /// # Errors
    ///
    /// `States.Runtime` if the parked execution cannot be read back.
    pub(crate) fn unpark(
        workflow: &'a Workflow,
        handler: &'a dyn TaskHandler,
        clock: &'a dyn Clock,
        callbacks: &'a Callbacks,
        parked: &Parked,
        info: ExecutionInfo,
    ) -> Result<Driver<'a>, Error> {
        let execution = parked.restore(info)?;
        let mut driver = Driver::idle(workflow, handler, clock, callbacks, execution);
        for wait in driver.execution.waits() {
            match wait {
                Pending::Timer { id, path, until } => driver.start_timer(id, path, until),
                Pending::Task { id, path, deadline, token, submitted, heartbeat, .. } => {
                    if let Some(deadline) = deadline {
                        driver.start_timer(id, path.clone(), deadline);
                    }
                    let Some(token) = token else {
                        return Err(Error::runtime("A parked Task state has no task token."));
                    };
                    let signals = Signals::default();
                    // `false`: the token was answered meanwhile; the runtime passes the
                    // answer on with `signal`.
                    callbacks.unpark(&token, &signals);
                    driver.tokens.insert(id, TokenWait::new(token, signals.clone()));
                    if submitted {
                        driver.wait_for_outcome(id, path, signals, heartbeat, parked.heartbeat_due(id));
                    } else {
                        driver.wait_for_start(id, path, signals, heartbeat);
                    }
                }
            }
        }
        Ok(driver)
    }

    /// Prepares to park the execution, if it has nothing to do but wait for task tokens and
    /// timers, no timer is due yet and no signal is waiting to be taken: writes it down and
    /// routes its tokens to the runtime, under `execution` (the runtime's number for it).
    /// The driver must then become the parked form ([`Driver::into_parked`]): its tokens
    /// no longer lead to it. `None` (and nothing changed) otherwise.
    pub(crate) fn prepare_park(&self, execution: usize) -> Option<ParkPlan> {
        let mut buffer = compact::take_buffer();
        match self.park_plan(execution, &mut buffer) {
            Some((timers, heartbeats)) => Some(ParkPlan { buffer, timers, heartbeats }),
            None => {
                compact::give_back(buffer);
                None
            }
        }
    }

    /// The parked form of the execution [`Driver::prepare_park`] prepared.
    pub(crate) fn into_parked(self, plan: ParkPlan) -> Parked {
        // What the driver holds goes before the parked form is allocated, so that what stays
        // is not wedged between what goes (which the allocator could then not reuse whole).
        drop(self);
        let ParkPlan { buffer, timers, heartbeats } = plan;
        let parked = Parked::new(&buffer, timers, &heartbeats);
        compact::give_back(buffer);
        parked
    }

    /// Whether the execution can be parked; if so, writes it into `buffer`, routes its
    /// tokens to the runtime and returns its earliest timer and its heartbeat deadlines.
    fn park_plan(&self, execution: usize, buffer: &mut Vec<u8>) -> Option<(Option<OffsetDateTime>, Vec<Heartbeat>)> {
        if !self.handlers.is_empty() || self.execution.outcome().is_some() || self.execution.is_runnable() {
            return None;
        }
        let waits = self.execution.waits();
        if waits.is_empty() {
            return None;
        }
        let mut timers = self.execution.deadline();
        let mut heartbeats = Vec::new();
        let mut routes = Vec::new();
        for wait in &waits {
            match wait {
                Pending::Timer { until, .. } => timers = earliest(timers, Some(*until)),
                Pending::Task { id, state, deadline, submitted, heartbeat, .. } => {
                    timers = earliest(timers, *deadline);
                    let waiting = self.tokens.get(id)?;
                    // Without a running handler, a Task can only wait for its token: an
                    // activity, or a callback task whose integration returned.
                    if !submitted && self.callback(*state) != Callback::Activity {
                        return None;
                    }
                    let due = *waiting.heartbeat_due.lock().unwrap_or_else(PoisonError::into_inner);
                    if let (true, Some(seconds), Some(due)) = (*submitted, *heartbeat, due) {
                        heartbeats.push(Heartbeat { wait: *id, seconds, due });
                    }
                    routes.push((waiting.token.as_str(), &waiting.signals, ParkedAt { execution, wait: *id }));
                }
            }
        }
        let wake_at = heartbeats.iter().map(|heartbeat| heartbeat.due).fold(timers, |at, due| earliest(at, Some(due)));
        if wake_at.is_some_and(|at| at <= self.clock.now()) {
            // A timer is due: let it fire.
            return None;
        }
        self.execution.to_parked(buffer).ok()?;
        self.callbacks.park(&routes).then_some((timers, heartbeats))
    }

    /// Passes `signal` to the callback task `wait` (one the runtime received for it while
    /// the execution was parked). Ignored if the task no longer waits.
    pub(crate) fn signal(&mut self, wait: WaitId, signal: Signal) {
        if let Some(waiting) = self.tokens.get(&wait) {
            waiting.signals.push(signal);
        }
    }

    /// The callback kind of the Task state `(container, state)`.
    fn callback(&self, (container, state): (u16, u16)) -> Callback {
        let state = self.workflow.containers.get(usize::from(container)).and_then(|c| c.states.get(usize::from(state)));
        match state.map(|state| &state.kind) {
            Some(StateKind::Task(task)) => task.callback(),
            _ => Callback::None,
        }
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
            if let Some(more) = self.try_advance() {
                return more;
            }
            self.wait().await;
        }
    }

    /// Takes the next transition if a frame can move (`Some(true)`); `Some(false)` once the
    /// execution has ended; `None` when it must wait ([`Driver::wait`]).
    pub(crate) fn try_advance(&mut self) -> Option<bool> {
        if self.execution.outcome().is_some() {
            self.close_tokens();
            self.stream_history();
            return Some(false);
        }
        let now = self.clock.now();
        if self.execution.timed_out_at(now) {
            self.execution.time_out(self.clock.now());
            self.close_tokens();
            self.stream_history();
            return Some(false);
        }
        if self.execution.step(self.workflow, now, &mut self.effects, self.inspector.as_deref_mut()) {
            if !self.hold {
                self.apply_effects();
            }
            self.stream_history();
            return Some(true);
        }
        // What arrived while waiting (a task handed over, a result) is recorded already.
        self.stream_history();
        None
    }

    /// `UpdateMapRun`: new settings for the running Map Run `map_run_arn` (see
    /// [`Execution::update_map_run`]); `false` when no running Map Run has that ARN.
    pub fn update_map_run(&mut self, map_run_arn: &str, update: &MapRunUpdate) -> bool {
        self.execution.update_map_run(map_run_arn, update)
    }

    /// Stops the execution (status `ABORTED`, see [`Execution::abort`]): drops the
    /// handlers and timers it waits for and closes its task tokens.
    pub fn stop(&mut self, error: Option<String>, cause: Option<String>) {
        self.execution.abort(self.workflow, error, cause, self.clock.now());
        for handles in self.aborts.drain().map(|(_, handles)| handles) {
            handles.iter().for_each(AbortHandle::abort);
        }
        self.running = None;
        self.handlers.clear();
        // What was held for a commit is never started now (and workers waiting for their
        // taking to be on record are let go).
        self.effects.requests.clear();
        self.effects.cancelled.clear();
        self.acknowledgements.clear();
        self.close_tokens();
        self.stream_history();
    }

    /// Runs the execution until it ends.
    pub async fn run(&mut self) -> Outcome {
        self.run_to_end().await;
        self.execution.outcome().cloned().unwrap_or_else(no_outcome)
    }

    /// Runs the execution until it ends and gives its outcome, without a copy of the
    /// output (what [`run()`] returns).
    async fn into_outcome(mut self) -> Outcome {
        self.run_to_end().await;
        self.execution.outcome.take().unwrap_or_else(no_outcome)
    }

    async fn run_to_end(&mut self) {
        while self.advance().await {
            if self.execution.transitions().is_multiple_of(TRANSITIONS_PER_YIELD) {
                YieldNow(false).await;
            }
        }
    }

    /// Waits for the next handler or timer, or the execution's deadline, and records it.
    /// Cancel-safe: dropped before it finishes, it has recorded nothing and lost nothing.
    pub(crate) async fn wait(&mut self) {
        if self.running.as_ref().is_none_or(FuturesUnordered::is_empty) && self.execution.deadline().is_none() {
            // No frame can move and nothing is pending: only a bug gets here. End the
            // execution rather than hang.
            self.execution.fail(Error::runtime("The execution has no state that can run and nothing to wait for."));
            return;
        }
        if self.deadline.is_none() {
            self.deadline = self.execution.deadline().map(|deadline| self.clock.sleep_until(deadline));
        }
        let running = self.running.get_or_insert_with(FuturesUnordered::new);
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
        let Arrival { path, id, event, signals, heartbeat, from_handler, acknowledge, source } = arrival;
        if from_handler {
            self.handlers.remove(&id);
        }
        let handed_over = matches!(event, Event::Submitted(_) | Event::Started(_));
        if !handed_over {
            let timed_out = match &event {
                Event::Timer => true,
                Event::Result(Err(error)) => error.name == names::TIMEOUT || error.name == names::HEARTBEAT_TIMEOUT,
                _ => false,
            };
            self.cancel(id, timed_out);
        }
        let accepted = self.execution.deliver(self.workflow, self.clock.now(), &path, id, event);
        if let (true, Some((source_id, source))) = (accepted, source) {
            self.sources.insert(source_id, source);
        }
        if let (true, Some(acknowledge)) = (accepted, acknowledge) {
            if self.hold {
                self.acknowledgements.push(acknowledge);
            } else {
                acknowledge.send();
            }
        }
        if let (true, true, Some(signals)) = (handed_over, accepted, signals) {
            self.wait_for_outcome(id, path, signals, heartbeat, None);
        }
    }

    /// Drops the futures of wait `id` and closes its task token, if it has one (so a late
    /// `SendTaskSuccess` fails with `TaskTimedOut` or `TaskDoesNotExist`).
    fn cancel(&mut self, id: WaitId, timed_out: bool) {
        if let Some(handles) = self.aborts.remove(&id) {
            handles.iter().for_each(AbortHandle::abort);
        }
        self.handlers.remove(&id);
        self.sources.remove(&id);
        if let Some(waiting) = self.tokens.remove(&id) {
            self.callbacks.close(&waiting.token, timed_out);
        }
    }

    /// Closes the tokens of an execution that ended.
    fn close_tokens(&mut self) {
        for (_, waiting) in self.tokens.drain() {
            self.callbacks.close(&waiting.token, false);
        }
    }

    /// Starts what the last steps asked for and cancels what they no longer need.
    fn apply_effects(&mut self) {
        // Held across several steps, a request may have been cancelled by a later one (a
        // failed branch cancels its siblings' tasks): it is never started.
        let mut withdrawn = Vec::new();
        while let Some(id) = self.effects.cancelled.pop() {
            self.cancel(id, false);
            if self.hold {
                withdrawn.push(id);
            }
        }
        // Requests are taken one by one: a handler that answers at once is delivered
        // before the next request starts.
        // (Delivering an answer never adds requests, so the list can be taken whole; its
        // buffer goes back afterwards to be reused.)
        let mut requests = std::mem::take(&mut self.effects.requests);
        for request in requests.drain(..) {
            match request {
                Request::Task(task) if !withdrawn.contains(&task.id) => self.start_task(*task),
                Request::Timer { id, path, until } if !withdrawn.contains(&id) => self.start_timer(id, path, until),
                Request::Items(read) if !withdrawn.contains(&read.id) => self.start_items(*read),
                Request::Write(write) if !withdrawn.contains(&write.id) => self.start_write(*write),
                Request::Task(_) | Request::Timer { .. } | Request::Items(_) | Request::Write(_) => {}
            }
        }
        self.effects.requests = requests;
    }

    /// Starts a timer that fires [`Event::Timer`] for wait `id` of the frame at `path` at
    /// `until`.
    fn start_timer(&mut self, id: WaitId, path: FramePath, until: OffsetDateTime) {
        let sleep = self.clock.sleep_until(until);
        self.spawn(
            id,
            Box::pin(async move {
                sleep.await;
                Arrival::new(path, id, Event::Timer)
            }),
        );
    }

    /// Starts a Task attempt: its timeout timer, then its handler (polled once at once,
    /// queued only if it is not ready), or, for an activity, its work on the activity's
    /// queue. A callback task opens its token first, so a handler may send the outcome
    /// before it even returns.
    fn start_task(&mut self, request: TaskRequest) {
        let TaskRequest { id, path, state, task, input, context, retry_count, deadline, token, heartbeat, submitted } =
            request;
        if let Some(deadline) = deadline {
            self.start_timer(id, path.clone(), deadline);
        }
        let callback = task.callback();
        let signals = match (&token, callback) {
            (Some(token), Callback::Token | Callback::Activity) => {
                let signals = self.callbacks.open(token);
                self.tokens.insert(id, TokenWait::new(token.clone(), signals.clone()));
                Some(signals)
            }
            _ => None,
        };
        if submitted {
            // Restored after the work was handed over: only the outcome is missing.
            if let Some(signals) = signals {
                if let (Callback::Activity, Some(task_token)) = (callback, token) {
                    // The worker that took an activity task may have gone with the process
                    // that gave it out (workers often run in it): offered again, the task is
                    // dispatched again, as any Task whose end was not committed. Its token is
                    // the same, so whichever worker answers first ends it; a second taking
                    // records nothing.
                    self.callbacks.schedule_activity(task.resource, ActivityTask { task_token, input });
                }
                self.wait_for_outcome(id, path, signals, heartbeat, None);
            }
            return;
        }
        let future: BoxFuture<'a, Arrival> = match (callback, token, signals) {
            (Callback::Activity, Some(task_token), Some(signals)) => {
                self.callbacks.schedule_activity(task.resource, ActivityTask { task_token, input });
                self.wait_for_start(id, path, signals, heartbeat);
                return;
            }
            (_, token, signals) => {
                let handler = self.handler;
                let root_execution = Arc::clone(
                    self.root_execution.get_or_insert_with(|| Arc::from(self.execution.info().execution_arn())),
                );
                Box::pin(async move {
                    let call = TaskCall {
                        task: task.task,
                        state: state.name,
                        resource: task.resource,
                        input,
                        context: &context,
                        // Attempts that read `$$` have a token too (`$$.Task.Token`), but
                        // only a callback task's work ends with it.
                        task_token: token.as_deref().filter(|_| callback != Callback::None),
                        retry_count,
                        root_execution: &root_execution,
                    };
                    let result = handler.invoke(call).await;
                    let arrival = match (result, signals) {
                        // The integration took the work; the token's outcome ends the task.
                        (Ok(output), Some(signals)) => Arrival {
                            signals: Some(signals),
                            heartbeat,
                            ..Arrival::new(path, id, Event::submitted(output))
                        },
                        (result, _) => Arrival::new(path, id, Event::Result(result)),
                    };
                    Arrival { from_handler: true, ..arrival }
                })
            }
        };
        if self.poll_or_spawn(id, future) {
            self.handlers.insert(id);
        }
    }

    /// Reads the next items of a Distributed Map's source, opening it first through the
    /// handler if it is not open (the first read, or the first after a restore).
    fn start_items(&mut self, request: ItemsRequest) {
        let ItemsRequest { id, path, source: source_id, state, resource, parameters, config, skip, max } = request;
        let open = self.sources.remove(&source_id);
        let handler = self.handler;
        let future: BoxFuture<'a, Arrival> = Box::pin(async move {
            let mut source = match open {
                Some(source) => source,
                None => {
                    let call = ItemsCall { state, resource, parameters: &parameters, config: &config, skip };
                    match handler.open_items(call).await {
                        Ok(source) => source,
                        Err(error) => {
                            return Arrival { from_handler: true, ..Arrival::new(path, id, Event::Items(Err(error))) };
                        }
                    }
                }
            };
            let result = source.next(max.max(1)).await;
            // A source that has handed out its last items is closed.
            let more = matches!(&result, Ok(items) if !items.is_empty());
            let source = more.then_some((source_id, source));
            Arrival { from_handler: true, source, ..Arrival::new(path, id, Event::Items(result)) }
        });
        if self.poll_or_spawn(id, future) {
            self.handlers.insert(id);
        }
    }

    /// Writes a Distributed Map's result files through the handler.
    fn start_write(&mut self, request: WriteRequest) {
        let WriteRequest { id, path, state, resource, bucket, objects, result } = request;
        let handler = self.handler;
        let future: BoxFuture<'a, Arrival> = Box::pin(async move {
            let call = ResultsCall { state, resource, bucket: &bucket, objects };
            let written = handler.write_results(call).await.map(|()| result);
            Arrival { from_handler: true, ..Arrival::new(path, id, Event::Result(written)) }
        });
        if self.poll_or_spawn(id, future) {
            self.handlers.insert(id);
        }
    }

    /// Waits for a worker to take an activity task (then for its outcome, see
    /// [`Driver::wait_for_outcome`]), or for its outcome if it comes first.
    fn wait_for_start(&mut self, id: WaitId, path: FramePath, signals: Signals, heartbeat: Option<u64>) {
        let future: BoxFuture<'a, Arrival> = Box::pin(async move {
            loop {
                match signals.recv().await {
                    Signal::Started(worker, acknowledge) => {
                        let signals = Some(signals);
                        let event = Event::Started(worker);
                        return Arrival { signals, heartbeat, acknowledge, ..Arrival::new(path, id, event) };
                    }
                    Signal::Outcome(result, acknowledge) => {
                        // Only a worker that took the task has its token, so an outcome means
                        // it was taken, even if the taking is not on record. (`GetActivityTask`
                        // hands a task out only once its taking is recorded, so this is a
                        // safety net, for a token that reached its sender another way.) Record
                        // the start first, as it happened; the outcome follows at once.
                        signals.push(Signal::Outcome(result, acknowledge));
                        let signals = Some(signals);
                        let event = Event::Started(None);
                        return Arrival { signals, heartbeat, ..Arrival::new(path, id, event) };
                    }
                    // Heartbeats count only once a worker has the task.
                    Signal::Heartbeat => {}
                }
            }
        });
        self.poll_or_spawn(id, future);
    }

    /// Waits for the outcome a callback task's token receives, failing it with
    /// `States.HeartbeatTimeout` when `heartbeat` seconds pass without a heartbeat: from
    /// now, or from `due` (a parked execution's deadline) when given.
    fn wait_for_outcome(
        &mut self,
        id: WaitId,
        path: FramePath,
        signals: Signals,
        heartbeat: Option<u64>,
        due: Option<OffsetDateTime>,
    ) {
        let clock = self.clock;
        let restart = move |seconds: u64| later(clock.now(), Duration::from_secs(seconds));
        let mut due = heartbeat.map(|seconds| due.unwrap_or_else(|| restart(seconds)));
        // Where a runtime that parks the execution reads the deadline.
        let shown = self.tokens.get(&id).map(|waiting| Arc::clone(&waiting.heartbeat_due)).unwrap_or_default();
        let show = move |due: Option<OffsetDateTime>| *shown.lock().unwrap_or_else(PoisonError::into_inner) = due;
        show(due);
        let future: BoxFuture<'a, Arrival> = Box::pin(async move {
            loop {
                let next = Box::pin(signals.recv());
                let signal = match due {
                    None => next.await,
                    Some(at) => match select(next, clock.sleep_until(at)).await {
                        Either::Left((signal, _)) => signal,
                        Either::Right(_) => {
                            let error = Error::named(names::HEARTBEAT_TIMEOUT);
                            return Arrival::new(path, id, Event::Result(Err(error)));
                        }
                    },
                };
                match signal {
                    Signal::Outcome(result, acknowledge) => {
                        return Arrival { acknowledge, ..Arrival::new(path, id, Event::Result(result)) };
                    }
                    // (A second taking has nothing to record: its waiter is let go.)
                    Signal::Heartbeat | Signal::Started(..) => {
                        due = heartbeat.map(restart);
                        show(due);
                    }
                }
            }
        });
        self.poll_or_spawn(id, future);
    }

    /// Polls `future` once; delivers what it yields if it is ready, else queues it.
    /// `true` when it was queued.
    fn poll_or_spawn(&mut self, id: WaitId, mut future: BoxFuture<'a, Arrival>) -> bool {
        // A future polled with a waker that does nothing is polled again, with the real
        // one, by `running` before it is ever left waiting.
        match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(arrival) => {
                self.deliver(arrival);
                false
            }
            Poll::Pending => {
                self.spawn(id, future);
                true
            }
        }
    }

    fn spawn(&mut self, id: WaitId, future: BoxFuture<'a, Arrival>) {
        let (future, handle) = abortable(future);
        self.running.get_or_insert_with(FuturesUnordered::new).push(future);
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
    Driver::new(workflow, handler, clock, started).into_outcome().await
}

/// What a run that stopped without an outcome reports (only a bug gets there).
fn no_outcome() -> Outcome {
    Outcome {
        status: Status::Failed,
        output: None,
        error: Some(crate::error::names::RUNTIME.to_owned()),
        cause: Some("the execution stopped without an outcome".to_owned()),
    }
}

/// An execution about to be parked (see [`Driver::prepare_park`]).
pub(crate) struct ParkPlan {
    /// The execution, written down.
    buffer: Vec<u8>,
    /// Its earliest timer but heartbeats.
    timers: Option<OffsetDateTime>,
    /// Its heartbeat deadlines.
    heartbeats: Vec<Heartbeat>,
}

/// The earlier of two optional instants (`None` is never).
fn earliest(a: Option<OffsetDateTime>, b: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A future that is pending once: lets the async runtime run other tasks.
pub(crate) struct YieldNow(pub(crate) bool);

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
