//! Tests of the public API: the embedded model, `check_request` and `check_response`.

use serde_json::{Value, json};

use super::pattern::Pattern;
use super::shape::Kind;
use super::*;

const ARN: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:example";

fn op(name: &str) -> &'static Operation {
    operation(name).unwrap_or_else(|| panic!("{name} is not in the model"))
}

/// The `(code, message)` of `check_request`'s error.
fn refused(name: &str, body: Value) -> (&'static str, String) {
    let error = op(name).check_request(&body).expect_err("refused");
    (error.code(), error.message().to_owned())
}

/// The message of the `ValidationException` for `body`.
fn invalid(name: &str, body: Value) -> String {
    let (code, message) = refused(name, body);
    assert_eq!(code, "ValidationException", "{message}");
    message
}

fn one(error: &str) -> String {
    format!("1 validation error detected: {error}")
}

#[test]
fn the_model_parses_with_37_operations() {
    let model = loaded().unwrap();
    assert_eq!(operations().count(), 37);
    assert_eq!(model.operations.len(), 37);
    let names: Vec<_> = operations().map(Operation::name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
}

#[test]
fn every_operation_has_an_input_and_an_output_structure() {
    for operation in operations() {
        let input = operation.input_shape().unwrap_or_else(|| panic!("{} has no input", operation.name()));
        let output = operation.output_shape().unwrap_or_else(|| panic!("{} has no output", operation.name()));
        assert_eq!(input, format!("{}Input", operation.name()));
        assert_eq!(output, format!("{}Output", operation.name()));
        // Parsing already resolved every reference; the shapes are structures.
        let model = loaded().unwrap();
        for id in [operation.input.unwrap(), operation.output.unwrap()] {
            assert!(matches!(model.shapes[id].kind, Kind::Structure(_)));
        }
    }
}

#[test]
fn lookups_and_errors() {
    let start = op("StartExecution");
    assert_eq!(start.name(), "StartExecution");
    assert!(start.errors().contains(&"ExecutionAlreadyExists"));
    assert!(start.errors().contains(&"StateMachineDoesNotExist"));
    assert_eq!(op("DeleteActivity").errors(), ["InvalidArn"]);
    assert!(operation("startExecution").is_none());
    assert!(operation("Nope").is_none());
    assert!(operation("").is_none());
}

#[test]
fn every_pattern_of_the_model_has_a_check() {
    let model = loaded().unwrap();
    let mut patterns = 0;
    for shape in &model.shapes {
        if let Kind::String { pattern: Some((pattern, source)), .. } = &shape.kind {
            assert_ne!(*pattern, Pattern::Unchecked, "{}: no check for {source}", shape.name);
            patterns += 1;
        }
    }
    assert_eq!(patterns, 3);
}

#[test]
fn valid_requests_pass() {
    let cases = [
        ("StartExecution", json!({"stateMachineArn": ARN})),
        ("StartExecution", json!({"stateMachineArn": ARN, "name": "a".repeat(80), "input": "{}", "traceHeader": ""})),
        ("ListStateMachines", json!({})),
        ("ListStateMachines", json!({"maxResults": 1000, "nextToken": "t"})),
        ("CreateStateMachine", json!({"name": "n", "definition": "{}", "roleArn": "r", "type": "EXPRESS"})),
        ("TagResource", json!({"resourceArn": ARN, "tags": []})),
        ("TagResource", json!({"resourceArn": ARN, "tags": [{"key": "k", "value": ""}]})),
        ("RedriveExecution", json!({"executionArn": ARN, "clientToken": "abc-123"})),
        ("UpdateMapRun", json!({"mapRunArn": ARN, "toleratedFailurePercentage": 100})),
    ];
    for (name, body) in cases {
        assert_eq!(op(name).check_request(&body), Ok(()), "{name} {body}");
    }
}

#[test]
fn bodies_that_are_not_objects_are_serialization_errors() {
    assert_eq!(
        refused("ListActivities", json!([])),
        ("SerializationException", "Start of list found where not expected".into())
    );
    for body in [json!("x"), json!(1), json!(true), Value::Null] {
        assert_eq!(refused("ListActivities", body), ("SerializationException", String::new()));
    }
}

#[test]
fn wrong_types_are_serialization_errors_before_validation() {
    // The missing required member would be a ValidationException; Coral never gets there.
    assert_eq!(
        refused("StartExecution", json!({"name": 5})),
        ("SerializationException", "NUMBER_VALUE can not be converted to a String".into())
    );
    assert_eq!(
        refused("TagResource", json!({"resourceArn": ARN, "tags": [{"key": ["k"]}]})),
        ("SerializationException", "Start of list found where not expected".into())
    );
    let error = op("StartExecution").check_request(&json!({"stateMachineArn": {}})).unwrap_err();
    assert_eq!(error.body()["__type"], "com.amazon.coral.service#SerializationException");
}

#[test]
fn required_members() {
    assert_eq!(
        invalid("StartExecution", json!({"name": "run"})),
        one("Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null")
    );
    // null is absent.
    assert_eq!(
        invalid("StartExecution", json!({"stateMachineArn": null})),
        one("Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null")
    );
    let error = op("StartExecution").check_request(&json!({})).unwrap_err();
    assert_eq!(error.body()["__type"], "com.amazon.coral.validate#ValidationException");
    assert!(error.body().get("reason").is_none());
}

#[test]
fn string_lengths_count_characters() {
    let long = "a".repeat(81);
    assert_eq!(
        invalid("StartExecution", json!({"stateMachineArn": ARN, "name": long})),
        one(&format!(
            "Value '{long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"
        ))
    );
    // 80 emoji are 320 bytes and 160 UTF-16 units, and fit.
    assert_eq!(op("StartExecution").check_request(&json!({"stateMachineArn": ARN, "name": "😀".repeat(80)})), Ok(()));
    assert_eq!(
        invalid("StartExecution", json!({"stateMachineArn": ""})),
        one(
            "Value '' at 'stateMachineArn' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )
    );
}

#[test]
fn sensitive_values_are_left_out() {
    let definition = "x".repeat(1_048_577);
    assert_eq!(
        invalid("CreateStateMachine", json!({"name": "n", "roleArn": "r", "definition": definition})),
        one(
            "Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to 1048576"
        )
    );
    assert_eq!(
        invalid("SendTaskHeartbeat", json!({"taskToken": ""})),
        one("Value at 'taskToken' failed to satisfy constraint: Member must have length greater than or equal to 1")
    );
    // A missing sensitive member still reads "Value null".
    assert_eq!(
        invalid("CreateStateMachine", json!({"name": "n", "roleArn": "r"})),
        one("Value null at 'definition' failed to satisfy constraint: Member must not be null")
    );
}

#[test]
fn payloads_are_measured_in_utf8_bytes() {
    // AWS's exact answer for an input of 262146 bytes.
    let large = format!("\"{}\"", "a".repeat(262_144));
    assert_eq!(
        invalid("StartExecution", json!({"stateMachineArn": ARN, "input": large})),
        one(
            "Value at 'input' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding"
        )
    );
    // 131073 two-byte characters: few enough characters, too many bytes.
    let accents = "é".repeat(131_073);
    assert!(invalid("SendTaskSuccess", json!({"taskToken": "t", "output": accents})).contains("at 'output'"));
    assert_eq!(op("SendTaskSuccess").check_request(&json!({"taskToken": "t", "output": "é".repeat(131_072)})), Ok(()));
}

#[test]
fn enums() {
    assert_eq!(
        invalid("CreateStateMachine", json!({"name": "n", "definition": "{}", "roleArn": "r", "type": "BATCH"})),
        one(
            "Value 'BATCH' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
        )
    );
    assert_eq!(
        invalid("ListExecutions", json!({"statusFilter": "running"})),
        one(
            "Value 'running' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]"
        )
    );
}

#[test]
fn number_ranges() {
    assert_eq!(
        invalid("ListStateMachines", json!({"maxResults": 1001})),
        one(
            "Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"
        )
    );
    assert_eq!(
        invalid("ListStateMachines", json!({"maxResults": -1})),
        one(
            "Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0"
        )
    );
    // Fractions are truncated before the check, and the message shows the truncated value.
    assert_eq!(op("ListStateMachines").check_request(&json!({"maxResults": 1000.9})), Ok(()));
    assert!(
        invalid("ListStateMachines", json!({"maxResults": 1001.5}))
            .starts_with("1 validation error detected: Value '1001' at")
    );
    assert_eq!(
        invalid("UpdateMapRun", json!({"mapRunArn": ARN, "toleratedFailurePercentage": 150})),
        one(
            "Value '150.0' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value less than or equal to 100"
        )
    );
    assert_eq!(
        invalid("UpdateMapRun", json!({"mapRunArn": ARN, "toleratedFailureCount": -1})),
        one(
            "Value '-1' at 'toleratedFailureCount' failed to satisfy constraint: Member must have value greater than or equal to 0"
        )
    );
    assert_eq!(
        invalid(
            "CreateActivity",
            json!({"name": "a", "encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsDataKeyReusePeriodSeconds": 59}})
        ),
        one(
            "Value '59' at 'encryptionConfiguration.kmsDataKeyReusePeriodSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"
        )
    );
}

#[test]
fn patterns() {
    let alias =
        |name: &str| json!({"name": name, "routingConfiguration": [{"stateMachineVersionArn": "v", "weight": 100}]});
    assert_eq!(
        invalid("CreateStateMachineAlias", alias("INVALID ALIAS")),
        one(
            r"Value 'INVALID ALIAS' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$"
        )
    );
    assert_eq!(op("CreateStateMachineAlias").check_request(&alias("PROD-1")), Ok(()));
    // Empty breaks the pattern and the minimum, in that order.
    assert_eq!(
        invalid("CreateStateMachineAlias", alias("")),
        r"2 validation errors detected: Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$; Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(
        invalid("RedriveExecution", json!({"executionArn": ARN, "clientToken": "a b"})),
        one(
            "Value 'a b' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [!-~]+"
        )
    );
    assert_eq!(
        invalid("StartExecution", json!({"stateMachineArn": ARN, "traceHeader": "Root=é"})),
        one(
            r"Value 'Root=é' at 'traceHeader' failed to satisfy constraint: Member must satisfy regular expression pattern: \p{ASCII}*"
        )
    );
}

#[test]
fn lists_and_nested_paths() {
    let routes = json!([
        {"stateMachineVersionArn": "arn:v:1", "weight": 50},
        {"stateMachineVersionArn": "arn:v:2", "weight": 30},
        {"stateMachineVersionArn": "arn:v:3", "weight": 20},
    ]);
    // AWS's answer (localstack's recorded snapshot), with our ARNs.
    assert_eq!(
        invalid("CreateStateMachineAlias", json!({"name": "a", "routingConfiguration": routes})),
        one(
            "Value '[RoutingConfigurationListItem(stateMachineVersionArn=arn:v:1, weight=50), RoutingConfigurationListItem(stateMachineVersionArn=arn:v:2, weight=30), RoutingConfigurationListItem(stateMachineVersionArn=arn:v:3, weight=20)]' at 'routingConfiguration' failed to satisfy constraint: Member must have length less than or equal to 2"
        )
    );
    assert_eq!(
        invalid(
            "CreateStateMachineAlias",
            json!({"name": "a", "routingConfiguration": [{"stateMachineVersionArn": "arn:v:1", "weight": 101}]})
        ),
        one(
            "Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100"
        )
    );
    assert_eq!(
        invalid("CreateStateMachineAlias", json!({"name": "a", "routingConfiguration": []})),
        one(
            "Value '[]' at 'routingConfiguration' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )
    );
    assert_eq!(
        invalid("TagResource", json!({"resourceArn": ARN, "tags": [{"key": "ok"}, {"key": "", "value": "v"}]})),
        one(
            "Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )
    );
    assert_eq!(
        invalid("UntagResource", json!({"resourceArn": ARN, "tagKeys": ["k", "x".repeat(129)]})),
        one(&format!(
            "Value '{}' at 'tagKeys.2.member' failed to satisfy constraint: Member must have length less than or equal to 128",
            "x".repeat(129)
        ))
    );
    assert_eq!(
        invalid(
            "CreateStateMachine",
            json!({"name": "n", "definition": "{}", "roleArn": "r", "loggingConfiguration": {"level": "LOUD", "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": ""}}]}})
        ),
        "2 validation errors detected: Value '' at 'loggingConfiguration.destinations.1.member.cloudWatchLogsLogGroup.logGroupArn' failed to satisfy constraint: Member must have length greater than or equal to 1; Value 'LOUD' at 'loggingConfiguration.level' failed to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]"
    );
    // Required members of list elements, and null elements skipped (not counted either).
    assert_eq!(
        invalid("CreateStateMachineAlias", json!({"name": "a", "routingConfiguration": [null, {"weight": 100}, null]})),
        one(
            "Value null at 'routingConfiguration.1.member.stateMachineVersionArn' failed to satisfy constraint: Member must not be null"
        )
    );
}

