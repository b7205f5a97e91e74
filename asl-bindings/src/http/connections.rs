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
use serde_json::{Map, Value};

use super::locate::{Locations, Position, child};
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
        let mut checker = Checker { at: Locations::new(text), problems: Vec::new() };
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
    at: Position,
    message: String,
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

/// The fields of a connection: CreateConnection's request (its `Name`, `Description`,
/// `InvocationConnectivityParameters` and `KmsKeyIdentifier` are accepted so that a saved
/// `--cli-input-json` can be pasted, and not used).
const CONNECTION_FIELDS: &[&str] = &[
    "AuthorizationType",
    "AuthParameters",
    "Name",
    "Description",
    "InvocationConnectivityParameters",
    "KmsKeyIdentifier",
];

/// The members of `AuthParameters` (`ConnectivityParameters`, for a private OAuth
/// endpoint, is accepted and not used: there is no VPC here).
const AUTH_PARAMETERS_FIELDS: &[&str] = &[
    "BasicAuthParameters",
    "ApiKeyAuthParameters",
    "OAuthParameters",
    "InvocationHttpParameters",
    "ConnectivityParameters",
];

const AUTHORIZATION_TYPES: &str = "BASIC, API_KEY or OAUTH_CLIENT_CREDENTIALS";

struct Checker {
    at: Locations,
    problems: Vec<Problem>,
}

impl Checker {
    fn problem(&mut self, at: Position, message: String, help: Option<String>) {
        self.problems.push(Problem { at, message, help });
    }

    fn root(&mut self, root: &Value) -> HashMap<String, Arc<Connection>> {
        let Value::Object(members) = root else {
            self.problem(
                self.at.value(""),
                format!("the connections file must be a JSON object, not {}", kind(root)),
                Some(
                    "key each connection by its ARN: {\"arn:aws:events:us-east-1:123456789012:connection/Name/id\": \
                     {\"AuthorizationType\": \"API_KEY\", \"AuthParameters\": {…}}}"
                        .to_owned(),
                ),
            );
            return HashMap::new();
        };
        let mut by_arn = HashMap::new();
        for (arn, value) in members {
            let pointer = child("", arn);
            if !is_connection_arn(arn) {
                self.problem(
                    self.at.key(&pointer),
                    format!("`{arn}` is not the ARN of an EventBridge connection"),
                    Some(
                        "key each connection by the ARN its HTTP Tasks name in `ConnectionArn`, such as \
                         `arn:aws:events:us-east-1:123456789012:connection/Stripe/81210c42-8af1-456b-9c4a-6ff02fc664ac`"
                            .to_owned(),
                    ),
                );
            }
            if let Some(connection) = self.connection(arn, value, &pointer) {
                by_arn.insert(arn.clone(), Arc::new(connection));
            }
        }
        by_arn
    }

    fn connection(&mut self, arn: &str, value: &Value, pointer: &str) -> Option<Connection> {
        let members = self.object(value, pointer, "a connection")?;
        self.unknown_fields(members, pointer, "a connection", CONNECTION_FIELDS);
        let kind = self.authorization_type(members, pointer);
        let Some(parameters) = members.get("AuthParameters") else {
            self.missing(pointer, "AuthParameters", "a connection", Some(auth_parameters_help(kind)));
            return None;
        };
        let pointer = child(pointer, "AuthParameters");
        let parameters = self.object(parameters, &pointer, "`AuthParameters`")?;
        self.unknown_fields(parameters, &pointer, "`AuthParameters`", AUTH_PARAMETERS_FIELDS);
        let invocation = match parameters.get("InvocationHttpParameters") {
            Some(value) => {
                self.http_parameters(value, &child(&pointer, "InvocationHttpParameters"), "InvocationHttpParameters")?
            }
            None => HttpParameters::default(),
        };
        // EventBridge takes only the parameters of the connection's AuthorizationType.
        for (field, belongs_to) in [
            ("BasicAuthParameters", "BASIC"),
            ("ApiKeyAuthParameters", "API_KEY"),
            ("OAuthParameters", "OAUTH_CLIENT_CREDENTIALS"),
        ] {
            if let Some(kind) = kind
                && kind != belongs_to
                && parameters.contains_key(field)
            {
                self.problem(
                    self.at.key(&child(&pointer, field)),
                    format!("`{field}` does not go with AuthorizationType `{kind}`"),
                    Some(format!(
                        "a connection has only the parameters of its AuthorizationType: remove `{field}`, or \
                         make AuthorizationType `{belongs_to}`"
                    )),
                );
            }
        }
        let auth = match kind? {
            "BASIC" => self.basic(parameters, &pointer)?,
            "API_KEY" => self.api_key(parameters, &pointer)?,
            _ => self.oauth(parameters, &pointer)?,
        };
        Some(Connection { arn: arn.to_owned(), auth, invocation })
    }

