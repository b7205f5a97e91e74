//! The 256 KiB payload limit and `States.DataLimitExceeded`.

use std::fmt::{self, Write as _};
use std::io;
use std::sync::OnceLock;

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
    // Nearly every payload is far below the limit, and a bound that only counts nodes and
    // string lengths says so without rendering a byte; the exact measure (which renders
    // the JSON text) decides only when the bound reaches the limit.
    if !within_bound(value, MAX_PAYLOAD_BYTES) && exceeds_limit(value, MAX_PAYLOAD_BYTES) {
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

/// Whether an upper bound of the value's [size](payload_size) is at most `limit`. `false`
/// says nothing (the bound is loose), `true` proves the value within the limit.
///
/// Two bounds, the cheaper first. Both charge `null`, `true` and `false` 5 bytes, and
/// containers their brackets, separators and colons (one per element, an over-count by
/// one). The first charges a number the most its text can take, and a string of `n` bytes
/// `6n + 2`, as if every byte took the longest escape (`\u00XX`): it costs nothing per
/// byte and settles nearly every payload, which is far below the limit. The second charges
/// a number its exact text (what `Display` writes, which is what the serialiser writes
/// too) and counts the bytes a string escapes (control characters, `"` and `\`), which a
/// large payload needs to get under the limit without being rendered. Both stop as soon
/// as the bound passes `limit`.
fn within_bound(value: &Value, limit: usize) -> bool {
    let (mut loose, mut tight) = (limit, limit);
    charge(value, &mut loose, Strings::Loose) || charge(value, &mut tight, Strings::Scanned)
}

/// How [`charge`] bounds the size of a string.
#[derive(Clone, Copy)]
enum Strings {
    /// Six bytes a byte, plus the quotes (and numbers their most).
    Loose,
    /// A byte each, five more for each byte that is escaped, plus the quotes (and numbers
    /// their text).
    Scanned,
}

/// Takes `value`'s bound from `budget`; `false` once it does not fit.
fn charge(value: &Value, budget: &mut usize, strings: Strings) -> bool {
    let cost = |budget: &mut usize, bytes: usize| match budget.checked_sub(bytes) {
        Some(rest) => {
            *budget = rest;
            true
        }
        None => false,
    };
    let string = |s: &str| {
        let extra = match strings {
            Strings::Loose => s.len(),
            Strings::Scanned => s.bytes().filter(|&b| b < 0x20 || b == b'"' || b == b'\\').count(),
        };
        s.len().saturating_add(extra.saturating_mul(5)).saturating_add(2)
    };
    match value {
        Value::Null | Value::Bool(_) => cost(budget, 5),
        // No 64-bit integer takes more than 20 characters (`-9223372036854775808`), no
        // double more than 24 (serde_json's buffer for them).
        Value::Number(n) if matches!(strings, Strings::Loose) && (n.is_i64() || n.is_u64()) => cost(budget, 20),
        Value::Number(_) if matches!(strings, Strings::Loose) && !numbers_as_written() => cost(budget, 24),
        Value::Number(n) => {
            let mut len = TextLen(0);
            // Counting cannot fail.
            let _ = write!(len, "{n}");
            cost(budget, len.0)
        }
        Value::String(s) => cost(budget, string(s)),
        Value::Array(items) => {
            cost(budget, 2) && items.iter().all(|item| cost(budget, 1) && charge(item, budget, strings))
        }
        Value::Object(map) => {
            cost(budget, 2)
                && map
                    .iter()
                    .all(|(key, item)| cost(budget, string(key).saturating_add(2)) && charge(item, budget, strings))
        }
    }
}

/// Whether serde_json keeps numbers as written (its `arbitrary_precision` feature, which
/// any crate in a build may turn on), so that the text of a fractional number has no bound.
fn numbers_as_written() -> bool {
    static AS_WRITTEN: OnceLock<bool> = OnceLock::new();
    // As a double, `1.00` prints `1.0`.
    *AS_WRITTEN.get_or_init(|| serde_json::from_str::<Value>("1.00").map_or(true, |n| n.to_string().as_str() != "1.0"))
}

/// The length of formatted text, without allocating it.
struct TextLen(usize);

impl fmt::Write for TextLen {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.saturating_add(s.len());
        Ok(())
    }
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
    fn the_bound_is_never_below_the_size() {
        let values = [
            json!(null),
            json!(true),
            json!(false),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(0),
            json!(-2.2250738585072014e-308),
            json!(-1.7976931348623157e308),
            json!(-1.2345678901234567e-100),
            json!(1e300),
            json!(0.1),
            json!(""),
            json!("\u{0}\u{1f}\"\\\n"),
            json!("é€😀"),
            json!([]),
            json!({}),
            json!([[[]], {}, [null, 1, "x"]]),
            json!({"\u{0}": {"a": [1, 2.5, {"": ""}]}, "b": "c"}),
        ];
        for value in values {
            // Sound: the bound never proves a value within a limit below its size.
            let size = payload_size(&value);
            for strings in [Strings::Loose, Strings::Scanned] {
                let mut budget = size - 1;
                assert!(!charge(&value, &mut budget, strings), "{value}: the bound is below {size}");
            }
            assert!(within_bound(&value, 6 * size), "{value}: the bound is too loose");
        }
    }

    #[test]
    fn the_bound_decides_only_far_from_the_limit() {
        // A payload far below the limit is within its bound; one near the limit is left to
        // the exact measure, which still accepts exactly MAX_PAYLOAD_BYTES.
        assert!(within_bound(&sized(1000), MAX_PAYLOAD_BYTES));
        assert!(!within_bound(&sized(MAX_PAYLOAD_BYTES), MAX_PAYLOAD_BYTES));
        assert!(!within_bound(&json!(vec![0; MAX_PAYLOAD_BYTES]), MAX_PAYLOAD_BYTES));
        // Text that only the scanned bound settles.
        assert!(within_bound(&json!(["x".repeat(100_000), "\"".repeat(20_000)]), MAX_PAYLOAD_BYTES));
    }

    #[test]
    fn counting_stops_early_but_measures_fully() {
        let big = sized(1_000_000);
        assert!(exceeds_limit(&big, 10));
        assert_eq!(payload_size(&big), 1_000_000);
    }
}
