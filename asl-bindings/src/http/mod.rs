//! `arn:aws:states:::http:invoke`: HTTP Tasks as real HTTP requests, authenticated by a
//! local connections file in place of EventBridge connections.
//!
//! [`HttpInvoke::invoke`] takes a Task's effective input (its `Parameters` or `Arguments`
//! after evaluation) and does what Step Functions does with it, as documented in
//! [Call HTTPS APIs in Step Functions workflows](https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html)
//! (the "AWS" of the notes below, unless another page is named).
//!
//! # The request
//!
//! | field | |
//! |---|---|
//! | `ApiEndpoint` (required) | the URL; `https://…` (or `http://…`, for local servers) |
//! | `Method` (required) | `GET`, `POST`, `PUT`, `DELETE`, `PATCH`, `OPTIONS` or `HEAD` |
//! | `InvocationConfig.ConnectionArn` or `Authentication.ConnectionArn` (one is required) | the connection, looked up in the connections file |
//! | `Headers` | an object; a list value sends the header once per element |
//! | `QueryParameters` | an object (nested values URL-encoded with `INDICES` brackets), an array (keyed by index) or a query string used as it is |
//! | `RequestBody` | JSON, sent as its compact text; a string is sent as it is |
//! | `Transform` | `{"RequestBodyEncoding": "NONE" \| "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "INDICES" \| "REPEAT" \| "COMMAS" \| "BRACKETS"}}` |
//!
//! Step Functions sets `User-Agent: Amazon|StepFunctions|HttpInvoke|<region>` and
//! `Range: bytes=0-262144` (over the task's), and `Content-Type: application/json;
//! charset=UTF-8` when a body goes without one. A task may not set `A-IM`,
//! `Accept-Charset`, `Accept-Datetime`, `Accept-Encoding`, `Authorization`,
//! `Cache-Control`, `Connection`, `Content-Encoding`, `Content-MD5`, `Date`, `Expect`,
//! `Forwarded`, `From`, `Host`, `HTTP2-Settings`, `If-Match`, `If-Modified-Since`,
//! `If-None-Match`, `If-Range`, `If-Unmodified-Since`, `Max-Forwards`, `Origin`,
//! `Pragma`, `Proxy-Authorization`, `Referer`, `Server`, `TE`, `Trailer`,
//! `Transfer-Encoding`, `Upgrade`, `Via`, `Warning` or any `x-forwarded-*`, `x-amz-*`,
//! `x-amzn-*` header: the task fails with `States.Runtime`.
//!
//! The connection's `InvocationHttpParameters` are merged in: its headers, query string
//! parameters and body parameters are added to the task's and win where both name the
//! same key; a string `RequestBody` cannot take body parameters (`States.Runtime`). URL
//! encoding is described [below](#url-encoding).
//!
//! # The result
//!
//! ```json
//! {
//!   "Headers": {"content-type": ["application/json"], "date": ["Tue, 21 Nov 2023 00:06:17 GMT"]},
//!   "ResponseBody": {"id": "cus_123"},
//!   "StatusCode": 200,
//!   "StatusText": "OK"
//! }
//! ```
//!
//! Header names are lower-case and each value is a list; `ResponseBody` is the parsed JSON
//! when the response is JSON (`application/json`, `…+json`), its text otherwise (AWS's
//! TestState example, <https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html>).
//!
//! # Errors
//!
//! | error | when |
//! |---|---|
//! | `States.Http.StatusCode.<code>` | the response is not 2xx; the cause is its status text (`Not Found`) |
//! | `States.Http.Socket` | no response within 60 seconds ("HTTP task requests will timeout after 60 seconds"), or none at all: refused, reset, DNS, TLS |
//! | `States.Runtime` | parameters the task cannot use (a missing `ApiEndpoint`, an unknown `Method`, a forbidden header…); a string body with connection body parameters; a response of type `application/octet-stream`, `image/*`, `video/*` or `audio/*`, or one that is not text |
//! | `States.DataLimitExceeded` | a response body over 256 KiB |
//! | `Events.ConnectionResource.ResourceNotFound` | the connection is not in the connections file (the cause names the ARN and the file) |
//! | `Events.ConnectionResource.InvalidConnectionState` | an OAuth connection whose authorization endpoint gives no token |
//!
//! `Retry` and `Catch` take them like any task error (`States.TaskFailed` matches the
//! `States.Http.*` and `Events.*` ones).
//!
//! # The connections file
//!
//! A JSON object keyed by connection ARN; each connection is what EventBridge's
//! [CreateConnection](https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html)
//! takes, with its field names, so a connection can be pasted from a `--cli-input-json`
//! file or a CloudFormation `AWS::Events::Connection`:
//!
//! ```json
//! {
//!   "arn:aws:events:us-east-1:123456789012:connection/Stripe/81210c42-8af1-456b-9c4a-6ff02fc664ac": {
//!     "AuthorizationType": "BASIC",
//!     "AuthParameters": {
//!       "BasicAuthParameters": {"Username": "shop", "Password": "s3cret"}
//!     }
//!   },
//!   "arn:aws:events:us-east-1:123456789012:connection/Datadog/0a1b2c3d": {
//!     "AuthorizationType": "API_KEY",
//!     "AuthParameters": {
//!       "ApiKeyAuthParameters": {"ApiKeyName": "DD-API-KEY", "ApiKeyValue": "abc123"},
//!       "InvocationHttpParameters": {
//!         "HeaderParameters": [{"Key": "DD-APPLICATION-KEY", "Value": "def456", "IsValueSecret": true}],
//!         "QueryStringParameters": [{"Key": "region", "Value": "eu"}],
//!         "BodyParameters": [{"Key": "source", "Value": "step-functions"}]
//!       }
//!     }
//!   },
//!   "arn:aws:events:us-east-1:123456789012:connection/Salesforce/4e5f6a7b": {
//!     "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
//!     "AuthParameters": {
//!       "OAuthParameters": {
//!         "AuthorizationEndpoint": "https://login.example.com/oauth2/token",
//!         "HttpMethod": "POST",
//!         "ClientParameters": {"ClientID": "my-client", "ClientSecret": "my-secret"},
//!         "OAuthHttpParameters": {
//!           "BodyParameters": [{"Key": "scope", "Value": "api"}]
//!         }
//!       }
//!     }
//!   }
//! }
//! ```
//!
//! - `AuthorizationType` is `BASIC`, `API_KEY` or `OAUTH_CLIENT_CREDENTIALS`, and
//!   `AuthParameters` has the parameters of that type and no other (as EventBridge
//!   requires), plus optionally `InvocationHttpParameters`.
//! - `BASIC` sends `Authorization: Basic base64(Username:Password)`; `API_KEY` sends the
//!   header `ApiKeyName: ApiKeyValue`.
//! - `OAUTH_CLIENT_CREDENTIALS` sends `Authorization: Bearer <token>`, the token coming from
//!   `AuthorizationEndpoint` (by `HttpMethod`, the client ID and secret as Basic
//!   authentication, `OAuthHttpParameters` as the token request's headers, query string
//!   and form body, `grant_type=client_credentials` unless the body names a grant type).
//!   The token is kept until 60 seconds before its `expires_in`, and dropped when the API
//!   answers 401 or 407, as EventBridge does
//!   (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-auth.html>):
//!   that task fails with `States.Http.StatusCode.401` and its `Retry` gets a new token.
//! - `Name`, `Description`, `InvocationConnectivityParameters`, `KmsKeyIdentifier` and
//!   `AuthParameters.ConnectivityParameters` are accepted and not used (there is no VPC).
//! - Every mistake is reported at once, each at its line and column with a hint; values
//!   are never quoted, since they may be secrets.
//!
//! # URL encoding
//!
//! AWS's examples for `{"array": ["a","b","c","d"]}`: `INDICES` (the default)
//! `array[0]=a&array[1]=b&…`, `REPEAT` `array=a&array=b&…`, `COMMAS` `array=a,b,c,d`,
//! `BRACKETS` `array[]=a&array[]=b&…`. On the wire brackets are `%5B`/`%5D`, a space is
//! `%20`, and an object member is `key[member]` (AWS's Stripe example:
//! `metadata%5Border_details%5D=monthly%20report%20data`).
//!
//! # Where AWS does not say, and what happens here
//!
//! - Redirects are not followed: a 3xx is a non-2xx response
//!   (`States.Http.StatusCode.302`), and the connection's credentials never reach a host
//!   the task did not name.
//! - `QueryParameters` arrays and objects use `INDICES` brackets whatever `Transform` says
//!   (AWS documents `Transform` for the request body only, and `INDICES` as its default).
//! - A string `RequestBody` is sent as it is (not as a JSON string literal), so a task can
//!   send a body it built; `URL_ENCODED` without a `Content-Type` header sends
//!   `application/x-www-form-urlencoded` (AWS says the task must set it).
//! - `http://` endpoints are allowed, for local servers.
//! - A response without a body, or a JSON response that does not parse, has its text
//!   (`""` for none) as `ResponseBody`.

