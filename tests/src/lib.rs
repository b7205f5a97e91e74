//! End-to-end tests of asl-rs, kept apart from the crates they test (see `tests/`):
//!
//! - `realworld.rs`: every definition public projects deploy (`../shared/realworld/valid`)
//!   compiles through `include_asl!` in a crate of its own, as a user's crate would.
//! - `realworld_graph.rs`: every one of them drawn by asl-graph, its SVG well-formed XML
//!   with one node group per state.
//! - `loaded.rs`: a definition loaded at run time (`asl_codegen::load`) is the description
//!   `include_asl!` compiles, and runs as the compiled one does, event for event.
//! - `crash.rs`: durable executions survive SIGKILL: the `crash_worker` binary runs them on
//!   a SQLite file and is killed at random moments; every execution must end as in an
//!   uninterrupted run.
//! - `api_clients.rs`: real AWS clients (boto3 and the aws CLI, in a Python virtual
//!   environment it makes) drive `asl serve` through the suite in `tests/api/`.
//! - `sdk_rust.rs`: the official Rust SDK (`aws-sdk-sfn`) against an `asl_server::Server`
//!   in the test's process: state machines, executions, histories, task tokens, activities,
//!   `StartSyncExecution`, and AWS's errors as the SDK's error variants.
//! - `server_crash.rs`: the `asl` binary (`src/bin/asl-under-test.rs`) serving on a SQLite file is
//!   killed with SIGKILL at random moments and started again while the SDK starts
//!   executions and answers their tokens and activity tasks; every acknowledged call holds.
//! - `shipped.rs`: `asl build` of the examples and `tests/flows/ship`, then the binary's
//!   `run` with mock files (the examples' 32 test cases, the AWS documentation's example),
//!   with a Lambda Invoke API and an HTTP API on loopback, `list`, and `serve` driven by
//!   boto3 with `#TestCase` ARNs (`tests/shipped/`).
//! - `s3_objects.rs`: asl-bindings' S3 stores against moto's S3 server (from the same Python
//!   environment) on loopback: objects written, paged through and streamed back, S3's
//!   errors, folders listing as S3 lists, signatures the server checks.
//! - `distributed_map.rs`: Distributed Maps run with asl-bindings' `Bindings`, every case
//!   once over folders standing in for buckets and once over moto's S3 server: each
//!   `ItemReader` format, listings past a page, batches by count and by bytes, JSONata
//!   forms, exported results; and the README's pipeline example over its files.
//! - `realworld_distributed.rs`: the real-world definitions with a Distributed Map's
//!   `ItemReader`, `ItemBatcher` or `ResultWriter`, each run by `asl serve` over local
//!   folders standing in for its buckets, with mocked Tasks and activity workers, one case
//!   each in `tests/realworld_distributed/` (outputs, histories, exported result files).
//!
//! The library itself holds what those tests share: [`workspace_dir`], [`target_dir`],
//! [`scratch_dir`], the Python clients' environment ([`python_clients`]) and a moto S3 server
//! ([`moto`]).

use std::path::{Path, PathBuf};

pub mod moto;
pub mod python_clients;

/// The asl-rs workspace (this crate's parent directory).
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A directory under the build directory for a test's generated crates and their own
/// build directory: `$CARGO_TARGET_DIR/asl-tests/<name>`, else the workspace's
/// `target/asl-tests/<name>`. It outlives the test, so the dependencies of the generated
/// crates compile once, not on every run.
pub fn scratch_dir(name: &str) -> PathBuf {
    target_dir().join("asl-tests").join(name)
}

/// The build directory: `$CARGO_TARGET_DIR`, else the workspace's `target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace_dir().join("target"), PathBuf::from)
}

/// The definitions of `../shared/realworld/valid` (JSON and YAML), sorted; `None` (and a
/// note) when `shared/` is not beside the workspace, which CI does not allow.
#[allow(clippy::panic, clippy::expect_used)] // the tests' helper: failing loudly is its job
pub fn realworld_definitions() -> Option<Vec<PathBuf>> {
    let dir = workspace_dir().join("../shared/realworld/valid");
    if !dir.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "{} not found, and CI is set", dir.display());
        eprintln!("note: {} not found; skipping", dir.display());
        return None;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            [".json", ".yaml", ".yml"].iter().any(|ext| name.ends_with(ext))
        })
        .collect();
    files.sort();
    Some(files)
}
