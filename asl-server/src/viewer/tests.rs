//! The viewer's routes, in process: the router of a real `Shared` served on a loopback port
//! and asked over HTTP/1.1, and the graph cache beside it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use asl_runtime::clock::ScaledClock;
use asl_runtime::store::MemoryStore;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::assets;
use crate::http::{Shared, router};
use crate::service::Service;
use crate::{Auth, call};

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:hello";
const ROLE: &str = "arn:aws:iam::123456789012:role/test";

fn service() -> Arc<Service> {
    let bindings = Arc::new(asl_bindings::Bindings::new(&Default::default(), "us-east-1").expect("bindings"));
    // Waits pass at once.
    Arc::new(Service::new(
        Arc::new(MemoryStore::new()),
        Arc::new(ScaledClock::new(0.0)),
        "us-east-1",
        "123456789012",
        bindings,
    ))
}

async fn api(service: &Service, operation: &str, body: Value) -> Value {
    call(service, &format!("AWSStepFunctions.{operation}"), body.to_string().as_bytes())
        .await
        .unwrap_or_else(|error| panic!("{operation}: {}", error.body()))
}

async fn create(service: &Service, definition: Value) {
    api(service, "CreateStateMachine", json!({"name": "hello", "definition": definition.to_string(), "roleArn": ROLE}))
        .await;
}

fn hello() -> Value {
    json!({"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "Next": "Done"}, "Done": {"Type": "Succeed"}}})
}

/// Serves the router of `shared` on a free loopback port.
async fn serve(shared: Arc<Shared>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, router(shared)).await });
    addr
}

/// An HTTP answer: status, headers (lower-case names), body (chunks joined).
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// `GET path` on a fresh connection, read to its end (an event stream ends when its
/// execution does).
async fn get(addr: SocketAddr, path: &str, extra: &str) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .unwrap_or_else(|_| panic!("GET {path}: no end in 30 s"))
        .expect("read");
    let raw = String::from_utf8(raw).expect("UTF-8");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP answer: {raw}"));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut answer = Answer { status, head: head.to_owned(), body: body.to_owned() };
    if answer.header("transfer-encoding") == Some("chunked") {
        answer.body = unchunk(body);
    }
    answer
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// The `event:`/`data:` pairs of an event stream.
fn messages(body: &str) -> Vec<(String, String, Option<u64>)> {
    body.split("\n\n")
        .filter_map(|block| {
            let mut kind = None;
            let mut data = None;
            let mut id = None;
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event: ") {
                    kind = Some(value.to_owned());
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data = Some(value.to_owned());
                } else if let Some(value) = line.strip_prefix("id: ") {
                    id = value.parse().ok();
                }
            }
            Some((kind?, data?, id))
        })
        .collect()
}

