//! Why an ItemReader could not give its items: the error name and cause a Map Run fails with.

use std::fmt;

/// The error name of every failure to read or parse a dataset, as AWS reports it.
pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";

/// AWS's cause when the JSON node to map over (the whole object, or the node that
/// `ItemsPointer` selects) is neither an array nor an object. Recorded against AWS in
/// LocalStack's snapshots and floci's tests.
pub const NON_ITERABLE: &str = "Attempting to map over non-iterable node.";

/// AWS's cause when `ItemsPointer` names a node the object does not have (floci's tests,
/// checked against AWS).
pub const POINTER_NOT_FOUND: &str =
    "The provided ReaderConfig.ItemsPointer does not match any valid path in the JSON structure.";

/// AWS's cause when two CSV headers have the same name (LocalStack's snapshots).
pub const DUPLICATE_HEADERS: &str = "CSV headers cannot contain duplicates.";

/// AWS's cause for a negative `MaxItems` (LocalStack's snapshots of `MaxItemsPath`).
pub const MAX_ITEMS_NEGATIVE: &str = "field MaxItems must be positive";

/// A failure of an ItemReader: the error and cause the Map state fails with.
///
/// Readers only ever produce [`ITEM_READER_FAILED`]; the name is a field so that the
/// caller's object opener can report what S3 said in the words it chooses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// The error name (`States.ItemReaderFailed`).
    pub error: String,
    /// What went wrong, in AWS's words where they are known.
    pub cause: String,
}

impl ReadError {
    /// A `States.ItemReaderFailed` with this cause.
    pub fn failed(cause: impl Into<String>) -> ReadError {
        ReadError { error: ITEM_READER_FAILED.to_owned(), cause: cause.into() }
    }

    /// A failure to read the object's bytes (the connection dropped, a gzip stream broke).
    pub(crate) fn io(err: &std::io::Error) -> ReadError {
        ReadError::failed(format!("Failed to read the object: {err}"))
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.cause)
    }
}

impl std::error::Error for ReadError {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn failed_is_an_item_reader_failure() {
        let err = ReadError::failed("x");
        assert_eq!(err.error, "States.ItemReaderFailed");
        assert_eq!(err.to_string(), "States.ItemReaderFailed: x");
    }

    #[test]
    fn io_errors_keep_their_text() {
        let err = ReadError::io(&std::io::Error::other("reset"));
        assert_eq!(err.cause, "Failed to read the object: reset");
    }
}
