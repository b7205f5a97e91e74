//! Differential tests: the engine with only what an expression reads bound, against the
//! engine with everything bound (how every expression was evaluated before).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Map, Value, json};

use super::Scope;
use crate::Error;
use crate::test_support;

/// What a field's evaluation gives, as comparable text: the JSON (numbers and key order as
/// written) or the error.
fn outcome(result: &Result<Option<Value>, Error>) -> String {
    match result {
        Ok(Some(value)) => serde_json::to_string(value).unwrap(),
        Ok(None) => "undefined".to_owned(),
        Err(error) => format!("{}: {}", error.name, error.cause.as_deref().unwrap_or("")),
    }
}

/// Expressions the engine evaluates, over data where reading too little would show:
/// projected bindings must give what binding everything gives.
#[test]
fn projections_agree_with_the_engine() {
    let data = json!({
        "a": {"b": 1, "c": 2},
        "items": [
            {"n": 1, "s": "x", "id": 1},
            {"n": 2, "s": "y", "id": 2},
            {"n": 3, "s": "z", "id": 3, "items": [{"n": 4, "s": "w"}]}
        ],
        "n": 5,
        "s": "top",
        "id": "I"
    });
    let mut variables = Map::new();
    variables.insert("v".into(), data.clone());
    variables.insert("arr".into(), data["items"].clone());
    let expressions = [
        "$states.input.items[n > 1].s",
        "$states.input.items[s = 'y'].id",
        "$states.input.items[0].%.id",
        "$states.input.a.%.n",
        "$states.input.items.items.%.%.s",
        "$states[0].input.n",
        "$states.input[n > 1].s",
        "$states.input.items#$i.{'i': $i, 's': s}",
        "$states.input.items@$x.$x.n",
        "$keys($states.input)",
        "$keys($states.input.a)",
        "$states.input.items.(n * 2)",
        "$states.input.items.{'s': s, 'n': n}",
        "$states.input.**.n",
        "$states.input.*.n",
        "$sum($states.input.items.n)",
        "$states.input.items^(>n).s",
        "$states.input.items{s: n}",
        "$states.input.items[[0, 1]].s",
        "$states.input.items[true].s",
        "$states.input.items[].s",
        "$states.input.items[-1].items[0].s",
        "$v.items[-1].items[0].n",
        "$v.items[s = 'y'].n",
        "$arr[n > 1].s",
        "$arr.s",
        "$arr[0]",
        "$states.input.a ~> $keys",
        "$states.input ~> |items|{'t': n + 1}|",
        "$string($states.input.a)",
        "$lookup($states.input.a, 'c')",
        "$each($states.input.a, function($v, $k){$k & $v})",
        "$map($states.input.items, function($i){$i.s & $states.input.s})",
        "($x := $states.input.items; $x[1].s)",
        "($states := {'input': {'n': 0}}; $states.input.n)",
        "$v.a.b & $v.a",
        "$states.input.items.n[1]",
        "$states.input.items[n = $v.a.b + 1].s",
        "$arr[s = $states.input.items[0].s].id",
    ];
    let context = json!({"Execution": {"Id": "x"}});
    for text in expressions {
        let expr = test_support::expression(text);
        let scope = Scope::new(&data, &context, &variables);
        let (whole, engine) = (
            outcome(&scope.evaluate_unprojected(expr, "Output")),
            outcome(&scope.evaluate_with_engine(expr, "Output")),
        );
        assert_eq!(engine, whole, "`{text}`");
        assert_eq!(outcome(&scope.evaluate(expr, "Output")), engine, "`{text}`");
    }
}
