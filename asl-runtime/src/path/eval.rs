//! Evaluating a [`Path`] against JSON the way AWS does: Jayway JsonPath over a Jackson tree.
//!
//! Results borrow from the documents in the [`Scope`], so a definite path (fields and
//! indexes only, the path of nearly every state) allocates nothing unless it fails.
//!
//! Jayway's rules, as AWS applies them (and as the conformance cases show):
//!
//! - A *definite* path (only `.field`, `[n]`, and a trailing `['a','b']`) selects one value
//!   or fails with [`Missing`], whose text is Jayway's exception message ("No results for
//!   path: $['x']", "Missing property in path $['a']", …).
//! - An *indefinite* path (wildcard, slice, index union, filter, `..`) selects an array of
//!   every match, in document order; it never fails: `$.items[*]` on `{}` is `[]`
//!   (cases `base-json-path-array-wildcard-or-slice-with-no-input-*`).
//! - `[n]` past either end of an array reads `null` rather than failing: AWS's Jayway
//!   provider reads Jackson's `ArrayNode.get`, which answers `null` there. Negative `n`
//!   counts from the end.
//! - A trailing `['a','b']` merges the members that exist into one object (Jayway's
//!   "multi-property merge"); before other steps it visits each member instead.
//! - Slices ignore the step (Jayway parses it and drops it).

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;

use serde_json::{Map, Number, Value};

use super::cause::{fragment, jayway_path_of};
use super::filter;
use super::{Path, Root, Segment, UnionItem};

/// The `null` that out-of-range indexes and absent documents read as.
pub(crate) static NULL: Value = Value::Null;

/// Objects up to this size are searched by comparing keys rather than by hashing.
const SCAN_UP_TO: usize = 8;

/// Member `name` of an object. serde_json's maps hash a key with SipHash to look it up,
/// which costs more than comparing it with the few keys of a typical JSON object; the
/// state data of a workflow is made of such objects, and every path step looks one up.
/// `#[inline]`: called from several modules, and without it whether a caller can inline it
/// depends on how rustc happens to split the crate into codegen units.
#[inline]
pub(crate) fn member<'v>(map: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    if map.len() <= SCAN_UP_TO {
        map.iter().find(|(key, _)| *key == name).map(|(_, value)| value)
    } else {
        map.get(name)
    }
}

/// [`member`], mutably.
#[inline]
pub(crate) fn member_mut<'v>(map: &'v mut Map<String, Value>, name: &str) -> Option<&'v mut Value> {
    if map.len() <= SCAN_UP_TO {
        map.iter_mut().find(|(key, _)| *key == name).map(|(_, value)| value)
    } else {
        map.get_mut(name)
    }
}

/// The workflow variables a `$name` path reads.
pub trait Variables {
    /// The current value of variable `name`, if it has been assigned.
    fn get(&self, name: &str) -> Option<&Value>;
}

/// No variables at all.
impl Variables for () {
    fn get(&self, _: &str) -> Option<&Value> {
        None
    }
}

impl Variables for Map<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        Map::get(self, name)
    }
}

impl<S: BuildHasher> Variables for HashMap<String, Value, S> {
    fn get(&self, name: &str) -> Option<&Value> {
        HashMap::get(self, name)
    }
}

/// The documents a path can start from: `$` (the data being transformed), `$$` (the
/// context object) and `$name` (workflow variables).
#[derive(Clone, Copy)]
pub struct Scope<'v> {
    /// What `$` refers to: the state input, a task result for `ResultSelector`, …
    pub input: &'v Value,
    /// What `$$` refers to.
    pub context: &'v Value,
    /// What `$name` refers to.
    pub variables: &'v dyn Variables,
}

impl<'v> Scope<'v> {
    /// A scope with `input` as `$`, a `null` context object and no variables.
    pub fn new(input: &'v Value) -> Self {
        Scope { input, context: &NULL, variables: &() }
    }

    /// The same scope with `context` as `$$`.
    pub fn with_context(self, context: &'v Value) -> Self {
        Scope { context, ..self }
    }

