//! Choice rules in short form, for edge labels: `$.total >= 100`, `IsPresent($.x)`,
//! `$.a == $.b`, `And($.a == 1, $.b < 2)`, a JSONata `Condition`'s expression.

use asl_codegen::ast::{ChoiceRule, Comparison, Operator};

use crate::model::value;
use crate::text::shorten;

/// Longest edge label, in characters; longer ones are cut with `…`.
pub const LABEL_CHARS: usize = 48;

/// The label of the edge of a top-level Choice rule: its condition in short form, at most
/// [`LABEL_CHARS`] characters.
pub fn label(rule: &ChoiceRule) -> String {
    let full = describe(rule);
    if full.chars().count() <= LABEL_CHARS {
        return full;
    }
    // A long And/Or keeps its first operand and says how many more there are, so the label
    // stays readable instead of being cut inside a comparison.
    if let Some((op, rules)) = compound(rule)
        && let Some(first) = rules.first()
    {
        let rest = rules.len() - 1;
        let brief = format!("{op}({}, … {rest} more)", describe(first));
        if rest > 0 && brief.chars().count() <= LABEL_CHARS {
            return brief;
        }
    }
    shorten(&full, LABEL_CHARS)
}

fn compound(rule: &ChoiceRule) -> Option<(&'static str, &[ChoiceRule])> {
    if let Some(and) = &rule.and {
        return Some(("And", &and.value));
    }
    rule.or.as_ref().map(|or| ("Or", or.value.as_slice()))
}

/// The condition of a rule in full.
fn describe(rule: &ChoiceRule) -> String {
    if let Some(condition) = &rule.condition {
        return value(&condition.value);
    }
    if let Some((op, rules)) = compound(rule) {
        return format!("{op}({})", rules.iter().map(describe).collect::<Vec<_>>().join(", "));
    }
    if let Some(not) = &rule.not {
        return format!("Not({})", describe(&not.value));
    }
    let variable = rule.variable.as_ref().map_or("?", |v| v.value.as_str());
    match rule.comparisons.first() {
        Some(comparison) => compare(variable, comparison),
        None => variable.to_owned(),
    }
}

fn compare(variable: &str, comparison: &Comparison) -> String {
    use Operator::*;
    let operand = if comparison.is_path {
        comparison.operand.value.as_str().map_or_else(|| value(&comparison.operand.value), str::to_owned)
    } else {
        value(&comparison.operand.value)
    };
    let op = match comparison.operator {
        StringEquals | NumericEquals | BooleanEquals | TimestampEquals => "==",
        StringLessThan | NumericLessThan | TimestampLessThan => "<",
        StringGreaterThan | NumericGreaterThan | TimestampGreaterThan => ">",
        StringLessThanEquals | NumericLessThanEquals | TimestampLessThanEquals => "<=",
        StringGreaterThanEquals | NumericGreaterThanEquals | TimestampGreaterThanEquals => ">=",
        StringMatches => "matches",
        IsNull | IsPresent | IsNumeric | IsString | IsBoolean | IsTimestamp => {
            let test = format!("{}({variable})", comparison.operator.as_str());
            return match comparison.operand.value.value {
                asl_codegen::node::NodeValue::Bool(false) => format!("!{test}"),
                _ => test,
            };
        }
    };
    format!("{variable} {op} {operand}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    /// The labels of a Choice state's rules.
    fn labels(choices: &str, query_language: &str) -> Vec<String> {
        let text = format!(
            r#"{{"QueryLanguage": "{query_language}", "StartAt": "C", "States": {{
                "C": {{"Type": "Choice", "Choices": {choices}, "Default": "D"}},
                "D": {{"Type": "Succeed"}}
            }}}}"#
        );
        let source = asl_codegen::Source::new("t.asl.json", text);
        let checked = asl_codegen::check(&source).unwrap_or_else(|d| panic!("{d:?}"));
        let state = &checked.machine.states()[0];
        state.choices.as_ref().expect("choices").value.iter().map(label).collect()
    }

    #[test]
    fn comparisons() {
        let got = labels(
            r#"[
                {"Variable": "$.total", "NumericGreaterThanEquals": 100, "Next": "D"},
                {"Variable": "$.status", "StringEquals": "OK", "Next": "D"},
                {"Variable": "$.a", "NumericLessThanPath": "$.b", "Next": "D"},
                {"Variable": "$.name", "StringMatches": "log-*.txt", "Next": "D"},
                {"Variable": "$.flag", "BooleanEquals": false, "Next": "D"},
                {"Variable": "$.at", "TimestampLessThan": "2026-01-01T00:00:00Z", "Next": "D"},
                {"Variable": "$.x", "IsPresent": true, "Next": "D"},
                {"Variable": "$.x", "IsNull": false, "Next": "D"}
            ]"#,
            "JSONPath",
        );
        assert_eq!(
            got,
            [
                "$.total >= 100",
                r#"$.status == "OK""#,
                "$.a < $.b",
                r#"$.name matches "log-*.txt""#,
                "$.flag == false",
                r#"$.at < "2026-01-01T00:00:00Z""#,
                "IsPresent($.x)",
                "!IsNull($.x)",
            ]
        );
    }

    #[test]
    fn compound_rules() {
        let got = labels(
            r#"[
                {"And": [{"Variable": "$.a", "NumericEquals": 1}, {"Variable": "$.b", "NumericLessThan": 2}], "Next": "D"},
                {"Not": {"Or": [{"Variable": "$.a", "IsString": true}, {"Variable": "$.b", "IsNumeric": true}]}, "Next": "D"},
                {"And": [
                    {"Variable": "$.order.customer.tier", "StringEquals": "gold"},
                    {"Variable": "$.order.total", "NumericGreaterThan": 1000},
                    {"Variable": "$.order.country", "StringEquals": "FR"}
                ], "Next": "D"},
                {"Or": [
                    {"Variable": "$.order.customer.loyaltyProgramme.tier", "StringEquals": "platinum-plus"},
                    {"Variable": "$.x", "IsPresent": true}
                ], "Next": "D"}
            ]"#,
            "JSONPath",
        );
        assert_eq!(
            got,
            [
                "And($.a == 1, $.b < 2)",
                "Not(Or(IsString($.a), IsNumeric($.b)))",
                r#"And($.order.customer.tier == "gold", … 2 more)"#,
                r#"Or($.order.customer.loyaltyProgramme.tier == "p…"#,
            ]
        );
        assert!(got.iter().all(|l| l.chars().count() <= LABEL_CHARS));
    }

    #[test]
    fn jsonata_conditions() {
        let got = labels(
            r#"[
                {"Condition": "{% $states.input.total >= 100 %}", "Next": "D"},
                {"Condition": "{%\n  $states.input.items[price > 10 and qty > 0].sku = 'tea' and $exists($states.input.coupon)\n%}", "Next": "D"}
            ]"#,
            "JSONata",
        );
        assert_eq!(got[0], "$states.input.total >= 100");
        assert_eq!(got[1], "$states.input.items[price > 10 and qty > 0].sku…");
    }
}
