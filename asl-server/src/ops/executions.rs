//! `StartExecution`, `StartSyncExecution`, `DescribeExecution`, `StopExecution`,
//! `ListExecutions`, `RedriveExecution`.

use asl_runtime::context::ExecutionInfo;
use asl_runtime::execution::Status;
use asl_runtime::intrinsics::{SplitMix64, uuid_v4};
use asl_runtime::runtime::{ExecutionStatus, RedriveError, StartError};
use asl_runtime::store::{ExecutionQuery, ExecutionRecord, MachineType, StoreError};
use serde_json::{Value, json};

use super::page::invalid_token;
use super::{map_runs, names, state_machines};
use crate::service::arn::{self, Kind};
use crate::service::labels::StartedThrough;
use crate::service::{Service, store_failed};
use crate::wire::{ApiError, Reply, Request};

/// `ExecutionDoesNotExist` for `arn`.
pub fn does_not_exist(arn: &str) -> ApiError {
    ApiError::service("ExecutionDoesNotExist", format!("Execution Does Not Exist: '{arn}'"))
}

/// The stored execution an execution ARN names.
///
/// Express executions (`…:express:…`) are `InvalidArn` here, as on AWS: DescribeExecution,
/// GetExecutionHistory, StopExecution and DescribeStateMachineForExecution are "not
/// supported by EXPRESS state machines" (API reference), and AWS answers their ARNs with
/// "Invalid Arn: 'Resource type not valid in this context: express'".
///
/// # Errors
///
/// `InvalidArn`, `ExecutionDoesNotExist`, or the store's failure.
pub async fn stored(service: &Service, text: &str) -> Result<ExecutionRecord, ApiError> {
    arn::parse(text, &[Kind::Execution])?;
    service.store().execution(text).await.map_err(store_failed)?.ok_or_else(|| does_not_exist(text))
}

/// AWS's name for a status.
fn status_name(status: ExecutionStatus) -> Value {
    serde_json::to_value(status).unwrap_or(Value::Null)
}

/// The input of a start request, parsed (absent: `{}`).
fn input(request: Request<'_>) -> Result<Value, ApiError> {
    let invalid = |why: &str| {
        ApiError::service("InvalidExecutionInput", format!("Invalid State Machine Execution Input: '{why}'"))
    };
    let Some(text) = request.str("input") else { return Ok(json!({})) };
    if text.is_empty() {
        // AWS's words for an empty input, rather than a parser's.
        return Err(invalid("Invalid execution input."));
    }
    serde_json::from_str(text).map_err(|error| invalid(&error.to_string()))
}

/// What the two start operations share: the machine, the execution's name and context,
/// and the mock configuration's test case it runs.
struct Start {
    target: state_machines::Target,
    info: ExecutionInfo,
    test_case: Option<String>,
}

fn prepare(service: &Service, request: Request<'_>) -> Result<Start, ApiError> {
    // Step Functions Local's way to run a test case of the mock configuration:
    // `…:stateMachine:order#HappyPath`.
    let given = request.required("stateMachineArn")?;
    let (machine_arn, test_case) = match given.split_once('#') {
        Some((arn, case)) => (arn, Some(case.to_owned())),
        None => (given, None),
    };
    let target = state_machines::target(service, machine_arn)?;
    let machine = &target.machine;
    let name = match request.str("name") {
        Some(name) => {
            names::check(name)?;
            name.to_owned()
        }
        None => uuid_v4(&mut SplitMix64::from_entropy()),
    };
    let info = ExecutionInfo::new(machine.record.name.clone(), name, service.clock().now(), input(request)?)
        .with_region(service.region())
        .with_account_id(service.account())
        .with_role_arn(target.role_arn.clone());
    Ok(Start { target, info, test_case })
}

/// Makes the execution `arn` run its test case, if it has one: before it starts, so that
/// its first Task finds it.
fn choose_test_case(service: &Service, arn: &str, machine: &str, test_case: Option<&str>) -> Result<(), ApiError> {
    match test_case {
        Some(case) => service.bindings().choose_test_case(arn, machine, case).map_err(ApiError::validation),
        None => Ok(()),
    }
}

