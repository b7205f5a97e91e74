//! `asl serve` and `BIN serve`: the API until Ctrl-C or SIGTERM.

use std::io::Write;

use crate::{Config, Server, Storage};

/// Serves `config` until Ctrl-C or SIGTERM; the exit status.
pub fn serve(config: Config, name: &str, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let Some(runtime) = tokio_runtime(err) else { return 1 };
    runtime.block_on(async {
        let store = match &config.storage {
            Storage::Memory => "memory".to_owned(),
            Storage::Sqlite(path) => path.display().to_string(),
        };
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
        let address = server.local_addr().map_or_else(|_| "?".to_owned(), |a| a.to_string());
        let _ = writeln!(
            out,
            "{name}: listening on http://{address} ({} state machines, {} executions resumed, store {store})",
            startup.machines, startup.resumed
        );
        // A second line, so that what reads the first (scripts, tests) still finds it.
        let _ = writeln!(out, "{name}: the viewer is at http://{address}/");
        let _ = out.flush();
        match server.run(shutdown_signal()).await {
            Ok(()) => {
                let _ = writeln!(out, "{name}: stopped");
                0
            }
            Err(error) => {
                let _ = writeln!(err, "error: {error}");
                1
            }
        }
    })
}

/// A multi-threaded tokio runtime (requests and executions share the cores), or `None`
/// with the reason written to `err`.
pub(super) fn tokio_runtime(err: &mut dyn Write) -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => Some(runtime),
        Err(error) => {
            let _ = writeln!(err, "error: cannot start the async runtime: {error}");
            None
        }
    }
}

/// Completes at Ctrl-C (SIGINT) or SIGTERM.
pub(super) async fn shutdown_signal() {
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
