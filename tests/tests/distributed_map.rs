//! Distributed Maps run with asl-bindings' [`Bindings`] over buckets of both kinds `asl
//! serve` knows: folders standing in for buckets (`--s3-dir BUCKET=DIR`) and a real
//! S3-compatible server on loopback (moto's, [`asl_tests::moto`]), every case once on each.
//! Every `ItemReader` format is read from real objects — CSV with each header mode, a
//! delimiter and quoted fields, JSON with `ItemsPointer`, JSON Lines with `MaxItems`, an S3
//! Inventory manifest with gzipped data files, listings of more than a page,
//! `LOAD_AND_FLATTEN` — batched by count and by bytes, JSONata forms, tolerated failures,
//! and results exported by a `ResultWriter` as AWS lays them out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use asl_bindings::s3::{Credentials, Endpoint, EndpointConfig, Folders, ObjectStore as _, Objects};
use asl_tests::moto::{Moto, boto3};
use asl_tests::python_clients::Clients;
use tokio::io::AsyncReadExt as _;

use asl_bindings::{Bindings, BindingsConfig};
use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::{Outcome, Status, Workflow, run};
use serde_json::{Value, json};
use tempfile::TempDir;

mod csv_first_row {
    asl_runtime::include_asl!("flows/distributed/csv_first_row.asl.json");
}
mod csv_given {
    asl_runtime::include_asl!("flows/distributed/csv_given.asl.json");
}
mod json_pointer {
    asl_runtime::include_asl!("flows/distributed/json_pointer.asl.json");
}
mod jsonl_max_items {
    asl_runtime::include_asl!("flows/distributed/jsonl_max_items.asl.json");
}
mod manifest {
    asl_runtime::include_asl!("flows/distributed/manifest.asl.json");
}
mod listing {
    asl_runtime::include_asl!("flows/distributed/listing.asl.json");
}
mod listing_flattened {
    asl_runtime::include_asl!("flows/distributed/listing_flattened.asl.json");
}
mod parquet_rows {
    asl_runtime::include_asl!("flows/distributed/parquet_rows.asl.json");
}
mod exported {
    asl_runtime::include_asl!("flows/distributed/exported.asl.json");
}

/// Where the buckets are.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Folders (`--s3-dir`).
    Folders,
    /// Buckets of a moto server (`--s3-endpoint`).
    Moto,
}

/// What keeps the buckets alive (dropped, the folders go and the server stops).
enum Store {
    Folders { _dirs: Vec<TempDir> },
    Moto(Moto),
}

/// Buckets (`data`, `out`, and any more named), and bindings that read and write them.
struct Buckets {
    _store: Store,
    bindings: Bindings,
}

impl Buckets {
    fn new(kind: Kind) -> Buckets {
        Buckets::named(kind, &["data", "out"])
    }

    fn named(kind: Kind, names: &[&str]) -> Buckets {
        let (store, config) = match kind {
            Kind::Folders => {
                let dirs: Vec<TempDir> = names.iter().map(|_| TempDir::new().unwrap()).collect();
                let s3_dirs = names.iter().zip(&dirs).map(|(name, dir)| ((*name).to_owned(), dir.path().to_path_buf()));
                let config = BindingsConfig { s3_dirs: s3_dirs.collect(), ..BindingsConfig::default() };
                (Store::Folders { _dirs: dirs }, config)
            }
            Kind::Moto => {
                let clients = Clients::new();
                clients.ensure();
                // One server per case, each logging to a folder of its own.
                static STARTED: AtomicUsize = AtomicUsize::new(0);
                let name = format!("distributed-{}", STARTED.fetch_add(1, Ordering::Relaxed));
                let moto = Moto::start(&clients, &name, &[]);
                let create: String = names.iter().map(|name| format!("s3.create_bucket(Bucket='{name}')\n")).collect();
                boto3(&clients, &moto.url, &create);
                (Store::Moto(moto), BindingsConfig::default())
            }
        };
        let mut bindings = Bindings::new(&config, "us-east-1").unwrap();
        if let Store::Moto(moto) = &store {
            // Signed with dummy credentials (moto takes any), not the environment's.
            let credentials =
                Credentials { access_key_id: "test".into(), secret_access_key: "test".into(), session_token: None };
            let config = EndpointConfig {
                endpoint: Some(moto.url.clone()),
                region: "us-east-1".into(),
                credentials: Some(credentials),
            };
            let endpoint = Endpoint::new(config).unwrap();
            bindings = bindings.with_objects(Objects::from_parts(Folders::new(&[]).unwrap(), endpoint));
        }
        Buckets { _store: store, bindings }
    }

    async fn put(&self, key: &str, bytes: &[u8]) {
        self.put_in("data", key, bytes).await;
    }

