//! Task bodies over the application's own serde types.
//!
//! The usual way is to name the types when compiling the workflow (the `tasks` setting of
//! `include_asl!`, or `Settings::with_task_types` for a build script): the generated
//! `Handlers` method then takes and returns them, and `Typed` converts through
//! `typed_task`. [`typed`] does the same conversion inside a method that takes and
//! returns JSON values, or inside a hand-written [`TaskHandler`](super::TaskHandler): the
//! input is deserialised, the body runs, and its result is serialised back.

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
    convert(None, input, body).await
}

/// [`typed`] for one Task state, with the state's name in the failure cause. Generated
/// `Typed` implementations call it (through `__private`) for every Task state given its
/// own types with the `tasks` setting of `include_asl!` or `Settings::with_task_types`.
#[doc(hidden)]
pub async fn typed_task<I, O, F, Fut>(state: &str, input: Value, body: F) -> Result<Value, Error>
where
    I: DeserializeOwned,
    O: Serialize,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, Error>>,
{
    convert(Some(state), input, body).await
}

/// Deserialise, run, serialise; `state` names the Task state in a failure's cause.
async fn convert<I, O, F, Fut>(state: Option<&str>, input: Value, body: F) -> Result<Value, Error>
where
    I: DeserializeOwned,
    O: Serialize,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, Error>>,
{
    // A cause, not a panic or a runtime error: bad data is the task's failure, so the
    // definition's `Retry` and `Catch` decide what happens, as with any other task error.
    let failure = |what: String| {
        let cause = match state {
            Some(state) => format!("Task state `{state}`: {what}"),
            None => what,
        };
        Error::new(names::TASK_FAILED, cause)
    };
    let input: I = serde_json::from_value(input)
        .map_err(|e| failure(format!("the task input is not a valid `{}`: {e}", type_name::<I>())))?;
    let output = body(input).await?;
    serde_json::to_value(output)
        .map_err(|e| failure(format!("the task result `{}` cannot be written as JSON: {e}", type_name::<O>())))
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

    /// Serialising a map with non-string keys fails in serde_json.
    #[derive(serde::Serialize)]
    struct Unwritable(std::collections::BTreeMap<(u8, u8), u8>);

    #[tokio::test]
    async fn a_task_failure_names_the_state_the_type_and_serde_message() {
        let error = typed_task("Add Up", json!({"items": "many"}), |order: Order| async move {
            Ok(Total { total: order.items.iter().sum() })
        })
        .await
        .unwrap_err();
        assert_eq!(error.name, names::TASK_FAILED);
        let cause = error.cause.unwrap();
        assert!(cause.starts_with("Task state `Add Up`: the task input is not a valid `"), "{cause}");
        assert!(cause.contains("typed::tests::Order`: invalid type: string \"many\", expected a sequence"), "{cause}");
    }

    #[tokio::test]
    async fn an_unwritable_result_is_a_task_failure() {
        let error =
            typed_task(
                "Write",
                json!(null),
                |(): ()| async move { Ok(Unwritable([((1, 2), 3)].into_iter().collect())) },
            )
            .await
            .unwrap_err();
        assert_eq!(error.name, names::TASK_FAILED);
        let cause = error.cause.unwrap();
        assert!(cause.starts_with("Task state `Write`: the task result `"), "{cause}");
        assert!(cause.contains("Unwritable` cannot be written as JSON: key must be a string"), "{cause}");
    }

    #[tokio::test]
    async fn the_handler_error_passes_through() {
        let error = typed_task("Fail", json!(null), |(): ()| async move {
            Err::<(), _>(Error::new("Custom.Error", "from the handler"))
        })
        .await
        .unwrap_err();
        assert_eq!(error, Error::new("Custom.Error", "from the handler"));
    }
}
