//! Fields of each state: rule families 6, 8–10, 14, 15, 17–19, 21 and 22 of the reference
//! (§2.2).
//!
//! This module decides which fields a state may have: per state type (rule 8), per query
//! language (19), required fields and one-of groups (6, 9), and the Map fields that need
//! distributed mode (22). The values of fields — ranges, timestamps, `Credentials`, `Resource`
//! ARNs, `ProcessorConfig`, variable names — are checked in [`values`]. The decoder has already
//! reported unknown fields and wrong JSON types; a field it dropped is simply absent here.

mod distributed;
mod values;

use self::values::Range;
use super::{Context, walk};
use crate::ast::{ChoiceRule, NumberOrExpr, QueryLanguage, Spanned, State, StateMachine, StateType};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};

/// AWS's message for a JSONPath state in a JSONata state machine.
const DOWNGRADE: &str = "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine";

const DISTRIBUTED_HELP: &str =
    r#"set `"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}` in the `ItemProcessor`"#;

/// Runs the field rules over the whole machine.
pub(super) fn check(machine: &StateMachine, cx: &Context, diags: &mut Diagnostics) {
    if let Some(timeout) = &machine.timeout_seconds {
        let n = NumberOrExpr::Number(timeout.value.clone());
        let field =
            Spanned { value: n, span: timeout.span, pointer: timeout.pointer.clone(), key_span: timeout.key_span };
        values::number(&field, "TimeoutSeconds", "the state machine", QueryLanguage::JsonPath, Range::Positive, diags);
    }
    walk(machine, &mut |state| check_state(state, cx, diags));
}

/// The fields each state type takes besides `Type`, `Comment` and `QueryLanguage`
/// (rule 8; the ASL spec's per-type field lists, extended with `Arguments`, `Output` and
/// `Assign` where the Developer Guide allows them).
#[rustfmt::skip]
fn allowed(ty: StateType) -> &'static [&'static str] {
    match ty {
        StateType::Task => &[
            "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Arguments",
            "Output", "Assign", "Retry", "Catch", "Resource", "TimeoutSeconds", "TimeoutSecondsPath",
            "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials",
        ],
        StateType::Pass => {
            &["Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Output", "Assign"]
        }
        StateType::Choice => &["InputPath", "OutputPath", "Choices", "Default", "Output", "Assign"],
        StateType::Wait => &[
            "Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath",
            "Output", "Assign",
        ],
        StateType::Succeed => &["InputPath", "OutputPath", "Output"],
        StateType::Fail => &["Error", "ErrorPath", "Cause", "CausePath"],
        StateType::Parallel => &[
            "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Arguments",
            "Output", "Assign", "Retry", "Catch", "Branches",
        ],
        StateType::Map => &[
            "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Output",
            "Assign", "Retry", "Catch", "ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector",
            "MaxConcurrency", "MaxConcurrencyPath", "ItemReader", "ItemBatcher", "ResultWriter",
            "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount",
            "ToleratedFailureCountPath", "Label",
        ],
    }
}

fn supports(ty: StateType, key: &str) -> bool {
    matches!(key, "Type" | "Comment" | "QueryLanguage") || allowed(ty).contains(&key)
}

/// State fields only JSONPath states take (rule 19).
#[rustfmt::skip]
const JSONPATH_ONLY: &[&str] = &[
    "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Result", "ItemsPath",
    "TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath", "TimestampPath", "ErrorPath", "CausePath",
    "MaxConcurrencyPath", "ToleratedFailurePercentagePath", "ToleratedFailureCountPath",
];

/// State fields only JSONata states take (rule 19).
const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items"];

/// Whether a field may appear in a state of query language `ql`.
fn in_language(key: &str, ql: QueryLanguage) -> bool {
    match ql {
        QueryLanguage::JsonPath => !JSONATA_ONLY.contains(&key),
        QueryLanguage::Jsonata => !JSONPATH_ONLY.contains(&key),
    }
}

fn ql_name(ql: QueryLanguage) -> &'static str {
    match ql {
        QueryLanguage::JsonPath => "JSONPath",
        QueryLanguage::Jsonata => "JSONata",
    }
}