    /// The same scope reading `$name` from `variables`.
    pub fn with_variables(self, variables: &'v dyn Variables) -> Self {
        Scope { variables, ..self }
    }

    /// The document a path with this root starts from (`None`: an unassigned variable).
    pub fn root(&self, root: Root) -> Option<&'v Value> {
        match root {
            Root::Input => Some(self.input),
            Root::Context => Some(self.context),
            Root::Variable(name) => self.variables.get(name),
        }
    }
}

impl fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope").field("input", self.input).field("context", self.context).finish_non_exhaustive()
    }
}

/// What a path selected.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection<'v> {
    /// The value of a definite path (or of a function such as `length()`).
    One(Cow<'v, Value>),
    /// The matches of an indefinite path, in document order. AWS passes them on as an
    /// array, even when exactly one node matched.
    Many(Vec<Cow<'v, Value>>),
}

impl<'v> Selection<'v> {
    /// The selection as one JSON value (an array for [`Selection::Many`]); clones only the
    /// parts that are still borrowed.
    pub fn into_value(self) -> Value {
        match self {
            Selection::One(value) => value.into_owned(),
            Selection::Many(values) => Value::Array(values.into_iter().map(Cow::into_owned).collect()),
        }
    }

    /// The value of a [`Selection::One`], without cloning.
    pub fn one(&self) -> Option<&Value> {
        match self {
            Selection::One(value) => Some(value),
            Selection::Many(_) => None,
        }
    }
}

/// Why a path selected nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    /// What kind of failure this is.
    pub kind: MissingKind,
    /// Jayway's exception message, which AWS quotes after `Invalid path '…' : `, e.g.
    /// `No results for path: $['x']`.
    pub reason: String,
    /// The step that could not be taken: a field name, or an index as digits. `None` when
    /// the failure is not tied to one step (an unassigned variable, an unsupported operator).
    pub step: Option<String>,
}

/// The kinds of [`Missing`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MissingKind {
    /// A field, element or variable that does not exist.
    NotFound,
    /// A step applied to the wrong type: a field of a non-object, an index of a non-array,
    /// an aggregate function over no numbers.
    WrongType,
    /// Something this runtime does not evaluate (the `=~` operator, an unknown function).
    Unsupported,
}

impl Missing {
    fn new(kind: MissingKind, reason: String, step: Option<String>) -> Self {
        Missing { kind, reason, step }
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Missing {}

/// Evaluates `path` in `scope`.
///
/// A definite path yields [`Selection::One`] borrowed from the scope, or [`Missing`]; an
/// indefinite path yields [`Selection::Many`] (possibly empty). The only failures of an
/// indefinite path are unsupported operations. Turning a [`Missing`] into AWS's cause
/// text is the job of the helpers in [`cause`](super::cause), which differ by field.
///
/// A `null` `$` is evaluated like any other value; AWS refuses to apply a path to a `null`
/// state input at all ([`NULL_INPUT`](super::cause::NULL_INPUT)), which is the caller's check.
pub fn select<'v>(path: &Path, scope: &Scope<'v>) -> Result<Selection<'v>, Missing> {
    let Some(root) = scope.root(path.root) else {
        // The compiler checks that a variable is assigned somewhere, not that it is
        // assigned before this state runs.
        let reason = format!("No results for path: {}", path.text);
        return Err(Missing::new(MissingKind::NotFound, reason, None));
    };
    let cx = Cx { scope, root, failure: Cell::new(None) };
    let selection = cx.select(root, path.segments)?;
    match cx.failure.take() {
        Some(failure) => Err(failure),
        None => Ok(selection),
    }
}

/// [`select`] followed by [`Selection::into_value`].
pub fn select_value(path: &Path, scope: &Scope<'_>) -> Result<Value, Missing> {
    select(path, scope).map(Selection::into_value)
}

