//! Validated model → IR. Resolves state names to indices, applies defaults and parses
//! every string that has syntax.
//!
//! Lowering runs only on definitions that passed validation, so every lookup is expected
//! to succeed. It still never panics: anything unexpected becomes a diagnostic at the
//! offending field, so a gap in validation surfaces as a clear error instead of a crash.

use std::collections::HashMap;

use serde_json::Value;

use crate::ast::{self, ContainerKind, NumberOrExpr, QueryLanguage, Spanned};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::ir::*;
use crate::node::{Node, NodeValue};
use crate::path::{DollarValue, JsonPath, parse_dollar_value, parse_path, parse_reference_path};

/// Lowers a validated definition.
pub(crate) fn lower(machine: &ast::StateMachine) -> Result<Machine, Diagnostics> {
    let query_language = machine.query_language.as_ref().map_or(QueryLanguage::JsonPath, |q| q.value);
    let mut lowerer = Lowerer { top_query_language: query_language, containers: Vec::new(), diags: Diagnostics::new() };
    lowerer.container(machine, None);
    let Lowerer { containers, diags, .. } = lowerer;
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Machine {
        containers,
        query_language,
        timeout_seconds: machine.timeout_seconds.as_ref().and_then(|t| t.value.as_u64()),
        comment: machine.comment.as_ref().map(|c| c.value.clone()),
    })
}

struct Lowerer {
    top_query_language: QueryLanguage,
    containers: Vec<Container>,
    diags: Diagnostics,
}

/// State name → index within one container.
type Names<'a> = HashMap<&'a str, StateId>;

impl Lowerer {
    fn internal(&mut self, pointer: &str, span: crate::Span, what: String) {
        self.diags.push(
            Diagnostic::new(Code::WrongType, pointer, span, format!("cannot compile this field: {what}"))
                .with_note("validation should have reported this; please file a bug with this definition"),
        );
    }

    /// Lowers one container and (recursively) the containers nested in its states.
    /// Reserves the container's slot first so ids follow depth-first order.
    fn container(&mut self, machine: &ast::StateMachine, owner: Option<Owner>) -> ContainerId {
        let id = ContainerId(self.containers.len());
        let processor = (machine.kind == ContainerKind::Processor).then(|| processor_mode(machine));
        self.containers.push(Container { kind: machine.kind, owner, states: Vec::new(), start: StateId(0), processor });
        let names: Names<'_> =
            machine.states().iter().enumerate().map(|(i, s)| (s.name.value.as_str(), StateId(i))).collect();
        let start = match &machine.start_at {
            Some(s) => self.target(&names, s),
            None => StateId(0),
        };
        let states = machine.states().iter().enumerate().map(|(i, s)| self.state(s, &names, id, StateId(i))).collect();
        let container = &mut self.containers[id.0];
        container.states = states;
        container.start = start;
        id
    }

    fn target(&mut self, names: &Names<'_>, name: &Spanned<String>) -> StateId {
        match names.get(name.value.as_str()) {
            Some(id) => *id,
            None => {
                self.internal(&name.pointer, name.span, format!("no state named `{}` here", name.value));
                StateId(0)
            }
        }
    }

