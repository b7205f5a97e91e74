//! `ListMapRuns`, `DescribeMapRun`, `UpdateMapRun`: the Map Runs of Distributed Map states,
//! read from their executions' histories (`MapRunStarted` and the event that ends each).
//!
//! A Distributed Map here runs its items inside the parent execution, so a run's item
//! counts by status are known exactly only when it succeeded (every item did) or is still
//! running (none has ended, as far as the history tells); a failed or aborted run counts
//! its unfinished items as failed or aborted. Child executions with their own records, and
//! exact counts, come with Distributed Map over real data.

use asl_runtime::store::{ExecutionQuery, HistoryQuery};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::aliases::not_found;
use super::executions;
use super::page::page;
use crate::service::arn::{self, Kind};
use crate::service::{Service, store_failed};
use crate::wire::{ApiError, Reply, Request, date};

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

/// The state machine ARN of a Map Run's children: `…:stateMachine:<machine>/<label>`.
fn children_machine(map_run_arn: &str) -> String {
    let without_run = map_run_arn.rsplit_once(':').map_or(map_run_arn, |(head, _)| head);
    without_run.replacen(":mapRun:", ":stateMachine:", 1)
}

pub async fn list(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let execution_arn = request.required("executionArn")?;
    executions::stored(service, execution_arn).await?;
    let runs = runs_of(service, execution_arn).await?;
    let (runs, next) = page(runs, |run| run.arn.as_str(), request.count("maxResults"), request.str("nextToken"))?;
    let items: Vec<Value> = runs
        .into_iter()
        .map(|run| {
            Reply::new()
                .set("executionArn", run.execution_arn)
                .set("mapRunArn", run.arn.clone())
                .set("stateMachineArn", children_machine(&run.arn))
                .opt("startDate", run.start.map(date))
                .opt_date("stopDate", run.stop)
                .build()
        })
        .collect();
    Ok(Reply::new().set("mapRuns", items).opt("nextToken", next).build())
}

/// The Map Run `map_run_arn`: found in the histories of its state machine's executions.
async fn find(service: &Service, map_run_arn: &str) -> Result<MapRun, ApiError> {
    let parsed = arn::parse(map_run_arn, &[Kind::MapRun])?;
    let machine_name = parsed.parts[0].split('/').next().unwrap_or_default();
    let machine_arn = service.arns().state_machine(machine_name);
    let mut next_token = None;
    loop {
        let query =
            ExecutionQuery { state_machine_arn: machine_arn.clone(), status: None, max_results: 1000, next_token };
        let page = service.store().executions(query).await.map_err(store_failed)?;
        for execution in page.items {
            if let Some(run) = runs_of(service, &execution.arn).await?.into_iter().find(|run| run.arn == map_run_arn) {
                return Ok(run);
            }
        }
        match page.next_token {
            Some(token) => next_token = Some(token),
            None => return Err(not_found(map_run_arn)),
        }
    }
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

pub async fn describe(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let map_run_arn = request.required("mapRunArn")?;
    let run = find(service, map_run_arn).await?;
    let (max_concurrency, tolerated_count, tolerated_percentage) = settings(service, &run);
    let total = run.items;
    let (running, succeeded, failed, aborted) = match run.status {
        "RUNNING" => (total, 0, 0, 0),
        "SUCCEEDED" => (0, total, 0, 0),
        "FAILED" => (0, 0, total, 0),
        _ => (0, 0, 0, total),
    };
    let counts = json!({
        "pending": 0, "running": running, "succeeded": succeeded, "failed": failed, "timedOut": 0,
        "aborted": aborted, "total": total, "resultsWritten": 0
    });
    Ok(Reply::new()
        .set("mapRunArn", run.arn.clone())
        .set("executionArn", run.execution_arn.clone())
        .set("status", run.status)
        .date("startDate", run.start.unwrap_or(OffsetDateTime::UNIX_EPOCH))
        .opt_date("stopDate", run.stop)
        .set("maxConcurrency", max_concurrency)
        .set("toleratedFailurePercentage", tolerated_percentage)
        .set("toleratedFailureCount", tolerated_count)
        .set("itemCounts", counts.clone())
        .set("executionCounts", counts)
        .set("redriveCount", 0)
        .build())
}

pub async fn update(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let map_run_arn = request.required("mapRunArn")?;
    let run = find(service, map_run_arn).await?;
    if run.status != "RUNNING" {
        return Err(ApiError::validation_because(
            "CANNOT_UPDATE_COMPLETED_MAP_RUN",
            format!("Map Run {map_run_arn} is in a terminal state and cannot be updated."),
        ));
    }
    if request.value("maxConcurrency").is_none()
        && request.value("toleratedFailureCount").is_none()
        && request.value("toleratedFailurePercentage").is_none()
    {
        return Err(ApiError::validation_because(
            "MISSING_REQUIRED_PARAMETER",
            "At least one of maxConcurrency, toleratedFailureCount or toleratedFailurePercentage must be specified.",
        ));
    }
    // A running Map Run's items run inside its execution here, whose settings were fixed
    // when it started: say so rather than accept a change that would not happen.
    Err(ApiError::validation(format!(
        "Map Run {map_run_arn} runs its items inside its execution on this server; its settings cannot be changed \
         while it runs."
    )))
}
