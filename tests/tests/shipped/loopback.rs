//! Servers on loopback that shipped binaries call: a Lambda Invoke API with one function.

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
/// function error `Price.Unknown`. Other names are Lambda's 404.
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
