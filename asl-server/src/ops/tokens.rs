//! `SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`.

use asl_runtime::callbacks::CallbackError;
use serde_json::Value;

use crate::service::Service;
use crate::wire::{ApiError, Reply, Request};

/// A refused token call as AWS answers it. A token this process does not know may still be
/// one it handed out before a restart whose task has ended since: the store says so.
async fn refused(service: &Service, token: &str, error: CallbackError) -> ApiError {
    let error = match error {
        CallbackError::InvalidToken => match service.store().task_token(token).await {
            Ok(Some(_)) => CallbackError::TaskDoesNotExist,
            _ => CallbackError::InvalidToken,
        },
        other => other,
    };
    match error {
        CallbackError::InvalidToken => ApiError::service("InvalidToken", "Invalid Token: 'Invalid token'"),
        // A token whose task has ended (answered, timed out, or its execution over) is
        // `TaskTimedOut` on AWS: "the task token has either expired or the task associated
        // with the token has already been closed" (the service model's documentation of
        // the error; `TaskDoesNotExist` is documented as "the activity does not exist").
        CallbackError::TaskDoesNotExist | CallbackError::TaskTimedOut => {
            ApiError::service("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
        }
    }
}

pub async fn success(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let token = request.required("taskToken")?;
    let output: Value = serde_json::from_str(request.required("output")?)
        .map_err(|e| ApiError::service("InvalidOutput", format!("Invalid Output: '{e}'")))?;
    match service.runtime().callbacks().send_task_success_recorded(token, output).await {
        Ok(()) => Ok(Reply::new().build()),
        Err(error) => Err(refused(service, token, error).await),
    }
}

pub async fn failure(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let token = request.required("taskToken")?;
    let error = request.str("error").unwrap_or_default();
    let cause = request.str("cause").unwrap_or_default();
    match service.runtime().callbacks().send_task_failure_recorded(token, error, cause).await {
        Ok(()) => Ok(Reply::new().build()),
        Err(error) => Err(refused(service, token, error).await),
    }
}

pub async fn heartbeat(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let token = request.required("taskToken")?;
    match service.runtime().callbacks().send_task_heartbeat(token) {
        Ok(()) => Ok(Reply::new().build()),
        Err(error) => Err(refused(service, token, error).await),
    }
}
