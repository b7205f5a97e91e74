//! `asl test`, run as the built binary on a directory of hand-written cases, by both
//! routes (`--route compiled`, the default, and `--route loaded`).
//!
//! Each run builds a scratch crate. The build directory is shared with every other run
//! under this workspace's target directory, so asl-runtime (and, for the loaded route,
//! asl-codegen) is compiled once (about half a minute, the first time) and each run after
//! that takes seconds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

mod common;

use common::TempDir;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

/// A Pass state writing its `Result` under `ResultPath`.
const PASS: &str = r#"{
  "name": "pass-result-path",
  "source": "hand-written",
  "features": ["Pass", "ResultPath"],
  "definition": {
    "StartAt": "Greet",
    "States": { "Greet": { "Type": "Pass", "Result": "hello", "ResultPath": "$.greeting", "End": true } }
  },
  "input": { "who": "world" },
  "expected": { "status": "SUCCEEDED", "output": { "who": "world", "greeting": "hello" },
                "history": ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"] }
}"#;

/// A Choice that picks the Fail branch.
const CHOICE: &str = r#"{
  "name": "choice-to-fail",
  "source": "hand-written",
  "features": ["Choice", "Fail"],
  "definition": {
    "StartAt": "Check",
    "States": {
      "Check": { "Type": "Choice",
                 "Choices": [{ "Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big" }],
                 "Default": "Small" },
      "Big": { "Type": "Fail", "Error": "TooBig", "Cause": "n is over 10" },
      "Small": { "Type": "Succeed" }
    }
  },
  "input": { "n": 11 },
  "expected": { "status": "FAILED", "error": "TooBig", "cause": "n is over 10" }
}"#;

/// A Task whose mock fails once, then returns its input; Retry takes the failure (an
/// hour of virtual time), ResultSelector and ResultPath shape the result.
const TASK: &str = r#"{
  "name": "task-mock-retry",
  "source": "hand-written",
  "features": ["Task", "Retry", "mocks"],
  "definition": {
    "StartAt": "Charge",
    "States": {
      "Charge": {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": { "amount.$": "$.amount" },
        "Retry": [{ "ErrorEquals": ["Card.Declined"], "IntervalSeconds": 3600, "MaxAttempts": 2 }],
        "ResultSelector": { "charged.$": "$.amount" },
        "ResultPath": "$.result",
        "End": true
      }
    }
  },
  "input": { "amount": 42 },
  "mocks": {
    "Charge": {
      "0": { "Throw": { "Error": "Card.Declined", "Cause": "try again" } },
      "1": { "ReturnInput": true }
    }
  },
  "expected": { "status": "SUCCEEDED", "output": { "amount": 42, "result": { "charged": 42 } } }
}"#;

/// A Pass whose expected output and history are wrong.
const WRONG: &str = r#"{
  "name": "wrong-expectation",
  "source": "hand-written",
  "features": ["Pass"],
  "definition": { "StartAt": "P", "States": { "P": { "Type": "Pass", "Result": { "a": 1, "b": 2 }, "End": true } } },
  "input": {},
  "expected": { "status": "SUCCEEDED", "output": { "a": 1, "b": 3 },
                "history": ["ExecutionStarted", "PassStateEntered", "ExecutionSucceeded"] }
}"#;

/// A Distributed Map reading its items from S3: a later issue, so skipped.
const S3_MAP: &str = r#"{
  "name": "s3-map",
  "source": "hand-written",
  "features": ["DistributedMap"],
  "definition": {
    "StartAt": "M",
    "States": { "M": {
      "Type": "Map",
      "ItemReader": { "Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": { "InputType": "JSON" },
                      "Parameters": { "Bucket": "b", "Key": "k" } },
      "ItemProcessor": { "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
                         "StartAt": "P", "States": { "P": { "Type": "Pass", "End": true } } },
      "End": true
    } }
  },
  "input": {},
  "expected": { "status": "SUCCEEDED", "output": [] }
}"#;

