// Retry and Catch on a Task, a Parallel and a Map; Task states in a branch get methods too, while
// the processor's activity (`Work`) has none: activity workers do its work.
mod flow {
    asl_runtime::include_asl!("flows/retry_catch.asl.json");
}

use std::future::Future;

use serde_json::Value;

struct Echo;

impl flow::Handlers for Echo {
    fn charge(&self, input: Value, _context: &Value) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }

    fn left(&self, input: Value, _context: &Value) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "retry_catch");
    assert_eq!(flow::CONTAINERS.len(), 3);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(Echo);
}
