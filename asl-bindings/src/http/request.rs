//! An `http:invoke` Task's effective input → the HTTP request Step Functions sends.
//!
//! Parsing checks the fields as AWS documents them and fails a task whose input does not
//! fit with `States.Runtime`, AWS's error for parameters it cannot use (the cause in the
//! words AWS uses for a service task's unusable parameters: `The Parameters '…' could not
//! be used to start the Task: […]`). Merging follows "Merging EventBridge connection and
//! HTTP Task definition data" of
//! <https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html>: the
//! connection's headers, query parameters and body parameters are added to the task's, and
//! win where both name the same key.

use asl_runtime::Error;
use asl_runtime::error::names;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RANGE, USER_AGENT};
use reqwest::{Method, Url};
use serde_json::{Map, Value};

use super::connections::HttpParameters;
use super::encode::{ArrayFormat, encode_array, encode_object, encode_pairs, percent_decode};

/// The fields of an HTTP Task's parameters.
const FIELDS: &[&str] = &[
    "ApiEndpoint",
    "Method",
    "Authentication",
    "InvocationConfig",
    "Headers",
    "QueryParameters",
    "Transform",
    "RequestBody",
];

/// The methods an HTTP Task can use.
const METHODS: &str = "GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD";

/// What Step Functions sends as `Range` (the 256 KiB payload limit, as bytes 0–262144).
pub(crate) const RANGE_VALUE: &str = "bytes=0-262144";

/// The content type of a body Step Functions serialises as JSON, when the task gives none
/// (what AWS's documented requests show).
const JSON_CONTENT_TYPE: &str = "application/json; charset=UTF-8";

/// The content type of a URL-encoded body when the task gives none. AWS's documentation
/// says the task "must" set it; here it is set for the task that forgets.
const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// An HTTP Task's parameters, checked.
#[derive(Debug)]
pub(crate) struct Task {
    /// `ApiEndpoint`.
    pub endpoint: Url,
    /// `Method`.
    pub method: Method,
    /// `Authentication.ConnectionArn` or `InvocationConfig.ConnectionArn`.
    pub connection_arn: String,
    /// `Headers`, in order (a header given as a list has one entry per value).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// `QueryParameters`.
    pub query: Query,
    /// `RequestBody` (absent when missing or `null`).
    pub body: Option<Value>,
    /// `Transform`: whether the body is URL-encoded, and how its arrays are.
    pub url_encoded: Option<ArrayFormat>,
}

/// `QueryParameters`.
#[derive(Debug, PartialEq)]
pub(crate) enum Query {
    /// None given.
    None,
    /// An object (or an array, keyed by index), URL-encoded.
    Members(Map<String, Value>),
    /// A query string, used as it is.
    Text(String),
}

/// Fails a task with `States.Runtime` for parameters it cannot use.
fn unusable(input: &Value, problem: impl std::fmt::Display) -> Error {
    Error::runtime(format!("The Parameters '{input}' could not be used to start the Task: [{problem}]"))
}

