//! Criterion benchmarks: each workload compiled (asl-runtime) and hand-written
//! (serde_json), in one group per workload, throughput in state transitions.
//!
//! Every run is checked against the workload's `.expected.json` once before it is timed,
//! so a wrong result is never measured. A run that takes longer than [`SLOW_RUN`] is
//! reported from that one run instead of being sampled (criterion needs at least ten
//! samples, so one such workload would take many minutes); set `ASL_BENCH_SLOW=1` to
//! sample it anyway.

#![allow(clippy::expect_used, clippy::panic)] // a benchmark that cannot run should stop loudly

use std::time::{Duration, Instant};

use asl_bench::{Workload, runtime};
use asl_runtime::Value;
use asl_runtime::execution::Status;
use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use tokio::runtime::Runtime;

/// Runs slower than this are reported from their check run, not sampled.
const SLOW_RUN: Duration = Duration::from_secs(10);

/// Which way a workload runs.
#[derive(Clone, Copy, Debug)]
enum Route {
    Compiled,
    Handwritten,
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Route::Compiled => "compiled",
            Route::Handwritten => "handwritten",
        }
    }

    /// One run, its output checked; `Err` says why it did not produce `expected`.
    fn run(self, rt: &Runtime, workload: Workload, input: Value) -> Result<Value, String> {
        match self {
            Route::Compiled => {
                let execution = workload.execution_info(&input);
                let outcome = rt.block_on(workload.run_compiled(&execution, input));
                match (outcome.status, outcome.output) {
                    (Status::Succeeded, Some(output)) => Ok(output),
                    (status, _) => Err(format!("{status:?}: {:?}: {:?}", outcome.error, outcome.cause)),
                }
            }
            Route::Handwritten => rt.block_on(workload.run_handwritten(input)).map_err(|e| format!("{e:?}")),
        }
    }

    /// One execution inside the timed region; the input (and for compiled runs the
    /// execution's context data) is prepared outside it.
    fn bench(self, group: &mut BenchmarkGroup<'_, WallTime>, rt: &Runtime, w: Workload) {
        let input = w.input().expect("input JSON");
        match self {
            Route::Compiled => group.bench_function(self.name(), |b| {
                b.iter_batched(
                    || (w.execution_info(&input), input.clone()),
                    |(execution, input)| rt.block_on(w.run_compiled(&execution, input)),
                    BatchSize::PerIteration,
                )
            }),
            Route::Handwritten => group.bench_function(self.name(), |b| {
                b.iter_batched(|| input.clone(), |input| rt.block_on(w.run_handwritten(input)), BatchSize::PerIteration)
            }),
        };
    }
}

fn workloads(c: &mut Criterion) {
    let rt = runtime().expect("tokio runtime");
    let sample_slow = std::env::var_os("ASL_BENCH_SLOW").is_some_and(|v| v == "1");
    for workload in Workload::ALL {
        let transitions = workload.transitions().expect(".meta.json has transitions");
        let input = workload.input().expect("input JSON");
        let expected = workload.expected().expect("expected JSON");
        if let Some(reason) = workload.workflow().unsupported {
            println!("{}/compiled: cannot run yet: {reason}", workload.name());
        }

        let mut group = c.benchmark_group(workload.name());
        group.throughput(Throughput::Elements(transitions)).sampling_mode(SamplingMode::Flat);
        for route in [Route::Compiled, Route::Handwritten] {
            let started = Instant::now();
            let output = route.run(&rt, workload, input.clone());
            let took = started.elapsed();
            match output {
                Ok(output) if output == expected => {}
                Ok(output) => panic!("{}/{}: wrong output {output}", workload.name(), route.name()),
                Err(why) => {
                    println!("{}/{}: cannot run: {why}", workload.name(), route.name());
                    continue;
                }
            }
            if took > SLOW_RUN && !sample_slow {
                println!(
                    "{}/{}: one run took {:.1} s ({:.0} transitions/s); not sampled (ASL_BENCH_SLOW=1 samples it)",
                    workload.name(),
                    route.name(),
                    took.as_secs_f64(),
                    transitions as f64 / took.as_secs_f64()
                );
                continue;
            }
            route.bench(&mut group, &rt, workload);
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // Executions take up to a second or so: ten samples, a short warm-up, and a
    // measurement window that a run of that length fills with one iteration per sample.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = workloads
}
criterion_main!(benches);
