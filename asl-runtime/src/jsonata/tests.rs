#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Map, Value, json};

use super::{Expression, Scope, number};

fn eval(text: &'static str, input: Value) -> Result<Option<Value>, crate::Error> {
    let expr = Box::leak(Box::new(Expression::new(text)));
    let variables = Map::new();
    Scope::new(&input, &Value::Null, &variables).evaluate(expr, "Output")
}

#[test]
fn aws_functions() {
    let input = json!({"a": [0, 1, 2], "n": 2, "text": "{\"x\": [1, 2]}"});
    assert_eq!(
        eval("$partition($states.input.a, $states.input.n)", input.clone()).unwrap(),
        Some(json!([[0, 1], [2]]))
    );
    assert_eq!(eval("$range(0, 10, 2)", Value::Null).unwrap(), Some(json!([0, 2, 4, 6, 8, 10])));
    assert_eq!(eval("$range(1, 9, 9)", Value::Null).unwrap(), Some(json!(1)));
    assert_eq!(eval("$parse($states.input.text)", input).unwrap(), Some(json!({"x": [1, 2]})));
    assert_eq!(eval("$random(42)", Value::Null).unwrap(), Some(json!(0.7275636800328681)));
    assert_eq!(
        eval("$hash('input data', 'SHA-256')", Value::Null).unwrap(),
        Some(json!("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"))
    );
    let uuid = eval("$uuid()", Value::Null).unwrap().unwrap();
    assert_eq!(uuid.as_str().map(str::len), Some(36));
    let r = eval("$random()", Value::Null).unwrap().unwrap().as_f64().unwrap();
    assert!((0.0..1.0).contains(&r));
}

#[test]
fn eval_is_not_available() {
    let error = eval("$eval('1 + 1')", Value::Null).unwrap_err();
    assert!(error.cause.unwrap().contains("T1006"));
}

#[test]
fn results_and_errors() {
    assert_eq!(eval("$doesNotExist", Value::Null).unwrap(), None);
    assert_eq!(eval("1 + 1", Value::Null).unwrap(), Some(json!(2)));
    assert_eq!(eval("{'a': $nothing, 'b': 1}", Value::Null).unwrap(), Some(json!({"b": 1})));
    let error = eval("function($x){$x}", Value::Null).unwrap_err();
    assert_eq!(
        error.cause.as_deref(),
        Some(
            "The JSONata expression 'function($x){$x}' specified for the field 'Output' returned an unsupported result type."
        )
    );
    let error = eval("1 + 'a'", Value::Null).unwrap_err();
    assert_eq!(error.name, "States.QueryEvaluationError");
    let cause = error.cause.unwrap();
    assert!(cause.contains("threw an error during evaluation. T2002"), "{cause}");
}

#[test]
fn numbers_print_as_javascript_does() {
    assert_eq!(number(2.0).to_string(), "2");
    assert_eq!(number(-0.0).to_string(), "0");
    assert_eq!(number(0.1 + 0.2).to_string(), "0.30000000000000004");
}

/// A regular expression the engine's `regex` crate cannot compile (look-around,
/// back-references) is rejected when the workflow is compiled (ASL605); an expression
/// written by hand fails the evaluation with a `States.QueryEvaluationError`, not a panic.
#[test]
fn regexes_the_engine_cannot_compile_are_query_errors() {
    for (text, why) in [
        ("$match('ab', /(?<=a)b/)", "look-around"),
        ("$contains('aa', /(a)\\1/)", "backreferences are not supported"),
        ("$replace('ab', /(?=b)/, '-')", "look-around"),
    ] {
        let error = eval(text, Value::Null).unwrap_err();
        assert_eq!(error.name, "States.QueryEvaluationError", "{text}");
        let cause = error.cause.unwrap();
        assert!(cause.contains("threw an error during evaluation") && cause.contains(why), "{text}: {cause}");
    }
}