impl Task {
    /// Checks an HTTP Task's effective input (its `Parameters`/`Arguments` after
    /// evaluation).
    pub(crate) fn parse(input: &Value) -> Result<Task, Error> {
        let Value::Object(fields) = input else {
            return Err(unusable(input, "The parameters of an HTTP Task must be a JSON object"));
        };
        if let Some(unknown) = fields.keys().find(|field| !FIELDS.contains(&field.as_str())) {
            return Err(unusable(
                input,
                format_args!(
                    "The field '{unknown}' is not supported by an HTTP Task; its fields are {}",
                    FIELDS.join(", ")
                ),
            ));
        }
        let endpoint = match fields.get("ApiEndpoint") {
            None | Some(Value::Null) => {
                return Err(unusable(input, "The field 'ApiEndpoint' is required but was missing"));
            }
            Some(Value::String(text)) => match Url::parse(text) {
                Ok(url) if matches!(url.scheme(), "https" | "http") && url.has_host() => url,
                _ => {
                    return Err(unusable(
                        input,
                        format_args!(
                            "The value of the field 'ApiEndpoint' must be an absolute URL such as \
                             https://api.example.com/path, not '{text}'"
                        ),
                    ));
                }
            },
            Some(_) => return Err(unusable(input, "The value of the field 'ApiEndpoint' must be a string")),
        };
        let method = match fields.get("Method") {
            None | Some(Value::Null) => return Err(unusable(input, "The field 'Method' is required but was missing")),
            Some(Value::String(text)) => match text.as_str() {
                "GET" => Method::GET,
                "POST" => Method::POST,
                "PUT" => Method::PUT,
                "DELETE" => Method::DELETE,
                "PATCH" => Method::PATCH,
                "OPTIONS" => Method::OPTIONS,
                "HEAD" => Method::HEAD,
                other => {
                    return Err(unusable(
                        input,
                        format_args!("The value of the field 'Method' must be one of {METHODS}, not '{other}'"),
                    ));
                }
            },
            Some(_) => {
                return Err(unusable(input, format_args!("The value of the field 'Method' must be one of {METHODS}")));
            }
        };
        let connection_arn = connection_arn(input, fields)?;
        let headers = match fields.get("Headers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(headers)) => task_headers(headers).map_err(|problem| unusable(input, problem))?,
            Some(_) => return Err(unusable(input, "The value of the field 'Headers' must be a JSON object")),
        };
        let query = match fields.get("QueryParameters") {
            None | Some(Value::Null) => Query::None,
            Some(Value::Object(members)) => Query::Members(members.clone()),
            Some(Value::Array(items)) => {
                Query::Members(items.iter().enumerate().map(|(i, item)| (i.to_string(), item.clone())).collect())
            }
            Some(Value::String(text)) => Query::Text(text.strip_prefix('?').unwrap_or(text).to_owned()),
            Some(_) => {
                return Err(unusable(
                    input,
                    "The value of the field 'QueryParameters' must be a JSON object, an array or a string",
                ));
            }
        };
        let url_encoded = match fields.get("Transform") {
            None | Some(Value::Null) => None,
            Some(Value::Object(transform)) => transform_of(transform).map_err(|problem| unusable(input, problem))?,
            Some(_) => return Err(unusable(input, "The value of the field 'Transform' must be a JSON object")),
        };
        let body = fields.get("RequestBody").filter(|body| !body.is_null()).cloned();
        Ok(Task { endpoint, method, connection_arn, headers, query, body, url_encoded })
    }
}

/// `Authentication.ConnectionArn` or `InvocationConfig.ConnectionArn` (AWS: "use either
/// the `Authentication` or `InvocationConfig` field").
fn connection_arn(input: &Value, fields: &Map<String, Value>) -> Result<String, Error> {
    let mut arns = Vec::new();
    for field in ["Authentication", "InvocationConfig"] {
        match fields.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Object(config)) => match config.get("ConnectionArn") {
                Some(Value::String(arn)) if !arn.is_empty() => arns.push(arn.clone()),
                Some(Value::String(_)) | None | Some(Value::Null) => {
                    return Err(unusable(
                        input,
                        format_args!("The field '{field}.ConnectionArn' is required but was missing"),
                    ));
                }
                Some(_) => {
                    return Err(unusable(
                        input,
                        format_args!("The value of the field '{field}.ConnectionArn' must be a string"),
                    ));
                }
            },
            Some(_) => {
                return Err(unusable(input, format_args!("The value of the field '{field}' must be a JSON object")));
            }
        }
    }
    match arns.len() {
        1 => Ok(arns.remove(0)),
        0 => Err(unusable(
            input,
            "An HTTP Task needs an EventBridge connection: give 'InvocationConfig': {'ConnectionArn': …} \
             (or 'Authentication': {'ConnectionArn': …})",
        )),
        _ => Err(unusable(input, "Give either 'Authentication' or 'InvocationConfig', not both")),
    }
}

