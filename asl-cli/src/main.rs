//! The `asl` command. Everything happens in the `asl_cli` library, so it can be tested
//! without spawning a process; this only parses the arguments and exits.

use std::io::Write;

use asl_server::cli::config_file::{self, Problem};
use clap::{CommandFactory, FromArgMatches};

fn main() -> std::process::ExitCode {
    // `asl serve --config FILE` takes settings from a file: parse through it.
    let parsed = config_file::matches(&asl_cli::Args::command(), std::env::args_os().collect())
        .and_then(|matches| asl_cli::Args::from_arg_matches(&matches).map_err(Problem::Usage));
    match parsed {
        Ok(args) => std::process::ExitCode::from(asl_cli::run(args)),
        // clap prints usage errors (and --help) itself and exits with status 2 (0).
        Err(Problem::Usage(error)) => error.exit(),
        Err(Problem::File(message)) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            std::process::ExitCode::from(asl_cli::EXIT_USAGE)
        }
    }
}
