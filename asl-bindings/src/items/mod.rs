//! A Distributed Map's `ItemReader`: turning an S3 object (or a listing) into the Map's
//! items, one at a time.
//!
//! The readers are synchronous and pull-based: each is an iterator over an object's
//! [`Read`] body (the caller runs it on a blocking thread and bridges S3's asynchronous
//! body to `Read`). None of them holds a whole object: CSV, JSON Lines and manifests are
//! read record by record, and a JSON document is scanned so that only one element of its
//! array is in memory at a time. Memory stays bounded by the largest item
//! ([`MAX_ITEM_BYTES`]), whatever the object's size.
//!
//! - [`ReaderConfig::from_json`] parses `ItemReader.ReaderConfig`;
//! - [`open`] reads an object fetched with `arn:aws:states:::s3:getObject` (the dataset
//!   itself, or a manifest, which opens the files it lists through an [`Opener`]);
//! - [`listed_item`] is the item of one object of an `arn:aws:states:::s3:listObjectsV2`
//!   listing (`Transformation: NONE`), and [`load_and_flatten`] reads the listed objects
//!   themselves (`Transformation: LOAD_AND_FLATTEN`), each with [`open_object`].
//!
//! Every failure is a [`ReadError`], `States.ItemReaderFailed` with AWS's cause where it
//! is known. (AWS prefixes the cause it reports with `An error occurred while executing
//! the state '<name>' (entered at the event id #<n>). `; that is the caller's to add.)
//!
//! ```
//! use asl_bindings::items::{self, ReaderConfig};
//! use serde_json::json;
//!
//! let config = ReaderConfig::from_json(&json!({"InputType": "CSV", "MaxItems": 2})).unwrap();
//! let body = Box::new(std::io::Cursor::new(b"id,name\n1,a\n2,b\n3,c\n".to_vec()));
//! let items: Vec<_> = items::open(&config, body, items::no_opener()).unwrap().collect::<Result<_, _>>().unwrap();
//! assert_eq!(items, vec![json!({"id": "1", "name": "a"}), json!({"id": "2", "name": "b"})]);
//! ```

mod bytes;
mod config;
mod csv;
mod error;
mod flatten;
mod json;
mod json_scan;
mod jsonl;
mod listing;
mod manifest;
mod parquet;
mod source;

use std::io::Read;

use serde_json::Value;

pub use config::{
    Delimiter, HeaderLocation, InputType, MAX_ITEMS_LIMIT, ManifestType, ReaderConfig, Transformation,
    resolve_max_items,
};
pub use csv::MAX_HEADER_BYTES;
pub use error::{
    DUPLICATE_HEADERS, ITEM_READER_FAILED, MAX_ITEMS_NEGATIVE, NON_ITERABLE, POINTER_NOT_FOUND, ReadError,
};
pub use listing::listed_item;
pub use source::open as open_source;
pub(crate) use source::s3_cause;

/// An object's bytes, as the reader pulls them.
pub type Body = Box<dyn Read + Send>;

/// The items an ItemReader gives, in order. After an error it gives nothing more.
pub type Items = Box<dyn Iterator<Item = Result<Value, ReadError>> + Send>;

/// Opens another object (bucket, key): the data files a manifest lists, or the objects of
/// a `LOAD_AND_FLATTEN` listing. Its error is the reader's error, so the caller words S3's
/// failures (`NoSuchKey`, `AccessDenied`, …) as it reports them.
pub type Opener = Box<dyn FnMut(&str, &str) -> Result<Body, ReadError> + Send>;

/// The largest single item (a JSON element, a JSON Lines line, a CSV record) asl-rs reads:
/// 8 MiB. This bounds memory, not what AWS accepts: an item only has to fit a child
/// execution's input (256 KiB) after `ItemSelector`, which is checked where that input is
/// made.
pub const MAX_ITEM_BYTES: usize = 8 * 1024 * 1024;

/// An [`Opener`] for datasets that open nothing else: it fails if it is ever called.
pub fn no_opener() -> Opener {
    Box::new(|bucket: &str, key: &str| {
        Err(ReadError::failed(format!("No opener was given to read s3://{bucket}/{key}.")))
    })
}

