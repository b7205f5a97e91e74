//! Rules 13 and 20: paths, payload templates, intrinsic functions, JSONata delimiters, and
//! the `NO_DOLLAR` / `PASS_RESULT_IS_STATIC` warnings.
//!
//! In JSONPath states every path-valued field must parse (`InputPath`/`OutputPath` as any
//! Path, `ResultPath` and the `…Path` fields as Reference Paths), and every `"key.$"` of a
//! payload template must hold a path or a well-formed intrinsic call. The parsing itself is
//! [`crate::path`]'s; this module decides which rule applies where and turns parser errors
//! into diagnostics that point at the offending character.
//!
//! In JSONata states only the `{% … %}` delimiters are checked here (a string that opens an
//! expression must close it, and the expression must not be empty); `.$` keys mean nothing
//! in JSONata and are kept as literal keys, as AWS does.
//!
//! Templates are walked by plain recursion: both readers refuse documents nested deeper
//! than [`crate::json::MAX_DEPTH`] levels, which bounds the depth here.

use std::collections::HashMap;

use super::{Context, walk};
use crate::ast::{NumberOrExpr, QueryLanguage, Spanned, State, StateMachine, StateType};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::node::{Node, NodeValue, pointer_push};
use crate::path::{self, DollarValue, PathError, PathErrorKind, PathRoot};
use crate::source::Span;

/// What a path-valued field accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PathRule {
    /// Any Path: rooted at `$` (input), `$$` (context object) or `$name` (variable).
    Path,
    /// A Reference Path: a path that selects a single node.
    Reference,
    /// A `ResultPath`: a Reference Path into the state input, so neither `$$` nor a variable.
    Result,
}

/// Checks one path-valued string and reports what is wrong with it; `what` names the field
/// for messages ("`InputPath` of state `X`"). Returns whether the path is valid.
pub(super) fn check_path(
    text: &str,
    rule: PathRule,
    pointer: &str,
    span: Span,
    what: &str,
    diags: &mut Diagnostics,
) -> bool {
    if rule == PathRule::Result && text.starts_with("$$") {
        diags.push(
            Diagnostic::new(
                Code::ContextPathNotAllowed,
                pointer,
                span,
                format!("{what} must not begin with \"$$\": the context object cannot be written to"),
            )
            .with_label("context object path")
            .with_help("use a path into the state input, such as \"$.result\""),
        );
        return false;
    }
    let parsed = match rule {
        PathRule::Path => path::parse_path(text),
        PathRule::Reference | PathRule::Result => path::parse_reference_path(text),
    };
    match parsed {
        Ok(p) if rule == PathRule::Result && matches!(p.root, PathRoot::Variable(_)) => {
            diags.push(
                Diagnostic::new(
                    Code::InvalidReferencePath,
                    pointer,
                    span,
                    format!("{what} must be a path into the state input, not a variable"),
                )
                .with_label("a variable")
                .with_help("to store a value in a variable, use `Assign`"),
            );
            false
        }
        Ok(_) => true,
        Err(e) => {
            let (code, problem) = match e.kind {
                PathErrorKind::NotReferencePath => (Code::InvalidReferencePath, "must be a Reference Path"),
                _ if !text.starts_with('$') => (Code::InvalidPath, "must be a path starting with `$`"),
                _ => (Code::InvalidPath, "is not a valid JSONPath"),
            };
            diags.push(path_diagnostic(code, pointer, span, text, &format!("{what} {problem}"), &e));
            false
        }
    }
}

/// A diagnostic for a parser error, pointing at the offending character when possible.
fn path_diagnostic(code: Code, pointer: &str, span: Span, text: &str, message: &str, e: &PathError) -> Diagnostic {
    let at = inner_span(span, text, e.offset, char_len(text, e.offset));
    let mut d = Diagnostic::new(code, pointer, at, message).with_label(e.message.clone());
    if at == span {
        // The label cannot point inside a string with escape sequences; say where instead.
        d = d.with_note(format!("at byte {} of {text:?}", e.offset));
    }
    d
}

/// The source span of `len` bytes at byte `offset` of a string value whose whole span is
/// `span`. Exact when the string was written without escape sequences (JSON: its span is
/// the text plus two quotes; YAML plain scalars: just the text); otherwise the whole span.
pub(super) fn inner_span(span: Span, text: &str, offset: usize, len: usize) -> Span {
    let written = span.end.saturating_sub(span.start);
    let start = if written == text.len() + 2 {
        span.start + 1
    } else if written == text.len() {
        span.start
    } else {
        return span;
    };
    let offset = offset.min(text.len());
    let end = (start + offset + len.max(1)).min(span.end);
    if start + offset >= end {
        return span;
    }
    Span::new(start + offset, end)
}

