//! Real AWS clients against a real `asl serve`: the pytest suite in `tests/api/` drives the
//! `asl` binary Cargo built for this package (`src/bin/asl-under-test.rs`) with boto3 and the aws CLI,
//! as users of Step Functions Local and LocalStack drive theirs (see `tests/api/conftest.py`).
//!
//! The clients live in a Python virtual environment, `target/api-clients-venv`, made here
//! when it is missing or when `tests/api/requirements.txt` changed since it was made:
//! `python3 -m venv`, then `pip install` of the pinned requirements. A lock file keeps two
//! test processes from making it at once. `.ci/run` makes it up front through
//! [`the_python_clients_are_installed`], so that pip's output shows in CI and its time is
//! not inside the suite's.
//!
//! Nothing is skipped: without Python, venv or pip, the tests fail and say what to install.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::ffi::OsStr;
use std::process::Command;
use std::time::Duration;

use asl_tests::python_clients::{Clients, summary, text};
use asl_tests::scratch_dir;

/// The `asl` binary the suite serves the API with.
const ASL: &str = env!("CARGO_BIN_EXE_asl-under-test");

/// How long the suite may run before it counts as hung (it takes well under a minute).
const PATIENCE: Duration = Duration::from_secs(20 * 60);

/// The environment has the clients the suite imports and runs: boto3, botocore, pytest and
/// the aws CLI, and moto's S3 server for s3_objects.rs. (`.ci/run` runs this alone, first.)
#[test]
fn the_python_clients_are_installed() {
    let clients = Clients::new();
    clients.ensure();
    let check = Command::new(clients.python())
        .args(["-c", "import boto3, botocore, pytest, awscli, selenium, moto.server; print(boto3.__version__, awscli.__version__)"])
        .output()
        .expect("the environment's python");
    assert!(check.status.success(), "the environment lacks a client:\n{}", text(&check));
    let aws = Command::new(clients.venv.join("bin").join("aws")).arg("--version").output().expect("the aws CLI");
    assert!(aws.status.success(), "`aws --version` failed:\n{}", text(&aws));
    eprintln!("api_clients: boto3 and awscli {}", String::from_utf8_lossy(&check.stdout).trim());
}

/// Every test of `tests/api/` passes against `asl serve`.
#[test]
fn boto3_and_the_aws_cli_against_asl_serve() {
    let clients = Clients::new();
    clients.ensure();
    let env = [("ASL_BIN", OsStr::new(ASL))];
    let output = clients.pytest(
        "the API client suite",
        &[clients.suite.as_os_str()],
        &env,
        &scratch_dir("api-clients"),
        PATIENCE,
    );
    eprintln!("api_clients: {}", summary(&output).unwrap_or_default());
}
