//! Executions as handles: a [`Runtime`] starts executions of compiled workflows as tokio
//! tasks, and gives back an [`ExecutionHandle`] to wait for, describe or stop each one —
//! the in-process counterparts of AWS's `StartExecution`, `DescribeExecution`,
//! `StopExecution`, `ListExecutions` and `GetExecutionHistory`; with a store,
//! [`Runtime::redrive`] is `RedriveExecution`. Its [`Callbacks`] take the
//! task-token and activity calls, and Task states of its workflows that start other
//! registered workflows (`arn:aws:states:::states:startExecution`, `.sync`, `.sync:2`) run
//! them as child executions.
//!
//! # Parked executions
//!
//! An execution that has nothing to do but wait — no Task handler running, every frame
//! waiting for a task token (a `.waitForTaskToken` task whose integration returned, an
//! activity) or a timer (a Wait state, a retry delay, a Task's `TimeoutSeconds` or
//! `HeartbeatSeconds`, the execution's `TimeoutSeconds`) — is *parked*: its task ends, and
//! the runtime keeps it as compact data, a few hundred bytes, with its tokens routed to the
//! runtime and its earliest deadline in one queue that a single task serves on the
//! runtime's clock. Answering one of its tokens, or its deadline passing, starts a task that
//! takes the execution up where it was; a heartbeat only moves the deadline. So a process
//! can hold very many executions that wait for people or for time (see
//! [`Runtime::parked_count`]). Nothing of this shows from outside: waits, timeouts,
//! heartbeats, stops and descriptions behave as for an execution whose task runs on.

use std::collections::{BTreeMap, HashMap};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};

use futures_util::future::select;
use serde_json::Value;
use time::OffsetDateTime;
use tokio::runtime::Handle;
use tokio::sync::Notify;

use crate::callbacks::{Callbacks, ParkedSink};
use crate::clock::Clock;
use crate::context::ExecutionInfo;
use crate::error::{Error, names};
use crate::execution::parked::{Parked, SavedInfo};
use crate::execution::{
    Driver, Execution, HistoryDetail, Outcome, Status, TRANSITIONS_PER_YIELD, TaskHandler, Workflow, YieldNow,
};
use crate::integrations::nested::Nested;
use crate::intrinsics::{SplitMix64, uuid_v4};
use crate::sink::HistorySink;
use crate::store::{ExecutionRecord, MachineType, Store, StoreError};

pub(crate) mod durable;
mod handle;
mod parking;
mod redrive;
mod registry;
mod rows;

pub use crate::execution::NotRedrivable;
use durable::{Durable, Restored};
pub use handle::{Description, ExecutionHandle, ExecutionStatus};
use handle::{Ended, Shared};
use parking::Timers;
pub use redrive::{RedriveError, RedriveStatus};
pub use registry::RegisterError;
use registry::{Registered, express_refusal};

/// Runs executions and keeps their records. Cheap to clone (the clones share everything).
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

/// A runtime that does not keep it alive ([`Runtime::downgrade`]): for a Task handler the
/// runtime holds, which must reach the runtime's callbacks without a reference cycle.
#[derive(Clone, Default)]
pub struct WeakRuntime {
    inner: Weak<Inner>,
}

impl WeakRuntime {
    /// The runtime, if it still exists.
    pub fn upgrade(&self) -> Option<Runtime> {
        self.inner.upgrade().map(|inner| Runtime { inner })
    }
}

