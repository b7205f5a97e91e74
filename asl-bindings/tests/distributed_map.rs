//! Distributed Maps run with [`Bindings`] over folders standing in for buckets
//! (`--s3-dir BUCKET=DIR`): every `ItemReader` format read from real files — CSV with each
//! header mode, a delimiter and quoted fields, JSON with `ItemsPointer`, JSON Lines with
//! `MaxItems`, an S3 Inventory manifest with gzipped data files, listings of more than a
//! page, `LOAD_AND_FLATTEN` — batched by count and by bytes, and results exported by a
//! `ResultWriter` to a folder, as AWS lays them out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::path::Path;

use asl_bindings::{Bindings, BindingsConfig};
use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{Outcome, Status, Workflow, run};
use serde_json::{Value, json};
use tempfile::TempDir;

mod csv_first_row {
    asl_runtime::include_asl!("tests/workflows/csv_first_row.asl.json");
}
mod csv_given {
    asl_runtime::include_asl!("tests/workflows/csv_given.asl.json");
}
mod json_pointer {
    asl_runtime::include_asl!("tests/workflows/json_pointer.asl.json");
}
mod jsonl_max_items {
    asl_runtime::include_asl!("tests/workflows/jsonl_max_items.asl.json");
}
mod manifest {
    asl_runtime::include_asl!("tests/workflows/manifest.asl.json");
}
mod listing {
    asl_runtime::include_asl!("tests/workflows/listing.asl.json");
}
mod listing_flattened {
    asl_runtime::include_asl!("tests/workflows/listing_flattened.asl.json");
}
mod exported {
    asl_runtime::include_asl!("tests/workflows/exported.asl.json");
}

/// Two folders, buckets `data` and `out`, and bindings that read and write them.
struct Buckets {
    data: TempDir,
    out: TempDir,
    bindings: Bindings,
}

impl Buckets {
    fn new() -> Buckets {
        let (data, out) = (TempDir::new().unwrap(), TempDir::new().unwrap());
        let config = BindingsConfig {
            s3_dirs: vec![("data".into(), data.path().to_path_buf()), ("out".into(), out.path().to_path_buf())],
            ..BindingsConfig::default()
        };
        let bindings = Bindings::new(&config, "us-east-1").unwrap();
        Buckets { data, out, bindings }
    }

