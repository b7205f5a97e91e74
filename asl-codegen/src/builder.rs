// The module's first sentence is the doc comment on `pub mod builder` in lib.rs; rustdoc
// puts it before these lines, which continue it.
//! Name the definitions, call [`Builder::compile`], and `include!` the result from
//! `OUT_DIR`:
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     asl_codegen::Builder::new().dir("flows").compile().unwrap();
//! }
//! ```
//!
//! ```ignore
//! // src/lib.rs: flows/order.asl.json was written to $OUT_DIR/order.rs
//! include!(concat!(env!("OUT_DIR"), "/order.rs"));
//! ```
//!
//! When a definition is invalid, `compile` still checks every other one and the error it
//! returns shows all their diagnostics as source snippets, so the `unwrap()` above fails
//! the build with the same picture `asl validate` prints.
//!
//! Handler methods take and return JSON values unless a Task state is given the
//! application's own types, per definition, with [`Builder::task_types`]:
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     asl_codegen::Builder::new()
//!         .dir("flows")
//!         .task_types("flows/order.asl.json", "Validate Order", "crate::Order", "crate::Validated")
//!         .task_types("flows/order.asl.json", "Ship", "crate::Shipment", "asl_runtime::Value")
//!         .compile()
//!         .unwrap();
//! }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostics;
use crate::render::{RenderStyle, render_all};
use crate::source::Source;
use crate::{Generated, Generator, Settings, TaskTypes};

/// File name endings the [`Builder::dir`] walk picks up.
const DEFINITION_SUFFIXES: &[&str] = &[".asl.json", ".asl.yaml", ".asl.yml"];

/// Endings removed from a definition's file name to name its output file, longest first.
const STRIPPED_SUFFIXES: &[&str] = &[".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml"];

/// Compiles ASL definitions to Rust source files from a build script.
///
/// Each definition `<dir>/<stem>.asl.json` (or `.asl.yaml`, `.asl.yml`, `.json`, `.yaml`,
/// `.yml`) is written to `<out_dir>/<stem>.rs`, with `<stem>` turned into a Rust
/// identifier (`order-flow` → `order_flow`, `2fast` → `_2fast`, `type` → `type_`). Every
/// written file starts with a `// @generated` line naming its definition.
///
/// Setters take and return the builder, so a build script is one expression.
#[derive(Clone, Debug)]
pub struct Builder {
    inputs: Vec<Input>,
    out_dir: Option<PathBuf>,
    settings: Settings,
    /// Per-definition task types: the definition's path as given, and the entry.
    task_types: Vec<(PathBuf, TaskTypes)>,
    emit_rerun_if_changed: bool,
    validate_only: bool,
}

/// One thing the user named, in the order named.
#[derive(Clone, Debug)]
enum Input {
    File(PathBuf),
    Dir(PathBuf),
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder with no inputs, output to `$OUT_DIR`, default [`Settings`], and
    /// `cargo:rerun-if-changed` lines on.
    pub fn new() -> Self {
        Builder {
            inputs: Vec::new(),
            out_dir: None,
            settings: Settings::default(),
            task_types: Vec::new(),
            emit_rerun_if_changed: true,
            validate_only: false,
        }
    }

