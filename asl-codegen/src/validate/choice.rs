//! Rule 11: the shape of Choice rules and the types of their operands.
//!
//! A JSONPath Choice rule is either a *comparison* (`Variable` plus exactly one operator) or a
//! *boolean expression* (`And`/`Or` with a non-empty array of rules, or `Not` with one rule).
//! Top-level rules (members of `Choices`) need `Next`; nested rules must not have `Next`,
//! `Assign` or `Output`. A JSONata rule has a `Condition` instead, and none of the JSONPath
//! fields. Path syntax (of `Variable` and of the `…Path` operands) is checked with the shared
//! path checker of `paths`, so that every path diagnostic looks the same.
//!
//! Recursion over `And`/`Or`/`Not` is plain recursion: both readers (JSON and YAML) refuse
//! documents nested deeper than [`crate::json::MAX_DEPTH`] levels, which bounds it here too.

use super::paths::{self, PathRule};
use super::timestamp::is_rfc3339;
use super::{Context, walk};
use crate::ast::{ChoiceRule, Comparison, OperandKind, Operator, QueryLanguage, Spanned, StateMachine, StateType};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::node::{Node, NodeValue};

pub(super) fn check(machine: &StateMachine, cx: &Context, diags: &mut Diagnostics) {
    walk(machine, &mut |state| {
        // `Choices` on another state type is reported by `fields`; its content is not ours.
        if state.ty() != Some(StateType::Choice) {
            return;
        }
        let Some(choices) = &state.choices else { return };
        let mut rc = RuleCheck { state: &state.name.value, diags };
        for rule in &choices.value {
            match cx.query_language(state) {
                QueryLanguage::JsonPath => rc.jsonpath_rule(rule, true),
                QueryLanguage::Jsonata => rc.jsonata_rule(rule),
            }
        }
    });
}

/// Checks the rules of one Choice state.
struct RuleCheck<'a> {
    /// The state's name, for messages.
    state: &'a str,
    diags: &'a mut Diagnostics,
}

