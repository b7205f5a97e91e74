//! From the Invoke API's answer to the task's result, or to the error AWS fails the task with.
//!
//! What AWS does, and where it was seen:
//!
//! - The `lambda:invoke` result is the Invoke response as the AWS SDK for Java v1 holds it,
//!   serialised with its keys in order: `ExecutedVersion`, `LogResult` (with `LogType: Tail`),
//!   `Payload` (the function's answer, parsed as JSON), `SdkHttpMetadata` (`AllHttpHeaders`:
//!   every header with its list of values; `HttpHeaders`: one value each, sorted without
//!   regard to case; `HttpStatusCode`), `SdkResponseMetadata` (`RequestId`) and `StatusCode`.
//!   Recorded against AWS in LocalStack's snapshots `test_lambda_task_service.snapshot.json`
//!   (`test_invoke`, `test_invoke_unsupported_param` for `LogResult`,
//!   `test_invoke_bytes_payload` and `test_invoke_json_values` for payloads that are not
//!   objects) and case `mixed-query-language-task-dataflow-to-state`. Header names keep
//!   AWS's spelling (`x-amzn-RequestId`, `X-Amz-Executed-Version`). No `FunctionError` ever
//!   appears in a result: a function error fails the task.
//! - A function error (`X-Amz-Function-Error: Unhandled` or `Handled`) fails the task with
//!   the payload's `errorType` as the error name and the payload as the cause: compact JSON
//!   for `lambda:invoke` (case `task-service-lambda-raise-exception`), the function's own
//!   text for a function ARN resource (`{"errorMessage": "Some exception was raised.", …}`
//!   with Python's spaces, LocalStack's `test_task_lambda.snapshot.json`, `test_raise_exception_catch`).
//!   Without an `errorType` (a timeout, running out of memory) the error is `Lambda.Unknown`,
//!   with the cause `The cause could not be determined because Lambda did not return an
//!   error type. Returned payload: …` (AWS's Developer Guide, *Handle Lambda service
//!   exceptions*; the cause as an execution reported it in cdklabs/construct-hub#713).
//! - An API error becomes `Lambda.<exception>` with the SDK's message as the cause (case
//!   `task-service-lambda-no-such-function`: `Lambda.ResourceNotFoundException`, `Function
//!   not found: … (Service: AWSLambda; Status Code: 404; …; Proxy: null)`); an error code
//!   the SDK has no exception class for is its base class, `Lambda.AWSLambdaException`.

use asl_runtime::Error;
use reqwest::header::HeaderMap;
use serde_json::{Map, Value, json};

use super::request::Form;
use crate::aws::error::ServiceError;

/// The error of a function error without an `errorType`.
pub(crate) const UNKNOWN: &str = "Lambda.Unknown";

/// The error of an API error whose code the SDK has no exception class for.
pub(crate) const SERVICE_BASE: &str = "Lambda.AWSLambdaException";

/// The Lambda exceptions the AWS SDK for Java v1 has classes for (`com.amazonaws.services.
/// lambda.model`): an API error with one of these codes is `Lambda.<code>`.
const MODELED: [&str; 38] = [
    "CodeSigningConfigNotFoundException",
    "CodeStorageExceededException",
    "CodeVerificationFailedException",
    "EC2AccessDeniedException",
    "EC2ThrottledException",
    "EC2UnexpectedException",
    "EFSIOException",
    "EFSMountConnectivityException",
    "EFSMountFailureException",
    "EFSMountTimeoutException",
    "ENILimitReachedException",
    "InvalidCodeSignatureException",
    "InvalidParameterValueException",
    "InvalidRequestContentException",
    "InvalidRuntimeException",
    "InvalidSecurityGroupIDException",
    "InvalidSubnetIDException",
    "InvalidZipFileException",
    "KMSAccessDeniedException",
    "KMSDisabledException",
    "KMSInvalidStateException",
    "KMSNotFoundException",
    "PolicyLengthExceededException",
    "PreconditionFailedException",
    "ProvisionedConcurrencyConfigNotFoundException",
    "RecursiveInvocationException",
    "RequestTooLargeException",
    "ResourceConflictException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "ResourceNotReadyException",
    "ServiceException",
    "SnapStartException",
    "SnapStartNotReadyException",
    "SnapStartTimeoutException",
    "SubnetIPAddressLimitReachedException",
    "TooManyRequestsException",
    "UnsupportedMediaTypeException",
];

