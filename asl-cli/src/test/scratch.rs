//! The scratch workspace `asl test` builds the runner in (with the cases compiled into it,
//! on the compiled route), and running its binary.
//!
//! # Layout
//!
//! Everything lives under `<cache>/asl-test/`, where `<cache>` is `$CARGO_TARGET_DIR`,
//! else the Cargo target directory the `asl` executable itself was built in (the nearest
//! ancestor holding Cargo's `CACHEDIR.TAG`), else the system temp directory:
//!
//! ```text
//! <cache>/asl-test/target/          the build directory, shared by every run, so that
//!                                   asl-runtime, asl-codegen, tokio and serde_json
//!                                   compile once
//! <cache>/asl-test/<hash of DIR>/   the scratch workspace for one case directory
//!                                   (`<hash>-loaded/` on the loaded route)
//!     Cargo.toml                    members, shared dependencies, profile
//!     Cargo.lock                    copied from the asl-rs workspace: same versions, offline
//!     chunk_<k>/src/lib.rs          compiled route: `pub mod case_<name>;` per case + a
//!                                   table of workflows
//!     chunk_<k>/src/case_<name>.rs  compiled route: the generated code of one case, as
//!                                   `asl expand` shows it
//!     runner/src/main.rs            the runner (template `runner_main.rs`)
//!     runner/src/workflows.rs       where the runner finds each case's workflow: the table
//!                                   of every chunk's workflows (compiled route), or the
//!                                   template `runner_load.rs`, which loads the definition
//!                                   from the case file (loaded route)
//!     manifest.json                 which case file each runner position reads
//!     stores/<position>/            with `--store sqlite`: the SQLite file of the case
//!                                   running at that position (deleted after the case)
//! ```
//!
//! On the compiled route the cases are split into library crates of about
//! [`CASES_PER_CRATE`] (and at least one per job), so Cargo compiles them in parallel,
//! rustc's memory stays modest, and a compile error is confined to one crate. On the
//! loaded route there is nothing per case to build: the runner depends on asl-codegen, and
//! once that is in the shared build directory a build compiles the runner alone. Unless
//! `--keep`, the scratch workspace is removed after the run, and so are its own artifacts
//! in the build directory; the shared dependencies stay.
//!
//! # Compile errors
//!
//! Each case's code is its own file, so a rustc error is attributed to the case whose
//! file (or whose line of its crate's `lib.rs`) it points at. Those cases fail with the
//! error and the build is retried without them (`--keep-going` makes one build find the
//! errors of every crate). An error no case can be blamed for (in asl-runtime, say)
//! stops the run.
//!
//! # Running
//!
//! See [`mod@super::run`]: `--jobs` processes, each over a contiguous range of the cases.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

use super::compare::Finished;
use super::run::{read_in_background, tail};

/// The runner's source, copied into every scratch workspace.
const RUNNER_MAIN: &str = include_str!("runner_main.rs");
/// The runner's `workflows` module on the loaded route.
const RUNNER_LOAD: &str = include_str!("runner_load.rs");
/// asl-runtime's sources, which generated code and the runner depend on.
const RUNTIME_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../asl-runtime");
/// asl-codegen's sources, which the runner depends on to load definitions (loaded route).
const CODEGEN_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../asl-codegen");
/// The asl-rs workspace's lock file: the scratch workspace uses the same versions.
const WORKSPACE_LOCK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock");
/// Cases per generated library crate (there is at least one crate per job).
pub(crate) const CASES_PER_CRATE: usize = 100;
/// Builds tried before giving up, each without the cases the previous one blamed.
const MAX_BUILDS: usize = 4;
/// Compiler errors kept per case, and in a fatal build report.
const MAX_ERRORS_SHOWN: usize = 5;

/// How to build and run.
pub(crate) struct Options<'a> {
    /// The case directory (its canonical path names the scratch workspace).
    pub dir: &'a Path,
    /// Parallel build jobs and runner processes.
    pub jobs: usize,
    /// Keep the scratch workspace afterwards.
    pub keep: bool,
    /// The store of each case's runtime.
    pub store: super::StoreKind,
    /// Compiled into the runner, or loaded by it.
    pub route: super::Route,
}

