//! JSONPath Choice rules as static data: each rule of a `Choices` array, built by the
//! compiler so nothing is parsed at run time. asl-runtime's `choice` module decides them the
//! way AWS does.

use crate::jsonata::Expression;
use crate::path::Path;

/// One Choice rule (JSONPath query language), as static data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// A data-test expression: `Variable` and one comparison operator.
    Compare {
        /// The `Variable` path.
        variable: Path,
        /// The operator and its operand.
        test: Test,
    },
    /// `And`: every rule holds (evaluated in order, stopping at the first `false`).
    And(&'static [Rule]),
    /// `Or`: some rule holds (evaluated in order, stopping at the first `true`).
    Or(&'static [Rule]),
    /// `Not`: the rule does not hold.
    Not(&'static Rule),
    /// A JSONata `Condition` (always a Choice's top-level rule; the state evaluates it,
    /// with its `$states` and variables, before asl-runtime's `choice::evaluate` could see it).
    Jsonata(&'static Expression),
}

emit_enum!(choice => Rule { Compare { variable, test }, And(rules), Or(rules), Not(rule), Jsonata(expression) });

/// A comparison operator with its operand. One variant per ASL operator; the `…Path` form of
/// an operator is the same variant with an [`Operand::Path`] operand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Test {
    /// `StringEquals` / `StringEqualsPath`.
    StringEquals(Operand<&'static str>),
    /// `StringLessThan` / `StringLessThanPath`.
    StringLessThan(Operand<&'static str>),
    /// `StringGreaterThan` / `StringGreaterThanPath`.
    StringGreaterThan(Operand<&'static str>),
    /// `StringLessThanEquals` / `StringLessThanEqualsPath`.
    StringLessThanEquals(Operand<&'static str>),
    /// `StringGreaterThanEquals` / `StringGreaterThanEqualsPath`.
    StringGreaterThanEquals(Operand<&'static str>),
    /// `StringMatches`: the pattern as written (after JSON unescaping), e.g. `log-*.txt`.
    StringMatches(&'static str),
    /// `NumericEquals` / `NumericEqualsPath`.
    NumericEquals(Operand<Number>),
    /// `NumericLessThan` / `NumericLessThanPath`.
    NumericLessThan(Operand<Number>),
    /// `NumericGreaterThan` / `NumericGreaterThanPath`.
    NumericGreaterThan(Operand<Number>),
    /// `NumericLessThanEquals` / `NumericLessThanEqualsPath`.
    NumericLessThanEquals(Operand<Number>),
    /// `NumericGreaterThanEquals` / `NumericGreaterThanEqualsPath`.
    NumericGreaterThanEquals(Operand<Number>),
    /// `BooleanEquals` / `BooleanEqualsPath`.
    BooleanEquals(Operand<bool>),
    /// `TimestampEquals` / `TimestampEqualsPath`; a literal is the timestamp text.
    TimestampEquals(Operand<&'static str>),
    /// `TimestampLessThan` / `TimestampLessThanPath`.
    TimestampLessThan(Operand<&'static str>),
    /// `TimestampGreaterThan` / `TimestampGreaterThanPath`.
    TimestampGreaterThan(Operand<&'static str>),
    /// `TimestampLessThanEquals` / `TimestampLessThanEqualsPath`.
    TimestampLessThanEquals(Operand<&'static str>),
    /// `TimestampGreaterThanEquals` / `TimestampGreaterThanEqualsPath`.
    TimestampGreaterThanEquals(Operand<&'static str>),
    /// `IsNull: b`: the value is (`true`) or is not (`false`) JSON `null`.
    IsNull(bool),
    /// `IsPresent: b`: the path does (`true`) or does not (`false`) select a value.
    IsPresent(bool),
    /// `IsNumeric: b`: the value is (not) a number.
    IsNumeric(bool),
    /// `IsString: b`: the value is (not) a string.
    IsString(bool),
    /// `IsBoolean: b`: the value is (not) a boolean.
    IsBoolean(bool),
    /// `IsTimestamp: b`: the value is (not) a string holding a timestamp.
    IsTimestamp(bool),
}

emit_enum!(choice => Test {
    StringEquals(operand),
    StringLessThan(operand),
    StringGreaterThan(operand),
    StringLessThanEquals(operand),
    StringGreaterThanEquals(operand),
    StringMatches(pattern),
    NumericEquals(operand),
    NumericLessThan(operand),
    NumericGreaterThan(operand),
    NumericLessThanEquals(operand),
    NumericGreaterThanEquals(operand),
    BooleanEquals(operand),
    TimestampEquals(operand),
    TimestampLessThan(operand),
    TimestampGreaterThan(operand),
    TimestampLessThanEquals(operand),
    TimestampGreaterThanEquals(operand),
    IsNull(flag),
    IsPresent(flag),
    IsNumeric(flag),
    IsString(flag),
    IsBoolean(flag),
    IsTimestamp(flag),
});

/// The right-hand side of a comparison: a literal, or (`…Path` operators) a path whose value
/// is compared instead.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand<T> {
    /// The literal from the definition.
    Literal(T),
    /// The `…Path` operand.
    Path(Path),
}

// By hand: `emit_enum!` does not take generic types.
#[cfg(feature = "emit")]
impl<T: crate::emit::Emit> crate::emit::Emit for Operand<T> {
    fn emit(&self, rt: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        match self {
            Operand::Literal(value) => {
                let value = value.emit(rt);
                quote::quote!(#rt::choice::Operand::Literal(#value))
            }
            Operand::Path(path) => {
                let path = path.emit(rt);
                quote::quote!(#rt::choice::Operand::Path(#path))
            }
        }
    }
}

/// A numeric literal. Integers keep every digit, so large ids compare exactly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// An integer (covers every `i64` and `u64` JSON value).
    Int(i128),
    /// Any other number.
    Float(f64),
}

emit_enum!(choice => Number { Int(value), Float(value) });
