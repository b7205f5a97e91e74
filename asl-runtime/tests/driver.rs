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
    catch: &[CatcherDef {
        error_equals: &["States.ALL"],
        next: 4,
        result_path: PathField::Default,
        assign: None,
        output: None,
    }],
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
    StateDef {
        name: "Start",
        reads_context: false,
        assign: None,
        jsonata: None,
        next: Next::State(1),
        kind: StateKind::Pass { io: &DEFAULT_IO, result: None },
    },
    StateDef {
        name: "Work",
        reads_context: false,
        assign: None,
        jsonata: None,
        next: Next::State(2),
        kind: StateKind::Task(&TASK),
    },
    StateDef {
        name: "Big?",
        reads_context: false,
        assign: None,
        jsonata: None,
        next: Next::None,
        kind: StateKind::Choice {
            input_path: PathField::Default,
            output_path: PathField::Default,
            rules: &[ChoiceRule {
                rule: Rule::Compare {
                    variable: COUNT,
                    test: Test::NumericGreaterThan(Operand::Literal(Number::Int(10))),
                },
                next: 3,
                assign: None,
                output: None,
            }],
            default: Some(4),
        },
    },
    StateDef {
        name: "Done",
        reads_context: false,
        assign: None,
        jsonata: None,
        next: Next::End,
        kind: StateKind::Succeed { input_path: PathField::Default, output_path: PathField::Default },
    },
    StateDef {
        name: "Caught",
        reads_context: false,
        assign: None,
        jsonata: None,
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
    reads_context: false,
    assign: None,
    jsonata: None,
    next: Next::End,
    kind: StateKind::Pass { io: &DEFAULT_IO, result: Some(&Literal::Str("a")) },
}];
static BRANCH_B: [StateDef; 1] = [StateDef {
    name: "B",
    reads_context: false,
    assign: None,
    jsonata: None,
    next: Next::End,
    kind: StateKind::Pass { io: &DEFAULT_IO, result: Some(&Literal::Str("b")) },
}];
static ITEM: [StateDef; 1] = [StateDef {
    name: "Item",
    reads_context: false,
    assign: None,
    jsonata: None,
    next: Next::End,
    kind: StateKind::Pass { io: &DEFAULT_IO, result: None },
}];
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
    items: None,
    item_selector: None,
    max_concurrency: Some(Amount::Literal(1)),
    distributed: None,
    recovery: &NO_RECOVERY,
};
static FAN: [StateDef; 2] = [
    StateDef {
        name: "Both",
        reads_context: false,
        assign: None,
        jsonata: None,
        next: Next::State(1),
        kind: StateKind::Parallel { io: &BOTH_AT, branches: &[1, 2], recovery: &NO_RECOVERY },
    },
    StateDef {
        name: "Each",
        reads_context: false,
        assign: None,
        jsonata: None,
        next: Next::End,
        kind: StateKind::Map(&EACH),
    },
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

/// A Distributed Map over `$.items` whose child executions run `Check`, a Task that fails
/// for negative items; it tolerates `$.tolerate` failed items (`Fan`), or 50 % of them
/// (`Half`).
static ITEMS: Path = Path { root: Root::Input, segments: &[Segment::Field("items")], text: "$.items" };
static TOLERATE: Path = Path { root: Root::Input, segments: &[Segment::Field("tolerate")], text: "$.tolerate" };
static CHECK: TaskDef = TaskDef {
    io: &DEFAULT_IO,
    task: 0,
    resource: "arn:aws:states:::lambda:invoke",
    timeout: None,
    heartbeat: None,
    recovery: &NO_RECOVERY,
};
static CHILD: [StateDef; 1] = [StateDef {
    name: "Check",
    reads_context: false,
    assign: None,
    jsonata: None,
    next: Next::End,
    kind: StateKind::Task(&CHECK),
}];
static FAN_OUT: MapDef = MapDef {
    io: &DEFAULT_IO,
    processor: 1,
    items_path: Some(&ITEMS),
    items: None,
    item_selector: None,
    max_concurrency: None,
    distributed: Some(&DistributedDef {
        label: Some("Orders"),
        tolerated_failure_count: Some(Amount::Path(&TOLERATE)),
        tolerated_failure_percentage: None,
        reader: None,
        batcher: None,
        writer: None,
        express: false,
    }),
    recovery: &NO_RECOVERY,
};
static HALF: MapDef = MapDef {
    io: &DEFAULT_IO,
    processor: 1,
    items_path: Some(&ITEMS),
    items: None,
    item_selector: None,
    max_concurrency: Some(Amount::Literal(1)),
    distributed: Some(&DistributedDef {
        label: None,
        tolerated_failure_count: None,
        tolerated_failure_percentage: Some(Fraction::Literal(50.0)),
        reader: None,
        batcher: None,
        writer: None,
        express: false,
    }),
    recovery: &NO_RECOVERY,
};
static DISTRIBUTED: Workflow = Workflow {
    name: "dist",
    containers: &[
        ContainerDef {
            states: &[StateDef {
                name: "Fan",
                reads_context: false,
                assign: None,
                jsonata: None,
                next: Next::End,
                kind: StateKind::Map(&FAN_OUT),
            }],
            start: 0,
        },
        ContainerDef { states: &CHILD, start: 0 },
    ],
    timeout_seconds: None,
    unsupported: None,
};
static DISTRIBUTED_HALF: Workflow = Workflow {
    name: "dist",
    containers: &[
        ContainerDef {
            states: &[StateDef {
                name: "Half",
                reads_context: false,
                assign: None,
                jsonata: None,
                next: Next::End,
                kind: StateKind::Map(&HALF),
            }],
            start: 0,
        },
        ContainerDef { states: &CHILD, start: 0 },
    ],
    timeout_seconds: None,
    unsupported: None,
};
/// `Fan`, then a Pass state whose InputPath selects nothing.
static DISTRIBUTED_THEN_MISSING: Workflow = Workflow {
    name: "dist",
    containers: &[
        ContainerDef {
            states: &[
                StateDef {
                    name: "Fan",
                    reads_context: false,
                    assign: None,
                    jsonata: None,
                    next: Next::State(1),
                    kind: StateKind::Map(&FAN_OUT),
                },
                StateDef {
                    name: "After",
                    reads_context: false,
                    assign: None,
                    jsonata: None,
                    next: Next::End,
                    kind: StateKind::Pass {
                        io: &Io {
                            input_path: PathField::Path(&Path {
                                root: Root::Input,
                                segments: &[Segment::Field("missing")],
                                text: "$.missing",
                            }),
                            ..Io::DEFAULT
                        },
                        result: None,
                    },
                },
            ],
            start: 0,
        },
        ContainerDef { states: &CHILD, start: 0 },
    ],
    timeout_seconds: None,
    unsupported: None,
};

/// `Check`: ten times the item, or `Item.Negative` for a negative one. Every call runs in a
/// child execution of its own, whose `$$` it checks.
struct Checker {
    calls: AtomicU32,
}

impl TaskHandler for Checker {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let context = call.context;
        // The child's state machine is `<parent>/<label>` (a generated label without one).
        let machine = context["StateMachine"]["Name"].as_str().unwrap();
        assert!(machine.starts_with("driver/"), "{context}");
        let id = context["Execution"]["Id"].as_str().unwrap();
        let name = context["Execution"]["Name"].as_str().unwrap();
        assert_eq!(id, format!("arn:aws:states:us-east-1:123456789012:execution:{machine}:{name}"));
        assert_ne!(name, "exec-1", "a child execution has its own name");
        assert_eq!(context["Execution"]["Input"], call.input, "a child execution's input is its item");
        let n = call.input.as_i64().unwrap();
        Box::pin(
            async move { if n < 0 { Err(Error::new("Item.Negative", format!("{n} < 0"))) } else { Ok(json!(n * 10)) } },
        )
    }
}

