//! HTTP: the API is one route, `POST /`, whose operation `X-Amz-Target` names (the `Host`
//! is never looked at, so the SDKs' `sync-` host prefix makes no difference once it
//! resolves); the viewer is `GET /` and the `GET /viewer/…` routes (see [`crate::viewer`]).

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

use crate::service::Service;
use crate::viewer::graph::GraphCache;
use crate::wire::{self, ApiError};
use crate::{Auth, ops, viewer};

/// The largest request body read. AWS's largest members are a definition (1 MiB of
/// characters) and payloads (256 KiB); JSON escaping can make those several times longer
/// on the wire, hence the margin. The model's length limits are what AWS enforces on the
/// members; this only stops a body from filling memory.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// What the request handlers share.
pub struct Shared {
    /// The service.
    pub service: Arc<Service>,
    /// Who may call.
    pub auth: Auth,
    /// The viewer's drawings of state machines, laid out once per revision.
    pub graphs: GraphCache,
}

impl Shared {
    /// What the handlers of `service` share, callers admitted by `auth`.
    pub fn new(service: Arc<Service>, auth: Auth) -> Shared {
        Shared { service, auth, graphs: GraphCache::default() }
    }
}

/// The API's and the viewer's routes.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().route("/", post(api).get(viewer::index)).merge(viewer::routes()).with_state(shared)
}

async fn api(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let answer = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => answer(&shared, &parts.headers, &parts.method, &parts.uri, bytes).await,
        Err(_) => Err(ApiError::serialization(format!("the request body is larger than {MAX_BODY_BYTES} bytes"))
            .with_status(StatusCode::PAYLOAD_TOO_LARGE)),
    };
    respond(answer)
}

async fn answer(
    shared: &Shared,
    headers: &HeaderMap,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    body: Bytes,
) -> Result<Value, ApiError> {
    shared.auth.check(method, uri, headers, &body)?;
    let target = headers.get("x-amz-target").and_then(|value| value.to_str().ok()).unwrap_or_default();
    call(&shared.service, target, &body).await
}

/// One API request after HTTP and authentication: the `X-Amz-Target` header's value and
/// the body's bytes, read, checked against the service model and run. What the server does
/// for every request, callable without a socket (tests, the fuzzer).
///
/// # Errors
///
/// AWS's errors: `UnknownOperationException`, `SerializationException`,
/// `ValidationException`, and the operation's own.
pub async fn call(service: &Service, target: &str, body: &[u8]) -> Result<Value, ApiError> {
    let name = wire::operation_name(target).ok_or_else(ApiError::unknown_operation)?;
    let mut body: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(serde_json::Map::new())
    } else {
        serde_json::from_slice(body).map_err(|error| ApiError::serialization(error.to_string()))?
    };
    if !body.is_object() {
        return Err(ApiError::serialization("Start of structure or map found where not expected."));
    }
    crate::check_request(name, &mut body)?;
    ops::call(service, name, &body).await
}

fn respond(answer: Result<Value, ApiError>) -> Response {
    let (status, body) = match answer {
        Ok(body) => (StatusCode::OK, body),
        Err(error) => (error.status(), error.body()),
    };
    let mut response = (status, Body::from(body.to_string())).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(wire::CONTENT_TYPE));
    let id = asl_runtime::intrinsics::uuid_v4(&mut asl_runtime::intrinsics::SplitMix64::from_entropy());
    if let Ok(id) = HeaderValue::from_str(&id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}
