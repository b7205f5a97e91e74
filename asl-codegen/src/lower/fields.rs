//! The fields every kind of state has: data-flow paths, templates and literals, and what
//! they contain (paths, intrinsic calls, JSONata expressions), plus the numbers and texts
//! given literally, by a path or by an expression.

use asl_machine::dataflow::{Io, PathField};
use asl_machine::intrinsics::{Arg, Call};
use asl_machine::jsonata::Expression;
use asl_machine::machine::{Amount, FailText, Fraction};
use asl_machine::path::{Filter, Literal, Operand, Path, Root, Segment, UnionItem};
use asl_machine::template::Template;
use serde_json::Value;

use super::leak::{leak, leak_slice, leak_str};
use super::{Lowerer, jsonata_expression};
use crate::ast::{self, NumberOrExpr, Spanned};
use crate::node::{Node, NodeValue};
use crate::path::{self as parsed, DollarValue, JsonPath, parse_dollar_value, parse_path, parse_reference_path};

/// A constant as the description holds it.
pub(super) fn literal(value: &Value) -> Literal {
    match value {
        Value::Null => Literal::Null,
        Value::Bool(b) => Literal::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Literal::Int(i),
            // u64 beyond i64 and fractions: the literal has no wider integer.
            None => Literal::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Literal::Str(leak_str(s)),
        Value::Array(items) => Literal::Array(leak_slice(items.iter().map(literal).collect())),
        Value::Object(members) => {
            Literal::Object(leak_slice(members.iter().map(|(k, v)| (leak_str(k), literal(v))).collect()))
        }
    }
}

