//! AWS Signature Version 4 on incoming requests.
//!
//! The aws CLI, boto3 and every SDK sign their requests, even with dummy keys. On loopback
//! the server takes any signature; when it listens elsewhere and the user configures
//! [`Credentials`], a [`Verifier`] checks each request the way AWS does and answers a bad one
//! with AWS's own error (code, HTTP 400 and message; see `errors.rs` for the evidence):
//!
//! | what is wrong | code |
//! | --- | --- |
//! | no `Authorization` header, or not `AWS4-…` | `MissingAuthenticationTokenException` |
//! | a missing parameter or date header, a bad date, an unknown algorithm, a malformed `Credential` | `IncompleteSignatureException` |
//! | a date more than 5 minutes from the server's clock, `host` not signed, a scope for another region, service, day or terminator, a wrong signature | `InvalidSignatureException` |
//! | an access key id that is not configured | `UnrecognizedClientException` |
//!
//! What is supported:
//!
//! - The `Authorization` header form, `AWS4-HMAC-SHA256` only (not SigV4a), with the time in
//!   `X-Amz-Date` or, failing that, `Date`; the credential scope must name the configured
//!   region and the service `states`.
//! - The payload hash is `X-Amz-Content-Sha256` when sent, and it must then be the SHA-256 of
//!   the body (`UNSIGNED-PAYLOAD` is refused: this API's bodies are always signed); otherwise
//!   the body is hashed.
//! - Session credentials: a request with `X-Amz-Security-Token` is accepted when its access
//!   key is configured and the signature verifies with that key's secret. The token itself is
//!   not checked (there is no STS behind this server); it only counts as a signed header.
//! - Query-string (presigned) signatures are refused with an `IncompleteSignatureException`
//!   that says so: the API is `POST /` with a JSON body, which SDKs sign in the header.

mod authorization;
mod canonical;
mod date;
mod errors;
mod signing;

use std::collections::HashMap;
use std::fmt;
use std::time::SystemTime;

use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};

use crate::wire::ApiError;
use authorization::{ALGORITHM, Authorization, Scope};

/// The service name in a Step Functions credential scope.
pub const SERVICE: &str = "states";

/// An access key id and its secret, as a client configures them (`aws configure`).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
}

impl Credentials {
    /// Credentials from an access key id (`AKIA…`) and its secret access key.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Credentials {
        Credentials { access_key_id: access_key_id.into(), secret_access_key: secret_access_key.into() }
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
}

/// Shows the access key id only: the secret must not reach logs.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// Checks the SigV4 signatures of requests against a set of credentials, for one region.
pub struct Verifier {
    /// Secret access keys by access key id.
    secrets: HashMap<String, String>,
    region: String,
    /// [`SERVICE`], except in tests that replay AWS's examples for other services.
    service: &'static str,
}

impl Verifier {
    /// A verifier accepting requests signed with any of `credentials` for `region` (and the
    /// service `states`). When two credentials share an access key id, the later one wins.
    pub fn new(credentials: impl IntoIterator<Item = Credentials>, region: impl Into<String>) -> Verifier {
        let secrets = credentials.into_iter().map(|c| (c.access_key_id, c.secret_access_key)).collect();
        Verifier { secrets, region: region.into(), service: SERVICE }
    }

    /// The region credential scopes must name.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Checks that the request was signed, at most 5 minutes before or after `now`, by the
    /// holder of one of the verifier's secrets, and that nothing signed (method, path, query,
    /// signed headers, body) has changed since. `uri` is the request target as received (path
    /// and query still percent-encoded); `body` is the whole body. The checks run in the order
    /// Coral runs them (as recorded against DynamoDB), so a request with several faults gets
    /// the answer AWS would give.
    pub fn verify(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), ApiError> {
        let header = authorization_header(uri, headers)?;
        let authorization = Authorization::parse(&header)?;
        let (credential, signed_headers, signature, date_header) = required_parts(&authorization, headers, &header)?;

        let signed_at = match date_header {
            DateHeader::Amz(value) => date::parse_basic(&value).ok_or_else(|| errors::bad_date(&value))?,
            DateHeader::Http(value) => date::parse_http(&value).ok_or_else(|| errors::bad_date(&value))?,
        };
        date::check_skew(signed_at, date::now_utc(now)?)?;
        if !signed_headers.split(';').any(|name| name.eq_ignore_ascii_case("host")) {
            return Err(errors::host_not_signed());
        }
        if authorization.algorithm != ALGORITHM {
            return Err(errors::unsupported_algorithm(authorization.algorithm));
        }
        let timestamp = date::basic(signed_at);
        let scope = Scope::parse(credential)?;
        self.check_scope(&scope, &timestamp)?;
        let secret = self.secrets.get(scope.access_key_id).ok_or_else(errors::unrecognized_client)?;

        let body_hash = signing::sha256_hex(body);
        let payload_hash = match headers.get("x-amz-content-sha256") {
            Some(sent) => {
                let sent = lossy(sent);
                if !sent.eq_ignore_ascii_case(&body_hash) {
                    return Err(errors::content_hash_mismatch());
                }
                // As sent: the client signed this exact text.
                sent
            }
            None => body_hash,
        };
        let canonical = canonical::canonical_request(method, uri, headers, signed_headers, &payload_hash);
        let string_to_sign = signing::string_to_sign(&timestamp, &scope.string(), &canonical);
        let key = signing::signing_key(secret, scope.date, scope.region, scope.service)?;
        if !signing::verify(&key, &string_to_sign, signature)? {
            // AWS once put these two texts in the message; a log is the safer place for them.
            tracing::debug!(
                canonical_request = %String::from_utf8_lossy(&canonical),
                string_to_sign = %string_to_sign,
                "SigV4 signature mismatch"
            );
            return Err(errors::signature_mismatch());
        }
        Ok(())
    }

