//! The flags `asl serve` and every `asl build` binary share.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use asl_bindings::BindingsConfig;

use crate::auth::{Credentials, Verifier};
use crate::{Auth, Config, Storage};

/// Where Tasks go: the mock configuration, Lambda's endpoint, HTTP connections; where a
/// Distributed Map's objects are: folders standing in for buckets, S3's endpoint.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct BindingArgs {
    /// A Step Functions Local mock configuration file (MockConfigFile.json): executions
    /// started with one of its test cases (`…:stateMachine:NAME#CASE`) get its mocked
    /// responses for the states the test case names.
    #[arg(long, value_name = "FILE", env = "SFN_MOCK_CONFIG")]
    pub mock_config: Option<PathBuf>,

    /// The Lambda Invoke API's endpoint (`sam local start-lambda`, LocalStack…). Without
    /// it, `AWS_ENDPOINT_URL_LAMBDA`, then `AWS_ENDPOINT_URL`, then AWS itself (signed with
    /// the `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` credentials).
    #[arg(long, value_name = "URL")]
    pub lambda_endpoint: Option<String>,

    /// The connections file `http:invoke` Tasks authenticate with (in place of
    /// EventBridge connections).
    #[arg(long, value_name = "FILE", env = "ASL_HTTP_CONNECTIONS")]
    pub http_connections: Option<PathBuf>,

    /// A bucket that is a folder on this machine, as BUCKET=DIR; repeatable, or several
    /// separated by commas. Distributed Maps read the bucket's objects from the folder's
    /// files (the key is the path under the folder, with `/`) and write their results
    /// there. A relative DIR is taken from the current directory; it must exist. Other
    /// buckets are S3's (--s3-endpoint).
    #[arg(
        long,
        value_name = "BUCKET=DIR",
        value_parser = asl_bindings::s3::parse_dir_mapping,
        value_delimiter = ',',
        env = "ASL_S3_DIRS"
    )]
    pub s3_dir: Vec<(String, PathBuf)>,

    /// The S3 endpoint of the buckets that are not folders (LocalStack, MinIO…), path-style.
    /// Without it, `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, then AWS itself (signed
    /// with the `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` credentials).
    #[arg(long, value_name = "URL")]
    pub s3_endpoint: Option<String>,
}

impl BindingArgs {
    /// The bindings' configuration.
    pub fn config(&self) -> BindingsConfig {
        BindingsConfig {
            mock_config: self.mock_config.clone(),
            lambda_endpoint: self.lambda_endpoint.clone(),
            http_connections: self.http_connections.clone(),
            s3_dirs: self.s3_dir.clone(),
            s3_endpoint: self.s3_endpoint.clone(),
        }
    }
}

/// How executions are kept and timed, and the ARNs' region and account.
#[derive(Clone, Debug, clap::Args)]
pub struct EngineArgs {
    /// Make Waits, retry intervals and timeouts take this fraction of their time: 0 ends
    /// them at once, 0.01 makes them a hundred times shorter.
    #[arg(long, value_name = "F", value_parser = parse_scale, env = "ASL_WAIT_SCALE")]
    pub wait_scale: Option<f64>,

    /// The region in ARNs.
    #[arg(long, default_value = "us-east-1", env = "ASL_REGION")]
    pub region: String,

    /// The account in ARNs.
    #[arg(long, default_value = "123456789012", env = "ASL_ACCOUNT")]
    pub account: String,

    /// A state machine that is EXPRESS (the others are STANDARD); repeatable.
    #[arg(long, value_name = "NAME")]
    pub express: Vec<String>,
}

/// Arguments of `asl serve` and `BIN serve`.
#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// Folders of definitions (and definition files) that are state machines from the
    /// start, named after their files: `order.asl.json` is `order`.
    #[arg(value_name = "FLOWS_DIR")]
    pub flows: Vec<PathBuf>,

    /// The address to listen on. Anything but loopback needs `--auth-key` or `--no-auth`.
    #[arg(long, default_value = "127.0.0.1:8083", value_name = "ADDR", env = "ASL_LISTEN")]
    pub listen: SocketAddr,

    /// The SQLite file that keeps state machines and executions across restarts.
    #[arg(long, default_value = "asl.db", value_name = "FILE", conflicts_with = "memory", env = "ASL_DB")]
    pub db: PathBuf,

    /// Keep nothing: state machines and executions live as long as the process.
    #[arg(long)]
    pub memory: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub engine: EngineArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub bindings: BindingArgs,

    /// Accept only requests signed (AWS Signature Version 4) with this access key and
    /// secret, given as `ACCESS_KEY_ID:SECRET_ACCESS_KEY`; repeatable. Without it any
    /// signature is accepted, as local emulators do.
    #[arg(long, value_name = "ID:SECRET", value_parser = parse_key, conflicts_with = "no_auth")]
    pub auth_key: Vec<(String, String)>,

    /// Listen on a non-loopback address without authentication: anyone who can reach it
    /// can run and stop workflows.
    #[arg(long)]
    pub no_auth: bool,

    /// A configuration file (TOML; keys are these flags' long names). Flags win over
    /// environment variables, which win over the file.
    #[arg(long, value_name = "FILE", env = "ASL_CONFIG")]
    pub config: Option<PathBuf>,
}