/// True when `segments` select one value by Jayway's rules. A trailing function is
/// ignored: it applies to whatever the steps before it select.
pub fn is_definite(segments: &[Segment]) -> bool {
    let segments = match segments.split_last() {
        Some((Segment::Function(_), head)) => head,
        _ => segments,
    };
    let last = segments.len().saturating_sub(1);
    segments.iter().enumerate().all(|(i, segment)| match segment {
        Segment::Field(_) | Segment::Index(_) => true,
        // Jayway merges the members of a trailing `['a','b']` into one object.
        Segment::Union(items) => i == last && items.iter().all(|item| matches!(item, UnionItem::Field(_))),
        _ => false,
    })
}

/// How evaluation reached a value, which decides the Java type Jayway reports for it: a
/// member read is unwrapped to a Java value (`java.lang.String`), an element read is a
/// Jackson node (`TextNode`), and an index past the end is Java `null`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Via {
    /// The root document, or an array element: a Jackson node.
    Node,
    /// An object member: an unwrapped Java value (`null` for JSON null).
    Member,
    /// An index past the end: Java `null`.
    Absent,
}

/// One evaluation: the scope, the document `$` means inside filters, and the first
/// unsupported operation met where failures are otherwise ignored.
pub(crate) struct Cx<'s, 'v> {
    pub(crate) scope: &'s Scope<'v>,
    pub(crate) root: &'v Value,
    pub(crate) failure: Cell<Option<Missing>>,
}

impl<'v> Cx<'_, 'v> {
    /// Records an unsupported operation; the evaluation reports the first one.
    pub(crate) fn unsupported(&self, reason: String) {
        let first = self.failure.take().unwrap_or(Missing::new(MissingKind::Unsupported, reason, None));
        self.failure.set(Some(first));
    }

    /// Evaluates `segments` from `doc`.
    pub(crate) fn select(&self, doc: &'v Value, segments: &'static [Segment]) -> Result<Selection<'v>, Missing> {
        let (head, function) = match segments.split_last() {
            Some((Segment::Function(name), head)) => (head, Some(*name)),
            _ => (segments, None),
        };
        let selection = if is_definite(head) {
            Selection::One(definite(doc, segments, head.len())?)
        } else {
            let mut out = Vec::new();
            self.collect(doc, head, &mut out);
            Selection::Many(out)
        };
        match function {
            Some(name) => apply_function(name, selection, segments).map(Selection::One),
            None => Ok(selection),
        }
    }

    /// Appends every match of `segments` below `node`, depth first (Jayway's order).
    fn collect(&self, node: &'v Value, segments: &'static [Segment], out: &mut Vec<Cow<'v, Value>>) {
        match segments.split_first() {
            Some((segment, rest)) => self.step(node, segment, rest, out),
            None => out.push(Cow::Borrowed(node)),
        }
    }

    /// Applies one step to `node`, then the rest. Steps that do not apply select nothing:
    /// Jayway ignores such failures once a path is indefinite.
    fn step(
        &self,
        node: &'v Value,
        segment: &'static Segment,
        rest: &'static [Segment],
        out: &mut Vec<Cow<'v, Value>>,
    ) {
        match segment {
            Segment::Field(name) => {
                if let Some(value) = node.as_object().and_then(|map| member(map, name)) {
                    self.collect(value, rest, out);
                }
            }
            Segment::Index(index) => {
                if let Value::Array(items) = node {
                    self.element(items, *index, rest, out);
                }
            }
            Segment::Wildcard => match node {
                Value::Object(map) => map.values().for_each(|value| self.collect(value, rest, out)),
                Value::Array(items) => items.iter().for_each(|value| self.collect(value, rest, out)),
                _ => {}
            },
            Segment::Slice { start, end, .. } => {
                if let Value::Array(items) = node {
                    for index in slice_indexes(items.len(), *start, *end) {
                        self.element(items, index, rest, out);
                    }
                }
            }
            Segment::Union(items) => {
                let fields = items.iter().all(|item| matches!(item, UnionItem::Field(_)));
                if fields && rest.is_empty() {
                    if let Value::Object(map) = node {
                        out.push(Cow::Owned(merge(map, items)));
                    }
                    return;
                }
                for item in *items {
                    match (item, node) {
                        (UnionItem::Field(name), Value::Object(map)) => {
                            if let Some(value) = member(map, name) {
                                self.collect(value, rest, out);
                            }
                        }
                        (UnionItem::Index(index), Value::Array(values)) => self.element(values, *index, rest, out),
                        _ => {}
                    }
                }
            }
            Segment::Filter(condition) => match node {
                Value::Array(items) => {
                    for item in items {
                        if filter::test(condition, item, self) {
                            self.collect(item, rest, out);
                        }
                    }
                }
                // Jayway tests an object against a filter as a whole.
                Value::Object(_) if filter::test(condition, node, self) => self.collect(node, rest, out),
                _ => {}
            },
            Segment::Descendant(inner) => self.descend(node, inner, rest, out),
            // The parser only accepts a function as the last step, and `select` strips it.
            Segment::Function(_) => {}
        }
    }

    /// An element read: past either end it is `null` for a last step and nothing otherwise
    /// (a step from Java `null` fails, and failures are ignored here).
    fn element(&self, items: &'v [Value], index: i64, rest: &'static [Segment], out: &mut Vec<Cow<'v, Value>>) {
        match element(items, index) {
            Some(value) => self.collect(value, rest, out),
            None if rest.is_empty() => out.push(Cow::Borrowed(&NULL)),
            None => {}
        }
    }

    /// `..inner`: `inner` applied at `node` and at every node below it, parents first.
    fn descend(
        &self,
        node: &'v Value,
        inner: &'static Segment,
        rest: &'static [Segment],
        out: &mut Vec<Cow<'v, Value>>,
    ) {
        match inner {
            // Jayway's scan tests each object against the filter, rather than filtering
            // each array's elements (which the walk reaches anyway).
            Segment::Filter(condition) => {
                if node.is_object() && filter::test(condition, node, self) {
                    self.collect(node, rest, out);
                }
            }
            _ => self.step(node, inner, rest, out),
        }
        match node {
            Value::Object(map) => map.values().for_each(|value| self.descend(value, inner, rest, out)),
            Value::Array(items) => items.iter().for_each(|value| self.descend(value, inner, rest, out)),
            _ => {}
        }
    }
}

