//! The shared benchmark workloads (`shared/bench/workloads`), each two ways:
//!
//! - **compiled**: the definition compiled by `build.rs` with `asl_codegen::Builder` and run
//!   by [`asl_runtime::execution::run`] on a [`VirtualClock`] inside a current-thread tokio
//!   runtime with paused time ([`runtime`]), so task-retry's one-second retry pauses take
//!   no real time;
//! - **hand-written**: a plain Rust function over [`serde_json::Value`] doing the same work
//!   (the same data shaping, the same handler calls, the same retry pauses on the same
//!   paused clock) — what a programmer would write without Step Functions.
//!
//! `benches/workloads.rs` times both with criterion; `tests/workloads.rs` checks that both
//! produce each workload's `.expected.json`.

use std::future::Future;
use std::pin::Pin;

use asl_runtime::clock::Clock;
use asl_runtime::clock::VirtualClock;
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{Driver, Execution, HistoryDetail, Outcome, TaskHandler, Workflow, run};
use asl_runtime::{Error, Value};
use time::OffsetDateTime;

pub mod baseline;
pub mod handlers;

/// The workflows `build.rs` compiled, one module each.
pub mod workflows {
    /// `loop-choice`: a 100,000-iteration Pass (`States.MathAdd`) + Choice counter loop.
    #[allow(missing_docs)]
    pub mod loop_choice {
        asl_runtime::include_generated!("loop_choice");
    }
    /// `map-inline`: an inline Map over 10,000 items, three shaping Pass states each.
    #[allow(missing_docs)]
    pub mod map_inline {
        asl_runtime::include_generated!("map_inline");
    }
    /// `parallel-fanout`: a Parallel state of 8 branches, each a 1,000-iteration loop.
    #[allow(missing_docs)]
    pub mod parallel_fanout {
        asl_runtime::include_generated!("parallel_fanout");
    }
    /// `dataflow-heavy`: 10,000 rounds of heavy JSONPath data flow around an echo Task.
    #[allow(missing_docs)]
    pub mod dataflow_heavy {
        asl_runtime::include_generated!("dataflow_heavy");
    }
    /// `task-retry`: 10,000 rounds of a Task that fails twice, then succeeds.
    #[allow(missing_docs)]
    pub mod task_retry {
        asl_runtime::include_generated!("task_retry");
    }
}

/// Reads a workload file at compile time (`build.rs` has already checked the directory).
macro_rules! workload_file {
    ($name:literal, $kind:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench/workloads/", $name, ".", $kind, ".json"))
    };
}

/// The text of a workload's `.input.json`, `.expected.json` and `.meta.json`.
struct Files {
    input: &'static str,
    expected: &'static str,
    meta: &'static str,
}

macro_rules! files {
    ($name:literal) => {
        Files {
            input: workload_file!($name, "input"),
            expected: workload_file!($name, "expected"),
            meta: workload_file!($name, "meta"),
        }
    };
}

/// A boxed future, so that each workload's runs can be named by one type.
pub type Run<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// One of the five workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// `loop-choice`.
    LoopChoice,
    /// `map-inline`.
    MapInline,
    /// `parallel-fanout`.
    ParallelFanout,
    /// `dataflow-heavy`.
    DataflowHeavy,
    /// `task-retry`.
    TaskRetry,
}

impl Workload {
    /// Every workload, in the README's order.
    pub const ALL: [Workload; 5] = [
        Workload::LoopChoice,
        Workload::MapInline,
        Workload::ParallelFanout,
        Workload::DataflowHeavy,
        Workload::TaskRetry,
    ];

