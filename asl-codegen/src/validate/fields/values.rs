//! Values of fields: number ranges (rule 10), literal timestamps (14), `Credentials` (15),
//! Task `Resource` ARNs (17), Map `ProcessorConfig` enums and `Assign` variable names (21).
//!
//! Split from `fields` (which decides which fields a state may have) to keep both readable;
//! the checkers here that need no diagnostics context (`is_rfc3339`, `is_resource`) are pure
//! functions with their own tests.

use super::super::timestamp::is_rfc3339;
use crate::ast::{NumberOrExpr, ProcessorConfig, QueryLanguage, Spanned, State};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::node::{Node, pointer_push};

/// Largest `TimeoutSeconds`/`HeartbeatSeconds`/Wait `Seconds` AWS accepts.
const MAX_SECONDS: f64 = 99_999_999.0;

/// AWS's message for a Task `Resource` it does not know (after "The resource provided <arn>").
const UNRECOGNISED: &str = "is not recognized. The value is not a valid resource ARN, or the resource is not \
                            available in this region.";

const RESOURCE_HELP: &str = "expected e.g. `arn:aws:states:::lambda:invoke`, `arn:aws:states:::aws-sdk:s3:getObject`, \
                             a Lambda function ARN or an activity ARN";

/// Longest variable name AWS accepts, in characters.
const MAX_VARIABLE_NAME: usize = 80;

/// Whether a string is a JSONata expression: `{%` … `%}`.
pub(super) fn is_expression(s: &str) -> bool {
    s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}")
}

/// The `ProcessorConfig` of a Map state's processor, if it has one.
pub(super) fn processor_config(state: &State) -> Option<&Spanned<ProcessorConfig>> {
    state.item_processor.as_ref().and_then(|p| p.value.processor_config.as_ref())
}

/// Whether a Map runs in distributed mode (`ProcessorConfig.Mode` is `DISTRIBUTED`).
pub(super) fn is_distributed(state: &State) -> bool {
    processor_config(state).and_then(|c| c.value.mode.as_ref()).is_some_and(|m| m.value == "DISTRIBUTED")
}

/// What a numeric field must be (rule 10).
#[derive(Clone, Copy)]
pub(super) enum Range {
    /// An integer from 1 to 99 999 999 (timeouts, heartbeats).
    Positive,
    /// An integer from 0 to 99 999 999 (Wait `Seconds`).
    Seconds,
    /// An integer ≥ 0 (MaxConcurrency, ToleratedFailureCount).
    NonNegative,
    /// A number from 0 to 100 (ToleratedFailurePercentage).
    Percentage,
}

impl Range {
    fn accepts(self, v: f64, integer: bool) -> bool {
        match self {
            Range::Positive => integer && (1.0..=MAX_SECONDS).contains(&v),
            Range::Seconds => integer && (0.0..=MAX_SECONDS).contains(&v),
            Range::NonNegative => integer && v >= 0.0,
            Range::Percentage => (0.0..=100.0).contains(&v),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Range::Positive => "an integer from 1 to 99999999",
            Range::Seconds => "an integer from 0 to 99999999",
            Range::NonNegative => "a non-negative integer",
            Range::Percentage => "a number from 0 to 100",
        }
    }
}

/// Checks a numeric field; returns its literal value when it is a valid literal.
pub(super) fn number(
    field: &Spanned<NumberOrExpr>,
    key: &str,
    what: &str,
    ql: QueryLanguage,
    range: Range,
    diags: &mut Diagnostics,
) -> Option<f64> {
    match &field.value {
        NumberOrExpr::Number(n) => {
            let v = n.as_f64()?;
            // `5.0` is accepted as the integer 5: JSON does not distinguish the two.
            let integer = n.is_i64() || n.is_u64() || (v.is_finite() && v.fract() == 0.0);
            if range.accepts(v, integer) {
                return Some(v);
            }
            diags.push(
                Diagnostic::new(
                    Code::OutOfRange,
                    &field.pointer,
                    field.span,
                    format!("`{key}` of {what} must be {}, not {n}", range.describe()),
                )
                .with_label(format!("expected {}", range.describe())),
            );
            None
        }
        NumberOrExpr::Expr(s) if ql == QueryLanguage::Jsonata && is_expression(s) => None,
        NumberOrExpr::Expr(_) => {
            let (expected, help) = match ql {
                QueryLanguage::Jsonata => ("a number or a JSONata `{% %}` expression", None),
                QueryLanguage::JsonPath => (
                    "a number",
                    Some(format!(
                        "to read the value from the input use `{key}Path`; \
                         JSONata `{{% %}}` expressions need `\"QueryLanguage\": \"JSONata\"`"
                    )),
                ),
            };
            let mut d = Diagnostic::new(
                Code::WrongType,
                &field.pointer,
                field.span,
                format!("`{key}` of {what} must be {expected}, but is a string"),
            )
            .with_label(format!("expected {expected}"));
            if let Some(help) = help {
                d = d.with_help(help);
            }
            diags.push(d);
            None
        }
    }
}

