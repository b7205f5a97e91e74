#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Answer, EXHAUSTED_ERROR, Invocations, MockConfig, TestCase};

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sfn_local(file: &str) -> PathBuf {
    crate_dir().join("tests/fixtures/sfn-local").join(file)
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The docs' mock configuration file.
fn docs_config() -> MockConfig {
    MockConfig::from_file(&sfn_local("MockConfigFile.json")).unwrap_or_else(|e| panic!("{e}"))
}

/// An answer in the file's own notation, to compare with `expected.json`.
fn as_json(answer: &Answer<'_>) -> Value {
    match answer {
        Answer::Return(value) => json!({ "Return": value }),
        Answer::Throw { error, cause } => json!({ "Throw": { "Error": error, "Cause": cause } }),
        Answer::ReturnInput => json!({ "ReturnInput": true }),
        Answer::Exhausted { error, cause } => json!({ "Exhausted": { "Error": error, "Cause": cause } }),
    }
}

/// A fixture's path as snapshots name it: relative to the crate, `/`-separated.
fn origin(path: &Path) -> String {
    let relative = path.strip_prefix(crate_dir()).unwrap_or(path);
    relative.to_string_lossy().replace('\\', "/")
}

#[test]
fn the_docs_file_parses_with_its_machine_and_test_cases_in_file_order() {
    let config = docs_config();
    assert_eq!(config.machines(), vec![("LambdaSQSIntegration", vec!["HappyPath", "RetryPath", "HybridPath"])]);
    assert!(config.warnings().is_empty(), "{:#?}", config.warnings());
    assert!(config.test_case("LambdaSQSIntegration", "SadPath").is_none());
    assert!(config.test_case("Other", "HappyPath").is_none());
}

#[test]
fn the_docs_test_cases_answer_each_invocation_as_the_docs_describe() {
    let config = docs_config();
    let expected = read_json(&sfn_local("expected.json"));
    let machine = expected["stateMachine"].as_str().unwrap_or_default();
    let cases = expected["testCases"].as_object().map(|c| c.len()).unwrap_or_default();
    assert_eq!(cases, 3);
    for (case_name, case) in expected["testCases"].as_object().into_iter().flatten() {
        let test_case = config.test_case(machine, case_name).unwrap_or_else(|| panic!("no test case {case_name}"));
        assert_eq!(test_case.name(), case_name);
        for (state, want) in case["states"].as_object().into_iter().flatten() {
            let context = format!("{case_name}/{state}");
            if want["mocked"] == json!(false) {
                assert!(!test_case.mocks(state), "{context} is not mocked");
                assert_eq!(test_case.answer(state, 0), None, "{context}");
                continue;
            }
            assert!(test_case.mocks(state), "{context} is mocked");
            let response = test_case.states().find(|(s, _)| s == state).map(|(_, r)| r);
            assert_eq!(response, want["mockedResponse"].as_str(), "{context}");
            let invocations = want["invocations"].as_array().map(Vec::as_slice).unwrap_or_default();
            for (n, want) in invocations.iter().enumerate() {
                let answer = test_case.answer(state, n as u64).unwrap_or_else(|| panic!("{context}: no answer"));
                assert_eq!(&as_json(&answer), want, "{context} invocation {n}");
            }
            // The call after the last documented one has no response: the execution fails.
            match test_case.answer(state, invocations.len() as u64) {
                Some(Answer::Exhausted { error, .. }) => assert_eq!(error, EXHAUSTED_ERROR),
                other => panic!("{context}: invocation {} answered {other:?}", invocations.len()),
            }
        }
    }
}

#[test]
fn retry_path_invocation_0_throws_resource_not_ready_1_and_2_time_out_3_returns() {
    let config = docs_config();
    let retry = config.test_case("LambdaSQSIntegration", "RetryPath").unwrap_or_else(|| panic!("no RetryPath"));
    let calls = Invocations::new();
    let execution = "arn:aws:states:us-east-1:123456789012:execution:LambdaSQSIntegration:retry";
    let mut answers = Vec::new();
    for _ in 0..4 {
        let n = calls.next(execution, "LambdaState");
        answers.push(retry.answer("LambdaState", n));
    }
    let payload = json!({ "StatusCode": 200, "Payload": { "StatusCode": 200, "body": "Hello from Lambda!" } });
    assert_eq!(
        answers,
        vec![
            Some(Answer::Throw { error: "Lambda.ResourceNotReadyException", cause: "Lambda resource is not ready." }),
            Some(Answer::Throw { error: "Lambda.TimeoutException", cause: "Lambda timed out." }),
            Some(Answer::Throw { error: "Lambda.TimeoutException", cause: "Lambda timed out." }),
            Some(Answer::Return(&payload)),
        ]
    );
    // SQSState counts on its own.
    assert_eq!(calls.next(execution, "SQSState"), 0);
}

#[test]
fn the_docs_test_cases_mock_only_task_states_of_the_docs_definition() {
    let config = docs_config();
    let definition = read_json(&sfn_local("LambdaSQSIntegration.asl.json"));
    let expected = read_json(&sfn_local("expected.json"));
    for (machine, cases) in config.machines() {
        assert_eq!(definition["Comment"], json!(format!("This state machine is called: {machine}")));
        for case in cases {
            let test_case = config.test_case(machine, case).unwrap_or_else(|| panic!("{case}"));
            for (state, _) in test_case.states() {
                assert_eq!(definition["States"][state]["Type"], json!("Task"), "{case}/{state}");
            }
            // Every Task state the test case leaves alone calls its real service.
            for (state, body) in definition["States"].as_object().into_iter().flatten() {
                if !test_case.mocks(state) {
                    let want = &expected["testCases"][case]["states"][state];
                    assert_eq!(want["mocked"], json!(false), "{case}/{state}");
                    assert_eq!(want["realCall"], body["Resource"], "{case}/{state}");
                }
            }
        }
    }
}

#[test]
fn exhausted_names_the_state_invocation_response_and_what_it_defines() {
    let config = docs_config();
    let retry = config.test_case("LambdaSQSIntegration", "RetryPath").unwrap_or_else(|| panic!("no RetryPath"));
    let Some(Answer::Exhausted { error, cause }) = retry.answer("LambdaState", 4) else {
        panic!("invocation 4 is beyond the responses")
    };
    assert_eq!(error, "States.Runtime");
    assert_eq!(
        cause,
        "The mocked response 'MockedLambdaRetry' that test case 'RetryPath' of state machine \
         'LambdaSQSIntegration' gives state 'LambdaState' has no response for its invocation 4 (it defines 0, 1-2, 3)."
    );
    assert_eq!(retry.answer("NoSuchState", 0), None);
}

#[test]
fn invocations_count_per_execution_and_state_and_forget_ended_executions() {
    let calls = Invocations::new();
    assert_eq!(calls.next("exec-a", "Charge"), 0);
    assert_eq!(calls.next("exec-a", "Charge"), 1);
    assert_eq!(calls.next("exec-a", "Ship"), 0);
    assert_eq!(calls.next("exec-b", "Charge"), 0);
    calls.forget("exec-a");
    assert_eq!(calls.next("exec-a", "Charge"), 0);
    assert_eq!(calls.next("exec-b", "Charge"), 1);
    calls.forget("never-started");
}

#[test]
fn invocations_from_many_threads_are_numbered_without_gaps_or_repeats() {
    // Map iterations and Parallel branches call one state from several tasks at once.
    let calls = Arc::new(Invocations::new());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let calls = Arc::clone(&calls);
            std::thread::spawn(move || (0..250).map(|_| calls.next("exec", "InMap")).collect::<Vec<_>>())
        })
        .collect();
    let mut all: Vec<u64> = threads.into_iter().flat_map(|t| t.join().unwrap_or_default()).collect();
    all.sort_unstable();
    assert_eq!(all, (0..2000).collect::<Vec<u64>>());
}

