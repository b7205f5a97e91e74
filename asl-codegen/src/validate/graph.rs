//! The state graph: rule families 1–5, 7 and 16 of the reference (§2.2), plus nesting depth
//! and Map labels.
//!
//! Every container (the document, each Parallel branch, each Map processor) is checked on its
//! own: `StartAt`/`States` present, every transition (`StartAt`, `Next`, `Default`, a Choice
//! rule's `Next`, a Catcher's `Next`) names a state of the *same* container, every state has
//! an incoming transition, and at least one state ends the container. State names and Map
//! labels are checked machine-wide.
//!
//! Reachability follows AWS, which flags a state only when *nothing* names it: with
//! `StartAt: "Missing"` and `A → B`, AWS reports `A` as "not reachable" but not `B`
//! (aws-cloudformation/cfn-lint#4074 quotes the response). So the rule here is "has an incoming
//! transition from any state of the container, or is `StartAt`", not graph reachability.

use std::collections::{HashMap, HashSet};

use super::Context;
use crate::ast::MAX_NESTING;
use crate::ast::{ChoiceRule, State, StateMachine, StateType};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::source::Span;

/// Longest state name AWS accepts, in characters (the spec says "Unicode characters").
const MAX_STATE_NAME: usize = 80;

/// Longest Map `Label` AWS accepts, in characters.
const MAX_LABEL: usize = 40;

/// One container to check, with how to name it in messages.
struct Container<'a> {
    machine: &'a StateMachine,
    /// "the state machine", "`Branches[1]` of Parallel state `P`", …
    name: String,
    /// Where to point when the container itself is at fault.
    anchor: Span,
}

/// Runs the graph rules over the whole machine.
pub(super) fn check(machine: &StateMachine, _cx: &Context, diags: &mut Diagnostics) {
    let mut containers = Vec::new();
    let anchor = Span::new(machine.span.start, machine.span.start.saturating_add(1).min(machine.span.end));
    collect(machine, "the state machine".to_string(), anchor, 0, &mut containers, diags);

    // Where each name is first defined, to tell users a target lives in another container.
    let mut homes: HashMap<&str, &str> = HashMap::new();
    for c in &containers {
        for s in c.machine.states() {
            homes.entry(s.name.value.as_str()).or_insert(c.name.as_str());
        }
    }
    for c in &containers {
        check_container(c, &homes, diags);
    }
    check_unique_names(&containers, diags);
    check_labels(&containers, diags);
}

/// Gathers every container, depth first, stopping (with an error) below [`MAX_NESTING`].
fn collect<'a>(
    machine: &'a StateMachine,
    name: String,
    anchor: Span,
    depth: usize,
    out: &mut Vec<Container<'a>>,
    diags: &mut Diagnostics,
) {
    if depth > MAX_NESTING {
        diags.push(
            Diagnostic::new(
                Code::TooDeeplyNested,
                &machine.pointer,
                anchor,
                format!("{name} is nested {depth} Parallel/Map levels deep; at most {MAX_NESTING} are supported"),
            )
            .with_label("nested too deeply")
            .with_help("move the inner steps into a separate state machine and start it with `states:startExecution`"),
        );
        return;
    }
    out.push(Container { machine, name, anchor });
    for state in machine.states() {
        let owner = &state.name.value;
        for (i, branch) in state.branches.iter().flat_map(|b| b.value.iter()).enumerate() {
            let start = Span::new(branch.span.start, branch.span.start.saturating_add(1).min(branch.span.end));
            let name = format!("`Branches[{i}]` of Parallel state `{owner}`");
            collect(branch, name, start, depth + 1, out, diags);
        }
        for processor in state.item_processor.iter().chain(state.iterator.iter()) {
            let key = processor_key(state, processor.key_span);
            let name = format!("the `{key}` of Map state `{owner}`");
            collect(&processor.value, name, processor.key_span, depth + 1, out, diags);
        }
    }
}

/// Which key a processor was written under (`ItemProcessor` or the legacy `Iterator`).
fn processor_key(state: &State, key_span: Span) -> &'static str {
    match state.key("Iterator") {
        Some(k) if k.span == key_span => "Iterator",
        _ => "ItemProcessor",
    }
}

fn has_key(machine: &StateMachine, key: &str) -> bool {
    machine.keys.iter().any(|k| k.value == key)
}