/// The element at `index` (negative counts from the end), if it exists.
fn element(items: &[Value], index: i64) -> Option<&Value> {
    let len = i64::try_from(items.len()).ok()?;
    let effective = if index < 0 { len.checked_add(index)? } else { index };
    items.get(usize::try_from(effective).ok()?)
}

/// The indexes Jayway's slice visits, before negative ones are counted from the end.
fn slice_indexes(len: usize, start: Option<i64>, end: Option<i64>) -> std::ops::Range<i64> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let empty = 0..0;
    if len == 0 {
        return empty;
    }
    match (start, end) {
        // `[from:]`: a negative start counts from the end, clamped at 0.
        (Some(from), None) => {
            let from = if from < 0 { len.saturating_add(from) } else { from }.max(0);
            from.min(len)..len
        }
        // `[:to]`: a negative end counts from the end.
        (None, Some(to)) => {
            let to = if to < 0 { len.saturating_add(to) } else { to }.min(len);
            0..to.max(0)
        }
        // `[from:to]`: Jayway clamps only `to`, and counts negative indexes from the end
        // one by one, so `[-2:5]` on three elements visits 1, 2, 0, 1, 2.
        (Some(from), Some(to)) => {
            let to = to.min(len);
            if from >= to { empty } else { from..to }
        }
        (None, None) => 0..len,
    }
}

/// A trailing `['a','b']`: the members that exist, in the union's order.
fn merge(map: &Map<String, Value>, items: &[UnionItem]) -> Value {
    let mut merged = Map::new();
    for item in items {
        if let UnionItem::Field(name) = item
            && let Some(value) = member(map, name)
        {
            merged.insert((*name).to_string(), value.clone());
        }
    }
    Value::Object(merged)
}

