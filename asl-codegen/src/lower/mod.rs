//! Validated model → the description of the machine (asl-machine's types): the one
//! lowering both routes use. Code generation emits its result as `static` data
//! (`asl_machine::emit`); [`crate::load`] hands it to the runtime in process.
//!
//! It resolves state names to indices, applies defaults, parses every string that has
//! syntax, numbers the handler methods of the Task states, notes which states read the
//! context object and what the runtime cannot run yet.
//!
//! # Leaking
//!
//! The description's types hold `&'static` data, because a compiled workflow keeps them in
//! `static`s. A description built in a process (the proc macro, a build script, `asl`, a
//! server loading a definition) therefore leaks its parts: they live until the process
//! ends. That is right for the compiler's own processes, which describe a definition once
//! and exit; rust-analyzer's long-lived proc-macro server is the exception, leaking one
//! description per expansion. For a server it costs about the size of each loaded
//! definition, for as long as the process runs. An arena per loaded definition would bound
//! it (a note for later); every allocation goes through the private `leak` module, so that
//! change stays there.
//!
//! Lowering runs only on definitions that passed validation, so every lookup is expected
//! to succeed. It still never panics: anything unexpected becomes a diagnostic at the
//! offending field, so a gap in validation surfaces as a clear error instead of a crash.
//!
//! The public functions lower one field written as text (a path, a template, an intrinsic
//! call, a JSONata expression) the way a whole definition's fields are lowered; the
//! runtime's tests build the values they evaluate with them, so they run exactly what a
//! compiled workflow holds.

mod distributed;
mod fields;
pub(crate) mod leak;
mod states;

use std::collections::HashMap;

use asl_machine::dataflow::PathField;
use asl_machine::intrinsics::Call;
use asl_machine::jsonata::Expression;
use asl_machine::machine::{ContainerDef, JSONATA, JsonataDef, Next, StateDef, StateKind, Workflow};
use asl_machine::path::{Literal, Path};
use asl_machine::template::Template;
use serde_json::Value;

use crate::ast::{self, QueryLanguage, Spanned};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::ir::{Container, ContainerId, Machine, Owner, StateId};
use crate::path::{DollarValue, PathError, parse_dollar_value, parse_intrinsic, parse_path};
use leak::{leak, leak_slice, leak_str};

/// A path as written (`$.a[0]`, `$$.Execution.Input`, `$var.x`), lowered.
///
/// # Errors
///
/// Why the path does not parse.
pub fn path(text: &str) -> Result<&'static Path, PathError> {
    let parsed = parse_path(text)?;
    Ok(leak(Lowerer::new(QueryLanguage::JsonPath).describe_path(&parsed)))
}

/// A `"key.$"` value as written: a path or an intrinsic function call.
///
/// # Errors
///
/// Why it does not parse (a call's arguments are checked as validation checks them).
pub fn dollar_value(text: &str) -> Result<Template, PathError> {
    let mut lowerer = Lowerer::new(QueryLanguage::JsonPath);
    Ok(match parse_dollar_value(text)? {
        DollarValue::Path(path) => Template::Path(leak(lowerer.describe_path(&path))),
        DollarValue::Intrinsic(call) => Template::Intrinsic(lowerer.intrinsic(&call, text)),
    })
}

/// An intrinsic function call as written (`States.Format('{}', $.x)`), lowered.
///
/// # Errors
///
/// Why it does not parse, including the argument counts and literal argument types that
/// can be checked before run time.
pub fn intrinsic(text: &str) -> Result<&'static Call, PathError> {
    let call = parse_intrinsic(text)?;
    Ok(Lowerer::new(QueryLanguage::JsonPath).intrinsic(&call, text))
}

/// A payload template as written (`{"a.$": "$.x", "b": 1}` in JSONPath, `{"a": "{% $x %}"}`
/// in JSONata), lowered and folded: every part with nothing to compute below it is one
/// literal.
///
/// # Errors
///
/// What does not parse, as diagnostics pointing into `value`.
pub fn template(value: &Value, query_language: QueryLanguage) -> Result<&'static Template, Diagnostics> {
    let mut diags = Diagnostics::new();
    let Some(node) = crate::json::parse(&value.to_string(), &mut diags) else { return Err(diags) };
    let mut lowerer = Lowerer::new(query_language);
    let template = lowerer.template_node(&node, "", query_language == QueryLanguage::Jsonata);
    match lowerer.diags.has_errors() {
        true => Err(lowerer.diags),
        false => Ok(leak(template)),
    }
}

/// A constant as the description holds it.
pub fn literal(value: &Value) -> Literal {
    fields::literal(value)
}

