//! JSONPath paths and intrinsic functions, as JSONPath-mode ASL writes them.
//!
//! - [`parse_path`] reads any path AWS accepts: the Jayway JSONPath dialect, rooted at `$`
//!   (the state input), `$$` (the context object) or `$name` (a workflow variable).
//! - [`parse_reference_path`] additionally requires a *Reference Path*, a path that can only
//!   select one node (`ResultPath`, `ItemsPath`, Choice `Variable` and `…Path` operands, the
//!   `…Path` fields of Wait, Task and Map).
//! - [`parse_intrinsic`] reads a `States.Name(arg, …)` call and checks its arguments.
//! - [`parse_dollar_value`] decides which of the two a `"key.$"` template value is.
//!
//! Every parser is a pure function that never panics; errors carry the byte offset of the
//! offending character in the parsed text, so callers can add it to the span of the JSON
//! string (plus one for the opening quote, when the string has no escapes) to point at it.

mod filter;
mod intrinsic;
mod jsonpath;

use std::fmt;

use crate::diagnostic::Code;

pub use filter::{CompareOp, FilterExpr, FilterOperand};
pub use intrinsic::{
    Arity, HASH_ALGORITHMS, IntrinsicArg, IntrinsicCall, IntrinsicFunction, MAX_INTRINSIC_DEPTH, certain_failures,
    parse_intrinsic,
};
pub use jsonpath::{parse_path, parse_reference_path};

/// The no-argument functions a path may end with (`$.items.length()`), as Jayway names them.
/// Jayway's functions that take arguments (`concat`, `append`, `index`) are not supported.
pub const PATH_FUNCTIONS: &[&str] = &["avg", "first", "keys", "last", "length", "max", "min", "size", "stddev", "sum"];

/// Where a path starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathRoot {
    /// `$`: the state's input (or, inside a filter, the whole document the filter runs on).
    Input,
    /// `$$`: the context object (`$$.Execution.Input`, `$$.Map.Item.Value`, …).
    Context,
    /// `$name`: a workflow variable set by an `Assign`.
    Variable(String),
}

/// A parsed JSONPath.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonPath {
    /// Where the path starts.
    pub root: PathRoot,
    /// The steps from the root, in order.
    pub segments: Vec<Segment>,
    /// The path exactly as written (for messages such as AWS's "Invalid path '$.x'").
    pub text: String,
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// `.name` or `['name']`: an object member (escapes already resolved).
    Field(String),
    /// `[n]`: an array element; negative counts from the end (`[-1]` is the last).
    Index(i64),
    /// `.*` or `[*]`: every member or element.
    Wildcard,
    /// `[start:end]` or `[start:end:step]`: a range of elements, end exclusive.
    /// Jayway ignores `step`; it is kept so an evaluator can decide.
    Slice {
        /// First index (default 0); negative counts from the end.
        start: Option<i64>,
        /// One past the last index (default the length); negative counts from the end.
        end: Option<i64>,
        /// Stride, never 0.
        step: Option<i64>,
    },
    /// `['a','b']` or `[0,1]`: several members or several elements.
    Union(Vec<UnionItem>),
    /// `[?(expression)]`: the elements (or member values) for which the expression holds.
    Filter(FilterExpr),
    /// `..x`: `x` applied at every depth below the current node.
    Descendant(Box<Segment>),
    /// `.length()` and the other [`PATH_FUNCTIONS`]; always the last segment.
    Function(String),
}

/// One member of a [`Segment::Union`]. A union holds only fields or only indexes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnionItem {
    /// An object member.
    Field(String),
    /// An array element.
    Index(i64),
}

impl JsonPath {
    /// True when the path selects at most one node: only [`Segment::Field`] and
    /// [`Segment::Index`] steps (an ASL Reference Path).
    pub fn is_reference(&self) -> bool {
        self.segments.iter().all(|s| matches!(s, Segment::Field(_) | Segment::Index(_)))
    }

    /// True when the result is a single value, by Jayway's "definite path" rule: no wildcard,
    /// slice, union, filter or descendant scan. Jayway wraps the results of indefinite paths
    /// in an array, even when only one node matched.
    pub fn is_definite(&self) -> bool {
        self.segments.iter().all(|s| matches!(s, Segment::Field(_) | Segment::Index(_) | Segment::Function(_)))
    }

    /// The path in Jayway's normalized notation, as AWS quotes it in run-time errors
    /// ("No results for path: $['x']"): bracketed fields and filters shown as `[?]`.
    pub fn jayway_string(&self) -> String {
        let mut out = self.root.to_string();
        for segment in &self.segments {
            segment.write(&mut out, true);
        }
        out
    }
}

