//! The JSONPath implementation of [`DataFlow`]: `InputPath`, `Parameters`, `ResultSelector`,
//! `ResultPath` and `OutputPath` (through [`crate::dataflow`], which says what each does and
//! how values move rather than copy), `$` in `Assign` as each state kind defines it, and
//! Choice rules that compare values of the effective input in place.

use std::borrow::Cow;

use serde_json::Value;
use time::OffsetDateTime;

use super::{Assigned, DataFlow, Language, NoRecord, Record, Recording, within_limit};
use crate::choice;
use crate::context::{ContextObject, ExecutionInfo, StateInfo};
use crate::dataflow::{self, Env, Io, PathField};
use crate::error::Error;
use crate::execution::inspect::Inspection;
use crate::machine::{CatcherDef, ChoiceRule, MapDef, StateDef};
use crate::path::{self, Literal, Path, Scope};
use crate::template::{self, Template};

/// A JSONPath state's data flow, writing its steps down through `R` (nowhere, but in a
/// state test: see [`Record`]).
pub(in crate::execution) struct JsonPath<'a, R: Record = NoRecord> {
    /// The state (its name and `Assign`).
    state: &'static StateDef,
    /// What its paths and templates see.
    env: Env<'a>,
    /// The step's time (`$$.State.EnteredTime` of an `ItemSelector`'s `$$`).
    now: OffsetDateTime,
    /// Where its steps are written down.
    rec: R,
}

impl<'a> JsonPath<'a> {
    /// The data flow of `state`, whose paths see `env`.
    #[inline]
    pub(super) fn new(state: &'static StateDef, env: Env<'a>, now: OffsetDateTime) -> JsonPath<'a> {
        JsonPath { state, env, now, rec: NoRecord }
    }
}

impl<'a> JsonPath<'a, Recording<'a>> {
    /// The data flow of `state`, whose paths see `env`, writing its steps into `seen`.
    pub(super) fn recording(
        state: &'static StateDef,
        env: Env<'a>,
        now: OffsetDateTime,
        seen: &'a mut Inspection,
    ) -> JsonPath<'a, Recording<'a>> {
        JsonPath { state, env, now, rec: Recording(seen) }
    }
}

impl<R: Record> JsonPath<'_, R> {
    /// Computes the variables `assign` sets from `data` (its `$`) into `assigned`, which
    /// is not written without an `Assign` (a write of `None` costs a transition as much as
    /// the test).
    #[inline]
    fn assign(&mut self, assign: Option<&Template>, data: &Value, assigned: &mut Assigned) -> Result<(), Error> {
        if let Some(assign) = assign {
            *assigned = assign_values(assign, data, &mut self.env)?;
        }
        Ok(())
    }
}

