//! `TagResource`, `UntagResource`, `ListTagsForResource`: tags of state machines and
//! activities.

use serde_json::Value;

use super::aliases::not_found;
use crate::service::Service;
use crate::service::arn::{self, Kind};
use crate::service::labels::Tag;
use crate::wire::{ApiError, Reply, Request};

/// AWS's limit of tags on one resource.
const MAX_TAGS: usize = 50;

/// Checks that `text` names a state machine or activity this server has.
fn resource(service: &Service, text: &str) -> Result<(), ApiError> {
    let parsed = arn::parse(text, &[Kind::StateMachine, Kind::Activity])?;
    let exists = match parsed.kind {
        Kind::Activity => service.activity(text).is_some(),
        _ => service.machine(text).is_some(),
    };
    if exists { Ok(()) } else { Err(not_found(text)) }
}

/// The tags of a request member (`tags`: a list of `{key, value}`).
pub fn read_tags(value: Option<&Value>) -> Vec<Tag> {
    let Some(items) = value.and_then(Value::as_array) else { return Vec::new() };
    items
        .iter()
        .filter_map(|item| {
            let key = item.get("key").and_then(Value::as_str)?;
            let value = item.get("value").and_then(Value::as_str).unwrap_or_default();
            Some(Tag { key: key.to_owned(), value: value.to_owned() })
        })
        .collect()
}

/// `tags` merged into `existing`: a key given again takes its new value.
///
/// # Errors
///
/// `TooManyTags` beyond AWS's 50.
pub fn merged(mut existing: Vec<Tag>, tags: Vec<Tag>, arn: &str) -> Result<Vec<Tag>, ApiError> {
    for tag in tags {
        match existing.iter_mut().find(|old| old.key == tag.key) {
            Some(old) => old.value = tag.value,
            None => existing.push(tag),
        }
    }
    if existing.len() > MAX_TAGS {
        return Err(ApiError::service("TooManyTags", format!("Too many tags: '{arn}'")));
    }
    Ok(existing)
}

pub async fn tag(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("resourceArn")?;
    resource(service, text)?;
    let tags = merged(service.tags(text), read_tags(request.value("tags")), text)?;
    service.put_tags(text, tags).await?;
    Ok(Reply::new().build())
}

pub async fn untag(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("resourceArn")?;
    resource(service, text)?;
    let keys: Vec<&str> =
        request.value("tagKeys").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let mut tags = service.tags(text);
    tags.retain(|tag| !keys.contains(&tag.key.as_str()));
    service.put_tags(text, tags).await?;
    Ok(Reply::new().build())
}

pub async fn list(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("resourceArn")?;
    resource(service, text)?;
    let tags = serde_json::to_value(service.tags(text)).unwrap_or(Value::Null);
    Ok(Reply::new().set("tags", tags).build())
}
