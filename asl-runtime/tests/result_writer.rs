//! A Distributed Map's `ResultWriter`: its inline result shaped by the `WriterConfig`, and
//! its export through the handler's [`TaskHandler::write_results`] — the result files and
//! manifest AWS writes, the Map's result pointing at the manifest, and a failed write as
//! `States.ResultWriterFailed`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Mutex;

use asl_runtime::Error;
use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::items::ResultsCall;
use asl_runtime::execution::{BoxFuture, Outcome, Status, TaskCall, TaskHandler, Workflow, run};
use serde_json::{Value, json};
use time::macros::datetime;

mod exported {
    asl_runtime::include_asl!("tests/workflows/items_exported.asl.json");
}
mod failing {
    asl_runtime::include_asl!("tests/workflows/items_export_failing.asl.json");
}
mod flattened {
    asl_runtime::include_asl!("tests/workflows/items_flattened.asl.json");
}

/// Doubles each item of its batch (an item 13 fails the batch); keeps what it is asked to
/// write, or refuses to.
#[derive(Default)]
struct Handler {
    written: Mutex<Vec<(String, String, String)>>,
    refuse: bool,
}

impl TaskHandler for Handler {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let items = call.input["Items"].as_array().cloned().unwrap_or_default();
        let result = if items.contains(&json!(13)) {
            Err(Error::new("Unlucky", "13"))
        } else {
            Ok(Value::Array(items.iter().map(|n| json!(n.as_i64().unwrap() * 2)).collect()))
        };
        Box::pin(async move { result })
    }

    fn write_results<'a>(&'a self, call: ResultsCall<'a>) -> BoxFuture<'a, Result<(), Error>> {
        let result = if self.refuse {
            Err(Error::new("S3.AccessDenied", "Access Denied"))
        } else {
            let mut written = self.written.lock().unwrap();
            for (key, body) in call.objects {
                written.push((call.bucket.to_owned(), key.clone(), String::from_utf8(body.clone()).unwrap()));
            }
            Ok(())
        };
        Box::pin(async move { result })
    }
}

async fn start(workflow: &Workflow, handler: &dyn TaskHandler, input: Value) -> Outcome {
    let clock = VirtualClock::starting_at(datetime!(2025-06-01 12:00 UTC));
    let info = ExecutionInfo::new(workflow.name, "e-1", clock.now(), input.clone());
    run(workflow, handler, &clock, &info, input).await
}

#[tokio::test]
async fn a_flattened_inline_result_joins_the_batches_outputs() {
    let outcome = start(&flattened::WORKFLOW, &Handler::default(), json!({ "items": [1, 2, 3, 4, 5] })).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output, Some(json!([2, 4, 6, 8, 10])));
}

