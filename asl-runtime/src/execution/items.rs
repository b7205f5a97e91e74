//! What a Distributed Map reads and writes through its handler: the items of its
//! `ItemReader`, and the result files of its `ResultWriter`.
//!
//! The runtime knows nothing of S3: a [`TaskHandler`](super::TaskHandler) opens a Map's
//! items ([`TaskHandler::open_items`](super::TaskHandler::open_items)) and hands them out a
//! few at a time through an [`ItemSource`], so a Map over a million rows never holds them
//! all. The execution keeps only how many it has taken; restored after a crash, it opens
//! the source again and skips those.

use serde_json::Value;

use super::BoxFuture;
use crate::error::Error;

/// One opening of a Distributed Map's `ItemReader`.
#[derive(Debug)]
pub struct ItemsCall<'a> {
    /// The Map state's name.
    pub state: &'static str,
    /// The reader's `Resource` (`arn:aws:states:::s3:getObject`, `…:s3:listObjectsV2`).
    pub resource: &'static str,
    /// Its `Parameters` or `Arguments`, evaluated (`Bucket`, `Key`, `Prefix`, …).
    pub parameters: &'a Value,
    /// Its `ReaderConfig`, evaluated, with `MaxItems` resolved from `MaxItemsPath` (absent
    /// without a limit).
    pub config: &'a Value,
    /// How many items an earlier opening already handed out: the source starts after them.
    pub skip: u64,
}

/// A Distributed Map's items, handed out in order.
pub trait ItemSource: Send {
    /// The next items, at most `max` of them (at least one unless the items are over): none
    /// when there are no more.
    ///
    /// # Errors
    ///
    /// `States.ItemReaderFailed` (the object could not be read or parsed), which fails
    /// the Map Run.
    fn next(&mut self, max: usize) -> BoxFuture<'_, Result<Vec<Value>, Error>>;
}

/// Items given up front (tests, and handlers that read small datasets at once).
impl ItemSource for std::vec::IntoIter<Value> {
    fn next(&mut self, max: usize) -> BoxFuture<'_, Result<Vec<Value>, Error>> {
        let items = self.by_ref().take(max).collect();
        Box::pin(std::future::ready(Ok(items)))
    }
}

/// The objects a Distributed Map's `ResultWriter` exports (its result files, then the
/// `manifest.json` that lists them; see [`map_results`](crate::map_results)), to write in
/// order.
#[derive(Debug)]
pub struct ResultsCall<'a> {
    /// The Map state's name.
    pub state: &'static str,
    /// The writer's `Resource` (`arn:aws:states:::s3:putObject`).
    pub resource: &'static str,
    /// The bucket of its `Parameters`/`Arguments`.
    pub bucket: &'a str,
    /// Each object's key and bytes.
    pub objects: Vec<(String, Vec<u8>)>,
}
