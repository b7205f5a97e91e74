//! JSONata's `$now()` and `$millis()` read the execution's clock: on the virtual clock, an
//! hour-long Wait moves them by an hour and takes no time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::run;
use serde_json::json;
use time::macros::datetime;

mod flow {
    asl_runtime::include_asl!("tests/workflows/clock.asl.json");
}

#[tokio::test(start_paused = true)]
async fn now_and_millis_follow_the_virtual_clock() {
    let clock = VirtualClock::starting_at(datetime!(2025-01-01 00:00:00 UTC));
    let info = ExecutionInfo::new("clock", "run", clock.now(), json!({}));
    let outcome = run(&flow::WORKFLOW, &flow::Typed(()), &clock, &info, json!({})).await;
    assert_eq!(
        outcome.output,
        Some(json!({ "now": "2025-01-01T01:00:00.000Z", "millis": 1_735_693_200_000u64 })),
        "{outcome:?}"
    );
}