fn quoted(arn: &str) -> String {
    arn.replace(':', "%3A")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_its_files_are_served_from_the_binary() {
    let addr = serve(Arc::new(Shared::new(service(), Auth::Open))).await;
    let page = get(addr, "/", "").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    for asset in assets::FILES {
        // The page loads every file, and each is served with its type.
        assert!(page.body.contains(&format!("/viewer/assets/{}", asset.name)), "the page does not load {}", asset.name);
        let file = get(addr, &format!("/viewer/assets/{}", asset.name), "").await;
        assert_eq!(file.status, 200, "{}", asset.name);
        assert_eq!(file.header("content-type"), Some(asset.content_type));
        assert_eq!(file.body, asset.body);
    }
    // Nothing from elsewhere: no URL with a host in the page or its files.
    for text in std::iter::once(assets::INDEX.body).chain(assets::FILES.iter().map(|a| a.body)) {
        assert!(!text.contains("src=\"http") && !text.contains("href=\"http") && !text.contains("url(http"));
    }
    let missing = get(addr, "/viewer/assets/nothing.js", "").await;
    assert_eq!(missing.status, 404);
    assert!(missing.json()["message"].as_str().unwrap().contains("nothing.js"));
    assert_eq!(get(addr, "/viewer/unknown", "").await.status, 404);
}

#[test]
fn the_page_stays_small() {
    // A page, not an application framework: small enough to read (its weight is printed by
    // tests/viewer.rs).
    assert!(assets::page_weight() < 150_000, "the viewer's files weigh {} bytes", assets::page_weight());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_requires_signatures_says_the_viewer_is_off() {
    let verifier = crate::auth::Verifier::new([crate::auth::Credentials::new("AKID", "secret")], "us-east-1");
    let service = service();
    create(&service, hello()).await;
    let addr = serve(Arc::new(Shared::new(service, Auth::Signed(Arc::new(verifier))))).await;
    let page = get(addr, "/", "").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("requires every request to be signed"), "{}", page.body);
    assert!(!page.body.contains("app.js"));
    let graph = get(addr, &format!("/viewer/graph?stateMachineArn={MACHINE}"), "").await;
    assert_eq!(graph.status, 403);
    assert!(graph.json()["message"].as_str().unwrap().contains("signed"));
    let events = get(addr, "/viewer/events?executionArn=x", "").await;
    assert_eq!(events.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_and_unknown_arns_are_clear_refusals() {
    let service = service();
    create(&service, hello()).await;
    let addr = serve(Arc::new(Shared::new(service, Auth::Open))).await;
    let cases = [
        ("/viewer/graph", 400, "?stateMachineArn="),
        ("/viewer/graph?stateMachineArn=nonsense", 400, "not a state machine ARN"),
        (
            "/viewer/graph?stateMachineArn=arn:aws:states:us-east-1:123456789012:stateMachine:nobody",
            404,
            "no state machine",
        ),
        (
            "/viewer/graph?stateMachineArn=arn:aws:states:us-east-1:123456789012:stateMachine:hello:7",
            404,
            "no state machine",
        ),
        (
            "/viewer/graph?stateMachineArn=arn:aws:states:us-east-1:123456789012:stateMachine:hello&format=png",
            400,
            "unknown format",
        ),
        ("/viewer/events", 400, "?executionArn="),
        (
            "/viewer/events?executionArn=arn:aws:states:us-east-1:123456789012:stateMachine:hello",
            400,
            "not an execution ARN",
        ),
        (
            "/viewer/events?executionArn=arn:aws:states:us-east-1:123456789012:execution:hello:nobody",
            404,
            "no execution",
        ),
        (
            "/viewer/events?executionArn=arn:aws:states:us-east-1:123456789012:execution:hello:x&after=-1",
            400,
            "whole number",
        ),
        // Percent-encoded bytes that are no UTF-8, and a lone `%`: still a refusal.
        ("/viewer/graph?stateMachineArn=%FF%FE%", 400, "not a state machine ARN"),
    ];
    for (path, status, words) in cases {
        let answer = get(addr, path, "").await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert_eq!(answer.header("content-type"), Some("application/json"), "{path}");
        let message = answer.json()["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(words), "{path}: {message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graph_is_json_or_svg_with_the_states_named() {
    let service = service();
    create(&service, hello()).await;
    let addr = serve(Arc::new(Shared::new(service, Auth::Open))).await;
    let answer = get(addr, &format!("/viewer/graph?stateMachineArn={}", quoted(MACHINE)), "").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let drawing = answer.json();
    assert_eq!(drawing["stateMachineArn"], MACHINE);
    let nodes: Vec<&str> =
        drawing["graph"]["nodes"].as_array().unwrap().iter().filter_map(|n| n["id"].as_str()).collect();
    assert_eq!(nodes, ["#start", "Hi", "Done", "#end"]);
    assert_eq!(drawing["layout"]["nodes"].as_array().map(Vec::len), Some(4));
    assert!(drawing["svg"].as_str().unwrap().contains(r#"data-state="Hi""#));
    let svg = get(addr, &format!("/viewer/graph?stateMachineArn={MACHINE}&format=svg"), "").await;
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(svg.body.starts_with("<svg "), "{}", svg.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_revision_is_laid_out_once() {
    let service = service();
    create(&service, hello()).await;
    let shared = Shared::new(Arc::clone(&service), Auth::Open);
    let graphs = &shared.graphs;
    // Concurrent first requests share one layout.
    let (a, b) = tokio::join!(graphs.drawing(&service, MACHINE), graphs.drawing(&service, MACHINE));
    assert!(Arc::ptr_eq(&a.unwrap(), &b.unwrap()));
    graphs.drawing(&service, MACHINE).await.unwrap();
    assert_eq!(graphs.layouts(), 1);
    // A published version is drawn under its own ARN (from its own definition).
    let published = api(&service, "PublishStateMachineVersion", json!({"stateMachineArn": MACHINE})).await;
    let version = published["stateMachineVersionArn"].as_str().unwrap().to_owned();
    let drawn = graphs.drawing(&service, &version).await.unwrap();
    assert!(drawn.json.contains(r#""id":"Hi""#));
    assert_eq!(graphs.layouts(), 2);
    // A new definition is a new revision: drawn again, once; the version keeps its own.
    let changed = json!({"StartAt": "Bye", "States": {"Bye": {"Type": "Pass", "End": true}}});
    api(&service, "UpdateStateMachine", json!({"stateMachineArn": MACHINE, "definition": changed.to_string()})).await;
    let drawn = graphs.drawing(&service, MACHINE).await.unwrap();
    assert!(drawn.json.contains(r#""id":"Bye""#) && !drawn.json.contains(r#""id":"Hi""#));
    graphs.drawing(&service, MACHINE).await.unwrap();
    graphs.drawing(&service, &version).await.unwrap();
    assert_eq!(graphs.layouts(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_stream_follows_an_execution_until_it_ends() {
    let service = service();
    let waits = json!({"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "Next": "Done"},
        "Done": {"Type": "Succeed"}}});
    create(&service, waits).await;
    let started = api(&service, "StartExecution", json!({"stateMachineArn": MACHINE, "name": "one"})).await;
    let arn = started["executionArn"].as_str().unwrap().to_owned();
    let addr = serve(Arc::new(Shared::new(Arc::clone(&service), Auth::Open))).await;

    // The stream is opened while the execution waits; the token is answered while it is
    // open; the stream shows what follows and ends with the execution.
    let path = format!("/viewer/events?executionArn={}", quoted(&arn));
    let reader = tokio::spawn(async move { get(addr, &path, "").await });
    let history = loop {
        let page = api(&service, "GetExecutionHistory", json!({"executionArn": arn})).await;
        if page["events"].as_array().is_some_and(|events| events.iter().any(|e| e["type"] == "TaskSubmitted")) {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let scheduled = history["events"].as_array().unwrap().iter().find(|e| e["type"] == "TaskScheduled").unwrap();
    let parameters: Value =
        serde_json::from_str(scheduled["taskScheduledEventDetails"]["parameters"].as_str().unwrap()).unwrap();
    let token = parameters["MessageBody"]["token"].as_str().unwrap().to_owned();
    // Give the stream time to send what is there and wait.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answered = std::time::Instant::now();
    api(&service, "SendTaskSuccess", json!({"taskToken": token, "output": "{\"ok\": true}"})).await;
    let answer = reader.await.unwrap();
    // The runtime's history sink rings the stream's bell: it does not wait for its poll.
    eprintln!("the stream ended {:?} after the answer (its poll: {:?})", answered.elapsed(), super::events::POLL);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("text/event-stream"));
    let sent = messages(&answer.body);
    let (last_kind, last_data, _) = sent.last().cloned().unwrap();
    assert_eq!((last_kind.as_str(), last_data.as_str()), ("end", r#"{"status":"SUCCEEDED"}"#), "{}", answer.body);
    let mut ids = Vec::new();
    for (kind, data, id) in &sent[..sent.len() - 1] {
        assert_eq!(kind, "events");
        let events: Vec<Value> = serde_json::from_str(data).unwrap();
        assert_eq!(*id, events.last().and_then(|e| e["id"].as_u64()), "a batch's id is its last event's");
        ids.extend(events.iter().map(|e| e["id"].as_u64().unwrap()));
    }
    // Every event once, in order; the same events GetExecutionHistory gives.
    let all = api(&service, "GetExecutionHistory", json!({"executionArn": arn})).await;
    let expected: Vec<u64> = all["events"].as_array().unwrap().iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, expected);
    assert!(sent.len() >= 3, "the events before and after the answer came in separate messages: {sent:?}");

    // Resuming after an event (as a reconnecting browser does) gives only what followed.
    let again = get(addr, &format!("/viewer/events?executionArn={}", quoted(&arn)), "Last-Event-ID: 5\r\n").await;
    let resumed: Vec<u64> = messages(&again.body)
        .iter()
        .filter(|(kind, ..)| kind == "events")
        .flat_map(|(_, data, _)| serde_json::from_str::<Vec<Value>>(data).unwrap())
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(resumed, expected[5..].to_vec());
}