/// A case ready to build and run.
pub(crate) struct Prepared {
    /// Index of the case in the caller's list.
    pub case: usize,
    /// The case's name.
    pub name: String,
    /// The case file (the runner reads input, mocks and `execution` from it, and on the
    /// loaded route the definition).
    pub file: PathBuf,
    /// The generated Rust items, on the compiled route.
    pub code: Option<String>,
}

/// What became of one compiled case.
#[derive(Debug)]
pub(crate) enum Actual {
    /// The execution ended.
    Finished(Finished),
    /// The runner could not run it as the case asks (no mock, a panic, a crash…).
    RunnerError(String),
    /// Its generated code did not compile.
    CompileError(String),
    /// Its definition did not load (loaded route): the diagnostics, rendered against the
    /// case file.
    Invalid(String),
}

/// Builds every case into one runner binary and runs it; returns what happened to each
/// case, in order, or why nothing could be run.
pub(crate) fn build_and_run(
    cases: &[Prepared],
    options: &Options<'_>,
    err: &mut dyn Write,
) -> Result<Vec<Actual>, String> {
    let sources = |dir: &str, name: &str| {
        Path::new(dir).canonicalize().map_err(|e| format!("`asl test` needs {name}'s sources at {dir}: {e}"))
    };
    let crates = Crates {
        runtime: sources(RUNTIME_DIR, "asl-runtime")?,
        codegen: match options.route {
            super::Route::Compiled => None,
            super::Route::Loaded => Some(sources(CODEGEN_DIR, "asl-codegen")?),
        },
    };
    let cache = cache_dir().join("asl-test");
    let dir = options.dir.canonicalize().unwrap_or_else(|_| options.dir.to_path_buf());
    // Each route has a workspace of its own, so both can run on one directory at once.
    let hash = match options.route {
        super::Route::Compiled => format!("{:016x}", fnv1a(dir.to_string_lossy().as_bytes())),
        super::Route::Loaded => format!("{:016x}-loaded", fnv1a(dir.to_string_lossy().as_bytes())),
    };
    let scratch = cache.join(&hash);
    let build_dir = cache.join("target");
    let names = Names { prefix: format!("asl-test-{hash}") };
    let modules = module_names(cases);

    let mut results: Vec<Option<Actual>> = cases.iter().map(|_| None).collect();
    let outcome = build_rounds(cases, &modules, &crates, &scratch, &build_dir, &names, options, &mut results, err);
    let outcome = outcome.map(|(binary, included)| {
        let started = Instant::now();
        let manifest = scratch.join("manifest.json");
        let entries: Vec<Value> = included
            .iter()
            .filter_map(|&i| Some(json!({ "key": modules.get(i)?, "file": cases.get(i)?.file.to_string_lossy() })))
            .collect();
        let written = serde_json::to_string_pretty(&entries)
            .map_err(io::Error::other)
            .and_then(|text| std::fs::write(&manifest, text));
        let actuals = match written {
            Ok(()) => super::run::run_all(&binary, &manifest, included.len(), options.jobs, options.store.as_str()),
            Err(e) => included
                .iter()
                .map(|_| Actual::RunnerError(format!("cannot write {}: {e}", manifest.display())))
                .collect(),
        };
        let _ = writeln!(err, "asl test: ran {} cases in {:.1} s", included.len(), started.elapsed().as_secs_f64());
        for (i, actual) in included.into_iter().zip(actuals) {
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(actual);
            }
        }
    });

    if options.keep {
        let _ = writeln!(err, "asl test: the scratch crate is kept in {}", scratch.display());
    } else {
        clean(&scratch, &build_dir, &names);
    }
    outcome?;
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Actual::RunnerError("not run (an `asl test` bug)".into())))
        .collect())
}

