//! The `asl` command, built as a binary of this crate so that the end-to-end tests can run
//! `asl serve` and `asl build` through `env!("CARGO_BIN_EXE_asl-under-test")` (Cargo gives
//! integration tests the paths of their own package's binaries only). It is asl-cli's
//! `main`, word for word.

fn main() -> std::process::ExitCode {
    asl_cli::main()
}