/// JSONata: an expression's value is the output.
const JSONATA: &str = r#"{
  "name": "jsonata-output",
  "source": "hand-written",
  "features": ["JSONata"],
  "definition": {
    "QueryLanguage": "JSONata",
    "StartAt": "P",
    "States": { "P": { "Type": "Pass", "Output": "{% 1 + 1 %}", "End": true } }
  },
  "input": {},
  "expected": { "status": "SUCCEEDED", "output": 2 }
}"#;

/// A temp directory holding `cases`, each written as `<name>.json`.
fn with_cases(name: &str, cases: &[&str]) -> TempDir {
    let dir = TempDir::new(name);
    for case in cases {
        let parsed: Value = serde_json::from_str(case).expect("a JSON case");
        dir.write(&format!("{}.json", parsed["name"].as_str().expect("a name")), case);
    }
    dir
}

fn asl_test(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_asl")).arg("test").args(args).arg(dir).output().expect("run asl")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn counts_diffs_and_exit_status() {
    let dir = with_cases("test-mixed", &[PASS, CHOICE, TASK, WRONG, JSONATA, S3_MAP]);
    let output = asl_test(&[], dir.path());
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(
        stdout,
        concat!(
            "FAIL wrong-expectation: output differs, history differs\n",
            "    output (- expected, + actual):\n",
            "      {\n",
            "        \"a\": 1,\n",
            "    -   \"b\": 3\n",
            "    +   \"b\": 2\n",
            "      }\n",
            "    history (- expected, + actual):\n",
            "      ExecutionStarted\n",
            "      PassStateEntered\n",
            "    + PassStateExited\n",
            "      ExecutionSucceeded\n",
            "4 passed, 1 failed, 1 skipped\n",
        ),
        "stderr:\n{stderr}"
    );
    assert!(
        stderr.contains("skipped 1: a Distributed Map that reads or exports S3 objects (ItemReader, ResultWriter Resource): a case has no objects"),
        "{stderr}"
    );

    // The same directory as JSON: one object per case, in file-name order.
    let output = asl_test(&["--format", "json", "--jobs", "1"], dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let results: Value = serde_json::from_slice(&output.stdout).expect("a JSON array");
    let summary: Vec<(&str, &str)> = results
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| (r["name"].as_str().expect("name"), r["result"].as_str().expect("result")))
        .collect();
    assert_eq!(
        summary,
        [
            ("choice-to-fail", "pass"),
            ("jsonata-output", "pass"),
            ("pass-result-path", "pass"),
            ("s3-map", "skip"),
            ("task-mock-retry", "pass"),
            ("wrong-expectation", "fail"),
        ]
    );
    assert_eq!(results[0]["reason"], Value::Null);
    assert_eq!(
        results[3]["reason"],
        json!(
            "a Distributed Map that reads or exports S3 objects (ItemReader, ResultWriter Resource): a case has no objects"
        )
    );
    let reason = results[5]["reason"].as_str().expect("a reason");
    assert!(reason.starts_with("output differs, history differs\n"), "{reason}");

    // Loaded at run time instead of compiled, the same cases say exactly the same.
    let loaded = asl_test(&["--route", "loaded"], dir.path());
    assert_eq!(loaded.status.code(), Some(1), "{}", text(&loaded.stderr));
    assert_eq!(text(&loaded.stdout), stdout, "stderr:\n{}", text(&loaded.stderr));
}

