//! asl-codegen: reads Amazon States Language (ASL) workflow definitions, validates them the
//! way AWS Step Functions does when a state machine is created, lowers them to the
//! description of the machine that asl-runtime runs (asl-machine's types) and generates
//! Rust code from it.
//!
//! It is the one crate that understands ASL; `include_asl!` (asl-macros), the build.rs
//! [`Builder`] and the `asl` command are thin front-ends over it, and [`load`] gives a
//! program the same description at run time.
//!
//! The pipeline: [`Source`] → reader (`json`/`yaml`) → spanned [`node::Node`] tree →
//! [`ast`] (typed model with positions) → `validate` (all AWS create-time rules) →
//! [`lower`] (the description, resolved and index-based) → either `codegen` (the
//! description as `static` data, plus the state enums and the handler trait) or [`load`]
//! (the description in process).
//!
//! ```
//! use asl_codegen::{Source, check};
//!
//! let source = Source::new("hello.asl.json", r#"{
//!   "StartAt": "Hello",
//!   "States": { "Hello": { "Type": "Pass", "Result": "world", "End": true, "Nxt": "Done" } }
//! }"#);
//! let diagnostics = check(&source).unwrap_err();
//! let first = diagnostics.errors().next().unwrap();
//! assert_eq!(first.code.id(), "ASL102");
//! assert!(first.render_short(&source).starts_with("hello.asl.json:3:74: error[ASL102]"));
//! ```
#![deny(missing_docs)]

pub mod ast;
/// The build.rs front-end: compiles definitions into `OUT_DIR` (prost-build style).
pub mod builder;
mod codegen;
pub mod diagnostic;
mod ir;
pub mod json;
pub mod jsonata;
pub mod lower;
pub mod node;
pub mod path;
/// Rendering diagnostics as rustc-style source snippets.
pub mod render;
pub mod source;
pub mod validate;
#[cfg(feature = "yaml")]
pub mod yaml;

/// The build.rs front-end, at the crate root as prost-build and tonic-build have theirs.
pub use builder::Builder;
pub use diagnostic::{Code, Diagnostic, Diagnostics, Severity};
pub use source::{LineCol, Source, SourceFormat, Span};

/// Reads a source into the spanned tree, with the reader its format asks for.
pub fn read(source: &Source, diags: &mut Diagnostics) -> Option<node::Node> {
    match source.format() {
        SourceFormat::Json => json::parse(source.text(), diags),
        SourceFormat::Yaml => read_yaml(source, diags),
    }
}

#[cfg(feature = "yaml")]
fn read_yaml(source: &Source, diags: &mut Diagnostics) -> Option<node::Node> {
    yaml::parse(source.text(), diags)
}

#[cfg(not(feature = "yaml"))]
fn read_yaml(source: &Source, diags: &mut Diagnostics) -> Option<node::Node> {
    diags.report(
        Code::Syntax,
        "",
        Span::new(0, 0),
        format!("{} is YAML, but asl-codegen was built without its `yaml` feature", source.path().display()),
    );
    None
}

/// Reads, decodes and validates a definition of a STANDARD state machine (as
/// [`check_as`]). On success returns the decoded model and the warnings; on failure every
/// diagnostic found (errors and warnings), sorted by position.
pub fn check(source: &Source) -> Result<Checked, Diagnostics> {
    check_as(source, WorkflowType::Standard)
}

/// The two kinds of state machine AWS creates (`CreateStateMachine`'s `type`). A definition
/// valid for STANDARD may not be for EXPRESS, which cannot wait for anything outside the
/// execution (activities, `.sync`, `.waitForTaskToken`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum WorkflowType {
    /// Durable, exactly-once, up to a year (AWS's default).
    #[default]
    Standard,
    /// In memory, at-least-once, up to five minutes.
    Express,
}

impl WorkflowType {
    /// AWS's name: `STANDARD` or `EXPRESS`.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowType::Standard => "STANDARD",
            WorkflowType::Express => "EXPRESS",
        }
    }

    /// The type AWS calls `name` (exactly `STANDARD` or `EXPRESS`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "STANDARD" => Some(WorkflowType::Standard),
            "EXPRESS" => Some(WorkflowType::Express),
            _ => None,
        }
    }
}

/// Reads, decodes and validates a definition of a state machine of type `kind`, as
/// `CreateStateMachine` does. Results as [`check`].
pub fn check_as(source: &Source, kind: WorkflowType) -> Result<Checked, Diagnostics> {
    let mut diags = Diagnostics::new();
    if source.text().len() > MAX_DEFINITION_BYTES {
        diags.report(
            Code::DefinitionTooLarge,
            "",
            Span::new(0, 0),
            format!("the definition is {} bytes; AWS accepts at most {MAX_DEFINITION_BYTES}", source.text().len()),
        );
        return Err(diags);
    }
    let machine = read(source, &mut diags).and_then(|root| ast::decode(&root, &mut diags));
    if let Some(machine) = &machine {
        validate::validate(machine, kind, &mut diags);
    }
    diags.align_to(source.text());
    diags.sort();
    match machine {
        Some(machine) if !diags.has_errors() => Ok(Checked { machine, warnings: diags }),
        _ => Err(diags),
    }
}

