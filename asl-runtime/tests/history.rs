//! Execution history as AWS records it: event details (data as JSON text, resources,
//! errors, iteration indices), `previousEventId` along causal chains through Parallel
//! branches and Map iterations, the JSON shape of `GetExecutionHistory`, and streaming to
//! a sink while the execution runs.
//!
//! The `previousEventId` sequences are those of the reference (§1.14: the first state's
//! Entered event points at no event) and of AWS recordings reproduced by public emulator
//! test suites: a branch or iteration chains from `ParallelStateStarted`/`MapStateStarted`,
//! the parent goes on from the branch or iteration that ended last, and closing events
//! (`…StateSucceeded`, `…StateFailed`, `MapIterationFailed`, `Execution…`) are passed by.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use asl_runtime::Error;
use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{
    BoxFuture, Driver, EventDetails, EventType, Execution, HistoryDetail, HistoryEvent, TaskCall, TaskHandler, Workflow,
};
use asl_runtime::sink::{HistorySink, JsonLines, TracingSink};
use serde_json::{Value, json};
use time::macros::datetime;

mod map {
    asl_runtime::include_asl!("tests/workflows/history_map.asl.json");
}
mod map_failure {
    asl_runtime::include_asl!("tests/workflows/history_map_failure.asl.json");
}
mod parallel_map {
    asl_runtime::include_asl!("tests/workflows/history_parallel_map.asl.json");
}
mod distributed {
    asl_runtime::include_asl!("tests/workflows/history_distributed.asl.json");
}
mod catch_output {
    asl_runtime::include_asl!("tests/workflows/history_catch_output.asl.json");
}
mod tasks {
    asl_runtime::include_asl!("tests/workflows/history_tasks.asl.json");
}
mod stop {
    asl_runtime::include_asl!("tests/workflows/history_stop.asl.json");
}

/// Task handlers: `Invoke` answers `{"Payload": {"n": 7}}`; `Legacy` fails once with
/// `Flaky`, then returns its input.
struct Handlers;

impl TaskHandler for Handlers {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let result = match call.state {
            "Invoke" => Ok(json!({ "Payload": { "n": 7 } })),
            "Approve" => Ok(json!({ "MessageId": "m-1" })),
            "Legacy" if call.retry_count == 0 => Err(Error::new("Flaky", "try again")),
            _ => Ok(call.input),
        };
        Box::pin(async move { result })
    }
}

fn execution(workflow: &Workflow, input: Value, clock: &VirtualClock, detail: HistoryDetail) -> Execution {
    let info = ExecutionInfo::new(workflow.name, "exec-1", clock.now(), input.clone());
    Execution::start_recording(workflow, info, input, clock.now(), detail)
}

async fn history(workflow: &Workflow, input: Value) -> Vec<HistoryEvent> {
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 00:00:00 UTC));
    let started = execution(workflow, input, &clock, HistoryDetail::Full);
    let mut driver = Driver::new(workflow, &Handlers, &clock, started);
    driver.run().await;
    driver.into_execution().history().to_vec()
}

fn types(history: &[HistoryEvent]) -> Vec<&'static str> {
    history.iter().map(|event| event.kind.name()).collect()
}

fn previous(history: &[HistoryEvent]) -> Vec<u64> {
    history.iter().map(|event| event.previous_event_id).collect()
}

fn details(event: &HistoryEvent) -> &EventDetails {
    event.details.as_deref().unwrap_or_else(|| panic!("{} has no details", event.kind))
}

/// The event of `kind` whose details name `name` and have `field` (`input`/`output`) equal
/// to `text`.
fn find<'h>(history: &'h [HistoryEvent], kind: EventType, name: &str, output: &str) -> &'h HistoryEvent {
    history
        .iter()
        .find(|event| {
            let Some(details) = event.details.as_deref() else { return false };
            let data = details.input.as_deref().or(details.output.as_deref());
            event.kind == kind && details.name.as_deref() == Some(name) && data == Some(output)
        })
        .unwrap_or_else(|| panic!("no {kind} of {name} with {output}"))
}

fn iteration(history: &[HistoryEvent], kind: EventType, index: u64) -> &HistoryEvent {
    history.iter().find(|event| event.kind == kind && details(event).index == Some(index)).unwrap()
}

