//! `TestState`: runs one state — a lone state's definition, or the state `stateName` of a
//! whole state machine — with a given input, variables and context object, and answers
//! with its output or error, the state it goes to next, its status (`SUCCEEDED`, `FAILED`,
//! `RETRIABLE`, `CAUGHT_ERROR`) and, at inspection level `DEBUG` or `TRACE`, what each step
//! of its data flow made of the data and what its Retry and Catch decided.
//!
//! The state runs on the engine, from the same validation and lowering as any definition
//! ([`definition`]), as a state test ([`asl_runtime::execution::inspect`]): the engine
//! itself writes down each step's value. A Task, Map or Parallel state's work is the
//! request's `mock` — its `result`, or its `errorOutput` as the task's error — which then
//! goes through the state's `ResultSelector`, `ResultPath`, `OutputPath` (or `Output`),
//! Retry and Catch like a real result; an activity's or a `.waitForTaskToken` task's mock is
//! what its worker or its token would have sent (the state still sees a `$$.Task.Token`).
//! Nothing waits: a Wait state ends at once, and a Retry that would retry ends the test with
//! status `RETRIABLE` and the delay it would wait (`retryBackoffIntervalSeconds`), counting
//! `stateConfiguration.retrierRetryCount` retries as made already.
//!
//! The refusals (a Map or Parallel without a mock, a Pass, Fail or Succeed state with one,
//! a mock with both `result` and `errorOutput`, a mocked result that is not JSON or does
//! not fit a Map or Parallel, `revealSecrets` with a mock, a Task without `roleArn` or mock,
//! a `stateName` the machine lacks, a context object AWS would not take) use AWS's words as
//! recorded against AWS between November 2025 and February 2026 (LocalStack's AWS-validated
//! TestState snapshots); the answers' members were checked against the same recordings
//! (`tests.rs` says which).
//!
//! What differs from AWS, and why:
//!
//! - A Task without a `mock` is refused: AWS would call the service with `roleArn`, and
//!   asl-rs has no binding to AWS services yet (`ValidationException`, saying to pass a
//!   mock; without `roleArn`, AWS's own refusal).
//! - A mocked result is not checked against the service's API model
//!   (`fieldValidationMode` is accepted, and every mode behaves as `NONE`): asl-rs does not
//!   carry the models of the services AWS integrates.
//! - A Distributed Map with an `ItemReader` reads its items from
//!   `stateConfiguration.mapItemReaderData`, the object's data as AWS takes it, with the
//!   reader's `ReaderConfig` ([`handler`]); the items go through `ItemSelector` and
//!   `ItemBatcher` (`afterItemSelector`, `afterItemBatcher`) and no child runs. Without the
//!   data, or for a reader that lists objects (`listObjectsV2`, whose data AWS does not
//!   document), the test is refused with a `ValidationException` that says so; a
//!   `ResultWriter` writes nothing (the mock is the Map's result). `errorCausedByState` is
//!   accepted and changes nothing (the mocked error is the Map's or Parallel's either way).
//! - `$$.Execution.Id` is a STANDARD execution's ARN (AWS shows an EXPRESS one), and
//!   `$$.Execution.RoleArn` is asl-rs's default role when `roleArn` is absent (AWS shows
//!   `null`). A state tested by `stateName` shows its own name as `$$.State.Name` (AWS
//!   shows `StateName`, the name a lone state gets here too).
//! - Nothing is sent over HTTP, so `TRACE` shows what `DEBUG` shows.
//! - Not recorded against AWS, so asl-rs's choice: a mock given to a Choice or Wait state is
//!   ignored (as LocalStack does); a mock with neither `result` nor `errorOutput` is refused;
//!   `inspectionData.variables` holds the variables given and those the state assigned;
//!   `afterItemSelector` holds every item's input; the JSON texts are compact (AWS passes a
//!   mocked result's own spacing through).
//! - Each test loads its definition, and the lowering leaks each description it makes
//!   ([`asl_codegen::load_as`]): a server answering many tests grows by about the size of
//!   each definition tested, until the lowering gets the arena its documentation plans.

