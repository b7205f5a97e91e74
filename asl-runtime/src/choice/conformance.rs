//! The recorded AWS results as test data: every conformance case whose machine is one JSONPath
//! Choice state leading straight to terminal Pass/Succeed/Fail states is run through
//! [`evaluate`], and the branch taken must produce the recorded status and output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::path::Path as FsPath;

use serde_json::{Map, Value, json};

use super::tests::resolve;
use super::*;
use crate::path::{Root, Segment};

/// Leaks a value for the `'static` data rules are made of; fine in a test process.
fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn leak_str(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// `$.a.b[0]` or `$$.a.b`: dotted fields and indexes only, which is all these cases use.
fn parse_path(text: &str) -> Option<Path> {
    let (root, mut rest) = if let Some(rest) = text.strip_prefix("$$") {
        (Root::Context, rest)
    } else {
        (Root::Input, text.strip_prefix('$')?)
    };
    let mut segments = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return None;
            }
            segments.push(Segment::Field(leak_str(&after[..end])));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            segments.push(Segment::Index(after[..end].parse().ok()?));
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(Path { root, segments: Box::leak(segments.into_boxed_slice()), text: leak_str(text) })
}

fn number(value: &Value) -> Option<Number> {
    let n = value.as_number()?;
    Some(match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => Number::Int(i128::from(i)),
        (None, Some(u)) => Number::Int(i128::from(u)),
        (None, None) => Number::Float(n.as_f64()?),
    })
}

/// One rule of the definition, or `None` when it uses something this test does not model.
fn parse_rule(rule: &Map<String, Value>) -> Option<Rule> {
    const STRUCTURAL: [&str; 3] = ["Variable", "Next", "Comment"];
    if let Some(rules) = rule.get("And").or(rule.get("Or")) {
        let rules: Option<Vec<Rule>> = rules.as_array()?.iter().map(|r| parse_rule(r.as_object()?)).collect();
        let rules: &'static [Rule] = Box::leak(rules?.into_boxed_slice());
        return Some(if rule.contains_key("And") { Rule::And(rules) } else { Rule::Or(rules) });
    }
    if let Some(inner) = rule.get("Not") {
        return Some(Rule::Not(leak(parse_rule(inner.as_object()?)?)));
    }
    let variable = parse_path(rule.get("Variable")?.as_str()?)?;
    let mut operators = rule.iter().filter(|(key, _)| !STRUCTURAL.contains(&key.as_str()));
    let (key, operand) = operators.next()?;
    if operators.next().is_some() {
        return None;
    }
    let (name, is_path) = match key.strip_suffix("Path") {
        Some(name) => (name, true),
        None => (key.as_str(), false),
    };
    let string = || -> Option<Operand<&'static str>> {
        let text = operand.as_str()?;
        Some(if is_path { Operand::Path(parse_path(text)?) } else { Operand::Literal(leak_str(text)) })
    };
    let num = || -> Option<Operand<Number>> {
        Some(if is_path { Operand::Path(parse_path(operand.as_str()?)?) } else { Operand::Literal(number(operand)?) })
    };
    let test = match name {
        "StringEquals" => Test::StringEquals(string()?),
        "StringLessThan" => Test::StringLessThan(string()?),
        "StringGreaterThan" => Test::StringGreaterThan(string()?),
        "StringLessThanEquals" => Test::StringLessThanEquals(string()?),
        "StringGreaterThanEquals" => Test::StringGreaterThanEquals(string()?),
        "StringMatches" if !is_path => Test::StringMatches(leak_str(operand.as_str()?)),
        "NumericEquals" => Test::NumericEquals(num()?),
        "NumericLessThan" => Test::NumericLessThan(num()?),
        "NumericGreaterThan" => Test::NumericGreaterThan(num()?),
        "NumericLessThanEquals" => Test::NumericLessThanEquals(num()?),
        "NumericGreaterThanEquals" => Test::NumericGreaterThanEquals(num()?),
        "BooleanEquals" if is_path => Test::BooleanEquals(Operand::Path(parse_path(operand.as_str()?)?)),
        "BooleanEquals" => Test::BooleanEquals(Operand::Literal(operand.as_bool()?)),
        "TimestampEquals" => Test::TimestampEquals(string()?),
        "TimestampLessThan" => Test::TimestampLessThan(string()?),
        "TimestampGreaterThan" => Test::TimestampGreaterThan(string()?),
        "TimestampLessThanEquals" => Test::TimestampLessThanEquals(string()?),
        "TimestampGreaterThanEquals" => Test::TimestampGreaterThanEquals(string()?),
        "IsNull" if !is_path => Test::IsNull(operand.as_bool()?),
        "IsPresent" if !is_path => Test::IsPresent(operand.as_bool()?),
        "IsNumeric" if !is_path => Test::IsNumeric(operand.as_bool()?),
        "IsString" if !is_path => Test::IsString(operand.as_bool()?),
        "IsBoolean" if !is_path => Test::IsBoolean(operand.as_bool()?),
        "IsTimestamp" if !is_path => Test::IsTimestamp(operand.as_bool()?),
        _ => return None,
    };
    Some(Rule::Compare { variable, test })
}

