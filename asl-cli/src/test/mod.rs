//! `asl test DIR`: runs a directory of conformance cases (the format of
//! `conformance/README.md`) through generated code.
//!
//! Cases are compiled, never interpreted. Every case's definition goes through the same
//! [`asl_codegen::Generator`] users get; the generated modules are written into a scratch
//! Cargo workspace together with a small runner (module `scratch`), built with one `cargo
//! build`, and the runner binary executes each case the way users run executions: through
//! its own `asl_runtime::Runtime` with a store (`--store`: a SQLite file per case, or
//! memory), on a virtual clock, with the case's mocks as the task handler and answering
//! task tokens and activities through the runtime's callbacks. What it reports is then
//! compared with the case's `expected` block (module `compare`).
//!
//! A case is skipped only when it needs a feature a later issue adds, and the reason says
//! which ([`skip_reason`]). Expected histories are compared by event type.
//!
//! Exit statuses: 0 when no case failed, 1 when one did (or the runner could not be built
//! or run), 2 for usage errors.

mod compare;
mod run;
mod scratch;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use asl_codegen::render::{RenderStyle, render_all};
use asl_codegen::{Generator, Settings, Source};
use serde_json::Value;

use crate::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use compare::Failure;
use scratch::{Actual, Compiled};

/// Arguments of `asl test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// The directory of case files: every `*.json` directly in it (not in subdirectories),
    /// in file-name order.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// How to print the results.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Parallel build jobs, and runner processes executing the cases (default: the
    /// number of CPUs).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Keep the generated scratch crate (and its build artifacts) after the run, and print
    /// where it is. Otherwise both are removed; the compiled dependencies (asl-runtime,
    /// tokio, serde_json) are kept for the next run either way.
    #[arg(long)]
    pub keep: bool,

    /// Where the runtime that runs each case commits its execution: a fresh SQLite file
    /// per case (in the scratch directory, deleted after the case), or memory.
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    pub store: StoreKind,
}

/// The store of the runtime each case runs through (`--store`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreKind {
    /// `SqliteStore`: each case in a fresh SQLite file, committed to disk as in production.
    Sqlite,
    /// `MemoryStore`: the same commits, kept in memory.
    Memory,
}

impl StoreKind {
    /// The runner's name for it.
    fn as_str(self) -> &'static str {
        match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Memory => "memory",
        }
    }
}

/// Output format of `asl test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One block per failing case (its name, what differs, and a diff of expected against
    /// actual), then `N passed, M failed, K skipped` as the last line.
    Text,
    /// A JSON array with one object per case: `name`, `result` (`pass`, `fail` or `skip`)
    /// and `reason` (`null` for a pass).
    Json,
}

/// The verdict on one case.
#[derive(Debug)]
enum Verdict {
    /// It behaved as expected.
    Pass,
    /// It did not, or it could not be run.
    Fail(Failure),
    /// It needs a feature a later issue adds.
    Skip(&'static str),
}

/// One case file and what became of it.
struct Case {
    /// The case's `name` (the file stem when it has none).
    name: String,
    /// The verdict, once known.
    verdict: Option<Verdict>,
    /// The parsed file, for cases that are run.
    document: Option<Value>,
}

/// `asl test`: runs every case in `args.dir`, prints the results to `out` and progress
/// and problems to `err`, and returns the exit status.
pub fn run(args: &TestArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let files = match case_files(&args.dir) {
        Ok(files) => files,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            return EXIT_USAGE;
        }
    };
    let jobs =
        args.jobs.map_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get), usize::from);

    let generator = Generator::new(&Settings::new().allow_run_time_failures());
    let mut cases = Vec::with_capacity(files.len());
    let mut compiled = Vec::new();
    for file in &files {
        let (case, code) = prepare(file, &generator);
        if let Some(code) = code {
            compiled.push(Compiled { case: cases.len(), name: case.name.clone(), file: file.clone(), code });
        }
        cases.push(case);
    }

    if !compiled.is_empty() {
        let options = scratch::Options { dir: &args.dir, jobs, keep: args.keep, store: args.store };
        let started = Instant::now();
        match scratch::build_and_run(&compiled, &options, err) {
            Ok(actuals) => {
                for (entry, actual) in compiled.iter().zip(actuals) {
                    if let Some(case) = cases.get_mut(entry.case) {
                        case.verdict = Some(judge(case.document.as_ref(), actual));
                    }
                }
            }
            Err(message) => {
                let _ = writeln!(err, "error: {message}");
                return EXIT_INVALID;
            }
        }
        let _ = writeln!(err, "asl test: {} cases built and run in {:.1} s", compiled.len(), secs(started));
    }

    print_skip_reasons(&cases, err);

    let printed = match args.format {
        Format::Text => print_text(&cases, out),
        Format::Json => print_json(&cases, out),
    };
    if let Err(error) = printed
        && error.kind() != io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(err, "error: cannot write the results: {error}");
    }
    let failed = cases.iter().any(|c| !matches!(c.verdict, Some(Verdict::Pass | Verdict::Skip(_))));
    if failed { EXIT_INVALID } else { EXIT_OK }
}

