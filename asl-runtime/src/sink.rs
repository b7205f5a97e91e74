//! Streaming execution history: a [`HistorySink`] receives each history event of an
//! execution as the driver records it, e.g. to write an audit log or feed a tracing
//! pipeline while the execution runs, not only once it has ended.
//!
//! Two sinks come with the runtime: [`JsonLines`] writes one AWS-format JSON object per
//! event to any writer, and [`TracingSink`] emits each event as a `tracing` event.

use std::io::Write;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

use crate::execution::HistoryEvent;

/// Receives history events as they are recorded.
///
/// Each event of an execution reaches the sink once, in id order, as soon as the transition
/// that recorded it is over. An execution saved and resumed in a new driver goes on from
/// where the sink left off (the execution remembers how many of its events were streamed).
/// The events of a Distributed Map's child executions stay in their own histories.
pub trait HistorySink: Send + Sync {
    /// Takes one event of the execution `execution_arn`.
    fn record(&self, execution_arn: &str, event: &HistoryEvent);
}

/// Writes each event as one line of JSON: AWS's `HistoryEvent` shape (as in
/// `GetExecutionHistory`) with the execution's ARN as `executionArn`.
///
/// ```text
/// {"executionArn":"arn:aws:states:…","timestamp":"2025-03-01T00:00:00Z","type":"PassStateEntered","id":2,"previousEventId":0,"stateEnteredEventDetails":{…}}
/// ```
///
/// Write errors are counted, not raised: an execution does not fail because its log could
/// not be written ([`JsonLines::write_errors`] tells).
pub struct JsonLines<W> {
    writer: Mutex<W>,
    errors: std::sync::atomic::AtomicU64,
}

impl<W: Write + Send> JsonLines<W> {
    /// A sink writing to `writer` (wrap a file in a `BufWriter`; each line is flushed).
    pub fn new(writer: W) -> JsonLines<W> {
        JsonLines { writer: Mutex::new(writer), errors: std::sync::atomic::AtomicU64::new(0) }
    }

    /// How many events could not be written.
    pub fn write_errors(&self) -> u64 {
        self.errors.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.writer.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An event with its execution's ARN first, as one JSON line holds it.
#[derive(Serialize)]
struct Line<'e> {
    #[serde(rename = "executionArn")]
    execution_arn: &'e str,
    #[serde(flatten)]
    event: &'e HistoryEvent,
}

impl<W: Write + Send> HistorySink for JsonLines<W> {
    fn record(&self, execution_arn: &str, event: &HistoryEvent) {
        let line = match serde_json::to_vec(&Line { execution_arn, event }) {
            Ok(mut line) => {
                line.push(b'\n');
                line
            }
            Err(_) => {
                self.errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return;
            }
        };
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if writer.write_all(&line).and_then(|()| writer.flush()).is_err() {
            self.errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// Emits each event as a `tracing` event at level INFO with target
/// `asl_runtime::history`, its fields `execution_arn`, `id`, `previous_event_id`,
/// `event_type` and `details` (the details member as JSON text, empty for none), so the
/// application's subscriber decides where history goes.
#[derive(Clone, Copy, Debug, Default)]
pub struct TracingSink;

/// The `tracing` target of [`TracingSink`]'s events.
pub const TRACING_TARGET: &str = "asl_runtime::history";

impl HistorySink for TracingSink {
    fn record(&self, execution_arn: &str, event: &HistoryEvent) {
        let details = match &event.details {
            Some(_) => match serde_json::to_value(event) {
                Ok(serde_json::Value::Object(mut fields)) => {
                    fields.remove(&*event.kind.details_member()).map(|details| details.to_string()).unwrap_or_default()
                }
                _ => String::new(),
            },
            None => String::new(),
        };
        tracing::info!(
            target: "asl_runtime::history",
            execution_arn,
            id = event.id,
            previous_event_id = event.previous_event_id,
            event_type = event.kind.name(),
            details = details.as_str(),
        );
    }
}
