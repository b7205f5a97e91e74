//! `http:invoke` against a real HTTP server on loopback: every request field, the
//! encodings, each authorization type, the envelope, and each error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_bindings::http::{Connections, HttpInvoke};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request the server received.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Seen>>>);

impl Log {
    fn seen(&self) -> Vec<Seen> {
        self.0.lock().unwrap().clone()
    }

    fn to(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|seen| seen.path == path).collect()
    }

    fn last(&self) -> Seen {
        self.seen().pop().expect("a request")
    }
}

struct Server {
    base: String,
    log: Log,
}

/// The routes: `/echo…` answers what it received as JSON; the others answer as named.
async fn handle(State(log): State<Log>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 10 << 20).await.unwrap_or_default();
    let seen = Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let tokens = log.0.lock().unwrap().iter().filter(|s| s.path.starts_with("/oauth/")).count();
    log.0.lock().unwrap().push(seen.clone());
    let json = |status: StatusCode, value: Value| {
        (status, [(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
    };
    let path = seen.path.as_str();
    match path {
        "/json" => json(StatusCode::OK, json!({"id": "cus_123", "list": [1, 2], "nested": {"ok": true}})),
        "/problem" => {
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/problem+json")], r#"{"title":"x"}"#).into_response()
        }
        "/text" => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "hello").into_response(),
        "/empty" => StatusCode::NO_CONTENT.into_response(),
        "/created" => json(StatusCode::CREATED, json!({"created": true})),
        "/cookies" => {
            let mut response = "ok".into_response();
            response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_static("a=1"));
            response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_static("b=2"));
            response
        }
        "/status/404" => json(StatusCode::NOT_FOUND, json!({"error": "no such customer"})),
        "/status/500" => json(StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "boom"})),
        "/status/401" => StatusCode::UNAUTHORIZED.into_response(),
        "/status/407" => StatusCode::PROXY_AUTHENTICATION_REQUIRED.into_response(),
        "/redirect" => (StatusCode::FOUND, [(header::LOCATION, "/json")]).into_response(),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            "late".into_response()
        }
        "/image" => {
            (StatusCode::OK, [(header::CONTENT_TYPE, "image/png")], vec![0x89u8, b'P', b'N', b'G']).into_response()
        }
        "/binary" => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], vec![0xFFu8, 0xFE, 0x00]).into_response(),
        "/big" => (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], "x".repeat(300 * 1024)).into_response(),
        "/oauth/3600/token" | "/oauth/30/token" | "/oauth/none/token" => {
            let token = format!("tok-{}", tokens + 1);
            match path {
                "/oauth/3600/token" => json(StatusCode::OK, json!({"access_token": token, "expires_in": 3600})),
                "/oauth/30/token" => json(StatusCode::OK, json!({"access_token": token, "expires_in": "30"})),
                _ => json(StatusCode::OK, json!({"access_token": token, "token_type": "Bearer"})),
            }
        }
        "/oauth/fail/token" => json(StatusCode::BAD_REQUEST, json!({"error": "invalid_client"})),
        "/oauth/empty/token" => json(StatusCode::OK, json!({"token_type": "Bearer"})),
        _ => json(
            StatusCode::OK,
            json!({"method": seen.method, "path": seen.path, "query": seen.query, "body": seen.body}),
        ),
    }
}

