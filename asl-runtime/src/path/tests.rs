//! Tests of path evaluation and of the cause texts. Paths are written as text and read
//! with the compiler's own parser, then turned into the static form generated code holds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::borrow::Cow;

use serde_json::{Value, json};

use super::*;
use crate::test_support;

/// A path as written, read by the compiler's parser.
pub(super) fn p(source: &str) -> Path {
    *test_support::path(source)
}

// ---- helpers ----

fn sel(path: &str, input: &Value) -> Result<Value, Missing> {
    select_value(&p(path), &Scope::new(input))
}

fn ok(path: &str, input: &Value) -> Value {
    sel(path, input).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn reason(path: &str, input: &Value) -> String {
    match sel(path, input) {
        Ok(v) => panic!("{path} selected {v}"),
        Err(e) => e.reason,
    }
}

fn store() -> Value {
    json!({
        "store": {
            "book": [
                {"category": "reference", "author": "Nigel Rees", "price": 8.95},
                {"category": "fiction", "author": "Evelyn Waugh", "price": 12.99},
                {"category": "fiction", "author": "Herman Melville", "isbn": "0-553-21311-3", "price": 8.99},
                {"category": "fiction", "author": "J. R. R. Tolkien", "isbn": "0-395-19395-8", "price": 22.99}
            ],
            "bicycle": {"color": "red", "price": 19.95}
        },
        "expensive": 10
    })
}

// ---- definite paths ----

#[test]
fn definite_paths_borrow_the_selected_value() {
    let input = json!({"a": {"b": [10, 20, 30]}});
    let selection = select(&p("$.a.b"), &Scope::new(&input)).unwrap();
    match selection {
        Selection::One(Cow::Borrowed(v)) => assert!(std::ptr::eq(v, &input["a"]["b"])),
        other => panic!("expected a borrowed value, got {other:?}"),
    }
    assert_eq!(ok("$", &input), input);
    assert_eq!(ok("$.a.b[0]", &input), json!(10));
    assert_eq!(ok("$['a']['b'][2]", &input), json!(30));
    assert_eq!(ok("$.a.b[-1]", &input), json!(30));
    assert_eq!(ok("$.a.b[-3]", &input), json!(10));
}

#[test]
fn indexes_past_the_end_read_null() {
    let input = json!({"a": [1, 2, 3]});
    assert_eq!(ok("$.a[3]", &input), Value::Null);
    assert_eq!(ok("$.a[-4]", &input), Value::Null);
    // Case base-json-path-array-access-items-10-484dcc: the last of eleven items.
    let items: Vec<Value> = (0..11).map(|i| json!({"item_key": i})).collect();
    assert_eq!(ok("$.items[10]", &json!({"items": items})), json!({"item_key": 10}));
}

#[test]
fn jayway_messages_for_definite_failures() {
    let input = json!({"a": {"b": 1}, "s": "text", "n": null, "arr": [1, {"x": 2}], "num": 5});
    assert_eq!(reason("$.x", &input), "No results for path: $['x']");
    assert_eq!(reason("$.a.c", &input), "No results for path: $['a']['c']");
    assert_eq!(reason("$.x.y.z", &input), "Missing property in path $['x']");
    assert_eq!(reason("$.arr[1].y", &input), "No results for path: $['arr'][1]['y']");
    let provider = "This is not a json object according to the JsonProvider: \
                    'com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider'.";
    assert_eq!(
        reason("$.s.y", &input),
        format!(
            "Expected to find an object with property ['y'] in path $['s'] but found 'java.lang.String'. {provider}"
        )
    );
    assert_eq!(
        reason("$.n.y", &input),
        format!("Expected to find an object with property ['y'] in path $['n'] but found 'null'. {provider}")
    );
    assert_eq!(
        reason("$.arr[0].y", &input),
        format!(
            "Expected to find an object with property ['y'] in path $['arr'][0] but found \
             'com.fasterxml.jackson.databind.node.IntNode'. {provider}"
        )
    );
    assert_eq!(
        reason("$.arr[7].y", &input),
        format!("Expected to find an object with property ['y'] in path $['arr'][7] but found 'null'. {provider}")
    );
    assert_eq!(
        reason("$.y", &json!([1])),
        format!(
            "Expected to find an object with property ['y'] in path $ but found \
             'com.fasterxml.jackson.databind.node.ArrayNode'. {provider}"
        )
    );
    assert_eq!(reason("$.n[0]", &input), "The path $['n'] is null");
    assert_eq!(reason("$.s[0].z", &input), "Filter: [0]['z'] can only be applied to arrays. Current context is: text");
    assert_eq!(reason("$.a[0]", &input), "Filter: [0] can only be applied to arrays. Current context is: {\"b\":1}");
    assert_eq!(reason("$.num[0]", &input), "Filter: [0] can only be applied to arrays. Current context is: 5");
}

#[test]
fn missing_names_the_step_it_stopped_at() {
    let input = json!({"a": {"b": 1}, "l": [1]});
    let step = |path: &str| sel(path, &input).unwrap_err().step;
    assert_eq!(step("$.x"), Some("x".into()));
    assert_eq!(step("$.x.y"), Some("x".into()));
    assert_eq!(step("$.a.b.c"), Some("c".into()));
    assert_eq!(step("$.a[0]"), Some("0".into()));
    assert_eq!(sel("$.x", &input).unwrap_err().kind, MissingKind::NotFound);
    assert_eq!(sel("$.a.b.c", &input).unwrap_err().kind, MissingKind::WrongType);
}

#[test]
fn field_names_with_quotes_and_backslashes() {
    // Case base-scenarios-escape-sequence-parsing-escape-sequences-jsonpath: the path
    // `$['Test\""Name"']` selects the member named `Test\""Name"`.
    let input = json!({"Test\\\"\"Name\"": "Value\"\\"});
    assert_eq!(ok("$['Test\\\"\"Name\"']", &input), json!("Value\"\\"));
}

#[test]
fn a_trailing_field_union_merges_the_members() {
    let input = json!({"a": 1, "b": 2, "c": 3, "list": [{"a": 1, "z": 0}, {"b": 2}, 7]});
    assert!(is_definite(p("$['a','c']").segments));
    assert_eq!(ok("$['c','a','x']", &input), json!({"c": 3, "a": 1}));
    assert_eq!(ok("$.list[*]['a','b']", &input), json!([{"a": 1}, {"b": 2}]));
    assert!(!is_definite(p("$['a','b'].x").segments));
    assert_eq!(ok("$['list','a'][0]", &input), json!([{"a": 1, "z": 0}]));
}

// ---- indefinite paths ----

#[test]
fn indefinite_paths_with_no_match_select_an_empty_array() {
    // Cases base-json-path-array-wildcard-or-slice-with-no-input-*: every one is `[]` on `{}`.
    for path in [
        "$[*]",
        "$.items[*]",
        "$.items[*].itemValue",
        "$.items[1:]",
        "$.items[:1]",
        "$.items[1:].itemValue",
        "$.items[:1].itemValue",
        "$.item.items[*]",
        "$.item.items[1:5]",
        "$.item.items[1:5].itemValue",
        "$.item.items[:1]",
        "$.item.items[1:]",
    ] {
        assert_eq!(ok(path, &json!({})), json!([]), "{path}");
    }
    assert_eq!(ok("$.a[*]", &json!({"a": 5})), json!([]));
    assert_eq!(ok("$.a[?(@.x)]", &json!({"a": "s"})), json!([]));
}

#[test]
fn wildcards_select_every_member_or_element_in_order() {
    let input = json!({"b": 1, "a": [2, 3], "c": {"d": 4}});
    assert_eq!(ok("$.*", &input), json!([1, [2, 3], {"d": 4}]));
    assert_eq!(ok("$.a[*]", &input), json!([2, 3]));
    assert_eq!(
        ok("$.store.book[*].author", &store()),
        json!(["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"])
    );
    // One match is still an array.
    assert_eq!(ok("$.c.*", &input), json!([4]));
}

#[test]
fn slices_follow_jayway() {
    let input = json!({"a": [0, 1, 2, 3, 4]});
    assert_eq!(ok("$.a[1:3]", &input), json!([1, 2]));
    assert_eq!(ok("$.a[1:]", &input), json!([1, 2, 3, 4]));
    assert_eq!(ok("$.a[:2]", &input), json!([0, 1]));
    assert_eq!(ok("$.a[-2:]", &input), json!([3, 4]));
    assert_eq!(ok("$.a[-9:]", &input), json!([0, 1, 2, 3, 4]));
    assert_eq!(ok("$.a[:-1]", &input), json!([0, 1, 2, 3]));
    assert_eq!(ok("$.a[2:99]", &input), json!([2, 3, 4]));
    assert_eq!(ok("$.a[3:1]", &input), json!([]));
    // Jayway drops the step…
    assert_eq!(ok("$.a[0:5:2]", &input), json!([0, 1, 2, 3, 4]));
    // …and counts negative indexes of `[from:to]` from the end one by one.
    assert_eq!(ok("$.a[-2:2]", &input), json!([3, 4, 0, 1]));
    assert_eq!(ok("$.a[1:-1]", &input), json!([]));
    assert_eq!(ok("$.a[-7:1]", &input), json!([null, null, 0, 1, 2, 3, 4, 0]));
}

#[test]
fn index_unions() {
    let input = json!({"a": [0, 1, 2]});
    assert_eq!(ok("$.a[0,2]", &input), json!([0, 2]));
    assert_eq!(ok("$.a[2,0,-1]", &input), json!([2, 0, 2]));
    assert_eq!(ok("$.a[0,5]", &input), json!([0, null]));
}

#[test]
fn descendants_are_visited_parents_first() {
    let input = store();
    assert_eq!(ok("$..author", &input), json!(["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]));
    assert_eq!(ok("$.store..price", &input), json!([8.95, 12.99, 8.99, 22.99, 19.95]));
    assert_eq!(ok("$..book[2].author", &input), json!(["Herman Melville"]));
    assert_eq!(ok("$..book[-1:].price", &input), json!([22.99]));
    assert_eq!(ok("$..[?(@.isbn)].price", &input), json!([8.99, 22.99]));
    let nested = json!({"a": {"a": 1}, "b": [{"a": 2}]});
    assert_eq!(ok("$..a", &nested), json!([{"a": 1}, 1, 2]));
    assert_eq!(ok("$..*", &json!({"x": {"y": 1}, "z": [2]})), json!([{"y": 1}, [2], 1, 2]));
}

// ---- filters ----

#[test]
fn filters_compare_like_jayway() {
    // Case base-state-pass-regex-json-path-base.
    let users = json!({"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]});
    assert_eq!(ok("$.users[?(@.status == 0)]", &users), json!([{"year": 1997, "status": 0}]));
    let input = store();
    assert_eq!(ok("$.store.book[?(@.price < 10)].price", &input), json!([8.95, 8.99]));
    assert_eq!(ok("$.store.book[?(@.price <= 8.99)].price", &input), json!([8.95, 8.99]));
    assert_eq!(ok("$.store.book[?(@.price > $.expensive)].price", &input), json!([12.99, 22.99]));
    assert_eq!(ok("$.store.book[?(@.category == 'reference')].author", &input), json!(["Nigel Rees"]));
    assert_eq!(ok("$.store.book[?(@.isbn)].author", &input), json!(["Herman Melville", "J. R. R. Tolkien"]));
    assert_eq!(ok("$.store.book[?(!(@.isbn))].price", &input), json!([8.95, 12.99]));
    assert_eq!(ok("$.store.book[?(@.price > 9 && @.category == 'fiction')].price", &input), json!([12.99, 22.99]));
    assert_eq!(ok("$.store.book[?(@.price < 9 || @.price > 20)].price", &input), json!([8.95, 8.99, 22.99]));
    assert_eq!(ok("$.store.book[?(@.author > 'I')].author", &input), json!(["Nigel Rees", "J. R. R. Tolkien"]));
}

#[test]
fn an_unquoted_word_in_a_filter_is_a_string() {
    // As sfwc parallel-translate deploys it: `$[?(@.TargetLanguageCode==es)].TranslatedText`.
    let input = json!([
        {"TargetLanguageCode": "es", "TranslatedText": "hola"},
        {"TargetLanguageCode": "fr", "TranslatedText": "salut"},
        {"TargetLanguageCode": 1, "TranslatedText": "number"},
    ]);
    assert_eq!(ok("$[?(@.TargetLanguageCode==es)].TranslatedText", &input), json!(["hola"]));
    assert_eq!(ok("$[?(@.TargetLanguageCode != fr)].TranslatedText", &input), json!(["hola", "number"]));
    assert_eq!(ok("$[?(@.TargetLanguageCode==de)].TranslatedText", &input), json!([]));
}

#[test]
fn filter_equality_across_types_and_missing_members() {
    let input = json!({"l": [{"v": 1}, {"v": "1"}, {"v": 1.0}, {"v": "1.0"}, {"w": 1}, {"v": null}, {"v": false}]});
    assert_eq!(ok("$.l[?(@.v == 1)]", &input), json!([{"v": 1}, {"v": "1"}, {"v": 1.0}]));
    assert_eq!(ok("$.l[?(@.v == '1')]", &input), json!([{"v": 1}, {"v": "1"}, {"v": 1.0}]));
    assert_eq!(ok("$.l[?(@.v === 1)]", &input), json!([{"v": 1}, {"v": 1.0}]));
    // An item without `v` is not equal to 1, so `!=` keeps it.
    assert_eq!(ok("$.l[?(@.v != 1)]", &input), json!([{"v": "1.0"}, {"w": 1}, {"v": null}, {"v": false}]));
    assert_eq!(ok("$.l[?(@.v == null)]", &input), json!([{"v": null}]));
    // Existence, whatever the value.
    assert_eq!(ok("$.l[?(@.v)]", &input).as_array().map(Vec::len), Some(6));
    assert_eq!(ok("$.l[?(@.v < 2)]", &input), json!([{"v": 1}, {"v": 1.0}]));
}

#[test]
fn filter_list_operators() {
    let input = json!({"l": [
        {"id": 1, "tags": ["a", "b"], "name": "alpha"},
        {"id": 2, "tags": ["c"], "name": "beta"},
        {"id": 3, "tags": [], "name": ""}
    ]});
    let ids = |path: &str| ok(path, &input);
    assert_eq!(ids("$.l[?(@.id in [1, 3])].id"), json!([1, 3]));
    assert_eq!(ids("$.l[?(@.id nin [1, 3])].id"), json!([2]));
    assert_eq!(ids("$.l[?(@.tags contains 'c')].id"), json!([2]));
    assert_eq!(ids("$.l[?(@.name contains 'lp')].id"), json!([1]));
    assert_eq!(ids("$.l[?(@.tags subsetof ['a', 'b', 'c'])].id"), json!([1, 2, 3]));
    assert_eq!(ids("$.l[?(@.tags anyof ['b', 'z'])].id"), json!([1]));
    assert_eq!(ids("$.l[?(@.tags noneof ['a'])].id"), json!([2, 3]));
    assert_eq!(ids("$.l[?(@.tags size 2)].id"), json!([1]));
    assert_eq!(ids("$.l[?(@.name size 4)].id"), json!([2]));
    assert_eq!(ids("$.l[?(@.tags empty true)].id"), json!([3]));
    assert_eq!(ids("$.l[?(@.name empty false)].id"), json!([1, 2]));
}

#[test]
fn regex_filters_are_reported_as_unsupported() {
    let e = sel("$.l[?(@.name =~ /a.*/)]", &json!({"l": [{"name": "abc"}]})).unwrap_err();
    assert_eq!(e.kind, MissingKind::Unsupported);
    assert_eq!(e.reason, "The JSONPath filter operator '=~' is not supported");
}

#[test]
fn a_filter_on_an_object_tests_the_object() {
    let input = json!({"o": {"x": 1}});
    assert_eq!(ok("$.o[?(@.x == 1)]", &input), json!([{"x": 1}]));
    assert_eq!(ok("$.o[?(@.x == 2)]", &input), json!([]));
}

// ---- functions ----

#[test]
fn functions() {
    let input = json!({"n": [3, 1, 2], "o": {"a": 1, "b": 2}, "s": "abc", "e": []});
    assert_eq!(ok("$.n.length()", &input), json!(3));
    assert_eq!(ok("$.o.length()", &input), json!(2));
    assert_eq!(ok("$.s.length()", &input), Value::Null);
    assert_eq!(ok("$.n.sum()", &input), json!(6.0));
    assert_eq!(ok("$.n.min()", &input), json!(1.0));
    assert_eq!(ok("$.n.max()", &input), json!(3.0));
    assert_eq!(ok("$.n.avg()", &input), json!(2.0));
    assert_eq!(ok("$.n.first()", &input), json!(3));
    assert_eq!(ok("$.n.last()", &input), json!(2));
    assert_eq!(ok("$.o.keys()", &input), json!(["a", "b"]));
    let stddev = ok("$.n.stddev()", &input).as_f64().unwrap();
    assert!((stddev - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
    assert_eq!(ok("$.store.book[*].price.length()", &store()), json!(4));
    assert_eq!(ok("$..price.max()", &store()), json!(22.99));
    assert_eq!(reason("$.e.sum()", &input), "Aggregation function attempted to calculate value using empty array");
    assert_eq!(reason("$.x.length()", &input), "Missing property in path $['x']");
}

// ---- roots ----

#[test]
fn context_and_variable_roots() {
    let input = json!({"a": 1});
    let context = json!({"Execution": {"Input": {"k": "v"}}});
    let mut variables = serde_json::Map::new();
    variables.insert("total".into(), json!({"n": 7}));
    let scope = Scope::new(&input).with_context(&context).with_variables(&variables);
    assert_eq!(select_value(&p("$$.Execution.Input.k"), &scope), Ok(json!("v")));
    assert_eq!(select_value(&p("$total.n"), &scope), Ok(json!(7)));
    assert_eq!(select_value(&p("$total"), &scope), Ok(json!({"n": 7})));
    assert_eq!(select_value(&p("$.a"), &scope), Ok(json!(1)));
    let e = select_value(&p("$other.n"), &scope).unwrap_err();
    assert_eq!((e.kind, e.reason.as_str()), (MissingKind::NotFound, "No results for path: $other.n"));
    assert_eq!(
        select_value(&p("$$.Execution.Input.nope"), &scope).unwrap_err().reason,
        "No results for path: $['Execution']['Input']['nope']"
    );
    // `$` inside a filter is the document the path runs on.
    let ctx = json!({"min": 2, "l": [1, 2, 3]});
    let scope = Scope::new(&input).with_context(&ctx);
    assert_eq!(select_value(&p("$$.l[?(@ >= $.min)]"), &scope), Ok(json!([2, 3])));
}
