//! Coral's first pass over a request: reading the JSON into the input shape's types. A JSON type
//! the shape cannot take is a `SerializationException`, and the first one (in document order)
//! ends the request, since Coral stops reading there.
//!
//! The messages are Coral's current ones, in its words: the JSON token it found
//! (`STRING_VALUE`, `NUMBER_VALUE`, `TRUE_VALUE`, `FALSE_VALUE`) and the Java type it wanted.
//! Sources, AWS's answers as others recorded them:
//! - "NUMBER_VALUE/TRUE_VALUE/FALSE_VALUE can not be converted to a String",
//!   "STRING_VALUE/TRUE_VALUE/FALSE_VALUE can not be converted to an Integer",
//!   "Start of list found where not expected", "Start of structure or map found where not
//!   expected.", "Expected list or null" and "Expected null": the tests of an Athena
//!   emulator written from 46 raw HTTP probes (awsJson1.1, also Coral), 2026-09;
//! - "STRING_VALUE can not be converted to an Boolean" (sic) and "NUMBER_VALUE can not be
//!   converted to a Boolean": floci's SES v2 tests (floci-io/floci, probe-confirmed);
//! - "STRING_VALUE can not be converted to a Long": an Amazon Ads API reply quoted in the
//!   tests of a Segment destination;
//! - "Expected map or null": dynalite/kinesalite, from an older Coral whose other messages
//!   match these in form.
//!
//! Not observed, chosen by analogy: "… can not be converted to a Float" and "… to
//! milliseconds since epoch" (timestamps; no request of this model has one), and the refusal
//! of a number outside the range of an integer or long (AWS may wrap or clamp instead).
//!
//! Coral is lenient in three ways, and so are we. `null` is an absent member (and an absent
//! list element). A fractional number for an integer or long is truncated (the Athena probes:
//! "the real service truncates and accepts"; kinesalite floors). A string naming a boolean
//! (`true`/`yes`/`y`/`t`/`1` or `false`/`no`/`n`/`f`/`0`, any case) is a boolean (floci's
//! "AWS-verified coercion"). [`normalize`] rewrites those into the strict form so handlers can
//! deserialize the body with serde.

use serde_json::{Number, Value};

use super::shape::{Kind, Model, NumberKind, ShapeId};

/// An array where the shape wants a scalar, a structure or a map.
pub(super) const START_OF_LIST: &str = "Start of list found where not expected";
/// An object where the shape wants a scalar or a list.
pub(super) const START_OF_MAP: &str = "Start of structure or map found where not expected.";

/// Reads `value` (not `null`) as shape `id`; the error is the message of the
/// `SerializationException`.
pub(super) fn read(model: &Model, id: ShapeId, value: &Value) -> Result<(), String> {
    match (&model.shapes[id].kind, value) {
        (_, Value::Null) => Ok(()),
        (Kind::Structure(members), Value::Object(map)) => {
            // Document order, as Coral reads; members the shape does not have are skipped.
            for (key, value) in map {
                if let Some(member) = members.iter().find(|member| member.name == key) {
                    read(model, member.shape, value)?;
                }
            }
            Ok(())
        }
        (Kind::List { member, .. }, Value::Array(items)) => {
            items.iter().try_for_each(|item| read(model, *member, item))
        }
        (Kind::Map { value: target, .. }, Value::Object(map)) => {
            map.values().try_for_each(|value| read(model, *target, value))
        }
        (Kind::List { .. }, Value::Object(_)) => Err(START_OF_MAP.into()),
        (Kind::List { .. }, _) => Err("Expected list or null".into()),
        (Kind::Structure(_) | Kind::Map { .. }, Value::Array(_)) => Err(START_OF_LIST.into()),
        (Kind::Structure(_), _) => Err("Expected null".into()),
        (Kind::Map { .. }, _) => Err("Expected map or null".into()),
        (_, Value::Array(_)) => Err(START_OF_LIST.into()),
        (_, Value::Object(_)) => Err(START_OF_MAP.into()),
        (Kind::String { .. }, Value::String(_)) => Ok(()),
        (Kind::String { .. }, scalar) => Err(cannot_convert(scalar, "a String")),
        (Kind::Number { kind, .. }, Value::Number(number)) => match kind {
            NumberKind::Float => Ok(()),
            NumberKind::Integer | NumberKind::Long => match integer(number, *kind) {
                Some(_) => Ok(()),
                None => Err(cannot_convert(value, number_target(*kind))),
            },
        },
        (Kind::Number { kind, .. }, scalar) => Err(cannot_convert(scalar, number_target(*kind))),
        (Kind::Boolean, Value::Bool(_)) => Ok(()),
        (Kind::Boolean, Value::String(text)) => match boolean(text) {
            Some(_) => Ok(()),
            // "an Boolean": Coral's grammar, kept.
            None => Err(cannot_convert(value, "an Boolean")),
        },
        (Kind::Boolean, scalar) => Err(cannot_convert(scalar, "a Boolean")),
        (Kind::Timestamp, Value::Number(_)) => Ok(()),
        (Kind::Timestamp, scalar) => Err(cannot_convert(scalar, "milliseconds since epoch")),
    }
}

