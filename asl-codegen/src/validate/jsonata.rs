//! JSONata expressions checked as AWS checks them when a state machine is created: each
//! must parse as JSONata 2.0.6 (`INVALID_JSONATA_EXPRESSION`), and may not read the
//! evaluation's input at its top level — bare field names, `$` or `$$` — because a state's
//! data is only in `$states` (`UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at
//! the top level is not supported.`, ✔AWS).
//!
//! The parser is the runtime's engine's (jsonata-core), so what compiles is what runs.

use jsonata_core::ast::{AstNode, BinaryOp};

use crate::diagnostic::Code;

/// What is wrong with an expression, if anything: the code and AWS's message.
pub(super) fn check(text: &str) -> Option<(Code, String)> {
    let ast = match jsonata_core::parser::parse(text) {
        Ok(ast) => ast,
        Err(e) => return Some((Code::InvalidJsonata, format!("JSONata expression '{text}' does not parse: {e}"))),
    };
    let mut problem = None;
    visit(&ast, true, &mut problem);
    problem
}

/// Walks `node`; `top` is whether it is evaluated against the expression's input (the top
/// level) rather than against a step's or a function's own context. Only the first
/// problem is kept.
fn visit(node: &AstNode, top: bool, problem: &mut Option<(Code, String)>) {
    if problem.is_some() {
        return;
    }
    let reference = |name: &str| {
        Some((Code::UnsupportedJsonata, format!("Reference to '{name}' at the top level is not supported.")))
    };
    match node {
        AstNode::Name(name) if top => *problem = reference(name),
        AstNode::Variable(name) if top && name.is_empty() => *problem = reference("$"),
        AstNode::ParentVariable(name) if top && name.is_empty() => *problem = reference("$$"),
        // `??` arrived in JSONata 2.1; AWS's 2.0.6 does not parse it.
        AstNode::Binary { op: BinaryOp::Coalesce, .. } => {
            *problem = Some((
                Code::InvalidJsonata,
                "the `??` operator is JSONata 2.1; AWS evaluates JSONata 2.0.6 (use `$exists(a) ? a : b`)".into(),
            ));
        }
        AstNode::Binary { lhs, rhs, .. } => {
            visit(lhs, top, problem);
            visit(rhs, top, problem);
        }
        AstNode::Unary { operand, .. } => visit(operand, top, problem),
        AstNode::Path { steps } => {
            // The first step reads the input; the others read the step before them, and
            // predicates read each item.
            for (i, step) in steps.iter().enumerate() {
                visit(&step.node, top && i == 0, problem);
            }
        }
        AstNode::Function { args, .. } => args.iter().for_each(|arg| visit(arg, top, problem)),
        AstNode::Call { procedure, args } => {
            visit(procedure, top, problem);
            args.iter().for_each(|arg| visit(arg, top, problem));
        }
        // A function's body reads what it is called with.
        AstNode::Lambda { body, .. } => visit(body, false, problem),
        AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
            items.iter().for_each(|item| visit(item, top, problem));
        }
        AstNode::Object(pairs) => pairs.iter().for_each(|(k, v)| {
            visit(k, top, problem);
            visit(v, top, problem);
        }),
        AstNode::Conditional { condition, then_branch, else_branch } => {
            visit(condition, top, problem);
            visit(then_branch, top, problem);
            if let Some(e) = else_branch {
                visit(e, top, problem);
            }
        }
        AstNode::ObjectTransform { input, pattern } => {
            visit(input, top, problem);
            pattern.iter().for_each(|(k, v)| {
                visit(k, false, problem);
                visit(v, false, problem);
            });
        }
        AstNode::Sort { input, terms } => {
            visit(input, top, problem);
            terms.iter().for_each(|(term, _)| visit(term, false, problem));
        }
        AstNode::FunctionApplication(inner) => visit(inner, false, problem),
        AstNode::Transform { location, update, delete } => {
            for part in [Some(location), Some(update), delete.as_ref()].into_iter().flatten() {
                visit(part, false, problem);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::diagnostic::Code;

    fn code(text: &str) -> Option<Code> {
        check(text).map(|(code, _)| code)
    }

    #[test]
    fn what_aws_accepts() {
        for ok in [
            "$states.input.a[b > 1]",
            "$count < 3",
            "{'a': $states.input.b}",
            "$map($states.input, function($v){ $v.a })",
            "$states.input.items.{'n': name}",
            "$fn := function($x){$x}",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn what_aws_rejects() {
        assert_eq!(code("1 +"), Some(Code::InvalidJsonata));
        assert_eq!(code("$a ?? 1"), Some(Code::InvalidJsonata));
        assert_eq!(
            check("{'v': phone}").map(|(_, m)| m).as_deref(),
            Some("Reference to 'phone' at the top level is not supported.")
        );
        assert_eq!(code("$"), Some(Code::UnsupportedJsonata));
        assert_eq!(code("$$.a"), Some(Code::UnsupportedJsonata));
        assert_eq!(code("foo.bar + 1"), Some(Code::UnsupportedJsonata));
    }
}
