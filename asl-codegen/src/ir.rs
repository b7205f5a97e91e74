//! THE IR: a validated definition with every name resolved to an index and every string
//! that has syntax (paths, intrinsic calls, timestamps) already parsed. Code generation
//! sees nothing else; nothing downstream re-parses a string.
//!
//! A machine is a list of [`Container`]s: index 0 is the top level, followed by every
//! Parallel branch and Map processor in depth-first order. States are addressed by
//! [`StateId`] *within* their container, which is exactly the set of states a transition
//! may reach (transitions never cross containers).

use serde_json::Value;

use crate::ast::{ContainerKind, Operator, QueryLanguage};
use crate::path::{IntrinsicCall, JsonPath};

/// Index of a container in [`Machine::containers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ContainerId(pub usize);

/// Index of a state in its container's [`Container::states`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct StateId(pub usize);

/// A whole state machine.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Machine {
    /// All containers; `containers[0]` is the top level.
    pub containers: Vec<Container>,
    /// The document's query language (nested states inherit it).
    pub query_language: QueryLanguage,
    /// Top-level `TimeoutSeconds`: the execution's deadline.
    pub timeout_seconds: Option<u64>,
    /// `Comment` of the document.
    pub comment: Option<String>,
}

/// The top level, a Parallel branch or a Map processor.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Container {
    /// Which of the three.
    pub kind: ContainerKind,
    /// The Parallel/Map state that owns this container (`None` for the top level), and for
    /// branches the branch's index.
    pub owner: Option<Owner>,
    /// The states, in source order.
    pub states: Vec<State>,
    /// The `StartAt` state.
    pub start: StateId,
    /// Map processors: `ProcessorConfig`.
    pub processor: Option<ProcessorMode>,
}

/// Who owns a nested container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Owner {
    /// The container holding the owning state.
    pub container: ContainerId,
    /// The owning Parallel or Map state.
    pub state: StateId,
    /// Branch index for Parallel branches; 0 for Map processors.
    pub index: usize,
}

/// A Map processor's execution mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProcessorMode {
    /// Iterations run inside the execution.
    Inline,
    /// Iterations run as child executions of the given type.
    Distributed {
        /// `ExecutionType: EXPRESS` (else STANDARD).
        express: bool,
    },
}

/// One state with everything resolved.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct State {
    /// The original name (kept for history events, errors and docs).
    pub name: String,
    /// The state's effective query language.
    pub query_language: QueryLanguage,
    /// Where control goes after the state completes normally.
    pub transition: Transition,
    /// The input/output processing common to most states.
    pub io: Io,
    /// `Assign` (variables), evaluated with the state's entry-time scope.
    pub assign: Option<Template>,
    /// What the state does.
    pub kind: StateKind,
}

/// Normal completion of a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transition {
    /// `Next`.
    Next(StateId),
    /// `End: true`, Succeed: the container finishes with the state's output.
    End,
    /// Choice (targets in its rules) and Fail (never completes normally).
    None,
}

/// JSONPath data-flow fields (all `None` in JSONata states, where `Arguments`/`Output`
/// take their place).
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Io {
    /// `InputPath` (`Some(None)` = JSON null: effective input is `{}`).
    pub input_path: Option<Option<JsonPath>>,
    /// `Parameters` (Task, Pass, Parallel, Map legacy item template).
    pub parameters: Option<Template>,
    /// `ResultSelector`.
    pub result_selector: Option<Template>,
    /// `ResultPath` (`Some(None)` = JSON null: discard the result).
    pub result_path: Option<Option<JsonPath>>,
    /// `OutputPath` (`Some(None)` = JSON null: output is `{}`).
    pub output_path: Option<Option<JsonPath>>,
    /// JSONata `Arguments`.
    pub arguments: Option<Template>,
    /// JSONata `Output`.
    pub output: Option<Template>,
}