impl fmt::Display for PathRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathRoot::Input => f.write_str("$"),
            PathRoot::Context => f.write_str("$$"),
            PathRoot::Variable(name) => write!(f, "${name}"),
        }
    }
}

/// The normalized form: every field bracketed (`$['a'][0]`). Parsing it gives the same
/// root and segments back.
impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = self.root.to_string();
        for segment in &self.segments {
            segment.write(&mut out, false);
        }
        f.write_str(&out)
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out, false);
        f.write_str(&out)
    }
}

impl Segment {
    /// Appends the normalized notation; `jayway` hides filters as `[?]` like Jayway does.
    fn write(&self, out: &mut String, jayway: bool) {
        match self {
            Segment::Field(name) => {
                out.push('[');
                push_quoted(out, name);
                out.push(']');
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
            Segment::Wildcard => out.push_str("[*]"),
            Segment::Slice { start, end, step } => {
                let show = |n: &Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
                out.push_str(&format!("[{}:{}", show(start), show(end)));
                if step.is_some() {
                    out.push_str(&format!(":{}", show(step)));
                }
                out.push(']');
            }
            Segment::Union(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    match item {
                        UnionItem::Field(name) => push_quoted(out, name),
                        UnionItem::Index(n) => out.push_str(&n.to_string()),
                    }
                }
                out.push(']');
            }
            Segment::Filter(_) if jayway => out.push_str("[?]"),
            Segment::Filter(expr) => out.push_str(&format!("[?({expr})]")),
            Segment::Descendant(inner) => {
                out.push_str("..");
                inner.write(out, jayway);
            }
            Segment::Function(name) => out.push_str(&format!(".{name}()")),
        }
    }
}

/// `'name'`, escaping the two characters a quoted name gives meaning to.
fn push_quoted(out: &mut String, name: &str) {
    out.push('\'');
    for c in name.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
}

/// What kind of problem a [`PathError`] is; [`PathErrorKind::code`] maps it to the
/// diagnostic catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathErrorKind {
    /// Not a well-formed JSONPath (also for a malformed path inside an intrinsic call).
    InvalidPath,
    /// A well-formed path where a Reference Path is required.
    NotReferencePath,
    /// Not a well-formed intrinsic call, or a `.$` value that is neither path nor call.
    InvalidIntrinsic,
    /// A function that does not exist, or called with the wrong number of arguments.
    IntrinsicArguments,
    /// A well-formed call with an argument that certainly fails at run time (a literal of
    /// the wrong type, a chunk size of 0, …): the service accepts it.
    FailsAtRunTime,
}

impl PathErrorKind {
    /// The diagnostic code for this kind of error. For a `.$` template value, callers may
    /// prefer [`Code::InvalidIntrinsic`] for [`PathErrorKind::InvalidPath`] too, as AWS
    /// reports both as "must be a valid JSONPath or a valid intrinsic function call".
    pub fn code(self) -> Code {
        match self {
            PathErrorKind::InvalidPath => Code::InvalidPath,
            PathErrorKind::NotReferencePath => Code::InvalidReferencePath,
            PathErrorKind::InvalidIntrinsic => Code::InvalidIntrinsic,
            PathErrorKind::IntrinsicArguments => Code::IntrinsicArguments,
            PathErrorKind::FailsAtRunTime => Code::IntrinsicFailsAtRunTime,
        }
    }
}

/// Why a path or intrinsic call was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    /// Byte offset of the offending character in the parsed string (its length when the
    /// problem is that the text ends too early).
    pub offset: usize,
    /// What is wrong and how to fix it.
    pub message: String,
    /// The category of the problem.
    pub kind: PathErrorKind,
}

