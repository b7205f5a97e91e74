//! A Distributed Map whose items come from an `ItemReader` through the handler's
//! [`ItemSource`]: read a window at a time (never all at once), through the `ItemSelector`,
//! in batches of the `ItemBatcher`, with `MaxConcurrency` and tolerated failures; a
//! reader that fails fails the Map with `States.ItemReaderFailed`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Mutex;

use asl_runtime::Error;
use asl_runtime::clock::{Clock, VirtualClock};
use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::items::{ItemSource, ItemsCall};
use asl_runtime::execution::{BoxFuture, Driver, Execution, Status, TaskCall, TaskHandler, run};
use serde_json::{Value, json};
use time::macros::datetime;

mod batched {
    asl_runtime::include_asl!("tests/workflows/items_batched.asl.json");
}

/// A source of `count` rows `{"n": "<i>"}` (strings, as CSV gives them), after `skip`,
/// that records how many items each read asked for and fails at item `fail_at`.
struct Rows {
    next: u64,
    count: u64,
    fail_at: Option<u64>,
    reads: &'static Mutex<Vec<usize>>,
}

impl ItemSource for Rows {
    fn next(&mut self, max: usize) -> BoxFuture<'_, Result<Vec<Value>, Error>> {
        self.reads.lock().unwrap().push(max);
        let mut items = Vec::new();
        while items.len() < max && self.next < self.count {
            if Some(self.next) == self.fail_at {
                let error = Error::new("States.ItemReaderFailed", "row 5 is broken");
                return Box::pin(async move { Err(error) });
            }
            items.push(json!({ "n": self.next.to_string() }));
            self.next += 1;
        }
        Box::pin(async move { Ok(items) })
    }
}

/// Sums its batch's `n`s; a batch holding one of the `failing` items fails.
struct Handler {
    rows: u64,
    fail_at: Option<u64>,
    failing: &'static [u64],
    opened: Mutex<Vec<(Value, Value, u64)>>,
    reads: &'static Mutex<Vec<usize>>,
}

impl Handler {
    fn new(rows: u64) -> Handler {
        let reads = Box::leak(Box::new(Mutex::new(Vec::new())));
        Handler { rows, fail_at: None, failing: &[], opened: Mutex::default(), reads }
    }
}

impl TaskHandler for Handler {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let items = call.input["Items"].as_array().cloned().unwrap_or_default();
        let numbers: Vec<u64> = items.iter().map(|item| item["n"].as_str().unwrap().parse().unwrap()).collect();
        let result = if numbers.iter().any(|n| self.failing.contains(n)) {
            Err(Error::new("Unlucky", "13"))
        } else {
            let indices: Vec<u64> = items.iter().map(|item| item["index"].as_u64().unwrap()).collect();
            assert_eq!(numbers, indices, "$$.Map.Item.Index is the item's position");
            Ok(
                json!({ "run": call.input["BatchInput"]["run"], "sum": numbers.iter().sum::<u64>(), "count": numbers.len() }),
            )
        };
        Box::pin(async move { result })
    }

    fn open_items<'a>(&'a self, call: ItemsCall<'a>) -> BoxFuture<'a, Result<Box<dyn ItemSource>, Error>> {
        self.opened.lock().unwrap().push((call.parameters.clone(), call.config.clone(), call.skip));
        let source = Rows { next: call.skip, count: self.rows, fail_at: self.fail_at, reads: self.reads };
        Box::pin(async move { Ok(Box::new(source) as Box<dyn ItemSource>) })
    }
}

/// Runs the workflow; `MaxItemsPath` reads `max` (a million unless given), the tolerated
/// failures `count` (4 unless given: one batch of four) and `percent` (100 unless given).
async fn sum(handler: &Handler, mut input: Value) -> asl_runtime::execution::Outcome {
    for (field, default) in [("max", 1_000_000), ("count", 4), ("percent", 100)] {
        if input.get(field).is_none() {
            input[field] = json!(default);
        }
    }
    let clock = VirtualClock::starting_at(datetime!(2025-06-01 12:00 UTC));
    let info = ExecutionInfo::new("batched", "e-1", clock.now(), input.clone());
    run(&batched::WORKFLOW, handler, &clock, &info, input).await
}

