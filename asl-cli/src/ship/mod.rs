//! `asl build FLOWS... -o BIN`: state machines compiled into one executable that serves
//! them (`BIN serve`), runs one execution (`BIN run`) or lists them (`BIN list`).
//!
//! The definitions are checked as `asl validate` checks them and compiled as `include_asl!`
//! compiles them, into a generated crate built with Cargo:
//!
//! ```text
//! <cache>/asl-build/target/          the build directory, shared by every build, so that
//!                                    asl-server, asl-runtime and their dependencies
//!                                    compile once
//! <cache>/asl-build/<hash of BIN>/   the generated crate of one output
//!     Cargo.toml, Cargo.lock         the lock file is asl-rs's: the same versions
//!     src/main.rs                    the machines, handed to `asl_server::cli::ship::main`
//!     src/flows/<name>.rs            each machine's generated code (as `asl expand` shows it)
//!     src/flows/<name>.<ext>         each definition, for `DescribeStateMachine`
//! ```
//!
//! `<cache>` is the same as `asl test`'s: `$CARGO_TARGET_DIR`, else the Cargo target
//! directory `asl` was built in, else the temp directory.

mod generate;

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use asl_codegen::render::{RenderStyle, render_all};
use asl_codegen::{Settings, Source, WorkflowType};
use serde_json::Value;

use crate::test::scratch::{cache_dir, fnv1a};
use crate::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use generate::Machine;

/// asl-runtime's sources (generated code names it).
const RUNTIME_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../asl-runtime");
/// asl-server's sources (the binary's command line, API and bindings).
const SERVER_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../asl-server");
/// The asl-rs workspace's lock file.
const WORKSPACE_LOCK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock");

/// Arguments of `asl build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Definition files and folders of them (`*.asl.json`, `*.asl.yaml`, `*.json`; a
    /// folder's files, not its subfolders). Each is the state machine of its file's name:
    /// `order.asl.json` is `order`.
    #[arg(required = true, value_name = "FLOWS")]
    pub flows: Vec<PathBuf>,

    /// Where to write the executable.
    #[arg(short = 'o', long = "output", value_name = "BIN")]
    pub output: PathBuf,

    /// Build with optimisations (slower to build, faster and smaller to run).
    #[arg(long)]
    pub release: bool,

    /// A state machine that is EXPRESS (the others are STANDARD); repeatable.
    #[arg(long, value_name = "NAME")]
    pub express: Vec<String>,

    /// Keep the generated crate (its path is printed) instead of removing it.
    #[arg(long)]
    pub keep: bool,
}

/// Runs `asl build`: 0 when the executable was written, 1 when a definition is invalid
/// or the build failed, 2 for a usage problem.
pub fn run(args: &BuildArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let started = Instant::now();
    let files = match asl_server::flows::discover(&args.flows) {
        Ok(files) if files.is_empty() => {
            let _ = writeln!(err, "error: no definition files (*.asl.json, *.asl.yaml, *.json) in the FLOWS given");
            return EXIT_USAGE;
        }
        Ok(files) => files,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            return EXIT_USAGE;
        }
    };
    if let Some(unknown) = args.express.iter().find(|name| !files.iter().any(|f| &f.name == *name)) {
        let _ = writeln!(err, "error: --express {unknown}: there is no state machine of that name in the FLOWS given");
        return EXIT_USAGE;
    }
    let mut machines = Vec::new();
    let mut invalid = 0;
    for file in &files {
        let express = args.express.contains(&file.name);
        match prepare(&file.path, &file.name, express, err) {
            Some(machine) => machines.push(machine),
            None => invalid += 1,
        }
    }
    if invalid > 0 {
        let _ = writeln!(err, "asl build: {invalid} of {} definitions are invalid; nothing was built", files.len());
        return EXIT_INVALID;
    }
    let cache = cache_dir().join("asl-build");
    let output = std::path::absolute(&args.output).unwrap_or_else(|_| args.output.clone());
    let hash = format!("{:016x}", fnv1a(output.to_string_lossy().as_bytes()));
    let scratch = cache.join(&hash);
    let package = format!("asl-built-{hash}");
    let sources = (Path::new(RUNTIME_DIR).canonicalize(), Path::new(SERVER_DIR).canonicalize());
    let (Ok(runtime_dir), Ok(server_dir)) = sources else {
        let _ = writeln!(err, "error: `asl build` needs asl-rs's sources at {RUNTIME_DIR} and {SERVER_DIR}");
        return EXIT_USAGE;
    };
    let crate_files = generate::crate_files(&package, &machines, &runtime_dir, &server_dir);
    if let Err(message) = write_crate(&scratch, &crate_files) {
        let _ = writeln!(err, "error: {message}");
        return EXIT_INVALID;
    }
    let plural = if machines.len() == 1 { "" } else { "s" };
    let _ = writeln!(err, "asl build: compiling {} state machine{plural} into {}", machines.len(), output.display());
    let built = cargo_build(&scratch, &cache.join("target"), &package, args.release, err);
    let outcome = built.and_then(|binary| install(&binary, &output));
    if args.keep {
        let _ = writeln!(err, "asl build: the generated crate is kept in {}", scratch.display());
    } else {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    match outcome {
        Ok(size) => {
            let _ = writeln!(
                out,
                "asl build: wrote {} ({} state machine{}, {:.1} MiB) in {:.1} s",
                args.output.display(),
                machines.len(),
                if machines.len() == 1 { "" } else { "s" },
                size as f64 / (1024.0 * 1024.0),
                started.elapsed().as_secs_f64()
            );
            EXIT_OK
        }
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            EXIT_INVALID
        }
    }
}

