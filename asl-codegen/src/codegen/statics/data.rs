//! Paths, filters, literals, payload templates and intrinsic calls as runtime statics.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;

use super::{Emitter, float, int, option};
use crate::ir::{Intrinsic, Template};
use crate::jsonata;
use crate::path::{FilterExpr, FilterOperand, IntrinsicArg, IntrinsicCall, IntrinsicFunction, JsonPath, PathRoot};
use crate::path::{Segment, UnionItem};

impl Emitter<'_> {
    /// A `path::Path` value.
    pub(super) fn path(&mut self, p: &JsonPath) -> TokenStream {
        let rt = self.rt;
        let root = match &p.root {
            PathRoot::Input => quote!(#rt::path::Root::Input),
            PathRoot::Context => {
                self.reads_context = true;
                quote!(#rt::path::Root::Context)
            }
            PathRoot::Variable(name) => quote!(#rt::path::Root::Variable(#name)),
        };
        let segments = self.segments(&p.segments);
        let text = &p.text;
        quote! { #rt::path::Path { root: #root, segments: #segments, text: #text } }
    }

    /// `&[Segment, …]`.
    pub(super) fn segments(&mut self, segments: &[Segment]) -> TokenStream {
        let segments: Vec<TokenStream> = segments.iter().map(|s| self.segment(s)).collect();
        quote!(&[ #(#segments),* ])
    }

    /// A `path::Segment` value.
    fn segment(&mut self, s: &Segment) -> TokenStream {
        let rt = self.rt;
        let p = quote!(#rt::path);
        match s {
            Segment::Field(name) => quote!(#p::Segment::Field(#name)),
            Segment::Index(i) => {
                let i = int(*i);
                quote!(#p::Segment::Index(#i))
            }
            Segment::Wildcard => quote!(#p::Segment::Wildcard),
            Segment::Slice { start, end, step } => {
                let [start, end, step] = [start, end, step].map(|n| option(n.map(int)));
                quote!(#p::Segment::Slice { start: #start, end: #end, step: #step })
            }
            Segment::Union(items) => {
                let items = items.iter().map(|item| match item {
                    UnionItem::Field(name) => quote!(#p::UnionItem::Field(#name)),
                    UnionItem::Index(i) => {
                        let i = int(*i);
                        quote!(#p::UnionItem::Index(#i))
                    }
                });
                quote!(#p::Segment::Union(&[ #(#items),* ]))
            }
            Segment::Filter(expr) => {
                let f = self.filter(expr);
                quote!(#p::Segment::Filter(&#f))
            }
            Segment::Descendant(inner) => {
                let inner = self.segment(inner);
                quote!(#p::Segment::Descendant(&#inner))
            }
            Segment::Function(name) => quote!(#p::Segment::Function(#name)),
        }
    }

    /// A `path::Filter` value (borrowed by its parent).
    fn filter(&mut self, expr: &FilterExpr) -> TokenStream {
        let rt = self.rt;
        let p = quote!(#rt::path);
        match expr {
            FilterExpr::Or(a, b) => {
                let (a, b) = (self.filter(a), self.filter(b));
                quote!(#p::Filter::Or(&#a, &#b))
            }
            FilterExpr::And(a, b) => {
                let (a, b) = (self.filter(a), self.filter(b));
                quote!(#p::Filter::And(&#a, &#b))
            }
            FilterExpr::Not(a) => {
                let a = self.filter(a);
                quote!(#p::Filter::Not(&#a))
            }
            FilterExpr::Exists(o) => {
                let o = self.filter_operand(o);
                quote!(#p::Filter::Exists(&#o))
            }
            FilterExpr::Compare { left, op, right } => {
                let (left, right) = (self.filter_operand(left), self.filter_operand(right));
                let op = op.as_str();
                quote!(#p::Filter::Compare { left: &#left, op: #op, right: &#right })
            }
        }
    }

    /// A `path::Operand` value (a filter's side).
    fn filter_operand(&mut self, o: &FilterOperand) -> TokenStream {
        let rt = self.rt;
        let p = quote!(#rt::path);
        match o {
            FilterOperand::Current(segments) => {
                let segments = self.segments(segments);
                quote!(#p::Operand::Current(#segments))
            }
            FilterOperand::Path(path) => {
                let path = self.path(path);
                quote!(#p::Operand::Path(&#path))
            }
            FilterOperand::Literal(v) => {
                let v = self.literal(v);
                quote!(#p::Operand::Literal(&#v))
            }
            FilterOperand::Regex { pattern, flags } => quote!(#p::Operand::Regex { pattern: #pattern, flags: #flags }),
        }
    }

    /// A `path::Literal` value.
    pub(super) fn literal(&self, v: &Value) -> TokenStream {
        let rt = self.rt;
        let l = quote!(#rt::path::Literal);
        match v {
            Value::Null => quote!(#l::Null),
            Value::Bool(b) => quote!(#l::Bool(#b)),
            Value::Number(n) => match n.as_i64() {
                Some(i) => {
                    let i = int(i);
                    quote!(#l::Int(#i))
                }
                // u64 beyond i64 and fractions: the runtime's literal has no wider integer.
                None => {
                    let f = float(n.as_f64().unwrap_or(f64::NAN));
                    quote!(#l::Float(#f))
                }
            },
            Value::String(s) => quote!(#l::Str(#s)),
            Value::Array(items) => {
                let items = items.iter().map(|v| self.literal(v));
                quote!(#l::Array(&[ #(#items),* ]))
            }
            Value::Object(members) => {
                let members = members.iter().map(|(k, v)| {
                    let v = self.literal(v);
                    quote!((#k, #v))
                });
                quote!(#l::Object(&[ #(#members),* ]))
            }
        }
    }

    /// A `template::Template` value.
    pub(super) fn template(&mut self, t: &Template) -> TokenStream {
        let rt = self.rt;
        let tm = quote!(#rt::template::Template);
        match t {
            Template::Literal(v) => {
                let v = self.literal(v);
                quote!(#tm::Literal(&#v))
            }
            Template::Object(members) => {
                let members: Vec<TokenStream> = members
                    .iter()
                    .map(|(k, t)| {
                        let t = self.template(t);
                        quote!((#k, #t))
                    })
                    .collect();
                quote!(#tm::Object(&[ #(#members),* ]))
            }
            Template::Array(items) => {
                let items: Vec<TokenStream> = items.iter().map(|t| self.template(t)).collect();
                quote!(#tm::Array(&[ #(#items),* ]))
            }
            Template::Path(p) => {
                let p = self.path(p);
                quote!(#tm::Path(&#p))
            }
            Template::Intrinsic(call) => {
                let call = self.call(call);
                quote!(#tm::Intrinsic(#call))
            }
            Template::Jsonata(text) => {
                let e = self.expression(text);
                quote!(#tm::Jsonata(#e))
            }
        }
    }

    /// `&Expression` for a JSONata expression: a `static` of its own in a block, because
    /// an expression keeps its parsed tree in a `OnceLock` (interior mutability, which a
    /// borrowed temporary of a `static` initializer may not have), and so every evaluation
    /// shares the tree parsed on first use. An expression the compiler can lower to a plan
    /// ([`crate::jsonata`]) carries it, and the runtime evaluates that instead of parsing.
    pub(super) fn expression(&mut self, text: &str) -> TokenStream {
        let rt = self.rt;
        // `$states.context` (or `$states` as a whole) needs the context object built.
        if text.contains("context") || text.match_indices("$states").any(|(i, m)| !text[i + m.len()..].starts_with('.'))
        {
            self.reads_context = true;
        }
        let expression = match crate::jsonata::plan(text) {
            Some(plan) => {
                let plan = self.plan(&plan);
                quote!(#rt::jsonata::Expression::compiled(#text, &#plan))
            }
            None => quote!(#rt::jsonata::Expression::new(#text)),
        };
        quote!({
            static EXPRESSION: #rt::jsonata::Expression = #expression;
            &EXPRESSION
        })
    }

    /// A `jsonata::Plan` value.
    fn plan(&mut self, plan: &jsonata::Plan) -> TokenStream {
        let rt = self.rt;
        let p = quote!(#rt::jsonata::plan);
        match plan {
            jsonata::Plan::String(s) => quote!(#p::Plan::String(#s)),
            jsonata::Plan::Number(n) => {
                let n = float(*n);
                quote!(#p::Plan::Number(#n))
            }
            jsonata::Plan::Bool(b) => quote!(#p::Plan::Bool(#b)),
            jsonata::Plan::Null => quote!(#p::Plan::Null),
            jsonata::Plan::Path(path) => {
                let root = match &path.root {
                    jsonata::Root::Input => quote!(#p::Root::Input),
                    jsonata::Root::Context => quote!(#p::Root::Context),
                    jsonata::Root::Result => quote!(#p::Root::Result),
                    jsonata::Root::ErrorOutput => quote!(#p::Root::ErrorOutput),
                    jsonata::Root::Variable(name) => quote!(#p::Root::Variable(#name)),
                };
                let indexes = floats(&path.indexes);
                let steps = path.steps.iter().map(|(name, indexes)| {
                    let indexes = floats(indexes);
                    quote!(#p::Step { name: #name, indexes: #indexes })
                });
                quote!(#p::Plan::Path(&#p::Path { root: #root, indexes: #indexes, steps: &[ #(#steps),* ] }))
            }
            jsonata::Plan::Object(members) => {
                let members: Vec<TokenStream> = members
                    .iter()
                    .map(|(key, value)| {
                        let value = self.plan(value);
                        quote!((#key, #value))
                    })
                    .collect();
                quote!(#p::Plan::Object(&[ #(#members),* ]))
            }
            jsonata::Plan::Array(items) => {
                let items: Vec<TokenStream> = items
                    .iter()
                    .map(|(item, nested)| {
                        let item = self.plan(item);
                        quote!(#p::Item { plan: #item, nested: #nested })
                    })
                    .collect();
                quote!(#p::Plan::Array(&[ #(#items),* ]))
            }
            jsonata::Plan::Concat(parts) => {
                let parts: Vec<TokenStream> = parts.iter().map(|part| self.plan(part)).collect();
                quote!(#p::Plan::Concat(&[ #(#parts),* ]))
            }
            jsonata::Plan::Negate(operand) => {
                let operand = self.plan(operand);
                quote!(#p::Plan::Negate(&#operand))
            }
            jsonata::Plan::Binary(op, lhs, rhs) => {
                let op = Ident::new(op_variant(*op), Span::call_site());
                let (lhs, rhs) = (self.plan(lhs), self.plan(rhs));
                quote!(#p::Plan::Binary(#p::Op::#op, &#lhs, &#rhs))
            }
            jsonata::Plan::Conditional(condition, then, otherwise) => {
                let (condition, then) = (self.plan(condition), self.plan(then));
                let otherwise = option(otherwise.as_ref().map(|e| {
                    let e = self.plan(e);
                    quote!(&#e)
                }));
                quote!(#p::Plan::Conditional(&#condition, &#then, #otherwise))
            }
            jsonata::Plan::Call(function, arg) => {
                let function = Ident::new(function_name(*function), Span::call_site());
                let arg = self.plan(arg);
                quote!(#p::Plan::Call(#p::Function::#function, &#arg))
            }
        }
    }

    /// `&Call { … }` for a call and its text as written.
    pub(super) fn call(&mut self, intrinsic: &Intrinsic) -> TokenStream {
        self.call_at(&intrinsic.call, &intrinsic.text)
    }

    /// `&Call { … }` for `call`, a call within `text` (the outermost call's text).
    fn call_at(&mut self, call: &IntrinsicCall, text: &str) -> TokenStream {
        let rt = self.rt;
        let i = quote!(#rt::intrinsics);
        let function = proc_macro2::Ident::new(function_variant(call.function), proc_macro2::Span::call_site());
        let args: Vec<TokenStream> = call
            .args
            .iter()
            .map(|arg| match arg {
                IntrinsicArg::String(s) => quote!(#i::Arg::Literal(#rt::path::Literal::Str(#s))),
                IntrinsicArg::Number(n) => {
                    let v = self.literal(&Value::Number(n.clone()));
                    quote!(#i::Arg::Literal(#v))
                }
                IntrinsicArg::Bool(b) => quote!(#i::Arg::Literal(#rt::path::Literal::Bool(#b))),
                IntrinsicArg::Null => quote!(#i::Arg::Literal(#rt::path::Literal::Null)),
                IntrinsicArg::Path(p) => {
                    let p = self.path(p);
                    quote!(#i::Arg::Path(#p))
                }
                IntrinsicArg::Call(inner) => {
                    let inner = self.call_at(inner, text);
                    quote!(#i::Arg::Call(#inner))
                }
            })
            .collect();
        let pieces = option(call.format_pieces.as_ref().map(|pieces| quote!(&[ #(#pieces),* ])));
        // Spans are byte ranges of the text the outermost call was parsed from.
        let written = text.get(call.span.0..call.span.1).unwrap_or(text);
        quote! {
            &#i::Call { function: #i::Function::#function, args: &[ #(#args),* ], format_pieces: #pieces, text: #written }
        }
    }
}

/// `&[f64, …]`.
fn floats(values: &[f64]) -> TokenStream {
    let values = values.iter().map(|v| float(*v));
    quote!(&[ #(#values),* ])
}

/// The runtime `jsonata::plan::Op` variant.
fn op_variant(op: jsonata::Op) -> &'static str {
    use jsonata::Op::*;
    match op {
        Add => "Add",
        Subtract => "Subtract",
        Multiply => "Multiply",
        Divide => "Divide",
        Modulo => "Modulo",
        Equal => "Equal",
        NotEqual => "NotEqual",
        Less => "Less",
        LessOrEqual => "LessOrEqual",
        Greater => "Greater",
        GreaterOrEqual => "GreaterOrEqual",
        And => "And",
        Or => "Or",
    }
}

/// The runtime `jsonata::plan::Function` variant.
fn function_name(function: jsonata::Function) -> &'static str {
    match function {
        jsonata::Function::Count => "Count",
        jsonata::Function::Exists => "Exists",
        jsonata::Function::Not => "Not",
        jsonata::Function::Boolean => "Boolean",
        jsonata::Function::String => "String",
        jsonata::Function::Length => "Length",
        jsonata::Function::Uppercase => "Uppercase",
        jsonata::Function::Lowercase => "Lowercase",
        jsonata::Function::Trim => "Trim",
    }
}

/// The runtime `intrinsics::Function` variant (exhaustive, so a new function cannot be
/// forgotten here).
fn function_variant(function: IntrinsicFunction) -> &'static str {
    use IntrinsicFunction::*;
    match function {
        Format => "Format",
        StringToJson => "StringToJson",
        JsonToString => "JsonToString",
        Array => "Array",
        ArrayPartition => "ArrayPartition",
        ArrayContains => "ArrayContains",
        ArrayRange => "ArrayRange",
        ArrayGetItem => "ArrayGetItem",
        ArrayLength => "ArrayLength",
        ArrayUnique => "ArrayUnique",
        Base64Encode => "Base64Encode",
        Base64Decode => "Base64Decode",
        Hash => "Hash",
        JsonMerge => "JsonMerge",
        MathRandom => "MathRandom",
        MathAdd => "MathAdd",
        StringSplit => "StringSplit",
        Uuid => "Uuid",
    }
}
