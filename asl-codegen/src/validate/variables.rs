//! Workflow variables at build time: which names the definition's `Assign`s set, and which
//! variables a JSONata expression reads that none of them sets.
//!
//! AWS accepts a definition whose expression reads a never-assigned variable and fails the
//! execution when it gets there (six recorded cases,
//! `assign-reference-variables-undefined-reference-*`). asl-rs reports it when the crate
//! builds instead (see [`Code::UndefinedVariable`](crate::diagnostic::Code)).
//!
//! The check is deliberately generous, so that it never refuses a working definition: a
//! variable counts as set if any `Assign` anywhere in the definition sets it (AWS's scopes
//! are finer: a Parallel branch's variables end with it), and names an expression binds
//! itself (`$x := …`, function parameters) and JSONata's and AWS's functions are never
//! reported.

use std::collections::{BTreeSet, HashSet};

use jsonata_core::ast::{AstNode, BinaryOp};

use super::walk;
use crate::ast::StateMachine;
use crate::node::{Node, NodeValue};

/// The functions of JSONata 2.0 and the ones AWS adds: `$name` may read them as values
/// (`$map($states.input, $string)`) without any `Assign`.
const FUNCTIONS: &[&str] = &[
    "abs",
    "append",
    "assert",
    "average",
    "base64decode",
    "base64encode",
    "boolean",
    "ceil",
    "contains",
    "count",
    "decodeUrl",
    "decodeUrlComponent",
    "distinct",
    "each",
    "encodeUrl",
    "encodeUrlComponent",
    "error",
    "eval",
    "exists",
    "filter",
    "floor",
    "formatBase",
    "formatInteger",
    "formatNumber",
    "fromMillis",
    "join",
    "keys",
    "length",
    "lookup",
    "lowercase",
    "map",
    "match",
    "max",
    "merge",
    "millis",
    "min",
    "not",
    "now",
    "number",
    "pad",
    "parseInteger",
    "power",
    "random",
    "reduce",
    "replace",
    "reverse",
    "round",
    "shuffle",
    "sift",
    "single",
    "sort",
    "split",
    "spread",
    "sqrt",
    "string",
    "substring",
    "substringAfter",
    "substringBefore",
    "sum",
    "toMillis",
    "trim",
    "type",
    "uppercase",
    "zip", // AWS's additions:
    "partition",
    "range",
    "hash",
    "uuid",
    "parse",
];

/// Every variable name an `Assign` of `machine` sets, in any state, Choice rule or
/// Catcher, nested containers included (JSONPath `key.$` counts as `key`).
pub(super) fn assigned(machine: &StateMachine) -> HashSet<String> {
    let mut names = HashSet::new();
    walk(machine, &mut |state| {
        let rules = state.choices.iter().flat_map(|c| c.value.iter()).filter_map(|rule| rule.assign.as_ref());
        let catchers = state.catch.iter().flat_map(|c| c.value.iter()).filter_map(|catcher| catcher.assign.as_ref());
        for assign in state.assign.iter().chain(rules).chain(catchers) {
            add_keys(&assign.value, &mut names);
        }
    });
    names
}

fn add_keys(node: &Node, names: &mut HashSet<String>) {
    if let NodeValue::Object(members) = &node.value {
        for member in members {
            names.insert(member.key.strip_suffix(".$").unwrap_or(&member.key).to_owned());
        }
    }
}

/// The variables the JSONata expression `text` reads that are neither in `assigned`, nor
/// bound by the expression itself, nor functions; sorted, each once. Nothing for an
/// expression that does not parse (its own diagnostic says so).
pub(super) fn unknown(text: &str, assigned: &HashSet<String>) -> Vec<String> {
    let Ok(ast) = jsonata_core::parser::parse(text) else { return Vec::new() };
    let mut read = BTreeSet::new();
    let mut bound = HashSet::new();
    collect(&ast, &mut read, &mut bound);
    read.into_iter()
        .filter(|name| {
            !name.is_empty()
                && name != "states"
                && !assigned.contains(name)
                && !bound.contains(name)
                && !FUNCTIONS.contains(&name.as_str())
        })
        .collect()
}

/// Records the variables `node` reads (`$name`, `$name(…)`) and the names it binds.
fn collect(node: &AstNode, read: &mut BTreeSet<String>, bound: &mut HashSet<String>) {
    match node {
        AstNode::Variable(name) => {
            read.insert(name.clone());
        }
        AstNode::Function { name, is_builtin: true, .. } => {
            read.insert(name.clone());
        }
        AstNode::Binary { op: BinaryOp::ColonEqual, lhs, .. } => {
            if let AstNode::Variable(name) = &**lhs {
                bound.insert(name.clone());
            }
        }
        AstNode::Lambda { params, .. } => bound.extend(params.iter().cloned()),
        _ => {}
    }
    if let AstNode::Path { steps } = node {
        for step in steps {
            // `@$v` and `#$i` bind names for the rest of the path.
            bound.extend(step.focus.iter().cloned());
            bound.extend(step.index_var.iter().cloned());
        }
    }
    for (child, _) in super::jsonata::children(node) {
        collect(child, read, bound);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown_in(text: &str, assigned: &[&str]) -> Vec<String> {
        let assigned = assigned.iter().map(|s| (*s).to_owned()).collect();
        unknown(text, &assigned)
    }

    #[test]
    fn reports_only_names_nothing_sets() {
        assert_eq!(unknown_in("$doesNotExist", &[]), ["doesNotExist"]);
        assert_eq!(unknown_in("$count + $total", &["total"]), Vec::<String>::new(), "$count is a function");
        assert_eq!(unknown_in("$a + $b + $a", &["b"]), ["a"]);
        assert!(unknown_in("$states.input.x", &[]).is_empty());
    }

    #[test]
    fn names_an_expression_binds_are_not_variables() {
        assert!(unknown_in("($x := 1; $x + 1)", &[]).is_empty());
        assert!(unknown_in("$map([1, 2], function($v, $i) { $v + $i })", &[]).is_empty());
        assert!(unknown_in("$map($states.input, $string)", &[]).is_empty());
        assert_eq!(unknown_in("$helper(1)", &[]), ["helper"]);
        assert!(unknown_in("($helper := function($n) { $n }; $helper(1))", &[]).is_empty());
    }
}