impl ServeArgs {
    /// The server's configuration (without compiled machines).
    pub fn config(&self) -> Config {
        Config {
            listen: self.listen,
            storage: if self.memory { Storage::Memory } else { Storage::Sqlite(self.db.clone()) },
            wait_scale: self.engine.wait_scale,
            region: self.engine.region.clone(),
            account: self.engine.account.clone(),
            flows: self.flows.clone(),
            express: self.engine.express.clone(),
            auth: if !self.auth_key.is_empty() {
                let keys = self.auth_key.iter().map(|(id, secret)| Credentials::new(id.clone(), secret.clone()));
                Auth::Signed(Arc::new(Verifier::new(keys, self.engine.region.clone())))
            } else if self.no_auth {
                Auth::None
            } else {
                Auth::Open
            },
            compiled: Vec::new(),
            bindings: self.bindings.config(),
        }
    }
}

fn parse_key(text: &str) -> Result<(String, String), String> {
    match text.split_once(':') {
        Some((id, secret)) if !id.is_empty() && !secret.is_empty() => Ok((id.to_owned(), secret.to_owned())),
        _ => Err("give the key as ACCESS_KEY_ID:SECRET_ACCESS_KEY".to_owned()),
    }
}

fn parse_scale(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(scale) if asl_runtime::clock::ScaledClock::valid_scale(scale) => Ok(scale),
        _ => Err(format!("`{text}` is not a scale: give a fraction from 0 to 1, such as 0 or 0.01")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job
mod tests {
    use std::ffi::OsString;
    use std::path::PathBuf;

    use clap::{CommandFactory, FromArgMatches};

    use super::ServeArgs;
    use crate::cli::config_file::{self, Problem};

    /// `asl serve`'s arguments alone.
    #[derive(Debug, clap::Parser)]
    struct Serve {
        #[command(flatten)]
        args: ServeArgs,
    }

    /// `args` read as `asl serve` reads them (configuration file included).
    fn serve(args: &[&str]) -> Result<ServeArgs, String> {
        let mut argv = vec![OsString::from("asl")];
        argv.extend(args.iter().map(OsString::from));
        let matches = config_file::matches(&Serve::command(), argv).map_err(|problem| match problem {
            Problem::Usage(error) => error.to_string(),
            Problem::File(message) => message,
        })?;
        Serve::from_arg_matches(&matches).map(|serve| serve.args).map_err(|e| e.to_string())
    }

    fn dirs(pairs: &[(&str, &str)]) -> Vec<(String, PathBuf)> {
        pairs.iter().map(|(bucket, dir)| ((*bucket).to_owned(), PathBuf::from(dir))).collect()
    }

    #[test]
    fn s3_flags_become_the_bindings_configuration() {
        let args = serve(&[
            "--s3-dir",
            "items=./data",
            "--s3-dir",
            "results=/srv/out,archive=old",
            "--s3-endpoint",
            "http://127.0.0.1:9000",
        ])
        .unwrap();
        let config = args.bindings.config();
        assert_eq!(config.s3_dirs, dirs(&[("items", "./data"), ("results", "/srv/out"), ("archive", "old")]));
        assert_eq!(config.s3_endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        let bare = serve(&[]).unwrap().bindings.config();
        assert_eq!((bare.s3_dirs.len(), bare.s3_endpoint), (0, None));
    }

    #[test]
    fn a_malformed_s3_dir_is_a_usage_error_that_says_why() {
        let error = serve(&["--s3-dir", "./data"]).unwrap_err();
        assert!(error.contains("is not BUCKET=DIR"), "{error}");
        let error = serve(&["--s3-dir", "=./data"]).unwrap_err();
        assert!(error.contains("names no bucket"), "{error}");
    }

    #[test]
    fn the_configuration_file_sets_s3_under_the_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("asl.toml");
        std::fs::write(&file, "s3-dir = [\"items=./data\", \"out=./results\"]\ns3-endpoint = \"http://file:1\"\n")
            .unwrap();
        let file = file.display().to_string();
        let from_file = serve(&["--config", &file]).unwrap().bindings.config();
        assert_eq!(from_file.s3_dirs, dirs(&[("items", "./data"), ("out", "./results")]));
        assert_eq!(from_file.s3_endpoint.as_deref(), Some("http://file:1"));
        let flagged = serve(&["--config", &file, "--s3-dir", "mine=/m", "--s3-endpoint", "http://flag:2"]).unwrap();
        let flagged = flagged.bindings.config();
        assert_eq!(flagged.s3_dirs, dirs(&[("mine", "/m")]));
        assert_eq!(flagged.s3_endpoint.as_deref(), Some("http://flag:2"));
    }

    #[test]
    fn a_missing_s3_dir_stops_the_start_and_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-folder");
        let mapping = format!("items={}", missing.display());
        let config = serve(&["--s3-dir", &mapping]).unwrap().bindings.config();
        let error = asl_bindings::Bindings::new(&config, "us-east-1").unwrap_err();
        assert!(error.contains("bucket `items`") && error.contains(&missing.display().to_string()), "{error}");
        std::fs::create_dir(&missing).unwrap();
        let bindings = asl_bindings::Bindings::new(&config, "us-east-1").unwrap();
        assert!(bindings.objects().folders().holds("items"));
    }
}
