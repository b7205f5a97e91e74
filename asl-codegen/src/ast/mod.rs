//! The typed model of an ASL document, one-to-one with the specification's field names.
//!
//! Every field remembers where it came from ([`Spanned`]): its byte range and JSON Pointer,
//! so that validation can point at the exact key or value. The model is produced by
//! [`decode`] from the spanned tree of either reader; decoding reports wrong JSON types and
//! unknown fields, and keeps going so that one run shows every problem.
//!
//! Rules that depend on several fields (which fields a state type allows, one-of groups,
//! query-language rules, graph shape) are not checked here but in `validate`.

mod decode;

pub use decode::decode;

use crate::node::Node;
use crate::source::Span;

/// Deepest nesting of Parallel/Map containers accepted (the document is level 0).
///
/// AWS has a `TOO_DEEPLY_NESTED` diagnostic but documents no number. Real definitions nest
/// a handful of levels (the deepest of the 924 AWS-accepted conformance cases nests 2).
/// Every phase recurses once per level, so the limit also keeps hostile input from
/// exhausting a 2 MiB thread stack in a debug build (about 55 KiB per level when decoding).
pub const MAX_NESTING: usize = 16;

/// A value with the byte range and JSON Pointer it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Byte range of the value in the source.
    pub span: Span,
    /// JSON Pointer of the value, e.g. `/States/Pay/Next`.
    pub pointer: String,
    /// Byte range of the key that introduced the value (equal to `span` for array items).
    pub key_span: Span,
}

impl<T> Spanned<T> {
    /// The span that best identifies the field in messages: key and value together.
    pub fn field_span(&self) -> Span {
        self.key_span.to(self.span)
    }
}

/// Where a state machine object stands: the top level, a Parallel branch or a Map's processor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    /// The document itself.
    Top,
    /// One element of a Parallel state's `Branches`.
    Branch,
    /// A Map state's `ItemProcessor` (or legacy `Iterator`).
    Processor,
}

/// The query language of a state machine or state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryLanguage {
    /// `"JSONPath"`, the default.
    JsonPath,
    /// `"JSONata"`.
    Jsonata,
}

/// A state machine: the document, a Parallel branch or a Map processor.
#[derive(Clone, Debug, PartialEq)]
pub struct StateMachine {
    /// Which of the three this is.
    pub kind: ContainerKind,
    /// Byte range of the whole object.
    pub span: Span,
    /// JSON Pointer of the object (`""` for the document).
    pub pointer: String,
    /// `StartAt`.
    pub start_at: Option<Spanned<String>>,
    /// `States`, in source order. `None` when the field is missing or not an object.
    pub states: Option<Spanned<Vec<State>>>,
    /// `Comment`.
    pub comment: Option<Spanned<String>>,
    /// `Version` (top level only).
    pub version: Option<Spanned<String>>,
    /// `TimeoutSeconds` (top level only).
    pub timeout_seconds: Option<Spanned<serde_json::Number>>,
    /// `QueryLanguage` (top level; reported when present elsewhere).
    pub query_language: Option<Spanned<QueryLanguage>>,
    /// `ProcessorConfig` (Map processors only).
    pub processor_config: Option<Spanned<ProcessorConfig>>,
    /// Every key of the object, in source order.
    pub keys: Vec<Spanned<String>>,
}

impl StateMachine {
    /// The states, or an empty slice when `States` is missing.
    pub fn states(&self) -> &[State] {
        self.states.as_ref().map_or(&[], |s| &s.value)
    }
}

/// A Map processor's `ProcessorConfig`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ProcessorConfig {
    /// `Mode`: `INLINE` (default) or `DISTRIBUTED`.
    pub mode: Option<Spanned<String>>,
    /// `ExecutionType`: `STANDARD` or `EXPRESS` (distributed mode).
    pub execution_type: Option<Spanned<String>>,
}

/// The eight state types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StateType {
    /// `Task`
    Task,
    /// `Pass`
    Pass,
    /// `Choice`
    Choice,
    /// `Wait`
    Wait,
    /// `Succeed`
    Succeed,
    /// `Fail`
    Fail,
    /// `Parallel`
    Parallel,
    /// `Map`
    Map,
}

