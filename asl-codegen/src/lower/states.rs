//! The fields particular to each kind of state: a Task's resource and handler number, Retry
//! and Catch, Choice rules, what a Wait waits for, and a Map's processor and settings.

use std::borrow::Cow;

use asl_machine::choice::{self, Number, Rule, Test};
use asl_machine::dataflow::PathField;
use asl_machine::machine::{
    Amount, CatcherDef, ChoiceRule, MapDef, NO_HANDLER, NO_RECOVERY, Recovery, StateKind, TaskDef, WaitDef,
};
use asl_machine::path::Path;
use asl_machine::retry::{JitterStrategy, RetryPolicy};

use super::leak::{leak, leak_slice, leak_str};
use super::{Lowerer, Names, jsonata_expression};
use crate::ast::{self, Operator, Spanned};
use crate::ir::{ContainerId, Owner, StateId};
use crate::node::NodeValue;

/// A comparison's operand as written, before the operator decides what it must be.
enum Given {
    String(String),
    Number(serde_json::Number),
    Bool(bool),
    Path(Path),
}

impl Lowerer {
    pub(super) fn task(
        &mut self,
        s: &ast::State,
        names: &Names<'_>,
        container: ContainerId,
        id: StateId,
        jsonata: bool,
    ) -> &'static TaskDef {
        let resource = s.resource.as_ref().map_or("", |r| r.value.as_str());
        // Activity workers do an activity's work; it has no handler method. The others are
        // numbered in definition order, a Parallel's branches and a Map's processor where
        // the Parallel or Map stands: the order of the handler trait's methods.
        let task = if is_activity(resource) {
            NO_HANDLER
        } else {
            self.tasks.push((container, id));
            self.index(self.tasks.len() - 1, &s.pointer, s.name.span)
        };
        leak(TaskDef {
            io: self.io(s, jsonata),
            task,
            resource: leak_str(resource),
            timeout: self.amount(s.timeout_seconds.as_ref(), s.timeout_seconds_path.as_ref()),
            heartbeat: self.amount(s.heartbeat_seconds.as_ref(), s.heartbeat_seconds_path.as_ref()),
            recovery: self.recovery(s, names, jsonata),
        })
    }

    /// `Retry` and `Catch`, with ASL's defaults applied.
    pub(super) fn recovery(&mut self, s: &ast::State, names: &Names<'_>, jsonata: bool) -> &'static Recovery {
        let retry: Vec<RetryPolicy> = s.retry.iter().flat_map(|r| r.value.iter()).map(retrier).collect();
        let catch: Vec<CatcherDef> = s
            .catch
            .iter()
            .flat_map(|c| c.value.iter())
            .map(|c| CatcherDef {
                error_equals: leak_slice(error_names(c.error_equals.as_ref()).map(leak_str).collect()),
                next: match &c.next {
                    Some(n) => self.target(names, n),
                    None => 0,
                },
                result_path: self.path_field(c.result_path.as_ref(), true),
                assign: c.assign.as_ref().map(|a| self.template(a, jsonata)),
                output: c.output.as_ref().map(|o| self.template(o, true)),
            })
            .collect();
        if retry.is_empty() && catch.is_empty() {
            return &NO_RECOVERY;
        }
        leak(Recovery { retry: leak_slice(retry), catch: leak_slice(catch) })
    }

    pub(super) fn choice(
        &mut self,
        s: &ast::State,
        names: &Names<'_>,
        jsonata: bool,
        input_path: PathField,
        output_path: PathField,
    ) -> StateKind {
        let rules = s
            .choices
            .iter()
            .flat_map(|c| c.value.iter())
            .map(|rule| ChoiceRule {
                rule: self.condition(rule),
                next: match &rule.next {
                    Some(n) => self.target(names, n),
                    None => 0,
                },
                assign: rule.assign.as_ref().map(|a| self.template(a, jsonata)),
                output: rule.output.as_ref().map(|o| self.template(o, true)),
            })
            .collect();
        let default = s.default.as_ref().map(|d| self.target(names, d));
        StateKind::Choice { input_path, output_path, rules: leak_slice(rules), default }
    }

    /// A Choice rule. A JSONata `Condition` given as a boolean needs no variant of its own:
    /// an empty `And` always holds and an empty `Or` never does.
    fn condition(&mut self, rule: &ast::ChoiceRule) -> Rule {
        const NEVER: Rule = Rule::Or(&[]);
        if let Some(c) = &rule.condition {
            return match &c.value.value {
                NodeValue::Bool(true) => Rule::And(&[]),
                NodeValue::Bool(false) => NEVER,
                NodeValue::String(text) => match jsonata_expression(text) {
                    Some(e) => Rule::Jsonata(self.expression(e)),
                    None => {
                        self.internal(&c.pointer, c.span, "`Condition` must be a `{% %}` expression".into());
                        NEVER
                    }
                },
                _ => {
                    self.internal(&c.pointer, c.span, "`Condition` must be a boolean or an expression".into());
                    NEVER
                }
            };
        }
        if let Some(and) = &rule.and {
            return Rule::And(leak_slice(and.value.iter().map(|r| self.condition(r)).collect()));
        }
        if let Some(or) = &rule.or {
            return Rule::Or(leak_slice(or.value.iter().map(|r| self.condition(r)).collect()));
        }
        if let Some(not) = &rule.not {
            return Rule::Not(leak(self.condition(&not.value)));
        }
        let (Some(variable), Some(cmp)) = (&rule.variable, rule.comparisons.first()) else {
            self.internal(&rule.pointer, rule.span, "a Choice rule needs `Variable` and an operator".into());
            return NEVER;
        };
        let variable = self.path(variable, false);
        let operand = &cmp.operand;
        let given = if cmp.is_path {
            operand
                .value
                .as_str()
                .and_then(|p| {
                    let spanned = Spanned {
                        value: p.to_string(),
                        span: operand.span,
                        pointer: operand.pointer.clone(),
                        key_span: operand.key_span,
                    };
                    self.path(&spanned, true)
                })
                .map(|p| Given::Path(*p))
        } else {
            match &operand.value.value {
                NodeValue::String(s) => Some(Given::String(s.clone())),
                NodeValue::Number(n) => Some(Given::Number(n.clone())),
                NodeValue::Bool(b) => Some(Given::Bool(*b)),
                _ => None,
            }
        };
        match (variable, given.and_then(|given| test(cmp.operator, given))) {
            (Some(variable), Some(test)) => Rule::Compare { variable: *variable, test },
            _ => {
                self.internal(&operand.pointer, operand.span, "invalid comparison operand".into());
                NEVER
            }
        }
    }

    pub(super) fn wait(&mut self, s: &ast::State) -> WaitDef {
        if s.seconds.is_some() || s.seconds_path.is_some() {
            return match self.amount(s.seconds.as_ref(), s.seconds_path.as_ref()) {
                Some(Amount::Literal(n)) => WaitDef::Seconds(n),
                Some(Amount::Path(p)) => WaitDef::SecondsPath(p),
                Some(Amount::Jsonata(e)) => WaitDef::SecondsExpression(e),
                None => WaitDef::Seconds(0),
            };
        }
        if let Some(path) = s.timestamp_path.as_ref().and_then(|p| self.path(p, true)) {
            return WaitDef::TimestampPath(path);
        }
        match &s.timestamp {
            Some(t) => match jsonata_expression(&t.value) {
                Some(e) => WaitDef::TimestampExpression(self.expression(e)),
                None => WaitDef::Timestamp(leak_str(&t.value)),
            },
            None => WaitDef::Seconds(0),
        }
    }

    pub(super) fn map(
        &mut self,
        s: &ast::State,
        names: &Names<'_>,
        container: ContainerId,
        id: StateId,
        jsonata: bool,
    ) -> &'static MapDef {
        let io = self.io(s, jsonata);
        let (processor, distributed) = match &s.item_processor {
            Some(p) => {
                let distributed = is_distributed(&p.value).then(|| self.distributed(s, jsonata));
                let processor = self.container(&p.value, Some(Owner { container, state: id, index: 0 }));
                (self.index(processor.0, &p.pointer, p.span), distributed)
            }
            None => {
                self.internal(&s.pointer, s.name.span, "a Map state needs an `ItemProcessor`".into());
                (0, None)
            }
        };
        // Legacy `Parameters` on a Map is its item template (today's `ItemSelector`).
        let selector = s.item_selector.as_ref().or(s.parameters.as_ref());
        leak(MapDef {
            io,
            processor,
            items_path: s.items_path.as_ref().and_then(|p| self.path(p, true)),
            items: s.items.as_ref().map(|i| self.template(i, true)),
            item_selector: selector.map(|t| self.template(t, jsonata)),
            max_concurrency: self.amount(s.max_concurrency.as_ref(), s.max_concurrency_path.as_ref()),
            distributed,
            recovery: self.recovery(s, names, jsonata),
        })
    }
}