use asl_runtime::Error;
use asl_runtime::clock::{Clock, RealClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{StateTest, StateTestOutcome, StateTestStatus, run_state_test};
use asl_runtime::intrinsics::{SplitMix64, uuid_v4};
use asl_runtime::machine::{StateDef, StateKind};
use serde_json::{Map, Value};

use self::definition::Loaded;
use self::handler::TestHandler;
use self::request::{Level, Request};
use crate::wire::ApiError;

mod definition;
mod handler;
mod request;
#[cfg(test)]
mod tests;

/// The state machine name `$$.StateMachine.Name` shows in a test.
const STATE_MACHINE: &str = "TestState";

/// Runs `TestState` for the request `body` (already checked against the service model) and
/// returns the `TestStateOutput` body. `output`, `input` and the other data members are
/// JSON text, as the API carries them.
///
/// # Errors
///
/// `InvalidDefinition` for a definition the validator rejects (with every error and its
/// line and column) or a Map or Parallel state without a mock (AWS's words);
/// `InvalidExecutionInput` for an `input` that is not JSON; `ValidationException` for
/// other misuse: a `stateName` the machine lacks, a mock that does not fit the state, a
/// Task without a mock, a `context` of the wrong shape.
pub(crate) async fn test_state(body: &Value) -> Result<Value, ApiError> {
    let text = |name: &str| body.get(name).and_then(Value::as_str);
    let loaded = definition::load(text("definition").unwrap_or_default(), text("stateName"))?;
    let request = Request::read(body)?;
    let state =
        loaded.workflow.state(loaded.at).ok_or_else(|| ApiError::internal("the state under test is missing"))?;
    let test = state_test(&request, &loaded, state)?;
    let clock = RealClock;
    let name = uuid_v4(&mut SplitMix64::from_entropy());
    let mut info = ExecutionInfo::new(STATE_MACHINE, name, clock.now(), request.input.clone());
    if let Some(role_arn) = request.role_arn {
        info = info.with_role_arn(role_arn);
    }
    let handler = TestHandler { reader_data: request.map_item_reader_data };
    let outcome = run_state_test(loaded.workflow, &handler, &clock, info, request.input.clone(), test).await;
    Ok(answer(&request, state, outcome))
}

/// The state test the request asks for, once its members fit the state.
fn state_test(request: &Request<'_>, loaded: &Loaded, state: &StateDef) -> Result<StateTest, ApiError> {
    let (container, index) = loaded.at;
    let mut test = StateTest::new(container, index)
        .with_retrier_retry_count(request.retrier_retry_count)
        .with_map_iteration_failure_count(request.map_iteration_failure_count);
    if let Some(stand_in) = stand_in(request, state)? {
        test = test.with_stand_in(stand_in);
    }
    if let Some(context) = &request.context {
        let has_token = match &state.kind {
            StateKind::Task(task) => task.resource.contains(".sync") || task.resource.ends_with(".waitForTaskToken"),
            _ => false,
        };
        request::check_context(context, has_token)?;
        test = test.with_context_object(Value::Object(context.clone()));
    }
    if let Some(variables) = &request.variables {
        test = test.with_variables(variables.clone());
    }
    Ok(test)
}

/// What stands in for the state's work: the mock, checked against the state (AWS's
/// rules and words, but for the refusals asl-rs adds, which say why).
fn stand_in(request: &Request<'_>, state: &StateDef) -> Result<Option<Result<Value, Error>>, ApiError> {
    let kind = kind_name(&state.kind);
    let Some(mock) = &request.mock else {
        return match &state.kind {
            StateKind::Map(_) | StateKind::Parallel { .. } => Err(ApiError::service(
                "InvalidDefinition",
                "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]",
            )),
            StateKind::Task(_) if request.role_arn.is_none() => {
                Err(ApiError::validation("RoleArn must be specified when testing a Task state"))
            }
            StateKind::Task(task) => Err(ApiError::validation(format!(
                "asl-rs cannot call the resource '{}' from TestState: give the task's result or error as the request's \
                 `mock` (`result` or `errorOutput`)",
                task.resource
            ))),
            _ => Ok(None),
        };
    };
    if matches!(state.kind, StateKind::Pass { .. } | StateKind::Fail { .. } | StateKind::Succeed { .. }) {
        return Err(ApiError::validation(format!("State type '{kind}' is not supported when a mock is specified")));
    }
    if request.reveal_secrets {
        return Err(ApiError::validation("TestState does not support RevealSecrets when a mock is specified."));
    }
    let outcome = mock.outcome()?;
    match (&state.kind, &outcome) {
        (StateKind::Map(map), _) => {
            if let Some(reader) = map.distributed.and_then(|d| d.reader) {
                if !reader.resource.ends_with(":s3:getObject") {
                    return Err(ApiError::validation(format!(
                        "asl-rs cannot test a Map state whose ItemReader lists objects ('{}'): state tests read \
                         one object's data, given as stateConfiguration.mapItemReaderData",
                        reader.resource
                    )));
                }
                if request.map_item_reader_data.is_none() {
                    return Err(ApiError::validation(
                        "A Map state with an ItemReader reads its items from stateConfiguration.mapItemReaderData: \
                         give the data of the object it reads there",
                    ));
                }
            }
            if matches!(&outcome, Ok(result) if !result.is_array()) {
                return Err(ApiError::validation("Mocked result must be an array."));
            }
        }
        (StateKind::Parallel { branches, .. }, Ok(result)) => match result.as_array() {
            None => return Err(ApiError::validation("Mocked result must be an array.")),
            Some(results) if results.len() != branches.len() => {
                return Err(ApiError::validation(
                    "Mocked result must contain the same number of items as number of Parallel branches.",
                ));
            }
            Some(_) => {}
        },
        _ => {}
    }
    Ok(Some(outcome))
}

/// A state kind's name, as `Type` says it.
fn kind_name(kind: &StateKind) -> &'static str {
    match kind {
        StateKind::Task(_) => "Task",
        StateKind::Pass { .. } => "Pass",
        StateKind::Choice { .. } => "Choice",
        StateKind::Wait { .. } => "Wait",
        StateKind::Succeed { .. } => "Succeed",
        StateKind::Fail { .. } => "Fail",
        StateKind::Parallel { .. } => "Parallel",
        StateKind::Map(_) => "Map",
    }
}

