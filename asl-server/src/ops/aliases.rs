//! `CreateStateMachineAlias`, `DescribeStateMachineAlias`, `UpdateStateMachineAlias`,
//! `DeleteStateMachineAlias`, `ListStateMachineAliases`.

use serde_json::Value;

use super::{names, page::page, state_machines};
use crate::service::Service;
use crate::service::arn::{self, Kind};
use crate::service::labels::{AliasRecord, Route};
use crate::service::{from_micros, micros};
use crate::wire::{ApiError, Reply, Request, date};

/// `ResourceNotFound` for `arn`.
pub fn not_found(arn: &str) -> ApiError {
    ApiError::service("ResourceNotFound", format!("Resource not found: '{arn}'"))
}

/// The alias an alias ARN names.
fn named(service: &Service, text: &str) -> Result<AliasRecord, ApiError> {
    let parsed = arn::parse(text, &[Kind::StateMachine])?;
    if parsed.parts.len() != 2 || parsed.parts[1].parse::<u64>().is_ok() {
        return Err(ApiError::service("InvalidArn", format!("Invalid Arn: 'Invalid alias ARN: {text}'")));
    }
    service.alias(text).ok_or_else(|| not_found(text))
}

/// Reads and checks a routing configuration: versions that exist, of one machine, each
/// once, weights summing to 100. Returns the machine's ARN with the routes.
fn routing(service: &Service, request: Request<'_>) -> Result<Option<(String, Vec<Route>)>, ApiError> {
    let Some(items) = request.value("routingConfiguration").and_then(Value::as_array) else { return Ok(None) };
    let mut routes = Vec::new();
    let mut machine_arn: Option<String> = None;
    for item in items {
        let version_arn = item.get("stateMachineVersionArn").and_then(Value::as_str).unwrap_or_default();
        let weight = item.get("weight").and_then(Value::as_u64).unwrap_or_default();
        let version = service.version(version_arn).ok_or_else(|| not_found(version_arn))?;
        match &machine_arn {
            Some(arn) if *arn != version.record.machine_arn => {
                return Err(ApiError::validation_because(
                    "INVALID_ROUTING_CONFIGURATION",
                    "Routing configuration must contain state machine version ARNs from the same state machine.",
                ));
            }
            _ => machine_arn = Some(version.record.machine_arn.clone()),
        }
        if routes.iter().any(|route: &Route| route.state_machine_version_arn == version_arn) {
            return Err(ApiError::validation_because(
                "INVALID_ROUTING_CONFIGURATION",
                "Routing configuration must contain distinct state machine version ARNs.",
            ));
        }
        routes.push(Route { state_machine_version_arn: version_arn.to_owned(), weight: weight as u32 });
    }
    if routes.iter().map(|route| route.weight).sum::<u32>() != 100 {
        return Err(ApiError::validation_because(
            "INVALID_ROUTING_CONFIGURATION",
            "Sum of routing configuration weights must be equal to 100.",
        ));
    }
    Ok(machine_arn.map(|arn| (arn, routes)))
}

pub async fn create(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let name = request.required("name")?;
    names::check(name)?;
    let Some((machine_arn, routes)) = routing(service, request)? else {
        return Err(ApiError::validation_because(
            "INVALID_ROUTING_CONFIGURATION",
            "Routing configuration is required.",
        ));
    };
    let alias_arn = format!("{machine_arn}:{name}");
    let description = request.str("description").map(str::to_owned);
    if let Some(existing) = service.alias(&alias_arn) {
        // Idempotent for the same alias.
        if existing.routing == routes && existing.description == description {
            return Ok(Reply::new()
                .set("stateMachineAliasArn", alias_arn)
                .date("creationDate", from_micros(existing.creation_micros))
                .build());
        }
        return Err(ApiError::service("ConflictException", format!("Alias already exists: '{alias_arn}'")));
    }
    let now = service.clock().now();
    let alias = AliasRecord {
        name: name.to_owned(),
        machine_arn,
        description,
        routing: routes,
        creation_micros: micros(now),
        update_micros: None,
    };
    service.put_alias(alias_arn.clone(), alias).await?;
    Ok(Reply::new().set("stateMachineAliasArn", alias_arn).date("creationDate", now).build())
}

fn routes_json(routes: &[Route]) -> Value {
    serde_json::to_value(routes).unwrap_or(Value::Null)
}

pub async fn describe(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("stateMachineAliasArn")?;
    let alias = named(service, text)?;
    let created = from_micros(alias.creation_micros);
    Ok(Reply::new()
        .set("stateMachineAliasArn", text)
        .set("name", alias.name.clone())
        .opt("description", alias.description.clone())
        .set("routingConfiguration", routes_json(&alias.routing))
        .date("creationDate", created)
        .date("updateDate", alias.update_micros.map_or(created, from_micros))
        .build())
}

pub async fn update(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("stateMachineAliasArn")?;
    let mut alias = named(service, text)?;
    let description = request.str("description");
    let routing = routing(service, request)?;
    if description.is_none() && routing.is_none() {
        return Err(ApiError::validation_because(
            "MISSING_REQUIRED_PARAMETER",
            "Either the description or the RoutingConfiguration must be specified",
        ));
    }
    if let Some((machine_arn, routes)) = routing {
        if machine_arn != alias.machine_arn {
            return Err(ApiError::validation_because(
                "INVALID_ROUTING_CONFIGURATION",
                "Routing configuration must contain state machine version ARNs of the alias's state machine.",
            ));
        }
        alias.routing = routes;
    }
    if let Some(description) = description {
        alias.description = Some(description.to_owned());
    }
    let now = service.clock().now();
    alias.update_micros = Some(micros(now));
    service.put_alias(text.to_owned(), alias).await?;
    Ok(Reply::new().date("updateDate", now).build())
}

pub async fn delete(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("stateMachineAliasArn")?;
    named(service, text)?;
    service.delete_alias(text).await?;
    Ok(Reply::new().build())
}

pub async fn list(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let machine = state_machines::named(service, request.required("stateMachineArn")?)?;
    let aliases = service.aliases_of(&machine.arn);
    let (aliases, next) = page(aliases, |(arn, _)| arn, request.count("maxResults"), request.str("nextToken"))?;
    let items: Vec<Value> = aliases
        .into_iter()
        .map(|(arn, alias)| {
            Reply::new()
                .set("stateMachineAliasArn", arn)
                .set("creationDate", date(from_micros(alias.creation_micros)))
                .build()
        })
        .collect();
    Ok(Reply::new().set("stateMachineAliases", items).opt("nextToken", next).build())
}