pub async fn start(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let Start { target, info, test_case } = prepare(service, request)?;
    let machine = &target.machine;
    let arn = info.execution_arn();
    let start_date = info.start_time;
    if machine.machine_type == MachineType::Standard
        && let Some(existing) = service.store().execution(&arn).await.map_err(store_failed)?
    {
        return already_started(existing, &info.input);
    }
    choose_test_case(service, &arn, &machine.record.name, test_case.as_deref())?;
    let through = StartedThrough {
        state_machine_version_arn: target.version_arn.clone(),
        state_machine_alias_arn: target.alias_arn.clone(),
        test_case,
    };
    if through != StartedThrough::default() {
        // Before the start is acknowledged, so DescribeExecution always has it (and a
        // restart, the test case).
        service.put_started_through(&arn, &through).await?;
    }
    let handle = match service.runtime().start_with(target.workflow, service.handler(machine), info) {
        Ok(handle) => handle,
        Err(StartError::ExecutionAlreadyExists(arn)) => {
            // Started by a request that came in meanwhile (the runtime holds it): answer as
            // for a repeat once its start is stored. The input compared is this request's,
            // read again rather than kept: this path is rare, the clone would not be.
            let Some(running) = service.runtime().execution(&arn) else { return Err(already_exists(&arn)) };
            running.stored().await.map_err(store_failed)?;
            let existing = service.store().execution(&arn).await.map_err(store_failed)?;
            return match existing {
                Some(existing) => already_started(existing, &input(request)?),
                None => Err(already_exists(&arn)),
            };
        }
    };
    // Acknowledged once ExecutionStarted is durable.
    match handle.stored().await {
        Ok(()) => {}
        Err(StoreError::ExecutionAlreadyExists(arn)) => return Err(already_exists(&arn)),
        Err(error) => return Err(store_failed(error)),
    }
    Ok(Reply::new().set("executionArn", handle.arn()).date("startDate", start_date).build())
}

fn already_exists(arn: &str) -> ApiError {
    ApiError::service("ExecutionAlreadyExists", format!("Execution Already Exists: '{arn}'"))
}

/// A STANDARD start whose name is taken: the same input while the first runs gets the
/// first's answer (AWS's idempotency), anything else `ExecutionAlreadyExists`.
fn already_started(existing: ExecutionRecord, input: &Value) -> Result<Value, ApiError> {
    let same_input = serde_json::from_str::<Value>(&existing.input).is_ok_and(|stored| &stored == input);
    if existing.status == ExecutionStatus::Running && same_input {
        Ok(Reply::new().set("executionArn", existing.arn).date("startDate", existing.start_date).build())
    } else {
        Err(already_exists(&existing.arn))
    }
}

pub async fn start_sync(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let Start { target, mut info, test_case } = prepare(service, request)?;
    let machine = &target.machine;
    if machine.machine_type != MachineType::Express {
        return Err(ApiError::service(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        ));
    }
    if test_case.is_some() {
        // The run id is chosen here, so that the test case is known by the execution's ARN
        // before it starts.
        info.express_run = Some(uuid_v4(&mut SplitMix64::from_entropy()));
        choose_test_case(service, &info.execution_arn(), &machine.record.name, test_case.as_deref())?;
    }
    let name = info.name.clone();
    let start_date = info.start_time;
    let input = serde_json::to_string(&info.input).unwrap_or_default();
    let handle = service
        .runtime()
        .start_with(target.workflow, service.handler(machine), info)
        .map_err(|StartError::ExecutionAlreadyExists(arn)| already_exists(&arn))?;
    let outcome = handle.wait().await;
    let stop_date = service.clock().now();
    let status = match outcome.status {
        Status::Succeeded => "SUCCEEDED",
        Status::TimedOut => "TIMED_OUT",
        // An Express execution is never stopped through the API; anything else failed.
        _ => "FAILED",
    };
    let output = outcome.output.as_ref().map(|output| serde_json::to_string(output).unwrap_or_default());
    let billed = (stop_date - start_date).whole_milliseconds().max(0);
    // AWS bills in 100 ms steps.
    let billed = (billed + 99) / 100 * 100;
    Ok(Reply::new()
        .set("executionArn", handle.arn())
        .set("stateMachineArn", machine.arn.clone())
        .set("name", name)
        .date("startDate", start_date)
        .date("stopDate", stop_date)
        .set("status", status)
        .opt("error", outcome.error)
        .opt("cause", outcome.cause)
        .set("input", input)
        .set("inputDetails", json!({"included": true}))
        .opt("output", output.clone())
        .opt("outputDetails", output.map(|_| json!({"included": true})))
        .set("billingDetails", json!({"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": billed as i64}))
        .build())
}

pub async fn describe(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("executionArn")?;
    let record = stored(service, text).await?;
    let through = service.started_through(text).await?;
    let included = json!({"included": true});
    let redrive = service.runtime().redrive_status(&record).await.map_err(store_failed)?;
    Ok(Reply::new()
        .set("executionArn", record.arn.clone())
        .set("stateMachineArn", record.state_machine_arn.clone())
        .set("name", record.name.clone())
        .set("status", status_name(record.status))
        .date("startDate", record.start_date)
        .opt_date("stopDate", record.stop_date)
        .set("input", record.input.clone())
        .set("inputDetails", included.clone())
        .opt("output", record.output.clone())
        .opt("outputDetails", record.output.as_ref().map(|_| included))
        .opt("error", record.error.clone())
        .opt("cause", record.cause.clone())
        .opt("stateMachineVersionArn", through.state_machine_version_arn)
        .opt("stateMachineAliasArn", through.state_machine_alias_arn)
        .opt("mapRunArn", record.map_run_arn.clone())
        .set("redriveCount", record.redrive_count)
        .opt_date("redriveDate", record.redrive_date)
        .set("redriveStatus", redrive.name())
        .opt("redriveStatusReason", redrive.reason())
        .build())
}