/// The `TestStateOutput` of a test of `state` that went as `outcome`.
fn answer(request: &Request<'_>, state: &StateDef, outcome: StateTestOutcome) -> Value {
    let mut out = Map::new();
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            out.insert(name.to_owned(), value);
        }
    };
    put("output", outcome.output.as_ref().map(json_text));
    put("error", outcome.error.map(Value::from));
    put("cause", outcome.cause.map(Value::from));
    put("nextState", outcome.next_state.map(Value::from));
    let status = match outcome.status {
        StateTestStatus::Succeeded => "SUCCEEDED",
        StateTestStatus::Failed => "FAILED",
        StateTestStatus::Retriable => "RETRIABLE",
        StateTestStatus::CaughtError => "CAUGHT_ERROR",
    };
    put("status", Some(Value::from(status)));
    if request.level != Level::Info {
        put("inspectionData", Some(inspection_data(request, state, &outcome.inspection, &outcome.variables)));
    }
    Value::Object(out)
}

/// `inspectionData`: what the state's data flow, Retry and Catch did, each step's value as
/// JSON text. A step the state does not have (or did not reach) is left out.
fn inspection_data(
    request: &Request<'_>,
    state: &StateDef,
    seen: &asl_runtime::execution::Inspection,
    variables: &Map<String, Value>,
) -> Value {
    let mut data = Map::new();
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            data.insert(name.to_owned(), value);
        }
    };
    let text = |value: &Option<Value>| value.as_ref().map(json_text);
    put("input", Some(json_text(&request.input)));
    // A JSONPath Fail state has no `InputPath`: AWS shows its input as what it selects.
    let fails_on_its_input = matches!(state.kind, StateKind::Fail { .. }) && state.jsonata.is_none();
    put(
        "afterInputPath",
        text(&seen.after_input_path).or_else(|| fails_on_its_input.then(|| json_text(&request.input))),
    );
    put("afterParameters", text(&seen.after_parameters));
    put("afterArguments", text(&seen.after_arguments));
    // AWS shows a Map's items and the steps after them, not its result.
    if !matches!(state.kind, StateKind::Map(_)) {
        put("result", text(&seen.result));
    }
    put("afterResultSelector", text(&seen.after_result_selector));
    put("afterResultPath", text(&seen.after_result_path));
    put("afterItemsPath", text(&seen.after_items_path));
    put("afterItemSelector", text(&seen.after_item_selector));
    put("afterItemBatcher", text(&seen.after_item_batcher));
    put("maxConcurrency", seen.max_concurrency.map(Value::from));
    put("toleratedFailureCount", seen.tolerated_failure_count.map(Value::from));
    put("toleratedFailurePercentage", seen.tolerated_failure_percentage.map(Value::from));
    put("variables", (!variables.is_empty()).then(|| json_text(&Value::Object(variables.clone()))));
    let mut details = Map::new();
    if let Some(index) = seen.catch_index {
        details.insert("catchIndex".to_owned(), Value::from(index));
    }
    if let Some(index) = seen.retry_index {
        details.insert("retryIndex".to_owned(), Value::from(index));
    }
    if let Some(delay) = seen.retry_delay {
        details.insert("retryBackoffIntervalSeconds".to_owned(), Value::from(delay.as_secs()));
    }
    put("errorDetails", (!details.is_empty()).then_some(Value::Object(details)));
    Value::Object(data)
}

/// `value` as the JSON text the API carries.
fn json_text(value: &Value) -> Value {
    Value::String(value.to_string())
}