/// `Transform`: `None` for `NONE` (the default), the array format for `URL_ENCODED`.
fn transform_of(transform: &Map<String, Value>) -> Result<Option<ArrayFormat>, String> {
    if let Some(unknown) =
        transform.keys().find(|k| !["RequestBodyEncoding", "RequestEncodingOptions"].contains(&k.as_str()))
    {
        return Err(format!(
            "The field 'Transform.{unknown}' is not supported; Transform has RequestBodyEncoding and RequestEncodingOptions"
        ));
    }
    let format = match transform.get("RequestEncodingOptions") {
        None | Some(Value::Null) => ArrayFormat::default(),
        Some(Value::Object(options)) => match options.get("ArrayFormat") {
            None | Some(Value::Null) => ArrayFormat::default(),
            Some(Value::String(name)) if ArrayFormat::parse(name).is_some() => {
                ArrayFormat::parse(name).unwrap_or_default()
            }
            Some(_) => {
                return Err("The value of the field 'Transform.RequestEncodingOptions.ArrayFormat' must be one of \
                            INDICES, REPEAT, COMMAS, BRACKETS"
                    .to_owned());
            }
        },
        Some(_) => {
            return Err("The value of the field 'Transform.RequestEncodingOptions' must be a JSON object".to_owned());
        }
    };
    match transform.get("RequestBodyEncoding") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(encoding)) if encoding == "NONE" => Ok(None),
        Some(Value::String(encoding)) if encoding == "URL_ENCODED" => Ok(Some(format)),
        Some(_) => Err("The value of the field 'Transform.RequestBodyEncoding' must be NONE or URL_ENCODED".to_owned()),
    }
}

/// The headers a task may not set (AWS: "If you use these headers, the HTTP Task fails
/// with the States.Runtime error"), lower-case; and the prefixes it may not use.
const FORBIDDEN_HEADERS: &[&str] = &[
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
];
const FORBIDDEN_PREFIXES: &[&str] = &["x-forwarded-", "x-amz-", "x-amzn-"];

/// Whether AWS refuses this header in a task's `Headers`.
pub(crate) fn is_forbidden(name: &HeaderName) -> bool {
    let name = name.as_str();
    FORBIDDEN_HEADERS.contains(&name) || FORBIDDEN_PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

/// `Headers`: a string, number or boolean value is one header; a list is one header per
/// element.
fn task_headers(headers: &Map<String, Value>) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
    let mut out = Vec::new();
    for (name, value) in headers {
        let Ok(header) = HeaderName::from_bytes(name.as_bytes()) else {
            return Err(format!("'{name}' in the field 'Headers' is not a valid HTTP header name"));
        };
        if is_forbidden(&header) {
            return Err(format!(
                "The header '{name}' cannot be used in an HTTP Task: Step Functions sets it, or does not allow it \
                 (authentication goes in the EventBridge connection)"
            ));
        }
        let values = match value {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        for value in values {
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Number(_) | Value::Bool(_) => value.to_string(),
                _ => return Err(format!("The value of the header '{name}' must be a string, a number or a boolean")),
            };
            let Ok(value) = HeaderValue::from_str(&text) else {
                return Err(format!("The value of the header '{name}' has characters an HTTP header cannot carry"));
            };
            out.push((header.clone(), value));
        }
    }
    Ok(out)
}

