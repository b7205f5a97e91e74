//! Coral's second pass over a request: the model's constraints, after [`read`](super::request)
//! accepted the JSON types. Every violation is collected, and AWS answers one
//! `ValidationException` listing them:
//!
//! `2 validation errors detected: Value 'x' at 'name' failed to satisfy constraint: Member must
//! have length less than or equal to 80; Value null at 'stateMachineArn' failed to satisfy
//! constraint: Member must not be null`
//!
//! Evidence for the details, AWS's answers as others recorded them:
//! - the frame, `Value null`, `Member must not be null`, length messages and the full value
//!   of an 81-character name: wolfeidau/buildkite-serverless-agent#37 (StartExecution) and the
//!   tests of a Step Functions emulator written from raw HTTP probes (2026-09);
//! - list paths `routingConfiguration.1.member.weight` (1-based, `.member`), `Member must have
//!   value less than or equal to 100`, a list printed as
//!   `[RoutingConfigurationListItem(stateMachineVersionArn=…, weight=50), …]` and the pattern
//!   quoted as the model writes it: localstack's CreateStateMachineAlias snapshot, recorded
//!   against AWS (tests/aws/services/stepfunctions/v2/test_sfn_api_aliasing.snapshot.json);
//! - sensitive values left out, `Value at 'input' failed to satisfy constraint: Member must
//!   have size less than or equal to 262144 bytes in UTF-8 encoding`: the emulator's probes and
//!   a user's log of StartExecution; Cognito's `Value at 'password'` is the same rule;
//! - at most 10 errors, and then the count says 10 ("10 validation errors detected" for 27 in
//!   dynalite's recorded DynamoDB answers and kinesalite's, none with more anywhere);
//! - a pattern before the length for one value (STS probes; dynalite's DynamoDB answers);
//! - the enum message `Member must satisfy enum value set: [STANDARD, EXPRESS]`.
//!
//! Not verified, chosen to be consistent: members are checked in model order (Coral's order
//! across members is not known; DynamoDB's looks like hash order), a structure's own errors
//! before its children's, the text of floats (Java's `Float.toString`), and how a sensitive
//! member shows inside a printed structure. Map keys are not checked: no request of this
//! model has a map.

use serde_json::{Map, Value};

use super::request::{boolean, integer};
use super::shape::{Bounds, Kind, Member, Model, NumberKind, ShapeId, Unit};

/// Coral lists no more than this many violations.
const MAX_ERRORS: usize = 10;

/// The violations of the constraints in `body` (already read by `read`), as the messages AWS
/// joins; empty if none.
pub(super) fn validate(model: &Model, members: &[Member], body: &Map<String, Value>) -> Vec<String> {
    let mut errors = Errors(Vec::new());
    structure(model, members, body, "", false, &mut errors);
    errors.0
}

/// The message of a `ValidationException` for `errors` (not empty).
pub(super) fn message(errors: &[String]) -> String {
    let plural = if errors.len() == 1 { "" } else { "s" };
    format!("{} validation error{plural} detected: {}", errors.len(), errors.join("; "))
}

/// Collected violations, capped at [`MAX_ERRORS`].
struct Errors(Vec<String>);

impl Errors {
    /// Adds one violation of the value at `path`. `shown` is its text, or `None` to leave it
    /// out (sensitive values).
    fn push(&mut self, path: &str, shown: Option<&str>, constraint: &str) {
        if self.0.len() < MAX_ERRORS {
            let value = match shown {
                Some(shown) => format!(" '{shown}'"),
                None => String::new(),
            };
            self.0.push(format!("Value{value} at '{path}' failed to satisfy constraint: {constraint}"));
        }
    }

    /// Adds a required member that is absent: its value shows as `null`, sensitive or not.
    fn missing(&mut self, path: &str) {
        if self.0.len() < MAX_ERRORS {
            self.0.push(format!("Value null at '{path}' failed to satisfy constraint: Member must not be null"));
        }
    }

    fn full(&self) -> bool {
        self.0.len() >= MAX_ERRORS
    }
}

/// Checks the members of a structure. `hidden`: a shape around it is sensitive.
fn structure(
    model: &Model,
    members: &[Member],
    map: &Map<String, Value>,
    path: &str,
    hidden: bool,
    errors: &mut Errors,
) {
    for member in members {
        if errors.full() {
            return;
        }
        let path = join(path, member.name);
        match map.get(member.name).filter(|value| !value.is_null()) {
            Some(value) => check(model, member.shape, value, &path, hidden, errors),
            None if member.required => errors.missing(&path),
            None => {}
        }
    }
}

