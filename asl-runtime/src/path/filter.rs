//! Filter expressions (`[?(@.price < 10)]`) with Jayway's comparison rules.
//!
//! Jayway compares "value nodes": numbers compare by value (`1 == 1.0`), a number equals a
//! string that reads as the same number (`@.id == '1'` matches `{"id": 1}`) and a string
//! equals a number whose decimal text it is; `<`, `<=`, `>`, `>=` compare two numbers or two
//! strings (by UTF-16 code units, as Java does) and are false for anything else; a path
//! that selects nothing is "undefined", equal only to another undefined operand, so
//! `@.x != 1` holds for items without `x`. `[?(@.x)]` holds when `x` exists, whatever
//! its value. The regular-expression operator `=~` is not evaluated: it fails the
//! selection with [`MissingKind::Unsupported`](super::MissingKind::Unsupported).

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::eval::Cx;
use super::{Filter, Literal, Operand, Root, Segment, Selection};
use crate::template::literal_value;

/// True when `item` passes `filter`.
pub(crate) fn test<'v>(filter: &'static Filter, item: &'v Value, cx: &Cx<'_, 'v>) -> bool {
    match filter {
        Filter::Or(a, b) => test(a, item, cx) || test(b, item, cx),
        Filter::And(a, b) => test(a, item, cx) && test(b, item, cx),
        Filter::Not(a) => !test(a, item, cx),
        Filter::Exists(operand) => exists(operand, item, cx),
        Filter::Compare { left, op, right } => {
            let (left, right) = (operand(left, item, cx), operand(right, item, cx));
            compare(&left, op, &right, cx)
        }
    }
}

/// A filter operand's value, as Jayway classifies it.
#[derive(Clone, Debug, PartialEq)]
enum Node<'v> {
    /// A path that selected nothing.
    Undefined,
    Null,
    Bool(bool),
    Num(Num),
    Str(Cow<'v, str>),
    /// An array or object.
    Json(Cow<'v, Value>),
    /// The matches of an indefinite path: an array.
    List(Vec<Cow<'v, Value>>),
    /// `/pattern/flags`.
    Regex,
}

/// A number: exact when integral, else a double.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Num {
    int: Option<i128>,
    float: f64,
}

impl Num {
    fn of(n: &Number) -> Num {
        let int = n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
        Num { int, float: n.as_f64().unwrap_or(f64::NAN) }
    }

    fn cmp(&self, other: &Num) -> Option<Ordering> {
        match (self.int, other.int) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => self.float.partial_cmp(&other.float),
        }
    }

    /// The decimal text Jayway compares a string against.
    fn text(&self) -> String {
        match self.int {
            Some(i) => i.to_string(),
            None => Number::from_f64(self.float).map(|n| n.to_string()).unwrap_or_default(),
        }
    }

    /// A string that Java's `BigDecimal` reads as a number: sign, digits with at most one
    /// point, optional exponent.
    fn parse(s: &str) -> Option<Num> {
        let body = s.strip_prefix(['+', '-']).unwrap_or(s);
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(at) => (&body[..at], Some(&body[at + 1..])),
            None => (body, None),
        };
        let digits = mantissa.chars().filter(char::is_ascii_digit).count();
        let points = mantissa.chars().filter(|&c| c == '.').count();
        let exponent_ok = exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
        });
        if digits == 0 || points > 1 || digits + points != mantissa.len() || !exponent_ok {
            return None;
        }
        let float = s.parse::<f64>().ok()?;
        let int = if points == 0 && exponent.is_none() { s.parse::<i128>().ok() } else { None };
        Some(Num { int, float })
    }
}

