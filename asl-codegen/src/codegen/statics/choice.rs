//! Choice rules as `choice::Rule` statics.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

use super::{Emitter, float, int};
use crate::ast::Operator;
use crate::ir::{Condition, Operand};

impl Emitter<'_> {
    /// A `choice::Rule` value.
    pub(super) fn rule(&mut self, condition: &Condition) -> TokenStream {
        let rt = self.rt;
        let c = quote!(#rt::choice);
        match condition {
            Condition::Compare { variable, operator, operand } => {
                let variable = self.path(variable);
                let test = self.test(*operator, operand);
                quote!(#c::Rule::Compare { variable: #variable, test: #test })
            }
            Condition::And(rules) => {
                let rules: Vec<TokenStream> = rules.iter().map(|r| self.rule(r)).collect();
                quote!(#c::Rule::And(&[ #(#rules),* ]))
            }
            Condition::Or(rules) => {
                let rules: Vec<TokenStream> = rules.iter().map(|r| self.rule(r)).collect();
                quote!(#c::Rule::Or(&[ #(#rules),* ]))
            }
            Condition::Not(rule) => {
                let rule = self.rule(rule);
                quote!(#c::Rule::Not(&#rule))
            }
            // Only JSONata states have these. An empty `And` always holds and an empty `Or`
            // never does, so constants need no variant of their own.
            Condition::Constant(true) => quote!(#c::Rule::And(&[])),
            Condition::Constant(false) => quote!(#c::Rule::Or(&[])),
            Condition::Jsonata(text) => {
                let e = self.expression(text);
                quote!(#c::Rule::Jsonata(#e))
            }
        }
    }

    /// The `choice::Test` for an operator: the `…Path` form of an operator is the same
    /// variant with an `Operand::Path`.
    fn test(&mut self, operator: Operator, operand: &Operand) -> TokenStream {
        let rt = self.rt;
        let c = quote!(#rt::choice);
        let (variant, kind) = test_variant(operator);
        let variant = proc_macro2::Ident::new(variant, proc_macro2::Span::call_site());
        let value = match (kind, operand) {
            (_, Operand::Path(p)) if !matches!(kind, OperandKind::Pattern | OperandKind::Flag) => {
                let p = self.path(p);
                quote!(#c::Operand::Path(#p))
            }
            (OperandKind::Text, Operand::String(s)) => quote!(#c::Operand::Literal(#s)),
            (OperandKind::Number, Operand::Number(n)) => {
                let n = match (n.as_i64(), n.as_u64()) {
                    (Some(i), _) => {
                        let i = int(i);
                        quote!(#c::Number::Int(#i))
                    }
                    (None, Some(u)) => {
                        let u = Lit::u64_unsuffixed(u);
                        quote!(#c::Number::Int(#u))
                    }
                    (None, None) => {
                        let f = float(n.as_f64().unwrap_or(f64::NAN));
                        quote!(#c::Number::Float(#f))
                    }
                };
                quote!(#c::Operand::Literal(#n))
            }
            (OperandKind::Bool, Operand::Bool(b)) => quote!(#c::Operand::Literal(#b)),
            (OperandKind::Pattern, Operand::String(s)) => quote!(#s),
            (OperandKind::Flag, Operand::Bool(b)) => quote!(#b),
            _ => {
                self.bug(&format!("`{variant}` with an operand of the wrong type"));
                return quote!(#c::Test::IsPresent(true));
            }
        };
        quote!(#c::Test::#variant(#value))
    }
}

/// What a comparison operator's operand is.
#[derive(Clone, Copy, PartialEq)]
enum OperandKind {
    /// A string (also timestamps): `Operand<&str>`.
    Text,
    /// `Operand<Number>`.
    Number,
    /// `Operand<bool>`.
    Bool,
    /// `StringMatches`: a bare pattern, no `…Path` form.
    Pattern,
    /// The `Is…` tests: a bare boolean, no `…Path` form.
    Flag,
}

/// The runtime `Test` variant for an operator (the names are the same as ASL's).
fn test_variant(operator: Operator) -> (&'static str, OperandKind) {
    use OperandKind::*;
    match operator {
        Operator::StringEquals => ("StringEquals", Text),
        Operator::StringLessThan => ("StringLessThan", Text),
        Operator::StringGreaterThan => ("StringGreaterThan", Text),
        Operator::StringLessThanEquals => ("StringLessThanEquals", Text),
        Operator::StringGreaterThanEquals => ("StringGreaterThanEquals", Text),
        Operator::StringMatches => ("StringMatches", Pattern),
        Operator::NumericEquals => ("NumericEquals", Number),
        Operator::NumericLessThan => ("NumericLessThan", Number),
        Operator::NumericGreaterThan => ("NumericGreaterThan", Number),
        Operator::NumericLessThanEquals => ("NumericLessThanEquals", Number),
        Operator::NumericGreaterThanEquals => ("NumericGreaterThanEquals", Number),
        Operator::BooleanEquals => ("BooleanEquals", Bool),
        Operator::TimestampEquals => ("TimestampEquals", Text),
        Operator::TimestampLessThan => ("TimestampLessThan", Text),
        Operator::TimestampGreaterThan => ("TimestampGreaterThan", Text),
        Operator::TimestampLessThanEquals => ("TimestampLessThanEquals", Text),
        Operator::TimestampGreaterThanEquals => ("TimestampGreaterThanEquals", Text),
        Operator::IsNull => ("IsNull", Flag),
        Operator::IsPresent => ("IsPresent", Flag),
        Operator::IsNumeric => ("IsNumeric", Flag),
        Operator::IsString => ("IsString", Flag),
        Operator::IsBoolean => ("IsBoolean", Flag),
        Operator::IsTimestamp => ("IsTimestamp", Flag),
    }
}
