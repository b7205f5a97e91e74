//! The errors of a call to an AWS service, in the words Step Functions reports them.
//!
//! Step Functions calls services through the AWS SDK for Java v1, so a service's error answer
//! reaches a state machine as that SDK's exception message, and a call that got no answer
//! as its `SdkClientException`:
//!
//! - an error answer (case `task-service-lambda-no-such-function`, recorded against AWS):
//!   `Function not found: arn:aws:lambda:…:function:no_such_… (Service: AWSLambda; Status
//!   Code: 404; Error Code: ResourceNotFoundException; Request ID: <request id>; Proxy: null)`;
//! - no answer: `Unable to execute HTTP request: Connect to lambda.us-east-1.amazonaws.com:443
//!   […] failed: connect timed out`, the SDK's wording for a connection that fails.

use reqwest::header::HeaderMap;
use serde_json::Value;

/// An error answer of an AWS service with a JSON protocol (status 300 and above): what the
/// AWS SDK for Java v1 reads from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServiceError {
    /// The HTTP status.
    pub status: u16,
    /// The error code (`ResourceNotFoundException`), from the `x-amzn-ErrorType` header or
    /// the body's `__type`, when the answer names one.
    pub code: Option<String>,
    /// The message (the body's `message`, `Message` or `errorMessage`).
    pub message: Option<String>,
    /// The request ID (`x-amzn-RequestId`).
    pub request_id: Option<String>,
}

impl ServiceError {
    /// The error that an answer with `status`, `headers` and `body` carries.
    pub(crate) fn read(status: u16, headers: &HeaderMap, body: &[u8]) -> ServiceError {
        let header = |name: &str| headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned());
        let json: Option<Value> = serde_json::from_slice(body).ok();
        let field =
            |names: &[&str]| names.iter().find_map(|name| json.as_ref()?.get(name)?.as_str().map(str::to_owned));
        // `x-amzn-ErrorType: ResourceNotFoundException:http://internal.amazon.com/…` and
        // `"__type": "com.amazonaws.lambda#ResourceNotFoundException"` both name the code.
        let code = header("x-amzn-errortype")
            .map(|v| v.split(':').next().unwrap_or_default().trim().to_owned())
            .or_else(|| {
                field(&["__type"]).map(|t| {
                    let t = t.rsplit('#').next().unwrap_or_default();
                    t.split(':').next().unwrap_or_default().to_owned()
                })
            })
            .or_else(|| field(&["code", "Code"]))
            .filter(|code| !code.is_empty());
        ServiceError {
            status,
            code,
            message: field(&["message", "Message", "errorMessage"]),
            request_id: header("x-amzn-requestid").or_else(|| header("x-amz-request-id")),
        }
    }

    /// The SDK's message for this error: `<message> (Service: <service>; Status Code: <status>;
    /// Error Code: <code>; Request ID: <id>; Proxy: null)`, with `null` for what is missing.
    pub(crate) fn cause(&self, service: &str) -> String {
        let or_null = |value: &Option<String>| value.clone().unwrap_or_else(|| "null".to_owned());
        format!(
            "{} (Service: {service}; Status Code: {}; Error Code: {}; Request ID: {}; Proxy: null)",
            or_null(&self.message),
            self.status,
            or_null(&self.code),
            or_null(&self.request_id),
        )
    }
}

/// The cause of a call that got no answer, in the SDK's words: `Unable to execute HTTP
/// request: Connect to <host>:<port> failed: <reason>` when the connection failed.
pub(crate) fn unreachable_cause(error: &reqwest::Error) -> String {
    let reason = innermost(error);
    match error.url() {
        Some(url) if error.is_connect() => {
            let host = url.host_str().unwrap_or_default();
            let port = url.port_or_known_default().map(|p| format!(":{p}")).unwrap_or_default();
            format!("Unable to execute HTTP request: Connect to {host}{port} failed: {reason}")
        }
        _ => format!("Unable to execute HTTP request: {reason}"),
    }
}

/// The message of the deepest source of `error` (the operating system's "Connection
/// refused" rather than the client's "error sending request").
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut deepest = error;
    while let Some(source) = deepest.source() {
        deepest = source;
    }
    deepest.to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::ServiceError;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(name, value)| (*name, HeaderValue::from_static(value))).fold(
            HeaderMap::new(),
            |mut map, (name, value)| {
                map.insert(name, value);
                map
            },
        )
    }

    #[test]
    fn lambda_not_found_reads_as_the_java_sdk_says_it() {
        let error = ServiceError::read(
            404,
            &headers(&[("x-amzn-errortype", "ResourceNotFoundException"), ("x-amzn-requestid", "rid-1")]),
            br#"{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:111111111111:function:nope"}"#,
        );
        assert_eq!(
            error.cause("AWSLambda"),
            "Function not found: arn:aws:lambda:us-east-1:111111111111:function:nope (Service: AWSLambda; \
             Status Code: 404; Error Code: ResourceNotFoundException; Request ID: rid-1; Proxy: null)"
        );
    }

    #[test]
    fn the_code_comes_from_the_header_or_the_body() {
        let suffixed = ServiceError::read(
            429,
            &headers(&[("x-amzn-errortype", "TooManyRequestsException:http://internal.amazon.com/coral/")]),
            br#"{"message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}"#,
        );
        assert_eq!(suffixed.code.as_deref(), Some("TooManyRequestsException"));
        assert_eq!(suffixed.message.as_deref(), Some("Rate Exceeded."));
        let typed =
            ServiceError::read(500, &HeaderMap::new(), br#"{"__type":"com.amazonaws.lambda#ServiceException"}"#);
        assert_eq!(typed.code.as_deref(), Some("ServiceException"));
        assert_eq!(typed.message, None);
    }

    #[test]
    fn an_answer_without_json_names_nothing() {
        let error = ServiceError::read(502, &HeaderMap::new(), b"<html>Bad Gateway</html>");
        assert_eq!(error, ServiceError { status: 502, code: None, message: None, request_id: None });
        assert_eq!(
            error.cause("AWSLambda"),
            "null (Service: AWSLambda; Status Code: 502; Error Code: null; Request ID: null; Proxy: null)"
        );
    }
}
