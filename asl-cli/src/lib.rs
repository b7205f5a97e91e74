//! The `asl` command: a thin front-end over [`asl_codegen`].
//!
//! [`Args`] is the command line (clap derive); each subcommand is one function that
//! returns the process exit status, so the command can be tested in-process as well as
//! by running the binary. Nothing here knows ASL: checking, positions and rendering all
//! come from `asl_codegen`.
//!
//! Exit statuses: [`EXIT_OK`] (0) when every definition is valid (warnings allowed),
//! [`EXIT_INVALID`] (1) when any definition is invalid or cannot be read, [`EXIT_USAGE`]
//! (2) for usage errors, including a path that does not exist.
#![deny(missing_docs)]

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use asl_codegen::render::{RenderStyle, render_all};
use asl_codegen::{Diagnostic, Diagnostics, Source, SourceFormat};
use clap::{Parser, Subcommand, ValueEnum};

pub mod expand;
pub mod graph;
mod idents;
pub mod serve;
pub mod ship;
pub mod test;

/// Every definition was valid (there may have been warnings).
pub const EXIT_OK: u8 = 0;
/// At least one definition was invalid or could not be read.
pub const EXIT_INVALID: u8 = 1;
/// The command line was wrong (clap uses the same status for its own usage errors).
pub const EXIT_USAGE: u8 = 2;

/// Tools for Amazon States Language (AWS Step Functions) workflow definitions.
#[derive(Debug, Parser)]
#[command(name = "asl", version, propagate_version = true)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check definitions the way AWS Step Functions does when a state machine is created.
    ///
    /// Each PATH is a definition file or a directory. Directories are searched
    /// recursively for `*.json`, `*.asl.yaml` and `*.asl.yml` files (hidden entries
    /// skipped); files named explicitly are checked whatever their extension, `.yaml` and
    /// `.yml` as YAML and everything else as JSON.
    ///
    /// A JSON file whose top level has a `definition` object and no `StartAt` or `States`
    /// (a test case that wraps a definition, like those of the conformance suite) is
    /// checked by its `definition`; positions still refer to the file itself.
    Validate(ValidateArgs),

    /// Run a directory of conformance cases through generated code.
    ///
    /// Every `*.json` case in DIR (the format of the conformance suite's README) is
    /// compiled with the same code generator users get and run on a virtual clock, with
    /// the case's `mocks` answering its Task states and its `execution` block fixing `$$`.
    /// Prints one block per failing case (what differs, and a diff of expected against
    /// actual), then `N passed, M failed, K skipped`. A case with `expected.history` must
    /// record the same event types in the same order. Cases whose Distributed Map reads its
    /// items from S3 (`ItemReader`) or exports its results there (`ResultWriter` with a
    /// `Resource`) are skipped: a case has no objects to give them.
    /// Exit status 0 only when no case failed.
    Test(test::TestArgs),

    /// Print the Rust code a definition compiles to (what `include_asl!` expands to and
    /// the build.rs `Builder` writes), formatted. Exit status 1 when the definition is
    /// invalid (its diagnostics go to standard error), 2 when the file cannot be read.
    Expand(expand::ExpandArgs),

    /// Serve the AWS Step Functions API (AWS JSON 1.0) on 127.0.0.1:8083, for the aws CLI,
    /// boto3 and the AWS SDKs (`--endpoint-url http://127.0.0.1:8083`, any credentials).
    ///
    /// State machines created through the API, and the definitions in FLOWS_DIR, run on
    /// asl-rs's engine; STANDARD executions are kept in the SQLite file `--db` and taken up
    /// again after a restart or a crash. Ctrl-C or SIGTERM stops it cleanly.
    Serve(Box<serve::ServeArgs>),

    /// Compile definitions into one executable that serves them (`BIN serve`, the flags of
    /// `asl serve`), runs one execution and exits with its status (`BIN run NAME --input
    /// JSON`), or lists them and what their Tasks need bound (`BIN list`).
    ///
    /// The definitions are checked as `asl validate` checks them (nothing is built if one
    /// is invalid) and compiled as `include_asl!` compiles them; the generated crate is
    /// built with Cargo, its dependencies cached between builds. A Task that nothing binds
    /// (not Lambda, http:invoke, an activity, a nested execution or a .waitForTaskToken
    /// task) is named in a warning: a mock configuration's test case must answer it.
    Build(ship::BuildArgs),

    /// Draw a definition as a graph: Mermaid (default), Graphviz DOT or a standalone SVG.
    ///
    /// Every state is a node whose shape and caption say its type; Choice rules label
    /// their edges with their conditions, Catch edges are dashed and labelled with their
    /// errors, Parallel branches and Map processors are nested boxes. Output goes to
    /// standard output, or to OUT (`-o`), whose extension picks the format when
    /// `--format` is not given. Exit status 1 when the definition is invalid (its
    /// diagnostics go to standard error), 2 when the file cannot be read.
    Graph(graph::GraphArgs),
}