/// A JSON value to build at run time: a payload template (JSONPath) or a JSON value with
/// embedded `{% %}` expressions (JSONata).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Template {
    /// A constant (no `.$` key or expression anywhere below).
    Literal(Value),
    /// An object some of whose members are computed.
    Object(Vec<(String, Template)>),
    /// An array some of whose elements are computed.
    Array(Vec<Template>),
    /// A `.$` value that is a path.
    Path(JsonPath),
    /// A `.$` value that is an intrinsic function call.
    Intrinsic(Intrinsic),
    /// A JSONata expression (without the `{%`/`%}` delimiters). Kept as text until the
    /// JSONata engine lands; it is the only string downstream still has to parse.
    Jsonata(String),
}

/// A parsed intrinsic function call with the text it was parsed from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Intrinsic {
    /// The call.
    pub call: IntrinsicCall,
    /// The text as written. Run-time errors quote a call as written ("Invalid arguments in
    /// States.…"), and each nested call's `span` is a range of this text.
    pub text: String,
}

/// A number given literally, through a Reference Path, or by a JSONata expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Dynamic<T> {
    /// A literal.
    Literal(T),
    /// A `…Path` field.
    Path(JsonPath),
    /// A JSONata expression.
    Jsonata(String),
}

/// What a state does.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum StateKind {
    /// Pass: result is `Result` if given, else the effective input.
    Pass {
        /// `Result`.
        result: Option<Value>,
    },
    /// Task: call a resource.
    Task(Box<Task>),
    /// Choice: first matching rule wins.
    Choice {
        /// `Choices`.
        rules: Vec<ChoiceBranch>,
        /// `Default`.
        default: Option<StateId>,
    },
    /// Wait.
    Wait(WaitFor),
    /// Succeed.
    Succeed,
    /// Fail.
    Fail {
        /// `Error`/`ErrorPath`.
        error: Option<FailText>,
        /// `Cause`/`CausePath`.
        cause: Option<FailText>,
    },
    /// Parallel: run every branch on the same input.
    Parallel {
        /// One container per branch, in order.
        branches: Vec<ContainerId>,
        /// Retry/Catch.
        recovery: Recovery,
    },
    /// Map: run the processor once per item.
    Map(Box<MapState>),
}

/// A Task state.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Task {
    /// The parsed `Resource`.
    pub resource: Resource,
    /// `TimeoutSeconds`/`TimeoutSecondsPath`.
    pub timeout: Option<Dynamic<u64>>,
    /// `HeartbeatSeconds`/`HeartbeatSecondsPath`.
    pub heartbeat: Option<Dynamic<u64>>,
    /// `Credentials`.
    pub credentials: Option<Template>,
    /// Retry/Catch.
    pub recovery: Recovery,
}

/// A Task's `Resource`, classified.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Resource {
    /// The ARN as written.
    pub arn: String,
    /// What kind of resource it names.
    pub kind: ResourceKind,
    /// The integration pattern (suffix).
    pub pattern: IntegrationPattern,
}

/// The kind of a Task resource.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ResourceKind {
    /// `arn:aws:states:::<service>:<api>` (optimised integration) or `…:aws-sdk:<service>:<api>`.
    Service {
        /// e.g. `lambda`, `aws-sdk:s3`.
        service: String,
        /// e.g. `invoke`, `putObject`.
        action: String,
    },
    /// A Lambda function ARN (legacy direct invocation).
    LambdaFunction,
    /// An activity ARN.
    Activity {
        /// The activity's name.
        name: String,
    },
}

/// How a Task waits for its resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntegrationPattern {
    /// Request/response.
    RequestResponse,
    /// `.sync` (job completion; `.sync:2` returns parsed JSON).
    Sync {
        /// `.sync:2`.
        json_output: bool,
    },
    /// `.waitForTaskToken`.
    WaitForTaskToken,
}

/// Retry and Catch of a Task, Parallel or Map.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Recovery {
    /// `Retry`, in order.
    pub retriers: Vec<Retrier>,
    /// `Catch`, in order.
    pub catchers: Vec<Catcher>,
}

/// Which errors a retrier or catcher matches.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ErrorMatch {
    /// The names in `ErrorEquals` (`States.ALL`/`States.TaskFailed` are wildcards, applied by
    /// the runtime with AWS's exceptions).
    pub names: Vec<String>,
}

