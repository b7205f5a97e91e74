//! `GetExecutionHistory`.

use asl_runtime::store::{HistoryQuery, StoreError};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::executions;
use super::page::invalid_token;
use crate::service::Service;
use crate::service::store_failed;
use crate::wire::{ApiError, Reply, Request, date};

/// The members of event details that carry execution data, which `includeExecutionData:
/// false` leaves out (with their `…Details`).
const DATA_MEMBERS: [&str; 4] = ["input", "output", "parameters", "result"];

pub async fn get(service: &Service, request: Request<'_>) -> Result<Value, ApiError> {
    let text = request.required("executionArn")?;
    executions::stored(service, text).await?;
    let query = HistoryQuery {
        max_results: request.count("maxResults"),
        reverse_order: request.flag("reverseOrder"),
        next_token: request.str("nextToken").map(str::to_owned),
    };
    let page = match service.store().history(text, query).await {
        Ok(page) => page,
        Err(StoreError::InvalidNextToken) => return Err(invalid_token(request.str("nextToken").unwrap_or_default())),
        Err(error) => return Err(store_failed(error)),
    };
    let include_data = request.bool("includeExecutionData").unwrap_or(true);
    let mut events = Vec::with_capacity(page.items.len());
    for record in page.items {
        let mut event: Value = serde_json::from_str(&record.event)
            .map_err(|e| ApiError::internal(format!("unreadable history event {}: {e}", record.id)))?;
        as_api_event(&mut event, include_data);
        events.push(event);
    }
    Ok(Reply::new().set("events", events).opt("nextToken", page.next_token).build())
}

/// A stored event (RFC 3339 timestamp) as the API carries it (epoch seconds), without its
/// execution data unless asked for.
pub fn as_api_event(event: &mut Value, include_data: bool) {
    let Some(members) = event.as_object_mut() else { return };
    if let Some(Value::String(text)) = members.get("timestamp")
        && let Ok(at) = OffsetDateTime::parse(text, &Rfc3339)
    {
        members.insert("timestamp".into(), date(at));
    }
    if include_data {
        return;
    }
    // The data goes, and its `…Details` (whose only member in the model is `truncated`)
    // with it.
    for details in members.values_mut().filter_map(Value::as_object_mut) {
        for member in DATA_MEMBERS {
            if details.remove(member).is_some() {
                details.remove(&format!("{member}Details"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_get_epoch_timestamps_and_lose_data_on_request() {
        let mut event = serde_json::json!({
            "timestamp": "2024-01-01T00:00:00.250Z",
            "type": "ExecutionStarted",
            "id": 1,
            "executionStartedEventDetails": {"input": "{}", "inputDetails": {"truncated": false}, "roleArn": "r"}
        });
        as_api_event(&mut event, false);
        assert_eq!(event["timestamp"].to_string(), "1704067200.25");
        assert_eq!(event["executionStartedEventDetails"], serde_json::json!({"roleArn": "r"}));
    }
}
