//! `asl serve`: the Step Functions API on a local address, for the aws CLI, boto3 and the
//! AWS SDKs.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use std::sync::Arc;

use asl_server::auth::{Credentials, Verifier};
use asl_server::{Auth, Config, Server, Storage};

/// Arguments of `asl serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Folders of definitions (and definition files) that are state machines from the
    /// start, named after their files: `order.asl.json` is `order`.
    #[arg(value_name = "FLOWS_DIR")]
    pub flows: Vec<PathBuf>,

    /// The address to listen on. Anything but loopback needs `--auth-key` or `--no-auth`.
    #[arg(long, default_value = "127.0.0.1:8083", value_name = "ADDR")]
    pub listen: SocketAddr,

    /// The SQLite file that keeps state machines and executions across restarts.
    #[arg(long, default_value = "asl.db", value_name = "FILE", conflicts_with = "memory")]
    pub db: PathBuf,

    /// Keep nothing: state machines and executions live as long as the process.
    #[arg(long)]
    pub memory: bool,

    /// Make Waits, retry intervals and timeouts take this fraction of their time: 0 ends
    /// them at once, 0.01 makes them a hundred times shorter.
    #[arg(long, value_name = "F", value_parser = parse_scale)]
    pub wait_scale: Option<f64>,

    /// The region in ARNs.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,

    /// The account in ARNs.
    #[arg(long, default_value = "123456789012")]
    pub account: String,

    /// A definition file's machine that is EXPRESS (the others are STANDARD); repeatable.
    #[arg(long, value_name = "NAME")]
    pub express: Vec<String>,

    /// Accept only requests signed (AWS Signature Version 4) with this access key and
    /// secret, given as `ACCESS_KEY_ID:SECRET_ACCESS_KEY`; repeatable. Without it any
    /// signature is accepted, as local emulators do.
    #[arg(long, value_name = "ID:SECRET", value_parser = parse_key, conflicts_with = "no_auth")]
    pub auth_key: Vec<(String, String)>,

    /// Listen on a non-loopback address without authentication: anyone who can reach it
    /// can run and stop workflows.
    #[arg(long)]
    pub no_auth: bool,
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

/// Runs `asl serve` until Ctrl-C or SIGTERM; the exit status.
pub fn run(args: &ServeArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let config = Config {
        listen: args.listen,
        storage: if args.memory { Storage::Memory } else { Storage::Sqlite(args.db.clone()) },
        wait_scale: args.wait_scale,
        region: args.region.clone(),
        account: args.account.clone(),
        flows: args.flows.clone(),
        express: args.express.clone(),
        auth: if !args.auth_key.is_empty() {
            let keys = args.auth_key.iter().map(|(id, secret)| Credentials::new(id.clone(), secret.clone()));
            Auth::Signed(Arc::new(Verifier::new(keys, args.region.clone())))
        } else if args.no_auth {
            Auth::None
        } else {
            Auth::Open
        },
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = writeln!(err, "error: cannot start the async runtime: {error}");
            return 1;
        }
    };
    runtime.block_on(async {
        let server = match Server::start(config).await {
            Ok(server) => server,
            Err(message) => {
                let _ = writeln!(err, "error: {message}");
                return 1;
            }
        };
        let startup = server.startup();
        for warning in &startup.warnings {
            let _ = writeln!(err, "warning: {warning}");
        }
        let store = if args.memory { "memory".to_owned() } else { args.db.display().to_string() };
        let address = server.local_addr().map_or_else(|_| "?".to_owned(), |a| a.to_string());
        let _ = writeln!(
            out,
            "asl serve: listening on http://{address} ({} state machines, {} executions resumed, store {store})",
            startup.machines, startup.resumed
        );
        let _ = out.flush();
        match server.run(shutdown_signal()).await {
            Ok(()) => {
                let _ = writeln!(out, "asl serve: stopped");
                0
            }
            Err(error) => {
                let _ = writeln!(err, "error: {error}");
                1
            }
        }
    })
}

/// Completes at Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
