//! The exports of the Developer Guide's examples, object by object, as snapshots
//! (`snapshots/`), and the streaming writer's bookkeeping.

use serde_json::{Value, json};

use super::fixtures::{MAP_RUN, failed, first, last, pending};
use super::{
    ChildResult, Export, ExportTarget, Finished, OutputType, ResultFiles, ResultGroup, Sink, Transformation,
    WriterConfig, export,
};

fn target() -> ExportTarget {
    ExportTarget::new(MAP_RUN, "amzn-s3-demo-destination-bucket", "csvProcessJobs")
}

/// Every object of an export as text: key, size, bytes.
fn objects(export: &Export) -> String {
    let mut out = String::new();
    let files = export.files.iter().map(|f| (&f.key, &f.body)).chain([(&export.manifest.key, &export.manifest.body)]);
    for (key, body) in files {
        out.push_str(&format!("== {key} ({} bytes)\n{}\n", body.len(), String::from_utf8_lossy(body)));
    }
    out
}

fn manifest(export: &Export) -> Value {
    serde_json::from_slice(&export.manifest.body).unwrap_or_default()
}

/// Resources and Parameters only: `NONE` records in `.json` arrays, one file per status.
#[test]
fn export_without_writer_config_writes_records() {
    let exported = export(target(), [first(), failed(), last(), pending()], None);
    insta::assert_snapshot!("export_none_json", objects(&exported));
    let keys: Vec<_> = exported.files.iter().map(|f| (f.group, f.key.rsplit('/').next().unwrap_or_default())).collect();
    assert_eq!(
        keys,
        [
            (ResultGroup::Failed, "FAILED_0.json"),
            (ResultGroup::Pending, "PENDING_0.json"),
            (ResultGroup::Succeeded, "SUCCEEDED_0.json")
        ]
    );
    assert_eq!(
        exported.state_result,
        json!({
            "MapRunArn": MAP_RUN,
            "ResultWriterDetails": {
                "Bucket": "amzn-s3-demo-destination-bucket",
                "Key": "csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/manifest.json"
            }
        })
    );
}

/// All three fields, `FLATTEN` + `JSONL`: one order per line; the failed child's record
/// stays whole in `FAILED_0.jsonl`.
#[test]
fn export_flatten_jsonl_writes_one_order_per_line() {
    let config = WriterConfig::new(Transformation::Flatten, OutputType::Jsonl);
    let exported = export(target(), [first(), failed(), last()], Some(&config));
    insta::assert_snapshot!("export_flatten_jsonl", objects(&exported));
    let succeeded = exported.files.iter().find(|f| f.group == ResultGroup::Succeeded);
    let lines = succeeded.map(|f| f.body.iter().filter(|b| **b == b'\n').count());
    assert_eq!(lines, Some(4));
    assert!(succeeded.is_some_and(|f| f.body.ends_with(b"}\n")));
    // The manifest keeps its name and lists the .jsonl keys.
    assert!(exported.manifest.key.ends_with("/manifest.json"));
    assert_eq!(
        manifest(&exported)["ResultFiles"]["FAILED"][0]["Key"],
        "csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/FAILED_0.jsonl"
    );
}

/// `COMPACT` + `JSON`: each child's array, the guide's `COMPACT` example, as a file.
#[test]
fn export_compact_json_writes_the_outputs() {
    let config = WriterConfig::new(Transformation::Compact, OutputType::Json);
    let exported = export(target(), [first(), last()], Some(&config));
    let body: Value = serde_json::from_slice(&exported.files[0].body).unwrap_or_default();
    assert_eq!(body, json!([first().output, last().output]));
    assert_eq!(
        String::from_utf8_lossy(&exported.files[0].body),
        r#"[[{"customer_id":"145538","order_id":"100000"},{"customer_id":"898037","order_id":"100001"}],[{"customer_id":"169881","order_id":"100005"},{"customer_id":"797471","order_id":"100006"}]]"#
    );
}

/// The manifest: compact, `DestinationBucket`, `MapRunArn`, then `ResultFiles` with
/// `FAILED`, `PENDING`, `SUCCEEDED` (empty ones as `[]`), each `{"Key", "Size"}`.
#[test]
fn the_manifest_lists_every_file_with_its_size() {
    let exported = export(target(), [first(), last()], None);
    let size = exported.files[0].body.len();
    let expected = format!(
        concat!(
            r#"{{"DestinationBucket":"amzn-s3-demo-destination-bucket","MapRunArn":"{}","#,
            r#""ResultFiles":{{"FAILED":[],"PENDING":[],"SUCCEEDED":[{{"Key":"csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/SUCCEEDED_0.json","Size":{}}}]}}}}"#
        ),
        MAP_RUN, size
    );
    assert_eq!(String::from_utf8_lossy(&exported.manifest.body), expected);
    assert_eq!(exported.manifest.key, "csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/manifest.json");
}