impl RuleCheck<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Every top-level rule (JSONPath or JSONata) needs a `Next`.
    fn require_next(&mut self, rule: &ChoiceRule) {
        if rule.next.is_none() {
            let state = self.state;
            self.push(
                Diagnostic::new(
                    Code::ChoiceRuleNext,
                    &rule.pointer,
                    rule.span,
                    format!("A Choice rule of state `{state}` has no `Next`; every rule in `Choices` needs one"),
                )
                .with_label("missing `Next`"),
            );
        }
    }

    /// A JSONPath rule, at the top level of `Choices` or nested in `And`/`Or`/`Not`.
    fn jsonpath_rule(&mut self, rule: &ChoiceRule, top_level: bool) {
        let state = self.state;
        // `Condition` and `Output` in a JSONPath rule are query-language errors reported by
        // `fields`, at every nesting level.
        if top_level {
            self.require_next(rule);
        } else {
            self.nested_only_fields(rule);
        }

        let booleans: Vec<&'static str> =
            [("And", rule.and.is_some()), ("Or", rule.or.is_some()), ("Not", rule.not.is_some())]
                .into_iter()
                .filter_map(|(k, present)| present.then_some(k))
                .collect();
        let is_comparison = rule.variable.is_some() || !rule.comparisons.is_empty();

        if booleans.len() > 1 || (!booleans.is_empty() && is_comparison) {
            self.mixed_forms(rule, &booleans, is_comparison);
        } else if is_comparison {
            self.comparison(rule);
        } else if booleans.is_empty() && rule.condition.is_none() {
            // (A lone `Condition` was reported above as a JSONata field; saying that the rule
            // tests nothing as well would repeat it.)
            self.push(
                Diagnostic::new(
                    Code::ChoiceOperator,
                    &rule.pointer,
                    rule.span,
                    format!(
                        "A Choice rule of state `{state}` tests nothing: it needs `Variable` with a comparison operator, or `And`, `Or` or `Not`"
                    ),
                )
                .with_label("no comparison"),
            );
        }

        for list in [&rule.and, &rule.or].into_iter().flatten() {
            self.non_empty(list);
            for nested in &list.value {
                self.jsonpath_rule(nested, false);
            }
        }
        if let Some(not) = &rule.not {
            self.jsonpath_rule(&not.value, false);
        }
    }

    /// Fields a nested rule (inside `And`/`Or`/`Not`) must not have.
    fn nested_only_fields(&mut self, rule: &ChoiceRule) {
        let state = self.state;
        if let Some(next) = &rule.next {
            self.push(
                Diagnostic::new(
                    Code::ChoiceRuleNext,
                    &next.pointer,
                    next.key_span,
                    format!("A nested Choice rule of state `{state}` has `Next`; only rules directly in `Choices` transition"),
                )
                .with_label("not allowed in a nested rule")
                .with_help("move `Next` to the enclosing top-level rule"),
            );
        }
        // (`Output` is JSONata-only while nested rules exist only in JSONPath, so it is a
        // query-language error, reported by `fields`.)
        if let Some(assign) = &rule.assign {
            self.push(
                Diagnostic::new(
                    Code::FieldNotSupported,
                    &assign.pointer,
                    assign.key_span,
                    format!("Field 'Assign' is not supported in a nested Choice rule of state `{state}`"),
                )
                .with_label("only allowed in top-level rules"),
            );
        }
    }

    /// A rule that is more than one of: a comparison, `And`, `Or`, `Not`.
    fn mixed_forms(&mut self, rule: &ChoiceRule, booleans: &[&str], is_comparison: bool) {
        let state = self.state;
        let mut forms: Vec<String> = booleans.iter().map(|k| format!("`{k}`")).collect();
        if is_comparison {
            forms.push("a comparison".to_string());
        }
        // Point at the second form, the one that makes the rule ambiguous.
        let second = booleans.get(1).copied().or(booleans.first().copied());
        let key_span =
            second.and_then(|k| rule.keys.iter().find(|key| key.value == k)).map_or(rule.span, |k| k.key_span);
        self.push(
            Diagnostic::new(
                Code::ChoiceOperator,
                &rule.pointer,
                key_span,
                format!(
                    "A Choice rule of state `{state}` combines {}; a rule must be exactly one of them",
                    forms.join(" and ")
                ),
            )
            .with_label("second form in the same rule")
            .with_help("wrap the tests in `And`/`Or`, each one as its own nested rule"),
        );
    }

    /// `And`/`Or` must list at least one rule.
    fn non_empty(&mut self, list: &Spanned<Vec<ChoiceRule>>) {
        if list.value.is_empty() {
            let field = list.pointer.rsplit('/').next().unwrap_or("And");
            self.push(
                Diagnostic::new(
                    Code::EmptyValue,
                    &list.pointer,
                    list.span,
                    format!(
                        "Value cannot be empty: `{field}` of a Choice rule in state `{}` needs at least one rule",
                        self.state
                    ),
                )
                .with_label("empty"),
            );
        }
    }

    /// `Variable` plus exactly one operator.
    fn comparison(&mut self, rule: &ChoiceRule) {
        let state = self.state;
        match &rule.variable {
            Some(variable) => {
                let what = format!("`Variable` of a Choice rule in state `{state}`");
                paths::check_path(&variable.value, PathRule::Path, &variable.pointer, variable.span, &what, self.diags);
            }
            None => {
                let op_span = rule.comparisons.first().map_or(rule.span, |c| c.operand.key_span);
                self.push(
                    Diagnostic::new(
                        Code::ChoiceOperator,
                        &rule.pointer,
                        op_span,
                        format!(
                            "A Choice rule of state `{state}` has a comparison operator but no `Variable` to compare"
                        ),
                    )
                    .with_label("compares what?")
                    .with_help("add `\"Variable\": \"$.field\"` naming the value to test"),
                );
            }
        }
        match rule.comparisons.as_slice() {
            [] => {
                let span = rule.variable.as_ref().map_or(rule.span, |v| v.key_span);
                self.push(
                    Diagnostic::new(
                        Code::ChoiceOperator,
                        &rule.pointer,
                        span,
                        format!("A Choice rule of state `{state}` has a `Variable` but no comparison operator"),
                    )
                    .with_label("no operator")
                    .with_help("add one operator such as `StringEquals`, `NumericGreaterThan` or `IsPresent`"),
                );
            }
            [only] => self.operand(only),
            [first, rest @ ..] => {
                for extra in rest {
                    self.push(
                        Diagnostic::new(
                            Code::ChoiceOperator,
                            &extra.operand.pointer,
                            extra.operand.key_span,
                            format!(
                                "Each Choice Rule can only have one comparison operator: this rule of state `{state}` has `{}` and `{}`",
                                key_name(first),
                                key_name(extra)
                            ),
                        )
                        .with_label("second operator")
                        .with_help("combine several comparisons with `And` or `Or`"),
                    );
                }
                // The operands are still checked, so a second run does not bring new errors.
                for c in rule.comparisons.iter() {
                    self.operand(c);
                }
            }
        }
    }

    /// The operand of one comparison has the type its operator takes.
    fn operand(&mut self, c: &Comparison) {
        let state = self.state;
        let key = key_name(c);
        let operand = &c.operand;
        let what = format!("`{key}` of a Choice rule in state `{state}`");
        if c.is_path {
            match operand.value.as_str() {
                Some(path) => {
                    paths::check_path(path, PathRule::Reference, &operand.pointer, operand.span, &what, self.diags);
                }
                None => self.operand_type(c, "a path string such as \"$.other\""),
            }
            return;
        }
        match (c.operator.operand(), &operand.value.value) {
            (OperandKind::String, NodeValue::String(pattern)) => {
                if c.operator == Operator::StringMatches {
                    self.string_matches(c, pattern);
                }
            }
            (OperandKind::Number, NodeValue::Number(_)) | (OperandKind::Boolean, NodeValue::Bool(_)) => {}
            (OperandKind::Timestamp, NodeValue::String(s)) => {
                if !is_rfc3339(s) {
                    self.push(
                        Diagnostic::new(
                            Code::InvalidTimestamp,
                            &operand.pointer,
                            operand.span,
                            format!("String does not match RFC3339 timestamp: {what} is {s:?}"),
                        )
                        .with_label("not an RFC 3339 timestamp")
                        .with_help("write it like \"2016-03-14T01:59:00Z\" (uppercase `T`, and `Z` or an offset like `+01:00`)"),
                    );
                }
            }
            (OperandKind::String, _) => self.operand_type(c, "a string"),
            (OperandKind::Number, _) => self.operand_type(c, "a number"),
            (OperandKind::Boolean, _) => self.operand_type(c, "a boolean"),
            (OperandKind::Timestamp, _) => self.operand_type(c, "an RFC 3339 timestamp string"),
        }
    }

    fn operand_type(&mut self, c: &Comparison, expected: &str) {
        let key = key_name(c);
        let operand = &c.operand;
        let mut d = Diagnostic::new(
            Code::ChoiceOperandType,
            &operand.pointer,
            operand.span,
            format!(
                "`{key}` of a Choice rule in state `{}` must be {expected}, but is {}",
                self.state,
                operand.value.type_name()
            ),
        )
        .with_label(format!("expected {expected}"));
        // A literal where a path was meant, or the other way round, is the usual slip.
        if !c.is_path && c.operator.has_path_variant() && operand.value.as_str().is_some_and(|s| s.starts_with('$')) {
            d = d.with_help(format!("to compare with another value of the input, use `{key}Path`"));
        }
        self.push(d);
    }

    /// `StringMatches` patterns may escape only `*` and `\`; the specification makes any
    /// other backslash an error ("open escape").
    fn string_matches(&mut self, c: &Comparison, pattern: &str) {
        let mut chars = pattern.char_indices();
        while let Some((i, ch)) = chars.next() {
            if ch != '\\' {
                continue;
            }
            match chars.next() {
                Some((_, '*' | '\\')) => {}
                next => {
                    let shown = next.map_or_else(|| "the end of the pattern".to_string(), |(_, n)| format!("`{n}`"));
                    let span = paths::inner_span(c.operand.span, pattern, i, 1);
                    self.push(
                        Diagnostic::new(
                            Code::ChoiceOperandType,
                            &c.operand.pointer,
                            span,
                            format!(
                                "`StringMatches` of a Choice rule in state `{}` has a backslash before {shown}; only `\\*` and `\\\\` are escapes",
                                self.state
                            ),
                        )
                        .with_label("open escape")
                        .with_help("write a literal backslash as `\\\\` (in JSON: \"\\\\\\\\\")"),
                    );
                    return;
                }
            }
        }
    }

    /// A rule of a JSONata Choice state: `Condition`, and no JSONPath rule fields.
    fn jsonata_rule(&mut self, rule: &ChoiceRule) {
        let state = self.state;
        let mut jsonpath_fields = 0;
        for key in &rule.keys {
            let is_jsonpath = matches!(key.value.as_str(), "Variable" | "And" | "Or" | "Not")
                || Operator::from_key(&key.value).is_some();
            if is_jsonpath {
                jsonpath_fields += 1;
                self.push(
                    Diagnostic::new(
                        Code::WrongQueryLanguage,
                        &key.pointer,
                        key.key_span,
                        format!(
                            "The QueryLanguage of state `{state}` is set to 'JSONata', but field '{}' of its Choice rules is only supported for the 'JSONPath' QueryLanguage",
                            key.value
                        ),
                    )
                    .with_label("JSONPath only")
                    .with_help("in JSONata, write the test as `\"Condition\": \"{% … %}\"`"),
                );
            }
        }
        self.require_next(rule);
        match &rule.condition {
            // Someone who wrote a JSONPath rule has been told above; a missing `Condition`
            // on top of that would say the same thing twice.
            None if jsonpath_fields > 0 => {}
            None => self.push(
                Diagnostic::new(
                    Code::MissingField,
                    &rule.pointer,
                    rule.span,
                    format!("These fields are required: [Condition] (a Choice rule of JSONata state `{state}`)"),
                )
                .with_label("missing `Condition`"),
            ),
            Some(condition) => match &condition.value.value {
                NodeValue::Bool(_) => {}
                // Delimiters and contents of `{% … %}` are checked with the other JSONata
                // fields in `paths`; a string that is not an expression at all is ours.
                NodeValue::String(s) if s.starts_with("{%") || s.ends_with("%}") => {}
                _ => self.push(
                    Diagnostic::new(
                        Code::ChoiceOperandType,
                        &condition.pointer,
                        condition.span,
                        format!(
                            "`Condition` of a Choice rule in state `{state}` must be a JSONata expression \"{{% … %}}\" or a boolean, but is {}",
                            describe(&condition.value)
                        ),
                    )
                    .with_label("not an expression")
                    .with_help("wrap the test in `{%` and `%}`, e.g. \"{% $states.input.ok %}\""),
                ),
            },
        }
    }
}

