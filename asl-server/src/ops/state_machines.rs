//! `CreateStateMachine`, `DescribeStateMachine`, `UpdateStateMachine`,
//! `DeleteStateMachine`, `ListStateMachines`, `DescribeStateMachineForExecution`.

use asl_runtime::intrinsics::{SplitMix64, uuid_v4};
use asl_runtime::store::MachineType;
use serde_json::{Value, json};

use super::page::page;
use super::{executions, names, tags, versions};
use crate::service::arn::{self, Kind};
use crate::service::{MachineRecord, Service, StateMachine};
use crate::wire::{ApiError, Reply, Request, date};

/// A new revision id (AWS's are UUIDs).
fn revision_id() -> String {
    uuid_v4(&mut SplitMix64::from_entropy())
}

/// `StateMachineDoesNotExist` for `arn`.
pub fn does_not_exist(arn: &str) -> ApiError {
    ApiError::service("StateMachineDoesNotExist", format!("State Machine Does Not Exist: '{arn}'"))
}

/// The state machine an unqualified state machine ARN names.
///
/// # Errors
///
/// `InvalidArn`, `StateMachineDoesNotExist`.
pub fn named(service: &Service, text: &str) -> Result<std::sync::Arc<StateMachine>, ApiError> {
    let parsed = arn::parse(text, &[Kind::StateMachine])?;
    if parsed.parts.len() != 1 {
        return Err(ApiError::validation_because(
            "API_DOES_NOT_SUPPORT_LABELED_ARNS",
            format!("Qualified state machine ARNs are not supported by this API: '{text}'"),
        ));
    }
    service.machine(text).ok_or_else(|| does_not_exist(text))
}

/// What a state machine ARN, plain or qualified, names for starting an execution: the
/// machine, the definition to run, and the version or alias it went through.
pub struct Target {
    /// The state machine.
    pub machine: std::sync::Arc<StateMachine>,
    /// The definition to run: the machine's, or a version's.
    pub workflow: &'static asl_runtime::execution::Workflow,
    /// The role of that definition.
    pub role_arn: String,
    /// The version run, when started through a version or an alias.
    pub version_arn: Option<String>,
    /// The alias started through.
    pub alias_arn: Option<String>,
}

/// What `text` (a state machine, version or alias ARN) names for starting an execution.
/// An alias picks one of its versions by their weights.
///
/// # Errors
///
/// `InvalidArn`, `StateMachineDoesNotExist`.
pub fn target(service: &Service, text: &str) -> Result<Target, ApiError> {
    let parsed = arn::parse(text, &[Kind::StateMachine])?;
    let machine_arn = match parsed.parts.len() {
        1 => text,
        _ => text.rsplit_once(':').map_or(text, |(machine, _)| machine),
    };
    let machine = service.machine(machine_arn).ok_or_else(|| does_not_exist(text))?;
    if parsed.parts.len() == 1 {
        let role_arn = machine.record.role_arn.clone();
        return Ok(Target { workflow: machine.workflow, machine, role_arn, version_arn: None, alias_arn: None });
    }
    let (version_arn, alias_arn) = match service.alias(text) {
        Some(alias) => {
            let mut rng = SplitMix64::from_entropy();
            let mut roll = asl_runtime::intrinsics::RandomSource::next_u64(&mut rng) % 100;
            let mut chosen = None;
            for route in &alias.routing {
                if roll < u64::from(route.weight) {
                    chosen = Some(route.state_machine_version_arn.clone());
                    break;
                }
                roll -= u64::from(route.weight);
            }
            let chosen = chosen.or_else(|| alias.routing.first().map(|r| r.state_machine_version_arn.clone()));
            (chosen.ok_or_else(|| does_not_exist(text))?, Some(text.to_owned()))
        }
        None => (text.to_owned(), None),
    };
    let version = service.version(&version_arn).ok_or_else(|| does_not_exist(text))?;
    Ok(Target {
        machine,
        workflow: version.workflow,
        role_arn: version.record.machine.role_arn.clone(),
        version_arn: Some(version_arn),
        alias_arn,
    })
}

/// AWS's defaults for the configurations a machine was not given.
fn logging(record: &MachineRecord) -> Value {
    record.logging_configuration.clone().unwrap_or_else(|| json!({"level": "OFF", "includeExecutionData": false}))
}

fn tracing(record: &MachineRecord) -> Value {
    record.tracing_configuration.clone().unwrap_or_else(|| json!({"enabled": false}))
}

pub async fn create(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let name = request.required("name")?;
    names::check(name)?;
    let machine_type = match request.str("type") {
        None => MachineType::Standard,
        Some(text) => {
            MachineType::from_name(text).ok_or_else(|| ApiError::validation(format!("invalid type {text}")))?
        }
    };
    let now = service.clock().now();
    let record = MachineRecord {
        name: name.to_owned(),
        definition: request.required("definition")?.to_owned(),
        machine_type: machine_type.as_str().to_owned(),
        role_arn: request.required("roleArn")?.to_owned(),
        creation_micros: crate::service::micros(now),
        update_micros: None,
        revision_id: revision_id(),
        description: None,
        logging_configuration: request.value("loggingConfiguration").cloned(),
        tracing_configuration: request.value("tracingConfiguration").cloned(),
        versions_published: 0,
        yaml: false,
    };
    let arn = service.arns().state_machine(name);
    if let Some(existing) = service.machine(&arn) {
        // Idempotent: the same machine again gets the same answer.
        let same = existing.record.definition == record.definition
            && existing.record.machine_type == record.machine_type
            && existing.record.role_arn == record.role_arn
            && logging(&existing.record) == logging(&record)
            && tracing(&existing.record) == tracing(&record);
        if !same {
            return Err(ApiError::service(
                "StateMachineAlreadyExists",
                format!("State Machine Already Exists: '{arn}'"),
            ));
        }
        return Ok(Reply::new().set("stateMachineArn", arn).date("creationDate", existing.creation_date()).build());
    }
    let machine = StateMachine::load(arn.clone(), record)?;
    let tags = tags::read_tags(request.value("tags"));
    let tags = tags::merged(Vec::new(), tags, &arn)?;
    let machine = service.put_machine(machine).await?;
    service.put_tags(&arn, tags).await?;
    let version = match request.flag("publish") {
        true => Some(versions::publish_current(service, &machine, request.str("versionDescription")).await?),
        false => None,
    };
    Ok(Reply::new()
        .set("stateMachineArn", arn)
        .date("creationDate", machine.creation_date())
        .opt("stateMachineVersionArn", version.map(|v| v.arn.clone()))
        .build())
}