fn only_keys(object: &Map<String, Value>, allowed: &[&str]) -> bool {
    object.keys().all(|key| allowed.contains(&key.as_str()))
}

/// What a simple machine does: `Ok(output)` or `Err((error, cause))`.
type Outcome = Result<Value, (String, Option<String>)>;

/// Runs the case if its machine has the simple shape; `None` otherwise.
fn run(case: &Value) -> Option<Outcome> {
    let definition = case.get("definition")?.as_object()?;
    if !only_keys(definition, &["StartAt", "States", "Comment"]) {
        return None;
    }
    let states = definition.get("States")?.as_object()?;
    let choice = states.get(definition.get("StartAt")?.as_str()?)?.as_object()?;
    if choice.get("Type")? != "Choice" || !only_keys(choice, &["Type", "Choices", "Default", "Comment"]) {
        return None;
    }
    let mut rules = Vec::new();
    for rule in choice.get("Choices")?.as_array()? {
        let rule = rule.as_object()?;
        rules.push((parse_rule(rule)?, rule.get("Next")?.as_str()?));
    }
    let input = case.get("input")?;
    let context = json!({"Execution": {"Input": input}});
    let mut next = None;
    for (rule, target) in &rules {
        match evaluate(rule, &mut |path| resolve(path, input, &context)) {
            Ok(true) => {
                next = Some(*target);
                break;
            }
            Ok(false) => {}
            Err(error) => return Some(Err((error.name.into_owned(), error.cause))),
        }
    }
    let Some(next) = next.or_else(|| choice.get("Default").and_then(Value::as_str)) else {
        let error = no_choice_matched();
        return Some(Err((error.name.into_owned(), error.cause)));
    };
    let state = states.get(next)?.as_object()?;
    match state.get("Type")?.as_str()? {
        "Pass" if only_keys(state, &["Type", "Result", "End", "Comment"]) && state.get("End")? == true => {
            Some(Ok(state.get("Result").unwrap_or(input).clone()))
        }
        "Succeed" if only_keys(state, &["Type", "Comment"]) => Some(Ok(input.clone())),
        "Fail" if only_keys(state, &["Type", "Error", "Cause", "Comment"]) => {
            let text = |key| state.get(key).and_then(Value::as_str).map(str::to_owned);
            Some(Err((text("Error")?, text("Cause"))))
        }
        _ => None,
    }
}

#[test]
fn recorded_choice_cases() {
    let dir = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let (mut ran, mut failures) = (0, Vec::new());
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let text = std::fs::read_to_string(&path).expect("case file");
        if !text.contains("\"Choice\"") {
            continue;
        }
        let case: Value = serde_json::from_str(&text).expect("case JSON");
        let Some(outcome) = run(&case) else { continue };
        ran += 1;
        let expected = &case["expected"];
        let matched = match &outcome {
            Ok(output) => expected["status"] == "SUCCEEDED" && expected["output"] == *output,
            Err((error, cause)) => {
                expected["status"] == "FAILED"
                    && expected.get("error").is_none_or(|e| e == error.as_str())
                    && expected.get("cause").is_none_or(|c| Some(c) == cause.as_ref().map(|c| json!(c)).as_ref())
            }
        };
        if !matched {
            failures.push(format!("{}: got {outcome:?}, expected {expected}", case["name"]));
        }
    }
    assert!(failures.is_empty(), "{} of {ran} cases differ:\n{}", failures.len(), failures.join("\n"));
    // Guards against a filter that silently stops selecting cases.
    assert!(ran >= 450, "only {ran} cases ran");
}
