//! Crash recovery of the API server, as its clients see it: the real `asl serve` binary runs
//! the workflows of `flows/serve/` (Waits, a Parallel and a Map of Waits and Passes, a
//! Choice loop with a counter, a task token this test answers over the API, an activity
//! this test's worker takes and answers) on a SQLite file, and this test drives it with the
//! Rust SDK, kills it with SIGKILL at random moments and starts it again on the same file,
//! many times. Meanwhile it keeps starting executions, answering tokens and working
//! activity tasks, recording every call the server acknowledged.
//!
//! At the end every execution whose `StartExecution` was acknowledged exists (a name is
//! never started again once acknowledged, so a lost one would be missing) and has ended
//! SUCCEEDED with the output and the history (timestamps and task tokens aside) of an
//! uninterrupted reference run; its history's ids are contiguous, none twice; and every
//! acknowledged `SendTaskSuccess` is there: its output is the task's result in the
//! history, and the token, sent again, is refused with `TaskTimedOut` (its task is closed).
//!
//! `ASL_SERVER_CRASH_EXECUTIONS` and `ASL_SERVER_CRASH_KILLS` (default 200 and 10) size it,
//! `ASL_SERVER_CRASH_SCALE` (default 1) multiplies how long the workflows wait, so that more
//! kills land while executions run (kills come 0.1 to 1 s apart, plus the restarts: 50 kills
//! want a scale of about 4), and `ASL_SERVER_CRASH_SEED` repeats a run's kill moments.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

mod sdk;

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use aws_sdk_sfn::Client;
use aws_sdk_sfn::error::SdkError;
use aws_sdk_sfn::operation::send_task_success::SendTaskSuccessError;
use aws_sdk_sfn::operation::start_execution::StartExecutionError;
use aws_sdk_sfn::primitives::DateTime;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent};
use serde_json::{Value, json};
use tokio::task::JoinSet;

const ASL: &str = env!("CARGO_BIN_EXE_asl-under-test");

/// The workflows, by file name; execution `i` runs `MACHINES[i % 5]`.
const MACHINES: [&str; 5] = ["naps", "fanout", "counter", "approval", "activity"];

const ACTIVITY: &str = "arn:aws:states:us-east-1:123456789012:activity:serve-crash-work";

/// The server's `--wait-scale`: a Wait of 10 seconds takes one. (Executions share the
/// server's clock, which jumps to each deadline as it passes: with Waits always pending,
/// their time runs ten times faster than real time.)
const WAIT_SCALE: f64 = 0.1;

/// How long one run may take to end every execution before the test gives up.
const PATIENCE: Duration = Duration::from_secs(120);

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn machine_arn(machine: &str) -> String {
    format!("arn:aws:states:us-east-1:123456789012:stateMachine:{machine}")
}

/// `ASL_SERVER_CRASH_SCALE`: how many times longer the workflows wait.
fn scale() -> u64 {
    static SCALE: OnceLock<u64> = OnceLock::new();
    *SCALE.get_or_init(|| setting("ASL_SERVER_CRASH_SCALE", 1).max(1))
}

/// Execution `i`: its name, machine and input.
fn execution(i: u64) -> (String, &'static str, Value) {
    let machine = MACHINES[(i % 5) as usize];
    let s = scale();
    let input = match machine {
        // Four rounds of the loop.
        "counter" => json!({"i": i, "pause": (2 + i % 4) * s}),
        // Distinct waits: the Map's items end in an order the clock alone decides.
        "fanout" => json!({"i": i, "pause": (6 + i % 10) * s, "items": [3 * s, s, 2 * s]}),
        _ => json!({"i": i, "pause": (5 + i % 10) * s}),
    };
    (format!("run-{i:03}"), machine, input)
}

/// What the test's worker answers an activity task with.
fn work(input: &Value) -> Value {
    json!({"workedOn": input["i"], "by": "serve-crash-worker"})
}

/// What the test answers an approval's token with.
fn approval(name: &str) -> Value {
    json!({"approvedFor": name})
}

/// A running `asl serve`.
struct Served {
    child: Child,
    /// Kept open: the server writes to it.
    _stdout: ChildStdout,
    address: SocketAddr,
    /// The executions it took up at its start.
    resumed: u64,
}