impl StateType {
    /// All types, in the order AWS lists them in its message.
    pub const ALL: [StateType; 8] = [
        StateType::Task,
        StateType::Wait,
        StateType::Pass,
        StateType::Succeed,
        StateType::Fail,
        StateType::Choice,
        StateType::Parallel,
        StateType::Map,
    ];

    /// The name as written in ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            StateType::Task => "Task",
            StateType::Pass => "Pass",
            StateType::Choice => "Choice",
            StateType::Wait => "Wait",
            StateType::Succeed => "Succeed",
            StateType::Fail => "Fail",
            StateType::Parallel => "Parallel",
            StateType::Map => "Map",
        }
    }

    /// Parses an ASL type name (case-sensitive, as AWS).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// A number literal, or (JSONata) a `{% … %}` expression computing it.
#[derive(Clone, Debug, PartialEq)]
pub enum NumberOrExpr {
    /// A JSON number.
    Number(serde_json::Number),
    /// A JSONata expression string, including the `{%`/`%}` delimiters.
    Expr(String),
}

/// A string that is either a literal or (JSONata) a `{% … %}` expression: the distinction is
/// made during validation, because it depends on the state's query language.
pub type Text = String;

/// One state: a member of some `States` object.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The state's name (the key), with the key's span.
    pub name: Spanned<String>,
    /// Byte range of the state's object.
    pub span: Span,
    /// JSON Pointer of the state's object.
    pub pointer: String,
    /// Every key of the object, in source order (for per-type field checks).
    pub keys: Vec<Spanned<String>>,
    /// `Type`, when present and one of the eight.
    pub state_type: Option<Spanned<StateType>>,
    /// `Comment`.
    pub comment: Option<Spanned<String>>,
    /// `QueryLanguage`.
    pub query_language: Option<Spanned<QueryLanguage>>,

    /// `Next`.
    pub next: Option<Spanned<String>>,
    /// `End`.
    pub end: Option<Spanned<bool>>,

    /// `InputPath` (`None` inside means JSON `null`).
    pub input_path: Option<Spanned<Option<String>>>,
    /// `OutputPath` (`None` inside means JSON `null`).
    pub output_path: Option<Spanned<Option<String>>>,
    /// `ResultPath` (`None` inside means JSON `null`).
    pub result_path: Option<Spanned<Option<String>>>,
    /// `Parameters` (payload template).
    pub parameters: Option<Spanned<Node>>,
    /// `ResultSelector` (payload template).
    pub result_selector: Option<Spanned<Node>>,
    /// `Arguments` (JSONata).
    pub arguments: Option<Spanned<Node>>,
    /// `Output` (JSONata).
    pub output: Option<Spanned<Node>>,
    /// `Assign` (both query languages).
    pub assign: Option<Spanned<Node>>,
    /// `Retry`.
    pub retry: Option<Spanned<Vec<Retrier>>>,
    /// `Catch`.
    pub catch: Option<Spanned<Vec<Catcher>>>,

    /// Task `Resource`.
    pub resource: Option<Spanned<String>>,
    /// Task `TimeoutSeconds`.
    pub timeout_seconds: Option<Spanned<NumberOrExpr>>,
    /// Task `TimeoutSecondsPath`.
    pub timeout_seconds_path: Option<Spanned<String>>,
    /// Task `HeartbeatSeconds`.
    pub heartbeat_seconds: Option<Spanned<NumberOrExpr>>,
    /// Task `HeartbeatSecondsPath`.
    pub heartbeat_seconds_path: Option<Spanned<String>>,
    /// Task `Credentials` (payload template with `RoleArn`).
    pub credentials: Option<Spanned<Node>>,

    /// Pass `Result`.
    pub result: Option<Spanned<Node>>,

    /// Choice `Choices`.
    pub choices: Option<Spanned<Vec<ChoiceRule>>>,
    /// Choice `Default`.
    pub default: Option<Spanned<String>>,

    /// Wait `Seconds`.
    pub seconds: Option<Spanned<NumberOrExpr>>,
    /// Wait `SecondsPath`.
    pub seconds_path: Option<Spanned<String>>,
    /// Wait `Timestamp`.
    pub timestamp: Option<Spanned<Text>>,
    /// Wait `TimestampPath`.
    pub timestamp_path: Option<Spanned<String>>,

    /// Fail `Error`.
    pub error: Option<Spanned<Text>>,
    /// Fail `ErrorPath`.
    pub error_path: Option<Spanned<String>>,
    /// Fail `Cause`.
    pub cause: Option<Spanned<Text>>,
    /// Fail `CausePath`.
    pub cause_path: Option<Spanned<String>>,

    /// Parallel `Branches`.
    pub branches: Option<Spanned<Vec<StateMachine>>>,

    /// Map `ItemProcessor`, or the legacy `Iterator` when it is given alone.
    pub item_processor: Option<Spanned<StateMachine>>,
    /// Map legacy `Iterator`, when both it and `ItemProcessor` are given (an error).
    pub iterator: Option<Spanned<StateMachine>>,
    /// Map `ItemsPath`.
    pub items_path: Option<Spanned<String>>,
    /// Map `Items` (JSONata: array or expression).
    pub items: Option<Spanned<Node>>,
    /// Map `ItemSelector`.
    pub item_selector: Option<Spanned<Node>>,
    /// Map `MaxConcurrency`.
    pub max_concurrency: Option<Spanned<NumberOrExpr>>,
    /// Map `MaxConcurrencyPath`.
    pub max_concurrency_path: Option<Spanned<String>>,
    /// Map `ItemReader` (distributed).
    pub item_reader: Option<Spanned<Node>>,
    /// Map `ItemBatcher` (distributed).
    pub item_batcher: Option<Spanned<Node>>,
    /// Map `ResultWriter` (distributed).
    pub result_writer: Option<Spanned<Node>>,
    /// Map `ToleratedFailurePercentage`.
    pub tolerated_failure_percentage: Option<Spanned<NumberOrExpr>>,
    /// Map `ToleratedFailurePercentagePath`.
    pub tolerated_failure_percentage_path: Option<Spanned<String>>,
    /// Map `ToleratedFailureCount`.
    pub tolerated_failure_count: Option<Spanned<NumberOrExpr>>,
    /// Map `ToleratedFailureCountPath`.
    pub tolerated_failure_count_path: Option<Spanned<String>>,
    /// Map `Label`.
    pub label: Option<Spanned<String>>,
}

