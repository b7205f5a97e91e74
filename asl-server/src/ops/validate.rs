//! `ValidateStateMachineDefinition`: the validator's diagnostics as AWS's API lists them.

use asl_codegen::{Severity, SourceFormat};
use asl_runtime::store::MachineType;
use serde_json::Value;

use crate::service::definitions;
use crate::wire::{ApiError, Reply, Request};

/// How many diagnostics an answer lists unless `maxResults` says otherwise (AWS's
/// default and maximum).
const MAX_DIAGNOSTICS: usize = 100;

pub async fn validate(_service: &crate::service::Service, request: Request<'_>) -> Result<Value, ApiError> {
    let definition = request.required("definition")?;
    let machine_type = request.str("type").and_then(MachineType::from_name).unwrap_or(MachineType::Standard);
    // `severity` is the lowest severity listed: ERROR (the default) lists errors only.
    let with_warnings = request.str("severity") == Some("WARNING");
    let limit = match request.count("maxResults") {
        0 => MAX_DIAGNOSTICS,
        n => (n as usize).min(MAX_DIAGNOSTICS),
    };
    let source = definitions::source("definition", definition, SourceFormat::Json);
    let (failed, diagnostics) = match asl_codegen::check_as(&source, definitions::workflow_type(machine_type)) {
        Ok(checked) => (false, checked.warnings),
        Err(diagnostics) => (true, diagnostics),
    };
    let mut listed: Vec<&asl_codegen::Diagnostic> =
        diagnostics.iter().filter(|d| d.severity == Severity::Error || with_warnings).collect();
    // Errors first, as AWS lists them.
    listed.sort_by_key(|d| d.severity != Severity::Error);
    let truncated = listed.len() > limit;
    let items: Vec<Value> = listed
        .into_iter()
        .take(limit)
        .map(|diagnostic| {
            let at = source.line_col(diagnostic.span.start);
            let severity = if diagnostic.severity == Severity::Error { "ERROR" } else { "WARNING" };
            let location = if diagnostic.pointer.is_empty() { "/".to_owned() } else { diagnostic.pointer.clone() };
            Reply::new()
                .set("severity", severity)
                .set("code", diagnostic.code.aws_code())
                .set(
                    "message",
                    format!(
                        "{} (line {}, column {}; {})",
                        diagnostic.message,
                        at.line,
                        at.column,
                        diagnostic.code.id()
                    ),
                )
                .set("location", location)
                .build()
        })
        .collect();
    Ok(Reply::new()
        .set("result", if failed { "FAIL" } else { "OK" })
        .set("diagnostics", items)
        .set("truncated", truncated)
        .build())
}