/// Writes and builds the scratch workspace until it builds, leaving out the cases each
/// failed build blames (their results are set). Returns the runner binary and the indexes
/// of the cases in it.
#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn build_rounds(
    cases: &[Prepared],
    modules: &[String],
    crates: &Crates,
    scratch: &Path,
    build_dir: &Path,
    names: &Names,
    options: &Options<'_>,
    results: &mut [Option<Actual>],
    err: &mut dyn Write,
) -> Result<(PathBuf, Vec<usize>), String> {
    for _ in 0..MAX_BUILDS {
        let included: Vec<usize> = (0..cases.len()).filter(|&i| results.get(i).is_some_and(Option::is_none)).collect();
        let layout = write_workspace(cases, modules, &included, crates, scratch, names, options.jobs)
            .map_err(|e| format!("cannot write the scratch crate in {}: {e}", scratch.display()))?;
        let started = Instant::now();
        let _ = if layout.chunks.is_empty() {
            writeln!(
                err,
                "asl test: building the runner, which loads the {} cases, in {}…",
                included.len(),
                scratch.display()
            )
        } else {
            writeln!(
                err,
                "asl test: building {} cases in {} crates in {}…",
                included.len(),
                layout.chunks.len(),
                scratch.display()
            )
        };
        let build = cargo_build(scratch, build_dir, names, options.jobs, layout.chunks.len(), err)?;
        let _ = writeln!(err, "asl test: build finished in {:.1} s", started.elapsed().as_secs_f64());
        if let Some(binary) = build.binary.filter(|_| build.success) {
            return Ok((binary, included));
        }
        let (blamed, unattributed) = layout.attribute(&build.errors);
        if blamed.is_empty() {
            return Err(fatal_build_report(&unattributed, &build.stderr));
        }
        for (i, messages) in blamed {
            let shown: Vec<&str> = messages.iter().take(MAX_ERRORS_SHOWN).map(String::as_str).collect();
            let mut text = shown.join("\n");
            if messages.len() > shown.len() {
                let _ = write!(text, "\n… and {} more errors", messages.len() - shown.len());
            }
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(Actual::CompileError(text));
            }
        }
        if included.iter().all(|&i| results.get(i).is_some_and(Option::is_some)) {
            return Ok((PathBuf::new(), Vec::new()));
        }
    }
    Err(format!(
        "the cases still did not build after {MAX_BUILDS} attempts, each without the cases that failed to compile"
    ))
}

/// The message for a build that failed with no case to blame: rustc's errors, or
/// Cargo's own output when there were none (a resolution or network problem).
fn fatal_build_report(errors: &[String], stderr: &str) -> String {
    let mut report = String::from("the test runner did not build, and no case is to blame:\n");
    for error in errors.iter().take(MAX_ERRORS_SHOWN) {
        report.push_str(error);
        report.push('\n');
    }
    if errors.len() > MAX_ERRORS_SHOWN {
        let _ = writeln!(report, "… and {} more errors", errors.len() - MAX_ERRORS_SHOWN);
    }
    if errors.is_empty() {
        report.push_str(&tail(stderr, 30));
    }
    report
}

/// Removes the scratch workspace and its own artifacts in the shared build directory
/// (`cargo clean -p` for each of its packages), so that runs on many directories (every
/// test run uses fresh temp directories) do not pile up binaries. The shared dependencies
/// stay. Best effort: a failure leaves files behind, nothing worse.
fn clean(scratch: &Path, build_dir: &Path, names: &Names) {
    let chunks = std::fs::read_dir(scratch).into_iter().flatten().flatten().filter(|entry| {
        entry.file_name().to_str().and_then(|n| n.strip_prefix("chunk_")).is_some_and(|k| k.parse::<usize>().is_ok())
    });
    let mut packages = vec![names.runner()];
    packages.extend((0..chunks.count()).map(|k| names.chunk_package(k)));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(cargo);
    command.args(["clean", "--quiet", "--manifest-path"]).arg(scratch.join("Cargo.toml"));
    for package in &packages {
        command.args(["--package", package]);
    }
    let _ = command
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", build_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = std::fs::remove_dir_all(scratch);
}

