//! One child's contribution to a Map Run's results, shaped as AWS shapes it: the
//! execution record of `Transformation: NONE` ([`record`]), or its output
//! ([`entry`], [`entries`]).

use serde_json::{Map, Value};

use crate::context::format_timestamp;
use crate::map_results::child::{ChildResult, ChildStatus};
use crate::map_results::config::Transformation;
use crate::path::cause::json_text;

/// `RedriveStatusReason` of a child that succeeded (one of the reasons the
/// `DescribeExecution` API documents, and the one in the Developer Guide's example).
pub const SUCCEEDED_NOT_REDRIVABLE: &str = "Execution is SUCCEEDED and cannot be redriven";

/// The child's execution record: its entry under `Transformation: NONE`, and whatever
/// the transformation when it did not succeed.
///
/// The record's fields and their order are those of the Developer Guide's `NONE` example
/// ("ResultWriter (Map)"), which is alphabetical:
///
/// ```json
/// {
///   "ExecutionArn": "arn:aws:states:region:account-id:execution:orderProcessing/getOrders:da4e9fc7-abab-3b27-9a77-a277e463b709",
///   "Input": ...,
///   "InputDetails": { "Included": true },
///   "Name": "da4e9fc7-abab-3b27-9a77-a277e463b709",
///   "Output": "[{\"customer_id\":\"145538\",\"order_id\":\"100000\"},{\"customer_id\":\"898037\",\"order_id\":\"100001\"}]",
///   "OutputDetails": { "Included": true },
///   "RedriveCount": 0,
///   "RedriveStatus": "NOT_REDRIVABLE",
///   "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
///   "StartDate": "2025-02-04T01:49:50.099Z",
///   "StateMachineArn": "arn:aws:states:region:account-id:stateMachine:orderProcessing/getOrders",
///   "Status": "SUCCEEDED",
///   "StopDate": "2025-02-04T01:49:50.163Z"
/// }
/// ```
///
/// `Input` and `Output` are the values as compact JSON *text*. A child that did not
/// succeed has `Cause` and `Error` (each when there is one) instead of `Output`, and
/// `RedriveStatus` `REDRIVABLE` without a reason. It keeps `OutputDetails`: the Department
/// for Transport's BODS backend (`src/boilerplate/common_layer/aws/step/map_results_models.py`),
/// which parses the `FAILED_n.json` files AWS writes for it, requires `OutputDetails` of
/// every record and, after meeting real files, made only `Error` and `Cause` optional.
/// An item whose child never started is `{"Input", "InputDetails", "Status": "PENDING"}`,
/// the shape of the `PENDING_0.json` records in recordings of AWS exports.
pub fn record(result: &ChildResult) -> Value {
    let mut record = Map::new();
    let mut put = |key: &str, value: Value| {
        record.insert(key.to_owned(), value);
    };
    let included = || serde_json::json!({ "Included": true });
    if result.status == ChildStatus::Pending {
        put("Input", Value::String(json_text(&result.input)));
        put("InputDetails", included());
        put("Status", Value::from(ChildStatus::Pending.as_str()));
        return Value::Object(record);
    }
    let succeeded = result.status == ChildStatus::Succeeded;
    if !succeeded {
        if let Some(cause) = &result.cause {
            put("Cause", Value::from(cause.as_str()));
        }
        if let Some(error) = &result.error {
            put("Error", Value::from(error.as_str()));
        }
    }
    put("ExecutionArn", Value::from(result.execution_arn.as_str()));
    put("Input", Value::String(json_text(&result.input)));
    put("InputDetails", included());
    put("Name", Value::from(result.name.as_str()));
    if succeeded {
        put("Output", Value::String(result.output.as_ref().map_or_else(|| "null".to_owned(), json_text)));
    }
    put("OutputDetails", included());
    put("RedriveCount", Value::from(result.redrive_count));
    if succeeded {
        put("RedriveStatus", Value::from("NOT_REDRIVABLE"));
        put("RedriveStatusReason", Value::from(SUCCEEDED_NOT_REDRIVABLE));
    } else {
        put("RedriveStatus", Value::from("REDRIVABLE"));
    }
    put("StartDate", Value::String(format_timestamp(result.start_date)));
    put("StateMachineArn", Value::from(result.state_machine_arn.as_str()));
    put("Status", Value::from(result.status.as_str()));
    put("StopDate", Value::String(format_timestamp(result.stop_date)));
    Value::Object(record)
}

/// The child's entry under `transformation`: its [`record`] under `NONE` and whenever it
/// did not succeed; otherwise its output (`null` when it has none).
///
/// Under `FLATTEN` this is the output itself, an array included: the flattening is done
/// where entries are gathered ([`entries`]).
pub fn entry(result: &ChildResult, transformation: Transformation) -> Value {
    match (result.status, transformation) {
        (ChildStatus::Succeeded, Transformation::Compact | Transformation::Flatten) => {
            result.output.clone().unwrap_or(Value::Null)
        }
        _ => record(result),
    }
}

/// The entries the child adds to the results under `transformation`: its [`entry`], or,
/// under `FLATTEN`, the elements of an output that is an array (none for `[]`).
pub fn entries(result: ChildResult, transformation: Transformation) -> Entries {
    match (result.status, transformation) {
        (ChildStatus::Succeeded, Transformation::Flatten) => match result.output {
            Some(Value::Array(items)) => Entries(Inner::Many(items.into_iter())),
            output => Entries(Inner::One(Some(output.unwrap_or(Value::Null)))),
        },
        (ChildStatus::Succeeded, Transformation::Compact) => {
            Entries(Inner::One(Some(result.output.unwrap_or(Value::Null))))
        }
        _ => Entries(Inner::One(Some(record(&result)))),
    }
}

/// The entries of one child ([`entries`]).
#[derive(Debug)]
pub struct Entries(Inner);

#[derive(Debug)]
enum Inner {
    One(Option<Value>),
    Many(std::vec::IntoIter<Value>),
}

impl Iterator for Entries {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        match &mut self.0 {
            Inner::One(one) => one.take(),
            Inner::Many(many) => many.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            Inner::One(one) => (usize::from(one.is_some()), Some(usize::from(one.is_some()))),
            Inner::Many(many) => many.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests;
