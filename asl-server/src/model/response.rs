//! Checks a response body against an output shape, for tests: what an SDK would choke on or
//! silently drop. Stricter than requests on purpose: AWS sends exact types, leaves absent
//! members out rather than writing `null`, and sends no member the model does not have.
//! Length and range constraints are not checked; they bind callers, not AWS.

use serde_json::{Map, Value};

use super::request::integer;
use super::shape::{Kind, Member, Model, NumberKind, ShapeId};

/// The problems of `body` as a value of structure `members` (named `shape`), each
/// `path: what is wrong`.
pub(super) fn check(model: &Model, shape: &str, members: &[Member], body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    match body {
        Value::Object(map) => structure(model, shape, members, map, "", &mut problems),
        other => problems.push(format!("(body): expected a JSON object, found {}", json_type(other))),
    }
    problems
}

/// `parent.member`, or `member` at the top.
fn join(parent: &str, member: &str) -> String {
    if parent.is_empty() { member.to_owned() } else { format!("{parent}.{member}") }
}

fn structure(
    model: &Model,
    shape: &str,
    members: &[Member],
    map: &Map<String, Value>,
    path: &str,
    problems: &mut Vec<String>,
) {
    for member in members {
        match map.get(member.name) {
            Some(value) => value_of(model, member.shape, value, &join(path, member.name), problems),
            None if member.required => {
                problems.push(format!("{}: required member is missing", join(path, member.name)))
            }
            None => {}
        }
    }
    for key in map.keys() {
        if !members.iter().any(|member| member.name == key) {
            problems.push(format!("{}: {shape} has no such member", join(path, key)));
        }
    }
}

fn value_of(model: &Model, id: ShapeId, value: &Value, path: &str, problems: &mut Vec<String>) {
    let shape = &model.shapes[id];
    let wrong_type =
        |expected: &str| format!("{path}: expected {expected} ({}), found {}", shape.name, json_type(value));
    match (&shape.kind, value) {
        (_, Value::Null) => problems.push(format!("{path}: null (AWS leaves absent members out)")),
        (Kind::Structure(members), Value::Object(map)) => structure(model, shape.name, members, map, path, problems),
        (Kind::Structure(_), _) => problems.push(wrong_type("an object")),
        (Kind::List { member, .. }, Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                value_of(model, *member, item, &format!("{path}[{index}]"), problems);
            }
        }
        (Kind::List { .. }, _) => problems.push(wrong_type("an array")),
        (Kind::Map { value: target, .. }, Value::Object(map)) => {
            for (key, item) in map {
                value_of(model, *target, item, &format!("{path}[{key:?}]"), problems);
            }
        }
        (Kind::Map { .. }, _) => problems.push(wrong_type("an object")),
        (Kind::String { values, .. }, Value::String(text)) => {
            if !values.is_empty() && !values.contains(&text.as_str()) {
                problems.push(format!("{path}: {text:?} is not one of {} [{}]", shape.name, values.join(", ")));
            }
        }
        (Kind::String { .. }, _) => problems.push(wrong_type("a string")),
        (Kind::Number { kind: NumberKind::Float, .. }, Value::Number(_)) => {}
        (Kind::Number { kind, .. }, Value::Number(number)) => {
            // Exact integers only: `integer` would truncate 1.5, which is what requests allow.
            let exact = number.is_i64() || number.is_u64();
            if !exact || integer(number, *kind).is_none() {
                let expected = if *kind == NumberKind::Integer { "a 32-bit integer" } else { "a 64-bit integer" };
                problems.push(format!("{path}: expected {expected} ({}), found {number}", shape.name));
            }
        }
        (Kind::Number { .. }, _) => problems.push(wrong_type("a number")),
        (Kind::Boolean, Value::Bool(_)) => {}
        (Kind::Boolean, _) => problems.push(wrong_type("a boolean")),
        (Kind::Timestamp, Value::Number(_)) => {}
        (Kind::Timestamp, _) => problems.push(wrong_type("a number of seconds since the epoch")),
    }
}

/// The JSON type of `value`, for messages.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
