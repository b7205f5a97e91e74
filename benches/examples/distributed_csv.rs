//! A Distributed Map over 1,000,000 CSV rows: read from a folder standing in for a bucket
//! (asl-bindings' `Bindings`, `--s3-dir data=DIR`), 1,000 rows to a batch, each batch
//! counted by a trivial Task in a child execution, the parent a durable STANDARD execution
//! on a SQLite store (`synchronous=FULL`, a real file). Once with STANDARD children, once
//! with EXPRESS ones; prints items per second and the process's peak resident set
//! (`VmHWM`).
//!
//! ```sh
//! cargo run -p asl-bench --release --example distributed_csv            # 1,000,000 rows
//! cargo run -p asl-bench --release --example distributed_csv -- 100000  # fewer
//! ```

#![allow(clippy::expect_used, clippy::panic)] // a benchmark that cannot run should stop loudly

use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::time::Instant;

use asl_bindings::{Bindings, BindingsConfig};
use asl_runtime::Runtime;
use asl_runtime::clock::RealClock;
use asl_runtime::execution::items::{ItemSource, ItemsCall};
use asl_runtime::execution::{BoxFuture, Status, TaskCall, TaskHandler, Workflow};
use asl_runtime::store::{ExecutionQuery, SqliteStore, Store};
use asl_runtime::{Error, Value};
use serde_json::json;

mod standard {
    asl_runtime::include_asl!("flows/csv_rows_standard.asl.json");
}

mod express {
    asl_runtime::include_asl!("flows/csv_rows_express.asl.json");
}

/// Counts each batch's rows at once; reads items through the bindings.
struct Counter(Bindings);

impl TaskHandler for Counter {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let rows = call.input["Items"].as_array().map_or(0, Vec::len);
        Box::pin(std::future::ready(Ok(json!({ "rows": rows }))))
    }

    fn open_items<'a>(&'a self, call: ItemsCall<'a>) -> BoxFuture<'a, Result<Box<dyn ItemSource>, Error>> {
        self.0.open_items(call)
    }
}

/// The process's peak resident set, in MiB (`VmHWM` of /proc/self/status).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn main() {
    let rows: u64 = std::env::args().nth(1).map_or(1_000_000, |n| n.parse().expect("a number of rows"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("rows.csv");
    let mut csv = BufWriter::new(std::fs::File::create(&path).expect("create the CSV"));
    writeln!(csv, "id,customer,amount,note").expect("write");
    for i in 0..rows {
        writeln!(csv, "{i},customer-{},{}.{:02},\"order {i}, by post\"", i % 9973, i % 1000, i % 100).expect("write");
    }
    csv.into_inner().expect("flush").sync_all().expect("sync");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("{rows} rows, {:.1} MiB of CSV", size as f64 / (1024.0 * 1024.0));

    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio");
    tokio.block_on(async {
        let config = BindingsConfig { s3_dirs: vec![("data".into(), dir.path().to_path_buf())], ..Default::default() };
        let handler: Arc<dyn TaskHandler> = Arc::new(Counter(Bindings::new(&config, "us-east-1").expect("bindings")));
        let store = Arc::new(SqliteStore::open(dir.path().join("runs.sqlite")).expect("open the store"));
        let runtime = Runtime::builder(RealClock).store(store.clone()).build();
        let runs: [(&str, &Workflow); 2] = [("STANDARD", &standard::WORKFLOW), ("EXPRESS", &express::WORKFLOW)];
        for (kind, workflow) in runs {
            let started = Instant::now();
            let handle = runtime.start(workflow, handler.clone(), kind, json!({})).expect("start");
            let outcome = handle.wait().await;
            let took = started.elapsed();
            assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
            let batches = outcome.output.as_ref().and_then(Value::as_array).expect("the batches' counts");
            let counted: u64 = batches.iter().map(|b| b["rows"].as_u64().unwrap_or(0)).sum();
            assert_eq!(counted, rows, "every row counted once");
            println!(
                "{kind} children: {} batches in {:.2} s, {:.0} items/s; peak RSS so far {:.1} MiB",
                batches.len(),
                took.as_secs_f64(),
                rows as f64 / took.as_secs_f64(),
                peak_rss_mib()
            );
            // What the store has of the Map Run: STANDARD children are stored, EXPRESS not.
            let map_runs = store.map_runs(&handle.arn()).await.expect("the Map Runs");
            let map_run = map_runs.first().expect("the Map Run is recorded");
            let mut query = ExecutionQuery { max_results: 1000, ..ExecutionQuery::of("") };
            query.map_run_arn = Some(map_run.arn.clone());
            let stored = store.executions(query).await.expect("the children").items.len();
            println!("  stored child executions: {stored}");
        }
    });
}