/// One transition out of a state: which field, the target, and how to describe its origin.
struct Edge<'a> {
    /// `'Next'` or `'Default'`, as AWS names the field in "Missing 'Next' target".
    kind: &'static str,
    /// Where the transition is written, for messages ("`Catch[0].Next` of state `Pay`").
    origin: String,
    target: &'a crate::ast::Spanned<String>,
    /// Whether a missing target is reported here: not when the field itself is not allowed
    /// (a `Next` on a Succeed state, a `Next` in a nested Choice rule), which is reported as such.
    report: bool,
}

fn edges(state: &State) -> Vec<Edge<'_>> {
    let name = &state.name.value;
    let mut out = Vec::new();
    // Fields a type does not take are reported as unsupported; their targets are still
    // counted as incoming edges, so one mistake does not also make a state "unreachable".
    let ty = state.ty();
    let takes_next = !matches!(ty, Some(StateType::Choice | StateType::Succeed | StateType::Fail));
    let is_choice = matches!(ty, Some(StateType::Choice) | None);
    let takes_catch = matches!(ty, Some(StateType::Task | StateType::Parallel | StateType::Map) | None);
    if let Some(next) = &state.next {
        let origin = format!("`Next` of state `{name}`");
        out.push(Edge { kind: "Next", origin, target: next, report: takes_next });
    }
    if let Some(default) = &state.default {
        let origin = format!("`Default` of state `{name}`");
        out.push(Edge { kind: "Default", origin, target: default, report: is_choice });
    }
    for rule in state.choices.iter().flat_map(|c| c.value.iter()) {
        if let Some(next) = &rule.next {
            let origin = format!("`Choices[{}].Next` of state `{name}`", last_token(&rule.pointer));
            out.push(Edge { kind: "Next", origin, target: next, report: is_choice });
        }
        // A nested rule's `Next` is an error of its own (Choice rules); counting it as an
        // edge keeps that one mistake from also making its target "unreachable".
        nested_rule_edges(rule, name, &mut out);
    }
    for catcher in state.catch.iter().flat_map(|c| c.value.iter()) {
        if let Some(next) = &catcher.next {
            let origin = format!("`Catch[{}].Next` of state `{name}`", last_token(&catcher.pointer));
            out.push(Edge { kind: "Next", origin, target: next, report: takes_catch });
        }
    }
    out
}

/// The last reference token of a JSON Pointer: the index of an array element. (The decoder
/// drops malformed elements, so counting the decoded ones could give the wrong index.)
fn last_token(pointer: &str) -> &str {
    pointer.rsplit('/').next().unwrap_or(pointer)
}

fn nested_rule_edges<'a>(rule: &'a ChoiceRule, name: &str, out: &mut Vec<Edge<'a>>) {
    let nested = rule.and.iter().chain(rule.or.iter()).flat_map(|r| r.value.iter());
    for inner in nested.chain(rule.not.iter().map(|n| n.value.as_ref())) {
        if let Some(next) = &inner.next {
            out.push(Edge {
                kind: "Next",
                origin: format!("a nested Choice rule of state `{name}`"),
                target: next,
                report: false,
            });
        }
        nested_rule_edges(inner, name, out);
    }
}

