// A JSONata workflow compiles and runs: `Output`, `Assign` and a Choice `Condition` are
// expressions, and the loop's variable is read as it was when each state was entered.
mod flow {
    asl_runtime::include_asl!("flows/jsonata_variables.asl.json");
}

use std::future::Future;
use std::task::{Context, Poll, Waker};

use asl_runtime::clock::{Clock, OffsetDateTime, Sleep};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{Status, run};
use asl_runtime::Value;

/// A clock stopped at one instant: this workflow never waits.
struct StoppedClock(OffsetDateTime);

impl Clock for StoppedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        panic!("this workflow never waits, yet the runtime asked to sleep until {deadline}")
    }
}

/// Polls `future` once: a workflow that never waits completes on its first poll.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("`run` returned Pending, but this workflow never waits"),
    }
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "jsonata_variables");
    assert_eq!(flow::UNSUPPORTED, None);
    let clock = StoppedClock(OffsetDateTime::from_unix_timestamp(1_704_067_200).expect("a valid timestamp"));
    let input = Value::from_iter([("n", 1)]);
    let info = ExecutionInfo::new(flow::WORKFLOW.name, "count", clock.now(), input.clone());
    let outcome = block_on(run(&flow::WORKFLOW, &flow::Typed(()), &clock, &info, input));
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(Value::from(3)));
}
