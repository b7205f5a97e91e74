//! The errors a failed signature check answers with: AWS's codes, statuses and messages.
//!
//! Step Functions is a Coral service speaking AWS JSON 1.0, like DynamoDB and Kinesis, and
//! Coral answers every authentication failure with HTTP 400 and a
//! `com.amazon.coral.service#<Code>` body (REST services such as Lambda and API Gateway answer
//! 403 instead, which is why reports disagree). Evidence, by message:
//!
//! - Step Functions itself: "The security token included in the request is invalid.
//!   (Service: AWSStepFunctions; Status Code: 400; Error Code: UnrecognizedClientException"
//!   (localstack/localstack pull request #1869).
//! - Coral's order of checks and its exact texts were recorded against DynamoDB by
//!   mhart/dynalite (`index.js`; its tests pin AWS's response bodies by their CRC32), and the
//!   same texts appear in user reports from Kinesis, Rekognition, CloudFormation, STS and
//!   Cloud9 (aws/aws-sdk-go #289 and #2194, remind101/logspout-kinesis #21,
//!   aws/aws-sdk-php #1780, iann0036/cloud9-sync #10).
//! - The clock skew AWS allows is 5 minutes for most services (DynamoDB and the query
//!   protocol services allow 15); a Step Functions client hit the 5-minute window in
//!   aws/aws-sdk-js-v3 #7135.
//!
//! Messages marked "ours" below are not AWS's: AWS has no equivalent, or none was found.

use axum::http::StatusCode;

use crate::wire::ApiError;

/// How far a request's date may be from the server's clock, in either direction.
pub(super) const SKEW_MINUTES: i64 = 5;

/// Neither an `Authorization` header nor query-string authentication, or an `Authorization`
/// header that is not `AWS4-…`.
pub(super) fn missing_token() -> ApiError {
    ApiError::auth(
        "MissingAuthenticationTokenException",
        StatusCode::BAD_REQUEST,
        "Request is missing Authentication Token",
    )
}

/// The signature is malformed or incomplete: a missing parameter, a bad date, an unknown
/// algorithm, a credential without five parts.
pub(super) fn incomplete(message: impl Into<String>) -> ApiError {
    ApiError::auth("IncompleteSignatureException", StatusCode::BAD_REQUEST, message)
}

/// The signature is well formed but wrong: expired, badly scoped or not matching.
pub(super) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::auth("InvalidSignatureException", StatusCode::BAD_REQUEST, message)
}

/// The access key id is not one of the configured credentials.
pub(super) fn unrecognized_client() -> ApiError {
    ApiError::auth(
        "UnrecognizedClientException",
        StatusCode::BAD_REQUEST,
        "The security token included in the request is invalid.",
    )
}

/// The signature we computed differs from the one sent.
pub(super) fn signature_mismatch() -> ApiError {
    invalid(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret \
         Access Key and signing method. Consult the service documentation for details.",
    )
}

