//! Step Functions Local's `#TestCase` ARNs on both start operations: STANDARD executions
//! through `StartExecution` (and again after a restart on the same store), EXPRESS ones
//! through `StartSyncExecution`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::path::PathBuf;
use std::sync::Arc;

use asl_server::service::Service;
use asl_server::{BindingsConfig, Config, Server, Storage};
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/test_cases")
}

async fn server(storage: Storage, express: bool) -> Server {
    let config = Config {
        listen: ([127, 0, 0, 1], 0).into(),
        storage,
        flows: vec![fixtures().join("greet.asl.json")],
        express: if express { vec!["greet".into()] } else { Vec::new() },
        bindings: BindingsConfig { mock_config: Some(fixtures().join("mocks.json")), ..BindingsConfig::default() },
        ..Config::default()
    };
    Server::start(config).await.unwrap()
}

async fn call(service: &Arc<Service>, operation: &str, body: Value) -> Result<Value, String> {
    asl_server::call(service, &format!("AWSStepFunctions.{operation}"), body.to_string().as_bytes())
        .await
        .map_err(|e| e.to_string())
}

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:greet";

#[tokio::test(flavor = "multi_thread")]
async fn express_executions_take_their_test_case_from_the_arn() {
    let server = server(Storage::Memory, true).await;
    let service = server.service();
    let hello =
        call(service, "StartSyncExecution", json!({"stateMachineArn": format!("{MACHINE}#Hello")})).await.unwrap();
    assert_eq!(
        (hello["status"].as_str(), hello["output"].as_str()),
        (Some("SUCCEEDED"), Some(r#"{"greeting":"hello"}"#)),
        "{hello}"
    );
    let broken =
        call(service, "StartSyncExecution", json!({"stateMachineArn": format!("{MACHINE}#Broken")})).await.unwrap();
    assert_eq!(
        (broken["error"].as_str(), broken["cause"].as_str()),
        (Some("Lambda.ServiceException"), Some("down")),
        "{broken}"
    );
    let unknown = call(service, "StartSyncExecution", json!({"stateMachineArn": format!("{MACHINE}#Nope")})).await;
    assert!(unknown.as_ref().is_err_and(|e| e.contains("Hello") && e.contains("Broken")), "{unknown:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_standard_execution_keeps_its_test_case_across_a_restart() {
    let dir = std::env::temp_dir().join(format!("asl-test-cases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("asl.db");
    let _ = std::fs::remove_file(&db);
    let arn = {
        let server = server(Storage::Sqlite(db.clone()), false).await;
        let service = server.service();
        let started =
            call(service, "StartExecution", json!({"stateMachineArn": format!("{MACHINE}#Hello"), "name": "one"}))
                .await
                .unwrap();
        started["executionArn"].as_str().unwrap().to_owned()
    };
    // The store knows the test case; so does a server started again on it.
    let server = server(Storage::Sqlite(db.clone()), false).await;
    assert_eq!(server.service().bindings().test_case_of(&arn), Some(("greet".to_owned(), "Hello".to_owned())));
    let service = server.service();
    let mut described = Value::Null;
    for _ in 0..200 {
        described = call(service, "DescribeExecution", json!({"executionArn": arn})).await.unwrap();
        if described["status"] != "RUNNING" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    assert_eq!(described["stateMachineArn"], MACHINE);
    let _ = std::fs::remove_dir_all(dir);
}
