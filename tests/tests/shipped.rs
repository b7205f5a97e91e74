//! `asl build` end to end: the examples and test flows compiled into one executable (built
//! once for this file, its dependencies cached between runs), then `BIN run` with mock
//! configurations, with a Lambda Invoke API and an HTTP server on loopback started here,
//! `BIN list`, and `BIN serve` driven by boto3 with Step Functions Local's `#TestCase` ARNs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

use asl_tests::python_clients::{Clients, text};
use asl_tests::workspace_dir;
use serde_json::{Value, json};

#[path = "shipped/loopback.rs"]
mod loopback;

/// The `asl` command.
const ASL: &str = env!("CARGO_BIN_EXE_asl-under-test");

/// The definition folders compiled into the binary.
const FLOWS: [&str; 7] = [
    "examples/ship/flows",
    "examples/macro/flows",
    "examples/build-script/flows",
    "examples/saga/flows",
    "examples/approval/flows",
    "tests/flows/ship",
    "asl-bindings/tests/fixtures/sfn-local/LambdaSQSIntegration.asl.json",
];

/// The AWS documentation's Step Functions Local example.
const DOCS_EXAMPLE: &str = "asl-bindings/tests/fixtures/sfn-local";

/// The binary, built once per test process.
fn shipped() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let output = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shipped");
        let built = Command::new(ASL)
            .arg("build")
            .args(FLOWS)
            .arg("-o")
            .arg(&output)
            .current_dir(workspace_dir())
            .output()
            .expect("asl build");
        assert!(built.status.success(), "asl build failed:\n{}", text(&built));
        let report = String::from_utf8_lossy(&built.stdout);
        assert!(report.contains("asl build: wrote"), "{report}");
        // The Tasks nothing binds are named at build time.
        let warnings = String::from_utf8_lossy(&built.stderr);
        assert!(
            warnings.lines().any(|l| l.starts_with("warning: ") && l.contains("Task state 'SQSState'")),
            "{warnings}"
        );
        output
    })
}

/// `BIN run` with `args`, in the workspace.
fn run(args: &[&str]) -> Output {
    Command::new(shipped()).arg("run").args(args).current_dir(workspace_dir()).output().expect("the shipped binary")
}

/// The JSON a successful run printed.
fn output_of(run: &Output) -> Value {
    assert!(run.status.success(), "the run failed:\n{}", text(run));
    serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(run)))
}

/// The error and cause a failed run printed on stderr.
fn failure_of(run: &Output) -> (String, String) {
    assert_eq!(run.status.code(), Some(1), "expected a failed execution:\n{}", text(run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    let line =
        |prefix: &str| stderr.lines().find_map(|l| l.strip_prefix(prefix)).map(str::to_owned).unwrap_or_default();
    (line("error: "), line("cause: "))
}

#[test]
fn the_docs_mock_configuration_runs_unchanged() {
    let mocks = format!("{DOCS_EXAMPLE}/MockConfigFile.json");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_dir().join(DOCS_EXAMPLE).join("expected.json")).unwrap(),
    )
    .unwrap();
    for case in ["HappyPath", "RetryPath"] {
        let ran = run(&[
            "LambdaSQSIntegration",
            "--mock-config",
            &mocks,
            "--test-case",
            case,
            "--wait-scale",
            "0",
            "--history",
        ]);
        assert_eq!(output_of(&ran), expected["testCases"][case]["output"], "{case}");
        let history = String::from_utf8_lossy(&ran.stderr);
        let failures = history.lines().filter(|l| l.contains("\"type\":\"TaskFailed\"")).count();
        assert_eq!(failures, if case == "RetryPath" { 3 } else { 0 }, "{case}:\n{history}");
    }
    // HybridPath mocks LambdaState only: SQSState would call SQS, which nothing binds here.
    let hybrid = run(&["LambdaSQSIntegration", "--mock-config", &mocks, "--test-case", "HybridPath"]);
    let (error, cause) = failure_of(&hybrid);
    assert_eq!(error, "States.TaskFailed");
    assert!(cause.contains("SQSState") && cause.contains("sqs:sendMessage"), "{cause}");
}

