//! `TestState` end to end, from request body to answer. Where AWS's answer to the same
//! request was recorded (LocalStack's AWS-validated snapshots of TestState, November 2025
//! to February 2026), the expected values are AWS's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use serde_json::{Value, json};

use super::test_state;
use crate::wire::ApiError;

/// A request body: `definition` (JSON, sent as text) and the other members as given.
fn body(definition: Value, members: Value) -> Value {
    let mut body = members;
    body["definition"] = Value::from(definition.to_string());
    body
}

/// The answer to `body`, which must succeed.
async fn ok(body: Value) -> Value {
    test_state(&body).await.unwrap_or_else(|error| panic!("{error}"))
}

/// The error answering `body`.
async fn refused(body: Value) -> ApiError {
    match test_state(&body).await {
        Ok(answer) => panic!("answered {answer}"),
        Err(error) => error,
    }
}

/// A JSON text member of an answer, read back.
fn read(answer: &Value, pointer: &str) -> Value {
    let text = answer.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("no {pointer} in {answer}"));
    serde_json::from_str(text).unwrap()
}

/// AWS's IO_PASS_STATE template (TestState, "test_base_inspection_level_*").
fn io_pass_state() -> Value {
    json!({"Type": "Pass", "InputPath": "$.initialData",
        "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
        "ResultPath": "$.modifiedData", "End": true})
}

/// The input AWS's recording gave it.
fn nested_input() -> String {
    json!({"initialData": {"fieldFromInput": "value from input", "otherField": "other"},
        "unrelatedData": {"someOtherField": 1234}})
    .to_string()
}

#[tokio::test]
async fn info_shows_the_output_and_status_only() {
    let answer = ok(body(io_pass_state(), json!({"input": nested_input()}))).await;
    assert_eq!(answer["status"], "SUCCEEDED");
    let output = read(&answer, "/output");
    assert_eq!(output["modifiedData"], json!({"staticValue": "some value", "inputValue": "value from input"}));
    assert!(answer.get("inspectionData").is_none() && answer.get("nextState").is_none(), "{answer}");
}

#[tokio::test]
async fn debug_and_trace_show_each_step_of_the_data_flow_as_aws_does() {
    for level in ["DEBUG", "TRACE"] {
        let answer = ok(body(io_pass_state(), json!({"input": nested_input(), "inspectionLevel": level}))).await;
        let data = &answer["inspectionData"];
        let steps: Vec<&str> = data.as_object().unwrap().keys().map(String::as_str).collect();
        // AWS's recording: these five, no `result` for a Pass state without `Result`.
        assert_eq!(steps, ["input", "afterInputPath", "afterParameters", "afterResultSelector", "afterResultPath"]);
        assert_eq!(
            read(&answer, "/inspectionData/afterInputPath"),
            json!({"fieldFromInput": "value from input", "otherField": "other"})
        );
        let parameters = json!({"staticValue": "some value", "inputValue": "value from input"});
        assert_eq!(read(&answer, "/inspectionData/afterParameters"), parameters);
        assert_eq!(read(&answer, "/inspectionData/afterResultPath"), read(&answer, "/output"));
    }
}

#[tokio::test]
async fn a_task_runs_its_mock_through_its_data_flow() {
    let task = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "ResultSelector": {"body.$": "$.Payload"},
        "ResultPath": "$.result", "Next": "Done"});
    let mock = json!({"result": json!({"Payload": {"ok": true}, "StatusCode": 200}).to_string()});
    let answer = ok(body(task, json!({"input": "{\"id\": 7}", "mock": mock, "inspectionLevel": "DEBUG"}))).await;
    assert_eq!((&answer["status"], &answer["nextState"]), (&json!("SUCCEEDED"), &json!("Done")));
    assert_eq!(read(&answer, "/output"), json!({"id": 7, "result": {"body": {"ok": true}}}));
    assert_eq!(read(&answer, "/inspectionData/afterParameters"), json!({"FunctionName": "f", "Payload": {"id": 7}}));
    assert_eq!(read(&answer, "/inspectionData/result")["StatusCode"], 200);
    assert_eq!(read(&answer, "/inspectionData/afterResultSelector"), json!({"body": {"ok": true}}));
}

