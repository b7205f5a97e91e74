//! TestState's `definition`: one state, or (with `stateName`) a whole state machine, checked
//! by the same validator and lowered by the same lowering as any definition, so the state
//! runs on the engine as it would in an execution.
//!
//! A lone state is checked and run as a state machine of its own: the state, under the
//! name AWS gives it (`StateName`, which `$$.State.Name` shows), and a Succeed state for
//! each state it can go to (`Next`, `Default`, a Choice rule's or a catcher's `Next`), so
//! that its transitions are valid and the engine can take them. The machine is written
//! around the definition's text, which stays as it was, so every diagnostic's position is
//! the definition's own.

use asl_codegen::{Diagnostic, Diagnostics, Settings, Source, WorkflowType};
use asl_runtime::machine::Workflow;
use serde_json::Value;

use crate::wire::ApiError;

/// The name a lone state runs under: AWS's TestState shows it as `$$.State.Name`.
pub(super) const LONE_STATE: &str = "StateName";

/// The file name diagnostics are read against (it appears nowhere in a message).
const FILE: &str = "definition.asl.json";

/// A definition loaded for a test.
#[derive(Debug)]
pub(super) struct Loaded {
    /// The machine the state runs in.
    pub(super) workflow: &'static Workflow,
    /// The state under test: its container and its index there.
    pub(super) at: (u16, u16),
}

/// Loads `definition`: the state machine whose state `state_name` is tested, or without
/// one, the lone state to test.
///
/// # Errors
///
/// `InvalidDefinition` with every error the validator finds; `ValidationException` when
/// `state_name` names no state of the machine.
pub(super) fn load(definition: &str, state_name: Option<&str>) -> Result<Loaded, ApiError> {
    match state_name {
        Some(name) => load_machine(definition, name),
        None => load_lone_state(definition),
    }
}

/// A whole state machine, of which the state `name` is tested.
fn load_machine(definition: &str, name: &str) -> Result<Loaded, ApiError> {
    let source = Source::new(FILE, definition);
    let workflow =
        lower(&source).map_err(|diagnostics| invalid(&source, &diagnostics, &|d| Some(located(&source, d))))?;
    let at = workflow.locate(name).ok_or_else(|| ApiError::validation("State not found in definition"))?;
    Ok(Loaded { workflow, at })
}

/// A lone state, run in a machine of its own (see the module docs).
fn load_lone_state(definition: &str) -> Result<Loaded, ApiError> {
    let Ok(state) = serde_json::from_str::<Value>(definition) else {
        // Not JSON: the reader says where it breaks, in the definition's own text (inside
        // the machine below, our braces could pair with the definition's).
        let own = Source::new(FILE, definition);
        let diagnostics = asl_codegen::check(&own).err().unwrap_or_default();
        return Err(invalid(&own, &diagnostics, &|d| Some(located(&own, d))));
    };
    let prefix = format!(r#"{{"StartAt":"{LONE_STATE}","States":{{"{LONE_STATE}":"#);
    let mut text = String::with_capacity(prefix.len() + definition.len() + 64);
    text.push_str(&prefix);
    text.push_str(definition);
    for target in targets(&state) {
        if target != LONE_STATE {
            text.push(',');
            text.push_str(&Value::from(target).to_string());
            text.push_str(r#":{"Type":"Succeed"}"#);
        }
    }
    text.push_str("}}");
    let source = Source::new(FILE, text);
    let own = Source::new(FILE, definition);
    let range = prefix.len()..prefix.len() + definition.len();
    let pointer_prefix = format!("/States/{LONE_STATE}");
    let workflow = lower(&source).map_err(|diagnostics| {
        invalid(&own, &diagnostics, &|d| {
            // Only what is wrong in the definition itself: the machine around it is ours.
            if !range.contains(&d.span.start) && d.span.start != range.end {
                return None;
            }
            // (A diagnostic of the text rather than of a field has no pointer.)
            let pointer = d.pointer.strip_prefix(&pointer_prefix).unwrap_or("");
            let at = own.line_col(d.span.start - range.start);
            Some(Located {
                message: d.message.clone(),
                code: d.code.aws_code(),
                pointer,
                line: at.line,
                column: at.column,
            })
        })
    })?;
    let at = workflow.locate(LONE_STATE).ok_or_else(|| ApiError::internal("the state under test was not loaded"))?;
    Ok(Loaded { workflow, at })
}

/// Validates and lowers `source`. TestState accepts what `CreateStateMachine` accepts,
/// including expressions that read variables no `Assign` sets: its `variables` set them.
fn lower(source: &Source) -> Result<&'static Workflow, Diagnostics> {
    let settings = Settings::new().allow_run_time_failures();
    crate::service::loaded::once("TestState", source, || {
        asl_codegen::load_as(source, WorkflowType::Standard, &settings).map(|loaded| loaded.workflow)
    })
}

/// Where a diagnostic points, in the definition as the caller wrote it.
struct Located<'d> {
    /// AWS's code for the kind of problem (`SCHEMA_VALIDATION_FAILED`, …).
    code: &'static str,
    /// The diagnostic's sentence.
    message: String,
    /// Its JSON Pointer in the definition (empty: the whole of it).
    pointer: &'d str,
    /// Its line, from 1.
    line: usize,
    /// Its column, from 1.
    column: usize,
}