pub async fn redrive(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("executionArn")?;
    arn::parse(text, &[Kind::Execution])?;
    // The same client token again, for the redrive it made, gets the same answer (AWS's
    // idempotency; SDKs send a fresh token per call unless told otherwise).
    let token = request.str("clientToken");
    if let Some(token) = token
        && let Some(date) = service.redriven_with(text, token).await?
    {
        return Ok(Reply::new().date("redriveDate", date).build());
    }
    let handle = match service.runtime().redrive(text).await {
        Ok(handle) => handle,
        Err(RedriveError::ExecutionDoesNotExist(_)) => return Err(does_not_exist(text)),
        Err(RedriveError::NotRedrivable(why)) => {
            return Err(ApiError::service(
                "ExecutionNotRedrivable",
                format!("Execution {text} cannot be redriven: {}", why.reason()),
            ));
        }
        Err(RedriveError::NoStore) => return Err(ApiError::internal("this server keeps no executions to redrive")),
        Err(RedriveError::Store(error)) => return Err(store_failed(error)),
    };
    let date = handle.describe().redrive_date.unwrap_or_else(|| service.clock().now());
    if let Some(token) = token {
        service.put_redriven_with(text, token, date).await?;
    }
    Ok(Reply::new().date("redriveDate", date).build())
}

pub async fn stop(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("executionArn")?;
    arn::parse(text, &[Kind::Execution])?;
    if let Some(handle) = service.runtime().execution(text) {
        handle.stop(request.str("error"), request.str("cause"));
        // Acknowledged once the abort is recorded.
        handle.wait().await;
    }
    let record = stored(service, text).await?;
    let stop_date = record.stop_date.unwrap_or_else(|| service.clock().now());
    Ok(Reply::new().date("stopDate", stop_date).build())
}

pub async fn list(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    // A state machine's executions, or the child executions of a Map Run (the one or the
    // other: AWS takes either).
    let map_run_arn = request.str("mapRunArn");
    let machine_arn = match (request.str("stateMachineArn"), map_run_arn) {
        (Some(_), Some(_)) => {
            return Err(ApiError::validation("Only one of stateMachineArn or mapRunArn can be specified."));
        }
        (None, Some(map_run_arn)) => {
            map_runs::recorded(service, map_run_arn).await?;
            String::new()
        }
        (_, None) => {
            // (Neither given: the state machine is the one required.)
            let machine = state_machines::named(service, request.required("stateMachineArn")?)?;
            if machine.machine_type == MachineType::Express {
                return Err(ApiError::service(
                    "StateMachineTypeNotSupported",
                    "This operation is not supported by this type of state machine",
                ));
            }
            machine.arn.clone()
        }
    };
    let status = match request.str("statusFilter") {
        None => None,
        Some(name) => match serde_json::from_value::<ExecutionStatus>(Value::String(name.to_owned())) {
            Ok(status) => Some(status),
            // PENDING_REDRIVE: no execution here waits for a redrive.
            Err(_) => return Ok(Reply::new().set("executions", Vec::<Value>::new()).build()),
        },
    };
    let query = ExecutionQuery {
        state_machine_arn: machine_arn,
        map_run_arn: map_run_arn.map(str::to_owned),
        status,
        max_results: request.count("maxResults"),
        next_token: request.str("nextToken").map(str::to_owned),
    };
    let page = match service.store().executions(query).await {
        Ok(page) => page,
        Err(StoreError::InvalidNextToken) => return Err(invalid_token(request.str("nextToken").unwrap_or_default())),
        Err(error) => return Err(store_failed(error)),
    };
    let items: Vec<Value> = page
        .items
        .into_iter()
        .map(|summary| {
            Reply::new()
                .set("executionArn", summary.arn)
                .set("stateMachineArn", summary.state_machine_arn)
                .set("name", summary.name)
                .set("status", status_name(summary.status))
                .date("startDate", summary.start_date)
                .opt_date("stopDate", summary.stop_date)
                .set("redriveCount", summary.redrive_count)
                .opt_date("redriveDate", summary.redrive_date)
                // (Only in a listing by Map Run, as AWS's.)
                .opt("mapRunArn", summary.map_run_arn.filter(|_| map_run_arn.is_some()))
                .build()
        })
        .collect();
    Ok(Reply::new().set("executions", items).opt("nextToken", page.next_token).build())
}
