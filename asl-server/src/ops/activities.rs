//! `CreateActivity`, `DescribeActivity`, `DeleteActivity`, `ListActivities`,
//! `GetActivityTask`.

use std::time::Duration;

use asl_runtime::clock::RealClock;
use serde_json::Value;

use super::names;
use super::page::page;
use crate::service::arn::{self, Kind};
use crate::service::{Activity, Service, from_micros, micros};
use crate::wire::{ApiError, Reply, Request, date};

/// How long `GetActivityTask` waits for a task: AWS's 60 seconds.
pub const POLL: Duration = Duration::from_secs(60);

fn does_not_exist(arn: &str) -> ApiError {
    ApiError::service("ActivityDoesNotExist", format!("Activity Does Not Exist: '{arn}'"))
}

fn named(service: &Service, text: &str) -> Result<Activity, ApiError> {
    arn::parse(text, &[Kind::Activity])?;
    service.activity(text).ok_or_else(|| does_not_exist(text))
}

pub async fn create(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let name = request.required("name")?;
    names::check(name)?;
    let arn = service.arns().activity(name);
    // Idempotent by name (tags given again are ignored, as AWS ignores them).
    let activity = match service.activity(&arn) {
        Some(activity) => activity,
        None => {
            let tags = super::tags::merged(Vec::new(), super::tags::read_tags(request.value("tags")), &arn)?;
            let activity = Activity { name: name.to_owned(), creation_micros: micros(service.clock().now()) };
            service.put_activity(arn.clone(), activity.clone()).await?;
            service.put_tags(&arn, tags).await?;
            activity
        }
    };
    Ok(Reply::new().set("activityArn", arn).date("creationDate", from_micros(activity.creation_micros)).build())
}

pub async fn describe(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("activityArn")?;
    let activity = named(service, text)?;
    Ok(Reply::new()
        .set("activityArn", text)
        .set("name", activity.name)
        .date("creationDate", from_micros(activity.creation_micros))
        .build())
}

pub async fn delete(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("activityArn")?;
    arn::parse(text, &[Kind::Activity])?;
    service.delete_activity(text).await?;
    service.put_tags(text, Vec::new()).await?;
    Ok(Reply::new().build())
}

pub async fn list(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let (activities, next) =
        page(service.activities(), |(arn, _)| arn.as_str(), request.count("maxResults"), request.str("nextToken"))?;
    let items: Vec<Value> = activities
        .into_iter()
        .map(|(arn, activity)| {
            Reply::new()
                .set("activityArn", arn)
                .set("name", activity.name)
                .set("creationDate", date(from_micros(activity.creation_micros)))
                .build()
        })
        .collect();
    Ok(Reply::new().set("activities", items).opt("nextToken", next).build())
}

pub async fn get_task(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("activityArn")?;
    named(service, text)?;
    // The poll runs on real time whatever the executions' clock: it is the client's wait.
    // A server that stops ends it with no task, as a poll that found none.
    let task = service
        .runtime()
        .callbacks()
        .get_activity_task_or(text, request.str("workerName"), POLL, &RealClock, service.closed())
        .await;
    Ok(match task {
        Some(task) => Reply::new()
            .set("taskToken", task.task_token)
            .set("input", serde_json::to_string(&task.input).unwrap_or_default())
            .build(),
        None => Reply::new().build(),
    })
}
