// A crate whose only dependency is asl-runtime compiles a workflow with `include_asl!` and
// runs it to completion with `asl_runtime::execution::run`: no async runtime (std's no-op
// waker polls it) and a clock that never sleeps, because this workflow never waits (no Wait,
// no Retry, no timeout, and handlers that answer at once). Only `asl_runtime` and `std` are
// named here, although the trybuild crate could also use serde_json.
mod flow {
    asl_runtime::include_asl!("flows/runs_workflow.asl.json");
}

use std::future::Future;
use std::task::{Context, Poll, Waker};

use asl_runtime::clock::{Clock, OffsetDateTime, Sleep};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{Outcome, Status, run};
use asl_runtime::{Error, Value};

/// A clock stopped at one instant. Nothing in this workflow sleeps, so a sleep is a bug.
struct StoppedClock(OffsetDateTime);

impl Clock for StoppedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        panic!("this workflow never waits, yet the runtime asked to sleep until {deadline}")
    }
}

/// Prices an order: 4 per tea, 30 per teapot.
struct Prices;

impl flow::Handlers for Prices {
    async fn quote(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        let unit: u64 = match input["item"].as_str() {
            Some("tea") => 4,
            Some("teapot") => 30,
            other => return Err(Error::new("Quote.UnknownItem", format!("no price for {other:?}"))),
        };
        let qty = input["qty"].as_u64().ok_or_else(|| Error::new("Quote.BadQuantity", "qty is not a count"))?;
        Ok(Value::from_iter([("unit", unit), ("total", unit * qty)]))
    }
}

/// Polls `future` to completion on this thread without an async runtime. One poll is
/// enough: nothing in this workflow waits, so `run` completes on its first poll, and
/// `Pending` would mean it is waiting for something that no waker here will ever signal.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut context) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("`run` returned Pending, but this workflow never waits: no Wait, Retry or timeout"),
    }
}

fn json(text: &str) -> Value {
    text.parse().expect("valid JSON")
}

fn execute(name: &str, input: &str) -> Outcome {
    // 2024-01-01T00:00:00Z
    let start = OffsetDateTime::from_unix_timestamp(1_704_067_200).expect("a valid timestamp");
    let clock = StoppedClock(start);
    let input = json(input);
    let info = ExecutionInfo::new(flow::WORKFLOW.name, name, clock.now(), input.clone());
    block_on(run(&flow::WORKFLOW, &flow::Typed(Prices), &clock, &info, input))
}

fn succeeded(output: &str) -> Outcome {
    Outcome { status: Status::Succeeded, output: Some(json(output)), error: None, cause: None }
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "runs_workflow");
    assert_eq!(flow::UNSUPPORTED, None);

    // Total 8: the Choice falls through to its Default.
    assert_eq!(
        execute("small", r#"{"item": "tea", "qty": 2}"#),
        succeeded(
            r#"{"order": "2 x tea", "total": 8, "approval": "automatic",
                "startedAt": "2024-01-01T00:00:00.000Z", "enteredAt": "2024-01-01T00:00:00.000Z"}"#
        )
    );

    // Total 120: the Choice rule matches.
    assert_eq!(
        execute("large", r#"{"item": "teapot", "qty": 4}"#),
        succeeded(
            r#"{"order": "4 x teapot", "total": 120, "approval": "manual",
                "startedAt": "2024-01-01T00:00:00.000Z", "enteredAt": "2024-01-01T00:00:00.000Z"}"#
        )
    );

    // A handler's error, with no Catch, fails the execution with that error.
    assert_eq!(
        execute("unknown", r#"{"item": "scone", "qty": 1}"#),
        Outcome {
            status: Status::Failed,
            output: None,
            error: Some("Quote.UnknownItem".to_owned()),
            cause: Some(r#"no price for Some("scone")"#.to_owned()),
        }
    );
}
