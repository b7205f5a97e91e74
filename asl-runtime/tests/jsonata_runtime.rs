//! JSONata states at run time: `$now()` and `$millis()` read the execution's clock (on the
//! virtual clock, an hour-long Wait moves them by an hour and takes no time), and an
//! `Output` obeys the 256 KiB payload limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::run;
use serde_json::json;
use time::macros::datetime;

mod flow {
    asl_runtime::include_asl!("tests/workflows/clock.asl.json");
}

mod big {
    asl_runtime::include_asl!("tests/workflows/big_output.asl.json");
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

#[tokio::test(start_paused = true)]
async fn an_output_over_256_kib_fails_the_state() {
    let clock = VirtualClock::starting_at(datetime!(2025-01-01 00:00:00 UTC));
    let grow = |n: u32| {
        let input = json!({ "n": n });
        let info = ExecutionInfo::new("big", "run", clock.now(), input.clone());
        async move { run(&big::WORKFLOW, &big::Typed(()), &clock, &info, input).await }
    };
    assert_eq!(grow(1_000).await.output.map(|o| o.as_str().map(str::len)), Some(Some(10_000)));
    let outcome = grow(30_000).await;
    assert_eq!(outcome.error.as_deref(), Some("States.DataLimitExceeded"), "{outcome:?}");
}