    /// Adds one definition. Relative paths are relative to the build script's working
    /// directory, which Cargo sets to the package root. Any extension is accepted; `.yaml`
    /// and `.yml` files are read as YAML, everything else as JSON.
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.inputs.push(Input::File(path.as_ref().to_path_buf()));
        self
    }

    /// Adds several definitions, as [`Builder::file`] does.
    pub fn files<P: AsRef<Path>>(mut self, paths: impl IntoIterator<Item = P>) -> Self {
        self.inputs.extend(paths.into_iter().map(|p| Input::File(p.as_ref().to_path_buf())));
        self
    }

    /// Adds every `*.asl.json`, `*.asl.yaml` and `*.asl.yml` file under a directory,
    /// recursively, in sorted path order. Entries whose name starts with `.` are skipped,
    /// and symbolic links to directories are not followed (so a link cycle cannot hang the
    /// build). The directory is listed when [`Builder::compile`] runs.
    pub fn dir(mut self, path: impl AsRef<Path>) -> Self {
        self.inputs.push(Input::Dir(path.as_ref().to_path_buf()));
        self
    }

    /// Where to write the generated files (default: the `OUT_DIR` environment variable,
    /// which Cargo sets for build scripts). Created if missing.
    pub fn out_dir(mut self, path: impl AsRef<Path>) -> Self {
        self.out_dir = Some(path.as_ref().to_path_buf());
        self
    }

    /// The settings code is generated with; the same [`Settings`] `include_asl!` and the
    /// `asl` command use. Task types given here apply to every definition; give them to one
    /// definition with [`Builder::task_types`].
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Makes the handler method of Task state `state` in the definition at `definition`
    /// take `input` and return `output` instead of JSON values: two Rust types as text,
    /// written as they would be where the generated file is `include!`d (`"crate::Order"`).
    /// It is [`Settings::with_task_types`] for one definition; see there for what the
    /// generated code does with the types.
    ///
    /// `definition` is the path as given to [`Builder::file`], or as found under a
    /// [`Builder::dir`] (`"flows/order.asl.json"` for `dir("flows")`); paths naming the same
    /// file another way also match. [`Builder::compile`] fails with a
    /// [`Failure::TaskTypes`] for an entry whose type does not parse, whose state is not a
    /// Task state of the definition, or whose state is given types twice, and with a
    /// [`Failure::TaskTypesWithoutDefinition`] when `definition` is not among the inputs.
    /// ([`Builder::validate_only`] generates nothing, so it checks none of this.)
    pub fn task_types(
        mut self,
        definition: impl AsRef<Path>,
        state: impl Into<String>,
        input: impl Into<String>,
        output: impl Into<String>,
    ) -> Self {
        let entry = TaskTypes { state: state.into(), input: input.into(), output: output.into() };
        self.task_types.push((definition.as_ref().to_path_buf(), entry));
        self
    }

    /// Whether to print `cargo:rerun-if-changed=<path>` for each definition and each
    /// directory given to [`Builder::dir`] (default `true`), so editing a flow, or adding
    /// one to a directory, regenerates the code.
    ///
    /// **This changes when Cargo re-runs the whole build script.** A build script that
    /// prints no `rerun-if-changed` line is re-run whenever any file of its package
    /// changes; once it prints one, Cargo re-runs it *only* when a listed path changes. If
    /// the same build script does other work that depends on other files, print
    /// `cargo:rerun-if-changed` lines for those too, or turn this off. (prost-build turned
    /// these lines on in 0.14.0 and back off in 0.14.1 because of exactly this surprise; we
    /// keep them on because stale generated code is the worse surprise.)
    pub fn emit_rerun_if_changed(mut self, emit: bool) -> Self {
        self.emit_rerun_if_changed = emit;
        self
    }

    /// Only check the definitions: report diagnostics and warnings as
    /// [`Builder::compile`] does, but generate and write nothing (no output directory
    /// needed).
    pub fn validate_only(mut self) -> Self {
        self.validate_only = true;
        self
    }

    /// Checks every definition and writes the generated code, printing the `cargo:` lines
    /// (rerun-if-changed, warnings) to standard output, where Cargo reads them.
    ///
    /// Every definition is processed even after one fails, so the error lists all
    /// problems of all files at once.
    pub fn compile(&self) -> Result<(), BuildError> {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        self.compile_to(&mut lock)
    }

    /// [`Builder::compile`], with the `cargo:` lines written to `cargo` instead of
    /// standard output (for tests, or for a build script that post-processes them).
    pub fn compile_to(&self, cargo: &mut dyn Write) -> Result<(), BuildError> {
        let mut failures = Vec::new();
        let mut output = CargoOutput { out: cargo, error: None };

        let files = self.resolve_inputs(&mut output, &mut failures);
        let out_dir = if self.validate_only { None } else { self.resolve_out_dir(&mut failures) };
        // Output names only matter when writing; a collision must not fail `validate_only`.
        let names = if self.validate_only { vec![None; files.len()] } else { output_names(&files, &mut failures) };

        let mut task_types_used = vec![false; self.task_types.len()];
        for (path, name) in files.iter().zip(&names) {
            let source = match Source::read(path) {
                Ok(source) => source,
                Err(error) => {
                    failures.push(Failure::Read { path: path.clone(), error });
                    continue;
                }
            };
            if self.validate_only {
                match crate::check(&source) {
                    Ok(checked) => output.warnings(&checked.warnings, &source),
                    Err(diagnostics) => failures.push(Failure::Invalid { source, diagnostics }),
                }
                continue;
            }
            let settings = self.settings_for(path, &mut task_types_used);
            let generated = match Generator::new(&settings).generate(&source) {
                Ok(generated) => generated,
                Err(diagnostics) => {
                    failures.push(Failure::Invalid { source, diagnostics });
                    continue;
                }
            };
            output.warnings(&generated.warnings, &source);
            if !generated.task_type_errors.is_empty() {
                // The code would not compile (it holds a compile_error! per entry): say
                // why here, and leave any earlier, working file in place.
                for error in &generated.task_type_errors {
                    let state = settings.task_types().get(error.entry).map(|t| t.state.clone()).unwrap_or_default();
                    let message = error.message.clone();
                    failures.push(Failure::TaskTypes { definition: path.clone(), state, message });
                }
                continue;
            }
            // Name collisions and a missing output directory were reported already; the
            // definition was still checked, so its own diagnostics are not lost.
            let (Some(out_dir), Some(name)) = (&out_dir, name) else { continue };
            let code = format_code(&generated, &source, &mut output);
            let contents = format!("// @generated by asl-codegen from {}. Do not edit.\n\n{code}", path.display());
            let target = out_dir.join(format!("{name}.rs"));
            if let Err(error) = write_if_changed(&target, &contents) {
                failures.push(Failure::Write { path: target, error });
            }
        }

        if !self.validate_only {
            let unused = self.task_types.iter().zip(&task_types_used).filter(|(_, used)| !**used);
            for ((definition, entry), _) in unused {
                failures.push(Failure::TaskTypesWithoutDefinition {
                    definition: definition.clone(),
                    state: entry.state.clone(),
                });
            }
        }
        if let Some(error) = output.error {
            failures.push(Failure::CargoOutput(error));
        }
        if failures.is_empty() { Ok(()) } else { Err(BuildError { failures }) }
    }

    /// Lists the definitions (directories walked, duplicates dropped) and prints the
    /// rerun-if-changed lines, each input's line before the files found in it.
    fn resolve_inputs(&self, output: &mut CargoOutput<'_>, failures: &mut Vec<Failure>) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = Vec::new();
        let rerun = |path: &Path, output: &mut CargoOutput<'_>| {
            if self.emit_rerun_if_changed {
                output.line(&format!("cargo:rerun-if-changed={}", path.display()));
            }
        };
        for input in &self.inputs {
            match input {
                Input::File(path) => {
                    if !files.contains(path) {
                        rerun(path, output);
                        files.push(path.clone());
                    }
                }
                Input::Dir(dir) => {
                    // Cargo watches a directory recursively, so this line also catches
                    // definitions added to it later.
                    rerun(dir, output);
                    let mut found = Vec::new();
                    walk(dir, &mut found, failures);
                    found.sort();
                    for path in found {
                        if !files.contains(&path) {
                            rerun(&path, output);
                            files.push(path);
                        }
                    }
                }
            }
        }
        files
    }

    /// The settings for the definition at `path`: the shared ones plus its
    /// [`Builder::task_types`] entries, which are marked used.
    fn settings_for(&self, path: &Path, used: &mut [bool]) -> Settings {
        let mut settings = self.settings.clone();
        for ((definition, entry), used) in self.task_types.iter().zip(used) {
            if same_file(definition, path) {
                *used = true;
                settings = settings.with_task_types(&entry.state, &entry.input, &entry.output);
            }
        }
        settings
    }

    fn resolve_out_dir(&self, failures: &mut Vec<Failure>) -> Option<PathBuf> {
        let Some(dir) = self.out_dir.clone().or_else(|| std::env::var_os("OUT_DIR").map(PathBuf::from)) else {
            failures.push(Failure::NoOutDir);
            return None;
        };
        match std::fs::create_dir_all(&dir) {
            Ok(()) => Some(dir),
            Err(error) => {
                failures.push(Failure::Write { path: dir, error });
                None
            }
        }
    }
}