async fn distributed(workflow: &Workflow, input: Value) -> (asl_runtime::execution::Outcome, u32) {
    let checker = Checker { calls: AtomicU32::new(0) };
    let clock = VirtualClock::starting_at(datetime!(2024-01-01 00:00:00 UTC));
    let outcome = run(workflow, &checker, &clock, &info(&input), input).await;
    (outcome, checker.calls.load(Ordering::SeqCst))
}

#[tokio::test(start_paused = true)]
async fn a_distributed_map_tolerates_failures_up_to_its_threshold() {
    let (outcome, calls) = distributed(&DISTRIBUTED, json!({"items": [1, -2, 3], "tolerate": 1})).await;
    assert_eq!(calls, 3, "a failed child does not stop its siblings");
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let output = outcome.output.unwrap();
    assert_eq!((&output[0], &output[2]), (&json!(10), &json!(30)));
    // The failed child's execution record stands in for its output (with `OutputDetails`,
    // as the FAILED_n.json files AWS writes have it).
    let failed = output[1].as_object().unwrap();
    let keys: Vec<&str> = failed.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "Cause",
            "Error",
            "ExecutionArn",
            "Input",
            "InputDetails",
            "Name",
            "OutputDetails",
            "RedriveCount",
            "RedriveStatus",
            "StartDate",
            "StateMachineArn",
            "Status",
            "StopDate"
        ]
    );
    assert_eq!((&failed["Error"], &failed["Cause"]), (&json!("Item.Negative"), &json!("-2 < 0")));
    assert_eq!((&failed["Status"], &failed["Input"]), (&json!("FAILED"), &json!("-2")));
    assert_eq!(failed["StateMachineArn"], json!("arn:aws:states:us-east-1:123456789012:stateMachine:driver/Orders"));
    let name = failed["Name"].as_str().unwrap();
    assert_eq!(
        failed["ExecutionArn"],
        json!(format!("arn:aws:states:us-east-1:123456789012:execution:driver/Orders:{name}"))
    );
    assert_eq!((&failed["StartDate"], &failed["StopDate"]), (&json!("2024-01-01T00:00:00.000Z"), &failed["StartDate"]));

    // A count given as a string holding a number works too.
    let (outcome, _) = distributed(&DISTRIBUTED, json!({"items": [-1, -2], "tolerate": "2"})).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
}

