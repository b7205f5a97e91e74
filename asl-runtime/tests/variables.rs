//! Workflow variables (`Assign`) in JSONPath states, end to end through generated code:
//! every expression of a state reads the variables as they were when it was entered;
//! a Choice assigns for the rule that matched, not for its Default; a catcher's `Assign`
//! replaces the state's; Parallel branches and Map iterations read the outer scope, and
//! what they assign stays inside them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use asl_runtime::Error;
use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{BoxFuture, Status, TaskCall, TaskHandler, run};
use serde_json::{Value, json};
use time::macros::datetime;

mod flow {
    asl_runtime::include_asl!("tests/workflows/variables.asl.json");
}

/// The only task fails, so its catcher runs.
struct Failing;

impl TaskHandler for Failing {
    fn invoke<'a>(&'a self, _call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        Box::pin(async { Err(Error::new("Boom", "the task failed")) })
    }
}

#[tokio::test(start_paused = true)]
async fn variables_follow_aws_scoping_and_timing() {
    let clock = VirtualClock::starting_at(datetime!(2025-01-01 00:00:00 UTC));
    let input = json!({ "items": ["a", "b"] });
    let info = ExecutionInfo::new("variables", "run", clock.now(), input.clone());
    let outcome = run(&flow::WORKFLOW, &Failing, &clock, &info, input).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(
        outcome.output,
        Some(json!({
            "branches": [
                // The branch's own `answer` shadows the outer one inside the branch only.
                { "inner": 1000, "previous": 42, "resetOutput": 42 },
                [{ "item": "a", "answer": 7 }, { "item": "b", "answer": 7 }]
            ],
            // `Reset`'s OutputPath read `answer` before `Reset` assigned it: 42 went on as
            // output (`resetOutput`), and 7 is what later states see.
            "outer": 7,
            "picked": "rule",
            "failure": "Boom"
        }))
    );
}

mod big {
    asl_runtime::include_asl!("tests/workflows/big_assign.asl.json");
}

#[tokio::test(start_paused = true)]
async fn one_assign_may_set_at_most_256_kib() {
    let clock = VirtualClock::starting_at(datetime!(2025-01-01 00:00:00 UTC));
    let run_with = |length: usize| {
        let input = json!({ "text": "x".repeat(length) });
        let info = ExecutionInfo::new("big", "run", clock.now(), input.clone());
        async move { run(&big::WORKFLOW, &big::Typed(()), &clock, &info, input).await }
    };
    assert_eq!(run_with(100_000).await.status, Status::Succeeded);
    let outcome = run_with(140_000).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.DataLimitExceeded"));
}
