//! The two ways to hold a machine agree: a definition loaded at run time through
//! `asl_codegen::load` (what a server's `CreateStateMachine` does) is the very description
//! `include_asl!` compiles into statics, and it runs on the engine exactly as the compiled
//! one does — same outcome, same history, event for event.
//!
//! The definitions are the compiler's valid fixtures (one concept each: intrinsics and
//! filters, Choice operands, JSONata, Retry/Catch, Wait forms, Maps…) and the runtime's test
//! workflows. Those whose Tasks wait for a callback that nobody sends here are compared as
//! descriptions only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::path::Path;
use std::time::Duration;

use asl_codegen::{Settings, Source};
use asl_runtime::clock::{Clock, OffsetDateTime, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{
    BoxFuture, Driver, Execution, HistoryDetail, HistoryEvent, Outcome, TaskCall, TaskHandler, Workflow,
};
use asl_runtime::machine::{Callback, StateKind};
use asl_runtime::{Error, Value};
use serde_json::json;

/// Compiles each definition with `include_asl!` into a module of its own and lists them as
/// `(path relative to this crate, compiled workflow)`.
macro_rules! compiled {
    ($($module:ident: $path:literal,)*) => {
        $( mod $module { asl_runtime::include_asl!($path); } )*
        const COMPILED: &[(&str, &Workflow)] = &[$( ($path, &$module::WORKFLOW) ),*];
    };
}

compiled! {
    choice_operands: "../asl-codegen/tests/fixtures/valid/choice_operands.asl.json",
    distributed_map: "../asl-codegen/tests/fixtures/valid/distributed_map.asl.json",
    fail_paths: "../asl-codegen/tests/fixtures/valid/fail_paths.asl.json",
    hello_pass: "../asl-codegen/tests/fixtures/valid/hello_pass.asl.json",
    hostile_state_names: "../asl-codegen/tests/fixtures/valid/hostile_state_names.asl.json",
    hostile_task_names: "../asl-codegen/tests/fixtures/valid/hostile_task_names.asl.json",
    intrinsics_and_filters: "../asl-codegen/tests/fixtures/valid/intrinsics_and_filters.asl.json",
    item_reader: "../asl-codegen/tests/fixtures/valid/item_reader.asl.json",
    jsonata_variables: "../asl-codegen/tests/fixtures/valid/jsonata_variables.asl.json",
    jsonpath_variables: "../asl-codegen/tests/fixtures/valid/jsonpath_variables.asl.json",
    yaml_loop: "../asl-codegen/tests/fixtures/valid/loop.asl.yaml",
    map_and_wait: "../asl-codegen/tests/fixtures/valid/map_and_wait.asl.json",
    map_selector: "../asl-codegen/tests/fixtures/valid/map_selector.asl.json",
    order_flow: "../asl-codegen/tests/fixtures/valid/order_flow.asl.json",
    retry_catch: "../asl-codegen/tests/fixtures/valid/retry_catch.asl.json",
    wait_forms: "../asl-codegen/tests/fixtures/valid/wait_forms.asl.json",
    activity: "../asl-runtime/tests/workflows/activity.asl.json",
    approval: "../asl-runtime/tests/workflows/approval.asl.json",
    big_assign: "../asl-runtime/tests/workflows/big_assign.asl.json",
    big_output: "../asl-runtime/tests/workflows/big_output.asl.json",
    child: "../asl-runtime/tests/workflows/child.asl.json",
    clock: "../asl-runtime/tests/workflows/clock.asl.json",
    deadline: "../asl-runtime/tests/workflows/deadline.asl.json",
    history_catch_output: "../asl-runtime/tests/workflows/history_catch_output.asl.json",
    history_distributed: "../asl-runtime/tests/workflows/history_distributed.asl.json",
    items_batched: "../asl-runtime/tests/workflows/items_batched.asl.json",
    items_exported: "../asl-runtime/tests/workflows/items_exported.asl.json",
    items_flattened: "../asl-runtime/tests/workflows/items_flattened.asl.json",
    history_map: "../asl-runtime/tests/workflows/history_map.asl.json",
    history_map_failure: "../asl-runtime/tests/workflows/history_map_failure.asl.json",
    history_parallel_map: "../asl-runtime/tests/workflows/history_parallel_map.asl.json",
    history_stop: "../asl-runtime/tests/workflows/history_stop.asl.json",
    history_tasks: "../asl-runtime/tests/workflows/history_tasks.asl.json",
    pair: "../asl-runtime/tests/workflows/pair.asl.json",
    parent: "../asl-runtime/tests/workflows/parent.asl.json",
    pass_array_parameters: "../asl-runtime/tests/workflows/pass_array_parameters.asl.json",
    race: "../asl-runtime/tests/workflows/race.asl.json",
    resume: "../asl-runtime/tests/workflows/resume.asl.json",
    variables: "../asl-runtime/tests/workflows/variables.asl.json",
    wait_input_path: "../asl-runtime/tests/workflows/wait_input_path.asl.json",
}

/// The definition at `path` (relative to this crate), loaded in process with the settings
/// `include_asl!` uses by default.
fn load(path: &str) -> &'static Workflow {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    match asl_codegen::load(&Source::new(path, text), &Settings::new()) {
        Ok(loaded) => loaded.workflow,
        Err(diagnostics) => panic!("{path} does not load: {diagnostics:#?}"),
    }
}

