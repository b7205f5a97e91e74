//! Reading a mock configuration: its text → the checked model, or every problem at once.
//!
//! serde_json checks the syntax first (its messages and positions are good); the
//! [scan](super::scan) then gives every key a position, and the checks below walk that tree
//! so each problem points at the key or value at fault. A broken part is reported and
//! skipped, never allowed to stop the walk: one run lists everything to fix.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use super::diagnostic::{self, Diagnostic, Severity, closest};
use super::scan::{self, Member, Node};
use super::{Machine, MockConfig, MockedResponse, Response, Step, TestCase};

/// The top-level fields of a mock configuration.
const TOP_LEVEL: [&str; 2] = ["StateMachines", "MockedResponses"];
/// The fields of a response: AWS's two, and asl-rs's `ReturnInput` (see [`Response`]).
const RESPONSE_FIELDS: [&str; 3] = ["Return", "Throw", "ReturnInput"];
/// The fields of a `Throw`.
const THROW_FIELDS: [&str; 2] = ["Error", "Cause"];

/// Reads a whole mock configuration file.
pub(super) fn config(text: &str, origin: &str) -> Result<MockConfig, String> {
    let root = syntax(text, origin)?;
    let mut reader = Reader { text, diagnostics: Vec::new() };
    let machines = reader.config(&root);
    reader.finish(origin).map(|warnings| MockConfig { machines, warnings })
}

/// Reads an object of state name → mocked response (a conformance case's `mocks`).
pub(super) fn inline(text: &str, origin: &str) -> Result<TestCase, String> {
    let root = syntax(text, origin)?;
    let mut reader = Reader { text, diagnostics: Vec::new() };
    let states = reader.inline(&root);
    reader.finish(origin).map(|_| TestCase { machine: String::new(), name: String::new(), states })
}

/// serde_json's verdict on the syntax, then the positions of everything.
fn syntax(text: &str, origin: &str) -> Result<Node, String> {
    // Into a `Value`, not `IgnoredAny`: only building a value applies serde_json's nesting
    // limit (128), which keeps the walk below shallow.
    if let Err(error) = serde_json::from_str::<Value>(text) {
        // serde_json appends " at line L column C" to its message; the position goes in
        // the `-->` line instead.
        let message = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let message = message.strip_suffix(&suffix).unwrap_or(&message);
        let at = diagnostic::offset_of(text, error.line(), error.column());
        let mut problem = [Diagnostic::error(at..at + 1, format!("invalid JSON: {message}"))
            .help("a mock configuration is one JSON object, with no comments or trailing commas")];
        return Err(diagnostic::report(&mut problem, origin, text));
    }
    scan::scan(text).ok_or_else(|| {
        let mut problem = [Diagnostic::error(0..0, "the JSON could not be walked (this is a bug in asl-bindings)")];
        diagnostic::report(&mut problem, origin, text)
    })
}