impl PathError {
    pub(crate) fn new(kind: PathErrorKind, offset: usize, message: impl Into<String>) -> Self {
        PathError { offset, message: message.into(), kind }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for PathError {}

/// What a `"key.$"` value in a payload template is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DollarValue {
    /// A path (`$…`, `$$…`, `$name…`).
    Path(JsonPath),
    /// An intrinsic function call (`States.…(…)`).
    Intrinsic(IntrinsicCall),
}

/// Parses the value of a `"key.$"` template field (or of a Fail state's `ErrorPath` /
/// `CausePath`): a path when it starts with `$`, an intrinsic call when it starts with
/// `States.`, otherwise an error.
pub fn parse_dollar_value(text: &str) -> Result<DollarValue, PathError> {
    if text.starts_with('$') {
        return parse_path(text).map(DollarValue::Path);
    }
    if text.starts_with("States.") {
        return parse_intrinsic(text).map(DollarValue::Intrinsic);
    }
    let base = "must be a valid JSONPath or a valid intrinsic function call";
    let trimmed = text.trim_start();
    let hint = if trimmed.len() != text.len() && (trimmed.starts_with('$') || trimmed.starts_with("States.")) {
        "; remove the leading whitespace".to_string()
    } else if trimmed.len() >= 7 && trimmed.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("States.")) {
        "; intrinsic functions start with `States.` (capital S)".to_string()
    } else if text.is_empty() {
        "; it is empty".to_string()
    } else {
        "; a path starts with `$` and an intrinsic call with `States.`, or drop the `.$` \
         from the key to use the text as a literal"
            .to_string()
    };
    Err(PathError::new(PathErrorKind::InvalidIntrinsic, 0, format!("the value {base}{hint}")))
}

/// AWS's limit on the length of a variable name, in characters.
pub const MAX_VARIABLE_NAME_CHARS: usize = 80;

