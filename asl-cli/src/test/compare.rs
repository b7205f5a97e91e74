//! Comparing what an execution did with a case's `expected` block, and showing the
//! difference readably.
//!
//! The rules are those of the case format: `status` always; `output` as JSON values when
//! the expected status is `SUCCEEDED`; `error` when the case names one, and when it does
//! not there must be none; `cause` exactly, when the case gives one; `history` (the event
//! types, in order), when the case gives one.

use std::fmt;

use serde_json::{Map, Value};

/// What the runner reported for a finished execution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finished {
    /// `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub status: String,
    /// The output, when it succeeded.
    pub output: Option<Value>,
    /// The error name, when there is one.
    pub error: Option<String>,
    /// The cause, when there is one.
    pub cause: Option<String>,
    /// The history's event types, in order (when the runner reported them).
    pub history: Option<Vec<String>>,
}

/// Why a case failed: a one-line summary and a multi-line detail (a diff, diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// One line: what differs, or what went wrong.
    pub summary: String,
    /// Further lines (may be empty).
    pub detail: String,
}

impl Failure {
    /// A failure with no detail.
    pub(crate) fn new(summary: impl Into<String>) -> Self {
        Failure { summary: summary.into(), detail: String::new() }
    }

    /// A failure with detail lines.
    pub(crate) fn with_detail(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Failure { summary: summary.into(), detail: detail.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary)?;
        if !self.detail.is_empty() {
            write!(f, "\n{}", self.detail.trim_end())?;
        }
        Ok(())
    }
}

/// Compares `actual` with the case's `expected` block.
pub(crate) fn compare(expected: &Value, actual: &Finished) -> Result<(), Failure> {
    let expected_status = expected.get("status").and_then(Value::as_str).unwrap_or("?");
    if expected_status != actual.status {
        return Err(status_failure(expected_status, expected, actual));
    }
    let mut summaries = Vec::new();
    let mut detail = String::new();
    if expected_status == "SUCCEEDED"
        && let Some(expected_output) = expected.get("output")
    {
        let actual_output = actual.output.as_ref().unwrap_or(&Value::Null);
        if !json_equal(expected_output, actual_output) {
            summaries.push("output differs");
            detail.push_str("output (- expected, + actual):\n");
            detail.push_str(&json_diff(expected_output, actual_output));
        }
    }
    let expected_error = expected.get("error").and_then(Value::as_str);
    if expected_error != actual.error.as_deref() {
        summaries.push("error differs");
        detail.push_str(&format!(
            "error: expected {}\n       actual   {}\n",
            quoted_or_none(expected_error),
            quoted_or_none(actual.error.as_deref())
        ));
        // The cause usually says why the error is not the expected one.
        if let Some(cause) = actual.cause.as_deref().filter(|_| !expected.get("cause").is_some_and(Value::is_string)) {
            detail.push_str(&format!("actual cause: {cause}\n"));
        }
    }
    if let Some(expected_cause) = expected.get("cause").and_then(Value::as_str)
        && Some(expected_cause) != actual.cause.as_deref()
    {
        summaries.push("cause differs");
        detail.push_str(&text_diff("cause", expected_cause, actual.cause.as_deref()));
    }
    if let Some(expected_history) = expected.get("history").and_then(Value::as_array) {
        let expected_history: Vec<&str> = expected_history.iter().filter_map(Value::as_str).collect();
        let actual_history: Vec<&str> = actual.history.iter().flatten().map(String::as_str).collect();
        if expected_history != actual_history {
            summaries.push("history differs");
            detail.push_str("history (- expected, + actual):\n");
            detail.push_str(&line_diff(&expected_history.join("\n"), &actual_history.join("\n")));
        }
    }
    if summaries.is_empty() { Ok(()) } else { Err(Failure::with_detail(summaries.join(", "), detail)) }
}

/// A status mismatch, with what the execution did instead and what the case expected.
fn status_failure(expected_status: &str, expected: &Value, actual: &Finished) -> Failure {
    let summary = format!("status: expected {expected_status}, got {}", actual.status);
    let mut detail = String::new();
    for (what, value) in [("error", &actual.error), ("cause", &actual.cause)] {
        if let Some(value) = value {
            detail.push_str(&format!("actual {what}: {value}\n"));
        }
    }
    if let Some(output) = &actual.output {
        detail.push_str("actual output:\n");
        detail.push_str(&limit_lines(&pretty(output), 20));
    }
    for what in ["error", "cause"] {
        if let Some(value) = expected.get(what).and_then(Value::as_str) {
            detail.push_str(&format!("expected {what}: {value}\n"));
        }
    }
    Failure::with_detail(summary, detail)
}

/// An error name in quotes, or "no error".
fn quoted_or_none(text: Option<&str>) -> String {
    text.map_or_else(|| "no error".to_owned(), |t| format!("{t:?}"))
}

