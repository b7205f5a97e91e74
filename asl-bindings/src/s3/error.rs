//! The [`S3Error`]s this crate answers with itself, in S3's codes, statuses and words (the
//! messages of S3's error responses, as its REST API reference lists them), so that a
//! folder standing in for a bucket fails the way the bucket would.

use super::S3Error;

/// The code of a call that got no answer, or an answer that is not S3's (the AWS SDK for
/// Java's `SdkClientException`, which is what Step Functions reports).
pub const CLIENT_ERROR: &str = "SdkClientException";

impl S3Error {
    /// An error with `code`, `message` and the HTTP `status`.
    pub fn new(code: impl Into<String>, message: impl Into<String>, status: u16) -> S3Error {
        S3Error { code: code.into(), message: message.into(), status }
    }

    /// `NoSuchKey` (404).
    pub fn no_such_key() -> S3Error {
        S3Error::new("NoSuchKey", "The specified key does not exist.", 404)
    }

    /// `NoSuchBucket` (404).
    pub fn no_such_bucket() -> S3Error {
        S3Error::new("NoSuchBucket", "The specified bucket does not exist", 404)
    }

    /// `InvalidArgument` (400) with `message`.
    pub fn invalid_argument(message: impl Into<String>) -> S3Error {
        S3Error::new("InvalidArgument", message, 400)
    }

    /// `AccessDenied` (403) with `message` (S3's own is `Access Denied`).
    pub fn access_denied(message: impl Into<String>) -> S3Error {
        S3Error::new("AccessDenied", message, 403)
    }

    /// `InternalError` (500) with `message`: something on this side failed (a folder that
    /// cannot be read).
    pub fn internal(message: impl Into<String>) -> S3Error {
        S3Error::new("InternalError", message, 500)
    }

    /// [`CLIENT_ERROR`] (no HTTP status) with `message`.
    pub fn client(message: impl Into<String>) -> S3Error {
        S3Error::new(CLIENT_ERROR, message, 0)
    }

    /// `InvalidArgument` for a continuation token that this store did not give.
    pub(crate) fn bad_continuation_token() -> S3Error {
        S3Error::invalid_argument("The continuation token provided is incorrect")
    }
}
