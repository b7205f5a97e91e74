//! Evaluating a [`Plan`] directly on the state's `serde_json` values: no conversion to
//! the engine's values, no evaluator.
//!
//! Every rule here is JSONata's as the engine (jsonata-core) implements it, checked by the
//! differential tests; where the engine would do something this module does not model —
//! map a path over an array, raise a type error, produce a non-finite number — evaluation
//! stops with [`Fallback`] and the caller hands the expression to the engine, so the
//! engine alone decides those cases and writes their error messages.

use jsonata_core::functions::string as string_fns;
use jsonata_core::value::JValue;
use serde_json::{Map, Value};

use super::plan::{Function, Op, Path, Plan, Root};

/// What a plan reads: the state's data as [`super::Scope`] holds it.
pub(super) struct Data<'a> {
    /// `$states.input`.
    pub(super) input: &'a Value,
    /// `$states.context`; `null` when the state does not provide it.
    pub(super) context: &'a Value,
    /// `$states.result`, where the field has one.
    pub(super) result: Option<&'a Value>,
    /// `$states.errorOutput`, in a Catcher.
    pub(super) error_output: Option<&'a Value>,
    /// The workflow variables.
    pub(super) variables: &'a Map<String, Value>,
}

/// The plan cannot decide this evaluation exactly; the engine must.
#[derive(Debug, PartialEq)]
pub(super) struct Fallback;

