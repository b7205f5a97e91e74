//! The AWS Step Functions API over asl-rs's engine: what `asl serve` and `asl build`
//! binaries run, and a library for applications that serve their own workflows.
//!
//! AWS JSON 1.0 (`POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>`), requests
//! checked against AWS's service model, answers and errors as AWS gives them, so the aws
//! CLI, boto3 and the AWS SDKs work unchanged against it. Definitions created through the
//! API are checked by asl-rs's validator and loaded into the same engine compiled workflows
//! run on; STANDARD executions are durable in the store (SQLite by default).
//!
//! ```no_run
//! # async fn serve() -> Result<(), String> {
//! let server = asl_server::Server::start(asl_server::Config::default()).await?;
//! println!("listening on {:?}", server.local_addr());
//! server.run(async { let _ = tokio::signal::ctrl_c().await; }).await.map_err(|e| e.to_string())
//! # }
//! ```

pub mod auth;
#[cfg(feature = "cli")]
pub mod cli;
pub mod flows;
mod http;
pub mod model;
mod ops;
mod server;
pub mod service;
pub mod viewer;
pub mod wire;

use axum::http::{HeaderMap, Method, Uri};

pub use asl_bindings::BindingsConfig;
pub use http::call;
pub use server::{Compiled, Config, Server, Startup, Storage};
use wire::ApiError;

/// Who may call the API.
#[derive(Clone, Debug, Default)]
pub enum Auth {
    /// Anyone: signatures are not checked (clients sign with whatever dummy keys they have).
    /// Only on loopback, unless [`Auth::None`] says so explicitly.
    #[default]
    Open,
    /// Anyone, on any address: the operator said there is no authentication (`--no-auth`).
    None,
    /// Only requests signed (SigV4) with one of the verifier's credentials.
    Signed(std::sync::Arc<auth::Verifier>),
}

impl Auth {
    /// Checks a request's credentials.
    fn check(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
        match self {
            Auth::Open | Auth::None => Ok(()),
            Auth::Signed(verifier) => verifier.verify(method, uri, headers, body, std::time::SystemTime::now()),
        }
    }
}

/// Checks a request body against the operation's input shape in the service model, and
/// puts the lenient forms AWS accepts (a fractional integer, `"true"` for a boolean) into
/// strict form for the operation.
///
/// # Errors
///
/// `UnknownOperationException` for an operation the model does not have;
/// `SerializationException` and `ValidationException` as AWS answers.
fn check_request(operation: &str, body: &mut serde_json::Value) -> Result<(), ApiError> {
    let operation = model::operation(operation).ok_or_else(ApiError::unknown_operation)?;
    operation.check_request(body)?;
    operation.normalize_request(body);
    Ok(())
}
