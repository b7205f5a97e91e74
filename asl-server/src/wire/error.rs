//! AWS's errors as the API returns them: an HTTP status and a JSON body
//! `{"__type": "<namespace>#<Code>", "message": "…"}`.
//!
//! SDKs keep the part of `__type` after `#` as the error code (the Rust SDK also drops
//! anything after a `:`), so the code must be exactly AWS's; the namespace is AWS's too, so
//! clients that compare whole `__type`s work as well.

use axum::http::StatusCode;
use serde_json::{Map, Value};

/// The namespace of Step Functions' own errors (`ExecutionDoesNotExist`, `InvalidArn`…).
const SERVICE: &str = "com.amazonaws.swf.service.v2.model";
/// The namespace of `ValidationException` (request members that break the model's
/// constraints).
const VALIDATE: &str = "com.amazon.coral.validate";
/// The namespace of the errors of the protocol itself (a body that is not JSON, a member of
/// the wrong type, an unknown operation).
const CORAL: &str = "com.amazon.coral.service";

/// An error answer of the API.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    namespace: &'static str,
    code: &'static str,
    status: StatusCode,
    message: String,
    /// Members besides `message` (`reason` of a `ValidationException`).
    extra: Option<(&'static str, String)>,
}

impl ApiError {
    /// A Step Functions error named in the service model (`ExecutionDoesNotExist`,
    /// `InvalidArn`, …): HTTP 400.
    pub fn service(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { namespace: SERVICE, code, status: StatusCode::BAD_REQUEST, message: message.into(), extra: None }
    }

    /// `ValidationException`: a request member breaks the model's constraints.
    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError {
            namespace: VALIDATE,
            code: "ValidationException",
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            extra: None,
        }
    }

    /// `ValidationException` with its `reason` (`MISSING_REQUIRED_PARAMETER`, …).
    pub fn validation_because(reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { extra: Some(("reason", reason.to_owned())), ..ApiError::validation(message) }
    }

    /// `SerializationException`: the body is not JSON, or a member has the wrong type.
    pub fn serialization(message: impl Into<String>) -> ApiError {
        ApiError {
            namespace: CORAL,
            code: "SerializationException",
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            extra: None,
        }
    }

    /// `UnknownOperationException`: `X-Amz-Target` names no operation of the service.
    pub fn unknown_operation() -> ApiError {
        ApiError {
            namespace: CORAL,
            code: "UnknownOperationException",
            status: StatusCode::BAD_REQUEST,
            message: String::new(),
            extra: None,
        }
    }

    /// An authentication failure (`MissingAuthenticationTokenException`,
    /// `InvalidSignatureException`, `UnrecognizedClientException`, …): HTTP 400 or 403 as
    /// AWS answers.
    pub fn auth(code: &'static str, status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { namespace: CORAL, code, status, message: message.into(), extra: None }
    }

    /// `InternalFailure` (HTTP 500): something on our side failed (the store, most likely).
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError {
            namespace: CORAL,
            code: "InternalFailure",
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
            extra: None,
        }
    }

    /// The same error with another HTTP status.
    pub fn with_status(self, status: StatusCode) -> ApiError {
        ApiError { status, ..self }
    }

    /// The error code, as SDKs report it (`ExecutionDoesNotExist`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON body AWS sends for this error.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("__type".into(), Value::String(format!("{}#{}", self.namespace, self.code)));
        // The protocol layer's SerializationException says `Message` (AWS's answers, as
        // dynalite and other emulators recorded them); the service's errors `message`.
        let key = if self.code == "SerializationException" { "Message" } else { "message" };
        body.insert(key.into(), Value::String(self.message.clone()));
        if let Some((name, value)) = &self.extra {
            body.insert((*name).into(), Value::String(value.clone()));
        }
        Value::Object(body)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_name_the_namespace_and_code() {
        let error = ApiError::service("ExecutionDoesNotExist", "Execution Does Not Exist: 'arn'");
        assert_eq!(
            error.body(),
            serde_json::json!({
                "__type": "com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist",
                "message": "Execution Does Not Exist: 'arn'"
            })
        );
        let error = ApiError::validation_because("MISSING_REQUIRED_PARAMETER", "m");
        assert_eq!(error.body()["__type"], "com.amazon.coral.validate#ValidationException");
        assert_eq!(error.body()["reason"], "MISSING_REQUIRED_PARAMETER");
    }
}
