//! Evaluating an expression with the engine (jsonata-core), for what no plan covers.
//!
//! The engine works on its own value type, so the state's data must be converted, and
//! that conversion was most of an evaluation's cost. Two things keep it small:
//!
//! - **Only what the expression reads.** Its tree says which variables it names and, for
//!   each, how far a chain of field names reaches into it (`$states.input.order.id`
//!   reads `input.order.id` and nothing else of `$states`), so only those parts are
//!   converted ([`Reads`], found once per process when the expression is parsed). A value
//!   read whole (passed to a function, filtered, walked with `*` or `%`) is converted
//!   whole.
//! - **Once per state.** A member of `$states` or a variable read whole is converted on
//!   first use and kept in the [`super::Scope`], which lives for one state, so its
//!   `Assign` and `Output` share it.
//!
//! Each evaluation still gets an evaluator of its own: the engine offers no way to change
//! the bindings of an existing one (its context is private), and its values are not
//! `Send`. What it costs is kept down by registering only the functions the expression
//! names among those AWS adds or replaces ([`FUNCTIONS`]).

use std::rc::Rc;

use jsonata_core::ast::{AstNode, PathStep, Stage, UnaryOp};
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorError, EvaluatorOptions};
use jsonata_core::value::{JArray, JMap, JValue};
use serde_json::Value;

use super::{Scope, functions};

/// How deep an evaluation may nest. AWS fails "~200-deep recursion" with a stack overflow;
/// a bound well above it keeps a runaway recursion from taking the thread's stack.
const MAX_STACK_DEPTH: usize = 2_000;

/// The functions the runtime registers with the engine: AWS's additions and
/// replacements, and the clock functions that read the execution's clock. An expression
/// can only reach one by naming it (`$eval`, which could name one in a string, is among
/// those replaced), so those it does not name are not registered.
pub(super) const FUNCTIONS: [&str; 9] =
    ["partition", "range", "hash", "uuid", "parse", "random", "eval", "now", "millis"];

/// An expression's tree and what it reads, computed once per process.
pub(super) struct Parsed {
    /// The tree the engine evaluates.
    pub(super) ast: AstNode,
    /// What of the scope it reads.
    pub(super) reads: Reads,
}

/// What of a scope an expression reads.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Reads {
    /// `$states`, if it is read.
    pub(super) states: Option<Projection>,
    /// The variables it names, in order of first mention.
    pub(super) variables: Vec<(String, Projection)>,
    /// The names of [`FUNCTIONS`] it mentions.
    pub(super) functions: Vec<&'static str>,
}

/// What of a value an expression reads.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Projection {
    /// All of it.
    Whole,
    /// Only these members of an object (and of each object in an array, at any depth,
    /// which is how a path step reads an array); anything else is read whole.
    Fields(Vec<(String, Projection)>),
}

impl Parsed {
    /// The tree of `ast` and what it reads.
    pub(super) fn new(ast: AstNode) -> Self {
        let mut reads = Reads::default();
        let mut parent = false;
        visit(&ast, &mut reads, &mut parent);
        if parent {
            // `%` reads the objects a path went through, members it did not name included.
            if let Some(states) = &mut reads.states {
                *states = Projection::Whole;
            }
            reads.variables.iter_mut().for_each(|(_, projection)| *projection = Projection::Whole);
        }
        Parsed { ast, reads }
    }
}

/// Evaluates `ast` with `scope`'s data bound as `reads` says the expression reads it.
pub(super) fn evaluate(ast: &AstNode, reads: &Reads, scope: &Scope<'_>) -> Result<JValue, EvaluatorError> {
    let mut context = Context::new();
    if let Some(projection) = &reads.states {
        context.bind("states".into(), scope.states_value(projection));
    }
    for (name, projection) in &reads.variables {
        if let Some(value) = scope.variables.get(name) {
            context.bind(name.clone(), scope.variable_value(name, value, projection));
        }
    }
    // A variable named `states` hides the state's data, as it did when all were bound.
    if reads.states.is_some()
        && let Some(value) = scope.variables.get("states")
    {
        context.bind("states".into(), scope.variable_value("states", value, &Projection::Whole));
    }
    let options = EvaluatorOptions { max_stack_depth: Some(MAX_STACK_DEPTH), ..EvaluatorOptions::default() };
    let mut evaluator = Evaluator::with_options(context, options);
    let named = |name: &str| reads.functions.contains(&name);
    functions::register(&mut evaluator, named);
    if let Some(now) = scope.now
        && (named("now") || named("millis"))
    {
        functions::register_clock(&mut evaluator, now);
    }
    evaluator.evaluate(ast, &JValue::Undefined)
}