/// A value during evaluation: borrowed from the state's data where possible, so a path
/// copies nothing until its value lands in the result.
enum Val<'a> {
    /// A value of the state's data (numbers not yet normalised; see [`normalized`]).
    Json(&'a Value),
    /// A value built here, already as the engine would return it.
    Owned(Value),
    /// A string literal of the plan.
    Text(&'a str),
    /// A number (finite).
    Num(f64),
    /// A boolean.
    Bool(bool),
}

/// A value's shape, whichever way it is held.
enum View<'v> {
    Null,
    Bool(bool),
    Num(f64),
    Str(&'v str),
    Array(&'v [Value]),
    Object(&'v Map<String, Value>),
}

type Eval<'a> = Result<Option<Val<'a>>, Fallback>;

/// The value of `plan` (`None`: undefined), as the engine would return it converted to
/// JSON, or [`Fallback`].
pub(super) fn evaluate(plan: &Plan, data: &Data<'_>) -> Result<Option<Value>, Fallback> {
    Ok(eval(plan, data)?.map(Val::into_json))
}

fn eval<'a>(plan: &'a Plan, data: &Data<'a>) -> Eval<'a> {
    Ok(Some(match plan {
        Plan::String(s) => Val::Text(s),
        Plan::Number(n) if n.is_finite() => Val::Num(*n),
        Plan::Number(_) => return Err(Fallback),
        Plan::Bool(b) => Val::Bool(*b),
        Plan::Null => Val::Owned(Value::Null),
        Plan::Path(path) => return walk(path, data),
        Plan::Object(members) => {
            let mut object = Map::with_capacity(members.len());
            for (key, member) in members.iter() {
                if let Some(value) = eval(member, data)? {
                    object.insert((*key).to_owned(), value.into_json());
                }
            }
            Val::Owned(Value::Object(object))
        }
        Plan::Array(items) => {
            let mut array = Vec::with_capacity(items.len());
            for item in items.iter() {
                match eval(&item.plan, data)? {
                    None => {}
                    Some(value) if item.nested => array.push(value.into_json()),
                    // Splicing is JSONata's `$append`: one level, whatever made the array.
                    Some(Val::Json(Value::Array(values))) => array.extend(values.iter().map(normalized)),
                    Some(Val::Owned(Value::Array(values))) => array.extend(values),
                    Some(value) => array.push(value.into_json()),
                }
            }
            Val::Owned(Value::Array(array))
        }
        Plan::Concat(parts) => {
            let mut text = String::new();
            for part in parts.iter() {
                if let Some(value) = eval(part, data)? {
                    push_string(&mut text, &value)?;
                }
            }
            Val::Owned(Value::String(text))
        }
        Plan::Negate(operand) => match eval(operand, data)? {
            None => return Ok(None),
            Some(value) => match value.view() {
                View::Num(n) => Val::Num(-n),
                _ => return Err(Fallback),
            },
        },
        Plan::Binary(op, lhs, rhs) => return binary(*op, lhs, rhs, data),
        Plan::Conditional(condition, then, otherwise) => {
            let chosen = if truthy(eval(condition, data)?.as_ref()) { Some(*then) } else { *otherwise };
            return match chosen {
                Some(branch) => eval(branch, data),
                None => Ok(None),
            };
        }
        Plan::Call(function, arg) => {
            // A variable of the function's name would be what `$name(…)` calls.
            if data.variables.contains_key(function.name()) {
                return Err(Fallback);
            }
            let arg = eval(arg, data)?;
            match function {
                Function::Count => Val::Num(match arg.as_ref().map(Val::view) {
                    None => 0.0,
                    Some(View::Array(items)) => items.len() as f64,
                    Some(_) => 1.0,
                }),
                Function::Exists => Val::Bool(arg.is_some()),
                Function::Not => match arg {
                    None => return Ok(None),
                    Some(value) => Val::Bool(!truthy(Some(&value))),
                },
                Function::Boolean => match arg {
                    None => return Ok(None),
                    Some(value) => Val::Bool(truthy(Some(&value))),
                },
                Function::Length | Function::Uppercase | Function::Lowercase | Function::Trim => {
                    // Strings only (anything else is the engine's T0410), through the
                    // engine's own function: `$length` counts as the engine counts.
                    let text = match arg.as_ref().map(Val::view) {
                        None => return Ok(None),
                        Some(View::Str(text)) => text,
                        Some(_) => return Err(Fallback),
                    };
                    let result = match function {
                        Function::Length => string_fns::length(text),
                        Function::Uppercase => string_fns::uppercase(text),
                        Function::Lowercase => string_fns::lowercase(text),
                        _ => string_fns::trim(text),
                    };
                    match result {
                        Ok(JValue::Number(n)) if n.is_finite() => Val::Num(n),
                        Ok(JValue::String(s)) => Val::Owned(Value::String(s.to_string())),
                        _ => return Err(Fallback),
                    }
                }
                Function::String => match arg {
                    None => return Ok(None),
                    Some(value @ (Val::Text(_) | Val::Json(Value::String(_)))) => value,
                    Some(value) => {
                        let mut text = String::new();
                        push_string(&mut text, &value)?;
                        Val::Owned(Value::String(text))
                    }
                },
            }
        }
    }))
}

/// A path's value: the root, its indexes, then each field step on an object. An array
/// before a field step is where JSONata maps the rest of the path over the items and
/// flattens; that is the engine's to do.
fn walk<'a>(path: &'a Path, data: &Data<'a>) -> Eval<'a> {
    let root = match path.root {
        Root::Variable(name) => match data.variables.get(name) {
            Some(value) => Some(value),
            // Unbound: the name may be one of JSONata's functions, a value of its own.
            None => return Err(Fallback),
        },
        // A variable named `states` would hide the state's data.
        _ if data.variables.contains_key("states") => return Err(Fallback),
        Root::Input => Some(data.input),
        Root::Context => Some(data.context).filter(|context| !context.is_null()),
        Root::Result => data.result,
        Root::ErrorOutput => data.error_output,
    };
    let Some(mut value) = root else { return Ok(None) };
    match select(value, path.indexes)? {
        Some(selected) => value = selected,
        None => return Ok(None),
    }
    for step in path.steps.iter() {
        let member = match value {
            Value::Object(members) => members.get(step.name),
            Value::Array(_) => return Err(Fallback),
            // A field of a string, number, boolean or null is undefined.
            _ => None,
        };
        match member.map(|member| select(member, step.indexes)).transpose()?.flatten() {
            Some(selected) => value = selected,
            None => return Ok(None),
        }
    }
    Ok(Some(Val::Json(value)))
}

/// `value[i][j]…` for constant indexes: an array's item (counting from the end when
/// negative, rounding down), and a single value is an array of one. An item that is itself
/// an array is left to the engine (JSONata treats it as the step's whole result).
fn select<'a>(mut value: &'a Value, indexes: &[f64]) -> Result<Option<&'a Value>, Fallback> {
    for index in indexes {
        let len = match value {
            Value::Array(items) => items.len(),
            _ => 1,
        };
        let mut i = index.floor();
        if i < 0.0 {
            i += len as f64;
        }
        if !(0.0..len as f64).contains(&i) {
            return Ok(None);
        }
        // In range, so the cast is exact.
        let i = i as usize;
        value = match value {
            Value::Array(items) => match items.get(i) {
                Some(Value::Array(_)) => return Err(Fallback),
                Some(item) => item,
                None => return Ok(None),
            },
            single => single,
        };
    }
    Ok(Some(value))
}

fn binary<'a>(op: Op, lhs: &'a Plan, rhs: &'a Plan, data: &Data<'a>) -> Eval<'a> {
    match op {
        Op::And => {
            // Both short-circuit, as the engine's do.
            let holds = truthy(eval(lhs, data)?.as_ref()) && truthy(eval(rhs, data)?.as_ref());
            return Ok(Some(Val::Bool(holds)));
        }
        Op::Or => {
            let holds = truthy(eval(lhs, data)?.as_ref()) || truthy(eval(rhs, data)?.as_ref());
            return Ok(Some(Val::Bool(holds)));
        }
        _ => {}
    }
    let (lhs, rhs) = (eval(lhs, data)?, eval(rhs, data)?);
    let (l, r) = (lhs.as_ref().map(Val::view), rhs.as_ref().map(Val::view));
    Ok(match op {
        Op::Add | Op::Subtract | Op::Multiply | Op::Divide | Op::Modulo => {
            // A defined operand that is not a number is the engine's T2001/T2002.
            let number = |v: &Option<View<'_>>| match v {
                None => Ok(None),
                Some(View::Num(n)) => Ok(Some(*n)),
                Some(_) => Err(Fallback),
            };
            let (Some(a), Some(b)) = (number(&l)?, number(&r)?) else { return Ok(None) };
            let n = match op {
                Op::Add => a + b,
                Op::Subtract => a - b,
                Op::Multiply => a * b,
                Op::Divide => a / b,
                _ => a % b,
            };
            // The engine keeps infinities and NaN as values (an error only where one is
            // used later); not worth modelling.
            if !n.is_finite() {
                return Err(Fallback);
            }
            Some(Val::Num(n))
        }
        Op::Equal | Op::NotEqual => {
            let (Some(a), Some(b)) = (l, r) else { return Ok(Some(Val::Bool(false))) };
            Some(Val::Bool(equal(&a, &b) == (op == Op::Equal)))
        }
        _ => {
            // Only numbers, strings and undefined compare (T2010); undefined makes the
            // result undefined; then both sides must be of one type (T2009).
            let comparable = |v: &Option<View<'_>>| matches!(v, None | Some(View::Num(_) | View::Str(_)));
            if !comparable(&l) || !comparable(&r) {
                return Err(Fallback);
            }
            let ordering = match (l, r) {
                (None, _) | (_, None) => return Ok(None),
                (Some(View::Num(a)), Some(View::Num(b))) => a.partial_cmp(&b).ok_or(Fallback)?,
                // Rust's order of `str` (by code point), which is the engine's.
                (Some(View::Str(a)), Some(View::Str(b))) => a.cmp(b),
                _ => return Err(Fallback),
            };
            Some(Val::Bool(match op {
                Op::Less => ordering.is_lt(),
                Op::LessOrEqual => ordering.is_le(),
                Op::Greater => ordering.is_gt(),
                _ => ordering.is_ge(),
            }))
        }
    })
}