/// Checks and compiles one definition, printing its diagnostics (as `asl validate` does)
/// and the Tasks nothing binds; `None` when it is invalid.
fn prepare(path: &Path, name: &str, express: bool, err: &mut dyn Write) -> Option<Machine> {
    let source = match Source::read(path) {
        Ok(source) => source,
        Err(error) => {
            let _ = writeln!(err, "error: cannot read `{}`: {error}", path.display());
            return None;
        }
    };
    let kind = if express { WorkflowType::Express } else { WorkflowType::Standard };
    let style = RenderStyle::Plain;
    let checked = match asl_codegen::load_as(&source, kind, &Settings::new()) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            let _ = writeln!(err, "{}", render_all(&diagnostics, &source, style));
            return None;
        }
    };
    if !checked.warnings.is_empty() {
        let _ = writeln!(err, "{}", render_all(&checked.warnings, &source, style));
    }
    for task in asl_bindings::resource::tasks(checked.workflow) {
        if task.binding == asl_bindings::resource::Binding::Unbound {
            let _ = writeln!(
                err,
                "warning: {}: Task state '{}' calls '{}', which no binding serves: its executions need a test \
                 case of a mock configuration that mocks it (`{name} run --mock-config FILE --test-case CASE`)",
                path.display(),
                task.state,
                task.resource
            );
        }
    }
    let code = match asl_codegen::Generator::new(&Settings::new()).generate(&source) {
        Ok(generated) => match generated.to_pretty_string() {
            Ok(code) => code,
            Err(error) => {
                let _ = writeln!(
                    err,
                    "error: the generated code of `{}` does not parse ({error}): an asl-codegen bug",
                    path.display()
                );
                return None;
            }
        },
        Err(diagnostics) => {
            let _ = writeln!(err, "{}", render_all(&diagnostics, &source, style));
            return None;
        }
    };
    Some(Machine {
        name: name.to_owned(),
        code,
        definition: source.text().to_owned(),
        yaml: source.format() == asl_codegen::SourceFormat::Yaml,
        express,
    })
}

/// Writes the generated crate's files (only those whose content changed, so that Cargo's
/// fingerprints stay fresh for the rest).
fn write_crate(scratch: &Path, files: &[(PathBuf, String)]) -> Result<(), String> {
    for (relative, text) in files {
        let path = scratch.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        if std::fs::read_to_string(&path).is_ok_and(|old| &old == text) {
            continue;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let lock = scratch.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(WORKSPACE_LOCK, &lock).map_err(|e| format!("cannot copy asl-rs's Cargo.lock: {e}"))?;
    }
    Ok(())
}

/// Builds the generated crate, Cargo's progress on `err`; the executable.
fn cargo_build(
    scratch: &Path,
    build_dir: &Path,
    package: &str,
    release: bool,
    err: &mut dyn Write,
) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(&cargo);
    command.args(["build", "--message-format=json-render-diagnostics", "--manifest-path"]);
    command.arg(scratch.join("Cargo.toml"));
    if release {
        command.arg("--release");
    }
    let mut child = command
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", build_dir)
        // Cargo's progress and any compiler error go straight to the user.
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", cargo.to_string_lossy()))?;
    let mut binary = None;
    let target_name = package.to_owned();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { continue };
            let Ok(message) = serde_json::from_str::<Value>(&line) else { continue };
            if message.get("reason").and_then(Value::as_str) == Some("compiler-artifact")
                && message.pointer("/target/name").and_then(Value::as_str) == Some(target_name.as_str())
                && let Some(executable) = message.get("executable").and_then(Value::as_str)
            {
                binary = Some(PathBuf::from(executable));
            }
        }
    }
    let status = child.wait().map_err(|e| format!("cannot wait for cargo: {e}"))?;
    let _ = err.flush();
    if !status.success() {
        return Err("the generated crate did not build (cargo's messages are above)".to_owned());
    }
    binary.ok_or_else(|| "cargo built no executable".to_owned())
}

/// Copies the executable to `output` (through a temporary file, so a running copy of the
/// old one is not disturbed); its size.
fn install(binary: &Path, output: &Path) -> Result<u64, String> {
    if let Some(parent) = output.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let partial = output.with_extension("partial");
    std::fs::copy(binary, &partial).map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    std::fs::rename(&partial, output).map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    std::fs::metadata(output).map(|m| m.len()).map_err(|e| format!("cannot read {}: {e}", output.display()))
}
