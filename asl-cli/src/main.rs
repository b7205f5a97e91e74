//! The `asl` command. Everything happens in the `asl_cli` library, so it can be tested
//! without spawning a process; this only hands it the process's arguments.

fn main() -> std::process::ExitCode {
    asl_cli::main()
}