/// JSONata's effective boolean value (`$boolean`), undefined being false.
fn truthy(value: Option<&Val<'_>>) -> bool {
    value.is_some_and(|value| truthy_view(&value.view()))
}

fn truthy_view(view: &View<'_>) -> bool {
    match view {
        View::Null => false,
        View::Bool(b) => *b,
        View::Num(n) => *n != 0.0,
        View::Str(s) => !s.is_empty(),
        View::Array([single]) => truthy_view(&view_of(single)),
        View::Array(items) => items.iter().any(|item| truthy_view(&view_of(item))),
        View::Object(members) => !members.is_empty(),
    }
}

/// JSONata's deep equality: numbers by value (`1 = 1.0`), objects regardless of order.
fn equal(a: &View<'_>, b: &View<'_>) -> bool {
    match (a, b) {
        (View::Null, View::Null) => true,
        (View::Bool(a), View::Bool(b)) => a == b,
        (View::Num(a), View::Num(b)) => a == b,
        (View::Str(a), View::Str(b)) => a == b,
        (View::Array(a), View::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| equal(&view_of(x), &view_of(y)))
        }
        (View::Object(a), View::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(key, x)| b.get(key).is_some_and(|y| equal(&view_of(x), &view_of(y))))
        }
        _ => false,
    }
}

