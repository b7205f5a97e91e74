//! Crash recovery, with real processes: `crash_worker` runs executions of the crash-test
//! workflows (`flows/crash/`: Waits, retries with backoff, a caught failure, a Parallel, a
//! Map with `MaxConcurrency`, a Distributed Map reading a CSV file's rows in batches, a task token this test answers from outside, an activity
//! worker, a nested `.sync:2` execution) on a SQLite file, and this test kills it with
//! SIGKILL at random moments and starts it again, many times. At the end, every execution
//! must have ended exactly as in an uninterrupted reference run: the same status, output
//! and history (event types, ids, previous ids and details; timestamps and task tokens
//! aside), ids contiguous. Task handlers may run again only for attempts a kill
//! interrupted; the test prints how often that happened.
//!
//! `ASL_CRASH_EXECUTIONS` and `ASL_CRASH_KILLS` (default 200 and 50) size it,
//! `ASL_CRASH_SCALE` (default 1) multiplies how long the workflows wait (so that many kills
//! still land while executions run), and `ASL_CRASH_SEED` repeats a run's kill moments.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

use std::collections::{BTreeMap, HashSet};
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use asl_runtime::execution::HistoryEvent;
use asl_runtime::runtime::ExecutionStatus;
use asl_runtime::store::{ExecutionQuery, HistoryQuery, SqliteStore, Store};
use serde_json::Value;

const WORKER: &str = env!("CARGO_BIN_EXE_crash_worker");

/// How long one run of the worker may take before the test gives up on it.
const PATIENCE: Duration = Duration::from_secs(300);

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A worker's files: its database and its directory of logs and answers.
struct Site {
    dir: PathBuf,
}

impl Site {
    fn new(root: &Path, name: &str) -> Site {
        let dir = root.join(name);
        std::fs::create_dir_all(dir.join("answers")).unwrap();
        Site { dir }
    }

    fn database(&self) -> PathBuf {
        self.dir.join("executions.sqlite")
    }

