//! The service model as a test: every operation of AWS's model answers a real request over
//! HTTP, every successful answer conforms to the operation's output shape (required
//! members, types, enums, no strange members), and every error is one the model lists for
//! the operation (or one of the protocol's own).
//!
//! Two passes: a scenario that makes every operation succeed (state machines, a version and
//! an alias, an execution waiting on a task token, an activity task, a Distributed Map run,
//! an EXPRESS machine), and a pass generated from the model alone: each operation with its
//! required members filled with plausible values that name nothing, which must be refused
//! with one of the operation's errors — never a 500, never a dropped connection.

#![allow(clippy::panic)] // failing loudly is a test's job

use std::net::SocketAddr;
use std::time::Duration;

use asl_server::model;
use asl_server::{Config, Server, Storage};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Errors any operation may answer besides its own: the protocol's.
/// (Not `UnknownOperationException`: every operation of the model is one.)
const PROTOCOL_ERRORS: [&str; 2] = ["ValidationException", "SerializationException"];

async fn start() -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        storage: Storage::Memory,
        wait_scale: Some(0.0),
        ..Config::default()
    };
    let server = Server::start(config).await.unwrap_or_else(|e| panic!("start: {e}"));
    let addr = server.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

/// One request over a fresh connection, HTTP/1.1 as the SDKs send it: the status and the
/// JSON answer.
async fn call(addr: SocketAddr, operation: &str, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: AWSStepFunctions.{operation}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("connect: {e}"));
    stream.write_all(request.as_bytes()).await.unwrap_or_else(|e| panic!("write: {e}"));
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap_or_else(|e| panic!("{operation}: connection dropped: {e}"));
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or_else(|| panic!("{operation}: no HTTP answer: {answer}"));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("{operation}: answer not JSON ({e}): {body}"));
    (status, body)
}

/// Calls `operation`, which must succeed with an answer of its output shape.
async fn ok(addr: SocketAddr, operation: &str, body: Value) -> Value {
    let (status, answer) = call(addr, operation, &body).await;
    assert_eq!(status, 200, "{operation} {body}: {answer}");
    let model = model::operation(operation).unwrap_or_else(|| panic!("{operation} is not in the model"));
    if let Err(problems) = model.check_response(&answer) {
        panic!("{operation}'s answer does not conform to its output shape:\n{}\n{answer}", problems.join("\n"));
    }
    answer
}

fn string(value: &Value, pointer: &str) -> String {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("no {pointer} in {value}")).to_owned()
}