/// Rule 10 (timeouts), 15 (`Credentials`) and 17 (`Resource`) for a Task state.
pub(super) fn task(state: &State, ql: QueryLanguage, what: &str, diags: &mut Diagnostics) {
    let timeout =
        state.timeout_seconds.as_ref().and_then(|t| number(t, "TimeoutSeconds", what, ql, Range::Positive, diags));
    let heartbeat =
        state.heartbeat_seconds.as_ref().and_then(|h| number(h, "HeartbeatSeconds", what, ql, Range::Positive, diags));
    if let (Some(t), Some(h), Some(field)) = (timeout, heartbeat, &state.heartbeat_seconds)
        && h >= t
    {
        diags.push(
            Diagnostic::new(
                Code::HeartbeatNotBelowTimeout,
                &field.pointer,
                field.span,
                format!("`HeartbeatSeconds` ({h}) of {what} must be smaller than its `TimeoutSeconds` ({t})"),
            )
            .with_label(format!("must be below {t}"))
            .with_help("a heartbeat that is not shorter than the timeout can never fire"),
        );
    }
    if let Some(resource) = &state.resource
        && !is_resource(&resource.value)
    {
        let mut d = Diagnostic::new(
            Code::InvalidResource,
            &resource.pointer,
            resource.span,
            format!("The resource provided {} {UNRECOGNISED} (in {what})", resource.value),
        )
        .with_label("not a Task resource ARN");
        d = if resource.value.starts_with('$') || is_expression(&resource.value) {
            d.with_note("`Resource` must be a literal ARN; paths and JSONata expressions are not evaluated here")
        } else {
            d.with_help(RESOURCE_HELP)
        };
        diags.push(d);
    }
    if let Some(credentials) = &state.credentials {
        let has = |k: &str| credentials.value.get(k).is_some();
        let ok = has("RoleArn") || (ql == QueryLanguage::JsonPath && has("RoleArn.$"));
        if !ok {
            let help = if has("RoleArn.$") {
                "JSONata states write `\"RoleArn\": \"{% … %}\"` instead of `RoleArn.$`"
            } else {
                "add `\"RoleArn\"`: the ARN of the IAM role the task assumes"
            };
            diags.push(
                Diagnostic::new(
                    Code::MissingField,
                    &credentials.pointer,
                    credentials.span,
                    format!("The field 'RoleArn' is required but was missing (`Credentials` of {what})"),
                )
                .with_label("no `RoleArn`")
                .with_help(help),
            );
        }
    }
}

/// Rule 10 (`Seconds`) and 14 (literal `Timestamp`) for a Wait state.
pub(super) fn wait(state: &State, ql: QueryLanguage, what: &str, diags: &mut Diagnostics) {
    if let Some(seconds) = &state.seconds {
        number(seconds, "Seconds", what, ql, Range::Seconds, diags);
    }
    if let Some(ts) = &state.timestamp {
        let dynamic = ql == QueryLanguage::Jsonata && is_expression(&ts.value);
        if !dynamic && !is_rfc3339(&ts.value) {
            diags.push(
                Diagnostic::new(
                    Code::InvalidTimestamp,
                    &ts.pointer,
                    ts.span,
                    format!("String does not match RFC3339 timestamp: `Timestamp` of {what} is {:?}", ts.value),
                )
                .with_label("not an RFC 3339 timestamp")
                .with_help(
                    "write e.g. `2030-01-31T23:59:59Z` or `2030-01-31T23:59:59.5+01:00` (uppercase `T` and `Z`)",
                ),
            );
        }
    }
}