struct Reader<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The rendered warnings if nothing was an error, else every diagnostic as one report.
    fn finish(mut self, origin: &str) -> Result<Vec<String>, String> {
        if self.diagnostics.iter().any(|d| d.severity == Severity::Error) {
            return Err(diagnostic::report(&mut self.diagnostics, origin, self.text));
        }
        self.diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        Ok(self.diagnostics.iter().map(|d| d.render(origin, self.text)).collect())
    }

    /// `node`'s members, or an error saying `what` must be an object.
    fn object<'n>(&mut self, node: &'n Node, what: &str, help: &str) -> Option<Vec<&'n Member>> {
        let Some(members) = node.members() else {
            let message = format!("{what} must be an object, but is {}", node.type_name());
            self.push(Diagnostic::error(node.span.clone(), message).help(help));
            return None;
        };
        Some(self.unique(members, what))
    }

    /// `members` without the repeats of a key, each repeat reported: JSON readers keep only
    /// one of them (serde_json the last), so the file does not say what it seems to.
    fn unique<'n>(&mut self, members: &'n [Member], what: &str) -> Vec<&'n Member> {
        let mut seen: HashMap<&str, &Member> = HashMap::new();
        let mut kept = Vec::with_capacity(members.len());
        for member in members {
            if let Some(first) = seen.get(member.key.as_str()) {
                let line = self.text.get(..first.key_span.start).map_or(0, |t| t.matches('\n').count()) + 1;
                let message = format!("`{}` appears twice in {what}", member.key);
                let help =
                    format!("the first is on line {line}; JSON readers keep only one of them, so remove or rename one");
                self.push(Diagnostic::error(member.key_span.clone(), message).help(help));
            } else {
                seen.insert(&member.key, member);
                kept.push(member);
            }
        }
        kept
    }

    /// An unknown field `member` of `what`, with a hint towards the `known` ones. Returns the
    /// field it is probably a misspelling of, so the caller need not also report that one as
    /// missing.
    fn unknown_field<'k>(
        &mut self,
        member: &Member,
        what: &str,
        known: &[&'k str],
        otherwise: &str,
    ) -> Option<&'k str> {
        let message = format!("unknown field `{}` in {what}", member.key);
        let meant = closest(&member.key, known.iter().copied());
        let help = match meant {
            Some(name) => format!("did you mean `{name}`?"),
            None => otherwise.to_owned(),
        };
        self.push(Diagnostic::error(member.key_span.clone(), message).help(help));
        meant
    }

    /// The whole file: `{"StateMachines": …, "MockedResponses": …}`.
    fn config(&mut self, root: &Node) -> Vec<Machine> {
        let help = "a mock configuration is an object with `StateMachines` and `MockedResponses`";
        let Some(members) = self.object(root, "a mock configuration", help) else { return Vec::new() };
        let (mut machines, mut responses, mut misspelt) = (None, None, Vec::new());
        for member in members {
            match member.key.as_str() {
                "StateMachines" => machines = Some(member),
                "MockedResponses" => responses = Some(member),
                _ => misspelt.extend(self.unknown_field(member, "the mock configuration", &TOP_LEVEL, help)),
            }
        }
        // The file's opening `{`: where a missing top-level field belongs.
        let start = root.span.start..root.span.start + 1;
        // Without `MockedResponses`, no name a test case gives can be checked: `None`.
        let responses = match responses {
            Some(member) => Some(self.mocked_responses(&member.value)),
            None if misspelt.contains(&"MockedResponses") => None,
            None => {
                let message = "the mock configuration has no `MockedResponses`";
                let help = r#"add `"MockedResponses": {"Name": {"0": {"Return": …}}}`, the responses test cases name"#;
                self.push(Diagnostic::error(start.clone(), message).help(help));
                None
            }
        };
        match machines {
            Some(member) => self.state_machines(&member.value, responses.as_ref()),
            None => {
                if !misspelt.contains(&"StateMachines") {
                    let message = "the mock configuration has no `StateMachines`";
                    let help = r#"add `"StateMachines": {"Machine": {"TestCases": {"Case": {"State": "Response"}}}}`"#;
                    self.push(Diagnostic::error(start, message).help(help));
                }
                Vec::new()
            }
        }
    }

    /// `StateMachines`: name → `{"TestCases": …}`.
    fn state_machines(
        &mut self,
        node: &Node,
        responses: Option<&HashMap<String, Arc<MockedResponse>>>,
    ) -> Vec<Machine> {
        let help = r#"write `"StateMachines": {"MachineName": {"TestCases": {…}}}`"#;
        let Some(members) = self.object(node, "`StateMachines`", help) else { return Vec::new() };
        let mut machines = Vec::with_capacity(members.len());
        for member in members {
            let name = &member.key;
            let what = format!("state machine `{name}`");
            let help = r#"write `{"TestCases": {"CaseName": {"StateName": "MockedResponseName"}}}`"#;
            let Some(fields) = self.object(&member.value, &what, help) else { continue };
            let (mut test_cases, mut misspelt) = (None, false);
            for field in fields {
                if field.key == "TestCases" {
                    test_cases = Some(field);
                } else {
                    let otherwise = "a state machine has one field, `TestCases`";
                    misspelt |= self.unknown_field(field, &what, &["TestCases"], otherwise).is_some();
                }
            }
            let Some(test_cases) = test_cases else {
                if !misspelt {
                    let message = format!("state machine `{name}` has no `TestCases`");
                    self.push(Diagnostic::error(member.key_span.clone(), message).help(help));
                }
                continue;
            };
            let cases = self.test_cases(name, &test_cases.value, responses);
            machines.push(Machine { name: name.clone(), cases });
        }
        machines
    }

    /// `TestCases`: test case name → { state name → mocked response name }.
    fn test_cases(
        &mut self,
        machine: &str,
        node: &Node,
        responses: Option<&HashMap<String, Arc<MockedResponse>>>,
    ) -> Vec<TestCase> {
        let help = r#"write `"TestCases": {"CaseName": {"StateName": "MockedResponseName"}}`"#;
        let Some(members) = self.object(node, &format!("`TestCases` of `{machine}`"), help) else { return Vec::new() };
        let mut cases = Vec::with_capacity(members.len());
        for member in members {
            let case = &member.key;
            let what = format!("test case `{case}` of `{machine}`");
            let help = r#"write `{"StateName": "MockedResponseName"}`, one member per mocked Task state"#;
            let Some(states) = self.object(&member.value, &what, help) else { continue };
            let mut mocked = Vec::with_capacity(states.len());
            for state in states {
                let Some(response) = state.value.as_str() else {
                    let message = format!(
                        "state `{}` of {what} must name a mocked response (a string), but is {}",
                        state.key,
                        state.value.type_name()
                    );
                    let help = "define the response under `MockedResponses` and give its name here";
                    self.push(Diagnostic::error(state.value.span.clone(), message).help(help));
                    continue;
                };
                let Some(responses) = responses else { continue };
                match responses.get(response) {
                    Some(found) => mocked.push((state.key.clone(), Arc::clone(found))),
                    None => {
                        let message = format!(
                            "{what} gives state `{}` the mocked response `{response}`, which `MockedResponses` does not define",
                            state.key
                        );
                        let help = missing_response_help(response, responses);
                        self.push(Diagnostic::error(state.value.span.clone(), message).help(help));
                    }
                }
            }
            cases.push(TestCase { machine: machine.to_owned(), name: case.clone(), states: mocked });
        }
        cases
    }

    /// `MockedResponses`: name → mocked response. A broken response is still listed (with
    /// what could be read of it), so test cases naming it get no second, misleading error.
    fn mocked_responses(&mut self, node: &Node) -> HashMap<String, Arc<MockedResponse>> {
        let help = r#"write `"MockedResponses": {"Name": {"0": {"Return": …}}}`"#;
        let Some(members) = self.object(node, "`MockedResponses`", help) else { return HashMap::new() };
        let mut responses = HashMap::with_capacity(members.len());
        for member in members {
            let what = format!("mocked response `{}`", member.key);
            let response = self.mocked_response(&member.key, &member.key_span, &member.value, &what);
            responses.insert(member.key.clone(), Arc::new(response));
        }
        responses
    }

    /// An inline test case: state name → mocked response.
    fn inline(&mut self, root: &Node) -> Vec<(String, Arc<MockedResponse>)> {
        let help = r#"write `{"StateName": {"0": {"Return": …}}}`"#;
        let Some(members) = self.object(root, "the mocks", help) else { return Vec::new() };
        let mut states = Vec::with_capacity(members.len());
        for member in members {
            let what = format!("the mocks of state `{}`", member.key);
            let response = self.mocked_response(&member.key, &member.key_span, &member.value, &what);
            states.push((member.key.clone(), Arc::new(response)));
        }
        states
    }

    /// One mocked response: invocation key → response. `what` names it in messages.
    fn mocked_response(&mut self, name: &str, name_span: &Range<usize>, node: &Node, what: &str) -> MockedResponse {
        let mut mocked = MockedResponse { name: name.to_owned(), steps: Vec::new() };
        let help = r#"write `{"0": {"Return": …}, "1-2": {"Throw": {"Error": …, "Cause": …}}}`"#;
        let Some(members) = self.object(node, what, help) else { return mocked };
        // Every well-formed key, with its response if that is well-formed too: the checks
        // across keys see a key whose response is broken, so both problems are reported.
        let mut keyed: Vec<Keyed> = Vec::with_capacity(members.len());
        for member in &members {
            let range = match invocation_range(&member.key) {
                Ok(range) => Some(range),
                Err((message, help)) => {
                    self.push(Diagnostic::error(member.key_span.clone(), format!("{what}: {message}")).help(help));
                    None
                }
            };
            let response = self.response(&member.value, &format!("invocation `{}` of {what}", member.key));
            if let Some((first, last)) = range {
                keyed.push(Keyed { key: &member.key, span: member.key_span.clone(), first, last, response });
            }
        }
        if members.is_empty() {
            // Step Functions Local accepts it and fails the execution when a state uses it.
            let message =
                format!("{what} defines no responses, so every call of a state that uses it fails the execution");
            let help = r#"add a response per invocation, e.g. `"0": {"Return": …}`"#;
            self.push(Diagnostic::warning(name_span.clone(), message).help(help));
        }
        self.check_coverage(&mut keyed, what);
        mocked.steps = keyed
            .into_iter()
            .filter_map(|k| {
                let response = k.response?;
                Some(Step { key: k.key.to_owned(), first: k.first, last: k.last, response })
            })
            .collect();
        mocked
    }

    /// Sorts the keys by invocation; reports overlaps (an invocation with two responses is an
    /// error) and gaps (responses after a gap can
    /// never be used, as the call that falls into the gap fails the execution: a warning,
    /// since Step Functions Local accepts the file).
    fn check_coverage(&mut self, keyed: &mut [Keyed<'_>], what: &str) {
        keyed.sort_by_key(|k| (k.first, k.last));
        // Sorted by first invocation, two keys overlap when the earlier one reaches the later
        // one's first invocation. Every pair is reported.
        for (j, this) in keyed.iter().enumerate() {
            for other in keyed[..j].iter().filter(|k| k.last >= this.first) {
                let (from, to) = (this.first, this.last.min(other.last));
                // Point at whichever key comes later in the file: that is the one added last.
                let (later, earlier) = if this.span.start > other.span.start { (this, other) } else { (other, this) };
                let message = format!(
                    "{what}: `{}` and `{}` both give a response for invocation{}",
                    later.key,
                    earlier.key,
                    invocations(from, to)
                );
                let help = "each invocation takes exactly one response; make the ranges disjoint";
                self.diagnostics.push(Diagnostic::error(later.span.clone(), message).help(help));
            }
        }
        let mut next: u64 = 0;
        for this in keyed.iter() {
            if this.first > next {
                let gap = invocations(next, this.first - 1);
                let message = format!(
                    "{what} has no response for invocation{gap}, so `{}` is never used: the call that finds no response fails the execution",
                    this.key
                );
                let help = format!(
                    "add a response for invocation{gap}: each call takes the response of its own number, so none can be skipped"
                );
                self.push(Diagnostic::warning(this.span.clone(), message).help(help));
            }
            match this.last.checked_add(1) {
                Some(after) => next = next.max(after),
                None => break,
            }
        }
    }

    /// One response: `{"Return": value}`, `{"Throw": {"Error", "Cause"}}` or
    /// `{"ReturnInput": true}`. `what` names the invocation in messages.
    fn response(&mut self, node: &Node, what: &str) -> Option<Response> {
        let help = r#"write `{"Return": RESULT}` or `{"Throw": {"Error": "Name", "Cause": "text"}}`"#;
        let members = self.object(node, &format!("the response to {what}"), help)?;
        let mut found: Vec<&Member> = Vec::with_capacity(1);
        for member in &members {
            if RESPONSE_FIELDS.contains(&member.key.as_str()) {
                found.push(member);
            } else {
                let otherwise = "a response has one field, `Return` or `Throw`";
                self.unknown_field(member, &format!("the response to {what}"), &RESPONSE_FIELDS, otherwise);
            }
        }
        let (first, rest) = match found.split_first() {
            Some(split) => split,
            None => {
                if members.is_empty() {
                    let message = format!("the response to {what} has neither `Return` nor `Throw`");
                    self.push(Diagnostic::error(node.span.clone(), message).help(help));
                }
                return None;
            }
        };
        if let Some(second) = rest.first() {
            let message = format!("the response to {what} has both `{}` and `{}`", first.key, second.key);
            let help = "a response has exactly one of them: give each its own invocation, or remove one";
            self.push(Diagnostic::error(second.key_span.clone(), message).help(help));
            return None;
        }
        match first.key.as_str() {
            "Return" => self.return_value(&first.value),
            "Throw" => self.throw(first, what),
            _ => self.return_input(first, what),
        }
    }

    /// A `Return`'s value, read whole from its text (any JSON value: a task result need not
    /// be an object).
    fn return_value(&mut self, node: &Node) -> Option<Response> {
        let text = self.text.get(node.span.clone()).unwrap_or("");
        match serde_json::from_str::<Value>(text) {
            Ok(value) => Some(Response::Return(value)),
            Err(error) => {
                self.push(Diagnostic::error(node.span.clone(), format!("the `Return` value cannot be read: {error}")));
                None
            }
        }
    }

    /// A `Throw`: `Error` (required) and `Cause` strings.
    fn throw(&mut self, member: &Member, what: &str) -> Option<Response> {
        let help = r#"write `"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}`"#;
        let fields = self.object(&member.value, &format!("`Throw` of {what}"), help)?;
        let (mut error, mut cause, mut ok, mut misspelt) = (None, None, true, false);
        for field in &fields {
            let slot = match field.key.as_str() {
                "Error" => &mut error,
                "Cause" => &mut cause,
                _ => {
                    let otherwise = "a `Throw` has two fields, `Error` and `Cause`";
                    let meant = self.unknown_field(field, &format!("`Throw` of {what}"), &THROW_FIELDS, otherwise);
                    misspelt |= meant == Some("Error");
                    ok = false;
                    continue;
                }
            };
            match field.value.as_str() {
                Some(text) => *slot = Some(text.to_owned()),
                None => {
                    let message = format!(
                        "`{}` of the `Throw` of {what} must be a string, but is {}",
                        field.key,
                        field.value.type_name()
                    );
                    self.push(Diagnostic::error(field.value.span.clone(), message).help(help));
                    ok = false;
                }
            }
        }
        let present = fields.iter().any(|f| f.key == "Error");
        let Some(error) = error else {
            if !present && !misspelt {
                let message = format!("the `Throw` of {what} has no `Error`");
                let help = "add the error name the state's Retry and Catch match, e.g. `\"Error\": \"Lambda.TimeoutException\"`";
                self.push(Diagnostic::error(member.key_span.clone(), message).help(help));
            }
            return None;
        };
        ok.then_some(Response::Throw { error, cause })
    }

    /// `"ReturnInput": true`.
    fn return_input(&mut self, member: &Member, what: &str) -> Option<Response> {
        if matches!(member.value.kind, scan::Kind::Other("a boolean"))
            && self.text.get(member.value.span.clone()) == Some("true")
        {
            return Some(Response::ReturnInput);
        }
        let message = format!("`ReturnInput` of {what} must be `true`");
        let help = "`\"ReturnInput\": true` returns the task's effective input; to return a fixed value, use `Return`";
        self.push(Diagnostic::error(member.value.span.clone(), message).help(help));
        None
    }
}

