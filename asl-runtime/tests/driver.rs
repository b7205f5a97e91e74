//! The driver on hand-written static machines (no code generation): the runtime is usable
//! by hand, and these pin down the control flow generated code relies on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::borrow::Cow;
use std::sync::atomic::{AtomicU32, Ordering};

use asl_runtime::Error;
use asl_runtime::choice::{Number, Operand, Rule, Test};
use asl_runtime::clock::VirtualClock;
use asl_runtime::context::ExecutionInfo;
use asl_runtime::dataflow::{Io, PathField};
use asl_runtime::execution::{BoxFuture, Status, TaskCall, TaskHandler, Workflow, run};
use asl_runtime::machine::*;
use asl_runtime::path::{Literal, Path, Root, Segment};
use asl_runtime::retry::RetryPolicy;
use serde_json::{Value, json};
use time::macros::datetime;

static DEFAULT_IO: Io = Io::DEFAULT;
static COUNT: Path = Path { root: Root::Input, segments: &[Segment::Field("count")], text: "$.count" };
static RESULT_AT_OUT: Io = Io {
    result_path: PathField::Path(&Path { root: Root::Input, segments: &[Segment::Field("out")], text: "$.out" }),
    ..Io::DEFAULT
};
static RETRY_TRANSIENT: Recovery = Recovery {
    retry: &[RetryPolicy::new(&[Cow::Borrowed("Transient")]).with_interval_seconds(1).with_max_attempts(3)],
    catch: &[CatcherDef { error_equals: &["States.ALL"], next: 4, result_path: PathField::Default }],
};
static TASK: TaskDef = TaskDef {
    io: &RESULT_AT_OUT,
    task: 0,
    resource: "arn:aws:states:::lambda:invoke",
    timeout: None,
    heartbeat: None,
    recovery: &RETRY_TRANSIENT,
};

/// Start → Work (Task, retried) → Big? (Choice on $.count) → Done | Fail; Work's catcher → Caught.
static TOP: [StateDef; 5] = [
    StateDef { name: "Start", next: Next::State(1), kind: StateKind::Pass { io: &DEFAULT_IO, result: None } },
    StateDef { name: "Work", next: Next::State(2), kind: StateKind::Task(&TASK) },
    StateDef {
        name: "Big?",
        next: Next::None,
        kind: StateKind::Choice {
            input_path: PathField::Default,
            output_path: PathField::Default,
            rules: &[(
                Rule::Compare { variable: COUNT, test: Test::NumericGreaterThan(Operand::Literal(Number::Int(10))) },
                3,
            )],
            default: Some(4),
        },
    },
    StateDef {
        name: "Done",
        next: Next::End,
        kind: StateKind::Succeed { input_path: PathField::Default, output_path: PathField::Default },
    },
    StateDef {
        name: "Caught",
        next: Next::None,
        kind: StateKind::Fail {
            error: Some(FailText::Literal("TooSmall")),
            cause: Some(FailText::Literal("count <= 10")),
        },
    },
];
static WORKFLOW: Workflow = Workflow {
    name: "driver",
    containers: &[ContainerDef { states: &TOP, start: 0 }],
    timeout_seconds: None,
    unsupported: None,
};

fn info(input: &Value) -> ExecutionInfo {
    ExecutionInfo::new("driver", "exec-1", datetime!(2024-01-01 00:00:00 UTC), input.clone())
}

/// A task that fails with `Transient` `failures` times, then returns `{"ok": true}`.
struct Flaky {
    failures: u32,
    calls: AtomicU32,
}

impl TaskHandler for Flaky {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        assert_eq!(call.state, "Work");
        assert_eq!(call.retry_count, n, "RetryCount counts the retries so far");
        Box::pin(async move {
            if n < self.failures { Err(Error::new("Transient", "try again")) } else { Ok(json!({"ok": true})) }
        })
    }
}

async fn execute(failures: u32, input: Value) -> (asl_runtime::execution::Outcome, u32) {
    let flaky = Flaky { failures, calls: AtomicU32::new(0) };
    let clock = VirtualClock::starting_at(datetime!(2024-01-01 00:00:00 UTC));
    let outcome = run(&WORKFLOW, &flaky, &clock, &info(&input), input).await;
    (outcome, flaky.calls.load(Ordering::SeqCst))
}