/// Rule 10 for Map numbers, the `ProcessorConfig` enums, and a Distributed Map's reader,
/// batcher and writer.
pub(super) fn map(state: &State, ql: QueryLanguage, what: &str, diags: &mut Diagnostics) {
    super::distributed::check(state, ql, what, diags);
    if let Some(m) = &state.max_concurrency {
        number(m, "MaxConcurrency", what, ql, Range::NonNegative, diags);
    }
    if let Some(p) = &state.tolerated_failure_percentage {
        number(p, "ToleratedFailurePercentage", what, ql, Range::Percentage, diags);
    }
    if let Some(c) = &state.tolerated_failure_count {
        number(c, "ToleratedFailureCount", what, ql, Range::NonNegative, diags);
    }

    if let Some(config) = processor_config(state) {
        let pc = &config.value;
        let owner = format!("`ProcessorConfig` of {what}");
        if let Some(mode) = &pc.mode {
            enum_value(mode, "Mode", &["INLINE", "DISTRIBUTED"], &owner, diags);
        }
        if let Some(et) = &pc.execution_type {
            enum_value(et, "ExecutionType", &["STANDARD", "EXPRESS"], &owner, diags);
        } else if is_distributed(state) {
            diags.push(
                Diagnostic::new(
                    Code::MissingField,
                    &config.pointer,
                    config.key_span,
                    format!("These fields are required: [ExecutionType] in the `ProcessorConfig` of {what}"),
                )
                .with_label("DISTRIBUTED without `ExecutionType`")
                .with_help(
                    "add `\"ExecutionType\": \"STANDARD\"` or `\"EXPRESS\"`: the kind of child executions to start",
                ),
            );
        }
    }
}

/// `value` of field `key` (of `owner`: "`ProcessorConfig` of state `M`") as one of `allowed`.
pub(super) fn enum_value(value: &Spanned<String>, key: &str, allowed: &[&str], owner: &str, diags: &mut Diagnostics) {
    if allowed.contains(&value.value.as_str()) {
        return;
    }
    let mut d = Diagnostic::new(
        Code::InvalidEnumValue,
        &value.pointer,
        value.span,
        format!(
            "The field '{key}' should have one of these values: [{}], not {:?} ({owner})",
            allowed.join(", "),
            value.value
        ),
    )
    .with_label("unknown value");
    if let Some(close) = did_you_mean(&value.value, allowed.iter().copied()) {
        d = d.with_help(format!("did you mean `{close}`?"));
    }
    diags.push(d);
}

/// Rule 21: `Assign` keys are variable names — a Unicode identifier of at most 80
/// characters, not `states`. In JSONPath states a key may end in `.$` (its value is a path).
pub(super) fn variables(assign: &Spanned<Node>, ql: QueryLanguage, what: &str, diags: &mut Diagnostics) {
    for member in assign.value.as_object().unwrap_or(&[]) {
        let key = member.key.as_str();
        let name = match ql {
            QueryLanguage::JsonPath => key.strip_suffix(".$").unwrap_or(key),
            QueryLanguage::Jsonata => key,
        };
        let problem = if name == "states" {
            Some("`states` is reserved".to_string())
        } else if name.chars().count() > MAX_VARIABLE_NAME {
            Some(format!("variable names have at most {MAX_VARIABLE_NAME} characters"))
        } else if !is_identifier(name) {
            Some("a variable name starts with a letter and continues with letters, digits and `_`".to_string())
        } else {
            None
        };
        let Some(problem) = problem else { continue };
        let mut d = Diagnostic::new(
            Code::InvalidVariableName,
            pointer_push(&assign.pointer, key),
            member.key_span,
            format!("`{name}` in `Assign` of {what} is not a valid variable name: {problem}"),
        )
        .with_label("invalid variable name");
        if ql == QueryLanguage::Jsonata && key.ends_with(".$") {
            d = d.with_help("JSONata states do not use `.$`; write the value as a `{% … %}` expression");
        }
        diags.push(d);
    }
}