/// Where two texts first differ, with a few lines of context.
fn first_difference(left: &str, right: &str) -> String {
    let (left, right): (Vec<&str>, Vec<&str>) = (left.lines().collect(), right.lines().collect());
    let at = left.iter().zip(&right).position(|(l, r)| l != r).unwrap_or(left.len().min(right.len()));
    let from = at.saturating_sub(5);
    let show = |lines: &[&str]| lines.iter().skip(from).take(at - from + 3).copied().collect::<Vec<_>>().join("\n");
    format!("line {}:\n--- compiled\n{}\n--- loaded\n{}", at + 1, show(&left), show(&right))
}

#[test]
fn a_loaded_definition_is_the_description_it_compiles_to() {
    for (path, compiled) in COMPILED {
        let loaded = load(path);
        // Debug shows every field of the description, down to each JSONata expression's plan.
        let (compiled, loaded) = (format!("{compiled:#?}"), format!("{loaded:#?}"));
        assert!(compiled == loaded, "{path}: the descriptions differ at {}", first_difference(&compiled, &loaded));
    }
}

/// The same answers for both routes: each Task's result names the state and its handler
/// number and echoes the input, and a state named like a failure fails once.
struct Echo;

impl TaskHandler for Echo {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let result = if call.state.contains("Fail") && call.retry_count == 0 {
            Err(Error::new("Flaky", format!("{} fails once", call.state)))
        } else {
            Ok(json!({ "state": call.state, "task": call.task, "input": call.input, "Payload": { "n": 7 } }))
        };
        Box::pin(async move { result })
    }
}

/// Whether a Task of the workflow waits for a callback (a task token or an activity
/// worker), which nobody sends here.
fn waits_for_callbacks(workflow: &Workflow) -> bool {
    workflow.containers.iter().flat_map(|c| c.states).any(|s| match &s.kind {
        StateKind::Task(task) => task.callback() != Callback::None,
        _ => false,
    })
}

/// Runs `workflow` to its end on a virtual clock, with the full history recorded.
async fn run(workflow: &Workflow, input: &Value) -> (Outcome, Vec<HistoryEvent>) {
    let start = OffsetDateTime::from_unix_timestamp(1_740_787_200).unwrap(); // 2025-03-01
    let clock = VirtualClock::starting_at(start);
    let info = ExecutionInfo::new(workflow.name, "exec-1", clock.now(), input.clone());
    let execution = Execution::start_recording(workflow, info, input.clone(), clock.now(), HistoryDetail::Full);
    let mut driver = Driver::new(workflow, &Echo, &clock, execution);
    // Paused time moves on whenever everything waits, so a run that could never end fails
    // here rather than hanging the test.
    let ten_years = Duration::from_secs(10 * 366 * 24 * 60 * 60);
    let outcome =
        tokio::time::timeout(ten_years, driver.run()).await.unwrap_or_else(|_| panic!("{} did not end", workflow.name));
    let mut history = driver.into_execution().history().to_vec();
    // A Map Run's ARN ends in a random id (as AWS's does), whichever route made it.
    for details in history.iter_mut().filter_map(|event| event.details.as_deref_mut()) {
        if let Some(arn) = &mut details.map_run_arn
            && let Some(at) = arn.rfind(':')
        {
            arn.truncate(at + 1);
            arn.push_str("<id>");
        }
    }
    (outcome, history)
}

#[tokio::test(start_paused = true)]
async fn a_loaded_definition_runs_as_the_compiled_one() {
    // Something for most paths to find; where one finds nothing, both routes fail alike.
    let input = json!({
        "order": { "id": "o-1", "items": [{ "sku": "a", "price": 5 }, { "sku": "b", "price": 15 }] },
        "items": [1, 2, 3],
        "name": "Ada",
        "n": 3,
        "seconds": 2,
        "timestamp": "2025-03-01T00:00:05Z",
        "flag": true
    });
    let mut ran = 0;
    for (path, compiled) in COMPILED {
        if waits_for_callbacks(compiled) {
            continue;
        }
        let loaded = load(path);
        let (compiled_outcome, compiled_history) = run(compiled, &input).await;
        let (loaded_outcome, loaded_history) = run(loaded, &input).await;
        assert_eq!(loaded_outcome, compiled_outcome, "{path}: outcomes differ");
        assert_eq!(loaded_history, compiled_history, "{path}: histories differ");
        ran += 1;
    }
    assert!(ran >= 30, "only {ran} workflows ran both ways");
}