/// Where build output goes: `$CARGO_TARGET_DIR`, the target directory this executable was
/// built in, or the temp directory.
pub(crate) fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return std::path::absolute(&dir).unwrap_or(dir);
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(target) = exe.ancestors().skip(1).find(|a| a.join("CACHEDIR.TAG").is_file())
    {
        return target.to_path_buf();
    }
    std::env::temp_dir()
}

/// 64-bit FNV-1a: a hash that is the same in every build, for directory names.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A distinct module name per case: `case_` + the name in lowercase, `_` for anything
/// else, de-duplicated with a numeric suffix.
fn module_names(cases: &[Prepared]) -> Vec<String> {
    crate::idents::unique_idents(cases.iter().map(|case| case.name.as_str()), "case_", 80)
}

/// The package names of one scratch workspace. They are unique to it: Cargo derives the
/// artifact names of path packages from the name and the path *inside* the workspace, so
/// two workspaces' `chunk_0`s of the same name would share (and overwrite) one artifact in
/// the shared build directory.
struct Names {
    /// `asl-test-<hash of DIR>`.
    prefix: String,
}

impl Names {
    /// The runner's package (and executable).
    fn runner(&self) -> String {
        format!("{}-runner", self.prefix)
    }

    /// Case crate `k`'s package.
    fn chunk_package(&self, k: usize) -> String {
        format!("{}-chunk-{k}", self.prefix)
    }

    /// Case crate `k` as Rust code names it.
    fn chunk_crate(&self, k: usize) -> String {
        self.chunk_package(k).replace('-', "_")
    }

    /// What every case crate's Rust name starts with.
    fn chunk_crate_prefix(&self) -> String {
        format!("{}_chunk_", self.prefix.replace('-', "_"))
    }
}

/// What was written where, to blame compile errors on cases.
struct Layout {
    /// Per crate, the cases it holds.
    chunks: Vec<Vec<usize>>,
    /// Case file stem (module name) → case index.
    by_module: HashMap<String, usize>,
    /// Per crate, the case on each line of its `lib.rs` (1-based; `None` for other lines).
    lib_lines: Vec<Vec<Option<usize>>>,
}

impl Layout {
    /// Splits compile errors into those blamed on cases (by case index) and the rest.
    fn attribute(&self, errors: &[CompilerError]) -> (HashMap<usize, Vec<String>>, Vec<String>) {
        let mut blamed: HashMap<usize, Vec<String>> = HashMap::new();
        let mut unattributed = Vec::new();
        for error in errors {
            let cases: HashSet<usize> =
                error.spans.iter().filter_map(|(file, line)| self.case_at(file, *line)).collect();
            if cases.is_empty() {
                unattributed.push(error.rendered.clone());
            }
            for case in cases {
                blamed.entry(case).or_default().push(error.rendered.clone());
            }
        }
        (blamed, unattributed)
    }

    /// The case a span in `file` at `line` belongs to: the case file itself, or the
    /// case's line of its crate's `lib.rs`.
    fn case_at(&self, file: &str, line: u64) -> Option<usize> {
        let path = Path::new(file);
        let crate_dir = path.parent().filter(|p| p.ends_with("src"))?.parent()?.file_name()?.to_str()?;
        let chunk: usize = crate_dir.strip_prefix("chunk_")?.parse().ok()?;
        let stem = path.file_stem()?.to_str()?;
        if stem == "lib" {
            let line = usize::try_from(line).ok()?;
            return self.lib_lines.get(chunk)?.get(line.checked_sub(1)?).copied().flatten();
        }
        self.by_module.get(stem).copied()
    }
}

/// The crates of the asl-rs workspace that the scratch workspace depends on, by path.
struct Crates {
    /// asl-runtime, which generated code and the runner depend on.
    runtime: PathBuf,
    /// asl-codegen, on the loaded route: the runner loads the definitions with it.
    codegen: Option<PathBuf>,
}

