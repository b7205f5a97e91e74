//! Rule 12: the contents of `Retry` and `Catch`.
//!
//! Every retrier and catcher needs a non-empty `ErrorEquals`; `States.ALL` must stand alone
//! in it and only in the last retrier/catcher; retrier numbers are in AWS's ranges; a
//! catcher needs `Next` and, in JSONPath, may have a `ResultPath` that is a Reference Path
//! into the input. Error names with the reserved `States.` prefix that AWS does not define
//! are reported as a warning when nothing in the machine raises them: a Fail state of the
//! same machine may raise any name (`"Error": "States.QuorumMet"`), and one whose error is
//! computed (`ErrorPath`, a JSONata `Error`) may raise any name at all, so then no such
//! warning is given.
//!
//! Whether a state type may carry `Retry`/`Catch` at all is a `fields` rule; contents are
//! checked here only on Task, Parallel and Map states, so a misplaced `Retry` is reported
//! once, not once per retrier.

use super::paths::{self, PathRule};
use super::{Context, walk};
use std::collections::HashSet;

use crate::ast::{Catcher, QueryLanguage, Retrier, Spanned, StateMachine, StateType};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::source::Span;

/// Error names AWS defines (besides the `States.Http.StatusCode.<nnn>` family).
const PREDEFINED_ERRORS: &[&str] = &[
    "States.ALL",
    "States.HeartbeatTimeout",
    "States.Timeout",
    "States.TaskFailed",
    "States.Permissions",
    "States.ResultPathMatchFailure",
    "States.ParameterPathFailure",
    "States.BranchFailed",
    "States.NoChoiceMatched",
    "States.IntrinsicFailure",
    "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed",
    "States.ResultWriterFailed",
    "States.QueryEvaluationError",
    "States.Runtime",
    "States.DataLimitExceeded",
    "States.Http.Socket",
];

const STATES_ALL: &str = "States.ALL";

/// The errors a machine's Fail states raise.
enum Raised<'a> {
    /// Only these names, each written literally in a Fail state's `Error`.
    Names(HashSet<&'a str>),
    /// Any name: some Fail state computes its error.
    Any,
}