/// Length in bytes of the character at `offset` (1 past the end, to cover a closing quote).
fn char_len(text: &str, offset: usize) -> usize {
    text.get(offset..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8)
}

pub(super) fn check(machine: &StateMachine, cx: &Context, diags: &mut Diagnostics) {
    let assigned = super::variables::assigned(machine);
    walk(machine, &mut |state| {
        let mut pc = PathCheck { state: &state.name.value, diags, in_catcher: false, assigned: &assigned };
        match cx.query_language(state) {
            QueryLanguage::JsonPath => pc.jsonpath_state(state),
            QueryLanguage::Jsonata => pc.jsonata_state(state),
        }
    });
}

/// Checks the fields of one state.
struct PathCheck<'a> {
    /// The state's name, for messages.
    state: &'a str,
    diags: &'a mut Diagnostics,
    /// Whether the JSONata expressions being checked are a Catcher's (`Assign`, `Output`),
    /// the only place `$states.errorOutput` exists.
    in_catcher: bool,
    /// Every variable some `Assign` of the definition sets.
    assigned: &'a std::collections::HashSet<String>,
}

impl PathCheck<'_> {
    fn what(&self, field: &str) -> String {
        format!("`{field}` of state `{}`", self.state)
    }

    fn path_field(&mut self, field: &str, value: Option<&Spanned<String>>, rule: PathRule) {
        if let Some(v) = value {
            let what = self.what(field);
            check_path(&v.value, rule, &v.pointer, v.span, &what, self.diags);
        }
    }

    fn nullable_path_field(&mut self, field: &str, value: Option<&Spanned<Option<String>>>, rule: PathRule) {
        if let Some(Spanned { value: Some(text), pointer, span, .. }) = value {
            let what = self.what(field);
            check_path(text, rule, pointer, *span, &what, self.diags);
        }
    }

    // ── JSONPath ──────────────────────────────────────────────────────────────────

    /// AWS's `NO_PATH` warning: a literal field whose value looks like a path, when the
    /// field has a `…Path` sibling that would evaluate it (`"Cause": "$.reason"` is the
    /// text `$.reason`, not the input's `reason`).
    fn no_path_warnings(&mut self, s: &State) {
        for (field, value) in [("Error", &s.error), ("Cause", &s.cause), ("Timestamp", &s.timestamp)] {
            let Some(v) = value else { continue };
            if v.value.starts_with("$.") || v.value.starts_with("$$.") {
                let message = format!(
                    "{} looks like a path, but it is used as literal text; only `{field}Path` is evaluated",
                    self.what(field)
                );
                self.diags.push(
                    Diagnostic::new(Code::NoPath, &v.pointer, v.span, message)
                        .with_label("literal text")
                        .with_help(format!("rename the field to `{field}Path` to read the value from the input")),
                );
            }
        }
    }

    fn jsonpath_state(&mut self, s: &State) {
        self.no_path_warnings(s);
        self.nullable_path_field("InputPath", s.input_path.as_ref(), PathRule::Path);
        self.nullable_path_field("OutputPath", s.output_path.as_ref(), PathRule::Path);
        self.nullable_path_field("ResultPath", s.result_path.as_ref(), PathRule::Result);
        let references = [
            ("ItemsPath", &s.items_path),
            ("SecondsPath", &s.seconds_path),
            ("TimestampPath", &s.timestamp_path),
            ("TimeoutSecondsPath", &s.timeout_seconds_path),
            ("HeartbeatSecondsPath", &s.heartbeat_seconds_path),
            ("MaxConcurrencyPath", &s.max_concurrency_path),
            ("ToleratedFailurePercentagePath", &s.tolerated_failure_percentage_path),
            ("ToleratedFailureCountPath", &s.tolerated_failure_count_path),
        ];
        for (field, value) in references {
            self.path_field(field, value.as_ref(), PathRule::Reference);
        }
        for (field, value) in [("ErrorPath", &s.error_path), ("CausePath", &s.cause_path)] {
            if let Some(v) = value {
                self.reference_or_intrinsic(field, v);
            }
        }

        let templates = [
            ("Parameters", &s.parameters),
            ("ResultSelector", &s.result_selector),
            ("ItemSelector", &s.item_selector),
            ("Credentials", &s.credentials),
            ("Assign", &s.assign),
        ];
        for (field, value) in templates {
            if let Some(v) = value {
                let what = self.what(field);
                // A payload template is an object (the spec's grammar and AWS's schema), but
                // the service also takes an array as `Parameters` (deployed definitions use a
                // Pass state's `"Parameters": [{"Item.$": "$.Item"}]` to output an array); its
                // elements are templates like an object's values. A string here is usually a
                // path that belongs in a `.$` key.
                let array_allowed = field == "Parameters" && matches!(v.value.value, NodeValue::Array(_));
                if v.value.as_object().is_none() && !array_allowed {
                    self.diags.push(
                        Diagnostic::new(
                            Code::WrongType,
                            &v.pointer,
                            v.span,
                            format!("{what} must be an object (a payload template), but is {}", v.value.type_name()),
                        )
                        .with_label("expected an object")
                        .with_help(format!(
                            "to pass a value from the input, write `\"{field}\": {{\"value.$\": \"$.x\"}}`"
                        )),
                    );
                    continue;
                }
                self.template(&v.value, &v.pointer, &what);
            }
        }
        self.nested_jsonpath(
            "ItemReader",
            s.item_reader.as_ref(),
            &["Parameters"],
            &[("ReaderConfig", "MaxItemsPath")],
        );
        self.nested_jsonpath(
            "ItemBatcher",
            s.item_batcher.as_ref(),
            &["BatchInput"],
            &[("", "MaxItemsPerBatchPath"), ("", "MaxInputBytesPerBatchPath")],
        );
        self.nested_jsonpath("ResultWriter", s.result_writer.as_ref(), &["Parameters"], &[]);

        // `Assign` of Choice rules and catchers is a payload template too.
        for (i, rule) in s.choices.iter().flat_map(|c| c.value.iter()).enumerate() {
            if let Some(assign) = &rule.assign {
                let what = format!("`Assign` of `Choices[{i}]` in state `{}`", self.state);
                self.template(&assign.value, &assign.pointer, &what);
            }
        }
        for (i, catcher) in s.catch.iter().flat_map(|c| c.value.iter()).enumerate() {
            if let Some(assign) = &catcher.assign {
                let what = format!("`Assign` of `Catch[{i}]` in state `{}`", self.state);
                self.template(&assign.value, &assign.pointer, &what);
            }
        }

        if s.ty() == Some(StateType::Pass)
            && let Some(result) = &s.result
        {
            self.static_result(&result.value, &result.pointer);
        }
    }

    /// Templates and Reference Paths inside the Distributed Map objects (`ItemReader`,
    /// `ItemBatcher`, `ResultWriter`). `paths` are `(sub-object, field)`; an empty
    /// sub-object means the field sits directly in the object.
    fn nested_jsonpath(
        &mut self,
        owner: &str,
        node: Option<&Spanned<Node>>,
        templates: &[&str],
        paths: &[(&str, &str)],
    ) {
        let Some(node) = node else { return };
        for &field in templates {
            if let Some(m) = node.value.get(field) {
                let what = self.what(&format!("{owner}.{field}"));
                self.template(&m.value, &pointer_push(&node.pointer, field), &what);
            }
        }
        for &(sub, field) in paths {
            let (parent, parent_ptr) = if sub.is_empty() {
                (Some(&node.value), node.pointer.clone())
            } else {
                (node.value.get(sub).map(|m| &m.value), pointer_push(&node.pointer, sub))
            };
            let Some(m) = parent.and_then(|p| p.get(field)) else { continue };
            // A value of the wrong type is a `fields` matter.
            let Some(text) = m.value.as_str() else { continue };
            let name = if sub.is_empty() { format!("{owner}.{field}") } else { format!("{owner}.{sub}.{field}") };
            let what = self.what(&name);
            check_path(text, PathRule::Reference, &pointer_push(&parent_ptr, field), m.value.span, &what, self.diags);
        }
    }

    /// Fail `ErrorPath`/`CausePath`: a Reference Path or an intrinsic function call.
    fn reference_or_intrinsic(&mut self, field: &str, v: &Spanned<String>) {
        let what = self.what(field);
        match path::parse_dollar_value(&v.value) {
            Ok(DollarValue::Path(p)) if !p.is_reference() => {
                check_path(&v.value, PathRule::Reference, &v.pointer, v.span, &what, self.diags);
            }
            Ok(DollarValue::Intrinsic(call)) => {
                let message = format!("The intrinsic function call of {what} fails at run time");
                self.certain_failures(&call, &v.pointer, v.span, &v.value, &message);
            }
            Ok(DollarValue::Path(_)) => {}
            Err(e) => {
                let (code, problem) = match e.kind {
                    PathErrorKind::IntrinsicArguments => {
                        (Code::IntrinsicArguments, "calls an intrinsic function wrongly")
                    }
                    PathErrorKind::InvalidPath => (Code::InvalidPath, "is not a valid JSONPath"),
                    _ => (Code::InvalidIntrinsic, "must be a Reference Path or an intrinsic function call"),
                };
                let message = format!("{what} {problem}");
                self.diags.push(path_diagnostic(code, &v.pointer, v.span, &v.value, &message, &e));
            }
        }
    }

    /// A JSONPath payload template: `.$` keys hold paths or intrinsic calls, no two keys are
    /// the same once `.$` is removed. Objects nested at any depth, also inside arrays, are
    /// templates too (the specification: "however deeply nested").
    fn template(&mut self, node: &Node, pointer: &str, what: &str) {
        match &node.value {
            NodeValue::Object(members) => {
                let mut seen: HashMap<&str, &str> = HashMap::new();
                for m in members {
                    let ptr = pointer_push(pointer, &m.key);
                    let dollar = m.key.strip_suffix(".$");
                    let name = dollar.unwrap_or(&m.key);
                    if let Some(first) = seen.insert(name, &m.key) {
                        self.diags.push(
                            Diagnostic::new(
                                Code::DuplicateTemplateKey,
                                &ptr,
                                m.key_span,
                                format!("The keys '{first}' and '{}' in {what} both produce the field '{name}'", m.key),
                            )
                            .with_label("duplicate once `.$` is removed")
                            .with_help("keep only one of the two keys"),
                        );
                    }
                    if dollar.is_some() {
                        self.dollar_value(&m.key, &m.value, &ptr, what);
                    } else {
                        if let Some(text) = m.value.as_str()
                            && looks_dynamic(text)
                        {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::NoDollar,
                                    &ptr,
                                    m.key_span,
                                    format!(
                                        "The field '{}' in {what} looks like a JSONPath or intrinsic function, but its name does not end in `.$`, so it is used as literal text",
                                        m.key
                                    ),
                                )
                                .with_label("no `.$`")
                                .with_help(format!("to evaluate it, rename the key to '{}.$'", m.key)),
                            );
                        }
                        self.template(&m.value, &ptr, what);
                    }
                }
            }
            NodeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.template(item, &pointer_push(pointer, &i.to_string()), what);
                }
            }
            _ => {}
        }
    }

    /// The value of a `"key.$"` template field.
    fn dollar_value(&mut self, key: &str, value: &Node, pointer: &str, what: &str) {
        let invalid = format!(
            "The value for the field '{key}' in {what} must be a valid JSONPath or a valid intrinsic function call"
        );
        let Some(text) = value.as_str() else {
            self.diags.push(
                Diagnostic::new(Code::InvalidIntrinsic, pointer, value.span, invalid)
                    .with_label(format!("expected a string, found {}", value.type_name()))
                    .with_help(format!("for a literal value, drop the `.$` from '{key}'")),
            );
            return;
        };
        let parsed = path::parse_dollar_value(text);
        if let Ok(DollarValue::Intrinsic(call)) = &parsed {
            let message = format!("The intrinsic function call for the field '{key}' in {what} fails at run time");
            self.certain_failures(call, pointer, value.span, text, &message);
        }
        if let Err(e) = parsed {
            let d = match e.kind {
                PathErrorKind::IntrinsicArguments => path_diagnostic(
                    Code::IntrinsicArguments,
                    pointer,
                    value.span,
                    text,
                    &format!("The intrinsic function call for the field '{key}' in {what} is invalid"),
                    &e,
                ),
                _ => path_diagnostic(Code::InvalidIntrinsic, pointer, value.span, text, &invalid, &e),
            };
            self.diags.push(d);
        }
    }

    /// Warnings for arguments of an intrinsic call (`text`, at `span`) that certainly fail
    /// at run time: AWS creates the state machine, and the execution fails with
    /// `States.IntrinsicFailure` when it reaches the call.
    fn certain_failures(&mut self, call: &path::IntrinsicCall, pointer: &str, span: Span, text: &str, message: &str) {
        for e in path::certain_failures(call) {
            // The reason goes into the message, which is all a one-line build error shows.
            let message = format!("{message}: {}", e.message);
            let e = path::PathError { message: "fails at run time".into(), ..e };
            let d = path_diagnostic(Code::IntrinsicFailsAtRunTime, pointer, span, text, &message, &e).with_help(
                "AWS accepts the definition and fails the execution with `States.IntrinsicFailure` when it \
                 reaches this call; fix the argument, or pass it through a path if it comes from the input",
            );
            self.diags.push(d);
        }
    }

    /// Pass `Result` is output as written; paths in it are not evaluated (AWS's
    /// `PASS_RESULT_IS_STATIC` warning).
    fn static_result(&mut self, node: &Node, pointer: &str) {
        match &node.value {
            NodeValue::Object(members) => {
                for m in members {
                    let ptr = pointer_push(pointer, &m.key);
                    if m.key.ends_with(".$") {
                        self.diags.push(
                            Diagnostic::new(
                                Code::PassResultIsStatic,
                                &ptr,
                                m.key_span,
                                format!(
                                    "The field '{}' in `Result` of Pass state `{}` ends in `.$`, but `Result` is static: it is not evaluated",
                                    m.key, self.state
                                ),
                            )
                            .with_label("not evaluated")
                            .with_help("to compute the value, use `Parameters` instead of `Result`"),
                        );
                    } else if let Some(text) = m.value.as_str()
                        && looks_like_path(text)
                    {
                        self.diags.push(
                            Diagnostic::new(
                                Code::PassResultIsStatic,
                                &ptr,
                                m.value.span,
                                format!(
                                    "`Result` of Pass state `{}` contains the path {text:?}, but `Result` is static: it is output as literal text",
                                    self.state
                                ),
                            )
                            .with_label("not evaluated")
                            .with_help("to select input data, use `Parameters` with a key ending in `.$`"),
                        );
                    }
                    self.static_result(&m.value, &ptr);
                }
            }
            NodeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.static_result(item, &pointer_push(pointer, &i.to_string()));
                }
            }
            _ => {}
        }
    }

    // ── JSONata ───────────────────────────────────────────────────────────────────

    fn jsonata_state(&mut self, s: &State) {
        let nodes = [
            &s.arguments,
            &s.output,
            &s.assign,
            &s.items,
            &s.item_selector,
            &s.credentials,
            &s.item_reader,
            &s.item_batcher,
            &s.result_writer,
        ];
        for node in nodes.into_iter().flatten() {
            self.jsonata_node(&node.value, &node.pointer);
        }
        let numbers = [
            &s.timeout_seconds,
            &s.heartbeat_seconds,
            &s.seconds,
            &s.max_concurrency,
            &s.tolerated_failure_percentage,
            &s.tolerated_failure_count,
        ];
        for n in numbers.into_iter().flatten() {
            if let NumberOrExpr::Expr(text) = &n.value {
                self.jsonata_string(text, &n.pointer, n.span);
            }
        }
        for t in [&s.timestamp, &s.error, &s.cause].into_iter().flatten() {
            self.jsonata_string(&t.value, &t.pointer, t.span);
        }
        for rule in s.choices.iter().flat_map(|c| c.value.iter()) {
            for node in [&rule.condition, &rule.assign, &rule.output].into_iter().flatten() {
                self.jsonata_node(&node.value, &node.pointer);
            }
        }
        self.in_catcher = true;
        for catcher in s.catch.iter().flat_map(|c| c.value.iter()) {
            for node in [&catcher.assign, &catcher.output].into_iter().flatten() {
                self.jsonata_node(&node.value, &node.pointer);
            }
        }
        self.in_catcher = false;
    }

    /// Every string at any depth of a JSONata-capable value.
    fn jsonata_node(&mut self, node: &Node, pointer: &str) {
        match &node.value {
            NodeValue::String(text) => self.jsonata_string(text, pointer, node.span),
            NodeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.jsonata_node(item, &pointer_push(pointer, &i.to_string()));
                }
            }
            NodeValue::Object(members) => {
                for m in members {
                    self.jsonata_node(&m.value, &pointer_push(pointer, &m.key));
                }
            }
            _ => {}
        }
    }

    /// A string is an expression exactly when it starts with `{%` and ends with `%}`
    /// (a leading space makes it a literal, as AWS treats `" {% x %} "`). Half a delimiter
    /// is a mistake, and so is an expression with nothing in it.
    fn jsonata_string(&mut self, text: &str, pointer: &str, span: Span) {
        let opens = text.starts_with("{%");
        let closes = text.ends_with("%}") && text.len() >= if opens { 4 } else { 2 };
        let (problem, help) = match (opens, closes) {
            (true, true) if text[2..text.len() - 2].trim().is_empty() => {
                ("is an empty JSONata expression", "write an expression between `{%` and `%}`")
            }
            (true, false) => {
                ("starts with `{%` but does not end with `%}`", "close the expression with `%}` at the very end")
            }
            (false, true) => {
                ("ends with `%}` but does not start with `{%`", "open the expression with `{%` at the very start")
            }
            (true, true) => {
                if let Some((code, message, own_help)) =
                    super::jsonata::check(text[2..text.len() - 2].trim(), self.in_catcher)
                {
                    let (label, help) = if let Some(help) = own_help {
                        ("unsupported regular expression", help)
                    } else if code == Code::InvalidJsonata {
                        ("invalid JSONata", "write a JSONata 2.0.6 expression between `{%` and `%}`")
                    } else if message.contains("$states.errorOutput") {
                        ("no error output here", "read the error in a Catcher's `Assign` or `Output`")
                    } else {
                        (
                            "unsupported JSONata",
                            "read the state's data through `$states.input` and its variables as `$name`",
                        )
                    };
                    self.diags.push(Diagnostic::new(code, pointer, span, message).with_label(label).with_help(help));
                    return;
                }
                for name in super::variables::unknown(text[2..text.len() - 2].trim(), self.assigned) {
                    let message = format!(
                        "JSONata expression in state `{}` reads the variable `${name}`, which no `Assign` sets",
                        self.state
                    );
                    let help = crate::diagnostic::did_you_mean(&name, self.assigned.iter().map(String::as_str))
                        .map_or_else(
                            || format!("assign `{name}` in an earlier state"),
                            |m| format!("did you mean `${m}`?"),
                        );
                    self.diags.push(
                        Diagnostic::new(Code::UndefinedVariable, pointer, span, message)
                            .with_label("never assigned")
                            .with_help(help),
                    );
                }
                return;
            }
            _ => return,
        };
        let field = pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
        self.diags.push(
            Diagnostic::new(
                Code::InvalidJsonata,
                pointer,
                span,
                format!("The value of '{field}' in JSONata state `{}` {problem}", self.state),
            )
            .with_label("malformed `{% … %}`")
            .with_help(help),
        );
    }
}

