//! Executions through a `Runtime`, durable and not:
//!
//! - durable state transitions per second: 1,000 executions in flight at all times of a
//!   ten-state workflow whose five Tasks are commit points, on a SQLite store
//!   (`synchronous=FULL`, a real file in Cargo's target directory), two tokio workers;
//! - one lone durable execution at a time: its wall time, and so the latency of its seven
//!   commits (start, five Tasks, end);
//! - Express-style executions per second of a three-state workflow on one core, with no
//!   store: through `execution::run` and through a `Runtime`;
//! - recovery: 10,000 running executions (half waiting for a task token, half for an
//!   hour-long Wait) in a store, taken up by a new runtime until each can be answered;
//! - memory: the resident set of a long-lived durable runtime after 100,000 ended
//!   executions against after 10,000 (an ended execution lives on in the store only).
//!
//! Run: `cargo bench -p asl-bench --bench durable` (`-- --quick` for a short run). The
//! figures are printed, not asserted: a shared machine decides them.

#![allow(clippy::expect_used, clippy::panic)] // a benchmark that cannot run should stop loudly

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use asl_runtime::Runtime;
use asl_runtime::clock::{Clock, RealClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{BoxFuture, Status, TaskCall, TaskHandler, run};
use asl_runtime::store::SqliteStore;
use asl_runtime::{Error, Value};

mod ten_states {
    asl_runtime::include_asl!("flows/ten_states.asl.json");
}

mod three_states {
    asl_runtime::include_asl!("flows/three_states.asl.json");
}

mod token_or_hour {
    asl_runtime::include_asl!("flows/token_or_hour.asl.json");
}

/// States each ten-state execution goes through.
const STATES: u64 = 10;

/// Answers every Task at once.
struct AtOnce;

impl TaskHandler for AtOnce {
    fn invoke<'a>(&'a self, _call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        Box::pin(async { Ok(Value::Bool(true)) })
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // `--only lone|throughput|memory|recovery|express`: one part (repeatable).
    let args: Vec<String> = std::env::args().collect();
    let only: Vec<&str> = args.windows(2).filter(|w| w[0] == "--only").map(|w| w[1].as_str()).collect();
    let part = |name: &str| only.is_empty() || only.contains(&name);
    let run_for = if quick { Duration::from_secs(3) } else { Duration::from_secs(10) };
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a directory for the store");

    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio");
    let store = Arc::new(SqliteStore::open(dir.path().join("durable.sqlite")).expect("open"));
    let runtime = Runtime::builder(RealClock).store(store.clone()).build();

    if part("lone") {
        let lone = tokio.block_on(lone(&runtime, if quick { 100 } else { 500 }));
        let at = |q: f64| lone[((lone.len() - 1) as f64 * q).round() as usize];
        println!(
            "lone durable execution (10 states, 7 commits): p50 {:.2} ms, p99 {:.2} ms ({} runs) = {:.3} ms per commit at p50",
            ms(at(0.5)),
            ms(at(0.99)),
            lone.len(),
            ms(at(0.5)) / 7.0
        );
    }

    if part("throughput") {
        let (executions, elapsed) = tokio.block_on(throughput(&runtime, 1_000, run_for));
        let per_second = executions as f64 / elapsed.as_secs_f64();
        let stats = store.stats();
        println!(
            "1,000 durable executions in flight: {per_second:.0} executions/s = {:.0} state transitions/s \
         ({executions} executions in {elapsed:.1?}; {} commits in {} fsyncs)",
            per_second * STATES as f64,
            stats.writes,
            stats.batches
        );
    }
    drop(runtime);

    if part("memory") {
        let (after_10k, after_100k) = tokio.block_on(memory(&dir.path().join("memory.sqlite")));
        println!(
            "memory of a durable runtime: {:.1} MiB resident after 10,000 ended executions, {:.1} MiB after 100,000 \
         (+{:.1} MiB)",
            mib(after_10k),
            mib(after_100k),
            mib(after_100k.saturating_sub(after_10k))
        );
    }

    if part("recovery") {
        let path = dir.path().join("recovery.sqlite");
        let tokens = tokio.block_on(fill(&path, 10_000));
        // The executions' tasks die with their tokio runtime, as in a crash.
        tokio.shutdown_timeout(Duration::from_secs(1));
        let fresh = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio");
        let (taken_up, elapsed) = fresh.block_on(recover(&path, &tokens));
        println!("recovery: {taken_up} running executions taken up and answerable in {elapsed:.2?}");
    } else {
        drop(tokio);
    }

    if !part("express") {
        return;
    }
    let one_core = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio");
    let (count, elapsed) = one_core.block_on(express_run(run_for / 2));
    println!(
        "3-state executions on one core, execution::run: {:.0}/s ({count} in {elapsed:.1?})",
        count as f64 / elapsed.as_secs_f64()
    );
    let (count, elapsed) = one_core.block_on(express_runtime(run_for / 2));
    println!(
        "3-state executions on one core, Runtime without a store: {:.0}/s ({count} in {elapsed:.1?})",
        count as f64 / elapsed.as_secs_f64()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// This process's resident set, in bytes (Linux: `/proc/self/statm`; 0 elsewhere).
fn resident() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

/// Runs three-state executions through one durable runtime, 1,000 at a time, and reads the
/// resident set after 10,000 and after 100,000 have ended.
async fn memory(path: &std::path::Path) -> (u64, u64) {
    let store = Arc::new(SqliteStore::open(path).expect("open"));
    let runtime = Runtime::builder(RealClock).store(store).build();
    let handler: Arc<dyn TaskHandler> = Arc::new(three_states::Typed(()));
    let mut after_10k = 0;
    for round in 0..100 {
        let mut handles = Vec::with_capacity(1_000);
        for i in 0..1_000 {
            let name = format!("m-{round}-{i}");
            let handle = runtime
                .start(&three_states::WORKFLOW, handler.clone(), &name, Value::Object(Default::default()))
                .expect("start");
            handles.push(handle);
        }
        for handle in handles {
            assert_eq!(handle.wait().await.status, Status::Succeeded);
        }
        if round == 9 {
            after_10k = resident();
        }
    }
    assert!(runtime.list().is_empty(), "ended executions are not kept");
    (after_10k, resident())
}

/// Wall times of `runs` durable executions, one after the other, sorted.
async fn lone(runtime: &Runtime, runs: usize) -> Vec<Duration> {
    let handler: Arc<dyn TaskHandler> = Arc::new(AtOnce);
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        let handle = runtime
            .start(&ten_states::WORKFLOW, handler.clone(), &format!("lone-{i}"), Value::Object(Default::default()))
            .expect("start");
        let outcome = handle.wait().await;
        assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
        times.push(started.elapsed());
    }
    times.sort();
    times
}

/// Keeps `in_flight` durable executions running for `run_for`; how many ended.
async fn throughput(runtime: &Runtime, in_flight: usize, run_for: Duration) -> (u64, Duration) {
    let handler: Arc<dyn TaskHandler> = Arc::new(AtOnce);
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut slots = Vec::with_capacity(in_flight);
    for slot in 0..in_flight {
        let (runtime, handler, done, stop) = (runtime.clone(), handler.clone(), done.clone(), stop.clone());
        slots.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let name = format!("t-{slot}-{n}");
                let handle = runtime
                    .start(&ten_states::WORKFLOW, handler.clone(), &name, Value::Object(Default::default()))
                    .expect("start");
                let outcome = handle.wait().await;
                assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
                done.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
        }));
    }
    tokio::time::sleep(run_for).await;
    let counted = done.load(Ordering::Relaxed);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for slot in slots {
        slot.await.expect("a slot");
    }
    (counted, elapsed)
}