/// Writes the scratch workspace for the `included` cases, replacing any earlier one. On
/// the compiled route it has a case crate per chunk of cases; on the loaded route (when
/// `crates` has asl-codegen) only the runner.
fn write_workspace(
    cases: &[Prepared],
    modules: &[String],
    included: &[usize],
    crates: &Crates,
    scratch: &Path,
    names: &Names,
    jobs: usize,
) -> io::Result<Layout> {
    if scratch.exists() {
        std::fs::remove_dir_all(scratch)?;
    }
    std::fs::create_dir_all(scratch)?;

    let chunks: Vec<Vec<usize>> = if crates.codegen.is_some() {
        Vec::new()
    } else {
        let count = included.len().div_ceil(CASES_PER_CRATE).max(jobs).min(included.len()).max(1);
        (0..count)
            .map(|k| included.get(k * included.len() / count..(k + 1) * included.len() / count).unwrap_or(&[]).to_vec())
            .collect()
    };

    let mut members = vec![toml_string("runner")];
    members.extend((0..chunks.len()).map(|k| toml_string(&format!("chunk_{k}"))));
    let codegen = match &crates.codegen {
        // No default features: the runner reads JSON case files and prints no code.
        Some(codegen) => format!(
            "asl-codegen = {{ path = {}, default-features = false }}\n",
            toml_string(&codegen.to_string_lossy())
        ),
        None => String::new(),
    };
    let manifest = format!(
        "# @generated by `asl test`: a scratch workspace, rewritten on every run.\n\
         [workspace]\n\
         resolver = \"3\"\n\
         members = [{members}]\n\
         \n\
         [workspace.dependencies]\n\
         # `sqlite`: `SqliteStore`, for `asl test --store sqlite` (built either way, so switching\n\
         # stores rebuilds nothing).\n\
         asl-runtime = {{ path = {runtime}, default-features = false, features = [\"sqlite\"] }}\n\
         {codegen}\
         serde_json = {{ version = \"1\", features = [\"preserve_order\"] }}\n\
         # Paused virtual time needs `test-util`.\n\
         tokio = {{ version = \"1\", default-features = false, features = [\"rt\", \"time\", \"test-util\"] }}\n\
         \n\
         # Compile time dominates: no debug info, no incremental state for throwaway crates.\n\
         [profile.dev]\n\
         debug = false\n\
         incremental = false\n",
        members = members.join(", "),
        runtime = toml_string(&crates.runtime.to_string_lossy()),
    );
    std::fs::write(scratch.join("Cargo.toml"), manifest)?;
    // Without the lock file Cargo resolves afresh, which needs the registry index.
    if let Ok(lock) = std::fs::read(WORKSPACE_LOCK) {
        std::fs::write(scratch.join("Cargo.lock"), lock)?;
    }

    let mut by_module = HashMap::new();
    let mut lib_lines = Vec::new();
    for (k, chunk) in chunks.iter().enumerate() {
        let src = scratch.join(format!("chunk_{k}")).join("src");
        std::fs::create_dir_all(&src)?;
        std::fs::write(
            src.parent().unwrap_or(&src).join("Cargo.toml"),
            package_manifest(&names.chunk_package(k), "lib", &[]),
        )?;
        let mut lib = vec![
            (format!("// @generated by `asl test`: {} cases.", chunk.len()), None),
            ("//! Cases compiled by `asl test`.".to_owned(), None),
            ("#![allow(warnings)]".to_owned(), None),
        ];
        let mut table = Vec::new();
        for &i in chunk {
            let (Some(case), Some(module)) = (cases.get(i), modules.get(i)) else { continue };
            let header = format!("// @generated by `asl test` from {}.\n", case.file.display());
            std::fs::write(src.join(format!("{module}.rs")), header + case.code.as_deref().unwrap_or_default())?;
            by_module.insert(module.clone(), i);
            lib.push((format!("pub mod {module};"), Some(i)));
            table.push((format!("        ({module:?}, &{module}::WORKFLOW),"), Some(i)));
        }
        lib.push(("/// The workflows of this crate, by module name.".to_owned(), None));
        lib.push((
            "pub fn cases() -> &'static [(&'static str, &'static ::asl_runtime::execution::Workflow)] {".to_owned(),
            None,
        ));
        lib.push((
            format!("    static CASES: [(&str, &::asl_runtime::execution::Workflow); {}] = [", table.len()),
            None,
        ));
        lib.extend(table);
        lib.push(("    ];".to_owned(), None));
        lib.push(("    &CASES".to_owned(), None));
        lib.push(("}".to_owned(), None));
        let text: String = lib.iter().flat_map(|(line, _)| [line.as_str(), "\n"]).collect();
        std::fs::write(src.join("lib.rs"), text)?;
        lib_lines.push(lib.into_iter().map(|(_, case)| case).collect());
    }

    let src = scratch.join("runner").join("src");
    std::fs::create_dir_all(&src)?;
    let mut dependencies = vec![
        "asl-runtime.workspace = true".to_owned(),
        "serde_json.workspace = true".to_owned(),
        "tokio.workspace = true".to_owned(),
    ];
    if crates.codegen.is_some() {
        dependencies.push("asl-codegen.workspace = true".to_owned());
    }
    dependencies.extend(
        (0..chunks.len())
            .map(|k| format!("{} = {{ path = {} }}", names.chunk_package(k), toml_string(&format!("../chunk_{k}")))),
    );
    std::fs::write(scratch.join("runner").join("Cargo.toml"), package_manifest(&names.runner(), "bin", &dependencies))?;
    std::fs::write(src.join("main.rs"), RUNNER_MAIN)?;
    let workflows = match crates.codegen {
        Some(_) => RUNNER_LOAD.to_owned(),
        None => compiled_workflows(names, chunks.len()),
    };
    std::fs::write(src.join("workflows.rs"), workflows)?;

    Ok(Layout { chunks, by_module, lib_lines })
}

