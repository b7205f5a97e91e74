//! asl-codegen: reads Amazon States Language (ASL) workflow definitions, validates them the
//! way AWS Step Functions does when a state machine is created, lowers them to an
//! index-based IR and generates Rust code from it.
//!
//! It is the one crate that understands ASL; `include_asl!` (asl-macros), the build.rs
//! [`Builder`] and the `asl` command are thin front-ends over it.
//!
//! The pipeline: [`Source`] → reader (`json`/`yaml`) → spanned [`node::Node`] tree →
//! [`ast`] (typed model with positions) → `validate` (all AWS create-time rules) →
//! `ir` (resolved, index-based) → `codegen`.
//!
//! ```
//! use asl_codegen::{Source, check};
//!
//! let source = Source::new("hello.asl.json", r#"{
//!   "StartAt": "Hello",
//!   "States": { "Hello": { "Type": "Pass", "Result": "world", "Nxt": "Done" } }
//! }"#);
//! let diagnostics = check(&source).unwrap_err();
//! let first = diagnostics.errors().next().unwrap();
//! assert_eq!(first.code.id(), "ASL102");
//! assert!(first.render_short(&source).starts_with("hello.asl.json:3:61: error[ASL102]"));
//! ```
#![deny(missing_docs)]

pub mod ast;
pub mod diagnostic;
pub mod json;
pub mod node;
pub mod source;
pub mod validate;
#[cfg(feature = "yaml")]
pub mod yaml;

pub use diagnostic::{Code, Diagnostic, Diagnostics, Severity};
pub use source::{LineCol, Source, SourceFormat, Span};

/// Reads a source into the spanned tree, with the reader its format asks for.
pub fn read(source: &Source, diags: &mut Diagnostics) -> Option<node::Node> {
    match source.format() {
        SourceFormat::Json => json::parse(source.text(), diags),
        SourceFormat::Yaml => read_yaml(source, diags),
    }
}

#[cfg(feature = "yaml")]
fn read_yaml(source: &Source, diags: &mut Diagnostics) -> Option<node::Node> {
    yaml::parse(source.text(), diags)
}

#[cfg(not(feature = "yaml"))]
fn read_yaml(source: &Source, diags: &mut Diagnostics) -> Option<node::Node> {
    diags.report(
        Code::Syntax,
        "",
        Span::new(0, 0),
        format!("{} is YAML, but asl-codegen was built without its `yaml` feature", source.path().display()),
    );
    None
}

/// Reads, decodes and validates a definition. On success returns the decoded model and the
/// warnings; on failure every diagnostic found (errors and warnings), sorted by position.
pub fn check(source: &Source) -> Result<Checked, Diagnostics> {
    let mut diags = Diagnostics::new();
    if source.text().len() > MAX_DEFINITION_BYTES {
        diags.report(
            Code::DefinitionTooLarge,
            "",
            Span::new(0, 0),
            format!(
                "the definition is {} bytes; AWS accepts at most {MAX_DEFINITION_BYTES}",
                source.text().len()
            ),
        );
        return Err(diags);
    }
    let machine = read(source, &mut diags).and_then(|root| ast::decode(&root, &mut diags));
    if let Some(machine) = &machine {
        validate::validate(machine, &mut diags);
    }
    diags.sort();
    match machine {
        Some(machine) if !diags.has_errors() => Ok(Checked { machine, warnings: diags }),
        _ => Err(diags),
    }
}

/// AWS's limit on the size of a definition (1 MiB).
pub const MAX_DEFINITION_BYTES: usize = 1_048_576;

/// A definition that passed validation.
#[derive(Debug)]
pub struct Checked {
    /// The decoded model.
    pub machine: ast::StateMachine,
    /// Warnings (they do not make the definition invalid).
    pub warnings: Diagnostics,
}