/// "STRING_VALUE can not be converted to an Integer".
fn cannot_convert(scalar: &Value, target: &str) -> String {
    let token = match scalar {
        Value::String(_) => "STRING_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::Bool(true) => "TRUE_VALUE",
        _ => "FALSE_VALUE",
    };
    format!("{token} can not be converted to {target}")
}

/// The Java type of a number shape, with Coral's article.
fn number_target(kind: NumberKind) -> &'static str {
    match kind {
        NumberKind::Integer => "an Integer",
        NumberKind::Long => "a Long",
        NumberKind::Float => "a Float",
    }
}

/// The value of `number` as an integer or long: fractions truncated toward zero, `None` if it
/// does not fit.
pub(super) fn integer(number: &Number, kind: NumberKind) -> Option<i64> {
    let value = match number.as_i64() {
        Some(value) => value,
        // A u64 above i64::MAX fits neither an int nor a long.
        None if number.is_u64() => return None,
        None => {
            let truncated = number.as_f64()?.trunc();
            // -2^63 and 2^63 are exact in f64; a NaN is in no range and is refused.
            if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&truncated) {
                return None;
            }
            truncated as i64
        }
    };
    match kind {
        NumberKind::Integer => i32::try_from(value).ok().map(i64::from),
        _ => Some(value),
    }
}

/// The boolean a string names, as Coral reads it.
pub(super) fn boolean(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "t" | "1" => Some(true),
        "false" | "no" | "n" | "f" | "0" => Some(false),
        _ => None,
    }
}

