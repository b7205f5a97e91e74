//! Values of a Distributed Map's `ItemReader`, `ItemBatcher` and `ResultWriter` (rules 10
//! and 22): their enums (`ReaderConfig.InputType`, `CSVHeaderLocation`, `CSVDelimiter`,
//! `Transformation`, `ManifestType`; `WriterConfig.OutputType`, `Transformation`), their
//! numbers (`MaxItems`, `MaxItemsPerBatch`, `MaxInputBytesPerBatch`: integers, or JSONata
//! expressions in a JSONata state), `CSVHeaders` as strings, a `Resource` as a string, and
//! each number given at most once (the number or its `…Path`).
//!
//! These objects are read as plain JSON by the decoder, so their values are checked here;
//! fields they do not know are left to AWS's later additions (nothing is refused for an
//! extra key), but a known field with a wrong value is refused as AWS refuses it when the
//! state machine is created (`SCHEMA_VALIDATION_FAILED`).

use super::values::{Range, enum_value, number};
use crate::ast::{NumberOrExpr, QueryLanguage, Spanned, State};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::node::{Node, NodeValue, pointer_push};

/// Checks the `ItemReader`, `ItemBatcher` and `ResultWriter` of a Map state.
pub(super) fn check(state: &State, ql: QueryLanguage, what: &str, diags: &mut Diagnostics) {
    if let Some(reader) = &state.item_reader {
        let owner = format!("`ItemReader` of {what}");
        string_field(&reader.value, &reader.pointer, "Resource", &owner, diags);
        if let Some(config) = reader.value.get("ReaderConfig") {
            let pointer = pointer_push(&reader.pointer, "ReaderConfig");
            let owner = format!("`ItemReader.ReaderConfig` of {what}");
            let enums: [(&str, &[&str]); 5] = [
                ("InputType", &["CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"]),
                ("CSVHeaderLocation", &["FIRST_ROW", "GIVEN"]),
                ("CSVDelimiter", &["COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"]),
                ("Transformation", &["NONE", "LOAD_AND_FLATTEN"]),
                ("ManifestType", &["ATHENA_DATA", "S3_INVENTORY"]),
            ];
            for (key, allowed) in enums {
                enum_field(&config.value, &pointer, key, allowed, &owner, diags);
            }
            strings_field(&config.value, &pointer, "CSVHeaders", &owner, diags);
            amount(&config.value, &pointer, "MaxItems", Range::NonNegative, &owner, ql, diags);
        }
    }
    if let Some(batcher) = &state.item_batcher {
        let owner = format!("`ItemBatcher` of {what}");
        amount(&batcher.value, &batcher.pointer, "MaxItemsPerBatch", Range::Positive, &owner, ql, diags);
        amount(&batcher.value, &batcher.pointer, "MaxInputBytesPerBatch", Range::Positive, &owner, ql, diags);
        // A batch needs a limit, or every item would go to one child.
        let limits = ["MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath"];
        if limits.iter().all(|key| batcher.value.get(key).is_none()) {
            diags.push(
                Diagnostic::new(
                    Code::MissingOneOf,
                    &batcher.pointer,
                    batcher.key_span,
                    format!("{owner} must give at least one of [{}]", limits.join(", ")),
                )
                .with_label("no limit to a batch")
                .with_help("add e.g. `\"MaxItemsPerBatch\": 100`"),
            );
        }
    }
    if let Some(writer) = &state.result_writer {
        let owner = format!("`ResultWriter` of {what}");
        string_field(&writer.value, &writer.pointer, "Resource", &owner, diags);
        if let Some(config) = writer.value.get("WriterConfig") {
            let pointer = pointer_push(&writer.pointer, "WriterConfig");
            let owner = format!("`ResultWriter.WriterConfig` of {what}");
            enum_field(&config.value, &pointer, "OutputType", &["JSON", "JSONL"], &owner, diags);
            enum_field(&config.value, &pointer, "Transformation", &["NONE", "COMPACT", "FLATTEN"], &owner, diags);
        }
    }
}

/// `key` of `object` (at `pointer`), if present, as one of `allowed`.
fn enum_field(object: &Node, pointer: &str, key: &str, allowed: &[&str], owner: &str, diags: &mut Diagnostics) {
    let Some(member) = object.get(key) else { return };
    let at = pointer_push(pointer, key);
    match &member.value.value {
        NodeValue::String(text) => {
            let value =
                Spanned { value: text.clone(), span: member.value.span, pointer: at, key_span: member.key_span };
            enum_value(&value, key, allowed, owner, diags);
        }
        _ => wrong_type(&member.value, at, key, "a string", owner, diags),
    }
}

/// `key` of `object` (at `pointer`), if present, as a string.
fn string_field(object: &Node, pointer: &str, key: &str, owner: &str, diags: &mut Diagnostics) {
    let Some(member) = object.get(key) else { return };
    if member.value.as_str().is_none() {
        wrong_type(&member.value, pointer_push(pointer, key), key, "a string", owner, diags);
    }
}

/// `key` of `object` (at `pointer`), if present, as an array of strings.
fn strings_field(object: &Node, pointer: &str, key: &str, owner: &str, diags: &mut Diagnostics) {
    let Some(member) = object.get(key) else { return };
    let at = pointer_push(pointer, key);
    match member.value.as_array() {
        Some(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.as_str().is_none() {
                    wrong_type(item, pointer_push(&at, &i.to_string()), key, "a string", owner, diags);
                }
            }
        }
        None => wrong_type(&member.value, at, key, "an array of strings", owner, diags),
    }
}

/// The number `key` of `object` (at `pointer`) in `range`, given as a number (or, in a
/// JSONata state, an expression) or through `{key}Path`, not both.
#[allow(clippy::too_many_arguments)] // the field, where it is, and how it is judged
fn amount(
    object: &Node,
    pointer: &str,
    key: &str,
    range: Range,
    owner: &str,
    ql: QueryLanguage,
    diags: &mut Diagnostics,
) {
    let path_key = format!("{key}Path");
    if let Some(member) = object.get(&path_key) {
        if member.value.as_str().is_none() {
            wrong_type(&member.value, pointer_push(pointer, &path_key), &path_key, "a string", owner, diags);
        }
        if object.get(key).is_some() {
            diags.push(
                Diagnostic::new(
                    Code::ConflictingFields,
                    pointer_push(pointer, &path_key),
                    member.key_span,
                    format!("`{key}` and `{path_key}` of {owner} cannot both be given"),
                )
                .with_label("one of the two")
                .with_help(format!("keep `{key}` for a fixed number, `{path_key}` to read it from the input")),
            );
        }
    }
    let Some(member) = object.get(key) else { return };
    let at = pointer_push(pointer, key);
    let value = match &member.value.value {
        NodeValue::Number(n) => NumberOrExpr::Number(n.clone()),
        NodeValue::String(text) => NumberOrExpr::Expr(text.clone()),
        _ => return wrong_type(&member.value, at, key, "a number", owner, diags),
    };
    let field = Spanned { value, span: member.value.span, pointer: at, key_span: member.key_span };
    number(&field, key, owner, ql, range, diags);
}

fn wrong_type(value: &Node, pointer: String, key: &str, expected: &str, owner: &str, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::new(
            Code::WrongType,
            pointer,
            value.span,
            format!("`{key}` of {owner} must be {expected}, but is {}", value.type_name()),
        )
        .with_label(format!("expected {expected}")),
    );
}
