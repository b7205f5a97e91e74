//! The connections file's diagnostics, as snapshots: one file per kind of mistake.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use super::Connections;

/// The rendered diagnostics of a connections file that must be refused.
fn refused(text: &str) -> String {
    match Connections::parse(Path::new("connections.json"), text) {
        Ok(connections) => panic!("accepted: {connections:?}"),
        Err(rendered) => rendered,
    }
}

const ARN: &str = "arn:aws:events:us-east-1:123456789012:connection/Stripe/81210c42-8af1-456b-9c4a-6ff02fc664ac";

/// A file of one connection whose body is `connection`.
fn one(connection: &str) -> String {
    format!("{{\n  \"{ARN}\": {connection}\n}}\n")
}

#[test]
fn not_json() {
    insta::assert_snapshot!(refused(
        "{\n  \"arn:aws:events:us-east-1:1:connection/a/b\": {\n    \"AuthorizationType\": \"BASIC\",\n"
    ));
}

#[test]
fn root_is_not_an_object() {
    insta::assert_snapshot!(refused("[\n  {\"AuthorizationType\": \"BASIC\"}\n]\n"));
}

#[test]
fn key_is_not_a_connection_arn() {
    let text = r#"{
  "Stripe": {
    "AuthorizationType": "API_KEY",
    "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k"}}
  }
}
"#;
    insta::assert_snapshot!(refused(text));
}

#[test]
fn unknown_authorization_type() {
    insta::assert_snapshot!(refused(&one(r#"{
    "AuthorizationType": "BASICS",
    "AuthParameters": {"BasicAuthParameters": {"Username": "u", "Password": "p"}}
  }"#)));
}

#[test]
fn missing_fields_of_a_connection() {
    insta::assert_snapshot!(refused(&one(r#"{"Name": "Stripe", "Description": "payments"}"#)));
}

#[test]
fn parameters_of_another_authorization_type() {
    insta::assert_snapshot!(refused(&one(r#"{
    "AuthorizationType": "API_KEY",
    "AuthParameters": {
      "BasicAuthParameters": {"Username": "u", "Password": "p"}
    }
  }"#)));
}

#[test]
fn misspelled_and_missing_basic_fields() {
    insta::assert_snapshot!(refused(&one(r#"{
    "AuthorizationType": "BASIC",
    "authParameters": {},
    "AuthParameters": {
      "BasicAuthParameters": {"username": "u", "Password": 1234}
    }
  }"#)));
}

#[test]
fn api_key_that_no_header_can_carry() {
    insta::assert_snapshot!(refused(&one(r#"{
    "AuthorizationType": "API_KEY",
    "AuthParameters": {
      "ApiKeyAuthParameters": {"ApiKeyName": "x api key", "ApiKeyValue": "line\nbreak-SECRET"}
    }
  }"#)));
}

#[test]
fn oauth_parameters() {
    insta::assert_snapshot!(refused(&one(r#"{
    "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
    "AuthParameters": {
      "OAuthParameters": {
        "AuthorizationEndpoint": "login.example.com/token",
        "HttpMethod": "DELETE",
        "OAuthHttpParameters": {"BodyParameters": {"Key": "scope", "Value": "api"}}
      }
    }
  }"#)));
}

#[test]
fn invocation_http_parameters() {
    insta::assert_snapshot!(refused(&one(r#"{
    "AuthorizationType": "BASIC",
    "AuthParameters": {
      "BasicAuthParameters": {"Username": "u", "Password": "p"},
      "InvocationHttpParameters": {
        "HeaderParameters": [
          {"Key": "X-Tenant", "IsValueSecret": "yes"},
          {"Key": 7, "Value": "v"},
          {"Key": "Bad Header", "Value": "v"},
          "X-Other: v"
        ],
        "QueryStringParameters": [{"Key": "region", "Value": "eu", "Secret": true}],
        "PathParameters": []
      }
    }
  }"#)));
}

#[test]
fn every_mistake_of_every_connection_at_once() {
    let text = r#"{
  "arn:aws:events:us-east-1:123456789012:connection/A/1": {"AuthorizationType": "BASIC", "AuthParameters": {}},
  "arn:aws:events:us-east-1:123456789012:connection/B/2": {"AuthorizationType": "TOKEN", "AuthParameters": {}},
  "arn:aws:events:us-east-1:123456789012:connection/C/3": "API_KEY"
}
"#;
    insta::assert_snapshot!(refused(text));
}

/// Wrong secrets are reported by field, never by value.
#[test]
fn secret_values_never_appear() {
    let secrets = ["hunter2-SECRET", "key-SECRET", "client-SECRET", "param-SECRET"];
    let text = one(r#"{
    "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
    "AuthParameters": {
      "BasicAuthParameters": {"Username": "u", "Password": "hunter2-SECRET"},
      "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "key-SECRET\n"},
      "OAuthParameters": {
        "AuthorizationEndpoint": "https://login.example.com/token?client_secret=client-SECRET",
        "HttpMethod": "POST",
        "ClientParameters": {"ClientID": "id", "ClientSecret": ["client-SECRET"]},
        "OAuthHttpParameters": {"HeaderParameters": [{"Key": "X-Key", "Value": "param-SECRET\r\n"}]}
      }
    }
  }"#);
    let rendered = refused(&text);
    for secret in secrets {
        assert!(!rendered.contains(secret), "{secret} in\n{rendered}");
    }
    insta::assert_snapshot!(rendered);
}

/// The example of the module docs.
fn documented_example() -> String {
    let docs = include_str!("../mod.rs");
    let start = docs.find("//! ```json\n//! {\n//!   \"arn:aws:events").expect("the example");
    docs[start..]
        .lines()
        .skip(1)
        .take_while(|line| *line != "//! ```")
        .map(|line| format!("{}\n", line.strip_prefix("//! ").or(line.strip_prefix("//!")).unwrap_or(line)))
        .collect()
}

/// The example of the module docs is a valid file.
#[test]
fn the_documented_example_is_accepted() {
    let connections =
        Connections::parse(Path::new("connections.json"), &documented_example()).expect("the example is valid");
    assert_eq!(connections.arns().len(), 3);
}

/// Every cut of a valid file, and every one-character damage of it, is answered without a
/// panic.
#[test]
fn damaged_files_never_panic() {
    let example = documented_example();
    let boundaries: Vec<usize> = (0..=example.len()).filter(|at| example.is_char_boundary(*at)).collect();
    for &at in &boundaries {
        let _ = Connections::parse(Path::new("c.json"), &example[..at]);
        for replacement in ["", "\"", "{", "]", "1", "\u{0}"] {
            let next = boundaries.iter().find(|&&b| b > at).copied().unwrap_or(at);
            let damaged = format!("{}{replacement}{}", &example[..at], &example[next..]);
            let _ = Connections::parse(Path::new("c.json"), &damaged);
        }
    }
}

#[test]
fn an_empty_file_of_connections_is_valid() {
    let connections = Connections::parse(Path::new("connections.json"), "{}").unwrap();
    assert!(connections.arns().is_empty());
}

#[test]
fn a_missing_file_says_so() {
    let error = Connections::from_file(Path::new("/nonexistent/connections.json")).unwrap_err();
    assert!(error.starts_with("error: cannot read the connections file `/nonexistent/connections.json`"), "{error}");
}