impl<'v> Node<'v> {
    fn of(value: Cow<'v, Value>) -> Node<'v> {
        match value {
            Cow::Borrowed(value) => Node::borrowed(value),
            Cow::Owned(Value::String(s)) => Node::Str(Cow::Owned(s)),
            Cow::Owned(value) => match Node::borrowed(&value) {
                Node::Json(_) => Node::Json(Cow::Owned(value)),
                // Scalars other than strings hold no borrow.
                Node::Null => Node::Null,
                Node::Bool(b) => Node::Bool(b),
                Node::Num(n) => Node::Num(n),
                _ => Node::Undefined,
            },
        }
    }

    fn borrowed(value: &'v Value) -> Node<'v> {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Num(Num::of(n)),
            Value::String(s) => Node::Str(Cow::Borrowed(s)),
            _ => Node::Json(Cow::Borrowed(value)),
        }
    }

    fn literal(literal: &'static Literal) -> Node<'static> {
        match literal {
            Literal::Null => Node::Null,
            Literal::Bool(b) => Node::Bool(*b),
            Literal::Int(i) => Node::Num(Num { int: Some(i128::from(*i)), float: *i as f64 }),
            Literal::Float(f) => Node::Num(Num { int: None, float: *f }),
            Literal::Str(s) => Node::Str(Cow::Borrowed(s)),
            Literal::Array(_) | Literal::Object(_) => Node::Json(Cow::Owned(literal_value(literal))),
        }
    }

    fn is_json(&self) -> bool {
        matches!(self, Node::Json(_) | Node::List(_))
    }

    /// The elements of an array operand.
    fn elements(&self) -> Option<Vec<Node<'_>>> {
        match self {
            Node::Json(value) => value.as_array().map(|items| items.iter().map(Node::borrowed).collect()),
            Node::List(items) => Some(items.iter().map(|item| Node::borrowed(item.as_ref())).collect()),
            _ => None,
        }
    }

    /// The length `size` compares: UTF-16 units of a string, members of a container.
    fn size(&self) -> Option<usize> {
        match self {
            Node::Str(s) => Some(s.encode_utf16().count()),
            Node::Json(value) => match value.as_ref() {
                Value::Array(items) => Some(items.len()),
                Value::Object(map) => Some(map.len()),
                _ => None,
            },
            Node::List(items) => Some(items.len()),
            _ => None,
        }
    }
}

fn operand<'v>(operand: &'static Operand, item: &'v Value, cx: &Cx<'_, 'v>) -> Node<'v> {
    match operand {
        Operand::Current(segments) => path_node(item, segments, cx),
        Operand::Path(path) => match root(path.root, cx) {
            Some(doc) => path_node(doc, path.segments, cx),
            None => Node::Undefined,
        },
        Operand::Literal(literal) => Node::literal(literal),
        Operand::Regex { .. } => Node::Regex,
    }
}

/// The document a path inside a filter starts from: `$` is the document the whole path
/// runs on (Jayway's root), not necessarily the state input.
fn root<'v>(root: Root, cx: &Cx<'_, 'v>) -> Option<&'v Value> {
    match root {
        Root::Input => Some(cx.root),
        other => cx.scope.root(other),
    }
}

fn path_node<'v>(doc: &'v Value, segments: &'static [Segment], cx: &Cx<'_, 'v>) -> Node<'v> {
    match select(doc, segments, cx) {
        Some(Selection::One(value)) => Node::of(value),
        Some(Selection::Many(values)) => Node::List(values),
        None => Node::Undefined,
    }
}

/// A path inside a filter; a missing value is not an error there, an unsupported
/// operation still is.
fn select<'v>(doc: &'v Value, segments: &'static [Segment], cx: &Cx<'_, 'v>) -> Option<Selection<'v>> {
    match cx.select(doc, segments) {
        Ok(selection) => Some(selection),
        Err(missing) => {
            if missing.kind == super::MissingKind::Unsupported {
                cx.unsupported(missing.reason);
            }
            None
        }
    }
}

fn exists<'v>(operand: &'static Operand, item: &'v Value, cx: &Cx<'_, 'v>) -> bool {
    let found = |doc: &'v Value, segments: &'static [Segment]| match select(doc, segments, cx) {
        Some(Selection::One(_)) => true,
        Some(Selection::Many(values)) => !values.is_empty(),
        None => false,
    };
    match operand {
        Operand::Current(segments) => found(item, segments),
        Operand::Path(path) => root(path.root, cx).is_some_and(|doc| found(doc, path.segments)),
        Operand::Literal(Literal::Bool(b)) => *b,
        Operand::Literal(Literal::Null) => false,
        Operand::Literal(_) => true,
        Operand::Regex { .. } => false,
    }
}