/// Where the `cargo:` lines go. The first write error is kept and reported once, rather
/// than aborting: the definitions' own diagnostics matter more.
struct CargoOutput<'a> {
    out: &'a mut dyn Write,
    error: Option<io::Error>,
}

impl CargoOutput<'_> {
    fn line(&mut self, line: &str) {
        if self.error.is_none()
            && let Err(error) = writeln!(self.out, "{line}")
        {
            self.error = Some(error);
        }
    }

    /// One `cargo:warning=` line per warning; Cargo reads these line by line, so line
    /// breaks inside a message become spaces.
    fn warnings(&mut self, warnings: &Diagnostics, source: &Source) {
        for warning in warnings {
            let text = warning.render_short(source).replace(['\r', '\n'], " ");
            self.line(&format!("cargo:warning={text}"));
        }
    }
}

/// Collects the definition files under `dir` (unsorted).
fn walk(dir: &Path, found: &mut Vec<PathBuf>, failures: &mut Vec<Failure>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            failures.push(Failure::Read { path: dir.to_path_buf(), error });
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                failures.push(Failure::Read { path: dir.to_path_buf(), error });
                continue;
            }
        };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(file_type) = entry.file_type() else { continue };
        if file_type.is_dir() {
            walk(&path, found, failures);
        } else if is_definition_name(&name) && (file_type.is_file() || path.is_file()) {
            found.push(path);
        }
    }
}