/// The runner's `workflows` module on the compiled route: finds a case's workflow among
/// the statics of the `chunks` case crates, by module name.
fn compiled_workflows(names: &Names, chunks: usize) -> String {
    let mut text = String::from(
        "// @generated by `asl test`.\n\
         //! The compiled route: each case's workflow is a static of its case crate.\n\
         \n\
         use asl_runtime::execution::Workflow;\n\
         \n\
         use crate::Unavailable;\n\
         \n\
         /// The workflow of the case whose module is `key` (the case file is not read).\n\
         pub fn find(key: &str, _file: &str) -> Result<&'static Workflow, Unavailable> {\n\
         \x20   let chunks: [&[(&str, &'static Workflow)]; ",
    );
    let _ = writeln!(text, "{chunks}] = [");
    for k in 0..chunks {
        let _ = writeln!(text, "        {}::cases(),", names.chunk_crate(k));
    }
    text.push_str(
        "    ];\n\
         \x20   let found = chunks.into_iter().flatten().find(|(module, _)| *module == key);\n\
         \x20   found.map(|&(_, workflow)| workflow).ok_or_else(|| {\n\
         \x20       Unavailable::Runner(format!(\"no compiled workflow `{key}` in this runner\"))\n\
         \x20   })\n\
         }\n",
    );
    text
}

/// A member's `Cargo.toml`: a library (with the workspace's asl-runtime) or the binary.
fn package_manifest(name: &str, kind: &str, dependencies: &[String]) -> String {
    let target = if kind == "lib" {
        "[lib]\npath = \"src/lib.rs\"\ntest = false\ndoctest = false\n".to_owned()
    } else {
        format!("[[bin]]\nname = {}\npath = \"src/main.rs\"\ntest = false\n", toml_string(name))
    };
    let dependencies = if dependencies.is_empty() {
        "asl-runtime.workspace = true\n".to_owned()
    } else {
        dependencies.join("\n") + "\n"
    };
    format!(
        "# @generated by `asl test`.\n[package]\nname = {}\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n{target}\n[dependencies]\n{dependencies}",
        toml_string(name)
    )
}

/// A TOML basic string.
pub(crate) fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One rustc error from Cargo's JSON messages.
#[derive(Debug)]
struct CompilerError {
    /// rustc's own rendering.
    rendered: String,
    /// Every `(file, line)` the error mentions, macro expansions and notes included.
    spans: Vec<(String, u64)>,
}

/// What `cargo build` did.
struct Build {
    success: bool,
    /// The runner executable, when it was built.
    binary: Option<PathBuf>,
    errors: Vec<CompilerError>,
    /// Cargo's own output (progress, and errors outside rustc).
    stderr: String,
}

