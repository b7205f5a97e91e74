//! Each workload, compiled and hand-written, produces its `.expected.json` for its
//! `.input.json` (run once each; timing is the benchmark's job).

#![allow(clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use asl_bench::{Workload, runtime};
use asl_runtime::execution::Status;

fn compiled(workload: Workload) {
    let input = workload.input().expect("input JSON");
    let expected = workload.expected().expect("expected JSON");
    assert_eq!(workload.workflow().unsupported, None, "{}: the runtime cannot run it", workload.name());
    let execution = workload.execution_info(&input);
    let outcome = runtime().expect("tokio runtime").block_on(workload.run_compiled(&execution, input));
    assert_eq!(
        outcome.status,
        Status::Succeeded,
        "{}: failed with {:?}: {:?}",
        workload.name(),
        outcome.error,
        outcome.cause
    );
    assert_eq!(outcome.output, Some(expected), "{}: wrong output", workload.name());
}

fn handwritten(workload: Workload) {
    let input = workload.input().expect("input JSON");
    let expected = workload.expected().expect("expected JSON");
    let output = runtime().expect("tokio runtime").block_on(workload.run_handwritten(input));
    match output {
        Ok(output) => assert_eq!(output, expected, "{}: wrong output", workload.name()),
        Err(error) => panic!("{}: failed with {error:?}", workload.name()),
    }
}

#[test]
fn every_workload_has_its_transition_count() {
    for workload in Workload::ALL {
        assert!(workload.transitions().is_some_and(|t| t > 0), "{}: no transitions in .meta.json", workload.name());
        assert!(workload.task_invocations().is_some(), "{}: no task_invocations in .meta.json", workload.name());
    }
}

macro_rules! workload_tests {
    ($($module:ident => $workload:ident $(, compiled: #[$compiled:meta])?;)*) => {$(
        mod $module {
            use super::*;

            #[test]
            $(#[$compiled])?
            fn compiled_matches_expected() {
                compiled(Workload::$workload);
            }

            #[test]
            fn handwritten_matches_expected() {
                handwritten(Workload::$workload);
            }
        }
    )*};
}

workload_tests! {
    loop_choice => LoopChoice;
    map_inline => MapInline;
    parallel_fanout => ParallelFanout;
    dataflow_heavy => DataflowHeavy;
    task_retry => TaskRetry;
}
