//! Definitions given to the API: checked by the one validator and loaded by the one lowering
//! (design §1), or refused as AWS refuses them (`InvalidDefinition`), with our positions in
//! the message.

use asl_codegen::{Diagnostic, Diagnostics, Severity, Source, SourceFormat, WorkflowType};
use asl_runtime::execution::Workflow;
use asl_runtime::store::MachineType;

use crate::wire::ApiError;

/// The workflow type the validator checks for.
pub fn workflow_type(machine_type: MachineType) -> WorkflowType {
    match machine_type {
        MachineType::Standard => WorkflowType::Standard,
        MachineType::Express => WorkflowType::Express,
    }
}

/// The source the state machine `name`'s definition is read as: named after the machine, so
/// that the loaded workflow (and its executions' ARNs) carry the machine's name. The API
/// takes JSON; YAML comes from definition files (`order.asl.yaml`).
pub fn source(name: &str, definition: &str, format: SourceFormat) -> Source {
    Source::with_format(format!("{name}.asl.json"), definition, format)
}

/// Checks `definition` and loads it as the workflow of the state machine `name`.
///
/// The workflow lives as long as the process (loaded descriptions are `'static`, as compiled
/// ones are), and is loaded once per distinct definition ([`super::loaded`]).
///
/// # Errors
///
/// `InvalidDefinition` listing every error, as AWS's message does.
pub fn load(
    name: &str,
    definition: &str,
    format: SourceFormat,
    machine_type: MachineType,
) -> Result<&'static Workflow, ApiError> {
    let source = source(name, definition, format);
    let purpose = match machine_type {
        MachineType::Standard => "STANDARD",
        MachineType::Express => "EXPRESS",
    };
    super::loaded::once(purpose, &source, || {
        asl_codegen::load_as(&source, workflow_type(machine_type), &asl_codegen::Settings::new())
            .map(|loaded| loaded.workflow)
            .map_err(|diagnostics| invalid_definition(&source, &diagnostics))
    })
}

/// AWS's `InvalidDefinition` for these diagnostics: `Invalid State Machine Definition:
/// 'CODE: message at /pointer, …'`, each with its line and column in the definition.
pub fn invalid_definition(source: &Source, diagnostics: &Diagnostics) -> ApiError {
    let errors: Vec<String> =
        diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| described(source, d)).collect();
    ApiError::service("InvalidDefinition", format!("Invalid State Machine Definition: '{}'", errors.join(", ")))
}

/// One diagnostic as AWS words it, with our position and code after it.
pub fn described(source: &Source, diagnostic: &Diagnostic) -> String {
    let at = source.line_col(diagnostic.span.start);
    let pointer = if diagnostic.pointer.is_empty() { "/" } else { diagnostic.pointer.as_str() };
    format!(
        "{}: {} at {pointer} (line {}, column {}; {})",
        diagnostic.code.aws_code(),
        diagnostic.message,
        at.line,
        at.column,
        diagnostic.code.id()
    )
}

#[cfg(test)]
#[allow(clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn good_definitions_load_under_the_machine_name() {
        let definition = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#;
        let workflow = load("order", definition, SourceFormat::Json, MachineType::Standard).map_err(|e| e.to_string());
        assert_eq!(workflow.map(|w| w.name), Ok("order"));
    }

    #[test]
    fn bad_ones_are_invalid_definitions_with_positions() {
        let definition = "{\"StartAt\": \"A\",\n \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}}}";
        let error = load("order", definition, SourceFormat::Json, MachineType::Standard).err();
        let error = error.map(|e| (e.code(), e.message().to_owned()));
        let Some((code, message)) = error else { panic!("accepted a Next to nowhere") };
        assert_eq!(code, "InvalidDefinition");
        assert!(message.starts_with("Invalid State Machine Definition: '"), "{message}");
        assert!(message.contains("MISSING_TRANSITION_TARGET: "), "{message}");
        assert!(message.contains("at /States/A/Next (line 2, column"), "{message}");
    }
}