fn check_container(c: &Container<'_>, homes: &HashMap<&str, &str>, diags: &mut Diagnostics) {
    let machine = c.machine;
    // Rule 1: AWS lists the missing fields in this order ("[States, StartAt]").
    let missing: Vec<&str> = ["States", "StartAt"].into_iter().filter(|k| !has_key(machine, k)).collect();
    if !missing.is_empty() {
        diags.push(
            Diagnostic::new(
                Code::MissingField,
                &machine.pointer,
                c.anchor,
                format!("These fields are required: [{}] in {}", missing.join(", "), c.name),
            )
            .with_label(format!(
                "missing {}",
                missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" and ")
            )),
        );
    }

    let states = machine.states();
    let names: Vec<&str> = states.iter().map(|s| s.name.value.as_str()).collect();
    let known: HashSet<&str> = names.iter().copied().collect();
    let mut referenced: HashSet<&str> = HashSet::new();

    // Rule 2: every transition names a state of this container.
    let mut transitions: Vec<Edge<'_>> = Vec::new();
    if let Some(start) = &machine.start_at {
        let origin = format!("`StartAt` of {}", c.name);
        transitions.push(Edge { kind: "Next", origin, target: start, report: true });
    }
    for state in states {
        transitions.extend(edges(state));
    }
    for edge in &transitions {
        let target = edge.target.value.as_str();
        referenced.insert(target);
        if edge.report && !known.contains(target) {
            missing_target(edge, c, &names, homes.get(target).copied(), diags);
            // A misspelt target most likely meant the state we suggest: calling that state
            // unreachable as well would report one typo twice.
            if let Some(meant) = did_you_mean(target, names.iter().copied()) {
                referenced.insert(meant);
            }
        }
    }

    for state in states {
        check_name_length(state, diags);
        check_next_end(state, diags);
        check_nested(state, diags);
        // Rule 3. Without `StartAt` every state would be reported; the missing field says it all.
        if has_key(machine, "StartAt") && !referenced.contains(state.name.value.as_str()) {
            diags.push(
                Diagnostic::new(
                    Code::UnreachableState,
                    &state.pointer,
                    state.name.span,
                    format!("State \"{}\" is not reachable.", state.name.value),
                )
                .with_label(format!("nothing in {} transitions to this state", c.name))
                .with_help(
                    "name it in a `Next`, `Default`, Choice rule or Catcher of the same container, or remove it",
                ),
            );
        }
    }

    // Rule 4: AWS only asks that a terminal state exists (a Next-cycle without one fails even
    // when every state is reachable); it does not check that every path can end.
    let terminal = states.iter().any(|s| {
        matches!(s.ty(), Some(StateType::Succeed | StateType::Fail)) || s.end.as_ref().is_some_and(|e| e.value)
    });
    if !states.is_empty()
        && !terminal
        && let Some(field) = &machine.states
    {
        diags.push(
            Diagnostic::new(
                Code::NoTerminalState,
                &field.pointer,
                field.key_span,
                format!("Workflow has no terminal state: no state of {} ends it", c.name),
            )
            .with_label("no state here has `End: true` or is a Succeed or Fail state")
            .with_help("give the last state `\"End\": true`, or transition to a Succeed or Fail state"),
        );
    }
}

fn missing_target(edge: &Edge<'_>, c: &Container<'_>, names: &[&str], home: Option<&str>, diags: &mut Diagnostics) {
    let target = &edge.target.value;
    let mut d = Diagnostic::new(
        Code::MissingTransitionTarget,
        &edge.target.pointer,
        edge.target.span,
        format!("Missing '{}' target: {target} ({})", edge.kind, edge.origin),
    )
    .with_label(format!("no state of this name in {}", c.name));
    if let Some(close) = did_you_mean(target, names.iter().copied()) {
        d = d.with_help(format!("did you mean `{close}`?"));
    }
    if let Some(home) = home {
        d = d.with_note(format!(
            "`{target}` is inside {home}; transitions cannot leave or enter a Parallel branch or Map processor"
        ));
    }
    diags.push(d);
}

/// Rule 5 (length): 1 to 80 characters. AWS accepts any characters in state names (spaces
/// included), so none are rejected here.
fn check_name_length(state: &State, diags: &mut Diagnostics) {
    let len = state.name.value.chars().count();
    if len == 0 || len > MAX_STATE_NAME {
        let what = if len == 0 { "is empty".to_string() } else { format!("is {len} characters long") };
        diags.push(
            Diagnostic::new(
                Code::InvalidStateName,
                &state.pointer,
                state.name.span,
                format!(
                    "The state name `{}` {what}; state names must have 1 to {MAX_STATE_NAME} characters",
                    state.name.value
                ),
            )
            .with_label("invalid state name"),
        );
    }
}

