//! The description of a workflow: what generated code declares (as `static` data), what
//! `asl_codegen::load` builds in process, and what asl-runtime's driver walks.
//!
//! A workflow is a list of containers — index 0 is the top level, then every Parallel
//! branch and Map processor in depth-first order — each a list of states. Transitions are
//! indices into the state's own container (ASL forbids transitions across containers), so
//! moving from one state to the next never looks a name up. Names are kept only for
//! history, errors and the context object.

use crate::choice::Rule;
use crate::dataflow::{Io, PathField};
use crate::intrinsics::Call;
use crate::jsonata::Expression;
use crate::path::{Literal, Path};
use crate::retry::RetryPolicy;
use crate::template::Template;

/// A workflow: its name and description, as generated code provides it.
#[derive(Clone, Copy, Debug)]
pub struct Workflow {
    /// The workflow's name (the definition's file stem), used for `$$.StateMachine.Name`
    /// unless the execution overrides it.
    pub name: &'static str,
    /// The containers; `[0]` is the top level.
    pub containers: Containers,
    /// The definition's top-level `TimeoutSeconds`: past it the execution ends with status
    /// `TIMED_OUT` (and, as in AWS's `DescribeExecution`, no error or cause).
    pub timeout_seconds: Option<u64>,
    /// Why this runtime cannot run the workflow yet (it uses a feature that a later version
    /// adds: a Distributed Map's `ItemReader`…), or `None`. asl-runtime's `execution::run`
    /// refuses such a workflow instead of running it wrongly.
    pub unsupported: Option<&'static str>,
}

impl Workflow {
    /// Where the state called `name` is: its container and its index there. State names
    /// are unique in a whole definition (AWS's `DUPLICATE_STATE_NAME`), inside Parallel
    /// branches and Map processors too.
    pub fn locate(&self, name: &str) -> Option<(u16, u16)> {
        self.containers.iter().enumerate().find_map(|(container, def)| {
            let state = def.states.iter().position(|state| state.name == name)?;
            Some((u16::try_from(container).ok()?, u16::try_from(state).ok()?))
        })
    }

    /// The state at `state` in container `container`.
    pub fn state(&self, (container, state): (u16, u16)) -> Option<&'static StateDef> {
        self.containers.get(usize::from(container))?.states.get(usize::from(state))
    }
}

/// A workflow's containers; `[0]` is the top level.
pub type Containers = &'static [ContainerDef];

/// A top-level machine, Parallel branch or Map processor.
#[derive(Debug)]
pub struct ContainerDef {
    /// Its states, in definition order (a state's index is its `StateId`).
    pub states: &'static [StateDef],
    /// Index of the `StartAt` state.
    pub start: u16,
}

emit_struct!(machine => ContainerDef { states, start });

/// One state.
#[derive(Debug)]
pub struct StateDef {
    /// The name as written in the definition.
    pub name: &'static str,
    /// Where control goes when the state completes normally.
    pub next: Next,
    /// Whether any path of the state reads the context object (`$$`). Building `$$` copies
    /// the execution input, so the driver builds it only for states that read it (and for
    /// Task states, whose handlers receive it).
    pub reads_context: bool,
    /// `Assign`: workflow variables the state sets when it completes normally (not when
    /// a catcher takes over, whose own `Assign` runs instead; on a Choice, only when its
    /// `Default` is taken).
    pub assign: Option<&'static Template>,
    /// The JSONata fields of a JSONata state; `None` for a JSONPath state (a JSONata
    /// state's other fields are JSONata too: its `Assign` and any `{% %}` value below).
    pub jsonata: Option<&'static JsonataDef>,
    /// What the state does.
    pub kind: StateKind,
}

emit_struct!(machine => StateDef { name, next, reads_context, assign, jsonata, kind });