fn check_state(state: &State, cx: &Context, diags: &mut Diagnostics) {
    let name = &state.name.value;
    let Some(ty) = state.ty() else {
        // An unknown `Type` value was reported by the decoder; only a missing one is new.
        if state.key("Type").is_none() {
            diags.push(
                Diagnostic::new(
                    Code::MissingField,
                    &state.pointer,
                    state.name.span,
                    format!("These fields are required: [Type] in state `{name}`"),
                )
                .with_label("no `Type`")
                .with_help("add `\"Type\"`: one of Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map"),
            );
        }
        return;
    };
    let ql = cx.query_language(state);
    let what = format!("{} state `{name}`", ty.as_str());

    if let Some(own) = &state.query_language
        && own.value == QueryLanguage::JsonPath
        && cx.top_query_language == QueryLanguage::Jsonata
    {
        diags.push(
            Diagnostic::new(
                Code::QueryLanguageDowngrade,
                &own.pointer,
                own.span,
                format!("{DOWNGRADE} (state `{name}`)"),
            )
            .with_label("JSONPath state in a JSONata state machine")
            .with_help("rewrite the state in JSONata, or drop the top-level `QueryLanguage` and opt in per state"),
        );
    }

    for key in &state.keys {
        let k = key.value.as_str();
        if !StateType::ALL.iter().any(|t| supports(*t, k)) {
            continue; // unknown field, reported by the decoder
        }
        if !supports(ty, k) {
            not_supported(key, ty, &what, diags);
        } else if !in_language(k, ql) {
            wrong_language(key, ql, &what, diags);
        }
    }

    required_fields(state, ty, ql, &what, diags);
    one_of_groups(state, ty, ql, &what, diags);
    match ty {
        StateType::Task => values::task(state, ql, &what, diags),
        StateType::Wait => values::wait(state, ql, &what, diags),
        StateType::Map => {
            values::map(state, ql, &what, diags);
            map_mode(state, &what, diags);
        }
        _ => {}
    }
    if supports(ty, "Assign")
        && let Some(assign) = &state.assign
    {
        values::variables(assign, ql, &what, diags);
    }
    // Rules and catchers of a type that has none were reported as unsupported fields already.
    let rules = state.choices.iter().filter(|_| ty == StateType::Choice).flat_map(|c| c.value.iter());
    for rule in rules {
        choice_rule(rule, ql, &what, true, diags);
    }
    let catchers = state.catch.iter().filter(|_| supports(ty, "Catch")).flat_map(|c| c.value.iter());
    for catcher in catchers {
        if let Some(assign) = &catcher.assign {
            values::variables(assign, ql, &what, diags);
        }
        if let (Some(output), QueryLanguage::JsonPath) = (&catcher.output, ql) {
            wrong_language_at(&output.pointer, output.key_span, "Output", ql, &what, diags);
        }
        if let (Some(path), QueryLanguage::Jsonata) = (&catcher.result_path, ql) {
            wrong_language_at(&path.pointer, path.key_span, "ResultPath", ql, &what, diags);
        }
    }
}

/// Rule 8: the field exists in ASL, but not on this state type.
fn not_supported(key: &Spanned<String>, ty: StateType, what: &str, diags: &mut Diagnostics) {
    let k = key.value.as_str();
    let owners: Vec<&str> = StateType::ALL.iter().filter(|t| allowed(**t).contains(&k)).map(|t| t.as_str()).collect();
    let help = match (ty, k) {
        (StateType::Choice, "Next" | "End") => {
            "a Choice state transitions through its `Choices` and `Default`".to_string()
        }
        (StateType::Succeed | StateType::Fail, "Next" | "End") => {
            format!("a {} state always ends; remove `{k}`", ty.as_str())
        }
        _ => format!("`{k}` is supported by {} states", join_or(&owners, "and")),
    };
    diags.push(
        Diagnostic::new(
            Code::FieldNotSupported,
            &key.pointer,
            key.span,
            format!("Field '{k}' is not supported in {what}"),
        )
        .with_label(format!("not supported on {} states", ty.as_str()))
        .with_help(help),
    );
}

