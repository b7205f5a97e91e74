//! The JSONata implementation of [`DataFlow`]: `Arguments`, `Output`, `Assign`, `Items`,
//! `ItemSelector` and Choice `Condition`s, evaluated in a [`jsonata::Scope`] whose
//! `$states` holds the input and, where AWS provides them, the result or the Error Output.
//! A JSONata state has no paths: what the JSONPath fields would select, it reads itself.

use std::borrow::Cow;

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::{Assigned, DataFlow, Language, NoRecord, Record, Recording, within_limit};
use crate::choice;
use crate::context::{ContextObject, ExecutionInfo, StateInfo};
use crate::dataflow::{self, Io, PathField};
use crate::error::Error;
use crate::execution::inspect::Inspection;
use crate::jsonata;
use crate::machine::{CatcherDef, ChoiceRule, JsonataDef, MapDef, StateDef};
use crate::path::{self, Literal};
use crate::template::Template;

/// A JSONata state's data flow, writing its steps down through `R` (nowhere, but in a
/// state test: see [`Record`]).
pub(in crate::execution) struct Jsonata<'a, R: Record = NoRecord> {
    /// The state (its name and `Assign`).
    state: &'static StateDef,
    /// Its `Arguments` and `Output`.
    def: &'static JsonataDef,
    /// `$states.context`.
    context: &'a Value,
    /// The variables as the state saw them when it was entered.
    variables: &'a Map<String, Value>,
    /// What `$now()` returns.
    now: OffsetDateTime,
    /// Where its effective input and result are written down.
    rec: R,
}

impl<'a> Jsonata<'a> {
    /// The data flow of `state`, with its JSONata fields `def`.
    #[inline]
    pub(super) fn new(
        state: &'static StateDef,
        def: &'static JsonataDef,
        context: &'a Value,
        variables: &'a Map<String, Value>,
        now: OffsetDateTime,
    ) -> Jsonata<'a> {
        Jsonata { state, def, context, variables, now, rec: NoRecord }
    }
}

impl<'a> Jsonata<'a, Recording<'a>> {
    /// [`Jsonata::new`], writing the effective input and the result into `seen`.
    pub(super) fn recording(
        state: &'static StateDef,
        def: &'static JsonataDef,
        context: &'a Value,
        variables: &'a Map<String, Value>,
        now: OffsetDateTime,
        seen: &'a mut Inspection,
    ) -> Jsonata<'a, Recording<'a>> {
        Jsonata { state, def, context, variables, now, rec: Recording(seen) }
    }
}

impl<'a, R: Record> Jsonata<'a, R> {
    /// A scope whose `$states.input` is `input`.
    #[inline]
    fn scope<'s>(&self, input: &'s Value) -> jsonata::Scope<'s>
    where
        'a: 's,
    {
        jsonata::Scope::new(input, self.context, self.variables).with_now(self.now)
    }

    /// The state's `Assign` and `Output`, in that order, both reading `$states.input`
    /// (`input`) and, for a Task, Parallel or Map that completed, `$states.result`
    /// (`result`) — or, for `catcher`, the catcher's own `Assign` and `Output` with
    /// `$states.errorOutput` (then in `result`). What `Assign` computed goes to
    /// `assigned`; `None` for an absent `Output`: the caller's default.
    fn finish(
        &self,
        catcher: Option<(usize, &CatcherDef)>,
        input: &Value,
        result: Option<&Value>,
        assigned: &mut Assigned,
    ) -> Result<Option<Value>, Error> {
        let state = self.state;
        let js = self.scope(input);
        let (js, assign, output) = match (catcher, result) {
            (Some((_, catcher)), Some(error_output)) => {
                (js.with_error_output(error_output), catcher.assign, catcher.output)
            }
            (_, Some(result)) => (js.with_result(result), state.assign, self.def.output),
            _ => (js, state.assign, self.def.output),
        };
        // A catcher's fields are named from the state, as AWS's errors name them.
        let (assign_field, output_field) = match catcher {
            Some((position, _)) => {
                (Cow::Owned(format!("Catch[{position}]/Assign")), Cow::Owned(format!("Catch[{position}]/Output")))
            }
            None => (Cow::Borrowed("Assign"), Cow::Borrowed("Output")),
        };
        *assigned = assign_in(assign, &js, state.name, &assign_field)?;
        let output = output.map(|t| js.build(t, &output_field)).transpose()?;
        // An `Output` is a state's output like any other: at most 256 KiB.
        if let Some(output) = &output {
            dataflow::check_size(output, state.name)?;
        }
        Ok(output)
    }
}

