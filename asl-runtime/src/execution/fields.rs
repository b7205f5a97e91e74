//! Reading a state's fields that depend on its input: Wait deadlines, Fail texts, and the
//! numbers given literally or through a `…Path` (timeouts, Map concurrency and tolerated
//! failures).

use serde_json::Value;
use time::OffsetDateTime;

use crate::dataflow::{self, Env};
use crate::error::Error;
use crate::jsonata::{self, Expression};
use crate::machine::{Amount, FailText, WaitDef};
use crate::path::{self, Path, Scope};
use crate::template::Resolver;

/// What a `…Path` field of a state selects (from its input, `$$` or a variable).
///
/// # Errors
///
/// `States.Runtime` ([`path::cause::invalid_path`]) when it selects nothing.
pub(super) fn path_value(p: &Path, scope: &Scope<'_>) -> Result<Value, Error> {
    path::select_value(p, scope).map_err(|missing| Error::runtime(path::cause::invalid_path(p, &missing)))
}

/// A whole number of seconds given literally or through a path (`TimeoutSeconds(Path)`).
pub(super) fn amount(amount: Amount, scope: &Scope<'_>, js: &jsonata::Scope<'_>, field: &str) -> Result<u64, Error> {
    match amount {
        Amount::Literal(n) => Ok(n),
        Amount::Jsonata(expr) => expression_integer(expr, js, field),
        Amount::Path(p) => {
            let value = path_value(p, scope)?;
            value.as_u64().ok_or_else(|| Error::runtime(path::cause::not_an_integer(field, p, &value)))
        }
    }
}

/// A Map's integer field (`MaxConcurrency(Path)`): like [`amount`], but a path's value may
/// also be a string holding the number, as AWS accepts (case
/// `assign-…-map-state-reference-in-max-concurrency-path`: `"1"` runs).
pub(super) fn map_integer(
    amount: Amount,
    scope: &Scope<'_>,
    js: &jsonata::Scope<'_>,
    field: &str,
) -> Result<u64, Error> {
    match amount {
        Amount::Literal(n) => Ok(n),
        Amount::Jsonata(expr) => expression_integer(expr, js, field),
        Amount::Path(p) => {
            let value = path_value(p, scope)?;
            integer(&value)
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(|| Error::runtime(path::cause::not_an_integer(field, p, &value)))
        }
    }
}

/// An integer as AWS reads it from a `…Path` field's value: a JSON integer, or a string
/// holding one (`"1"`; cases `assign-…-reference-in-tolerated-failure-path` and
/// `…-in-max-concurrency-path` run with such strings). `1.5`, `"NoNumber"`, `{}` are not.
pub(super) fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A number as AWS reads it from `ToleratedFailurePercentagePath`'s value: a JSON number,
/// or a string holding one (as for [`integer`]).
pub(super) fn float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// When a Wait state entered at `entered` ends.
///
/// # Errors
///
/// `States.Runtime` with AWS's causes for a path that selects nothing, a negative or
/// non-integer `SecondsPath` value, an invalid timestamp.
pub(super) fn wait_deadline(
    until: &WaitDef,
    scope: &Scope<'_>,
    js: &jsonata::Scope<'_>,
    entered: OffsetDateTime,
) -> Result<OffsetDateTime, Error> {
    let seconds = |n: u64| entered + std::time::Duration::from_secs(n);
    match until {
        WaitDef::SecondsExpression(expr) => Ok(seconds(expression_integer(expr, js, "Seconds")?)),
        WaitDef::TimestampExpression(expr) => {
            let value = js.value(expr, "Timestamp")?;
            value.as_str().and_then(parse_timestamp).ok_or_else(|| {
                let text = value.as_str().map_or_else(|| path::cause::json_text(&value), str::to_string);
                jsonata::query_error(format!(
                    "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {text}"
                ))
            })
        }
        WaitDef::Seconds(n) => Ok(seconds(*n)),
        WaitDef::Timestamp(text) => {
            parse_timestamp(text).ok_or_else(|| Error::runtime(format!("Invalid timestamp: {text}")))
        }
        WaitDef::SecondsPath(p) => {
            let value = path::select_value(p, scope).map_err(|_| {
                Error::runtime(format!("The SecondsPath parameter does not reference an input value: {}", p.text))
            })?;
            match value.as_i64() {
                Some(n) if n >= 0 => Ok(seconds(n.unsigned_abs())),
                Some(_) => Err(Error::runtime(path::cause::seconds_path_negative(p, &value))),
                None => Err(Error::runtime(path::cause::seconds_path_not_long(p, &value))),
            }
        }
        WaitDef::TimestampPath(p) => {
            let value = path::select_value(p, scope).map_err(|_| {
                Error::runtime(format!("The TimestampPath parameter does not reference an input value: {}", p.text))
            })?;
            value
                .as_str()
                .and_then(parse_timestamp)
                .ok_or_else(|| Error::runtime(path::cause::timestamp_path_invalid(p, &value)))
        }
    }
}

/// A Fail state's `Error` or `Cause` (literal, path or intrinsic); a non-string value is
/// rendered as JSON text.
pub(super) fn fail_text(
    text: Option<&FailText>,
    field: &str,
    input: &Value,
    env: &mut Env<'_>,
    js: &jsonata::Scope<'_>,
) -> Result<Option<String>, Error> {
    let Some(text) = text else { return Ok(None) };
    let mut resolver = dataflow::DataResolver::new(input, env);
    let value = match text {
        FailText::Literal(s) => return Ok(Some((*s).to_string())),
        FailText::Jsonata(expr) => js.value(expr, field.trim_end_matches("Path"))?,
        FailText::Path(p) => resolver.path(p, field)?,
        FailText::Intrinsic(call) => resolver.intrinsic(call, field)?,
    };
    Ok(Some(match value {
        Value::String(s) => s,
        other => path::cause::json_text(&other),
    }))
}

/// A timestamp as AWS parses Wait timestamps (Java's ISO offset date-time format, the same
/// parser Choice uses): stricter than RFC 3339 parsers that accept a space for `T`.
fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    crate::choice::timestamp::parse(text).and_then(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())
}

/// The value of a JSONata field that must be a non-negative integer (`TimeoutSeconds`,
/// Wait `Seconds`, `MaxConcurrency`…); `field` may be the JSONPath name (`…Path`).
pub(super) fn expression_integer(expr: &Expression, js: &jsonata::Scope<'_>, field: &str) -> Result<u64, Error> {
    let field = field.trim_end_matches("Path");
    let value = js.value(expr, field)?;
    value.as_u64().ok_or_else(|| jsonata::unexpected_type(expr, field, "integer", &value))
}

/// The value of a JSONata field that must be a number (`ToleratedFailurePercentage`).
pub(super) fn expression_number(expr: &Expression, js: &jsonata::Scope<'_>, field: &str) -> Result<f64, Error> {
    let field = field.trim_end_matches("Path");
    let value = js.value(expr, field)?;
    value.as_f64().ok_or_else(|| jsonata::unexpected_type(expr, field, "number", &value))
}