/// The engine's value of a JSON value, as the engine's own `From<Value>` makes it, without
/// first copying the JSON.
pub(super) fn to_jvalue(json: &Value) -> JValue {
    match json {
        Value::Null => JValue::Null,
        Value::Bool(b) => JValue::Bool(*b),
        Value::Number(n) => JValue::Number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => JValue::String(s.as_str().into()),
        Value::Array(items) => array(items, to_jvalue),
        Value::Object(members) => {
            JValue::Object(Rc::new(members.iter().map(|(k, v)| (k.clone(), to_jvalue(v))).collect::<JMap>()))
        }
    }
}

/// The engine's value of the parts of `json` that `projection` names.
pub(super) fn project(json: &Value, projection: &Projection) -> JValue {
    match (projection, json) {
        (Projection::Whole, _) => to_jvalue(json),
        (Projection::Fields(fields), Value::Object(members)) => JValue::Object(Rc::new(
            fields
                .iter()
                .filter_map(|(name, sub)| members.get(name).map(|member| (name.clone(), project(member, sub))))
                .collect::<JMap>(),
        )),
        (Projection::Fields(_), Value::Array(items)) => array(items, |item| project(item, projection)),
        (Projection::Fields(_), scalar) => to_jvalue(scalar),
    }
}

/// An engine array of `items` converted by `convert`, flagged as holding no arrays when it
/// does not (the engine's shortcut for path steps).
fn array(items: &[Value], convert: impl Fn(&Value) -> JValue) -> JValue {
    let flat = !items.iter().any(Value::is_array);
    JValue::Array(JArray::new_flat(items.iter().map(convert).collect(), flat))
}

/// Records what `node` reads; `parent` is set where it uses `%`.
fn visit(node: &AstNode, reads: &mut Reads, parent: &mut bool) {
    // Trees nest as deep as the parser allows; the engine's helper moves to a new stack
    // segment when this one runs low, as the engine's own tree walks do.
    jsonata_core::value::with_stack(|| visit_node(node, reads, parent));
}

fn visit_node(node: &AstNode, reads: &mut Reads, parent: &mut bool) {
    // Every variant is listed, so a new one in the engine must be considered here.
    match node {
        AstNode::String(_)
        | AstNode::Name(_)
        | AstNode::Number(_)
        | AstNode::Boolean(_)
        | AstNode::Null
        | AstNode::Undefined
        | AstNode::Placeholder
        | AstNode::Regex { .. }
        | AstNode::ParentVariable(_)
        | AstNode::Wildcard
        | AstNode::Descendant => {}
        AstNode::Parent(_) => *parent = true,
        AstNode::Variable(name) => reads.read(name, &[]),
        AstNode::Path { steps } => visit_path(steps, reads, parent),
        AstNode::Binary { lhs, rhs, .. } => {
            visit(lhs, reads, parent);
            visit(rhs, reads, parent);
        }
        AstNode::Unary { operand, .. } => visit(operand, reads, parent),
        AstNode::Function { name, args, .. } => {
            // `$name(…)` calls a variable of that name if there is one.
            reads.read(name, &[]);
            args.iter().for_each(|arg| visit(arg, reads, parent));
        }
        AstNode::Call { procedure, args } => {
            visit(procedure, reads, parent);
            args.iter().for_each(|arg| visit(arg, reads, parent));
        }
        AstNode::Lambda { body, .. } => visit(body, reads, parent),
        AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
            items.iter().for_each(|item| visit(item, reads, parent));
        }
        AstNode::Object(pairs) => pairs.iter().for_each(|(k, v)| {
            visit(k, reads, parent);
            visit(v, reads, parent);
        }),
        AstNode::ObjectTransform { input, pattern } => {
            visit(input, reads, parent);
            pattern.iter().for_each(|(k, v)| {
                visit(k, reads, parent);
                visit(v, reads, parent);
            });
        }
        AstNode::Conditional { condition, then_branch, else_branch } => {
            visit(condition, reads, parent);
            visit(then_branch, reads, parent);
            if let Some(e) = else_branch {
                visit(e, reads, parent);
            }
        }
        AstNode::FunctionApplication(inner) => visit(inner, reads, parent),
        AstNode::Sort { input, terms } => {
            visit(input, reads, parent);
            terms.iter().for_each(|(term, _)| visit(term, reads, parent));
        }
        AstNode::Transform { location, update, delete } => {
            visit(location, reads, parent);
            visit(update, reads, parent);
            if let Some(d) = delete {
                visit(d, reads, parent);
            }
        }
    }
}