/// The examples' test cases (`examples/ship/cases.json`, every test case of
/// `examples/ship/mocks.json`) end as expected: happy paths, errors caught by a Catch,
/// retries that succeed and retries exhausted.
#[test]
fn the_examples_run_their_mock_test_cases() {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(workspace_dir().join("examples/ship/cases.json")).unwrap())
            .unwrap();
    assert!(cases.len() >= 20, "only {} cases", cases.len());
    let mut wrong = Vec::new();
    for case in &cases {
        let (machine, test_case) = (case["machine"].as_str().unwrap(), case["test_case"].as_str().unwrap());
        let input = case["input"].to_string();
        let ran = run(&[
            machine,
            "--input",
            &input,
            "--mock-config",
            "examples/ship/mocks.json",
            "--test-case",
            test_case,
            "--wait-scale",
            "0",
        ]);
        let label = format!("{machine}#{test_case}");
        match case["status"].as_str() {
            Some("SUCCEEDED") => {
                if !ran.status.success() {
                    wrong.push(format!("{label}: expected SUCCEEDED:\n{}", text(&ran)));
                } else if serde_json::from_slice::<Value>(&ran.stdout).ok().as_ref() != Some(&case["output"]) {
                    wrong.push(format!(
                        "{label}: output {} != {}",
                        String::from_utf8_lossy(&ran.stdout).trim(),
                        case["output"]
                    ));
                }
            }
            _ => {
                let stderr = String::from_utf8_lossy(&ran.stderr);
                let has = |key: &str, prefix: &str| {
                    case.get(key)
                        .and_then(Value::as_str)
                        .is_none_or(|want| stderr.lines().any(|l| l.strip_prefix(prefix) == Some(want)))
                };
                if ran.status.code() != Some(1) || !has("error", "error: ") || !has("cause", "cause: ") {
                    wrong.push(format!(
                        "{label}: expected {} {:?} {:?}:\n{}",
                        case["status"],
                        case["error"],
                        case["cause"],
                        text(&ran)
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {} cases went wrong:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
}

#[test]
fn an_invalid_definition_builds_nothing_and_says_where() {
    let invalid = std::fs::read_dir(workspace_dir().join("asl-codegen/tests/fixtures/invalid"))
        .unwrap()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.to_string_lossy().ends_with(".asl.json"))
        .unwrap();
    let output = Path::new(env!("CARGO_TARGET_TMPDIR")).join("never-built");
    let built = Command::new(ASL).arg("build").arg(&invalid).arg("-o").arg(&output).output().expect("asl build");
    assert_eq!(built.status.code(), Some(1), "{}", text(&built));
    let stderr = String::from_utf8_lossy(&built.stderr);
    let file = invalid.file_name().unwrap().to_string_lossy().into_owned();
    assert!(stderr.contains(&file) && stderr.contains("nothing was built"), "{stderr}");
    assert!(!output.exists());
}

#[test]
fn list_names_each_task_and_what_serves_it() {
    let listed = Command::new(shipped()).arg("list").output().expect("the shipped binary");
    assert!(listed.status.success(), "{}", text(&listed));
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("LambdaSQSIntegration (STANDARD)"), "{listed}");
    assert!(listed.lines().any(|l| l.contains("SQSState") && l.contains("UNBOUND")), "{listed}");
    assert!(listed.lines().any(|l| l.contains("LambdaState") && l.contains("Lambda Invoke API")), "{listed}");
}

#[test]
fn usage_problems_exit_2_with_a_message() {
    let unknown = run(&["no-such-machine"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("LambdaSQSIntegration"), "{}", text(&unknown));
    let bad_input = run(&["lambda_arn", "--input", "{not json"]);
    assert_eq!(bad_input.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_input.stderr).contains("not JSON"), "{}", text(&bad_input));
    let no_case = run(&[
        "LambdaSQSIntegration",
        "--mock-config",
        &format!("{DOCS_EXAMPLE}/MockConfigFile.json"),
        "--test-case",
        "Nope",
    ]);
    assert_eq!(no_case.status.code(), Some(2), "{}", text(&no_case));
    assert!(String::from_utf8_lossy(&no_case.stderr).contains("HappyPath"), "{}", text(&no_case));
}

#[test]
fn lambda_tasks_call_the_invoke_api_on_loopback() {
    let lambda = loopback::Lambda::start();
    let endpoint = lambda.endpoint();
    let invoke = |input: Value| run(&["lambda_invoke", "--lambda-endpoint", &endpoint, "--input", &input.to_string()]);

    let priced = output_of(&invoke(json!({"function": "price", "order": {"items": 3}})));
    assert_eq!(priced["StatusCode"], 200, "{priced}");
    assert_eq!(priced["Payload"], json!({"total": 30}), "{priced}");
    assert_eq!(priced["ExecutedVersion"], "$LATEST", "{priced}");

    // A function error (errorType Price.Unknown), caught by the Catch.
    let unpriced = output_of(&invoke(json!({"function": "price", "order": {"items": -1}})));
    assert_eq!(unpriced["error"]["Error"], "Price.Unknown", "{unpriced}");

    // No such function: Lambda's 404, not caught.
    let (error, _) = failure_of(&invoke(json!({"function": "nope", "order": {}})));
    assert_eq!(error, "Lambda.ResourceNotFoundException");

    // The plain function ARN: the payload is the result.
    let arn = run(&["lambda_arn", "--lambda-endpoint", &endpoint, "--input", r#"{"items": 2}"#]);
    assert_eq!(output_of(&arn), json!({"items": 2, "priced": {"total": 20}}));
    assert!(lambda.calls() >= 4, "the functions were called {} times", lambda.calls());

    // `.waitForTaskToken`: the function answers the token through the binary's API
    // (`run --listen`), then a child execution of `lambda_arn` runs inside the binary.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let api = format!("http://127.0.0.1:{port}");
    let input = json!({"api": api}).to_string();
    let listen = format!("127.0.0.1:{port}");
    let called_back =
        output_of(&run(&["lambda_callback", "--lambda-endpoint", &endpoint, "--listen", &listen, "--input", &input]));
    assert_eq!(
        called_back,
        json!({"api": api, "answer": {"approved": true}, "child": {"childOutput": {"items": 1, "priced": {"total": 10}}}})
    );
}

#[test]
fn http_tasks_call_an_api_on_loopback() {
    let api = loopback::Api::start();
    let connections = "tests/shipped/connections.json";
    let call = |url: String, connections: &str| {
        let input = json!({"url": url, "order": {"id": "A-1"}}).to_string();
        run(&["http_call", "--http-connections", connections, "--input", &input])
    };

    let created = output_of(&call(api.url("/orders"), connections));
    assert_eq!(created["status"], 201, "{created}");
    let received = &created["body"];
    assert_eq!(received["body"], json!({"order": {"id": "A-1"}}), "{created}");
    assert_eq!((received["query"].as_str(), received["trace"].as_str()), (Some("tag=a"), Some("t-1")), "{created}");
    assert_eq!(received["userAgent"], "Amazon|StepFunctions|HttpInvoke|us-east-1", "{created}");

    // A 404 is caught by the state's Catch; a 500 fails the execution.
    let missing = output_of(&call(api.url("/missing"), connections));
    assert_eq!(missing["error"]["Error"], "States.Http.StatusCode.404", "{missing}");
    let (error, _) = failure_of(&call(api.url("/fail"), connections));
    assert_eq!(error, "States.Http.StatusCode.500");

    // Nobody listening; a connection the file does not have.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (error, _) = failure_of(&call(format!("http://{closed}/orders"), connections));
    assert_eq!(error, "States.Http.Socket");
    let empty = std::env::temp_dir().join(format!("asl-shipped-no-connections-{}.json", std::process::id()));
    std::fs::write(&empty, "{}").unwrap();
    let (error, cause) = failure_of(&call(api.url("/orders"), &empty.to_string_lossy()));
    assert_eq!(error, "Events.ConnectionResource.ResourceNotFound");
    assert!(cause.contains("connection/orders/1"), "{cause}");
    let _ = std::fs::remove_file(empty);
}

#[test]
fn mocked_and_real_bindings_mix_and_settings_come_from_the_environment_and_a_file() {
    let lambda = loopback::Lambda::start();
    // The test case mocks `Ask` (a `.waitForTaskToken` Task: the mock answers its token);
    // `Child` then runs `lambda_arn`, whose Lambda Task is real. The endpoint comes from
    // the environment as the AWS SDKs read it, the mock file and test case from a
    // configuration file.
    let config = std::env::temp_dir().join(format!("asl-shipped-config-{}.toml", std::process::id()));
    std::fs::write(&config, "mock-config = \"tests/shipped/mocks.json\"\ntest-case = \"Approved\"\n").unwrap();
    let ran = Command::new(shipped())
        .args(["run", "lambda_callback", "--input", r#"{"api": "not called"}"#])
        .env("ASL_CONFIG", &config)
        .env("AWS_ENDPOINT_URL_LAMBDA", lambda.endpoint())
        .current_dir(workspace_dir())
        .output()
        .expect("the shipped binary");
    let _ = std::fs::remove_file(&config);
    assert_eq!(
        output_of(&ran),
        json!({
            "api": "not called",
            "answer": {"approved": "by the mock"},
            "child": {"childOutput": {"items": 1, "priced": {"total": 10}}}
        })
    );
    assert_eq!(lambda.calls(), 1, "the child's Lambda Task, and not the mocked one, calls Lambda");
}

/// Starts `BIN serve` on an ephemeral port; the process and its address.
fn serve(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(shipped())
        .args(["serve", "--memory", "--listen", "127.0.0.1:0"])
        .args(args)
        .current_dir(workspace_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the shipped binary");
    let stdout = child.stdout.take().expect("its stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let address = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();
    (child, format!("http://{address}"))
}

#[test]
fn serve_runs_test_cases_chosen_by_boto3() {
    let clients = Clients::new();
    clients.ensure();
    let (mut server, endpoint) =
        serve(&["--mock-config", &format!("{DOCS_EXAMPLE}/MockConfigFile.json"), "--wait-scale", "0"]);
    let pytest = Command::new(clients.python())
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(workspace_dir().join("tests/shipped"))
        .env("ASL_ENDPOINT", &endpoint)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("pytest");
    let _ = server.kill();
    let _ = server.wait();
    assert!(pytest.status.success(), "boto3 against the shipped binary failed:\n{}", text(&pytest));
}