/// What a JSONata state has instead of InputPath, Parameters, ResultSelector, ResultPath
/// and OutputPath.
#[derive(Debug)]
pub struct JsonataDef {
    /// `Arguments` (Task, Parallel): the effective input; absent, `$states.input`.
    pub arguments: Option<&'static Template>,
    /// `Output`: the state's output; absent, `$states.result` for Task, Parallel and Map,
    /// `$states.input` for the others.
    pub output: Option<&'static Template>,
}

/// A JSONata state without `Arguments` or `Output`.
pub static JSONATA: JsonataDef = JsonataDef { arguments: None, output: None };

/// `&JSONATA` for a JSONata state without `Arguments` or `Output`; otherwise both fields.
#[cfg(feature = "emit")]
impl crate::emit::Emit for JsonataDef {
    fn emit(&self, rt: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        let JsonataDef { arguments, output } = self;
        let (arguments, output) = (arguments.emit(rt), output.emit(rt));
        quote::quote!(#rt::machine::JsonataDef { arguments: #arguments, output: #output })
    }

    fn emit_ref(&self, rt: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        if self.arguments.is_none() && self.output.is_none() {
            return quote::quote!(&#rt::machine::JSONATA);
        }
        let value = self.emit(rt);
        quote::quote!(&#value)
    }
}

/// Normal completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// `Next`: the index of the following state in the same container.
    State(u16),
    /// `End: true` (and Succeed): the container completes with the state's output.
    End,
    /// Choice (targets in its rules) and Fail (never completes normally).
    None,
}

emit_enum!(machine => Next { State(index), End, None });

/// A number given literally or through a Reference Path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Amount {
    /// A literal.
    Literal(u64),
    /// A `…Path` field.
    Path(&'static Path),
    /// A JSONata expression (whose value must be a non-negative integer).
    Jsonata(&'static Expression),
}

emit_enum!(machine => Amount { Literal(value), Path(path), Jsonata(expression) });

/// A number with a fraction, given literally or through a Reference Path
/// (`ToleratedFailurePercentage` / `ToleratedFailurePercentagePath`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fraction {
    /// A literal.
    Literal(f64),
    /// A `…Path` field.
    Path(&'static Path),
    /// A JSONata expression.
    Jsonata(&'static Expression),
}

emit_enum!(machine => Fraction { Literal(value), Path(path), Jsonata(expression) });

/// What a state does, with its static data.
#[derive(Debug)]
pub enum StateKind {
    /// Pass.
    Pass {
        /// InputPath/Parameters/ResultPath/OutputPath.
        io: &'static Io,
        /// `Result`: the state's result instead of its effective input.
        result: Option<&'static Literal>,
    },
    /// Task.
    Task(&'static TaskDef),
    /// Choice.
    Choice {
        /// InputPath (OutputPath is in `output_path`).
        input_path: PathField,
        /// OutputPath.
        output_path: PathField,
        /// `Choices`: the first that matches wins.
        rules: &'static [ChoiceRule],
        /// `Default`.
        default: Option<u16>,
    },
    /// Wait.
    Wait {
        /// InputPath.
        input_path: PathField,
        /// OutputPath.
        output_path: PathField,
        /// How long.
        until: WaitDef,
    },
    /// Succeed.
    Succeed {
        /// InputPath.
        input_path: PathField,
        /// OutputPath.
        output_path: PathField,
    },
    /// Fail.
    Fail {
        /// `Error` / `ErrorPath`.
        error: Option<FailText>,
        /// `Cause` / `CausePath`.
        cause: Option<FailText>,
    },
    /// Parallel.
    Parallel {
        /// InputPath/Parameters/ResultSelector/ResultPath/OutputPath.
        io: &'static Io,
        /// Container index of each branch, in order.
        branches: &'static [u16],
        /// Retry/Catch.
        recovery: &'static Recovery,
    },
    /// Map (inline or distributed).
    Map(&'static MapDef),
}

emit_enum!(machine => StateKind {
    Pass { io, result },
    Task(task),
    Choice { input_path, output_path, rules, default },
    Wait { input_path, output_path, until },
    Succeed { input_path, output_path },
    Fail { error, cause },
    Parallel { io, branches, recovery },
    Map(map),
});

/// One of a Choice state's `Choices`.
#[derive(Debug)]
pub struct ChoiceRule {
    /// The condition.
    pub rule: Rule,
    /// Index of its `Next` state.
    pub next: u16,
    /// The rule's own `Assign`, set when it matches (the state's `Assign` is not).
    pub assign: Option<&'static Template>,
    /// The rule's own JSONata `Output`, when it matches (the state's is not used).
    pub output: Option<&'static Template>,
}

emit_struct!(machine => ChoiceRule { rule, next, assign, output });

/// How a Task state's work ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callback {
    /// When its handler returns.
    None,
    /// `.waitForTaskToken`: after its handler returns, when someone sends the task token's
    /// outcome.
    Token,
    /// An activity: a worker takes the work and sends its outcome.
    Activity,
}

impl TaskDef {
    /// How this task's work ends, from its resource.
    pub fn callback(&self) -> Callback {
        // Plain substring tests: this runs for every task attempt. `:activity:` appears in
        // activity ARNs (`arn:aws:states:<region>:<account>:activity:<name>`) only.
        if self.resource.ends_with(".waitForTaskToken") {
            Callback::Token
        } else if self.resource.contains(":activity:") {
            Callback::Activity
        } else {
            Callback::None
        }
    }
}

/// Why an EXPRESS state machine cannot run a Task (AWS's rule: it cannot wait for
/// anything outside the execution). One rule for the validator, which reads the resource
/// text, and for the runtime, which registers compiled workflows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotForExpress {
    /// `.waitForTaskToken`.
    WaitForTaskToken,
    /// `.sync` or `.sync:2`.
    Sync,
    /// An activity ARN.
    Activity,
}

impl NotForExpress {
    /// What an EXPRESS machine refuses of `resource`, if anything.
    pub fn of(resource: &str) -> Option<NotForExpress> {
        if resource.ends_with(".waitForTaskToken") {
            Some(NotForExpress::WaitForTaskToken)
        } else if resource.ends_with(".sync") || resource.ends_with(".sync:2") {
            Some(NotForExpress::Sync)
        } else if resource.contains(":activity:") {
            Some(NotForExpress::Activity)
        } else {
            None
        }
    }

    /// AWS's message: `Express state machine does not support …`.
    pub fn message(self) -> &'static str {
        match self {
            NotForExpress::WaitForTaskToken => {
                "Express state machine does not support '.waitForTaskToken' service integration"
            }
            NotForExpress::Sync => "Express state machine does not support '.sync' service integration",
            NotForExpress::Activity => "Express state machine does not support Activity ARN",
        }
    }
}

/// The `task` index of a Task state that has no handler method (an activity: workers do
/// its work).
pub const NO_HANDLER: u16 = u16::MAX;

/// A Task state.
#[derive(Debug)]
pub struct TaskDef {
    /// InputPath/Parameters/ResultSelector/ResultPath/OutputPath.
    pub io: &'static Io,
    /// Index of the task in the workflow's handler trait (Task states numbered in
    /// definition order across all containers).
    pub task: u16,
    /// The `Resource` ARN.
    pub resource: &'static str,
    /// `TimeoutSeconds` / `TimeoutSecondsPath`.
    pub timeout: Option<Amount>,
    /// `HeartbeatSeconds` / `HeartbeatSecondsPath`.
    pub heartbeat: Option<Amount>,
    /// Retry/Catch.
    pub recovery: &'static Recovery,
}

/// Every field, with an activity's `task` as [`NO_HANDLER`] by name.
#[cfg(feature = "emit")]
impl crate::emit::Emit for TaskDef {
    fn emit(&self, rt: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        let TaskDef { io, task, resource, timeout, heartbeat, recovery } = self;
        let task = match *task {
            NO_HANDLER => quote::quote!(#rt::machine::NO_HANDLER),
            task => task.emit(rt),
        };
        let (io, resource, recovery) = (io.emit(rt), resource.emit(rt), recovery.emit(rt));
        let (timeout, heartbeat) = (timeout.emit(rt), heartbeat.emit(rt));
        quote::quote!(#rt::machine::TaskDef {
            io: #io,
            task: #task,
            resource: #resource,
            timeout: #timeout,
            heartbeat: #heartbeat,
            recovery: #recovery,
        })
    }
}

/// A Map state.
#[derive(Debug)]
pub struct MapDef {
    /// InputPath/Parameters(none)/ResultSelector/ResultPath/OutputPath.
    pub io: &'static Io,
    /// Container index of the item processor.
    pub processor: u16,
    /// `ItemsPath` (default `$`).
    pub items_path: Option<&'static Path>,
    /// JSONata `Items` (default `$states.input`).
    pub items: Option<&'static Template>,
    /// `ItemSelector` (or legacy `Parameters`).
    pub item_selector: Option<&'static Template>,
    /// `MaxConcurrency` / `MaxConcurrencyPath` (0 or absent: unbounded).
    pub max_concurrency: Option<Amount>,
    /// `ProcessorConfig.Mode: DISTRIBUTED`: the Map's settings as a Distributed Map;
    /// `None` for an inline Map.
    pub distributed: Option<&'static DistributedDef>,
    /// Retry/Catch.
    pub recovery: &'static Recovery,
}

emit_struct!(machine => MapDef {
    io,
    processor,
    items_path,
    items,
    item_selector,
    max_concurrency,
    distributed,
    recovery,
});

/// What a Distributed Map adds to a Map: each item runs as a child execution, and failed
/// items are tolerated up to a threshold.
///
/// An inline Map accepts the `ToleratedFailure…` fields too (AWS does), but they mean
/// nothing there: its first failed iteration fails it.
#[derive(Debug)]
pub struct DistributedDef {
    /// `Label`: names the Map Run and its child executions' state machine
    /// (`<state machine>/<label>`); absent, each Map Run gets a generated one.
    pub label: Option<&'static str>,
    /// `ToleratedFailureCount` / `ToleratedFailureCountPath`.
    pub tolerated_failure_count: Option<Amount>,
    /// `ToleratedFailurePercentage` / `ToleratedFailurePercentagePath`.
    pub tolerated_failure_percentage: Option<Fraction>,
    /// `ItemReader`: where the items come from instead of the state's input.
    pub reader: Option<&'static ReaderDef>,
    /// `ItemBatcher`: the items go to child executions in batches.
    pub batcher: Option<&'static BatcherDef>,
    /// `ResultWriter`: how the children's results are shaped, and where they are written.
    pub writer: Option<&'static WriterDef>,
    /// `ProcessorConfig.ExecutionType` is `EXPRESS`: the child executions are not recorded
    /// as executions of their own (AWS lists and describes only `STANDARD` ones).
    pub express: bool,
}

emit_struct!(machine => DistributedDef {
    label,
    express,
    tolerated_failure_count,
    tolerated_failure_percentage,
    reader,
    batcher,
    writer,
});

/// A Distributed Map's `ItemReader`.
#[derive(Debug)]
pub struct ReaderDef {
    /// `Resource`: `arn:aws:states:::s3:getObject` or `arn:aws:states:::s3:listObjectsV2`.
    pub resource: &'static str,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata): the bucket, key or prefix.
    pub parameters: Option<&'static Template>,
    /// `ReaderConfig` without its `MaxItems` / `MaxItemsPath` (the format: `InputType`,
    /// the CSV headers and delimiter, `ItemsPointer`, …), as written.
    pub config: Option<&'static Template>,
    /// `ReaderConfig.MaxItems` / `MaxItemsPath`.
    pub max_items: Option<Amount>,
}

emit_struct!(machine => ReaderDef { resource, parameters, config, max_items });

/// A Distributed Map's `ItemBatcher`.
#[derive(Debug)]
pub struct BatcherDef {
    /// `MaxItemsPerBatch` / `MaxItemsPerBatchPath`.
    pub max_items: Option<Amount>,
    /// `MaxInputBytesPerBatch` / `MaxInputBytesPerBatchPath`.
    pub max_bytes: Option<Amount>,
    /// `BatchInput`: the same for every batch, beside its `Items`.
    pub batch_input: Option<&'static Template>,
}

emit_struct!(machine => BatcherDef { max_items, max_bytes, batch_input });

/// A Distributed Map's `ResultWriter`.
#[derive(Debug)]
pub struct WriterDef {
    /// `Resource` (`arn:aws:states:::s3:putObject`): the results are exported.
    pub resource: Option<&'static str>,
    /// `Parameters` (JSONPath) or `Arguments` (JSONata): `Bucket` and `Prefix`.
    pub parameters: Option<&'static Template>,
    /// `WriterConfig` (`OutputType`, `Transformation`), as written.
    pub config: Option<&'static Template>,
}

emit_struct!(machine => WriterDef { resource, parameters, config });

/// Retry and Catch of a Task, Parallel or Map.
#[derive(Debug)]
pub struct Recovery {
    /// `Retry`, in order.
    pub retry: &'static [RetryPolicy],
    /// `Catch`, in order.
    pub catch: &'static [CatcherDef],
}

/// No Retry, no Catch.
pub static NO_RECOVERY: Recovery = Recovery { retry: &[], catch: &[] };

/// `&NO_RECOVERY` without Retry or Catch; otherwise both fields.
#[cfg(feature = "emit")]
impl crate::emit::Emit for Recovery {
    fn emit(&self, rt: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        let Recovery { retry, catch } = self;
        let (retry, catch) = (retry.emit(rt), catch.emit(rt));
        quote::quote!(#rt::machine::Recovery { retry: #retry, catch: #catch })
    }

    fn emit_ref(&self, rt: &proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        if self.retry.is_empty() && self.catch.is_empty() {
            return quote::quote!(&#rt::machine::NO_RECOVERY);
        }
        let value = self.emit(rt);
        quote::quote!(&#value)
    }
}

/// One catcher.
#[derive(Debug)]
pub struct CatcherDef {
    /// `ErrorEquals`.
    pub error_equals: &'static [&'static str],
    /// Index of the `Next` state.
    pub next: u16,
    /// `ResultPath` for the Error Output (default `$`).
    pub result_path: PathField,
    /// `Assign`, evaluated with the Error Output as `$` (`$states.errorOutput`).
    pub assign: Option<&'static Template>,
    /// JSONata `Output` (default `$states.errorOutput`).
    pub output: Option<&'static Template>,
}

emit_struct!(machine => CatcherDef { error_equals, next, result_path, assign, output });

/// What a Wait state waits for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WaitDef {
    /// `Seconds`.
    Seconds(u64),
    /// `SecondsPath`.
    SecondsPath(&'static Path),
    /// `Timestamp` (RFC 3339, validated at build time).
    Timestamp(&'static str),
    /// `TimestampPath`.
    TimestampPath(&'static Path),
    /// JSONata `Seconds`.
    SecondsExpression(&'static Expression),
    /// JSONata `Timestamp`.
    TimestampExpression(&'static Expression),
}

emit_enum!(machine => WaitDef {
    Seconds(seconds),
    SecondsPath(path),
    Timestamp(timestamp),
    TimestampPath(path),
    SecondsExpression(expression),
    TimestampExpression(expression),
});

/// Fail `Error`/`Cause` and their `…Path` forms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FailText {
    /// A literal.
    Literal(&'static str),
    /// A Reference Path.
    Path(&'static Path),
    /// An intrinsic call.
    Intrinsic(&'static Call),
    /// A JSONata expression.
    Jsonata(&'static Expression),
}

emit_enum!(machine => FailText { Literal(text), Path(path), Intrinsic(call), Jsonata(expression) });