/// Arguments of `asl validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Definition files and directories to check.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How to print the results.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// The type of state machine to check for, as `CreateStateMachine --type` (an EXPRESS
    /// machine cannot use activities, `.sync` or `.waitForTaskToken`).
    #[arg(long = "type", value_enum, default_value_t = MachineType::Standard, value_name = "TYPE")]
    pub machine_type: MachineType,
}

/// `asl validate --type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MachineType {
    /// Durable, up to a year (AWS's default).
    Standard,
    /// In memory, up to five minutes.
    Express,
}

impl MachineType {
    fn workflow_type(self) -> asl_codegen::WorkflowType {
        match self {
            MachineType::Standard => asl_codegen::WorkflowType::Standard,
            MachineType::Express => asl_codegen::WorkflowType::Express,
        }
    }
}

/// Output format of `asl validate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style snippets for each problem, then `N files checked: V valid, I invalid`.
    Text,
    /// A JSON array with one object per diagnostic: `file`, `line`, `column`, `end_line`,
    /// `end_column` (1-based, columns in characters, end exclusive), `code`, `aws_code`,
    /// `severity`, `message`, `pointer`, `help`, `label`, `notes`.
    Json,
}

/// Whether text output is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When standard output is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    fn style(self) -> RenderStyle {
        let color = match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        if color { RenderStyle::Color } else { RenderStyle::Plain }
    }
}

/// The `asl` command: parses the process's arguments (through `asl serve`'s `--config`
/// file, when one is named) and runs them.
pub fn main() -> std::process::ExitCode {
    use asl_server::cli::config_file::{self, Problem};
    use clap::{CommandFactory, FromArgMatches};
    let parsed = config_file::matches(&Args::command(), std::env::args_os().collect())
        .and_then(|matches| Args::from_arg_matches(&matches).map_err(Problem::Usage));
    match parsed {
        Ok(args) => std::process::ExitCode::from(run(args)),
        // clap prints usage errors (and --help) itself and exits with status 2 (0).
        Err(Problem::Usage(error)) => error.exit(),
        Err(Problem::File(message)) => {
            let _ = writeln!(io::stderr(), "error: {message}");
            std::process::ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Runs a parsed command line with the process's standard output and error, and returns
/// the exit status.
pub fn run(args: Args) -> u8 {
    let stdout = io::stdout();
    let stderr = io::stderr();
    match &args.command {
        Command::Validate(validate_args) => validate(validate_args, &mut stdout.lock(), &mut stderr.lock()),
        Command::Test(test_args) => test::run(test_args, &mut stdout.lock(), &mut stderr.lock()),
        Command::Expand(expand_args) => expand::run(expand_args, &mut stdout.lock(), &mut stderr.lock()),
        Command::Serve(serve_args) => serve::run(serve_args, &mut io::stdout(), &mut io::stderr()),
        Command::Build(build_args) => ship::run(build_args, &mut io::stdout(), &mut io::stderr()),
        Command::Graph(graph_args) => graph::run(graph_args, &mut stdout.lock(), &mut stderr.lock()),
    }
}

/// `asl validate`: checks every definition named by `args`, prints the results to `out`
/// and usage problems to `err`, and returns the exit status.
pub fn validate(args: &ValidateArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let Some(files) = discover(&args.paths, err) else {
        return EXIT_USAGE;
    };
    let kind = args.machine_type.workflow_type();
    let reports: Vec<Report> = files.into_iter().map(|found| check(found, kind)).collect();
    let printed = match args.format {
        Format::Text => print_text(&reports, args.color.style(), out),
        Format::Json => print_json(&reports, out),
    };
    if let Err(error) = printed {
        // A closed pipe (`asl validate … | head`) is the reader's choice, not a failure
        // worth a message.
        if error.kind() != io::ErrorKind::BrokenPipe {
            let _ = writeln!(err, "error: cannot write the results: {error}");
        }
    }
    if reports.iter().all(Report::is_valid) { EXIT_OK } else { EXIT_INVALID }
}

/// A file to check, or a directory that could not be listed.
enum Found {
    File(PathBuf),
    Unlistable(PathBuf, io::Error),
}

/// Expands the paths into the files to check, in order: each file as given, each
/// directory's files sorted. Returns `None` (after saying why on `err`) if a path does
/// not exist or cannot be accessed, before anything is checked.
fn discover(paths: &[PathBuf], err: &mut dyn Write) -> Option<Vec<Found>> {
    let mut found = Vec::new();
    let mut usage_error = false;
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let mut in_dir = Vec::new();
                walk(path, &mut in_dir);
                in_dir.sort_by(|a, b| found_path(a).cmp(found_path(b)));
                found.extend(in_dir);
            }
            Ok(_) => found.push(Found::File(path.clone())),
            Err(error) => {
                usage_error = true;
                let _ = if error.kind() == io::ErrorKind::NotFound {
                    writeln!(err, "error: no such file or directory: `{}`", path.display())
                } else {
                    writeln!(err, "error: cannot access `{}`: {error}", path.display())
                };
            }
        }
    }
    if usage_error {
        return None;
    }
    // A file named twice (or named and also inside a named directory) is checked once.
    let mut seen = HashSet::new();
    found.retain(|f| seen.insert(found_path(f).to_path_buf()));
    Some(found)
}

