//! The child executions of the Developer Guide's "ResultWriter (Map)" examples, for the
//! tests of this module.

use serde_json::{Value, json};
use time::macros::datetime;

use crate::map_results::child::{ChildResult, ChildStatus};

/// The children's state machine in the guide's examples (its placeholders filled in).
pub(super) const MACHINE: &str = "arn:aws:states:us-east-2:123456789012:stateMachine:orderProcessing/getOrders";

/// The Map Run of the guide's export example.
pub(super) const MAP_RUN: &str =
    "arn:aws:states:us-east-2:123456789012:mapRun:csvProcess/Map:ad9b5f27-090b-3ac6-9beb-243cd77144a7";

/// A child of `orderProcessing/getOrders` named `name`.
fn child(name: &str, input: Value, status: ChildStatus) -> ChildResult {
    ChildResult {
        execution_arn: format!("arn:aws:states:us-east-2:123456789012:execution:orderProcessing/getOrders:{name}"),
        name: name.to_owned(),
        state_machine_arn: MACHINE.to_owned(),
        start_date: datetime!(2025-02-04 01:49:50.099 UTC),
        stop_date: datetime!(2025-02-04 01:49:50.163 UTC),
        input,
        status,
        output: None,
        error: None,
        cause: None,
        redrive_count: 0,
    }
}

/// The guide's first child: a batch of two orders, returned as an array.
pub(super) fn first() -> ChildResult {
    let input = json!({"Items": [{"order_id": "100000"}, {"order_id": "100001"}]});
    let output = json!([
        {"customer_id": "145538", "order_id": "100000"},
        {"customer_id": "898037", "order_id": "100001"}
    ]);
    ChildResult { output: Some(output), ..child("da4e9fc7-abab-3b27-9a77-a277e463b709", input, ChildStatus::Succeeded) }
}

/// The guide's last child.
pub(super) fn last() -> ChildResult {
    let input = json!({"Items": [{"order_id": "100005"}, {"order_id": "100006"}]});
    let output = json!([
        {"customer_id": "169881", "order_id": "100005"},
        {"customer_id": "797471", "order_id": "100006"}
    ]);
    ChildResult {
        output: Some(output),
        start_date: datetime!(2025-02-04 01:49:50.135 UTC),
        stop_date: datetime!(2025-02-04 01:49:50.227 UTC),
        ..child("f43a56f7-d21e-3fe9-a40c-9b9b8d0adf5a", input, ChildStatus::Succeeded)
    }
}

/// A child whose Lambda function failed.
pub(super) fn failed() -> ChildResult {
    let input = json!({"Items": [{"order_id": "100002"}, {"order_id": "100003"}]});
    ChildResult {
        error: Some("Lambda.Unknown".to_owned()),
        cause: Some("The cause could not be determined because Lambda did not return an error type.".to_owned()),
        stop_date: datetime!(2025-02-04 01:49:51.002 UTC),
        ..child("3c1f0e2a-5b7d-3c44-8e19-0a6d2f9b7c31", input, ChildStatus::Failed)
    }
}

/// An item whose child never started.
pub(super) fn pending() -> ChildResult {
    ChildResult::pending(json!({"Items": [{"order_id": "100004"}]}))
}
