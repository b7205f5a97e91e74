//! JSONata expressions (`{% … %}`) of JSONata states, as static data: the text, and a
//! [`Plan`] when the compiler could lower the expression to Rust data. asl-runtime's
//! `jsonata` module evaluates them (the plan as Rust, everything else with the engine).

pub mod plan;

use std::any::Any;
use std::sync::OnceLock;

pub use plan::Plan;

/// What the engine keeps for one expression: whatever it derives from the text on first
/// use (its parsed tree), behind `Any` so the description does not depend on the engine.
pub type EngineCache = OnceLock<Box<dyn Any + Send + Sync>>;

/// One JSONata expression of a definition (the text between `{%` and `%}`, trimmed), as
/// static data. Generated code declares one `static` per expression, so the tree the engine
/// parses on first use is shared by every later evaluation.
pub struct Expression {
    /// The expression as written; AWS's error causes quote it.
    pub text: &'static str,
    /// The expression as Rust data, when the compiler could lower it.
    plan: Option<&'static Plan>,
    /// The engine's cache (see [`Expression::engine_cache`]); not part of the description.
    engine: EngineCache,
}

impl Expression {
    /// An expression the engine evaluates (parsed on first use).
    pub const fn new(text: &'static str) -> Self {
        Expression { text, plan: None, engine: OnceLock::new() }
    }

    /// An expression with its plan: evaluated as `plan` says, and by the engine only
    /// where the plan cannot decide. `plan` must mean what `text` means; the compiler
    /// writes both.
    pub const fn compiled(text: &'static str, plan: &'static Plan) -> Self {
        Expression { text, plan: Some(plan), engine: OnceLock::new() }
    }

    /// The plan, if the expression has one.
    pub fn plan(&self) -> Option<&'static Plan> {
        self.plan
    }

    /// Where the evaluating engine keeps what it derives from [`text`](Self::text) (its
    /// parsed tree), filled on first use. Interior mutability, so that a `static`
    /// expression parses once per process; the description itself never changes.
    pub fn engine_cache(&self) -> &EngineCache {
        &self.engine
    }
}

/// A `static` of its own, in a block: the engine cache's interior mutability may not sit in
/// a borrowed temporary of a `static` initializer, and one `static` per expression is what
/// lets every evaluation share the tree parsed on first use. The cache itself is not part
/// of the description and is not written.
#[cfg(feature = "emit")]
impl crate::emit::Emit for Expression {
    fn emit(&self, rt: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        let Expression { text, plan, engine: _ } = self;
        match plan {
            Some(plan) => {
                let plan = crate::emit::Emit::emit(plan, rt);
                quote::quote!(#rt::jsonata::Expression::compiled(#text, #plan))
            }
            None => quote::quote!(#rt::jsonata::Expression::new(#text)),
        }
    }

    fn emit_ref(&self, rt: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        let expression = self.emit(rt);
        quote::quote!({
            static EXPRESSION: #rt::jsonata::Expression = #expression;
            &EXPRESSION
        })
    }
}

/// The text and the plan: the description. The engine's cache is left out.
impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expression").field("text", &self.text).field("plan", &self.plan).finish_non_exhaustive()
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}
