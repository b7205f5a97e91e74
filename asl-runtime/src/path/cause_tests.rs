//! Cause texts, checked byte for byte against the conformance cases (named in comments),
//! and the Pass-only conformance cases run through InputPath → Parameters → ResultPath →
//! OutputPath.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use serde_json::{Value, json};

use super::cause::*;
use super::tests::p;
use super::*;

/// The cause of a failed selection, as the driver will report it for a state entered at
/// event 2.
fn runtime_cause(state: &str, path: &str, input: &Value) -> String {
    let path = p(path);
    let missing = select(&path, &Scope::new(input)).unwrap_err();
    in_state(state, 2, &invalid_path(&path, &missing))
}

#[test]
fn input_and_output_path_not_found() {
    // Case base-scenarios-invalid-jsonpath-st-invalid-jsonpath-in-inputpath.
    assert_eq!(
        runtime_cause("pass", "$.NoSuchInputPath", &json!({"int-literal": 0})),
        "An error occurred while executing the state 'pass' (entered at the event id #2). Invalid path \
         '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
    );
    // Case base-scenarios-invalid-jsonpath-st-invalid-jsonpath-in-outputpath.
    assert_eq!(
        runtime_cause("pass", "$.NoSuchOutputPath", &json!({"int-literal": 0})),
        "An error occurred while executing the state 'pass' (entered at the event id #2). Invalid path \
         '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']"
    );
}

#[test]
fn timeout_and_heartbeat_seconds_path_not_found() {
    // Cases base-scenarios-invalid-jsonpath-st-invalid-jsonpath-in-timeoutsecondspath and
    // …-in-heartbeatsecondspath (both use this path).
    assert_eq!(
        runtime_cause("task", "$.NoSuchTimeoutSecondsPath", &json!({"int-literal": 0})),
        "An error occurred while executing the state 'task' (entered at the event id #2). Invalid path \
         '$.NoSuchTimeoutSecondsPath' : No results for path: $['NoSuchTimeoutSecondsPath']"
    );
}

#[test]
fn output_path_missing_an_intermediate_member() {
    // Case base-scenarios-catch-states-runtime: the task returned `{}`.
    assert_eq!(
        runtime_cause("RaiseRuntime", "$.no.such.result.path", &json!({})),
        "An error occurred while executing the state 'RaiseRuntime' (entered at the event id #2). Invalid path \
         '$.no.such.result.path' : Missing property in path $['no']"
    );
}

#[test]
fn wait_path_values() {
    let path = p("$.input.waitSeconds");
    // Cases wait-base-wait-seconds-path-1-5-2, wait-base-wait-seconds-path-1-5,
    // wait-base-wait-seconds-path-1.
    assert_eq!(
        in_state("WaitState", 2, &seconds_path_not_long(&path, &json!(1.5))),
        "An error occurred while executing the state 'WaitState' (entered at the event id #2). The SecondsPath \
         parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5"
    );
    assert_eq!(
        seconds_path_not_long(&path, &json!(-1.5)),
        "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == -1.5"
    );
    assert_eq!(
        seconds_path_negative(&path, &json!(-1)),
        "The SecondsPath parameter references a negative value: $.input.waitSeconds == -1"
    );
    // Cases base-scenarios-wait-timestamp-path-no-z, …-no-t.
    let path = p("$.TimestampValue");
    assert_eq!(
        in_state("WaitUntil", 2, &timestamp_path_invalid(&path, &json!("2016-12-05T21:29:29"))),
        "An error occurred while executing the state 'WaitUntil' (entered at the event id #2). The TimestampPath \
         parameter does not reference a valid ISO-8601 extended offset date-time format string: \
         $.TimestampValue == 2016-12-05T21:29:29"
    );
    assert_eq!(
        timestamp_path_invalid(&path, &json!("2016-12-05 21:29:29Z")),
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: \
         $.TimestampValue == 2016-12-05 21:29:29Z"
    );
}