#[tokio::test(start_paused = true)]
async fn a_distributed_map_fails_once_failures_exceed_its_threshold() {
    let (outcome, _) = distributed(&DISTRIBUTED, json!({"items": [1, -2, -3, 4], "tolerate": 1})).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        (outcome.error.as_deref(), outcome.cause.as_deref()),
        (
            Some("States.ExceedToleratedFailureThreshold"),
            Some("The specified tolerated failure threshold was exceeded")
        )
    );
    // A threshold of 0 tolerates nothing; the item's own error does not escape.
    let (outcome, _) = distributed(&DISTRIBUTED, json!({"items": [1, -2], "tolerate": 0})).await;
    assert_eq!(outcome.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
}

#[tokio::test(start_paused = true)]
async fn a_distributed_map_tolerates_a_percentage_of_its_items() {
    // 2 of 4 is 50 %, not more than 50 %.
    let (outcome, calls) = distributed(&DISTRIBUTED_HALF, json!({"items": [1, -2, 3, -4]})).await;
    assert_eq!((outcome.status, calls), (Status::Succeeded, 4), "{outcome:?}");
    // 2 of 3 is more.
    let (outcome, _) = distributed(&DISTRIBUTED_HALF, json!({"items": [1, -2, -3]})).await;
    assert_eq!(outcome.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
}

#[tokio::test(start_paused = true)]
async fn a_distributed_map_checks_its_tolerated_failures() {
    let cause = |outcome: asl_runtime::execution::Outcome| {
        assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
        outcome.cause.unwrap()
    };
    let prefix = "An error occurred while executing the state 'Fan' (entered at the event id #2). ";
    let (outcome, calls) = distributed(&DISTRIBUTED, json!({"items": [1], "tolerate": -1})).await;
    assert_eq!((cause(outcome), calls), (format!("{prefix}ToleratedFailureCount cannot be negative."), 0));
    let (outcome, _) = distributed(&DISTRIBUTED, json!({"items": [1], "tolerate": 1.5})).await;
    assert_eq!(
        cause(outcome),
        format!(
            "{prefix}The ToleratedFailureCountPath field refers to value \"1.5\" which is not a valid integer: $.tolerate"
        )
    );
}

#[tokio::test(start_paused = true)]
async fn a_distributed_maps_children_have_their_own_histories() {
    // Parent events: ExecutionStarted #1, MapStateEntered #2, MapStateStarted #3,
    // MapRunStarted #4, MapRunSucceeded #5, MapStateSucceeded #6, MapStateExited #7; the
    // children's Task events are not among them.
    let (outcome, calls) = distributed(&DISTRIBUTED_THEN_MISSING, json!({"items": [1, 2], "tolerate": 0})).await;
    assert_eq!(calls, 2);
    let cause = outcome.cause.unwrap();
    assert!(
        cause.starts_with("An error occurred while executing the state 'After' (entered at the event id #8). "),
        "{cause}"
    );
}
