//! JSONata expressions lowered to plans: the part of JSONata the runtime evaluates as Rust,
//! on the state's JSON, instead of handing the expression to the JSONata engine.
//!
//! [`plan`] parses an expression with the engine's parser (the one validation and the
//! runtime use) and lowers it when every node is in this subset:
//!
//! | JSONata                                   | plan                      |
//! |-------------------------------------------|---------------------------|
//! | `"text"`, `1.5`, `true`, `null`           | literals                  |
//! | `$states.input.a.b`, `$states.context.…`, `$states.result…`, `$states.errorOutput…` | [`Plan::Path`] |
//! | `$var`, `$var.a[0].b`, `$var[-1]`         | [`Plan::Path`]            |
//! | `{"k": e, …}` (distinct literal keys)     | [`Plan::Object`]          |
//! | `[e, …]`                                  | [`Plan::Array`]           |
//! | `a & b`                                   | [`Plan::Concat`]          |
//! | `-a`, `+ - * / %`, `= != < <= > >=`, `and`, `or` | [`Plan::Negate`], [`Plan::Binary`] |
//! | `c ? a : b`, `c ? a`                      | [`Plan::Conditional`]     |
//! | `$count(x)`, `$exists(x)`, `$not(x)`, `$boolean(x)`, `$string(x)`, `$length(x)`, `$uppercase(x)`, `$lowercase(x)`, `$trim(x)` | [`Plan::Call`] |
//! | `(e)`                                     | `e`                       |
//!
//! Paths step only through field names and constant indexes; predicates, wildcards,
//! `.(…)` steps, `%`, `#`/`@` bindings and the rest stay with the engine, as do blocks of
//! several expressions, `:=`, lambdas, other functions and anything nested deeper than
//! [`MAX_DEPTH`]. What a plan means at run time, including where it hands an evaluation
//! back to the engine, is documented on the runtime's `jsonata::plan` module; the
//! generator writes each plan as static data beside its expression's text.

use jsonata_core::ast::{AstNode, BinaryOp, PathStep, Stage, UnaryOp};

/// How deeply a plan may nest. Deeper expressions are rare and evaluated by the engine,
/// which keeps the generated static data (and rustc's work on it) small.
pub const MAX_DEPTH: usize = 32;

/// An expression the runtime can evaluate without the engine. Mirrors the runtime's
/// `jsonata::plan::Plan`, owned.
#[derive(Clone, Debug, PartialEq)]
pub enum Plan {
    /// A string literal.
    String(String),
    /// A number literal (finite).
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A path, or a variable alone.
    Path(Path),
    /// `{"key": value, …}`.
    Object(Vec<(String, Plan)>),
    /// `[item, …]`; each item with whether it is itself an array constructor.
    Array(Vec<(Plan, bool)>),
    /// `a & b & …`.
    Concat(Vec<Plan>),
    /// `-operand`.
    Negate(Box<Plan>),
    /// A binary operator other than `&`.
    Binary(Op, Box<Plan>, Box<Plan>),
    /// `condition ? then : else`.
    Conditional(Box<Plan>, Box<Plan>, Option<Box<Plan>>),
    /// A built-in function called with one argument.
    Call(Function, Box<Plan>),
}

/// A path: root, constant indexes on it, field steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// Where it starts.
    pub root: Root,
    /// Constant index predicates on the root.
    pub indexes: Vec<f64>,
    /// Field steps, each with its constant index predicates.
    pub steps: Vec<(String, Vec<f64>)>,
}

/// Where a path starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    /// `$states.input`
    Input,
    /// `$states.context`
    Context,
    /// `$states.result`
    Result,
    /// `$states.errorOutput`
    ErrorOutput,
    /// `$name`
    Variable(String),
}

/// A binary operator.
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

/// A one-argument built-in function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    /// `$count`
    Count,
    /// `$exists`
    Exists,
    /// `$not`
    Not,
    /// `$boolean`
    Boolean,
    /// `$string`
    String,
    /// `$length` (of a string)
    Length,
    /// `$uppercase`
    Uppercase,
    /// `$lowercase`
    Lowercase,
    /// `$trim`
    Trim,
}

/// The plan of `text` (a JSONata expression without `{% %}`), or `None` when it does not
/// parse or is outside the subset.
pub fn plan(text: &str) -> Option<Plan> {
    lower(&jsonata_core::parser::parse(text).ok()?, 0)
}