/// A definition that does not validate fails its case with the diagnostics, rendered
/// against the case file; the loaded route, where the runner finds out, reports it word
/// for word as the compiled route, which finds out before generating code.
#[test]
fn an_invalid_definition_fails_its_case_alike_on_both_routes() {
    let mut invalid: Value = serde_json::from_str(PASS).expect("JSON");
    invalid["name"] = json!("next-nowhere");
    invalid["definition"]["States"]["Greet"] = json!({ "Type": "Pass", "Next": "Nowhere", "End": true });
    let dir = with_cases("test-invalid", &[PASS, &serde_json::to_string_pretty(&invalid).expect("JSON")]);
    let compiled = asl_test(&[], dir.path());
    let stdout = text(&compiled.stdout);
    assert_eq!(compiled.status.code(), Some(1), "{stdout}\n{}", text(&compiled.stderr));
    assert!(stdout.starts_with("FAIL next-nowhere: the definition is invalid\n"), "{stdout}");
    assert!(stdout.contains("next-nowhere.json:"), "positions in the case file: {stdout}");
    assert!(stdout.ends_with("1 passed, 1 failed, 0 skipped\n"), "{stdout}");
    let loaded = asl_test(&["--route", "loaded"], dir.path());
    assert_eq!(loaded.status.code(), Some(1), "{}", text(&loaded.stderr));
    assert_eq!(text(&loaded.stdout), stdout);
}

#[test]
fn all_passing_exits_zero_and_missing_mocks_fail() {
    let dir = with_cases("test-pass", &[PASS, TASK]);
    // Through a runtime with a SQLite store per case (the default), and with a memory
    // store; compiled (the default) and loaded at run time.
    for args in [&[][..], &["--store", "memory"], &["--route", "loaded"], &["--route", "loaded", "--store", "memory"]] {
        let output = asl_test(args, dir.path());
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", text(&output.stderr));
        assert_eq!(text(&output.stdout), "2 passed, 0 failed, 0 skipped\n", "{args:?}");
    }

    // The Task without its mocks is a failed run of the case, whatever the execution does.
    let mut case: Value = serde_json::from_str(TASK).expect("JSON");
    case.as_object_mut().expect("an object").remove("mocks");
    std::fs::write(dir.path().join("task-mock-retry.json"), case.to_string()).expect("write");
    let output = asl_test(&[], dir.path());
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "FAIL task-mock-retry: runner error: Task state `Charge` has no mock (resource arn:aws:states:::lambda:invoke)\n\
         1 passed, 1 failed, 0 skipped\n"
    );
}

#[test]
fn usage_errors_exit_two() {
    let dir = TempDir::new("test-usage");
    let missing = dir.path().join("nope");
    let output = asl_test(&[], &missing);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("no such directory"), "{}", text(&output.stderr));
    let output = asl_test(&["--jobs", "0"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    // An empty directory is not an error: nothing failed.
    let output = asl_test(&[], dir.path());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), "0 passed, 0 failed, 0 skipped\n");
}

/// The headline check of the code-generation issue: every recorded AWS case that does not
/// need a later feature passes, through generated code, each run by a `Runtime` that
/// commits it to a SQLite file of its own (the default `--store`). Skipped only when the
/// corpus is not checked out beside the repository (and never under CI).
#[test]
fn conformance_cases_pass_or_are_skipped_for_a_later_feature() {
    conformance_cases_pass("compiled");
}

/// The same cases loaded at run time (`asl_codegen::load`, what a server's
/// CreateStateMachine does) instead of compiled: both routes run the same engine on the
/// same description, so both pass them all. Its build compiles the runner alone, no case
/// crates, so it costs little beside the compiled route.
#[test]
fn conformance_cases_pass_when_loaded_at_run_time() {
    conformance_cases_pass("loaded");
}

/// Runs the conformance cases by `route` and checks that none failed and none fewer passed
/// than when this was last raised.
fn conformance_cases_pass(route: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/cases");
    if !dir.is_dir() {
        assert!(std::env::var_os("CI").is_none(), "{} not found, and CI is set", dir.display());
        eprintln!("note: {} not found; skipping", dir.display());
        return;
    }
    let output = asl_test(&["--route", route], &dir);
    let stdout = text(&output.stdout);
    let summary = stdout.lines().last().unwrap_or_default().to_string();
    assert!(output.status.success(), "{route}: {stdout}\n{}", text(&output.stderr));
    assert!(summary.contains(" 0 failed"), "{route}: {summary}");
    let passed: usize = summary.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
    // 924 of the 924 ran and passed when this was last raised; fewer means a regression.
    assert!(passed >= 924, "{route}: {summary}");
}
