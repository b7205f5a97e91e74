//! `asl validate`, run as the built binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

mod common;

use common::TempDir;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VALID: &str = r#"{
  "StartAt": "Hello",
  "States": {
    "Hello": { "Type": "Pass", "Result": "world", "End": true }
  }
}
"#;

/// Three mistakes in three different states, and nothing else wrong: an unknown field
/// in `A`, a wrong type in `B`, a `Next` to a missing state in `C`.
const THREE_MISTAKES: &str = r#"{
  "StartAt": "A",
  "States": {
    "A": { "Type": "Pass", "Resul": 1, "Next": "B" },
    "B": { "Type": "Wait", "Seconds": "ten", "Next": "C" },
    "C": {
      "Type": "Choice",
      "Choices": [{ "Variable": "$.x", "BooleanEquals": true, "Next": "Dne" }],
      "Default": "D"
    },
    "D": { "Type": "Succeed" }
  }
}
"#;

fn asl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_asl")).args(args).output().expect("run asl")
}

fn validate(paths: &[&Path], extra: &[&str]) -> Output {
    let mut args = vec!["validate"];
    args.extend_from_slice(extra);
    args.extend(paths.iter().map(|p| p.to_str().expect("utf-8 temp path")));
    asl(&args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

/// `line:column` (1-based, columns in characters) of the first occurrence of `needle`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).expect("needle in text");
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn json(output: &Output) -> Vec<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    value.as_array().expect("a JSON array").clone()
}

#[test]
fn valid_file_exits_0() {
    let tmp = TempDir::new("valid");
    let file = tmp.write("hello.asl.json", VALID);
    let output = validate(&[&file], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "1 file checked: 1 valid, 0 invalid\n");
}

#[test]
fn type_express_refuses_what_only_standard_machines_run() {
    const APPROVAL: &str = r#"{
  "StartAt": "Ask",
  "States": {
    "Ask": { "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true }
  }
}
"#;
    let tmp = TempDir::new("express");
    let file = tmp.write("approval.asl.json", APPROVAL);
    let standard = validate(&[&file], &[]);
    assert_eq!(standard.status.code(), Some(0), "{}", stdout(&standard));
    let express = validate(&[&file], &["--type", "EXPRESS"]);
    let text = stdout(&express);
    assert_eq!(express.status.code(), Some(1), "{text}");
    let (line, column) = position(APPROVAL, "\"Resource\"");
    assert!(
        text.contains("error[ASL118]: Express state machine does not support '.waitForTaskToken' service integration"),
        "{text}"
    );
    assert!(text.contains(&format!("--> {}:{line}:{column}\n", file.display())), "{text}");
    assert_eq!(validate(&[&file], &["--type", "STANDARD"]).status.code(), Some(0));
    assert_eq!(validate(&[&file], &["--type", "standard"]).status.code(), Some(2), "types are spelled as AWS does");
}

#[test]
fn every_mistake_is_reported_at_its_own_position() {
    let tmp = TempDir::new("three");
    let file = tmp.write("three.asl.json", THREE_MISTAKES);
    let output = validate(&[&file], &[]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");

    let expected = [
        ("ASL102", position(THREE_MISTAKES, "\"Resul\"")),
        ("ASL103", position(THREE_MISTAKES, "\"ten\"")),
        ("ASL201", position(THREE_MISTAKES, "\"Dne\"")),
    ];
    for (code, (line, column)) in expected {
        let title = text.find(&format!("error[{code}]")).unwrap_or_else(|| panic!("no {code} in:\n{text}"));
        let header = format!("--> {}:{line}:{column}\n", file.display());
        assert_eq!(text[title..].find("-->"), text[title..].find(&header), "{code} not at {line}:{column}:\n{text}");
    }
    assert_eq!(text.matches("error[").count(), 3, "exactly three errors:\n{text}");
    assert!(text.contains("due to 3 previous errors"), "{text}");
    assert!(text.ends_with("1 file checked: 0 valid, 1 invalid\n"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
}

#[test]
fn json_format_has_every_field() {
    let tmp = TempDir::new("json");
    let file = tmp.write("three.asl.json", THREE_MISTAKES);
    let output = validate(&[&file], &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let items = json(&output);
    assert_eq!(items.len(), 3, "{items:#?}");

    let fields = [
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "aws_code",
        "severity",
        "message",
        "pointer",
        "help",
    ];
    for item in &items {
        for field in fields {
            assert!(item.get(field).is_some(), "no `{field}` in {item}");
        }
        assert_eq!(item["file"], file.display().to_string());
        assert_eq!(item["severity"], "error");
    }
    let missing = items.iter().find(|i| i["code"] == "ASL201").expect("ASL201");
    let (line, column) = position(THREE_MISTAKES, "\"Dne\"");
    assert_eq!((missing["line"].as_u64(), missing["column"].as_u64()), (Some(line as u64), Some(column as u64)));
    assert_eq!(
        (missing["end_line"].as_u64(), missing["end_column"].as_u64()),
        (Some(line as u64), Some(column as u64 + 5))
    );
    assert_eq!(missing["aws_code"], "MISSING_TRANSITION_TARGET");
    assert_eq!(missing["pointer"], "/States/C/Choices/0/Next");

    // A valid file gives an empty array.
    let valid = tmp.write("hello.asl.json", VALID);
    let output = validate(&[&valid], &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(json(&output).is_empty());
}

#[test]
fn missing_path_is_a_usage_error() {
    let tmp = TempDir::new("missing");
    let valid = tmp.write("hello.asl.json", VALID);
    let missing = tmp.path().join("nope.asl.json");
    let output = validate(&[&valid, &missing], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(&format!("no such file or directory: `{}`", missing.display())));
    assert_eq!(stdout(&output), "", "nothing is checked");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(asl(&["validate"]).status.code(), Some(2));
    assert_eq!(asl(&["validate", "--format", "xml", "x.json"]).status.code(), Some(2));
    assert_eq!(asl(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn version_and_help() {
    let output = asl(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), format!("asl {}\n", env!("CARGO_PKG_VERSION")));
    let output = asl(&["help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("validate"));
}

#[test]
fn directory_validates_every_file() {
    let tmp = TempDir::new("dir");
    tmp.write("a.asl.json", VALID);
    tmp.write("sub/b.json", VALID);
    tmp.write("sub/c.asl.yaml", "StartAt: A\nStates:\n  A:\n    Type: Succeed\n");
    let bad = tmp.write("sub/deeper/d.asl.json", THREE_MISTAKES);
    tmp.write("notes.txt", "not a definition");
    tmp.write("ci.yaml", "not: a definition");
    tmp.write(".hidden/e.json", "{");
    let output = validate(&[tmp.path()], &[]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.ends_with("4 files checked: 3 valid, 1 invalid\n"), "{text}");
    assert!(text.contains(&format!("--> {}:", bad.display())), "{text}");
}

#[test]
fn case_files_are_checked_by_their_definition_with_file_positions() {
    let tmp = TempDir::new("case");
    let case = r#"{
  "name": "pass-next-missing",
  "definition": {
    "StartAt": "A",
    "States": {
      "A": { "Type": "Pass", "Next": "Nowhere" }
    }
  },
  "input": {},
  "expected": { "status": "SUCCEEDED" }
}
"#;
    let file = tmp.write("pass-next-missing.json", case);
    let output = validate(&[&file], &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let items = json(&output);
    let missing = items.iter().find(|i| i["code"] == "ASL201").expect("ASL201");
    let (line, column) = position(case, "\"Nowhere\"");
    assert_eq!((missing["line"].as_u64(), missing["column"].as_u64()), (Some(line as u64), Some(column as u64)));
    assert_eq!(missing["pointer"], "/definition/States/A/Next");

    let text = stdout(&validate(&[&file], &[]));
    assert!(text.contains(&format!("--> {}:{line}:{column}\n", file.display())), "{text}");
    assert!(text.contains(&format!("{line} |       \"A\": {{ \"Type\": \"Pass\", \"Next\": \"Nowhere\" }}")), "{text}");
}

/// `shared/conformance`, next to the workspace, if it is there.
fn conformance(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance").join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: {} not found", dir.display());
        None
    }
}

#[test]
fn conformance_cases_are_all_valid() {
    let Some(dir) = conformance("cases") else { return };
    let output = validate(&[&dir], &["--format", "json"]);
    let errors: Vec<_> = json(&output).into_iter().filter(|d| d["severity"] != "warning").collect();
    assert!(errors.is_empty(), "{} errors, first: {:#?}", errors.len(), errors.first());
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&validate(&[&dir], &[]));
    let count = std::fs::read_dir(&dir).expect("list cases").count();
    assert!(text.ends_with(&format!("{count} files checked: {count} valid, 0 invalid\n")), "{text}");
}

#[test]
fn conformance_invalid_definitions_are_each_rejected() {
    let Some(dir) = conformance("invalid") else { return };
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("list").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(!files.is_empty());
    let accepted: Vec<_> = files.iter().filter(|f| validate(&[f], &[]).status.code() != Some(1)).collect();
    assert!(accepted.is_empty(), "accepted: {accepted:#?}");
}

/// `shared/realworld`, next to the workspace: definitions public projects deploy. CI must
/// have it.
fn realworld(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/realworld").join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(std::env::var_os("CI").is_none(), "{} not found, and CI is set", dir.display());
        println!("skipped: {} not found", dir.display());
        None
    }
}

/// AWS accepts every deployed definition (JSON and YAML), so `asl validate` must too;
/// warnings are allowed.
#[test]
fn realworld_definitions_are_all_valid() {
    let Some(dir) = realworld("valid") else { return };
    let output = validate(&[&dir], &["--format", "json"]);
    let errors: Vec<_> = json(&output).into_iter().filter(|d| d["severity"] != "warning").collect();
    assert!(errors.is_empty(), "{} errors, first: {:#?}", errors.len(), errors.first());
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&validate(&[&dir], &[]));
    let count = std::fs::read_dir(&dir).expect("list definitions").count();
    assert!(count >= 306, "only {count} definitions in {}", dir.display());
    assert!(text.ends_with(&format!("{count} files checked: {count} valid, 0 invalid\n")), "{text}");
}

/// Each definition AWS rejects is rejected.
#[test]
fn realworld_invalid_definitions_are_each_rejected() {
    let Some(dir) = realworld("invalid") else { return };
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("list").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(files.len() >= 7, "only {} files in {}", files.len(), dir.display());
    let accepted: Vec<_> = files.iter().filter(|f| validate(&[f], &[]).status.code() != Some(1)).collect();
    assert!(accepted.is_empty(), "accepted: {accepted:#?}");
}

/// `asl expand` prints the generated code of a valid definition and the diagnostics of an
/// invalid one.
#[test]
fn expand_prints_generated_code_or_diagnostics() {
    let dir = TempDir::new("expand");
    let valid = dir.write("hello.asl.json", r#"{"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": true}}}"#);
    let invalid =
        dir.write("broken.asl.json", r#"{"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "Next": "Gone"}}}"#);

    let ok = std::process::Command::new(env!("CARGO_BIN_EXE_asl")).arg("expand").arg(&valid).output().unwrap();
    let code = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success());
    assert!(code.contains("pub enum State {") && code.contains("pub static WORKFLOW"), "{code}");

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_asl")).arg("expand").arg(&invalid).output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("error[ASL201]"));
    assert!(bad.stdout.is_empty());
}