/// AWS's limit on the size of a definition (1 MiB).
pub const MAX_DEFINITION_BYTES: usize = 1_048_576;

/// A definition that passed validation.
#[derive(Debug)]
pub struct Checked {
    /// The decoded model.
    pub machine: ast::StateMachine,
    /// Warnings (they do not make the definition invalid).
    pub warnings: Diagnostics,
}

/// Options shared by every front-end (`include_asl!`, [`Builder`], the
/// `asl` command), so the three routes cannot drift apart.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    runtime_path: Option<String>,
    task_types: Vec<TaskTypes>,
    allow_run_time_failures: bool,
}

impl Settings {
    /// Default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The path generated code uses to name the runtime crate (default `::asl_runtime`).
    /// `include_asl!` re-exported from asl-runtime passes `$crate` here, so renamed
    /// dependencies keep working.
    pub fn with_runtime_path(mut self, path: impl Into<String>) -> Self {
        self.runtime_path = Some(path.into());
        self
    }

    /// Compiles definitions that AWS creates although part of them certainly fails at run
    /// time, as AWS does: a JSONata expression that reads a variable no `Assign` sets
    /// ([`Code::UndefinedVariable`](diagnostic::Code), `States.QueryEvaluationError` at run
    /// time) and an intrinsic call whose literal arguments fail
    /// ([`Code::IntrinsicFailsAtRunTime`](diagnostic::Code), `States.IntrinsicFailure`).
    /// Without it, both are build errors; `asl validate` reports them as warnings either
    /// way. `asl test` sets it to run the recorded cases that do this on purpose;
    /// `include_asl!` takes it as `allow_run_time_failures = true`.
    pub fn allow_run_time_failures(mut self) -> Self {
        self.allow_run_time_failures = true;
        self
    }

    /// The runtime path in effect.
    pub fn runtime_path(&self) -> &str {
        self.runtime_path.as_deref().unwrap_or("::asl_runtime")
    }

    /// Makes the handler method of Task state `state` take `input` and return `output`,
    /// two Rust types written as they would be at the place the generated code is included
    /// (`"crate::Order"`, `"Vec<Shipment>"`), instead of JSON values. Tasks not named keep
    /// `serde_json::Value` in and out.
    ///
    /// The generated `Typed` deserialises the task's effective input into `input` and
    /// serialises the handler's `output`, so `input` must implement
    /// `serde::de::DeserializeOwned` and `output` `serde::Serialize` (rustc checks both).
    /// When either conversion fails the task fails with `States.TaskFailed`, which
    /// `Retry` and `Catch` see like any task error.
    ///
    /// Entries are checked against the definition when code is generated: one that names
    /// no Task state, names a state twice or holds a type that does not parse is reported
    /// in [`Generated::task_type_errors`].
    pub fn with_task_types(
        mut self,
        state: impl Into<String>,
        input: impl Into<String>,
        output: impl Into<String>,
    ) -> Self {
        self.task_types.push(TaskTypes { state: state.into(), input: input.into(), output: output.into() });
        self
    }

    /// The task types given with [`Settings::with_task_types`], in the order given.
    pub fn task_types(&self) -> &[TaskTypes] {
        &self.task_types
    }
}

/// The Rust types one Task state's handler method takes and returns (see
/// [`Settings::with_task_types`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskTypes {
    /// The Task state's name, as written in the definition.
    pub state: String,
    /// The type the task's effective input is deserialised into.
    pub input: String,
    /// The type the handler returns, serialised into the task's result.
    pub output: String,
}

/// A [`Settings::with_task_types`] entry that does not fit the definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskTypeError {
    /// The entry's position in [`Settings::task_types`], so a front-end can point at what
    /// the user wrote for it.
    pub entry: usize,
    /// What is wrong, with a "did you mean" where one fits.
    pub message: String,
}

impl std::fmt::Display for TaskTypeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A definition loaded at run time: the description of the machine, as the runtime runs
/// it (`asl_runtime::execution::run(machine.workflow, …)`), without generating code.
#[derive(Debug)]
pub struct LoadedMachine {
    /// The workflow, named after the source's file name as generated code names it. Its
    /// Task states are numbered (`TaskDef::task`) as the generated `Handlers` trait's
    /// methods would be.
    pub workflow: &'static asl_machine::machine::Workflow,
    /// Warnings found while validating.
    pub warnings: Diagnostics,
}

/// Checks a definition of a STANDARD state machine the way [`Generator::generate`] does
/// and lowers it to the description the runtime runs (as [`load_as`]).
///
/// ```
/// use asl_codegen::{Settings, Source, WorkflowType, load, load_as};
///
/// let source = Source::new("work.asl.json", r#"{"StartAt": "Work", "States": {"Work": {
///     "Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:work", "End": true
/// }}}"#);
/// let loaded = load(&source, &Settings::new()).unwrap();
/// assert_eq!(loaded.workflow.name, "work");
/// assert_eq!(loaded.workflow.containers[0].states[0].name, "Work");
/// // An EXPRESS state machine cannot wait for an activity.
/// assert!(load_as(&source, WorkflowType::Express, &Settings::new()).is_err());
/// ```
///
/// # Errors
///
/// Every diagnostic, as [`Generator::generate`] reports them.
pub fn load(source: &Source, settings: &Settings) -> Result<LoadedMachine, Diagnostics> {
    load_as(source, WorkflowType::Standard, settings)
}