    fn state(&mut self, s: &ast::State, names: &Names<'_>, container: ContainerId, id: StateId) -> State {
        let query_language = s.query_language.as_ref().map_or(self.top_query_language, |q| q.value);
        let jsonata = query_language == QueryLanguage::Jsonata;
        let transition = match (&s.next, &s.end) {
            (Some(next), _) => Transition::Next(self.target(names, next)),
            (None, Some(_)) => Transition::End,
            (None, None) if s.ty() == Some(ast::StateType::Succeed) => Transition::End,
            (None, None) => Transition::None,
        };
        let io = Io {
            input_path: s.input_path.as_ref().map(|p| self.nullable_path(p, false)),
            parameters: s
                .parameters
                .as_ref()
                .filter(|_| s.ty() != Some(ast::StateType::Map))
                .map(|t| self.template(t, jsonata)),
            result_selector: s.result_selector.as_ref().map(|t| self.template(t, jsonata)),
            result_path: s.result_path.as_ref().map(|p| self.nullable_path(p, true)),
            output_path: s.output_path.as_ref().map(|p| self.nullable_path(p, false)),
            arguments: s.arguments.as_ref().map(|t| self.template(t, true)),
            output: s.output.as_ref().map(|t| self.template(t, true)),
        };
        let assign = s.assign.as_ref().map(|t| self.template(t, jsonata));
        let kind = match s.ty() {
            Some(ast::StateType::Pass) => StateKind::Pass { result: s.result.as_ref().map(|r| r.value.to_json()) },
            Some(ast::StateType::Task) => StateKind::Task(Box::new(self.task(s, names, jsonata))),
            Some(ast::StateType::Choice) => self.choice(s, names, jsonata),
            Some(ast::StateType::Wait) => StateKind::Wait(self.wait(s)),
            Some(ast::StateType::Succeed) => StateKind::Succeed,
            Some(ast::StateType::Fail) => StateKind::Fail {
                error: self.fail_text(s.error.as_ref(), s.error_path.as_ref()),
                cause: self.fail_text(s.cause.as_ref(), s.cause_path.as_ref()),
            },
            Some(ast::StateType::Parallel) => {
                let branches = s.branches.as_ref().map_or(&[][..], |b| &b.value[..]);
                let branches = branches
                    .iter()
                    .enumerate()
                    .map(|(index, b)| self.container(b, Some(Owner { container, state: id, index })))
                    .collect();
                StateKind::Parallel { branches, recovery: self.recovery(s, names, jsonata) }
            }
            Some(ast::StateType::Map) => StateKind::Map(Box::new(self.map(s, names, container, id, jsonata))),
            None => {
                self.internal(&s.pointer, s.name.span, "the state has no valid `Type`".into());
                StateKind::Succeed
            }
        };
        State { name: s.name.value.clone(), query_language, transition, io, assign, kind }
    }

    fn path(&mut self, text: &Spanned<String>, reference: bool) -> Option<JsonPath> {
        let parsed = if reference { parse_reference_path(&text.value) } else { parse_path(&text.value) };
        match parsed {
            Ok(p) => Some(p),
            Err(e) => {
                self.internal(&text.pointer, text.span, e.message);
                None
            }
        }
    }

    fn nullable_path(&mut self, p: &Spanned<Option<String>>, reference: bool) -> Option<JsonPath> {
        let text = p.value.as_ref()?;
        let spanned = Spanned { value: text.clone(), span: p.span, pointer: p.pointer.clone(), key_span: p.key_span };
        self.path(&spanned, reference)
    }

    /// A payload template (JSONPath: `.$` keys) or a JSONata value (`{% %}` strings).
    fn template(&mut self, t: &Spanned<Node>, jsonata: bool) -> Template {
        self.template_node(&t.value, &t.pointer, jsonata)
    }

