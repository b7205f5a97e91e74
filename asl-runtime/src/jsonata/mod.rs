//! JSONata: the expressions of JSONata states (`{% … %}`), evaluated as AWS evaluates them.
//!
//! This module is the only place that names the engine crate (jsonata-core, which targets
//! JSONata 2.2); the rest of the runtime sees [`Expression`], [`Scope`] and
//! `serde_json::Value`. On top of the engine it adds what Step Functions changes: the
//! functions AWS adds (`$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`) and
//! removes (`$eval`), the bindings (`$states` and the workflow variables), and AWS's
//! `States.QueryEvaluationError` causes.
//!
//! An expression is evaluated one of two ways:
//!
//! - **As Rust**, when the compiler could lower it to a [`Plan`] (literals, object and array
//!   constructors, paths such as `$states.input.order.id` or `$var.x[0]`, `&`, arithmetic,
//!   comparisons, `and`/`or`, `? :`, a few one-argument functions): generated code holds
//!   the plan as static data and the `fast` module evaluates it on the state's JSON
//!   directly. Where a value at run time is outside what a plan decides exactly (an array
//!   in the middle of a path, an operand the engine would reject), the engine takes over.
//! - **With the engine**, for everything else. The expression is parsed once per process,
//!   on first use (the compiler has already parsed it, so a syntax error here means the
//!   static data was written by hand), and only the parts of `$states` and the variables
//!   it reads are converted to the engine's values (the `engine` module).

mod engine;
mod fast;
mod functions;

use std::cell::{OnceCell, RefCell};

use jsonata_core::value::JValue;
use serde_json::{Map, Number, Value};
use time::OffsetDateTime;

use crate::error::{Error, names};
use crate::template::Template;

pub use plan::Plan;

/// The expressions and their plans (defined with the rest of the description in
/// asl-machine).
pub use asl_machine::jsonata::{Expression, plan};

/// The parsed tree of `expr` and what it reads, parsed on first use and kept in the
/// expression's [engine cache](Expression::engine_cache), or why it does not parse.
fn parsed(expr: &Expression) -> Result<&engine::Parsed, &str> {
    let cached = expr.engine_cache().get_or_init(|| Box::new(parse(expr.text).map(engine::Parsed::new)));
    match cached.downcast_ref::<Result<engine::Parsed, String>>() {
        Some(parsed) => parsed.as_ref().map_err(String::as_str),
        // Only this module fills the cache.
        None => Err("the expression's engine cache holds something else"),
    }
}

/// Parses `text`. The compiler has already rejected what AWS's JSONata 2.0.6 does not
/// parse (the 2.1 `??` operator among it), with the same parser.
///
/// # Errors
///
/// The engine's message (it starts with a JSONata error code when the engine gives one).
pub fn parse(text: &str) -> Result<jsonata_core::ast::AstNode, String> {
    jsonata_core::parser::parse(text).map_err(|e| e.to_string())
}

/// What a state's expressions see: `$states` (`input`, `context`, and where AWS provides
/// them `result` and `errorOutput`) and the workflow variables as they were when the
/// state was entered. A plan reads the JSON as it is; for the engine, what an expression
/// reads whole is converted to the engine's values once per scope, on first use.
pub struct Scope<'a> {
    input: &'a Value,
    context: &'a Value,
    variables: &'a Map<String, Value>,
    result: Option<&'a Value>,
    error_output: Option<&'a Value>,
    /// The execution's clock at the step (`$now()`, `$millis()`), when known.
    now: Option<OffsetDateTime>,
    /// The members of `$states` (in [`STATES`] order) as engine values, each converted
    /// whole the first time an expression reads it whole.
    converted: [OnceCell<JValue>; 4],
    /// Variables converted whole, likewise.
    converted_variables: RefCell<Vec<(String, JValue)>>,
}

/// The members of `$states`, in the order they are bound.
const STATES: [&str; 4] = ["input", "context", "result", "errorOutput"];

impl<'a> Scope<'a> {
    /// The scope of a state with raw input `input`, context object `context` (`null` when
    /// the state's expressions do not read it) and `variables`.
    pub fn new(input: &'a Value, context: &'a Value, variables: &'a Map<String, Value>) -> Self {
        Scope {
            input,
            context,
            variables,
            result: None,
            error_output: None,
            now: None,
            converted: Default::default(),
            converted_variables: RefCell::default(),
        }
    }

    /// With the time `$now()` and `$millis()` return: the execution's clock (the virtual
    /// clock in tests and `asl test`), not the machine's.
    pub fn with_now(mut self, now: OffsetDateTime) -> Self {
        self.now = Some(now);
        self
    }

