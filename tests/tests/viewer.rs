//! The viewer in a real browser: the pytest suite in `tests/viewer/` starts `asl serve`
//! (the binary Cargo built for this package, `src/bin/asl-under-test.rs`) with the
//! human-approval example, and drives Debian's headless Chromium through Selenium and its
//! chromedriver: the machines, a machine, an execution approved from the page (the waiting
//! state in progress, Approve, SUCCEEDED without a reload), a refusal and a redrive, a start
//! and a stop, and an execution of 10,006 events (its time to first render is printed).
//!
//! Selenium comes from the Python environment the API client tests use
//! (`target/api-clients-venv`, made from the pinned `tests/api/requirements.txt`); Chromium
//! and chromedriver from `apt-get install chromium chromium-driver`, which `.ci/run` does
//! when they are missing. Screenshots of the main pages go to `target/viewer-screenshots/`.
//! Nothing is skipped: without a browser the test fails and says what to install.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::ffi::OsStr;
use std::process::Command;
use std::time::Duration;

use asl_tests::python_clients::{Clients, summary};
use asl_tests::{scratch_dir, target_dir, workspace_dir};

/// The `asl` binary the suite serves the API with.
const ASL: &str = env!("CARGO_BIN_EXE_asl-under-test");

/// How long the suite may run before it counts as hung (it takes well under a minute).
const PATIENCE: Duration = Duration::from_secs(10 * 60);

#[test]
fn the_viewer_in_headless_chromium() {
    for program in ["chromium", "chromedriver"] {
        let found = Command::new("sh").args(["-c", &format!("command -v {program}")]).output();
        assert!(
            found.is_ok_and(|found| found.status.success()),
            "`{program}` is not installed: apt-get install -y chromium chromium-driver (.ci/run does)"
        );
    }
    let clients = Clients::new();
    clients.ensure();
    let logs = scratch_dir("viewer");
    let screenshots = target_dir().join("viewer-screenshots");
    std::fs::create_dir_all(&screenshots).expect("the screenshots' directory");
    let screenshots = screenshots.canonicalize().expect("the screenshots' directory");
    let suite = workspace_dir().join("tests").join("viewer");
    let env = [
        ("ASL_BIN", OsStr::new(ASL)),
        ("ASL_SCREENSHOTS", screenshots.as_os_str()),
        // Selenium finds nothing on the network: the browser and its driver are given.
        ("SE_OFFLINE", OsStr::new("true")),
    ];
    let output =
        clients.pytest("the viewer's browser suite", &[OsStr::new("-s"), suite.as_os_str()], &env, &logs, PATIENCE);
    let summary = summary(&output).unwrap_or_default();
    // The figures and the screenshots' paths.
    // (pytest's progress dots share their lines.)
    for line in output.lines().filter_map(|line| line.find("viewer: ").map(|at| &line[at..])) {
        eprintln!("{line}");
    }
    eprintln!("viewer: {summary}");
}