impl<'a> Raised<'a> {
    fn of(machine: &'a StateMachine) -> Raised<'a> {
        let mut names = HashSet::new();
        let mut computed = false;
        walk(machine, &mut |state| {
            if state.ty() != Some(StateType::Fail) {
                return;
            }
            computed |= state.error_path.is_some();
            if let Some(error) = &state.error {
                let text = error.value.trim();
                computed |= text.starts_with("{%") && text.ends_with("%}");
                names.insert(error.value.as_str());
            }
        });
        if computed { Raised::Any } else { Raised::Names(names) }
    }

    fn may_raise(&self, name: &str) -> bool {
        match self {
            Raised::Names(names) => names.contains(name),
            Raised::Any => true,
        }
    }
}

pub(super) fn check(machine: &StateMachine, cx: &Context, diags: &mut Diagnostics) {
    let raised = Raised::of(machine);
    walk(machine, &mut |state| {
        if !matches!(state.ty(), Some(StateType::Task | StateType::Parallel | StateType::Map)) {
            return;
        }
        let ql = cx.query_language(state);
        if let Some(retry) = &state.retry {
            let last = retry.value.len().saturating_sub(1);
            for (i, retrier) in retry.value.iter().enumerate() {
                let owner = format!("`Retry[{i}]` of state `{}`", state.name.value);
                check_retrier(retrier, &owner, i == last, &raised, diags);
            }
        }
        if let Some(catch) = &state.catch {
            let last = catch.value.len().saturating_sub(1);
            for (i, catcher) in catch.value.iter().enumerate() {
                let owner = format!("`Catch[{i}]` of state `{}`", state.name.value);
                check_catcher(catcher, &owner, i == last, ql, &raised, diags);
            }
        }
    });
}

fn check_retrier(r: &Retrier, owner: &str, is_last: bool, raised: &Raised, diags: &mut Diagnostics) {
    let error_list = ErrorList { field: r.error_equals.as_ref(), owner_pointer: &r.pointer, owner_span: r.span, owner };
    error_equals(&error_list, "retrier", is_last, raised, diags);
    integer_in(r.interval_seconds.as_ref(), "IntervalSeconds", 1, 99_999_999, owner, diags);
    integer_in(r.max_attempts.as_ref(), "MaxAttempts", 0, 99_999_999, owner, diags);
    integer_in(r.max_delay_seconds.as_ref(), "MaxDelaySeconds", 1, 31_622_401, owner, diags);
    if let Some(rate) = &r.backoff_rate {
        // Decoding only keeps finite numbers, so a missing f64 means "not a number here".
        if rate.value.as_f64().is_none_or(|v| v < 1.0) {
            diags.push(
                Diagnostic::new(
                    Code::OutOfRange,
                    &rate.pointer,
                    rate.span,
                    format!("`BackoffRate` of {owner} must be at least 1.0, but is {}", rate.value),
                )
                .with_label("below 1.0")
                .with_help("1.0 retries at a constant interval; larger values grow it"),
            );
        }
    }
    if let Some(jitter) = &r.jitter_strategy {
        const STRATEGIES: [&str; 2] = ["FULL", "NONE"];
        if !STRATEGIES.contains(&jitter.value.as_str()) {
            let mut d = Diagnostic::new(
                Code::InvalidEnumValue,
                &jitter.pointer,
                jitter.span,
                format!(
                    "The field 'JitterStrategy' of {owner} should have one of these values: [FULL, NONE], not {:?}",
                    jitter.value
                ),
            )
            .with_label("unknown strategy");
            if let Some(close) = did_you_mean(&jitter.value, STRATEGIES) {
                d = d.with_help(format!("did you mean `{close}`?"));
            }
            diags.push(d);
        }
    }
}

fn check_catcher(c: &Catcher, owner: &str, is_last: bool, ql: QueryLanguage, raised: &Raised, diags: &mut Diagnostics) {
    let error_list = ErrorList { field: c.error_equals.as_ref(), owner_pointer: &c.pointer, owner_span: c.span, owner };
    error_equals(&error_list, "catcher", is_last, raised, diags);
    if c.next.is_none() && !reported_under(diags, &crate::node::pointer_push(&c.pointer, "Next")) {
        diags.push(
            Diagnostic::new(
                Code::MissingField,
                &c.pointer,
                c.span,
                format!("These fields are required: [Next] ({owner} has no state to continue with)"),
            )
            .with_label("missing `Next`"),
        );
    }
    // `Output` in JSONPath and `ResultPath` in JSONata are query-language errors that
    // `fields` reports; only the path itself is checked here.
    if ql == QueryLanguage::JsonPath
        && let Some(Spanned { value: Some(path), pointer, span, .. }) = &c.result_path
    {
        let what = format!("`ResultPath` of {owner}");
        paths::check_path(path, PathRule::Result, pointer, *span, &what, diags);
    }
}

/// Whether some diagnostic was already reported at `pointer` or below it (for example a
/// wrong JSON type, after which decoding dropped the field).
fn reported_under(diags: &Diagnostics, pointer: &str) -> bool {
    diags
        .iter()
        .any(|d| d.pointer == pointer || d.pointer.strip_prefix(pointer).is_some_and(|rest| rest.starts_with('/')))
}

/// The `ErrorEquals` of a retrier or catcher, and where its owner is.
struct ErrorList<'a> {
    field: Option<&'a Spanned<Vec<Spanned<String>>>>,
    owner_pointer: &'a str,
    owner_span: Span,
    owner: &'a str,
}

