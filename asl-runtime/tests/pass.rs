//! Pass states: what their `Parameters` build.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{Status, run};
use serde_json::json;
use time::macros::datetime;

mod pass_array_parameters {
    asl_runtime::include_asl!("tests/workflows/pass_array_parameters.asl.json");
}

#[tokio::test(start_paused = true)]
async fn an_array_of_templates_outputs_an_array() {
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 12:00:00 UTC));
    let input = json!({ "Item": { "id": "a1", "tags": ["x", "y"] } });
    let info = ExecutionInfo::new("pass_array_parameters", "run-1", clock.now(), input.clone());
    let outcome = run(&pass_array_parameters::WORKFLOW, &pass_array_parameters::Typed(()), &clock, &info, input).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output, Some(json!([{ "Item": { "id": "a1", "tags": ["x", "y"] } }, { "count": 2 }])));
}