    /// With `$states.result` (a Task, Parallel or Map state's `Output` and `Assign`).
    pub fn with_result(mut self, result: &'a Value) -> Self {
        self.result = Some(result);
        self.converted[2] = OnceCell::new();
        self
    }

    /// With `$states.errorOutput` (a Catcher's `Output` and `Assign`).
    pub fn with_error_output(mut self, error_output: &'a Value) -> Self {
        self.error_output = Some(error_output);
        self.converted[3] = OnceCell::new();
        self
    }

    /// With another `$states.context` (a Map's `ItemSelector` sees `Map.Item`).
    pub fn with_context(mut self, context: &'a Value) -> Self {
        self.context = context;
        self.converted[1] = OnceCell::new();
        self
    }

    /// The members of `$states` this scope has, in [`STATES`] order (the context object
    /// only when the state provides one).
    fn states_members(&self) -> [Option<&'a Value>; 4] {
        [Some(self.input), Some(self.context).filter(|c| !c.is_null()), self.result, self.error_output]
    }

    /// `$states` as the engine sees it, with only the members (and parts of them) that
    /// `projection` names.
    fn states_value(&self, projection: &engine::Projection) -> JValue {
        let members = self.states_members();
        let member = |i: usize, sub: &engine::Projection| -> Option<(String, JValue)> {
            let json = members.get(i).copied().flatten()?;
            let value = match sub {
                engine::Projection::Whole => self.converted.get(i)?.get_or_init(|| engine::to_jvalue(json)).clone(),
                fields => engine::project(json, fields),
            };
            Some(((*STATES.get(i)?).to_owned(), value))
        };
        let states: jsonata_core::value::JMap = match projection {
            engine::Projection::Whole => {
                (0..STATES.len()).filter_map(|i| member(i, &engine::Projection::Whole)).collect()
            }
            engine::Projection::Fields(fields) => {
                fields.iter().filter_map(|(name, sub)| member(STATES.iter().position(|s| s == name)?, sub)).collect()
            }
        };
        JValue::Object(std::rc::Rc::new(states))
    }

    /// Variable `name` (whose JSON is `json`) as the engine sees it.
    fn variable_value(&self, name: &str, json: &Value, projection: &engine::Projection) -> JValue {
        if let engine::Projection::Fields(_) = projection {
            return engine::project(json, projection);
        }
        let mut converted = self.converted_variables.borrow_mut();
        if let Some((_, value)) = converted.iter().find(|(n, _)| n == name) {
            return value.clone();
        }
        let value = engine::to_jvalue(json);
        converted.push((name.to_owned(), value.clone()));
        value
    }

    /// The value of `expr`, the value of field `field` (`Output`, `Arguments/FunctionName`,
    /// `Items`…); `None` when it is undefined. By its plan when it has one and the plan
    /// decides, else by the engine.
    ///
    /// # Errors
    ///
    /// `States.QueryEvaluationError`: the expression threw an error, or returned a function.
    /// (A plan never errs: where the engine would, the plan hands the evaluation to it.)
    pub fn evaluate(&self, expr: &Expression, field: &str) -> Result<Option<Value>, Error> {
        if let Some(plan) = expr.plan() {
            let data = fast::Data {
                input: self.input,
                context: self.context,
                result: self.result,
                error_output: self.error_output,
                variables: self.variables,
            };
            if let Ok(value) = fast::evaluate(plan, &data) {
                return Ok(value);
            }
        }
        self.evaluate_with_engine(expr, field)
    }

    /// [`Scope::evaluate`] by the engine alone, whether or not `expr` has a plan (what the
    /// differential tests and benchmarks compare plans with).
    ///
    /// # Errors
    ///
    /// As [`Scope::evaluate`].
    pub fn evaluate_with_engine(&self, expr: &Expression, field: &str) -> Result<Option<Value>, Error> {
        self.engine_result(expr, field, |parsed| engine::evaluate(&parsed.ast, &parsed.reads, self))
    }

    /// [`Scope::evaluate_with_engine`] with everything converted and bound, as before
    /// expressions' reads were worked out.
    #[cfg(test)]
    fn evaluate_unprojected(&self, expr: &Expression, field: &str) -> Result<Option<Value>, Error> {
        let reads = engine::Reads::everything(self.variables);
        self.engine_result(expr, field, |parsed| engine::evaluate(&parsed.ast, &reads, self))
    }

