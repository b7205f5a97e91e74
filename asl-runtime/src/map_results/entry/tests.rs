use serde_json::json;
use time::macros::datetime;

use super::{entries, entry, record};
use crate::map_results::child::{ChildResult, ChildStatus};
use crate::map_results::config::Transformation;
use crate::map_results::fixtures::{failed, first, last, pending};

/// The Developer Guide's first `NONE` record, with its placeholders filled in and the
/// elided `Input` given.
#[test]
fn none_is_the_guides_record() {
    let expected = json!({
        "ExecutionArn": "arn:aws:states:us-east-2:123456789012:execution:orderProcessing/getOrders:da4e9fc7-abab-3b27-9a77-a277e463b709",
        "Input": "{\"Items\":[{\"order_id\":\"100000\"},{\"order_id\":\"100001\"}]}",
        "InputDetails": {"Included": true},
        "Name": "da4e9fc7-abab-3b27-9a77-a277e463b709",
        "Output": "[{\"customer_id\":\"145538\",\"order_id\":\"100000\"},{\"customer_id\":\"898037\",\"order_id\":\"100001\"}]",
        "OutputDetails": {"Included": true},
        "RedriveCount": 0,
        "RedriveStatus": "NOT_REDRIVABLE",
        "RedriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
        "StartDate": "2025-02-04T01:49:50.099Z",
        "StateMachineArn": "arn:aws:states:us-east-2:123456789012:stateMachine:orderProcessing/getOrders",
        "Status": "SUCCEEDED",
        "StopDate": "2025-02-04T01:49:50.163Z"
    });
    let got = entry(&first(), Transformation::None);
    assert_eq!(got, expected);
    // Same members in the same order: compare the text too.
    assert_eq!(got.to_string(), expected.to_string());

    let last = record(&last());
    assert_eq!(last["Name"], "f43a56f7-d21e-3fe9-a40c-9b9b8d0adf5a");
    assert_eq!(
        (&last["StartDate"], &last["StopDate"]),
        (&json!("2025-02-04T01:49:50.135Z"), &json!("2025-02-04T01:49:50.227Z"))
    );
}

#[test]
fn a_failed_child_is_its_record_under_every_transformation() {
    let got = record(&failed());
    let keys: Vec<_> = got.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let expected = [
        "Cause",
        "Error",
        "ExecutionArn",
        "Input",
        "InputDetails",
        "Name",
        "OutputDetails",
        "RedriveCount",
        "RedriveStatus",
        "StartDate",
        "StateMachineArn",
        "Status",
        "StopDate",
    ];
    assert_eq!(keys, expected);
    assert_eq!((&got["Status"], &got["RedriveStatus"]), (&json!("FAILED"), &json!("REDRIVABLE")));
    for transformation in Transformation::ALL {
        assert_eq!(entry(&failed(), transformation), record(&failed()), "{transformation:?}");
        assert_eq!(entries(failed(), transformation).collect::<Vec<_>>(), [record(&failed())], "{transformation:?}");
    }
}

#[test]
fn timed_out_and_aborted_children_say_so_and_may_lack_error_and_cause() {
    let timed_out = ChildResult { status: ChildStatus::TimedOut, error: None, cause: None, ..failed() };
    let got = record(&timed_out);
    assert_eq!(got["Status"], "TIMED_OUT");
    let keys: Vec<_> = got.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    assert_eq!(keys[..2], ["ExecutionArn", "Input"]);
    let aborted = ChildResult { status: ChildStatus::Aborted, ..failed() };
    assert_eq!(record(&aborted)["Status"], "ABORTED");
}

#[test]
fn a_pending_item_is_its_input_and_status() {
    let expected = json!({
        "Input": "{\"Items\":[{\"order_id\":\"100004\"}]}",
        "InputDetails": {"Included": true},
        "Status": "PENDING"
    });
    for transformation in Transformation::ALL {
        assert_eq!(entry(&pending(), transformation).to_string(), expected.to_string());
    }
}

#[test]
fn compact_is_the_output() {
    let output = first().output;
    assert_eq!(Some(entry(&first(), Transformation::Compact)), output);
    assert_eq!(entries(first(), Transformation::Compact).collect::<Vec<_>>(), [output.unwrap_or_default()]);
}

#[test]
fn flatten_spreads_an_array_output_one_level() {
    let nested = ChildResult { output: Some(json!([1, [2, 3], {"a": [4]}])), ..first() };
    assert_eq!(entry(&nested, Transformation::Flatten), json!([1, [2, 3], {"a": [4]}]));
    assert_eq!(
        entries(nested, Transformation::Flatten).collect::<Vec<_>>(),
        [json!(1), json!([2, 3]), json!({"a": [4]})]
    );
    let scalar = ChildResult { output: Some(json!({"n": 1})), ..first() };
    assert_eq!(entries(scalar, Transformation::Flatten).collect::<Vec<_>>(), [json!({"n": 1})]);
    let empty = ChildResult { output: Some(json!([])), ..first() };
    assert_eq!(entries(empty, Transformation::Flatten).count(), 0);
}

#[test]
fn a_missing_output_is_null() {
    let silent = ChildResult { output: None, ..first() };
    assert_eq!(record(&silent)["Output"], "null");
    assert_eq!(entry(&silent, Transformation::Compact), json!(null));
    assert_eq!(entries(silent, Transformation::Flatten).collect::<Vec<_>>(), [json!(null)]);
}

#[test]
fn dates_are_utc_with_milliseconds() {
    let offset = ChildResult {
        start_date: datetime!(2025-02-04 03:49:50.0999 +02:00),
        stop_date: datetime!(2025-02-04 01:49:51 UTC),
        redrive_count: 2,
        ..first()
    };
    let got = record(&offset);
    assert_eq!(
        (&got["StartDate"], &got["StopDate"]),
        (&json!("2025-02-04T01:49:50.099Z"), &json!("2025-02-04T01:49:51.000Z"))
    );
    assert_eq!(got["RedriveCount"], 2);
}