/// AWS's BASE_TASK_STATE_RETRY template.
fn retrying_task() -> Value {
    json!({"QueryLanguage": "JSONata", "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "foo", "Payload": "bar"},
        "Retry": [{"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "MaxAttempts": 5, "BackoffRate": 2.0}],
        "End": true})
}

#[tokio::test]
async fn a_retrier_with_retries_left_makes_it_retriable_with_awss_backoff() {
    let mock = json!({"errorOutput": {"error": "MockException", "cause": "Mock the cause of the error."}});
    let members = |count| json!({"input": "{}", "mock": mock, "inspectionLevel": "DEBUG", "stateConfiguration": {"retrierRetryCount": count}});
    // AWS: RETRIABLE, retryIndex 0, 16 seconds (1 × 2.0⁴), no output.
    let answer = ok(body(retrying_task(), members(4))).await;
    assert_eq!((&answer["status"], &answer["error"]), (&json!("RETRIABLE"), &json!("MockException")));
    assert_eq!(answer["cause"], "Mock the cause of the error.");
    assert_eq!(answer["inspectionData"]["errorDetails"], json!({"retryIndex": 0, "retryBackoffIntervalSeconds": 16}));
    assert_eq!(read(&answer, "/inspectionData/afterArguments"), json!({"FunctionName": "foo", "Payload": "bar"}));
    assert!(answer.get("output").is_none());
    // AWS: with the five retries made, FAILED, still naming the retrier.
    let answer = ok(body(retrying_task(), members(5))).await;
    assert_eq!(answer["status"], "FAILED");
    assert_eq!(answer["inspectionData"]["errorDetails"], json!({"retryIndex": 0}));
}

#[tokio::test]
async fn a_catcher_makes_it_caught_and_names_its_next_state() {
    // AWS's BASE_TASK_STATE_CATCH template and answer (catchIndex 1, `HandleThreshold`).
    let task = json!({"QueryLanguage": "JSONata", "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "foo", "Payload": "bar"},
        "Catch": [{"ErrorEquals": ["MockException"], "Output": "{% $states %}", "Next": "HandleMockError"},
                  {"ErrorEquals": ["States.TaskFailed"], "Output": "{% $states %}", "Next": "HandleThreshold"}],
        "End": true});
    let mock = json!({"errorOutput": {"error": "States.TaskFailed", "cause": "The task failed."}});
    let answer =
        ok(body(task, json!({"input": "{\"Value\": \"HelloWorld\"}", "mock": mock, "inspectionLevel": "DEBUG"}))).await;
    assert_eq!((&answer["status"], &answer["nextState"]), (&json!("CAUGHT_ERROR"), &json!("HandleThreshold")));
    assert_eq!((&answer["error"], &answer["cause"]), (&json!("States.TaskFailed"), &json!("The task failed.")));
    assert_eq!(answer["inspectionData"]["errorDetails"], json!({"catchIndex": 1}));
    let output = read(&answer, "/output");
    assert_eq!(output["errorOutput"], json!({"Error": "States.TaskFailed", "Cause": "The task failed."}));
    assert_eq!(output["input"], json!({"Value": "HelloWorld"}));
    // AWS names a lone state `StateName`.
    assert_eq!(output["context"]["State"]["Name"], "StateName");
}

#[tokio::test]
async fn a_fail_state_fails_with_its_error() {
    let fail =
        json!({"Type": "Fail", "Error": "SomeFailure", "Cause": "This state machines raises a 'SomeFailure' failure."});
    let answer = ok(body(fail, json!({"input": "{\"Value\": \"HelloWorld\"}", "inspectionLevel": "DEBUG"}))).await;
    assert_eq!((&answer["status"], &answer["error"]), (&json!("FAILED"), &json!("SomeFailure")));
    assert_eq!(answer["cause"], "This state machines raises a 'SomeFailure' failure.");
    // AWS shows a JSONPath Fail state's input after `InputPath`.
    assert_eq!(read(&answer, "/inspectionData/afterInputPath"), json!({"Value": "HelloWorld"}));
}

#[tokio::test]
async fn a_runtime_error_has_the_states_own_cause() {
    let pass = json!({"Type": "Pass", "InputPath": "$.missing", "End": true});
    let answer = ok(body(pass, json!({"input": "{}"}))).await;
    assert_eq!((&answer["status"], &answer["error"]), (&json!("FAILED"), &json!("States.Runtime")));
    assert_eq!(answer["cause"], "Invalid path '$.missing' : No results for path: $['missing']");
}

#[tokio::test]
async fn a_choice_goes_to_its_rule_and_a_wait_does_not_wait() {
    // AWS's BASE_CHOICE_STATE answer: `ValueInTwenties`, input unchanged.
    let choice = json!({"Type": "Choice", "Choices": [
        {"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20}, {"Variable": "$.value", "NumericLessThan": 30}],
         "Next": "ValueInTwenties"}], "Default": "DefaultState"});
    let input = json!({"type": "Private", "value": 22}).to_string();
    let answer = ok(body(choice, json!({"input": input, "inspectionLevel": "DEBUG"}))).await;
    assert_eq!((&answer["status"], &answer["nextState"]), (&json!("SUCCEEDED"), &json!("ValueInTwenties")));
    assert_eq!(read(&answer, "/inspectionData/afterInputPath"), json!({"type": "Private", "value": 22}));
    let wait = json!({"Type": "Wait", "Seconds": 31_536_000, "Next": "Later"});
    let answer = ok(body(wait, json!({"input": "{}"}))).await;
    assert_eq!((&answer["status"], &answer["nextState"]), (&json!("SUCCEEDED"), &json!("Later")));
}

#[tokio::test]
async fn jsonata_reads_the_variables_given_and_shows_them_with_its_own() {
    let pass = json!({"QueryLanguage": "JSONata", "Type": "Pass", "Assign": {"total": "{% $price * $count %}"},
        "Output": {"ja_var_access": "{% $price %}", "ja_states_input": "{% $states.input %}"}, "End": true});
    let members =
        json!({"input": "{\"n\": 1}", "variables": "{\"price\": 4, \"count\": 3}", "inspectionLevel": "DEBUG"});
    let answer = ok(body(pass, members)).await;
    assert_eq!(read(&answer, "/output"), json!({"ja_var_access": 4, "ja_states_input": {"n": 1}}));
    assert_eq!(read(&answer, "/inspectionData/variables"), json!({"price": 4, "count": 3, "total": 12}));
    // A JSONata state has no JSONPath steps to show.
    let steps: Vec<&str> = answer["inspectionData"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(steps, ["input", "variables"]);
}

#[tokio::test]
async fn a_given_context_object_is_what_the_state_sees() {
    // AWS's CONTEXT_OBJECT_RESULT_PATH state with `$$` read whole, and AWS's edge case:
    // the context object given is `$$` exactly, `{}` included.
    let task = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName.$": "$.FunctionName", "Payload": {"Input.$": "$"}},
        "ResultSelector": {"ContextObjectValue.$": "$$", "LambdaOutput.$": "$"}, "End": true});
    let mock = json!({"result": "{\"pokemon\": \"pikachu\"}"});
    for context in [json!({}), json!({"Execution": {}, "State": {"Name": "MyTaskState"}, "StateMachine": {}})] {
        let members = json!({"input": "{\"FunctionName\": \"f\"}", "mock": mock, "context": context.to_string()});
        let answer = ok(body(task.clone(), members)).await;
        assert_eq!(
            read(&answer, "/output"),
            json!({"ContextObjectValue": context, "LambdaOutput": {"pokemon": "pikachu"}})
        );
    }
    // AWS's refusals of a context object.
    let members = json!({"mock": mock, "context": "{\"Map\": {}}"});
    let error = refused(body(task.clone(), members)).await;
    assert_eq!(
        error.message(),
        "Invalid Context object provided: 'Map' field is not supported when mocking a Context object"
    );
    let members = json!({"mock": mock, "context": "{\"Task\": {\"Token\": \"t\"}}"});
    assert_eq!(refused(body(task, members)).await.code(), "ValidationException");
}

#[tokio::test]
async fn a_state_of_a_whole_machine_is_tested_by_name() {
    // AWS's BASE_MULTI_STATE_MACHINE: State0 goes to State1, which fails.
    let machine = json!({"QueryLanguage": "JSONata", "StartAt": "State0", "States": {
        "State0": {"Type": "Pass", "Next": "State1"},
        "State1": {"Type": "Fail", "Error": "SomeFailure", "Cause": "This state machines raises a 'SomeFailure' failure."}}});
    let members = |name| json!({"stateName": name, "input": "{\"Value\": \"HelloWorld\"}", "inspectionLevel": "DEBUG"});
    let answer = ok(body(machine.clone(), members("State0"))).await;
    assert_eq!((&answer["status"], &answer["nextState"]), (&json!("SUCCEEDED"), &json!("State1")));
    assert_eq!(answer["inspectionData"], json!({"input": "{\"Value\":\"HelloWorld\"}"}));
    let answer = ok(body(machine.clone(), members("State1"))).await;
    assert_eq!((&answer["status"], &answer["error"]), (&json!("FAILED"), &json!("SomeFailure")));
    let error = refused(body(machine, members("dne"))).await;
    assert_eq!((error.code(), error.message()), ("ValidationException", "State not found in definition"));
}

#[tokio::test]
async fn a_state_inside_a_map_is_tested_by_name_too() {
    // AWS's BASE_MAP_STATE_MACHINE, tested at `HandleItem` (AWS: SUCCEEDED, the input as
    // output, no next state; at DEBUG, a Pass state's five steps).
    let machine = json!({"StartAt": "State0", "States": {"State0": {"Type": "Map", "ItemsPath": "$.Values",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": true}}},
        "ToleratedFailureCount": 2, "End": true}}});
    let members =
        json!({"stateName": "HandleItem", "input": "{\"Value\": \"HelloWorld\"}", "inspectionLevel": "DEBUG"});
    let answer = ok(body(machine, members)).await;
    assert_eq!(answer["status"], "SUCCEEDED");
    assert!(answer.get("nextState").is_none(), "{answer}");
    assert_eq!(read(&answer, "/output"), json!({"Value": "HelloWorld"}));
    assert_eq!(answer["inspectionData"].as_object().map(|data| data.len()), Some(5));
}

#[tokio::test]
async fn a_bad_definition_is_invalid_with_each_error_where_it_is() {
    let definition = "{\n  \"Type\": \"Pass\",\n  \"Next\": 7\n}";
    let error = refused(json!({"definition": definition})).await;
    assert_eq!(error.code(), "InvalidDefinition");
    assert!(error.message().starts_with("Invalid State Machine Definition: '"), "{error}");
    assert!(error.message().contains("at /Next (line 3, column"), "{error}");
}

#[tokio::test]
async fn input_that_is_not_json_is_refused() {
    let error = refused(body(io_pass_state(), json!({"input": "{\"a\": "}))).await;
    assert_eq!(error.code(), "InvalidExecutionInput");
}

#[tokio::test]
async fn mocks_are_refused_where_aws_refuses_them() {
    let pass = json!({"Type": "Pass", "End": true});
    let error = refused(body(pass, json!({"mock": {"result": "{}"}}))).await;
    assert_eq!(error.message(), "State type 'Pass' is not supported when a mock is specified");
    let task = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true});
    let error = refused(body(task.clone(), json!({}))).await;
    assert_eq!(error.message(), "RoleArn must be specified when testing a Task state");
    let error = refused(body(task.clone(), json!({"roleArn": "arn:aws:iam::123456789012:role/r"}))).await;
    assert!(error.message().contains("`mock`"), "{error}");
    let error = refused(body(task, json!({"mock": {"result": "{}"}, "revealSecrets": true}))).await;
    assert_eq!(error.message(), "TestState does not support RevealSecrets when a mock is specified.");
}