/// Starts `asl serve` on `db` and waits for its line saying where it listens.
fn serve(db: &Path) -> Served {
    let flows = Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/serve");
    let mut child = Command::new(ASL)
        .arg("serve")
        .arg(flows)
        .args(["--listen", "127.0.0.1:0", "--wait-scale", &WAIT_SCALE.to_string(), "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start asl serve");
    let stdout = child.stdout.take().unwrap();
    let mut reader = std::io::BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    // asl serve: listening on http://127.0.0.1:PORT (5 state machines, 12 executions resumed, store …)
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|address| address.parse().ok())
        .unwrap_or_else(|| panic!("asl serve said {line:?}"));
    let resumed = line
        .split(", ")
        .find_map(|part| part.strip_suffix(" executions resumed"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("asl serve said {line:?}"));
    Served { child, _stdout: reader.into_inner(), address, resumed }
}

impl Served {
    /// SIGKILL: no destructor, no flush, no goodbye.
    fn kill(self) {
        drop(self);
    }
}

/// Also when a test fails: no server outlives it.
impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server acknowledged, and what went wrong, across all runs on one database.
#[derive(Default)]
struct Ledger {
    /// Executions whose start was acknowledged (or that the server said exist), by name.
    started: BTreeMap<String, String>,
    /// Of those, the ones whose start went through unacknowledged before a kill and had
    /// ended by the time it was sent again (`ExecutionAlreadyExists`).
    started_unacknowledged: u64,
    /// Acknowledged `SendTaskSuccess` calls, by execution name: token and output.
    answered: BTreeMap<String, (String, Value)>,
    /// Executions whose answer went through without an acknowledgement (the server died
    /// first), as their history or a refusal showed: not to be answered again.
    answered_unacknowledged: BTreeSet<String>,
    /// Activity tasks taken, counting those offered again after a kill.
    tasks_taken: u64,
    /// What must not happen.
    problems: Vec<String>,
}

type Shared = Arc<Mutex<Ledger>>;

fn lock(ledger: &Shared) -> std::sync::MutexGuard<'_, Ledger> {
    ledger.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts the clients of one server run: starters, an approver, activity workers. They
/// run until aborted.
fn drive(client: &Client, executions: u64, ledger: &Shared) -> JoinSet<()> {
    let mut drivers = JoinSet::new();
    let pending: Vec<u64> = {
        let ledger = lock(ledger);
        (0..executions).filter(|&i| !ledger.started.contains_key(&execution(i).0)).collect()
    };
    let pending = Arc::new(Mutex::new(pending.into_iter()));
    for _ in 0..8 {
        drivers.spawn(starter(client.clone(), Arc::clone(&pending), Arc::clone(ledger)));
    }
    drivers.spawn(approver(client.clone(), Arc::clone(ledger)));
    for _ in 0..2 {
        drivers.spawn(worker(client.clone(), Arc::clone(ledger)));
    }
    drivers
}

/// Starts executions until none is left, each until the server acknowledges it.
async fn starter(client: Client, pending: Arc<Mutex<std::vec::IntoIter<u64>>>, ledger: Shared) {
    loop {
        let next = pending.lock().unwrap_or_else(PoisonError::into_inner).next();
        let Some(i) = next else { return };
        let (name, machine, input) = execution(i);
        loop {
            let answer = client
                .start_execution()
                .state_machine_arn(machine_arn(machine))
                .name(&name)
                .input(input.to_string())
                .send()
                .await;
            match answer {
                Ok(started) => {
                    lock(&ledger).started.insert(name.clone(), started.execution_arn().to_owned());
                    break;
                }
                // The server is gone (killed): nothing was acknowledged.
                Err(SdkError::DispatchFailure(_) | SdkError::ResponseError(_) | SdkError::TimeoutError(_)) => {}
                Err(error) => match error.into_service_error() {
                    // A start that went through before a kill, unacknowledged, and has
                    // ended since (a running one would have been answered as started).
                    StartExecutionError::ExecutionAlreadyExists(_) => {
                        let arn = format!("arn:aws:states:us-east-1:123456789012:execution:{machine}:{name}");
                        if client.describe_execution().execution_arn(&arn).send().await.is_ok() {
                            let mut ledger = lock(&ledger);
                            ledger.started.insert(name.clone(), arn);
                            ledger.started_unacknowledged += 1;
                            break;
                        }
                    }
                    other => lock(&ledger).problems.push(format!("StartExecution {name}: {other:?}")),
                },
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The token of an approval's waiting task from its history (`None`: not scheduled yet),
/// and whether the task has already succeeded.
async fn waiting_token(client: &Client, arn: &str) -> Option<(String, bool)> {
    let events = history(client, arn).await.ok()?;
    let token = events.iter().find_map(|event| {
        let parameters = event.task_scheduled_event_details()?.parameters();
        let parameters: Value = serde_json::from_str(parameters).ok()?;
        parameters["MessageBody"]["token"].as_str().map(str::to_owned)
    })?;
    let succeeded = events.iter().any(|event| event.task_succeeded_event_details().is_some());
    Some((token, succeeded))
}

/// Answers the token of every started approval execution, as a person would.
async fn approver(client: Client, ledger: Shared) {
    loop {
        let waiting: Vec<(String, String)> = {
            let ledger = lock(&ledger);
            ledger
                .started
                .iter()
                .filter(|(name, arn)| {
                    arn.contains(":approval:")
                        && !ledger.answered.contains_key(*name)
                        && !ledger.answered_unacknowledged.contains(*name)
                })
                .map(|(name, arn)| (name.clone(), arn.clone()))
                .collect()
        };
        for (name, arn) in waiting {
            let Some((token, succeeded)) = waiting_token(&client, &arn).await else { continue };
            if succeeded {
                lock(&ledger).answered_unacknowledged.insert(name);
                continue;
            }
            let output = approval(&name);
            match client.send_task_success().task_token(&token).output(output.to_string()).send().await {
                Ok(_) => {
                    lock(&ledger).answered.insert(name, (token, output));
                }
                Err(SdkError::DispatchFailure(_) | SdkError::ResponseError(_) | SdkError::TimeoutError(_)) => {}
                Err(error) => match error.into_service_error() {
                    // Sent before a kill and taken, unacknowledged.
                    SendTaskSuccessError::TaskTimedOut(_) => {
                        lock(&ledger).answered_unacknowledged.insert(name);
                    }
                    other => lock(&ledger).problems.push(format!("SendTaskSuccess {name}: {other:?}")),
                },
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An activity worker: takes tasks and answers each at once.
async fn worker(client: Client, ledger: Shared) {
    loop {
        let task = client.get_activity_task().activity_arn(ACTIVITY).worker_name("serve-crash-worker").send().await;
        let task = match task {
            Ok(task) => task,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let (Some(token), Some(input)) = (task.task_token(), task.input()) else { continue };
        let input: Value = serde_json::from_str(input).unwrap();
        let name = execution(input["i"].as_u64().unwrap()).0;
        {
            let mut ledger = lock(&ledger);
            ledger.tasks_taken += 1;
            if ledger.answered.contains_key(&name) {
                ledger
                    .problems
                    .push(format!("{name}: its activity task was offered again after its answer was acknowledged"));
            }
        }
        let output = work(&input);
        match client.send_task_success().task_token(token).output(output.to_string()).send().await {
            Ok(_) => {
                lock(&ledger).answered.insert(name, (token.to_owned(), output));
            }
            Err(SdkError::DispatchFailure(_) | SdkError::ResponseError(_) | SdkError::TimeoutError(_)) => {}
            Err(error) => match error.into_service_error() {
                SendTaskSuccessError::TaskTimedOut(_) => {
                    lock(&ledger).answered_unacknowledged.insert(name);
                }
                other => lock(&ledger).problems.push(format!("SendTaskSuccess {name}: {other:?}")),
            },
        }
    }
}

/// An execution's whole history, 20 events a page.
async fn history(client: &Client, arn: &str) -> Result<Vec<HistoryEvent>, String> {
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_execution_history()
            .execution_arn(arn)
            .max_results(20)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?;
        events.extend(page.events().iter().cloned());
        match page.next_token() {
            Some(next) => token = Some(next.to_owned()),
            None => return Ok(events),
        }
    }
}

/// Whether every execution has been started and none of them runs.
async fn all_ended(client: &Client, executions: u64, ledger: &Shared) -> bool {
    if (lock(ledger).started.len() as u64) < executions {
        return false;
    }
    for machine in MACHINES {
        let running = client
            .list_executions()
            .state_machine_arn(machine_arn(machine))
            .status_filter(ExecutionStatus::Running)
            .max_results(1)
            .send()
            .await;
        match running {
            Ok(running) if running.executions().is_empty() => {}
            _ => return false,
        }
    }
    true
}

/// Serves `db` and drives it until every execution has ended; the server, still running.
async fn run_to_the_end(db: &Path, executions: u64, ledger: &Shared) -> (Served, Client) {
    let served = tokio::task::spawn_blocking({
        let db = db.to_owned();
        move || serve(&db)
    })
    .await
    .unwrap();
    let client = sdk::client(served.address);
    client.create_activity().name("serve-crash-work").send().await.unwrap();
    let mut drivers = drive(&client, executions, ledger);
    let since = Instant::now();
    while !all_ended(&client, executions, ledger).await {
        assert!(since.elapsed() < PATIENCE, "executions still running after {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drivers.abort_all();
    while drivers.join_next().await.is_some() {}
    (served, client)
}

/// What the test compares of one ended execution.
#[derive(Debug, PartialEq)]
struct Ended {
    status: ExecutionStatus,
    output: Option<Value>,
    /// Events without timestamps, task tokens replaced, as the SDK's `Debug` prints them.
    history: Vec<String>,
}

/// Every started execution as compared, checking each history's ids on the way; and how
/// many histories have a timestamp earlier than the one before it.
async fn ended_executions(client: &Client, ledger: &Shared) -> (BTreeMap<String, Ended>, usize) {
    let started = lock(ledger).started.clone();
    let mut all = BTreeMap::new();
    let mut backwards = 0;
    for (name, arn) in started {
        let described = client.describe_execution().execution_arn(&arn).send().await;
        let described = described.unwrap_or_else(|e| panic!("{name}, whose start was acknowledged: {e:?}"));
        let events = history(client, &arn).await.unwrap();
        let ids: Vec<i64> = events.iter().map(HistoryEvent::id).collect();
        let expected: Vec<i64> = (1..=events.len() as i64).collect();
        assert_eq!(ids, expected, "{name}: event ids are not 1, 2, 3… without gaps or repeats");
        for event in &events {
            assert!(event.previous_event_id() < event.id(), "{name}: event {} follows a later one", event.id());
        }
        if events.windows(2).any(|pair| pair[1].timestamp().as_secs_f64() < pair[0].timestamp().as_secs_f64()) {
            backwards += 1;
        }
        let tokens: Vec<String> = events
            .iter()
            .filter_map(|event| {
                let parameters = event.task_scheduled_event_details()?.parameters();
                serde_json::from_str::<Value>(parameters).ok()?["MessageBody"]["token"].as_str().map(str::to_owned)
            })
            .collect();
        let history = events
            .into_iter()
            .map(|mut event| {
                event.timestamp = DateTime::from_secs(0);
                let mut text = format!("{event:?}");
                for token in &tokens {
                    text = text.replace(token.as_str(), "<token>");
                }
                text
            })
            .collect();
        let ended = Ended {
            status: described.status().clone(),
            output: described.output().map(|text| serde_json::from_str(text).unwrap()),
            history,
        };
        all.insert(name, ended);
    }
    (all, backwards)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executions_survive_the_server_killed_at_random_moments() {
    let executions = setting("ASL_SERVER_CRASH_EXECUTIONS", 200);
    let kills = setting("ASL_SERVER_CRASH_KILLS", 10);
    let seed = setting("ASL_SERVER_CRASH_SEED", fastrand::u64(..));
    println!("server crash test: {executions} executions, {kills} kills, ASL_SERVER_CRASH_SEED={seed}");
    let root = scratch();

    // The reference: one run, never interrupted.
    let started = Instant::now();
    let reference = Shared::default();
    let (served, client) = run_to_the_end(&root.join("reference.db"), executions, &reference).await;
    let (expected, backwards) = ended_executions(&client, &reference).await;
    served.kill();
    println!(
        "reference run: {} executions in {:.1?} ({backwards} with a timestamp before the previous event's)",
        expected.len(),
        started.elapsed()
    );
    assert_eq!(expected.len() as u64, executions);
    for (name, ended) in &expected {
        assert_eq!(ended.status, ExecutionStatus::Succeeded, "{name} in the reference run");
    }
    assert!(lock(&reference).problems.is_empty(), "{:?}", lock(&reference).problems);

    // The same executions on a server killed again and again.
    let db = root.join("crashed.db");
    let ledger = Shared::default();
    let mut rng = fastrand::Rng::with_seed(seed);
    let started = Instant::now();
    let mut resumed = Vec::new();
    for _ in 0..kills {
        let served = tokio::task::spawn_blocking({
            let db = db.clone();
            move || serve(&db)
        })
        .await
        .unwrap();
        resumed.push(served.resumed);
        let client = sdk::client(served.address);
        let _ = client.create_activity().name("serve-crash-work").send().await;
        let mut drivers = drive(&client, executions, &ledger);
        // Short lives: a restarted server's clock goes on from its histories' latest event
        // (scaled waits ran it ahead), so Waits that were due by then end at once and the
        // executions finish within a few lives.
        tokio::time::sleep(Duration::from_millis(rng.u64(50..400))).await;
        served.kill();
        drivers.abort_all();
        while drivers.join_next().await.is_some() {}
    }
    let (served, client) = run_to_the_end(&db, executions, &ledger).await;
    resumed.push(served.resumed);
    // A start that resumed executions followed a kill that landed while they ran.
    let mid_run = resumed[1..].iter().filter(|&&n| n > 0).count() as u64;
    println!(
        "{kills} kills ({mid_run} while executions ran; executions resumed at each start: {resumed:?}) \
         and a last run, in {:.1?}",
        started.elapsed()
    );

    let (actual, backwards) = ended_executions(&client, &ledger).await;
    // A restarted server's clock goes on from the latest event it finds, never before it.
    assert_eq!(backwards, 0, "histories with a timestamp before the previous event's");
    assert_eq!(actual.len(), expected.len(), "executions: {:?}", actual.keys().collect::<Vec<_>>());
    for (name, expected) in &expected {
        let actual = actual.get(name).unwrap_or_else(|| panic!("{name} is missing after the crashes"));
        assert_eq!(actual.status, expected.status, "{name}");
        assert_eq!(actual.output, expected.output, "{name}");
        assert_eq!(actual.history.len(), expected.history.len(), "{name}: history length");
        for (i, (a, e)) in actual.history.iter().zip(&expected.history).enumerate() {
            assert_eq!(a, e, "{name}: event {}", i + 1);
        }
    }

    // Every acknowledged answer is the task's result, and its token is spent.
    let ledger = std::mem::take(&mut *lock(&ledger));
    assert!(ledger.problems.is_empty(), "{:#?}", ledger.problems);
    for (name, (token, output)) in &ledger.answered {
        let ended = &actual[name];
        let result = if name_of_machine(name) == "approval" { "decision" } else { "worked" };
        assert_eq!(ended.output.as_ref().map(|o| &o[result]), Some(output), "{name}: the acknowledged answer");
        let again = client.send_task_success().task_token(token).output(output.to_string()).send().await;
        let error = again.expect_err("a spent token answers again").into_service_error();
        assert!(matches!(error, SendTaskSuccessError::TaskTimedOut(_)), "{name}: {error:?}");
    }
    let count = |machine: &str| (0..executions).filter(|&i| execution(i).1 == machine).count() as u64;
    println!(
        "starts: {executions} acknowledged, {} of them after going through unacknowledged; answers: {} of {} \
         acknowledged (the others went through, their acknowledgement lost to a kill); {} activity tasks taken \
         ({} again after a kill)",
        ledger.started_unacknowledged,
        ledger.answered.len(),
        count("approval") + count("activity"),
        ledger.tasks_taken,
        ledger.tasks_taken.saturating_sub(count("activity")),
    );
    served.kill();
    // The kills must land while executions run, not after they have all ended.
    // (At least half of them: how many land mid-run depends on timing — how fast each
    // restarted server takes its executions up and finishes them.)
    assert!(
        mid_run * 2 >= kills,
        "only {mid_run} of {kills} kills landed while executions ran: raise ASL_SERVER_CRASH_SCALE with the kills"
    );
    let _ = std::fs::remove_dir_all(&root);
}

fn name_of_machine(name: &str) -> &'static str {
    let i: u64 = name.trim_start_matches("run-").parse().unwrap();
    execution(i).1
}

/// A fresh directory under the build directory (kept on failure, for a look).
fn scratch() -> PathBuf {
    let dir = asl_tests::scratch_dir("server_crash").join(format!("run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