async fn server() -> Server {
    let log = Log::default();
    let app = Router::new().fallback(handle).with_state(log.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server { base, log }
}

/// A server that answers every request with `response`, byte for byte.
async fn raw_server(response: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = [0u8; 8192];
            let _ = stream.read(&mut buffer).await;
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    base
}

const BASIC: &str = "arn:aws:events:eu-west-1:123456789012:connection/basic/1";
const API_KEY: &str = "arn:aws:events:eu-west-1:123456789012:connection/api-key/2";
const MERGING: &str = "arn:aws:events:eu-west-1:123456789012:connection/merging/3";
const OAUTH: &str = "arn:aws:events:eu-west-1:123456789012:connection/oauth/4";
const OAUTH_SHORT: &str = "arn:aws:events:eu-west-1:123456789012:connection/oauth-short/5";
const OAUTH_FOREVER: &str = "arn:aws:events:eu-west-1:123456789012:connection/oauth-forever/6";
const OAUTH_FAILING: &str = "arn:aws:events:eu-west-1:123456789012:connection/oauth-failing/7";
const OAUTH_EMPTY: &str = "arn:aws:events:eu-west-1:123456789012:connection/oauth-empty/8";
const OAUTH_GET: &str = "arn:aws:events:eu-west-1:123456789012:connection/oauth-get/9";
const SECRET_QUERY: &str = "arn:aws:events:eu-west-1:123456789012:connection/secret-query/10";

fn oauth(base: &str, ttl: &str, method: &str) -> Value {
    json!({
        "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
        "AuthParameters": {
            "OAuthParameters": {
                "AuthorizationEndpoint": format!("{base}/oauth/{ttl}/token"),
                "HttpMethod": method,
                "ClientParameters": {"ClientID": "client", "ClientSecret": "client-SECRET"},
                "OAuthHttpParameters": {
                    "HeaderParameters": [{"Key": "X-Tenant", "Value": "acme"}],
                    "QueryStringParameters": [{"Key": "audience", "Value": "api"}],
                    "BodyParameters": [{"Key": "scope", "Value": "read write", "IsValueSecret": false}]
                }
            }
        }
    })
}

fn connections_text(base: &str) -> String {
    json!({
        BASIC: {
            "AuthorizationType": "BASIC",
            "AuthParameters": {"BasicAuthParameters": {"Username": "user", "Password": "pass"}}
        },
        API_KEY: {
            "AuthorizationType": "API_KEY",
            "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "key-SECRET"}}
        },
        MERGING: {
            "Name": "merging",
            "AuthorizationType": "API_KEY",
            "AuthParameters": {
                "ApiKeyAuthParameters": {"ApiKeyName": "ApiKey", "ApiKeyValue": "key_value"},
                "InvocationHttpParameters": {
                    "BodyParameters": [{"Key": "BodyParam", "Value": "connection_body_param"}],
                    "HeaderParameters": [{"Key": "Header-Param", "Value": "connection_header_param"}],
                    "QueryStringParameters": [{"Key": "QueryParam", "Value": "connection_query_param"}]
                }
            }
        },
        OAUTH: oauth(base, "3600", "POST"),
        OAUTH_SHORT: oauth(base, "30", "POST"),
        OAUTH_FOREVER: oauth(base, "none", "PUT"),
        OAUTH_FAILING: oauth(base, "fail", "POST"),
        OAUTH_EMPTY: oauth(base, "empty", "POST"),
        OAUTH_GET: oauth(base, "3600", "GET"),
        SECRET_QUERY: {
            "AuthorizationType": "API_KEY",
            "AuthParameters": {
                "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "key-SECRET"},
                "InvocationHttpParameters": {
                    "QueryStringParameters": [{"Key": "token", "Value": "query-SECRET", "IsValueSecret": true}]
                }
            }
        }
    })
    .to_string()
}

fn http(server: &Server) -> HttpInvoke {
    let connections = Connections::parse(Path::new("connections.json"), &connections_text(&server.base)).unwrap();
    HttpInvoke::new(connections, "eu-west-1").unwrap()
}

/// An input that calls `path` of `server` with `method` through `arn`, plus `extra`.
fn input(server: &Server, path: &str, method: &str, arn: &str, extra: Value) -> Value {
    let mut input = json!({
        "ApiEndpoint": format!("{}{path}", server.base),
        "Method": method,
        "InvocationConfig": {"ConnectionArn": arn}
    });
    for (key, value) in extra.as_object().unwrap() {
        input[key] = value.clone();
    }
    input
}

fn error_of(result: Result<Value, asl_runtime::Error>) -> (String, String) {
    let error = result.expect_err("the task fails");
    (error.name.into_owned(), error.cause.unwrap_or_default())
}

#[tokio::test]
async fn a_json_response_is_the_envelope_with_its_body_parsed() {
    let server = server().await;
    let result = http(&server).invoke(input(&server, "/json", "GET", BASIC, json!({}))).await.unwrap();
    assert_eq!(result["StatusCode"], json!(200));
    assert_eq!(result["StatusText"], json!("OK"));
    assert_eq!(result["ResponseBody"], json!({"id": "cus_123", "list": [1, 2], "nested": {"ok": true}}));
    assert_eq!(result["Headers"]["content-type"], json!(["application/json"]));
    assert!(result["Headers"]["content-length"].is_array());
    assert!(result["Headers"]["date"][0].is_string());
    let keys: Vec<&String> = result.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["Headers", "ResponseBody", "StatusCode", "StatusText"]);
}