fn lower(node: &AstNode, depth: usize) -> Option<Plan> {
    if depth > MAX_DEPTH {
        return None;
    }
    let sub = |node: &AstNode| lower(node, depth + 1).map(Box::new);
    Some(match node {
        AstNode::String(s) => Plan::String(s.clone()),
        AstNode::Number(n) if n.is_finite() => Plan::Number(*n),
        AstNode::Boolean(b) => Plan::Bool(*b),
        AstNode::Null => Plan::Null,
        AstNode::Variable(name) if !name.is_empty() && name != "states" => {
            Plan::Path(Path { root: Root::Variable(name.clone()), indexes: Vec::new(), steps: Vec::new() })
        }
        AstNode::Path { steps } => Plan::Path(path(steps)?),
        AstNode::Unary { op: UnaryOp::Negate, operand } => match &**operand {
            AstNode::Number(n) if n.is_finite() => Plan::Number(-n),
            _ => Plan::Negate(sub(operand)?),
        },
        AstNode::Binary { op: BinaryOp::Concatenate, .. } => {
            let mut parts = Vec::new();
            concat(node, depth, &mut parts)?;
            Plan::Concat(parts)
        }
        AstNode::Binary { op, lhs, rhs } => Plan::Binary(operator(*op)?, sub(lhs)?, sub(rhs)?),
        AstNode::Conditional { condition, then_branch, else_branch } => Plan::Conditional(
            sub(condition)?,
            sub(then_branch)?,
            match else_branch {
                Some(e) => Some(sub(e)?),
                None => None,
            },
        ),
        AstNode::Function { name, args, is_builtin: true } => match args.as_slice() {
            [arg] => Plan::Call(function(name)?, sub(arg)?),
            _ => return None,
        },
        AstNode::Object(pairs) => {
            let mut members: Vec<(String, Plan)> = Vec::with_capacity(pairs.len());
            for (key, value) in pairs {
                // Two members with one key are the engine's error D1009.
                let AstNode::String(key) = key else { return None };
                if members.iter().any(|(k, _)| k == key) {
                    return None;
                }
                members.push((key.clone(), lower(value, depth + 1)?));
            }
            Plan::Object(members)
        }
        AstNode::Array(items) => Plan::Array(
            items
                .iter()
                .map(|item| Some((lower(item, depth + 1)?, matches!(item, AstNode::Array(_)))))
                .collect::<Option<_>>()?,
        ),
        // Parentheses around one expression.
        AstNode::Block(items) => match items.as_slice() {
            [only] => lower(only, depth + 1)?,
            _ => return None,
        },
        _ => return None,
    })
}

/// The operands of a chain of `&`, left to right.
fn concat(node: &AstNode, depth: usize, parts: &mut Vec<Plan>) -> Option<()> {
    match node {
        // The chain is flattened, so its length adds no depth.
        AstNode::Binary { op: BinaryOp::Concatenate, lhs, rhs } => {
            concat(lhs, depth, parts)?;
            concat(rhs, depth, parts)
        }
        other => {
            parts.push(lower(other, depth + 1)?);
            Some(())
        }
    }
}