mod connections;
mod encode;
mod locate;
mod oauth;
mod request;
mod response;

use std::fmt;
use std::time::Duration;

use asl_runtime::Error;
use reqwest::Url;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde_json::Value;

pub use connections::Connections;
use connections::{Authorization, Connection};
use oauth::{append_query, display_url};
use request::Task;

/// The error of a request that got no response (AWS's name for its 60-second timeout).
pub(crate) const SOCKET: &str = "States.Http.Socket";

/// How long Step Functions waits for an HTTP Task's response ("HTTP task requests will
/// timeout after 60 seconds").
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// How long connecting may take (the [`TIMEOUT`] bounds the whole request).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `http:invoke` Tasks: builds each request from the task's input and its connection,
/// sends it, and answers AWS's envelope or AWS's error.
pub struct HttpInvoke {
    client: reqwest::Client,
    connections: Connections,
    user_agent: HeaderValue,
    timeout: Duration,
}

impl fmt::Debug for HttpInvoke {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpInvoke")
            .field("connections", &self.connections)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl HttpInvoke {
    /// HTTP Tasks authenticated by `connections`, in `region` (what the `User-Agent`
    /// names).
    ///
    /// # Errors
    ///
    /// The HTTP client cannot be set up, or the region cannot be written in a header.
    pub fn new(connections: Connections, region: &str) -> Result<HttpInvoke, String> {
        let user_agent = HeaderValue::from_str(&format!("Amazon|StepFunctions|HttpInvoke|{region}"))
            .map_err(|_| format!("the region '{region}' cannot be written in an HTTP header"))?;
        Ok(HttpInvoke { client: client()?, connections, user_agent, timeout: TIMEOUT })
    }

    /// The same, waiting `timeout` for a response instead of AWS's 60 seconds (for tests
    /// of the timeout, which should not take a minute).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> HttpInvoke {
        self.timeout = timeout;
        self
    }