/// The `Test` of an operator with its operand, or `None` when the operand is of the wrong
/// type for it. The `…Path` form of an operator is the same variant with a path operand.
fn test(operator: Operator, given: Given) -> Option<Test> {
    use Operator as O;
    Some(match operator {
        O::StringEquals => Test::StringEquals(text(given)?),
        O::StringLessThan => Test::StringLessThan(text(given)?),
        O::StringGreaterThan => Test::StringGreaterThan(text(given)?),
        O::StringLessThanEquals => Test::StringLessThanEquals(text(given)?),
        O::StringGreaterThanEquals => Test::StringGreaterThanEquals(text(given)?),
        O::StringMatches => match given {
            Given::String(pattern) => Test::StringMatches(leak_str(&pattern)),
            _ => return None,
        },
        O::NumericEquals => Test::NumericEquals(number(given)?),
        O::NumericLessThan => Test::NumericLessThan(number(given)?),
        O::NumericGreaterThan => Test::NumericGreaterThan(number(given)?),
        O::NumericLessThanEquals => Test::NumericLessThanEquals(number(given)?),
        O::NumericGreaterThanEquals => Test::NumericGreaterThanEquals(number(given)?),
        O::BooleanEquals => Test::BooleanEquals(match given {
            Given::Bool(b) => choice::Operand::Literal(b),
            Given::Path(p) => choice::Operand::Path(p),
            _ => return None,
        }),
        O::TimestampEquals => Test::TimestampEquals(text(given)?),
        O::TimestampLessThan => Test::TimestampLessThan(text(given)?),
        O::TimestampGreaterThan => Test::TimestampGreaterThan(text(given)?),
        O::TimestampLessThanEquals => Test::TimestampLessThanEquals(text(given)?),
        O::TimestampGreaterThanEquals => Test::TimestampGreaterThanEquals(text(given)?),
        O::IsNull => Test::IsNull(flag(given)?),
        O::IsPresent => Test::IsPresent(flag(given)?),
        O::IsNumeric => Test::IsNumeric(flag(given)?),
        O::IsString => Test::IsString(flag(given)?),
        O::IsBoolean => Test::IsBoolean(flag(given)?),
        O::IsTimestamp => Test::IsTimestamp(flag(given)?),
    })
}

