//! The `asl` command, built as a binary of this crate so that `tests/api_clients.rs` and
//! `tests/server_crash.rs` can run `asl serve` through
//! `env!("CARGO_BIN_EXE_asl-under-test")` (Cargo gives integration tests the paths of their
//! own package's binaries only). It is asl-cli's `main`, word for word.

use clap::Parser;

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(asl_cli::run(asl_cli::Args::parse()))
}