    fn spawn(&self, count: u64) -> Child {
        Command::new(WORKER)
            .arg(self.database())
            .arg(&self.dir)
            .arg(count.to_string())
            .arg(setting("ASL_CRASH_SCALE", 1).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start crash_worker")
    }

    /// Lines of one of the worker's logs (a line cut short by a kill is dropped).
    fn log(&self, name: &str) -> Vec<String> {
        let Ok(file) = std::fs::File::open(self.dir.join(name)) else { return Vec::new() };
        std::io::BufReader::new(file).lines().map_while(Result::ok).collect()
    }

    /// The tokens handed out so far, with their executions.
    fn tokens(&self) -> Vec<(String, String)> {
        self.log("tokens.log")
            .into_iter()
            .filter_map(|line| line.split_once(' ').map(|(execution, token)| (execution.to_owned(), token.to_owned())))
            .filter(|(_, token)| token.len() > 20)
            .collect()
    }

    /// Answers every token handed out so far, as a person would: the answer names the
    /// execution, so it is the same in every run.
    fn answer_tokens(&self, answered: &mut HashSet<String>) {
        for (execution, token) in self.tokens() {
            if answered.insert(token.clone()) {
                let answer = serde_json::json!({ "approvedFor": execution }).to_string();
                let tmp = self.dir.join("answers").join(format!("{token}.tmp"));
                std::fs::write(&tmp, answer).unwrap();
                std::fs::rename(&tmp, self.dir.join("answers").join(&token)).unwrap();
            }
        }
    }

    /// Runs the worker until it says `done`, answering tokens meanwhile.
    fn run_to_the_end(&self, count: u64, answered: &mut HashSet<String>) {
        let mut child = self.spawn(count);
        let started = Instant::now();
        loop {
            self.answer_tokens(answered);
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "crash_worker failed: {status}");
                let mut out = String::new();
                std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
                assert_eq!(out.trim(), "done");
                return;
            }
            if started.elapsed() > PATIENCE {
                let _ = child.kill();
                panic!("crash_worker did not finish in {PATIENCE:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// What the test compares of one execution.
#[derive(Debug, PartialEq)]
struct Ended {
    status: ExecutionStatus,
    output: Option<Value>,
    error: Option<String>,
    /// Events as JSON, timestamps removed and task tokens replaced.
    history: Vec<Value>,
    /// Its Map Runs' statuses and counts.
    map_runs: Vec<Value>,
    /// Its Map Runs' stored child executions: input, status and history (as above), in
    /// input order (their names are random).
    children: Vec<(String, ExecutionStatus, Vec<Value>)>,
}

/// Every execution of the database, by name, as compared.
fn ended_executions(site: &Site) -> BTreeMap<String, Ended> {
    let tokens: Vec<String> = site.tokens().into_iter().map(|(_, token)| token).collect();
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    tokio.block_on(async {
        let store = SqliteStore::open(site.database()).unwrap();
        let mut all = BTreeMap::new();
        for machine in ["waits", "retries", "fanout", "approval", "activity", "parent", "child", "rows"] {
            let arn = format!("arn:aws:states:us-east-1:123456789012:stateMachine:{machine}");
            let mut query = ExecutionQuery { max_results: 1000, ..ExecutionQuery::of(arn) };
            loop {
                let page = store.executions(query.clone()).await.unwrap();
                for summary in page.items {
                    let record = store.execution(&summary.arn).await.unwrap().unwrap();
                    let history = history(&store, &summary.arn).await;
                    assert_well_formed(&summary.name, &history);
                    let history = history.iter().map(|event| comparable(event, &tokens)).collect();
                    let (map_runs, children) = map_runs(&store, &summary.arn, &tokens).await;
                    let ended = Ended {
                        status: record.status,
                        output: record.output.as_deref().map(|text| serde_json::from_str(text).unwrap()),
                        error: record.error,
                        history,
                        map_runs,
                        children,
                    };
                    all.insert(summary.name, ended);
                }
                match page.next_token {
                    Some(token) => query.next_token = Some(token),
                    None => break,
                }
            }
        }
        all
    })
}

/// The Map Runs of the execution `arn` (status and counts) and their stored children.
async fn map_runs(
    store: &SqliteStore,
    arn: &str,
    tokens: &[String],
) -> (Vec<Value>, Vec<(String, ExecutionStatus, Vec<Value>)>) {
    let mut runs = Vec::new();
    let mut children = Vec::new();
    for record in store.map_runs(arn).await.unwrap() {
        let run: Value = serde_json::from_str(&record.body).unwrap();
        runs.push(serde_json::json!([run["status"], run["itemCounts"], run["executionCounts"]]));
        let mut query = ExecutionQuery { max_results: 1000, ..ExecutionQuery::of("") };
        query.map_run_arn = Some(record.arn.clone());
        for summary in store.executions(query).await.unwrap().items {
            let child = store.execution(&summary.arn).await.unwrap().unwrap();
            let history = history(store, &summary.arn).await;
            assert_well_formed(&summary.name, &history);
            let history = history.iter().map(|event| comparable(event, tokens)).collect();
            children.push((child.input, child.status, history));
        }
    }
    children.sort_by(|a, b| a.0.cmp(&b.0));
    (runs, children)
}

async fn history(store: &SqliteStore, arn: &str) -> Vec<HistoryEvent> {
    let mut events = Vec::new();
    let mut query = HistoryQuery { max_results: 1000, ..HistoryQuery::default() };
    loop {
        let page = store.history(arn, query.clone()).await.unwrap();
        events.extend(page.items.iter().map(|row| serde_json::from_str::<HistoryEvent>(&row.event).unwrap()));
        match page.next_token {
            Some(token) => query.next_token = Some(token),
            None => return events,
        }
    }
}

/// Ids 1, 2, 3… with no gap and none twice, each `previousEventId` an earlier event.
fn assert_well_formed(name: &str, history: &[HistoryEvent]) {
    for (i, event) in history.iter().enumerate() {
        assert_eq!(event.id, i as u64 + 1, "{name}: event ids are not contiguous");
        assert!(event.previous_event_id < event.id, "{name}: event {} follows a later one", event.id);
    }
}

fn comparable(event: &HistoryEvent, tokens: &[String]) -> Value {
    let mut text = serde_json::to_string(event).unwrap();
    for token in tokens {
        text = text.replace(token.as_str(), "<token>");
    }
    // Dates inside data (a child execution's `StartDate` in its parent's task output) are
    // as real as the timestamps.
    let text = without_dates(&text);
    let mut json: Value = serde_json::from_str(&text).unwrap();
    json.as_object_mut().unwrap().remove("timestamp");
    // A Map Run's ARN ends in a random id, as AWS's does (its execution's random sequence
    // is seeded anew by each start, so it is not the reference run's).
    if let Some(Value::String(arn)) = json.pointer_mut("/mapRunStartedEventDetails/mapRunArn")
        && let Some(at) = arn.rfind(':')
    {
        arn.truncate(at + 1);
        arn.push_str("<id>");
    }
    json
}

/// `text` with every `2026-12-07T00:10:06.601Z` replaced by `<date>`.
fn without_dates(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd.dddZ";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let matches = bytes.get(i..i + SHAPE.len()).is_some_and(|window| {
            window.iter().zip(SHAPE).all(|(&b, &shape)| if shape == b'd' { b.is_ascii_digit() } else { b == shape })
        });
        if matches {
            out.push_str("<date>");
            i += SHAPE.len();
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// How many handler calls ran more than once: `(execution, state, retry count, input)`
/// logged twice.
fn repeated_calls(site: &Site) -> usize {
    let mut seen = HashSet::new();
    site.log("handler.log").into_iter().filter(|line| !seen.insert(line.clone())).count()
}

#[test]
fn executions_killed_at_random_moments_end_as_uninterrupted_ones() {
    let executions = setting("ASL_CRASH_EXECUTIONS", 200);
    let kills = setting("ASL_CRASH_KILLS", 50);
    let seed = setting("ASL_CRASH_SEED", fastrand::u64(..));
    println!("crash test: {executions} executions, {kills} kills, ASL_CRASH_SEED={seed}");
    let root = tempfile_dir();

    let reference = Site::new(&root, "reference");
    let started = Instant::now();
    reference.run_to_the_end(executions, &mut HashSet::new());
    let expected = ended_executions(&reference);
    println!("reference run: {} executions in {:.1?}", expected.len(), started.elapsed());
    assert!(expected.len() as u64 > executions, "the children are missing: {}", expected.len());
    assert!(expected.values().all(|e| e.status != ExecutionStatus::Running));
    let stored_children: usize = expected.values().map(|e| e.children.len()).sum();
    assert!(stored_children > 0, "no Map Run child execution was stored");
    println!("reference run: {stored_children} Map Run child executions stored");

    let crashed = Site::new(&root, "crashed");
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut answered = HashSet::new();
    let started = Instant::now();
    let mut finished_early = 0;
    for _ in 0..kills {
        let mut child = crashed.spawn(executions);
        let deadline = Instant::now() + Duration::from_millis(rng.u64(20..400));
        while Instant::now() < deadline {
            crashed.answer_tokens(&mut answered);
            std::thread::sleep(Duration::from_millis(10));
        }
        if child.try_wait().unwrap().is_some() {
            finished_early += 1;
        }
        // SIGKILL: no destructor, no flush, no goodbye.
        child.kill().unwrap();
        child.wait().unwrap();
    }
    // The kills must land while executions run, not after the worker is done.
    assert!(finished_early * 5 <= kills, "{finished_early} of {kills} kills came after the worker had finished");
    crashed.run_to_the_end(executions, &mut answered);
    println!(
        "{kills} kills ({finished_early} after the worker had finished) and a last run in {:.1?}",
        started.elapsed()
    );

    let actual = ended_executions(&crashed);
    assert_eq!(actual.len(), expected.len(), "executions: {:?}", actual.keys().collect::<Vec<_>>());
    for (name, expected) in &expected {
        let actual = actual.get(name).unwrap_or_else(|| panic!("{name} is missing after the crashes"));
        assert_eq!(actual.status, expected.status, "{name}");
        assert_eq!(actual.output, expected.output, "{name}");
        assert_eq!(actual.error, expected.error, "{name}");
        assert_eq!(actual.map_runs, expected.map_runs, "{name}: Map Runs");
        assert_eq!(actual.children, expected.children, "{name}: the Map Runs' child executions");
        assert_eq!(actual.history.len(), expected.history.len(), "{name}: history length");
        for (i, (a, e)) in actual.history.iter().zip(&expected.history).enumerate() {
            assert_eq!(a, e, "{name}: event {}", i + 1);
        }
    }
    let repeated = repeated_calls(&crashed);
    println!(
        "handler calls: {} in the reference run, {} across the crashes ({repeated} repeated after a kill)",
        reference.log("handler.log").len(),
        crashed.log("handler.log").len()
    );
    assert_eq!(repeated_calls(&reference), 0, "an uninterrupted run calls each handler once");
    // A kill repeats at most the attempts in flight at that moment (dispatched, result not
    // yet committed). Executions taken up from an older commit than their last would repeat
    // whole runs of calls.
    assert!(repeated <= 10 * kills as usize, "{repeated} handler calls repeated after {kills} kills");
    // A task token, once handed out, stays the execution's token: the commit that made it
    // came before the handler that sent it out, and the execution goes on from there.
    let mut tokens: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for (execution, token) in crashed.tokens() {
        tokens.entry(execution).or_default().insert(token);
    }
    let approvals = expected.keys().filter(|name| reference.tokens().iter().any(|(e, _)| e == *name)).count();
    assert_eq!(tokens.len(), approvals);
    for (execution, handed_out) in &tokens {
        assert_eq!(handed_out.len(), 1, "{execution} handed out {} different tokens", handed_out.len());
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// A fresh directory under the build directory (kept on failure, for a look).
fn tempfile_dir() -> PathBuf {
    let dir = asl_tests::scratch_dir("crash").join(format!("run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
