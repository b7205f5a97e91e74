//! Tests of the intrinsic function parser (kept beside `intrinsic.rs`, in their own file for
//! length).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use super::*;
use crate::path::{PathRoot, Segment};
use IntrinsicFunction as F;

fn call(text: &str) -> IntrinsicCall {
    parse_intrinsic(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn fails(text: &str) -> PathError {
    match parse_intrinsic(text) {
        Ok(c) => panic!("{text} parsed as {c:?}"),
        Err(e) => e,
    }
}

/// The one problem that makes a call that parses certainly fail at run time.
fn fails_at_run_time(text: &str) -> PathError {
    match certain_failures(&call(text)).as_slice() {
        [e] => e.clone(),
        other => panic!("{text}: expected one run-time failure, found {other:?}"),
    }
}

fn num(n: i64) -> IntrinsicArg {
    IntrinsicArg::Number(n.into())
}

#[test]
fn names_round_trip() {
    assert_eq!(F::ALL.len(), 18);
    for f in F::ALL {
        assert_eq!(F::from_name(f.name()), Some(*f));
        assert!(f.name().starts_with("States."));
        assert!(f.max_args().is_none_or(|max| max >= f.min_args()));
    }
    assert_eq!(F::Uuid.name(), "States.UUID");
    assert_eq!(F::from_name("States.format"), None);
    assert_eq!(F::from_name("Format"), None);
    assert_eq!((F::MathRandom.min_args(), F::MathRandom.max_args()), (2, Some(3)));
    assert_eq!((F::Format.min_args(), F::Format.max_args()), (1, None));
    assert_eq!((F::Array.min_args(), F::Array.max_args()), (0, None));
}

#[test]
fn literals_and_paths() {
    let c = call("States.Array('a', -1.5, 2, true, false, null, $, $$.Map.Item.Value, $var.x[0])");
    assert_eq!(c.function, F::Array);
    assert_eq!(c.args[0], IntrinsicArg::String("a".into()));
    assert_eq!(c.args[1], IntrinsicArg::Number(serde_json::Number::from_f64(-1.5).unwrap()));
    assert_eq!(c.args[2..6], [num(2), IntrinsicArg::Bool(true), IntrinsicArg::Bool(false), IntrinsicArg::Null]);
    let roots: Vec<_> = c.paths().into_iter().map(|p| (p.root.clone(), p.segments.len())).collect();
    assert_eq!(roots, [(PathRoot::Input, 0), (PathRoot::Context, 3), (PathRoot::Variable("var".into()), 2)]);
    assert_eq!(c.span, (0, 78));
    assert_eq!(c.arg_spans[0], (13, 16));
    let c = call("States.Array()");
    assert!(c.args.is_empty());
    let c = call("States.Array(  $.a  ,\n\t'b'  )");
    assert_eq!(c.args.len(), 2);
    let c = call("States.Array($.a[0,1], $.b[?(@.x == 'y, z)')])");
    assert!(matches!(&c.args[0], IntrinsicArg::Path(p) if matches!(p.segments[1], Segment::Union(_))));
    assert!(matches!(&c.args[1], IntrinsicArg::Path(p) if matches!(p.segments[1], Segment::Filter(_))));
}

#[test]
fn string_escapes() {
    let s = |text: &str| match &call(&format!("States.Array({text})")).args[0] {
        IntrinsicArg::String(s) => s.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(s(r"'it\'s'"), "it's");
    assert_eq!(s(r"'\{\}'"), "{}");
    assert_eq!(s(r"'a\\b'"), r"a\b");
    assert_eq!(s("'Hello\nWorld'"), "Hello\nWorld");
    assert_eq!(s(r#"'{"a": 1}'"#), r#"{"a": 1}"#);
    assert_eq!(s("''"), "");
    for (bad, offset) in [(r"'a\nb'", 15), (r"'a\'", 13), (r"'\", 14), (r#"'\"'"#, 14)] {
        let e = fails(&format!("States.Array({bad})"));
        assert_eq!((e.offset, e.kind), (offset, PathErrorKind::InvalidIntrinsic), "{bad}: {e}");
    }
    assert!(fails(r"States.Array('a\nb')").message.contains("unknown escape"));
    assert!(fails(r#"States.Array("a")"#).message.contains("single quotes"));
}

#[test]
fn nesting() {
    let c = call(
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
    );
    assert_eq!(c.paths().len(), 2);
    let IntrinsicArg::Call(inner) = &c.args[1] else { panic!() };
    assert_eq!(inner.function, F::MathAdd);
    assert_eq!(inner.span.0, 67);
    let nest = |n: usize| format!("{}$.a{}", "States.Array(".repeat(n), ")".repeat(n));
    assert!(parse_intrinsic(&nest(MAX_INTRINSIC_DEPTH)).is_ok());
    let e = fails(&nest(MAX_INTRINSIC_DEPTH + 1));
    assert_eq!(e.offset, 13 * MAX_INTRINSIC_DEPTH);
    assert!(e.message.contains("at most 10"));
    assert!(parse_intrinsic(&nest(100_000)).is_err());
}

#[test]
fn syntax_errors() {
    let cases = [
        ("States.Format", 13, "expected `(`"),
        ("States.Format ('x')", 13, "expected `(`"),
        ("States.Array(1,)", 15, "missing argument"),
        ("States.Array(,1)", 13, "missing argument"),
        ("States.Array(1 2)", 15, "expected `,` or `)`"),
        ("States.Array(1", 12, "missing its closing"),
        ("States.Array(1,", 12, "missing its closing"),
        ("States.Array(1) x", 16, "after the closing"),
        ("States.Array(1) ", 15, "whitespace after the closing"),
        ("States.Array(abc)", 13, "'abc'"),
        ("States.Array(True)", 13, "lowercase"),
        ("States.Array(12ab)", 15, "after the literal"),
        ("States.Array(truex)", 13, "unexpected `truex`"),
        ("States.Array(01)", 13, "leading zeros"),
        ("States.Array(-)", 14, "digit"),
        ("States.Array(1.)", 15, "decimal point"),
        ("States.Array('abc)", 13, "unterminated"),
        ("States.Array(@.x)", 13, "unexpected `@`"),
        ("States.", 7, "expected a function name"),
        ("Format('x')", 0, "starts with `States.`"),
    ];
    for (text, offset, needle) in cases {
        let e = fails(text);
        assert_eq!(e.offset, offset, "{text}: {e}");
        assert!(e.message.contains(needle), "{text}: {e}");
    }
    let e = fails("States.Array($.a b)");
    assert_eq!(e.offset, 17);
    let e = fails("States.Array($.a..)");
    assert_eq!(e.kind, PathErrorKind::InvalidPath);
}

#[test]
fn unknown_functions_suggest() {
    let e = fails("States.Fromat('x')");
    assert_eq!((e.offset, e.kind), (0, PathErrorKind::IntrinsicArguments));
    assert!(e.message.contains("did you mean `States.Format`?"), "{e}");
    assert!(fails("States.uuid()").message.contains("`States.UUID`"));
    assert!(fails("States.Array(States.Nope())").message.contains("unknown intrinsic function `States.Nope`"));
}

#[test]
fn arity() {
    let cases = [
        ("States.UUID(1)", 12, "takes no arguments, but 1 was given"),
        ("States.Format()", 14, "takes a template"),
        ("States.Hash($.a)", 15, "takes 2 arguments (the data, the algorithm), but 1 was given"),
        ("States.MathRandom(1)", 19, "takes 2 or 3 arguments"),
        ("States.MathRandom(1, 2, 3, 4)", 27, "but 4 were given"),
        ("States.JsonMerge($.a, $.b)", 25, "takes 3 arguments"),
        ("States.ArrayRange(1, 2)", 22, "takes 3"),
        ("States.ArrayLength()", 19, "takes 1 argument (the array)"),
        ("States.JsonToString($.a, $.b)", 25, "takes 1 argument"),
        ("States.StringSplit('a')", 22, "takes 2"),
    ];
    for (text, offset, needle) in cases {
        let e = fails(text);
        assert_eq!((e.offset, e.kind), (offset, PathErrorKind::IntrinsicArguments), "{text}: {e}");
        assert!(e.message.contains(needle), "{text}: {e}");
    }
    for ok in [
        "States.UUID()",
        "States.MathRandom(1, 10)",
        "States.MathRandom(1, 10, $.seed)",
        "States.Array()",
        "States.Format('no placeholders')",
    ] {
        call(ok);
    }
}

#[test]
fn argument_types() {
    let cases = [
        ("States.JsonToString('x')", 20, "must be a path"),
        ("States.JsonToString(States.Array(1))", 20, "must be a path"),
        ("States.Format(1, $.a)", 14, "must be a string, but found the number 1"),
        ("States.StringToJson(null)", 20, "must be a string"),
        ("States.Base64Encode(3)", 20, "must be a string"),
        ("States.Hash($.a, 'SHA256')", 17, "did you mean 'SHA-256'?"),
        ("States.Hash($.a, 'sha-1')", 17, "'SHA-1'"),
        ("States.Hash($.a, 5)", 17, "algorithm names"),
        ("States.ArrayRange(1, 10.5, 1)", 21, "must be an integer"),
        ("States.ArrayRange(1, 10, 0)", 25, "non-zero"),
        ("States.ArrayRange('1', 10, 1)", 18, "found the string '1'"),
        ("States.ArrayPartition($.a, 0)", 27, "positive integer"),
        ("States.ArrayPartition($.a, -2)", 27, "positive integer"),
        ("States.ArrayPartition('abc', 2)", 22, "must be an array"),
        ("States.ArrayGetItem($.a, 1.5)", 25, "integer"),
        ("States.ArrayLength(States.Format('x'))", 19, "`States.Format` returns a string"),
        ("States.MathAdd('1', 2)", 15, "must be a number"),
        ("States.MathAdd(true, 2)", 15, "found `true`"),
        ("States.MathRandom(1, 2, 0.5)", 24, "integer"),
        ("States.JsonMerge($.a, $.b, true)", 27, "shallow merge"),
        ("States.JsonMerge($.a, $.b, 'false')", 27, "the boolean `false`"),
        ("States.JsonMerge('a', $.b, false)", 17, "JSON object"),
        ("States.StringSplit($.a, States.ArrayLength($.b))", 24, "returns an integer"),
    ];
    // The service creates such definitions and fails the execution at the call, so the
    // parser accepts them and `certain_failures` names the argument.
    for (text, offset, needle) in cases {
        let e = fails_at_run_time(text);
        assert_eq!((e.offset, e.kind), (offset, PathErrorKind::FailsAtRunTime), "{text}: {e}");
        assert!(e.message.contains(needle), "{text}: {e}");
    }
    // A failure inside a nested call is found too.
    let e = fails_at_run_time("States.Array(States.ArrayPartition($.a, 0))");
    assert!(e.message.contains("positive integer"), "{e}");
    for ok in [
        "States.MathAdd(1.5, -2)",
        "States.MathAdd($.a, States.ArrayLength($.b))",
        "States.ArrayRange(1, 10.0, 2)",
        "States.ArrayGetItem(States.StringToJson($.a), States.MathAdd(1, 1))",
        "States.Hash(States.JsonToString($.a), 'SHA-512')",
        "States.Hash($.a, $.algo)",
        "States.JsonMerge(States.StringToJson('{}'), $.b, false)",
        "States.JsonMerge($.a, $.b, $.deep)",
        "States.ArrayContains(States.Array(1, 2), 2)",
        "States.StringToJson(States.JsonToString($.x))",
    ] {
        assert_eq!(certain_failures(&call(ok)), vec![], "{ok}");
    }
}

#[test]
fn format_placeholders() {
    let c = call("States.Format('Hello {}, welcome to {}!', $.name, $.place)");
    assert_eq!(c.format_pieces, Some(vec!["Hello ".into(), ", welcome to ".into(), "!".into()]));
    let c = call(r"States.Format('\{} is not a placeholder, {} is', $.x)");
    assert_eq!(c.args[0], IntrinsicArg::String("{} is not a placeholder, {} is".into()));
    assert_eq!(c.format_pieces, Some(vec!["{} is not a placeholder, ".into(), " is".into()]));
    let c = call(r"States.Format('{\}{ }')");
    assert_eq!(c.format_pieces, Some(vec!["{}{ }".into()]));
    assert_eq!(call("States.Format($.template, $.a, $.b)").format_pieces, None);
    assert_eq!(call("States.Array('{}')").format_pieces, None);
    let e = fails_at_run_time("States.Format('{} and {}', $.a)");
    assert_eq!(e.offset, 14);
    assert!(e.message.contains("2 `{}` placeholders but 1 value follows it"), "{e}");
    let e = fails_at_run_time("States.Format('{}', $.a, $.b)");
    assert_eq!(e.offset, 25);
    assert!(e.message.contains("1 `{}` placeholder but 2 values follow it"), "{e}");
}
