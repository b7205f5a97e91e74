//! An execution taken up after a restart runs on the definition it was started on, even
//! when its state machine's definition changed while the server was down (an edited
//! definition file, a rebuilt `asl build` binary): AWS never changes the definition under a
//! running execution, and its saved state names states by their place in that definition.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::path::Path;
use std::sync::Arc;

use asl_server::service::Service;
use asl_server::{Config, Server, Storage};
use serde_json::{Value, json};

const V1: &str = r#"{"StartAt": "Ask", "States": {
  "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
          "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "ResultPath": null, "Next": "Done"},
  "Done": {"Type": "Pass", "Result": "v1", "End": true}}}"#;

const V2: &str = r#"{"StartAt": "Intro", "States": {
  "Intro": {"Type": "Pass", "Result": "v2", "ResultPath": "$.intro", "Next": "Ask"},
  "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
          "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "ResultPath": null, "Next": "Done"},
  "Done": {"Type": "Pass", "Result": "v2", "End": true}}}"#;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

async fn server(dir: &Path) -> Server {
    let config = Config {
        listen: ([127, 0, 0, 1], 0).into(),
        storage: Storage::Sqlite(dir.join("asl.db")),
        flows: vec![dir.join("m.asl.json")],
        ..Config::default()
    };
    Server::start(config).await.unwrap()
}

async fn call(service: &Arc<Service>, operation: &str, body: Value) -> Value {
    asl_server::call(service, &format!("AWSStepFunctions.{operation}"), body.to_string().as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{operation}: {e}"))
}

#[test]
fn an_execution_taken_up_after_its_definition_changed_runs_on_the_old_one() {
    let dir = std::env::temp_dir().join(format!("asl-recovery-revision-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("m.asl.json"), V1).unwrap();
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:m";

    // Started on V1; it waits for its token when the server goes away.
    let first = runtime();
    let (execution, token) = first.block_on(async {
        let server = server(&dir).await;
        let service = server.service();
        let started = call(service, "StartExecution", json!({"stateMachineArn": machine, "name": "before"})).await;
        let execution = started["executionArn"].as_str().unwrap().to_owned();
        for _ in 0..500 {
            let history = call(service, "GetExecutionHistory", json!({"executionArn": execution})).await;
            let scheduled =
                history["events"].as_array().unwrap().iter().find(|e| e["type"] == "TaskScheduled").cloned();
            if let Some(scheduled) = scheduled {
                let parameters: Value =
                    serde_json::from_str(scheduled["taskScheduledEventDetails"]["parameters"].as_str().unwrap())
                        .unwrap();
                return (execution, parameters["MessageBody"]["token"].as_str().unwrap().to_owned());
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the execution never scheduled its task");
    });
    first.shutdown_background();

    // The definition file changes; the server starts again on the same store.
    std::fs::write(dir.join("m.asl.json"), V2).unwrap();
    let second = runtime();
    second.block_on(async {
        let server = server(&dir).await;
        assert_eq!(server.startup().resumed, 1, "{:?}", server.startup().warnings);
        let service = server.service();
        let described = call(service, "DescribeStateMachine", json!({"stateMachineArn": machine})).await;
        assert!(described["definition"].as_str().unwrap().contains("Intro"), "the machine is V2 now");
        call(service, "SendTaskSuccess", json!({"taskToken": token, "output": "{}"})).await;
        let mut ended = Value::Null;
        for _ in 0..500 {
            ended = call(service, "DescribeExecution", json!({"executionArn": execution})).await;
            if ended["status"] != "RUNNING" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(ended["status"], "SUCCEEDED", "{ended}");
        assert_eq!(ended["output"], "\"v1\"", "taken up on the definition it started on: {ended}");
    });
    second.shutdown_background();
    let _ = std::fs::remove_dir_all(&dir);
}