#[tokio::test]
async fn a_map_and_a_parallel_need_a_mock_that_fits_them() {
    // AWS's BASE_MAP_STATE_CATCH: a failure count over `ToleratedFailureCount` is caught.
    let map = json!({"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.Values %}",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "TestState", "States": {"TestState": {"Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true}}},
        "Catch": [{"ErrorEquals": ["MockException"], "Output": "{% $states %}", "Next": "HandleMockError"},
                  {"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Output": "{% $states %}", "Next": "HandleThreshold"}],
        "ToleratedFailureCount": 1, "End": true});
    let input = json!({"Values": ["first", "second", "third"]}).to_string();
    let members = |failures| {
        json!({"input": input, "mock": {"result": "[1, 1, 1]"}, "inspectionLevel": "DEBUG",
            "stateConfiguration": {"mapIterationFailureCount": failures}})
    };
    let answer = ok(body(map.clone(), members(0))).await;
    assert_eq!((&answer["status"], read(&answer, "/output")), (&json!("SUCCEEDED"), json!([1, 1, 1])));
    assert_eq!(
        (&answer["inspectionData"]["maxConcurrency"], &answer["inspectionData"]["toleratedFailureCount"]),
        (&json!(0), &json!(1))
    );
    let answer = ok(body(map.clone(), members(2))).await;
    assert_eq!((&answer["status"], &answer["nextState"]), (&json!("CAUGHT_ERROR"), &json!("HandleThreshold")));
    assert_eq!(answer["error"], "States.ExceedToleratedFailureThreshold");
    assert_eq!(answer["cause"], "The specified tolerated failure threshold was exceeded");
    // AWS's refusals.
    let error = refused(body(map.clone(), json!({"input": input}))).await;
    assert_eq!(error.code(), "InvalidDefinition");
    assert!(error.message().starts_with("TestState API does not support Map or Parallel states."));
    let error = refused(body(map, json!({"input": input, "mock": {"result": "{}"}}))).await;
    assert_eq!(error.message(), "Mocked result must be an array.");
    let parallel = json!({"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]});
    let answer = ok(body(parallel.clone(), json!({"mock": {"result": "[1, 2]"}}))).await;
    assert_eq!(read(&answer, "/output"), json!([1, 2]));
    let error = refused(body(parallel, json!({"mock": {"result": "[1]"}}))).await;
    assert_eq!(error.message(), "Mocked result must contain the same number of items as number of Parallel branches.");
}

#[tokio::test]
async fn callback_tasks_and_activities_take_their_mock() {
    for resource in
        ["arn:aws:states:::sqs:sendMessage.waitForTaskToken", "arn:aws:states:us-east-1:123456789012:activity:a"]
    {
        let task =
            json!({"Type": "Task", "Resource": resource, "Parameters": {"Token.$": "$$.Task.Token"}, "Next": "N"});
        let members = json!({"mock": {"result": "{\"approved\": true}"}, "inspectionLevel": "DEBUG"});
        let answer = ok(body(task, members)).await;
        assert_eq!((&answer["status"], read(&answer, "/output")), (&json!("SUCCEEDED"), json!({"approved": true})));
        assert!(read(&answer, "/inspectionData/afterParameters")["Token"].is_string());
    }
}

#[test]
fn the_operation_can_run_on_any_thread_of_the_server() {
    fn on_any_thread<T: Send>(_: T) {}
    let body = json!({"definition": "{}"});
    on_any_thread(test_state(&body));
}

#[tokio::test]
async fn a_distributed_map_reads_its_items_from_the_reader_data_given() {
    let map = json!({"Type": "Map",
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 5},
            "Parameters": {"Bucket": "b", "Key": "k.csv"}},
        "ItemSelector": {"id.$": "$$.Map.Item.Value.id", "at.$": "$$.Map.Item.Index"},
        "ItemBatcher": {"MaxItemsPerBatch": 2},
        "MaxConcurrency": 3,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "p"}},
        "End": true});
    let csv: String = std::iter::once("id,name\n".to_owned()).chain((1..=7).map(|i| format!("{i},n{i}\n"))).collect();
    let members = json!({"mock": {"result": "[1, 2, 3]"}, "inspectionLevel": "DEBUG",
        "stateConfiguration": {"mapItemReaderData": csv}});
    let answer = ok(body(map.clone(), members)).await;
    assert_eq!((&answer["status"], read(&answer, "/output")), (&json!("SUCCEEDED"), json!([1, 2, 3])));
    let selected: Vec<Value> = (1..=5).map(|i| json!({"id": i.to_string(), "at": i - 1})).collect();
    assert_eq!(read(&answer, "/inspectionData/afterItemSelector"), Value::Array(selected.clone()));
    let batches = json!([{"Items": selected[..2]}, {"Items": selected[2..4]}, {"Items": selected[4..]}]);
    assert_eq!(read(&answer, "/inspectionData/afterItemBatcher"), batches);
    assert_eq!(answer["inspectionData"]["maxConcurrency"], json!(3));

    // Data the reader cannot read fails the Map as it would fail an execution.
    let members = json!({"mock": {"result": "[]"}, "stateConfiguration": {"mapItemReaderData": "id,id\n1,2\n"}});
    let answer = ok(body(map.clone(), members)).await;
    assert_eq!((&answer["status"], &answer["error"]), (&json!("FAILED"), &json!("States.ItemReaderFailed")));
    // Without the data, there is nothing to read.
    let error = refused(body(map, json!({"mock": {"result": "[]"}}))).await;
    assert_eq!(error.code(), "ValidationException");
    assert!(error.message().contains("mapItemReaderData"), "{error}");
}
