//! `ResultPath`: placing a result into the state input.
//!
//! What the callers decide (not [`put`]):
//!
//! - `"ResultPath": null` discards the result: the output is the state input, unchanged.
//! - `"InputPath": null` makes the effective input `{}`; `"OutputPath": null` makes the
//!   output `{}`. Both are selections, not writes.
//! - A Catcher's `ResultPath` places the error output `{"Error", "Cause"}` the same way.

use serde_json::{Map, Value};

use super::cause::{REFERENCE_PATH_CONFLICT, unable_to_apply_step};
use super::{Path, Root, Segment};
use crate::Error;

/// Places `value` into `target` at the Reference Path `path` and returns the result.
///
/// - `$` replaces `target` with `value`.
/// - `$.a.b` sets member `b` of member `a`, creating `a` (and any other missing object on
///   the way) as `{}`; an existing member keeps its position, a new one goes last.
/// - `[n]` replaces an existing element (negative `n` counts from the end); it never
///   creates or extends an array.
/// - A step that cannot be taken (a member of a non-object, an element of a non-array or
///   past its end) fails with `States.ReferencePathConflict` and AWS's cause
///   `Unable to apply step "b" to input {…}`, quoting the whole `target`.
///
/// Takes `target` and `value` by value so that nothing is cloned.
pub fn put(target: Value, path: &Path, value: Value) -> Result<Value, Error> {
    if path.root != Root::Input {
        return Err(Error::runtime(format!("ResultPath '{}' must start with '$'", path.text)));
    }
    if !path.segments.iter().all(|segment| matches!(segment, Segment::Field(_) | Segment::Index(_))) {
        return Err(internal(path));
    }
    let Some((last, parents)) = path.segments.split_last() else {
        return Ok(value);
    };
    // Check every step before changing anything, so that a failure can still quote the
    // input as it was.
    if let Some(step) = conflict(&target, parents, last) {
        return Err(Error::new(REFERENCE_PATH_CONFLICT, unable_to_apply_step(&step, &target)));
    }
    let mut target = target;
    let mut current = &mut target;
    for segment in parents {
        current = match (segment, current) {
            (Segment::Field(name), Value::Object(map)) => map.entry(*name).or_insert_with(|| Value::Object(Map::new())),
            (Segment::Index(index), Value::Array(items)) => match position(items.len(), *index) {
                Some(i) => &mut items[i],
                None => return Err(internal(path)),
            },
            _ => return Err(internal(path)),
        };
    }
    match (last, current) {
        (Segment::Field(name), Value::Object(map)) => {
            map.insert((*name).to_string(), value);
        }
        (Segment::Index(index), Value::Array(items)) => match position(items.len(), *index) {
            Some(i) => items[i] = value,
            None => return Err(internal(path)),
        },
        _ => return Err(internal(path)),
    }
    Ok(target)
}

/// The step that cannot be applied to `target`, if any.
fn conflict(target: &Value, parents: &[Segment], last: &Segment) -> Option<String> {
    // `None` once a member is missing: `put` creates it as `{}`, which takes members but
    // has no elements.
    let mut current = Some(target);
    for segment in parents.iter().chain([last]) {
        current = match (segment, current) {
            (Segment::Field(_), None) => None,
            (Segment::Field(name), Some(Value::Object(map))) => super::eval::member(map, name),
            (Segment::Index(index), Some(Value::Array(items))) => match position(items.len(), *index) {
                Some(i) => Some(&items[i]),
                None => return Some(index.to_string()),
            },
            _ => return Some(step(segment)),
        };
    }
    None
}

/// A step as AWS names it in the cause: the member name, or the index.
fn step(segment: &Segment) -> String {
    match segment {
        Segment::Field(name) => (*name).to_string(),
        Segment::Index(index) => index.to_string(),
        // `put` checked that the path is a Reference Path.
        other => super::cause::fragment(other),
    }
}

fn position(len: usize, index: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let effective = if index < 0 { len.checked_add(index)? } else { index };
    if (0..len).contains(&effective) { usize::try_from(effective).ok() } else { None }
}

