//! Hand-written equivalents of the workloads: what a programmer would write over
//! [`serde_json::Value`] to do the same work without Step Functions.
//!
//! Each function follows its workflow state by state, with the same data shaping (a
//! `Parameters` block builds a new object; a `ResultPath` inserts into the input), the
//! same reads of the JSON the Choice rules make, the same handler calls and the same retry
//! pauses. It does what idiomatic Rust does where the workflow's semantics allow:
//! values that the next state no longer needs are moved rather than copied, and data is
//! read in place rather than copied into a Map iteration or Parallel branch. Missing or
//! mistyped fields fail the run (`States.Runtime`, as in the workflow) rather than panic.

use std::borrow::Cow;
use std::time::Duration;

use asl_runtime::{Error, Value};
use serde_json::Map;

use crate::handlers::{Echo, Flaky};

/// `loop-choice`: `Increment` (Pass, `i` + 1) and `Check` (Choice, `i < n`) until `i`
/// reaches `n`.
///
/// # Errors
///
/// `i` or `n` missing or not an integer.
pub fn loop_choice(input: Value) -> Result<Value, Error> {
    let mut state = input;
    loop {
        // Increment: Parameters {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"}
        let i = add(int(&state, "i")?, 1)?;
        state = object([("i", i.into()), ("n", take(&mut state, "n")?)]);
        // Check: $.i NumericLessThanPath $.n, else Done
        if !less_than(&state, "i", "n")? {
            return Ok(state);
        }
    }
}

/// `map-inline`: three shaping steps per item of `$.items`, then a summary of the results.
///
/// # Errors
///
/// `items` missing or not an array, a field of an item missing.
pub fn map_inline(input: Value) -> Result<Value, Error> {
    let mut input = input;
    // ItemsPath $.items; each item is an iteration's input.
    let Value::Array(items) = take(&mut input, "items")? else {
        return Err(Error::runtime("Reference path \"$.items\" must point to array."));
    };
    let results = items.into_iter().map(map_item).collect::<Result<Vec<_>, _>>()?;
    // ResultSelector {"count.$": "States.ArrayLength($)", "first.$": "$[0]", "last.$": "$[9999]"}
    let at = |index: usize| results.get(index).cloned().ok_or_else(|| missing(&format!("[{index}]")));
    let selected = object([("count", results.len().into()), ("first", at(0)?), ("last", at(9999)?)]);
    // ResultPath $.result then OutputPath $.result: the output is the selected value.
    Ok(selected)
}

/// One iteration of map-inline's ItemProcessor.
fn map_item(item: Value) -> Result<Value, Error> {
    let mut item = item;
    // Shape: Parameters {"sku.$": "States.Format('SKU-{}', $.id)", "qty.$": "$.qty"},
    // ResultPath $.shaped
    let shaped =
        object([("sku", format!("SKU-{}", text(get(&item, "id")?)).into()), ("qty", get(&item, "qty")?.clone())]);
    insert(&mut item, "shaped", shaped)?;
    // Price: Parameters {"total.$": "States.MathAdd($.shaped.qty, $.id)", "currency": "EUR"},
    // ResultPath $.price
    let total = add(int(get(&item, "shaped")?, "qty")?, int(&item, "id")?)?;
    insert(&mut item, "price", object([("total", total.into()), ("currency", "EUR".into())]))?;
    // Project: Parameters {"id.$": "$.id", "sku.$": "$.shaped.sku", "total.$": "$.price.total"}
    Ok(object([
        ("id", take(&mut item, "id")?),
        ("sku", take(field_mut(&mut item, "shaped")?, "sku")?),
        ("total", take(field_mut(&mut item, "price")?, "total")?),
    ]))
}

/// The number of branches of parallel-fanout's Parallel state.
pub const FANOUT_BRANCHES: u64 = 8;

/// `parallel-fanout`: eight independent counter loops over the same input, their outputs
/// in branch order.
///
/// # Errors
///
/// `n` missing or not a number.
pub fn parallel_fanout(input: Value) -> Result<Value, Error> {
    (0..FANOUT_BRANCHES).map(|branch| fanout_branch(branch, &input)).collect::<Result<Vec<_>, _>>().map(Value::Array)
}

