//! Tests of the JSONPath reader (beside `jsonpath.rs`, in their own file for length).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use super::*;
use crate::path::{CompareOp, FilterExpr, FilterOperand};

fn segs(text: &str) -> Vec<Segment> {
    match parse_path(text) {
        Ok(p) => p.segments,
        Err(e) => panic!("{text}: {e}"),
    }
}

fn field(s: &str) -> Segment {
    Segment::Field(s.into())
}

fn fails(text: &str) -> PathError {
    match parse_path(text) {
        Ok(p) => panic!("{text} parsed as {p:?}"),
        Err(e) => e,
    }
}

#[test]
fn roots() {
    let p = parse_path("$").unwrap();
    assert_eq!((p.root, p.segments.len()), (PathRoot::Input, 0));
    assert_eq!(parse_path("$$").unwrap().root, PathRoot::Context);
    let p = parse_path("$$.Execution.Input").unwrap();
    assert_eq!((p.root, p.segments), (PathRoot::Context, vec![field("Execution"), field("Input")]));
    let p = parse_path("$myVar.a[0]").unwrap();
    assert_eq!(p.root, PathRoot::Variable("myVar".into()));
    assert_eq!(p.segments, vec![field("a"), Segment::Index(0)]);
    assert_eq!(parse_path("$_x1").unwrap().root, PathRoot::Variable("_x1".into()));
    assert_eq!(parse_path("$größe").unwrap().root, PathRoot::Variable("größe".into()));
    assert_eq!(parse_path("$$.Map.Item.Value").unwrap().text, "$$.Map.Item.Value");
}

#[test]
fn bad_roots() {
    assert_eq!(fails("a.b").offset, 0);
    assert!(fails("@.a").message.contains("filter"));
    assert!(fails(" $.a").message.contains("whitespace"));
    let e = fails("$1abc");
    assert_eq!(e.offset, 1);
    assert!(e.message.contains("digit"));
    let e = fails("$states.input");
    assert_eq!(e.offset, 1);
    assert!(e.message.contains("reserved"));
    assert_eq!(fails("$$a").offset, 2);
    assert_eq!(fails("$my-var").offset, 3);
    assert!(fails("").message.contains("start with `$`"));
}

#[test]
fn dot_and_bracket_fields() {
    assert_eq!(segs("$.a.b"), vec![field("a"), field("b")]);
    assert_eq!(segs("$['a b']"), vec![field("a b")]);
    assert_eq!(segs("$[\"a\"]"), vec![field("a")]);
    assert_eq!(segs("$.abc.['def ghi']"), vec![field("abc"), field("def ghi")]);
    assert_eq!(segs("$[ 'a' ]"), vec![field("a")]);
    assert_eq!(segs("$.sub-values"), vec![field("sub-values")]);
    assert_eq!(segs("$.&Ж中"), vec![field("&Ж中")]);
    assert_eq!(segs("$['']"), vec![field("")]);
}

