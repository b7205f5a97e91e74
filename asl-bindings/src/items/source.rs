//! A Distributed Map's `ItemReader` over [`ObjectStore`]s: the runtime's
//! [`ItemSource`], fed by a reader that runs on a blocking thread.
//!
//! The readers of this module are synchronous and pull bytes as they parse; S3 bodies are
//! asynchronous streams. Each opened source runs its reader on a thread of tokio's
//! blocking pool, which reads the body through a [`SyncIoBridge`] and sends the items
//! through a bounded channel: at most [`BUFFERED`] items wait, so a reader is never more
//! than that ahead of the Map, whatever the size of the object. Dropping the source (the
//! Map ended or failed) closes the channel, and the thread stops at its next item.

use std::sync::Arc;

use asl_runtime::Error;
use asl_runtime::execution::BoxFuture;
use asl_runtime::execution::items::{ItemSource, ItemsCall};
use serde_json::Value;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio_util::io::SyncIoBridge;

use super::{Body, Items, Opener, ReadError, ReaderConfig, Transformation};
use crate::s3::{ListRequest, ObjectStore, S3Error};

/// How many items a source reads ahead of the Map.
const BUFFERED: usize = 1024;

/// The resource of an `ItemReader` that reads one object.
const GET_OBJECT: &str = "arn:aws:states:::s3:getObject";
/// The resource of an `ItemReader` that lists objects.
const LIST_OBJECTS: &str = "arn:aws:states:::s3:listObjectsV2";

/// Opens the items `call` describes, from `objects`.
///
/// # Errors
///
/// `States.ItemReaderFailed`: a resource that is not S3's `getObject` or `listObjectsV2`,
/// parameters without a bucket (or key), a `ReaderConfig` that is not valid, an object
/// that cannot be opened, or a format problem seen at its start (CSV headers, a JSON that
/// is not an array…).
pub async fn open(objects: Arc<dyn ObjectStore>, call: ItemsCall<'_>) -> Result<Box<dyn ItemSource>, Error> {
    let config = ReaderConfig::from_json(call.config).map_err(failed)?;
    let text = |field: &str| call.parameters.get(field).and_then(Value::as_str).map(str::to_owned);
    let bucket = text("Bucket").ok_or_else(|| reader_failed("The ItemReader's Parameters must give a Bucket"))?;
    let handle = Handle::current();
    let skip = call.skip;
    let read: Box<dyn FnOnce() -> Result<Items, ReadError> + Send> = match call.resource {
        GET_OBJECT => {
            let key = text("Key").ok_or_else(|| reader_failed("The ItemReader's Parameters must give a Key"))?;
            if config.input_type.is_none() {
                return Err(reader_failed("ReaderConfig.InputType is required to read an object's items."));
            }
            let object = objects.get(&bucket, &key, text("VersionId").as_deref()).await.map_err(|e| s3_failed(&e))?;
            let body: Body = Box::new(SyncIoBridge::new_with_handle(object.body, handle.clone()));
            let opener = opener(Arc::clone(&objects), handle.clone());
            Box::new(move || super::open(&config, body, opener))
        }
        LIST_OBJECTS => {
            let request = ListRequest { bucket: bucket.clone(), prefix: text("Prefix"), ..ListRequest::default() };
            let listing = Listing::new(Arc::clone(&objects), handle.clone(), request);
            match config.transformation {
                Transformation::LoadAndFlatten => {
                    let keys = Box::new(listing.map(|listed| listed.map(|(key, _)| key)));
                    let opener = opener(Arc::clone(&objects), handle.clone());
                    Box::new(move || Ok(super::load_and_flatten(&config, &bucket, keys, opener)))
                }
                Transformation::None => {
                    let items: Items = Box::new(listing.map(|listed| listed.map(|(_, item)| item)));
                    Box::new(move || Ok(super::limit(items, config.max_items)))
                }
            }
        }
        other => {
            return Err(reader_failed(format!(
                "asl-rs reads a Distributed Map's items with {GET_OBJECT} or {LIST_OBJECTS}, not {other}"
            )));
        }
    };
    // The reader starts now: what it finds wrong at the start of the object fails the
    // opening, as AWS fails the Map Run before any child starts.
    let (sender, receiver) = mpsc::channel(BUFFERED);
    let (opened, started) = tokio::sync::oneshot::channel();
    tokio::task::spawn_blocking(move || feed(read, skip, sender, opened));
    match started.await {
        Ok(Ok(())) => Ok(Box::new(Receiver(receiver))),
        Ok(Err(error)) => Err(failed(error)),
        Err(_) => Err(reader_failed("the ItemReader stopped before it read anything")),
    }
}