impl<'a, R: Record> DataFlow<'a> for JsonPath<'a, R> {
    #[inline]
    fn language(&self) -> Language {
        Language::JsonPath
    }

    #[inline]
    fn pass(
        &mut self,
        io: &Io,
        result: Option<&Literal>,
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        if R::ON {
            return self.pass_inspected(io, result, input, assigned);
        }
        let env = &mut self.env;
        let input = std::mem::take(input);
        let Some(assign) = self.state.assign else {
            return dataflow::pass_output(io, result, input, env);
        };
        // `$` in the Pass state's `Assign` is its result.
        let result = match result {
            Some(literal) => {
                dataflow::effective_input_ref(io, &input, env)?;
                template::literal_value(literal)
            }
            None => dataflow::effective_input(io, &input, env)?,
        };
        *assigned = assign_values(assign, &result, env)?;
        dataflow::state_output(io, input, result, env)
    }

    #[inline]
    fn through(
        &mut self,
        (input_path, output_path): (PathField, PathField),
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        if R::ON {
            self.record_input_path(input_path, input);
        }
        let input = std::mem::take(input);
        let Some(assign) = self.state.assign else {
            return dataflow::pass_through(input_path, output_path, input, &self.env);
        };
        // `$` in a Wait's `Assign` is its effective input.
        let effective = dataflow::take_path(input_path, input, &self.env)?;
        *assigned = assign_values(assign, &effective, &mut self.env)?;
        dataflow::pass_through(PathField::Default, output_path, effective, &self.env)
    }

    #[inline]
    fn choose(
        &mut self,
        (input_path, output_path): (PathField, PathField),
        rules: &[ChoiceRule],
        default: Option<u16>,
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<(u16, Value), Error> {
        if R::ON {
            self.record_input_path(input_path, input);
        }
        let effective = dataflow::take_path(input_path, std::mem::take(input), &self.env)?;
        let scope = Scope::new(&effective).with_context(self.env.context).with_variables(self.env.variables);
        let mut chosen = default.map(|next| (next, self.state.assign));
        for rule in rules {
            let mut lookup = |p: &Path| borrowed(p, &scope);
            if choice::evaluate(&rule.rule, &mut lookup)? {
                chosen = Some((rule.next, rule.assign));
                break;
            }
        }
        let (next, assign) = chosen.ok_or_else(choice::no_choice_matched)?;
        // `$` in a Choice's `Assign` is its effective input.
        self.assign(assign, &effective, assigned)?;
        let output = dataflow::take_path(output_path, effective, &self.env)?;
        Ok((next, output))
    }

    #[inline]
    fn waited_on<'d>(&self, input_path: PathField, input: &'d Value) -> Result<Cow<'d, Value>, Error>
    where
        'a: 'd,
    {
        dataflow::select_path(input_path, input, &self.env)
    }

    #[inline]
    fn arguments(&mut self, io: &Io, input: &Value) -> Result<Value, Error> {
        if R::ON {
            return self.effective_input_inspected(io, input);
        }
        dataflow::effective_input(io, input, &mut self.env)
    }

    fn map_input(&mut self, io: &Io, input: &Value) -> Result<Value, Error> {
        // (A Map's `Parameters` are its `ItemSelector`: only its `InputPath` is shown.)
        if R::ON {
            self.record_input_path(io.input_path, input);
        }
        dataflow::effective_input(io, input, &mut self.env)
    }

    fn items(&mut self, def: &MapDef, input: &Value) -> Result<Vec<Value>, Error> {
        let scope = Scope::new(input).with_context(self.env.context).with_variables(self.env.variables);
        let items = match def.items_path {
            Some(items_path) => path::select_value(items_path, &scope)
                .map_err(|_| Error::runtime(format!("Reference path \"{}\" must point to array.", items_path.text)))?,
            None => input.clone(),
        };
        let Value::Array(items) = items else {
            let text = def.items_path.map_or("$", |p| p.text);
            return Err(Error::runtime(format!("Reference path \"{text}\" must point to array.")));
        };
        if let Some(seen) = self.rec.seen() {
            seen.after_items_path = Some(Value::Array(items.clone()));
        }
        Ok(items)
    }

    fn item_input(
        &mut self,
        info: &ExecutionInfo,
        selector: &Template,
        input: &Value,
        (index, item): (u64, &Value),
    ) -> Result<Value, Error> {
        let Env { state, variables, .. } = self.env;
        let rng = &mut *self.env.rng;
        if !self.state.reads_context {
            let mut env = Env { state, context: &Value::Null, variables, rng };
            return dataflow::build_template(selector, input, &mut env);
        }
        let context =
            ContextObject::new(info).with_state(StateInfo::new(state, self.now)).with_map_item(index, item).to_value();
        let mut env = Env { state, context: &context, variables, rng };
        dataflow::build_template(selector, input, &mut env)
    }

    fn payload(&mut self, template: &Template, input: &Value, _: &str) -> Result<Value, Error> {
        dataflow::build_template(template, input, &mut self.env)
    }

    #[inline]
    fn result(&mut self, io: &Io, input: &mut Value, result: Value, assigned: &mut Assigned) -> Result<Value, Error> {
        if R::ON {
            return self.result_inspected(io, input, result, assigned);
        }
        // `$` in the state's `Assign` is its result before ResultSelector.
        self.assign(self.state.assign, &result, assigned)?;
        let env = &mut self.env;
        let result = dataflow::effective_result(io, result, env)?;
        let input = std::mem::take(input);
        dataflow::state_output(io, input, result, env)
    }

    fn caught(
        &mut self,
        (_, catcher): (usize, &CatcherDef),
        input: &mut Value,
        error_output: Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        let io = Io { result_path: catcher.result_path, ..Io::DEFAULT };
        // The catcher's `Assign` (`$` is the Error Output) runs instead of the state's.
        self.assign(catcher.assign, &error_output, assigned)?;
        let input = std::mem::take(input);
        dataflow::state_output(&io, input, error_output, &mut self.env)
    }
}

