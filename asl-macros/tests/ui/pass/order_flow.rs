// The order flow end to end at the type level: a `Handlers` implementation becomes the
// runtime's `TaskHandler` through `Typed`, which dispatches by task index.
mod flow {
    asl_runtime::include_asl!("flows/order_flow.asl.json");
}

use std::future::Future;
use std::task::{Context, Poll, Waker};

use asl_runtime::execution::{TaskCall, TaskHandler};
use asl_runtime::machine::StateKind;
use serde_json::{Value, json};

struct Handlers;

impl flow::Handlers for Handlers {
    fn validate_order(
        &self,
        input: Value,
        _context: &Value,
    ) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(json!({ "validated": input })) }
    }

    // An `async fn` works too: its future is `Send` because everything it holds is.
    async fn ship(&self, _input: Value, context: &Value) -> Result<Value, asl_runtime::Error> {
        Ok(context.clone())
    }
}

/// Polls a future that is ready at once (the handlers above never wait).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the handler future is not ready"),
    }
}

fn call<'a>(task: u16, state: &'static str, context: &'a Value) -> TaskCall<'a> {
    TaskCall { task, state, resource: "", input: json!(1), context, task_token: None, retry_count: 0, root_execution: "" }
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "order_flow");
    assert_eq!(flow::CONTAINERS.len(), 3);
    assert_eq!(flow::UNSUPPORTED, None);

    // Task numbers follow definition order: `ValidateOrder` is 0, `Ship` (in branch 0) is 1.
    let top = flow::CONTAINERS[0].states;
    assert_eq!(top[0].name, "ValidateOrder");
    assert!(matches!(top[0].kind, StateKind::Task(task) if task.task == 0 && task.recovery.retry.len() == 2));
    assert!(matches!(flow::CONTAINERS[1].states[0].kind, StateKind::Task(task) if task.task == 1));

    let handler = flow::Typed(Handlers);
    let context = json!({ "Task": { "Token": "t" } });
    assert_eq!(ready(handler.invoke(call(0, "ValidateOrder", &context))).ok(), Some(json!({ "validated": 1 })));
    assert_eq!(ready(handler.invoke(call(1, "Ship", &context))).ok(), Some(context.clone()));
    let unknown = ready(handler.invoke(call(7, "Nowhere", &context))).err().and_then(|e| e.cause);
    assert_eq!(
        unknown.as_deref(),
        Some("workflow `order_flow` has no Task state number 7 (asked for by state `Nowhere`)")
    );
}
