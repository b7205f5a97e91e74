//! Every recorded case whose machine is one container of Pass, Succeed and Fail states in
//! JSONPath mode without `Assign`, run state by state through this module's pipeline and
//! compared with what AWS returned (status, output, error, cause).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use serde_json::Value;

use super::test_support::{dollar, io, literal};
use super::{DataResolver, Env, effective_input, pass_output, pass_through, state_output};
use crate::Error;
use crate::context::{ContextObject, ExecutionInfo, StateInfo, parse_timestamp};
use crate::error::names;
use crate::intrinsics::SplitMix64;
use crate::path::cause::{in_state, json_text};
use crate::template::{Resolver, Template};

/// What the walk supports: Pass, Succeed and Fail states, JSONPath, no variables.
fn supported(definition: &Value) -> bool {
    let language = definition.get("QueryLanguage").and_then(Value::as_str).unwrap_or("JSONPath");
    let Some(states) = definition["States"].as_object() else { return false };
    language == "JSONPath"
        && states.values().all(|state| {
            matches!(state["Type"].as_str(), Some("Pass" | "Succeed" | "Fail"))
                && state.get("QueryLanguage").is_none()
                && state.get("Assign").is_none()
        })
}

/// The case's execution, as its `execution` block describes it (fixed defaults otherwise).
fn execution(case: &Value, input: &Value) -> ExecutionInfo {
    let block = &case["execution"];
    let start = block["startTime"].as_str().and_then(parse_timestamp);
    let start = start.unwrap_or_else(|| parse_timestamp("2024-01-01T00:00:00.000Z").unwrap());
    ExecutionInfo::new(
        block["stateMachineName"].as_str().unwrap_or("StateMachine"),
        block["name"].as_str().unwrap_or("execution"),
        start,
        input.clone(),
    )
}

/// Runs the machine; a failure carries the execution-level cause.
fn run(definition: &Value, info: &ExecutionInfo) -> Result<Value, Error> {
    let mut name = definition["StartAt"].as_str().unwrap().to_string();
    let mut data = info.input.clone();
    let mut rng = SplitMix64::new(0);
    // ExecutionStarted is event 1; every state before this one added Entered and Exited.
    for entered_event in (2u64..).step_by(2).take(1000) {
        let state = &definition["States"][&name];
        let context = ContextObject::new(info).with_state(StateInfo::new(&name, info.start_time)).to_value();
        let mut env = Env { state: &name, context: &context, variables: &(), rng: &mut rng };
        let output = step(state, data, &mut env).map_err(|e| match e.name.as_ref() {
            names::RUNTIME => Error::runtime(in_state(&name, entered_event, e.cause.as_deref().unwrap_or(""))),
            _ => e,
        })?;
        match state["Next"].as_str() {
            Some(next) => (name, data) = (next.to_string(), output),
            None => return Ok(output),
        }
    }
    panic!("the machine did not stop after 1000 states")
}

/// One state's work: its output, or the error it raises.
fn step(state: &Value, input: Value, env: &mut Env<'_>) -> Result<Value, Error> {
    let io = io(state);
    match state["Type"].as_str() {
        Some("Pass") => {
            let result = state.get("Result").map(literal);
            // The generic route (effective input, then output) must agree with the moving one.
            let generic = effective_input(&io, &input, env).and_then(|effective| {
                let result = result.as_ref().map_or(effective, crate::template::literal_value);
                state_output(&io, input.clone(), result, env)
            });
            let moving = pass_output(&io, result.as_ref(), input, env);
            assert_eq!(generic, moving, "pass_output and effective_input/state_output disagree");
            moving
        }
        Some("Succeed") => pass_through(io.input_path, io.output_path, input, env),
        Some("Fail") => {
            let error = fail_text(state, "Error", &input, env)?.unwrap_or_default();
            let cause = fail_text(state, "Cause", &input, env)?;
            Err(Error { name: error.into(), cause })
        }
        other => panic!("unsupported state type {other:?}"),
    }
}

/// A Fail state's `Error`/`Cause`, or its `…Path` form (a path or an intrinsic call).
fn fail_text(state: &Value, field: &str, input: &Value, env: &mut Env<'_>) -> Result<Option<String>, Error> {
    if let Some(text) = state[field].as_str() {
        return Ok(Some(text.to_string()));
    }
    let path_field = format!("{field}Path");
    let Some(source) = state[&path_field].as_str() else { return Ok(None) };
    let mut resolver = DataResolver::new(input, env);
    let value = match dollar(source) {
        Template::Path(p) => resolver.path(p, &path_field)?,
        Template::Intrinsic(call) => resolver.intrinsic(call, &path_field)?,
        other => panic!("{source} is {other:?}"),
    };
    Ok(Some(match value {
        Value::String(s) => s,
        other => json_text(&other),
    }))
}

/// Whether `outcome` is what AWS recorded in `expected`.
fn matches(outcome: &Result<Value, Error>, expected: &Value) -> bool {
    match (expected["status"].as_str(), outcome) {
        (Some("SUCCEEDED"), Ok(output)) => *output == expected["output"],
        (Some("FAILED"), Err(error)) => {
            // No recorded name means there must be none.
            let name = expected["error"].as_str().unwrap_or("");
            name == error.name && expected.get("cause").is_none_or(|c| c.as_str() == error.cause.as_deref())
        }
        _ => false,
    }
}

#[test]
fn pass_succeed_fail_conformance_cases() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("note: {} not found; skipping", dir.display());
        return;
    };
    let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let (mut checked, mut failures) = (0, Vec::new());
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        if !supported(&case["definition"]) {
            continue;
        }
        checked += 1;
        let input = case.get("input").cloned().unwrap_or(Value::Null);
        let outcome = run(&case["definition"], &execution(&case, &input));
        if !matches(&outcome, &case["expected"]) {
            let mut got = format!("{outcome:?}");
            got.truncate(600);
            failures.push(format!("{}: got {got}, expected {}", case["name"], case["expected"]));
        }
    }
    println!("{checked} Pass/Succeed/Fail cases, {} pass", checked - failures.len());
    assert!(failures.is_empty(), "{} of {checked} cases differ:\n{}", failures.len(), failures.join("\n"));
    // 163 cases have this shape: a lower count means the selection broke.
    assert!(checked >= 163, "only {checked} cases checked");
}
