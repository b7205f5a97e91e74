//! AWS JSON 1.0 as Step Functions speaks it: the operation a request names, errors, dates
//! and the objects answers are built from.

mod error;
mod request;

use serde_json::{Map, Value};
use time::OffsetDateTime;

pub use error::ApiError;
pub use request::Request;

/// What every Step Functions operation's `X-Amz-Target` starts with.
pub const TARGET_PREFIX: &str = "AWSStepFunctions.";

/// The content type of requests and answers.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// The operation named by an `X-Amz-Target` header (`AWSStepFunctions.StartExecution` →
/// `StartExecution`), if it is one of this service's targets.
pub fn operation_name(target: &str) -> Option<&str> {
    target.strip_prefix(TARGET_PREFIX).filter(|name| !name.is_empty())
}

/// A date as the API carries it: seconds since the Unix epoch as a JSON number, to the
/// millisecond (`1700000000.123`), as AWS's answers have it.
pub fn date(date: OffsetDateTime) -> Value {
    let millis = date.unix_timestamp_nanos().div_euclid(1_000_000);
    // Exact for every date up to year 287,000: an f64 holds integers to 2^53.
    let seconds = millis as f64 / 1_000.0;
    serde_json::Number::from_f64(seconds).map_or(Value::Null, Value::Number)
}

/// An answer's JSON object, member by member; absent (`None`) members are left out, as
/// AWS leaves them out.
#[derive(Default)]
pub struct Reply(Map<String, Value>);

impl Reply {
    /// An empty answer (`{}`).
    pub fn new() -> Reply {
        Reply::default()
    }

    /// Sets `name`.
    pub fn set(mut self, name: &str, value: impl Into<Value>) -> Reply {
        self.0.insert(name.to_owned(), value.into());
        self
    }

    /// Sets `name` to `value`'s contents if there is a value.
    pub fn opt(self, name: &str, value: Option<impl Into<Value>>) -> Reply {
        match value {
            Some(value) => self.set(name, value),
            None => self,
        }
    }

    /// Sets `name` to a date.
    pub fn date(self, name: &str, value: OffsetDateTime) -> Reply {
        self.set(name, date(value))
    }

    /// Sets `name` to a date if there is one.
    pub fn opt_date(self, name: &str, value: Option<OffsetDateTime>) -> Reply {
        self.opt(name, value.map(date))
    }

    /// The JSON object.
    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}

impl From<Reply> for Value {
    fn from(reply: Reply) -> Value {
        reply.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_name_operations() {
        assert_eq!(operation_name("AWSStepFunctions.StartExecution"), Some("StartExecution"));
        assert_eq!(operation_name("AWSStepFunctions."), None);
        assert_eq!(operation_name("DynamoDB_20120810.GetItem"), None);
    }

    #[test]
    fn dates_are_epoch_seconds_to_the_millisecond() {
        let at =
            OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(date(at).to_string(), "1700000000.123");
        assert_eq!(date(OffsetDateTime::UNIX_EPOCH).to_string(), "0.0");
    }

    #[test]
    fn replies_leave_absent_members_out() {
        let reply = Reply::new().set("a", 1).opt("b", None::<String>).opt("c", Some("x")).build();
        assert_eq!(reply, serde_json::json!({"a": 1, "c": "x"}));
    }
}
