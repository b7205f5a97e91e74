//! The HTTP response → the task's result, or the error AWS fails the task with.
//!
//! The result is AWS's envelope, as its TestState example of an HTTP Task records it
//! (<https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html>):
//!
//! ```json
//! {"Headers": {"date": ["Tue, 21 Nov 2023 00:06:17 GMT"], "content-type": ["application/json"]},
//!  "ResponseBody": {"args": {}},
//!  "StatusCode": 200,
//!  "StatusText": "OK"}
//! ```
//!
//! Header names are lower-case and every value is a list (a header sent twice has two
//! elements); `ResponseBody` is the parsed JSON when the response is JSON, its text
//! otherwise (a response without a body gives `""`).

use asl_runtime::Error;
use asl_runtime::dataflow::{MAX_PAYLOAD_BYTES, data_limit_exceeded};
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Response, StatusCode};
use serde_json::{Map, Value};

/// The text of a status: the reason phrase the server sent (hyper keeps a non-canonical
/// one in the response's extensions), else the standard one, else nothing.
pub(crate) fn status_text(response: &Response) -> String {
    match response.extensions().get::<hyper::ext::ReasonPhrase>() {
        Some(reason) => String::from_utf8_lossy(reason.as_bytes()).into_owned(),
        None => canonical_text(response.status()),
    }
}

fn canonical_text(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or_default().to_owned()
}

/// `States.Http.StatusCode.<code>` for a response that is not 2xx, with the status text as
/// its cause: what AWS reports (the response body is not in the error; one user records
/// `"error": "States.Http.StatusCode.400", "cause": "Bad Request"`).
pub(crate) fn status_error(status: StatusCode, text: String) -> Error {
    let name = format!("States.Http.StatusCode.{}", status.as_u16());
    if text.is_empty() { Error::named(name) } else { Error::new(name, text) }
}

/// The response headers as AWS writes them: lower-case names, each with the list of its
/// values, in the order they came.
pub(crate) fn headers_json(headers: &HeaderMap) -> Value {
    let mut out = Map::new();
    for (name, value) in headers {
        let text = Value::String(String::from_utf8_lossy(value.as_bytes()).into_owned());
        match out.get_mut(name.as_str()) {
            Some(Value::Array(values)) => values.push(text),
            _ => {
                out.insert(name.as_str().to_owned(), Value::Array(vec![text]));
            }
        }
    }
    Value::Object(out)
}

/// The media type of a `Content-Type` value, lower-case, without parameters.
fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Whether AWS refuses a response of this content type (AWS: "The response contains a
/// content-type header of application/octet-stream, image/*, video/*, or audio/*").
pub(crate) fn is_refused(content_type: &str) -> bool {
    let media = media_type(content_type);
    media == "application/octet-stream" || ["image/", "video/", "audio/"].iter().any(|prefix| media.starts_with(prefix))
}

/// Whether the body is JSON (`application/json`, or a `+json` type such as
/// `application/problem+json`).
fn is_json(content_type: &str) -> bool {
    let media = media_type(content_type);
    media == "application/json" || media.ends_with("+json")
}

/// `ResponseBody`: the body parsed when the response is JSON and parses, its text
/// otherwise.
pub(crate) fn body_value(content_type: Option<&str>, text: String) -> Value {
    if content_type.is_some_and(is_json)
        && let Ok(parsed) = serde_json::from_str(&text)
    {
        return parsed;
    }
    Value::String(text)
}

/// The envelope of a 2xx response, reading at most what a result can hold.
pub(crate) async fn envelope(mut response: Response) -> Result<Value, Error> {
    let status = response.status();
    let status_text = status_text(&response);
    let headers = headers_json(response.headers());
    let content_type = response.headers().get(CONTENT_TYPE).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    if let Some(content_type) = content_type.as_deref().filter(|ct| is_refused(ct)) {
        return Err(Error::runtime(format!(
            "The HTTP response has the content type '{content_type}', which an HTTP Task does not support \
             (application/octet-stream, image/*, video/* and audio/* are refused)"
        )));
    }
    let mut bytes = Vec::new();
    loop {
        let chunk = response.chunk().await.map_err(|e| {
            Error::new(super::SOCKET, format!("The HTTP response broke off: {}", super::error_chain(&e)))
        })?;
        let Some(chunk) = chunk else { break };
        bytes.extend_from_slice(&chunk);
        // Step Functions asks for the first 256 KiB (`Range`); a server that sends more
        // makes a result that no state can hold, so reading stops there.
        if bytes.len() > MAX_PAYLOAD_BYTES {
            return Err(Error::new(asl_runtime::error::names::DATA_LIMIT_EXCEEDED, data_limit_exceeded("http")));
        }
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(Error::runtime(
            "The HTTP response body cannot be read as a valid string (it is not UTF-8 text), which an HTTP Task \
             does not support",
        ));
    };
    let mut envelope = Map::new();
    envelope.insert("Headers".to_owned(), headers);
    envelope.insert("ResponseBody".to_owned(), body_value(content_type.as_deref(), text));
    envelope.insert("StatusCode".to_owned(), Value::from(status.as_u16()));
    envelope.insert("StatusText".to_owned(), Value::String(status_text));
    Ok(Value::Object(envelope))
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    use serde_json::json;

    use super::{body_value, headers_json, is_refused, status_error};

    #[test]
    fn headers_are_lists_under_lower_case_names() {
        let mut headers = HeaderMap::new();
        headers.append(HeaderName::from_static("set-cookie"), HeaderValue::from_static("a=1"));
        headers.append(HeaderName::from_static("content-type"), HeaderValue::from_static("application/json"));
        headers.append(HeaderName::from_static("set-cookie"), HeaderValue::from_static("b=2"));
        assert_eq!(headers_json(&headers), json!({"set-cookie": ["a=1", "b=2"], "content-type": ["application/json"]}));
    }

    #[test]
    fn refused_content_types() {
        for refused in ["application/octet-stream", "image/png", "VIDEO/mp4; codecs=x", "audio/ogg"] {
            assert!(is_refused(refused), "{refused}");
        }
        for accepted in ["application/json", "text/plain; charset=utf-8", "application/xml", "imagery/x"] {
            assert!(!is_refused(accepted), "{accepted}");
        }
    }

    #[test]
    fn bodies_are_json_when_the_response_is_json() {
        let text = || r#"{"a":[1,2]}"#.to_owned();
        assert_eq!(body_value(Some("application/json; charset=utf-8"), text()), json!({"a": [1, 2]}));
        assert_eq!(body_value(Some("application/problem+json"), text()), json!({"a": [1, 2]}));
        assert_eq!(body_value(Some("text/plain"), text()), json!(text()));
        assert_eq!(body_value(None, text()), json!(text()));
        assert_eq!(body_value(Some("application/json"), "not json".to_owned()), json!("not json"));
        assert_eq!(body_value(Some("application/json"), String::new()), json!(""));
    }

    #[test]
    fn non_2xx_statuses_are_named_errors_with_the_status_text() {
        let error = status_error(StatusCode::NOT_FOUND, "Not Found".to_owned());
        assert_eq!((error.name.as_ref(), error.cause.as_deref()), ("States.Http.StatusCode.404", Some("Not Found")));
        let error = status_error(StatusCode::from_u16(599).unwrap_or(StatusCode::IM_A_TEAPOT), String::new());
        assert_eq!((error.name.as_ref(), error.cause), ("States.Http.StatusCode.599", None));
    }
}
