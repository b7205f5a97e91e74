//! How the driver calls Task states: one dynamic entry point that generated handler traits,
//! mocks and non-Rust bindings all implement.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use super::items::{ItemSource, ItemsCall, ResultsCall};
use crate::Error;
use crate::error::names;

/// A boxed, sendable future (what [`TaskHandler::invoke`] returns).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One invocation of a Task state.
#[derive(Debug)]
pub struct TaskCall<'a> {
    /// The task's index in the workflow's handler trait (Task states numbered in
    /// definition order, nested containers included).
    pub task: u16,
    /// The Task state's name.
    pub state: &'static str,
    /// The state's `Resource`.
    pub resource: &'static str,
    /// The effective input (after InputPath and Parameters).
    pub input: Value,
    /// The context object (`$$`) as the state sees it.
    pub context: &'a Value,
    /// The task token (`$$.Task.Token`), for a `.waitForTaskToken` task: the task ends when
    /// someone sends this token's outcome to the [`Callbacks`](crate::callbacks::Callbacks)
    /// of the execution's driver, not when the handler returns.
    pub task_token: Option<&'a str>,
    /// How many times this state's task ran before in this state execution
    /// (`$$.State.RetryCount`).
    pub retry_count: u32,
}

/// Runs Task states. Generated code implements it for the workflow's typed handler trait;
/// mocks and bindings implement it directly.
pub trait TaskHandler: Send + Sync {
    /// Runs one task and returns its result, or the error it failed with (`Error::name`
    /// is what Retry and Catch match).
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>>;

    /// Opens the items of a Distributed Map's `ItemReader` (see
    /// [`items`](super::items)). Without an implementation, a Map with an `ItemReader`
    /// fails with `States.ItemReaderFailed`, saying that nothing reads items.
    fn open_items<'a>(&'a self, call: ItemsCall<'a>) -> BoxFuture<'a, Result<Box<dyn ItemSource>, Error>> {
        let cause = format!(
            "The ItemReader of state '{}' ({}) has nothing to read from: this handler does not read items \
             (asl-bindings' Bindings read them from S3 or local folders)",
            call.state, call.resource
        );
        Box::pin(std::future::ready(Err(Error::new(names::ITEM_READER_FAILED, cause))))
    }

    /// Writes the result files of a Distributed Map's `ResultWriter` (see
    /// [`items`](super::items)). Without an implementation, the Map fails with
    /// `States.ResultWriterFailed`, saying that nothing writes them.
    fn write_results<'a>(&'a self, call: ResultsCall<'a>) -> BoxFuture<'a, Result<(), Error>> {
        let cause = format!(
            "The ResultWriter of state '{}' ({}) has nowhere to write to: this handler does not write results \
             (asl-bindings' Bindings write them to S3 or local folders)",
            call.state, call.resource
        );
        Box::pin(std::future::ready(Err(Error::new(names::RESULT_WRITER_FAILED, cause))))
    }
}

impl<F> TaskHandler for F
where
    F: for<'a> Fn(TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> + Send + Sync,
{
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        self(call)
    }
}
