//! The official Rust SDK (`aws-sdk-sfn`) against a real server: an `asl_server::Server` in
//! this process on a loopback port with a SQLite file, driven the way an application
//! drives AWS Step Functions (see `sdk/mod.rs` for the client). Each test has a server of
//! its own.
//!
//! What is checked is what a user of the SDK sees: answers deserialize into the SDK's types
//! (dates as epoch seconds, enums, pages with their tokens), executions end with the
//! output their definition gives, histories page forwards and backwards, a task token read
//! from the history and an activity task taken by a worker end their tasks, an EXPRESS
//! machine answers `StartSyncExecution` (despite its `sync-` host prefix), and refusals
//! arrive as the SDK's error variants (`StateMachineDoesNotExist`, `InvalidArn`, …), not as
//! unhandled errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // failing loudly is a test's job

mod sdk;

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use asl_server::{Config, Server, Storage};
use aws_sdk_sfn::Client;
use aws_sdk_sfn::error::ProvideErrorMetadata as _;
use aws_sdk_sfn::operation::create_state_machine::CreateStateMachineError;
use aws_sdk_sfn::operation::describe_execution::{DescribeExecutionError, DescribeExecutionOutput};
use aws_sdk_sfn::operation::describe_state_machine::DescribeStateMachineError;
use aws_sdk_sfn::operation::get_execution_history::GetExecutionHistoryError;
use aws_sdk_sfn::operation::send_task_success::SendTaskSuccessError;
use aws_sdk_sfn::operation::start_execution::StartExecutionError;
use aws_sdk_sfn::operation::start_sync_execution::StartSyncExecutionError;
use aws_sdk_sfn::primitives::DateTime;
use aws_sdk_sfn::types::{
    ExecutionStatus, HistoryEvent, HistoryEventType, StateMachineStatus, StateMachineType, SyncExecutionStatus,
};
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// How long an execution may take to end before a test gives up on it.
const PATIENCE: Duration = Duration::from_secs(60);

const ROLE: &str = "arn:aws:iam::123456789012:role/StepFunctionsRole";

/// A server running on this test's runtime, stopped when dropped.
struct Running {
    client: Client,
    stop: Option<oneshot::Sender<()>>,
    dir: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts a server named `name` (its SQLite file in a directory of its own) whose Waits
/// take `wait_scale` of their time (`None`: real time), and a client of it.
async fn serve(name: &str, wait_scale: Option<f64>) -> Running {
    let dir = asl_tests::scratch_dir("sdk_rust").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        storage: Storage::Sqlite(dir.join("asl.db")),
        wait_scale,
        ..Config::default()
    };
    let server = Server::start(config).await.unwrap();
    let address = server.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    Running { client: sdk::client(address), stop: Some(stop), dir }
}

async fn create(client: &Client, name: &str, definition: &Value, kind: StateMachineType) -> String {
    let created = client
        .create_state_machine()
        .name(name)
        .definition(definition.to_string())
        .role_arn(ROLE)
        .r#type(kind)
        .send()
        .await
        .unwrap();
    created.state_machine_arn().to_owned()
}

async fn start(client: &Client, machine: &str, name: &str, input: &Value) -> String {
    let started =
        client.start_execution().state_machine_arn(machine).name(name).input(input.to_string()).send().await.unwrap();
    started.execution_arn().to_owned()
}