#[test]
fn the_public_types_can_be_shared_between_threads() {
    fn shared<T: Send + Sync + std::fmt::Debug>() {}
    shared::<MockConfig>();
    shared::<TestCase>();
    shared::<Invocations>();
}

#[test]
fn return_takes_any_json_value_and_a_throw_may_leave_out_its_cause() {
    let text = r#"{
      "StateMachines": { "M": { "TestCases": { "T": { "S": "R" } } } },
      "MockedResponses": { "R": {
        "0": { "Return": "text" }, "1": { "Return": null }, "2": { "Return": [1, {"a": 2}] },
        "3": { "Throw": { "Error": "E" } }, " 4 - 5 ": { "ReturnInput": true }
      } }
    }"#;
    let config = MockConfig::parse(text, "inline.json").unwrap_or_else(|e| panic!("{e}"));
    let case = config.test_case("M", "T").unwrap_or_else(|| panic!("no T"));
    let answers: Vec<Value> = (0..7).filter_map(|n| case.answer("S", n)).map(|a| as_json(&a)).collect();
    assert_eq!(
        answers[..6],
        [
            json!({ "Return": "text" }),
            json!({ "Return": null }),
            json!({ "Return": [1, { "a": 2 }] }),
            json!({ "Throw": { "Error": "E", "Cause": "" } }),
            json!({ "ReturnInput": true }),
            json!({ "ReturnInput": true }),
        ]
    );
    assert_eq!(answers[6]["Exhausted"]["Error"], json!("States.Runtime"));
}

#[test]
fn a_byte_order_mark_before_the_json_is_skipped() {
    let text = std::fs::read_to_string(sfn_local("MockConfigFile.json")).unwrap();
    let config = MockConfig::parse(&format!("\u{feff}{text}"), "bom.json").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.machines().len(), 1);
    assert!(TestCase::from_mocks("\u{feff}{}", "bom.json").is_ok());
}