#[tokio::test(start_paused = true)]
async fn map_iterations_chain_from_map_state_started() {
    let history = history(&map::WORKFLOW, json!({ "items": [1, 2] })).await;
    assert_eq!(history.len(), 20, "{:?}", types(&history));
    assert_eq!(types(&history[..3]), ["ExecutionStarted", "MapStateEntered", "MapStateStarted"]);
    let started = &history[2];
    assert_eq!(started.previous_event_id, 2);
    assert_eq!(details(started).length, Some(2));
    for index in 0..2u64 {
        let begun = iteration(&history, EventType::MapIterationStarted, index);
        let ended = iteration(&history, EventType::MapIterationSucceeded, index);
        let item = (index + 1).to_string();
        let first_in = find(&history, EventType::PassStateEntered, "I1", &item);
        let first_out = find(&history, EventType::PassStateExited, "I1", &item);
        let second_in = find(&history, EventType::PassStateEntered, "I2", &item);
        let second_out = find(&history, EventType::PassStateExited, "I2", &item);
        assert_eq!(details(begun).name.as_deref(), Some("M"));
        assert_eq!(begun.previous_event_id, started.id);
        assert_eq!(first_in.previous_event_id, begun.id);
        assert_eq!(first_out.previous_event_id, first_in.id);
        assert_eq!(second_in.previous_event_id, first_out.id);
        assert_eq!(second_out.previous_event_id, second_in.id);
        assert_eq!(ended.previous_event_id, second_out.id);
    }
    assert_eq!(
        types(&history[15..]),
        ["MapStateSucceeded", "MapStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    );
    let last_iteration = &history[14];
    assert_eq!(last_iteration.kind, EventType::MapIterationSucceeded);
    assert_eq!(history[15].previous_event_id, last_iteration.id);
    assert!(history[15].details.is_none());
    assert_eq!(history[16].previous_event_id, last_iteration.id);
    assert_eq!(details(&history[16]).output.as_deref(), Some("[1,2]"));
    assert_eq!(previous(&history[17..]), [17, 18, 19]);
}

#[tokio::test(start_paused = true)]
async fn an_empty_map_exits_from_its_started_event() {
    let history = history(&map::WORKFLOW, json!({ "items": [] })).await;
    assert_eq!(
        types(&history),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapStateSucceeded",
            "MapStateExited",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(previous(&history), [0, 0, 2, 3, 3, 5, 6, 7]);
}

#[tokio::test(start_paused = true)]
async fn a_failed_iteration_is_passed_by_and_the_map_fails_from_its_last_event() {
    let history = history(&map_failure::WORKFLOW, json!({ "items": [1, 2] })).await;
    assert_eq!(
        types(&history),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapIterationStarted",
            "PassStateEntered",
            "EvaluationFailed",
            "MapIterationFailed",
            "MapStateFailed",
            "ExecutionFailed"
        ]
    );
    assert_eq!(previous(&history), [0, 0, 2, 3, 4, 5, 6, 6, 8]);
    let cause = "An error occurred while executing the state 'Undef' (entered at the event id #5). \
                 The JSONata expression '$states.input.missing' specified for the field 'Output/v' \
                 returned nothing (undefined).";
    let evaluation = details(&history[5]);
    assert_eq!(evaluation.state.as_deref(), Some("Undef"));
    assert_eq!(evaluation.location.as_deref(), Some("Output/v"));
    assert_eq!(evaluation.error.as_deref(), Some("States.QueryEvaluationError"));
    assert_eq!(evaluation.cause.as_deref(), Some(cause));
    assert_eq!((details(&history[6]).name.as_deref(), details(&history[6]).index), (Some("M"), Some(0)));
    assert!(history[7].details.is_none());
    assert_eq!(details(&history[8]).cause.as_deref(), Some(cause));
}

#[tokio::test(start_paused = true)]
async fn a_map_in_a_branch_chains_to_the_branch_and_the_parallel_to_its_last_branch() {
    let history = history(&parallel_map::WORKFLOW, json!({ "items": [1, 2] })).await;
    assert_eq!(history.len(), 20, "{:?}", types(&history));
    let of = |kind: EventType| history.iter().find(|event| event.kind == kind).unwrap();
    let parallel_started = of(EventType::ParallelStateStarted);
    let map_entered = of(EventType::MapStateEntered);
    let map_started = of(EventType::MapStateStarted);
    let map_exited = of(EventType::MapStateExited);
    assert_eq!(map_entered.previous_event_id, parallel_started.id);
    let other_branch = find(&history, EventType::PassStateEntered, "B1", r#"{"items":[1,2]}"#);
    assert_eq!(other_branch.previous_event_id, parallel_started.id);
    assert_eq!(map_started.previous_event_id, map_entered.id);
    for index in 0..2 {
        assert_eq!(iteration(&history, EventType::MapIterationStarted, index).previous_event_id, map_started.id);
    }
    let last_iteration = (0..2).map(|i| iteration(&history, EventType::MapIterationSucceeded, i).id).max().unwrap();
    assert_eq!(of(EventType::MapStateSucceeded).previous_event_id, last_iteration);
    assert_eq!(map_exited.previous_event_id, last_iteration);
    let other_exited =
        history.iter().find(|e| e.kind == EventType::PassStateExited && details(e).name.as_deref() == Some("B1"));
    let last_branch_event = map_exited.id.max(other_exited.unwrap().id);
    assert_eq!(of(EventType::ParallelStateSucceeded).previous_event_id, last_branch_event);
    assert_eq!(of(EventType::ParallelStateExited).previous_event_id, last_branch_event);
    assert_eq!(history[19].kind, EventType::ExecutionSucceeded);
}

#[tokio::test(start_paused = true)]
async fn a_distributed_map_chains_past_its_run_and_names_it() {
    let history = history(&distributed::WORKFLOW, json!({ "items": [1, 2] })).await;
    assert_eq!(
        types(&history),
        [
            "ExecutionStarted",
            "MapStateEntered",
            "MapStateStarted",
            "MapRunStarted",
            "MapRunSucceeded",
            "MapStateSucceeded",
            "MapStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(previous(&history), [0, 0, 2, 3, 4, 5, 4, 7]);
    let arn = details(&history[3]).map_run_arn.as_deref().unwrap();
    assert!(arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:history_distributed/fan:"), "{arn}");
    assert_eq!(details(&history[6]).output.as_deref(), Some("[1,2]"));
}

#[tokio::test(start_paused = true)]
async fn a_catchers_failed_output_is_recorded_from_before_the_state_failed() {
    let history = history(&catch_output::WORKFLOW, json!({ "x": "a" })).await;
    assert_eq!(
        types(&history),
        [
            "ExecutionStarted",
            "ParallelStateEntered",
            "ParallelStateStarted",
            "FailStateEntered",
            "ParallelStateFailed",
            "EvaluationFailed",
            "ParallelStateFailed",
            "ExecutionFailed"
        ]
    );
    assert_eq!(previous(&history), [0, 0, 2, 3, 4, 4, 6, 7]);
    let cause = "An error occurred while executing the state 'P' (entered at the event id #2). \
                 The JSONata expression '$states.input.missing' specified for the field 'Catch[1]/Output/v' \
                 returned nothing (undefined).";
    let evaluation = details(&history[5]);
    assert_eq!(evaluation.location.as_deref(), Some("Catch[1]/Output/v"));
    assert_eq!((evaluation.state.as_deref(), evaluation.cause.as_deref()), (Some("P"), Some(cause)));
    let failed = details(&history[7]);
    assert_eq!((failed.error.as_deref(), failed.cause.as_deref()), (Some("States.QueryEvaluationError"), Some(cause)));
}

#[tokio::test(start_paused = true)]
async fn task_events_carry_resources_data_and_assigned_variables() {
    let history = history(&tasks::WORKFLOW, json!({ "order": 1 })).await;
    assert_eq!(
        types(&history),
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionFailed",
            "LambdaFunctionScheduled",
            "LambdaFunctionStarted",
            "LambdaFunctionSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(previous(&history), [0, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    let started = details(&history[0]);
    assert_eq!(started.input.as_deref(), Some(r#"{"order":1}"#));
    assert_eq!(started.role_arn.as_deref(), Some("arn:aws:iam::123456789012:role/StepFunctionsExecutionRole"));

    let scheduled = details(&history[2]);
    assert_eq!(scheduled.resource_type.as_deref(), Some("lambda"));
    assert_eq!(scheduled.resource.as_deref(), Some("invoke"));
    assert_eq!(scheduled.region.as_deref(), Some("us-east-1"));
    assert_eq!(scheduled.parameters.as_deref(), Some(r#"{"FunctionName":"f","Payload":{"order":1}}"#));
    assert_eq!(scheduled.timeout_in_seconds, Some(30));
    assert_eq!(details(&history[3]).resource.as_deref(), Some("invoke"));
    assert_eq!(details(&history[4]).output.as_deref(), Some(r#"{"Payload":{"n":7}}"#));
    let exited = details(&history[5]);
    assert_eq!(exited.output.as_deref(), Some(r#"{"n":7}"#));
    let assigned = exited.assigned_variables.as_ref().unwrap();
    assert_eq!(assigned.get("count"), Some(&json!("7")));
    assert_eq!(assigned.get("label"), Some(&json!("\"first\"")));

    let legacy = details(&history[7]);
    assert_eq!(legacy.resource.as_deref(), Some("arn:aws:lambda:us-east-1:123456789012:function:legacy"));
    assert_eq!(legacy.input.as_deref(), Some(r#"{"n":7}"#));
    assert!(history[8].details.is_none(), "LambdaFunctionStarted has no details");
    let failed = details(&history[9]);
    assert_eq!((failed.error.as_deref(), failed.cause.as_deref()), (Some("Flaky"), Some("try again")));
    assert_eq!(details(&history[14]).output.as_deref(), Some(r#"{"n":7}"#));
}

#[tokio::test(start_paused = true)]
async fn events_serialise_as_get_execution_history_and_read_back() {
    let history = history(&tasks::WORKFLOW, json!({ "order": 1 })).await;
    let json = serde_json::to_value(&history[5]).unwrap();
    assert_eq!(
        json,
        json!({
            "timestamp": "2025-03-01T00:00:00Z",
            "type": "TaskStateExited",
            "id": 6,
            "previousEventId": 5,
            "stateExitedEventDetails": {
                "name": "Invoke",
                "output": "{\"n\":7}",
                "outputDetails": { "truncated": false },
                "assignedVariables": { "count": "7", "label": "\"first\"" },
                "assignedVariablesDetails": { "truncated": false },
            },
        })
    );
    let text = serde_json::to_string(&history).unwrap();
    let back: Vec<HistoryEvent> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, history);
}

#[tokio::test(start_paused = true)]
async fn types_only_histories_have_the_same_events_without_details() {
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 00:00:00 UTC));
    let lean = execution(&tasks::WORKFLOW, json!({ "order": 1 }), &clock, HistoryDetail::TypesOnly);
    let mut driver = Driver::new(&tasks::WORKFLOW, &Handlers, &clock, lean);
    driver.run().await;
    let lean = driver.into_execution();
    let full = history(&tasks::WORKFLOW, json!({ "order": 1 })).await;
    assert!(lean.history().iter().all(|event| event.details.is_none()));
    let strip = |history: &[HistoryEvent]| -> Vec<(u64, u64, EventType)> {
        history.iter().map(|e| (e.id, e.previous_event_id, e.kind)).collect()
    };
    assert_eq!(strip(lean.history()), strip(&full));
}

/// A sink that keeps what it receives.
#[derive(Default)]
struct Collect(Mutex<Vec<(String, u64, EventType)>>);

impl HistorySink for Collect {
    fn record(&self, execution_arn: &str, event: &HistoryEvent) {
        self.0.lock().unwrap().push((execution_arn.to_owned(), event.id, event.kind));
    }
}

#[tokio::test(start_paused = true)]
async fn a_sink_receives_each_event_once_while_the_execution_runs_and_after_a_resume() {
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 00:00:00 UTC));
    let sink = Collect::default();
    let started = execution(&map::WORKFLOW, json!({ "items": [1, 2] }), &clock, HistoryDetail::Full);
    let mut driver = Driver::new(&map::WORKFLOW, &Handlers, &clock, started).with_history_sink(&sink);
    assert_eq!(sink.0.lock().unwrap().len(), 1, "ExecutionStarted at once");
    // A few transitions, then save, restore in a new driver with the same sink.
    for _ in 0..4 {
        assert!(driver.advance().await);
        // Streamed as soon as the transition is over.
        assert_eq!(sink.0.lock().unwrap().len(), driver.execution().history().len());
    }
    let saved = serde_json::to_string(driver.execution()).unwrap();
    drop(driver);
    let restored = Execution::from_json(&saved).unwrap();
    let mut driver = Driver::new(&map::WORKFLOW, &Handlers, &clock, restored).with_history_sink(&sink);
    driver.run().await;
    let received = sink.0.lock().unwrap().clone();
    let history = driver.execution().history();
    assert_eq!(received.len(), history.len(), "no event twice, none lost");
    for ((arn, id, kind), event) in received.iter().zip(history) {
        assert_eq!(arn, "arn:aws:states:us-east-1:123456789012:execution:history_map:exec-1");
        assert_eq!((*id, *kind), (event.id, event.kind));
    }
}

/// A writer other threads can read while the sink owns a clone.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn json_lines_holds_one_aws_event_per_line_with_the_execution_arn() {
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 00:00:00 UTC));
    let out = Shared::default();
    let sink = JsonLines::new(out.clone());
    let started = execution(&tasks::WORKFLOW, json!({ "order": 1 }), &clock, HistoryDetail::Full);
    let mut driver = Driver::new(&tasks::WORKFLOW, &Handlers, &clock, started).with_history_sink(&sink);
    driver.run().await;
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let history = driver.execution().history();
    assert_eq!(lines.len(), history.len());
    for (line, event) in lines.iter().zip(history) {
        assert_eq!(line["executionArn"], "arn:aws:states:us-east-1:123456789012:execution:history_tasks:exec-1");
        let mut expected = serde_json::to_value(event).unwrap();
        expected["executionArn"] = line["executionArn"].clone();
        assert_eq!(line, &expected);
    }
    assert_eq!(lines[2]["taskScheduledEventDetails"]["resourceType"], "lambda");
    assert_eq!(sink.write_errors(), 0);
}

/// A `tracing` subscriber that keeps each event's fields as text.
#[derive(Default)]
struct Fields(Mutex<Vec<Vec<(String, String)>>>);

struct Visit<'v>(&'v mut Vec<(String, String)>);

impl tracing::field::Visit for Visit<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

struct Recorder(Arc<Fields>);

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        assert_eq!(event.metadata().target(), asl_runtime::sink::TRACING_TARGET);
        let mut fields = Vec::new();
        event.record(&mut Visit(&mut fields));
        self.0.0.lock().unwrap().push(fields);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn the_tracing_sink_emits_one_event_per_history_event() {
    let fields = Arc::new(Fields::default());
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 00:00:00 UTC));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    let history = tracing::subscriber::with_default(Recorder(Arc::clone(&fields)), || {
        runtime.block_on(async {
            let started = execution(&tasks::WORKFLOW, json!({ "order": 1 }), &clock, HistoryDetail::Full);
            let mut driver = Driver::new(&tasks::WORKFLOW, &Handlers, &clock, started).with_history_sink(&TracingSink);
            driver.run().await;
            driver.into_execution().history().to_vec()
        })
    });
    let events = fields.0.lock().unwrap();
    assert_eq!(events.len(), history.len());
    let field = |event: &[(String, String)], name: &str| {
        event.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone()).unwrap_or_default()
    };
    for (event, recorded) in events.iter().zip(&history) {
        assert_eq!(field(event, "event_type"), recorded.kind.name());
        assert_eq!(field(event, "id"), recorded.id.to_string());
        assert_eq!(field(event, "previous_event_id"), recorded.previous_event_id.to_string());
    }
    let scheduled: Value = serde_json::from_str(&field(&events[2], "details")).unwrap();
    assert_eq!(scheduled["resource"], "invoke");
}

#[tokio::test(start_paused = true)]
async fn a_stopped_execution_records_every_interrupted_state_inner_first() {
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 00:00:00 UTC));
    let started = execution(&stop::WORKFLOW, json!({ "items": [1, 2] }), &clock, HistoryDetail::Full);
    let mut driver = Driver::new(&stop::WORKFLOW, &Handlers, &clock, started);
    // Run until everything waits (the shortest wait is 10 s).
    while tokio::time::timeout(std::time::Duration::from_secs(5), driver.advance()).await.is_ok() {}
    driver.stop(Some("Halt".to_owned()), Some("operator".to_owned()));
    let history = driver.execution().history();
    let submitted = history.iter().find(|event| event.kind == EventType::TaskSubmitted).unwrap();
    assert_eq!(details(submitted).output.as_deref(), Some(r#"{"MessageId":"m-1"}"#));
    let tail: Vec<&str> = types(history).into_iter().skip_while(|kind| *kind != "TaskStateAborted").collect();
    assert_eq!(
        tail,
        [
            "TaskStateAborted",
            "WaitStateAborted",
            "MapIterationAborted",
            "WaitStateAborted",
            "MapIterationAborted",
            "MapStateAborted",
            "WaitStateAborted",
            "ParallelStateAborted",
            "ExecutionAborted"
        ]
    );
    let aborted_iterations: Vec<u64> = history
        .iter()
        .filter(|event| event.kind == EventType::MapIterationAborted)
        .map(|event| details(event).index.unwrap())
        .collect();
    assert_eq!(aborted_iterations, [0, 1]);
    let last = details(history.last().unwrap());
    assert_eq!((last.error.as_deref(), last.cause.as_deref()), (Some("Halt"), Some("operator")));
    // Each interrupted state's event follows on from its own branch's last event.
    let approve_submitted = submitted.id;
    assert_eq!(
        history.iter().find(|e| e.kind == EventType::TaskStateAborted).unwrap().previous_event_id,
        approve_submitted
    );
}

#[tokio::test(start_paused = true)]
async fn a_runtime_streams_every_execution_to_its_sink_parked_or_not() {
    let sink = Arc::new(Collect::default());
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 00:00:00 UTC));
    let runtime = asl_runtime::Runtime::builder(clock).history_sink(sink.clone()).build();
    let handle = runtime.start(&stop::WORKFLOW, Arc::new(Handlers), "watched", json!({ "items": [1, 2] })).unwrap();
    for _ in 0..1000 {
        if runtime.parked_count() == 1 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(runtime.parked_count(), 1, "waits for its token and timers, parked");
    // A parked execution's history is readable, and the sink has all of it already.
    let parked = handle.history();
    assert!(parked.iter().any(|event| event.kind == EventType::TaskSubmitted));
    let received: Vec<(u64, EventType)> = sink.0.lock().unwrap().iter().map(|(_, id, kind)| (*id, *kind)).collect();
    assert_eq!(received, parked.iter().map(|event| (event.id, event.kind)).collect::<Vec<_>>());

    handle.stop(Some("Halt"), None);
    handle.wait().await;
    let history = handle.history();
    assert_eq!(history.last().map(|event| event.kind), Some(EventType::ExecutionAborted));
    let received = sink.0.lock().unwrap().clone();
    assert_eq!(received.len(), history.len(), "each event once, the stop's included");
    for ((arn, id, kind), event) in received.iter().zip(&history) {
        assert_eq!(arn, "arn:aws:states:us-east-1:123456789012:execution:history_stop:watched");
        assert_eq!((*id, *kind), (event.id, event.kind));
    }
}

/// `Invoke` takes 20 seconds (within its timeout); the rest as [`Handlers`].
struct Slow;

impl TaskHandler for Slow {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        Box::pin(async move {
            if call.state == "Invoke" {
                tokio::time::sleep(std::time::Duration::from_secs(20)).await;
            }
            Handlers.invoke(call).await
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_running_execution_shows_its_history_so_far() {
    let clock = VirtualClock::starting_at(datetime!(2025-03-01 00:00:00 UTC));
    let runtime = asl_runtime::Runtime::new(clock);
    let handle = runtime.start(&tasks::WORKFLOW, Arc::new(Slow), "slow", json!({ "order": 1 })).unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let so_far = handle.history();
    assert_eq!(types(&so_far), ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted"]);
    handle.wait().await;
    let history = handle.history();
    assert_eq!(history.len(), 15, "{:?}", history.iter().map(|e| (e.kind, e.details.clone())).collect::<Vec<_>>());
    assert_eq!(&history[..4], &so_far[..]);
}