/// The operations of a state test, step by step (see [`inspect`](crate::execution::inspect)):
/// each computes what its operation above computes, from the same steps of
/// [`crate::dataflow`], and writes each step's value down. A step that is a pure selection
/// (`InputPath` before `Parameters`, `ResultPath` before `OutputPath`) is selected once more
/// for the record; a template (`Parameters`, `ResultSelector`), which can call
/// `States.UUID`, is built once and its value passed on. Only a recording flow calls them.
impl<R: Record> JsonPath<'_, R> {
    /// Writes down what `InputPath` selects from `input` (nothing if it fails: the
    /// operation fails the same way).
    #[cold]
    fn record_input_path(&mut self, input_path: PathField, input: &Value) {
        let selected = dataflow::select_path(input_path, input, &self.env).map(Cow::into_owned);
        if let (Some(seen), Ok(selected)) = (self.rec.seen(), selected) {
            seen.after_input_path = Some(selected);
        }
    }

    /// `InputPath` then `Parameters` ([`dataflow::effective_input`]), writing both down.
    #[cold]
    fn effective_input_inspected(&mut self, io: &Io, input: &Value) -> Result<Value, Error> {
        self.record_input_path(io.input_path, input);
        let effective = dataflow::effective_input(io, input, &mut self.env)?;
        if let Some(seen) = self.rec.seen() {
            seen.after_parameters = Some(effective.clone());
        }
        Ok(effective)
    }

    /// `ResultPath` then `OutputPath` ([`dataflow::state_output`]) of the effective
    /// `result`, writing down the result as `ResultSelector` left it and as `ResultPath`
    /// placed it.
    fn output_inspected(&mut self, io: &Io, input: Value, result: Value) -> Result<Value, Error> {
        if let Some(seen) = self.rec.seen() {
            seen.after_result_selector = Some(result.clone());
            seen.after_result_path = dataflow::result_path(io.result_path, input.clone(), result.clone()).ok();
        }
        dataflow::state_output(io, input, result, &mut self.env)
    }

    /// [`DataFlow::pass`], step by step. AWS shows the `InputPath` and `Parameters` of a
    /// Pass state only when it has no `Result` (they run either way), and its `Result` as
    /// the result.
    #[cold]
    fn pass_inspected(
        &mut self,
        io: &Io,
        literal: Option<&Literal>,
        input: &mut Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        let input = std::mem::take(input);
        let result = match literal {
            Some(literal) => {
                dataflow::effective_input_ref(io, &input, &mut self.env)?;
                let result = template::literal_value(literal);
                if let Some(seen) = self.rec.seen() {
                    seen.result = Some(result.clone());
                }
                result
            }
            None => self.effective_input_inspected(io, &input)?,
        };
        // `$` in the Pass state's `Assign` is its result.
        if let Some(assign) = self.state.assign {
            *assigned = assign_values(assign, &result, &mut self.env)?;
        }
        self.output_inspected(io, input, result)
    }

    /// [`DataFlow::result`], step by step.
    #[cold]
    fn result_inspected(
        &mut self,
        io: &Io,
        input: &mut Value,
        result: Value,
        assigned: &mut Assigned,
    ) -> Result<Value, Error> {
        if let Some(seen) = self.rec.seen() {
            seen.result = Some(result.clone());
        }
        self.assign(self.state.assign, &result, assigned)?;
        let selected = dataflow::effective_result(io, result, &mut self.env)?;
        self.output_inspected(io, std::mem::take(input), selected)
    }
}

/// The variables an `Assign` sets, computed from `data` (its `$`) with the variables as
/// the state saw them when it was entered.
fn assign_values(assign: &Template, data: &Value, env: &mut Env<'_>) -> Result<Assigned, Error> {
    match dataflow::build_template(assign, data, env)? {
        Value::Object(values) => within_limit(values, env.state).map(Some),
        _ => Ok(None),
    }
}

/// The value a definite path selects, borrowed from the scope. Choice rules compare values
/// in place; an indefinite path (whose result is a new array) reads as absent here.
#[inline]
fn borrowed<'v>(p: &Path, scope: &Scope<'v>) -> Option<&'v Value> {
    match path::select(p, scope) {
        Ok(path::Selection::One(Cow::Borrowed(value))) => Some(value),
        _ => None,
    }
}
