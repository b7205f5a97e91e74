//! The evaluated arguments of one call, the checks every function shares (arity, types,
//! integers), and the `States.IntrinsicFailure` errors they raise.
//!
//! No recorded AWS execution in the conformance corpus fails inside an intrinsic, so the
//! cause texts cannot be copied from AWS. They all come from [`failure`], one place to
//! change should a recording show AWS's wording: `Invalid arguments in <call>: <detail>`.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use super::Call;
use crate::Error;
use crate::error::names;

/// The `States.IntrinsicFailure` error for `call`, with a detail saying what was wrong.
pub(super) fn failure(call: &Call, detail: impl fmt::Display) -> Error {
    Error::new(names::INTRINSIC_FAILURE, format!("Invalid arguments in {}: {detail}", call.text))
}

/// A JSON type name for error details ("a string", "an object"…).
pub(super) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The arguments of a call, evaluated left to right (nested calls and paths first).
///
/// Path arguments may still borrow from the data they were read from; a function copies
/// only what it returns.
pub(super) struct Args<'a, 'v> {
    /// The call, for error messages and `States.Format`'s pre-split template.
    pub(super) call: &'a Call,
    values: Vec<Cow<'v, Value>>,
}

impl<'a, 'v> Args<'a, 'v> {
    pub(super) fn new(call: &'a Call, values: Vec<Cow<'v, Value>>) -> Self {
        Args { call, values }
    }

    /// A failure of this call.
    pub(super) fn fail(&self, detail: impl fmt::Display) -> Error {
        failure(self.call, detail)
    }

    /// How many arguments there are.
    pub(super) fn len(&self) -> usize {
        self.values.len()
    }

    /// Fails unless there are between `min` and `max` arguments. The compiler checks arity
    /// already; this keeps a hand-built [`Call`] from indexing past the end.
    pub(super) fn count(&self, min: usize, max: usize) -> Result<(), Error> {
        let n = self.values.len();
        if (min..=max).contains(&n) {
            return Ok(());
        }
        let plural = |k: usize| if k == 1 { "" } else { "s" };
        Err(self.fail(match (min, max) {
            _ if min == max => format!("expected {min} argument{}, but got {n}", plural(min)),
            (_, usize::MAX) => format!("expected at least {min} argument{}, but got {n}", plural(min)),
            _ => format!("expected {min} to {max} arguments, but got {n}"),
        }))
    }

    /// Argument `i` (0-based). Null past the end, which [`Args::count`] rules out.
    pub(super) fn value(&self, i: usize) -> &Value {
        self.values.get(i).map_or(&Value::Null, |value| value)
    }

    /// All arguments from `i` on.
    pub(super) fn rest(&self, i: usize) -> &[Cow<'v, Value>] {
        self.values.get(i..).unwrap_or(&[])
    }

    /// Takes the arguments out (for functions that return them), copying borrowed ones.
    pub(super) fn into_values(self) -> Vec<Value> {
        self.values.into_iter().map(Cow::into_owned).collect()
    }

    /// The failure for argument `i` not being `expected`.
    pub(super) fn wrong_type(&self, i: usize, expected: &str) -> Error {
        self.fail(format_args!("argument #{} must be {expected}, but was {}", i + 1, kind(self.value(i))))
    }

    /// Argument `i` as a string.
    pub(super) fn string(&self, i: usize) -> Result<&str, Error> {
        self.value(i).as_str().ok_or_else(|| self.wrong_type(i, "a string"))
    }

    /// Argument `i` as an array.
    pub(super) fn array(&self, i: usize) -> Result<&Vec<Value>, Error> {
        self.value(i).as_array().ok_or_else(|| self.wrong_type(i, "an array"))
    }

    /// Argument `i` as an object.
    pub(super) fn object(&self, i: usize) -> Result<&Map<String, Value>, Error> {
        self.value(i).as_object().ok_or_else(|| self.wrong_type(i, "an object"))
    }

    /// Argument `i` as a boolean.
    pub(super) fn boolean(&self, i: usize) -> Result<bool, Error> {
        self.value(i).as_bool().ok_or_else(|| self.wrong_type(i, "a boolean"))
    }