#[test]
fn several_errors_are_listed_and_capped_at_ten() {
    assert_eq!(
        invalid("CreateStateMachine", json!({"name": "", "type": "X"})),
        "4 validation errors detected: \
         Value null at 'definition' failed to satisfy constraint: Member must not be null; \
         Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value null at 'roleArn' failed to satisfy constraint: Member must not be null; \
         Value 'X' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
    );
    let tags: Vec<Value> = (0..12).map(|_| json!({"key": ""})).collect();
    let message = invalid("TagResource", json!({"resourceArn": ARN, "tags": tags}));
    assert!(message.starts_with("10 validation errors detected: Value '' at 'tags.1.member.key'"), "{message}");
    assert_eq!(message.matches("failed to satisfy constraint").count(), 10);
    assert!(message.ends_with(
        "at 'tags.10.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"
    ));
}

#[test]
fn unknown_members_are_ignored() {
    let body = json!({"stateMachineArn": ARN, "unknown": [1, {"x": null}], "Name": 5});
    assert_eq!(op("StartExecution").check_request(&body), Ok(()));
}

#[test]
fn lenient_forms_pass_and_normalize() {
    let history = op("GetExecutionHistory");
    let mut body = json!({"executionArn": ARN, "maxResults": 5.5, "reverseOrder": "yes", "nextToken": null});
    assert_eq!(history.check_request(&body), Ok(()));
    history.normalize_request(&mut body);
    assert_eq!(body, json!({"executionArn": ARN, "maxResults": 5, "reverseOrder": true}));
    assert_eq!(history.check_request(&body), Ok(()));
}