#[tokio::test]
async fn other_responses_have_their_text_as_the_body() {
    let server = server().await;
    let http = http(&server);
    let text = http.invoke(input(&server, "/text", "GET", BASIC, json!({}))).await.unwrap();
    assert_eq!(text["ResponseBody"], json!("hello"));
    let problem = http.invoke(input(&server, "/problem", "GET", BASIC, json!({}))).await.unwrap();
    assert_eq!(problem["ResponseBody"], json!({"title": "x"}));
    let empty = http.invoke(input(&server, "/empty", "DELETE", BASIC, json!({}))).await.unwrap();
    assert_eq!(
        (&empty["StatusCode"], &empty["StatusText"], &empty["ResponseBody"]),
        (&json!(204), &json!("No Content"), &json!(""))
    );
    let created = http.invoke(input(&server, "/created", "POST", BASIC, json!({}))).await.unwrap();
    assert_eq!((&created["StatusCode"], &created["StatusText"]), (&json!(201), &json!("Created")));
    let cookies = http.invoke(input(&server, "/cookies", "GET", BASIC, json!({}))).await.unwrap();
    assert_eq!(cookies["Headers"]["set-cookie"], json!(["a=1", "b=2"]));
}

#[tokio::test]
async fn the_status_text_is_the_reason_phrase_sent() {
    let base =
        raw_server("HTTP/1.1 299 Fine Thanks\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}").await;
    let server = Server { base, log: Log::default() };
    let result = http(&server).invoke(input(&server, "/", "GET", BASIC, json!({}))).await.unwrap();
    assert_eq!((&result["StatusCode"], &result["StatusText"]), (&json!(299), &json!("Fine Thanks")));

    let base = raw_server("HTTP/1.1 422 Not Today\r\ncontent-length: 0\r\n\r\n").await;
    let server = Server { base, log: Log::default() };
    let error = error_of(http(&server).invoke(input(&server, "/", "GET", BASIC, json!({}))).await);
    assert_eq!(error, ("States.Http.StatusCode.422".to_owned(), "Not Today".to_owned()));
}

#[tokio::test]
async fn every_field_of_the_request_reaches_the_server() {
    let server = server().await;
    let extra = json!({
        "Headers": {"X-Request-Id": "r-1", "Accept": ["application/json", "text/plain"], "X-Count": 3},
        "QueryParameters": {"currency": "usd", "filter": {"status": "open"}, "ids": [1, 2], "q": "a b&c"},
        "RequestBody": {"Card": {"Number": "1234567890", "Name": "John Doe"}}
    });
    let result = http(&server).invoke(input(&server, "/echo/v1/customers", "POST", BASIC, extra)).await.unwrap();
    assert_eq!(result["ResponseBody"]["method"], json!("POST"));
    let seen = server.log.last();
    assert_eq!(seen.path, "/echo/v1/customers");
    assert_eq!(seen.query, "currency=usd&filter%5Bstatus%5D=open&ids%5B0%5D=1&ids%5B1%5D=2&q=a%20b%26c");
    assert_eq!(seen.body, r#"{"Card":{"Number":"1234567890","Name":"John Doe"}}"#);
    assert_eq!(seen.header("user-agent"), Some("Amazon|StepFunctions|HttpInvoke|eu-west-1"));
    assert_eq!(seen.header("range"), Some("bytes=0-262144"));
    assert_eq!(seen.header("content-type"), Some("application/json; charset=UTF-8"));
    assert_eq!(seen.header("x-request-id"), Some("r-1"));
    assert_eq!(seen.header("x-count"), Some("3"));
    assert_eq!(seen.all("accept"), ["application/json", "text/plain"]);
    assert_eq!(seen.header("authorization"), Some("Basic dXNlcjpwYXNz"));
    assert_eq!(seen.header("host"), Some(server.base.trim_start_matches("http://")));
}

#[tokio::test]
async fn every_method_is_sent_as_given() {
    let server = server().await;
    let http = http(&server);
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"] {
        let result = http.invoke(input(&server, "/echo", method, BASIC, json!({}))).await.unwrap();
        assert_eq!(server.log.last().method, method);
        if method == "HEAD" {
            assert_eq!(result["ResponseBody"], json!(""));
        } else {
            assert_eq!(result["ResponseBody"]["method"], json!(method));
        }
    }
}

