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

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use asl_tests::python_clients::Clients;
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
    std::fs::create_dir_all(&logs).expect("the scratch directory");
    let screenshots = target_dir().join("viewer-screenshots");
    std::fs::create_dir_all(&screenshots).expect("the screenshots' directory");
    let screenshots = screenshots.canonicalize().expect("the screenshots' directory");
    let (stdout, stderr) = (logs.join("pytest.stdout"), logs.join("pytest.stderr"));
    let mut pytest = Command::new(clients.python())
        .args(["-m", "pytest", "-q", "-s"])
        .arg(workspace_dir().join("tests").join("viewer"))
        .current_dir(workspace_dir())
        .env("ASL_BIN", ASL)
        .env("ASL_SCREENSHOTS", &screenshots)
        // Selenium finds nothing on the network: the browser and its driver are given.
        .env("SE_OFFLINE", "true")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(File::create(&stdout).expect("pytest's stdout file"))
        .stderr(File::create(&stderr).expect("pytest's stderr file"))
        .spawn()
        .expect("pytest");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = pytest.try_wait().expect("pytest's status") {
            break Some(status);
        }
        if started.elapsed() > PATIENCE {
            let _ = pytest.kill();
            let _ = pytest.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = read(&stdout) + &read(&stderr);
    match status {
        None => panic!("pytest still running after {PATIENCE:?}; killed. Its output:\n{output}"),
        Some(status) if !status.success() => panic!("the viewer's browser suite failed ({status}):\n{output}"),
        Some(_) => {}
    }
    let summary = output.lines().rev().find(|line| line.contains(" passed")).unwrap_or_default();
    assert!(!summary.is_empty(), "pytest passed but reported no test passing:\n{output}");
    // The figures and the screenshots' paths.
    // (pytest's progress dots share their lines.)
    for line in output.lines().filter_map(|line| line.find("viewer: ").map(|at| &line[at..])) {
        eprintln!("{line}");
    }
    eprintln!("viewer: {summary}");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