/// A Unicode identifier (UAX #31: ID_Start then ID_Continue), approximated with the standard
/// library's properties: a letter first (so not `_` or a digit, as AWS requires), then
/// letters, digits or `_`. Exact for ASCII.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Rule 17: the forms of Task `Resource` AWS recognises. The structure is checked, not the
/// list of services and APIs (which grows every month).
fn is_resource(resource: &str) -> bool {
    let parts: Vec<&str> = resource.split(':').collect();
    let [arn, partition, service, region, account, rest @ ..] = parts.as_slice() else { return false };
    if *arn != "arn" || !is_partition(partition) {
        return false;
    }
    match (*service, rest) {
        // arn:aws:states:::lambda:invoke[.sync|.waitForTaskToken], …:startExecution.sync:2.
        // The console's exported definitions write a region and an account
        // (arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject), and the service
        // accepts them: both empty, or both well formed.
        ("states", [integration, api, tail @ ..])
            if *integration != "activity"
                && ((region.is_empty() && account.is_empty()) || (is_region(region) && is_account(account))) =>
        {
            if *integration == "aws-sdk" {
                // arn:aws:states:::aws-sdk:<service>:<action>[.waitForTaskToken] (no `.sync`)
                return match tail {
                    [action] => is_word(api, true) && api_with_suffix(action, &["", ".waitForTaskToken"]),
                    _ => false,
                };
            }
            let suffixes: &[&str] = match tail {
                [] => &["", ".sync", ".waitForTaskToken"],
                ["2"] => &[".sync"],
                _ => return false,
            };
            is_word(integration, true) && api_with_suffix(api, suffixes)
        }
        // arn:aws:states:<region>:<account>:activity:<name>
        ("states", ["activity", name]) => {
            is_region(region) && is_account(account) && !name.is_empty() && name.chars().count() <= 80
        }
        // arn:aws:lambda:<region>:<account>:function:<name>[:<version or alias>]
        ("lambda", ["function", name, qualifier @ ..]) => {
            let qualifier_ok = match qualifier {
                [] => true,
                [q] => *q == "$LATEST" || is_word(q, false),
                _ => false,
            };
            is_region(region) && is_account(account) && is_word(name, false) && name.len() <= 64 && qualifier_ok
        }
        _ => false,
    }
}

/// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, …
fn is_partition(p: &str) -> bool {
    p.strip_prefix("aws").is_some_and(|rest| {
        rest.split('-').skip(1).all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
            && (rest.is_empty() || rest.starts_with('-'))
    })
}

