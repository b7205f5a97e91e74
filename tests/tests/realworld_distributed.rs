//! The real-world definitions that use a Distributed Map's `ItemReader`, `ItemBatcher` or
//! `ResultWriter` (every one of `../shared/realworld/valid` that names one of them), each run
//! end to end by `asl serve` over data this test makes.
//!
//! Each definition has a case in `tests/realworld_distributed/` (format: `case.rs`): the
//! objects its buckets hold, the mocked answers of its Task states, its input and what the
//! execution must end with. For each case the test
//!
//! 1. writes the buckets' objects into folders of a scratch directory and a Step Functions
//!    Local mock configuration file with the case's test case;
//! 2. starts the `asl` binary's `serve` (`--memory`, `--s3-dir BUCKET=DIR` for each bucket,
//!    `--mock-config`, `--wait-scale`), with the S3 and Lambda endpoints pointed at a closed
//!    port on loopback, so that nothing the case does not provide is fetched from anywhere;
//! 3. creates the state machine (named after the case file) and the activities the case
//!    names, starts an execution with `…:stateMachine:NAME#TEST_CASE`, answers activity
//!    tasks with the case's outputs, and polls `DescribeExecution` until it ends;
//! 4. compares the status, output, error and cause, the outputs of named states and the
//!    counts of event types in the history, and the objects written (the ResultWriter's
//!    manifest and result files).
//!
//! Cases run a few at a time, each with a server of its own. Every difference of every
//! case is reported at once, in one failed assertion. Nothing is skipped in CI (`CI` set):
//! without `../shared/realworld` the test fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

mod sdk;

#[path = "realworld_distributed/case.rs"]
mod case;
#[path = "realworld_distributed/matcher.rs"]
mod matcher;

use std::collections::BTreeSet;
use std::io::BufRead as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use asl_tests::{realworld_definitions, scratch_dir, workspace_dir};
use aws_sdk_sfn::Client;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent};
use case::{Case, Files};
use serde_json::Value;

/// The `asl` binary the cases are served by.
const ASL: &str = env!("CARGO_BIN_EXE_asl-under-test");

const ROLE: &str = "arn:aws:iam::123456789012:role/realworld-distributed";

/// How many cases run at once (each is a server and its clients; the machines this runs on
/// have two cores).
const AT_ONCE: usize = 4;

/// How long one execution may run before the case counts as hung.
const PATIENCE: Duration = Duration::from_secs(30);

/// What makes a definition one of this test's: a Distributed Map's S3 reader, batcher or
/// writer.
const FIELDS: [&str; 3] = ["ItemReader", "ItemBatcher", "ResultWriter"];

