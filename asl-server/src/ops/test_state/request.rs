//! TestState's request members, read from a body the model has already checked (types,
//! lengths, enums): what is left is what the model cannot say — that `input`, `variables`,
//! `context` and a mocked `result` are JSON of the right shape. (`definition` and
//! `stateName` are [`definition`](super::definition)'s.)

use asl_runtime::Error;
use serde_json::{Map, Value};

use crate::wire::ApiError;

/// How much of the state's run the answer shows (`inspectionLevel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Level {
    /// The output, error, next state and status only (the default).
    Info,
    /// And the data flow's steps (`inspectionData`).
    Debug,
    /// And an HTTP Task's request and response, which asl-rs never sends: as `Debug`.
    Trace,
}

/// A TestState request, read.
#[derive(Debug)]
pub(super) struct Request<'r> {
    /// `roleArn`.
    pub(super) role_arn: Option<&'r str>,
    /// `input` (`{}` when absent).
    pub(super) input: Value,
    /// `inspectionLevel`.
    pub(super) level: Level,
    /// `revealSecrets`.
    pub(super) reveal_secrets: bool,
    /// `variables`.
    pub(super) variables: Option<Map<String, Value>>,
    /// `context`.
    pub(super) context: Option<Map<String, Value>>,
    /// `mock`, if given.
    pub(super) mock: Option<Mock<'r>>,
    /// `stateConfiguration.retrierRetryCount`.
    pub(super) retrier_retry_count: u32,
    /// `stateConfiguration.mapIterationFailureCount`.
    pub(super) map_iteration_failure_count: u64,
    /// `stateConfiguration.mapItemReaderData`: the object a Distributed Map's `ItemReader`
    /// reads, as found in its source.
    pub(super) map_item_reader_data: Option<&'r str>,
}

/// TestState's `mock`.
#[derive(Debug)]
pub(super) struct Mock<'r> {
    /// `result`, as given (JSON text).
    result: Option<&'r str>,
    /// `errorOutput`: `error` and `cause`.
    error_output: Option<(&'r str, Option<&'r str>)>,
}

impl<'r> Request<'r> {
    /// Reads `body`.
    ///
    /// # Errors
    ///
    /// `InvalidExecutionInput` for an `input` that is not JSON; `ValidationException` for
    /// `variables` or `context` that are not JSON objects.
    pub(super) fn read(body: &'r Value) -> Result<Request<'r>, ApiError> {
        let text = |name: &str| body.get(name).and_then(Value::as_str);
        let input = match text("input") {
            None => Value::Object(Map::new()),
            Some(input) => serde_json::from_str(input).map_err(|error| {
                ApiError::service("InvalidExecutionInput", format!("Invalid State Machine Execution Input: '{error}'"))
            })?,
        };
        let level = match text("inspectionLevel") {
            Some("DEBUG") => Level::Debug,
            Some("TRACE") => Level::Trace,
            _ => Level::Info,
        };
        let configuration = body.get("stateConfiguration");
        let count = |name: &str| configuration.and_then(|c| c.get(name)).and_then(Value::as_u64).unwrap_or(0);
        Ok(Request {
            role_arn: text("roleArn"),
            input,
            level,
            reveal_secrets: body.get("revealSecrets").and_then(Value::as_bool).unwrap_or(false),
            variables: text("variables").map(|v| object(v, "variables")).transpose()?,
            context: text("context")
                .map(|c| object(c, "context").map_err(|_| invalid_context("it must be a JSON object")))
                .transpose()?,
            mock: body.get("mock").map(Mock::read),
            retrier_retry_count: u32::try_from(count("retrierRetryCount")).unwrap_or(u32::MAX),
            map_iteration_failure_count: count("mapIterationFailureCount"),
            map_item_reader_data: configuration.and_then(|c| c.get("mapItemReaderData")).and_then(Value::as_str),
        })
    }
}

impl<'r> Mock<'r> {
    /// Reads `mock`.
    fn read(mock: &'r Value) -> Mock<'r> {
        let error_output = mock.get("errorOutput").map(|output| {
            let error = output.get("error").and_then(Value::as_str).unwrap_or_default();
            (error, output.get("cause").and_then(Value::as_str))
        });
        Mock { result: mock.get("result").and_then(Value::as_str), error_output }
    }

    /// What the mock says the state's work produced.
    ///
    /// # Errors
    ///
    /// `ValidationException` (AWS's words): both `result` and `errorOutput`, or a `result`
    /// that is not JSON; neither (asl-rs's words: the mock must say something).
    pub(super) fn outcome(&self) -> Result<Result<Value, Error>, ApiError> {
        match (self.result, self.error_output) {
            (Some(_), Some(_)) => Err(ApiError::validation(
                "A test mock should have only one of the following fields: [result, errorOutput].",
            )),
            (Some(result), None) => serde_json::from_str(result)
                .map(Ok)
                .map_err(|_| ApiError::validation("Mocked result must be valid JSON")),
            (None, Some((error, cause))) => {
                Ok(Err(Error { name: error.to_owned().into(), cause: cause.map(str::to_owned) }))
            }
            (None, None) => {
                Err(ApiError::validation("A test mock should have one of the following fields: [result, errorOutput]."))
            }
        }
    }
}

/// `text` as a JSON object, for the member `member`.
fn object(text: &str, member: &str) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_str(text) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(ApiError::validation(format!("The '{member}' member must be a JSON object"))),
    }
}

