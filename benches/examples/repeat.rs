//! Runs one workload a fixed number of times, for profilers and instruction counters
//! (`perf record`, `perf stat -e instructions`), which criterion's time-boxed sampling
//! does not suit: a fixed amount of work gives counts that compare across builds even on
//! a busy machine.
//!
//! ```text
//! cargo run --release -p asl-bench --example repeat -- dataflow-heavy compiled 20
//! ```

#![allow(clippy::expect_used, clippy::panic)] // a run that cannot start should stop loudly

use asl_bench::{Workload, runtime};
use asl_runtime::execution::{HistoryDetail, Status};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, route, times] = args.as_slice() else {
        panic!("usage: repeat <workload> <compiled|compiled-full-history|handwritten> <times>");
    };
    let workload = Workload::ALL.into_iter().find(|w| w.name() == name).unwrap_or_else(|| panic!("no workload {name}"));
    let times: u32 = times.parse().expect("times is a number");
    let rt = runtime().expect("tokio runtime");
    let input = workload.input().expect("input JSON");
    let expected = workload.expected().expect("expected JSON");
    for _ in 0..times {
        let output = match route.as_str() {
            "compiled" => {
                let execution = workload.execution_info(&input);
                let outcome = rt.block_on(workload.run_compiled(&execution, input.clone()));
                assert_eq!(outcome.status, Status::Succeeded, "{:?}: {:?}", outcome.error, outcome.cause);
                outcome.output
            }
            "handwritten" => rt.block_on(workload.run_handwritten(input.clone())).ok(),
            // With the whole history (event details as JSON text), as a Runtime records it.
            "compiled-full-history" => {
                let execution = workload.execution_info(&input);
                let outcome = rt.block_on(workload.run_recording(&execution, input.clone(), Some(HistoryDetail::Full)));
                assert_eq!(outcome.status, Status::Succeeded, "{:?}: {:?}", outcome.error, outcome.cause);
                outcome.output
            }
            other => panic!("no route {other}"),
        };
        assert_eq!(output.as_ref(), Some(&expected), "{name}/{route}: wrong output");
    }
}
