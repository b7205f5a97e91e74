// `allow_run_time_failures = true` compiles what AWS accepts although it certainly fails at
// run time, and the execution then fails as AWS's does: here `States.ArrayPartition` with a
// chunk size of 0 raises `States.IntrinsicFailure`.
mod flow {
    asl_runtime::include_asl!("flows/intrinsic_fails_at_run_time.asl.json", allow_run_time_failures = true);
}

use std::future::Future;
use std::task::{Context, Poll, Waker};

use asl_runtime::clock::{Clock, OffsetDateTime, Sleep};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{Status, run};
use asl_runtime::Value;

/// A clock stopped at one instant: a Pass state never sleeps.
struct StoppedClock(OffsetDateTime);

impl Clock for StoppedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }

    fn sleep_until(&self, deadline: OffsetDateTime) -> Sleep {
        panic!("this workflow never waits, yet the runtime asked to sleep until {deadline}")
    }
}

/// Polls `future` once: a workflow of one Pass state completes on its first poll.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("`run` returned Pending, but this workflow never waits"),
    }
}

fn main() {
    let clock = StoppedClock(OffsetDateTime::from_unix_timestamp(1_704_067_200).expect("a valid timestamp"));
    let input: Value = r#"{"items": [1, 2, 3]}"#.parse().expect("valid JSON");
    let info = ExecutionInfo::new(flow::WORKFLOW.name, "zero-chunks", clock.now(), input.clone());
    let outcome = block_on(run(&flow::WORKFLOW, &flow::Typed(()), &clock, &info, input));
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.IntrinsicFailure"));
    let cause = outcome.cause.unwrap_or_default();
    assert!(cause.contains("States.ArrayPartition"), "{cause}");
}