/// Runs `cargo build` on the scratch workspace, reporting each case crate compiled (of
/// `crates`) on `err`.
fn cargo_build(
    scratch: &Path,
    build_dir: &Path,
    names: &Names,
    jobs: usize,
    crates: usize,
    err: &mut dyn Write,
) -> Result<Build, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut child = Command::new(&cargo)
        .args(["build", "--message-format=json", "--keep-going", "--jobs", &jobs.to_string(), "--manifest-path"])
        .arg(scratch.join("Cargo.toml"))
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", build_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", cargo.to_string_lossy()))?;
    let stderr_reader = read_in_background(child.stderr.take());
    let mut build = Build { success: false, binary: None, errors: Vec::new(), stderr: String::new() };
    let mut compiled = 0;
    let (runner, chunk_crates) = (names.runner(), names.chunk_crate_prefix());
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { continue };
            let Ok(message) = serde_json::from_str::<Value>(&line) else { continue };
            match message.get("reason").and_then(Value::as_str) {
                Some("compiler-message") => build.errors.extend(compiler_error(message.get("message"))),
                Some("compiler-artifact") => {
                    let name = message.pointer("/target/name").and_then(Value::as_str).unwrap_or_default();
                    if name == runner
                        && let Some(executable) = message.get("executable").and_then(Value::as_str)
                    {
                        build.binary = Some(PathBuf::from(executable));
                    }
                    let fresh = message.get("fresh").and_then(Value::as_bool).unwrap_or(false);
                    if !fresh && (name == "asl_runtime" || name == "asl_codegen") {
                        let _ = writeln!(err, "asl test: compiled {}", name.replace('_', "-"));
                    } else if !fresh && name.starts_with(&chunk_crates) {
                        compiled += 1;
                        let _ = writeln!(err, "asl test: compiled case crate {compiled}/{crates}");
                    }
                }
                Some("build-finished") => build.success = message.get("success").and_then(Value::as_bool) == Some(true),
                _ => {}
            }
        }
    }
    let status = child.wait().map_err(|e| format!("cannot wait for cargo: {e}"))?;
    build.success &= status.success();
    build.stderr = stderr_reader.join().unwrap_or_default();
    Ok(build)
}

/// The error in a `compiler-message`, unless it is a warning or rustc's closing
/// "aborting due to" line.
fn compiler_error(message: Option<&Value>) -> Option<CompilerError> {
    let message = message?;
    if message.get("level").and_then(Value::as_str) != Some("error") {
        return None;
    }
    let text = message.get("message").and_then(Value::as_str).unwrap_or_default();
    let mut spans = Vec::new();
    collect_spans(message, &mut spans);
    if spans.is_empty() && text.starts_with("aborting due to") {
        return None;
    }
    let rendered = message.get("rendered").and_then(Value::as_str).unwrap_or(text).trim_end().to_owned();
    Some(CompilerError { rendered, spans })
}