#[tokio::test(start_paused = true)]
async fn retries_then_succeeds_and_chooses() {
    let (outcome, calls) = execute(2, json!({"count": 11})).await;
    assert_eq!(calls, 3);
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output, Some(json!({"count": 11, "out": {"ok": true}})));
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_fall_through_to_the_catcher() {
    // MaxAttempts 3 = three retries after the first attempt, then the catcher.
    let (outcome, calls) = execute(10, json!({"count": 11})).await;
    assert_eq!(calls, 4);
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!((outcome.error.as_deref(), outcome.cause.as_deref()), (Some("TooSmall"), Some("count <= 10")));
}

#[tokio::test(start_paused = true)]
async fn the_default_branch_is_taken_when_no_rule_matches() {
    let (outcome, _) = execute(0, json!({"count": 3})).await;
    assert_eq!(outcome.error.as_deref(), Some("TooSmall"));
}

/// Parallel with two single-Pass branches, then a Map over `$.items` whose processor
/// wraps each item.
static BRANCH_A: [StateDef; 1] = [StateDef {
    name: "A",
    next: Next::End,
    kind: StateKind::Pass { io: &DEFAULT_IO, result: Some(&Literal::Str("a")) },
}];
static BRANCH_B: [StateDef; 1] = [StateDef {
    name: "B",
    next: Next::End,
    kind: StateKind::Pass { io: &DEFAULT_IO, result: Some(&Literal::Str("b")) },
}];
static ITEM: [StateDef; 1] =
    [StateDef { name: "Item", next: Next::End, kind: StateKind::Pass { io: &DEFAULT_IO, result: None } }];
static BOTH_AT: Io = Io {
    result_path: PathField::Path(&Path { root: Root::Input, segments: &[Segment::Field("both")], text: "$.both" }),
    ..Io::DEFAULT
};
static EACH: MapDef = MapDef {
    io: &Io {
        result_path: PathField::Path(&Path { root: Root::Input, segments: &[Segment::Field("each")], text: "$.each" }),
        ..Io::DEFAULT
    },
    processor: 3,
    items_path: Some(&Path { root: Root::Input, segments: &[Segment::Field("items")], text: "$.items" }),
    item_selector: None,
    max_concurrency: Some(Amount::Literal(1)),
    recovery: &NO_RECOVERY,
};
static FAN: [StateDef; 2] = [
    StateDef {
        name: "Both",
        next: Next::State(1),
        kind: StateKind::Parallel { io: &BOTH_AT, branches: &[1, 2], recovery: &NO_RECOVERY },
    },
    StateDef { name: "Each", next: Next::End, kind: StateKind::Map(&EACH) },
];
static FAN_WORKFLOW: Workflow = Workflow {
    name: "fan",
    containers: &[
        ContainerDef { states: &FAN, start: 0 },
        ContainerDef { states: &BRANCH_A, start: 0 },
        ContainerDef { states: &BRANCH_B, start: 0 },
        ContainerDef { states: &ITEM, start: 0 },
    ],
    timeout_seconds: None,
    unsupported: None,
};

/// For machines without Task states.
struct NoTasks;

impl TaskHandler for NoTasks {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        panic!("no task expected, got {}", call.state)
    }
}

#[tokio::test(start_paused = true)]
async fn parallel_results_keep_branch_order_and_map_keeps_item_order() {
    let input = json!({"items": [1, 2, 3]});
    let clock = VirtualClock::starting_at(datetime!(2024-01-01 00:00:00 UTC));
    let outcome = run(&FAN_WORKFLOW, &NoTasks, &clock, &info(&input), input).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output, Some(json!({"items": [1, 2, 3], "both": ["a", "b"], "each": [1, 2, 3]})));
}

#[tokio::test(start_paused = true)]
async fn unsupported_workflows_are_refused_not_run() {
    static LATER: Workflow =
        Workflow { name: "later", containers: &[], timeout_seconds: None, unsupported: Some("uses JSONata") };
    let clock = VirtualClock::starting_at(datetime!(2024-01-01 00:00:00 UTC));
    let outcome = run(&LATER, &NoTasks, &clock, &info(&json!({})), json!({})).await;
    assert_eq!(outcome.error.as_deref(), Some(asl_runtime::execution::UNSUPPORTED_ERROR));
    assert_eq!(outcome.cause.as_deref(), Some("uses JSONata"));
}
