//! Checking a connections file: every mistake, each at its line and column with a hint.
//!
//! The checks walk the parsed JSON by hand rather than through serde's derive, so that
//! they can report every mistake of the file at once (serde stops at the first) and word
//! each one for someone editing the file, never quoting a value (it could be a secret).

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::Method;
use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

use super::{Authorization, Connection, HttpParameters, OAuth, Problem, basic_authorization};
use crate::http::locate::{Locations, Position, child};
use crate::http::oauth::TokenCache;

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

/// The checks of one file and the problems they found.
pub(super) struct Checker {
    /// Where each value of the file is.
    pub at: Locations,
    /// What is wrong, in the order found.
    pub problems: Vec<Problem>,
}

impl Checker {
    fn problem(&mut self, at: Position, message: String, help: Option<String>) {
        self.problems.push(Problem { at, message, help });
    }

    /// The connections of the file, by ARN (those without mistakes).
    pub(super) fn root(&mut self, root: &Value) -> HashMap<String, Arc<Connection>> {
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
pub(super) fn is_connection_arn(arn: &str) -> bool {
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