/// An invocation key of a mocked response, read.
struct Keyed<'m> {
    /// As written.
    key: &'m str,
    /// Where the key is.
    span: Range<usize>,
    first: u64,
    last: u64,
    /// `None` if it was malformed (and reported).
    response: Option<Response>,
}

/// The help for a test case naming a response that does not exist.
fn missing_response_help(wrong: &str, responses: &HashMap<String, Arc<MockedResponse>>) -> String {
    if let Some(name) = closest(wrong, responses.keys().map(String::as_str)) {
        return format!("did you mean `{name}`?");
    }
    let mut names: Vec<&str> = responses.keys().map(String::as_str).collect();
    names.sort_unstable();
    match names.len() {
        0 => format!("define `{wrong}` under `MockedResponses`"),
        1..=6 => format!("define `{wrong}` under `MockedResponses`, or name one of: {}", names.join(", ")),
        _ => format!("define `{wrong}` under `MockedResponses`, or name one that is defined there"),
    }
}

/// `"3"` → (3, 3), `"1-2"` → (1, 2). Spaces around the numbers are allowed (the case runner
/// `asl test` always took them); anything else is an error with a hint.
fn invocation_range(key: &str) -> Result<(u64, u64), (String, String)> {
    let number = |text: &str| -> Result<u64, (String, String)> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse().map_err(|_| {
                (format!("invocation `{text}` is too large"), format!("invocations are numbered up to {}", u64::MAX))
            });
        }
        Err((
            format!("`{key}` is not an invocation number or range"),
            r#"key responses by 0-based invocation: one number ("0") or an inclusive range ("1-2")"#.to_owned(),
        ))
    };
    let (first, last) = match key.split_once('-') {
        Some((first, last)) => (number(first)?, number(last)?),
        None => {
            let only = number(key)?;
            (only, only)
        }
    };
    if first > last {
        return Err((format!("the range `{key}` ends before it starts"), format!("write it as `\"{last}-{first}\"`")));
    }
    Ok((first, last))
}

/// `" 4"` or `"s 1-2"`: the invocations `first..=last` after the word "invocation".
fn invocations(first: u64, last: u64) -> String {
    if first == last { format!(" {first}") } else { format!("s {first}-{last}") }
}
