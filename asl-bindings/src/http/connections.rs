//! The connections file: EventBridge connections by ARN, read once, checked whole.
//!
//! The format is described in the [module docs](super). This module reads it, reports
//! every mistake it finds (each at its line and column, with what to do about it), and
//! holds the connections the HTTP Tasks authenticate with.
//!
//! Secret values (a password, an API key, a client secret, any parameter value) never
//! appear in a diagnostic or in `Debug` output: diagnostics name fields, not values, and
//! no source line is quoted (a quoted line could be the one holding the password).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use asl_runtime::Error;
use reqwest::Method;
use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

use super::locate::{Locations, Position};
use super::oauth::TokenCache;

/// The `Events.ConnectionResource.*` error of a connection that does not exist.
pub(crate) const RESOURCE_NOT_FOUND: &str = "Events.ConnectionResource.ResourceNotFound";

/// The EventBridge connections `http:invoke` Tasks authenticate with, by ARN (in place of
/// EventBridge itself): read from a [connections file](super) or [none](Connections::none).
pub struct Connections {
    file: Option<PathBuf>,
    by_arn: HashMap<String, Arc<Connection>>,
}

impl fmt::Debug for Connections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut arns: Vec<&String> = self.by_arn.keys().collect();
        arns.sort();
        f.debug_struct("Connections").field("file", &self.file).field("arns", &arns).finish()
    }
}

impl Connections {
    /// Reads a connections file (its format is in the [module docs](super)).
    ///
    /// # Errors
    ///
    /// The file cannot be read, or is not a valid connections file: every problem found,
    /// each as `error: what is wrong`, ` --> file:line:col`, `= help: how to fix it`.
    pub fn from_file(path: &Path) -> Result<Connections, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "error: cannot read the connections file `{}`: {e}\n  = help: give the path of a JSON file \
                 that maps connection ARNs to EventBridge connections (see the asl_bindings::http docs)",
                path.display()
            )
        })?;
        Connections::parse(path, &text)
    }

    /// Reads the text of a connections file; `path` is only for the diagnostics and for
    /// the errors of connections that are not in it.
    ///
    /// # Errors
    ///
    /// As [`from_file`](Connections::from_file), for text that is not a valid connections
    /// file.
    pub fn parse(path: &Path, text: &str) -> Result<Connections, String> {
        let root: Value = match serde_json::from_str(text) {
            Ok(root) => root,
            Err(e) => {
                let problem = Problem {
                    at: Position { line: e.line().max(1), column: e.column().max(1) },
                    message: format!("the connections file is not valid JSON: {}", serde_message(&e)),
                    help: None,
                };
                return Err(render(path, &[problem]));
            }
        };
        let mut checker = check::Checker { at: Locations::new(text), problems: Vec::new() };
        let by_arn = checker.root(&root);
        if checker.problems.is_empty() {
            Ok(Connections { file: Some(path.to_owned()), by_arn })
        } else {
            Err(render(path, &checker.problems))
        }
    }

    /// No connections file: every `http:invoke` Task fails, saying how to give one.
    pub fn none() -> Connections {
        Connections { file: None, by_arn: HashMap::new() }
    }

    /// The ARNs of the connections, sorted.
    pub fn arns(&self) -> Vec<&str> {
        let mut arns: Vec<&str> = self.by_arn.keys().map(String::as_str).collect();
        arns.sort_unstable();
        arns
    }

    /// The connection `arn`, or the error AWS fails a task with when its connection does
    /// not exist (`Events.ConnectionResource.ResourceNotFound`), saying where to add it.
    pub(crate) fn get(&self, arn: &str) -> Result<Arc<Connection>, Error> {
        if let Some(connection) = self.by_arn.get(arn) {
            return Ok(Arc::clone(connection));
        }
        let cause = match &self.file {
            Some(file) => format!(
                "The connection '{arn}' is not in the connections file '{}'. Add it there, keyed by \
                 this ARN, with the AuthorizationType and AuthParameters of EventBridge's CreateConnection.",
                file.display()
            ),
            None => format!(
                "The connection '{arn}' is not defined: no connections file was given. Write one (a JSON \
                 object keyed by connection ARN, each with the AuthorizationType and AuthParameters of \
                 EventBridge's CreateConnection) and pass it with --http-connections FILE \
                 (or ASL_HTTP_CONNECTIONS)."
            ),
        };
        Err(Error::new(RESOURCE_NOT_FOUND, cause))
    }
}