/// Checks a workflow variable name (an `Assign` key). AWS follows Unicode identifiers
/// (UAX #31): a letter first, then letters, digits and `_`, at most 80 characters, and not
/// the reserved `states`. Without Unicode property tables this uses Rust's `alphabetic` and
/// `alphanumeric` as close approximations of ID_Start and ID_Continue, and accepts a
/// leading `_` (rather than rejecting a name AWS might accept).
pub fn check_variable_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err("a variable name must not be empty".into());
    };
    if !jsonpath::is_ident_start(first) {
        return Err(format!("variable name `{name}` must start with a letter (or `_`), not `{first}`"));
    }
    if let Some(bad) = chars.find(|&c| !jsonpath::is_ident_continue(c)) {
        return Err(format!("variable name `{name}` contains `{bad}`; only letters, digits and `_` are allowed"));
    }
    if name.chars().count() > MAX_VARIABLE_NAME_CHARS {
        return Err(format!("variable name `{name}` is longer than {MAX_VARIABLE_NAME_CHARS} characters"));
    }
    if name == "states" {
        return Err("`states` is reserved by Step Functions and cannot be used as a variable name".into());
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn dollar_values() {
        assert!(matches!(parse_dollar_value("$.a"), Ok(DollarValue::Path(_))));
        assert!(matches!(parse_dollar_value("$$"), Ok(DollarValue::Path(_))));
        assert!(matches!(parse_dollar_value("$x"), Ok(DollarValue::Path(_))));
        assert!(matches!(parse_dollar_value("States.UUID()"), Ok(DollarValue::Intrinsic(_))));
        for bad in ["ConditionTrue", "", " $.a", "states.Format('x')", "{% $x %}"] {
            let e = parse_dollar_value(bad).unwrap_err();
            assert_eq!((e.offset, e.kind), (0, PathErrorKind::InvalidIntrinsic), "{bad}");
            assert!(e.message.contains("must be a valid JSONPath or a valid intrinsic function call"));
        }
        assert!(parse_dollar_value(" $.a").unwrap_err().message.contains("whitespace"));
        assert!(parse_dollar_value("states.X()").unwrap_err().message.contains("capital S"));
        assert_eq!(parse_dollar_value("$.a b").unwrap_err().kind, PathErrorKind::InvalidPath);
        assert_eq!(parse_dollar_value("States.Nope()").unwrap_err().kind, PathErrorKind::IntrinsicArguments);
    }

    #[test]
    fn error_kinds_map_to_codes() {
        assert_eq!(PathErrorKind::InvalidPath.code(), Code::InvalidPath);
        assert_eq!(PathErrorKind::NotReferencePath.code(), Code::InvalidReferencePath);
        assert_eq!(PathErrorKind::InvalidIntrinsic.code(), Code::InvalidIntrinsic);
        assert_eq!(PathErrorKind::IntrinsicArguments.code(), Code::IntrinsicArguments);
        let e = PathError::new(PathErrorKind::InvalidPath, 3, "bad");
        assert_eq!(e.to_string(), "bad (at byte 3)");
    }

    #[test]
    fn variable_names() {
        for ok in ["x", "myVar", "_tmp", "count2", "größe", "名前", "a_b_c"] {
            assert_eq!(check_variable_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "2x", "my-var", "a b", "a.b", "states", "$x", &"v".repeat(81)] {
            assert!(check_variable_name(bad).is_err(), "{bad}");
        }
        assert!(check_variable_name(&"v".repeat(80)).is_ok());
        assert!(check_variable_name("states").unwrap_err().contains("reserved"));
    }

    /// How a conformance string must parse.
    #[derive(Clone, Copy, Debug)]
    enum Expect {
        Path,
        Reference,
        Dollar,
    }

    const REFERENCE_FIELDS: &[&str] = &[
        "ResultPath",
        "ItemsPath",
        "Variable",
        "SecondsPath",
        "TimestampPath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "MaxConcurrencyPath",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
    ];

    /// Fields whose contents are payload templates: only their `.$` keys are paths.
    const TEMPLATE_FIELDS: &[&str] =
        &["Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials", "BatchInput"];

    fn classify(key: &str) -> Option<Expect> {
        let choice_operator = ["String", "Numeric", "Boolean", "Timestamp"].iter().any(|p| key.starts_with(p));
        match key {
            _ if key.ends_with(".$") => Some(Expect::Dollar),
            "InputPath" | "OutputPath" => Some(Expect::Path),
            // Fail's ErrorPath/CausePath also take intrinsic calls.
            "ErrorPath" | "CausePath" => Some(Expect::Dollar),
            _ if REFERENCE_FIELDS.contains(&key) => Some(Expect::Reference),
            _ if choice_operator && key.ends_with("Path") => Some(Expect::Reference),
            _ => None,
        }
    }

    /// Collects the path strings of one JSONPath state (or of a part of it).
    fn collect(value: &Value, in_template: bool, at: &str, out: &mut Vec<(String, Expect, String)>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    // Nested state machines are walked by `walk_states`; a Pass state's
                    // `Result` is static data whose `.$` keys are never evaluated.
                    let nested = matches!(key.as_str(), "Branches" | "Iterator" | "ItemProcessor" | "Result");
                    if nested && !in_template {
                        continue;
                    }
                    let here = format!("{at}/{key}");
                    if let Value::String(s) = child {
                        let expect = if in_template && !key.ends_with(".$") { None } else { classify(key) };
                        if let Some(expect) = expect.filter(|_| !s.starts_with("{%")) {
                            out.push((here.clone(), expect, s.clone()));
                        }
                    }
                    let template = in_template || TEMPLATE_FIELDS.contains(&key.as_str());
                    collect(child, template, &here, out);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    collect(item, in_template, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    /// Nested states inherit the top-level query language, not their Map/Parallel's.
    fn walk_states(states: &Value, top_jsonata: bool, at: &str, out: &mut Vec<(String, Expect, String)>) {
        let Some(states) = states.as_object() else { return };
        for (name, state) in states {
            let here = format!("{at}/States/{name}");
            let jsonata = match state.get("QueryLanguage").and_then(Value::as_str) {
                Some(lang) => lang == "JSONata",
                None => top_jsonata,
            };
            if !jsonata {
                collect(state, false, &here, out);
            }
            for (i, branch) in state.get("Branches").and_then(Value::as_array).into_iter().flatten().enumerate() {
                if let Some(inner) = branch.get("States") {
                    walk_states(inner, top_jsonata, &format!("{here}/Branches/{i}"), out);
                }
            }
            for key in ["Iterator", "ItemProcessor"] {
                if let Some(inner) = state.get(key).and_then(|p| p.get("States")) {
                    walk_states(inner, top_jsonata, &format!("{here}/{key}"), out);
                }
            }
        }
    }

    /// Every path, reference path and `.$` value in the JSONPath states of the conformance
    /// cases must parse: AWS accepted all of these definitions.
    #[test]
    fn conformance_cases_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            println!("note: {} not found; skipping the conformance path check", dir.display());
            return;
        };
        let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        let mut found = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let case: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let Some(definition) = case.get("definition") else { continue };
            let jsonata = definition.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some(states) = definition.get("States") {
                walk_states(states, jsonata, &name, &mut found);
            }
        }
        let mut failures = Vec::new();
        for (at, expect, text) in &found {
            let result = match expect {
                Expect::Path => parse_path(text).map(drop),
                Expect::Reference => parse_reference_path(text).map(drop),
                Expect::Dollar => parse_dollar_value(text).map(drop),
            };
            if let Err(e) = result {
                failures.push(format!("{at} ({expect:?}) {text:?}: {e}"));
            }
        }
        println!("checked {} path strings in {} case files", found.len(), files.len());
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
        assert!(files.len() < 100 || found.len() > 500, "suspiciously few paths: {}", found.len());
    }
}