#[test]
fn responses_that_conform() {
    let cases = [
        ("StartExecution", json!({"executionArn": ARN, "startDate": 1_700_000_000.123})),
        ("DeleteActivity", json!({})),
        (
            "ListExecutions",
            json!({"executions": [{"executionArn": ARN, "stateMachineArn": ARN, "name": "n", "status": "RUNNING", "startDate": 1}], "nextToken": "t"}),
        ),
        ("ListTagsForResource", json!({"tags": [{"key": "k", "value": "v"}]})),
        (
            "DescribeStateMachine",
            json!({"stateMachineArn": ARN, "name": "n", "definition": "{}", "roleArn": "r", "type": "STANDARD", "creationDate": 1, "status": "ACTIVE", "loggingConfiguration": {"level": "OFF", "includeExecutionData": false}}),
        ),
    ];
    for (name, body) in cases {
        assert_eq!(op(name).check_response(&body), Ok(()), "{name}");
    }
}

#[test]
fn responses_that_do_not_conform() {
    let problems = op("StartExecution").check_response(&json!({"startDate": "2024-01-01", "extra": 1})).unwrap_err();
    assert_eq!(
        problems,
        [
            "executionArn: required member is missing",
            "startDate: expected a number of seconds since the epoch (Timestamp), found a string",
            "extra: StartExecutionOutput has no such member",
        ]
    );

    let body = json!({"executions": [
        {"executionArn": ARN, "stateMachineArn": ARN, "name": "n", "status": "DONE", "startDate": 1, "itemCount": 1.5},
        {"executionArn": ARN, "stateMachineArn": ARN, "name": 7, "status": "RUNNING", "startDate": 1, "stopDate": null},
    ]});
    // Members in model order, which is alphabetical in botocore's file.
    assert_eq!(
        op("ListExecutions").check_response(&body).unwrap_err(),
        [
            "executions[0].itemCount: expected a 32-bit integer (UnsignedInteger), found 1.5",
            "executions[0].status: \"DONE\" is not one of ExecutionStatus [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]",
            "executions[1].name: expected a string (Name), found a number",
            "executions[1].stopDate: null (AWS leaves absent members out)",
        ]
    );

    assert_eq!(
        op("ListTagsForResource").check_response(&json!({"tags": {"k": "v"}})).unwrap_err(),
        ["tags: expected an array (TagList), found an object"]
    );
    assert_eq!(
        op("GetExecutionHistory").check_response(&json!({"events": [{"id": 3_000_000_000_i64, "timestamp": 1, "type": "PassStateEntered", "previousEventId": 1.5}]})).unwrap_err(),
        ["events[0].previousEventId: expected a 64-bit integer (EventId), found 1.5"]
    );
    assert_eq!(
        op("DeleteActivity").check_response(&json!([])).unwrap_err(),
        ["(body): expected a JSON object, found an array"]
    );
    // A map (state name -> variable names) and booleans.
    let body = json!({"stateMachineArn": ARN, "variableReferences": {"S": ["a", 1], "T": "b"}, "publish": true});
    assert_eq!(
        op("DescribeStateMachineForExecution").check_response(&body).unwrap_err(),
        [
            "definition: required member is missing",
            "name: required member is missing",
            "roleArn: required member is missing",
            "updateDate: required member is missing",
            "variableReferences[\"S\"][1]: expected a string (VariableName), found a number",
            "variableReferences[\"T\"]: expected an array (VariableNameList), found a string",
            "publish: DescribeStateMachineForExecutionOutput has no such member",
        ]
    );
}