    async fn put_in(&self, bucket: &str, key: &str, bytes: &[u8]) {
        self.bindings.objects().put(bucket, key, bytes.to_vec()).await.unwrap();
    }

    /// Whether `bucket` holds `key`.
    async fn holds(&self, bucket: &str, key: &str) -> bool {
        self.bindings.objects().get(bucket, key, None).await.is_ok()
    }

    /// The JSON object `key` of `bucket`.
    async fn read(&self, bucket: &str, key: &str) -> Value {
        serde_json::from_slice(&self.text(bucket, key).await).unwrap()
    }

    /// The bytes of object `key` of `bucket`.
    async fn text(&self, bucket: &str, key: &str) -> Vec<u8> {
        let object = self.bindings.objects().get(bucket, key, None).await.unwrap();
        let mut bytes = Vec::new();
        let mut body = object.body;
        body.read_to_end(&mut bytes).await.unwrap();
        bytes
    }

    async fn run(&self, workflow: &Workflow, input: Value) -> Outcome {
        let clock = VirtualClock::starting_at(asl_runtime::context::parse_timestamp("2025-06-01T12:00:00Z").unwrap());
        let info = ExecutionInfo::new(workflow.name, "e-1", clock.now(), input.clone());
        run(workflow, &self.bindings, &clock, &info, input).await
    }
}

/// Declares `#[tokio::test]`s running the case `$case(kind)` once over folders and once
/// over moto.
macro_rules! on_both {
    ($($case:ident),* $(,)?) => {
        mod over_folders {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { super::$case(super::Kind::Folders).await })*
        }
        mod over_moto {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { super::$case(super::Kind::Moto).await })*
        }
    };
}

on_both!(
    csv_rows_with_a_header_row_in_batches,
    csv_rows_with_given_headers_and_semicolons,
    a_json_array_under_a_pointer,
    json_lines_up_to_max_items,
    the_rows_of_a_parquet_file,
    the_rows_of_an_s3_inventory,
    a_listing_of_more_than_a_page_in_batches_by_size,
    the_lines_of_every_listed_object,
    results_are_exported_to_a_bucket_as_aws_lays_them_out,
    a_missing_object_fails_the_map_with_item_reader_failed,
    a_jsonata_map_reads_batches_and_exports_with_expressions,
);

fn succeeded(outcome: Outcome) -> Value {
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    outcome.output.unwrap()
}

async fn csv_rows_with_a_header_row_in_batches(kind: Kind) {
    let buckets = Buckets::new(kind);
    let mut csv = String::from("id,name,note\r\n");
    for i in 0..2500 {
        csv.push_str(&format!("{i},\"Smith, J{i}\",\"said \"\"hi\"\"\"\r\n"));
    }
    buckets.put("in/rows.csv", csv.as_bytes()).await;
    let output =
        succeeded(buckets.run(&csv_first_row::WORKFLOW, json!({ "bucket": "data", "key": "in/rows.csv" })).await);
    let counts: Vec<&Value> = output.as_array().unwrap().iter().map(|batch| &batch["count"]).collect();
    assert_eq!(counts, [&json!(1000), &json!(1000), &json!(500)]);
    assert_eq!(output[1]["first"], json!({ "id": "1000", "name": "Smith, J1000", "note": "said \"hi\"" }));
}

async fn csv_rows_with_given_headers_and_semicolons(kind: Kind) {
    let buckets = Buckets::new(kind);
    buckets.put("given.csv", b"1;Ada;\"semi; colon\"\n2;Grace;plain\n").await;
    let output = succeeded(buckets.run(&csv_given::WORKFLOW, json!({ "bucket": "data", "key": "given.csv" })).await);
    assert_eq!(
        output,
        json!([{ "id": "1", "name": "Ada", "note": "semi; colon" }, { "id": "2", "name": "Grace", "note": "plain" }])
    );
}

