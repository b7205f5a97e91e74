//! The flags `asl serve` and every `asl build` binary share.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use asl_bindings::BindingsConfig;

use crate::auth::{Credentials, Verifier};
use crate::{Auth, Config, Storage};

/// Where Tasks go: the mock configuration, Lambda's endpoint, HTTP connections.
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
}

impl BindingArgs {
    /// The bindings' configuration.
    pub fn config(&self) -> BindingsConfig {
        BindingsConfig {
            mock_config: self.mock_config.clone(),
            lambda_endpoint: self.lambda_endpoint.clone(),
            http_connections: self.http_connections.clone(),
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