const ROLE: &str = "arn:aws:iam::123456789012:role/test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_succeeds_with_its_output_shape() {
    let (addr, _stop) = start().await;
    let mut called = std::collections::BTreeSet::new();
    macro_rules! op {
        ($name:literal, $body:expr) => {{
            called.insert($name);
            ok(addr, $name, $body).await
        }};
    }
    let activity = op!("CreateActivity", json!({"name": "work", "tags": [{"key": "team", "value": "a"}]}));
    let activity_arn = string(&activity, "/activityArn");
    op!("DescribeActivity", json!({"activityArn": activity_arn}));
    op!("ListActivities", json!({}));

    let approve = json!({"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": true}}});
    let created = op!(
        "CreateStateMachine",
        json!({"name": "approve", "roleArn": ROLE, "definition": approve.to_string(), "publish": true})
    );
    let machine = string(&created, "/stateMachineArn");
    let version = string(&created, "/stateMachineVersionArn");
    op!("DescribeStateMachine", json!({"stateMachineArn": machine}));
    op!("ListStateMachines", json!({}));
    op!("ValidateStateMachineDefinition", json!({"definition": approve.to_string()}));
    op!("UpdateStateMachine", json!({"stateMachineArn": machine, "roleArn": format!("{ROLE}2")}));
    let published = op!("PublishStateMachineVersion", json!({"stateMachineArn": machine, "description": "v2"}));
    let version2 = string(&published, "/stateMachineVersionArn");
    op!("ListStateMachineVersions", json!({"stateMachineArn": machine}));
    let alias = op!(
        "CreateStateMachineAlias",
        json!({"name": "live", "routingConfiguration": [
            {"stateMachineVersionArn": version, "weight": 50},
            {"stateMachineVersionArn": version2, "weight": 50}]})
    );
    let alias_arn = string(&alias, "/stateMachineAliasArn");
    op!("DescribeStateMachineAlias", json!({"stateMachineAliasArn": alias_arn}));
    op!("ListStateMachineAliases", json!({"stateMachineArn": machine}));
    op!("UpdateStateMachineAlias", json!({"stateMachineAliasArn": alias_arn, "description": "all"}));
    op!("TagResource", json!({"resourceArn": machine, "tags": [{"key": "k", "value": "v"}]}));
    op!("ListTagsForResource", json!({"resourceArn": machine}));
    op!("UntagResource", json!({"resourceArn": machine, "tagKeys": ["k"]}));

    // An execution through the alias that waits on a task token, answered from its history.
    let started = op!("StartExecution", json!({"stateMachineArn": alias_arn, "name": "one", "input": "{\"a\":1}"}));
    let execution = string(&started, "/executionArn");
    op!("DescribeExecution", json!({"executionArn": execution}));
    op!("DescribeStateMachineForExecution", json!({"executionArn": execution}));
    let token = loop {
        let history = op!("GetExecutionHistory", json!({"executionArn": execution, "reverseOrder": true}));
        let scheduled = history["events"]
            .as_array()
            .and_then(|events| events.iter().find(|e| e["type"] == "TaskScheduled"))
            .map(|e| string(e, "/taskScheduledEventDetails/parameters"));
        if let Some(parameters) = scheduled {
            let parameters: Value = serde_json::from_str(&parameters).unwrap_or(Value::Null);
            break string(&parameters, "/MessageBody/token");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    op!("SendTaskHeartbeat", json!({"taskToken": token}));
    op!("SendTaskSuccess", json!({"taskToken": token, "output": "{\"ok\":true}"}));
    let described = op!("DescribeExecution", json!({"executionArn": execution}));
    assert_eq!(described["status"], "SUCCEEDED");
    assert_eq!(described["output"], "{\"ok\":true}");

    // A second one, failed by its token, and one stopped.
    let second = op!("StartExecution", json!({"stateMachineArn": machine, "name": "two"}));
    let second = string(&second, "/executionArn");
    let token = wait_for_token(addr, &second).await;
    op!("SendTaskFailure", json!({"taskToken": token, "error": "No", "cause": "refused"}));
    let third = op!("StartExecution", json!({"stateMachineArn": machine}));
    op!("StopExecution", json!({"executionArn": string(&third, "/executionArn"), "error": "E"}));
    op!("ListExecutions", json!({"stateMachineArn": machine, "statusFilter": "FAILED"}));
    // The failed one, redriven: its task waits on a new token, which succeeds it.
    wait_until_ended(addr, &second).await;
    op!("RedriveExecution", json!({"executionArn": second, "clientToken": "again"}));
    let token = wait_for_new_token(addr, &second, &token).await;
    op!("SendTaskSuccess", json!({"taskToken": token, "output": "{}"}));
    wait_until_ended(addr, &second).await;
    let described = op!("DescribeExecution", json!({"executionArn": second}));
    assert_eq!((described["status"].clone(), described["redriveCount"].clone()), (json!("SUCCEEDED"), json!(1)));

    // An activity task taken by a worker.
    let work = json!({"StartAt": "Do", "States": {"Do": {"Type": "Task", "Resource": activity_arn, "End": true}}});
    let created = op!("CreateStateMachine", json!({"name": "work", "roleArn": ROLE, "definition": work.to_string()}));
    op!("StartExecution", json!({"stateMachineArn": string(&created, "/stateMachineArn"), "input": "{\"n\":2}"}));
    let task = op!("GetActivityTask", json!({"activityArn": activity_arn, "workerName": "w"}));
    assert_eq!(task["input"], "{\"n\":2}");
    op!("SendTaskSuccess", json!({"taskToken": string(&task, "/taskToken"), "output": "{}"}));

    // A Distributed Map's run.
    let fanout = json!({"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ToleratedFailureCount": 1,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}});
    let created =
        op!("CreateStateMachine", json!({"name": "fanout", "roleArn": ROLE, "definition": fanout.to_string()}));
    let run = op!(
        "StartExecution",
        json!({"stateMachineArn": string(&created, "/stateMachineArn"), "input": "{\"items\":[1,2,3]}"})
    );
    let run = string(&run, "/executionArn");
    wait_until_ended(addr, &run).await;
    let runs = op!("ListMapRuns", json!({"executionArn": run}));
    let map_run = string(&runs, "/mapRuns/0/mapRunArn");
    let described = op!("DescribeMapRun", json!({"mapRunArn": map_run}));
    assert_eq!((described["status"].clone(), described["itemCounts"]["total"].clone()), (json!("SUCCEEDED"), json!(3)));
    called.insert("UpdateMapRun");
    let (status, refused) = call(addr, "UpdateMapRun", &json!({"mapRunArn": map_run, "maxConcurrency": 5})).await;
    assert_eq!((status, refused["reason"].clone()), (400, json!("CANNOT_UPDATE_COMPLETED_MAP_RUN")));

    // EXPRESS, synchronously.
    let quick = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 7, "End": true}}});
    let created = op!(
        "CreateStateMachine",
        json!({"name": "quick", "roleArn": ROLE, "type": "EXPRESS", "definition": quick.to_string()})
    );
    let synced = op!("StartSyncExecution", json!({"stateMachineArn": string(&created, "/stateMachineArn")}));
    assert_eq!((synced["status"].clone(), synced["output"].clone()), (json!("SUCCEEDED"), json!("7")));

    // One state on the engine.
    let tested = op!(
        "TestState",
        json!({"definition": json!({"Type": "Pass", "Parameters": {"b.$": "$.a"}, "End": true}).to_string(),
               "input": "{\"a\":1}", "inspectionLevel": "DEBUG"})
    );
    assert_eq!((tested["status"].clone(), tested["output"].clone()), (json!("SUCCEEDED"), json!("{\"b\":1}")));

    // Deleting, last.
    op!("DeleteStateMachineAlias", json!({"stateMachineAliasArn": alias_arn}));
    op!("DeleteStateMachineVersion", json!({"stateMachineVersionArn": version}));
    op!("DeleteStateMachine", json!({"stateMachineArn": machine}));
    op!("DeleteActivity", json!({"activityArn": activity_arn}));

    let missing: Vec<&str> = model::operations().map(|o| o.name()).filter(|name| !called.contains(name)).collect();

    assert!(missing.is_empty(), "operations the scenario does not call: {missing:?}");
}

