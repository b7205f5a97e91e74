//! Human approval: the workflow sends a task token out with the refund to approve and waits.
//! A person answers at the prompt (`y`, or anything else with a reason to reject); the
//! answer goes back through the runtime's task-token calls. Without an answer within the
//! Task state's `TimeoutSeconds` (20 s), `States.Timeout` is caught and the refund escalates
//! to a manager.
//!
//! `cargo run -p example-approval` asks on the terminal; `echo y | cargo run -p
//! example-approval` approves at once; `cargo run -p example-approval < /dev/null` shows the
//! escalation after 20 seconds.

use std::io::BufRead;
use std::sync::Arc;

use asl_runtime::clock::RealClock;
use asl_runtime::{Error, Runtime, Value};
use serde_json::json;

mod refund {
    asl_runtime::include_asl!("flows/approval.asl.json");
}

/// Publishes the approval request: shows it and reads the answer on another thread.
struct Approvals {
    runtime: Runtime,
}

impl refund::Handlers for Approvals {
    async fn ask_for_approval(&self, input: Value, _context: &Value) -> Result<Value, Error> {
        let token = input["Message"]["token"].as_str().unwrap_or_default().to_owned();
        println!("Approve a refund of {}? [y / reason to reject] (20 s)", input["Message"]["refund"]);
        let runtime = self.runtime.clone();
        // stdin blocks: read it on a thread of its own, then answer the token.
        std::thread::spawn(move || {
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).unwrap_or(0) == 0 {
                return; // No answer: the task times out.
            }
            let answer = line.trim();
            let sent = if answer.eq_ignore_ascii_case("y") {
                runtime.callbacks().send_task_success(&token, json!({ "approved": true }))
            } else {
                runtime.callbacks().send_task_failure(&token, "Rejected", answer)
            };
            if let Err(refused) = sent {
                println!("too late: {refused}");
            }
        });
        Ok(json!({ "MessageId": "approval-request-1" }))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let runtime = Runtime::new(RealClock);
    let handler = Arc::new(refund::Typed(Approvals { runtime: runtime.clone() }));
    let input = json!({ "refund": { "order": "A-1001", "amount": 250 } });
    let execution = match runtime.start(&refund::WORKFLOW, handler, "refund-A-1001", input) {
        Ok(execution) => execution,
        Err(error) => {
            eprintln!("cannot start: {error}");
            std::process::exit(1);
        }
    };
    let outcome = execution.wait().await;
    println!("status: {:?}", outcome.status);
    match outcome.output {
        Some(output) => println!("output: {output:#}"),
        None => println!("error: {:?}, cause: {:?}", outcome.error, outcome.cause),
    }
    let events: Vec<String> =
        execution.history().iter().filter_map(|e| serde_json::to_value(e.kind).ok()).map(|v| v.to_string()).collect();
    println!("history: {}", events.join(" → "));
}