    fn put(&self, key: &str, bytes: &[u8]) {
        let path = self.data.path().join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    async fn run(&self, workflow: &Workflow, input: Value) -> Outcome {
        let clock = VirtualClock::starting_at(asl_runtime::context::parse_timestamp("2025-06-01T12:00:00Z").unwrap());
        let info = ExecutionInfo::new(workflow.name, "e-1", clock.now(), input.clone());
        run(workflow, &self.bindings, &clock, &info, input).await
    }
}

fn succeeded(outcome: Outcome) -> Value {
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    outcome.output.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_rows_with_a_header_row_in_batches() {
    let buckets = Buckets::new();
    let mut csv = String::from("id,name,note\r\n");
    for i in 0..2500 {
        csv.push_str(&format!("{i},\"Smith, J{i}\",\"said \"\"hi\"\"\"\r\n"));
    }
    buckets.put("in/rows.csv", csv.as_bytes());
    let output =
        succeeded(buckets.run(&csv_first_row::WORKFLOW, json!({ "bucket": "data", "key": "in/rows.csv" })).await);
    let counts: Vec<&Value> = output.as_array().unwrap().iter().map(|batch| &batch["count"]).collect();
    assert_eq!(counts, [&json!(1000), &json!(1000), &json!(500)]);
    assert_eq!(output[1]["first"], json!({ "id": "1000", "name": "Smith, J1000", "note": "said \"hi\"" }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_rows_with_given_headers_and_semicolons() {
    let buckets = Buckets::new();
    buckets.put("given.csv", b"1;Ada;\"semi; colon\"\n2;Grace;plain\n");
    let output = succeeded(buckets.run(&csv_given::WORKFLOW, json!({ "bucket": "data", "key": "given.csv" })).await);
    assert_eq!(
        output,
        json!([{ "id": "1", "name": "Ada", "note": "semi; colon" }, { "id": "2", "name": "Grace", "note": "plain" }])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_array_under_a_pointer() {
    let buckets = Buckets::new();
    buckets.put("orders.json", br#"{"meta": {"n": 2}, "orders": [{"id": 1}, {"id": 2}]}"#);
    let input = json!({ "bucket": "data", "key": "orders.json", "region": "eu" });
    let output = succeeded(buckets.run(&json_pointer::WORKFLOW, input).await);
    assert_eq!(
        output,
        json!([
            { "order": { "id": 1 }, "index": 0, "region": "eu" },
            { "order": { "id": 2 }, "index": 1, "region": "eu" }
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lines_up_to_max_items() {
    let buckets = Buckets::new();
    let lines: String = (0..10).map(|i| format!("{{\"line\": {i}}}\n")).collect();
    buckets.put("lines.jsonl", lines.as_bytes());
    let output = succeeded(
        buckets.run(&jsonl_max_items::WORKFLOW, json!({ "bucket": "data", "key": "lines.jsonl", "max": 3 })).await,
    );
    assert_eq!(output, json!([{ "line": 0 }, { "line": 1 }, { "line": 2 }]));
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rows_of_an_s3_inventory() {
    let buckets = Buckets::new();
    buckets.put("inventory/data/a.csv.gz", &gzip("\"src\",\"photos/1.jpg\",\"10\"\n\"src\",\"photos/2.jpg\",\"20\"\n"));
    buckets.put("inventory/data/b.csv.gz", &gzip("\"src\",\"photos/3.jpg\",\"30\"\n"));
    let manifest = json!({
        "sourceBucket": "src",
        "destinationBucket": "arn:aws:s3:::data",
        "version": "2016-11-30",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size",
        "files": [
            { "key": "inventory/data/a.csv.gz", "size": 1, "MD5checksum": "x" },
            { "key": "inventory/data/b.csv.gz", "size": 1, "MD5checksum": "y" }
        ]
    });
    buckets.put("inventory/manifest.json", manifest.to_string().as_bytes());
    let output = succeeded(
        buckets.run(&manifest::WORKFLOW, json!({ "bucket": "data", "key": "inventory/manifest.json" })).await,
    );
    assert_eq!(
        output,
        json!([
            { "count": 2, "first": { "Bucket": "src", "Key": "photos/1.jpg", "Size": "10" } },
            { "count": 1, "first": { "Bucket": "src", "Key": "photos/3.jpg", "Size": "30" } }
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_of_more_than_a_page_in_batches_by_size() {
    let buckets = Buckets::new();
    for i in 0..1205 {
        buckets.put(&format!("logs/{i:05}.log"), format!("entry {i}").as_bytes());
    }
    buckets.put("other/skip.log", b"not listed");
    let output = succeeded(buckets.run(&listing::WORKFLOW, json!({ "bucket": "data", "prefix": "logs/" })).await);
    let batches = output.as_array().unwrap();
    let total: u64 = batches.iter().map(|batch| batch["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 1205, "every object once, past the first page of 1,000");
    // The first items are 33 bytes as JSON text (`{"Key":"logs/00000.log","Size":7}`), 34
    // with a comma: 120 of them and the batch's `{"Items":[]}` make 4,092 bytes, 121 too many.
    assert_eq!(batches[0]["count"], json!(120));
    assert!(batches.iter().all(|batch| batch["count"].as_u64().unwrap() <= 120), "{batches:?}");
    assert_eq!(batches[0]["first"], json!({ "Key": "logs/00000.log", "Size": 7 }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lines_of_every_listed_object() {
    let buckets = Buckets::new();
    buckets.put("parts/1.jsonl", b"{\"n\": 1}\n{\"n\": 2}\n");
    buckets.put("parts/2.jsonl", b"{\"n\": 3}\n");
    let output =
        succeeded(buckets.run(&listing_flattened::WORKFLOW, json!({ "bucket": "data", "prefix": "parts/" })).await);
    assert_eq!(output, json!([{ "n": 1 }, { "n": 2 }, { "n": 3 }]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_are_exported_to_a_bucket_as_aws_lays_them_out() {
    let buckets = Buckets::new();
    buckets.put("rows.csv", b"id,ok\n1,yes\n2,yes\n3,no\n4,yes\n5,yes\n");
    let output =
        succeeded(buckets.run(&exported::WORKFLOW, json!({ "bucket": "data", "key": "rows.csv", "out": "out" })).await);
    let key = output["ResultWriterDetails"]["Key"].as_str().unwrap();
    assert_eq!(output["ResultWriterDetails"]["Bucket"], json!("out"));
    let run_id = output["MapRunArn"].as_str().unwrap().rsplit(':').next().unwrap();
    assert_eq!(key, format!("runs/{run_id}/manifest.json"));
    let read =
        |key: &str| -> Value { serde_json::from_slice(&std::fs::read(buckets.out.path().join(key)).unwrap()).unwrap() };
    let manifest = read(key);
    assert_eq!(manifest["DestinationBucket"], json!("out"));
    let succeeded_key = format!("runs/{run_id}/SUCCEEDED_0.json");
    let failed_key = format!("runs/{run_id}/FAILED_0.json");
    assert_eq!(manifest["ResultFiles"]["SUCCEEDED"][0]["Key"], json!(succeeded_key));
    assert_eq!(manifest["ResultFiles"]["FAILED"][0]["Key"], json!(failed_key));
    // Exported without a WriterConfig: NONE, each child's whole record.
    let succeeded = read(&succeeded_key);
    assert_eq!(succeeded.as_array().map(Vec::len), Some(2));
    assert_eq!(succeeded[0]["Status"], json!("SUCCEEDED"));
    assert_eq!(succeeded[0]["Output"], json!(r#"{"ids":["1","2"]}"#));
    let failed = read(&failed_key);
    assert_eq!(failed[0]["Error"], json!("Row.Refused"));
    assert_eq!(failed[0]["Input"], json!(r#"{"Items":[{"id":"3","ok":"no"},{"id":"4","ok":"yes"}]}"#));
    assert!(!Path::new(&buckets.out.path().join(format!("runs/{run_id}/PENDING_0.json"))).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_object_fails_the_map_with_item_reader_failed() {
    let buckets = Buckets::new();
    let outcome =
        buckets.run(&jsonl_max_items::WORKFLOW, json!({ "bucket": "data", "key": "nope.jsonl", "max": 0 })).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.ItemReaderFailed"));
    assert!(outcome.cause.as_deref().unwrap().contains("NoSuchKey"), "{outcome:?}");
}

mod jsonata_pipeline {
    asl_runtime::include_asl!("tests/workflows/jsonata_pipeline.asl.json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jsonata_map_reads_batches_and_exports_with_expressions() {
    let buckets = Buckets::new();
    buckets.put("sales/2025-06-01.csv", b"id,amount\n1,10\n2,20\n3,30\n4,40\n5,50\n6,60\n");
    let input = json!({ "day": "2025-06-01", "limit": 5, "batch": 2 });
    let output = succeeded(buckets.run(&jsonata_pipeline::WORKFLOW, input).await);
    let key = output["ResultWriterDetails"]["Key"].as_str().unwrap();
    assert!(key.starts_with("totals/2025-06-01/"), "{key}");
    let manifest: Value = serde_json::from_slice(&std::fs::read(buckets.out.path().join(key)).unwrap()).unwrap();
    let results = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"].as_str().unwrap();
    assert!(results.ends_with("/SUCCEEDED_0.jsonl"), "{results}");
    let lines = std::fs::read_to_string(buckets.out.path().join(results)).unwrap();
    // MaxItems 5: rows 1 to 5, in batches of two.
    assert_eq!(
        lines,
        "{\"day\":\"2025-06-01\",\"total\":30}\n{\"day\":\"2025-06-01\",\"total\":70}\n{\"day\":\"2025-06-01\",\"total\":50}\n"
    );
}
