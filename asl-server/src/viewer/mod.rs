//! The viewer: a page at `GET /` that shows the server's state machines and executions,
//! live, and answers task tokens, for a person with a browser.
//!
//! The page is plain HTML, CSS and JavaScript embedded in the binary ([`assets`]): no build
//! step, nothing from a CDN, so it works offline and in an `asl build` binary. It reads
//! everything through the same JSON API the CLI uses (`POST /`), so it never shows what the
//! API does not, plus two routes of its own for what the API has no operation for:
//!
//! - `GET /viewer/graph?stateMachineArn=…` (a machine's or a version's ARN): the definition
//!   drawn by asl-graph, as JSON (`graph`, `layout`, `svg`), or the SVG alone with
//!   `&format=svg`; laid out once per ARN and revision ([`graph`]);
//! - `GET /viewer/events?executionArn=…[&after=ID]`: the execution's history as
//!   server-sent events, live until it ends ([`events`]).
//!
//! When requests must be SigV4-signed ([`Auth::Signed`]) a browser cannot sign them: `/`
//! then says so instead of serving the app, and the two routes refuse, since they would
//! otherwise show what the API keeps to signed callers.

pub mod assets;
pub(crate) mod bell;
pub mod events;
pub mod graph;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::Auth;
use crate::http::Shared;

/// A viewer route's refusal: a status and a JSON body `{"error", "message"}` that says
/// what was wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewerError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What was wrong, for a person.
    pub message: String,
}

impl ViewerError {
    /// 400: the request is malformed (no ARN, or not an ARN of the right kind).
    pub fn bad_request(message: impl Into<String>) -> ViewerError {
        ViewerError { status: StatusCode::BAD_REQUEST, message: message.into() }
    }

    /// 404: the server has no such resource.
    pub fn not_found(message: impl Into<String>) -> ViewerError {
        ViewerError { status: StatusCode::NOT_FOUND, message: message.into() }
    }

    /// 422: the resource is there but cannot be shown that way.
    pub fn unprocessable(message: impl Into<String>) -> ViewerError {
        ViewerError { status: StatusCode::UNPROCESSABLE_ENTITY, message: message.into() }
    }

    /// 403: the server requires signed requests, which a browser cannot make.
    fn signed_only() -> ViewerError {
        ViewerError {
            status: StatusCode::FORBIDDEN,
            message: "this server requires SigV4-signed requests, which a browser cannot make: the viewer is off"
                .into(),
        }
    }

    /// 500: the store failed.
    pub fn store(error: asl_runtime::store::StoreError) -> ViewerError {
        ViewerError { status: StatusCode::INTERNAL_SERVER_ERROR, message: format!("the store failed: {error}") }
    }
}

impl IntoResponse for ViewerError {
    fn into_response(self) -> Response {
        let error = self.status.canonical_reason().unwrap_or("Error");
        let body = json!({"error": error, "message": self.message}).to_string();
        (self.status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
    }
}

/// The viewer's routes besides `GET /` (which shares its path with the API's `POST /`;
/// see [`index`]).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/viewer/graph", get(graph_route))
        .route("/viewer/events", get(events_route))
        .route("/viewer/assets/{name}", get(asset_route))
}

/// `GET /`: the app, or a page that says why there is none.
pub(crate) async fn index(State(shared): State<Arc<Shared>>) -> Response {
    let page = match shared.auth {
        Auth::Signed(_) => assets::SIGNED_ONLY_PAGE,
        Auth::Open | Auth::None => assets::INDEX,
    };
    let mut response = page.response();
    // The page is the entry point: always ask again, so a new binary's page is never stale.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn asset_route(Path(name): Path<String>) -> Response {
    match assets::find(&name) {
        Some(asset) => asset.response(),
        None => ViewerError::not_found(format!("no viewer asset `{name}`")).into_response(),
    }
}

async fn graph_route(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    if matches!(shared.auth, Auth::Signed(_)) {
        return ViewerError::signed_only().into_response();
    }
    let query = query_of(&uri);
    let Some(arn) = query.get("stateMachineArn").filter(|arn| !arn.is_empty()).cloned() else {
        return ViewerError::bad_request("give the state machine (or version) as ?stateMachineArn=ARN").into_response();
    };
    let svg = match query.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("svg") => true,
        Some(other) => {
            return ViewerError::bad_request(format!("unknown format `{other}`: json or svg")).into_response();
        }
    };
    match shared.graphs.drawing(&shared.service, &arn).await {
        Ok(drawing) if svg => ([(header::CONTENT_TYPE, "image/svg+xml")], drawing.svg.clone()).into_response(),
        Ok(drawing) => ([(header::CONTENT_TYPE, "application/json")], drawing.json.clone()).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn events_route(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    if matches!(shared.auth, Auth::Signed(_)) {
        return ViewerError::signed_only().into_response();
    }
    let query = query_of(&uri);
    let Some(arn) = query.get("executionArn").filter(|arn| !arn.is_empty()).cloned() else {
        return ViewerError::bad_request("give the execution as ?executionArn=ARN").into_response();
    };
    // A reconnecting EventSource says where it was with `Last-Event-ID`, which wins over
    // the `after` of the URL it first opened.
    let last_seen = headers.get("last-event-id").and_then(|value| value.to_str().ok());
    let after = match last_seen.or(query.get("after").map(String::as_str)).map(str::parse::<u64>) {
        None => 0,
        Some(Ok(after)) => after,
        Some(Err(_)) => return ViewerError::bad_request("`after` is an event id: a whole number").into_response(),
    };
    match events::stream(Arc::clone(&shared.service), arn, after).await {
        Ok(sse) => sse.into_response(),
        Err(error) => error.into_response(),
    }
}

/// The parameters of a URL's query (`a=1&b=x%3Ay`), decoded; the first of a repeated name
/// wins. (axum's `Query` extractor needs its `query` feature and serde_urlencoded for this.)
fn query_of(uri: &Uri) -> std::collections::HashMap<String, String> {
    let decode =
        |text: &str| percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned();
    let mut parameters = std::collections::HashMap::new();
    for pair in uri.query().unwrap_or_default().split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        parameters.entry(decode(name)).or_insert_with(|| decode(value));
    }
    parameters
}

#[cfg(test)]
mod tests;