struct Inner {
    clock: Arc<dyn Clock>,
    callbacks: Callbacks,
    /// Registered workflows (those `startExecution` tasks can start), by state machine name.
    workflows: Mutex<HashMap<String, Registered>>,
    /// Run ids of EXPRESS executions (seeded from the operating system once: a start must
    /// not cost a system call).
    express_runs: Mutex<SplitMix64>,
    /// Every execution started, in order, and where each ARN is in that list.
    executions: Mutex<Executions>,
    /// The tokio runtime of the first start: a parked execution is woken from whichever
    /// thread answers its token, which may be outside any tokio runtime.
    tokio: OnceLock<Handle>,
    /// When parked executions must wake.
    timers: Mutex<Timers>,
    /// Tells the task that serves `timers` that an earlier deadline was queued.
    timers_changed: Notify,
    /// How many executions are parked.
    parked: AtomicUsize,
    /// The runtime itself, for the tasks it starts from `&Inner`.
    this: Weak<Inner>,
    /// How much of each history event its executions record.
    history_detail: HistoryDetail,
    /// Where its executions' history events go as they are recorded.
    history_sink: Option<Arc<dyn HistorySink>>,
    /// Where its executions are made durable, if anywhere.
    store: Option<Arc<dyn Store>>,
    /// How long the store keeps an ended execution.
    retention: std::time::Duration,
    /// When ended executions were last purged from the store (on the runtime's clock).
    purged: Mutex<Option<OffsetDateTime>>,
}

/// How long a store keeps ended executions unless told otherwise: AWS keeps them 90 days.
pub const DEFAULT_RETENTION: std::time::Duration = std::time::Duration::from_secs(90 * 24 * 3600);

/// How long an EXPRESS execution may run: five minutes (AWS's quota), then it times out.
pub const EXPRESS_DURATION: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// How often at most a runtime purges its store of executions past their retention.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Builds a [`Runtime`] with non-default settings ([`Runtime::builder`]).
pub struct RuntimeBuilder {
    clock: Arc<dyn Clock>,
    history_detail: HistoryDetail,
    history_sink: Option<Arc<dyn HistorySink>>,
    store: Option<Arc<dyn Store>>,
    retention: std::time::Duration,
}

impl RuntimeBuilder {
    /// How much of each history event the executions record (default
    /// [`HistoryDetail::Full`], as AWS records).
    pub fn history_detail(mut self, detail: HistoryDetail) -> RuntimeBuilder {
        self.history_detail = detail;
        self
    }

    /// Streams every execution's history events to `sink` as they are recorded (each event
    /// once, in order per execution, parked or not). With a [store](RuntimeBuilder::store), a
    /// durable execution's events go to the sink once they are committed: the sink never
    /// shows an event a crash takes back, and after a crash the events of the last commit
    /// may come again (same ids: at least once).
    pub fn history_sink(mut self, sink: Arc<dyn HistorySink>) -> RuntimeBuilder {
        self.history_sink = Some(sink);
        self
    }

    /// Makes every execution durable in `store`: each commits its progress before any
    /// effect of it leaves the process (see [`Runtime::recover`] for what survives a crash).
    /// With a [`SqliteStore`](crate::store::SqliteStore), executions outlive the process.
    pub fn store(mut self, store: Arc<dyn Store>) -> RuntimeBuilder {
        self.store = Some(store);
        self
    }

    /// How long the store keeps an execution after it ended, with its history (default
    /// [`DEFAULT_RETENTION`], 90 days, as AWS). The runtime purges older ones from the store
    /// when it recovers and, at most once an hour, when an execution ends.
    pub fn retention(mut self, retention: std::time::Duration) -> RuntimeBuilder {
        self.retention = retention;
        self
    }

    /// The runtime.
    pub fn build(self) -> Runtime {
        let RuntimeBuilder { clock, history_detail, history_sink, store, retention } = self;
        let inner = Arc::new_cyclic(|this: &Weak<Inner>| {
            let sink: Weak<dyn ParkedSink> = this.clone();
            Inner {
                clock,
                callbacks: Callbacks::with_sink(sink),
                workflows: Mutex::new(HashMap::new()),
                express_runs: Mutex::new(SplitMix64::from_entropy()),
                executions: Mutex::new(Executions::default()),
                tokio: OnceLock::new(),
                timers: Mutex::new(Timers::default()),
                timers_changed: Notify::new(),
                parked: AtomicUsize::new(0),
                this: this.clone(),
                history_detail,
                history_sink,
                store,
                retention,
                purged: Mutex::new(None),
            }
        });
        Runtime { inner }
    }
}

