//! The official Rust SDK (`aws-sdk-sfn`) pointed at a server on loopback, as a user points
//! it at `asl serve`: dummy credentials, a region, the endpoint URL. Shared by `sdk_rust.rs`
//! and `server_crash.rs`.
//!
//! Two things differ from a client of AWS itself:
//!
//! - The HTTP client is the SDK's plain hyper one (`aws-smithy-http-client`, no TLS): the
//!   default HTTPS client would build aws-lc, a C library, for nothing on loopback.
//! - `StartSyncExecution` and `TestState` carry the endpoint prefix `sync-` in the model, so
//!   the SDK sends them to `http://sync-127.0.0.1:PORT`, a host that does not resolve. The
//!   Rust SDK has no switch for it (boto3 has `inject_host_prefix=False`, the JS SDK
//!   `disableHostPrefix`); [`NoHostPrefix`] takes the prefix off again before the request
//!   is signed.

use std::net::SocketAddr;

use aws_sdk_sfn::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_sfn::config::retry::RetryConfig;
use aws_sdk_sfn::config::{BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents};
use aws_sdk_sfn::error::BoxError;

/// The endpoint prefix of `StartSyncExecution` and `TestState`.
const SYNC_PREFIX: &str = "sync-";

/// A client of the server at `address`. It does not retry: a test wants to see each
/// answer the server gives, and the crash test decides itself what a failed call means.
pub fn client(address: SocketAddr) -> aws_sdk_sfn::Client {
    client_with_key(address, "test", "test")
}

/// A client of the server at `address` that signs with this access key and secret.
pub fn client_with_key(address: SocketAddr, access_key_id: &str, secret: &str) -> aws_sdk_sfn::Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(access_key_id, secret, None, None, "test"))
        .endpoint_url(format!("http://{address}"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(RetryConfig::disabled())
        .interceptor(NoHostPrefix)
        .build();
    aws_sdk_sfn::Client::from_conf(config)
}

/// Takes the `sync-` endpoint prefix off a request's host, so that `StartSyncExecution`
/// reaches the endpoint URL the client was given.
#[derive(Debug)]
pub struct NoHostPrefix;

impl Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "NoHostPrefix"
    }

    /// After the endpoint (with its prefix) is applied, before signing: the signature
    /// covers the host the request is really sent to.
    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let uri = request.uri();
        let Some((scheme, rest)) = uri.split_once("://") else { return Ok(()) };
        if let Some(unprefixed) = rest.strip_prefix(SYNC_PREFIX) {
            let uri = format!("{scheme}://{unprefixed}");
            request.set_uri(uri.as_str())?;
        }
        Ok(())
    }
}
