//! Plans: JSONata expressions that the compiler turned into Rust data, so the runtime
//! evaluates them on `serde_json` values without the engine.
//!
//! The compiler (asl-codegen's `jsonata` module) lowers an expression to a [`Plan`] when
//! every part of it is in a small subset whose meaning does not depend on JSONata's
//! sequences: literals, object and array constructors, paths through object fields and
//! constant indexes from `$states.input`/`context`/`result`/`errorOutput` or a variable,
//! `&`, arithmetic, comparisons, `and`/`or`, `? :`, and `$count`, `$exists`, `$not`,
//! `$boolean`, `$string`, `$length`, `$uppercase`, `$lowercase`, `$trim` of one argument. Generated code holds the plan beside the
//! expression's text ([`super::Expression::compiled`]).
//!
//! A plan never decides anything the engine would decide differently: where a value at
//! run time is outside what it handles exactly (an array met in the middle of a path, an
//! operand of the wrong type, which the engine reports as an error), evaluating the plan
//! gives up and the engine evaluates the expression's text instead. The differential
//! tests (asl-runtime's `jsonata/differential.rs`) run many expressions over many inputs both ways.

/// A JSONata expression as data (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Plan {
    /// A string literal.
    String(&'static str),
    /// A number literal (finite).
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A path (or a variable alone).
    Path(&'static Path),
    /// `{"key": value, …}`: string-literal keys, no two alike. A member whose value is
    /// undefined is left out.
    Object(&'static [(&'static str, Plan)]),
    /// `[item, …]`: undefined items are left out; an item's array is spliced in unless
    /// the item is itself an array constructor.
    Array(&'static [Item]),
    /// `a & b & …`: each operand as `$string` writes it, undefined as `""`.
    Concat(&'static [Plan]),
    /// `-operand`.
    Negate(&'static Plan),
    /// A binary operator other than `&`.
    Binary(Op, &'static Plan, &'static Plan),
    /// `condition ? then : else` (`else` may be missing).
    Conditional(&'static Plan, &'static Plan, Option<&'static Plan>),
    /// A built-in function called with one argument.
    Call(Function, &'static Plan),
}

emit_enum!(jsonata::plan => Plan {
    String(value),
    Number(value),
    Bool(value),
    Null,
    Path(path),
    Object(members),
    Array(items),
    Concat(parts),
    Negate(operand),
    Binary(op, lhs, rhs),
    Conditional(condition, then, otherwise),
    Call(function, arg),
});

/// One item of an array constructor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Item {
    /// The item's expression.
    pub plan: Plan,
    /// The item is an array constructor (`[[1, 2]]`): its array is one element, not
    /// spliced in.
    pub nested: bool,
}

emit_struct!(jsonata::plan => Item { plan, nested });

/// A path: a root value, constant indexes applied to it, then field steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Path {
    /// Where the path starts.
    pub root: Root,
    /// Constant index predicates on the root (`$items[0]`, `$states.input[-1]`).
    pub indexes: &'static [f64],
    /// The field steps after the root.
    pub steps: &'static [Step],
}

emit_struct!(jsonata::plan => Path { root, indexes, steps });

/// The value a path starts from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Root {
    /// `$states.input`.
    Input,
    /// `$states.context`.
    Context,
    /// `$states.result`.
    Result,
    /// `$states.errorOutput`.
    ErrorOutput,
    /// A workflow variable, `$name`.
    Variable(&'static str),
}

emit_enum!(jsonata::plan => Root { Input, Context, Result, ErrorOutput, Variable(name) });

/// A field step of a path: `.name`, then constant index predicates (`.items[0]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// The field.
    pub name: &'static str,
    /// Constant index predicates on the field's value, in order.
    pub indexes: &'static [f64],
}

emit_struct!(jsonata::plan => Step { name, indexes });

/// A binary operator of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
    /// `/`
    Divide,
    /// `%`
    Modulo,
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `and`
    And,
    /// `or`
    Or,
}

emit_enum!(jsonata::plan => Op {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
});

/// A built-in function a plan calls (always with exactly one argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    /// `$count(x)`
    Count,
    /// `$exists(x)`
    Exists,
    /// `$not(x)`
    Not,
    /// `$boolean(x)`
    Boolean,
    /// `$string(x)`
    String,
    /// `$length(x)` of a string
    Length,
    /// `$uppercase(x)`
    Uppercase,
    /// `$lowercase(x)`
    Lowercase,
    /// `$trim(x)`
    Trim,
}

emit_enum!(jsonata::plan => Function { Count, Exists, Not, Boolean, String, Length, Uppercase, Lowercase, Trim });

impl Function {
    /// The function's JSONata name, without `$`.
    pub fn name(self) -> &'static str {
        match self {
            Function::Count => "count",
            Function::Exists => "exists",
            Function::Not => "not",
            Function::Boolean => "boolean",
            Function::String => "string",
            Function::Length => "length",
            Function::Uppercase => "uppercase",
            Function::Lowercase => "lowercase",
            Function::Trim => "trim",
        }
    }
}
