//! Compiles the shared benchmark workloads (`shared/bench/workloads/*.asl.json`, beside the
//! repository) into `OUT_DIR`, one module each.

use std::path::Path;

/// Where the workloads live, relative to this crate.
const WORKLOADS: &str = "../../shared/bench/workloads";

/// The workloads `src/lib.rs` includes.
const NAMES: [&str; 5] = ["loop-choice", "map-inline", "parallel-fanout", "dataflow-heavy", "task-retry"];

fn main() {
    let dir = Path::new(WORKLOADS);
    println!("cargo:rerun-if-changed={WORKLOADS}");
    let missing: Vec<_> =
        NAMES.iter().map(|name| dir.join(format!("{name}.asl.json"))).filter(|path| !path.is_file()).collect();
    if !missing.is_empty() {
        eprintln!(
            "asl-bench needs the shared benchmark workloads in {} (the repository's `shared/bench/workloads`, \
             checked out beside `main/`); missing: {}",
            dir.display(),
            missing.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
        std::process::exit(1);
    }
    let files = NAMES.iter().map(|name| dir.join(format!("{name}.asl.json")));
    if let Err(error) = asl_codegen::Builder::new().files(files).compile() {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
