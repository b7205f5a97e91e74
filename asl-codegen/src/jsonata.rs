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

pub use asl_machine::jsonata::plan::{Function, Item, Op, Path, Plan, Root, Step};

use crate::lower::leak::{leak, leak_slice, leak_str};

/// The plan of `text` (a JSONata expression without `{% %}`), or `None` when it does not
/// parse or is outside the subset. Its parts are leaked to get the description's
/// `&'static` references (see [`crate::lower`]).
pub fn plan(text: &str) -> Option<Plan> {
    lower(&jsonata_core::parser::parse(text).ok()?, 0)
}

fn lower(node: &AstNode, depth: usize) -> Option<Plan> {
    if depth > MAX_DEPTH {
        return None;
    }
    let sub = |node: &AstNode| lower(node, depth + 1).map(leak);
    Some(match node {
        AstNode::String(s) => Plan::String(leak_str(s)),
        AstNode::Number(n) if n.is_finite() => Plan::Number(*n),
        AstNode::Boolean(b) => Plan::Bool(*b),
        AstNode::Null => Plan::Null,
        AstNode::Variable(name) if !name.is_empty() && name != "states" => {
            Plan::Path(leak(Path { root: Root::Variable(leak_str(name)), indexes: &[], steps: &[] }))
        }
        AstNode::Path { steps } => Plan::Path(leak(path(steps)?)),
        AstNode::Unary { op: UnaryOp::Negate, operand } => match &**operand {
            AstNode::Number(n) if n.is_finite() => Plan::Number(-n),
            _ => Plan::Negate(sub(operand)?),
        },
        AstNode::Binary { op: BinaryOp::Concatenate, .. } => {
            let mut parts = Vec::new();
            concat(node, depth, &mut parts)?;
            Plan::Concat(leak_slice(parts))
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
            let mut members: Vec<(&'static str, Plan)> = Vec::with_capacity(pairs.len());
            for (key, value) in pairs {
                // Two members with one key are the engine's error D1009.
                let AstNode::String(key) = key else { return None };
                if members.iter().any(|(k, _)| k == key) {
                    return None;
                }
                members.push((leak_str(key), lower(value, depth + 1)?));
            }
            Plan::Object(leak_slice(members))
        }
        AstNode::Array(items) => Plan::Array(leak_slice(
            items
                .iter()
                .map(|item| Some(Item { plan: lower(item, depth + 1)?, nested: matches!(item, AstNode::Array(_)) }))
                .collect::<Option<_>>()?,
        )),
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
        (Root::Variable(leak_str(name)), indexes(&first.stages)?, rest)
    };
    let steps = rest
        .iter()
        .map(|step| match &step.node {
            AstNode::Name(field) if plain(step) => {
                Some(Step { name: leak_str(field), indexes: indexes(&step.stages)? })
            }
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Path { root, indexes: root_indexes, steps: leak_slice(steps) })
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
fn indexes(stages: &[Stage]) -> Option<&'static [f64]> {
    let indexes = stages
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
        .collect::<Option<Vec<_>>>()?;
    Some(leak_slice(indexes))
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

    const fn step(name: &'static str) -> Step {
        Step { name, indexes: &[] }
    }

    const INPUT_A_B: Plan = Plan::Path(&Path { root: Root::Input, indexes: &[], steps: &[step("a"), step("b")] });
    const CONCAT: Plan = Plan::Concat(&[
        Plan::String("a"),
        Plan::Path(&Path { root: Root::Input, indexes: &[], steps: &[step("b")] }),
        Plan::String("c"),
    ]);

    #[test]
    fn the_subset() {
        assert_eq!(plan("$states.input.a.b"), Some(INPUT_A_B));
        assert_eq!(plan("($states.input)"), Some(Plan::Path(&Path { root: Root::Input, indexes: &[], steps: &[] })));
        assert_eq!(plan("-1"), Some(Plan::Number(-1.0)));
        assert_eq!(
            plan("$x.items[0][-1]"),
            Some(Plan::Path(&Path {
                root: Root::Variable("x"),
                indexes: &[],
                steps: &[Step { name: "items", indexes: &[0.0, -1.0] }],
            }))
        );
        assert_eq!(plan("'a' & $states.input.b & 'c'"), Some(CONCAT));
        assert_eq!(
            plan("[[1], 2]"),
            Some(Plan::Array(&[
                Item { plan: Plan::Array(&[Item { plan: Plan::Number(1.0), nested: false }]), nested: true },
                Item { plan: Plan::Number(2.0), nested: false },
            ]))
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