/// A string (or timestamp) operand.
fn text(given: Given) -> Option<choice::Operand<&'static str>> {
    match given {
        Given::String(s) => Some(choice::Operand::Literal(leak_str(&s))),
        Given::Path(p) => Some(choice::Operand::Path(p)),
        _ => None,
    }
}

/// A numeric operand: integers keep every digit, so large ids compare exactly.
fn number(given: Given) -> Option<choice::Operand<Number>> {
    match given {
        Given::Number(n) => Some(choice::Operand::Literal(match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Number::Int(i128::from(i)),
            (None, Some(u)) => Number::Int(i128::from(u)),
            (None, None) => Number::Float(n.as_f64().unwrap_or(f64::NAN)),
        })),
        Given::Path(p) => Some(choice::Operand::Path(p)),
        _ => None,
    }
}

/// The flag of an `Is…` test (which has no `…Path` form).
fn flag(given: Given) -> Option<bool> {
    match given {
        Given::Bool(b) => Some(b),
        _ => None,
    }
}

/// The names in an `ErrorEquals` (`States.ALL`/`States.TaskFailed` are wildcards, applied
/// by the runtime with AWS's exceptions).
fn error_names(errors: Option<&Spanned<Vec<Spanned<String>>>>) -> impl Iterator<Item = &str> {
    errors.into_iter().flat_map(|e| e.value.iter()).map(|n| n.value.as_str())
}

/// One Retrier, with ASL's defaults applied.
fn retrier(r: &ast::Retrier) -> RetryPolicy {
    let int = |n: &Option<Spanned<serde_json::Number>>| n.as_ref().and_then(|n| n.value.as_u64());
    // Validation caps every field far below u32::MAX; saturating keeps this panic-free.
    let u32_of = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    RetryPolicy {
        error_equals: Cow::Owned(error_names(r.error_equals.as_ref()).map(|n| Cow::Owned(n.to_string())).collect()),
        interval_seconds: int(&r.interval_seconds).map_or(RetryPolicy::DEFAULT_INTERVAL_SECONDS, u32_of),
        max_attempts: int(&r.max_attempts).map_or(RetryPolicy::DEFAULT_MAX_ATTEMPTS, u32_of),
        backoff_rate: r
            .backoff_rate
            .as_ref()
            .and_then(|b| b.value.as_f64())
            .unwrap_or(RetryPolicy::DEFAULT_BACKOFF_RATE),
        max_delay_seconds: int(&r.max_delay_seconds).map(u32_of),
        jitter_strategy: match r.jitter_strategy.as_ref().is_some_and(|j| j.value == "FULL") {
            true => JitterStrategy::Full,
            false => JitterStrategy::None,
        },
    }
}

/// Whether a Task's resource is an activity (`arn:…:states:<region>:<account>:activity:<name>`,
/// after any integration suffix): workers do its work, not a handler.
fn is_activity(arn: &str) -> bool {
    let base =
        [".waitForTaskToken", ".sync:2", ".sync"].iter().find_map(|suffix| arn.strip_suffix(suffix)).unwrap_or(arn);
    matches!(base.splitn(6, ':').collect::<Vec<_>>().as_slice(),
        ["arn", _, "states", _, _, rest] if rest.starts_with("activity:"))
}

/// Whether a Map's processor runs its iterations as child executions.
fn is_distributed(processor: &ast::StateMachine) -> bool {
    let config = processor.processor_config.as_ref().map(|c| &c.value);
    config.and_then(|c| c.mode.as_ref()).is_some_and(|m| m.value == "DISTRIBUTED")
}