/// One EventBridge connection.
pub(crate) struct Connection {
    /// Its ARN (what errors name).
    pub arn: String,
    /// How it authorizes a request.
    pub auth: Authorization,
    /// `AuthParameters.InvocationHttpParameters`: what it adds to every request.
    pub invocation: HttpParameters,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.auth {
            Authorization::Basic(_) => "BASIC",
            Authorization::ApiKey { .. } => "API_KEY",
            Authorization::OAuth(_) => "OAUTH_CLIENT_CREDENTIALS",
        };
        f.debug_struct("Connection").field("arn", &self.arn).field("authorization_type", &kind).finish()
    }
}

/// A connection's authorization (`AuthorizationType` and its `AuthParameters`).
pub(crate) enum Authorization {
    /// `BASIC`: the `Authorization: Basic …` header, ready to send.
    Basic(HeaderValue),
    /// `API_KEY`: a header named `ApiKeyName` with the value `ApiKeyValue`.
    ApiKey {
        /// `ApiKeyName`.
        name: HeaderName,
        /// `ApiKeyValue` (marked sensitive).
        value: HeaderValue,
    },
    /// `OAUTH_CLIENT_CREDENTIALS`: a bearer token from the authorization endpoint (boxed:
    /// it is much larger than the other two).
    OAuth(Box<OAuth>),
}

/// `AuthParameters.OAuthParameters` of an `OAUTH_CLIENT_CREDENTIALS` connection.
pub(crate) struct OAuth {
    /// `AuthorizationEndpoint`: where tokens come from.
    pub endpoint: Url,
    /// `HttpMethod`: GET, POST or PUT.
    pub method: Method,
    /// `ClientParameters` as an `Authorization: Basic …` header (marked sensitive).
    pub client: HeaderValue,
    /// `OAuthHttpParameters`: what the token request carries besides.
    pub http: HttpParameters,
    /// The current token, shared by the tasks that use this connection.
    pub token: TokenCache,
}

/// EventBridge's `ConnectionHttpParameters`: headers, query string and body parameters.
#[derive(Default)]
pub(crate) struct HttpParameters {
    /// `HeaderParameters` (values marked sensitive).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// `QueryStringParameters`.
    pub query: Vec<(String, String)>,
    /// `BodyParameters`.
    pub body: Vec<(String, String)>,
}

/// `Basic base64(user:password)`, marked sensitive so it is never printed.
pub(crate) fn basic_authorization(user: &str, password: &str) -> Option<HeaderValue> {
    let mut value =
        HeaderValue::from_str(&format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// Standard base64 with padding (RFC 4648 §4), as HTTP Basic authentication writes it.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[usize::try_from(n >> shift & 63).unwrap_or(0)]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One mistake in a connections file.
struct Problem {
    /// Where it is.
    at: Position,
    /// What is wrong.
    message: String,
    /// How to fix it, when there is more to say.
    help: Option<String>,
}

/// The diagnostics in the order of the file, rendered as the compiler renders a
/// definition's (without quoting the source line: it could hold a secret).
fn render(path: &Path, problems: &[Problem]) -> String {
    let mut sorted: Vec<&Problem> = problems.iter().collect();
    sorted.sort_by_key(|problem| (problem.at.line, problem.at.column));
    let mut out = String::new();
    for problem in sorted {
        out.push_str(&format!(
            "error: {}\n --> {}:{}:{}\n",
            problem.message,
            path.display(),
            problem.at.line,
            problem.at.column
        ));
        if let Some(help) = &problem.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        out.push('\n');
    }
    let count = problems.len();
    out.push_str(&format!(
        "error: could not read the connections file `{}` due to {count} previous error{}",
        path.display(),
        if count == 1 { "" } else { "s" }
    ));
    out
}

/// serde_json's message without the ` at line L column C` it appends (the position is
/// rendered separately).
fn serde_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_owned()
}

mod check;
#[cfg(test)]
mod diagnostics;

#[cfg(test)]
mod tests {
    use super::base64;
    use super::check::is_connection_arn;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let vectors =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")];
        for (text, encoded) in vectors {
            assert_eq!(base64(text.as_bytes()), encoded);
        }
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(&[0xFF, 0xFE, 0xFD]), "//79");
    }

    #[test]
    fn connection_arns() {
        assert!(is_connection_arn("arn:aws:events:us-east-1:123456789012:connection/Stripe/81210c42"));
        assert!(is_connection_arn("arn:aws-cn:events:cn-north-1:1:connection/x"));
        assert!(!is_connection_arn("arn:aws:events:us-east-1:1:api-destination/x"));
        assert!(!is_connection_arn("arn:aws:states:us-east-1:1:connection/x"));
        assert!(!is_connection_arn("ConnectionArn"));
        assert!(!is_connection_arn("arn:aws:events:us-east-1:1:connection/"));
    }
}
