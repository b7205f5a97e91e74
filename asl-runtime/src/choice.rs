//! JSONPath Choice rules as generated code carries them, and their evaluation.
//!
//! The compiler turns each rule of a `Choices` array into a [`Rule`] built from `static`
//! data, so nothing is parsed at run time. [`evaluate`] decides one rule; the caller walks the
//! `Choices` in order, takes the first rule that yields `true`, falls back to `Default`, and
//! fails with [`no_choice_matched`] when there is neither.
//!
//! How AWS decides, and what this module therefore does (each point is the behaviour recorded
//! in the conformance cases where they cover it):
//!
//! - A value of the wrong type makes a comparison `false`, never an error (`NumericEquals`
//!   against `"1"`, `null`, `[]`…).
//! - A `Variable` that selects nothing fails the state with `States.Runtime`, for every
//!   operator but `IsPresent`; so does a `…Path` operand that selects nothing.
//! - Numbers compare by value: `1`, `1.0` and `1e0` are equal, and large integers compare
//!   exactly (no rounding through `f64`).
//! - Strings compare the way Java's `String.compareTo` does, by UTF-16 code unit (AWS runs on
//!   the JVM); this differs from code-point order only between U+E000–U+FFFF and characters
//!   outside the Basic Multilingual Plane.
//! - Timestamps are parsed as Java's `ISO_OFFSET_DATE_TIME` parses them and compared as
//!   instants; a string that does not parse makes the comparison `false`
//!   (see the `timestamp` submodule).
//! - `StringMatches` is a whole-string glob where only `*` is special (see the `glob` submodule).
//! - `And`/`Or` stop at the first rule that settles the result, so a later rule's missing
//!   path does not fail the state.

mod glob;
pub(crate) mod timestamp;

#[cfg(test)]
mod conformance;
#[cfg(test)]
mod tests;

use std::cmp::Ordering;

use serde_json::Value;

use crate::error::Error;
use crate::path::Path;

pub use asl_machine::choice::{Number, Operand, Rule, Test};

/// Evaluates one rule.
///
/// `lookup` returns the value a path selects, or `None` when it selects nothing; it is called
/// for the `Variable` of each comparison evaluated and for each `…Path` operand.
///
/// # Errors
///
/// `States.Runtime` when a `Variable` (other than for `IsPresent`) or a `…Path` operand selects
/// nothing, and when a `StringMatches` pattern has an open escape (which the compiler rejects,
/// so generated code never meets it).
pub fn evaluate<'v>(rule: &Rule, lookup: &mut dyn FnMut(&Path) -> Option<&'v Value>) -> Result<bool, Error> {
    match rule {
        Rule::And(rules) => {
            for rule in *rules {
                if !evaluate(rule, lookup)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Rule::Or(rules) => {
            for rule in *rules {
                if evaluate(rule, lookup)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Rule::Not(rule) => Ok(!evaluate(rule, lookup)?),
        Rule::Compare { variable, test } => compare(variable, test, lookup),
        Rule::Jsonata(expr) => {
            Err(Error::runtime(format!("the JSONata condition '{}' cannot be nested in a JSONPath rule", expr.text)))
        }
    }
}

/// The error when no rule matched and the state has no `Default`.
///
/// The specification names it `States.NoChoiceMatched`, but AWS reports `States.Runtime` with
/// this cause (measured on AWS by the floci emulator, "verified against us-east-1", and the
/// developer guide's "the state machine will throw an error due to a failure to transition out
/// of the state"). Like every `States.Runtime` raised inside a state, the execution reports it
/// behind the "An error occurred while executing the state '…' (entered at the event id #…). "
/// prefix, which the caller adds.
pub fn no_choice_matched() -> Error {
    Error::runtime("Failed to transition out of the state. The state does not point to a next state.")
}

/// The error for a `Variable` or `…Path` operand that selects nothing. AWS quotes the path as
/// written in the definition, not in Jayway's normalized `$['foo']` form.
fn invalid_path(path: &Path) -> Error {
    Error::runtime(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        path.text
    ))
}

/// The relation an ordering operator asks for.
#[derive(Clone, Copy)]
enum Relation {
    Equals,
    LessThan,
    GreaterThan,
    LessThanEquals,
    GreaterThanEquals,
}

impl Relation {
    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Relation::Equals => ordering.is_eq(),
            Relation::LessThan => ordering.is_lt(),
            Relation::GreaterThan => ordering.is_gt(),
            Relation::LessThanEquals => ordering.is_le(),
            Relation::GreaterThanEquals => ordering.is_ge(),
        }
    }
}

fn compare<'v>(
    variable: &Path,
    test: &Test,
    lookup: &mut dyn FnMut(&Path) -> Option<&'v Value>,
) -> Result<bool, Error> {
    let Some(value) = lookup(variable) else {
        // IsPresent is the one operator for which selecting nothing is an answer, not an error.
        return match *test {
            Test::IsPresent(expected) => Ok(!expected),
            _ => Err(invalid_path(variable)),
        };
    };
    use Relation::*;
    Ok(match *test {
        Test::IsPresent(expected) => expected,
        Test::IsNull(expected) => value.is_null() == expected,
        Test::IsNumeric(expected) => value.is_number() == expected,
        Test::IsString(expected) => value.is_string() == expected,
        Test::IsBoolean(expected) => value.is_boolean() == expected,
        Test::IsTimestamp(expected) => value.as_str().and_then(timestamp::parse).is_some() == expected,
        Test::StringMatches(pattern) => match value.as_str() {
            Some(text) => glob::matches(pattern, text)?,
            None => false,
        },
        Test::StringEquals(operand) => strings(value, operand, Equals, lookup)?,
        Test::StringLessThan(operand) => strings(value, operand, LessThan, lookup)?,
        Test::StringGreaterThan(operand) => strings(value, operand, GreaterThan, lookup)?,
        Test::StringLessThanEquals(operand) => strings(value, operand, LessThanEquals, lookup)?,
        Test::StringGreaterThanEquals(operand) => strings(value, operand, GreaterThanEquals, lookup)?,
        Test::NumericEquals(operand) => numbers(value, operand, Equals, lookup)?,
        Test::NumericLessThan(operand) => numbers(value, operand, LessThan, lookup)?,
        Test::NumericGreaterThan(operand) => numbers(value, operand, GreaterThan, lookup)?,
        Test::NumericLessThanEquals(operand) => numbers(value, operand, LessThanEquals, lookup)?,
        Test::NumericGreaterThanEquals(operand) => numbers(value, operand, GreaterThanEquals, lookup)?,
        Test::BooleanEquals(operand) => {
            let right = match operand {
                Operand::Literal(b) => Some(b),
                Operand::Path(path) => lookup(&path).ok_or_else(|| invalid_path(&path))?.as_bool(),
            };
            matches!((value.as_bool(), right), (Some(a), Some(b)) if a == b)
        }
        Test::TimestampEquals(operand) => timestamps(value, operand, Equals, lookup)?,
        Test::TimestampLessThan(operand) => timestamps(value, operand, LessThan, lookup)?,
        Test::TimestampGreaterThan(operand) => timestamps(value, operand, GreaterThan, lookup)?,
        Test::TimestampLessThanEquals(operand) => timestamps(value, operand, LessThanEquals, lookup)?,
        Test::TimestampGreaterThanEquals(operand) => timestamps(value, operand, GreaterThanEquals, lookup)?,
    })
}