/// The executions a runtime holds: every one it started, or, with a store, those still
/// running (an ended one lives on in the store, and in the handles callers keep).
#[derive(Default)]
struct Executions {
    /// By number, which counts up in start order.
    in_order: BTreeMap<usize, ExecutionHandle>,
    by_arn: HashMap<String, usize>,
    /// The next execution's number.
    next: usize,
}

impl Executions {
    /// Adds `shared` (whose number must be [`Executions::next`]) under `arn`.
    fn insert(&mut self, arn: String, handle: ExecutionHandle) {
        let number = handle.shared.number;
        self.next = number + 1;
        self.in_order.insert(number, handle);
        self.by_arn.insert(arn, number);
    }
}

/// Why [`Runtime::start`] refused to start an execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartError {
    /// An execution of the same state machine with the same name exists
    /// (`ExecutionAlreadyExists`).
    ExecutionAlreadyExists(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::ExecutionAlreadyExists(arn) => write!(f, "ExecutionAlreadyExists: {arn}"),
        }
    }
}

impl std::error::Error for StartError {}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // What these mutexes guard stays consistent even if a holder panicked.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Runtime {
    /// A runtime whose executions use `clock` and record their whole history.
    pub fn new(clock: impl Clock + 'static) -> Runtime {
        Runtime::builder(clock).build()
    }

    /// A builder for a runtime whose executions use `clock`, to set how their history is
    /// kept.
    pub fn builder(clock: impl Clock + 'static) -> RuntimeBuilder {
        RuntimeBuilder {
            clock: Arc::new(clock),
            history_detail: HistoryDetail::Full,
            history_sink: None,
            store: None,
            retention: DEFAULT_RETENTION,
        }
    }

    /// A handle that does not keep the runtime alive.
    pub fn downgrade(&self) -> WeakRuntime {
        WeakRuntime { inner: Arc::downgrade(&self.inner) }
    }

    /// Where task tokens are answered and activity workers poll.
    pub fn callbacks(&self) -> &Callbacks {
        &self.inner.callbacks
    }

    /// Makes `workflow` a STANDARD state machine of this runtime, its tasks run by
    /// `handler`: startable by `arn:aws:states:::states:startExecution` tasks (found by the
    /// state machine name at the end of their `StateMachineArn`) and taken up by
    /// [`Runtime::recover`]. (As [`Runtime::register_as`] with [`MachineType::Standard`].)
    /// A `startExecution` task of a state machine that is not registered goes to its
    /// workflow's own handler, as any other Task does.
    pub fn register(&self, workflow: &'static Workflow, handler: Arc<dyn TaskHandler>) {
        let registered = Registered { workflow, handler, machine_type: MachineType::Standard };
        lock(&self.inner.workflows).insert(workflow.name.to_owned(), registered);
    }

    /// Makes `workflow` a state machine of type `machine_type`, as [`Runtime::register`].
    /// Its executions, however started, run as that type:
    ///
    /// - STANDARD: durable in the runtime's store, if it has one; names unique per state
    ///   machine; ARNs `…:execution:<machine>:<name>`.
    /// - EXPRESS: never stored (AWS keeps no Express state between transitions: a crash
    ///   loses them, and they are at-least-once); names need not be unique, as ARNs end in a
    ///   run id (`…:express:<machine>:<name>:<uuid>`); at most five minutes, then
    ///   `TIMED_OUT`, whatever the definition's `TimeoutSeconds`.
    ///
    /// # Errors
    ///
    /// [`RegisterError::NotForExpress`] if `machine_type` is EXPRESS and a Task of the
    /// workflow uses an activity, `.sync` or `.waitForTaskToken`, which AWS refuses for
    /// Express machines.
    pub fn register_as(
        &self,
        workflow: &'static Workflow,
        handler: Arc<dyn TaskHandler>,
        machine_type: MachineType,
    ) -> Result<(), RegisterError> {
        if machine_type == MachineType::Express
            && let Some(refusal) = express_refusal(workflow)
        {
            return Err(refusal);
        }
        let registered = Registered { workflow, handler, machine_type };
        lock(&self.inner.workflows).insert(workflow.name.to_owned(), registered);
        Ok(())
    }

    /// The workflow registered as the state machine `name`, with its handler.
    pub(crate) fn registered(&self, name: &str) -> Option<(&'static Workflow, Arc<dyn TaskHandler>)> {
        lock(&self.inner.workflows).get(name).map(|registered| (registered.workflow, Arc::clone(&registered.handler)))
    }

    /// Now, on the runtime's clock.
    pub(crate) fn now(&self) -> OffsetDateTime {
        self.inner.clock.now()
    }

    /// The runtime's store, if it has one.
    pub(crate) fn store(&self) -> Option<&Arc<dyn Store>> {
        self.inner.store.as_ref()
    }

    /// The type `workflow` was registered as (STANDARD if it was not).
    pub fn machine_type(&self, workflow: &Workflow) -> MachineType {
        match lock(&self.inner.workflows).get(workflow.name) {
            Some(registered) if std::ptr::eq(registered.workflow, workflow) => registered.machine_type,
            _ => MachineType::Standard,
        }
    }

    /// Starts an execution of `workflow` called `name` with `input`, its tasks run by
    /// `handler`, as a tokio task (call it inside a tokio runtime).
    ///
    /// # Errors
    ///
    /// [`StartError::ExecutionAlreadyExists`] if this runtime already started an execution
    /// of the same state machine with that name (STANDARD only: Express names need not be
    /// unique).
    pub fn start(
        &self,
        workflow: &'static Workflow,
        handler: Arc<dyn TaskHandler>,
        name: &str,
        input: Value,
    ) -> Result<ExecutionHandle, StartError> {
        let info = ExecutionInfo::new(workflow.name, name, self.inner.clock.now(), input);
        self.start_with(workflow, handler, info)
    }

    /// As [`Runtime::start`], with the execution's context-object data given in full.
    ///
    /// # Errors
    ///
    /// As [`Runtime::start`].
    pub fn start_with(
        &self,
        workflow: &'static Workflow,
        handler: Arc<dyn TaskHandler>,
        mut info: ExecutionInfo,
    ) -> Result<ExecutionHandle, StartError> {
        if self.inner.tokio.get().is_none()
            && let Ok(handle) = Handle::try_current()
        {
            let _ = self.inner.tokio.set(handle);
        }
        let express = self.machine_type(workflow) == MachineType::Express;
        if express && info.express_run.is_none() {
            info.express_run = Some(uuid_v4(&mut *lock(&self.inner.express_runs)));
        }
        let arn = info.execution_arn();
        let handle = {
            let mut executions = lock(&self.inner.executions);
            if executions.by_arn.contains_key(&arn) {
                return Err(StartError::ExecutionAlreadyExists(arn));
            }
            let number = executions.next;
            let saved = SavedInfo::new(&info);
            // Express executions are never stored (AWS does not persist them).
            let store = self.inner.store.as_ref().filter(|_| !express);
            let durable = store.map(|store| Durable::new(Arc::clone(store), arn.clone()));
            // Nothing to wait for before an execution that is not stored is reported started.
            let stored = durable.is_none().then_some(Ok(()));
            let runtime = Arc::downgrade(&self.inner);
            let shared =
                Arc::new(Shared::new(saved, number, workflow, handler, runtime, durable.map(Box::new), stored));
            let handle = ExecutionHandle { shared };
            executions.insert(arn, handle.clone());
            handle
        };
        drop(info);
        self.inner.run(self.clone(), Arc::clone(&handle.shared), Start::New);
        Ok(handle)
    }

    /// Takes up every execution the runtime's store holds as running, where its last commit
    /// left it: after a crash or a restart, with the same store. Its workflow must have
    /// been [registered](Runtime::register) (found by the state machine name at the end of
    /// its ARN); executions of workflows that are not are left as they are and named in
    /// [`Recovery::unknown`].
    ///
    /// What survives: everything a commit recorded, which is everything any caller or
    /// handler was ever told. Timers (Wait states, retry delays, timeouts) fire at their
    /// original deadlines on the runtime's clock; task tokens handed out can be answered;
    /// activity tasks no worker has finished are claimable again; Parallel and Map progress
    /// and retry counters are kept. What runs again: a Task attempt that was started but
    /// whose result was not committed is started again, so a handler may run twice for one
    /// attempt across a crash (at-least-once, as in every durable engine); make handlers
    /// idempotent or tolerate it.
    ///
    /// # Errors
    ///
    /// The store's, reading the running executions. One execution that cannot be read back
    /// is named in [`Recovery::unreadable`] and the others are taken up.
    pub async fn recover(&self) -> Result<Recovery, StoreError> {
        let registered = |record: &ExecutionRecord| {
            let machine = record.state_machine_arn.rsplit(':').next().unwrap_or_default();
            lock(&self.inner.workflows).get(machine).map(|r| (r.workflow, Arc::clone(&r.handler)))
        };
        self.recover_with(registered).await
    }

    /// As [`Runtime::recover`], with the workflow (and handler) each execution is taken up
    /// on chosen by `resolve`: the definition it was started on, which is not the registered
    /// one if its state machine changed since (an execution's saved state names states by
    /// their place in its own definition). `None`: the execution's state machine is unknown
    /// ([`Recovery::unknown`]).
    ///
    /// # Errors
    ///
    /// As [`Runtime::recover`].
    pub async fn recover_with(
        &self,
        resolve: impl Fn(&ExecutionRecord) -> Option<(&'static Workflow, Arc<dyn TaskHandler>)>,
    ) -> Result<Recovery, StoreError> {
        let Some(store) = self.inner.store.clone() else { return Ok(Recovery::default()) };
        if self.inner.tokio.get().is_none()
            && let Ok(handle) = Handle::try_current()
        {
            let _ = self.inner.tokio.set(handle);
        }
        self.inner.purge(&*store, true).await;
        let mut recovery = Recovery::default();
        let mut known = Vec::new();
        for record in store.running_executions().await? {
            match resolve(&record) {
                Some((workflow, handler)) => known.push((workflow, handler, record)),
                None => recovery.unknown.push(record.arn),
            }
        }
        // Many reads in flight at once: the store answers them back to back.
        let mut reads = futures_util::StreamExt::buffer_unordered(
            futures_util::stream::iter(known.into_iter().map(|(workflow, handler, record)| {
                let store = &*store;
                async move {
                    let arn = record.arn.clone();
                    (workflow, handler, arn, durable::restore(store, record).await)
                }
            })),
            RECOVERY_READS,
        );
        let mut restored = Vec::new();
        while let Some((workflow, handler, arn, read)) = futures_util::StreamExt::next(&mut reads).await {
            match read {
                Ok(execution) => restored.push((workflow, handler, execution)),
                Err(error) => recovery.unreadable.push((arn, error)),
            }
        }
        drop(reads);
        // Taken up in the order they started, as the store listed them.
        restored.sort_by_key(|(_, _, execution)| execution.execution.info().start_time);
        // Every execution is known before any runs: a parent taken up may look for the child
        // it started.
        let mut started = Vec::new();
        {
            let mut executions = lock(&self.inner.executions);
            for (workflow, handler, execution) in restored {
                if executions.by_arn.contains_key(&execution.arn) {
                    continue;
                }
                let number = executions.next;
                let durable = Durable::restored(Arc::clone(&store), &execution, workflow);
                let Restored { arn, execution, info, .. } = execution;
                let runtime = Arc::downgrade(&self.inner);
                let shared =
                    Shared::new(info, number, workflow, handler, runtime, Some(Box::new(durable)), Some(Ok(())));
                let shared = Arc::new(shared);
                let handle = ExecutionHandle { shared };
                executions.insert(arn.clone(), handle.clone());
                recovery.resumed.push(arn);
                started.push((handle, execution));
            }
        }
        let mut waiting = Vec::new();
        for (handle, execution) in started {
            let (ready, taken_up) = tokio::sync::oneshot::channel();
            waiting.push(taken_up);
            self.inner.run(self.clone(), handle.shared, Start::Restored(Box::new(execution), Some(ready)));
        }
        // Answering a token right after recovery must work: each execution waits again
        // before this returns (a dropped sender means it ended meanwhile).
        for taken_up in waiting {
            let _ = taken_up.await;
        }
        Ok(recovery)
    }

    /// The execution with this ARN, if this runtime started it (with a store: if it started
    /// or recovered it and it is still running; the store has the others).
    pub fn execution(&self, execution_arn: &str) -> Option<ExecutionHandle> {
        let executions = lock(&self.inner.executions);
        executions.by_arn.get(execution_arn).and_then(|index| executions.in_order.get(index)).cloned()
    }

    /// `ListExecutions`: every execution this runtime started, oldest first (with a store:
    /// those still running; the store lists them all).
    pub fn list(&self) -> Vec<Description> {
        lock(&self.inner.executions).in_order.values().map(ExecutionHandle::describe).collect()
    }

    /// How many of this runtime's executions are parked right now: waiting for task tokens
    /// or timers with no task running, kept only as data (see the
    /// [module documentation](self#parked-executions)). For tests and monitoring.
    pub fn parked_count(&self) -> usize {
        self.inner.parked.load(Ordering::SeqCst)
    }

    /// Runs one execution (new, taken up from its parked form, or read back from the store)
    /// until it ends, is stopped or is parked, and records how it ended. With a store, it
    /// commits whenever the execution must wait, before starting what its transitions asked
    /// for, and when it ends.
    async fn drive(&self, shared: Arc<Shared>, start: Start) {
        let clock: &dyn Clock = &*self.inner.clock;
        let callbacks = &self.inner.callbacks;
        let nested = Nested::new(self.clone(), Arc::clone(&shared.handler));
        let workflow = shared.workflow;
        let mut durable = lock(&shared.durable).take();
        let mut ready = None;
        let mut driver = match start {
            Start::New => {
                let info = match shared.info.load() {
                    Ok(info) => info,
                    Err(error) => return self.inner.end_unrestored(&shared, error),
                };
                let input = info.input.clone();
                let detail = self.inner.history_detail;
                let express = info.express_run.is_some();
                let now = clock.now();
                let mut execution = Execution::start_recording(workflow, info, input, now, detail);
                if express {
                    execution.cap_deadline(now + EXPRESS_DURATION);
                }
                Driver::with_callbacks(workflow, &nested, clock, callbacks, execution)
            }
            Start::Parked(parked) => match unpark(&shared, &parked, &nested, clock, callbacks) {
                Ok(driver) => driver,
                Err(error) => return self.inner.end_unrestored(&shared, error),
            },
            Start::Restored(execution, waiting) => {
                ready = waiting;
                Driver::restored_holding(workflow, &nested, clock, callbacks, *execution)
            }
        };
        if durable.is_some() {
            driver = driver.holding_effects().keeping_records();
        }
        let sink = self.inner.history_sink.as_deref();
        // A durable execution's events go to the sink once committed (see `streamed`), so
        // the log never shows an event that a crash then takes back.
        let streamed = |driver: &mut Driver<'_>| {
            if let Some(sink) = sink {
                driver.stream_history_to(sink);
            }
        };
        if let Some(sink) = sink
            && durable.is_none()
        {
            driver = driver.with_history_sink(sink);
        }
        // Only commits name the state machine (the execution holds its `$$.Execution`).
        let state_machine_arn = match durable {
            Some(_) => driver.execution().info().state_machine_arn(),
            None => String::new(),
        };
        loop {
            let (stop, mail, updates) = {
                let mut progress = lock(&shared.progress);
                let updates = std::mem::take(&mut progress.map_run_updates);
                (progress.stop_request.take(), std::mem::take(&mut progress.mail), updates)
            };
            for (wait, signal) in mail {
                driver.signal(wait, signal);
            }
            for (map_run_arn, update) in updates {
                driver.update_map_run(&map_run_arn, &update);
            }
            if let Some(stop) = stop {
                let (error, cause) = *stop;
                driver.stop(error, cause);
                break;
            }
            match driver.try_advance() {
                Some(true) => {
                    if driver.execution().transitions().is_multiple_of(TRANSITIONS_PER_YIELD) {
                        // A workflow that loops without waiting must not starve other tasks.
                        YieldNow(false).await;
                    }
                    continue;
                }
                Some(false) => break,
                None => {}
            }
            // The execution must wait: what it asked for leaves the process only once the
            // transitions that asked for it are durable.
            if let Some(record) = durable.as_mut() {
                let held = driver.has_held_effects();
                if record.behind(driver.execution()) {
                    let committed = record.commit(&mut driver, workflow, &shared.info, &state_machine_arn).await;
                    if let Err(error) = self.inner.stored(&shared, committed) {
                        return self.inner.end_unstored(&shared, &mut driver, error);
                    }
                    streamed(&mut driver);
                }
                if held {
                    // A handler that answers at once is delivered here: look again.
                    driver.release_effects();
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(());
                    }
                    continue;
                }
            }
            if let Some(ready) = ready.take() {
                let _ = ready.send(());
            }
            // Nothing to do but wait: park if only tokens and timers are waited for.
            if let Some(plan) = driver.prepare_park(shared.number) {
                let parked = driver.into_parked(plan);
                *lock(&shared.durable) = durable.take();
                let Some(parked) = self.inner.keep_parked(&shared, parked) else { return };
                // A stop or a signal came while it was being parked: take it up again.
                durable = lock(&shared.durable).take();
                driver = match unpark(&shared, &parked, &nested, clock, callbacks) {
                    Ok(driver) => driver,
                    Err(error) => return self.inner.end_unrestored(&shared, error),
                };
                if durable.is_some() {
                    driver = driver.holding_effects().keeping_records();
                }
                if let Some(sink) = sink
                    && durable.is_none()
                {
                    driver = driver.with_history_sink(sink);
                }
                continue;
            }
            publish_history(&shared, driver.execution());
            let poked = pin!(shared.poke.notified());
            let waited = pin!(driver.wait());
            select(waited, poked).await;
        }
        if let Some(record) = durable.as_mut() {
            // The end is reported only once it is durable.
            let committed = record.commit(&mut driver, workflow, &shared.info, &state_machine_arn).await;
            if let Err(error) = self.inner.stored(&shared, committed) {
                return self.inner.end_unstored(&shared, &mut driver, error);
            }
            streamed(&mut driver);
            if let Some(store) = &self.inner.store {
                self.inner.purge(&**store, false).await;
            }
        }
        self.inner.end(&shared, &driver.into_execution());
    }
}