    fn template_node(&mut self, node: &Node, pointer: &str, jsonata: bool) -> Template {
        let template = match &node.value {
            NodeValue::Object(members) => Template::Object(
                members
                    .iter()
                    .map(|m| {
                        let child = crate::node::pointer_push(pointer, &m.key);
                        match m.key.strip_suffix(".$").filter(|_| !jsonata) {
                            Some(key) => (key.to_string(), self.dollar_value(&m.value, &child)),
                            None => (m.key.clone(), self.template_node(&m.value, &child, jsonata)),
                        }
                    })
                    .collect(),
            ),
            NodeValue::Array(items) => Template::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| self.template_node(n, &crate::node::pointer_push(pointer, &i.to_string()), jsonata))
                    .collect(),
            ),
            NodeValue::String(s) if jsonata => match jsonata_expression(s) {
                Some(expr) => Template::Jsonata(expr.to_string()),
                None => Template::Literal(Value::String(s.clone())),
            },
            _ => Template::Literal(node.to_json()),
        };
        fold_literal(template)
    }

    fn dollar_value(&mut self, node: &Node, pointer: &str) -> Template {
        let Some(text) = node.as_str() else {
            self.internal(pointer, node.span, "a `.$` value must be a string".into());
            return Template::Literal(Value::Null);
        };
        match parse_dollar_value(text) {
            Ok(DollarValue::Path(p)) => Template::Path(p),
            Ok(DollarValue::Intrinsic(call)) => Template::Intrinsic(Intrinsic { call, text: text.to_string() }),
            Err(e) => {
                self.internal(pointer, node.span, e.message);
                Template::Literal(Value::Null)
            }
        }
    }

    fn dynamic_u64(
        &mut self,
        literal: Option<&Spanned<NumberOrExpr>>,
        path: Option<&Spanned<String>>,
    ) -> Option<Dynamic<u64>> {
        if let Some(p) = path {
            return self.path(p, true).map(Dynamic::Path);
        }
        let l = literal?;
        match &l.value {
            NumberOrExpr::Number(n) => match n.as_u64() {
                Some(v) => Some(Dynamic::Literal(v)),
                None => {
                    self.internal(&l.pointer, l.span, format!("{n} is not a non-negative integer"));
                    None
                }
            },
            NumberOrExpr::Expr(e) => self.expression(e, l).map(Dynamic::Jsonata),
        }
    }

    fn dynamic_f64(
        &mut self,
        literal: Option<&Spanned<NumberOrExpr>>,
        path: Option<&Spanned<String>>,
    ) -> Option<Dynamic<f64>> {
        if let Some(p) = path {
            return self.path(p, true).map(Dynamic::Path);
        }
        let l = literal?;
        match &l.value {
            NumberOrExpr::Number(n) => n.as_f64().map(Dynamic::Literal),
            NumberOrExpr::Expr(e) => self.expression(e, l).map(Dynamic::Jsonata),
        }
    }

    fn expression<T>(&mut self, text: &str, at: &Spanned<T>) -> Option<String> {
        match jsonata_expression(text) {
            Some(e) => Some(e.to_string()),
            None => {
                self.internal(&at.pointer, at.span, format!("{text:?} is not a number or a `{{% %}}` expression"));
                None
            }
        }
    }

    fn task(&mut self, s: &ast::State, names: &Names<'_>, jsonata: bool) -> Task {
        let resource = match &s.resource {
            Some(r) => classify_resource(&r.value),
            None => classify_resource(""),
        };
        Task {
            resource,
            timeout: self.dynamic_u64(s.timeout_seconds.as_ref(), s.timeout_seconds_path.as_ref()),
            heartbeat: self.dynamic_u64(s.heartbeat_seconds.as_ref(), s.heartbeat_seconds_path.as_ref()),
            credentials: s.credentials.as_ref().map(|c| self.template(c, jsonata)),
            recovery: self.recovery(s, names, jsonata),
        }
    }

    fn recovery(&mut self, s: &ast::State, names: &Names<'_>, jsonata: bool) -> Recovery {
        let retriers = s.retry.iter().flat_map(|r| r.value.iter()).map(retrier).collect();
        let catchers = s
            .catch
            .iter()
            .flat_map(|c| c.value.iter())
            .map(|c| Catcher {
                errors: error_match(c.error_equals.as_ref()),
                next: match &c.next {
                    Some(n) => self.target(names, n),
                    None => StateId(0),
                },
                result_path: c.result_path.as_ref().map(|p| self.nullable_path(p, true)),
                assign: c.assign.as_ref().map(|a| self.template(a, jsonata)),
                output: c.output.as_ref().map(|o| self.template(o, true)),
            })
            .collect();
        Recovery { retriers, catchers }
    }

    fn choice(&mut self, s: &ast::State, names: &Names<'_>, jsonata: bool) -> StateKind {
        let rules = s
            .choices
            .iter()
            .flat_map(|c| c.value.iter())
            .map(|rule| ChoiceBranch {
                condition: self.condition(rule),
                next: match &rule.next {
                    Some(n) => self.target(names, n),
                    None => StateId(0),
                },
                assign: rule.assign.as_ref().map(|a| self.template(a, jsonata)),
                output: rule.output.as_ref().map(|o| self.template(o, true)),
            })
            .collect();
        let default = s.default.as_ref().map(|d| self.target(names, d));
        StateKind::Choice { rules, default }
    }

    fn condition(&mut self, rule: &ast::ChoiceRule) -> Condition {
        if let Some(c) = &rule.condition {
            return match &c.value.value {
                NodeValue::Bool(b) => Condition::Constant(*b),
                NodeValue::String(text) => match jsonata_expression(text) {
                    Some(e) => Condition::Jsonata(e.to_string()),
                    None => {
                        self.internal(&c.pointer, c.span, "`Condition` must be a `{% %}` expression".into());
                        Condition::Constant(false)
                    }
                },
                _ => {
                    self.internal(&c.pointer, c.span, "`Condition` must be a boolean or an expression".into());
                    Condition::Constant(false)
                }
            };
        }
        if let Some(and) = &rule.and {
            return Condition::And(and.value.iter().map(|r| self.condition(r)).collect());
        }
        if let Some(or) = &rule.or {
            return Condition::Or(or.value.iter().map(|r| self.condition(r)).collect());
        }
        if let Some(not) = &rule.not {
            return Condition::Not(Box::new(self.condition(&not.value)));
        }
        let (Some(variable), Some(cmp)) = (&rule.variable, rule.comparisons.first()) else {
            self.internal(&rule.pointer, rule.span, "a Choice rule needs `Variable` and an operator".into());
            return Condition::Constant(false);
        };
        let variable = self.path(variable, false);
        let operand = &cmp.operand;
        let lowered = if cmp.is_path {
            operand
                .value
                .as_str()
                .and_then(|p| self.path(&Spanned { value: p.to_string(), ..operand_span(operand) }, true))
                .map(Operand::Path)
        } else {
            match &operand.value.value {
                NodeValue::String(s) => Some(Operand::String(s.clone())),
                NodeValue::Number(n) => Some(Operand::Number(n.clone())),
                NodeValue::Bool(b) => Some(Operand::Bool(*b)),
                _ => None,
            }
        };
        match (variable, lowered) {
            (Some(variable), Some(operand)) => Condition::Compare { variable, operator: cmp.operator, operand },
            _ => {
                self.internal(&operand.pointer, operand.span, "invalid comparison operand".into());
                Condition::Constant(false)
            }
        }
    }

    fn wait(&mut self, s: &ast::State) -> WaitFor {
        if s.seconds.is_some() || s.seconds_path.is_some() {
            let seconds = self.dynamic_u64(s.seconds.as_ref(), s.seconds_path.as_ref());
            return WaitFor::Seconds(seconds.unwrap_or(Dynamic::Literal(0)));
        }
        if let Some(path) = s.timestamp_path.as_ref().and_then(|p| self.path(p, true)) {
            return WaitFor::Timestamp(Dynamic::Path(path));
        }
        match &s.timestamp {
            Some(t) => match jsonata_expression(&t.value) {
                Some(e) => WaitFor::Timestamp(Dynamic::Jsonata(e.to_string())),
                None => WaitFor::Timestamp(Dynamic::Literal(t.value.clone())),
            },
            None => WaitFor::Seconds(Dynamic::Literal(0)),
        }
    }

    fn fail_text(&mut self, literal: Option<&Spanned<String>>, path: Option<&Spanned<String>>) -> Option<FailText> {
        if let Some(p) = path {
            return match parse_dollar_value(&p.value) {
                Ok(DollarValue::Path(path)) => Some(FailText::Path(path)),
                Ok(DollarValue::Intrinsic(call)) => {
                    Some(FailText::Intrinsic(Intrinsic { call, text: p.value.clone() }))
                }
                Err(e) => {
                    self.internal(&p.pointer, p.span, e.message);
                    None
                }
            };
        }
        let l = literal?;
        Some(match jsonata_expression(&l.value) {
            Some(e) => FailText::Jsonata(e.to_string()),
            None => FailText::Literal(l.value.clone()),
        })
    }

    fn map(
        &mut self,
        s: &ast::State,
        names: &Names<'_>,
        container: ContainerId,
        id: StateId,
        jsonata: bool,
    ) -> MapState {
        let processor = match &s.item_processor {
            Some(p) => self.container(&p.value, Some(Owner { container, state: id, index: 0 })),
            None => {
                self.internal(&s.pointer, s.name.span, "a Map state needs an `ItemProcessor`".into());
                ContainerId(0)
            }
        };
        // Legacy `Parameters` on a Map is its item template (today's `ItemSelector`).
        let selector = s.item_selector.as_ref().or(s.parameters.as_ref());
        MapState {
            processor,
            items_path: s.items_path.as_ref().and_then(|p| self.path(p, true)),
            items: s.items.as_ref().map(|i| self.template(i, true)),
            item_selector: selector.map(|t| self.template(t, jsonata)),
            max_concurrency: self.dynamic_u64(s.max_concurrency.as_ref(), s.max_concurrency_path.as_ref()),
            tolerated_failure_percentage: self
                .dynamic_f64(s.tolerated_failure_percentage.as_ref(), s.tolerated_failure_percentage_path.as_ref()),
            tolerated_failure_count: self
                .dynamic_u64(s.tolerated_failure_count.as_ref(), s.tolerated_failure_count_path.as_ref()),
            item_reader: s.item_reader.as_ref().map(|t| self.template(t, jsonata)),
            item_batcher: s.item_batcher.as_ref().map(|t| self.template(t, jsonata)),
            result_writer: s.result_writer.as_ref().map(|t| self.template(t, jsonata)),
            label: s.label.as_ref().map(|l| l.value.clone()),
            recovery: self.recovery(s, names, jsonata),
        }
    }
}