async fn wait_for_token(addr: SocketAddr, execution: &str) -> String {
    wait_for_new_token(addr, execution, "").await
}

/// The token of the execution's latest TaskScheduled event, once it is not `old`.
async fn wait_for_new_token(addr: SocketAddr, execution: &str, old: &str) -> String {
    loop {
        let (_, history) = call(addr, "GetExecutionHistory", &json!({"executionArn": execution})).await;
        let scheduled = history["events"]
            .as_array()
            .and_then(|events| events.iter().rev().find(|e| e["type"] == "TaskScheduled"))
            .and_then(|e| e.pointer("/taskScheduledEventDetails/parameters").and_then(Value::as_str))
            .and_then(|parameters| serde_json::from_str::<Value>(parameters).ok());
        if let Some(parameters) = scheduled {
            let token = string(&parameters, "/MessageBody/token");
            if token != old {
                return token;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_until_ended(addr: SocketAddr, execution: &str) {
    loop {
        let (_, described) = call(addr, "DescribeExecution", &json!({"executionArn": execution})).await;
        if described["status"] != "RUNNING" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A plausible value for a required member, from its name and the model's type: ARNs of
/// this account that name nothing, short names, small numbers.
fn filler(member: &str, shape: &Value, shapes: &Map<String, Value>) -> Value {
    match shape["type"].as_str().unwrap_or_default() {
        "string" => {
            let lower = member.to_ascii_lowercase();
            let text = if lower.ends_with("arn") {
                let kind = if lower.contains("activity") {
                    "activity:nothing"
                } else if lower.contains("execution") {
                    "execution:nothing:run"
                } else if lower.contains("maprun") {
                    "mapRun:nothing/label:0c1e3f56-3a3b-4c7c-9f5e-6d1a2b3c4d5e"
                } else if lower.contains("version") {
                    "stateMachine:nothing:1"
                } else if lower.contains("alias") {
                    "stateMachine:nothing:alias"
                } else {
                    "stateMachine:nothing"
                };
                format!("arn:aws:states:us-east-1:123456789012:{kind}")
            } else if lower == "definition" {
                r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#.to_owned()
            } else if let Some(first) = shape["enum"].as_array().and_then(|values| values.first()) {
                first.as_str().unwrap_or_default().to_owned()
            } else if lower == "output" || lower == "input" {
                "{}".to_owned()
            } else {
                "nothing".to_owned()
            };
            Value::String(text)
        }
        "integer" | "long" | "float" => json!(1),
        "boolean" => json!(false),
        "list" => json!([]),
        "map" => json!({}),
        "structure" => {
            let mut members = Map::new();
            for required in shape["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                let target = &shapes[shape["members"][required]["shape"].as_str().unwrap_or_default()];
                members.insert(required.to_owned(), filler(required, target, shapes));
            }
            Value::Object(members)
        }
        _ => Value::Null,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_refuses_what_names_nothing_with_its_own_errors() {
    let model: Value = serde_json::from_str(include_str!("../model/service-2.json")).unwrap_or(Value::Null);
    let shapes = model["shapes"].as_object().cloned().unwrap_or_default();
    let (addr, _stop) = start().await;
    let mut answered = 0;
    for operation in model::operations() {
        let input = operation.input_shape().map_or(json!({}), |name| filler("", &shapes[name], &shapes));
        let (status, answer) = call(addr, operation.name(), &input).await;
        answered += 1;
        if status == 200 {
            if let Err(problems) = operation.check_response(&answer) {
                panic!("{}: {}\n{answer}", operation.name(), problems.join("\n"));
            }
            continue;
        }
        assert_eq!(status, 400, "{} {input}: {answer}", operation.name());
        let code = answer["__type"].as_str().and_then(|t| t.split('#').nth(1)).unwrap_or_default();
        assert!(
            operation.errors().contains(&code) || PROTOCOL_ERRORS.contains(&code),
            "{} answered {code}, which the model does not list for it: {answer}",
            operation.name()
        );
    }
    assert_eq!(answered, 37);
}

/// A server that requires signatures answers an unsigned request (a plain HTTP client's)
/// with AWS's authentication error, before looking at the operation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_requests_to_a_server_that_requires_keys_are_refused() {
    use asl_server::Auth;
    use asl_server::auth::{Credentials, Verifier};
    let config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        storage: Storage::Memory,
        auth: Auth::Signed(std::sync::Arc::new(Verifier::new([Credentials::new("AKID", "secret")], "us-east-1"))),
        ..Config::default()
    };
    let server = Server::start(config).await.unwrap_or_else(|e| panic!("start: {e}"));
    let addr = server.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let (status, answer) = call(addr, "ListStateMachines", &json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(answer["__type"], "com.amazon.coral.service#MissingAuthenticationTokenException");
}

/// Listening beyond loopback with no authentication configured is refused at start.
#[tokio::test]
async fn no_open_server_beyond_loopback() {
    let config = Config { listen: SocketAddr::from(([0, 0, 0, 0], 0)), storage: Storage::Memory, ..Config::default() };
    let refused = Server::start(config).await.err().unwrap_or_default();
    assert!(refused.contains("without authentication"), "{refused}");
}
