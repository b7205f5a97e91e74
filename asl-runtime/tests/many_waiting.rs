//! 100,000 executions in one process, each waiting on a task token, answered in a random
//! order: all complete, none is lost. While they wait they are parked (kept as data, with no
//! task each), and each holds less than 2 KiB: the growth of the resident set while they
//! wait, on Linux, printed with `--nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use asl_runtime::Error;
use asl_runtime::Runtime;
use asl_runtime::clock::VirtualClock;
use asl_runtime::execution::{BoxFuture, Status, TaskCall, TaskHandler};
use serde_json::{Value, json};
use time::macros::datetime;

mod approval {
    asl_runtime::include_asl!("tests/workflows/approval.asl.json");
}

/// The process's resident memory in bytes (Linux `/proc/self/status`), if known.
fn resident_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Keeps each execution's token, by execution number (its input's `order`).
struct Outbox(Mutex<Vec<Option<String>>>);

impl TaskHandler for Outbox {
    fn invoke<'a>(&'a self, call: TaskCall<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        let order = call.input["MessageBody"]["order"].as_u64().unwrap() as usize;
        self.0.lock().unwrap()[order] = Some(call.task_token.unwrap().to_owned());
        Box::pin(async { Ok(json!({})) })
    }
}

const EXECUTIONS: usize = 100_000;

/// The goal for the memory each waiting execution holds. Measured as the growth of the
/// whole process's resident set, which is noisy (a few bytes either way between builds):
/// about 1.9 KiB with this test's own token and handle vectors and allocator slack
/// included (2026-12-07; 2.05 KiB before an execution's durable record was boxed, which
/// put the assertion within noise of failing).
const GOAL_BYTES: usize = 2048;

#[tokio::test(start_paused = true)]
async fn a_hundred_thousand_executions_wait_on_tokens_and_all_complete() {
    let runtime = Runtime::new(VirtualClock::starting_at(datetime!(2025-03-01 00:00:00 UTC)));
    let outbox = Arc::new(Outbox(Mutex::new(vec![None; EXECUTIONS])));
    let before = resident_bytes();
    let mut handles = Vec::with_capacity(EXECUTIONS);
    for order in 0..EXECUTIONS {
        let input = json!({ "order": order, "timeout": 3600, "heartbeat": 3600 });
        handles.push(runtime.start(&approval::WORKFLOW, outbox.clone(), &format!("e{order}"), input).unwrap());
    }
    // Let every execution reach its Task state and wait there.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(runtime.parked_count(), EXECUTIONS, "every waiting execution is parked");
    // No task per execution: only the one that serves the parked executions' deadlines.
    assert_eq!(tokio::runtime::Handle::current().metrics().num_alive_tasks(), 1);
    let per_execution = match (before, resident_bytes()) {
        (Some(before), Some(after)) => {
            let waiting = after.saturating_sub(before);
            eprintln!(
                "memory per waiting execution: {} bytes ({waiting} bytes for {EXECUTIONS})",
                waiting / EXECUTIONS
            );
            Some(waiting / EXECUTIONS)
        }
        _ => None,
    };

    let mut tokens: Vec<(usize, String)> = outbox
        .0
        .lock()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, t)| (i, t.clone().expect("every execution waits")))
        .collect();
    // Answer in a random order (a seeded Fisher-Yates shuffle).
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for i in (1..tokens.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        tokens.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    for (order, token) in &tokens {
        runtime.callbacks().send_task_success(token, json!({ "approved": order })).unwrap();
    }
    for (order, handle) in handles.iter().enumerate() {
        let outcome = handle.wait().await;
        assert_eq!(outcome.status, Status::Succeeded);
        assert_eq!(outcome.output.unwrap()["decision"], json!({ "approved": order }), "each got its own answer");
    }
    assert_eq!(runtime.parked_count(), 0);
    if let Some(per_execution) = per_execution {
        assert!(per_execution < GOAL_BYTES, "{per_execution} bytes per waiting execution");
    }
}
