//! Runs the three-Pass Express workflow of `benches/durable.rs` a fixed number of times
//! through `execution::run`, for instruction counters (callgrind), which the bench's
//! time-boxed loop does not suit.
//!
//! ```text
//! cargo build --release -p asl-bench --example express
//! valgrind --tool=callgrind target/release/examples/express 20000
//! ```

#![allow(clippy::expect_used, clippy::panic)] // a run that cannot start should stop loudly

use asl_runtime::clock::{Clock, RealClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{Status, run};
use serde_json::Value;

mod three_states {
    asl_runtime::include_asl!("flows/three_states.asl.json");
}

fn main() {
    let times: u32 = std::env::args().nth(1).and_then(|t| t.parse().ok()).unwrap_or(10_000);
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio");
    let handler = three_states::Typed(());
    let clock = RealClock;
    let input = Value::Object(Default::default());
    tokio.block_on(async {
        for _ in 0..times {
            let info = ExecutionInfo::new(three_states::WORKFLOW.name, "express", clock.now(), input.clone());
            let outcome = run(&three_states::WORKFLOW, &handler, &clock, &info, input.clone()).await;
            assert_eq!(outcome.status, Status::Succeeded);
        }
    });
}