/// Rule 7 for the five types that transition: exactly one of `Next` and `End: true`.
/// (`Next`/`End` on Choice, Succeed and Fail are unsupported fields, reported elsewhere.)
fn check_next_end(state: &State, diags: &mut Diagnostics) {
    let Some(ty) = state.ty() else { return };
    if !matches!(ty, StateType::Task | StateType::Pass | StateType::Wait | StateType::Parallel | StateType::Map) {
        return;
    }
    let name = &state.name.value;
    let has_next = state.key("Next").is_some();
    match &state.end {
        Some(end) if !end.value => {
            let help =
                if has_next { "remove `End`" } else { "replace it with `\"Next\": \"<state>\"`, or set it to true" };
            diags.push(
                Diagnostic::new(
                    Code::NextOrEnd,
                    &end.pointer,
                    end.field_span(),
                    format!("`End` of {} state `{name}` must be true when present", ty.as_str()),
                )
                .with_label("`End: false` is not allowed")
                .with_help(help),
            );
        }
        Some(end) if has_next => {
            diags.push(
                Diagnostic::new(
                    Code::NextOrEnd,
                    &end.pointer,
                    end.key_span,
                    format!("{} state `{name}` has both `Next` and `End`; it must have exactly one", ty.as_str()),
                )
                .with_label("conflicts with `Next`")
                .with_help("remove `End` to continue to `Next`, or remove `Next` to end here"),
            );
        }
        // `End` of the wrong JSON type was reported by the decoder: don't add "neither".
        None if !has_next && state.key("End").is_none() => {
            diags.push(
                Diagnostic::new(
                    Code::NextOrEnd,
                    &state.pointer,
                    state.name.span,
                    format!("{} state `{name}` has neither `Next` nor `End`; it must have exactly one", ty.as_str()),
                )
                .with_label("no `Next` or `End`")
                .with_help("add `\"Next\": \"<state>\"` to continue, or `\"End\": true` to end here"),
            );
        }
        _ => {}
    }
}