/// The string an operand stands for: the literal, or the string its path selects (`None` when
/// that value is not a string). The path is resolved even when the variable already has the
/// wrong type, so a missing operand path fails the state either way.
fn string_operand<'v>(
    operand: Operand<&'static str>,
    lookup: &mut dyn FnMut(&Path) -> Option<&'v Value>,
) -> Result<Option<&'v str>, Error> {
    match operand {
        Operand::Literal(text) => Ok(Some(text)),
        Operand::Path(path) => Ok(lookup(&path).ok_or_else(|| invalid_path(&path))?.as_str()),
    }
}

fn strings<'v>(
    value: &Value,
    operand: Operand<&'static str>,
    relation: Relation,
    lookup: &mut dyn FnMut(&Path) -> Option<&'v Value>,
) -> Result<bool, Error> {
    let right = string_operand(operand, lookup)?;
    Ok(match (value.as_str(), right) {
        (Some(left), Some(right)) => relation.holds(java_string_order(left, right)),
        _ => false,
    })
}

fn timestamps<'v>(
    value: &Value,
    operand: Operand<&'static str>,
    relation: Relation,
    lookup: &mut dyn FnMut(&Path) -> Option<&'v Value>,
) -> Result<bool, Error> {
    let right = string_operand(operand, lookup)?.and_then(timestamp::parse);
    let left = value.as_str().and_then(timestamp::parse);
    Ok(match (left, right) {
        (Some(left), Some(right)) => relation.holds(left.cmp(&right)),
        _ => false,
    })
}

fn numbers<'v>(
    value: &Value,
    operand: Operand<Number>,
    relation: Relation,
    lookup: &mut dyn FnMut(&Path) -> Option<&'v Value>,
) -> Result<bool, Error> {
    let right = match operand {
        Operand::Literal(number) => Some(number),
        Operand::Path(path) => lookup(&path).ok_or_else(|| invalid_path(&path))?.as_number().and_then(from_json),
    };
    let left = value.as_number().and_then(from_json);
    Ok(match (left, right) {
        (Some(left), Some(right)) => compare_numbers(left, right).is_some_and(|ordering| relation.holds(ordering)),
        _ => false,
    })
}

/// Java's `String.compareTo`: lexicographic by UTF-16 code unit.
fn java_string_order(left: &str, right: &str) -> Ordering {
    left.encode_utf16().cmp(right.encode_utf16())
}

fn from_json(number: &serde_json::Number) -> Option<Number> {
    if let Some(i) = number.as_i64() {
        Some(Number::Int(i128::from(i)))
    } else if let Some(u) = number.as_u64() {
        Some(Number::Int(i128::from(u)))
    } else {
        number.as_f64().map(Number::Float)
    }
}

/// Exact comparison of two numbers, integer or not. `None` only for NaN, which JSON cannot
/// carry but a hand-built literal could.
fn compare_numbers(left: Number, right: Number) -> Option<Ordering> {
    match (left, right) {
        (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
        (Number::Float(a), Number::Float(b)) => a.partial_cmp(&b),
        (Number::Int(a), Number::Float(b)) => compare_int_float(a, b),
        (Number::Float(a), Number::Int(b)) => compare_int_float(b, a).map(Ordering::reverse),
    }
}

/// Compares an integer with a float without rounding either: converting a large integer to
/// `f64` (or a float to an integer) would make distinct values equal.
fn compare_int_float(int: i128, float: f64) -> Option<Ordering> {
    // 2^127: every float at or beyond it lies outside the i128 range.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if float.is_nan() {
        return None;
    }
    if float >= LIMIT {
        return Some(Ordering::Less);
    }
    if float < -LIMIT {
        return Some(Ordering::Greater);
    }
    let whole = float.trunc();
    // Exact: `whole` is an integer strictly inside the i128 range (or exactly i128::MIN).
    let whole_int = whole as i128;
    Some(int.cmp(&whole_int).then_with(|| {
        // Same integer part: the float's fraction decides.
        if float > whole {
            Ordering::Less
        } else if float < whole {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }))
}
