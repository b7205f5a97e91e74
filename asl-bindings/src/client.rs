//! The one HTTP client every binding uses.

use std::sync::Once;
use std::time::Duration;

/// How long connecting may take before the call fails (a Task's own `TimeoutSeconds`
/// bounds the whole call).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP client (HTTP/1.1, TLS through rustls with aws-lc-rs's cryptography, preferring the
/// post-quantum hybrid key exchange X25519MLKEM768).
///
/// # Errors
///
/// The TLS configuration could not be built (no usable root certificates).
pub(crate) fn new_client() -> Result<reqwest::Client, String> {
    static PROVIDER: Once = Once::new();
    PROVIDER.call_once(|| {
        // Another part of the process may have chosen a provider first; that one is fine.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))
}
