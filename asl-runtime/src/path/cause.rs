//! The cause texts AWS reports when a path fails, byte for byte.
//!
//! Each helper returns the cause *without* the prefix AWS adds at execution level, "An
//! error occurred while executing the state 'S' (entered at the event id #N). "; the
//! driver adds it with [`in_state`] to `States.Runtime` errors. Templates, and where each
//! was seen (case names are files in the conformance suite):
//!
//! | Where | Error | Cause | Source |
//! |---|---|---|---|
//! | `InputPath`, `OutputPath`, `TimeoutSecondsPath`, `HeartbeatSecondsPath` | `States.Runtime` | [`invalid_path`]: `Invalid path '$.x' : No results for path: $['x']` | cases `…-invalid-jsonpath-in-inputpath`, `…-in-outputpath`, `…-in-timeoutsecondspath`, `…-in-heartbeatsecondspath`, `base-scenarios-catch-states-runtime` |
//! | `.$` fields of payload templates, `ErrorPath`, `CausePath` | `States.Runtime` | [`field_not_found`]: `The JSONPath '$.x' specified for the field 'v.$' could not be found in the input '{"a":1}'` | AWS console output quoted in public tutorials; LocalStack issue #11951 (`'ErrorPath'`) |
//! | Choice `Variable` | `States.Runtime` | [`choice_invalid_path`] | AWS output quoted in public projects |
//! | `ResultPath` on a non-object, `ItemsPath` not found | [`REFERENCE_PATH_CONFLICT`] | [`unable_to_apply_step`]: `Unable to apply step "x" to input {"a":1}` | AWS output quoted in public projects |
//! | any path applied to a `null` input | `States.Runtime` | [`NULL_INPUT`] | AWS output quoted in a public Q&A |
//! | `SecondsPath`, `TimestampPath` values | `States.Runtime` | [`seconds_path_not_long`], [`seconds_path_negative`], [`timestamp_path_invalid`] | cases `wait-base-wait-seconds-path-*`, `base-scenarios-wait-timestamp-path-*` |
//! | `MaxConcurrencyPath`, `ToleratedFailure…Path` values | `States.Runtime` | [`not_an_integer`], [`not_a_float`], [`TOLERATED_FAILURE_COUNT_NEGATIVE`], [`TOLERATED_FAILURE_PERCENTAGE_RANGE`] | cases `base-scenarios-max-concurrency-path-*`, `base-scenarios-map-state-tolerated-failure-*` |
//!
//! Values are rendered as AWS renders them: JSON compact, members in document order
//! ([`json_text`]); a failing *value* of a `…Path` field as Java's `toString` would
//! ([`value_text`]: a string without quotes). AWS quotes the execution's raw input text
//! where it has one (spaces included); generated code only has the parsed value, so a
//! first state's cause may differ from AWS in whitespace and number spelling.

use serde_json::Value;

use super::eval::Missing;
use super::{Path, Segment, UnionItem};

/// The error AWS raises when a `ResultPath` cannot be applied to the state input, or an
/// `ItemsPath` step cannot be taken (not the specification's `States.ResultPathMatchFailure`).
pub const REFERENCE_PATH_CONFLICT: &str = crate::error::names::REFERENCE_PATH_CONFLICT;

/// The cause when a path is applied to a `null` state input.
pub const NULL_INPUT: &str = "Unable to apply Path transformation to null or empty input.";

/// The cause when `ToleratedFailureCountPath` gives a negative number.
pub const TOLERATED_FAILURE_COUNT_NEGATIVE: &str = "ToleratedFailureCount cannot be negative.";

/// The cause when `ToleratedFailurePercentagePath` gives a number outside 0–100.
pub const TOLERATED_FAILURE_PERCENTAGE_RANGE: &str = "ToleratedFailurePercentage must be between 0 and 100.";

/// A value as AWS writes it into a cause: compact JSON, members in document order.
pub fn json_text(value: &Value) -> String {
    value.to_string()
}

/// A value as Java's `toString` writes it: a string's own text, JSON for anything else.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => json_text(other),
    }
}

/// A path in Jayway's bracket notation, as it appears in Jayway's messages:
/// `$['a']['b'][0]`, filters as `[?]`. Names are not escaped (Jayway does not escape them),
/// and every root is written `$`.
pub fn jayway_path(path: &Path) -> String {
    jayway_path_of(path.segments)
}