/// Walks the definite steps `segments[..head]` (the rest is at most a function) from `doc`.
/// Errors carry Jayway's messages, which render the path in its bracket notation.
fn definite<'v>(doc: &'v Value, segments: &'static [Segment], head: usize) -> Result<Cow<'v, Value>, Missing> {
    let mut current = doc;
    let mut via = Via::Node;
    for (i, segment) in segments[..head].iter().enumerate() {
        let leaf = i + 1 == segments.len();
        match segment {
            Segment::Field(name) => match current {
                Value::Object(map) => match member(map, name) {
                    Some(value) => {
                        current = value;
                        via = Via::Member;
                    }
                    None if leaf => return Err(no_results(segments)),
                    None => {
                        let reason = format!("Missing property in path {}", jayway_path_of(&segments[..=i]));
                        return Err(Missing::new(MissingKind::NotFound, reason, Some((*name).to_string())));
                    }
                },
                _ => return Err(not_an_object(segments, i, current, via)),
            },
            Segment::Index(index) => match current {
                Value::Array(items) => match element(items, *index) {
                    Some(value) => {
                        current = value;
                        via = Via::Node;
                    }
                    None => {
                        current = &NULL;
                        via = Via::Absent;
                    }
                },
                _ => return Err(not_an_array(segments, i, current, via)),
            },
            Segment::Union(items) => match current {
                Value::Object(map) => return Ok(Cow::Owned(merge(map, items))),
                _ => return Err(not_an_object(segments, i, current, via)),
            },
            // `is_definite` admits nothing else.
            _ => return Err(no_results(segments)),
        }
    }
    Ok(Cow::Borrowed(current))
}

fn no_results(segments: &[Segment]) -> Missing {
    let step = segments.iter().rev().find_map(step_name);
    Missing::new(MissingKind::NotFound, format!("No results for path: {}", jayway_path_of(segments)), step)
}

/// The name of the step a failure stopped at (for "Unable to apply step" causes).
fn step_name(segment: &Segment) -> Option<String> {
    match segment {
        Segment::Field(name) => Some((*name).to_string()),
        Segment::Index(index) => Some(index.to_string()),
        _ => None,
    }
}

/// Jayway's message for a member step on a non-object.
fn not_an_object(segments: &[Segment], i: usize, found: &Value, via: Via) -> Missing {
    let found = if is_java_null(found, via) { "null" } else { java_class(found, via) };
    let reason = format!(
        "Expected to find an object with property {} in path {} but found '{found}'. This is not a json object \
         according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider'.",
        fragment(&segments[i]),
        jayway_path_of(&segments[..i]),
    );
    Missing::new(MissingKind::WrongType, reason, step_name(&segments[i]))
}

/// Jayway's message for an index step on a non-array.
fn not_an_array(segments: &[Segment], i: usize, found: &Value, via: Via) -> Missing {
    let reason = if is_java_null(found, via) {
        format!("The path {} is null", jayway_path_of(&segments[..i]))
    } else {
        // Jayway prints the token with the rest of the path, then the value's `toString`:
        // the raw text of an unwrapped string, JSON for everything else.
        let rest: String = segments[i..].iter().map(fragment).collect();
        let context = match (found, via) {
            (Value::String(s), Via::Member) => s.clone(),
            _ => found.to_string(),
        };
        format!("Filter: {rest} can only be applied to arrays. Current context is: {context}")
    };
    Missing::new(MissingKind::WrongType, reason, step_name(&segments[i]))
}

fn is_java_null(value: &Value, via: Via) -> bool {
    via == Via::Absent || (via == Via::Member && value.is_null())
}