async fn a_json_array_under_a_pointer(kind: Kind) {
    let buckets = Buckets::new(kind);
    buckets.put("orders.json", br#"{"meta": {"n": 2}, "orders": [{"id": 1}, {"id": 2}]}"#).await;
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

async fn json_lines_up_to_max_items(kind: Kind) {
    let buckets = Buckets::new(kind);
    let lines: String = (0..10).map(|i| format!("{{\"line\": {i}}}\n")).collect();
    buckets.put("lines.jsonl", lines.as_bytes()).await;
    let output = succeeded(
        buckets.run(&jsonl_max_items::WORKFLOW, json!({ "bucket": "data", "key": "lines.jsonl", "max": 3 })).await,
    );
    assert_eq!(output, json!([{ "line": 0 }, { "line": 1 }, { "line": 2 }]));
}

/// A Parquet file of ten rows `{id, city}` (Snappy-compressed, two row groups), as any
/// Parquet producer writes one.
fn parquet_file() -> Vec<u8> {
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;

    let schema = "message rows { REQUIRED INT64 id; REQUIRED BYTE_ARRAY city (UTF8); }";
    let schema = std::sync::Arc::new(parquet::schema::parser::parse_message_type(schema).unwrap());
    let properties = WriterProperties::builder().set_compression(parquet::basic::Compression::SNAPPY).build();
    let mut out = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut out, schema, std::sync::Arc::new(properties)).unwrap();
    for ids in [0..6_i64, 6..10] {
        let ids: Vec<i64> = ids.collect();
        let cities: Vec<ByteArray> = ids.iter().map(|id| ByteArray::from(["Oslo", "Lima"][*id as usize % 2])).collect();
        let mut row_group = writer.next_row_group().unwrap();
        let mut column = row_group.next_column().unwrap().unwrap();
        column.typed::<Int64Type>().write_batch(&ids, None, None).unwrap();
        column.close().unwrap();
        let mut column = row_group.next_column().unwrap().unwrap();
        column.typed::<ByteArrayType>().write_batch(&cities, None, None).unwrap();
        column.close().unwrap();
        row_group.close().unwrap();
    }
    writer.close().unwrap();
    out
}

async fn the_rows_of_a_parquet_file(kind: Kind) {
    let buckets = Buckets::new(kind);
    buckets.put("rows.parquet", &parquet_file()).await;
    let output =
        succeeded(buckets.run(&parquet_rows::WORKFLOW, json!({ "bucket": "data", "key": "rows.parquet" })).await);
    assert_eq!(
        output,
        json!([
            { "first": { "id": 0, "city": "Oslo" }, "count": 4 },
            { "first": { "id": 4, "city": "Oslo" }, "count": 4 },
            { "first": { "id": 8, "city": "Oslo" }, "count": 2 }
        ])
    );
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

async fn the_rows_of_an_s3_inventory(kind: Kind) {
    let buckets = Buckets::new(kind);
    buckets
        .put("inventory/data/a.csv.gz", &gzip("\"src\",\"photos/1.jpg\",\"10\"\n\"src\",\"photos/2.jpg\",\"20\"\n"))
        .await;
    buckets.put("inventory/data/b.csv.gz", &gzip("\"src\",\"photos/3.jpg\",\"30\"\n")).await;
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
    buckets.put("inventory/manifest.json", manifest.to_string().as_bytes()).await;
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

async fn a_listing_of_more_than_a_page_in_batches_by_size(kind: Kind) {
    let buckets = Buckets::new(kind);
    for i in 0..1205 {
        buckets.put(&format!("logs/{i:05}.log"), format!("entry {i}").as_bytes()).await;
    }
    buckets.put("other/skip.log", b"not listed").await;
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

async fn the_lines_of_every_listed_object(kind: Kind) {
    let buckets = Buckets::new(kind);
    buckets.put("parts/1.jsonl", b"{\"n\": 1}\n{\"n\": 2}\n").await;
    buckets.put("parts/2.jsonl", b"{\"n\": 3}\n").await;
    let output =
        succeeded(buckets.run(&listing_flattened::WORKFLOW, json!({ "bucket": "data", "prefix": "parts/" })).await);
    assert_eq!(output, json!([{ "n": 1 }, { "n": 2 }, { "n": 3 }]));
}

async fn results_are_exported_to_a_bucket_as_aws_lays_them_out(kind: Kind) {
    let buckets = Buckets::new(kind);
    buckets.put("rows.csv", b"id,ok\n1,yes\n2,yes\n3,no\n4,yes\n5,yes\n").await;
    let output =
        succeeded(buckets.run(&exported::WORKFLOW, json!({ "bucket": "data", "key": "rows.csv", "out": "out" })).await);
    let key = output["ResultWriterDetails"]["Key"].as_str().unwrap();
    assert_eq!(output["ResultWriterDetails"]["Bucket"], json!("out"));
    let run_id = output["MapRunArn"].as_str().unwrap().rsplit(':').next().unwrap();
    assert_eq!(key, format!("runs/{run_id}/manifest.json"));
    let manifest = buckets.read("out", key).await;
    assert_eq!(manifest["DestinationBucket"], json!("out"));
    let succeeded_key = format!("runs/{run_id}/SUCCEEDED_0.json");
    let failed_key = format!("runs/{run_id}/FAILED_0.json");
    assert_eq!(manifest["ResultFiles"]["SUCCEEDED"][0]["Key"], json!(succeeded_key));
    assert_eq!(manifest["ResultFiles"]["FAILED"][0]["Key"], json!(failed_key));
    // Exported without a WriterConfig: NONE, each child's whole record.
    let succeeded = buckets.read("out", &succeeded_key).await;
    assert_eq!(succeeded.as_array().map(Vec::len), Some(2));
    assert_eq!(succeeded[0]["Status"], json!("SUCCEEDED"));
    assert_eq!(succeeded[0]["Output"], json!(r#"{"ids":["1","2"]}"#));
    let failed = buckets.read("out", &failed_key).await;
    assert_eq!(failed[0]["Error"], json!("Row.Refused"));
    assert_eq!(failed[0]["Input"], json!(r#"{"Items":[{"id":"3","ok":"no"},{"id":"4","ok":"yes"}]}"#));
    assert!(!buckets.holds("out", &format!("runs/{run_id}/PENDING_0.json")).await, "no PENDING file for no item");
}

async fn a_missing_object_fails_the_map_with_item_reader_failed(kind: Kind) {
    let buckets = Buckets::new(kind);
    let outcome =
        buckets.run(&jsonl_max_items::WORKFLOW, json!({ "bucket": "data", "key": "nope.jsonl", "max": 0 })).await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.ItemReaderFailed"));
    assert!(outcome.cause.as_deref().unwrap().contains("NoSuchKey"), "{outcome:?}");
}

mod jsonata_pipeline {
    asl_runtime::include_asl!("flows/distributed/jsonata_pipeline.asl.json");
}

async fn a_jsonata_map_reads_batches_and_exports_with_expressions(kind: Kind) {
    let buckets = Buckets::new(kind);
    buckets.put("sales/2025-06-01.csv", b"id,amount\n1,10\n2,20\n3,30\n4,40\n5,50\n6,60\n").await;
    let input = json!({ "day": "2025-06-01", "limit": 5, "batch": 2 });
    let output = succeeded(buckets.run(&jsonata_pipeline::WORKFLOW, input).await);
    let key = output["ResultWriterDetails"]["Key"].as_str().unwrap();
    assert!(key.starts_with("totals/2025-06-01/"), "{key}");
    let manifest = buckets.read("out", key).await;
    let results = manifest["ResultFiles"]["SUCCEEDED"][0]["Key"].as_str().unwrap();
    assert!(results.ends_with("/SUCCEEDED_0.jsonl"), "{results}");
    let lines = String::from_utf8(buckets.text("out", results).await).unwrap();
    // MaxItems 5: rows 1 to 5, in batches of two.
    assert_eq!(
        lines,
        "{\"day\":\"2025-06-01\",\"total\":30}\n{\"day\":\"2025-06-01\",\"total\":70}\n{\"day\":\"2025-06-01\",\"total\":50}\n"
    );
}

mod pipeline {
    asl_runtime::include_asl!("../examples/pipeline/flows/orders.asl.json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_pipeline_example_runs_over_its_files() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/pipeline/data");
    let reports = TempDir::new().unwrap();
    let config = BindingsConfig {
        s3_dirs: vec![("orders".into(), data), ("reports".into(), reports.path().to_path_buf())],
        ..BindingsConfig::default()
    };
    let bindings = Bindings::new(&config, "us-east-1").unwrap();
    let clock = VirtualClock::starting_at(asl_runtime::context::parse_timestamp("2025-07-01T06:00:00Z").unwrap());
    let input = json!({ "month": "2025-06" });
    let info = ExecutionInfo::new("orders", "daily", clock.now(), input.clone());
    let output = succeeded(run(&pipeline::WORKFLOW, &bindings, &clock, &info, input).await);
    let key = output["report"]["Key"].as_str().unwrap();
    assert_eq!(output["report"]["Bucket"], json!("reports"));
    let read =
        |key: &str| -> Value { serde_json::from_slice(&std::fs::read(reports.path().join(key)).unwrap()).unwrap() };
    let manifest = read(key);
    // 240 rows in batches of 50: five batches; the third holds both malformed rows.
    let totals = read(manifest["ResultFiles"]["SUCCEEDED"][0]["Key"].as_str().unwrap());
    let orders: Vec<&Value> = totals.as_array().unwrap().iter().map(|batch| &batch["orders"]).collect();
    assert_eq!(orders, [&json!(50), &json!(50), &json!(50), &json!(40)]);
    assert_eq!(totals[0]["month"], json!("2025-06"));
    assert!(totals[0]["byRegion"]["north"].is_number(), "{}", totals[0]);
    let failed = read(manifest["ResultFiles"]["FAILED"][0]["Key"].as_str().unwrap());
    assert_eq!(failed.as_array().map(Vec::len), Some(1));
    assert_eq!(failed[0]["Error"], json!("Orders.MalformedAmount"));
}