/// Reads the object fetched for an `s3:getObject` ItemReader: the dataset in
/// `config.input_type`'s format, or a manifest (`InputType: MANIFEST` or a
/// `ManifestType`), whose data files `opener` opens as the items are pulled. At most
/// `config.max_items` items are given.
///
/// Fails at once when the object's start already shows the dataset cannot be read (CSV
/// headers, a JSON `ItemsPointer` that leads nowhere, a non-iterable JSON node, a bad
/// manifest); later failures end the items with an error.
pub fn open(config: &ReaderConfig, body: Body, opener: Opener) -> Result<Items, ReadError> {
    let items = match (config.manifest_type, config.input_type) {
        (Some(ManifestType::S3Inventory), _) | (None, Some(InputType::Manifest)) => {
            manifest::inventory(config, body, opener)?
        }
        (Some(ManifestType::AthenaData), Some(InputType::Csv | InputType::Jsonl | InputType::Parquet)) => {
            manifest::athena(config, body, opener)?
        }
        (Some(ManifestType::AthenaData), _) => {
            return Err(ReadError::failed(
                "ReaderConfig.InputType must be CSV, JSONL or PARQUET with ManifestType ATHENA_DATA",
            ));
        }
        (None, _) => open_object(config, body)?,
    };
    Ok(limit(items, config.max_items))
}

/// Reads one data object in `config.input_type`'s format, without `MaxItems`: the piece
/// [`open`], the Athena manifest and [`load_and_flatten`] share.
pub fn open_object(config: &ReaderConfig, body: Body) -> Result<Items, ReadError> {
    match config.input_type {
        Some(InputType::Json) => Ok(Box::new(json::JsonItems::open(body, config.items_pointer.as_deref())?)),
        Some(InputType::Jsonl) => Ok(Box::new(jsonl::JsonlItems::open(body)?)),
        Some(InputType::Csv) => {
            Ok(Box::new(csv::CsvItems::open(body, config.csv_delimiter.byte(), config.given_headers())?))
        }
        Some(InputType::Parquet) => Ok(Box::new(parquet::ParquetItems::open(body)?)),
        Some(InputType::Manifest) => {
            Err(ReadError::failed("A MANIFEST lists data files; it cannot be read as one of them."))
        }
        None => Err(ReadError::failed("ReaderConfig.InputType is required to read an object's items.")),
    }
}

/// `Transformation: LOAD_AND_FLATTEN`: reads each object of a listing of `bucket` (`keys`,
/// in listing order) with [`open_object`] and gives all their items in turn, at most
/// `config.max_items` of them. Objects are opened with `opener` one at a time, as the
/// items are pulled.
///
/// (With `Transformation: NONE`, the default, the items are the listed objects' metadata:
/// [`listed_item`] for each, then [`limit`].)
pub fn load_and_flatten(
    config: &ReaderConfig,
    bucket: &str,
    keys: Box<dyn Iterator<Item = Result<String, ReadError>> + Send>,
    opener: Opener,
) -> Items {
    let bucket = bucket.to_owned();
    let sources = keys.map(move |key| key.map(|key| (bucket.clone(), key)));
    let object_config = config.clone();
    let read = Box::new(move |body: Body| open_object(&object_config, body));
    limit(Box::new(flatten::Flatten::new(Box::new(sources), opener, read, false)), config.max_items)
}

/// At most `max_items` of `items`, ending after an error. `None` and `Some(0)` read every
/// item: a `MaxItems` of 0 is no limit on AWS.
pub fn limit(items: Items, max_items: Option<u64>) -> Items {
    Box::new(Limit { items, left: max_items.filter(|&n| n > 0), done: false })
}

/// The iterator [`limit`] returns.
struct Limit {
    items: Items,
    /// How many more may be given (`None`: any number).
    left: Option<u64>,
    done: bool,
}

impl Iterator for Limit {
    type Item = Result<Value, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.left == Some(0) {
            return None;
        }
        let item = self.items.next();
        match &item {
            Some(Ok(_)) => {
                if let Some(left) = self.left.as_mut() {
                    *left -= 1;
                }
            }
            Some(Err(_)) | None => self.done = true,
        }
        item
    }
}

#[cfg(test)]
mod tests;
