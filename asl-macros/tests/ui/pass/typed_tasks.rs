// Task handlers that take and return the application's own serde types: `tasks = { … }`
// gives two of the three Task states Rust types (resolved here, at the call site), the third
// keeps JSON values. The workflow runs to completion; an input the types reject is a
// `States.TaskFailed` that the definition's Catch handles like any task error.
mod flow {
    asl_runtime::include_asl!("flows/typed_tasks.asl.json", tasks = {
        "Price Order": crate::Quote -> crate::Price,
        "Ship": super::Parcel -> Label,
    });

    // Types are resolved in this module, as any path written here would be.
    use super::Label;
}

use std::future::Future;
use std::task::{Context, Poll, Waker};

use asl_runtime::clock::{Clock, OffsetDateTime, Sleep};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{Outcome, Status, run};
use asl_runtime::{Error, Value};
use serde::{Deserialize, Serialize};

/// `Price Order`'s input.
#[derive(Deserialize)]
struct Quote {
    item: String,
    qty: u32,
}

/// `Price Order`'s result.
#[derive(Serialize)]
struct Price {
    unit: u32,
    total: u32,
}

/// `Ship`'s input.
#[derive(Deserialize)]
struct Parcel {
    item: String,
    weight: u32,
}

/// `Ship`'s result.
#[derive(Serialize)]
struct Label {
    tracking: String,
}

struct Shop;

impl flow::Handlers for Shop {
    async fn price_order(&self, quote: Quote, _context: &Value) -> Result<Price, Error> {
        let unit = match quote.item.as_str() {
            "tea" => 4,
            other => return Err(Error::new("Price.UnknownItem", format!("no price for {other}"))),
        };
        Ok(Price { unit, total: unit * quote.qty })
    }

    async fn ship(&self, parcel: Parcel, _context: &Value) -> Result<Label, Error> {
        Ok(Label { tracking: format!("{}-{}", parcel.item, parcel.weight) })
    }

    async fn notify(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        Ok(Value::from(format!("sent {}", input["tracking"])))
    }
}

/// A clock stopped at one instant: nothing in this workflow waits.
struct StoppedClock(OffsetDateTime);

impl Clock for StoppedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        panic!("this workflow never waits, yet the runtime asked to sleep until {deadline}")
    }
}

/// Polls `future` once: the handlers answer at once and nothing waits, so `run` is ready.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("`run` returned Pending, but this workflow never waits"),
    }
}

fn execute(input: Value) -> Outcome {
    let clock = StoppedClock(OffsetDateTime::from_unix_timestamp(1_704_067_200).expect("a valid timestamp"));
    let info = ExecutionInfo::new(flow::WORKFLOW.name, "typed", clock.now(), input.clone());
    block_on(run(&flow::WORKFLOW, &flow::Typed(Shop), &clock, &info, input))
}

fn main() {
    let outcome = execute(serde_json::json!({"item": "tea", "qty": 3}));
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(
        outcome.output,
        Some(serde_json::json!({
            "item": "tea",
            "qty": 3,
            "price": {"unit": 4, "total": 12},
            "label": {"tracking": "tea-12"},
            "notified": "sent \"tea-12\""
        }))
    );

    // `qty` is not a number: `Quote` rejects the input, the task fails with
    // `States.TaskFailed`, and the Catch sends the execution to `Rejected`.
    let outcome = execute(serde_json::json!({"item": "tea", "qty": "three"}));
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let output = outcome.output.expect("an output");
    assert_eq!(output["error"]["Error"], "States.TaskFailed");
    let cause = output["error"]["Cause"].as_str().expect("a cause");
    assert!(cause.starts_with("Task state `Price Order`: the task input is not a valid `"), "{cause}");
    assert!(cause.ends_with("::Quote`: invalid type: string \"three\", expected u32"), "{cause}");
    assert!(output.get("price").is_none(), "{output}");

    // A handler's own error reaches the same Catch unchanged (`States.TaskFailed` matches
    // any error a task raises).
    let outcome = execute(serde_json::json!({"item": "scone", "qty": 1}));
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let output = outcome.output.expect("an output");
    assert_eq!(output["error"], serde_json::json!({"Error": "Price.UnknownItem", "Cause": "no price for scone"}));
}
