//! Operator-by-operator tests: true, false and wrong-type cases, missing paths, short-circuits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use serde_json::{Value, json};

use super::*;
use crate::path::{Root, Segment};

/// `$.v`, the variable every test compares.
const V: Path = Path { root: Root::Input, segments: &[Segment::Field("v")], text: "$.v" };
/// `$.w`, the `…Path` operand.
const W: Path = Path { root: Root::Input, segments: &[Segment::Field("w")], text: "$.w" };
/// `$.missing`, never present.
const MISSING: Path = Path { root: Root::Input, segments: &[Segment::Field("missing")], text: "$.missing" };

/// Resolves field and index steps against `input` (`$`) or `context` (`$$`): enough for the
/// tests, which never use wildcards, filters or variables.
pub(super) fn resolve<'v>(path: &Path, input: &'v Value, context: &'v Value) -> Option<&'v Value> {
    let mut value = match path.root {
        Root::Input => input,
        Root::Context => context,
        Root::Variable(_) => return None,
    };
    for segment in path.segments {
        value = match *segment {
            Segment::Field(name) => value.as_object()?.get(name)?,
            Segment::Index(i) => value.as_array()?.get(usize::try_from(i).ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

fn eval_in(rule: &Rule, input: &Value) -> Result<bool, Error> {
    let context = Value::Null;
    evaluate(rule, &mut |path| resolve(path, input, &context))
}

/// `test` on `$.v` with `{"v": v, "w": w}`.
fn check(test: Test, v: Value, w: Value) -> bool {
    let rule = Rule::Compare { variable: V, test };
    eval_in(&rule, &json!({"v": v, "w": w})).unwrap_or_else(|e| panic!("{test:?}: {e}"))
}

fn lit(v: Value, test: Test) -> bool {
    check(test, v, Value::Null)
}

/// Every JSON type, for wrong-type checks.
fn all_types() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(false),
        json!(0),
        json!(1.5),
        json!(""),
        json!("x"),
        json!("2012-10-09T19:00:55Z"),
        json!([]),
        json!([1]),
        json!({}),
        json!({"a": 1}),
    ]
}

#[test]
fn string_operators() {
    use Operand::Literal as L;
    assert!(lit(json!("Hello"), Test::StringEquals(L("Hello"))));
    assert!(!lit(json!("Hello"), Test::StringEquals(L("hello"))));
    assert!(!lit(json!("\t\n"), Test::StringEquals(L("\t\r\n"))));
    assert!(lit(json!("A"), Test::StringLessThan(L("AB"))));
    assert!(!lit(json!("AB"), Test::StringLessThan(L("A"))));
    assert!(!lit(json!(""), Test::StringLessThan(L(""))));
    assert!(lit(json!("B"), Test::StringGreaterThan(L("AZ"))));
    assert!(!lit(json!("A"), Test::StringGreaterThan(L("A "))));
    assert!(lit(json!(""), Test::StringLessThanEquals(L(""))));
    assert!(!lit(json!("AB"), Test::StringLessThanEquals(L("A"))));
    assert!(lit(json!("AB"), Test::StringGreaterThanEquals(L("A"))));
    assert!(!lit(json!("A"), Test::StringGreaterThanEquals(L("AB"))));
    // Case-sensitive, by code unit: 'Z' (0x5A) sorts before 'a' (0x61).
    assert!(lit(json!("Z"), Test::StringLessThan(L("a"))));
    for v in all_types().into_iter().filter(|v| !v.is_string()) {
        assert!(!lit(v.clone(), Test::StringEquals(L("x"))), "{v}");
        assert!(!lit(v.clone(), Test::StringLessThan(L("zzz"))), "{v}");
        assert!(!lit(v.clone(), Test::StringGreaterThanEquals(L(""))), "{v}");
    }
}

#[test]
fn strings_order_by_utf16_code_unit() {
    use Operand::Literal as L;
    // U+FF21 (FULLWIDTH A) is one code unit 0xFF21; U+1F600 is the pair 0xD83D 0xDE00. Java
    // puts the emoji first; code-point order would put it last.
    assert!(lit(json!("😀"), Test::StringLessThan(L("Ａ"))));
    assert!(!lit(json!("😀"), Test::StringGreaterThan(L("Ａ"))));
    // Within the BMP, or both outside it, the two orders agree.
    assert!(lit(json!("é"), Test::StringGreaterThan(L("e"))));
    assert!(lit(json!("😀"), Test::StringLessThan(L("😁"))));
}

#[test]
fn string_path_operands() {
    use Operand::Path as P;
    assert!(check(Test::StringEquals(P(W)), json!("Hello"), json!("Hello")));
    assert!(!check(Test::StringEquals(P(W)), json!(" "), json!("     ")));
    assert!(check(Test::StringLessThan(P(W)), json!("A"), json!("AB")));
    assert!(check(Test::StringGreaterThanEquals(P(W)), json!(""), json!("")));
    // A non-string on either side: false.
    assert!(!check(Test::StringEquals(P(W)), json!("1"), json!(1)));
    assert!(!check(Test::StringEquals(P(W)), json!(1), json!("1")));
    assert!(!check(Test::StringLessThanEquals(P(W)), json!(null), json!(null)));
}

#[test]
fn string_matches() {
    assert!(lit(json!("foo23.log"), Test::StringMatches("foo*.log")));
    assert!(!lit(json!("foo23.txt"), Test::StringMatches("foo*.log")));
    assert!(lit(json!("a*b"), Test::StringMatches(r"a\*b")));
    for v in all_types().into_iter().filter(|v| !v.is_string()) {
        assert!(!lit(v.clone(), Test::StringMatches("*")), "{v}");
    }
}

#[test]
fn numeric_operators() {
    use Operand::Literal as L;
    assert!(lit(json!(1), Test::NumericEquals(L(Number::Int(1)))));
    assert!(lit(json!(1.0), Test::NumericEquals(L(Number::Int(1)))));
    assert!(lit(json!(1), Test::NumericEquals(L(Number::Float(1.0)))));
    assert!(lit(json!(2.22), Test::NumericEquals(L(Number::Float(2.22)))));
    assert!(lit(json!(-0.0), Test::NumericEquals(L(Number::Int(0)))));
    assert!(!lit(json!(1.1), Test::NumericEquals(L(Number::Int(1)))));
    assert!(lit(json!(0), Test::NumericLessThan(L(Number::Int(1)))));
    assert!(!lit(json!(1), Test::NumericLessThan(L(Number::Int(1)))));
    assert!(lit(json!(1), Test::NumericGreaterThan(L(Number::Float(0.5)))));
    assert!(!lit(json!(0.0), Test::NumericGreaterThan(L(Number::Int(0)))));
    assert!(lit(json!(1), Test::NumericLessThanEquals(L(Number::Int(1)))));
    assert!(!lit(json!(1.000001), Test::NumericLessThanEquals(L(Number::Int(1)))));
    assert!(lit(json!(0.0), Test::NumericGreaterThanEquals(L(Number::Int(0)))));
    assert!(!lit(json!(-1), Test::NumericGreaterThanEquals(L(Number::Int(0)))));
    for v in all_types().into_iter().filter(|v| !v.is_number()) {
        assert!(!lit(v.clone(), Test::NumericEquals(L(Number::Int(0)))), "{v}");
        assert!(!lit(v.clone(), Test::NumericLessThan(L(Number::Int(1_000)))), "{v}");
        assert!(!lit(v.clone(), Test::NumericGreaterThanEquals(L(Number::Int(-1_000)))), "{v}");
    }
    // Numeric-looking strings are strings (recorded: assign-reference-variables-assign-in-choice-state-correct,
    // where `"42"` fails `NumericEquals: 42`).
    assert!(!lit(json!("42"), Test::NumericEquals(L(Number::Int(42)))));
}

#[test]
fn numbers_compare_exactly() {
    use Operand::Literal as L;
    // 2^53 + 1 is not representable as f64; through f64 it would equal 2^53.
    let big = 9_007_199_254_740_993_i64;
    assert!(!lit(json!(big), Test::NumericEquals(L(Number::Int(9_007_199_254_740_992)))));
    assert!(!lit(json!(big), Test::NumericEquals(L(Number::Float(9_007_199_254_740_992.0)))));
    assert!(lit(json!(big), Test::NumericGreaterThan(L(Number::Float(9_007_199_254_740_992.0)))));
    assert!(lit(json!(u64::MAX), Test::NumericEquals(L(Number::Int(i128::from(u64::MAX))))));
    assert!(lit(json!(u64::MAX), Test::NumericLessThan(L(Number::Float(1e20)))));
    assert!(lit(json!(i64::MIN), Test::NumericGreaterThan(L(Number::Float(-1e30)))));
    assert!(lit(json!(1e300), Test::NumericGreaterThan(L(Number::Int(i128::MAX)))));
    assert!(lit(json!(-1e300), Test::NumericLessThan(L(Number::Int(i128::MIN)))));
    assert!(lit(json!(-2.5), Test::NumericLessThan(L(Number::Int(-2)))));
    assert!(lit(json!(-2.5), Test::NumericGreaterThan(L(Number::Int(-3)))));
    assert_eq!(compare_numbers(Number::Float(f64::NAN), Number::Int(0)), None);
}

#[test]
fn numeric_path_operands() {
    use Operand::Path as P;
    assert!(check(Test::NumericEquals(P(W)), json!(1), json!(1.0)));
    assert!(!check(Test::NumericEquals(P(W)), json!(0), json!(1.0)));
    assert!(check(Test::NumericLessThan(P(W)), json!(0), json!(1)));
    assert!(check(Test::NumericGreaterThanEquals(P(W)), json!(0.0), json!(0)));
    assert!(!check(Test::NumericEquals(P(W)), json!(1), json!("1")));
    assert!(!check(Test::NumericEquals(P(W)), json!(null), json!(0)));
}

#[test]
fn boolean_equals() {
    use Operand::{Literal as L, Path as P};
    assert!(lit(json!(true), Test::BooleanEquals(L(true))));
    assert!(lit(json!(false), Test::BooleanEquals(L(false))));
    assert!(!lit(json!(false), Test::BooleanEquals(L(true))));
    for v in all_types().into_iter().filter(|v| !v.is_boolean()) {
        assert!(!lit(v.clone(), Test::BooleanEquals(L(true))), "{v}");
        assert!(!lit(v.clone(), Test::BooleanEquals(L(false))), "{v}");
    }
    assert!(check(Test::BooleanEquals(P(W)), json!(false), json!(false)));
    assert!(!check(Test::BooleanEquals(P(W)), json!(false), json!(true)));
    assert!(!check(Test::BooleanEquals(P(W)), json!(false), json!("false")));
    assert!(!check(Test::BooleanEquals(P(W)), json!(0), json!(false)));
}

#[test]
fn timestamp_operators() {
    use Operand::{Literal as L, Path as P};
    let t = "2012-10-09T19:00:55Z";
    assert!(lit(json!(t), Test::TimestampEquals(L(t))));
    // Same instant, other offset.
    assert!(lit(json!("2012-10-09T21:00:55+02:00"), Test::TimestampEquals(L(t))));
    assert!(!lit(json!("2012-10-09T19:00:56Z"), Test::TimestampEquals(L(t))));
    assert!(lit(json!("2012-10-09T19:00:54.999Z"), Test::TimestampLessThan(L(t))));
    assert!(!lit(json!(t), Test::TimestampLessThan(L(t))));
    assert!(lit(json!("2012-10-09T19:00:56Z"), Test::TimestampGreaterThan(L(t))));
    assert!(!lit(json!(t), Test::TimestampGreaterThan(L(t))));
    assert!(lit(json!(t), Test::TimestampLessThanEquals(L(t))));
    assert!(!lit(json!("2012-10-09T19:00:56Z"), Test::TimestampLessThanEquals(L(t))));
    assert!(lit(json!(t), Test::TimestampGreaterThanEquals(L(t))));
    assert!(!lit(json!("2012-10-09T19:00:54Z"), Test::TimestampGreaterThanEquals(L(t))));
    // Not timestamps: false, not an error.
    for v in [json!("2023-02-24 12:15:56.832957"), json!("2012-10-09T19:00:55"), json!("2023-02-24")] {
        assert!(!lit(v.clone(), Test::TimestampEquals(L(t))), "{v}");
        assert!(!lit(v.clone(), Test::TimestampLessThanEquals(L("9999-12-31T23:59:59Z"))), "{v}");
    }
    for v in all_types().into_iter().filter(|v| !v.is_string()) {
        assert!(!lit(v.clone(), Test::TimestampLessThan(L("9999-12-31T23:59:59Z"))), "{v}");
    }
    assert!(check(Test::TimestampEquals(P(W)), json!(t), json!(t)));
    assert!(check(Test::TimestampLessThan(P(W)), json!(t), json!("2012-10-09T19:00:56Z")));
    assert!(!check(Test::TimestampGreaterThan(P(W)), json!(t), json!("2012-10-09T19:00:56Z")));
    assert!(!check(Test::TimestampEquals(P(W)), json!(t), json!("not a time")));
    assert!(!check(Test::TimestampEquals(P(W)), json!(t), json!(1_349_809_255)));
}

#[test]
fn type_tests() {
    for v in all_types() {
        let timestamp = v.as_str() == Some("2012-10-09T19:00:55Z");
        for expected in [true, false] {
            assert_eq!(lit(v.clone(), Test::IsNull(expected)), v.is_null() == expected, "{v}");
            assert_eq!(lit(v.clone(), Test::IsNumeric(expected)), v.is_number() == expected, "{v}");
            assert_eq!(lit(v.clone(), Test::IsString(expected)), v.is_string() == expected, "{v}");
            assert_eq!(lit(v.clone(), Test::IsBoolean(expected)), v.is_boolean() == expected, "{v}");
            assert_eq!(lit(v.clone(), Test::IsTimestamp(expected)), timestamp == expected, "{v}");
            // Present, even when null.
            assert_eq!(lit(v.clone(), Test::IsPresent(expected)), expected, "{v}");
        }
    }
}

#[test]
fn is_present_tolerates_a_missing_variable() {
    let input = json!({});
    assert_eq!(eval_in(&Rule::Compare { variable: MISSING, test: Test::IsPresent(true) }, &input), Ok(false));
    assert_eq!(eval_in(&Rule::Compare { variable: MISSING, test: Test::IsPresent(false) }, &input), Ok(true));
}

fn expect_invalid_path(result: Result<bool, Error>, path: &str) {
    let cause = format!("Invalid path '{path}': The choice state's condition path references an invalid value.");
    assert_eq!(result, Err(Error::runtime(cause)));
}

#[test]
fn a_missing_variable_fails_the_state() {
    use Operand::Literal as L;
    let input = json!({"v": 1});
    for test in [
        Test::NumericEquals(L(Number::Int(1))),
        Test::StringEquals(L("x")),
        Test::BooleanEquals(L(true)),
        Test::TimestampEquals(L("2012-10-09T19:00:55Z")),
        Test::StringMatches("*"),
        Test::IsNull(true),
        Test::IsNull(false),
        Test::IsNumeric(false),
        Test::IsString(false),
        Test::IsBoolean(false),
        Test::IsTimestamp(false),
    ] {
        expect_invalid_path(eval_in(&Rule::Compare { variable: MISSING, test }, &input), "$.missing");
    }
}

#[test]
fn a_missing_operand_path_fails_the_state() {
    use Operand::Path as P;
    // Even when the variable has the wrong type for the comparison.
    for v in [json!(1), json!("x"), json!(null)] {
        let input = json!({"v": v});
        for test in [
            Test::NumericEquals(P(MISSING)),
            Test::StringLessThan(P(MISSING)),
            Test::BooleanEquals(P(MISSING)),
            Test::TimestampGreaterThan(P(MISSING)),
        ] {
            expect_invalid_path(eval_in(&Rule::Compare { variable: V, test }, &input), "$.missing");
        }
    }
}

#[test]
fn the_path_is_quoted_as_written() {
    const CONTEXT: Path = Path {
        root: Root::Context,
        segments: &[Segment::Field("Execution"), Segment::Field("Input"), Segment::Field("a b")],
        text: "$$.Execution.Input['a b']",
    };
    let rule = Rule::Compare { variable: CONTEXT, test: Test::IsNull(true) };
    expect_invalid_path(eval_in(&rule, &json!({})), "$$.Execution.Input['a b']");
}

#[test]
fn boolean_expressions() {
    use Operand::Literal as L;
    const ONE: Rule = Rule::Compare { variable: V, test: Test::NumericEquals(L(Number::Int(1))) };
    const TWO: Rule = Rule::Compare { variable: V, test: Test::NumericEquals(L(Number::Int(2))) };
    static AND: Rule = Rule::And(&[ONE, TWO]);
    static OR: Rule = Rule::Or(&[TWO, ONE]);
    static NOT_ONE: Rule = Rule::Not(&ONE);
    static NESTED: Rule = Rule::And(&[Rule::Not(&TWO), Rule::Or(&[TWO, ONE])]);
    let input = json!({"v": 1});
    assert_eq!(eval_in(&AND, &input), Ok(false));
    assert_eq!(eval_in(&Rule::And(&[ONE]), &input), Ok(true));
    assert_eq!(eval_in(&OR, &input), Ok(true));
    assert_eq!(eval_in(&Rule::Or(&[TWO]), &input), Ok(false));
    assert_eq!(eval_in(&NOT_ONE, &input), Ok(false));
    assert_eq!(eval_in(&Rule::Not(&TWO), &input), Ok(true));
    assert_eq!(eval_in(&NESTED, &input), Ok(true));
}

#[test]
fn and_or_short_circuit() {
    use Operand::Literal as L;
    const FALSE: Rule = Rule::Compare { variable: V, test: Test::IsNull(true) };
    const TRUE: Rule = Rule::Compare { variable: V, test: Test::IsNull(false) };
    const FAILS: Rule = Rule::Compare { variable: MISSING, test: Test::NumericEquals(L(Number::Int(1))) };
    let input = json!({"v": 1});
    // The failing rule is never reached...
    assert_eq!(eval_in(&Rule::And(&[FALSE, FAILS]), &input), Ok(false));
    assert_eq!(eval_in(&Rule::Or(&[TRUE, FAILS]), &input), Ok(true));
    // ...but fails the state when it is.
    assert!(eval_in(&Rule::And(&[TRUE, FAILS]), &input).is_err());
    assert!(eval_in(&Rule::Or(&[FALSE, FAILS]), &input).is_err());
    assert!(eval_in(&Rule::Not(&FAILS), &input).is_err());
    // And only the rules needed are looked up.
    let mut looked_up = Vec::new();
    let rule = Rule::Or(&[TRUE, FAILS]);
    let result = evaluate(&rule, &mut |path| {
        looked_up.push(path.text);
        resolve(path, &input, &Value::Null)
    });
    assert_eq!(result, Ok(true));
    assert_eq!(looked_up, ["$.v"]);
}

#[test]
fn no_choice_matched_is_a_runtime_error() {
    let error = no_choice_matched();
    assert_eq!(error.name, "States.Runtime");
    assert_eq!(
        error.cause.as_deref(),
        Some("Failed to transition out of the state. The state does not point to a next state.")
    );
}

#[test]
fn rules_are_static_data() {
    // Generated code builds rules as statics; this must keep compiling.
    static RULE: Rule = Rule::Or(&[
        Rule::Compare { variable: V, test: Test::StringEquals(Operand::Path(W)) },
        Rule::Not(&Rule::Compare {
            variable: V,
            test: Test::TimestampLessThan(Operand::Literal("2016-03-14T01:59:00Z")),
        }),
    ]);
    assert_eq!(eval_in(&RULE, &json!({"v": "a", "w": "a"})), Ok(true));
}