/// Rule 19: the field belongs to the other query language.
fn wrong_language(key: &Spanned<String>, ql: QueryLanguage, what: &str, diags: &mut Diagnostics) {
    wrong_language_at(&key.pointer, key.span, &key.value, ql, what, diags);
}

fn wrong_language_at(
    pointer: &str,
    span: crate::Span,
    key: &str,
    ql: QueryLanguage,
    what: &str,
    diags: &mut Diagnostics,
) {
    let other = match ql {
        QueryLanguage::JsonPath => QueryLanguage::Jsonata,
        QueryLanguage::Jsonata => QueryLanguage::JsonPath,
    };
    let replacement = match key {
        "Output" => Some("`OutputPath`, `ResultSelector` or `ResultPath`"),
        "Arguments" => Some("`Parameters`"),
        "Items" => Some("`ItemsPath`"),
        "Condition" => Some("`Variable` with a comparison operator"),
        "InputPath" => Some("`Arguments` (it can read `$states.input`)"),
        "Parameters" => Some("`Arguments` (`ItemSelector` on a Map)"),
        "OutputPath" | "ResultSelector" | "ResultPath" | "Result" => Some("`Output`"),
        "ItemsPath" => Some("`Items`"),
        _ => None,
    };
    let mut help = match replacement {
        Some(r) => format!("in a {} state use {r}; ", ql_name(ql)),
        None => match key.strip_suffix("Path") {
            Some(base) if ql == QueryLanguage::Jsonata => {
                format!("in a JSONata state use `{base}` with a `{{% %}}` expression; ")
            }
            _ => String::new(),
        },
    };
    help.push_str(&format!("or set `\"QueryLanguage\": \"{}\"` on the state", ql_name(other)));
    diags.push(
        Diagnostic::new(
            Code::WrongQueryLanguage,
            pointer,
            span,
            format!(
                "The QueryLanguage is set to '{}', but field '{key}' is only supported for the '{}' QueryLanguage \
                 (in {what})",
                ql_name(ql),
                ql_name(other)
            ),
        )
        .with_label(format!("{} only", ql_name(other)))
        .with_help(help),
    );
}

fn missing_field(state: &State, fields: &str, what: &str, help: &str, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::new(
            Code::MissingField,
            &state.pointer,
            state.name.span,
            format!("These fields are required: [{fields}] in {what}"),
        )
        .with_label(format!("no `{fields}`"))
        .with_help(help.to_string()),
    );
}

/// Required fields of each type (the Map processor is checked with the graph).
fn required_fields(state: &State, ty: StateType, ql: QueryLanguage, what: &str, diags: &mut Diagnostics) {
    match ty {
        StateType::Task if state.key("Resource").is_none() => {
            missing_field(
                state,
                "Resource",
                what,
                "add the ARN of the Lambda function, activity or service integration to run",
                diags,
            );
        }
        StateType::Parallel if state.key("Branches").is_none() => {
            missing_field(state, "Branches", what, "add `Branches`: an array of `{StartAt, States}` objects", diags);
        }
        StateType::Choice => match &state.choices {
            None if state.key("Choices").is_none() => {
                missing_field(
                    state,
                    "Choices",
                    what,
                    "add `\"Choices\"`: a non-empty array of rules, each with a `Next`",
                    diags,
                );
            }
            Some(choices) if choices.value.is_empty() => diags.push(
                Diagnostic::new(
                    Code::EmptyValue,
                    &choices.pointer,
                    choices.span,
                    format!("Value cannot be empty at {}: {what} needs at least one rule", choices.pointer),
                )
                .with_label("no rules"),
            ),
            _ => {}
        },
        StateType::Wait => {
            let group: &[&str] = match ql {
                QueryLanguage::JsonPath => &["Seconds", "SecondsPath", "Timestamp", "TimestampPath"],
                QueryLanguage::Jsonata => &["Seconds", "Timestamp"],
            };
            let any = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"].iter().any(|k| state.key(k).is_some());
            if !any {
                let list = group.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>();
                diags.push(
                    Diagnostic::new(
                        Code::MissingOneOf,
                        &state.pointer,
                        state.name.span,
                        format!("{what} needs exactly one of {}", join_or(&list, "or")),
                    )
                    .with_label("no wait time")
                    .with_help("add `\"Seconds\": 10` or `\"Timestamp\": \"2030-01-01T00:00:00Z\"`"),
                );
            }
        }
        _ => {}
    }
}

