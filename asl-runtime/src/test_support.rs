//! Test support: paths, intrinsic calls, constants and payload templates as written in a
//! definition, turned into the static data generated code holds (leaked: tests only).
//! Paths and calls are read with the compiler's own parsers, so tests run exactly what a
//! compiled workflow would.
//!
//! Shared by every runtime test that needs static paths, templates or calls from text.

#![allow(clippy::panic)] // failing loudly is a test's job

use asl_codegen::path as parsed;
use serde_json::Value;

use crate::intrinsics::{Arg, Call, Function};
use crate::path::{Filter, Literal, Operand, Path, Root, Segment, UnionItem};
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
    boxed(try_path(source).unwrap_or_else(|e| panic!("{e}")))
}

/// A path as written, or why the compiler rejects it.
pub(crate) fn try_path(source: &str) -> Result<Path, String> {
    let parsed = parsed::parse_path(source).map_err(|e| format!("{source}: {e}"))?;
    Ok(convert_path(&parsed))
}

/// An intrinsic call as written (`States.Format('{}', $.x)`).
pub(crate) fn call(source: &str) -> &'static Call {
    try_call(source).unwrap_or_else(|e| panic!("{e}"))
}

/// An intrinsic call as written, or why the compiler rejects it (which includes argument
/// counts and literal argument types it can check before run time).
pub(crate) fn try_call(source: &str) -> Result<&'static Call, String> {
    let parsed = parsed::parse_intrinsic(source).map_err(|e| format!("{source}: {e}"))?;
    Ok(convert_call(&parsed, source))
}

/// The runtime function with this ASL name (`States.Format`).
pub(crate) fn function(name: &str) -> Option<Function> {
    FUNCTIONS.iter().copied().find(|f| f.name() == name)
}

/// A constant as generated code holds it.
pub(crate) fn literal(value: &Value) -> Literal {
    match value {
        Value::Null => Literal::Null,
        Value::Bool(b) => Literal::Bool(*b),
        Value::Number(n) => n.as_i64().map_or_else(|| Literal::Float(n.as_f64().unwrap_or(0.0)), Literal::Int),
        Value::String(s) => Literal::Str(text(s)),
        Value::Array(items) => Literal::Array(leak(items.iter().map(literal).collect())),
        Value::Object(map) => Literal::Object(leak(map.iter().map(|(k, v)| (text(k), literal(v))).collect())),
    }
}

/// A payload template as written (`{"a.$": "$.x", "b": 1}`), folded as the compiler folds
/// it: every part without a `.$` key below it is one literal.
pub(crate) fn template(value: &Value) -> &'static Template {
    boxed(convert_template(value))
}

/// A `"key.$"` value: a path or an intrinsic call.
pub(crate) fn dollar(source: &str) -> Template {
    match parsed::parse_dollar_value(source).unwrap_or_else(|e| panic!("{source}: {e}")) {
        parsed::DollarValue::Path(p) => Template::Path(boxed(convert_path(&p))),
        parsed::DollarValue::Intrinsic(c) => Template::Intrinsic(convert_call(&c, source)),
    }
}

fn computed(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| k.ends_with(".$") || computed(v)),
        Value::Array(items) => items.iter().any(computed),
        _ => false,
    }
}

fn convert_template(value: &Value) -> Template {
    if !computed(value) {
        return Template::Literal(boxed(literal(value)));
    }
    match value {
        Value::Object(map) => Template::Object(leak(map.iter().map(|(k, v)| member(k, v)).collect())),
        Value::Array(items) => Template::Array(leak(items.iter().map(convert_template).collect())),
        other => Template::Literal(boxed(literal(other))),
    }
}

fn member(key: &str, value: &Value) -> (&'static str, Template) {
    match (key.strip_suffix(".$"), value) {
        (Some(name), Value::String(source)) => (text(name), dollar(source)),
        _ => (text(key), convert_template(value)),
    }
}

fn convert_path(p: &parsed::JsonPath) -> Path {
    let root = match &p.root {
        parsed::PathRoot::Input => Root::Input,
        parsed::PathRoot::Context => Root::Context,
        parsed::PathRoot::Variable(name) => Root::Variable(text(name)),
    };
    Path { root, segments: segments(&p.segments), text: text(&p.text) }
}

fn segments(items: &[parsed::Segment]) -> &'static [Segment] {
    leak(items.iter().map(segment).collect())
}