/// `us-east-1`, `us-gov-west-1`, `eusc-de-east-1`, …: lowercase words and digits joined by `-`.
fn is_region(r: &str) -> bool {
    r.starts_with(|c: char| c.is_ascii_lowercase())
        && r.split('-').count() >= 2
        && r.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

fn is_account(a: &str) -> bool {
    a.len() == 12 && a.chars().all(|c| c.is_ascii_digit())
}

/// A service name (`lowercase` = true: lowercase letters, digits, `-`) or a Lambda name
/// (letters, digits, `-`, `_`).
fn is_word(w: &str, lowercase: bool) -> bool {
    !w.is_empty()
        && w.chars().all(|c| {
            if lowercase {
                c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
            } else {
                c.is_ascii_alphanumeric() || c == '-' || c == '_'
            }
        })
        && !w.starts_with('-')
}

/// An API name (`invoke`, `startExecution`, `getObject`) followed by one of `suffixes`.
fn api_with_suffix(api: &str, suffixes: &[&str]) -> bool {
    let (name, suffix) = match api.find('.') {
        Some(i) => api.split_at(i),
        None => (api, ""),
    };
    suffixes.contains(&suffix)
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::fields::tests::{TASK, diagnostics, errors, jsonata, one, state};

    #[test]
    fn numbers_may_be_expressions_only_in_jsonata() {
        assert_eq!(errors(&jsonata(&format!(r#"{TASK}, "TimeoutSeconds": "{{% $t %}}""#))), vec![]);
        let text = state(&format!(r#"{TASK}, "TimeoutSeconds": "{{% $t %}}""#));
        assert_eq!(errors(&text), one(Code::WrongType, "/States/S/TimeoutSeconds"));
        let text = jsonata(&format!(r#"{TASK}, "TimeoutSeconds": "10""#));
        assert_eq!(errors(&text), one(Code::WrongType, "/States/S/TimeoutSeconds"));
    }

    #[test]
    fn numbers_are_in_range() {
        let bad = [
            (format!(r#"{TASK}, "TimeoutSeconds": 0"#), "/States/S/TimeoutSeconds"),
            (format!(r#"{TASK}, "TimeoutSeconds": 100000000"#), "/States/S/TimeoutSeconds"),
            (format!(r#"{TASK}, "HeartbeatSeconds": 1.5"#), "/States/S/HeartbeatSeconds"),
            (r#""Type": "Wait", "Seconds": -1, "End": true"#.to_string(), "/States/S/Seconds"),
        ];
        for (fields, pointer) in bad {
            assert_eq!(errors(&state(&fields)), one(Code::OutOfRange, pointer), "{fields}");
        }
        assert_eq!(errors(&state(r#""Type": "Wait", "Seconds": 0, "End": true"#)), vec![]);
        assert_eq!(
            errors(r#"{"TimeoutSeconds": 0, "StartAt": "S", "States": {"S": {"Type": "Succeed"}}}"#),
            one(Code::OutOfRange, "/TimeoutSeconds")
        );
        let text = state(&format!(r#"{TASK}, "TimeoutSeconds": 10, "HeartbeatSeconds": 10"#));
        assert_eq!(errors(&text), one(Code::HeartbeatNotBelowTimeout, "/States/S/HeartbeatSeconds"));
        assert_eq!(errors(&state(&format!(r#"{TASK}, "TimeoutSeconds": 10, "HeartbeatSeconds": 9"#))), vec![]);
    }

    #[test]
    fn map_numbers_are_in_range() {
        let map = |extra: &str| {
            state(&format!(
                r#""Type": "Map", "End": true, {extra}, "ItemProcessor": {{"StartAt": "I", "States": {{"I": {{"Type": "Succeed"}}}}}}"#
            ))
        };
        assert_eq!(errors(&map(r#""MaxConcurrency": 0, "ToleratedFailurePercentage": 0.5"#)), vec![]);
        assert_eq!(errors(&map(r#""MaxConcurrency": -1"#)), one(Code::OutOfRange, "/States/S/MaxConcurrency"));
        assert_eq!(
            errors(&map(r#""ToleratedFailurePercentage": 101"#)),
            one(Code::OutOfRange, "/States/S/ToleratedFailurePercentage")
        );
        assert_eq!(
            errors(&map(r#""ToleratedFailureCount": -1"#)),
            one(Code::OutOfRange, "/States/S/ToleratedFailureCount")
        );
    }

    #[test]
    fn literal_timestamps_are_rfc3339() {
        let wait = |ts: &str| state(&format!(r#""Type": "Wait", "Timestamp": "{ts}", "End": true"#));
        assert_eq!(errors(&wait("2016-03-05T21:29:29.243167252Z")), vec![]);
        assert_eq!(errors(&wait("2016-03-14t01:59:00z")), one(Code::InvalidTimestamp, "/States/S/Timestamp"));
        let text = jsonata(r#""Type": "Wait", "Timestamp": "{% $states.input.t %}", "End": true"#);
        assert_eq!(errors(&text), vec![]);
    }

    #[test]
    fn rfc3339_checker() {
        for ok in
            ["2024-02-29T00:00:00Z", "2000-02-29T23:59:59.1+05:30", "1999-12-31T23:59:60Z", "2016-03-14T01:59:00-08:00"]
        {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+0100",
            "2024-01-01T00:00:00Zjunk",
            "2024-01-01T12:00:60Z",
            "2024-1-01T00:00:00Z",
            "",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn credentials_need_a_role_arn() {
        let text = jsonata(&format!(r#"{TASK}, "Credentials": {{}}"#));
        assert_eq!(errors(&text), one(Code::MissingField, "/States/S/Credentials"));
        assert!(diagnostics(&text)[0].message.starts_with("The field 'RoleArn' is required but was missing"));
        assert_eq!(errors(&state(&format!(r#"{TASK}, "Credentials": {{"RoleArn.$": "$.role"}}"#))), vec![]);
        assert_eq!(errors(&jsonata(&format!(r#"{TASK}, "Credentials": {{"RoleArn": "{{% $r %}}"}}"#))), vec![]);
    }

    #[test]
    fn resources_are_recognised() {
        for ok in [
            "arn:aws:states:::lambda:invoke",
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "arn:aws:states:::states:startExecution.sync:2",
            "arn:aws:states:::ecs:runTask.sync",
            "arn:aws:states:::emr-serverless:startJobRun.sync",
            "arn:aws:states:::http:invoke",
            "arn:aws:states:::aws-sdk:s3:listBuckets.waitForTaskToken",
            "arn:aws-cn:states:::aws-sdk:dynamodb:putItem",
            "arn:aws:lambda:us-east-1:111111111111:function:my_fn-1",
            "arn:aws:lambda:us-gov-west-1:111111111111:function:fn:$LATEST",
            "arn:aws:lambda:eu-west-1:111111111111:function:fn:prod",
            "arn:aws:states:us-east-1:111111111111:activity:activity-1",
            // As the console exports them: with the region and account.
            "arn:aws:states:us-east-1:123456789012:aws-sdk:s3:getObject",
            "arn:aws:states:eu-west-1:123456789012:athena:startQueryExecution.sync",
            "arn:aws:states:us-east-1:123456789012:states:startExecution.sync:2",
        ] {
            assert!(is_resource(ok), "{ok}");
        }
        for bad in [
            "lambda:invoke",
            "arn:aws:states:::lambda",
            "arn:aws:states:::lambda:invoke.sync:3",
            "arn:aws:states:::lambda:invoke.wait",
            "arn:aws:states:::aws-sdk:s3:getObject.sync",
            "arn:aws:states:us-east-1::lambda:invoke",
            "arn:aws:states::123456789012:lambda:invoke",
            "arn:aws:states:us-east-1:1234:aws-sdk:s3:getObject",
            "arn:aws:lambda:us-east-1:1111:function:fn",
            "arn:aws:lambda:us-east-1:111111111111:layer:fn",
            "arn:aws:states:us-east-1:111111111111:stateMachine:sm",
            "arn:azure:states:::lambda:invoke",
            "$.resource",
        ] {
            assert!(!is_resource(bad), "{bad}");
        }
        let text = state(r#""Type": "Task", "Resource": "arn:aws:states:::dynamodb", "End": true"#);
        assert_eq!(errors(&text), one(Code::InvalidResource, "/States/S/Resource"));
        assert!(diagnostics(&text)[0].message.starts_with(
            "The resource provided arn:aws:states:::dynamodb is not recognized. The value is not a valid resource ARN"
        ));
    }

    #[test]
    fn assign_keys_are_variable_names() {
        let pass = |assign: &str| state(&format!(r#""Type": "Pass", "End": true, "Assign": {assign}"#));
        assert_eq!(errors(&pass(r#"{"x": 1, "ünï2_c": 2, "y.$": "$.y"}"#)), vec![]);
        assert_eq!(errors(&pass(r#"{"states": 1}"#)), one(Code::InvalidVariableName, "/States/S/Assign/states"));
        assert_eq!(errors(&pass(r#"{"_x": 1}"#)), one(Code::InvalidVariableName, "/States/S/Assign/_x"));
        assert_eq!(errors(&pass(r#"{"a-b": 1}"#)), one(Code::InvalidVariableName, "/States/S/Assign/a-b"));
        let text = jsonata(r#""Type": "Pass", "End": true, "Assign": {"y.$": "$.y"}"#);
        assert_eq!(errors(&text), one(Code::InvalidVariableName, "/States/S/Assign/y.$"));
        let long = "v".repeat(81);
        assert_eq!(
            errors(&pass(&format!(r#"{{"{long}": 1}}"#))),
            one(Code::InvalidVariableName, &format!("/States/S/Assign/{long}"))
        );
    }
}