/// How many executions [`Runtime::recover`] reads back at once.
const RECOVERY_READS: usize = 64;

/// What [`Runtime::recover`] did.
#[derive(Debug, Default)]
pub struct Recovery {
    /// The executions taken up, by ARN.
    pub resumed: Vec<String>,
    /// Running executions of workflows that are not registered, left as they are.
    pub unknown: Vec<String>,
    /// Running executions that could not be read back, and why.
    pub unreadable: Vec<(String, StoreError)>,
}

/// Copies the events `execution` recorded since the last copy to `shared`'s record, where
/// [`ExecutionHandle::history`] reads a running execution's history.
fn publish_history(shared: &Shared, execution: &Execution) {
    let mut progress = lock(&shared.progress);
    let events = execution.history();
    let published = progress.live_history.len();
    if let Some(new) = events.get(published..) {
        progress.live_history.extend_from_slice(new);
    }
}

/// How a task that runs an execution starts it.
enum Start {
    /// A new execution.
    New,
    /// A parked execution, to take up.
    Parked(Box<Parked>),
    /// An execution read back from the store, and who waits until it waits again for what
    /// it waited for (its tokens can be answered).
    Restored(Box<Execution>, Option<tokio::sync::oneshot::Sender<()>>),
}

/// A driver that takes up `parked`, the parked form of `shared`'s execution.
fn unpark<'a>(
    shared: &Shared,
    parked: &Parked,
    handler: &'a Nested,
    clock: &'a dyn Clock,
    callbacks: &'a Callbacks,
) -> Result<Driver<'a>, Error> {
    let info = shared.info.load()?;
    Driver::unpark(shared.workflow, handler, clock, callbacks, parked, info)
}

