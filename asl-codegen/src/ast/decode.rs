//! Spanned tree → typed model. Reports wrong JSON types and unknown fields; everything
//! else is left to validation. Decoding never stops early: a field of the wrong type is
//! reported and treated as absent, so later checks still run on the rest.

use super::*;
use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::node::{Member, Node, NodeValue, pointer_push};

/// Every field a state object may have, in any state type or query language.
pub const STATE_FIELDS: &[&str] = &[
    "Type",
    "Comment",
    "QueryLanguage",
    "Next",
    "End",
    "InputPath",
    "OutputPath",
    "ResultPath",
    "Parameters",
    "ResultSelector",
    "Arguments",
    "Output",
    "Assign",
    "Retry",
    "Catch",
    "Resource",
    "TimeoutSeconds",
    "TimeoutSecondsPath",
    "HeartbeatSeconds",
    "HeartbeatSecondsPath",
    "Credentials",
    "Result",
    "Choices",
    "Default",
    "Seconds",
    "SecondsPath",
    "Timestamp",
    "TimestampPath",
    "Error",
    "ErrorPath",
    "Cause",
    "CausePath",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "ItemsPath",
    "Items",
    "ItemSelector",
    "MaxConcurrency",
    "MaxConcurrencyPath",
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "Label",
];

const MACHINE_FIELDS: &[&str] =
    &["StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage", "ProcessorConfig"];
const RETRIER_FIELDS: &[&str] =
    &["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"];
const CATCHER_FIELDS: &[&str] = &["ErrorEquals", "Next", "ResultPath", "Assign", "Output", "Comment"];
const RULE_FIELDS: &[&str] = &["Variable", "And", "Or", "Not", "Condition", "Next", "Assign", "Output", "Comment"];

/// Decodes the document's root node. Returns `None` only when the root is not an object.
pub fn decode(root: &Node, diags: &mut Diagnostics) -> Option<StateMachine> {
    let mut d = Decoder { diags, nesting: 0 };
    if root.as_object().is_none() {
        d.wrong_type("", root, root.span, "the state machine definition", "an object");
        return None;
    }
    Some(d.machine(root, "", ContainerKind::Top))
}

struct Decoder<'d> {
    diags: &'d mut Diagnostics,
    /// How many Parallel/Map containers enclose the one being decoded.
    nesting: usize,
}

/// Builds a [`Spanned`] for a member's value.
fn spanned<T>(member: &Member, pointer: &str, value: T) -> Spanned<T> {
    Spanned { value, span: member.value.span, pointer: pointer.to_string(), key_span: member.key_span }
}