    /// The workload's file stem.
    pub fn name(self) -> &'static str {
        self.workflow().name
    }

    /// The compiled workflow.
    pub fn workflow(self) -> &'static Workflow {
        match self {
            Workload::LoopChoice => &workflows::loop_choice::WORKFLOW,
            Workload::MapInline => &workflows::map_inline::WORKFLOW,
            Workload::ParallelFanout => &workflows::parallel_fanout::WORKFLOW,
            Workload::DataflowHeavy => &workflows::dataflow_heavy::WORKFLOW,
            Workload::TaskRetry => &workflows::task_retry::WORKFLOW,
        }
    }

    fn files(self) -> Files {
        match self {
            Workload::LoopChoice => files!("loop-choice"),
            Workload::MapInline => files!("map-inline"),
            Workload::ParallelFanout => files!("parallel-fanout"),
            Workload::DataflowHeavy => files!("dataflow-heavy"),
            Workload::TaskRetry => files!("task-retry"),
        }
    }

    /// The execution input (`.input.json`).
    ///
    /// # Errors
    ///
    /// The file is not JSON.
    pub fn input(self) -> serde_json::Result<Value> {
        serde_json::from_str(self.files().input)
    }

    /// The correct output (`.expected.json`).
    ///
    /// # Errors
    ///
    /// The file is not JSON.
    pub fn expected(self) -> serde_json::Result<Value> {
        serde_json::from_str(self.files().expected)
    }

    /// The state transitions of one execution (`.meta.json`'s `transitions`), `None` if the
    /// file does not say.
    pub fn transitions(self) -> Option<u64> {
        self.meta("transitions")
    }

    /// The task invocations of one execution (`.meta.json`'s `task_invocations`).
    pub fn task_invocations(self) -> Option<u64> {
        self.meta("task_invocations")
    }

    fn meta(self, key: &str) -> Option<u64> {
        serde_json::from_str::<Value>(self.files().meta).ok()?.get(key)?.as_u64()
    }

    /// What a compiled run needs besides the input: the execution's context-object data,
    /// which holds its own copy of the input (`$$.Execution.Input`). Build it outside the
    /// timed region, as a service would before starting the execution.
    ///
    /// An EXPRESS execution: high-volume in-memory runs are what Express workflows are for,
    /// and several workloads record more than the 25,000 history events a STANDARD
    /// execution may have.
    pub fn execution_info(self, input: &Value) -> ExecutionInfo {
        ExecutionInfo::new(self.name(), "bench", START_TIME, input.clone())
            .express("00000000-0000-4000-8000-000000000000")
    }

    /// Runs the compiled workflow once on a [`VirtualClock`] with this workload's task
    /// handler, as [`run`] does (its history keeps event types only). Poll it on a
    /// [`runtime`].
    pub fn run_compiled<'a>(self, execution: &'a ExecutionInfo, input: Value) -> Run<'a, Outcome> {
        self.run_recording(execution, input, None)
    }

    /// As [`Workload::run_compiled`], with a driver whose execution records `detail` of
    /// each history event (`None`: as [`run`] does).
    pub fn run_recording<'a>(
        self,
        execution: &'a ExecutionInfo,
        input: Value,
        detail: Option<HistoryDetail>,
    ) -> Run<'a, Outcome> {
        Box::pin(async move {
            // Built inside the (paused) runtime, as VirtualClock requires.
            let clock = VirtualClock::starting_at(execution.start_time);
            let workflow = self.workflow();
            let handler: &dyn TaskHandler = match self {
                Workload::LoopChoice => &workflows::loop_choice::Typed(()),
                Workload::MapInline => &workflows::map_inline::Typed(()),
                Workload::ParallelFanout => &workflows::parallel_fanout::Typed(()),
                Workload::DataflowHeavy => &workflows::dataflow_heavy::Typed(handlers::Echo),
                Workload::TaskRetry => &workflows::task_retry::Typed(handlers::Flaky::new()),
            };
            let Some(detail) = detail else { return run(workflow, handler, &clock, execution, input).await };
            let started = Execution::start_recording(workflow, execution.clone(), input, clock.now(), detail);
            Driver::new(workflow, handler, &clock, started).run().await
        })
    }

    /// Runs the hand-written equivalent once. Poll it on a [`runtime`] (only task-retry
    /// awaits anything: its retry pauses).
    pub fn run_handwritten(self, input: Value) -> Run<'static, Result<Value, Error>> {
        match self {
            Workload::LoopChoice => Box::pin(std::future::ready(baseline::loop_choice(input))),
            Workload::MapInline => Box::pin(std::future::ready(baseline::map_inline(input))),
            Workload::ParallelFanout => Box::pin(std::future::ready(baseline::parallel_fanout(input))),
            Workload::DataflowHeavy => Box::pin(std::future::ready(baseline::dataflow_heavy(input, &handlers::Echo))),
            Workload::TaskRetry => Box::pin(async move { baseline::task_retry(input, &handlers::Flaky::new()).await }),
        }
    }
}

/// `$$.Execution.StartTime` of every run: fixed, so runs are reproducible.
pub const START_TIME: OffsetDateTime = OffsetDateTime::UNIX_EPOCH;

/// The runtime both kinds of run are polled on: current-thread, time paused (so sleeps on
/// the virtual clock, and the hand-written retry pauses, complete as soon as nothing else
/// can run).
///
/// # Errors
///
/// Tokio could not build the runtime.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build()
}