/// A JSONata expression (the text between `{%` and `%}`), with the plan the runtime
/// evaluates instead of the engine when the expression has one.
pub fn expression(text: &str) -> &'static Expression {
    Lowerer::new(QueryLanguage::Jsonata).expression(text)
}

/// Endings removed from a definition's file name to name the workflow, longest first
/// (the same list the `Builder` strips to name its output file).
const STRIPPED_SUFFIXES: &[&str] = &[".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml"];

/// The workflow's name: the definition's file name without its suffix
/// (`flows/order-flow.asl.json` → `order-flow`). Kept as written, not made an identifier:
/// it is what `$$.StateMachine.Name` shows.
pub(crate) fn workflow_name(path: &std::path::Path) -> String {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lower = file_name.to_ascii_lowercase();
    STRIPPED_SUFFIXES
        .iter()
        .find(|suffix| lower.ends_with(*suffix) && lower.len() > suffix.len())
        .and_then(|suffix| file_name.get(..file_name.len() - suffix.len()))
        .unwrap_or(&file_name)
        .to_string()
}

/// Lowers a validated definition into the description of workflow `name`.
pub(crate) fn lower(machine: &ast::StateMachine, name: &str) -> Result<Machine, Diagnostics> {
    let query_language = machine.query_language.as_ref().map_or(QueryLanguage::JsonPath, |q| q.value);
    let mut lowerer = Lowerer::new(query_language);
    lowerer.container(machine, None);
    let Lowerer { containers, layout, tasks, diags, .. } = lowerer;
    if diags.has_errors() {
        return Err(diags);
    }
    let workflow = Workflow {
        name: leak_str(name),
        containers: leak_slice(containers),
        timeout_seconds: machine.timeout_seconds.as_ref().and_then(|t| t.value.as_u64()),
        // Every workflow that compiles runs: the runtime has every feature of ASL (the field
        // stays for the generated code's `UNSUPPORTED`, which says so).
        unsupported: None,
    };
    Ok(Machine { workflow: leak(workflow), containers: layout, tasks })
}

struct Lowerer {
    top_query_language: QueryLanguage,
    /// Each container's description, filled in when its states are done (nested containers
    /// are lowered while their owner's state is, so a slot is reserved first and ids follow
    /// depth-first order).
    containers: Vec<ContainerDef>,
    /// Where each container stands.
    layout: Vec<Container>,
    /// The Task states with handler methods, in the order they are numbered.
    tasks: Vec<(ContainerId, StateId)>,
    /// Whether anything lowered since the state being lowered began reads the context
    /// object (`$$` paths, `$states.context`).
    reads_context: bool,
    diags: Diagnostics,
}

/// State name → index within one container.
type Names<'a> = HashMap<&'a str, StateId>;

impl Lowerer {
    fn new(top_query_language: QueryLanguage) -> Self {
        Lowerer {
            top_query_language,
            containers: Vec::new(),
            layout: Vec::new(),
            tasks: Vec::new(),
            reads_context: false,
            diags: Diagnostics::new(),
        }
    }

    fn internal(&mut self, pointer: &str, span: crate::Span, what: String) {
        self.diags.push(
            Diagnostic::new(Code::WrongType, pointer, span, format!("cannot compile this field: {what}"))
                .with_note("validation should have reported this; please file a bug with this definition"),
        );
    }

    /// A container or state index as the description holds it. AWS's size limit keeps a
    /// definition far below `u16::MAX` states.
    fn index(&mut self, i: usize, pointer: &str, span: crate::Span) -> u16 {
        u16::try_from(i).unwrap_or_else(|_| {
            self.internal(
                pointer,
                span,
                format!("index {i} is beyond the {} states or containers asl-rs can hold", u16::MAX),
            );
            0
        })
    }

    /// Lowers one container and (recursively) the containers nested in its states.
    fn container(&mut self, machine: &ast::StateMachine, owner: Option<Owner>) -> ContainerId {
        let id = ContainerId(self.containers.len());
        self.containers.push(ContainerDef { states: &[], start: 0 });
        self.layout.push(Container { kind: machine.kind, owner });
        let names: Names<'_> =
            machine.states().iter().enumerate().map(|(i, s)| (s.name.value.as_str(), StateId(i))).collect();
        let start = match &machine.start_at {
            Some(s) => self.target(&names, s),
            None => 0,
        };
        let states: Vec<StateDef> =
            machine.states().iter().enumerate().map(|(i, s)| self.state(s, &names, id, StateId(i))).collect();
        if let Some(slot) = self.containers.get_mut(id.0) {
            *slot = ContainerDef { states: leak_slice(states), start };
        }
        id
    }