fn operand_span(operand: &Spanned<Node>) -> Spanned<String> {
    Spanned { value: String::new(), span: operand.span, pointer: operand.pointer.clone(), key_span: operand.key_span }
}

/// The expression inside `{% … %}`, if `text` is one.
pub(crate) fn jsonata_expression(text: &str) -> Option<&str> {
    text.strip_prefix("{%")?.strip_suffix("%}").map(str::trim)
}

/// Collapses a template with no computed part into a literal, so the runtime copies
/// constants instead of rebuilding them.
fn fold_literal(template: Template) -> Template {
    match template {
        Template::Object(members) if members.iter().all(|(_, t)| matches!(t, Template::Literal(_))) => {
            Template::Literal(Value::Object(
                members
                    .into_iter()
                    .map(|(k, t)| match t {
                        Template::Literal(v) => (k, v),
                        _ => (k, Value::Null),
                    })
                    .collect(),
            ))
        }
        Template::Array(items) if items.iter().all(|t| matches!(t, Template::Literal(_))) => {
            Template::Literal(Value::Array(
                items
                    .into_iter()
                    .map(|t| match t {
                        Template::Literal(v) => v,
                        _ => Value::Null,
                    })
                    .collect(),
            ))
        }
        other => other,
    }
}

fn error_match(errors: Option<&Spanned<Vec<Spanned<String>>>>) -> ErrorMatch {
    ErrorMatch { names: errors.map(|e| e.value.iter().map(|n| n.value.clone()).collect()).unwrap_or_default() }
}

