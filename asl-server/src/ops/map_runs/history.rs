//! The Map Runs of an execution that ran before the store recorded them (a store file
//! written by an asl-rs older than its schema version 4), read from the execution's history:
//! `MapRunStarted` and the event that ends each. Their item counts are known exactly only
//! when a run succeeded (every item did) or is still running (none has ended, as far as
//! the history tells); a failed or aborted run counts its items as failed or aborted.

use asl_runtime::map_run::{MapRunCounts, MapRunStatus};
use asl_runtime::store::{ExecutionQuery, HistoryQuery};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::service::{Service, store_failed};
use crate::wire::ApiError;

/// One Map Run as its execution's history shows it.
#[derive(Clone, Debug, Default)]
struct MapRun {
    arn: String,
    execution_arn: String,
    /// The Map state that started it.
    state: String,
    /// How many items it had.
    items: u64,
    start: Option<OffsetDateTime>,
    stop: Option<OffsetDateTime>,
    /// `RUNNING`, `SUCCEEDED`, `FAILED` or `ABORTED`.
    status: &'static str,
}

/// Every event of an execution's history, in order.
async fn events(service: &Service, execution_arn: &str) -> Result<Vec<Value>, ApiError> {
    let mut events = Vec::new();
    let mut next_token = None;
    loop {
        let query = HistoryQuery { max_results: 1000, reverse_order: false, next_token };
        let page = service.store().history(execution_arn, query).await.map_err(store_failed)?;
        for record in page.items {
            if let Ok(event) = serde_json::from_str::<Value>(&record.event) {
                events.push(event);
            }
        }
        match page.next_token {
            Some(token) => next_token = Some(token),
            None => return Ok(events),
        }
    }
}

fn timestamp(event: &Value) -> Option<OffsetDateTime> {
    event.get("timestamp").and_then(Value::as_str).and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok())
}

/// The Map Runs of one execution, in the order they started.
async fn runs_of(service: &Service, execution_arn: &str) -> Result<Vec<MapRun>, ApiError> {
    let mut runs: Vec<MapRun> = Vec::new();
    let mut state = String::new();
    let mut items = 0;
    let execution_ended = |kind: &str| kind.starts_with("Execution") && kind != "ExecutionStarted";
    for event in events(service, execution_arn).await? {
        let kind = event.get("type").and_then(Value::as_str).unwrap_or_default();
        match kind {
            "MapStateEntered" => {
                state =
                    event.pointer("/stateEnteredEventDetails/name").and_then(Value::as_str).unwrap_or_default().into();
            }
            "MapStateStarted" => {
                items =
                    event.pointer("/mapStateStartedEventDetails/length").and_then(Value::as_u64).unwrap_or_default();
            }
            "MapRunStarted" => runs.push(MapRun {
                arn: event
                    .pointer("/mapRunStartedEventDetails/mapRunArn")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .into(),
                execution_arn: execution_arn.to_owned(),
                state: state.clone(),
                items,
                start: timestamp(&event),
                stop: None,
                status: "RUNNING",
            }),
            "MapRunSucceeded" | "MapRunFailed" | "MapRunAborted" => {
                if let Some(run) = runs.iter_mut().rev().find(|run| run.status == "RUNNING") {
                    run.status = match kind {
                        "MapRunSucceeded" => "SUCCEEDED",
                        "MapRunFailed" => "FAILED",
                        _ => "ABORTED",
                    };
                    run.stop = timestamp(&event);
                }
            }
            _ if execution_ended(kind) => {
                // An execution that ends ends its running Map Runs with it.
                for run in runs.iter_mut().filter(|run| run.status == "RUNNING") {
                    run.status = "ABORTED";
                    run.stop = timestamp(&event);
                }
            }
            _ => {}
        }
    }
    Ok(runs)
}

