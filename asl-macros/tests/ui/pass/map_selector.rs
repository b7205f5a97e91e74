// A Map with ItemSelector and MaxConcurrencyPath, with a Map nested in its processor.
mod flow {
    asl_runtime::include_asl!("flows/map_selector.asl.json");
}

use std::future::Future;

use serde_json::Value;

struct Echo;

impl flow::Handlers for Echo {
    fn price(&self, input: Value, _context: &Value) -> impl Future<Output = Result<Value, asl_runtime::Error>> + Send {
        async move { Ok(input) }
    }
}

fn main() {
    assert_eq!(flow::WORKFLOW.name, "map_selector");
    assert_eq!(flow::CONTAINERS.len(), 3);
    assert_eq!(flow::WORKFLOW.containers.len(), flow::CONTAINERS.len());
    assert_eq!(flow::UNSUPPORTED, None);
    let _handler: &dyn asl_runtime::execution::TaskHandler = &flow::Typed(Echo);
}