fn compare(left: &Node<'_>, op: &str, right: &Node<'_>, cx: &Cx<'_, '_>) -> bool {
    let order = || match (left, right) {
        (Node::Num(a), Node::Num(b)) => a.cmp(b),
        (Node::Str(a), Node::Str(b)) => Some(a.encode_utf16().cmp(b.encode_utf16())),
        _ => None,
    };
    // Jayway's `in` family asks whether a list contains a node, which calls the node's
    // `equals` with each element: the order of the arguments matters for mixed types.
    let contains = |list: &Node<'_>, node: &Node<'_>| {
        list.elements().is_some_and(|items| items.iter().any(|item| equals(node, item)))
    };
    let sets = |any: bool| match (left.elements(), right.elements()) {
        (Some(l), Some(r)) => {
            if any {
                l.iter().any(|a| r.iter().any(|b| equals(a, b)))
            } else {
                l.iter().all(|a| r.iter().any(|b| equals(a, b)))
            }
        }
        _ => false,
    };
    match op {
        "==" => equals(left, right),
        "!=" => !equals(left, right),
        "===" => same_kind(left, right) && equals(left, right),
        "!==" => !(same_kind(left, right) && equals(left, right)),
        "<" => order().is_some_and(Ordering::is_lt),
        "<=" => order().is_some_and(Ordering::is_le),
        ">" => order().is_some_and(Ordering::is_gt),
        ">=" => order().is_some_and(Ordering::is_ge),
        "in" => contains(right, left),
        "nin" => !contains(right, left),
        "contains" => match (left, right) {
            (Node::Str(a), Node::Str(b)) => a.contains(b.as_ref()),
            _ => contains(left, right),
        },
        "subsetof" => sets(false),
        "anyof" => sets(true),
        "noneof" => left.elements().is_some() && right.elements().is_some() && !sets(true),
        "size" => match (left.size(), right) {
            (Some(size), Node::Num(Num { int: Some(n), .. })) => i128::try_from(size).is_ok_and(|size| size == *n),
            _ => false,
        },
        "empty" => match (left.size(), right) {
            (Some(size), Node::Bool(b)) => (size == 0) == *b,
            _ => false,
        },
        _ => {
            cx.unsupported(format!("The JSONPath filter operator '{op}' is not supported"));
            false
        }
    }
}

/// Jayway's `ValueNode.equals(left, right)`.
fn equals(left: &Node<'_>, right: &Node<'_>) -> bool {
    match (left, right) {
        (Node::Undefined, Node::Undefined) | (Node::Null, Node::Null) => true,
        (Node::Bool(a), Node::Bool(b)) => a == b,
        (Node::Num(a), Node::Num(b)) => a.cmp(b) == Some(Ordering::Equal),
        (Node::Num(a), Node::Str(b)) => Num::parse(b).is_some_and(|b| a.cmp(&b) == Some(Ordering::Equal)),
        (Node::Str(a), Node::Str(b)) => a == b,
        (Node::Str(a), Node::Num(b)) => a.as_ref() == b.text(),
        _ if left.is_json() && right.is_json() => json_equals(left, right),
        _ => false,
    }
}

fn json_equals(left: &Node<'_>, right: &Node<'_>) -> bool {
    match (left, right) {
        (Node::Json(a), Node::Json(b)) => a == b,
        (Node::List(a), Node::List(b)) => a == b,
        (Node::List(list), Node::Json(value)) | (Node::Json(value), Node::List(list)) => value
            .as_array()
            .is_some_and(|items| items.len() == list.len() && items.iter().zip(list).all(|(a, b)| a == b.as_ref())),
        _ => false,
    }
}

/// `===` also requires the two nodes to be of the same Jayway class.
fn same_kind(left: &Node<'_>, right: &Node<'_>) -> bool {
    let kind = |node: &Node<'_>| match node {
        Node::Undefined => 0,
        Node::Null => 1,
        Node::Bool(_) => 2,
        Node::Num(_) => 3,
        Node::Str(_) => 4,
        Node::Json(_) | Node::List(_) => 5,
        Node::Regex => 6,
    };
    kind(left) == kind(right)
}
