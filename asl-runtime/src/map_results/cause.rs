//! `States.ResultWriterFailed`: the error of a Distributed Map whose results could not be
//! exported.

use std::fmt::Display;

use crate::error::{Error, names};

/// `States.ResultWriterFailed` for an object `key` of `bucket` that could not be written,
/// `reason` being what the store answered (`AccessDenied: Access Denied`, …).
///
/// AWS documents when it happens ("Make sure that the Amazon S3 bucket you use to export
/// the results of a Map Run is under the same AWS account and AWS Region as your state
/// machine. Otherwise, your state machine execution will fail with the
/// `States.ResultWriterFailed` error", Developer Guide, "ResultWriter (Map)") but not its
/// cause text, and no recording of one is at hand (the emulators that export results each
/// word their own). The cause here is therefore ours: it names the object and passes on
/// what S3 said, which is what a user needs to fix the bucket, the prefix or the role.
pub fn write_failed(bucket: &str, key: &str, reason: impl Display) -> Error {
    Error::new(
        names::RESULT_WRITER_FAILED,
        format!("Failed to write the Map Run results to s3://{bucket}/{key}: {reason}"),
    )
}

#[cfg(test)]
mod tests {
    use super::write_failed;

    #[test]
    fn the_cause_names_the_object_and_the_reason() {
        let error = write_failed("b", "p/id/SUCCEEDED_0.json", "NoSuchBucket: The specified bucket does not exist");
        assert_eq!(error.name, "States.ResultWriterFailed");
        assert_eq!(
            error.cause.as_deref(),
            Some(
                "Failed to write the Map Run results to s3://b/p/id/SUCCEEDED_0.json: NoSuchBucket: The specified bucket does not exist"
            )
        );
    }
}