    /// `AuthorizationType`, if it is one of the three (reporting it otherwise).
    fn authorization_type(&mut self, members: &Map<String, Value>, pointer: &str) -> Option<&'static str> {
        let text = self.string(members, pointer, "AuthorizationType", "a connection", Some(AUTHORIZATION_TYPES))?;
        match text.as_str() {
            "BASIC" => Some("BASIC"),
            "API_KEY" => Some("API_KEY"),
            "OAUTH_CLIENT_CREDENTIALS" => Some("OAUTH_CLIENT_CREDENTIALS"),
            other => {
                self.problem(
                    self.at.value(&child(pointer, "AuthorizationType")),
                    format!("`AuthorizationType` is `{other}`, which EventBridge connections do not have"),
                    Some(format!("use {AUTHORIZATION_TYPES}")),
                );
                None
            }
        }
    }

    fn basic(&mut self, parameters: &Map<String, Value>, pointer: &str) -> Option<Authorization> {
        let (members, pointer) = self.required_object(parameters, pointer, "BasicAuthParameters", "BASIC")?;
        self.unknown_fields(members, &pointer, "`BasicAuthParameters`", &["Username", "Password"]);
        let username = self.string(members, &pointer, "Username", "`BasicAuthParameters`", None);
        let password = self.string(members, &pointer, "Password", "`BasicAuthParameters`", None);
        let (username, password) = (username?, password?);
        if username.contains(':') {
            self.problem(
                self.at.value(&child(&pointer, "Username")),
                "`Username` contains a `:`, which Basic authentication cannot carry".to_owned(),
                Some(
                    "HTTP Basic authentication joins user and password with `:`; the user cannot contain one"
                        .to_owned(),
                ),
            );
            return None;
        }
        match basic_authorization(&username, &password) {
            Some(header) => Some(Authorization::Basic(header)),
            None => {
                self.problem(
                    self.at.value(&pointer),
                    "`Username` or `Password` has characters an HTTP header cannot carry".to_owned(),
                    Some("remove control characters such as line breaks".to_owned()),
                );
                None
            }
        }
    }

    fn api_key(&mut self, parameters: &Map<String, Value>, pointer: &str) -> Option<Authorization> {
        let (members, pointer) = self.required_object(parameters, pointer, "ApiKeyAuthParameters", "API_KEY")?;
        self.unknown_fields(members, &pointer, "`ApiKeyAuthParameters`", &["ApiKeyName", "ApiKeyValue"]);
        let name = self.string(members, &pointer, "ApiKeyName", "`ApiKeyAuthParameters`", None);
        let value = self.string(members, &pointer, "ApiKeyValue", "`ApiKeyAuthParameters`", None);
        let name = self.header_name(&name?, &child(&pointer, "ApiKeyName"));
        let value = self.header_value(&value?, &child(&pointer, "ApiKeyValue"));
        Some(Authorization::ApiKey { name: name?, value: value? })
    }

    fn oauth(&mut self, parameters: &Map<String, Value>, pointer: &str) -> Option<Authorization> {
        let (members, pointer) =
            self.required_object(parameters, pointer, "OAuthParameters", "OAUTH_CLIENT_CREDENTIALS")?;
        let fields = ["AuthorizationEndpoint", "HttpMethod", "ClientParameters", "OAuthHttpParameters"];
        self.unknown_fields(members, &pointer, "`OAuthParameters`", &fields);
        let endpoint = self.string(members, &pointer, "AuthorizationEndpoint", "`OAuthParameters`", None);
        let endpoint = endpoint.and_then(|text| self.url(&text, &child(&pointer, "AuthorizationEndpoint")));
        let method = self.string(members, &pointer, "HttpMethod", "`OAuthParameters`", Some("GET, POST or PUT"));
        let method = method.and_then(|text| match text.as_str() {
            "GET" => Some(Method::GET),
            "POST" => Some(Method::POST),
            "PUT" => Some(Method::PUT),
            other => {
                self.problem(
                    self.at.value(&child(&pointer, "HttpMethod")),
                    format!("`HttpMethod` is `{other}`, which EventBridge does not use for authorization"),
                    Some("use GET, POST or PUT".to_owned()),
                );
                None
            }
        });
        let client = match members.get("ClientParameters") {
            Some(value) => {
                let pointer = child(&pointer, "ClientParameters");
                self.object(value, &pointer, "`ClientParameters`").and_then(|client| {
                    self.unknown_fields(client, &pointer, "`ClientParameters`", &["ClientID", "ClientSecret"]);
                    let id = self.string(client, &pointer, "ClientID", "`ClientParameters`", None);
                    let secret = self.string(client, &pointer, "ClientSecret", "`ClientParameters`", None);
                    let header = basic_authorization(&id?, &secret?);
                    if header.is_none() {
                        self.problem(
                            self.at.value(&pointer),
                            "`ClientID` or `ClientSecret` has characters an HTTP header cannot carry".to_owned(),
                            Some("remove control characters such as line breaks".to_owned()),
                        );
                    }
                    header
                })
            }
            None => {
                self.missing(&pointer, "ClientParameters", "`OAuthParameters`", Some(client_help()));
                None
            }
        };
        let http = match members.get("OAuthHttpParameters") {
            Some(value) => self.http_parameters(value, &child(&pointer, "OAuthHttpParameters"), "OAuthHttpParameters"),
            None => Some(HttpParameters::default()),
        };
        Some(Authorization::OAuth(Box::new(OAuth {
            endpoint: endpoint?,
            method: method?,
            client: client?,
            http: http?,
            token: TokenCache::default(),
        })))
    }

    /// `ConnectionHttpParameters`: `HeaderParameters`, `QueryStringParameters`,
    /// `BodyParameters`, each a list of `{Key, Value, IsValueSecret}`.
    fn http_parameters(&mut self, value: &Value, pointer: &str, name: &str) -> Option<HttpParameters> {
        let what = format!("`{name}`");
        let members = self.object(value, pointer, &what)?;
        let fields = ["HeaderParameters", "QueryStringParameters", "BodyParameters"];
        self.unknown_fields(members, pointer, &what, &fields);
        let mut parameters = HttpParameters::default();
        let mut valid = true;
        for field in fields {
            let Some(list) = members.get(field) else { continue };
            let list_pointer = child(pointer, field);
            let Value::Array(items) = list else {
                self.wrong_type(&list_pointer, field, "a list of {\"Key\", \"Value\", \"IsValueSecret\"}", list);
                valid = false;
                continue;
            };
            for (index, item) in items.iter().enumerate() {
                let item_pointer = child(&list_pointer, &index.to_string());
                let Some((key, value)) = self.parameter(item, &item_pointer, field) else {
                    valid = false;
                    continue;
                };
                if field == "HeaderParameters" {
                    let name = self.header_name(&key, &child(&item_pointer, "Key"));
                    let value = self.header_value(&value, &child(&item_pointer, "Value"));
                    match name.zip(value) {
                        Some(header) => parameters.headers.push(header),
                        None => valid = false,
                    }
                } else if field == "QueryStringParameters" {
                    parameters.query.push((key, value));
                } else {
                    parameters.body.push((key, value));
                }
            }
        }
        valid.then_some(parameters)
    }

    /// One `{Key, Value, IsValueSecret}`.
    fn parameter(&mut self, item: &Value, pointer: &str, list: &str) -> Option<(String, String)> {
        let what = format!("an entry of `{list}`");
        let members = self.object(item, pointer, &what)?;
        self.unknown_fields(members, pointer, &what, &["Key", "Value", "IsValueSecret"]);
        let key = self.string(members, pointer, "Key", &what, None);
        let value = match members.get("Value") {
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => {
                self.wrong_type(&child(pointer, "Value"), "Value", "a string", other);
                None
            }
            None => {
                self.missing(pointer, "Value", &what, None);
                None
            }
        };
        if let Some(secret) = members.get("IsValueSecret")
            && !secret.is_boolean()
        {
            self.wrong_type(&child(pointer, "IsValueSecret"), "IsValueSecret", "true or false", secret);
        }
        Some((key?, value?))
    }

    fn required_object<'v>(
        &mut self,
        parameters: &'v Map<String, Value>,
        pointer: &str,
        field: &str,
        kind: &str,
    ) -> Option<(&'v Map<String, Value>, String)> {
        match parameters.get(field) {
            Some(value) => {
                let pointer = child(pointer, field);
                let members = self.object(value, &pointer, &format!("`{field}`"))?;
                Some((members, pointer))
            }
            None => {
                self.problem(
                    self.at.value(pointer),
                    format!("AuthorizationType `{kind}` needs `AuthParameters.{field}`"),
                    Some(auth_parameters_help(Some(kind))),
                );
                None
            }
        }
    }

    fn object<'v>(&mut self, value: &'v Value, pointer: &str, what: &str) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(members) => Some(members),
            other => {
                self.problem(
                    self.at.value(pointer),
                    format!("{what} must be a JSON object, not {}", kind(other)),
                    None,
                );
                None
            }
        }
    }

    /// A required, non-empty string member (EventBridge's minimum length is 1).
    fn string(
        &mut self,
        members: &Map<String, Value>,
        pointer: &str,
        field: &str,
        what: &str,
        choices: Option<&str>,
    ) -> Option<String> {
        match members.get(field) {
            Some(Value::String(text)) if !text.is_empty() => Some(text.clone()),
            Some(Value::String(_)) => {
                self.problem(self.at.value(&child(pointer, field)), format!("`{field}` is empty"), None);
                None
            }
            Some(other) => {
                self.wrong_type(&child(pointer, field), field, "a string", other);
                None
            }
            None => {
                self.missing(pointer, field, what, choices.map(|choices| format!("`{field}` is one of {choices}")));
                None
            }
        }
    }

    fn url(&mut self, text: &str, pointer: &str) -> Option<Url> {
        match Url::parse(text) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Some(url),
            _ => {
                self.problem(
                    self.at.value(pointer),
                    "`AuthorizationEndpoint` is not an http(s) URL".to_owned(),
                    Some(
                        "give the token endpoint's full URL, such as `https://auth.example.com/oauth2/token`"
                            .to_owned(),
                    ),
                );
                None
            }
        }
    }

    fn header_name(&mut self, name: &str, pointer: &str) -> Option<HeaderName> {
        match HeaderName::from_bytes(name.as_bytes()) {
            Ok(name) => Some(name),
            Err(_) => {
                self.problem(
                    self.at.value(pointer),
                    format!("`{name}` is not a valid HTTP header name"),
                    Some("a header name is letters, digits and `!#$%&'*+-.^_`|~`, without spaces or `:`".to_owned()),
                );
                None
            }
        }
    }

    /// A header value, marked sensitive (connection values can be secrets).
    fn header_value(&mut self, value: &str, pointer: &str) -> Option<HeaderValue> {
        match HeaderValue::from_str(value) {
            Ok(mut value) => {
                value.set_sensitive(true);
                Some(value)
            }
            Err(_) => {
                self.problem(
                    self.at.value(pointer),
                    "this value has characters an HTTP header cannot carry".to_owned(),
                    Some("remove control characters such as line breaks".to_owned()),
                );
                None
            }
        }
    }

    fn missing(&mut self, pointer: &str, field: &str, what: &str, help: Option<String>) {
        self.problem(self.at.value(pointer), format!("`{field}` is missing from {what}"), help);
    }

    fn wrong_type(&mut self, pointer: &str, field: &str, expected: &str, found: &Value) {
        self.problem(self.at.value(pointer), format!("`{field}` must be {expected}, not {}", kind(found)), None);
    }

    fn unknown_fields(&mut self, members: &Map<String, Value>, pointer: &str, what: &str, known: &[&str]) {
        for field in members.keys().filter(|field| !known.contains(&field.as_str())) {
            let help = match known.iter().find(|k| k.eq_ignore_ascii_case(field)) {
                Some(known) => format!("did you mean `{known}`? Field names are case-sensitive"),
                None => format!("the fields of {what} are {}", known.join(", ")),
            };
            self.problem(self.at.key(&child(pointer, field)), format!("{what} has no field `{field}`"), Some(help));
        }
    }
}