fn found_path(found: &Found) -> &Path {
    match found {
        Found::File(path) | Found::Unlistable(path, _) => path,
    }
}

/// Collects the candidate files under `dir`. Plain `*.json` is included (definitions
/// exported from AWS and test-case files carry no `.asl` infix) but plain YAML is not:
/// too many YAML files in a repository (CI, SAM templates) are not definitions.
/// Symbolic links to directories are not followed, so a cycle cannot hang the walk.
fn walk(dir: &Path, found: &mut Vec<Found>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            found.push(Found::Unlistable(dir.to_path_buf(), error));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                found.push(Found::Unlistable(dir.to_path_buf(), error));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(file_type) = entry.file_type() else { continue };
        if file_type.is_dir() {
            walk(&path, found);
        } else if [".json", ".asl.yaml", ".asl.yml"].iter().any(|ext| name.ends_with(ext))
            && (file_type.is_file() || path.is_file())
        {
            found.push(Found::File(path));
        }
    }
}

/// What checking one file found.
struct Report {
    path: PathBuf,
    outcome: Outcome,
}

enum Outcome {
    /// The file was read and checked.
    Checked {
        /// The file as read; diagnostics are rendered against it.
        source: Source,
        /// Errors and warnings.
        diagnostics: Diagnostics,
        /// Whether the definition is valid.
        valid: bool,
        /// Prepended to the diagnostics' JSON Pointers: `/definition` for a test-case
        /// file, so the pointers are into the file that was named.
        pointer_prefix: &'static str,
    },
    /// The file (or directory) could not be read.
    Unreadable(io::Error),
}

impl Report {
    fn is_valid(&self) -> bool {
        matches!(self.outcome, Outcome::Checked { valid: true, .. })
    }
}

fn check(found: Found, kind: asl_codegen::WorkflowType) -> Report {
    let path = match found {
        Found::File(path) => path,
        Found::Unlistable(path, error) => return Report { path, outcome: Outcome::Unreadable(error) },
    };
    let source = match Source::read(&path) {
        Ok(source) => source,
        Err(error) => return Report { path, outcome: Outcome::Unreadable(error) },
    };
    let case = case_definition(&source);
    let (diagnostics, valid) = match asl_codegen::check_as(case.as_ref().unwrap_or(&source), kind) {
        Ok(checked) => (checked.warnings, true),
        Err(diagnostics) => (diagnostics, false),
    };
    let pointer_prefix = if case.is_some() { "/definition" } else { "" };
    Report { path, outcome: Outcome::Checked { source, diagnostics, valid, pointer_prefix } }
}

/// If `source` is a test-case file (a JSON object with a `definition` object and no
/// `StartAt`/`States` of its own), a source to check in its place: the same text with
/// everything before the definition blanked out and everything after it cut off.
///
/// Blanking rather than cutting keeps every byte offset, and so every line and column,
/// the same as in the file: the diagnostics found in the blanked text can be rendered
/// against the real file, snippet lines and all. Line breaks are kept and every other
/// byte becomes a space, which JSON skips.
pub(crate) fn case_definition(source: &Source) -> Option<Source> {
    if source.format() != SourceFormat::Json {
        return None;
    }
    let root = asl_codegen::read(source, &mut Diagnostics::new())?;
    if root.get("StartAt").is_some() || root.get("States").is_some() {
        return None;
    }
    let definition = &root.get("definition")?.value;
    definition.as_object()?;
    let span = definition.span;
    let prefix = source.text().get(..span.start)?;
    let mut text: String = prefix.bytes().map(|b| if b == b'\n' || b == b'\r' { b as char } else { ' ' }).collect();
    text.push_str(source.text().get(span.start..span.end)?);
    Some(Source::with_format(source.path(), text, SourceFormat::Json))
}

