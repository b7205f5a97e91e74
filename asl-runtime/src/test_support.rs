//! Test support: paths, intrinsic calls, constants, payload templates and JSONata
//! expressions as written in a definition, turned into the description generated code
//! holds by the compiler's own lowering (`asl_codegen::lower`), so tests run exactly what a
//! compiled workflow would. The lowering leaks what it builds, which suits tests.
//!
//! Shared by every runtime test that needs static paths, templates or calls from text.

#![allow(clippy::panic)] // failing loudly is a test's job

use asl_codegen::ast::QueryLanguage;
use asl_codegen::lower;
use serde_json::Value;

use crate::intrinsics::{Call, Function};
use crate::path::{Literal, Path};
use crate::template::Template;

/// `items` as a static slice.
pub(crate) fn leak<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

/// `s` as a static string.
pub(crate) fn text(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// `value` behind a static reference.
pub(crate) fn boxed<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

/// A path as written (`$.a[0]`, `$$.Execution.Input`, `$var.x`).
pub(crate) fn path(source: &str) -> &'static Path {
    lower::path(source).unwrap_or_else(|e| panic!("{source}: {e}"))
}

/// A path as written, or why the compiler rejects it.
pub(crate) fn try_path(source: &str) -> Result<Path, String> {
    lower::path(source).copied().map_err(|e| format!("{source}: {e}"))
}

/// An intrinsic call as written (`States.Format('{}', $.x)`).
pub(crate) fn call(source: &str) -> &'static Call {
    try_call(source).unwrap_or_else(|e| panic!("{e}"))
}

/// An intrinsic call as written, or why the compiler rejects it (which includes argument
/// counts and literal argument types it can check before run time).
pub(crate) fn try_call(source: &str) -> Result<&'static Call, String> {
    lower::intrinsic(source).map_err(|e| format!("{source}: {e}"))
}

/// The function with this ASL name (`States.Format`).
pub(crate) fn function(name: &str) -> Option<Function> {
    Function::from_name(name)
}

/// A constant as generated code holds it.
pub(crate) fn literal(value: &Value) -> Literal {
    lower::literal(value)
}

/// A payload template as written (`{"a.$": "$.x", "b": 1}`), folded as the compiler folds
/// it: every part without a `.$` key below it is one literal.
pub(crate) fn template(value: &Value) -> &'static Template {
    lower::template(value, QueryLanguage::JsonPath).unwrap_or_else(|e| panic!("{value}: {e:?}"))
}

/// A `"key.$"` value: a path or an intrinsic call.
pub(crate) fn dollar(source: &str) -> Template {
    lower::dollar_value(source).unwrap_or_else(|e| panic!("{source}: {e}"))
}

/// A JSONata expression as generated code declares it: with the plan the compiler lowers
/// it to, when it has one.
pub(crate) fn expression(source: &str) -> &'static crate::jsonata::Expression {
    lower::expression(source)
}
