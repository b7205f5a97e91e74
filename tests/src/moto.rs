//! A moto S3 server on loopback (`python -m moto.server`, from the Python environment of
//! [`python_clients`](crate::python_clients), pinned in `tests/api/requirements.txt`), and
//! boto3 beside it as a second client: the S3-compatible server the Distributed Map tests
//! read and write objects through.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::python_clients::{Clients, text};
use crate::scratch_dir;

/// How long moto may take to start.
const START_PATIENCE: Duration = Duration::from_secs(60);

/// A moto server on loopback, killed when dropped (a failing test included).
pub struct Moto {
    child: Child,
    /// Where it listens (`http://127.0.0.1:PORT`).
    pub url: String,
    log: PathBuf,
}

impl Moto {
    /// Starts one with the extra environment `env`; its output goes to a scratch folder
    /// named `name`.
    pub fn start(clients: &Clients, name: &str, env: &[(&str, &str)]) -> Moto {
        let dir = scratch_dir("moto").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("moto.log");
        let child = Command::new(clients.python())
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"])
            .envs(env.iter().copied())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(File::create(dir.join("moto.out")).unwrap())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .expect("moto's server");
        let mut moto = Moto { child, url: String::new(), log };
        let started = Instant::now();
        // Werkzeug says where it listens once it does: ` * Running on http://127.0.0.1:PORT`.
        loop {
            let said = std::fs::read_to_string(&moto.log).unwrap_or_default();
            if let Some(url) = said.split("Running on ").nth(1).and_then(|rest| rest.split_whitespace().next()) {
                moto.url = url.to_owned();
                return moto;
            }
            if let Some(status) = moto.child.try_wait().unwrap() {
                panic!("moto's server stopped ({status}):\n{said}");
            }
            assert!(started.elapsed() < START_PATIENCE, "moto's server did not start:\n{said}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What it logged, for a failure's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the Python `script` with boto3 at moto's `url` (as `URL`), dummy credentials in the
/// environment; its standard output.
pub fn boto3(clients: &Clients, url: &str, script: &str) -> String {
    let prelude = "import boto3, json, sys\nURL = sys.argv[1]\n\
                   s3 = boto3.client('s3', endpoint_url=URL, region_name='us-east-1')\n";
    let output = Command::new(clients.python())
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .arg(url)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the environment's python");
    assert!(output.status.success(), "boto3 failed:\n{}", text(&output));
    String::from_utf8(output.stdout).unwrap()
}