impl Decoder<'_> {
    fn wrong_type(&mut self, pointer: &str, node: &Node, span: Span, what: &str, expected: &str) {
        self.diags.push(
            Diagnostic::new(
                Code::WrongType,
                pointer,
                span,
                format!("{what} must be {expected}, but is {}", node.type_name()),
            )
            .with_label(format!("expected {expected}")),
        );
    }

    fn unknown_field(&mut self, member: &Member, pointer: &str, known: &[&str], owner: &str) {
        let mut d = Diagnostic::new(
            Code::UnknownField,
            pointer,
            member.key_span,
            format!("{owner} has an unknown field `{}`", member.key),
        )
        .with_label("unknown field");
        if let Some(close) = did_you_mean(&member.key, known.iter().copied()) {
            d = d.with_help(format!("did you mean `{close}`?"));
        }
        self.diags.push(d);
    }

    fn string(&mut self, m: &Member, ptr: &str, owner: &str) -> Option<Spanned<String>> {
        match &m.value.value {
            NodeValue::String(s) => Some(spanned(m, ptr, s.clone())),
            _ => {
                self.wrong_type(ptr, &m.value, m.value.span, &format!("`{}` of {owner}", m.key), "a string");
                None
            }
        }
    }

    fn nullable_string(&mut self, m: &Member, ptr: &str, owner: &str) -> Option<Spanned<Option<String>>> {
        match &m.value.value {
            NodeValue::String(s) => Some(spanned(m, ptr, Some(s.clone()))),
            NodeValue::Null => Some(spanned(m, ptr, None)),
            _ => {
                self.wrong_type(ptr, &m.value, m.value.span, &format!("`{}` of {owner}", m.key), "a string or null");
                None
            }
        }
    }

    fn boolean(&mut self, m: &Member, ptr: &str, owner: &str) -> Option<Spanned<bool>> {
        match &m.value.value {
            NodeValue::Bool(b) => Some(spanned(m, ptr, *b)),
            _ => {
                self.wrong_type(ptr, &m.value, m.value.span, &format!("`{}` of {owner}", m.key), "a boolean");
                None
            }
        }
    }

    fn number(&mut self, m: &Member, ptr: &str, owner: &str) -> Option<Spanned<serde_json::Number>> {
        match &m.value.value {
            NodeValue::Number(n) => Some(spanned(m, ptr, n.clone())),
            _ => {
                self.wrong_type(ptr, &m.value, m.value.span, &format!("`{}` of {owner}", m.key), "a number");
                None
            }
        }
    }

    /// A number, or a string (a JSONata expression; validation checks the query language).
    fn number_or_expr(&mut self, m: &Member, ptr: &str, owner: &str) -> Option<Spanned<NumberOrExpr>> {
        match &m.value.value {
            NodeValue::Number(n) => Some(spanned(m, ptr, NumberOrExpr::Number(n.clone()))),
            NodeValue::String(s) => Some(spanned(m, ptr, NumberOrExpr::Expr(s.clone()))),
            _ => {
                let what = format!("`{}` of {owner}", m.key);
                self.wrong_type(ptr, &m.value, m.value.span, &what, "a number (or a JSONata `{% %}` expression)");
                None
            }
        }
    }

    fn object_node(&mut self, m: &Member, ptr: &str, owner: &str) -> Option<Spanned<Node>> {
        if m.value.as_object().is_some() {
            Some(spanned(m, ptr, m.value.clone()))
        } else {
            self.wrong_type(ptr, &m.value, m.value.span, &format!("`{}` of {owner}", m.key), "an object");
            None
        }
    }

    fn any(m: &Member, ptr: &str) -> Option<Spanned<Node>> {
        Some(spanned(m, ptr, m.value.clone()))
    }

    fn query_language(&mut self, m: &Member, ptr: &str, owner: &str) -> Option<Spanned<QueryLanguage>> {
        let s = self.string(m, ptr, owner)?;
        let ql = match s.value.as_str() {
            "JSONPath" => QueryLanguage::JsonPath,
            "JSONata" => QueryLanguage::Jsonata,
            other => {
                let mut d = Diagnostic::new(
                    Code::InvalidEnumValue,
                    ptr,
                    s.span,
                    format!("`QueryLanguage` of {owner} must be \"JSONPath\" or \"JSONata\", not {other:?}"),
                );
                if let Some(close) = did_you_mean(other, ["JSONPath", "JSONata"]) {
                    d = d.with_help(format!("did you mean `{close}`?"));
                }
                self.diags.push(d);
                return None;
            }
        };
        Some(Spanned { value: ql, span: s.span, pointer: s.pointer, key_span: s.key_span })
    }

    fn keys(members: &[Member], pointer: &str) -> Vec<Spanned<String>> {
        members
            .iter()
            .map(|m| Spanned {
                value: m.key.clone(),
                span: m.key_span,
                pointer: pointer_push(pointer, &m.key),
                key_span: m.key_span,
            })
            .collect()
    }

    fn machine(&mut self, node: &Node, pointer: &str, kind: ContainerKind) -> StateMachine {
        let members = node.as_object().unwrap_or(&[]);
        let owner = match kind {
            ContainerKind::Top => "the state machine",
            ContainerKind::Branch => "this Parallel branch",
            ContainerKind::Processor => "this Map processor",
        };
        // Below the nesting limit nothing is decoded: validation reports the container
        // (TooDeeplyNested) and decoding deeper would only grow the stack.
        let too_deep = self.nesting > MAX_NESTING;
        let members = if too_deep { &[] } else { members };
        let mut sm = StateMachine {
            kind,
            span: node.span,
            pointer: pointer.to_string(),
            start_at: None,
            states: None,
            comment: None,
            version: None,
            timeout_seconds: None,
            query_language: None,
            processor_config: None,
            keys: Self::keys(members, pointer),
        };
        for m in members {
            let ptr = pointer_push(pointer, &m.key);
            let allowed = match m.key.as_str() {
                "StartAt" | "States" | "Comment" => true,
                "Version" | "TimeoutSeconds" | "QueryLanguage" => kind == ContainerKind::Top,
                "ProcessorConfig" => kind == ContainerKind::Processor,
                _ => {
                    self.unknown_field(m, &ptr, MACHINE_FIELDS, owner);
                    continue;
                }
            };
            if !allowed {
                self.diags.push(
                    Diagnostic::new(
                        Code::FieldNotSupported,
                        &ptr,
                        m.key_span,
                        format!("Field '{}' is not supported in {owner}", m.key),
                    )
                    .with_label("not supported here"),
                );
                continue;
            }
            match m.key.as_str() {
                "StartAt" => sm.start_at = self.string(m, &ptr, owner),
                "States" => sm.states = self.states(m, &ptr),
                "Comment" => sm.comment = self.string(m, &ptr, owner),
                "Version" => sm.version = self.string(m, &ptr, owner),
                "TimeoutSeconds" => sm.timeout_seconds = self.number(m, &ptr, owner),
                "QueryLanguage" => sm.query_language = self.query_language(m, &ptr, owner),
                "ProcessorConfig" => sm.processor_config = self.processor_config(m, &ptr),
                _ => {}
            }
        }
        sm
    }

    /// Decodes a Parallel branch or Map processor one nesting level deeper.
    fn nested(&mut self, node: &Node, pointer: &str, kind: ContainerKind) -> StateMachine {
        self.nesting += 1;
        let machine = self.machine(node, pointer, kind);
        self.nesting -= 1;
        machine
    }

    fn processor_config(&mut self, m: &Member, ptr: &str) -> Option<Spanned<ProcessorConfig>> {
        let owner = "ProcessorConfig";
        let Some(members) = m.value.as_object() else {
            self.wrong_type(ptr, &m.value, m.value.span, "`ProcessorConfig`", "an object");
            return None;
        };
        let mut pc = ProcessorConfig::default();
        for f in members {
            let p = pointer_push(ptr, &f.key);
            match f.key.as_str() {
                "Mode" => pc.mode = self.string(f, &p, owner),
                "ExecutionType" => pc.execution_type = self.string(f, &p, owner),
                _ => self.unknown_field(f, &p, &["Mode", "ExecutionType"], owner),
            }
        }
        Some(spanned(m, ptr, pc))
    }

    fn states(&mut self, m: &Member, ptr: &str) -> Option<Spanned<Vec<State>>> {
        let Some(members) = m.value.as_object() else {
            self.wrong_type(ptr, &m.value, m.value.span, "`States`", "an object mapping state names to states");
            return None;
        };
        let states = members
            .iter()
            .filter_map(|s| {
                let p = pointer_push(ptr, &s.key);
                if s.value.as_object().is_none() {
                    self.wrong_type(&p, &s.value, s.value.span, &format!("state `{}`", s.key), "an object");
                    return None;
                }
                Some(self.state(s, &p))
            })
            .collect();
        Some(spanned(m, ptr, states))
    }

    fn state(&mut self, member: &Member, pointer: &str) -> State {
        let members = member.value.as_object().unwrap_or(&[]);
        let name = Spanned {
            value: member.key.clone(),
            span: member.key_span,
            pointer: pointer.to_string(),
            key_span: member.key_span,
        };
        let owner = format!("state `{}`", member.key);
        let mut s = State {
            name,
            span: member.value.span,
            pointer: pointer.to_string(),
            keys: Self::keys(members, pointer),
            state_type: None,
            comment: None,
            query_language: None,
            next: None,
            end: None,
            input_path: None,
            output_path: None,
            result_path: None,
            parameters: None,
            result_selector: None,
            arguments: None,
            output: None,
            assign: None,
            retry: None,
            catch: None,
            resource: None,
            timeout_seconds: None,
            timeout_seconds_path: None,
            heartbeat_seconds: None,
            heartbeat_seconds_path: None,
            credentials: None,
            result: None,
            choices: None,
            default: None,
            seconds: None,
            seconds_path: None,
            timestamp: None,
            timestamp_path: None,
            error: None,
            error_path: None,
            cause: None,
            cause_path: None,
            branches: None,
            item_processor: None,
            iterator: None,
            items_path: None,
            items: None,
            item_selector: None,
            max_concurrency: None,
            max_concurrency_path: None,
            item_reader: None,
            item_batcher: None,
            result_writer: None,
            tolerated_failure_percentage: None,
            tolerated_failure_percentage_path: None,
            tolerated_failure_count: None,
            tolerated_failure_count_path: None,
            label: None,
        };
        for m in members {
            let p = pointer_push(pointer, &m.key);
            let o = owner.as_str();
            match m.key.as_str() {
                "Type" => s.state_type = self.state_type(m, &p, o),
                "Comment" => s.comment = self.string(m, &p, o),
                "QueryLanguage" => s.query_language = self.query_language(m, &p, o),
                "Next" => s.next = self.string(m, &p, o),
                "End" => s.end = self.boolean(m, &p, o),
                "InputPath" => s.input_path = self.nullable_string(m, &p, o),
                "OutputPath" => s.output_path = self.nullable_string(m, &p, o),
                "ResultPath" => s.result_path = self.nullable_string(m, &p, o),
                "Parameters" => s.parameters = Self::any(m, &p),
                "ResultSelector" => s.result_selector = Self::any(m, &p),
                "Arguments" => s.arguments = Self::any(m, &p),
                "Output" => s.output = Self::any(m, &p),
                "Assign" => s.assign = self.object_node(m, &p, o),
                "Retry" => s.retry = self.array(m, &p, o, Self::retrier),
                "Catch" => s.catch = self.array(m, &p, o, Self::catcher),
                "Resource" => s.resource = self.string(m, &p, o),
                "TimeoutSeconds" => s.timeout_seconds = self.number_or_expr(m, &p, o),
                "TimeoutSecondsPath" => s.timeout_seconds_path = self.string(m, &p, o),
                "HeartbeatSeconds" => s.heartbeat_seconds = self.number_or_expr(m, &p, o),
                "HeartbeatSecondsPath" => s.heartbeat_seconds_path = self.string(m, &p, o),
                "Credentials" => s.credentials = self.object_node(m, &p, o),
                "Result" => s.result = Self::any(m, &p),
                "Choices" => s.choices = self.array(m, &p, o, |d, n, p| d.rule(n, p, true)),
                "Default" => s.default = self.string(m, &p, o),
                "Seconds" => s.seconds = self.number_or_expr(m, &p, o),
                "SecondsPath" => s.seconds_path = self.string(m, &p, o),
                "Timestamp" => s.timestamp = self.string(m, &p, o),
                "TimestampPath" => s.timestamp_path = self.string(m, &p, o),
                "Error" => s.error = self.string(m, &p, o),
                "ErrorPath" => s.error_path = self.string(m, &p, o),
                "Cause" => s.cause = self.string(m, &p, o),
                "CausePath" => s.cause_path = self.string(m, &p, o),
                "Branches" => s.branches = self.array(m, &p, o, |d, n, p| Some(d.machine(n, p, ContainerKind::Branch))),
                "ItemProcessor" => s.item_processor = self.processor(m, &p, o),
                "Iterator" => s.iterator = self.processor(m, &p, o),
                "ItemsPath" => s.items_path = self.string(m, &p, o),
                "Items" => s.items = Self::any(m, &p),
                "ItemSelector" => s.item_selector = Self::any(m, &p),
                "MaxConcurrency" => s.max_concurrency = self.number_or_expr(m, &p, o),
                "MaxConcurrencyPath" => s.max_concurrency_path = self.string(m, &p, o),
                "ItemReader" => s.item_reader = self.object_node(m, &p, o),
                "ItemBatcher" => s.item_batcher = self.object_node(m, &p, o),
                "ResultWriter" => s.result_writer = self.object_node(m, &p, o),
                "ToleratedFailurePercentage" => s.tolerated_failure_percentage = self.number_or_expr(m, &p, o),
                "ToleratedFailurePercentagePath" => s.tolerated_failure_percentage_path = self.string(m, &p, o),
                "ToleratedFailureCount" => s.tolerated_failure_count = self.number_or_expr(m, &p, o),
                "ToleratedFailureCountPath" => s.tolerated_failure_count_path = self.string(m, &p, o),
                "Label" => s.label = self.string(m, &p, o),
                _ => self.unknown_field(m, &p, STATE_FIELDS, o),
            }
        }
        // `Iterator` alone is the legacy spelling of `ItemProcessor`: keep one field downstream.
        if s.item_processor.is_none() {
            s.item_processor = s.iterator.take();
        }
        s
    }

    fn state_type(&mut self, m: &Member, ptr: &str, owner: &str) -> Option<Spanned<StateType>> {
        let s = self.string(m, ptr, owner)?;
        match StateType::from_name(&s.value) {
            Some(t) => Some(Spanned { value: t, span: s.span, pointer: s.pointer, key_span: s.key_span }),
            None => {
                let names: Vec<&str> = StateType::ALL.iter().map(|t| t.as_str()).collect();
                let mut d = Diagnostic::new(
                    Code::InvalidStateType,
                    ptr,
                    s.span,
                    format!(
                        "The field 'Type' of {owner} should have one of these values: [{}], not {:?}",
                        names.join(", "),
                        s.value
                    ),
                )
                .with_label("unknown state type");
                if let Some(close) = did_you_mean(&s.value, names.iter().copied()) {
                    d = d.with_help(format!("did you mean `{close}`?"));
                }
                self.diags.push(d);
                None
            }
        }
    }

    fn processor(&mut self, m: &Member, ptr: &str, owner: &str) -> Option<Spanned<StateMachine>> {
        if m.value.as_object().is_none() {
            self.wrong_type(ptr, &m.value, m.value.span, &format!("`{}` of {owner}", m.key), "an object");
            return None;
        }
        Some(spanned(m, ptr, self.nested(&m.value, ptr, ContainerKind::Processor)))
    }

    /// An array whose elements are decoded by `item`; elements that fail are dropped.
    fn array<T>(
        &mut self,
        m: &Member,
        ptr: &str,
        owner: &str,
        mut item: impl FnMut(&mut Self, &Node, &str) -> Option<T>,
    ) -> Option<Spanned<Vec<T>>> {
        let Some(items) = m.value.as_array() else {
            self.wrong_type(ptr, &m.value, m.value.span, &format!("`{}` of {owner}", m.key), "an array");
            return None;
        };
        let decoded =
            items.iter().enumerate().filter_map(|(i, n)| item(self, n, &pointer_push(ptr, &i.to_string()))).collect();
        Some(spanned(m, ptr, decoded))
    }

    fn object_members<'n>(&mut self, node: &'n Node, ptr: &str, what: &str) -> Option<&'n [Member]> {
        let members = node.as_object();
        if members.is_none() {
            self.wrong_type(ptr, node, node.span, what, "an object");
        }
        members
    }

    fn error_equals(&mut self, m: &Member, ptr: &str, owner: &str) -> Option<Spanned<Vec<Spanned<String>>>> {
        self.array(m, ptr, owner, |d, n, p| match &n.value {
            NodeValue::String(s) => {
                Some(Spanned { value: s.clone(), span: n.span, pointer: p.to_string(), key_span: n.span })
            }
            _ => {
                d.wrong_type(p, n, n.span, "an error name in `ErrorEquals`", "a string");
                None
            }
        })
    }

    fn retrier(&mut self, node: &Node, ptr: &str) -> Option<Retrier> {
        let members = self.object_members(node, ptr, "a retrier")?;
        let owner = "this retrier";
        let mut r = Retrier {
            span: node.span,
            pointer: ptr.to_string(),
            error_equals: None,
            interval_seconds: None,
            max_attempts: None,
            backoff_rate: None,
            max_delay_seconds: None,
            jitter_strategy: None,
            comment: None,
        };
        for m in members {
            let p = pointer_push(ptr, &m.key);
            match m.key.as_str() {
                "ErrorEquals" => r.error_equals = self.error_equals(m, &p, owner),
                "IntervalSeconds" => r.interval_seconds = self.number(m, &p, owner),
                "MaxAttempts" => r.max_attempts = self.number(m, &p, owner),
                "BackoffRate" => r.backoff_rate = self.number(m, &p, owner),
                "MaxDelaySeconds" => r.max_delay_seconds = self.number(m, &p, owner),
                "JitterStrategy" => r.jitter_strategy = self.string(m, &p, owner),
                "Comment" => r.comment = self.string(m, &p, owner),
                _ => self.unknown_field(m, &p, RETRIER_FIELDS, owner),
            }
        }
        Some(r)
    }

    fn catcher(&mut self, node: &Node, ptr: &str) -> Option<Catcher> {
        let members = self.object_members(node, ptr, "a catcher")?;
        let owner = "this catcher";
        let mut c = Catcher {
            span: node.span,
            pointer: ptr.to_string(),
            error_equals: None,
            next: None,
            result_path: None,
            assign: None,
            output: None,
            comment: None,
        };
        for m in members {
            let p = pointer_push(ptr, &m.key);
            match m.key.as_str() {
                "ErrorEquals" => c.error_equals = self.error_equals(m, &p, owner),
                "Next" => c.next = self.string(m, &p, owner),
                "ResultPath" => c.result_path = self.nullable_string(m, &p, owner),
                "Assign" => c.assign = self.object_node(m, &p, owner),
                "Output" => c.output = Self::any(m, &p),
                "Comment" => c.comment = self.string(m, &p, owner),
                _ => self.unknown_field(m, &p, CATCHER_FIELDS, owner),
            }
        }
        Some(c)
    }

    fn rule(&mut self, node: &Node, ptr: &str, top_level: bool) -> Option<ChoiceRule> {
        let members = self.object_members(node, ptr, "a Choice rule")?;
        let owner = if top_level { "this Choice rule" } else { "this nested Choice rule" };
        let mut r = ChoiceRule {
            span: node.span,
            pointer: ptr.to_string(),
            keys: Self::keys(members, ptr),
            variable: None,
            comparisons: Vec::new(),
            and: None,
            or: None,
            not: None,
            condition: None,
            next: None,
            assign: None,
            output: None,
            comment: None,
        };
        for m in members {
            let p = pointer_push(ptr, &m.key);
            match m.key.as_str() {
                "Variable" => r.variable = self.string(m, &p, owner),
                "And" => r.and = self.array(m, &p, owner, |d, n, p| d.rule(n, p, false)),
                "Or" => r.or = self.array(m, &p, owner, |d, n, p| d.rule(n, p, false)),
                "Not" => {
                    r.not = self.rule(&m.value, &p, false).map(|rule| spanned(m, &p, Box::new(rule)));
                }
                "Condition" => r.condition = Self::any(m, &p),
                "Next" => r.next = self.string(m, &p, owner),
                "Assign" => r.assign = self.object_node(m, &p, owner),
                "Output" => r.output = Self::any(m, &p),
                "Comment" => r.comment = self.string(m, &p, owner),
                key => match Operator::from_key(key) {
                    Some((operator, is_path)) => {
                        r.comparisons.push(Comparison { operator, is_path, operand: spanned(m, &p, m.value.clone()) })
                    }
                    None => {
                        let operators: Vec<String> = Operator::ALL
                            .iter()
                            .flat_map(|o| {
                                let path = o.has_path_variant().then(|| format!("{}Path", o.as_str()));
                                std::iter::once(o.as_str().to_string()).chain(path)
                            })
                            .collect();
                        let known = RULE_FIELDS.iter().copied().chain(operators.iter().map(String::as_str));
                        let known: Vec<&str> = known.collect();
                        self.unknown_field(m, &p, &known, owner);
                    }
                },
            }
        }
        Some(r)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::json;

    fn decode_text(text: &str) -> (Option<StateMachine>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let node = json::parse(text, &mut diags);
        let sm = node.as_ref().and_then(|n| decode(n, &mut diags));
        (sm, diags)
    }

    #[test]
    fn decodes_states_with_positions() {
        let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}"#;
        let (sm, diags) = decode_text(text);
        assert!(diags.is_empty(), "{diags:?}");
        let sm = sm.expect("decoded");
        let a = &sm.states()[0];
        assert_eq!(a.ty(), Some(StateType::Pass));
        let next = a.next.as_ref().expect("next");
        assert_eq!(&text[next.span.start..next.span.end], "\"B\"");
        assert_eq!(next.pointer, "/States/A/Next");
    }

    #[test]
    fn unknown_field_suggests_the_right_one() {
        let (_, diags) = decode_text(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Nxt": "B"}}}"#);
        let d = diags.iter().next().expect("a diagnostic");
        assert_eq!(d.code, Code::UnknownField);
        assert_eq!(d.help.as_deref(), Some("did you mean `Next`?"));
    }

    #[test]
    fn wrong_types_are_reported_and_decoding_goes_on() {
        let (sm, diags) =
            decode_text(r#"{"StartAt": 1, "States": {"A": {"Type": "Pass", "End": "yes", "Comment": 3}}}"#);
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec![Code::WrongType, Code::WrongType, Code::WrongType]);
        assert_eq!(sm.map(|s| s.states().len()), Some(1));
    }

    #[test]
    fn choice_operators_are_recognised() {
        let (sm, diags) = decode_text(
            r#"{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
                {"Variable": "$.x", "NumericEqualsPath": "$.y", "Next": "C"},
                {"Not": {"Variable": "$.x", "IsPresent": true}, "Next": "C"}]}}}"#,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let sm = sm.expect("decoded");
        let rules = &sm.states()[0].choices.as_ref().expect("choices").value;
        assert_eq!(rules[0].comparisons[0].operator, Operator::NumericEquals);
        assert!(rules[0].comparisons[0].is_path);
        assert!(rules[1].not.is_some());
    }

    #[test]
    fn invalid_type_lists_the_values() {
        let (_, diags) = decode_text(r#"{"StartAt": "A", "States": {"A": {"Type": "Tsk"}}}"#);
        let d = diags.iter().next().expect("a diagnostic");
        assert_eq!(d.code, Code::InvalidStateType);
        assert_eq!(d.help.as_deref(), Some("did you mean `Task`?"));
    }
}