    /// Runs an `http:invoke` Task with its effective input: AWS's response envelope, or the
    /// error AWS fails it with (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// `States.Http.StatusCode.<code>`, `States.Http.Socket`, `States.Runtime`,
    /// `States.DataLimitExceeded` or `Events.ConnectionResource.*`, as the module docs
    /// list them. A cause never holds a secret of the connection.
    pub async fn invoke(&self, input: Value) -> Result<Value, Error> {
        let task = Task::parse(&input)?;
        let connection = self.connections.get(&task.connection_arn)?;
        let body = request::body(&task, &input, &connection.invocation)?;
        let mut url = task.endpoint.clone();
        append_query(&mut url, &request::query_string(&task.query, &connection.invocation));
        let authorization = self.authorization(&connection).await?;
        let headers = request::headers(
            &task,
            &connection.invocation,
            Some(authorization),
            &self.user_agent,
            body.as_ref().map(|(_, content_type)| *content_type),
        );
        let mut request = self.client.request(task.method.clone(), url).headers(headers).timeout(self.timeout);
        if let Some((body, _)) = body {
            request = request.body(body);
        }
        let response = request.send().await.map_err(|e| self.transport_error(&e, &task.endpoint))?;
        let status = response.status();
        if status.is_success() {
            return response::envelope(response).await;
        }
        if matches!(status.as_u16(), 401 | 407)
            && let Authorization::OAuth(oauth) = &connection.auth
        {
            oauth.token.invalidate().await;
        }
        Err(response::status_error(status, response::status_text(&response)))
    }

    /// The header that authorizes a request through `connection`.
    async fn authorization(
        &self,
        connection: &Connection,
    ) -> Result<(reqwest::header::HeaderName, HeaderValue), Error> {
        Ok(match &connection.auth {
            Authorization::Basic(value) => (AUTHORIZATION, value.clone()),
            Authorization::ApiKey { name, value } => (name.clone(), value.clone()),
            Authorization::OAuth(oauth) => {
                (AUTHORIZATION, oauth.token.authorization(&self.client, connection, oauth, self.timeout).await?)
            }
        })
    }

    /// `States.Http.Socket` for a request that got no response, naming the endpoint
    /// without its query string (which can hold the connection's secret parameters).
    fn transport_error(&self, error: &reqwest::Error, endpoint: &Url) -> Error {
        let endpoint = display_url(endpoint);
        if error.is_timeout() {
            let seconds = self.timeout.as_secs_f64();
            Error::new(SOCKET, format!("The HTTP request to {endpoint} timed out after {seconds} seconds."))
        } else {
            Error::new(SOCKET, format!("The HTTP request to {endpoint} failed: {}.", error_chain(error)))
        }
    }
}

/// The HTTP client of HTTP Tasks: the crate's client set-up (rustls with ring), without
/// following redirects. reqwest decides redirects per client, not per request, and the
/// shared client follows them, which would carry a connection's API key header to
/// whatever host a response names (reqwest drops only `Authorization` and cookies on a
/// change of host). The shared constructor still runs first: it installs the process's
/// TLS provider, which a client cannot be built without.
fn client() -> Result<reqwest::Client, String> {
    crate::client::new_client()?;
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))
}

/// What went wrong with a request, from the error's sources: reqwest's own message ends
/// with the URL, which can carry secret query parameters, so it is left out.
pub(crate) fn error_chain(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last().is_none_or(|last| *last != text) {
            parts.push(text);
        }
        source = cause.source();
    }
    if parts.is_empty() {
        parts.push(
            if error.is_connect() {
                "could not connect"
            } else if error.is_body() || error.is_decode() {
                "the response body could not be read"
            } else {
                "the request could not be sent"
            }
            .to_owned(),
        );
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::HttpInvoke;

    #[test]
    fn http_invoke_can_be_shared_between_tasks() {
        fn shared<T: Send + Sync>() {}
        shared::<HttpInvoke>();
    }

    /// The dispatcher boxes `invoke`'s future as a `Send` future.
    #[allow(dead_code)]
    fn invoke_is_send(http: &HttpInvoke) {
        fn send<F: Send>(_: F) {}
        send(http.invoke(serde_json::Value::Null));
    }
}