/// Describes the execution until it is no longer running.
async fn ended(client: &Client, execution: &str) -> DescribeExecutionOutput {
    let since = Instant::now();
    loop {
        let described = client.describe_execution().execution_arn(execution).send().await.unwrap();
        if described.status() != &ExecutionStatus::Running {
            return described;
        }
        assert!(since.elapsed() < PATIENCE, "{execution} is still running after {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The whole history, `page` events at a time, and how many pages it took.
async fn history(client: &Client, execution: &str, page: i32, reverse: bool) -> (Vec<HistoryEvent>, usize) {
    let mut events = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let answer = client
            .get_execution_history()
            .execution_arn(execution)
            .max_results(page)
            .reverse_order(reverse)
            .set_next_token(token.take())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(answer.events().len() <= page as usize, "a page longer than maxResults");
        events.extend(answer.events().iter().cloned());
        match answer.next_token() {
            Some(next) => token = Some(next.to_owned()),
            None => return (events, pages),
        }
    }
}

fn types(events: &[HistoryEvent]) -> Vec<HistoryEventType> {
    events.iter().map(|event| event.r#type().clone()).collect()
}

/// Seconds since the epoch, as the SDK read them.
fn seconds(date: &DateTime) -> f64 {
    date.as_secs_f64()
}

fn now_seconds() -> f64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs_f64()
}

fn parse(text: Option<&str>) -> Value {
    serde_json::from_str(text.expect("a JSON member")).unwrap()
}

fn pass_through() -> Value {
    json!({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_machines_are_created_described_and_listed_page_by_page() {
    let server = serve("machines", None).await;
    let client = &server.client;
    let before = now_seconds();
    let mut arns = Vec::new();
    for name in ["alpha", "bravo", "charlie", "delta", "echo"] {
        arns.push(create(client, name, &pass_through(), StateMachineType::Standard).await);
    }
    let after = now_seconds();
    assert_eq!(arns[0], "arn:aws:states:us-east-1:123456789012:stateMachine:alpha");

    // Creating the same machine again is idempotent: the same ARN and creation date.
    let again = client
        .create_state_machine()
        .name("alpha")
        .definition(pass_through().to_string())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    assert_eq!(again.state_machine_arn(), arns[0]);

    let described = client.describe_state_machine().state_machine_arn(&arns[1]).send().await.unwrap();
    assert_eq!(described.name(), "bravo");
    assert_eq!(described.status(), Some(&StateMachineStatus::Active));
    assert_eq!(described.r#type(), &StateMachineType::Standard);
    assert_eq!(described.role_arn(), ROLE);
    assert_eq!(serde_json::from_str::<Value>(described.definition()).unwrap(), pass_through());
    // Dates are epoch seconds (to the millisecond) the SDK parses.
    let created = seconds(described.creation_date());
    assert!(before - 0.001 <= created && created <= after, "{before} ≤ {created} ≤ {after}");
    assert_eq!(seconds(again.creation_date()), seconds(&client_creation(client, &arns[0]).await));

    // Two at a time: three pages, every machine once, in order.
    let mut listed = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let page = client.list_state_machines().max_results(2).set_next_token(token.take()).send().await.unwrap();
        pages += 1;
        assert!(page.state_machines().len() <= 2);
        for item in page.state_machines() {
            assert_eq!(item.r#type(), &StateMachineType::Standard);
            listed.push(item.state_machine_arn().to_owned());
        }
        match page.next_token() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(listed, arns);
    // The SDK's paginator follows the same tokens.
    let items: Vec<_> = client
        .list_state_machines()
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .unwrap();
    assert_eq!(items.len(), 5);

    // Refusals arrive as the SDK's error variants.
    let missing = "arn:aws:states:us-east-1:123456789012:stateMachine:zulu";
    let error = client.describe_state_machine().state_machine_arn(missing).send().await.unwrap_err();
    let error = error.into_service_error();
    assert!(matches!(error, DescribeStateMachineError::StateMachineDoesNotExist(_)), "{error:?}");
    let error = client.describe_state_machine().state_machine_arn("not-an-arn").send().await.unwrap_err();
    let error = error.into_service_error();
    assert!(matches!(error, DescribeStateMachineError::InvalidArn(_)), "{error:?}");
    let broken = json!({"StartAt": "Nowhere", "States": {"Here": {"Type": "Succeed"}}});
    let error = client
        .create_state_machine()
        .name("broken")
        .definition(broken.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(error, CreateStateMachineError::InvalidDefinition(_)), "{error:?}");
    assert!(error.message().is_some_and(|m| m.contains("Nowhere")), "{error:?}");
}

async fn client_creation(client: &Client, arn: &str) -> DateTime {
    *client.describe_state_machine().state_machine_arn(arn).send().await.unwrap().creation_date()
}

/// A Pass, a minute's Wait (no time at all with `--wait-scale 0`), a Pass.
fn steps() -> Value {
    json!({
        "StartAt": "Greet",
        "States": {
            "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello, {}', $.who)"}, "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
            "Done": {"Type": "Pass", "Result": "done", "ResultPath": "$.status", "End": true}
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_runs_and_its_history_pages_both_ways() {
    let server = serve("history", Some(0.0)).await;
    let client = &server.client;
    let machine = create(client, "steps", &steps(), StateMachineType::Standard).await;
    let before = now_seconds();
    let execution = start(client, &machine, "first", &json!({"who": "world"})).await;
    assert_eq!(execution, "arn:aws:states:us-east-1:123456789012:execution:steps:first");

    let described = ended(client, &execution).await;
    assert_eq!(described.status(), &ExecutionStatus::Succeeded);
    assert_eq!(described.name(), Some("first"));
    assert_eq!(described.state_machine_arn(), machine);
    assert_eq!(parse(described.input()), json!({"who": "world"}));
    assert_eq!(parse(described.output()), json!({"greeting": "hello, world", "status": "done"}));
    let start_date = seconds(described.start_date());
    let stop_date = seconds(described.stop_date().expect("an ended execution has a stop date"));
    assert!(start_date >= before - 0.001, "{start_date} < {before}");
    // The Wait took its minute on the execution's clock, though no real time.
    assert!(stop_date - start_date >= 60.0, "{start_date} → {stop_date}");

    // Forwards three at a time, backwards two at a time: the same events.
    let (forwards, pages) = history(client, &execution, 3, false).await;
    assert_eq!(pages, 3);
    use HistoryEventType as T;
    assert_eq!(
        types(&forwards),
        [
            T::ExecutionStarted,
            T::PassStateEntered,
            T::PassStateExited,
            T::WaitStateEntered,
            T::WaitStateExited,
            T::PassStateEntered,
            T::PassStateExited,
            T::ExecutionSucceeded
        ]
    );
    for (i, event) in forwards.iter().enumerate() {
        assert_eq!(event.id(), i as i64 + 1, "ids are 1, 2, 3…");
        assert!(event.previous_event_id() < event.id());
    }
    assert!(forwards.windows(2).all(|pair| seconds(pair[0].timestamp()) <= seconds(pair[1].timestamp())));
    let waited = seconds(forwards[4].timestamp()) - seconds(forwards[3].timestamp());
    assert!(waited >= 60.0, "the Wait's events are {waited} s apart");
    let started = forwards[0].execution_started_event_details().expect("ExecutionStarted has details");
    assert_eq!(parse(started.input()), json!({"who": "world"}));
    let succeeded = forwards[7].execution_succeeded_event_details().expect("ExecutionSucceeded has details");
    assert_eq!(parse(succeeded.output()), json!({"greeting": "hello, world", "status": "done"}));
    let (backwards, pages) = history(client, &execution, 2, true).await;
    assert_eq!(pages, 4);
    let ids: Vec<i64> = backwards.iter().map(HistoryEvent::id).collect();
    assert_eq!(ids, [8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(backwards.into_iter().rev().collect::<Vec<_>>(), forwards);
    // Without execution data, the same events without their data.
    let lean =
        client.get_execution_history().execution_arn(&execution).include_execution_data(false).send().await.unwrap();
    assert_eq!(types(lean.events()), types(&forwards));
    let details = lean.events()[0].execution_started_event_details().unwrap();
    assert_eq!(details.input(), None);
    assert_eq!(details.role_arn(), started.role_arn());

    // The execution is listed under its machine, with its status.
    let second = start(client, &machine, "second", &json!({"who": "you"})).await;
    ended(client, &second).await;
    let listed = client.list_executions().state_machine_arn(&machine).send().await.unwrap();
    let mut names: Vec<&str> = listed.executions().iter().map(|e| e.name()).collect();
    names.sort_unstable();
    assert_eq!(names, ["first", "second"]);
    assert!(listed.executions().iter().all(|e| e.status() == &ExecutionStatus::Succeeded && e.stop_date().is_some()));
    let page = client.list_executions().state_machine_arn(&machine).max_results(1).send().await.unwrap();
    assert_eq!(page.executions().len(), 1);
    let rest = client
        .list_executions()
        .state_machine_arn(&machine)
        .max_results(1)
        .next_token(page.next_token().expect("a second page"))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.executions().len(), 1);
    assert_ne!(rest.executions()[0].name(), page.executions()[0].name());
    let running = client
        .list_executions()
        .state_machine_arn(&machine)
        .status_filter(ExecutionStatus::Running)
        .send()
        .await
        .unwrap();
    assert!(running.executions().is_empty());

    // Refusals.
    let error = client
        .start_execution()
        .state_machine_arn(&machine)
        .name("first")
        .input(json!({"who": "world"}).to_string())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(error, StartExecutionError::ExecutionAlreadyExists(_)), "{error:?}");
    let error = client
        .start_execution()
        .state_machine_arn("arn:aws:states:us-east-1:123456789012:stateMachine:nothing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(error, StartExecutionError::StateMachineDoesNotExist(_)), "{error:?}");
    let nobody = "arn:aws:states:us-east-1:123456789012:execution:steps:nobody";
    let error = client.describe_execution().execution_arn(nobody).send().await.unwrap_err().into_service_error();
    assert!(matches!(error, DescribeExecutionError::ExecutionDoesNotExist(_)), "{error:?}");
    let error = client.describe_execution().execution_arn(&machine).send().await.unwrap_err().into_service_error();
    assert!(matches!(error, DescribeExecutionError::InvalidArn(_)), "{error:?}");
    let error = client.get_execution_history().execution_arn(nobody).send().await.unwrap_err().into_service_error();
    assert!(matches!(error, GetExecutionHistoryError::ExecutionDoesNotExist(_)), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_execution_is_aborted() {
    let server = serve("stop", None).await;
    let client = &server.client;
    let sleepy = json!({"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 86400, "End": true}}});
    let machine = create(client, "sleepy", &sleepy, StateMachineType::Standard).await;
    let input = json!({"n": 1});
    let execution = start(client, &machine, "long", &input).await;
    // The same name and input while it runs: AWS's idempotent answer, the same execution.
    assert_eq!(start(client, &machine, "long", &input).await, execution);
    let error = client
        .start_execution()
        .state_machine_arn(&machine)
        .name("long")
        .input(json!({"n": 2}).to_string())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(error, StartExecutionError::ExecutionAlreadyExists(_)), "{error:?}");

    let running = client
        .list_executions()
        .state_machine_arn(&machine)
        .status_filter(ExecutionStatus::Running)
        .send()
        .await
        .unwrap();
    assert_eq!(running.executions().len(), 1);
    assert_eq!(running.executions()[0].execution_arn(), execution);
    assert_eq!(running.executions()[0].stop_date(), None);

    let stopped = client
        .stop_execution()
        .execution_arn(&execution)
        .error("Enough")
        .cause("the test stops it")
        .send()
        .await
        .unwrap();
    let described = client.describe_execution().execution_arn(&execution).send().await.unwrap();
    assert_eq!(described.status(), &ExecutionStatus::Aborted);
    assert_eq!(described.stop_date().map(seconds), Some(seconds(stopped.stop_date())));
    assert_eq!(described.error(), Some("Enough"));
    assert_eq!(described.cause(), Some("the test stops it"));
    let (events, _) = history(client, &execution, 100, false).await;
    use HistoryEventType as T;
    assert_eq!(types(&events), [T::ExecutionStarted, T::WaitStateEntered, T::WaitStateAborted, T::ExecutionAborted]);
    let aborted = events[3].execution_aborted_event_details().expect("ExecutionAborted has details");
    assert_eq!((aborted.error(), aborted.cause()), (Some("Enough"), Some("the test stops it")));
    let aborted = client
        .list_executions()
        .state_machine_arn(&machine)
        .status_filter(ExecutionStatus::Aborted)
        .send()
        .await
        .unwrap();
    assert_eq!(aborted.executions().len(), 1);
}

/// Human approval: the task hands its token out in its parameters and waits for a person.
fn approval() -> Value {
    json!({
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
                    "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}
                },
                "ResultPath": "$.decision",
                "Next": "Approved?"
            },
            "Approved?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.decision.approved", "BooleanEquals": true, "Next": "Ship"}],
                "Default": "Refused"
            },
            "Ship": {"Type": "Pass", "Result": "shipped", "ResultPath": "$.status", "End": true},
            "Refused": {"Type": "Fail", "Error": "Refused", "Cause": "a person said no"}
        }
    })
}

/// The token of the execution's waiting task, read from its `TaskScheduled` event, as an
/// approver's tool finds it.
async fn token_of(client: &Client, execution: &str) -> String {
    let since = Instant::now();
    loop {
        let (events, _) = history(client, execution, 100, false).await;
        let scheduled = events.iter().find_map(HistoryEvent::task_scheduled_event_details);
        if let Some(scheduled) = scheduled {
            assert_eq!(scheduled.resource_type(), "sqs");
            assert_eq!(scheduled.resource(), "sendMessage.waitForTaskToken");
            let parameters: Value = serde_json::from_str(scheduled.parameters()).unwrap();
            return parameters["MessageBody"]["token"].as_str().expect("the token in the parameters").to_owned();
        }
        assert!(since.elapsed() < PATIENCE, "{execution} scheduled no task in {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_approves_or_refuses_a_task_token() {
    let server = serve("approval", None).await;
    let client = &server.client;
    let machine = create(client, "approval", &approval(), StateMachineType::Standard).await;
    let approved = start(client, &machine, "approved", &json!({"order": 17})).await;
    let refused = start(client, &machine, "refused", &json!({"order": 18})).await;

    let token = token_of(client, &approved).await;
    client.send_task_heartbeat().task_token(&token).send().await.unwrap();
    client.send_task_success().task_token(&token).output(json!({"approved": true}).to_string()).send().await.unwrap();
    let described = ended(client, &approved).await;
    assert_eq!(described.status(), &ExecutionStatus::Succeeded);
    assert_eq!(parse(described.output()), json!({"order": 17, "decision": {"approved": true}, "status": "shipped"}));
    let (events, _) = history(client, &approved, 100, false).await;
    let succeeded = events.iter().find_map(HistoryEvent::task_succeeded_event_details).expect("TaskSucceeded");
    assert_eq!(parse(succeeded.output()), json!({"approved": true}));

    // The task has ended: its token answers no more ("the task associated with the token
    // has already been closed", the model's TaskTimedOut).
    let error =
        client.send_task_success().task_token(&token).output("{}").send().await.unwrap_err().into_service_error();
    assert!(matches!(error, SendTaskSuccessError::TaskTimedOut(_)), "{error:?}");
    let error = client
        .send_task_success()
        .task_token("not a token anyone handed out")
        .output("{}")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(matches!(error, SendTaskSuccessError::InvalidToken(_)), "{error:?}");

    // A refusal as a task failure the Choice never sees: the execution fails with it.
    let token = token_of(client, &refused).await;
    let error =
        client.send_task_success().task_token(&token).output("not json").send().await.unwrap_err().into_service_error();
    assert!(matches!(error, SendTaskSuccessError::InvalidOutput(_)), "{error:?}");
    client.send_task_failure().task_token(&token).error("Rejected").cause("out of stock").send().await.unwrap();
    let described = ended(client, &refused).await;
    assert_eq!(described.status(), &ExecutionStatus::Failed);
    assert_eq!(described.error(), Some("Rejected"));
    assert_eq!(described.cause(), Some("out of stock"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activity_worker_takes_and_answers_a_task() {
    let server = serve("activity", None).await;
    let client = &server.client;
    let activity = client.create_activity().name("review").send().await.unwrap();
    let activity_arn = activity.activity_arn().to_owned();
    assert_eq!(activity_arn, "arn:aws:states:us-east-1:123456789012:activity:review");
    // Idempotent by name.
    let again = client.create_activity().name("review").send().await.unwrap();
    assert_eq!(again.activity_arn(), activity_arn);
    assert_eq!(seconds(again.creation_date()), seconds(activity.creation_date()));
    let described = client.describe_activity().activity_arn(&activity_arn).send().await.unwrap();
    assert_eq!(described.name(), "review");
    let listed = client.list_activities().send().await.unwrap();
    assert_eq!(listed.activities().iter().map(|a| a.name()).collect::<Vec<_>>(), ["review"]);

    let definition = json!({
        "StartAt": "Review",
        "States": {
            "Review": {
                "Type": "Task",
                "Resource": activity_arn,
                "Parameters": {"document.$": "$.document"},
                "ResultPath": "$.review",
                "End": true
            }
        }
    });
    let machine = create(client, "reviewed", &definition, StateMachineType::Standard).await;
    let execution = start(client, &machine, "doc-1", &json!({"document": "draft"})).await;

    // The worker's long poll returns as soon as the task is there.
    let task = client.get_activity_task().activity_arn(&activity_arn).worker_name("worker-1").send().await.unwrap();
    let token = task.task_token().expect("a task").to_owned();
    assert_eq!(parse(task.input()), json!({"document": "draft"}));
    client.send_task_success().task_token(&token).output(json!({"ok": true}).to_string()).send().await.unwrap();
    let described = ended(client, &execution).await;
    assert_eq!(described.status(), &ExecutionStatus::Succeeded);
    assert_eq!(parse(described.output()), json!({"document": "draft", "review": {"ok": true}}));
    let (events, _) = history(client, &execution, 100, false).await;
    use HistoryEventType as T;
    assert_eq!(
        types(&events),
        [
            T::ExecutionStarted,
            T::TaskStateEntered,
            T::ActivityScheduled,
            T::ActivityStarted,
            T::ActivitySucceeded,
            T::TaskStateExited,
            T::ExecutionSucceeded
        ]
    );
    let started = events[3].activity_started_event_details().expect("ActivityStarted has details");
    assert_eq!(started.worker_name(), Some("worker-1"));
    let scheduled = events[2].activity_scheduled_event_details().expect("ActivityScheduled has details");
    assert_eq!(scheduled.resource(), activity_arn);
    assert_eq!(parse(scheduled.input()), json!({"document": "draft"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_express_machine_answers_start_sync_execution() {
    let server = serve("express", None).await;
    let client = &server.client;
    let definition = json!({
        "StartAt": "One",
        "States": {
            "One": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "Two"},
            "Two": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Three"},
            "Three": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "End": true}
        }
    });
    let express = create(client, "quick", &definition, StateMachineType::Express).await;
    let described = client.describe_state_machine().state_machine_arn(&express).send().await.unwrap();
    assert_eq!(described.r#type(), &StateMachineType::Express);

    let before = now_seconds();
    let answer = client
        .start_sync_execution()
        .state_machine_arn(&express)
        .name("sync-1")
        .input(json!({"n": 40}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), &SyncExecutionStatus::Succeeded);
    assert_eq!(parse(answer.output()), json!({"n": 42}));
    assert_eq!(parse(answer.input()), json!({"n": 40}));
    assert_eq!(answer.name(), Some("sync-1"));
    assert_eq!(answer.state_machine_arn(), Some(express.as_str()));
    assert!(answer.execution_arn().contains(":express:quick:sync-1"), "{}", answer.execution_arn());
    let (start_date, stop_date) = (seconds(answer.start_date()), seconds(answer.stop_date()));
    assert!(before - 0.001 <= start_date && start_date <= stop_date, "{before} ≤ {start_date} ≤ {stop_date}");

    // A failing execution answers FAILED with its error, not an API error.
    let failing = json!({"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Nope", "Cause": "on purpose"}}});
    let failing = create(client, "failing", &failing, StateMachineType::Express).await;
    let answer = client.start_sync_execution().state_machine_arn(&failing).send().await.unwrap();
    assert_eq!(answer.status(), &SyncExecutionStatus::Failed);
    assert_eq!((answer.error(), answer.cause()), (Some("Nope"), Some("on purpose")));

    // STANDARD machines do not run synchronously.
    let standard = create(client, "standard", &pass_through(), StateMachineType::Standard).await;
    let error =
        client.start_sync_execution().state_machine_arn(&standard).send().await.unwrap_err().into_service_error();
    assert!(matches!(error, StartSyncExecutionError::StateMachineTypeNotSupported(_)), "{error:?}");
}

/// A server that requires a key (`asl serve --auth-key`): the SDK's SigV4 signatures with
/// that key are verified and accepted; another secret, another key or no signature at all
/// get AWS's authentication errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_requests_with_the_configured_key_only() {
    use asl_server::Auth;
    use asl_server::auth::{Credentials as Key, Verifier};
    let dir = asl_tests::scratch_dir("sdk_rust").join(format!("signed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let verifier = Verifier::new([Key::new("AKIDLOCAL", "local-secret")], "us-east-1");
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        storage: Storage::Memory,
        auth: Auth::Signed(std::sync::Arc::new(verifier)),
        ..Config::default()
    };
    let server = Server::start(config).await.unwrap();
    let address = server.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));

    let signed = sdk::client_with_key(address, "AKIDLOCAL", "local-secret");
    assert!(signed.list_state_machines().send().await.unwrap().state_machines().is_empty());
    let code = |error: aws_sdk_sfn::error::SdkError<_, _>| {
        aws_sdk_sfn::error::ProvideErrorMetadata::code(&error).map(str::to_owned)
    };
    let wrong_secret = sdk::client_with_key(address, "AKIDLOCAL", "guess");
    let refused = wrong_secret.list_state_machines().send().await.unwrap_err();
    assert_eq!(code(refused).as_deref(), Some("InvalidSignatureException"));
    let unknown = sdk::client(address);
    let refused = unknown.list_state_machines().send().await.unwrap_err();
    assert_eq!(code(refused).as_deref(), Some("UnrecognizedClientException"));
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}