fn retrier(r: &ast::Retrier) -> Retrier {
    let int = |n: &Option<Spanned<serde_json::Number>>| n.as_ref().and_then(|n| n.value.as_u64());
    Retrier {
        errors: error_match(r.error_equals.as_ref()),
        interval_seconds: int(&r.interval_seconds).unwrap_or(1),
        max_attempts: int(&r.max_attempts).unwrap_or(3),
        backoff_rate: r.backoff_rate.as_ref().and_then(|b| b.value.as_f64()).unwrap_or(2.0),
        max_delay_seconds: int(&r.max_delay_seconds),
        full_jitter: r.jitter_strategy.as_ref().is_some_and(|j| j.value == "FULL"),
    }
}

/// Classifies a Task resource ARN by its shape (validation has checked it).
pub(crate) fn classify_resource(arn: &str) -> Resource {
    let (base, pattern) = if let Some(b) = arn.strip_suffix(".waitForTaskToken") {
        (b, IntegrationPattern::WaitForTaskToken)
    } else if let Some(b) = arn.strip_suffix(".sync:2") {
        (b, IntegrationPattern::Sync { json_output: true })
    } else if let Some(b) = arn.strip_suffix(".sync") {
        (b, IntegrationPattern::Sync { json_output: false })
    } else {
        (arn, IntegrationPattern::RequestResponse)
    };
    let parts: Vec<&str> = base.splitn(6, ':').collect();
    let kind = match parts.as_slice() {
        ["arn", _, "lambda", _, _, rest] if rest.starts_with("function:") => ResourceKind::LambdaFunction,
        ["arn", _, "states", _, _, rest] if rest.starts_with("activity:") => {
            ResourceKind::Activity { name: rest.trim_start_matches("activity:").to_string() }
        }
        // A region and an account (as the console exports them) name where the integration
        // runs, not which one it is.
        ["arn", _, "states", _, _, rest] => {
            let (service, action) = match rest.strip_prefix("aws-sdk:") {
                Some(sdk) => match sdk.split_once(':') {
                    Some((svc, act)) => (format!("aws-sdk:{svc}"), act.to_string()),
                    None => (format!("aws-sdk:{sdk}"), String::new()),
                },
                None => match rest.split_once(':') {
                    Some((svc, act)) => (svc.to_string(), act.to_string()),
                    None => (rest.to_string(), String::new()),
                },
            };
            ResourceKind::Service { service, action }
        }
        _ => ResourceKind::Service { service: String::new(), action: base.to_string() },
    };
    Resource { arn: arn.to_string(), kind, pattern }
}

