//! The 256 KiB payload limit and `States.DataLimitExceeded`.

use std::io;

use serde_json::Value;

use crate::Error;
use crate::error::names;

/// The largest payload AWS accepts: 256 KiB of JSON text in UTF-8 (execution input and
/// output, state input and output, task input and result).
///
/// A payload of exactly this size is accepted: AWS documents the quota as a maximum of
/// "256 KiB", and its API gives `input`/`output` strings a maximum length of 262,144.
/// (LocalStack refuses 262,144 bytes already; no recorded case decides the last byte.)
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// The size AWS measures: the UTF-8 bytes of the value's compact JSON text (`{"a":1}`, no
/// spaces, non-ASCII characters unescaped). A multi-byte character counts its bytes, which
/// is what case `…-data-limit-exceeded-on-large-utf8-response` exercises.
pub fn payload_size(value: &Value) -> usize {
    let mut counter = Counter { bytes: 0, limit: usize::MAX };
    // Counting cannot fail below `usize::MAX` bytes.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.bytes
}

/// Whether the value's [size](payload_size) is above `limit`; stops serialising as soon as
/// it is, so checking a large payload costs at most `limit` bytes of work.
pub fn exceeds_limit(value: &Value, limit: usize) -> bool {
    let mut counter = Counter { bytes: 0, limit };
    serde_json::to_writer(&mut counter, value).is_err()
}

/// `States.DataLimitExceeded` when `value` is larger than [`MAX_PAYLOAD_BYTES`].
///
/// `name` is what the cause names: the state's name for a state's output or its input after
/// `Parameters`, the task's resource type (`lambda`) for a task's result. Recorded:
/// case `states-errors-start-large-input` (a Pass state whose `Result` is 263,179 bytes fails
/// the execution with `The state/task 'State_1' returned a result with a size exceeding the
/// maximum number of bytes service limit.` and no `PassStateExited`), and the mocked Lambda
/// failures of `states-errors-service-task-lambada-…-data-limit-exceeded-on-large-utf8-response`
/// (`The state/task 'lambda' returned …`, catchable by `States.ALL`).
///
/// # Errors
///
/// `States.DataLimitExceeded` with [`data_limit_exceeded`]'s cause.
pub fn check_size(value: &Value, name: &str) -> Result<(), Error> {
    if exceeds_limit(value, MAX_PAYLOAD_BYTES) {
        Err(Error::new(names::DATA_LIMIT_EXCEEDED, data_limit_exceeded(name)))
    } else {
        Ok(())
    }
}

/// `The state/task 'S' returned a result with a size exceeding the maximum number of bytes
/// service limit.` AWS words it so for every payload it refuses, the input after
/// `Parameters` included (no recording shows another wording).
pub fn data_limit_exceeded(name: &str) -> String {
    format!(
        "The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit."
    )
}

/// Counts the bytes written; fails once they pass `limit`, which stops serialisation.
struct Counter {
    bytes: usize,
    limit: usize,
}

impl io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes = self.bytes.saturating_add(buf.len());
        if self.bytes > self.limit { Err(io::Error::other("payload limit exceeded")) } else { Ok(buf.len()) }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::*;

    /// `{"s":"…"}` with `n` bytes of JSON text in all.
    fn sized(n: usize) -> Value {
        json!({"s": "a".repeat(n - 8)})
    }

    #[test]
    fn size_is_compact_utf8_json() {
        assert_eq!(payload_size(&json!({"a": [1, 2], "b": null})), r#"{"a":[1,2],"b":null}"#.len());
        // "é" is two bytes, "€" three, "😀" four; a quote is escaped as two.
        assert_eq!(payload_size(&json!("é€😀\"")), 2 + 3 + 4 + 2 + 2);
        assert_eq!(payload_size(&json!("\n")), 4);
        assert_eq!(payload_size(&sized(100)), 100);
    }

    #[test]
    fn the_limit_is_inclusive() {
        assert_eq!(check_size(&sized(MAX_PAYLOAD_BYTES), "S"), Ok(()));
        let e = check_size(&sized(MAX_PAYLOAD_BYTES + 1), "State_1").unwrap_err();
        assert_eq!(e.name, names::DATA_LIMIT_EXCEEDED);
        assert_eq!(
            e.cause.as_deref(),
            Some(
                "The state/task 'State_1' returned a result with a size exceeding the maximum number of bytes service \
                 limit."
            )
        );
        // Multi-byte characters count by bytes: 131,069 two-byte characters are over.
        assert!(exceeds_limit(&json!("é".repeat(MAX_PAYLOAD_BYTES / 2)), MAX_PAYLOAD_BYTES));
        assert!(!exceeds_limit(&json!("a".repeat(MAX_PAYLOAD_BYTES / 2)), MAX_PAYLOAD_BYTES));
    }

    #[test]
    fn counting_stops_early_but_measures_fully() {
        let big = sized(1_000_000);
        assert!(exceeds_limit(&big, 10));
        assert_eq!(payload_size(&big), 1_000_000);
    }
}
