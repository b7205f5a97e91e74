//! The one optional configuration file: `--config FILE` (or `ASL_CONFIG`), TOML whose keys
//! are the long flags of the command it configures.
//!
//! ```toml
//! listen = "0.0.0.0:8083"
//! db = "/var/lib/orders/asl.db"
//! mock-config = "mocks.json"
//! express = ["checkout"]
//! s3-dir = ["items=./data", "results=./out"]
//! no-auth = true
//! ```
//!
//! A flag on the command line wins over its environment variable, which wins over the
//! file, which wins over the default.

use std::ffi::OsString;
use std::path::Path;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgMatches, Command};

/// The name of the flag that names the file.
pub const FLAG: &str = "config";

/// Parses `argv` with `command`, taking settings the command line and environment leave
/// unset from the configuration file it names.
///
/// # Errors
///
/// clap's (usage, `--help`, `--version`), or what is wrong with the file as `file:line: …`.
pub fn matches(command: &Command, argv: Vec<OsString>) -> Result<ArgMatches, Problem> {
    // A flag the file provides may be one another flag requires: look for the file in a
    // lenient parse when the strict one fails (help and version are answers, not errors).
    let (matches, strict) = match command.clone().try_get_matches_from(&argv) {
        Ok(matches) => (matches, true),
        Err(error) if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            return Err(Problem::Usage(error));
        }
        Err(error) => match command.clone().ignore_errors(true).try_get_matches_from(&argv) {
            Ok(lenient) if has_file(command, &lenient) => (lenient, false),
            _ => return Err(Problem::Usage(error)),
        },
    };
    let (leaf, leaf_matches) = leaf(command, &matches);
    // A lenient parse always names a file (that is why it was kept).
    let Some(path) = file(leaf_matches).or_else(|| file(&matches)) else { return Ok(matches) };
    let extra = settings(&path, leaf, leaf_matches)?;
    if extra.is_empty() && strict {
        return Ok(matches);
    }
    // Options may follow positionals; only `--` ends them.
    let mut argv = argv;
    let at = argv.iter().position(|arg| arg == "--").unwrap_or(argv.len());
    argv.splice(at..at, extra);
    command.clone().try_get_matches_from(argv).map_err(Problem::Usage)
}

/// The configuration file `matches` names. (Commands without `--config` have no such
/// argument: `try_` answers that with an error.)
fn file(matches: &ArgMatches) -> Option<std::path::PathBuf> {
    matches.try_get_one::<std::path::PathBuf>(FLAG).ok().flatten().cloned()
}

/// Whether the command line names a configuration file.
fn has_file(command: &Command, matches: &ArgMatches) -> bool {
    let (_, leaf_matches) = leaf(command, matches);
    file(leaf_matches).or_else(|| file(matches)).is_some()
}

/// Why arguments could not be read.
#[derive(Debug)]
pub enum Problem {
    /// clap's answer (including `--help` and `--version`, which are not errors).
    Usage(clap::Error),
    /// The configuration file's problem.
    File(String),
}

/// The subcommand that runs, and its matches.
fn leaf<'a>(command: &'a Command, matches: &'a ArgMatches) -> (&'a Command, &'a ArgMatches) {
    match matches.subcommand() {
        Some((name, sub_matches)) => match command.find_subcommand(name) {
            Some(sub) => leaf(sub, sub_matches),
            None => (command, matches),
        },
        None => (command, matches),
    }
}

/// The file's settings that the command line and environment leave unset, as arguments.
fn settings(path: &Path, command: &Command, matches: &ArgMatches) -> Result<Vec<OsString>, Problem> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| Problem::File(format!("{shown}: cannot read: {e}")))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| Problem::File(format!("{shown}: not a TOML file: {e}")))?;
    let mut extra = Vec::new();
    let mut problems = Vec::new();
    for (key, value) in &table {
        let at = format!("{shown}:{}", line_of(&text, key));
        let Some(arg) = command.get_arguments().find(|arg| arg.get_long() == Some(key.as_str())) else {
            let known: Vec<&str> = command
                .get_arguments()
                .filter_map(clap::Arg::get_long)
                .filter(|l| *l != FLAG && *l != "help")
                .collect();
            problems.push(format!("{at}: unknown setting `{key}`: the settings are the flags: {}", known.join(", ")));
            continue;
        };
        if key == FLAG {
            problems.push(format!("{at}: a configuration file cannot name another"));
            continue;
        }
        if let Some(ValueSource::CommandLine | ValueSource::EnvVariable) = matches.value_source(arg.get_id().as_str()) {
            continue;
        }
        let flag = format!("--{key}");
        let takes_value = arg.get_action().takes_values();
        match value {
            toml::Value::Boolean(set) if !takes_value => {
                if *set {
                    extra.push(OsString::from(&flag));
                }
            }
            toml::Value::Array(items) if takes_value => {
                for item in items {
                    match scalar(item) {
                        Some(text) => extra.extend([OsString::from(&flag), OsString::from(text)]),
                        None => problems.push(format!("{at}: `{key}` takes a list of strings or numbers")),
                    }
                }
            }
            other if takes_value => match scalar(other) {
                Some(text) => extra.extend([OsString::from(&flag), OsString::from(text)]),
                None => problems.push(format!("{at}: `{key}` takes a string or a number")),
            },
            _ => problems.push(format!("{at}: `{key}` is a switch: write `{key} = true`")),
        }
    }
    if problems.is_empty() { Ok(extra) } else { Err(Problem::File(problems.join("\n"))) }
}

fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        toml::Value::Float(x) => Some(x.to_string()),
        _ => None,
    }
}

/// The line (1-based) where `key` is set, for messages (1 if it cannot be found).
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| {
            let line = line.trim_start().trim_start_matches('"');
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().trim_start_matches('"').trim_start().starts_with('='))
        })
        .map_or(1, |index| index + 1)
}

#[cfg(test)]
#[allow(clippy::panic)] // failing loudly is a test's job
mod tests {
    use std::ffi::OsString;

    use clap::{Arg, ArgAction, Command};

    use super::{Problem, matches};

    fn command() -> Command {
        Command::new("bin").subcommand(
            Command::new("serve")
                .arg(Arg::new("config").long("config").value_parser(clap::value_parser!(std::path::PathBuf)))
                .arg(Arg::new("listen").long("listen").default_value("127.0.0.1:8083"))
                .arg(Arg::new("region").long("region").env("ASL_TEST_CONFIG_REGION").default_value("us-east-1"))
                .arg(Arg::new("express").long("express").action(ArgAction::Append))
                .arg(Arg::new("memory").long("memory").action(ArgAction::SetTrue))
                .arg(Arg::new("flows").num_args(0..)),
        )
    }

    fn run(file: &str, args: &[&str]) -> Result<clap::ArgMatches, Problem> {
        let dir = std::env::temp_dir().join(format!("asl-config-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{:x}.toml", file.len() * 31 + args.len()));
        std::fs::write(&path, file).map_err(|e| Problem::File(e.to_string()))?;
        let mut argv: Vec<OsString> = ["bin", "serve", "--config"].iter().map(OsString::from).collect();
        argv.push(path.into_os_string());
        argv.extend(args.iter().map(OsString::from));
        matches(&command(), argv)
    }

    #[test]
    fn the_file_fills_what_the_command_line_leaves_unset() -> Result<(), String> {
        let m = run("listen = \"0.0.0.0:9\"\nexpress = [\"a\", \"b\"]\nmemory = true\n", &["flows"])
            .map_err(|e| format!("{e:?}"))?;
        let serve = m.subcommand_matches("serve").ok_or("no serve")?;
        assert_eq!(serve.get_one::<String>("listen").map(String::as_str), Some("0.0.0.0:9"));
        let express: Vec<&String> = serve.get_many::<String>("express").into_iter().flatten().collect();
        assert_eq!(express, ["a", "b"]);
        assert!(serve.get_flag("memory"));
        Ok(())
    }

    #[test]
    fn a_flag_another_requires_may_come_from_the_file() -> Result<(), String> {
        let command = Command::new("bin").subcommand(
            Command::new("run")
                .arg(Arg::new("config").long("config").value_parser(clap::value_parser!(std::path::PathBuf)))
                .arg(Arg::new("mock-config").long("mock-config"))
                .arg(Arg::new("test-case").long("test-case").requires("mock-config")),
        );
        let dir = std::env::temp_dir().join(format!("asl-config-requires-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join("c.toml");
        std::fs::write(&path, "mock-config = \"m.json\"\n").map_err(|e| e.to_string())?;
        let argv: Vec<OsString> = vec![
            "bin".into(),
            "run".into(),
            "--test-case".into(),
            "A".into(),
            "--config".into(),
            path.into_os_string(),
        ];
        let m = matches(&command, argv).map_err(|e| format!("{e:?}"))?;
        let run = m.subcommand_matches("run").ok_or("no run")?;
        assert_eq!(run.get_one::<String>("mock-config").map(String::as_str), Some("m.json"));
        // Without the file, the requirement stands.
        let argv: Vec<OsString> = ["bin", "run", "--test-case", "A"].iter().map(OsString::from).collect();
        assert!(matches!(matches(&command, argv), Err(Problem::Usage(_))));
        Ok(())
    }

    #[test]
    fn the_command_line_wins() -> Result<(), String> {
        let m = run("listen = \"0.0.0.0:9\"\n", &["--listen", "127.0.0.1:1"]).map_err(|e| format!("{e:?}"))?;
        let serve = m.subcommand_matches("serve").ok_or("no serve")?;
        assert_eq!(serve.get_one::<String>("listen").map(String::as_str), Some("127.0.0.1:1"));
        Ok(())
    }

    #[test]
    fn unknown_settings_and_wrong_types_are_named_with_their_line() {
        match run("listen = \"x\"\n\nlisen = 1\nmemory = \"yes\"\n", &[]) {
            Err(Problem::File(message)) => {
                assert!(message.contains(".toml:3: unknown setting `lisen`"), "{message}");
                assert!(message.contains(".toml:4: `memory` is a switch"), "{message}");
            }
            other => panic!("expected a file problem, got {other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_not_toml_is_refused() {
        match run("listen = \n", &[]) {
            Err(Problem::File(message)) => assert!(message.contains("not a TOML file"), "{message}"),
            other => panic!("expected a file problem, got {other:?}"),
        }
    }
}