#[test]
fn realworld_distributed_maps_run_over_local_data() {
    let Some(definitions) = realworld_definitions() else { return };
    let wanted: BTreeSet<String> = definitions
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            FIELDS.iter().any(|field| text.contains(field))
        })
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();

    let mut cases = read_cases();
    let covered: BTreeSet<String> = cases.iter().map(|case| case.definition.clone()).collect();
    let mut coverage = Vec::new();
    for definition in wanted.difference(&covered) {
        coverage.push(format!("{definition}: no case (add one to tests/realworld_distributed/)"));
    }
    for definition in covered.difference(&wanted) {
        coverage.push(format!("{definition}: has a case but no ItemReader, ItemBatcher or ResultWriter"));
    }
    for definition in &covered {
        let count = cases.iter().filter(|case| &case.definition == definition).count();
        if count > 1 {
            coverage.push(format!("{definition}: {count} cases, one wanted"));
        }
    }

    // `ASL_REALWORLD_CASE=NAME` runs that case alone (the others count as not run).
    let mut total = wanted.len();
    if let Ok(only) = std::env::var("ASL_REALWORLD_CASE") {
        assert!(std::env::var_os("CI").is_none(), "ASL_REALWORLD_CASE is set, and CI is: nothing may be skipped");
        cases.retain(|case| case.name == only);
        assert!(!cases.is_empty(), "ASL_REALWORLD_CASE={only}: no such case");
        coverage.clear();
        total = 1;
    }

    let started = Instant::now();
    let scratch = scratch_dir("realworld-distributed");
    let _ = std::fs::remove_dir_all(&scratch);
    let queue = Mutex::new(cases.iter());
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE {
            scope.spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                loop {
                    let next = queue.lock().unwrap().next();
                    let Some(case) = next else { return };
                    let problems = runtime.block_on(run(case, &scratch.join(&case.name)));
                    if !problems.is_empty() {
                        let report = format!("{} ({}):\n    {}", case.name, case.definition, problems.join("\n    "));
                        failures.lock().unwrap().push(report);
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    failures.extend(coverage);
    eprintln!(
        "realworld_distributed: {} of {} definitions as expected in {:.1} s",
        total.saturating_sub(failures.len()),
        total,
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {} real-world Distributed Map definitions did not end as their case expects \
         (scratch directories, with each server's log, in {}):\n\n{}",
        failures.len(),
        total,
        scratch.display(),
        failures.join("\n\n")
    );
}

/// The cases of `tests/realworld_distributed/`, sorted by name.
fn read_cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("realworld_distributed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let (cases, errors): (Vec<_>, Vec<_>) = files.iter().map(|file| Case::read(file)).partition(Result::is_ok);
    let errors: Vec<String> = errors.into_iter().filter_map(Result::err).collect();
    assert!(errors.is_empty(), "unreadable cases:\n{}", errors.join("\n"));
    cases.into_iter().filter_map(Result::ok).collect()
}

/// A definition file's text as JSON (the API takes JSON; YAML definitions are read with
/// asl-codegen's reader, as `asl serve` reads definition files).
fn definition_json(case: &Case) -> Result<String, String> {
    let path = workspace_dir().join("../shared/realworld/valid").join(&case.definition);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !case.definition.ends_with(".yaml") && !case.definition.ends_with(".yml") {
        return Ok(text);
    }
    let mut diagnostics = asl_codegen::Diagnostics::default();
    let source = asl_codegen::Source::new(path.clone(), text);
    let node = asl_codegen::read(&source, &mut diagnostics)
        .ok_or_else(|| format!("{} does not read as YAML: {diagnostics:?}", path.display()))?;
    Ok(node.to_json().to_string())
}

/// Runs one case in `scratch`; what differed from its expectations.
async fn run(case: &Case, scratch: &Path) -> Vec<String> {
    match run_case(case, scratch).await {
        Ok(problems) => problems,
        Err(error) => vec![error],
    }
}

async fn run_case(case: &Case, scratch: &Path) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let buckets = case.write_buckets(&scratch.join("buckets"))?;
    let mock_file = scratch.join("mocks.json");
    std::fs::write(&mock_file, serde_json::to_string_pretty(&case.mock_config()).unwrap())
        .map_err(|e| format!("{}: {e}", mock_file.display()))?;
    let server = Server::start(case, scratch, &mock_file, &buckets)?;
    let client = sdk::client(server.address);

    let mut workers = tokio::task::JoinSet::new();
    for (activity, output) in &case.activities {
        let created = client
            .create_activity()
            .name(activity)
            .send()
            .await
            .map_err(|e| format!("CreateActivity {activity}: {e:?}"))?;
        workers.spawn(work(client.clone(), created.activity_arn().to_owned(), output.to_string()));
    }
    let definition = definition_json(case)?;
    let machine = client
        .create_state_machine()
        .name(&case.name)
        .definition(definition)
        .role_arn(ROLE)
        .send()
        .await
        .map_err(|e| format!("CreateStateMachine: {e:?}"))?;
    let started = client
        .start_execution()
        .state_machine_arn(format!("{}#{}", machine.state_machine_arn(), case.test_case))
        .name("realworld")
        .input(case.input.to_string())
        .send()
        .await
        .map_err(|e| format!("StartExecution: {e:?}"))?;
    let execution = started.execution_arn().to_owned();

    let since = Instant::now();
    let described = loop {
        let described = client
            .describe_execution()
            .execution_arn(&execution)
            .send()
            .await
            .map_err(|e| format!("DescribeExecution: {e:?}"))?;
        if described.status() != &ExecutionStatus::Running {
            break described;
        }
        if since.elapsed() > PATIENCE {
            return Err(format!("still RUNNING after {PATIENCE:?} (server log: {})", server.log.display()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    workers.abort_all();

    let mut problems = Vec::new();
    let expect = &case.expect;
    let status = described.status().as_str();
    if status != expect.status {
        problems.push(format!(
            "status {status}, expected {} (error {:?}, cause {:?})",
            expect.status,
            described.error(),
            described.cause()
        ));
    }
    if let Some(want) = &expect.output {
        match described.output().map(serde_json::from_str::<Value>) {
            Some(Ok(output)) => compare("output", want, &output, &mut problems),
            Some(Err(e)) => problems.push(format!("output is not JSON: {e}")),
            None => problems.push(format!("no output, expected {}", matcher::short(want))),
        }
    }
    if let Some(want) = &expect.error {
        let error = described.error().map_or(Value::Null, |e| Value::String(e.to_owned()));
        compare("error", want, &error, &mut problems);
    }
    if let Some(want) = &expect.cause {
        let cause = described.cause().map_or(Value::Null, |e| Value::String(e.to_owned()));
        compare("cause", want, &cause, &mut problems);
    }
    let (history, all) = history(&client, &execution).await?;
    check_history(case, &history, &mut problems);
    // The whole history, for whoever reads a failure.
    let _ = std::fs::write(scratch.join("history.txt"), all);
    for files in &expect.files {
        check_files(files, &buckets, &mut problems);
    }
    if !problems.is_empty() {
        problems.push(format!("(history and server log in {})", scratch.display()));
    }
    Ok(problems)
}

/// Compares and prefixes each difference with `what`.
fn compare(what: &str, want: &Value, got: &Value, problems: &mut Vec<String>) {
    let mut found = Vec::new();
    matcher::compare(want, got, "", &mut found);
    problems.extend(found.into_iter().map(|p| format!("{what} {p}")));
}

/// An activity worker: takes `activity`'s tasks and answers each with `output`, until
/// aborted.
async fn work(client: Client, activity: String, output: String) {
    loop {
        let Ok(task) = client.get_activity_task().activity_arn(&activity).worker_name("realworld").send().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        if let Some(token) = task.task_token().filter(|t| !t.is_empty()) {
            let _ = client.send_task_success().task_token(token).output(&output).send().await;
        }
    }
}

/// One event of a history: its type, and the state and output of a state's exit.
#[derive(Debug)]
struct Event {
    kind: String,
    exited: Option<(String, Option<String>)>,
}

/// The execution's whole history, and as text (one event per line).
async fn history(client: &Client, execution: &str) -> Result<(Vec<Event>, String), String> {
    let mut events = Vec::new();
    let mut text = String::new();
    let mut token = None;
    loop {
        let page = client
            .get_execution_history()
            .execution_arn(execution)
            .max_results(1000)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| format!("GetExecutionHistory: {e:?}"))?;
        for event in page.events() {
            text.push_str(&describe(event));
            text.push('\n');
            let exited = event
                .state_exited_event_details()
                .map(|details| (details.name().to_owned(), details.output().map(str::to_owned)));
            events.push(Event { kind: event.r#type().as_str().to_owned(), exited });
        }
        match page.next_token() {
            Some(next) => token = Some(next.to_owned()),
            None => return Ok((events, text)),
        }
    }
}

/// One history event as a line: id, type and the details that say what happened.
fn describe(event: &HistoryEvent) -> String {
    let mut line = format!("{:>4} {}", event.id(), event.r#type().as_str());
    let mut add = |name: &str, value: Option<&str>| {
        if let Some(value) = value {
            line.push_str(&format!(" {name}={value}"));
        }
    };
    if let Some(d) = event.state_entered_event_details() {
        add("state", Some(d.name()));
        add("input", d.input());
    }
    if let Some(d) = event.state_exited_event_details() {
        add("state", Some(d.name()));
        add("output", d.output());
    }
    if let Some(d) = event.task_scheduled_event_details() {
        add("resource", Some(&format!("{}:{}", d.resource_type(), d.resource())));
        add("parameters", Some(d.parameters()));
    }
    if let Some(d) = event.task_succeeded_event_details() {
        add("output", d.output());
    }
    let failures = [
        event.task_failed_event_details().map(|d| (d.error(), d.cause())),
        event.execution_failed_event_details().map(|d| (d.error(), d.cause())),
        event.map_run_failed_event_details().map(|d| (d.error(), d.cause())),
        event.activity_failed_event_details().map(|d| (d.error(), d.cause())),
        event.activity_timed_out_event_details().map(|d| (d.error(), d.cause())),
        event.task_timed_out_event_details().map(|d| (d.error(), d.cause())),
        event.map_iteration_failed_event_details().map(|d| (d.name(), None)),
        event.evaluation_failed_event_details().map(|d| (d.error(), d.cause())),
    ];
    for (error, cause) in failures.into_iter().flatten() {
        add("error", error);
        add("cause", cause);
    }
    if let Some(d) = event.map_run_started_event_details() {
        add("mapRunArn", d.map_run_arn());
    }
    if let Some(d) = event.execution_succeeded_event_details() {
        add("output", d.output());
    }
    line
}

fn check_history(case: &Case, history: &[Event], problems: &mut Vec<String>) {
    for (kind, want) in &case.expect.events {
        let count = history.iter().filter(|event| &event.kind == kind).count();
        if want.as_u64() != Some(count as u64) {
            problems.push(format!("{count} {kind} events in the history, expected {want}"));
        }
    }
    for (state, want) in &case.expect.states {
        let last = history.iter().rev().find_map(|event| event.exited.as_ref().filter(|(name, _)| name == state));
        match last.map(|(_, output)| output.as_deref().map(serde_json::from_str::<Value>)) {
            Some(Some(Ok(output))) => compare(&format!("output of state '{state}'"), want, &output, problems),
            Some(_) => problems.push(format!("state '{state}' exited without a JSON output")),
            None => problems.push(format!("state '{state}' never exited")),
        }
    }
}

/// Compares the objects of `files.bucket` whose keys match `files.key` with
/// `files.contents`, in any order.
fn check_files(files: &Files, buckets: &[(String, PathBuf)], problems: &mut Vec<String>) {
    let Some((_, folder)) = buckets.iter().find(|(bucket, _)| *bucket == files.bucket) else {
        problems.push(format!("bucket {} has no folder: give it one in `buckets`", files.bucket));
        return;
    };
    let mut found = Vec::new();
    walk(folder, "", &mut found);
    let mut matching: Vec<(String, Value)> = found
        .into_iter()
        .filter(|key| glob(&files.key, key))
        .map(|key| {
            let bytes = std::fs::read(folder.join(&key)).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
            (key, value)
        })
        .collect();
    matching.sort_by(|a, b| a.0.cmp(&b.0));
    let what = format!("s3://{}/{}", files.bucket, files.key);
    if matching.len() != files.contents.len() {
        let keys: Vec<&String> = matching.iter().map(|(key, _)| key).collect();
        problems.push(format!("{what}: {} objects {keys:?}, expected {}", matching.len(), files.contents.len()));
        return;
    }
    // Each expected content takes the first object it matches that no other took.
    let mut taken = vec![false; matching.len()];
    for want in &files.contents {
        match matching.iter().enumerate().find(|(i, (_, got))| !taken[*i] && matcher::matches(want, got)) {
            Some((i, _)) => taken[i] = true,
            None => {
                // Say how the closest one differs: the first not taken.
                let (i, (key, got)) = matching.iter().enumerate().find(|(i, _)| !taken[*i]).unwrap();
                taken[i] = true;
                compare(&format!("s3://{}/{key}", files.bucket), want, got, problems);
            }
        }
    }
}

/// The keys of the files under `folder` (paths with `/`), below `prefix`.
fn walk(folder: &Path, prefix: &str, keys: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(folder.join(prefix)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let key = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(folder, &key, keys);
        } else {
            keys.push(key);
        }
    }
}

/// Whether `key` matches `pattern`, whose `*` segments match any one segment.
fn glob(pattern: &str, key: &str) -> bool {
    let (want, got): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), key.split('/').collect());
    want.len() == got.len() && want.iter().zip(&got).all(|(w, g)| *w == "*" || w == g)
}

/// A running `asl serve` for one case.
struct Server {
    child: Child,
    /// Kept open: the server writes to it.
    _stdout: ChildStdout,
    address: SocketAddr,
    /// Its standard error.
    log: PathBuf,
}

impl Server {
    fn start(case: &Case, scratch: &Path, mock_file: &Path, buckets: &[(String, PathBuf)]) -> Result<Server, String> {
        // Buckets without a folder, and Lambda functions nothing mocks, go to a port nobody
        // listens on: a case cannot reach AWS, and a missing mock fails at once.
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?)
        };
        let log = scratch.join("server.log");
        let stderr = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut command = Command::new(ASL);
        command
            .args(["serve", "--memory", "--listen", "127.0.0.1:0", "--wait-scale", &case.wait_scale.to_string()])
            .arg("--mock-config")
            .arg(mock_file)
            .args(["--s3-endpoint", &closed, "--lambda-endpoint", &closed]);
        for (bucket, folder) in buckets {
            command.arg("--s3-dir").arg(format!("{bucket}={}", folder.display()));
        }
        // Settings the environment could add (`asl serve` reads them) stay out.
        for name in [
            "ASL_S3_DIRS",
            "SFN_MOCK_CONFIG",
            "ASL_WAIT_SCALE",
            "ASL_CONFIG",
            "ASL_HTTP_CONNECTIONS",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_S3",
            "AWS_ENDPOINT_URL_LAMBDA",
        ] {
            command.env_remove(name);
        }
        let mut child = command
            .current_dir(scratch)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot start {ASL}: {e}"))?;
        let stdout = child.stdout.take().unwrap();
        let mut reader = std::io::BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        // asl serve: listening on http://127.0.0.1:PORT (…)
        let address =
            line.split("http://").nth(1).and_then(|rest| rest.split([' ', '/']).next()).and_then(|a| a.parse().ok());
        let Some(address) = address else {
            let _ = child.kill();
            let _ = child.wait();
            let log_text = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("asl serve did not start: it said {line:?}\n{log_text}"));
        };
        Ok(Server { child, _stdout: reader.into_inner(), address, log })
    }
}

/// Also when a case fails: no server outlives it.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