/// What `DescribeStateMachine` and `DescribeStateMachineForExecution` share. AWS shows a
/// `revisionId` only once the machine has been updated: the first revision has none (it is
/// `INITIAL` where a revision is asked for, as in CloudFormation's
/// `AWS::StepFunctions::StateMachineVersion`).
fn described(machine: &StateMachine) -> Reply {
    let record = &machine.record;
    Reply::new()
        .set("stateMachineArn", machine.arn.clone())
        .set("name", record.name.clone())
        .set("definition", record.definition.clone())
        .set("roleArn", record.role_arn.clone())
        .set("loggingConfiguration", logging(record))
        .set("tracingConfiguration", tracing(record))
        .opt("revisionId", record.update_micros.map(|_| record.revision_id.clone()))
}

pub async fn describe(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("stateMachineArn")?;
    if let Some(version) = service.version(text) {
        // A version describes itself: its ARN, its definition as published.
        let record = &version.record.machine;
        return Ok(Reply::new()
            .set("stateMachineArn", version.arn.clone())
            .set("name", record.name.clone())
            .set("definition", record.definition.clone())
            .set("roleArn", record.role_arn.clone())
            .set("loggingConfiguration", logging(record))
            .set("tracingConfiguration", tracing(record))
            .set("revisionId", record.revision_id.clone())
            .set("status", "ACTIVE")
            .set("type", record.machine_type.clone())
            .date("creationDate", crate::service::from_micros(version.record.creation_micros))
            .opt("description", version.record.description.clone())
            .build());
    }
    let machine = named(service, text)?;
    Ok(described(&machine)
        .set("status", "ACTIVE")
        .set("type", machine.record.machine_type.clone())
        .date("creationDate", machine.creation_date())
        .opt("description", machine.record.description.clone())
        .build())
}

pub async fn describe_for_execution(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let execution = executions::stored(service, request.required("executionArn")?).await?;
    let machine =
        service.machine(&execution.state_machine_arn).ok_or_else(|| does_not_exist(&execution.state_machine_arn))?;
    let updated = machine.record.update_micros.unwrap_or(machine.record.creation_micros);
    Ok(described(&machine).date("updateDate", crate::service::from_micros(updated)).build())
}

pub async fn update(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let existing = named(service, request.required("stateMachineArn")?)?;
    let definition = request.str("definition");
    let role_arn = request.str("roleArn");
    let logging_configuration = request.value("loggingConfiguration");
    let tracing_configuration = request.value("tracingConfiguration");
    if definition.is_none() && role_arn.is_none() && logging_configuration.is_none() && tracing_configuration.is_none()
    {
        return Err(ApiError::service(
            "MissingRequiredParameter",
            "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified",
        ));
    }
    let now = service.clock().now();
    let mut record = existing.record.clone();
    if let Some(definition) = definition {
        record.definition = definition.to_owned();
        record.yaml = false;
    }
    if let Some(role_arn) = role_arn {
        record.role_arn = role_arn.to_owned();
    }
    if let Some(logging) = logging_configuration {
        record.logging_configuration = Some(logging.clone());
    }
    if let Some(tracing) = tracing_configuration {
        record.tracing_configuration = Some(tracing.clone());
    }
    if record.definition != existing.record.definition || record.role_arn != existing.record.role_arn {
        record.revision_id = revision_id();
    }
    record.update_micros = Some(crate::service::micros(now));
    let machine = StateMachine::load(existing.arn.clone(), record)?;
    let machine = service.put_machine(machine).await?;
    let version = match request.flag("publish") {
        true => Some(versions::publish_current(service, &machine, request.str("versionDescription")).await?),
        false => None,
    };
    Ok(Reply::new()
        .date("updateDate", now)
        .set("revisionId", machine.record.revision_id.clone())
        .opt("stateMachineVersionArn", version.map(|v| v.arn.clone()))
        .build())
}

pub async fn delete(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("stateMachineArn")?;
    arn::parse(text, &[Kind::StateMachine])?;
    // Deleting what is not there succeeds, as on AWS (the operation has no
    // StateMachineDoesNotExist).
    service.delete_machine(text).await?;
    Ok(Reply::new().build())
}

pub async fn list(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let machines = service.machines();
    let (machines, next) = page(machines, |m| m.arn.as_str(), request.count("maxResults"), request.str("nextToken"))?;
    let items: Vec<Value> = machines
        .iter()
        .map(|machine| {
            Reply::new()
                .set("stateMachineArn", machine.arn.clone())
                .set("name", machine.record.name.clone())
                .set("type", machine.record.machine_type.clone())
                .set("creationDate", date(machine.creation_date()))
                .build()
        })
        .collect();
    Ok(Reply::new().set("stateMachines", items).opt("nextToken", next).build())
}
