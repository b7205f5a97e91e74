//! The API server over HTTP, as a client sees it (`asl serve`'s figures):
//!
//! - latency: `StartExecution` of a one-state STANDARD workflow (SQLite store,
//!   `synchronous=FULL`) until `DescribeExecution` says SUCCEEDED, one at a time, p50/p99;
//! - throughput: `StartSyncExecution` of a three-state EXPRESS workflow by 64 concurrent
//!   clients on keep-alive connections, executions per second;
//! - memory: the server process's resident set with 100,000 STANDARD executions waiting
//!   on task tokens, against before they started.
//!
//! The server and the clients share this process (two runtimes: the server's with two
//! workers, as `asl serve` has on this machine, and the clients' with one), so they
//! compete for the same cores, as a server and its local test clients do.
//!
//! Run: `cargo bench -p asl-bench --bench serve` (`-- --quick` for a short run,
//! `--only latency|sync|memory`). The figures are printed, not asserted.

#![allow(clippy::expect_used, clippy::panic)] // a benchmark that cannot run should stop loudly

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use asl_server::{Config, Server, Storage};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One keep-alive HTTP/1.1 connection speaking the API.
struct Client {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Client { stream: BufReader::new(stream), host: addr.to_string() }
    }

    async fn call(&mut self, operation: &str, body: &Value) -> Value {
        let body = body.to_string();
        let request = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-amz-json-1.0\r\n\
             X-Amz-Target: AWSStepFunctions.{operation}\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes()).await.expect("write");
        let mut length = 0;
        let mut status = String::new();
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).await.expect("read");
            if status.is_empty() {
                status = line.clone();
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().expect("length");
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.expect("body");
        let answer: Value = serde_json::from_slice(&body).expect("JSON");
        assert!(status.contains(" 200 "), "{operation}: {status} {answer}");
        answer
    }
}

const ROLE: &str = "arn:aws:iam::123456789012:role/bench";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let only: Vec<&str> = args.windows(2).filter(|w| w[0] == "--only").map(|w| w[1].as_str()).collect();
    let part = |name: &str| only.is_empty() || only.contains(&name);
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a directory for the store");

    let server_tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("server")
        .enable_all()
        .build()
        .expect("tokio");
    let config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        storage: Storage::Sqlite(dir.path().join("serve.sqlite")),
        ..Config::default()
    };
    let server = server_tokio.block_on(Server::start(config)).expect("server");
    let addr = server.local_addr().expect("address");
    server_tokio.spawn(server.run(std::future::pending()));

    let clients = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("tokio");
    clients.block_on(async {
        let mut admin = Client::connect(addr).await;
        let one = json!({"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": true}}});
        admin.call("CreateStateMachine", &json!({"name": "one", "roleArn": ROLE, "definition": one.to_string()})).await;
        let three = include_str!("../flows/three_states.asl.json");
        admin
            .call(
                "CreateStateMachine",
                &json!({"name": "three", "roleArn": ROLE, "definition": three, "type": "EXPRESS"}),
            )
            .await;
        let token = include_str!("../flows/token_or_hour.asl.json");
        admin.call("CreateStateMachine", &json!({"name": "token", "roleArn": ROLE, "definition": token})).await;

        if part("latency") {
            latency(&mut admin, if quick { 100 } else { 1000 }).await;
        }
        if part("sync") {
            sync_throughput(addr, if quick { Duration::from_secs(3) } else { Duration::from_secs(10) }).await;
        }
        if part("memory") {
            memory(addr, if quick { 10_000 } else { 100_000 }).await;
        }
    });
}

async fn latency(client: &mut Client, runs: usize) {
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:one";
    let mut times = Vec::with_capacity(runs);
    let mut polls = 0u64;
    for _ in 0..runs {
        let began = Instant::now();
        let started = client.call("StartExecution", &json!({"stateMachineArn": machine})).await;
        let arn = started["executionArn"].clone();
        loop {
            polls += 1;
            let described = client.call("DescribeExecution", &json!({"executionArn": arn})).await;
            if described["status"] == "SUCCEEDED" {
                break;
            }
        }
        times.push(began.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "StartExecution to SUCCEEDED over HTTP (1 state, SQLite, polling DescribeExecution): p50 {:.2} ms, p99 {:.2} ms ({runs} runs, {:.1} polls each)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        polls as f64 / runs as f64
    );
}

async fn sync_throughput(addr: SocketAddr, run_for: Duration) {
    const CLIENTS: usize = 64;
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:three";
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (done, stop) = (Arc::clone(&done), Arc::clone(&stop));
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect(addr).await;
            let request = json!({"stateMachineArn": machine, "input": "{\"n\":1}"});
            while !stop.load(Ordering::Relaxed) {
                let answer = client.call("StartSyncExecution", &request).await;
                assert_eq!(answer["status"], "SUCCEEDED");
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // Warm up, then count.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = done.load(Ordering::Relaxed);
    let began = Instant::now();
    tokio::time::sleep(run_for).await;
    let counted = done.load(Ordering::Relaxed) - before;
    let seconds = began.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("client");
    }
    println!(
        "StartSyncExecution (3-state EXPRESS, {CLIENTS} clients, keep-alive): {:.0} executions/s ({counted} in {seconds:.1} s)",
        counted as f64 / seconds
    );
}

fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

async fn memory(addr: SocketAddr, executions: u64) {
    const CLIENTS: u64 = 32;
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:token";
    let before = resident_mib();
    let began = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        tasks.push(tokio::spawn(async move {
            let mut connection = Client::connect(addr).await;
            let request = json!({"stateMachineArn": machine, "input": "{\"token\":true}"});
            for _ in (client..executions).step_by(CLIENTS as usize) {
                connection.call("StartExecution", &request).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("client");
    }
    let started = began.elapsed();
    // Until every execution has handed out its token and parked.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = resident_mib();
    println!(
        "{executions} executions waiting on task tokens: resident set {before:.1} MiB -> {after:.1} MiB (+{:.0} bytes each; started at {:.0}/s)",
        (after - before) * 1024.0 * 1024.0 / executions as f64,
        executions as f64 / started.as_secs_f64()
    );
}