    /// The index of the state a `Next`, `Default` or `StartAt` names.
    fn target(&mut self, names: &Names<'_>, name: &Spanned<String>) -> u16 {
        match names.get(name.value.as_str()) {
            Some(id) => self.index(id.0, &name.pointer, name.span),
            None => {
                self.internal(&name.pointer, name.span, format!("no state named `{}` here", name.value));
                0
            }
        }
    }

    fn state(&mut self, s: &ast::State, names: &Names<'_>, container: ContainerId, id: StateId) -> StateDef {
        let query_language = s.query_language.as_ref().map_or(self.top_query_language, |q| q.value);
        let jsonata = query_language == QueryLanguage::Jsonata;
        // Nested containers are lowered inside this state: keep the outer state's marks.
        let outer_reads_context = std::mem::take(&mut self.reads_context);
        let next = match (&s.next, &s.end) {
            (Some(next), _) => Next::State(self.target(names, next)),
            (None, Some(_)) => Next::End,
            (None, None) if s.ty() == Some(ast::StateType::Succeed) => Next::End,
            (None, None) => Next::None,
        };
        let assign = s.assign.as_ref().map(|t| self.template(t, jsonata));
        let kind = self.kind(s, names, container, id, jsonata);
        let jsonata = jsonata.then(|| self.jsonata(s));
        let reads_context = std::mem::replace(&mut self.reads_context, outer_reads_context);
        StateDef { name: leak_str(&s.name.value), next, reads_context, assign, jsonata, kind }
    }

    /// What a JSONata state has instead of the JSONPath data-flow fields.
    fn jsonata(&mut self, s: &ast::State) -> &'static JsonataDef {
        if s.arguments.is_none() && s.output.is_none() {
            return &JSONATA;
        }
        let arguments = s.arguments.as_ref().map(|t| self.template(t, true));
        let output = s.output.as_ref().map(|t| self.template(t, true));
        leak(JsonataDef { arguments, output })
    }

    fn kind(
        &mut self,
        s: &ast::State,
        names: &Names<'_>,
        container: ContainerId,
        id: StateId,
        jsonata: bool,
    ) -> StateKind {
        // Choice, Wait and Succeed have only these two of the data-flow fields.
        let paths = |lowerer: &mut Self| {
            (lowerer.path_field(s.input_path.as_ref(), false), lowerer.path_field(s.output_path.as_ref(), false))
        };
        match s.ty() {
            Some(ast::StateType::Pass) => StateKind::Pass {
                io: self.io(s, jsonata),
                result: s.result.as_ref().map(|r| leak(fields::literal(&r.value.to_json()))),
            },
            Some(ast::StateType::Task) => StateKind::Task(self.task(s, names, container, id, jsonata)),
            Some(ast::StateType::Choice) => {
                let (input_path, output_path) = paths(self);
                self.choice(s, names, jsonata, input_path, output_path)
            }
            Some(ast::StateType::Wait) => {
                let (input_path, output_path) = paths(self);
                StateKind::Wait { input_path, output_path, until: self.wait(s) }
            }
            Some(ast::StateType::Succeed) => {
                let (input_path, output_path) = paths(self);
                StateKind::Succeed { input_path, output_path }
            }
            Some(ast::StateType::Fail) => StateKind::Fail {
                error: self.fail_text(s.error.as_ref(), s.error_path.as_ref()),
                cause: self.fail_text(s.cause.as_ref(), s.cause_path.as_ref()),
            },
            Some(ast::StateType::Parallel) => {
                let io = self.io(s, jsonata);
                let branches = s.branches.as_ref().map_or(&[][..], |b| &b.value[..]);
                let branches: Vec<u16> = branches
                    .iter()
                    .enumerate()
                    .map(|(index, b)| {
                        let branch = self.container(b, Some(Owner { container, state: id, index }));
                        self.index(branch.0, &b.pointer, b.span)
                    })
                    .collect();
                StateKind::Parallel { io, branches: leak_slice(branches), recovery: self.recovery(s, names, jsonata) }
            }
            Some(ast::StateType::Map) => StateKind::Map(self.map(s, names, container, id, jsonata)),
            None => {
                self.internal(&s.pointer, s.name.span, "the state has no valid `Type`".into());
                StateKind::Succeed { input_path: PathField::Default, output_path: PathField::Default }
            }
        }
    }
}

/// The expression inside `{% … %}`, if `text` is one.
pub(crate) fn jsonata_expression(text: &str) -> Option<&str> {
    text.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

#[cfg(test)]
mod tests;