/// The query string: the task's `QueryParameters` with the connection's
/// `QueryStringParameters` added (replacing the task's where the keys are the same).
/// Nested values are encoded with `INDICES`, Step Functions' default array format
/// (`Transform` is documented for the request body only).
pub(crate) fn query_string(query: &Query, connection: &HttpParameters) -> String {
    match query {
        Query::None => encode_pairs(connection.query.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        Query::Members(members) => {
            let mut members = members.clone();
            for (key, value) in &connection.query {
                members.insert(key.clone(), Value::String(value.clone()));
            }
            encode_object(&members, ArrayFormat::Indices)
        }
        Query::Text(text) => {
            let mut pairs: Vec<&str> = text
                .split('&')
                .filter(|pair| !pair.is_empty())
                .filter(|pair| {
                    let key = percent_decode(pair.split('=').next().unwrap_or_default());
                    !connection.query.iter().any(|(k, _)| *k == key)
                })
                .collect();
            let added = encode_pairs(connection.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            if !added.is_empty() {
                pairs.push(&added);
            }
            pairs.join("&")
        }
    }
}

/// The body to send and its default content type: `RequestBody` merged with the
/// connection's `BodyParameters`, serialised as JSON or URL-encoded.
pub(crate) fn body(
    task: &Task,
    input: &Value,
    connection: &HttpParameters,
) -> Result<Option<(String, &'static str)>, Error> {
    let mut body = task.body.clone();
    if !connection.body.is_empty() {
        let mut members = match body {
            None => Map::new(),
            Some(Value::Object(members)) => members,
            Some(Value::String(_)) => {
                return Err(Error::runtime(
                    "The RequestBody is a string, and the EventBridge connection has body parameters: Step Functions \
                     cannot merge them (give the RequestBody as a JSON object, or remove the connection's \
                     BodyParameters)",
                ));
            }
            Some(_) => {
                return Err(Error::runtime(
                    "The RequestBody is not a JSON object, and the EventBridge connection has body parameters: \
                     Step Functions cannot merge them (give the RequestBody as a JSON object)",
                ));
            }
        };
        for (key, value) in &connection.body {
            members.insert(key.clone(), Value::String(value.clone()));
        }
        body = Some(Value::Object(members));
    }
    let Some(body) = body else { return Ok(None) };
    let encoded = match (&body, task.url_encoded) {
        // A string is the body as it is, encoded or not: it is what the task built.
        (Value::String(text), None) => (text.clone(), JSON_CONTENT_TYPE),
        (Value::String(text), Some(_)) => (text.clone(), FORM_CONTENT_TYPE),
        (body, None) => (body.to_string(), JSON_CONTENT_TYPE),
        (Value::Object(members), Some(format)) => (encode_object(members, format), FORM_CONTENT_TYPE),
        (Value::Array(items), Some(format)) => (encode_array(items, format), FORM_CONTENT_TYPE),
        (_, Some(_)) => {
            return Err(Error::new(
                names::RUNTIME,
                format!(
                    "The Parameters '{input}' could not be used to start the Task: [A RequestBody that is URL_ENCODED \
                     must be a JSON object or a string]"
                ),
            ));
        }
    };
    Ok(Some(encoded))
}

/// The request headers: the task's, then the connection's (which replace the task's of
/// the same name), then the authorization, then what Step Functions sets itself
/// (`User-Agent`, `Range`, and the body's `Content-Type` unless one was given).
pub(crate) fn headers(
    task: &Task,
    connection: &HttpParameters,
    authorization: Option<(HeaderName, HeaderValue)>,
    user_agent: &HeaderValue,
    content_type: Option<&'static str>,
) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in &task.headers {
        headers.append(name.clone(), value.clone());
    }
    for (name, _) in &connection.headers {
        headers.remove(name);
    }
    for (name, value) in &connection.headers {
        headers.append(name.clone(), value.clone());
    }
    if let Some((name, value)) = authorization {
        headers.insert(name, value);
    }
    headers.insert(USER_AGENT, user_agent.clone());
    headers.insert(RANGE, HeaderValue::from_static(RANGE_VALUE));
    if let Some(content_type) = content_type
        && !headers.contains_key(CONTENT_TYPE)
    {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    headers
}

#[cfg(test)]
mod tests;