/// One branch of parallel-fanout.
fn fanout_branch(branch: u64, input: &Value) -> Result<Value, Error> {
    // B<k>Init: Parameters {"branch": k, "i": 0, "n.$": "$.n"}
    let mut state = object([("branch", branch.into()), ("i", 0.into()), ("n", get(input, "n")?.clone())]);
    loop {
        // B<k>Increment: Parameters {"branch.$": "$.branch", "i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"}
        let i = add(int(&state, "i")?, 1)?;
        state = object([("branch", take(&mut state, "branch")?), ("i", i.into()), ("n", take(&mut state, "n")?)]);
        // B<k>Check: $.i NumericLessThanPath $.n, else B<k>Done
        if !less_than(&state, "i", "n")? {
            return Ok(state);
        }
    }
}

/// `dataflow-heavy`: per round, a Task (`echo`) over a summary of the order document,
/// the summary filed under `payload.summary`, then the counter advanced.
///
/// # Errors
///
/// A field of the document missing or of the wrong type.
pub fn dataflow_heavy(input: Value, echo: &Echo) -> Result<Value, Error> {
    let mut state = input;
    loop {
        // Transform (Task). InputPath $.payload.doc
        let doc = get(get(&state, "payload")?, "doc")?;
        let customer = get(doc, "customer")?;
        let order = get(doc, "order")?;
        // Parameters
        let parameters = object([
            // States.Format('{} {} <{}>', $.customer.first, $.customer.last, $.customer.email)
            (
                "label",
                format!(
                    "{} {} <{}>",
                    text(get(customer, "first")?),
                    text(get(customer, "last")?),
                    text(get(customer, "email")?)
                )
                .into(),
            ),
            // States.ArrayLength($.order.items)
            ("itemCount", array(get(order, "items")?)?.len().into()),
            // States.JsonMerge($.meta.defaults, $.customer.address, false)
            ("address", merge(get(get(doc, "meta")?, "defaults")?, get(customer, "address")?)?),
            ("orderId", get(order, "id")?.clone()),
            ("currency", get(order, "currency")?.clone()),
        ]);
        let mut result = echo.call(parameters)?;
        // ResultSelector
        let address = get(&result, "address")?;
        let ship_to = format!(
            "{}, {} {} ({})",
            text(get(address, "street")?),
            text(get(address, "zip")?),
            text(get(address, "city")?),
            text(get(address, "country")?)
        );
        let region = get(address, "region")?.clone();
        let order = format!("{}/{}", text(get(&result, "orderId")?), text(get(&result, "currency")?));
        let summary = object([
            ("label", take(&mut result, "label")?),
            ("itemCount", take(&mut result, "itemCount")?),
            ("shipTo", ship_to.into()),
            ("region", region),
            ("order", order.into()),
        ]);
        // ResultPath $.payload.summary, then OutputPath $.payload
        let mut payload = take(&mut state, "payload")?;
        insert(&mut payload, "summary", summary)?;
        state = payload;

        // Advance: Parameters {"payload": {"doc.$": "$.doc", "summary.$": "$.summary",
        // "i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"}}
        let i = add(int(&state, "i")?, 1)?;
        let payload = object([
            ("doc", take(&mut state, "doc")?),
            ("summary", take(&mut state, "summary")?),
            ("i", i.into()),
            ("n", take(&mut state, "n")?),
        ]);
        state = object([("payload", payload)]);
        // Check: $.payload.i NumericLessThanPath $.payload.n, else Done
        if !less_than(get(&state, "payload")?, "i", "n")? {
            return Ok(state);
        }
    }
}

/// task-retry's Retry: `IntervalSeconds` 1, `BackoffRate` 1.0, `MaxAttempts` 2.
const RETRY_INTERVAL: Duration = Duration::from_secs(1);
const RETRY_MAX_ATTEMPTS: u32 = 2;