/// A Map state's settings as its definition gives them (literal values; `…Path` forms
/// read as their defaults).
fn settings(service: &Service, run: &MapRun) -> (u64, u64, f64) {
    let machine_arn = run.execution_arn.replacen(":execution:", ":stateMachine:", 1);
    let machine_arn = machine_arn.rsplit_once(':').map_or(machine_arn.as_str(), |(head, _)| head).to_owned();
    let definition: Value = service
        .machine(&machine_arn)
        .and_then(|machine| serde_json::from_str(&machine.record.definition).ok())
        .unwrap_or(Value::Null);
    let state = find_state(&definition, &run.state).cloned().unwrap_or(Value::Null);
    let number = |name: &str| state.get(name).and_then(Value::as_f64).unwrap_or(0.0);
    (number("MaxConcurrency") as u64, number("ToleratedFailureCount") as u64, number("ToleratedFailurePercentage"))
}

/// The state called `name` anywhere in a definition (nested Parallel and Map included).
fn find_state<'a>(node: &'a Value, name: &str) -> Option<&'a Value> {
    match node {
        Value::Object(members) => {
            if let Some(state) = members.get("States").and_then(|states| states.get(name)) {
                return Some(state);
            }
            members.values().find_map(|child| find_state(child, name))
        }
        Value::Array(items) => items.iter().find_map(|child| find_state(child, name)),
        _ => None,
    }
}

/// The state machine ARN of a Map Run's children: `…:stateMachine:<machine>/<label>`.
fn children_machine(map_run_arn: &str) -> String {
    let without_run = map_run_arn.rsplit_once(':').map_or(map_run_arn, |(head, _)| head);
    without_run.replacen(":mapRun:", ":stateMachine:", 1)
}

/// The Map Runs of the execution `execution_arn` as its history shows them, in the order
/// they started.
pub(super) async fn map_runs(
    service: &Service,
    execution_arn: &str,
) -> Result<Vec<asl_runtime::map_run::MapRun>, ApiError> {
    let runs = runs_of(service, execution_arn).await?;
    Ok(runs.into_iter().map(|run| described(service, run)).collect())
}

/// `run` as the runtime describes a Map Run.
fn described(service: &Service, run: MapRun) -> asl_runtime::map_run::MapRun {
    let (max_concurrency, tolerated_failure_count, tolerated_failure_percentage) = settings(service, &run);
    let total = run.items;
    let (status, counts) = match run.status {
        "RUNNING" => (MapRunStatus::Running, MapRunCounts { running: total, total, ..MapRunCounts::default() }),
        "SUCCEEDED" => (MapRunStatus::Succeeded, MapRunCounts { succeeded: total, total, ..MapRunCounts::default() }),
        "FAILED" => (MapRunStatus::Failed, MapRunCounts { failed: total, total, ..MapRunCounts::default() }),
        _ => (MapRunStatus::Aborted, MapRunCounts { aborted: total, total, ..MapRunCounts::default() }),
    };
    asl_runtime::map_run::MapRun {
        state_machine_arn: children_machine(&run.arn),
        map_run_arn: run.arn,
        execution_arn: run.execution_arn,
        state_name: run.state,
        status,
        start_date: run.start.unwrap_or(OffsetDateTime::UNIX_EPOCH),
        stop_date: run.stop,
        max_concurrency,
        tolerated_failure_percentage,
        tolerated_failure_count,
        item_counts: counts,
        execution_counts: counts,
        redrive_count: 0,
        redrive_date: None,
    }
}

/// The Map Run `map_run_arn` of an execution of its state machine (`machine_name`) that
/// ran before Map Runs were recorded.
pub(super) async fn find(
    service: &Service,
    machine_name: &str,
    map_run_arn: &str,
) -> Result<Option<asl_runtime::map_run::MapRun>, ApiError> {
    let machine_arn = service.arns().state_machine(machine_name);
    let mut next_token = None;
    loop {
        let query = ExecutionQuery { next_token, max_results: 1000, ..ExecutionQuery::of(machine_arn.clone()) };
        let page = service.store().executions(query).await.map_err(store_failed)?;
        for execution in page.items {
            if let Some(run) = runs_of(service, &execution.arn).await?.into_iter().find(|run| run.arn == map_run_arn) {
                return Ok(Some(described(service, run)));
            }
        }
        match page.next_token {
            Some(token) => next_token = Some(token),
            None => return Ok(None),
        }
    }
}
