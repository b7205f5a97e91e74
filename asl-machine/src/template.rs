//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, `Credentials`, JSONPath
//! `Assign`, and the JSON values of JSONata fields) as static data.
//!
//! The compiler folds every part of a template without a `.$` key into one [`Literal`], so
//! building a template (asl-runtime's `template::build`) only evaluates the computed members
//! and copies the rest.

use crate::intrinsics::Call;
use crate::jsonata::Expression;
use crate::path::{Literal, Path};

/// A payload template.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Template {
    /// A constant part (no `.$` key anywhere below).
    Literal(&'static Literal),
    /// An object with at least one computed member; keys are already stripped of `.$`.
    Object(&'static [(&'static str, Template)]),
    /// An array with at least one computed element.
    Array(&'static [Template]),
    /// A `"key.$": "$.path"` value.
    Path(&'static Path),
    /// A `"key.$": "States.Fn(…)"` value.
    Intrinsic(&'static Call),
    /// A `{% … %}` string of a JSONata field (only in JSONata states, whose templates
    /// asl-runtime's `jsonata::Scope::build` builds).
    Jsonata(&'static Expression),
}

emit_enum!(template => Template {
    Literal(literal),
    Object(members),
    Array(items),
    Path(path),
    Intrinsic(call),
    Jsonata(expression),
});
