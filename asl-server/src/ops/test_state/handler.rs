//! What a state test's engine calls: no Task (every Task of a test has a stand-in, the
//! `mock`), and, for a Distributed Map with an `ItemReader`, the object it reads given as
//! `stateConfiguration.mapItemReaderData`, read as the reader's `ReaderConfig` says (CSV,
//! JSON, JSON Lines, Parquet…), exactly as an execution reads an object.

use std::io::Cursor;

use asl_bindings::items::{self, ReaderConfig};
use asl_runtime::Error;
use asl_runtime::execution::items::{ItemSource, ItemsCall};
use asl_runtime::execution::{BoxFuture, TaskCall, TaskHandler};
use serde_json::Value;

/// The handler of one state test.
pub(super) struct TestHandler<'r> {
    /// `stateConfiguration.mapItemReaderData`.
    pub(super) reader_data: Option<&'r str>,
}

impl TaskHandler for TestHandler<'_> {
    fn invoke<'a>(&'a self, _: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        Box::pin(async { Err(Error::new("States.Runtime", "asl-rs runs no task in TestState without a mock")) })
    }

    fn open_items<'a>(&'a self, call: ItemsCall<'a>) -> BoxFuture<'a, Result<Box<dyn ItemSource>, Error>> {
        let opened = read(self.reader_data, call.config, call.skip);
        Box::pin(async move { opened })
    }
}

/// The items of `data` read with the reader's `config` (`null`: none given), after the
/// first `skip`. The data is at most 256 KiB (the request's limit), so it is read at once.
fn read(data: Option<&str>, config: &Value, skip: u64) -> Result<Box<dyn ItemSource>, Error> {
    let failed = |e: items::ReadError| Error::new(e.error, e.cause);
    let data = data.ok_or_else(|| {
        Error::new(items::ITEM_READER_FAILED, "TestState reads a Map's items from stateConfiguration.mapItemReaderData")
    })?;
    let config = match config {
        Value::Null => ReaderConfig::from_json(&Value::Object(serde_json::Map::new())),
        config => ReaderConfig::from_json(config),
    }
    .map_err(failed)?;
    let body = Box::new(Cursor::new(data.as_bytes().to_vec()));
    let read: Vec<Value> = items::open(&config, body, items::no_opener())
        .map_err(failed)?
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .collect::<Result<_, _>>()
        .map_err(failed)?;
    Ok(Box::new(read.into_iter()))
}