/// AWS's spelling of the response headers Lambda sends (HTTP/1 clients see them in lower
/// case); any other header is spelled `Title-Case`.
const SPELLINGS: [&str; 11] = [
    "Connection",
    "Content-Length",
    "Content-Type",
    "Date",
    "X-Amz-Executed-Version",
    "X-Amz-Function-Error",
    "X-Amz-Log-Result",
    "x-amzn-ErrorType",
    "x-amzn-Remapped-Content-Length",
    "x-amzn-RequestId",
    "X-Amzn-Trace-Id",
];

/// An answer of the Invoke API.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

/// The task's result for `answer`, or the error AWS fails the task with.
pub(crate) fn outcome(form: Form, answer: &Answer) -> Result<Value, Error> {
    if !(200..300).contains(&answer.status) {
        return Err(api_error(answer));
    }
    if answer.headers.contains_key("x-amz-function-error") {
        return Err(function_error(form, &answer.body));
    }
    let payload = payload(&answer.body);
    Ok(match form {
        Form::Function => payload,
        Form::Invoke => envelope(answer, payload),
    })
}

/// The error of an API error answer: `Lambda.<code>` (see [`MODELED`]) with the SDK's message.
fn api_error(answer: &Answer) -> Error {
    let error = ServiceError::read(answer.status, &answer.headers, &answer.body);
    let name = match &error.code {
        Some(code) if MODELED.contains(&code.as_str()) => format!("Lambda.{code}"),
        _ => SERVICE_BASE.to_owned(),
    };
    Error::new(name, error.cause("AWSLambda"))
}

/// The error of a function error whose payload is `body`.
fn function_error(form: Form, body: &[u8]) -> Error {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let text = match (form, &json) {
        (Form::Invoke, Some(value)) => value.to_string(),
        _ => String::from_utf8_lossy(body).into_owned(),
    };
    let error_type = json.as_ref().and_then(|v| v.get("errorType")).and_then(Value::as_str).filter(|t| !t.is_empty());
    match error_type {
        Some(name) => Error::new(name.to_owned(), text),
        None => Error::new(
            UNKNOWN,
            format!(
                "The cause could not be determined because Lambda did not return an error type. Returned payload: {text}"
            ),
        ),
    }
}