impl<'a, R: Record> DataFlow<'a> for Jsonata<'a, R> {
    #[inline]
    fn language(&self) -> Language {
        Language::Jsonata
    }

    #[inline]
    fn pass(
        &mut self,
        _: &Io,
        _: Option<&Literal>,
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        let input = std::mem::take(input);
        Ok(self.finish(None, &input, None, assigned)?.unwrap_or(input))
    }

    #[inline]
    fn through(
        &mut self,
        _: (PathField, PathField),
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        let input = std::mem::take(input);
        Ok(self.finish(None, &input, None, assigned)?.unwrap_or(input))
    }

    #[inline]
    fn choose(
        &mut self,
        _: (PathField, PathField),
        rules: &[ChoiceRule],
        default: Option<u16>,
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<(u16, Value), Error> {
        let input = std::mem::take(input);
        let (next, output) = {
            // One scope for every condition and the chosen `Assign` and `Output`.
            let js = self.scope(&input);
            let mut chosen = None;
            for rule in rules {
                if condition(&rule.rule, &js)? {
                    chosen = Some((rule.next, rule.assign, rule.output));
                    break;
                }
            }
            let default = default.map(|next| (next, self.state.assign, self.def.output));
            let (next, assign, output) = chosen.or(default).ok_or_else(choice::no_choice_matched)?;
            *assigned = assign_in(assign, &js, self.state.name, "Assign")?;
            let output = output.map(|t| js.build(t, "Output")).transpose()?;
            if let Some(output) = &output {
                dataflow::check_size(output, self.state.name)?;
            }
            (next, output)
        };
        Ok((next, output.unwrap_or(input)))
    }

    #[inline]
    fn waited_on<'d>(&self, _: PathField, input: &'d Value) -> Result<Cow<'d, Value>, Error>
    where
        'a: 'd,
    {
        Ok(Cow::Borrowed(input))
    }

    #[inline]
    fn arguments(&mut self, _: &Io, input: &Value) -> Result<Value, Error> {
        let arguments = match self.def.arguments {
            Some(arguments) => self.scope(input).build(arguments, "Arguments"),
            None => Ok(input.clone()),
        };
        if let (Some(seen), Ok(arguments)) = (self.rec.seen(), &arguments) {
            seen.after_arguments = Some(arguments.clone());
        }
        arguments
    }

    fn map_input(&mut self, _: &Io, input: &Value) -> Result<Value, Error> {
        // A JSONata Map has no `Arguments`: `Items` and `ItemSelector` read its input.
        Ok(input.clone())
    }

    /// `Items` (or the state's input), which must be an array.
    ///
    /// # Errors
    ///
    /// `States.QueryEvaluationError`: `Items` fails or is not an array; without `Items`,
    /// an input that is not an array ("Map state input must be an array but was: …",
    /// ✔AWS).
    fn items(&mut self, def: &MapDef, input: &Value) -> Result<Vec<Value>, Error> {
        let Some(items) = def.items else {
            return match input {
                Value::Array(items) => Ok(items.clone()),
                other => Err(jsonata::query_error(format!(
                    "Map state input must be an array but was: {}",
                    path::cause::json_text(other)
                ))),
            };
        };
        match (self.scope(input).build(items, "Items")?, items) {
            (Value::Array(items), _) => Ok(items),
            (other, Template::Jsonata(expr)) => Err(jsonata::unexpected_type(expr, "Items", "array", &other)),
            (other, _) => Err(jsonata::query_error(format!(
                "The field 'Items' returned an unexpected result type. Expected 'array', but was '{}'",
                jsonata::type_name(&other)
            ))),
        }
    }

    fn item_input(
        &mut self,
        info: &ExecutionInfo,
        selector: &Template,
        input: &Value,
        (index, item): (u64, &Value),
    ) -> Result<Value, Error> {
        // `$states.input` is the Map's input; the item is `$states.context.Map.Item.Value`.
        let context = ContextObject::new(info)
            .with_state(StateInfo::new(self.state.name, self.now))
            .with_map_item(index, item)
            .to_value();
        jsonata::Scope::new(input, &context, self.variables).with_now(self.now).build(selector, "ItemSelector")
    }

    fn payload(&mut self, template: &Template, input: &Value, field: &str) -> Result<Value, Error> {
        self.scope(input).build(template, field)
    }

    #[inline]
    fn result(&mut self, _: &Io, input: &mut Value, result: Value, assigned: &mut Assigned) -> Result<Value, Error> {
        if let Some(seen) = self.rec.seen() {
            seen.result = Some(result.clone());
        }
        let input = std::mem::take(input);
        Ok(self.finish(None, &input, Some(&result), assigned)?.unwrap_or(result))
    }

    fn caught(
        &mut self,
        catcher: (usize, &CatcherDef),
        input: &mut Value,
        error_output: Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        let input = std::mem::take(input);
        Ok(self.finish(Some(catcher), &input, Some(&error_output), assigned)?.unwrap_or(error_output))
    }
}

/// The variables a JSONata `Assign` sets (every value computed before any is stored).
fn assign_in(assign: Option<&Template>, js: &jsonata::Scope<'_>, state: &str, field: &str) -> Result<Assigned, Error> {
    match assign.map(|assign| js.build(assign, field)).transpose()? {
        Some(Value::Object(values)) => within_limit(values, state).map(Some),
        _ => Ok(None),
    }
}

/// Whether a JSONata Choice rule holds: its `Condition` must be a boolean.
fn condition(rule: &choice::Rule, js: &jsonata::Scope<'_>) -> Result<bool, Error> {
    match rule {
        choice::Rule::Jsonata(expr) => match js.value(expr, "Condition")? {
            Value::Bool(holds) => Ok(holds),
            other => Err(jsonata::unexpected_type(expr, "Condition", "boolean", &other)),
        },
        // A constant condition (`true`/`false` as a literal) is an empty And/Or.
        other => choice::evaluate(other, &mut |_| None),
    }
}
