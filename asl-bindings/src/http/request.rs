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
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use reqwest::header::{HeaderName, HeaderValue};
    use serde_json::{Value, json};

    use super::{HttpParameters, Query, Task, body, headers, query_string};

    fn task(input: Value) -> Task {
        Task::parse(&input).unwrap()
    }

    fn base() -> Value {
        json!({"ApiEndpoint": "https://api.example.com/v1", "Method": "GET",
               "InvocationConfig": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/c/1"}})
    }

    fn with(extra: Value) -> Value {
        let mut input = base();
        for (k, v) in extra.as_object().unwrap() {
            input[k] = v.clone();
        }
        input
    }

    fn connection(query: &[(&str, &str)], body: &[(&str, &str)], headers: &[(&str, &str)]) -> HttpParameters {
        let pairs = |list: &[(&str, &str)]| list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        HttpParameters {
            headers: headers
                .iter()
                .map(|(k, v)| (HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap()))
                .collect(),
            query: pairs(query),
            body: pairs(body),
        }
    }

    fn runtime_cause(input: Value) -> String {
        let error = Task::parse(&input).unwrap_err();
        assert_eq!(error.name, "States.Runtime");
        error.cause.unwrap()
    }

    #[test]
    fn authentication_or_invocation_config_names_the_connection() {
        let mut input = base();
        assert_eq!(task(input.clone()).connection_arn, "arn:aws:events:us-east-1:1:connection/c/1");
        input["Authentication"] = input["InvocationConfig"].take();
        input.as_object_mut().unwrap().remove("InvocationConfig");
        assert_eq!(task(input.clone()).connection_arn, "arn:aws:events:us-east-1:1:connection/c/1");
        input["InvocationConfig"] = json!({"ConnectionArn": "x"});
        assert!(runtime_cause(input.clone()).contains("not both"));
        input.as_object_mut().unwrap().remove("InvocationConfig");
        input.as_object_mut().unwrap().remove("Authentication");
        assert!(runtime_cause(input).contains("needs an EventBridge connection"));
    }

    #[test]
    fn unusable_parameters_fail_with_states_runtime() {
        let cases = [
            (json!({"ApiEndpoint": null}), "'ApiEndpoint' is required"),
            (json!({"ApiEndpoint": 7}), "'ApiEndpoint' must be a string"),
            (json!({"ApiEndpoint": "api.example.com/x"}), "absolute URL"),
            (json!({"ApiEndpoint": "ftp://api.example.com/x"}), "absolute URL"),
            (json!({"Method": "FETCH"}), "one of GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD, not 'FETCH'"),
            (json!({"Method": "get"}), "not 'get'"),
            (json!({"Method": null}), "'Method' is required"),
            (json!({"Headers": "a: b"}), "'Headers' must be a JSON object"),
            (json!({"Headers": {"bad name": "x"}}), "not a valid HTTP header name"),
            (json!({"Headers": {"x": {"y": 1}}}), "must be a string, a number or a boolean"),
            (json!({"Headers": {"x": "a\nb"}}), "cannot carry"),
            (json!({"QueryParameters": 5}), "'QueryParameters' must be"),
            (json!({"Transform": {"RequestBodyEncoding": "GZIP"}}), "NONE or URL_ENCODED"),
            (json!({"Transform": {"RequestEncodingOptions": {"ArrayFormat": "DOTS"}}}), "INDICES, REPEAT"),
            (json!({"Transform": {"Encoding": "NONE"}}), "'Transform.Encoding' is not supported"),
            (json!({"Header": {}}), "The field 'Header' is not supported"),
            (json!({"InvocationConfig": {"ConnectionArn": 3}}), "'InvocationConfig.ConnectionArn' must be a string"),
            (json!({"InvocationConfig": {}}), "'InvocationConfig.ConnectionArn' is required"),
        ];
        for (extra, expected) in cases {
            let cause = runtime_cause(with(extra.clone()));
            assert!(cause.starts_with("The Parameters '{"), "{cause}");
            assert!(cause.contains(expected), "{extra}: {cause}");
        }
        assert!(runtime_cause(json!([1])).contains("must be a JSON object"));
    }

    /// Whatever a field holds, parsing and encoding answer (an error or a request) and
    /// never panic.
    #[test]
    fn hostile_values_in_every_field_never_panic() {
        let hostile = [
            json!(null),
            json!(true),
            json!(-1),
            json!(1e308),
            json!(u64::MAX),
            json!(""),
            json!("\u{0}\r\n"),
            json!("https://"),
            json!("https://[::1]:99999/x"),
            json!("https://exa mple.com"),
            json!("http://é.example/ü?ä=ö#frag"),
            json!("x".repeat(10_000)),
            json!([]),
            json!({}),
            json!([[[[]]]]),
            json!({"a": {"b": {"c": [null, {"": ""}]}}}),
            json!({"\u{0}": "\u{0}", "Content-Type": ["a", ["b"]]}),
        ];
        let fields = ["ApiEndpoint", "Method", "Authentication", "InvocationConfig", "Headers", "QueryParameters"];
        let more = ["Transform", "RequestBody"];
        let conn = connection(&[("k", "v")], &[("b", "v")], &[("x-h", "v")]);
        for field in fields.iter().chain(&more) {
            for value in &hostile {
                let input = with(json!({ *field: value }));
                if let Ok(task) = Task::parse(&input) {
                    let _ = query_string(&task.query, &conn);
                    let _ = body(&task, &input, &conn);
                    let _ = body(&task, &input, &HttpParameters::default());
                }
                let mut transform = with(json!({"RequestBody": value, "QueryParameters": value}));
                transform["Transform"] = json!({"RequestBodyEncoding": "URL_ENCODED",
                                                "RequestEncodingOptions": {"ArrayFormat": "COMMAS"}});
                if let Ok(task) = Task::parse(&transform) {
                    let _ = query_string(&task.query, &conn);
                    let _ = body(&task, &transform, &conn);
                }
            }
        }
    }

    #[test]
    fn forbidden_headers_fail_whatever_their_case() {
        for name in ["Authorization", "HOST", "x-amz-date", "X-Amzn-Trace-Id", "X-Forwarded-For", "TE", "Warning"] {
            let cause = runtime_cause(with(json!({"Headers": {name: "v"}})));
            assert!(cause.contains(&format!("The header '{name}' cannot be used")), "{cause}");
        }
        for name in ["Content-Type", "X-Amzfoo", "Accept", "Range", "User-Agent", "X-Api-Key"] {
            assert!(Task::parse(&with(json!({"Headers": {name: "v"}}))).is_ok(), "{name}");
        }
    }

    #[test]
    fn query_parameters_merge_with_the_connection_s() {
        let conn = connection(&[("QueryParam", "connection"), ("k y", "v&")], &[], &[]);
        let object = task(with(json!({"QueryParameters": {"QueryParam": "task", "ids": [1, 2], "q": "a b"}})));
        assert_eq!(
            query_string(&object.query, &conn),
            "QueryParam=connection&ids%5B0%5D=1&ids%5B1%5D=2&q=a%20b&k%20y=v%26"
        );
        let text = task(with(json!({"QueryParameters": "?QueryParam=task&x=1&k+y=old"})));
        assert_eq!(text.query, Query::Text("QueryParam=task&x=1&k+y=old".to_owned()));
        assert_eq!(query_string(&text.query, &conn), "x=1&QueryParam=connection&k%20y=v%26");
        let array = task(with(json!({"QueryParameters": ["a", "b"]})));
        assert_eq!(query_string(&array.query, &HttpParameters::default()), "0=a&1=b");
        assert_eq!(query_string(&Query::None, &conn), "QueryParam=connection&k%20y=v%26");
        assert_eq!(query_string(&Query::None, &HttpParameters::default()), "");
    }

    #[test]
    fn bodies_merge_with_the_connection_s_and_encode() {
        let none = HttpParameters::default();
        let conn = connection(&[], &[("BodyParam", "connection")], &[]);
        let object = with(json!({"RequestBody": {"Job": "Engineer", "BodyParam": "task"}}));
        assert_eq!(
            body(&task(object.clone()), &object, &conn).unwrap(),
            Some((r#"{"Job":"Engineer","BodyParam":"connection"}"#.to_owned(), "application/json; charset=UTF-8"))
        );
        let form = with(json!({"RequestBody": {"a": [1, 2]}, "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                               "RequestEncodingOptions": {"ArrayFormat": "REPEAT"}}}));
        assert_eq!(
            body(&task(form.clone()), &form, &conn).unwrap(),
            Some(("a=1&a=2&BodyParam=connection".to_owned(), "application/x-www-form-urlencoded"))
        );
        let text = with(json!({"RequestBody": "raw text"}));
        assert_eq!(body(&task(text.clone()), &text, &none).unwrap().unwrap().0, "raw text");
        let error = body(&task(text.clone()), &text, &conn).unwrap_err();
        assert_eq!(error.name, "States.Runtime");
        assert!(error.cause.unwrap().contains("cannot merge"));
        let number = with(json!({"RequestBody": 5}));
        assert_eq!(body(&task(number.clone()), &number, &none).unwrap().unwrap().0, "5");
        assert!(body(&task(number.clone()), &number, &conn).is_err());
        let form_number = with(json!({"RequestBody": 5, "Transform": {"RequestBodyEncoding": "URL_ENCODED"}}));
        assert!(
            body(&task(form_number.clone()), &form_number, &none).unwrap_err().cause.unwrap().contains("URL_ENCODED")
        );
        let absent = base();
        assert_eq!(body(&task(absent.clone()), &absent, &none).unwrap(), None);
        assert_eq!(body(&task(absent.clone()), &absent, &conn).unwrap().unwrap().0, r#"{"BodyParam":"connection"}"#);
    }

    #[test]
    fn headers_merge_connection_over_task_and_step_functions_over_both() {
        let input = with(json!({"Headers": {"Request-Id": "r", "header-param": "task", "Accept": ["a", "b"],
                                            "User-Agent": "mine", "Content-Type": "text/plain", "N": 1}}));
        let conn = connection(&[], &[], &[("Header-Param", "connection")]);
        let auth = Some((HeaderName::from_static("x-api-key"), HeaderValue::from_static("k")));
        let ua = HeaderValue::from_static("Amazon|StepFunctions|HttpInvoke|us-east-1");
        let map = headers(&task(input), &conn, auth, &ua, Some("application/json; charset=UTF-8"));
        let all: Vec<(String, String)> =
            map.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned())).collect();
        let expected = [
            ("request-id", "r"),
            ("accept", "a"),
            ("accept", "b"),
            ("user-agent", "Amazon|StepFunctions|HttpInvoke|us-east-1"),
            ("content-type", "text/plain"),
            ("n", "1"),
            ("header-param", "connection"),
            ("x-api-key", "k"),
            ("range", "bytes=0-262144"),
        ];
        let mut sorted = all.clone();
        sorted.sort();
        let mut expected: Vec<(String, String)> =
            expected.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        expected.sort();
        assert_eq!(sorted, expected);
    }
}