/// Seconds since `started`.
fn secs(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}

/// The `*.json` files directly in `dir`, sorted by name; a usage error if `dir` is not a
/// readable directory.
fn case_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|error| {
        if error.kind() == io::ErrorKind::NotFound {
            format!("no such directory: `{}`", dir.display())
        } else if dir.is_file() {
            format!("`{}` is a file; `asl test` takes a directory of cases", dir.display())
        } else {
            format!("cannot read the directory `{}`: {error}", dir.display())
        }
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| format!("cannot read the directory `{}`: {error}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        let path = entry.path();
        if !name.starts_with('.') && name.ends_with(".json") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads one case file and decides what to do with it: a verdict already (unreadable,
/// skipped, invalid definition), or the generated code to run.
fn prepare(file: &Path, generator: &Generator) -> (Case, Option<String>) {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut case = Case { name: stem, verdict: None, document: None };
    let source = match Source::read(file) {
        Ok(source) => source,
        Err(error) => {
            case.verdict = Some(Verdict::Fail(Failure::new(format!("cannot read the case file: {error}"))));
            return (case, None);
        }
    };
    let document: Value = match serde_json::from_str(source.text()) {
        Ok(document) => document,
        Err(error) => {
            case.verdict = Some(Verdict::Fail(Failure::new(format!("the case file is not JSON: {error}"))));
            return (case, None);
        }
    };
    if let Some(name) = document.get("name").and_then(Value::as_str) {
        name.clone_into(&mut case.name);
    }
    if let Some(problem) = shape_problem(&document) {
        case.verdict = Some(Verdict::Fail(Failure::new(format!("not a conformance case: {problem}"))));
        return (case, None);
    }
    let definition = document.get("definition").unwrap_or(&Value::Null);
    if let Some(reason) = skip_reason(definition) {
        case.verdict = Some(Verdict::Skip(reason));
        return (case, None);
    }
    // `shape_problem` made sure there is a `definition` object, so this finds it.
    let Some(inner) = crate::case_definition(&source) else {
        case.verdict = Some(Verdict::Fail(Failure::new("not a conformance case: no `definition` object")));
        return (case, None);
    };
    let generated = match generator.generate(&inner) {
        Ok(generated) => generated,
        Err(diagnostics) => {
            let rendered = render_all(&diagnostics, &source, RenderStyle::Plain);
            case.verdict = Some(Verdict::Fail(Failure::with_detail("the definition is invalid", rendered)));
            return (case, None);
        }
    };
    match generated.to_pretty_string() {
        Ok(code) => {
            case.document = Some(document);
            (case, Some(code))
        }
        Err(error) => {
            let failure =
                Failure::new(format!("the generator produced tokens that are not Rust (a generator bug): {error}"));
            case.verdict = Some(Verdict::Fail(failure));
            (case, None)
        }
    }
}

/// What is wrong with the top level of a case file, if anything.
fn shape_problem(document: &Value) -> Option<&'static str> {
    let Some(object) = document.as_object() else {
        return Some("the file is not a JSON object");
    };
    if !object.get("definition").is_some_and(Value::is_object) {
        return Some("no `definition` object");
    }
    let Some(expected) = object.get("expected").and_then(Value::as_object) else {
        return Some("no `expected` object");
    };
    if !expected.get("status").is_some_and(Value::is_string) {
        return Some("no `expected.status`");
    }
    None
}

/// Why a case must be skipped: it needs a feature that a later issue adds. `None` for
/// every other case, which is run.
///
/// Looks at the state machine's structure (states, their Catchers and Choice rules,
/// Parallel branches, Map processors), never into payload templates, so a key named
/// `Assign` inside `Parameters` is data, not a variable assignment.
pub fn skip_reason(definition: &Value) -> Option<&'static str> {
    let mut needs = Needs::default();
    needs.machine(definition);
    if needs.s3_map { Some("Distributed Map ItemReader/ItemBatcher/ResultWriter (a later issue)") } else { None }
}

/// Features found in a definition that the runtime does not have yet.
#[derive(Default)]
struct Needs {
    /// A Distributed Map that reads items from S3, batches them or writes results to S3.
    s3_map: bool,
}

impl Needs {
    /// A state machine, Parallel branch or Map processor.
    fn machine(&mut self, machine: &Value) {
        for state in machine.get("States").and_then(Value::as_object).into_iter().flat_map(|s| s.values()) {
            self.state(state);
        }
    }

    /// One state, and the containers nested in it.
    fn state(&mut self, state: &Value) {
        if ["ItemReader", "ItemBatcher", "ResultWriter"].iter().any(|key| state.get(key).is_some()) {
            self.s3_map = true;
        }
        for branch in state.get("Branches").and_then(Value::as_array).into_iter().flatten() {
            self.machine(branch);
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(processor) = state.get(key) {
                self.machine(processor);
            }
        }
    }
}

/// Compares what the runner reported with the case's `expected` block.
fn judge(document: Option<&Value>, actual: Actual) -> Verdict {
    let expected = document.and_then(|d| d.get("expected")).unwrap_or(&Value::Null);
    match actual {
        Actual::Finished(finished) => match compare::compare(expected, &finished) {
            Ok(()) => Verdict::Pass,
            Err(failure) => Verdict::Fail(failure),
        },
        Actual::RunnerError(message) => Verdict::Fail(Failure::new(format!("runner error: {message}"))),
        Actual::CompileError(rendered) => {
            Verdict::Fail(Failure::with_detail("the generated code does not compile", rendered))
        }
    }
}

/// Counts of skipped cases by reason, on `err` (stdout's last line stays the summary).
fn print_skip_reasons(cases: &[Case], err: &mut dyn Write) {
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for case in cases {
        if let Some(Verdict::Skip(reason)) = &case.verdict {
            match reasons.iter_mut().find(|(r, _)| r == reason) {
                Some((_, count)) => *count += 1,
                None => reasons.push((reason, 1)),
            }
        }
    }
    for (reason, count) in reasons {
        let _ = writeln!(err, "skipped {count}: {reason}");
    }
}

/// `--format text`: a block per failing case, then the counts as the last line.
fn print_text(cases: &[Case], out: &mut dyn Write) -> io::Result<()> {
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for case in cases {
        match &case.verdict {
            Some(Verdict::Pass) => passed += 1,
            Some(Verdict::Skip(_)) => skipped += 1,
            Some(Verdict::Fail(failure)) => {
                failed += 1;
                writeln!(out, "FAIL {}: {}", case.name, failure.summary)?;
                for line in failure.detail.lines() {
                    writeln!(out, "    {line}")?;
                }
            }
            None => {
                failed += 1;
                writeln!(out, "FAIL {}: not run (an `asl test` bug)", case.name)?;
            }
        }
    }
    writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped")?;
    out.flush()
}

/// `--format json`: one `{name, result, reason}` per case, in file-name order.
fn print_json(cases: &[Case], out: &mut dyn Write) -> io::Result<()> {
    let items: Vec<Value> = cases
        .iter()
        .map(|case| {
            let (result, reason) = match &case.verdict {
                Some(Verdict::Pass) => ("pass", Value::Null),
                Some(Verdict::Skip(reason)) => ("skip", Value::from(*reason)),
                Some(Verdict::Fail(failure)) => ("fail", Value::from(failure.to_string())),
                None => ("fail", Value::from("not run (an `asl test` bug)")),
            };
            serde_json::json!({ "name": case.name, "result": result, "reason": reason })
        })
        .collect();
    let text = serde_json::to_string_pretty(&items).map_err(io::Error::other)?;
    writeln!(out, "{text}")?;
    out.flush()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;
    use serde_json::json;

    fn machine(states: Value) -> Value {
        json!({ "StartAt": "A", "States": states })
    }

    #[test]
    fn plain_machines_are_run() {
        let definition = machine(json!({
            "A": { "Type": "Pass", "Parameters": { "Assign": 1, "QueryLanguage": "JSONata" }, "Next": "B" },
            "B": { "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true }
        }));
        assert_eq!(skip_reason(&definition), None);
    }

    #[test]
    fn jsonata_is_run() {
        let top = json!({ "QueryLanguage": "JSONata", "StartAt": "A", "States": { "A": { "Type": "Succeed" } } });
        assert_eq!(skip_reason(&top), None);
    }

    #[test]
    fn s3_maps_are_skipped_but_not_tokens_activities_or_variables() {
        let token = machine(json!({
            "A": { "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true }
        }));
        assert_eq!(skip_reason(&token), None);
        let activity = machine(json!({
            "A": { "Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:a", "End": true }
        }));
        assert_eq!(skip_reason(&activity), None);
        let token_in_parameters = machine(json!({
            "A": { "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync", "End": true,
                   "Parameters": { "Input": { "TaskToken.$": "$$.Task.Token" } } }
        }));
        assert_eq!(skip_reason(&token_in_parameters), None);
        let assign = machine(json!({
            "A": { "Type": "Choice", "Choices": [
                { "Variable": "$.x", "IsPresent": true, "Next": "B", "Assign": { "y": 1 } }
            ], "Default": "B" },
            "B": { "Type": "Succeed" }
        }));
        assert_eq!(skip_reason(&assign), None, "JSONPath variables run");
        let distributed = machine(json!({
            "A": { "Type": "Map", "End": true, "ItemProcessor": {
                "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
                "StartAt": "B", "States": { "B": { "Type": "Succeed" } }
            } }
        }));
        assert_eq!(skip_reason(&distributed), None);
        let reader = machine(json!({
            "A": { "Type": "Map", "End": true,
                "ItemReader": { "Resource": "arn:aws:states:::s3:getObject", "Parameters": { "Bucket": "b", "Key": "k" } },
                "ItemProcessor": {
                    "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
                    "StartAt": "B", "States": { "B": { "Type": "Succeed" } }
            } }
        }));
        assert_eq!(skip_reason(&reader), Some("Distributed Map ItemReader/ItemBatcher/ResultWriter (a later issue)"));
        let inline = machine(json!({
            "A": { "Type": "Map", "End": true, "ItemProcessor": {
                "ProcessorConfig": { "Mode": "INLINE" },
                "StartAt": "B", "States": { "B": { "Type": "Succeed" } }
            } }
        }));
        assert_eq!(skip_reason(&inline), None);
    }

    #[test]
    fn case_shape() {
        assert_eq!(shape_problem(&json!([])), Some("the file is not a JSON object"));
        assert_eq!(shape_problem(&json!({ "definition": {} })), Some("no `expected` object"));
        assert_eq!(shape_problem(&json!({ "definition": {}, "expected": {} })), Some("no `expected.status`"));
        assert_eq!(shape_problem(&json!({ "definition": {}, "expected": { "status": "SUCCEEDED" } })), None);
    }

    #[test]
    fn args_parse() {
        use clap::Parser;
        let args = crate::Args::try_parse_from(["asl", "test", "--format", "json", "-j", "3", "--keep", "cases"])
            .expect("parses");
        let crate::Command::Test(test) = args.command else { panic!("not `asl test`") };
        assert_eq!(test.format, Format::Json);
        assert_eq!(test.jobs, Some(3));
        assert!(test.keep);
        assert_eq!(test.store, StoreKind::Sqlite, "SQLite is the default");
        assert_eq!(test.dir, PathBuf::from("cases"));
        let args = crate::Args::try_parse_from(["asl", "test", "--store", "memory", "cases"]).expect("parses");
        let crate::Command::Test(test) = args.command else { panic!("not `asl test`") };
        assert_eq!(test.store, StoreKind::Memory);
        assert!(crate::Args::try_parse_from(["asl", "test", "--store", "postgres", "cases"]).is_err());
        assert!(crate::Args::try_parse_from(["asl", "test"]).is_err());
        assert!(crate::Args::try_parse_from(["asl", "test", "--jobs", "0", "cases"]).is_err());
    }
}