/// A model of our own for what the Step Functions model's requests do not have: maps and
/// timestamps.
const SYNTHETIC: &str = r#"{
  "operations": {
    "Put": {"input": {"shape": "PutInput"}, "output": {"shape": "PutOutput"}, "errors": []}
  },
  "shapes": {
    "PutInput": {"type": "structure", "required": ["labels"], "members": {
      "labels": {"shape": "Labels"}, "at": {"shape": "Instant"}}},
    "PutOutput": {"type": "structure", "members": {}},
    "Labels": {"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Text"}, "max": 2},
    "Text": {"type": "string", "min": 1},
    "Instant": {"type": "timestamp"}
  }
}"#;

#[test]
fn maps_and_timestamps_in_a_model_of_our_own() {
    let model = Model::parse(SYNTHETIC).unwrap();
    let input = model.operations[0].input.unwrap();
    let read = |body: Value| request::read(&model, input, &body);
    assert_eq!(read(json!({"labels": {"a": "b"}, "at": 1.5})), Ok(()));
    assert_eq!(read(json!({"labels": "a"})), Err("Expected map or null".into()));
    assert_eq!(read(json!({"labels": ["a"]})), Err(request::START_OF_LIST.into()));
    assert_eq!(read(json!({"labels": {"a": 1}})), Err("NUMBER_VALUE can not be converted to a String".into()));
    assert_eq!(
        read(json!({"at": "2024-01-01"})),
        Err("STRING_VALUE can not be converted to milliseconds since epoch".into())
    );
    assert_eq!(read(json!({"at": {}})), Err(request::START_OF_MAP.into()));

    let members = super::members(&model, input);
    let validate = |body: Value| validate::validate(&model, members, body.as_object().unwrap());
    assert_eq!(validate(json!({"labels": {"a": "b", "c": null}})), Vec::<String>::new());
    assert_eq!(
        validate(json!({"labels": {"a": "b", "c": "d", "e": ""}})),
        [
            "Value '{a=b, c=d, e=}' at 'labels' failed to satisfy constraint: Member must have length less than or equal to 2",
            "Value '' at 'labels.e.member' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ]
    );
}

#[test]
fn models_we_do_not_understand_are_refused() {
    let unknown_type = r#"{"operations": {}, "shapes": {"B": {"type": "blob"}}}"#;
    assert!(Model::parse(unknown_type).unwrap_err().contains("blob"));
    let dangling = r#"{"operations": {"Op": {"input": {"shape": "Missing"}}}, "shapes": {}}"#;
    assert!(Model::parse(dangling).unwrap_err().contains("Missing"));
    let not_a_member =
        r#"{"operations": {}, "shapes": {"S": {"type": "structure", "required": ["x"], "members": {}}}}"#;
    assert!(Model::parse(not_a_member).is_err());
}