/// Appends `value` as `$string` writes it (what `&` does with each operand). Numbers,
/// arrays and objects go through the engine's own `$string`, so their text (15
/// significant digits, `1e+21`, JSON with the same number rules) is the engine's.
fn push_string(text: &mut String, value: &Val<'_>) -> Result<(), Fallback> {
    match value.view() {
        View::Str(s) => text.push_str(s),
        View::Bool(b) => text.push_str(if b { "true" } else { "false" }),
        View::Null => text.push_str("null"),
        View::Num(n) => text.push_str(&engine_string(&JValue::Number(n))?),
        View::Array(_) | View::Object(_) => {
            let json = match value {
                Val::Json(json) => super::engine::to_jvalue(json),
                Val::Owned(json) => super::engine::to_jvalue(json),
                _ => return Err(Fallback),
            };
            text.push_str(&engine_string(&json)?);
        }
    }
    Ok(())
}

/// The engine's `$string` of a value, or [`Fallback`] where it fails (a non-finite
/// number).
fn engine_string(value: &JValue) -> Result<String, Fallback> {
    match jsonata_core::functions::string::string(value, None) {
        Ok(JValue::String(s)) => Ok(s.to_string()),
        _ => Err(Fallback),
    }
}

impl<'a> Val<'a> {
    fn view(&self) -> View<'_> {
        match self {
            Val::Json(json) => view_of(json),
            Val::Owned(json) => view_of(json),
            Val::Text(s) => View::Str(s),
            Val::Num(n) => View::Num(*n),
            Val::Bool(b) => View::Bool(*b),
        }
    }

    /// The JSON the engine's result converts to.
    fn into_json(self) -> Value {
        match self {
            Val::Json(json) => normalized(json),
            Val::Owned(json) => json,
            Val::Text(s) => Value::String(s.to_owned()),
            Val::Num(n) => super::number(n),
            Val::Bool(b) => Value::Bool(b),
        }
    }
}

fn view_of(json: &Value) -> View<'_> {
    match json {
        Value::Null => View::Null,
        Value::Bool(b) => View::Bool(*b),
        // As the engine reads a JSON number (an f64; see `engine::to_jvalue`).
        Value::Number(n) => View::Num(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => View::Str(s),
        Value::Array(items) => View::Array(items),
        Value::Object(members) => View::Object(members),
    }
}

/// A copy of `json` as it comes back from the engine: every number read as an f64 and
/// written as [`super::number`] writes it (`1.0` becomes `1`; integers beyond 2^53 lose
/// digits, as they do in JavaScript).
fn normalized(json: &Value) -> Value {
    match json {
        Value::Number(n) => super::number(n.as_f64().unwrap_or(0.0)),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Object(members) => Value::Object(members.iter().map(|(k, v)| (k.clone(), normalized(v))).collect()),
        other => other.clone(),
    }
}
