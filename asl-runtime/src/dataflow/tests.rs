//! Unit tests of each data-flow field, absent, `null` and given.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use super::test_support::{io, path, template};
use super::*;
use crate::error::names;
use crate::intrinsics::SplitMix64;
use crate::path::cause::REFERENCE_PATH_CONFLICT;

/// Runs `f` with an environment for state `S`, with `$$` = `context` and `$total` = 7.
fn with_env<T>(context: &Value, f: impl FnOnce(&mut Env<'_>) -> T) -> T {
    let mut variables = Map::new();
    variables.insert("total".into(), json!({"n": 7}));
    let mut rng = SplitMix64::new(0);
    let mut env = Env { state: "S", context, variables: &variables, rng: &mut rng };
    f(&mut env)
}

/// The whole pipeline of a Pass state without `Result`, both ways; they must agree.
fn pass(state: Value, input: Value) -> Result<Value, Error> {
    let io = io(&state);
    let context = json!({"Execution": {"Name": "exec"}});
    with_env(&context, |env| {
        let generic = effective_input(&io, &input, env).and_then(|e| state_output(&io, input.clone(), e, env));
        let moving = pass_output(&io, None, input, env);
        assert_eq!(generic, moving);
        moving
    })
}

fn runtime(cause: &str) -> Result<Value, Error> {
    Err(Error::runtime(cause))
}

// ---- InputPath ----

#[test]
fn input_path_absent_null_and_given() {
    let input = json!({"a": {"b": 1}, "l": [1, 2]});
    assert_eq!(pass(json!({}), input.clone()), Ok(input.clone()));
    assert_eq!(pass(json!({"InputPath": null}), input.clone()), Ok(json!({})));
    assert_eq!(pass(json!({"InputPath": "$.a"}), input.clone()), Ok(json!({"b": 1})));
    assert_eq!(pass(json!({"InputPath": "$.l[*]"}), input.clone()), Ok(json!([1, 2])));
    assert_eq!(pass(json!({"InputPath": "$$.Execution"}), input.clone()), Ok(json!({"Name": "exec"})));
    assert_eq!(pass(json!({"InputPath": "$total.n"}), input.clone()), Ok(json!(7)));
    // Case base-scenarios-invalid-jsonpath-st-invalid-jsonpath-in-inputpath.
    assert_eq!(
        pass(json!({"InputPath": "$.NoSuchInputPath"}), json!({"int-literal": 0})),
        runtime("Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']")
    );
    assert_eq!(
        pass(json!({"InputPath": "$.x.y"}), input),
        runtime("Invalid path '$.x.y' : Missing property in path $['x']")
    );
}

#[test]
fn a_path_applied_to_null_fails_but_absent_paths_pass_null_through() {
    assert_eq!(pass(json!({}), Value::Null), Ok(Value::Null));
    assert_eq!(pass(json!({"InputPath": "$.a"}), Value::Null), runtime(crate::path::cause::NULL_INPUT));
    assert_eq!(pass(json!({"Parameters": {"v.$": "$"}}), Value::Null), runtime(crate::path::cause::NULL_INPUT));
    // `$$` and variables do not read the input.
    assert_eq!(pass(json!({"InputPath": "$total"}), Value::Null), Ok(json!({"n": 7})));
}

#[test]
fn effective_input_borrows_without_parameters() {
    let input = json!({"a": {"b": [1, 2]}});
    let io = io(&json!({"InputPath": "$.a.b"}));
    with_env(&Value::Null, |env| match effective_input_ref(&io, &input, env) {
        Ok(Cow::Borrowed(v)) => assert!(std::ptr::eq(v, &input["a"]["b"])),
        other => panic!("expected a borrow, got {other:?}"),
    });
}

// ---- Parameters ----

#[test]
fn parameters_build_from_the_input_path_selection() {
    let input = json!({"a": {"x": 1}, "s": "text"});
    let state = json!({
        "InputPath": "$.a",
        "Parameters": {"lit": "$.not-a-path", "x.$": "$.x", "ctx.$": "$$.Execution.Name", "var.$": "$total.n",
                       "nested": {"y.$": "$.x", "list": [{"z.$": "$"}]}, "f.$": "States.Format('x={}', $.x)"}
    });
    assert_eq!(
        pass(state, input),
        Ok(json!({"lit": "$.not-a-path", "x": 1, "ctx": "exec", "var": 7,
                  "nested": {"y": 1, "list": [{"z": {"x": 1}}]}, "f": "x=1"}))
    );
}

#[test]
fn a_missing_template_path_quotes_the_field_and_the_effective_input() {
    // Cases base-scenarios-invalid-jsonpath-invalid-jsonpath-in-string-expr-*: States.Runtime;
    // the wording is AWS's as quoted in public tutorials.
    let input = json!({"a": {"flagged": false}});
    let expected = "The JSONPath '$.application.address' specified for the field 'address.$' could not be found in \
                    the input '{\"flagged\":false}'";
    let state = json!({"InputPath": "$.a", "Parameters": {"address.$": "$.application.address"}});
    assert_eq!(pass(state, input.clone()), runtime(expected));
    // Nested fields are named by their own key; `$$` paths still quote the data.
    let state = json!({"Parameters": {"v.$": "$nope.x"}});
    assert_eq!(
        pass(state, json!({"a": 1})),
        runtime("The JSONPath '$nope.x' specified for the field 'v.$' could not be found in the input '{\"a\":1}'")
    );
    let state = json!({"Parameters": {"outer": {"v.$": "$$.Execution.Input.no_such_jsonpath"}}});
    assert_eq!(
        pass(state, json!({"int-literal": 0})),
        runtime(
            "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'v.$' could not be found in \
             the input '{\"int-literal\":0}'"
        )
    );
}

#[test]
fn parameters_larger_than_the_limit_fail_the_state() {
    let big = "x".repeat(MAX_PAYLOAD_BYTES / 2);
    let state = json!({"Parameters": {"a.$": "$.s", "b.$": "$.s"}});
    let e = pass(state, json!({"s": big})).unwrap_err();
    assert_eq!((e.name.as_ref(), e.cause), (names::DATA_LIMIT_EXCEEDED, Some(data_limit_exceeded("S"))));
}

// ---- ResultSelector ----

#[test]
fn result_selector_reads_the_raw_result() {
    let io = io(&json!({"ResultSelector": {"p.$": "$.Payload", "all.$": "$", "c": 1}}));
    let result = json!({"Payload": {"ok": true}, "StatusCode": 200});
    with_env(&Value::Null, |env| {
        assert_eq!(
            effective_result(&io, result.clone(), env),
            Ok(json!({"p": {"ok": true}, "all": result.clone(), "c": 1}))
        );
        assert_eq!(effective_result(&Io::DEFAULT, result.clone(), env), Ok(result.clone()));
        let io = super::test_support::io(&json!({"ResultSelector": {"v.$": "$.missing"}}));
        assert_eq!(
            effective_result(&io, json!({"a": 1}), env),
            runtime(
                "The JSONPath '$.missing' specified for the field 'v.$' could not be found in the input '{\"a\":1}'"
            )
        );
    });
}

// ---- ResultPath ----

#[test]
fn result_path_absent_null_and_given() {
    let input = json!({"keep": 1, "a": {"old": true}});
    let output = |state: Value, result: Value| {
        let io = io(&state);
        with_env(&Value::Null, |env| state_output(&io, input.clone(), result, env))
    };
    assert_eq!(output(json!({}), json!("R")), Ok(json!("R")));
    assert_eq!(output(json!({"ResultPath": null}), json!("R")), Ok(input.clone()));
    assert_eq!(output(json!({"ResultPath": "$"}), json!("R")), Ok(json!("R")));
    assert_eq!(
        output(json!({"ResultPath": "$.a.new.deep"}), json!("R")),
        Ok(json!({"keep": 1, "a": {"old": true, "new": {"deep": "R"}}}))
    );
    let out = output(json!({"ResultPath": "$.keep"}), json!("R")).unwrap();
    assert_eq!(out.as_object().unwrap().keys().collect::<Vec<_>>(), ["keep", "a"]);
    let e = output(json!({"ResultPath": "$.keep.x"}), json!("R")).unwrap_err();
    assert_eq!(e.name, REFERENCE_PATH_CONFLICT);
    assert_eq!(e.cause.as_deref(), Some("Unable to apply step \"x\" to input {\"keep\":1,\"a\":{\"old\":true}}"));
}

#[test]
fn a_pass_result_or_effective_input_goes_through_result_path() {
    // Pass state with `Result` under a ResultPath, and without one.
    let io = io(&json!({"ResultPath": "$.r", "InputPath": "$.a"}));
    let result = super::test_support::literal(&json!({"x": 1}));
    with_env(&Value::Null, |env| {
        assert_eq!(pass_output(&io, Some(&result), json!({"a": 2}), env), Ok(json!({"a": 2, "r": {"x": 1}})));
        assert_eq!(pass_output(&io, None, json!({"a": 2}), env), Ok(json!({"a": 2, "r": 2})));
        // Discarded results still run InputPath, which can fail.
        let io = super::test_support::io(&json!({"ResultPath": null, "InputPath": "$.b"}));
        assert_eq!(
            pass_output(&io, Some(&result), json!({"a": 2}), env),
            runtime("Invalid path '$.b' : No results for path: $['b']")
        );
    });
}

#[test]
fn a_catcher_places_the_error_output() {
    let io = Io { result_path: PathField::Path(path("$.error")), ..Io::DEFAULT };
    let error = Error::new("Card.Declined", "no funds").error_output();
    with_env(&Value::Null, |env| {
        assert_eq!(
            state_output(&io, json!({"order": 1}), error, env),
            Ok(json!({"order": 1, "error": {"Error": "Card.Declined", "Cause": "no funds"}}))
        );
    });
}

// ---- OutputPath ----

#[test]
fn output_path_absent_null_and_given() {
    let input = json!({"a": 1});
    assert_eq!(pass(json!({"OutputPath": null}), input.clone()), Ok(json!({})));
    assert_eq!(pass(json!({"OutputPath": "$.a"}), input.clone()), Ok(json!(1)));
    assert_eq!(pass(json!({"Parameters": {"b.$": "$.a"}, "OutputPath": "$.b"}), input.clone()), Ok(json!(1)));
    assert_eq!(pass(json!({"OutputPath": "$$.Execution.Name"}), input.clone()), Ok(json!("exec")));
    // Case base-scenarios-invalid-jsonpath-st-invalid-jsonpath-in-outputpath.
    assert_eq!(
        pass(json!({"OutputPath": "$.NoSuchOutputPath"}), json!({"int-literal": 0})),
        runtime("Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']")
    );
    // OutputPath applies after ResultPath.
    let io = io(&json!({"ResultPath": "$.r", "OutputPath": "$.r.v"}));
    with_env(&Value::Null, |env| assert_eq!(state_output(&io, input.clone(), json!({"v": 5}), env), Ok(json!(5))));
}

#[test]
fn pass_through_is_input_path_then_output_path() {
    let input = json!({"a": {"b": {"c": 3}}});
    with_env(&Value::Null, |env| {
        let (a, b) = (PathField::Path(path("$.a")), PathField::Path(path("$.b.c")));
        assert_eq!(pass_through(a, b, input.clone(), env), Ok(json!(3)));
        assert_eq!(pass_through(PathField::Null, PathField::Default, input.clone(), env), Ok(json!({})));
        assert_eq!(pass_through(PathField::Default, PathField::Null, input.clone(), env), Ok(json!({})));
        assert_eq!(
            pass_through(b, PathField::Default, input.clone(), env),
            runtime("Invalid path '$.b.c' : Missing property in path $['b']")
        );
    });
}

// ---- sizes and copies ----

#[test]
fn state_outputs_larger_than_the_limit_fail_naming_the_state() {
    let big = json!({"s": "x".repeat(MAX_PAYLOAD_BYTES)});
    with_env(&Value::Null, |env| {
        let e = state_output(&Io::DEFAULT, json!({}), big.clone(), env).unwrap_err();
        assert_eq!(e, Error::new(names::DATA_LIMIT_EXCEEDED, data_limit_exceeded("S")));
        // A discarded result leaves the (already checked) input.
        let io = Io { result_path: PathField::Null, ..Io::DEFAULT };
        assert_eq!(state_output(&io, json!({}), big.clone(), env), Ok(json!({})));
    });
}

#[test]
fn take_path_moves_rather_than_copies() {
    let text = "y".repeat(1000);
    let input = json!({"a": [{"s": text}]});
    let before = input["a"][0]["s"].as_str().unwrap().as_ptr();
    with_env(&Value::Null, |env| {
        let taken = take_path(PathField::Path(path("$.a[-1].s")), input, env).unwrap();
        // The same heap buffer: moved, not cloned.
        assert_eq!(taken.as_str().unwrap().as_ptr(), before);
        assert_eq!(take_path(PathField::Path(path("$.a[3]")), json!({"a": [1]}), env), Ok(Value::Null));
    });
    let input = json!({"a": {"s": "z".repeat(100)}});
    let before = input["a"]["s"].as_str().unwrap().as_ptr();
    with_env(&Value::Null, |env| {
        let out = pass_output(&io(&json!({"InputPath": "$.a", "OutputPath": "$.s"})), None, input, env).unwrap();
        assert_eq!(out.as_str().unwrap().as_ptr(), before);
    });
}

// ---- static declarations ----

static ITEMS: Path = Path { root: crate::path::Root::Input, segments: &[Segment::Field("items")], text: "$.items" };
static SELECTOR: Template = Template::Object(&[("first", Template::Path(&ITEMS))]);
/// What generated code declares: const-constructible, with defaults for the rest.
static DECLARED: Io = Io { input_path: PathField::Path(&ITEMS), result_selector: Some(&SELECTOR), ..Io::DEFAULT };

#[test]
fn io_is_declared_statically() {
    assert_eq!(Io::default(), Io::DEFAULT);
    with_env(&Value::Null, |env| {
        assert_eq!(effective_input(&DECLARED, &json!({"items": [1]}), env), Ok(json!([1])));
        assert_eq!(effective_result(&DECLARED, json!({"items": 2}), env), Ok(json!({"first": 2})));
    });
    assert!(format!("{:?}", template(&json!({"a": 1}))).contains("Literal"));
}