    /// What the engine's evaluation of `expr` (by `run`) makes the field's value.
    fn engine_result(
        &self,
        expr: &Expression,
        field: &str,
        run: impl FnOnce(&engine::Parsed) -> Result<JValue, jsonata_core::evaluator::EvaluatorError>,
    ) -> Result<Option<Value>, Error> {
        let threw = |message: &str| {
            query_error(format!(
                "The JSONata expression '{}' specified for the field '{field}' threw an error during evaluation. {message}",
                expr.text
            ))
        };
        let parsed = parsed(expr).map_err(threw)?;
        let value = run(parsed).map_err(|e| threw(e.message()))?;
        if value.is_undefined() {
            return Ok(None);
        }
        to_json(&value).map(Some).ok_or_else(|| {
            query_error(format!(
                "The JSONata expression '{}' specified for the field '{field}' returned an unsupported result type.",
                expr.text
            ))
        })
    }

    /// The value of `expr` for field `field`, which must not be undefined.
    ///
    /// # Errors
    ///
    /// As [`Scope::evaluate`], and `States.QueryEvaluationError` "… returned nothing
    /// (undefined)."
    pub fn value(&self, expr: &Expression, field: &str) -> Result<Value, Error> {
        self.evaluate(expr, field)?.ok_or_else(|| {
            query_error(format!(
                "The JSONata expression '{}' specified for the field '{field}' returned nothing (undefined).",
                expr.text
            ))
        })
    }

    /// The JSON value of a JSONata field (`Arguments`, `Output`, `Assign`…): constants as
    /// written, each `{% %}` string replaced by its expression's value. `field` names the
    /// field in errors; members add `/key`, array elements `[i]`, as AWS writes them.
    ///
    /// # Errors
    ///
    /// As [`Scope::value`] for each expression.
    pub fn build(&self, template: &Template, field: &str) -> Result<Value, Error> {
        Ok(match template {
            Template::Literal(literal) => crate::template::literal_value(literal),
            Template::Object(members) => {
                let mut object = Map::with_capacity(members.len());
                for (key, member) in members.iter() {
                    let value = self.build(member, &format!("{field}/{key}"))?;
                    object.insert((*key).to_string(), value);
                }
                Value::Object(object)
            }
            Template::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.build(item, &format!("{field}[{i}]")))
                    .collect::<Result<_, _>>()?,
            ),
            Template::Jsonata(expr) => self.value(expr, field)?,
            Template::Path(_) | Template::Intrinsic(_) => {
                return Err(Error::runtime(format!("the JSONata field '{field}' holds a JSONPath template")));
            }
        })
    }
}

/// The error for an expression whose value is not of the type its field needs: "The
/// JSONata expression '…' specified for the field '…' returned an unexpected result type.
/// Expected 'array', but was 'boolean' for value: true" (✔AWS, Map `Items`).
pub fn unexpected_type(expr: &Expression, field: &str, expected: &str, value: &Value) -> Error {
    query_error(format!(
        "The JSONata expression '{}' specified for the field '{field}' returned an unexpected result type. \
         Expected '{expected}', but was '{}' for value: {}",
        expr.text,
        type_name(value),
        crate::path::cause::json_text(value)
    ))
}

/// JSONata's name for the type of a JSON value.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A `States.QueryEvaluationError`.
pub fn query_error(cause: String) -> Error {
    Error::new(names::QUERY_EVALUATION_ERROR, cause)
}

/// The JSON of an engine value; `None` for a function (or regex) anywhere in it. Undefined
/// members of objects and arrays are left out, as `JSON.stringify` leaves them.
fn to_json(value: &JValue) -> Option<Value> {
    Some(match value {
        JValue::Null | JValue::Undefined => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => number(*n),
        JValue::String(s) => Value::String(s.to_string()),
        JValue::Array(items) => {
            Value::Array(items.iter().filter(|v| !v.is_undefined()).map(to_json).collect::<Option<_>>()?)
        }
        JValue::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, v)| !v.is_undefined())
                .map(|(k, v)| Some((k.clone(), to_json(v)?)))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

/// A JSON number for a JavaScript number: integers as integers (`2`, not `2.0`), like
/// `JSON.stringify`; a non-finite number (which JSONata does not produce) as `null`.
pub(crate) fn number(n: f64) -> Value {
    // 2^53: beyond it an f64 integer may not be the integer that was meant, and JSON
    // output keeps the float's shortest form.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if n.fract() == 0.0 && n.abs() <= EXACT {
        Value::Number(Number::from(n as i64))
    } else {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

#[cfg(test)]
mod differential;
#[cfg(test)]
mod tests;