/// `task-retry`: per round, call `flaky` until it succeeds (retrying `Transient` up to
/// twice, one second apart on tokio's clock, as the workflow's Retry does on the virtual
/// clock), keep its result under `last`, and add its `attempt` to `attempts`.
///
/// # Errors
///
/// A field missing, or `flaky` failing otherwise or more often than the Retry allows.
pub async fn task_retry(input: Value, flaky: &Flaky) -> Result<Value, Error> {
    let mut state = input;
    loop {
        // Work (Task): Parameters {"i.$": "$.i"}, Retry, ResultPath $.last
        let parameters = object([("i", get(&state, "i")?.clone())]);
        let mut retries = 0;
        let result = loop {
            match flaky.call(parameters.clone()) {
                Ok(result) => break result,
                Err(error) if error.name == Flaky::ERROR && retries < RETRY_MAX_ATTEMPTS => {
                    retries += 1;
                    tokio::time::sleep(RETRY_INTERVAL).await;
                }
                Err(error) => return Err(error),
            }
        };
        insert(&mut state, "last", result)?;
        // Advance: Parameters {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n",
        // "attempts.$": "States.MathAdd($.attempts, $.last.attempt)"}
        let i = add(int(&state, "i")?, 1)?;
        let attempts = add(int(&state, "attempts")?, int(get(&state, "last")?, "attempt")?)?;
        state = object([("i", i.into()), ("n", take(&mut state, "n")?), ("attempts", attempts.into())]);
        // Check: $.i NumericLessThanPath $.n, else Done
        if !less_than(&state, "i", "n")? {
            return Ok(state);
        }
    }
}

/// A new object with these fields, in this order (what a `Parameters` block builds). Not
/// `serde_json::json!`: that macro copies every interpolated `Value` by serialising it.
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(fields.into_iter().map(|(name, value)| (name.to_owned(), value)).collect())
}

fn missing(what: &str) -> Error {
    Error::runtime(format!("no results for path: {what}"))
}

fn get<'v>(value: &'v Value, name: &str) -> Result<&'v Value, Error> {
    value.get(name).ok_or_else(|| missing(name))
}

fn field_mut<'v>(value: &'v mut Value, name: &str) -> Result<&'v mut Value, Error> {
    value.get_mut(name).ok_or_else(|| missing(name))
}

/// Moves a field out of an object (leaving `null`): for data the next step no longer needs.
fn take(value: &mut Value, name: &str) -> Result<Value, Error> {
    field_mut(value, name).map(Value::take)
}

fn insert(value: &mut Value, name: &str, field: Value) -> Result<(), Error> {
    match value {
        Value::Object(object) => {
            object.insert(name.to_owned(), field);
            Ok(())
        }
        other => Err(Error::runtime(format!("cannot insert {name} into {other}"))),
    }
}

fn int(value: &Value, name: &str) -> Result<i64, Error> {
    let field = get(value, name)?;
    field.as_i64().ok_or_else(|| Error::runtime(format!("{name} is not an integer: {field}")))
}

fn array(value: &Value) -> Result<&Vec<Value>, Error> {
    value.as_array().ok_or_else(|| Error::runtime(format!("not an array: {value}")))
}

/// `States.MathAdd` of two integers.
fn add(a: i64, b: i64) -> Result<i64, Error> {
    a.checked_add(b).ok_or_else(|| Error::runtime("integer overflow"))
}

/// A Choice rule `"Variable": "$.<a>", "NumericLessThanPath": "$.<b>"` on `value`.
fn less_than(value: &Value, a: &str, b: &str) -> Result<bool, Error> {
    let number = |name| {
        let field = get(value, name)?;
        field.as_f64().ok_or_else(|| Error::runtime(format!("{name} is not a number: {field}")))
    };
    Ok(number(a)? < number(b)?)
}

/// A `States.Format` argument: a string as it is, anything else as JSON text.
fn text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

/// `States.JsonMerge(a, b, false)`: `a`'s fields, overwritten and extended by `b`'s.
fn merge(a: &Value, b: &Value) -> Result<Value, Error> {
    let (Value::Object(a), Value::Object(b)) = (a, b) else {
        return Err(Error::runtime(format!("States.JsonMerge needs two objects: {a}, {b}")));
    };
    let mut merged: Map<String, Value> = a.clone();
    merged.extend(b.iter().map(|(key, value)| (key.clone(), value.clone())));
    Ok(Value::Object(merged))
}