/// The operator key as written (`NumericEqualsPath`).
fn key_name(c: &Comparison) -> String {
    if c.is_path { format!("{}Path", c.operator.as_str()) } else { c.operator.as_str().to_string() }
}

/// A short description of a value for messages: strings are quoted, others named by type.
fn describe(value: &Node) -> String {
    match &value.value {
        NodeValue::String(s) => format!("the string {s:?}"),
        _ => value.type_name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::paths::test_support::diagnostics;

    /// (code, pointer) of every diagnostic reported for a definition.
    fn diags(text: &str) -> Vec<(Code, String)> {
        diagnostics(text).into_iter().map(|d| (d.code, d.pointer)).collect()
    }

    fn choice(rules: &str) -> String {
        format!(
            r#"{{"StartAt": "C", "States": {{
                "C": {{"Type": "Choice", "Choices": {rules}, "Default": "D"}},
                "D": {{"Type": "Succeed"}}, "E": {{"Type": "Succeed"}}}}}}"#
        )
    }

    fn jsonata_choice(rules: &str) -> String {
        format!(
            r#"{{"QueryLanguage": "JSONata", "StartAt": "C", "States": {{
                "C": {{"Type": "Choice", "Choices": {rules}, "Default": "D"}},
                "D": {{"Type": "Succeed"}}, "E": {{"Type": "Succeed"}}}}}}"#
        )
    }

    fn has(found: &[(Code, String)], code: Code, pointer: &str) -> bool {
        found.iter().any(|(c, p)| *c == code && p == pointer)
    }

    const MINE: [Code; 5] = [
        Code::ChoiceOperator,
        Code::ChoiceRuleNext,
        Code::ChoiceOperandType,
        Code::InvalidTimestamp,
        Code::WrongQueryLanguage,
    ];

    fn none_of_mine(found: &[(Code, String)]) -> bool {
        !found.iter().any(|(c, _)| MINE.contains(c))
    }

    #[test]
    fn accepts_well_formed_rules() {
        let found = diags(&choice(
            r#"[{"Variable": "$.x", "NumericEquals": 1, "Next": "E"},
                {"Not": {"Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00.5+01:00"}, "Next": "E"},
                {"And": [{"Variable": "$.a", "IsPresent": true}, {"Variable": "$$.Execution.Id", "StringMatches": "a\\*b*"}], "Next": "E"},
                {"Variable": "$v", "StringEqualsPath": "$.other", "Next": "E"}]"#,
        ));
        assert!(none_of_mine(&found), "{found:?}");
    }

    #[test]
    fn two_operators_are_rejected() {
        let found = diags(&choice(r#"[{"Variable": "$.x", "NumericEquals": 1, "StringEquals": "a", "Next": "E"}]"#));
        assert!(has(&found, Code::ChoiceOperator, "/States/C/Choices/0/StringEquals"), "{found:?}");
    }

    #[test]
    fn missing_operator_or_variable_is_rejected() {
        let found =
            diags(&choice(r#"[{"Variable": "$.x", "Next": "E"}, {"IsPresent": true, "Next": "E"}, {"Next": "E"}]"#));
        assert!(has(&found, Code::ChoiceOperator, "/States/C/Choices/0"), "{found:?}");
        assert!(has(&found, Code::ChoiceOperator, "/States/C/Choices/1"), "{found:?}");
        assert!(has(&found, Code::ChoiceOperator, "/States/C/Choices/2"), "{found:?}");
    }

    #[test]
    fn mixed_forms_are_rejected() {
        let found = diags(&choice(
            r#"[{"And": [{"Variable": "$.a", "IsNull": true}], "Variable": "$.x", "IsNull": true, "Next": "E"}]"#,
        ));
        assert!(has(&found, Code::ChoiceOperator, "/States/C/Choices/0"), "{found:?}");
    }

    #[test]
    fn next_rules() {
        let found = diags(&choice(
            r#"[{"Variable": "$.x", "IsNull": true},
                {"Not": {"Variable": "$.x", "IsNull": true, "Next": "E", "Assign": {"a": 1}}, "Next": "E"}]"#,
        ));
        assert!(has(&found, Code::ChoiceRuleNext, "/States/C/Choices/0"), "{found:?}");
        assert!(has(&found, Code::ChoiceRuleNext, "/States/C/Choices/1/Not/Next"), "{found:?}");
        assert!(has(&found, Code::FieldNotSupported, "/States/C/Choices/1/Not/Assign"), "{found:?}");
    }

    #[test]
    fn empty_and_is_rejected() {
        let found = diags(&choice(r#"[{"Or": [], "Next": "E"}]"#));
        assert!(has(&found, Code::EmptyValue, "/States/C/Choices/0/Or"), "{found:?}");
    }

    #[test]
    fn operand_types_are_checked() {
        let found = diags(&choice(
            r#"[{"Variable": "$.x", "NumericEquals": "1", "Next": "E"},
                {"Variable": "$.x", "BooleanEquals": 1, "Next": "E"},
                {"Variable": "$.x", "IsString": "yes", "Next": "E"},
                {"Variable": "$.x", "StringEquals": 3, "Next": "E"},
                {"Variable": "$.x", "TimestampEquals": "2016-13-05T21:29:29Z", "Next": "E"},
                {"Variable": "$.x", "NumericEqualsPath": 3, "Next": "E"}]"#,
        ));
        for i in [0, 1, 2, 3] {
            assert!(
                found
                    .iter()
                    .any(|(c, p)| *c == Code::ChoiceOperandType && p.starts_with(&format!("/States/C/Choices/{i}/"))),
                "{i}: {found:?}"
            );
        }
        assert!(has(&found, Code::InvalidTimestamp, "/States/C/Choices/4/TimestampEquals"), "{found:?}");
        assert!(has(&found, Code::ChoiceOperandType, "/States/C/Choices/5/NumericEqualsPath"), "{found:?}");
    }

    #[test]
    fn string_matches_escapes() {
        let found = diags(&choice(r#"[{"Variable": "$.x", "StringMatches": "a\\d", "Next": "E"}]"#));
        assert!(has(&found, Code::ChoiceOperandType, "/States/C/Choices/0/StringMatches"), "{found:?}");
        let found = diags(&choice(r#"[{"Variable": "$.x", "StringMatches": "a\\\\b\\*", "Next": "E"}]"#));
        assert!(none_of_mine(&found), "{found:?}");
    }

    #[test]
    fn jsonata_rules() {
        let ok = diags(&jsonata_choice(
            r#"[{"Condition": "{% $states.input.x %}", "Next": "E", "Output": 1}, {"Condition": true, "Next": "E"}]"#,
        ));
        assert!(none_of_mine(&ok), "{ok:?}");
        let bad = diags(&jsonata_choice(
            r#"[{"Variable": "$.x", "IsNull": true, "Next": "E"}, {"Condition": "x > 1", "Next": "E"}, {"Next": "E"}]"#,
        ));
        assert!(has(&bad, Code::WrongQueryLanguage, "/States/C/Choices/0/Variable"), "{bad:?}");
        assert!(has(&bad, Code::WrongQueryLanguage, "/States/C/Choices/0/IsNull"), "{bad:?}");
        assert!(has(&bad, Code::ChoiceOperandType, "/States/C/Choices/1/Condition"), "{bad:?}");
        assert!(has(&bad, Code::MissingField, "/States/C/Choices/2"), "{bad:?}");
    }

    #[test]
    fn lone_condition_in_jsonpath_is_not_also_an_empty_rule() {
        let found = diags(&choice(r#"[{"Condition": "{% true %}", "Next": "E"}]"#));
        assert!(!has(&found, Code::ChoiceOperator, "/States/C/Choices/0"), "{found:?}");
    }
}