/// A path: when it starts with a variable, the field names that follow it directly are
/// all it reads of the variable (constant indexes on the way pick items by position,
/// which projecting every item keeps). Whatever comes after them reads the value there
/// whole.
fn visit_path(steps: &[PathStep], reads: &mut Reads, parent: &mut bool) {
    let mut rest = 0;
    if let Some(first) = steps.first()
        && let AstNode::Variable(name) = &first.node
        && !name.is_empty()
    {
        let mut chain = Vec::new();
        rest = 1;
        if plain(first) && positional(&first.stages) {
            for step in &steps[1..] {
                let AstNode::Name(field) = &step.node else { break };
                if !plain(step) {
                    break;
                }
                chain.push(field.as_str());
                rest += 1;
                if !positional(&step.stages) {
                    break;
                }
            }
        }
        reads.read(name, &chain);
    }
    for (i, step) in steps.iter().enumerate() {
        if i >= rest {
            visit(&step.node, reads, parent);
        }
        for stage in &step.stages {
            if let Stage::Filter(predicate) = stage {
                visit(predicate, reads, parent);
            }
        }
    }
}

/// A step with no bindings (`@$v`, `#$i`) and no tuple-stream role.
fn plain(step: &PathStep) -> bool {
    step.focus.is_none()
        && step.index_var.is_none()
        && step.ancestor_label.is_none()
        && !step.is_tuple
        && !step.inner_tuple
}

/// Stages that only pick items by a constant position (`[0]`, `[-1]`).
fn positional(stages: &[Stage]) -> bool {
    stages.iter().all(|stage| match stage {
        Stage::Filter(predicate) => match &**predicate {
            AstNode::Number(_) => true,
            AstNode::Unary { op: UnaryOp::Negate, operand } => matches!(**operand, AstNode::Number(_)),
            _ => false,
        },
        _ => false,
    })
}

impl Reads {
    /// Reads of everything in a scope with `variables`, every function registered: how
    /// every expression was evaluated before reads were worked out, which the tests
    /// compare with.
    #[cfg(test)]
    pub(super) fn everything(variables: &serde_json::Map<String, Value>) -> Self {
        Reads {
            states: Some(Projection::Whole),
            variables: variables.keys().map(|name| (name.clone(), Projection::Whole)).collect(),
            functions: FUNCTIONS.to_vec(),
        }
    }

    /// Records that the expression reads `chain` of variable `name` (all of it when the
    /// chain is empty).
    fn read(&mut self, name: &str, chain: &[&str]) {
        if let Some(function) = FUNCTIONS.iter().find(|f| **f == name)
            && !self.functions.contains(function)
        {
            self.functions.push(function);
        }
        if name.is_empty() {
            return;
        }
        if name == "states" {
            match &mut self.states {
                Some(projection) => projection.merge(chain),
                None => self.states = Some(Projection::of(chain)),
            }
            return;
        }
        match self.variables.iter_mut().find(|(n, _)| n == name) {
            Some((_, projection)) => projection.merge(chain),
            None => self.variables.push((name.to_owned(), Projection::of(chain))),
        }
    }
}

impl Projection {
    /// What reading `chain` reads.
    fn of(chain: &[&str]) -> Self {
        match chain.split_first() {
            None => Projection::Whole,
            Some((field, rest)) => Projection::Fields(vec![((*field).to_owned(), Projection::of(rest))]),
        }
    }

    /// Adds what reading `chain` reads.
    fn merge(&mut self, chain: &[&str]) {
        let Projection::Fields(fields) = self else { return };
        let Some((field, rest)) = chain.split_first() else {
            *self = Projection::Whole;
            return;
        };
        match fields.iter_mut().find(|(name, _)| name == field) {
            Some((_, sub)) => sub.merge(rest),
            None => fields.push(((*field).to_owned(), Projection::of(rest))),
        }
    }
}