/// Every `{file_name, line_start}` anywhere in a diagnostic.
fn collect_spans(value: &Value, spans: &mut Vec<(String, u64)>) {
    match value {
        Value::Object(object) => {
            if let Some(file) = object.get("file_name").and_then(Value::as_str) {
                spans.push((file.to_owned(), object.get("line_start").and_then(Value::as_u64).unwrap_or(0)));
            }
            object.values().for_each(|v| collect_spans(v, spans));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_spans(v, spans)),
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use super::*;

    fn compiled(name: &str) -> Prepared {
        Prepared { case: 0, name: name.into(), file: PathBuf::from(format!("{name}.json")), code: None }
    }

    #[test]
    fn module_names_are_identifiers_and_distinct() {
        let cases = [compiled("pass-a"), compiled("Pass_A"), compiled("1 weird/name"), compiled("pass-a")];
        assert_eq!(module_names(&cases), ["case_pass_a", "case_pass_a_2", "case_1_weird_name", "case_pass_a_3"]);
    }

    #[test]
    fn toml_strings_escape() {
        assert_eq!(toml_string(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
        assert_eq!(toml_string("a\nb"), r#""a\u000Ab""#);
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn errors_are_blamed_on_case_files_and_table_lines() {
        let layout = Layout {
            chunks: vec![vec![0, 1]],
            by_module: HashMap::from([("case_a".to_owned(), 0), ("case_b".to_owned(), 1)]),
            lib_lines: vec![vec![None, Some(0), Some(1)]],
        };
        let error = |spans: &[(&str, u64)]| CompilerError {
            rendered: "e".into(),
            spans: spans.iter().map(|(f, l)| ((*f).to_owned(), *l)).collect(),
        };
        let errors = [
            error(&[("chunk_0/src/case_b.rs", 7)]),
            error(&[("/abs/chunk_0/src/lib.rs", 2), ("/work/asl-runtime/src/lib.rs", 1)]),
            error(&[("/work/asl-runtime/src/lib.rs", 1)]),
            error(&[("chunk_0/src/lib.rs", 1)]),
        ];
        let (blamed, rest) = layout.attribute(&errors);
        assert_eq!(blamed.get(&1).map(Vec::len), Some(1));
        assert_eq!(blamed.get(&0).map(Vec::len), Some(1));
        assert_eq!(rest.len(), 2);
    }

    #[test]
    fn compiler_messages() {
        let message = json!({
            "level": "error", "message": "mismatched types", "rendered": "error[E0308]: mismatched types\n",
            "spans": [{ "file_name": "chunk_0/src/case_a.rs", "line_start": 3,
                        "expansion": { "span": { "file_name": "chunk_0/src/lib.rs", "line_start": 9 } } }],
            "children": []
        });
        let error = compiler_error(Some(&message)).expect("an error");
        assert_eq!(error.rendered, "error[E0308]: mismatched types");
        assert_eq!(error.spans, [("chunk_0/src/case_a.rs".to_owned(), 3), ("chunk_0/src/lib.rs".to_owned(), 9)]);
        let abort = json!({ "level": "error", "message": "aborting due to 2 previous errors", "spans": [] });
        assert!(compiler_error(Some(&abort)).is_none());
        let warning = json!({ "level": "warning", "message": "unused", "spans": [] });
        assert!(compiler_error(Some(&warning)).is_none());
    }

    /// Builds for real (in the shared build directory, so asl-runtime is compiled once for
    /// every test run): a case whose code does not compile fails alone, the other runs.
    #[test]
    fn a_case_that_does_not_compile_fails_alone() {
        let dir = std::env::temp_dir().join(format!("asl-cli-scratch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let definition = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": true}, "End": true}}}"#;
        let good = dir.join("good.json");
        std::fs::write(&good, format!(r#"{{"name": "good", "definition": {definition}, "input": {{}}}}"#)).unwrap();
        let generated = asl_codegen::Generator::new(&asl_codegen::Settings::new().allow_run_time_failures())
            .generate(&asl_codegen::Source::new("good.json", definition))
            .unwrap();
        let cases = [
            Prepared { case: 0, name: "good".into(), file: good, code: Some(generated.to_pretty_string().unwrap()) },
            Prepared {
                case: 1,
                name: "broken".into(),
                file: dir.join("broken.json"),
                code: Some("pub static WORKFLOW: u32 = \"not a number\";\n".into()),
            },
        ];
        let mut err = Vec::new();
        let options = Options {
            dir: &dir,
            jobs: 2,
            keep: false,
            store: super::super::StoreKind::Sqlite,
            route: super::super::Route::Compiled,
        };
        let actuals = build_and_run(&cases, &options, &mut err);
        let _ = std::fs::remove_dir_all(&dir);
        let actuals = actuals.unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&err)));
        match &actuals[..] {
            [Actual::Finished(good), Actual::CompileError(broken)] => {
                assert_eq!(good.status, "SUCCEEDED");
                assert_eq!(good.output, Some(json!({"ok": true})));
                assert!(broken.contains("mismatched types"), "{broken}");
            }
            other => panic!("{other:?}"),
        }
    }
}