/// AWS's refusal of a `context` object.
pub(super) fn invalid_context(reason: &str) -> ApiError {
    ApiError::validation(format!("Invalid Context object provided: {reason}"))
}

/// Checks a `context` object as AWS does: only the sections an execution's context object
/// has, each with only its own fields, of their types; no `Map` (a state test runs no
/// iteration); `Task` only for a state that has a task token (`may_have_task`).
///
/// # Errors
///
/// `ValidationException` with AWS's words ("Invalid Context object provided: …").
pub(super) fn check_context(context: &Map<String, Value>, may_have_task: bool) -> Result<(), ApiError> {
    for (section, value) in context {
        let fields: &[(&str, Kind)] = match section.as_str() {
            "Execution" => &[
                ("Id", Kind::Text),
                ("Input", Kind::Any),
                ("Name", Kind::Text),
                ("RoleArn", Kind::Text),
                ("StartTime", Kind::Text),
                ("RedriveCount", Kind::Number),
                ("RedriveTime", Kind::Text),
            ],
            "State" => &[("EnteredTime", Kind::Text), ("Name", Kind::Text), ("RetryCount", Kind::Number)],
            "StateMachine" => &[("Id", Kind::Text), ("Name", Kind::Text)],
            "Task" => &[("Token", Kind::Text)],
            "Map" => return Err(invalid_context("'Map' field is not supported when mocking a Context object")),
            other => return Err(invalid_context(&format!("Field '{other}' is not allowed"))),
        };
        if section == "Task" && !may_have_task {
            return Err(invalid_context(
                "Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern",
            ));
        }
        let Value::Object(members) = value else {
            return Err(invalid_context(&format!("{section} must be an object")));
        };
        for (name, value) in members {
            let Some((_, kind)) = fields.iter().find(|(field, _)| field == name) else {
                return Err(invalid_context(&format!("Field '{name}' is not allowed")));
            };
            if !kind.admits(value) {
                return Err(invalid_context(&format!("{section}.{name} must be {}", kind.article())));
            }
        }
    }
    Ok(())
}

/// The JSON type a context-object field must have.
#[derive(Clone, Copy)]
enum Kind {
    /// A string.
    Text,
    /// A number.
    Number,
    /// Anything (`Execution.Input`).
    Any,
}

impl Kind {
    /// Whether `value` is of this type.
    fn admits(self, value: &Value) -> bool {
        match self {
            Kind::Text => value.is_string(),
            Kind::Number => value.is_number(),
            Kind::Any => true,
        }
    }

    /// The type, as AWS names it in a message.
    fn article(self) -> &'static str {
        match self {
            Kind::Text => "a string",
            Kind::Number => "a number",
            Kind::Any => "a value",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn input_that_is_not_json_is_invalid_execution_input() {
        let body = json!({"definition": "{}", "input": "{nope"});
        let error = Request::read(&body).unwrap_err();
        assert_eq!(error.code(), "InvalidExecutionInput");
        let body = json!({"definition": "{}"});
        assert_eq!(Request::read(&body).unwrap().input, json!({}));
    }

    #[test]
    fn a_mock_says_one_thing_in_json() {
        let read = |mock: Value| Mock::read(Box::leak(Box::new(mock))).outcome();
        assert_eq!(read(json!({"result": "[1, 2]"})).unwrap(), Ok(json!([1, 2])));
        let error = read(json!({"errorOutput": {"error": "E", "cause": "C"}})).unwrap().unwrap_err();
        assert_eq!((error.name.as_ref(), error.cause.as_deref()), ("E", Some("C")));
        let both = read(json!({"result": "1", "errorOutput": {"error": "E"}})).unwrap_err();
        assert_eq!(both.message(), "A test mock should have only one of the following fields: [result, errorOutput].");
        assert_eq!(read(json!({"result": "not JSON"})).unwrap_err().message(), "Mocked result must be valid JSON");
    }

    #[test]
    fn a_context_object_has_the_sections_and_fields_aws_allows() {
        let check = |context: Value, task| {
            check_context(context.as_object().unwrap(), task).map_err(|e| e.message().to_owned())
        };
        assert_eq!(
            check(json!({"Execution": {"Id": "x", "Input": [1]}, "State": {}, "StateMachine": {}}), false),
            Ok(())
        );
        let refused = [
            (json!({"Execution": {"Id": 1}}), "Invalid Context object provided: Execution.Id must be a string"),
            (
                json!({"Map": {}}),
                "Invalid Context object provided: 'Map' field is not supported when mocking a Context object",
            ),
            (
                json!({"Execution": {"pokemon": "squirtle"}}),
                "Invalid Context object provided: Field 'pokemon' is not allowed",
            ),
            (json!({"Pokedex": {}}), "Invalid Context object provided: Field 'Pokedex' is not allowed"),
        ];
        for (context, message) in refused {
            assert_eq!(check(context, false), Err(message.to_owned()));
        }
        assert!(check(json!({"Task": {"Token": "t"}}), false).unwrap_err().contains("'.waitForTaskToken'"));
        assert_eq!(check(json!({"Task": {"Token": "t"}}), true), Ok(()));
    }
}