/// `ErrorEquals`: present, non-empty, `States.ALL` alone and last, `States.*` names known
/// or raised by a Fail state.
fn error_equals(list: &ErrorList, kind: &str, is_last: bool, raised: &Raised, diags: &mut Diagnostics) {
    let ErrorList { field, owner_pointer, owner_span, owner } = *list;
    let Some(list) = field else {
        // A value of the wrong type was reported by the decoder, which then dropped it.
        if !reported_under(diags, &crate::node::pointer_push(owner_pointer, "ErrorEquals")) {
            diags.push(
                Diagnostic::new(
                    Code::MissingField,
                    owner_pointer,
                    owner_span,
                    format!("These fields are required: [ErrorEquals] ({owner} matches no error)"),
                )
                .with_label("missing `ErrorEquals`"),
            );
        }
        return;
    };
    if list.value.is_empty() {
        // Elements of the wrong type are dropped by the decoder after reporting them.
        if !reported_under(diags, &list.pointer) {
            diags.push(
                Diagnostic::new(
                    Code::EmptyValue,
                    &list.pointer,
                    list.span,
                    format!("Value cannot be empty: `ErrorEquals` of {owner} must name at least one error"),
                )
                .with_label("empty")
                .with_help("use [\"States.ALL\"] to match every error"),
            );
        }
        return;
    }
    for name in &list.value {
        if name.value == STATES_ALL {
            if list.value.len() > 1 {
                diags.push(
                    Diagnostic::new(
                        Code::StatesAllPlacement,
                        &name.pointer,
                        name.span,
                        format!("`States.ALL` must appear alone in the `ErrorEquals` of {owner}"),
                    )
                    .with_label("not alone")
                    .with_help(
                        "`States.ALL` already matches the other names; remove them, or move them to an earlier element",
                    ),
                );
            }
            if !is_last {
                diags.push(
                    Diagnostic::new(
                        Code::StatesAllPlacement,
                        &name.pointer,
                        name.span,
                        format!("`States.ALL` must appear in the last {kind}, but {owner} is followed by others"),
                    )
                    .with_label(format!("not the last {kind}"))
                    .with_note(format!(
                        "{kind}s are tried in order, so no {kind} after a `States.ALL` one could ever match"
                    )),
                );
            }
        } else if name.value.starts_with("States.") && !is_predefined(&name.value) && !raised.may_raise(&name.value) {
            let mut d = Diagnostic::new(
                Code::UnknownStatesError,
                &name.pointer,
                name.span,
                format!("{:?} in the `ErrorEquals` of {owner} is not an error AWS defines", name.value),
            )
            .with_label("unknown `States.` error")
            .with_note(
                "the `States.` prefix is reserved for errors Step Functions raises, and no Fail state of this \
                 machine raises this one: unless a task reports an error by this very name, this never matches",
            );
            if let Some(close) = did_you_mean(&name.value, PREDEFINED_ERRORS.iter().copied()) {
                d = d.with_help(format!("did you mean `{close}`?"));
            }
            diags.push(d);
        }
    }
}

/// A predefined error name, including `States.Http.StatusCode.<nnn>`.
fn is_predefined(name: &str) -> bool {
    if PREDEFINED_ERRORS.contains(&name) {
        return true;
    }
    name.strip_prefix("States.Http.StatusCode.")
        .is_some_and(|code| code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()))
}