/// A diagnostic of a definition checked as it was written.
fn located<'d>(source: &Source, d: &'d Diagnostic) -> Located<'d> {
    let at = source.line_col(d.span.start);
    Located {
        code: d.code.aws_code(),
        message: d.message.clone(),
        pointer: &d.pointer,
        line: at.line,
        column: at.column,
    }
}

/// `InvalidDefinition` listing the errors among `diagnostics`, as AWS lists them
/// (`Invalid State Machine Definition: 'CODE: message at /pointer, …'`), each with its line
/// and column in the definition. `locate` places a diagnostic in the caller's text, or
/// drops it.
fn invalid(
    source: &Source,
    diagnostics: &Diagnostics,
    locate: &dyn for<'d> Fn(&'d Diagnostic) -> Option<Located<'d>>,
) -> ApiError {
    let mut found: Vec<String> = diagnostics
        .errors()
        .filter_map(locate)
        .map(|d| {
            let pointer = if d.pointer.is_empty() { "/" } else { d.pointer };
            format!("{}: {} at {pointer} (line {}, column {})", d.code, d.message, d.line, d.column)
        })
        .collect();
    if found.is_empty() {
        // Every error was in the machine around a lone state: a target that cannot be a
        // state's name, say. Say so rather than nothing.
        found.push(format!(
            "SCHEMA_VALIDATION_FAILED: the state cannot be tested as written ({} bytes)",
            source.text().len()
        ));
    }
    ApiError::service("InvalidDefinition", format!("Invalid State Machine Definition: '{}'", found.join(", ")))
}

/// The names a state can go to: `Next`, a Choice's `Default` and rules' `Next`, its
/// catchers' `Next`, each once, in that order.
fn targets(state: &Value) -> Vec<&str> {
    let rules = ["Choices", "Catch"].into_iter().filter_map(|field| state.get(field)?.as_array()).flatten();
    let named = [state.get("Next"), state.get("Default")].into_iter().chain(rules.map(|rule| rule.get("Next")));
    let mut names: Vec<&str> = Vec::new();
    for name in named.flatten().filter_map(Value::as_str) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn a_lone_states_targets_become_succeed_states() {
        let loaded = load(r#"{"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": true, "Next": "Yes"}], "Default": "No"}"#, None)
            .unwrap();
        let top = &loaded.workflow.containers[0];
        let names: Vec<&str> = top.states.iter().map(|s| s.name).collect();
        assert_eq!(names, ["StateName", "No", "Yes"]);
        assert_eq!(loaded.at, (0, 0));
    }

    #[test]
    fn a_lone_states_diagnostics_point_into_its_own_text() {
        let definition = "{\n  \"Type\": \"Pass\",\n  \"Nxt\": \"A\",\n  \"End\": true\n}";
        let error = load(definition, None).unwrap_err();
        assert_eq!(error.code(), "InvalidDefinition");
        assert!(
            error.message().starts_with("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "),
            "{error}"
        );
        assert!(error.message().contains("at /Nxt (line 3, column 3)"), "{error}");
    }

    #[test]
    fn a_definition_that_is_not_json_is_invalid_where_it_breaks() {
        let error = load("{\"Type\": \"Pass\",\n \"End\": tru}", None).unwrap_err();
        assert_eq!(error.code(), "InvalidDefinition");
        assert!(error.message().contains("(line 2,"), "{error}");
    }

    #[test]
    fn a_state_of_a_machine_is_found_wherever_it_is() {
        let machine = r#"{"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "End": true}}}}}}"#;
        let loaded = load(machine, Some("Inner")).unwrap();
        assert_eq!(loaded.workflow.state(loaded.at).map(|s| s.name), Some("Inner"));
        let inner = loaded.workflow.state(loaded.at).unwrap();
        assert!(inner.jsonata.is_some(), "it inherits the machine's language");
        let error = load(machine, Some("Missing")).unwrap_err();
        assert_eq!((error.code(), error.message()), ("ValidationException", "State not found in definition"));
    }
}
