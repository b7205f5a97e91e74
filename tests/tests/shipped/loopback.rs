//! Servers on loopback that shipped binaries call: a Lambda Invoke API with one function,
//! and an HTTP API for `http:invoke`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// A Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) serving the
/// function `price`: `{"items": n}` → `{"total": 10 n}`, and for a negative count the
/// function error `Price.Unknown`; and `approve`: `{"token", "api"}` → `{"accepted": true}`,
/// and a moment later `SendTaskSuccess` of the token with `{"approved": true}` to the Step
/// Functions API at `api`. Other names are Lambda's 404.
pub struct Lambda {
    address: SocketAddr,
    calls: Arc<AtomicUsize>,
    _runtime: tokio::runtime::Runtime,
}

impl Lambda {
    /// Starts it on an ephemeral port, on a runtime of its own.
    pub fn start() -> Lambda {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let app = Router::new()
            .route("/2015-03-31/functions/{name}/invocations", post(invoke))
            .with_state(Arc::clone(&calls));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let address = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await });
        Lambda { address, calls, _runtime: runtime }
    }

    /// Its endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// How many invocations it answered.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

async fn invoke(
    State(calls): State<Arc<AtomicUsize>>,
    Path(name): Path<String>,
    _headers: HeaderMap,
    body: Bytes,
) -> Response {
    calls.fetch_add(1, Ordering::SeqCst);
    // A name, a partial ARN or a full ARN: the function is what follows `function:`.
    let function =
        name.rsplit_once("function:").map_or(name.as_str(), |(_, f)| f).split(':').next().unwrap_or_default();
    if function == "approve" {
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let (token, api) = (request["token"].as_str().unwrap_or_default(), request["api"].as_str().unwrap_or_default());
        let answer = json!({"taskToken": token, "output": json!({"approved": true}).to_string()});
        tokio::spawn(send_task_success(api.trim_start_matches("http://").to_owned(), answer.to_string()));
        return (StatusCode::OK, json!({"accepted": true}).to_string()).into_response();
    }
    if function != "price" {
        let mut response = (
            StatusCode::NOT_FOUND,
            json!({"Type": "User", "Message": format!("Function not found: arn:aws:lambda:us-east-1:123456789012:function:{function}")})
                .to_string(),
        )
            .into_response();
        response.headers_mut().insert("x-amzn-ErrorType", HeaderValue::from_static("ResourceNotFoundException"));
        return response;
    }
    let order: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let items = order.get("items").and_then(Value::as_i64).unwrap_or(0);
    let (answer, error) = if items < 0 {
        (json!({"errorType": "Price.Unknown", "errorMessage": format!("no price for {items} items")}), true)
    } else {
        (json!({"total": items * 10}), false)
    };
    let mut response = (StatusCode::OK, answer.to_string()).into_response();
    response.headers_mut().insert("X-Amz-Executed-Version", HeaderValue::from_static("$LATEST"));
    if error {
        response.headers_mut().insert("X-Amz-Function-Error", HeaderValue::from_static("Unhandled"));
    }
    response
}

/// `SendTaskSuccess` to the Step Functions API at `address`, over a plain socket, after a
/// moment (so the task is waiting when it comes).
async fn send_task_success(address: String, body: String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nX-Amz-Target: AWSStepFunctions.SendTaskSuccess\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response).await;
    assert!(response.starts_with("HTTP/1.1 200"), "SendTaskSuccess: {response}");
}

/// An HTTP API: `POST /orders` (needs `x-api-key: secret-1`, else 401) answers 201 with
/// what it received; `/fail` answers 500; anything else is a 404.
pub struct Api {
    address: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Api {
    /// Starts it on an ephemeral port, on a runtime of its own.
    pub fn start() -> Api {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let app = Router::new().route("/orders", post(orders)).route("/fail", post(fail));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let address = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await });
        Api { address, _runtime: runtime }
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

async fn orders(uri: axum::http::Uri, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    if header("x-api-key") != "secret-1" {
        return (StatusCode::UNAUTHORIZED, "no key").into_response();
    }
    let received = json!({
        "body": serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
        "query": uri.query().unwrap_or_default(),
        "trace": header("x-trace"),
        "userAgent": header("user-agent"),
    });
    let mut response = (StatusCode::CREATED, received.to_string()).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    response
}

async fn fail() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "broken").into_response()
}
