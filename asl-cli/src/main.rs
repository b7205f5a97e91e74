//! The `asl` command. Everything happens in the `asl_cli` library, so it can be tested
//! without spawning a process; this only parses the arguments and exits.

use clap::Parser;

fn main() -> std::process::ExitCode {
    // clap prints usage errors itself and exits with status 2.
    std::process::ExitCode::from(asl_cli::run(asl_cli::Args::parse()))
}