fn processor_mode(machine: &ast::StateMachine) -> ProcessorMode {
    let config = machine.processor_config.as_ref().map(|c| &c.value);
    let distributed = config.and_then(|c| c.mode.as_ref()).is_some_and(|m| m.value == "DISTRIBUTED");
    if distributed {
        let express = config.and_then(|c| c.execution_type.as_ref()).is_some_and(|e| e.value == "EXPRESS");
        ProcessorMode::Distributed { express }
    } else {
        ProcessorMode::Inline
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::Source;

    fn lower_text(text: &str) -> Machine {
        let checked = crate::check(&Source::new("t.asl.json", text)).unwrap_or_else(|d| panic!("{d:#?}"));
        lower(&checked.machine).unwrap_or_else(|d| panic!("{d:#?}"))
    }

    #[test]
    fn transitions_are_indices_within_their_container() {
        let m = lower_text(
            r#"{"StartAt": "B", "States": {
                "A": {"Type": "Pass", "End": true},
                "B": {"Type": "Parallel", "Next": "A", "Branches": [
                    {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}, "Y": {"Type": "Succeed"}}}
                ]}}}"#,
        );
        assert_eq!(m.containers.len(), 2);
        let top = &m.containers[0];
        assert_eq!(top.start, StateId(1));
        assert_eq!(top.states[1].transition, Transition::Next(StateId(0)));
        assert_eq!(top.states[0].transition, Transition::End);
        let StateKind::Parallel { branches, .. } = &top.states[1].kind else { panic!("not parallel") };
        assert_eq!(branches, &vec![ContainerId(1)]);
        let branch = &m.containers[1];
        assert_eq!(branch.owner, Some(Owner { container: ContainerId(0), state: StateId(1), index: 0 }));
        assert_eq!(branch.states[0].transition, Transition::Next(StateId(1)));
        assert_eq!(branch.states[1].transition, Transition::End);
    }

    #[test]
    fn templates_are_parsed_and_constants_folded() {
        let m = lower_text(
            r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true, "Parameters": {
                "const": {"a": [1, 2]},
                "path.$": "$.x",
                "call.$": "States.Format('{}', $.y)"
            }}}}"#,
        );
        let Some(Template::Object(members)) = &m.containers[0].states[0].io.parameters else {
            panic!("parameters not lowered to an object template")
        };
        assert_eq!(members[0], ("const".to_string(), Template::Literal(serde_json::json!({"a": [1, 2]}))));
        assert!(matches!(&members[1], (k, Template::Path(_)) if k == "path"));
        assert!(matches!(&members[2], (k, Template::Intrinsic(_)) if k == "call"));
    }

    #[test]
    fn retry_defaults_follow_the_spec() {
        let m = lower_text(
            r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["States.ALL"]}], "End": true}}}"#,
        );
        let StateKind::Task(task) = &m.containers[0].states[0].kind else { panic!("not a task") };
        let r = &task.recovery.retriers[0];
        assert_eq!((r.interval_seconds, r.max_attempts, r.backoff_rate, r.full_jitter), (1, 3, 2.0, false));
    }

    #[test]
    fn choice_rules_become_conditions() {
        let m = lower_text(
            r#"{"StartAt": "C", "States": {
                "C": {"Type": "Choice", "Default": "D", "Choices": [
                    {"Not": {"Variable": "$.n", "NumericGreaterThanPath": "$.max"}, "Next": "D"}]},
                "D": {"Type": "Succeed"}}}"#,
        );
        let StateKind::Choice { rules, default } = &m.containers[0].states[0].kind else { panic!("not choice") };
        assert_eq!(*default, Some(StateId(1)));
        let Condition::Not(inner) = &rules[0].condition else { panic!("not a Not") };
        assert!(matches!(**inner, Condition::Compare { operand: Operand::Path(_), .. }));
    }

    #[test]
    fn resources_are_classified() {
        let r = classify_resource("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
        assert_eq!(r.pattern, IntegrationPattern::WaitForTaskToken);
        assert_eq!(r.kind, ResourceKind::Service { service: "sqs".into(), action: "sendMessage".into() });
        let r = classify_resource("arn:aws:states:::states:startExecution.sync:2");
        assert_eq!(r.pattern, IntegrationPattern::Sync { json_output: true });
        let r = classify_resource("arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject");
        assert_eq!(r.kind, ResourceKind::Service { service: "aws-sdk:s3".into(), action: "getObject".into() });
        let r = classify_resource("arn:aws:states:::aws-sdk:s3:putObject");
        assert_eq!(r.kind, ResourceKind::Service { service: "aws-sdk:s3".into(), action: "putObject".into() });
        let r = classify_resource("arn:aws:lambda:us-east-1:111111111111:function:f");
        assert_eq!(r.kind, ResourceKind::LambdaFunction);
        let r = classify_resource("arn:aws:states:us-east-1:111111111111:activity:a");
        assert_eq!(r.kind, ResourceKind::Activity { name: "a".into() });
    }

    #[test]
    fn jsonata_values_keep_their_expressions() {
        let m = lower_text(
            r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true,
                "Output": {"sum": "{% 1 + 2 %}", "plain": "$.not-a-path"}}}}"#,
        );
        let Some(Template::Object(members)) = &m.containers[0].states[0].io.output else { panic!("no output") };
        assert_eq!(members[0].1, Template::Jsonata("1 + 2".into()));
        assert_eq!(members[1].1, Template::Literal(serde_json::json!("$.not-a-path")));
    }
}
