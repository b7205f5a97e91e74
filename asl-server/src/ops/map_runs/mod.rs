//! `ListMapRuns`, `DescribeMapRun`, `UpdateMapRun`: the Map Runs of Distributed Map states,
//! as the runtime records them in the store with each commit of the execution that runs
//! them ([`MapRun`]): their status, dates, settings as evaluated, and exact counts of their
//! items and child executions.
//!
//! A Map Run recorded as running whose execution has ended (stopped while it was parked,
//! or ended by its `TimeoutSeconds`) was aborted with it: it is shown so. An execution that
//! ran before Map Runs were recorded has its Map Runs read from its history
//! ([`history`]).

mod history;

use asl_runtime::execution::MapRunUpdate;
use asl_runtime::map_run::{MapRun, MapRunCounts, MapRunStatus};
use asl_runtime::runtime::ExecutionStatus;
use asl_runtime::store::{MapRunRecord, StoreError};
use serde_json::{Value, json};

use super::aliases::not_found;
use super::executions;
use super::page::page;
use crate::service::arn::{self, Kind};
use crate::service::{Service, store_failed};
use crate::wire::{ApiError, Reply, Request, date};

pub async fn list(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let execution_arn = request.required("executionArn")?;
    executions::stored(service, execution_arn).await?;
    let runs = runs_of(service, execution_arn).await?;
    let (runs, next) =
        page(runs, |run| run.map_run_arn.as_str(), request.count("maxResults"), request.str("nextToken"))?;
    let items: Vec<Value> = runs
        .into_iter()
        .map(|run| {
            Reply::new()
                .set("executionArn", run.execution_arn)
                .set("mapRunArn", run.map_run_arn)
                .set("stateMachineArn", run.state_machine_arn)
                .set("startDate", date(run.start_date))
                .opt_date("stopDate", run.stop_date)
                .build()
        })
        .collect();
    Ok(Reply::new().set("mapRuns", items).opt("nextToken", next).build())
}

pub async fn describe(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let run = recorded(service, request.required("mapRunArn")?).await?;
    Ok(Reply::new()
        .set("mapRunArn", run.map_run_arn)
        .set("executionArn", run.execution_arn)
        .set("status", run.status.as_str())
        .date("startDate", run.start_date)
        .opt_date("stopDate", run.stop_date)
        .set("maxConcurrency", run.max_concurrency)
        .set("toleratedFailurePercentage", run.tolerated_failure_percentage)
        .set("toleratedFailureCount", run.tolerated_failure_count)
        .set("itemCounts", counts(&run.item_counts))
        .set("executionCounts", counts(&run.execution_counts))
        .set("redriveCount", run.redrive_count)
        .opt_date("redriveDate", run.redrive_date)
        .build())
}

/// `MapRunItemCounts` / `MapRunExecutionCounts` as AWS writes them.
fn counts(counts: &MapRunCounts) -> Value {
    json!({
        "pending": counts.pending,
        "running": counts.running,
        "succeeded": counts.succeeded,
        "failed": counts.failed,
        "timedOut": counts.timed_out,
        "aborted": counts.aborted,
        "total": counts.total,
        "resultsWritten": counts.results_written,
        "failuresNotRedrivable": counts.failures_not_redrivable,
        "pendingRedrive": counts.pending_redrive,
    })
}

pub async fn update(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let map_run_arn = request.required("mapRunArn")?;
    let run = recorded(service, map_run_arn).await?;
    if run.status != MapRunStatus::Running {
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
    let Some(execution) = service.runtime().execution(&run.execution_arn) else {
        // Recorded as running, but no execution of this server runs it.
        return Err(ApiError::validation_because(
            "CANNOT_UPDATE_COMPLETED_MAP_RUN",
            format!("Map Run {map_run_arn} is in a terminal state and cannot be updated."),
        ));
    };
    let update = MapRunUpdate {
        max_concurrency: request.value("maxConcurrency").and_then(Value::as_u64),
        tolerated_failure_count: request.value("toleratedFailureCount").and_then(Value::as_u64),
        tolerated_failure_percentage: request.value("toleratedFailurePercentage").and_then(Value::as_f64),
    };
    execution.update_map_run(map_run_arn, update);
    Ok(json!({}))
}

/// The Map Run `map_run_arn`, or AWS's `ResourceNotFound`.
pub(super) async fn recorded(service: &Service, map_run_arn: &str) -> Result<MapRun, ApiError> {
    let parsed = arn::parse(map_run_arn, &[Kind::MapRun])?;
    match service.store().map_run(map_run_arn).await.map_err(store_failed)? {
        Some(record) => settled(service, read(&record)?).await,
        None => {
            let machine_name = parsed.parts[0].split('/').next().unwrap_or_default();
            history::find(service, machine_name, map_run_arn).await?.ok_or_else(|| not_found(map_run_arn))
        }
    }
}

/// The Map Runs of the execution `execution_arn`, in the order they started.
async fn runs_of(service: &Service, execution_arn: &str) -> Result<Vec<MapRun>, ApiError> {
    let records = service.store().map_runs(execution_arn).await.map_err(store_failed)?;
    if records.is_empty() {
        return history::map_runs(service, execution_arn).await;
    }
    let mut runs = Vec::with_capacity(records.len());
    for record in &records {
        runs.push(settled(service, read(record)?).await?);
    }
    Ok(runs)
}

/// The runtime's description in `record`.
fn read(record: &MapRunRecord) -> Result<MapRun, ApiError> {
    serde_json::from_str(&record.body)
        .map_err(|error| store_failed(StoreError::Corrupt(format!("Map Run {}: {error}", record.arn))))
}

/// `run`, aborted if it is recorded as running but its execution has ended.
async fn settled(service: &Service, mut run: MapRun) -> Result<MapRun, ApiError> {
    if run.status != MapRunStatus::Running {
        return Ok(run);
    }
    let execution = service.store().execution(&run.execution_arn).await.map_err(store_failed)?;
    if let Some(execution) = execution.filter(|execution| execution.status != ExecutionStatus::Running) {
        run.status = MapRunStatus::Aborted;
        run.stop_date = execution.stop_date;
        for counts in [&mut run.item_counts, &mut run.execution_counts] {
            counts.aborted += std::mem::take(&mut counts.running);
        }
    }
    Ok(run)
}