#[tokio::test]
async fn an_export_writes_the_result_files_then_the_manifest() {
    let handler = Handler::default();
    let outcome = start(&exported::WORKFLOW, &handler, json!({ "items": [1, 2, 13, 4, 5], "prefix": "runs" })).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let output = outcome.output.unwrap();
    let map_run_arn = output["MapRunArn"].as_str().unwrap();
    assert!(
        map_run_arn.starts_with("arn:aws:states:us-east-1:123456789012:mapRun:items_exported/Process:"),
        "{output}"
    );
    let run_id = map_run_arn.rsplit(':').next().unwrap();
    let manifest_key = format!("runs/{run_id}/manifest.json");
    assert_eq!(output["ResultWriterDetails"], json!({ "Bucket": "results", "Key": manifest_key }));

    let written = handler.written.lock().unwrap();
    let keys: Vec<&str> = written.iter().map(|(_, key, _)| key.as_str()).collect();
    let (failed, succeeded) = (format!("runs/{run_id}/FAILED_0.jsonl"), format!("runs/{run_id}/SUCCEEDED_0.jsonl"));
    assert_eq!(keys, [failed.as_str(), succeeded.as_str(), manifest_key.as_str()], "the manifest last");
    assert!(written.iter().all(|(bucket, _, _)| bucket == "results"));
    // FLATTEN: a succeeded batch's outputs, one per line; the failed batch's record.
    assert_eq!(written[1].2, "2\n4\n10\n");
    let failed_record: Value = serde_json::from_str(written[0].2.trim_end()).unwrap();
    assert_eq!(failed_record["Status"], json!("FAILED"));
    assert_eq!(failed_record["Error"], json!("Unlucky"));
    assert_eq!(failed_record["Input"], json!(r#"{"Items":[13,4]}"#));
    let manifest: Value = serde_json::from_str(&written[2].2).unwrap();
    assert_eq!(manifest["DestinationBucket"], json!("results"));
    assert_eq!(manifest["MapRunArn"], json!(map_run_arn));
    assert_eq!(manifest["ResultFiles"]["SUCCEEDED"][0]["Key"], json!(succeeded));
    assert_eq!(manifest["ResultFiles"]["SUCCEEDED"][0]["Size"], json!(7), "the bytes of 2, 4 and 10, a line each");
    assert_eq!(manifest["ResultFiles"]["PENDING"], json!([]));
}

#[tokio::test]
async fn a_failed_export_fails_the_map_with_result_writer_failed() {
    let handler = Handler { refuse: true, ..Handler::default() };
    let outcome = start(&exported::WORKFLOW, &handler, json!({ "items": [1, 2], "prefix": "runs" })).await;
    assert_eq!(outcome.status, Status::Succeeded, "caught: {outcome:?}");
    let error = &outcome.output.unwrap()["error"];
    assert_eq!(error["Error"], json!("States.ResultWriterFailed"));
    assert_eq!(error["Cause"], json!("S3.AccessDenied: Access Denied"));
}

#[tokio::test]
async fn without_a_writing_handler_the_export_fails() {
    struct Doubler;
    impl TaskHandler for Doubler {
        fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
            Box::pin(async move { Ok(call.input) })
        }
    }
    let outcome = start(&exported::WORKFLOW, &Doubler, json!({ "items": [1], "prefix": "p" })).await;
    let error = &outcome.output.unwrap()["error"];
    assert_eq!(error["Error"], json!("States.ResultWriterFailed"));
    assert!(error["Cause"].as_str().unwrap().contains("has nowhere to write to"), "{error}");
}

#[tokio::test]
async fn a_failed_map_run_still_writes_what_ended_and_what_never_started() {
    let handler = Handler::default();
    let outcome = start(&failing::WORKFLOW, &handler, json!({ "items": [1, 2, 13, 4, 5, 6] })).await;
    assert_eq!(outcome.status, Status::Succeeded, "caught: {outcome:?}");
    let output = outcome.output.unwrap();
    assert_eq!(output["error"]["Error"], json!("States.ExceedToleratedFailureThreshold"));

    let written = handler.written.lock().unwrap();
    let file = |status: &str| {
        let (_, key, body) = written.iter().find(|(_, key, _)| key.ends_with(&format!("/{status}_0.json"))).unwrap();
        (key.clone(), serde_json::from_str::<Value>(body).unwrap())
    };
    let (_, succeeded) = file("SUCCEEDED");
    let (_, failed) = file("FAILED");
    let (pending_key, pending) = file("PENDING");
    assert_eq!(succeeded.as_array().unwrap().len(), 1, "{succeeded}");
    assert_eq!(succeeded[0]["Output"], json!("[2,4]"));
    assert_eq!(failed.as_array().unwrap().len(), 1, "{failed}");
    assert_eq!((&failed[0]["Status"], &failed[0]["Error"]), (&json!("FAILED"), &json!("Unlucky")));
    // The batch that never started.
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    assert_eq!(pending[0]["Status"], json!("PENDING"));
    assert_eq!(pending[0]["Input"], json!(r#"{"Items":[5,6]}"#));
    let (_, key, manifest) = written.last().unwrap();
    assert!(key.ends_with("/manifest.json"), "the manifest last: {key}");
    let manifest: Value = serde_json::from_str(manifest).unwrap();
    assert_eq!(manifest["ResultFiles"]["PENDING"][0]["Key"], json!(pending_key));
}
