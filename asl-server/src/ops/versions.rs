//! `PublishStateMachineVersion`, `ListStateMachineVersions`, `DeleteStateMachineVersion`,
//! and the versions that creating or updating a machine with `publish` makes.

use std::sync::Arc;

use serde_json::Value;

use super::page::page;
use super::state_machines;
use crate::service::arn::{self, Kind};
use crate::service::labels::VersionRecord;
use crate::service::{Service, StateMachine, Version, from_micros, micros};
use crate::wire::{ApiError, Reply, Request, date};

/// Publishes the current revision of `machine` as a version, or returns the version that
/// already has it (AWS publishes a revision once).
///
/// # Errors
///
/// The store's.
pub async fn publish_current(
    service: &Service,
    machine: &StateMachine,
    description: Option<&str>,
) -> Result<Arc<Version>, ApiError> {
    if let Some(existing) = service
        .versions_of(&machine.arn)
        .into_iter()
        .find(|v| v.record.machine.revision_id == machine.record.revision_id)
    {
        return Ok(existing);
    }
    let number = machine.record.versions_published + 1;
    let mut record = machine.record.clone();
    record.versions_published = number;
    // The machine remembers the count before the version exists, so a crash between the two
    // writes skips a number rather than reusing one.
    let machine = service.put_machine(StateMachine::load(machine.arn.clone(), record.clone())?).await?;
    let version = VersionRecord {
        machine_arn: machine.arn.clone(),
        number,
        machine: record,
        description: description.map(str::to_owned),
        creation_micros: micros(service.clock().now()),
    };
    service.put_version(format!("{}:{number}", machine.arn), version).await
}

pub async fn publish(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let machine = state_machines::named(service, request.required("stateMachineArn")?)?;
    if let Some(revision) = request.str("revisionId")
        && revision != machine.record.revision_id
    {
        return Err(ApiError::service(
            "ConflictException",
            format!(
                "Failed to publish the State Machine version for revision {revision}. The current State Machine \
                 revision is {}.",
                machine.record.revision_id
            ),
        ));
    }
    let version = publish_current(service, &machine, request.str("description")).await?;
    Ok(Reply::new()
        .date("creationDate", from_micros(version.record.creation_micros))
        .set("stateMachineVersionArn", version.arn.clone())
        .build())
}

pub async fn list(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("stateMachineArn")?;
    // A machine that does not exist has no versions: the model lists no
    // StateMachineDoesNotExist for this operation.
    arn::parse(text, &[Kind::StateMachine])?;
    // Newest first, as AWS lists them; the page token is the number (zero-padded so that
    // its text orders as the numbers do, descending via the complement).
    let versions = service.versions_of(text);
    let keyed: Vec<(String, Arc<Version>)> =
        versions.into_iter().map(|v| (format!("{:020}", u64::MAX - v.record.number), v)).collect();
    let (versions, next) = page(keyed, |(key, _)| key, request.count("maxResults"), request.str("nextToken"))?;
    let items: Vec<Value> = versions
        .into_iter()
        .map(|(_, version)| {
            Reply::new()
                .set("stateMachineVersionArn", version.arn.clone())
                .set("creationDate", date(from_micros(version.record.creation_micros)))
                .build()
        })
        .collect();
    Ok(Reply::new().set("stateMachineVersions", items).opt("nextToken", next).build())
}

pub async fn delete(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("stateMachineVersionArn")?;
    let parsed = arn::parse(text, &[Kind::StateMachine])?;
    if parsed.parts.len() != 2 || parsed.parts[1].parse::<u64>().is_err() {
        return Err(ApiError::validation(format!("Invalid version ARN: '{text}'")));
    }
    let machine_arn = text.rsplit_once(':').map_or(text, |(machine, _)| machine);
    if let Some((alias_arn, _)) = service
        .aliases_of(machine_arn)
        .into_iter()
        .find(|(_, alias)| alias.routing.iter().any(|route| route.state_machine_version_arn == text))
    {
        return Err(ApiError::service(
            "ConflictException",
            format!(
                "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{alias_arn}]"
            ),
        ));
    }
    // Deleting a version that is not there succeeds, as deleting a machine does.
    service.delete_version(text).await?;
    Ok(Reply::new().build())
}