/// Rewrites what [`read`] accepts leniently into the strict form: `null` members and list
/// elements removed, fractional integers truncated, boolean strings made booleans. Values of
/// the wrong type are left alone.
pub(super) fn normalize(model: &Model, id: ShapeId, value: &mut Value) {
    match (&model.shapes[id].kind, value) {
        (Kind::Structure(members), Value::Object(map)) => {
            map.retain(|_, value| !value.is_null());
            for (key, value) in map.iter_mut() {
                if let Some(member) = members.iter().find(|member| member.name == key) {
                    normalize(model, member.shape, value);
                }
            }
        }
        (Kind::List { member, .. }, Value::Array(items)) => {
            items.retain(|item| !item.is_null());
            items.iter_mut().for_each(|item| normalize(model, *member, item));
        }
        (Kind::Map { value: target, .. }, Value::Object(map)) => {
            map.retain(|_, value| !value.is_null());
            map.values_mut().for_each(|value| normalize(model, *target, value));
        }
        (Kind::Number { kind: kind @ (NumberKind::Integer | NumberKind::Long), .. }, value) => {
            if let Value::Number(number) = value
                && !number.is_i64()
                && let Some(truncated) = integer(number, *kind)
            {
                *value = Value::from(truncated);
            }
        }
        (Kind::Boolean, value) => {
            if let Some(flag) = value.as_str().and_then(boolean) {
                *value = Value::Bool(flag);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use serde_json::json;

    use super::super::operation;
    use super::*;

    /// `read` on the input shape of `operation`, as `check_request` runs it.
    fn read_input(name: &str, body: Value) -> Result<(), String> {
        let model = super::super::loaded().unwrap();
        let input = operation(name).unwrap().input.unwrap();
        read(model, input, &body)
    }

    #[test]
    fn strings_refuse_other_scalars_with_coral_messages() {
        let cases = [
            (json!(1), "NUMBER_VALUE can not be converted to a String"),
            (json!(1.5), "NUMBER_VALUE can not be converted to a String"),
            (json!(true), "TRUE_VALUE can not be converted to a String"),
            (json!(false), "FALSE_VALUE can not be converted to a String"),
            (json!(["arn"]), START_OF_LIST),
            (json!({"arn": 1}), START_OF_MAP),
        ];
        for (value, message) in cases {
            assert_eq!(read_input("DescribeExecution", json!({"executionArn": value})), Err(message.into()));
        }
    }

    #[test]
    fn integers_refuse_other_types_and_truncate_fractions() {
        let cases = [
            (json!("10"), "STRING_VALUE can not be converted to an Integer"),
            (json!(true), "TRUE_VALUE can not be converted to an Integer"),
            (json!(false), "FALSE_VALUE can not be converted to an Integer"),
            (json!([1]), START_OF_LIST),
            (json!({}), START_OF_MAP),
            (json!(2_147_483_648_i64), "NUMBER_VALUE can not be converted to an Integer"),
            (json!(-2_147_483_649_i64), "NUMBER_VALUE can not be converted to an Integer"),
            (json!(1e300), "NUMBER_VALUE can not be converted to an Integer"),
        ];
        for (value, message) in cases {
            assert_eq!(read_input("ListActivities", json!({"maxResults": value})), Err(message.into()), "{value}");
        }
        for value in [json!(10), json!(10.9), json!(-0.5), json!(2_147_483_647), json!(-2_147_483_648), json!(1e3)] {
            assert_eq!(read_input("ListActivities", json!({"maxResults": value})), Ok(()), "{value}");
        }
    }

    #[test]
    fn longs_and_floats() {
        // UpdateMapRun: toleratedFailureCount is a long, toleratedFailurePercentage a float.
        let body = |count: Value, percentage: Value| json!({"mapRunArn": "a", "toleratedFailureCount": count, "toleratedFailurePercentage": percentage});
        assert_eq!(read_input("UpdateMapRun", body(json!(5_000_000_000_i64), json!(12.5))), Ok(()));
        assert_eq!(
            read_input("UpdateMapRun", body(json!("5"), json!(1))),
            Err("STRING_VALUE can not be converted to a Long".into())
        );
        assert_eq!(
            read_input("UpdateMapRun", body(json!(u64::MAX), json!(1))),
            Err("NUMBER_VALUE can not be converted to a Long".into())
        );
        assert_eq!(
            read_input("UpdateMapRun", body(json!(1), json!("12.5"))),
            Err("STRING_VALUE can not be converted to a Float".into())
        );
    }

    #[test]
    fn booleans_take_boolean_strings() {
        for value in [json!(true), json!("true"), json!("YES"), json!("n"), json!("0"), json!("F")] {
            assert_eq!(read_input("GetExecutionHistory", json!({"executionArn": "a", "reverseOrder": value})), Ok(()));
        }
        let cases = [
            (json!("abc"), "STRING_VALUE can not be converted to an Boolean"),
            (json!(1), "NUMBER_VALUE can not be converted to a Boolean"),
            (json!([true]), START_OF_LIST),
            (json!({}), START_OF_MAP),
        ];
        for (value, message) in cases {
            let body = json!({"executionArn": "a", "reverseOrder": value});
            assert_eq!(read_input("GetExecutionHistory", body), Err(message.into()), "{value}");
        }
    }

    #[test]
    fn lists_and_structures() {
        let tags = |tags: Value| json!({"resourceArn": "a", "tags": tags});
        assert_eq!(read_input("TagResource", tags(json!("k"))), Err("Expected list or null".into()));
        assert_eq!(read_input("TagResource", tags(json!(1))), Err("Expected list or null".into()));
        assert_eq!(read_input("TagResource", tags(json!({"key": "k"}))), Err(START_OF_MAP.into()));
        assert_eq!(read_input("TagResource", tags(json!(["k"]))), Err("Expected null".into()));
        assert_eq!(read_input("TagResource", tags(json!([[]]))), Err(START_OF_LIST.into()));
        assert_eq!(
            read_input("TagResource", tags(json!([{"key": 1}]))),
            Err("NUMBER_VALUE can not be converted to a String".into())
        );
        assert_eq!(read_input("TagResource", tags(json!([null, {"key": null}]))), Ok(()));
    }

    #[test]
    fn the_first_error_in_document_order_wins() {
        // preserve_order keeps the body's order, which is the order Coral reads in.
        let body: Value = serde_json::from_str(r#"{"name": 1, "stateMachineArn": true}"#).unwrap();
        assert_eq!(read_input("StartExecution", body), Err("NUMBER_VALUE can not be converted to a String".into()));
        let body: Value = serde_json::from_str(r#"{"stateMachineArn": true, "name": 1}"#).unwrap();
        assert_eq!(read_input("StartExecution", body), Err("TRUE_VALUE can not be converted to a String".into()));
    }

    #[test]
    fn nulls_and_unknown_members_are_ignored() {
        let body = json!({"stateMachineArn": null, "name": null, "surprise": {"deep": [1, true]}});
        assert_eq!(read_input("StartExecution", body), Ok(()));
    }

    #[test]
    fn normalize_makes_lenient_values_strict() {
        let model = super::super::loaded().unwrap();
        let mut body = json!({
            "executionArn": "a",
            "maxResults": 10.9,
            "reverseOrder": "Yes",
            "includeExecutionData": "0",
            "nextToken": null,
            "unknown": null,
        });
        normalize(model, operation("GetExecutionHistory").unwrap().input.unwrap(), &mut body);
        assert_eq!(
            body,
            json!({"executionArn": "a", "maxResults": 10, "reverseOrder": true, "includeExecutionData": false})
        );

        let mut body = json!({"resourceArn": "a", "tagKeys": ["k", null, "l"], "extra": 1.5});
        normalize(model, operation("UntagResource").unwrap().input.unwrap(), &mut body);
        assert_eq!(body, json!({"resourceArn": "a", "tagKeys": ["k", "l"], "extra": 1.5}));

        // Wrong types stay as they are; normalize never panics on them.
        let mut body = json!({"executionArn": 1, "maxResults": "x", "reverseOrder": "maybe"});
        let before = body.clone();
        normalize(model, operation("GetExecutionHistory").unwrap().input.unwrap(), &mut body);
        assert_eq!(body, before);
    }
}
