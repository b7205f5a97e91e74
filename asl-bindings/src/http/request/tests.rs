//! Parsing, merging and encoding a task's request, without a server.

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
    assert!(body(&task(form_number.clone()), &form_number, &none).unwrap_err().cause.unwrap().contains("URL_ENCODED"));
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
