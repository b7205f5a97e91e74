//! JSONata expressions checked as AWS checks them when a state machine is created: each
//! must parse as JSONata 2.0.6 (`INVALID_JSONATA_EXPRESSION`), and may not read the
//! evaluation's input at its top level — bare field names, `$` or `$$` — because a state's
//! data is only in `$states` (`UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at
//! the top level is not supported.`, ✔AWS).
//!
//! The parser is the runtime's engine's (jsonata-core), so what compiles is what runs.
//!
//! One more check is asl-rs's own: every regular expression literal must compile the way
//! the engine compiles it when the expression runs (Rust's `regex` crate, which has no
//! look-around or back-references; JavaScript's, which AWS uses, has both). Such a
//! regex would fail every evaluation that reaches it: validation warns (AWS accepts the
//! definition) and the build fails.

use jsonata_core::ast::{AstNode, BinaryOp, Stage};

use crate::diagnostic::Code;

/// How to rewrite a regular expression the engine cannot compile.
pub(super) const REGEX_HELP: &str = "asl-rs runs JSONata regular expressions with Rust's `regex` crate, which has no \
     look-around (`(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`) and no back-references (`\\1`, `\\k<name>`): \
     match the surrounding text too and take a capture group (`/(?<=a)b/` becomes `/a(b)/` with \
     `$match($s, /a(b)/).groups[0]`; `/(?<!a)b/` becomes `/(?:^|[^a])b/`), and compare captured groups \
     with `=` instead of a back-reference";

/// What is wrong with an expression, if anything: the code, AWS's message (or ours), and
/// a help text of its own where the caller's general one would not do.
/// `in_catcher`: the expression is a Catcher's `Assign` or `Output`, where
/// `$states.errorOutput` exists (anywhere else AWS rejects it).
pub(super) fn check(text: &str, in_catcher: bool) -> Option<(Code, String, Option<&'static str>)> {
    let ast = match jsonata_core::parser::parse(text) {
        Ok(ast) => ast,
        Err(e) => {
            return Some((Code::InvalidJsonata, format!("JSONata expression '{text}' does not parse: {e}"), None));
        }
    };
    let mut problem = None;
    visit(&ast, true, &mut problem);
    if problem.is_none() && !in_catcher && reads_error_output(&ast) {
        problem = Some((
            Code::UnsupportedJsonata,
            "`$states.errorOutput` exists only in a Catcher's `Assign` and `Output`".to_owned(),
        ));
    }
    if let Some((code, message)) = problem {
        return Some((code, message, None));
    }
    unsupported_regex(&ast).map(|(literal, why)| {
        (
            Code::UnsupportedRegex,
            format!(
                "JSONata expression '{text}' uses the regular expression {literal}, which asl-rs cannot evaluate: \
                 {why} by Rust's `regex` crate (AWS evaluates JavaScript regular expressions, which support it)"
            ),
            Some(REGEX_HELP),
        )
    })
}

