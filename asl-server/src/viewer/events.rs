//! `GET /viewer/events?executionArn=…`: an execution's history as server-sent events, from
//! the start (or after the event the browser saw last), then each event as it is recorded,
//! until the execution ends.
//!
//! The events are read from the store, as `GetExecutionHistory` reads them, and carried in
//! its shape (`ops::history::as_api_event`), so the page shows what the API shows. Three
//! kinds of message:
//!
//! - `events`: `data` is a JSON array of history events, oldest first; `id` is the last
//!   one's id, so a browser that reconnects (`Last-Event-ID`) goes on after it;
//! - `end`: the execution is no longer running (`data`: `{"status": "SUCCEEDED"}`); the
//!   stream closes after it, and the page should close its `EventSource` (which would
//!   otherwise reconnect) and open a new stream if it redrives the execution;
//! - `problem`: the store failed (`data`: `{"message": …}`); the stream closes.
//!
//! Between reads the stream waits for the execution's [bell](super::bell), or at most
//! [`POLL`] (a safety net: the bell is only a hint), or for the server to stop, so that
//! a graceful shutdown is not held up by a page left open.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use asl_runtime::runtime::ExecutionStatus;
use asl_runtime::store::{HistoryQuery, HistoryRecord, StoreError};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde_json::{Value, json};

use super::ViewerError;
use super::bell::Listener;
use crate::ops::history::as_api_event;
use crate::service::Service;
use crate::service::arn::{self, Kind};

/// The longest a stream waits without reading the store, when no bell rings.
pub const POLL: Duration = Duration::from_secs(2);

/// The most events one `events` message carries (a store page's largest).
pub const BATCH: u32 = 1000;

/// What a stream holds between messages.
struct Follow {
    service: Arc<Service>,
    arn: String,
    /// The id of the last event sent.
    after: u64,
    listener: Listener,
    done: bool,
}

/// The stream of the execution `arn`'s events after the one with id `after`.
///
/// # Errors
///
/// 400 for text that is not a (STANDARD) execution ARN, 404 for an execution the server
/// does not have, 500 when the store fails.
pub async fn stream(
    service: Arc<Service>,
    arn: String,
    after: u64,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ViewerError> {
    arn::parse(&arn, &[Kind::Execution])
        .map_err(|_| ViewerError::bad_request(format!("`{arn}` is not an execution ARN")))?;
    // Listening starts before the first read: an event recorded in between rings.
    let listener = service.history_bell().listen(&arn);
    let exists = service.store().execution(&arn).await.map_err(ViewerError::store)?;
    if exists.is_none() {
        return Err(ViewerError::not_found(format!("no execution `{arn}` on this server")));
    }
    let follow = Follow { service, arn, after, listener, done: false };
    let stream = futures_util::stream::unfold(follow, |mut follow| async move {
        let event = next(&mut follow).await?;
        Some((Ok(event), follow))
    });
    // Comments every 15 s keep proxies and the browser from closing an idle stream.
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The next message, or `None` when the stream is over.
async fn next(follow: &mut Follow) -> Option<Event> {
    if follow.done {
        return None;
    }
    loop {
        match read(follow).await {
            Ok(Some(event)) => return Some(event),
            Ok(None) => {}
            Err(error) => return Some(problem(follow, &error)),
        }
        let status = match follow.service.store().execution(&follow.arn).await {
            Ok(Some(record)) => record.status,
            // Purged or deleted meanwhile: nothing more will come.
            Ok(None) => ExecutionStatus::Aborted,
            Err(error) => return Some(problem(follow, &error)),
        };
        if status != ExecutionStatus::Running {
            // The last events may have been committed between the read and the status.
            match read(follow).await {
                Ok(Some(event)) => return Some(event),
                Ok(None) => {}
                Err(error) => return Some(problem(follow, &error)),
            }
            follow.done = true;
            return Some(Event::default().event("end").data(json!({"status": status}).to_string()));
        }
        let service = Arc::clone(&follow.service);
        tokio::select! {
            () = follow.listener.rung() => {}
            () = tokio::time::sleep(POLL) => {}
            () = service.closed() => return None,
        }
    }
}

/// The events recorded since the last message, as one message (`None`: there are none).
async fn read(follow: &mut Follow) -> Result<Option<Event>, StoreError> {
    let page = follow.service.store().history(&follow.arn, HistoryQuery::after(follow.after, BATCH)).await?;
    Ok(batch(&page.items).map(|(last, event)| {
        follow.after = last;
        event
    }))
}

/// The `events` message of `records`, and the id of the last one.
fn batch(records: &[HistoryRecord]) -> Option<(u64, Event)> {
    let last = records.last()?.id;
    let events: Vec<Value> = records
        .iter()
        .map(|record| {
            // An unreadable stored event is shown as what it is rather than dropped, so the
            // ids stay contiguous.
            let mut event = serde_json::from_str(&record.event)
                .unwrap_or_else(|e| json!({"id": record.id, "type": "Unreadable", "message": e.to_string()}));
            as_api_event(&mut event, true);
            event
        })
        .collect();
    Some((last, Event::default().event("events").id(last.to_string()).data(Value::Array(events).to_string())))
}

fn problem(follow: &mut Follow, error: &StoreError) -> Event {
    follow.done = true;
    Event::default().event("problem").data(json!({"message": format!("the store failed: {error}")}).to_string())
}

#[cfg(test)]
#[allow(clippy::expect_used)] // failing loudly is a test's job
mod tests {
    use super::*;

    /// The bytes axum writes for a message, as the browser reads them.
    async fn framed(event: Event) -> String {
        use axum::response::IntoResponse;
        let stream = futures_util::stream::iter([Ok::<_, Infallible>(event)]);
        let body = Sse::new(stream).into_response().into_body();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.expect("the body");
        String::from_utf8(bytes.to_vec()).expect("UTF-8")
    }

    #[tokio::test]
    async fn a_batch_is_one_message_with_the_last_id_and_api_timestamps() {
        let records: Vec<HistoryRecord> = (1..=3)
            .map(|id| HistoryRecord {
                id,
                event: json!({"timestamp": "2024-01-01T00:00:00.5Z", "type": "PassStateEntered", "id": id,
                              "previousEventId": id - 1,
                              "stateEnteredEventDetails": {"name": "A\nB", "input": "{}"}})
                .to_string(),
            })
            .collect();
        let (last, event) = batch(&records).expect("a batch");
        assert_eq!(last, 3);
        let text = framed(event).await;
        assert!(text.starts_with("event: events\n"), "{text}");
        assert!(text.contains("\nid: 3\n"), "{text}");
        assert!(text.ends_with("\n\n"), "{text}");
        // One `data:` line: JSON escapes the line break inside the name.
        let data: Vec<&str> = text.lines().filter_map(|line| line.strip_prefix("data: ")).collect();
        assert_eq!(data.len(), 1, "{text}");
        let events: Value = serde_json::from_str(data[0]).expect("JSON");
        assert_eq!(events.as_array().map(Vec::len), Some(3));
        assert_eq!(events[0]["timestamp"], json!(1704067200.5));
        assert_eq!(events[2]["stateEnteredEventDetails"]["name"], "A\nB");
        assert!(batch(&[]).is_none());
    }

    #[tokio::test]
    async fn an_unreadable_event_keeps_its_place() {
        let records = [HistoryRecord { id: 9, event: "{not json".into() }];
        let (_, event) = batch(&records).expect("a batch");
        let text = framed(event).await;
        assert!(text.contains(r#""type":"Unreadable""#), "{text}");
        assert!(text.contains(r#""id":9"#), "{text}");
    }
}