/// Rule 9: groups of fields of which at most one may be given. Fields of the wrong query
/// language are left out (they are reported as such), so each mistake is reported once.
fn one_of_groups(state: &State, ty: StateType, ql: QueryLanguage, what: &str, diags: &mut Diagnostics) {
    let groups: &[&[&str]] = match ty {
        StateType::Task => &[&["TimeoutSeconds", "TimeoutSecondsPath"], &["HeartbeatSeconds", "HeartbeatSecondsPath"]],
        StateType::Fail => &[&["Error", "ErrorPath"], &["Cause", "CausePath"]],
        StateType::Wait => &[&["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]],
        StateType::Map => &[
            &["ItemSelector", "Parameters"],
            &["MaxConcurrency", "MaxConcurrencyPath"],
            &["ToleratedFailurePercentage", "ToleratedFailurePercentagePath"],
            &["ToleratedFailureCount", "ToleratedFailureCountPath"],
            &["ItemsPath", "Items"],
        ],
        _ => &[],
    };
    for group in groups {
        let mut present: Vec<&Spanned<String>> =
            group.iter().filter(|k| in_language(k, ql)).filter_map(|k| state.key(k)).collect();
        present.sort_by_key(|k| k.span.start);
        let Some((first, rest)) = present.split_first() else { continue };
        for second in rest {
            diags.push(
                Diagnostic::new(
                    Code::ConflictingFields,
                    &second.pointer,
                    second.span,
                    format!("{what} has both `{}` and `{}`; give only one of them", first.value, second.value),
                )
                .with_label(format!("conflicts with `{}`", first.value))
                .with_note(format!("`{}` is given first", first.value)),
            );
        }
    }
}

/// Rule 22: the fields that read or write S3 or batch child executions need a distributed Map.
fn map_mode(state: &State, what: &str, diags: &mut Diagnostics) {
    // AWS accepts `ToleratedFailure*` on inline Maps (conformance cases
    // base-evaluate-expressions-base-map-tolerated-failure-*), so only the fields that read
    // or write S3 or batch child executions are tied to distributed mode.
    if !values::is_distributed(state) {
        for key in ["ItemReader", "ItemBatcher", "ResultWriter"] {
            if let Some(k) = state.key(key) {
                diags.push(
                    Diagnostic::new(
                        Code::MapMode,
                        &k.pointer,
                        k.span,
                        format!("`{key}` is only supported by a Map in DISTRIBUTED mode, but {what} runs inline"),
                    )
                    .with_label("needs a distributed Map")
                    .with_help(DISTRIBUTED_HELP),
                );
            }
        }
    }
    if let Some(writer) = state.result_writer.as_ref().filter(|w| w.value.as_object().is_some_and(|m| m.is_empty())) {
        diags.push(
            Diagnostic::new(Code::MapMode, &writer.pointer, writer.span, format!("`ResultWriter` of {what} is empty"))
                .with_label("empty `ResultWriter`")
                .with_help(
                    "give `WriterConfig`, or `Resource` and `Parameters`/`Arguments` to export the results to S3",
                ),
        );
    }
}

/// Query-language fields and `Assign` of a Choice rule (and, for `Condition`, its nested rules).
fn choice_rule(rule: &ChoiceRule, ql: QueryLanguage, what: &str, top: bool, diags: &mut Diagnostics) {
    if ql == QueryLanguage::JsonPath {
        if let Some(c) = &rule.condition {
            wrong_language_at(&c.pointer, c.key_span, "Condition", ql, what, diags);
        }
        if let Some(o) = &rule.output {
            wrong_language_at(&o.pointer, o.key_span, "Output", ql, what, diags);
        }
    }
    if top && let Some(assign) = &rule.assign {
        values::variables(assign, ql, what, diags);
    }
    let nested = rule.and.iter().chain(rule.or.iter()).flat_map(|r| r.value.iter());
    for inner in nested.chain(rule.not.iter().map(|n| n.value.as_ref())) {
        choice_rule(inner, ql, what, false, diags);
    }
}

/// "A", "A and B", "A, B and C".
fn join_or<S: AsRef<str>>(items: &[S], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            format!("{} {word} {}", init.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Source, check as check_source};

    /// Codes the field rules emit.
    const CODES: &[Code] = &[
        Code::MissingField,
        Code::FieldNotSupported,
        Code::MissingOneOf,
        Code::ConflictingFields,
        Code::WrongQueryLanguage,
        Code::QueryLanguageDowngrade,
        Code::WrongType,
        Code::OutOfRange,
        Code::HeartbeatNotBelowTimeout,
        Code::InvalidTimestamp,
        Code::InvalidResource,
        Code::InvalidEnumValue,
        Code::MapMode,
        Code::InvalidVariableName,
        Code::EmptyValue,
    ];

    pub(super) fn diagnostics(text: &str) -> Vec<Diagnostic> {
        match check_source(&Source::new("t.asl.json", text)) {
            Ok(_) => Vec::new(),
            Err(diags) => diags.into_iter().filter(|d| d.is_error() && CODES.contains(&d.code)).collect(),
        }
    }

    pub(super) fn errors(text: &str) -> Vec<(Code, String)> {
        diagnostics(text).into_iter().map(|d| (d.code, d.pointer)).collect()
    }

    /// A one-state machine whose only state has the given fields (JSON members, no braces).
    pub(super) fn state(fields: &str) -> String {
        format!(r#"{{"StartAt": "S", "States": {{"S": {{{fields}}}}}}}"#)
    }

    pub(super) fn jsonata(fields: &str) -> String {
        format!(r#"{{"QueryLanguage": "JSONata", "StartAt": "S", "States": {{"S": {{{fields}}}}}}}"#)
    }

    pub(super) fn one(code: Code, pointer: &str) -> Vec<(Code, String)> {
        vec![(code, pointer.to_string())]
    }

    pub(super) const TASK: &str = r#""Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true"#;

    #[test]
    fn fields_must_fit_the_state_type() {
        assert_eq!(errors(&state(&format!("{TASK}, \"TimeoutSeconds\": 5"))), vec![]);
        let text = state(r#""Type": "Pass", "End": true, "TimeoutSeconds": 5"#);
        assert_eq!(errors(&text), one(Code::FieldNotSupported, "/States/S/TimeoutSeconds"));
        let d = &diagnostics(&text)[0];
        assert_eq!(d.message, "Field 'TimeoutSeconds' is not supported in Pass state `S`");
        assert_eq!(d.help.as_deref(), Some("`TimeoutSeconds` is supported by Task states"));
        assert_eq!(errors(&state(r#""Type": "Succeed", "Next": "S""#)), one(Code::FieldNotSupported, "/States/S/Next"));
        assert_eq!(
            errors(&state(r#""Type": "Fail", "InputPath": "$""#)),
            one(Code::FieldNotSupported, "/States/S/InputPath")
        );
    }

    #[test]
    fn required_fields_per_type() {
        assert_eq!(errors(&state(r#""End": true"#)), one(Code::MissingField, "/States/S"));
        assert_eq!(errors(&state(r#""Type": "Task", "End": true"#)), one(Code::MissingField, "/States/S"));
        assert_eq!(errors(&state(r#""Type": "Parallel", "End": true"#)), one(Code::MissingField, "/States/S"));
        assert_eq!(errors(&state(r#""Type": "Choice", "Default": "S""#)), one(Code::MissingField, "/States/S"));
        assert_eq!(
            errors(&state(r#""Type": "Choice", "Choices": [], "Default": "S""#)),
            one(Code::EmptyValue, "/States/S/Choices")
        );
        assert_eq!(errors(&state(r#""Type": "Wait", "End": true"#)), one(Code::MissingOneOf, "/States/S"));
        assert_eq!(errors(&state(r#""Type": "Wait", "SecondsPath": "$.s", "End": true"#)), vec![]);
    }

    #[test]
    fn one_of_groups_conflict_at_the_second_field() {
        let text = state(&format!(r#"{TASK}, "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t""#));
        assert_eq!(errors(&text), one(Code::ConflictingFields, "/States/S/TimeoutSecondsPath"));
        let text = state(r#""Type": "Wait", "Seconds": 1, "Timestamp": "2030-01-01T00:00:00Z", "End": true"#);
        assert_eq!(errors(&text), one(Code::ConflictingFields, "/States/S/Timestamp"));
        let text = state(r#""Type": "Fail", "Error": "E", "ErrorPath": "$.e""#);
        assert_eq!(errors(&text), one(Code::ConflictingFields, "/States/S/ErrorPath"));
        assert_eq!(errors(&state(r#""Type": "Fail", "Error": "E", "CausePath": "$.c""#)), vec![]);
    }

    #[test]
    fn query_language_fields() {
        let text = state(r#""Type": "Pass", "End": true, "Output": {"a": 1}"#);
        assert_eq!(errors(&text), one(Code::WrongQueryLanguage, "/States/S/Output"));
        assert!(diagnostics(&text)[0].message.starts_with(
            "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage"
        ));
        assert_eq!(errors(&jsonata(r#""Type": "Pass", "End": true, "Output": {"a": 1}"#)), vec![]);
        let text = jsonata(r#""Type": "Pass", "End": true, "ResultPath": "$.r""#);
        assert_eq!(errors(&text), one(Code::WrongQueryLanguage, "/States/S/ResultPath"));
        let text = state(r#""Type": "Pass", "QueryLanguage": "JSONata", "End": true, "Output": 1"#);
        assert_eq!(errors(&text), vec![]);
        let text = state(
            r#""Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "T"}], "Default": "T"}, "T": {"Type": "Succeed""#,
        );
        assert_eq!(errors(&text), one(Code::WrongQueryLanguage, "/States/S/Choices/0/Condition"));
        let text = jsonata(&format!(
            r#"{TASK}, "Catch": [{{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "S"}}]"#
        ));
        assert_eq!(errors(&text), one(Code::WrongQueryLanguage, "/States/S/Catch/0/ResultPath"));
    }

    #[test]
    fn no_jsonpath_state_in_a_jsonata_machine() {
        let text = jsonata(r#""Type": "Pass", "End": true, "QueryLanguage": "JSONPath""#);
        assert_eq!(errors(&text), one(Code::QueryLanguageDowngrade, "/States/S/QueryLanguage"));
        assert!(
            diagnostics(&text)[0]
                .message
                .starts_with("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
        );
    }

    #[test]
    fn map_processor_config_and_mode() {
        let map = |config: &str, extra: &str| {
            state(&format!(
                r#""Type": "Map", "End": true{extra}, "ItemProcessor": {{"ProcessorConfig": {config}, "StartAt": "I", "States": {{"I": {{"Type": "Succeed"}}}}}}"#
            ))
        };
        let distributed = r#"{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}"#;
        let reader =
            r#", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"}}"#;
        assert_eq!(errors(&map(distributed, reader)), vec![]);
        assert_eq!(errors(&map(r#"{"Mode": "INLINE"}"#, reader)), one(Code::MapMode, "/States/S/ItemReader"));
        assert_eq!(errors(&map(r#"{"Mode": "INLINE"}"#, r#", "ToleratedFailureCount": 1"#)), vec![]);
        let text = map(r#"{"Mode": "DISTRIBUTD"}"#, "");
        assert_eq!(errors(&text), one(Code::InvalidEnumValue, "/States/S/ItemProcessor/ProcessorConfig/Mode"));
        assert_eq!(diagnostics(&text)[0].help.as_deref(), Some("did you mean `DISTRIBUTED`?"));
        let text = map(r#"{"Mode": "DISTRIBUTED", "ExecutionType": "FAST"}"#, "");
        assert_eq!(errors(&text), one(Code::InvalidEnumValue, "/States/S/ItemProcessor/ProcessorConfig/ExecutionType"));
        let text = map(r#"{"Mode": "DISTRIBUTED"}"#, "");
        assert_eq!(errors(&text), one(Code::MissingField, "/States/S/ItemProcessor/ProcessorConfig"));
        assert_eq!(errors(&map(distributed, r#", "ResultWriter": {}"#)), one(Code::MapMode, "/States/S/ResultWriter"));
    }

    #[test]
    fn a_distributed_maps_reader_batcher_and_writer_values() {
        let map = |extra: &str, ql: &str| {
            state(&format!(
                r#""Type": "Map", "End": true{ql}{extra}, "ItemProcessor": {{"ProcessorConfig": {{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}, "StartAt": "I", "States": {{"I": {{"Type": "Succeed"}}}}}}"#
            ))
        };
        let jsonpath = "";
        let good = r#", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["a", "b"], "CSVDelimiter": "PIPE", "MaxItems": 0}},
            "ItemBatcher": {"MaxItemsPerBatch": 10, "MaxInputBytesPerBatchPath": "$.bytes"},
            "ResultWriter": {"WriterConfig": {"OutputType": "JSONL", "Transformation": "FLATTEN"}}"#;
        assert_eq!(errors(&map(good, jsonpath)), vec![]);
        let text = map(
            r#", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "XML"}}"#,
            jsonpath,
        );
        assert_eq!(errors(&text), one(Code::InvalidEnumValue, "/States/S/ItemReader/ReaderConfig/InputType"));
        assert!(diagnostics(&text)[0].message.ends_with("(`ItemReader.ReaderConfig` of Map state `S`)"));
        let text = map(r#", "ItemReader": {"Resource": 1, "ReaderConfig": {"CSVHeaders": ["a", 2]}}"#, jsonpath);
        assert_eq!(
            errors(&text),
            [
                (Code::WrongType, "/States/S/ItemReader/Resource".to_owned()),
                (Code::WrongType, "/States/S/ItemReader/ReaderConfig/CSVHeaders/1".to_owned())
            ]
        );
        let text = map(r#", "ItemBatcher": {"MaxItemsPerBatch": "lots"}"#, jsonpath);
        assert_eq!(errors(&text), one(Code::WrongType, "/States/S/ItemBatcher/MaxItemsPerBatch"));
        let text = map(r#", "ItemBatcher": {"BatchInput": {"a": 1}}"#, jsonpath);
        assert_eq!(errors(&text), one(Code::MissingOneOf, "/States/S/ItemBatcher"));
        let text = map(r#", "ItemBatcher": {"MaxItemsPerBatch": 0}"#, jsonpath);
        assert_eq!(errors(&text), one(Code::OutOfRange, "/States/S/ItemBatcher/MaxItemsPerBatch"));
        let text =
            map(r#", "ItemBatcher": {"MaxInputBytesPerBatch": 10, "MaxInputBytesPerBatchPath": "$.b"}"#, jsonpath);
        assert_eq!(errors(&text), one(Code::ConflictingFields, "/States/S/ItemBatcher/MaxInputBytesPerBatchPath"));
        let text = map(r#", "ResultWriter": {"WriterConfig": {"Transformation": "FLATEN"}}"#, jsonpath);
        assert_eq!(errors(&text), one(Code::InvalidEnumValue, "/States/S/ResultWriter/WriterConfig/Transformation"));
        assert_eq!(diagnostics(&text)[0].help.as_deref(), Some("did you mean `FLATTEN`?"));
        // JSONata: numbers may be expressions.
        let jsonata = r#", "QueryLanguage": "JSONata""#;
        let text = map(r#", "ItemBatcher": {"MaxItemsPerBatch": "{% $states.input.n %}"}"#, jsonata);
        assert_eq!(errors(&text), vec![]);
    }
}