#[test]
fn an_empty_test_case_mocks_nothing() {
    let text = r#"{ "StateMachines": { "M": { "TestCases": { "Live": {} } } }, "MockedResponses": {} }"#;
    let config = MockConfig::parse(text, "live.json").unwrap_or_else(|e| panic!("{e}"));
    let case = config.test_case("M", "Live").unwrap_or_else(|| panic!("no Live"));
    assert!(!case.mocks("Anything"));
    assert_eq!(case.states().count(), 0);
}

#[test]
fn broken_files_are_reported_whole_with_positions_and_hints() {
    insta::glob!("../../tests/fixtures/mock/invalid", "*.json", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let report = match MockConfig::parse(&text, &origin(path)) {
            Ok(config) => panic!("{} was accepted: {config:?}", path.display()),
            Err(report) => report,
        };
        insta::assert_snapshot!(report);
    });
}

#[test]
fn gaps_and_empty_responses_are_accepted_with_warnings() {
    let path = crate_dir().join("tests/fixtures/mock/warnings.json");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let config = MockConfig::parse(&text, &origin(&path)).unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!(config.warnings().join("\n\n"));
    let case = config.test_case("Order", "Gaps").unwrap_or_else(|| panic!("no Gaps"));
    assert!(matches!(case.answer("Charge", 1), Some(Answer::Exhausted { .. })));
    assert!(matches!(case.answer("Charge", 2), Some(Answer::Return(_))));
    let Some(Answer::Exhausted { cause, .. }) = case.answer("Ship", 0) else { panic!("Ship has no responses") };
    assert!(cause.ends_with("has no response for its invocation 0 (it defines none)."), "{cause}");
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let path = crate_dir().join("tests/fixtures/mock/no-such-file.json");
    let error = MockConfig::from_file(&path).err().unwrap_or_default();
    assert!(error.starts_with("error: cannot read the mock configuration `"), "{error}");
    assert!(error.contains("no-such-file.json"), "{error}");
}

#[test]
fn no_input_makes_the_reader_panic() {
    // Every prefix of a real file: unterminated strings, objects, numbers…
    let text = std::fs::read_to_string(sfn_local("MockConfigFile.json")).unwrap_or_default();
    for end in (0..=text.len()).filter(|&end| text.is_char_boundary(end)) {
        let _ = MockConfig::parse(&text[..end], "prefix.json");
        let _ = TestCase::from_mocks(&text[..end], "prefix.json");
    }
    // Deep nesting, odd whitespace and non-ASCII around the problems.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_error = MockConfig::parse(&deep, "deep.json").err().unwrap_or_default();
    assert!(deep_error.contains("recursion limit exceeded"), "{deep_error}");
    let odd = "{\r\n\t\"StateMachines\": {\"Ünïcödé\":\t{\"TestCases\": {\"Ä\": {\"S\": \"Ö\"}}}},\r\n\t\"MockedResponses\": {\"Ö\": {\"0\": {\"Thröw\": 1}}}}";
    let report = MockConfig::parse(odd, "odd.json").err().unwrap_or_default();
    insta::assert_snapshot!(report);
}

#[test]
fn the_conformance_cases_mocks_all_read_and_answer() {
    // The runner of `asl test` reads them; this module must accept everything it accepts.
    let dir = crate_dir().join("../../shared/conformance/cases");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (keep shared/ beside the repository)", dir.display()));
    let mut with_mocks = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let case = read_json(&path);
        let Some(mocks) = case.get("mocks") else { continue };
        with_mocks += 1;
        let text = serde_json::to_string_pretty(mocks).unwrap_or_default();
        let test_case = TestCase::from_mocks(&text, &origin(&path)).unwrap_or_else(|e| panic!("{e}"));
        for (state, by_invocation) in mocks.as_object().into_iter().flatten() {
            assert!(test_case.mocks(state));
            for (key, response) in by_invocation.as_object().into_iter().flatten() {
                let first: u64 = key.split('-').next().and_then(|n| n.trim().parse().ok()).unwrap_or(u64::MAX);
                let answer = test_case.answer(state, first).unwrap_or_else(|| panic!("{state}"));
                let mut want = response.clone();
                if let Some(throw) = want.get_mut("Throw").and_then(Value::as_object_mut) {
                    throw.entry("Cause").or_insert(json!(""));
                }
                assert_eq!(as_json(&answer), want, "{}: {state} {key}", path.display());
            }
        }
    }
    assert!(with_mocks >= 50, "only {with_mocks} cases with mocks in {}", dir.display());
}

#[test]
fn inline_mocks_report_problems_by_state() {
    let text = r#"{ "Charge": { "0": { "Throw": { "Cause": "no name" } }, "0-1": { "Return": 1 } }, "Ship": [] }"#;
    let report = TestCase::from_mocks(text, "case.json").err().unwrap_or_default();
    insta::assert_snapshot!(report);
    let ok = TestCase::from_mocks(r#"{ "Charge": { "0": { "Return": 1 } } }"#, "case.json")
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(Answer::Exhausted { cause, .. }) = ok.answer("Charge", 1) else { panic!("one response only") };
    assert_eq!(cause, "The mocks of state 'Charge' have no response for its invocation 1 (it defines 0).");
}