/// An optional integer field within `min..=max`. A number with a zero fraction (`3.0`) counts
/// as an integer, as in JSON Schema.
fn integer_in(
    field: Option<&Spanned<serde_json::Number>>,
    name: &str,
    min: i64,
    max: i64,
    owner: &str,
    diags: &mut Diagnostics,
) {
    let Some(n) = field else { return };
    let value = n.value.as_i64().or_else(|| {
        let f = n.value.as_f64()?;
        // The bound check makes the conversion exact; the fraction check rejects 1.5.
        (f.fract() == 0.0 && f.abs() < 1e15).then_some(f as i64)
    });
    let problem = match value {
        None => "an integer".to_string(),
        Some(v) if v < min || v > max => format!("between {min} and {max}"),
        Some(_) => return,
    };
    diags.push(
        Diagnostic::new(
            Code::OutOfRange,
            &n.pointer,
            n.span,
            format!("`{name}` of {owner} must be {problem}, but is {}", n.value),
        )
        .with_label(format!("expected {problem}")),
    );
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::validate::paths::test_support::diagnostics;

    /// (code, pointer) of every diagnostic reported for a definition.
    fn diags(text: &str) -> Vec<(Code, String)> {
        diagnostics(text).into_iter().map(|d| (d.code, d.pointer)).collect()
    }

    fn task(fields: &str) -> String {
        format!(
            r#"{{"StartAt": "T", "States": {{
                "T": {{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", {fields}, "End": true}},
                "H": {{"Type": "Succeed"}}}}}}"#
        )
    }

    fn has(found: &[(Code, String)], code: Code, pointer: &str) -> bool {
        found.iter().any(|(c, p)| *c == code && p == pointer)
    }

    const MINE: [Code; 6] = [
        Code::StatesAllPlacement,
        Code::UnknownStatesError,
        Code::OutOfRange,
        Code::InvalidEnumValue,
        Code::EmptyValue,
        Code::MissingField,
    ];

    #[test]
    fn accepts_good_retry_and_catch() {
        let found = diags(&task(
            r#""Retry": [{"ErrorEquals": ["States.Timeout", "States.Http.StatusCode.503"], "IntervalSeconds": 3,
                          "MaxAttempts": 0, "BackoffRate": 1.0, "MaxDelaySeconds": 5, "JitterStrategy": "FULL"},
                         {"ErrorEquals": ["States.ALL"]}],
               "Catch": [{"ErrorEquals": ["Custom.Error"], "Next": "H", "ResultPath": "$.error"},
                         {"ErrorEquals": ["States.ALL"], "Next": "H", "ResultPath": null}]"#,
        ));
        assert!(!found.iter().any(|(c, _)| MINE.contains(c)), "{found:?}");
    }

    #[test]
    fn states_all_must_be_alone_and_last() {
        let found = diags(&task(
            r#""Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}],
               "Catch": [{"ErrorEquals": ["States.ALL", "X"], "Next": "H"}]"#,
        ));
        assert!(has(&found, Code::StatesAllPlacement, "/States/T/Retry/0/ErrorEquals/0"), "{found:?}");
        assert!(has(&found, Code::StatesAllPlacement, "/States/T/Catch/0/ErrorEquals/0"), "{found:?}");
    }

    #[test]
    fn error_equals_is_required_and_non_empty() {
        let found =
            diags(&task(r#""Retry": [{"MaxAttempts": 1}, {"ErrorEquals": []}], "Catch": [{"ErrorEquals": ["X"]}]"#));
        assert!(has(&found, Code::MissingField, "/States/T/Retry/0"), "{found:?}");
        assert!(has(&found, Code::EmptyValue, "/States/T/Retry/1/ErrorEquals"), "{found:?}");
        assert!(has(&found, Code::MissingField, "/States/T/Catch/0"), "{found:?}");
    }

    #[test]
    fn wrong_type_error_equals_is_reported_once() {
        let found = diags(&task(r#""Retry": [{"ErrorEquals": "States.ALL"}, {"ErrorEquals": [1]}]"#));
        assert!(!has(&found, Code::MissingField, "/States/T/Retry/0"), "{found:?}");
        assert!(!has(&found, Code::EmptyValue, "/States/T/Retry/1/ErrorEquals"), "{found:?}");
    }

    #[test]
    fn unknown_states_error_is_a_warning() {
        let all = diagnostics(&task(r#""Retry": [{"ErrorEquals": ["States.Timout"]}]"#));
        let d = all.iter().find(|d| d.code == Code::UnknownStatesError).expect("warning");
        assert_eq!(d.severity, crate::Severity::Warning);
        assert_eq!(d.pointer, "/States/T/Retry/0/ErrorEquals/0");
        assert_eq!(d.help.as_deref(), Some("did you mean `States.Timeout`?"));
    }

    #[test]
    fn a_states_error_a_fail_state_raises_is_not_reported() {
        // As sfwc quorum-with-parallel-pattern deploys it: a branch fails with its own
        // `States.` error, which the Parallel state catches.
        let definition = |fail: &str| {
            format!(
                r#"{{"StartAt": "P", "States": {{
                    "P": {{"Type": "Parallel", "End": true,
                        "Catch": [{{"ErrorEquals": ["States.QuorumMet"], "Next": "H"}}],
                        "Branches": [{{"StartAt": "F", "States": {{"F": {{"Type": "Fail", {fail}}}}}}}]}},
                    "H": {{"Type": "Succeed"}}}}}}"#
            )
        };
        let warned = |text: &str| diags(text).iter().any(|(c, _)| *c == Code::UnknownStatesError);
        assert!(!warned(&definition(r#""Error": "States.QuorumMet""#)));
        assert!(!warned(&definition(r#""ErrorPath": "$.error""#)), "a computed error may be any name");
        assert!(warned(&definition(r#""Error": "States.QuorumMissed""#)));
    }

    #[test]
    fn retrier_ranges() {
        let found = diags(&task(
            r#""Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0, "MaxAttempts": -1, "BackoffRate": 0.5,
                          "MaxDelaySeconds": 31622402, "JitterStrategy": "FUL"},
                         {"ErrorEquals": ["Y"], "IntervalSeconds": 1.5}]"#,
        ));
        for field in ["IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds"] {
            assert!(has(&found, Code::OutOfRange, &format!("/States/T/Retry/0/{field}")), "{field}: {found:?}");
        }
        assert!(has(&found, Code::InvalidEnumValue, "/States/T/Retry/0/JitterStrategy"), "{found:?}");
        assert!(has(&found, Code::OutOfRange, "/States/T/Retry/1/IntervalSeconds"), "{found:?}");
    }

    #[test]
    fn catcher_result_path_is_input_only() {
        let found = diags(&task(r#""Catch": [{"ErrorEquals": ["X"], "Next": "H", "ResultPath": "$$.x"}]"#));
        assert!(has(&found, Code::ContextPathNotAllowed, "/States/T/Catch/0/ResultPath"), "{found:?}");
        let found = diags(&task(r#""Catch": [{"ErrorEquals": ["X"], "Next": "H", "ResultPath": "$.a[0].b"}]"#));
        assert!(!found.iter().any(|(c, _)| *c == Code::ContextPathNotAllowed || *c == Code::InvalidPath), "{found:?}");
    }
}