fn print_text(reports: &[Report], style: RenderStyle, out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        match &report.outcome {
            Outcome::Checked { source, diagnostics, .. } => {
                if !diagnostics.is_empty() {
                    writeln!(out, "{}", render_all(diagnostics, source, style))?;
                }
            }
            Outcome::Unreadable(error) => writeln!(out, "error: cannot read `{}`: {error}\n", report.path.display())?,
        }
    }
    let valid = reports.iter().filter(|r| r.is_valid()).count();
    let files = if reports.len() == 1 { "file" } else { "files" };
    writeln!(out, "{} {files} checked: {valid} valid, {} invalid", reports.len(), reports.len() - valid)?;
    out.flush()
}

fn print_json(reports: &[Report], out: &mut dyn Write) -> io::Result<()> {
    let mut items = Vec::new();
    for report in reports {
        match &report.outcome {
            Outcome::Checked { source, diagnostics, pointer_prefix, .. } => {
                items.extend(diagnostics.iter().map(|d| diagnostic_json(d, source, pointer_prefix)));
            }
            // Not a diagnostic of the definition, but a consumer of the array must still
            // learn that the file was not checked: same shape, nulls where nothing applies.
            Outcome::Unreadable(error) => items.push(serde_json::json!({
                "file": report.path.display().to_string(),
                "line": null,
                "column": null,
                "end_line": null,
                "end_column": null,
                "code": null,
                "aws_code": null,
                "severity": "error",
                "message": format!("cannot read the file: {error}"),
                "pointer": null,
                "help": null,
                "label": null,
                "notes": [],
            })),
        }
    }
    // Serialised first, so that a failed write keeps its `io::ErrorKind` (a closed pipe is
    // not reported) instead of arriving wrapped in a `serde_json::Error`.
    let text = serde_json::to_string_pretty(&items).map_err(io::Error::other)?;
    writeln!(out, "{text}")?;
    out.flush()
}

fn diagnostic_json(d: &Diagnostic, source: &Source, pointer_prefix: &str) -> serde_json::Value {
    let start = source.line_col(d.span.start);
    let end = source.line_col(d.span.end);
    serde_json::json!({
        "file": source.path().display().to_string(),
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "code": d.code.id(),
        "aws_code": d.code.aws_code(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "pointer": format!("{pointer_prefix}{}", d.pointer),
        "help": d.help,
        "label": d.label,
        "notes": d.notes,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    #[test]
    fn args_parse() {
        let args = Args::try_parse_from(["asl", "validate", "--format", "json", "a.asl.json", "dir"]).expect("parses");
        let Command::Validate(v) = args.command else { panic!("not `asl validate`") };
        assert_eq!(v.format, Format::Json);
        assert_eq!(v.paths, [PathBuf::from("a.asl.json"), PathBuf::from("dir")]);
        assert!(Args::try_parse_from(["asl", "validate"]).is_err());
        assert!(Args::try_parse_from(["asl", "validate", "--format", "xml", "a"]).is_err());
    }

    #[test]
    fn case_files_keep_positions() {
        let text = "{\n  \"name\": \"é\",\n  \"definition\": {\"StartAt\": \"A\"},\n  \"input\": {}\n}\n";
        let source = Source::new("case.json", text);
        let inner = case_definition(&source).expect("a case file");
        let start = text.find("{\"StartAt\"").expect("definition");
        assert_eq!(inner.text().len(), text.find("},\n  \"input\"").expect("end") + 1);
        assert_eq!(&inner.text()[start..], "{\"StartAt\": \"A\"}");
        assert_eq!(inner.line_col(start), source.line_col(start));
        assert!(inner.text()[..start].chars().all(char::is_whitespace));
    }

    #[test]
    fn definitions_are_not_case_files() {
        let source = Source::new("d.json", r#"{"StartAt": "A", "States": {}, "definition": {}}"#);
        assert!(case_definition(&source).is_none());
        let source = Source::new("d.json", r#"{"definition": "not an object"}"#);
        assert!(case_definition(&source).is_none());
        let source = Source::new("d.json", "{");
        assert!(case_definition(&source).is_none());
    }
}

#[cfg(test)]
mod command_tests {
    use clap::CommandFactory;

    /// clap's own checks of the command (unique names and groups…), which otherwise run
    /// only when a subcommand is used.
    #[test]
    fn the_command_line_is_well_formed() {
        super::Args::command().debug_assert();
    }
}