fn auth_parameters_help(kind: Option<&str>) -> String {
    match kind {
        Some("BASIC") => "give `\"BasicAuthParameters\": {\"Username\": …, \"Password\": …}`".to_owned(),
        Some("API_KEY") => "give `\"ApiKeyAuthParameters\": {\"ApiKeyName\": …, \"ApiKeyValue\": …}`".to_owned(),
        Some(_) => format!(
            "give `\"OAuthParameters\": {{\"AuthorizationEndpoint\": …, \"HttpMethod\": \"POST\", {}}}`",
            "\"ClientParameters\": {\"ClientID\": …, \"ClientSecret\": …}"
        ),
        None => "give the parameters of the AuthorizationType, as EventBridge's CreateConnection takes them".to_owned(),
    }
}

fn client_help() -> String {
    "give `\"ClientParameters\": {\"ClientID\": …, \"ClientSecret\": …}`".to_owned()
}

/// `arn:PARTITION:events:REGION:ACCOUNT:connection/NAME[/ID]`.
fn is_connection_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "events", _, _, resource]
            if !partition.is_empty() && resource.strip_prefix("connection/").is_some_and(|name| !name.is_empty())
    )
}

/// What kind of JSON value this is, for messages (never the value itself: it could be a
/// secret).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod diagnostics;

#[cfg(test)]
mod tests {
    use super::{base64, is_connection_arn};

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
