//! Where a Distributed Map's objects live: S3 through an endpoint (any S3-compatible
//! server, or AWS), or folders on this machine standing in for buckets.
//!
//! [`ObjectStore`] is what the ItemReader and the ResultWriter see. Its implementations:
//! local folders ([`Folders`], `--s3-dir BUCKET=./data`) and an S3 endpoint ([`Endpoint`]:
//! SigV4-signed REST calls, path-style addressing), and [`Objects`], which sends each
//! bucket to the one that holds it: a bucket given a folder to its folder, any other to the
//! endpoint (the configured one, else AWS's).

mod endpoint;
mod error;
mod folders;
mod listing;
mod objects;

use std::pin::Pin;

use asl_runtime::execution::BoxFuture;
use tokio::io::AsyncRead;

pub use crate::aws::Credentials;
pub use endpoint::{Endpoint, EndpointConfig, SERVICE_ID};
pub use error::CLIENT_ERROR;
pub use folders::Folders;
pub use objects::{Objects, S3Config, parse_dir_mapping};

/// An object's bytes, read as they arrive: a reader never holds a whole large object.
pub type Body = Pin<Box<dyn AsyncRead + Send>>;

/// An object opened for reading.
pub struct Object {
    /// Its bytes.
    pub body: Body,
    /// Its size in bytes (`Content-Length`).
    pub size: u64,
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object").field("size", &self.size).finish_non_exhaustive()
    }
}

/// One object of a listing, as `ListObjectsV2` describes it. A Distributed Map over a
/// listing gets each as an item: `{"Etag", "Key", "LastModified", "Size", "StorageClass"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The object's key.
    pub key: String,
    /// Its entity tag, with the quotes S3 puts around it (`"\"d41d8cd9…\""`).
    pub etag: String,
    /// When it was last written: RFC 3339 in UTC with milliseconds, as S3's XML gives it
    /// (`2024-01-01T00:00:00.000Z`).
    pub last_modified: String,
    /// Its size in bytes.
    pub size: u64,
    /// `STANDARD` unless the server says otherwise.
    pub storage_class: String,
}

/// What one `ListObjectsV2` call asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListRequest {
    /// The bucket.
    pub bucket: String,
    /// Only keys that start with this.
    pub prefix: Option<String>,
    /// Keys that contain it after the prefix are rolled up into common prefixes (not
    /// listed as objects).
    pub delimiter: Option<String>,
    /// Only keys after this one.
    pub start_after: Option<String>,
    /// The `NextContinuationToken` of the previous page.
    pub continuation_token: Option<String>,
    /// At most this many keys (S3 caps it at 1,000, its default).
    pub max_keys: Option<u32>,
}

/// One page of a listing, in S3's key order (UTF-8 bytes, ascending).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListPage {
    /// The objects.
    pub objects: Vec<Listed>,
    /// The common prefixes (with a delimiter).
    pub common_prefixes: Vec<String>,
    /// Where the next page starts, when there is one.
    pub next_continuation_token: Option<String>,
}

/// Why an S3 call failed: S3's error code and message (`NoSuchKey`, `NoSuchBucket`,
/// `AccessDenied`, …), or a failure to reach the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Error {
    /// S3's error code, or `SdkClientException` when the server could not be reached or
    /// answered something that is not S3.
    pub code: String,
    /// What went wrong, in S3's words where it gave some.
    pub message: String,
    /// The HTTP status (0 when there was no answer).
    pub status: u16,
}

impl std::fmt::Display for S3Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for S3Error {}

/// Reads, lists and writes objects.
pub trait ObjectStore: Send + Sync {
    /// Opens an object (`GetObject`), at `version` if given.
    fn get<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        version: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Object, S3Error>>;

    /// One page of a listing (`ListObjectsV2`).
    fn list<'a>(&'a self, request: &'a ListRequest) -> BoxFuture<'a, Result<ListPage, S3Error>>;

    /// Writes an object (`PutObject`), replacing any of that key.
    fn put<'a>(&'a self, bucket: &'a str, key: &'a str, body: Vec<u8>) -> BoxFuture<'a, Result<(), S3Error>>;
}
