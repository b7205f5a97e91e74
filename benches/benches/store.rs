//! The SQLite store's group commit: throughput of many concurrent committers and the
//! latency of a lone one, with `synchronous=FULL` on a real file (in Cargo's target
//! directory, so on the same disk as the build; never a tmpfs).
//!
//! Run: `cargo bench -p asl-bench --bench store` (add `-- --quick` for a short run).
//! Each committer is one execution that commits again as soon as its previous commit is
//! acknowledged (durable), as a running execution does at each Task. The figures are
//! printed, not asserted: a shared machine's disk decides them.

#![allow(clippy::expect_used, clippy::panic)] // a benchmark that cannot run should stop loudly

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use asl_runtime::execution::Status;
use asl_runtime::store::{Commit, ExecutionEnd, HistoryRecord, NewExecution, SqliteStore, Store};
use time::OffsetDateTime;

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:bench";

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let run_for = if quick { Duration::from_secs(2) } else { Duration::from_secs(8) };
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a directory for the store");
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a tokio runtime");

    println!("store (SQLite, WAL, synchronous=FULL) in {}", dir.path().display());
    // The lone committer first, before the throughput runs leave the disk busy writing back.
    let store = SqliteStore::open(dir.path().join("lone.sqlite")).expect("open");
    let samples = if quick { 300 } else { 2_000 };
    let mut latencies = rt.block_on(lone(&store, samples));
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "    1 lone committer, 2 events per commit: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({samples} commits)",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(at(1.0))
    );

    // (committers, history events per commit, commits per execution before it ends and the
    // committer starts another; 0 = one execution for the whole run).
    for (committers, events, lifetime) in [(1_000, 2, 10), (1_000, 2, 0), (1_000, 5, 0), (100, 2, 0)] {
        let file = dir.path().join(format!("t{committers}-{events}-{lifetime}.sqlite"));
        let sqlite = Arc::new(SqliteStore::open(file).expect("open"));
        let store: Arc<dyn Store> = sqlite.clone();
        let (commits, elapsed) = rt.block_on(throughput(store, committers, events, lifetime, run_for));
        let stats = sqlite.stats();
        let per_second = commits as f64 / elapsed.as_secs_f64();
        let shape = match lifetime {
            0 => "one long execution each".to_owned(),
            n => format!("executions of {n} commits"),
        };
        println!(
            "{committers:>5} concurrent committers, {shape}, {events} events + 256-byte snapshot per commit: \
             {per_second:>7.0} commits/s ({:.0} events/s), {commits} commits in {:.1} s, {:.0} commits per fsync",
            per_second * events as f64,
            elapsed.as_secs_f64(),
            stats.writes as f64 / stats.batches.max(1) as f64
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn start(name: &str) -> Commit {
    let new = NewExecution {
        arn: format!("arn:aws:states:us-east-1:123456789012:execution:bench:{name}"),
        state_machine_arn: MACHINE.into(),
        name: name.into(),
        input: r#"{"order":{"id":"o-1","items":[1,2,3]}}"#.into(),
        start_date: OffsetDateTime::now_utc(),
    };
    let mut commit = Commit::start(new, vec![7; 256]);
    commit.history.push(event(1));
    commit
}

/// A history event of a typical size (~200 bytes of JSON).
fn event(id: u64) -> HistoryRecord {
    let event = format!(
        r#"{{"timestamp":"2026-01-01T00:00:00.000Z","type":"TaskStateExited","id":{id},"previousEventId":{},"stateExitedEventDetails":{{"name":"ChargeCard","output":"{{\"charged\":true,\"amount\":42}}"}}}}"#,
        id - 1
    );
    HistoryRecord { id, event }
}

/// The next commit of an execution at `version` whose last event is `version` × `events`.
fn step(arn: &str, version: u64, events: u64, last_event: u64) -> Commit {
    let mut commit = Commit::update(arn, version, Some(vec![version as u8; 256]));
    commit.history = (last_event + 1..=last_event + events).map(event).collect();
    commit
}

/// `committers` executions commit for `run_for`; returns the commits acknowledged in the
/// measured window and its length.
async fn throughput(
    store: Arc<dyn Store>,
    committers: usize,
    events: u64,
    lifetime: u64,
    run_for: Duration,
) -> (u64, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let counted = Arc::new(AtomicBool::new(false));
    let commits = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for i in 0..committers {
        let (store, stop, counted, commits) = (store.clone(), stop.clone(), counted.clone(), commits.clone());
        tasks.push(tokio::spawn(async move {
            let mut generation = 0;
            while !stop.load(Ordering::Relaxed) {
                // A random-looking name, as execution names usually are (UUIDs).
                let name = format!(
                    "{:016x}-{i}-{generation}",
                    (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ generation
                );
                generation += 1;
                let first = start(&name);
                let arn = first.execution_arn().to_owned();
                let mut version = store.commit(first).await.expect("start");
                let mut last_event = 1;
                while !stop.load(Ordering::Relaxed) && (lifetime == 0 || version < lifetime) {
                    let mut commit = step(&arn, version, events, last_event);
                    if version + 1 == lifetime {
                        commit.end = Some(ExecutionEnd {
                            status: Status::Succeeded,
                            output: Some(r#"{"done":true}"#.into()),
                            error: None,
                            cause: None,
                            stop_date: OffsetDateTime::now_utc(),
                        });
                    }
                    version = store.commit(commit).await.expect("commit");
                    last_event += events;
                    if counted.load(Ordering::Relaxed) {
                        commits.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    // A short warm-up (every execution started, caches filled) before the window opens.
    tokio::time::sleep(Duration::from_millis(500)).await;
    counted.store(true, Ordering::Relaxed);
    let began = Instant::now();
    tokio::time::sleep(run_for).await;
    let measured = commits.load(Ordering::Relaxed);
    let elapsed = began.elapsed();
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("a committer panicked");
    }
    (measured, elapsed)
}

/// One execution commits `samples` times in a row; returns each commit's latency.
async fn lone(store: &SqliteStore, samples: usize) -> Vec<Duration> {
    let first = start("lone");
    let arn = first.execution_arn().to_owned();
    let mut version = store.commit(first).await.expect("start");
    let mut latencies = Vec::with_capacity(samples);
    for n in 0..samples as u64 {
        let commit = step(&arn, version, 2, 1 + 2 * n);
        let began = Instant::now();
        version = store.commit(commit).await.expect("commit");
        latencies.push(began.elapsed());
    }
    latencies
}