/// A path the compiler should have rejected (not a Reference Path).
fn internal(path: &Path) -> Error {
    Error::runtime(format!("ResultPath '{}' is not a reference path", path.text))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::super::tests::p;
    use super::*;

    fn conflict_cause(target: Value, path: &str) -> String {
        let e = put(target, &p(path), json!("R")).unwrap_err();
        assert_eq!(e.name, REFERENCE_PATH_CONFLICT);
        e.cause.unwrap_or_default()
    }

    #[test]
    fn dollar_replaces_the_input() {
        assert_eq!(put(json!({"a": 1}), &p("$"), json!([1])).unwrap(), json!([1]));
        assert_eq!(put(json!("s"), &p("$"), json!(null)).unwrap(), json!(null));
    }

    #[test]
    fn members_are_set_and_intermediate_objects_created() {
        let out = put(json!({"x": 1, "a": {"keep": true}}), &p("$.a.b.c"), json!({"r": 2})).unwrap();
        assert_eq!(out, json!({"x": 1, "a": {"keep": true, "b": {"c": {"r": 2}}}}));
        // An existing member keeps its place; a new one goes last.
        let out = put(json!({"a": 1, "b": 2}), &p("$.a"), json!(9)).unwrap();
        assert_eq!(out.as_object().unwrap().keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(out, json!({"a": 9, "b": 2}));
        let out = put(json!({"a": 1}), &p("$['new key']"), json!(true)).unwrap();
        assert_eq!(out.as_object().unwrap().keys().collect::<Vec<_>>(), ["a", "new key"]);
    }

    #[test]
    fn elements_are_replaced_not_created() {
        assert_eq!(put(json!({"l": [1, 2]}), &p("$.l[1]"), json!(0)).unwrap(), json!({"l": [1, 0]}));
        assert_eq!(put(json!({"l": [1, 2]}), &p("$.l[-2]"), json!(0)).unwrap(), json!({"l": [0, 2]}));
        assert_eq!(put(json!({"l": [{"a": 1}]}), &p("$.l[0].b"), json!(2)).unwrap(), json!({"l": [{"a": 1, "b": 2}]}));
        assert_eq!(conflict_cause(json!({"l": [1]}), "$.l[1]"), "Unable to apply step \"1\" to input {\"l\":[1]}");
        assert_eq!(conflict_cause(json!({"l": [1]}), "$.l[3].x"), "Unable to apply step \"3\" to input {\"l\":[1]}");
        assert_eq!(conflict_cause(json!({}), "$.l[0]"), "Unable to apply step \"0\" to input {}");
    }

    #[test]
    fn steps_into_non_objects_conflict() {
        // A Parallel state's array output under `ResultPath: "$.aggregatedResult"`, as
        // reported from AWS: `Unable to apply step "aggregatedResult" to input [...]`.
        assert_eq!(
            conflict_cause(json!([{"a": 1}, 2]), "$.aggregatedResult"),
            "Unable to apply step \"aggregatedResult\" to input [{\"a\":1},2]"
        );
        assert_eq!(conflict_cause(json!("text"), "$.r"), "Unable to apply step \"r\" to input \"text\"");
        assert_eq!(conflict_cause(json!(null), "$.r"), "Unable to apply step \"r\" to input null");
        assert_eq!(conflict_cause(json!({"a": 5}), "$.a.b.c"), "Unable to apply step \"b\" to input {\"a\":5}");
        assert_eq!(conflict_cause(json!({"a": null}), "$.a.b"), "Unable to apply step \"b\" to input {\"a\":null}");
    }

    #[test]
    fn paths_the_compiler_rejects_are_runtime_errors() {
        for path in ["$$.Execution", "$x.a", "$.a[*]", "$..a"] {
            let e = put(json!({}), &p(path), json!(1)).unwrap_err();
            assert_eq!(e.name, crate::error::names::RUNTIME, "{path}");
        }
    }
}