/// The Java class Jayway names for a value in its type errors.
fn java_class(value: &Value, via: Via) -> &'static str {
    let member = via == Via::Member;
    match value {
        Value::Null => "com.fasterxml.jackson.databind.node.NullNode",
        Value::Bool(_) if member => "java.lang.Boolean",
        Value::Bool(_) => "com.fasterxml.jackson.databind.node.BooleanNode",
        Value::String(_) if member => "java.lang.String",
        Value::String(_) => "com.fasterxml.jackson.databind.node.TextNode",
        Value::Number(n) => match (n.as_i64(), n.is_f64(), member) {
            (Some(i), _, true) if i32::try_from(i).is_ok() => "java.lang.Integer",
            (Some(i), _, false) if i32::try_from(i).is_ok() => "com.fasterxml.jackson.databind.node.IntNode",
            (Some(_), _, true) => "java.lang.Long",
            (Some(_), _, false) => "com.fasterxml.jackson.databind.node.LongNode",
            (None, true, true) => "java.lang.Double",
            (None, true, false) => "com.fasterxml.jackson.databind.node.DoubleNode",
            (None, false, true) => "java.math.BigInteger",
            (None, false, false) => "com.fasterxml.jackson.databind.node.BigIntegerNode",
        },
        Value::Array(_) => "com.fasterxml.jackson.databind.node.ArrayNode",
        Value::Object(_) => "com.fasterxml.jackson.databind.node.ObjectNode",
    }
}

/// Applies a trailing Jayway function to what the steps before it selected. After an
/// indefinite path it applies to the array of matches (Jayway's behaviour for `$..x.fn()`).
fn apply_function<'v>(name: &str, selection: Selection<'v>, segments: &[Segment]) -> Result<Cow<'v, Value>, Missing> {
    let array: Option<Vec<Cow<'v, Value>>> = match selection {
        Selection::Many(values) => Some(values),
        Selection::One(Cow::Borrowed(Value::Array(items))) => Some(items.iter().map(Cow::Borrowed).collect()),
        Selection::One(Cow::Owned(Value::Array(items))) => Some(items.into_iter().map(Cow::Owned).collect()),
        Selection::One(value) => {
            // Functions over objects; everything else gives Jayway's `null`.
            return Ok(Cow::Owned(match (name, value.as_ref()) {
                ("length" | "size", Value::Object(map)) => Value::from(map.len()),
                ("keys", Value::Object(map)) => Value::Array(map.keys().cloned().map(Value::String).collect()),
                ("length" | "size" | "keys" | "first" | "last", _) => Value::Null,
                _ => return aggregate(name, std::iter::empty(), segments).map(Cow::Owned),
            }));
        }
    };
    let mut items = array.unwrap_or_default();
    Ok(match name {
        "length" | "size" => Cow::Owned(Value::from(items.len())),
        "first" if !items.is_empty() => items.swap_remove(0),
        "last" => items.pop().unwrap_or(Cow::Borrowed(&NULL)),
        "first" | "keys" => Cow::Borrowed(&NULL),
        _ => Cow::Owned(aggregate(name, items.iter().map(|item| item.as_ref()), segments)?),
    })
}

/// `sum`, `min`, `max`, `avg` and `stddev` over the numbers among `items`, as doubles.
fn aggregate<'a>(name: &str, items: impl Iterator<Item = &'a Value>, segments: &[Segment]) -> Result<Value, Missing> {
    if !matches!(name, "sum" | "min" | "max" | "avg" | "stddev") {
        let reason = format!("Function with name: {name} does not exist.");
        return Err(Missing::new(MissingKind::Unsupported, reason, None));
    }
    let numbers: Vec<f64> = items.filter_map(Value::as_f64).collect();
    if numbers.is_empty() {
        let reason = "Aggregation function attempted to calculate value using empty array".to_string();
        return Err(Missing::new(MissingKind::WrongType, reason, segments.last().and_then(step_name)));
    }
    let count = numbers.len() as f64;
    let sum: f64 = numbers.iter().sum();
    let result = match name {
        "sum" => sum,
        "min" => numbers.iter().copied().fold(f64::INFINITY, f64::min),
        "max" => numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        "avg" => sum / count,
        // Jayway's population standard deviation.
        _ => (numbers.iter().map(|n| n * n).sum::<f64>() / count - (sum / count).powi(2)).sqrt(),
    };
    Ok(Number::from_f64(result).map_or(Value::Null, Value::Number))
}
