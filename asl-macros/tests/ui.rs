//! UI tests for `include_asl!`, run through `asl_runtime::include_asl!` as users call it.
//!
//! - `ui/pass/*.rs` must compile and run.
//! - `ui/fail/*.rs` must fail with exactly the error in the matching `.stderr`: one file
//!   per diagnostic family or macro-usage error, each with its own flow in `ui/flows/`
//!   named after the error.
//!
//! Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p asl-macros --test ui` and read every one: it must
//! show our message first and no follow-on rustc errors.
//!
//! trybuild compiles the cases in its own crate under `<target>/tests/trybuild/asl-macros/`,
//! and `CARGO_MANIFEST_DIR` points there, so this test copies `ui/flows/` into that crate
//! first; the cases then name flows exactly as a user would (`"flows/x.asl.json"`).
//! `fail/missing_file.stderr` names that resolved path, which trybuild shortens to
//! `$WORKSPACE/target/…`: it expects the target directory inside the workspace (the default).
//! Everything runs in one `#[test]`, so it works the same under `cargo nextest`.

#![allow(clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn ui() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project_dir = trybuild_project_dir(manifest_dir);
    copy_dir(&manifest_dir.join("tests/ui/flows"), &project_dir.join("flows"));

    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}

/// The directory of the crate trybuild generates: `<target dir>/tests/trybuild/<package>/`,
/// with the target directory found the way trybuild finds it (`cargo metadata`).
fn trybuild_project_dir(manifest_dir: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version=1"])
        .current_dir(manifest_dir)
        .output()
        .expect("run `cargo metadata`");
    assert!(output.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("parse `cargo metadata`");
    let target_dir = metadata["target_directory"].as_str().expect("`target_directory` in `cargo metadata`");
    Path::new(target_dir).join("tests/trybuild").join(env!("CARGO_PKG_NAME"))
}

/// Makes `to` hold a copy of the files of `from` (not recursively) and nothing else.
fn copy_dir(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).expect("clear the old flows of the trybuild crate");
    }
    std::fs::create_dir_all(to).expect("create the flows directory of the trybuild crate");
    for entry in std::fs::read_dir(from).expect("read tests/ui/flows") {
        let path = entry.expect("list tests/ui/flows").path();
        if path.is_file() {
            let name = path.file_name().expect("a file name");
            std::fs::copy(&path, to.join(name)).expect("copy a flow");
        }
    }
}
