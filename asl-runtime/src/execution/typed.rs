//! Task bodies over the application's own serde types.
//!
//! The generated `Handlers` trait passes and returns JSON values, because that is what
//! flows between states. [`typed`] lets a handler method work with its own types instead:
//! the input is deserialised, the body runs, and its result is serialised back.

use std::any::type_name;
use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, names};

/// Runs `body` on the task input deserialised as `I`, and returns its `O` result as JSON.
///
/// An input that does not deserialise fails the task with `States.TaskFailed` (catchable
/// and retriable like any task error) and a cause naming the expected type and serde's
/// message; so does a result that cannot be serialised.
///
/// ```
/// # use asl_runtime::{Error, Value};
/// #[derive(serde::Deserialize)]
/// struct Order { items: Vec<u32> }
/// #[derive(serde::Serialize)]
/// struct Total { total: u32 }
///
/// async fn total(input: Value) -> Result<Value, Error> {
///     asl_runtime::execution::typed(input, |order: Order| async move {
///         Ok(Total { total: order.items.iter().sum() })
///     })
///     .await
/// }
/// ```
pub async fn typed<I, O, F, Fut>(input: Value, body: F) -> Result<Value, Error>
where
    I: DeserializeOwned,
    O: Serialize,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, Error>>,
{
    let input: I = serde_json::from_value(input).map_err(|e| {
        Error::new(names::TASK_FAILED, format!("the task input is not a valid `{}`: {e}", type_name::<I>()))
    })?;
    let output = body(input).await?;
    serde_json::to_value(output).map_err(|e| {
        Error::new(names::TASK_FAILED, format!("the task result `{}` cannot be written as JSON: {e}", type_name::<O>()))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize)]
    struct Order {
        items: Vec<u32>,
    }

    #[derive(serde::Serialize)]
    struct Total {
        total: u32,
    }

    async fn total(input: Value) -> Result<Value, Error> {
        typed(input, |order: Order| async move { Ok(Total { total: order.items.iter().sum() }) }).await
    }

    #[tokio::test]
    async fn converts_both_ways() {
        assert_eq!(total(json!({"items": [1, 2, 3]})).await, Ok(json!({"total": 6})));
    }

    #[tokio::test]
    async fn a_mismatched_input_is_a_task_failure() {
        let error = total(json!({"items": "many"})).await.unwrap_err();
        assert_eq!(error.name, names::TASK_FAILED);
        assert!(error.cause.unwrap().contains("Order"));
    }
}
