//! The viewer as a `Server` serves it: the page beside the API on the same port, an event
//! stream left open that does not hold up a graceful stop, and the page's weight.
//! (The routes' refusals, the graph cache and the stream's contents are tested beside the
//! code, in `src/viewer/`; the page itself in a browser, by `tests/tests/viewer.rs`.)

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // failing loudly is a test's job

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use asl_server::viewer::assets;
use asl_server::{Config, Server, Storage};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DEFINITION: &str = r#"{"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": true}}}"#;

async fn request(addr: SocketAddr, text: String) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(text.as_bytes()).await.expect("write");
    stream
}

async fn read_all(mut stream: tokio::net::TcpStream) -> String {
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw)).await.expect("an end").expect("read");
    String::from_utf8_lossy(&raw).into_owned()
}

async fn api(addr: SocketAddr, operation: &str, body: &str) -> String {
    let text = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: AWSStepFunctions.{operation}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    read_all(request(addr, text).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_beside_the_api_and_a_stop_that_does_not_wait_for_open_streams() {
    let config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        storage: Storage::Memory,
        wait_scale: Some(0.0),
        ..Config::default()
    };
    let server = Server::start(config).await.unwrap_or_else(|e| panic!("start: {e}"));
    let addr = server.local_addr().expect("its address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));

    // GET / is the page; POST / is still the API.
    let page =
        read_all(request(addr, format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")).await).await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("/viewer/assets/app.js"), "{page}");
    let body =
        serde_json::json!({"name": "waits", "definition": DEFINITION, "roleArn": "arn:aws:iam::123456789012:role/r"});
    let created = api(addr, "CreateStateMachine", &body.to_string()).await;
    assert!(created.starts_with("HTTP/1.1 200"), "{created}");
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:waits";
    let started = api(addr, "StartExecution", &format!(r#"{{"stateMachineArn": "{machine}", "name": "one"}}"#)).await;
    assert!(started.starts_with("HTTP/1.1 200"), "{started}");

    // A stream of an execution that waits for a token: it sends what there is, then waits.
    let arn = "arn:aws:states:us-east-1:123456789012:execution:waits:one";
    let mut stream =
        request(addr, format!("GET /viewer/events?executionArn={arn} HTTP/1.1\r\nHost: {addr}\r\n\r\n")).await;
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("TaskSubmitted") {
        let read = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buffer)).await.expect("events");
        let read = read.expect("read");
        assert!(read > 0, "the stream ended early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buffer[..read]);
    }
    let seen = String::from_utf8_lossy(&seen);
    assert!(seen.contains("content-type: text/event-stream"), "{seen}");
    assert!(seen.contains("event: events"), "{seen}");

    // Stopping the server ends the open stream rather than waiting for the execution.
    let asked = Instant::now();
    stop.send(()).expect("the server runs");
    let result = tokio::time::timeout(Duration::from_secs(10), running).await;
    assert!(result.is_ok(), "the server did not stop with an event stream open");
    eprintln!("stopped {:?} after it was asked, with an event stream open", asked.elapsed());
}

#[test]
fn page_weight() {
    let files: Vec<String> = std::iter::once(&assets::INDEX)
        .chain(assets::FILES)
        .map(|asset| format!("{} {} B", asset.name, asset.body.len()))
        .collect();
    let weight = assets::page_weight();
    eprintln!("viewer: page weight {weight} bytes uncompressed ({})", files.join(", "));
    assert!(weight > 0);
}