pub(crate) fn jayway_path_of(segments: &[Segment]) -> String {
    let mut out = String::from("$");
    segments.iter().for_each(|segment| out.push_str(&fragment(segment)));
    out
}

/// One step in Jayway's notation.
pub(crate) fn fragment(segment: &Segment) -> String {
    match segment {
        Segment::Field(name) => format!("['{name}']"),
        Segment::Index(index) => format!("[{index}]"),
        Segment::Wildcard => "[*]".to_string(),
        // Jayway keeps no step, so it prints none.
        Segment::Slice { start, end, .. } => {
            let show = |n: &Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
            format!("[{}:{}]", show(start), show(end))
        }
        Segment::Union(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| match item {
                    UnionItem::Field(name) => format!("'{name}'"),
                    UnionItem::Index(index) => index.to_string(),
                })
                .collect();
            format!("[{}]", items.join(","))
        }
        Segment::Filter(_) => "[?]".to_string(),
        Segment::Descendant(inner) => format!("..{}", fragment(inner)),
        Segment::Function(name) => format!(".{name}()"),
    }
}

/// `InputPath`, `OutputPath` and the `…SecondsPath` fields of Task:
/// `Invalid path '$.x' : No results for path: $['x']`.
pub fn invalid_path(path: &Path, missing: &Missing) -> String {
    format!("Invalid path '{}' : {}", path.text, missing.reason)
}

/// A `.$` field of a payload template (`field` as written, `.$` included), or a Fail
/// state's `ErrorPath`/`CausePath` (`field` = `"ErrorPath"`): `The JSONPath '$.x'
/// specified for the field 'v.$' could not be found in the input '{"a":1}'`. `input` is
/// the document the template is applied to (the effective input, or the task result for
/// `ResultSelector`), also for `$$` and `$name` paths.
pub fn field_not_found(path: &Path, field: &str, input: &Value) -> String {
    format!(
        "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{}'",
        path.text,
        json_text(input)
    )
}

/// A Choice rule's `Variable` (or `…Path` operand) that selects nothing:
/// `Invalid path '$.x': The choice state's condition path references an invalid value.`
pub fn choice_invalid_path(path: &Path) -> String {
    format!("Invalid path '{}': The choice state's condition path references an invalid value.", path.text)
}

/// [`REFERENCE_PATH_CONFLICT`]'s cause: `Unable to apply step "x" to input {"a":1}`, with
/// the step that failed ([`Missing::step`] for a read) and the whole input.
pub fn unable_to_apply_step(step: &str, input: &Value) -> String {
    format!("Unable to apply step \"{step}\" to input {}", json_text(input))
}

/// A `SecondsPath` value that is not an integer (`1.5`, `"10"`).
pub fn seconds_path_not_long(path: &Path, value: &Value) -> String {
    format!("The SecondsPath parameter cannot be parsed as a long value: {} == {}", path.text, value_text(value))
}

/// A negative `SecondsPath` value.
pub fn seconds_path_negative(path: &Path, value: &Value) -> String {
    format!("The SecondsPath parameter references a negative value: {} == {}", path.text, value_text(value))
}

/// A `TimestampPath` value that is not an RFC 3339 timestamp with an offset.
pub fn timestamp_path_invalid(path: &Path, value: &Value) -> String {
    format!(
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: \
         {} == {}",
        path.text,
        value_text(value)
    )
}

/// An integer-valued `…Path` field (`MaxConcurrencyPath`, `ToleratedFailureCountPath`;
/// `field` is the field's name) whose value is not an integer.
pub fn not_an_integer(field: &str, path: &Path, value: &Value) -> String {
    format!("The {field} field refers to value \"{}\" which is not a valid integer: {}", value_text(value), path.text)
}

/// `ToleratedFailurePercentagePath` whose value is not a number.
pub fn not_a_float(field: &str, path: &Path, value: &Value) -> String {
    format!("The {field} field refers to value \"{}\" which is not a valid float: {}", value_text(value), path.text)
}

/// The execution-level form of a `States.Runtime` cause: `An error occurred while executing
/// the state 'S' (entered at the event id #2). <cause>`.
pub fn in_state(state: &str, entered_event_id: u64, cause: &str) -> String {
    format!(
        "An error occurred while executing the state '{state}' (entered at the event id #{entered_event_id}). {cause}"
    )
}