impl State {
    /// The state's type, if it is known.
    pub fn ty(&self) -> Option<StateType> {
        self.state_type.as_ref().map(|t| t.value)
    }

    /// The key span if `key` is present in the state's object.
    pub fn key(&self, key: &str) -> Option<&Spanned<String>> {
        self.keys.iter().find(|k| k.value == key)
    }
}

/// A retrier: one element of `Retry`.
#[derive(Clone, Debug, PartialEq)]
pub struct Retrier {
    /// Byte range of the retrier object.
    pub span: Span,
    /// JSON Pointer of the retrier object.
    pub pointer: String,
    /// `ErrorEquals`.
    pub error_equals: Option<Spanned<Vec<Spanned<String>>>>,
    /// `IntervalSeconds`.
    pub interval_seconds: Option<Spanned<serde_json::Number>>,
    /// `MaxAttempts`.
    pub max_attempts: Option<Spanned<serde_json::Number>>,
    /// `BackoffRate`.
    pub backoff_rate: Option<Spanned<serde_json::Number>>,
    /// `MaxDelaySeconds`.
    pub max_delay_seconds: Option<Spanned<serde_json::Number>>,
    /// `JitterStrategy`.
    pub jitter_strategy: Option<Spanned<String>>,
    /// `Comment`.
    pub comment: Option<Spanned<String>>,
}