/// The first regular expression literal in `node` that does not compile as the engine
/// compiles it when evaluating, as written (`/…/flags`) with the reason.
fn unsupported_regex(node: &AstNode) -> Option<(String, String)> {
    if let AstNode::Regex { pattern, flags } = node
        && let Err(e) = jsonata_core::functions::string::build_regex(pattern, flags)
    {
        // The `regex` crate's message ends with `error: <what>` after a drawing of the
        // pattern; the last line is the part worth repeating.
        let message = e.to_string();
        let why = message.lines().last().unwrap_or_default().trim();
        return Some((format!("/{pattern}/{flags}"), why.strip_prefix("error: ").unwrap_or(why).to_owned()));
    }
    // Predicates are not among `children` (they are evaluated against each item), but may
    // hold a regex all the same.
    let predicates: Vec<&AstNode> = match node {
        AstNode::Path { steps } => steps
            .iter()
            .flat_map(|step| &step.stages)
            .filter_map(|stage| match stage {
                Stage::Filter(predicate) => Some(&**predicate),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    children(node).into_iter().map(|(child, _)| child).chain(predicates).find_map(unsupported_regex)
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
        _ => {
            for (child, same_input) in children(node) {
                visit(child, top && same_input, problem);
            }
        }
    }
}

/// Whether `node` reads `$states.errorOutput` anywhere (a path whose first step is the
/// variable `$states` and whose second is the field `errorOutput`).
fn reads_error_output(node: &AstNode) -> bool {
    if let AstNode::Path { steps } = node
        && let [first, second, ..] = steps.as_slice()
        && matches!(&first.node, AstNode::Variable(name) if name == "states")
        && matches!(&second.node, AstNode::Name(name) if name == "errorOutput")
    {
        return true;
    }
    children(node).into_iter().any(|(child, _)| reads_error_output(child))
}

/// The nodes directly below `node`, each with whether it is evaluated against the same
/// input as `node` (a path's first step, operands, arguments) or against a context of its
/// own (a later path step, a function body, a sort term, a transform's pattern).
pub(super) fn children(node: &AstNode) -> Vec<(&AstNode, bool)> {
    let mut out = Vec::new();
    match node {
        AstNode::Binary { lhs, rhs, .. } => out.extend([(&**lhs, true), (&**rhs, true)]),
        AstNode::Unary { operand, .. } => out.push((&**operand, true)),
        AstNode::Path { steps } => out.extend(steps.iter().enumerate().map(|(i, step)| (&step.node, i == 0))),
        AstNode::Function { args, .. } => out.extend(args.iter().map(|arg| (arg, true))),
        AstNode::Call { procedure, args } => {
            out.push((&**procedure, true));
            out.extend(args.iter().map(|arg| (arg, true)));
        }
        AstNode::Lambda { body, .. } => out.push((&**body, false)),
        AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
            out.extend(items.iter().map(|item| (item, true)));
        }
        AstNode::Object(pairs) => out.extend(pairs.iter().flat_map(|(k, v)| [(k, true), (v, true)])),
        AstNode::Conditional { condition, then_branch, else_branch } => {
            out.extend([(&**condition, true), (&**then_branch, true)]);
            out.extend(else_branch.iter().map(|e| (&**e, true)));
        }
        AstNode::ObjectTransform { input, pattern } => {
            out.push((&**input, true));
            out.extend(pattern.iter().flat_map(|(k, v)| [(k, false), (v, false)]));
        }
        AstNode::Sort { input, terms } => {
            out.push((&**input, true));
            out.extend(terms.iter().map(|(term, _)| (term, false)));
        }
        AstNode::FunctionApplication(inner) => out.push((&**inner, false)),
        AstNode::Transform { location, update, delete } => {
            out.extend([(&**location, false), (&**update, false)]);
            out.extend(delete.iter().map(|d| (&**d, false)));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
#[allow(clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::{REGEX_HELP, check};
    use crate::diagnostic::Code;

    /// The problem's code, for an expression outside a Catcher.
    fn code(text: &str) -> Option<Code> {
        check(text, false).map(|(code, ..)| code)
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
            assert_eq!(check(ok, false), None, "{ok}");
        }
    }

    #[test]
    fn what_aws_rejects() {
        assert_eq!(code("1 +"), Some(Code::InvalidJsonata));
        assert_eq!(code("$a ?? 1"), Some(Code::InvalidJsonata));
        assert_eq!(
            check("{'v': phone}", false).map(|(_, m, _)| m).as_deref(),
            Some("Reference to 'phone' at the top level is not supported.")
        );
        assert_eq!(code("$"), Some(Code::UnsupportedJsonata));
        assert_eq!(code("$$.a"), Some(Code::UnsupportedJsonata));
        assert_eq!(code("foo.bar + 1"), Some(Code::UnsupportedJsonata));
    }

    #[test]
    fn regexes_the_engine_cannot_compile() {
        for ok in
            ["$match($states.input.s, /a+(b)/i)", "$states.input.s ~> /x/", "$replace($states.input.s, /\\d/, '#')"]
        {
            assert_eq!(check(ok, false), None, "{ok}");
        }
        for (text, why) in [
            (
                "$match($states.input.s, /(?<=a)b/)",
                "look-around, including look-ahead and look-behind, is not supported",
            ),
            (
                "$contains($states.input.s, /(?!x)y/)",
                "look-around, including look-ahead and look-behind, is not supported",
            ),
            ("$replace($states.input.s, /(a)\\1/, 'x')", "backreferences are not supported"),
            ("$states.input.items[$contains(name, /(?=a)/)]", "look-around, including look-ahead and look-behind"),
            ("$map($states.input, function($v){ $split($v, /(?<!a),/) })", "look-around"),
        ] {
            let (code, message, help) = check(text, false).unwrap_or_else(|| panic!("{text} passed"));
            assert_eq!(code, Code::UnsupportedRegex, "{text}");
            assert!(message.contains(why), "{text}: {message}");
            assert!(message.contains("which asl-rs cannot evaluate"), "{message}");
            assert_eq!(help, Some(REGEX_HELP));
        }
    }

    #[test]
    fn the_error_output_is_only_a_catchers() {
        let reads = "{'why': $states.errorOutput.Cause}";
        assert_eq!(check(reads, true), None);
        assert_eq!(code(reads), Some(Code::UnsupportedJsonata));
        assert_eq!(code("$map([1], function($v){ $states.errorOutput })"), Some(Code::UnsupportedJsonata));
        assert_eq!(code("$states.input.errorOutput"), None, "a field of the input may have that name");
    }
}