#[test]
fn no_children_write_only_the_manifest() {
    let exported = export(target(), Vec::new(), None);
    assert!(exported.files.is_empty());
    assert_eq!(manifest(&exported)["ResultFiles"], json!({"FAILED": [], "PENDING": [], "SUCCEEDED": []}));
}

/// Files split before they would pass the limit, never inside an entry; sizes add up.
#[test]
fn files_split_at_the_size_limit() {
    let config = WriterConfig::new(Transformation::Flatten, OutputType::Json);
    let orders =
        |n: u64| ChildResult { output: Some(Value::Array((0..n).map(|i| json!({"n": i})).collect())), ..first() };
    // `{"n":0}` is 7 bytes: `[` + 7 + `,` + 7 + `]` = 17 fits in 20, a third entry does not.
    let mut writer = ResultFiles::new(target(), Some(&config)).with_max_file_size(20);
    writer.push(orders(5));
    let early = writer.sink_mut().take_completed();
    let Finished { manifest, mut sink, .. } = writer.finish();
    let mut files = early;
    files.extend(sink.take_completed());
    let bodies: Vec<_> = files.iter().map(|f| String::from_utf8_lossy(&f.body).into_owned()).collect();
    assert_eq!(bodies, [r#"[{"n":0},{"n":1}]"#, r#"[{"n":2},{"n":3}]"#, r#"[{"n":4}]"#]);
    let manifest: Value = serde_json::from_slice(&manifest.body).unwrap_or_default();
    let listed: Vec<_> = manifest["ResultFiles"]["SUCCEEDED"]
        .as_array()
        .map(|files| {
            files.iter().map(|f| (f["Key"].as_str().unwrap_or_default().to_owned(), f["Size"].clone())).collect()
        })
        .unwrap_or_default();
    let folder = "csvProcessJobs/ad9b5f27-090b-3ac6-9beb-243cd77144a7/";
    assert_eq!(
        listed,
        [
            (format!("{folder}SUCCEEDED_0.json"), json!(17)),
            (format!("{folder}SUCCEEDED_1.json"), json!(17)),
            (format!("{folder}SUCCEEDED_2.json"), json!(9))
        ]
    );

    // An entry larger than the limit gets a file of its own; JSONL counts the newline.
    let jsonl = WriterConfig::new(Transformation::Flatten, OutputType::Jsonl);
    let mut writer = ResultFiles::new(target(), Some(&jsonl)).with_max_file_size(16);
    writer.push(orders(3));
    writer.push(ChildResult { output: Some(json!(["a long entry, longer than the limit"])), ..first() });
    let Finished { mut sink, .. } = writer.finish();
    let bodies: Vec<_> = sink.take_completed().iter().map(|f| String::from_utf8_lossy(&f.body).into_owned()).collect();
    assert_eq!(bodies, ["{\"n\":0}\n{\"n\":1}\n", "{\"n\":2}\n", "\"a long entry, longer than the limit\"\n"]);
}

/// A sink of the caller's sees every byte, file by file, and nothing is kept besides.
#[test]
fn a_caller_sink_streams_many_results() {
    #[derive(Default)]
    struct Counting {
        open: Vec<(ResultGroup, String)>,
        bytes: u64,
        newlines: u64,
        closed: usize,
    }
    impl Sink for Counting {
        fn open(&mut self, group: ResultGroup, key: &str) {
            self.open.push((group, key.to_owned()));
        }
        fn write(&mut self, _: ResultGroup, bytes: &[u8]) {
            self.bytes += bytes.len() as u64;
            self.newlines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
        }
        fn close(&mut self, _: ResultGroup) {
            self.closed += 1;
        }
    }
    let config = WriterConfig::new(Transformation::Compact, OutputType::Jsonl);
    let mut writer = ResultFiles::with_sink(target(), Some(&config), Counting::default()).with_max_file_size(100_000);
    let n = 50_000;
    for i in 0..n {
        let result = if i % 1000 == 999 { failed() } else { ChildResult { output: Some(json!({"i": i})), ..first() } };
        writer.push(result);
    }
    let Finished { manifest, sink, .. } = writer.finish();
    assert_eq!(sink.newlines, n);
    assert_eq!(sink.closed, sink.open.len());
    let manifest: Value = serde_json::from_slice(&manifest.body).unwrap_or_default();
    let sizes: u64 = ResultGroup::ALL
        .iter()
        .flat_map(|g| manifest["ResultFiles"][g.as_str()].as_array().cloned().unwrap_or_default())
        .map(|f| f["Size"].as_u64().unwrap_or_default())
        .sum();
    assert_eq!(sizes, sink.bytes);
    // The failed records (50 of them) fit in one file; the outputs needed a few.
    assert_eq!(manifest["ResultFiles"]["FAILED"].as_array().map(Vec::len), Some(1));
    assert!(manifest["ResultFiles"]["SUCCEEDED"].as_array().is_some_and(|files| files.len() > 1));
}
