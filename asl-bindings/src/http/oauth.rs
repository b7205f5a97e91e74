//! OAuth client credentials, as EventBridge connections handle them: a token from the
//! connection's authorization endpoint, kept until it is about to expire, dropped when the
//! API answers 401 or 407.
//!
//! EventBridge documents (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-auth.html>,
//! "Considerations when using OAuth") that it refreshes a token "when a 401 or 407
//! response is returned" and "proactively during an HTTPS invocation, if the token is about
//! to expire" (its Chinese edition says: within 60 seconds), and recommends a retry policy
//! because the invocation that got the 401 is not repeated: the refresh serves the retry.
//! So here the task that gets a 401 or 407 fails with `States.Http.StatusCode.401` (or
//! `.407`) and the cached token is dropped; the state's `Retry` then runs with a new one.
//!
//! The token request: the connection's `HttpMethod` to its `AuthorizationEndpoint`, the
//! client ID and secret as HTTP Basic authentication (RFC 6749 §2.3.1, the method every
//! authorization server must accept), `OAuthHttpParameters` as its headers, query string
//! and form body (in the query string for a GET), and `grant_type=client_credentials`
//! unless the body parameters already name a grant type. Users' connections commonly carry
//! `grant_type` in `BodyParameters` themselves (as Cognito's token endpoint wants it); a
//! server gets it once either way. The answer is RFC 6749 §5.1's: `access_token`, and
//! `expires_in` in seconds (a token without it is kept until a 401).

use std::time::Duration;

use asl_runtime::Error;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Client, Method, Url};
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::connections::{Connection, OAuth};
use super::encode::encode_pairs;

/// The `Events.ConnectionResource.*` error of a connection that cannot authorize.
pub(crate) const INVALID_CONNECTION_STATE: &str = "Events.ConnectionResource.InvalidConnectionState";

/// A token within this long of its expiry is refreshed before use (EventBridge's window).
const REFRESH_WINDOW: Duration = Duration::from_secs(60);

/// The largest token response read (a token response is a few hundred bytes; this only
/// bounds a misconfigured endpoint that answers with something else).
const MAX_TOKEN_RESPONSE: usize = 1024 * 1024;

/// A connection's current token. The lock is held while a token is fetched, so tasks
/// that start together make one token request, not one each.
#[derive(Default)]
pub(crate) struct TokenCache {
    current: Mutex<Option<Token>>,
}

struct Token {
    /// `Bearer …`, marked sensitive.
    authorization: HeaderValue,
    /// When it expires, if the endpoint said.
    expires: Option<Instant>,
}

impl Token {
    fn usable(&self, now: Instant) -> bool {
        self.expires.is_none_or(|expires| expires.saturating_duration_since(now) > REFRESH_WINDOW)
    }
}

impl TokenCache {
    /// The `Authorization` header for a request through `connection`: the cached token, or
    /// a new one.
    pub(crate) async fn authorization(
        &self,
        client: &Client,
        connection: &Connection,
        oauth: &OAuth,
        timeout: Duration,
    ) -> Result<HeaderValue, Error> {
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref().filter(|token| token.usable(Instant::now())) {
            return Ok(token.authorization.clone());
        }
        let token = fetch(client, connection, oauth, timeout).await?;
        let authorization = token.authorization.clone();
        *current = Some(token);
        Ok(authorization)
    }

    /// Drops the cached token (the API refused it), so the next request fetches another.
    pub(crate) async fn invalidate(&self) {
        *self.current.lock().await = None;
    }
}

async fn fetch(client: &Client, connection: &Connection, oauth: &OAuth, timeout: Duration) -> Result<Token, Error> {
    let refuse = |why: String| {
        Error::new(
            INVALID_CONNECTION_STATE,
            format!("The connection '{}' could not be authorized: {why}.", connection.arn),
        )
    };
    let endpoint = display_url(&oauth.endpoint);
    let mut form: Vec<(&str, &str)> = oauth.http.body.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    if !form.iter().any(|(key, _)| *key == "grant_type") {
        form.insert(0, ("grant_type", "client_credentials"));
    }
    let mut url = oauth.endpoint.clone();
    let mut query: Vec<(&str, &str)> = oauth.http.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    if oauth.method == Method::GET {
        query.append(&mut form);
    }
    append_query(&mut url, &encode_pairs(query));
    let mut request = client
        .request(oauth.method.clone(), url)
        .timeout(timeout)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header(AUTHORIZATION, oauth.client.clone());
    for (name, value) in &oauth.http.headers {
        request = request.header(name, value);
    }
    if oauth.method != Method::GET {
        request = request
            .header(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"))
            .body(encode_pairs(form));
    }
    let mut response = request.send().await.map_err(|e| {
        refuse(format!("its authorization endpoint {endpoint} did not answer ({})", super::error_chain(&e)))
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(refuse(format!("its authorization endpoint {endpoint} answered {status}")));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| refuse(format!("its authorization endpoint {endpoint} broke off ({})", super::error_chain(&e))))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_TOKEN_RESPONSE {
            return Err(refuse(format!("its authorization endpoint {endpoint} answered more than a token")));
        }
    }
    let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(access_token) = answer.get("access_token").and_then(Value::as_str).filter(|t| !t.is_empty()) else {
        return Err(refuse(format!("its authorization endpoint {endpoint} answered without an access_token")));
    };
    let Ok(mut authorization) = HeaderValue::from_str(&format!("Bearer {access_token}")) else {
        return Err(refuse(format!("its authorization endpoint {endpoint} answered a token no header can carry")));
    };
    authorization.set_sensitive(true);
    let expires = match answer.get("expires_in") {
        Some(Value::Number(seconds)) => seconds.as_f64(),
        Some(Value::String(seconds)) => seconds.trim().parse().ok(),
        _ => None,
    }
    .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
    .and_then(|lifetime| Instant::now().checked_add(lifetime));
    Ok(Token { authorization, expires })
}

/// Appends an encoded query string to a URL's own.
pub(crate) fn append_query(url: &mut Url, encoded: &str) {
    if encoded.is_empty() {
        return;
    }
    let query = match url.query() {
        Some(own) if !own.is_empty() => format!("{own}&{encoded}"),
        _ => encoded.to_owned(),
    };
    url.set_query(Some(&query));
}

/// A URL for messages: scheme, host, port and path; never the query string, which can
/// carry a connection's secret parameters.
pub(crate) fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use reqwest::Url;

    use super::{append_query, display_url};

    #[test]
    fn queries_append_to_the_url_s_own() {
        let mut url = Url::parse("https://a.example/p?x=1").unwrap();
        append_query(&mut url, "y=2%20z");
        assert_eq!(url.as_str(), "https://a.example/p?x=1&y=2%20z");
        let mut url = Url::parse("https://a.example/p").unwrap();
        append_query(&mut url, "");
        assert_eq!(url.as_str(), "https://a.example/p");
        append_query(&mut url, "k=v");
        assert_eq!(url.as_str(), "https://a.example/p?k=v");
    }

    #[test]
    fn urls_are_shown_without_what_could_be_secret() {
        let url = Url::parse("https://user:pw@a.example:8443/token?client_secret=s#f").unwrap();
        assert_eq!(display_url(&url), "https://a.example:8443/token");
    }
}