/// Rule 16 and the Map processor: Parallel `Branches` non-empty; Map has exactly one of
/// `ItemProcessor` and `Iterator`.
fn check_nested(state: &State, diags: &mut Diagnostics) {
    let name = &state.name.value;
    match state.ty() {
        Some(StateType::Parallel) => {
            if let Some(branches) = state.branches.as_ref().filter(|b| b.value.is_empty()) {
                // The decoder drops nothing from `Branches` (each element becomes a container),
                // so an empty vector means an empty array in the source.
                diags.push(
                    Diagnostic::new(
                        Code::EmptyValue,
                        &branches.pointer,
                        branches.span,
                        format!(
                            "Value cannot be empty at {}: Parallel state `{name}` needs at least one branch",
                            branches.pointer
                        ),
                    )
                    .with_label("no branches"),
                );
            }
        }
        Some(StateType::Map) => {
            let processor = state.key("ItemProcessor");
            let iterator = state.key("Iterator");
            match (processor, iterator) {
                (Some(first), Some(second)) => {
                    let (first, second) =
                        if first.span.start <= second.span.start { (first, second) } else { (second, first) };
                    diags.push(
                        Diagnostic::new(
                            Code::ConflictingFields,
                            &second.pointer,
                            second.span,
                            format!(
                                "Map state `{name}` has both `ItemProcessor` and `Iterator`; it must have exactly one"
                            ),
                        )
                        .with_label(format!("conflicts with `{}`", first.value))
                        .with_note(format!(
                            "`{}` is given first; `Iterator` is the legacy name of `ItemProcessor`",
                            first.value
                        ))
                        .with_help("keep `ItemProcessor` and remove `Iterator`"),
                    );
                }
                (None, None) => {
                    diags.push(
                        Diagnostic::new(
                            Code::MissingField,
                            &state.pointer,
                            state.name.span,
                            format!("These fields are required: [ItemProcessor] in Map state `{name}`"),
                        )
                        .with_label("no `ItemProcessor`")
                        .with_help("add an `ItemProcessor` with `StartAt` and `States`: the steps run for each item"),
                    );
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// Rule 5 (uniqueness): state names are unique across the whole machine, nested branches and
/// processors included. Duplicates inside one `States` object are already duplicate keys.
fn check_unique_names(containers: &[Container<'_>], diags: &mut Diagnostics) {
    let mut all: Vec<(&State, &str)> =
        containers.iter().flat_map(|c| c.machine.states().iter().map(move |s| (s, c.name.as_str()))).collect();
    all.sort_by_key(|(s, _)| s.name.span.start);
    let mut first: HashMap<&str, &str> = HashMap::new();
    for (state, home) in all {
        match first.get(state.name.value.as_str()) {
            Some(earlier) => diags.push(
                Diagnostic::new(
                    Code::DuplicateStateName,
                    &state.pointer,
                    state.name.span,
                    format!(
                        "Duplicate state name `{}`: state names must be unique in the whole state machine",
                        state.name.value
                    ),
                )
                .with_label("already used")
                .with_note(format!("`{}` is first defined in {earlier}; this one is in {home}", state.name.value)),
            ),
            None => {
                first.insert(state.name.value.as_str(), home);
            }
        }
    }
}

/// Characters a Map `Label` must not contain: AWS's rule for names (whitespace, brackets,
/// wildcards, punctuation that has a meaning in ARNs, control characters).
fn forbidden_in_label(c: char) -> bool {
    c.is_whitespace()
        || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
        || ('\u{0}'..='\u{1f}').contains(&c)
        || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// Rule 22 (labels): each Map `Label` has 1 to 40 allowed characters and is unique.
fn check_labels(containers: &[Container<'_>], diags: &mut Diagnostics) {
    let mut labels: Vec<(&State, &crate::ast::Spanned<String>)> = containers
        .iter()
        .flat_map(|c| c.machine.states())
        .filter(|s| s.ty() == Some(StateType::Map))
        .filter_map(|s| s.label.as_ref().map(|l| (s, l)))
        .collect();
    labels.sort_by_key(|(_, l)| l.span.start);
    let mut first: HashMap<&str, &str> = HashMap::new();
    for (state, label) in labels {
        let name = &state.name.value;
        let len = label.value.chars().count();
        if len == 0 || len > MAX_LABEL {
            diags.push(
                Diagnostic::new(
                    Code::InvalidLabel,
                    &label.pointer,
                    label.span,
                    format!(
                        "The `Label` of Map state `{name}` has {len} characters; labels must have 1 to {MAX_LABEL}"
                    ),
                )
                .with_label("invalid label"),
            );
        }
        if let Some(bad) = label.value.chars().find(|c| forbidden_in_label(*c)) {
            diags.push(
                Diagnostic::new(
                    Code::InvalidLabel,
                    &label.pointer,
                    label.span,
                    format!("The `Label` of Map state `{name}` contains {bad:?}, which labels must not contain"),
                )
                .with_label("invalid label")
                .with_help("use letters, digits, `-` and `_`"),
            );
        }
        match first.get(label.value.as_str()) {
            Some(owner) => diags.push(
                Diagnostic::new(
                    Code::DuplicateLabel,
                    &label.pointer,
                    label.span,
                    format!(
                        "Duplicate `Label` {:?} in Map state `{name}`: labels must be unique in the state machine",
                        label.value
                    ),
                )
                .with_label("already used")
                .with_note(format!("Map state `{owner}` has the same label")),
            ),
            None => {
                first.insert(label.value.as_str(), name.as_str());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Source, check as check_source};

    /// The errors of the graph rules' codes, as (code, pointer).
    fn errors(text: &str) -> Vec<(Code, String)> {
        let graph_codes = [
            Code::MissingField,
            Code::MissingTransitionTarget,
            Code::UnreachableState,
            Code::NoTerminalState,
            Code::DuplicateStateName,
            Code::InvalidStateName,
            Code::NextOrEnd,
            Code::EmptyValue,
            Code::ConflictingFields,
            Code::TooDeeplyNested,
            Code::DuplicateLabel,
            Code::InvalidLabel,
        ];
        match check_source(&Source::new("t.asl.json", text)) {
            Ok(_) => Vec::new(),
            Err(diags) => diags
                .iter()
                .filter(|d| d.is_error() && graph_codes.contains(&d.code))
                .map(|d| (d.code, d.pointer.clone()))
                .collect(),
        }
    }

    fn diagnostic(text: &str, code: Code) -> Diagnostic {
        let diags = check_source(&Source::new("t.asl.json", text)).err().unwrap_or_default();
        let found = diags.iter().find(|d| d.code == code).cloned();
        assert!(found.is_some(), "no {code:?} in {diags:?}");
        found.unwrap_or_else(|| Diagnostic::new(code, "", Span::default(), ""))
    }

    const OK: &str = r#"{"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "P"}], "Default": "F"},
        "P": {"Type": "Parallel", "Branches": [{"StartAt": "B1", "States": {"B1": {"Type": "Succeed"}}}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}], "Next": "M"},
        "M": {"Type": "Map", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}, "End": true},
        "F": {"Type": "Fail"}}}"#;

    #[test]
    fn a_misspelt_target_does_not_also_make_its_state_unreachable() {
        let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Shp"}, "Ship": {"Type": "Succeed"}}}"#;
        let found = errors(text);
        assert_eq!(found, vec![(Code::MissingTransitionTarget, "/States/A/Next".to_string())]);
    }

    #[test]
    fn accepts_a_well_formed_graph() {
        assert_eq!(errors(OK), vec![]);
    }

    #[test]
    fn requires_start_at_and_states_in_every_container() {
        assert_eq!(errors("{}"), vec![(Code::MissingField, String::new())]);
        let d = diagnostic("{}", Code::MissingField);
        assert_eq!(d.message, "These fields are required: [States, StartAt] in the state machine");
        let text = r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [{"States": {"X": {"Type": "Succeed"}}}]}}}"#;
        assert_eq!(errors(text), vec![(Code::MissingField, "/States/P/Branches/0".to_string())]);
        assert!(diagnostic(text, Code::MissingField).message.contains("`Branches[0]` of Parallel state `P`"));
    }

    #[test]
    fn reports_missing_targets_with_a_suggestion() {
        let text = r#"{"StartAt": "Frst", "States": {"First": {"Type": "Pass", "Next": "Scond"}, "Second": {"Type": "Succeed"}}}"#;
        let errs = errors(text);
        assert!(errs.contains(&(Code::MissingTransitionTarget, "/StartAt".to_string())), "{errs:?}");
        assert!(errs.contains(&(Code::MissingTransitionTarget, "/States/First/Next".to_string())), "{errs:?}");
        let d = diagnostic(text, Code::MissingTransitionTarget);
        assert!(d.message.starts_with("Missing 'Next' target: Frst"), "{}", d.message);
        assert_eq!(d.help.as_deref(), Some("did you mean `First`?"));
    }

    #[test]
    fn transitions_cannot_leave_a_branch() {
        let text = r#"{"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "Done", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "Done"}}}]},
            "Done": {"Type": "Succeed"}}}"#;
        let errs = errors(text);
        assert!(errs.contains(&(Code::MissingTransitionTarget, "/States/P/Branches/0/States/B/Next".to_string())));
        let d = diagnostic(text, Code::MissingTransitionTarget);
        assert!(d.notes[0].contains("is inside the state machine; transitions cannot leave"), "{:?}", d.notes);
    }

    #[test]
    fn default_and_catch_targets_are_checked() {
        let text = r#"{"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "T"}], "Default": "Nowhere"},
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Gone"}]}}}"#;
        let errs = errors(text);
        assert!(errs.contains(&(Code::MissingTransitionTarget, "/States/C/Default".to_string())), "{errs:?}");
        assert!(errs.contains(&(Code::MissingTransitionTarget, "/States/T/Catch/0/Next".to_string())), "{errs:?}");
    }

    #[test]
    fn a_state_nothing_names_is_unreachable() {
        let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Pass", "Next": "A"}}}"#;
        assert_eq!(errors(text), vec![(Code::UnreachableState, "/States/B".to_string())]);
        assert_eq!(diagnostic(text, Code::UnreachableState).message, "State \"B\" is not reachable.");
        // As AWS: a state named only by an unreachable state is not itself reported.
        let text = r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Pass", "Next": "C"}, "C": {"Type": "Succeed"}}}"#;
        assert_eq!(errors(text), vec![(Code::UnreachableState, "/States/B".to_string())]);
        // Without StartAt only the missing field is reported.
        assert_eq!(errors(r#"{"States": {"A": {"Type": "Succeed"}}}"#), vec![(Code::MissingField, String::new())]);
    }

    #[test]
    fn every_container_needs_a_terminal_state() {
        let text =
            r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}"#;
        assert_eq!(errors(text), vec![(Code::NoTerminalState, "/States".to_string())]);
        let text = r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "L", "States": {"L": {"Type": "Pass", "Next": "L"}}}}}}"#;
        assert_eq!(errors(text), vec![(Code::NoTerminalState, "/States/M/ItemProcessor/States".to_string())]);
    }

    #[test]
    fn state_names_are_unique_machine_wide() {
        let text = r#"{"StartAt": "A", "States": {
            "A": {"Type": "Parallel", "Next": "B", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]},
            "B": {"Type": "Succeed"}}}"#;
        assert_eq!(errors(text), vec![(Code::DuplicateStateName, "/States/B".to_string())]);
        let d = diagnostic(text, Code::DuplicateStateName);
        assert!(d.notes[0].contains("first defined in `Branches[0]` of Parallel state `A`"), "{:?}", d.notes);
    }

    #[test]
    fn state_names_have_at_most_80_characters() {
        let long = "x".repeat(81);
        let text = format!(r#"{{"StartAt": "{long}", "States": {{"{long}": {{"Type": "Succeed"}}}}}}"#);
        assert_eq!(errors(&text), vec![(Code::InvalidStateName, format!("/States/{long}"))]);
        let ok = "Ünïcode name with spaces ".repeat(3);
        let text = format!(r#"{{"StartAt": "{ok}", "States": {{"{ok}": {{"Type": "Succeed"}}}}}}"#);
        assert_eq!(errors(&text), vec![]);
    }

    #[test]
    fn next_and_end_exclude_each_other() {
        let both = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "End": true}, "B": {"Type": "Succeed"}}}"#;
        assert_eq!(errors(both), vec![(Code::NextOrEnd, "/States/A/End".to_string())]);
        let neither = r#"{"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 1}, "B": {"Type": "Succeed"}}}"#;
        let errs = errors(neither);
        assert!(errs.contains(&(Code::NextOrEnd, "/States/A".to_string())), "{errs:?}");
        let end_false =
            r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": false}, "B": {"Type": "Succeed"}}}"#;
        assert!(errors(end_false).contains(&(Code::NextOrEnd, "/States/A/End".to_string())));
    }

    #[test]
    fn parallel_needs_branches_and_map_one_processor() {
        let text = r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [], "End": true}}}"#;
        assert_eq!(errors(text), vec![(Code::EmptyValue, "/States/P/Branches".to_string())]);
        let text = r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true}}}"#;
        assert_eq!(errors(text), vec![(Code::MissingField, "/States/M".to_string())]);
        let body = r#"{"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}"#;
        let body2 = r#"{"StartAt": "J", "States": {"J": {"Type": "Succeed"}}}"#;
        let text = format!(
            r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", "End": true, "ItemProcessor": {body}, "Iterator": {body2}}}}}}}"#
        );
        assert_eq!(errors(&text), vec![(Code::ConflictingFields, "/States/M/Iterator".to_string())]);
        let text =
            format!(r#"{{"StartAt": "M", "States": {{"M": {{"Type": "Map", "End": true, "Iterator": {body}}}}}}}"#);
        assert_eq!(errors(&text), vec![]);
    }

    #[test]
    fn nesting_is_limited() {
        fn nest(levels: usize) -> String {
            let mut inner = r#"{"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}"#.to_string();
            for i in 0..levels {
                inner = format!(
                    r#"{{"StartAt": "M{i}", "States": {{"M{i}": {{"Type": "Map", "End": true, "ItemProcessor": {inner}}}}}}}"#
                );
            }
            inner
        }
        assert_eq!(errors(&nest(MAX_NESTING)), vec![]);
        let errs = errors(&nest(MAX_NESTING + 1));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].0, Code::TooDeeplyNested);
    }

    #[test]
    fn labels_are_short_plain_and_unique() {
        let map = |name: &str, label: &str| {
            format!(
                r#""{name}": {{"Type": "Map", "Label": "{label}", "ItemProcessor": {{"StartAt": "I{name}", "States": {{"I{name}": {{"Type": "Succeed"}}}}}}, "#
            )
        };
        let text = |a: &str, b: &str| {
            format!(r#"{{"StartAt": "A", "States": {{{} "Next": "B"}}, {} "End": true}}}}}}"#, map("A", a), map("B", b))
        };
        assert_eq!(errors(&text("first-run", "second_run")), vec![]);
        assert_eq!(errors(&text("same", "same")), vec![(Code::DuplicateLabel, "/States/B/Label".to_string())]);
        assert_eq!(errors(&text("has space", "ok")), vec![(Code::InvalidLabel, "/States/A/Label".to_string())]);
        let long = "l".repeat(41);
        assert_eq!(errors(&text(&long, "ok")), vec![(Code::InvalidLabel, "/States/A/Label".to_string())]);
    }
}