/// A literal that was probably meant to be evaluated: a path into the input or context
/// object, or an intrinsic function call.
fn looks_dynamic(text: &str) -> bool {
    looks_like_path(text) || (text.starts_with("States.") && path::parse_intrinsic(text).is_ok())
}

/// `$.…` or `$$.…`: what AWS's path warnings look for.
fn looks_like_path(text: &str) -> bool {
    text.starts_with("$.") || text.starts_with("$$.")
}

/// Shared by the tests of `choice`, `retry_catch` and `paths`.
#[cfg(test)]
pub(super) mod test_support {
    use crate::diagnostic::Diagnostic;
    use crate::{Source, check};

    /// Every diagnostic (errors and warnings) for a definition.
    pub fn diagnostics(text: &str) -> Vec<Diagnostic> {
        match check(&Source::new("t.asl.json", text)) {
            Ok(c) => c.warnings.into_vec(),
            Err(d) => d.into_vec(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::test_support::diagnostics;
    use crate::diagnostic::{Code, Diagnostic};

    fn found(text: &str) -> Vec<(Code, String)> {
        diagnostics(text).into_iter().map(|d| (d.code, d.pointer)).collect()
    }

    fn has(found: &[(Code, String)], code: Code, pointer: &str) -> bool {
        found.iter().any(|(c, p)| *c == code && p == pointer)
    }

    fn pass(fields: &str) -> String {
        format!(r#"{{"StartAt": "P", "States": {{"P": {{"Type": "Pass", {fields}, "End": true}}}}}}"#)
    }

    fn jsonata_pass(fields: &str) -> String {
        format!(
            r#"{{"QueryLanguage": "JSONata", "StartAt": "P", "States": {{"P": {{"Type": "Pass", {fields}, "End": true}}}}}}"#
        )
    }

    const MINE: [Code; 9] = [
        Code::InvalidPath,
        Code::InvalidReferencePath,
        Code::InvalidIntrinsic,
        Code::IntrinsicArguments,
        Code::DuplicateTemplateKey,
        Code::ContextPathNotAllowed,
        Code::InvalidJsonata,
        Code::NoDollar,
        Code::PassResultIsStatic,
    ];

    fn none_of_mine(found: &[(Code, String)]) -> bool {
        !found.iter().any(|(c, _)| MINE.contains(c))
    }

    #[test]
    fn parameters_may_be_an_array_of_templates() {
        // As a deployed EventBridge Pipes enrichment writes it; AWS accepts it.
        let f = found(&pass(r#""Parameters": [{"Item.$": "$.Item"}, "literal"]"#));
        assert!(none_of_mine(&f), "{f:?}");
        // The elements are templates: their `.$` values are checked.
        let f = found(&pass(r#""Parameters": [{"Item.$": "$.x["}]"#));
        assert!(has(&f, Code::InvalidIntrinsic, "/States/P/Parameters/0/Item.$"), "{f:?}");
        // Other templates stay objects, and a string is still no template.
        let task = |fields: &str| {
            format!(
                r#"{{"StartAt": "T", "States": {{"T": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", {fields}, "End": true}}}}}}"#
            )
        };
        assert!(has(&found(&task(r#""ResultSelector": [1]"#)), Code::WrongType, "/States/T/ResultSelector"));
        assert!(has(&found(&pass(r#""Parameters": "$.x""#)), Code::WrongType, "/States/P/Parameters"));
    }

    #[test]
    fn accepts_valid_paths_and_templates() {
        let f = found(&pass(
            r#""InputPath": "$.a['b c'][0]", "OutputPath": "$$.Execution.Input", "ResultPath": null,
               "Parameters": {"x.$": "$.a..b", "y.$": "States.Format('{} and \\{', $.n)", "z": "plain",
                              "list": [{"v.$": "$var.f"}, 1, "$ in an array is literal"]}"#,
        ));
        assert!(none_of_mine(&f), "{f:?}");
    }

    #[test]
    fn literal_fields_that_look_like_paths_warn() {
        let f = found(r#"{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "$.reason"}}}"#);
        assert!(has(&f, Code::NoPath, "/States/F/Cause"), "{f:?}");
        let f = found(r#"{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "why"}}}"#);
        assert!(!has(&f, Code::NoPath, "/States/F/Cause"), "{f:?}");
    }

    #[test]
    fn payload_templates_must_be_objects() {
        let f = found(&pass(r#""Parameters": "$.a""#));
        assert!(has(&f, Code::WrongType, "/States/P/Parameters"), "{f:?}");
        let f = found(&pass(r#""Parameters": {"a": 1}"#));
        assert!(none_of_mine(&f), "{f:?}");
    }

    #[test]
    fn invalid_paths_are_rejected() {
        let f = found(&pass(r#""InputPath": "$.a[", "OutputPath": "a.b", "ResultPath": "$.a[*]""#));
        assert!(has(&f, Code::InvalidPath, "/States/P/InputPath"), "{f:?}");
        assert!(has(&f, Code::InvalidPath, "/States/P/OutputPath"), "{f:?}");
        assert!(has(&f, Code::InvalidReferencePath, "/States/P/ResultPath"), "{f:?}");
        // `ResultPath` writes into the state input: no context object, no variable.
        let f = found(&pass(r#""ResultPath": "$$.Execution""#));
        assert!(has(&f, Code::ContextPathNotAllowed, "/States/P/ResultPath"), "{f:?}");
        let f = found(&pass(r#""ResultPath": "$myVar""#));
        assert!(has(&f, Code::InvalidReferencePath, "/States/P/ResultPath"), "{f:?}");
        assert!(none_of_mine(&found(&pass(r#""ResultPath": "$.a.b[2]""#))));
    }

    #[test]
    fn reference_path_fields() {
        let text = r#"{"StartAt": "W", "States": {
            "W": {"Type": "Wait", "SecondsPath": "$.a[?(@.x)]", "Next": "M"},
            "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrencyPath": "$.n",
                  "ItemProcessor": {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}, "Next": "F"},
            "F": {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('bad {}', $.c)"}}}"#;
        let f = found(text);
        assert!(has(&f, Code::InvalidReferencePath, "/States/W/SecondsPath"), "{f:?}");
        assert!(!f.iter().any(|(c, p)| MINE.contains(c) && !p.starts_with("/States/W/")), "{f:?}");
        let f = found(&text.replace("\"$.e\"", "\"error\""));
        assert!(has(&f, Code::InvalidIntrinsic, "/States/F/ErrorPath"), "{f:?}");
    }

    #[test]
    fn dollar_values_must_be_paths_or_intrinsics() {
        let all = diagnostics(&pass(r#""Parameters": {"a.$": "hello", "b": {"c.$": 3}, "d": [{"e.$": "$.x["}]}"#));
        let codes: Vec<(Code, String)> = all.iter().map(|d| (d.code, d.pointer.clone())).collect();
        assert!(has(&codes, Code::InvalidIntrinsic, "/States/P/Parameters/a.$"), "{codes:?}");
        assert!(has(&codes, Code::InvalidIntrinsic, "/States/P/Parameters/b/c.$"), "{codes:?}");
        assert!(has(&codes, Code::InvalidIntrinsic, "/States/P/Parameters/d/0/e.$"), "{codes:?}");
        let a = all.iter().find(|d| d.pointer == "/States/P/Parameters/a.$").expect("diagnostic");
        assert!(a.message.starts_with("The value for the field 'a.$'"), "{}", a.message);
        assert!(a.message.ends_with("must be a valid JSONPath or a valid intrinsic function call"), "{}", a.message);
    }

    #[test]
    fn error_points_inside_the_string() {
        let text = pass(r#""Parameters": {"e.$": "$.x["}"#);
        let all = diagnostics(&text);
        let d: &Diagnostic = all.iter().find(|d| d.code == Code::InvalidIntrinsic).expect("diagnostic");
        let value_start = text.find("\"$.x[\"").expect("value") + 1;
        assert!(d.span.start > value_start && d.span.end <= value_start + 5, "{:?} vs {value_start}", d.span);
        assert!(d.label.is_some());
    }

    #[test]
    fn intrinsic_arguments_are_checked() {
        let f = found(&pass(r#""Parameters": {"a.$": "States.Nope($.x)", "b.$": "States.ArrayLength()"}"#));
        assert!(has(&f, Code::IntrinsicArguments, "/States/P/Parameters/a.$"), "{f:?}");
        assert!(has(&f, Code::IntrinsicArguments, "/States/P/Parameters/b.$"), "{f:?}");
    }

    #[test]
    fn duplicate_keys_after_stripping() {
        let f = found(&pass(r#""Parameters": {"a": 1, "a.$": "$.a"}"#));
        assert!(has(&f, Code::DuplicateTemplateKey, "/States/P/Parameters/a.$"), "{f:?}");
        let f = found(&pass(r#""Parameters": {"a": 1, "b.$": "$.a"}"#));
        assert!(none_of_mine(&f), "{f:?}");
    }

    #[test]
    fn warnings_for_literal_paths() {
        let all = diagnostics(&pass(
            r#""Parameters": {"a": "$.x", "b": "States.UUID()"}, "Result": {"c.$": "$.y", "d": "$$.Execution.Id"}"#,
        ));
        let f: Vec<(Code, String)> = all.iter().map(|d| (d.code, d.pointer.clone())).collect();
        assert!(has(&f, Code::NoDollar, "/States/P/Parameters/a"), "{f:?}");
        assert!(has(&f, Code::NoDollar, "/States/P/Parameters/b"), "{f:?}");
        assert!(has(&f, Code::PassResultIsStatic, "/States/P/Result/c.$"), "{f:?}");
        assert!(has(&f, Code::PassResultIsStatic, "/States/P/Result/d"), "{f:?}");
        assert!(all.iter().filter(|d| MINE.contains(&d.code)).all(|d| !d.is_error()), "{all:?}");
    }

    #[test]
    fn jsonata_delimiters() {
        let f = found(&jsonata_pass(
            r#""Output": {"a": "{% $states.input %}", "b": " {% literal %} ", "c.$": "$", "d": ["{%x%}"]}, "Assign": {"v": 1}"#,
        ));
        assert!(none_of_mine(&f), "{f:?}");
        let f = found(&jsonata_pass(r#""Output": {"a": "{% $x", "b": ["$x %}"], "c": "{%  %}", "d": "{%}"}"#));
        for p in ["/States/P/Output/a", "/States/P/Output/b/0", "/States/P/Output/c", "/States/P/Output/d"] {
            assert!(has(&f, Code::InvalidJsonata, p), "{p}: {f:?}");
        }
    }
}