/// `parent.member`, the first letter of the member lower-cased as Coral writes paths (a no-op
/// for Step Functions, whose members already start in lower case).
fn join(parent: &str, member: &str) -> String {
    let mut chars = member.chars();
    let first: String = chars.next().map(|first| first.to_lowercase().collect()).unwrap_or_default();
    if parent.is_empty() { format!("{first}{}", chars.as_str()) } else { format!("{parent}.{first}{}", chars.as_str()) }
}

/// Checks one present, non-null value of shape `id` and what it contains: its own
/// constraints first, then its elements or members.
fn check(model: &Model, id: ShapeId, value: &Value, path: &str, hidden: bool, errors: &mut Errors) {
    let shape = &model.shapes[id];
    let hidden = hidden || shape.sensitive;
    // The constraints this value breaks; it is printed once, and only if there are any.
    let mut broken = Vec::new();
    match (&shape.kind, value) {
        (Kind::String { length, unit, pattern, values }, Value::String(text)) => {
            if let Some((pattern, source)) = pattern
                && !pattern.matches(text)
            {
                broken.push(format!("Member must satisfy regular expression pattern: {source}"));
            }
            let (size, measure) = match unit {
                Unit::Chars => (text.chars().count(), Measure::Length),
                Unit::Utf8Bytes => (text.len(), Measure::Utf8Size),
            };
            bounds(*length, Amount::count(size), measure, &mut broken);
            if !values.is_empty() && !values.contains(&text.as_str()) {
                broken.push(format!("Member must satisfy enum value set: [{}]", values.join(", ")));
            }
        }
        (Kind::Number { kind, range }, Value::Number(number)) => match kind {
            NumberKind::Integer | NumberKind::Long => {
                if let Some(number) = integer(number, *kind) {
                    bounds(*range, Amount::Whole(number), Measure::Value, &mut broken);
                }
            }
            // Compared as the f32 Coral holds, so 100.000001 is 100 and passes.
            NumberKind::Float => {
                let number = f64::from(number.as_f64().unwrap_or(0.0) as f32);
                bounds(*range, Amount::Float(number), Measure::Value, &mut broken);
            }
        },
        (Kind::List { length, .. }, Value::Array(items)) => {
            let count = items.iter().filter(|item| !item.is_null()).count();
            bounds(*length, Amount::count(count), Measure::Length, &mut broken);
        }
        (Kind::Map { length, .. }, Value::Object(map)) => {
            let count = map.values().filter(|value| !value.is_null()).count();
            bounds(*length, Amount::count(count), Measure::Length, &mut broken);
        }
        // Structures have no constraints of their own, booleans and timestamps none at all;
        // other pairs were refused by `read`.
        _ => {}
    }
    if !broken.is_empty() && !errors.full() {
        let shown = (!hidden).then(|| render(model, id, value));
        for constraint in &broken {
            errors.push(path, shown.as_deref(), constraint);
        }
    }

    match (&shape.kind, value) {
        (Kind::List { member, .. }, Value::Array(items)) => {
            for (index, item) in items.iter().filter(|item| !item.is_null()).enumerate() {
                check(model, *member, item, &format!("{path}.{}.member", index + 1), hidden, errors);
            }
        }
        (Kind::Map { value: target, .. }, Value::Object(map)) => {
            for (key, value) in map.iter().filter(|(_, value)| !value.is_null()) {
                check(model, *target, value, &format!("{path}.{key}.member"), hidden, errors);
            }
        }
        (Kind::Structure(members), Value::Object(map)) => structure(model, members, map, path, hidden, errors),
        _ => {}
    }
}

/// What a bound limits, for its message.
#[derive(Clone, Copy)]
enum Measure {
    /// Characters of a string, elements of a list, entries of a map.
    Length,
    /// UTF-8 bytes of a string.
    Utf8Size,
    /// A number.
    Value,
}

impl Measure {
    /// "Member must have length less than or equal to 80"; `direction` is "greater" or "less".
    fn constraint(self, direction: &str, bound: i64) -> String {
        match self {
            Measure::Length => format!("Member must have length {direction} than or equal to {bound}"),
            Measure::Utf8Size => {
                format!("Member must have size {direction} than or equal to {bound} bytes in UTF-8 encoding")
            }
            Measure::Value => format!("Member must have value {direction} than or equal to {bound}"),
        }
    }
}

/// A size or a number, to compare with a bound.
#[derive(Clone, Copy)]
enum Amount {
    Whole(i64),
    Float(f64),
}

impl Amount {
    fn count(count: usize) -> Amount {
        Amount::Whole(i64::try_from(count).unwrap_or(i64::MAX))
    }