/// One retrier, with defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Retrier {
    /// `ErrorEquals`.
    pub errors: ErrorMatch,
    /// `IntervalSeconds` (default 1).
    pub interval_seconds: u64,
    /// `MaxAttempts` (default 3; 0 = never retry).
    pub max_attempts: u64,
    /// `BackoffRate` (default 2.0).
    pub backoff_rate: f64,
    /// `MaxDelaySeconds`.
    pub max_delay_seconds: Option<u64>,
    /// `JitterStrategy: FULL`.
    pub full_jitter: bool,
}

/// One catcher.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Catcher {
    /// `ErrorEquals`.
    pub errors: ErrorMatch,
    /// `Next`.
    pub next: StateId,
    /// `ResultPath` (default `$`; `Some(None)` = null).
    pub result_path: Option<Option<JsonPath>>,
    /// `Assign`.
    pub assign: Option<Template>,
    /// JSONata `Output`.
    pub output: Option<Template>,
}

/// A top-level Choice rule with its target.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ChoiceBranch {
    /// The condition.
    pub condition: Condition,
    /// `Next`.
    pub next: StateId,
    /// Rule-level `Assign`.
    pub assign: Option<Template>,
    /// Rule-level JSONata `Output`.
    pub output: Option<Template>,
}

/// A Choice condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Condition {
    /// `Variable` + operator.
    Compare {
        /// `Variable`.
        variable: JsonPath,
        /// The operator.
        operator: Operator,
        /// The operand.
        operand: Operand,
    },
    /// `And`.
    And(Vec<Condition>),
    /// `Or`.
    Or(Vec<Condition>),
    /// `Not`.
    Not(Box<Condition>),
    /// JSONata `Condition` expression.
    Jsonata(String),
    /// JSONata `Condition` given as a boolean literal.
    Constant(bool),
}

/// A comparison operand.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand {
    /// A literal string (also RFC 3339 timestamps and StringMatches patterns).
    String(String),
    /// A literal number, exactly as written (large integers compare exactly at run time).
    Number(serde_json::Number),
    /// A literal boolean (also the `Is…` tests' expected value).
    Bool(bool),
    /// A `…Path` operand.
    Path(JsonPath),
}

/// What a Wait state waits for.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum WaitFor {
    /// `Seconds` / `SecondsPath` / JSONata expression.
    Seconds(Dynamic<u64>),
    /// `Timestamp` (validated RFC 3339 text) / `TimestampPath` / JSONata expression.
    Timestamp(Dynamic<String>),
}

/// Fail `Error`/`Cause` and their `…Path` forms.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FailText {
    /// A literal string.
    Literal(String),
    /// A Reference Path.
    Path(JsonPath),
    /// An intrinsic function call.
    Intrinsic(Intrinsic),
    /// A JSONata expression.
    Jsonata(String),
}

/// A Map state.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MapState {
    /// The processor container.
    pub processor: ContainerId,
    /// `ItemsPath` (JSONPath; default `$`).
    pub items_path: Option<JsonPath>,
    /// JSONata `Items`.
    pub items: Option<Template>,
    /// `ItemSelector` (or legacy `Parameters`).
    pub item_selector: Option<Template>,
    /// `MaxConcurrency`(+Path); 0 = unbounded.
    pub max_concurrency: Option<Dynamic<u64>>,
    /// `ToleratedFailurePercentage`(+Path).
    pub tolerated_failure_percentage: Option<Dynamic<f64>>,
    /// `ToleratedFailureCount`(+Path).
    pub tolerated_failure_count: Option<Dynamic<u64>>,
    /// `ItemReader`, `ItemBatcher`, `ResultWriter` (distributed mode), as templates.
    pub item_reader: Option<Template>,
    /// `ItemBatcher`.
    pub item_batcher: Option<Template>,
    /// `ResultWriter`.
    pub result_writer: Option<Template>,
    /// `Label`.
    pub label: Option<String>,
    /// Retry/Catch.
    pub recovery: Recovery,
}