/// Whether two paths name the same file: equal as written, or once canonicalised (so
/// `./flows/a.asl.json` matches `flows/a.asl.json`).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

fn is_definition_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    DEFINITION_SUFFIXES.iter().any(|suffix| lower.ends_with(suffix) && lower.len() > suffix.len())
}

/// The output file stem of each definition, or `None` where two definitions would write
/// the same file (reported as a failure rather than letting one overwrite the other).
fn output_names(files: &[PathBuf], failures: &mut Vec<Failure>) -> Vec<Option<String>> {
    let names: Vec<String> = files.iter().map(|path| output_name(path)).collect();
    let mut first_user: BTreeMap<&str, usize> = BTreeMap::new();
    let mut result: Vec<Option<String>> = names.iter().cloned().map(Some).collect();
    for (i, name) in names.iter().enumerate() {
        match first_user.get(name.as_str()) {
            None => {
                first_user.insert(name, i);
            }
            Some(&first) => {
                failures.push(Failure::NameCollision {
                    name: format!("{name}.rs"),
                    first: files[first].clone(),
                    second: files[i].clone(),
                });
                result[first] = None;
                result[i] = None;
            }
        }
    }
    result
}

/// The file name of `path` without its definition suffix, made a Rust identifier.
fn output_name(path: &Path) -> String {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let lower = file_name.to_ascii_lowercase();
    let stem = STRIPPED_SUFFIXES
        .iter()
        .find(|suffix| lower.ends_with(*suffix))
        .map_or(file_name.as_str(), |suffix| &file_name[..file_name.len() - suffix.len()]);
    to_identifier(stem)
}

fn to_identifier(stem: &str) -> String {
    let mut ident: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if ident.is_empty() || ident == "_" {
        ident = "_flow".to_owned();
    } else if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
    } else if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

/// Rust's strict and reserved keywords (2024 edition), which cannot name a module.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Pretty-prints generated items with prettyplease. If they do not parse as a file (a bug
/// in the generator), the unformatted tokens are written with a warning: rustc then
/// reports the real problem in context, which is more useful than failing here.
#[cfg(feature = "format")]
fn format_code(generated: &Generated, source: &Source, output: &mut CargoOutput<'_>) -> String {
    match generated.to_pretty_string() {
        Ok(code) => code,
        Err(error) => {
            output.line(&format!(
                "cargo:warning=could not pretty-print the code generated from {} ({error}); wrote it unformatted",
                source.path().display()
            ));
            format!("{}\n", generated.tokens)
        }
    }
}

/// Without the `format` feature, the tokens are written as they are.
#[cfg(not(feature = "format"))]
fn format_code(generated: &Generated, _source: &Source, _output: &mut CargoOutput<'_>) -> String {
    format!("{}\n", generated.tokens)
}

/// Writes `contents` unless the file already holds exactly that, so an unchanged
/// definition does not bump the file's mtime and trigger a recompile of its includer.
fn write_if_changed(path: &Path, contents: &str) -> io::Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(());
    }
    std::fs::write(path, contents)
}

/// Why [`Builder::compile`] failed: every problem with every definition.
///
/// Its `Display` (and, so that `compile().unwrap()` in a build script shows the same
/// thing, its `Debug`) is the diagnostics rendered as source snippets: plain text, with
/// colours only when standard error is a terminal and `NO_COLOR` is unset. Cargo captures
/// a build script's output, so build failures are always plain.
pub struct BuildError {
    failures: Vec<Failure>,
}