    fn below(self, bound: i64) -> bool {
        match self {
            Amount::Whole(amount) => amount < bound,
            Amount::Float(amount) => amount < bound as f64,
        }
    }

    fn above(self, bound: i64) -> bool {
        match self {
            Amount::Whole(amount) => amount > bound,
            Amount::Float(amount) => amount > bound as f64,
        }
    }
}

/// Adds to `broken` the bounds `actual` is outside of.
fn bounds(limits: Bounds, actual: Amount, measure: Measure, broken: &mut Vec<String>) {
    if let Some(min) = limits.min
        && actual.below(min)
    {
        broken.push(measure.constraint("greater", min));
    }
    if let Some(max) = limits.max
        && actual.above(max)
    {
        broken.push(measure.constraint("less", max));
    }
}

/// A value as Coral prints it in messages: Java's `toString` of what it read. Strings are
/// printed raw (no quotes, no escapes, however long), lists as `[a, b]`, structures as
/// `Shape(member=value, …)` with members in model order and `null` for absent ones.
fn render(model: &Model, id: ShapeId, value: &Value) -> String {
    let shape = &model.shapes[id];
    match (&shape.kind, value) {
        (_, Value::Null) => "null".into(),
        (_, Value::String(text)) if !matches!(shape.kind, Kind::Boolean) => text.clone(),
        (Kind::Boolean, value) => match value {
            Value::Bool(flag) => flag.to_string(),
            Value::String(text) => boolean(text).map(|flag| flag.to_string()).unwrap_or_else(|| text.clone()),
            other => other.to_string(),
        },
        (Kind::Number { kind: kind @ (NumberKind::Integer | NumberKind::Long), .. }, Value::Number(number)) => {
            integer(number, *kind).map(|number| number.to_string()).unwrap_or_else(|| number.to_string())
        }
        (Kind::Number { kind: NumberKind::Float, .. }, Value::Number(number)) => {
            java_float(number.as_f64().unwrap_or(0.0) as f32)
        }
        (Kind::List { member, .. }, Value::Array(items)) => {
            let items: Vec<String> =
                items.iter().filter(|item| !item.is_null()).map(|item| render(model, *member, item)).collect();
            format!("[{}]", items.join(", "))
        }
        (Kind::Map { value: target, .. }, Value::Object(map)) => {
            let entries: Vec<String> = map
                .iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| format!("{key}={}", render(model, *target, value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        (Kind::Structure(members), Value::Object(map)) => {
            let members: Vec<String> = members
                .iter()
                .map(|member| {
                    let value = map.get(member.name).unwrap_or(&Value::Null);
                    let text = if model.shapes[member.shape].sensitive && !value.is_null() {
                        // The AWS SDK for Java's redaction in `toString`; Coral's is not known.
                        "*** Sensitive Data Redacted ***".to_owned()
                    } else {
                        render(model, member.shape, value)
                    };
                    format!("{}={text}", member.name)
                })
                .collect();
            format!("{}({})", shape.name, members.join(", "))
        }
        (_, other) => other.to_string(),
    }
}

/// Java's `Float.toString`: `100.0`, `12.5`, `1.0E7`, `Infinity`.
fn java_float(number: f32) -> String {
    if number.is_nan() {
        return "NaN".into();
    }
    if number.is_infinite() {
        return if number > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let magnitude = number.abs();
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let text = number.to_string();
        if text.contains('.') { text } else { format!("{text}.0") }
    } else {
        // Rust writes 1e7 as "1E7" and Java as "1.0E7".
        let text = format!("{number:E}");
        match text.split_once('E') {
            Some((mantissa, exponent)) if !mantissa.contains('.') => format!("{mantissa}.0E{exponent}"),
            _ => text,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_java_does() {
        assert_eq!(java_float(100.0), "100.0");
        assert_eq!(java_float(12.5), "12.5");
        assert_eq!(java_float(-0.5), "-0.5");
        assert_eq!(java_float(0.0), "0.0");
        assert_eq!(java_float(1e7), "1.0E7");
        assert_eq!(java_float(1.5e-4), "1.5E-4");
        assert_eq!(java_float(f32::INFINITY), "Infinity");
    }

    #[test]
    fn paths_lower_the_first_letter() {
        assert_eq!(join("", "TableName"), "tableName");
        assert_eq!(join("tags.1.member", "key"), "tags.1.member.key");
        assert_eq!(join("a", ""), "a.");
    }

    #[test]
    fn messages_count_their_errors() {
        assert_eq!(message(&["A".into()]), "1 validation error detected: A");
        assert_eq!(message(&["A".into(), "B".into()]), "2 validation errors detected: A; B");
    }
}