/// A catcher: one element of `Catch`.
#[derive(Clone, Debug, PartialEq)]
pub struct Catcher {
    /// Byte range of the catcher object.
    pub span: Span,
    /// JSON Pointer of the catcher object.
    pub pointer: String,
    /// `ErrorEquals`.
    pub error_equals: Option<Spanned<Vec<Spanned<String>>>>,
    /// `Next`.
    pub next: Option<Spanned<String>>,
    /// `ResultPath` (`None` inside means JSON `null`).
    pub result_path: Option<Spanned<Option<String>>>,
    /// `Assign`.
    pub assign: Option<Spanned<Node>>,
    /// `Output` (JSONata).
    pub output: Option<Spanned<Node>>,
    /// `Comment`.
    pub comment: Option<Spanned<String>>,
}

/// The comparison operators of JSONPath Choice rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `StringEquals`
    StringEquals,
    /// `StringLessThan`
    StringLessThan,
    /// `StringGreaterThan`
    StringGreaterThan,
    /// `StringLessThanEquals`
    StringLessThanEquals,
    /// `StringGreaterThanEquals`
    StringGreaterThanEquals,
    /// `StringMatches`
    StringMatches,
    /// `NumericEquals`
    NumericEquals,
    /// `NumericLessThan`
    NumericLessThan,
    /// `NumericGreaterThan`
    NumericGreaterThan,
    /// `NumericLessThanEquals`
    NumericLessThanEquals,
    /// `NumericGreaterThanEquals`
    NumericGreaterThanEquals,
    /// `BooleanEquals`
    BooleanEquals,
    /// `TimestampEquals`
    TimestampEquals,
    /// `TimestampLessThan`
    TimestampLessThan,
    /// `TimestampGreaterThan`
    TimestampGreaterThan,
    /// `TimestampLessThanEquals`
    TimestampLessThanEquals,
    /// `TimestampGreaterThanEquals`
    TimestampGreaterThanEquals,
    /// `IsNull`
    IsNull,
    /// `IsPresent`
    IsPresent,
    /// `IsNumeric`
    IsNumeric,
    /// `IsString`
    IsString,
    /// `IsBoolean`
    IsBoolean,
    /// `IsTimestamp`
    IsTimestamp,
}

/// What a comparison's operand must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperandKind {
    /// A string literal.
    String,
    /// A number literal.
    Number,
    /// A boolean literal.
    Boolean,
    /// An RFC 3339 timestamp string literal.
    Timestamp,
}

impl Operator {
    /// Every operator without its `Path` variant.
    pub const ALL: [Operator; 23] = [
        Operator::StringEquals,
        Operator::StringLessThan,
        Operator::StringGreaterThan,
        Operator::StringLessThanEquals,
        Operator::StringGreaterThanEquals,
        Operator::StringMatches,
        Operator::NumericEquals,
        Operator::NumericLessThan,
        Operator::NumericGreaterThan,
        Operator::NumericLessThanEquals,
        Operator::NumericGreaterThanEquals,
        Operator::BooleanEquals,
        Operator::TimestampEquals,
        Operator::TimestampLessThan,
        Operator::TimestampGreaterThan,
        Operator::TimestampLessThanEquals,
        Operator::TimestampGreaterThanEquals,
        Operator::IsNull,
        Operator::IsPresent,
        Operator::IsNumeric,
        Operator::IsString,
        Operator::IsBoolean,
        Operator::IsTimestamp,
    ];