/// Both an `Authorization` header and `X-Amz-Algorithm` in the query string.
pub(super) fn both_header_and_query() -> ApiError {
    invalid("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
}

/// A presigned (query-string) request. Ours: AWS accepts these; this server does not (see the
/// module documentation).
pub(super) fn presigned_unsupported() -> ApiError {
    incomplete(
        "Query-string (presigned) signatures are not supported by this server; sign the request with an \
         Authorization header.",
    )
}

/// A part of the `Authorization` header after the algorithm that has no `=`.
pub(super) fn missing_equal_sign(part: &str, header: &str) -> ApiError {
    incomplete(format!("'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."))
}

/// The sentence for a parameter the `Authorization` header lacks; the sentences of all missing
/// parameters (and of a missing date) are joined, then `Authorization=<header>` is appended.
pub(super) fn requires_parameter(name: &str) -> String {
    format!("Authorization header requires '{name}' parameter. ")
}

/// The sentence for a request that has neither `X-Amz-Date` nor `Date`.
pub(super) const REQUIRES_DATE: &str =
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";

/// A date header that is not `YYYYMMDD'T'HHMMSS'Z'`.
pub(super) fn bad_date(got: &str) -> ApiError {
    incomplete(format!(
        "Date must be in ISO-8601 'basic format'. Got '{got}'. See http://en.wikipedia.org/wiki/ISO_8601"
    ))
}

/// The request's date is more than [`SKEW_MINUTES`] before `now`. All three times are in the
/// basic format (`20151120T200815Z`).
pub(super) fn expired(date: &str, earliest: &str, now: &str) -> ApiError {
    invalid(format!("Signature expired: {date} is now earlier than {earliest} ({now} - {SKEW_MINUTES} min.)"))
}

/// The request's date is more than [`SKEW_MINUTES`] after `now`.
pub(super) fn not_yet_current(date: &str, latest: &str, now: &str) -> ApiError {
    invalid(format!("Signature not yet current: {date} is still later than {latest} ({now} + {SKEW_MINUTES} min.)"))
}

/// `host` is not among the signed headers.
pub(super) fn host_not_signed() -> ApiError {
    invalid("'Host' must be a 'SignedHeader' in the AWS Authorization.")
}

/// An algorithm other than `AWS4-HMAC-SHA256` (the trailing space is AWS's).
pub(super) fn unsupported_algorithm(algorithm: &str) -> ApiError {
    incomplete(format!("Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). "))
}

/// A `Credential` that is not `keyid/date/region/service/aws4_request`.
pub(super) fn credential_parts(got: &str) -> ApiError {
    incomplete(format!(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{got}'"
    ))
}

/// The sentence for a credential scoped to another region.
pub(super) fn wrong_region(got: &str) -> String {
    format!("Credential should be scoped to a valid region, not '{got}'.")
}

/// The sentence for a credential scoped to another service.
pub(super) fn wrong_service(service: &str) -> String {
    format!("Credential should be scoped to correct service: '{service}'.")
}

/// The sentence for a credential scope that does not end in `aws4_request`.
pub(super) fn wrong_terminator(got: &str) -> String {
    format!("Credential should be scoped with a valid terminator: 'aws4_request', not '{got}'.")
}

/// The sentence for a credential scope whose date is not the request's.
pub(super) fn wrong_scope_date(got: &str, day: &str, date: &str) -> String {
    format!(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{got}' != \
         '{day}', from '{date}'."
    )
}

/// `X-Amz-Content-Sha256` is not the SHA-256 of the body (or is `UNSIGNED-PAYLOAD`, which this
/// API does not accept: its bodies are always signed). Ours: the text is S3's
/// `XAmzContentSHA256Mismatch`, under the code Coral uses for a bad signature.
pub(super) fn content_hash_mismatch() -> ApiError {
    invalid("The provided 'x-amz-content-sha256' header does not match what was computed.")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn auth_errors_are_coral_400s() {
        for error in [missing_token(), incomplete("m"), invalid("m"), unrecognized_client(), signature_mismatch()] {
            assert_eq!(error.status(), StatusCode::BAD_REQUEST);
            let kind = error.body()["__type"].as_str().map(str::to_owned).unwrap_or_default();
            assert_eq!(kind, format!("com.amazon.coral.service#{}", error.code()));
        }
    }

    #[test]
    fn skew_messages_read_as_aws_writes_them() {
        // aws/aws-sdk-go #2194 and remind101/logspout-kinesis #21, with the times swapped in.
        assert_eq!(
            expired("20151120T200815Z", "20151120T201846Z", "20151120T202346Z").message(),
            "Signature expired: 20151120T200815Z is now earlier than 20151120T201846Z (20151120T202346Z - 5 min.)"
        );
        assert_eq!(
            not_yet_current("20181002T170509Z", "20181002T170312Z", "20181002T165812Z").message(),
            "Signature not yet current: 20181002T170509Z is still later than 20181002T170312Z (20181002T165812Z + 5 \
             min.)"
        );
    }
}