/// Checks a definition of a state machine of type `kind` (as [`check_as`]; otherwise the
/// way [`Generator::generate`] does) and lowers it to the description the runtime runs:
/// what a server's `CreateStateMachine` calls, so a definition loaded at run time runs on
/// the same engine, from the same lowering, as a compiled one.
/// [`Settings::allow_run_time_failures`] applies as it does to generation; the other
/// settings only concern generated code.
///
/// The description holds `&'static` references, so it is leaked: each call keeps its
/// machine's description (about the size of the definition) for the rest of the process.
/// That is fine for a process that loads a few definitions; a server that loads many over a
/// long life will want the arena that "Leaking" in the [`lower`] module's documentation
/// describes (a note for later).
///
/// # Errors
///
/// Every diagnostic, as [`Generator::generate`] reports them.
pub fn load_as(source: &Source, kind: WorkflowType, settings: &Settings) -> Result<LoadedMachine, Diagnostics> {
    let (machine, warnings) = check_and_lower(source, kind, settings)?;
    Ok(LoadedMachine { workflow: machine.workflow, warnings })
}

/// Checks a definition for running on asl-rs's engine and lowers it; on success, also the
/// warnings.
fn check_and_lower(
    source: &Source,
    kind: WorkflowType,
    settings: &Settings,
) -> Result<(ir::Machine, Diagnostics), Diagnostics> {
    let checked = check_as(source, kind)?;
    let cannot_run = |d: &&Diagnostic| d.code == diagnostic::Code::UnsupportedRegex;
    if checked.warnings.iter().any(|d| cannot_run(&d)) {
        // AWS runs it; asl-rs's engine cannot, so no setting lets it through.
        let mut errors = Diagnostics::new();
        for d in checked.warnings.iter().filter(cannot_run) {
            errors.push(Diagnostic { severity: diagnostic::Severity::Error, ..d.clone() });
        }
        return Err(errors);
    }
    let fails_at_run_time = |d: &&Diagnostic| {
        matches!(d.code, diagnostic::Code::UndefinedVariable | diagnostic::Code::IntrinsicFailsAtRunTime)
    };
    if !settings.allow_run_time_failures && checked.warnings.iter().any(|d| fails_at_run_time(&d)) {
        // AWS's acceptance, asl-rs's error: a variable nothing assigns cannot be read, a
        // call whose arguments are wrong cannot succeed.
        let mut errors = Diagnostics::new();
        for d in checked.warnings.iter().filter(fails_at_run_time) {
            errors.push(Diagnostic { severity: diagnostic::Severity::Error, ..d.clone() });
        }
        return Err(errors);
    }
    let machine = lower::lower(&checked.machine, &lower::workflow_name(source.path()))?;
    Ok((machine, checked.warnings))
}

/// Turns validated definitions into Rust items.
#[derive(Clone, Debug)]
pub struct Generator {
    settings: Settings,
}

/// Generated items for one definition, plus the warnings found on the way.
#[derive(Debug)]
pub struct Generated {
    /// The Rust items (not wrapped in a module: callers choose where they go).
    pub tokens: proc_macro2::TokenStream,
    /// Warnings found while validating.
    pub warnings: Diagnostics,
    /// Task-type settings that do not fit the definition (empty when all do). Each is also
    /// a `compile_error!` in `tokens`, so code written out regardless does not compile;
    /// front-ends report these where the user wrote the entry instead.
    pub task_type_errors: Vec<TaskTypeError>,
}

impl Generated {
    /// The generated items pretty-printed with prettyplease (what `asl expand` prints and
    /// the Builder writes). Fails only if the generator produced tokens that are not a
    /// valid Rust file, which is a bug in the generator.
    #[cfg(feature = "format")]
    pub fn to_pretty_string(&self) -> Result<String, syn::Error> {
        syn::parse2::<syn::File>(self.tokens.clone()).map(|file| prettyplease::unparse(&file))
    }
}

impl Generator {
    /// A generator with the given settings.
    pub fn new(settings: &Settings) -> Self {
        Generator { settings: settings.clone() }
    }

    /// Checks a definition and generates its Rust items, or returns every diagnostic.
    pub fn generate(&self, source: &Source) -> Result<Generated, Diagnostics> {
        let (machine, warnings) = check_and_lower(source, WorkflowType::Standard, &self.settings)?;
        let (tokens, task_type_errors) = codegen::generate(&machine, &self.settings);
        Ok(Generated { tokens, warnings, task_type_errors })
    }

    /// What to emit after a `compile_error!` for an invalid definition: the same public
    /// items with no states, so the caller sees our error and not a cascade of
    /// "cannot find type" errors.
    pub fn fallback(&self) -> proc_macro2::TokenStream {
        codegen::fallback(&self.settings)
    }
}