/// Two causes, as a diff of their pretty JSON when both are JSON documents (objects or
/// arrays, as Lambda error payloads are), line by line otherwise.
fn text_diff(what: &str, expected: &str, actual: Option<&str>) -> String {
    let Some(actual) = actual else {
        return format!("{what}: expected {expected:?}\n{:width$}actual   none\n", "", width = what.len() + 2);
    };
    let as_document = |text: &str| serde_json::from_str::<Value>(text).ok().filter(|v| v.is_object() || v.is_array());
    if let (Some(e), Some(a)) = (as_document(expected), as_document(actual)) {
        return format!("{what} (- expected, + actual, as JSON):\n{}", json_diff(&e, &a));
    }
    format!("{what} (- expected, + actual):\n{}", line_diff(expected, actual))
}

/// JSON equality with numbers compared by value (`1` equals `1.0`) and object keys in any
/// order.
pub(crate) fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else if x.is_f64() || y.is_f64() {
                x.as_f64().is_some_and(|x| y.as_f64() == Some(x))
            } else {
                // A negative integer and one above `i64::MAX`.
                false
            }
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Pretty JSON with a final line break.
fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    text.push('\n');
    text
}

/// At most `max` lines of `text`, then how many were left out.
fn limit_lines(text: &str, max: usize) -> String {
    let total = text.lines().count();
    if total <= max {
        return text.to_owned();
    }
    let mut out: String = text.lines().take(max).flat_map(|l| [l, "\n"]).collect();
    out.push_str(&format!("… ({} more lines)\n", total - max));
    out
}

/// A diff of two JSON values' pretty forms. The actual value's object keys are first put
/// in the expected value's order, so that key order (which does not count) shows no
/// difference.
pub(crate) fn json_diff(expected: &Value, actual: &Value) -> String {
    let actual = align_keys(expected, actual);
    line_diff(&pretty(expected), &pretty(&actual))
}

/// `actual` with the keys of each object that has a counterpart in `expected` ordered as
/// there (keys `expected` lacks come last, in their own order).
fn align_keys(expected: &Value, actual: &Value) -> Value {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let mut ordered = Map::new();
            for (key, expected_value) in e {
                if let Some(actual_value) = a.get(key) {
                    ordered.insert(key.clone(), align_keys(expected_value, actual_value));
                }
            }
            for (key, value) in a {
                if !e.contains_key(key) {
                    ordered.insert(key.clone(), value.clone());
                }
            }
            Value::Object(ordered)
        }
        (Value::Array(e), Value::Array(a)) => Value::Array(
            a.iter().enumerate().map(|(i, v)| e.get(i).map_or_else(|| v.clone(), |ev| align_keys(ev, v))).collect(),
        ),
        _ => actual.clone(),
    }
}

/// Lines kept around each change.
const CONTEXT: usize = 3;
/// Beyond this many line pairs the diff is not computed; both texts are shown whole.
const MAX_DIFF_CELLS: usize = 4_000_000;

/// One line of a diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// A line diff of two texts (`- ` expected, `+ ` actual, `  ` both), showing only the
/// changes and [`CONTEXT`] lines around them.
pub(crate) fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let Some(lines) = diff_lines(&a, &b) else {
        let mut out = String::from("(too large to diff; expected, then actual)\n");
        out.extend(a.iter().flat_map(|l| ["- ", l, "\n"]));
        out.extend(b.iter().flat_map(|l| ["+ ", l, "\n"]));
        return out;
    };
    let changed: Vec<bool> = lines.iter().map(|l| !matches!(l, Line::Same(_))).collect();
    let near_change = |i: usize| {
        let from = i.saturating_sub(CONTEXT);
        let to = (i + CONTEXT + 1).min(changed.len());
        changed.get(from..to).is_some_and(|window| window.contains(&true))
    };
    let mut out = String::new();
    let mut skipped = false;
    for (i, line) in lines.iter().enumerate() {
        if !near_change(i) {
            skipped = true;
            continue;
        }
        if skipped {
            out.push_str("  …\n");
            skipped = false;
        }
        let (mark, text) = match line {
            Line::Same(t) => ("  ", t),
            Line::Removed(t) => ("- ", t),
            Line::Added(t) => ("+ ", t),
        };
        out.push_str(mark);
        out.push_str(text);
        out.push('\n');
    }
    if skipped {
        out.push_str("  …\n");
    }
    out
}