#[tokio::test]
async fn items_are_read_selected_and_batched() {
    let handler = Handler::new(10);
    let outcome = sum(&handler, json!({ "key": "rows.csv", "batch": 4, "run": "r1" })).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let output: Value = outcome.output.clone().unwrap();
    assert_eq!(
        output,
        json!([
            { "run": "r1", "sum": 6, "count": 4 },
            { "run": "r1", "sum": 22, "count": 4 },
            { "run": "r1", "sum": 17, "count": 2 }
        ])
    );
    let opened = handler.opened.lock().unwrap();
    assert_eq!(opened.len(), 1, "opened once");
    assert_eq!(opened[0].0, json!({ "Bucket": "data", "Key": "rows.csv" }));
    assert_eq!(opened[0].1, json!({ "InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 1_000_000 }));
    assert_eq!(opened[0].2, 0);
}

#[tokio::test]
async fn max_items_reaches_the_reader_resolved() {
    let handler = Handler::new(10);
    let outcome = sum(&handler, json!({ "key": "k", "batch": 4, "run": 1, "max": 5 })).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let opened = handler.opened.lock().unwrap();
    assert_eq!(opened[0].1["MaxItems"], json!(5));
}

#[tokio::test]
async fn a_large_dataset_is_read_a_window_at_a_time() {
    let handler = Handler::new(100_000);
    let outcome = sum(&handler, json!({ "key": "big.csv", "batch": 100, "run": 2 })).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let output: Value = outcome.output.clone().unwrap();
    let batches = output.as_array().unwrap();
    assert_eq!(batches.len(), 1000);
    let total: u64 = batches.iter().map(|b| b["sum"].as_u64().unwrap()).sum();
    assert_eq!(total, 100_000 * 99_999 / 2);
    let reads = handler.reads.lock().unwrap();
    // Three children at once, 100 items each: no read asks for more than 1,000 items.
    assert!(reads.iter().all(|&max| max <= 1000), "{reads:?}");
    assert!(reads.len() >= 100, "{} reads", reads.len());
}

#[tokio::test]
async fn a_failed_read_fails_the_map_with_item_reader_failed() {
    let mut handler = Handler::new(10);
    handler.fail_at = Some(5);
    let outcome = sum(&handler, json!({ "key": "k", "batch": 2, "run": 3 })).await;
    assert_eq!(outcome.status, Status::Succeeded, "caught: {outcome:?}");
    let output: Value = outcome.output.clone().unwrap();
    assert_eq!(output["error"], json!({ "Error": "States.ItemReaderFailed", "Cause": "row 5 is broken" }));
}

#[tokio::test]
async fn failed_items_beyond_the_tolerated_count_fail_the_run() {
    // A failed batch of four is four failed items: `ToleratedFailureCount: 4` tolerates it,
    // and its place in the result holds the failed child's execution record.
    let mut handler = Handler::new(40);
    handler.failing = &[13];
    let outcome = sum(&handler, json!({ "key": "k", "batch": 4, "run": 4 })).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let output = outcome.output.clone().unwrap();
    assert_eq!(output.as_array().map(Vec::len), Some(10));
    assert_eq!(output[3]["Status"], json!("FAILED"), "the failed child's record: {}", output[3]);
    assert_eq!(output[3]["Error"], json!("Unlucky"));
    // Two are eight items, too many: the Map fails as soon as the count is passed, and no
    // more items are read.
    let mut handler = Handler::new(100_000);
    handler.failing = &[13, 27];
    let outcome = sum(&handler, json!({ "key": "k", "batch": 4, "run": 4 })).await;
    assert_eq!(outcome.status, Status::Failed, "{outcome:?}");
    assert_eq!(outcome.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
    let asked: usize = handler.reads.lock().unwrap().iter().sum();
    assert!(asked < 1000, "reading stopped early: {asked} items asked for");
}

#[tokio::test]
async fn the_tolerated_share_is_judged_once_every_item_is_read() {
    let tolerant = json!({ "key": "k", "batch": 4, "run": 5, "count": 1000, "percent": 10 });
    // One failed batch of four out of forty items: 10% is not over 10%.
    let mut handler = Handler::new(40);
    handler.failing = &[1];
    let outcome = sum(&handler, tolerant.clone()).await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    // Two are 20%: the Map fails, though when they failed only a few items were known.
    handler.failing = &[1, 5];
    let outcome = sum(&handler, tolerant).await;
    assert_eq!(outcome.status, Status::Failed, "{outcome:?}");
    assert_eq!(outcome.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"));
}

#[tokio::test]
async fn without_a_reading_handler_the_map_fails_with_item_reader_failed() {
    struct NoReader;
    impl TaskHandler for NoReader {
        fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
            Box::pin(async move { Ok(call.input) })
        }
    }
    let clock = VirtualClock::starting_at(datetime!(2025-06-01 12:00 UTC));
    let input = json!({ "key": "k", "batch": 2, "run": 5, "max": 10, "count": 0, "percent": 0 });
    let info = ExecutionInfo::new("batched", "e-2", clock.now(), input.clone());
    let outcome = run(&batched::WORKFLOW, &NoReader, &clock, &info, input).await;
    let output: Value = outcome.output.clone().unwrap();
    assert_eq!(output["error"]["Error"], json!("States.ItemReaderFailed"));
    assert!(output["error"]["Cause"].as_str().unwrap().contains("has nothing to read from"), "{output}");
}

#[tokio::test]
async fn a_saved_execution_reopens_its_source_after_the_items_it_took() {
    let handler = Handler::new(50);
    let clock = VirtualClock::starting_at(datetime!(2025-06-01 12:00 UTC));
    let input = json!({ "key": "k", "batch": 3, "run": 6, "max": 1000, "count": 0, "percent": 0 });
    let info = ExecutionInfo::new("batched", "e-3", clock.now(), input.clone());
    let execution = Execution::start(&batched::WORKFLOW, info, input, clock.now());
    let mut driver = Driver::new(&batched::WORKFLOW, &handler, &clock, execution);
    let mut saved = Vec::new();
    while driver.advance().await {
        saved.push(serde_json::to_string(driver.execution()).unwrap());
    }
    let outcome = driver.execution().outcome().cloned().unwrap();
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.output.as_ref().and_then(Value::as_array).map(Vec::len), Some(17));
    assert!(saved.iter().any(|text| text.contains("\"taken\":")), "saved while reading");

    let mut skips = Vec::new();
    for (transition, text) in saved.iter().enumerate() {
        let fresh = Handler::new(50);
        let restored = Execution::from_json(text).unwrap();
        let resumed = Driver::new(&batched::WORKFLOW, &fresh, &clock, restored).run().await;
        assert_eq!(resumed, outcome, "resumed after transition {}", transition + 1);
        skips.extend(fresh.opened.lock().unwrap().iter().map(|(_, _, skip)| *skip));
    }
    // Resumed mid-read, a source opens again after the items already taken.
    assert!(skips.iter().any(|&skip| skip > 0), "{skips:?}");
}

#[tokio::test]
async fn a_redriven_map_run_reads_on_after_the_items_it_took() {
    // No failure tolerated: the batch holding item 13 fails the Map Run while its reader
    // has items left.
    let mut failing = Handler::new(40);
    failing.failing = &[13];
    let clock = VirtualClock::starting_at(datetime!(2025-06-01 12:00 UTC));
    let input = json!({ "key": "k", "batch": 4, "run": 7, "max": 1000, "count": 0, "percent": 0 });
    let info = ExecutionInfo::new("batched", "e-4", clock.now(), input.clone());
    let execution = Execution::start(&batched::WORKFLOW, info, input, clock.now());
    let mut driver = Driver::new(&batched::WORKFLOW, &failing, &clock, execution);
    driver.run().await;
    let mut execution = driver.into_execution();
    let outcome = execution.outcome().cloned().unwrap();
    assert_eq!(outcome.error.as_deref(), Some("States.ExceedToleratedFailureThreshold"), "{outcome:?}");

    let fixed = Handler::new(40);
    execution.redrive(&batched::WORKFLOW, clock.now()).unwrap();
    let outcome = Driver::new(&batched::WORKFLOW, &fixed, &clock, execution).run().await;
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    let sums: Vec<u64> =
        outcome.output.unwrap().as_array().unwrap().iter().map(|b| b["sum"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = (0..10).map(|k| (4 * k..4 * k + 4).sum()).collect();
    assert_eq!(sums, expected, "every batch once, in order");
    // The source was opened again after the items the first attempt took.
    let opened = fixed.opened.lock().unwrap();
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert!(opened[0].2 > 0 && opened[0].2 < 40, "{opened:?}");
}