#[tokio::test]
async fn a_step_functions_header_wins_over_the_task_s() {
    let server = server().await;
    let extra = json!({"Headers": {"User-Agent": "mine", "Range": "bytes=0-1", "Content-Type": "text/csv"},
                       "RequestBody": "a,b\n1,2"});
    http(&server).invoke(input(&server, "/echo", "PUT", BASIC, extra)).await.unwrap();
    let seen = server.log.last();
    assert_eq!(seen.header("user-agent"), Some("Amazon|StepFunctions|HttpInvoke|eu-west-1"));
    assert_eq!(seen.header("range"), Some("bytes=0-262144"));
    // The task's own content type stays, and a string body goes as it is.
    assert_eq!(seen.header("content-type"), Some("text/csv"));
    assert_eq!(seen.body, "a,b\n1,2");
}

#[tokio::test]
async fn url_encoded_bodies_in_each_array_format() {
    let server = server().await;
    let http = http(&server);
    let body = json!({"array": ["a", "b"], "customer": "cus 1", "metadata": {"order_details": "monthly report"}});
    let cases = [
        (None, "array%5B0%5D=a&array%5B1%5D=b"),
        (Some("INDICES"), "array%5B0%5D=a&array%5B1%5D=b"),
        (Some("REPEAT"), "array=a&array=b"),
        (Some("COMMAS"), "array=a,b"),
        (Some("BRACKETS"), "array%5B%5D=a&array%5B%5D=b"),
    ];
    for (format, arrays) in cases {
        let mut transform = json!({"RequestBodyEncoding": "URL_ENCODED"});
        if let Some(format) = format {
            transform["RequestEncodingOptions"] = json!({"ArrayFormat": format});
        }
        let extra = json!({"RequestBody": body, "Transform": transform,
                           "Headers": {"Content-Type": "application/x-www-form-urlencoded"}});
        http.invoke(input(&server, "/echo", "POST", BASIC, extra)).await.unwrap();
        let seen = server.log.last();
        assert_eq!(
            seen.body,
            format!("{arrays}&customer=cus%201&metadata%5Border_details%5D=monthly%20report"),
            "{format:?}"
        );
        assert_eq!(seen.all("content-type"), ["application/x-www-form-urlencoded"]);
    }
    // Without the header the task should give, the form's own type is sent.
    let extra = json!({"RequestBody": {"a": 1}, "Transform": {"RequestBodyEncoding": "URL_ENCODED"}});
    http.invoke(input(&server, "/echo", "POST", BASIC, extra)).await.unwrap();
    assert_eq!(server.log.last().header("content-type"), Some("application/x-www-form-urlencoded"));
    // NONE is JSON.
    let extra = json!({"RequestBody": {"a": [1]}, "Transform": {"RequestBodyEncoding": "NONE"}});
    http.invoke(input(&server, "/echo", "POST", BASIC, extra)).await.unwrap();
    assert_eq!(server.log.last().body, r#"{"a":[1]}"#);
}

#[tokio::test]
async fn query_parameters_as_an_object_an_array_or_a_string() {
    let server = server().await;
    let http = http(&server);
    let cases = [
        (json!({"a": [{"b": 1}], "e": [], "n": null}), "a%5B0%5D%5Bb%5D=1&n="),
        (json!(["x", "y"]), "0=x&1=y"),
        (json!("?raw=1&b=two%20words"), "raw=1&b=two%20words"),
        (json!({}), ""),
    ];
    for (query, expected) in cases {
        // INDICES whatever the body's Transform says.
        let extra = json!({"QueryParameters": query, "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                           "RequestEncodingOptions": {"ArrayFormat": "REPEAT"}}});
        http.invoke(input(&server, "/echo", "GET", BASIC, extra)).await.unwrap();
        assert_eq!(server.log.last().query, expected);
    }
    // The endpoint's own query string stays first.
    let extra = json!({"QueryParameters": {"b": "2"}});
    http.invoke(input(&server, "/echo?a=1", "GET", BASIC, extra)).await.unwrap();
    assert_eq!(server.log.last().query, "a=1&b=2");
}

/// AWS's data-merging example: the connection's values win.
#[tokio::test]
async fn the_connection_s_parameters_merge_over_the_task_s() {
    let server = server().await;
    let extra = json!({
        "Authentication": {"ConnectionArn": MERGING},
        "Headers": {"Request-Id": "my_request_id", "Header-Param": "state_machine_header_param"},
        "RequestBody": {"Job": "Software Engineer", "Company": "AnyCompany", "BodyParam": "state_machine_body_param"},
        "QueryParameters": {"QueryParam": "state_machine_query_param"}
    });
    let mut task = input(&server, "/path", "POST", MERGING, extra);
    task.as_object_mut().unwrap().remove("InvocationConfig");
    http(&server).invoke(task).await.unwrap();
    let seen = server.log.last();
    assert_eq!(seen.query, "QueryParam=connection_query_param");
    assert_eq!(seen.body, r#"{"Job":"Software Engineer","Company":"AnyCompany","BodyParam":"connection_body_param"}"#);
    assert_eq!(seen.header("apikey"), Some("key_value"));
    assert_eq!(seen.all("header-param"), ["connection_header_param"]);
    assert_eq!(seen.header("request-id"), Some("my_request_id"));
    assert_eq!(seen.header("content-type"), Some("application/json; charset=UTF-8"));
    assert_eq!(seen.header("range"), Some("bytes=0-262144"));

    // A string body cannot take the connection's body parameters.
    let task = input(&server, "/path", "POST", MERGING, json!({"RequestBody": "text"}));
    let before = server.log.seen().len();
    let (name, cause) = error_of(http(&server).invoke(task).await);
    assert_eq!(name, "States.Runtime");
    assert!(cause.contains("cannot merge"), "{cause}");
    assert_eq!(server.log.seen().len(), before, "nothing was sent");
}

#[tokio::test]
async fn an_api_key_connection_sends_its_header() {
    let server = server().await;
    let extra = json!({"Headers": {"X-Api-Key": "the task's"}});
    http(&server).invoke(input(&server, "/echo", "GET", API_KEY, extra)).await.unwrap();
    let seen = server.log.last();
    assert_eq!(seen.all("x-api-key"), ["key-SECRET"]);
    assert_eq!(seen.header("authorization"), None);
}

#[tokio::test]
async fn an_oauth_connection_fetches_a_token_once_and_sends_it() {
    let server = server().await;
    let http = http(&server);
    for _ in 0..3 {
        http.invoke(input(&server, "/echo", "GET", OAUTH, json!({}))).await.unwrap();
        assert_eq!(server.log.last().header("authorization"), Some("Bearer tok-1"));
    }
    let tokens = server.log.to("/oauth/3600/token");
    assert_eq!(tokens.len(), 1, "the token is cached until it expires");
    let token = &tokens[0];
    assert_eq!(token.method, "POST");
    // Basic base64("client:client-SECRET").
    assert_eq!(token.header("authorization"), Some("Basic Y2xpZW50OmNsaWVudC1TRUNSRVQ="));
    assert_eq!(token.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(token.header("x-tenant"), Some("acme"));
    assert_eq!(token.query, "audience=api");
    assert_eq!(token.body, "grant_type=client_credentials&scope=read%20write");

    // With GET the form goes in the query string.
    http.invoke(input(&server, "/echo", "GET", OAUTH_GET, json!({}))).await.unwrap();
    let token = server.log.to("/oauth/3600/token").pop().unwrap();
    assert_eq!((token.method.as_str(), token.body.as_str()), ("GET", ""));
    assert_eq!(token.query, "audience=api&grant_type=client_credentials&scope=read%20write");
    assert_eq!(server.log.last().header("authorization"), Some("Bearer tok-2"));
}

#[tokio::test]
async fn tokens_that_are_about_to_expire_are_refreshed() {
    let server = server().await;
    let http = http(&server);
    // `expires_in: 30` is inside EventBridge's 60-second window: each task refreshes.
    http.invoke(input(&server, "/echo", "GET", OAUTH_SHORT, json!({}))).await.unwrap();
    http.invoke(input(&server, "/echo", "GET", OAUTH_SHORT, json!({}))).await.unwrap();
    assert_eq!(server.log.to("/oauth/30/token").len(), 2);
    assert_eq!(server.log.last().header("authorization"), Some("Bearer tok-2"));
    // Without `expires_in` the token is kept.
    http.invoke(input(&server, "/echo", "GET", OAUTH_FOREVER, json!({}))).await.unwrap();
    http.invoke(input(&server, "/echo", "GET", OAUTH_FOREVER, json!({}))).await.unwrap();
    assert_eq!(server.log.to("/oauth/none/token").len(), 1);
    assert_eq!(server.log.to("/oauth/none/token")[0].method, "PUT");
}

#[tokio::test]
async fn a_401_or_407_drops_the_token_for_the_next_try() {
    let server = server().await;
    let http = http(&server);
    http.invoke(input(&server, "/echo", "GET", OAUTH, json!({}))).await.unwrap();
    let (name, cause) = error_of(http.invoke(input(&server, "/status/401", "GET", OAUTH, json!({}))).await);
    assert_eq!((name.as_str(), cause.as_str()), ("States.Http.StatusCode.401", "Unauthorized"));
    assert_eq!(server.log.last().header("authorization"), Some("Bearer tok-1"));
    http.invoke(input(&server, "/echo", "GET", OAUTH, json!({}))).await.unwrap();
    assert_eq!(server.log.last().header("authorization"), Some("Bearer tok-2"));
    let (name, _) = error_of(http.invoke(input(&server, "/status/407", "GET", OAUTH, json!({}))).await);
    assert_eq!(name, "States.Http.StatusCode.407");
    http.invoke(input(&server, "/echo", "GET", OAUTH, json!({}))).await.unwrap();
    assert_eq!(server.log.last().header("authorization"), Some("Bearer tok-3"));
    assert_eq!(server.log.to("/oauth/3600/token").len(), 3);
}

#[tokio::test]
async fn an_authorization_endpoint_without_a_token_fails_the_connection() {
    let server = server().await;
    let http = http(&server);
    for (arn, why) in [(OAUTH_FAILING, "answered 400 Bad Request"), (OAUTH_EMPTY, "without an access_token")] {
        let (name, cause) = error_of(http.invoke(input(&server, "/echo", "GET", arn, json!({}))).await);
        assert_eq!(name, "Events.ConnectionResource.InvalidConnectionState");
        assert!(cause.contains(arn) && cause.contains(why), "{cause}");
        assert!(!cause.contains("SECRET"), "{cause}");
    }
    assert!(server.log.to("/echo").is_empty(), "no request without a token");
}

#[tokio::test]
async fn non_2xx_responses_fail_with_their_status() {
    let server = server().await;
    let http = http(&server);
    for (path, name, text) in [
        ("/status/404", "States.Http.StatusCode.404", "Not Found"),
        ("/status/500", "States.Http.StatusCode.500", "Internal Server Error"),
    ] {
        let error = error_of(http.invoke(input(&server, path, "GET", BASIC, json!({}))).await);
        assert_eq!(error, (name.to_owned(), text.to_owned()));
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = server().await;
    let error = error_of(http(&server).invoke(input(&server, "/redirect", "GET", API_KEY, json!({}))).await);
    assert_eq!(error, ("States.Http.StatusCode.302".to_owned(), "Found".to_owned()));
    assert!(server.log.to("/json").is_empty());
}

#[tokio::test]
async fn no_answer_is_a_socket_error_that_keeps_secrets() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let server = server().await;
    let refused = Server { base, log: Log::default() };
    let (name, cause) =
        error_of(http(&server).invoke(input(&refused, "/x?own=1", "GET", SECRET_QUERY, json!({}))).await);
    assert_eq!(name, "States.Http.Socket");
    assert!(cause.starts_with(&format!("The HTTP request to {}/x failed: ", refused.base)), "{cause}");
    assert!(!cause.contains("SECRET") && !cause.contains("own=1"), "{cause}");

    let http = http(&server).with_timeout(Duration::from_millis(200));
    let (name, cause) = error_of(http.invoke(input(&server, "/slow", "GET", SECRET_QUERY, json!({}))).await);
    assert_eq!(name, "States.Http.Socket");
    assert!(cause.contains("timed out after 0.2 seconds"), "{cause}");
    assert!(!cause.contains("SECRET"), "{cause}");
}

#[tokio::test]
async fn responses_a_task_cannot_hold_fail() {
    let server = server().await;
    let http = http(&server);
    let (name, cause) = error_of(http.invoke(input(&server, "/image", "GET", BASIC, json!({}))).await);
    assert_eq!(name, "States.Runtime");
    assert!(cause.contains("'image/png'"), "{cause}");
    let (name, cause) = error_of(http.invoke(input(&server, "/binary", "GET", BASIC, json!({}))).await);
    assert_eq!(name, "States.Runtime");
    assert!(cause.contains("valid string"), "{cause}");
    let (name, _) = error_of(http.invoke(input(&server, "/big", "GET", BASIC, json!({}))).await);
    assert_eq!(name, "States.DataLimitExceeded");
}

#[tokio::test]
async fn a_connection_that_is_not_there_names_the_file_to_add_it_to() {
    let server = server().await;
    let missing = "arn:aws:events:eu-west-1:123456789012:connection/missing/0";
    let (name, cause) = error_of(http(&server).invoke(input(&server, "/echo", "GET", missing, json!({}))).await);
    assert_eq!(name, "Events.ConnectionResource.ResourceNotFound");
    assert!(cause.contains(missing) && cause.contains("'connections.json'"), "{cause}");

    let none = HttpInvoke::new(Connections::none(), "eu-west-1").unwrap();
    let (name, cause) = error_of(none.invoke(input(&server, "/echo", "GET", missing, json!({}))).await);
    assert_eq!(name, "Events.ConnectionResource.ResourceNotFound");
    assert!(cause.contains(missing) && cause.contains("--http-connections"), "{cause}");
    assert!(server.log.seen().is_empty());
}

#[tokio::test]
async fn input_the_task_cannot_use_fails_before_any_request() {
    let server = server().await;
    let http = http(&server);
    let mut no_endpoint = input(&server, "/echo", "GET", BASIC, json!({}));
    no_endpoint.as_object_mut().unwrap().remove("ApiEndpoint");
    let cases = [
        (no_endpoint, "The field 'ApiEndpoint' is required but was missing"),
        (
            input(&server, "/echo", "FETCH", BASIC, json!({})),
            "must be one of GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD",
        ),
        (input(&server, "/echo", "GET", BASIC, json!({"Headers": {"Authorization": "Bearer x"}})), "'Authorization'"),
        (input(&server, "/echo", "GET", BASIC, json!({"Headers": {"X-Amz-Date": "x"}})), "'X-Amz-Date'"),
        (json!("not an object"), "must be a JSON object"),
        (json!(null), "must be a JSON object"),
    ];
    for (task, expected) in cases {
        let (name, cause) = error_of(http.invoke(task).await);
        assert_eq!(name, "States.Runtime");
        assert!(cause.contains("could not be used to start the Task") && cause.contains(expected), "{cause}");
    }
    assert!(server.log.seen().is_empty());
}