/// The function's answer as a value: its JSON, or its text when it is not JSON (an empty
/// body, as `Event` and `DryRun` invocations get, is `""`).
fn payload(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// The `lambda:invoke` result: the Invoke response around `payload`.
fn envelope(answer: &Answer, payload: Value) -> Value {
    let header = |name: &str| answer.headers.get_all(name).iter().next_back().map(|v| text(v.as_bytes()));
    let mut names: Vec<&str> = answer.headers.keys().map(|name| name.as_str()).collect();
    names.sort_unstable();
    let mut all = Map::new();
    let mut last = Map::new();
    for name in names {
        let values: Vec<String> = answer.headers.get_all(name).iter().map(|v| text(v.as_bytes())).collect();
        if let Some(value) = values.last() {
            last.insert(spelling(name), Value::String(value.clone()));
        }
        all.insert(spelling(name), values.into());
    }
    let mut result = Map::new();
    if let Some(version) = header("x-amz-executed-version") {
        result.insert("ExecutedVersion".to_owned(), version.into());
    }
    if let Some(log) = header("x-amz-log-result") {
        result.insert("LogResult".to_owned(), log.into());
    }
    result.insert("Payload".to_owned(), payload);
    result.insert(
        "SdkHttpMetadata".to_owned(),
        json!({"AllHttpHeaders": all, "HttpHeaders": last, "HttpStatusCode": answer.status}),
    );
    let mut metadata = Map::new();
    if let Some(id) = header("x-amzn-requestid") {
        metadata.insert("RequestId".to_owned(), id.into());
    }
    result.insert("SdkResponseMetadata".to_owned(), metadata.into());
    result.insert("StatusCode".to_owned(), answer.status.into());
    Value::Object(result)
}

/// A header value as text.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// How AWS spells the header `name` (given in lower case).
fn spelling(name: &str) -> String {
    if let Some(known) = SPELLINGS.iter().find(|known| known.eq_ignore_ascii_case(name)) {
        return (*known).to_owned();
    }
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    use serde_json::json;

    use super::{Answer, Form, outcome, spelling};

    fn answer(status: u16, headers: &[(&'static str, &'static str)], body: &str) -> Answer {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        Answer { status, headers: map, body: body.as_bytes().to_vec() }
    }

    #[test]
    fn the_envelope_has_aws_keys_order_and_spelling() {
        let got = outcome(
            Form::Invoke,
            &answer(
                200,
                &[
                    ("x-amzn-requestid", "rid"),
                    ("content-type", "application/json"),
                    ("x-amz-executed-version", "$LATEST"),
                    ("x-custom", "a"),
                    ("x-custom", "b"),
                ],
                r#"{"b":1,"a":2}"#,
            ),
        )
        .unwrap();
        let expected = json!({
            "ExecutedVersion": "$LATEST",
            "Payload": {"b": 1, "a": 2},
            "SdkHttpMetadata": {
                "AllHttpHeaders": {
                    "Content-Type": ["application/json"],
                    "X-Amz-Executed-Version": ["$LATEST"],
                    "x-amzn-RequestId": ["rid"],
                    "X-Custom": ["a", "b"]
                },
                "HttpHeaders": {
                    "Content-Type": "application/json",
                    "X-Amz-Executed-Version": "$LATEST",
                    "x-amzn-RequestId": "rid",
                    "X-Custom": "b"
                },
                "HttpStatusCode": 200
            },
            "SdkResponseMetadata": {"RequestId": "rid"},
            "StatusCode": 200
        });
        assert_eq!(got, expected);
        // Same text, so the same key order as AWS's (headers sorted without regard to case).
        assert_eq!(got.to_string(), expected.to_string());
    }

    #[test]
    fn payloads_that_are_not_json_are_text() {
        assert_eq!(outcome(Form::Function, &answer(200, &[], "HelloWorld!")).unwrap(), json!("HelloWorld!"));
        assert_eq!(outcome(Form::Function, &answer(200, &[], r#""HelloWorld!""#)).unwrap(), json!("HelloWorld!"));
        let event = outcome(Form::Invoke, &answer(202, &[], "")).unwrap();
        assert_eq!((&event["Payload"], &event["StatusCode"]), (&json!(""), &json!(202)));
        assert!(event.get("ExecutedVersion").is_none());
    }

    #[test]
    fn function_errors_take_their_error_type() {
        let body = r#"{"errorMessage": "boom", "errorType": "ValueError", "stackTrace": []}"#;
        let service = outcome(Form::Invoke, &answer(200, &[("x-amz-function-error", "Unhandled")], body)).unwrap_err();
        assert_eq!(service.name, "ValueError");
        assert_eq!(
            service.cause.as_deref(),
            Some(r#"{"errorMessage":"boom","errorType":"ValueError","stackTrace":[]}"#)
        );
        let legacy = outcome(Form::Function, &answer(200, &[("x-amz-function-error", "Handled")], body)).unwrap_err();
        assert_eq!((legacy.name.as_ref(), legacy.cause.as_deref()), ("ValueError", Some(body)));
        let timeout = outcome(
            Form::Invoke,
            &answer(
                200,
                &[("x-amz-function-error", "Unhandled")],
                r#"{"errorMessage": "Task timed out after 3.00 seconds"}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(timeout.name, "Lambda.Unknown");
        assert_eq!(
            timeout.cause.as_deref(),
            Some(
                r#"The cause could not be determined because Lambda did not return an error type. Returned payload: {"errorMessage":"Task timed out after 3.00 seconds"}"#
            )
        );
        let garbage =
            outcome(Form::Invoke, &answer(200, &[("x-amz-function-error", "Unhandled")], "\u{1}")).unwrap_err();
        assert_eq!(garbage.name, "Lambda.Unknown");
    }

    #[test]
    fn api_errors_are_named_after_the_sdk_exception() {
        let throttled = outcome(
            Form::Invoke,
            &answer(429, &[("x-amzn-errortype", "TooManyRequestsException")], r#"{"message":"Rate Exceeded."}"#),
        )
        .unwrap_err();
        assert_eq!(throttled.name, "Lambda.TooManyRequestsException");
        let denied = outcome(
            Form::Function,
            &answer(403, &[("x-amzn-errortype", "AccessDeniedException")], r#"{"Message":"not authorized"}"#),
        )
        .unwrap_err();
        assert_eq!(denied.name, "Lambda.AWSLambdaException");
        assert_eq!(
            denied.cause.as_deref(),
            Some(
                "not authorized (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: null; Proxy: null)"
            )
        );
    }

    #[test]
    fn header_spellings() {
        assert_eq!(spelling("x-amzn-requestid"), "x-amzn-RequestId");
        assert_eq!(spelling("x-amz-log-result"), "X-Amz-Log-Result");
        assert_eq!(spelling("transfer-encoding"), "Transfer-Encoding");
        assert_eq!(spelling("odd--name-"), "Odd--Name-");
    }
}