#[test]
fn escapes() {
    assert_eq!(segs(r"$.store\.book"), vec![field("store.book")]);
    assert_eq!(segs(r"$.\stor\e.boo\k"), vec![field("store"), field("book")]);
    assert_eq!(segs(r"$.foo.\.bar"), vec![field("foo"), field(".bar")]);
    assert_eq!(segs(r"$.foo\@bar.baz\[\[.\?pretty"), vec![field("foo@bar"), field("baz[["), field("?pretty")]);
    assert_eq!(segs(r"$.\uD800\uDF46"), vec![field("\u{10346}")]);
    assert_eq!(segs(r"$.\u00e9t\u00e9"), vec![field("été")]);
    // In quotes only the quote and the backslash are escapes (AWS-observed).
    assert_eq!(segs(r#"$['Test\""Name"']"#), vec![field(r#"Test\""Name""#)]);
    assert_eq!(segs(r"$['it\'s']"), vec![field("it's")]);
    assert_eq!(segs(r"$['a\\b']"), vec![field(r"a\b")]);
    assert_eq!(fails(r"$.a\").offset, 3);
    assert!(fails(r"$.\uD800x").message.contains("surrogate"));
    assert_eq!(fails("$['abc").offset, 2);
}

#[test]
fn indexes_and_slices() {
    assert_eq!(segs("$.a[0]"), vec![field("a"), Segment::Index(0)]);
    assert_eq!(segs("$.a[-1]"), vec![field("a"), Segment::Index(-1)]);
    assert_eq!(
        segs("$[0][22][315].foo"),
        vec![Segment::Index(0), Segment::Index(22), Segment::Index(315), field("foo")]
    );
    let union = |v: Vec<i64>| Segment::Union(v.into_iter().map(UnionItem::Index).collect());
    assert_eq!(segs("$.a[0,1]")[1], union(vec![0, 1]));
    assert_eq!(segs("$.a[ 0 , -1 ]")[1], union(vec![0, -1]));
    let slice = |start, end, step| Segment::Slice { start, end, step };
    assert_eq!(segs("$.a[1:3]")[1], slice(Some(1), Some(3), None));
    assert_eq!(segs("$.a[:1]")[1], slice(None, Some(1), None));
    assert_eq!(segs("$.a[1:]")[1], slice(Some(1), None, None));
    assert_eq!(segs("$.a[-2:]")[1], slice(Some(-2), None, None));
    assert_eq!(segs("$.a[::2]")[1], slice(None, None, Some(2)));
    assert_eq!(segs("$.a[:]")[1], slice(None, None, None));
    assert!(fails("$.a[::0]").message.contains("step"));
    assert!(fails("$.a[99999999999999999999]").message.contains("too large"));
    assert_eq!(fails("$.a[-]").offset, 5);
    assert_eq!(fails("$.a[]").offset, 3);
    assert_eq!(fails("$.a[0").offset, 5);
    assert_eq!(fails("$.a[0 1]").offset, 6);
    assert!(fails("$.a[b]").message.contains("quoted"));
    assert!(fails("$['a',0]").message.contains("mix"));
}

#[test]
fn wildcards_unions_descendants_functions() {
    assert_eq!(segs("$.a[*]"), vec![field("a"), Segment::Wildcard]);
    assert_eq!(segs("$.*.a"), vec![Segment::Wildcard, field("a")]);
    assert_eq!(segs("$[*][*]"), vec![Segment::Wildcard, Segment::Wildcard]);
    let union = Segment::Union(vec![UnionItem::Field("a".into()), UnionItem::Field("b".into())]);
    assert_eq!(segs("$['a','b']"), vec![union]);
    assert_eq!(segs("$..a"), vec![Segment::Descendant(Box::new(field("a")))]);
    assert_eq!(segs("$..*"), vec![Segment::Descendant(Box::new(Segment::Wildcard))]);
    assert_eq!(segs("$..[0]"), vec![Segment::Descendant(Box::new(Segment::Index(0)))]);
    assert_eq!(segs("$.a.length()"), vec![field("a"), Segment::Function("length".into())]);
    assert!(fails("$.a.lenght()").message.contains("did you mean `length()`"));
    assert!(fails("$.a.concat('x')").message.contains("not supported"));
    assert!(fails("$.a.length(1)").message.contains("no arguments"));
    assert!(fails("$.a.length().b").message.contains("last"));
    assert!(fails("$...a").message.contains("too many dots"));
    assert!(fails("$..").message.contains("descendant"));
    assert_eq!(fails("$.").offset, 1);
    assert_eq!(fails("$.a.").offset, 3);
    assert!(fails("$.a b").message.contains("whitespace"));
    assert_eq!(fails("$.*a").offset, 3);
}

#[test]
fn filters() {
    let s = segs("$.a[?(@.x > 1)]");
    let Segment::Filter(FilterExpr::Compare { left, op, right }) = &s[1] else { panic!("{s:?}") };
    assert_eq!(*left, FilterOperand::Current(vec![field("x")]));
    assert_eq!(*op, CompareOp::Gt);
    assert_eq!(*right, FilterOperand::Literal(serde_json::json!(1)));
    let s = segs("$.a[?(@.x == 'y' && @.z)]");
    assert!(matches!(&s[1], Segment::Filter(FilterExpr::And(_, b)) if matches!(**b, FilterExpr::Exists(_))));
    assert!(parse_path("$.users[?(@.status == 0)]").is_ok());
    assert!(fails("$.a[?@.x]").message.contains("[?(expression)]"));
    assert_eq!(fails("$.a[?(@.x > 1]").offset, 13);
}

#[test]
fn filters_read_an_unquoted_word_as_a_string() {
    // As deployed definitions write them (sfwc textract-analyze-expense, parallel-translate).
    let s = segs("$.SummaryFields[?(@.Type.Text==AMOUNT_PAID)]");
    let Segment::Filter(FilterExpr::Compare { right, .. }) = &s[1] else { panic!("{s:?}") };
    assert_eq!(*right, FilterOperand::Literal(serde_json::json!("AMOUNT_PAID")));
    let s = segs("$[?(@.lang==es && @.n > 1)]");
    let Segment::Filter(FilterExpr::And(left, _)) = &s[0] else { panic!("{s:?}") };
    assert!(matches!(&**left, FilterExpr::Compare { right: FilterOperand::Literal(v), .. } if v == "es"));
    // Words that are literals keep their meaning; numbers are still numbers.
    let s = segs("$[?(@.a == true)]");
    assert!(
        matches!(&s[0], Segment::Filter(FilterExpr::Compare { right: FilterOperand::Literal(v), .. }) if v == true)
    );
    let s = segs("$[?(@.a == -2)]");
    assert!(matches!(&s[0], Segment::Filter(FilterExpr::Compare { right: FilterOperand::Literal(v), .. }) if v == -2));
}

#[test]
fn trailing_whitespace_is_ignored() {
    // Jayway trims a path (deployed: `"execution_name.$": "$$.Execution.Name "`).
    let p = parse_path("$$.Execution.Name ").unwrap();
    assert_eq!(p, parse_path("$$.Execution.Name").unwrap());
    assert_eq!(parse_reference_path("$.a\t\n").unwrap(), parse_reference_path("$.a").unwrap());
    assert!(parse_path(" $.a").is_err(), "leading whitespace is not a path");
}

#[test]
fn definite_and_reference() {
    let p = |t: &str| parse_path(t).unwrap();
    assert!(p("$.a[0].b").is_definite() && p("$.a[0].b").is_reference());
    assert!(p("$.a.length()").is_definite() && !p("$.a.length()").is_reference());
    for t in ["$.a[*]", "$..a", "$.a[0,1]", "$.a[1:2]", "$.a[?(@.b)]", "$['a','b']"] {
        assert!(!p(t).is_definite() && !p(t).is_reference(), "{t}");
    }
}

#[test]
fn reference_paths() {
    for ok in [
        "$",
        "$.store.book",
        r"$.store\.book",
        r"$.foo\@bar.baz\[\[.\?pretty",
        "$.ledgers[0][22][315].foo",
        "$['store'][0]['book']",
        "$$.Execution.Input",
        "$var.a",
        "$.sub-values",
    ] {
        assert!(parse_reference_path(ok).is_ok(), "{ok}");
    }
    for (bad, offset) in [
        ("$.a[*]", 3),
        ("$..a", 1),
        ("$.a[0,1]", 5),
        ("$['a','b']", 5),
        ("$.a[1:2]", 5),
        ("$.a[:2]", 4),
        ("$.a[?(@.x)]", 3),
        ("$.a.length()", 3),
        ("$.*", 2),
        ("$.a@b", 3),
        ("$.a:b", 3),
        ("$.a,b", 3),
        ("$.a?", 3),
    ] {
        let e = parse_reference_path(bad).unwrap_err();
        assert_eq!((e.offset, e.kind), (offset, PathErrorKind::NotReferencePath), "{bad}: {e}");
    }
    assert_eq!(parse_reference_path("$.a b").unwrap_err().kind, PathErrorKind::InvalidPath);
}

#[test]
fn display_round_trips() {
    for t in [
        "$.a['b c'][0][-1][*]",
        "$..a[1:3][::2]",
        "$['it\\'s','b'][0,1]",
        "$$.Map.Item.Value",
        "$var.a.length()",
        r"$.a[?(@.x > 1 && (@.y == 'z' || !@.w) && @.k in ['a', 2])]",
        r"$.a[?(@.name =~ /^a.*/i)]",
    ] {
        let p = parse_path(t).unwrap();
        let again = parse_path(&p.to_string()).unwrap();
        assert_eq!((&p.root, &p.segments), (&again.root, &again.segments), "{t} -> {p}");
    }
    assert_eq!(parse_path("$.a.b[0]").unwrap().to_string(), "$['a']['b'][0]");
    assert_eq!(parse_path("$.a[?(@.b)].c").unwrap().jayway_string(), "$['a'][?]['c']");
}

#[test]
fn never_panics_on_odd_input() {
    let nasty = ["$[", "$['", "$[?(", "$[?(@", "$.\\u12", "$.\\uD800\\u", "$[1:", "$[-", "$é[", "$[?(((((", "$\u{0}"];
    for t in nasty {
        let _ = parse_path(t);
        let _ = parse_reference_path(t);
    }
    let deep = format!("$[?({}@.a{})]", "(".repeat(5000), ")".repeat(5000));
    assert!(fails(&deep).message.contains("nests"));
    let deep = format!("${}", "[?(@".repeat(5000));
    assert!(parse_path(&deep).is_err());
}
