//! A request's members, read after the service model has checked them.

use serde_json::{Map, Value};

use super::ApiError;

/// A request body: a JSON object whose members have the model's types.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a>(&'a Map<String, Value>);

/// An empty body, for requests that sent none.
static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'a> Request<'a> {
    /// The members of `body` (an object; anything else reads as no members).
    pub fn new(body: &'a Value) -> Request<'a> {
        match body {
            Value::Object(members) => Request(members),
            _ => Request(&EMPTY),
        }
    }

    /// A member, unless absent or `null`.
    pub fn value(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|value| !value.is_null())
    }

    /// A string member.
    pub fn str(&self, name: &str) -> Option<&'a str> {
        self.value(name).and_then(Value::as_str)
    }

    /// A string member the model requires.
    ///
    /// # Errors
    ///
    /// `ValidationException` if it is missing (the model check normally caught that).
    pub fn required(&self, name: &str) -> Result<&'a str, ApiError> {
        self.str(name).ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"
            ))
        })
    }

    /// A boolean member (absent: false).
    pub fn flag(&self, name: &str) -> bool {
        self.value(name).and_then(Value::as_bool).unwrap_or(false)
    }

    /// A boolean member, if given.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.value(name).and_then(Value::as_bool)
    }

    /// A non-negative integer member (absent: 0).
    pub fn count(&self, name: &str) -> u32 {
        self.value(name).and_then(Value::as_u64).map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
    }
}