    /// The name as written in ASL (without `Path`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::StringEquals => "StringEquals",
            Operator::StringLessThan => "StringLessThan",
            Operator::StringGreaterThan => "StringGreaterThan",
            Operator::StringLessThanEquals => "StringLessThanEquals",
            Operator::StringGreaterThanEquals => "StringGreaterThanEquals",
            Operator::StringMatches => "StringMatches",
            Operator::NumericEquals => "NumericEquals",
            Operator::NumericLessThan => "NumericLessThan",
            Operator::NumericGreaterThan => "NumericGreaterThan",
            Operator::NumericLessThanEquals => "NumericLessThanEquals",
            Operator::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            Operator::BooleanEquals => "BooleanEquals",
            Operator::TimestampEquals => "TimestampEquals",
            Operator::TimestampLessThan => "TimestampLessThan",
            Operator::TimestampGreaterThan => "TimestampGreaterThan",
            Operator::TimestampLessThanEquals => "TimestampLessThanEquals",
            Operator::TimestampGreaterThanEquals => "TimestampGreaterThanEquals",
            Operator::IsNull => "IsNull",
            Operator::IsPresent => "IsPresent",
            Operator::IsNumeric => "IsNumeric",
            Operator::IsString => "IsString",
            Operator::IsBoolean => "IsBoolean",
            Operator::IsTimestamp => "IsTimestamp",
        }
    }

    /// Whether a `…Path` variant exists (all but `StringMatches` and the `Is…` tests).
    pub fn has_path_variant(self) -> bool {
        !matches!(
            self,
            Operator::StringMatches
                | Operator::IsNull
                | Operator::IsPresent
                | Operator::IsNumeric
                | Operator::IsString
                | Operator::IsBoolean
                | Operator::IsTimestamp
        )
    }

    /// The literal operand type the operator takes (`Is…` tests take a boolean).
    pub fn operand(self) -> OperandKind {
        use Operator::*;
        match self {
            StringEquals
            | StringLessThan
            | StringGreaterThan
            | StringLessThanEquals
            | StringGreaterThanEquals
            | StringMatches => OperandKind::String,
            NumericEquals | NumericLessThan | NumericGreaterThan | NumericLessThanEquals | NumericGreaterThanEquals => {
                OperandKind::Number
            }
            TimestampEquals
            | TimestampLessThan
            | TimestampGreaterThan
            | TimestampLessThanEquals
            | TimestampGreaterThanEquals => OperandKind::Timestamp,
            BooleanEquals | IsNull | IsPresent | IsNumeric | IsString | IsBoolean | IsTimestamp => OperandKind::Boolean,
        }
    }

    /// Parses an operator key: `"NumericEquals"` → (NumericEquals, false),
    /// `"NumericEqualsPath"` → (NumericEquals, true).
    pub fn from_key(key: &str) -> Option<(Operator, bool)> {
        if let Some(op) = Self::ALL.into_iter().find(|o| o.as_str() == key) {
            return Some((op, false));
        }
        let base = key.strip_suffix("Path")?;
        Self::ALL.into_iter().find(|o| o.as_str() == base && o.has_path_variant()).map(|o| (o, true))
    }
}

/// One comparison of a Choice rule: operator, whether it is the `Path` variant, operand.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The operator.
    pub operator: Operator,
    /// Whether the key was the `…Path` variant (operand is a path).
    pub is_path: bool,
    /// The operand value, with the operator key's span as `key_span`.
    pub operand: Spanned<Node>,
}

/// A Choice rule (top-level or nested in `And`/`Or`/`Not`).
#[derive(Clone, Debug, PartialEq)]
pub struct ChoiceRule {
    /// Byte range of the rule object.
    pub span: Span,
    /// JSON Pointer of the rule object.
    pub pointer: String,
    /// Every key of the object, in source order.
    pub keys: Vec<Spanned<String>>,
    /// `Variable` (JSONPath).
    pub variable: Option<Spanned<String>>,
    /// The comparison operators present (exactly one is valid).
    pub comparisons: Vec<Comparison>,
    /// `And`.
    pub and: Option<Spanned<Vec<ChoiceRule>>>,
    /// `Or`.
    pub or: Option<Spanned<Vec<ChoiceRule>>>,
    /// `Not`.
    pub not: Option<Spanned<Box<ChoiceRule>>>,
    /// `Condition` (JSONata).
    pub condition: Option<Spanned<Node>>,
    /// `Next` (top-level rules only).
    pub next: Option<Spanned<String>>,
    /// `Assign` (top-level rules only).
    pub assign: Option<Spanned<Node>>,
    /// `Output` (JSONata, top-level rules only).
    pub output: Option<Spanned<Node>>,
    /// `Comment`.
    pub comment: Option<Spanned<String>>,
}