    /// Argument `i` as an integer: a JSON number with no fractional part (`2` or `2.0`)
    /// that fits in 64 bits. Used where AWS documents an integer and no rounding.
    pub(super) fn integer(&self, i: usize) -> Result<i64, Error> {
        let value = self.value(i);
        if let Some(n) = value.as_i64() {
            return Ok(n);
        }
        match value.as_f64() {
            // The range test keeps the cast exact: every integral f64 inside it is an i64.
            Some(f) if f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) => {
                Ok(f as i64)
            }
            _ => Err(self.wrong_type(i, "an integer")),
        }
    }

    /// Argument `i` rounded the way Java's `Math.round` does (half up, so -2.5 → -2), as
    /// AWS rounds `States.MathAdd`'s arguments (cases `math-operations-math-add-*`).
    /// The result must fit in `min..=max`.
    pub(super) fn rounded(&self, i: usize, min: i64, max: i64) -> Result<i64, Error> {
        let value = self.value(i);
        let rounded = match (value.as_i64(), value.as_f64()) {
            (Some(n), _) => Some(n),
            (None, Some(f)) => java_round(f),
            (None, None) => return Err(self.wrong_type(i, "a number")),
        };
        match rounded {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(self.fail(format_args!("argument #{} must be between {min} and {max}", i + 1))),
        }
    }
}

/// Java's `Math.round(double)`: the closest integer, ties toward positive infinity.
/// `None` when the result does not fit in an i64.
pub(super) fn java_round(x: f64) -> Option<i64> {
    let floor = x.floor();
    // `x - floor` is exact for every double, so the tie test is too (0.49999999999999994
    // stays below one half, where `(x + 0.5).floor()` would round it up).
    let rounded = if x - floor >= 0.5 { floor + 1.0 } else { floor };
    // -2^63 is exact in f64; 2^63 is not an i64, so the upper bound is exclusive.
    if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&rounded) { Some(rounded as i64) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intrinsics::Function;
    use serde_json::json;

    static CALL: Call =
        Call { function: Function::MathAdd, args: &[], format_pieces: None, text: "States.MathAdd($.a, $.b)" };

    #[test]
    fn java_round_rounds_half_up() {
        // The pairs of cases math-operations-math-add-5…20 (each argument with 0 added).
        for (x, want) in [
            (1.49, 1),
            (1.5, 2),
            (1.51, 2),
            (-1.49, -1),
            (-1.5, -1),
            (-1.51, -2),
            (0.5, 1),
            (2.5, 3),
            (3.5, 4),
            (-0.5, 0),
            (-2.5, -2),
            (-3.5, -3),
            (0.49999999999999994, 0),
        ] {
            assert_eq!(java_round(x), Some(want), "{x}");
        }
        assert_eq!(java_round(1e300), None);
    }

    #[test]
    fn failures_name_the_call() {
        let e = failure(&CALL, "boom");
        assert_eq!(e, Error::new("States.IntrinsicFailure", "Invalid arguments in States.MathAdd($.a, $.b): boom"));
    }

    #[test]
    fn arity_messages() {
        let args = Args::new(&CALL, vec![Cow::Owned(json!(1))]);
        let cause = |r: Result<(), Error>| r.err().and_then(|e| e.cause).unwrap_or_default();
        assert!(cause(args.count(2, 2)).ends_with(": expected 2 arguments, but got 1"));
        assert!(cause(args.count(0, 0)).ends_with(": expected 0 arguments, but got 1"));
        assert!(cause(args.count(2, usize::MAX)).ends_with(": expected at least 2 arguments, but got 1"));
        assert!(cause(args.count(2, 3)).ends_with(": expected 2 to 3 arguments, but got 1"));
        assert_eq!(args.count(1, 1), Ok(()));
    }

    #[test]
    fn typed_accessors() {
        let args = Args::new(&CALL, [json!(2.0), json!(2.5), json!("x"), json!(null)].map(Cow::Owned).into());
        assert_eq!(args.integer(0), Ok(2));
        assert_eq!(
            args.integer(1).err().and_then(|e| e.cause).as_deref(),
            Some("Invalid arguments in States.MathAdd($.a, $.b): argument #2 must be an integer, but was a number")
        );
        assert!(args.string(2).is_ok());
        assert!(args.array(2).is_err());
        assert!(args.object(3).is_err());
        assert!(args.boolean(9).is_err(), "past the end reads as null");
        assert_eq!(args.rounded(1, -10, 10), Ok(3));
        assert!(args.rounded(1, -1, 1).is_err());
        assert!(args.rounded(2, -1, 1).is_err());
    }
}
