//! Wait states on a virtual clock: what their paths read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{Status, run};
use serde_json::json;
use time::macros::datetime;

mod wait_input_path {
    asl_runtime::include_asl!("tests/workflows/wait_input_path.asl.json");
}

#[tokio::test(start_paused = true)]
async fn seconds_path_and_timestamp_path_read_the_effective_input() {
    // Without `InputPath` applied first, `$.delay` and `$.at` would not exist and both
    // Waits would fail with `States.Runtime`.
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 12:00:00 UTC));
    let input = json!({ "job": { "delay": 90, "when": { "at": "2025-03-01T13:00:00Z" } } });
    let info = ExecutionInfo::new("wait_input_path", "run-1", clock.now(), input.clone());
    let outcome = run(&wait_input_path::WORKFLOW, &wait_input_path::Typed(()), &clock, &info, input).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    // `Delay` outputs its effective input, `{delay, when}`, and `Until` waits for `when.at`.
    assert_eq!(
        outcome.output,
        Some(json!({ "at": { "at": "2025-03-01T13:00:00Z" }, "enteredAt": "2025-03-01T13:00:00.000Z" }))
    );
    assert_eq!(clock.now(), datetime!(2025-03-01 13:00:00 UTC));
}

#[tokio::test(start_paused = true)]
async fn a_seconds_path_outside_the_effective_input_fails() {
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 12:00:00 UTC));
    // `$.delay` of the raw input is not read: the effective input is `$.job`.
    let input = json!({ "delay": 5, "job": {} });
    let info = ExecutionInfo::new("wait_input_path", "run-2", clock.now(), input.clone());
    let outcome = run(&wait_input_path::WORKFLOW, &wait_input_path::Typed(()), &clock, &info, input).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
}
