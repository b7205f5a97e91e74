//! The Lambda binding against a Lambda Invoke API server on loopback: the REST route
//! (`POST /2015-03-31/functions/{name}/invocations`) with a few functions that answer as
//! Lambda answers (an echo, handled and unhandled errors, a timeout without an error type,
//! text that is not JSON, a slow one, a large one) and Lambda's API errors (an unknown
//! name is a 404 `ResourceNotFoundException`, throttling a 429…). Every request the server
//! gets is kept, so the tests check the path, query, headers, body and SigV4 signature the
//! binding sent, as well as the result or error it made of the answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use asl_bindings::lambda::{Credentials, Lambda, LambdaConfig};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use sha2::{Digest, Sha256};

const INVOKE: &str = "arn:aws:states:::lambda:invoke";
const ECHO_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:echo";
const RAISED: &str = r#"{"errorMessage": "Some exception was raised.", "errorType": "Exception", "requestId": "5e1b4c8f", "stackTrace": ["  File \"/var/task/handler.py\", line 2, in handler\n    raise Exception(\"Some exception was raised.\")\n"]}"#;

/// One request the server got.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// A Lambda endpoint on loopback, and what it has been sent.
struct Server {
    endpoint: String,
    log: Log,
}

impl Server {
    async fn start() -> Server {
        let log = Log::default();
        let app = Router::new().fallback(handle).with_state(log.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Server { endpoint, log }
    }

    /// A binding that calls this server, unsigned.
    fn lambda(&self) -> Lambda {
        self.lambda_as(None)
    }

    fn lambda_as(&self, credentials: Option<Credentials>) -> Lambda {
        Lambda::new(LambdaConfig { endpoint: Some(self.endpoint.clone()), region: "us-east-1".into(), credentials })
            .unwrap()
    }

    fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    fn last(&self) -> Seen {
        self.requests().pop().expect("the server got a request")
    }
}

/// The Invoke API, as Lambda answers it.
async fn handle(State(log): State<Log>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap().to_vec();
    let seen = Seen {
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    let number = {
        let mut log = log.lock().unwrap();
        log.push(seen.clone());
        log.len()
    };
    let request_id = format!("req-{number}");
    let name = seen
        .path
        .strip_prefix("/2015-03-31/functions/")
        .and_then(|rest| rest.strip_suffix("/invocations"))
        .filter(|_| parts.method == "POST")
        .map(decode);
    let Some(name) = name else {
        return answer(StatusCode::NOT_FOUND, &[("x-amzn-RequestId", &request_id)], "");
    };
    let qualifier = seen.query.as_deref().and_then(|q| q.strip_prefix("Qualifier=")).map(decode);
    let version = qualifier.clone().unwrap_or_else(|| "$LATEST".to_owned());
    let ok = |body: &str| {
        answer(
            StatusCode::OK,
            &[
                ("Content-Type", "application/json"),
                ("X-Amz-Executed-Version", &version),
                ("x-amzn-Remapped-Content-Length", "0"),
                ("x-amzn-RequestId", &request_id),
            ],
            body,
        )
    };
    let failed = |kind: &str, body: &str| {
        answer(
            StatusCode::OK,
            &[
                ("Content-Type", "application/json"),
                ("X-Amz-Executed-Version", &version),
                ("X-Amz-Function-Error", kind),
                ("x-amzn-RequestId", &request_id),
            ],
            body,
        )
    };
    let api_error = |status: StatusCode, code: &str, body: &str| {
        answer(
            status,
            &[("Content-Type", "application/json"), ("x-amzn-ErrorType", code), ("x-amzn-RequestId", &request_id)],
            body,
        )
    };
    match name.as_str() {
        "echo" => {
            match seen.header("x-amz-invocation-type") {
                Some("Event") => return answer(StatusCode::ACCEPTED, &[("x-amzn-RequestId", &request_id)], ""),
                Some("DryRun") => return answer(StatusCode::NO_CONTENT, &[("x-amzn-RequestId", &request_id)], ""),
                _ => {}
            }
            // Lambda gives a function `{}` for an empty body.
            let event = if seen.body.is_empty() { "{}".to_owned() } else { String::from_utf8_lossy(&seen.body).into() };
            let mut response = ok(&event);
            if seen.header("x-amz-log-type") == Some("Tail") {
                response.headers_mut().insert("X-Amz-Log-Result", "U1RBUlQgUmVxdWVzdElk".parse().unwrap());
            }
            response
        }
        "raise" => failed("Unhandled", RAISED),
        "decline" => failed("Handled", r#"{"errorMessage":"card declined","errorType":"Card.Declined"}"#),
        "timeout" => failed(
            "Unhandled",
            r#"{"errorMessage":"2026-01-01T00:00:00.000Z 5e1b4c8f Task timed out after 3.00 seconds"}"#,
        ),
        "text" => {
            answer(StatusCode::OK, &[("Content-Type", "text/plain"), ("x-amzn-RequestId", &request_id)], "hello, world")
        }
        "slow" => {
            tokio::time::sleep(Duration::from_millis(400)).await;
            ok(r#""done""#)
        }
        "big" => ok(&json!("é".repeat(140_000)).to_string()),
        "throttled" => api_error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequestsException",
            r#"{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}"#,
        ),
        "broken" => api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ServiceException",
            r#"{"Type":"Service","Message":"Lambda encountered an internal error"}"#,
        ),
        "denied" => api_error(
            StatusCode::FORBIDDEN,
            "AccessDeniedException",
            r#"{"Message":"User: arn:aws:sts::123456789012:assumed-role/sfn/x is not authorized to perform: lambda:InvokeFunction"}"#,
        ),
        "gateway" => answer(StatusCode::BAD_GATEWAY, &[("Content-Type", "text/html")], "<html>Bad Gateway</html>"),
        unknown => {
            let qualified = qualifier.map(|q| format!(":{q}")).unwrap_or_default();
            api_error(
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                &format!(
                    r#"{{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{unknown}{qualified}"}}"#
                ),
            )
        }
    }
}

fn answer(status: StatusCode, headers: &[(&str, &str)], body: &str) -> Response {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

/// Percent-decoding of a path segment or query value.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------
// The function ARN resource: the input is the payload, the function's answer the result.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_function_arn_sends_the_input_and_returns_the_functions_answer() {
    let server = Server::start().await;
    let result = server.lambda().invoke(ECHO_ARN, json!({"order": {"id": 7, "items": ["a"]}})).await.unwrap();
    assert_eq!(result, json!({"order": {"id": 7, "items": ["a"]}}));
    let seen = server.last();
    assert_eq!((seen.path.as_str(), seen.query.as_deref()), ("/2015-03-31/functions/echo/invocations", None));
    assert_eq!(seen.body, br#"{"order":{"id":7,"items":["a"]}}"#);
    for option in ["x-amz-invocation-type", "x-amz-log-type", "x-amz-client-context", "authorization"] {
        assert_eq!(seen.header(option), None, "{option}");
    }
}

#[tokio::test]
async fn a_function_arn_takes_any_json_value_and_its_qualifier() {
    let server = Server::start().await;
    let lambda = server.lambda();
    assert_eq!(lambda.invoke(ECHO_ARN, json!("HelloWorld")).await.unwrap(), json!("HelloWorld"));
    assert_eq!(server.last().body, br#""HelloWorld""#);
    for value in [json!(0.0), json!(-1), json!(true), json!([]), json!(null)] {
        assert_eq!(lambda.invoke(ECHO_ARN, value.clone()).await.unwrap(), value);
    }
    lambda.invoke(&format!("{ECHO_ARN}:live"), json!({})).await.unwrap();
    let seen = server.last();
    assert_eq!(
        (seen.path.as_str(), seen.query.as_deref()),
        ("/2015-03-31/functions/echo/invocations", Some("Qualifier=live"))
    );
}

// ---------------------------------------------------------------------------------------
// lambda:invoke: the input is the Invoke request, the result AWS's envelope.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn lambda_invoke_returns_the_invoke_response_as_aws_shapes_it() {
    let server = Server::start().await;
    let result = server
        .lambda()
        .invoke(INVOKE, json!({"FunctionName": "echo", "Payload": {"theQuestion": "?", "theAnswer": 42}}))
        .await
        .unwrap();
    let keys: Vec<&str> = result.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"]);
    assert_eq!(result["ExecutedVersion"], "$LATEST");
    // The function's answer keeps its key order.
    assert_eq!(result["Payload"].to_string(), r#"{"theQuestion":"?","theAnswer":42}"#);
    assert_eq!(result["StatusCode"], 200);
    assert_eq!(result["SdkResponseMetadata"], json!({"RequestId": "req-1"}));
    let metadata = &result["SdkHttpMetadata"];
    assert_eq!(metadata["HttpStatusCode"], 200);
    let headers = metadata["HttpHeaders"].as_object().unwrap();
    let names: Vec<&str> = headers.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Content-Length",
            "Content-Type",
            "Date",
            "X-Amz-Executed-Version",
            "x-amzn-Remapped-Content-Length",
            "x-amzn-RequestId"
        ]
    );
    assert_eq!(headers["Content-Length"], "34");
    assert_eq!(headers["x-amzn-RequestId"], "req-1");
    assert_eq!(metadata["AllHttpHeaders"]["X-Amz-Executed-Version"], json!(["$LATEST"]));
    assert_eq!(metadata["AllHttpHeaders"]["x-amzn-RequestId"], json!(["req-1"]));
}

#[tokio::test]
async fn function_names_partial_and_full_arns_and_qualifiers() {
    let server = Server::start().await;
    let lambda = server.lambda();
    let cases = [
        (json!({"FunctionName": "echo"}), None),
        (json!({"FunctionName": "echo:live"}), Some("Qualifier=live")),
        (json!({"FunctionName": "echo", "Qualifier": "$LATEST"}), Some("Qualifier=%24LATEST")),
        (json!({"FunctionName": "123456789012:function:echo:3"}), Some("Qualifier=3")),
        (json!({"FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:echo"}), None),
        (
            json!({"FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:echo:live", "Qualifier": "blue"}),
            Some("Qualifier=blue"),
        ),
    ];
    for (input, query) in cases {
        let result = lambda.invoke(INVOKE, input.clone()).await.unwrap();
        let seen = server.last();
        assert_eq!(seen.path, "/2015-03-31/functions/echo/invocations", "{input}");
        assert_eq!(seen.query.as_deref(), query, "{input}");
        let version = query.map_or("$LATEST".to_owned(), |q| decode(q.trim_start_matches("Qualifier=")));
        assert_eq!(result["ExecutedVersion"], version, "{input}");
    }
}

#[tokio::test]
async fn payloads_are_sent_as_step_functions_sends_them() {
    let server = Server::start().await;
    let lambda = server.lambda();
    let cases = [
        // No payload: an empty body, for which Lambda gives the function `{}`.
        (json!({"FunctionName": "echo"}), "", json!({})),
        (json!({"FunctionName": "echo", "Payload": null}), "", json!({})),
        // A string is the payload's text.
        (json!({"FunctionName": "echo", "Payload": "null"}), "null", json!(null)),
        (json!({"FunctionName": "echo", "Payload": "0.0"}), "0.0", json!(0.0)),
        (json!({"FunctionName": "echo", "Payload": "\"HelloWorld\""}), "\"HelloWorld\"", json!("HelloWorld")),
        (
            json!({"FunctionName": "echo", "Payload": [1, {"b": 2, "a": 1}]}),
            r#"[1,{"b":2,"a":1}]"#,
            json!([1, {"b": 2, "a": 1}]),
        ),
    ];
    for (input, body, payload) in cases {
        let result = lambda.invoke(INVOKE, input.clone()).await.unwrap();
        assert_eq!(String::from_utf8_lossy(&server.last().body), body, "{input}");
        assert_eq!(result["Payload"], payload, "{input}");
    }
}

#[tokio::test]
async fn invocation_types_log_type_and_client_context_are_headers() {
    let server = Server::start().await;
    let lambda = server.lambda();
    let event =
        lambda.invoke(INVOKE, json!({"FunctionName": "echo", "InvocationType": "Event", "Payload": {}})).await.unwrap();
    assert_eq!(server.last().header("x-amz-invocation-type"), Some("Event"));
    assert_eq!((&event["StatusCode"], &event["Payload"]), (&json!(202), &json!("")));
    assert!(event.get("ExecutedVersion").is_none(), "{event}");
    let dry = lambda.invoke(INVOKE, json!({"FunctionName": "echo", "InvocationType": "DryRun"})).await.unwrap();
    assert_eq!((&dry["StatusCode"], &dry["SdkHttpMetadata"]["HttpStatusCode"]), (&json!(204), &json!(204)));
    let tail = lambda
        .invoke(INVOKE, json!({"FunctionName": "echo", "LogType": "Tail", "ClientContext": "eyJjdXN0b20iOnt9fQ=="}))
        .await
        .unwrap();
    let seen = server.last();
    assert_eq!(seen.header("x-amz-log-type"), Some("Tail"));
    assert_eq!(seen.header("x-amz-client-context"), Some("eyJjdXN0b20iOnt9fQ=="));
    let keys: Vec<&str> = tail.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["ExecutedVersion", "LogResult", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"]
    );
    assert_eq!(tail["LogResult"], "U1RBUlQgUmVxdWVzdElk");
    assert_eq!(tail["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Log-Result"], "U1RBUlQgUmVxdWVzdElk");
}

#[tokio::test]
async fn wait_for_task_token_invokes_the_same_way() {
    let server = Server::start().await;
    let result = server
        .lambda()
        .invoke(
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            json!({"FunctionName": "echo", "Payload": {"token": "AQCEAAAAKgAAAA"}}),
        )
        .await
        .unwrap();
    assert_eq!(result["Payload"], json!({"token": "AQCEAAAAKgAAAA"}));
    assert_eq!(server.last().body, br#"{"token":"AQCEAAAAKgAAAA"}"#);
}

#[tokio::test]
async fn answers_that_are_not_json_are_text() {
    let server = Server::start().await;
    let lambda = server.lambda();
    let text_arn = "arn:aws:lambda:us-east-1:123456789012:function:text";
    assert_eq!(lambda.invoke(text_arn, json!({})).await.unwrap(), json!("hello, world"));
    let result = lambda.invoke(INVOKE, json!({"FunctionName": "text"})).await.unwrap();
    assert_eq!(result["Payload"], "hello, world");
    assert_eq!(result["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"], "text/plain");
}

// ---------------------------------------------------------------------------------------
// Errors, as AWS fails the task.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn function_errors_fail_with_their_error_type_and_payload() {
    let server = Server::start().await;
    let lambda = server.lambda();
    // A function ARN: the payload as the function wrote it.
    let legacy = lambda.invoke("arn:aws:lambda:us-east-1:123456789012:function:raise", json!(null)).await.unwrap_err();
    assert_eq!((legacy.name.as_ref(), legacy.cause.as_deref()), ("Exception", Some(RAISED)));
    // lambda:invoke: the payload as compact JSON.
    let service = lambda.invoke(INVOKE, json!({"FunctionName": "raise", "Payload": null})).await.unwrap_err();
    assert_eq!(service.name, "Exception");
    assert_eq!(
        service.cause.as_deref(),
        Some(
            r#"{"errorMessage":"Some exception was raised.","errorType":"Exception","requestId":"5e1b4c8f","stackTrace":["  File \"/var/task/handler.py\", line 2, in handler\n    raise Exception(\"Some exception was raised.\")\n"]}"#
        )
    );
    let handled = lambda.invoke(INVOKE, json!({"FunctionName": "decline"})).await.unwrap_err();
    assert_eq!(
        (handled.name.as_ref(), handled.cause.as_deref()),
        ("Card.Declined", Some(r#"{"errorMessage":"card declined","errorType":"Card.Declined"}"#))
    );
    let timeout = lambda.invoke(INVOKE, json!({"FunctionName": "timeout"})).await.unwrap_err();
    assert_eq!(timeout.name, "Lambda.Unknown");
    assert_eq!(
        timeout.cause.as_deref(),
        Some(
            r#"The cause could not be determined because Lambda did not return an error type. Returned payload: {"errorMessage":"2026-01-01T00:00:00.000Z 5e1b4c8f Task timed out after 3.00 seconds"}"#
        )
    );
}

#[tokio::test]
async fn api_errors_are_lambda_exceptions_with_the_sdks_message() {
    let server = Server::start().await;
    let lambda = server.lambda();
    let missing = lambda.invoke(INVOKE, json!({"FunctionName": "no_such_function"})).await.unwrap_err();
    assert_eq!(missing.name, "Lambda.ResourceNotFoundException");
    assert_eq!(
        missing.cause.as_deref(),
        Some(
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:no_such_function (Service: AWSLambda; \
             Status Code: 404; Error Code: ResourceNotFoundException; Request ID: req-1; Proxy: null)"
        )
    );
    let legacy =
        lambda.invoke("arn:aws:lambda:us-east-1:123456789012:function:gone:live", json!({})).await.unwrap_err();
    assert_eq!(legacy.name, "Lambda.ResourceNotFoundException");
    assert!(
        legacy
            .cause
            .unwrap()
            .starts_with("Function not found: arn:aws:lambda:us-east-1:123456789012:function:gone:live (")
    );
    let cases = [
        (
            "throttled",
            "Lambda.TooManyRequestsException",
            "Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; Request ID: req-3; Proxy: null)",
        ),
        (
            "broken",
            "Lambda.ServiceException",
            "Lambda encountered an internal error (Service: AWSLambda; Status Code: 500; Error Code: ServiceException; Request ID: req-4; Proxy: null)",
        ),
        (
            "denied",
            "Lambda.AWSLambdaException",
            "User: arn:aws:sts::123456789012:assumed-role/sfn/x is not authorized to perform: lambda:InvokeFunction (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: req-5; Proxy: null)",
        ),
        (
            "gateway",
            "Lambda.AWSLambdaException",
            "null (Service: AWSLambda; Status Code: 502; Error Code: null; Request ID: null; Proxy: null)",
        ),
    ];
    for (function, name, cause) in cases {
        let error = lambda.invoke(INVOKE, json!({"FunctionName": function})).await.unwrap_err();
        assert_eq!((error.name.as_ref(), error.cause.as_deref()), (name, Some(cause)), "{function}");
    }
}

#[tokio::test]
async fn an_endpoint_that_refuses_connections_is_an_sdk_client_exception() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let lambda = Lambda::new(LambdaConfig {
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        region: "us-east-1".into(),
        credentials: None,
    })
    .unwrap();
    for (resource, input) in [(ECHO_ARN, json!({})), (INVOKE, json!({"FunctionName": "echo"}))] {
        let error = lambda.invoke(resource, input).await.unwrap_err();
        assert_eq!(error.name, "Lambda.SdkClientException");
        let cause = error.cause.unwrap_or_default();
        assert!(
            cause.starts_with(&format!("Unable to execute HTTP request: Connect to 127.0.0.1:{port} failed: ")),
            "{cause}"
        );
    }
}

#[tokio::test]
async fn a_slow_function_is_waited_for_and_a_timeout_drops_the_call() {
    let server = Server::start().await;
    let lambda = server.lambda();
    let slow = json!({"FunctionName": "slow"});
    let cut = tokio::time::timeout(Duration::from_millis(100), lambda.invoke(INVOKE, slow.clone())).await;
    assert!(cut.is_err(), "the call should still be running after 100 ms");
    let result = tokio::time::timeout(Duration::from_secs(10), lambda.invoke(INVOKE, slow)).await.unwrap().unwrap();
    assert_eq!(result["Payload"], "done");
}

#[tokio::test]
async fn a_result_above_256_kib_is_a_data_limit_error() {
    let server = Server::start().await;
    let lambda = server.lambda();
    // 140,000 two-byte characters: 280,002 bytes of JSON text.
    let error = lambda.invoke(INVOKE, json!({"FunctionName": "big"})).await.unwrap_err();
    assert_eq!(error.name, "States.DataLimitExceeded");
    assert_eq!(
        error.cause.as_deref(),
        Some(
            "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit."
        )
    );
    let legacy = lambda.invoke("arn:aws:lambda:us-east-1:123456789012:function:big", json!({})).await.unwrap_err();
    assert_eq!(legacy.name, "States.DataLimitExceeded");
}

#[tokio::test]
async fn input_that_is_not_an_invoke_request_fails_before_any_call() {
    let server = Server::start().await;
    let lambda = server.lambda();
    let cases = [
        (json!({"Payload": {}}), "[The field 'FunctionName' is required but was missing]"),
        (json!({"FunctionName": ["echo"]}), "[The value for the field 'FunctionName' must be a STRING]"),
        (json!({"FunctionName": "echo", "Qualifier": 1}), "[The value for the field 'Qualifier' must be a STRING]"),
        (json!({"FunctionName": "echo", "Retries": 3}), "[The field 'Retries' is not supported by Step Functions]"),
        (json!("echo"), "[The Parameters must be a JSON object]"),
    ];
    for (input, why) in cases {
        let error = lambda.invoke(INVOKE, input.clone()).await.unwrap_err();
        assert_eq!(error.name, "States.Runtime", "{input}");
        let cause = error.cause.unwrap_or_default();
        assert!(
            cause.starts_with(&format!("The Parameters '{input}' could not be used to start the Task: ")),
            "{cause}"
        );
        assert!(cause.ends_with(why), "{cause}");
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn hostile_input_never_panics() {
    let server = Server::start().await;
    let lambda = server.lambda();
    let names = [
        "../../admin",
        "a/b",
        "%2e%2e",
        "é",
        " ",
        ":",
        "::",
        "arn:aws:lambda:::function:",
        "\u{0}",
        "a\r\nb",
        "arn:aws:lambda:us-east-1:1:function:f:q:r",
        ".",
        "..",
        "..:live",
        "arn:aws:lambda:us-east-1:1:function:..",
    ];
    for name in names {
        let result = lambda.invoke(INVOKE, json!({"FunctionName": name, "Qualifier": name, "Payload": name})).await;
        if let Ok(value) = &result {
            panic!("{name:?} should not reach a function: {value}");
        }
    }
    // Whatever the name, the request stays on the Invoke route: a name is one path segment.
    for seen in server.requests() {
        assert!(
            seen.path.starts_with("/2015-03-31/functions/") && seen.path.ends_with("/invocations"),
            "{}",
            seen.path
        );
        assert_eq!(seen.path.matches('/').count(), 4, "{}", seen.path);
    }
    for input in [json!(null), json!(1), json!([[]]), json!({"FunctionName": {"$": 1}})] {
        assert!(lambda.invoke(INVOKE, input).await.is_err());
    }
    let deep = (0..200).fold(json!(1), |inner, _| json!([inner]));
    assert!(lambda.invoke(ECHO_ARN, deep).await.is_ok());
    assert_eq!(
        lambda.invoke("arn:aws:states:::sqs:sendMessage", json!({})).await.unwrap_err().name,
        "States.TaskFailed"
    );
}

// ---------------------------------------------------------------------------------------
// Endpoints and signing.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn aws_endpoints_without_credentials_say_how_to_bind_lambda() {
    for endpoint in [None, Some("https://lambda.eu-west-1.amazonaws.com".to_owned())] {
        let lambda = Lambda::new(LambdaConfig { endpoint, region: "eu-west-1".into(), credentials: None }).unwrap();
        let error = lambda.invoke(ECHO_ARN, json!({})).await.unwrap_err();
        assert_eq!(error.name, "States.TaskFailed");
        let cause = error.cause.unwrap_or_default();
        for hint in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_LAMBDA", "sam local start-lambda"]
        {
            assert!(cause.contains(hint), "{cause}");
        }
    }
    // The function's region picks AWS's endpoint.
    let lambda = Lambda::new(LambdaConfig { endpoint: None, region: "eu-west-1".into(), credentials: None }).unwrap();
    let cause = lambda.invoke(ECHO_ARN, json!({})).await.unwrap_err().cause.unwrap_or_default();
    assert!(cause.contains("https://lambda.us-east-1.amazonaws.com"), "{cause}");
}

fn credentials(token: Option<&str>) -> Credentials {
    Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        session_token: token.map(str::to_owned),
    }
}

#[tokio::test]
async fn signed_requests_carry_a_sigv4_signature_that_recomputes() {
    let server = Server::start().await;
    let lambda = server.lambda_as(Some(credentials(None)));
    let input = json!({
        "FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:echo:live",
        "InvocationType": "RequestResponse",
        "LogType": "Tail",
        "Payload": {"signed": true}
    });
    lambda.invoke(INVOKE, input).await.unwrap();
    let seen = server.last();
    let scope = verify_signature(&seen, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    // The function's own region signs; the service is lambda.
    assert!(scope.ends_with("/eu-west-1/lambda/aws4_request"), "{scope}");
    assert!(seen.header("x-amz-security-token").is_none());
    // The check is not vacuous: another secret, or another body, does not verify.
    assert!(std::panic::catch_unwind(|| verify_signature(&seen, "another secret")).is_err());
    let tampered = Seen { body: b"{}".to_vec(), ..seen.clone() };
    assert!(
        std::panic::catch_unwind(|| verify_signature(&tampered, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")).is_err()
    );
    let authorization = seen.header("authorization").unwrap();
    assert!(authorization.contains("x-amz-invocation-type;x-amz-log-type"), "{authorization}");

    // A plain name signs in the configured region.
    lambda.invoke(ECHO_ARN.replace("us-east-1", "ap-south-1").as_str(), json!([1])).await.unwrap();
    assert!(
        verify_signature(&server.last(), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
            .ends_with("/ap-south-1/lambda/aws4_request")
    );
    lambda.invoke(INVOKE, json!({"FunctionName": "echo", "Qualifier": "$LATEST"})).await.unwrap();
    let scope = verify_signature(&server.last(), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    assert!(scope.starts_with("AKIDEXAMPLE/") && scope.ends_with("/us-east-1/lambda/aws4_request"), "{scope}");
}

#[tokio::test]
async fn temporary_credentials_send_their_session_token_signed() {
    let server = Server::start().await;
    server.lambda_as(Some(credentials(Some("IQoJb3JpZ2luX2VjEMP")))).invoke(ECHO_ARN, json!({})).await.unwrap();
    let seen = server.last();
    assert_eq!(seen.header("x-amz-security-token"), Some("IQoJb3JpZ2luX2VjEMP"));
    assert!(seen.header("authorization").unwrap().contains("x-amz-security-token"));
    verify_signature(&seen, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
}

/// Checks the request's SigV4 signature by computing it again from what the server got, as
/// Lambda does; answers the credential scope (`AKID/DATE/REGION/SERVICE/aws4_request`).
fn verify_signature(seen: &Seen, secret: &str) -> String {
    let authorization = seen.header("authorization").expect("a signed request");
    let rest = authorization.strip_prefix("AWS4-HMAC-SHA256 ").expect("SigV4");
    let field = |name: &str| {
        rest.split(", ")
            .find_map(|part| part.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {authorization}"))
    };
    let credential = field("Credential=");
    let signed_headers = field("SignedHeaders=");
    let signature = field("Signature=");
    let scope: Vec<&str> = credential.splitn(2, '/').collect();
    let (date, region, service) = {
        let parts: Vec<&str> = scope[1].split('/').collect();
        assert_eq!(parts.len(), 4, "{credential}");
        assert_eq!(parts[3], "aws4_request");
        (parts[0], parts[1], parts[2])
    };
    let amz_date = seen.header("x-amz-date").unwrap();
    assert!(amz_date.starts_with(date), "{amz_date} vs {date}");

    // The canonical request: the path encoded a second time, the query sorted and
    // encoded, the signed headers, the body's hash.
    let path: Vec<String> = seen.path.split('/').map(encode).collect();
    let mut query: Vec<String> = seen
        .query
        .iter()
        .flat_map(|q| q.split('&'))
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            format!("{}={}", encode(&decode(name)), encode(&decode(value)))
        })
        .collect();
    query.sort();
    let headers: String = signed_headers
        .split(';')
        .map(|name| {
            format!("{name}:{}\n", seen.header(name).unwrap_or_else(|| panic!("signed {name} not sent")).trim())
        })
        .collect();
    let canonical = format!(
        "POST\n{}\n{}\n{headers}\n{signed_headers}\n{}",
        path.join("/"),
        query.join("&"),
        hex(&Sha256::digest(&seen.body))
    );
    let string_to_sign =
        format!("AWS4-HMAC-SHA256\n{amz_date}\n{}\n{}", scope[1], hex(&Sha256::digest(canonical.as_bytes())));
    let key = aws_sigv4::sign::v4::generate_signing_key(secret, midday(date), region, service);
    let expected = aws_sigv4::sign::v4::calculate_signature(key, string_to_sign.as_bytes());
    assert_eq!(signature, expected, "canonical request:\n{canonical}");
    credential.to_owned()
}

/// SigV4's URI encoding: everything but `A-Z a-z 0-9 - _ . ~`.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Noon (UTC) of `YYYYMMDD`: only the date of a signing time enters the signing key.
fn midday(date: &str) -> SystemTime {
    let year: i64 = date[..4].parse().unwrap();
    let month: i64 = date[4..6].parse().unwrap();
    let day: i64 = date[6..8].parse().unwrap();
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(days * 86_400 + 43_200).unwrap())
}

#[test]
fn the_test_calendar_is_right() {
    assert_eq!(midday("19700101"), SystemTime::UNIX_EPOCH + Duration::from_secs(43_200));
    assert_eq!(midday("20150830"), SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_936_000));
    assert_eq!(midday("20240229"), SystemTime::UNIX_EPOCH + Duration::from_secs(1_709_208_000));
}

// ---------------------------------------------------------------------------------------
// Through the dispatcher, as `asl serve` and `asl build` binaries run Tasks.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_dispatcher_sends_lambda_tasks_to_the_configured_endpoint() {
    use asl_bindings::{Bindings, BindingsConfig};
    use asl_runtime::execution::{TaskCall, TaskHandler};

    let server = Server::start().await;
    let config = BindingsConfig { lambda_endpoint: Some(server.endpoint.clone()), ..BindingsConfig::default() };
    let bindings = Bindings::new(&config, "us-east-1").unwrap();
    let context = json!({"Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:m:e"}});
    let call = |resource: &'static str, input, task_token| TaskCall {
        task: 0,
        state: "Charge",
        resource,
        input,
        context: &context,
        task_token,
        retry_count: 0,
        root_execution: "arn:aws:states:us-east-1:123456789012:execution:m:e",
    };
    let legacy = bindings.invoke(call("arn:aws:lambda:us-east-1:123456789012:function:echo", json!({"n": 1}), None));
    assert_eq!(legacy.await.unwrap(), json!({"n": 1}));
    let invoke = bindings.invoke(call(INVOKE, json!({"FunctionName": "echo", "Payload": {"n": 2}}), None));
    assert_eq!(invoke.await.unwrap()["Payload"], json!({"n": 2}));
    let failed = bindings.invoke(call(INVOKE, json!({"FunctionName": "decline"}), None));
    assert_eq!(failed.await.unwrap_err().name, "Card.Declined");
    // With a task token, the function's answer only says it took the work.
    let token = bindings.invoke(call(
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        json!({"FunctionName": "echo", "Payload": {"token": "t-1"}}),
        Some("t-1"),
    ));
    assert_eq!(token.await.unwrap(), json!(null));
    assert_eq!(server.requests().len(), 4);
}