impl Lowerer {
    /// A path written in a field (`reference`: a Reference Path is required), or `None`
    /// (reported) when it does not parse.
    pub(super) fn path(&mut self, text: &Spanned<String>, reference: bool) -> Option<&'static Path> {
        let parsed = if reference { parse_reference_path(&text.value) } else { parse_path(&text.value) };
        match parsed {
            Ok(p) => Some(leak(self.describe_path(&p))),
            Err(e) => {
                self.internal(&text.pointer, text.span, e.message);
                None
            }
        }
    }

    /// The description of a parsed path.
    pub(super) fn describe_path(&mut self, p: &JsonPath) -> Path {
        let root = match &p.root {
            parsed::PathRoot::Input => Root::Input,
            parsed::PathRoot::Context => {
                self.reads_context = true;
                Root::Context
            }
            parsed::PathRoot::Variable(name) => Root::Variable(leak_str(name)),
        };
        Path { root, segments: self.segments(&p.segments), text: leak_str(&p.text) }
    }

    fn segments(&mut self, segments: &[parsed::Segment]) -> &'static [Segment] {
        let segments = segments.iter().map(|s| self.segment(s)).collect();
        leak_slice(segments)
    }

    fn segment(&mut self, s: &parsed::Segment) -> Segment {
        match s {
            parsed::Segment::Field(name) => Segment::Field(leak_str(name)),
            parsed::Segment::Index(i) => Segment::Index(*i),
            parsed::Segment::Wildcard => Segment::Wildcard,
            parsed::Segment::Slice { start, end, step } => Segment::Slice { start: *start, end: *end, step: *step },
            parsed::Segment::Union(items) => Segment::Union(leak_slice(
                items
                    .iter()
                    .map(|item| match item {
                        parsed::UnionItem::Field(name) => UnionItem::Field(leak_str(name)),
                        parsed::UnionItem::Index(i) => UnionItem::Index(*i),
                    })
                    .collect(),
            )),
            parsed::Segment::Filter(expr) => Segment::Filter(leak(self.filter(expr))),
            parsed::Segment::Descendant(inner) => Segment::Descendant(leak(self.segment(inner))),
            parsed::Segment::Function(name) => Segment::Function(leak_str(name)),
        }
    }

    fn filter(&mut self, expr: &parsed::FilterExpr) -> Filter {
        match expr {
            parsed::FilterExpr::Or(a, b) => Filter::Or(leak(self.filter(a)), leak(self.filter(b))),
            parsed::FilterExpr::And(a, b) => Filter::And(leak(self.filter(a)), leak(self.filter(b))),
            parsed::FilterExpr::Not(a) => Filter::Not(leak(self.filter(a))),
            parsed::FilterExpr::Exists(o) => Filter::Exists(self.filter_operand(o)),
            parsed::FilterExpr::Compare { left, op, right } => {
                Filter::Compare { left: self.filter_operand(left), op: op.as_str(), right: self.filter_operand(right) }
            }
        }
    }

    fn filter_operand(&mut self, o: &parsed::FilterOperand) -> &'static Operand {
        leak(match o {
            parsed::FilterOperand::Current(segments) => Operand::Current(self.segments(segments)),
            parsed::FilterOperand::Path(path) => Operand::Path(leak(self.describe_path(path))),
            parsed::FilterOperand::Literal(value) => Operand::Literal(leak(literal(value))),
            parsed::FilterOperand::Regex { pattern, flags } => {
                Operand::Regex { pattern: leak_str(pattern), flags: leak_str(flags) }
            }
        })
    }

    /// A `…Path` field that may be absent, `null` or a path.
    pub(super) fn path_field(&mut self, field: Option<&Spanned<Option<String>>>, reference: bool) -> PathField {
        let Some(field) = field else { return PathField::Default };
        let Some(text) = &field.value else { return PathField::Null };
        let spanned =
            Spanned { value: text.clone(), span: field.span, pointer: field.pointer.clone(), key_span: field.key_span };
        self.path(&spanned, reference).map_or(PathField::Default, PathField::Path)
    }

    /// The JSONPath data-flow fields of a Pass, Task, Parallel or Map state (all absent in
    /// a JSONata state, where `Arguments` and `Output` take their place).
    pub(super) fn io(&mut self, s: &ast::State, jsonata: bool) -> &'static Io {
        let io = Io {
            input_path: self.path_field(s.input_path.as_ref(), false),
            // A Map's legacy `Parameters` is its item template (today's `ItemSelector`).
            parameters: s
                .parameters
                .as_ref()
                .filter(|_| s.ty() != Some(ast::StateType::Map))
                .map(|t| self.template(t, jsonata)),
            result_selector: s.result_selector.as_ref().map(|t| self.template(t, jsonata)),
            result_path: self.path_field(s.result_path.as_ref(), true),
            output_path: self.path_field(s.output_path.as_ref(), false),
        };
        if io == Io::DEFAULT { &Io::DEFAULT } else { leak(io) }
    }

    /// A payload template (JSONPath: `.$` keys) or a JSONata value (`{% %}` strings).
    pub(super) fn template(&mut self, t: &Spanned<Node>, jsonata: bool) -> &'static Template {
        leak(self.template_node(&t.value, &t.pointer, jsonata))
    }

    /// A template node; a part with nothing to compute below it is one literal, so the
    /// runtime copies constants instead of rebuilding them.
    pub(super) fn template_node(&mut self, node: &Node, pointer: &str, jsonata: bool) -> Template {
        if !computed(node, jsonata) {
            return Template::Literal(leak(literal(&node.to_json())));
        }
        match &node.value {
            NodeValue::Object(members) => Template::Object(leak_slice(
                members
                    .iter()
                    .map(|m| {
                        let child = crate::node::pointer_push(pointer, &m.key);
                        match m.key.strip_suffix(".$").filter(|_| !jsonata) {
                            Some(key) => (leak_str(key), self.dollar_value(&m.value, &child)),
                            None => (leak_str(&m.key), self.template_node(&m.value, &child, jsonata)),
                        }
                    })
                    .collect(),
            )),
            NodeValue::Array(items) => Template::Array(leak_slice(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| self.template_node(n, &crate::node::pointer_push(pointer, &i.to_string()), jsonata))
                    .collect(),
            )),
            NodeValue::String(s) => match jsonata_expression(s) {
                Some(expr) => Template::Jsonata(self.expression(expr)),
                None => Template::Literal(leak(Literal::Str(leak_str(s)))),
            },
            _ => Template::Literal(leak(literal(&node.to_json()))),
        }
    }

    fn dollar_value(&mut self, node: &Node, pointer: &str) -> Template {
        let Some(text) = node.as_str() else {
            self.internal(pointer, node.span, "a `.$` value must be a string".into());
            return Template::Literal(&Literal::Null);
        };
        match parse_dollar_value(text) {
            Ok(DollarValue::Path(p)) => Template::Path(leak(self.describe_path(&p))),
            Ok(DollarValue::Intrinsic(call)) => Template::Intrinsic(self.intrinsic(&call, text)),
            Err(e) => {
                self.internal(pointer, node.span, e.message);
                Template::Literal(&Literal::Null)
            }
        }
    }

    /// A call parsed from `text`, the whole `States.…(…)` string as written.
    pub(super) fn intrinsic(&mut self, call: &parsed::IntrinsicCall, text: &str) -> &'static Call {
        let args = call
            .args
            .iter()
            .map(|arg| match arg {
                parsed::IntrinsicArg::String(s) => Arg::Literal(Literal::Str(leak_str(s))),
                parsed::IntrinsicArg::Number(n) => Arg::Literal(literal(&Value::Number(n.clone()))),
                parsed::IntrinsicArg::Bool(b) => Arg::Literal(Literal::Bool(*b)),
                parsed::IntrinsicArg::Null => Arg::Literal(Literal::Null),
                parsed::IntrinsicArg::Path(p) => Arg::Path(self.describe_path(p)),
                parsed::IntrinsicArg::Call(inner) => Arg::Call(self.intrinsic(inner, text)),
            })
            .collect();
        let format_pieces =
            call.format_pieces.as_ref().map(|pieces| leak_slice(pieces.iter().map(|p| leak_str(p)).collect()));
        // Spans are byte ranges of the text the outermost call was parsed from; run-time
        // errors quote each (nested) call as written.
        let written = text.get(call.span.0..call.span.1).unwrap_or(text);
        leak(Call { function: call.function, args: leak_slice(args), format_pieces, text: leak_str(written) })
    }

    /// A JSONata expression, with its plan when the compiler can lower it to one
    /// ([`crate::jsonata`]): the runtime evaluates the plan instead of parsing the text.
    pub(super) fn expression(&mut self, text: &str) -> &'static Expression {
        // `$states.context` (or `$states` as a whole) needs the context object built.
        if text.contains("context") || text.match_indices("$states").any(|(i, m)| !text[i + m.len()..].starts_with('.'))
        {
            self.reads_context = true;
        }
        let text = leak_str(text);
        leak(match crate::jsonata::plan(text) {
            Some(plan) => Expression::compiled(text, leak(plan)),
            None => Expression::new(text),
        })
    }

    /// The expression of a `{% %}` field that must be one.
    fn expression_field<T>(&mut self, text: &str, at: &Spanned<T>) -> Option<&'static Expression> {
        match jsonata_expression(text) {
            Some(e) => Some(self.expression(e)),
            None => {
                self.internal(&at.pointer, at.span, format!("{text:?} is not a number or a `{{% %}}` expression"));
                None
            }
        }
    }

    /// A whole number given literally (`…Seconds`), by a Reference Path (`…SecondsPath`) or
    /// by a JSONata expression.
    pub(super) fn amount(
        &mut self,
        literal: Option<&Spanned<NumberOrExpr>>,
        path: Option<&Spanned<String>>,
    ) -> Option<Amount> {
        if let Some(p) = path {
            return self.path(p, true).map(Amount::Path);
        }
        let l = literal?;
        match &l.value {
            NumberOrExpr::Number(n) => match n.as_u64() {
                Some(v) => Some(Amount::Literal(v)),
                None => {
                    self.internal(&l.pointer, l.span, format!("{n} is not a non-negative integer"));
                    None
                }
            },
            NumberOrExpr::Expr(e) => self.expression_field(e, l).map(Amount::Jsonata),
        }
    }

    /// A number with a fraction, given like an [`Amount`].
    pub(super) fn fraction(
        &mut self,
        literal: Option<&Spanned<NumberOrExpr>>,
        path: Option<&Spanned<String>>,
    ) -> Option<Fraction> {
        if let Some(p) = path {
            return self.path(p, true).map(Fraction::Path);
        }
        let l = literal?;
        match &l.value {
            NumberOrExpr::Number(n) => n.as_f64().map(Fraction::Literal),
            NumberOrExpr::Expr(e) => self.expression_field(e, l).map(Fraction::Jsonata),
        }
    }

    /// A Fail state's `Error` or `Cause` (a literal or an expression) or its `…Path` form
    /// (a path or an intrinsic call).
    pub(super) fn fail_text(
        &mut self,
        literal: Option<&Spanned<String>>,
        path: Option<&Spanned<String>>,
    ) -> Option<FailText> {
        if let Some(p) = path {
            return match parse_dollar_value(&p.value) {
                Ok(DollarValue::Path(path)) => Some(FailText::Path(leak(self.describe_path(&path)))),
                Ok(DollarValue::Intrinsic(call)) => Some(FailText::Intrinsic(self.intrinsic(&call, &p.value))),
                Err(e) => {
                    self.internal(&p.pointer, p.span, e.message);
                    None
                }
            };
        }
        let l = literal?;
        Some(match jsonata_expression(&l.value) {
            Some(e) => FailText::Jsonata(self.expression(e)),
            None => FailText::Literal(leak_str(&l.value)),
        })
    }
}

/// Whether a template node has anything to compute below it: a `.$` key (JSONPath) or a
/// `{% %}` string (JSONata).
fn computed(node: &Node, jsonata: bool) -> bool {
    match &node.value {
        NodeValue::Object(members) => {
            members.iter().any(|m| (!jsonata && m.key.ends_with(".$")) || computed(&m.value, jsonata))
        }
        NodeValue::Array(items) => items.iter().any(|item| computed(item, jsonata)),
        NodeValue::String(s) => jsonata && jsonata_expression(s).is_some(),
        _ => false,
    }
}