impl Inner {
    /// Starts a task that runs `shared`'s execution.
    fn run(&self, runtime: Runtime, shared: Arc<Shared>, start: Start) {
        // The driving future is large; boxed when the task first runs, it takes no room in
        // tasks that wait to be run (a burst of starts spawns many at once).
        self.spawn(async move { Box::pin(runtime.drive(shared, start)).await });
    }

    /// Spawns `task` on the current tokio runtime, or on the one of the first start when
    /// called from elsewhere (a thread that answers a token).
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        match (Handle::try_current(), self.tokio.get()) {
            (Ok(handle), _) => drop(handle.spawn(task)),
            (Err(_), Some(handle)) => drop(handle.spawn(task)),
            // Nothing has started inside a tokio runtime: as `tokio::spawn` (which says so).
            (Err(_), None) => drop(tokio::spawn(task)),
        }
    }

    /// The record of execution `number`.
    fn shared(&self, number: usize) -> Option<Arc<Shared>> {
        lock(&self.executions).in_order.get(&number).map(|handle| Arc::clone(&handle.shared))
    }

    /// Records how `shared`'s execution ended and tells whoever waits.
    fn end(&self, shared: &Shared, execution: &Execution) {
        let outcome = execution.outcome().cloned().unwrap_or_else(|| Outcome {
            status: Status::Failed,
            output: None,
            error: Some(names::RUNTIME.to_owned()),
            cause: Some("the execution stopped without an outcome".to_owned()),
        });
        let ended = Ended { outcome, stop_date: self.clock.now(), history: execution.history().to_vec() };
        shared.finish(ended);
    }

    /// Deletes from `store` the executions that ended more than the retention period ago:
    /// at once when `now` is set, else if the last purge was an hour or more ago. A failed
    /// purge is tried again at the next chance (it deletes nothing that is still needed).
    async fn purge(&self, store: &dyn Store, now: bool) {
        let at = self.clock.now();
        {
            let mut purged = lock(&self.purged);
            if !now && purged.is_some_and(|last| at - last < PURGE_EVERY) {
                return;
            }
            *purged = Some(at);
        }
        let _ = store.purge_ended_before(at - self.retention).await;
    }

    /// Records how a commit of `shared`'s execution went: the first one tells those who wait
    /// for the start to be durable ([`ExecutionHandle::stored`]).
    fn stored(&self, shared: &Shared, committed: Result<(), StoreError>) -> Result<(), StoreError> {
        let mut progress = lock(&shared.progress);
        if progress.stored.is_none() {
            progress.stored = Some(committed.clone());
            drop(progress);
            shared.stored.notify_waiters();
        }
        committed
    }

    /// Ends an execution whose store refused or failed a commit: it cannot go on without
    /// breaking the promise that what it did is durable. What it waits for is dropped and
    /// its tokens closed; in the process it ends failed with `States.Runtime` and the
    /// store's error as the cause. (Whatever the store last committed is what a later
    /// recovery takes up.)
    fn end_unstored(&self, shared: &Shared, driver: &mut Driver<'_>, error: StoreError) {
        driver.stop(None, None);
        let failure = durable::store_failure(&error);
        let outcome = Outcome {
            status: Status::Failed,
            output: None,
            error: Some(failure.name.to_string()),
            cause: failure.cause,
        };
        let history = driver.execution().history().to_vec();
        shared.finish(Ended { outcome, stop_date: self.clock.now(), history });
    }

    /// Ends an execution whose parked form could not be read back (which does not happen).
    fn end_unrestored(&self, shared: &Shared, error: Error) {
        let outcome =
            Outcome { status: Status::Failed, output: None, error: Some(error.name.to_string()), cause: error.cause };
        shared.finish(Ended { outcome, stop_date: self.clock.now(), history: Vec::new() });
    }
}