fn segment(s: &parsed::Segment) -> Segment {
    match s {
        parsed::Segment::Field(name) => Segment::Field(text(name)),
        parsed::Segment::Index(i) => Segment::Index(*i),
        parsed::Segment::Wildcard => Segment::Wildcard,
        parsed::Segment::Slice { start, end, step } => Segment::Slice { start: *start, end: *end, step: *step },
        parsed::Segment::Union(items) => Segment::Union(leak(
            items
                .iter()
                .map(|item| match item {
                    parsed::UnionItem::Field(name) => UnionItem::Field(text(name)),
                    parsed::UnionItem::Index(i) => UnionItem::Index(*i),
                })
                .collect(),
        )),
        parsed::Segment::Filter(expr) => Segment::Filter(boxed(filter(expr))),
        parsed::Segment::Descendant(inner) => Segment::Descendant(boxed(segment(inner))),
        parsed::Segment::Function(name) => Segment::Function(text(name)),
    }
}

fn filter(expr: &parsed::FilterExpr) -> Filter {
    let sub = |e: &parsed::FilterExpr| -> &'static Filter { boxed(filter(e)) };
    match expr {
        parsed::FilterExpr::Or(a, b) => Filter::Or(sub(a), sub(b)),
        parsed::FilterExpr::And(a, b) => Filter::And(sub(a), sub(b)),
        parsed::FilterExpr::Not(a) => Filter::Not(sub(a)),
        parsed::FilterExpr::Exists(o) => Filter::Exists(operand(o)),
        parsed::FilterExpr::Compare { left, op, right } => {
            Filter::Compare { left: operand(left), op: op.as_str(), right: operand(right) }
        }
    }
}

fn operand(o: &parsed::FilterOperand) -> &'static Operand {
    boxed(match o {
        parsed::FilterOperand::Current(segs) => Operand::Current(segments(segs)),
        parsed::FilterOperand::Path(p) => Operand::Path(boxed(convert_path(p))),
        parsed::FilterOperand::Literal(value) => Operand::Literal(boxed(literal(value))),
        parsed::FilterOperand::Regex { pattern, flags } => {
            Operand::Regex { pattern: text(pattern), flags: text(flags) }
        }
    })
}

/// Every runtime function, to find one by its ASL name.
const FUNCTIONS: [Function; 18] = [
    Function::Format,
    Function::StringToJson,
    Function::JsonToString,
    Function::Array,
    Function::ArrayPartition,
    Function::ArrayContains,
    Function::ArrayRange,
    Function::ArrayGetItem,
    Function::ArrayLength,
    Function::ArrayUnique,
    Function::Base64Encode,
    Function::Base64Decode,
    Function::Hash,
    Function::JsonMerge,
    Function::MathRandom,
    Function::MathAdd,
    Function::StringSplit,
    Function::Uuid,
];

/// `source` is the text the call was parsed from; spans index into it.
fn convert_call(c: &parsed::IntrinsicCall, source: &str) -> &'static Call {
    let name = c.function.name();
    let function = function(name).unwrap_or_else(|| panic!("no runtime function {name}"));
    let args = c
        .args
        .iter()
        .map(|arg| match arg {
            parsed::IntrinsicArg::String(s) => Arg::Literal(Literal::Str(text(s))),
            parsed::IntrinsicArg::Number(n) => Arg::Literal(literal(&Value::Number(n.clone()))),
            parsed::IntrinsicArg::Bool(b) => Arg::Literal(Literal::Bool(*b)),
            parsed::IntrinsicArg::Null => Arg::Literal(Literal::Null),
            parsed::IntrinsicArg::Path(p) => Arg::Path(convert_path(p)),
            parsed::IntrinsicArg::Call(inner) => Arg::Call(convert_call(inner, source)),
        })
        .collect();
    let format_pieces = c.format_pieces.as_ref().map(|pieces| leak(pieces.iter().map(|p| text(p)).collect()));
    let written = source.get(c.span.0..c.span.1).unwrap_or_else(|| panic!("bad span in {source}"));
    boxed(Call { function, args: leak(args), format_pieces, text: text(written) })
}

/// A JSONata expression as generated code declares it: with the plan the compiler lowers
/// it to, when it has one.
pub(crate) fn expression(source: &str) -> &'static crate::jsonata::Expression {
    let text = text(source);
    boxed(match jsonata_plan(source) {
        Some(plan) => crate::jsonata::Expression::compiled(text, plan),
        None => crate::jsonata::Expression::new(text),
    })
}

/// The plan the compiler lowers a JSONata expression to, as generated code holds it.
pub(crate) fn jsonata_plan(source: &str) -> Option<&'static crate::jsonata::Plan> {
    asl_codegen::jsonata::plan(source).map(boxed)
}
