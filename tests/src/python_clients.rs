//! The Python virtual environment of the AWS clients (boto3, the aws CLI, pytest) that
//! `api_clients.rs` and `shipped.rs` drive servers with: `target/api-clients-venv`, made
//! when it is missing or when `tests/api/requirements.txt` changed since it was made
//! (`python3 -m venv`, then `pip install` of the pinned requirements). A lock file keeps two
//! test processes from making it at once. Nothing is skipped: without Python, venv or pip,
//! the tests fail and say what to install.

#![allow(clippy::expect_used, clippy::panic)] // the tests' helper: failing loudly is its job

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::{target_dir, workspace_dir};

/// What to install when Python cannot make the environment.
const INSTALL_PYTHON: &str = "install Python 3 with its venv module and pip \
     (Debian/Ubuntu: `apt-get install python3 python3-venv python3-pip`)";

/// The suite, its requirements and the environment made from them.
pub struct Clients {
    /// The pytest suite of the API (`tests/api`).
    pub suite: PathBuf,
    /// Its pinned requirements.
    pub requirements: PathBuf,
    /// The environment.
    pub venv: PathBuf,
}

impl Clients {
    /// The clients of `tests/api`, in `target/api-clients-venv`.
    #[allow(clippy::new_without_default)] // it reads the workspace: not a default value
    pub fn new() -> Clients {
        let workspace = workspace_dir().canonicalize().expect("the workspace");
        let suite = workspace.join("tests").join("api");
        let requirements = suite.join("requirements.txt");
        Clients { suite, requirements, venv: target_dir().join("api-clients-venv") }
    }

    /// The environment's Python.
    pub fn python(&self) -> PathBuf {
        self.venv.join("bin").join("python")
    }

    /// The file that says which requirements the environment was made from: written last,
    /// so an environment whose making was interrupted is made again.
    fn stamp(&self) -> PathBuf {
        self.venv.join("asl-requirements.txt")
    }

    /// Makes the environment unless it is there, complete, and made from today's
    /// requirements; prints what pip said when it made it.
    pub fn ensure(&self) {
        let wanted = std::fs::read_to_string(&self.requirements)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", self.requirements.display()));
        std::fs::create_dir_all(target_dir()).expect("the build directory");
        let lock_path = target_dir().join("api-clients-venv.lock");
        let lock = File::create(&lock_path).unwrap_or_else(|e| panic!("cannot open {}: {e}", lock_path.display()));
        lock.lock().unwrap_or_else(|e| panic!("cannot lock {}: {e}", lock_path.display()));
        if std::fs::read_to_string(self.stamp()).is_ok_and(|made| made == wanted) && self.python().exists() {
            return;
        }
        let started = Instant::now();
        eprintln!("api_clients: making {} from {}", self.venv.display(), self.requirements.display());
        let version = Command::new("python3").arg("--version").output();
        match version {
            Ok(output) if output.status.success() => {}
            Ok(output) => panic!("`python3 --version` failed: {}\n{INSTALL_PYTHON}", text(&output)),
            Err(error) => panic!("cannot run python3 ({error}): {INSTALL_PYTHON}"),
        }
        let venv = Command::new("python3").args(["-m", "venv", "--clear"]).arg(&self.venv).output().expect("python3");
        if !venv.status.success() {
            panic!("`python3 -m venv {}` failed:\n{}\n{INSTALL_PYTHON}", self.venv.display(), text(&venv));
        }
        let pip = Command::new(self.python())
            .args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--requirement"])
            .arg(&self.requirements)
            .output()
            .expect("the environment's python");
        eprintln!("{}", text(&pip));
        if !pip.status.success() {
            panic!(
                "pip could not install {} (it needs PyPI, or a pip configured for a mirror of it):\n{}",
                self.requirements.display(),
                text(&pip)
            );
        }
        std::fs::write(self.stamp(), wanted).expect("the environment's stamp");
        eprintln!("api_clients: made the environment in {:.1} s", started.elapsed().as_secs_f64());
    }
}

impl Clients {
    /// Runs `pytest -q` with `args` (the suite, options) in the workspace, `env` added, its
    /// output kept in `logs`; the output once every test passed and pytest reported its
    /// count. A failure, or a run past `patience` (killed), fails the calling test with
    /// the output, `what` naming the suite.
    pub fn pytest(
        &self,
        what: &str,
        args: &[&std::ffi::OsStr],
        env: &[(&str, &std::ffi::OsStr)],
        logs: &Path,
        patience: Duration,
    ) -> String {
        std::fs::create_dir_all(logs).expect("the scratch directory");
        let (stdout, stderr) = (logs.join("pytest.stdout"), logs.join("pytest.stderr"));
        let mut pytest = Command::new(self.python());
        pytest.args(["-m", "pytest", "-q"]).args(args).current_dir(crate::workspace_dir());
        // No __pycache__ in the source tree.
        pytest.env("PYTHONDONTWRITEBYTECODE", "1");
        for (name, value) in env {
            pytest.env(name, value);
        }
        let mut pytest = pytest
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
            if started.elapsed() > patience {
                let _ = pytest.kill();
                let _ = pytest.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
        let output = read(&stdout) + &read(&stderr);
        match status {
            None => panic!("pytest still running after {patience:?}; killed. Its output:\n{output}"),
            Some(status) if !status.success() => panic!("{what} failed ({status}):\n{output}"),
            Some(_) => {}
        }
        // pytest -q ends with its count: "N passed, M xfailed in S s".
        assert!(summary(&output).is_some(), "pytest passed but reported no test passing:\n{output}");
        output
    }
}

/// The count `pytest -q` ends its output with ("N passed, M xfailed in S s").
pub fn summary(output: &str) -> Option<&str> {
    output.lines().rev().find(|line| line.contains(" passed"))
}

/// A process's output, stdout then stderr.
pub fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}
