//! The bell a live event stream waits on: the runtime's [`HistorySink`] rings it for an
//! execution when that execution's history grows, so a stream reads the store again at
//! once instead of on a timer.
//!
//! The runtime hands a durable execution's events to its sink only once they are committed
//! (`RuntimeBuilder::history_sink`), so what a stream reads after the bell is in the store.
//! The bell carries no event itself: the store stays the one source, and a ring missed or
//! doubled costs one read at most.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use asl_runtime::execution::HistoryEvent;
use asl_runtime::sink::HistorySink;
use tokio::sync::watch;

/// Rings, per execution, for those who listen.
#[derive(Default)]
pub struct HistoryBell {
    /// How many listeners there are: the sink is called for every event of every
    /// execution, and without a listener it must cost no more than this load.
    listeners: AtomicUsize,
    /// By execution ARN: the id of the latest event recorded while someone listened.
    bells: Mutex<HashMap<String, watch::Sender<u64>>>,
}

impl HistoryBell {
    /// Listens for the history of `execution_arn`. Listen before reading the store: a ring
    /// between the read and the wait is then not lost.
    pub fn listen(self: &Arc<Self>, execution_arn: &str) -> Listener {
        let mut bells = self.bells.lock().unwrap_or_else(PoisonError::into_inner);
        let receiver = match bells.get(execution_arn) {
            Some(sender) => sender.subscribe(),
            None => {
                let (sender, receiver) = watch::channel(0);
                bells.insert(execution_arn.to_owned(), sender);
                receiver
            }
        };
        self.listeners.fetch_add(1, Ordering::SeqCst);
        Listener { bell: Arc::clone(self), execution_arn: execution_arn.to_owned(), receiver }
    }

    /// How many executions have a listener (for tests).
    #[cfg(test)]
    fn executions_listened_to(&self) -> usize {
        self.bells.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl HistorySink for HistoryBell {
    fn record(&self, execution_arn: &str, event: &HistoryEvent) {
        if self.listeners.load(Ordering::Relaxed) == 0 {
            return;
        }
        let bells = self.bells.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = bells.get(execution_arn) {
            sender.send_replace(event.id);
        }
    }
}

/// One listener of one execution's bell; stops listening when dropped.
pub struct Listener {
    bell: Arc<HistoryBell>,
    execution_arn: String,
    receiver: watch::Receiver<u64>,
}

impl Listener {
    /// Completes when the bell rang since the last call (or since listening began).
    pub async fn rung(&mut self) {
        // The sender lives in the map while this listener does: an error cannot happen, and
        // would only mean "read again", which is what returning does.
        let _ = self.receiver.changed().await;
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let mut bells = self.bell.bells.lock().unwrap_or_else(PoisonError::into_inner);
        // This listener's receiver is still alive here: it is the last one at a count of 1.
        if bells.get(&self.execution_arn).is_some_and(|sender| sender.receiver_count() <= 1) {
            bells.remove(&self.execution_arn);
        }
        self.bell.listeners.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)] // failing loudly is a test's job
mod tests {
    use super::*;
    use asl_runtime::execution::EventType;
    use time::OffsetDateTime;

    fn event(id: u64) -> HistoryEvent {
        HistoryEvent {
            id,
            previous_event_id: 0,
            timestamp: OffsetDateTime::UNIX_EPOCH,
            kind: EventType::PassStateEntered,
            details: None,
        }
    }

    #[tokio::test]
    async fn rings_for_the_execution_listened_to_and_forgets_it_after() {
        let bell = Arc::new(HistoryBell::default());
        let mut first = bell.listen("a");
        let second = bell.listen("a");
        bell.record("b", &event(1));
        bell.record("a", &event(7));
        tokio::time::timeout(std::time::Duration::from_secs(5), first.rung()).await.expect("rung");
        assert_eq!(*first.receiver.borrow(), 7);
        // Nothing new: no ring.
        let again = tokio::time::timeout(std::time::Duration::from_millis(20), first.rung()).await;
        assert!(again.is_err(), "rang without an event");
        drop(first);
        assert_eq!(bell.executions_listened_to(), 1);
        drop(second);
        assert_eq!(bell.executions_listened_to(), 0);
        assert_eq!(bell.listeners.load(Ordering::SeqCst), 0);
        // Unheard rings cost nothing and keep nothing.
        bell.record("a", &event(8));
        assert_eq!(bell.executions_listened_to(), 0);
    }
}