/// Keeps the tokens of the executions that wait for one.
#[derive(Default)]
struct Tokens(std::sync::Mutex<Vec<String>>);

impl TaskHandler for Tokens {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        if let Some(token) = call.task_token {
            self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(token.to_owned());
        }
        Box::pin(async { Ok(Value::Bool(true)) })
    }
}

/// Starts `count` executions in a store at `path` that wait (half for tokens, half for an
/// hour) and returns the tokens once every one is parked.
async fn fill(path: &std::path::Path, count: usize) -> Vec<String> {
    let store = Arc::new(SqliteStore::open(path).expect("open"));
    let runtime = Runtime::builder(RealClock).store(store).build();
    let handler = Arc::new(Tokens::default());
    let mut handles = Vec::with_capacity(count);
    for i in 0..count {
        let input = serde_json::json!({ "token": i % 2 == 0 });
        let handle = runtime.start(&token_or_hour::WORKFLOW, handler.clone(), &format!("r-{i}"), input).expect("start");
        handles.push(handle);
    }
    for handle in &handles {
        handle.stored().await.expect("stored");
    }
    while runtime.parked_count() < count {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    handler.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
}

/// Opens the store at `path` in a new runtime and takes up its executions; how many, and
/// how long until `recover` returned (every execution waits again) and a token answered.
async fn recover(path: &std::path::Path, tokens: &[String]) -> (usize, Duration) {
    let started = Instant::now();
    let store = Arc::new(SqliteStore::open(path).expect("open"));
    let runtime = Runtime::builder(RealClock).store(store).build();
    runtime.register(&token_or_hour::WORKFLOW, Arc::new(Tokens::default()));
    let recovery = runtime.recover().await.expect("recover");
    let token = tokens.first().expect("a token");
    runtime.callbacks().send_task_success(token, Value::Bool(true)).expect("the token is answerable");
    (recovery.resumed.len(), started.elapsed())
}

/// Three-state executions through `execution::run`, one after another, for `run_for`.
async fn express_run(run_for: Duration) -> (u64, Duration) {
    let clock = RealClock;
    let handler = three_states::Typed(());
    let input = Value::Object(Default::default());
    let started = Instant::now();
    let mut count = 0u64;
    while started.elapsed() < run_for {
        for _ in 0..1_000 {
            let info = ExecutionInfo::new(three_states::WORKFLOW.name, "express", clock.now(), input.clone());
            let outcome = run(&three_states::WORKFLOW, &handler, &clock, &info, input.clone()).await;
            debug_assert_eq!(outcome.status, Status::Succeeded);
            count += 1;
        }
    }
    (count, started.elapsed())
}

/// Three-state executions through a `Runtime` without a store, 1,000 at a time.
async fn express_runtime(run_for: Duration) -> (u64, Duration) {
    let started = Instant::now();
    let mut count = 0u64;
    let mut round = 0u64;
    while started.elapsed() < run_for {
        // A runtime keeps every execution it started; a fresh one per round keeps the
        // measurement about running them.
        let runtime = Runtime::new(RealClock);
        let handler: Arc<dyn TaskHandler> = Arc::new(three_states::Typed(()));
        let mut handles = Vec::with_capacity(1_000);
        for i in 0..1_000 {
            let name = format!("e-{round}-{i}");
            let handle = runtime
                .start(&three_states::WORKFLOW, handler.clone(), &name, Value::Object(Default::default()))
                .expect("start");
            handles.push(handle);
        }
        for handle in handles {
            handle.wait().await;
        }
        count += 1_000;
        round += 1;
    }
    (count, started.elapsed())
}