/// One problem found by [`Builder::compile`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Failure {
    /// A definition is invalid. `diagnostics` holds its errors and warnings.
    Invalid {
        /// The definition (path and text), to render the diagnostics against.
        source: Source,
        /// Everything found wrong with it.
        diagnostics: Diagnostics,
    },
    /// A definition or directory could not be read.
    Read {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// The output directory or an output file could not be written.
    Write {
        /// The directory or file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// Two definitions would be written to the same file; neither was written.
    NameCollision {
        /// The output file name, e.g. `order.rs`.
        name: String,
        /// The first definition.
        first: PathBuf,
        /// The second definition.
        second: PathBuf,
    },
    /// A [`Builder::task_types`] entry does not fit its definition (the definition
    /// itself is valid); nothing was written for it.
    TaskTypes {
        /// The definition, as found.
        definition: PathBuf,
        /// The state the entry names.
        state: String,
        /// What is wrong, e.g. that no Task state has that name.
        message: String,
    },
    /// A [`Builder::task_types`] entry names a definition that is not among the inputs.
    TaskTypesWithoutDefinition {
        /// The definition as given to [`Builder::task_types`].
        definition: PathBuf,
        /// The state the entry names.
        state: String,
    },
    /// Neither [`Builder::out_dir`] nor the `OUT_DIR` environment variable was set.
    NoOutDir,
    /// The `cargo:` lines could not be written.
    CargoOutput(io::Error),
}

impl BuildError {
    /// Every problem, in input order.
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// The invalid definitions with their diagnostics.
    pub fn diagnostics(&self) -> impl Iterator<Item = (&Source, &Diagnostics)> {
        self.failures.iter().filter_map(|failure| match failure {
            Failure::Invalid { source, diagnostics } => Some((source, diagnostics)),
            _ => None,
        })
    }

    /// Renders every problem in the given style: each invalid definition as
    /// [`render_all`] does, the other problems as one `error: …` line each.
    pub fn render(&self, style: RenderStyle) -> String {
        let mut out = String::new();
        for failure in &self.failures {
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            match failure {
                Failure::Invalid { source, diagnostics } => out.push_str(&render_all(diagnostics, source, style)),
                other => {
                    out.push_str("error: ");
                    out.push_str(&other.to_string());
                    out.push('\n');
                }
            }
        }
        out
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Invalid { source, diagnostics } => {
                write!(f, "{}", render_all(diagnostics, source, RenderStyle::Plain).trim_end())
            }
            Failure::Read { path, error } => write!(f, "cannot read `{}`: {error}", path.display()),
            Failure::Write { path, error } => write!(f, "cannot write `{}`: {error}", path.display()),
            Failure::NameCollision { name, first, second } => write!(
                f,
                "`{}` and `{}` would both be written to `{name}`; rename one of them",
                first.display(),
                second.display()
            ),
            Failure::TaskTypes { definition, state, message } => {
                write!(f, "task types for `{state}` in `{}`: {message}", definition.display())
            }
            Failure::TaskTypesWithoutDefinition { definition, state } => write!(
                f,
                "task types for `{state}` name the definition `{}`, which is not among the inputs \
                 (add it with `file`, or check the path against the one `dir` finds)",
                definition.display()
            ),
            Failure::NoOutDir => f.write_str(
                "no output directory: OUT_DIR is not set (call `Builder::out_dir`, or run from a build script)",
            ),
            Failure::CargoOutput(error) => write!(f, "cannot print the `cargo:` lines: {error}"),
        }
    }
}

fn terminal_style() -> RenderStyle {
    if io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) {
        RenderStyle::Color
    } else {
        RenderStyle::Plain
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render(terminal_style()).trim_end())
    }
}

impl fmt::Debug for BuildError {
    /// The rendered diagnostics, starting on a new line so that after `unwrap()`'s
    /// "called `Result::unwrap()` on an `Err` value:" the snippets line up. `{:#?}` gives
    /// the structure instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.debug_struct("BuildError").field("failures", &self.failures).finish()
        } else {
            write!(f, "\n{self}")
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.failures.iter().find_map(|failure| match failure {
            Failure::Read { error, .. } | Failure::Write { error, .. } | Failure::CargoOutput(error) => {
                Some(error as &(dyn std::error::Error + 'static))
            }
            _ => None,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn output_names_are_identifiers() {
        assert_eq!(output_name(Path::new("flows/order.asl.json")), "order");
        assert_eq!(output_name(Path::new("flows/Order-Flow.ASL.YAML")), "Order_Flow");
        assert_eq!(output_name(Path::new("x.asl.yml")), "x");
        assert_eq!(output_name(Path::new("plain.json")), "plain");
        assert_eq!(output_name(Path::new("2fast.yaml")), "_2fast");
        assert_eq!(output_name(Path::new("type.asl.json")), "type_");
        assert_eq!(output_name(Path::new("é t.asl.json")), "__t");
        assert_eq!(output_name(Path::new(".asl.json")), "_flow");
        assert_eq!(output_name(Path::new("noext")), "noext");
    }

    #[test]
    fn definition_names() {
        assert!(is_definition_name("a.asl.json"));
        assert!(is_definition_name("a.ASL.yml"));
        assert!(!is_definition_name("a.json"));
        assert!(!is_definition_name(".asl.json"));
    }
}