/// The blocking thread: opens the items, says whether that worked, skips those an earlier
/// opening handed out, then sends the rest until the Map stops taking them.
fn feed(
    read: Box<dyn FnOnce() -> Result<Items, ReadError> + Send>,
    skip: u64,
    sender: mpsc::Sender<Result<Value, ReadError>>,
    opened: tokio::sync::oneshot::Sender<Result<(), ReadError>>,
) {
    let mut items = match read() {
        Ok(items) => items,
        Err(error) => {
            let _ = opened.send(Err(error));
            return;
        }
    };
    if opened.send(Ok(())).is_err() {
        return;
    }
    for _ in 0..skip {
        match items.next() {
            Some(Ok(_)) => {}
            Some(Err(error)) => {
                let _ = sender.blocking_send(Err(error));
                return;
            }
            None => return,
        }
    }
    for item in items {
        let last = item.is_err();
        if sender.blocking_send(item).is_err() || last {
            return;
        }
    }
}

/// The runtime's side of the channel.
struct Receiver(mpsc::Receiver<Result<Value, ReadError>>);

impl ItemSource for Receiver {
    fn next(&mut self, max: usize) -> BoxFuture<'_, Result<Vec<Value>, Error>> {
        Box::pin(async move {
            let mut items = Vec::new();
            // Wait for one; then take what is there, up to `max`.
            let Some(first) = self.0.recv().await else { return Ok(items) };
            items.push(first.map_err(failed)?);
            while items.len() < max {
                match self.0.try_recv() {
                    Ok(item) => items.push(item.map_err(failed)?),
                    Err(_) => break,
                }
            }
            Ok(items)
        })
    }
}

/// Opens the other objects a reader needs (a manifest's data files, a listing's objects),
/// from the blocking thread.
fn opener(objects: Arc<dyn ObjectStore>, handle: Handle) -> Opener {
    Box::new(move |bucket: &str, key: &str| {
        let object = handle.block_on(objects.get(bucket, key, None)).map_err(|e| ReadError::failed(s3_cause(&e)))?;
        Ok(Box::new(SyncIoBridge::new_with_handle(object.body, handle.clone())) as Body)
    })
}

/// A whole listing, page by page as it is iterated (on the blocking thread): each object's
/// key and its item.
struct Listing {
    objects: Arc<dyn ObjectStore>,
    handle: Handle,
    request: ListRequest,
    page: std::vec::IntoIter<(String, Value)>,
    done: bool,
}

impl Listing {
    fn new(objects: Arc<dyn ObjectStore>, handle: Handle, request: ListRequest) -> Listing {
        Listing { objects, handle, request, page: Vec::new().into_iter(), done: false }
    }
}

impl Iterator for Listing {
    type Item = Result<(String, Value), ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(next) = self.page.next() {
                return Some(Ok(next));
            }
            if self.done {
                return None;
            }
            let page = match self.handle.block_on(self.objects.list(&self.request)) {
                Ok(page) => page,
                Err(error) => {
                    self.done = true;
                    return Some(Err(ReadError::failed(s3_cause(&error))));
                }
            };
            self.done = page.next_continuation_token.is_none();
            self.request.continuation_token = page.next_continuation_token;
            let items: Vec<(String, Value)> =
                page.objects.iter().map(|listed| (listed.key.clone(), super::listed_item(listed))).collect();
            self.page = items.into_iter();
        }
    }
}

/// A reader's error as the runtime's.
fn failed(error: ReadError) -> Error {
    Error::new(error.error, error.cause)
}

/// `States.ItemReaderFailed` with `cause`.
fn reader_failed(cause: impl Into<String>) -> Error {
    Error::new(super::ITEM_READER_FAILED, cause.into())
}

/// `States.ItemReaderFailed` for an S3 call that failed.
fn s3_failed(error: &S3Error) -> Error {
    reader_failed(s3_cause(error))
}

/// What S3 said, in the Java SDK's words that AWS's causes use.
pub(crate) fn s3_cause(error: &S3Error) -> String {
    format!("{} (Service: Amazon S3; Status Code: {}; Error Code: {})", error.message, error.status, error.code)
}
