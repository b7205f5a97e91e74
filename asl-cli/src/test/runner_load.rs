//! The loaded route: each case's definition is read from its case file when the case runs
//! and loaded in process with `asl_codegen::load`, as a server's `CreateStateMachine` loads
//! a definition. Written into the scratch crate as the runner's module `workflows` from
//! asl-cli's template `src/test/runner_load.rs` (it is not compiled as part of asl-cli).

use asl_codegen::render::{RenderStyle, render_all};
use asl_codegen::{Diagnostics, Settings, Source, SourceFormat};
use asl_runtime::execution::Workflow;

use crate::Unavailable;

/// The workflow of the case in `file`, loaded from its `definition` (`key`, the module of
/// the compiled route, is not needed). A definition that does not load is reported with
/// its diagnostics rendered against the case file, as the compiled route reports one that
/// does not validate.
pub fn find(_key: &str, file: &str) -> Result<&'static Workflow, Unavailable> {
    let source = Source::read(file).map_err(|e| Unavailable::Runner(format!("cannot read {file}: {e}")))?;
    let definition =
        definition(&source).ok_or_else(|| Unavailable::Runner(format!("{file} has no `definition` object")))?;
    // The settings the compiled route generates code with: the recorded cases include
    // definitions that AWS creates although part of them fails at run time.
    let settings = Settings::new().allow_run_time_failures();
    match asl_codegen::load(&definition, &settings) {
        Ok(loaded) => Ok(loaded.workflow),
        Err(diagnostics) => Err(Unavailable::Invalid(render_all(&diagnostics, &source, RenderStyle::Plain))),
    }
}

/// The case's `definition` as a source of its own, named after the case file (which names
/// the workflow, as on the compiled route): the file's text with everything before the
/// definition blanked out and everything after it cut off, so that every byte offset, and
/// so every line and column of a diagnostic, is the same as in the file. asl-cli's
/// `case_definition` does the same for the compiled route and `asl validate`.
fn definition(source: &Source) -> Option<Source> {
    let root = asl_codegen::read(source, &mut Diagnostics::new())?;
    let definition = &root.get("definition")?.value;
    definition.as_object()?;
    let span = definition.span;
    let prefix = source.text().get(..span.start)?;
    let mut text: String = prefix.bytes().map(|b| if b == b'\n' || b == b'\r' { b as char } else { ' ' }).collect();
    text.push_str(source.text().get(span.start..span.end)?);
    Some(Source::with_format(source.path(), text, SourceFormat::Json))
}