    /// The credential scope must name this verifier's region and service, `aws4_request`, and
    /// the day of the request's date; AWS lists every mismatch in one message.
    fn check_scope(&self, scope: &Scope<'_>, timestamp: &str) -> Result<(), ApiError> {
        let mut faults = Vec::new();
        if scope.region != self.region {
            faults.push(errors::wrong_region(scope.region));
        }
        if scope.service != self.service {
            faults.push(errors::wrong_service(self.service));
        }
        if scope.terminator != "aws4_request" {
            faults.push(errors::wrong_terminator(scope.terminator));
        }
        let day = timestamp.get(..8).unwrap_or(timestamp);
        if scope.date != day {
            faults.push(errors::wrong_scope_date(scope.date, day, timestamp));
        }
        if faults.is_empty() { Ok(()) } else { Err(errors::invalid(faults.join(" "))) }
    }
}

/// Lists the access key ids and the region, never the secrets.
impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&str> = self.secrets.keys().map(String::as_str).collect();
        ids.sort_unstable();
        f.debug_struct("Verifier").field("access_key_ids", &ids).field("region", &self.region).finish()
    }
}

/// Where the request's signing time comes from.
enum DateHeader {
    /// `X-Amz-Date`, in the basic format.
    Amz(String),
    /// `Date`, an HTTP date, used only without `X-Amz-Date`.
    Http(String),
}

/// The `Authorization` header's text, or AWS's answer when there is none to check.
fn authorization_header(uri: &Uri, headers: &HeaderMap) -> Result<String, ApiError> {
    let presigned =
        uri.query().is_some_and(|query| query.split('&').any(|pair| pair.split('=').next() == Some("X-Amz-Algorithm")));
    match (headers.get(header::AUTHORIZATION), presigned) {
        (Some(_), true) => Err(errors::both_header_and_query()),
        (None, true) => Err(errors::presigned_unsupported()),
        (None, false) => Err(errors::missing_token()),
        (Some(value), false) => {
            let text = lossy(value);
            if text.trim_start().starts_with("AWS4-") { Ok(text) } else { Err(errors::missing_token()) }
        }
    }
}

/// The `Credential`, `SignedHeaders` and `Signature` parameters and the date header; AWS names
/// everything missing in one message that ends with the header.
fn required_parts<'a>(
    authorization: &Authorization<'a>,
    headers: &HeaderMap,
    authorization_text: &str,
) -> Result<(&'a str, &'a str, &'a str, DateHeader), ApiError> {
    let present = |value: Option<&'a str>| value.filter(|value| !value.is_empty());
    let credential = present(authorization.credential);
    let signature = present(authorization.signature);
    let signed_headers = present(authorization.signed_headers);
    let date = match (headers.get("x-amz-date"), headers.get(header::DATE)) {
        (Some(value), _) => Some(DateHeader::Amz(lossy(value))),
        (None, Some(value)) => Some(DateHeader::Http(lossy(value))),
        (None, None) => None,
    };
    let (credential, signed_headers, signature, date) = match (credential, signed_headers, signature, date) {
        (Some(credential), Some(signed_headers), Some(signature), Some(date)) => {
            return Ok((credential, signed_headers, signature, date));
        }
        missing => missing,
    };
    let mut message = String::new();
    for (name, value) in [("Credential", credential), ("Signature", signature), ("SignedHeaders", signed_headers)] {
        if value.is_none() {
            message.push_str(&errors::requires_parameter(name));
        }
    }
    if date.is_none() {
        message.push_str(errors::REQUIRES_DATE);
    }
    message.push_str("Authorization=");
    message.push_str(authorization_text);
    Err(errors::incomplete(message))
}

/// A header value as text; bytes that are not UTF-8 become U+FFFD and so never match.
fn lossy(value: &HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

#[cfg(test)]
mod tests;