/// A path from `$states.<member>` or `$name` through plain field steps.
fn path(steps: &[PathStep]) -> Option<Path> {
    let (first, rest) = steps.split_first()?;
    let AstNode::Variable(name) = &first.node else { return None };
    if !plain(first) || name.is_empty() {
        return None;
    }
    let (root, root_indexes, rest) = if name == "states" {
        // `$states` itself is the engine's: only a path into one of its members is planned.
        let (member, rest) = rest.split_first()?;
        let AstNode::Name(field) = &member.node else { return None };
        let root = match field.as_str() {
            "input" => Root::Input,
            "context" => Root::Context,
            "result" => Root::Result,
            "errorOutput" => Root::ErrorOutput,
            _ => return None,
        };
        if !first.stages.is_empty() || !plain(member) {
            return None;
        }
        (root, indexes(&member.stages)?, rest)
    } else {
        (Root::Variable(name.clone()), indexes(&first.stages)?, rest)
    };
    let steps = rest
        .iter()
        .map(|step| match &step.node {
            AstNode::Name(field) if plain(step) => Some((field.clone(), indexes(&step.stages)?)),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(Path { root, indexes: root_indexes, steps })
}

/// A step with no `@`/`#` binding and no part in a tuple stream.
fn plain(step: &PathStep) -> bool {
    step.focus.is_none()
        && step.index_var.is_none()
        && step.ancestor_label.is_none()
        && !step.is_tuple
        && !step.inner_tuple
}

/// The constant indexes of a step's predicates (`[0]`, `[-1]`), or `None` if any
/// predicate is something else.
fn indexes(stages: &[Stage]) -> Option<Vec<f64>> {
    stages
        .iter()
        .map(|stage| match stage {
            Stage::Filter(predicate) => match &**predicate {
                AstNode::Number(n) if n.is_finite() => Some(*n),
                AstNode::Unary { op: UnaryOp::Negate, operand } => match &**operand {
                    AstNode::Number(n) if n.is_finite() => Some(-n),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn operator(op: BinaryOp) -> Option<Op> {
    Some(match op {
        BinaryOp::Add => Op::Add,
        BinaryOp::Subtract => Op::Subtract,
        BinaryOp::Multiply => Op::Multiply,
        BinaryOp::Divide => Op::Divide,
        BinaryOp::Modulo => Op::Modulo,
        BinaryOp::Equal => Op::Equal,
        BinaryOp::NotEqual => Op::NotEqual,
        BinaryOp::LessThan => Op::Less,
        BinaryOp::LessThanOrEqual => Op::LessOrEqual,
        BinaryOp::GreaterThan => Op::Greater,
        BinaryOp::GreaterThanOrEqual => Op::GreaterOrEqual,
        BinaryOp::And => Op::And,
        BinaryOp::Or => Op::Or,
        _ => return None,
    })
}

fn function(name: &str) -> Option<Function> {
    Some(match name {
        "count" => Function::Count,
        "exists" => Function::Exists,
        "not" => Function::Not,
        "boolean" => Function::Boolean,
        "string" => Function::String,
        "length" => Function::Length,
        "uppercase" => Function::Uppercase,
        "lowercase" => Function::Lowercase,
        "trim" => Function::Trim,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(steps: &[&str]) -> Plan {
        Plan::Path(Path {
            root: Root::Input,
            indexes: Vec::new(),
            steps: steps.iter().map(|s| ((*s).to_owned(), Vec::new())).collect(),
        })
    }

    #[test]
    fn the_subset() {
        assert_eq!(plan("$states.input.a.b"), Some(input(&["a", "b"])));
        assert_eq!(plan("($states.input)"), Some(input(&[])));
        assert_eq!(plan("-1"), Some(Plan::Number(-1.0)));
        assert_eq!(
            plan("$x.items[0][-1]"),
            Some(Plan::Path(Path {
                root: Root::Variable("x".into()),
                indexes: Vec::new(),
                steps: vec![("items".into(), vec![0.0, -1.0])],
            }))
        );
        assert_eq!(
            plan("'a' & $states.input.b & 'c'"),
            Some(Plan::Concat(vec![Plan::String("a".into()), input(&["b"]), Plan::String("c".into())]))
        );
        assert_eq!(
            plan("[[1], 2]"),
            Some(Plan::Array(vec![(Plan::Array(vec![(Plan::Number(1.0), false)]), true), (Plan::Number(2.0), false)]))
        );
        for text in [
            "{'id': $states.input.order.id, 'n': $count($states.input.order.items)}",
            "$states.context.Execution.Id",
            "$states.input.x > 3 and $states.input.y = 'a' ? 'yes' : 'no'",
            "$not($exists($states.result.Payload))",
            "$states.errorOutput.Cause",
        ] {
            assert!(plan(text).is_some(), "{text}");
        }
    }

    #[test]
    fn outside_the_subset() {
        for text in [
            "$states",
            "$states.foo",
            "$states[0].input",
            "$states.input.items[price > 10]",
            "$states.input.items.(price * qty)",
            "$states.input.*",
            "$states.input.a.%.b",
            "$states.input.items@$i",
            "$sum($states.input.prices)",
            "$count($states.input.a, 1)",
            "count($states.input.a)",
            "{'a': 1, 'a': 2}",
            "{$states.input.k: 1}",
            "($x := 1; $x)",
            "function($v){$v}",
            "$states.input.a ~> $uppercase",
            "1 +",
        ] {
            assert_eq!(plan(text), None, "{text}");
        }
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!("{}1{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
        assert_eq!(plan(&deep), None);
        let shallow = format!("{}1{}", "[".repeat(4), "]".repeat(4));
        assert!(plan(&shallow).is_some());
    }
}
