//! Serves the `quote` workflow on 127.0.0.1:8083 until Ctrl-C (see the library's docs).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], 8083));
    let server = match example_server_library::start(listen).await {
        Ok(server) => server,
        Err(message) => {
            eprintln!("error: {message}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("serving the quote workflow on http://{listen}");
    let stopped = server.run(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    match stopped.await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
