//! The example, run with an answer on stdin: approved, and rejected with a reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Stdio};

fn run_with_answer(answer: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_example-approval"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the example starts");
    child.stdin.take().expect("stdin").write_all(answer.as_bytes()).expect("answer sent");
    let output = child.wait_with_output().expect("the example ends");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn an_approval_pays_the_refund() {
    let stdout = run_with_answer("y\n");
    assert!(stdout.contains("status: Succeeded"), "{stdout}");
    assert!(stdout.contains("\"status\": \"paid\""), "{stdout}");
    assert!(stdout.contains("\"TaskSubmitted\" → \"TaskSucceeded\""), "{stdout}");
}

#[test]
fn a_rejection_fails_with_its_reason() {
    let stdout = run_with_answer("over the limit\n");
    assert!(stdout.contains("status: Failed"), "{stdout}");
    assert!(stdout.contains("cause: Some(\"over the limit\")"), "{stdout}");
}