#[test]
fn map_path_values() {
    // Cases base-scenarios-max-concurrency-path-nonumber, …-max-concurrency-value0.
    let path = p("$.MaxConcurrencyValue");
    assert_eq!(
        in_state("MapState", 2, &not_an_integer("MaxConcurrencyPath", &path, &json!("NoNumber"))),
        "An error occurred while executing the state 'MapState' (entered at the event id #2). The \
         MaxConcurrencyPath field refers to value \"NoNumber\" which is not a valid integer: $.MaxConcurrencyValue"
    );
    assert_eq!(
        not_an_integer("MaxConcurrencyPath", &path, &json!({})),
        "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: $.MaxConcurrencyValue"
    );
    // Cases base-scenarios-map-state-tolerated-failure-count-path-nonumber, …-value0.
    let path = p("$.ToleratedFailureCount");
    assert_eq!(
        not_an_integer("ToleratedFailureCountPath", &path, &json!({})),
        "The ToleratedFailureCountPath field refers to value \"{}\" which is not a valid integer: \
         $.ToleratedFailureCount"
    );
    // Cases base-scenarios-map-state-tolerated-failure-percentage-path-nonumber, …-value0.
    let path = p("$.ToleratedFailurePercentage");
    assert_eq!(
        not_a_float("ToleratedFailurePercentagePath", &path, &json!("NoNumber")),
        "The ToleratedFailurePercentagePath field refers to value \"NoNumber\" which is not a valid float: \
         $.ToleratedFailurePercentage"
    );
    // Cases base-scenarios-map-state-tolerated-failure-count-path-1 and
    // base-scenarios-map-state-tolerated-failure-percentage-path-1.
    assert_eq!(
        in_state("MapState", 2, TOLERATED_FAILURE_COUNT_NEGATIVE),
        "An error occurred while executing the state 'MapState' (entered at the event id #2). ToleratedFailureCount \
         cannot be negative."
    );
    assert_eq!(TOLERATED_FAILURE_PERCENTAGE_RANGE, "ToleratedFailurePercentage must be between 0 and 100.");
}

#[test]
fn causes_known_from_aws_output_outside_the_cases() {
    let input = json!({"flagged": false});
    assert_eq!(
        field_not_found(&p("$.application.address"), "address.$", &input),
        "The JSONPath '$.application.address' specified for the field 'address.$' could not be found in the input \
         '{\"flagged\":false}'"
    );
    assert_eq!(
        field_not_found(&p("$.ErrorX"), "ErrorPath", &json!({"Error": "error-value"})),
        "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input \
         '{\"Error\":\"error-value\"}'"
    );
    assert_eq!(
        choice_invalid_path(&p("$.processing_type")),
        "Invalid path '$.processing_type': The choice state's condition path references an invalid value."
    );
    assert_eq!(
        unable_to_apply_step("objects", &json!({"discovery": {"statusCode": 500}})),
        "Unable to apply step \"objects\" to input {\"discovery\":{\"statusCode\":500}}"
    );
}

#[test]
fn rendering_values() {
    let value = json!({"b": 1, "a": [1.5, "x\"y", null, true], "é": "\n"});
    // Compact, members in document order, non-ASCII kept.
    assert_eq!(json_text(&value), r#"{"b":1,"a":[1.5,"x\"y",null,true],"é":"\n"}"#);
    assert_eq!(value_text(&json!("raw text")), "raw text");
    assert_eq!(value_text(&json!(-1)), "-1");
    assert_eq!(value_text(&json!({})), "{}");
    let path = p("$.a['b c'][0][*][1:2]..x[?(@.y)].length()");
    assert_eq!(jayway_path(&path), "$['a']['b c'][0][*][1:2]..['x'][?].length()");
    assert_eq!(jayway_path(&p("$$.Execution.Input")), "$['Execution']['Input']");
    assert_eq!(jayway_path(&p("$['a','b']")), "$['a','b']");
    assert_eq!(jayway_path(&p("$[0,1]")), "$[0,1]");
}