/// The edit script of a longest-common-subsequence diff; `None` when the texts are too
/// large for the quadratic table.
fn diff_lines<'a>(a: &[&'a str], b: &[&'a str]) -> Option<Vec<Line<'a>>> {
    // Common prefix and suffix need no table.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let (n, m) = (a_mid.len(), b_mid.len());
    if n.saturating_mul(m) > MAX_DIFF_CELLS {
        return None;
    }
    // lcs[i][j]: length of the LCS of a_mid[i..] and b_mid[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if a_mid[i] == b_mid[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut lines: Vec<Line<'a>> = a[..prefix].iter().map(|l| Line::Same(l)).collect();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a_mid[i] == b_mid[j] {
            lines.push(Line::Same(a_mid[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j]) {
            lines.push(Line::Added(b_mid[j]));
            j += 1;
        } else {
            lines.push(Line::Removed(a_mid[i]));
            i += 1;
        }
    }
    lines.extend(a[a.len() - suffix..].iter().map(|l| Line::Same(l)));
    // Within each run of changes, removals first: reads as "this became that".
    let mut k = 0;
    while k < lines.len() {
        if matches!(lines[k], Line::Same(_)) {
            k += 1;
            continue;
        }
        let end = lines[k..].iter().position(|l| matches!(l, Line::Same(_))).map_or(lines.len(), |p| k + p);
        lines[k..end].sort_by_key(|l| matches!(l, Line::Added(_)));
        k = end;
    }
    Some(lines)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use serde_json::json;

    fn finished(status: &str, output: Option<Value>, error: Option<&str>, cause: Option<&str>) -> Finished {
        let history = Some(vec!["ExecutionStarted".to_owned()]);
        Finished { status: status.into(), output, error: error.map(Into::into), cause: cause.map(Into::into), history }
    }

    #[test]
    fn numbers_by_value_keys_in_any_order() {
        assert!(json_equal(&json!({"a": 1, "b": [1.0, 2]}), &json!({"b": [1, 2.0], "a": 1.0})));
        assert!(!json_equal(&json!({"a": 1}), &json!({"a": 1, "b": null})));
        assert!(!json_equal(&json!([1, 2]), &json!([2, 1])));
        assert!(!json_equal(&json!("1"), &json!(1)));
        assert!(json_equal(&json!(u64::MAX), &json!(u64::MAX)));
        assert!(!json_equal(&json!(-1), &json!(u64::MAX)));
    }

    #[test]
    fn succeeded_with_the_expected_output_passes() {
        let expected = json!({"status": "SUCCEEDED", "output": {"a": 1}, "history": ["ExecutionStarted"]});
        assert_eq!(compare(&expected, &finished("SUCCEEDED", Some(json!({"a": 1})), None, None)), Ok(()));
    }

    #[test]
    fn output_differences_are_diffed() {
        let expected = json!({"status": "SUCCEEDED", "output": {"a": 1, "b": 2}});
        let failure =
            compare(&expected, &finished("SUCCEEDED", Some(json!({"b": 2, "a": 3})), None, None)).expect_err("differs");
        assert_eq!(failure.summary, "output differs");
        assert_eq!(
            failure.detail,
            "output (- expected, + actual):\n  {\n-   \"a\": 1,\n+   \"a\": 3,\n    \"b\": 2\n  }\n"
        );
    }

    #[test]
    fn status_mismatch_shows_the_actual_error() {
        let expected = json!({"status": "SUCCEEDED", "output": {}});
        let failure = compare(&expected, &finished("FAILED", None, Some("States.Runtime"), Some("bad path")))
            .expect_err("differs");
        assert_eq!(failure.summary, "status: expected SUCCEEDED, got FAILED");
        assert_eq!(failure.detail, "actual error: States.Runtime\nactual cause: bad path\n");
    }

    #[test]
    fn error_absent_means_none() {
        let expected = json!({"status": "FAILED"});
        assert_eq!(compare(&expected, &finished("FAILED", None, None, Some("anything"))), Ok(()));
        let failure = compare(&expected, &finished("FAILED", None, Some("X"), None)).expect_err("an error");
        assert_eq!(failure.summary, "error differs");
        assert_eq!(failure.detail, "error: expected no error\n       actual   \"X\"\n");
        let failure = compare(&expected, &finished("FAILED", None, Some("X"), Some("why"))).expect_err("an error");
        assert_eq!(failure.detail, "error: expected no error\n       actual   \"X\"\nactual cause: why\n");
    }

    #[test]
    fn causes_are_exact_and_json_causes_are_diffed_as_json() {
        let expected = json!({"status": "FAILED", "error": "E", "cause": "{\"a\":1,\"b\":2}"});
        assert_eq!(compare(&expected, &finished("FAILED", None, Some("E"), Some("{\"a\":1,\"b\":2}"))), Ok(()));
        let failure =
            compare(&expected, &finished("FAILED", None, Some("E"), Some("{\"a\":1,\"b\":3}"))).expect_err("differs");
        assert_eq!(failure.summary, "cause differs");
        assert!(failure.detail.contains("-   \"b\": 2\n+   \"b\": 3\n"), "{}", failure.detail);
        let failure = compare(&expected, &finished("FAILED", None, Some("F"), None)).expect_err("differs");
        assert_eq!(failure.summary, "error differs, cause differs");
    }

    #[test]
    fn long_diffs_keep_context_only() {
        let expected: String = (0..20).map(|i| format!("{i}\n")).collect();
        let actual = expected.replace("10\n", "ten\n");
        assert_eq!(line_diff(&expected, &actual), "  …\n  7\n  8\n  9\n- 10\n+ ten\n  11\n  12\n  13\n  …\n");
        assert_eq!(line_diff("a\nb\n", "a\nb\nc\n"), "  a\n  b\n+ c\n");
        assert_eq!(line_diff("x\n", "y\n"), "- x\n+ y\n");
    }

    #[test]
    fn failure_display() {
        assert_eq!(Failure::new("a").to_string(), "a");
        assert_eq!(Failure::with_detail("a", "b\nc\n").to_string(), "a\nb\nc");
    }
}
